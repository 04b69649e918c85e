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
#include "ft_run.h"
#include "ft_store.h"
#include "ft_time.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
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
	struct ft_store *store;
	struct ft_reject rej;
	struct ft_run run; /* the batches, and their output */
	long read, applied, rated, unchanged;
	long kept[3];		/* applied, rated, unchanged at the last commit */
	struct ft_buf id, status, at, by, note, unitb, comment, why, detail,
		rdetail, line;
	double t0;
	int64_t before;		/* the last history entry before the run */
};

/* A batch committed: its counts stand (ft_run). */
static void
keep_counts(void *ctx)
{
	struct ft_update *u = ctx;

	u->kept[0] = u->applied;
	u->kept[1] = u->rated;
	u->kept[2] = u->unchanged;
}

/*
 * A batch was dropped: nothing of it is counted, but the records read and
 * rejected.
 */
static void
drop_counts(void *ctx)
{
	struct ft_update *u = ctx;

	u->applied = u->kept[0];
	u->rated = u->kept[1];
	u->unchanged = u->kept[2];
}

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
	ft_buf_init(&u->rdetail);
	ft_run_init(&u->run, db, BATCH, o->dry_run, o->no_output);
	u->run.ctx = u;
	u->run.keep = keep_counts;
	u->run.drop = drop_counts;
	ft_buf_init(&u->line);
	if ((st = ft_reject_open(&u->rej, o->rejects)) ||
	    (st = ft_hist_init(&u->hist, db, "ft-update")))
		return st;
	/* Repeats are told by the history before this run: changes of one
	 * event to the same state at the same second, within a run, are
	 * each applied. */
	if ((st = ft_store_open(&u->store, db)) ||
	    (st = ft_store_history_last_seq(u->store, &u->before)))
		return st;
	return FT_OK;
}

void
ft_update_free(struct ft_update *u)
{
	if (!u)
		return;
	ft_store_close(u->store);
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
	ft_buf_release(&u->rdetail);
	ft_run_release(&u->run);
	ft_buf_release(&u->line);
	free(u);
}

static void
reject(struct ft_update *u, const struct ft_item *it, const char *why)
{
	ft_reject_add(&u->rej, u->run.fname, it->line, why, it->raw, it->rawlen,
		      it->doc ? it->doc->text.s : NULL,
		      it->doc ? it->doc->text.len : 0);
}

/* Appends ,"key":"value"; an empty value is absent: nothing. */
static void
add(struct ft_buf *b, const char *key, const struct ft_buf *v)
{
	ft_json_put_str(b, key, v->len ? v->s : NULL, v->len);
}

/* What a record asks, read and checked alone. */
struct request {
	int has_status; /* 1: a status to change to, in u->status */
	int has_rating; /* a rating, in rating; comment in u->comment */
	int rating;
	int64_t t;
	char at[FT_TIME_LEN]; /* when it happened */
};

/* What the store says of the event the record names. */
struct facts {
	struct ft_event_state ev;
	int64_t reported, last; /* ev's times, as seconds */
	int status_seen; /* this status change is in the history */
	int rating_seen; /* this rating is in the history */
	int unit_known; /* the unit a dispatch names is stored */
};

/* What is done with the record: decide() of a request and its facts. */
struct decision {
	const char *why; /* rejected, for this reason; else NULL */
	int unchanged; /* all of it is in already */
	int set_status; /* store the change of status */
	int set_rating; /* store the rating */
	const char *outcome; /* closed: how */
	char from[16]; /* the status before it */
	char status[16]; /* and after it */
};

/*
 * Reads record d into *q.  Returns NULL, or the reason it is rejected (in
 * u->why, or static).  The text of the fields is left in u's buffers.
 */
static const char *
parse(struct ft_update *u, const struct ft_json_doc *d, struct request *q)
{
	const char *err;
	double r;
	char *end;

	memset(q, 0, sizeof(*q));
	if (d->type != '{')
		return "not a JSON object";
	if (ft_json_member_text(d, "id", &u->id) != 1)
		return "field \"id\": missing";
	q->has_status = ft_json_member_text(d, "status", &u->status);
	q->has_rating = ft_json_member_text(d, "rating", &u->comment);
	if (q->has_status < 0 ||
	    (q->has_status == 1 &&
	     !ft_word_in(ft_event_states, u->status.s, u->status.len) &&
	     strcmp(u->status.s, "duplicate")))
		return "field \"status\": not a state (new, dispatched, "
		       "accepted, resolved, closed, rejected, reopened, "
		       "duplicate)";
	if (q->has_rating) {
		r = strtod(u->comment.s, &end);
		if (q->has_rating < 0 || *end || r != floor(r) || r < 1 ||
		    r > 5)
			return "field \"rating\": not a whole number from 1 "
			       "to 5";
		q->rating = (int)r;
	}
	if (q->has_status != 1 && !q->has_rating)
		return "neither \"status\" nor \"rating\": nothing to apply";
	if (ft_json_member_text(d, "at", &u->at) == 1) {
		if (ft_time_parse(u->at.s, u->at.len, &q->t, &err)) {
			ft_buf_reset(&u->why);
			ft_buf_addf(&u->why, "field \"at\": %s", err);
			return u->why.s;
		}
	} else {
		q->t = ft_time_now();
	}
	if (q->t > ft_time_now() + FUTURE_SLACK)
		return "field \"at\": in the future";
	ft_time_format(q->t, q->at);
	if (ft_json_member_text(d, "by", &u->by) < 0 ||
	    ft_json_member_text(d, "note", &u->note) < 0 ||
	    ft_json_member_text(d, "unit", &u->unitb) < 0)
		return "fields \"by\", \"note\" and \"unit\" are text";
	/* Only a dispatch names a unit. */
	if (q->has_status == 1 && strcmp(u->status.s, "dispatched"))
		ft_buf_reset(&u->unitb);
	if (q->has_rating) {
		ft_json_member_text(d, "comment", &u->comment);
		ft_buf_reset(&u->detail);
		ft_buf_addf(&u->detail, "{\"rating\":%d", q->rating);
		add(&u->detail, "comment", &u->comment);
		ft_buf_addc(&u->detail, '}');
		ft_buf_reset(&u->rdetail);
		ft_buf_add(&u->rdetail, u->detail.s, u->detail.len);
	}
	return NULL;
}

/*
 * What the store says of the event q names, into *f.  Returns FT_OK and
 * sets *found, or a database status.
 */
static int
fetch(struct ft_update *u, const struct request *q, struct facts *f, int *found)
{
	const char *err;
	int st;

	memset(f, 0, sizeof(*f));
	if ((st = ft_store_event_state(u->store, u->id.s, u->id.len, &f->ev,
				       found)) ||
	    !*found)
		return st;
	ft_time_parse(f->ev.reported_at, strlen(f->ev.reported_at),
		      &f->reported, &err);
	if (ft_time_parse(f->ev.last_at, strlen(f->ev.last_at), &f->last, &err))
		f->last = f->reported;
	if (q->has_status == 1 &&
	    (st = ft_store_history_has(u->store, u->id.s, u->id.len, "status",
				       q->at, u->status.s, NULL, u->before,
				       &f->status_seen)))
		return st;
	if (q->has_status == 1 && u->unitb.len &&
	    (st = ft_store_unit_exists(u->store, u->unitb.s, u->unitb.len,
				       &f->unit_known)))
		return st;
	if (q->has_rating &&
	    (st = ft_store_history_has(u->store, u->id.s, u->id.len, "rate",
				       q->at, NULL, u->rdetail.s, u->before,
				       &f->rating_seen)))
		return st;
	return FT_OK;
}

/* Rejects in *c with the reason in u->why, made like printf. */
static void __attribute__((format(printf, 3, 4)))
refuse(struct ft_update *u, struct decision *c, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ft_buf_reset(&u->why);
	ft_buf_adds(&u->why, msg);
	c->why = u->why.s;
}

/*
 * The lifecycle: what is done with request q on an event of facts f.
 * Decides only; stores and prints nothing.  A record is applied whole or
 * not at all: a rating is checked before the status it comes with is
 * changed.
 */
static void
decide(struct ft_update *u, const struct request *q, const struct facts *f,
       struct decision *c)
{
	const char *to = u->status.s;
	const char *then = q->has_status == 1 ? to : f->ev.status;
	const char *l;

	memset(c, 0, sizeof(*c));
	snprintf(c->from, sizeof(c->from), "%s", f->ev.status);
	snprintf(c->status, sizeof(c->status), "%s", f->ev.status);
	if (q->t < f->reported) {
		c->why = "field \"at\": before the event was reported";
		return;
	}
	if (q->has_rating && strcmp(then, "resolved") &&
	    strcmp(then, "closed")) {
		refuse(u, c,
		       "a rating needs a resolved or closed case; this "
		       "one is %s (not handled yet)",
		       then);
		return;
	}
	/* The same change again is no change, however the event has moved
	 * on since. */
	if (q->has_status == 1 && !f->status_seen) {
		if (!strcmp(f->ev.status, to)) {
			refuse(u, c, "event is %s already", f->ev.status);
			return;
		}
		if (!allowed(f->ev.status, to)) {
			l = ft_update_allowed(f->ev.status);
			refuse(u, c, "cannot go from %s to %s (allowed: %s)",
			       f->ev.status, to, l ? l : "none");
			return;
		}
		if (q->t < f->last) {
			refuse(u, c,
			       "field \"at\": before the event's last "
			       "change (%s)",
			       f->ev.last_at);
			return;
		}
		if (!strcmp(to, "dispatched") && !u->unitb.len) {
			c->why = "a dispatch names the unit (field \"unit\")";
			return;
		}
		if (!strcmp(to, "dispatched") && !f->unit_known) {
			ft_buf_reset(&u->why);
			ft_buf_adds(&u->why, "field \"unit\": no unit ");
			ft_json_escape(&u->why, u->unitb.s, u->unitb.len);
			ft_buf_adds(&u->why, " in the database");
			c->why = u->why.s;
			return;
		}
		if (!strcmp(to, "closed"))
			c->outcome = !strcmp(f->ev.status, "resolved") ?
					     "fixed" :
				     !strcmp(f->ev.status, "duplicate") ?
					     "duplicate" :
					     "not fixed";
		c->set_status = 1;
		snprintf(c->status, sizeof(c->status), "%s", to);
	}
	c->set_rating = q->has_rating && !f->rating_seen;
	/* Nothing new: a status seen, and a rating seen or none. */
	c->unchanged = !c->set_status && !c->set_rating;
}

/* Stores decision c of request q on event f.  Returns a status. */
static int
store(struct ft_update *u, const struct request *q, const struct facts *f,
      const struct decision *c)
{
	struct ft_hist_entry e = { 0 };
	struct ft_status_change sc = { 0 };
	int st;

	e.kind = "event";
	e.id = u->id.s;
	e.idlen = u->id.len;
	e.at = q->at;
	e.by = u->by.len ? u->by.s : NULL;
	if (c->set_status) {
		sc.seq = f->ev.seq;
		sc.from = c->from;
		sc.to = u->status.s;
		sc.tolen = u->status.len;
		sc.at = q->at;
		sc.outcome = c->outcome;
		sc.unit = u->unitb.len ? u->unitb.s : NULL;
		sc.unitlen = u->unitb.len;
		if ((st = ft_store_event_status(u->store, &sc)))
			return st;
		ft_buf_reset(&u->detail);
		ft_buf_addc(&u->detail, '{');
		add(&u->detail, "note", &u->note);
		add(&u->detail, "unit", &u->unitb);
		if (c->outcome)
			ft_buf_addf(&u->detail, ",\"outcome\":\"%s\"",
				    c->outcome);
		if (u->detail.len > 1) { /* the first comma */
			memmove(u->detail.s + 1, u->detail.s + 2,
				u->detail.len - 1);
			u->detail.len--;
		}
		ft_buf_addc(&u->detail, '}');
		e.action = "status";
		e.from = c->from;
		e.to = c->status;
		e.detail = u->detail.len > 2 ? u->detail.s : NULL;
		e.detaillen = u->detail.len;
		if ((st = ft_hist_add(&u->hist, &e)))
			return st;
		u->applied++;
	}
	if (c->set_rating) {
		if ((st = ft_store_event_rating(u->store, f->ev.seq, q->rating,
						u->comment.len ? u->comment.s :
								 NULL,
						u->comment.len, q->at)))
			return st;
		e.action = "rate";
		e.from = c->status;
		e.to = c->status;
		e.detail = u->rdetail.s;
		e.detaillen = u->rdetail.len;
		if ((st = ft_hist_add(&u->hist, &e)))
			return st;
		u->rated++;
	}
	return FT_OK;
}

/* Prints the record, with the state it came from.  Returns a status. */
static int
print(struct ft_update *u, const struct ft_json_doc *d, const struct request *q,
      const struct decision *c)
{
	static const char *const drop[] = { "at", "status", "from", "outcome",
					    NULL };

	ft_buf_reset(&u->line);
	if (ft_json_object_without(d, drop, &u->line))
		ft_buf_addc(&u->line, ',');
	ft_buf_addf(&u->line, "\"at\":\"%s\",\"status\":", q->at);
	ft_json_escape(&u->line, c->status, strlen(c->status));
	if (q->has_status == 1) {
		ft_buf_adds(&u->line, ",\"from\":");
		ft_json_escape(&u->line, c->from, strlen(c->from));
	}
	if (c->outcome)
		ft_buf_addf(&u->line, ",\"outcome\":\"%s\"", c->outcome);
	ft_buf_adds(&u->line, "}\n");
	ft_buf_add(&u->run.out.buf, u->line.s, u->line.len);
	return ft_hold_keep(&u->run.out);
}

/*
 * One record: read, fetch what the store says, decide, store, print.
 * Returns an exit status for what stops the run; a rejected record is
 * FT_OK after reject().
 */
static int
apply(struct ft_update *u, const struct ft_item *it)
{
	struct request q;
	struct facts f;
	struct decision c;
	const char *why;
	int st, found;

	if ((why = parse(u, it->doc, &q))) {
		reject(u, it, why);
		return FT_OK;
	}
	if ((st = ft_run_enter(&u->run)))
		return st;
	if ((st = fetch(u, &q, &f, &found)))
		return st;
	if (!found) {
		ft_reject_add_id(&u->rej, u->run.fname, it->line, u->id.s,
				 u->id.len, "not in the database", it->raw,
				 it->rawlen, it->doc ? it->doc->text.s : NULL,
				 it->doc ? it->doc->text.len : 0);
		return FT_OK;
	}
	decide(u, &q, &f, &c);
	if (c.why) {
		reject(u, it, c.why);
		return FT_OK;
	}
	if (c.unchanged) {
		u->unchanged++;
		return FT_OK;
	}
	if ((st = store(u, &q, &f, &c)) || (st = print(u, it->doc, &q, &c)))
		return st;
	return FT_OK;
}

/* One record of the input (ft_run_file()). */
static int
each(void *ctx, const struct ft_item *it)
{
	struct ft_update *u = ctx;

	u->read++;
	if (it->err) {
		reject(u, it, it->err);
		return FT_OK;
	}
	return apply(u, it);
}

int
ft_update_file(struct ft_update *u, const char *path)
{
	return ft_run_file(&u->run, path, each);
}

int
ft_update_finish(struct ft_update *u)
{
	struct timespec ts;
	int st = ft_run_finish(&u->run);

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
