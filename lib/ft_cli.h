/*
 * ft_cli.h - what every tool's main() shares: the common options
 * (--db, --now, --tz, -q, --no-output, -h, --version), usage errors, and
 * the end of a run (ft_finish), which turns a late write error on stdout
 * into 74.
 */
#ifndef FT_CLI_H
#define FT_CLI_H

#include <getopt.h>

/* getopt_long values of the common long options without a short form. */
enum {
	FT_OPT_DB = 1000,
	FT_OPT_NOW,
	FT_OPT_TZ,
	FT_OPT_VERSION,
	FT_OPT_NO_OUTPUT,
	FT_OPT_TOOL		/* tools number their own from here */
};

/* The common options, to splice into a tool's table. */
#define FT_COMMON_OPTIONS						\
	{ "db", required_argument, NULL, FT_OPT_DB },			\
	{ "now", required_argument, NULL, FT_OPT_NOW },			\
	{ "tz", required_argument, NULL, FT_OPT_TZ },			\
	{ "quiet", no_argument, NULL, 'q' },				\
	{ "no-output", no_argument, NULL, FT_OPT_NO_OUTPUT },		\
	{ "help", no_argument, NULL, 'h' },				\
	{ "version", no_argument, NULL, FT_OPT_VERSION }

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
};

/* Sets the program name for messages and the stdio behaviour of a tool. */
void ft_cli_init(const char *progname);

/*
 * Handles a common option.  Returns 1 if c was one, 0 if not; --help and
 * --version print usage (the text given) or the version and set *exit_now.
 */
int ft_cli_common(int c, const char *arg, struct ft_common *cm,
		  const char *usage, int *exit_now);

/* Applies --tz and --now (or TZ and FT_NOW).  Returns an exit status. */
int ft_cli_apply(const struct ft_common *cm);

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

/*
 * Reports a failed write to standard output once (not a closed pipe, which
 * is an ordinary end); ft_finish() then returns 74.
 */
void ft_stdout_failed(int err);

/*
 * Ends a run: flushes standard output and returns status, or 74 if
 * writing failed (a reader that went away is not a failure).
 */
int ft_finish(int status);

#endif
