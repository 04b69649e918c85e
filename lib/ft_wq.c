#include "ft_wq.h"
#include "ft_buf.h"
#include "ft_exit.h"

#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A block of jobs: 256 KiB holds ~1,000 of ft-warn's. */
#define FT_WQ_BLOCK (256 * 1024)
/* Blocks waiting for the writer at most: then the caller waits. */
#define MAX_QUEUED 4

#define ALIGN alignof(max_align_t)
#define ROUND(n) (((n) + ALIGN - 1) / ALIGN * ALIGN)

struct job {
	ft_wq_fn fn;
	void *ctx;
	size_t len; /* the job's bytes, rounded: the next job is after them */
};
#define HEAD ROUND(sizeof(struct job))

struct blk {
	struct blk *next;
	size_t len, cap; /* bytes used, and that data[] holds */
	alignas(max_align_t) unsigned char data[];
};

/*
 * The caller owns cur; the writer owns the block it runs (busy), taken
 * off the queue; the rest (below mu) is shared: cv is broadcast whenever
 * it changes.
 */
struct ft_wq {
	struct blk *cur;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct blk *head, *tail; /* the blocks the writer has to run */
	struct blk *spare; /* blocks of FT_WQ_BLOCK bytes to fill again */
	int nq; /* blocks queued */
	int busy; /* the writer is running a block */
	int stop; /* the caller wants the writer to end */
	int err; /* the first failure since the last ft_wq_sync() */
};

/* Runs b's jobs; returns the first failure (the jobs after it dropped). */
static int
run_block(struct blk *b)
{
	size_t at = 0;

	while (at < b->len) {
		struct job *j = (struct job *)(void *)(b->data + at);
		int st = j->fn(j->ctx, b->data + at + HEAD);

		if (st)
			return st;
		at += HEAD + j->len;
	}
	return FT_OK;
}

static void *
writer(void *arg)
{
	struct ft_wq *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		struct blk *b;
		int st = FT_OK;

		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->head)
			break;
		b = q->head;
		q->head = b->next;
		if (!q->head)
			q->tail = NULL;
		q->nq--;
		q->busy = 1;
		if (!q->err) {
			pthread_mutex_unlock(&q->mu);
			st = run_block(b);
			pthread_mutex_lock(&q->mu);
		}
		if (st && !q->err)
			q->err = st;
		q->busy = 0;
		if (b->cap == FT_WQ_BLOCK) {
			b->next = q->spare;
			q->spare = b;
		} else {
			free(b);
		}
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct ft_wq *
ft_wq_start(void)
{
	struct ft_wq *q = ft_xmalloc(sizeof(*q));

	memset(q, 0, sizeof(*q));
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&q->tid, NULL, writer, q)) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		free(q);
		return NULL;
	}
	return q;
}

/* Gives the caller's block to the writer, waiting while too many wait. */
static void
hand_over(struct ft_wq *q)
{
	struct blk *b = q->cur;

	q->cur = NULL;
	if (!b)
		return;
	if (!b->len) {
		free(b);
		return;
	}
	b->next = NULL;
	pthread_mutex_lock(&q->mu);
	while (q->nq >= MAX_QUEUED)
		pthread_cond_wait(&q->cv, &q->mu);
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->nq++;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* A block to fill of at least need bytes. */
static struct blk *
take_block(struct ft_wq *q, size_t need)
{
	struct blk *b = NULL;
	size_t cap = need > FT_WQ_BLOCK ? need : FT_WQ_BLOCK;

	if (cap == FT_WQ_BLOCK) {
		pthread_mutex_lock(&q->mu);
		if ((b = q->spare))
			q->spare = b->next;
		pthread_mutex_unlock(&q->mu);
	}
	if (!b) {
		b = ft_xmalloc(sizeof(*b) + cap);
		b->cap = cap;
	}
	b->len = 0;
	b->next = NULL;
	return b;
}

void *
ft_wq_add(struct ft_wq *q, ft_wq_fn fn, void *ctx, size_t len)
{
	size_t need = HEAD + ROUND(len);
	struct job *j;

	if (!q->cur || q->cur->cap - q->cur->len < need) {
		hand_over(q);
		q->cur = take_block(q, need);
	}
	j = (struct job *)(void *)(q->cur->data + q->cur->len);
	j->fn = fn;
	j->ctx = ctx;
	j->len = ROUND(len);
	q->cur->len += need;
	return (unsigned char *)j + HEAD;
}

/* A string's length word: its length, or NONE for NULL. */
#define NONE SIZE_MAX

void *
ft_wq_add_strs(struct ft_wq *q, ft_wq_fn fn, void *ctx, size_t extra,
	       const char *const *s, const size_t *len, int n)
{
	size_t lens[FT_WQ_STRS], at, total, w;
	unsigned char *job;
	int i;

	if (n > FT_WQ_STRS)
		abort(); /* the caller's mistake */
	extra = ROUND(extra);
	total = extra + (size_t)n * sizeof(w);
	for (i = 0; i < n; i++) {
		lens[i] = !s[i] ? 0 : len ? len[i] : strlen(s[i]);
		total += s[i] ? lens[i] + 1 : 0;
	}
	job = ft_wq_add(q, fn, ctx, total);
	at = extra + (size_t)n * sizeof(w);
	for (i = 0; i < n; i++) {
		w = s[i] ? lens[i] : NONE;
		memcpy(job + extra + (size_t)i * sizeof(w), &w, sizeof(w));
		if (!s[i])
			continue;
		memcpy(job + at, s[i], lens[i]);
		job[at + lens[i]] = '\0';
		at += lens[i] + 1;
	}
	return job;
}

void
ft_wq_strs(void *job, size_t extra, const char **s, size_t *len, int n)
{
	unsigned char *p = job;
	size_t at, w;
	int i;

	extra = ROUND(extra);
	at = extra + (size_t)n * sizeof(w);
	for (i = 0; i < n; i++) {
		memcpy(&w, p + extra + (size_t)i * sizeof(w), sizeof(w));
		if (w == NONE) {
			s[i] = NULL;
			if (len)
				len[i] = 0;
			continue;
		}
		s[i] = (const char *)p + at;
		if (len)
			len[i] = w;
		at += w + 1;
	}
}

int
ft_wq_sync(struct ft_wq *q)
{
	int st;

	hand_over(q);
	pthread_mutex_lock(&q->mu);
	while (q->nq || q->busy)
		pthread_cond_wait(&q->cv, &q->mu);
	st = q->err;
	q->err = FT_OK;
	pthread_mutex_unlock(&q->mu);
	return st;
}

void
ft_wq_stop(struct ft_wq *q)
{
	struct blk *b;

	if (!q)
		return;
	ft_wq_sync(q);
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->tid, NULL);
	while ((b = q->spare)) {
		q->spare = b->next;
		free(b);
	}
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
