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

static const char usage[] =
"Usage: ft-vote open [OPTION]... [FILE]...\n"
"       ft-vote projects ROUND [OPTION]... [FILE]...\n"
"       ft-vote register ROUND --key KEYFILE [OPTION]... [FILE]...\n"
"       ft-vote cast ROUND --key KEYFILE [OPTION]... [FILE]...\n"
"       ft-vote import [--round ID] [--key KEYFILE] [OPTION]... FILE.pb\n"
"       ft-vote export ROUND [OPTION]...\n"
"       ft-vote tally ROUND [--rule RULE] [OPTION]...\n"
"       ft-vote recount ROUND [OPTION]...\n"
"       ft-vote rounds [OPTION]...\n"
"Run participatory-budgeting rounds: open a round, add its projects, register\n"
"its eligible voters, cast ballots, count them; import and export pabulib .pb\n"
"files.\n"
"\n"
"  -k, --key KEYFILE       the file of the secret that hashes voter ids (open\n"
"                          and import create it when missing; default $FT_VOTE_KEY)\n"
"      --round ID          import: the id of the new round (default: from the\n"
"                          file's name)\n"
"      --channel NAME      cast: the channel of ballots that name none\n"
"                          (default online)\n"
"      --replace           cast: a voter's new ballot replaces the earlier one\n"
"  -R, --rule RULE         tally: greedy, greedy-no-skip, greedy-threshold, mes,\n"
"                          mes-add1 (default: the round's rule)\n"
"      --complete greedy   tally: spend what mes or mes-add1 leaves, by greedy\n"
"      --threshold N       tally: the minimum score of greedy-threshold\n"
"                          (default: the round's)\n"
"      --tiebreak ORDER    tally: votes,cost,id (default) or any order of them,\n"
"                          or refuse\n"
"      --compare RULES     tally: count under each of RULES (comma-separated)\n"
"                          and print them side by side\n"
"      --totals            tally: end with one line of totals\n"
"  -f, --force             tally: count a round that has not closed yet\n"
"  -n, --dry-run           check and print, store nothing\n"
"  -r, --rejects FILE      write rejected records to FILE as NDJSON\n"
"      --db PATH           the database (default $FT_DB, else ./ft.db)\n"
"      --now TIME          the current time (default $FT_NOW, else the clock)\n"
"      --tz ZONE           the zone of times without an offset (default $TZ,\n"
"                          else UTC)\n"
"  -q, --quiet             print no summary on standard error (the\n"
"                          records are still printed)\n"
"      --no-output         print no records on standard output\n"
"  -h, --help              show this help and exit\n"
"      --version           show the version and exit\n"
"\n"
"Exit status: 0 done; 1 some records rejected; 64 usage; 65 input unusable\n"
"(a .pb file with errors, a tie under --tiebreak refuse, a recount that\n"
"differs); 66 cannot open, or no such round; 73 cannot create; 74 I/O error;\n"
"75 database busy, or the round has not closed yet; 78 configuration unusable\n"
"(a wrong key, a newer database).  See ft-vote(1).\n";

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

static const struct option options[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "round", required_argument, NULL, OPT_ROUND },
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "replace", no_argument, NULL, OPT_REPLACE },
	{ "rule", required_argument, NULL, 'R' },
	{ "complete", required_argument, NULL, OPT_COMPLETE },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "tiebreak", required_argument, NULL, OPT_TIEBREAK },
	{ "compare", required_argument, NULL, OPT_COMPARE },
	{ "totals", no_argument, NULL, OPT_TOTALS },
	{ "force", no_argument, NULL, 'f' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "rejects", required_argument, NULL, 'r' },
	FT_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

enum verb { V_OPEN, V_PROJECTS, V_REGISTER, V_CAST, V_IMPORT, V_EXPORT,
	    V_TALLY, V_RECOUNT, V_ROUNDS, V_N };

static const char *const verbs[V_N] = {
	"open", "projects", "register", "cast", "import", "export", "tally",
	"recount", "rounds"
};

/* The options of one verb or a few: which verbs take which. */
enum {
	B_KEY = 1, B_ROUND = 2, B_CHANNEL = 4, B_REPLACE = 8, B_RULE = 16,
	B_COMPLETE = 32, B_THRESHOLD = 64, B_TIEBREAK = 128, B_COMPARE = 256,
	B_TOTALS = 512, B_FORCE = 1024, B_DRY = 2048, B_REJECTS = 4096
};

static const struct {
	int c;
	unsigned bit;
	const char *name;
} opt_bits[] = {
	{ 'k', B_KEY, "key" },
	{ OPT_ROUND, B_ROUND, "round" },
	{ OPT_CHANNEL, B_CHANNEL, "channel" },
	{ OPT_REPLACE, B_REPLACE, "replace" },
	{ 'R', B_RULE, "rule" },
	{ OPT_COMPLETE, B_COMPLETE, "complete" },
	{ OPT_THRESHOLD, B_THRESHOLD, "threshold" },
	{ OPT_TIEBREAK, B_TIEBREAK, "tiebreak" },
	{ OPT_COMPARE, B_COMPARE, "compare" },
	{ OPT_TOTALS, B_TOTALS, "totals" },
	{ 'f', B_FORCE, "force" },
	{ 'n', B_DRY, "dry-run" },
	{ 'r', B_REJECTS, "rejects" },
};
#define NOPT ((int)(sizeof(opt_bits) / sizeof(*opt_bits)))

static const unsigned allowed[] = {
	[V_OPEN] = B_KEY | B_DRY | B_REJECTS,
	[V_PROJECTS] = B_DRY | B_REJECTS,
	[V_REGISTER] = B_KEY | B_DRY | B_REJECTS,
	[V_CAST] = B_KEY | B_CHANNEL | B_REPLACE | B_DRY | B_REJECTS,
	[V_IMPORT] = B_KEY | B_ROUND | B_DRY,
	[V_EXPORT] = 0,
	[V_TALLY] = B_RULE | B_COMPLETE | B_THRESHOLD | B_TIEBREAK |
		    B_COMPARE | B_TOTALS | B_FORCE | B_DRY,
	[V_RECOUNT] = 0,
	[V_ROUNDS] = 0,
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

int
main(int argc, char **argv)
{
	struct ft_common cm = { 0 };
	struct ft_vote_opts o;
	struct ft_db db = { 0 };
	const char *round = NULL;
	char **files;
	int c, exit_now = 0, st = FT_OK, nfiles, v, i;
	unsigned given = 0;
	static struct ft_buf compare = FT_BUF_INIT;	/* reachable to the end */

	ft_cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:R:fnr:qh", options, NULL)) !=
	       -1) {
		if (ft_cli_common(c, optarg, &cm, usage, &exit_now)) {
			if (exit_now)
				return ft_finish(FT_OK);
			continue;
		}
		for (i = 0; i < NOPT; i++)
			if (opt_bits[i].c == c)
				given |= opt_bits[i].bit;
		switch (c) {
		case 'k':
			o.key = optarg;
			break;
		case OPT_ROUND:
			o.round = optarg;
			break;
		case OPT_CHANNEL:
			o.channel = optarg;
			break;
		case OPT_REPLACE:
			o.replace = 1;
			break;
		case 'R':
			o.rule = optarg;
			break;
		case OPT_COMPLETE:
			if (strcmp(optarg, "greedy") != 0)
				return ft_usage_error("--complete: only greedy, "
						      "not %s", ft_q(optarg));
			o.complete = 1;
			break;
		case OPT_THRESHOLD:
			o.threshold = optarg;
			break;
		case OPT_TIEBREAK:
			o.tiebreak = optarg;
			break;
		case OPT_COMPARE:
			/* --compare greedy --compare mes is --compare
			 * greedy,mes. */
			if (compare.len)
				ft_buf_addc(&compare, ',');
			ft_buf_adds(&compare, optarg);
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
			o.rejects = optarg;
			break;
		default:
			return ft_cli_bad_option(c, argv);
		}
	}
	if (optind >= argc)
		return ft_usage_error("no command: open, projects, register, "
				      "cast, import, export, tally, recount or "
				      "rounds");
	for (v = 0; v < V_N; v++)
		if (strcmp(argv[optind], verbs[v]) == 0)
			break;
	if (v == V_N)
		return ft_usage_error("unknown command %s", ft_q(argv[optind]));
	optind++;
	if (v == V_PROJECTS || v == V_REGISTER || v == V_CAST ||
	    v == V_EXPORT || v == V_TALLY || v == V_RECOUNT) {
		if (optind >= argc)
			return ft_usage_error("%s: no ROUND named", verbs[v]);
		round = argv[optind++];
	}
	for (i = 0; i < NOPT; i++)
		if ((given & opt_bits[i].bit) && !(allowed[v] & opt_bits[i].bit))
			return ft_usage_error("%s: --%s does not apply",
					      verbs[v], opt_bits[i].name);
	files = argv + optind;
	nfiles = argc - optind;
	if (v == V_IMPORT && nfiles != 1)
		return ft_usage_error("import: one FILE.pb, not %d", nfiles);
	if ((v == V_EXPORT || v == V_TALLY || v == V_RECOUNT ||
	     v == V_ROUNDS) && nfiles > 0)
		return ft_usage_error("%s: unexpected argument %s",
				      verbs[v], ft_q(files[0]));
	if ((v == V_REGISTER || v == V_CAST) && !o.key &&
	    !getenv("FT_VOTE_KEY"))
		return ft_usage_error("%s needs --key KEYFILE (or "
				      "FT_VOTE_KEY)", verbs[v]);
	if ((st = ft_cli_apply(&cm)))
		goto out;
	o.quiet = cm.quiet;
	o.no_output = cm.no_output;
	if ((st = ft_db_open(&db, ft_db_path(cm.db),
			     (creates(v) ? 0 : FT_DB_EXISTING) |
			     (reads_only(v, &o) ? FT_DB_READONLY :
			      o.dry_run ? FT_DB_DRYRUN : 0))))
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
	return st;
}
