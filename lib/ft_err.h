/*
 * ft_err.h - messages to standard error, prefixed with the tool's name.
 *
 * Messages follow one shape: "ft-ingest: calls.csv:123: field "lat": not a
 * number: "abc"" - lower case, no final full stop.  Input text in a message
 * is quoted with ft_q() (below); a message is written with any control
 * character or invalid UTF-8 left in it escaped all the same, so that no
 * message can drive the terminal it is shown on.  ft_error() returns -1
 * so that library code can write "return ft_error(...)".
 *
 * The return convention of lib/ (issue 12 asks for one, written here):
 *   - A function that can fail returns an exit status of ft_exit.h: FT_OK
 *     (0), or the status the run should end with, after it has printed
 *     its one message.  The caller passes a status up unchanged and
 *     prints nothing more; only cmd/ turns it into the exit status, and
 *     ft_exit_worst() keeps the worst of several.
 *   - What a function finds goes to an out-parameter (found, yes, stored,
 *     a row): the store's operations (ft_store.h) work this way.
 *   - A yes/no helper that cannot fail returns 1 or 0.
 *   - A record rejected is no failure: reject, count, return FT_OK.
 *   - A lookup that gives a place returns it, or -1 for none
 *     (vote_plist_find()); that is an answer, not a failure.
 * The functions that returned -2 or -(status) beside their answer
 * (ft_dup_find, ft_jq_next, ft_jq_test, ft_rules_match, vote_list_json)
 * were converted in issue 12.
 */
#ifndef FT_ERR_H
#define FT_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* Set once by main(); used as the prefix of every message. */
extern const char *ft_progname;

int ft_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * ft_error() with the arguments in ap, for a function that takes a format
 * of its own (a usage error, in cmd/ and in lib/).  The message is cut at
 * 1023 bytes, as the copies it replaces cut it.  Returns -1.
 */
int ft_errorv(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));
void ft_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Input text quoted in a message: s[0..n) between double quotes, with '"'
 * and '\\' escaped by a backslash, \n \r \t as such, every other control
 * character (C0, DEL) and every byte that is not valid UTF-8 as \xHH, and
 * the C1 controls and the bidirectional controls as \uHHHH.  So a crafted
 * value can neither send escape sequences to a terminal nor end the quotes
 * early.  Appended to out.
 */
struct ft_buf;
void ft_quote(struct ft_buf *out, const char *s, size_t n);

/*
 * The same, for a message's arguments: ft_error("no unit %s", ft_q(id)).
 * The result lives in one of FT_Q_SLOTS buffers per thread, reused in turn,
 * so up to that many may stand in one message; a value quoted longer than
 * FT_Q_MAX bytes is cut, and "..." follows the closing quote.
 */
#define FT_Q_SLOTS 8
#define FT_Q_MAX 240
const char *ft_q(const char *s);
const char *ft_qn(const char *s, size_t n);

/*
 * Reports a failed write to standard output once (not a closed pipe, which
 * is an ordinary end); ft_finish() then returns 74.
 */
void ft_stdout_failed(int err);

/*
 * Ends a run: flushes standard output and returns status, or 74 if
 * writing failed (a reader that went away is not a failure).
 */
int ft_finish(int status);

/* Out of memory: print and exit 70.  The one place library code exits. */
_Noreturn void ft_die_nomem(void);

#endif
