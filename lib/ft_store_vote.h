/*
 * ft_store_vote.h - the storage seam for ft-vote: its statements, behind
 * typed operations on rounds, projects, voters, ballots and tallies.
 * ft_vote decides (who may vote, what a ballot is, what a count
 * selects); this module keeps and reads back; neither knows how the
 * other works.
 *
 * Every statement of ft-vote is in one table in ft_store_vote.c
 * (stmts[]), named by an enum, prepared once a run when first used
 * (ft_stmt.h).  The operations take and give plain C values (NUL-ended
 * text, NULL for none; int64 numbers; the toolkit's exit statuses),
 * never a statement or a row: ft_vote*.c call no sqlite3_*.  A row given
 * out, to a callback or in a struct, is borrowed: its text lives until
 * the callback returns, or until the next operation on the store.  The
 * text given in is borrowed too, for the call only.  Transactions are
 * ft_db's (ft_db_begin_write, ft_db_commit, ft_db_rollback), around a
 * batch of operations.
 *
 * A second backend (PostgreSQL through libpq, DESIGN.md section 7) would
 * implement these operations over its connection, and would have to
 * provide what SQLite gives this one (ft_store.h says what the rest of
 * the toolkit needs):
 *   - the tables rounds, projects, voters, ballots and tallies of ft(7),
 *     with amounts (budget, cost, max_cost) kept as the exact decimal text
 *     given, never a float, and the limits (min_length... max_points,
 *     selected) as integers read back as their decimal text;
 *   - ballots numbered in the order they are stored (SQLite's INTEGER
 *     PRIMARY KEY: an identity column), the number given back when one is
 *     stored (cast prints it) and the order in which a round's ballots
 *     are read (export numbers them by it); a project's seq, the next of
 *     its round, taken in the statement that stores it;
 *   - registering that changes nothing for a voter already there (INSERT
 *     OR IGNORE: ON CONFLICT DO NOTHING), telling which it was;
 *   - the scope of a round, a JSON array of unit ids, against the units'
 *     parents, walked up at most 64 steps (WITH RECURSIVE and json_each:
 *     a recursive CTE and jsonb_array_elements_text);
 *   - one writer at a time (BEGIN IMMEDIATE: LOCK TABLE or an advisory
 *     lock): a kept count reads the ballots in the transaction that keeps
 *     it, and cast reads whether the round was counted in the one that
 *     stores a ballot, so that no ballot comes in after a count;
 *   - nothing of a voter but keyed hashes: the register and the ballots'
 *     tags are computed in C (ft_vkey) and stored as text, so that the
 *     secrecy of the ballot holds on any backend; the digests of ballot
 *     sets are computed in C over the stored text, which must come back
 *     byte for byte.
 */
#ifndef FT_STORE_VOTE_H
#define FT_STORE_VOTE_H

#include "ft_db.h"

#include <stdint.h>

struct ft_store_vote;

/*
 * The store of ft-vote on db (open, owned by the caller).  Prepares
 * nothing: each statement is prepared when first used.  Freed by
 * ft_store_vote_close().
 */
struct ft_store_vote *ft_store_vote_open(struct ft_db *db);
void ft_store_vote_close(struct ft_store_vote *s);

/*
 * The operations named _each call fn(ctx, row) on each row, in the order
 * they say; the row's text lives until fn returns.  fn returns FT_OK to
 * go on, else a status that stops the walk and is returned.  The others
 * return FT_OK or a status after a message.
 */

/* ---- rounds ---- */

/*
 * The settings of a round, as the columns of the rounds table in this
 * order: round (its id), name, budget, scope, opens_at, closes_at,
 * ballot, min_length, max_length, max_cost, min_points, max_points,
 * rule, threshold, tiebreak, key_check, meta (ft_vote_int.h's R_*).
 */
#define FT_STORE_VOTE_ROUND_FIELDS 17
#define FT_STORE_VOTE_ROUND_SETTINGS 15 /* round ... tiebreak */

struct ft_store_vote_round {
	const char *f[FT_STORE_VOTE_ROUND_FIELDS]; /* NULL: SQL NULL */
	const char *source; /* where it came from (a file), or NULL */
	const char *created_at;
	/* ft_store_vote_rounds_each(): what the round holds */
	int64_t projects, voters, ballots;
};

/*
 * Reads round id into r->f (source, created_at and the counts are not
 * read): *found 1 or 0.
 */
int ft_store_vote_round(struct ft_store_vote *s, const char *id,
			struct ft_store_vote_round *r, int *found);

/* Stores the new round r (f, source, created_at; not the counts). */
int ft_store_vote_round_add(struct ft_store_vote *s,
			    const struct ft_store_vote_round *r);

/*
 * Every round in id order: its settings (f up to tiebreak; key_check
 * and meta NULL) and the counts of its projects, voters and ballots.
 */
int ft_store_vote_rounds_each(struct ft_store_vote *s,
			      int (*fn)(void *ctx,
					const struct ft_store_vote_round *r),
			      void *ctx);

/* ---- projects ---- */

struct ft_store_vote_project {
	const char *round, *id, *name, *cost; /* cost: decimal text */
	const char *category, *unit; /* NULL: none */
	const char *selected; /* whole number as text, or NULL */
	const char *extra; /* JSON object text, or NULL */
};

/*
 * Reads project id of round into p (name, cost, category, unit): *found
 * 1 or 0.
 */
int ft_store_vote_project(struct ft_store_vote *s, const char *round,
			  const char *id, struct ft_store_vote_project *p,
			  int *found);

/* Stores the new project p, after the others of its round. */
int ft_store_vote_project_add(struct ft_store_vote *s,
			      const struct ft_store_vote_project *p);

/* Changes the name, cost, category and unit of stored project p. */
int ft_store_vote_project_set(struct ft_store_vote *s,
			      const struct ft_store_vote_project *p);

/* The projects of round, in the order they were stored. */
int ft_store_vote_projects_each(
	struct ft_store_vote *s, const char *round,
	int (*fn)(void *ctx, const struct ft_store_vote_project *p), void *ctx);

/* ---- the register ---- */

/*
 * Registers voter (a keyed hash) for round, in unit (NULL: none): *added
 * 1, or 0 when it was registered already (its unit then unchanged).
 */
int ft_store_vote_voter_add(struct ft_store_vote *s, const char *round,
			    const char *voter, const char *unit, int *added);

/*
 * Is voter (a keyed hash) registered for round: *yes 1 or 0, and the
 * unit it was registered in into *unit (NULL: none; kept until the next
 * call of this).
 */
int ft_store_vote_voter_exists(struct ft_store_vote *s, const char *round,
			       const char *voter, int *yes, const char **unit);

/* ---- units, for a round's scope ---- */

/* Is unit id stored: *yes 1 or 0. */
int ft_store_vote_unit_exists(struct ft_store_vote *s, const char *id,
			      int *yes);

/*
 * Is unit, or a unit above it (at most 64 steps up), one of scope (a
 * JSON array of unit ids): *yes 1 or 0.
 */
int ft_store_vote_unit_in_scope(struct ft_store_vote *s, const char *unit,
				const char *scope, int *yes);

/* ---- ballots ---- */

struct ft_store_vote_ballot {
	int64_t ballot; /* its number */
	const char *round, *tag; /* tag: the voter's keyed hash */
	const char *channel;
	const char *projects; /* JSON array text */
	const char *points; /* JSON array text, or NULL */
	const char *extra; /* JSON object text, or NULL */
	const char *unit; /* its voter's unit, or NULL */
};

/*
 * Reads the ballot of tag in round into b (ballot, projects, points):
 * *found 1 or 0.
 */
int ft_store_vote_ballot(struct ft_store_vote *s, const char *round,
			 const char *tag, struct ft_store_vote_ballot *b,
			 int *found);

/* Stores the new ballot b (not its number): its number into *ballot. */
int ft_store_vote_ballot_add(struct ft_store_vote *s,
			     const struct ft_store_vote_ballot *b,
			     int64_t *ballot);

/*
 * Replaces the channel, projects and points of the ballot of b's round
 * and tag, and counts the replacement.
 */
int ft_store_vote_ballot_replace(struct ft_store_vote *s,
				 const struct ft_store_vote_ballot *b);

/*
 * The ballots of round in the order they were stored (projects, points,
 * channel, extra; not ballot or tag).
 */
int ft_store_vote_ballots_each(struct ft_store_vote *s, const char *round,
			       int (*fn)(void *ctx,
					 const struct ft_store_vote_ballot *b),
			       void *ctx);

/* ---- tallies: the counts kept ---- */

struct ft_store_vote_tally {
	int64_t tally; /* its number */
	const char *round;
	const char *rule; /* the rule and its options, as text */
	const char *counted_at;
	int64_t ballots; /* the ballots counted */
	const char *digest; /* of the ballots counted */
	const char *result; /* the result lines */
};

/* Keeps the count t (not its number). */
int ft_store_vote_tally_add(struct ft_store_vote *s,
			    const struct ft_store_vote_tally *t);

/*
 * Is a count of t's round by t's rule with t's digest and result kept:
 * *yes 1 or 0.
 */
int ft_store_vote_tally_kept(struct ft_store_vote *s,
			     const struct ft_store_vote_tally *t, int *yes);

/* The first count kept of round into t (tally, counted_at): *found 1 or 0. */
int ft_store_vote_tally_first(struct ft_store_vote *s, const char *round,
			      struct ft_store_vote_tally *t, int *found);

/* The counts kept of round in their order (tally, rule, digest, result). */
int ft_store_vote_tallies_each(struct ft_store_vote *s, const char *round,
			       int (*fn)(void *ctx,
					 const struct ft_store_vote_tally *t),
			       void *ctx);

/* ---- progress: the funded projects' dated steps ---- */

struct ft_store_vote_progress {
	const char *round, *project;
	const char *at; /* when the step was reached, stored time */
	const char *stage;
	const char *percent; /* a whole number 0..100 as text, or NULL */
	const char *note; /* or NULL */
	const char *recorded_at; /* stored time */
};

/*
 * Adds step p: *added 1, or 0 when the same step (all but recorded_at)
 * is stored already.
 */
int ft_store_vote_progress_add(struct ft_store_vote *s,
			       const struct ft_store_vote_progress *p,
			       int *added);

#endif
