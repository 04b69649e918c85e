/*
 * ft_store_report_vote.c - the statements of a vote round's turnout and
 * progress, and the operations over them: see ft_store_report_vote.h.
 */
#include "ft_store_report_vote.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_stmt.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum stmt {
	TURNOUT,
	PROGRESS,
	NSTMT
};

static const struct ft_stmt_def stmts[NSTMT] = {
	/*
	 * up: each unit a voter or ballot is kept in (leaf), and the units
	 * above it; av, ab: the voters and ballots of each area, summed
	 * over the leaves below it, and those kept without a unit (NULL).
	 */
	[TURNOUT] = { "WITH RECURSIVE"
		      " vu(unit, n) AS (SELECT unit, count(*) FROM voters"
		      "  WHERE round = ?1 GROUP BY unit),"
		      " bu(unit, channel, n) AS (SELECT unit, channel,"
		      "  count(*) FROM ballots WHERE round = ?1 GROUP BY 1, 2),"
		      " up(leaf, id, d) AS (SELECT unit, unit, 0 FROM (SELECT"
		      "  unit FROM vu UNION SELECT unit FROM bu) WHERE unit IS"
		      "  NOT NULL UNION SELECT up.leaf, u.parent, up.d + 1"
		      "  FROM up JOIN units u ON u.id = up.id WHERE u.parent"
		      "  IS NOT NULL AND up.d < 64),"
		      " av(id, n) AS (SELECT up.id, sum(vu.n) FROM up JOIN vu"
		      "  ON vu.unit = up.leaf GROUP BY up.id UNION ALL SELECT"
		      "  NULL, n FROM vu WHERE unit IS NULL),"
		      " ab(id, channel, n) AS (SELECT up.id, bu.channel,"
		      "  sum(bu.n) FROM up JOIN bu ON bu.unit = up.leaf GROUP"
		      "  BY up.id, bu.channel UNION ALL SELECT NULL, channel,"
		      "  n FROM bu WHERE unit IS NULL),"
		      " r(id, channel, voters, ballots) AS (SELECT a.id, NULL,"
		      "  coalesce((SELECT n FROM av WHERE av.id IS a.id), 0),"
		      "  coalesce((SELECT sum(n) FROM ab WHERE ab.id IS a.id),"
		      "  0) FROM (SELECT id FROM av UNION SELECT id FROM ab) a"
		      "  UNION ALL SELECT ab.id, ab.channel, coalesce((SELECT"
		      "  n FROM av WHERE av.id IS ab.id), 0), ab.n FROM ab)"
		      " SELECT r.id, u.name, u.kind, r.channel, r.voters,"
		      " r.ballots FROM r LEFT JOIN units u ON u.id = r.id"
		      /* ?2: the area and those below it; ?3: the level. */
		      " WHERE (?2 IS NULL OR r.id IN (WITH RECURSIVE d(id, n)"
		      "  AS (SELECT ?2, 0 UNION SELECT u.id, d.n + 1 FROM"
		      "  units u JOIN d ON u.parent = d.id WHERE d.n < 64)"
		      "  SELECT id FROM d)) AND (?3 IS NULL OR u.kind = ?3)"
		      " ORDER BY r.id IS NULL, CASE u.kind WHEN 'district'"
		      " THEN 0 WHEN 'street' THEN 1 WHEN 'community' THEN 2"
		      " WHEN 'grid' THEN 3 ELSE 4 END, r.id, r.channel IS NOT"
		      " NULL, r.channel",
		      "counting the turnout" },
	[PROGRESS] = { "SELECT g.project, p.name, g.at, g.stage, g.percent,"
		       " g.note FROM project_progress g JOIN projects p ON"
		       " p.round = g.round AND p.project = g.project WHERE"
		       " g.round = ?1 AND (?2 IS NULL OR g.recorded_at <= ?2)"
		       " ORDER BY p.seq, g.at, g.step",
		       "reading the progress" },
};

struct ft_store_rvote {
	struct ft_stmts t;
};

struct ft_store_rvote *
ft_store_rvote_open(struct ft_db *db)
{
	struct ft_store_rvote *s = ft_xmalloc(sizeof(*s));

	ft_stmts_init(&s->t, db, stmts, NSTMT);
	return s;
}

void
ft_store_rvote_close(struct ft_store_rvote *s)
{
	if (!s)
		return;
	ft_stmts_release(&s->t);
	free(s);
}

struct walk {
	void (*fn)(void); /* the caller's, cast back by the row reader */
	void *ctx;
};

static int
turnout_row(sqlite3_stmt *st, void *ctx)
{
	struct walk *w = ctx;
	int (*fn)(void *, const struct ft_srv_turnout *) =
		(int (*)(void *, const struct ft_srv_turnout *))w->fn;
	struct ft_srv_turnout r = {
		ft_sql_col(st, 0),	     ft_sql_col(st, 1),
		ft_sql_col(st, 2),	     ft_sql_col(st, 3),
		sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5)
	};

	return fn(w->ctx, &r);
}

int
ft_store_rvote_turnout_each(struct ft_store_rvote *s, const char *round,
			    const char *area, const char *level,
			    int (*fn)(void *ctx,
				      const struct ft_srv_turnout *row),
			    void *ctx)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, TURNOUT);
	struct walk w = { (void (*)(void))fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, round);
	ft_sql_bind_str(st, 2, area);
	ft_sql_bind_str(st, 3, level);
	return ft_stmts_walk(&s->t, TURNOUT, turnout_row, &w);
}

static int
progress_row(sqlite3_stmt *st, void *ctx)
{
	struct walk *w = ctx;
	int (*fn)(void *, const struct ft_srv_progress *) =
		(int (*)(void *, const struct ft_srv_progress *))w->fn;
	struct ft_srv_progress r = { ft_sql_col(st, 0),
				     ft_sql_col(st, 1),
				     ft_sql_col(st, 2),
				     ft_sql_col(st, 3),
				     ft_sql_col(st, 5),
				     sqlite3_column_type(st, 4) == SQLITE_NULL ?
					     -1 :
					     sqlite3_column_int(st, 4) };

	return fn(w->ctx, &r);
}

int
ft_store_rvote_progress_each(struct ft_store_rvote *s, const char *round,
			     int (*fn)(void *ctx,
				       const struct ft_srv_progress *row),
			     void *ctx)
{
	return ft_store_rvote_progress_at(s, round, NULL, fn, ctx);
}

int
ft_store_rvote_progress_at(
	struct ft_store_rvote *s, const char *round, const char *as_of,
	int (*fn)(void *ctx, const struct ft_srv_progress *row), void *ctx)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, PROGRESS);
	struct walk w = { (void (*)(void))fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, round);
	ft_sql_bind_str(st, 2, as_of);
	return ft_stmts_walk(&s->t, PROGRESS, progress_row, &w);
}
