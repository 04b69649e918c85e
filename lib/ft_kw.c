/*
 * ft_kw.c - many keywords found in a text in one pass: an Aho-Corasick
 * automaton over bytes (see ft_kw.h).
 *
 * The trie is built level by level from the terms sorted by their bytes,
 * so that states are numbered in breadth-first order and the children of
 * a state are numbered side by side: a state keeps its first child and
 * their number, and the byte into each state is kept once, in label[].
 * A state's children come in the order of their bytes: the child of s on
 * byte c is found among a few by a look at each; among many, by c's place
 * between the first and the last byte, read off a window of one byte an
 * entry (the bytes of UTF-8's second place, 0x80 to 0xbf, give most
 * states with many children) unless the bytes are too far apart for it
 * to pay, where memchr() finds it.  The failure links can be made in state
 * order.  The root's children, the first step of nearly every byte, are
 * in a table of 256.
 *
 * A small automaton (a rules file's few terms) is also made into a table
 * of every state's next state on every byte (a DFA), the bytes no term
 * holds sharing one column: a step is then one look-up, with no failure
 * links to follow.  The states with terms come last, so that a step says
 * by a comparison whether terms end there.  A text is cut into a few
 * lanes, each started early by a term's length less one byte so that no
 * term across a cut is missed, and the lanes are stepped together: their
 * look-ups overlap instead of waiting one for the other.  A term found
 * twice (in the overlap) counts once as ever.
 */
#include "ft_kw.h"

#include "ft_buf.h"
#include "ft_err.h"
#include "ft_exit.h"

#include <stdlib.h>
#include <string.h>

/*
 * A state with more than KW_FEW children has a window on them: rows[row[s]
 * + c - lo] is 1 + c's child's place among them, or 0, for c from the
 * lowest byte lo to the highest, when they are no more than KW_SPREAD
 * bytes apart a child; KW_DENSE when every byte from lo to the highest
 * has a child (no window needed); else KW_NOROW.
 */
#define KW_FEW 4
#define KW_SPREAD 4
#define KW_NOROW UINT32_MAX
#define KW_DENSE (UINT32_MAX - 1)

/*
 * The DFA is made when its table has at most KW_DFA_MAX entries (1 MiB):
 * a rules file's terms, not a dictionary's (10,000 terms of ideographs
 * have 100,000 states).  KW_LANES lanes for a text of at least
 * KW_LANE_MIN bytes a lane, and longer than the overlaps.
 */
#define KW_DFA_MAX (1u << 18)
#define KW_LANES 4
#define KW_LANE_MIN 32

/* What a step of the scan reads of a state, in one place. */
struct kw_state {
	uint32_t child; /* the first child; the others follow it */
	uint32_t fail;
	/* The first state with terms on the chain s, fail(s), ...: s's
	 * terms and its suffixes' are those of emit, then of
	 * emit[fail[emit]], ...; 0 for none. */
	uint32_t emit;
	uint32_t row; /* the window in rows[], KW_NOROW or KW_DENSE */
	uint16_t nchild;
};

struct kw_term {
	size_t off; /* in bytes[] */
	uint32_t len;
	int id;
};

struct ft_kw {
	/* The terms as added, ASCII folded to lower case, for a build. */
	unsigned char *bytes;
	size_t nbytes, capbytes;
	struct kw_term *terms;
	size_t nterms, capterms;

	/* The automaton of the last build; nstates 0 before it. */
	uint32_t nstates;
	struct kw_state *st;
	unsigned char *label; /* label[s]: the byte from s's parent to s */
	unsigned char *rows;
	size_t nrows;
	uint32_t *out; /* s's terms' ranks: outr[out[s] .. out[s + 1]) */
	uint32_t *outr;
	uint32_t root[256]; /* the root's child on each byte, 0 for none */
	int *ids; /* rank -> id: the distinct ids, ascending */
	uint32_t nids;

	/*
	 * The DFA (dfa NULL: none): dfa[s + cls[c]] is the next state after
	 * byte c from state s, a state being its row's first entry (row
	 * times ncls); the rows at dfa_out and after are the states where
	 * terms end, dfa_st[(s - dfa_out) / ncls] their automaton's state.
	 */
	uint32_t *dfa;
	uint32_t *dfa_st;
	uint32_t ncls, dfa_out, maxlen;
	unsigned char cls[256];
};

/* ASCII letters folded to lower case; every other byte as it is. */
static inline unsigned char
kw_fold(unsigned char c)
{
	return (unsigned char)(c | ((unsigned)(c - 'A') < 26u) << 5);
}

struct ft_kw *
ft_kw_new(void)
{
	struct ft_kw *k = ft_xmalloc(sizeof(*k));

	memset(k, 0, sizeof(*k));
	return k;
}

/* Frees the automaton of the last build, keeping the terms. */
static void
kw_release_automaton(struct ft_kw *k)
{
	free(k->label);
	free(k->st);
	free(k->rows);
	free(k->out);
	free(k->outr);
	free(k->ids);
	free(k->dfa);
	free(k->dfa_st);
	k->dfa = k->dfa_st = NULL;
	k->ncls = k->dfa_out = k->maxlen = 0;
	k->label = NULL;
	k->st = NULL;
	k->out = k->outr = NULL;
	k->rows = NULL;
	k->nrows = 0;
	k->ids = NULL;
	k->nstates = k->nids = 0;
	memset(k->root, 0, sizeof(k->root));
}

void
ft_kw_free(struct ft_kw *k)
{
	if (!k)
		return;
	kw_release_automaton(k);
	free(k->bytes);
	free(k->terms);
	free(k);
}

size_t
ft_kw_count(const struct ft_kw *k)
{
	return k->nterms;
}

size_t
ft_kw_size(const struct ft_kw *k, size_t *states)
{
	size_t n = k->nstates, per;

	if (states)
		*states = n;
	/* st, label, out: a state's; outr: a term's at most. */
	per = sizeof(*k->st) + 1 + sizeof(*k->out);
	return sizeof(*k) + k->capbytes + k->capterms * sizeof(*k->terms) +
	       (n ? n * per + sizeof(*k->out) : 0) +
	       (n ? k->nterms * sizeof(*k->outr) : 0) +
	       k->nids * sizeof(*k->ids) + k->nrows +
	       (k->dfa ? ((size_t)n * k->ncls + n) * sizeof(uint32_t) : 0);
}

int
ft_kw_add(struct ft_kw *k, const char *term, size_t len, int id)
{
	struct kw_term *t;
	size_t i;

	if (!len) {
		ft_error("keyword: an empty term");
		return FT_CONFIG;
	}
	/* Every state is a byte of a term, numbered in 32 bits. */
	if (len > UINT32_MAX - 2 - k->nbytes || k->nterms >= UINT32_MAX - 1) {
		ft_error("keyword: too many terms: over %u bytes",
			 (unsigned)UINT32_MAX - 2);
		return FT_CONFIG;
	}
	if (k->nbytes + len > k->capbytes) {
		k->capbytes = k->capbytes * 2 + len + 64;
		k->bytes = ft_xrealloc(k->bytes, k->capbytes);
	}
	for (i = 0; i < len; i++)
		k->bytes[k->nbytes + i] = kw_fold((unsigned char)term[i]);
	if (k->nterms == k->capterms) {
		k->capterms = k->capterms * 2 + 16;
		k->terms = ft_xrealloc(k->terms,
				       k->capterms * sizeof(*k->terms));
	}
	t = &k->terms[k->nterms++];
	t->off = k->nbytes;
	t->len = (uint32_t)len;
	t->id = id;
	k->nbytes += len;
	return FT_OK;
}

/* A term as the build sorts it: its bytes, then its id's rank. */
struct kw_sterm {
	const unsigned char *p;
	uint32_t len, rank;
};

static int
sterm_cmp(const void *a, const void *b)
{
	const struct kw_sterm *x = a, *y = b;
	int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* The rank of id among k's distinct ids (it is there). */
static uint32_t
id_rank(const struct ft_kw *k, int id)
{
	uint32_t lo = 0, hi = k->nids;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (k->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* s's child on byte c, or 0 for none; s is not the root. */
static inline uint32_t
kw_go(const struct ft_kw *k, uint32_t s, unsigned char c)
{
	const struct kw_state *q = &k->st[s];
	uint32_t n = q->nchild, first = q->child, j, d, r;
	const unsigned char *l = k->label + first, *p;

	if (n <= KW_FEW) {
		for (j = 0; j < n; j++)
			if (l[j] == c)
				return first + j;
		return 0;
	}
	/* Below the lowest byte, d wraps round: above the highest too. */
	d = (uint32_t)c - l[0];
	if (d > (uint32_t)(l[n - 1] - l[0]))
		return 0;
	if ((r = q->row) == KW_DENSE)
		return first + d;
	if (r != KW_NOROW) {
		j = k->rows[r + d];
		return j ? first + j - 1 : 0;
	}
	p = memchr(l, c, n);
	return p ? first + (uint32_t)(p - l) : 0;
}

/* The windows of the states with many children (see KW_FEW). */
static void
kw_rows(struct ft_kw *k)
{
	uint32_t s, j;
	size_t at = 0;
	int fill;

	/* Twice: the windows' size, then the windows. */
	for (fill = 0; fill < 2; fill++) {
		for (s = 0, at = 0; s < k->nstates; s++) {
			struct kw_state *q = &k->st[s];
			uint32_t n = q->nchild, first = q->child;
			const unsigned char *l = k->label + first;
			uint32_t span = n ? (uint32_t)(l[n - 1] - l[0]) + 1 : 0;

			q->row = KW_NOROW;
			if (n <= KW_FEW || span > KW_SPREAD * n)
				continue;
			if (span == n) {
				q->row = KW_DENSE;
				continue;
			}
			if (at + span >= KW_DENSE)
				continue;
			q->row = (uint32_t)at;
			if (fill)
				for (j = 0; j < n; j++)
					k->rows[at + l[j] - l[0]] =
						(unsigned char)(j + 1);
			at += span;
		}
		if (!fill) {
			k->rows = ft_xmalloc(at ? at : 1);
			memset(k->rows, 0, at ? at : 1);
		}
	}
	k->nrows = at;
}

/* Makes the distinct ids, ascending, and the sorted terms with ranks. */
static struct kw_sterm *
kw_sort_terms(struct ft_kw *k)
{
	struct kw_sterm *st = ft_xmalloc(k->nterms * sizeof(*st));
	size_t i, n = 0;

	k->ids = ft_xmalloc(k->nterms * sizeof(*k->ids));
	for (i = 0; i < k->nterms; i++)
		k->ids[i] = k->terms[i].id;
	qsort(k->ids, k->nterms, sizeof(*k->ids), int_cmp);
	for (i = 0; i < k->nterms; i++)
		if (!n || k->ids[n - 1] != k->ids[i])
			k->ids[n++] = k->ids[i];
	k->nids = (uint32_t)n;
	for (i = 0; i < k->nterms; i++) {
		st[i].p = k->bytes + k->terms[i].off;
		st[i].len = k->terms[i].len;
		st[i].rank = id_rank(k, k->terms[i].id);
	}
	qsort(st, k->nterms, sizeof(*st), sterm_cmp);
	return st;
}

/*
 * The trie, level by level.  At depth d the terms at least d bytes long
 * are still active, in sorted order, each with the state of its first
 * d - 1 bytes in cur[]; those that share their first d bytes are next to
 * one another (a term sorted between two that share a prefix shares it
 * too), and the states of depth d - 1 were made in the same order, so the
 * new states come out grouped by parent, the parents in order.  A term
 * ends at its last byte's state: (state, rank) goes to ends[], in state
 * order.  Returns the parents, which the failure links need.
 */
static uint32_t *
kw_trie(struct ft_kw *k, struct kw_sterm *st, uint32_t **ends, size_t *nends)
{
	uint32_t *cur = ft_xmalloc(k->nterms * sizeof(*cur));
	uint32_t *parent, *e = ft_xmalloc(2 * k->nterms * sizeof(*e));
	size_t i, w, nact = k->nterms, ne = 0, max = k->nbytes + 1;
	uint32_t d, s = 0;

	/* At most one state a byte of the terms, and the root. */
	k->label = ft_xmalloc(max);
	k->st = ft_xmalloc(max * sizeof(*k->st));
	parent = ft_xmalloc(max * sizeof(*parent));
	k->label[0] = 0;
	memset(&k->st[0], 0, sizeof(k->st[0]));
	parent[0] = 0;
	for (i = 0; i < nact; i++)
		cur[i] = 0;
	for (d = 1; nact; d++) {
		uint32_t lastp = 0;
		int lastc = -1;

		for (i = w = 0; i < nact; i++) {
			unsigned char c = st[i].p[d - 1];

			if ((int)c != lastc || cur[i] != lastp) {
				s++;
				k->label[s] = c;
				memset(&k->st[s], 0, sizeof(k->st[s]));
				parent[s] = cur[i];
				if (!k->st[cur[i]].nchild++)
					k->st[cur[i]].child = s;
				lastc = c;
				lastp = cur[i];
			}
			if (st[i].len == d) {
				if (!ne || e[2 * ne - 2] != s ||
				    e[2 * ne - 1] != st[i].rank) {
					e[2 * ne] = s;
					e[2 * ne + 1] = st[i].rank;
					ne++;
				}
				continue;
			}
			st[w] = st[i];
			cur[w++] = s;
		}
		nact = w;
	}
	k->nstates = s + 1;
	free(cur);
	*ends = e;
	*nends = ne;
	return parent;
}

/*
 * The DFA of a small automaton (see KW_DFA_MAX), or none.  Each state's row
 * is made in breadth-first order: its next state on a byte is its child on
 * it, or else its failure link's next state (an earlier row's), and the
 * root's is the root.  A byte no term holds leads to the root from any
 * state: column 0 is for all of them.
 */
static void
kw_dfa(struct ft_kw *k)
{
	uint32_t n = k->nstates, s, x, nout = 0, nin, *num;
	unsigned char rep[256], col[256];
	uint32_t ncls = 1;
	size_t i;
	int c;

	/* A column a byte the terms hold, up to 255 of them. */
	memset(col, 0, sizeof(col));
	for (s = 1; s < n; s++)
		if (!col[k->label[s]]) {
			if (ncls == 256)
				return;
			col[k->label[s]] = (unsigned char)ncls;
			rep[ncls++] = k->label[s];
		}
	if ((size_t)n * ncls > KW_DFA_MAX)
		return;
	for (c = 0; c < 256; c++)
		k->cls[c] = col[kw_fold((unsigned char)c)];
	for (i = 0; i < k->nterms; i++)
		if (k->terms[i].len > k->maxlen)
			k->maxlen = k->terms[i].len;

	/* The states without terms first, then those with. */
	num = ft_xmalloc((size_t)n * sizeof(*num));
	for (s = 0; s < n; s++)
		nout += k->st[s].emit != 0;
	nin = n - nout;
	k->dfa_st = ft_xmalloc((nout ? nout : 1) * sizeof(*k->dfa_st));
	for (s = 0, x = 0; s < n; s++) {
		if (k->st[s].emit) {
			k->dfa_st[x] = s;
			num[s] = (nin + x++) * ncls;
		} else {
			num[s] = (s - x) * ncls;
		}
	}
	k->ncls = ncls;
	k->dfa_out = nin * ncls;
	k->dfa = ft_xmalloc((size_t)n * ncls * sizeof(*k->dfa));
	for (s = 0; s < n; s++) {
		uint32_t *row = k->dfa + num[s];
		const uint32_t *frow = k->dfa + num[k->st[s].fail];

		row[0] = 0;
		for (x = 1; x < ncls; x++) {
			uint32_t t = s ? kw_go(k, s, rep[x]) : k->root[rep[x]];

			row[x] = t ? num[t] : s ? frow[x] : 0;
		}
	}
	free(num);
}

void
ft_kw_build(struct ft_kw *k)
{
	struct kw_sterm *st;
	uint32_t *parent, *ends, s, n;
	size_t i, nends;

	kw_release_automaton(k);
	if (!k->nterms)
		return;
	st = kw_sort_terms(k);
	parent = kw_trie(k, st, &ends, &nends);
	free(st);
	n = k->nstates;
	/* Made for a state a byte of the terms: as many as there are. */
	k->label = ft_xrealloc(k->label, n);
	k->st = ft_xrealloc(k->st, (size_t)n * sizeof(*k->st));
	k->ids = ft_xrealloc(k->ids, (size_t)k->nids * sizeof(*k->ids));
	kw_rows(k);

	/* Each state's terms, by rank: ends[] is in state order. */
	k->out = ft_xmalloc(((size_t)n + 1) * sizeof(*k->out));
	k->outr = ft_xmalloc((nends ? nends : 1) * sizeof(*k->outr));
	memset(k->out, 0, ((size_t)n + 1) * sizeof(*k->out));
	for (i = 0; i < nends; i++) {
		k->out[ends[2 * i] + 1]++;
		k->outr[i] = ends[2 * i + 1];
	}
	for (s = 0; s < n; s++)
		k->out[s + 1] += k->out[s];
	free(ends);

	/* The root's children into the table; then, in breadth-first
	 * order, each state's failure link: the longest proper suffix of
	 * its path that is a path too, found from its parent's. */
	for (s = k->st[0].child; s < k->st[0].child + k->st[0].nchild; s++)
		k->root[k->label[s]] = s;
	k->st[0].fail = k->st[0].emit = 0;
	for (s = 1; s < n; s++) {
		uint32_t f = parent[s], t = 0;
		unsigned char c = k->label[s];

		if (f) {
			for (f = k->st[f].fail;; f = k->st[f].fail) {
				t = f ? kw_go(k, f, c) : k->root[c];
				if (t || !f)
					break;
			}
		}
		k->st[s].fail = t;
		k->st[s].emit = k->out[s + 1] > k->out[s] ? s : k->st[t].emit;
	}
	free(parent);
	kw_dfa(k);
}

void
ft_kw_hits_init(struct ft_kw_hits *h)
{
	memset(h, 0, sizeof(*h));
}

void
ft_kw_hits_release(struct ft_kw_hits *h)
{
	free(h->idbuf);
	free(h->ranks);
	free(h->bits);
	ft_kw_hits_init(h);
}

/* Room for every distinct id of k. */
static void
hits_ready(struct ft_kw_hits *h, const struct ft_kw *k)
{
	size_t words;

	if (h->cap >= k->nids)
		return;
	ft_kw_hits_release(h);
	h->cap = k->nids;
	words = (h->cap + 63) / 64;
	h->idbuf = ft_xmalloc(h->cap * sizeof(*h->idbuf));
	h->ranks = ft_xmalloc(h->cap * sizeof(*h->ranks));
	h->bits = ft_xmalloc(words * sizeof(*h->bits));
	memset(h->bits, 0, words * sizeof(*h->bits));
}

/*
 * The ranks found, ascending, into h->ranks, each bit cleared for the
 * next scan.  A few are sorted where they are; many (a short rule, a
 * long text) are read off the bits in order, which costs a word a 64
 * ranks of the whole automaton, and needs no sort.
 */
static void
hits_order(struct ft_kw_hits *h, size_t n, uint32_t nids)
{
	uint32_t *r = h->ranks;
	size_t i, j, w, words = ((size_t)nids + 63) / 64;

	if (n <= 16 || words > 4 * n) {
		for (i = 1; i < n; i++) {
			uint32_t v = r[i];

			for (j = i; j && r[j - 1] > v; j--)
				r[j] = r[j - 1];
			r[j] = v;
		}
		for (i = 0; i < n; i++)
			h->bits[r[i] / 64] = 0;
		return;
	}
	for (w = j = 0; w < words; w++) {
		uint64_t b = h->bits[w];

		h->bits[w] = 0;
		for (; b; b &= b - 1)
			r[j++] = (uint32_t)(w * 64 +
					    (size_t)__builtin_ctzll(b));
	}
}

/*
 * The terms that end at state s of the automaton (s's own, then its
 * suffixes'), each rank once: into ranks[n..), its bit set.  Returns the
 * new n.
 */
static inline size_t
kw_emit(const struct ft_kw *k, uint32_t s, uint64_t *bits, uint32_t *ranks,
	size_t n)
{
	uint32_t o, j;

	for (o = k->st[s].emit; o; o = k->st[k->st[o].fail].emit) {
		for (j = k->out[o]; j < k->out[o + 1]; j++) {
			uint32_t r = k->outr[j];
			uint64_t bit = (uint64_t)1 << (r % 64);

			if (!(bits[r / 64] & bit)) {
				bits[r / 64] |= bit;
				ranks[n++] = r;
			}
		}
	}
	return n;
}

/* One step of the DFA from state s on byte c: the next state. */
#define KW_STEP(s, c) \
	do { \
		(s) = d[(s) + cls[(c)]]; \
		if ((s) >= out) \
			n = kw_emit(k, k->dfa_st[((s)-out) / ncls], bits, \
				    ranks, n); \
	} while (0)

/*
 * A scan by the DFA, in KW_LANES lanes when the text is long enough (see
 * the top of the file).  Returns the number of ranks found.
 */
static size_t
kw_dfa_scan(const struct ft_kw *k, const unsigned char *p, size_t len,
	    uint64_t *bits, uint32_t *ranks)
{
	const uint32_t *d = k->dfa;
	const unsigned char *cls = k->cls;
	uint32_t out = k->dfa_out, ncls = k->ncls, s[KW_LANES];
	size_t ov = k->maxlen - 1, n = 0, part, run, i, a[KW_LANES],
	       e[KW_LANES];
	int j, lanes = KW_LANES;

	if (len < (size_t)KW_LANES * KW_LANE_MIN || len / KW_LANES <= ov)
		lanes = 1;
	part = (len + (size_t)lanes - 1) / (size_t)lanes;
	run = len;
	for (j = 0; j < lanes; j++) {
		size_t from = (size_t)j * part;

		s[j] = 0;
		a[j] = from > ov ? from - ov : 0;
		e[j] = from + part < len ? from + part : len;
		if (e[j] < a[j])
			e[j] = a[j];
		if (e[j] - a[j] < run)
			run = e[j] - a[j];
	}
	if (lanes == KW_LANES) {
		const unsigned char *p0 = p + a[0], *p1 = p + a[1],
				    *p2 = p + a[2], *p3 = p + a[3];
		uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;

		for (i = 0; i < run; i++) {
			KW_STEP(s0, p0[i]);
			KW_STEP(s1, p1[i]);
			KW_STEP(s2, p2[i]);
			KW_STEP(s3, p3[i]);
		}
		s[0] = s0;
		s[1] = s1;
		s[2] = s2;
		s[3] = s3;
	} else {
		run = 0;
	}
	for (j = 0; j < lanes; j++) {
		uint32_t t = s[j];

		for (i = a[j] + run; i < e[j]; i++)
			KW_STEP(t, p[i]);
	}
	return n;
}

size_t
ft_kw_scan(const struct ft_kw *k, struct ft_kw_hits *h, const char *text,
	   size_t len)
{
	static const int none[1];
	const unsigned char *p = (const unsigned char *)text;
	uint32_t s = 0, *ranks;
	uint64_t *bits;
	size_t i, n = 0;

	h->ids = h->idbuf ? h->idbuf : none;
	h->n = 0;
	if (!k->nstates)
		return 0;
	hits_ready(h, k);
	h->ids = h->idbuf;
	bits = h->bits;
	ranks = h->ranks;
	if (k->dfa)
		n = kw_dfa_scan(k, p, len, bits, ranks);
	for (i = 0; !k->dfa && i < len; i++) {
		unsigned char c = kw_fold(p[i]);

		/* Down on c, or along the failure links until one can. */
		for (;;) {
			uint32_t t;

			if (!s) {
				s = k->root[c];
				break;
			}
			if ((t = kw_go(k, s, c))) {
				s = t;
				break;
			}
			s = k->st[s].fail;
		}
		if (k->st[s].emit)
			n = kw_emit(k, s, bits, ranks, n);
	}
	/* Ranks sort as their ids do. */
	hits_order(h, n, k->nids);
	for (i = 0; i < n; i++)
		h->idbuf[i] = k->ids[ranks[i]];
	h->n = n;
	return n;
}
