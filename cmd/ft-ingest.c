/*
 * ft-ingest - load events, units, facilities and readings into the
 * database.
 * See ft-ingest(1).
 */
#include "ft_buf.h"
#include "ft_cli.h"
#include "ft_db.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_ingest.h"
#include "ft_jq.h"
#include "ft_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The text as --help prints it, a line a line. */
/* clang-format off */
static const char usage[] =
"Usage: ft-ingest [OPTION]... [FILE]...\n"
"Load records from FILEs (standard input when none, or -) into the database\n"
"and print the accepted ones as NDJSON.\n"
"\n";

static const char tail[] =
"\n"
"Exit status: 0 all loaded; 1 some records rejected; 64 usage; 65 input\n"
"unusable; 66 cannot open; 73 cannot create; 74 I/O error; 75 database\n"
"busy; 78 bad mapping or newer database.  See ft-ingest(1).\n";
/* clang-format on */

enum {
	OPT_COLUMNS = FT_OPT_TOOL,
	OPT_TIME_FORMAT,
	OPT_SOURCE,
	OPT_BATCH,
	OPT_LIST_MAPS
};

static const struct ft_opt opts[] = {
	{ 'k', "kind", "KIND",
	  "events (the default), units, facilities or\nreadings", 0,
	  "words:events units facilities readings", "the kind of the records",
	  NULL, 0 },
	{ 'f', "format", "FORMAT",
	  "csv, tsv, ndjson (or jsonl), json or "
	  "geojson\n(default: from the name, else the content)",
	  0, "words:csv tsv ndjson json geojson", "the input format", NULL, 0 },
	{ 'm', "map", "FILTER",
	  "a jq program turning a source record into "
	  "ours;\n@NAME for a shipped mapping, @FILE.jq for a file",
	  0, "@maps", NULL, NULL, 0 },
	{ OPT_LIST_MAPS, "list-maps", NULL,
	  "list the shipped mappings and exit", 0, NULL, NULL, "- *", 0 },
	{ 'd', "delimiter", "CHAR",
	  "the CSV field separator (default ',', tab "
	  "for tsv)",
	  0, "words:tab , ; |", NULL, NULL, 0 },
	{ OPT_COLUMNS, "columns", "LIST",
	  "comma-separated column names: there "
	  "is no header",
	  0, "text", NULL, NULL, 0 },
	{ 'e', "encoding", "ENC",
	  "convert from ENC (GB18030, GBK, LATIN1...) "
	  "to UTF-8",
	  0,
	  "words:GB18030 GBK GB2312 BIG5 UTF-8 UTF-16 UTF-16LE "
	  "UTF-16BE LATIN1 CP1252",
	  "convert from this encoding to UTF-8", NULL, 0 },
	{ OPT_TIME_FORMAT, "time-format", "FMT",
	  "also read times in this "
	  "strptime(3) format\n(repeatable)",
	  0, "text", NULL, NULL, FT_OPT_REPEAT },
	{ OPT_SOURCE, "source", "WORD", "the source of events that name none",
	  0, "words:app hotline qr sensor opinion patrol", NULL, NULL, 0 },
	{ 'r', "rejects", "FILE", "write rejected records to FILE as NDJSON", 0,
	  "file", NULL, NULL, 0 },
	{ 'u', "upsert", NULL, "replace stored records whose content changed",
	  0, NULL, NULL, NULL, 0 },
	{ 'n', "dry-run", NULL, "check and print, write nothing", 0, NULL, NULL,
	  NULL, 0 },
	{ OPT_BATCH, "batch", "N", "records a transaction (default 2000)", 0,
	  "text", NULL, NULL, 0 },
	FT_OPTS_COMMON("the zone of times without an offset (default: the\n"
		       "map's, else $TZ, else UTC)",
		       "print no summary or progress on standard error\n"
		       "(the records are still printed)",
		       "records")
};

static const struct ft_tool tool = { "ft-ingest", usage, tail,
				     opts,	  NULL,	 "input file=file..." };

/* The program of --map: inline, @NAME shipped, or @FILE. */
static int
load_map(const char *arg, char **prog, const char **origin)
{
	const char *text;

	*prog = NULL;
	*origin = arg;
	if (arg[0] != '@') {
		*origin = "--map";
		*prog = ft_xstrdup(arg);
		return FT_OK;
	}
	if (strchr(arg + 1, '/') || strstr(arg + 1, ".jq")) {
		*prog = ft_slurp(arg + 1, "the mapping", NULL);
		return *prog ? FT_OK : FT_NOINPUT;
	}
	text = ft_jq_builtin(arg + 1);
	if (!text)
		return ft_usage_error("--map: no shipped mapping %s (see "
				      "--list-maps)", ft_q(arg));
	*prog = ft_xstrdup(text);
	return FT_OK;
}

static int
parse_delimiter(const char *s, int *d)
{
	if (!strcmp(s, "\\t") || !strcmp(s, "tab")) {
		*d = '\t';
		return 0;
	}
	if (strlen(s) != 1 || *s == '"' || *s == '\n' || *s == '\r')
		return -1;
	*d = (unsigned char)*s;
	return 0;
}

/* One input file, for ft_cli_each_file(). */
static int
each_file(void *ctx, const char *path)
{
	return ft_ingest_file(ctx, path);
}

int
main(int argc, char **argv)
{
	struct ft_common cm = { 0 };
	struct ft_ingest_opts o;
	struct ft_ingest *ig = NULL;
	struct ft_db db = { 0 };
	char *map = NULL;
	const char *arg;
	int c, exit_now = 0, st = FT_OK, i, list_maps = 0;
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
		case 'k':
			if ((i = ft_kind_parse(arg)) < 0)
				return ft_usage_error(
					"--kind: %s is not "
					"events, units, facilities or "
					"readings",
					ft_q(arg));
			o.kind = (enum ft_kind)i;
			break;
		case 'f':
			if ((i = ft_format_parse(arg)) < 0)
				return ft_usage_error(
					"--format: %s is "
					"not csv, tsv, ndjson, json or geojson",
					ft_q(arg));
			o.in.format = (enum ft_format)i;
			break;
		case 'm':
			o.map_origin = arg;
			break;
		case OPT_LIST_MAPS:
			list_maps = 1;
			break;
		case 'd':
			if (parse_delimiter(arg, &o.in.delimiter))
				return ft_usage_error("--delimiter: %s is "
						      "not one character",
						      ft_q(arg));
			break;
		case OPT_COLUMNS:
			if (!*arg)
				return ft_usage_error("--columns: no names");
			o.in.columns = arg;
			break;
		case 'e':
			o.in.encoding = arg;
			break;
		case OPT_TIME_FORMAT:
			if (!*arg)
				return ft_usage_error("--time-format: empty");
			ft_time_add_format(arg);
			break;
		case OPT_SOURCE:
			if (!*arg)
				return ft_usage_error("--source: empty");
			o.source = arg;
			break;
		case 'r':
			o.rejects = arg;
			break;
		case 'u':
			o.upsert = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case OPT_BATCH:
			if (ft_cli_number("--batch", arg, 1, 1000000, &n))
				return FT_USAGE;
			o.batch = (size_t)n;
			break;
		}
	}
	if (list_maps) {
		const char *const *p;

		for (p = ft_jq_builtin_names; *p; p++)
			printf("@%s\n", *p);
		return ft_finish(FT_OK);
	}
	if ((st = ft_cli_apply(&cm)))
		goto out;
	o.tz_given = cm.tz != NULL;
	o.quiet = cm.quiet;
	o.no_output = cm.no_output;
	o.progress = !cm.quiet && isatty(2);
	if (o.map_origin &&
	    (st = load_map(o.map_origin, &map, &o.map_origin)))
		goto out;
	o.map = map;
	/* The options and the map are checked before the database opens. */
	if ((st = ft_ingest_new(&ig, &o)) ||
	    (st = ft_db_open(&db, ft_cli_db(&cm),
			     o.dry_run ? FT_DB_DRYRUN : 0)) ||
	    (st = ft_ingest_start(ig, &db)))
		goto out;
	st = ft_cli_each_file(argv + optind, argc - optind, each_file, ig);
	st = ft_exit_worst(st, ft_ingest_finish(ig));
out:
	ft_ingest_free(ig);
	ft_db_close(&db);
	ft_time_clear_formats();
	free(map);
	return ft_finish(st);
}
