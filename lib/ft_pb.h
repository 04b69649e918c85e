/*
 * ft_pb.h - the pabulib .pb file: reading and writing its three sections.
 *
 * A .pb file (pabulib.org) is text in three sections, each introduced by a
 * line holding its name alone (META, PROJECTS, VOTES) and each a table of
 * ';'-separated fields with CSV quoting, whose first row names the columns.
 * Line ends may be LF or CRLF; blank lines are not rows.  This module knows
 * the syntax only: what the fields mean is ft_vote's business.
 *
 * The whole file is held in memory: the largest published files are a few
 * megabytes, and a count needs every ballot anyway.
 */
#ifndef FT_PB_H
#define FT_PB_H

#include "ft_buf.h"

#include <stdio.h>

struct ft_pb_row {
	long line;		/* the physical line the row starts on */
	int n;			/* fields */
	char **f;		/* owned, NUL-terminated */
};

struct ft_pb_section {
	long line;		/* of the section's name; 0: missing */
	struct ft_pb_row head;	/* the column names */
	struct ft_pb_row *rows;
	int nrows, cap;
};

struct ft_pb {
	struct ft_pb_section meta, projects, votes;
	long errors;		/* how many ft_pb_read() printed */
};

/*
 * Reads path into pb.  Returns an exit status; on failure the message has
 * been printed.  Syntax errors (text before META, a section twice) are
 * FT_DATAERR with the line named, and so is a field that is not text: a
 * NUL byte (which would cut the field short, and make an id the same as
 * its prefix), bytes that are not UTF-8, or a control character other than
 * a tab or a line end (terminal escapes, were it printed).  Each such
 * field is reported (up to 100) as FILE:LINE: SECTION COLUMN: what, and
 * pb->errors says how many errors there were.
 */
int ft_pb_read(struct ft_pb *pb, const char *path);
void ft_pb_release(struct ft_pb *pb);

/* The index of the column named name, or -1. */
int ft_pb_col(const struct ft_pb_section *s, const char *name);
/* The field of column c in row r: "" when the row is short. */
const char *ft_pb_field(const struct ft_pb_row *r, int c);

/* Appends one row of n fields, quoted where needed, and a line end. */
void ft_pb_put_row(struct ft_buf *out, const char *const *f, int n);

#endif
