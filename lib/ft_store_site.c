/*
 * ft_store_site.c - the statements of ft-report's maps and public site,
 * and the operations over them: see ft_store_site.h.
 */
#include "ft_store_site.h"
#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_stmt.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum stmt {
	SHAPES,
	UNITS,
	CASES,
	CASES_BY_BUCKET,
	ROUNDS,
	CHANNELS,
	TALLIES,
	NSTMT
};

#define CASE_COLS \
	"SELECT e.id, e.area, e.category, e.status, e.outcome, e.unit," \
	" e.reported_at, e.dispatched_at, (SELECT min(h.at) FROM history h" \
	" WHERE h.kind = 'event' AND h.id = e.id AND h.to_status =" \
	" 'resolved'), e.resolve_by, e.duplicate_of, e.rating," \
	" lower(substr(e.id, -3)) FROM events e" \
	" WHERE e.reported_at >= ?1 AND e.reported_at < ?2"

/* Every statement of the pages, in one place. */
static const struct ft_stmt_def stmts[NSTMT] = {
	/* ?1 kind, ?2 within (NULL: any). */
	[SHAPES] = { "SELECT u.id, u.name, u.kind, b.boundary FROM units u"
		     " JOIN boundaries b ON b.unit = u.id AND b.valid_until"
		     " IS NULL WHERE u.kind IN ('district', 'street',"
		     " 'community', 'grid') AND (?1 IS NULL OR u.kind = ?1)"
		     " AND (?2 IS NULL OR u.id IN (WITH RECURSIVE d(id, n) AS"
		     " (SELECT ?2, 0 UNION SELECT v.id, d.n + 1 FROM units v"
		     " JOIN d ON v.parent = d.id WHERE d.n < 64)"
		     " SELECT id FROM d)) ORDER BY u.id, b.seq",
		     "reading the boundaries" },
	[UNITS] = { "SELECT id, name, kind, parent FROM units ORDER BY id",
		    "reading the units" },
	[CASES] = { CASE_COLS, "reading the events" },
	[CASES_BY_BUCKET] = { CASE_COLS " ORDER BY 13, 1",
			      "reading the events" },
	[ROUNDS] = { "SELECT r.round, r.name, r.budget, r.opens_at,"
		     " r.closes_at, r.ballot, r.rule,"
		     " (SELECT count(*) FROM voters v WHERE v.round = r.round),"
		     " (SELECT count(*) FROM ballots b WHERE b.round = r.round)"
		     " FROM rounds r ORDER BY r.opens_at, r.round",
		     "reading the vote rounds" },
	[CHANNELS] = { "SELECT channel, count(*) FROM ballots WHERE round = ?1"
		       " GROUP BY 1 ORDER BY 1",
		       "counting the ballots" },
	[TALLIES] = { "SELECT rule, counted_at, ballots, digest, result"
		      " FROM tallies WHERE round = ?1 AND tally IN (SELECT"
		      " max(tally) FROM tallies WHERE round = ?1 GROUP BY rule)"
		      " ORDER BY tally",
		      "reading the counts" },
};

struct ft_store_site {
	struct ft_stmts t;
};

struct ft_store_site *
ft_store_site_open(struct ft_db *db)
{
	struct ft_store_site *s = ft_xmalloc(sizeof(*s));

	memset(s, 0, sizeof(*s));
	ft_stmts_init(&s->t, db, stmts, NSTMT);
	return s;
}

void
ft_store_site_close(struct ft_store_site *s)
{
	if (!s)
		return;
	ft_stmts_release(&s->t);
	free(s);
}

/* ---- the walks: each turns a row into the caller's callback ---- */

struct shapes_walk {
	int (*fn)(void *ctx, const char *id, const char *name, const char *kind,
		  const char *geo, size_t len);
	void *ctx;
};

static int
shape_row(sqlite3_stmt *st, void *ctx)
{
	struct shapes_walk *w = ctx;
	const char *geo = ft_sql_col(st, 3);

	return w->fn(w->ctx, ft_sql_col(st, 0), ft_sql_col(st, 1),
		     ft_sql_col(st, 2), geo ? geo : "",
		     (size_t)sqlite3_column_bytes(st, 3));
}

int
ft_store_site_shapes_each(struct ft_store_site *s, const char *kind,
			  const char *within,
			  int (*fn)(void *ctx, const char *id, const char *name,
				    const char *kind, const char *geo,
				    size_t len),
			  void *ctx)
{
	struct shapes_walk w = { fn, ctx };
	sqlite3_stmt *st = ft_stmts_get(&s->t, SHAPES);

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, kind);
	ft_sql_bind_str(st, 2, within);
	return ft_stmts_walk(&s->t, SHAPES, shape_row, &w);
}

struct units_walk {
	int (*fn)(void *ctx, const char *id, const char *name, const char *kind,
		  const char *parent);
	void *ctx;
};

static int
unit_row(sqlite3_stmt *st, void *ctx)
{
	struct units_walk *w = ctx;

	return w->fn(w->ctx, ft_sql_col(st, 0), ft_sql_col(st, 1),
		     ft_sql_col(st, 2), ft_sql_col(st, 3));
}

int
ft_store_site_units_each(struct ft_store_site *s,
			 int (*fn)(void *ctx, const char *id, const char *name,
				   const char *kind, const char *parent),
			 void *ctx)
{
	struct units_walk w = { fn, ctx };

	if (!ft_stmts_get(&s->t, UNITS))
		return FT_SOFTWARE;
	return ft_stmts_walk(&s->t, UNITS, unit_row, &w);
}

struct cases_walk {
	int (*fn)(void *ctx, const struct ft_site_case *c);
	void *ctx;
};

static int
case_row(sqlite3_stmt *st, void *ctx)
{
	struct cases_walk *w = ctx;
	struct ft_site_case c;

	c.id = ft_sql_col(st, 0);
	c.area = ft_sql_col(st, 1);
	c.category = ft_sql_col(st, 2);
	c.status = ft_sql_col(st, 3);
	c.outcome = ft_sql_col(st, 4);
	c.unit = ft_sql_col(st, 5);
	c.reported_at = ft_sql_col(st, 6);
	c.dispatched_at = ft_sql_col(st, 7);
	c.resolved_at = ft_sql_col(st, 8);
	c.resolve_by = ft_sql_col(st, 9);
	c.duplicate_of = ft_sql_col(st, 10);
	c.rating = sqlite3_column_int(st, 11);
	c.bucket = ft_sql_col(st, 12);
	return w->fn(w->ctx, &c);
}

int
ft_store_site_cases_each(struct ft_store_site *s, const char *from,
			 const char *until, int by_bucket,
			 int (*fn)(void *ctx, const struct ft_site_case *c),
			 void *ctx)
{
	struct cases_walk w = { fn, ctx };
	enum stmt n = by_bucket ? CASES_BY_BUCKET : CASES;
	sqlite3_stmt *st = ft_stmts_get(&s->t, n);

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, from);
	ft_sql_bind_str(st, 2, until);
	return ft_stmts_walk(&s->t, n, case_row, &w);
}

struct rounds_walk {
	int (*fn)(void *ctx, const struct ft_site_round *r);
	void *ctx;
};

static int
round_row(sqlite3_stmt *st, void *ctx)
{
	struct rounds_walk *w = ctx;
	struct ft_site_round r;

	r.round = ft_sql_col(st, 0);
	r.name = ft_sql_col(st, 1);
	r.budget = ft_sql_col(st, 2);
	r.opens_at = ft_sql_col(st, 3);
	r.closes_at = ft_sql_col(st, 4);
	r.ballot = ft_sql_col(st, 5);
	r.rule = ft_sql_col(st, 6);
	r.voters = sqlite3_column_int64(st, 7);
	r.ballots = sqlite3_column_int64(st, 8);
	return w->fn(w->ctx, &r);
}

int
ft_store_site_rounds_each(struct ft_store_site *s,
			  int (*fn)(void *ctx, const struct ft_site_round *r),
			  void *ctx)
{
	struct rounds_walk w = { fn, ctx };

	if (!ft_stmts_get(&s->t, ROUNDS))
		return FT_SOFTWARE;
	return ft_stmts_walk(&s->t, ROUNDS, round_row, &w);
}

struct channels_walk {
	int (*fn)(void *ctx, const char *channel, long long n);
	void *ctx;
};

static int
channel_row(sqlite3_stmt *st, void *ctx)
{
	struct channels_walk *w = ctx;

	return w->fn(w->ctx, ft_sql_col(st, 0), sqlite3_column_int64(st, 1));
}

int
ft_store_site_channels_each(struct ft_store_site *s, const char *round,
			    int (*fn)(void *ctx, const char *channel,
				      long long n),
			    void *ctx)
{
	struct channels_walk w = { fn, ctx };
	sqlite3_stmt *st = ft_stmts_get(&s->t, CHANNELS);

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, round);
	return ft_stmts_walk(&s->t, CHANNELS, channel_row, &w);
}

struct tallies_walk {
	int (*fn)(void *ctx, const char *rule, const char *counted_at,
		  long long ballots, const char *digest, const char *result);
	void *ctx;
};

static int
tally_row(sqlite3_stmt *st, void *ctx)
{
	struct tallies_walk *w = ctx;

	return w->fn(w->ctx, ft_sql_col(st, 0), ft_sql_col(st, 1),
		     sqlite3_column_int64(st, 2), ft_sql_col(st, 3),
		     ft_sql_col(st, 4));
}

int
ft_store_site_tallies_each(struct ft_store_site *s, const char *round,
			   int (*fn)(void *ctx, const char *rule,
				     const char *counted_at, long long ballots,
				     const char *digest, const char *result),
			   void *ctx)
{
	struct tallies_walk w = { fn, ctx };
	sqlite3_stmt *st = ft_stmts_get(&s->t, TALLIES);

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, round);
	return ft_stmts_walk(&s->t, TALLIES, tally_row, &w);
}
