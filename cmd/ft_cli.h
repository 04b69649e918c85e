/*
 * ft_cli.h - what every tool's main() shares, and main() alone: the
 * common options (--db, --now, --tz, -q, --no-output, -h, --version), the
 * environment, and usage errors.  It is in cmd/, not lib/: the library
 * reads no environment variable and prints no usage; main() turns argv and
 * the environment into checked settings before any file is opened.  The
 * end of a run (ft_finish) is in ft_err.h.
 */
#ifndef FT_CLI_H
#define FT_CLI_H

#include "ft_opt.h"

struct ft_common {
	const char *db;
	const char *now;
	const char *tz;
	/*
	 * Two switches, apart: -q drops the summary and the progress line on
	 * standard error (errors and rejects are still reported), so that
	 * "ft-ingest -q | ft-dispatch -q" stays a pipeline; --no-output drops
	 * the records on standard output, for a stream nobody reads.
	 */
	int quiet;
	int no_output;
	int exit_status; /* once ft_cli_common() says to exit */
};

/* Sets the program name for messages and the stdio behaviour of a tool. */
void ft_cli_init(const char *progname);

/*
 * Handles a common option of tool t.  Returns 1 if c was one, 0 if not;
 * --help, --version and --ft-completion print and set *exit_now, and the
 * status to exit with in cm->exit_status.
 */
int ft_cli_common(int c, const char *arg, struct ft_common *cm,
		  const struct ft_tool *t, int *exit_now);

/*
 * Applies --tz and --now and the environment the library is told of: TZ,
 * TZDIR, FT_NOW, FT_USER, TMPDIR, FT_BUSY_TIMEOUT, FT_JQ_TIME and
 * FT_JQ_MEMORY (a bad number is 78).  Returns an exit status.
 */
int ft_cli_apply(const struct ft_common *cm);

/* The environment variable name, or NULL when it is not set or empty. */
const char *ft_cli_env(const char *name);

/* The database: --db, else $FT_DB, else ./ft.db.  Borrowed. */
const char *ft_cli_db(const struct ft_common *cm);

/*
 * The usage error for what getopt_long() returned for a bad option: ':'
 * (a value missing) or '?' (unknown).  Returns FT_USAGE.
 */
int ft_cli_bad_option(int c, char **argv);

/*
 * Reads the value of option name as an integer from min to max into *v.
 * Returns 0, or FT_USAGE after a message.
 */
int ft_cli_number(const char *name, const char *arg, long min, long max,
		  long *v);

/*
 * Runs fn(ctx, path) on each of files[0..n), or on "-" (standard input)
 * when n is 0, and returns the worst status.  A busy or broken database
 * (75, 74, 70) stops the run: the files after it would fail the same way.
 */
int ft_cli_each_file(char **files, int n, int (*fn)(void *, const char *),
		     void *ctx);

/* Prints "tool: msg" and the pointer to --help; returns FT_USAGE. */
int ft_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
