#include "ft_opt.h"
#include "ft_cli.h"
#include "ft_err.h"
#include "ft_exit.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPTS 64
#define HELP_COL 26 /* the column of the help texts */

/* The table being parsed: one tool a process. */
static struct option lopts[MAX_OPTS + 1];
static char shortopts[2 * MAX_OPTS + 2];
static unsigned char given[MAX_OPTS]; /* the options met, by index */
static const struct ft_tool *parsed;

static int
has_short(const struct ft_opt *o)
{
	return o->id > 0 && o->id < 128 && isalnum(o->id);
}

static void
build(const struct ft_tool *t)
{
	size_t i, n = 0;
	char *s = shortopts;

	*s++ = ':'; /* a missing value is ':', not '?' */
	for (i = 0; t->opts[i].id; i++) {
		const struct ft_opt *o = &t->opts[i];

		if (i == MAX_OPTS) {
			fputs("ft_opt: too many options\n", stderr);
			abort();
		}
		lopts[n].name = o->name;
		lopts[n].has_arg = o->arg ? required_argument : no_argument;
		lopts[n].flag = NULL;
		lopts[n].val = o->id;
		n++;
		if (has_short(o)) {
			*s++ = (char)o->id;
			if (o->arg)
				*s++ = ':';
		}
	}
	memset(&lopts[n], 0, sizeof(lopts[n]));
	*s = '\0';
	parsed = t;
	opterr = 0;
}

int
ft_opt_next(const struct ft_tool *t, int argc, char **argv, const char **arg)
{
	int c;
	size_t i;

	if (parsed != t)
		build(t);
	*arg = NULL;
	c = getopt_long(argc, argv, shortopts, lopts, NULL);
	if (c == -1)
		return -1;
	if (c == ':' || c == '?') {
		ft_cli_bad_option(c, argv);
		return -2;
	}
	for (i = 0; t->opts[i].id; i++)
		if (t->opts[i].id == c)
			given[i] = 1;
	*arg = optarg;
	return c;
}

int
ft_opt_verb_check(const struct ft_tool *t, int verb)
{
	size_t i;

	for (i = 0; t->opts[i].id; i++)
		if (given[i] && t->opts[i].verbs &&
		    !(t->opts[i].verbs & (1u << verb)))
			return ft_usage_error("%s: --%s does not apply",
					      t->verbs[verb].name,
					      t->opts[i].name);
	return 0;
}

void
ft_opt_help(const struct ft_tool *t)
{
	const struct ft_opt *o;
	const char *h, *nl;
	int n;

	fputs(t->usage, stdout);
	for (o = t->opts; o->id; o++) {
		if (!o->help)
			continue;
		n = printf("  %c%c%s--%s%s%s", has_short(o) ? '-' : ' ',
			   has_short(o) ? o->id : ' ',
			   has_short(o) ? ", " : "  ", o->name,
			   o->arg ? " " : "", o->arg ? o->arg : "");
		for (h = o->help;; h = nl + 1) {
			printf("%*s", n < HELP_COL - 1 ? HELP_COL - n : 2, "");
			nl = strchr(h, '\n');
			if (!nl) {
				printf("%s\n", h);
				break;
			}
			printf("%.*s\n", (int)(nl - h), h);
			n = 0;
		}
	}
	fputs(t->tail, stdout);
}

/* ---- completions ---- */

/* Is o a completion's business: documented, and taken by verb v? */
static int
listed(const struct ft_opt *o, int v)
{
	return o->help && (v < 0 || !o->verbs || (o->verbs & (1u << v)));
}

/* bash: "-k --kind" of o, or "--kind". */
static void
bash_names(const struct ft_opt *o, const char **sep)
{
	if (has_short(o)) {
		printf("%s-%c", *sep, o->id);
		*sep = " ";
	}
	printf("%s--%s", *sep, o->name);
	*sep = " ";
}

/* bash: NAME="the options of verb v (-1: all)", or those with a value. */
static void
bash_list(const struct ft_tool *t, const char *name, int v, int with_arg)
{
	const struct ft_opt *o;
	const char *sep = "";

	printf("%s=\"", name);
	for (o = t->opts; o->id; o++)
		if (listed(o, v) && (!with_arg || o->arg))
			bash_names(o, &sep);
	printf("\"\n");
}

/* s[0..n) for bash's double quotes. */
static void
bash_quoted(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr("\"$`\\", s[i]))
			putchar('\\');
		putchar(s[i]);
	}
}

/* bash: the command that completes a value of spec, the word in $2. */
static void
bash_values(const char *spec)
{
	if (!strcmp(spec, "file")) {
		printf("_ft_files \"$2\"");
	} else if (!strncmp(spec, "file:", 5)) {
		printf("_ft_files \"$2\" \"");
		bash_quoted(spec + 5, strlen(spec + 5));
		putchar('"');
	} else if (!strcmp(spec, "zone")) {
		printf("_ft_zones \"$2\"");
	} else if (!strncmp(spec, "words:", 6)) {
		printf("_ft_words \"");
		bash_quoted(spec + 6, strlen(spec + 6));
		printf("\" \"$2\"");
	} else if (spec[0] == '@') {
		printf("_ft_%s \"$2\"", spec + 1);
	} else {
		printf(":"); /* "text": nothing to offer */
	}
}

/* The tool's name as a shell variable's part: ft-vote -> ft_vote. */
static const char *
ident(const char *name)
{
	static char buf[64];
	size_t i;

	for (i = 0; i < sizeof(buf) - 1 && name[i]; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
	return buf;
}

/*
 * A list of words that are not options, "LABEL=SPEC;LABEL=SPEC...": for
 * bash, the specs alone, space-separated, a last "..." kept (it repeats).
 */
static void
bash_args(const char *list)
{
	const char *p = list, *eq, *end;

	while (p && *p) {
		end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq) {
			bash_quoted(eq + 1, (size_t)(end - eq - 1));
			if (*end)
				putchar(' ');
		}
		p = *end ? end + 1 : end;
	}
}

static int
bash(const struct ft_tool *t)
{
	const struct ft_opt *o;
	char name[128];
	const char *id = ident(t->name);
	int v;

	printf("# %s\n", t->name);
	snprintf(name, sizeof(name), "_ft_opts_%s", id);
	bash_list(t, name, -1, 0);
	snprintf(name, sizeof(name), "_ft_args_%s", id);
	bash_list(t, name, -1, 1);
	printf("_ft_values_%s()\n{\n\tcase $1 in\n", id);
	for (o = t->opts; o->id; o++) {
		const char *sep = "";

		if (!listed(o, -1) || !o->arg)
			continue;
		printf("\t");
		if (has_short(o)) {
			printf("-%c", o->id);
			sep = " | ";
		}
		printf("%s--%s)\n\t\t", sep, o->name);
		bash_values(o->values ? o->values : "text");
		printf(" ;;\n");
	}
	printf("\tesac\n}\n");
	if (!t->verbs) {
		printf("_ft_wargs_%s=\"", id);
		bash_args(t->args);
		printf("\"\n");
		return FT_OK;
	}
	printf("_ft_verbs_%s=\"", id);
	for (v = 0; t->verbs[v].name; v++)
		printf("%s%s", v ? " " : "", t->verbs[v].name);
	printf("\"\n");
	for (v = 0; t->verbs[v].name; v++) {
		snprintf(name, sizeof(name), "_ft_vopts_%s_%s", id,
			 t->verbs[v].name);
		bash_list(t, name, v, 0);
		printf("_ft_vargs_%s_%s=\"", id, t->verbs[v].name);
		bash_args(t->verbs[v].args);
		printf("\"\n");
	}
	return FT_OK;
}

/* s[0..n) inside zsh's single quotes, ']' and ':' escaped too if desc. */
static void
zsh_quoted(const char *s, size_t n, int desc)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\'')
			fputs("'\\''", stdout);
		else if (s[i] == '\n')
			putchar(' ');
		else if (desc && (s[i] == ']' || s[i] == '[' || s[i] == ':' ||
				  s[i] == '\\'))
			printf("\\%c", s[i]);
		else
			putchar(s[i]);
	}
}

/* zsh: the action that completes a value of spec. */
static void
zsh_action(const char *spec)
{
	const char *p;

	if (!strcmp(spec, "file")) {
		printf("_files");
	} else if (!strncmp(spec, "file:", 5)) {
		printf("_files -g \"");
		zsh_quoted(spec + 5, strlen(spec + 5), 0);
		printf("(-.)\"");
	} else if (!strcmp(spec, "zone")) {
		printf("_time_zone");
	} else if (!strncmp(spec, "words:", 6)) {
		putchar('(');
		for (p = spec + 6; *p; p++) {
			if (strchr(";|()[]\"\\&<>$`", *p))
				putchar('\\');
			if (*p == '\'')
				fputs("'\\''", stdout);
			else
				putchar(*p);
		}
		putchar(')');
	} else if (spec[0] == '@') {
		printf("_ft_%s", spec + 1);
	} else {
		putchar(' '); /* "text": a message only */
	}
}

/*
 * The description of o for zsh: desc, else its help as one line, without
 * a leading "verb: " and cut before a " (" or "; ".
 */
static void
zsh_desc(const struct ft_tool *t, const struct ft_opt *o)
{
	const char *h = o->desc ? o->desc : o->help, *colon, *end, *e;
	int v;

	colon = strstr(h, ": ");
	if (!o->desc && colon && t->verbs) {
		for (v = 0; t->verbs[v].name; v++)
			if (!strncmp(h, t->verbs[v].name,
				     (size_t)(colon - h)) &&
			    strlen(t->verbs[v].name) == (size_t)(colon - h))
				h = colon + 2;
	}
	end = h + strlen(h);
	if (!o->desc) {
		if ((e = strstr(h, " (")) && e < end)
			end = e;
		if ((e = strstr(h, "; ")) && e < end)
			end = e;
		if ((e = strstr(h, ";\n")) && e < end)
			end = e;
	}
	zsh_quoted(h, (size_t)(end - h), 1);
}

static void
zsh_opt(const struct ft_tool *t, const struct ft_opt *o, const char *indent)
{
	char label[64];
	size_t i;

	printf("%s'", indent);
	if (o->flags & FT_OPT_REPEAT)
		putchar('*');
	if (o->excl)
		printf("(%s)", o->excl);
	else if (has_short(o) && !(o->flags & FT_OPT_REPEAT))
		printf("(-%c --%s)", o->id, o->name);
	if (has_short(o))
		printf("'{-%c%s,--%s%s}'", o->id, o->arg ? "+" : "", o->name,
		       o->arg ? "=" : "");
	else
		printf("--%s%s", o->name, o->arg ? "=" : "");
	putchar('[');
	zsh_desc(t, o);
	putchar(']');
	if (o->arg) {
		for (i = 0; i < sizeof(label) - 1 && o->arg[i]; i++)
			label[i] = (char)tolower((unsigned char)o->arg[i]);
		label[i] = '\0';
		printf(":%s:", label);
		zsh_action(o->values ? o->values : "text");
	}
	printf("' \\\n");
}

/*
 * zsh: the _arguments specs of the words that are not options:
 * "LABEL=SPEC;..." -> '1:LABEL:ACTION' ... '*:LABEL:ACTION' (a SPEC that
 * ends in "..." repeats); a LABEL may start with "(EXCLUDED)".
 */
static void
zsh_args(const char *list, const char *indent)
{
	const char *p = list, *eq, *end, *lab;
	char spec[256];
	int n = 1;
	size_t l;

	while (p && *p) {
		end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			break;
		lab = p;
		printf("%s'", indent);
		if (*lab == '(') {
			const char *close = memchr(lab, ')',
						   (size_t)(eq - lab));

			if (close) {
				printf("%.*s", (int)(close - lab + 1), lab);
				lab = close + 1;
			}
		}
		l = (size_t)(end - eq - 1);
		snprintf(spec, sizeof(spec), "%.*s", (int)l, eq + 1);
		if (l >= 3 && !strcmp(spec + l - 3, "...")) {
			spec[l - 3] = '\0';
			putchar('*');
		} else {
			printf("%d", n++);
		}
		printf(":%.*s:", (int)(eq - lab), lab);
		zsh_action(spec);
		printf("' \\\n");
		p = *end ? end + 1 : end;
	}
}

static int
zsh(const struct ft_tool *t)
{
	const struct ft_opt *o;
	int v;

	printf("(( $+functions[_%s] )) ||\n_%s() {\n", t->name, t->name);
	if (!t->verbs) {
		printf("  _arguments -s -S \\\n");
		for (o = t->opts; o->id; o++)
			if (listed(o, -1))
				zsh_opt(t, o, "    ");
		zsh_args(t->args, "    ");
		printf("    && return 0\n  return 1\n}\n\n");
		return FT_OK;
	}
	printf("  local curcontext=$curcontext state line ret=1 _ft_db\n"
	       "  local -a verbs\n  local -A opt_args\n\n  verbs=(\n");
	for (v = 0; t->verbs[v].name; v++) {
		printf("    '%s:", t->verbs[v].name);
		zsh_quoted(t->verbs[v].desc, strlen(t->verbs[v].desc), 1);
		printf("'\n");
	}
	printf("  )\n  _arguments -C -s -S \\\n");
	for (o = t->opts; o->id; o++)
		if (listed(o, -1) && !o->verbs)
			zsh_opt(t, o, "    ");
	printf("    '(-)1:verb:->verb' \\\n"
	       "    '(-)*::argument:->argument' && ret=0\n\n"
	       "  case $state in\n  verb)\n"
	       "    _describe -t verbs '%s verb' verbs && ret=0\n    ;;\n"
	       "  argument)\n"
	       "    curcontext=${curcontext%%:*:*}:%s-$words[1]:\n"
	       "    # A --db before the verb, for the completion of rounds.\n"
	       "    _ft_db=${opt_args[--db]}\n"
	       "    case $words[1] in\n",
	       t->name, t->name);
	for (v = 0; t->verbs[v].name; v++) {
		printf("    %s)\n      _arguments -s -S \\\n",
		       t->verbs[v].name);
		for (o = t->opts; o->id; o++)
			if (listed(o, v))
				zsh_opt(t, o, "        ");
		zsh_args(t->verbs[v].args, "        ");
		printf("        && ret=0 ;;\n");
	}
	printf("    *)\n      _message \"unknown verb: $words[1]\" ;;\n"
	       "    esac\n    ;;\n  esac\n  return ret\n}\n\n");
	return FT_OK;
}

int
ft_opt_completion(const struct ft_tool *t, const char *shell)
{
	if (!strcmp(shell, "bash"))
		return bash(t);
	if (!strcmp(shell, "zsh"))
		return zsh(t);
	return ft_usage_error("--ft-completion: bash or zsh, not %s",
			      ft_q(shell));
}
