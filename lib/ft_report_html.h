/*
 * ft_report_html.h - reports as one self-contained HTML page: the report's
 * table (struct ft_rtab, ft_report.h) with its chart (bars for a
 * breakdown, a line for a series over periods) and, where the rows are
 * areas, a map of them; CSS inline, no script, nothing fetched.  Every
 * report that prints an ft_rtab gets it through ft_rtab_print().  The
 * public site (ft_report_site.c) builds its pages from the same parts.
 */
#ifndef FT_REPORT_HTML_H
#define FT_REPORT_HTML_H

#include "ft_buf.h"
#include "ft_report.h"

/*
 * Appends the page of t: its title (else "Report by " the first column),
 * subtitle, map (t->map's shapes get the values of the rows whose first
 * column, as CSV has it, is their id), chart of the first number column
 * but "rank" (the rows that are not totals), and the table (the NDJSON-only columns
 * left out, totals in the table's foot).
 */
void ft_rtab_html(const struct ft_rtab *t, struct ft_buf *out);

/* Appends t as an HTML <table> (the part of ft_rtab_html()). */
void ft_rtab_html_table(const struct ft_rtab *t, struct ft_buf *out);

/*
 * The start of a page up to its <main>, with the inline style sheet; title
 * is escaped.  ft_html_close() ends it, after a footer naming the tool and
 * foot (NULL: none, already HTML).
 */
void ft_html_open(struct ft_buf *out, const char *title);
void ft_html_close(struct ft_buf *out, const char *foot);

#endif
