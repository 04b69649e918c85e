/*
 * ft-warn - evaluate warning rules over events and sensor readings; raise,
 * update and resolve warnings; acknowledge and resolve them by hand; list
 * them.  See ft-warn(1).
 */
#include "ft_cli.h"
#include "ft_db.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_time.h"
#include "ft_warn.h"
#include "ft_warn_esc.h"
#include "ft_warn_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The text as --help prints it, a line a line. */
/* clang-format off */
static const char usage[] =
"Usage: ft-warn [watch] --rules FILE [OPTION]... [FILE]...\n"
"       ft-warn [watch] --rules FILE --since TIME [--until TIME] [OPTION]...\n"
"       ft-warn check --rules FILE\n"
"       ft-warn list [OPTION]...\n"
"       ft-warn ack WARNING [--by NAME] [--note TEXT] [OPTION]...\n"
"       ft-warn resolve WARNING [--by NAME] [--note TEXT] [OPTION]...\n"
"       ft-warn escalate --rules FILE [OPTION]...\n"
"       ft-warn silence {--rule NAME | --key KEY}... {--for DURATION |\n"
"               --until TIME} --note TEXT [--by NAME] [OPTION]...\n"
"       ft-warn unsilence SILENCE [--by NAME] [--note TEXT] [OPTION]...\n"
"       ft-warn silences [--all] [OPTION]...\n"
"Evaluate the warning rules over the events and sensor readings read from\n"
"FILEs (standard input when none, or -), as they arrive; print each warning\n"
"raised, risen in level, or resolved, as NDJSON.  Acknowledge and resolve\n"
"warnings; list them; escalate those left unacknowledged; silence a rule\n"
"or a key for a while.\n"
"\n";

static const char tail[] =
"\n"
"Exit status: 0 done; 1 some records rejected; 3 (--fail-on) a warning at\n"
"that level or above is open; 64 usage; 65 input unusable\n"
"(a warning that cannot be acknowledged or resolved as asked, a silence\n"
"removed already); 66 cannot open, or no such warning or silence;\n"
"73 cannot create; 74 I/O error; 75 database busy; 78 bad rules file or\n"
"newer database.  See ft-warn(1).\n";
/* clang-format on */

enum {
	OPT_RULES = FT_OPT_TOOL,
	OPT_BY,
	OPT_NOTE,
	OPT_STATUS,
	OPT_LEVEL,
	OPT_RULE,
	OPT_KEY,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_MAJOR,
	OPT_FAIL_ON,
	OPT_FOR,
	OPT_ALL
};

/*
 * --fail-on: an open warning at or above the level, unacknowledged, ends
 * the run with FT_WARNING_OPEN (3; ft(7): no other tool uses it).  It
 * outranks 1 (some records rejected), and every error outranks it.
 */

enum verb {
	V_WATCH,
	V_CHECK,
	V_LIST,
	V_ACK,
	V_RESOLVE,
	V_ESCALATE,
	V_SILENCE,
	V_UNSILENCE,
	V_SILENCES,
	V_N
};

#define VB(v) (1u << (v))

static const struct ft_verb verbs[] = {
	{ "watch", "evaluate the rules over events and readings (the default)",
	  "input file=file..." },
	{ "check", "check a rules file and exit", "" },
	{ "list", "list the warnings", "" },
	{ "ack", "acknowledge a warning", "warning id=text" },
	{ "resolve", "resolve a warning by hand", "warning id=text" },
	{ "escalate", "escalate the unacknowledged warnings (from cron)", "" },
	{ "silence", "mute a rule or a key for a while", "" },
	{ "unsilence", "remove a silence", "silence id=text" },
	{ "silences", "list the silences", "" },
	{ NULL, NULL, NULL }
};

static const struct ft_opt opts[] = {
	{ OPT_RULES, "rules", "FILE",
	  "the warning rules (JSON; see ft-warn(1))",
	  VB(V_WATCH) | VB(V_CHECK) | VB(V_ESCALATE), "file",
	  "the warning rules (JSON)", NULL, 0 },
	{ 'n', "dry-run", NULL, "evaluate and print, store nothing",
	  VB(V_WATCH) | VB(V_ACK) | VB(V_RESOLVE) | VB(V_ESCALATE) |
		  VB(V_SILENCE) | VB(V_UNSILENCE),
	  NULL, NULL, NULL, 0 },
	{ 'r', "rejects", "FILE", "write rejected records to FILE as NDJSON",
	  VB(V_WATCH), "file", NULL, NULL, 0 },
	{ OPT_BY, "by", "NAME",
	  "ack, resolve, silence, unsilence: who acts\n(default $FT_USER, "
	  "else the login name)",
	  VB(V_ACK) | VB(V_RESOLVE) | VB(V_SILENCE) | VB(V_UNSILENCE), "text",
	  "who acts", NULL, 0 },
	{ OPT_NOTE, "note", "TEXT",
	  "ack: a note; resolve: how it was resolved;\nsilence: why "
	  "(required); unsilence: why",
	  VB(V_ACK) | VB(V_RESOLVE) | VB(V_SILENCE) | VB(V_UNSILENCE), "text",
	  "a note, or how it was resolved", NULL, 0 },
	{ OPT_STATUS, "status", "STATUS",
	  "list: open, acked, resolved, or live (open or\nacked)", VB(V_LIST),
	  "words:open acked resolved live", "the warnings of this status", NULL,
	  0 },
	{ OPT_LEVEL, "level", "LEVEL",
	  "list: the warnings at LEVEL or above (blue,\nyellow, orange, red)",
	  VB(V_LIST), "words:blue yellow orange red",
	  "the warnings at this level or above", NULL, 0 },
	{ OPT_RULE, "rule", "NAME",
	  "list: the warnings of one rule; silence: the\nrule muted",
	  VB(V_LIST) | VB(V_SILENCE), "text", NULL, NULL, 0 },
	{ OPT_KEY, "key", "KEY",
	  "list: the warnings of one key; silence: the key\nmuted",
	  VB(V_LIST) | VB(V_SILENCE), "text", NULL, NULL, 0 },
	{ OPT_FOR, "for", "DURATION",
	  "silence: for this long from now (30m, 2h, 7d,\n1w...)",
	  VB(V_SILENCE), "text", "how long the silence lasts", NULL, 0 },
	{ OPT_ALL, "all", NULL, "silences: the expired and removed ones too",
	  VB(V_SILENCES), NULL, NULL, NULL, 0 },
	{ OPT_SINCE, "since", "TIME",
	  "watch: evaluate the stored events reported at TIME\nor later "
	  "(a back-test, no FILE); list: the warnings\nraised at TIME or "
	  "later; TIME may be 24h, 7d...",
	  VB(V_WATCH) | VB(V_LIST), "text",
	  "from this time (or 24h, 7d... before now)", NULL, 0 },
	{ OPT_UNTIL, "until", "TIME",
	  "watch: ... reported before TIME (default now);\nlist: the "
	  "warnings raised before TIME; silence:\nuntil TIME (a time, "
	  "not a duration)",
	  VB(V_WATCH) | VB(V_LIST) | VB(V_SILENCE), "text", "before this time",
	  NULL, 0 },
	{ OPT_MAJOR, "major", NULL, "list: major warnings only", VB(V_LIST),
	  NULL, NULL, NULL, 0 },
	{ OPT_FAIL_ON, "fail-on", "LEVEL",
	  "watch, list: exit 3 when a warning at LEVEL or\nabove is open "
	  "and unacknowledged",
	  VB(V_WATCH) | VB(V_LIST), "words:blue yellow orange red",
	  "exit 3 while an unacknowledged warning at this level or above is "
	  "open",
	  NULL, 0 },
	FT_OPTS_COMMON("the zone of times without an offset and of rules'\n"
		       "hours (default $TZ, else UTC)",
		       "print no summary on standard error (the\n"
		       "warnings are still printed)",
		       "warnings")
};

static const struct ft_tool tool = {
	"ft-warn", usage, tail, opts, verbs, NULL
};

/* One input file, for ft_cli_each_file(). */
static int
each_file(void *ctx, const char *path)
{
	return ft_warn_file(ctx, path);
}

/*
 * A time option into "YYYY-MM-DDTHH:MM:SSZ": a time, or a duration back
 * from now ("90m", "24h", "7d", "2w").  64 after a message.
 */
static int
time_opt(const char *name, const char *arg, char out[FT_TIME_LEN])
{
	const char *err;
	unsigned long n;
	char unit, rest;
	int64_t t;

	if (!arg)
		return FT_OK;
	if (sscanf(arg, "%lu%c%c", &n, &unit, &rest) == 2 &&
	    strchr("smhdw", unit) && n <= 100000000UL) {
		t = ft_time_now() - (int64_t)n * (unit == 's' ? 1 :
						  unit == 'm' ? 60 :
						  unit == 'h' ? 3600 :
						  unit == 'd' ? 86400 :
								7 * 86400);
		ft_time_format(t, out);
		return FT_OK;
	}
	if (ft_time_parse(arg, strlen(arg), &t, &err))
		return ft_usage_error("--%s: %s: %s", name, ft_q(arg), err);
	ft_time_format(t, out);
	return FT_OK;
}

/*
 * A duration N + s, m, h, d or w, up to ten years, into seconds; -1 when
 * it is not one.
 */
static int64_t
seconds_of(const char *arg)
{
	unsigned long n;
	char unit, rest;
	int64_t d;

	if (sscanf(arg, "%lu%c%c", &n, &unit, &rest) != 2 ||
	    !strchr("smhdw", unit) || !n || n > 100000000UL || *arg == '+')
		return -1;
	d = (int64_t)n * (unit == 's' ? 1 :
			  unit == 'm' ? 60 :
			  unit == 'h' ? 3600 :
			  unit == 'd' ? 86400 :
					7 * 86400);
	return d > 10 * 366 * 86400 ? -1 : d;
}

/*
 * silence: what it mutes, and until when: --for from now, or --until a
 * time after now.  64 after a message.
 */
static int
silence_opts(struct ft_warn_silence *s, const char *for_arg, const char *until)
{
	int64_t now = ft_time_now(), d, t;
	char nt[FT_TIME_LEN];
	const char *err;

	if (!s->rule && !s->key)
		return ft_usage_error("silence: --rule NAME or --key KEY is "
				      "needed: what it mutes");
	if (!for_arg == !until)
		return ft_usage_error("silence: --for DURATION or --until TIME "
				      "is needed, not both");
	if (!s->note || !*s->note)
		return ft_usage_error("silence: --note TEXT is needed: why");
	if (for_arg) {
		if ((d = seconds_of(for_arg)) < 0)
			return ft_usage_error("--for: %s is not a duration "
					      "of up to ten years, such as "
					      "30m, 2h, 7d",
					      ft_q(for_arg));
		s->until = now + d;
		return FT_OK;
	}
	if (ft_time_parse(until, strlen(until), &t, &err))
		return ft_usage_error("--until: %s: %s", ft_q(until), err);
	ft_time_format(now, nt);
	if (t <= now)
		return ft_usage_error("--until: %s is not after the current "
				      "time (%s)",
				      ft_q(until), nt);
	s->until = t;
	return FT_OK;
}

int
main(int argc, char **argv)
{
	struct ft_common cm = { 0 };
	struct ft_warn_opts o;
	struct ft_warn_act act;
	struct ft_warn_list l;
	struct ft_warn_silence sil;
	struct ft_warn_esc esc;
	struct ft_warn *w = NULL;
	struct ft_db db = { 0 };
	const char *arg, *since = NULL, *until = NULL, *for_arg = NULL;
	char since_t[FT_TIME_LEN], until_t[FT_TIME_LEN];
	int c, exit_now = 0, st = FT_OK, v = V_WATCH, fail_on = -1;
	long open_n = 0;

	ft_cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	memset(&act, 0, sizeof(act));
	memset(&l, 0, sizeof(l));
	memset(&sil, 0, sizeof(sil));
	memset(&esc, 0, sizeof(esc));
	l.level = -1;
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
		case 'n':
			o.dry_run = act.dry_run = sil.dry_run = esc.dry_run = 1;
			break;
		case 'r':
			o.rejects = arg;
			break;
		case OPT_BY:
			act.by = sil.by = arg;
			break;
		case OPT_NOTE:
			act.note = sil.note = arg;
			break;
		case OPT_FOR:
			for_arg = arg;
			break;
		case OPT_ALL:
			sil.all = 1;
			break;
		case OPT_STATUS:
			if (strcmp(arg, "open") && strcmp(arg, "acked") &&
			    strcmp(arg, "resolved") && strcmp(arg, "live"))
				return ft_usage_error(
					"--status: %s is not open, acked, "
					"resolved or live",
					ft_q(arg));
			l.status = arg;
			break;
		case OPT_LEVEL:
			if ((l.level = ft_warn_level_find(arg)) < 0)
				return ft_usage_error(
					"--level: %s is not blue, yellow, "
					"orange or red",
					ft_q(arg));
			break;
		case OPT_RULE:
			l.rule = sil.rule = arg;
			break;
		case OPT_KEY:
			l.key = sil.key = arg;
			break;
		case OPT_SINCE:
			since = arg;
			break;
		case OPT_UNTIL:
			until = arg;
			break;
		case OPT_MAJOR:
			l.major = 1;
			break;
		case OPT_FAIL_ON:
			if ((fail_on = ft_warn_level_find(arg)) < 0)
				return ft_usage_error(
					"--fail-on: %s is not blue, yellow, "
					"orange or red",
					ft_q(arg));
			break;
		}
	}
	/* A first word that names a verb is the verb; else it is watch's
	 * first file (a file named like a verb is ./ack). */
	if (optind < argc)
		for (c = 0; c < V_N; c++)
			if (!strcmp(argv[optind], verbs[c].name)) {
				v = c;
				optind++;
				break;
			}
	if (ft_opt_verb_check(&tool, v))
		return FT_USAGE;
	if (v == V_ACK || v == V_RESOLVE) {
		if (optind >= argc)
			return ft_usage_error("%s: no WARNING named",
					      verbs[v].name);
		act.id = argv[optind++];
	}
	if (v == V_UNSILENCE) {
		if (optind >= argc)
			return ft_usage_error("unsilence: no SILENCE named");
		sil.id = argv[optind++];
	}
	if (v != V_WATCH && optind < argc)
		return ft_usage_error("%s: unexpected argument %s",
				      verbs[v].name, ft_q(argv[optind]));
	if (v == V_WATCH && (since || until) && optind < argc)
		return ft_usage_error("--since and --until read the stored "
				      "events and readings, not files");
	if (v == V_WATCH && until && !since)
		return ft_usage_error("--until needs --since");
	if (fail_on >= 0 && o.dry_run)
		return ft_usage_error("--fail-on reads the stored warnings: a "
				      "dry run stores none");
	if ((v == V_WATCH || v == V_CHECK || v == V_ESCALATE) && !o.rules)
		return ft_usage_error("%s: --rules FILE is needed",
				      verbs[v].name);
	if ((st = ft_cli_apply(&cm)))
		goto out;
	if (v == V_SILENCE) {
		/* --until is a time here, never a duration back. */
		if ((st = silence_opts(&sil, for_arg, until)))
			goto out;
		until = NULL;
	}
	if ((st = time_opt("since", since, since_t)) ||
	    (st = time_opt("until", until, until_t)))
		goto out;
	l.since = since ? since_t : NULL;
	l.until = until ? until_t : NULL;
	if (v == V_WATCH && since && !until)
		ft_time_format(ft_time_now(), until_t);
	/* A dry-run back-test tries the rules as if they were new. */
	o.fresh = v == V_WATCH && since && o.dry_run;
	o.quiet = cm.quiet;
	o.no_output = act.no_output = l.no_output = cm.no_output;
	sil.no_output = esc.no_output = cm.no_output;
	esc.rules = o.rules;
	esc.quiet = cm.quiet;
	/*
	 * The rules are checked before the database opens (all but their
	 * areas, which are in it), so that a mistake there changes nothing.
	 */
	if (o.rules && (st = ft_warn_check_rules(o.rules)))
		goto out;
	if (v == V_CHECK) {
		if (!cm.quiet)
			ft_warn("%s: the rules are good", o.rules);
		goto out;
	}
	/* list only reads (in place, not on a copy); ack and resolve need
	 * warnings, so a database;
	 * watch creates one as a pipeline's first run may need. */
	if ((st = ft_db_open(&db, ft_cli_db(&cm),
			     (v == V_WATCH ? 0 : FT_DB_EXISTING) |
				     (v == V_LIST || v == V_SILENCES ?
					      FT_DB_READONLY | FT_DB_NO_COPY :
				      o.dry_run ? FT_DB_DRYRUN :
						  0))))
		goto out;
	switch (v) {
	case V_LIST:
		st = ft_warn_list(&db, &l);
		break;
	case V_ACK:
		st = ft_warn_ack(&db, &act);
		break;
	case V_RESOLVE:
		st = ft_warn_resolve(&db, &act);
		break;
	case V_ESCALATE:
		st = ft_warn_escalate(&db, &esc);
		break;
	case V_SILENCE:
		st = ft_warn_silence(&db, &sil);
		break;
	case V_UNSILENCE:
		st = ft_warn_unsilence(&db, &sil);
		break;
	case V_SILENCES:
		st = ft_warn_silences(&db, &sil);
		break;
	default:
		if ((st = ft_warn_new(&w, &db, &o)))
			break;
		if (since)
			st = ft_warn_stored(w, since_t, until_t);
		else
			st = ft_cli_each_file(argv + optind, argc - optind,
					      each_file, w);
		st = ft_exit_worst(st, ft_warn_finish(w));
	}
	if (fail_on >= 0 && (st == FT_OK || st == FT_REJECTED) && !o.dry_run) {
		int s2 = ft_warn_open_at(&db, fail_on, &open_n);

		if (s2)
			st = s2;
		else if (open_n)
			st = FT_WARNING_OPEN;
	}
out:
	ft_warn_free(w);
	ft_db_close(&db);
	return ft_finish(st);
}
