#include "ft_stmt.h"
#include "ft_err.h"
#include "ft_exit.h"

#include <stdlib.h>
#include <string.h>

void
ft_stmts_init(struct ft_stmts *t, struct ft_db *db,
	      const struct ft_stmt_def *def, int n)
{
	t->db = db;
	t->def = def;
	t->n = n;
	t->st = ft_xmalloc((size_t)n * sizeof(sqlite3_stmt *));
	memset(t->st, 0, (size_t)n * sizeof(sqlite3_stmt *));
}

void
ft_stmts_release(struct ft_stmts *t)
{
	int i;

	if (!t->st)
		return;
	for (i = 0; i < t->n; i++)
		sqlite3_finalize(t->st[i]);
	free(t->st);
	t->st = NULL;
}

sqlite3_stmt *
ft_stmts_get(struct ft_stmts *t, int i)
{
	if (!t->st[i])
		t->st[i] = ft_db_prepare(t->db, t->def[i].sql);
	return t->st[i];
}

int
ft_stmts_step(struct ft_stmts *t, int i, int *row)
{
	sqlite3_stmt *st = t->st[i];
	int rc = sqlite3_step(st);

	*row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW)
		return FT_OK;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? FT_OK :
				   ft_db_fail(t->db, rc, t->def[i].what);
}

void
ft_stmts_done(struct ft_stmts *t, int i)
{
	sqlite3_reset(t->st[i]);
	sqlite3_clear_bindings(t->st[i]);
}

int
ft_stmts_run(struct ft_stmts *t, int i)
{
	int row, st = ft_stmts_step(t, i, &row);

	if (row)
		ft_stmts_done(t, i);
	return st;
}

int
ft_stmts_walk(struct ft_stmts *t, int i,
	      int (*each)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	sqlite3_stmt *st = ft_stmts_get(t, i);
	int row, rc;

	if (!st)
		return FT_SOFTWARE;
	while ((rc = ft_stmts_step(t, i, &row)) == FT_OK && row)
		if ((rc = each(st, ctx)) != FT_OK) {
			ft_stmts_done(t, i);
			return rc;
		}
	return rc;
}

void
ft_sql_bind_text(sqlite3_stmt *st, int i, const char *v, size_t n)
{
	if (v)
		sqlite3_bind_text(st, i, v, (int)n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

void
ft_sql_bind_str(sqlite3_stmt *st, int i, const char *v)
{
	ft_sql_bind_text(st, i, v, v ? strlen(v) : 0);
}

const char *
ft_sql_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

const char *
ft_sql_keep(struct ft_buf *b, sqlite3_stmt *st, int i)
{
	const char *t = ft_sql_col(st, i);

	if (!t)
		return NULL;
	ft_buf_reset(b);
	ft_buf_add(b, t, (size_t)sqlite3_column_bytes(st, i));
	return b->s;
}
