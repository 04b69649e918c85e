/*
 * ft_report_html.c - a report's table as a self-contained HTML page with
 * inline SVG charts: see ft_report_html.h.
 */
#include "ft_report_html.h"
#include "ft_report_site.h"
#include "ft_svg.h"
#include "ft_version.h"

#include <stdlib.h>
#include <string.h>

/* One style sheet for every page: system fonts, no web font. */
static const char css[] =
	"body{margin:0;background:#fff;color:#222;font:15px/1.45 "
	"system-ui,\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif}"
	"main{max-width:980px;margin:0 auto;padding:16px 20px}"
	"h1{font-size:1.5em;margin:.4em 0 .2em}h2{font-size:1.15em;"
	"margin:1.4em 0 .4em;border-bottom:1px solid #ddd}"
	".sub{color:#555;margin:0 0 1em}"
	"nav{font-size:.9em;color:#555}a{color:#08519c}"
	"figure{margin:1em 0}svg{max-width:100%;height:auto}"
	"table{border-collapse:collapse;margin:.6em 0}"
	"th,td{padding:3px 10px;border-bottom:1px solid #e5e5e5;"
	"text-align:left;vertical-align:top}th{background:#f3f6fa}"
	".n{text-align:right;font-variant-numeric:tabular-nums}"
	"tfoot td{font-weight:bold;border-top:2px solid #bbb}"
	".kpi{display:flex;flex-wrap:wrap;gap:10px;margin:.6em 0}"
	".kpi div{border:1px solid #dde;border-radius:6px;padding:6px 12px;"
	"min-width:120px}.kpi b{display:block;font-size:1.4em}"
	".small{font-size:.85em;color:#555}"
	"footer{margin:2em 0 1em;font-size:.8em;color:#777}";

void
ft_html_open(struct ft_buf *out, const char *title)
{
	ft_buf_adds(out,
		    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, "
		    "initial-scale=1\">\n<title>");
	ft_html_text(out, title);
	ft_buf_addf(out,
		    "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n",
		    css);
}

void
ft_html_close(struct ft_buf *out, const char *foot)
{
	ft_buf_adds(out, "<footer>");
	if (foot) {
		ft_buf_adds(out, foot);
		ft_buf_adds(out, " &middot; ");
	}
	ft_buf_adds(out, "made by ft-report " FT_VERSION "</footer>\n"
			 "</main>\n</body>\n</html>\n");
}

/* The cell of row r, column c. */
static const struct ft_rcell *
cell(const struct ft_rtab *t, size_t r, int c)
{
	return &t->cells[r * (size_t)t->ncol + (size_t)c];
}

void
ft_rtab_html_table(const struct ft_rtab *t, struct ft_buf *out)
{
	size_t r;
	int c, foot;

	ft_buf_adds(out, "<table>\n<thead><tr>");
	for (c = 0; c < t->ncol; c++) {
		if (t->flags[c] & FT_COL_JSON)
			continue;
		ft_buf_adds(out, t->flags[c] & FT_COL_NUM ? "<th class=\"n\">" :
							    "<th>");
		ft_html_text(out, t->head[c]);
		ft_buf_adds(out, "</th>");
	}
	ft_buf_adds(out, "</tr></thead>\n<tbody>\n");
	for (foot = 0; foot < 2; foot++) {
		if (foot)
			ft_buf_adds(out, "</tbody>\n<tfoot>\n");
		for (r = 0; r < t->nrow; r++) {
			if (!t->foot[r] != !foot)
				continue;
			ft_buf_adds(out, "<tr>");
			for (c = 0; c < t->ncol; c++) {
				const char *s = cell(t, r, c)->text;

				if (t->flags[c] & FT_COL_JSON)
					continue;
				ft_buf_adds(out, t->flags[c] & FT_COL_NUM ?
							 "<td class=\"n\">" :
							 "<td>");
				ft_html_text(out, s ? s : "-");
				ft_buf_adds(out, "</td>");
			}
			ft_buf_adds(out, "</tr>\n");
		}
	}
	ft_buf_adds(out, "</tfoot>\n</table>\n");
}

/*
 * The column the charts and the map show: the first number column but a
 * ranked report's "rank" (a place, not an amount), or -1.
 */
static int
measure(const struct ft_rtab *t)
{
	int c;

	for (c = 1; c < t->ncol; c++)
		if ((t->flags[c] & FT_COL_NUM) &&
		    !(t->flags[c] & FT_COL_JSON) && strcmp(t->head[c], "rank"))
			return c;
	return -1;
}

/* Is the first column a period, so that the rows are a series? */
static int
series(const struct ft_rtab *t)
{
	static const char *const periods[] = { "hour", "day", "week", "month" };
	size_t i;

	if (t->chart != FT_RCHART_AUTO)
		return t->chart == FT_RCHART_LINE;
	for (i = 0; i < 4; i++)
		if (t->ncol && !strcmp(t->head[0], periods[i]))
			return 1;
	return 0;
}

/* The map of t->map, each area valued by its row. */
static void
map(const struct ft_rtab *t, int m, struct ft_buf *out)
{
	struct ft_svg_map *mp = t->map;
	size_t r, i;
	long k;

	for (i = 0; i < mp->n; i++)
		mp->shape[i].has_value = 0;
	for (r = 0; r < t->nrow; r++) {
		const struct ft_rcell *key = cell(t, r, 0), *v = cell(t, r, m);

		if (t->foot[r] || !key->raw || !v->raw ||
		    (k = ft_svg_map_find(mp, key->raw)) < 0)
			continue;
		mp->shape[k].value = strtod(v->raw, NULL);
		mp->shape[k].has_value = 1;
	}
	/* Areas without a row had nothing to count: 0, not "none". */
	for (i = 0; i < mp->n; i++)
		if (!mp->shape[i].has_value)
			mp->shape[i].value = 0, mp->shape[i].has_value = 1;
	ft_buf_adds(out, "<figure>\n");
	ft_svg_map_draw(out, mp, "map", t->head[m]);
	ft_buf_adds(out, "</figure>\n");
}

/*
 * The bars' labels of it[0..n) by name: a unit's name (its id in the
 * tooltip), and the id beside a name that another bar shown has too
 * (kept in own[], freed by the caller).
 */
static void
by_name(struct ft_svg_item *it, size_t n, char **own)
{
	size_t i, j, shown = n < FT_SVG_MAX_BARS ? n : FT_SVG_MAX_BARS;
	struct ft_buf b = FT_BUF_INIT;

	for (i = 0; i < shown; i++) {
		if (!it[i].id)
			continue;
		for (j = 0; j < shown; j++)
			if (j != i && it[j].id &&
			    !strcmp(it[i].label, it[j].label))
				break;
		if (j == shown)
			continue;
		b.len = 0;
		ft_buf_addf(&b, "%s (%s)", it[i].label, it[i].id);
		own[i] = ft_xstrdup(b.s);
	}
	for (i = 0; i < shown; i++)
		if (own[i]) {
			it[i].label = own[i];
			it[i].id = NULL;
		}
	ft_buf_release(&b);
}

void
ft_rtab_html(const struct ft_rtab *t, struct ft_buf *out)
{
	struct ft_svg_item *it;
	struct ft_buf title = FT_BUF_INIT;
	char **names = NULL, **own;
	size_t r, n = 0;
	int m = measure(t);

	if (t->title)
		ft_buf_adds(&title, t->title);
	else
		ft_buf_addf(&title, "Report by %s", t->ncol ? t->head[0] : "");
	ft_html_open(out, title.s);
	ft_buf_adds(out, "<h1>");
	ft_html_text(out, title.s);
	ft_buf_adds(out, "</h1>\n");
	if (t->subtitle) {
		ft_buf_adds(out, "<p class=\"sub\">");
		ft_html_text(out, t->subtitle);
		ft_buf_adds(out, "</p>\n");
	}
	if (m > 0 && t->map && t->map->n)
		map(t, m, out);
	it = ft_xmalloc((t->nrow + 1) * sizeof(struct ft_svg_item));
	own = ft_xmalloc((t->nrow + 1) * sizeof(char *));
	if (m > 0 && t->names_db && t->chart != FT_RCHART_NONE && !series(t))
		names = ft_report_unit_names(t->names_db, t);
	for (r = 0; m > 0 && r < t->nrow; r++) {
		const struct ft_rcell *v = cell(t, r, m);

		if (t->foot[r])
			continue;
		it[n].label = cell(t, r, 0)->text ? cell(t, r, 0)->text : "-";
		it[n].id = NULL;
		if (names && names[r]) {
			it[n].label = names[r];
			it[n].id = cell(t, r, 0)->raw;
		}
		it[n].value = v->raw ? strtod(v->raw, NULL) : 0;
		it[n].href = NULL;
		own[n] = NULL;
		n++;
	}
	by_name(it, n, own);
	if (m > 0 && n && t->chart != FT_RCHART_NONE) {
		ft_buf_adds(out, "<figure>\n");
		if (series(t))
			ft_svg_line(out, t->head[m], it, n);
		else
			ft_svg_bars(out, t->head[m], it, n);
		ft_buf_adds(out, "</figure>\n");
	}
	for (r = 0; r < n; r++)
		free(own[r]);
	free(own);
	if (names)
		for (r = 0; r < t->nrow; r++)
			free(names[r]);
	free(names);
	free(it);
	ft_rtab_html_table(t, out);
	ft_html_close(out, NULL);
	ft_buf_release(&title);
}
