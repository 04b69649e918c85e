/*
 * kw.c - lib's ft_kw (keywords in one pass) from the command line, for
 * tests/kw.bats and make bench.
 *
 *   ft-kw scan [-i] TERMS [TEXT]
 *	Each line of TERMS is a term, its id its line number from 1 (with
 *	-i a line is ID, a tab, then the term).  Each line of TEXT (standard
 *	input without it) is scanned alone; for each, the ids found are
 *	printed on one line, in order, separated by spaces.
 *   ft-kw size TERMS
 *	Builds the automaton of TERMS and prints "N terms, N states, N
 *	bytes" (ft_kw_size()).
 *   ft-kw draw SEED N FILE
 *	Prints N terms drawn from FILE's lines (deterministic for a SEED):
 *	mostly one to four whole UTF-8 characters of a line, one in ten from
 *	a line with ASCII letters, starting at a letter, its letters' case
 *	changed at random; and one in twenty a few bytes cut anywhere.
 *   ft-kw cjk SEED N LEN
 *	Prints N terms of LEN random CJK ideographs each (U+4E00 to U+9FFF,
 *	three bytes each in UTF-8): the least prefix sharing, the most states.
 *   ft-kw check TERMS TEXT
 *	Scans each line of TEXT with ft_kw and with a naive search, memmem()
 *	per term over the line folded to lower case, and prints every line
 *	where the two sets of ids differ; then "N lines, N terms, N found",
 *	the last the ids found summed over the lines.  Exit 1 on a
 *	difference.
 *   ft-kw bench TERMS TEXT
 *	The same two over every line of TEXT, timed: lines a second of
 *	each and their ratio (exit 1 if they disagree).  The seconds are
 *	the process's CPU seconds, not the wall clock's: on a shared
 *	machine, the work done and not the waits for a core.
 * Lines end at a newline only: any other byte, NUL and invalid UTF-8
 * included, is text.
 */
#define _GNU_SOURCE /* memmem */
#include "ft_err.h"
#include "ft_kw.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct lines {
	char **s;
	size_t *len, n;
};

/* Every line of path ("-": standard input), without its newline. */
static int
read_lines(const char *path, struct lines *l)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t n;

	if (!f) {
		perror(path);
		return 66;
	}
	memset(l, 0, sizeof(*l));
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n && line[n - 1] == '\n')
			n--;
		if (l->n == alloc) {
			alloc = alloc * 2 + 64;
			l->s = realloc(l->s, alloc * sizeof(*l->s));
			l->len = realloc(l->len, alloc * sizeof(*l->len));
			if (!l->s || !l->len)
				abort();
		}
		l->s[l->n] = malloc((size_t)n + 1);
		if (!l->s[l->n])
			abort();
		memcpy(l->s[l->n], line, (size_t)n);
		l->s[l->n][n] = '\0';
		l->len[l->n++] = (size_t)n;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

static void
free_lines(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->len);
}

/* The automaton of the terms; NULL after a message. */
static struct ft_kw *
load_terms(const struct lines *t, int with_ids)
{
	struct ft_kw *k = ft_kw_new();
	size_t i;

	for (i = 0; i < t->n; i++) {
		const char *s = t->s[i];
		size_t len = t->len[i];
		int id = (int)i + 1;

		if (with_ids) {
			char *tab = memchr(s, '\t', len);

			if (!tab) {
				fprintf(stderr, "ft-kw: line %zu: no tab\n",
					i + 1);
				ft_kw_free(k);
				return NULL;
			}
			id = atoi(s);
			len -= (size_t)(tab + 1 - s);
			s = tab + 1;
		}
		if (ft_kw_add(k, s, len, id)) {
			ft_kw_free(k);
			return NULL;
		}
	}
	ft_kw_build(k);
	return k;
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* The naive search: ids[] gets the terms' ids (line numbers) found in
 * text, folded into buf; returns their number. */
static size_t
naive(const struct lines *t, char *const *folded, const char *text,
      size_t len, char *buf, int *ids)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		buf[i] = (char)lower((unsigned char)text[i]);
	for (i = 0; i < t->n; i++)
		if (t->len[i] <= len && memmem(buf, len, folded[i], t->len[i]))
			ids[n++] = (int)i + 1;
	return n;
}

/* The terms folded to lower case, for naive(). */
static char **
fold_terms(const struct lines *t)
{
	char **f = malloc((t->n + 1) * sizeof(*f));
	size_t i, j;

	if (!f)
		abort();
	for (i = 0; i < t->n; i++) {
		if (!(f[i] = malloc(t->len[i] + 1)))
			abort();
		for (j = 0; j < t->len[i]; j++)
			f[i][j] = (char)lower((unsigned char)t->s[i][j]);
	}
	return f;
}

static void
free_folded(char **f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(f[i]);
	free(f);
}

static size_t
longest(const struct lines *l)
{
	size_t i, m = 1;

	for (i = 0; i < l->n; i++)
		if (l->len[i] >= m)
			m = l->len[i] + 1;
	return m;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64: the same terms for the same seed on every machine. */
static uint64_t
next(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The length of the UTF-8 character at s[0..n), 1 for a stray byte. */
static size_t
charlen(const unsigned char *s, size_t n)
{
	size_t want = s[0] < 0x80 ? 1 :
		      (s[0] & 0xe0) == 0xc0 ? 2 :
		      (s[0] & 0xf0) == 0xe0 ? 3 :
		      (s[0] & 0xf8) == 0xf0 ? 4 :
					      1;
	return want <= n ? want : 1;
}

static int
isletter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
draw(uint64_t seed, long count, const struct lines *l)
{
	size_t *ascii = malloc(l->n * sizeof(*ascii)), nascii = 0, i;
	long done = 0;

	if (!ascii)
		abort();
	/* The lines with ASCII letters, few in Chinese text, to draw one
	 * term in ten from, so that case folding is tried too. */
	for (i = 0; i < l->n; i++) {
		const char *p;

		for (p = l->s[i]; *p && !isletter(*p); p++)
			;
		if (*p)
			ascii[nascii++] = i;
	}
	while (done < count) {
		int fromascii = nascii && next(&seed) % 10 == 0;
		const char *s = l->s[fromascii ? ascii[next(&seed) % nascii] :
						 next(&seed) % l->n];
		size_t len = strlen(s), a, b, nch;
		char term[64];

		if (!len)
			continue;
		if (!fromascii && next(&seed) % 20 == 0) {
			/* A few bytes from anywhere: half characters too. */
			a = next(&seed) % len;
			b = a + 1 + next(&seed) % 5;
			if (b > len)
				b = len;
		} else {
			/* Whole characters: start at a character's first
			 * byte (at a letter, from an ASCII line), take one
			 * to four. */
			a = next(&seed) % len;
			while (a && ((unsigned char)s[a] & 0xc0) == 0x80)
				a--;
			while (fromascii && !isletter(s[a]))
				a = (a + 1) % len;
			nch = 1 + next(&seed) % 4;
			for (b = a; b < len && nch; nch--)
				b += charlen((const unsigned char *)s + b,
					     len - b);
		}
		if (b - a >= sizeof(term))
			continue;
		memcpy(term, s + a, b - a);
		/* Each letter in the other case, one time in two. */
		for (i = 0; i < b - a; i++)
			if (isletter(term[i]) && next(&seed) % 2)
				term[i] ^= 0x20;
		fwrite(term, 1, b - a, stdout);
		putchar('\n');
		done++;
	}
	free(ascii);
	return 0;
}

static int
cjk(uint64_t seed, long count, long len)
{
	long i, j;

	for (i = 0; i < count; i++) {
		for (j = 0; j < len; j++) {
			unsigned cp = 0x4e00 + (unsigned)(next(&seed) % 0x5200);

			putchar(0xe0 | (int)(cp >> 12));
			putchar(0x80 | (int)((cp >> 6) & 0x3f));
			putchar(0x80 | (int)(cp & 0x3f));
		}
		putchar('\n');
	}
	return 0;
}

static void
print_ids(const int *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf(i ? " %d" : "%d", ids[i]);
	putchar('\n');
}

static int
scan(const struct lines *t, int with_ids, const char *textpath)
{
	struct ft_kw *k = load_terms(t, with_ids);
	struct ft_kw_hits h;
	struct lines x;
	size_t i;
	int st;

	if (!k)
		return 78;
	if ((st = read_lines(textpath, &x))) {
		ft_kw_free(k);
		return st;
	}
	ft_kw_hits_init(&h);
	for (i = 0; i < x.n; i++) {
		ft_kw_scan(k, &h, x.s[i], x.len[i]);
		print_ids(h.ids, h.n);
	}
	ft_kw_hits_release(&h);
	ft_kw_free(k);
	free_lines(&x);
	return 0;
}

/* check and bench: ft_kw against the naive search on every line. */
static int
versus(const struct lines *t, const char *textpath, int timed)
{
	struct ft_kw *k;
	struct ft_kw_hits h;
	struct lines x;
	char **folded, *buf;
	int *ids, bad = 0, st;
	size_t i, found = 0, nfound = 0, rounds = 0;
	double t0, tkw = 0, tnaive = 0, tbuild;

	t0 = now();
	if (!(k = load_terms(t, 0)))
		return 78;
	tbuild = now() - t0;
	if ((st = read_lines(textpath, &x))) {
		ft_kw_free(k);
		return st;
	}
	folded = fold_terms(t);
	buf = malloc(longest(&x));
	ids = malloc((t->n + 1) * sizeof(*ids));
	if (!buf || !ids)
		abort();
	ft_kw_hits_init(&h);

	/* ft_kw: the whole text again and again for half a second at
	 * least, so that the clock's resolution does not matter. */
	if (timed) {
		t0 = now();
		do {
			found = 0;
			for (i = 0; i < x.n; i++)
				found += ft_kw_scan(k, &h, x.s[i], x.len[i]);
			rounds++;
		} while (now() - t0 < 0.5);
		tkw = (now() - t0) / (double)rounds;

		t0 = now();
		for (i = 0; i < x.n; i++)
			nfound += naive(t, folded, x.s[i], x.len[i], buf, ids);
		tnaive = now() - t0;
	}

	/* Line by line, the same ids (not timed). */
	for (i = 0; i < x.n; i++) {
		size_t n = naive(t, folded, x.s[i], x.len[i], buf, ids);

		ft_kw_scan(k, &h, x.s[i], x.len[i]);
		if (!timed)
			found += h.n;
		if (n != h.n || (n && memcmp(ids, h.ids, n * sizeof(*ids)))) {
			printf("line %zu: ft_kw:", i + 1);
			print_ids(h.ids, h.n);
			printf("line %zu: naive:", i + 1);
			print_ids(ids, n);
			bad = 1;
		}
	}
	if (timed && found != nfound)
		bad = 1;
	if (timed) {
		printf("kw: %zu lines, %zu terms, %zu found; build %.3f s\n",
		       x.n, t->n, found, tbuild);
		printf("kw: ft_kw %.0f lines/s, naive memmem %.0f lines/s, "
		       "ratio %.1f (CPU time)\n",
		       (double)x.n / tkw, (double)x.n / tnaive, tnaive / tkw);
	} else {
		printf("%zu lines, %zu terms, %zu found\n", x.n, t->n, found);
	}
	ft_kw_hits_release(&h);
	ft_kw_free(k);
	free_folded(folded, t->n);
	free(buf);
	free(ids);
	free_lines(&x);
	return bad;
}

int
main(int argc, char **argv)
{
	struct lines t;
	int st, with_ids = 0;

	ft_progname = "ft-kw";
	if (argc == 5 && !strcmp(argv[1], "draw")) {
		struct lines l;

		if ((st = read_lines(argv[4], &l)))
			return st;
		st = l.n ? draw(strtoull(argv[2], NULL, 10),
				strtol(argv[3], NULL, 10), &l) :
			   65;
		free_lines(&l);
		return st;
	}
	if (argc == 5 && !strcmp(argv[1], "cjk"))
		return cjk(strtoull(argv[2], NULL, 10),
			   strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
	if (argc >= 3 && !strcmp(argv[1], "scan") &&
	    !strcmp(argv[2], "-i")) {
		with_ids = 1;
		argv[2] = argv[1];
		argv++;
		argc--;
	}
	if (argc == 3 && !strcmp(argv[1], "size") && !with_ids) {
		struct ft_kw *k;
		size_t states, bytes;

		if ((st = read_lines(argv[2], &t)))
			return st;
		if ((k = load_terms(&t, 0))) {
			bytes = ft_kw_size(k, &states);
			printf("%zu terms, %zu states, %zu bytes\n",
			       ft_kw_count(k), states, bytes);
			ft_kw_free(k);
		} else {
			st = 78;
		}
	} else if ((argc == 3 || argc == 4) && !strcmp(argv[1], "scan")) {
		if ((st = read_lines(argv[2], &t)))
			return st;
		st = scan(&t, with_ids, argc == 4 ? argv[3] : "-");
	} else if (argc == 4 && (!strcmp(argv[1], "check") ||
				 !strcmp(argv[1], "bench"))) {
		if ((st = read_lines(argv[2], &t)))
			return st;
		st = versus(&t, argv[3], !strcmp(argv[1], "bench"));
	} else {
		fputs("usage: ft-kw scan [-i] TERMS [TEXT] | size TERMS |"
		      " draw SEED N FILE | cjk SEED N LEN |"
		      " check TERMS TEXT |"
		      " bench TERMS TEXT\n",
		      stderr);
		return 64;
	}
	free_lines(&t);
	return st;
}
