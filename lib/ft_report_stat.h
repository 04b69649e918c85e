/*
 * ft_report_stat.h - what the sla and warnings reports (ft_report_sla.c,
 * ft_report_warn.c) share: durations and their percentiles, shares within
 * a mark, groups ranked with the small ones apart, and their cells in the
 * report's table (ft_report.h).
 */
#ifndef FT_REPORT_STAT_H
#define FT_REPORT_STAT_H

#include "ft_report.h"

#include <stddef.h>
#include <stdint.h>

/* Durations in seconds. */
struct ft_rstat {
	int64_t *v;
	size_t n, cap;
};

void ft_rstat_add(struct ft_rstat *s, int64_t x);
void ft_rstat_release(struct ft_rstat *s);
/* Sorts s: before ft_rstat_pct(). */
void ft_rstat_sort(struct ft_rstat *s);
/*
 * The p-th percentile (1 to 100) of sorted s, n > 0, by the nearest
 * rank: the value at rank ceil(p / 100 * n), 1 the smallest, so the
 * median of an even number is the lower of the middle two.
 */
int64_t ft_rstat_pct(const struct ft_rstat *s, int p);

/* A share: in of n within a mark. */
struct ft_rshare {
	int64_t in, n;
};

/*
 * Counts a case against mark m (epoch seconds) into s: done at t (or
 * FT_SLA_NONE: not done), in when t <= m.  One not done counts, as not
 * in, when waiting (it may still be done) and m is before now;
 * otherwise it is left out.
 */
void ft_rshare_count(struct ft_rshare *s, int64_t t, int64_t m, int waiting,
		     int64_t now);

/*
 * A group of a report ranked: the first member of each report's group,
 * so that ft_report_rank() sorts them.
 */
struct ft_rgroup {
	char *key; /* NULL: none; owned */
	int64_t count; /* its cases, its warnings */
	struct ft_rshare by[2]; /* what it is ranked by, the first first */
	int small; /* fewer than the --min-group: not ranked */
	long rank; /* 1 the best; equals share a rank */
};

/*
 * The groups of a report: an array of n groups of size bytes, each
 * starting with a struct ft_rgroup, in the order of their keys.
 */
struct ft_rgroups {
	void *base;
	size_t n, cap, size;
};

/*
 * The group of key (NULL: none): the last one if it has that key, else a
 * new one at the end, zeroed, with a copy of key.
 */
struct ft_rgroup *ft_rgroups_of(struct ft_rgroups *gs, const char *key);
struct ft_rgroup *ft_rgroups_at(const struct ft_rgroups *gs, size_t i);
/* Frees each group's key, then the array; first release(g) if given. */
void ft_rgroups_release(struct ft_rgroups *gs, void (*release)(void *g));

/*
 * The columns of a ranked report: heads[0..n), heads[0] replaced by key
 * (what the report groups by), heads[1] the rank, heads[n - 1] "small",
 * in NDJSON only; all but the key are numbers.
 */
void ft_rtab_ranked_cols(struct ft_rtab *t, const char *key,
			 const char *const *heads, int n);
/*
 * Ranks gs (ft_report_rank(), by o->min_group), then adds to t a row a
 * group and the row "total" of total, set_row(t, r, g) setting the
 * figures, and prints t in o->format unless o->no_output.
 */
void ft_rtab_ranked_print(struct ft_rtab *t, struct ft_rgroups *gs, void *total,
			  const struct ft_report_opts *o,
			  void (*set_row)(struct ft_rtab *t, size_t r,
					  void *g));

/*
 * Ranks the n groups of size bytes at base (each starting with a struct
 * ft_rgroup): those of min or more cases by by[0], then by[1], the higher
 * share first (a share of nothing last), equal ones sharing a rank, then
 * the small ones (rank 0); each part in the order of the count, largest
 * first, then of the key (none first) among equals.
 */
void ft_report_rank(void *base, size_t n, size_t size, long min);

/* Cells: a count; a share ("91%", raw "91.0"; none when n is 0). */
void ft_rtab_set_int(struct ft_rtab *t, size_t r, int col, int64_t n);
void ft_rtab_set_share(struct ft_rtab *t, size_t r, int col,
		       const struct ft_rshare *s);
/* The p-th percentile of sorted s ("4m05s", raw seconds); none if empty. */
void ft_rtab_set_pct(struct ft_rtab *t, size_t r, int col,
		     const struct ft_rstat *s, int p);
/* The mean sum / n ("4.3", raw "4.33"); none when n is 0. */
void ft_rtab_set_mean(struct ft_rtab *t, size_t r, int col, int64_t sum,
		      int64_t n);

#endif
