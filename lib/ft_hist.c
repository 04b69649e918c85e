#include "ft_hist.h"
#include "ft_buf.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_json.h"
#include "ft_sha256.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *user; /* set by main(), from FT_USER */

void
ft_hist_set_user(const char *name)
{
	user = name;
}

int
ft_hist_init(struct ft_hist *h, struct ft_db *db, const char *tool)
{
	const char *u = user;
	struct passwd *pw;

	memset(h, 0, sizeof(*h));
	h->db = db;
	h->tool = tool;
	if (!u || !*u) {
		pw = getpwuid(getuid());
		u = pw ? pw->pw_name : "unknown";
	}
	h->user = ft_xstrdup(u);
	ft_buf_init(&h->text);
	h->ins = ft_db_prepare(db, "INSERT INTO history(kind, id, at, tool, "
			       "by, action, from_status, to_status, detail, "
			       "ingest, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
			       "?7, ?8, ?9, ?10, ?11)");
	h->last = ft_db_prepare(db, "SELECT hash FROM history ORDER BY seq "
				"DESC LIMIT 1");
	return h->ins && h->last ? FT_OK : FT_SOFTWARE;
}

void
ft_hist_release(struct ft_hist *h)
{
	sqlite3_finalize(h->ins);
	sqlite3_finalize(h->last);
	h->ins = h->last = NULL;
	ft_buf_release(&h->text);
	free(h->user);
	h->user = NULL;
}

const char *
ft_hist_user(const struct ft_hist *h)
{
	return h->user;
}

static void
bind_opt(sqlite3_stmt *st, int i, const char *s, size_t n)
{
	if (s)
		sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/*
 * The previous entry's hash.  It is read once a transaction: while the
 * transaction holds the write lock no other tool appends, so the chain can
 * go on from memory.
 */
static int
previous(struct ft_hist *h)
{
	const char *p;
	int rc;

	if (h->have_prev && h->db->in_tx && h->txn == h->db->txn)
		return FT_OK;
	rc = sqlite3_step(h->last);
	p = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(h->last, 0)
			     : NULL;
	snprintf(h->prev, sizeof(h->prev), "%s", p ? p : "");
	sqlite3_reset(h->last);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ft_db_fail(h->db, rc, "reading the history");
	h->txn = h->db->txn;
	h->have_prev = 1;
	return FT_OK;
}

/* Appends a text value as SQLite's json_array() writes it. */
static void
text_value(struct ft_buf *b, const char *s, size_t n)
{
	if (s)
		ft_json_escape(b, s, n);
	else
		ft_buf_adds(b, "null");
}

int
ft_hist_add(struct ft_hist *h, const struct ft_hist_entry *e)
{
	sqlite3_stmt *st = h->ins;
	struct ft_buf *t = &h->text;
	struct ft_sha256 c;
	unsigned char md[32];
	char hex[65];
	const char *by = e->by ? e->by : h->user;
	int rc, s;

	if ((s = previous(h)))
		return s;
	/* json_array(kind, id, at, tool, by, action, from_status, to_status,
	 * detail, ingest): the text ft_hist_verify() has SQLite make. */
	ft_buf_reset(t);
	ft_buf_addc(t, '[');
	text_value(t, e->kind, strlen(e->kind));
	ft_buf_addc(t, ',');
	text_value(t, e->id, e->idlen);
	ft_buf_addc(t, ',');
	text_value(t, e->at, strlen(e->at));
	ft_buf_addc(t, ',');
	text_value(t, h->tool, strlen(h->tool));
	ft_buf_addc(t, ',');
	text_value(t, by, strlen(by));
	ft_buf_addc(t, ',');
	text_value(t, e->action, strlen(e->action));
	ft_buf_addc(t, ',');
	text_value(t, e->from, e->from ? strlen(e->from) : 0);
	ft_buf_addc(t, ',');
	text_value(t, e->to, e->to ? strlen(e->to) : 0);
	ft_buf_addc(t, ',');
	text_value(t, e->detail, e->detaillen);
	ft_buf_addc(t, ',');
	if (e->ingest)
		ft_json_number(t, (double)e->ingest);	/* run numbers: exact */
	else
		ft_buf_adds(t, "null");
	ft_buf_addc(t, ']');
	ft_sha256_init(&c);
	ft_sha256_add(&c, h->prev, strlen(h->prev));
	ft_sha256_add(&c, t->s, t->len);
	ft_sha256_done(&c, md);
	ft_hex(hex, md, sizeof(md));

	sqlite3_bind_text(st, 1, e->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->id, (int)e->idlen, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, h->tool, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e->action, -1, SQLITE_STATIC);
	bind_opt(st, 7, e->from, e->from ? strlen(e->from) : 0);
	bind_opt(st, 8, e->to, e->to ? strlen(e->to) : 0);
	bind_opt(st, 9, e->detail, e->detaillen);
	if (e->ingest)
		sqlite3_bind_int64(st, 10, e->ingest);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_text(st, 11, hex, 64, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ft_db_fail(h->db, rc, "logging a change");
	memcpy(h->prev, hex, sizeof(hex));
	return FT_OK;
}

/*
 * Checks the events an "ingest" entry of many (ft_ingest.c's log_created)
 * logged: the events of seqs first..last, count of them, whose ids, each
 * with a newline, have the SHA-256 ids.  Returns a status, after naming
 * the entry (seq) when they are not as logged.
 */
static int
verify_created(struct ft_db *db, sqlite3_stmt *ev, long long seq,
	       sqlite3_int64 first, sqlite3_int64 last, sqlite3_int64 count,
	       const char *ids)
{
	struct ft_sha256 c;
	unsigned char md[32];
	char hex[65];
	sqlite3_int64 got = 0;
	int rc;

	ft_sha256_init(&c);
	sqlite3_bind_int64(ev, 1, first);
	sqlite3_bind_int64(ev, 2, last);
	while ((rc = sqlite3_step(ev)) == SQLITE_ROW) {
		ft_sha256_add(&c, sqlite3_column_text(ev, 0),
			      (size_t)sqlite3_column_bytes(ev, 0));
		ft_sha256_add(&c, "\n", 1);
		got++;
	}
	sqlite3_reset(ev);
	if (rc != SQLITE_DONE)
		return ft_db_fail(db, rc, "reading the events");
	ft_sha256_done(&c, md);
	ft_hex(hex, md, sizeof(md));
	if (got == count && ids && !strcmp(ids, hex))
		return FT_OK;
	ft_error("%s: history entry %lld: the %lld events it logged as "
		 "loaded (seq %lld to %lld) are not as logged: %s", db->path,
		 seq, (long long)count, (long long)first, (long long)last,
		 got != count ? "an event was deleted or added"
			      : "an event's id was changed");
	return FT_DATAERR;
}

int
ft_hist_verify(struct ft_db *db, long *n, char head[65])
{
	sqlite3_stmt *st, *ev = NULL;
	struct ft_sha256 c;
	unsigned char md[32];
	char hex[65];
	int rc, status = FT_OK;

	*n = 0;
	head[0] = '\0';
	/* Columns 3-6: what an ingest entry of many events says of them. */
	rc = sqlite3_prepare_v2(db->h, "SELECT seq, hash, json_array(kind, "
				"id, at, tool, by, action, from_status, "
				"to_status, detail, ingest), CASE WHEN kind = "
				"'event' AND id = '' AND action = 'ingest' AND "
				"json_valid(detail) THEN 1 END, "
				"json_extract(detail, '$.first_seq'), "
				"json_extract(detail, '$.last_seq'), "
				"json_extract(detail, '$.events'), "
				"json_extract(detail, '$.ids') FROM history "
				"ORDER BY seq", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db->h, "SELECT id FROM events WHERE "
					"seq BETWEEN ?1 AND ?2 ORDER BY seq",
					-1, &ev, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return ft_db_fail(db, rc, "reading the history");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *stored = (const char *)sqlite3_column_text(st, 1);
		const void *txt = sqlite3_column_text(st, 2);

		ft_sha256_init(&c);
		ft_sha256_add(&c, head, strlen(head));
		ft_sha256_add(&c, txt, (size_t)sqlite3_column_bytes(st, 2));
		ft_sha256_done(&c, md);
		ft_hex(hex, md, sizeof(md));
		if (!stored || strcmp(stored, hex)) {
			ft_error("%s: history entry %lld: %s: the chain "
				 "breaks here (this entry was altered, or one "
				 "before it altered, inserted or deleted)",
				 db->path,
				 (long long)sqlite3_column_int64(st, 0),
				 stored ? "hash does not match" : "no hash");
			status = FT_DATAERR;
			break;
		}
		if (sqlite3_column_type(st, 3) != SQLITE_NULL &&
		    (status = verify_created(db, ev,
					     sqlite3_column_int64(st, 0),
					     sqlite3_column_int64(st, 4),
					     sqlite3_column_int64(st, 5),
					     sqlite3_column_int64(st, 6),
					     (const char *)
					     sqlite3_column_text(st, 7))))
			break;
		memcpy(head, hex, 65);
		++*n;
	}
	if (status == FT_OK && rc != SQLITE_DONE)
		status = ft_db_fail(db, rc, "reading the history");
	sqlite3_finalize(st);
	sqlite3_finalize(ev);
	return status;
}
