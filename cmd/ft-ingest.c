/*
 * ft-ingest - load events, units and facilities into the database.
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

static const char usage[] =
"Usage: ft-ingest [OPTION]... [FILE]...\n"
"Load records from FILEs (standard input when none, or -) into the database\n"
"and print the accepted ones as NDJSON.\n"
"\n"
"  -k, --kind KIND         events (the default), units or facilities\n"
"  -f, --format FORMAT     csv, tsv, ndjson (or jsonl), json or geojson\n"
"                          (default: from the name, else the content)\n"
"  -m, --map FILTER        a jq program turning a source record into ours;\n"
"                          @NAME for a shipped mapping, @FILE.jq for a file\n"
"      --list-maps         list the shipped mappings and exit\n"
"  -d, --delimiter CHAR    the CSV field separator (default ',', tab for tsv)\n"
"      --columns LIST      comma-separated column names: there is no header\n"
"  -e, --encoding ENC      convert from ENC (GB18030, GBK, LATIN1...) to UTF-8\n"
"      --time-format FMT   also read times in this strptime(3) format\n"
"                          (repeatable)\n"
"      --source WORD       the source of events that name none\n"
"  -r, --rejects FILE      write rejected records to FILE as NDJSON\n"
"  -u, --upsert            replace stored records whose content changed\n"
"  -n, --dry-run           check and print, write nothing\n"
"      --batch N           records a transaction (default 2000)\n"
"      --db PATH           the database (default $FT_DB, else ./ft.db)\n"
"      --now TIME          the current time (default $FT_NOW, else the clock)\n"
"      --tz ZONE           the zone of times without an offset (default: the\n"
"                          map's, else $TZ, else UTC)\n"
"  -q, --quiet             print no summary or progress on standard error\n"
"                          (the records are still printed)\n"
"      --no-output         print no records on standard output\n"
"  -h, --help              show this help and exit\n"
"      --version           show the version and exit\n"
"\n"
"Exit status: 0 all loaded; 1 some records rejected; 64 usage; 65 input\n"
"unusable; 66 cannot open; 73 cannot create; 74 I/O error; 75 database\n"
"busy; 78 bad mapping or newer database.  See ft-ingest(1).\n";

enum {
	OPT_COLUMNS = FT_OPT_TOOL,
	OPT_TIME_FORMAT,
	OPT_SOURCE,
	OPT_BATCH,
	OPT_LIST_MAPS
};

static const struct option options[] = {
	{ "kind", required_argument, NULL, 'k' },
	{ "format", required_argument, NULL, 'f' },
	{ "map", required_argument, NULL, 'm' },
	{ "list-maps", no_argument, NULL, OPT_LIST_MAPS },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "columns", required_argument, NULL, OPT_COLUMNS },
	{ "encoding", required_argument, NULL, 'e' },
	{ "time-format", required_argument, NULL, OPT_TIME_FORMAT },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "rejects", required_argument, NULL, 'r' },
	{ "upsert", no_argument, NULL, 'u' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "batch", required_argument, NULL, OPT_BATCH },
	FT_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

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
	int c, exit_now = 0, st = FT_OK, i, list_maps = 0;
	long n;

	ft_cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:f:m:d:e:r:unqh", options,
				NULL)) != -1) {
		if (ft_cli_common(c, optarg, &cm, usage, &exit_now)) {
			if (exit_now)
				return ft_finish(FT_OK);
			continue;
		}
		switch (c) {
		case 'k':
			if ((i = ft_kind_parse(optarg)) < 0)
				return ft_usage_error("--kind: %s is not "
				    "events, units or facilities",
				    ft_q(optarg));
			o.kind = (enum ft_kind)i;
			break;
		case 'f':
			if ((i = ft_format_parse(optarg)) < 0)
				return ft_usage_error("--format: %s is "
				    "not csv, tsv, ndjson, json or geojson",
				    ft_q(optarg));
			o.in.format = (enum ft_format)i;
			break;
		case 'm':
			o.map_origin = optarg;
			break;
		case OPT_LIST_MAPS:
			list_maps = 1;
			break;
		case 'd':
			if (parse_delimiter(optarg, &o.in.delimiter))
				return ft_usage_error("--delimiter: %s is "
				    "not one character", ft_q(optarg));
			break;
		case OPT_COLUMNS:
			if (!*optarg)
				return ft_usage_error("--columns: no names");
			o.in.columns = optarg;
			break;
		case 'e':
			o.in.encoding = optarg;
			break;
		case OPT_TIME_FORMAT:
			if (!*optarg)
				return ft_usage_error("--time-format: empty");
			ft_time_add_format(optarg);
			break;
		case OPT_SOURCE:
			if (!*optarg)
				return ft_usage_error("--source: empty");
			o.source = optarg;
			break;
		case 'r':
			o.rejects = optarg;
			break;
		case 'u':
			o.upsert = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case OPT_BATCH:
			if (ft_cli_number("--batch", optarg, 1, 1000000, &n))
				return FT_USAGE;
			o.batch = (size_t)n;
			break;
		default:
			return ft_cli_bad_option(c, argv);
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
	if ((st = ft_db_open(&db, ft_db_path(cm.db),
			     o.dry_run ? FT_DB_DRYRUN : 0)))
		goto out;
	if ((st = ft_ingest_new(&ig, &db, &o)))
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
