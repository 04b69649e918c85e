/*
 * parsefloor - what ft's own JSON parser alone costs on an NDJSON file: the
 * floor that ft-warn's stream is measured against (issue 13: "the NDJSON
 * parse floor").
 *
 * Usage: parsefloor FILE
 *
 * Reads FILE a line at a time (getline) and hands each non-empty line to
 * ft_json_parse() (lib/ft_json.c, linked from the build's libft.a), into
 * one document reused for every line, as the tools reuse theirs.  Nothing
 * else: no field is looked at, nothing is written.  The count of lines
 * parsed goes to standard error at the end ("parsefloor: N lines").
 *
 * Exit status: 0 done, 64 usage, 65 a line that is not JSON, 66 the file
 * cannot be opened, 74 a read error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "ft_json.h"

int
main(int argc, char **argv)
{
	struct ft_json_doc doc;
	unsigned long lines = 0;
	char *line = NULL;
	size_t cap = 0, errpos;
	const char *err;
	ssize_t n;
	int rc = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: parsefloor FILE\n");
		return 64;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "parsefloor: %s: %s\n", argv[1],
			strerror(errno));
		return 66;
	}
	ft_json_doc_init(&doc);
	while ((n = getline(&line, &cap, f)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (n == 0)
			continue;
		if (ft_json_parse(&doc, line, (size_t)n, &err, &errpos) != 0) {
			fprintf(stderr, "parsefloor: %s: line %lu: %s at byte "
				"%zu\n", argv[1], lines + 1, err, errpos);
			rc = 65;
			break;
		}
		lines++;
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "parsefloor: %s: %s\n", argv[1],
			strerror(errno));
		rc = 74;
	}
	free(line);
	ft_json_doc_release(&doc);
	fclose(f);
	fprintf(stderr, "parsefloor: %lu lines\n", lines);
	return rc;
}
