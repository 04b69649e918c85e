/*
 * ft-dispatch - give each event an area, a responsible unit and deadlines;
 * escalate overdue cases.  See ft-dispatch(1).
 */
#include "ft_cli.h"
#include "ft_db.h"
#include "ft_dispatch.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The text as --help prints it, a line a line. */
/* clang-format off */
static const char usage[] =
"Usage: ft-dispatch --rules FILE [OPTION]... [FILE]...\n"
"       ft-dispatch --rules FILE --pending [OPTION]...\n"
"       ft-dispatch --escalate [OPTION]...\n"
"Give each event read from FILEs (standard input when none, or -) its area,\n"
"a responsible unit and deadlines by the rules, store the decision and print\n"
"the event with it as NDJSON.\n"
"\n";

static const char tail[] =
"\n"
"Exit status: 0 all done; 1 some events rejected; 64 usage; 65 input\n"
"unusable; 66 cannot open; 73 cannot create; 74 I/O error; 75 database\n"
"busy; 78 bad rules file or newer database.  See ft-dispatch(1).\n";
/* clang-format on */

enum {
	OPT_RULES = FT_OPT_TOOL,
	OPT_PENDING,
	OPT_ESCALATE,
	OPT_BATCH
};

static const struct ft_opt opts[] = {
	{ OPT_RULES, "rules", "FILE",
	  "the dispatch rules (JSON; see "
	  "ft-dispatch(1))",
	  0, "file", "the dispatch rules (JSON)", "--escalate", 0 },
	{ OPT_PENDING, "pending", NULL,
	  "dispatch every stored event not yet "
	  "dispatched",
	  0, NULL, NULL, "--escalate *", 0 },
	{ OPT_ESCALATE, "escalate", NULL,
	  "move every overdue case up its "
	  "escalation chain",
	  0, NULL, NULL, "--rules --pending -x --explain *", 0 },
	{ 'x', "explain", NULL,
	  "add an \"explain\" member: how the area was "
	  "found\nand the rules tried",
	  0, NULL, NULL, "-x --explain --escalate", 0 },
	{ 'n', "dry-run", NULL, "decide and print, store nothing", 0, NULL,
	  NULL, NULL, 0 },
	{ 'r', "rejects", "FILE", "write rejected records to FILE as NDJSON", 0,
	  "file", NULL, NULL, 0 },
	{ OPT_BATCH, "batch", "N", "events a transaction (default 2000)", 0,
	  "text", NULL, NULL, 0 },
	FT_OPTS_COMMON("the zone of rules' hours and calendars (default\n"
		       "the rules file's \"tz\", else $TZ, else UTC)",
		       "print no summary or progress on standard error\n"
		       "(the events are still printed)",
		       "events")
};

static const struct ft_tool tool = {
	"ft-dispatch", usage, tail,
	opts,	       NULL,  "(--pending --escalate)input file=file..."
};

/* One input file, for ft_cli_each_file(). */
static int
each_file(void *ctx, const char *path)
{
	return ft_dispatch_file(ctx, path);
}

int
main(int argc, char **argv)
{
	struct ft_common cm = { 0 };
	struct ft_dispatch_opts o;
	struct ft_dispatch *d = NULL;
	struct ft_db db = { 0 };
	const char *arg;
	int c, exit_now = 0, st = FT_OK, pending = 0, escalate = 0;
	long n;

	ft_cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	while ((c = ft_opt_next(&tool, argc, argv, &arg)) != -1) {
		if (c == -2)
			return FT_USAGE;
		if (ft_cli_common(c, arg, &cm, &tool, &exit_now)) {
			if (exit_now)
				return ft_finish(cm.exit_status);
			continue;
		}
		switch (c) {
		case OPT_RULES:
			o.rules = arg;
			break;
		case OPT_PENDING:
			pending = 1;
			break;
		case OPT_ESCALATE:
			escalate = 1;
			break;
		case 'x':
			o.explain = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'r':
			o.rejects = arg;
			break;
		case OPT_BATCH:
			if (ft_cli_number("--batch", arg, 1, 1000000, &n))
				return FT_USAGE;
			o.batch = (size_t)n;
			break;
		}
	}
	if (escalate && (pending || o.rules || o.explain))
		return ft_usage_error("--escalate works on the stored cases "
				      "alone: no --rules, --pending or "
				      "--explain");
	if (!escalate && !o.rules)
		return ft_usage_error("--rules FILE is needed (or --escalate)");
	if ((pending || escalate) && optind < argc)
		return ft_usage_error("--%s reads the database, not files",
				      pending ? "pending" : "escalate");
	if ((st = ft_cli_apply(&cm)))
		goto out;
	o.quiet = cm.quiet;
	o.no_output = cm.no_output;
	o.progress = !cm.quiet && isatty(2);
	/*
	 * The rules are checked before the database opens (all but their
	 * units, which are in it), so that a mistake there changes nothing:
	 * not even the schema of an older file.
	 */
	if (o.rules) {
		struct ft_rules *r = NULL;

		st = ft_rules_load(&r, o.rules, NULL);
		ft_rules_free(r);
		if (st)
			goto out;
	}
	/* It works on stored events: a mistyped --db is no new database. */
	if ((st = ft_db_open(&db, ft_cli_db(&cm),
			     FT_DB_EXISTING | (o.dry_run ? FT_DB_DRYRUN : 0))))
		goto out;
	if ((st = ft_dispatch_new(&d, &db, &o)))
		goto out;
	if (escalate) {
		st = ft_dispatch_escalate(d);
	} else if (pending) {
		st = ft_dispatch_pending(d);
	} else {
		st = ft_cli_each_file(argv + optind, argc - optind, each_file,
				      d);
	}
	st = ft_exit_worst(st, ft_dispatch_finish(d));
out:
	ft_dispatch_free(d);
	ft_db_close(&db);
	return ft_finish(st);
}
