/*
 * ft_warn_window.c - the rules of windows of events: threshold and repeat
 * (a sliding window per key), spike and drop (counts per window against a
 * baseline of windows before, or of the same window in the weeks before).
 */
#include "ft_warn_int.h"

/* threshold, repeat: at least count events of the key in the window. */
int
warn_on_window(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k = warn_key_get(w, ri);
	size_t need = (size_t)r->at[r->level], i;
	int level, st;

	/* Older than the key's window: it no longer counts. */
	if (k->n && q->t <= k->w[k->n - 1].t - r->window)
		return FT_OK;
	if (!warn_window_add(w, k, q->t, q->id, warn_qid(w, q)))
		return FT_OK;
	warn_window_prune(w, k, r->window);
	warn_touch(w, k);
	level = ft_warn_level_of(r, (double)k->n);
	if (k->live) {
		if (level >= 0) {
			st = warn_update_warning(w, k, level, q->t, q->id);
			/* Clears once fewer than count are in the window. */
			k->live->cleared = k->w[k->n - need].t + r->window;
			warn_due_at(w, k, k->live->cleared + r->quiet);
			return st;
		}
		return FT_OK;
	}
	if (level < 0)
		return FT_OK;
	/* Raised at the end of the window (an event may come late). */
	if ((st = warn_raise_warning(w, k, level, k->w[0].t, k->w[k->n - 1].t)))
		return st;
	k->live->count = (int64_t)k->n;
	for (i = k->n > KEEP_EVENTS ? k->n - KEEP_EVENTS : 0; i < k->n; i++)
		warn_add_event(k->live, k->w[i].id);
	k->live->cleared = k->w[k->n - need].t + r->window;
	warn_due_at(w, k, k->live->cleared + r->quiet);
	return warn_announce(w, k, 1);
}

/* ---- spike and drop ---- */

/* The window t is in: its number since the epoch, windows of len s. */
static int64_t
window_of(int64_t t, int64_t len)
{
	if (len < 1)
		return 0; /* not a rule of windows: the rules reader refuses it */
	return t >= 0 ? t / len : -((-t + len - 1) / len);
}

/*
 * The window of rule r that t is in: windows of r->window seconds from
 * the epoch, in local time when the baseline is in weeks (so that the
 * same window of the week is the same weekday and time of day).
 */
int64_t
warn_win_of(const struct ft_warn_rule *r, int64_t t)
{
	return window_of(r->weeks ? t + ft_time_offset(t) : t, r->window);
}

/*
 * The times the local start of window b can be, the earlier first: with
 * the zone's offset of the day before and of the day after (the same but
 * around a change of summer time).
 */
static void
win_times(const struct ft_warn_rule *r, int64_t b, int64_t *c1, int64_t *c2)
{
	int64_t l = b * r->window, c;

	*c1 = l - ft_time_offset(l - 86400);
	*c2 = l - ft_time_offset(l + 86400);
	if (*c1 > *c2) {
		c = *c1;
		*c1 = *c2;
		*c2 = c;
	}
}

/*
 * When window b of rule r begins: the first time in it, or after it when
 * the clocks skip it (a window that begins where the next one does is
 * empty).
 */
int64_t
warn_win_start(const struct ft_warn_rule *r, int64_t b)
{
	int64_t c1, c2;

	if (!r->weeks)
		return b * r->window;
	win_times(r, b, &c1, &c2);
	return warn_win_of(r, c1) >= b ? c1 : c2;
}

/*
 * When window b, which t is in, ends: the start of the next, or, when the
 * clocks went back and t is in the window's second time, its second end.
 */
static int64_t
win_end(const struct ft_warn_rule *r, int64_t b, int64_t t)
{
	int64_t e = warn_win_start(r, b + 1), c1, c2;

	if (!r->weeks || e > t)
		return e;
	win_times(r, b + 1, &c1, &c2);
	return c2 > t ? c2 : t;
}

/* The windows between one of the baseline and the next. */
static int64_t
win_step(const struct ft_warn_rule *r)
{
	return r->weeks ? 7 * 86400 / r->window : 1;
}

/* How many windows back the baseline of a window reaches. */
static int64_t
win_span(const struct ft_warn_rule *r)
{
	return (int64_t)r->baseline * win_step(r);
}

/*
 * How many windows back from its newest a key keeps: the baseline's
 * reach, and in local time a day more, for a window the clocks repeat
 * (their going back makes the newest window the later one).
 */
int64_t
warn_win_keep(const struct ft_warn_rule *r)
{
	return win_span(r) + (r->weeks ? 86400 / r->window : 0);
}

/* Where window b is in k's counts, or would be. */
static size_t
count_find(const struct kst *k, int64_t b)
{
	size_t lo = 0, hi = k->nwc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->wc[mid].b < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The events of k in window b. */
static int64_t
count_get(const struct kst *k, int64_t b)
{
	size_t i = count_find(k, b);

	return i < k->nwc && k->wc[i].b == b ? k->wc[i].n : 0;
}

/* Adds n events to k's window b. */
void
warn_count_add(struct kst *k, int64_t b, int64_t n)
{
	size_t i = count_find(k, b);

	if (i < k->nwc && k->wc[i].b == b) {
		k->wc[i].n += n;
		return;
	}
	if (k->nwc == k->capwc) {
		k->capwc = k->capwc ? k->capwc * 2 : 8;
		k->wc = ft_xrealloc(k->wc, k->capwc * sizeof(*k->wc));
	}
	memmove(k->wc + i + 1, k->wc + i, (k->nwc - i) * sizeof(*k->wc));
	k->wc[i].b = b;
	k->wc[i].n = n;
	k->nwc++;
}

/* Forgets k's windows before b; whether there were any. */
static int
count_prune(struct kst *k, int64_t b)
{
	size_t i = count_find(k, b);

	if (!i)
		return 0;
	memmove(k->wc, k->wc + i, (k->nwc - i) * sizeof(*k->wc));
	k->nwc -= i;
	return 1;
}

/* Forgets the events k holds (the ids of its newest window). */
static void
hits_clear(struct ft_warn *w, struct kst *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		warn_id_free(w, k->w[i].id);
	k->w = k->base;
	k->n = 0;
}

/*
 * Counts the event (t, id) into k's window b; 0 when it is not counted:
 * sent again in the newest window, or older than it.  Only the newest
 * window holds its events' ids, so an event of an older one cannot be
 * told from one sent again (a file read twice), which would count twice
 * and judge that window again: like a reading at or before its series'
 * newest, it changes nothing.
 */
static int
count_event(struct ft_warn *w, struct kst *k, const struct ft_warn_rule *r,
	    int64_t t, const char *id, char *sid, int64_t b)
{
	int64_t newest = k->nwc ? k->wc[k->nwc - 1].b : b, hb;

	if (b < newest)
		return 0;
	/* The ids held are of b's window or an older one (b >= newest). */
	hb = k->n ? warn_win_of(r, k->w[0].t) : b - 1;
	if (b > hb)
		hits_clear(w, k);
	if (!warn_window_add(w, k, t, id, sid))
		return 0;
	warn_count_add(k, b, 1);
	count_prune(k, b - warn_win_keep(r));
	return 1;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The usual count of k's window b: the median of the baseline windows
 * before it (or the same window of the baseline weeks before), a window
 * without events counting 0.
 */
static double
baseline_of(const struct kst *k, const struct ft_warn_rule *r, int64_t b)
{
	long counts[1000];
	int nb = r->baseline, j, mid = nb / 2;
	int64_t step = win_step(r);

	if (nb < 1 || nb > 1000) /* the rules allow 1 to 1000 */
		return 0;
	for (j = 0; j < nb; j++)
		counts[j] = (long)count_get(k, b - (j + 1) * step);
	qsort(counts, (size_t)nb, sizeof(*counts), cmp_long);
	return nb % 2 ? (double)counts[mid] :
			((double)counts[mid - 1] + (double)counts[mid]) / 2;
}

/*
 * spike: the events of the key in the record's window, at least min,
 * against its baseline (a median of 0 counts as 1): the ratio is the
 * measure, "factor" its threshold.
 */
int
warn_on_spike(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k = warn_key_get(w, ri);
	int64_t b = warn_win_of(r, q->t), now;
	double med, ratio;
	size_t i, j;
	int level, st;

	if (!count_event(w, k, r, q->t, q->id, warn_qid(w, q), b))
		return FT_OK;
	warn_touch(w, k);
	now = count_get(k, b);
	med = baseline_of(k, r, b);
	ratio = (double)now / (med > 1 ? med : 1);
	if (now < r->min_count || (level = ft_warn_level_of(r, ratio)) < 0)
		return FT_OK;
	if (k->live) {
		if (ratio > k->live->value)
			k->live->value = ratio;
		if ((st = warn_update_warning(w, k, level, q->t, q->id)))
			return st;
	} else {
		if ((st = warn_raise_warning(w, k, level, q->t, q->t)))
			return st;
		k->live->count = now;
		k->live->value = ratio;
		k->live->has_value = 1;
		for (i = 0, j = 0; i < k->n; i++)
			if (warn_win_of(r, k->w[i].t) == b) {
				if (!j++)
					k->live->first = k->w[i].t;
				warn_add_event(k->live, k->w[i].id);
			}
		if ((st = warn_announce(w, k, 1)))
			return st;
	}
	/* Over with its window. */
	k->live->cleared = win_end(r, b, q->t);
	warn_due_at(w, k, k->live->cleared + r->quiet);
	return FT_OK;
}

/* drop: the event is counted; windows are judged as they end. */
int
warn_on_drop(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k = warn_key_get(w, ri);

	if (count_event(w, k, r, q->t, q->id, warn_qid(w, q),
			warn_win_of(r, q->t)))
		warn_touch(w, k);
	return FT_OK;
}

/*
 * drop: k's window b, just ended.  Judged when its baseline is at least
 * min: the fraction the count fell below it is the measure, "fall" its
 * threshold; a window that did not fall clears k's warning.  A window
 * not judged changes nothing.
 */
static int
drop_judge(struct ft_warn *w, struct kst *k, int64_t b)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	int64_t end = warn_win_start(r, b + 1), now;
	double med, fall;
	int level, st;

	/* What resolved before the window ended is over. */
	if (k->live && k->live->resolve_at <= end &&
	    (st = warn_resolve_live(w, k)))
		return st;
	med = baseline_of(k, r, b);
	if (med < (double)r->min_count)
		return FT_OK;
	now = count_get(k, b);
	fall = (double)now < med ? (med - (double)now) / med : 0;
	if ((level = ft_warn_level_of(r, fall)) < 0) {
		if (k->live && !k->live->cleared) {
			k->live->cleared = end;
			warn_due_at(w, k, end + r->quiet);
			warn_touch(w, k);
		}
		return FT_OK;
	}
	if (k->live) {
		if (fall > k->live->value)
			k->live->value = fall;
		k->live->cleared = 0;
		warn_due_at(w, k, NEVER);
		return warn_update_warning(w, k, level, end, NULL);
	}
	if ((st = warn_raise_warning(w, k, level, warn_win_start(r, b), end)))
		return st;
	k->live->count = 1;
	k->live->value = fall;
	k->live->has_value = 1;
	return warn_announce(w, k, 1);
}

/* The newest window of k that its baseline judges at all. */
static int64_t
drop_last(const struct kst *k, const struct ft_warn_rule *r, int64_t b)
{
	return k->nwc ? k->wc[k->nwc - 1].b + win_span(r) : b - 1;
}

/*
 * Whether judging k's windows from b to end (not included) changes
 * anything: it has a live warning, or one of them fell.  The keys that
 * do not are passed over, not sorted.
 */
static int
drop_matters(const struct kst *k, const struct ft_warn_rule *r, int64_t b,
	     int64_t end)
{
	int64_t last = drop_last(k, r, b);
	double med, now;

	if (k->live)
		return 1;
	for (; b < end && b <= last; b++) {
		med = baseline_of(k, r, b);
		now = (double)count_get(k, b);
		if (med >= (double)r->min_count && now < med &&
		    ft_warn_level_of(r, (med - now) / med) >= 0)
			return 1;
	}
	return 0;
}

static int
drop_order(const void *a, const void *b)
{
	const struct kst *x = *(struct kst *const *)a,
			 *y = *(struct kst *const *)b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return strcmp(x->key, y->key);
}

/*
 * The clock moves from w->clock to t: each drop rule's windows that ended
 * in between are judged, for every key it counts (a key that sent
 * nothing in them counts 0), by rule and key, each key's in time order.
 */
int
warn_drop_scan(struct ft_warn *w, int64_t t)
{
	struct kst **ks, *k;
	size_t i, n = 0;
	int st = FT_OK, any = 0;

	if (!w->drops || !w->clock_set || t <= w->clock)
		return FT_OK;
	for (i = 0; i < w->rules.n && !any; i++)
		any = w->rules.r[i].type == FT_WARN_DROP &&
		      warn_win_of(&w->rules.r[i], w->clock) <
			      warn_win_of(&w->rules.r[i], t);
	if (!any)
		return FT_OK;
	ks = ft_xmalloc((w->nkeys + 1) * sizeof(struct kst *));
	for (i = 0; i < w->nb; i++) {
		const struct ft_warn_rule *r;

		if (!(k = warn_tab_key(w, i)))
			continue;
		r = &w->rules.r[k->rule];
		if (r->type == FT_WARN_DROP &&
		    drop_matters(k, r, warn_win_of(r, w->clock),
				 warn_win_of(r, t)))
			ks[n++] = k;
	}
	qsort(ks, n, sizeof(struct kst *), drop_order);
	for (i = 0; i < n && !st; i++) {
		const struct ft_warn_rule *r = &w->rules.r[ks[i]->rule];
		int64_t b = warn_win_of(r, w->clock), end = warn_win_of(r, t),
			last;

		k = ks[i];
		/* After the newest count the baseline reaches, there is
		 * nothing to judge. */
		last = drop_last(k, r, b);
		for (; b < end && b <= last && !st; b++) {
			int64_t e = warn_win_start(r, b + 1);

			/* In local time, a window that ended before the clock
			 * (the clocks went back) was judged then; one the
			 * clocks skipped is not judged. */
			if (e > w->clock && e <= t && e > warn_win_start(r, b))
				st = drop_judge(w, k, b);
		}
	}
	free(ks);
	return st;
}
