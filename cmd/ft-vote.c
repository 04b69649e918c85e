/*
 * ft-vote - participatory-budgeting rounds: projects, eligible voters,
 * ballots and the count; pabulib .pb import and export.  See ft-vote(1).
 */
#include "ft_buf.h"
#include "ft_cli.h"
#include "ft_db.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_vote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The text as --help prints it, a line a line. */
/* clang-format off */
static const char usage[] =
"Usage: ft-vote open [OPTION]... [FILE]...\n"
"       ft-vote projects ROUND [OPTION]... [FILE]...\n"
"       ft-vote register ROUND --key KEYFILE [OPTION]... [FILE]...\n"
"       ft-vote cast ROUND --key KEYFILE [OPTION]... [FILE]...\n"
"       ft-vote progress ROUND [OPTION]... [FILE]...\n"
"       ft-vote import [--round ID] [--key KEYFILE] [OPTION]... FILE.pb\n"
"       ft-vote export ROUND [OPTION]...\n"
"       ft-vote tally ROUND [--rule RULE] [OPTION]...\n"
"       ft-vote recount ROUND [OPTION]...\n"
"       ft-vote rounds [OPTION]...\n"
"Run participatory-budgeting rounds: open a round, add its projects, register\n"
"its eligible voters, cast ballots, count them; import and export pabulib .pb\n"
"files; record the funded projects' progress.\n"
"\n";

static const char tail[] =
"\n"
"Exit status: 0 done; 1 some records rejected; 64 usage; 65 input unusable\n"
"(a .pb file with errors, a tie under --tiebreak refuse, a recount that\n"
"differs); 66 cannot open, or no such round; 73 cannot create; 74 I/O error;\n"
"75 database busy, or the round has not closed yet; 78 configuration unusable\n"
"(a wrong key, a newer database).  See ft-vote(1).\n";
/* clang-format on */

enum {
	OPT_ROUND = FT_OPT_TOOL,
	OPT_CHANNEL,
	OPT_REPLACE,
	OPT_COMPLETE,
	OPT_THRESHOLD,
	OPT_TIEBREAK,
	OPT_COMPARE,
	OPT_TOTALS
};

enum verb {
	V_OPEN,
	V_PROJECTS,
	V_REGISTER,
	V_CAST,
	V_PROGRESS,
	V_IMPORT,
	V_EXPORT,
	V_TALLY,
	V_RECOUNT,
	V_ROUNDS,
	V_N
};

/* The verbs that take an option. */
#define VB(v) (1u << (v))
#define IN_FILES \
	(VB(V_OPEN) | VB(V_PROJECTS) | VB(V_REGISTER) | VB(V_CAST) | \
	 VB(V_PROGRESS))

static const struct ft_verb verbs[] = {
	{ "open", "define rounds", "round definitions=file..." },
	{ "projects", "add the projects of a round",
	  "round=@vote_rounds;projects file=file..." },
	{ "register", "register the eligible voters of a round",
	  "round=@vote_rounds;voter list=file..." },
	{ "cast", "check and store ballots",
	  "round=@vote_rounds;ballots file=file..." },
	{ "progress", "record the progress of funded projects",
	  "round=@vote_rounds;progress file=file..." },
	{ "import", "import a pabulib .pb file as a round",
	  "pabulib file=file:*.pb" },
	{ "export", "write a round as a pabulib .pb file",
	  "round=@vote_rounds" },
	{ "tally", "count a round", "round=@vote_rounds" },
	{ "recount", "count every stored tally again and compare",
	  "round=@vote_rounds" },
	{ "rounds", "list the rounds", "" },
	{ NULL, NULL, NULL }
};

static const struct ft_opt opts[] = {
	{ 'k', "key", "KEYFILE",
	  "the file of the secret that hashes voter ids "
	  "(open\nand import create it when missing; default $FT_VOTE_KEY)",
	  VB(V_OPEN) | VB(V_REGISTER) | VB(V_CAST) | VB(V_IMPORT), "file", NULL,
	  NULL, 0 },
	{ OPT_ROUND, "round", "ID",
	  "import: the id of the new round (default: "
	  "from the\nfile's name)",
	  VB(V_IMPORT), "text",
	  "the id of the new round (default: from the file's name)", NULL, 0 },
	{ OPT_CHANNEL, "channel", "NAME",
	  "cast: the channel of ballots that "
	  "name none\n(default online)",
	  VB(V_CAST), "words:online paper",
	  "the channel of ballots that name none (default online)", NULL, 0 },
	{ OPT_REPLACE, "replace", NULL,
	  "cast: a voter's new ballot replaces the "
	  "earlier one",
	  VB(V_CAST), NULL, NULL, NULL, 0 },
	{ 'R', "rule", "RULE",
	  "tally: greedy, greedy-no-skip, "
	  "greedy-threshold, mes,\nmes-add1 (default: the round's rule)",
	  VB(V_TALLY), "@vote_rules",
	  "the counting rule (default: the "
	  "round's)",
	  "-R --rule --compare", 0 },
	{ OPT_COMPLETE, "complete", "greedy",
	  "tally: spend what mes or "
	  "mes-add1 leaves, by greedy",
	  VB(V_TALLY), "words:greedy", NULL, NULL, 0 },
	{ OPT_THRESHOLD, "threshold", "N",
	  "tally: the minimum score of "
	  "greedy-threshold\n(default: the round's)",
	  VB(V_TALLY), "text", NULL, NULL, 0 },
	{ OPT_TIEBREAK, "tiebreak", "ORDER",
	  "tally: votes,cost,id (default) or "
	  "any order of them,\nor refuse",
	  VB(V_TALLY),
	  "words:votes,cost,id "
	  "votes,id,cost cost,votes,id cost,id,votes id,votes,cost id,cost,votes "
	  "refuse",
	  "the order ties are broken in, or refuse", NULL, 0 },
	{ OPT_COMPARE, "compare", "RULES",
	  "tally: count under each of RULES "
	  "(comma-separated)\nand print them side by side",
	  VB(V_TALLY), "@vote_rule_list",
	  "count under each rule and print them side by "
	  "side",
	  "-R --rule", FT_OPT_REPEAT },
	{ OPT_TOTALS, "totals", NULL, "tally: end with one line of totals",
	  VB(V_TALLY), NULL, NULL, NULL, 0 },
	{ 'f', "force", NULL, "tally: count a round that has not closed yet",
	  VB(V_TALLY), NULL, NULL, NULL, 0 },
	{ 'n', "dry-run", NULL, "check and print, store nothing",
	  IN_FILES | VB(V_IMPORT) | VB(V_TALLY), NULL, NULL, NULL, 0 },
	{ 'r', "rejects", "FILE", "write rejected records to FILE as NDJSON",
	  IN_FILES, "file", NULL, NULL, 0 },
	FT_OPTS_COMMON("the zone of times without an offset (default $TZ,\n"
		       "else UTC)",
		       "print no summary on standard error (the\n"
		       "records are still printed)",
		       "records")
};

static const struct ft_tool tool = {
	"ft-vote", usage, tail, opts, verbs, NULL
};

/*
 * Verbs that bring data in from nothing: open and import start a round,
 * and create the database if needed.  The others work on a stored round:
 * a missing database is "no such database", never a new empty one.
 */
static int
creates(enum verb v)
{
	return v == V_OPEN || v == V_IMPORT;
}

/* Runs that read the database only: read access to it is enough. */
static int
reads_only(enum verb v, const struct ft_vote_opts *o)
{
	return v == V_EXPORT || v == V_ROUNDS || v == V_RECOUNT ||
	       (v == V_TALLY && (o->dry_run || o->compare));
}

/*
 * A read-only verb that writes nothing, not even in a transaction it
 * rolls back (as a dry-run tally does), reads the file in place.
 */
static int
in_place(enum verb v)
{
	return v == V_EXPORT || v == V_ROUNDS ? FT_DB_NO_COPY : 0;
}

int
main(int argc, char **argv)
{
	struct ft_common cm = { 0 };
	struct ft_vote_opts o;
	struct ft_db db = { 0 };
	const char *round = NULL;
	char **files;
	const char *arg;
	int c, exit_now = 0, st = FT_OK, nfiles, v;
	static struct ft_buf compare = FT_BUF_INIT;	/* reachable to the end */
	struct ft_buf why = FT_BUF_INIT;

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
		case 'k':
			o.key = arg;
			break;
		case OPT_ROUND:
			o.round = arg;
			break;
		case OPT_CHANNEL:
			o.channel = arg;
			break;
		case OPT_REPLACE:
			o.replace = 1;
			break;
		case 'R':
			o.rule = arg;
			break;
		case OPT_COMPLETE:
			if (strcmp(arg, "greedy") != 0)
				return ft_usage_error(
					"--complete: only greedy, "
					"not %s",
					ft_q(arg));
			o.complete = 1;
			break;
		case OPT_THRESHOLD:
			o.threshold = arg;
			break;
		case OPT_TIEBREAK:
			o.tiebreak = arg;
			break;
		case OPT_COMPARE:
			/* --compare greedy --compare mes is --compare
			 * greedy,mes. */
			if (compare.len)
				ft_buf_addc(&compare, ',');
			ft_buf_adds(&compare, arg);
			o.compare = compare.s;
			break;
		case OPT_TOTALS:
			o.totals = 1;
			break;
		case 'f':
			o.force = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'r':
			o.rejects = arg;
			break;
		}
	}
	if (optind >= argc)
		return ft_usage_error("no command: open, projects, register, "
				      "cast, progress, import, export, tally, "
				      "recount or rounds");
	for (v = 0; v < V_N; v++)
		if (strcmp(argv[optind], verbs[v].name) == 0)
			break;
	if (v == V_N)
		return ft_usage_error("unknown command %s", ft_q(argv[optind]));
	optind++;
	if (v == V_PROJECTS || v == V_REGISTER || v == V_CAST ||
	    v == V_PROGRESS || v == V_EXPORT || v == V_TALLY ||
	    v == V_RECOUNT) {
		if (optind >= argc)
			return ft_usage_error("%s: no ROUND named",
					      verbs[v].name);
		round = argv[optind++];
	}
	if (ft_opt_verb_check(&tool, v))
		return FT_USAGE;
	files = argv + optind;
	nfiles = argc - optind;
	if (v == V_IMPORT && nfiles != 1)
		return ft_usage_error("import: one FILE.pb, not %d", nfiles);
	if ((v == V_EXPORT || v == V_TALLY || v == V_RECOUNT ||
	     v == V_ROUNDS) && nfiles > 0)
		return ft_usage_error("%s: unexpected argument %s",
				      verbs[v].name, ft_q(files[0]));
	if (!o.key)
		o.key = ft_cli_env("FT_VOTE_KEY");
	if (v == V_OPEN && !o.key)
		return ft_usage_error("open needs --key KEYFILE (or "
				      "FT_VOTE_KEY): where the round's secret "
				      "is kept");
	if ((v == V_REGISTER || v == V_CAST) && !o.key)
		return ft_usage_error("%s needs --key KEYFILE (or "
				      "FT_VOTE_KEY)",
				      verbs[v].name);
	if (ft_vote_check(&o, &why)) {
		st = ft_usage_error("%s", why.s);
		goto out;
	}
	if ((st = ft_cli_apply(&cm)))
		goto out;
	o.quiet = cm.quiet;
	o.no_output = cm.no_output;
	if ((st = ft_db_open(&db, ft_cli_db(&cm),
			     (creates(v) ? 0 : FT_DB_EXISTING) |
				     (reads_only(v, &o) ?
					      FT_DB_READONLY | in_place(v) :
				      o.dry_run ? FT_DB_DRYRUN :
						  0))))
		goto out;
	switch (v) {
	case V_OPEN:
		st = ft_vote_open(&db, &o, files, nfiles);
		break;
	case V_PROJECTS:
		st = ft_vote_projects(&db, &o, round, files, nfiles);
		break;
	case V_REGISTER:
		st = ft_vote_register(&db, &o, round, files, nfiles);
		break;
	case V_CAST:
		st = ft_vote_cast(&db, &o, round, files, nfiles);
		break;
	case V_PROGRESS:
		st = ft_vote_progress(&db, &o, round, files, nfiles);
		break;
	case V_IMPORT:
		st = ft_vote_import(&db, &o, files[0]);
		break;
	case V_EXPORT:
		st = ft_vote_export(&db, &o, round);
		break;
	case V_TALLY:
		st = ft_vote_tally(&db, &o, round);
		break;
	case V_RECOUNT:
		st = ft_vote_recount(&db, &o, round);
		break;
	default:
		st = ft_vote_rounds(&db, &o);
	}
out:
	ft_db_close(&db);
	st = ft_finish(st);
	ft_buf_release(&compare);
	ft_buf_release(&why);
	return st;
}
