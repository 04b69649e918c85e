/*
 * genread - deterministic synthetic sensor readings, for the benchmarks.
 *
 * Usage: genread [-n N] [-s SENSORS] DIR
 *
 * Writes DIR/readings.ndjson: N readings (default 2,000,000) from SENSORS
 * sensors (default 10,000), as a sensor network sends them: one round a
 * minute from 2024-06-01T00:00:00Z, every sensor once a round, in sensor
 * order, so that a sensor's readings are a minute apart and the file is in
 * time order.  One line a reading:
 *
 *   {"sensor":"WL-00042","at":"2024-06-01T00:03:00Z","value":3.27}
 *
 * a water level of two decimals that wanders around its sensor's own mean.
 * One sensor in four names a metric ("level"), so that both forms of the
 * key are stored.  Then DIR/readings.n holds "N SENSORS": run.sh uses it
 * to skip generation when the file is there already.  The output depends
 * on N and SENSORS alone (our own PRNG, splitmix64 with a fixed seed; no
 * clock, no locale).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state = 0x66742d7265616473ULL; /* "ft-reads" */

/* splitmix64: small, fast and good enough for synthetic data. */
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform integer in [0, n). */
static unsigned
rndn(unsigned n)
{
	return (unsigned)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static void
usage(void)
{
	fprintf(stderr, "usage: genread [-n N] [-s SENSORS] DIR\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	long n = 2000000, sensors = 10000, i, *level;
	const char *dir = NULL;
	char path[4096], at[32];
	struct tm tm;
	time_t t0 = 1717200000; /* 2024-06-01T00:00:00Z */
	FILE *f;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-n") && a + 1 < argc)
			n = strtol(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "-s") && a + 1 < argc)
			sensors = strtol(argv[++a], NULL, 10);
		else if (argv[a][0] != '-' && !dir)
			dir = argv[a];
		else
			usage();
	}
	if (!dir || n <= 0 || sensors <= 0 || sensors > 99999)
		usage();
	/* Each sensor's level, in centimetres: its mean and a random walk. */
	if (!(level = malloc((size_t)sensors * sizeof(*level))))
		return 70;
	for (i = 0; i < sensors; i++)
		level[i] = 100 + (long)rndn(400);
	snprintf(path, sizeof(path), "%s/readings.ndjson", dir);
	if (!(f = fopen(path, "w"))) {
		fprintf(stderr, "genread: %s: %s\n", path, strerror(errno));
		return 73;
	}
	for (i = 0; i < n; i++) {
		long s = i % sensors;
		time_t t = t0 + (time_t)(i / sensors) * 60;

		if (s == 0 || i == 0) {
			gmtime_r(&t, &tm);
			strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
		level[s] += (long)rndn(21) - 10;
		if (level[s] < 0)
			level[s] = 0;
		fprintf(f, "{\"sensor\":\"WL-%05ld\",%s\"at\":\"%s\","
			"\"value\":%ld.%02ld}\n", s, s % 4 ? "" :
			"\"metric\":\"level\",", at, level[s] / 100,
			level[s] % 100);
	}
	if (fclose(f)) {
		fprintf(stderr, "genread: %s: %s\n", path, strerror(errno));
		return 74;
	}
	free(level);
	snprintf(path, sizeof(path), "%s/readings.n", dir);
	if (!(f = fopen(path, "w")) || fprintf(f, "%ld %ld\n", n, sensors) < 0 ||
	    fclose(f)) {
		fprintf(stderr, "genread: %s: %s\n", path, strerror(errno));
		return 73;
	}
	return 0;
}
