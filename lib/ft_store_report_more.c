/*
 * ft_store_report_more.c - the statements of ft-report's facilities,
 * collectors, services and vote reports, and the operations over them:
 * see ft_store_report_more.h.
 */
#include "ft_store_report_more.h"
#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_stmt.h"
#include "ft_store_report_sql.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Not service requests, at a facility. */
#define AT_FACILITY " AND e.facility IS NOT NULL AND e.source IS NOT 'proxy'"

/* The history entries h that resolved event e from ?1 to before ?2. */
#define FIXED \
	" h.kind = 'event' AND h.to_status = 'resolved' AND h.at >= ?1" \
	" AND h.at < ?2 AND" FT_SR_WHERE
/* The same by ?7 (--as-of). */
#define FIXED_AT FIXED " AND h.at <= ?7"

/*
 * A statement over events E (aliased e) is written A E B: E is "events
 * e", or, as of ?7, FT_SR_EVENTS_AT (with FT_SR_CASES_X between its
 * halves where the cases' columns are read), joined at run time.
 */

/* ?6: the end of the reports looked at after a fix: TIMES_A E TIMES_B E
 * TIMES_C. */
#define TIMES_A \
	"SELECT facility, at, fix FROM (SELECT e.facility AS" \
	" facility, e.reported_at AS at, 0 AS fix FROM "
#define TIMES_B \
	" WHERE e.reported_at >= ?1 AND e.reported_at < ?6 AND" FT_SR_WHERE \
		AT_FACILITY " UNION ALL SELECT e.facility," \
	" h.at, 1 FROM history h JOIN "
#define TIMES_C(F) \
	" ON e.id = h.id WHERE" F AT_FACILITY ") ORDER BY facility, at, fix"

/*
 * The patrol reports that count, each with what became of it: dup (linked
 * to the case it repeats), res (resolved at some time, or closed fixed),
 * acc (accepted at some time), rej (rejected at some time): PATROL_A E
 * PATROL_B(X), X: more of the moves' test.  Each report's history is read
 * once, in one join grouped by report (not one probe of the history's
 * index a state: 2.5x the CPU, measured on 200,000 events).
 */
#define MOVED_J(S) "coalesce(max(h.to_status = '" S "'), 0)"
#define PATROL_A \
	"p AS (SELECT e.reporter AS reporter," \
	" json_extract(e.extra, '$.firm') AS firm," \
	" (e.duplicate_of IS NOT NULL OR e.status = 'duplicate'" \
	" OR e.outcome IS 'duplicate') AS dup," \
	" (e.outcome IS 'fixed' OR " MOVED_J( \
		"resolved") ") AS res," \
			    " " MOVED_J("accepted") " AS acc, " MOVED_J( \
				    "rejected") " AS rej FROM "
#define PATROL_B(X) \
	" LEFT JOIN history h ON h.kind = 'event' AND h.id = e.id" X \
	" WHERE" FT_SR_FILTER " AND e.source = 'patrol' GROUP BY e.seq)"

/* The collectors' pseudonyms: the order of their first patrol report. */
#define PSEUDONYMS \
	"WITH c(reporter, n) AS (SELECT reporter," \
	" row_number() OVER (ORDER BY min(seq)) FROM events" \
	" WHERE source = 'patrol' AND reporter IS NOT NULL" \
	" GROUP BY reporter), "
#define COLL_TAIL \
	" SELECT c.n, p.firm," PATROL_COUNTS " LEFT JOIN c ON c.reporter =" \
	" p.reporter GROUP BY 1, 2 ORDER BY 1, 2"
#define FIRMS_TAIL " SELECT 0, p.firm," PATROL_COUNTS " GROUP BY 2 ORDER BY 2"

/*
 * A report is counted once: a duplicate; else accepted (or resolved);
 * else rejected; else still pending (in submitted only).
 */
#define PATROL_COUNTS \
	" count(*), sum(NOT dup AND (acc OR res)), sum(dup)," \
	" sum(NOT dup AND NOT acc AND NOT res AND rej), sum(NOT dup AND res)" \
	" FROM p"

/*
 * The service requests: REQ_A(X) E REQ_B, X: more of the moves' test.  In
 * no order, and without the point's name (a join at every request): the
 * report groups them in C (ft_report_svc.c), where SQLite would sort them.
 * The time of a request not resolved is not worked out (most are not).
 */
#define REQ_A(X) \
	"SELECT e.facility, e.category, (SELECT CASE WHEN min(h.at) IS NOT" \
	" NULL THEN strftime('%s', min(h.at)) - strftime('%s'," \
	" e.reported_at) END FROM history h WHERE h.kind = 'event'" \
	" AND h.id = e.id AND h.to_status = 'resolved'" X ")," \
	" e.rating FROM "
#define REQ_B " WHERE e.source = 'proxy' AND" FT_SR_FILTER

/* The statements, by name. */
enum stmt {
	FAC_TIMES,
	COLLECTORS,
	FIRMS,
	REQUESTS,
	ROUND,
	TALLIES,
	PROJECTS,
	BALLOTS_CHANNEL,
	BALLOTS_AREA,
	FACILITY,
	/* REQUESTS over the table read whole, and ft_sr_wide()'s. */
	REQUESTS_SCAN,
	WIDE_BOUNDS,
	WIDE_OUTSIDE,
	/* As of ?7 (--as-of), in the same order, joined at run time. */
	FAC_TIMES_AT,
	COLLECTORS_AT,
	FIRMS_AT,
	REQUESTS_AT,
	NSTMT
};

#define AT(n) ((n) + (FAC_TIMES_AT - FAC_TIMES))

static const struct ft_stmt_def stmts[NSTMT] = {
	[FAC_TIMES] = { TIMES_A "events e" TIMES_B "events e" TIMES_C(FIXED),
			"reading the facilities' fixes" },
	[COLLECTORS] = { PSEUDONYMS PATROL_A "events e" PATROL_B("") COLL_TAIL,
			 "counting the patrol reports" },
	[FIRMS] = { "WITH " PATROL_A "events e" PATROL_B("") FIRMS_TAIL,
		    "counting the patrol reports" },
	[REQUESTS] = { REQ_A("") "events e" REQ_B,
		       "reading the service requests" },
	/* The first count by its number, as ft-vote's freeze reads it. */
	[ROUND] = { "SELECT name, budget, rule, (SELECT count(*) FROM voters"
		    " WHERE round = ?1), closes_at, (SELECT counted_at FROM"
		    " tallies WHERE round = ?1 ORDER BY tally LIMIT 1)"
		    " FROM rounds WHERE round = ?1",
		    "reading the round" },
	/* ?2: a rule, or NULL for the newest count of each; ?3: only the
	 * counts stored at or before then (--as-of), or NULL. */
	[TALLIES] = { "SELECT t.tally, t.ballots, t.rule, t.counted_at,"
		      " t.digest, t.result FROM tallies t WHERE t.round = ?1"
		      " AND (?2 IS NULL OR t.rule = ?2) AND t.tally = (SELECT"
		      " max(x.tally) FROM tallies x WHERE x.round = t.round"
		      " AND x.rule = t.rule AND (?3 IS NULL OR"
		      " x.counted_at <= ?3)) ORDER BY (SELECT min(x.tally)"
		      " FROM tallies x WHERE x.round = t.round AND"
		      " x.rule = t.rule)",
		      "reading the round's counts" },
	[PROJECTS] = { "SELECT p.project FROM projects p WHERE p.round = ?1"
		       " AND (?3 IS NULL OR p.category = ?3)"
		       " AND (?4 IS NULL OR p.unit = ?4)"
		       " AND (?5 IS NULL OR p.unit IN (WITH RECURSIVE d(id, n)"
		       " AS (SELECT ?5, 0 UNION SELECT u.id, d.n + 1 FROM"
		       " units u JOIN d ON u.parent = d.id WHERE d.n < 64)"
		       " SELECT id FROM d)) ORDER BY p.seq",
		       "reading the round's projects" },
	[BALLOTS_CHANNEL] = { "SELECT channel, count(*) FROM ballots WHERE"
			      " round = ?1 GROUP BY 1 ORDER BY 1",
			      "counting the ballots" },
	[BALLOTS_AREA] = { "SELECT json_extract(extra, '$.neighborhood'),"
			   " count(*) FROM ballots WHERE round = ?1"
			   " GROUP BY 1 ORDER BY 1",
			   "counting the ballots" },
	[FACILITY] = { "SELECT kind, name, area FROM facilities WHERE id = ?1",
		       "reading a facility" },
	[REQUESTS_SCAN] = { REQ_A("") "events e NOT INDEXED" REQ_B,
			    "reading the service requests" },
	[WIDE_BOUNDS] = { FT_SR_WIDE_BOUNDS, "looking at the events' times" },
	[WIDE_OUTSIDE] = { FT_SR_WIDE_OUTSIDE, "looking at the events' times" },
};

/* The events as of ?7, and the same with the cases' columns. */
#define E_AT FT_SR_EVENTS_AT_HEAD, FT_SR_EVENTS_AT_TAIL
#define C_AT FT_SR_EVENTS_AT_HEAD, FT_SR_CASES_X, FT_SR_EVENTS_AT_TAIL

static const struct ft_sr_parts at_parts[NSTMT - FAC_TIMES_AT] = {
	{ { TIMES_A, E_AT, TIMES_B, E_AT, TIMES_C(FIXED_AT) },
	  "reading the facilities' fixes as they were" },
	{ { PSEUDONYMS PATROL_A, C_AT, PATROL_B(" AND h.at <= ?7") COLL_TAIL },
	  "counting the patrol reports as they were" },
	{ { "WITH " PATROL_A, C_AT, PATROL_B(" AND h.at <= ?7") FIRMS_TAIL },
	  "counting the patrol reports as they were" },
	{ { REQ_A(" AND h.at <= ?7"), C_AT, REQ_B },
	  "reading the service requests as they were" },
};

struct ft_store_rmore {
	struct ft_stmts t;
	struct ft_stmt_def def[NSTMT];
	struct ft_buf sql[NSTMT - FAC_TIMES_AT];
};

struct ft_store_rmore *
ft_store_rmore_open(struct ft_db *db)
{
	struct ft_store_rmore *s = ft_xmalloc(sizeof(*s));

	memset(s, 0, sizeof(*s));
	/*
	 * Sorts and groups of millions of rows spill to a temporary file, as
	 * SQLite does by default: with ft_db's temp_store = MEMORY the events
	 * report by category took 1.8x the CPU of the same query with the
	 * default (5,000,000 events: 8.2 against 4.4 user s, 246 MB against
	 * 10).  ft-report makes no temporary table for this to drop.
	 */
	sqlite3_exec(db->h, "PRAGMA temp_store = DEFAULT", NULL, NULL, NULL);
	memcpy(s->def, stmts, sizeof(stmts));
	ft_sr_join(s->def, FAC_TIMES_AT, s->sql, at_parts,
		   NSTMT - FAC_TIMES_AT);
	ft_stmts_init(&s->t, db, s->def, NSTMT);
	return s;
}

void
ft_store_rmore_close(struct ft_store_rmore *s)
{
	int i;

	if (!s)
		return;
	ft_stmts_release(&s->t);
	for (i = 0; i < NSTMT - FAC_TIMES_AT; i++)
		ft_buf_release(&s->sql[i]);
	free(s);
}

/*
 * Statement n with the filter's parameters bound, or NULL; with f->as_of,
 * n's statement as of then (for those that have one), into *n.
 */
static sqlite3_stmt *
filtered_at(struct ft_store_rmore *s, enum stmt *n,
	    const struct ft_store_report_filter *f, const char *from,
	    const char *until)
{
	int at = f->as_of && *n >= FAC_TIMES && *n <= REQUESTS;
	sqlite3_stmt *st;

	if (at)
		*n = (enum stmt)AT(*n);
	if (!(st = ft_stmts_get(&s->t, *n)))
		return NULL;
	if (at)
		ft_sql_bind_str(st, 7, f->as_of);
	ft_sql_bind_str(st, 1, from);
	ft_sql_bind_str(st, 2, until);
	ft_sql_bind_str(st, 3, f->category);
	ft_sql_bind_str(st, 4, f->unit);
	ft_sql_bind_str(st, 5, f->area);
	return st;
}

/* filtered_at() for a statement without one as of a time. */
static sqlite3_stmt *
filtered(struct ft_store_rmore *s, enum stmt n,
	 const struct ft_store_report_filter *f, const char *from,
	 const char *until)
{
	return filtered_at(s, &n, f, from, until);
}

/* A walk's callback and its context. */
struct walk {
	void (*fn)(void); /* cast back to its type by the row's reader */
	void *ctx;
};

/* The text of column i of st, copied (NULL for NULL). */
static char *
col_dup(sqlite3_stmt *st, int i)
{
	const char *x = ft_sql_col(st, i);

	return x ? ft_xstrdup(x) : NULL;
}

int
ft_store_rmore_facility(struct ft_store_rmore *s, const char *id, char **kind,
			char **name, char **area)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, FACILITY);
	int rc, found;

	*kind = *name = *area = NULL;
	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, id);
	if ((rc = ft_stmts_step(&s->t, FACILITY, &found)) || !found)
		return rc;
	*kind = col_dup(st, 0);
	*name = col_dup(st, 1);
	*area = col_dup(st, 2);
	ft_stmts_done(&s->t, FACILITY);
	return FT_OK;
}

static int
time_row(sqlite3_stmt *st, void *ctx)
{
	struct walk *w = ctx;
	int (*fn)(void *, const char *, const char *,
		  int) = (int (*)(void *, const char *, const char *,
				  int))w->fn;

	return fn(w->ctx, ft_sql_col(st, 0), ft_sql_col(st, 1),
		  sqlite3_column_int(st, 2));
}

int
ft_store_rmore_fac_times_each(
	struct ft_store_rmore *s, const struct ft_store_report_filter *f,
	const char *from, const char *until, const char *ahead,
	int (*fn)(void *ctx, const char *facility, const char *at, int fix),
	void *ctx)
{
	struct walk w = { (void (*)(void))fn, ctx };
	enum stmt n = FAC_TIMES;
	sqlite3_stmt *st = filtered_at(s, &n, f, from, until);

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 6, ahead);
	return ft_stmts_walk(&s->t, n, time_row, &w);
}

static int
coll_row(sqlite3_stmt *st, void *ctx)
{
	struct walk *w = ctx;
	int (*fn)(void *, const struct ft_srm_coll *) =
		(int (*)(void *, const struct ft_srm_coll *))w->fn;
	struct ft_srm_coll r = {
		sqlite3_column_int64(st, 0), ft_sql_col(st, 1),
		sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
		sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5),
		sqlite3_column_int64(st, 6)
	};

	return fn(w->ctx, &r);
}

int
ft_store_rmore_collectors_each(
	struct ft_store_rmore *s, const struct ft_store_report_filter *f,
	const char *from, const char *until, int by_firm,
	int (*fn)(void *ctx, const struct ft_srm_coll *row), void *ctx)
{
	struct walk w = { (void (*)(void))fn, ctx };
	enum stmt n = by_firm ? FIRMS : COLLECTORS;

	if (!filtered_at(s, &n, f, from, until))
		return FT_SOFTWARE;
	return ft_stmts_walk(&s->t, n, coll_row, &w);
}

static int
req_row(sqlite3_stmt *st, void *ctx)
{
	struct walk *w = ctx;
	int (*fn)(void *, const struct ft_srm_req *) =
		(int (*)(void *, const struct ft_srm_req *))w->fn;
	struct ft_srm_req r = { ft_sql_col(st, 0), ft_sql_col(st, 1),
				sqlite3_column_type(st, 2) == SQLITE_NULL ?
					-1 :
					sqlite3_column_int64(st, 2),
				sqlite3_column_int(st, 3) };

	return fn(w->ctx, &r);
}

int
ft_store_rmore_requests_each(struct ft_store_rmore *s,
			     const struct ft_store_report_filter *f,
			     const char *from, const char *until,
			     int (*fn)(void *ctx, const struct ft_srm_req *row),
			     void *ctx)
{
	struct walk w = { (void (*)(void))fn, ctx };
	enum stmt n = REQUESTS;
	int rc, wide = 0;

	if (!f->as_of && (rc = ft_sr_wide(&s->t, WIDE_BOUNDS, WIDE_OUTSIDE,
					  from, until, &wide)))
		return rc;
	if (wide)
		n = REQUESTS_SCAN;
	if (!filtered_at(s, &n, f, from, until))
		return FT_SOFTWARE;
	return ft_stmts_walk(&s->t, n, req_row, &w);
}

static int
round_row(sqlite3_stmt *st, void *ctx)
{
	struct walk *w = ctx;
	int (*fn)(void *, const struct ft_srm_round *) =
		(int (*)(void *, const struct ft_srm_round *))w->fn;
	struct ft_srm_round r = {
		ft_sql_col(st, 0), ft_sql_col(st, 1),
		ft_sql_col(st, 2), sqlite3_column_int64(st, 3),
		ft_sql_col(st, 4), ft_sql_col(st, 5)
	};

	return fn(w->ctx, &r);
}

int
ft_store_rmore_round(struct ft_store_rmore *s, const char *round,
		     int (*fn)(void *ctx, const struct ft_srm_round *row),
		     void *ctx, int *found)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, ROUND);
	struct walk w = { (void (*)(void))fn, ctx };
	int rc, row = 0;

	*found = 0;
	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, round);
	if ((rc = ft_stmts_step(&s->t, ROUND, &row)) || !row)
		return rc;
	*found = 1;
	rc = round_row(st, &w);
	ft_stmts_done(&s->t, ROUND);
	return rc;
}

static int
tally_row(sqlite3_stmt *st, void *ctx)
{
	struct walk *w = ctx;
	int (*fn)(void *, const struct ft_srm_tally *) =
		(int (*)(void *, const struct ft_srm_tally *))w->fn;
	struct ft_srm_tally r = {
		sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		ft_sql_col(st, 2),	     ft_sql_col(st, 3),
		ft_sql_col(st, 4),	     ft_sql_col(st, 5)
	};

	return fn(w->ctx, &r);
}

int
ft_store_rmore_tallies_each(
	struct ft_store_rmore *s, const char *round, const char *rule,
	int (*fn)(void *ctx, const struct ft_srm_tally *row), void *ctx)
{
	return ft_store_rmore_tallies_at(s, round, rule, NULL, fn, ctx);
}

int
ft_store_rmore_tallies_at(struct ft_store_rmore *s, const char *round,
			  const char *rule, const char *as_of,
			  int (*fn)(void *ctx, const struct ft_srm_tally *row),
			  void *ctx)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, TALLIES);
	struct walk w = { (void (*)(void))fn, ctx };

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, round);
	ft_sql_bind_str(st, 2, rule);
	ft_sql_bind_str(st, 3, as_of);
	return ft_stmts_walk(&s->t, TALLIES, tally_row, &w);
}

static int
text_row(sqlite3_stmt *st, void *ctx)
{
	struct walk *w = ctx;
	int (*fn)(void *, const char *) = (int (*)(void *, const char *))w->fn;

	return fn(w->ctx, ft_sql_col(st, 0));
}

int
ft_store_rmore_projects_each(struct ft_store_rmore *s, const char *round,
			     const struct ft_store_report_filter *f,
			     int (*fn)(void *ctx, const char *project),
			     void *ctx)
{
	struct walk w = { (void (*)(void))fn, ctx };
	sqlite3_stmt *st = filtered(s, PROJECTS, f, round, NULL);

	if (!st)
		return FT_SOFTWARE;
	return ft_stmts_walk(&s->t, PROJECTS, text_row, &w);
}

static int
count_row(sqlite3_stmt *st, void *ctx)
{
	struct walk *w = ctx;
	int (*fn)(void *, const char *,
		  int64_t) = (int (*)(void *, const char *, int64_t))w->fn;

	return fn(w->ctx, ft_sql_col(st, 0), sqlite3_column_int64(st, 1));
}

int
ft_store_rmore_ballots_each(struct ft_store_rmore *s, const char *round,
			    int area,
			    int (*fn)(void *ctx, const char *key, int64_t n),
			    void *ctx)
{
	struct walk w = { (void (*)(void))fn, ctx };
	enum stmt n = area ? BALLOTS_AREA : BALLOTS_CHANNEL;
	sqlite3_stmt *st = ft_stmts_get(&s->t, n);

	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, round);
	return ft_stmts_walk(&s->t, n, count_row, &w);
}
