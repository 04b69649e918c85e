/*
 * ft_report_more.h - ft-report's facilities, collectors, services and
 * vote reports (ft_report_fac.c, ft_report_coll.c, ft_report_svc.c,
 * ft_report_vote.c), and what they share (ft_report_rank.c): groups
 * ranked by a measure, those too small to compare marked and not ranked,
 * shares in percent.  They read through ft_store_report_more.h and print
 * with ft_rtab (ft_report.h).
 */
#ifndef FT_REPORT_MORE_H
#define FT_REPORT_MORE_H

#include "ft_db.h"
#include "ft_report.h"
#include "ft_store_report.h"
#include "ft_time.h"

#include <stddef.h>
#include <stdint.h>

/* The default of --min-group and of --back-days. */
#define FT_REPORT_MIN_GROUP 5
#define FT_REPORT_BACK_DAYS 30

/* What collectors are counted per. */
enum ft_report_per {
	FT_PER_COLLECTOR,
	FT_PER_FIRM
};

/* What the vote report prints. */
enum ft_report_part {
	FT_PART_RESULT,
	FT_PART_SUMMARY,
	FT_PART_CHANNEL,
	FT_PART_AREA,
	FT_PART_RULES,
	FT_PART_TURNOUT,
	FT_PART_PROGRESS,
	FT_PART_N
};

extern const char *const ft_report_part_names[FT_PART_N];

/* The options of these reports, beside the common ones of o. */
struct ft_report_more {
	const struct ft_report_opts *o; /* range, filters, format */
	int64_t min_group; /* groups of fewer are too small to compare */
	int64_t back_days; /* facilities: a report this long after a fix */
	enum ft_report_per per; /* collectors */
	const char *round; /* vote */
	const char *rule; /* vote: the stored count of this rule */
	enum ft_report_part part; /* vote */
};

/*
 * The reports, printed to standard output.  Each returns an exit status
 * (66 after a message for a --unit or --area that is no unit, or a round
 * not stored or not counted).
 */
int ft_report_facilities(struct ft_db *db, const struct ft_report_more *m);
int ft_report_collectors(struct ft_db *db, const struct ft_report_more *m);
int ft_report_services(struct ft_db *db, const struct ft_report_more *m);
int ft_report_vote(struct ft_db *db, const struct ft_report_more *m);

/* ---- what they share (ft_report_rank.c) ---- */

/* A group to rank: its size and measure, filled in by the report. */
struct ft_rank {
	size_t idx; /* the report's own index of the group */
	int64_t size; /* what is compared against --min-group */
	double measure; /* larger ranks first */
	const char *key; /* the order of equals and of the small ones */
	int64_t rank; /* set: 1 for the first; 0: too small, not ranked */
	int small; /* set: size below --min-group */
};

/*
 * Orders r[0..n): the groups of min_group or more first, by measure
 * (larger first, then key), ranked 1, 2, 2, 4...; then the others by
 * key, with rank 0.
 */
void ft_rank_order(struct ft_rank *r, size_t n, int64_t min_group);

/* Adds the columns rank (first) and small (last) to t. */
int ft_rank_col_rank(struct ft_rtab *t);
int ft_rank_col_small(struct ft_rtab *t);
/* Sets them on row row for r. */
void ft_rank_set(struct ft_rtab *t, size_t row, int rank_col, int small_col,
		 const struct ft_rank *r);

/*
 * Adds the total row: every text column and the rank (column 0) empty,
 * "total" in column label; the report sets the counts.
 */
size_t ft_rank_total(struct ft_rtab *t, int label);

/* Sets cell col of row to integer v. */
void ft_rset_int(struct ft_rtab *t, size_t row, int col, int64_t v);
/* Sets it to num/den in percent, one decimal ("-" when den is 0). */
void ft_rset_pct(struct ft_rtab *t, size_t row, int col, int64_t num,
		 int64_t den);
/* Sets it to v with d decimals, rounded half away from zero. */
void ft_rset_dec(struct ft_rtab *t, size_t row, int col, double v, int d);

/*
 * A --unit or --area that is stored (NULL: nothing to check): 66 after a
 * message if not.
 */
int ft_report_unit_known_db(struct ft_db *db, const char *opt, const char *id);

/* What the store is asked for: o's filters and range as stored times. */
struct ft_report_scope {
	struct ft_store_report_filter f;
	char from[FT_TIME_LEN], until[FT_TIME_LEN];
	char as_of[FT_TIME_LEN]; /* f.as_of's, with --as-of */
};

/*
 * sc for o, once o's --unit and --area are known to be stored units (66
 * after a message if not).
 */
int ft_report_scope(struct ft_db *db, const struct ft_report_opts *o,
		    struct ft_report_scope *sc);

/* A copy of s, or NULL for NULL: the caller frees it. */
char *ft_report_dup(const char *s);

/* Prints t in the format of o to standard output. */
void ft_report_put(const struct ft_rtab *t, const struct ft_report_opts *o);

#endif
