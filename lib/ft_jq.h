/*
 * ft_jq.h - a jq filter, compiled once and run on each record (libjq 1.6).
 *
 * Records come in and go out as JSON text: the input has already passed the
 * strict parser (ft_json), and each output is dumped compact, to be indexed
 * by ft_json again.  jv ownership stays inside this module.
 */
#ifndef FT_JQ_H
#define FT_JQ_H

#include "ft_buf.h"
#include "ft_json.h"

#include <stddef.h>

struct ft_jq;

/*
 * The bounds on a filter's work on one record, by default: the seconds its
 * run may work, over all its outputs, and the MiB it may hold.  A filter past either is halted, and its record rejected
 * with the reason (*err below); the tools' pages document these defaults and
 * the FT_JQ_TIME and FT_JQ_MEMORY variables that change them.  One thread
 * at a time runs filters.
 */
#define FT_JQ_SECONDS	1.0
#define FT_JQ_MEGABYTES	256

/* Sets the bounds: seconds (0: none) and bytes (0: none). */
void ft_jq_limits(double seconds, long long bytes);

/*
 * Compiles program; origin names it in messages ("--map", "@nyc311").
 * Returns NULL after printing the compiler's messages.
 */
struct ft_jq *ft_jq_compile(const char *program, const char *origin);
void ft_jq_free(struct ft_jq *q);

/*
 * Starts the filter on the JSON text json[0..len).  Returns 0, or -1 with
 * the reason in *err (valid until the next call).
 */
int ft_jq_start(struct ft_jq *q, const char *json, size_t len,
		const char **err);

/*
 * ft_jq_start() on a document the strict parser made.  A map that only
 * picks members of an object ("{id, title: .subject}") runs on an object
 * without jq, its output the same as jq's, byte for byte.
 */
int ft_jq_start_doc(struct ft_jq *q, const struct ft_json_doc *in,
		    const char **err);

/*
 * The next output, as a compact JSON document in d (replaced), indexed as
 * ft_json_parse() would.  Returns 1, or 0 when the run is over: *err is
 * then NULL when the filter came to its end (halt is one), or why it did
 * not: the filter's error (halt_error's input is one), or that it was
 * halted at one of the bounds.  *err is valid until the next call.
 */
int ft_jq_next(struct ft_jq *q, struct ft_json_doc *d, const char **err);

/*
 * Runs q as a predicate on json[0..len): returns 1 when its first output
 * is true (neither false nor null), else 0.  *err is NULL when the filter
 * answered (no output is not true), or why it did not, as ft_jq_next()
 * says it: *halted is 1 when it was halted at one of the bounds, so that
 * whether json passes is unknown, and 0 when it failed.
 */
int ft_jq_test(struct ft_jq *q, const char *json, size_t len, const char **err,
	       int *halted);

/*
 * ft_jq_compile() without messages: NULL when program does not compile.
 */
struct ft_jq *ft_jq_compile_quiet(const char *program);

/*
 * Splits a map of the form "PATHS | REST", where PATHS ends by iterating
 * ("[]" or "[]?", as in ".results[] | {...}"), at its first '|' outside
 * strings, comments and brackets ("|=" is not one): *paths gets
 * "[path(PATHS)][]", a program whose outputs are the paths of the values
 * REST runs on (all listed before the first, so that a PATHS that is not a
 * path expression fails before any), and *rest gets REST.  Returns 1, or 0
 * when the program is not of that form (or starts with a definition, which
 * REST would need).  Whether both compile is the caller's to check.
 */
int ft_jq_split(const char *program, struct ft_buf *paths,
		struct ft_buf *rest);

/*
 * The text of a mapping shipped with ft ("nyc311" for "@nyc311"), or NULL.
 * Borrowed, static.
 */
const char *ft_jq_builtin(const char *name);
/* The names of the shipped mappings, NULL-terminated. */
extern const char *const ft_jq_builtin_names[];

#endif
