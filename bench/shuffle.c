/*
 * shuffle - the lines of a file in a fixed random order, for the benchmarks.
 *
 * Usage: shuffle IN OUT
 *
 * Writes OUT with the lines of IN (each ending in a newline) permuted by a
 * Fisher-Yates shuffle driven by splitmix64 from a fixed seed: the output
 * depends on the input and nothing else.  run.sh uses it on gen.c's NDJSON,
 * whose ids and reported_at rise with the line number, for the random-order
 * cases (issue 15): the same rows, ids and times in no order.  The whole
 * file is held in memory (about 450 MB at N = 1,000,000).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x667473687566666cULL; /* "ftshuffl" */

static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int
main(int argc, char **argv)
{
	FILE *in, *out;
	char *buf = NULL, **line = NULL, *p, *t;
	size_t len = 0, cap = 0, nl = 0, i, got;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: shuffle IN OUT\n");
		return 64;
	}
	if ((in = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "shuffle: %s: %s\n", argv[1], strerror(errno));
		return 66;
	}
	for (;;) {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((buf = realloc(buf, cap + 1)) == NULL) {
				fprintf(stderr, "shuffle: out of memory\n");
				return 71;
			}
		}
		got = fread(buf + len, 1, cap - len, in);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(in) || len == 0 || buf[len - 1] != '\n') {
		fprintf(stderr,
			"shuffle: %s: unreadable, empty or no final "
			"newline\n",
			argv[1]);
		return 65;
	}
	fclose(in);
	for (p = buf; p < buf + len; p++)
		nl += *p == '\n';
	if (nl == 0)
		return 65; /* not reached: the last byte is a newline */
	if ((line = malloc((nl + 1) * sizeof(char *))) == NULL) {
		fprintf(stderr, "shuffle: out of memory\n");
		return 71;
	}
	for (i = 0, p = buf; i < nl; i++) {
		line[i] = p;
		p = memchr(p, '\n', (size_t)(buf + len - p)) + 1;
	}
	for (i = nl - 1; i > 0; i--) {
		size_t j = (size_t)(rnd() % (i + 1));

		t = line[i];
		line[i] = line[j];
		line[j] = t;
	}
	if ((out = fopen(argv[2], "wb")) == NULL) {
		fprintf(stderr, "shuffle: %s: %s\n", argv[2], strerror(errno));
		free(line);
		free(buf);
		return 73;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	for (i = 0; i < nl; i++) {
		p = memchr(line[i], '\n', (size_t)(buf + len - line[i]));
		fwrite(line[i], 1, (size_t)(p - line[i]) + 1, out);
	}
	rc = ferror(out) | fclose(out);
	free(line);
	free(buf);
	if (rc) {
		fprintf(stderr, "shuffle: %s: write error\n", argv[2]);
		return 74;
	}
	return 0;
}
