/*
 * ft_warn_state.c - the state between runs: what a batch changed, written
 * into its transaction (flush), the keys forgotten (gc), and what the last
 * run left read back (load_state, reload).
 */
#include "ft_warn_int.h"

static int reload(struct ft_warn *w);

/*
 * The keys' states are stored in pages (table warn_pages): a row holds
 * states as a JSON array of [rule, key, state], and a key's state is the
 * one of the page of the highest number that has it (the view
 * warn_windows shows that one); its entries in older pages are stale.
 * A batch writes the states it changed into new pages, PAGE_KEYS a page,
 * in the order the clock will forget them (expiry()), and leaves the
 * older pages as they are.  A page is deleted once it holds no key's
 * state; one that a key left with no newer state (forgotten, or with
 * nothing to keep) while others stay, or whose entries are more stale
 * than not, is dissolved: its keys go into the new pages with the rest.
 * Since the keys forgotten together were written together, most pages go
 * whole, and a page is written once.
 *
 * Before (schema 12), a key stayed in the page it first joined, and a
 * page was written again whole when any of its keys changed or left: on
 * the benchmark's million events, some 10,000 pages of 11,500 a batch
 * (nearly every page changes in a batch whose days are as many as the
 * longest window's), the states of 120,000 keys where 56,000 changed.
 * Pages of 128 took as much CPU, and twice the file: rows of up to 12 KB
 * leave SQLite's leaves of 16 KB mostly empty.
 */
#define PAGE_KEYS 32
/* The highest page number: warn_pages's numbers are below 2^32 - 1. */
#define PAGE_LAST (UINT32_MAX - 1)

/* Page id, which is there. */
static struct wpage *
page_of(struct ft_warn *w, uint32_t id)
{
	size_t lo = 0, hi = w->npg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->pg[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &w->pg[lo];
}

/* A new page, id, at the end of w's pages. */
static struct wpage *
page_new(struct ft_warn *w, uint32_t id)
{
	struct wpage *p;

	if (!w->pg || w->npg == w->cappg) {
		w->cappg = w->cappg ? w->cappg * 2 : 64;
		w->pg = ft_xrealloc(w->pg, w->cappg * sizeof(*w->pg));
	}
	p = &w->pg[w->npg++];
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->emin = NEVER;
	ft_buf_init(&p->other);
	if (id >= w->pg_next)
		w->pg_next = id + 1;
	return p;
}

/* Adds k to page p (as it is read: p is not written for it). */
static void
page_add(struct wpage *p, struct kst *k)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->m = ft_xrealloc(p->m, p->cap * sizeof(struct kst *));
	}
	p->m[p->n++] = k;
	k->page = p->id;
}

/* Takes k's entry out of its page p (k is forgotten, or keeps nothing). */
static void
page_leave(struct ft_warn *w, struct kst *k)
{
	struct wpage *p;
	uint32_t i;

	if (!k->page)
		return;
	p = page_of(w, k->page);
	for (i = 0; i < p->n && p->m[i] != k; i++)
		;
	if (i < p->n) {
		uint32_t last = --p->n;

		/* m[last] moves to m[i], and with it whether it is stale. */
		p->m[i] = p->m[last];
		if (last >= 64)
			p->deref = 1;
		else if (i != last)
			p->gone = (p->gone & ~(1ULL << i)) |
				  (p->gone >> last & 1) << i;
		if (last < 64)
			p->gone &= ~(1ULL << last);
	}
	p->lost = p->dirty = 1;
	k->page = 0;
}

/*
 * k's newer state goes into a new page: its entry in its page is stale.
 * It stays in the page's m[] until pages_settle(), marked in gone (m[] is
 * looked through, up to 32 pointers side by side, so that pages_settle()
 * need not look at each key of the page: most have not changed, and are
 * out of the cache).
 */
static void
page_stale(struct ft_warn *w, struct kst *k)
{
	struct wpage *p;
	uint32_t i;

	if (!k->page)
		return;
	p = page_of(w, k->page);
	for (i = 0; i < p->n && i < 64 && p->m[i] != k; i++)
		;
	if (i < p->n && i < 64)
		p->gone |= 1ULL << i;
	else
		p->deref = 1;
	p->stale++;
	p->moved++;
	p->dirty = 1;
	k->page = 0;
}

/* The pages that changed without the keys page_stale() took out of them. */
static void
pages_settle(struct ft_warn *w)
{
	size_t i;

	for (i = 0; i < w->npg; i++) {
		struct wpage *p = &w->pg[i];
		uint32_t j, n = 0;

		if (!p->dirty)
			continue;
		/* All its keys are written anew, none left: it is written
		 * again in their place (their older entries are all in lower
		 * pages), as with readings, whose every key changes. */
		if (p->n && p->moved == p->n && !p->lost && !p->other.len) {
			for (j = 0; j < p->n; j++)
				p->m[j]->page = p->id;
			p->stale -= p->moved;
			p->moved = 0;
			p->gone = 0;
			p->deref = 0;
			p->again = 1;
			continue;
		}
		p->moved = 0;
		if (p->deref) {
			for (j = 0; j < p->n; j++)
				if (p->m[j]->page == p->id)
					p->m[n++] = p->m[j];
		} else {
			for (j = 0; j < p->n; j++)
				if (j >= 64 || !(p->gone >> j & 1))
					p->m[n++] = p->m[j];
		}
		p->gone = 0;
		p->deref = 0;
		p->n = n;
		/* Most pages only empty out: give back what they no longer
		 * hold (the peak RSS counts it). */
		if (p->cap > 8 && p->n <= p->cap / 2) {
			while (p->cap > 8 && p->n <= p->cap / 2)
				p->cap /= 2;
			p->m = ft_xrealloc(p->m, p->cap * sizeof(struct kst *));
		}
	}
}

static void
page_free(struct wpage *p)
{
	free(p->m);
	ft_buf_release(&p->other);
}

/* ---- storing ---- */

static void put_ll(struct ft_buf *b, int64_t v);

/*
 * Stores k's warning x with status (resolved: at resolved_at); x is then
 * stored: its next write updates its row (if a batch that wrote it rolls
 * back, reload() makes x again, from what the database holds).
 */
int
warn_put_warning(struct ft_warn *w, const struct kst *k, struct warning *x,
		 const char *status, int64_t resolved_at)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	struct ft_store_warning s;
	char first[FT_TIME_LEN], last[FT_TIME_LEN], raised[FT_TIME_LEN],
		res[FT_TIME_LEN];
	size_t evlen;
	int st;

	memset(&s, 0, sizeof(s));
	s.warning = x->id;
	s.rule = r->name;
	s.type = ft_warn_type_name(r->type);
	s.key = k->key;
	s.level = ft_warn_levels[x->level];
	s.status = status;
	s.major = x->major;
	s.count = x->count;
	if (x->has_value)
		s.num = &x->value; /* not through its text */
	s.first_at = warn_tstr(x->first, first);
	s.last_at = warn_tstr(x->last, last);
	s.raised_at = warn_tstr(x->raised, raised);
	s.acked_at = x->acked_at;
	s.acked_by = x->acked_by;
	s.ack_note = x->ack_note;
	if (resolved_at) {
		s.resolved_at = warn_tstr(resolved_at, res);
		s.resolution = "cleared";
	}
	ft_buf_reset(&w->json);
	warn_events_json(&w->json, x);
	evlen = w->json.len;
	ft_buf_addc(&w->json, '\0');
	ft_buf_adds(&w->json, "{\"cleared\":");
	put_ll(&w->json, x->cleared);
	ft_buf_adds(&w->json, ",\"resolve_at\":");
	/* 0: not due (NEVER is no number JSON keeps exact) */
	put_ll(&w->json, x->resolve_at == NEVER ? 0 : x->resolve_at);
	ft_buf_adds(&w->json, ",\"printed\":");
	put_ll(&w->json, x->printed);
	ft_buf_addc(&w->json, '}');
	s.events = w->json.s;
	s.state = w->json.s + evlen + 1;
	s.stored = x->stored;
	if ((st = warn_db_put(w, &s)))
		return st;
	x->stored = 1;
	return FT_OK;
}

/*
 * A value rule's baseline: "dv": [[t, v], ...], each ring oldest first;
 * "dh": the deviations of the last readings judged (with "likelihood",
 * those below 0 as 0), likewise.
 */
static void
rings_put(struct ft_buf *b, const struct ft_warn_rule *r, const struct kst *k)
{
	const char *sep = "";
	int i, j;

	ft_buf_adds(b, ",\"dv\":[");
	for (i = 0; i <= k->nrg; i++) {
		int cap = i < k->nrg ? r->nbase : r->record;

		if (i == k->nrg) {
			ft_buf_adds(b, "],\"dh\":[");
			sep = "";
		}
		for (j = 0; j < k->rg[i].n; j++) {
			int at = (k->rg[i].head + j) % cap;

			ft_buf_addf(b, "%s[%lld,%.17g]", sep,
				    (long long)k->rg[i].t[at], k->rg[i].v[at]);
			sep = ",";
		}
	}
	ft_buf_addc(b, ']');
}

/*
 * v in decimal, as %lld would, ending at end (state_json() is hot: no
 * printf); returns where it starts.
 */
static char *
digits(char *end, int64_t v)
{
	static const char pairs[] = "00010203040506070809"
				    "10111213141516171819"
				    "20212223242526272829"
				    "30313233343536373839"
				    "40414243444546474849"
				    "50515253545556575859"
				    "60616263646566676869"
				    "70717273747576777879"
				    "80818283848586878889"
				    "90919293949596979899";
	char *p = end;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	/* Two digits a step: a time is ten. */
	for (; u >= 100; u /= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (u % 100), 2);
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * u, 2);
	} else {
		*--p = (char)('0' + u);
	}
	if (v < 0)
		*--p = '-';
	return p;
}

/* Adds v in decimal. */
static void
put_ll(struct ft_buf *b, int64_t v)
{
	char d[24], *p = digits(d + sizeof(d), v);
	size_t n = (size_t)(d + sizeof(d) - p);

	if (b->len + n >= b->cap)
		ft_buf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/*
 * Whether a byte of x (8 bytes of a string) is one JSON escapes: below
 * 0x20, '"' or '\\'.  Each test is exact as a whole (it may mark a byte
 * beside the one it found, never a word without one), and '"' and '\\'
 * have bit 7 clear, so ~x stands for their ~(x ^ c).
 */
static inline uint64_t
special8(uint64_t x)
{
	const uint64_t one = 0x0101010101010101ULL;
	uint64_t q = x ^ (one * '"'), s = x ^ (one * '\\');

	return ((x - one * 0x20) | (q - one) | (s - one)) & ~x & (one << 7);
}

/*
 * Whether s[0..n) is copied into a JSON string as it is, looked at 8
 * bytes a step (addresses in Chinese are 40 bytes and more; the last
 * step's bytes overlap the one before).
 */
static int
plain(const char *s, size_t n)
{
	uint64_t x;
	size_t i;

	if (n < 8) {
		/* 'a' where s has no bytes */
		x = 0x6161616161616161ULL;
		memcpy(&x, s, n);
		return !special8(x);
	}
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&x, s + i, 8);
		if (special8(x))
			return 0;
	}
	memcpy(&x, s + n - 8, 8);
	return !special8(x);
}

/*
 * Adds s as a JSON string, as ft_json_escape() would: most keys and ids
 * need no escaping, and are copied at once.
 */
static void
put_str(struct ft_buf *b, const char *s, size_t n)
{
	if (!plain(s, n)) {
		ft_json_escape(b, s, n);
		return;
	}
	if (b->len + n + 3 > b->cap)
		ft_buf_grow(b, n + 2);
	b->s[b->len++] = '"';
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len++] = '"';
	b->s[b->len] = '\0';
}

/* Adds [t,"id"], an event or a case of a window, as put_ll() and
 * put_str() would. */
static void
put_hit(struct ft_buf *b, const struct hit *h)
{
	size_t n = strlen(h->id);
	char *o;

	if (!plain(h->id, n)) {
		ft_buf_addc(b, '[');
		put_ll(b, h->t);
		ft_buf_addc(b, ',');
		ft_json_escape(b, h->id, n);
		ft_buf_addc(b, ']');
		return;
	}
	/* [, 20 digits and a sign, ,", the id, "] */
	ft_buf_grow(b, n + 27);
	o = b->s + b->len;
	*o++ = '[';
	{
		char d[24], *p = digits(d + sizeof(d), h->t);

		memcpy(o, p, (size_t)(d + sizeof(d) - p));
		o += d + sizeof(d) - p;
	}
	*o++ = ',';
	*o++ = '"';
	memcpy(o, h->id, n);
	o += n;
	*o++ = '"';
	*o++ = ']';
	*o = '\0';
	b->len = (size_t)(o - b->s);
}

/* Adds k's state to b, as a JSON object: what the next run reads. */
static void
state_json(struct ft_buf *b, const struct ft_warn_rule *r, const struct kst *k)
{
	size_t i;

	ft_buf_adds(b, "{\"w\":[");
	for (i = 0; i < k->n; i++) {
		if (i)
			ft_buf_addc(b, ',');
		put_hit(b, &k->w[i]);
	}
	ft_buf_addc(b, ']');
	if (k->kind == KST_SERIES) {
		ft_buf_adds(b, ",\"out\":");
		put_ll(b, k->out);
		ft_buf_adds(b, ",\"since\":");
		put_ll(b, k->out_since);
		ft_buf_adds(b, ",\"n\":");
		put_ll(b, k->nout);
		if (k->has_last) {
			ft_buf_adds(b, ",\"last\":");
			put_ll(b, k->last);
		}
	}
	if (k->kind == KST_SLA && k->ndone) {
		ft_buf_adds(b, ",\"done\":[");
		for (i = 0; i < k->ndone; i++) {
			if (i)
				ft_buf_addc(b, ',');
			put_hit(b, &k->done[i]);
		}
		ft_buf_addc(b, ']');
	}
	if (k->kind == KST_SERIES && k->niv) {
		int j;

		ft_buf_adds(b, ",\"iv\":[");
		for (j = 0; j < k->niv; j++) {
			if (j)
				ft_buf_addc(b, ',');
			put_ll(b, k->iv[j]);
		}
		ft_buf_addc(b, ']');
	}
	if (k->kind == KST_COUNTS) {
		/* The window's length and alignment: counts of other
		 * windows (the rule changed) are not read back. */
		ft_buf_addf(b, ",\"cl\":%lld,\"cz\":%d,\"c\":[",
			    (long long)r->window, r->weeks);
		for (i = 0; i < k->nwc; i++) {
			ft_buf_adds(b, i ? ",[" : "[");
			put_ll(b, k->wc[i].b);
			ft_buf_addc(b, ',');
			put_ll(b, k->wc[i].n);
			ft_buf_addc(b, ']');
		}
		ft_buf_addc(b, ']');
	}
	if (k->kind == KST_SERIES && k->rg)
		rings_put(b, r, k);
	ft_buf_addc(b, '}');
}

/* Writes page p: its keys' states, or nothing (its row goes). */
static int
page_put(struct ft_warn *w, struct wpage *p)
{
	struct ft_buf *b = &w->json;
	uint32_t i;

	p->dirty = p->lost = 0;
	p->stale = 0;
	if (!p->n && !p->other.len)
		return warn_db_page(w, p->id, NULL, 0);
	ft_buf_reset(b);
	ft_buf_addc(b, '[');
	for (i = 0; i < p->n; i++) {
		const struct kst *k = p->m[i];
		const struct ft_warn_rule *r = &w->rules.r[k->rule];

		/*
		 * A page's keys are anywhere in memory, and so are their
		 * keys' text and their windows' ids: fetched a few keys
		 * ahead, each a step after what leads to it.
		 */
		if (i + 8 < p->n) {
			__builtin_prefetch(p->m[i + 8]);
			__builtin_prefetch((const char *)p->m[i + 8] + 64);
		}
		if (i + 4 < p->n) {
			__builtin_prefetch(p->m[i + 4]->key);
			if (p->m[i + 4]->kind != KST_SERIES)
				__builtin_prefetch(p->m[i + 4]->w);
		}
		if (i + 2 < p->n && p->m[i + 2]->n)
			__builtin_prefetch(p->m[i + 2]->w[0].id);
		if (i)
			ft_buf_addc(b, ',');
		ft_buf_addc(b, '[');
		put_str(b, r->name, r->namelen);
		ft_buf_addc(b, ',');
		put_str(b, k->key, warn_klen(k));
		ft_buf_addc(b, ',');
		state_json(b, r, k);
		ft_buf_addc(b, ']');
	}
	if (p->other.len) {
		if (p->n)
			ft_buf_addc(b, ',');
		ft_buf_add(b, p->other.s, p->other.len);
	}
	ft_buf_addc(b, ']');
	return warn_db_page(w, p->id, b->s, b->len);
}

/*
 * The clock after which k is forgotten, unless it changes first (gc()
 * forgets it when the clock is past this): the newest record it counted,
 * or the end of its newest window, and the rule's horizon; NEVER while it
 * has a live warning, a reading out of limits, a series or cases that
 * ended; INT64_MIN when it holds nothing.
 */
static int64_t
expiry(const struct ft_warn *w, const struct kst *k)
{
	const struct ft_warn_rule *r = &w->rules.r[k->rule];
	int64_t t = INT64_MIN;

	if (k->live || (k->kind != KST_COUNTS && warn_kst_holds(k)))
		return NEVER;
	if (k->n)
		t = k->w[k->n - 1].t;
	if (k->kind == KST_COUNTS && k->nwc) {
		int64_t b = warn_win_start(r, k->wc[k->nwc - 1].b + 1);

		if (b > t)
			t = b;
	}
	return t == INT64_MIN ? t : t + w->horizon[k->rule];
}

/* Whether gc() forgets k (it keeps what is dirty, whatever this says). */
static int
kst_gone(const struct ft_warn *w, const struct kst *k)
{
	return w->clock > expiry(w, k);
}

/* A key to be written, and when it expires: what new pages are sorted by. */
struct wkey {
	int64_t e;
	struct kst *k;
};

/*
 * Sorts v[0..n) by expiry, keys that expire together in the order they
 * came: those that hold nothing (INT64_MIN) first and those that wait
 * (NEVER) last, apart, then the times by radix, a byte at a time from the
 * lowest, only the bytes in which they differ (the times of a batch are
 * days apart at most: 3 bytes of 8).
 */
static void
by_expiry(struct wkey *v, struct wkey *tmp, size_t n)
{
	size_t c[256], i, none = 0, nt = 0, p0, p1, p2;
	uint64_t vary = 0;
	int64_t first = 0;
	struct wkey *a, *b, *t;
	int shift;

	for (i = 0; i < n; i++) {
		int64_t e = v[i].e;

		if (e == INT64_MIN) {
			none++;
		} else if (e != NEVER) {
			if (!nt++)
				first = e;
			vary |= (uint64_t)(e ^ first);
		}
	}
	p0 = 0;
	p1 = none;
	p2 = none + nt;
	for (i = 0; i < n; i++) {
		if (v[i].e == INT64_MIN)
			tmp[p0++] = v[i];
		else if (v[i].e == NEVER)
			tmp[p2++] = v[i];
		else
			tmp[p1++] = v[i];
	}
	memcpy(v, tmp, none * sizeof(*v));
	memcpy(v + none + nt, tmp + none + nt, (n - none - nt) * sizeof(*v));
	a = tmp + none;
	b = v + none;
	for (shift = 0; shift < 64; shift += 8) {
		size_t at = 0;

		if (!(vary >> shift & 255))
			continue;
		memset(c, 0, sizeof(c));
		for (i = 0; i < nt; i++)
			c[((uint64_t)a[i].e ^ (1ULL << 63)) >> shift & 255]++;
		for (i = 0; i < 256; i++) {
			size_t m = c[i];

			c[i] = at;
			at += m;
		}
		for (i = 0; i < nt; i++)
			b[c[((uint64_t)a[i].e ^ (1ULL << 63)) >> shift &
			    255]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	if (a != v + none)
		memcpy(v + none, a, nt * sizeof(*v));
}

/*
 * The pages numbered again 1, 2, ... in their order, each row written
 * under its new number (only its keys' states: the stale entries go) and
 * the old one deleted, so that the numbers, which only grow (some 1,800
 * pages a batch of 50,000 events), do not run past PAGE_LAST.  A page's
 * new number is at most its old one and the pages below it have moved
 * already, so no row is overwritten that is still to move.
 */
static int
pages_renumber(struct ft_warn *w)
{
	size_t i;
	uint32_t j, old;
	int st = FT_OK;

	for (i = 0; i < w->npg && !st; i++) {
		struct wpage *p = &w->pg[i];

		if ((old = p->id) == i + 1)
			continue;
		p->id = (uint32_t)(i + 1);
		for (j = 0; j < p->n; j++)
			p->m[j]->page = p->id;
		if (!(st = page_put(w, p)))
			st = warn_db_page(w, old, NULL, 0);
	}
	w->pg_next = (uint32_t)(w->npg + 1);
	return st;
}

/*
 * The end of a batch: the pages that changed deleted, dissolved or (those
 * that hold keys of rules not in the rules file) written again; the
 * states of w->dirty[0..ndirty) and of the dissolved pages' keys into new
 * pages; ex[i] is the expiry of w->dirty[i], i < nex (warn_flush()
 * computed them: the clock forgets some at once).
 */
static int
pages_put(struct ft_warn *w, const int64_t *ex, size_t nex)
{
	size_t i, j, n = 0, nk;
	struct wkey *v;
	int st = FT_OK;

	for (i = 0; i < w->npg; i++) {
		struct wpage *p = &w->pg[i];

		if (p->dirty && !st) {
			if (p->again) {
				p->emin = NEVER;
				for (j = 0; j < p->n; j++) {
					int64_t e = expiry(w, p->m[j]);

					if (e < p->emin)
						p->emin = e;
				}
				p->again = 0;
				st = page_put(w, p);
			} else if (p->other.len) {
				st = page_put(w, p);
			} else {
				if (p->n && (p->lost || p->stale > p->n)) {
					for (j = 0; j < p->n; j++) {
						p->m[j]->page = 0;
						warn_touch_list(w, p->m[j]);
					}
					p->n = 0;
				}
				if (!p->n)
					st = page_put(w, p);
				p->dirty = 0;
			}
		}
		if (p->n || p->other.len || p->dirty)
			w->pg[n++] = *p;
		else
			page_free(p);
	}
	w->npg = n;
	if (st || !(nk = w->ndirty))
		return st;
	v = ft_xmalloc(2 * nk * sizeof(*v));
	for (i = j = 0; i < nk; i++) {
		/* (Those of a page written again in place have theirs.) */
		if (w->dirty[i]->page)
			continue;
		v[j].k = w->dirty[i];
		v[j].e = i < nex ? ex[i] : expiry(w, v[j].k);
		j++;
	}
	if (!(nk = j)) {
		free(v);
		return st;
	}
	by_expiry(v, v + nk, nk);
	if (w->pg_next > PAGE_LAST - (nk + PAGE_KEYS - 1) / PAGE_KEYS)
		st = pages_renumber(w);
	for (i = 0; i < nk && !st; i += PAGE_KEYS) {
		struct wpage *p = page_new(w, w->pg_next);

		for (j = i; j < nk && j < i + PAGE_KEYS; j++)
			page_add(p, v[j].k);
		p->emin = v[i].e;
		st = page_put(w, p);
	}
	free(v);
	return st;
}

/*
 * Forgets the keys with nothing the rules remember: no live warning, no
 * reading out of limits, no value rule's series, and the newest record
 * counted older than the rule's horizon; they leave their pages.  Run
 * every GC_EVERY batches, so that a stream of ever new keys (an id each)
 * holds only the recent ones.
 */
#define GC_EVERY 1

/* Frees k, out of the table (it has left its page). */
static void
key_free(struct ft_warn *w, struct kst *k)
{
	warn_key_drop(w, k);
}

/* Every key looked at: some were made that no flush has seen. */
static void
gc_all(struct ft_warn *w)
{
	struct kst *k;
	size_t i;

	for (i = 0; i < w->nb; i++) {
		if (!(k = warn_tab_key(w, i)) || k->dirty || !kst_gone(w, k))
			continue;
		page_leave(w, k);
		warn_key_drop(w, k);
	}
}

/*
 * The keys of the pages the clock has passed the earliest expiry of.  The
 * other keys a flush has seen are in pages whose keys expire later, or
 * have a live warning and nothing else (no expiry): none is forgotten
 * before it changes, and a key that changed was judged by the flush.
 */
static void
gc_pages(struct ft_warn *w)
{
	size_t i;

	for (i = 0; i < w->npg; i++) {
		struct wpage *p = &w->pg[i];
		int64_t emin = NEVER;
		uint32_t j, n = 0;

		if (w->clock <= p->emin)
			continue;
		for (j = 0; j < p->n; j++) {
			struct kst *k = p->m[j];
			int64_t e;

			/* The keys ahead, their windows' newest entries
			 * (expiry()), buckets and ids (most keys are forgotten:
			 * key_free()): out of the cache, each a step after what
			 * leads to it. */
			if (j + 6 < p->n) {
				__builtin_prefetch(p->m[j + 6]);
				__builtin_prefetch((char *)p->m[j + 6] + 64);
			}
			if (j + 3 < p->n) {
				const struct kst *a = p->m[j + 3];

				if (a->n)
					__builtin_prefetch(&a->w[a->n - 1]);
				__builtin_prefetch(&w->tab[a->h & (w->nb - 1)]);
			}
			if (j + 1 < p->n) {
				const struct kst *a = p->m[j + 1];
				size_t x;

				for (x = 0; x < a->n && x < 4; x++)
					__builtin_prefetch(id_box(a->w[x].id));
			}
			e = expiry(w, k);
			if (w->clock > e) {
				k->page = 0;
				key_free(w, k);
				continue;
			}
			if (e < emin)
				emin = e;
			p->m[n++] = k;
		}
		if (n < p->n)
			p->lost = p->dirty = 1;
		p->n = n;
		p->emin = emin;
	}
}

/* ft_run's flush: what changed in memory, into the batch. */
int
warn_flush(void *ctx)
{
	struct ft_warn *w = ctx;
	size_t i, kept = w->nkeys, n = 0, fresh = 0;
	int gcs = w->clock_set && (w->flushes + 1) % GC_EVERY == 0;
	int st = FT_OK;
	int64_t *ex;

	if (w->clock_set)
		warn_sla_expire(w);
	/* Each key's expiry, once: whether the clock forgets it now, and
	 * where it goes in the new pages (pages_put()). */
	ex = ft_xmalloc((w->ndirty + 1) * sizeof(*ex));
	for (i = 0; i < w->ndirty && !st; i++) {
		struct kst *k = w->dirty[i];
		int64_t e;

		if (i + 8 < w->ndirty)
			__builtin_prefetch(w->dirty[i + 8]);
		/* the newest of its window, which expiry() reads */
		if (i + 4 < w->ndirty && w->dirty[i + 4]->n)
			__builtin_prefetch(
				&w->dirty[i + 4]->w[w->dirty[i + 4]->n - 1]);

		k->dirty = 0;
		fresh += !k->known;
		k->known = 1;
		e = expiry(w, k);
		/* Forgotten now: it does not join a page only to leave it
		 * (many would: a key seen once, early in the batch). */
		if (gcs && w->clock > e) {
			page_leave(w, k);
			key_free(w, k);
			continue;
		}
		if (k->live)
			st = warn_put_warning(w, k, k->live,
					      k->live->acked ? "acked" : "open",
					      0);
		if (!k->n && !warn_kst_holds(k)) {
			page_leave(w, k);
			continue;
		}
		page_stale(w, k);
		ex[n] = e;
		w->dirty[n++] = k;
	}
	pages_settle(w);
	w->ndirty = st ? 0 : n;
	if (!st && w->clock_dirty)
		st = warn_db_clock(w, w->clock);
	w->clock_dirty = 0;
	if (st) {
		w->ndirty = 0;
		free(ex);
		return st;
	}
	if (w->clock_set && ++w->flushes % GC_EVERY == 0) {
		/* Keys made in the batch and never touched are in no list. */
		if (kept - w->nknown > fresh)
			gc_all(w);
		else
			gc_pages(w);
	}
	w->nknown = gcs ? w->nkeys : 0;
	st = pages_put(w, ex, n);
	free(ex);
	w->ndirty = 0;
	if (st)
		return st;
	/* Only while the keys stay: ever new keys are freed by gc() at the
	 * end of a batch, and a longer batch would hold them longer. */
	kept -= w->nkeys;
	w->run.limit = w->nkeys > BATCH / KEY_RECORDS && kept < w->nkeys / 8 ?
			       KEY_RECORDS * (long)w->nkeys :
			       BATCH;
	return FT_OK;
}

/* A batch's commit is queued: its counts stand once it has committed. */
void
warn_stage_counts(void *ctx)
{
	struct ft_warn *w = ctx;

	w->staged = w->c;
	w->has_staged = 1;
}

/* A batch committed: the counts of its end stand (staged, if it was). */
void
warn_keep_counts(void *ctx)
{
	struct ft_warn *w = ctx;

	w->kept = w->has_staged ? w->staged : w->c;
	w->has_staged = 0;
}

/*
 * The batch did not commit: the database is as it was, and so must be
 * what the engine holds, read from it again; a failure to read it stops
 * the run at the next record.
 */
void
warn_drop_counts(void *ctx)
{
	struct ft_warn *w = ctx;

	w->c = w->kept;
	w->has_staged = 0;
	if (!w->failed)
		w->failed = reload(w);
}

/* ---- the state of the last run ---- */

static int64_t
num_member(jv o, const char *name)
{
	jv x = jv_object_get(jv_copy(o), jv_string(name));
	int64_t v = jv_get_kind(x) == JV_KIND_NUMBER ?
			    (int64_t)jv_number_value(x) :
			    0;

	jv_free(x);
	return v;
}

/*
 * A spike or drop rule's counts, from state s: "c" when its windows are
 * the rule's; else from the events of "w" (a version before kept every
 * event of the baseline; or the rule's window changed).  The events of
 * the newest window stay.
 */
static void
load_counts(struct ft_warn *w, struct kst *k, const struct ft_warn_rule *r,
	    jv s)
{
	jv c = jv_object_get(jv_copy(s), jv_string("c"));
	int i, n;

	if (jv_get_kind(c) == JV_KIND_ARRAY &&
	    num_member(s, "cl") == r->window &&
	    num_member(s, "cz") == r->weeks) {
		n = jv_array_length(jv_copy(c));
		for (i = 0; i < n; i++) {
			jv p = jv_array_get(jv_copy(c), i);
			jv b = jv_array_get(jv_copy(p), 0),
			   m = jv_array_get(p, 1);

			if (jv_get_kind(b) == JV_KIND_NUMBER &&
			    jv_get_kind(m) == JV_KIND_NUMBER)
				warn_count_add(k, (int64_t)jv_number_value(b),
					       (int64_t)jv_number_value(m));
			jv_free(b);
			jv_free(m);
		}
	} else {
		for (i = 0; i < (int)k->n; i++)
			warn_count_add(k, warn_win_of(r, k->w[i].t), 1);
	}
	jv_free(c);
	if (k->n) {
		int64_t hb = warn_win_of(r, k->w[k->n - 1].t);
		size_t j = 0;

		while (j < k->n && warn_win_of(r, k->w[j].t) < hb)
			warn_id_free(w, k->w[j++].id);
		k->w += j;
		k->n -= j;
	}
}

/* What rings_put() wrote, back into k's rings. */
static void
rings_load(const struct ft_warn_rule *r, struct kst *k, jv s)
{
	static const char *const names[] = { "dv", "dh" };
	int h;

	for (h = 0; h < 2; h++) {
		jv a = jv_object_get(jv_copy(s), jv_string(names[h]));
		int n = jv_get_kind(a) == JV_KIND_ARRAY ?
				jv_array_length(jv_copy(a)) :
				0,
		    i;

		for (i = 0; i < n && (!h || r->record); i++) {
			jv p = jv_array_get(jv_copy(a), i);
			jv t = jv_array_get(jv_copy(p), 0),
			   v = jv_array_get(p, 1);

			if (jv_get_kind(t) == JV_KIND_NUMBER &&
			    jv_get_kind(v) == JV_KIND_NUMBER) {
				int64_t at = (int64_t)jv_number_value(t);
				struct ring *g = warn_ring_of(r, k, at);

				if (h)
					warn_ring_push(&k->rg[k->nrg],
						       r->record, at,
						       jv_number_value(v));
				else
					warn_ring_push(g, r->nbase, at,
						       jv_number_value(v));
			}
			jv_free(t);
			jv_free(v);
		}
		jv_free(a);
	}
}

/* State s (a JSON object, consumed) of rule ri's key k, into k. */
static void
load_window(struct ft_warn *w, int ri, struct kst *k, jv s)
{
	int i, n;
	jv a, x;

	a = jv_object_get(jv_copy(s), jv_string("w"));
	n = jv_get_kind(a) == JV_KIND_ARRAY ? jv_array_length(jv_copy(a)) : 0;
	for (i = 0; i < n; i++) {
		jv p = jv_array_get(jv_copy(a), i);
		jv t = jv_array_get(jv_copy(p), 0), id = jv_array_get(p, 1);

		if (jv_get_kind(t) == JV_KIND_NUMBER &&
		    jv_get_kind(id) == JV_KIND_STRING)
			warn_window_add(w, k, (int64_t)jv_number_value(t),
					jv_string_value(id), NULL);
		jv_free(t);
		jv_free(id);
	}
	jv_free(a);
	if (k->kind == KST_SERIES) {
		x = jv_object_get(jv_copy(s), jv_string("out"));
		k->out = jv_get_kind(x) == JV_KIND_NUMBER &&
			 jv_number_value(x) != 0;
		jv_free(x);
		k->out_since = num_member(s, "since");
		k->nout = num_member(s, "n");
		x = jv_object_get(jv_copy(s), jv_string("last"));
		if ((k->has_last = jv_get_kind(x) == JV_KIND_NUMBER))
			k->last = (int64_t)jv_number_value(x);
		jv_free(x);
	}
	if (w->rules.r[ri].type == FT_WARN_SPIKE ||
	    w->rules.r[ri].type == FT_WARN_DROP)
		load_counts(w, k, &w->rules.r[ri], s);
	if (w->rules.r[ri].dev)
		rings_load(&w->rules.r[ri], k, s);
	if (w->rules.r[ri].type == FT_WARN_FLATLINE) {
		const struct ft_warn_rule *r = &w->rules.r[ri];

		x = jv_object_get(jv_copy(s), jv_string("iv"));
		n = jv_get_kind(x) == JV_KIND_ARRAY ?
			    jv_array_length(jv_copy(x)) :
			    0;
		if (n > r->reports)
			n = r->reports;
		if (n && r->usual) {
			k->iv = ft_xmalloc((size_t)r->reports * sizeof(*k->iv));
			for (i = 0; i < n; i++) {
				jv e = jv_array_get(jv_copy(x), i);

				k->iv[k->niv++] =
					jv_get_kind(e) == JV_KIND_NUMBER ?
						(int64_t)jv_number_value(e) :
						0;
				jv_free(e);
			}
		}
		jv_free(x);
		if (k->has_last)
			warn_flat_add(w, k);
	}
	if (w->rules.r[ri].type == FT_WARN_SLA)
		warn_sla_load(w, k, s);
	jv_free(s);
}

/*
 * Element e of page p ([rule, key, state], consumed) into its key, which
 * joins p; stale when the key has a state in a newer page (the pages are
 * read newest first), or earlier in p; kept as it is in p when its rule
 * is not in the rules file.
 */
static int
load_key(struct ft_warn *w, struct wpage *p, jv e)
{
	int ok = jv_get_kind(e) == JV_KIND_ARRAY, ri, st = FT_OK;
	jv rule = ok ? jv_array_get(jv_copy(e), 0) : jv_null(),
	   key = ok ? jv_array_get(jv_copy(e), 1) : jv_null(),
	   s = ok ? jv_array_get(jv_copy(e), 2) : jv_null();
	struct kst *k;

	if (jv_get_kind(rule) != JV_KIND_STRING ||
	    jv_get_kind(key) != JV_KIND_STRING) {
		ft_error("%s: warn_pages: page %lu: a key's state without its "
			 "rule and key",
			 w->db->path, (unsigned long)p->id);
		st = FT_DATAERR;
	} else if ((ri = ft_warn_rule_find(&w->rules, jv_string_value(rule))) <
		   0) {
		/* A rule no longer in the file: its keys stay as they are. */
		jv d = jv_dump_string(jv_copy(e), 0);

		if (p->other.len)
			ft_buf_addc(&p->other, ',');
		ft_buf_adds(&p->other, jv_string_value(d));
		jv_free(d);
	} else if (jv_get_kind(s) != JV_KIND_OBJECT) {
		ft_error("%s: warn_windows: rule %s, key %s: the state is not "
			 "JSON",
			 w->db->path, ft_q(jv_string_value(rule)),
			 ft_q(jv_string_value(key)));
		st = FT_DATAERR;
	} else {
		k = warn_kst_get(w, ri, jv_string_value(key), 1);
		k->known = 1;
		if (k->page) {
			p->stale++;
		} else {
			page_add(p, k);
			load_window(w, ri, k, jv_copy(s));
		}
	}
	jv_free(rule);
	jv_free(key);
	jv_free(s);
	jv_free(e);
	return st;
}

/* A page of states, as ft_store_warn_pages_each() gives it. */
static int
load_page(void *ctx, int64_t id, const char *state)
{
	struct ft_warn *w = ctx;
	struct wpage *p;
	jv a;
	int i, n, st = FT_OK;

	if (id < 1 || id >= UINT32_MAX ||
	    (w->npg && id >= w->pg[w->npg - 1].id)) {
		ft_error("%s: warn_pages: page %lld: not a page number",
			 w->db->path, (long long)id);
		return FT_DATAERR;
	}
	a = jv_parse(state ? state : "");
	if (jv_get_kind(a) != JV_KIND_ARRAY) {
		jv_free(a);
		ft_error("%s: warn_pages: page %lld: not a JSON array",
			 w->db->path, (long long)id);
		return FT_DATAERR;
	}
	p = page_new(w, (uint32_t)id);
	n = jv_array_length(jv_copy(a));
	for (i = 0; i < n && !st; i++)
		st = load_key(w, p, jv_array_get(jv_copy(a), i));
	/* A page of only stale entries goes at the next batch; one of
	 * more stale than not is dissolved. */
	p->dirty = (!p->n && !p->other.len) || p->stale > p->n;
	jv_free(a);
	return st;
}

/*
 * The pages, read newest first, in their order; when their keys are
 * forgotten.
 */
static void
pages_loaded(struct ft_warn *w)
{
	size_t i, j;

	for (i = 0; i < w->npg / 2; i++) {
		struct wpage t = w->pg[i];

		w->pg[i] = w->pg[w->npg - 1 - i];
		w->pg[w->npg - 1 - i] = t;
	}
	for (i = 0; i < w->npg; i++) {
		struct wpage *p = &w->pg[i];

		for (j = 0; j < p->n; j++) {
			int64_t e = expiry(w, p->m[j]);

			if (e < p->emin)
				p->emin = e;
		}
	}
}

static char *
dup_or_null(const char *s)
{
	return s ? ft_xstrdup(s) : NULL;
}

static int
load_warning(void *ctx, const struct ft_store_warning *s)
{
	struct ft_warn *w = ctx;
	int ri = ft_warn_rule_find(&w->rules, s->rule), i, n;
	const char *err;
	struct warning *x;
	struct kst *k;
	jv st, ev;

	if (ri < 0)
		return FT_OK; /* its rule is not in this file */
	k = warn_kst_get(w, ri, s->key, 1);
	k->known = 1;
	x = ft_xmalloc(sizeof(*x));
	memset(x, 0, sizeof(*x));
	snprintf(x->id, sizeof(x->id), "%s", s->warning);
	x->level = ft_warn_level_find(s->level);
	if (x->level < 0)
		x->level = 0;
	x->major = s->major;
	x->acked = !strcmp(s->status, "acked");
	x->stored = 1;
	x->count = s->count;
	if (s->value) {
		x->value = strtod(s->value, NULL);
		x->has_value = 1;
	}
	if (ft_time_parse(s->first_at, strlen(s->first_at), &x->first, &err) ||
	    ft_time_parse(s->last_at, strlen(s->last_at), &x->last, &err) ||
	    ft_time_parse(s->raised_at, strlen(s->raised_at), &x->raised,
			  &err)) {
		free(x);
		ft_error("%s: warning %s: a time that is not one", w->db->path,
			 ft_q(s->warning));
		return FT_DATAERR;
	}
	x->acked_at = dup_or_null(s->acked_at);
	x->acked_by = dup_or_null(s->acked_by);
	x->ack_note = dup_or_null(s->ack_note);
	st = jv_parse(s->state ? s->state : "{}");
	x->cleared = num_member(st, "cleared");
	x->resolve_at = num_member(st, "resolve_at");
	if (!x->resolve_at)
		x->resolve_at = NEVER;
	x->printed = num_member(st, "printed");
	jv_free(st);
	ev = jv_parse(s->events ? s->events : "[]");
	n = jv_get_kind(ev) == JV_KIND_ARRAY ? jv_array_length(jv_copy(ev)) : 0;
	for (i = 0; i < n; i++) {
		jv e = jv_array_get(jv_copy(ev), i);

		if (jv_get_kind(e) == JV_KIND_STRING)
			warn_add_event(x, jv_string_value(e));
		jv_free(e);
	}
	jv_free(ev);
	if (k->live)
		warn_live_remove(w, k);
	warn_warning_free(k->live);
	k->live = x;
	warn_live_add(w, k);
	return FT_OK;
}

/* ---- the run ---- */

/* What the last run left: the clock, the windows, the live warnings. */
int
warn_load_state(struct ft_warn *w)
{
	struct ft_store_warn_filter f = {
		"live", NULL, NULL, -1, NULL, NULL, 0
	};
	int st, found;

	if ((st = ft_store_warn_clock(w->ws, &w->clock, &found)))
		return st;
	w->clock_set = found;
	w->clock_dirty = 0;
	w->next_due = NEVER;
	w->next_silent = NEVER;
	if ((st = ft_store_warn_pages_each(w->ws, load_page, w)) ||
	    (st = ft_store_warn_each(w->ws, &f, load_warning, w)))
		return st;
	pages_loaded(w);
	w->nknown = w->nkeys;
	for (size_t i = 0; i < w->nflat; i++)
		warn_silent_at(w, w->flat[i]);
	warn_sla_next(w, w->clock);
	return FT_OK;
}

/* Forgets every key's state. */
void
warn_forget(struct ft_warn *w)
{
	size_t i;

	warn_keys_free(w);
	w->nknown = 0;
	for (i = 0; i < w->npg; i++)
		page_free(&w->pg[i]);
	w->npg = 0;
	w->pg_next = 1;
	warn_slots_free(w);
	w->ndirty = w->nlive = w->nflat = 0;
	w->next_silent = NEVER;
	warn_sla_forget(w);
}

static int
reload(struct ft_warn *w)
{
	warn_forget(w);
	return warn_load_state(w);
}
