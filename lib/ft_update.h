/*
 * ft_update.h - ft-update(1): status changes and residents' ratings applied
 * to stored events, each checked against the lifecycle.
 *
 * The lifecycle (ft(7)):
 *   new        -> rejected, closed           (dispatched, duplicate: by
 *   dispatched -> accepted, rejected, closed  ft-dispatch)
 *   accepted   -> resolved, rejected, closed
 *   resolved   -> closed, reopened
 *   closed     -> reopened
 *   rejected   -> dispatched (naming the unit), closed
 *   reopened   -> accepted, resolved, dispatched (naming the unit), closed
 *   duplicate  -> closed, reopened
 * Closing records how the case ended: "fixed" from resolved, "duplicate"
 * from duplicate, "not fixed" from anywhere else, so that fix rates count
 * only what was fixed.  A case dispatched by hand (naming its unit) leaves
 * its automatic escalation chain: the person who chose the unit owns it.
 */
#ifndef FT_UPDATE_H
#define FT_UPDATE_H

#include "ft_db.h"

struct ft_update_opts {
	const char *rejects;
	int dry_run;
	int quiet;		/* no summary on stderr */
	int no_output;		/* no changes on stdout */
};

struct ft_update;

int ft_update_new(struct ft_update **up, struct ft_db *db,
		  const struct ft_update_opts *o);
/* Applies the records of path ("-": standard input). */
int ft_update_file(struct ft_update *u, const char *path);
/* Ends the run: the summary; returns the status. */
int ft_update_finish(struct ft_update *u);
void ft_update_free(struct ft_update *u);

/*
 * The states s may move to by ft-update, comma-separated; NULL for a
 * state ft does not know.  Static.
 */
const char *ft_update_allowed(const char *from);

#endif
