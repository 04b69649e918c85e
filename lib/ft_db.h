/*
 * ft_db.h - the database: opening, the schema and its migrations, and the
 * mapping of SQLite's result codes to the toolkit's exit statuses.
 *
 * Every storage call of the toolkit goes through this module and ft_store,
 * so that another backend (DESIGN.md section 7) stays a contained change.
 *
 * A database is one SQLite file in WAL mode with foreign keys on and a busy
 * timeout, created with mode 0600 because it holds personal data.  Its schema
 * version is PRAGMA user_version; ft_db_open() brings an older file up to
 * date in one transaction and refuses a newer one (FT_CONFIG).
 */
#ifndef FT_DB_H
#define FT_DB_H

#include <pthread.h>
#include <sqlite3.h>

#define FT_SCHEMA_VERSION 13

/*
 * An open case (dispatched, accepted or reopened), as SQL.  The partial
 * indexes events_category, events_facility and events_open hold open
 * cases in these words exactly, so that the queries saying the same can use them.  Not
 * "status IN (...)": SQLite builds a temporary b-tree for the list on
 * every run of the statement, a third of the time spent.
 */
#define FT_OPEN_SQL							\
	"CASE status WHEN 'dispatched' THEN 1 WHEN 'accepted' THEN 1 "	\
	"WHEN 'reopened' THEN 1 ELSE 0 END"
#define FT_APPLICATION_ID 0x66740001	/* "ft" and a format number */

/*
 * The bound of the WAL (PRAGMA journal_size_limit of every writer): a
 * checkpoint that lets the WAL start over cuts the file back to it.  And
 * how long a writer's truncating checkpoint at its close waits for the
 * readers of the WAL before it leaves the WAL as it is.
 */
#define FT_DB_WAL_LIMIT_SQL "67108864"	/* 64 MiB */
#define FT_DB_CKPT_WAIT_MS 250

enum {
	/*
	 * A missing file is not created (an empty in-memory database stands
	 * in) and transactions are deferred: a dry run reads the database and
	 * writes only TEMP tables, so it never holds the write lock.  An
	 * older schema is still brought up to date.
	 */
	FT_DB_DRYRUN = 1,
	/*
	 * For a tool that works on stored data alone: a missing file is not
	 * created, it is FT_NOINPUT "no such database" (a mistyped --db must
	 * not look like an empty district).  Without it, a missing file is
	 * created, and a path in a directory that does not exist is
	 * FT_CANTCREAT.
	 */
	FT_DB_EXISTING = 2,
	/*
	 * The run only reads (ft-update --verify, ft-vote export...): the
	 * file is opened SQLITE_OPEN_READONLY and nothing is ever written to
	 * it, so that a read-only file or directory is enough.  Implies
	 * FT_DB_EXISTING.  In a directory where the -shm cannot be made and
	 * with no -wal (no tool has it open), the file is read as immutable.
	 * An older schema is brought up to date in a private copy.  A dry
	 * run (FT_DB_DRYRUN) that cannot write the file works the same way,
	 * on a private copy that it may write.
	 */
	FT_DB_READONLY = 4,
	/*
	 * With FT_DB_READONLY, for a run that writes nothing at all, not even
	 * in a transaction it rolls back (ft-report): the file is read in
	 * place, and copied only when its schema is older.  Without it a
	 * read-only run works on a private copy of the whole file, which
	 * costs a read and a write of every page (seconds on a large
	 * database) at each run.
	 */
	FT_DB_NO_COPY = 8
};

struct ft_db {
	sqlite3 *h;
	char *path;
	int dry;
	int in_tx;
	unsigned long txn;	/* counts transactions begun */
	/* Its failures print nothing: a reader whose caller, on a failure,
	 * does the work again on its own connection (ft_db_open_reader()). */
	int quiet;
};

/*
 * How long a writer waits for another before it gives up with FT_TEMPFAIL,
 * in milliseconds (default 60000).  main() sets it from FT_BUSY_TIMEOUT.
 */
void ft_db_set_busy_timeout(int ms);

/*
 * Opens the database at path, creating it if needed unless flags has
 * FT_DB_EXISTING or FT_DB_DRYRUN.  Returns an exit status; on failure the message
 * has been printed and db is closed.
 */
int ft_db_open(struct ft_db *db, const char *path, int flags);
/*
 * Opens a second connection to the file of db (open, not a dry run: a
 * file in WAL mode), read-only and quiet, for another thread to read what
 * db has committed while db writes (ft-dispatch --pending's reader ahead).
 * Prints nothing, and waits only 100 ms for a lock: its caller does the
 * work again on db when it fails.  Returns 0, or nonzero with reader
 * closed.
 */
int ft_db_open_reader(struct ft_db *reader, const struct ft_db *db);
/*
 * Like ft_db_open_reader(), but its failures are the run's: it waits for a
 * lock as long as db does, and prints what failed.  For a run that reads
 * what is committed while its writer thread writes (ft-warn's back-test).
 */
int ft_db_open_second(struct ft_db *reader, const struct ft_db *db);
/* Rolls back what is open, finalizes, closes.  Safe to call twice. */
void ft_db_close(struct ft_db *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; return an exit status (0 ok). */
int ft_db_begin(struct ft_db *db);
int ft_db_commit(struct ft_db *db);
/*
 * BEGIN IMMEDIATE even in a dry run: for a dry run that writes and rolls
 * back, so that its decisions see its own earlier ones.
 */
int ft_db_begin_write(struct ft_db *db);
void ft_db_rollback(struct ft_db *db);

/*
 * In a write transaction: drops the two indexes of events on reported_at,
 * for a first bulk load that comes out of time order (ft-ingest).  Returns
 * an exit status.
 */
int ft_db_time_indexes_drop(struct ft_db *db);
/*
 * In a write transaction, the table events holding no row: drops the
 * unique index on id, for a first bulk load that comes out of id order
 * (ft-ingest, which then keeps the ids unique itself).  A table that holds
 * it as its UNIQUE constraint is made again without it, with its other
 * indexes and triggers; once built again it is the index events_id.
 * *dropped 1 when it is gone (0: a table of another shape, left alone).
 * Returns an exit status.
 */
int ft_db_id_index_drop(struct ft_db *db, int *dropped);
/*
 * In a write transaction: builds the indexes of events the two calls above
 * dropped, those that are missing.  Every open to write builds them, so a
 * load killed before its end leaves the schema whole at the next open.
 * Returns an exit status; building the unique index fails on a repeated id.
 */
int ft_db_indexes_build(struct ft_db *db);
/*
 * Outside a transaction: on 1, for building an index, temporary tables and
 * sorts in files (in TMPDIR) and a 2 MB cache; on 0, back to the defaults
 * (in memory, an 8 MB cache).  Returns an exit status.
 */
int ft_db_index_mode(struct ft_db *db, int on);

/* Prepares static SQL text once; NULL after printing on failure. */
sqlite3_stmt *ft_db_prepare(struct ft_db *db, const char *sql);

/*
 * The exit status for an SQLite result code: BUSY/LOCKED -> 75, IOERR/FULL
 * -> 74, CANTOPEN -> 66, NOTADB/CORRUPT -> 65, anything else -> 70.
 */
int ft_db_status(int rc);

/* Prints "what: message" for the last error on db and returns the status. */
int ft_db_fail(struct ft_db *db, int rc, const char *what);

/*
 * A checkpointer: a thread with a second connection that copies the WAL
 * into the database (passive checkpoints, every 20 ms) while a long run
 * writes, so that the run's commits do not stop to do it themselves.  The
 * run's own automatic checkpoints stay as a backstop, at a higher mark.
 * Nothing happens for a dry run, and if it cannot start, all still works.
 */
struct ft_db_ckpt {
	/* The checkpointer's own connection: opened by the starting thread,
	 * then the checkpointer thread's alone until ft_db_ckpt_stop() has
	 * joined it, and closed there. */
	sqlite3 *h;
	/* The run's database: the starting thread's (ft_db_ckpt_start() and
	 * _stop() only); never read by the checkpointer thread. */
	struct ft_db *db;
	/* The starting thread's. */
	pthread_t tid;
	/* Guards stop, which ft_db_ckpt_stop() sets and the thread reads. */
	pthread_mutex_t mu;
	int stop;
};

void ft_db_ckpt_start(struct ft_db_ckpt *ck, struct ft_db *db);
void ft_db_ckpt_stop(struct ft_db_ckpt *ck);

#endif
