/*
 * ft_warn.c - ft-warn's engine: see ft_warn.h and ft-warn(1).
 *
 * Each rule keeps, per key, what its condition needs (struct kst): the
 * matching events in the window, or whether a sensor is out of its
 * limits, and the key's live warning.  A record first moves the clock to
 * its time, resolving the warnings whose quiet period ended before it;
 * then each rule decides on it.  What changed is written into the batch's
 * transaction before it commits (flush), and printed once it has.
 *
 * This file holds the run: records read (parse, each), the rules each one
 * goes to (evaluate), the stream, the back-test and the summary.  What the
 * parts share is in ft_warn_int.h, which says where each idea is.
 */
#define _GNU_SOURCE /* memmem(3) */
#include "ft_warn_int.h"

/*
 * The work on a record that needs nothing of the state: reading its
 * fields, testing the rules' conditions, scanning its text for the
 * keywords, hashing its keys (prep_record()).  While a file is read, the
 * input's reader thread does it as it parses (ft_input_set_prep()), so
 * that it runs on the second core; a struct prep is one thread's, the
 * rules and areas it reads stay as they are during a run.
 */
struct prep {
	const struct ft_warn *w;
	/* The fields of the record being read, one after the other, each
	 * ended by a NUL (struct fields); the strings prep_record() keeps
	 * are its first keep bytes, or later (status).  key: a key decoded. */
	struct ft_buf vals, key, why;
	size_t keep;
	struct ft_cond_text text;
	struct ft_kw_hits hits;
	double *score; /* a keyword rule's score of the record */
	struct ft_time_memo at_prev; /* the last time read */
	int jqkey; /* a rule's key is a jq program: it reads the record */
};

/*
 * What prep_record() makes of a record, at the start of its output: the
 * record (its strings, NUL-terminated, after the hits, as offsets from
 * the start; 0: none), then nhit struct prep_hit: the rules that take it, in
 * rule order.
 */
enum {
	S_ID,
	S_CATEGORY,
	S_SOURCE,
	S_FACILITY,
	S_ADDRESS,
	S_UNIT,
	S_AREA,
	S_STATUS,
	S_SENSOR,
	S_METRIC,
	S_N
};

struct pre {
	uint32_t why; /* why the record is rejected (offset); 0: it is not */
	uint32_t nhit;
	uint32_t s[S_N];
	int reading, change, severity, area;
	int64_t respond_by, resolve_by, t;
	double value;
	uint64_t sh; /* a reading's: struct rec's */
	/* Bit FT_KEY_x of khave: kh_of[x] is the hash of that key. */
	unsigned khave;
	uint64_t kh_of[FT_KEY_JQ + 1];
};

/* The struct pre that starts at out->s + at (moved as out grows). */
static inline struct pre *
pre_at(struct ft_buf *out, size_t at)
{
	return (struct pre *)(void *)(out->s + at);
}

struct prep_hit {
	uint32_t rule;
	double score; /* a keyword rule's */
};

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

/* The row of sieve sv's take[] for the value v (its hash h: str_hash(v)). */
static size_t
sieve_row(const struct sieve *sv, const char *v, uint64_t h)
{
	int j;

	for (j = 0; v && j < sv->n; j++)
		if (sv->vh[j] == h && !strcmp(sv->val[j], v))
			return (size_t)j;
	return (size_t)sv->n;
}

/* n bytes of zeros. */
static void *
zeros(size_t n)
{
	void *p = ft_xmalloc(n);

	memset(p, 0, n);
	return p;
}

/* The rules sieve f lets through for the value v of hash h, as bits. */
static const uint64_t *
sieve_take(const struct ft_warn *w, int f, const char *v, uint64_t h)
{
	return w->sieve[f].take + sieve_row(&w->sieve[f], v, h) * w->nw;
}

/* Sets bit i of bits. */
static void
bit_set(uint64_t *bits, size_t i)
{
	bits[i / 64] |= 1ULL << (i % 64);
}

/*
 * The rules as bits (struct ft_warn's nw, evrules, slarules, the sieves'
 * take) and their residual conditions, once the sieves are made.
 */
static void
rule_bits(struct ft_warn *w)
{
	size_t nw = (w->rules.n + 63) / 64, i, j;
	int f;

	w->nw = nw;
	w->evrules = zeros((nw + 1) * sizeof(uint64_t));
	w->slarules = zeros((nw + 1) * sizeof(uint64_t));
	w->resid = zeros((w->rules.n + 1) * sizeof(struct ft_cond));
	for (f = 0; f < 2; f++) {
		struct sieve *sv = &w->sieve[f];

		sv->take = zeros((((size_t)sv->n + 1) * nw + 1) *
				 sizeof(uint64_t));
		for (j = 0; j <= (size_t)sv->n; j++)
			for (i = 0; i < w->rules.n; i++)
				if (sv->mask[i] &
				    (j < (size_t)sv->n ? 1ULL << j : ANY))
					bit_set(sv->take + j * nw, i);
	}
	for (i = 0; i < w->rules.n; i++) {
		const struct ft_warn_rule *r = &w->rules.r[i];

		if (r->type == FT_WARN_SLA)
			bit_set(w->slarules, i);
		else if (r->type != FT_WARN_VALUE &&
			 !(r->type == FT_WARN_FLATLINE && r->readings))
			bit_set(w->evrules, i);
		/* A sieve that knows each of the rule's values decides
		 * them exactly: the condition need not test them again. */
		w->resid[i] = r->when;
		if (w->sieve[0].mask[i] != ~0ULL)
			w->resid[i].category.n = 0;
		if (w->sieve[1].mask[i] != ~0ULL)
			w->resid[i].source.n = 0;
	}
}

/*
 * The lowest score at which keyword rule r has a level: a score below it
 * (ft_warn_level_of() -1) does nothing.  HUGE_VAL: no level has a score.
 */
static double
kw_floor(const struct ft_warn_rule *r)
{
	double m = HUGE_VAL;
	int l;

	for (l = r->level; l < FT_LEVELS; l++)
		if (r->at[l] < m)
			m = r->at[l];
	return m;
}

/*
 * A reading: the rules its slot lists (those that take its sensor and
 * metric), in rule order, as evaluate() would visit them.
 */
static int
evaluate_reading(struct ft_warn *w, const struct rec *q)
{
	struct rslot *s = warn_slot_of(w, q);
	struct kst *k;
	int e, st;

	for (e = 0; e < s->n; e++) {
		int i = s->e[e].rule;
		const struct ft_warn_rule *r = &w->rules.r[i];

		/* Older than all the rule remembers: it would count anew. */
		if (w->clock_set && q->t < w->clock - w->horizon[i])
			continue;
		/* The states a few rules on, fetched while these decide:
		 * past SERIES_HOT only for the rules that read further. */
		if (e + 4 < s->n && (k = s->e[e + 4].k)) {
			const struct ft_warn_rule *r4 =
				&w->rules.r[s->e[e + 4].rule];

			__builtin_prefetch(k);
			if (r4->dev || r4->usual)
				__builtin_prefetch((char *)k + 64);
		}
		/* The slot's state, once warn_slot_key() has found it. */
		if (!(k = s->e[e].k)) {
			if (s->e[e].in >= 0)
				k = warn_slot_key(w, s, e);
			else if (warn_key_of(w, r, q))
				k = warn_key_get(w, i);
			else
				continue;
		}
		if ((st = r->type == FT_WARN_VALUE ? warn_on_value(w, k, q) :
						     warn_on_flatline(w, k, q)))
			return st;
	}
	return warn_sweep(w, w->clock);
}

/*
 * Record q, with what prep_record() found (its rules, in order, and the
 * hashes of its keys; NULL for a reading): each rule takes it in turn.
 */
static int
evaluate(struct ft_warn *w, const struct rec *q, const struct pre *pr)
{
	const struct prep_hit *h;
	uint32_t j;
	int st;

	if ((st = warn_advance(w, q->t)))
		return st;
	w->khave = 0;
	if (q->reading)
		return evaluate_reading(w, q);
	w->khave = pr->khave;
	memcpy(w->kh_of, pr->kh_of, sizeof(w->kh_of));
	h = (const struct prep_hit *)(const void *)(pr + 1);
	for (j = 0; j < pr->nhit; j++) {
		int i = (int)h[j].rule;
		const struct ft_warn_rule *r = &w->rules.r[i];

		if (r->type == FT_WARN_SLA) {
			if ((st = warn_on_sla(w, i, q)))
				return st;
			continue;
		}
		/* Older than all the rule remembers: it would count anew. */
		if (w->clock_set && q->t < w->clock - w->horizon[i])
			continue;
		if (!warn_key_of(w, r, q))
			continue;
		switch (r->type) {
		case FT_WARN_THRESHOLD:
		case FT_WARN_REPEAT:
			st = warn_on_window(w, i, q);
			break;
		case FT_WARN_KEYWORD:
			w->score[i] = h[j].score;
			st = warn_on_keyword(w, i, q);
			break;
		case FT_WARN_FLATLINE: /* of events (by source...) */
			st = warn_on_flatline(w, warn_key_get(w, i), q);
			break;
		case FT_WARN_SPIKE:
			st = warn_on_spike(w, i, q);
			break;
		case FT_WARN_DROP:
			st = warn_on_drop(w, i, q);
			break;
		case FT_WARN_VALUE: /* readings: evaluate_reading() */
		case FT_WARN_SLA: /* above */
			break;
		}
		if (st)
			return st;
	}
	return warn_sweep(w, w->clock);
}

/* ---- records ---- */

/* The members of a record parse() reads. */
enum field {
	F_SENSOR,
	F_METRIC,
	F_VALUE,
	F_AT,
	F_ID,
	F_CATEGORY,
	F_SOURCE,
	F_TITLE,
	F_TEXT,
	F_FACILITY,
	F_ADDRESS,
	F_UNIT,
	F_AREA,
	F_STATUS,
	F_RESPOND_BY,
	F_RESOLVE_BY,
	F_SEVERITY,
	F_REPORTED_AT,
	F_N
};

/* Field j of a record given the name k[0..n), or -1: not one of them. */
static int
field_of(const char *k, size_t n)
{
#define IS(name) (!memcmp(k, name, sizeof(name) - 1))
	switch (n) {
	case 2:
		return IS("at") ? F_AT : IS("id") ? F_ID : -1;
	case 4:
		return IS("unit") ? F_UNIT :
		       IS("area") ? F_AREA :
		       IS("text") ? F_TEXT :
				    -1;
	case 5:
		return IS("title") ? F_TITLE : IS("value") ? F_VALUE : -1;
	case 6:
		return IS("sensor") ? F_SENSOR :
		       IS("metric") ? F_METRIC :
		       IS("source") ? F_SOURCE :
		       IS("status") ? F_STATUS :
				      -1;
	case 7:
		return IS("address") ? F_ADDRESS : -1;
	case 8:
		return IS("category") ? F_CATEGORY :
		       IS("facility") ? F_FACILITY :
		       IS("severity") ? F_SEVERITY :
					-1;
	case 10:
		return IS("respond_by") ? F_RESPOND_BY :
		       IS("resolve_by") ? F_RESOLVE_BY :
					  -1;
	case 11:
		return IS("reported_at") ? F_REPORTED_AT : -1;
	default:
		return -1;
	}
#undef IS
}

/*
 * Where each field is among a record's members (m[], -1: absent), found
 * in one pass over them instead of one a field: the last of a name, as
 * ft_json_get() finds it.
 */
struct fields {
	const struct ft_json_doc *d;
	/* where text_of() puts the values, and the length of its last */
	struct ft_buf *vals;
	size_t len;
	long m[F_N];
};

static void
fields_find(struct fields *f, const struct ft_json_doc *d, struct ft_buf *kb,
	    struct ft_buf *vals)
{
	size_t i;
	int j;

	f->d = d;
	f->vals = vals;
	f->len = 0;
	/* Room for every field's value, so that none moves another: a
	 * value decoded is no longer than its text, and the fields are
	 * distinct members, read once each. */
	ft_buf_reset(vals);
	ft_buf_grow(vals, d->text.len + 2 * F_N + 2);
	for (j = 0; j < F_N; j++)
		f->m[j] = -1;
	for (i = 0; i < d->n; i++) {
		const struct ft_json_member *m = &d->m[i];

		if (m->escaped) {
			ft_buf_reset(kb);
			ft_json_key(d, m, kb);
			j = field_of(kb->s, kb->len);
		} else {
			j = field_of(d->text.s + m->key, m->keylen);
		}
		if (j >= 0)
			f->m[j] = (long)i;
	}
}

/*
 * Field j of the record as text (ft_json_value_add()), appended to
 * f->vals with a NUL, its length in f->len: NULL when absent, null or
 * empty; *bad set when it is an object, array or boolean.
 */
static const char *
text_of(struct fields *f, enum field j, int *bad)
{
	struct ft_buf *b = f->vals;
	size_t at = b->len;
	int got;

	f->len = 0;
	got = ft_json_value_add(f->d, f->m[j] < 0 ? NULL : &f->d->m[f->m[j]],
				b);
	if (got <= 0) {
		if (got < 0)
			*bad = 1;
		return NULL;
	}
	f->len = b->len - at;
	b->len++; /* past the NUL ft_buf_add() wrote */
	return b->s + at;
}

/*
 * The deadline named name of record d, for sla rules, into *t (0: none).
 * Returns NULL, or why the record is rejected.
 */
static const char *
deadline(struct prep *p, struct fields *f, enum field j, const char *name,
	 int64_t *t)
{
	const char *err, *v;
	int bad = 0;

	*t = 0;
	if (!(v = text_of(f, j, &bad)) && !bad)
		return NULL;
	if (bad || ft_time_parse(v, f->len, t, &err)) {
		ft_buf_reset(&p->why);
		ft_buf_addf(&p->why, "field \"%s\": not a time", name);
		return p->why.s;
	}
	return NULL;
}

/*
 * strtod() of s[0..n) when it is a plain decimal, [-]DIGITS[.DIGITS] with
 * at most 15 significant digits, into *v: exact, as strtod()'s, since
 * both the digits as a whole number and the power of ten are doubles
 * exactly and one division rounds correctly.  0 for any other form.
 */
static int
fast_decimal(const char *s, size_t n, double *v)
{
	static const double p10[] = { 1e0,  1e1,  1e2,	1e3,  1e4,  1e5,
				      1e6,  1e7,  1e8,	1e9,  1e10, 1e11,
				      1e12, 1e13, 1e14, 1e15, 1e16 };
	uint64_t m = 0;
	size_t i = 0, first;
	int digits = 0, frac = 0, dot = 0;
	double x;

	if (n && *s == '-')
		i++;
	first = i;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if ((m || s[i] != '0') && ++digits > 15)
				return 0;
			m = m * 10 + (uint64_t)(s[i] - '0');
			frac += dot;
		} else if (s[i] == '.' && !dot && i > first && i + 1 < n) {
			dot = 1;
		} else {
			return 0;
		}
	}
	if (i == first || frac > 16)
		return 0;
	x = (double)m / p10[frac];
	*v = *s == '-' ? -x : x;
	return 1;
}

/* Reads record d into q.  Returns NULL, or why it is rejected. */
static const char *
parse(struct prep *p, const struct ft_json_doc *d, struct rec *q)
{
	const char *err, *at, *why, *v;
	struct fields f;
	size_t atlen;
	char *end;
	int bad = 0;

	memset(q, 0, sizeof(*q));
	q->e.area = -1;
	p->keep = 0;
	if (d->type != '{')
		return "not a JSON object";
	fields_find(&f, d, &p->key, &p->vals);
	q->sensor = text_of(&f, F_SENSOR, &bad);
	if (bad)
		return "field \"sensor\": not a string";
	if (q->sensor) {
		q->reading = 1;
		q->metric = text_of(&f, F_METRIC, &bad);
		if (bad)
			return "field \"metric\": not a string";
		p->keep = p->vals.len;
		if (!(v = text_of(&f, F_VALUE, &bad)) || bad)
			return "field \"value\": missing, or not a number";
		if (!fast_decimal(v, f.len, &q->value)) {
			q->value = strtod(v, &end);
			if (*end || end == v || !isfinite(q->value))
				return "field \"value\": not a number";
		}
		/* -0 is 0: as the database keeps it (a back-test, a restart
		 * read it so), and as a warning's value prints. */
		if (q->value == 0)
			q->value = 0;
		if (!(at = text_of(&f, F_AT, &bad)) || bad)
			return "field \"at\": missing";
		atlen = f.len;
	} else {
		q->id = text_of(&f, F_ID, &bad);
		if (!q->id || bad)
			return "field \"id\": missing (an event has an id; a "
			       "reading, a sensor)";
		/* The strings kept first (prep_record()), title and text
		 * after them. */
		q->e.category = text_of(&f, F_CATEGORY, &bad);
		q->e.source = text_of(&f, F_SOURCE, &bad);
		q->e.facility = text_of(&f, F_FACILITY, &bad);
		q->address = text_of(&f, F_ADDRESS, &bad);
		q->unit = text_of(&f, F_UNIT, &bad);
		q->area = text_of(&f, F_AREA, &bad);
		if (q->area && p->w->a)
			q->e.area = ft_area_find(p->w->a, q->area,
						 strlen(q->area));
		p->keep = p->vals.len;
		q->e.title = text_of(&f, F_TITLE, &bad);
		q->e.text = text_of(&f, F_TEXT, &bad);
		if (bad)
			return "a field of the event (category, source, title,"
			       " text, facility, address, unit, area) is not "
			       "a string";
		if (p->w->sla.rules) {
			q->status = text_of(&f, F_STATUS, &bad);
			if (bad)
				return "field \"status\": not a string";
			if ((why = deadline(p, &f, F_RESPOND_BY, "respond_by",
					    &q->respond_by)) ||
			    (why = deadline(p, &f, F_RESOLVE_BY, "resolve_by",
					    &q->resolve_by)))
				return why;
		}
		if ((v = text_of(&f, F_SEVERITY, &bad))) {
			q->e.severity = atoi(v);
			if (q->e.severity < 1 || q->e.severity > 4)
				q->e.severity = 0;
		}
		if (!(at = text_of(&f, F_REPORTED_AT, &bad)) || bad) {
			/* ft-update's record of a status change */
			if (bad || !q->status ||
			    !(at = text_of(&f, F_AT, &bad)) || bad)
				return "field \"reported_at\": missing";
			q->change = 1;
		}
		atlen = f.len;
		q->e.json = d->text.s;
		q->e.jsonlen = d->text.len;
	}
	/* Readings come in rounds: a time is often the last one again;
	 * events of a day, that day at another time. */
	if (ft_time_parse_memo(&p->at_prev, at, atlen, &q->t, &err)) {
		ft_buf_reset(&p->why);
		ft_buf_addf(&p->why, "field \"%s\": %s",
			    q->reading || q->change ? "at" : "reported_at",
			    err);
		return p->why.s;
	}
	q->e.reported = q->t;
	return NULL;
}

/*
 * The slots of the readings a few records on, fetched into the cache
 * while this one is decided: the bucket of the one FT_PREP_AHEAD on
 * (it->ahead), then, half way, the slot that bucket points to, and two
 * records before its turn, the first line of each of its rules' states
 * (up to 20, which a reading visits in turn: fetched as it comes, each was
 * a wait).
 */
static void
fetch_ring(struct ft_warn *w, uint64_t h)
{
	const char *s;

	w->ring[w->nring++ % FT_PREP_AHEAD] = h;
	if (!w->rnb)
		return;
	if (h)
		__builtin_prefetch(&w->rtab[h & (w->rnb - 1)]);
	h = w->ring[(w->nring + FT_PREP_AHEAD / 2 - 1) % FT_PREP_AHEAD];
	if (h && (s = (const char *)w->rtab[h & (w->rnb - 1)])) {
		__builtin_prefetch(s);
		__builtin_prefetch(s + 64);
		__builtin_prefetch(s + 128);
		__builtin_prefetch(s + 192);
	}
	/* The one 2 on: its hash was put in the ring FT_PREP_AHEAD - 2
	 * records ago. */
	h = w->ring[(w->nring + 1) % FT_PREP_AHEAD];
	if (h && (s = (const char *)w->rtab[h & (w->rnb - 1)])) {
		const struct rslot *r = (const struct rslot *)(const void *)s;
		size_t i, at = warn_slot_states_at(r->n, r->klen);

		/* The first line of each (SERIES_HOT): evaluate_reading()
		 * fetches the second for the rules that read it. */
		for (i = 0; i < (size_t)r->n; i++)
			__builtin_prefetch(s + at + i * sizeof(struct kst));
	}
}

/* fetch_ring() for the record read ahead of it (it->ahead), if a reading. */
static void
fetch_ahead(struct ft_warn *w, const struct ft_item *it)
{
	const struct pre *a = it->ahead;

	fetch_ring(w, a && a->reading ? a->sh : 0);
}

/* Appends n bytes of p to b; returns where they start. */
static uint32_t
put(struct ft_buf *b, size_t at, const void *p, size_t n)
{
	size_t off = b->len - at;

	ft_buf_add(b, p, n);
	return (uint32_t)off;
}

/* The hash of the value of key kind k of record q, noted in pr. */
static void
key_hash(struct pre *pr, const struct rec *q, int k)
{
	const char *v = warn_key_field(q, k);

	if (v && !(pr->khave & 1U << k)) {
		pr->kh_of[k] = str_hash(v);
		pr->khave |= 1U << k;
	}
}

/*
 * Whether rule i, which the sieves let through, takes event q: its
 * condition (the rest of it, see rule_bits()), and for a keyword rule a
 * score that reaches a level.
 */
static int
takes(struct prep *p, size_t i, const struct rec *q)
{
	const struct ft_warn *w = p->w;
	const struct ft_warn_rule *r = &w->rules.r[i];
	char buf[256];
	int halted;

	/* A status change has none of the fields the conditions read: it
	 * follows its case. */
	if (r->type == FT_WARN_SLA)
		return q->change ||
		       !ft_cond_test(&r->when, w->a, &p->text, &q->e, buf,
				     sizeof(buf), &halted);
	/* A keyword rule whose terms reach no level: nothing to do (most
	 * records), whatever its condition. */
	if (r->type == FT_WARN_KEYWORD && !(p->score[i] >= w->floor[i]))
		return 0;
	return !ft_cond_test(&w->resid[i], w->a, &p->text, &q->e, buf,
			     sizeof(buf), &halted);
}

/*
 * The rules that take event q (the part of evaluate() that needs no
 * state), appended to out as struct prep_hit after pr, which is at out->s +
 * at; the hashes of their keys into pr.
 */
static void
prep_match(struct prep *p, const struct rec *q, struct ft_buf *out, size_t at)
{
	const struct ft_warn *w = p->w;
	const uint64_t *cat = NULL, *src = NULL;
	struct pre *pr;
	struct prep_hit h;
	size_t i, k;
	uint32_t nhit = 0;

	pr = pre_at(out, at);
	if (!q->change) {
		key_hash(pr, q, FT_KEY_CATEGORY);
		key_hash(pr, q, FT_KEY_SOURCE);
		cat = sieve_take(w, 0, q->e.category,
				 pr->kh_of[FT_KEY_CATEGORY]);
		src = sieve_take(w, 1, q->e.source, pr->kh_of[FT_KEY_SOURCE]);
	}
	if (w->rules.need_text)
		ft_cond_text_set(&p->text, &q->e);
	if (w->rules.kw) {
		/* Every keyword rule's terms, in one pass over the text. */
		memset(p->score, 0, w->rules.n * sizeof(*p->score));
		ft_kw_scan(w->rules.kw, &p->hits, p->text.hay.s,
			   p->text.hay.len);
		for (i = 0; i < p->hits.n; i++)
			p->score[w->rules.kw_rule[p->hits.ids[i]]] +=
				w->rules.kw_weight[p->hits.ids[i]];
	}
	/* The rules the sieves let through, in order: a status change goes
	 * to the sla rules alone. */
	for (k = 0; k < w->nw; k++) {
		uint64_t b = w->slarules[k];

		if (!q->change)
			b |= cat[k] & src[k] & w->evrules[k];
		for (; b; b &= b - 1) {
			const struct ft_warn_rule *r;

			i = k * 64 + (size_t)__builtin_ctzll(b);
			r = &w->rules.r[i];
			if (!takes(p, i, q))
				continue;
			memset(&h, 0, sizeof(h));
			h.rule = (uint32_t)i;
			h.score = r->type == FT_WARN_KEYWORD ? p->score[i] : 0;
			ft_buf_add(out, &h, sizeof(h));
			nhit++;
			pr = pre_at(out, at);
			if (r->key != FT_KEY_JQ && r->key != FT_KEY_SENSOR)
				key_hash(pr, q, r->key);
		}
	}
	pr = pre_at(out, at);
	pr->nhit = nhit;
}

/*
 * The work on record it that needs no state (struct prep), into out: a
 * struct pre, its hits, its strings.  In the input's reader thread while
 * a file is read ahead; in the caller's otherwise.  Returns whether
 * warn_each() needs the record besides: to reject it, or for a jq key.
 */
static int
prep_record(void *ctx, const struct ft_item *it, struct ft_buf *out)
{
	struct prep *p = ctx;
	const char *why;
	struct pre pr, *o;
	struct rec q;
	size_t at = out->len, k;
	const char *v[S_N];
	uint32_t base;

	memset(&pr, 0, sizeof(pr));
	ft_buf_add(out, &pr, sizeof(pr));
	if ((why = parse(p, it->doc, &q))) {
		uint32_t off = put(out, at, why, strlen(why) + 1);

		pre_at(out, at)->why = off;
		return 1;
	}
	if (!q.reading)
		prep_match(p, &q, out, at);
	v[S_ID] = q.id;
	v[S_CATEGORY] = q.e.category;
	v[S_SOURCE] = q.e.source;
	v[S_FACILITY] = q.e.facility;
	v[S_ADDRESS] = q.address;
	v[S_UNIT] = q.unit;
	v[S_AREA] = q.area;
	v[S_STATUS] = q.status;
	v[S_SENSOR] = q.sensor;
	v[S_METRIC] = q.metric;
	/* The strings parse() read first, at once; any other one apart. */
	base = p->keep ? put(out, at, p->vals.s, p->keep) : 0;
	for (k = 0; k < S_N; k++) {
		uint32_t off = 0;

		if (v[k] && (size_t)(v[k] - p->vals.s) < p->keep)
			off = base + (uint32_t)(v[k] - p->vals.s);
		else if (v[k])
			off = put(out, at, v[k], strlen(v[k]) + 1);
		pre_at(out, at)->s[k] = off;
	}
	o = pre_at(out, at);
	o->reading = q.reading;
	o->change = q.change;
	o->severity = q.e.severity;
	o->area = q.e.area;
	o->respond_by = q.respond_by;
	o->resolve_by = q.resolve_by;
	o->t = q.t;
	o->value = q.value;
	if (q.reading)
		o->sh = sensor_hash(q.sensor, q.metric);
	return p->jqkey;
}

/*
 * The record pr holds (prep_record()), its JSON text d's (none when d is
 * NULL: prep_record() said none is needed), into q.
 */
static void
rec_of(const struct pre *pr, const struct ft_json_doc *d, struct rec *q)
{
	const char *base = (const char *)pr;
	const char *v[S_N];
	size_t k;

	for (k = 0; k < S_N; k++)
		v[k] = pr->s[k] ? base + pr->s[k] : NULL;
	memset(q, 0, sizeof(*q));
	q->reading = pr->reading;
	q->change = pr->change;
	q->status = v[S_STATUS];
	q->respond_by = pr->respond_by;
	q->resolve_by = pr->resolve_by;
	q->e.category = v[S_CATEGORY];
	q->e.source = v[S_SOURCE];
	q->e.facility = v[S_FACILITY];
	q->e.severity = pr->severity;
	q->e.area = pr->area;
	q->e.reported = pr->t;
	q->e.json = d ? d->text.s : NULL;
	q->e.jsonlen = d ? d->text.len : 0;
	q->id = v[S_ID];
	q->address = v[S_ADDRESS];
	q->unit = v[S_UNIT];
	q->area = v[S_AREA];
	q->sensor = v[S_SENSOR];
	q->metric = v[S_METRIC];
	q->value = pr->value;
	q->sh = pr->sh;
	q->t = pr->t;
}

int
warn_each(void *ctx, const struct ft_item *it)
{
	struct ft_warn *w = ctx;
	const struct pre *pr = NULL;
	const char *why;
	struct rec q;
	int st;

	if (w->failed)
		return w->failed;
	if (!(why = it->err)) {
		if (it->prep) {
			pr = it->prep;
		} else {
			ft_buf_reset(&w->prepped);
			prep_record(w->prep, it, &w->prepped);
			pr = (const struct pre *)(const void *)w->prepped.s;
		}
		if (pr->why)
			why = (const char *)pr + pr->why;
	}
	if (!why) {
		fetch_ahead(w, it);
		rec_of(pr, it->doc, &q);
		/* Counted in the batch it enters: a batch that ended at it
		 * kept the counts before it. */
		if ((st = ft_run_enter(&w->run)))
			return st;
		w->c.records++;
		if (q.reading)
			w->c.readings++;
		else
			w->c.events++;
		st = evaluate(w, &q, pr);
		warn_id_free(w, w->qid);
		w->qid = NULL;
		return st;
	}
	w->c.records++;
	ft_reject_add(&w->rej, w->run.fname, it->line, why, it->raw, it->rawlen,
		      it->doc ? it->doc->text.s : NULL,
		      it->doc ? it->doc->text.len : 0);
	return FT_OK;
}

/* fn on each of p's buffers. */
static void
prep_bufs(struct prep *p, void (*fn)(struct ft_buf *))
{
	struct ft_buf *const all[] = { &p->vals, &p->key, &p->why };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(struct ft_buf *); i++)
		fn(all[i]);
}

/* fn on each of w's buffers. */
static void
warn_bufs(struct ft_warn *w, void (*fn)(struct ft_buf *))
{
	struct ft_buf *const all[] = { &w->key, &w->json, &w->detail, &w->skey,
				       &w->prepped };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(struct ft_buf *); i++)
		fn(all[i]);
}

static struct prep *
prep_new(const struct ft_warn *w)
{
	struct prep *p = ft_xmalloc(sizeof(*p));

	memset(p, 0, sizeof(*p));
	p->w = w;
	prep_bufs(p, ft_buf_init);
	ft_cond_text_init(&p->text);
	ft_kw_hits_init(&p->hits);
	p->score = ft_xmalloc((w->rules.n + 1) * sizeof(*p->score));
	for (size_t i = 0; i < w->rules.n; i++)
		if (w->rules.r[i].key == FT_KEY_JQ)
			p->jqkey = 1;
	return p;
}

static void
prep_free(struct prep *p)
{
	if (!p)
		return;
	prep_bufs(p, ft_buf_release);
	ft_cond_text_release(&p->text);
	ft_kw_hits_release(&p->hits);
	free(p->score);
	free(p);
}

/*
 * Whether prep_record() may run in another thread: not when a condition
 * runs jq (the keys' jq programs run in this one).
 */
static int
prep_ahead(const struct ft_warn *w)
{
	size_t i;

	for (i = 0; i < w->rules.n; i++)
		if (w->rules.r[i].when.jq)
			return 0;
	return 1;
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
	w->pg_next = 1;
	w->db = db;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	w->t0 = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	warn_bufs(w, ft_buf_init);
	warn_sla_init(w);
	ft_json_doc_init(&w->keydoc);
	ft_run_init(&w->run, db, BATCH, o->dry_run, o->no_output);
	w->run.ctx = w;
	w->run.keep = warn_keep_counts;
	w->run.stage = warn_stage_counts;
	w->run.drop = warn_drop_counts;
	w->run.flush = warn_flush;
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
	w->cases = w->ws;
	w->score = ft_xmalloc((w->rules.n + 1) * sizeof(*w->score));
	w->horizon = ft_xmalloc((w->rules.n + 1) * sizeof(*w->horizon));
	w->floor = ft_xmalloc((w->rules.n + 1) * sizeof(*w->floor));
	for (size_t i = 0; i < w->rules.n; i++) {
		w->horizon[i] = warn_horizon(&w->rules.r[i]);
		w->floor[i] = kw_floor(&w->rules.r[i]);
	}
	warn_slots_init(w);
	sieve_rules(w);
	rule_bits(w);
	w->prep = prep_new(w);
	if (prep_ahead(w)) {
		w->ahead = prep_new(w);
		w->run.prep = prep_record;
		w->run.prep_ctx = w->ahead;
	}
	/* A dry-run back-test tries the rules as if new: none is muted. */
	if (!o->fresh && (st = ft_warn_sils_load(&w->sils, w->ws)))
		return st;
	for (size_t i = 0; i < w->rules.n; i++)
		w->sla.rules += w->rules.r[i].type == FT_WARN_SLA;
	for (size_t i = 0; i < w->rules.n; i++)
		if (w->rules.r[i].type == FT_WARN_DROP)
			w->drops = 1;
	return o->fresh ? FT_OK : warn_load_state(w);
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
			int st = warn_sla_stored(p->w, r, &p->doc, &it);

			if (st)
				return st;
		}
	}
	return warn_each(p->w, &it);
}

#define PAGE 5000

/*
 * A stored reading, as warn_each() takes a record of the stream; h: the
 * sensor_hash() of the one read ahead of it (fetch_ring()), or 0.
 */
static int
stored_reading(struct ft_warn *w, const struct ft_reading *r, uint64_t h)
{
	struct rec q;
	int st;

	if (w->failed)
		return w->failed;
	fetch_ring(w, h);
	/* The status changes before it come first, as in time order. */
	if (w->sla.rules && (st = warn_sla_drain(w, r->at)))
		return st;
	memset(&q, 0, sizeof(q));
	q.e.area = -1;
	q.reading = 1;
	q.sensor = r->sensor;
	q.metric = *r->metric ? r->metric : NULL;
	q.value = r->value;
	q.t = q.e.reported = r->at;
	if ((st = ft_run_enter(&w->run)))
		return st;
	w->c.records++;
	w->c.readings++;
	return evaluate(w, &q, NULL);
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
 * The back-test's writer thread, and the connection it reads the records
 * through meanwhile (see struct ft_warn); none for a dry run, whose one
 * transaction stays the engine's own, or when there is no second
 * connection (then it reads and writes through db, as before).
 */
static void
second_close(struct ft_warn *w)
{
	ft_store_close(w->rstore);
	ft_store_warn_close(w->rws);
	w->rstore = NULL;
	w->rws = NULL;
	w->cases = w->ws;
	if (w->rdb.h)
		ft_db_close(&w->rdb);
}

static int
second_open(struct ft_warn *w)
{
#ifndef FT_NO_WRITER
	int st;

	if (w->o.dry_run || w->run.wq || ft_db_open_second(&w->rdb, w->db))
		return FT_OK;
	if ((st = ft_store_open(&w->rstore, &w->rdb)) ||
	    (st = ft_store_warn_open(&w->rws, &w->rdb)))
		return st;
	w->cases = w->rws;
	if (!(w->run.wq = ft_wq_start()))
		second_close(w);
#else
	(void)w;
#endif
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
	struct ft_reading ra[FT_PREP_AHEAD];
	struct ft_buf next;
	char bound[FT_TIME_LEN];
	const char *why, *to;
	int64_t end, from, te = 0, tr = 0;
	struct ft_store *rs;
	int st, has_e, has_r, any, open = 0;
	long n, nra, i;
	uint64_t h;

	memset(&p, 0, sizeof(p));
	p.w = w;
	ft_json_doc_init(&p.doc);
	ft_buf_init(&p.at);
	ft_buf_init(&next);
	ft_buf_adds(&p.at, "");
	w->run.fname = "the database";
	if ((st = second_open(w)))
		return st;
	rs = w->rstore ? w->rstore : w->store;
	w->sla.since = INT64_MIN;
	w->sla.until = NEVER;
	if ((st = ft_time_parse(since, strlen(since), &from, &why)) ||
	    (st = ft_time_parse(until, strlen(until), &end, &why)))
		st = FT_SOFTWARE;
	else {
		w->sla.since = from;
		w->sla.until = end;
		if (!w->sla.rules || !(st = warn_sla_waiting(w)))
			st = ft_store_rd_open(&rd, w->rstore ? &w->rdb : w->db,
					      from, end);
	}
	/*
	 * A batch spans pages, as in a stream: it ends once it holds as
	 * many records as a stream's, between two pages (no statement open).
	 */
	while (!st) {
		ft_buf_reset(&next);
		if ((st = ft_store_events_each(rs, since, until, p.at.s, p.seq,
					       1, peek_event, &next)) ||
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
			st = ft_store_events_each(rs, since, to, p.at.s, p.seq,
						  PAGE, stored_one, &p);
		} else {
			/*
			 * The readings before the second of the next event,
			 * read up to FT_PREP_AHEAD ahead (ra[i % AHEAD],
			 * i < nra), so that their slots are fetched while
			 * those before them decide; none is left read ahead
			 * when the page ends.
			 */
			for (n = nra = 0; !st && n < PAGE; n++) {
				h = 0;
				while (!st && nra - n < FT_PREP_AHEAD &&
				       nra < PAGE) {
					struct ft_reading *x =
						&ra[nra % FT_PREP_AHEAD];

					if ((st = ft_store_rd_peek(rd, &any,
								   &tr)) ||
					    !any || (has_e && tr >= te) ||
					    (st = ft_store_rd_next(rd, x,
								   &any)))
						break;
					h = sensor_hash(x->sensor,
							*x->metric ? x->metric :
								     NULL);
					nra++;
				}
				if (st || n == nra)
					break;
				i = n % FT_PREP_AHEAD;
				st = stored_reading(w, &ra[i], h);
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
		    !(st = warn_sla_drain(w, end)) &&
		    !(st = warn_advance(w, end)))
			st = ft_run_end(&w->run);
		else
			ft_run_drop(&w->run);
	}
	second_close(w);
	ft_json_doc_release(&p.doc);
	ft_buf_release(&p.at);
	ft_buf_release(&next);
	return st;
}

int
ft_warn_file(struct ft_warn *w, const char *path)
{
#ifndef FT_NO_WRITER
	/* A dry run's one transaction stays the engine's own. */
	if (!w->run.wq && !w->o.dry_run)
		w->run.wq = ft_wq_start();
#endif
	return ft_run_file(&w->run, path, warn_each);
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
	ft_wq_stop(w->run.wq);
	second_close(w);
	warn_forget(w);
	warn_sla_release(w);
	free(w->flat);
	free(w->flat_at);
	free(w->dirty);
	free(w->pg);
	free(w->live);
	ft_warn_rules_free(&w->rules);
	ft_store_warn_close(w->ws);
	ft_hist_release(&w->hist);
	ft_reject_close(&w->rej);
	ft_run_release(&w->run);
	ft_area_free(w->a);
	ft_store_close(w->store);
	prep_free(w->prep);
	prep_free(w->ahead);
	ft_json_doc_release(&w->keydoc);
	free(w->score);
	free(w->sieve[0].mask);
	free(w->sieve[1].mask);
	free(w->sieve[0].take);
	free(w->sieve[1].take);
	free(w->evrules);
	free(w->slarules);
	free(w->resid);
	ft_warn_sils_release(&w->sils);
	free(w->dvbuf);
	free(w->horizon);
	free(w->floor);
	warn_slots_free(w);
	free(w->loose);
	warn_bufs(w, ft_buf_release);
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
