/*
 * ft_warn_esc.c - ft-warn's escalation chains and silences: see
 * ft_warn_esc.h and ft-warn(1).
 */
#include "ft_warn_esc.h"
#include "ft_area.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_hist.h"
#include "ft_json.h"
#include "ft_store.h"
#include "ft_time.h"
#include "ft_warn_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the silences ---- */

static int
sil_one(void *ctx, const struct ft_store_silence *x)
{
	struct ft_warn_sils *ss = ctx;
	struct ft_warn_sil *s;
	const char *err;

	ss->s = ft_xrealloc(ss->s, (ss->n + 1) * sizeof(*ss->s));
	s = &ss->s[ss->n];
	if (ft_time_parse(x->from_at, strlen(x->from_at), &s->from, &err) ||
	    ft_time_parse(x->until_at, strlen(x->until_at), &s->until, &err))
		return FT_OK; /* not a time: it covers nothing */
	s->n = x->silence;
	s->rule = x->rule ? ft_xstrdup(x->rule) : NULL;
	s->key = x->key ? ft_xstrdup(x->key) : NULL;
	ss->n++;
	return FT_OK;
}

int
ft_warn_sils_load(struct ft_warn_sils *ss, struct ft_store_warn *s)
{
	ss->s = NULL;
	ss->n = 0;
	return ft_store_warn_silences_each(s, 0, NULL, sil_one, ss);
}

void
ft_warn_sils_release(struct ft_warn_sils *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++) {
		free(ss->s[i].rule);
		free(ss->s[i].key);
	}
	free(ss->s);
	ss->s = NULL;
	ss->n = 0;
}

const struct ft_warn_sil *
ft_warn_sils_cover(const struct ft_warn_sils *ss, const char *rule,
		   const char *key, int64_t t)
{
	size_t i;

	for (i = 0; i < ss->n; i++) {
		const struct ft_warn_sil *s = &ss->s[i];

		if ((!s->rule || !strcmp(s->rule, rule)) &&
		    (!s->key || !strcmp(s->key, key)) && s->from <= t &&
		    t < s->until)
			return s;
	}
	return NULL;
}

/* ---- escalation ---- */

/* An open warning, copied out of the query (its steps change its row). */
struct esc_item {
	char *id, *rule, *key, *level, *line;
	int64_t raised;
	int escalation;
};

struct esc_list {
	struct esc_item *it;
	size_t n;
	struct ft_buf line;
};

static int
esc_collect(void *ctx, const struct ft_store_warning *w)
{
	struct esc_list *l = ctx;
	struct ft_store_warning c = *w;
	struct esc_item *it;
	const char *err;
	int64_t t;

	if (ft_time_parse(w->raised_at, strlen(w->raised_at), &t, &err))
		return FT_OK;
	l->it = ft_xrealloc(l->it, (l->n + 1) * sizeof(*l->it));
	it = &l->it[l->n++];
	it->id = ft_xstrdup(w->warning);
	it->rule = ft_xstrdup(w->rule);
	it->key = ft_xstrdup(w->key);
	it->level = ft_xstrdup(w->level);
	it->raised = t;
	it->escalation = w->escalation;
	/* The record of a step gives its own "escalation". */
	c.escalation = 0;
	ft_buf_reset(&l->line);
	ft_warn_line(&l->line, &c);
	it->line = ft_xstrdup(l->line.s);
	return FT_OK;
}

struct esc_run {
	struct ft_store_warn *ws;
	struct ft_hist *h;
	const char *now;
	int64_t now_t;
	struct ft_buf detail, out;
	long steps, silenced;
};

/* Fires the steps of rule r due for warning it.  Returns a status. */
static int
esc_one(struct esc_run *e, const struct ft_warn_rule *r,
	const struct esc_item *it)
{
	char due[FT_TIME_LEN];
	int k, st, moved;

	for (k = it->escalation; k >= 0 && (size_t)k < r->nesc; k++) {
		const struct ft_warn_step *p = &r->esc[k];
		struct ft_hist_entry h;

		if (e->now_t < it->raised + p->after)
			break;
		if ((st = ft_store_warn_escalate(e->ws, it->id, k, k + 1,
						 &moved)))
			return st;
		if (!moved)
			break; /* another run did */
		ft_time_format(it->raised + p->after, due);
		ft_buf_reset(&e->detail);
		ft_buf_adds(&e->detail, "{\"rule\":");
		ft_json_escape(&e->detail, it->rule, strlen(it->rule));
		ft_json_put_str(&e->detail, "key", it->key, strlen(it->key));
		ft_json_put_str(&e->detail, "level", it->level,
				strlen(it->level));
		ft_json_put_int(&e->detail, "step", k + 1);
		ft_json_put_int(&e->detail, "after", (long long)p->after);
		ft_json_put_str(&e->detail, "notify", p->notify,
				strlen(p->notify));
		ft_buf_addc(&e->detail, '}');
		memset(&h, 0, sizeof(h));
		h.kind = "warning";
		h.id = it->id;
		h.idlen = strlen(it->id);
		h.at = e->now;
		h.action = "escalate";
		h.from = h.to = "open";
		h.detail = e->detail.s;
		h.detaillen = e->detail.len;
		if ((st = ft_hist_add(e->h, &h)))
			return st;
		ft_buf_adds(&e->out, it->line);
		ft_json_put_str(&e->out, "change", "escalated", 9);
		ft_json_put_int(&e->out, "escalation", k + 1);
		ft_json_put_int(&e->out, "after", (long long)p->after);
		ft_json_put_str(&e->out, "due_at", due, strlen(due));
		ft_json_put_str(&e->out, "notify", p->notify,
				strlen(p->notify));
		ft_buf_adds(&e->out, "}\n");
		e->steps++;
	}
	return FT_OK;
}

int
ft_warn_escalate(struct ft_db *db, const struct ft_warn_esc *o)
{
	struct ft_store_warn_filter f = {
		"open", NULL, NULL, -1, NULL, NULL, 0
	};
	struct ft_warn_rules rules;
	struct ft_warn_sils sils = { NULL, 0 };
	struct esc_list l = { NULL, 0, FT_BUF_INIT };
	struct ft_store *store = NULL;
	struct ft_area *a = NULL;
	struct ft_hist h;
	struct esc_run e;
	char now[FT_TIME_LEN], sil[64] = "";
	size_t i;
	int st, ri;

	memset(&rules, 0, sizeof(rules));
	memset(&h, 0, sizeof(h));
	memset(&e, 0, sizeof(e));
	ft_buf_init(&e.detail);
	ft_buf_init(&e.out);
	e.now_t = ft_time_now();
	ft_time_format(e.now_t, now);
	e.now = now;
	e.h = &h;
	if ((st = ft_store_open(&store, db)) ||
	    (st = ft_area_load(&a, store)) ||
	    (st = ft_warn_rules_load(&rules, o->rules, a)) ||
	    (st = ft_store_warn_open(&e.ws, db)) ||
	    (st = ft_hist_init(&h, db, "ft-warn")) ||
	    (st = ft_db_begin_write(db)) ||
	    (st = ft_warn_sils_load(&sils, e.ws)) ||
	    (st = ft_store_warn_each(e.ws, &f, esc_collect, &l)))
		goto out;
	for (i = 0; i < l.n && !st; i++) {
		const struct esc_item *it = &l.it[i];

		if ((ri = ft_warn_rule_find(&rules, it->rule)) < 0 ||
		    !rules.r[ri].nesc)
			continue;
		if (ft_warn_sils_cover(&sils, it->rule, it->key, e.now_t)) {
			e.silenced++;
			continue;
		}
		st = esc_one(&e, &rules.r[ri], it);
	}
	if (st)
		goto out;
	if (o->dry_run)
		ft_db_rollback(db);
	else if ((st = ft_db_commit(db)))
		goto out;
	if (!o->no_output && e.out.len &&
	    fwrite(e.out.s, 1, e.out.len, stdout) != e.out.len)
		st = FT_IOERR;
	if (e.silenced)
		snprintf(sil, sizeof(sil), "; %ld silenced warning%s passed by",
			 e.silenced, e.silenced == 1 ? "" : "s");
	if (!o->quiet)
		ft_warn("%ld escalation step%s%s%s", e.steps,
			e.steps == 1 ? "" : "s", sil,
			o->dry_run ? "; dry run: nothing stored" : "");
out:
	if (db->in_tx)
		ft_db_rollback(db);
	for (i = 0; i < l.n; i++) {
		free(l.it[i].id);
		free(l.it[i].rule);
		free(l.it[i].key);
		free(l.it[i].level);
		free(l.it[i].line);
	}
	free(l.it);
	ft_buf_release(&l.line);
	ft_buf_release(&e.detail);
	ft_buf_release(&e.out);
	ft_warn_sils_release(&sils);
	ft_hist_release(&h);
	ft_store_warn_close(e.ws);
	ft_warn_rules_free(&rules);
	ft_area_free(a);
	ft_store_close(store);
	return st;
}

/* ---- the verbs of silences ---- */

/* What silence x is at now: active, pending, expired or removed. */
static const char *
sil_status(const struct ft_store_silence *x, const char *now)
{
	if (x->removed_at)
		return "removed";
	if (strcmp(x->until_at, now) <= 0)
		return "expired";
	if (strcmp(x->from_at, now) > 0)
		return "pending";
	return "active";
}

/* Silence x as its NDJSON record. */
static void
sil_line(struct ft_buf *b, const struct ft_store_silence *x, const char *now)
{
	const char *const f[][2] = {
		{ "rule", x->rule },
		{ "key", x->key },
		{ "from_at", x->from_at },
		{ "until_at", x->until_at },
		{ "status", sil_status(x, now) },
		{ "by", x->by },
		{ "note", x->note },
		{ "removed_at", x->removed_at },
		{ "removed_by", x->removed_by },
		{ "removed_note", x->removed_note },
	};
	size_t i;

	ft_buf_addf(b, "{\"silence\":\"s%lld\"", (long long)x->silence);
	for (i = 0; i < sizeof(f) / sizeof(*f); i++)
		if (f[i][1])
			ft_json_put_str(b, f[i][0], f[i][1], strlen(f[i][1]));
	ft_buf_adds(b, "}\n");
}

static int
write_buf(const struct ft_buf *b)
{
	return fwrite(b->s, 1, b->len, stdout) == b->len ? FT_OK : FT_IOERR;
}

/* The history entry of silence x: action, from status from. */
static int
sil_history(struct ft_hist *h, const struct ft_store_silence *x, const char *at,
	    const char *by, const char *action, const char *from,
	    const char *note)
{
	struct ft_buf d = FT_BUF_INIT;
	struct ft_hist_entry e;
	char id[32];
	int st;

	snprintf(id, sizeof(id), "s%lld", (long long)x->silence);
	ft_buf_addc(&d, '{');
	ft_buf_adds(&d, "\"rule\":");
	if (x->rule)
		ft_json_escape(&d, x->rule, strlen(x->rule));
	else
		ft_buf_adds(&d, "null");
	ft_json_put_decided(&d, "key", x->key);
	ft_json_put_str(&d, "from_at", x->from_at, strlen(x->from_at));
	ft_json_put_str(&d, "until_at", x->until_at, strlen(x->until_at));
	if (note)
		ft_json_put_str(&d, "note", note, strlen(note));
	ft_buf_addc(&d, '}');
	memset(&e, 0, sizeof(e));
	e.kind = "warning";
	e.id = id;
	e.idlen = strlen(id);
	e.at = at;
	e.by = by;
	e.action = action;
	e.from = from;
	e.to = !strcmp(action, "silence") ? "active" : "removed";
	e.detail = d.s;
	e.detaillen = d.len;
	st = ft_hist_add(h, &e);
	ft_buf_release(&d);
	return st;
}

int
ft_warn_silence(struct ft_db *db, const struct ft_warn_silence *a)
{
	struct ft_store_silence x;
	struct ft_store_warn *s = NULL;
	struct ft_buf b = FT_BUF_INIT;
	struct ft_hist h;
	char now[FT_TIME_LEN], until[FT_TIME_LEN];
	int st;

	memset(&h, 0, sizeof(h));
	memset(&x, 0, sizeof(x));
	ft_time_format(ft_time_now(), now);
	ft_time_format(a->until, until);
	if ((st = ft_store_warn_open(&s, db)) ||
	    (st = ft_hist_init(&h, db, "ft-warn")) ||
	    (st = ft_db_begin_write(db)))
		goto out;
	x.rule = a->rule;
	x.key = a->key;
	x.from_at = now;
	x.until_at = until;
	x.by = a->by ? a->by : ft_hist_user(&h);
	x.note = a->note;
	if ((st = ft_store_warn_silence_add(s, &x)) ||
	    (st = sil_history(&h, &x, now, x.by, "silence", NULL, x.note)))
		goto out;
	if (a->dry_run)
		ft_db_rollback(db);
	else if ((st = ft_db_commit(db)))
		goto out;
	sil_line(&b, &x, now);
	if (!a->no_output)
		st = write_buf(&b);
out:
	if (db->in_tx)
		ft_db_rollback(db);
	ft_buf_release(&b);
	ft_hist_release(&h);
	ft_store_warn_close(s);
	return st;
}

int
ft_warn_unsilence(struct ft_db *db, const struct ft_warn_silence *a)
{
	struct ft_store_silence x;
	struct ft_store_warn *s = NULL;
	struct ft_buf b = FT_BUF_INIT;
	struct ft_hist h;
	char now[FT_TIME_LEN], from[16], *end;
	const char *by;
	long long n = 0;
	int st, found = 0;

	memset(&h, 0, sizeof(h));
	ft_time_format(ft_time_now(), now);
	if (a->id[0] == 's' && a->id[1] >= '1' && a->id[1] <= '9')
		n = strtoll(a->id + 1, &end, 10);
	if ((st = ft_store_warn_open(&s, db)) ||
	    (st = ft_hist_init(&h, db, "ft-warn")) ||
	    (st = ft_db_begin_write(db)))
		goto out;
	if (n > 0 && !*end &&
	    (st = ft_store_warn_silence_get(s, n, &x, &found)))
		goto out;
	if (!found) {
		ft_error("no such silence: %s", ft_q(a->id));
		st = FT_NOINPUT;
		goto out;
	}
	if (x.removed_at) {
		ft_error("silence %s is removed already (at %s, by %s)",
			 ft_q(a->id), x.removed_at, ft_q(x.removed_by));
		st = FT_DATAERR;
		goto out;
	}
	snprintf(from, sizeof(from), "%s", sil_status(&x, now));
	by = a->by ? a->by : ft_hist_user(&h);
	if ((st = ft_store_warn_silence_remove(s, n, now, by, a->note)) ||
	    (st = sil_history(&h, &x, now, by, "unsilence", from, a->note)))
		goto out;
	x.removed_at = now;
	x.removed_by = by;
	x.removed_note = a->note;
	sil_line(&b, &x, now);
	if (a->dry_run)
		ft_db_rollback(db);
	else if ((st = ft_db_commit(db)))
		goto out;
	if (!a->no_output)
		st = write_buf(&b);
out:
	if (db->in_tx)
		ft_db_rollback(db);
	ft_buf_release(&b);
	ft_hist_release(&h);
	ft_store_warn_close(s);
	return st;
}

struct list_ctx {
	const struct ft_warn_silence *a;
	const char *now;
	struct ft_buf b;
};

static int
list_one(void *ctx, const struct ft_store_silence *x)
{
	struct list_ctx *c = ctx;

	if (c->a->no_output)
		return FT_OK;
	ft_buf_reset(&c->b);
	sil_line(&c->b, x, c->now);
	return write_buf(&c->b);
}

int
ft_warn_silences(struct ft_db *db, const struct ft_warn_silence *a)
{
	struct ft_store_warn *s = NULL;
	struct list_ctx c;
	char now[FT_TIME_LEN];
	int st;

	ft_time_format(ft_time_now(), now);
	c.a = a;
	c.now = now;
	ft_buf_init(&c.b);
	if (!(st = ft_store_warn_open(&s, db)))
		st = ft_store_warn_silences_each(s, a->all, a->all ? NULL : now,
						 list_one, &c);
	ft_buf_release(&c.b);
	ft_store_warn_close(s);
	return st;
}
