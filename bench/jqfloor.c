/*
 * jqfloor - what libjq 1.6 alone costs on an NDJSON file: the floor that
 * ft-ingest's NDJSON and --map paths are measured against.
 *
 * Usage: jqfloor FILE            parse every value and count them
 *        jqfloor -m FILTER FILE  parse, and run FILTER on every value
 *
 * Parsing uses jv_parser_new / jv_parser_set_buf / jv_parser_next over the
 * file read in 64 KiB blocks, the way jq's own main loop does.  The filter
 * is compiled once; each value goes through jq_start / jq_next and every
 * output is freed unseen.  Nothing is written anywhere: the count of values
 * (and of filter outputs) goes to standard error at the end.
 *
 * Exit status: 0 done, 64 usage, 65 a parse or filter error, 66 the file
 * cannot be opened, 78 the filter does not compile.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jq.h>
#include <jv.h>

static int
usage(void)
{
	fprintf(stderr, "usage: jqfloor [-m FILTER] FILE\n");
	return 64;
}

int
main(int argc, char **argv)
{
	static char buf[65536];
	const char *filter = NULL, *path;
	unsigned long values = 0, outputs = 0;
	jv_parser *p;
	jq_state *jq = NULL;
	FILE *f;
	size_t n;
	int last = 0, rc = 0;
	jv v, o;

	if (argc == 4 && strcmp(argv[1], "-m") == 0) {
		filter = argv[2];
		path = argv[3];
	} else if (argc == 2) {
		path = argv[1];
	} else {
		return usage();
	}

	if (filter) {
		if ((jq = jq_init()) == NULL) {
			fprintf(stderr, "jqfloor: jq_init failed\n");
			return 70;
		}
		if (!jq_compile(jq, filter)) {
			fprintf(stderr, "jqfloor: cannot compile the filter\n");
			jq_teardown(&jq);
			return 78;
		}
	}
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "jqfloor: %s: %s\n", path, strerror(errno));
		jq_teardown(&jq);
		return 66;
	}

	p = jv_parser_new(0);
	while (!last && rc == 0) {
		n = fread(buf, 1, sizeof buf, f);
		last = n < sizeof buf;
		/* The parser borrows buf: drain it before the next fread. */
		jv_parser_set_buf(p, buf, (int)n, !last);
		while (jv_is_valid(v = jv_parser_next(p))) {
			values++;
			if (jq == NULL) {
				jv_free(v);
				continue;
			}
			jq_start(jq, v, 0);	/* consumes v */
			while (jv_is_valid(o = jq_next(jq))) {
				outputs++;
				jv_free(o);
			}
			if (jv_invalid_has_msg(jv_copy(o))) {
				fprintf(stderr, "jqfloor: %s: value %lu: filter "
					"error\n", path, values);
				rc = 65;
			}
			jv_free(o);
		}
		if (jv_invalid_has_msg(jv_copy(v))) {
			jv m = jv_invalid_get_msg(v);

			fprintf(stderr, "jqfloor: %s: %s\n", path,
				jv_string_value(m));
			jv_free(m);
			rc = 65;
		} else {
			jv_free(v);
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "jqfloor: %s: read error\n", path);
		rc = 74;
	}
	fclose(f);
	jv_parser_free(p);
	jq_teardown(&jq);

	if (filter)
		fprintf(stderr, "jqfloor: %lu values, %lu outputs\n", values,
			outputs);
	else
		fprintf(stderr, "jqfloor: %lu values\n", values);
	return rc;
}
