/*
 * ft_reject.h - rejected records: the message on standard error and the
 * --rejects file, the same for every tool.
 *
 * The file holds one JSON object a line: {"file", "line", "path" for a
 * value a map split from the record, "id" when the record names a stored
 * one, "reason", "raw" and, when the record could be read, "record"}.  A reason is a fixed text for each kind of rejection,
 * so that reasons can be counted; what varies (the id) is a member of its
 * own.  It is created with mode
 * 0600 (an existing file is emptied and made 0600; a symbolic link is
 * refused, but under /dev): rejected records hold personal data, like the
 * database.  Messages stop after FT_REJECT_MESSAGES (a run, or a file when
 * the caller resets messages); the file keeps them all.
 */
#ifndef FT_REJECT_H
#define FT_REJECT_H

#include "ft_buf.h"

#include <stddef.h>
#include <stdio.h>

#define FT_REJECT_MESSAGES 100

struct ft_reject {
	FILE *f;		/* NULL: no --rejects */
	char *path;
	long n;			/* records rejected */
	long messages;		/* printed; a caller may count by file */
	int status;		/* FT_IOERR once writing the file failed */
	struct ft_buf line;
};

/* Opens path (NULL: messages only).  Returns an exit status (73). */
int ft_reject_open(struct ft_reject *r, const char *path);

/*
 * Rejects one record: fname:line: reason on standard error, and the record
 * in the file.  raw is its source text; record its JSON, or NULL.
 */
void ft_reject_add(struct ft_reject *r, const char *fname, long line,
		   const char *reason, const char *raw, size_t rawlen,
		   const char *record, size_t reclen);

/*
 * The same, for a record that names the stored record id (idlen bytes):
 * "fname:line: id \"ID\": reason" on standard error, and an "id" member in
 * the file.  reason does not repeat the id.
 */
void ft_reject_add_id(struct ft_reject *r, const char *fname, long line,
		      const char *id, size_t idlen, const char *reason,
		      const char *raw, size_t rawlen, const char *record,
		      size_t reclen);

/*
 * The same, for one of the values a --map split a source record into (see
 * ft_jq_split()): path is the JSON text of its path in the record
 * (["results",17]), as "fname:line: path PATH: reason" on standard error
 * and a "path" member in the file; raw is the value's text.  id, when not
 * NULL, is named too: "fname:line: path PATH: id \"ID\": reason".
 */
void ft_reject_add_path(struct ft_reject *r, const char *fname, long line,
			const char *id, size_t idlen, const char *path,
			size_t pathlen, const char *reason, const char *raw,
			size_t rawlen, const char *record, size_t reclen);

/* Closes the file.  Returns an exit status (74 if a write failed). */
int ft_reject_close(struct ft_reject *r);

#endif
