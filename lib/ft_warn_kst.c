/*
 * ft_warn_kst.c - ft-warn's keys: the state of each rule and key (struct
 * kst) in a hash table, the ids the windows share, the list of what a
 * batch changed and of the live warnings, and the window of events that
 * threshold, repeat, keyword and sla rules keep.
 */
#include "ft_warn_int.h"

#include <sys/mman.h>

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

uint64_t
warn_hash(int rule, const char *key)
{
	return hash_of(rule, str_hash(key));
}

/* ---- memory: struct warn_pool ---- */

#if defined(__SANITIZE_ADDRESS__)
#define POOL_MALLOC 1 /* each block apart: ASan sees its bounds */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_MALLOC 1
#endif
#endif

#define POOL_CHUNK (256u << 10)

/* size bytes (at least 1), aligned as malloc's. */
static void *
pool_alloc(struct ft_warn *w, size_t size)
{
	struct warn_pool *p = &w->pool;
	size_t c = (size + POOL_STEP - 1) / POOL_STEP - 1;
	void *x;

#ifdef POOL_MALLOC
	c = POOL_CLASSES;
#endif
	if (c >= POOL_CLASSES)
		return ft_xmalloc(size);
	if ((x = p->free[c])) {
		memcpy(&p->free[c], x, sizeof(void *));
		/* The next of the list, read by the next alloc of c (a block
		 * freed a while ago is out of the cache). */
		__builtin_prefetch(p->free[c]);
		return x;
	}
	size = (c + 1) * POOL_STEP;
	if (size > p->left) {
		/* What is left of the chunk (less than a block) is lost. */
		if (p->nchunk == p->capchunk) {
			p->capchunk = p->capchunk ? 2 * p->capchunk : 16;
			p->chunk = ft_xrealloc(p->chunk,
					       p->capchunk * sizeof(void *));
		}
		p->chunk[p->nchunk++] = p->p = ft_xmalloc(POOL_CHUNK);
		p->left = POOL_CHUNK;
	}
	x = p->p;
	p->p += size;
	p->left -= size;
	return x;
}

/* Frees x, of size bytes (as pool_alloc() was given). */
static void
pool_free(struct ft_warn *w, void *x, size_t size)
{
	struct warn_pool *p = &w->pool;
	size_t c = (size + POOL_STEP - 1) / POOL_STEP - 1;

#ifdef POOL_MALLOC
	c = POOL_CLASSES;
#endif
	if (!x)
		return;
	if (c >= POOL_CLASSES) {
		free(x);
		return;
	}
	memcpy(x, &p->free[c], sizeof(void *));
	p->free[c] = x;
}

/* Frees the pool's memory (every block in it is free). */
static void
pool_release(struct ft_warn *w)
{
	struct warn_pool *p = &w->pool;
	size_t i;

	for (i = 0; i < p->nchunk; i++)
		free(p->chunk[i]);
	free(p->chunk);
	memset(p, 0, sizeof(*p));
}

/* ---- ids ---- */

/* An id's block, as pool_alloc() was given it. */
static size_t
id_size(const char *id)
{
	return sizeof(struct idstr) + strlen(id) + 1;
}

/* Each event's id is made once, and freed when the last window drops it:
 * from the pool, whose free blocks of its size are reused first. */
char *
warn_id_dup(struct ft_warn *w, const char *id)
{
	size_t len = strlen(id) + 1;
	struct idstr *x = pool_alloc(w, sizeof(*x) + len);

	x->refs = 1;
	memcpy(x->s, id, len);
	return x->s;
}

void
warn_id_free(struct ft_warn *w, char *id)
{
	struct idstr *x;

	if (id && !--(x = id_box(id))->refs)
		pool_free(w, x, id_size(id));
}

/* The size of k's block. */
static size_t
kst_size(const struct kst *k)
{
	size_t head = k->kind == KST_WINDOW ? KST_HEAD : sizeof(*k);

	return head + warn_klen(k) + 1;
}

/* ---- the table of keys (w->tab) ---- */

/* Place v's hash bits, as hash() h has them, or 0: the table is wide. */
static uint64_t
tab_tag(const struct ft_warn *w, uint64_t h)
{
	return w->wide ? 0 : h & ~KEY_PTR;
}

/* Puts k, of hash h (hash_of()), in tab, which has room; whether in the
 * place of a key gone. */
static int
tab_put(struct ft_warn *w, uint64_t *tab, size_t nb, struct kst *k, uint64_t h)
{
	size_t b = h & (nb - 1);
	int gone;

	while (tab[b] > 1)
		b = (b + 1) & (nb - 1);
	gone = tab[b] == 1;
	tab[b] = (uint64_t)(uintptr_t)k | tab_tag(w, h);
	return gone;
}

#define REHASH_AHEAD 16

/*
 * The table again, in nb places, without the keys gone; kh[i] is the
 * high bits of the hash of the key in place i (the low ones are k->h).
 */
static void
rehash(struct ft_warn *w, size_t nb)
{
	uint64_t *tab = ft_xmalloc(nb * sizeof(uint64_t));
	size_t i;

	memset(tab, 0, nb * sizeof(uint64_t));
	for (i = 0; i < w->nb; i++) {
		struct kst *k = warn_tab_key(w, i);

		/* Each key's k->h is a cache miss: some keys on, fetched. */
		if (i + REHASH_AHEAD < w->nb)
			__builtin_prefetch(warn_tab_key(w, i + REHASH_AHEAD));

		if (k)
			tab_put(w, tab, nb, k, (w->tab[i] & ~KEY_PTR) | k->h);
	}
	free(w->tab);
	w->tab = tab;
	w->nb = nb;
	w->ngone = 0;
}

/*
 * Room for one more key: at most 3/4 of the places taken, by keys or by
 * keys gone; twice the places when the keys alone would fill 3/4.
 */
static void
grow(struct ft_warn *w)
{
	size_t nb = w->nb ? w->nb : 1024;

	if (w->nb && 4 * (w->nkeys + w->ngone + 1) <= 3 * w->nb)
		return;
	while (4 * (w->nkeys + 1) > 3 * nb)
		nb *= 2;
	rehash(w, nb);
}

/*
 * Puts k, of hash h (hash_of()), in the table of keys, where it is not:
 * in the first place free, a key gone's if its look-up passes one.
 */
static void
kst_link(struct ft_warn *w, struct kst *k, uint64_t h)
{
	if (!w->wide && (uintptr_t)k > KEY_PTR) {
		/* An address of more than 48 bits: no hash bits beside. */
		for (size_t i = 0; i < w->nb; i++)
			if (w->tab[i] > 1)
				w->tab[i] &= KEY_PTR;
		w->wide = 1;
	}
	grow(w);
	k->h = (uint32_t)h;
	if (tab_put(w, w->tab, w->nb, k, h))
		w->ngone--;
	w->nkeys++;
}

/*
 * The state of rule and key, whose str_hash() is kh, made when create and
 * none is.
 */
static struct kst *
kst_find(struct ft_warn *w, int rule, const char *key, uint64_t kh, int create)
{
	struct kst *k;
	uint64_t h = hash_of(rule, kh), tag = tab_tag(w, h), v;
	uint64_t m = w->wide ? 0 : ~KEY_PTR; /* a place's hash bits */
	size_t b, len, head;
	enum kst_kind kind;

	for (b = h & (w->nb - 1); w->nb && (v = w->tab[b]);
	     b = (b + 1) & (w->nb - 1)) {
		if (v == 1 || (v & m) != tag)
			continue;
		k = (struct kst *)(uintptr_t)(v & ~m);
		/* Most keys' text is there (KST_WINDOW): fetched along with
		 * the state's first line, not after it. */
		__builtin_prefetch((char *)k + KST_HEAD);
		if (k->h == (uint32_t)h && k->rule == rule &&
		    !strcmp(k->key, key)) {
			if (k->kind != KST_SERIES) /* its window, next */
				__builtin_prefetch(k->w);
			return k;
		}
	}
	if (!create)
		return NULL;
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
	k = pool_alloc(w, head + len);
	memset(k, 0, head);
	k->rule = rule;
	k->kind = kind;
	k->key = (char *)k + head;
	k->klen = warn_klen_of(len - 1);
	memcpy(k->key, key, len);
	kst_link(w, k, h);
	return k;
}

/* Takes k out of the table of keys, and frees it. */
void
warn_key_drop(struct ft_warn *w, struct kst *k)
{
	size_t b = k->h & (w->nb - 1);

	while (warn_tab_key(w, b) != k)
		b = (b + 1) & (w->nb - 1);
	w->tab[b] = 1;
	w->ngone++;
	w->nkeys--;
	warn_slot_forget(w, k);
	warn_kst_free(w, k);
}

/* Frees every key, and the table. */
void
warn_keys_free(struct ft_warn *w)
{
	size_t i;

	for (i = 0; i < w->nb; i++)
		if (warn_tab_key(w, i))
			warn_kst_free(w, warn_tab_key(w, i));
	free(w->tab);
	w->tab = NULL;
	w->nb = w->nkeys = w->ngone = 0;
	w->wide = 0;
	pool_release(w);
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

/* Whether rule r reads readings (value, and flatline by sensor). */
static int
reads_readings(const struct ft_warn_rule *r)
{
	return r->type == FT_WARN_VALUE ||
	       (r->type == FT_WARN_FLATLINE && r->readings);
}

/*
 * The loosest limit of each value rule (w->loose): at no level short of
 * it.
 */
void
warn_slots_init(struct ft_warn *w)
{
	size_t i;

	w->loose = ft_xmalloc((w->rules.n + 1) * sizeof(double));
	for (i = 0; i < w->rules.n; i++) {
		const struct ft_warn_rule *r = &w->rules.r[i];
		double m = r->below ? -HUGE_VAL : HUGE_VAL;

		for (int l = r->level; l < FT_LEVELS; l++) {
			if (r->at[l] == HUGE_VAL)
				continue;
			if (r->below ? r->at[l] > m : r->at[l] < m)
				m = r->at[l];
		}
		w->loose[i] = m;
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

static struct kst *
slot_states(struct rslot *s)
{
	return (struct kst *)(void *)((char *)s +
				      warn_slot_states_at(s->n, s->klen));
}

/* Whether rule r takes reading q's sensor and metric, and with which key. */
static int
slot_takes(const struct ft_warn_rule *r, const struct rec *q)
{
	return reads_readings(r) &&
	       (r->key == FT_KEY_SENSOR || r->key == FT_KEY_ALL) &&
	       (!r->sensors.n || ft_strs_has(&r->sensors, q->sensor)) &&
	       (!r->metrics.n || ft_strs_has(&r->metrics, q->metric));
}

/*
 * The slots are cut from chunks of SLOT_CHUNK bytes in huge pages where
 * the system gives them (madvise): a reading's slot is anywhere among
 * the sensors', and 4 KiB pages cost a TLB miss, in a virtual machine a
 * long page walk, on top of each cache miss.  Slots are freed all at
 * once (warn_slots_free()).
 */
#define SLOT_CHUNK (4u << 20)

static void *
chunk_new(struct ft_warn *w, size_t size)
{
	void *p;

	if (posix_memalign(&p, size >= SLOT_CHUNK ? 2u << 20 : 64, size))
		ft_die_nomem();
#ifdef MADV_HUGEPAGE
	if (size >= SLOT_CHUNK)
		(void)madvise(p, size, MADV_HUGEPAGE);
#endif
	if (w->nrchunk == w->caprchunk) {
		w->caprchunk = w->caprchunk ? 2 * w->caprchunk : 16;
		w->rchunk = ft_xrealloc(w->rchunk,
					w->caprchunk * sizeof(void *));
	}
	w->rchunk[w->nrchunk++] = p;
	return p;
}

/* size bytes for a slot, 64-byte aligned, zeroed. */
static struct rslot *
slot_alloc(struct ft_warn *w, size_t size)
{
	char *p;

	size = (size + 63) & ~(size_t)63;
	if (size > SLOT_CHUNK / 16) {
		p = chunk_new(w, size);
	} else {
		if (size > w->rleft) {
			w->rfree = chunk_new(w, SLOT_CHUNK);
			w->rleft = SLOT_CHUNK;
		}
		p = w->rfree;
		w->rfree += size;
		w->rleft -= size;
	}
	memset(p, 0, size);
	return (struct rslot *)(void *)p;
}

/* A new slot for q's sensor and metric, key (str_hash() h). */
static struct rslot *
slot_new(struct ft_warn *w, const struct rec *q, const char *key, size_t len,
	 uint64_t h, uint32_t slen)
{
	struct rslot *s;
	size_t i, off;
	int n = 0, nst = 0;

	for (i = 0; i < w->rules.n; i++)
		if (slot_takes(&w->rules.r[i], q)) {
			n++;
			nst += w->rules.r[i].key == FT_KEY_SENSOR;
		}
	if (w->rn >= w->rnb)
		slots_grow(w);
	/* 64-byte aligned: each state is two cache lines. */
	off = warn_slot_states_at(n, len);
	s = slot_alloc(w, off + (size_t)nst * sizeof(struct kst));
	s->h = h;
	s->slen = slen;
	s->klen = (uint32_t)len;
	s->hasm = q->metric != NULL;
	for (i = 0, nst = 0; i < w->rules.n; i++) {
		const struct ft_warn_rule *r = &w->rules.r[i];

		if (!slot_takes(r, q))
			continue;
		s->e[s->n].rule = (int)i;
		s->e[s->n++].in = r->key == FT_KEY_SENSOR ? nst++ : -1;
	}
	s->key = (char *)(s->e + n);
	memcpy(s->key, key, len + 1);
	s->next = w->rtab[h & (w->rnb - 1)];
	w->rtab[h & (w->rnb - 1)] = s;
	w->rn++;
	return s;
}

/*
 * The slot of reading q's sensor and metric, made when none is; its key
 * (sensor, or sensor:metric) into w->skey is not made: the slot has it.
 */
struct rslot *
warn_slot_of(struct ft_warn *w, const struct rec *q)
{
	uint64_t h = q->sh ? q->sh : sensor_hash(q->sensor, q->metric);
	size_t slen = strlen(q->sensor);
	size_t len = slen + (q->metric ? 1 + strlen(q->metric) : 0);
	struct rslot *s;

	if (w->rnb)
		for (s = w->rtab[h & (w->rnb - 1)]; s; s = s->next)
			if (s->h == h && s->slen == slen &&
			    s->hasm == (q->metric != NULL) &&
			    !memcmp(s->key, q->sensor, slen) &&
			    (!q->metric ||
			     !strcmp(s->key + slen + 1, q->metric)))
				return s;
	ft_buf_reset(&w->skey);
	ft_buf_adds(&w->skey, q->sensor);
	if (q->metric) {
		ft_buf_addc(&w->skey, ':');
		ft_buf_adds(&w->skey, q->metric);
	}
	return slot_new(w, q, w->skey.s, len, h, (uint32_t)slen);
}

/*
 * The state of rule s->e[e] (keyed by "sensor") for slot s's key, made
 * when none is: in the slot, unless the key's state is elsewhere already
 * (read back from the database, or another slot's: see struct rslot).
 */
struct kst *
warn_slot_key(struct ft_warn *w, struct rslot *s, int e)
{
	struct rslot_rule *x = &s->e[e];
	struct kst *k;

	if (x->k)
		return x->k;
	if ((k = kst_find(w, x->rule, s->key, s->h, 0)))
		return x->k = k;
	k = slot_states(s) + x->in;
	if (k->inslot)
		/* its place is taken: freed, but still pointed at */
		return x->k = kst_find(w, x->rule, s->key, s->h, 1);
	memset(k, 0, sizeof(*k));
	k->rule = x->rule;
	k->kind = KST_SERIES;
	k->inslot = 1;
	k->key = s->key;
	k->klen = warn_klen_of(s->klen);
	kst_link(w, k, hash_of(x->rule, s->h));
	return x->k = k;
}

/*
 * k is freed: the slots of its key no longer point at it, and its place
 * in a slot is free again.
 */
void
warn_slot_forget(struct ft_warn *w, const struct kst *k)
{
	struct rslot *s;
	uint64_t h;
	int e;

	if (!w->rnb || !reads_readings(&w->rules.r[k->rule]))
		return;
	h = str_hash(k->key);
	for (s = w->rtab[h & (w->rnb - 1)]; s; s = s->next) {
		if (s->h != h || strcmp(s->key, k->key))
			continue;
		for (e = 0; e < s->n; e++)
			if (s->e[e].k == k)
				s->e[e].k = NULL;
	}
}

/* Forgets every slot (their states are freed apart, first). */
void
warn_slots_free(struct ft_warn *w)
{
	size_t i;

	for (i = 0; i < w->nrchunk; i++)
		free(w->rchunk[i]);
	free(w->rchunk);
	w->rchunk = NULL;
	w->nrchunk = w->caprchunk = 0;
	w->rfree = NULL;
	w->rleft = 0;
	free(w->rtab);
	w->rtab = NULL;
	w->rnb = w->rn = 0;
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
warn_kst_free(struct ft_warn *w, struct kst *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		warn_id_free(w, k->w[i].id);
	if (k->kind != KST_SERIES && k->base != &k->one)
		pool_free(w, k->base, k->cap * sizeof(struct hit));
	switch (k->kind) {
	case KST_SERIES:
		free(k->iv);
		rings_free(k->rg, k->nrg);
		break;
	case KST_SLA:
		for (i = 0; i < k->ndone; i++)
			warn_id_free(w, k->done[i].id);
		free(k->done);
		break;
	case KST_COUNTS:
		free(k->wc);
		break;
	case KST_WINDOW:
		break;
	}
	warn_warning_free(k->live);
	if (!k->inslot)
		pool_free(w, k, kst_size(k));
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
	const char *v;

	switch (r->key) {
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
		}
		w->kp = w->skey.s;
		w->kh = w->kh_of[FT_KEY_SENSOR];
		return 1;
	case FT_KEY_JQ:
		ft_buf_reset(&w->key);
		if (!key_jq(w, r, q))
			return 0;
		w->kp = w->key.s;
		w->kh = str_hash(w->kp);
		return 1;
	default:
		break;
	}
	if (!(v = warn_key_field(q, r->key)))
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
		w->qid = warn_id_dup(w, q->id);
	return w->qid;
}

/*
 * Adds the event (t, id) to k's window, in time order; 0 when it is there
 * already.  An event sent again has its time again: only the entries of
 * that time are compared.  sid: id as warn_id_dup() made it, to share, or NULL.
 */
int
warn_window_add(struct ft_warn *w, struct kst *k, int64_t t, const char *id,
		char *sid)
{
	size_t j, i;

	/* (a series has no window: a state read back may list one) */
	if (k->kind == KST_SERIES)
		return 0;
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
		} else {
			struct hit *b = pool_alloc(w, 2 * k->cap * sizeof(*b));

			memcpy(b, k->w, k->n * sizeof(*k->w));
			if (k->base != &k->one)
				pool_free(w, k->base,
					  k->cap * sizeof(*k->base));
			k->base = b;
			k->cap *= 2;
		}
		k->w = k->base;
	}
	memmove(k->w + j + 1, k->w + j, (k->n - j) * sizeof(*k->w));
	k->w[j].t = t;
	k->w[j].id = sid ? id_ref(sid) : warn_id_dup(w, id);
	k->n++;
	return 1;
}

/* Drops what is no longer in the window ending at k's newest event. */
void
warn_window_prune(struct ft_warn *w, struct kst *k, int64_t window)
{
	int64_t end = k->n ? k->w[k->n - 1].t : 0;
	size_t i = 0;

	while (i < k->n && k->w[i].t <= end - window)
		warn_id_free(w, k->w[i++].id);
	k->w += i;
	k->n -= i;
	/* A burst gone by: give back most of what it took. */
	if (i && k->cap > 8 && k->n < k->cap / 4) {
		struct hit *b = pool_alloc(w, k->cap / 2 * sizeof(*b));

		memcpy(b, k->w, k->n * sizeof(*k->w));
		pool_free(w, k->base, k->cap * sizeof(*k->base));
		k->cap /= 2;
		k->base = b;
		k->w = k->base;
	}
}
