/*
 * ft_warn_kst.c - ft-warn's keys: the state of each rule and key (struct
 * kst) in a hash table, the ids the windows share, the list of what a
 * batch changed and of the live warnings, and the window of events that
 * threshold, repeat, keyword and sla rules keep.
 */
#include "ft_warn_int.h"

/*
 * How far back from the clock rule r remembers what it counted: records
 * older pass it by, and keys with nothing newer are forgotten (gc()).
 */

int64_t
warn_horizon(const struct ft_warn_rule *r)
{
	int64_t span = r->type == FT_WARN_SPIKE || r->type == FT_WARN_DROP ?
			       r->window * (warn_win_keep(r) + 1) :
			       r->window;

	/* A case waits for its deadline however old its report. */
	if (r->type == FT_WARN_SLA)
		return NEVER / 4;
	/* Windows in local time: a day more for the zone's offset. */
	if (r->weeks)
		span += 86400;
	return span + r->quiet + r->hold + 1;
}

/* ---- ids ---- */

char *
warn_id_dup(const char *id)
{
	size_t len = strlen(id) + 1;
	struct idstr *x = ft_xmalloc(sizeof(*x) + len);

	x->refs = 1;
	memcpy(x->s, id, len);
	return x->s;
}

void
warn_id_free(char *id)
{
	struct idstr *x;

	if (id && !--(x = id_box(id))->refs)
		free(x);
}

uint64_t
warn_hash(int rule, const char *key)
{
	return hash_of(rule, str_hash(key));
}

static void
grow(struct ft_warn *w)
{
	size_t nb = w->nb ? w->nb * 2 : 1024, i;
	struct kst **tab = ft_xmalloc(nb * sizeof(struct kst *)), *k, *next;

	memset(tab, 0, nb * sizeof(struct kst *));
	for (i = 0; i < w->nb; i++)
		for (k = w->tab[i]; k; k = next) {
			size_t b = k->h & (nb - 1);

			next = k->next;
			k->next = tab[b];
			tab[b] = k;
		}
	free(w->tab);
	w->tab = tab;
	w->nb = nb;
}

/*
 * The state of rule and key, whose str_hash() is kh, made when create and
 * none is.
 */
static struct kst *
kst_find(struct ft_warn *w, int rule, const char *key, uint64_t kh, int create)
{
	struct kst *k;
	uint64_t h = hash_of(rule, kh);
	size_t b, len, head;
	enum kst_kind kind;

	if (w->nb) {
		b = h & (w->nb - 1);
		for (k = w->tab[b]; k; k = k->next)
			if (k->h == (uint32_t)h && k->rule == rule &&
			    !strcmp(k->key, key))
				return k;
	}
	if (!create)
		return NULL;
	if (w->nkeys >= w->nb)
		grow(w);
	switch (w->rules.r[rule].type) {
	case FT_WARN_VALUE:
	case FT_WARN_FLATLINE:
		kind = KST_SERIES;
		break;
	case FT_WARN_SLA:
		kind = KST_SLA;
		break;
	case FT_WARN_SPIKE:
	case FT_WARN_DROP:
		kind = KST_COUNTS;
		break;
	default:
		kind = KST_WINDOW;
	}
	head = kind == KST_WINDOW ? KST_HEAD : sizeof(*k);
	len = strlen(key) + 1;
	k = ft_xmalloc(head + len);
	memset(k, 0, head);
	k->rule = rule;
	k->h = (uint32_t)h;
	k->kind = (unsigned char)kind;
	k->key = (char *)k + head;
	memcpy(k->key, key, len);
	b = h & (w->nb - 1);
	k->next = w->tab[b];
	w->tab[b] = k;
	w->nkeys++;
	return k;
}

struct kst *
warn_kst_get(struct ft_warn *w, int rule, const char *key, int create)
{
	return kst_find(w, rule, key, str_hash(key), create);
}

/* The state of rule and the key warn_key_of() found, made when none is. */
struct kst *
warn_key_get(struct ft_warn *w, int rule)
{
	return kst_find(w, rule, w->kp, w->kh, 1);
}

/* ---- the sensors' keys (struct rslot) ---- */

/* Which rules a slot holds: those that read readings by key "sensor". */
void
warn_slots_init(struct ft_warn *w)
{
	size_t i;

	w->rslot = ft_xmalloc((w->rules.n + 1) * sizeof(int));
	for (i = 0; i < w->rules.n; i++) {
		const struct ft_warn_rule *r = &w->rules.r[i];

		w->rslot[i] = r->key == FT_KEY_SENSOR &&
					      (r->type == FT_WARN_VALUE ||
					       (r->type == FT_WARN_FLATLINE &&
						r->readings)) ?
				      w->nrslot++ :
				      -1;
	}
}

static void
slots_grow(struct ft_warn *w)
{
	size_t nb = w->rnb ? w->rnb * 2 : 1024, i;
	struct rslot **tab = ft_xmalloc(nb * sizeof(struct rslot *)), *s, *next;

	memset(tab, 0, nb * sizeof(struct rslot *));
	for (i = 0; i < w->rnb; i++)
		for (s = w->rtab[i]; s; s = next) {
			next = s->next;
			s->next = tab[s->h & (nb - 1)];
			tab[s->h & (nb - 1)] = s;
		}
	free(w->rtab);
	w->rtab = tab;
	w->rnb = nb;
}

/* The slot of key (str_hash() h), made when create and none is. */
static struct rslot *
slot_find(struct ft_warn *w, const char *key, uint64_t h, int create)
{
	struct rslot *s;
	size_t len;

	if (w->rnb)
		for (s = w->rtab[h & (w->rnb - 1)]; s; s = s->next)
			if (s->h == h && !strcmp(s->key, key))
				return s;
	if (!create)
		return NULL;
	if (w->rn >= w->rnb)
		slots_grow(w);
	len = strlen(key) + 1;
	s = ft_xmalloc(sizeof(*s) + (size_t)w->nrslot * sizeof(struct kst *) +
		       len);
	memset(s, 0, sizeof(*s) + (size_t)w->nrslot * sizeof(struct kst *));
	s->h = h;
	s->key = (char *)(void *)(s->k + w->nrslot);
	memcpy(s->key, key, len);
	s->next = w->rtab[h & (w->rnb - 1)];
	w->rtab[h & (w->rnb - 1)] = s;
	w->rn++;
	return s;
}

/*
 * The state of rule ri for the key warn_key_of() found, made when none
 * is: through the record's sensor slot for the rules it holds.
 */
struct kst *
warn_rule_key(struct ft_warn *w, int ri)
{
	int j = w->rslot[ri];

	if (j < 0)
		return warn_key_get(w, ri);
	if (!w->rs) {
		w->rs = slot_find(w, w->kp, w->kh, 1);
		/* The rules' states, fetched together: their cache misses
		 * overlap instead of coming one after the other. */
		for (int i = 0; i < w->nrslot; i++)
			if (w->rs->k[i]) {
				__builtin_prefetch(w->rs->k[i]);
				__builtin_prefetch((char *)w->rs->k[i] + 64);
			}
	}
	if (!w->rs->k[j])
		w->rs->k[j] = warn_key_get(w, ri);
	return w->rs->k[j];
}

/* k is freed: its slot no longer points at it. */
void
warn_slot_forget(struct ft_warn *w, const struct kst *k)
{
	struct rslot *s;
	int j = w->rslot ? w->rslot[k->rule] : -1;

	if (j < 0 || !(s = slot_find(w, k->key, str_hash(k->key), 0)))
		return;
	if (s->k[j] == k)
		s->k[j] = NULL;
	if (w->rs == s)
		w->rs = NULL;
}

/* Forgets every slot (their states are freed apart). */
void
warn_slots_free(struct ft_warn *w)
{
	struct rslot *s, *next;
	size_t i;

	for (i = 0; i < w->rnb; i++)
		for (s = w->rtab[i]; s; s = next) {
			next = s->next;
			free(s);
		}
	free(w->rtab);
	w->rtab = NULL;
	w->rnb = w->rn = 0;
	w->rs = NULL;
}

void
warn_touch_list(struct ft_warn *w, struct kst *k)
{
	if (w->ndirty == w->capdirty) {
		w->capdirty = w->capdirty ? w->capdirty * 2 : 256;
		w->dirty = ft_xrealloc(w->dirty,
				       w->capdirty * sizeof(struct kst *));
	}
	w->dirty[w->ndirty++] = k;
}

void
warn_touch(struct ft_warn *w, struct kst *k)
{
	if (k->dirty)
		return;
	k->dirty = 1;
	warn_touch_list(w, k);
}

void
warn_warning_free(struct warning *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->nev; i++)
		free(x->ev[i]);
	free(x->acked_at);
	free(x->acked_by);
	free(x->ack_note);
	free(x);
}

static void
rings_free(struct ring *rg, int n)
{
	int i;

	for (i = 0; rg && i <= n; i++) {
		free(rg[i].t);
		free(rg[i].v);
	}
	free(rg);
}

void
warn_kst_free(struct kst *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		warn_id_free(k->w[i].id);
	if (k->base != &k->one)
		free(k->base);
	switch (k->kind) {
	case KST_SERIES:
		free(k->iv);
		rings_free(k->rg, k->nrg);
		break;
	case KST_SLA:
		for (i = 0; i < k->ndone; i++)
			warn_id_free(k->done[i].id);
		free(k->done);
		break;
	case KST_COUNTS:
		free(k->wc);
		break;
	case KST_WINDOW:
		break;
	}
	warn_warning_free(k->live);
	free(k);
}

/* Whether k keeps more than its window: a series, ended cases, counts. */
int
warn_kst_holds(const struct kst *k)
{
	switch (k->kind) {
	case KST_SERIES:
		return k->out || k->has_last;
	case KST_SLA:
		return k->ndone > 0;
	case KST_COUNTS:
		return k->nwc > 0;
	case KST_WINDOW:
		break;
	}
	return 0;
}

/* ---- the rules ---- */

/*
 * The key a jq program gives: its first output, a string as it reads, any
 * other value as its JSON text; none (the record is not counted by the
 * rule) when it gives no output, null or false, or fails.
 */
static int
key_jq(struct ft_warn *w, const struct ft_warn_rule *r, const struct rec *q)
{
	struct ft_json_doc *d = &w->keydoc;
	const char *err;

	if (q->reading ||
	    ft_jq_start(r->keyjq, q->e.json, q->e.jsonlen, &err) ||
	    ft_jq_next(r->keyjq, d, &err) != 1 || d->type == 'n' ||
	    d->type == 'f')
		return 0;
	if (d->type == '"')
		ft_json_unescape(d->text.s, d->text.len, &w->key);
	else
		ft_buf_add(&w->key, d->text.s, d->text.len);
	return w->key.len > 0;
}

/*
 * The key of record q for rule r, into w->kp and its str_hash() into
 * w->kh; 0 when q has none.  A field's hash is computed once a record.
 */
int
warn_key_of(struct ft_warn *w, const struct ft_warn_rule *r,
	    const struct rec *q)
{
	const char *v = NULL;

	switch (r->key) {
	case FT_KEY_AREA:
		v = q->area;
		break;
	case FT_KEY_FACILITY:
		v = q->e.facility;
		break;
	case FT_KEY_CATEGORY:
		v = q->e.category;
		break;
	case FT_KEY_SOURCE:
		v = q->e.source;
		break;
	case FT_KEY_ADDRESS:
		v = q->address;
		break;
	case FT_KEY_UNIT:
		v = q->unit;
		break;
	case FT_KEY_ID:
		v = q->id;
		break;
	case FT_KEY_SENSOR:
		if (!q->sensor)
			return 0;
		/* Made once a record, for all the rules. */
		if (!(w->khave & 1U << FT_KEY_SENSOR)) {
			ft_buf_reset(&w->skey);
			ft_buf_adds(&w->skey, q->sensor);
			if (q->metric) {
				ft_buf_addc(&w->skey, ':');
				ft_buf_adds(&w->skey, q->metric);
			}
			w->kh_of[FT_KEY_SENSOR] = str_hash(w->skey.s);
			w->khave |= 1U << FT_KEY_SENSOR;
			w->rs = NULL;
		}
		w->kp = w->skey.s;
		w->kh = w->kh_of[FT_KEY_SENSOR];
		return 1;
	case FT_KEY_ALL:
		v = "*";
		break;
	case FT_KEY_JQ:
		ft_buf_reset(&w->key);
		if (!key_jq(w, r, q))
			return 0;
		w->kp = w->key.s;
		w->kh = str_hash(w->kp);
		return 1;
	}
	if (!v)
		return 0;
	if (!(w->khave & 1U << r->key)) {
		w->kh_of[r->key] = str_hash(v);
		w->khave |= 1U << r->key;
	}
	w->kp = v;
	w->kh = w->kh_of[r->key];
	return 1;
}

/* Record q's id, shared by the windows that keep it. */
char *
warn_qid(struct ft_warn *w, const struct rec *q)
{
	if (!w->qid)
		w->qid = warn_id_dup(q->id);
	return w->qid;
}

/*
 * Adds the event (t, id) to k's window, in time order; 0 when it is there
 * already.  An event sent again has its time again: only the entries of
 * that time are compared.  sid: id as warn_id_dup() made it, to share, or NULL.
 */
int
warn_window_add(struct kst *k, int64_t t, const char *id, char *sid)
{
	size_t j, i;

	for (j = k->n; j > 0 && k->w[j - 1].t > t; j--)
		;
	for (i = j; i > 0 && k->w[i - 1].t == t; i--)
		if (!strcmp(k->w[i - 1].id, id))
			return 0;
	if ((size_t)(k->w - k->base) + k->n == k->cap) {
		if (k->w != k->base && k->n <= k->cap / 2) {
			memmove(k->base, k->w, k->n * sizeof(*k->w));
		} else if (!k->cap) {
			/* The first event: in k itself. */
			k->base = &k->one;
			k->cap = 1;
		} else if (k->base == &k->one) {
			struct hit *b = ft_xmalloc(2 * sizeof(*b));

			memcpy(b, k->w, k->n * sizeof(*k->w));
			k->base = b;
			k->cap = 2;
		} else {
			size_t off = (size_t)(k->w - k->base);

			k->cap *= 2;
			k->base = ft_xrealloc(k->base,
					      k->cap * sizeof(*k->base));
			memmove(k->base, k->base + off, k->n * sizeof(*k->w));
		}
		k->w = k->base;
	}
	memmove(k->w + j + 1, k->w + j, (k->n - j) * sizeof(*k->w));
	k->w[j].t = t;
	k->w[j].id = sid ? id_ref(sid) : warn_id_dup(id);
	k->n++;
	return 1;
}

/* Drops what is no longer in the window ending at k's newest event. */
void
warn_window_prune(struct kst *k, int64_t window)
{
	int64_t end = k->n ? k->w[k->n - 1].t : 0;
	size_t i = 0;

	while (i < k->n && k->w[i].t <= end - window)
		warn_id_free(k->w[i++].id);
	k->w += i;
	k->n -= i;
	/* A burst gone by: give back most of what it took. */
	if (i && k->cap > 8 && k->n < k->cap / 4) {
		memmove(k->base, k->w, k->n * sizeof(*k->w));
		k->cap /= 2;
		k->base = ft_xrealloc(k->base, k->cap * sizeof(*k->base));
		k->w = k->base;
	}
}
