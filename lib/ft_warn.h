/*
 * ft_warn.h - ft-warn(1): warning rules evaluated over events and sensor
 * readings as they arrive; warnings raised, kept up to date, resolved when
 * their condition has cleared, and acknowledged and resolved by people.
 *
 * Time is the records' own: a window ends at each record's time, and a
 * warning resolves itself once the latest time seen (the clock, kept in
 * the database between runs) has passed the end of its quiet period.  So
 * the same records in the same order give the same warnings however they
 * are split into runs.
 *
 * A warning is known by its rule and key: while one is live (open or
 * acknowledged), the same condition updates it; once it is resolved, the
 * condition raises a new one.  Its id is a digest of the rule, the key and
 * the time it was raised, the same in every run.
 */
#ifndef FT_WARN_H
#define FT_WARN_H

#include "ft_db.h"

#include <stdint.h>

struct ft_warn_opts {
	const char *rules; /* the rules file */
	const char *rejects;
	int dry_run;
	int quiet; /* no summary */
	int no_output; /* no warnings on standard output */
	/*
	 * Start from nothing: not from what the last run left (the
	 * windows, the live warnings, the clock), as a dry-run back-test
	 * tries rules as if they were new.
	 */
	int fresh;
};

struct ft_warn;

/* Reads the rules, then the state of the last run.  Returns a status. */
int ft_warn_new(struct ft_warn **wp, struct ft_db *db,
		const struct ft_warn_opts *o);
/* Evaluates the records of path ("-": standard input). */
int ft_warn_file(struct ft_warn *w, const char *path);
/*
 * The back-test: evaluates the events stored with reported_at from since
 * to before until (stored times, "YYYY-MM-DDTHH:MM:SSZ"), in the order
 * they were reported, as if they came in now; then moves the clock to
 * until, resolving what is due by then.  Returns a status.
 */
int ft_warn_stored(struct ft_warn *w, const char *since, const char *until);
/* Ends the run: the state stored, the summary.  Returns the status. */
int ft_warn_finish(struct ft_warn *w);
void ft_warn_free(struct ft_warn *w);

/*
 * Checks a rules file alone (no database: areas are not checked).
 * Returns FT_OK or FT_CONFIG / FT_NOINPUT after a message.
 */
int ft_warn_check_rules(const char *path);

/* What people do: ack and resolve name a warning and who acts. */
struct ft_warn_act {
	const char *id;
	const char *by; /* NULL: the user running the tool */
	const char *note; /* ack: a note; resolve: how */
	int dry_run;
	int no_output;
};
int ft_warn_ack(struct ft_db *db, const struct ft_warn_act *a);
int ft_warn_resolve(struct ft_db *db, const struct ft_warn_act *a);

/* ft-warn list: the warnings picked, as NDJSON. */
struct ft_warn_list {
	const char *status, *rule, *key, *since, *until;
	int level; /* -1: any */
	int major;
	int no_output; /* --no-output: nothing printed */
};
int ft_warn_list(struct ft_db *db, const struct ft_warn_list *l);

/*
 * --fail-on: the number of warnings open (neither acknowledged nor
 * resolved) at level or above, and covered by no silence at the current
 * time, into *n.  Returns a status.
 */
int ft_warn_open_at(struct ft_db *db, int level, long *n);

#endif
