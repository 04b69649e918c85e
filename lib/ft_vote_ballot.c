/*
 * ft_vote_ballot.c - a round's projects, the checks of a ballot, the
 * digest of a ballot set: see ft_vote_ballot.h.
 */
#include "ft_vote_ballot.h"
#include "ft_amount.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_sha256.h"
#include "ft_tally.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * An id with its index, sorted as one: the comparison needs no context
 * beyond the two elements.
 */
struct id_ix {
	const char *id;
	int ix;
};

static int
id_ix_cmp(const void *a, const void *b)
{
	const struct id_ix *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->ix > y->ix) - (x->ix < y->ix);
}

/*
 * Fills order[0..n) with the indexes of ids[0..n) in the order of their
 * ids; equal ids in the order of their indexes.
 */
void
vote_order_by_id(char *const *ids, int n, int *order)
{
	struct id_ix *v = ft_xmalloc(((size_t)n + 1) * sizeof(*v));
	int i;

	for (i = 0; i < n; i++) {
		v[i].id = ids[i];
		v[i].ix = i;
	}
	qsort(v, (size_t)n, sizeof(*v), id_ix_cmp);
	for (i = 0; i < n; i++)
		order[i] = v[i].ix;
	free(v);
}

void
vote_plist_release(struct plist *p)
{
	int i;

	for (i = 0; i < p->n; i++) {
		free(p->id[i]);
		free(p->name[i]);
		free(p->cost[i]);
	}
	free(p->id);
	free(p->name);
	free(p->cost);
	free(p->order);
	memset(p, 0, sizeof(*p));
}

/* A new string the caller frees, or NULL for NULL. */
static char *
dup_or_null(const char *s)
{
	return s ? ft_xstrdup(s) : NULL;
}

/* Adds stored project r to the list ctx. */
static int
plist_add(void *ctx, const struct ft_store_vote_project *r)
{
	struct plist *p = ctx;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->id = ft_xrealloc(p->id, (size_t)p->cap * sizeof(char *));
		p->name = ft_xrealloc(p->name, (size_t)p->cap * sizeof(char *));
		p->cost = ft_xrealloc(p->cost, (size_t)p->cap * sizeof(char *));
	}
	p->id[p->n] = dup_or_null(r->id);
	p->name[p->n] = ft_xstrdup(r->name ? r->name : "");
	p->cost[p->n] = dup_or_null(r->cost);
	p->n++;
	return FT_OK;
}

int
vote_plist_load(struct run *u, struct plist *p)
{
	int st;

	memset(p, 0, sizeof(*p));
	if ((st = ft_store_vote_projects_each(u->vs, u->r.f[R_ID], plist_add,
					      p)))
		return st;
	p->order = ft_xmalloc(((size_t)p->n + 1) * sizeof(int));
	vote_order_by_id(p->id, p->n, p->order);
	return FT_OK;
}

int
vote_plist_find(const struct plist *p, const char *id)
{
	int lo = 0, hi = p->n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(id, p->id[p->order[mid]]);

		if (c == 0)
			return p->order[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* The scale of the round's amounts: the most decimals of any. */
int
vote_round_scale(const struct run *u, const struct plist *p)
{
	int i, s = ft_amount_scale(u->r.f[R_BUDGET]), x;

	for (i = 0; i < p->n; i++)
		if ((x = ft_amount_scale(p->cost[i])) > s)
			s = x;
	if (u->r.f[R_MAXCOST] && (x = ft_amount_scale(u->r.f[R_MAXCOST])) > s)
		s = x;
	return s < 0 ? 0 : s;
}

/*
 * Checks a ballot's projects (names[0..n), each a NUL-terminated string in
 * one buffer) and points (pts, or NULL) against the round.  Returns NULL
 * or the reason.  idx receives the projects' indexes.
 */
const char *
vote_check_ballot(struct run *u, const struct plist *p, int scale,
		  const struct ft_buf *names, int n, const struct ft_buf *ptext,
		  int np, int *idx, int64_t *pts)
{
	const char *type = u->r.f[R_BALLOT];
	long minl = u->r.f[R_MINLEN] ? atol(u->r.f[R_MINLEN]) : 0;
	long maxl = u->r.f[R_MAXLEN] ? atol(u->r.f[R_MAXLEN]) : MAX_BALLOT;
	int cumulative = strcmp(type, "cumulative") == 0;
	size_t pos = 0;
	int64_t cost = 0, sum = 0, c;
	int i, j, over = 0;

	if (n > MAX_BALLOT)
		return vote_why(u,
				"field \"projects\": %d projects, at most "
				"%d",
				n, MAX_BALLOT);
	for (i = 0; i < n; i++) {
		const char *id = vote_next_item(names, &pos);

		if ((idx[i] = vote_plist_find(p, id)) < 0)
			return vote_why(u,
					"field \"projects\": unknown "
					"project %s",
					ft_q(id));
		for (j = 0; j < i; j++)
			if (idx[j] == idx[i])
				return vote_why(u,
						"field \"projects\": "
						"project %s named twice",
						ft_q(id));
		/* Costs below 10^17 units each: 93 of them overflow. */
		c = ft_amount_units(p->cost[idx[i]], scale);
		if (cost > INT64_MAX - c)
			over = 1;
		else
			cost += c;
	}
	if (strcmp(type, "ordinal") == 0 && n != minl)
		return vote_why(u,
				"field \"projects\": a ranking of exactly "
				"%ld projects",
				minl);
	if (n < minl)
		return vote_why(u,
				"field \"projects\": %d project%s, at least "
				"%ld",
				n, n == 1 ? "" : "s", minl);
	if (n > maxl)
		return vote_why(u,
				"field \"projects\": %d projects, at most "
				"%ld",
				n, maxl);
	if (u->r.f[R_MAXCOST] && over)
		return vote_why(u,
				"field \"projects\": total cost over the "
				"ballot's limit %s",
				u->r.f[R_MAXCOST]);
	if (u->r.f[R_MAXCOST] &&
	    cost > ft_amount_units(u->r.f[R_MAXCOST], scale)) {
		char a[64];

		ft_tally_amount(cost, scale, a, sizeof(a));
		return vote_why(u,
				"field \"projects\": total cost %s over the "
				"ballot's limit %s",
				a, u->r.f[R_MAXCOST]);
	}
	if (!cumulative) {
		if (np > 0)
			return "field \"points\": only cumulative ballots give "
			       "points";
		for (i = 0; i < n; i++)
			pts[i] = 1;
		return NULL;
	}
	if (np != n)
		return vote_why(u,
				"field \"points\": %d values for %d "
				"projects",
				np, n);
	pos = 0;
	for (i = 0; i < n; i++) {
		const char *s = vote_next_item(ptext, &pos);
		char *end;
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (!*s || *end || errno || v < 1 || v > MAX_POINTS)
			return vote_why(u,
					"field \"points\": not a whole "
					"number above 0: %s",
					ft_q(s));
		pts[i] = v;
		sum += v;
	}
	if (u->r.f[R_MAXPTS] && sum > atol(u->r.f[R_MAXPTS]))
		return vote_why(u, "field \"points\": %lld points, at most %s",
				(long long)sum, u->r.f[R_MAXPTS]);
	if (u->r.f[R_MINPTS] && sum < atol(u->r.f[R_MINPTS]))
		return vote_why(u,
				"field \"points\": %lld point%s, at least "
				"%s",
				(long long)sum, sum == 1 ? "" : "s",
				u->r.f[R_MINPTS]);
	return NULL;
}

int
vote_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The digest of a ballot set: SHA-256 of its canonical lines (projects,
 * a tab, points or null), sorted, each ended by a newline.  Takes lines.
 */
void
vote_digest(char **lines, long n, char hex[65])
{
	struct ft_sha256 c;
	unsigned char h[32];
	long i;

	if (n > 1) /* lines is NULL when there are none */
		qsort(lines, (size_t)n, sizeof(*lines), vote_str_cmp);
	ft_sha256_init(&c);
	for (i = 0; i < n; i++) {
		ft_sha256_add(&c, lines[i], strlen(lines[i]));
		ft_sha256_add(&c, "\n", 1);
		free(lines[i]);
	}
	ft_sha256_done(&c, h);
	ft_hex(hex, h, 32);
}

char *
vote_ballot_line(const char *projects, const char *points)
{
	struct ft_buf b = FT_BUF_INIT;

	ft_buf_adds(&b, projects);
	ft_buf_addc(&b, '\t');
	ft_buf_adds(&b, points ? points : "null");
	return ft_buf_detach(&b, NULL);
}

/* The canonical lines of a round's ballots, as they are read. */
struct lines {
	char **line;
	long n, cap;
};

static int
lines_add(void *ctx, const struct ft_store_vote_ballot *b)
{
	struct lines *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->line = ft_xrealloc(l->line,
				      (size_t)l->cap * sizeof(*l->line));
	}
	l->line[l->n++] = vote_ballot_line(b->projects, b->points);
	return FT_OK;
}

/* The digest of the stored ballots of u->r. */
int
vote_stored_digest(struct run *u, char hex[65], long *count)
{
	struct lines l = { NULL, 0, 0 };
	int st;

	if ((st = ft_store_vote_ballots_each(u->vs, u->r.f[R_ID], lines_add,
					     &l))) {
		while (l.n)
			free(l.line[--l.n]);
		free(l.line);
		return st;
	}
	vote_digest(l.line, l.n, hex);
	free(l.line);
	*count = l.n;
	return FT_OK;
}
