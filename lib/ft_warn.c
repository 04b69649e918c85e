/*
 * ft_warn.c - ft-warn's engine: see ft_warn.h and ft-warn(1).
 *
 * Each rule keeps, per key, what its condition needs (struct kst): the
 * matching events in the window, or whether a sensor is out of its
 * limits, and the key's live warning.  A record first moves the clock to
 * its time, resolving the warnings whose quiet period ended before it;
 * then each rule decides on it.  What changed is written into the batch's
 * transaction before it commits (flush), and printed once it has.
 */
#define _GNU_SOURCE /* memmem(3) */
#include "ft_warn.h"
#include "ft_area.h"
#include "ft_buf.h"
#include "ft_cond.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_hist.h"
#include "ft_input.h"
#include "ft_jq.h"
#include "ft_json.h"
#include "ft_kw.h"
#include "ft_reject.h"
#include "ft_run.h"
#include "ft_sha256.h"
#include "ft_store.h"
#include "ft_store_warn.h"
#include "ft_time.h"
#include "ft_warn_rules.h"

#include <jv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 50000
#define KEEP_EVENTS 20 /* the ids a warning lists, at most */
#define NEVER INT64_MAX

struct hit {
	int64_t t;
	char *id;
};

/* A live warning (open or acknowledged). */
struct warning {
	char id[24];
	int level, major, acked;
	int64_t count;
	double value;
	int has_value;
	int64_t first, last, raised;
	int64_t cleared; /* when its condition cleared; 0: it holds */
	int64_t resolve_at; /* NEVER: not due */
	int64_t printed; /* when it was last printed */
	char *ev[KEEP_EVENTS];
	size_t nev;
	char *acked_at, *acked_by, *ack_note; /* from the database */
};

/* A value rule's recent readings (one hour's, when seasonal), oldest first
 * from head, cap at most. */
struct ring {
	int64_t *t;
	double *v;
	int n, head;
};

/* A rule's state for one key. */
struct kst {
	int rule;
	char *key;
	/*
	 * threshold, repeat, keyword: the window, oldest first: w[0..n),
	 * within base[0..cap); what leaves the window at its start moves w
	 * on, and the entries move back to base only when the end is full.
	 */
	struct hit *w, *base;
	size_t n, cap;
	int out; /* value: out of limits */
	int64_t out_since, nout; /* since when, how many readings */
	int64_t last; /* value, flatline: the newest record's time */
	int has_last;
	int64_t *iv; /* flatline "usual": the last intervals, oldest first */
	int niv;
	int64_t silent_at; /* flatline: silent after it; NEVER: not judged */
	struct ring
		*rg; /* value "deviation": nrg rings (1, 24, 168), or NULL */
	int nrg;
	struct warning *live;
	int dirty;
	struct kst *next; /* in its hash bucket */
};

/* A record, read. */
struct rec {
	int reading;
	struct ft_cond_event e;
	const char *id, *address, *unit, *area; /* events */
	const char *sensor, *metric; /* readings */
	double value;
	int64_t t;
};

struct counts {
	long records, events, readings, raised, updated, resolved;
};

struct ft_warn {
	struct ft_warn_opts o;
	struct ft_db *db;
	struct ft_store *store;
	struct ft_store_warn *ws;
	struct ft_area *a;
	struct ft_warn_rules rules;
	struct ft_hist hist;
	struct ft_run run;
	struct ft_reject rej;
	struct ft_cond_text text;
	struct ft_kw_hits hits;
	double *score; /* a keyword rule's score of the record */
	struct kst **tab;
	size_t nb, nkeys;
	struct kst **dirty;
	size_t ndirty, capdirty;
	struct kst **live;
	size_t nlive, caplive;
	int64_t clock;
	int clock_set, clock_dirty;
	int64_t next_due; /* no live warning is due before it */
	struct kst **flat; /* the keys of flatline rules */
	size_t nflat, capflat;
	int64_t next_silent; /* no flatline key is silent before it */
	int failed; /* reading the state again failed: its status */
	unsigned long flushes;
	struct counts c, kept;
	/* the fields of the record being read */
	struct ft_buf f_id, f_cat, f_src, f_title, f_text, f_fac, f_addr,
		f_unit, f_area, f_sev, f_at, f_sensor, f_metric, f_value;
	struct ft_buf key, why, json, detail;
	struct ft_json_doc keydoc; /* a jq key's output */
	double *dvbuf; /* a deviation's baseline, copied to be ordered */
	size_t dvcap;
	double t0;
};

/*
 * How far back from the clock rule r remembers what it counted: records
 * older pass it by, and keys with nothing newer are forgotten (gc()).
 */
static int64_t
horizon(const struct ft_warn_rule *r)
{
	int64_t span = r->type == FT_WARN_SPIKE ?
			       r->window * (r->baseline + 1) :
			       r->window;

	return span + r->quiet + r->hold + 1;
}

/* ---- keys ---- */

static uint64_t
hash(int rule, const char *key)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)rule;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return h;
}

static void
grow(struct ft_warn *w)
{
	size_t nb = w->nb ? w->nb * 2 : 1024, i;
	struct kst **tab = ft_xmalloc(nb * sizeof(struct kst *)), *k, *next;

	memset(tab, 0, nb * sizeof(struct kst *));
	for (i = 0; i < w->nb; i++)
		for (k = w->tab[i]; k; k = next) {
			size_t b = hash(k->rule, k->key) & (nb - 1);

			next = k->next;
			k->next = tab[b];
			tab[b] = k;
		}
	free(w->tab);
	w->tab = tab;
	w->nb = nb;
}

/* The state of rule and key, made when create and none is. */
static struct kst *
kst_get(struct ft_warn *w, int rule, const char *key, int create)
{
	struct kst *k;
	size_t b;

	if (w->nb) {
		b = hash(rule, key) & (w->nb - 1);
		for (k = w->tab[b]; k; k = k->next)
			if (k->rule == rule && !strcmp(k->key, key))
				return k;
	}
	if (!create)
		return NULL;
	if (w->nkeys >= w->nb)
		grow(w);
	k = ft_xmalloc(sizeof(*k));
	memset(k, 0, sizeof(*k));
	k->rule = rule;
	k->key = ft_xstrdup(key);
	b = hash(rule, key) & (w->nb - 1);
	k->next = w->tab[b];
	w->tab[b] = k;
	w->nkeys++;
	return k;
}

static void
touch(struct ft_warn *w, struct kst *k)
{
	if (k->dirty)
		return;
	k->dirty = 1;
	if (w->ndirty == w->capdirty) {
		w->capdirty = w->capdirty ? w->capdirty * 2 : 256;
		w->dirty = ft_xrealloc(w->dirty,
				       w->capdirty * sizeof(struct kst *));
	}
	w->dirty[w->ndirty++] = k;
}

static void
live_add(struct ft_warn *w, struct kst *k)
{
	if (w->nlive == w->caplive) {
		w->caplive = w->caplive ? w->caplive * 2 : 64;
		w->live = ft_xrealloc(w->live,
				      w->caplive * sizeof(struct kst *));
	}
	w->live[w->nlive++] = k;
}

static void
live_remove(struct ft_warn *w, struct kst *k)
{
	size_t i;

	for (i = 0; i < w->nlive; i++)
		if (w->live[i] == k) {
			w->live[i] = w->live[--w->nlive];
			return;
		}
}

static void
warning_free(struct warning *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->nev; i++)
		free(x->ev[i]);
	free(x->acked_at);
	free(x->acked_by);
	free(x->ack_note);
	free(x);
}

static void
rings_free(struct ring *rg, int n)
{
	int i;

	for (i = 0; rg && i <= n; i++) {
		free(rg[i].t);
		free(rg[i].v);
	}
	free(rg);
}

static void
kst_free(struct kst *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->w[i].id);
	free(k->base);
	free(k->iv);
	rings_free(k->rg, k->nrg);
	free(k->key);
	warning_free(k->live);
	free(k);
}

/* ---- output and the history ---- */

static const char *
tstr(int64_t t, char buf[FT_TIME_LEN])
{
	ft_time_format(t, buf);
	return buf;
}

/* The ids of the events behind x, as a JSON array. */
static void
events_json(struct ft_buf *b, const struct warning *x)
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
	ft_json_put_str(b, "rule", r->name, strlen(r->name));
	ft_json_put_str(b, "type", ft_warn_type_name(r->type),
			strlen(ft_warn_type_name(r->type)));
	ft_json_put_str(b, "key", k->key, strlen(k->key));
	ft_json_put_str(b, "level", ft_warn_levels[x->level],
			strlen(ft_warn_levels[x->level]));
	ft_json_put_raw(b, "major", x->major ? "true" : "false",
			x->major ? 4 : 5);
	ft_json_put_str(b, "status", status, strlen(status));
	ft_json_put_str(b, "change", change, strlen(change));
	ft_json_put_number(b, "count", (double)x->count);
	if (x->has_value)
		ft_json_put_number(b, "value", x->value);
	ft_json_put_str(b, "first_at", tstr(x->first, t), FT_TIME_LEN - 1);
	ft_json_put_str(b, "last_at", tstr(x->last, t), FT_TIME_LEN - 1);
	ft_json_put_str(b, "raised_at", tstr(x->raised, t), FT_TIME_LEN - 1);
	if (x->acked_at)
		ft_json_put_str(b, "acked_at", x->acked_at,
				strlen(x->acked_at));
	if (resolved_at) {
		ft_json_put_str(b, "resolved_at", tstr(resolved_at, t),
				FT_TIME_LEN - 1);
		ft_json_put_number(b, "duration",
				   (double)(resolved_at - x->raised));
	}
	if (x->nev) {
		ft_json_put_key(b, "events");
		events_json(b, x);
	}
	ft_buf_adds(b, "}\n");
}

static int
print(struct ft_warn *w, const struct kst *k, const struct warning *x,
      const char *status, const char *change, int64_t resolved_at)
{
	if (w->o.no_output)
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
	ft_json_escape(&w->detail, r->name, strlen(r->name));
	ft_json_put_str(&w->detail, "key", k->key, strlen(k->key));
	ft_json_put_str(&w->detail, "level", ft_warn_levels[x->level],
			strlen(ft_warn_levels[x->level]));
	ft_json_put_number(&w->detail, "count", (double)x->count);
	ft_buf_addc(&w->detail, '}');
	memset(&e, 0, sizeof(e));
	e.kind = "warning";
	e.id = x->id;
	e.idlen = strlen(x->id);
	e.at = tstr(at, t);
	e.action = action;
	e.from = from;
	e.to = to;
	e.detail = w->detail.s;
	e.detaillen = w->detail.len;
	return ft_hist_add(&w->hist, &e);
}

/* ---- storing ---- */

/* Stores k's warning x with status (resolved: at resolved_at). */
static int
put_warning(struct ft_warn *w, const struct kst *k, const struct warning *x,
	    const char *status, int64_t resolved_at)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	struct ft_store_warning s;
	char first[FT_TIME_LEN], last[FT_TIME_LEN], raised[FT_TIME_LEN],
		res[FT_TIME_LEN], value[40];
	size_t evlen;

	memset(&s, 0, sizeof(s));
	s.warning = x->id;
	s.rule = r->name;
	s.type = ft_warn_type_name(r->type);
	s.key = k->key;
	s.level = ft_warn_levels[x->level];
	s.status = status;
	s.major = x->major;
	s.count = x->count;
	if (x->has_value) {
		snprintf(value, sizeof(value), "%.17g", x->value);
		s.value = value;
	}
	s.first_at = tstr(x->first, first);
	s.last_at = tstr(x->last, last);
	s.raised_at = tstr(x->raised, raised);
	s.acked_at = x->acked_at;
	s.acked_by = x->acked_by;
	s.ack_note = x->ack_note;
	if (resolved_at) {
		s.resolved_at = tstr(resolved_at, res);
		s.resolution = "cleared";
	}
	ft_buf_reset(&w->json);
	events_json(&w->json, x);
	evlen = w->json.len;
	ft_buf_addf(&w->json,
		    "%c{\"cleared\":%lld,\"resolve_at\":%lld,"
		    "\"printed\":%lld}",
		    0, (long long)x->cleared,
		    /* 0: not due (NEVER is no number JSON keeps exact) */
		    (long long)(x->resolve_at == NEVER ? 0 : x->resolve_at),
		    (long long)x->printed);
	s.events = w->json.s;
	s.state = w->json.s + evlen + 1;
	return ft_store_warn_put(w->ws, &s);
}

/*
 * A value rule's baseline: "dv": [[t, v], ...], each ring oldest first;
 * "dh": the deviations of the last readings judged, likewise.
 */
static void
rings_put(struct ft_buf *b, const struct ft_warn_rule *r, const struct kst *k)
{
	const char *sep = "";
	int i, j;

	ft_buf_adds(b, ",\"dv\":[");
	for (i = 0; i <= k->nrg; i++) {
		int cap = i < k->nrg ? r->nbase : r->record;

		if (i == k->nrg) {
			ft_buf_adds(b, "],\"dh\":[");
			sep = "";
		}
		for (j = 0; j < k->rg[i].n; j++) {
			int at = (k->rg[i].head + j) % cap;

			ft_buf_addf(b, "%s[%lld,%.17g]", sep,
				    (long long)k->rg[i].t[at], k->rg[i].v[at]);
			sep = ",";
		}
	}
	ft_buf_addc(b, ']');
}

/* Writes the state of k for the next run. */
static int
put_window(struct ft_warn *w, const struct kst *k)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	size_t i;

	if (!k->n && !k->out && !k->has_last)
		return ft_store_warn_window_put(w->ws, r->name, k->key, NULL);
	ft_buf_reset(&w->json);
	ft_buf_adds(&w->json, "{\"w\":[");
	for (i = 0; i < k->n; i++) {
		ft_buf_addf(&w->json, "%s[%lld,", i ? "," : "",
			    (long long)k->w[i].t);
		ft_json_escape(&w->json, k->w[i].id, strlen(k->w[i].id));
		ft_buf_addc(&w->json, ']');
	}
	ft_buf_addf(&w->json, "],\"out\":%d,\"since\":%lld,\"n\":%lld", k->out,
		    (long long)k->out_since, (long long)k->nout);
	if (k->has_last)
		ft_buf_addf(&w->json, ",\"last\":%lld", (long long)k->last);
	if (k->niv) {
		int j;

		ft_buf_adds(&w->json, ",\"iv\":[");
		for (j = 0; j < k->niv; j++)
			ft_buf_addf(&w->json, "%s%lld", j ? "," : "",
				    (long long)k->iv[j]);
		ft_buf_addc(&w->json, ']');
	}
	if (k->rg)
		rings_put(&w->json, r, k);
	ft_buf_addc(&w->json, '}');
	return ft_store_warn_window_put(w->ws, r->name, k->key, w->json.s);
}

/*
 * Forgets the keys with nothing the rules remember: no live warning, no
 * reading out of limits, no value rule's series, and the newest record
 * counted older than the rule's horizon; their rows go too.  Run every
 * GC_EVERY batches, so that a stream of ever new keys (an id each) holds
 * only the recent ones.
 */
#define GC_EVERY 1
static int
gc(struct ft_warn *w)
{
	struct kst **p, *k;
	size_t i;
	int st = FT_OK;

	if (!w->clock_set || ++w->flushes % GC_EVERY)
		return FT_OK;
	for (i = 0; i < w->nb && !st; i++)
		for (p = &w->tab[i]; (k = *p) && !st;) {
			const struct ft_warn_rule *r = &w->rules.r[k->rule];

			if (k->live || k->out || k->has_last || k->dirty ||
			    (k->n &&
			     k->w[k->n - 1].t >= w->clock - horizon(r))) {
				p = &k->next;
				continue;
			}
			st = ft_store_warn_window_put(w->ws, r->name, k->key,
						      NULL);
			*p = k->next;
			kst_free(k);
			w->nkeys--;
		}
	return st;
}

/* ft_run's flush: what changed in memory, into the batch. */
static int
flush(void *ctx)
{
	struct ft_warn *w = ctx;
	size_t i;
	int st = FT_OK;

	for (i = 0; i < w->ndirty && !st; i++) {
		struct kst *k = w->dirty[i];

		k->dirty = 0;
		st = put_window(w, k);
		if (!st && k->live)
			st = put_warning(w, k, k->live,
					 k->live->acked ? "acked" : "open", 0);
	}
	w->ndirty = 0;
	if (!st && w->clock_dirty)
		st = ft_store_warn_clock_set(w->ws, w->clock);
	w->clock_dirty = 0;
	return st ? st : gc(w);
}

static void
keep_counts(void *ctx)
{
	struct ft_warn *w = ctx;

	w->kept = w->c;
}

static int reload(struct ft_warn *w);

/*
 * The batch did not commit: the database is as it was, and so must be
 * what the engine holds, read from it again; a failure to read it stops
 * the run at the next record.
 */
static void
drop_counts(void *ctx)
{
	struct ft_warn *w = ctx;

	w->c = w->kept;
	if (!w->failed)
		w->failed = reload(w);
}

/* ---- warnings ---- */

static void
add_event(struct warning *x, const char *id)
{
	if (id && x->nev < KEEP_EVENTS)
		x->ev[x->nev++] = ft_xstrdup(id);
}

static int
is_major(const struct ft_warn_rule *r, int level)
{
	return level >= r->major;
}

/* Raises a warning of k at level, at time t. */
static int
raise_warning(struct ft_warn *w, struct kst *k, int level, int64_t first,
	      int64_t t)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	struct warning *x = ft_xmalloc(sizeof(*x));
	struct ft_sha256 h;
	unsigned char d[32];
	char n[32];

	memset(x, 0, sizeof(*x));
	x->level = level;
	x->major = is_major(r, level);
	x->first = first;
	x->last = t;
	x->raised = t;
	x->printed = t;
	x->resolve_at = NEVER;
	/* Its id: the same rule, key and time give the same id. */
	ft_sha256_init(&h);
	ft_sha256_add(&h, r->name, strlen(r->name) + 1);
	ft_sha256_add(&h, k->key, strlen(k->key) + 1);
	snprintf(n, sizeof(n), "%lld", (long long)t);
	ft_sha256_add(&h, n, strlen(n));
	ft_sha256_done(&h, d);
	x->id[0] = 'w';
	ft_hex(x->id + 1, d, 8);
	k->live = x;
	live_add(w, k);
	touch(w, k);
	w->c.raised++;
	return FT_OK;
}

/* The warning of k was raised or rose: printed, in the history. */
static int
announce(struct ft_warn *w, struct kst *k, int raised)
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
static int
update_warning(struct ft_warn *w, struct kst *k, int level, int64_t t,
	       const char *id)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	struct warning *x = k->live;

	x->count++;
	if (t > x->last)
		x->last = t;
	add_event(x, id);
	touch(w, k);
	w->c.updated++;
	if (level > x->level) {
		x->level = level;
		x->major = is_major(r, level);
		return announce(w, k, 0);
	}
	if (r->reraise && !x->acked && t >= x->printed + r->reraise) {
		x->printed = t;
		return print(w, k, x, "open", "reraised", 0);
	}
	return FT_OK;
}

static void silent_at(struct ft_warn *w, struct kst *k);

static int
resolve_live(struct ft_warn *w, struct kst *k)
{
	struct warning *x = k->live;
	int64_t at = x->resolve_at;
	int st;

	if ((st = history(w, k, x, at, "resolve", x->acked ? "acked" : "open",
			  "resolved")) ||
	    (st = put_warning(w, k, x, "resolved", at)) ||
	    (st = print(w, k, x, "resolved", "resolved", at)))
		return st;
	live_remove(w, k);
	warning_free(x);
	k->live = NULL;
	touch(w, k);
	w->c.resolved++;
	if (w->rules.r[k->rule].type == FT_WARN_FLATLINE)
		silent_at(w, k); /* judged again from its last report */
	return FT_OK;
}

static int
by_due(const void *a, const void *b)
{
	const struct kst *x = *(struct kst *const *)a,
			 *y = *(struct kst *const *)b;
	int64_t p = x->live->resolve_at, q = y->live->resolve_at;

	if (p != q)
		return p < q ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* x is due at at: the sweep looks from then on. */
static void
due_at(struct ft_warn *w, struct warning *x, int64_t at)
{
	x->resolve_at = at;
	if (at < w->next_due)
		w->next_due = at;
}

/*
 * The warnings whose quiet period ended at or before t resolve, in the
 * order they ended: a record at or after that time no longer counts
 * for them.
 */
static int
sweep(struct ft_warn *w, int64_t t)
{
	struct kst **due = NULL;
	size_t n = 0, i;
	int st = FT_OK;

	if (t < w->next_due)
		return FT_OK;
	w->next_due = NEVER;
	for (i = 0; i < w->nlive; i++)
		if (w->live[i]->live->resolve_at <= t)
			n++;
	if (n) {
		due = ft_xmalloc(n * sizeof(struct kst *));
		n = 0;
		for (i = 0; i < w->nlive; i++)
			if (w->live[i]->live->resolve_at <= t)
				due[n++] = w->live[i];
		qsort(due, n, sizeof(struct kst *), by_due);
		for (i = 0; i < n && !st; i++)
			st = resolve_live(w, due[i]);
		free(due);
	}
	for (i = 0; i < w->nlive; i++)
		if (w->live[i]->live->resolve_at < w->next_due)
			w->next_due = w->live[i]->live->resolve_at;
	return st;
}

static int flat_scan(struct ft_warn *w, int64_t t);

/* Moves the clock to t, if t is later, resolving what is due. */
static int
advance(struct ft_warn *w, int64_t t)
{
	int st = flat_scan(w, t);

	if (!st)
		st = sweep(w, t);

	if (st || (w->clock_set && t <= w->clock))
		return st;
	w->clock = t;
	w->clock_set = 1;
	w->clock_dirty = 1;
	return FT_OK;
}

/* ---- the rules ---- */

/*
 * The key a jq program gives: its first output, a string as it reads, any
 * other value as its JSON text; none (the record is not counted by the
 * rule) when it gives no output, null or false, or fails.
 */
static int
key_jq(struct ft_warn *w, const struct ft_warn_rule *r, const struct rec *q)
{
	struct ft_json_doc *d = &w->keydoc;
	const char *err;

	if (q->reading ||
	    ft_jq_start(r->keyjq, q->e.json, q->e.jsonlen, &err) ||
	    ft_jq_next(r->keyjq, d, &err) != 1 || d->type == 'n' ||
	    d->type == 'f')
		return 0;
	if (d->type == '"')
		ft_json_unescape(d->text.s, d->text.len, &w->key);
	else
		ft_buf_add(&w->key, d->text.s, d->text.len);
	return w->key.len > 0;
}

/* The key of record q for rule r, into w->key; 0 when q has none. */
static int
key_of(struct ft_warn *w, const struct ft_warn_rule *r, const struct rec *q)
{
	const char *v = NULL;

	ft_buf_reset(&w->key);
	switch (r->key) {
	case FT_KEY_AREA:
		v = q->area;
		break;
	case FT_KEY_FACILITY:
		v = q->e.facility;
		break;
	case FT_KEY_CATEGORY:
		v = q->e.category;
		break;
	case FT_KEY_SOURCE:
		v = q->e.source;
		break;
	case FT_KEY_ADDRESS:
		v = q->address;
		break;
	case FT_KEY_UNIT:
		v = q->unit;
		break;
	case FT_KEY_ID:
		v = q->id;
		break;
	case FT_KEY_SENSOR:
		if (!q->sensor)
			return 0;
		ft_buf_adds(&w->key, q->sensor);
		if (q->metric) {
			ft_buf_addc(&w->key, ':');
			ft_buf_adds(&w->key, q->metric);
		}
		return 1;
	case FT_KEY_ALL:
		v = "*";
		break;
	case FT_KEY_JQ:
		return key_jq(w, r, q);
	}
	if (!v)
		return 0;
	ft_buf_adds(&w->key, v);
	return 1;
}

/*
 * Adds the event (t, id) to k's window, in time order; 0 when it is there
 * already.  An event sent again has its time again: only the entries of
 * that time are compared.
 */
static int
window_add(struct kst *k, int64_t t, const char *id)
{
	size_t j, i;

	for (j = k->n; j > 0 && k->w[j - 1].t > t; j--)
		;
	for (i = j; i > 0 && k->w[i - 1].t == t; i--)
		if (!strcmp(k->w[i - 1].id, id))
			return 0;
	if ((size_t)(k->w - k->base) + k->n == k->cap) {
		if (k->w != k->base && k->n < k->cap / 2) {
			memmove(k->base, k->w, k->n * sizeof(*k->w));
		} else {
			size_t off = (size_t)(k->w - k->base);

			k->cap = k->cap ? k->cap * 2 : 8;
			k->base = ft_xrealloc(k->base,
					      k->cap * sizeof(*k->base));
			memmove(k->base, k->base + off, k->n * sizeof(*k->w));
		}
		k->w = k->base;
	}
	memmove(k->w + j + 1, k->w + j, (k->n - j) * sizeof(*k->w));
	k->w[j].t = t;
	k->w[j].id = ft_xstrdup(id);
	k->n++;
	return 1;
}

/* Drops what is no longer in the window ending at k's newest event. */
static void
window_prune(struct kst *k, int64_t window)
{
	int64_t end = k->n ? k->w[k->n - 1].t : 0;
	size_t i = 0;

	while (i < k->n && k->w[i].t <= end - window)
		free(k->w[i++].id);
	k->w += i;
	k->n -= i;
}

/* threshold, repeat: at least count events of the key in the window. */
static int
on_window(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k = kst_get(w, ri, w->key.s, 1);
	size_t need = (size_t)r->at[r->level], i;
	int level, st;

	/* Older than the key's window: it no longer counts. */
	if (k->n && q->t <= k->w[k->n - 1].t - r->window)
		return FT_OK;
	if (!window_add(k, q->t, q->id))
		return FT_OK;
	window_prune(k, r->window);
	touch(w, k);
	level = ft_warn_level_of(r, (double)k->n);
	if (k->live) {
		if (level >= 0) {
			st = update_warning(w, k, level, q->t, q->id);
			/* Clears once fewer than count are in the window. */
			k->live->cleared = k->w[k->n - need].t + r->window;
			due_at(w, k->live, k->live->cleared + r->quiet);
			return st;
		}
		return FT_OK;
	}
	if (level < 0)
		return FT_OK;
	/* Raised at the end of the window (an event may come late). */
	if ((st = raise_warning(w, k, level, k->w[0].t, k->w[k->n - 1].t)))
		return st;
	k->live->count = (int64_t)k->n;
	for (i = k->n > KEEP_EVENTS ? k->n - KEEP_EVENTS : 0; i < k->n; i++)
		add_event(k->live, k->w[i].id);
	k->live->cleared = k->w[k->n - need].t + r->window;
	due_at(w, k->live, k->live->cleared + r->quiet);
	return announce(w, k, 1);
}

/* How long a keyword rule remembers the items it counted. */
static int64_t
span(const struct ft_warn_rule *r)
{
	return r->quiet > 0 ? r->quiet : 1;
}

/* keyword: the weights of the terms in the text, summed. */
static int
on_keyword(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k;
	double score = w->score[ri];
	int level, st;

	if ((level = ft_warn_level_of(r, score)) < 0)
		return FT_OK;
	k = kst_get(w, ri, w->key.s, 1);
	/* The items of the quiet period, so that one sent again counts
	 * once (a threshold rule's window does the same). */
	if (k->n && q->t <= k->w[k->n - 1].t - span(r))
		return FT_OK;
	if (!window_add(k, q->t, q->id))
		return FT_OK;
	window_prune(k, span(r));
	touch(w, k);
	if (k->live) {
		if (!(st = update_warning(w, k, level, q->t, q->id))) {
			if (q->t > k->live->cleared)
				k->live->cleared = q->t;
			due_at(w, k->live, k->live->cleared + r->quiet);
		}
		return st;
	}
	if ((st = raise_warning(w, k, level, q->t, q->t)))
		return st;
	k->live->count = 1;
	k->live->value = score;
	k->live->has_value = 1;
	add_event(k->live, q->id);
	k->live->cleared = q->t;
	due_at(w, k->live, q->t + r->quiet);
	return announce(w, k, 1);
}

/* ---- value: deviation from the baseline ---- */

/* The ring of k that a reading at t goes to: its local hour when seasonal. */
static struct ring *
ring_of(const struct ft_warn_rule *r, struct kst *k, int64_t t)
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
static void
ring_push(struct ring *g, int cap, int64_t t, double v)
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
 * The robust deviation of the reading q from k's baseline, into *m,
 * signed by the rule's direction (more is further out); 0 when the
 * baseline has too few readings to judge.
 */
static int
deviation(struct ft_warn *w, const struct ft_warn_rule *r, struct kst *k,
	  const struct rec *q, double *m)
{
	const struct ring *g = ring_of(r, k, q->t);
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
 * value: a reading out of its limits, or as far from its baseline as the
 * rule's deviation, for long enough.
 */
static int
on_value(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k = kst_get(w, ri, w->key.s, 1);
	double lim = r->at[r->level], v = q->value;
	int level, back, st;
	struct warning *x;

	/* A reading at or before the newest of its key, come late or sent
	 * again, changes nothing: a series moves forward. */
	if (k->has_last && q->t <= k->last)
		return FT_OK;
	k->last = q->t;
	k->has_last = 1;
	touch(w, k);
	if (r->dev) {
		int judged = deviation(w, r, k, q, &v), i;
		struct ring *h;

		/* The reading joins the baseline after it is judged. */
		ring_push(ring_of(r, k, q->t), r->nbase, q->t, q->value);
		if (!judged)
			return FT_OK;
		level = ft_warn_level_of(r, v);
		if (r->record) {
			/* A run starts only further out than the last
			 * record readings judged went. */
			h = &k->rg[k->nrg];
			for (i = 0; i < h->n && level >= 0 && !k->out; i++)
				if (v <= h->v[i])
					level = -1;
			ring_push(h, r->record, q->t, v);
		}
	} else {
		level = ft_warn_level_of(r, v);
	}
	back = r->below ? v >= lim + r->hysteresis : v <= lim - r->hysteresis;

	if (level >= 0) {
		if (!k->out) {
			k->out = 1;
			k->out_since = q->t;
			k->nout = 0;
		}
		k->nout++;
		touch(w, k);
		if ((x = k->live)) {
			if (r->below ? v < x->value : v > x->value)
				x->value = v;
			x->cleared = 0;
			x->resolve_at = NEVER;
			return update_warning(w, k, level, q->t, NULL);
		}
		if (q->t - k->out_since < r->hold)
			return FT_OK;
		if ((st = raise_warning(w, k, level, k->out_since, q->t)))
			return st;
		k->live->count = k->nout;
		k->live->value = v;
		k->live->has_value = 1;
		return announce(w, k, 1);
	}
	if (!back)
		return FT_OK; /* within the hysteresis: as it was */
	if (k->out) {
		k->out = 0;
		k->out_since = k->nout = 0;
		touch(w, k);
	}
	if ((x = k->live) && !x->cleared) {
		x->cleared = q->t;
		due_at(w, x, q->t + r->quiet);
		touch(w, k);
	}
	return FT_OK;
}

/* ---- spike ---- */

/* The window t is in: its number since the epoch, windows of len s. */
static int64_t
window_of(int64_t t, int64_t len)
{
	return t >= 0 ? t / len : -((-t + len - 1) / len);
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/*
 * spike: the events of the key in the record's window, at least min,
 * against the median of the baseline windows before it (a window
 * without events counts 0, and a median of 0 counts as 1): the ratio
 * is the measure, "factor" its threshold.
 */
static int
on_spike(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k = kst_get(w, ri, w->key.s, 1);
	int64_t len = r->window, b = window_of(q->t, len), c;
	long counts[1000], now = 0;
	double med, ratio;
	size_t i, j;
	int level, st, nb = r->baseline, mid;

	if (k->n && q->t <= k->w[k->n - 1].t - len * (nb + 1))
		return FT_OK;
	if (!window_add(k, q->t, q->id))
		return FT_OK;
	window_prune(k, len * (nb + 1));
	touch(w, k);
	memset(counts, 0, (size_t)nb * sizeof(*counts));
	for (i = 0; i < k->n; i++) {
		c = window_of(k->w[i].t, len);
		if (c == b)
			now++;
		else if (c < b && c >= b - nb)
			counts[b - c - 1]++;
	}
	qsort(counts, (size_t)nb, sizeof(*counts), cmp_long);
	mid = nb / 2;
	med = nb % 2 ? (double)counts[mid] :
		       ((double)counts[mid - 1] + (double)counts[mid]) / 2;
	ratio = (double)now / (med > 1 ? med : 1);
	if (now < r->min_count || (level = ft_warn_level_of(r, ratio)) < 0)
		return FT_OK;
	if (k->live) {
		if (ratio > k->live->value)
			k->live->value = ratio;
		if ((st = update_warning(w, k, level, q->t, q->id)))
			return st;
	} else {
		if ((st = raise_warning(w, k, level, q->t, q->t)))
			return st;
		k->live->count = now;
		k->live->value = ratio;
		k->live->has_value = 1;
		for (i = 0, j = 0; i < k->n; i++)
			if (window_of(k->w[i].t, len) == b) {
				if (!j++)
					k->live->first = k->w[i].t;
				add_event(k->live, k->w[i].id);
			}
		if ((st = announce(w, k, 1)))
			return st;
	}
	/* Over with its window. */
	k->live->cleared = (b + 1) * len;
	due_at(w, k->live, k->live->cleared + r->quiet);
	return FT_OK;
}

/* ---- flatline ---- */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* When k's key counts as silent, from its last report. */
static void
silent_at(struct ft_warn *w, struct kst *k)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	int64_t s[1000];
	double med;
	int n = k->niv;

	k->silent_at = NEVER;
	if (!k->has_last || k->live)
		return;
	if (r->gap) {
		k->silent_at = k->last + r->gap;
	} else if (n >= r->reports) {
		int mid = n / 2;

		memcpy(s, k->iv, (size_t)n * sizeof(*s));
		qsort(s, (size_t)n, sizeof(*s), cmp_i64);
		med = n % 2 ? (double)s[mid] :
			      ((double)s[mid - 1] + (double)s[mid]) / 2;
		k->silent_at = k->last + (int64_t)ceil(r->usual * med);
	}
	if (k->silent_at < w->next_silent)
		w->next_silent = k->silent_at;
}

static void
flat_add(struct ft_warn *w, struct kst *k)
{
	if (w->nflat == w->capflat) {
		w->capflat = w->capflat ? w->capflat * 2 : 64;
		w->flat = ft_xrealloc(w->flat,
				      w->capflat * sizeof(struct kst *));
	}
	w->flat[w->nflat++] = k;
}

static int
by_silence(const void *a, const void *b)
{
	const struct kst *x = *(struct kst *const *)a,
			 *y = *(struct kst *const *)b;

	if (x->silent_at != y->silent_at)
		return x->silent_at < y->silent_at ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return strcmp(x->key, y->key);
}

/*
 * The keys silent before t: a warning each, raised at the time the
 * silence began to count, in that order.  A report exactly at that time
 * was on time.
 */
static int
flat_scan(struct ft_warn *w, int64_t t)
{
	struct kst **due;
	size_t i, n = 0;
	int st = FT_OK;

	if (t <= w->next_silent)
		return FT_OK;
	due = ft_xmalloc((w->nflat + 1) * sizeof(struct kst *));
	for (i = 0; i < w->nflat; i++)
		if (!w->flat[i]->live && w->flat[i]->silent_at < t)
			due[n++] = w->flat[i];
	qsort(due, n, sizeof(struct kst *), by_silence);
	for (i = 0; i < n && !st; i++) {
		struct kst *k = due[i];
		const struct ft_warn_rule *r = &w->rules.r[k->rule];

		if ((st = raise_warning(w, k, r->level, k->last, k->silent_at)))
			break;
		k->live->count = 1;
		k->live->value = (double)(k->silent_at - k->last);
		k->live->has_value = 1;
		k->silent_at = NEVER;
		st = announce(w, k, 1);
	}
	free(due);
	w->next_silent = NEVER;
	for (i = 0; i < w->nflat; i++)
		if (!w->flat[i]->live && w->flat[i]->silent_at < w->next_silent)
			w->next_silent = w->flat[i]->silent_at;
	return st;
}

/* flatline: a report of the key; a silent key is back. */
static int
on_flatline(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k = kst_get(w, ri, w->key.s, 1);

	/* A series moves forward: a report at or before the last one, sent
	 * again or come late, changes nothing. */
	if (k->has_last && q->t <= k->last)
		return FT_OK;
	if (!k->has_last && !k->live)
		flat_add(w, k);
	if (k->live) {
		/* Back after the silence: that interval is not a usual one. */
		k->live->last = q->t;
		k->live->cleared = q->t;
		due_at(w, k->live, q->t + r->quiet);
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
	touch(w, k);
	silent_at(w, k);
	return FT_OK;
}

static int
evaluate(struct ft_warn *w, const struct rec *q)
{
	char buf[256];
	size_t i;
	int st, halted;

	if ((st = advance(w, q->t)))
		return st;
	if (!q->reading && w->rules.need_text)
		ft_cond_text_set(&w->text, &q->e);
	if (!q->reading && w->rules.kw) {
		/* Every keyword rule's terms, in one pass over the text. */
		memset(w->score, 0, w->rules.n * sizeof(*w->score));
		ft_kw_scan(w->rules.kw, &w->hits, w->text.hay.s,
			   w->text.hay.len);
		for (i = 0; i < w->hits.n; i++)
			w->score[w->rules.kw_rule[w->hits.ids[i]]] +=
				w->rules.kw_weight[w->hits.ids[i]];
	}
	for (i = 0; i < w->rules.n; i++) {
		const struct ft_warn_rule *r = &w->rules.r[i];

		if ((r->type == FT_WARN_VALUE || (r->type == FT_WARN_FLATLINE &&
						  r->readings)) != q->reading)
			continue;
		if (q->reading ?
			    (r->sensors.n &&
			     !ft_strs_has(&r->sensors, q->sensor)) ||
				    (r->metrics.n &&
				     !ft_strs_has(&r->metrics, q->metric)) :
			    ft_cond_test(&r->when, w->a, &w->text, &q->e, buf,
					 sizeof(buf), &halted) != NULL)
			continue;
		/* Older than all the rule remembers: it would count anew. */
		if (w->clock_set && q->t < w->clock - horizon(r))
			continue;
		if (!key_of(w, r, q))
			continue;
		switch (r->type) {
		case FT_WARN_THRESHOLD:
		case FT_WARN_REPEAT:
			st = on_window(w, (int)i, q);
			break;
		case FT_WARN_KEYWORD:
			st = on_keyword(w, (int)i, q);
			break;
		case FT_WARN_VALUE:
			st = on_value(w, (int)i, q);
			break;
		case FT_WARN_FLATLINE:
			st = on_flatline(w, (int)i, q);
			break;
		case FT_WARN_SPIKE:
			st = on_spike(w, (int)i, q);
			break;
		}
		if (st)
			return st;
	}
	return sweep(w, w->clock);
}

/* ---- records ---- */

static const char *
text_of(const struct ft_json_doc *d, const char *key, struct ft_buf *b,
	int *bad)
{
	int r = ft_json_member_text(d, key, b);

	if (r < 0)
		*bad = 1;
	return r == 1 ? b->s : NULL;
}

/* Reads record d into q.  Returns NULL, or why it is rejected. */
static const char *
parse(struct ft_warn *w, const struct ft_json_doc *d, struct rec *q)
{
	const char *err, *at;
	char *end;
	int bad = 0;

	memset(q, 0, sizeof(*q));
	q->e.area = -1;
	if (d->type != '{')
		return "not a JSON object";
	q->sensor = text_of(d, "sensor", &w->f_sensor, &bad);
	if (bad)
		return "field \"sensor\": not a string";
	if (q->sensor) {
		q->reading = 1;
		q->metric = text_of(d, "metric", &w->f_metric, &bad);
		if (bad)
			return "field \"metric\": not a string";
		if (!text_of(d, "value", &w->f_value, &bad) || bad)
			return "field \"value\": missing, or not a number";
		q->value = strtod(w->f_value.s, &end);
		if (*end || end == w->f_value.s || !isfinite(q->value))
			return "field \"value\": not a number";
		if (!(at = text_of(d, "at", &w->f_at, &bad)) || bad)
			return "field \"at\": missing";
	} else {
		q->id = text_of(d, "id", &w->f_id, &bad);
		if (!q->id || bad)
			return "field \"id\": missing (an event has an id; a "
			       "reading, a sensor)";
		q->e.category = text_of(d, "category", &w->f_cat, &bad);
		q->e.source = text_of(d, "source", &w->f_src, &bad);
		q->e.title = text_of(d, "title", &w->f_title, &bad);
		q->e.text = text_of(d, "text", &w->f_text, &bad);
		q->e.facility = text_of(d, "facility", &w->f_fac, &bad);
		q->address = text_of(d, "address", &w->f_addr, &bad);
		q->unit = text_of(d, "unit", &w->f_unit, &bad);
		q->area = text_of(d, "area", &w->f_area, &bad);
		if (bad)
			return "a field of the event (category, source, title,"
			       " text, facility, address, unit, area) is not "
			       "a string";
		if (text_of(d, "severity", &w->f_sev, &bad)) {
			q->e.severity = atoi(w->f_sev.s);
			if (q->e.severity < 1 || q->e.severity > 4)
				q->e.severity = 0;
		}
		if (q->area && w->a)
			q->e.area = ft_area_find(w->a, q->area,
						 strlen(q->area));
		if (!(at = text_of(d, "reported_at", &w->f_at, &bad)) || bad)
			return "field \"reported_at\": missing";
		q->e.json = d->text.s;
		q->e.jsonlen = d->text.len;
	}
	if (ft_time_parse(w->f_at.s, w->f_at.len, &q->t, &err)) {
		ft_buf_reset(&w->why);
		ft_buf_addf(&w->why, "field \"%s\": %s",
			    q->reading ? "at" : "reported_at", err);
		return w->why.s;
	}
	q->e.reported = q->t;
	return NULL;
}

static int
each(void *ctx, const struct ft_item *it)
{
	struct ft_warn *w = ctx;
	const char *why;
	struct rec q;
	int st;

	if (w->failed)
		return w->failed;
	w->c.records++;
	if (!(why = it->err) && !(why = parse(w, it->doc, &q))) {
		if ((st = ft_run_enter(&w->run)))
			return st;
		if (q.reading)
			w->c.readings++;
		else
			w->c.events++;
		return evaluate(w, &q);
	}
	ft_reject_add(&w->rej, w->run.fname, it->line, why, it->raw, it->rawlen,
		      it->doc ? it->doc->text.s : NULL,
		      it->doc ? it->doc->text.len : 0);
	return FT_OK;
}

/* ---- the state of the last run ---- */

static int64_t
num_member(jv o, const char *name)
{
	jv x = jv_object_get(jv_copy(o), jv_string(name));
	int64_t v = jv_get_kind(x) == JV_KIND_NUMBER ?
			    (int64_t)jv_number_value(x) :
			    0;

	jv_free(x);
	return v;
}

/* What rings_put() wrote, back into k's rings. */
static void
rings_load(const struct ft_warn_rule *r, struct kst *k, jv s)
{
	static const char *const names[] = { "dv", "dh" };
	int h;

	for (h = 0; h < 2; h++) {
		jv a = jv_object_get(jv_copy(s), jv_string(names[h]));
		int n = jv_get_kind(a) == JV_KIND_ARRAY ?
				jv_array_length(jv_copy(a)) :
				0,
		    i;

		for (i = 0; i < n && (!h || r->record); i++) {
			jv p = jv_array_get(jv_copy(a), i);
			jv t = jv_array_get(jv_copy(p), 0),
			   v = jv_array_get(p, 1);

			if (jv_get_kind(t) == JV_KIND_NUMBER &&
			    jv_get_kind(v) == JV_KIND_NUMBER) {
				int64_t at = (int64_t)jv_number_value(t);
				struct ring *g = ring_of(r, k, at);

				if (h)
					ring_push(&k->rg[k->nrg], r->record, at,
						  jv_number_value(v));
				else
					ring_push(g, r->nbase, at,
						  jv_number_value(v));
			}
			jv_free(t);
			jv_free(v);
		}
		jv_free(a);
	}
}

static int
load_window(void *ctx, const char *rule, const char *key, const char *state)
{
	struct ft_warn *w = ctx;
	int ri = ft_warn_rule_find(&w->rules, rule), i, n;
	struct kst *k;
	jv s, a, x;

	if (ri < 0 || !state)
		return FT_OK; /* a rule no longer in the file */
	k = kst_get(w, ri, key, 1);
	s = jv_parse(state);
	if (jv_get_kind(s) != JV_KIND_OBJECT) {
		jv_free(s);
		ft_error("%s: warn_windows: rule %s, key %s: the state is not "
			 "JSON",
			 w->db->path, ft_q(rule), ft_q(key));
		return FT_DATAERR;
	}
	a = jv_object_get(jv_copy(s), jv_string("w"));
	n = jv_get_kind(a) == JV_KIND_ARRAY ? jv_array_length(jv_copy(a)) : 0;
	for (i = 0; i < n; i++) {
		jv p = jv_array_get(jv_copy(a), i);
		jv t = jv_array_get(jv_copy(p), 0), id = jv_array_get(p, 1);

		if (jv_get_kind(t) == JV_KIND_NUMBER &&
		    jv_get_kind(id) == JV_KIND_STRING)
			window_add(k, (int64_t)jv_number_value(t),
				   jv_string_value(id));
		jv_free(t);
		jv_free(id);
	}
	jv_free(a);
	x = jv_object_get(jv_copy(s), jv_string("out"));
	k->out = jv_get_kind(x) == JV_KIND_NUMBER && jv_number_value(x) != 0;
	jv_free(x);
	k->out_since = num_member(s, "since");
	k->nout = num_member(s, "n");
	x = jv_object_get(jv_copy(s), jv_string("last"));
	if ((k->has_last = jv_get_kind(x) == JV_KIND_NUMBER))
		k->last = (int64_t)jv_number_value(x);
	jv_free(x);
	if (w->rules.r[ri].dev)
		rings_load(&w->rules.r[ri], k, s);
	if (w->rules.r[ri].type == FT_WARN_FLATLINE) {
		const struct ft_warn_rule *r = &w->rules.r[ri];

		x = jv_object_get(jv_copy(s), jv_string("iv"));
		n = jv_get_kind(x) == JV_KIND_ARRAY ?
			    jv_array_length(jv_copy(x)) :
			    0;
		if (n > r->reports)
			n = r->reports;
		if (n && r->usual) {
			k->iv = ft_xmalloc((size_t)r->reports * sizeof(*k->iv));
			for (i = 0; i < n; i++) {
				jv e = jv_array_get(jv_copy(x), i);

				k->iv[k->niv++] =
					jv_get_kind(e) == JV_KIND_NUMBER ?
						(int64_t)jv_number_value(e) :
						0;
				jv_free(e);
			}
		}
		jv_free(x);
		if (k->has_last)
			flat_add(w, k);
	}
	jv_free(s);
	return FT_OK;
}

static char *
dup_or_null(const char *s)
{
	return s ? ft_xstrdup(s) : NULL;
}

static int
load_warning(void *ctx, const struct ft_store_warning *s)
{
	struct ft_warn *w = ctx;
	int ri = ft_warn_rule_find(&w->rules, s->rule), i, n;
	const char *err;
	struct warning *x;
	struct kst *k;
	jv st, ev;

	if (ri < 0)
		return FT_OK; /* its rule is not in this file */
	k = kst_get(w, ri, s->key, 1);
	x = ft_xmalloc(sizeof(*x));
	memset(x, 0, sizeof(*x));
	snprintf(x->id, sizeof(x->id), "%s", s->warning);
	x->level = ft_warn_level_find(s->level);
	if (x->level < 0)
		x->level = 0;
	x->major = s->major;
	x->acked = !strcmp(s->status, "acked");
	x->count = s->count;
	if (s->value) {
		x->value = strtod(s->value, NULL);
		x->has_value = 1;
	}
	if (ft_time_parse(s->first_at, strlen(s->first_at), &x->first, &err) ||
	    ft_time_parse(s->last_at, strlen(s->last_at), &x->last, &err) ||
	    ft_time_parse(s->raised_at, strlen(s->raised_at), &x->raised,
			  &err)) {
		free(x);
		ft_error("%s: warning %s: a time that is not one", w->db->path,
			 ft_q(s->warning));
		return FT_DATAERR;
	}
	x->acked_at = dup_or_null(s->acked_at);
	x->acked_by = dup_or_null(s->acked_by);
	x->ack_note = dup_or_null(s->ack_note);
	st = jv_parse(s->state ? s->state : "{}");
	x->cleared = num_member(st, "cleared");
	x->resolve_at = num_member(st, "resolve_at");
	if (!x->resolve_at)
		x->resolve_at = NEVER;
	x->printed = num_member(st, "printed");
	jv_free(st);
	ev = jv_parse(s->events ? s->events : "[]");
	n = jv_get_kind(ev) == JV_KIND_ARRAY ? jv_array_length(jv_copy(ev)) : 0;
	for (i = 0; i < n; i++) {
		jv e = jv_array_get(jv_copy(ev), i);

		if (jv_get_kind(e) == JV_KIND_STRING)
			add_event(x, jv_string_value(e));
		jv_free(e);
	}
	jv_free(ev);
	warning_free(k->live);
	k->live = x;
	live_add(w, k);
	if (x->resolve_at < w->next_due)
		w->next_due = x->resolve_at;
	return FT_OK;
}

/* ---- the run ---- */

/* What the last run left: the clock, the windows, the live warnings. */
static int
load_state(struct ft_warn *w)
{
	struct ft_store_warn_filter f = {
		"live", NULL, NULL, -1, NULL, NULL, 0
	};
	int st, found;

	if ((st = ft_store_warn_clock(w->ws, &w->clock, &found)))
		return st;
	w->clock_set = found;
	w->clock_dirty = 0;
	w->next_due = NEVER;
	w->next_silent = NEVER;
	if ((st = ft_store_warn_windows_each(w->ws, load_window, w)) ||
	    (st = ft_store_warn_each(w->ws, &f, load_warning, w)))
		return st;
	for (size_t i = 0; i < w->nflat; i++)
		silent_at(w, w->flat[i]);
	return FT_OK;
}

/* Forgets every key's state. */
static void
forget(struct ft_warn *w)
{
	struct kst *k, *next;
	size_t i;

	for (i = 0; i < w->nb; i++)
		for (k = w->tab[i]; k; k = next) {
			next = k->next;
			kst_free(k);
		}
	free(w->tab);
	w->tab = NULL;
	w->nb = w->nkeys = 0;
	w->ndirty = w->nlive = w->nflat = 0;
	w->next_silent = NEVER;
}

static int
reload(struct ft_warn *w)
{
	forget(w);
	return load_state(w);
}

/* fn on each of w's buffers. */
static void
each_buf(struct ft_warn *w, void (*fn)(struct ft_buf *))
{
	struct ft_buf *const all[] = { &w->f_id,     &w->f_cat,	  &w->f_src,
				       &w->f_title,  &w->f_text,  &w->f_fac,
				       &w->f_addr,   &w->f_unit,  &w->f_area,
				       &w->f_sev,    &w->f_at,	  &w->f_sensor,
				       &w->f_metric, &w->f_value, &w->key,
				       &w->why,	     &w->json,	  &w->detail };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(struct ft_buf *); i++)
		fn(all[i]);
}

int
ft_warn_new(struct ft_warn **wp, struct ft_db *db, const struct ft_warn_opts *o)
{
	struct ft_warn *w = ft_xmalloc(sizeof(*w));
	struct timespec ts;
	int st;

	memset(w, 0, sizeof(*w));
	*wp = w;
	w->o = *o;
	w->next_due = NEVER;
	w->next_silent = NEVER;
	w->db = db;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	w->t0 = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	each_buf(w, ft_buf_init);
	ft_cond_text_init(&w->text);
	ft_kw_hits_init(&w->hits);
	ft_json_doc_init(&w->keydoc);
	ft_run_init(&w->run, db, BATCH, o->dry_run, o->no_output);
	w->run.ctx = w;
	w->run.keep = keep_counts;
	w->run.drop = drop_counts;
	w->run.flush = flush;
	if ((st = ft_store_open(&w->store, db)) ||
	    (st = ft_area_load(&w->a, w->store)) ||
	    (st = ft_warn_rules_load(&w->rules, o->rules, w->a)) ||
	    (st = ft_reject_open(&w->rej, o->rejects)) ||
	    (st = ft_hist_init(&w->hist, db, "ft-warn")) ||
	    (st = ft_store_warn_open(&w->ws, db)) ||
	    (st = ft_store_warn_cache(w->ws, 32768)))
		return st;
	w->score = ft_xmalloc(w->rules.n * sizeof(*w->score));
	return o->fresh ? FT_OK : load_state(w);
}

/* A page of the back-test. */
struct page {
	struct ft_warn *w;
	struct ft_json_doc doc;
	struct ft_buf at;
	int64_t seq;
	long n;
	int st;
};

static int
stored_one(void *ctx, const struct ft_event_record *r)
{
	struct page *p = ctx;
	struct ft_item it;
	const char *why;
	size_t pos;

	memset(&it, 0, sizeof(it));
	p->n++;
	p->seq = r->seq;
	ft_buf_reset(&p->at);
	ft_buf_adds(&p->at, r->reported_at);
	it.line = (long)r->seq;
	it.raw = r->record;
	it.rawlen = r->reclen;
	if (ft_json_parse(&p->doc, r->record, r->reclen, &why, &pos))
		it.err = why ? why : "not JSON";
	else
		it.doc = &p->doc;
	return each(p->w, &it);
}

#define PAGE 5000

int
ft_warn_stored(struct ft_warn *w, const char *since, const char *until)
{
	struct page p;
	const char *why;
	int64_t end;
	int st;

	memset(&p, 0, sizeof(p));
	p.w = w;
	ft_json_doc_init(&p.doc);
	ft_buf_init(&p.at);
	ft_buf_adds(&p.at, "");
	w->run.fname = "the database";
	do {
		p.n = 0;
		if ((st = ft_run_begin_page(&w->run)) ||
		    (st = ft_store_events_each(w->store, since, until, p.at.s,
					       p.seq, PAGE, stored_one, &p))) {
			ft_run_drop(&w->run);
			break;
		}
		if ((st = ft_run_end(&w->run)))
			break;
	} while (p.n == PAGE);
	/*
	 * The period is over: the clock moves to its end, so that what
	 * cleared within it resolves (a cron job's back-test of the last
	 * hours resolves what went quiet).
	 */
	if (!st && !ft_time_parse(until, strlen(until), &end, &why)) {
		if (!(st = ft_run_begin_page(&w->run)) &&
		    !(st = advance(w, end)))
			st = ft_run_end(&w->run);
		else
			ft_run_drop(&w->run);
	}
	ft_json_doc_release(&p.doc);
	ft_buf_release(&p.at);
	return st;
}

int
ft_warn_file(struct ft_warn *w, const char *path)
{
	return ft_run_file(&w->run, path, each);
}

int
ft_warn_finish(struct ft_warn *w)
{
	struct timespec ts;
	int st = ft_run_finish(&w->run);

	st = ft_exit_worst(st, ft_reject_close(&w->rej));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!w->o.quiet)
		ft_warn("%ld record%s (%ld events, %ld readings): %ld "
			"raised, %ld resolved, %ld rejected%s (%.2f s)",
			w->c.records, w->c.records == 1 ? "" : "s", w->c.events,
			w->c.readings, w->c.raised, w->c.resolved, w->rej.n,
			w->o.dry_run ? "; dry run: nothing stored" : "",
			(double)ts.tv_sec + ts.tv_nsec / 1e9 - w->t0);
	if (!st && w->rej.n)
		st = FT_REJECTED;
	return st;
}

void
ft_warn_free(struct ft_warn *w)
{
	if (!w)
		return;
	forget(w);
	free(w->flat);
	free(w->dirty);
	free(w->live);
	ft_warn_rules_free(&w->rules);
	ft_store_warn_close(w->ws);
	ft_hist_release(&w->hist);
	ft_reject_close(&w->rej);
	ft_run_release(&w->run);
	ft_area_free(w->a);
	ft_store_close(w->store);
	ft_cond_text_release(&w->text);
	ft_kw_hits_release(&w->hits);
	ft_json_doc_release(&w->keydoc);
	free(w->score);
	free(w->dvbuf);
	each_buf(w, ft_buf_release);
	free(w);
}

int
ft_warn_check_rules(const char *path)
{
	struct ft_warn_rules rs;
	int st = ft_warn_rules_load(&rs, path, NULL);

	ft_warn_rules_free(&rs);
	return st;
}
