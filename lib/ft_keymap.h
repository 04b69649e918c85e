/*
 * ft_keymap.h - keys (byte strings, or none) numbered 0, 1, 2... in the
 * order they are first seen: the groups of a count made in C, where SQLite
 * would sort every row for a GROUP BY (it has no hash aggregate).  The
 * 5,000,000 events of the bench by category, the table read whole: 1.0
 * user s to read the categories, 3.4 grouped by SQLite, 1.2 with the
 * whole of ft-report's events report counting them here.
 *
 * The map owns copies of its keys; ft_keymap_key() lends them.
 */
#ifndef FT_KEYMAP_H
#define FT_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

struct ft_keymap {
	size_t *slot; /* a key's number + 1; 0: empty */
	size_t nslot; /* a power of two, or 0 */
	char **key; /* by number; NUL-ended copies, NULL: none */
	size_t *len;
	uint64_t *hash;
	size_t n, cap;
	size_t none; /* the number of the key none + 1; 0: not seen */
};

/* An empty map (nothing allocated). */
void ft_keymap_init(struct ft_keymap *m);
/* Frees the keys and the table; m is left empty, ready for reuse. */
void ft_keymap_release(struct ft_keymap *m);

/*
 * The number of key k (len bytes, no NUL needed; NULL: none), the next
 * one if k is new, when *added is set to 1 (else 0).
 */
size_t ft_keymap_get(struct ft_keymap *m, const char *k, size_t len,
		     int *added);

/* Key i (i < m->n) as stored: NUL-ended, NULL for none; borrowed. */
static inline const char *
ft_keymap_key(const struct ft_keymap *m, size_t i)
{
	return m->key[i];
}

/* The length in bytes of key i (0 for none). */
static inline size_t
ft_keymap_len(const struct ft_keymap *m, size_t i)
{
	return m->len[i];
}

#endif
