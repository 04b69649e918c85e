/*
 * ft_vote_ballot.h - a round's projects and its ballots as the verbs of
 * ft-vote check and count them; not for other modules.
 *
 * The projects of a round are loaded once (vote_plist_load) and found by
 * id by binary search.  A ballot is checked against the round's settings
 * (length, cost limit, points) by vote_check_ballot(), which decides and
 * stores nothing.  A ballot set is identified by its digest: SHA-256 of
 * the canonical line of each ballot (its projects as a JSON array, a tab,
 * its points as one or null), sorted, each ended by a newline.  Tallies
 * keep it and recount compares it, so it must not change.
 */
#ifndef FT_VOTE_BALLOT_H
#define FT_VOTE_BALLOT_H

#include "ft_vote_int.h"

/* The round's projects by id, for checking ballots and counting. */
struct plist {
	int n, cap;
	char **id;
	char **name;
	char **cost; /* canonical decimal */
	int *order; /* indexes sorted by id, for bsearch */
};

/*
 * Fills order[0..n) with the indexes of ids[0..n) in the order of their
 * ids; equal ids in the order of their indexes.
 */
void vote_order_by_id(char *const *ids, int n, int *order);

/* Loads the projects of u->r in their order into p (released by
 * vote_plist_release(), even after a failure). */
int vote_plist_load(struct run *u, struct plist *p);
void vote_plist_release(struct plist *p);

/* The index of project id in p, or -1. */
int vote_plist_find(const struct plist *p, const char *id);

/* The scale of the round's amounts: the most decimals of any. */
int vote_round_scale(const struct run *u, const struct plist *p);

/*
 * Checks a ballot's projects (names[0..n), each a NUL-terminated string in
 * one buffer) and points (ptext[0..np), or np 0) against the round.
 * Returns NULL or the reason (in u->reason).  idx receives the projects'
 * indexes, pts their points.
 */
const char *vote_check_ballot(struct run *u, const struct plist *p, int scale,
			      const struct ft_buf *names, int n,
			      const struct ft_buf *ptext, int np, int *idx,
			      int64_t *pts);

/* strcmp() of two char * elements, for qsort(). */
int vote_str_cmp(const void *a, const void *b);

/* The canonical line of a ballot, a new string the caller frees. */
char *vote_ballot_line(const char *projects, const char *points);

/* The digest of the ballot lines[0..n) into hex; frees each line (not
 * lines itself), and sorts them. */
void vote_digest(char **lines, long n, char hex[65]);

/* The digest of the stored ballots of u->r, and their count. */
int vote_stored_digest(struct run *u, char hex[65], long *count);

#endif
