/*
 * ft_warn_act.c - what people do with warnings: acknowledge, resolve,
 * list (ft-warn ack, resolve, list).  See ft_warn.h.
 */
#include "ft_buf.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_hist.h"
#include "ft_json.h"
#include "ft_store_warn.h"
#include "ft_time.h"
#include "ft_warn.h"
#include "ft_warn_esc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds from a to b, both stored times; 0 with *ok 0 when unreadable. */
static int64_t
seconds(const char *a, const char *b, int *ok)
{
	int64_t x, y;
	const char *err;

	*ok = a && b && !ft_time_parse(a, strlen(a), &x, &err) &&
	      !ft_time_parse(b, strlen(b), &y, &err);
	return *ok ? y - x : 0;
}

void
ft_warn_line(struct ft_buf *b, const struct ft_store_warning *w)
{
	const char *const f[][2] = {
		{ "first_at", w->first_at },
		{ "last_at", w->last_at },
		{ "raised_at", w->raised_at },
		{ "acked_at", w->acked_at },
		{ "acked_by", w->acked_by },
		{ "ack_note", w->ack_note },
		{ "resolved_at", w->resolved_at },
		{ "resolved_by", w->resolved_by },
		{ "resolution", w->resolution },
	};
	int64_t s;
	size_t i;
	int ok;

	ft_buf_adds(b, "{\"warning\":");
	ft_json_escape(b, w->warning, strlen(w->warning));
	ft_json_put_str(b, "rule", w->rule, strlen(w->rule));
	ft_json_put_str(b, "type", w->type, strlen(w->type));
	ft_json_put_str(b, "key", w->key, strlen(w->key));
	ft_json_put_str(b, "level", w->level, strlen(w->level));
	ft_json_put_raw(b, "major", w->major ? "true" : "false",
			w->major ? 4 : 5);
	ft_json_put_str(b, "status", w->status, strlen(w->status));
	ft_json_put_number(b, "count", (double)w->count);
	if (w->value)
		ft_json_put_number(b, "value", strtod(w->value, NULL));
	for (i = 0; i < sizeof(f) / sizeof(*f); i++)
		if (f[i][1])
			ft_json_put_str(b, f[i][0], f[i][1], strlen(f[i][1]));
	s = seconds(w->raised_at, w->acked_at, &ok);
	if (ok)
		ft_json_put_number(b, "response", (double)s);
	s = seconds(w->raised_at, w->resolved_at, &ok);
	if (ok)
		ft_json_put_number(b, "duration", (double)s);
	if (w->escalation)
		ft_json_put_int(b, "escalation", w->escalation);
	if (w->events && strcmp(w->events, "[]"))
		ft_json_put_raw(b, "events", w->events, strlen(w->events));
}

/* A stored warning as its NDJSON line. */
static void
line(struct ft_buf *b, const struct ft_store_warning *w)
{
	ft_warn_line(b, w);
	ft_buf_adds(b, "}\n");
}

static int
write_line(const struct ft_store_warning *w)
{
	struct ft_buf b = FT_BUF_INIT;
	int st = FT_OK;

	line(&b, w);
	if (fwrite(b.s, 1, b.len, stdout) != b.len)
		st = FT_IOERR;
	ft_buf_release(&b);
	return st;
}

static int
list_one(void *ctx, const struct ft_store_warning *w)
{
	const struct ft_warn_list *l = ctx;

	return l->no_output ? FT_OK : write_line(w);
}

int
ft_warn_list(struct ft_db *db, const struct ft_warn_list *l)
{
	struct ft_store_warn_filter f = { l->status, l->rule,  l->key,
					  l->level,  l->since, l->until,
					  l->major };
	struct ft_store_warn *s;
	int st;

	if ((st = ft_store_warn_open(&s, db)))
		return st;
	st = ft_store_warn_each(s, &f, list_one, (void *)l);
	ft_store_warn_close(s);
	return st;
}

/* --fail-on's count: the warnings no silence covers now. */
struct count_ctx {
	struct ft_warn_sils sils;
	int64_t now;
	long n;
};

static int
count_one(void *ctx, const struct ft_store_warning *w)
{
	struct count_ctx *c = ctx;

	if (!ft_warn_sils_cover(&c->sils, w->rule, w->key, c->now))
		c->n++;
	return FT_OK;
}

int
ft_warn_open_at(struct ft_db *db, int level, long *n)
{
	struct ft_store_warn_filter f = { "open", NULL, NULL, level,
					  NULL,	  NULL, 0 };
	struct count_ctx c = { { NULL, 0 }, ft_time_now(), 0 };
	struct ft_store_warn *s;
	int st;

	*n = 0;
	if ((st = ft_store_warn_open(&s, db)))
		return st;
	if (!(st = ft_warn_sils_load(&c.sils, s)))
		st = ft_store_warn_each(s, &f, count_one, &c);
	*n = c.n;
	ft_warn_sils_release(&c.sils);
	ft_store_warn_close(s);
	return st;
}

/* ack and resolve: one change of one warning, with its history entry. */
static int
act(struct ft_db *db, const struct ft_warn_act *a, int resolve)
{
	struct ft_store_warning w;
	struct ft_store_warn *s = NULL;
	struct ft_hist h;
	struct ft_hist_entry e;
	struct ft_buf detail = FT_BUF_INIT;
	char now[FT_TIME_LEN], status[16];
	int st, found, ok;
	const char *by;

	memset(&h, 0, sizeof(h));
	ft_time_format(ft_time_now(), now);
	if ((st = ft_store_warn_open(&s, db)) ||
	    (st = ft_hist_init(&h, db, "ft-warn")) ||
	    (st = ft_db_begin_write(db)))
		goto out;
	if ((st = ft_store_warn_get(s, a->id, &w, &found)))
		goto out;
	if (!found) {
		ft_error("no such warning: %s", ft_q(a->id));
		st = FT_NOINPUT;
		goto out;
	}
	snprintf(status, sizeof(status), "%s", w.status);
	if (!strcmp(status, "resolved") ||
	    (!resolve && !strcmp(status, "acked"))) {
		ft_error("warning %s is %s already (at %s, by %s)", ft_q(a->id),
			 resolve || !strcmp(status, "resolved") ?
				 "resolved" :
				 "acknowledged",
			 !strcmp(status, "resolved") ? w.resolved_at :
						       w.acked_at,
			 ft_q(!strcmp(status, "resolved") ? w.resolved_by :
							    w.acked_by));
		st = FT_DATAERR;
		goto out;
	}
	if (seconds(w.raised_at, now, &ok) < 0 && ok) {
		ft_error("warning %s was raised at %s, after %s: it cannot "
			 "be %s before it was raised",
			 ft_q(a->id), w.raised_at, now,
			 resolve ? "resolved" : "acknowledged");
		st = FT_DATAERR;
		goto out;
	}
	by = a->by ? a->by : ft_hist_user(&h);
	if (resolve) {
		w.status = "resolved";
		w.resolved_at = now;
		w.resolved_by = by;
		w.resolution = a->note ? a->note : "resolved by hand";
	} else {
		w.status = "acked";
		w.acked_at = now;
		w.acked_by = by;
		w.ack_note = a->note;
	}
	ft_buf_adds(&detail, "{\"rule\":");
	ft_json_escape(&detail, w.rule, strlen(w.rule));
	ft_json_put_str(&detail, "key", w.key, strlen(w.key));
	if (a->note)
		ft_json_put_str(&detail, "note", a->note, strlen(a->note));
	ft_buf_addc(&detail, '}');
	memset(&e, 0, sizeof(e));
	e.kind = "warning";
	e.id = w.warning;
	e.idlen = strlen(w.warning);
	e.at = now;
	e.by = by;
	e.action = resolve ? "resolve" : "ack";
	e.from = status;
	e.to = w.status;
	e.detail = detail.s;
	e.detaillen = detail.len;
	if ((st = ft_store_warn_put(s, &w)) || (st = ft_hist_add(&h, &e)))
		goto out;
	if (a->dry_run)
		ft_db_rollback(db);
	else if ((st = ft_db_commit(db)))
		goto out;
	if (!a->no_output)
		st = write_line(&w);
out:
	if (db->in_tx)
		ft_db_rollback(db);
	ft_buf_release(&detail);
	ft_hist_release(&h);
	ft_store_warn_close(s);
	return st;
}

int
ft_warn_ack(struct ft_db *db, const struct ft_warn_act *a)
{
	return act(db, a, 0);
}

int
ft_warn_resolve(struct ft_db *db, const struct ft_warn_act *a)
{
	return act(db, a, 1);
}
