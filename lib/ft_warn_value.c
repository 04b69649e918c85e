/*
 * ft_warn_value.c - value rules: a reading out of its limits, or far from
 * the sensor's own robust baseline (deviation, likelihood), with
 * hysteresis and a minimum duration.
 */
#include "ft_warn_int.h"

/* ---- value: deviation from the baseline ---- */

/* The ring of k that a reading at t goes to: its local hour when seasonal. */
struct ring *
warn_ring_of(const struct ft_warn_rule *r, struct kst *k, int64_t t)
{
	int sec = 0, wday = 0, i = 0;

	if (!k->rg) {
		k->nrg = r->season ? r->season : 1;
		k->rg = ft_xmalloc((size_t)(k->nrg + 1) * sizeof(*k->rg));
		memset(k->rg, 0, (size_t)(k->nrg + 1) * sizeof(*k->rg));
	}
	if (r->season) {
		ft_time_local(t, &sec, &wday, NULL);
		i = sec / 3600 + (r->season == 168 ? wday * 24 : 0);
	}
	return &k->rg[i % k->nrg];
}

/* Keeps (t, v) in g, forgetting its oldest when it holds cap already. */
void
warn_ring_push(struct ring *g, int cap, int64_t t, double v)
{
	int i;

	if (!g->t) {
		g->t = ft_xmalloc((size_t)cap * sizeof(*g->t));
		g->v = ft_xmalloc((size_t)cap * sizeof(*g->v));
	}
	if (g->n < cap) {
		i = (g->head + g->n++) % cap;
	} else {
		i = g->head;
		g->head = (g->head + 1) % cap;
	}
	g->t[i] = t;
	g->v[i] = v;
}

/* The k-th smallest of a[0..n) (k < n), a reordered (Wirth's select). */
static double
kth(double *a, int n, int k)
{
	int lo = 0, hi = n - 1;

	while (lo < hi) {
		double x = a[k], y;
		int i = lo, j = hi;

		do {
			while (a[i] < x)
				i++;
			while (x < a[j])
				j--;
			if (i <= j) {
				y = a[i];
				a[i++] = a[j];
				a[j--] = y;
			}
		} while (i <= j);
		if (j < k)
			lo = i;
		if (k < i)
			hi = j;
	}
	return a[k];
}

/* The median of a[0..n) (n > 0), a reordered. */
static double
median(double *a, int n)
{
	int h = n / 2, i;
	double m = kth(a, n, h), below;

	if (n % 2)
		return m;
	/* a[0..h) is at most a[h]: the other middle is its greatest. */
	below = a[0];
	for (i = 1; i < h; i++)
		if (a[i] > below)
			below = a[i];
	return (below + m) / 2;
}

/*
 * A seasonal baseline's fallback, while the hour of the periods before has
 * too few readings: every reading of k in the period before t (a day, or
 * a week), whatever its hour, into w->dvbuf; returns how many.
 */
static int
fallback(struct ft_warn *w, const struct ft_warn_rule *r, const struct kst *k,
	 int64_t t)
{
	int64_t from = t - (r->season == 168 ? 604800 : 86400);
	size_t all = 0;
	int n = 0, i, j;

	for (i = 0; i < k->nrg; i++)
		all += (size_t)k->rg[i].n;
	if (all > w->dvcap) {
		w->dvcap = all;
		w->dvbuf = ft_xrealloc(w->dvbuf, w->dvcap * sizeof(double));
	}
	for (i = 0; i < k->nrg; i++) {
		const struct ring *g = &k->rg[i];

		for (j = 0; j < g->n; j++) {
			int at = (g->head + j) % r->nbase;

			if (g->t[at] >= from && g->t[at] < t)
				w->dvbuf[n++] = g->v[at];
		}
	}
	return n;
}

/*
 * The robust deviation of the reading q from k's baseline, into *m,
 * signed by the rule's direction (more is further out); 0 when the
 * baseline has too few readings to judge.
 */
static int
deviation(struct ft_warn *w, const struct ft_warn_rule *r, struct kst *k,
	  const struct rec *q, double *m)
{
	const struct ring *g = warn_ring_of(r, k, q->t);
	int64_t from = INT64_MIN, to = NEVER;
	double med, s;
	int n = 0, i;

	if ((size_t)r->nbase > w->dvcap) {
		w->dvcap = (size_t)r->nbase;
		w->dvbuf = ft_xrealloc(w->dvbuf, w->dvcap * sizeof(double));
	}
	if (r->season) {
		int sec = 0, wday = 0;

		/* The same hour in the periods before this one. */
		ft_time_local(q->t, &sec, &wday, NULL);
		to = q->t - sec % 3600;
		from = to - (int64_t)r->periods *
				    (r->season == 168 ? 604800 : 86400);
	}
	for (i = 0; i < g->n; i++) {
		int j = (g->head + i) % r->nbase;

		if (g->t[j] >= from && g->t[j] < to)
			w->dvbuf[n++] = g->v[j];
	}
	if (n < r->min_base && r->fallback)
		n = fallback(w, r, k, q->t);
	if (n < r->min_base)
		return 0;
	med = median(w->dvbuf, n);
	for (i = 0; i < n; i++)
		w->dvbuf[i] = fabs(w->dvbuf[i] - med);
	s = 1.4826 * median(w->dvbuf, n);
	if (!(s >= r->floor))
		s = r->floor;
	*m = r->dev == FT_DEV_ABOVE ? (q->value - med) / s :
	     r->dev == FT_DEV_BELOW ? (med - q->value) / s :
				      fabs(q->value - med) / s;
	return 1;
}

/*
 * likelihood (after HTM's anomaly likelihood): the mean of the last
 * r->likelihood deviations, z the newest, against the means of as many in
 * a row over the deviations of h (the last record readings judged, oldest
 * first): how many of their standard deviations (at least LIK_FLOOR) it is
 * above their mean, into *m; 0 while h has fewer than r->lmin such means.
 * Computed afresh from h each time, so that it depends on h alone (which
 * goes to the next run), not on sums carried along: two passes over the
 * sums of nw in a row (w->dvbuf), the second for the squares of their
 * distances to the mean, in four sums so that no step waits on the last
 * (a record of 8640 readings is read for each; Welford's running mean,
 * a division a step, each waiting on the one before, took four times as
 * long).
 */
#define LIK_FLOOR 0.01
static int
likelihood(struct ft_warn *w, const struct ft_warn_rule *r,
	   const struct ring *h, double z, double *m)
{
	int nw = r->likelihood, i, n, k, first;
	const double *v0 = h->v + h->head, *v1 = h->v;
	double sum = 0, tot = 0, mean, sq[4] = { 0, 0, 0, 0 }, s, now, *a;

	if ((n = h->n - nw + 1) < r->lmin || n < 1)
		return 0;
	if ((size_t)n > w->dvcap) {
		w->dvcap = (size_t)n;
		w->dvbuf = ft_xrealloc(w->dvbuf, w->dvcap * sizeof(double));
	}
	a = w->dvbuf;
	/* h->v[(head + i) % record] is v0[i] up to the end of the array,
	 * then v1[i - first]. */
	first = r->record - h->head;
#define LIK_AT(i) ((i) < first ? v0[(i)] : v1[(i)-first])
	for (i = 0; i < nw - 1; i++)
		sum += LIK_AT(i);
	for (k = 0; i < h->n; i++, k++) {
		sum += i >= nw ? LIK_AT(i) - LIK_AT(i - nw) : LIK_AT(i);
		a[k] = sum;
		tot += sum;
	}
	mean = tot / n;
	for (k = 0; k + 4 <= n; k += 4)
		for (i = 0; i < 4; i++)
			sq[i] += (a[k + i] - mean) * (a[k + i] - mean);
	for (; k < n; k++)
		sq[0] += (a[k] - mean) * (a[k] - mean);
	now = z;
	for (i = h->n - nw + 1; i < h->n; i++)
		now += LIK_AT(i);
#undef LIK_AT
	/* The sums are nw times the means. */
	s = sqrt((sq[0] + sq[1] + sq[2] + sq[3]) / n) / nw;
	if (!(s >= LIK_FLOOR))
		s = LIK_FLOOR;
	*m = (now / nw - mean / nw) / s;
	return 1;
}

/*
 * ft_warn_level_of() of rule ri, a value rule: a measure not beyond its
 * loosest limit (most are not) is at no level, without looking at each.
 */
static inline int
level_of(const struct ft_warn *w, const struct ft_warn_rule *r, int ri,
	 double v)
{
	double m = w->loose[ri];

	if (r->below ? !(v < m) : !(v > m))
		return -1;
	return ft_warn_level_of(r, v);
}

/*
 * value: a reading out of its limits, or as far from its baseline as the
 * rule's deviation, for long enough.
 */
int
warn_on_value(struct ft_warn *w, struct kst *k, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	double lim = r->at[r->level], v = q->value;
	int level, back, st;
	struct warning *x;

	/* A reading at or before the newest of its key, come late or sent
	 * again, changes nothing: a series moves forward. */
	if (k->has_last && q->t <= k->last)
		return FT_OK;
	k->last = q->t;
	k->has_last = 1;
	warn_touch(w, k);
	if (r->dev) {
		int judged = deviation(w, r, k, q, &v), i;
		struct ring *h;

		/* The reading joins the baseline after it is judged. */
		warn_ring_push(warn_ring_of(r, k, q->t), r->nbase, q->t,
			       q->value);
		if (!judged)
			return FT_OK;
		h = &k->rg[k->nrg];
		if (r->likelihood) {
			double z = v > 0 ? v : 0;

			judged = likelihood(w, r, h, z, &v);
			warn_ring_push(h, r->record, q->t, z);
			if (!judged)
				return FT_OK;
			level = level_of(w, r, k->rule, v);
		} else if (r->record) {
			/* A run starts only further out than the last
			 * record readings judged went. */
			level = level_of(w, r, k->rule, v);
			for (i = 0; i < h->n && level >= 0 && !k->out; i++)
				if (v <= h->v[i])
					level = -1;
			warn_ring_push(h, r->record, q->t, v);
		} else {
			level = level_of(w, r, k->rule, v);
		}
	} else {
		level = level_of(w, r, k->rule, v);
	}
	back = r->below ? v >= lim + r->hysteresis : v <= lim - r->hysteresis;

	if (level >= 0) {
		if (!k->out) {
			k->out = 1;
			k->out_since = q->t;
			k->nout = 0;
		}
		k->nout++;
		warn_touch(w, k);
		if ((x = k->live)) {
			if (r->below ? v < x->value : v > x->value)
				x->value = v;
			x->cleared = 0;
			warn_due_at(w, k, NEVER);
			return warn_update_warning(w, k, level, q->t, NULL);
		}
		if (q->t - k->out_since < r->hold)
			return FT_OK;
		if ((st = warn_raise_warning(w, k, level, k->out_since, q->t)))
			return st;
		k->live->count = k->nout;
		k->live->value = v;
		k->live->has_value = 1;
		return warn_announce(w, k, 1);
	}
	if (!back)
		return FT_OK; /* within the hysteresis: as it was */
	if (k->out) {
		k->out = 0;
		k->out_since = k->nout = 0;
		warn_touch(w, k);
	}
	if ((x = k->live) && !x->cleared) {
		x->cleared = q->t;
		warn_due_at(w, k, q->t + r->quiet);
		warn_touch(w, k);
	}
	return FT_OK;
}
