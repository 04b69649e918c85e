/*
 * ft_store_report.c - ft-report's statements and the operations over
 * them: see ft_store_report.h.
 */
#include "ft_store_report.h"
#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_keymap.h"
#include "ft_stmt.h"
#include "ft_store_report_sql.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The events that count: see ft_store_report_sql.h. */
#define FILTER FT_SR_FILTER

/*
 * The key, column C, of each event of E (E: "events e", read through the
 * index of reported_at; "events e NOT INDEXED", the table read whole; or
 * as of ?7): counted in C (count_row()), not by a GROUP BY, which sorts
 * every row (5,000,000 events, the table read whole: 1.0 user s for the
 * categories alone, 3.4 grouped by SQLite).
 */
#define KEYS_ON(E, C) "SELECT e." C " FROM " E " WHERE" FILTER
#define KEYS_BY(C) KEYS_ON("events e", C)
#define KEYS_SCAN(C) KEYS_ON("events e NOT INDEXED", C)
#define KEYS_AT(C) KEYS_ON(FT_SR_EVENTS_AT, C)

/*
 * ?6 the kind: each unit's nearest unit of that kind, itself or above it
 * (the bare column id beside min(n) is the row of the least n), and the
 * events by it.
 */
#define AREA_LEVEL_ON(E) \
	"WITH RECURSIVE up(start, id, kind, parent, n) AS" \
	" (SELECT id, id, kind, parent, 0 FROM units UNION ALL" \
	" SELECT up.start, u.id, u.kind, u.parent, up.n + 1 FROM up" \
	" JOIN units u ON u.id = up.parent WHERE up.n < 64)," \
	" lv(start, id) AS (SELECT start, id FROM (SELECT start, id," \
	" min(n) FROM up WHERE kind = ?6 GROUP BY start))" \
	" SELECT lv.id FROM " E " LEFT JOIN lv ON" \
	" lv.start = e.area WHERE" FILTER

/* The statements, by name. */
enum stmt {
	UNIT_KIND,
	COUNT,
	BY_CATEGORY,
	BY_SOURCE,
	BY_UNIT,
	BY_AREA,
	BY_FACILITY,
	BY_AREA_LEVEL,
	/* The same in the same order, as of ?7 (--as-of). */
	COUNT_AT,
	BY_CATEGORY_AT,
	BY_SOURCE_AT,
	BY_UNIT_AT,
	BY_AREA_AT,
	BY_FACILITY_AT,
	BY_AREA_LEVEL_AT,
	/* COUNT without a filter given: the index of reported_at alone. */
	COUNT_ALL,
	/* ft_sr_wide()'s. */
	WIDE_BOUNDS,
	WIDE_OUTSIDE,
	/* BY_CATEGORY..BY_AREA_LEVEL over the table read whole. */
	BY_CATEGORY_SCAN,
	BY_SOURCE_SCAN,
	BY_UNIT_SCAN,
	BY_AREA_SCAN,
	BY_FACILITY_SCAN,
	BY_AREA_LEVEL_SCAN,
	NSTMT
};

#define AT(n) ((n) + (COUNT_AT - COUNT))
#define SCAN(n) ((n) + (BY_CATEGORY_SCAN - BY_CATEGORY))

/* Every statement of ft-report, in one place. */
static const struct ft_stmt_def stmts[NSTMT] = {
	[UNIT_KIND] = { "SELECT kind FROM units WHERE id = ?1",
			"reading the units" },
	[COUNT] = { "SELECT count(*) FROM events e WHERE" FILTER,
		    "counting the events" },
	[BY_CATEGORY] = { KEYS_BY("category"), "counting the events" },
	[BY_SOURCE] = { KEYS_BY("source"), "counting the events" },
	[BY_UNIT] = { KEYS_BY("unit"), "counting the events" },
	[BY_AREA] = { KEYS_BY("area"), "counting the events" },
	[BY_FACILITY] = { KEYS_BY("facility"), "counting the events" },
	[BY_AREA_LEVEL] = { AREA_LEVEL_ON("events e"), "counting the events" },
	[COUNT_AT] = { "SELECT count(*) FROM " FT_SR_EVENTS_AT " WHERE" FILTER,
		       "counting the events as they were" },
	[BY_CATEGORY_AT] = { KEYS_AT("category"),
			     "counting the events as they were" },
	[BY_SOURCE_AT] = { KEYS_AT("source"),
			   "counting the events as they were" },
	[BY_UNIT_AT] = { KEYS_AT("unit"), "counting the events as they were" },
	[BY_AREA_AT] = { KEYS_AT("area"), "counting the events as they were" },
	[BY_FACILITY_AT] = { KEYS_AT("facility"),
			     "counting the events as they were" },
	[BY_AREA_LEVEL_AT] = { AREA_LEVEL_ON(FT_SR_EVENTS_AT),
			       "counting the events as they were" },
	/*
	 * A period of --by day counted without testing the three filters at
	 * each event (92 days of 5,000,000 events took 0.48 user s with the
	 * filters, 0.25 for the same counts in plain SQL).
	 */
	[COUNT_ALL] = { "SELECT count(*) FROM events e WHERE"
			" e.reported_at >= ?1 AND e.reported_at < ?2",
			"counting the events" },
	[WIDE_BOUNDS] = { FT_SR_WIDE_BOUNDS, "looking at the events' times" },
	[WIDE_OUTSIDE] = { FT_SR_WIDE_OUTSIDE, "looking at the events' times" },
	[BY_CATEGORY_SCAN] = { KEYS_SCAN("category"), "counting the events" },
	[BY_SOURCE_SCAN] = { KEYS_SCAN("source"), "counting the events" },
	[BY_UNIT_SCAN] = { KEYS_SCAN("unit"), "counting the events" },
	[BY_AREA_SCAN] = { KEYS_SCAN("area"), "counting the events" },
	[BY_FACILITY_SCAN] = { KEYS_SCAN("facility"), "counting the events" },
	[BY_AREA_LEVEL_SCAN] = { AREA_LEVEL_ON("events e NOT INDEXED"),
				 "counting the events" },
};

struct ft_store_report {
	struct ft_db *db;
	struct ft_stmts t;
};

struct ft_store_report *
ft_store_report_open(struct ft_db *db)
{
	struct ft_store_report *s = ft_xmalloc(sizeof(*s));

	memset(s, 0, sizeof(*s));
	/*
	 * Sorts and groups of millions of rows spill to a temporary file, as
	 * SQLite does by default: with ft_db's temp_store = MEMORY the events
	 * report by category took 1.8x the CPU of the same query with the
	 * default (5,000,000 events: 8.2 against 4.4 user s, 246 MB against
	 * 10).  ft-report makes no temporary table for this to drop.
	 */
	sqlite3_exec(db->h, "PRAGMA temp_store = DEFAULT", NULL, NULL, NULL);
	s->db = db;
	ft_stmts_init(&s->t, db, stmts, NSTMT);
	return s;
}

void
ft_store_report_close(struct ft_store_report *s)
{
	if (!s)
		return;
	ft_stmts_release(&s->t);
	free(s);
}

/* Statement n prepared with the filter's parameters bound, or NULL. */
static sqlite3_stmt *
filtered(struct ft_store_report *s, enum stmt n,
	 const struct ft_store_report_filter *f, const char *from,
	 const char *until)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, n);

	if (!st)
		return NULL;
	if (f->as_of)
		ft_sql_bind_str(st, 7, f->as_of);
	ft_sql_bind_str(st, 1, from);
	ft_sql_bind_str(st, 2, until);
	ft_sql_bind_str(st, 3, f->category);
	ft_sql_bind_str(st, 4, f->unit);
	ft_sql_bind_str(st, 5, f->area);
	return st;
}

int
ft_store_report_unit_kind(struct ft_store_report *s, const char *id,
			  char kind[16], int *found)
{
	sqlite3_stmt *st = ft_stmts_get(&s->t, UNIT_KIND);
	const char *k;
	int rc, row = 0;

	*found = 0;
	kind[0] = '\0';
	if (!st)
		return FT_SOFTWARE;
	ft_sql_bind_str(st, 1, id);
	if ((rc = ft_stmts_step(&s->t, UNIT_KIND, &row)) || !row)
		return rc;
	if ((k = ft_sql_col(st, 0))) {
		strncpy(kind, k, 15);
		kind[15] = '\0';
	}
	*found = 1;
	ft_stmts_done(&s->t, UNIT_KIND);
	return FT_OK;
}

int
ft_store_report_count(struct ft_store_report *s,
		      const struct ft_store_report_filter *f, const char *from,
		      const char *until, int64_t *n)
{
	enum stmt c = f->as_of				? AT(COUNT) :
		      f->category || f->unit || f->area ? COUNT :
							  COUNT_ALL;
	sqlite3_stmt *st = filtered(s, c, f, from, until);
	int rc, row = 0;

	*n = 0;
	if (!st)
		return FT_SOFTWARE;
	if ((rc = ft_stmts_step(&s->t, c, &row)) || !row)
		return rc;
	*n = sqlite3_column_int64(st, 0);
	ft_stmts_done(&s->t, c);
	return FT_OK;
}

/* The events' keys counted: the keys numbered, n[i] the count of key i. */
struct key_count {
	struct ft_keymap m;
	int64_t *n;
	size_t cap;
};

static int
count_row(sqlite3_stmt *st, void *ctx)
{
	struct key_count *kc = ctx;
	const char *k = ft_sql_col(st, 0);
	int added;
	size_t i = ft_keymap_get(&kc->m, k,
				 k ? (size_t)sqlite3_column_bytes(st, 0) : 0,
				 &added);

	if (added) {
		if (i == kc->cap) {
			kc->cap = kc->cap ? 2 * kc->cap : 64;
			kc->n = ft_xrealloc(kc->n, kc->cap * sizeof(int64_t));
		}
		kc->n[i] = 0;
	}
	kc->n[i]++;
	return FT_OK;
}

/* A group, to sort. */
struct group_n {
	const char *key; /* NULL: none */
	size_t len;
	int64_t n;
};

/* The largest first, then none, then the key's bytes (SQLite's BINARY). */
static int
by_count(const void *pa, const void *pb)
{
	const struct group_n *a = pa, *b = pb;
	int c;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	if (!a->key || !b->key)
		return !a->key && !b->key ? 0 : a->key ? 1 : -1;
	if ((c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len)))
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

int
ft_store_report_groups_each(struct ft_store_report *s,
			    const struct ft_store_report_filter *f,
			    const char *from, const char *until,
			    enum ft_store_report_key key, const char *level,
			    int (*fn)(void *ctx, const char *key, int64_t n),
			    void *ctx)
{
	static const enum stmt by[FT_SRK_N] = {
		[FT_SRK_CATEGORY] = BY_CATEGORY,
		[FT_SRK_SOURCE] = BY_SOURCE,
		[FT_SRK_UNIT] = BY_UNIT,
		[FT_SRK_AREA] = BY_AREA,
		[FT_SRK_FACILITY] = BY_FACILITY
	};
	enum stmt b = key == FT_SRK_AREA && level ? BY_AREA_LEVEL : by[key];
	struct key_count kc = { .n = NULL, .cap = 0 };
	struct group_n *g = NULL;
	enum stmt n = b;
	sqlite3_stmt *st;
	size_t i;
	int rc, wide = 0;

	if (f->as_of)
		n = AT(b);
	else if ((rc = ft_sr_wide(&s->t, WIDE_BOUNDS, WIDE_OUTSIDE, from, until,
				  &wide)))
		return rc;
	else if (wide)
		n = SCAN(b);
	if (!(st = filtered(s, n, f, from, until)))
		return FT_SOFTWARE;
	if (b == BY_AREA_LEVEL)
		ft_sql_bind_str(st, 6, level);
	ft_keymap_init(&kc.m);
	rc = ft_stmts_walk(&s->t, n, count_row, &kc);
	if (!rc && kc.m.n) {
		g = ft_xmalloc(kc.m.n * sizeof(struct group_n));
		for (i = 0; i < kc.m.n; i++) {
			g[i].key = ft_keymap_key(&kc.m, i);
			g[i].len = ft_keymap_len(&kc.m, i);
			g[i].n = kc.n[i];
		}
		qsort(g, kc.m.n, sizeof(struct group_n), by_count);
	}
	for (i = 0; !rc && g && i < kc.m.n; i++)
		rc = fn(ctx, g[i].key, g[i].n);
	free(g);
	free(kc.n);
	ft_keymap_release(&kc.m);
	return rc;
}
