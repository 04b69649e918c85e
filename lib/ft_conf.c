#include "ft_conf.h"
#include "ft_buf.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_json.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
ft_conf_bad(const struct ft_conf *c, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->rule && c->name)
		ft_error("%s: rule %d (%s): field %s: %s", c->path, c->rule,
			 ft_q(c->name), ft_q(field), msg);
	else if (c->rule)
		ft_error("%s: rule %d: field %s: %s", c->path, c->rule,
			 ft_q(field), msg);
	else
		ft_error("%s: field %s: %s", c->path, ft_q(field), msg);
	return FT_CONFIG;
}

int
ft_conf_load(const char *path, const char *what, jv *top)
{
	struct ft_json_doc d;
	const char *why;
	size_t len, pos, k;
	long line = 1;
	char *text;

	*top = jv_invalid();
	if (!(text = ft_slurp(path, what, &len)))
		return FT_NOINPUT;
	/*
	 * jq keeps the last of a key given twice, silently: the file is
	 * checked as every JSON input is (ft_json_parse) too, so that such
	 * a key, plain or written with escapes, is refused by name.
	 */
	*top = jv_parse_sized(text, (int)len);
	if (!jv_is_valid(*top)) {
		jv msg = jv_invalid_get_msg(*top);

		free(text);
		ft_error("%s: not JSON: %s", path,
			 jv_get_kind(msg) == JV_KIND_STRING ?
				 jv_string_value(msg) :
				 "unreadable");
		jv_free(msg);
		*top = jv_invalid();
		return FT_CONFIG;
	}
	ft_json_doc_init(&d);
	if (ft_json_parse(&d, text, len, &why, &pos)) {
		for (k = 0; k < pos; k++)
			line += text[k] == '\n';
		ft_error("%s:%ld: not JSON: %s", path, line, why);
		ft_json_doc_release(&d);
		free(text);
		jv_free(*top);
		*top = jv_invalid();
		return FT_CONFIG;
	}
	ft_json_doc_release(&d);
	free(text);
	return FT_OK;
}

int
ft_conf_only_keys(const struct ft_conf *c, jv obj, const char *const *allowed,
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
			st = ft_conf_bad(c, field,
					 "not a field of %s (a typo?)",
					 *where	 ? "this object" :
					 c->rule ? "a rule" :
						   "the rules file");
		}
		jv_free(k);
		jv_free(v);
	}
	return st;
}

int
ft_conf_strs(const struct ft_conf *c, jv v, const char *field,
	     struct ft_strs *s, int lower)
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
				return ft_conf_bad(c, field,
						   "element %d is not a "
						   "string",
						   i + 1);
			}
			s->s[s->n++] = ft_xstrdup(jv_string_value(e));
			jv_free(e);
		}
	} else {
		return ft_conf_bad(c, field,
				   "not a string or a non-empty array of "
				   "strings");
	}
	for (i = 0; i < (int)s->n; i++) {
		char *p;

		if (!*s->s[i])
			return ft_conf_bad(c, field, "an empty string");
		if (lower)
			for (p = s->s[i]; *p; p++)
				*p = (char)tolower((unsigned char)*p);
	}
	return FT_OK;
}

void
ft_strs_free(struct ft_strs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->s[i]);
	free(s->s);
	s->s = NULL;
	s->n = 0;
}

int
ft_strs_has(const struct ft_strs *s, const char *v)
{
	size_t i;

	if (!v)
		return 0;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->s[i], v))
			return 1;
	return 0;
}

int
ft_conf_minutes(const struct ft_conf *c, jv v, const char *field, int min,
		int *out)
{
	double d;

	if (jv_get_kind(v) != JV_KIND_NUMBER)
		return ft_conf_bad(c, field, "not a number of minutes");
	d = jv_number_value(v);
	if (d != floor(d) || d < min || d > 525600 * 10)
		return ft_conf_bad(c, field,
				   "not a whole number of minutes from %d "
				   "to 5256000",
				   min);
	*out = (int)d;
	return FT_OK;
}

int
ft_conf_hours(const struct ft_conf *c, jv v, const char *field, int *from,
	      int *to)
{
	unsigned h1, m1, h2, m2;
	char tail;

	if (jv_get_kind(v) != JV_KIND_STRING ||
	    sscanf(jv_string_value(v), "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2, &m2,
		   &tail) != 4 ||
	    h1 > 24 || h2 > 24 || m1 > 59 || m2 > 59 || (h1 == 24 && m1) ||
	    (h2 == 24 && m2))
		return ft_conf_bad(c, field,
				   "not a time range \"HH:MM-HH:MM\"");
	*from = (int)(h1 * 60 + m1);
	*to = (int)(h2 * 60 + m2);
	if (*from == *to)
		return ft_conf_bad(c, field, "an empty time range");
	return FT_OK;
}

int
ft_conf_days(const struct ft_conf *c, jv v, const char *field, int *mask)
{
	static const char *const names[] = { "sun", "mon", "tue", "wed",
					     "thu", "fri", "sat" };
	struct ft_strs s = { 0 };
	size_t i;
	int d, st;

	if ((st = ft_conf_strs(c, v, field, &s, 1)))
		goto out;
	for (i = 0; i < s.n; i++) {
		for (d = 0; d < 7; d++)
			if (!strncmp(s.s[i], names[d], 3) &&
			    strlen(s.s[i]) >= 3)
				break;
		if (d == 7) {
			st = ft_conf_bad(c, field,
					 "%s is not a day (mon, tue, "
					 "wed, thu, fri, sat, sun)",
					 ft_q(s.s[i]));
			goto out;
		}
		*mask |= 1 << d;
	}
out:
	ft_strs_free(&s);
	return st;
}
