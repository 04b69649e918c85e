/*
 * ft_wq.h - a run's writer: the writes a run decides, done in order by a
 * thread of their own while the run goes on deciding.
 *
 * A job is a function and a copy of what it needs (the caller fills the
 * bytes ft_wq_add() gives it); the jobs run one after the other, in the
 * order they were added, in the writer thread.  The caller must not touch
 * what the jobs use (the database connection above all) until
 * ft_wq_sync() has returned: from then on, until the next job is added,
 * the writer is idle and everything it did is visible to the caller.
 *
 * A job that fails stops the jobs after it (they are dropped, not run)
 * until ft_wq_sync() reports the failure.  Jobs go to the writer a block
 * (FT_WQ_BLOCK bytes) at a time, and the caller waits when a few blocks
 * are already waiting: the memory held is bounded, whatever the rates.
 */
#ifndef FT_WQ_H
#define FT_WQ_H

#include <stddef.h>

struct ft_wq;

/* A job: runs job (its bytes) with ctx; returns an exit status. */
typedef int (*ft_wq_fn)(void *ctx, void *job);

/*
 * Starts a writer thread.  NULL when it cannot (no thread): the caller
 * does its writes itself.  Prints nothing.
 */
struct ft_wq *ft_wq_start(void);

/*
 * Adds a job of len bytes (aligned as malloc() aligns) for fn(ctx, bytes),
 * to be filled by the caller before the next call on q.  Never NULL.
 */
void *ft_wq_add(struct ft_wq *q, ft_wq_fn fn, void *ctx, size_t len);

/*
 * Like ft_wq_add(), with the n (at most FT_WQ_STRS) strings s[0..n) copied after the first
 * extra bytes (len[i]: s[i]'s length, or NULL: each up to its NUL; a NULL
 * string stays NULL); ft_wq_strs() gives them back to the job.  Returns
 * the job: its first extra bytes are the caller's to fill.
 */
#define FT_WQ_STRS 32
void *ft_wq_add_strs(struct ft_wq *q, ft_wq_fn fn, void *ctx, size_t extra,
		     const char *const *s, const size_t *len, int n);
/* In the job: its n strings (each with a NUL), into s and len (or NULL). */
void ft_wq_strs(void *job, size_t extra, const char **s, size_t *len, int n);

/*
 * Waits until every job added has run (or was dropped).  Returns FT_OK,
 * or the status of the first job that failed since the last sync.
 */
int ft_wq_sync(struct ft_wq *q);

/* Syncs (the status is lost: sync first to see it) and ends the thread. */
void ft_wq_stop(struct ft_wq *q);

#endif
