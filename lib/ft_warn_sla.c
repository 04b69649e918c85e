/*
 * ft_warn_sla.c - sla rules: a dispatched case not accepted, or not
 * resolved, by its deadline; and the back-test's replay of each case's
 * dispatch and status changes from the history.
 */
#include "ft_warn_int.h"

/* ---- sla ---- */

/*
 * A case waits for its deadline (respond_by, or resolve_by) from the record
 * that gives it, as ft-dispatch prints it, until a record of the same id
 * says it no longer waits (ft-update's "accepted", "resolved", ...).  The
 * times a waiting case reaches its rule's levels (the deadline plus at[l])
 * are judged on the clock, as a flatline's silence is: a case waiting at a
 * time the clock has passed reached that level; one that stops waiting at
 * that very time did not.  A time the clock has passed has been judged:
 * so the cases, stored with their keys' windows, are all there is to keep
 * between runs.
 */

/* 1: status s makes a case of rule r wait; 0: stop; -1: neither. */
static int
sla_waits(const struct ft_warn_rule *r, const char *s)
{
	static const char *const stop[] = { "resolved", "closed", "rejected",
					    "duplicate", NULL };
	size_t i;

	if (!s)
		return -1;
	if (!strcmp(s, "dispatched"))
		return 1;
	if (!strcmp(s, "accepted") || !strcmp(s, "reopened"))
		return r->resolve ? 1 : !strcmp(s, "accepted") ? 0 : -1;
	for (i = 0; stop[i]; i++)
		if (!strcmp(s, stop[i]))
			return 0;
	return -1;
}

void
warn_sla_init(struct ft_warn *w)
{
	struct sla *a = &w->sla;

	a->next = NEVER;
	ft_buf_init(&a->rec);
	ft_buf_init(&a->unit);
	ft_buf_init(&a->rby);
	ft_buf_init(&a->sby);
	ft_buf_init(&a->cid);
	ft_json_doc_init(&a->doc);
}

static void
sla_change_free(struct sla_change *c)
{
	free(c->id);
	free(c->status);
	free(c->unit);
}

/* Forgets every case (their keys' windows go with the keys). */
void
warn_sla_forget(struct ft_warn *w)
{
	struct sla *a = &w->sla;
	struct sla_case *c, *next;
	size_t i;

	for (i = 0; i < a->nb; i++)
		for (c = a->tab[i]; c; c = next) {
			next = c->next;
			free(c->id);
			free(c);
		}
	free(a->tab);
	a->tab = NULL;
	a->nb = a->n = 0;
	a->next = NEVER;
	if (a->byrule)
		for (i = 0; i < w->rules.n; i++)
			a->byrule[i].n = 0;
}

void
warn_sla_release(struct ft_warn *w)
{
	struct sla *a = &w->sla;

	warn_sla_forget(w);
	if (a->byrule)
		for (size_t i = 0; i < w->rules.n; i++)
			free(a->byrule[i].v);
	free(a->byrule);
	for (; a->head < a->nchg; a->head++)
		sla_change_free(&a->chg[a->head]);
	free(a->chg);
	ft_buf_release(&a->rec);
	ft_buf_release(&a->unit);
	ft_buf_release(&a->rby);
	ft_buf_release(&a->sby);
	ft_buf_release(&a->cid);
	ft_json_doc_release(&a->doc);
}

/* The case id of rule ri, or NULL. */
static struct sla_case *
sla_find(struct ft_warn *w, int ri, const char *id)
{
	struct sla_case *c;

	if (!w->sla.nb)
		return NULL;
	for (c = w->sla.tab[warn_hash(ri, id) & (w->sla.nb - 1)]; c;
	     c = c->next)
		if (c->rule == ri && !strcmp(c->id, id))
			return c;
	return NULL;
}

/* Where a case due at due with id goes in list l (the first not before). */
static size_t
sla_pos(const struct sla_list *l, int64_t due, const char *id)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sla_case *c = l->v[mid];

		if (c->due < due || (c->due == due && strcmp(c->id, id) < 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * A new case of key k, due at due: waiting (in byrule, not in k's window
 * yet), or ended (in k->done already).
 */
static struct sla_case *
sla_add(struct ft_warn *w, struct kst *k, int64_t due, const char *id,
	int ended)
{
	struct sla *a = &w->sla;
	struct sla_case *c = ft_xmalloc(sizeof(*c)), *x, *next;
	size_t b, i;

	if (a->n >= a->nb) {
		size_t nb = a->nb ? a->nb * 2 : 256;
		struct sla_case **tab = ft_xmalloc(nb *
						   sizeof(struct sla_case *));

		memset(tab, 0, nb * sizeof(struct sla_case *));
		for (i = 0; i < a->nb; i++)
			for (x = a->tab[i]; x; x = next) {
				next = x->next;
				b = warn_hash(x->rule, x->id) & (nb - 1);
				x->next = tab[b];
				tab[b] = x;
			}
		free(a->tab);
		a->tab = tab;
		a->nb = nb;
	}
	c->rule = k->rule;
	c->id = ft_xstrdup(id);
	c->k = k;
	c->due = due;
	c->ended = ended;
	b = warn_hash(c->rule, id) & (a->nb - 1);
	c->next = a->tab[b];
	a->tab[b] = c;
	a->n++;
	if (ended)
		return c;
	if (!a->byrule) {
		a->byrule = ft_xmalloc(w->rules.n * sizeof(*a->byrule));
		memset(a->byrule, 0, w->rules.n * sizeof(*a->byrule));
	}
	{
		struct sla_list *l = &a->byrule[c->rule];
		size_t at = sla_pos(l, due, id);

		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 64;
			l->v = ft_xrealloc(l->v,
					   l->cap * sizeof(struct sla_case *));
		}
		memmove(l->v + at + 1, l->v + at,
			(l->n - at) * sizeof(struct sla_case *));
		l->v[at] = c;
		l->n++;
	}
	return c;
}

/* Keeps (due, id) in k's cases that ended. */
static void
done_add(struct ft_warn *w, struct kst *k, int64_t due, const char *id)
{
	if (k->ndone == k->capdone) {
		k->capdone = k->capdone ? k->capdone * 2 : 4;
		k->done = ft_xrealloc(k->done, k->capdone * sizeof(*k->done));
	}
	k->done[k->ndone].t = due;
	k->done[k->ndone++].id = warn_id_dup(w, id);
}

/*
 * The cases of a key read from the store (its window, and "done" of its
 * state s, borrowed), into the table.
 */
void
warn_sla_load(struct ft_warn *w, struct kst *k, jv s)
{
	jv a = jv_object_get(jv_copy(s), jv_string("done"));
	int j, n = jv_get_kind(a) == JV_KIND_ARRAY ?
			   jv_array_length(jv_copy(a)) :
			   0;
	size_t i;

	for (j = 0; j < n; j++) {
		jv p = jv_array_get(jv_copy(a), j);
		jv t = jv_array_get(jv_copy(p), 0), id = jv_array_get(p, 1);

		if (jv_get_kind(t) == JV_KIND_NUMBER &&
		    jv_get_kind(id) == JV_KIND_STRING)
			done_add(w, k, (int64_t)jv_number_value(t),
				 jv_string_value(id));
		jv_free(t);
		jv_free(id);
	}
	jv_free(a);

	for (i = 0; i < k->n; i++)
		if (!sla_find(w, k->rule, k->w[i].id))
			sla_add(w, k, k->w[i].t, k->w[i].id, 0);
	for (i = 0; i < k->ndone; i++)
		if (!sla_find(w, k->rule, k->done[i].id))
			sla_add(w, k, k->done[i].t, k->done[i].id, 1);
}

/* The time case c reaches level l of rule r; NEVER: it never does. */
static int64_t
sla_at(const struct ft_warn_rule *r, const struct sla_case *c, int l)
{
	return r->at[l] == HUGE_VAL ? NEVER : c->due + (int64_t)r->at[l];
}

/* The first time a case reaches a level at or after t. */
void
warn_sla_next(struct ft_warn *w, int64_t t)
{
	struct sla *a = &w->sla;
	size_t ri;
	int l;

	a->next = NEVER;
	if (!a->byrule)
		return;
	for (ri = 0; ri < w->rules.n; ri++) {
		const struct ft_warn_rule *r = &w->rules.r[ri];
		const struct sla_list *v = &a->byrule[ri];

		for (l = r->level; l < FT_LEVELS && v->n; l++) {
			int64_t late = (int64_t)r->at[l];
			size_t i;

			if (r->at[l] == HUGE_VAL)
				continue;
			/* the first case due at or after t - late */
			i = sla_pos(v, t - late, "");
			if (i < v->n && v->v[i]->due + late < a->next)
				a->next = v->v[i]->due + late;
		}
	}
}

/*
 * Case c reached level l at time t: a warning raised, counting it, or
 * risen to l.
 */
static int
sla_reach(struct ft_warn *w, struct sla_case *c, int l, int64_t t)
{
	const struct ft_warn_rule *r = &w->rules.r[c->rule];
	struct kst *k = c->k;
	struct warning *x;
	int st;

	/* What resolved before it, resolved first. */
	if ((st = warn_sweep(w, t)))
		return st;
	if (!(x = k->live)) {
		/* (at a level above the rule's: one resolved by hand) */
		if ((st = warn_raise_warning(w, k, l, t, t)))
			return st;
		k->live->count = 1;
		warn_add_event(k->live, c->id);
		return warn_announce(w, k, 1);
	}
	if (l == r->level) {
		/* One more case late: the key's warning holds again. */
		x->cleared = 0;
		warn_due_at(w, k, NEVER);
		return warn_update_warning(w, k, l, t, c->id);
	}
	if (l <= x->level)
		return FT_OK;
	x->level = l;
	x->major = warn_is_major(r, l);
	if (t > x->last)
		x->last = t;
	warn_touch(w, k);
	return warn_announce(w, k, 0);
}

struct sla_step {
	int64_t t;
	struct sla_case *c;
	int level;
};

static int
by_step(const void *a, const void *b)
{
	const struct sla_step *x = a, *y = b;
	int d;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->c->rule != y->c->rule)
		return x->c->rule < y->c->rule ? -1 : 1;
	if ((d = strcmp(x->c->k->key, y->c->k->key)))
		return d;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return strcmp(x->c->id, y->c->id);
}

/*
 * The levels cases reached from the clock to before t, in the order of
 * their times: the clock moves to t.
 */
int
warn_sla_scan(struct ft_warn *w, int64_t t)
{
	struct sla *a = &w->sla;
	struct sla_step *steps = NULL;
	size_t n = 0, cap = 0, i, ri;
	int st = FT_OK, l;

	if (t <= a->next)
		return FT_OK;
	for (ri = 0; a->byrule && ri < w->rules.n; ri++) {
		const struct ft_warn_rule *r = &w->rules.r[ri];
		const struct sla_list *v = &a->byrule[ri];

		for (l = r->level; l < FT_LEVELS && v->n; l++) {
			int64_t late = (int64_t)r->at[l];

			if (r->at[l] == HUGE_VAL)
				continue;
			/* Due from clock - late (the first not judged) to
			 * before t - late. */
			i = w->clock_set ? sla_pos(v, w->clock - late, "") : 0;
			for (; i < v->n && v->v[i]->due + late < t; i++) {
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					steps = ft_xrealloc(
						steps, cap * sizeof(*steps));
				}
				steps[n].t = v->v[i]->due + late;
				steps[n].c = v->v[i];
				steps[n++].level = l;
			}
		}
	}
	if (n)
		qsort(steps, n, sizeof(*steps), by_step);
	for (i = 0; i < n && !st; i++)
		st = sla_reach(w, steps[i].c, steps[i].level, steps[i].t);
	free(steps);
	warn_sla_next(w, t);
	return st;
}

/* Whether a case of key k is late now (its first is the latest). */
static int
sla_late_any(const struct ft_warn *w, const struct kst *k)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];

	return k->n && k->w[0].t + (int64_t)r->at[r->level] < w->clock;
}

/* Drops the entry (t, id) of k's window. */
static void
window_remove(struct ft_warn *w, struct kst *k, int64_t t, const char *id)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->w[i].t == t && !strcmp(k->w[i].id, id)) {
			warn_id_free(w, k->w[i].id);
			memmove(k->w + i, k->w + i + 1,
				(k->n - i - 1) * sizeof(*k->w));
			k->n--;
			return;
		}
}

/* Takes case c out of the table, and frees it. */
static void
sla_unhash(struct ft_warn *w, struct sla_case *c)
{
	struct sla_case **p;

	for (p = &w->sla.tab[warn_hash(c->rule, c->id) & (w->sla.nb - 1)];
	     *p != c; p = &(*p)->next)
		;
	*p = c->next;
	w->sla.n--;
	free(c->id);
	free(c);
}

/* Forgets case c, which ended. */
static void
sla_drop(struct ft_warn *w, struct sla_case *c)
{
	struct kst *k = c->k;
	size_t i;

	for (i = 0; i < k->ndone; i++)
		if (k->done[i].t == c->due && !strcmp(k->done[i].id, c->id)) {
			warn_id_free(w, k->done[i].id);
			k->done[i] = k->done[--k->ndone];
			break;
		}
	warn_touch(w, k);
	sla_unhash(w, c);
}

/* Forgets the cases that ended SLA_KEEP before the clock. */
void
warn_sla_expire(struct ft_warn *w)
{
	struct sla_case *c, *next;
	size_t i;

	for (i = 0; i < w->sla.nb; i++)
		for (c = w->sla.tab[i]; c; c = next) {
			next = c->next;
			if (c->ended && c->due < w->clock - SLA_KEEP)
				sla_drop(w, c);
		}
}

/*
 * Case c no longer waits, from time t: when it was late and was the last
 * late one of its key, the key's warning has cleared.  It is remembered as
 * ended when keep, else forgotten.
 */
static void
sla_stop(struct ft_warn *w, struct sla_case *c, int64_t t, int keep)
{
	const struct ft_warn_rule *r = &w->rules.r[c->rule];
	struct kst *k = c->k;
	struct warning *x = k->live;
	int late = c->due + (int64_t)r->at[r->level] < w->clock;
	struct sla_list *l = &w->sla.byrule[c->rule];
	size_t at = sla_pos(l, c->due, c->id);

	memmove(l->v + at, l->v + at + 1,
		(l->n - at - 1) * sizeof(struct sla_case *));
	l->n--;
	window_remove(w, k, c->due, c->id);
	warn_touch(w, k);
	if (keep) {
		done_add(w, k, c->due, c->id);
		c->ended = 1;
	} else {
		sla_unhash(w, c);
	}
	if (!late || !x)
		return;
	if (t > x->last)
		x->last = t;
	if (!x->cleared && !sla_late_any(w, k)) {
		x->cleared = t;
		warn_due_at(w, k, t + r->quiet);
	}
}

/* Case id of key k starts waiting for its deadline due. */
static int
sla_start(struct ft_warn *w, struct kst *k, int64_t due, const char *id)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	struct sla_case *c;
	int l, st = FT_OK;

	warn_window_add(w, k, due, id, NULL);
	warn_touch(w, k);
	c = sla_add(w, k, due, id, 0);
	/* Its deadline passed already (a late dispatch): judged now. */
	for (l = r->level; l < FT_LEVELS && !st; l++) {
		int64_t at = sla_at(r, c, l);

		if (at < w->clock)
			st = sla_reach(w, c, l, at);
		else if (at < w->sla.next)
			w->sla.next = at;
	}
	return st;
}

/* sla: a record of a case (its dispatch, a change of its status). */
int
warn_on_sla(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct sla_case *c = sla_find(w, ri, q->id);
	int64_t due = r->resolve ? q->resolve_by : q->respond_by;
	int waits = sla_waits(r, q->status);
	struct kst *k;

	if (!waits && c && !c->ended)
		sla_stop(w, c, q->t, 1);
	/* Waiting from the record that gives the deadline, by its key. */
	if (waits <= 0 || q->change || !due || !warn_key_of(w, r, q) ||
	    due < w->clock - SLA_KEEP)
		return FT_OK;
	k = warn_key_get(w, ri);
	if (c && c->due == due && c->k == k)
		return FT_OK; /* sent again, waiting or ended */
	/* A new deadline: the old one no longer counts, from now. */
	if (c && c->ended)
		sla_drop(w, c);
	else if (c)
		sla_stop(w, c, w->clock, 0);
	return sla_start(w, k, due, q->id);
}

/*
 * The back-test of sla rules reads each stored event as ft-dispatch
 * printed it (the unit and deadlines of its dispatch in the history) and
 * the status changes of the history (as ft-update printed them) at their
 * times, events first at the same time.
 */

static int
sla_keep(struct ft_buf *b, const char *v)
{
	ft_buf_reset(b);
	if (v)
		ft_buf_adds(b, v);
	return v != NULL;
}

/* A step of the case in the history: its dispatch, or a change to come. */
static int
sla_case_step(void *ctx, const struct ft_store_case_step *c)
{
	struct ft_warn *w = ctx;
	struct sla *a = &w->sla;
	struct sla_change x;
	const char *err;
	size_t lo, hi;

	if (c->dispatch) {
		a->dispatched = 1;
		sla_keep(&a->unit, c->unit);
		sla_keep(&a->rby, c->respond_by);
		sla_keep(&a->sby, c->resolve_by);
		return FT_OK;
	}
	if (!c->at || !c->status ||
	    ft_time_parse(c->at, strlen(c->at), &x.t, &err) || x.t < a->since ||
	    x.t >= a->until)
		return FT_OK;
	/* In time order, then in the order read. */
	for (lo = a->head, hi = a->nchg; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->chg[mid].t <= x.t)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Kept already (a case waiting and reported in the period)? */
	for (hi = lo; hi > a->head && a->chg[hi - 1].t == x.t; hi--)
		if (!strcmp(a->chg[hi - 1].id, a->cid.s) &&
		    !strcmp(a->chg[hi - 1].status, c->status))
			return FT_OK;
	x.seq = a->seq++;
	x.id = ft_xstrdup(a->cid.s);
	x.status = ft_xstrdup(c->status);
	x.unit = c->unit ? ft_xstrdup(c->unit) : NULL;
	if (a->nchg == a->capchg) {
		a->capchg = a->capchg ? a->capchg * 2 : 64;
		a->chg = ft_xrealloc(a->chg, a->capchg * sizeof(*a->chg));
	}
	memmove(a->chg + lo + 1, a->chg + lo, (a->nchg - lo) * sizeof(x));
	a->chg[lo] = x;
	a->nchg++;
	return FT_OK;
}

/*
 * The status changes in the period of the cases waiting from the runs
 * before (reported before it, their events are not read again).
 */
int
warn_sla_waiting(struct ft_warn *w)
{
	struct sla *a = &w->sla;
	struct sla_case *c;
	size_t i;
	int st = FT_OK;

	for (i = 0; i < a->nb && !st; i++)
		for (c = a->tab[i]; c && !st; c = c->next) {
			if (c->ended)
				continue;
			ft_buf_reset(&a->cid);
			ft_buf_adds(&a->cid, c->id);
			st = ft_store_warn_case_each(w->cases, a->cid.s,
						     sla_case_step, w);
		}
	return st;
}

/* The changes to come before time t, read as records. */
int
warn_sla_drain(struct ft_warn *w, int64_t t)
{
	struct sla *a = &w->sla;
	char at[FT_TIME_LEN];
	int st = FT_OK;

	while (!st && a->head < a->nchg && a->chg[a->head].t < t) {
		struct sla_change *c = &a->chg[a->head++];
		struct ft_item it;
		const char *why;
		size_t pos;

		ft_buf_reset(&a->rec);
		ft_buf_adds(&a->rec, "{\"id\":");
		ft_json_escape(&a->rec, c->id, strlen(c->id));
		ft_json_put_str(&a->rec, "at", warn_tstr(c->t, at),
				FT_TIME_LEN - 1);
		ft_json_put_str(&a->rec, "status", c->status,
				strlen(c->status));
		if (c->unit)
			ft_json_put_str(&a->rec, "unit", c->unit,
					strlen(c->unit));
		ft_buf_addc(&a->rec, '}');
		sla_change_free(c);
		memset(&it, 0, sizeof(it));
		it.raw = a->rec.s;
		it.rawlen = a->rec.len;
		if (ft_json_parse(&a->doc, a->rec.s, a->rec.len, &why, &pos))
			it.err = why ? why : "not JSON";
		else
			it.doc = &a->doc;
		st = warn_each(w, &it);
	}
	if (a->head == a->nchg)
		a->head = a->nchg = 0;
	return st;
}

/*
 * Stored event r, read into doc: its changes to come kept, those before
 * it read first, and it, when it was dispatched, as ft-dispatch printed it
 * (into it).
 */
int
warn_sla_stored(struct ft_warn *w, const struct ft_event_record *r,
		struct ft_json_doc *doc, struct ft_item *it)
{
	struct sla *a = &w->sla;
	const char *why, *drop[5];
	int64_t t;
	size_t pos, nd = 0;
	int st;

	if (ft_json_member_text(doc, "id", &a->cid) != 1 ||
	    ft_time_parse(r->reported_at, strlen(r->reported_at), &t, &why))
		return FT_OK;
	a->dispatched = 0;
	if ((st = ft_store_warn_case_each(w->cases, a->cid.s, sla_case_step,
					  w)) ||
	    (st = warn_sla_drain(w, t)) || !a->dispatched)
		return st;
	/* The record with its dispatch's members in place of its own: a
	 * key given twice is no JSON that ft reads. */
	drop[nd++] = "status";
	if (a->unit.len)
		drop[nd++] = "unit";
	if (a->rby.len)
		drop[nd++] = "respond_by";
	if (a->sby.len)
		drop[nd++] = "resolve_by";
	drop[nd] = NULL;
	ft_buf_reset(&a->rec);
	ft_json_object_without(doc, drop, &a->rec); /* "id" is kept */
	ft_buf_adds(&a->rec, ",\"status\":\"dispatched\"");
	if (a->unit.len)
		ft_json_put_str(&a->rec, "unit", a->unit.s, a->unit.len);
	if (a->rby.len)
		ft_json_put_str(&a->rec, "respond_by", a->rby.s, a->rby.len);
	if (a->sby.len)
		ft_json_put_str(&a->rec, "resolve_by", a->sby.s, a->sby.len);
	ft_buf_addc(&a->rec, '}');
	it->raw = a->rec.s;
	it->rawlen = a->rec.len;
	if (ft_json_parse(doc, a->rec.s, a->rec.len, &why, &pos)) {
		it->doc = NULL;
		it->err = why ? why : "not JSON";
	}
	return FT_OK;
}
