/*
 * ft_dispatch.h - ft-dispatch(1): places events in their area, gives each a
 * responsible unit and deadlines by the rules, links duplicates, and
 * escalates overdue cases.
 *
 * Every decision is stored (the event's dispatch columns and a history
 * entry) in the same transaction, and only an event still undispatched is
 * decided: running the same events again changes nothing.  Decisions are
 * printed once their transaction has committed.
 */
#ifndef FT_DISPATCH_H
#define FT_DISPATCH_H

#include "ft_db.h"

#include <stddef.h>

struct ft_dispatch_opts {
	const char *rules;	/* the rules file; NULL for --escalate */
	const char *rejects;	/* --rejects FILE, or NULL */
	size_t batch;		/* events a transaction; 0: the default */
	int explain;
	int dry_run;		/* decide and print; roll every batch back */
	int quiet;		/* no summary on stderr */
	int no_output;		/* no events on stdout */
	int progress;
};

struct ft_dispatch;

/*
 * Loads the units and the rules (refusing a bad rules file with
 * FT_CONFIG) over db, open and owned by the caller.  Returns a status.
 */
int ft_dispatch_new(struct ft_dispatch **dp, struct ft_db *db,
		    const struct ft_dispatch_opts *o);

/* Dispatches the events read from path ("-": standard input). */
int ft_dispatch_file(struct ft_dispatch *d, const char *path);

/* Dispatches every stored event not dispatched yet, oldest first. */
int ft_dispatch_pending(struct ft_dispatch *d);

/* Moves every overdue case up its escalation chain, as of now. */
int ft_dispatch_escalate(struct ft_dispatch *d);

/* Commits what is left and prints the summary.  Returns a status. */
int ft_dispatch_finish(struct ft_dispatch *d);

void ft_dispatch_free(struct ft_dispatch *d);

#endif
