/*
 * ft_run.h - the run loop of a tool that decides record by record: read
 * a record, decide, store it inside the batch's transaction, hold what it
 * prints, and print the batch once it has committed; a record that
 * cannot be decided is rejected (the tool's ft_reject) and the run goes
 * on.  ft-update and ft-dispatch run on it, and the tools to come will.
 *
 * The batch life cycle is here and nowhere else:
 *   - a record enters the batch with ft_run_enter(): the batch ends first
 *     if it is full, and a write transaction begins if none is open;
 *   - ft_run_end() commits, then prints what the batch held; a batch that
 *     does not commit is dropped: rolled back, nothing of it printed, and
 *     the tool's counts go back to those of the last commit (drop());
 *   - when the input waits (a pipe with nothing to read), the batch ends
 *     at once, so that what was read is stored and printed (the idle
 *     commit);
 *   - a dry run keeps one transaction to the end, so that every decision
 *     sees those before it as in a real run; the tool rolls it back when
 *     it finishes (ft_run_finish()).
 */
#ifndef FT_RUN_H
#define FT_RUN_H

#include "ft_db.h"
#include "ft_hold.h"
#include "ft_input.h"
#include "ft_wq.h"

struct ft_run {
	struct ft_db *db;
	struct ft_hold out; /* what the batch prints once committed */
	long limit; /* records a batch at most */
	long n; /* records in the batch so far */
	long commits; /* batches committed so far: transactions */
	int page; /* ft_run_begin_page(): no record ends it */
	int dry_run;
	const char *fname; /* the input being read, for messages */
	void *ctx; /* the tool's, given to keep and drop */
	void (*keep)(void *ctx); /* the batch committed: its counts stand */
	void (*drop)(void *ctx); /* it did not: back to the counts kept */
	/*
	 * Optional: prints the batch just committed, for a tool that holds
	 * its output itself (ft-ingest's lines are in its batch already);
	 * NULL: out is printed.  Returns a status.
	 */
	int (*print)(void *ctx);
	/*
	 * Optional: writes what the tool keeps in memory across records
	 * (ft-warn's windows) into the batch, just before it commits.
	 * Returns a status; a failure drops the batch.
	 */
	int (*flush)(void *ctx);
	/*
	 * How a batch's transaction begins: ft_db_begin_write() (the
	 * default: a dry run too writes and rolls back), or ft_db_begin()
	 * for a dry run that writes only private tables and takes no lock.
	 */
	int (*begin)(struct ft_db *db);
	/*
	 * Optional: the work on each record read from a file that may run
	 * in the input's reader thread, with prep_ctx
	 * (ft_input_set_prep()).
	 */
	int (*prep)(void *ctx, const struct ft_item *it, struct ft_buf *out);
	void *prep_ctx;
	/*
	 * Optional: the tool's writer (ft_wq.h), which does the batch's
	 * writes while the tool decides the records after them.  The batch
	 * begins as its first job; at its end the run waits for the jobs,
	 * flushes, waits again, then commits and prints.  While a batch is
	 * open the tool leaves the database to its jobs.
	 */
	struct ft_wq *wq;
	/*
	 * Optional, with wq: a batch that ends because it is full commits
	 * in the writer while the next one is decided; stage(ctx) is called
	 * as its commit is queued (the tool notes its counts then), and
	 * keep(ctx) once it has committed, when its output (prev) is
	 * printed, at the latest when the next batch ends.  A batch that
	 * ends for any other reason (the input waits or ends) commits and
	 * prints at once, as without it.
	 */
	void (*stage)(void *ctx);
	struct ft_hold prev; /* the output of the batch committing */
	int pending; /* a batch's commit is queued: prev waits on it */
	int committed; /* the writer's: that commit succeeded */
};

/* Sets up r over db (open); no_output: --no-output. */
void ft_run_init(struct ft_run *r, struct ft_db *db, long limit, int dry_run,
		 int no_output);
void ft_run_release(struct ft_run *r);

/*
 * A record enters the batch: ends the batch if it is full, then opens a
 * write transaction if none is.  Returns a status.
 */
int ft_run_enter(struct ft_run *r);

/*
 * A batch of its own, however many records enter it, until ft_run_end():
 * for a page read from the database under one transaction, or a batch a
 * writer thread was handed whole.  Returns a status.
 */
int ft_run_begin_page(struct ft_run *r);

/* Ends the batch: commits, then prints; a failed commit drops it. */
int ft_run_end(struct ft_run *r);

/* Drops the batch: rolled back, nothing printed, the counts kept. */
void ft_run_drop(struct ft_run *r);

/*
 * Reads path ("-": standard input) record by record: each(ctx, item)
 * decides, stores and holds one record (an item with err set is the
 * tool's to reject) and returns FT_OK to go on, or a status that stops
 * the run.  The batch ends when the input waits and at the end; it is
 * dropped when the run stops.  Returns a status.
 */
int ft_run_file(struct ft_run *r, const char *path,
		int (*each)(void *ctx, const struct ft_item *it));

/*
 * Like ft_run_file(), with the whole file as one batch: one transaction
 * for the file, no idle commit, so that a file is stored whole or not at
 * all (ft-vote's casts); a dry run rolls each file back.  Returns a
 * status.
 */
int ft_run_file_whole(struct ft_run *r, const char *path,
		      int (*each)(void *ctx, const struct ft_item *it));

/* Ends the last batch; a dry run's transaction is rolled back. */
int ft_run_finish(struct ft_run *r);

#endif
