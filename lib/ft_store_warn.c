/*
 * ft_store_warn.c - ft-warn's statements and the operations over them:
 * see ft_store_warn.h.
 */
#include "ft_store_warn.h"
#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_stmt.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum stmt {
	PUT,
	UPDATE,
	UPDATE_LIVE,
	GET,
	EACH,
	PAGE_PUT,
	PAGE_DEL,
	PAGES,
	CLOCK,
	CLOCK_SET,
	ESCALATE,
	SIL_ADD,
	SIL_GET,
	SIL_REMOVE,
	SIL_EACH,
	CASE_HISTORY,
	NSTMT
};

#define WARNING_COLUMNS \
	"warning, rule, type, key, level, status, major, count, value," \
	" first_at, last_at, raised_at, acked_at, acked_by, ack_note," \
	" resolved_at, resolved_by, resolution, events, state"
/* What is read: the columns stored, and what only ft-warn escalate moves. */
#define WARNING_READ WARNING_COLUMNS ", escalation"
#define SILENCE_COLUMNS \
	"silence, rule, key, from_at, until_at, by, note, removed_at," \
	" removed_by, removed_note"

static const struct ft_stmt_def stmts[NSTMT] = {
	[PUT] = { "INSERT INTO warnings(" WARNING_COLUMNS ") VALUES (?1, ?2,"
		  " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
		  " ?16, ?17, ?18, ?19, ?20) ON CONFLICT(warning) DO UPDATE SET"
		  /* What a person did since the engine read the warning
		   * (ft-warn ack or resolve while a watch runs) stands:
		   * an ack or a resolution is never undone by an update. */
		  " level = excluded.level, status = CASE WHEN status ="
		  " 'resolved' OR excluded.status = 'resolved' THEN 'resolved'"
		  " WHEN status = 'acked' THEN 'acked' ELSE excluded.status END,"
		  " major = excluded.major, count = excluded.count,"
		  " value = excluded.value, first_at = excluded.first_at,"
		  " last_at = excluded.last_at,"
		  " acked_at = coalesce(acked_at, excluded.acked_at),"
		  " acked_by = coalesce(acked_by, excluded.acked_by),"
		  " ack_note = coalesce(ack_note, excluded.ack_note),"
		  " resolved_at = coalesce(resolved_at, excluded.resolved_at),"
		  " resolved_by = coalesce(resolved_by, excluded.resolved_by),"
		  " resolution = coalesce(resolution, excluded.resolution),"
		  " events = excluded.events, state = excluded.state",
		  "storing a warning" },
	/*
	 * A warning stored already (ft_store_warning.stored): what PUT's
	 * DO UPDATE does, by the primary key, without building the row to
	 * insert first.  The same parameters as PUT (those of rule, type,
	 * key and raised_at unused: they never change).
	 */
	[UPDATE] = { "UPDATE warnings SET level = ?5, status = CASE WHEN"
		     " status = 'resolved' OR ?6 = 'resolved' THEN 'resolved'"
		     " WHEN status = 'acked' THEN 'acked' ELSE ?6 END,"
		     " major = ?7, count = ?8, value = ?9, first_at = ?10,"
		     " last_at = ?11, acked_at = coalesce(acked_at, ?13),"
		     " acked_by = coalesce(acked_by, ?14),"
		     " ack_note = coalesce(ack_note, ?15),"
		     " resolved_at = coalesce(resolved_at, ?16),"
		     " resolved_by = coalesce(resolved_by, ?17),"
		     " resolution = coalesce(resolution, ?18), events = ?19,"
		     " state = ?20 WHERE warning = ?1",
		     "storing a warning" },
	/*
	 * The same for an open warning with no ack or resolution given (the
	 * engine's update of a live one, the most common write): UPDATE's
	 * status and coalesces leave the row's as they are then, so it sets
	 * none of them.  Without status in its SET list SQLite leaves the
	 * index warnings_live alone (its WHERE reads status).
	 */
	[UPDATE_LIVE] = { "UPDATE warnings SET level = ?5, major = ?7,"
			  " count = ?8, value = ?9, first_at = ?10,"
			  " last_at = ?11, events = ?19, state = ?20"
			  " WHERE warning = ?1",
			  "storing a warning" },
	[GET] = { "SELECT " WARNING_READ " FROM warnings WHERE warning = ?1",
		  "reading a warning" },
	/* ?1 status ("live": open or acked), ?2 rule, ?3 key, ?4 level
	 * from (a number), ?5 since, ?6 until, ?7 major only. */
	[EACH] = { "SELECT " WARNING_READ " FROM warnings WHERE"
		   " (?1 IS NULL OR status = ?1 OR (?1 = 'live' AND status <>"
		   " 'resolved')) AND (?2 IS NULL OR rule = ?2) AND (?3 IS NULL"
		   " OR key = ?3) AND (?4 IS NULL OR CASE level WHEN 'blue'"
		   " THEN 0 WHEN 'yellow' THEN 1 WHEN 'orange' THEN 2 ELSE 3"
		   " END >= ?4) AND (?5 IS NULL OR raised_at >= ?5) AND"
		   " (?6 IS NULL OR raised_at < ?6) AND (?7 IS NULL OR major)"
		   " ORDER BY raised_at, rule, key, warning",
		   "reading the warnings" },
	[PAGE_PUT] = { "INSERT OR REPLACE INTO warn_pages(page, state)"
		       " VALUES (?1, ?2)",
		       "storing the windows" },
	[PAGE_DEL] = { "DELETE FROM warn_pages WHERE page = ?1",
		       "storing the windows" },
	/* Newest first: a key's state is its newest page's. */
	[PAGES] = { "SELECT page, state FROM warn_pages ORDER BY page DESC",
		    "reading the windows" },
	[CLOCK] = { "SELECT at FROM warn_clock", "reading the clock" },
	[CLOCK_SET] = { "INSERT INTO warn_clock(one, at) VALUES (1, ?1)"
			" ON CONFLICT(one) DO UPDATE SET at = excluded.at",
			"storing the clock" },
	[ESCALATE] = { "UPDATE warnings SET escalation = ?3 WHERE warning = ?1"
		       " AND escalation = ?2 AND status = 'open'",
		       "escalating a warning" },
	[SIL_ADD] = { "INSERT INTO warn_silences(rule, key, from_at, until_at,"
		      " by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		      "storing a silence" },
	[SIL_GET] = { "SELECT " SILENCE_COLUMNS " FROM warn_silences"
		      " WHERE silence = ?1",
		      "reading a silence" },
	[SIL_REMOVE] = { "UPDATE warn_silences SET removed_at = ?2,"
			 " removed_by = ?3, removed_note = ?4"
			 " WHERE silence = ?1 AND removed_at IS NULL",
			 "removing a silence" },
	/* ?1 all; ?2 until_at after it (NULL: any) */
	[SIL_EACH] = { "SELECT " SILENCE_COLUMNS " FROM warn_silences"
		       " WHERE ?1 OR (removed_at IS NULL AND (?2 IS NULL OR"
		       " until_at > ?2)) ORDER BY silence",
		       "reading the silences" },
	/* An event's dispatch and status changes, for sla rules. */
	[CASE_HISTORY] = { "SELECT action, at, to_status,"
			   " json_extract(detail, '$.unit'),"
			   " json_extract(detail, '$.respond_by'),"
			   " json_extract(detail, '$.resolve_by') FROM history"
			   " WHERE kind = 'event' AND id = ?1 AND (action ="
			   " 'dispatch' OR action = 'status') ORDER BY seq",
			   "reading a case's history" },
};

struct ft_store_warn {
	struct ft_stmts t;
	struct ft_buf keep[20]; /* GET's columns */
	struct ft_buf skeep[10]; /* SIL_GET's */
	char num[32]; /* GET's value */
};

int
ft_store_warn_open(struct ft_store_warn **sp, struct ft_db *db)
{
	struct ft_store_warn *s = ft_xmalloc(sizeof(*s));
	size_t i;

	ft_stmts_init(&s->t, db, stmts, NSTMT);
	for (i = 0; i < 20; i++)
		ft_buf_init(&s->keep[i]);
	for (i = 0; i < 10; i++)
		ft_buf_init(&s->skeep[i]);
	*sp = s;
	return FT_OK;
}

void
ft_store_warn_close(struct ft_store_warn *s)
{
	size_t i;

	if (!s)
		return;
	ft_stmts_release(&s->t);
	for (i = 0; i < 20; i++)
		ft_buf_release(&s->keep[i]);
	for (i = 0; i < 10; i++)
		ft_buf_release(&s->skeep[i]);
	free(s);
}

/* The parameters of PUT, UPDATE and UPDATE_LIVE (bit i: ?i+1). */
#define PUT_PARAMS 0xfffffu
#define UPDATE_PARAMS (PUT_PARAMS & ~0x80eu) /* not ?2 ?3 ?4 ?12 */
#define LIVE_PARAMS 0xc07d1u /* ?1 ?5 ?7 ?8 ?9 ?10 ?11 ?19 ?20 */

/* Runs statement i, w's columns bound to the parameters params names. */
static int
put_run(struct ft_store_warn *s, int i, const struct ft_store_warning *w,
	uint32_t params)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, i);
	const char *text[20] = { w->warning,	 w->rule,	 w->type,
				 w->key,	 w->level,	 w->status,
				 NULL,		 NULL,		 NULL,
				 w->first_at,	 w->last_at,	 w->raised_at,
				 w->acked_at,	 w->acked_by,	 w->ack_note,
				 w->resolved_at, w->resolved_by, w->resolution,
				 w->events,	 w->state };
	int p;

	if (!st)
		return FT_SOFTWARE;
	for (p = 0; p < 20; p++) {
		if (!(params & 1u << p))
			continue;
		if (p == 6)
			sqlite3_bind_int(st, 7, w->major);
		else if (p == 7)
			sqlite3_bind_int64(st, 8, w->count);
		else if (p == 8 && (w->num || w->value))
			sqlite3_bind_double(st, 9,
					    w->num ? *w->num :
						     strtod(w->value, NULL));
		else
			ft_sql_bind_str(st, p + 1, text[p]);
	}
	return ft_stmts_run(&s->t, i);
}

int
ft_store_warn_put(struct ft_store_warn *s, const struct ft_store_warning *w)
{
	int rc;

	if (w->stored) {
		int live = !strcmp(w->status, "open") && !w->acked_at &&
			   !w->acked_by && !w->ack_note && !w->resolved_at &&
			   !w->resolved_by && !w->resolution;

		rc = live ? put_run(s, UPDATE_LIVE, w, LIVE_PARAMS) :
			    put_run(s, UPDATE, w, UPDATE_PARAMS);
		/* Not there after all (deleted, or the batch that wrote it
		 * rolled back): inserted. */
		if (rc || sqlite3_changes(s->t.db->h) > 0)
			return rc;
	}
	return put_run(s, PUT, w, PUT_PARAMS);
}

/* The row st is on, into w (borrowed from st, or kept in keep; the
 * value's text in num). */
static void
row(sqlite3_stmt *st, struct ft_store_warning *w, struct ft_buf *keep,
    char num[32])
{
	const char **f[] = {
		&w->warning,	 &w->rule,	 &w->type,     &w->key,
		&w->level,	 &w->status,	 NULL,	       NULL,
		&w->value,	 &w->first_at,	 &w->last_at,  &w->raised_at,
		&w->acked_at,	 &w->acked_by,	 &w->ack_note, &w->resolved_at,
		&w->resolved_by, &w->resolution, &w->events,   &w->state
	};
	int i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < 20; i++)
		if (f[i])
			*f[i] = keep ? ft_sql_keep(&keep[i], st, i) :
				       ft_sql_col(st, i);
	w->major = sqlite3_column_int(st, 6);
	w->count = sqlite3_column_int64(st, 7);
	w->escalation = sqlite3_column_int(st, 20);
	/*
	 * SQLite's text of a REAL keeps 15 digits: a value such as a
	 * deviation, read back by the next run, would print otherwise than
	 * it did.  The fewest digits that give the same number back.
	 */
	if (sqlite3_column_type(st, 8) == SQLITE_FLOAT) {
		double d = sqlite3_column_double(st, 8);
		int p;

		for (p = 15; p < 17; p++) {
			snprintf(num, 32, "%.*g", p, d);
			if (strtod(num, NULL) == d)
				break;
		}
		if (p == 17)
			snprintf(num, 32, "%.17g", d);
		w->value = num;
	}
}

int
ft_store_warn_get(struct ft_store_warn *s, const char *id,
		  struct ft_store_warning *w, int *found)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, GET);
	int rc;

	*found = 0;
	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, id);
	if ((rc = ft_stmts_step(&s->t, GET, found)) || !*found)
		return rc;
	row(st, w, s->keep, s->num);
	ft_stmts_done(&s->t, GET);
	return FT_OK;
}

struct each_ctx {
	int (*fn)(void *ctx, const struct ft_store_warning *w);
	void *ctx;
};

static int
each_row(sqlite3_stmt *st, void *ctx)
{
	struct each_ctx *e = ctx;
	struct ft_store_warning w;
	char num[32];

	row(st, &w, NULL, num);
	return e->fn(e->ctx, &w);
}

int
ft_store_warn_each(struct ft_store_warn *s,
		   const struct ft_store_warn_filter *f,
		   int (*fn)(void *ctx, const struct ft_store_warning *w),
		   void *ctx)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, EACH);
	struct each_ctx e = { fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, f->status);
	ft_sql_bind_str(st, 2, f->rule);
	ft_sql_bind_str(st, 3, f->key);
	if (f->level >= 0)
		sqlite3_bind_int(st, 4, f->level);
	ft_sql_bind_str(st, 5, f->since);
	ft_sql_bind_str(st, 6, f->until);
	if (f->major)
		sqlite3_bind_int(st, 7, 1);
	return ft_stmts_walk(&s->t, EACH, each_row, &e);
}

int
ft_store_warn_page_put(struct ft_store_warn *s, int64_t page, const char *state,
		       size_t len)
{
	int i = state ? PAGE_PUT : PAGE_DEL;
	sqlite3_stmt *st = ft_stmts_get(&s->t, i);

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 1, page);
	if (state)
		ft_sql_bind_text(st, 2, state, len);
	return ft_stmts_run(&s->t, i);
}

struct pages_ctx {
	int (*fn)(void *ctx, int64_t page, const char *state);
	void *ctx;
};

static int
page_row(sqlite3_stmt *st, void *ctx)
{
	struct pages_ctx *p = ctx;

	return p->fn(p->ctx, sqlite3_column_int64(st, 0), ft_sql_col(st, 1));
}

int
ft_store_warn_pages_each(struct ft_store_warn *s,
			 int (*fn)(void *ctx, int64_t page, const char *state),
			 void *ctx)
{
	struct pages_ctx p = { fn, ctx };

	if (!ft_stmts_get(&s->t, PAGES))
		return FT_SOFTWARE;
	return ft_stmts_walk(&s->t, PAGES, page_row, &p);
}

int
ft_store_warn_clock(struct ft_store_warn *s, int64_t *at, int *found)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, CLOCK);
	int rc;

	*found = 0;
	if (!st)
		return FT_SOFTWARE;
	if ((rc = ft_stmts_step(&s->t, CLOCK, found)) || !*found)
		return rc;
	*at = sqlite3_column_int64(st, 0);
	ft_stmts_done(&s->t, CLOCK);
	return FT_OK;
}

int
ft_store_warn_clock_set(struct ft_store_warn *s, int64_t at)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, CLOCK_SET);

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 1, at);
	return ft_stmts_run(&s->t, CLOCK_SET);
}

int
ft_store_warn_cache(struct ft_store_warn *s, int kib)
{
	char sql[64];
	int rc;

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib);
	rc = sqlite3_exec(s->t.db->h, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? FT_OK :
				 ft_db_fail(s->t.db, rc, "sizing the cache");
}

int
ft_store_warn_escalate(struct ft_store_warn *s, const char *id, int from,
		       int to, int *moved)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, ESCALATE);
	int rc;

	*moved = 0;
	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, id);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	if ((rc = ft_stmts_run(&s->t, ESCALATE)))
		return rc;
	*moved = sqlite3_changes(s->t.db->h) > 0;
	return FT_OK;
}

int
ft_store_warn_silence_add(struct ft_store_warn *s, struct ft_store_silence *x)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, SIL_ADD);
	const char *v[] = { x->rule,	 x->key, x->from_at,
			    x->until_at, x->by,	 x->note };
	int i, rc;

	if (!st)
		return FT_SOFTWARE;
	for (i = 0; i < 6; i++)
		ft_sql_bind_str(st, i + 1, v[i]);
	if ((rc = ft_stmts_run(&s->t, SIL_ADD)))
		return rc;
	x->silence = sqlite3_last_insert_rowid(s->t.db->h);
	return FT_OK;
}

/* The silence st is on, into x (borrowed from st, or kept in keep). */
static void
silence_row(sqlite3_stmt *st, struct ft_store_silence *x, struct ft_buf *keep)
{
	const char **f[] = { NULL,	     &x->rule,
			     &x->key,	     &x->from_at,
			     &x->until_at,   &x->by,
			     &x->note,	     &x->removed_at,
			     &x->removed_by, &x->removed_note };
	int i;

	memset(x, 0, sizeof(*x));
	x->silence = sqlite3_column_int64(st, 0);
	for (i = 1; i < 10; i++)
		*f[i] = keep ? ft_sql_keep(&keep[i], st, i) : ft_sql_col(st, i);
}

int
ft_store_warn_silence_get(struct ft_store_warn *s, int64_t n,
			  struct ft_store_silence *x, int *found)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, SIL_GET);
	int rc;

	*found = 0;
	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 1, n);
	if ((rc = ft_stmts_step(&s->t, SIL_GET, found)) || !*found)
		return rc;
	silence_row(st, x, s->skeep);
	ft_stmts_done(&s->t, SIL_GET);
	return FT_OK;
}

int
ft_store_warn_silence_remove(struct ft_store_warn *s, int64_t n, const char *at,
			     const char *by, const char *note)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, SIL_REMOVE);

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 1, n);
	ft_sql_bind_str(st, 2, at);
	ft_sql_bind_str(st, 3, by);
	ft_sql_bind_str(st, 4, note);
	return ft_stmts_run(&s->t, SIL_REMOVE);
}

struct sil_ctx {
	int (*fn)(void *ctx, const struct ft_store_silence *x);
	void *ctx;
};

static int
sil_row(sqlite3_stmt *st, void *ctx)
{
	struct sil_ctx *c = ctx;
	struct ft_store_silence x;

	silence_row(st, &x, NULL);
	return c->fn(c->ctx, &x);
}

int
ft_store_warn_silences_each(struct ft_store_warn *s, int all, const char *since,
			    int (*fn)(void *ctx,
				      const struct ft_store_silence *x),
			    void *ctx)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, SIL_EACH);
	struct sil_ctx c = { fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int(st, 1, all);
	ft_sql_bind_str(st, 2, since);
	return ft_stmts_walk(&s->t, SIL_EACH, sil_row, &c);
}

struct case_ctx {
	int (*fn)(void *ctx, const struct ft_store_case_step *c);
	void *ctx;
};

static int
case_row(sqlite3_stmt *st, void *ctx)
{
	struct case_ctx *w = ctx;
	struct ft_store_case_step c;

	c.dispatch = !strcmp(ft_sql_col(st, 0), "dispatch");
	c.at = ft_sql_col(st, 1);
	/* NULL for SQL NULL */
	c.status = ft_sql_col(st, 2);
	c.unit = ft_sql_col(st, 3);
	c.respond_by = ft_sql_col(st, 4);
	c.resolve_by = ft_sql_col(st, 5);
	return w->fn(w->ctx, &c);
}

int
ft_store_warn_case_each(struct ft_store_warn *s, const char *id,
			int (*fn)(void *ctx,
				  const struct ft_store_case_step *c),
			void *ctx)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, CASE_HISTORY);
	struct case_ctx w = { fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, id);
	return ft_stmts_walk(&s->t, CASE_HISTORY, case_row, &w);
}
