/*
 * ft_err.h - messages to standard error, prefixed with the tool's name.
 *
 * Messages follow one shape: "ft-ingest: calls.csv:123: field "lat": not a
 * number: "abc"" - lower case, no final full stop.  ft_error() returns -1
 * so that library code can write "return ft_error(...)".
 */
#ifndef FT_ERR_H
#define FT_ERR_H

/* Set once by main(); used as the prefix of every message. */
extern const char *ft_progname;

int ft_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ft_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Out of memory: print and exit 70.  The one place library code exits. */
_Noreturn void ft_die_nomem(void);

#endif
