/*
 * ft_hold.h - the output of a transaction, held until it commits: what a
 * tool prints is what it stored, and nothing of a transaction that did
 * not commit is printed.
 *
 * The caller appends its lines to buf, calls ft_hold_keep() after each
 * record, and ends the transaction with ft_hold_print() once COMMIT
 * succeeded, or ft_hold_drop() when it did not.  The output is held in
 * memory, and past FT_HOLD_MAX in an unlinked temporary file in $TMPDIR
 * (else /tmp), so that memory stays flat however many records a
 * transaction holds.
 */
#ifndef FT_HOLD_H
#define FT_HOLD_H

#include "ft_buf.h"

#include <stdio.h>

#define FT_HOLD_MAX (1 << 20)

struct ft_hold {
	struct ft_buf buf;	/* the output not yet kept: append here */
	FILE *spill;		/* what is held past FT_HOLD_MAX, or NULL */
	int no_output;		/* --no-output: nothing printed, nothing held */
	int closed;		/* standard output failed: nothing more */
};

/* Sets up h, empty; no_output (--no-output) drops everything. */
void ft_hold_init(struct ft_hold *h, int no_output);

/*
 * The directory of the temporary files (borrowed, kept; NULL or "": /tmp).
 * main() sets it from TMPDIR.
 */
void ft_hold_set_dir(const char *dir);

/*
 * Keeps what is in buf until the transaction ends.  Returns an exit
 * status: 73 when the temporary file cannot be created, 74 when it cannot
 * be written (the caller stops and rolls back).
 */
int ft_hold_keep(struct ft_hold *h);

/* Drops everything held: its transaction did not commit. */
void ft_hold_drop(struct ft_hold *h);

/*
 * Prints everything held, in order, once its transaction has committed,
 * and empties h.  A failed write to standard output is reported once and
 * ends the printing (h->closed).  Returns an exit status: 74 when the
 * temporary file cannot be read back.
 */
int ft_hold_print(struct ft_hold *h);

/* Frees what h holds. */
void ft_hold_release(struct ft_hold *h);

#endif
