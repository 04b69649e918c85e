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
#include "ft_report_more.h"
#include "ft_report_site.h"
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
"       ft-report facilities|collectors|services [--since TIME]\n"
"               [--until TIME] [--min-group N] [OPTION]...\n"
"       ft-report vote ROUND [--part PART] [--rule RULE] [OPTION]...\n"
"       ft-report site [--since TIME] [--until TIME] [OPTION]... DIR\n"
"Report on the stored data.  events: the events reported in a range,\n"
"counted by local period (every period of the range, empty ones as 0) or by\n"
"category, source, unit, area (at any level) or facility.  sla: the cases'\n"
"times to accept and resolve against their deadlines, by unit, category or\n"
"area.  warnings: ft-warn's warnings and how fast they were answered, by\n"
"level, rule or key.  facilities: the most reported facilities, and how\n"
"often they came back after a fix.  collectors: patrol reports per\n"
"collector (a pseudonym) or firm.  services: requests at proxy points per\n"
"service.  vote: a round's stored count.  site: the public static site of\n"
"the areas, votes and cases, written to DIR whole.\n"
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
	OPT_MAJOR,
	OPT_BACK_DAYS,
	OPT_PER,
	OPT_PART,
	OPT_RULE,
	OPT_AS_OF
};

enum verb {
	V_EVENTS,
	V_SLA,
	V_WARNINGS,
	V_FACILITIES,
	V_COLLECTORS,
	V_SERVICES,
	V_VOTE,
	V_SITE,
	V_N
};

#define VB(v) (1u << (v))
/* The reports of groups ranked, and those with the filters. */
#define VB_RANKED \
	(VB(V_SLA) | VB(V_WARNINGS) | VB(V_FACILITIES) | VB(V_COLLECTORS) | \
	 VB(V_SERVICES))
#define VB_FILTERED (VB(V_EVENTS) | VB_RANKED | VB(V_VOTE))
/* The reports of a range (vote: a round's whole), and those of a format
 * (the site is HTML). */
#define VB_RANGED (VB(V_EVENTS) | VB_RANKED | VB(V_SITE))
#define VB_FORMATTED (VB(V_EVENTS) | VB_RANKED | VB(V_VOTE))

static const struct ft_verb verbs[] = {
	{ "events", "the events counted by period or by key", "" },
	{ "sla", "times to accept and resolve, against deadlines", "" },
	{ "warnings", "warnings and how fast they were answered", "" },
	{ "facilities", "the most reported facilities, and their returns", "" },
	{ "collectors", "patrol reports per collector or firm", "" },
	{ "services", "service requests per proxy point and service", "" },
	{ "vote", "a round's stored count, ballots, rules", "round" },
	{ "site", "the public static site, written to a directory",
	  "directory=file" },
	{ NULL, NULL, NULL }
};

/* The reports of issue 14 not built yet. */
static const char *const not_yet[] = { NULL };

static const struct ft_opt opts[] = {
	{ OPT_SINCE, "since", "TIME",
	  "the events reported at TIME or later (default: 7d\nbefore --until)",
	  VB_RANGED, "text", "from this time (or 24h, 7d, yesterday...)", NULL,
	  0 },
	{ OPT_UNTIL, "until", "TIME",
	  "the events reported before TIME (default: now, or\nthe end of "
	  "the period --since names)",
	  VB_RANGED, "text", "before this time", NULL, 0 },
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
	  "district) above the event's own\n(vote --part turnout: the areas "
	  "of this level)",
	  VB(V_EVENTS) | VB(V_SLA) | VB(V_VOTE),
	  "words:grid community street district",
	  "the level of the areas counted by", NULL, 0 },
	{ OPT_AS_OF, "as-of", "TIME",
	  "the report as it stood at TIME, rebuilt from the\nhistory "
	  "(relative times and the range's end from\nTIME)",
	  VB(V_EVENTS) | VB_RANKED | VB(V_VOTE), "text", NULL, NULL, 0 },
	{ OPT_COMPARE, "compare", NULL,
	  "beside each count, the previous period's and the\nchange",
	  VB(V_EVENTS), NULL, NULL, NULL, 0 },
	{ OPT_CATEGORY, "category", "NAME",
	  "only the events (vote: projects) of category NAME", VB_FILTERED,
	  "text", NULL, NULL, 0 },
	{ OPT_AREA, "area", "UNIT",
	  "only the events in area UNIT or an area below it\n(vote: the "
	  "projects of those units; --part\nturnout: those areas)",
	  VB_FILTERED, "text", NULL, NULL, 0 },
	{ OPT_UNIT, "unit", "UNIT",
	  "only the events dispatched to UNIT (vote: the\nprojects of UNIT)",
	  VB_FILTERED, "text", NULL, NULL, 0 },
	{ OPT_MIN_GROUP, "min-group", "N",
	  "a group of fewer than N (default 10 cases for sla\nand warnings, "
	  "5 for the others) is too small to\ncompare: marked, not ranked "
	  "(events: when\ngiven, by a key)",
	  VB_RANKED | VB(V_VOTE) | VB(V_EVENTS) | VB(V_SITE), "text", NULL,
	  NULL, 0 },
	{ OPT_MAJOR, "major", NULL, "warnings: the major warnings only",
	  VB(V_WARNINGS), NULL, NULL, NULL, 0 },
	{ OPT_BACK_DAYS, "back-days", "N",
	  "facilities: a report within N days (default 30)\nafter a fix "
	  "is a return",
	  VB(V_FACILITIES), "text", NULL, NULL, 0 },
	{ OPT_PER, "per", "WHAT", "collectors: per collector (default) or firm",
	  VB(V_COLLECTORS), "words:collector firm", NULL, NULL, 0 },
	{ OPT_PART, "part", "PART",
	  "vote: result (default), summary, channel, area,\nrules, turnout "
	  "or progress",
	  VB(V_VOTE),
	  "words:result summary channel area rules turnout progress", NULL,
	  NULL, 0 },
	{ OPT_RULE, "rule", "RULE",
	  "vote: the stored count of this rule (default: the\nround's)",
	  VB(V_VOTE), "text", NULL, NULL, 0 },
	{ OPT_FORMAT, "format", "FORMAT",
	  "table (default), csv, ndjson, markdown or html", VB_FORMATTED,
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

/*
 * --as-of into o, and the current time set to it, so that the range is
 * read from then: 64 after a message if it cannot be read.
 */
static int
set_as_of(const char *arg, struct ft_report_opts *o)
{
	int64_t from, to;
	int named;
	const char *err;
	char t[FT_TIME_LEN];

	if (ft_report_time(arg, &from, &to, &named, &err))
		return ft_usage_error("--as-of: %s: %s", ft_q(arg), err);
	/* A period named: as it stood at its end. */
	o->as_of = named ? to - 1 : from;
	o->as_of_set = 1;
	ft_time_format(o->as_of, t);
	if (ft_time_set_now(t, &err))
		return ft_usage_error("--as-of: %s: %s", ft_q(arg), err);
	return FT_OK;
}

/* The reports, for the messages. */
#define REPORTS \
	"events, sla, warnings, facilities, collectors, services, vote, site"

/* A number from lo to hi into *n: 64 after a message naming opt if not. */
static int
number(const char *opt, const char *arg, int64_t lo, int64_t hi, int64_t *n)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '+' || *arg == ' ' ||
	    x < lo || x > hi)
		return ft_usage_error("--%s: %s is not a whole number from "
				      "%lld to %lld",
				      opt, ft_q(arg), (long long)lo,
				      (long long)hi);
	*n = (int64_t)x;
	return FT_OK;
}

/* The options of the reports of groups and of vote into m. */
static int
more_opt(int c, const char *arg, struct ft_report_more *m)
{
	int i;

	switch (c) {
	case OPT_MIN_GROUP:
		return number("min-group", arg, 0, 1000000000, &m->min_group);
	case OPT_BACK_DAYS:
		return number("back-days", arg, 1, 3650, &m->back_days);
	case OPT_PER:
		if (strcmp(arg, "collector") && strcmp(arg, "firm"))
			return ft_usage_error("--per: %s is not collector or "
					      "firm",
					      ft_q(arg));
		m->per = *arg == 'f' ? FT_PER_FIRM : FT_PER_COLLECTOR;
		return FT_OK;
	case OPT_PART:
		for (i = 0; i < FT_PART_N; i++)
			if (!strcmp(arg, ft_report_part_names[i]))
				break;
		if (i == FT_PART_N)
			return ft_usage_error("--part: %s is not result, "
					      "summary, channel, area, rules, "
					      "turnout or progress",
					      ft_q(arg));
		m->part = (enum ft_report_part)i;
		return FT_OK;
	case OPT_RULE:
		m->rule = arg;
		return FT_OK;
	}
	return FT_OK;
}

/*
 * The filters of vote against its part: 64 after a message naming the
 * part for one that does not apply.  The projects' filters (--category,
 * --unit, --area) apply to the parts of projects; turnout's rows are
 * areas (--area, --area-level); channel's and area's are ballots.
 */
static int
vote_filters(const struct ft_report_opts *o, const struct ft_report_more *m)
{
	const char *opt = NULL;
	int turnout = m->part == FT_PART_TURNOUT,
	    ballots = m->part == FT_PART_CHANNEL || m->part == FT_PART_AREA;

	if (o->category && (turnout || ballots))
		opt = "category";
	else if (o->unit && (turnout || ballots))
		opt = "unit";
	else if (o->area && ballots)
		opt = "area";
	else if (o->level && !turnout)
		opt = "area-level";
	if (opt)
		return ft_usage_error("vote: --%s does not apply to --part %s",
				      opt, ft_report_part_names[m->part]);
	return FT_OK;
}

/* Runs report v on db. */
static int
run(int v, struct ft_db *db, const struct ft_report_opts *o,
    const struct ft_report_more *m)
{
	switch (v) {
	case V_SLA:
		return ft_report_sla(db, o);
	case V_WARNINGS:
		return ft_report_warnings(db, o);
	case V_FACILITIES:
		return ft_report_facilities(db, m);
	case V_COLLECTORS:
		return ft_report_collectors(db, m);
	case V_SERVICES:
		return ft_report_services(db, m);
	case V_VOTE:
		return ft_report_vote(db, m);
	default:
		return ft_report_events(db, o);
	}
}

int
main(int argc, char **argv)
{
	struct ft_common cm = { 0 };
	struct ft_report_opts o;
	struct ft_db db = { 0 };
	struct ft_report_more m;
	const char *arg, *since = NULL, *until = NULL, *by = NULL,
			 *as_of = NULL;
	struct ft_site_opts so = { NULL, 0, 0, 0, 0, 0 };
	int c, exit_now = 0, st = FT_OK, v, i, format = 0;

	ft_cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	o.by = FT_BY_DAY;
	o.format = FT_FMT_TABLE;
	memset(&m, 0, sizeof(m));
	m.o = &o;
	m.min_group = -1; /* the report's default, once it is known */
	m.back_days = FT_REPORT_BACK_DAYS;
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
					"ndjson, markdown or html",
					ft_q(arg));
			o.format = (enum ft_report_format)i;
			format = 1;
			break;
		case OPT_COMPARE:
			o.compare = 1;
			break;
		case OPT_AS_OF:
			as_of = arg;
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
		default:
			if (more_opt(c, arg, &m))
				return FT_USAGE;
		}
	}
	if (optind >= argc)
		return ft_usage_error("no report named: " REPORTS);
	for (v = 0; v < V_N; v++)
		if (!strcmp(argv[optind], verbs[v].name))
			break;
	if (v == V_N) {
		for (i = 0; not_yet[i]; i++)
			if (!strcmp(argv[optind], not_yet[i]))
				return ft_usage_error(
					"%s: not built yet; the reports are: " REPORTS,
					ft_q(argv[optind]));
		return ft_usage_error(
			"unknown report %s; the reports are: " REPORTS,
			ft_q(argv[optind]));
	}
	optind++;
	if (v == V_SITE && format)
		return ft_usage_error("site: --format does not apply "
				      "(the site is HTML)");
	if (ft_opt_verb_check(&tool, v))
		return FT_USAGE;
	if (v == V_VOTE) {
		if (optind >= argc)
			return ft_usage_error("vote: no round named");
		m.round = argv[optind++];
		if ((st = vote_filters(&o, &m)))
			return st;
	}
	if (v == V_SITE) {
		if (optind >= argc)
			return ft_usage_error("site: no directory named");
		so.dir = argv[optind++];
		if (!*so.dir)
			return ft_usage_error("site: an empty directory name");
	}
	if (optind < argc)
		return ft_usage_error("%s: unexpected argument %s",
				      verbs[v].name, ft_q(argv[optind]));
	if ((st = by_arg(v, by, &o)))
		return st;
	o.min_group_set = m.min_group >= 0;
	if (v == V_EVENTS && o.min_group_set && FT_BY_PERIOD(o.by))
		return ft_usage_error(
			"events: --min-group needs --by category, "
			"source, unit, area or facility");
	if (m.min_group < 0)
		m.min_group = v == V_SLA || v == V_WARNINGS ?
				      10 :
				      FT_REPORT_MIN_GROUP;
	o.min_group = (long)m.min_group;
	if (o.level && v != V_VOTE && o.by != FT_BY_AREA)
		return ft_usage_error("--area-level needs --by area");
	if ((st = ft_cli_apply(&cm)))
		goto out;
	if (as_of && (st = set_as_of(as_of, &o)))
		goto out;
	/* The site shows the last 30 days unless told. */
	if (v == V_SITE && !since)
		since = "30d";
	if ((st = range(since, until, &o)))
		goto out;
	o.no_output = cm.no_output;
	if ((st = ft_db_open(&db, ft_cli_db(&cm),
			     FT_DB_READONLY | FT_DB_NO_COPY)))
		goto out;
	if (v == V_SITE) {
		so.since = o.since;
		so.until = o.until;
		so.quiet = cm.quiet;
		so.no_output = cm.no_output;
		so.min_group = m.min_group;
		st = ft_report_site(&db, &so);
	} else {
		st = run(v, &db, &o, &m);
	}
out:
	ft_db_close(&db);
	return ft_finish(st);
}
