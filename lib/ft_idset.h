/*
 * ft_idset.h - the ids a load has stored, while the table has no index on
 * them: a first bulk load of events out of id order builds the unique
 * index on id after its rows (ft_ingest.c), and meanwhile finds a record
 * whose id it stored already here.
 *
 * An id is kept as 32 bits of its hash and the seq of its row, 8 bytes
 * (a million ids: 11 MB with the table 70% full).  A lookup gives the
 * seqs whose hash matches, in turn: the caller reads each row and compares
 * its id, so two ids with the same hash are told apart exactly.
 */
#ifndef FT_IDSET_H
#define FT_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct ft_idset {
	uint64_t *slot; /* hash << 32 | seq; 0: empty */
	size_t nslots, n, maxslots;
};

/*
 * Room for about expect ids before it grows, and never more than maxbytes
 * (a new set holds none).
 */
void ft_idset_init(struct ft_idset *s, size_t expect, size_t maxbytes);
void ft_idset_release(struct ft_idset *s);

/* The hash of an id, for the calls below. */
uint32_t ft_idset_hash(const char *id, size_t len);

/* Where a lookup of hash h is: from ft_idset_probe(), to ft_idset_next(). */
struct ft_idset_probe {
	uint32_t h;
	size_t i;
};

void ft_idset_probe(const struct ft_idset *s, uint32_t h,
		    struct ft_idset_probe *p);

/* The next seq stored with hash h: 1 and *seq, or 0 when there is none. */
int ft_idset_next(const struct ft_idset *s, struct ft_idset_probe *p,
		  int64_t *seq);

/* 1 when k more ids fit within its maxbytes, else 0. */
int ft_idset_room(const struct ft_idset *s, size_t k);

/*
 * Adds seq (1 to 2^32 - 1) under hash h.  Returns 0, or -1 when seq does
 * not fit or the set is full (nothing is added): ft_idset_room() first.
 */
int ft_idset_add(struct ft_idset *s, uint32_t h, int64_t seq);

#endif
