/*
 * ft_vkey.h - the keys of ft-vote: the key file, each round's key, and
 * the keyed hashes that stand for a voter's id.
 *
 * The key file holds a secret of 32 random bytes (getentropy(3)) as 64
 * hex digits and a newline, mode 0600.  A round's key is
 * HMAC-SHA-256(secret, "ft-vote round" NUL round); the database keeps only
 * its check value, ft_vkey_hash(key, "check", "").  A voter is kept as
 * ft_vkey_hash(key, "voter", id) and a ballot's tag as
 * ft_vkey_hash(key, "ballot", id): two derivations that cannot be joined
 * without the key.  These texts are what existing databases hold: a
 * change to any of them orphans every round.
 *
 * The functions that can fail print their message and return an exit
 * status (ft_exit.h).
 */
#ifndef FT_VKEY_H
#define FT_VKEY_H

/* A new secret, from the kernel's random source: 0 or FT_SOFTWARE. */
int ft_vkey_random(unsigned char secret[32]);

/*
 * Reads the secret of the key file at path, creating it (mode 0600, a new
 * secret as hex) when it is missing and create is set.  No path: FT_USAGE.
 */
int ft_vkey_read(const char *path, int create, unsigned char secret[32]);

/* The key of round round under secret into rkey. */
void ft_vkey_round(const unsigned char secret[32], const char *round,
		   unsigned char rkey[32]);

/* hex: HMAC-SHA-256(rkey, what NUL id) as 64 hex digits and a NUL. */
void ft_vkey_hash(const unsigned char rkey[32], const char *what,
		  const char *id, char hex[65]);

#endif
