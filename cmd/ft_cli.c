#include "ft_cli.h"
#include "ft_err.h"
#include "ft_db.h"
#include "ft_exit.h"
#include "ft_hist.h"
#include "ft_hold.h"
#include "ft_jq.h"
#include "ft_time.h"
#include "ft_version.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ft_cli_init(const char *progname)
{
	const char *slash = strrchr(progname, '/');

	ft_progname = slash ? slash + 1 : progname;
	/*
	 * A closed pipe is an ordinary end (ft-report ... | head -1), and a
	 * shell would read a SIGPIPE death as status 141: take EPIPE as an
	 * error return instead and end quietly.
	 */
	signal(SIGPIPE, SIG_IGN);
}

int
ft_cli_common(int c, const char *arg, struct ft_common *cm,
	      const struct ft_tool *t, int *exit_now)
{
	switch (c) {
	case FT_OPT_DB:
		cm->db = arg;
		return 1;
	case FT_OPT_NOW:
		cm->now = arg;
		return 1;
	case FT_OPT_TZ:
		cm->tz = arg;
		return 1;
	case 'q':
		cm->quiet = 1;
		return 1;
	case FT_OPT_NO_OUTPUT:
		cm->no_output = 1;
		return 1;
	case 'h':
		ft_opt_help(t);
		*exit_now = 1;
		return 1;
	case FT_OPT_COMPLETION:
		cm->exit_status = ft_opt_completion(t, arg);
		*exit_now = 1;
		return 1;
	case FT_OPT_VERSION:
		printf("%s (ft) %s\n", ft_progname, FT_VERSION);
		*exit_now = 1;
		return 1;
	}
	return 0;
}

/*
 * A bound from the environment: a decimal number from 0 (no bound) to max;
 * 1 when name is not set, 0 when it is, -1 (said) when it is not such.
 */
static int
env_bound(const char *name, double max, double *v)
{
	const char *s = getenv(name);
	char *end;

	if (!s)
		return 1;
	errno = 0;
	*v = strtod(s, &end);
	if (!*s || *end || errno || !(*v >= 0 && *v <= max)) {
		ft_error("%s: not a number from 0 to %.0f: %s", name, max,
			 ft_q(s));
		return -1;
	}
	return 0;
}

/* The bounds on jq filters' work per record (ft_jq.h). */
static int
jq_bounds(void)
{
	double secs = FT_JQ_SECONDS, mib = FT_JQ_MEGABYTES;
	int a, b;

	if ((a = env_bound("FT_JQ_TIME", 86400, &secs)) < 0 ||
	    (b = env_bound("FT_JQ_MEMORY", 1 << 20, &mib)) < 0)
		return FT_CONFIG;
	if (a == 0 || b == 0)
		ft_jq_limits(secs, (long long)(mib * 1048576));
	return FT_OK;
}

const char *
ft_cli_env(const char *name)
{
	const char *s = getenv(name);

	return s && *s ? s : NULL;
}

const char *
ft_cli_db(const struct ft_common *cm)
{
	const char *env = ft_cli_env("FT_DB");

	if (cm->db && *cm->db)
		return cm->db;
	return env ? env : "ft.db";
}

int
ft_cli_apply(const struct ft_common *cm)
{
	const char *err, *now = cm->now ? cm->now : ft_cli_env("FT_NOW");
	double ms = 60000;

	if (jq_bounds() || env_bound("FT_BUSY_TIMEOUT", 86400000, &ms) < 0)
		return FT_CONFIG;
	ft_db_set_busy_timeout((int)ms);
	ft_hist_set_user(ft_cli_env("FT_USER"));
	ft_hold_set_dir(ft_cli_env("TMPDIR"));
	ft_time_env(ft_cli_env("TZ"), ft_cli_env("TZDIR"));
	if (ft_time_set_zone(cm->tz)) {
		if (cm->tz)
			return ft_usage_error("--tz: unknown time zone %s",
					      ft_q(cm->tz));
		ft_error("TZ: unknown time zone %s", ft_q(getenv("TZ")));
		return FT_CONFIG;
	}
	if (ft_time_set_now(now, &err)) {
		ft_error("%s: not a time: %s (%s)",
			 cm->now ? "--now" : "FT_NOW", ft_q(now), err);
		return FT_USAGE;
	}
	return FT_OK;
}

int
ft_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ft_errorv(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", ft_progname);
	return FT_USAGE;
}

int
ft_cli_bad_option(int c, char **argv)
{
	if (c == ':')
		return ft_usage_error("option '%s' needs a value",
				      argv[optind - 1]);
	if (optopt)
		return ft_usage_error("unknown option '-%c'", optopt);
	return ft_usage_error("unknown option '%s'", argv[optind - 1]);
}

int
ft_cli_number(const char *name, const char *arg, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || *v < min || *v > max)
		return ft_usage_error("%s: %s is not a number from %ld "
				      "to %ld",
				      name, ft_q(arg), min, max);
	return 0;
}

int
ft_cli_each_file(char **files, int n, int (*fn)(void *, const char *),
		 void *ctx)
{
	int i, st = FT_OK, fst;

	if (n == 0)
		return fn(ctx, "-");
	for (i = 0; i < n; i++) {
		fst = fn(ctx, files[i]);
		st = ft_exit_worst(st, fst);
		if (fst == FT_TEMPFAIL || fst == FT_IOERR || fst == FT_SOFTWARE)
			break;
	}
	return st;
}
