/*
 * ft_sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for
 * content identities, the history's hash chain and the voters' tags.
 *
 * Nettle computes them (a maintained library, with the CPU's SHA
 * instructions where there are some); this module only names them in the
 * toolkit's words, so that the rest of lib/ does not depend on Nettle's
 * interface.  tests/crypto.bats checks both against their published vectors
 * and pins the digests a fixed run stores: they must never change, or every
 * existing database would stop verifying.
 */
#ifndef FT_SHA256_H
#define FT_SHA256_H

#include <nettle/hmac.h>
#include <nettle/sha2.h>

#include <stddef.h>

struct ft_sha256 {
	struct sha256_ctx c;
};

struct ft_hmac {
	struct hmac_sha256_ctx c;
};

void ft_sha256_init(struct ft_sha256 *c);
void ft_sha256_add(struct ft_sha256 *c, const void *p, size_t n);
void ft_sha256_done(struct ft_sha256 *c, unsigned char out[32]);

/* HMAC-SHA-256 under key[0..klen): init, add the message, done. */
void ft_hmac_init(struct ft_hmac *h, const void *key, size_t klen);
void ft_hmac_add(struct ft_hmac *h, const void *p, size_t n);
void ft_hmac_done(struct ft_hmac *h, unsigned char out[32]);

/* Writes 2*n lowercase hex digits and a NUL to hex (size 2*n+1). */
void ft_hex(char *hex, const unsigned char *p, size_t n);

#endif
