/*
 * time.c - lib's ft_time_parse_memo() against ft_time_parse(), for
 * tests/time.bats.
 *
 *   ft-time
 *	Reads times from standard input, one a line, and parses each with
 *	both, in order (the memo remembers the line before).  Prints, for
 *	each line, the instant ("T" and epoch seconds) or "ERR" and the
 *	reason; "DIFF" and exit status 1 when the two disagree.
 */
#include "ft_time.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int
main(void)
{
	struct ft_time_memo m;
	char line[256];
	int bad = 0;

	memset(&m, 0, sizeof(m));
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strcspn(line, "\n");
		const char *e1 = NULL, *e2 = NULL;
		int64_t t1 = 0, t2 = 0;
		int r1, r2;

		r1 = ft_time_parse(line, n, &t1, &e1);
		r2 = ft_time_parse_memo(&m, line, n, &t2, &e2);
		if (r1 != r2 || (!r1 && t1 != t2) ||
		    (r1 && strcmp(e1, e2))) {
			printf("DIFF %.*s: %d %lld %s / %d %lld %s\n", (int)n,
			       line, r1, (long long)t1, r1 ? e1 : "", r2,
			       (long long)t2, r2 ? e2 : "");
			bad = 1;
			continue;
		}
		if (r1)
			printf("ERR %s\n", e1);
		else
			printf("T %lld\n", (long long)t1);
	}
	return bad;
}
