/*
 * ft_keymap.c - keys numbered in the order first seen: see ft_keymap.h.
 * Open addressing, probed linearly, the table kept at most half full.
 */
#include "ft_keymap.h"
#include "ft_buf.h"

#include <stdlib.h>
#include <string.h>

void
ft_keymap_init(struct ft_keymap *m)
{
	memset(m, 0, sizeof(*m));
}

void
ft_keymap_release(struct ft_keymap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->key[i]);
	free(m->key);
	free(m->len);
	free(m->hash);
	free(m->slot);
	ft_keymap_init(m);
}

/* FNV-1a, 64 bits. */
static uint64_t
hash_of(const char *k, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)k[i];
		h *= 0x100000001b3u;
	}
	return h;
}

/* Puts number i (hash h) into the first empty slot of its chain. */
static void
place(struct ft_keymap *m, uint64_t h, size_t i)
{
	size_t mask = m->nslot - 1, j = (size_t)h & mask;

	while (m->slot[j])
		j = (j + 1) & mask;
	m->slot[j] = i + 1;
}

/* Doubles the table (64 slots at first) and places every key again. */
static void
grow_slots(struct ft_keymap *m)
{
	size_t i;

	free(m->slot);
	m->nslot = m->nslot ? 2 * m->nslot : 64;
	m->slot = ft_xmalloc(m->nslot * sizeof(size_t));
	memset(m->slot, 0, m->nslot * sizeof(size_t));
	for (i = 0; i < m->n; i++)
		if (m->key[i])
			place(m, m->hash[i], i);
}

/* Appends key k as number m->n (NULL: none). */
static size_t
append(struct ft_keymap *m, const char *k, size_t len, uint64_t h)
{
	char *copy = NULL;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->key = ft_xrealloc(m->key, m->cap * sizeof(char *));
		m->len = ft_xrealloc(m->len, m->cap * sizeof(size_t));
		m->hash = ft_xrealloc(m->hash, m->cap * sizeof(uint64_t));
	}
	if (k) {
		copy = ft_xmalloc(len + 1);
		memcpy(copy, k, len);
		copy[len] = '\0';
	}
	m->key[m->n] = copy;
	m->len[m->n] = k ? len : 0;
	m->hash[m->n] = h;
	return m->n++;
}

size_t
ft_keymap_get(struct ft_keymap *m, const char *k, size_t len, int *added)
{
	uint64_t h;
	size_t mask, j, i;

	*added = 0;
	if (!k) {
		if (!m->none) {
			m->none = append(m, NULL, 0, 0) + 1;
			*added = 1;
		}
		return m->none - 1;
	}
	h = hash_of(k, len);
	if (2 * (m->n + 1) > m->nslot)
		grow_slots(m);
	mask = m->nslot - 1;
	for (j = (size_t)h & mask; m->slot[j]; j = (j + 1) & mask) {
		i = m->slot[j] - 1;
		if (m->hash[i] == h && m->len[i] == len && m->key[i] &&
		    !memcmp(m->key[i], k, len))
			return i;
	}
	i = append(m, k, len, h);
	m->slot[j] = i + 1;
	*added = 1;
	return i;
}
