/*
 * ft_svg.h - HTML text and inline SVG charts for the pages ft-report
 * writes (ft_report_html.c, ft_report_site.c): horizontal bars for a
 * breakdown, a line for a series, and a map of areas drawn from their own
 * GeoJSON boundaries, shaded by a measure, with a legend.
 *
 * Everything is static markup: no script, no network, no font or image
 * from elsewhere; a reader needs nothing but the page.  Every text that
 * came from the data goes through ft_html_text(), inside SVG as in HTML.
 */
#ifndef FT_SVG_H
#define FT_SVG_H

#include "ft_buf.h"

#include <stddef.h>

/*
 * Appends s as HTML text, fit for an element's content and for a quoted
 * attribute value: & < > " ' as references; a control character (but
 * tab and line feed), a bidirectional control, or a byte that is not
 * UTF-8 as U+FFFD.  Everything else (Chinese text too) as it is.
 */
void ft_html_text(struct ft_buf *out, const char *s);
void ft_html_textn(struct ft_buf *out, const char *s, size_t n);

/* One bar or one point of a line; strings borrowed. */
struct ft_svg_item {
	const char *label;
	const char *id; /* beside the label in the tooltip, or NULL */
	double value;
	const char *href; /* a link (already safe for an attribute), or NULL */
};

/*
 * Horizontal bars of it[0..n) in their order, scaled to the largest value,
 * each with its label and value; title (NULL: none) is the figure's
 * accessible name.  At most FT_SVG_MAX_BARS are drawn; a last line says how
 * many more there are.
 */
#define FT_SVG_MAX_BARS 30
void ft_svg_bars(struct ft_buf *out, const char *title,
		 const struct ft_svg_item *it, size_t n);

/*
 * A line through it[0..n) in their order (a series over time): the y
 * axis from 0 to the largest value, the first, middle and last labels
 * under the x axis, a dot a point while there are few.
 */
void ft_svg_line(struct ft_buf *out, const char *title,
		 const struct ft_svg_item *it, size_t n);

/* ---- maps ---- */

struct ft_svg_shape {
	char *id, *name, *href; /* owned; name and href may be NULL */
	double value;
	int has_value; /* 0: no figure (drawn grey) */
	size_t ring0, nring; /* its rings in the map's ring[] */
};

/* Areas and their rings of lon/lat points: all owned by the map. */
struct ft_svg_map {
	struct ft_svg_shape *shape;
	size_t n, cap;
	double *pt; /* lon, lat pairs */
	size_t npt, cappt;
	size_t *ring; /* ring r: points ring[2r] (first) and ring[2r+1] (count) */
	size_t nring, capring;
};

void ft_svg_map_init(struct ft_svg_map *m);
void ft_svg_map_release(struct ft_svg_map *m);

/*
 * Adds the area id (name may be NULL) with the GeoJSON Polygon or
 * MultiPolygon text geo[0..len); returns its index, or -1 when the text is
 * no such geometry (nothing added).
 */
long ft_svg_map_add(struct ft_svg_map *m, const char *id, const char *name,
		    const char *geo, size_t len);

/* The area of this id, or -1 (a linear search: maps are small). */
long ft_svg_map_find(const struct ft_svg_map *m, const char *id);

/*
 * Draws the map: lon/lat projected to the viewBox (longitudes shrunk by
 * the cosine of the middle latitude, north up), each area shaded in one of
 * five classes of equal width from 0 to the largest value, those without a
 * value grey; each area's name and value in its <title> (a tooltip), a
 * link where it has an href; under it the legend of the classes, measure
 * (NULL: "value") naming what they count.
 */
void ft_svg_map_draw(struct ft_buf *out, const struct ft_svg_map *m,
		     const char *title, const char *measure);

/* A number as the charts print it: an integer bare, else 3 significant
 * digits ("12.5", "0.333"). */
void ft_svg_number(struct ft_buf *out, double v);

#endif
