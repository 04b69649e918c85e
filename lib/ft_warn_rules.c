/*
 * ft_warn_rules.c - reading and checking ft-warn's rules: see
 * ft_warn_rules.h and ft-warn(1).
 */
#include "ft_warn_rules.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_jq.h"
#include "ft_kw.h"

#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ft_warn_levels[FT_LEVELS] = { "blue", "yellow", "orange",
						"red" };

static const char *const types[] = { "threshold", "repeat",   "keyword",
				     "value",	  "flatline", "spike",
				     "sla",	  "drop",     NULL };
static const char *const keys[] = { "area",    "facility", "category", "source",
				    "address", "unit",	   "id",       "sensor",
				    "*",       NULL };

const char *
ft_warn_type_name(enum ft_warn_type t)
{
	return types[t];
}

const char *
ft_warn_key_name(enum ft_warn_key k)
{
	return keys[k];
}

int
ft_warn_level_find(const char *s)
{
	int l;

	for (l = 0; l < FT_LEVELS; l++)
		if (!strcmp(s, ft_warn_levels[l]))
			return l;
	return -1;
}

static int
word_find(const char *const *words, const char *s)
{
	int i;

	for (i = 0; words[i]; i++)
		if (!strcmp(words[i], s))
			return i;
	return -1;
}

/* v, borrowed: the member name of o, or an invalid jv when absent. */
static jv
member(jv o, const char *name)
{
	return jv_object_get(jv_copy(o), jv_string(name));
}

/*
 * A duration: a number of minutes, or a string "N" + s, m, h, d or w.
 * Into seconds, from min seconds to ten years.
 */
static int
duration(const struct ft_conf *c, jv v, const char *field, int64_t min,
	 int64_t *out)
{
	double d = 0;
	char unit = 'm', tail;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		d = jv_number_value(v);
	} else if (jv_get_kind(v) != JV_KIND_STRING ||
		   sscanf(jv_string_value(v), "%lf%c%c", &d, &unit, &tail) !=
			   2 ||
		   !strchr("smhdw", unit)) {
		return ft_conf_bad(c, field,
				   "not a duration: minutes, or a string "
				   "such as \"90s\", \"15m\", \"2h\", \"7d\"");
	}
	switch (unit) {
	case 's':
		break;
	case 'm':
		d *= 60;
		break;
	case 'h':
		d *= 3600;
		break;
	case 'd':
		d *= 86400;
		break;
	default:
		d *= 7 * 86400;
	}
	if (!(d >= (double)min) || d > 10 * 366 * 86400.0 || d != floor(d))
		return ft_conf_bad(c, field,
				   "a duration of whole seconds from %lld s "
				   "to ten years",
				   (long long)min);
	*out = (int64_t)d;
	return FT_OK;
}

static int
number(const struct ft_conf *c, jv v, const char *field, double *out)
{
	if (jv_get_kind(v) != JV_KIND_NUMBER || !isfinite(jv_number_value(v)))
		return ft_conf_bad(c, field, "not a number");
	*out = jv_number_value(v);
	return FT_OK;
}

/*
 * A whole number from min to max into *out, else why (the message after
 * the field's name).
 */
static int
whole(const struct ft_conf *c, jv v, const char *field, double min, double max,
      const char *why, double *out)
{
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : 0;

	if (jv_get_kind(v) != JV_KIND_NUMBER || d != floor(d) || d < min ||
	    d > max)
		return ft_conf_bad(c, field, "%s", why);
	*out = d;
	return FT_OK;
}

static int
level(const struct ft_conf *c, jv v, const char *field, int *out)
{
	if (jv_get_kind(v) != JV_KIND_STRING ||
	    (*out = ft_warn_level_find(jv_string_value(v))) < 0)
		return ft_conf_bad(c, field,
				   "not a level (blue, yellow, orange, red)");
	return FT_OK;
}

/* sla: how late a case is (a duration), in seconds into *out. */
static int
sla_late(const struct ft_conf *c, jv v, const char *field, double *out)
{
	int64_t d = 0;
	int st = duration(c, v, field, 0, &d);

	*out = (double)d;
	return st;
}

/* "levels": {"orange": 10, "red": 20}, above the rule's level. */
static int
read_levels(const struct ft_conf *c, struct ft_warn_rule *r, jv v)
{
	char field[64];
	int l, st = FT_OK;
	double prev;

	if (r->level < 0 || r->level >= FT_LEVELS)
		return FT_CONFIG; /* level() refused it already */
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return ft_conf_bad(c, "levels",
				   "not an object of levels and the "
				   "measure each starts at, such as "
				   "{\"orange\": 10, \"red\": 20}");
	jv_object_foreach(v, k, x) {
		snprintf(field, sizeof(field), "levels.%s", jv_string_value(k));
		l = ft_warn_level_find(jv_string_value(k));
		if (st)
			;
		else if (l < 0)
			st = ft_conf_bad(c, field,
					 "not a level (blue, yellow, orange, "
					 "red)");
		else if (l <= r->level)
			st = ft_conf_bad(c, field,
					 "not above the rule's level (%s)",
					 ft_warn_levels[r->level]);
		else if (r->type == FT_WARN_SLA)
			st = sla_late(c, x, field, &r->at[l]);
		else
			st = number(c, x, field, &r->at[l]);
		jv_free(k);
		jv_free(x);
	}
	if (st)
		return st;
	prev = r->at[r->level];
	for (l = r->level + 1; l < FT_LEVELS; l++) {
		if (r->at[l] == HUGE_VAL)
			continue;
		if (r->below ? !(r->at[l] < prev) : !(r->at[l] > prev)) {
			snprintf(field, sizeof(field), "levels.%s",
				 ft_warn_levels[l]);
			return ft_conf_bad(c, field,
					   "%s %g: each level starts %s the "
					   "one below it",
					   r->below ? "not below" : "not above",
					   prev, r->below ? "below" : "above");
		}
		prev = r->at[l];
	}
	return FT_OK;
}

/* "terms": {"火灾": 3, "gas leak": 2}. */
static int
read_terms(const struct ft_conf *c, struct ft_warn_rule *r, jv v)
{
	size_t n;
	int st = FT_OK;

	if (jv_get_kind(v) != JV_KIND_OBJECT ||
	    (n = (size_t)jv_object_length(jv_copy(v))) == 0)
		return ft_conf_bad(c, "terms",
				   "missing, or not an object of terms and "
				   "their weights, such as {\"fire\": 3}");
	r->terms = ft_xmalloc(n * sizeof(*r->terms));
	jv_object_foreach(v, k, x) {
		char field[256], *p;
		double w = 0;

		snprintf(field, sizeof(field), "terms.%s", jv_string_value(k));
		if (!st && !*jv_string_value(k))
			st = ft_conf_bad(c, "terms", "an empty term");
		if (!st && !(st = number(c, x, field, &w)) && !(w > 0))
			st = ft_conf_bad(c, field, "a weight above 0");
		if (!st) {
			r->terms[r->nterms].text = ft_xstrdup(
				jv_string_value(k));
			r->terms[r->nterms++].weight = w;
			for (p = r->terms[r->nterms - 1].text; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		}
		jv_free(k);
		jv_free(x);
	}
	return st;
}

/* What each type takes besides the fields of every rule. */
static const char *const common_fields[] = { "name",  "type",	 "key",
					     "level", "levels",	 "major",
					     "quiet", "reraise", "escalate",
					     NULL };

static int
allowed(const struct ft_conf *c, const struct ft_warn_rule *r, jv o)
{
	static const char *const own[][12] = {
		[FT_WARN_THRESHOLD] = { "when", "count", "window", NULL },
		[FT_WARN_REPEAT] = { "when", "count", "window", NULL },
		[FT_WARN_KEYWORD] = { "when", "terms", "min", NULL },
		[FT_WARN_VALUE] = { "sensor", "metric", "above", "below",
				    "hysteresis", "for", "deviation",
				    "direction", "baseline", "record",
				    "likelihood" },
		[FT_WARN_FLATLINE] = { "when", "sensor", "metric", "gap",
				       "usual", "reports" },
		[FT_WARN_SPIKE] = { "when", "window", "baseline", "factor",
				    "min", NULL },
		[FT_WARN_SLA] = { "when", "deadline", "after", NULL },
		[FT_WARN_DROP] = { "when", "window", "baseline", "fall", "min",
				   NULL },
	};
	const char *all[24];
	size_t n = 0, i;

	for (i = 0; common_fields[i]; i++)
		all[n++] = common_fields[i];
	for (i = 0; i < 12 && own[r->type][i]; i++)
		all[n++] = own[r->type][i];
	all[n] = NULL;
	return ft_conf_only_keys(c, o, all, "");
}

/* "key": {"jq": ".community_board"}. */
static int
read_key_jq(const struct ft_conf *c, struct ft_warn_rule *r, jv v)
{
	static const char *const only[] = { "jq", NULL };
	char origin[512];
	jv p;
	int st;

	if ((st = ft_conf_only_keys(c, v, only, "key.")))
		return st;
	p = member(v, "jq");
	if (jv_get_kind(p) != JV_KIND_STRING) {
		jv_free(p);
		return ft_conf_bad(c, "key.jq", "not a jq program (a string)");
	}
	snprintf(origin, sizeof(origin),
		 "%s: rule %d (\"%s\"): field "
		 "\"key.jq\"",
		 c->path, c->rule, c->name);
	r->keyjq = ft_jq_compile(jv_string_value(p), origin);
	jv_free(p);
	if (!r->keyjq)
		return FT_CONFIG;
	r->key = FT_KEY_JQ;
	return FT_OK;
}

static int
read_key(const struct ft_conf *c, struct ft_warn_rule *r, jv v)
{
	int k;

	switch (r->type) {
	case FT_WARN_REPEAT:
		r->key = FT_KEY_FACILITY;
		break;
	case FT_WARN_KEYWORD:
		r->key = FT_KEY_ID;
		break;
	case FT_WARN_VALUE:
		r->key = FT_KEY_SENSOR;
		break;
	case FT_WARN_FLATLINE:
		r->key = FT_KEY_SOURCE;
		break;
	case FT_WARN_SLA:
		r->key = FT_KEY_UNIT;
		break;
	default:
		r->key = FT_KEY_AREA;
	}
	if (jv_get_kind(v) == JV_KIND_INVALID)
		return FT_OK;
	if (jv_get_kind(v) == JV_KIND_OBJECT && r->type != FT_WARN_VALUE)
		return read_key_jq(c, r, v);
	if (jv_get_kind(v) != JV_KIND_STRING ||
	    (k = word_find(keys, jv_string_value(v))) < 0)
		return ft_conf_bad(c, "key",
				   "not a key (area, facility, category, "
				   "source, address, unit, id, sensor, *, "
				   "or {\"jq\": PROGRAM})");
	if (r->type == FT_WARN_FLATLINE)
		; /* events by any key, or readings by sensor */
	else if (r->type == FT_WARN_VALUE ?
			 k != FT_KEY_SENSOR && k != FT_KEY_ALL :
			 k == FT_KEY_SENSOR)
		return ft_conf_bad(c, "key",
				   r->type == FT_WARN_VALUE ?
					   "a value rule groups readings by "
					   "\"sensor\" or \"*\"" :
					   "\"sensor\" groups readings: this "
					   "rule reads events");
	if (r->type == FT_WARN_REPEAT && k != FT_KEY_FACILITY &&
	    k != FT_KEY_ADDRESS)
		return ft_conf_bad(c, "key",
				   "a repeat rule groups by \"facility\" or "
				   "\"address\"");
	r->key = (enum ft_warn_key)k;
	return FT_OK;
}

/* The fields of a threshold or repeat rule. */
static int
read_window(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	jv v = member(o, "count");
	int st = whole(c, v, "count", 1, 1e9,
		       "missing, or not a whole number of events from 1",
		       &r->at[r->level]);

	jv_free(v);
	if (st)
		return st;
	v = member(o, "window");
	st = jv_get_kind(v) == JV_KIND_INVALID ?
		     ft_conf_bad(c, "window", "missing") :
		     duration(c, v, "window", 1, &r->window);
	jv_free(v);
	r->quiet = r->window;
	return st;
}

static int
read_keyword(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	jv v = member(o, "terms");
	size_t i;
	int st = read_terms(c, r, v);

	jv_free(v);
	if (st)
		return st;
	r->at[r->level] = HUGE_VAL;
	for (i = 0; i < r->nterms; i++)
		if (r->terms[i].weight < r->at[r->level])
			r->at[r->level] = r->terms[i].weight;
	v = member(o, "min");
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    !(st = number(c, v, "min", &r->at[r->level])) &&
	    !(r->at[r->level] > 0))
		st = ft_conf_bad(c, "min", "a score above 0");
	jv_free(v);
	r->quiet = 3600;
	return st;
}

/* "sensor" and "metric": the readings a value or flatline rule reads. */
static int
read_series(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	jv v = member(o, "sensor");
	int st = FT_OK;

	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = ft_conf_strs(c, v, "sensor", &r->sensors, 0);
	jv_free(v);
	if (st)
		return st;
	v = member(o, "metric");
	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = ft_conf_strs(c, v, "metric", &r->metrics, 0);
	jv_free(v);
	return st;
}

/*
 * value "deviation": "baseline": {"readings": N} or {"season": "day"|"week", "periods": K,
 * "readings": N}, with "min" and "floor".
 */
static int
read_dev_baseline(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	static const char *const only[] = { "readings", "season", "periods",
					    "min",	"floor",  "fallback",
					    NULL };
	jv v;
	double d = 0;
	int st = FT_OK;

	r->nbase = 100;
	r->min_base = 10;
	r->floor = 1;
	if (jv_get_kind(o) == JV_KIND_INVALID)
		return FT_OK;
	if (jv_get_kind(o) != JV_KIND_OBJECT)
		return ft_conf_bad(c, "baseline",
				   "not an object such as {\"readings\": 100} "
				   "or {\"season\": \"day\", \"periods\": 7}");
	if ((st = ft_conf_only_keys(c, o, only, "baseline.")))
		return st;
	v = member(o, "season");
	if (jv_get_kind(v) != JV_KIND_INVALID) {
		if (jv_get_kind(v) == JV_KIND_STRING &&
		    !strcmp(jv_string_value(v), "day"))
			r->season = 24;
		else if (jv_get_kind(v) == JV_KIND_STRING &&
			 !strcmp(jv_string_value(v), "week"))
			r->season = 168;
		else
			st = ft_conf_bad(c, "baseline.season",
					 "not \"day\" (the same hour of the "
					 "day) or \"week\" (of the week)");
	}
	jv_free(v);
	if (st)
		return st;
	v = member(o, "periods");
	if (jv_get_kind(v) != JV_KIND_INVALID) {
		if (!r->season)
			st = ft_conf_bad(c, "baseline.periods",
					 "only with \"season\"");
		else if (!(st = whole(c, v, "baseline.periods", 1, 520,
				      "not a whole number of days or weeks "
				      "from 1 to 520",
				      &d)))
			r->periods = (int)d;
	} else if (r->season) {
		r->periods = r->season == 24 ? 7 : 4;
	}
	jv_free(v);
	if (st)
		return st;
	v = member(o, "readings");
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    !(st = whole(c, v, "baseline.readings", 2, 100000,
			 "not a whole number of readings from 2 to 100000",
			 &d)))
		r->nbase = (int)d;
	jv_free(v);
	if (st)
		return st;
	r->min_base = r->nbase < 10 ? r->nbase : 10;
	v = member(o, "min");
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    !(st = whole(c, v, "baseline.min", 1, r->nbase,
			 "not a whole number of readings from 1 to "
			 "\"readings\"",
			 &d)))
		r->min_base = (int)d;
	jv_free(v);
	if (st)
		return st;
	v = member(o, "floor");
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    !(st = number(c, v, "baseline.floor", &r->floor)) &&
	    !(r->floor > 0))
		st = ft_conf_bad(c, "baseline.floor",
				 "not above 0: the least spread, in the "
				 "readings' unit");
	jv_free(v);
	if (st)
		return st;
	v = member(o, "fallback");
	if (jv_get_kind(v) == JV_KIND_TRUE && r->season)
		r->fallback = 1;
	else if (jv_get_kind(v) == JV_KIND_TRUE ||
		 (jv_get_kind(v) == JV_KIND_FALSE && !r->season))
		st = ft_conf_bad(c, "baseline.fallback",
				 "only with \"season\"");
	else if (jv_get_kind(v) != JV_KIND_INVALID &&
		 jv_get_kind(v) != JV_KIND_FALSE)
		st = ft_conf_bad(c, "baseline.fallback", "not true or false");
	jv_free(v);
	return st;
}

/*
 * "likelihood": {"average": W, "min": M}: the deviation's short-term mean
 * against the long-run spread of such means (over "record" readings).
 */
static int
read_likelihood(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	static const char *const only[] = { "average", "min", NULL };
	jv l = member(o, "likelihood"), v;
	double d = 0;
	int st = FT_OK;

	if (jv_get_kind(l) == JV_KIND_INVALID)
		return FT_OK;
	r->likelihood = 10;
	r->lmin = 100;
	if (jv_get_kind(l) != JV_KIND_OBJECT)
		st = ft_conf_bad(c, "likelihood",
				 "not an object such as {\"average\": 10}");
	else if (!r->record)
		st = ft_conf_bad(c, "likelihood",
				 "needs \"record\": the readings judged "
				 "that give the long-run spread");
	else if (!(st = ft_conf_only_keys(c, l, only, "likelihood."))) {
		v = member(l, "average");
		if (jv_get_kind(v) != JV_KIND_INVALID &&
		    !(st = whole(c, v, "likelihood.average", 1, r->record,
				 "not a whole number of readings from 1 to "
				 "\"record\"",
				 &d)))
			r->likelihood = (int)d;
		jv_free(v);
		/* HTM's likelihood estimates from 100 scores on. */
		if (r->lmin > r->record - r->likelihood + 1)
			r->lmin = r->record - r->likelihood + 1;
		v = member(l, "min");
		if (!st && jv_get_kind(v) != JV_KIND_INVALID &&
		    !(st = whole(c, v, "likelihood.min", 1,
				 r->record - r->likelihood + 1,
				 "not a whole number of means from 1 to "
				 "\"record\" - \"average\" + 1",
				 &d)))
			r->lmin = (int)d;
		jv_free(v);
	}
	jv_free(l);
	return st;
}

/* "deviation", "direction", "baseline": the deviation mode. */
static int
read_deviation(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	static const char *const dirs[] = { "above", "below", "both", NULL };
	jv v = member(o, "deviation");
	int st = number(c, v, "deviation", &r->at[r->level]), i;
	double d = 0;

	jv_free(v);
	if (!st && !(r->at[r->level] >= 0))
		st = ft_conf_bad(c, "deviation",
				 "below 0: the robust deviations (of 1.4826 "
				 "MAD) from which the reading is out");
	if (st)
		return st;
	r->dev = FT_DEV_BOTH;
	v = member(o, "direction");
	if (jv_get_kind(v) != JV_KIND_INVALID) {
		if (jv_get_kind(v) != JV_KIND_STRING ||
		    (i = word_find(dirs, jv_string_value(v))) < 0)
			st = ft_conf_bad(c, "direction",
					 "not above, below or both");
		else
			r->dev = i + 1;
	}
	jv_free(v);
	if (st)
		return st;
	v = member(o, "baseline");
	st = read_dev_baseline(c, r, v);
	jv_free(v);
	if (st)
		return st;
	v = member(o, "record");
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    !(st = whole(c, v, "record", 1, 100000,
			 "not a whole number of readings from 1 to 100000",
			 &d)))
		r->record = (int)d;
	jv_free(v);
	if (st)
		return st;
	return read_likelihood(c, r, o);
}

static int
read_value(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	jv a = member(o, "above"), b = member(o, "below"), v;
	jv dv = member(o, "deviation");
	int st = FT_OK, dev = jv_get_kind(dv) != JV_KIND_INVALID;

	jv_free(dv);
	if (dev && (jv_get_kind(a) != JV_KIND_INVALID ||
		    jv_get_kind(b) != JV_KIND_INVALID))
		st = ft_conf_bad(c, "deviation",
				 "a value rule has limits (\"above\" or "
				 "\"below\") or a \"deviation\", not both");
	else if (dev)
		st = read_deviation(c, r, o);
	else if ((jv_get_kind(a) == JV_KIND_INVALID) ==
		 (jv_get_kind(b) == JV_KIND_INVALID))
		st = ft_conf_bad(c, "above",
				 "a value rule has one limit: \"above\" or "
				 "\"below\"");
	else if (jv_get_kind(a) != JV_KIND_INVALID)
		st = number(c, a, "above", &r->at[r->level]);
	else if (!(st = number(c, b, "below", &r->at[r->level])))
		r->below = 1;
	jv_free(a);
	jv_free(b);
	if (st)
		return st;
	if (!dev) {
		static const char *const only_dev[] = { "direction", "baseline",
							"record", "likelihood",
							NULL };
		size_t i;

		for (i = 0; only_dev[i] && !st; i++) {
			v = member(o, only_dev[i]);
			if (jv_get_kind(v) != JV_KIND_INVALID)
				st = ft_conf_bad(c, only_dev[i],
						 "only with \"deviation\"");
			jv_free(v);
		}
		if (st)
			return st;
	}
	v = member(o, "hysteresis");
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    !(st = number(c, v, "hysteresis", &r->hysteresis)) &&
	    r->hysteresis < 0)
		st = ft_conf_bad(c, "hysteresis", "below 0");
	jv_free(v);
	if (st)
		return st;
	v = member(o, "for");
	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = duration(c, v, "for", 0, &r->hold);
	jv_free(v);
	if (st)
		return st;
	return read_series(c, r, o);
}

/*
 * "baseline": K windows before, or {"weeks": K}: the same window of the
 * week in each of the K weeks before, so the window divides a week.
 */
static int
read_baseline(const struct ft_conf *c, struct ft_warn_rule *r, jv v)
{
	static const char *const only[] = { "weeks", NULL };
	double d = 0;
	jv k;
	int st;

	r->baseline = 6;
	if (jv_get_kind(v) == JV_KIND_INVALID)
		return FT_OK;
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		if (!(st = whole(c, v, "baseline", 1, 1000,
				 "not a whole number of windows from 1 to "
				 "1000, or {\"weeks\": K}",
				 &d)))
			r->baseline = (int)d;
		return st;
	}
	if ((st = ft_conf_only_keys(c, v, only, "baseline.")))
		return st;
	k = member(v, "weeks");
	st = whole(c, k, "baseline.weeks", 1, 52,
		   "missing, or not a whole number of weeks from 1 to 52", &d);
	jv_free(k);
	if (st)
		return st;
	r->baseline = (int)d;
	r->weeks = 1;
	if ((7 * 86400) % r->window)
		return ft_conf_bad(c, "window",
				   "a baseline of weeks needs a window that "
				   "divides a week (such as \"15m\", \"1h\", "
				   "\"1d\")");
	/* A key keeps a count for each window of them that had events. */
	if ((int64_t)r->baseline * (7 * 86400 / r->window) > 20160)
		return ft_conf_bad(c, "baseline.weeks",
				   "%d weeks of %lld windows: at most 20160 "
				   "windows (two weeks of minutes); a longer "
				   "window, or fewer weeks",
				   r->baseline,
				   (long long)(7 * 86400 / r->window));
	return FT_OK;
}

/*
 * spike: "window", "baseline", "factor", "min"; drop: "window",
 * "baseline", "fall", "min".
 */
static int
read_spike(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	int drop = r->type == FT_WARN_DROP;
	jv v = member(o, "window");
	double d = 0;
	int st;

	st = jv_get_kind(v) == JV_KIND_INVALID ?
		     ft_conf_bad(c, "window", "missing") :
		     duration(c, v, "window", 1, &r->window);
	jv_free(v);
	if (st)
		return st;
	v = member(o, "baseline");
	st = read_baseline(c, r, v);
	jv_free(v);
	if (st)
		return st;
	r->at[r->level] = drop ? 0.5 : 3;
	v = member(o, drop ? "fall" : "factor");
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    !(st = number(c, v, drop ? "fall" : "factor", &r->at[r->level])) &&
	    (drop ? !(r->at[r->level] > 0 && r->at[r->level] <= 1) :
		    !(r->at[r->level] > 1)))
		st = drop ? ft_conf_bad(c, "fall",
					"a fraction of the usual count, "
					"above 0 and at most 1") :
			    ft_conf_bad(c, "factor",
					"a ratio above 1 to the usual count");
	jv_free(v);
	if (st)
		return st;
	r->min_count = 5;
	v = member(o, "min");
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    !(st = whole(c, v, "min", 1, 1e9,
			 drop ? "not a whole number of events from 1 (the "
				"least usual count judged)" :
				"not a whole number of events from 1",
			 &d)))
		r->min_count = (int64_t)d;
	jv_free(v);
	r->quiet = 0;
	return st;
}

/* flatline: "gap", or "usual" (and "reports"). */
static int
read_flatline(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	jv g = member(o, "gap"), u = member(o, "usual"), v;
	double d = 0;
	int st = FT_OK;

	r->readings = r->key == FT_KEY_SENSOR;
	if ((jv_get_kind(g) == JV_KIND_INVALID) ==
	    (jv_get_kind(u) == JV_KIND_INVALID))
		st = ft_conf_bad(c, "gap",
				 "a flatline rule has \"gap\" (a duration) "
				 "or \"usual\" (times the usual interval), "
				 "one of them");
	else if (jv_get_kind(g) != JV_KIND_INVALID)
		st = duration(c, g, "gap", 1, &r->gap);
	else if (!(st = number(c, u, "usual", &r->usual)) && !(r->usual > 1))
		st = ft_conf_bad(c, "usual",
				 "a factor above 1 of the key's usual "
				 "interval");
	jv_free(g);
	jv_free(u);
	if (st)
		return st;
	r->reports = 8;
	v = member(o, "reports");
	if (jv_get_kind(v) != JV_KIND_INVALID) {
		if (!r->usual)
			st = ft_conf_bad(c, "reports", "only with \"usual\"");
		else if (!(st = whole(c, v, "reports", 2, 1000,
				      "not a whole number of intervals from 2 "
				      "to 1000",
				      &d)))
			r->reports = (int)d;
	}
	jv_free(v);
	if (st)
		return st;
	v = member(o, r->readings ? "when" : "sensor");
	if (jv_get_kind(v) == JV_KIND_INVALID) {
		jv_free(v);
		v = member(o, r->readings ? "when" : "metric");
	}
	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = ft_conf_bad(c, r->readings ? "when" : "sensor",
				 r->readings ? "a flatline rule keyed by "
					       "sensor reads readings: no "
					       "\"when\"" :
					       "\"sensor\" and \"metric\" pick "
					       "readings: key the rule by "
					       "\"sensor\"");
	jv_free(v);
	if (st || !r->readings)
		return st;
	return read_series(c, r, o);
}

#define MAX_STEPS 16

/*
 * "escalate": [{"after": "15m", "notify": "district-duty"}, ...]: each
 * step a duration from the raise and whom to notify, the durations
 * increasing.
 */
static int
read_escalate(const struct ft_conf *c, struct ft_warn_rule *r, jv v)
{
	static const char *const only[] = { "after", "notify", NULL };
	char field[64], where[32];
	int i, n = 0, st = FT_OK;

	if (jv_get_kind(v) == JV_KIND_ARRAY)
		n = jv_array_length(jv_copy(v));
	if (n < 1 || n > MAX_STEPS)
		return ft_conf_bad(c, "escalate",
				   "not an array of 1 to %d steps, such as "
				   "[{\"after\": \"15m\", \"notify\": "
				   "\"duty\"}]",
				   MAX_STEPS);
	r->esc = ft_xmalloc((size_t)n * sizeof(*r->esc));
	for (i = 0; i < n && !st; i++) {
		struct ft_warn_step *p = &r->esc[i];
		jv s = jv_array_get(jv_copy(v), i), a, t;

		snprintf(where, sizeof(where), "escalate[%d].", i + 1);
		if (jv_get_kind(s) != JV_KIND_OBJECT) {
			jv_free(s);
			snprintf(field, sizeof(field), "escalate[%d]", i + 1);
			return ft_conf_bad(c, field,
					   "not an object {\"after\", "
					   "\"notify\"}");
		}
		if ((st = ft_conf_only_keys(c, s, only, where))) {
			jv_free(s);
			return st;
		}
		a = jv_object_get(jv_copy(s), jv_string("after"));
		t = jv_object_get(s, jv_string("notify"));
		snprintf(field, sizeof(field), "%safter", where);
		p->after = 0;
		st = jv_get_kind(a) == JV_KIND_INVALID ?
			     ft_conf_bad(c, field, "missing") :
			     duration(c, a, field, 0, &p->after);
		if (!st && i && p->after <= r->esc[i - 1].after)
			st = ft_conf_bad(
				c, field,
				"not after the step before it (%lld s): "
				"the steps come in order",
				(long long)r->esc[i - 1].after);
		snprintf(field, sizeof(field), "%snotify", where);
		if (!st &&
		    (jv_get_kind(t) != JV_KIND_STRING || !*jv_string_value(t)))
			st = ft_conf_bad(c, field,
					 "missing, or not a non-empty string: "
					 "whom the step notifies");
		if (!st) {
			p->notify = ft_xstrdup(jv_string_value(t));
			r->nesc++;
		}
		jv_free(a);
		jv_free(t);
	}
	return st;
}

/*
 * sla: "deadline" (respond or resolve) and "after" (how late a case is
 * before it counts; 0 by default): the rule's threshold.
 */
static int
read_sla(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	jv v = member(o, "deadline");
	int st = FT_OK;

	if (jv_get_kind(v) != JV_KIND_STRING ||
	    (strcmp(jv_string_value(v), "respond") &&
	     strcmp(jv_string_value(v), "resolve")))
		st = ft_conf_bad(c, "deadline",
				 "missing, or not \"respond\" (the case not "
				 "accepted by its respond_by) or \"resolve\" "
				 "(not resolved by its resolve_by)");
	else
		r->resolve = !strcmp(jv_string_value(v), "resolve");
	jv_free(v);
	if (st)
		return st;
	r->at[r->level] = 0;
	v = member(o, "after");
	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = sla_late(c, v, "after", &r->at[r->level]);
	jv_free(v);
	r->quiet = 0;
	return st;
}

/* The fields every rule has, after its type's own. */
static int
read_common(const struct ft_conf *c, struct ft_warn_rule *r, jv o)
{
	jv v = member(o, "levels");
	int st = FT_OK;

	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = read_levels(c, r, v);
	jv_free(v);
	if (st)
		return st;
	v = member(o, "major");
	if (jv_get_kind(v) == JV_KIND_TRUE)
		r->major = 0;
	else if (jv_get_kind(v) == JV_KIND_FALSE ||
		 jv_get_kind(v) == JV_KIND_INVALID)
		r->major = FT_LEVELS;
	else if (jv_get_kind(v) != JV_KIND_STRING ||
		 (r->major = ft_warn_level_find(jv_string_value(v))) < 0)
		st = ft_conf_bad(c, "major",
				 "not true, false or the level from which a "
				 "warning is major");
	jv_free(v);
	if (st)
		return st;
	v = member(o, "quiet");
	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = duration(c, v, "quiet", 0, &r->quiet);
	jv_free(v);
	if (st)
		return st;
	v = member(o, "reraise");
	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = duration(c, v, "reraise", 60, &r->reraise);
	jv_free(v);
	if (st)
		return st;
	v = member(o, "escalate");
	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = read_escalate(c, r, v);
	jv_free(v);
	return st;
}

static int
read_rule(struct ft_warn_rules *rs, struct ft_conf *c, struct ft_area *a,
	  struct ft_warn_rule *r, jv o)
{
	int st = FT_OK, l;
	size_t i;
	jv v;

	ft_cond_init(&r->when);
	for (l = 0; l < FT_LEVELS; l++)
		r->at[l] = HUGE_VAL;
	if (jv_get_kind(o) != JV_KIND_OBJECT)
		return ft_conf_bad(c, "rule", "not an object");
	v = member(o, "name");
	if (jv_get_kind(v) != JV_KIND_STRING || !*jv_string_value(v)) {
		jv_free(v);
		return ft_conf_bad(c, "name",
				   "missing, or not a non-empty string: a "
				   "warning is known by its rule's name");
	}
	r->name = ft_xstrdup(jv_string_value(v));
	r->namelen = strlen(r->name);
	c->name = r->name;
	jv_free(v);
	for (i = 0; i + 1 < rs->n; i++)
		if (!strcmp(rs->r[i].name, r->name))
			return ft_conf_bad(c, "name",
					   "rule %zu has the same name", i + 1);
	v = member(o, "type");
	if (jv_get_kind(v) != JV_KIND_STRING ||
	    (l = word_find(types, jv_string_value(v))) < 0) {
		jv_free(v);
		return ft_conf_bad(c, "type",
				   "missing, or not a type (threshold, "
				   "repeat, keyword, value, flatline, "
				   "spike, sla, drop)");
	}
	jv_free(v);
	r->type = (enum ft_warn_type)l;
	if ((st = allowed(c, r, o)))
		return st;
	v = member(o, "key");
	st = read_key(c, r, v);
	jv_free(v);
	if (st)
		return st;
	r->level = 1;
	v = member(o, "level");
	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = level(c, v, "level", &r->level);
	jv_free(v);
	if (st)
		return st;
	v = member(o, "when");
	if (jv_get_kind(v) != JV_KIND_INVALID)
		st = ft_cond_read(c, a, v, &r->when);
	jv_free(v);
	if (st)
		return st;
	switch (r->type) {
	case FT_WARN_THRESHOLD:
	case FT_WARN_REPEAT:
		st = read_window(c, r, o);
		break;
	case FT_WARN_KEYWORD:
		st = read_keyword(c, r, o);
		break;
	case FT_WARN_VALUE:
		st = read_value(c, r, o);
		break;
	case FT_WARN_SPIKE:
	case FT_WARN_DROP:
		st = read_spike(c, r, o);
		break;
	case FT_WARN_FLATLINE:
		/* The threshold is the silence itself: level from the
		 * start, never above it. */
		r->at[r->level] = 0;
		st = read_flatline(c, r, o);
		r->quiet = 0;
		/* What it remembers back from the clock (horizon()): its
		 * gap, or a week of a usual interval. */
		r->window = r->gap ? r->gap : 7 * 86400;
		break;
	case FT_WARN_SLA:
		st = read_sla(c, r, o);
		break;
	}
	if (st)
		return st;
	if ((st = read_common(c, r, o)))
		return st;
	if (r->type == FT_WARN_DROP)
		for (l = r->level + 1; l < FT_LEVELS; l++)
			if (r->at[l] != HUGE_VAL && r->at[l] > 1) {
				char field[32];

				snprintf(field, sizeof(field), "levels.%s",
					 ft_warn_levels[l]);
				return ft_conf_bad(
					c, field,
					"a drop's fall is a fraction "
					"at most 1");
			}
	if (ft_cond_needs_text(&r->when) || r->type == FT_WARN_KEYWORD)
		rs->need_text = 1;
	if (r->window > rs->longest)
		rs->longest = r->window;
	if (r->hold > rs->longest)
		rs->longest = r->hold;
	return FT_OK;
}

/* The automaton of every keyword rule's terms. */
static void
build_kw(struct ft_warn_rules *rs)
{
	size_t i, j, n = 0;

	for (i = 0; i < rs->n; i++)
		n += rs->r[i].nterms;
	if (!n)
		return;
	rs->kw = ft_kw_new();
	rs->kw_rule = ft_xmalloc(n * sizeof(*rs->kw_rule));
	rs->kw_weight = ft_xmalloc(n * sizeof(*rs->kw_weight));
	n = 0;
	for (i = 0; i < rs->n; i++)
		for (j = 0; j < rs->r[i].nterms; j++, n++) {
			const struct ft_warn_term *t = &rs->r[i].terms[j];

			/* Not empty: read_terms() refused that. */
			ft_kw_add(rs->kw, t->text, strlen(t->text), (int)n);
			rs->kw_rule[n] = (int)i;
			rs->kw_weight[n] = t->weight;
		}
	ft_kw_build(rs->kw);
}

int
ft_warn_rules_load(struct ft_warn_rules *rs, const char *path,
		   struct ft_area *a)
{
	static const char *const top_keys[] = { "rules", NULL };
	struct ft_conf c = { path, 0, NULL };
	jv top, rules;
	int st, i, n;

	memset(rs, 0, sizeof(*rs));
	/* Patterns match characters, not bytes, when the locale allows. */
	setlocale(LC_CTYPE, "C.UTF-8");
	if ((st = ft_conf_load(path, "the rules", &top)))
		return st;
	if (jv_get_kind(top) == JV_KIND_OBJECT) {
		if ((st = ft_conf_only_keys(&c, top, top_keys, ""))) {
			jv_free(top);
			return st;
		}
		rules = member(top, "rules");
		jv_free(top);
	} else {
		rules = top;
	}
	if (jv_get_kind(rules) != JV_KIND_ARRAY) {
		jv_free(rules);
		return ft_conf_bad(&c, "rules",
				   "the file is neither an array of rules "
				   "nor an object with \"rules\"");
	}
	n = jv_array_length(jv_copy(rules));
	if (n == 0) {
		jv_free(rules);
		return ft_conf_bad(&c, "rules", "no rules");
	}
	rs->r = ft_xmalloc((size_t)n * sizeof(*rs->r));
	memset(rs->r, 0, (size_t)n * sizeof(*rs->r));
	for (i = 0; i < n && !st; i++) {
		jv o = jv_array_get(jv_copy(rules), i);

		c.rule = i + 1;
		c.name = NULL;
		rs->n++;
		st = read_rule(rs, &c, a, &rs->r[i], o);
		jv_free(o);
	}
	jv_free(rules);
	if (!st)
		build_kw(rs);
	return st;
}

void
ft_warn_rules_free(struct ft_warn_rules *rs)
{
	size_t i, j;

	for (i = 0; i < rs->n; i++) {
		struct ft_warn_rule *r = &rs->r[i];

		free(r->name);
		ft_cond_free(&r->when);
		ft_jq_free(r->keyjq);
		ft_strs_free(&r->sensors);
		ft_strs_free(&r->metrics);
		for (j = 0; j < r->nterms; j++)
			free(r->terms[j].text);
		free(r->terms);
		for (j = 0; j < r->nesc; j++)
			free(r->esc[j].notify);
		free(r->esc);
	}
	free(rs->r);
	ft_kw_free(rs->kw);
	free(rs->kw_rule);
	free(rs->kw_weight);
	memset(rs, 0, sizeof(*rs));
}

int
ft_warn_rule_find(const struct ft_warn_rules *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->r[i].name, name))
			return (int)i;
	return -1;
}

int
ft_warn_level_of(const struct ft_warn_rule *r, double m)
{
	int l, got = -1;

	for (l = r->level; l < FT_LEVELS; l++) {
		if (r->at[l] == HUGE_VAL)
			continue;
		/* A count or score reaches its level; a value is beyond
		 * its limit. */
		if (r->below		     ? m < r->at[l] :
		    r->type == FT_WARN_VALUE ? m > r->at[l] :
					       m >= r->at[l])
			got = l;
	}
	return got;
}
