#define _GNU_SOURCE /* memmem(3) */
#include "ft_cond.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_jq.h"
#include "ft_time.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define PAIR(p) \
	((((unsigned)(unsigned char)(p)[0] << 4) ^ (unsigned char)(p)[1]) & \
	 (FT_COND_PAIR_BITS - 1))

void
ft_cond_init(struct ft_cond *cd)
{
	memset(cd, 0, sizeof(*cd));
	cd->hours_from = -1;
}

int
ft_cond_read(const struct ft_conf *c, struct ft_area *a, jv w,
	     struct ft_cond *r)
{
	static const char *const keys[] = { "category", "source",   "severity",
					    "area",	"facility", "words",
					    "pattern",	"hours",    "days",
					    "jq",	NULL };
	char origin[512];
	int st;
	jv v;

	if (jv_get_kind(w) != JV_KIND_OBJECT)
		return ft_conf_bad(c, "when", "not an object");
	if ((st = ft_conf_only_keys(c, w, keys, "when.")))
		return st;
#define MEMBER(name) \
	(v = jv_object_get(jv_copy(w), jv_string(name)), \
	 jv_get_kind(v) != JV_KIND_INVALID)
	if (MEMBER("category") &&
	    (st = ft_conf_strs(c, v, "when.category", &r->category, 0)))
		goto out;
	jv_free(v);
	if (MEMBER("source") &&
	    (st = ft_conf_strs(c, v, "when.source", &r->source, 0)))
		goto out;
	jv_free(v);
	if (MEMBER("facility") &&
	    (st = ft_conf_strs(c, v, "when.facility", &r->facility, 0)))
		goto out;
	jv_free(v);
	if (MEMBER("words") &&
	    (st = ft_conf_strs(c, v, "when.words", &r->words, 1)))
		goto out;
	jv_free(v);
	if (MEMBER("severity")) {
		int k = jv_get_kind(v), i, n;

		if (k == JV_KIND_NUMBER) {
			double d = jv_number_value(v);

			if (d != floor(d) || d < 1 || d > 4) {
				st = ft_conf_bad(c, "when.severity",
						 "not 1 to 4");
				goto out;
			}
			r->sev_mask = 1 << (int)d;
		} else if (k == JV_KIND_ARRAY &&
			   (n = jv_array_length(jv_copy(v))) > 0) {
			for (i = 0; i < n; i++) {
				jv e = jv_array_get(jv_copy(v), i);
				double d = jv_get_kind(e) == JV_KIND_NUMBER ?
						   jv_number_value(e) :
						   0;

				jv_free(e);
				if (d != floor(d) || d < 1 || d > 4) {
					st = ft_conf_bad(c, "when.severity",
							 "element "
							 "%d is not 1 to 4",
							 i + 1);
					goto out;
				}
				r->sev_mask |= 1 << (int)d;
			}
		} else if (k == JV_KIND_OBJECT) {
			static const char *const mm[] = { "min", "max", NULL };
			jv lo, hi;
			double l = 1, h = 4;

			if ((st = ft_conf_only_keys(c, v, mm,
						    "when.severity.")))
				goto out;
			lo = jv_object_get(jv_copy(v), jv_string("min"));
			hi = jv_object_get(jv_copy(v), jv_string("max"));
			if (jv_get_kind(lo) == JV_KIND_NUMBER)
				l = jv_number_value(lo);
			else if (jv_get_kind(lo) != JV_KIND_INVALID)
				l = 0;
			if (jv_get_kind(hi) == JV_KIND_NUMBER)
				h = jv_number_value(hi);
			else if (jv_get_kind(hi) != JV_KIND_INVALID)
				h = 0;
			jv_free(lo);
			jv_free(hi);
			if (l != floor(l) || h != floor(h) || l < 1 || h > 4 ||
			    l > h) {
				st = ft_conf_bad(
					c, "when.severity",
					"min and max must "
					"be 1 to 4, min not above max");
				goto out;
			}
			/* l and h are whole numbers from 1 to 4, checked
			 * above: exact in a double, so the loop is too.
			 * NOLINTNEXTLINE(cert-flp30-c,clang-analyzer-security.FloatLoopCounter) */
			for (; l <= h; l++)
				r->sev_mask |= 1 << (int)l;
		} else {
			st = ft_conf_bad(c, "when.severity",
					 "not a severity, an array "
					 "of them, or {\"min\", \"max\"}");
			goto out;
		}
	}
	jv_free(v);
	if (MEMBER("area")) {
		struct ft_strs s = { 0 };
		size_t i;

		st = ft_conf_strs(c, v, "when.area", &s, 0);
		r->areas = ft_xmalloc((s.n + 1) * sizeof(int));
		for (i = 0; i < s.n; i++) {
			if (!st && a) {
				r->areas[r->nareas] =
					ft_area_find(a, s.s[i], strlen(s.s[i]));
				if (r->areas[r->nareas++] < 0)
					st = ft_conf_bad(
						c, "when.area",
						"no unit "
						"\"%s\" in the database",
						s.s[i]);
			}
			free(s.s[i]);
		}
		free(s.s);
		if (st)
			goto out;
	}
	jv_free(v);
	if (MEMBER("pattern")) {
		int rc;
		char msg[256];

		if (jv_get_kind(v) != JV_KIND_STRING) {
			st = ft_conf_bad(c, "when.pattern", "not a string");
			goto out;
		}
		rc = regcomp(&r->re, jv_string_value(v),
			     REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rc) {
			regerror(rc, &r->re, msg, sizeof(msg));
			st = ft_conf_bad(c, "when.pattern", "%s", msg);
			goto out;
		}
		r->has_re = 1;
	}
	jv_free(v);
	if (MEMBER("hours") &&
	    (st = ft_conf_hours(c, v, "when.hours", &r->hours_from,
				&r->hours_to)))
		goto out;
	jv_free(v);
	if (MEMBER("days") && (st = ft_conf_days(c, v, "when.days", &r->days)))
		goto out;
	jv_free(v);
	if (MEMBER("jq")) {
		if (jv_get_kind(v) != JV_KIND_STRING) {
			st = ft_conf_bad(c, "when.jq",
					 "not a jq program (a string)");
			goto out;
		}
		if (c->name)
			snprintf(origin, sizeof(origin),
				 "%s: rule %d (\"%s\"): "
				 "field \"when.jq\"",
				 c->path, c->rule, c->name);
		else
			snprintf(origin, sizeof(origin),
				 "%s: rule %d: field "
				 "\"when.jq\"",
				 c->path, c->rule);
		r->jq = ft_jq_compile(jv_string_value(v), origin);
		if (!r->jq) {
			st = FT_CONFIG;
			goto out;
		}
	}
out:
	jv_free(v);
	return st;
}

void
ft_cond_free(struct ft_cond *cd)
{
	ft_strs_free(&cd->category);
	ft_strs_free(&cd->source);
	ft_strs_free(&cd->words);
	ft_strs_free(&cd->facility);
	free(cd->areas);
	if (cd->has_re)
		regfree(&cd->re);
	ft_jq_free(cd->jq);
	ft_cond_init(cd);
}

int
ft_cond_needs_text(const struct ft_cond *cd)
{
	return cd->words.n > 0;
}

void
ft_cond_text_init(struct ft_cond_text *t)
{
	ft_buf_init(&t->hay);
	t->paired = 0;
	t->tried = 0;
	memset(t->pairs, 0, sizeof(t->pairs));
}

void
ft_cond_text_release(struct ft_cond_text *t)
{
	ft_buf_release(&t->hay);
}

/*
 * ASCII letters of s[0..n) to lower case (tolower(3) in the tools' C or
 * C.UTF-8 locale: no other byte changes), eight bytes at a time.
 */
static void
lower(char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x80 * ones;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x, low, upper;

		memcpy(&x, s + i, 8);
		/* Bit 7 of a byte: it is below 0x80 and from 'A' to 'Z'. */
		low = x & ~high;
		upper = (low + (0x80 - 'A') * ones) &
			~(low + (0x80 - 'Z' - 1) * ones) & ~x & high;
		if (upper) {
			x |= upper >> 2;
			memcpy(s + i, &x, 8);
		}
	}
	for (; i < n; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
}

void
ft_cond_text_set(struct ft_cond_text *t, const struct ft_cond_event *e)
{
	ft_buf_reset(&t->hay);
	if (e->title)
		ft_buf_adds(&t->hay, e->title);
	ft_buf_addc(&t->hay, '\n');
	if (e->text)
		ft_buf_adds(&t->hay, e->text);
	lower(t->hay.s, t->hay.len);
	t->paired = 0;
	t->tried = 0;
}

/* The byte pairs of t's text (see struct ft_cond_text). */
static void
pairs_make(struct ft_cond_text *t)
{
	const char *p;

	memset(t->pairs, 0, sizeof(t->pairs));
	for (p = t->hay.s; p[0] && p[1]; p++) {
		unsigned h = PAIR(p);

		t->pairs[h >> 3] |= (unsigned char)(1u << (h & 7));
	}
	t->paired = 1;
}

/* Whether the text may hold word w: each of its byte pairs is in it. */
static int
may_hold(const struct ft_cond_text *t, const char *w)
{
	unsigned h;

	for (; w[0] && w[1]; w++) {
		h = PAIR(w);
		if (!(t->pairs[h >> 3] & (1u << (h & 7))))
			return 0;
	}
	return 1;
}

/*
 * Whether word w (n bytes) is in the text h (hn bytes), as memmem(3) says.
 * With SSE2, 16 places at a time are tested on the word's first and last
 * bytes, and only those that hold both compared whole: a text is ~200
 * bytes, a word of Chinese 6 or 9, and memmem set up a table for each.
 */
static int
has_word(const char *h, size_t hn, const char *w, size_t n)
{
#ifdef __SSE2__
	size_t i = 0, last;
	__m128i f, l;

	if (n < 2 || hn < n)
		return n == 0 || (n == 1 && memchr(h, w[0], hn));
	last = hn - n; /* the last place w may start */
	f = _mm_set1_epi8(w[0]);
	l = _mm_set1_epi8(w[n - 1]);
	for (; i + 15 <= last; i += 16) {
		__m128i a = _mm_loadu_si128(
			(const __m128i *)(const void *)(h + i));
		__m128i b = _mm_loadu_si128(
			(const __m128i *)(const void *)(h + i + n - 1));
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_and_si128(_mm_cmpeq_epi8(a, f),
				      _mm_cmpeq_epi8(b, l)));

		for (; m; m &= m - 1)
			if (!memcmp(h + i + (unsigned)__builtin_ctz(m) + 1,
				    w + 1, n - 2))
				return 1;
	}
	/* The last places, fewer than 16, one by one. */
	for (; i <= last; i++)
		if (h[i] == w[0] && h[i + n - 1] == w[n - 1] &&
		    !memcmp(h + i + 1, w + 1, n - 2))
			return 1;
	return 0;
#else
	return memmem(h, hn, w, n) != NULL;
#endif
}

/*
 * The words an event is searched for before its pairs are made: making
 * them costs about three searches of a title and text (160 bytes).
 */
#define FEW_WORDS 3

const char *
ft_cond_test(const struct ft_cond *r, const struct ft_area *a,
	     struct ft_cond_text *t, const struct ft_cond_event *e, char *buf,
	     size_t bufsz, int *halted)
{
	size_t i;
	int ok, minute, wday, sec;
	const char *err;

	*halted = 0;
	if (r->category.n && !ft_strs_has(&r->category, e->category))
		return "category";
	if (r->source.n && !ft_strs_has(&r->source, e->source))
		return "source";
	if (r->facility.n && !ft_strs_has(&r->facility, e->facility))
		return e->facility ? "facility" :
				     "facility (the event has none)";
	if (r->sev_mask && !(r->sev_mask & (1 << e->severity)))
		return "severity";
	if (r->nareas) {
		ok = 0;
		for (i = 0; i < r->nareas && !ok; i++) {
			int u = e->area;
			size_t guard = 0;

			for (; u >= 0 && guard < 64;
			     guard++, u = ft_area_parent(a, u))
				if (u == r->areas[i])
					ok = 1;
		}
		if (!ok)
			return e->area < 0 ? "area (the event has none)" :
					     "area";
	}
	if (r->words.n) {
		ok = 0;
		if (!t->paired && t->tried + r->words.n > FEW_WORDS)
			pairs_make(t);
		if (!t->paired)
			t->tried += r->words.n;
		for (i = 0; i < r->words.n && !ok; i++)
			ok = (!t->paired || may_hold(t, r->words.s[i])) &&
			     has_word(t->hay.s, t->hay.len, r->words.s[i],
				      strlen(r->words.s[i]));
		if (!ok)
			return "words";
	}
	if (r->has_re) {
		ok = (e->title && !regexec(&r->re, e->title, 0, NULL, 0)) ||
		     (e->text && !regexec(&r->re, e->text, 0, NULL, 0));
		if (!ok)
			return "pattern";
	}
	if (r->hours_from >= 0 || r->days) {
		ft_time_local(e->reported, &sec, &wday, NULL);
		minute = sec / 60;
		if (r->days && !(r->days & (1 << wday)))
			return "days";
		if (r->hours_from >= 0 &&
		    !(r->hours_from < r->hours_to ?
			      minute >= r->hours_from && minute < r->hours_to :
			      minute >= r->hours_from || minute < r->hours_to))
			return "hours";
	}
	if (r->jq) {
		ok = ft_jq_test(r->jq, e->json, e->jsonlen, &err, halted);
		if (err) {
			snprintf(buf, bufsz, "jq: %s", err);
			return buf;
		}
		if (!ok)
			return "jq";
	}
	return NULL;
}
