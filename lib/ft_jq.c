#include "ft_jq.h"
#include "ft_err.h"
#include "ft_json.h"

#include <jq.h>
#include <jv.h>
#include <stdlib.h>
#include <string.h>

struct ft_jq {
	jq_state *jq;
	struct ft_buf err, str;
	const char *origin;
	int running;
};

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

struct ft_jq *
ft_jq_compile(const char *program, const char *origin)
{
	struct ft_jq *q = ft_xmalloc(sizeof(*q));
	char *line, *save;

	memset(q, 0, sizeof(*q));
	ft_buf_init(&q->err);
	ft_buf_init(&q->str);
	q->origin = origin;
	q->jq = jq_init();
	if (!q->jq) {
		ft_error("%s: cannot start jq", origin);
		free(q);
		return NULL;
	}
	jq_set_error_cb(q->jq, collect, q);
	if (!jq_compile(q->jq, program)) {
		for (line = strtok_r(q->err.s, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			ft_error("%s: %s", origin, line);
		if (!q->err.len)
			ft_error("%s: the filter does not compile", origin);
		ft_jq_free(q);
		return NULL;
	}
	return q;
}

void
ft_jq_free(struct ft_jq *q)
{
	if (!q)
		return;
	if (q->jq)
		jq_teardown(&q->jq);
	ft_buf_release(&q->err);
	ft_buf_release(&q->str);
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
	jv v = build(q, &p, end, 0);

	if (jv_is_valid(v) && skip_space(p, end) == end)
		return v;
	jv_free(v);
	return jv_parse_sized(json, (int)len);
}

int
ft_jq_start(struct ft_jq *q, const char *json, size_t len, const char **err)
{
	jv in = input(q, json, len);

	if (!jv_is_valid(in)) {
		*err = message(q, jv_invalid_get_msg(in));
		return -1;
	}
	jq_start(q->jq, in, 0);
	q->running = 1;
	return 0;
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
			m.escaped = memchr(out->s + m.key, '\\', m.keylen) != NULL;
			m.hash = ft_json_key_hash(out->s + m.key, m.keylen);
			if (d->n == d->cap) {
				d->cap = d->cap ? d->cap * 2 : 32;
				d->m = ft_xrealloc(d->m, d->cap * sizeof(*d->m));
			}
			d->m[d->n++] = m;
		}
		ft_buf_addc(out, '}');
		break;
	}
}

int
ft_jq_next(struct ft_jq *q, struct ft_json_doc *d, const char **err)
{
	jv v;

	if (!q->running)
		return 0;
	v = jq_next(q->jq);
	if (!jv_is_valid(v)) {
		q->running = 0;
		if (jv_invalid_has_msg(jv_copy(v))) {
			*err = message(q, jv_invalid_get_msg(v));
			return -1;
		}
		jv_free(v);
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
ft_jq_test(struct ft_jq *q, const char *json, size_t len, const char **err)
{
	jv v;
	int k;

	if (ft_jq_start(q, json, len, err))
		return -1;
	v = jq_next(q->jq);
	q->running = 0;
	if (!jv_is_valid(v)) {
		if (jv_invalid_has_msg(jv_copy(v))) {
			*err = message(q, jv_invalid_get_msg(v));
			return -1;
		}
		jv_free(v);
		return 0;	/* empty: no output is not true */
	}
	k = jv_get_kind(v);
	jv_free(v);
	return k != JV_KIND_NULL && k != JV_KIND_FALSE;
}

struct ft_jq *
ft_jq_compile_quiet(const char *program)
{
	struct ft_jq *q = ft_xmalloc(sizeof(*q));

	memset(q, 0, sizeof(*q));
	ft_buf_init(&q->err);
	ft_buf_init(&q->str);
	q->origin = "--map";
	q->jq = jq_init();
	if (!q->jq) {
		free(q);
		return NULL;
	}
	jq_set_error_cb(q->jq, collect, q);
	if (!jq_compile(q->jq, program)) {
		ft_jq_free(q);
		return NULL;
	}
	return q;
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
