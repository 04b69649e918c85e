#define _GNU_SOURCE	/* memmem(3) */
#include "ft_rules.h"
#include "ft_err.h"
#include "ft_event.h"
#include "ft_exit.h"
#include "ft_jq.h"
#include "ft_json.h"
#include "ft_time.h"

#include <ctype.h>
#include <errno.h>
#include <jv.h>
#include <locale.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct strs {
	char **s;
	size_t n;
};

struct rule {
	char *name;
	struct strs category, source, words;
	int sev_mask;		/* bit k: severity k allowed; 0: any */
	int *areas;
	size_t nareas;
	regex_t re;
	int has_re;
	int hours_from, hours_to;	/* minutes of the day; -1: any */
	int days;		/* bit 0 Sunday .. 6 Saturday; 0: any */
	struct ft_jq *jq;
	struct ft_target unit;
	int priority, respond, resolve;	/* minutes; 0: none */
	int calendar, ignore_owner;
	struct ft_step *chain;
	size_t nchain;
};

/*
 * The byte pairs of the text the words are looked for in, hashed into
 * PAIR_BITS bits: a word with a pair the text lacks is not in it, which
 * spares most of the memmem(3) calls (most words are in no event).
 */
#define PAIR_BITS 4096
#define PAIR(p) ((((unsigned)(unsigned char)(p)[0] << 4) ^ \
		  (unsigned char)(p)[1]) & (PAIR_BITS - 1))

struct ft_rules {
	struct rule *r;
	size_t n;
	struct ft_area *a;
	double near_m, dup_m;
	int dup_min, dup_facility;
	int cal_days, cal_from, cal_to;	/* the working-hours calendar */
	int need_words;
	struct ft_buf hay;	/* title and text, lower case */
	unsigned char pairs[PAIR_BITS / 8];	/* the byte pairs in hay */
	char *path;
	char *tz;		/* "tz": the zone, unless --tz names one */
	struct ft_buf stop; /* why a jq condition was halted, or "" */
};

/* ---- reading ---- */

struct ctx {
	const char *path;
	int rule;		/* 1-based; 0 for the file's top level */
	const char *name;
};

static int
bad(const struct ctx *c, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(const struct ctx *c, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->rule && c->name)
		ft_error("%s: rule %d (%s): field %s: %s", c->path,
			 c->rule, ft_q(c->name), ft_q(field), msg);
	else if (c->rule)
		ft_error("%s: rule %d: field %s: %s", c->path, c->rule,
			 ft_q(field), msg);
	else
		ft_error("%s: field %s: %s", c->path, ft_q(field), msg);
	return FT_CONFIG;
}

/* Checks that obj has only the keys in allowed; names the first other. */
static int
only_keys(const struct ctx *c, jv obj, const char *const *allowed,
	  const char *where)
{
	int st = FT_OK;
	char field[128];

	jv_object_foreach(obj, k, v) {
		const char *ks = jv_string_value(k);
		const char *const *a;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, ks))
				break;
		if (!*a && st == FT_OK) {
			snprintf(field, sizeof(field), "%s%s", where, ks);
			st = bad(c, field, "not a field of %s (a typo?)",
				 *where ? "this object" : c->rule ? "a rule"
				 : "the rules file");
		}
		jv_free(k);
		jv_free(v);
	}
	return st;
}

/* A string or an array of strings, into s (lower-cased if lower). */
static int
get_strs(const struct ctx *c, jv v, const char *field, struct strs *s,
	 int lower)
{
	int i, n;

	if (jv_get_kind(v) == JV_KIND_STRING) {
		s->s = ft_xmalloc(sizeof(char *));
		s->s[0] = ft_xstrdup(jv_string_value(v));
		s->n = 1;
	} else if (jv_get_kind(v) == JV_KIND_ARRAY &&
		   (n = jv_array_length(jv_copy(v))) > 0) {
		s->s = ft_xmalloc((size_t)n * sizeof(char *));
		for (i = 0; i < n; i++) {
			jv e = jv_array_get(jv_copy(v), i);

			if (jv_get_kind(e) != JV_KIND_STRING) {
				jv_free(e);
				return bad(c, field, "element %d is not a "
					   "string", i + 1);
			}
			s->s[s->n++] = ft_xstrdup(jv_string_value(e));
			jv_free(e);
		}
	} else {
		return bad(c, field, "not a string or a non-empty array of "
			   "strings");
	}
	for (i = 0; i < (int)s->n; i++) {
		char *p;

		if (!*s->s[i])
			return bad(c, field, "an empty string");
		if (lower)
			for (p = s->s[i]; *p; p++)
				*p = (char)tolower((unsigned char)*p);
	}
	return FT_OK;
}

static int
get_minutes(const struct ctx *c, jv v, const char *field, int min, int *out)
{
	double d;

	if (jv_get_kind(v) != JV_KIND_NUMBER)
		return bad(c, field, "not a number of minutes");
	d = jv_number_value(v);
	if (d != floor(d) || d < min || d > 525600 * 10)
		return bad(c, field, "not a whole number of minutes from %d "
			   "to 5256000", min);
	*out = (int)d;
	return FT_OK;
}

/* "HH:MM-HH:MM" into minutes of the day. */
static int
get_hours(const struct ctx *c, jv v, const char *field, int *from, int *to)
{
	unsigned h1, m1, h2, m2;
	char tail;

	if (jv_get_kind(v) != JV_KIND_STRING ||
	    sscanf(jv_string_value(v), "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2,
		   &m2, &tail) != 4 || h1 > 24 || h2 > 24 || m1 > 59 ||
	    m2 > 59 || (h1 == 24 && m1) || (h2 == 24 && m2))
		return bad(c, field, "not a time range \"HH:MM-HH:MM\"");
	*from = (int)(h1 * 60 + m1);
	*to = (int)(h2 * 60 + m2);
	if (*from == *to)
		return bad(c, field, "an empty time range");
	return FT_OK;
}

static int
get_days(const struct ctx *c, jv v, const char *field, int *mask)
{
	static const char *const names[] = { "sun", "mon", "tue", "wed",
					     "thu", "fri", "sat" };
	struct strs s = { 0 };
	size_t i;
	int d, st;

	if ((st = get_strs(c, v, field, &s, 1)))
		goto out;
	for (i = 0; i < s.n; i++) {
		for (d = 0; d < 7; d++)
			if (!strncmp(s.s[i], names[d], 3) &&
			    strlen(s.s[i]) >= 3)
				break;
		if (d == 7) {
			st = bad(c, field, "%s is not a day (mon, tue, "
				 "wed, thu, fri, sat, sun)", ft_q(s.s[i]));
			goto out;
		}
		*mask |= 1 << d;
	}
out:
	for (i = 0; i < s.n; i++)
		free(s.s[i]);
	free(s.s);
	return st;
}

static int
get_target(const struct ctx *c, struct ft_area *a, jv v, const char *field,
	   struct ft_target *t)
{
	const char *s;
	int k;

	if (jv_get_kind(v) != JV_KIND_STRING)
		return bad(c, field, "not a unit id or @area[:KIND]");
	s = jv_string_value(v);
	t->unit = -1;
	t->level = -1;
	if (!strcmp(s, "@area"))
		return FT_OK;
	if (!strncmp(s, "@area:", 6)) {
		for (k = 0; k < 4; k++)
			if (!strcmp(s + 6, ft_unit_kinds[k]))
				break;
		if (k == 4)
			return bad(c, field, "%s: the level is one of "
				   "grid, community, street, district",
				   ft_q(s));
		t->level = k;
		return FT_OK;
	}
	if (!a)
		return FT_OK; /* checked without the units */
	t->unit = ft_area_find(a, s, strlen(s));
	if (t->unit < 0)
		return bad(c, field, "no unit %s in the database (load it "
			   "with ft-ingest --kind units)", ft_q(s));
	return FT_OK;
}

static int
read_when(const struct ctx *c, struct ft_area *a, struct rule *r, jv w)
{
	static const char *const keys[] = { "category", "source", "severity",
		"area", "words", "pattern", "hours", "days", "jq", NULL };
	char origin[512];
	int st;
	jv v;

	if (jv_get_kind(w) != JV_KIND_OBJECT)
		return bad(c, "when", "not an object");
	if ((st = only_keys(c, w, keys, "when.")))
		return st;
#define MEMBER(name) (v = jv_object_get(jv_copy(w), jv_string(name)), \
		      jv_get_kind(v) != JV_KIND_INVALID)
	if (MEMBER("category") &&
	    (st = get_strs(c, v, "when.category", &r->category, 0)))
		goto out;
	jv_free(v);
	if (MEMBER("source") &&
	    (st = get_strs(c, v, "when.source", &r->source, 0)))
		goto out;
	jv_free(v);
	if (MEMBER("words") &&
	    (st = get_strs(c, v, "when.words", &r->words, 1)))
		goto out;
	jv_free(v);
	if (MEMBER("severity")) {
		int k = jv_get_kind(v), i, n;

		if (k == JV_KIND_NUMBER) {
			double d = jv_number_value(v);

			if (d != floor(d) || d < 1 || d > 4) {
				st = bad(c, "when.severity", "not 1 to 4");
				goto out;
			}
			r->sev_mask = 1 << (int)d;
		} else if (k == JV_KIND_ARRAY &&
			   (n = jv_array_length(jv_copy(v))) > 0) {
			for (i = 0; i < n; i++) {
				jv e = jv_array_get(jv_copy(v), i);
				double d = jv_get_kind(e) == JV_KIND_NUMBER ?
					   jv_number_value(e) : 0;

				jv_free(e);
				if (d != floor(d) || d < 1 || d > 4) {
					st = bad(c, "when.severity", "element "
						 "%d is not 1 to 4", i + 1);
					goto out;
				}
				r->sev_mask |= 1 << (int)d;
			}
		} else if (k == JV_KIND_OBJECT) {
			static const char *const mm[] = { "min", "max", NULL };
			jv lo, hi;
			double l = 1, h = 4;

			if ((st = only_keys(c, v, mm, "when.severity.")))
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
				st = bad(c, "when.severity", "min and max must "
					 "be 1 to 4, min not above max");
				goto out;
			}
			/* l and h are whole numbers from 1 to 4, checked
			 * above: exact in a double, so the loop is too.
			 * NOLINTNEXTLINE(cert-flp30-c,clang-analyzer-security.FloatLoopCounter) */
			for (; l <= h; l++)
				r->sev_mask |= 1 << (int)l;
		} else {
			st = bad(c, "when.severity", "not a severity, an array "
				 "of them, or {\"min\", \"max\"}");
			goto out;
		}
	}
	jv_free(v);
	if (MEMBER("area")) {
		struct strs s = { 0 };
		size_t i;

		st = get_strs(c, v, "when.area", &s, 0);
		r->areas = ft_xmalloc((s.n + 1) * sizeof(int));
		for (i = 0; i < s.n; i++) {
			if (!st && a) {
				r->areas[r->nareas] = ft_area_find(a, s.s[i],
							strlen(s.s[i]));
				if (r->areas[r->nareas++] < 0)
					st = bad(c, "when.area", "no unit "
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
			st = bad(c, "when.pattern", "not a string");
			goto out;
		}
		rc = regcomp(&r->re, jv_string_value(v), REG_EXTENDED |
			     REG_ICASE | REG_NOSUB);
		if (rc) {
			regerror(rc, &r->re, msg, sizeof(msg));
			st = bad(c, "when.pattern", "%s", msg);
			goto out;
		}
		r->has_re = 1;
	}
	jv_free(v);
	if (MEMBER("hours") && (st = get_hours(c, v, "when.hours",
					       &r->hours_from, &r->hours_to)))
		goto out;
	jv_free(v);
	if (MEMBER("days") && (st = get_days(c, v, "when.days", &r->days)))
		goto out;
	jv_free(v);
	if (MEMBER("jq")) {
		if (jv_get_kind(v) != JV_KIND_STRING) {
			st = bad(c, "when.jq", "not a jq program (a string)");
			goto out;
		}
		if (c->name)
			snprintf(origin, sizeof(origin), "%s: rule %d (\"%s\"): "
				 "field \"when.jq\"", c->path, c->rule, c->name);
		else
			snprintf(origin, sizeof(origin), "%s: rule %d: field "
				 "\"when.jq\"", c->path, c->rule);
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

/* Reads rule r from o, borrowed. */
static int
read_rule_body(struct ft_rules *rs, struct ctx *c, struct rule *r, jv o)
{
	static const char *const keys[] = { "name", "when", "unit",
		"priority", "respond", "resolve", "escalate", "calendar",
		"ignore_owner", NULL };
	int st = FT_OK, i, n;
	jv v;

	r->hours_from = -1;
	r->priority = 3;
	if (jv_get_kind(o) != JV_KIND_OBJECT)
		return bad(c, "rule", "not an object");
	v = jv_object_get(jv_copy(o), jv_string("name"));
	if (jv_get_kind(v) == JV_KIND_STRING && *jv_string_value(v)) {
		r->name = ft_xstrdup(jv_string_value(v));
		c->name = r->name;
	} else if (jv_get_kind(v) != JV_KIND_INVALID) {
		jv_free(v);
		return bad(c, "name", "not a non-empty string");
	} else {
		char buf[32];

		snprintf(buf, sizeof(buf), "rule %d", c->rule);
		r->name = ft_xstrdup(buf);
	}
	jv_free(v);
	if ((st = only_keys(c, o, keys, "")))
		return st;
	v = jv_object_get(jv_copy(o), jv_string("when"));
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    (st = read_when(c, rs->a, r, v)))
		goto out;
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("unit"));
	if (jv_get_kind(v) == JV_KIND_INVALID) {
		st = bad(c, "unit", "missing: every rule names the "
			 "responsible unit (a unit id or @area)");
		goto out;
	}
	if ((st = get_target(c, rs->a, v, "unit", &r->unit)))
		goto out;
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("priority"));
	if (jv_get_kind(v) != JV_KIND_INVALID) {
		double d = jv_get_kind(v) == JV_KIND_NUMBER ?
			   jv_number_value(v) : 0;

		if (d != floor(d) || d < 1 || d > 9) {
			st = bad(c, "priority", "not a whole number from 1 "
				 "(most urgent) to 9");
			goto out;
		}
		r->priority = (int)d;
	}
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("respond"));
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    (st = get_minutes(c, v, "respond", 1, &r->respond)))
		goto out;
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("resolve"));
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    (st = get_minutes(c, v, "resolve", 1, &r->resolve)))
		goto out;
	jv_free(v);
	if (r->respond && r->resolve && r->resolve < r->respond) {
		st = bad(c, "resolve", "earlier than respond");
		goto out;
	}
	v = jv_object_get(jv_copy(o), jv_string("calendar"));
	if (jv_get_kind(v) == JV_KIND_TRUE) {
		if (!rs->cal_days) {
			st = bad(c, "calendar", "the file has no top-level "
				 "\"calendar\" of working hours");
			goto out;
		}
		r->calendar = 1;
	} else if (jv_get_kind(v) != JV_KIND_INVALID &&
		   jv_get_kind(v) != JV_KIND_FALSE) {
		st = bad(c, "calendar", "not true or false");
		goto out;
	}
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("ignore_owner"));
	if (jv_get_kind(v) == JV_KIND_TRUE) {
		r->ignore_owner = 1;
	} else if (jv_get_kind(v) != JV_KIND_INVALID &&
		   jv_get_kind(v) != JV_KIND_FALSE) {
		st = bad(c, "ignore_owner", "not true or false");
		goto out;
	}
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("escalate"));
	if (jv_get_kind(v) != JV_KIND_INVALID) {
		static const char *const sk[] = { "after", "to", NULL };
		char field[64];

		if (jv_get_kind(v) != JV_KIND_ARRAY) {
			st = bad(c, "escalate", "not an array of {\"after\", "
				 "\"to\"}");
			goto out;
		}
		n = jv_array_length(jv_copy(v));
		r->chain = ft_xmalloc(((size_t)n + 1) * sizeof(*r->chain));
		for (i = 0; i < n; i++) {
			jv s = jv_array_get(jv_copy(v), i), a, t;

			snprintf(field, sizeof(field), "escalate[%d]", i + 1);
			if (jv_get_kind(s) != JV_KIND_OBJECT) {
				jv_free(s);
				st = bad(c, field, "not an object {\"after\", "
					 "\"to\"}");
				goto out;
			}
			if ((st = only_keys(c, s, sk, ""))) {
				jv_free(s);
				goto out;
			}
			a = jv_object_get(jv_copy(s), jv_string("after"));
			t = jv_object_get(s, jv_string("to"));
			snprintf(field, sizeof(field), "escalate[%d].after",
				 i + 1);
			st = jv_get_kind(a) == JV_KIND_INVALID ?
			     bad(c, field, "missing") :
			     get_minutes(c, a, field, 0,
					 &r->chain[i].after);
			if (!st && i && r->chain[i].after <
					r->chain[i - 1].after)
				st = bad(c, field, "earlier than the step "
					 "before it");
			snprintf(field, sizeof(field), "escalate[%d].to",
				 i + 1);
			if (!st)
				st = jv_get_kind(t) == JV_KIND_INVALID ?
				     bad(c, field, "missing") :
				     get_target(c, rs->a, t, field,
						&r->chain[i].to);
			jv_free(a);
			jv_free(t);
			if (st)
				goto out;
			r->nchain++;
		}
		if (n && !r->respond && !r->resolve) {
			st = bad(c, "escalate", "a chain needs a deadline "
				 "(respond or resolve) to run from");
			goto out;
		}
	}
out:
	jv_free(v);
	return st;
}

/* Reads rule r from o, which it consumes. */
static int
read_rule(struct ft_rules *rs, struct ctx *c, struct rule *r, jv o)
{
	int st = read_rule_body(rs, c, r, o);

	jv_free(o);
	return st;
}

static int
read_top(struct ft_rules *rs, struct ctx *c, jv top, jv *rules)
{
	static const char *const keys[] = { "rules", "near_boundary",
		"duplicates", "calendar", "tz", NULL };
	static const char *const dk[] = { "distance", "within", "facility",
		NULL };
	static const char *const ck[] = { "days", "hours", NULL };
	int st;
	jv v;

	rs->dup_facility = 1;
	if (jv_get_kind(top) == JV_KIND_ARRAY) {
		*rules = top;
		return FT_OK;
	}
	if (jv_get_kind(top) != JV_KIND_OBJECT) {
		jv_free(top);
		return bad(c, "rules", "the file is neither an array of rules "
			   "nor an object with \"rules\"");
	}
	if ((st = only_keys(c, top, keys, ""))) {
		jv_free(top);
		return st;
	}
	v = jv_object_get(jv_copy(top), jv_string("near_boundary"));
	if (jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) >= 0 &&
	    jv_number_value(v) <= 100000) {
		rs->near_m = jv_number_value(v);
	} else if (jv_get_kind(v) != JV_KIND_INVALID) {
		jv_free(v);
		jv_free(top);
		return bad(c, "near_boundary", "not a distance in metres "
			   "from 0 to 100000");
	}
	jv_free(v);
	v = jv_object_get(jv_copy(top), jv_string("tz"));
	if (jv_get_kind(v) == JV_KIND_STRING &&
	    ft_time_zone_exists(jv_string_value(v))) {
		rs->tz = ft_xstrdup(jv_string_value(v));
	} else if (jv_get_kind(v) != JV_KIND_INVALID) {
		st = jv_get_kind(v) == JV_KIND_STRING ?
		     bad(c, "tz", "unknown time zone \"%s\"",
			 jv_string_value(v)) :
		     bad(c, "tz", "not a time zone name such as "
			 "\"Asia/Shanghai\"");
		jv_free(v);
		jv_free(top);
		return st;
	}
	jv_free(v);
	v = jv_object_get(jv_copy(top), jv_string("duplicates"));
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		jv d = jv_object_get(jv_copy(v), jv_string("distance"));
		jv w = jv_object_get(jv_copy(v), jv_string("within"));
		jv f = jv_object_get(jv_copy(v), jv_string("facility"));

		st = only_keys(c, v, dk, "duplicates.");
		if (!st && (jv_get_kind(d) != JV_KIND_NUMBER ||
			    !(jv_number_value(d) > 0) ||
			    jv_number_value(d) > 100000))
			st = bad(c, "duplicates.distance", "not a distance in "
				 "metres above 0, to 100000");
		if (!st)
			rs->dup_m = jv_number_value(d);
		if (!st)
			st = jv_get_kind(w) == JV_KIND_INVALID ?
			     bad(c, "duplicates.within", "missing") :
			     get_minutes(c, w, "duplicates.within", 1,
					 &rs->dup_min);
		if (!st && jv_get_kind(f) == JV_KIND_FALSE)
			rs->dup_facility = 0;
		else if (!st && jv_get_kind(f) != JV_KIND_TRUE &&
			 jv_get_kind(f) != JV_KIND_INVALID)
			st = bad(c, "duplicates.facility", "not true or "
				 "false");
		jv_free(d);
		jv_free(w);
		jv_free(f);
		if (st) {
			jv_free(v);
			jv_free(top);
			return st;
		}
	} else if (jv_get_kind(v) != JV_KIND_INVALID) {
		jv_free(v);
		jv_free(top);
		return bad(c, "duplicates", "not an object {\"distance\", "
			   "\"within\", \"facility\"}");
	}
	jv_free(v);
	v = jv_object_get(jv_copy(top), jv_string("calendar"));
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		jv d = jv_object_get(jv_copy(v), jv_string("days"));
		jv h = jv_object_get(jv_copy(v), jv_string("hours"));

		st = only_keys(c, v, ck, "calendar.");
		if (!st)
			st = jv_get_kind(d) == JV_KIND_INVALID ?
			     bad(c, "calendar.days", "missing") :
			     get_days(c, d, "calendar.days", &rs->cal_days);
		if (!st)
			st = jv_get_kind(h) == JV_KIND_INVALID ?
			     bad(c, "calendar.hours", "missing") :
			     get_hours(c, h, "calendar.hours", &rs->cal_from,
				       &rs->cal_to);
		if (!st && rs->cal_from > rs->cal_to)
			st = bad(c, "calendar.hours", "working hours cannot "
				 "span midnight");
		jv_free(d);
		jv_free(h);
		if (st) {
			jv_free(v);
			jv_free(top);
			return st;
		}
	} else if (jv_get_kind(v) != JV_KIND_INVALID) {
		jv_free(v);
		jv_free(top);
		return bad(c, "calendar", "not an object {\"days\", "
			   "\"hours\"}");
	}
	jv_free(v);
	*rules = jv_object_get(top, jv_string("rules"));
	if (jv_get_kind(*rules) != JV_KIND_ARRAY) {
		jv_free(*rules);
		return bad(c, "rules", "missing, or not an array");
	}
	return FT_OK;
}

int
ft_rules_load(struct ft_rules **rp, const char *path, struct ft_area *a)
{
	struct ft_rules *rs = ft_xmalloc(sizeof(*rs));
	struct ctx c = { path, 0, NULL };
	size_t len;
	char *text;
	jv top, rules;
	int st, i, n;

	memset(rs, 0, sizeof(*rs));
	ft_buf_init(&rs->hay);
	ft_buf_init(&rs->stop);
	rs->a = a;
	rs->path = ft_xstrdup(path);
	*rp = rs;
	if (!(text = ft_slurp(path, "the rules", &len)))
		return FT_NOINPUT;
	/* Patterns match characters, not bytes, when the locale allows. */
	setlocale(LC_CTYPE, "C.UTF-8");
	top = jv_parse_sized(text, (int)len);
	if (!jv_is_valid(top)) {
		jv msg = jv_invalid_get_msg(top);

		free(text);
		ft_error("%s: not JSON: %s", path,
			 jv_get_kind(msg) == JV_KIND_STRING ?
			 jv_string_value(msg) : "unreadable");
		jv_free(msg);
		return FT_CONFIG;
	}
	/*
	 * jq keeps the last of a key given twice, silently: the rules are
	 * checked as every JSON input is (ft_json_parse), so that such a key,
	 * plain or written with escapes, is refused by name.
	 */
	{
		struct ft_json_doc d;
		const char *why;
		size_t pos, k;
		long line = 1;

		ft_json_doc_init(&d);
		if (ft_json_parse(&d, text, len, &why, &pos)) {
			for (k = 0; k < pos; k++)
				line += text[k] == '\n';
			ft_error("%s:%ld: not JSON: %s", path, line, why);
			ft_json_doc_release(&d);
			free(text);
			jv_free(top);
			return FT_CONFIG;
		}
		ft_json_doc_release(&d);
	}
	free(text);
	if ((st = read_top(rs, &c, top, &rules)))
		return st;
	/* read_top() sets rules whenever it returns 0: its failures return
	 * bad()'s FT_CONFIG, but the analyzer does not follow a variadic
	 * function and so takes 0 for a possible failure.
	 * NOLINTBEGIN(clang-analyzer-core.CallAndMessage) */
	/* --tz, else the file's "tz", else TZ. */
	if (rs->tz && !ft_time_zone_given() && ft_time_set_zone(rs->tz)) {
		jv_free(rules);
		return bad(&c, "tz", "unknown time zone \"%s\"", rs->tz);
	}
	n = jv_array_length(jv_copy(rules));
	/* NOLINTEND(clang-analyzer-core.CallAndMessage) */
	if (n == 0) {
		jv_free(rules);
		return bad(&c, "rules", "no rules");
	}
	rs->r = ft_xmalloc((size_t)n * sizeof(*rs->r));
	memset(rs->r, 0, (size_t)n * sizeof(*rs->r));
	for (i = 0; i < n; i++) {
		c.rule = i + 1;
		c.name = NULL;
		rs->n++;
		st = read_rule(rs, &c, &rs->r[i], jv_array_get(jv_copy(rules),
								i));
		if (st)
			break;
		if (rs->r[i].words.n)
			rs->need_words = 1;
	}
	jv_free(rules);
	return st;
}

static void
free_strs(struct strs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->s[i]);
	free(s->s);
}

void
ft_rules_free(struct ft_rules *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++) {
		struct rule *r = &rs->r[i];

		free(r->name);
		free_strs(&r->category);
		free_strs(&r->source);
		free_strs(&r->words);
		free(r->areas);
		if (r->has_re)
			regfree(&r->re);
		ft_jq_free(r->jq);
		free(r->chain);
	}
	free(rs->r);
	ft_buf_release(&rs->hay);
	ft_buf_release(&rs->stop);
	free(rs->path);
	free(rs->tz);
	free(rs);
}

/* ---- matching ---- */

double
ft_rules_near_m(const struct ft_rules *r)
{
	return r->near_m;
}

void
ft_rules_dups(const struct ft_rules *r, double *metres, int *minutes,
	      int *by_facility)
{
	*metres = r->dup_m;
	*minutes = r->dup_min;
	*by_facility = r->dup_facility;
}

const char *
ft_rule_name(const struct ft_rules *r, int i)
{
	return r->r[i].name;
}

int
ft_rule_priority(const struct ft_rules *r, int i)
{
	return r->r[i].priority;
}

int
ft_rule_ignores_owner(const struct ft_rules *r, int i)
{
	return r->r[i].ignore_owner;
}

const struct ft_step *
ft_rule_chain(const struct ft_rules *r, int i, size_t *n)
{
	*n = r->r[i].nchain;
	return r->r[i].chain;
}

int
ft_target_unit(const struct ft_area *a, const struct ft_target *t, int area)
{
	int u;

	if (t->unit >= 0)
		return t->unit;
	if (area < 0)
		return -1;
	u = t->level < 0 ? area : ft_area_up(a, area, t->level);
	if (u < 0)
		return -1;
	/* The area's own team answers for it; else the area unit itself. */
	return ft_area_team(a, u) >= 0 ? ft_area_team(a, u) : u;
}

static int
in_strs(const struct strs *s, const char *v)
{
	size_t i;

	if (!v)
		return 0;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->s[i], v))
			return 1;
	return 0;
}

/*
 * The zone's offset from UTC at t, in seconds.  localtime_r() costs a lock
 * and a look at TZ each call, a tenth of a dispatch with calendar rules:
 * the offset is kept by the quarter hour, since zones change offset on a
 * quarter hour at the finest, for the last OFFSETS quarters asked about
 * (a deadline in working hours asks about several days at once).
 */
#define OFFSETS 64
static long
utc_offset(int64_t t)
{
	static struct {
		int64_t q;
		long off;
		int set;
	} memo[OFFSETS];
	int64_t q = t >= 0 ? t / 900 : (t - 899) / 900;
	unsigned i = (unsigned)((uint64_t)q % OFFSETS);

	if (!memo[i].set || memo[i].q != q) {
		time_t tt = (time_t)(q * 900);
		struct tm tm;

		localtime_r(&tt, &tm);
		memo[i].off = tm.tm_gmtoff;
		memo[i].q = q;
		memo[i].set = 1;
	}
	return memo[i].off;
}

/* The local second of the day, weekday (0 Sunday) and day number of t. */
static void
local_day(int64_t t, int *sec, int *wday, int64_t *day)
{
	int64_t lt = t + utc_offset(t);
	int64_t d = lt >= 0 ? lt / 86400 : (lt - 86399) / 86400;

	*sec = (int)(lt - d * 86400);
	*wday = (int)(((d % 7) + 11) % 7);	/* 1970-01-01 was a Thursday */
	if (day)
		*day = d;
}

static void
local(int64_t t, int *minute, int *wday)
{
	int sec;

	local_day(t, &sec, wday, NULL);
	*minute = sec / 60;
}

static void
why(struct ft_buf *ex, const struct rule *r, const char *reason, int *n)
{
	if (!ex)
		return;
	if ((*n)++)
		ft_buf_addc(ex, ',');
	ft_buf_adds(ex, "{\"rule\":");
	ft_json_escape(ex, r->name, strlen(r->name));
	if (reason) {
		ft_buf_adds(ex, ",\"failed\":");
		ft_json_escape_lossy(ex, reason, strlen(reason));
	} else {
		ft_buf_adds(ex, ",\"matched\":true");
	}
	ft_buf_addc(ex, '}');
}

/* Whether the text may hold word w: each of its byte pairs is in it. */
static int
may_hold(const struct ft_rules *rs, const char *w)
{
	unsigned h;

	for (; w[0] && w[1]; w++) {
		h = PAIR(w);
		if (!(rs->pairs[h >> 3] & (1u << (h & 7))))
			return 0;
	}
	return 1;
}

/* Why rule r does not hold for e, or NULL when it does. */
static const char *
test(struct ft_rules *rs, struct rule *r, const struct ft_rule_event *e,
     char *buf, size_t bufsz)
{
	size_t i;
	int ok, minute, wday, halted;
	const char *err;

	if (r->category.n && !in_strs(&r->category, e->category))
		return "category";
	if (r->source.n && !in_strs(&r->source, e->source))
		return "source";
	if (r->sev_mask && !(r->sev_mask & (1 << e->severity)))
		return "severity";
	if (r->nareas) {
		ok = 0;
		for (i = 0; i < r->nareas && !ok; i++) {
			int u = e->area;
			size_t guard = 0;

			for (; u >= 0 && guard < 64; guard++,
			     u = ft_area_parent(rs->a, u))
				if (u == r->areas[i])
					ok = 1;
		}
		if (!ok)
			return e->area < 0 ? "area (the event has none)"
					   : "area";
	}
	if (r->words.n) {
		ok = 0;
		for (i = 0; i < r->words.n && !ok; i++)
			ok = may_hold(rs, r->words.s[i]) &&
			     memmem(rs->hay.s, rs->hay.len, r->words.s[i],
				    strlen(r->words.s[i])) != NULL;
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
		local(e->reported, &minute, &wday);
		if (r->days && !(r->days & (1 << wday)))
			return "days";
		if (r->hours_from >= 0 &&
		    !(r->hours_from < r->hours_to
		      ? minute >= r->hours_from && minute < r->hours_to
		      : minute >= r->hours_from || minute < r->hours_to))
			return "hours";
	}
	if (r->jq) {
		ok = ft_jq_test(r->jq, e->json, e->jsonlen, &err, &halted);
		if (halted) {
			ft_buf_reset(&rs->stop);
			ft_buf_adds(&rs->stop, "rule ");
			ft_json_escape_lossy(&rs->stop, r->name,
					     strlen(r->name));
			ft_buf_addf(&rs->stop, ": jq: %s", err);
		}
		if (err) {
			snprintf(buf, bufsz, "jq: %s", err);
			return buf;
		}
		if (!ok)
			return "jq";
	}
	return NULL;
}

void
ft_rules_match(struct ft_rules *rs, const struct ft_rule_event *e, int *rule,
	       int *unit, const char **stopped, struct ft_buf *explain)
{
	char buf[256];
	const char *w;
	size_t i;
	int n = 0;

	*rule = -1;
	*unit = -1;
	*stopped = NULL;
	if (rs->need_words) {
		char *p;

		ft_buf_reset(&rs->hay);
		if (e->title)
			ft_buf_adds(&rs->hay, e->title);
		ft_buf_addc(&rs->hay, '\n');
		if (e->text)
			ft_buf_adds(&rs->hay, e->text);
		for (p = rs->hay.s; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		memset(rs->pairs, 0, sizeof(rs->pairs));
		for (p = rs->hay.s; p[0] && p[1]; p++) {
			unsigned h = PAIR(p);

			rs->pairs[h >> 3] |= (unsigned char)(1u << (h & 7));
		}
	}
	if (explain)
		ft_buf_addc(explain, '[');
	for (i = 0; i < rs->n; i++) {
		struct rule *r = &rs->r[i];

		ft_buf_reset(&rs->stop);
		if ((w = test(rs, r, e, buf, sizeof(buf)))) {
			why(explain, r, w, &n);
			if (rs->stop.len) {
				/* Unknown, not false: no later rule may
				 * take the event in its place. */
				if (explain)
					ft_buf_addc(explain, ']');
				*stopped = rs->stop.s;
				return;
			}
			continue;
		}
		*unit = ft_target_unit(rs->a, &r->unit, e->area);
		if (*unit < 0) {
			why(explain, r, e->area < 0 ? "unit @area: the event "
			    "has no area" : "unit @area: the event's area has "
			    "no unit of that kind above it", &n);
			continue;
		}
		why(explain, r, NULL, &n);
		if (explain)
			ft_buf_addc(explain, ']');
		*rule = (int)i;
		return;
	}
	if (explain)
		ft_buf_addc(explain, ']');
}

/* ---- deadlines ---- */

/* t plus minutes of working time by the calendar of rs, to the second. */
static int64_t
add_working(const struct ft_rules *rs, int64_t t, int64_t minutes)
{
	int64_t need = minutes * 60, left, day, start;
	int guard = 0, sec, wday;

	while (need > 0 && guard++ < 4000) {
		local_day(t, &sec, &wday, &day);
		if (!(rs->cal_days & (1 << wday)) ||
		    sec >= rs->cal_to * 60 || sec < rs->cal_from * 60) {
			/* On to the next start: today's, else the next
			 * day's; its offset may differ (DST). */
			if (sec >= rs->cal_from * 60 ||
			    !(rs->cal_days & (1 << wday)))
				day++;
			start = day * 86400 + (int64_t)rs->cal_from * 60;
			t = start - utc_offset(start - utc_offset(t));
			t = start - utc_offset(t);
			continue;
		}
		left = (int64_t)rs->cal_to * 60 - sec;
		if (need <= left)
			return t + need;
		need -= left;
		t += left;
	}
	return t;
}

void
ft_rule_deadlines(const struct ft_rules *rs, int i, int64_t t,
		  int64_t *respond_by, int64_t *resolve_by)
{
	const struct rule *r = &rs->r[i];

	*respond_by = *resolve_by = 0;
	if (r->respond)
		*respond_by = r->calendar ? add_working(rs, t, r->respond)
					  : t + (int64_t)r->respond * 60;
	if (r->resolve)
		*resolve_by = r->calendar ? add_working(rs, t, r->resolve)
					  : t + (int64_t)r->resolve * 60;
}
