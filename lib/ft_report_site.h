/*
 * ft_report_site.h - the public "sunshine hall": ft-report site DIR writes
 * a static site (HTML pages, no script) of what was reported and done in
 * each area, how fast, how residents rated it, every vote round's result
 * with its reasons, and a page where a resident finds their own case by its
 * number.  No personal data: of the events only the id, category, area,
 * status, outcome, unit, times and (counted, never per case) ratings; of the
 * votes only counts.  The site is written to a new directory beside DIR and
 * put in its place in one rename, so a web server never serves half of one.
 *
 * Also the maps of the HTML report, which read the same boundaries.
 */
#ifndef FT_REPORT_SITE_H
#define FT_REPORT_SITE_H

#include "ft_db.h"
#include "ft_report.h"
#include "ft_svg.h"

#include <stdint.h>

/*
 * Fills m (initialized, empty) with the areas the rows of t are about:
 * the areas with a boundary in force whose id is a first column of t, and
 * every area of the same kind (of level, when not NULL) at or below within
 * (NULL: all), so that an area without events is drawn too.  None when no
 * row names an area.  Returns an exit status.
 */
int ft_report_map(struct ft_db *db, const struct ft_rtab *t, const char *level,
		  const char *within, struct ft_svg_map *m);

/*
 * The names of the units whose ids are the first column of t: an array
 * of t->nrow (free each, then it), NULL for a row of no stored unit or a
 * unit without a name; NULL when they cannot be read (after a message).
 */
char **ft_report_unit_names(struct ft_db *db, const struct ft_rtab *t);

struct ft_site_opts {
	const char *dir; /* the site's directory, replaced whole */
	int64_t since, until; /* the cases shown */
	int quiet;
	int no_output; /* build the site, then remove it: dir unchanged */
	int64_t min_group; /* vote pages: areas of fewer voters are small */
};

/* Writes the site of o from db (open, read only).  Returns an exit status
 * (73 when a file or directory cannot be made, after a message). */
int ft_report_site(struct ft_db *db, const struct ft_site_opts *o);

#endif
