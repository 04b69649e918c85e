#include "ft_update.h"
#include "ft_buf.h"
#include "ft_err.h"
#include "ft_event.h"
#include "ft_exit.h"
#include "ft_hist.h"
#include "ft_hold.h"
#include "ft_input.h"
#include "ft_json.h"
#include "ft_reject.h"
#include "ft_time.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 2000
#define FUTURE_SLACK 300	/* seconds an "at" may run ahead of now */

static const struct {
	const char *from, *to;
} lifecycle[] = {
	{ "new", "rejected,closed" },
	{ "dispatched", "accepted,rejected,closed" },
	{ "accepted", "resolved,rejected,closed" },
	{ "resolved", "closed,reopened" },
	{ "closed", "reopened" },
	{ "rejected", "dispatched,closed" },
	{ "reopened", "accepted,resolved,dispatched,closed" },
	{ "duplicate", "closed,reopened" },
};

const char *
ft_update_allowed(const char *from)
{
	size_t i;

	for (i = 0; i < sizeof(lifecycle) / sizeof(*lifecycle); i++)
		if (!strcmp(lifecycle[i].from, from))
			return lifecycle[i].to;
	return NULL;
}

static int
allowed(const char *from, const char *to)
{
	const char *l = ft_update_allowed(from), *p;
	size_t n = strlen(to);

	if (!l)
		return 0;
	for (p = l; (p = strstr(p, to)); p += n)
		if ((p == l || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

struct ft_update {
	struct ft_update_opts o;
	struct ft_db *db;
	struct ft_hist hist;
	struct ft_reject rej;
	sqlite3_stmt *sel, *upd, *rate, *last, *unit;
	const char *fname;
	long read, applied, rated, unchanged, batch;
	long kept[3];		/* applied, rated, unchanged at the last commit */
	struct ft_buf id, status, at, by, note, unitb, comment, why, detail,
		      line;
	struct ft_hold out;	/* the batch's output, printed on commit */
	double t0;
	int applied_now;	/* the record's status change was applied */
	int64_t before;		/* the last history entry before the run */
};

int
ft_update_new(struct ft_update **up, struct ft_db *db,
	      const struct ft_update_opts *o)
{
	struct ft_update *u = ft_xmalloc(sizeof(*u));
	struct timespec ts;
	int st;

	memset(u, 0, sizeof(*u));
	*up = u;
	u->o = *o;
	u->db = db;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	u->t0 = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	ft_buf_init(&u->id);
	ft_buf_init(&u->status);
	ft_buf_init(&u->at);
	ft_buf_init(&u->by);
	ft_buf_init(&u->note);
	ft_buf_init(&u->unitb);
	ft_buf_init(&u->comment);
	ft_buf_init(&u->why);
	ft_buf_init(&u->detail);
	ft_hold_init(&u->out, o->no_output);
	ft_buf_init(&u->line);
	if ((st = ft_reject_open(&u->rej, o->rejects)) ||
	    (st = ft_hist_init(&u->hist, db, "ft-update")))
		return st;
	u->sel = ft_db_prepare(db, "SELECT seq, status, reported_at, "
			       "coalesce(status_at, reported_at), rating, "
			       "rating_comment, rated_at FROM events WHERE "
			       "id = ?1");
	u->upd = ft_db_prepare(db, "UPDATE events SET status = ?3, status_at "
			       "= ?4, outcome = ?5, unit = coalesce(?6, unit), "
			       "dispatched_at = coalesce(dispatched_at, ?7), "
			       "chain = CASE WHEN ?6 IS NULL THEN chain "
			       "END WHERE seq = ?1 AND status = ?2");
	u->rate = ft_db_prepare(db, "UPDATE events SET rating = ?2, "
				"rating_comment = ?3, rated_at = ?4 WHERE seq "
				"= ?1");
	u->last = ft_db_prepare(db, "SELECT 1 FROM history WHERE kind = "
				"'event' AND id = ?1 AND action = ?2 AND at = ?3 "
				"AND (?4 IS NULL OR to_status = ?4) AND (?5 IS "
				"NULL OR detail = ?5) AND seq <= ?6 LIMIT 1");
	u->unit = ft_db_prepare(db, "SELECT 1 FROM units WHERE id = ?1");
	if (!u->sel || !u->upd || !u->rate || !u->last || !u->unit)
		return FT_SOFTWARE;
	/* Repeats are told by the history before this run: changes of one
	 * event to the same state at the same second, within a run, are
	 * each applied. */
	{
		sqlite3_stmt *m = ft_db_prepare(db, "SELECT coalesce(max(seq), "
						"0) FROM history");

		if (!m)
			return FT_SOFTWARE;
		if (sqlite3_step(m) == SQLITE_ROW)
			u->before = sqlite3_column_int64(m, 0);
		sqlite3_finalize(m);
	}
	return FT_OK;
}

void
ft_update_free(struct ft_update *u)
{
	if (!u)
		return;
	sqlite3_finalize(u->sel);
	sqlite3_finalize(u->upd);
	sqlite3_finalize(u->rate);
	sqlite3_finalize(u->last);
	sqlite3_finalize(u->unit);
	ft_hist_release(&u->hist);
	ft_reject_close(&u->rej);
	ft_buf_release(&u->id);
	ft_buf_release(&u->status);
	ft_buf_release(&u->at);
	ft_buf_release(&u->by);
	ft_buf_release(&u->note);
	ft_buf_release(&u->unitb);
	ft_buf_release(&u->comment);
	ft_buf_release(&u->why);
	ft_buf_release(&u->detail);
	ft_hold_release(&u->out);
	ft_buf_release(&u->line);
	free(u);
}


/*
 * Drops the batch: rolls it back, and nothing of it is printed or
 * counted (but the records read and rejected).
 */
static void
drop_batch(struct ft_update *u)
{
	ft_db_rollback(u->db);
	ft_hold_drop(&u->out);
	u->applied = u->kept[0];
	u->rated = u->kept[1];
	u->unchanged = u->kept[2];
	u->batch = 0;
}

/*
 * Commits, then prints; a batch that does not commit is dropped.  A dry
 * run keeps one transaction to its end.
 */
static int
end_batch(struct ft_update *u)
{
	int st = FT_OK;

	if (u->db->in_tx && !u->o.dry_run)
		st = ft_db_commit(u->db);
	u->batch = 0;
	if (st) {
		drop_batch(u);
		return st;
	}
	u->kept[0] = u->applied;
	u->kept[1] = u->rated;
	u->kept[2] = u->unchanged;
	return ft_hold_print(&u->out);
}

static void
reject(struct ft_update *u, const struct ft_item *it, const char *why)
{
	ft_reject_add(&u->rej, u->fname, it->line, why, it->raw, it->rawlen,
		      it->doc ? it->doc->text.s : NULL,
		      it->doc ? it->doc->text.len : 0);
}

/* Appends ,"key":"value" (value NULL: nothing). */
static void
add(struct ft_buf *b, const char *key, const struct ft_buf *v)
{
	if (!v->len)
		return;
	ft_buf_addf(b, ",\"%s\":", key);
	ft_json_escape(b, v->s, v->len);
}

static int
step(struct ft_update *u, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ft_db_fail(u->db, rc, what);
	return FT_OK;
}

/* Had the history an entry of this change before this run? */
static int
logged(struct ft_update *u, const char *action, const char *to,
       const char *at, const char *detail)
{
	int rc;

	sqlite3_bind_text(u->last, 1, u->id.s, (int)u->id.len, SQLITE_STATIC);
	sqlite3_bind_text(u->last, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(u->last, 3, at, -1, SQLITE_STATIC);
	if (to)
		sqlite3_bind_text(u->last, 4, to, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(u->last, 4);
	if (detail)
		sqlite3_bind_text(u->last, 5, detail, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(u->last, 5);
	sqlite3_bind_int64(u->last, 6, u->before);
	rc = sqlite3_step(u->last);
	sqlite3_reset(u->last);
	return rc == SQLITE_ROW;
}

static void
bind_buf(sqlite3_stmt *st, int i, const struct ft_buf *b)
{
	if (b->len)
		sqlite3_bind_text(st, i, b->s, (int)b->len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/*
 * Applies one record.  Returns an exit status for what stops the run; a
 * rejected record is FT_OK after reject().
 */
static int
apply(struct ft_update *u, const struct ft_item *it)
{
	const struct ft_json_doc *d = it->doc;
	struct ft_hist_entry e = { 0 };
	char at[FT_TIME_LEN], cur[16], from[16], last[FT_TIME_LEN];
	const char *err, *outcome = NULL;
	int64_t t, tr, tl;
	int64_t seq;
	int has_status, has_rating, rating = 0, rc, st;
	double r;

	if (d->type != '{') {
		reject(u, it, "not a JSON object");
		return FT_OK;
	}
	if (ft_json_member_text(d, "id", &u->id) != 1) {
		reject(u, it, "field \"id\": missing");
		return FT_OK;
	}
	has_status = ft_json_member_text(d, "status", &u->status);
	has_rating = ft_json_member_text(d, "rating", &u->comment);
	if (has_status < 0 || (has_status == 1 &&
	    !ft_word_in(ft_event_states, u->status.s, u->status.len) &&
	    strcmp(u->status.s, "duplicate"))) {
		ft_buf_reset(&u->why);
		ft_buf_addf(&u->why, "field \"status\": not a state (new, "
			    "dispatched, accepted, resolved, closed, "
			    "rejected, reopened, duplicate)");
		reject(u, it, u->why.s);
		return FT_OK;
	}
	if (has_rating) {
		char *end;

		r = strtod(u->comment.s, &end);
		if (has_rating < 0 || *end || r != floor(r) || r < 1 ||
		    r > 5) {
			reject(u, it, "field \"rating\": not a whole number "
			       "from 1 to 5");
			return FT_OK;
		}
		rating = (int)r;
	}
	if (has_status != 1 && !has_rating) {
		reject(u, it, "neither \"status\" nor \"rating\": nothing to "
		       "apply");
		return FT_OK;
	}
	if (ft_json_member_text(d, "at", &u->at) == 1) {
		if (ft_time_parse(u->at.s, u->at.len, &t, &err)) {
			ft_buf_reset(&u->why);
			ft_buf_addf(&u->why, "field \"at\": %s", err);
			reject(u, it, u->why.s);
			return FT_OK;
		}
	} else {
		t = ft_time_now();
	}
	if (t > ft_time_now() + FUTURE_SLACK) {
		reject(u, it, "field \"at\": in the future");
		return FT_OK;
	}
	ft_time_format(t, at);
	if (ft_json_member_text(d, "by", &u->by) < 0 ||
	    ft_json_member_text(d, "note", &u->note) < 0 ||
	    ft_json_member_text(d, "unit", &u->unitb) < 0) {
		reject(u, it, "fields \"by\", \"note\" and \"unit\" are text");
		return FT_OK;
	}

	if (!u->db->in_tx && (st = ft_db_begin_write(u->db)))
		return st;
	u->batch++;
	sqlite3_bind_text(u->sel, 1, u->id.s, (int)u->id.len, SQLITE_STATIC);
	rc = sqlite3_step(u->sel);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(u->sel);
		if (rc != SQLITE_DONE)
			return ft_db_fail(u->db, rc, "reading an event");
		ft_reject_add_id(&u->rej, u->fname, it->line, u->id.s,
				 u->id.len, "not in the database", it->raw,
				 it->rawlen, it->doc ? it->doc->text.s : NULL,
				 it->doc ? it->doc->text.len : 0);
		return FT_OK;
	}
	seq = sqlite3_column_int64(u->sel, 0);
	snprintf(cur, sizeof(cur), "%s", sqlite3_column_text(u->sel, 1));
	memcpy(from, cur, sizeof(from));
	ft_time_parse((const char *)sqlite3_column_text(u->sel, 2),
		      (size_t)sqlite3_column_bytes(u->sel, 2), &tr, &err);
	snprintf(last, sizeof(last), "%s", sqlite3_column_text(u->sel, 3));
	if (ft_time_parse(last, strlen(last), &tl, &err))
		tl = tr;
	sqlite3_reset(u->sel);
	u->applied_now = 0;
	if (t < tr) {
		reject(u, it, "field \"at\": before the event was reported");
		return FT_OK;
	}
	/* A rating needs a handled case: checked before anything of the
	 * record is applied, so that a record is applied whole or not. */
	if (has_rating) {
		const char *then = has_status == 1 ? u->status.s : cur;

		if (strcmp(then, "resolved") && strcmp(then, "closed")) {
			ft_buf_reset(&u->why);
			ft_buf_addf(&u->why, "a rating needs a resolved or "
				    "closed case; this one is %s (not handled "
				    "yet)", then);
			reject(u, it, u->why.s);
			return FT_OK;
		}
	}

	if (has_status == 1) {
		/* The same change again is no change, however the event has
		 * moved on since. */
		if (logged(u, "status", u->status.s, at, NULL)) {
			if (!has_rating) {
				u->unchanged++;
				return FT_OK;
			}
		} else if (!strcmp(cur, u->status.s)) {
			ft_buf_reset(&u->why);
			ft_buf_addf(&u->why, "event is %s already", cur);
			reject(u, it, u->why.s);
			return FT_OK;
		} else {
			if (!allowed(cur, u->status.s)) {
				const char *l = ft_update_allowed(cur);

				ft_buf_reset(&u->why);
				ft_buf_addf(&u->why, "cannot go from %s to %s "
					    "(allowed: %s)", cur, u->status.s,
					    l ? l : "none");
				reject(u, it, u->why.s);
				return FT_OK;
			}
			if (t < tl) {
				ft_buf_reset(&u->why);
				ft_buf_addf(&u->why, "field \"at\": before the "
					    "event's last change (%s)", last);
				reject(u, it, u->why.s);
				return FT_OK;
			}
			if (!strcmp(u->status.s, "dispatched")) {
				if (!u->unitb.len) {
					reject(u, it, "a dispatch names the "
					       "unit (field \"unit\")");
					return FT_OK;
				}
				sqlite3_bind_text(u->unit, 1, u->unitb.s,
						  (int)u->unitb.len,
						  SQLITE_STATIC);
				rc = sqlite3_step(u->unit);
				sqlite3_reset(u->unit);
				if (rc != SQLITE_ROW) {
					ft_buf_reset(&u->why);
					ft_buf_adds(&u->why, "field \"unit\": "
						    "no unit ");
					ft_json_escape(&u->why, u->unitb.s,
						       u->unitb.len);
					ft_buf_adds(&u->why, " in the "
						    "database");
					reject(u, it, u->why.s);
					return FT_OK;
				}
			} else {
				ft_buf_reset(&u->unitb);
			}
			if (!strcmp(u->status.s, "closed"))
				outcome = !strcmp(cur, "resolved") ? "fixed" :
					  !strcmp(cur, "duplicate") ?
					  "duplicate" : "not fixed";
			sqlite3_bind_int64(u->upd, 1, seq);
			sqlite3_bind_text(u->upd, 2, cur, -1, SQLITE_STATIC);
			sqlite3_bind_text(u->upd, 3, u->status.s,
					  (int)u->status.len, SQLITE_STATIC);
			sqlite3_bind_text(u->upd, 4, at, -1, SQLITE_STATIC);
			if (outcome)
				sqlite3_bind_text(u->upd, 5, outcome, -1,
						  SQLITE_STATIC);
			else
				sqlite3_bind_null(u->upd, 5);
			bind_buf(u->upd, 6, &u->unitb);
			if (!strcmp(u->status.s, "dispatched"))
				sqlite3_bind_text(u->upd, 7, at, -1,
						  SQLITE_STATIC);
			else
				sqlite3_bind_null(u->upd, 7);
			if ((st = step(u, u->upd, "updating an event")))
				return st;
			ft_buf_reset(&u->detail);
			ft_buf_addc(&u->detail, '{');
			add(&u->detail, "note", &u->note);
			add(&u->detail, "unit", &u->unitb);
			if (outcome)
				ft_buf_addf(&u->detail, ",\"outcome\":\"%s\"",
					    outcome);
			if (u->detail.len > 1) {	/* the first comma */
				memmove(u->detail.s + 1, u->detail.s + 2,
					u->detail.len - 1);
				u->detail.len--;
			}
			ft_buf_addc(&u->detail, '}');
			e.kind = "event";
			e.id = u->id.s;
			e.idlen = u->id.len;
			e.at = at;
			e.by = u->by.len ? u->by.s : NULL;
			e.action = "status";
			e.from = cur;
			e.to = u->status.s;
			e.detail = u->detail.len > 2 ? u->detail.s : NULL;
			e.detaillen = u->detail.len;
			if ((st = ft_hist_add(&u->hist, &e)))
				return st;
			u->applied++;
			u->applied_now = 1;
			snprintf(cur, sizeof(cur), "%s", u->status.s);
		}
	}
	if (has_rating) {
		ft_json_member_text(d, "comment", &u->comment);
		ft_buf_reset(&u->detail);
		ft_buf_addf(&u->detail, "{\"rating\":%d", rating);
		add(&u->detail, "comment", &u->comment);
		ft_buf_addc(&u->detail, '}');
		if (logged(u, "rate", NULL, at, u->detail.s)) {
			if (!u->applied_now) {
				u->unchanged++;
				return FT_OK;
			}
			goto print;	/* the rating was in already */
		}
		sqlite3_bind_int64(u->rate, 1, seq);
		sqlite3_bind_int(u->rate, 2, rating);
		bind_buf(u->rate, 3, &u->comment);
		sqlite3_bind_text(u->rate, 4, at, -1, SQLITE_STATIC);
		if ((st = step(u, u->rate, "storing a rating")))
			return st;
		memset(&e, 0, sizeof(e));
		e.kind = "event";
		e.id = u->id.s;
		e.idlen = u->id.len;
		e.at = at;
		e.by = u->by.len ? u->by.s : NULL;
		e.action = "rate";
		e.from = cur;
		e.to = cur;
		e.detail = u->detail.s;
		e.detaillen = u->detail.len;
		if ((st = ft_hist_add(&u->hist, &e)))
			return st;
		u->rated++;
	}
print:
	/* The output: the record, with the state it came from. */
	{
		static const char *const drop[] = { "at", "status", "from",
			"outcome", NULL };

		ft_buf_reset(&u->line);
		if (ft_json_object_without(d, drop, &u->line))
			ft_buf_addc(&u->line, ',');
		ft_buf_addf(&u->line, "\"at\":\"%s\",\"status\":", at);
		ft_json_escape(&u->line, cur, strlen(cur));
		if (has_status == 1) {
			ft_buf_adds(&u->line, ",\"from\":");
			ft_json_escape(&u->line, from, strlen(from));
		}
		if (outcome)
			ft_buf_addf(&u->line, ",\"outcome\":\"%s\"", outcome);
		ft_buf_adds(&u->line, "}\n");
		ft_buf_add(&u->out.buf, u->line.s, u->line.len);
		if ((st = ft_hold_keep(&u->out)))
			return st;
	}
	if (u->batch >= BATCH)
		return end_batch(u);
	return FT_OK;
}

/* The input waits: what is applied is stored and printed first. */
static int
on_idle(void *ctx)
{
	struct ft_update *u = ctx;

	return u->batch ? end_batch(u) : FT_OK;
}

int
ft_update_file(struct ft_update *u, const char *path)
{
	struct ft_input_opts io = { 0 };
	struct ft_input *in;
	struct ft_item it;
	int st = FT_OK, rc;

	if ((st = ft_input_open(&in, path, &io))) {
		ft_input_close(in);
		return st;
	}
	ft_input_set_idle(in, on_idle, u);
	u->fname = ft_input_name(in);
	while ((rc = ft_input_next(in, &it)) == 1) {
		u->read++;
		if (it.err) {
			reject(u, &it, it.err);
			continue;
		}
		if ((st = apply(u, &it)))
			break;
	}
	if (!st && rc > 1)
		st = rc;
	if (!st)
		st = end_batch(u);
	else
		drop_batch(u);
	ft_input_close(in);
	return st;
}

int
ft_update_finish(struct ft_update *u)
{
	struct timespec ts;
	int st = end_batch(u);

	if (u->o.dry_run)
		ft_db_rollback(u->db);

	st = ft_exit_worst(st, ft_reject_close(&u->rej));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!u->o.quiet)
		ft_warn("%ld record%s: %ld status changes, %ld ratings, %ld "
			"unchanged, %ld rejected%s (%.2f s)", u->read,
			u->read == 1 ? "" : "s", u->applied, u->rated,
			u->unchanged, u->rej.n, u->o.dry_run ? "; dry run: "
			"nothing stored" : "",
			(double)ts.tv_sec + ts.tv_nsec / 1e9 - u->t0);
	if (!st && u->rej.n)
		st = FT_REJECTED;
	return st;
}
