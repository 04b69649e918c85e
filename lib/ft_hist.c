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
	return ft_store_open(&h->store, db);
}

void
ft_hist_release(struct ft_hist *h)
{
	ft_store_close(h->store);
	h->store = NULL;
	ft_buf_release(&h->text);
	free(h->user);
	h->user = NULL;
}

const char *
ft_hist_user(const struct ft_hist *h)
{
	return h->user;
}

/*
 * The previous entry's hash.  It is read once a transaction: while the
 * transaction holds the write lock no other tool appends, so the chain can
 * go on from memory.
 */
static int
previous(struct ft_hist *h)
{
	int st;

	if (h->have_prev && h->db->in_tx && h->txn == h->db->txn)
		return FT_OK;
	if ((st = ft_store_history_last_hash(h->store, h->prev)))
		return st;
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
	struct ft_history_row r = { 0 };
	struct ft_buf *t = &h->text;
	struct ft_sha256 c;
	unsigned char md[32];
	char hex[65];
	const char *by = e->by ? e->by : h->user;
	int s;

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

	r.kind = e->kind;
	r.id = e->id;
	r.idlen = e->idlen;
	r.at = e->at;
	r.tool = h->tool;
	r.by = by;
	r.action = e->action;
	r.from = e->from;
	r.to = e->to;
	r.detail = e->detail;
	r.detaillen = e->detaillen;
	r.ingest = e->ingest;
	r.hash = hex;
	if ((s = ft_store_history_append(h->store, &r)))
		return s;
	memcpy(h->prev, hex, sizeof(hex));
	return FT_OK;
}

/* ft_hist_verify()'s walk: the chain so far. */
struct verify {
	struct ft_store *s;
	struct ft_sha256 ids; /* of the events an entry logged */
	int64_t got;
	long n;
	char *head;
};

static int
id_one(void *arg, const char *id, size_t n)
{
	struct verify *v = arg;

	ft_sha256_add(&v->ids, id, n);
	ft_sha256_add(&v->ids, "\n", 1);
	v->got++;
	return FT_OK;
}

/*
 * Checks the events an "ingest" entry of many (ft_ingest.c's log_created)
 * logged: the events of seqs first..last, count of them, whose ids, each
 * with a newline, have the SHA-256 ids.  Returns a status, after naming
 * the entry when they are not as logged.
 */
static int
verify_created(struct verify *v, const struct ft_history_row *r)
{
	unsigned char md[32];
	char hex[65];
	int st;

	ft_sha256_init(&v->ids);
	v->got = 0;
	if ((st = ft_store_event_ids_each(v->s, r->first_seq, r->last_seq,
					  id_one, v)))
		return st;
	ft_sha256_done(&v->ids, md);
	ft_hex(hex, md, sizeof(md));
	if (v->got == r->events && r->ids && !strcmp(r->ids, hex))
		return FT_OK;
	ft_error("%s: history entry %lld: the %lld events it logged as "
		 "loaded (seq %lld to %lld) are not as logged: %s",
		 ft_store_name(v->s), (long long)r->seq, (long long)r->events,
		 (long long)r->first_seq, (long long)r->last_seq,
		 v->got != r->events ? "an event was deleted or added" :
				       "an event's id was changed");
	return FT_DATAERR;
}

static int
verify_one(void *arg, const struct ft_history_row *r)
{
	struct verify *v = arg;
	struct ft_sha256 c;
	unsigned char md[32];
	char hex[65];
	int st;

	ft_sha256_init(&c);
	ft_sha256_add(&c, v->head, strlen(v->head));
	ft_sha256_add(&c, r->canon, r->canonlen);
	ft_sha256_done(&c, md);
	ft_hex(hex, md, sizeof(md));
	if (!r->hash || strcmp(r->hash, hex)) {
		ft_error("%s: history entry %lld: %s: the chain breaks here "
			 "(this entry was altered, or one before it altered, "
			 "inserted or deleted)",
			 ft_store_name(v->s), (long long)r->seq,
			 r->hash ? "hash does not match" : "no hash");
		return FT_DATAERR;
	}
	if (r->many && (st = verify_created(v, r)))
		return st;
	memcpy(v->head, hex, 65);
	v->n++;
	return FT_OK;
}

int
ft_hist_verify(struct ft_db *db, long *n, char head[65])
{
	struct verify v;
	int st;

	memset(&v, 0, sizeof(v));
	v.head = head;
	*n = 0;
	head[0] = '\0';
	if ((st = ft_store_open(&v.s, db)) == FT_OK)
		st = ft_store_history_each(v.s, verify_one, &v);
	ft_store_close(v.s);
	*n = v.n;
	return st;
}
