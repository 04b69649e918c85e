#include "ft_store_rd.h"
#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_stmt.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum stmt {
	SERIES_FIRST,
	SERIES_SAME,
	SERIES_NEXT,
	CHUNK,
	NSTMT
};

/*
 * The series are found by seeking the key, one step a series, not by
 * reading every row (SELECT DISTINCT would).
 */
static const struct ft_stmt_def stmts[NSTMT] = {
	[SERIES_FIRST] = { "SELECT sensor, metric FROM readings ORDER BY "
			   "sensor, metric LIMIT 1",
			   "reading the series of the readings" },
	[SERIES_SAME] = { "SELECT metric FROM readings WHERE sensor = ?1 AND "
			  "metric > ?2 ORDER BY metric LIMIT 1",
			  "reading the series of the readings" },
	[SERIES_NEXT] = { "SELECT sensor, metric FROM readings WHERE sensor > "
			  "?1 ORDER BY sensor, metric LIMIT 1",
			  "reading the series of the readings" },
	[CHUNK] = { "SELECT at, value FROM readings WHERE sensor = ?1 AND "
		    "metric = ?2 AND at >= ?3 AND at < ?4 ORDER BY at LIMIT ?5",
		    "reading the readings of a period" },
};

/* A series: a chunk of its readings, read from at >= from. */
struct series {
	char *sensor, *metric;
	int64_t *at;
	double *value;
	int n, i; /* the chunk holds n, the next is i */
	int64_t from;
	int end; /* the chunk was the last */
};

/*
 * A series with readings left, in the queue or the heap by (next at,
 * series) (see struct ft_store_rd): the time of its next reading is here,
 * so that ordering them reads no series (with 10,000 series, each of those
 * reads was a wait on memory).
 */
struct hent {
	int64_t at;
	int k;
};

/*
 * The series with readings left are in two places, in order of (next at,
 * series) taken together: a queue of those already in that order, which
 * a series goes to the end of when its next reading comes after all of
 * the queue's (as it does when the series report at the same times, round
 * after round: then no series is in the heap after the first round), and
 * a heap of the others.  Each series is in one of them at most.
 */
struct ft_store_rd {
	struct ft_stmts t;
	int64_t until;
	struct series *s;
	size_t ns, cap;
	int chunk;
	struct hent *heap;
	size_t nh;
	struct hent *q; /* q[qh..qh+nq), modulo ns */
	size_t qh, nq;
};

static int
less(const struct hent *a, const struct hent *b)
{
	return a->at < b->at || (a->at == b->at && a->k < b->k);
}

static void
sift_down(struct ft_store_rd *m, size_t i)
{
	struct hent *h = m->heap, t;

	for (;;) {
		size_t l = 2 * i + 1, c = i;

		if (l < m->nh && less(&h[l], &h[c]))
			c = l;
		if (l + 1 < m->nh && less(&h[l + 1], &h[c]))
			c = l + 1;
		if (c == i)
			return;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
}

static void
sift_up(struct ft_store_rd *m, size_t i)
{
	struct hent *h = m->heap, t;

	while (i > 0 && less(&h[i], &h[(i - 1) / 2])) {
		t = h[i];
		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

/* The series whose reading comes next: in the queue (1), the heap (0). */
static int
first_in_queue(const struct ft_store_rd *m)
{
	return m->nq && (!m->nh || less(&m->q[m->qh], &m->heap[0]));
}

/* Series k, whose next reading is at at, back among those left. */
static void
put_back(struct ft_store_rd *m, int64_t at, int k)
{
	struct hent e = { at, k };

	if (!m->nq || less(&m->q[(m->qh + m->nq - 1) % m->ns], &e)) {
		m->q[(m->qh + m->nq++) % m->ns] = e;
		return;
	}
	m->heap[m->nh] = e;
	sift_up(m, m->nh++);
}

/* Reads the next chunk of series k: its n is 0 when none is left. */
static int
fill(struct ft_store_rd *m, int k)
{
	struct series *s = &m->s[k];
	sqlite3_stmt *st = ft_stmts_get(&m->t, CHUNK);
	int row, rc;

	s->n = s->i = 0;
	if (s->end)
		return FT_OK;
	if (!st)
		return FT_SOFTWARE;
	if (!s->at) {
		s->at = ft_xmalloc((size_t)m->chunk * sizeof(*s->at));
		s->value = ft_xmalloc((size_t)m->chunk * sizeof(*s->value));
	}
	sqlite3_bind_text(st, 1, s->sensor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->metric, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->from);
	sqlite3_bind_int64(st, 4, m->until);
	sqlite3_bind_int(st, 5, m->chunk);
	while (!(rc = ft_stmts_step(&m->t, CHUNK, &row)) && row) {
		s->at[s->n] = sqlite3_column_int64(st, 0);
		s->value[s->n++] = sqlite3_column_double(st, 1);
	}
	if (rc)
		return rc;
	if (s->n < m->chunk)
		s->end = 1;
	else
		s->from = s->at[s->n - 1] + 1;
	return FT_OK;
}

static void
add_series(struct ft_store_rd *m, const char *sensor, const char *metric,
	   int64_t since)
{
	struct series *s;

	if (m->ns == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->s = ft_xrealloc(m->s, m->cap * sizeof(*m->s));
	}
	s = &m->s[m->ns++];
	memset(s, 0, sizeof(*s));
	s->sensor = strdup(sensor);
	s->metric = strdup(metric);
	if (!s->sensor || !s->metric)
		abort();
	s->from = since;
}

/* Every series, in the order of the key. */
static int
find_series(struct ft_store_rd *m, int64_t since)
{
	sqlite3_stmt *st;
	int row, rc;
	char *sensor;

	if (!(st = ft_stmts_get(&m->t, SERIES_FIRST)))
		return FT_SOFTWARE;
	if ((rc = ft_stmts_step(&m->t, SERIES_FIRST, &row)) || !row)
		return rc;
	add_series(m, ft_sql_col(st, 0), ft_sql_col(st, 1), since);
	ft_stmts_done(&m->t, SERIES_FIRST);
	for (;;) {
		struct series *last = &m->s[m->ns - 1];

		if (!(st = ft_stmts_get(&m->t, SERIES_SAME)))
			return FT_SOFTWARE;
		sqlite3_bind_text(st, 1, last->sensor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, last->metric, -1, SQLITE_STATIC);
		if ((rc = ft_stmts_step(&m->t, SERIES_SAME, &row)))
			return rc;
		if (row) {
			sensor = last->sensor;
			add_series(m, sensor, ft_sql_col(st, 0), since);
			ft_stmts_done(&m->t, SERIES_SAME);
			continue;
		}
		if (!(st = ft_stmts_get(&m->t, SERIES_NEXT)))
			return FT_SOFTWARE;
		sqlite3_bind_text(st, 1, last->sensor, -1, SQLITE_STATIC);
		if ((rc = ft_stmts_step(&m->t, SERIES_NEXT, &row)) || !row)
			return rc;
		add_series(m, ft_sql_col(st, 0), ft_sql_col(st, 1), since);
		ft_stmts_done(&m->t, SERIES_NEXT);
	}
}

int
ft_store_rd_open(struct ft_store_rd **mp, struct ft_db *db, int64_t since,
		 int64_t until)
{
	struct ft_store_rd *m = ft_xmalloc(sizeof(*m));
	size_t i;
	int rc;

	memset(m, 0, sizeof(*m));
	*mp = m;
	ft_stmts_init(&m->t, db, stmts, NSTMT);
	m->until = until;
	if ((rc = find_series(m, since)))
		return rc;
	/* About 16 MB of chunks however many series: 8 to 1024 readings. */
	m->chunk = m->ns ? (int)((1 << 20) / m->ns) : 8;
	m->chunk = m->chunk < 8 ? 8 : m->chunk > 1024 ? 1024 : m->chunk;
	m->heap = ft_xmalloc((m->ns ? m->ns : 1) * sizeof(*m->heap));
	m->q = ft_xmalloc((m->ns ? m->ns : 1) * sizeof(*m->q));
	for (i = 0; i < m->ns; i++) {
		if ((rc = fill(m, (int)i)))
			return rc;
		if (m->s[i].n) {
			m->heap[m->nh].at = m->s[i].at[0];
			m->heap[m->nh++].k = (int)i;
		}
	}
	for (i = m->nh / 2; i-- > 0;)
		sift_down(m, i);
	return FT_OK;
}

void
ft_store_rd_close(struct ft_store_rd *m)
{
	size_t i;

	if (!m)
		return;
	ft_stmts_release(&m->t);
	for (i = 0; i < m->ns; i++) {
		free(m->s[i].sensor);
		free(m->s[i].metric);
		free(m->s[i].at);
		free(m->s[i].value);
	}
	free(m->s);
	free(m->heap);
	free(m->q);
	free(m);
}

int
ft_store_rd_peek(struct ft_store_rd *m, int *any, int64_t *at)
{
	if (!(*any = m->nh > 0 || m->nq > 0))
		return FT_OK;
	*at = first_in_queue(m) ? m->q[m->qh].at : m->heap[0].at;
	return FT_OK;
}

int
ft_store_rd_next(struct ft_store_rd *m, struct ft_reading *r, int *any)
{
	struct series *s;
	int k, rc;

	if (!(*any = m->nh > 0 || m->nq > 0))
		return FT_OK;
	if (first_in_queue(m)) {
		k = m->q[m->qh].k;
		m->qh = (m->qh + 1) % m->ns;
		m->nq--;
	} else {
		k = m->heap[0].k;
		m->heap[0] = m->heap[--m->nh];
		sift_down(m, 0);
	}
	s = &m->s[k];
	r->sensor = s->sensor;
	r->metric = s->metric;
	r->at = s->at[s->i];
	r->value = s->value[s->i];
	if (++s->i == s->n && (rc = fill(m, k)))
		return rc;
	if (s->n)
		put_back(m, s->at[s->i], k);
	return FT_OK;
}
