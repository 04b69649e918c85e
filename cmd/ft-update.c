/*
 * ft-update - record what happened to events afterwards, checked against
 * the lifecycle; record residents' ratings; verify the history.
 * See ft-update(1).
 */
#include "ft_cli.h"
#include "ft_db.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_hist.h"
#include "ft_update.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_VERIFY = FT_OPT_TOOL
};

static const struct ft_opt opts[] = {
	{ OPT_VERIFY, "verify", NULL, "check the history's hash chain and exit",
	  0, NULL, "check the hash chain of the history and exit",
	  "-n --dry-run -r --rejects *", 0 },
	{ 'n', "dry-run", NULL, "check and print, store nothing", 0, NULL, NULL,
	  "-n --dry-run --verify", 0 },
	{ 'r', "rejects", "FILE", "write rejected records to FILE as NDJSON", 0,
	  "file", NULL, "-r --rejects --verify", 0 },
	FT_OPTS_COMMON("the zone of times without an offset (default $TZ,\n"
		       "else UTC)",
		       "print no summary on standard error (the\n"
		       "changes are still printed)",
		       "changes")
};

/* The text as --help prints it, a line a line. */
/* clang-format off */
static const char usage[] =
"Usage: ft-update [OPTION]... [FILE]...\n"
"       ft-update --verify [OPTION]...\n"
"Apply the status changes and residents' ratings read from FILEs (standard\n"
"input when none, or -) to the stored events, each checked against the\n"
"lifecycle, and print every change applied as NDJSON.\n"
"\n";

static const char tail[] =
"\n"
"Exit status: 0 all applied (or the history is intact); 1 some records\n"
"rejected; 64 usage; 65 input unusable, or the history's chain is broken;\n"
"66 cannot open; 73 cannot create; 74 I/O error; 75 database busy;\n"
"78 newer database.  See ft-update(1).\n";
/* clang-format on */

static const struct ft_tool tool = {
	"ft-update", usage, tail, opts, NULL, "(--verify)input file=file..."
};

static int
verify(struct ft_db *db, const struct ft_common *cm)
{
	char head[65];
	long n;
	int st = ft_hist_verify(db, &n, head);

	if (st == FT_OK && !cm->no_output)
		printf("{\"entries\":%ld,\"head\":\"%s\"}\n", n, head);
	if (st == FT_OK && !cm->quiet)
		ft_warn("%s: the history is intact: %ld entr%s chained", db->path,
			n, n == 1 ? "y" : "ies");
	return st;
}

/* One input file, for ft_cli_each_file(). */
static int
each_file(void *ctx, const char *path)
{
	return ft_update_file(ctx, path);
}

int
main(int argc, char **argv)
{
	struct ft_common cm = { 0 };
	struct ft_update_opts o;
	struct ft_update *u = NULL;
	struct ft_db db = { 0 };
	const char *arg;
	int c, exit_now = 0, st = FT_OK, do_verify = 0;

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
		case OPT_VERIFY:
			do_verify = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'r':
			o.rejects = arg;
			break;
		}
	}
	if (do_verify && (optind < argc || o.dry_run || o.rejects))
		return ft_usage_error("--verify reads the database alone");
	if ((st = ft_cli_apply(&cm)))
		goto out;
	o.quiet = cm.quiet;
	o.no_output = cm.no_output;
	/* It works on stored events: a mistyped --db is no new database.
	 * --verify only reads: read access to the file is enough, and the
	 * file is read in place, not copied. */
	if ((st = ft_db_open(&db, ft_cli_db(&cm),
			     FT_DB_EXISTING |
				     (do_verify ?
					      FT_DB_READONLY | FT_DB_NO_COPY :
					      0) |
				     (o.dry_run ? FT_DB_DRYRUN : 0))))
		goto out;
	if (do_verify) {
		st = verify(&db, &cm);
		goto out;
	}
	if ((st = ft_update_new(&u, &db, &o)))
		goto out;
	st = ft_cli_each_file(argv + optind, argc - optind, each_file, u);
	st = ft_exit_worst(st, ft_update_finish(u));
out:
	ft_update_free(u);
	ft_db_close(&db);
	return ft_finish(st);
}
