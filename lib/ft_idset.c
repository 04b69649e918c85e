#include "ft_idset.h"
#include "ft_buf.h"

#include <stdlib.h>
#include <string.h>

/* Grown past this share of its slots: linear probing stays short. */
#define FULL_NUM 17
#define FULL_DEN 20

/* The slot a hash starts at: its high bits scaled to the table. */
static size_t
home(const struct ft_idset *s, uint32_t h)
{
	return (size_t)(((uint64_t)h * s->nslots) >> 32);
}

static void
put(struct ft_idset *s, uint64_t e)
{
	size_t i = home(s, (uint32_t)(e >> 32));

	while (s->slot[i])
		if (++i == s->nslots)
			i = 0;
	s->slot[i] = e;
}

static void
alloc(struct ft_idset *s, size_t nslots)
{
	s->nslots = nslots < 64 ? 64 : nslots;
	s->slot = ft_xmalloc(s->nslots * sizeof(*s->slot));
	memset(s->slot, 0, s->nslots * sizeof(*s->slot));
}

void
ft_idset_init(struct ft_idset *s, size_t expect, size_t maxbytes)
{
	size_t want = expect / 7 * 10 + 64; /* 7/10 full with expect */

	s->n = 0;
	s->maxslots = maxbytes / sizeof(*s->slot);
	if (s->maxslots < 64)
		s->maxslots = 64;
	alloc(s, want < s->maxslots ? want : s->maxslots);
}

/* Can it hold n ids in nslots slots. */
static int
fits(size_t n, size_t nslots)
{
	return n * FULL_DEN <= nslots * FULL_NUM;
}

int
ft_idset_room(const struct ft_idset *s, size_t k)
{
	return fits(s->n + k, s->maxslots);
}

void
ft_idset_release(struct ft_idset *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

uint32_t
ft_idset_hash(const char *id, size_t len)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a, then mixed */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)id[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (uint32_t)(h >> 32);
}

void
ft_idset_probe(const struct ft_idset *s, uint32_t h, struct ft_idset_probe *p)
{
	p->h = h;
	p->i = home(s, h);
}

int
ft_idset_next(const struct ft_idset *s, struct ft_idset_probe *p, int64_t *seq)
{
	uint64_t e;

	while ((e = s->slot[p->i])) {
		if (++p->i == s->nslots)
			p->i = 0;
		if ((uint32_t)(e >> 32) == p->h) {
			*seq = (int64_t)(uint32_t)e;
			return 1;
		}
	}
	return 0;
}

int
ft_idset_add(struct ft_idset *s, uint32_t h, int64_t seq)
{
	if (seq < 1 || seq > (int64_t)UINT32_MAX || !ft_idset_room(s, 1))
		return -1;
	if (!fits(s->n + 1, s->nslots)) {
		uint64_t *old = s->slot;
		size_t i, n = s->nslots;

		alloc(s, 2 * n < s->maxslots ? 2 * n : s->maxslots);
		for (i = 0; i < n; i++)
			if (old[i])
				put(s, old[i]);
		free(old);
	}
	put(s, (uint64_t)h << 32 | (uint64_t)seq);
	s->n++;
	return 0;
}
