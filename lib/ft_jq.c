#include "ft_jq.h"
#include "ft_err.h"

#include <jq.h>
#include <jv.h>
#include <stdlib.h>
#include <string.h>

struct ft_jq {
	jq_state *jq;
	struct ft_buf err;
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

int
ft_jq_start(struct ft_jq *q, const char *json, size_t len, const char **err)
{
	jv in = jv_parse_sized(json, (int)len);

	if (!jv_is_valid(in)) {
		*err = message(q, jv_invalid_get_msg(in));
		return -1;
	}
	jq_start(q->jq, in, 0);
	q->running = 1;
	return 0;
}

int
ft_jq_next(struct ft_jq *q, struct ft_buf *out, const char **err)
{
	jv v, s;

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
	s = jv_dump_string(v, 0);
	ft_buf_reset(out);
	ft_buf_add(out, jv_string_value(s), (size_t)jv_string_length_bytes(
							jv_copy(s)));
	jv_free(s);
	return 1;
}
