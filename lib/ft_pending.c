#include "ft_pending.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Page j (from 0) is read into pg[j % 2].  The reader may start page j
 * once the caller has given page j - 2 back (j - given < 2); the caller
 * may take page j once the reader has made it (made > j).  A page is the
 * reader's from then until made counts it, then the caller's until given
 * counts it: neither touches a page the other owns.
 */
struct ft_pending {
	/* Set by the starting thread before the reader starts; then the
	 * reader's alone (db, s, at, seq) or read-only (limit, digest),
	 * until ft_pending_stop() has joined it. */
	struct ft_db db;
	struct ft_store *s;
	struct ft_buf at; /* where the next page starts */
	int64_t seq;
	long limit;
	char digest[65];
	/* The pages: see above. */
	struct ft_pending_page pg[2];
	/* The caller's alone: the pages it has taken. */
	long taken;
	/* The starting thread's (start and stop). */
	pthread_t tid;
	/* Guards what follows; cv is signalled when any of it changes. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long made; /* pages the reader has finished (the reader writes) */
	long given; /* pages the caller has given back (the caller writes) */
	int stop; /* the caller wants the reader to end */
};

/* One event of the page being read (ft_store_pending_each()). */
static int
grab(void *ctx, const struct ft_event_record *r)
{
	struct ft_pending_page *pg = ctx;
	struct ft_pending_event *e;

	if ((size_t)pg->n == pg->cap) {
		size_t cap = pg->cap ? pg->cap * 2 : 64, i;

		pg->ev = ft_xrealloc(pg->ev, cap * sizeof(*pg->ev));
		for (i = pg->cap; i < cap; i++) {
			ft_json_doc_init(&pg->ev[i].doc);
			ft_buf_init(&pg->ev[i].text);
		}
		pg->cap = cap;
	}
	e = &pg->ev[pg->n++];
	e->seq = r->seq;
	e->parsed = r->doc != NULL;
	if (r->doc) {
		ft_json_doc_copy(&e->doc, r->doc);
	} else {
		ft_buf_reset(&e->text);
		ft_buf_add(&e->text, r->record, r->reclen);
	}
	pg->last_seq = r->seq;
	ft_buf_reset(&pg->last_at);
	ft_buf_adds(&pg->last_at, r->reported_at);
	return FT_OK;
}

static void *
reader(void *arg)
{
	struct ft_pending *p = arg;
	long j;
	int stop, last;

	for (j = 0;; j++) {
		struct ft_pending_page *pg = &p->pg[j % 2];

		pthread_mutex_lock(&p->mu);
		while (!p->stop && j - p->given >= 2)
			pthread_cond_wait(&p->cv, &p->mu);
		stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		pg->n = 0;
		pg->failed = ft_store_pending_each(p->s, p->at.s, p->seq,
						   p->limit, p->digest, grab,
						   pg) != FT_OK;
		if (pg->n && !pg->failed) {
			ft_buf_reset(&p->at);
			ft_buf_add(&p->at, pg->last_at.s, pg->last_at.len);
			p->seq = pg->last_seq;
		}
		last = pg->failed || pg->n < p->limit;
		pthread_mutex_lock(&p->mu);
		p->made = j + 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (last)
			break;
	}
	return NULL;
}

static void
release(struct ft_pending *p)
{
	int i;
	size_t k;

	ft_store_close(p->s);
	ft_db_close(&p->db);
	ft_buf_release(&p->at);
	for (i = 0; i < 2; i++) {
		for (k = 0; k < p->pg[i].cap; k++) {
			ft_json_doc_release(&p->pg[i].ev[k].doc);
			ft_buf_release(&p->pg[i].ev[k].text);
		}
		free(p->pg[i].ev);
		ft_buf_release(&p->pg[i].last_at);
	}
	free(p);
}

struct ft_pending *
ft_pending_start(const struct ft_db *db, const char *after_at,
		 int64_t after_seq, long limit, const char *digest)
{
	struct ft_pending *p = ft_xmalloc(sizeof(*p));

	memset(p, 0, sizeof(*p));
	ft_buf_init(&p->at);
	ft_buf_init(&p->pg[0].last_at);
	ft_buf_init(&p->pg[1].last_at);
	if (ft_db_open_reader(&p->db, db)) {
		release(p);
		return NULL;
	}
	ft_store_open(&p->s, &p->db);
	ft_buf_adds(&p->at, after_at);
	p->seq = after_seq;
	p->limit = limit;
	snprintf(p->digest, sizeof(p->digest), "%s", digest);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->tid, NULL, reader, p)) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		release(p);
		return NULL;
	}
	return p;
}

struct ft_pending_page *
ft_pending_next(struct ft_pending *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->made <= p->taken)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return &p->pg[p->taken++ % 2];
}

void
ft_pending_done(struct ft_pending *p)
{
	pthread_mutex_lock(&p->mu);
	p->given++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void
ft_pending_stop(struct ft_pending *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->tid, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	release(p);
}
