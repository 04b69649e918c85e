/*
 * ft_hist.h - the history: the append-only, hash-chained log of every change
 * of every record, written by every tool.
 *
 * Each entry's hash is the hex SHA-256 of the previous entry's hash followed
 * by json_array(kind, id, at, tool, by, action, from_status, to_status,
 * detail, ingest) of the entry itself (see ft(7)).  Editing or deleting an
 * entry therefore breaks the chain at that entry or the one after it, and
 * ft_hist_verify() names the first entry where it breaks.  The triggers of
 * the schema refuse UPDATE and DELETE besides.
 */
#ifndef FT_HIST_H
#define FT_HIST_H

#include "ft_buf.h"
#include "ft_db.h"
#include "ft_store.h"

#include <stddef.h>
#include <stdint.h>

struct ft_hist {
	struct ft_db *db;
	struct ft_store *store;
	char prev[65];		/* the last hash, valid in transaction txn */
	unsigned long txn;
	int have_prev;
	struct ft_buf text;	/* the entry as json_array() renders it */
	const char *tool;	/* borrowed, static */
	char *user;		/* owned: $FT_USER, else the login name */
};

/* One entry.  Strings are borrowed; NULL is SQL NULL. */
struct ft_hist_entry {
	const char *kind;	/* "event", "unit" or "facility" */
	const char *id;
	size_t idlen;
	const char *at;		/* "YYYY-MM-DDTHH:MM:SSZ" */
	const char *by;		/* NULL: the user running the tool */
	const char *action;
	const char *from, *to;	/* statuses */
	const char *detail;	/* JSON text */
	size_t detaillen;
	int64_t ingest;		/* 0: none */
};

/*
 * Prepares appending to db's history as tool.  Returns an exit status.
 */
int ft_hist_init(struct ft_hist *h, struct ft_db *db, const char *tool);

/*
 * Who the entries are by: name (borrowed, kept), else the name of the
 * user the process runs as.  main() sets it from FT_USER.
 */
void ft_hist_set_user(const char *name);
void ft_hist_release(struct ft_hist *h);

/* The user named in entries by default; borrowed. */
const char *ft_hist_user(const struct ft_hist *h);

/* Appends e inside the caller's transaction.  Returns an exit status. */
int ft_hist_add(struct ft_hist *h, const struct ft_hist_entry *e);

/*
 * Walks the whole chain.  Returns FT_OK with the number of entries and the
 * last hash (hex, "" when empty) in head, or FT_DATAERR after naming the
 * first entry that does not match, or a database status.
 */
int ft_hist_verify(struct ft_db *db, long *n, char head[65]);

#endif
