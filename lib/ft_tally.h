/*
 * ft_tally.h - counting the ballots of a participatory-budgeting round.
 *
 * The count knows nothing of the database: the caller adds the projects and
 * the ballots, each ballot as the projects it names with the points it gives
 * them (1 for an approval, the voter's points for a cumulative ballot, Borda
 * points for a ranking), then runs one rule.  Identical ballots are counted
 * as one group with a weight.
 *
 * Arithmetic is exact: amounts are integers in units of 10^-scale of the
 * currency, and the Method of Equal Shares keeps every voter's budget as a
 * big integer over one common denominator (ft_big), so that a count gives
 * the same result on every machine.  No floating point is used.
 *
 * Order and ties: projects are ranked by score, then by the tie-break keys
 * (default: more votes, then lower cost), then by id (ids of digits alone
 * compared as numbers).  With refuse set, a tie that decides the outcome
 * stops the count (FT_DATAERR) and ft_tally.err names the projects.
 */
#ifndef FT_TALLY_H
#define FT_TALLY_H

#include <stddef.h>
#include <stdint.h>

/*
 * The bounds the caller keeps, so that every sum of a count fits in 64
 * bits and none can wrap: amounts (a cost, the budget) below 10^17 units,
 * points from 0 to FT_TALLY_MAX_POINTS, at most FT_TALLY_MAX_BALLOT
 * projects on a ballot, fewer than INT_MAX ballots.  A score is then at
 * most 2^31 * 10^6.
 */
#define FT_TALLY_MAX_POINTS 1000000
#define FT_TALLY_MAX_BALLOT 1024

enum ft_rule {
	FT_RULE_NONE = -1,
	FT_RULE_GREEDY,
	FT_RULE_GREEDY_NO_SKIP,
	FT_RULE_GREEDY_THRESHOLD,
	FT_RULE_MES,
	FT_RULE_MES_ADD1
};

/* "greedy", ... -> the rule; FT_RULE_NONE for an unknown name. */
enum ft_rule ft_tally_rule_parse(const char *name);
const char *ft_tally_rule_name(enum ft_rule r);

enum ft_tiekey { FT_TIE_VOTES, FT_TIE_COST, FT_TIE_ID };

struct ft_tally_project {
	char *id, *name;	/* owned */
	int64_t cost;		/* units of 10^-scale */
	long votes;		/* ballots naming it */
	int64_t score;		/* the sum of its points */
	/* the result of the last count */
	int selected;
	int rank;		/* 1 = first considered */
	char reason[112];
};

struct ft_tally {
	struct ft_tally_project *p;
	int np, pcap;
	int64_t budget;		/* units */
	int scale;		/* decimals of the amounts */
	long ballots;
	/* groups of identical ballots */
	int ng, gcap;
	long *gw;		/* voters in the group */
	size_t *goff;		/* first entry */
	int *glen;
	int *eproj;		/* entries: project and points */
	int64_t *epts;
	size_t ne, ecap;
	int *ht;		/* open addressing: group index + 1 */
	size_t htcap;
	/* tie-break */
	enum ft_tiekey tie[3];
	int ntie;
	int refuse;
	/* totals of the last count */
	int64_t spent;
	int nselected;
	int64_t per_voter;	/* mes-add1: the final budget per voter, units */
	char err[512];		/* why a count stopped */
};

void ft_tally_init(struct ft_tally *t, int64_t budget, int scale);
void ft_tally_release(struct ft_tally *t);

/*
 * Sets the tie-break from its text: keys from "votes", "cost", "id" in
 * order, comma-separated, or "refuse".  Returns -1 for a bad text.
 */
int ft_tally_set_tiebreak(struct ft_tally *t, const char *text);

/*
 * Writes v units of 10^-scale as a decimal without trailing zeros
 * ("1734355.54", "600000.5", "400000") into out.
 */
void ft_tally_amount(int64_t v, int scale, char *out, size_t cap);

/* Adds a project; returns its index.  id and name are copied. */
int ft_tally_add_project(struct ft_tally *t, const char *id,
			 const char *name, int64_t cost);

/* Adds a ballot naming projects proj[0..n) with points pts[0..n). */
void ft_tally_add_ballot(struct ft_tally *t, const int *proj,
			 const int64_t *pts, int n);

/*
 * Counts by rule.  threshold: the least score of greedy-threshold.
 * complete: spend what mes or mes-add1 leaves by greedy.  Returns 0, or
 * FT_DATAERR when a tie was refused (err says which).  order receives the
 * project indexes in rank order (np of them).
 */
int ft_tally_count(struct ft_tally *t, enum ft_rule rule, int64_t threshold,
		   int complete, int *order);

#endif
