#include "ft_ingest.h"
#include "ft_err.h"
#include "ft_event.h"
#include "ft_exit.h"
#include "ft_geo.h"
#include "ft_hist.h"
#include "ft_idset.h"
#include "ft_jq.h"
#include "ft_reject.h"
#include "ft_run.h"
#include "ft_sha256.h"
#include "ft_store_load.h"
#include "ft_time.h"
#include "ft_version.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <math.h>
#include <pwd.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BATCH 2000
/*
 * Readings are many and small, and each batch rewrites every leaf of the
 * table it touches (see write_readings()): the larger the batch, the fewer
 * times a leaf is written (on 2,000,000 readings from 10,000 sensors, the
 * writer thread's time 2.6 s at 100,000, 1.9 s at 200,000, 1.7 s at
 * 250,000).  The bound is memory: two batches are in flight, a reading
 * takes about 170 bytes of one, 250 with its output line kept until its
 * batch is committed (and its source line more with --rejects), so a load
 * with output has the smaller batch, for about the same peak as the
 * 100,000 of before (~107 MB; BENCHMARKS.md 2026-12-06 20:00).  A stream
 * that waits still commits at once (ft_run's idle commit), so this bounds
 * a bulk load's transactions only.
 */
#define READINGS_BATCH 250000
#define READINGS_BATCH_OUT 180000
/*
 * A load of events from a file of at least this size into an empty table
 * whose first batch comes out of time order builds the two indexes on
 * reported_at after its rows; out of id order, the unique index on id
 * (see defer_indexes()).
 */
#define DEFER_MIN_BYTES (32L << 20)
#define DEFER_LAG 64
/*
 * While the unique index on id waits, the ids stored are kept in memory
 * (ft_idset.h, 8 bytes an id, 11 MB for a million): past this size
 * (1.78 million ids) the index is built from the rows so far, and the
 * rest of the load is stored row by row.
 */
#ifndef IDSET_MAX_BYTES
#define IDSET_MAX_BYTES ((size_t)16 << 20) /* -D for the tests of the bound */
#endif

/*
 * The writer thread stores a batch while the next one is read (see
 * writer()).  make bench builds the tools once more with
 * -DFT_NO_WRITER_THREAD, where the reading thread writes each batch
 * itself, to show what the thread is worth (BENCHMARKS.md).
 */
#ifdef FT_NO_WRITER_THREAD
#define WRITER_THREAD 0
#else
#define WRITER_THREAD 1
#endif

enum ctype { T_ID, T_STR, T_REQ, T_LAT, T_LON, T_SEV, T_TIME, T_OTIME, T_STATUS,
	T_UKIND,
	T_GEOM,
	T_EPOCH,
	T_VALUE
};

struct canon {
	const char *name;
	enum ctype t;
};

static const struct canon event_cols[] = {
	{ "id", T_ID }, { "source", T_STR }, { "category", T_REQ },
	{ "title", T_STR }, { "text", T_STR }, { "lat", T_LAT },
	{ "lon", T_LON }, { "address", T_STR }, { "facility", T_STR },
	{ "reporter", T_STR }, { "severity", T_SEV },
	{ "reported_at", T_TIME }, { "status", T_STATUS }, { "area", T_STR }
};
static const struct canon unit_cols[] = {
	{ "id", T_ID }, { "name", T_STR }, { "kind", T_UKIND },
	{ "parent", T_STR }, { "boundary", T_GEOM },
	{ "valid_from", T_OTIME }
};
static const struct canon facility_cols[] = {
	{ "id", T_ID }, { "kind", T_REQ }, { "name", T_STR },
	{ "lat", T_LAT }, { "lon", T_LON }, { "area", T_STR },
	{ "owner", T_STR }
};

/* A reading's time is stored as epoch seconds (T_EPOCH), its value REAL. */
static const struct canon reading_cols[] = { { "sensor", T_REQ },
					     { "metric", T_STR },
					     { "at", T_EPOCH },
					     { "value", T_VALUE } };

static const struct kinddef {
	const char *name, *table, *one;	/* one: its history kind */
	const struct canon *cols;
	size_t ncols;
	int bbox;	/* has min_lon, min_lat, max_lon, max_lat columns */
} kinds[] = {
	{ "events", "events", "event", event_cols,
	  sizeof(event_cols) / sizeof(*event_cols), 0 },
	{ "units", "units", "unit", unit_cols,
	  sizeof(unit_cols) / sizeof(*unit_cols), 1 },
	{ "facilities", "facilities", "facility", facility_cols,
	  sizeof(facility_cols) / sizeof(*facility_cols), 0 },
	{ "readings", "readings", "reading", reading_cols,
	  sizeof(reading_cols) / sizeof(*reading_cols), 0 },
};

/*
 * A value of a column (ft_store_load.h): its text kept in the batch arena
 * at off, since the arena moves while the batch fills.
 */
struct val {
	enum ft_value_type t;
	size_t off, len;
	int64_t i;
	double d;
};

struct brec {
	long line;
	size_t raw, rawlen;	/* the source text, for --rejects */
	size_t path, pathlen;	/* its path for a split map; pathlen 0: none */
	size_t out, outlen;	/* the output line */
	size_t id, idlen;
	size_t v;		/* its first value in batch.v */
	int emit;
};

/*
 * A reading of the batch, by its key, for write_readings(): made by
 * queue_reading() with its texts as offsets in the batch's arena (which
 * moves as it grows), turned into rd's pointers by sort_readings().
 */
struct rkey {
	struct ft_reading rd; /* metric "" when none was given */
	size_t i; /* its place in the batch */
	size_t sensor, metric; /* offsets in the arena; metric SIZE_MAX: none */
};

struct batch {
	struct ft_buf a;	/* arena */
	struct brec *r;
	size_t n, cap;
	struct val *v;
	size_t nv, capv;
	/*
	 * Readings: the batch in the table's key order (sort_readings(), on
	 * the producer's side), and what write_readings() made of each, by
	 * its place in the batch.  A reading keeps no values in v: all that
	 * storing it needs is in rk.
	 */
	struct rkey *rk;
	signed char *rflag;
	size_t rkcap;
	long records;		/* source records read up to its end */
	const char *final;	/* the run's status, on a file's last batch */
};

struct counts {
	long records, inserted, updated, unchanged, rejected, skipped;
	long nullisland;
	long moved;		/* upserts that moved a decided event */
};

struct ft_ingest {
	struct ft_ingest_opts o;
	const struct kinddef *k;
	size_t nvals;		/* values a record: columns bound */
#define V_EXTRA(ig)	((ig)->nvals - 3)	/* the last three values */
#define V_RAW(ig)	((ig)->nvals - 2)
#define V_RAW_PATH(ig)	((ig)->nvals - 1)
	unsigned *canon_hash;
	struct ft_db *db;
	struct ft_jq *jq;
	struct ft_reject rej;

	/*
	 * The writer thread's while a file loads: the store, the batches'
	 * life cycle, the batch it writes, the values of the record it
	 * stores and the stored record that one is compared with.
	 */
	struct ft_load *store;
	struct ft_run batches;
	struct batch *wb;
	struct ft_value *wv;
	const struct ft_value *found;
	int lockfd;		/* the runs' lock file, or -1 */
	struct ft_hist hist;
	/*
	 * The events created in the current transaction with status "new":
	 * they are logged as one history entry (see log_created()), seqs
	 * first..last, ids digested in order.
	 */
	int64_t cr_first, cr_last;
	long cr_n;
	struct ft_sha256 cr_md;
	int status_col;		/* the index of "status" in cols, or -1 */
	int at_col; /* of "reported_at", or -1 */
	/*
	 * defer_ok: the run may defer the indexes of events (a big file, no
	 * event stored), decided at its first batch; deferred: some are
	 * dropped, to be built at its end (id_deferred, at the end: the
	 * unique index on id is one of them).
	 */
	int defer_ok, deferred;
	int64_t run;		/* the ingests row of the current file */
	const char *fname;
	struct counts c;
	int out_closed;		/* stdout's reader went away */
	int wmoved;		/* describe_change(): a decided event moved */

	/*
	 * Two batches: the producer (reading, mapping, checking) fills *b
	 * while the writer thread stores the other (full).  mu guards full,
	 * wstatus, the rejection count and the rejects file.
	 */
	struct batch bat[2], *b, *full;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wstatus;
	struct ft_buf wtmp;
	/* sort_readings()'s: the order (two), the runs; sordcap of each. */
	uint32_t *sord[2], *sruns;
	size_t sordcap;
	struct ft_db_ckpt ck;
	struct ft_json_doc mdoc, fdoc;
	/*
	 * A map split by ft_jq_split(): jqp lists the paths of the values
	 * jqr runs on, each of them the raw of what it gives (edoc).  The
	 * paths of one record are kept in spaths (each ending in a NUL),
	 * where they start in soff, the values' places in the record in
	 * sval (offset, length).
	 */
	struct ft_jq *jqp, *jqr;
	struct ft_json_doc pdoc, edoc;
	struct ft_json_cursor cur;
	struct ft_buf spaths;
	size_t *soff, *sval, scap;

	/*
	 * Where the canonical fields are among a record's members, kept from
	 * one record to the next: a CSV file, and most NDJSON, repeats the
	 * same keys in the same order.  lay_role: -1 another field, -2 a key
	 * repeated later (the last one wins), else the canonical column.
	 */
	struct ft_buf lay_keys;
	size_t *lay_off, lay_n, lay_cap;
	int *lay_role, *lay_pos;
	int lit;		/* field_text(): the literal is the text */
	struct ft_buf mapped, rest, extra, tmp, why, line;
	double t0, last_progress;
	int nfiles;
	/*
	 * id_deferred: the unique index on id waits, and ids holds the ids
	 * stored meanwhile; bulk 1 once its small cache is set
	 * (ft_db_index_mode()).  Last: the fields above keep their places.
	 */
	int id_deferred, bulk;
	struct ft_idset ids;
	off_t fsize; /* the file's size, for a big one */
};

int
ft_kind_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (!strcmp(name, kinds[i].name))
			return (int)i;
	return -1;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- statements ---- */

/*
 * An event's area is the source's while the event is new, and
 * ft-dispatch's decision once it has left new (ft-dispatch keeps a given
 * area, or places the event itself): a reload neither compares nor
 * writes it then, so that loading the same file again after dispatch
 * changes nothing, and an upsert keeps the decision.
 */
static int
is_decided_col(const struct ft_ingest *ig, size_t i)
{
	return ig->status_col >= 0 && i < ig->k->ncols &&
	       !strcmp(ig->k->cols[i].name, "area");
}

/* The fields that say where an event is. */
static int
is_location_col(const struct ft_ingest *ig, size_t i)
{
	const char *n = ig->k->cols[i].name;

	return ig->status_col >= 0 && i < ig->k->ncols &&
	       (!strcmp(n, "lat") || !strcmp(n, "lon") ||
		!strcmp(n, "address") || !strcmp(n, "facility"));
}

/* ---- set-up ---- */

/* Applies the "#ft: tz ZONE" and "#ft: time-format FMT" lines of a map. */
static int
map_pragmas(const char *prog, int zone_given)
{
	const char *p = prog, *nl;
	char buf[256];
	size_t n;

	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n < 5 || strncmp(p, "#ft: ", 5) || n - 5 >= sizeof(buf)) {
			if (!nl)
				break;
			continue;
		}
		memcpy(buf, p + 5, n - 5);
		buf[n - 5] = '\0';
		if (!strncmp(buf, "tz ", 3)) {
			if (!zone_given && ft_time_set_zone(buf + 3)) {
				ft_error("map: unknown time zone \"%s\"",
					 buf + 3);
				return FT_CONFIG;
			}
		} else if (!strncmp(buf, "time-format ", 12)) {
			ft_time_add_format(buf + 12);
		}
		if (!nl)
			break;
	}
	return FT_OK;
}

/*
 * Runs that are alive: each run holds a write lock (fcntl(2)) on one byte
 * of DB-ingests.lock, at the offset of its ingests row, from before that
 * row is committed until the run's end; the kernel drops it when the
 * process ends, however it ends.  So a row that says "running" and whose
 * byte nobody holds is a run that was killed (or stopped without closing
 * its row): a later run marks it failed (see close_stale()).  A lock, not
 * a pid, so that a reused pid cannot pass for the dead run.  POSIX locks
 * belong to the process and go when it closes any descriptor of the file:
 * the file is opened once, here, and closed by ft_ingest_free().
 */
static int
open_lock(struct ft_ingest *ig)
{
	struct ft_buf path = FT_BUF_INIT;

	ft_buf_addf(&path, "%s-ingests.lock", ig->db->path);
	ig->lockfd = open(path.s, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			  0600);
	if (ig->lockfd < 0) {
		ft_error("%s: cannot create the lock file: %s", path.s,
			 strerror(errno));
		ft_buf_release(&path);
		return FT_CANTCREAT;
	}
	ft_buf_release(&path);
	return FT_OK;
}

/* Takes (F_WRLCK), gives up (F_UNLCK) or tests (F_GETLK) run's byte. */
static int
run_lock(struct ft_ingest *ig, int64_t run, int cmd, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)run;
	fl.l_len = 1;
	if (fcntl(ig->lockfd, cmd, &fl) < 0)
		return -1;
	return cmd == F_GETLK ? fl.l_type != F_UNLCK : 0;
}

/*
 * Inside start_run()'s write transaction: marks failed, with the time
 * found as finished_at, the rows still "running" whose run holds no lock,
 * and says so once, on the run that closes them.  A live run (another
 * process loading now) holds its lock and is left alone; this process's
 * own runs are never running here.
 */
struct stale_ctx {
	struct ft_ingest *ig;
	const char *at;
	struct ft_buf msg;
};

static int
stale_one(void *arg, int64_t run, const char *file, const char *started)
{
	struct stale_ctx *c = arg;
	struct ft_ingest *ig = c->ig;
	int held, st;

	if ((held = run_lock(ig, run, F_GETLK, F_WRLCK)) < 0) {
		ft_error("%s-ingests.lock: %s", ig->db->path, strerror(errno));
		return FT_IOERR;
	}
	if (held)
		return FT_OK;
	if ((st = ft_load_run_fail(ig->store, run, c->at)))
		return st;
	ft_buf_reset(&c->msg);
	ft_json_escape_lossy(&c->msg, file ? file : "",
			     file ? strlen(file) : 0);
	ft_warn("warning: ingest %lld (%s, started %s) was interrupted: "
		"no process runs it any more; marked failed",
		(long long)run, c->msg.s, started ? started : "?");
	return FT_OK;
}

static int
close_stale(struct ft_ingest *ig, const char *at)
{
	struct stale_ctx c = { ig, at, FT_BUF_INIT };
	int st = ft_load_running_each(ig->store, stale_one, &c);

	ft_buf_release(&c.msg);
	return st;
}

/*
 * A map "PATHS | REST" that takes records out of a wrapped document
 * (".results[] | {...}") runs as two programs, so that each record keeps
 * as raw the value it came from, not the whole document (see
 * ft_jq_split()).  Any other map runs whole.
 */
static void
map_split(struct ft_ingest *ig, const char *map)
{
	struct ft_buf paths = FT_BUF_INIT, rest = FT_BUF_INIT;

	if (ft_jq_split(map, &paths, &rest)) {
		ig->jqp = ft_jq_compile_quiet(paths.s);
		ig->jqr = ig->jqp ? ft_jq_compile_quiet(rest.s) : NULL;
		if (!ig->jqr) {
			ft_jq_free(ig->jqp);
			ig->jqp = NULL;
		}
	}
	ft_buf_release(&paths);
	ft_buf_release(&rest);
}

int
ft_ingest_new(struct ft_ingest **igp, const struct ft_ingest_opts *o)
{
	struct ft_ingest *ig = ft_xmalloc(sizeof(*ig));
	size_t i;
	int st;

	memset(ig, 0, sizeof(*ig));
	*igp = ig;
	ig->o = *o;
	ig->lockfd = -1;
	if (!ig->o.batch)
		ig->o.batch = o->kind != FT_KIND_READINGS ? DEFAULT_BATCH :
			      o->no_output		  ? READINGS_BATCH :
							    READINGS_BATCH_OUT;
	ig->k = &kinds[o->kind];
	ig->nvals = ig->k->ncols + (ig->k->bbox ? 4 : 0) + 3;
	if (o->kind == FT_KIND_READINGS)
		ig->nvals = ig->k->ncols; /* no extra, no raw: see take() */
	ig->wv = ft_xmalloc(ig->nvals * sizeof(*ig->wv));
	for (i = 0; i < 2; i++)
		ft_buf_init(&ig->bat[i].a);
	ig->b = &ig->bat[0];
	pthread_mutex_init(&ig->mu, NULL);
	pthread_cond_init(&ig->cv, NULL);
	ft_buf_init(&ig->wtmp);
	ft_buf_init(&ig->mapped);
	ft_buf_init(&ig->rest);
	ft_buf_init(&ig->extra);
	ft_buf_init(&ig->tmp);
	ft_buf_init(&ig->why);
	ft_buf_init(&ig->line);
	ft_json_doc_init(&ig->mdoc);
	ft_json_doc_init(&ig->fdoc);
	ft_json_doc_init(&ig->pdoc);
	ft_json_doc_init(&ig->edoc);
	ft_json_cursor_init(&ig->cur);
	ft_buf_init(&ig->spaths);
	ft_buf_init(&ig->lay_keys);
	ig->lay_n = (size_t)-1;
	ig->lay_pos = ft_xmalloc(ig->k->ncols * sizeof(int));
	ig->canon_hash = ft_xmalloc(ig->k->ncols * sizeof(unsigned));
	for (i = 0; i < ig->k->ncols; i++)
		ig->canon_hash[i] = ft_json_key_hash(ig->k->cols[i].name,
						     strlen(ig->k->cols[i].name));
	ig->status_col = ig->at_col = -1;
	for (i = 0; i < ig->k->ncols; i++)
		if (!strcmp(ig->k->cols[i].name, "status"))
			ig->status_col = (int)i;
		else if (!strcmp(ig->k->cols[i].name, "reported_at"))
			ig->at_col = (int)i;
	if (o->in.encoding && ft_input_check_encoding(o->in.encoding)) {
		ft_error("--encoding: unknown encoding %s (see iconv -l)",
			 ft_q(o->in.encoding));
		return FT_USAGE;
	}
	if (o->map) {
		if ((st = map_pragmas(o->map, o->tz_given)))
			return st;
		ig->jq = ft_jq_compile(o->map, o->map_origin);
		if (!ig->jq)
			return o->map_origin[0] == '@' ? FT_CONFIG : FT_USAGE;
		map_split(ig, o->map);
	}
	return FT_OK;
}

static int print_batch(void *ctx);

int
ft_ingest_start(struct ft_ingest *ig, struct ft_db *db)
{
	const struct ft_ingest_opts *o = &ig->o;
	int st;

	ig->db = db;
	if ((st = ft_reject_open(&ig->rej, o->rejects)))
		return st;
	if ((st = ft_load_open(&ig->store, db, o->kind, o->dry_run)))
		return st;
	/* The writer is handed a batch whole; a dry run commits its private
	 * tables batch by batch. */
	ft_run_init(&ig->batches, db, 0, 0, o->no_output);
	ig->batches.ctx = ig;
	ig->batches.print = print_batch;
	ig->batches.begin = ft_db_begin;
	if (!o->dry_run && (st = ft_hist_init(&ig->hist, db, "ft-ingest")))
		return st;
	if (o->dry_run)
		return FT_OK; /* no row of ingests, no lock */
	return open_lock(ig);
}

void
ft_ingest_free(struct ft_ingest *ig)
{
	int i;

	if (!ig)
		return;
	ft_load_close(ig->store);
	ft_run_release(&ig->batches);
	ft_idset_release(&ig->ids);
	ft_hist_release(&ig->hist);
	free(ig->wv);
	if (ig->lockfd >= 0)
		close(ig->lockfd);
	ft_jq_free(ig->jq);
	ft_jq_free(ig->jqp);
	ft_jq_free(ig->jqr);
	ft_json_doc_release(&ig->pdoc);
	ft_json_doc_release(&ig->edoc);
	ft_json_cursor_release(&ig->cur);
	ft_buf_release(&ig->spaths);
	free(ig->soff);
	free(ig->sval);
	ft_reject_close(&ig->rej);
	free(ig->canon_hash);
	free(ig->sord[0]);
	free(ig->sord[1]);
	free(ig->sruns);
	for (i = 0; i < 2; i++) {
		free(ig->bat[i].r);
		free(ig->bat[i].v);
		free(ig->bat[i].rk);
		free(ig->bat[i].rflag);
		ft_buf_release(&ig->bat[i].a);
	}
	pthread_mutex_destroy(&ig->mu);
	pthread_cond_destroy(&ig->cv);
	ft_buf_release(&ig->wtmp);
	ft_buf_release(&ig->mapped);
	ft_buf_release(&ig->rest);
	ft_buf_release(&ig->extra);
	ft_buf_release(&ig->tmp);
	ft_buf_release(&ig->why);
	ft_buf_release(&ig->line);
	ft_json_doc_release(&ig->mdoc);
	ft_json_doc_release(&ig->fdoc);
	ft_buf_release(&ig->lay_keys);
	free(ig->lay_off);
	free(ig->lay_role);
	free(ig->lay_pos);
	free(ig);
}

/* ---- rejection ---- */

static void reject_locked(struct ft_ingest *ig, long line, const char *reason,
			  const char *raw, size_t rawlen,
			  const struct ft_json_doc *src);

static void
reject(struct ft_ingest *ig, long line, const char *reason, const char *raw,
       size_t rawlen, const struct ft_json_doc *src)
{
	pthread_mutex_lock(&ig->mu);
	reject_locked(ig, line, reason, raw, rawlen, src);
	pthread_mutex_unlock(&ig->mu);
}

/* reject(), with ig->mu held: the producer and the writer both reject. */
static void
reject_locked(struct ft_ingest *ig, long line, const char *reason,
	      const char *raw, size_t rawlen, const struct ft_json_doc *src)
{
	ig->c.rejected++;
	ft_reject_add(&ig->rej, ig->fname, line, reason, raw, rawlen,
		      src ? src->text.s : NULL, src ? src->text.len : 0);
	if (ig->rej.status && !ig->wstatus)
		ig->wstatus = ig->rej.status;
}

/*
 * reject() of a record whose id is known: the reason stays one text.  path
 * (pathlen bytes, 0: none) is where a split map found it.
 */
static void
reject_id(struct ft_ingest *ig, long line, const char *id, size_t idlen,
	  const char *path, size_t pathlen, const char *reason,
	  const char *raw, size_t rawlen)
{
	pthread_mutex_lock(&ig->mu);
	ig->c.rejected++;
	if (pathlen)
		ft_reject_add_path(&ig->rej, ig->fname, line, id, idlen, path,
				   pathlen, reason, raw, rawlen, NULL, 0);
	else
		ft_reject_add_id(&ig->rej, ig->fname, line, id, idlen, reason,
				 raw, rawlen, NULL, 0);
	if (ig->rej.status && !ig->wstatus)
		ig->wstatus = ig->rej.status;
	pthread_mutex_unlock(&ig->mu);
}

/* reject() of a value a split map took from a record, named by its path. */
static void
reject_path(struct ft_ingest *ig, long line, const char *path,
	    const char *reason, const char *raw, size_t rawlen,
	    const struct ft_json_doc *src)
{
	pthread_mutex_lock(&ig->mu);
	ig->c.rejected++;
	ft_reject_add_path(&ig->rej, ig->fname, line, NULL, 0, path,
			   strlen(path), reason, raw, rawlen,
			   src ? src->text.s : NULL, src ? src->text.len : 0);
	if (ig->rej.status && !ig->wstatus)
		ig->wstatus = ig->rej.status;
	pthread_mutex_unlock(&ig->mu);
}

/* ---- values ---- */

/*
 * The value of member m as text in ig->tmp: a string decoded and trimmed,
 * a number as written.  Returns 0 when absent (null, or an empty string),
 * 's' for a string, 'n' for a number, or the JSON type letter otherwise.
 */
static int
field_text(struct ft_ingest *ig, const struct ft_json_doc *d,
	   const struct ft_json_member *m)
{
	const char *v = d->text.s + m->val;
	char *s;
	size_t n;

	ft_buf_reset(&ig->tmp);
	ig->lit = 0;
	switch (*v) {
	case 'n':
		return 0;
	case '"':
		ft_json_unescape(v, m->vallen, &ig->tmp);
		ig->lit = ig->tmp.len == m->vallen - 2;
		s = ig->tmp.s;
		n = ig->tmp.len;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
			     s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		s[n] = '\0';
		ig->tmp.len = n;
		for (s = ig->tmp.s; *s == ' ' || *s == '\t' || *s == '\r' ||
				    *s == '\n'; s++)
			;
		if (s != ig->tmp.s) {
			ig->tmp.len = n - (size_t)(s - ig->tmp.s);
			memmove(ig->tmp.s, s, ig->tmp.len + 1);
		}
		if (ig->tmp.len != m->vallen - 2)
			ig->lit = 0;
		return ig->tmp.len ? 's' : 0;
	case '{': case '[': case 't': case 'f':
		return *v;
	default:
		ft_buf_add(&ig->tmp, v, m->vallen);
		return 'n';
	}
}

static const char *
type_name(int t)
{
	switch (t) {
	case '{': return "an object";
	case '[': return "an array";
	case 't': case 'f': return "a boolean";
	case 'n': return "a number";
	default: return "a string";
	}
}

/* Parses a decimal number, no hex, no inf/nan. */
static int
parse_double(const char *s, double *v)
{
	const char *p;
	char *end;

	for (p = s; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return -1;
	if (!*s)
		return -1;
	*v = strtod(s, &end);
	return *end || !isfinite(*v) ? -1 : 0;
}

/* Is s[0..n) a number as JSON writes them? */
static int
json_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return 0;
	if (s[i] == '0')
		i++;
	else
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	if (i < n && s[i] == '.') {
		if (++i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

static size_t
arena_add(struct ft_ingest *ig, const char *s, size_t n)
{
	size_t off = ig->b->a.len;

	ft_buf_add(&ig->b->a, s, n);
	return off;
}

static struct val *
new_vals(struct ft_ingest *ig)
{
	struct batch *b = ig->b;
	struct val *v;

	if (b->nv + ig->nvals > b->capv) {
		b->capv = (b->nv + ig->nvals) * 2;
		b->v = ft_xrealloc(b->v, b->capv * sizeof(*b->v));
	}
	v = &b->v[b->nv];
	memset(v, 0, ig->nvals * sizeof(*v));
	return v;
}

static void
set_text(struct ft_ingest *ig, struct val *v, const char *s, size_t n)
{
	v->t = FT_VTEXT;
	v->off = arena_add(ig, s, n);
	v->len = n;
}

/* Appends ,"name":<json> to ig->rest. */
static void
put_key(struct ft_ingest *ig, const char *name)
{
	ft_json_put_key(&ig->rest, name);
}

static const char *
bad_field(struct ft_ingest *ig, const char *name, const char *what,
	  const char *value)
{
	ft_buf_reset(&ig->why);
	ft_buf_addf(&ig->why, "field \"%s\": %s", name, what);
	if (value) {
		ft_buf_adds(&ig->why, ": ");
		ft_json_escape_lossy(&ig->why, value,
				     strlen(value) > 80 ? 80 : strlen(value));
	}
	return ig->why.s;
}

/*
 * A GeoJSON Feature read without a map becomes its properties, with its
 * geometry as "geometry" and its id as "id" when the properties have none.
 * Returns the flattened record (ig->fdoc), or d itself if not a Feature.
 */
static const struct ft_json_doc *
flatten_feature(struct ft_ingest *ig, const struct ft_json_doc *d)
{
	const struct ft_json_member *t = ft_json_get(d, "type");
	const struct ft_json_member *p, *g, *id;
	struct ft_json_doc props;
	const char *err;
	size_t pos, i;
	int first = 1;

	if (!t || t->vallen != 9 || memcmp(d->text.s + t->val, "\"Feature\"", 9))
		return d;
	p = ft_json_get(d, "properties");
	g = ft_json_get(d, "geometry");
	id = ft_json_get(d, "id");
	ft_buf_reset(&ig->mapped);
	ft_buf_addc(&ig->mapped, '{');
	ft_json_doc_init(&props);
	if (p && d->text.s[p->val] == '{' &&
	    !ft_json_parse(&props, d->text.s + p->val, p->vallen, &err, &pos)) {
		for (i = 0; i < props.n; i++) {
			const struct ft_json_member *m = &props.m[i];

			if (!first)
				ft_buf_addc(&ig->mapped, ',');
			ft_buf_add(&ig->mapped, props.text.s + m->key - 1,
				   m->keylen + 2);
			ft_buf_addc(&ig->mapped, ':');
			ft_buf_add(&ig->mapped, props.text.s + m->val,
				   m->vallen);
			first = 0;
		}
		if (id && !ft_json_get(&props, "id")) {
			ft_buf_adds(&ig->mapped, first ? "\"id\":" : ",\"id\":");
			ft_buf_add(&ig->mapped, d->text.s + id->val, id->vallen);
			first = 0;
		}
	}
	ft_json_doc_release(&props);
	if (g) {
		ft_buf_adds(&ig->mapped, first ? "\"geometry\":" : ",\"geometry\":");
		ft_buf_add(&ig->mapped, d->text.s + g->val, g->vallen);
	}
	ft_buf_addc(&ig->mapped, '}');
	if (ft_json_parse(&ig->fdoc, ig->mapped.s, ig->mapped.len, &err, &pos))
		return d;
	return &ig->fdoc;
}

/* Is member i repeated later in d (so that the later one wins)? */
static int
repeated(const struct ft_json_doc *d, size_t i)
{
	size_t j;

	for (j = i + 1; j < d->n; j++)
		if (d->m[j].hash == d->m[i].hash &&
		    d->m[j].keylen == d->m[i].keylen &&
		    !memcmp(d->text.s + d->m[j].key, d->text.s + d->m[i].key,
			    d->m[i].keylen))
			return 1;
	return 0;
}

/* Fills ig->lay_role and ig->lay_pos for d, unless d has the same keys
 * as the record before it. */
static void
layout(struct ft_ingest *ig, const struct ft_json_doc *d)
{
	size_t i, j;

	if (d->n == ig->lay_n) {
		for (i = 0; i < d->n; i++) {
			const struct ft_json_member *m = &d->m[i];

			if (m->keylen != ig->lay_off[i + 1] - ig->lay_off[i] ||
			    memcmp(d->text.s + m->key,
				   ig->lay_keys.s + ig->lay_off[i], m->keylen))
				break;
		}
		if (i == d->n)
			return;
	}
	if (d->n + 1 > ig->lay_cap) {
		ig->lay_cap = d->n + 1;
		ig->lay_off = ft_xrealloc(ig->lay_off,
					  ig->lay_cap * sizeof(size_t));
		ig->lay_role = ft_xrealloc(ig->lay_role,
					   ig->lay_cap * sizeof(int));
	}
	ft_buf_reset(&ig->lay_keys);
	for (j = 0; j < ig->k->ncols; j++)
		ig->lay_pos[j] = -1;
	for (i = 0; i < d->n; i++) {
		const struct ft_json_member *m = &d->m[i];

		ig->lay_off[i] = ig->lay_keys.len;
		/* An escaped key is stored decoded: it never matches the raw
		 * text of a later record, so such records skip the cache. */
		ft_buf_add(&ig->lay_keys, m->escaped ? "\\" : "", m->escaped);
		ft_buf_add(&ig->lay_keys, d->text.s + m->key, m->keylen);
		ig->lay_role[i] = repeated(d, i) ? -2 : -1;
	}
	/* ft_json_get() finds the last of repeated keys, as jq does. */
	for (j = 0; j < ig->k->ncols; j++) {
		const struct ft_json_member *m = ft_json_get(d,
							     ig->k->cols[j].name);

		if (m) {
			i = (size_t)(m - d->m);
			ig->lay_role[i] = (int)j;
			ig->lay_pos[j] = (int)i;
		}
	}
	ig->lay_off[d->n] = ig->lay_keys.len;
	ig->lay_n = d->n;
}

/* What take() learns of a record while it checks its fields. */
struct taking {
	const struct ft_json_doc *d;
	const struct ft_json_member *geom; /* its "geometry", or NULL */
	struct val *vals;
	double lat, lon;
	int has_lat, has_lon;
	int has_gpt; /* the point is its Point geometry's */
	int have_geom_col; /* the geometry is the boundary column */
	size_t idoff, idlen; /* the id in the arena; idlen 0: none yet */
	char latbuf[32], lonbuf[32]; /* as written, when JSON already */
};

/* A coordinate, column i (lat or lon), its text in ig->tmp. */
static const char *
take_coord(struct ft_ingest *ig, struct taking *tk, size_t i)
{
	const struct canon *c = &ig->k->cols[i];
	int islat = c->t == T_LAT;
	char *buf = islat ? tk->latbuf : tk->lonbuf;
	double x;

	if (parse_double(ig->tmp.s, &x))
		return bad_field(ig, c->name, "not a number", ig->tmp.s);
	if (islat ? fabs(x) > 90 : fabs(x) > 180)
		return bad_field(ig, c->name,
				 islat ? "latitude out of range [-90, 90]" :
					 "longitude out of range [-180, 180]",
				 ig->tmp.s);
	tk->vals[i].t = FT_VREAL;
	tk->vals[i].d = x;
	/* Keep the digits as written when they are JSON already: no float
	 * formatting. */
	if (json_number(ig->tmp.s, ig->tmp.len) &&
	    ig->tmp.len < sizeof(tk->latbuf))
		memcpy(buf, ig->tmp.s, ig->tmp.len + 1);
	else
		buf[0] = '\0';
	if (islat) {
		tk->lat = x;
		tk->has_lat = 1;
	} else {
		tk->lon = x;
		tk->has_lon = 1;
	}
	return NULL;
}

/* A time, column i, given as t (field_text()) in ig->tmp. */
static const char *
take_time(struct ft_ingest *ig, struct taking *tk, size_t i, int t)
{
	const char *name = ig->k->cols[i].name, *err;
	char tbuf[FT_TIME_LEN];
	int64_t when;

	if ((t == 'n' ?
		     ft_time_from_number(ig->tmp.s, ig->tmp.len, &when, &err) :
		     ft_time_parse(ig->tmp.s, ig->tmp.len, &when, &err)))
		return bad_field(ig, name, err, ig->tmp.s);
	ft_time_format(when, tbuf);
	set_text(ig, &tk->vals[i], tbuf, FT_TIME_LEN - 1);
	put_key(ig, name);
	ft_buf_addc(&ig->rest, '"');
	ft_buf_add(&ig->rest, tbuf, FT_TIME_LEN - 1);
	ft_buf_addc(&ig->rest, '"');
	return NULL;
}

/*
 * A reading's time, column i, given as t in ig->tmp: read as take_time()
 * reads one, kept as epoch seconds, printed as every time is (not
 * formatted at all with --no-output).
 */
static const char *
take_epoch(struct ft_ingest *ig, struct taking *tk, size_t i, int t)
{
	const char *name = ig->k->cols[i].name, *err;
	char tbuf[FT_TIME_LEN];
	int64_t when;

	if ((t == 'n' ?
		     ft_time_from_number(ig->tmp.s, ig->tmp.len, &when, &err) :
		     ft_time_parse(ig->tmp.s, ig->tmp.len, &when, &err)))
		return bad_field(ig, name, err, ig->tmp.s);
	tk->vals[i].t = FT_VINT;
	tk->vals[i].i = when;
	if (ig->o.no_output)
		return NULL; /* ig->rest is only the output line's */
	ft_time_format(when, tbuf);
	put_key(ig, name);
	ft_buf_addc(&ig->rest, '"');
	ft_buf_add(&ig->rest, tbuf, FT_TIME_LEN - 1);
	ft_buf_addc(&ig->rest, '"');
	return NULL;
}

/*
 * A reading's value, column i, its text in ig->tmp: a finite number, or
 * a string that is one (as lat and lon are read), printed as written
 * when that is JSON already.
 */
static const char *
take_value(struct ft_ingest *ig, struct taking *tk, size_t i)
{
	const char *name = ig->k->cols[i].name;
	double x;

	if (parse_double(ig->tmp.s, &x))
		return bad_field(ig, name, "not a finite number", ig->tmp.s);
	tk->vals[i].t = FT_VREAL;
	tk->vals[i].d = x;
	put_key(ig, name);
	if (json_number(ig->tmp.s, ig->tmp.len))
		ft_buf_add(&ig->rest, ig->tmp.s, ig->tmp.len);
	else
		ft_json_number(&ig->rest, x);
	return NULL;
}

/*
 * A reading has its four fields and no other: it keeps no extra (readings
 * are many and narrow), and a field it would drop is more likely a
 * misspelt one.  Returns the reason the first other field rejects d, or
 * NULL.
 */
static const char *
reading_other_field(struct ft_ingest *ig, const struct ft_json_doc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct ft_json_member *m = &d->m[i];

		if (ig->lay_role[i] != -1)
			continue;
		ft_buf_reset(&ig->tmp);
		ft_json_unescape(d->text.s + m->key - 1, m->keylen + 2,
				 &ig->tmp);
		ft_buf_reset(&ig->why);
		ft_buf_adds(&ig->why, "field ");
		ft_json_escape_lossy(&ig->why, ig->tmp.s, ig->tmp.len);
		ft_buf_adds(&ig->why, ": not a field of a reading (sensor, "
				      "metric, at, value; --map picks them)");
		return ig->why.s;
	}
	return NULL;
}

/*
 * A unit's boundary, column i: member m given as t (field_text()), or
 * else the record's GeoJSON geometry.  Its bounding box follows the
 * columns.
 */
static const char *
take_geom(struct ft_ingest *ig, struct taking *tk, size_t i,
	  const struct ft_json_member *m, int t)
{
	const struct ft_json_doc *d = tk->d;
	const char *name = ig->k->cols[i].name, *gt, *err;
	struct ft_json_doc *gd = &ig->mdoc;
	struct val *bv = &tk->vals[ig->k->ncols];
	struct ft_bbox bb;
	size_t gl, j;

	if (!t && tk->geom && d->text.s[tk->geom->val] == '{') {
		m = tk->geom;
		t = '{';
		tk->have_geom_col = 1;
	}
	if (!t)
		return NULL;
	if (t == 's') {
		/* A boundary in a CSV column: GeoJSON text. */
		if (d == gd)
			gd = &ig->fdoc;
		if (ft_json_parse(gd, ig->tmp.s, ig->tmp.len, &err, &gl))
			return bad_field(ig, name, "not GeoJSON", err);
		gt = gd->text.s;
		gl = gd->text.len;
	} else if (t == '{') {
		gt = d->text.s + m->val;
		gl = m->vallen;
	} else {
		return bad_field(ig, name, "not a GeoJSON geometry", ig->tmp.s);
	}
	err = ft_geo_check_area(gt, gl, &bb, &ig->why);
	if (err) {
		ft_buf_reset(&ig->tmp);
		ft_buf_adds(&ig->tmp, err);
		return bad_field(ig, name, ig->tmp.s, NULL);
	}
	set_text(ig, &tk->vals[i], gt, gl);
	bv[0].d = bb.min_lon;
	bv[1].d = bb.min_lat;
	bv[2].d = bb.max_lon;
	bv[3].d = bb.max_lat;
	for (j = 0; j < 4; j++)
		bv[j].t = FT_VREAL;
	put_key(ig, name);
	ft_buf_add(&ig->rest, gt, gl);
	return NULL;
}

/* Text column i, given as t in ig->tmp (0: missing), member m. */
static const char *
take_text(struct ft_ingest *ig, struct taking *tk, size_t i,
	  const struct ft_json_member *m, int t)
{
	const struct canon *c = &ig->k->cols[i];

	if (!t && c->t == T_REQ)
		return bad_field(ig, c->name, "missing", NULL);
	if (!t && ig->o.kind == FT_KIND_EVENTS && !strcmp(c->name, "source") &&
	    ig->o.source) {
		ft_buf_adds(&ig->tmp, ig->o.source);
		t = 's';
	}
	if (!t && ig->o.kind == FT_KIND_UNITS && !strcmp(c->name, "name")) {
		/* A unit without a name goes by its id. */
		/* Copied out first: the arena may move. */
		ft_buf_reset(&ig->tmp);
		ft_buf_add(&ig->tmp, ig->b->a.s + tk->idoff, tk->idlen);
		set_text(ig, &tk->vals[i], ig->tmp.s, ig->tmp.len);
		put_key(ig, c->name);
		ft_json_escape(&ig->rest, ig->tmp.s, ig->tmp.len);
		return NULL;
	}
	if (!t)
		return NULL;
	set_text(ig, &tk->vals[i], ig->tmp.s, ig->tmp.len);
	put_key(ig, c->name);
	if (ig->lit && t == 's')
		/* ig->lit is set by field_text() alone, run on m; the
		 * analyzer forgets it over the ft_buf calls given &ig->tmp,
		 * so lets m be NULL.
		 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		ft_buf_add(&ig->rest, tk->d->text.s + m->val, m->vallen);
	else
		ft_json_escape(&ig->rest, ig->tmp.s, ig->tmp.len);
	return NULL;
}

/* A word of list (what it lists), column i, given as t in ig->tmp. */
static const char *
take_word(struct ft_ingest *ig, struct taking *tk, size_t i,
	  const char *const *list, const char *what)
{
	const char *name = ig->k->cols[i].name;

	if (!ft_word_in(list, ig->tmp.s, ig->tmp.len))
		return bad_field(ig, name, what, ig->tmp.s);
	set_text(ig, &tk->vals[i], ig->tmp.s, ig->tmp.len);
	put_key(ig, name);
	ft_json_escape(&ig->rest, ig->tmp.s, ig->tmp.len);
	return NULL;
}

/* Checks canonical column i of the record and takes its value. */
static const char *
take_field(struct ft_ingest *ig, struct taking *tk, size_t i)
{
	const struct canon *c = &ig->k->cols[i];
	const struct ft_json_member *m;
	struct val *v = &tk->vals[i];
	int t;

	m = ig->lay_pos[i] >= 0 ? &tk->d->m[ig->lay_pos[i]] : NULL;
	ft_buf_reset(&ig->tmp);
	ig->lit = 0;
	t = m ? field_text(ig, tk->d, m) : 0;
	if (t && t != 's' && t != 'n' && !(c->t == T_GEOM && t == '{')) {
		ft_buf_reset(&ig->tmp);
		ft_buf_addf(&ig->tmp, "%s, not %s", type_name(t),
			    c->t == T_GEOM ? "a GeoJSON geometry" :
					     "a string or number");
		return bad_field(ig, c->name, ig->tmp.s, NULL);
	}
	switch (c->t) {
	case T_ID:
		if (!t) {
			if (ig->o.kind != FT_KIND_EVENTS)
				return bad_field(ig, c->name, "missing", NULL);
			return NULL; /* derived: see take_digest_id() */
		}
		if (t == 'n' && strpbrk(ig->tmp.s, ".eE"))
			return bad_field(ig, c->name,
					 "not a string or "
					 "integer",
					 ig->tmp.s);
		set_text(ig, v, ig->tmp.s, ig->tmp.len);
		tk->idoff = v->off;
		tk->idlen = v->len;
		return NULL;
	case T_REQ:
	case T_STR:
		return take_text(ig, tk, i, m, t);
	case T_LAT:
	case T_LON:
		return t ? take_coord(ig, tk, i) : NULL;
	case T_SEV: {
		char *end;
		long x;

		if (!t)
			return NULL;
		x = strtol(ig->tmp.s, &end, 10);
		if (*end || end == ig->tmp.s || x < 1 || x > 4)
			return bad_field(ig, c->name,
					 "not an integer from 1 "
					 "to 4",
					 ig->tmp.s);
		v->t = FT_VINT;
		v->i = x;
		put_key(ig, c->name);
		ft_buf_addf(&ig->rest, "%ld", x);
		return NULL;
	}
	case T_OTIME:
		return t ? take_time(ig, tk, i, t) : NULL;
	case T_TIME:
		if (!t)
			return bad_field(ig, c->name, "missing", NULL);
		return take_time(ig, tk, i, t);
	case T_STATUS:
		if (!t) {
			ft_buf_adds(&ig->tmp, "new");
		}
		return take_word(
			ig, tk, i, ft_event_states,
			"not a state "
			"(new, dispatched, accepted, resolved, closed, "
			"rejected, reopened)");
	case T_UKIND:
		if (!t)
			return bad_field(ig, c->name, "missing", NULL);
		return take_word(ig, tk, i, ft_unit_kinds,
				 "not a unit kind "
				 "(district, street, community, grid, "
				 "department, team)");
	case T_GEOM:
		return take_geom(ig, tk, i, m, t);
	case T_EPOCH:
		if (!t)
			return bad_field(ig, c->name, "missing", NULL);
		return take_epoch(ig, tk, i, t);
	case T_VALUE:
		if (!t)
			return bad_field(ig, c->name, "missing", NULL);
		return take_value(ig, tk, i);
	}
	return NULL;
}

/*
 * The coordinates: both or neither; a Point geometry stands in; 0,0 is
 * none.  They are checked as a pair, so they follow the other canonical
 * fields in the output.
 */
static const char *
take_location(struct ft_ingest *ig, struct taking *tk)
{
	const struct kinddef *k = ig->k;
	const struct ft_json_member *geom = tk->geom;
	double glat = 0, glon = 0;
	const char *err;
	int is_point;
	size_t i;

	if (!tk->has_lat && !tk->has_lon && geom && !k->bbox &&
	    tk->d->text.s[geom->val] == '{') {
		err = ft_geo_point(tk->d->text.s + geom->val, geom->vallen,
				   &glon, &glat, &is_point, &ig->why);
		if (is_point) {
			if (err) {
				ft_buf_reset(&ig->tmp);
				ft_buf_adds(&ig->tmp, err);
				return bad_field(ig, "geometry", ig->tmp.s,
						 NULL);
			}
			tk->has_lat = tk->has_lon = tk->has_gpt = 1;
			tk->lat = glat;
			tk->lon = glon;
		}
	}
	if (tk->has_lat != tk->has_lon)
		return bad_field(ig, tk->has_lat ? "lon" : "lat",
				 tk->has_lat ?
					 "missing while \"lat\" is given" :
					 "missing while \"lon\" is given",
				 NULL);
	if (tk->has_lat && tk->lat == 0 && tk->lon == 0) {
		/* 0,0 is how some exports say "no location" (SF 311). */
		ig->c.nullisland++;
		tk->has_lat = tk->has_lon = 0;
	}
	for (i = 0; i < k->ncols; i++) {
		struct val *v = &tk->vals[i];

		if (k->cols[i].t != T_LAT && k->cols[i].t != T_LON)
			continue;
		v->t = tk->has_lat ? FT_VREAL : FT_VNULL;
		v->d = k->cols[i].t == T_LAT ? tk->lat : tk->lon;
	}
	if (tk->has_lat) {
		put_key(ig, "lat");
		if (tk->latbuf[0] && !tk->has_gpt)
			ft_buf_adds(&ig->rest, tk->latbuf);
		else
			ft_json_number(&ig->rest, tk->lat);
		put_key(ig, "lon");
		if (tk->lonbuf[0] && !tk->has_gpt)
			ft_buf_adds(&ig->rest, tk->lonbuf);
		else
			ft_json_number(&ig->rest, tk->lon);
	}
	return NULL;
}

/* The fields the record keeps besides the canonical ones: extra. */
static void
take_extra(struct ft_ingest *ig, struct taking *tk)
{
	const struct ft_json_doc *d = tk->d;
	const struct ft_json_member *m;
	size_t i;

	for (i = 0; i < d->n; i++) {
		m = &d->m[i];
		if (ig->lay_role[i] != -1)
			continue;
		if (m == tk->geom && (tk->have_geom_col || tk->has_gpt))
			continue;
		ft_buf_addc(&ig->rest, ',');
		ft_buf_add(&ig->rest, d->text.s + m->key - 1, m->keylen + 2);
		ft_buf_addc(&ig->rest, ':');
		ft_buf_add(&ig->rest, d->text.s + m->val, m->vallen);
		ft_buf_addc(&ig->extra, ig->extra.len ? ',' : '{');
		ft_buf_add(&ig->extra, d->text.s + m->key - 1, m->keylen + 2);
		ft_buf_addc(&ig->extra, ':');
		ft_buf_add(&ig->extra, d->text.s + m->val, m->vallen);
	}
	ft_buf_addc(&ig->rest, '}');
	if (ig->extra.len) {
		ft_buf_addc(&ig->extra, '}');
		set_text(ig, &tk->vals[V_EXTRA(ig)], ig->extra.s,
			 ig->extra.len);
	}
}

/* An event without an id: the digest of its content stands for it. */
static void
take_digest_id(struct ft_ingest *ig, struct taking *tk)
{
	unsigned char dig[32];
	struct ft_sha256 sh;
	char hex[65];

	ft_sha256_init(&sh);
	ft_sha256_add(&sh, ig->rest.s, ig->rest.len);
	ft_sha256_done(&sh, dig);
	ft_hex(hex, dig, 12);
	ft_buf_reset(&ig->tmp);
	ft_buf_add(&ig->tmp, "h-", 2);
	ft_buf_add(&ig->tmp, hex, 24);
	set_text(ig, &tk->vals[0], ig->tmp.s, ig->tmp.len);
	tk->idoff = tk->vals[0].off;
	tk->idlen = tk->vals[0].len;
}

/*
 * Queues the record taken in the batch: its output line (ig->rest after
 * the id), its source (raw, src, path) and where its values are.
 */
static void
queue(struct ft_ingest *ig, struct taking *tk, long line, const char *raw,
      size_t rawlen, const struct ft_json_doc *src, const char *path)
{
	struct val *vals = tk->vals;
	struct brec *r;

	if (ig->b->n == ig->b->cap) {
		ig->b->cap = ig->b->cap ? ig->b->cap * 2 : 1024;
		ig->b->r = ft_xrealloc(ig->b->r,
				       ig->b->cap * sizeof(*ig->b->r));
	}
	r = &ig->b->r[ig->b->n];
	r->line = line;
	r->id = tk->idoff;
	r->idlen = tk->idlen;
	r->emit = 0;
	r->v = ig->b->nv;
	r->raw = arena_add(ig, raw, rawlen);
	r->rawlen = rawlen;
	/* The id is escaped apart: appending to the arena may move it. */
	ft_buf_reset(&ig->tmp);
	ft_buf_add(&ig->tmp, "{\"id\":", 6);
	ft_json_escape(&ig->tmp, ig->b->a.s + tk->idoff, tk->idlen);
	r->out = arena_add(ig, ig->tmp.s, ig->tmp.len);
	ft_buf_add(&ig->b->a, ig->rest.s, ig->rest.len);
	r->outlen = ig->b->a.len - r->out;
	/* raw column: the source record as compact JSON. */
	vals[V_RAW(ig)].t = FT_VTEXT;
	vals[V_RAW(ig)].off = arena_add(ig, src->text.s, src->text.len);
	vals[V_RAW(ig)].len = src->text.len;
	/* raw_path: where raw was in the source record, for a split map. */
	r->path = r->pathlen = 0;
	if (path) {
		r->pathlen = strlen(path);
		r->path = arena_add(ig, path, r->pathlen);
		vals[V_RAW_PATH(ig)].t = FT_VTEXT;
		vals[V_RAW_PATH(ig)].off = r->path;
		vals[V_RAW_PATH(ig)].len = r->pathlen;
	}
	ig->b->nv += ig->nvals;
	ig->b->n++;
}

/*
 * Queues the reading taken in the batch, its values v: its key and value
 * (rk), its output line ({ and ig->rest after its first comma; none with
 * --no-output), its source (raw, only with --rejects; path) for a
 * rejection.  Its values are not kept: the next record's take their
 * place.
 */
static void
queue_reading(struct ft_ingest *ig, const struct val *v, long line,
	      const char *raw, size_t rawlen, const char *path)
{
	struct batch *b = ig->b;
	struct brec *r;
	struct rkey *k;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->r = ft_xrealloc(b->r, b->cap * sizeof(*b->r));
	}
	if (b->n == b->rkcap) {
		b->rkcap = b->rkcap ? b->rkcap * 2 : 1024;
		b->rk = ft_xrealloc(b->rk, b->rkcap * sizeof(*b->rk));
		b->rflag = ft_xrealloc(b->rflag, b->rkcap);
	}
	k = &b->rk[b->n];
	k->sensor = v[0].off;
	k->rd.sensorlen = v[0].len;
	k->metric = v[1].t == FT_VTEXT ? v[1].off : SIZE_MAX;
	k->rd.metriclen = v[1].t == FT_VTEXT ? v[1].len : 0;
	k->rd.at = v[2].i;
	k->rd.value = v[3].d;
	k->i = b->n;
	r = &b->r[b->n];
	r->line = line;
	r->id = r->idlen = 0;
	r->emit = 0;
	r->v = 0;
	/* The source text is only the rejects file's. */
	r->raw = r->rawlen = 0;
	if (ig->o.rejects) {
		r->raw = arena_add(ig, raw, rawlen);
		r->rawlen = rawlen;
	}
	r->path = r->pathlen = 0;
	if (path) {
		r->pathlen = strlen(path);
		r->path = arena_add(ig, path, r->pathlen);
	}
	r->out = r->outlen = 0;
	if (!ig->o.no_output) {
		r->out = arena_add(ig, "{", 1);
		ft_buf_add(&b->a, ig->rest.s + 1, ig->rest.len - 1);
		ft_buf_addc(&b->a, '}');
		r->outlen = b->a.len - r->out;
		/* emit() puts the newline here. */
		ft_buf_addc(&b->a, '\n');
	}
	b->n++;
}

/*
 * Validates and normalises record d of the current kind (its values and
 * its output line), and queues it in the batch.  src is what it was
 * mapped from, stored as raw; path, for a split map, the JSON text of
 * src's path in the source record, else NULL.  Returns NULL, or the
 * reason it is rejected.
 */
static const char *
take(struct ft_ingest *ig, const struct ft_json_doc *d, long line,
     const char *raw, size_t rawlen, const struct ft_json_doc *src,
     const char *path)
{
	struct taking tk;
	const char *why;
	size_t i;

	if (d->type != '{') {
		ft_buf_reset(&ig->why);
		ft_buf_addf(&ig->why, "not a record: %s, not an object",
			    d->type == '[' ? "an array" :
			    d->type == '"' ? "a string" :
			    d->type == '0' ? "a number" :
			    d->type == 'n' ? "null" :
					     "a boolean");
		return ig->why.s;
	}
	if (!ig->jq)
		d = flatten_feature(ig, d);
	memset(&tk, 0, sizeof(tk));
	tk.d = d;
	tk.vals = new_vals(ig);
	tk.geom = ft_json_get(d, "geometry");
	layout(ig, d);
	ft_buf_reset(&ig->rest);
	ft_buf_reset(&ig->extra);
	if (ig->o.kind == FT_KIND_READINGS &&
	    (why = reading_other_field(ig, d)))
		return why;
	for (i = 0; i < ig->k->ncols; i++)
		if ((why = take_field(ig, &tk, i)))
			return why;
	if (ig->o.kind == FT_KIND_READINGS) {
		queue_reading(ig, tk.vals, line, raw, rawlen, path);
		return NULL;
	}
	if ((why = take_location(ig, &tk)))
		return why;
	take_extra(ig, &tk);
	if (!tk.idlen)
		take_digest_id(ig, &tk);
	queue(ig, &tk, line, raw, rawlen, src, path);
	return NULL;
}

/* ---- writing ---- */

/* The values of r, for the store. */
static const struct ft_value *
values(struct ft_ingest *ig, const struct batch *wb, const struct brec *r)
{
	const struct val *v = &wb->v[r->v];
	size_t i;

	for (i = 0; i < ig->nvals; i++) {
		struct ft_value *w = &ig->wv[i];

		w->t = v[i].t;
		w->s = v[i].t == FT_VTEXT ? wb->a.s + v[i].off : NULL;
		w->len = v[i].len;
		w->i = v[i].i;
		w->d = v[i].d;
	}
	return ig->wv;
}

/*
 * Compares what the source says of r with the stored row ig->found: returns how many fields differ, and their JSON
 * ({"field":{"from":..,"to":..}}) in ig->wtmp.  Only the fields a source
 * gives are compared: status is ft-update's business, and an event's area
 * is ft-dispatch's once the event has left new (see is_decided_col()).
 * When the location of such an event changes, its area is kept and the
 * JSON says so: "area":{"kept":AREA}, for the operator to check.
 */
static int
describe_change(struct ft_ingest *ig, const struct batch *wb,
		const struct brec *r)
{
	const struct val *v = &wb->v[r->v];
	const struct ft_value *row = ig->found;
	struct ft_buf *o = &ig->wtmp;
	size_t i;
	int n = 0, decided = 0, moved = 0;

	if (ig->status_col >= 0) {
		const char *s = row[ig->status_col].s;

		decided = s && strcmp(s, "new");
	}
	ft_buf_reset(o);
	ft_buf_addc(o, '{');
	for (i = 1; i <= ig->k->ncols; i++) {
		const char *name = i < ig->k->ncols ? ig->k->cols[i].name
						    : "extra";
		const struct val *nv = &v[i < ig->k->ncols ? i : V_EXTRA(ig)];
		enum ft_value_type ct = row[i].t;
		const char *old = row[i].s;
		char nbuf[64];
		const char *newt = NULL;
		size_t newl = 0;

		if ((int)i == ig->status_col || (decided && is_decided_col(ig, i)))
			continue;
		if (nv->t == FT_VTEXT) {
			newt = wb->a.s + nv->off;
			newl = nv->len;
		} else if (nv->t == FT_VINT) {
			snprintf(nbuf, sizeof(nbuf), "%lld", (long long)nv->i);
			newt = nbuf;
			newl = strlen(nbuf);
		} else if (nv->t == FT_VREAL) {
			struct ft_buf tb = FT_BUF_INIT;

			ft_json_number(&tb, nv->d);
			snprintf(nbuf, sizeof(nbuf), "%s", tb.s);
			ft_buf_release(&tb);
			newt = nbuf;
			newl = strlen(nbuf);
			if (ct == FT_VREAL && row[i].d == nv->d)
				continue;
		}
		if (ct == FT_VNULL && !newt)
			continue;
		if (ct != FT_VNULL && newt && ct != FT_VREAL &&
		    strlen(old) == newl && !memcmp(old, newt, newl))
			continue;
		if (n++)
			ft_buf_addc(o, ',');
		if (decided && is_location_col(ig, i))
			moved = 1;
		ft_json_escape(o, name, strlen(name));
		ft_buf_adds(o, ":{\"from\":");
		if (ct == FT_VNULL)
			ft_buf_adds(o, "null");
		else
			ft_json_escape_lossy(o, old, strlen(old));
		ft_buf_adds(o, ",\"to\":");
		if (!newt)
			ft_buf_adds(o, "null");
		else
			ft_json_escape(o, newt, newl);
		ft_buf_addc(o, '}');
	}
	if (moved) {
		for (i = 1; i < ig->k->ncols && !is_decided_col(ig, i); i++)
			;
		ft_buf_adds(o, ",\"area\":{\"kept\":");
		if (row[i].t == FT_VNULL)
			ft_buf_adds(o, "null");
		else
			ft_json_escape_lossy(o, row[i].s, row[i].len);
		ft_buf_addc(o, '}');
	}
	ft_buf_addc(o, '}');
	ig->wmoved = moved;
	return n;
}

/* Logs the insertion or replacement of r in the history. */
static int
log_change(struct ft_ingest *ig, const struct batch *wb,
	   const struct brec *r, const char *action, const char *detail,
	   size_t detaillen)
{
	struct ft_hist_entry e = { 0 };
	char at[FT_TIME_LEN], status[16];
	const struct val *v;

	ft_time_format(ft_time_now(), at);
	e.kind = ig->k->one;
	e.id = wb->a.s + r->id;
	e.idlen = r->idlen;
	e.at = at;
	e.action = action;
	e.detail = detail;
	e.detaillen = detaillen;
	e.ingest = ig->run;
	if (ig->status_col >= 0 && !strcmp(action, "ingest")) {
		v = &wb->v[r->v + (size_t)ig->status_col];
		e.to = "new";
		if (v->t == FT_VTEXT && v->len < sizeof(status)) {
			memcpy(status, wb->a.s + v->off, v->len);
			status[v->len] = '\0';
			e.to = status;
		}
	}
	return ft_hist_add(&ig->hist, &e);
}

/*
 * Logs the run of events created since the last call as one entry:
 * action "ingest", id "" (no one event), to_status "new", and in detail
 * {"events":N,"first_seq":A,"last_seq":B,"ids":SHA} where SHA is the hex
 * SHA-256 of the ids of seqs A..B in order, each followed by a newline.
 * One entry a transaction instead of one a record: the entry, its index
 * and its hash were a third of a load's time.  The view event_history
 * gives each event its line.
 */
static int
log_created(struct ft_ingest *ig)
{
	struct ft_hist_entry e = { 0 };
	char at[FT_TIME_LEN], hex[65], detail[192];
	unsigned char md[32];
	int n;

	if (!ig->cr_n)
		return FT_OK;
	ft_sha256_done(&ig->cr_md, md);
	ft_hex(hex, md, sizeof(md));
	n = snprintf(detail, sizeof(detail), "{\"events\":%ld,\"first_seq\":"
		     "%lld,\"last_seq\":%lld,\"ids\":\"%s\"}", ig->cr_n,
		     (long long)ig->cr_first, (long long)ig->cr_last, hex);
	ig->cr_n = 0;
	ft_time_format(ft_time_now(), at);
	e.kind = ig->k->one;
	e.id = "";
	e.at = at;
	e.action = "ingest";
	e.to = "new";
	e.detail = detail;
	e.detaillen = (size_t)n;
	e.ingest = ig->run;
	return ft_hist_add(&ig->hist, &e);
}

/*
 * Logs the creation of r, just inserted: events that start as "new" join
 * the run of log_created() while their seqs follow on; anything else (a
 * unit, a facility, an event given another status) is an entry of its own.
 */
static int
log_insert(struct ft_ingest *ig, const struct batch *wb, const struct brec *r,
	   int64_t seq)
{
	const struct val *v;
	int st;

	if (ig->k != &kinds[0])
		return log_change(ig, wb, r, "ingest", NULL, 0);
	if (ig->status_col >= 0) {
		v = &wb->v[r->v + (size_t)ig->status_col];
		if (v->t == FT_VTEXT &&
		    !(v->len == 3 && !memcmp(wb->a.s + v->off, "new", 3))) {
			if ((st = log_created(ig)))
				return st;
			return log_change(ig, wb, r, "ingest", NULL, 0);
		}
	}
	if (ig->cr_n && seq != ig->cr_last + 1 && (st = log_created(ig)))
		return st;
	if (!ig->cr_n) {
		ig->cr_first = seq;
		ft_sha256_init(&ig->cr_md);
	}
	ig->cr_last = seq;
	ig->cr_n++;
	ft_sha256_add(&ig->cr_md, wb->a.s + r->id, r->idlen);
	ft_sha256_add(&ig->cr_md, "\n", 1);
	return FT_OK;
}

/*
 * Stores reading rd: new, or unchanged when its key holds the same value
 * already; another value is a conflict, marked (*flag -1) for
 * write_readings() to reject, or with --upsert replaced (readings are not
 * in the history: the ingests row counts the replacement and the
 * reading's ingest names the run).  *flag 1: printed.
 */
static int
write_reading(struct ft_ingest *ig, const struct ft_reading *rd,
	      signed char *flag)
{
	double old = 0;
	int st, found = 0, inserted;

	/* A dry run's private table cannot see a conflict with the database. */
	if (ig->o.dry_run &&
	    (st = ft_load_reading_find(ig->store, rd, &old, &found)))
		return st;
	if (!found) {
		if ((st = ft_load_reading(ig->store, rd, ig->run, &inserted)))
			return st;
		if (inserted) {
			ig->c.inserted++;
			*flag = 1;
			return FT_OK;
		}
		if ((st = ft_load_reading_find(ig->store, rd, &old, &found)))
			return st;
		if (!found)
			return FT_SOFTWARE;
	}
	if (old == rd->value) {
		ig->c.unchanged++;
		return FT_OK;
	}
	if (!ig->o.upsert) {
		*flag = -1; /* rejected by write_readings(), in line order */
		return FT_OK;
	}
	if (!ig->o.dry_run &&
	    (st = ft_load_reading_update(ig->store, rd, ig->run)))
		return st;
	ig->c.updated++;
	*flag = 1;
	return FT_OK;
}

/*
 * The stored event of id while the unique index on id waits: *found 1 and
 * its seq in *at (its row in ig->found), or 0; *h the id's hash for
 * ft_idset_add().  Returns a status.
 */
static int
find_bulk(struct ft_ingest *ig, const char *id, size_t idlen, uint32_t *h,
	  int64_t *at, int *found)
{
	struct ft_idset_probe p;
	int64_t seq;
	int st, f;

	*found = 0;
	*h = ft_idset_hash(id, idlen);
	ft_idset_probe(&ig->ids, *h, &p);
	while (ft_idset_next(&ig->ids, &p, &seq)) {
		if ((st = ft_load_find_seq(ig->store, seq, &ig->found, &f)))
			return st;
		/* The same hash, another id: rare, and told apart here. */
		if (f && ig->found[0].t == FT_VTEXT &&
		    ig->found[0].len == idlen &&
		    !memcmp(ig->found[0].s, id, idlen)) {
			*at = seq;
			*found = 1;
			return FT_OK;
		}
	}
	return FT_OK;
}

static int
write_one(struct ft_ingest *ig, struct batch *wb, struct brec *r)
{
	const struct ft_value *v = values(ig, wb, r);
	const char *id = wb->a.s + r->id;
	int st, found = 0, inserted;
	int64_t seq,
		at = 0; /* at: the stored row's seq, found by find_bulk() */
	uint32_t h = 0;

	/* A dry run's private table cannot see a conflict with the database. */
	if (ig->o.dry_run &&
	    (st = ft_load_find(ig->store, id, r->idlen, &ig->found, &found)))
		return st;
	if (ig->id_deferred &&
	    (st = find_bulk(ig, id, r->idlen, &h, &at, &found)))
		return st;
	if (!found) {
		if ((st = ft_load_insert(ig->store, v, ig->run, r->line,
					 &inserted, &seq)))
			return st;
		if (inserted) {
			if (ig->id_deferred && ft_idset_add(&ig->ids, h, seq)) {
				ft_error("%s: event %lld: too many events for "
					 "a first bulk load",
					 ig->db->path, (long long)seq);
				return FT_SOFTWARE;
			}
			if (!ig->o.dry_run && (st = log_insert(ig, wb, r, seq)))
				return st;
			ig->c.inserted++;
			r->emit = 1;
			return FT_OK;
		}
		/* Stored already (a bulk load: by another tool, once it had
		 * built the index on id again). */
		if ((st = ft_load_find(ig->store, id, r->idlen, &ig->found,
				       &found)))
			return st;
		if (!found)
			return FT_SOFTWARE;
	}
	/* The same content is every compared column equal. */
	if (describe_change(ig, wb, r) == 0) {
		ig->c.unchanged++;
		return FT_OK;
	}
	if (!ig->o.upsert) {
		reject_id(ig, r->line, id, r->idlen, wb->a.s + r->path,
			  r->pathlen,
			  "stored already with other content "
			  "(--upsert replaces it)",
			  wb->a.s + r->raw, r->rawlen);
		return FT_OK;
	}
	if (!ig->o.dry_run) {
		if ((st = at ? ft_load_update_seq(ig->store, at, v, ig->run,
						  r->line) :
			       ft_load_update(ig->store, v, ig->run, r->line)))
			return st;
		if ((st = log_change(ig, wb, r, "upsert", ig->wtmp.s,
				     ig->wtmp.len)))
			return st;
	}
	ig->c.moved += ig->wmoved;
	ig->c.updated++;
	r->emit = 1;
	return FT_OK;
}

static int
update_run(struct ft_ingest *ig, long records, const char *status)
{
	struct ft_load_run r = { 0 };
	char at[FT_TIME_LEN];

	if (ig->o.dry_run)
		return FT_OK;	/* a dry run leaves no trace */
	ft_time_format(ft_time_now(), at);
	r.ingest = ig->run;
	r.records = records;
	r.inserted = ig->c.inserted;
	r.updated = ig->c.updated;
	r.unchanged = ig->c.unchanged;
	pthread_mutex_lock(&ig->mu);
	r.rejected = ig->c.rejected;
	pthread_mutex_unlock(&ig->mu);
	r.finished_at = status ? at : NULL;
	r.status = status;
	return ft_load_run_update(ig->store, &r);
}

static void
emit(struct ft_ingest *ig, struct batch *wb)
{
	size_t i;

	if (ig->o.no_output || ig->out_closed)
		return;
	for (i = 0; i < wb->n; i++) {
		struct brec *r = &wb->r[i];

		if (!r->emit)
			continue;
		wb->a.s[r->out + r->outlen] = '\n';
		if (fwrite(wb->a.s + r->out, 1, r->outlen + 1, stdout) !=
		    r->outlen + 1)
			break;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		/*
		 * Printing stops, loading goes on: what is stored does not
		 * depend on who reads.  A closed pipe ends quietly; any other
		 * error is reported once here and ft_finish() makes the exit
		 * status 74.  Not a writer status: that would stop the load.
		 */
		ft_stdout_failed(errno);
		ig->out_closed = 1;
	}
}

static void
progress(struct ft_ingest *ig, int done)
{
	double t = now_seconds();

	if (!ig->o.progress)
		return;
	if (!done && t - ig->last_progress < 0.25)
		return;
	ig->last_progress = t;
	if (done)
		fprintf(stderr, "\r\033[K");
	else
		fprintf(stderr, "\r\033[K%s: %s: %ld records (%.0f/s)",
			ft_progname, ig->fname, ig->c.records,
			ig->c.records / (t - ig->t0 > 0 ? t - ig->t0 : 1));
	fflush(stderr);
}

/* Prints the batch just committed (ft_run's print). */
static int
print_batch(void *ctx)
{
	struct ft_ingest *ig = ctx;

	emit(ig, ig->wb);
	return FT_OK;
}

/* Two texts as SQLite's BINARY collation orders them. */
static int
cmp_text(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

/* The table's order, (sensor, metric, at), then the batch's. */
static int
cmp_rkey(const void *pa, const void *pb)
{
	const struct ft_reading *a = &((const struct rkey *)pa)->rd;
	const struct ft_reading *b = &((const struct rkey *)pb)->rd;
	int c;

	if ((c = cmp_text(a->sensor, a->sensorlen, b->sensor, b->sensorlen)) ||
	    (c = cmp_text(a->metric, a->metriclen, b->metric, b->metriclen)))
		return c;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return (((const struct rkey *)pa)->i > ((const struct rkey *)pb)->i) -
	       (((const struct rkey *)pa)->i < ((const struct rkey *)pb)->i);
}

/*
 * Merges the places x[lo..mid) and x[mid..hi), each in rk's order, into
 * y[lo..hi).
 */
static void
merge_places(const struct rkey *rk, const uint32_t *x, uint32_t *y, size_t lo,
	     size_t mid, size_t hi)
{
	size_t i = lo, j = mid, k = lo;

	while (i < mid && j < hi)
		y[k++] = cmp_rkey(&rk[x[j]], &rk[x[i]]) < 0 ? x[j++] : x[i++];
	while (i < mid)
		y[k++] = x[i++];
	while (j < hi)
		y[k++] = x[j++];
}

/*
 * Puts the readings of batch b, full, in the table's key order for
 * write_readings(), their texts pointing into the arena, so that the
 * writer thread goes through them in order and touches nothing else.
 * Done by the producer before it hands the batch over: the writer, which
 * SQLite keeps busier, is spared the sort (BENCHMARKS.md, 2026-12-06).
 *
 * A merge of the runs the batch has already: a sensor network sends a
 * round of its sensors at a time, each round in sensor order, so a batch
 * is a few long runs (25 of 10,000 in the bench's), merged in a few
 * passes where qsort() made eighteen.  The places are merged (4 bytes
 * each), then the readings moved once into their order.
 */
static void
sort_readings(struct ft_ingest *ig, struct batch *b)
{
	struct rkey *rk = b->rk, t;
	uint32_t *x, *y, *runs;
	size_t n = b->n, nr = 0, i, k, m;

	if (!n)
		return;
	if (n > ig->sordcap) {
		ig->sordcap = n;
		for (i = 0; i < 2; i++)
			ig->sord[i] = ft_xrealloc(ig->sord[i],
						  n * sizeof(*ig->sord[i]));
		ig->sruns = ft_xrealloc(ig->sruns,
					(n + 1) * sizeof(*ig->sruns));
	}
	x = ig->sord[0];
	y = ig->sord[1];
	runs = ig->sruns;
	for (i = 0; i < n; i++) {
		struct rkey *r = &rk[i];

		r->rd.sensor = b->a.s + r->sensor;
		r->rd.metric = r->metric == SIZE_MAX ? "" : b->a.s + r->metric;
		x[i] = (uint32_t)i;
		if (!i || cmp_rkey(&rk[i - 1], r) > 0)
			runs[nr++] = (uint32_t)i;
	}
	runs[nr] = (uint32_t)n;
	while (nr > 1) {
		uint32_t *sw;

		for (k = 0, m = 0; k < nr; k += 2, m++) {
			if (k + 1 < nr)
				merge_places(rk, x, y, runs[k], runs[k + 1],
					     runs[k + 2]);
			else
				memcpy(y + runs[k], x + runs[k],
				       (n - runs[k]) * sizeof(*x));
			runs[m] = runs[k];
		}
		runs[m] = (uint32_t)n;
		nr = m;
		sw = x;
		x = y;
		y = sw;
	}
	/* Place i takes the reading at x[i]: each cycle of moves once. */
	for (i = 0; i < n; i++) {
		if (x[i] == i)
			continue;
		t = rk[i];
		for (k = i; x[k] != i; k = m) {
			m = x[k];
			rk[k] = rk[m];
			x[k] = (uint32_t)k;
		}
		rk[k] = t;
		x[k] = (uint32_t)k;
	}
}

/* Whether readings a and b are of one series (sensor and metric). */
static int
same_series(const struct ft_reading *a, const struct ft_reading *b)
{
	return !cmp_text(a->sensor, a->sensorlen, b->sensor, b->sensorlen) &&
	       !cmp_text(a->metric, a->metriclen, b->metric, b->metriclen);
}

/*
 * The series of batch wb from its reading *i on, at most FT_LOAD_PROBE
 * of them: *n of them, the j-th from wb->rk[seg[j]] to before
 * wb->rk[seg[j + 1]], and whether it can go into groups (fresh[j]): no
 * reading of its time range is stored and it has no key twice.  *i moves
 * past them.  Returns a status.
 */
static int
next_series(struct ft_ingest *ig, const struct batch *wb, size_t *i,
	    size_t *seg, size_t *n, unsigned char *fresh)
{
	const struct ft_reading *first[FT_LOAD_PROBE];
	int64_t last[FT_LOAD_PROBE];
	unsigned char twice[FT_LOAD_PROBE];
	size_t j = *i, k;
	int st;

	for (k = 0; k < FT_LOAD_PROBE && j < wb->n; k++) {
		seg[k] = j;
		first[k] = &wb->rk[j].rd;
		twice[k] = 0;
		for (j++;
		     j < wb->n && same_series(&wb->rk[j - 1].rd, &wb->rk[j].rd);
		     j++)
			if (wb->rk[j].rd.at == wb->rk[j - 1].rd.at)
				twice[k] = 1;
		last[k] = wb->rk[j - 1].rd.at;
	}
	seg[k] = j;
	*n = k;
	*i = j;
	if ((st = ft_load_readings_held(ig->store, first, last, k, fresh)))
		return st;
	for (j = 0; j < k; j++)
		fresh[j] = !fresh[j] && !twice[j];
	return FT_OK;
}

/*
 * Writes the readings of batch wb in the table's key order (sort_readings()
 * made it): a sensor network sends a round of all its sensors at a time,
 * and in that order each leaf of the table would be read and written once
 * a round; in key order it is once a batch (BENCHMARKS.md: about three
 * times as many readings a second, with batches of 100,000).
 *
 * A series of the batch of which no reading is stored in its time range,
 * and which has no key twice (ft_load_readings_held(), FT_LOAD_PROBE
 * series a statement), is new: its readings go FT_LOAD_GROUP to a
 * statement, in a statement that needs no journal of its own.  The other
 * readings (a file loaded again, a backfill, a key twice), and the last
 * ones of a batch, are stored one by one: the same key twice in a batch
 * is taken in the order read, so the first one is stored, and the
 * records of another value are rejected afterwards, in the order read.
 * Returns a status.
 */
static int
write_readings(struct ft_ingest *ig, struct batch *wb)
{
	const struct ft_reading *group[FT_LOAD_GROUP];
	size_t place[FT_LOAD_GROUP];
	size_t seg[FT_LOAD_PROBE + 1];
	unsigned char fresh[FT_LOAD_PROBE];
	size_t i = 0, j, k, n, ng = 0;
	int st;

	if (!wb->n)
		return FT_OK;
	memset(wb->rflag, 0, wb->n);
	while (i < wb->n) {
		if ((st = next_series(ig, wb, &i, seg, &n, fresh)))
			return st;
		for (k = 0; k < n; k++)
			for (j = seg[k]; j < seg[k + 1]; j++) {
				if (!fresh[k]) {
					if ((st = write_reading(
						     ig, &wb->rk[j].rd,
						     &wb->rflag[wb->rk[j].i])))
						return st;
					continue;
				}
				group[ng] = &wb->rk[j].rd;
				place[ng++] = wb->rk[j].i;
				if (ng < FT_LOAD_GROUP)
					continue;
				if ((st = ft_load_readings(ig->store, group,
							   ig->run)))
					return st;
				for (ng = 0; ng < FT_LOAD_GROUP; ng++)
					wb->rflag[place[ng]] = 1;
				ig->c.inserted += FT_LOAD_GROUP;
				ng = 0;
			}
	}
	for (k = 0; k < ng; k++)
		if ((st = write_reading(ig, group[k], &wb->rflag[place[k]])))
			return st;
	for (i = 0; i < wb->n; i++) {
		struct brec *r = &wb->r[i];

		r->emit = wb->rflag[i] == 1;
		if (wb->rflag[i] != -1)
			continue;
		reject_id(ig, r->line, NULL, 0, wb->a.s + r->path, r->pathlen,
			  "stored already with another value "
			  "(--upsert replaces it)",
			  wb->a.s + r->raw, r->rawlen);
	}
	return FT_OK;
}

/*
 * How many records of batch wb come before the one read DEFER_LAG records
 * before them, by the value of column col (-1: the id), out of those
 * compared: a quarter or more is "out of order" (a file in order but for a
 * few records' jitter has almost none).
 */
static int
out_of_order(const struct batch *wb, int col)
{
	size_t i, down = 0;

	if (wb->n <= 2 * DEFER_LAG)
		return 0;
	for (i = DEFER_LAG; i < wb->n; i++) {
		const struct brec *ra = &wb->r[i - DEFER_LAG], *rb = &wb->r[i];
		size_t ao = ra->id, al = ra->idlen, bo = rb->id, bl = rb->idlen;

		if (col >= 0) {
			const struct val *a = &wb->v[ra->v + (size_t)col];
			const struct val *b = &wb->v[rb->v + (size_t)col];

			ao = a->off, al = a->len, bo = b->off, bl = b->len;
		}
		down += cmp_text(wb->a.s + bo, bl, wb->a.s + ao, al) < 0;
	}
	return 4 * down >= wb->n - DEFER_LAG;
}

/*
 * At the first batch of a run that may defer them (a big file into a table
 * of no events): out of time order, drops the two indexes of events on
 * reported_at; out of id order, the unique index on id, and keeps the ids
 * stored in ig->ids instead (sized for the file, from the batch's bytes a
 * record).  In the batch's transaction, for the run's end to build
 * (build_indexes()).
 * Out of order, each record would land on a leaf of each index that a
 * record of the batch before had written already, and each transaction
 * would write most pages of the indexes (BENCHMARKS.md, 2026-12-06).
 * Returns a status.
 */
static int
defer_indexes(struct ft_ingest *ig, const struct batch *wb)
{
	size_t i, bytes = 0;
	int st, dropped;

	ig->defer_ok = 0;
	if (ig->at_col >= 0 && out_of_order(wb, ig->at_col)) {
		ig->deferred = 1;
		if ((st = ft_db_time_indexes_drop(ig->db)))
			return st;
	}
	if (!out_of_order(wb, -1))
		return FT_OK;
	if ((st = ft_db_id_index_drop(ig->db, &dropped)) || !dropped)
		return st;
	for (i = 0; i < wb->n; i++)
		bytes += wb->r[i].rawlen + 1;
	ft_idset_init(&ig->ids, (size_t)ig->fsize / (bytes / wb->n + 1) + 1,
		      IDSET_MAX_BYTES);
	ft_load_bulk(ig->store, 1);
	ig->deferred = ig->id_deferred = 1;
	return FT_OK;
}

/*
 * Builds the indexes defer_indexes() dropped: at the run's end, or when
 * ig->ids would grow past IDSET_MAX_BYTES (then the load goes on row by
 * row).  Outside a transaction.
 */
static int
build_indexes(struct ft_ingest *ig)
{
	int st, bst;

	ig->deferred = ig->id_deferred = ig->bulk = 0;
	ft_idset_release(&ig->ids);
	ft_load_bulk(ig->store, 0);
	/*
	 * The sort of CREATE INDEX in temporary files, not in memory, where
	 * it would hold every key of the table at once (ft_db_index_mode()).
	 */
	if ((st = ft_db_index_mode(ig->db, 1)))
		return st;
	if (!(st = ft_db_begin(ig->db)) && (st = ft_db_indexes_build(ig->db)))
		ft_db_rollback(ig->db);
	else if (!st)
		st = ft_db_commit(ig->db);
	bst = ft_db_index_mode(ig->db, 0);
	return st ? st : bst;
}

/*
 * Before batch wb, outside a transaction, while the index on id waits: the
 * small cache of ft_db_index_mode() (the load touches the ends of its
 * table and indexes only, and ig->ids is counted in its memory instead),
 * or the index built now if ig->ids could grow past its bound.
 */
static int
bulk_before(struct ft_ingest *ig, const struct batch *wb)
{
	int st;

	if (!ft_idset_room(&ig->ids, wb->n))
		return build_indexes(ig);
	if (ig->bulk)
		return FT_OK;
	if ((st = ft_db_index_mode(ig->db, 1)))
		return st;
	ig->bulk = 1;
	return FT_OK;
}

/*
 * Writes batch wb in one transaction, a batch of ft_run's, then prints
 * what it stored.
 */
static int
write_batch(struct ft_ingest *ig, struct batch *wb)
{
	size_t i;
	int st;

	if (ig->id_deferred && (st = bulk_before(ig, wb)))
		return st;
	if ((st = ft_run_begin_page(&ig->batches)))
		return st;
	ig->wb = wb;
	ig->cr_n = 0;
	if (ig->defer_ok && (st = defer_indexes(ig, wb))) {
		ft_run_drop(&ig->batches);
		return st;
	}
	if (ig->o.kind == FT_KIND_READINGS) {
		if ((st = write_readings(ig, wb))) {
			ft_run_drop(&ig->batches);
			return st;
		}
	} else {
		for (i = 0; i < wb->n; i++)
			if ((st = write_one(ig, wb, &wb->r[i]))) {
				ft_run_drop(&ig->batches);
				return st;
			}
	}
	if ((st = log_created(ig)) ||
	    (st = update_run(ig, wb->records, wb->final))) {
		ft_run_drop(&ig->batches);
		return st;
	}
	return ft_run_end(&ig->batches);
}

/*
 * The writer thread: SQLite and standard output are its alone while a file
 * is read, so parsing the next batch overlaps writing this one.
 */
static void *
writer(void *arg)
{
	struct ft_ingest *ig = arg;
	struct batch *wb;
	int st, last;

	for (;;) {
		pthread_mutex_lock(&ig->mu);
		while (!ig->full)
			pthread_cond_wait(&ig->cv, &ig->mu);
		wb = ig->full;
		pthread_mutex_unlock(&ig->mu);
		last = wb->final != NULL;
		st = ig->wstatus ? ig->wstatus : write_batch(ig, wb);
		pthread_mutex_lock(&ig->mu);
		if (st && !ig->wstatus)
			ig->wstatus = st;
		ig->full = NULL;
		pthread_cond_broadcast(&ig->cv);
		pthread_mutex_unlock(&ig->mu);
		if (last)
			return NULL;
	}
}

/*
 * Hands the producer's batch to the writer, waiting for the one before it,
 * and gives the producer the other buffer.  final (a run status) marks the
 * file's last batch.  Returns the writer's status so far.
 */
static int
hand_over(struct ft_ingest *ig, const char *final)
{
	struct batch *b = ig->b;
	int st;

	b->records = ig->c.records;
	b->final = final;
	if (ig->o.kind == FT_KIND_READINGS)
		sort_readings(ig, b);
	if (!WRITER_THREAD) {
		/* make bench's build without it: the batch is written here. */
		st = ig->wstatus ? ig->wstatus : write_batch(ig, b);
		if (st && !ig->wstatus)
			ig->wstatus = st;
		b->n = b->nv = 0;
		ft_buf_reset(&b->a);
		progress(ig, 0);
		return st;
	}
	pthread_mutex_lock(&ig->mu);
	while (ig->full)
		pthread_cond_wait(&ig->cv, &ig->mu);
	ig->full = b;
	pthread_cond_broadcast(&ig->cv);
	st = ig->wstatus;
	pthread_mutex_unlock(&ig->mu);
	/* The other buffer is free: the writer finished it before it took
	 * this one (full was empty above). */
	ig->b = b == &ig->bat[0] ? &ig->bat[1] : &ig->bat[0];
	ig->b->n = ig->b->nv = 0;
	ft_buf_reset(&ig->b->a);
	progress(ig, 0);
	return st;
}

/* The input waits: what is read goes to the writer first. */
static int
on_idle(void *ctx)
{
	struct ft_ingest *ig = ctx;

	return ig->b->n ? hand_over(ig, NULL) : FT_OK;
}

/* ---- a file ---- */

static int
start_run(struct ft_ingest *ig, struct ft_input *in, int big)
{
	char at[FT_TIME_LEN];
	int st;

	ig->run = 0;
	ig->defer_ok = ig->deferred = ig->id_deferred = ig->bulk = 0;
	if (ig->o.dry_run)
		return FT_OK;
	if ((st = ft_db_begin(ig->db)))
		return st;
	ft_time_format(ft_time_now(), at);
	if ((st = close_stale(ig, at)) ||
	    (big && ig->o.kind == FT_KIND_EVENTS &&
	     (st = ft_load_no_events(ig->store, &ig->defer_ok)))) {
		ft_db_rollback(ig->db);
		return st;
	}
	st = ft_load_run_begin(ig->store, ig->k->name, ft_input_name(in),
			       ft_format_name(ft_input_format(in)),
			       ig->o.map ? ig->o.map_origin : NULL, at,
			       FT_VERSION, &ig->run);
	/* Locked before the row is seen: a live run never looks dead. */
	if (!st && run_lock(ig, ig->run, F_SETLK, F_WRLCK) < 0) {
		ft_error("%s-ingests.lock: cannot lock: %s", ig->db->path,
			 strerror(errno));
		st = FT_IOERR;
	}
	if (st || (st = ft_db_commit(ig->db))) {
		ft_db_rollback(ig->db);
		if (ig->run)
			run_lock(ig, ig->run, F_SETLK, F_UNLCK);
		ig->run = 0;
	}
	return st;
}

/*
 * One source record through a split map: the paths first, all of them, and
 * where their values are; then REST on each value, which is the raw of the
 * records it gives and of their rejects.  An error of REST rejects that
 * value only.  Returns 0, or -1 before anything is taken when the split
 * does not hold for this record (PATHS failed: not a path expression here,
 * or an error that the whole map reports again).
 */
static int
source_split(struct ft_ingest *ig, const struct ft_item *it, int *n)
{
	const struct ft_json_doc *d = it->doc;
	const char *err, *why, *v, *path;
	size_t np = 0, i, off, len, errpos;

	if (ft_jq_start(ig->jqp, d->text.s, d->text.len, &err))
		return -1;
	ft_buf_reset(&ig->spaths);
	ft_json_cursor_reset(&ig->cur);
	while (ft_jq_next(ig->jqp, &ig->pdoc, &err)) {
		if (ft_json_at(&ig->cur, d->text.s, d->text.len,
			       ig->pdoc.text.s, ig->pdoc.text.len, &off, &len))
			return -1;
		if (np == ig->sordcap) {
			ig->sordcap = ig->sordcap ? ig->sordcap * 2 : 64;
			ig->soff = ft_xrealloc(ig->soff,
					       ig->sordcap * sizeof(*ig->soff));
			ig->sval = ft_xrealloc(ig->sval,
					       ig->sordcap * 2 *
						       sizeof(*ig->sval));
		}
		ig->soff[np] = ig->spaths.len;
		ig->sval[2 * np] = off;
		ig->sval[2 * np + 1] = len;
		ft_buf_add(&ig->spaths, ig->pdoc.text.s, ig->pdoc.text.len);
		ft_buf_addc(&ig->spaths, '\0');
		np++;
	}
	if (err)
		return -1;
	/* The document's jv is not needed any more: drop it. */
	(void)ft_jq_start(ig->jqp, "null", 4, &err);
	(void)ft_jq_next(ig->jqp, &ig->pdoc, &err);
	for (i = 0; i < np; i++) {
		v = d->text.s + ig->sval[2 * i];
		len = ig->sval[2 * i + 1];
		path = ig->spaths.s + ig->soff[i];
		if (ft_json_parse(&ig->edoc, v, len, &why, &errpos)) {
			reject_path(ig, it->line, path, why, v, len, NULL);
			continue;
		}
		if (ft_jq_start(ig->jqr, v, len, &err)) {
			ft_buf_reset(&ig->tmp);
			ft_buf_addf(&ig->tmp, "map: cannot read the record: %s",
				    err);
			reject_path(ig, it->line, path, ig->tmp.s, v, len,
				    &ig->edoc);
			continue;
		}
		while (ft_jq_next(ig->jqr, &ig->mdoc, &err)) {
			++*n;
			why = take(ig, &ig->mdoc, it->line, v, len, &ig->edoc,
				   path);
			if (why) {
				ft_buf_reset(&ig->tmp);
				ft_buf_adds(&ig->tmp, why);
				reject_path(ig, it->line, path, ig->tmp.s, v,
					    len, &ig->edoc);
			}
		}
		if (err) {
			ft_buf_reset(&ig->tmp);
			ft_buf_addf(&ig->tmp, "map: %s", err);
			reject_path(ig, it->line, path, ig->tmp.s, v, len,
				    &ig->edoc);
		}
	}
	return 0;
}

/* One source record: through the map, then taken or rejected. */
static void
source_record(struct ft_ingest *ig, const struct ft_item *it)
{
	const char *why, *err;
	int n = 0;

	ig->c.records++;
	if (!it->doc) {
		reject(ig, it->line, it->err, it->raw, it->rawlen, NULL);
		return;
	}
	if (!ig->jq) {
		why = take(ig, it->doc, it->line, it->raw, it->rawlen, it->doc,
			   NULL);
		if (why)
			reject(ig, it->line, why, it->raw, it->rawlen, it->doc);
		return;
	}
	if (ig->jqp && source_split(ig, it, &n) == 0) {
		if (n == 0)
			ig->c.skipped++;
		return;
	}
	if (ft_jq_start_doc(ig->jq, it->doc, &err)) {
		ft_buf_reset(&ig->tmp);
		ft_buf_addf(&ig->tmp, "map: cannot read the record: %s", err);
		reject(ig, it->line, ig->tmp.s, it->raw, it->rawlen, it->doc);
		return;
	}
	while (ft_jq_next(ig->jq, &ig->mdoc, &err)) {
		n++;
		why = take(ig, &ig->mdoc, it->line, it->raw, it->rawlen,
			   it->doc, NULL);
		if (why) {
			ft_buf_reset(&ig->tmp);
			ft_buf_adds(&ig->tmp, why);
			reject(ig, it->line, ig->tmp.s, it->raw, it->rawlen,
			       it->doc);
		}
	}
	if (err) {
		ft_buf_reset(&ig->tmp);
		ft_buf_addf(&ig->tmp, "map: %s", err);
		reject(ig, it->line, ig->tmp.s, it->raw, it->rawlen, it->doc);
	} else if (n == 0) {
		ig->c.skipped++;
	}
}

static void
summary(struct ft_ingest *ig, struct ft_input *in, double secs)
{
	struct ft_buf s = FT_BUF_INIT;

	ft_buf_addf(&s, "%s: %ld record%s: %ld new, %ld updated, %ld "
		    "unchanged, %ld rejected", ig->fname, ig->c.records,
		    ig->c.records == 1 ? "" : "s",
		    ig->c.inserted, ig->c.updated, ig->c.unchanged,
		    ig->c.rejected);
	if (ig->c.skipped)
		ft_buf_addf(&s, ", %ld left out by the map", ig->c.skipped);
	if (ig->c.nullisland)
		ft_buf_addf(&s, "; %ld at 0,0 taken as no location",
			    ig->c.nullisland);
	if (ig->c.moved)
		ft_buf_addf(&s, "; %ld dispatched event%s moved, %s area kept "
			    "(see the history)", ig->c.moved,
			    ig->c.moved == 1 ? "" : "s",
			    ig->c.moved == 1 ? "its" : "their");
	if (ft_input_replaced(in))
		ft_buf_addf(&s, "; %zu byte%s not in %s replaced by U+FFFD",
			    ft_input_replaced(in),
			    ft_input_replaced(in) == 1 ? "" : "s",
			    ig->o.in.encoding ?
			    ig->o.in.encoding : "the encoding");
	ft_buf_addf(&s, " (%.2f s)%s", secs, ig->o.dry_run ?
		    "; dry run, nothing written" : "");
	ft_warn("%s", s.s);
	ft_buf_release(&s);
}

int
ft_ingest_file(struct ft_ingest *ig, const char *path)
{
	struct ft_input *in = NULL;
	struct ft_item it;
	struct stat sb;
	pthread_t tid;
	int st = FT_OK, r, fatal = FT_OK, wst, big, bst;

	memset(&ig->c, 0, sizeof(ig->c));
	ig->rej.messages = 0;	/* messages are counted by file */
	ig->t0 = now_seconds();
	ig->nfiles++;
	st = ft_input_open(&in, path, &ig->o.in);
	if (st) {
		ft_input_close(in);
		return st;
	}
	ig->fname = ft_input_name(in);
	big = path && strcmp(path, "-") && !stat(path, &sb) &&
	      S_ISREG(sb.st_mode) && sb.st_size >= DEFER_MIN_BYTES;
	ig->fsize = big ? sb.st_size : 0;
	if ((st = start_run(ig, in, big))) {
		ft_input_close(in);
		return st;
	}
	ig->wstatus = FT_OK;
	ig->full = NULL;
	ft_db_ckpt_start(&ig->ck, ig->db);	/* none for a dry run */
	if (WRITER_THREAD && pthread_create(&tid, NULL, writer, ig)) {
		ft_db_ckpt_stop(&ig->ck);
		ft_error("cannot start the writer thread");
		ft_input_close(in);
		return FT_SOFTWARE;
	}
	ft_input_set_idle(in, on_idle, ig);
	while ((r = ft_input_next(in, &it)) == 1) {
		source_record(ig, &it);
		if (ig->b->n >= ig->o.batch && (st = hand_over(ig, NULL)))
			break;
	}
	if (r > 1)
		fatal = r;
	/* The last batch ends the writer, whatever happened before. */
	wst = hand_over(ig, fatal || st ? "failed" : "done");
	if (WRITER_THREAD)
		pthread_join(tid, NULL);
	/* Whatever happened: a failed build is done again at the next open. */
	if (ig->deferred && (bst = build_indexes(ig)) && !st)
		st = bst;
	ft_db_ckpt_stop(&ig->ck);
	if (ig->run)
		run_lock(ig, ig->run, F_SETLK, F_UNLCK);
	if (!st)
		st = ig->wstatus ? ig->wstatus : wst;
	progress(ig, 1);
	if (!ig->o.quiet)
		summary(ig, in, now_seconds() - ig->t0);
	ft_input_close(in);
	ig->fname = NULL;
	if (st)
		return st;
	if (fatal)
		return fatal;
	return ig->c.rejected ? FT_REJECTED : FT_OK;
}

int
ft_ingest_finish(struct ft_ingest *ig)
{
	struct ft_buf id = FT_BUF_INIT, parent = FT_BUF_INIT;
	int n, st;

	if (ig->o.kind == FT_KIND_UNITS && !ig->o.quiet) {
		st = ft_load_orphans(ig->store, &n, &id, &parent);
		if (!st && n > 0)
			ft_warn("warning: %d unit%s name%s a parent that is "
				"not loaded (the first: \"%s\" names \"%s\")",
				n, n == 1 ? "" : "s", n == 1 ? "s" : "", id.s,
				parent.s);
		ft_buf_release(&id);
		ft_buf_release(&parent);
		if (st)
			return st;
	}
	if (ig->rej.f && fflush(ig->rej.f) == EOF) {
		ft_error("%s: write error: %s", ig->o.rejects, strerror(errno));
		return FT_IOERR;
	}
	return FT_OK;
}
