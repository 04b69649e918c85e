/*
 * ft_warn_db.c - the engine's writes in a stream: to the database at
 * once, or, with a writer (w->run.wq), copied into jobs that the writer
 * thread does in the same order while the engine goes on with the next
 * records.  On 10,000,000 readings the writes (the history's entries,
 * the warnings' rows, the pages of states) were a third of the engine's
 * thread; the reader thread had most of the other core to spare.
 */
#include "ft_warn_int.h"

#include <stddef.h>

/* ---- a warning's row ---- */

/* The strings of a struct ft_store_warning, in the order a job has them. */
#define W(f) offsetof(struct ft_store_warning, f)
static const size_t put_strs[] = {
	W(warning),    W(rule),	    W(type),	 W(key),	 W(level),
	W(status),     W(value),    W(first_at), W(last_at),	 W(raised_at),
	W(acked_at),   W(acked_by), W(ack_note), W(resolved_at), W(resolved_by),
	W(resolution), W(events),   W(state)
};
#undef W
#define PUT_STRS ((int)(sizeof(put_strs) / sizeof(put_strs[0])))

struct put_job {
	int major, stored, has_num;
	int64_t count;
	double num;
};

static int
put_job(void *ctx, void *job)
{
	struct ft_warn *w = ctx;
	const struct put_job *j = job;
	const char *s[PUT_STRS];
	struct ft_store_warning x;
	int i;

	ft_wq_strs(job, sizeof(*j), s, NULL, PUT_STRS);
	memset(&x, 0, sizeof(x));
	for (i = 0; i < PUT_STRS; i++)
		memcpy((char *)&x + put_strs[i], &s[i], sizeof(s[i]));
	x.major = j->major;
	x.count = j->count;
	x.num = j->has_num ? &j->num : NULL;
	x.stored = j->stored;
	return ft_store_warn_put(w->ws, &x);
}

int
warn_db_put(struct ft_warn *w, const struct ft_store_warning *x)
{
	const char *s[PUT_STRS];
	struct put_job *j;
	int i;

	if (!w->run.wq)
		return ft_store_warn_put(w->ws, x);
	for (i = 0; i < PUT_STRS; i++)
		memcpy(&s[i], (const char *)x + put_strs[i], sizeof(s[i]));
	j = ft_wq_add_strs(w->run.wq, put_job, w, sizeof(*j), s, NULL,
			   PUT_STRS);
	j->major = x->major;
	j->count = x->count;
	j->stored = x->stored;
	j->has_num = x->num != NULL;
	j->num = x->num ? *x->num : 0;
	return FT_OK;
}

/* ---- a page of states ---- */

static int
page_job(void *ctx, void *job)
{
	struct ft_warn *w = ctx;
	int64_t page;
	const char *s;
	size_t len;

	memcpy(&page, job, sizeof(page));
	ft_wq_strs(job, sizeof(page), &s, &len, 1);
	return ft_store_warn_page_put(w->ws, page, s, len);
}

int
warn_db_page(struct ft_warn *w, int64_t page, const char *state, size_t len)
{
	void *j;

	if (!w->run.wq)
		return ft_store_warn_page_put(w->ws, page, state, len);
	j = ft_wq_add_strs(w->run.wq, page_job, w, sizeof(page), &state, &len,
			   1);
	memcpy(j, &page, sizeof(page));
	return FT_OK;
}

/* ---- the clock ---- */

static int
clock_job(void *ctx, void *job)
{
	struct ft_warn *w = ctx;
	int64_t at;

	memcpy(&at, job, sizeof(at));
	return ft_store_warn_clock_set(w->ws, at);
}

int
warn_db_clock(struct ft_warn *w, int64_t at)
{
	if (!w->run.wq)
		return ft_store_warn_clock_set(w->ws, at);
	memcpy(ft_wq_add(w->run.wq, clock_job, w, sizeof(at)), &at, sizeof(at));
	return FT_OK;
}

/* ---- the history ---- */

enum {
	HIST_STRS = 8
};

static int
hist_job(void *ctx, void *job)
{
	struct ft_warn *w = ctx;
	const char *s[HIST_STRS];
	size_t len[HIST_STRS];
	struct ft_hist_entry e;

	memset(&e, 0, sizeof(e));
	memcpy(&e.ingest, job, sizeof(e.ingest));
	ft_wq_strs(job, sizeof(e.ingest), s, len, HIST_STRS);
	e.kind = s[0];
	e.id = s[1];
	e.idlen = len[1];
	e.at = s[2];
	e.by = s[3];
	e.action = s[4];
	e.from = s[5];
	e.to = s[6];
	e.detail = s[7];
	e.detaillen = len[7];
	return ft_hist_add(&w->hist, &e);
}

int
warn_db_hist(struct ft_warn *w, const struct ft_hist_entry *e)
{
	const char *s[HIST_STRS] = { e->kind,	e->id,	 e->at, e->by,
				     e->action, e->from, e->to, e->detail };
	size_t len[HIST_STRS];
	int i;

	if (!w->run.wq)
		return ft_hist_add(&w->hist, e);
	for (i = 0; i < HIST_STRS; i++)
		len[i] = i == 1 ? e->idlen :
			 i == 7 ? e->detaillen :
			 s[i]	? strlen(s[i]) :
				  0;
	memcpy(ft_wq_add_strs(w->run.wq, hist_job, w, sizeof(e->ingest), s, len,
			      HIST_STRS),
	       &e->ingest, sizeof(e->ingest));
	return FT_OK;
}
