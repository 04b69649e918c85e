/*
 * ft_warn_flat.c - flatline rules: a key that reported regularly and went
 * silent, judged against its own usual interval or a fixed gap.
 */
#include "ft_warn_int.h"

/* ---- flatline ---- */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The median of iv[0..n) (0 < n <= 1000, "reports"), iv left as it is.
 * Apart from warn_silent_at(), which most readings of a flatline rule
 * call with a fixed gap, so that they do not set up its copy's 8 KB.
 */
static __attribute__((noinline)) double
median_interval(const int64_t *iv, int n)
{
	int64_t s[1000];
	int mid = n / 2;

	memcpy(s, iv, (size_t)n * sizeof(*s));
	if (n <= 16) {
		/* A few (judged each report): in place, no qsort. */
		for (int i = 1, j; i < n; i++) {
			int64_t v = s[i];

			for (j = i; j > 0 && s[j - 1] > v; j--)
				s[j] = s[j - 1];
			s[j] = v;
		}
	} else {
		qsort(s, (size_t)n, sizeof(*s), cmp_i64);
	}
	return n % 2 ? (double)s[mid] :
		       ((double)s[mid - 1] + (double)s[mid]) / 2;
}

/*
 * When k counts as silent (w->flat_at, beside the keys, which is what
 * warn_flat_scan() reads), if k is in w->flat: one that is not (it has
 * not reported since its warning was read back) is not judged.
 */
static void
flat_set(struct ft_warn *w, struct kst *k, int64_t at)
{
	if (k->flatpos)
		w->flat_at[k->flatpos - 1] = at;
}

/* When k's key counts as silent, from its last report. */
void
warn_silent_at(struct ft_warn *w, struct kst *k)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	int64_t at = NEVER;

	if (k->has_last && !k->live) {
		if (r->gap)
			at = k->last + r->gap;
		else if (k->niv >= r->reports)
			at = k->last +
			     (int64_t)ceil(r->usual *
					   median_interval(k->iv, k->niv));
	}
	flat_set(w, k, at);
	if (at < w->next_silent)
		w->next_silent = at;
}

void
warn_flat_add(struct ft_warn *w, struct kst *k)
{
	if (w->nflat == w->capflat) {
		w->capflat = w->capflat ? w->capflat * 2 : 64;
		w->flat = ft_xrealloc(w->flat,
				      w->capflat * sizeof(struct kst *));
		w->flat_at = ft_xrealloc(w->flat_at,
					 w->capflat * sizeof(*w->flat_at));
	}
	w->flat[w->nflat] = k;
	w->flat_at[w->nflat++] = NEVER; /* until warn_silent_at() */
	k->flatpos = (uint32_t)w->nflat;
}

/* A key due in warn_flat_scan(), and when it went silent. */
struct due {
	int64_t at;
	struct kst *k;
};

static int
by_silence(const void *a, const void *b)
{
	const struct due *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->k->rule != y->k->rule)
		return x->k->rule < y->k->rule ? -1 : 1;
	return strcmp(x->k->key, y->k->key);
}

/*
 * The keys silent before t: a warning each, raised at the time the
 * silence began to count, in that order.  A report exactly at that time
 * was on time.
 */
int
warn_flat_scan(struct ft_warn *w, int64_t t)
{
	struct due *due;
	size_t i, n = 0;
	int st = FT_OK;

	if (t <= w->next_silent)
		return FT_OK;
	due = ft_xmalloc((w->nflat + 1) * sizeof(*due));
	for (i = 0; i < w->nflat; i++)
		if (w->flat_at[i] < t && !w->flat[i]->live) {
			due[n].at = w->flat_at[i];
			due[n++].k = w->flat[i];
		}
	qsort(due, n, sizeof(*due), by_silence);
	for (i = 0; i < n && !st; i++) {
		struct kst *k = due[i].k;
		const struct ft_warn_rule *r = &w->rules.r[k->rule];

		if ((st = warn_raise_warning(w, k, r->level, k->last,
					     due[i].at)))
			break;
		k->live->count = 1;
		k->live->value = (double)(due[i].at - k->last);
		k->live->has_value = 1;
		flat_set(w, k, NEVER);
		st = warn_announce(w, k, 1);
	}
	free(due);
	w->next_silent = NEVER;
	for (i = 0; i < w->nflat; i++)
		if (w->flat_at[i] < w->next_silent && !w->flat[i]->live)
			w->next_silent = w->flat_at[i];
	return st;
}

/* flatline: a report of the key; a silent key is back. */
int
warn_on_flatline(struct ft_warn *w, struct kst *k, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];

	/* A series moves forward: a report at or before the last one, sent
	 * again or come late, changes nothing. */
	if (k->has_last && q->t <= k->last)
		return FT_OK;
	if (!k->has_last && !k->live)
		warn_flat_add(w, k);
	if (k->live) {
		/* Back after the silence: that interval is not a usual one. */
		k->live->last = q->t;
		k->live->cleared = q->t;
		warn_due_at(w, k, q->t + r->quiet);
	} else if (k->has_last && r->usual) {
		if (k->niv == r->reports) {
			memmove(k->iv, k->iv + 1,
				(size_t)(k->niv - 1) * sizeof(*k->iv));
			k->niv--;
		}
		if (!k->iv)
			k->iv = ft_xmalloc((size_t)r->reports * sizeof(*k->iv));
		k->iv[k->niv++] = q->t - k->last;
	}
	k->last = q->t;
	k->has_last = 1;
	warn_touch(w, k);
	warn_silent_at(w, k);
	return FT_OK;
}
