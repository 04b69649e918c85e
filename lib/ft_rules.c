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

struct rule {
	char *name;
	struct ft_cond when;
	struct ft_target unit;
	int priority, respond, resolve;	/* minutes; 0: none */
	int calendar, ignore_owner;
	struct ft_step *chain;
	size_t nchain;
};

struct ft_rules {
	struct rule *r;
	size_t n;
	struct ft_area *a;
	double near_m, dup_m;
	int dup_min, dup_facility;
	int cal_days, cal_from, cal_to;	/* the working-hours calendar */
	int need_words;
	struct ft_cond_text text; /* of the event, for "words" */
	char *path;
	char *tz;		/* "tz": the zone, unless --tz names one */
	struct ft_buf stop; /* why a jq condition was halted, or "" */
};

/* ---- reading ---- */

static int
get_target(const struct ft_conf *c, struct ft_area *a, jv v, const char *field,
	   struct ft_target *t)
{
	const char *s;
	int k;

	if (jv_get_kind(v) != JV_KIND_STRING)
		return ft_conf_bad(c, field, "not a unit id or @area[:KIND]");
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
			return ft_conf_bad(c, field,
					   "%s: the level is one of "
					   "grid, community, street, district",
					   ft_q(s));
		t->level = k;
		return FT_OK;
	}
	if (!a)
		return FT_OK; /* checked without the units */
	t->unit = ft_area_find(a, s, strlen(s));
	if (t->unit < 0)
		return ft_conf_bad(c, field,
				   "no unit %s in the database (load it "
				   "with ft-ingest --kind units)",
				   ft_q(s));
	return FT_OK;
}

/* Reads rule r from o, borrowed. */
static int
read_rule_body(struct ft_rules *rs, struct ft_conf *c, struct rule *r, jv o)
{
	static const char *const keys[] = { "name", "when", "unit",
		"priority", "respond", "resolve", "escalate", "calendar",
		"ignore_owner", NULL };
	int st = FT_OK, i, n;
	jv v;

	ft_cond_init(&r->when);
	r->priority = 3;
	if (jv_get_kind(o) != JV_KIND_OBJECT)
		return ft_conf_bad(c, "rule", "not an object");
	v = jv_object_get(jv_copy(o), jv_string("name"));
	if (jv_get_kind(v) == JV_KIND_STRING && *jv_string_value(v)) {
		r->name = ft_xstrdup(jv_string_value(v));
		c->name = r->name;
	} else if (jv_get_kind(v) != JV_KIND_INVALID) {
		jv_free(v);
		return ft_conf_bad(c, "name", "not a non-empty string");
	} else {
		char buf[32];

		snprintf(buf, sizeof(buf), "rule %d", c->rule);
		r->name = ft_xstrdup(buf);
	}
	jv_free(v);
	if ((st = ft_conf_only_keys(c, o, keys, "")))
		return st;
	v = jv_object_get(jv_copy(o), jv_string("when"));
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    (st = ft_cond_read(c, rs->a, v, &r->when)))
		goto out;
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("unit"));
	if (jv_get_kind(v) == JV_KIND_INVALID) {
		st = ft_conf_bad(c, "unit",
				 "missing: every rule names the "
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
			st = ft_conf_bad(c, "priority",
					 "not a whole number from 1 "
					 "(most urgent) to 9");
			goto out;
		}
		r->priority = (int)d;
	}
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("respond"));
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    (st = ft_conf_minutes(c, v, "respond", 1, &r->respond)))
		goto out;
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("resolve"));
	if (jv_get_kind(v) != JV_KIND_INVALID &&
	    (st = ft_conf_minutes(c, v, "resolve", 1, &r->resolve)))
		goto out;
	jv_free(v);
	if (r->respond && r->resolve && r->resolve < r->respond) {
		st = ft_conf_bad(c, "resolve", "earlier than respond");
		goto out;
	}
	v = jv_object_get(jv_copy(o), jv_string("calendar"));
	if (jv_get_kind(v) == JV_KIND_TRUE) {
		if (!rs->cal_days) {
			st = ft_conf_bad(c, "calendar",
					 "the file has no top-level "
					 "\"calendar\" of working hours");
			goto out;
		}
		r->calendar = 1;
	} else if (jv_get_kind(v) != JV_KIND_INVALID &&
		   jv_get_kind(v) != JV_KIND_FALSE) {
		st = ft_conf_bad(c, "calendar", "not true or false");
		goto out;
	}
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("ignore_owner"));
	if (jv_get_kind(v) == JV_KIND_TRUE) {
		r->ignore_owner = 1;
	} else if (jv_get_kind(v) != JV_KIND_INVALID &&
		   jv_get_kind(v) != JV_KIND_FALSE) {
		st = ft_conf_bad(c, "ignore_owner", "not true or false");
		goto out;
	}
	jv_free(v);
	v = jv_object_get(jv_copy(o), jv_string("escalate"));
	if (jv_get_kind(v) != JV_KIND_INVALID) {
		static const char *const sk[] = { "after", "to", NULL };
		char field[64];

		if (jv_get_kind(v) != JV_KIND_ARRAY) {
			st = ft_conf_bad(c, "escalate",
					 "not an array of {\"after\", "
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
				st = ft_conf_bad(c, field,
						 "not an object {\"after\", "
						 "\"to\"}");
				goto out;
			}
			if ((st = ft_conf_only_keys(c, s, sk, ""))) {
				jv_free(s);
				goto out;
			}
			a = jv_object_get(jv_copy(s), jv_string("after"));
			t = jv_object_get(s, jv_string("to"));
			snprintf(field, sizeof(field), "escalate[%d].after",
				 i + 1);
			st = jv_get_kind(a) == JV_KIND_INVALID ?
				     ft_conf_bad(c, field, "missing") :
				     ft_conf_minutes(c, a, field, 0,
						     &r->chain[i].after);
			if (!st && i && r->chain[i].after <
					r->chain[i - 1].after)
				st = ft_conf_bad(c, field,
						 "earlier than the step "
						 "before it");
			snprintf(field, sizeof(field), "escalate[%d].to",
				 i + 1);
			if (!st)
				st = jv_get_kind(t) == JV_KIND_INVALID ?
					     ft_conf_bad(c, field, "missing") :
					     get_target(c, rs->a, t, field,
							&r->chain[i].to);
			jv_free(a);
			jv_free(t);
			if (st)
				goto out;
			r->nchain++;
		}
		if (n && !r->respond && !r->resolve) {
			st = ft_conf_bad(c, "escalate",
					 "a chain needs a deadline "
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
read_rule(struct ft_rules *rs, struct ft_conf *c, struct rule *r, jv o)
{
	int st = read_rule_body(rs, c, r, o);

	jv_free(o);
	return st;
}

static int
read_top(struct ft_rules *rs, struct ft_conf *c, jv top, jv *rules)
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
		return ft_conf_bad(c, "rules",
				   "the file is neither an array of rules "
				   "nor an object with \"rules\"");
	}
	if ((st = ft_conf_only_keys(c, top, keys, ""))) {
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
		return ft_conf_bad(c, "near_boundary",
				   "not a distance in metres "
				   "from 0 to 100000");
	}
	jv_free(v);
	v = jv_object_get(jv_copy(top), jv_string("tz"));
	if (jv_get_kind(v) == JV_KIND_STRING &&
	    ft_time_zone_exists(jv_string_value(v))) {
		rs->tz = ft_xstrdup(jv_string_value(v));
	} else if (jv_get_kind(v) != JV_KIND_INVALID) {
		st = jv_get_kind(v) == JV_KIND_STRING ?
			     ft_conf_bad(c, "tz", "unknown time zone \"%s\"",
					 jv_string_value(v)) :
			     ft_conf_bad(c, "tz",
					 "not a time zone name such as "
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

		st = ft_conf_only_keys(c, v, dk, "duplicates.");
		if (!st && (jv_get_kind(d) != JV_KIND_NUMBER ||
			    !(jv_number_value(d) > 0) ||
			    jv_number_value(d) > 100000))
			st = ft_conf_bad(c, "duplicates.distance",
					 "not a distance in "
					 "metres above 0, to 100000");
		if (!st)
			rs->dup_m = jv_number_value(d);
		if (!st)
			st = jv_get_kind(w) == JV_KIND_INVALID ?
				     ft_conf_bad(c, "duplicates.within",
						 "missing") :
				     ft_conf_minutes(c, w, "duplicates.within",
						     1, &rs->dup_min);
		if (!st && jv_get_kind(f) == JV_KIND_FALSE)
			rs->dup_facility = 0;
		else if (!st && jv_get_kind(f) != JV_KIND_TRUE &&
			 jv_get_kind(f) != JV_KIND_INVALID)
			st = ft_conf_bad(c, "duplicates.facility",
					 "not true or "
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
		return ft_conf_bad(c, "duplicates",
				   "not an object {\"distance\", "
				   "\"within\", \"facility\"}");
	}
	jv_free(v);
	v = jv_object_get(jv_copy(top), jv_string("calendar"));
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		jv d = jv_object_get(jv_copy(v), jv_string("days"));
		jv h = jv_object_get(jv_copy(v), jv_string("hours"));

		st = ft_conf_only_keys(c, v, ck, "calendar.");
		if (!st)
			st = jv_get_kind(d) == JV_KIND_INVALID ?
				     ft_conf_bad(c, "calendar.days",
						 "missing") :
				     ft_conf_days(c, d, "calendar.days",
						  &rs->cal_days);
		if (!st)
			st = jv_get_kind(h) == JV_KIND_INVALID ?
				     ft_conf_bad(c, "calendar.hours",
						 "missing") :
				     ft_conf_hours(c, h, "calendar.hours",
						   &rs->cal_from, &rs->cal_to);
		if (!st && rs->cal_from > rs->cal_to)
			st = ft_conf_bad(c, "calendar.hours",
					 "working hours cannot "
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
		return ft_conf_bad(c, "calendar",
				   "not an object {\"days\", "
				   "\"hours\"}");
	}
	jv_free(v);
	*rules = jv_object_get(top, jv_string("rules"));
	if (jv_get_kind(*rules) != JV_KIND_ARRAY) {
		jv_free(*rules);
		return ft_conf_bad(c, "rules", "missing, or not an array");
	}
	return FT_OK;
}

int
ft_rules_load(struct ft_rules **rp, const char *path, struct ft_area *a)
{
	struct ft_rules *rs = ft_xmalloc(sizeof(*rs));
	struct ft_conf c = { path, 0, NULL };
	jv top, rules;
	int st, i, n;

	memset(rs, 0, sizeof(*rs));
	ft_cond_text_init(&rs->text);
	ft_buf_init(&rs->stop);
	rs->a = a;
	rs->path = ft_xstrdup(path);
	*rp = rs;
	/* Patterns match characters, not bytes, when the locale allows. */
	setlocale(LC_CTYPE, "C.UTF-8");
	if ((st = ft_conf_load(path, "the rules", &top)))
		return st;
	if ((st = read_top(rs, &c, top, &rules)))
		return st;
	/* read_top() sets rules whenever it returns 0: its failures return
	 * ft_conf_ft_conf_bad()'s FT_CONFIG, but the analyzer does not follow a variadic
	 * function and so takes 0 for a possible failure.
	 * NOLINTBEGIN(clang-analyzer-core.CallAndMessage) */
	/* --tz, else the file's "tz", else TZ. */
	if (rs->tz && !ft_time_zone_given() && ft_time_set_zone(rs->tz)) {
		jv_free(rules);
		return ft_conf_bad(&c, "tz", "unknown time zone \"%s\"",
				   rs->tz);
	}
	n = jv_array_length(jv_copy(rules));
	/* NOLINTEND(clang-analyzer-core.CallAndMessage) */
	if (n == 0) {
		jv_free(rules);
		return ft_conf_bad(&c, "rules", "no rules");
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
		if (ft_cond_needs_text(&rs->r[i].when))
			rs->need_words = 1;
	}
	jv_free(rules);
	return st;
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
		ft_cond_free(&r->when);
		free(r->chain);
	}
	free(rs->r);
	ft_cond_text_release(&rs->text);
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

/* Why rule r does not hold for e, or NULL when it does. */
static const char *
test(struct ft_rules *rs, struct rule *r, const struct ft_cond_event *e,
     char *buf, size_t bufsz)
{
	const char *w;
	int halted;

	w = ft_cond_test(&r->when, rs->a, &rs->text, e, buf, bufsz, &halted);
	if (halted) {
		ft_buf_reset(&rs->stop);
		ft_buf_adds(&rs->stop, "rule ");
		ft_json_escape_lossy(&rs->stop, r->name, strlen(r->name));
		ft_buf_addf(&rs->stop, ": %s", w);
	}
	return w;
}

void
ft_rules_match(struct ft_rules *rs, const struct ft_cond_event *e, int *rule,
	       int *unit, const char **stopped, struct ft_buf *explain)
{
	char buf[256];
	const char *w;
	size_t i;
	int n = 0;

	*rule = -1;
	*unit = -1;
	*stopped = NULL;
	if (rs->need_words)
		ft_cond_text_set(&rs->text, e);
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
		ft_time_local(t, &sec, &wday, &day);
		if (!(rs->cal_days & (1 << wday)) ||
		    sec >= rs->cal_to * 60 || sec < rs->cal_from * 60) {
			/* On to the next start: today's, else the next
			 * day's; its offset may differ (DST). */
			if (sec >= rs->cal_from * 60 ||
			    !(rs->cal_days & (1 << wday)))
				day++;
			start = day * 86400 + (int64_t)rs->cal_from * 60;
			t = start - ft_time_offset(start - ft_time_offset(t));
			t = start - ft_time_offset(t);
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
