/*
 * ft_vote_int.h - what the parts of ft-vote share; not for other modules.
 *
 * ft-vote is cut by idea: ft_vote.c holds the run (below) and the verbs
 * that read records (open, projects, register, cast) with rounds and the
 * option checks; ft_vote_ballot.c the round's projects, the checks of a
 * ballot and the digest of a ballot set; ft_vote_pb.c import and export of
 * pabulib .pb files; ft_vote_count.c tally and recount.  The key file and
 * the keyed hashes are ft_vkey, the amounts ft_amount.
 *
 * A run is one verb's state: its store (ft_store_vote: the statements,
 * prepared once, closed by vote_run_release()), the round it works on, the
 * output held until its transaction commits (ft_hold), the rejects and
 * the counts of its summary.  A run belongs to the thread that made it;
 * nothing here is shared between runs.
 */
#ifndef FT_VOTE_INT_H
#define FT_VOTE_INT_H

#include "ft_buf.h"
#include "ft_db.h"
#include "ft_hold.h"
#include "ft_reject.h"
#include "ft_run.h"
#include "ft_store_vote.h"
#include "ft_tally.h"
#include "ft_time.h"
#include "ft_vote.h"

#include <stddef.h>
#include <stdint.h>

#define MAX_BALLOT FT_TALLY_MAX_BALLOT /* projects on one ballot */
#define MAX_POINTS FT_TALLY_MAX_POINTS /* points on one ballot */

/* A round as stored. */
struct round {
	char *f[FT_STORE_VOTE_ROUND_FIELDS]; /* by R_*, NULL for NULL */
	int64_t opens, closes; /* INT64_MIN: none */
	unsigned char key[32];
};

/* The settings of a round, in the store's order (ft_store_vote.h). */
enum {
	R_ID,
	R_NAME,
	R_BUDGET,
	R_SCOPE,
	R_OPENS,
	R_CLOSES,
	R_BALLOT,
	R_MINLEN,
	R_MAXLEN,
	R_MAXCOST,
	R_MINPTS,
	R_MAXPTS,
	R_RULE,
	R_THRESHOLD,
	R_TIEBREAK,
	R_KEYCHECK,
	R_META
};
_Static_assert(R_META + 1 == FT_STORE_VOTE_ROUND_FIELDS &&
		       R_TIEBREAK + 1 == FT_STORE_VOTE_ROUND_SETTINGS,
	       "R_* follow the store's round fields");

struct cast;
struct funded;

struct run {
	struct ft_db *db;
	const struct ft_vote_opts *o;
	struct ft_store_vote *vs; /* its statements */
	struct ft_reject rej;
	struct ft_run run; /* a file's transaction, and its output */
	struct ft_buf a, b, c, d, e, items, items2;
	const char *fname;
	struct round r;
	int have_round;
	long done, unchanged, updated;
	long kept[3]; /* done, unchanged, updated at the last commit */
	/* each_record(): what decides a record of the file being read */
	const char *(*fn)(struct run *, const struct ft_item *);
	int status; /* worst so far */
	/* cast: the round's first stored count, as of transaction txn */
	unsigned long counted_txn;
	long long counted; /* its tally, 0: none */
	char counted_at[FT_TIME_LEN];
	struct cast *cast; /* cast: the round's projects, a ballot's */
	struct funded *funded; /* progress: the funded projects */
	char reason[512]; /* vote_why()'s text */
};

/* ---- the run (ft_vote.c) ---- */

void vote_run_init(struct run *u, struct ft_db *db,
		   const struct ft_vote_opts *o);

/* Frees u and closes its rejects file; returns the worse of st and the
 * close's status. */
int vote_run_release(struct run *u, int st);

/* Prints what is in u->out now: output outside a transaction. */
void vote_flush(struct run *u);

/* Loads round id into u->r.  66 when there is none (with a message
 * unless quiet). */
int vote_load_round(struct run *u, const char *id, int quiet);

/*
 * A usage error found with the round in hand (the options alone are
 * checked by ft_vote_check() before the database opens): the message,
 * then FT_USAGE.  The library prints no usage text; main() does.
 */
int vote_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * A reason with printf formatting, in u->reason: valid until the next
 * call on the same run.
 */
const char *vote_why(struct run *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Is v[0..len) the compact JSON array text of strings and numbers?  1,
 * its elements appended to items NUL-terminated and their count in *n;
 * else 0, and *n 0.  (A yes/no helper: what is not a list is a reject or
 * a corrupt ballot, which the caller words.)
 */
int vote_list_json(const char *v, size_t len, struct ft_buf *items, int *n);

/* The next item of a list vote_list_json() filled; pos starts at 0. */
const char *vote_next_item(const struct ft_buf *items, size_t *pos);

/*
 * A point of a stored ballot: a whole number from 0 to MAX_POINTS, as cast
 * and import store them.  -1 for another text (a database written by
 * other means): counted, it could overflow a score.
 */
int64_t vote_stored_point(const char *s);

/* Instant t as ft_time_format() writes it, into buf; returns buf. */
const char *vote_fmt_time(int64_t t, char buf[FT_TIME_LEN]);

/* Is s one of list (NULL-terminated)? */
int vote_known(const char *const *list, const char *s);

/* Is s UTF-8 without control characters (C0, DEL, C1)? */
int vote_is_text(const char *s);

#endif
