#include "ft_run.h"
#include "ft_exit.h"

void
ft_run_init(struct ft_run *r, struct ft_db *db, long limit, int dry_run,
	    int no_output)
{
	r->db = db;
	r->limit = limit;
	r->n = 0;
	r->commits = 0;
	r->page = 0;
	r->dry_run = dry_run;
	r->fname = NULL;
	r->ctx = NULL;
	r->keep = r->drop = NULL;
	r->print = NULL;
	r->begin = ft_db_begin_write;
	r->prep = NULL;
	r->prep_ctx = NULL;
	r->wq = NULL;
	r->stage = NULL;
	r->pending = r->committed = 0;
	ft_hold_init(&r->out, no_output);
	ft_hold_init(&r->prev, no_output);
}

void
ft_run_release(struct ft_run *r)
{
	ft_hold_release(&r->out);
	ft_hold_release(&r->prev);
}

/*
 * Waits for the writer's jobs; a batch whose commit was queued is then
 * settled: kept and printed if it committed, dropped if not.  Returns
 * the first failure of the jobs, else the printing's status.
 */
static int
wq_wait(struct ft_run *r)
{
	int st = ft_wq_sync(r->wq), pst = FT_OK;

	if (!r->pending)
		return st;
	r->pending = 0;
	if (!r->committed) {
		ft_hold_drop(&r->prev);
		return st;
	}
	r->commits++;
	if (r->keep)
		r->keep(r->ctx);
	pst = ft_hold_print(&r->prev);
	r->out.closed |= r->prev.closed;
	return st ? st : pst;
}

void
ft_run_drop(struct ft_run *r)
{
	if (r->wq)
		wq_wait(r); /* its failure is why, or moot */
	ft_db_rollback(r->db);
	ft_hold_drop(&r->out);
	if (r->drop)
		r->drop(r->ctx);
	r->n = 0;
	r->page = 0;
}

int
ft_run_end(struct ft_run *r)
{
	int st = FT_OK;

	/* The batch's writes done: the database is the run's again. */
	if (r->wq)
		st = wq_wait(r);
	if (!st && r->db->in_tx && !r->dry_run && r->flush)
		st = r->flush(r->ctx);
	if (!st && r->wq)
		st = ft_wq_sync(r->wq);
	if (r->db->in_tx && !r->dry_run && !st && !(st = ft_db_commit(r->db)))
		r->commits++;
	r->n = 0;
	r->page = 0;
	if (st) {
		ft_run_drop(r);
		return st;
	}
	if (r->keep)
		r->keep(r->ctx);
	return r->print ? r->print(r->ctx) : ft_hold_print(&r->out);
}

/* The writer's last job of a batch that ended full: its commit. */
static int
commit_job(void *ctx, void *job)
{
	struct ft_run *r = ctx;
	int st = ft_db_commit(r->db);

	(void)job;
	r->committed = !st;
	return st;
}

/*
 * Ends a full batch with its commit queued (see struct ft_run's stage):
 * flushed, staged, its output held in prev until the commit is settled
 * by the next wq_wait().  Returns a status; a failure drops the batch.
 */
static int
end_queued(struct ft_run *r)
{
	struct ft_hold t;
	int st;

	if (!(st = wq_wait(r)) && !r->db->in_tx)
		return ft_run_end(r); /* nothing to commit */
	if (st || (r->flush && (st = r->flush(r->ctx)))) {
		ft_run_drop(r);
		return st;
	}
	r->stage(r->ctx);
	t = r->prev; /* empty: settled */
	r->prev = r->out;
	r->out = t;
	r->committed = 0;
	r->pending = 1;
	ft_wq_add(r->wq, commit_job, r, 0);
	r->n = 0;
	r->page = 0;
	return FT_OK;
}

/* The writer's first job of a batch: its transaction. */
static int
begin_job(void *ctx, void *job)
{
	struct ft_run *r = ctx;

	(void)job;
	return r->begin(r->db);
}

int
ft_run_enter(struct ft_run *r)
{
	int st;

	if (!r->page && r->n >= r->limit &&
	    (st = r->wq && r->stage && !r->dry_run && !r->print ?
			  end_queued(r) :
			  ft_run_end(r)))
		return st;
	if (r->wq) {
		/* A page began its transaction (ft_run_begin_page()). */
		if (!r->n++ && !r->page)
			ft_wq_add(r->wq, begin_job, r, 0);
		return FT_OK;
	}
	r->n++;
	return r->begin(r->db);
}

int
ft_run_begin_page(struct ft_run *r)
{
	int st;

	r->n = 0;
	r->page = 1;
	if (r->wq && (st = wq_wait(r)))
		return st;
	return r->begin(r->db);
}

/* The input waits: what is decided is stored and printed first. */
static int
on_idle(void *ctx)
{
	struct ft_run *r = ctx;

	return r->n ? ft_run_end(r) : FT_OK;
}

/*
 * Reads path record by record into each(): the reader of ft_run_file()
 * (whole 0: the batch ends when the input waits, the input is closed
 * after the last batch ends) and of ft_run_file_whole() (whole 1: the
 * file is one batch, the input closed before it ends, a dry run rolled
 * back once it has).  A run that stops drops the batch.  Returns a
 * status.
 */
static int
read_file(struct ft_run *r, const char *path,
	  int (*each)(void *ctx, const struct ft_item *it), int whole)
{
	struct ft_input_opts io = { 0 };
	struct ft_input *in;
	struct ft_item it;
	int st, rc;

	if ((st = ft_input_open(&in, path, &io)) ||
	    (whole && (st = ft_run_begin_page(r)))) {
		ft_input_close(in);
		return st;
	}
	if (!whole)
		ft_input_set_idle(in, on_idle, r);
	if (r->prep)
		ft_input_set_prep(in, r->prep, r->prep_ctx);
	r->fname = ft_input_name(in);
	while ((rc = ft_input_next(in, &it)) == 1)
		if ((st = each(r->ctx, &it)))
			break;
	if (!st && rc > 1)
		st = rc;
	if (whole) {
		ft_input_close(in);
		in = NULL;
	}
	if (!st) {
		st = ft_run_end(r);
		if (whole && r->dry_run)
			ft_db_rollback(r->db);
	} else {
		ft_run_drop(r);
	}
	ft_input_close(in);
	return st;
}

int
ft_run_file(struct ft_run *r, const char *path,
	    int (*each)(void *ctx, const struct ft_item *it))
{
	return read_file(r, path, each, 0);
}

int
ft_run_file_whole(struct ft_run *r, const char *path,
		  int (*each)(void *ctx, const struct ft_item *it))
{
	return read_file(r, path, each, 1);
}

int
ft_run_finish(struct ft_run *r)
{
	int st = ft_run_end(r);

	if (r->dry_run)
		ft_db_rollback(r->db);
	return st;
}
