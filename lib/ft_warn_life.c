/*
 * ft_warn_life.c - the life of a warning: raised, updated, announced
 * (printed and in the history), resolved once its quiet period has passed
 * (sweep), as the clock moves (advance).
 */
#include "ft_warn_int.h"

/* ---- output and the history ---- */

const char *
warn_tstr(int64_t t, char buf[FT_TIME_LEN])
{
	ft_time_format(t, buf);
	return buf;
}

/* The ids of the events behind x, as a JSON array. */
void
warn_events_json(struct ft_buf *b, const struct warning *x)
{
	size_t i;

	ft_buf_addc(b, '[');
	for (i = 0; i < x->nev; i++) {
		if (i)
			ft_buf_addc(b, ',');
		ft_json_escape(b, x->ev[i], strlen(x->ev[i]));
	}
	ft_buf_addc(b, ']');
}

/* The warning record of k's live warning x, ending with "change". */
static void
record(struct ft_warn *w, struct ft_buf *b, const struct kst *k,
       const struct warning *x, const char *status, const char *change,
       int64_t resolved_at)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	char t[FT_TIME_LEN];

	ft_buf_adds(b, "{\"warning\":\"");
	ft_buf_adds(b, x->id);
	ft_buf_addc(b, '"');
	ft_json_put_str(b, "rule", r->name, r->namelen);
	ft_json_put_str(b, "type", ft_warn_type_name(r->type),
			strlen(ft_warn_type_name(r->type)));
	ft_json_put_str(b, "key", k->key, warn_klen(k));
	ft_json_put_str(b, "level", ft_warn_levels[x->level],
			strlen(ft_warn_levels[x->level]));
	ft_json_put_raw(b, "major", x->major ? "true" : "false",
			x->major ? 4 : 5);
	ft_json_put_str(b, "status", status, strlen(status));
	ft_json_put_str(b, "change", change, strlen(change));
	ft_json_put_number(b, "count", (double)x->count);
	if (x->has_value)
		ft_json_put_number(b, "value", x->value);
	ft_json_put_str(b, "first_at", warn_tstr(x->first, t), FT_TIME_LEN - 1);
	ft_json_put_str(b, "last_at", warn_tstr(x->last, t), FT_TIME_LEN - 1);
	ft_json_put_str(b, "raised_at", warn_tstr(x->raised, t),
			FT_TIME_LEN - 1);
	if (x->acked_at)
		ft_json_put_str(b, "acked_at", x->acked_at,
				strlen(x->acked_at));
	if (resolved_at) {
		ft_json_put_str(b, "resolved_at", warn_tstr(resolved_at, t),
				FT_TIME_LEN - 1);
		ft_json_put_number(b, "duration",
				   (double)(resolved_at - x->raised));
	}
	if (x->nev) {
		ft_json_put_key(b, "events");
		warn_events_json(b, x);
	}
	ft_buf_adds(b, "}\n");
}

/*
 * Whether a silence mutes the record of k's warning x: one that covers
 * its rule and key at the time of the record that raised, rose or
 * re-raised it.  A resolution is printed all the same: it is not new.
 */
static int
muted(struct ft_warn *w, const struct kst *k, const struct warning *x,
      const char *change)
{
	if (!w->sils.n || !strcmp(change, "resolved") ||
	    !ft_warn_sils_cover(&w->sils, w->rules.r[k->rule].name, k->key,
				x->last))
		return 0;
	w->c.muted++;
	return 1;
}

static int
print(struct ft_warn *w, const struct kst *k, const struct warning *x,
      const char *status, const char *change, int64_t resolved_at)
{
	if (muted(w, k, x, change) || w->o.no_output)
		return FT_OK;
	record(w, &w->run.out.buf, k, x, status, change, resolved_at);
	return ft_hold_keep(&w->run.out);
}

static int
history(struct ft_warn *w, const struct kst *k, const struct warning *x,
	int64_t at, const char *action, const char *from, const char *to)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	struct ft_hist_entry e;
	char t[FT_TIME_LEN];

	ft_buf_reset(&w->detail);
	ft_buf_adds(&w->detail, "{\"rule\":");
	ft_json_escape(&w->detail, r->name, r->namelen);
	ft_json_put_str(&w->detail, "key", k->key, warn_klen(k));
	ft_json_put_str(&w->detail, "level", ft_warn_levels[x->level],
			strlen(ft_warn_levels[x->level]));
	ft_json_put_number(&w->detail, "count", (double)x->count);
	ft_buf_addc(&w->detail, '}');
	memset(&e, 0, sizeof(e));
	e.kind = "warning";
	e.id = x->id;
	e.idlen = strlen(x->id);
	e.at = warn_tstr(at, t);
	e.action = action;
	e.from = from;
	e.to = to;
	e.detail = w->detail.s;
	e.detaillen = w->detail.len;
	return warn_db_hist(w, &e);
}

/* ---- warnings ---- */

void
warn_add_event(struct warning *x, const char *id)
{
	if (id && x->nev < KEEP_EVENTS)
		x->ev[x->nev++] = ft_xstrdup(id);
}

int
warn_is_major(const struct ft_warn_rule *r, int level)
{
	return level >= r->major;
}

/* Raises a warning of k at level, at time t. */
int
warn_raise_warning(struct ft_warn *w, struct kst *k, int level, int64_t first,
		   int64_t t)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	struct warning *x = ft_xmalloc(sizeof(*x));
	struct ft_sha256 h;
	unsigned char d[32];
	char n[32];

	memset(x, 0, sizeof(*x));
	x->level = level;
	x->major = warn_is_major(r, level);
	x->first = first;
	x->last = t;
	x->raised = t;
	x->printed = t;
	x->resolve_at = NEVER;
	/*
	 * Its id: the same rule, key and time give the same id.  The time
	 * first (40 bits, hexadecimal), so that ids grow with time: the
	 * warnings' primary key and the history's index on ids take the new
	 * ones at their ends, not at random places (on 10,000,000 readings
	 * SQLite's page cache thrashed on them: 3.7 s of system time).
	 */
	ft_sha256_init(&h);
	ft_sha256_add(&h, r->name, r->namelen + 1);
	ft_sha256_add(&h, k->key, warn_klen(k) + 1);
	snprintf(n, sizeof(n), "%lld", (long long)t);
	ft_sha256_add(&h, n, strlen(n));
	ft_sha256_done(&h, d);
	snprintf(x->id, sizeof(x->id), "w%010llx",
		 (unsigned long long)t & 0xffffffffffULL);
	ft_hex(x->id + 11, d, 6);
	k->live = x;
	warn_live_add(w, k);
	warn_touch(w, k);
	w->c.raised++;
	return FT_OK;
}

/* The warning of k was raised or rose: printed, in the history. */
int
warn_announce(struct ft_warn *w, struct kst *k, int raised)
{
	struct warning *x = k->live;
	int st;

	if (raised)
		st = history(w, k, x, x->raised, "raise", NULL, "open");
	else
		st = history(w, k, x, x->last, "level",
			     x->acked ? "acked" : "open",
			     x->acked ? "acked" : "open");
	if (st)
		return st;
	x->printed = x->last;
	return print(w, k, x, x->acked ? "acked" : "open",
		     raised ? "raised" : "level", 0);
}

/*
 * The live warning of k holds again at time t with measure m at level:
 * counted, its level raised if it rose, printed again when reraise is due.
 */
int
warn_update_warning(struct ft_warn *w, struct kst *k, int level, int64_t t,
		    const char *id)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	struct warning *x = k->live;

	x->count++;
	if (t > x->last)
		x->last = t;
	warn_add_event(x, id);
	warn_touch(w, k);
	w->c.updated++;
	if (level > x->level) {
		x->level = level;
		x->major = warn_is_major(r, level);
		return warn_announce(w, k, 0);
	}
	if (r->reraise && !x->acked && t >= x->printed + r->reraise) {
		x->printed = t;
		return print(w, k, x, "open", "reraised", 0);
	}
	return FT_OK;
}

int
warn_resolve_live(struct ft_warn *w, struct kst *k)
{
	struct warning *x = k->live;
	int64_t at = x->resolve_at;
	int st;

	if ((st = history(w, k, x, at, "resolve", x->acked ? "acked" : "open",
			  "resolved")) ||
	    (st = warn_put_warning(w, k, x, "resolved", at)) ||
	    (st = print(w, k, x, "resolved", "resolved", at)))
		return st;
	warn_live_remove(w, k);
	warn_warning_free(x);
	k->live = NULL;
	warn_touch(w, k);
	w->c.resolved++;
	if (w->rules.r[k->rule].type == FT_WARN_FLATLINE)
		warn_silent_at(w, k); /* judged again from its last report */
	return FT_OK;
}

/*
 * The live warnings are a heap (w->live), the one due first on top, by
 * due_before(): the sweep takes the due ones from the top, in the order
 * they ended, instead of looking at every live warning.  Each warning
 * knows its place in it (hp), and is there by its key hkey, which is at
 * most its due time: a warning due later than its key (most changes: a
 * window that holds again is due NEVER, then later than before once it
 * clears) stays where it is until the sweep reaches its key, and moves
 * then (on the benchmark's first 300,000 events, warn_due_at() moved
 * warnings 288,749 times; now 7,586, and the sweep 6,696).  The one on
 * top whose key is its due time is the one due first.
 */
static int
due_before(const struct hlive *x, const struct hlive *y)
{
	if (x->t != y->t)
		return x->t < y->t;
	if (x->rule != y->rule)
		return x->rule < y->rule;
	return strcmp(x->k->key, y->k->key) < 0;
}

static void
heap_set(struct ft_warn *w, size_t i, struct hlive e)
{
	w->live[i] = e;
	e.k->live->hp = i;
}

/* The warning at i moves up or down to its place. */
static void
heap_fix(struct ft_warn *w, size_t i)
{
	struct hlive e = w->live[i];
	size_t c;

	while (i > 0 && due_before(&e, &w->live[(i - 1) / 2])) {
		heap_set(w, i, w->live[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	for (; (c = 2 * i + 1) < w->nlive; i = c) {
		if (c + 1 < w->nlive &&
		    due_before(&w->live[c + 1], &w->live[c]))
			c++;
		if (!due_before(&w->live[c], &e))
			break;
		heap_set(w, i, w->live[c]);
	}
	heap_set(w, i, e);
	w->next_due = w->nlive ? w->live[0].t : NEVER;
}

/* k's warning is live: into the heap. */
void
warn_live_add(struct ft_warn *w, struct kst *k)
{
	struct hlive e;

	if (w->nlive == w->caplive) {
		w->caplive = w->caplive ? w->caplive * 2 : 64;
		w->live = ft_xrealloc(w->live, w->caplive * sizeof(*w->live));
	}
	k->live->hkey = k->live->resolve_at;
	e.t = k->live->hkey;
	e.k = k;
	e.rule = k->rule;
	heap_set(w, w->nlive++, e);
	heap_fix(w, w->nlive - 1);
}

/* k's warning is no longer live: out of the heap. */
void
warn_live_remove(struct ft_warn *w, struct kst *k)
{
	size_t i = k->live->hp;

	if (i >= w->nlive || w->live[i].k != k)
		return;
	if (i == --w->nlive) {
		w->next_due = w->nlive ? w->live[0].t : NEVER;
		return;
	}
	heap_set(w, i, w->live[w->nlive]);
	heap_fix(w, i);
}

/* x, k's live warning, is due at at (NEVER: not due). */
void
warn_due_at(struct ft_warn *w, struct kst *k, int64_t at)
{
	struct warning *x = k->live;

	if (x->resolve_at == at)
		return;
	x->resolve_at = at;
	/* Due no earlier than its key: it moves when the sweep gets to it. */
	if (at >= x->hkey)
		return;
	x->hkey = at;
	if (x->hp < w->nlive && w->live[x->hp].k == k) {
		w->live[x->hp].t = at;
		heap_fix(w, x->hp);
	}
}

/*
 * The warnings whose quiet period ended at or before t resolve, in the
 * order they ended: a record at or after that time no longer counts
 * for them.
 */
int
warn_sweep(struct ft_warn *w, int64_t t)
{
	int st = FT_OK;

	while (!st && w->nlive && w->live[0].t <= t) {
		struct warning *x = w->live[0].k->live;

		if (x->hkey != x->resolve_at) {
			/* later: down to its place */
			x->hkey = w->live[0].t = x->resolve_at;
			heap_fix(w, 0);
		} else {
			st = warn_resolve_live(w, w->live[0].k);
		}
	}
	return st;
}

/*
 * Moves the clock to t, if t is later, raising what went silent and the
 * drops of the windows that ended, resolving what is due.
 */
int
warn_advance(struct ft_warn *w, int64_t t)
{
	int st = warn_flat_scan(w, t);

	if (!st)
		st = warn_sla_scan(w, t);
	if (!st)
		st = warn_drop_scan(w, t);
	if (!st)
		st = warn_sweep(w, t);

	if (st || (w->clock_set && t <= w->clock))
		return st;
	w->clock = t;
	w->clock_set = 1;
	w->clock_dirty = 1;
	return FT_OK;
}
