/*
 * ft_stmt.h - a table of SQL statements, prepared once a run when first
 * used: the SQLite side of the storage seam (ft_store.h), shared by the
 * store's modules (ft_store.c: events, areas, history; ft_store_vote.c
 * and ft_store_ingest.c as they move behind the seam).  Nothing outside
 * those modules and ft_db includes it: a second backend would replace
 * them whole, not this.
 *
 * A module names its statements by an enum and keeps their text in one
 * array of struct ft_stmt_def indexed by it; struct ft_stmts holds the
 * prepared statements of one connection.
 */
#ifndef FT_STMT_H
#define FT_STMT_H

#include "ft_buf.h"
#include "ft_db.h"

#include <sqlite3.h>
#include <stddef.h>

struct ft_stmt_def {
	const char *sql;
	const char *what; /* for a message: "reading an event" */
};

struct ft_stmts {
	struct ft_db *db;
	const struct ft_stmt_def *def;
	sqlite3_stmt **st;
	int n;
};

/* Sets t up for the n statements of def on db (nothing is prepared). */
void ft_stmts_init(struct ft_stmts *t, struct ft_db *db,
		   const struct ft_stmt_def *def, int n);
void ft_stmts_release(struct ft_stmts *t);

/* Statement i, prepared the first time; NULL after a message. */
sqlite3_stmt *ft_stmts_get(struct ft_stmts *t, int i);

/*
 * Steps statement i once: FT_OK with *row 1 on a row (the statement left
 * on it, for the caller to read and then ft_stmts_done()), 0 when done
 * (reset); or a status after a message (reset).
 */
int ft_stmts_step(struct ft_stmts *t, int i, int *row);

/* Resets statement i and clears its bindings. */
void ft_stmts_done(struct ft_stmts *t, int i);

/* Runs statement i to its end, ignoring any row.  Returns a status. */
int ft_stmts_run(struct ft_stmts *t, int i);

/*
 * Walks statement i (bound by the caller): each(st, ctx) reads a row.
 * Returns the first status other than FT_OK.
 */
int ft_stmts_walk(struct ft_stmts *t, int i,
		  int (*each)(sqlite3_stmt *st, void *ctx), void *ctx);

/* Binds text v (n bytes; NULL: SQL NULL), not copied. */
void ft_sql_bind_text(sqlite3_stmt *st, int i, const char *v, size_t n);
/* The same for a NUL-terminated v (NULL: SQL NULL). */
void ft_sql_bind_str(sqlite3_stmt *st, int i, const char *v);

/* Column i of the row as text, or NULL. */
const char *ft_sql_col(sqlite3_stmt *st, int i);

/* Column i of the row as text copied into b, or NULL. */
const char *ft_sql_keep(struct ft_buf *b, sqlite3_stmt *st, int i);

#endif
