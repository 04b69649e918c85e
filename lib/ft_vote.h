/*
 * ft_vote.h - participatory-budgeting rounds: opening a round, its
 * projects, its eligible voters and their ballots; importing and exporting
 * pabulib .pb files; counting (ft_tally) and recounting.  See ft-vote(1).
 *
 * Secrecy: a voter's id is never stored.  The key file holds a secret; each
 * round's key is HMAC-SHA-256(secret, "ft-vote round" NUL round), and the
 * database holds only its check value.  The register (voters) holds
 * HMAC(round key, "voter" NUL id) and each ballot HMAC(round key, "ballot"
 * NUL id): two derivations that cannot be joined without the key, so the
 * file alone links no ballot to a registered voter, let alone a person.
 */
#ifndef FT_VOTE_H
#define FT_VOTE_H

#include "ft_buf.h"
#include "ft_db.h"

struct ft_vote_opts {
	const char *key; /* the key file (--key, else FT_VOTE_KEY), or NULL */
	const char *round;	/* import: the new round's id */
	const char *channel;	/* cast: default channel */
	int replace;		/* cast: a new ballot replaces the old */
	const char *rule;	/* tally */
	int complete;		/* tally: --complete greedy */
	const char *threshold;
	const char *tiebreak;
	const char *compare;	/* comma-separated rules */
	int totals;
	int force;
	int dry_run;
	int quiet;		/* no summary on stderr */
	int no_output;		/* no records on stdout */
	const char *rejects;
};

/*
 * Checks what the options say alone, before any file is opened: returns
 * 0, or -1 with the reason in why (a usage error).
 */
int ft_vote_check(const struct ft_vote_opts *o, struct ft_buf *why);

/*
 * Each returns an exit status (ft_exit.h) after printing its messages.
 * files[0..n) are the inputs ("-" or none: standard input).
 */
int ft_vote_open(struct ft_db *db, const struct ft_vote_opts *o,
		 char **files, int n);
int ft_vote_projects(struct ft_db *db, const struct ft_vote_opts *o,
		     const char *round, char **files, int n);
int ft_vote_register(struct ft_db *db, const struct ft_vote_opts *o,
		     const char *round, char **files, int n);
int ft_vote_cast(struct ft_db *db, const struct ft_vote_opts *o,
		 const char *round, char **files, int n);
int ft_vote_progress(struct ft_db *db, const struct ft_vote_opts *o,
		     const char *round, char **files, int n);
int ft_vote_import(struct ft_db *db, const struct ft_vote_opts *o,
		   const char *path);
int ft_vote_export(struct ft_db *db, const struct ft_vote_opts *o,
		   const char *round);
int ft_vote_tally(struct ft_db *db, const struct ft_vote_opts *o,
		  const char *round);
int ft_vote_recount(struct ft_db *db, const struct ft_vote_opts *o,
		    const char *round);
int ft_vote_rounds(struct ft_db *db, const struct ft_vote_opts *o);

#endif
