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
	ft_hold_init(&r->out, no_output);
}

void
ft_run_release(struct ft_run *r)
{
	ft_hold_release(&r->out);
}

void
ft_run_drop(struct ft_run *r)
{
	if (r->wq)
		ft_wq_sync(r->wq); /* its failure is why, or moot */
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
		st = ft_wq_sync(r->wq);
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

	if (!r->page && r->n >= r->limit && (st = ft_run_end(r)))
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
	if (r->wq && (st = ft_wq_sync(r->wq)))
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
