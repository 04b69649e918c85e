/*
 * ft_opt.h - one table of a tool's options, in the manner of git's
 * parse-options: each option is written once, with its names, its value,
 * its help text, the verbs that take it and what completes its value, and
 * the table drives the parsing (getopt_long), --help, and the bash and zsh
 * completions, which the build makes from it (`TOOL --ft-completion bash`
 * or `zsh`: see completions/gen.sh).  tests/docs.bats checks the man pages
 * against what --help prints.
 *
 * A new option is one line in the tool's table and its case in main()'s
 * switch; a new tool is a table, a struct ft_tool, and its name in the
 * Makefile's TOOLS.
 */
#ifndef FT_OPT_H
#define FT_OPT_H

/* getopt_long values of the common long options without a short form. */
enum {
	FT_OPT_DB = 1000,
	FT_OPT_NOW,
	FT_OPT_TZ,
	FT_OPT_VERSION,
	FT_OPT_NO_OUTPUT,
	FT_OPT_COMPLETION, /* --ft-completion SHELL, for the build */
	FT_OPT_TOOL /* tools number their own from here */
};

/* ft_opt.flags */
enum {
	FT_OPT_REPEAT = 1 /* may be given more than once */
};

struct ft_opt {
	/*
	 * What parsing returns for it: its short letter when it has one,
	 * else a number from FT_OPT_TOOL on (or a common FT_OPT_*).
	 */
	int id;
	const char *name; /* the long name, without "--" */
	const char *arg; /* the value's name in --help; NULL: none */
	/*
	 * The --help text; a '\n' goes on on a new line at the text's
	 * column.  The first line, or up to ": ", is the zsh description
	 * unless desc says otherwise.
	 */
	const char *help;
	unsigned verbs; /* the verbs that take it, 1 << verb; 0: all */
	/*
	 * What completes the value:
	 *   "file"            file names
	 *   "file:GLOB"       file names matching GLOB, and directories
	 *   "zone"            time zone names
	 *   "text"            nothing to offer (a time, a number, a name)
	 *   "words:A B C"     one of the words
	 *   "@NAME"           the completion function NAME of both shells
	 *                     (completions/ft.bash.in, completions/_ft.in)
	 */
	const char *values;
	const char *desc; /* zsh: the description, if not from help */
	const char *excl; /* zsh: what it excludes ("--rules *"); NULL:
				   its own names */
	int flags;
};

struct ft_verb {
	const char *name;
	const char *desc; /* zsh: what it does */
	/*
	 * Its words after the verb, for the completions: "round" (a round
	 * of the database), "files", "file:GLOB", as a list ("round files":
	 * a round, then files).
	 */
	const char *args;
};

struct ft_tool {
	const char *name;
	const char *usage; /* --help: the lines before the options */
	const char *tail; /* --help: the lines after them */
	const struct ft_opt *opts; /* ends with an id of 0 */
	const struct ft_verb *verbs; /* ends with a NULL name; NULL: none */
	const char *args; /* zsh: the _arguments specs of the words that
				   are not options (no verbs) */
};

/*
 * The common options, whose help says what the tool prints (RECORDS:
 * "records", "events"...) and how --tz is chosen (TZHELP).
 */
#define FT_OPTS_COMMON(TZHELP, QUIET, RECORDS) \
	{ FT_OPT_DB, "db", \
	  "PATH",    "the database (default $FT_DB, else ./ft.db)", \
	  0,	     "file", \
	  NULL,	     NULL, \
	  0 }, \
		{ FT_OPT_NOW, \
		  "now", \
		  "TIME", \
		  "the current time (default $FT_NOW, else the clock)", \
		  0, \
		  "text", \
		  NULL, \
		  NULL, \
		  0 }, \
		{ FT_OPT_TZ, \
		  "tz", \
		  "ZONE", \
		  TZHELP, \
		  0, \
		  "zone", \
		  "the zone of times without an offset", \
		  NULL, \
		  0 }, \
		{ 'q', \
		  "quiet", \
		  NULL, \
		  QUIET, \
		  0, \
		  NULL, \
		  "print no summary on standard error", \
		  NULL, \
		  0 }, \
		{ FT_OPT_NO_OUTPUT, \
		  "no-output", \
		  NULL, \
		  "print no " RECORDS " on standard output", \
		  0, \
		  NULL, \
		  NULL, \
		  NULL, \
		  0 }, \
		{ 'h',	"help", NULL, "show this help and exit", 0, NULL, \
		  NULL, "- *",	0 }, \
		{ FT_OPT_VERSION, \
		  "version", \
		  NULL, \
		  "show the version and exit", \
		  0, \
		  NULL, \
		  NULL, \
		  "- *", \
		  0 }, \
		{ FT_OPT_COMPLETION, \
		  "ft-completion", \
		  "SHELL", \
		  NULL, \
		  0, \
		  NULL, \
		  NULL, \
		  NULL, \
		  0 }, \
	{ \
		0, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0 \
	}

/*
 * The next option of argv, as getopt_long() reads it (options and other
 * words in any order; "--" ends the options): returns its id and sets
 * *arg to its value (NULL for none), -1 at the end (optind is then the
 * first other word, as getopt_long leaves it), or FT_USAGE after a message
 * for an option it does not know or a value missing.  The tool's table is
 * read on the first call.
 */
int ft_opt_next(const struct ft_tool *t, int argc, char **argv,
		const char **arg);

/*
 * For a tool with verbs, once the verb is known: FT_USAGE after a message
 * for the first option given (in the table's order) that the verb does not
 * take, else 0.
 */
int ft_opt_verb_check(const struct ft_tool *t, int verb);

/* Prints the tool's --help to standard output. */
void ft_opt_help(const struct ft_tool *t);

/*
 * Prints what the completions of shell ("bash" or "zsh") need of the
 * tool: bash's tables, or zsh's completion function.  Returns FT_USAGE
 * after a message for another shell.
 */
int ft_opt_completion(const struct ft_tool *t, const char *shell);

#endif
