#include "ft_json.h"
#include "ft_err.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A key of an object being parsed, to find one given twice. */
struct kent {
	unsigned hash;		/* of the decoded key */
	int dec; /* the text is in kdec (decoded), not the source */
	size_t off, len;	/* the decoded key's text */
	size_t at;		/* where the key starts in the source */
};

struct parser {
	const char *s, *p, *end;
	/* The compact text is the source less the white space between
	 * tokens: d->text holds it up to cp, the rest is s[cp..p) (see
	 * skip_ws()). */
	const char *cp;
	struct ft_json_doc *d;
	const char *err;
	int depth;
	/* The keys of the objects open, innermost last. */
	struct kent *ks;
	size_t nks, capks;
	int heap;		/* ks was allocated */
	struct ft_buf kdec;	/* escaped keys, decoded */
};

void
ft_json_doc_init(struct ft_json_doc *d)
{
	ft_buf_init(&d->text);
	d->m = NULL;
	d->n = d->cap = 0;
	d->type = 0;
}

void
ft_json_doc_release(struct ft_json_doc *d)
{
	ft_buf_release(&d->text);
	free(d->m);
	ft_json_doc_init(d);
}

/* Ends the value of d's last member, if any. */
static void
end_value(struct ft_json_doc *d)
{
	if (d->n)
		d->m[d->n - 1].vallen = d->text.len - d->m[d->n - 1].val;
}

static struct ft_json_member *
add_member(struct ft_json_doc *d)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->m = ft_xrealloc(d->m, d->cap * sizeof(*d->m));
	}
	return &d->m[d->n++];
}

void
ft_json_doc_object(struct ft_json_doc *d)
{
	ft_buf_reset(&d->text);
	ft_buf_addc(&d->text, '{');
	d->n = 0;
	d->type = '{';
}

struct ft_buf *
ft_json_doc_key(struct ft_json_doc *d, const char *key)
{
	struct ft_json_member *m;

	end_value(d);
	if (d->n)
		ft_buf_addc(&d->text, ',');
	m = add_member(d);
	m->keylen = strlen(key);
	m->key = d->text.len + 1;
	m->escaped = 0;
	m->vplain = 0;
	ft_buf_addc(&d->text, '"');
	ft_buf_add(&d->text, key, m->keylen);
	ft_buf_adds(&d->text, "\":");
	m->hash = ft_json_key_hash(key, m->keylen);
	m->val = d->text.len;
	m->vallen = 0;
	return &d->text;
}

int
ft_json_doc_merge(struct ft_json_doc *d, const struct ft_json_doc *src)
{
	size_t i, j, base;

	end_value(d);
	for (i = 0; i < src->n; i++) {
		if (src->m[i].escaped)
			return -1; /* d's keys are plain: not worth it */
		for (j = 0; j < d->n; j++)
			if (src->m[i].hash == d->m[j].hash &&
			    src->m[i].keylen == d->m[j].keylen &&
			    !memcmp(src->text.s + src->m[i].key,
				    d->text.s + d->m[j].key, d->m[j].keylen))
				return -1;
	}
	if (!src->n)
		return 0;
	if (d->n)
		ft_buf_addc(&d->text, ',');
	/* src's text is "{" members "}": its members shift by base. */
	base = d->text.len - 1;
	ft_buf_add(&d->text, src->text.s + 1, src->text.len - 2);
	for (i = 0; i < src->n; i++) {
		struct ft_json_member *m = add_member(d);

		*m = src->m[i];
		m->key += base;
		m->val += base;
	}
	return 0;
}

void
ft_json_doc_close(struct ft_json_doc *d)
{
	end_value(d);
	ft_buf_addc(&d->text, '}');
}

void
ft_json_doc_copy(struct ft_json_doc *d, const struct ft_json_doc *src)
{
	ft_buf_reset(&d->text);
	ft_buf_add(&d->text, src->text.s, src->text.len);
	if (d->cap < src->n) {
		d->cap = src->n;
		d->m = ft_xrealloc(d->m, d->cap * sizeof(*d->m));
	}
	if (src->n)
		memcpy(d->m, src->m, src->n * sizeof(*d->m));
	d->n = src->n;
	d->type = src->type;
}

static int
fail(struct parser *ps, const char *err)
{
	if (!ps->err)
		ps->err = err;
	return -1;
}

/*
 * Appends the source read since the last white space, s[cp..p), to the
 * compact text: ft_json_parse() made room for the whole source, which
 * the compact text never outgrows, and ends it with a NUL.  Every token
 * is copied as written, so that a run of them is copied at once.
 */
static inline void
copy_upto(struct parser *ps)
{
	struct ft_buf *t = &ps->d->text;

	if (ps->p > ps->cp) {
		memcpy(t->s + t->len, ps->cp, (size_t)(ps->p - ps->cp));
		t->len += (size_t)(ps->p - ps->cp);
	}
	ps->cp = ps->p;
}

/* Where the compact text of the source at ps->p starts. */
static inline size_t
text_at(const struct parser *ps)
{
	return ps->d->text.len + (size_t)(ps->p - ps->cp);
}

static inline void
skip_ws(struct parser *ps)
{
	/* Most often there is none: compact JSON. */
	if (ps->p < ps->end && (unsigned char)*ps->p > ' ')
		return;
	if (ps->p >= ps->end || (*ps->p != ' ' && *ps->p != '\n' &&
				 *ps->p != '\r' && *ps->p != '\t'))
		return;
	copy_upto(ps);
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' ||
				   *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
	ps->cp = ps->p;
}

/* Length of one valid UTF-8 sequence at s (n bytes left), or 0. */
static inline size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		if (n < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		return 2;
	}
	if (c < 0xF0) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;	/* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0;	/* a surrogate */
		return 3;
	}
	if (c < 0xF5) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;	/* past U+10FFFF */
		return 4;
	}
	return 0;
}

size_t
ft_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(u + i, n - i);
		if (!k)
			break;
		i += k;
	}
	return i;
}

static int
hex4(const char *p, unsigned *v)
{
	unsigned x = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*v = x;
	return 0;
}

/* Checks a string literal at ps->p and copies it; sets *esc if escaped. */
/* The bytes that stand for themselves in a string: ASCII but controls,
 * '"' and '\\'. */
static const unsigned char plain[256] = {
	['\x20'] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['0'] = 1,    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['@'] = 1,    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['P'] = 1,    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	['`'] = 1,    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['p'] = 1,    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/*
 * Which of the 8 bytes at p end a run of plain ASCII in a string: a
 * control character, a byte past 0x7F, '"' or '\\', as the high bit of
 * each such byte (0: none).  Bytes b < n have (b - n) & ~b & 0x80 set; a
 * borrow goes only up from a byte that is one of them, so the lowest bit
 * set is the first such byte in memory (little-endian) even when those
 * above it are not right.
 */
static inline uint64_t
special8(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t x, q, b;

	memcpy(&x, p, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return (x & high) | ((x - ones * 0x20) & ~x & high) |
	       ((q - ones) & ~q & high) | ((b - ones) & ~b & high);
}

/* The place of the first byte special8() found in the 8 at p. */
static inline const unsigned char *
first8(const unsigned char *p, uint64_t m)
{
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return p + (__builtin_ctzll(m) >> 3);
#else
	(void)m;
	while (plain[*p])
		p++;
	return p;
#endif
}

static inline __attribute__((always_inline)) int
parse_string(struct parser *ps, int *esc)
{
	const unsigned char *p = (const unsigned char *)ps->p + 1;
	const unsigned char *end = (const unsigned char *)ps->end;
	unsigned v, w;
	uint64_t m;
	size_t k;

	if (esc)
		*esc = 0;
	for (;;) {
		/* The common case: a run of plain ASCII, 8 bytes at a time
		 * up to the first special one, the last few byte by byte. */
		for (m = 0; end - p >= 8; p += 8)
			if ((m = special8(p))) {
				p = first8(p, m);
				break;
			}
		if (!m)
			while (p < end && plain[*p])
				p++;
		if (p >= end) {
			ps->p = (const char *)p;
			return fail(ps, "unterminated string");
		}
		if (*p == '"')
			break;
		if (*p == '\\') {
			if (esc)
				*esc = 1;
			if (p + 1 >= end) {
				ps->p = (const char *)p;
				return fail(ps, "unterminated string");
			}
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				p += 2;
				continue;
			case 'u':
				break;
			default:
				ps->p = (const char *)p;
				return fail(ps, "invalid escape in string");
			}
			if (end - p < 6 || hex4((const char *)p + 2, &v)) {
				ps->p = (const char *)p;
				return fail(ps, "invalid \\u escape in string");
			}
			if (v >= 0xDC00 && v <= 0xDFFF) {
				ps->p = (const char *)p;
				return fail(ps, "lone low surrogate in string");
			}
			if (v >= 0xD800 && v <= 0xDBFF) {
				if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
				    hex4((const char *)p + 8, &w) ||
				    w < 0xDC00 || w > 0xDFFF) {
					ps->p = (const char *)p;
					return fail(ps,
					    "lone high surrogate in string");
				}
				p += 12;
				continue;
			}
			p += 6;
			continue;
		}
		if (*p < 0x20) {
			ps->p = (const char *)p;
			return fail(ps, *p ? "control character in string"
					   : "NUL byte in string");
		}
		/* A run of characters past ASCII (text in Chinese): one
		 * after the other, not back through the ASCII loops. */
		do {
			/* Most of Chinese: a lead byte E1-EC (no overlong
			 * form, no surrogate) and two continuation bytes;
			 * two such characters at once while 8 bytes are
			 * left (bytes 0 and 3 leads, 1, 2, 4, 5 not). */
			if (end - p >= 8) {
				uint64_t x;

				memcpy(&x, p, 8);
				if ((x & 0x0000C0C000C0C000ULL) ==
					    0x0000808000808000ULL &&
				    (unsigned char)(p[0] - 0xE1) <= 0x0B &&
				    (unsigned char)(p[3] - 0xE1) <= 0x0B) {
					p += 6;
					continue;
				}
			}
			if (end - p >= 3 && *p >= 0xE1 && *p <= 0xEC &&
			    ((p[1] | (unsigned)p[2] << 8) & 0xC0C0) == 0x8080) {
				p += 3;
				continue;
			}
			k = utf8_seq(p, (size_t)(end - p));
			if (!k) {
				ps->p = (const char *)p;
				return fail(ps, "invalid UTF-8 in string");
			}
			p += k;
		} while (p < end && *p >= 0x80);
	}
	ps->p = (const char *)p + 1;
	return 0;
}

static int
parse_number(struct parser *ps)
{
	const char *p = ps->p, *end = ps->end;

	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9') {
		ps->p = p;
		return fail(ps, "invalid number");
	}
	if (*p == '0') {
		p++;
		if (p < end && *p >= '0' && *p <= '9') {
			ps->p = p;
			return fail(ps, "number with a leading zero");
		}
	} else {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9') {
			ps->p = p;
			return fail(ps, "invalid number: no digit after '.'");
		}
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9') {
			ps->p = p;
			return fail(ps, "invalid number: bad exponent");
		}
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	ps->p = p;
	return 0;
}

static int
literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return fail(ps, "invalid literal");
	ps->p += n;
	return 0;
}

unsigned
ft_json_key_hash(const char *s, size_t n)
{
	unsigned h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int parse_value(struct parser *ps);

static const char *
kent_text(const struct parser *ps, const struct kent *k)
{
	return (k->dec ? ps->kdec.s : ps->s) + k->off;
}

static _Thread_local const struct parser *sort_ps;

/* Keys by hash, then text, then place: the same key side by side. */
static int
kent_cmp(const void *a, const void *b)
{
	const struct kent *x = a, *y = b;
	int c;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	c = memcmp(kent_text(sort_ps, x), kent_text(sort_ps, y), x->len);
	if (c)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

static int
kent_same(const struct parser *ps, const struct kent *x, const struct kent *y)
{
	return x->hash == y->hash && x->len == y->len &&
	       !memcmp(kent_text(ps, x), kent_text(ps, y), x->len);
}

/*
 * Fails if the keys ks[base..nks) of one object hold the same decoded key
 * twice: JSON leaves the meaning of such an object open (jq keeps the last,
 * other readers the first), so that the value a tool reads could differ
 * from the one stored.  The error names the key and points at its second
 * use.  Sorted when there are many, so that a huge object costs n log n.
 */
static int
check_keys(struct parser *ps, size_t base)
{
	static _Thread_local char msg[FT_Q_MAX + 32];
	struct kent *k = ps->ks + base, *x = NULL, *y = NULL;
	size_t n = ps->nks - base, i, j;

	if (n < 2)
		return 0;
	if (n <= 32) {
		/* Only keys whose hash ends as another's (eight bits) can
		 * be the same: most objects have none. */
		uint64_t seen[4] = { 0 }, twice[4] = { 0 }, any = 0;

		for (i = 0; i < n; i++) {
			unsigned w = (k[i].hash >> 6) & 3;
			uint64_t b = 1ULL << (k[i].hash & 63);

			twice[w] |= seen[w] & b;
			any |= seen[w] & b;
			seen[w] |= b;
		}
		for (j = 1; any && j < n && !y; j++) {
			if (!(twice[(k[j].hash >> 6) & 3] &
			      1ULL << (k[j].hash & 63)))
				continue;
			for (i = 0; i < j; i++)
				if (kent_same(ps, &k[i], &k[j])) {
					x = &k[i];
					y = &k[j];
					break;
				}
		}
	} else {
		sort_ps = ps;
		qsort(k, n, sizeof(*k), kent_cmp);
		for (i = 1; i < n; i++)
			if (kent_same(ps, &k[i - 1], &k[i]) &&
			    (!y || k[i].at < y->at)) {
				x = &k[i - 1];
				y = &k[i];
				while (i + 1 < n && kent_same(ps, &k[i], &k[i + 1]))
					i++;
			}
	}
	if (!y)
		return 0;
	snprintf(msg, sizeof(msg), "key %s given twice",
		 ft_qn(kent_text(ps, x), x->len));
	ps->p = ps->s + y->at;
	ps->err = NULL;
	return fail(ps, msg);
}

/* Notes the key just read, its literal at s[src..src+keylen+2). */
static void
push_key(struct parser *ps, size_t keylen, int esc, size_t src)
{
	struct kent *k;

	if (ps->nks == ps->capks) {
		struct kent *nk = ft_xmalloc(ps->capks * 2 * sizeof(*nk));

		memcpy(nk, ps->ks, ps->nks * sizeof(*nk));
		if (ps->heap)
			free(ps->ks);
		ps->ks = nk;
		ps->capks *= 2;
		ps->heap = 1;
	}
	k = &ps->ks[ps->nks++];
	k->at = src;
	k->dec = esc;
	if (esc) {
		k->off = ps->kdec.len;
		ft_json_unescape(ps->s + src, keylen + 2, &ps->kdec);
		k->len = ps->kdec.len - k->off;
	} else {
		k->off = src + 1;
		k->len = keylen;
	}
	k->hash = ft_json_key_hash(kent_text(ps, k), k->len);
}

static int
parse_object(struct parser *ps)
{
	struct ft_json_doc *d = ps->d;
	int top = ps->depth == 1;
	int first = 1;
	size_t kbase = ps->nks, kdbase = ps->kdec.len;

	ps->p++;
	for (;;) {
		struct ft_json_member m;
		size_t at;
		int esc;

		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, "unterminated object");
		if (*ps->p == '}' && first)
			break;
		if (*ps->p != '"')
			return fail(ps, first ? "expected a key or '}'"
					      : "expected a key");
		m.key = text_at(ps) + 1;
		at = (size_t)(ps->p - ps->s);
		if (parse_string(ps, &esc))
			return -1;
		m.keylen = text_at(ps) - 1 - m.key;
		m.escaped = esc;
		push_key(ps, m.keylen, esc, at);
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return fail(ps, "expected ':' after a key");
		ps->p++;
		skip_ws(ps);
		m.val = text_at(ps);
		if (ps->p < ps->end && *ps->p == '"') {
			if (parse_string(ps, &esc))
				return -1;
			m.vplain = !esc;
		} else {
			if (parse_value(ps))
				return -1;
			m.vplain = 0;
		}
		m.vallen = text_at(ps) - m.val;
		if (top) {
			if (d->n == d->cap) {
				d->cap = d->cap ? d->cap * 2 : 32;
				d->m = ft_xrealloc(d->m, d->cap * sizeof(*d->m));
			}
			/* An unescaped key's raw text is its decoded one. */
			m.hash = m.escaped ? ft_json_key_hash(ps->s + at + 1,
							      m.keylen) :
					     ps->ks[ps->nks - 1].hash;
			d->m[d->n++] = m;
		}
		first = 0;
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, "unterminated object");
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == '}')
			break;
		return fail(ps, "expected ',' or '}'");
	}
	if (check_keys(ps, kbase))
		return -1;
	ps->nks = kbase;
	ps->kdec.len = kdbase;
	ps->p++;
	return 0;
}

static int
parse_array(struct parser *ps)
{
	int first = 1;

	ps->p++;
	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, "unterminated array");
		if (*ps->p == ']' && first)
			break;
		if (parse_value(ps))
			return -1;
		first = 0;
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, "unterminated array");
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == ']')
			break;
		return fail(ps, "expected ',' or ']'");
	}
	ps->p++;
	return 0;
}

static int
parse_value(struct parser *ps)
{
	int r;

	if (ps->p >= ps->end)
		return fail(ps, "expected a value");
	switch (*ps->p) {
	case '{':
		if (++ps->depth > FT_JSON_MAX_DEPTH)
			return fail(ps, "nested too deeply");
		r = parse_object(ps);
		ps->depth--;
		return r;
	case '[':
		if (++ps->depth > FT_JSON_MAX_DEPTH)
			return fail(ps, "nested too deeply");
		r = parse_array(ps);
		ps->depth--;
		return r;
	case '"':
		return parse_string(ps, NULL);
	case 't':
		return literal(ps, "true");
	case 'f':
		return literal(ps, "false");
	case 'n':
		return literal(ps, "null");
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return parse_number(ps);
	case '\0':
		return fail(ps, "NUL byte");
	default:
		return fail(ps, "not a JSON value");
	}
}

int
ft_json_parse(struct ft_json_doc *d, const char *src, size_t len,
	      const char **err, size_t *errpos)
{
	struct kent local[64];
	struct parser ps = { .s = src,
			     .p = src,
			     .end = src + len,
			     .cp = src,
			     .d = d,
			     .ks = local,
			     .capks = 64,
			     .kdec = FT_BUF_INIT };
	int r = -1;

	ft_buf_reset(&d->text);
	ft_buf_grow(&d->text, len); /* see copy_upto() */
	d->n = 0;
	skip_ws(&ps);
	if (ps.p >= ps.end) {
		*err = "no value";
		*errpos = len;
		return -1;
	}
	d->type = *ps.p == '-' || (*ps.p >= '0' && *ps.p <= '9') ? '0' : *ps.p;
	if (parse_value(&ps) == 0) {
		skip_ws(&ps);
		if (ps.p == ps.end)
			r = 0;
		else
			fail(&ps, "unexpected data after the value");
	}
	if (ps.heap)
		free(ps.ks);
	ft_buf_release(&ps.kdec);
	if (r == 0) {
		copy_upto(&ps);
		d->text.s[d->text.len] = '\0';
		return 0;
	}
	/* Nothing of what was read is left to be taken for the record. */
	ft_buf_reset(&d->text);
	d->n = 0;
	*err = ps.err;
	*errpos = (size_t)(ps.p - src);
	return -1;
}

void
ft_json_key(const struct ft_json_doc *d, const struct ft_json_member *m,
	    struct ft_buf *out)
{
	ft_buf_reset(out);
	if (m->escaped)
		ft_json_unescape(d->text.s + m->key - 1, m->keylen + 2, out);
	else
		ft_buf_add(out, d->text.s + m->key, m->keylen);
}

const struct ft_json_member *
ft_json_get(const struct ft_json_doc *d, const char *key)
{
	size_t n = strlen(key), i;
	unsigned h = ft_json_key_hash(key, n);

	for (i = d->n; i-- > 0;) {
		const struct ft_json_member *m = &d->m[i];

		if (m->escaped) {
			struct ft_buf k = FT_BUF_INIT;
			int same;

			ft_json_key(d, m, &k);
			same = k.len == n && !memcmp(k.s, key, n);
			ft_buf_release(&k);
			if (same)
				return m;
		} else if (m->hash == h && m->keylen == n &&
			   !memcmp(d->text.s + m->key, key, n)) {
			return m;
		}
	}
	return NULL;
}

static void
put_utf8(struct ft_buf *out, unsigned c)
{
	char b[4];

	if (c < 0x80) {
		ft_buf_addc(out, (char)c);
	} else if (c < 0x800) {
		b[0] = (char)(0xC0 | c >> 6);
		b[1] = (char)(0x80 | (c & 0x3F));
		ft_buf_add(out, b, 2);
	} else if (c < 0x10000) {
		b[0] = (char)(0xE0 | c >> 12);
		b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		ft_buf_add(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | c >> 18);
		b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[3] = (char)(0x80 | (c & 0x3F));
		ft_buf_add(out, b, 4);
	}
}

void
ft_json_unescape(const char *s, size_t n, struct ft_buf *out)
{
	const char *p = s + 1, *end = s + n - 1, *run;
	unsigned v, w;

	while (p < end) {
		run = p;
		if (!(p = memchr(run, '\\', (size_t)(end - run))))
			p = end;
		ft_buf_add(out, run, (size_t)(p - run));
		if (p >= end)
			break;
		switch (p[1]) {
		case 'b': ft_buf_addc(out, '\b'); break;
		case 'f': ft_buf_addc(out, '\f'); break;
		case 'n': ft_buf_addc(out, '\n'); break;
		case 'r': ft_buf_addc(out, '\r'); break;
		case 't': ft_buf_addc(out, '\t'); break;
		case 'u':
			if (hex4(p + 2, &v))
				v = 0xFFFD;
			if (v >= 0xD800 && v <= 0xDBFF && end - p >= 12 &&
			    !hex4(p + 8, &w)) {
				v = 0x10000 + ((v - 0xD800) << 10) + (w - 0xDC00);
				p += 6;
			}
			put_utf8(out, v);
			p += 6;
			continue;
		default: ft_buf_addc(out, p[1]); break;
		}
		p += 2;
	}
}

/* Bytes that cannot stand as themselves inside a JSON string. */
static const unsigned char special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	/* 0x60 on: only the high bytes need a look (UTF-8). */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/*
 * The one escaper.  mode 0: bytes >= 0x80 are copied as they are; 1
 * (lossy): invalid UTF-8 becomes U+FFFD; 2 (checked): returns -2 at
 * invalid UTF-8 and -1 at a NUL byte, leaving out partly written.
 */
static int
escape(struct ft_buf *out, const char *s, size_t n, int mode)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n, *run;
	/* Room for the common case, where nothing needs escaping. */
	ft_buf_grow(out, n + 2);
	ft_buf_addc(out, '"');
	while (p < end) {
		/* A run copied at once: plain bytes and, in modes 1 and 2,
		 * whole valid UTF-8 sequences (Chinese text is all of them). */
		for (run = p; p < end; p++) {
			if (special[*p] == 0 || (special[*p] == 2 && mode == 0))
				continue;
			if (special[*p] == 2) {
				size_t k = utf8_seq(p, (size_t)(end - p));

				if (k) {
					p += k - 1;
					continue;
				}
			}
			break;
		}
		if (p > run) {
			if (out->len + (size_t)(p - run) + 2 > out->cap)
				ft_buf_grow(out, (size_t)(p - run) + 2);
			memcpy(out->s + out->len, run, (size_t)(p - run));
			out->len += (size_t)(p - run);
		}
		if (p >= end)
			break;
		if (*p >= 0x80) { /* not valid UTF-8 (see above) */
			if (mode == 2)
				return -2;
			ft_buf_add(out, "\xEF\xBF\xBD", 3);
			p++;
			continue;
		}
		switch (*p) {
		case '"': ft_buf_add(out, "\\\"", 2); break;
		case '\\': ft_buf_add(out, "\\\\", 2); break;
		case '\n': ft_buf_add(out, "\\n", 2); break;
		case '\r': ft_buf_add(out, "\\r", 2); break;
		case '\t': ft_buf_add(out, "\\t", 2); break;
		case '\b': ft_buf_add(out, "\\b", 2); break;
		case '\f': ft_buf_add(out, "\\f", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hexd[*p >> 4],
				      hexd[*p & 15] };

			if (*p == 0 && mode == 2)
				return -1;
			ft_buf_add(out, u, 6);
		}
		}
		p++;
	}
	ft_buf_addc(out, '"');
	return 0;
}

void
ft_json_escape(struct ft_buf *out, const char *s, size_t n)
{
	escape(out, s, n, 0);
}

void
ft_json_escape_lossy(struct ft_buf *out, const char *s, size_t n)
{
	escape(out, s, n, 1);
}

int
ft_json_escape_checked(struct ft_buf *out, const char *s, size_t n)
{
	return escape(out, s, n, 2);
}

void
ft_json_scan_init(struct ft_json_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
}

int
ft_json_scan(struct ft_json_scan *sc, const char *p, size_t n, int at_eof,
	     size_t *end)
{
	size_t i = sc->pos;

	if (i == 0 && n > 0 && p[0] != '{' && p[0] != '[' && p[0] != '"') {
		/* A scalar ends at the first delimiter. */
		while (i < n && !strchr(",]} \t\r\n", p[i]))
			i++;
		if (i == n && !at_eof) {
			sc->pos = 0;
			return 0;
		}
		*end = i;
		return 1;
	}
	for (; i < n; i++) {
		char c = p[i];

		if (sc->instr) {
			if (sc->esc)
				sc->esc = 0;
			else if (c == '\\')
				sc->esc = 1;
			else if (c == '"')
				sc->instr = 0;
			if (!sc->instr && sc->depth == 0) {
				*end = i + 1;
				return 1;
			}
			continue;
		}
		switch (c) {
		case '"':
			sc->instr = 1;
			break;
		case '{': case '[':
			if (sc->depth >= FT_JSON_MAX_DEPTH) {
				/* The parser names the fault; end here. */
				*end = i + 1;
				return 1;
			}
			sc->stack[sc->depth++] = c;
			break;
		case '}': case ']':
			if (sc->depth == 0 ||
			    sc->stack[sc->depth - 1] != (c == '}' ? '{' : '['))
				return -1;
			if (--sc->depth == 0) {
				*end = i + 1;
				return 1;
			}
			break;
		}
	}
	sc->pos = i;
	return 0;
}

/*
 * A number as JSON: integers and numbers of at most six decimals by hand
 * (ids, counts, coordinates: most of what maps produce), the rest as the
 * shortest %g that reads back the same.  NaN is null and infinities the
 * largest finite numbers, as jq prints them.
 */
void
ft_json_number(struct ft_buf *out, double x)
{
	char num[40], *p = num + sizeof(num);
	unsigned long long k, ip, fp;
	int i, neg = signbit(x) != 0, digits;	/* -0 stays -0, as in jq */

	if (x != x) {
		ft_buf_add(out, "null", 4);
		return;
	}
	if (x > DBL_MAX)
		x = DBL_MAX;
	else if (x < -DBL_MAX)
		x = -DBL_MAX;
	if (fabs(x) < 1e9 && (double)(k = (unsigned long long)llround(
					 fabs(x) * 1e6)) / 1e6 == fabs(x)) {
		ip = k / 1000000;
		fp = k % 1000000;
		digits = 6;
		while (fp && fp % 10 == 0) {
			fp /= 10;
			digits--;
		}
		if (fp) {
			for (i = 0; i < digits; i++) {
				*--p = (char)('0' + fp % 10);
				fp /= 10;
			}
			*--p = '.';
		}
		do
			*--p = (char)('0' + ip % 10);
		while (ip /= 10);
		if (neg)
			*--p = '-';
		ft_buf_add(out, p, (size_t)(num + sizeof(num) - p));
		return;
	}
	if (fabs(x) < 1e17 && x == (double)(long long)x) {
		snprintf(num, sizeof(num), "%lld", (long long)x);
	} else {
		for (i = 15; i <= 17; i++) {
			snprintf(num, sizeof(num), "%.*g", i, x);
			if (strtod(num, NULL) == x)
				break;
		}
	}
	ft_buf_adds(out, num);
}

size_t
ft_json_object_without(const struct ft_json_doc *d, const char *const *drop,
		       struct ft_buf *out)
{
	const char *const *k;
	size_t i, n = 0;

	ft_buf_addc(out, '{');
	for (i = 0; i < d->n; i++) {
		const struct ft_json_member *m = &d->m[i];

		/* Keys compare by their decoded text: "\u0069d" is "id". */
		if (m->escaped) {
			struct ft_buf key = FT_BUF_INIT;

			ft_json_key(d, m, &key);
			for (k = drop; *k; k++)
				if (strlen(*k) == key.len &&
				    !memcmp(*k, key.s, key.len))
					break;
			ft_buf_release(&key);
		} else {
			for (k = drop; *k; k++)
				if (strlen(*k) == m->keylen &&
				    !memcmp(*k, d->text.s + m->key, m->keylen))
					break;
		}
		if (*k)
			continue;
		if (n++)
			ft_buf_addc(out, ',');
		/* The key with its quotes, the colon and the value. */
		ft_buf_add(out, d->text.s + m->key - 1,
			   m->val - m->key + 1 + m->vallen);
	}
	return n;
}

int
ft_json_member_text(const struct ft_json_doc *d, const char *key,
		    struct ft_buf *b)
{
	return ft_json_value_text(d, ft_json_get(d, key), b);
}

int
ft_json_value_add(const struct ft_json_doc *d, const struct ft_json_member *m,
		  struct ft_buf *b)
{
	size_t at = b->len;
	const char *v;

	if (!m)
		return 0;
	v = d->text.s + m->val;
	if (m->vplain)
		ft_buf_add(b, v + 1, m->vallen - 2);
	else if (*v == '"')
		ft_json_unescape(v, m->vallen, b);
	else if (*v == '-' || (*v >= '0' && *v <= '9'))
		ft_buf_add(b, v, m->vallen);
	else if (*v != 'n')
		return -1;	/* an object, array or boolean */
	return b->len > at;
}

int
ft_json_value_text(const struct ft_json_doc *d, const struct ft_json_member *m,
		   struct ft_buf *b)
{
	ft_buf_reset(b);
	return ft_json_value_add(d, m, b);
}

void
ft_json_cursor_init(struct ft_json_cursor *c)
{
	memset(c, 0, sizeof(*c));
	ft_buf_init(&c->parent);
	ft_buf_init(&c->key);
}

void
ft_json_cursor_release(struct ft_json_cursor *c)
{
	ft_buf_release(&c->parent);
	ft_buf_release(&c->key);
}

void
ft_json_cursor_reset(struct ft_json_cursor *c)
{
	c->valid = 0;
}

static size_t
at_ws(const char *t, size_t n, size_t i)
{
	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' ||
			 t[i] == '\n'))
		i++;
	return i;
}

/* Past the value at t[i] (valid JSON). */
static size_t
at_end(const char *t, size_t n, size_t i)
{
	struct ft_json_scan sc;
	size_t e;

	ft_json_scan_init(&sc);
	if (ft_json_scan(&sc, t + i, n - i, 1, &e) != 1)
		return n;
	return i + e;
}

/*
 * One step from the container at t[poff], looking from i (just inside it, or
 * just past a value of it) on, where index from is: a member named by the
 * decoded key (want, wlen), or with want NULL the element at index k.
 */
static int
at_step(struct ft_json_cursor *c, const char *t, size_t n, size_t i,
	long from, const char *want, size_t wlen, long k, size_t *off,
	size_t *end)
{
	size_t ke, e;
	long j;

	for (j = from;; j++) {
		i = at_ws(t, n, i);
		if (i < n && t[i] == ',')
			i = at_ws(t, n, i + 1);
		if (i >= n || t[i] == ']' || t[i] == '}')
			return -1;
		if (want) {
			ke = at_end(t, n, i);
			c->key.len = 0;
			if (memchr(t + i, '\\', ke - i))
				ft_json_unescape(t + i, ke - i, &c->key);
			else
				ft_buf_add(&c->key, t + i + 1, ke - i - 2);
			i = at_ws(t, n, ke) + 1;	/* ':' */
			i = at_ws(t, n, i);
		}
		e = at_end(t, n, i);
		if (want ? c->key.len == wlen && !memcmp(c->key.s, want, wlen) :
			   j == k) {
			*off = i;
			*end = e;
			return 0;
		}
		i = e;
	}
}

int
ft_json_at(struct ft_json_cursor *c, const char *t, size_t n,
	   const char *path, size_t pathlen, size_t *off, size_t *len)
{
	struct ft_buf want = FT_BUF_INIT;
	size_t i, se, last = 0, v, e, steps = 0, pe;
	long k = 0;
	char *stop;
	int r = -1, isname;

	/* The steps: find the last one, the container's path before it. */
	i = at_ws(path, pathlen, 0);
	if (i >= pathlen || path[i] != '[')
		return -1;
	for (i++;;) {
		i = at_ws(path, pathlen, i);
		if (i < pathlen && path[i] == ',')
			i = at_ws(path, pathlen, i + 1);
		if (i >= pathlen || path[i] == ']')
			break;
		last = i;
		i = at_end(path, pathlen, i);
		steps++;
	}
	v = at_ws(t, n, 0);
	if (!steps) {
		*off = v;
		*len = at_end(t, n, v) - v;
		return 0;
	}
	if (!c->valid || c->parent.len != last ||
	    memcmp(c->parent.s, path, last)) {
		/* Walk to the container from the top. */
		ft_buf_reset(&c->parent);
		ft_buf_add(&c->parent, path, last);
		c->valid = 0;
		for (i = at_ws(path, pathlen, 0) + 1; i < last; i = se) {
			i = at_ws(path, pathlen, i);
			if (path[i] == ',')
				i = at_ws(path, pathlen, i + 1);
			if (i >= last)
				break;
			se = at_end(path, pathlen, i);
			ft_buf_reset(&want);
			isname = path[i] == '"';
			if (isname) {
				ft_json_unescape(path + i, se - i, &want);
			} else {
				k = strtol(path + i, &stop, 10);
				if (stop != path + se || k < 0)
					goto out;
			}
			if (t[v] != (isname ? '{' : '['))
				goto out;
			if (at_step(c, t, n, v + 1, 0, isname ? want.s : NULL,
				    want.len, k, &v, &e))
				goto out;
		}
		c->poff = v;
		c->idx = -1;
		c->next = v + 1;
		c->valid = 1;
	}
	/* The last step, from where the one before it ended when it can. */
	v = c->poff;
	se = at_end(path, pathlen, last);
	ft_buf_reset(&want);
	isname = path[last] == '"';
	if (isname) {
		ft_json_unescape(path + last, se - last, &want);
	} else {
		k = strtol(path + last, &stop, 10);
		if (stop != path + se || k < 0)
			goto out;
	}
	if (t[v] != (isname ? '{' : '['))
		goto out;
	pe = 0;
	if (isname) {
		if (at_step(c, t, n, c->next, 0, want.s, want.len, 0, off, &pe) &&
		    (c->next == v + 1 ||
		     at_step(c, t, n, v + 1, 0, want.s, want.len, 0, off, &pe)))
			goto out;
	} else if (k > c->idx) {
		if (at_step(c, t, n, c->next, c->idx + 1, NULL, 0, k, off, &pe))
			goto out;
	} else if (at_step(c, t, n, v + 1, 0, NULL, 0, k, off, &pe)) {
		goto out;
	}
	c->idx = isname ? -1 : k;
	c->next = pe;
	*len = pe - *off;
	r = 0;
out:
	ft_buf_release(&want);
	return r;
}

void
ft_json_put_key(struct ft_buf *out, const char *key)
{
	ft_buf_add(out, ",\"", 2);
	ft_buf_adds(out, key);
	ft_buf_add(out, "\":", 2);
}

void
ft_json_open(struct ft_buf *out, const char *key)
{
	ft_buf_add(out, "{\"", 2);
	ft_buf_adds(out, key);
	ft_buf_add(out, "\":", 2);
}

void
ft_json_put_str(struct ft_buf *out, const char *key, const char *v, size_t n)
{
	if (!v)
		return;
	ft_json_put_key(out, key);
	ft_json_escape(out, v, n);
}

void
ft_json_put_decided(struct ft_buf *out, const char *key, const char *v)
{
	ft_json_put_key(out, key);
	if (v)
		ft_json_escape(out, v, strlen(v));
	else
		ft_buf_add(out, "null", 4);
}

void
ft_json_put_raw(struct ft_buf *out, const char *key, const char *json, size_t n)
{
	if (!n)
		return;
	ft_json_put_key(out, key);
	ft_buf_add(out, json, n);
}

void
ft_json_put_number(struct ft_buf *out, const char *key, double x)
{
	ft_json_put_key(out, key);
	ft_json_number(out, x);
}

void
ft_json_put_int(struct ft_buf *out, const char *key, long long v)
{
	ft_json_put_key(out, key);
	ft_buf_addf(out, "%lld", v);
}

void
ft_json_put_bool(struct ft_buf *out, const char *key, int v)
{
	ft_json_put_key(out, key);
	if (v)
		ft_buf_add(out, "true", 4);
	else
		ft_buf_add(out, "false", 5);
}
