/*
 * ft_report.h - ft-report's reports: what is counted over which periods,
 * and the table every format prints (ft_report_fmt.c).  The counting is
 * the store's (ft_store_report.h): this module chooses the ranges, the
 * periods in the zone of ft_time_set_zone(), and the comparison with the
 * previous period.
 */
#ifndef FT_REPORT_H
#define FT_REPORT_H

#include "ft_buf.h"
#include "ft_db.h"

#include <stddef.h>
#include <stdint.h>

/* What the events report groups by: periods first, then keys. */
enum ft_report_by {
	FT_BY_HOUR,
	FT_BY_DAY,
	FT_BY_WEEK,
	FT_BY_MONTH,
	FT_BY_CATEGORY,
	FT_BY_SOURCE,
	FT_BY_UNIT,
	FT_BY_AREA,
	FT_BY_FACILITY,
	FT_BY_N
};

#define FT_BY_PERIOD(b) ((b) <= FT_BY_MONTH)

enum ft_report_format {
	FT_FMT_TABLE,
	FT_FMT_CSV,
	FT_FMT_NDJSON,
	FT_FMT_MARKDOWN,
	FT_FMT_HTML,
	FT_FMT_N
};

/* The names, as the options take them ("day", "csv"); -1: none. */
extern const char *const ft_report_by_names[FT_BY_N];
extern const char *const ft_report_format_names[FT_FMT_N];
int ft_report_by_find(const char *name);
int ft_report_format_find(const char *name);
/* The area levels of --area-level (unit kinds): -1 when not one. */
int ft_report_level_find(const char *name);

/*
 * A --since or --until value: an instant (ISO 8601, a date: its local
 * midnight), a duration back from now (90m, 24h, 7d, 2w), or a period
 * named: today, yesterday, this-week, last-week, this-month, last-month
 * (local, weeks from Monday).  Sets *from and *to: the instant twice,
 * or the period's start and end; *named 1 for a period named.  Returns
 * 0, or -1 with *err a static reason.
 */
int ft_report_time(const char *arg, int64_t *from, int64_t *to, int *named,
		   const char **err);

/* Instant t as local "YYYY-MM-DD HH:MM" (out: at least 17 bytes). */
void ft_report_local(int64_t t, char *out, size_t n);

struct ft_report_opts {
	int64_t since, until; /* the range, since < until */
	enum ft_report_by by;
	const char *level; /* FT_BY_AREA: the unit kind, or NULL */
	enum ft_report_format format;
	int compare; /* the previous period beside each row */
	const char *category, *unit, *area; /* filters (NULL: any) */
	int no_output;
	int wby; /* warnings: its --by, an enum ft_store_warn_key */
	long min_group; /* sla, warnings: fewer cases are not ranked */
	int min_group_set; /* events: --min-group given: rank, mark small */
	int major; /* warnings: the major ones only */
	int as_of_set; /* as they stood at as_of (--as-of) */
	int64_t as_of;
};

/*
 * The events report of o on db (open, read only): prints it to standard
 * output.  Returns an exit status (66 after a message for a --unit or
 * --area that is no unit).
 */
int ft_report_events(struct ft_db *db, const struct ft_report_opts *o);

/*
 * The sla report (ft_report_sla.c) and the warnings report
 * (ft_report_warn.c) of o on db, as ft_report_events() does.
 */
int ft_report_sla(struct ft_db *db, const struct ft_report_opts *o);
int ft_report_warnings(struct ft_db *db, const struct ft_report_opts *o);
/* The names of the warnings report's --by: -1 when not one. */
int ft_report_warn_by_find(const char *name);

/* --as-of as a stored time in buf (FT_TIME_LEN), or NULL without it. */
const char *ft_report_as_of(const struct ft_report_opts *o, char *buf);

struct ft_store_report;
/*
 * A --OPT unit id that is stored (NULL: none given): 66 after a message
 * if it is not.
 */
int ft_report_unit_known(struct ft_store_report *s, const char *opt,
			 const char *id);

/* ---- the table every format prints (ft_report_fmt.c) ---- */

#define FT_RTAB_MAXCOL 24

enum {
	FT_COL_NUM = 1, /* a number: right-aligned, bare in JSON */
	FT_COL_JSON = 2, /* printed in ndjson only */
	FT_COL_BARE = 4 /* bare in JSON (true, false), left-aligned */
};

struct ft_rcell {
	char *text; /* table and markdown; NULL: none ("-") */
	char *raw; /* csv and ndjson; NULL: none (empty, null) */
};

/* The chart of an HTML page (ft_report_html.h). */
enum ft_rchart {
	FT_RCHART_AUTO, /* a line when the first column is hour, day, week
			   or month, else bars */
	FT_RCHART_BARS,
	FT_RCHART_LINE,
	FT_RCHART_NONE
};

struct ft_svg_map;

struct ft_rtab {
	/* For HTML (all borrowed; NULL: none): the page's title, the line
	 * under it (the range), the chart, and a map of the areas whose ids
	 * are the first column, shaded by the first number column but
	 * "rank". */
	const char *title, *subtitle;
	enum ft_rchart chart;
	struct ft_svg_map *map;
	/* HTML: the store the names of the units whose ids are the first
	 * column are read from, for the charts' labels (NULL: the ids). */
	struct ft_db *names_db;
	int ncol;
	const char *head[FT_RTAB_MAXCOL];
	int flags[FT_RTAB_MAXCOL];
	size_t nrow, cap;
	struct ft_rcell *cells; /* nrow * ncol */
	int *foot; /* per row: 1 for a total, table and markdown only */
};

void ft_rtab_init(struct ft_rtab *t);
void ft_rtab_release(struct ft_rtab *t);
/* Adds column head with flags; returns its index. */
int ft_rtab_col(struct ft_rtab *t, const char *head, int flags);
/* Adds a row (every cell none); returns its index. */
size_t ft_rtab_row(struct ft_rtab *t, int foot);
/* Sets a cell: text and raw copied (NULL: none). */
void ft_rtab_set(struct ft_rtab *t, size_t row, int col, const char *text,
		 const char *raw);

/* Appends t in format f to out. */
void ft_rtab_print(const struct ft_rtab *t, enum ft_report_format f,
		   struct ft_buf *out);

/*
 * The columns of a terminal s[0..n) takes: 2 for each character of the
 * East Asian Wide and Fullwidth ranges, 0 for combining marks, 1 for
 * the others (ft_rtab_print() shows a control character or a byte that
 * is not UTF-8 as one '?').
 */
size_t ft_utf8_width(const char *s, size_t n);

#endif
