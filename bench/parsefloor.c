/*
 * parsefloor - what ft's own JSON parser alone costs on an NDJSON file: the
 * floor that ft-warn's stream is measured against (issue 13: "the NDJSON
 * parse floor").
 *
 * Usage: parsefloor FILE
 *
 * Reads FILE with read(2) in chunks of 256 KiB, as lib/ft_input.c does,
 * finds each line in place (memchr) and hands every non-blank one to
 * ft_json_parse() (lib/ft_json.c, linked from the build's libft.a), into
 * one document reused for every line, as the tools reuse theirs.  Nothing
 * else: no field is looked at, nothing is written.  (A first version read
 * with getline(3): its copy of each line and stdio's 4 KiB reads made it
 * slower than ft-warn with one rule, so no floor.)  The count of lines
 * parsed goes to standard error at the end ("parsefloor: N lines").
 *
 * Exit status: 0 done, 64 usage, 65 a line that is not JSON, 66 the file
 * cannot be opened, 74 a read error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ft_json.h"

#define CHUNK (256 * 1024)

int
main(int argc, char **argv)
{
	struct ft_json_doc doc;
	unsigned long lines = 0;
	char *buf = NULL, *p, *q, *nl, *end, *grown;
	size_t cap = 0, len = 0, off, n, errpos;
	const char *err;
	ssize_t got;
	int fd, eof = 0, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: parsefloor FILE\n");
		return 64;
	}
	if ((fd = open(argv[1], O_RDONLY)) < 0) {
		fprintf(stderr, "parsefloor: %s: %s\n", argv[1],
			strerror(errno));
		return 66;
	}
	ft_json_doc_init(&doc);
	while (!eof && rc == 0) {
		if (cap - len < CHUNK) {
			cap = cap ? 2 * cap : 4 * CHUNK;
			if ((grown = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "parsefloor: out of memory\n");
				rc = 70;
				break;
			}
			buf = grown;
		}
		do
			got = read(fd, buf + len, CHUNK);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			fprintf(stderr, "parsefloor: %s: %s\n", argv[1],
				strerror(errno));
			rc = 74;
			break;
		}
		eof = got == 0;
		len += (size_t)got;
		/* Every whole line, and at the end the last one without \n;
		 * a blank line is not a record, as in lib/ft_input.c. */
		for (off = 0; off < len; off = (size_t)(end - buf) + 1) {
			p = buf + off;
			nl = memchr(p, '\n', len - off);
			if (nl == NULL && !eof)
				break;
			end = nl ? nl : buf + len;
			for (q = p; q < end && (*q == ' ' || *q == '\t' ||
						*q == '\r'); q++)
				;
			if (q == end)
				continue;
			n = (size_t)(end - p);
			if (p[n - 1] == '\r')
				n--;
			if (ft_json_parse(&doc, p, n, &err, &errpos) != 0) {
				fprintf(stderr, "parsefloor: %s: line %lu: %s "
					"at byte %zu\n", argv[1], lines + 1,
					err, errpos);
				rc = 65;
				break;
			}
			lines++;
		}
		if (off >= len)
			len = 0;
		else {
			memmove(buf, buf + off, len - off);
			len -= off;
		}
	}
	free(buf);
	ft_json_doc_release(&doc);
	close(fd);
	fprintf(stderr, "parsefloor: %lu lines\n", lines);
	return rc;
}
