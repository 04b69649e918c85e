/*
 * ft_warn_int.h - what the parts of ft-warn's engine share; not for other
 * modules (ft_warn.h is the interface).
 *
 * The engine is cut by idea:
 *   ft_warn.c          the run: records read, evaluate(), stream, back-test
 *   ft_warn_kst.c      the keys' states (struct kst), their hash table, ids
 *   ft_warn_life.c     a warning's life: raise, update, announce, resolve,
 *                      sweep, and advance() (the clock)
 *   ft_warn_state.c    the state between runs: flush, gc, load, reload
 *   ft_warn_window.c   threshold, repeat, spike, drop
 *   ft_warn_keyword.c  keyword
 *   ft_warn_value.c    value: limits, deviation, likelihood
 *   ft_warn_flat.c     flatline
 *   ft_warn_sla.c      sla, and its back-test
 * The rules file is read by ft_warn_rules, people's acts (ack, resolve,
 * list) are ft_warn_act, escalation and silences ft_warn_esc, and all the
 * SQL is ft_store_warn.
 */
#ifndef FT_WARN_INT_H
#define FT_WARN_INT_H

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
 * each round of readings) writes each key's state once every KEY_RECORDS
 * records, not several times a record.  Writing the states was most of a
 * bulk stream's cost at 4 (10,000,000 readings: a quarter to a third of
 * the wall time, against 16); a live input's batches end when it waits
 * anyway, and what a long batch prints waits in a temporary file past a
 * megabyte.
 */
#define KEY_RECORDS 16
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
	int stored; /* written before, or read back: ft_store_warning.stored */
	int64_t count;
	double value;
	int has_value;
	int64_t first, last, raised;
	int64_t cleared; /* when its condition cleared; 0: it holds */
	int64_t resolve_at; /* NEVER: not due; set by warn_due_at() */
	/* its place in the heap of live warnings (w->live), and its key
	 * there: at most resolve_at (ft_warn_life.c) */
	size_t hp;
	int64_t hkey;
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
	unsigned char kind : 2; /* enum kst_kind */
	unsigned char inslot : 1; /* in a struct rslot: freed with it */
	unsigned char known : 1; /* a flush or the load has seen it (gc()) */
	/* strlen(key), which a flush and a free need, or KLEN_LONG: longer */
	uint16_t klen;
	uint32_t h; /* hash(rule, key), low bits: most keys differ in it */
	uint32_t page; /* the page of warn_pages its state is in; 0: none */
	struct warning *live;
	char *key; /* the key itself, in the same block, after what k has */
	size_t n; /* the window's entries, w[0..n): 0 for KST_SERIES */
	/*
	 * What one type of rule keeps besides (kind says which).  A key of
	 * KST_WINDOW has only the window and its first event: its block ends
	 * after it (KST_HEAD), which is most keys' half (the peak RSS counts
	 * them).
	 */
	union {
		struct {
			/*
			 * threshold, repeat, keyword, sla (cases waiting),
			 * spike, drop: the window, oldest first: w[0..n),
			 * within base[0..cap); what leaves the window at its
			 * start moves w on, and the entries move back to base
			 * only when the end is full.  A window of one event
			 * (most keys') has it in one, not on the heap: base is
			 * then &one.
			 */
			struct hit *w, *base;
			size_t cap;
			struct hit one; /* the window's first event */
			union {
				struct { /* KST_SLA: the cases that ended,
					  * (deadline, id) */
					struct hit *done;
					size_t ndone, capdone;
				};
				/*
				 * KST_COUNTS: spike, drop: the counts of
				 * the windows the baseline reaches, oldest
				 * first, windows without events left out;
				 * w[] holds the events of the newest window
				 * only (an event sent again counts once,
				 * and a warning lists them).
				 */
				struct {
					struct wcount *wc;
					size_t nwc, capwc;
				};
			};
		};
		/*
		 * KST_SERIES: value, flatline.  At most 128 bytes, which a
		 * sensor's readings visit for each of its rules (struct
		 * rslot); what a reading within limits, or of a flatline
		 * rule with a fixed gap, reads and writes is on the first
		 * cache line with the header (SERIES_HOT): the rest only
		 * when a value is out, or for "usual" and "deviation".
		 */
		struct {
			unsigned char out; /* value: out of limits */
			unsigned char has_last;
			/* value "deviation": nrg rings (1, 24, 168), or NULL */
			short nrg;
			int niv;
			int64_t last; /* the newest record's time */
			/*
			 * flatline: its place in w->flat and w->flat_at
			 * (where the time it counts as silent after is),
			 * plus one; 0: none
			 */
			uint32_t flatpos;
			int64_t out_since, nout; /* since when, how many */
			/* flatline "usual": the last intervals, oldest first */
			int64_t *iv;
			struct ring *rg;
		};
	};
};

/* Where the fields a series' every reading touches end. */
#define SERIES_HOT (offsetof(struct kst, flatpos) + sizeof(uint32_t))

_Static_assert(SERIES_HOT <= 64,
	       "a series' every reading touches one cache line");

/* kst.klen of a key of KLEN_LONG bytes or more: strlen() it. */
#define KLEN_LONG UINT16_MAX

/* The length of k's key. */
static inline size_t
warn_klen(const struct kst *k)
{
	return k->klen != KLEN_LONG ? k->klen : strlen(k->key);
}

/* What k->klen is for a key of len bytes. */
static inline uint16_t
warn_klen_of(size_t len)
{
	return len < KLEN_LONG ? (uint16_t)len : KLEN_LONG;
}

_Static_assert(sizeof(struct kst) <= 128,
	       "a series' state is 128 bytes at most");

/* The size of a kst of KST_WINDOW: up to its union, and one. */
#define KST_HEAD (offsetof(struct kst, one) + sizeof(struct hit))

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
	/* back-test: the changes to come, by time, chg[head..nchg) */
	struct sla_change *chg;
	size_t head, nchg, capchg;
	int64_t seq, since, until;
	int dispatched; /* the event's dispatch was found */
	struct ft_buf rec, unit, rby, sby, cid;
	struct ft_json_doc doc;
};

/*
 * A place in the table of keys (w->tab, open addressing): its key's state,
 * with the high 16 bits of its hash() above the state's address (the 48
 * bits an address has), so that a look-up reads the states of its key
 * only, and a place is 8 bytes (the peak RSS counts them).  0: empty; 1:
 * a key gone (a look-up passes it).  w->wide: some state's address is
 * wider: the places hold the addresses alone.
 */
#define KEY_PTR ((1ULL << 48) - 1)
/*
 * The memory of the keys' states (struct kst) and of their windows
 * (struct hit arrays): blocks of POOL_STEP bytes up to POOL_CLASSES of
 * them, cut from chunks, a block freed kept for the next of its size
 * (warn_pool_alloc()).  A stream makes and forgets keys all the time;
 * malloc's bins and merges cost more than the rest of a key's look-up.
 */
#define POOL_STEP 16
#define POOL_CLASSES 32
struct warn_pool {
	void *free[POOL_CLASSES];
	char *p;
	size_t left;
	void **chunk;
	size_t nchunk, capchunk;
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
	/* str_hash() of the sensor's key (warn_slot_of()), 0: not known */
	uint64_t sh;
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
	/*
	 * The rules that may take a record by its value: row j (of nw
	 * words; row n: a value no rule names, or none) has bit i when
	 * mask[i] has bit j (ANY).
	 */
	uint64_t *take;
};

/*
 * A sensor's keys: the rules that read the readings of one sensor and
 * metric, found with one look-up a reading, in rule order, the sensors
 * and metrics they name already sifted (a reading visits only the rules
 * that take it).  The states of those keyed by "sensor" live in the slot
 * itself, one block a sensor (a reading's states are together in memory,
 * not ~20 cache misses apart), made when first read; states read back
 * from the database stay where load_state() made them, and a slot
 * points at them.  The states are in the table of keys too (w->tab); a
 * state freed is cleared here (warn_slot_forget()), and one in a slot is
 * not freed apart (kst.inslot).
 *
 * A slot is one sensor and one metric, not their key: sensor "a:b" with
 * no metric has the key of sensor "a" and metric "b" (and shares its
 * states) but not the rules that name sensors or metrics.
 */
struct rslot {
	struct rslot *next; /* in its hash bucket */
	uint64_t h; /* str_hash(key) */
	char *key; /* sensor, or sensor:metric */
	uint32_t slen, klen; /* the sensor's length in key, key's */
	unsigned char hasm; /* it has a metric */
	int n; /* the rules, e[0..n) */
	struct rslot_rule {
		int rule;
		int in; /* its state's place in st[], or -1: keyed by "*" */
		struct kst *k; /* its state, NULL until made */
	} e[];
	/*
	 * then the key, and st[] on a cache line of its own: the states of
	 * the rules keyed by "sensor" (slot_states())
	 */
};

/*
 * Where the states of a slot of n rules and a key of len bytes start
 * (after its rules and key, on a cache line of their own).
 */
static inline size_t
warn_slot_states_at(int n, size_t len)
{
	return (sizeof(struct rslot) + (size_t)n * sizeof(struct rslot_rule) +
		len + 1 + 63) &
	       ~(size_t)63;
}

/*
 * An entry of the heap of live warnings (ft_warn_life.c): the warning of
 * k, with its key and rule beside it, which the heap's comparisons read
 * (not two cache misses away).
 */
struct hlive {
	int64_t t; /* its warning's hkey */
	struct kst *k;
	int rule;
};

/*
 * A page of warn_pages: the keys whose newest states its row holds,
 * m[0..n), and stale entries, superseded by a newer page's (see
 * ft_warn_state.c).
 */
struct wpage {
	uint32_t id;
	unsigned char dirty; /* its row is to change (a key left it) */
	unsigned char lost; /* a key left it with no newer state */
	unsigned char again; /* written again in place: its keys all moved */
	struct kst **m;
	uint32_t n, cap;
	uint32_t stale; /* its entries superseded */
	uint32_t moved; /* its keys written anew in this batch */
	/*
	 * Those of them: bit i for m[i], i < 64; deref: one past m[63] (or
	 * m[] had more than 64 when a key left), and the keys' page says.
	 */
	uint64_t gone;
	unsigned char deref;
	int64_t emin; /* no key of it is forgotten before this clock */
	/* What it holds of rules not in the rules file: JSON text, kept
	 * as it was read ("" none). */
	struct ft_buf other;
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
	/*
	 * What the back-test reads while its writer thread writes (the
	 * stored records, the cases' histories): a connection of its own,
	 * rdb, read-only, and its statements; with no writer, cases is ws
	 * and the records are read through store.
	 */
	struct ft_db rdb;
	struct ft_store *rstore;
	struct ft_store_warn *rws, *cases;
	struct ft_area *a;
	struct ft_warn_rules rules;
	struct ft_hist hist;
	struct ft_run run;
	struct ft_reject rej;
	/*
	 * The work on each record done before it is evaluated (struct
	 * prep in ft_warn.c): prep in this thread, ahead in the input's
	 * reader thread while it reads a file; prepped holds prep's.
	 */
	struct prep *prep, *ahead;
	struct ft_buf prepped;
	double *score; /* a keyword rule's score of the record */
	uint64_t *tab; /* nb places, a power of 2 */
	size_t nb, nkeys, ngone; /* ngone: places of keys gone */
	int wide;
	struct warn_pool pool;
	size_t nknown; /* the keys after the last flush or load */
	struct kst **dirty;
	size_t ndirty, capdirty;
	struct wpage *pg; /* the pages, by id */
	size_t npg, cappg;
	uint32_t pg_next; /* the id of the next page made */
	struct hlive *live; /* a heap: the live warning due first on top */
	size_t nlive, caplive;
	int64_t clock;
	int clock_set, clock_dirty;
	/* no live warning is due before it (the heap top's key), or NEVER */
	int64_t next_due;
	/*
	 * The keys of flatline rules that have reported, and beside them the
	 * time each counts as silent after (NEVER: not judged, as while its
	 * warning is live): what warn_flat_scan() reads of all of them, at
	 * each minute of a sensor network's readings, in a row rather than a
	 * cache miss each.  Only here, not in the keys' states.
	 */
	struct kst **flat;
	int64_t *flat_at;
	size_t nflat, capflat;
	int64_t next_silent; /* no flatline key is silent before it */
	struct sla sla;
	int drops; /* some rule is a drop rule */
	int failed; /* reading the state again failed: its status */
	unsigned long flushes;
	struct counts c, kept, staged; /* staged: see warn_stage_counts() */
	int has_staged;
	struct ft_buf key, json, detail;
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
	/*
	 * Rules as bits, nw words: those that take events (not readings),
	 * the sla rules; each rule's condition without what the sieves
	 * decide exactly (borrowed from the rule's).
	 */
	size_t nw;
	uint64_t *evrules, *slarules;
	struct ft_cond *resid;
	struct ft_json_doc keydoc; /* a jq key's output */
	double *dvbuf; /* a deviation's baseline, copied to be ordered */
	size_t dvcap;
	double t0;
	struct ft_warn_sils sils; /* read at the start: muted() */
	int64_t *horizon; /* each rule's warn_horizon(), computed once */
	double *floor; /* a keyword rule's lowest score with a level */
	/* The sensors' keys (struct rslot), by str_hash(key). */
	struct rslot **rtab;
	size_t rnb, rn;
	void **rchunk; /* the memory of the slots (slot_alloc()) */
	size_t nrchunk, caprchunk, rleft;
	char *rfree;
	struct ft_buf skey; /* the record's sensor key */
	/* The sensor hashes of the records ahead (fetch_ahead()) */
	uint64_t ring[FT_PREP_AHEAD];
	size_t nring;
	/*
	 * A value rule's loosest limit: a reading not beyond it is at no
	 * level (warn_level_of()).
	 */
	double *loose;
};

/* ---- small helpers, inline ---- */

static inline struct idstr *
id_box(char *id)
{
	return (struct idstr *)(void *)(id - offsetof(struct idstr, s));
}

static inline char *
id_ref(char *id)
{
	id_box(id)->refs++;
	return id;
}

/* ---- keys ---- */

#define STR_HASH_START 1469598103934665603ULL

/* Hash h (FNV-1a) carried on over the string s. */
static inline uint64_t
str_hash_on(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static inline uint64_t
str_hash(const char *key)
{
	return str_hash_on(STR_HASH_START, key);
}

/*
 * str_hash() of a sensor's key, "sensor" or "sensor:metric", without
 * making it: the hash a key of kind FT_KEY_SENSOR gets.
 */
static inline uint64_t
sensor_hash(const char *sensor, const char *metric)
{
	uint64_t h = str_hash_on(STR_HASH_START, sensor);

	return metric ? str_hash_on(str_hash_on(h, ":"), metric) : h;
}

/*
 * The value of record q that key kind k (FT_KEY_x) groups by, NULL: none;
 * not for FT_KEY_SENSOR and FT_KEY_JQ (warn_key_of() makes those).
 */
static inline const char *
warn_key_field(const struct rec *q, int k)
{
	switch (k) {
	case FT_KEY_AREA:
		return q->area;
	case FT_KEY_FACILITY:
		return q->e.facility;
	case FT_KEY_CATEGORY:
		return q->e.category;
	case FT_KEY_SOURCE:
		return q->e.source;
	case FT_KEY_ADDRESS:
		return q->address;
	case FT_KEY_UNIT:
		return q->unit;
	case FT_KEY_ID:
		return q->id;
	case FT_KEY_ALL:
		return "*";
	default:
		return NULL;
	}
}

/* Key hash h (str_hash()) for rule: the keys of the rules apart. */
static inline uint64_t
hash_of(int rule, uint64_t h)
{
	h ^= (uint64_t)(unsigned)rule * 0x9E3779B97F4A7C15ULL;
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 29;
	return h;
}

/* The state in place i of the table of keys, or NULL. */
static inline struct kst *
warn_tab_key(const struct ft_warn *w, size_t i)
{
	uint64_t v = w->tab[i];

	if (v <= 1)
		return NULL;
	return (struct kst *)(uintptr_t)(w->wide ? v : v & KEY_PTR);
}

/* ---- ft_warn.c ---- */

int warn_each(void *ctx, const struct ft_item *it);

/* ---- ft_warn_kst.c: keys, ids, the window of events ---- */

int64_t warn_horizon(const struct ft_warn_rule *r);
char *warn_id_dup(struct ft_warn *w, const char *id);
void warn_id_free(struct ft_warn *w, char *id);
uint64_t warn_hash(int rule, const char *key);
struct kst *warn_kst_get(struct ft_warn *w, int rule, const char *key,
			 int create);
struct kst *warn_key_get(struct ft_warn *w, int rule);
void warn_key_drop(struct ft_warn *w, struct kst *k);
void warn_keys_free(struct ft_warn *w);
void warn_touch_list(struct ft_warn *w, struct kst *k);
void warn_touch(struct ft_warn *w, struct kst *k);
void warn_warning_free(struct warning *x);
void warn_kst_free(struct ft_warn *w, struct kst *k);
int warn_kst_holds(const struct kst *k);
int warn_key_of(struct ft_warn *w, const struct ft_warn_rule *r,
		const struct rec *q);
char *warn_qid(struct ft_warn *w, const struct rec *q);
void warn_slots_init(struct ft_warn *w);
struct rslot *warn_slot_of(struct ft_warn *w, const struct rec *q);
struct kst *warn_slot_key(struct ft_warn *w, struct rslot *s, int e);
void warn_slot_forget(struct ft_warn *w, const struct kst *k);
void warn_slots_free(struct ft_warn *w);
int warn_window_add(struct ft_warn *w, struct kst *k, int64_t t, const char *id,
		    char *sid);
void warn_window_prune(struct ft_warn *w, struct kst *k, int64_t window);

/* ---- ft_warn_life.c: output, history, a warning's life, the clock ---- */

const char *warn_tstr(int64_t t, char buf[FT_TIME_LEN]);
void warn_events_json(struct ft_buf *b, const struct warning *x);
void warn_add_event(struct warning *x, const char *id);
int warn_is_major(const struct ft_warn_rule *r, int level);
int warn_raise_warning(struct ft_warn *w, struct kst *k, int level,
		       int64_t first, int64_t t);
int warn_announce(struct ft_warn *w, struct kst *k, int raised);
int warn_update_warning(struct ft_warn *w, struct kst *k, int level, int64_t t,
			const char *id);
int warn_resolve_live(struct ft_warn *w, struct kst *k);
void warn_live_add(struct ft_warn *w, struct kst *k);
void warn_live_remove(struct ft_warn *w, struct kst *k);
void warn_due_at(struct ft_warn *w, struct kst *k, int64_t at);
int warn_sweep(struct ft_warn *w, int64_t t);
int warn_advance(struct ft_warn *w, int64_t t);

/* ---- ft_warn_state.c: flush, gc, load ---- */

/* The engine's writes (ft_warn_db.c): at once, or by w->run.wq. */
int warn_db_put(struct ft_warn *w, const struct ft_store_warning *x);
int warn_db_page(struct ft_warn *w, int64_t page, const char *state,
		 size_t len);
int warn_db_clock(struct ft_warn *w, int64_t at);
int warn_db_hist(struct ft_warn *w, const struct ft_hist_entry *e);

int warn_put_warning(struct ft_warn *w, const struct kst *k, struct warning *x,
		     const char *status, int64_t resolved_at);
int warn_flush(void *ctx);
void warn_keep_counts(void *ctx);
void warn_stage_counts(void *ctx);
void warn_drop_counts(void *ctx);
int warn_load_state(struct ft_warn *w);
void warn_forget(struct ft_warn *w);

/* ---- ft_warn_window.c: threshold, repeat, spike, drop ---- */

int warn_on_window(struct ft_warn *w, int ri, const struct rec *q);
int64_t warn_win_of(const struct ft_warn_rule *r, int64_t t);
int64_t warn_win_start(const struct ft_warn_rule *r, int64_t b);
int64_t warn_win_keep(const struct ft_warn_rule *r);
void warn_count_add(struct kst *k, int64_t b, int64_t n);
int warn_on_spike(struct ft_warn *w, int ri, const struct rec *q);
int warn_on_drop(struct ft_warn *w, int ri, const struct rec *q);
int warn_drop_scan(struct ft_warn *w, int64_t t);

/* ---- ft_warn_keyword.c ---- */

int warn_on_keyword(struct ft_warn *w, int ri, const struct rec *q);

/* ---- ft_warn_value.c ---- */

struct ring *warn_ring_of(const struct ft_warn_rule *r, struct kst *k,
			  int64_t t);
void warn_ring_push(struct ring *g, int cap, int64_t t, double v);
int warn_on_value(struct ft_warn *w, struct kst *k, const struct rec *q);

/* ---- ft_warn_flat.c ---- */

void warn_silent_at(struct ft_warn *w, struct kst *k);
void warn_flat_add(struct ft_warn *w, struct kst *k);
int warn_flat_scan(struct ft_warn *w, int64_t t);
int warn_on_flatline(struct ft_warn *w, struct kst *k, const struct rec *q);

/* ---- ft_warn_sla.c ---- */

void warn_sla_init(struct ft_warn *w);
void warn_sla_forget(struct ft_warn *w);
void warn_sla_release(struct ft_warn *w);
void warn_sla_load(struct ft_warn *w, struct kst *k, jv s);
void warn_sla_next(struct ft_warn *w, int64_t t);
int warn_sla_scan(struct ft_warn *w, int64_t t);
void warn_sla_expire(struct ft_warn *w);
int warn_on_sla(struct ft_warn *w, int ri, const struct rec *q);
int warn_sla_waiting(struct ft_warn *w);
int warn_sla_drain(struct ft_warn *w, int64_t t);
int warn_sla_stored(struct ft_warn *w, const struct ft_event_record *r,
		    struct ft_json_doc *doc, struct ft_item *it);

#endif
