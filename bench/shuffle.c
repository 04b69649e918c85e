/*
 * shuffle - the lines of a file in a random order that depends on the seed
 * alone, for the benchmarks' random-order cases (issue 15).
 *
 * Usage: shuffle [-k HEAD] SEED IN OUT
 *
 * Writes OUT: the first HEAD lines of IN as they are (a CSV header: -k 1),
 * then the other lines of IN, each once, permuted by a Fisher-Yates
 * shuffle driven by splitmix64 seeded with SEED.  Two files of the same
 * number of lines (after their heads) get the same permutation from the
 * same seed, so events.csv and events.ndjson, which hold the same records
 * in the same order, stay the same records in the same order.  A line is
 * a record: run.sh checks that the files hold one record a line.
 *
 * Exit status: 0 done, 64 usage, 66 IN cannot be read, 73 OUT cannot be
 * written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

/* splitmix64, as bench/gen.c. */
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
usage(void)
{
	fprintf(stderr, "usage: shuffle [-k HEAD] SEED IN OUT\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	size_t head = 0, n = 0, cap = 0, i, len = 0;
	char *buf = NULL, **line = NULL, *p, *end;
	FILE *f;
	int a = 1;

	if (argc > 2 && !strcmp(argv[1], "-k")) {
		head = strtoul(argv[2], NULL, 10);
		a = 3;
	}
	if (argc - a != 3)
		usage();
	rng_state = strtoull(argv[a], NULL, 10);
	if (!(f = fopen(argv[a + 1], "rb"))) {
		fprintf(stderr, "shuffle: %s: %s\n", argv[a + 1],
			strerror(errno));
		return 66;
	}
	for (;;) {
		size_t got;

		buf = realloc(buf, len + (1 << 20) + 1);
		if (!buf)
			return 70;
		got = fread(buf + len, 1, 1 << 20, f);
		len += got;
		if (got < (1 << 20))
			break;
	}
	fclose(f);
	if (len && buf[len - 1] != '\n')
		buf[len++] = '\n';
	for (p = buf, end = buf + len; p < end; p = memchr(p, '\n', end - p) + 1) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			if (!(line = realloc(line, cap * sizeof(*line))))
				return 70;
		}
		line[n++] = p;
	}
	if (head > n)
		head = n;
	/* Fisher-Yates over the lines after the head. */
	for (i = n - 1; i > head && n > head + 1; i--) {
		size_t j = head + (size_t)(rnd() % (i - head + 1));
		char *t = line[i];

		line[i] = line[j];
		line[j] = t;
	}
	if (!(f = fopen(argv[a + 2], "wb"))) {
		fprintf(stderr, "shuffle: %s: %s\n", argv[a + 2],
			strerror(errno));
		return 73;
	}
	for (i = 0; i < n; i++) {
		char *e = memchr(line[i], '\n', (size_t)(end - line[i]));

		fwrite(line[i], 1, (size_t)(e - line[i]) + 1, f);
	}
	if (fclose(f)) {
		fprintf(stderr, "shuffle: %s: %s\n", argv[a + 2],
			strerror(errno));
		return 73;
	}
	return 0;
}
