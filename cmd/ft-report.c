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
#include "ft_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The text as --help prints it, a line a line. */
/* clang-format off */
static const char usage[] =
"Usage: ft-report events [--since TIME] [--until TIME] [--by GROUP]\n"
"               [--compare] [--format FORMAT] [OPTION]...\n"
"       ft-report sla|warnings [--since TIME] [--until TIME] [--by GROUP]\n"
"               [--min-group N] [--format FORMAT] [OPTION]...\n"
"Report on the stored data.  events: the events reported in a range,\n"
"counted by local period (every period of the range, empty ones as 0) or by\n"
"category, source, unit, area (at any level) or facility.  sla: the cases'\n"
"times to accept and resolve against their deadlines, by unit, category or\n"
"area.  warnings: ft-warn's warnings and how fast they were answered, by\n"
"level, rule or key.\n"
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
	OPT_UNIT,
	OPT_MIN_GROUP,
	OPT_MAJOR
};

enum verb {
	V_EVENTS,
	V_SLA,
	V_WARNINGS,
	V_N
};

#define VB(v) (1u << (v))

static const struct ft_verb verbs[] = {
	{ "events", "the events counted by period or by key", "" },
	{ "sla", "times to accept and resolve, against deadlines", "" },
	{ "warnings", "warnings and how fast they were answered", "" },
	{ NULL, NULL, NULL }
};

/* The reports of issue 14 not built yet. */
static const char *const not_yet[] = { "facilities", "collectors", "services",
				       "vote",	     "site",	   NULL };

static const struct ft_opt opts[] = {
	{ OPT_SINCE, "since", "TIME",
	  "the events reported at TIME or later (default: 7d\nbefore --until)",
	  0, "text", "from this time (or 24h, 7d, yesterday...)", NULL, 0 },
	{ OPT_UNTIL, "until", "TIME",
	  "the events reported before TIME (default: now, or\nthe end of "
	  "the period --since names)",
	  0, "text", "before this time", NULL, 0 },
	{ OPT_BY, "by", "GROUP",
	  "events: hour, day (default), week, month: every\nlocal period of "
	  "the range; category, source, unit,\narea, facility; sla: unit "
	  "(default), category,\narea; warnings: level (default), rule, key",
	  VB(V_EVENTS) | VB(V_SLA) | VB(V_WARNINGS),
	  "words:hour day week month category source unit area facility "
	  "level rule key",
	  "what the events are counted by", NULL, 0 },
	{ OPT_AREA_LEVEL, "area-level", "LEVEL",
	  "--by area: the area at this level (grid,\ncommunity, street, "
	  "district) above the event's own",
	  VB(V_EVENTS) | VB(V_SLA), "words:grid community street district",
	  "the level of the areas counted by", NULL, 0 },
	{ OPT_COMPARE, "compare", NULL,
	  "beside each count, the previous period's and the\nchange",
	  VB(V_EVENTS), NULL, NULL, NULL, 0 },
	{ OPT_CATEGORY, "category", "NAME", "only the events of category NAME",
	  VB(V_EVENTS) | VB(V_SLA) | VB(V_WARNINGS), "text", NULL, NULL, 0 },
	{ OPT_AREA, "area", "UNIT",
	  "only the events in area UNIT or an area below it",
	  VB(V_EVENTS) | VB(V_SLA) | VB(V_WARNINGS), "text", NULL, NULL, 0 },
	{ OPT_UNIT, "unit", "UNIT", "only the events dispatched to UNIT",
	  VB(V_EVENTS) | VB(V_SLA) | VB(V_WARNINGS), "text", NULL, NULL, 0 },
	{ OPT_MIN_GROUP, "min-group", "N",
	  "sla, warnings: a group of fewer than N cases or\nwarnings is "
	  "marked small, not ranked (default\n10)",
	  VB(V_SLA) | VB(V_WARNINGS), "text",
	  "the least cases of a group ranked", NULL, 0 },
	{ OPT_MAJOR, "major", NULL, "warnings: the major warnings only",
	  VB(V_WARNINGS), NULL, NULL, NULL, 0 },
	{ OPT_FORMAT, "format", "FORMAT",
	  "table (default), csv, ndjson or markdown", 0,
	  "words:table csv ndjson markdown", "the output format", NULL, 0 },
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

/* --by's group for report v into o (NULL: the report's default). */
static int
by_arg(int v, const char *by, struct ft_report_opts *o)
{
	int i;

	if (v == V_WARNINGS) {
		if (by && (o->wby = ft_report_warn_by_find(by)) < 0)
			return ft_usage_error("--by: %s is not level, rule or "
					      "key (warnings)",
					      ft_q(by));
		return FT_OK;
	}
	if (v == V_SLA) {
		o->by = FT_BY_UNIT;
		if (by && (i = ft_report_by_find(by)) != FT_BY_UNIT &&
		    i != FT_BY_CATEGORY && i != FT_BY_AREA)
			return ft_usage_error("--by: %s is not unit, category "
					      "or area (sla)",
					      ft_q(by));
	} else if (by && (i = ft_report_by_find(by)) < 0) {
		return ft_usage_error("--by: %s is not hour, day, week, "
				      "month, category, source, unit, area "
				      "or facility",
				      ft_q(by));
	}
	if (by)
		o->by = (enum ft_report_by)i;
	return FT_OK;
}

int
main(int argc, char **argv)
{
	struct ft_common cm = { 0 };
	struct ft_report_opts o;
	struct ft_db db = { 0 };
	const char *arg, *since = NULL, *until = NULL, *by = NULL;
	int c, exit_now = 0, st = FT_OK, v, i;
	char *end;

	ft_cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	o.by = FT_BY_DAY;
	o.format = FT_FMT_TABLE;
	o.min_group = 10;
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
			by = arg;
			break;
		case OPT_MIN_GROUP:
			errno = 0;
			o.min_group = strtol(arg, &end, 10);
			if (errno || end == arg || *end || o.min_group < 1 ||
			    o.min_group > 1000000000L)
				return ft_usage_error(
					"--min-group: %s is not a whole "
					"number from 1 to 1000000000",
					ft_q(arg));
			break;
		case OPT_MAJOR:
			o.major = 1;
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
					"ndjson or markdown",
					ft_q(arg));
			o.format = (enum ft_report_format)i;
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
		return ft_usage_error("no report named: events, sla, warnings");
	for (v = 0; v < V_N; v++)
		if (!strcmp(argv[optind], verbs[v].name))
			break;
	if (v == V_N) {
		for (i = 0; not_yet[i]; i++)
			if (!strcmp(argv[optind], not_yet[i]))
				return ft_usage_error(
					"%s: not built yet; the reports are: "
					"events, sla, warnings",
					ft_q(argv[optind]));
		return ft_usage_error("unknown report %s; the reports are: "
				      "events, sla, warnings",
				      ft_q(argv[optind]));
	}
	optind++;
	if (ft_opt_verb_check(&tool, v))
		return FT_USAGE;
	if (optind < argc)
		return ft_usage_error("%s: unexpected argument %s",
				      verbs[v].name, ft_q(argv[optind]));
	if ((st = by_arg(v, by, &o)))
		return st;
	if (o.level && o.by != FT_BY_AREA)
		return ft_usage_error("--area-level needs --by area");
	if ((st = ft_cli_apply(&cm)))
		goto out;
	if ((st = range(since, until, &o)))
		goto out;
	o.no_output = cm.no_output;
	if ((st = ft_db_open(&db, ft_cli_db(&cm), FT_DB_READONLY)))
		goto out;
	st = v == V_SLA	     ? ft_report_sla(&db, &o) :
	     v == V_WARNINGS ? ft_report_warnings(&db, &o) :
			       ft_report_events(&db, &o);
out:
	ft_db_close(&db);
	return ft_finish(st);
}
