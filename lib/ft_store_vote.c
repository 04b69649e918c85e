/*
 * ft_store_vote.c - ft-vote's statements and the operations over them:
 * see ft_store_vote.h.
 */
#include "ft_store_vote.h"
#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_stmt.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The statements, by name. */
enum stmt {
	ROUND,
	ROUND_ADD,
	ROUNDS_ALL,
	PROJECT,
	PROJECT_ADD,
	PROJECT_SET,
	PROJECTS_ALL,
	VOTER_ADD,
	VOTER_EXISTS,
	UNIT_EXISTS,
	UNIT_IN_SCOPE,
	BALLOT,
	BALLOT_ADD,
	BALLOT_REPLACE,
	BALLOTS_ALL,
	TALLY_ADD,
	TALLY_KEPT,
	TALLY_FIRST,
	TALLIES_ALL,
	PROGRESS_SAME,
	PROGRESS_ADD,
	NSTMT
};

/* Every statement of ft-vote, in one place. */
static const struct ft_stmt_def stmts[NSTMT] = {
	[ROUND] = { "SELECT round, name, budget, scope, opens_at, closes_at,"
		    " ballot, min_length, max_length, max_cost, min_points,"
		    " max_points, rule, threshold, tiebreak, key_check, meta"
		    " FROM rounds WHERE round = ?1",
		    "reading the round" },
	[ROUND_ADD] = { "INSERT INTO rounds(round, name, budget, scope,"
			" opens_at, closes_at, ballot, min_length, max_length,"
			" max_cost, min_points, max_points, rule, threshold,"
			" tiebreak, key_check, meta, source, created_at)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
			" ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
			"storing the round" },
	[ROUNDS_ALL] = { "SELECT r.round, name, budget, scope, opens_at,"
			 " closes_at, ballot, min_length, max_length, max_cost,"
			 " min_points, max_points, rule, threshold, tiebreak,"
			 " (SELECT count(*) FROM projects p WHERE p.round ="
			 " r.round), (SELECT count(*) FROM voters v WHERE"
			 " v.round = r.round), (SELECT count(*) FROM ballots b"
			 " WHERE b.round = r.round) FROM rounds r ORDER BY"
			 " r.round",
			 "reading the rounds" },
	[PROJECT] = { "SELECT name, cost, category, unit FROM projects"
		      " WHERE round = ?1 AND project = ?2",
		      "reading a project" },
	[PROJECT_ADD] = { "INSERT INTO projects(round, project, seq, name,"
			  " cost, category, unit, selected, extra) VALUES"
			  " (?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM"
			  " projects WHERE round = ?1), ?3, ?4, ?5, ?6, ?7,"
			  " ?8)",
			  "storing a project" },
	[PROJECT_SET] = { "UPDATE projects SET name = ?3, cost = ?4,"
			  " category = ?5, unit = ?6 WHERE round = ?1 AND"
			  " project = ?2",
			  "storing a project" },
	[PROJECTS_ALL] = { "SELECT project, name, cost, category, unit,"
			   " selected, extra FROM projects WHERE round = ?1"
			   " ORDER BY seq",
			   "reading the projects" },
	[VOTER_ADD] = { "INSERT OR IGNORE INTO voters(round, voter, unit)"
			" VALUES (?1, ?2, ?3)",
			"registering a voter" },
	[VOTER_EXISTS] = { "SELECT unit FROM voters WHERE round = ?1 AND"
			   " voter = ?2",
			   "reading the register" },
	[UNIT_EXISTS] = { "SELECT 1 FROM units WHERE id = ?1",
			  "reading the units" },
	[UNIT_IN_SCOPE] = { "WITH RECURSIVE up(id, n) AS (SELECT ?1, 0 UNION"
			    " SELECT u.parent, up.n + 1 FROM units u JOIN up"
			    " ON u.id = up.id WHERE u.parent IS NOT NULL AND"
			    " up.n < 64) SELECT 1 FROM up WHERE id IN"
			    " (SELECT value FROM json_each(?2)) LIMIT 1",
			    "reading the units" },
	[BALLOT] = { "SELECT ballot, projects, points FROM ballots"
		     " WHERE round = ?1 AND tag = ?2",
		     "reading a ballot" },
	[BALLOT_ADD] = { "INSERT INTO ballots(round, tag, channel, projects,"
			 " points, extra, unit) VALUES (?1, ?2, ?3, ?4, ?5,"
			 " ?6, ?7)",
			 "storing a ballot" },
	[BALLOT_REPLACE] = { "UPDATE ballots SET channel = ?3, projects = ?4,"
			     " points = ?5, unit = ?6, replaced = replaced + 1"
			     " WHERE round = ?1 AND tag = ?2",
			     "storing a ballot" },
	/* In rowid order within the round's range: a round's ballots lie
	 * together, and reading them by the (round, tag) index would visit
	 * the table's pages at random. */
	[BALLOTS_ALL] = { "SELECT projects, points, channel, extra FROM"
			  " ballots WHERE ballot BETWEEN (SELECT min(ballot)"
			  " FROM ballots WHERE round = ?1) AND (SELECT"
			  " max(ballot) FROM ballots WHERE round = ?1) AND"
			  " round = ?1 ORDER BY ballot",
			  "reading the ballots" },
	[TALLY_ADD] = { "INSERT INTO tallies(round, rule, counted_at,"
			" ballots, digest, result) VALUES (?1, ?2, ?3, ?4,"
			" ?5, ?6)",
			"keeping the count" },
	[TALLY_KEPT] = { "SELECT tally FROM tallies WHERE round = ?1 AND"
			 " rule = ?2 AND digest = ?3 AND result = ?4",
			 "reading the counts" },
	[TALLY_FIRST] = { "SELECT tally, counted_at FROM tallies WHERE"
			  " round = ?1 ORDER BY tally LIMIT 1",
			  "reading the counts" },
	[TALLIES_ALL] = { "SELECT tally, rule, digest, result FROM tallies"
			  " WHERE round = ?1 ORDER BY tally",
			  "reading the counts" },
	[PROGRESS_SAME] = { "SELECT 1 FROM project_progress WHERE round = ?1"
			    " AND project = ?2 AND at = ?3 AND stage = ?4 AND"
			    " percent IS ?5 AND note IS ?6",
			    "reading the progress" },
	[PROGRESS_ADD] = { "INSERT INTO project_progress(round, project, at,"
			   " stage, percent, note, recorded_at) VALUES (?1,"
			   " ?2, ?3, ?4, ?5, ?6, ?7)",
			   "storing the progress" },
};

struct ft_store_vote {
	struct ft_db *db;
	struct ft_stmts t;
	/* The text of a row given out, kept until the next operation. */
	struct ft_buf keep[FT_STORE_VOTE_ROUND_FIELDS];
};

struct ft_store_vote *
ft_store_vote_open(struct ft_db *db)
{
	struct ft_store_vote *s = ft_xmalloc(sizeof(*s));
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < FT_STORE_VOTE_ROUND_FIELDS; i++)
		ft_buf_init(&s->keep[i]);
	s->db = db;
	ft_stmts_init(&s->t, db, stmts, NSTMT);
	return s;
}

void
ft_store_vote_close(struct ft_store_vote *s)
{
	int i;

	if (!s)
		return;
	ft_stmts_release(&s->t);
	for (i = 0; i < FT_STORE_VOTE_ROUND_FIELDS; i++)
		ft_buf_release(&s->keep[i]);
	free(s);
}

/*
 * Statement n, prepared, with text parameters 1... bound to v[0..nv)
 * (NULL: SQL NULL; the text must live until the statement is reset), or
 * NULL after a message.
 */
static sqlite3_stmt *
bound(struct ft_store_vote *s, enum stmt n, const char *const *v, int nv)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, n);
	int i;

	if (!st)
		return NULL;
	for (i = 0; i < nv; i++)
		ft_sql_bind_text(st, i + 1, v[i], v[i] ? strlen(v[i]) : 0);
	return st;
}

/* Runs statement n with text parameters v[0..nv), ignoring any row. */
static int
run(struct ft_store_vote *s, enum stmt n, const char *const *v, int nv)
{
	if (!bound(s, n, v, nv))
		return FT_SOFTWARE;
	return ft_stmts_run(&s->t, n);
}

/*
 * Steps statement n with text parameters v[0..nv) to its first row:
 * *row 1 (the statement left on it, for the caller to read, then
 * ft_stmts_done()) or 0.
 */
static int
first(struct ft_store_vote *s, enum stmt n, const char *const *v, int nv,
      int *row)
{
	*row = 0;
	if (!bound(s, n, v, nv))
		return FT_SOFTWARE;
	return ft_stmts_step(&s->t, n, row);
}

/* Is there a row of statement n with text parameters v[0..nv): *yes. */
static int
exists(struct ft_store_vote *s, enum stmt n, const char *const *v, int nv,
       int *yes)
{
	int rc = first(s, n, v, nv, yes);

	if (*yes)
		ft_stmts_done(&s->t, n);
	return rc;
}

/* Column i of the row as text kept in s->keep[k], or NULL. */
static const char *
keep(struct ft_store_vote *s, int k, sqlite3_stmt *st, int i)
{
	return ft_sql_keep(&s->keep[k], st, i);
}

struct walk_ctx {
	void (*fn)(void); /* the caller's: cast back by its kind's row
			     reader (function pointers convert) */
	void *ctx;
};

/* ---- rounds ---- */

int
ft_store_vote_round(struct ft_store_vote *s, const char *id,
		    struct ft_store_vote_round *r, int *found)
{
	sqlite3_stmt *st;
	int rc, i;

	memset(r, 0, sizeof(*r));
	if ((rc = first(s, ROUND, &id, 1, found)) || !*found)
		return rc;
	st = ft_stmts_get(&s->t, ROUND);
	for (i = 0; i < FT_STORE_VOTE_ROUND_FIELDS; i++)
		r->f[i] = keep(s, i, st, i);
	ft_stmts_done(&s->t, ROUND);
	return FT_OK;
}

int
ft_store_vote_round_add(struct ft_store_vote *s,
			const struct ft_store_vote_round *r)
{
	const char *v[FT_STORE_VOTE_ROUND_FIELDS + 2];

	memcpy(v, r->f, sizeof(r->f));
	v[FT_STORE_VOTE_ROUND_FIELDS] = r->source;
	v[FT_STORE_VOTE_ROUND_FIELDS + 1] = r->created_at;
	return run(s, ROUND_ADD, v, FT_STORE_VOTE_ROUND_FIELDS + 2);
}

static int
round_row(sqlite3_stmt *st, void *arg)
{
	struct walk_ctx *w = arg;
	int (*fn)(void *, const struct ft_store_vote_round *) =
		(int (*)(void *, const struct ft_store_vote_round *))w->fn;
	struct ft_store_vote_round r;
	int i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < FT_STORE_VOTE_ROUND_SETTINGS; i++)
		r.f[i] = ft_sql_col(st, i);
	r.projects = sqlite3_column_int64(st, i);
	r.voters = sqlite3_column_int64(st, i + 1);
	r.ballots = sqlite3_column_int64(st, i + 2);
	return fn(w->ctx, &r);
}

int
ft_store_vote_rounds_each(struct ft_store_vote *s,
			  int (*fn)(void *ctx,
				    const struct ft_store_vote_round *r),
			  void *ctx)
{
	struct walk_ctx w = { (void (*)(void))fn, ctx };

	return ft_stmts_walk(&s->t, ROUNDS_ALL, round_row, &w);
}

/* ---- projects ---- */

int
ft_store_vote_project(struct ft_store_vote *s, const char *round,
		      const char *id, struct ft_store_vote_project *p,
		      int *found)
{
	const char *v[2] = { round, id };
	sqlite3_stmt *st;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = first(s, PROJECT, v, 2, found)) || !*found)
		return rc;
	st = ft_stmts_get(&s->t, PROJECT);
	p->round = round;
	p->id = id;
	p->name = keep(s, 0, st, 0);
	p->cost = keep(s, 1, st, 1);
	p->category = keep(s, 2, st, 2);
	p->unit = keep(s, 3, st, 3);
	ft_stmts_done(&s->t, PROJECT);
	return FT_OK;
}

int
ft_store_vote_project_add(struct ft_store_vote *s,
			  const struct ft_store_vote_project *p)
{
	const char *v[8] = { p->round,	  p->id,   p->name,	p->cost,
			     p->category, p->unit, p->selected, p->extra };

	return run(s, PROJECT_ADD, v, 8);
}

int
ft_store_vote_project_set(struct ft_store_vote *s,
			  const struct ft_store_vote_project *p)
{
	const char *v[6] = { p->round, p->id,	    p->name,
			     p->cost,  p->category, p->unit };

	return run(s, PROJECT_SET, v, 6);
}

static int
project_row(sqlite3_stmt *st, void *arg)
{
	struct walk_ctx *w = arg;
	int (*fn)(void *, const struct ft_store_vote_project *) =
		(int (*)(void *, const struct ft_store_vote_project *))w->fn;
	struct ft_store_vote_project p;

	memset(&p, 0, sizeof(p));
	p.id = ft_sql_col(st, 0);
	p.name = ft_sql_col(st, 1);
	p.cost = ft_sql_col(st, 2);
	p.category = ft_sql_col(st, 3);
	p.unit = ft_sql_col(st, 4);
	p.selected = ft_sql_col(st, 5);
	p.extra = ft_sql_col(st, 6);
	return fn(w->ctx, &p);
}

int
ft_store_vote_projects_each(struct ft_store_vote *s, const char *round,
			    int (*fn)(void *ctx,
				      const struct ft_store_vote_project *p),
			    void *ctx)
{
	struct walk_ctx w = { (void (*)(void))fn, ctx };

	if (!bound(s, PROJECTS_ALL, &round, 1))
		return FT_SOFTWARE;
	return ft_stmts_walk(&s->t, PROJECTS_ALL, project_row, &w);
}

/* ---- the register ---- */

int
ft_store_vote_voter_add(struct ft_store_vote *s, const char *round,
			const char *voter, const char *unit, int *added)
{
	const char *v[3] = { round, voter, unit };
	int rc;

	*added = 0;
	if ((rc = run(s, VOTER_ADD, v, 3)))
		return rc;
	*added = sqlite3_changes(s->db->h) > 0;
	return FT_OK;
}

int
ft_store_vote_voter_exists(struct ft_store_vote *s, const char *round,
			   const char *voter, int *yes, const char **unit)
{
	const char *v[2] = { round, voter };
	int rc;

	*unit = NULL;
	if ((rc = first(s, VOTER_EXISTS, v, 2, yes)) || !*yes)
		return rc;
	/* The last buffer: no other row read while casting uses it. */
	*unit = keep(s, FT_STORE_VOTE_ROUND_FIELDS - 1,
		     ft_stmts_get(&s->t, VOTER_EXISTS), 0);
	ft_stmts_done(&s->t, VOTER_EXISTS);
	return FT_OK;
}

/* ---- units ---- */

int
ft_store_vote_unit_exists(struct ft_store_vote *s, const char *id, int *yes)
{
	return exists(s, UNIT_EXISTS, &id, 1, yes);
}

int
ft_store_vote_unit_in_scope(struct ft_store_vote *s, const char *unit,
			    const char *scope, int *yes)
{
	const char *v[2] = { unit, scope };

	return exists(s, UNIT_IN_SCOPE, v, 2, yes);
}

/* ---- ballots ---- */

int
ft_store_vote_ballot(struct ft_store_vote *s, const char *round,
		     const char *tag, struct ft_store_vote_ballot *b,
		     int *found)
{
	const char *v[2] = { round, tag };
	sqlite3_stmt *st;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((rc = first(s, BALLOT, v, 2, found)) || !*found)
		return rc;
	st = ft_stmts_get(&s->t, BALLOT);
	b->ballot = sqlite3_column_int64(st, 0);
	b->round = round;
	b->tag = tag;
	b->projects = keep(s, 0, st, 1);
	b->points = keep(s, 1, st, 2);
	ft_stmts_done(&s->t, BALLOT);
	return FT_OK;
}

int
ft_store_vote_ballot_add(struct ft_store_vote *s,
			 const struct ft_store_vote_ballot *b, int64_t *ballot)
{
	const char *v[7] = { b->round,	b->tag,	  b->channel, b->projects,
			     b->points, b->extra, b->unit };
	int rc;

	*ballot = 0;
	if ((rc = run(s, BALLOT_ADD, v, 7)))
		return rc;
	*ballot = sqlite3_last_insert_rowid(s->db->h);
	return FT_OK;
}

int
ft_store_vote_ballot_replace(struct ft_store_vote *s,
			     const struct ft_store_vote_ballot *b)
{
	const char *v[6] = { b->round,	  b->tag,    b->channel,
			     b->projects, b->points, b->unit };

	return run(s, BALLOT_REPLACE, v, 6);
}

static int
ballot_row(sqlite3_stmt *st, void *arg)
{
	struct walk_ctx *w = arg;
	int (*fn)(void *, const struct ft_store_vote_ballot *) =
		(int (*)(void *, const struct ft_store_vote_ballot *))w->fn;
	struct ft_store_vote_ballot b;

	memset(&b, 0, sizeof(b));
	b.projects = ft_sql_col(st, 0);
	b.points = ft_sql_col(st, 1);
	b.channel = ft_sql_col(st, 2);
	b.extra = ft_sql_col(st, 3);
	return fn(w->ctx, &b);
}

int
ft_store_vote_ballots_each(struct ft_store_vote *s, const char *round,
			   int (*fn)(void *ctx,
				     const struct ft_store_vote_ballot *b),
			   void *ctx)
{
	struct walk_ctx w = { (void (*)(void))fn, ctx };

	if (!bound(s, BALLOTS_ALL, &round, 1))
		return FT_SOFTWARE;
	return ft_stmts_walk(&s->t, BALLOTS_ALL, ballot_row, &w);
}

/* ---- tallies ---- */

int
ft_store_vote_tally_add(struct ft_store_vote *s,
			const struct ft_store_vote_tally *t)
{
	const char *v[3] = { t->round, t->rule, t->counted_at };
	sqlite3_stmt *st = bound(s, TALLY_ADD, v, 3);

	if (!st)
		return FT_SOFTWARE;
	sqlite3_bind_int64(st, 4, t->ballots);
	ft_sql_bind_text(st, 5, t->digest, strlen(t->digest));
	ft_sql_bind_text(st, 6, t->result, strlen(t->result));
	return ft_stmts_run(&s->t, TALLY_ADD);
}

int
ft_store_vote_tally_kept(struct ft_store_vote *s,
			 const struct ft_store_vote_tally *t, int *yes)
{
	const char *v[4] = { t->round, t->rule, t->digest, t->result };

	return exists(s, TALLY_KEPT, v, 4, yes);
}

int
ft_store_vote_tally_first(struct ft_store_vote *s, const char *round,
			  struct ft_store_vote_tally *t, int *found)
{
	sqlite3_stmt *st;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = first(s, TALLY_FIRST, &round, 1, found)) || !*found)
		return rc;
	st = ft_stmts_get(&s->t, TALLY_FIRST);
	t->tally = sqlite3_column_int64(st, 0);
	t->round = round;
	t->counted_at = keep(s, 0, st, 1);
	ft_stmts_done(&s->t, TALLY_FIRST);
	return FT_OK;
}

static int
tally_row(sqlite3_stmt *st, void *arg)
{
	struct walk_ctx *w = arg;
	int (*fn)(void *, const struct ft_store_vote_tally *) =
		(int (*)(void *, const struct ft_store_vote_tally *))w->fn;
	struct ft_store_vote_tally t;

	memset(&t, 0, sizeof(t));
	t.tally = sqlite3_column_int64(st, 0);
	t.rule = ft_sql_col(st, 1);
	t.digest = ft_sql_col(st, 2);
	t.result = ft_sql_col(st, 3);
	return fn(w->ctx, &t);
}

int
ft_store_vote_tallies_each(struct ft_store_vote *s, const char *round,
			   int (*fn)(void *ctx,
				     const struct ft_store_vote_tally *t),
			   void *ctx)
{
	struct walk_ctx w = { (void (*)(void))fn, ctx };

	if (!bound(s, TALLIES_ALL, &round, 1))
		return FT_SOFTWARE;
	return ft_stmts_walk(&s->t, TALLIES_ALL, tally_row, &w);
}

/* ---- progress ---- */

int
ft_store_vote_progress_add(struct ft_store_vote *s,
			   const struct ft_store_vote_progress *p, int *added)
{
	const char *v[7] = { p->round,	 p->project, p->at,	    p->stage,
			     p->percent, p->note,    p->recorded_at };
	sqlite3_stmt *st;
	int rc, same;

	*added = 0;
	if ((rc = exists(s, PROGRESS_SAME, v, 6, &same)) || same)
		return rc;
	/* percent is a whole number: bound as one, so that IS compares. */
	if (!(st = bound(s, PROGRESS_ADD, v, 7)))
		return FT_SOFTWARE;
	if (p->percent)
		sqlite3_bind_int64(st, 5, strtoll(p->percent, NULL, 10));
	if ((rc = ft_stmts_run(&s->t, PROGRESS_ADD)))
		return rc;
	*added = 1;
	return FT_OK;
}
