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
#include "ft_store_rd.h"
#include "ft_store_warn.h"
#include "ft_time.h"
#include "ft_warn_esc.h"
#include "ft_warn_rules.h"

#include <jv.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 50000
/*
 * A batch writes the state of each key it touched, once: while the keys
 * stay the same ones, it holds at least KEY_RECORDS records a key kept,
 * so that a sensor network (every sensor's key of every rule touched by
 * each round of readings) writes at most a row every KEY_RECORDS records,
 * not several a record.
 */
#define KEY_RECORDS 4
#define KEEP_EVENTS 20 /* the ids a warning lists, at most */
#define NEVER INT64_MAX

struct hit {
	int64_t t;
	char *id; /* id_dup()'s: the rules that count an event share it */
};

/* An id several windows hold: freed when the last lets it go. */
struct idstr {
	uint32_t refs;
	char s[];
};

/* spike, drop: the events of a key in window b (win_of()). */
struct wcount {
	int64_t b, n;
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
/* Which member of a key's union its rule uses. */
enum kst_kind {
	KST_WINDOW,
	KST_SERIES,
	KST_SLA,
	KST_COUNTS
};

struct kst {
	int rule;
	unsigned char dirty;
	unsigned char stored; /* it has a row in warn_windows (or may have) */
	enum kst_kind kind;
	uint32_t h; /* hash(rule, key), low bits: most keys differ in it */
	/*
	 * threshold, repeat, keyword, sla (cases waiting), spike, drop:
	 * the window, oldest first: w[0..n), within base[0..cap); what
	 * leaves the window at its start moves w on, and the entries move
	 * back to base only when the end is full.
	 */
	struct hit *w, *base;
	size_t n, cap;
	struct warning *live;
	struct kst *next; /* in its hash bucket */
	/* What one type of rule keeps besides (kind says which). */
	union {
		struct { /* KST_SERIES: value, flatline */
			int out; /* value: out of limits */
			int has_last;
			int niv;
			int64_t out_since, nout; /* since when, how many */
			int64_t last; /* the newest record's time */
			/* flatline "usual": the last intervals, oldest first */
			int64_t *iv;
			/* flatline: silent after it; NEVER: not judged */
			int64_t silent_at;
			/* value "deviation": nrg rings (1, 24, 168), or NULL */
			struct ring *rg;
			int nrg;
		};
		struct { /* KST_SLA: the cases that ended, (deadline, id) */
			struct hit *done;
			size_t ndone, capdone;
		};
		/*
		 * KST_COUNTS: spike, drop: the counts of the windows the
		 * baseline reaches, oldest first, windows without events
		 * left out; w[] holds the events of the newest window only
		 * (an event sent again counts once, and a warning lists
		 * them).
		 */
		struct {
			struct wcount *wc;
			size_t nwc, capwc;
		};
	};
	char key[]; /* the key itself */
};

/*
 * A case an sla rule waits on (see "sla" below): also in its key's window,
 * as (due, id), which is what is stored between runs.
 */
struct sla_case {
	int rule;
	char *id;
	struct kst *k; /* the key it counts under */
	int64_t due; /* the deadline */
	int ended; /* it no longer waits: kept, in k->done, for SLA_KEEP */
	struct sla_case *next; /* in its hash bucket */
};

/*
 * How long after its deadline a case that ended is remembered, so that its
 * dispatch read again (an input sent twice, back-tests that overlap) does
 * not count it again; a dispatch whose deadline is older than that, back
 * from the clock, passes the rule by.
 */
#define SLA_KEEP (7 * 86400)

/* A status change still to come, in a back-test. */
struct sla_change {
	int64_t t, seq;
	char *id, *status, *unit;
};

/* What the sla rules keep. */
struct sla {
	int rules; /* the rules file has some */
	struct sla_case **tab; /* by rule and id */
	size_t nb, n;
	/*
	 * Each sla rule's cases by deadline (then id), byrule[rule]: the
	 * order they reach each level in.
	 */
	struct sla_list {
		struct sla_case **v;
		size_t n, cap;
	} * byrule;
	int64_t next; /* no case reaches a level's time before it */
	struct ft_buf status, respond, resolve; /* the record's fields */
	/* back-test: the changes to come, by time, chg[head..nchg) */
	struct sla_change *chg;
	size_t head, nchg, capchg;
	int64_t seq, since, until;
	int dispatched; /* the event's dispatch was found */
	struct ft_buf rec, unit, rby, sby, cid;
	struct ft_json_doc doc;
};

/* A record, read. */
struct rec {
	int reading;
	/*
	 * A status change as ft-update prints it (id, at, status; no
	 * reported_at): read by sla rules only.
	 */
	int change;
	const char *status;
	int64_t respond_by, resolve_by; /* 0: none */
	struct ft_cond_event e;
	const char *id, *address, *unit, *area; /* events */
	const char *sensor, *metric; /* readings */
	double value;
	int64_t t;
};

/*
 * The categories (or sources) the rules' conditions name, up to 63: bit i
 * of a rule's mask[] says it takes val[i]; a record whose value has no bit
 * of the mask fails the rule's condition, which is not tested.  A rule
 * that names none, or one past the 63rd, has all bits, and every record
 * has bit ANY (on: 0: no rule names one).
 */
#define ANY (1ULL << 63)
struct sieve {
	const char *val[63];
	uint64_t vh[63]; /* str_hash(val[i]) */
	int n, on;
	uint64_t *mask;
};

struct counts {
	long records, events, readings, raised, updated, resolved;
	long muted; /* records not printed: silenced */
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
	struct sla sla;
	int drops; /* some rule is a drop rule */
	int failed; /* reading the state again failed: its status */
	unsigned long flushes;
	struct counts c, kept;
	/* the fields of the record being read */
	struct ft_buf f_id, f_cat, f_src, f_title, f_text, f_fac, f_addr,
		f_unit, f_area, f_sev, f_at, f_sensor, f_metric, f_value;
	struct ft_buf key, why, json, detail;
	/*
	 * The key of the rule being decided (key_of()): kp, its string
	 * hash kh; and each kind of key's hash of the record, computed
	 * once for all the rules (bit FT_KEY_x of khave: kh_of[x] is).
	 */
	const char *kp;
	uint64_t kh, kh_of[FT_KEY_JQ + 1];
	unsigned khave;
	char *qid; /* the record's id, id_dup()'s once it is kept */
	struct sieve sieve[2]; /* category, source: see sieve_rules() */
	struct ft_json_doc keydoc; /* a jq key's output */
	double *dvbuf; /* a deviation's baseline, copied to be ordered */
	size_t dvcap;
	double t0;
	struct ft_warn_sils sils; /* read at the start: muted() */
};

/*
 * How far back from the clock rule r remembers what it counted: records
 * older pass it by, and keys with nothing newer are forgotten (gc()).
 */
static int64_t win_keep(const struct ft_warn_rule *r);
static int64_t win_start(const struct ft_warn_rule *r, int64_t b);

static int64_t
horizon(const struct ft_warn_rule *r)
{
	int64_t span = r->type == FT_WARN_SPIKE || r->type == FT_WARN_DROP ?
			       r->window * (win_keep(r) + 1) :
			       r->window;

	/* A case waits for its deadline however old its report. */
	if (r->type == FT_WARN_SLA)
		return NEVER / 4;
	/* Windows in local time: a day more for the zone's offset. */
	if (r->weeks)
		span += 86400;
	return span + r->quiet + r->hold + 1;
}

/* ---- ids ---- */

static char *
id_dup(const char *id)
{
	size_t len = strlen(id) + 1;
	struct idstr *x = ft_xmalloc(sizeof(*x) + len);

	x->refs = 1;
	memcpy(x->s, id, len);
	return x->s;
}

static struct idstr *
id_box(char *id)
{
	return (struct idstr *)(void *)(id - offsetof(struct idstr, s));
}

static char *
id_ref(char *id)
{
	id_box(id)->refs++;
	return id;
}

static void
id_free(char *id)
{
	struct idstr *x;

	if (id && !--(x = id_box(id))->refs)
		free(x);
}

/* ---- keys ---- */

static uint64_t
str_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return h;
}

/* Key hash h (str_hash()) for rule: the keys of the rules apart. */
static uint64_t
hash_of(int rule, uint64_t h)
{
	h ^= (uint64_t)(unsigned)rule * 0x9E3779B97F4A7C15ULL;
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 29;
	return h;
}

static uint64_t
hash(int rule, const char *key)
{
	return hash_of(rule, str_hash(key));
}

static void
grow(struct ft_warn *w)
{
	size_t nb = w->nb ? w->nb * 2 : 1024, i;
	struct kst **tab = ft_xmalloc(nb * sizeof(struct kst *)), *k, *next;

	memset(tab, 0, nb * sizeof(struct kst *));
	for (i = 0; i < w->nb; i++)
		for (k = w->tab[i]; k; k = next) {
			size_t b = k->h & (nb - 1);

			next = k->next;
			k->next = tab[b];
			tab[b] = k;
		}
	free(w->tab);
	w->tab = tab;
	w->nb = nb;
}

/*
 * The state of rule and key, whose str_hash() is kh, made when create and
 * none is.
 */
static struct kst *
kst_find(struct ft_warn *w, int rule, const char *key, uint64_t kh, int create)
{
	struct kst *k;
	uint64_t h = hash_of(rule, kh);
	size_t b, len;

	if (w->nb) {
		b = h & (w->nb - 1);
		for (k = w->tab[b]; k; k = k->next)
			if (k->h == (uint32_t)h && k->rule == rule &&
			    !strcmp(k->key, key))
				return k;
	}
	if (!create)
		return NULL;
	if (w->nkeys >= w->nb)
		grow(w);
	len = strlen(key) + 1;
	k = ft_xmalloc(sizeof(*k) + len);
	memset(k, 0, sizeof(*k));
	k->rule = rule;
	k->h = (uint32_t)h;
	/* A fresh run does not read the rows there may be. */
	k->stored = (unsigned char)w->o.fresh;
	switch (w->rules.r[rule].type) {
	case FT_WARN_VALUE:
	case FT_WARN_FLATLINE:
		k->kind = KST_SERIES;
		break;
	case FT_WARN_SLA:
		k->kind = KST_SLA;
		break;
	case FT_WARN_SPIKE:
	case FT_WARN_DROP:
		k->kind = KST_COUNTS;
		break;
	default:
		k->kind = KST_WINDOW;
	}
	memcpy(k->key, key, len);
	b = h & (w->nb - 1);
	k->next = w->tab[b];
	w->tab[b] = k;
	w->nkeys++;
	return k;
}

static struct kst *
kst_get(struct ft_warn *w, int rule, const char *key, int create)
{
	return kst_find(w, rule, key, str_hash(key), create);
}

/* The state of rule and the key key_of() found, made when none is. */
static struct kst *
key_get(struct ft_warn *w, int rule)
{
	return kst_find(w, rule, w->kp, w->kh, 1);
}

static void
touch_list(struct ft_warn *w, struct kst *k)
{
	if (w->ndirty == w->capdirty) {
		w->capdirty = w->capdirty ? w->capdirty * 2 : 256;
		w->dirty = ft_xrealloc(w->dirty,
				       w->capdirty * sizeof(struct kst *));
	}
	w->dirty[w->ndirty++] = k;
}

static void
touch(struct ft_warn *w, struct kst *k)
{
	if (k->dirty)
		return;
	k->dirty = 1;
	touch_list(w, k);
}

/*
 * The order of the rows of warn_windows, near enough: each rule's keys
 * together, in order, so that a batch's writes go through the table's
 * pages once, in order, and few need to stay in the cache.
 */
static int
by_row(const void *a, const void *b)
{
	const struct kst *x = *(struct kst *const *)a,
			 *y = *(struct kst *const *)b;

	return x->rule != y->rule ? (x->rule > y->rule) - (x->rule < y->rule) :
				    strcmp(x->key, y->key);
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
		id_free(k->w[i].id);
	free(k->base);
	switch (k->kind) {
	case KST_SERIES:
		free(k->iv);
		rings_free(k->rg, k->nrg);
		break;
	case KST_SLA:
		for (i = 0; i < k->ndone; i++)
			id_free(k->done[i].id);
		free(k->done);
		break;
	case KST_COUNTS:
		free(k->wc);
		break;
	case KST_WINDOW:
		break;
	}
	warning_free(k->live);
	free(k);
}

/* Whether k keeps more than its window: a series, ended cases, counts. */
static int
kst_holds(const struct kst *k)
{
	switch (k->kind) {
	case KST_SERIES:
		return k->out || k->has_last;
	case KST_SLA:
		return k->ndone > 0;
	case KST_COUNTS:
		return k->nwc > 0;
	case KST_WINDOW:
		break;
	}
	return 0;
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
 * "dh": the deviations of the last readings judged (with "likelihood",
 * those below 0 as 0), likewise.
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

/* Adds v in decimal, as %lld would (put_window() is hot: no printf). */
static void
put_ll(struct ft_buf *b, int64_t v)
{
	char d[24], *p = d + sizeof(d);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		*--p = '-';
	ft_buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

/* Deletes k's row, if it has one. */
static int
del_window(struct ft_warn *w, struct kst *k)
{
	if (!k->stored)
		return FT_OK;
	k->stored = 0;
	return ft_store_warn_window_put(w->ws, w->rules.r[k->rule].name, k->key,
					NULL);
}

/* Writes the state of k for the next run. */
static int
put_window(struct ft_warn *w, struct kst *k)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	size_t i;

	if (!k->n && !kst_holds(k))
		return del_window(w, k);
	k->stored = 1;
	ft_buf_reset(&w->json);
	ft_buf_adds(&w->json, "{\"w\":[");
	for (i = 0; i < k->n; i++) {
		ft_buf_adds(&w->json, i ? ",[" : "[");
		put_ll(&w->json, k->w[i].t);
		ft_buf_addc(&w->json, ',');
		ft_json_escape(&w->json, k->w[i].id, strlen(k->w[i].id));
		ft_buf_addc(&w->json, ']');
	}
	ft_buf_addc(&w->json, ']');
	if (k->kind == KST_SERIES) {
		ft_buf_addf(&w->json, ",\"out\":%d,\"since\":%lld,\"n\":%lld",
			    k->out, (long long)k->out_since,
			    (long long)k->nout);
		if (k->has_last)
			ft_buf_addf(&w->json, ",\"last\":%lld",
				    (long long)k->last);
	}
	if (k->kind == KST_SLA && k->ndone) {
		ft_buf_adds(&w->json, ",\"done\":[");
		for (i = 0; i < k->ndone; i++) {
			ft_buf_addf(&w->json, "%s[%lld,", i ? "," : "",
				    (long long)k->done[i].t);
			ft_json_escape(&w->json, k->done[i].id,
				       strlen(k->done[i].id));
			ft_buf_addc(&w->json, ']');
		}
		ft_buf_addc(&w->json, ']');
	}
	if (k->kind == KST_SERIES && k->niv) {
		int j;

		ft_buf_adds(&w->json, ",\"iv\":[");
		for (j = 0; j < k->niv; j++)
			ft_buf_addf(&w->json, "%s%lld", j ? "," : "",
				    (long long)k->iv[j]);
		ft_buf_addc(&w->json, ']');
	}
	if (k->kind == KST_COUNTS) {
		/* The window's length and alignment: counts of other
		 * windows (the rule changed) are not read back. */
		ft_buf_addf(&w->json, ",\"cl\":%lld,\"cz\":%d,\"c\":[",
			    (long long)r->window, r->weeks);
		for (i = 0; i < k->nwc; i++) {
			ft_buf_adds(&w->json, i ? ",[" : "[");
			put_ll(&w->json, k->wc[i].b);
			ft_buf_addc(&w->json, ',');
			put_ll(&w->json, k->wc[i].n);
			ft_buf_addc(&w->json, ']');
		}
		ft_buf_addc(&w->json, ']');
	}
	if (k->kind == KST_SERIES && k->rg)
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

/* Whether gc() forgets k (it keeps what is dirty, whatever this says). */
static int
kst_gone(const struct ft_warn *w, const struct kst *k)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];

	return !(k->live || (k->kind != KST_COUNTS && kst_holds(k)) ||
		 (k->n && k->w[k->n - 1].t >= w->clock - horizon(r)) ||
		 (k->kind == KST_COUNTS && k->nwc &&
		  win_start(r, k->wc[k->nwc - 1].b + 1) >=
			  w->clock - horizon(r)));
}

static int
gc(struct ft_warn *w)
{
	struct kst **p, *k;
	size_t i, n = 0;
	int st = FT_OK;

	if (!w->clock_set || ++w->flushes % GC_EVERY)
		return FT_OK;
	/* Unlinked into the dirty list (empty here), for sorted deletes. */
	for (i = 0; i < w->nb; i++)
		for (p = &w->tab[i]; (k = *p);) {
			if (k->dirty || !kst_gone(w, k)) {
				p = &k->next;
				continue;
			}
			*p = k->next;
			w->nkeys--;
			touch_list(w, k);
		}
	n = w->ndirty;
	w->ndirty = 0;
	if (n)
		qsort(w->dirty, n, sizeof(struct kst *), by_row);
	for (i = 0; i < n; i++) {
		k = w->dirty[i];
		if (!st)
			st = del_window(w, k);
		kst_free(k);
	}
	return st;
}

static void sla_expire(struct ft_warn *w);

/* ft_run's flush: what changed in memory, into the batch. */
static int
flush(void *ctx)
{
	struct ft_warn *w = ctx;
	size_t i, kept, n = 0;
	int st = FT_OK;

	if (w->clock_set)
		sla_expire(w);
	/*
	 * A key that gc() forgets below is not written only for its row to
	 * be deleted (many are: a key seen once, early in the batch).
	 */
	if (w->clock_set && (w->flushes + 1) % GC_EVERY == 0) {
		for (i = 0; i < w->ndirty; i++)
			if (kst_gone(w, w->dirty[i]))
				w->dirty[i]->dirty = 0;
			else
				w->dirty[n++] = w->dirty[i];
		w->ndirty = n;
	}
	if (w->ndirty)
		qsort(w->dirty, w->ndirty, sizeof(struct kst *), by_row);
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
	kept = w->nkeys;
	if (st || (st = gc(w)))
		return st;
	/* Only while the keys stay: ever new keys are freed by gc() at the
	 * end of a batch, and a longer batch would hold them longer. */
	kept -= w->nkeys;
	w->run.limit = w->nkeys > BATCH / KEY_RECORDS && kept < w->nkeys / 8 ?
			       KEY_RECORDS * (long)w->nkeys :
			       BATCH;
	return FT_OK;
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
static int sla_scan(struct ft_warn *w, int64_t t);
static int drop_scan(struct ft_warn *w, int64_t t);

/*
 * Moves the clock to t, if t is later, raising what went silent and the
 * drops of the windows that ended, resolving what is due.
 */
static int
advance(struct ft_warn *w, int64_t t)
{
	int st = flat_scan(w, t);

	if (!st)
		st = sla_scan(w, t);
	if (!st)
		st = drop_scan(w, t);
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

/*
 * The key of record q for rule r, into w->kp and its str_hash() into
 * w->kh; 0 when q has none.  A field's hash is computed once a record.
 */
static int
key_of(struct ft_warn *w, const struct ft_warn_rule *r, const struct rec *q)
{
	const char *v = NULL;

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
		ft_buf_reset(&w->key);
		ft_buf_adds(&w->key, q->sensor);
		if (q->metric) {
			ft_buf_addc(&w->key, ':');
			ft_buf_adds(&w->key, q->metric);
		}
		w->kp = w->key.s;
		w->kh = str_hash(w->kp);
		return 1;
	case FT_KEY_ALL:
		v = "*";
		break;
	case FT_KEY_JQ:
		ft_buf_reset(&w->key);
		if (!key_jq(w, r, q))
			return 0;
		w->kp = w->key.s;
		w->kh = str_hash(w->kp);
		return 1;
	}
	if (!v)
		return 0;
	if (!(w->khave & 1U << r->key)) {
		w->kh_of[r->key] = str_hash(v);
		w->khave |= 1U << r->key;
	}
	w->kp = v;
	w->kh = w->kh_of[r->key];
	return 1;
}

/* Record q's id, shared by the windows that keep it. */
static char *
qid(struct ft_warn *w, const struct rec *q)
{
	if (!w->qid)
		w->qid = id_dup(q->id);
	return w->qid;
}

/*
 * Adds the event (t, id) to k's window, in time order; 0 when it is there
 * already.  An event sent again has its time again: only the entries of
 * that time are compared.  sid: id as id_dup() made it, to share, or NULL.
 */
static int
window_add(struct kst *k, int64_t t, const char *id, char *sid)
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

			k->cap = k->cap ? k->cap * 2 : 1;
			k->base = ft_xrealloc(k->base,
					      k->cap * sizeof(*k->base));
			memmove(k->base, k->base + off, k->n * sizeof(*k->w));
		}
		k->w = k->base;
	}
	memmove(k->w + j + 1, k->w + j, (k->n - j) * sizeof(*k->w));
	k->w[j].t = t;
	k->w[j].id = sid ? id_ref(sid) : id_dup(id);
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
		id_free(k->w[i++].id);
	k->w += i;
	k->n -= i;
	/* A burst gone by: give back most of what it took. */
	if (i && k->cap > 8 && k->n < k->cap / 4) {
		memmove(k->base, k->w, k->n * sizeof(*k->w));
		k->cap /= 2;
		k->base = ft_xrealloc(k->base, k->cap * sizeof(*k->base));
		k->w = k->base;
	}
}

/* threshold, repeat: at least count events of the key in the window. */
static int
on_window(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k = key_get(w, ri);
	size_t need = (size_t)r->at[r->level], i;
	int level, st;

	/* Older than the key's window: it no longer counts. */
	if (k->n && q->t <= k->w[k->n - 1].t - r->window)
		return FT_OK;
	if (!window_add(k, q->t, q->id, qid(w, q)))
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
	k = key_get(w, ri);
	/* The items of the quiet period, so that one sent again counts
	 * once (a threshold rule's window does the same). */
	if (k->n && q->t <= k->w[k->n - 1].t - span(r))
		return FT_OK;
	if (!window_add(k, q->t, q->id, qid(w, q)))
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
 * goes to the next run), not on sums carried along.
 */
#define LIK_FLOOR 0.01
static int
likelihood(const struct ft_warn_rule *r, const struct ring *h, double z,
	   double *m)
{
	int nw = r->likelihood, i, n = 0;
	double sum = 0, mean = 0, m2 = 0, d, s, now;

	if (h->n - nw + 1 < r->lmin)
		return 0;
	for (i = 0; i < h->n; i++) {
		sum += h->v[(h->head + i) % r->record];
		if (i >= nw)
			sum -= h->v[(h->head + i - nw) % r->record];
		if (i < nw - 1)
			continue;
		/* Welford's running mean and sum of squares. */
		n++;
		d = sum / nw - mean;
		mean += d / n;
		m2 += d * (sum / nw - mean);
	}
	now = z;
	for (i = h->n - nw + 1; i < h->n; i++)
		now += h->v[(h->head + i) % r->record];
	now /= nw;
	s = sqrt(m2 / n);
	if (!(s >= LIK_FLOOR))
		s = LIK_FLOOR;
	*m = (now - mean) / s;
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
	struct kst *k = key_get(w, ri);
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
		h = &k->rg[k->nrg];
		if (r->likelihood) {
			double z = v > 0 ? v : 0;

			judged = likelihood(r, h, z, &v);
			ring_push(h, r->record, q->t, z);
			if (!judged)
				return FT_OK;
			level = ft_warn_level_of(r, v);
		} else if (r->record) {
			/* A run starts only further out than the last
			 * record readings judged went. */
			level = ft_warn_level_of(r, v);
			for (i = 0; i < h->n && level >= 0 && !k->out; i++)
				if (v <= h->v[i])
					level = -1;
			ring_push(h, r->record, q->t, v);
		} else {
			level = ft_warn_level_of(r, v);
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
static int64_t
win_of(const struct ft_warn_rule *r, int64_t t)
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
static int64_t
win_start(const struct ft_warn_rule *r, int64_t b)
{
	int64_t c1, c2;

	if (!r->weeks)
		return b * r->window;
	win_times(r, b, &c1, &c2);
	return win_of(r, c1) >= b ? c1 : c2;
}

/*
 * When window b, which t is in, ends: the start of the next, or, when the
 * clocks went back and t is in the window's second time, its second end.
 */
static int64_t
win_end(const struct ft_warn_rule *r, int64_t b, int64_t t)
{
	int64_t e = win_start(r, b + 1), c1, c2;

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
static int64_t
win_keep(const struct ft_warn_rule *r)
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
static void
count_add(struct kst *k, int64_t b, int64_t n)
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
hits_clear(struct kst *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		id_free(k->w[i].id);
	k->w = k->base;
	k->n = 0;
}

/*
 * Counts the event (t, id) into k's window b; 0 when it is not counted:
 * older than any baseline reaches, or sent again in the newest window.
 */
static int
count_event(struct kst *k, const struct ft_warn_rule *r, int64_t t,
	    const char *id, char *sid, int64_t b)
{
	int64_t newest = k->nwc ? k->wc[k->nwc - 1].b : b, hb;

	if (b < newest - win_keep(r))
		return 0;
	hb = k->n ? win_of(r, k->w[0].t) : b - 1;
	if (b > hb)
		hits_clear(k);
	if (b >= hb && !window_add(k, t, id, sid))
		return 0;
	count_add(k, b, 1);
	count_prune(k, (b > newest ? b : newest) - win_keep(r));
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
static int
on_spike(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k = key_get(w, ri);
	int64_t b = win_of(r, q->t), now;
	double med, ratio;
	size_t i, j;
	int level, st;

	if (!count_event(k, r, q->t, q->id, qid(w, q), b))
		return FT_OK;
	touch(w, k);
	now = count_get(k, b);
	med = baseline_of(k, r, b);
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
			if (win_of(r, k->w[i].t) == b) {
				if (!j++)
					k->live->first = k->w[i].t;
				add_event(k->live, k->w[i].id);
			}
		if ((st = announce(w, k, 1)))
			return st;
	}
	/* Over with its window. */
	k->live->cleared = win_end(r, b, q->t);
	due_at(w, k->live, k->live->cleared + r->quiet);
	return FT_OK;
}

/* drop: the event is counted; windows are judged as they end. */
static int
on_drop(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k = key_get(w, ri);

	if (count_event(k, r, q->t, q->id, qid(w, q), win_of(r, q->t)))
		touch(w, k);
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
	int64_t end = win_start(r, b + 1), now;
	double med, fall;
	int level, st;

	/* What resolved before the window ended is over. */
	if (k->live && k->live->resolve_at <= end && (st = resolve_live(w, k)))
		return st;
	med = baseline_of(k, r, b);
	if (med < (double)r->min_count)
		return FT_OK;
	now = count_get(k, b);
	fall = (double)now < med ? (med - (double)now) / med : 0;
	if ((level = ft_warn_level_of(r, fall)) < 0) {
		if (k->live && !k->live->cleared) {
			k->live->cleared = end;
			due_at(w, k->live, end + r->quiet);
			touch(w, k);
		}
		return FT_OK;
	}
	if (k->live) {
		if (fall > k->live->value)
			k->live->value = fall;
		k->live->cleared = 0;
		k->live->resolve_at = NEVER;
		return update_warning(w, k, level, end, NULL);
	}
	if ((st = raise_warning(w, k, level, win_start(r, b), end)))
		return st;
	k->live->count = 1;
	k->live->value = fall;
	k->live->has_value = 1;
	return announce(w, k, 1);
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
static int
drop_scan(struct ft_warn *w, int64_t t)
{
	struct kst **ks, *k;
	size_t i, n = 0;
	int st = FT_OK, any = 0;

	if (!w->drops || !w->clock_set || t <= w->clock)
		return FT_OK;
	for (i = 0; i < w->rules.n && !any; i++)
		any = w->rules.r[i].type == FT_WARN_DROP &&
		      win_of(&w->rules.r[i], w->clock) <
			      win_of(&w->rules.r[i], t);
	if (!any)
		return FT_OK;
	ks = ft_xmalloc((w->nkeys + 1) * sizeof(struct kst *));
	for (i = 0; i < w->nb; i++)
		for (k = w->tab[i]; k; k = k->next) {
			const struct ft_warn_rule *r = &w->rules.r[k->rule];

			if (r->type == FT_WARN_DROP &&
			    drop_matters(k, r, win_of(r, w->clock),
					 win_of(r, t)))
				ks[n++] = k;
		}
	qsort(ks, n, sizeof(struct kst *), drop_order);
	for (i = 0; i < n && !st; i++) {
		const struct ft_warn_rule *r = &w->rules.r[ks[i]->rule];
		int64_t b = win_of(r, w->clock), end = win_of(r, t), last;

		k = ks[i];
		/* After the newest count the baseline reaches, there is
		 * nothing to judge. */
		last = drop_last(k, r, b);
		for (; b < end && b <= last && !st; b++) {
			int64_t e = win_start(r, b + 1);

			/* In local time, a window that ended before the clock
			 * (the clocks went back) was judged then; one the
			 * clocks skipped is not judged. */
			if (e > w->clock && e <= t && e > win_start(r, b))
				st = drop_judge(w, k, b);
		}
	}
	free(ks);
	return st;
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
	struct kst *k = key_get(w, ri);

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

/* ---- sla ---- */

/*
 * A case waits for its deadline (respond_by, or resolve_by) from the record
 * that gives it, as ft-dispatch prints it, until a record of the same id
 * says it no longer waits (ft-update's "accepted", "resolved", ...).  The
 * times a waiting case reaches its rule's levels (the deadline plus at[l])
 * are judged on the clock, as a flatline's silence is: a case waiting at a
 * time the clock has passed reached that level; one that stops waiting at
 * that very time did not.  A time the clock has passed has been judged:
 * so the cases, stored with their keys' windows, are all there is to keep
 * between runs.
 */

/* 1: status s makes a case of rule r wait; 0: stop; -1: neither. */
static int
sla_waits(const struct ft_warn_rule *r, const char *s)
{
	static const char *const stop[] = { "resolved", "closed", "rejected",
					    "duplicate", NULL };
	size_t i;

	if (!s)
		return -1;
	if (!strcmp(s, "dispatched"))
		return 1;
	if (!strcmp(s, "accepted") || !strcmp(s, "reopened"))
		return r->resolve ? 1 : !strcmp(s, "accepted") ? 0 : -1;
	for (i = 0; stop[i]; i++)
		if (!strcmp(s, stop[i]))
			return 0;
	return -1;
}

static void
sla_init(struct ft_warn *w)
{
	struct sla *a = &w->sla;

	a->next = NEVER;
	ft_buf_init(&a->status);
	ft_buf_init(&a->respond);
	ft_buf_init(&a->resolve);
	ft_buf_init(&a->rec);
	ft_buf_init(&a->unit);
	ft_buf_init(&a->rby);
	ft_buf_init(&a->sby);
	ft_buf_init(&a->cid);
	ft_json_doc_init(&a->doc);
}

static void
sla_change_free(struct sla_change *c)
{
	free(c->id);
	free(c->status);
	free(c->unit);
}

/* Forgets every case (their keys' windows go with the keys). */
static void
sla_forget(struct ft_warn *w)
{
	struct sla *a = &w->sla;
	struct sla_case *c, *next;
	size_t i;

	for (i = 0; i < a->nb; i++)
		for (c = a->tab[i]; c; c = next) {
			next = c->next;
			free(c->id);
			free(c);
		}
	free(a->tab);
	a->tab = NULL;
	a->nb = a->n = 0;
	a->next = NEVER;
	if (a->byrule)
		for (i = 0; i < w->rules.n; i++)
			a->byrule[i].n = 0;
}

static void
sla_release(struct ft_warn *w)
{
	struct sla *a = &w->sla;

	sla_forget(w);
	if (a->byrule)
		for (size_t i = 0; i < w->rules.n; i++)
			free(a->byrule[i].v);
	free(a->byrule);
	for (; a->head < a->nchg; a->head++)
		sla_change_free(&a->chg[a->head]);
	free(a->chg);
	ft_buf_release(&a->status);
	ft_buf_release(&a->respond);
	ft_buf_release(&a->resolve);
	ft_buf_release(&a->rec);
	ft_buf_release(&a->unit);
	ft_buf_release(&a->rby);
	ft_buf_release(&a->sby);
	ft_buf_release(&a->cid);
	ft_json_doc_release(&a->doc);
}

/* The case id of rule ri, or NULL. */
static struct sla_case *
sla_find(struct ft_warn *w, int ri, const char *id)
{
	struct sla_case *c;

	if (!w->sla.nb)
		return NULL;
	for (c = w->sla.tab[hash(ri, id) & (w->sla.nb - 1)]; c; c = c->next)
		if (c->rule == ri && !strcmp(c->id, id))
			return c;
	return NULL;
}

/* Where a case due at due with id goes in list l (the first not before). */
static size_t
sla_pos(const struct sla_list *l, int64_t due, const char *id)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sla_case *c = l->v[mid];

		if (c->due < due || (c->due == due && strcmp(c->id, id) < 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * A new case of key k, due at due: waiting (in byrule, not in k's window
 * yet), or ended (in k->done already).
 */
static struct sla_case *
sla_add(struct ft_warn *w, struct kst *k, int64_t due, const char *id,
	int ended)
{
	struct sla *a = &w->sla;
	struct sla_case *c = ft_xmalloc(sizeof(*c)), *x, *next;
	size_t b, i;

	if (a->n >= a->nb) {
		size_t nb = a->nb ? a->nb * 2 : 256;
		struct sla_case **tab = ft_xmalloc(nb *
						   sizeof(struct sla_case *));

		memset(tab, 0, nb * sizeof(struct sla_case *));
		for (i = 0; i < a->nb; i++)
			for (x = a->tab[i]; x; x = next) {
				next = x->next;
				b = hash(x->rule, x->id) & (nb - 1);
				x->next = tab[b];
				tab[b] = x;
			}
		free(a->tab);
		a->tab = tab;
		a->nb = nb;
	}
	c->rule = k->rule;
	c->id = ft_xstrdup(id);
	c->k = k;
	c->due = due;
	c->ended = ended;
	b = hash(c->rule, id) & (a->nb - 1);
	c->next = a->tab[b];
	a->tab[b] = c;
	a->n++;
	if (ended)
		return c;
	if (!a->byrule) {
		a->byrule = ft_xmalloc(w->rules.n * sizeof(*a->byrule));
		memset(a->byrule, 0, w->rules.n * sizeof(*a->byrule));
	}
	{
		struct sla_list *l = &a->byrule[c->rule];
		size_t at = sla_pos(l, due, id);

		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 64;
			l->v = ft_xrealloc(l->v,
					   l->cap * sizeof(struct sla_case *));
		}
		memmove(l->v + at + 1, l->v + at,
			(l->n - at) * sizeof(struct sla_case *));
		l->v[at] = c;
		l->n++;
	}
	return c;
}

/* Keeps (due, id) in k's cases that ended. */
static void
done_add(struct kst *k, int64_t due, const char *id)
{
	if (k->ndone == k->capdone) {
		k->capdone = k->capdone ? k->capdone * 2 : 4;
		k->done = ft_xrealloc(k->done, k->capdone * sizeof(*k->done));
	}
	k->done[k->ndone].t = due;
	k->done[k->ndone++].id = id_dup(id);
}

/*
 * The cases of a key read from the store (its window, and "done" of its
 * state s, borrowed), into the table.
 */
static void
sla_load(struct ft_warn *w, struct kst *k, jv s)
{
	jv a = jv_object_get(jv_copy(s), jv_string("done"));
	int j, n = jv_get_kind(a) == JV_KIND_ARRAY ?
			   jv_array_length(jv_copy(a)) :
			   0;
	size_t i;

	for (j = 0; j < n; j++) {
		jv p = jv_array_get(jv_copy(a), j);
		jv t = jv_array_get(jv_copy(p), 0), id = jv_array_get(p, 1);

		if (jv_get_kind(t) == JV_KIND_NUMBER &&
		    jv_get_kind(id) == JV_KIND_STRING)
			done_add(k, (int64_t)jv_number_value(t),
				 jv_string_value(id));
		jv_free(t);
		jv_free(id);
	}
	jv_free(a);

	for (i = 0; i < k->n; i++)
		if (!sla_find(w, k->rule, k->w[i].id))
			sla_add(w, k, k->w[i].t, k->w[i].id, 0);
	for (i = 0; i < k->ndone; i++)
		if (!sla_find(w, k->rule, k->done[i].id))
			sla_add(w, k, k->done[i].t, k->done[i].id, 1);
}

/* The time case c reaches level l of rule r; NEVER: it never does. */
static int64_t
sla_at(const struct ft_warn_rule *r, const struct sla_case *c, int l)
{
	return r->at[l] == HUGE_VAL ? NEVER : c->due + (int64_t)r->at[l];
}

/* The first time a case reaches a level at or after t. */
static void
sla_next(struct ft_warn *w, int64_t t)
{
	struct sla *a = &w->sla;
	size_t ri;
	int l;

	a->next = NEVER;
	if (!a->byrule)
		return;
	for (ri = 0; ri < w->rules.n; ri++) {
		const struct ft_warn_rule *r = &w->rules.r[ri];
		const struct sla_list *v = &a->byrule[ri];

		for (l = r->level; l < FT_LEVELS && v->n; l++) {
			int64_t late = (int64_t)r->at[l];
			size_t i;

			if (r->at[l] == HUGE_VAL)
				continue;
			/* the first case due at or after t - late */
			i = sla_pos(v, t - late, "");
			if (i < v->n && v->v[i]->due + late < a->next)
				a->next = v->v[i]->due + late;
		}
	}
}

/*
 * Case c reached level l at time t: a warning raised, counting it, or
 * risen to l.
 */
static int
sla_reach(struct ft_warn *w, struct sla_case *c, int l, int64_t t)
{
	const struct ft_warn_rule *r = &w->rules.r[c->rule];
	struct kst *k = c->k;
	struct warning *x;
	int st;

	/* What resolved before it, resolved first. */
	if ((st = sweep(w, t)))
		return st;
	if (!(x = k->live)) {
		/* (at a level above the rule's: one resolved by hand) */
		if ((st = raise_warning(w, k, l, t, t)))
			return st;
		k->live->count = 1;
		add_event(k->live, c->id);
		return announce(w, k, 1);
	}
	if (l == r->level) {
		/* One more case late: the key's warning holds again. */
		x->cleared = 0;
		x->resolve_at = NEVER;
		return update_warning(w, k, l, t, c->id);
	}
	if (l <= x->level)
		return FT_OK;
	x->level = l;
	x->major = is_major(r, l);
	if (t > x->last)
		x->last = t;
	touch(w, k);
	return announce(w, k, 0);
}

struct sla_step {
	int64_t t;
	struct sla_case *c;
	int level;
};

static int
by_step(const void *a, const void *b)
{
	const struct sla_step *x = a, *y = b;
	int d;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->c->rule != y->c->rule)
		return x->c->rule < y->c->rule ? -1 : 1;
	if ((d = strcmp(x->c->k->key, y->c->k->key)))
		return d;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return strcmp(x->c->id, y->c->id);
}

/*
 * The levels cases reached from the clock to before t, in the order of
 * their times: the clock moves to t.
 */
static int
sla_scan(struct ft_warn *w, int64_t t)
{
	struct sla *a = &w->sla;
	struct sla_step *steps = NULL;
	size_t n = 0, cap = 0, i, ri;
	int st = FT_OK, l;

	if (t <= a->next)
		return FT_OK;
	for (ri = 0; a->byrule && ri < w->rules.n; ri++) {
		const struct ft_warn_rule *r = &w->rules.r[ri];
		const struct sla_list *v = &a->byrule[ri];

		for (l = r->level; l < FT_LEVELS && v->n; l++) {
			int64_t late = (int64_t)r->at[l];

			if (r->at[l] == HUGE_VAL)
				continue;
			/* Due from clock - late (the first not judged) to
			 * before t - late. */
			i = w->clock_set ? sla_pos(v, w->clock - late, "") : 0;
			for (; i < v->n && v->v[i]->due + late < t; i++) {
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					steps = ft_xrealloc(
						steps, cap * sizeof(*steps));
				}
				steps[n].t = v->v[i]->due + late;
				steps[n].c = v->v[i];
				steps[n++].level = l;
			}
		}
	}
	if (n)
		qsort(steps, n, sizeof(*steps), by_step);
	for (i = 0; i < n && !st; i++)
		st = sla_reach(w, steps[i].c, steps[i].level, steps[i].t);
	free(steps);
	sla_next(w, t);
	return st;
}

/* Whether a case of key k is late now (its first is the latest). */
static int
sla_late_any(const struct ft_warn *w, const struct kst *k)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];

	return k->n && k->w[0].t + (int64_t)r->at[r->level] < w->clock;
}

/* Drops the entry (t, id) of k's window. */
static void
window_remove(struct kst *k, int64_t t, const char *id)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->w[i].t == t && !strcmp(k->w[i].id, id)) {
			id_free(k->w[i].id);
			memmove(k->w + i, k->w + i + 1,
				(k->n - i - 1) * sizeof(*k->w));
			k->n--;
			return;
		}
}

/* Takes case c out of the table, and frees it. */
static void
sla_unhash(struct ft_warn *w, struct sla_case *c)
{
	struct sla_case **p;

	for (p = &w->sla.tab[hash(c->rule, c->id) & (w->sla.nb - 1)]; *p != c;
	     p = &(*p)->next)
		;
	*p = c->next;
	w->sla.n--;
	free(c->id);
	free(c);
}

/* Forgets case c, which ended. */
static void
sla_drop(struct ft_warn *w, struct sla_case *c)
{
	struct kst *k = c->k;
	size_t i;

	for (i = 0; i < k->ndone; i++)
		if (k->done[i].t == c->due && !strcmp(k->done[i].id, c->id)) {
			id_free(k->done[i].id);
			k->done[i] = k->done[--k->ndone];
			break;
		}
	touch(w, k);
	sla_unhash(w, c);
}

/* Forgets the cases that ended SLA_KEEP before the clock. */
static void
sla_expire(struct ft_warn *w)
{
	struct sla_case *c, *next;
	size_t i;

	for (i = 0; i < w->sla.nb; i++)
		for (c = w->sla.tab[i]; c; c = next) {
			next = c->next;
			if (c->ended && c->due < w->clock - SLA_KEEP)
				sla_drop(w, c);
		}
}

/*
 * Case c no longer waits, from time t: when it was late and was the last
 * late one of its key, the key's warning has cleared.  It is remembered as
 * ended when keep, else forgotten.
 */
static void
sla_stop(struct ft_warn *w, struct sla_case *c, int64_t t, int keep)
{
	const struct ft_warn_rule *r = &w->rules.r[c->rule];
	struct kst *k = c->k;
	struct warning *x = k->live;
	int late = c->due + (int64_t)r->at[r->level] < w->clock;
	struct sla_list *l = &w->sla.byrule[c->rule];
	size_t at = sla_pos(l, c->due, c->id);

	memmove(l->v + at, l->v + at + 1,
		(l->n - at - 1) * sizeof(struct sla_case *));
	l->n--;
	window_remove(k, c->due, c->id);
	touch(w, k);
	if (keep) {
		done_add(k, c->due, c->id);
		c->ended = 1;
	} else {
		sla_unhash(w, c);
	}
	if (!late || !x)
		return;
	if (t > x->last)
		x->last = t;
	if (!x->cleared && !sla_late_any(w, k)) {
		x->cleared = t;
		due_at(w, x, t + r->quiet);
	}
}

/* Case id of key k starts waiting for its deadline due. */
static int
sla_start(struct ft_warn *w, struct kst *k, int64_t due, const char *id)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	struct sla_case *c;
	int l, st = FT_OK;

	window_add(k, due, id, NULL);
	touch(w, k);
	c = sla_add(w, k, due, id, 0);
	/* Its deadline passed already (a late dispatch): judged now. */
	for (l = r->level; l < FT_LEVELS && !st; l++) {
		int64_t at = sla_at(r, c, l);

		if (at < w->clock)
			st = sla_reach(w, c, l, at);
		else if (at < w->sla.next)
			w->sla.next = at;
	}
	return st;
}

/* sla: a record of a case (its dispatch, a change of its status). */
static int
on_sla(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct sla_case *c = sla_find(w, ri, q->id);
	int64_t due = r->resolve ? q->resolve_by : q->respond_by;
	int waits = sla_waits(r, q->status);
	struct kst *k;

	if (!waits && c && !c->ended)
		sla_stop(w, c, q->t, 1);
	/* Waiting from the record that gives the deadline, by its key. */
	if (waits <= 0 || q->change || !due || !key_of(w, r, q) ||
	    due < w->clock - SLA_KEEP)
		return FT_OK;
	k = key_get(w, ri);
	if (c && c->due == due && c->k == k)
		return FT_OK; /* sent again, waiting or ended */
	/* A new deadline: the old one no longer counts, from now. */
	if (c && c->ended)
		sla_drop(w, c);
	else if (c)
		sla_stop(w, c, w->clock, 0);
	return sla_start(w, k, due, q->id);
}

/*
 * A reading: the keys of the rules that read readings are all its
 * sensor's, one a rule.  Their hash buckets, then the first state of
 * each, are fetched together before the rules run, so that the cache
 * misses of 20 rules overlap instead of coming one after the other.
 */
static void
prefetch_keys(struct ft_warn *w, const struct rec *q)
{
	char key[256];
	size_t b[64], i, n = 0;
	int len;

	len = q->metric ? snprintf(key, sizeof(key), "%s:%s", q->sensor,
				   q->metric) :
			  snprintf(key, sizeof(key), "%s", q->sensor);
	if (len < 0 || (size_t)len >= sizeof(key))
		return;
	for (i = 0; i < w->rules.n && n < 64; i++) {
		const struct ft_warn_rule *r = &w->rules.r[i];

		if (r->type == FT_WARN_VALUE ||
		    (r->type == FT_WARN_FLATLINE && r->readings)) {
			b[n] = hash((int)i, key) & (w->nb - 1);
			__builtin_prefetch(&w->tab[b[n]]);
			n++;
		}
	}
	for (i = 0; i < n; i++)
		if (w->tab[b[i]])
			__builtin_prefetch(w->tab[b[i]]);
}

/* The sieves of the rules (struct sieve). */
static void
sieve_rules(struct ft_warn *w)
{
	int f, j;
	size_t i, k;

	for (f = 0; f < 2; f++) {
		struct sieve *sv = &w->sieve[f];

		sv->mask = ft_xmalloc((w->rules.n + 1) * sizeof(uint64_t));
		for (i = 0; i < w->rules.n; i++) {
			const struct ft_strs *c =
				f ? &w->rules.r[i].when.source :
				    &w->rules.r[i].when.category;

			sv->mask[i] = c->n ? 0 : ~0ULL;
			for (k = 0; k < c->n && sv->mask[i] != ~0ULL; k++) {
				for (j = 0; j < sv->n; j++)
					if (!strcmp(sv->val[j], c->s[k]))
						break;
				if (j == sv->n && sv->n == 63) {
					sv->mask[i] = ~0ULL;
					break;
				}
				if (j == sv->n) {
					sv->vh[sv->n] = str_hash(c->s[k]);
					sv->val[sv->n++] = c->s[k];
				}
				sv->mask[i] |= 1ULL << j;
			}
			sv->on |= sv->mask[i] != ~0ULL;
		}
	}
}

/*
 * The bits of the value v in sieve sv; its str_hash() is kept for the keys
 * of kind key (key_of()).
 */
static uint64_t
sieve_of(struct ft_warn *w, const struct sieve *sv, const char *v, int key)
{
	uint64_t m = ANY, h;
	int j;

	if (!sv->on)
		return ~0ULL;
	if (!v)
		return m;
	h = str_hash(v);
	w->kh_of[key] = h;
	w->khave |= 1U << key;
	for (j = 0; j < sv->n; j++)
		if (sv->vh[j] == h && !strcmp(sv->val[j], v))
			m |= 1ULL << j;
	return m;
}

static int
evaluate(struct ft_warn *w, const struct rec *q)
{
	uint64_t cm = ~0ULL, sm = ~0ULL;
	char buf[256];
	size_t i;
	int st, halted;

	if ((st = advance(w, q->t)))
		return st;
	if (q->reading && w->nb)
		prefetch_keys(w, q);
	w->khave = 0;
	if (!q->reading && !q->change) {
		cm = sieve_of(w, &w->sieve[0], q->e.category, FT_KEY_CATEGORY);
		sm = sieve_of(w, &w->sieve[1], q->e.source, FT_KEY_SOURCE);
	}
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
		if (q->change || r->type == FT_WARN_SLA) {
			/* A status change has none of the fields the
			 * conditions read: it follows its case. */
			if (r->type == FT_WARN_SLA &&
			    (q->change ||
			     !ft_cond_test(&r->when, w->a, &w->text, &q->e, buf,
					   sizeof(buf), &halted)) &&
			    (st = on_sla(w, (int)i, q)))
				return st;
			continue;
		}
		/* Its category or source is not the record's. */
		if (!(w->sieve[0].mask[i] & cm) || !(w->sieve[1].mask[i] & sm))
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
		case FT_WARN_SLA:
			break; /* above */
		case FT_WARN_DROP:
			st = on_drop(w, (int)i, q);
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

/*
 * The deadline named name of record d, for sla rules, into *t (0: none).
 * Returns NULL, or why the record is rejected.
 */
static const char *
deadline(struct ft_warn *w, const struct ft_json_doc *d, const char *name,
	 struct ft_buf *b, int64_t *t)
{
	const char *err;
	int bad = 0;

	*t = 0;
	if (!text_of(d, name, b, &bad) && !bad)
		return NULL;
	if (bad || ft_time_parse(b->s, b->len, t, &err)) {
		ft_buf_reset(&w->why);
		ft_buf_addf(&w->why, "field \"%s\": not a time", name);
		return w->why.s;
	}
	return NULL;
}

/* Reads record d into q.  Returns NULL, or why it is rejected. */
static const char *
parse(struct ft_warn *w, const struct ft_json_doc *d, struct rec *q)
{
	const char *err, *at, *why;
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
		if (w->sla.rules) {
			q->status = text_of(d, "status", &w->sla.status, &bad);
			if (bad)
				return "field \"status\": not a string";
			if ((why = deadline(w, d, "respond_by", &w->sla.respond,
					    &q->respond_by)) ||
			    (why = deadline(w, d, "resolve_by", &w->sla.resolve,
					    &q->resolve_by)))
				return why;
		}
		if (text_of(d, "severity", &w->f_sev, &bad)) {
			q->e.severity = atoi(w->f_sev.s);
			if (q->e.severity < 1 || q->e.severity > 4)
				q->e.severity = 0;
		}
		if (q->area && w->a)
			q->e.area = ft_area_find(w->a, q->area,
						 strlen(q->area));
		if (!(at = text_of(d, "reported_at", &w->f_at, &bad)) || bad) {
			/* ft-update's record of a status change */
			if (bad || !q->status ||
			    !(at = text_of(d, "at", &w->f_at, &bad)) || bad)
				return "field \"reported_at\": missing";
			q->change = 1;
		}
		q->e.json = d->text.s;
		q->e.jsonlen = d->text.len;
	}
	if (ft_time_parse(w->f_at.s, w->f_at.len, &q->t, &err)) {
		ft_buf_reset(&w->why);
		ft_buf_addf(&w->why, "field \"%s\": %s",
			    q->reading || q->change ? "at" : "reported_at",
			    err);
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
		st = evaluate(w, &q);
		id_free(w->qid);
		w->qid = NULL;
		return st;
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

/*
 * A spike or drop rule's counts, from state s: "c" when its windows are
 * the rule's; else from the events of "w" (a version before kept every
 * event of the baseline; or the rule's window changed).  The events of
 * the newest window stay.
 */
static void
load_counts(struct kst *k, const struct ft_warn_rule *r, jv s)
{
	jv c = jv_object_get(jv_copy(s), jv_string("c"));
	int i, n;

	if (jv_get_kind(c) == JV_KIND_ARRAY &&
	    num_member(s, "cl") == r->window &&
	    num_member(s, "cz") == r->weeks) {
		n = jv_array_length(jv_copy(c));
		for (i = 0; i < n; i++) {
			jv p = jv_array_get(jv_copy(c), i);
			jv b = jv_array_get(jv_copy(p), 0),
			   m = jv_array_get(p, 1);

			if (jv_get_kind(b) == JV_KIND_NUMBER &&
			    jv_get_kind(m) == JV_KIND_NUMBER)
				count_add(k, (int64_t)jv_number_value(b),
					  (int64_t)jv_number_value(m));
			jv_free(b);
			jv_free(m);
		}
	} else {
		for (i = 0; i < (int)k->n; i++)
			count_add(k, win_of(r, k->w[i].t), 1);
	}
	jv_free(c);
	if (k->n) {
		int64_t hb = win_of(r, k->w[k->n - 1].t);
		size_t j = 0;

		while (j < k->n && win_of(r, k->w[j].t) < hb)
			id_free(k->w[j++].id);
		k->w += j;
		k->n -= j;
	}
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
	k->stored = 1;
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
				   jv_string_value(id), NULL);
		jv_free(t);
		jv_free(id);
	}
	jv_free(a);
	if (k->kind == KST_SERIES) {
		x = jv_object_get(jv_copy(s), jv_string("out"));
		k->out = jv_get_kind(x) == JV_KIND_NUMBER &&
			 jv_number_value(x) != 0;
		jv_free(x);
		k->out_since = num_member(s, "since");
		k->nout = num_member(s, "n");
		x = jv_object_get(jv_copy(s), jv_string("last"));
		if ((k->has_last = jv_get_kind(x) == JV_KIND_NUMBER))
			k->last = (int64_t)jv_number_value(x);
		jv_free(x);
	}
	if (w->rules.r[ri].type == FT_WARN_SPIKE ||
	    w->rules.r[ri].type == FT_WARN_DROP)
		load_counts(k, &w->rules.r[ri], s);
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
	if (w->rules.r[ri].type == FT_WARN_SLA)
		sla_load(w, k, s);
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
	sla_next(w, w->clock);
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
	sla_forget(w);
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
	sla_init(w);
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
	    /*
	     * 4 MiB is enough now that a batch's writes come in the order
	     * of the table (by_row): 32 MiB ran no faster, and the peak RSS
	     * counts it (issue 13: 64 MB with 100,000 keys).
	     */
	    (st = ft_store_warn_cache(w->ws, 4096)))
		return st;
	w->score = ft_xmalloc(w->rules.n * sizeof(*w->score));
	sieve_rules(w);
	/* A dry-run back-test tries the rules as if new: none is muted. */
	if (!o->fresh && (st = ft_warn_sils_load(&w->sils, w->ws)))
		return st;
	for (size_t i = 0; i < w->rules.n; i++)
		w->sla.rules += w->rules.r[i].type == FT_WARN_SLA;
	for (size_t i = 0; i < w->rules.n; i++)
		if (w->rules.r[i].type == FT_WARN_DROP)
			w->drops = 1;
	return o->fresh ? FT_OK : load_state(w);
}

/*
 * The back-test of sla rules reads each stored event as ft-dispatch
 * printed it (the unit and deadlines of its dispatch in the history) and
 * the status changes of the history (as ft-update printed them) at their
 * times, events first at the same time.
 */

static int
sla_keep(struct ft_buf *b, const char *v)
{
	ft_buf_reset(b);
	if (v)
		ft_buf_adds(b, v);
	return v != NULL;
}

/* A step of the case in the history: its dispatch, or a change to come. */
static int
sla_case_step(void *ctx, const struct ft_store_case_step *c)
{
	struct ft_warn *w = ctx;
	struct sla *a = &w->sla;
	struct sla_change x;
	const char *err;
	size_t lo, hi;

	if (c->dispatch) {
		a->dispatched = 1;
		sla_keep(&a->unit, c->unit);
		sla_keep(&a->rby, c->respond_by);
		sla_keep(&a->sby, c->resolve_by);
		return FT_OK;
	}
	if (!c->at || !c->status ||
	    ft_time_parse(c->at, strlen(c->at), &x.t, &err) || x.t < a->since ||
	    x.t >= a->until)
		return FT_OK;
	/* In time order, then in the order read. */
	for (lo = a->head, hi = a->nchg; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->chg[mid].t <= x.t)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Kept already (a case waiting and reported in the period)? */
	for (hi = lo; hi > a->head && a->chg[hi - 1].t == x.t; hi--)
		if (!strcmp(a->chg[hi - 1].id, a->cid.s) &&
		    !strcmp(a->chg[hi - 1].status, c->status))
			return FT_OK;
	x.seq = a->seq++;
	x.id = ft_xstrdup(a->cid.s);
	x.status = ft_xstrdup(c->status);
	x.unit = c->unit ? ft_xstrdup(c->unit) : NULL;
	if (a->nchg == a->capchg) {
		a->capchg = a->capchg ? a->capchg * 2 : 64;
		a->chg = ft_xrealloc(a->chg, a->capchg * sizeof(*a->chg));
	}
	memmove(a->chg + lo + 1, a->chg + lo, (a->nchg - lo) * sizeof(x));
	a->chg[lo] = x;
	a->nchg++;
	return FT_OK;
}

/*
 * The status changes in the period of the cases waiting from the runs
 * before (reported before it, their events are not read again).
 */
static int
sla_waiting(struct ft_warn *w)
{
	struct sla *a = &w->sla;
	struct sla_case *c;
	size_t i;
	int st = FT_OK;

	for (i = 0; i < a->nb && !st; i++)
		for (c = a->tab[i]; c && !st; c = c->next) {
			if (c->ended)
				continue;
			ft_buf_reset(&a->cid);
			ft_buf_adds(&a->cid, c->id);
			st = ft_store_warn_case_each(w->ws, a->cid.s,
						     sla_case_step, w);
		}
	return st;
}

/* The changes to come before time t, read as records. */
static int
sla_drain(struct ft_warn *w, int64_t t)
{
	struct sla *a = &w->sla;
	char at[FT_TIME_LEN];
	int st = FT_OK;

	while (!st && a->head < a->nchg && a->chg[a->head].t < t) {
		struct sla_change *c = &a->chg[a->head++];
		struct ft_item it;
		const char *why;
		size_t pos;

		ft_buf_reset(&a->rec);
		ft_buf_adds(&a->rec, "{\"id\":");
		ft_json_escape(&a->rec, c->id, strlen(c->id));
		ft_json_put_str(&a->rec, "at", tstr(c->t, at), FT_TIME_LEN - 1);
		ft_json_put_str(&a->rec, "status", c->status,
				strlen(c->status));
		if (c->unit)
			ft_json_put_str(&a->rec, "unit", c->unit,
					strlen(c->unit));
		ft_buf_addc(&a->rec, '}');
		sla_change_free(c);
		memset(&it, 0, sizeof(it));
		it.raw = a->rec.s;
		it.rawlen = a->rec.len;
		if (ft_json_parse(&a->doc, a->rec.s, a->rec.len, &why, &pos))
			it.err = why ? why : "not JSON";
		else
			it.doc = &a->doc;
		st = each(w, &it);
	}
	if (a->head == a->nchg)
		a->head = a->nchg = 0;
	return st;
}

/*
 * Stored event r, read into doc: its changes to come kept, those before
 * it read first, and it, when it was dispatched, as ft-dispatch printed it
 * (into it).
 */
static int
sla_stored(struct ft_warn *w, const struct ft_event_record *r,
	   struct ft_json_doc *doc, struct ft_item *it)
{
	struct sla *a = &w->sla;
	const char *why;
	int64_t t;
	size_t pos;
	int st;

	if (ft_json_member_text(doc, "id", &a->cid) != 1 ||
	    ft_time_parse(r->reported_at, strlen(r->reported_at), &t, &why))
		return FT_OK;
	a->dispatched = 0;
	if ((st = ft_store_warn_case_each(w->ws, a->cid.s, sla_case_step, w)) ||
	    (st = sla_drain(w, t)) || !a->dispatched)
		return st;
	/* The members added last are the ones read. */
	ft_buf_reset(&a->rec);
	ft_buf_add(&a->rec, r->record, r->reclen - 1);
	ft_buf_adds(&a->rec, ",\"status\":\"dispatched\"");
	if (a->unit.len)
		ft_json_put_str(&a->rec, "unit", a->unit.s, a->unit.len);
	if (a->rby.len)
		ft_json_put_str(&a->rec, "respond_by", a->rby.s, a->rby.len);
	if (a->sby.len)
		ft_json_put_str(&a->rec, "resolve_by", a->sby.s, a->sby.len);
	ft_buf_addc(&a->rec, '}');
	if (ft_json_parse(doc, a->rec.s, a->rec.len, &why, &pos))
		return FT_OK;
	it->raw = a->rec.s;
	it->rawlen = a->rec.len;
	return FT_OK;
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
	if (ft_json_parse(&p->doc, r->record, r->reclen, &why, &pos)) {
		it.err = why ? why : "not JSON";
	} else {
		it.doc = &p->doc;
		if (p->w->sla.rules) {
			int st = sla_stored(p->w, r, &p->doc, &it);

			if (st)
				return st;
		}
	}
	return each(p->w, &it);
}

#define PAGE 5000

/* A stored reading, as each() takes a record of the stream. */
static int
stored_reading(struct ft_warn *w, const struct ft_reading *r)
{
	struct rec q;
	int st;

	if (w->failed)
		return w->failed;
	/* The status changes before it come first, as in time order. */
	if (w->sla.rules && (st = sla_drain(w, r->at)))
		return st;
	w->c.records++;
	memset(&q, 0, sizeof(q));
	q.e.area = -1;
	q.reading = 1;
	q.sensor = r->sensor;
	q.metric = *r->metric ? r->metric : NULL;
	q.value = r->value;
	q.t = q.e.reported = r->at;
	if ((st = ft_run_enter(&w->run)))
		return st;
	w->c.readings++;
	return evaluate(w, &q);
}

/* The time of the next stored event: the first of a page of one. */
static int
peek_event(void *ctx, const struct ft_event_record *r)
{
	struct ft_buf *b = ctx;

	ft_buf_reset(b);
	ft_buf_adds(b, r->reported_at);
	return FT_OK;
}

/*
 * The back-test: the stored events and readings of the period in time
 * order, a page at a time.  At the same second, the events come first
 * (in the order of reported_at and seq), then the readings (by sensor,
 * then metric): the order a stream of the same records in that order
 * sees.
 */
int
ft_warn_stored(struct ft_warn *w, const char *since, const char *until)
{
	struct page p;
	struct ft_store_rd *rd = NULL;
	struct ft_reading r;
	struct ft_buf next;
	char bound[FT_TIME_LEN];
	const char *why, *to;
	int64_t end, from, te = 0, tr = 0;
	int st, has_e, has_r, any, open = 0;
	long n;

	memset(&p, 0, sizeof(p));
	p.w = w;
	ft_json_doc_init(&p.doc);
	ft_buf_init(&p.at);
	ft_buf_init(&next);
	ft_buf_adds(&p.at, "");
	w->run.fname = "the database";
	w->sla.since = INT64_MIN;
	w->sla.until = NEVER;
	if ((st = ft_time_parse(since, strlen(since), &from, &why)) ||
	    (st = ft_time_parse(until, strlen(until), &end, &why)))
		st = FT_SOFTWARE;
	else {
		w->sla.since = from;
		w->sla.until = end;
		if (!w->sla.rules || !(st = sla_waiting(w)))
			st = ft_store_rd_open(&rd, w->db, from, end);
	}
	/*
	 * A batch spans pages, as in a stream: it ends once it holds as
	 * many records as a stream's, between two pages (no statement open).
	 */
	while (!st) {
		ft_buf_reset(&next);
		if ((st = ft_store_events_each(w->store, since, until, p.at.s,
					       p.seq, 1, peek_event, &next)) ||
		    (st = ft_store_rd_peek(rd, &has_r, &tr)))
			break;
		if ((has_e = next.len > 0) &&
		    ft_time_parse(next.s, next.len, &te, &why)) {
			st = FT_SOFTWARE;
			break;
		}
		if (!has_e && !has_r)
			break;
		if (!open && (st = ft_run_begin_page(&w->run)))
			break;
		open = 1;
		if (has_e && (!has_r || te <= tr)) {
			/* The events up to the second of the next reading. */
			to = until;
			if (has_r) {
				ft_time_format(tr + 1, bound);
				if (strcmp(bound, until) < 0)
					to = bound;
			}
			st = ft_store_events_each(w->store, since, to, p.at.s,
						  p.seq, PAGE, stored_one, &p);
		} else {
			/* The readings before the second of the next event. */
			for (n = 0; !st && n < PAGE; n++) {
				if ((st = ft_store_rd_peek(rd, &any, &tr)) ||
				    !any || (has_e && tr >= te))
					break;
				if (!(st = ft_store_rd_next(rd, &r, &any)))
					st = stored_reading(w, &r);
			}
		}
		if (!st && w->run.n >= w->run.limit) {
			open = 0;
			st = ft_run_end(&w->run);
		}
	}
	if (open && st)
		ft_run_drop(&w->run);
	else if (open)
		st = ft_run_end(&w->run);
	ft_store_rd_close(rd);
	/*
	 * The period is over: the clock moves to its end, so that what
	 * cleared within it resolves (a cron job's back-test of the last
	 * hours resolves what went quiet).
	 */
	if (!st) {
		if (!(st = ft_run_begin_page(&w->run)) &&
		    !(st = sla_drain(w, end)) && !(st = advance(w, end)))
			st = ft_run_end(&w->run);
		else
			ft_run_drop(&w->run);
	}
	ft_json_doc_release(&p.doc);
	ft_buf_release(&p.at);
	ft_buf_release(&next);
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
	char muted[64] = "";
	int st = ft_run_finish(&w->run);

	st = ft_exit_worst(st, ft_reject_close(&w->rej));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (w->c.muted)
		snprintf(muted, sizeof(muted), "; %ld not printed: silenced",
			 w->c.muted);
	if (!w->o.quiet)
		ft_warn("%ld record%s (%ld event%s, %ld reading%s): %ld "
			"raised, %ld resolved, %ld rejected%s%s (%.2f s)",
			w->c.records, w->c.records == 1 ? "" : "s", w->c.events,
			w->c.events == 1 ? "" : "s", w->c.readings,
			w->c.readings == 1 ? "" : "s", w->c.raised,
			w->c.resolved, w->rej.n, muted,
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
	sla_release(w);
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
	free(w->sieve[0].mask);
	free(w->sieve[1].mask);
	ft_warn_sils_release(&w->sils);
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
