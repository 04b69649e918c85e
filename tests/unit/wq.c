/*
 * wq.c - lib's ft_wq (a run's writer thread) from the command line, for
 * tests/wq.bats.
 *
 *   ft-wq
 *	Reads commands from standard input, one a line, and gives each to
 *	the writer as a job, in order:
 *	  job TEXT	the writer notes TEXT
 *	  big N		a job of N bytes, each (i % 251); the writer notes
 *			"big N" if every byte is as it was, else "big N bad"
 *	  fail S	the writer notes "fail S" and the job fails with S
 *	  strs A B ...	the strings (- for NULL, = for the empty string)
 *			copied by ft_wq_add_strs() after 8 bytes of their
 *			count; the writer notes each as it gets it back:
 *			[TEXT] and its length, or NULL
 *	  sync		waits for the writer (ft_wq_sync()), then prints
 *			what it noted since the last sync and "sync S"
 *	At the end, a sync as above, then ft_wq_stop().  The notes are
 *	the writer's until a sync returns, then the caller's: they are
 *	printed only after one.
 */
#include "ft_buf.h"
#include "ft_exit.h"
#include "ft_wq.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ft_buf notes; /* the writer's, between syncs */

static int
note_job(void *ctx, void *job)
{
	(void)ctx;
	ft_buf_adds(&notes, job);
	ft_buf_addc(&notes, '\n');
	return FT_OK;
}

static int
big_job(void *ctx, void *job)
{
	const unsigned char *p = job;
	size_t n, i;
	char line[64];

	(void)ctx;
	memcpy(&n, p, sizeof(n));
	for (i = 0; i < n; i++)
		if (p[sizeof(n) + i] != i % 251)
			break;
	snprintf(line, sizeof(line), "big %zu%s\n", n, i < n ? " bad" : "");
	ft_buf_adds(&notes, line);
	return FT_OK;
}

static int
fail_job(void *ctx, void *job)
{
	int s;
	char line[32];

	(void)ctx;
	memcpy(&s, job, sizeof(s));
	snprintf(line, sizeof(line), "fail %d\n", s);
	ft_buf_adds(&notes, line);
	return s;
}

static int
strs_job(void *ctx, void *job)
{
	const char *s[FT_WQ_STRS];
	size_t len[FT_WQ_STRS], n, i;
	char num[32];

	(void)ctx;
	memcpy(&n, job, sizeof(n));
	ft_wq_strs(job, sizeof(n), s, len, (int)n);
	for (i = 0; i < n; i++) {
		if (i)
			ft_buf_addc(&notes, ' ');
		if (!s[i]) {
			ft_buf_adds(&notes, "NULL");
			continue;
		}
		ft_buf_addc(&notes, '[');
		ft_buf_adds(&notes, s[i]);
		snprintf(num, sizeof(num), "]%zu", len[i]);
		ft_buf_adds(&notes, num);
	}
	ft_buf_addc(&notes, '\n');
	return FT_OK;
}

static void
sync_and_print(struct ft_wq *q)
{
	int st = ft_wq_sync(q);

	fwrite(notes.s, 1, notes.len, stdout);
	ft_buf_reset(&notes);
	printf("sync %d\n", st);
}

int
main(void)
{
	struct ft_wq *q = ft_wq_start();
	char line[4096];

	if (!q) {
		fprintf(stderr, "ft-wq: no writer thread\n");
		return FT_SOFTWARE;
	}
	ft_buf_init(&notes);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "job ", 4)) {
			memcpy(ft_wq_add(q, note_job, NULL, strlen(line + 4) + 1),
			       line + 4, strlen(line + 4) + 1);
		} else if (!strncmp(line, "big ", 4)) {
			size_t n = strtoul(line + 4, NULL, 10), i;
			unsigned char *p = ft_wq_add(q, big_job, NULL,
						     sizeof(n) + n);

			memcpy(p, &n, sizeof(n));
			for (i = 0; i < n; i++)
				p[sizeof(n) + i] = (unsigned char)(i % 251);
		} else if (!strncmp(line, "fail ", 5)) {
			int s = atoi(line + 5);

			memcpy(ft_wq_add(q, fail_job, NULL, sizeof(s)), &s,
			       sizeof(s));
		} else if (!strncmp(line, "strs", 4)) {
			const char *s[FT_WQ_STRS];
			char *w, *save = NULL;
			size_t n = 0;

			for (w = strtok_r(line + 4, " ", &save);
			     w && n < FT_WQ_STRS;
			     w = strtok_r(NULL, " ", &save))
				s[n++] = !strcmp(w, "-") ? NULL :
					 !strcmp(w, "=") ? "" :
							   w;
			memcpy(ft_wq_add_strs(q, strs_job, NULL, sizeof(n), s,
					      NULL, (int)n),
			       &n, sizeof(n));
		} else if (!strcmp(line, "sync")) {
			sync_and_print(q);
		} else {
			fprintf(stderr, "ft-wq: %s: no such command\n", line);
			ft_wq_stop(q);
			return FT_USAGE;
		}
	}
	sync_and_print(q);
	ft_wq_stop(q);
	ft_buf_release(&notes);
	return FT_OK;
}
