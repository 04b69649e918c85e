/*
 * ft-report - reports over the stored data, for people and machines: the
 * events counted by period or by key, in a table, CSV, NDJSON or Markdown.
 * See ft-report(1).
 */
#include "ft_cli.h"
#include "ft_db.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_report.h"
#include "ft_report_site.h"
#include "ft_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The text as --help prints it, a line a line. */
/* clang-format off */
static const char usage[] =
"Usage: ft-report events [--since TIME] [--until TIME] [--by GROUP]\n"
"               [--compare] [--format FORMAT] [OPTION]...\n"
"       ft-report site [--since TIME] [--until TIME] [OPTION]... DIR\n"
"Report on the stored data.  events: the events reported in a range,\n"
"counted by local period (every period of the range, empty ones as 0) or by\n"
"category, source, unit, area (at any level) or facility.  site: the\n"
"public static site of the areas, votes and cases, written to DIR whole.\n"
"\n";

static const char tail[] =
"\n"
"TIME: an ISO 8601 time, a date (its local midnight), 90m, 24h, 7d, 2w\n"
"before now, or today, yesterday, this-week, last-week, this-month,\n"
"last-month (local; as --since alone, the whole period).\n"
"\n"
"Exit status: 0 done; 64 usage; 66 no database, or no such unit or area;\n"
"70 internal error; 74 I/O error; 75 database busy; 78 newer database.\n"
"See ft-report(1).\n";
/* clang-format on */

enum {
	OPT_SINCE = FT_OPT_TOOL,
	OPT_UNTIL,
	OPT_BY,
	OPT_AREA_LEVEL,
	OPT_FORMAT,
	OPT_COMPARE,
	OPT_CATEGORY,
	OPT_AREA,
	OPT_UNIT
};

enum verb {
	V_EVENTS,
	V_SITE,
	V_N
};

#define VB(v) (1u << (v))

static const struct ft_verb verbs[] = {
	{ "events", "the events counted by period or by key", "" },
	{ "site", "the public static site, written to a directory",
	  "directory=file" },
	{ NULL, NULL, NULL }
};

/* The reports of issue 14 not built yet. */
static const char *const not_yet[] = { "sla",	     "warnings", "facilities",
				       "collectors", "services", "vote",
				       NULL };

static const struct ft_opt opts[] = {
	{ OPT_SINCE, "since", "TIME",
	  "the events reported at TIME or later (default: 7d\nbefore --until)",
	  0, "text", "from this time (or 24h, 7d, yesterday...)", NULL, 0 },
	{ OPT_UNTIL, "until", "TIME",
	  "the events reported before TIME (default: now, or\nthe end of "
	  "the period --since names)",
	  0, "text", "before this time", NULL, 0 },
	{ OPT_BY, "by", "GROUP",
	  "hour, day (default), week, month: every local\nperiod of the "
	  "range; category, source, unit, area,\nfacility",
	  VB(V_EVENTS),
	  "words:hour day week month category source unit area facility",
	  "what the events are counted by", NULL, 0 },
	{ OPT_AREA_LEVEL, "area-level", "LEVEL",
	  "--by area: the area at this level (grid,\ncommunity, street, "
	  "district) above the event's own",
	  VB(V_EVENTS), "words:grid community street district",
	  "the level of the areas counted by", NULL, 0 },
	{ OPT_COMPARE, "compare", NULL,
	  "beside each count, the previous period's and the\nchange",
	  VB(V_EVENTS), NULL, NULL, NULL, 0 },
	{ OPT_CATEGORY, "category", "NAME", "only the events of category NAME",
	  VB(V_EVENTS), "text", NULL, NULL, 0 },
	{ OPT_AREA, "area", "UNIT",
	  "only the events in area UNIT or an area below it", VB(V_EVENTS),
	  "text", NULL, NULL, 0 },
	{ OPT_UNIT, "unit", "UNIT", "only the events dispatched to UNIT",
	  VB(V_EVENTS), "text", NULL, NULL, 0 },
	{ OPT_FORMAT, "format", "FORMAT",
	  "table (default), csv, ndjson, markdown or html", 0,
	  "words:table csv ndjson markdown html", "the output format", NULL,
	  0 },
	FT_OPTS_COMMON("the zone of the periods and of times without an\n"
		       "offset (default $TZ, else UTC)",
		       "print no summary on standard error", "report")
};

static const struct ft_tool tool = {
	"ft-report", usage, tail, opts, verbs, NULL
};

/*
 * The range of --since and --until into o: 64 after a message naming
 * the option.
 */
static int
range(const char *since, const char *until, struct ft_report_opts *o)
{
	int64_t sf = 0, st = 0, uf = 0, ut = 0;
	int sn = 0, un = 0;
	const char *err;
	char a[FT_TIME_LEN], b[FT_TIME_LEN];

	if (since && ft_report_time(since, &sf, &st, &sn, &err))
		return ft_usage_error("--since: %s: %s", ft_q(since), err);
	if (until && ft_report_time(until, &uf, &ut, &un, &err))
		return ft_usage_error("--until: %s: %s", ft_q(until), err);
	o->until = until ? (un ? ut : uf) : sn ? st : ft_time_now();
	o->since = since ? sf : o->until - 7 * 86400;
	if (o->since >= o->until) {
		ft_time_format(o->since, a);
		ft_time_format(o->until, b);
		return ft_usage_error("--since (%s) is not before --until (%s)",
				      a, b);
	}
	return FT_OK;
}

int
main(int argc, char **argv)
{
	struct ft_common cm = { 0 };
	struct ft_report_opts o;
	struct ft_db db = { 0 };
	const char *arg, *since = NULL, *until = NULL;
	struct ft_site_opts so = { NULL, 0, 0, 0, 0 };
	int c, exit_now = 0, st = FT_OK, v, i, format = 0;

	ft_cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	o.by = FT_BY_DAY;
	o.format = FT_FMT_TABLE;
	while ((c = ft_opt_next(&tool, argc, argv, &arg)) != -1) {
		if (c == -2)
			return FT_USAGE;
		if (ft_cli_common(c, arg, &cm, &tool, &exit_now)) {
			if (exit_now)
				return ft_finish(cm.exit_status);
			continue;
		}
		switch (c) {
		case OPT_SINCE:
			since = arg;
			break;
		case OPT_UNTIL:
			until = arg;
			break;
		case OPT_BY:
			if ((i = ft_report_by_find(arg)) < 0)
				return ft_usage_error(
					"--by: %s is not hour, day, week, "
					"month, category, source, unit, area "
					"or facility",
					ft_q(arg));
			o.by = (enum ft_report_by)i;
			break;
		case OPT_AREA_LEVEL:
			if (ft_report_level_find(arg) < 0)
				return ft_usage_error(
					"--area-level: %s is not grid, "
					"community, street or district",
					ft_q(arg));
			o.level = arg;
			break;
		case OPT_FORMAT:
			if ((i = ft_report_format_find(arg)) < 0)
				return ft_usage_error(
					"--format: %s is not table, csv, "
					"ndjson, markdown or html",
					ft_q(arg));
			o.format = (enum ft_report_format)i;
			format = 1;
			break;
		case OPT_COMPARE:
			o.compare = 1;
			break;
		case OPT_CATEGORY:
			o.category = arg;
			break;
		case OPT_AREA:
			o.area = arg;
			break;
		case OPT_UNIT:
			o.unit = arg;
			break;
		}
	}
	if (optind >= argc)
		return ft_usage_error("no report named: events, site");
	for (v = 0; v < V_N; v++)
		if (!strcmp(argv[optind], verbs[v].name))
			break;
	if (v == V_N) {
		for (i = 0; not_yet[i]; i++)
			if (!strcmp(argv[optind], not_yet[i]))
				return ft_usage_error(
					"%s: not built yet; the reports are: "
					"events, site",
					ft_q(argv[optind]));
		return ft_usage_error("unknown report %s; the reports are: "
				      "events, site",
				      ft_q(argv[optind]));
	}
	optind++;
	if (ft_opt_verb_check(&tool, v))
		return FT_USAGE;
	if (v == V_SITE) {
		if (format)
			return ft_usage_error("site: --format does not apply "
					      "(the site is HTML)");
		if (optind >= argc)
			return ft_usage_error("site: no directory named");
		so.dir = argv[optind++];
		if (!*so.dir)
			return ft_usage_error("site: an empty directory name");
	}
	if (optind < argc)
		return ft_usage_error("%s: unexpected argument %s",
				      verbs[v].name, ft_q(argv[optind]));
	if (o.level && o.by != FT_BY_AREA)
		return ft_usage_error("--area-level needs --by area");
	if ((st = ft_cli_apply(&cm)))
		goto out;
	/* The site shows the last 30 days unless told. */
	if (v == V_SITE && !since)
		since = "30d";
	if ((st = range(since, until, &o)))
		goto out;
	o.no_output = cm.no_output;
	if ((st = ft_db_open(&db, ft_cli_db(&cm), FT_DB_READONLY)))
		goto out;
	if (v == V_SITE) {
		so.since = o.since;
		so.until = o.until;
		so.quiet = cm.quiet;
		so.no_output = cm.no_output;
		st = ft_report_site(&db, &so);
	} else {
		st = ft_report_events(&db, &o);
	}
out:
	ft_db_close(&db);
	return ft_finish(st);
}
