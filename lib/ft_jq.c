#include "ft_jq.h"
#include "ft_err.h"
#include "ft_json.h"

#include <jq.h>
#include <jv.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A member a picking map makes: see pick_parse(). */
struct pick {
	char *key; /* the output key, as JSON text with its quotes */
	char *from; /* the input member it takes */
};

struct ft_jq {
	jq_state *jq;
	struct ft_buf err, str;
	const char *origin;
	int running;
	long long base;		/* bytes held when the run started */
	double used;		/* seconds the run has worked so far */
	struct pick *pick; /* the map only picks members; NULL: not */
	size_t npick;
	struct ft_json_doc out; /* a picked output waiting for ft_jq_next() */
	int picked; /* 1 while out waits */
};

/* ---- bounds: libjq's allocator, and a watchdog for its time ---- */

/*
 * A filter that never ends (def f: f; f) allocates nothing, so only time
 * catches it; one that grows ([repeat(1)]) is caught by what it holds.
 * libjq checks jq_halt()'s flag before each instruction and stays usable
 * after a halt, so both stop the run between two instructions.  A single
 * builtin step ("x" * 1e8) cannot be stopped inside: it is seen after.
 */
static double limit_secs = FT_JQ_SECONDS;
static long long limit_bytes = (long long)FT_JQ_MEGABYTES << 20;

/*
 * What libjq holds, counted through its allocator, which it calls through
 * the PLT, so these definitions take the place of its own.  Counted per
 * thread, and signed: libjq hands jv_mem_free() some memory it had from
 * plain malloc(), so the count only means something as a difference.
 */
/* libjq's jv_alloc.h, which it does not install. */
void *jv_mem_alloc(size_t n);
void *jv_mem_alloc_unguarded(size_t n);
void *jv_mem_calloc(size_t n, size_t size);
void *jv_mem_calloc_unguarded(size_t n, size_t size);
char *jv_mem_strdup(const char *s);
char *jv_mem_strdup_unguarded(const char *s);
void jv_mem_free(void *p);
void *jv_mem_realloc(void *p, size_t n);

static _Thread_local long long held;
static _Thread_local struct ft_jq *working;	/* the run under way, or NULL */

enum { STOP_TIME = 1, STOP_MEMORY };

/*
 * The last input built, kept: the jq conditions of a rules file are tried
 * one after another on the same record, and building it was most of a
 * test's cost.  A jv cannot be changed, only copied, so sharing it is safe.
 */
static _Thread_local struct {
	struct ft_buf text;
	jv v;
	int set;
} last_input;

static void
forget_input(void)
{
	if (!last_input.set)
		return;
	jv_free(last_input.v);
	ft_buf_release(&last_input.text);
	last_input.set = 0;
}

static struct {
	pthread_mutex_t mu;
	jq_state *jq;		/* working now, or NULL */
	clockid_t cpu;		/* the CPU clock of the thread working */
	double start;		/* when the call began (CLOCK_MONOTONIC) */
	double used;		/* what the run had used before it */
	int seen;		/* the watchdog has seen the call: */
	double seen_at;		/* when, */
	double seen_cpu;	/* and the thread's CPU time then */
	int stopped;		/* STOP_*: why the call under way was halted */
} wd = { .mu = PTHREAD_MUTEX_INITIALIZER };
static pthread_once_t wd_once = PTHREAD_ONCE_INIT;

/* Halts jq, called with wd.mu held; libjq asserts it is not halted. */
static void
halt(int why)
{
	if (!wd.jq || wd.stopped)
		return;
	if (!jq_halted(wd.jq))
		jq_halt(wd.jq, jv_invalid(), jv_invalid());
	wd.stopped = why;
}

static void
count(long long n)
{
	held += n;
	if (n > 0 && working && limit_bytes &&
	    held - working->base > limit_bytes) {
		pthread_mutex_lock(&wd.mu);
		halt(STOP_MEMORY);
		pthread_mutex_unlock(&wd.mu);
	}
}

static void *
counted(void *p)
{
	if (p)
		count((long long)malloc_usable_size(p));
	return p;
}

void *
jv_mem_alloc_unguarded(size_t n)
{
	return counted(malloc(n ? n : 1));
}

void *
jv_mem_alloc(size_t n)
{
	void *p = jv_mem_alloc_unguarded(n);

	if (!p)
		ft_die_nomem();
	return p;
}

void *
jv_mem_calloc_unguarded(size_t n, size_t size)
{
	return counted(calloc(n ? n : 1, size ? size : 1));
}

void *
jv_mem_calloc(size_t n, size_t size)
{
	void *p = jv_mem_calloc_unguarded(n, size);

	if (!p)
		ft_die_nomem();
	return p;
}

char *
jv_mem_strdup_unguarded(const char *s)
{
	return counted(strdup(s));
}

char *
jv_mem_strdup(const char *s)
{
	char *p = jv_mem_strdup_unguarded(s);

	if (!p)
		ft_die_nomem();
	return p;
}

void
jv_mem_free(void *p)
{
	if (p)
		held -= (long long)malloc_usable_size(p);
	free(p);
}

void *
jv_mem_realloc(void *p, size_t n)
{
	long long was = p ? (long long)malloc_usable_size(p) : 0;
	void *q = realloc(p, n ? n : 1);

	if (!q)
		ft_die_nomem();
	count((long long)malloc_usable_size(q) - was);
	return q;
}

static double
clock_secs(clockid_t id)
{
	struct timespec t;

	if (clock_gettime(id, &t))
		return -1;
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * A run's time is what its calls to jq_next() took, so a filter that never
 * ends and one that gives outputs for ever are both bounded; ft's own work
 * between the calls is not counted.  A call shorter than TICK is timed by
 * the wall clock (two reads of CLOCK_MONOTONIC: the CPU clock of a thread
 * costs a system call).  A longer one is timed by its thread's CPU clock
 * from when the watchdog first saw it, so a process stopped (^Z) or starved
 * meanwhile is not blamed for the time it did not run.  Before that the
 * call counts as one TICK at the most: the watchdog looks every TICK, and
 * a later first look means that it, or the whole process, did not run
 * (stopped, or starved on a loaded machine), not that jq worked.
 */
#define TICK 0.1

/* The time of the call under way before the watchdog saw it (wd.mu held). */
static double
before_seen(void)
{
	double t = wd.seen_at - wd.start;

	return t < TICK ? t : TICK;
}

static void *
watch(void *arg)
{
	const struct timespec tick = { 0, (long)(TICK * 1e9) };
	double now, cpu;

	(void)arg;
	for (;;) {
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&wd.mu);
		if (wd.jq && !wd.stopped &&
		    (now = clock_secs(CLOCK_MONOTONIC)) >= 0 &&
		    (cpu = clock_secs(wd.cpu)) >= 0) {
			if (!wd.seen) {
				wd.seen = 1;
				wd.seen_at = now;
				wd.seen_cpu = cpu;
			}
			if (wd.used + before_seen() + (cpu - wd.seen_cpu) >=
			    limit_secs)
				halt(STOP_TIME);
		}
		pthread_mutex_unlock(&wd.mu);
	}
	return NULL;
}

static void
watch_start(void)
{
	sigset_t all, old;
	pthread_t tid;

	/* Signals stay with the threads that wait for them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (!pthread_create(&tid, NULL, watch, NULL))
		pthread_detach(tid);
	else
		ft_warn("jq: cannot start the watchdog: a filter that never "
			"ends will not be stopped");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void
ft_jq_limits(double seconds, long long bytes)
{
	limit_secs = seconds;
	limit_bytes = bytes;
}

/* Before each jq_next(): 0, or STOP_TIME when the run has used its time. */
static int
arm(struct ft_jq *q)
{
	clockid_t cpu;

	if (limit_secs > 0) {
		if (q->used >= limit_secs)
			return STOP_TIME;
		pthread_once(&wd_once, watch_start);
	}
	if (pthread_getcpuclockid(pthread_self(), &cpu))
		cpu = CLOCK_MONOTONIC;
	working = q;
	pthread_mutex_lock(&wd.mu);
	wd.jq = limit_secs > 0 || limit_bytes ? q->jq : NULL;
	wd.cpu = cpu;
	wd.used = q->used;
	wd.seen = 0;
	wd.stopped = 0;
	wd.start = clock_secs(CLOCK_MONOTONIC);
	pthread_mutex_unlock(&wd.mu);
	return 0;
}

/* After it: 0, or STOP_* when it was halted. */
static int
disarm(struct ft_jq *q)
{
	double now = clock_secs(CLOCK_MONOTONIC), took;
	int why;

	working = NULL;
	pthread_mutex_lock(&wd.mu);
	took = now - wd.start;
	if (took >= TICK / 2) {
		/* Long: CPU time from when the watchdog saw it. */
		double cpu = wd.seen ? clock_secs(wd.cpu) : -1;

		took = cpu >= 0 ? before_seen() + (cpu - wd.seen_cpu) : TICK;
	}
	q->used += took;
	wd.jq = NULL;
	why = wd.stopped;
	wd.stopped = 0;
	pthread_mutex_unlock(&wd.mu);
	return why;
}

/* The reason a run was halted, in q->err. */
static const char *
stopped(struct ft_jq *q, int why)
{
	ft_buf_reset(&q->err);
	if (why == STOP_TIME)
		ft_buf_addf(&q->err, "stopped after %g s of work "
			    "(FT_JQ_TIME)", limit_secs);
	else
		ft_buf_addf(&q->err, "stopped at %lld MiB of memory "
			    "(FT_JQ_MEMORY)", limit_bytes >> 20);
	return q->err.s;
}

/* jq_next() within the bounds: *why is 0 or STOP_*. */
static jv
next(struct ft_jq *q, int *why)
{
	jv v;

	if ((*why = arm(q)))
		return jv_invalid();
	v = jq_next(q->jq);
	*why = disarm(q);
	if (*why) {
		jv_free(v);
		return jv_invalid();
	}
	return v;
}

/* Collects compile errors; libjq hands each one over as a jv we own. */
static void
collect(void *data, jv msg)
{
	struct ft_jq *q = data;

	if (jv_get_kind(msg) == JV_KIND_STRING) {
		if (q->err.len)
			ft_buf_addc(&q->err, '\n');
		ft_buf_adds(&q->err, jv_string_value(msg));
	}
	jv_free(msg);
}

/* ---- maps that only pick members ---- */

/* jq 1.6's keywords: "{if}" is not "{if: .if}". */
static const char *const jq_keywords[] = {
	"__loc__", "and",     "as",   "catch",	"def",	   "elif",  "else",
	"end",	   "foreach", "if",   "import", "include", "label", "module",
	"or",	   "reduce",  "then", "try",	NULL
};

static int
ident_char(int c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* Past jq's white space (a comment is not taken: the caller gives up). */
static const char *
jq_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* An identifier at p, not a keyword, into b: its end, or NULL. */
static const char *
jq_ident(const char *p, struct ft_buf *b)
{
	const char *s = p;
	size_t i;

	if (!ident_char((unsigned char)*p, 1))
		return NULL;
	while (ident_char((unsigned char)*p, 0))
		p++;
	if (*p == ':' && p[1] == ':')
		return NULL; /* a module's name */
	ft_buf_reset(b);
	ft_buf_add(b, s, (size_t)(p - s));
	for (i = 0; jq_keywords[i]; i++)
		if (!strcmp(b->s, jq_keywords[i]))
			return NULL;
	return p;
}

/* A string literal of printable ASCII, no escape, into b: its end. */
static const char *
jq_plain_string(const char *p, struct ft_buf *b)
{
	const char *s;

	if (*p != '"')
		return NULL;
	for (s = ++p; *p != '"'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '\\')
			return NULL;
	ft_buf_reset(b);
	ft_buf_add(b, s, (size_t)(p - s));
	return p + 1;
}

static void
pick_free(struct ft_jq *q)
{
	size_t i;

	for (i = 0; i < q->npick; i++) {
		free(q->pick[i].key);
		free(q->pick[i].from);
	}
	free(q->pick);
	q->pick = NULL;
	q->npick = 0;
}

/* After a picking map's ':' at p: ".name" into from, and past it. */
static const char *
pick_from(const char *p, struct ft_buf *from)
{
	p = jq_space(p + 1);
	if (*p != '.' || !(p = jq_ident(p + 1, from)))
		return NULL;
	return jq_space(p);
}

/*
 * Whether program, which compiles, is a map that only picks members of
 * an object: "{a, b: .c, "d e": .f}", each a name (an identifier, not a
 * keyword) or a key (the same, or a plain string) and one member of the
 * input (".name"), no key twice, no comment.  The common map of an export
 * renamed; jq is then not needed for an object (see pick()).  Sets
 * q->pick, or leaves it NULL for any other program.
 */
static void
pick_parse(struct ft_jq *q, const char *program)
{
	struct ft_buf key = FT_BUF_INIT, from = FT_BUF_INIT, json = FT_BUF_INIT;
	const char *p = jq_space(program), *e;
	size_t cap = 0, i;
	int ok = 0;

	if (*p++ != '{')
		return;
	for (;;) {
		p = jq_space(p);
		if ((e = jq_ident(p, &key))) {
			p = jq_space(e);
			if (*p == ':') {
				p = pick_from(p, &from);
			} else {
				ft_buf_reset(&from);
				ft_buf_add(&from, key.s, key.len);
			}
		} else if ((e = jq_plain_string(p, &key))) {
			p = jq_space(e);
			p = *p == ':' ? pick_from(p, &from) : NULL;
		} else {
			p = NULL;
		}
		if (!p)
			break;
		ft_buf_reset(&json);
		ft_json_escape(&json, key.s, key.len);
		for (i = 0; i < q->npick; i++)
			if (!strcmp(q->pick[i].key, json.s))
				break;
		if (i < q->npick)
			break;
		if (q->npick == cap) {
			cap = cap ? cap * 2 : 16;
			q->pick = ft_xrealloc(q->pick,
					      cap * sizeof(struct pick));
		}
		q->pick[q->npick].key = ft_xstrdup(json.s);
		q->pick[q->npick].from = ft_xstrdup(from.s);
		q->npick++;
		if (*p == ',') {
			p++;
			continue;
		}
		ok = *p == '}' && !*jq_space(p + 1);
		break;
	}
	if (!ok)
		pick_free(q);
	ft_buf_release(&key);
	ft_buf_release(&from);
	ft_buf_release(&json);
}

/* Compiles program; with quiet, says nothing when it cannot. */
static struct ft_jq *
compile(const char *program, const char *origin, int quiet)
{
	struct ft_jq *q = ft_xmalloc(sizeof(*q));
	char *line, *save;

	memset(q, 0, sizeof(*q));
	ft_buf_init(&q->err);
	ft_buf_init(&q->str);
	ft_json_doc_init(&q->out);
	q->origin = origin;
	q->jq = jq_init();
	if (!q->jq) {
		if (!quiet)
			ft_error("%s: cannot start jq", origin);
		free(q);
		return NULL;
	}
	jq_set_error_cb(q->jq, collect, q);
	if (!jq_compile(q->jq, program)) {
		if (!quiet) {
			for (line = strtok_r(q->err.s, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save))
				ft_error("%s: %s", origin, line);
			if (!q->err.len)
				ft_error("%s: the filter does not compile",
					 origin);
		}
		ft_jq_free(q);
		return NULL;
	}
	pick_parse(q, program);
	return q;
}

struct ft_jq *
ft_jq_compile(const char *program, const char *origin)
{
	return compile(program, origin, 0);
}

void
ft_jq_free(struct ft_jq *q)
{
	if (!q)
		return;
	forget_input();
	if (q->jq)
		jq_teardown(&q->jq);
	ft_buf_release(&q->err);
	ft_buf_release(&q->str);
	pick_free(q);
	ft_json_doc_release(&q->out);
	free(q);
}

static const char *
message(struct ft_jq *q, jv msg)
{
	ft_buf_reset(&q->err);
	if (jv_get_kind(msg) == JV_KIND_STRING) {
		ft_buf_adds(&q->err, jv_string_value(msg));
	} else {
		jv s = jv_dump_string(jv_copy(msg), 0);

		ft_buf_adds(&q->err, jv_string_value(s));
		jv_free(s);
	}
	jv_free(msg);
	return q->err.s;
}

/* Past JSON's insignificant white space. */
static const char *
skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/*
 * Builds the jv of the JSON text at *p (up to end), which the strict parser
 * has passed or ft has written, so it is valid JSON; sets *p past it.  On
 * anything unexpected it returns an invalid jv without a message, and the
 * caller falls back on libjq's own parser.  libjq's parser was the most
 * expensive single step of a --map run (it also makes a parser a call).
 */
static jv
build(struct ft_jq *q, const char **p, const char *end, int depth)
{
	const char *s;
	jv v, k, e;

	*p = skip_space(*p, end);
	if (*p >= end || depth > FT_JSON_MAX_DEPTH)
		return jv_invalid();
	s = *p;
	switch (*s) {
	case '{':
		v = jv_object();
		*p = skip_space(*p + 1, end);
		if (*p < end && **p == '}') {
			++*p;
			return v;
		}
		for (;;) {
			k = build(q, p, end, depth + 1);
			*p = skip_space(*p, end);
			if (jv_get_kind(k) != JV_KIND_STRING || *p >= end ||
			    **p != ':') {
				jv_free(k);
				jv_free(v);
				return jv_invalid();
			}
			++*p;
			e = build(q, p, end, depth + 1);
			if (!jv_is_valid(e)) {
				jv_free(k);
				jv_free(v);
				return e;
			}
			v = jv_object_set(v, k, e);
			*p = skip_space(*p, end);
			if (*p < end && **p == ',') {
				++*p;
				continue;
			}
			if (*p < end && **p == '}') {
				++*p;
				return v;
			}
			jv_free(v);
			return jv_invalid();
		}
	case '[':
		v = jv_array();
		*p = skip_space(*p + 1, end);
		if (*p < end && **p == ']') {
			++*p;
			return v;
		}
		for (;;) {
			e = build(q, p, end, depth + 1);
			if (!jv_is_valid(e)) {
				jv_free(v);
				return e;
			}
			v = jv_array_append(v, e);
			*p = skip_space(*p, end);
			if (*p < end && **p == ',') {
				++*p;
				continue;
			}
			if (*p < end && **p == ']') {
				++*p;
				return v;
			}
			jv_free(v);
			return jv_invalid();
		}
	case '"':
		for (++s; s < end && *s != '"'; s++)
			if (*s == '\\' && ++s == end)
				return jv_invalid();
		if (s == end)
			return jv_invalid();
		s++;
		if (!memchr(*p, '\\', (size_t)(s - *p)))
			v = jv_string_sized(*p + 1, (int)(s - *p - 2));
		else {
			ft_buf_reset(&q->str);
			ft_json_unescape(*p, (size_t)(s - *p), &q->str);
			v = jv_string_sized(q->str.s, (int)q->str.len);
		}
		*p = s;
		return v;
	case 't':
		if (end - s >= 4 && !memcmp(s, "true", 4)) {
			*p += 4;
			return jv_true();
		}
		return jv_invalid();
	case 'f':
		if (end - s >= 5 && !memcmp(s, "false", 5)) {
			*p += 5;
			return jv_false();
		}
		return jv_invalid();
	case 'n':
		if (end - s >= 4 && !memcmp(s, "null", 4)) {
			*p += 4;
			return jv_null();
		}
		return jv_invalid();
	default: {
		char num[64], *stop;
		size_t n;

		while (s < end && (*s == '-' || *s == '+' || *s == '.' ||
				   *s == 'e' || *s == 'E' ||
				   (*s >= '0' && *s <= '9')))
			s++;
		n = (size_t)(s - *p);
		if (!n || n >= sizeof(num))
			return jv_invalid();
		memcpy(num, *p, n);
		num[n] = '\0';
		v = jv_number(strtod(num, &stop));
		if (*stop)
			return jv_invalid();
		*p = s;
		return v;
	}
	}
}

/* The jv of the JSON text json[0..len), white space allowed. */
static jv
input(struct ft_jq *q, const char *json, size_t len)
{
	const char *p = json, *end = json + len;
	jv v;

	if (last_input.set && last_input.text.len == len &&
	    !memcmp(last_input.text.s, json, len))
		return jv_copy(last_input.v);
	v = build(q, &p, end, 0);
	if (jv_is_valid(v) && skip_space(p, end) == end) {
		forget_input();
		ft_buf_add(&last_input.text, json, len);
		last_input.v = jv_copy(v);
		last_input.set = 1;
		return v;
	}
	jv_free(v);
	return jv_parse_sized(json, (int)len);
}

int
ft_jq_start(struct ft_jq *q, const char *json, size_t len, const char **err)
{
	jv in;

	q->picked = 0;
	in = input(q, json, len);

	if (!jv_is_valid(in)) {
		*err = message(q, jv_invalid_get_msg(in));
		return -1;
	}
	jq_start(q->jq, in, 0);
	q->base = held;
	q->used = 0;
	q->running = 1;
	return 0;
}

/*
 * Adds member m, its key and value written in out, to d's index, as
 * ft_json_parse() indexes it.
 */
static void
index_member(struct ft_json_doc *d, const struct ft_buf *out,
	     struct ft_json_member *m)
{
	m->escaped = memchr(out->s + m->key, '\\', m->keylen) != NULL;
	m->vplain = 0;
	m->hash = ft_json_key_hash(out->s + m->key, m->keylen);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->m = ft_xrealloc(d->m, d->cap * sizeof(*d->m));
	}
	d->m[d->n++] = *m;
}

/*
 * Writes v as compact JSON, borrowing it.  Faster than jv_dump_string(),
 * which was a quarter of a --map run.  With d, v's top-level members are
 * indexed in d as ft_json_parse() would, which saves parsing the text
 * again: it is JSON by construction (jq's strings are valid UTF-8).
 */
static void
dump(struct ft_buf *out, jv v, struct ft_json_doc *d)
{
	int i, n, first;

	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
	case JV_KIND_INVALID:
		ft_buf_add(out, "null", 4);
		break;
	case JV_KIND_FALSE:
		ft_buf_add(out, "false", 5);
		break;
	case JV_KIND_TRUE:
		ft_buf_add(out, "true", 4);
		break;
	case JV_KIND_NUMBER:
		ft_json_number(out, jv_number_value(v));
		break;
	case JV_KIND_STRING:
		ft_json_escape(out, jv_string_value(v),
			       (size_t)jv_string_length_bytes(jv_copy(v)));
		break;
	case JV_KIND_ARRAY:
		ft_buf_addc(out, '[');
		n = jv_array_length(jv_copy(v));
		for (i = 0; i < n; i++) {
			jv e = jv_array_get(jv_copy(v), i);

			if (i)
				ft_buf_addc(out, ',');
			dump(out, e, NULL);
			jv_free(e);
		}
		ft_buf_addc(out, ']');
		break;
	case JV_KIND_OBJECT:
		ft_buf_addc(out, '{');
		first = 1;
		for (i = jv_object_iter(v); jv_object_iter_valid(v, i);
		     i = jv_object_iter_next(v, i)) {
			jv k = jv_object_iter_key(v, i);
			jv e = jv_object_iter_value(v, i);
			struct ft_json_member m;

			if (!first)
				ft_buf_addc(out, ',');
			first = 0;
			m.key = out->len + 1;
			dump(out, k, NULL);
			m.keylen = out->len - 1 - m.key;
			ft_buf_addc(out, ':');
			m.val = out->len;
			dump(out, e, NULL);
			m.vallen = out->len - m.val;
			jv_free(k);
			jv_free(e);
			if (!d)
				continue;
			index_member(d, out, &m);
		}
		ft_buf_addc(out, '}');
		break;
	}
}

/*
 * Writes the compact value v[0..len), which the strict parser passed, as
 * dump() writes what build() makes of it.  Returns 0, or -1 when build()
 * would not take it (the caller goes through libjq).
 */
static int
put_value(struct ft_jq *q, struct ft_buf *out, const char *v, size_t len)
{
	char num[64], *stop;
	const char *p = v;
	jv j;

	switch (*v) {
	case '"':
		if (!memchr(v, '\\', len)) {
			ft_json_escape(out, v + 1, len - 2);
			return 0;
		}
		ft_buf_reset(&q->str);
		ft_json_unescape(v, len, &q->str);
		ft_json_escape(out, q->str.s, q->str.len);
		return 0;
	case 't':
	case 'f':
	case 'n':
		ft_buf_add(out, v, len);
		return 0;
	case '{':
	case '[':
		j = build(q, &p, v + len, 1);
		if (!jv_is_valid(j) || p != v + len) {
			jv_free(j);
			return -1;
		}
		dump(out, j, NULL);
		jv_free(j);
		return 0;
	default:
		if (len >= sizeof(num))
			return -1;
		memcpy(num, v, len);
		num[len] = '\0';
		ft_json_number(out, strtod(num, &stop));
		return *stop ? -1 : 0;
	}
}

/*
 * A picking map (pick_parse()) on the object in: its output into q->out,
 * indexed as ft_jq_next() indexes jq's, the members missing null.
 * Returns 0, or -1 when a value is one build() would not take.
 */
static int
pick(struct ft_jq *q, const struct ft_json_doc *in)
{
	struct ft_json_doc *d = &q->out;
	struct ft_buf *out = &d->text;
	const struct ft_json_member *v;
	struct ft_json_member m;
	size_t i;

	ft_buf_reset(out);
	d->n = 0;
	d->type = '{';
	ft_buf_addc(out, '{');
	for (i = 0; i < q->npick; i++) {
		if (i)
			ft_buf_addc(out, ',');
		m.key = out->len + 1;
		ft_buf_adds(out, q->pick[i].key);
		m.keylen = out->len - 1 - m.key;
		ft_buf_addc(out, ':');
		m.val = out->len;
		v = ft_json_get(in, q->pick[i].from);
		if (!v)
			ft_buf_add(out, "null", 4);
		else if (put_value(q, out, in->text.s + v->val, v->vallen))
			return -1;
		m.vallen = out->len - m.val;
		index_member(d, out, &m);
	}
	ft_buf_addc(out, '}');
	return 0;
}

int
ft_jq_start_doc(struct ft_jq *q, const struct ft_json_doc *in, const char **err)
{
	q->picked = 0;
	if (q->pick && in->type == '{' && !pick(q, in)) {
		q->picked = 1;
		q->running = 0;
		return 0;
	}
	return ft_jq_start(q, in->text.s, in->text.len, err);
}

/*
 * After jq_next() gave nothing: did the program stop itself?  halt ends
 * the run as if it had come to its end; halt_error is the program's
 * error, its input the reason in *err: a string as it is, less one final
 * newline, anything else as JSON.  libjq 1.6 frees that input at the next
 * jq_start() but keeps it, and frees it again at the one after (a double
 * free): so the state is reset here, while this module holds a copy, and
 * halted again with nothing to free.
 */
static void
self_halted(struct ft_jq *q, const char **err)
{
	jv code, msg;
	int failed;

	if (!jq_halted(q->jq))
		return;
	code = jq_get_exit_code(q->jq);
	msg = jq_get_error_message(q->jq);
	failed = jv_is_valid(code);
	jv_free(code);
	jq_start(q->jq, jv_null(), 0);
	jq_halt(q->jq, jv_invalid(), jv_invalid());
	if (!failed) {
		jv_free(msg);
		return;
	}
	*err = message(q, msg);
	if (q->err.len && q->err.s[q->err.len - 1] == '\n')
		q->err.s[--q->err.len] = '\0';
}

int
ft_jq_next(struct ft_jq *q, struct ft_json_doc *d, const char **err)
{
	jv v;
	int why;

	*err = NULL;
	if (q->picked) {
		struct ft_json_doc t = *d;

		*d = q->out;
		q->out = t;
		q->picked = 0;
		return 1;
	}
	if (!q->running)
		return 0;
	v = next(q, &why);
	if (why) {
		q->running = 0;
		*err = stopped(q, why);
		return 0;
	}
	if (!jv_is_valid(v)) {
		q->running = 0;
		if (jv_invalid_has_msg(jv_copy(v))) {
			*err = message(q, jv_invalid_get_msg(v));
			return 0;
		}
		jv_free(v);
		self_halted(q, err);
		return 0;
	}
	ft_buf_reset(&d->text);
	d->n = 0;
	switch (jv_get_kind(v)) {
	case JV_KIND_OBJECT: d->type = '{'; break;
	case JV_KIND_ARRAY: d->type = '['; break;
	case JV_KIND_STRING: d->type = '"'; break;
	case JV_KIND_NUMBER: d->type = '0'; break;
	case JV_KIND_TRUE: d->type = 't'; break;
	case JV_KIND_FALSE: d->type = 'f'; break;
	default: d->type = 'n'; break;
	}
	dump(&d->text, v, d);
	jv_free(v);
	return 1;
}

int
ft_jq_test(struct ft_jq *q, const char *json, size_t len, const char **err,
	   int *halted)
{
	jv v;
	int k, why;

	*err = NULL;
	*halted = 0;
	if (ft_jq_start(q, json, len, err))
		return 0;
	v = next(q, &why);
	q->running = 0;
	if (why) {
		*err = stopped(q, why);
		*halted = 1;
		return 0;
	}
	if (!jv_is_valid(v)) {
		if (jv_invalid_has_msg(jv_copy(v))) {
			*err = message(q, jv_invalid_get_msg(v));
			return 0;
		}
		jv_free(v);
		self_halted(q, err);
		return 0;	/* empty: no output is not true */
	}
	k = jv_get_kind(v);
	jv_free(v);
	return k != JV_KIND_NULL && k != JV_KIND_FALSE;
}

struct ft_jq *
ft_jq_compile_quiet(const char *program)
{
	return compile(program, "--map", 1);
}

/* Does the program text p start with the keyword kw? */
static int
keyword(const char *p, const char *kw)
{
	size_t n = strlen(kw);
	char c = p[n];

	return !strncmp(p, kw, n) &&
	       !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		 (c >= '0' && c <= '9') || c == '_');
}

int
ft_jq_split(const char *program, struct ft_buf *paths, struct ft_buf *rest)
{
	const char *p, *first = NULL, *last = NULL;
	char open[64];	/* '(' '[' '{', or 'S' for "\(" in a string */
	int n = 0, instr = 0;

	for (p = program; *p; p++) {
		if (instr) {
			if (*p == '\\' && p[1] == '(') {
				if (n == (int)sizeof(open))
					return 0;
				open[n++] = 'S';
				instr = 0;
				p++;
			} else if (*p == '\\' && p[1]) {
				p++;
			} else if (*p == '"') {
				instr = 0;
				last = p;
			}
			continue;
		}
		switch (*p) {
		case '#':
			while (p[1] && p[1] != '\n')
				p++;
			continue;
		case ' ': case '\t': case '\r': case '\n':
			continue;
		case '"':
			instr = 1;
			break;
		case '(': case '[': case '{':
			if (n == (int)sizeof(open))
				return 0;
			open[n++] = *p;
			break;
		case ')': case ']': case '}':
			if (n == 0)
				return 0;
			if (open[--n] == 'S') {
				instr = 1;
				continue;
			}
			break;
		case '|':
			if (n == 0 && p[1] != '=')
				goto split;
			break;
		}
		if (!first)
			first = p;
		last = p;
	}
	return 0;
split:
	if (!first || !last)
		return 0;
	if (keyword(first, "def") || keyword(first, "import") ||
	    keyword(first, "include"))
		return 0;
	if (*last == '?')
		last--;
	if (last - first < 1 || last[0] != ']' || last[-1] != '[')
		return 0;
	ft_buf_reset(paths);
	ft_buf_adds(paths, "[path(");
	ft_buf_add(paths, program, (size_t)(p - program));
	ft_buf_adds(paths, "\n)][]");
	ft_buf_reset(rest);
	ft_buf_adds(rest, p + 1);
	return 1;
}
