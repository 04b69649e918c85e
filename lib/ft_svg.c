/*
 * ft_svg.c - HTML text, bars, lines and maps as inline SVG: see ft_svg.h.
 */
#include "ft_svg.h"
#include "ft_geo.h"
#include "ft_json.h"
#include "ft_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The five classes of a map, light to dark, and the colour of none. */
static const char *const shade[5] = { "#deebf7", "#9ecae1", "#6baed6",
				      "#3182bd", "#08519c" };
#define NO_VALUE "#e5e5e5"
#define BAR "#3182bd"
#define INK "#222"
#define PI 3.14159265358979323846

/* Is the valid UTF-8 sequence at p (of len bytes) a bidirectional
 * control: U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069? */
static int
bidi(const unsigned char *p, size_t len)
{
	if (len == 2)
		return p[0] == 0xd8 && p[1] == 0x9c;
	if (len != 3 || p[0] != 0xe2)
		return 0;
	if (p[1] == 0x80)
		return p[2] == 0x8e || p[2] == 0x8f ||
		       (p[2] >= 0xaa && p[2] <= 0xae);
	return p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9;
}

/* The length of the UTF-8 sequence that lead byte c starts. */
static size_t
seq_len(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
}

void
ft_html_textn(struct ft_buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, ok, len;

	while (i < n) {
		ok = ft_utf8_valid(s + i, n - i);
		if (!ok) {
			ft_buf_adds(out, "\xef\xbf\xbd");
			i++;
			continue;
		}
		for (ok += i; i < ok; i += len) {
			len = seq_len(p[i]);
			if (len > 1) {
				if (bidi(p + i, len) ||
				    (len == 2 && p[i] == 0xc2 &&
				     p[i + 1] < 0xa0))
					ft_buf_adds(out, "\xef\xbf\xbd");
				else
					ft_buf_add(out, s + i, len);
				continue;
			}
			switch (p[i]) {
			case '&':
				ft_buf_adds(out, "&amp;");
				break;
			case '<':
				ft_buf_adds(out, "&lt;");
				break;
			case '>':
				ft_buf_adds(out, "&gt;");
				break;
			case '"':
				ft_buf_adds(out, "&quot;");
				break;
			case '\'':
				ft_buf_adds(out, "&#39;");
				break;
			default:
				if ((p[i] < 0x20 && p[i] != '\t' &&
				     p[i] != '\n') ||
				    p[i] == 0x7f)
					ft_buf_adds(out, "\xef\xbf\xbd");
				else
					ft_buf_addc(out, (char)p[i]);
			}
		}
	}
}

void
ft_html_text(struct ft_buf *out, const char *s)
{
	ft_html_textn(out, s, strlen(s));
}

void
ft_svg_number(struct ft_buf *out, double v)
{
	char b[64];
	size_t n;

	if (fabs(v) >= 100 || v == floor(v)) {
		ft_buf_addf(out, "%.0f", v);
		return;
	}
	snprintf(b, sizeof(b), fabs(v) >= 1 ? "%.1f" : "%.2f", v);
	n = strlen(b);
	while (n && b[n - 1] == '0')
		n--;
	if (n && b[n - 1] == '.')
		n--;
	ft_buf_add(out, b, n);
}

/* A label cut to at most cols terminal columns, with an ellipsis. */
static void
label(struct ft_buf *out, const char *s, size_t cols)
{
	size_t n = strlen(s), cut = 0, i;

	if (ft_utf8_width(s, n) <= cols) {
		ft_html_textn(out, s, n);
		return;
	}
	for (i = 1; i <= n; i++)
		if (i == n || ((unsigned char)s[i] & 0xc0) != 0x80) {
			if (ft_utf8_width(s, i) > cols - 1)
				break;
			cut = i;
		}
	ft_html_textn(out, s, cut);
	ft_buf_adds(out, "\xe2\x80\xa6");
}

/* The opening of a figure: <svg> with its viewBox and accessible name. */
static void
svg_open(struct ft_buf *out, const char *cls, int w, int h, const char *title)
{
	ft_buf_addf(out,
		    "<svg class=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
		    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		    "role=\"img\" font-family=\"sans-serif\" font-size=\"12\"",
		    cls, w, h, w, h);
	if (title) {
		ft_buf_adds(out, " aria-label=\"");
		ft_html_text(out, title);
		ft_buf_adds(out, "\"><title>");
		ft_html_text(out, title);
		ft_buf_adds(out, "</title>\n");
	} else {
		ft_buf_adds(out, ">\n");
	}
}

void
ft_svg_bars(struct ft_buf *out, const char *title, const struct ft_svg_item *it,
	    size_t n)
{
	const int lw = 200, bw = 360, row = 22;
	size_t i, shown = n < FT_SVG_MAX_BARS ? n : FT_SVG_MAX_BARS;
	double max = 0;
	int h = (int)shown * row + (n > shown ? row : 0) + 8, y;

	for (i = 0; i < shown; i++)
		if (it[i].value > max)
			max = it[i].value;
	svg_open(out, "bars", lw + bw + 70, h, title);
	for (i = 0; i < shown; i++) {
		double w = max > 0 && it[i].value > 0 ? it[i].value / max * bw :
							0;

		y = 4 + (int)i * row;
		if (it[i].href) {
			ft_buf_adds(out, "<a href=\"");
			ft_buf_adds(out, it[i].href);
			ft_buf_adds(out, "\">");
		}
		ft_buf_addf(out,
			    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
			    "fill=\"" INK "\">",
			    lw - 6, y + 15);
		label(out, it[i].label, 28);
		ft_buf_adds(out, "</text>");
		if (it[i].href)
			ft_buf_adds(out, "</a>");
		ft_buf_addf(out,
			    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" "
			    "height=\"%d\" fill=\"" BAR "\"><title>",
			    lw, y + 3, w < 1 && it[i].value > 0 ? 1 : w,
			    row - 6);
		ft_html_text(out, it[i].label);
		if (it[i].id) {
			ft_buf_adds(out, " (");
			ft_html_text(out, it[i].id);
			ft_buf_adds(out, ")");
		}
		ft_buf_adds(out, ": ");
		ft_svg_number(out, it[i].value);
		ft_buf_addf(out,
			    "</title></rect><text x=\"%.1f\" y=\"%d\" "
			    "fill=\"" INK "\">",
			    lw + w + 4, y + 15);
		ft_svg_number(out, it[i].value);
		ft_buf_adds(out, "</text>\n");
	}
	if (n > shown)
		ft_buf_addf(out,
			    "<text x=\"%d\" y=\"%d\" fill=\"#666\">and %zu "
			    "more (see the table)</text>\n",
			    lw, 4 + (int)shown * row + 15, n - shown);
	ft_buf_adds(out, "</svg>\n");
}

/* A round top for an axis at or above max: 1, 2 or 5 times a power of
 * ten. */
static double
nice_top(double max)
{
	double p, f;

	if (max <= 0)
		return 1;
	p = pow(10, floor(log10(max)));
	f = max / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

void
ft_svg_line(struct ft_buf *out, const char *title, const struct ft_svg_item *it,
	    size_t n)
{
	const int w = 640, h = 260, l = 56, r = 16, t = 12, b = 40;
	const int pw = w - l - r, ph = h - t - b;
	double max = 0, top, x, y;
	size_t i, ticks[3] = { 0, n / 2, n ? n - 1 : 0 };
	int k;

	for (i = 0; i < n; i++)
		if (it[i].value > max)
			max = it[i].value;
	top = nice_top(max);
	svg_open(out, "line", w, h, title);
	for (k = 0; k <= 2; k++) {
		y = t + ph - ph * k / 2.0;
		ft_buf_addf(out,
			    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			    "stroke=\"#ccc\"/><text x=\"%d\" y=\"%.1f\" "
			    "text-anchor=\"end\" fill=\"" INK "\">",
			    l, y, w - r, y, l - 6, y + 4);
		ft_svg_number(out, top * k / 2);
		ft_buf_adds(out, "</text>\n");
	}
	if (!n) {
		ft_buf_adds(out, "</svg>\n");
		return;
	}
	ft_buf_adds(out, "<polyline fill=\"none\" stroke=\"" BAR
			 "\" stroke-width=\"2\" points=\"");
	for (i = 0; i < n; i++) {
		x = l + (n > 1 ? pw * (double)i / (double)(n - 1) : pw / 2.0);
		y = t + ph - (it[i].value > 0 ? ph * it[i].value / top : 0);
		ft_buf_addf(out, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	ft_buf_adds(out, "\"/>\n");
	for (i = 0; i < n && n <= 62; i++) {
		x = l + (n > 1 ? pw * (double)i / (double)(n - 1) : pw / 2.0);
		y = t + ph - (it[i].value > 0 ? ph * it[i].value / top : 0);
		ft_buf_addf(out,
			    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
			    "fill=\"" BAR "\"><title>",
			    x, y);
		ft_html_text(out, it[i].label);
		ft_buf_adds(out, ": ");
		ft_svg_number(out, it[i].value);
		ft_buf_adds(out, "</title></circle>\n");
	}
	for (k = 0; k < 3; k++) {
		if (k && ticks[k] == ticks[k - 1])
			continue;
		x = l + (n > 1 ? pw * (double)ticks[k] / (double)(n - 1) :
				 pw / 2.0);
		ft_buf_addf(out,
			    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" "
			    "fill=\"" INK "\">",
			    x, h - b + 18,
			    k == 0 && n > 1 ? "start" :
			    k == 2	    ? "end" :
					      "middle");
		label(out, it[ticks[k]].label, 20);
		ft_buf_adds(out, "</text>\n");
	}
	ft_buf_adds(out, "</svg>\n");
}

/* ---- maps ---- */

void
ft_svg_map_init(struct ft_svg_map *m)
{
	memset(m, 0, sizeof(*m));
}

void
ft_svg_map_release(struct ft_svg_map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->shape[i].id);
		free(m->shape[i].name);
		free(m->shape[i].href);
	}
	free(m->shape);
	free(m->pt);
	free(m->ring);
	ft_svg_map_init(m);
}

struct collect {
	struct ft_svg_map *m;
	int ring;
};

static void
add_point(void *arg, int ring, double lon, double lat)
{
	struct collect *c = arg;
	struct ft_svg_map *m = c->m;

	if (ring != c->ring) {
		if (m->nring == m->capring) {
			m->capring = m->capring ? 2 * m->capring : 64;
			m->ring = ft_xrealloc(m->ring,
					      2 * m->capring * sizeof(size_t));
		}
		m->ring[2 * m->nring] = m->npt;
		m->ring[2 * m->nring + 1] = 0;
		m->nring++;
		c->ring = ring;
	}
	if (m->npt == m->cappt) {
		m->cappt = m->cappt ? 2 * m->cappt : 1024;
		m->pt = ft_xrealloc(m->pt, 2 * m->cappt * sizeof(double));
	}
	m->pt[2 * m->npt] = lon;
	m->pt[2 * m->npt + 1] = lat;
	m->npt++;
	m->ring[2 * m->nring - 1]++;
}

long
ft_svg_map_add(struct ft_svg_map *m, const char *id, const char *name,
	       const char *geo, size_t len)
{
	struct collect c = { m, 0 };
	struct ft_buf why = FT_BUF_INIT;
	struct ft_svg_shape *s;
	struct ft_bbox bb;
	size_t ring0 = m->nring, pt0 = m->npt;
	const char *err;

	err = ft_geo_area_points(geo, len, &bb, &why, add_point, &c);
	ft_buf_release(&why);
	if (err) {
		m->nring = ring0;
		m->npt = pt0;
		return -1;
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 32;
		m->shape = ft_xrealloc(m->shape,
				       m->cap * sizeof(struct ft_svg_shape));
	}
	s = &m->shape[m->n];
	memset(s, 0, sizeof(*s));
	s->id = ft_xstrdup(id);
	s->name = name ? ft_xstrdup(name) : NULL;
	s->ring0 = ring0;
	s->nring = m->nring - ring0;
	return (long)m->n++;
}

long
ft_svg_map_find(const struct ft_svg_map *m, const char *id)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->shape[i].id, id))
			return (long)i;
	return -1;
}

/* The class (0..4) of v on the scale from lo to hi. */
static int
class_of(double v, double lo, double hi)
{
	int k;

	if (hi <= lo)
		return v > 0 ? 4 : 0;
	k = (int)floor((v - lo) / (hi - lo) * 5);
	return k < 0 ? 0 : k > 4 ? 4 : k;
}

/* The legend under a map of height y0: five classes and "no figure". */
static void
legend(struct ft_buf *out, int y0, double lo, double hi, const char *measure)
{
	int k, x = 8;

	ft_buf_addf(out, "<text x=\"8\" y=\"%d\" fill=\"" INK "\">", y0 + 14);
	ft_html_text(out, measure ? measure : "value");
	ft_buf_adds(out, "</text>\n");
	for (k = 0; k < 5; k++, x += 110) {
		ft_buf_addf(
			out,
			"<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"12\" "
			"fill=\"%s\" stroke=\"#999\"/><text x=\"%d\" "
			"y=\"%d\" fill=\"" INK "\">",
			x, y0 + 22, shade[k], x + 20, y0 + 32);
		ft_svg_number(out, lo + (hi - lo) * k / 5);
		ft_buf_adds(out, "\xe2\x80\x93");
		ft_svg_number(out, lo + (hi - lo) * (k + 1) / 5);
		ft_buf_adds(out, "</text>\n");
	}
	ft_buf_addf(out,
		    "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"12\" "
		    "fill=\"" NO_VALUE "\" stroke=\"#999\"/><text x=\"%d\" "
		    "y=\"%d\" fill=\"" INK "\">none</text>\n",
		    8, y0 + 42, 28, y0 + 52);
}

/* The names of a few areas, at the middle of their first ring's box. */
static void
labels(struct ft_buf *out, const struct ft_svg_map *m, double minx, double maxy,
       double kx, double sc, int pad)
{
	size_t i, p;

	for (i = 0; i < m->n; i++) {
		const struct ft_svg_shape *s = &m->shape[i];
		double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
		const double *q;

		if (!s->nring)
			continue;
		for (p = 0; p < m->ring[2 * s->ring0 + 1]; p++) {
			q = m->pt + 2 * (m->ring[2 * s->ring0] + p);
			x0 = fmin(x0, q[0]), x1 = fmax(x1, q[0]);
			y0 = fmin(y0, q[1]), y1 = fmax(y1, q[1]);
		}
		ft_buf_addf(
			out,
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
			"fill=\"" INK "\" stroke=\"#fff\" stroke-width=\"3\" "
			"paint-order=\"stroke\" pointer-events=\"none\">",
			pad + ((x0 + x1) / 2 - minx) * kx * sc,
			pad + (maxy - (y0 + y1) / 2) * sc + 4);
		label(out, s->name ? s->name : s->id, 16);
		ft_buf_adds(out, "</text>\n");
	}
}

void
ft_svg_map_draw(struct ft_buf *out, const struct ft_svg_map *m,
		const char *title, const char *measure)
{
	const int w = 560, pad = 8;
	double minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9, kx, sc;
	double lo = 0, hi = 0;
	size_t i, r, p;
	int h, any = 0;

	for (i = 0; i < m->npt; i++) {
		minx = fmin(minx, m->pt[2 * i]);
		maxx = fmax(maxx, m->pt[2 * i]);
		miny = fmin(miny, m->pt[2 * i + 1]);
		maxy = fmax(maxy, m->pt[2 * i + 1]);
	}
	/* The classes span the values drawn, not 0 to the largest: areas
	 * of close figures are told apart. */
	for (i = 0; i < m->n; i++) {
		if (!m->shape[i].has_value)
			continue;
		if (!any || m->shape[i].value < lo)
			lo = m->shape[i].value;
		if (!any || m->shape[i].value > hi)
			hi = m->shape[i].value;
		any = 1;
	}
	if (!m->npt)
		return;
	kx = cos((miny + maxy) / 2 * PI / 180);
	sc = (w - 2 * pad) / fmax((maxx - minx) * kx, 1e-9);
	if ((maxy - miny) * sc > 480)
		sc = (480 - 2 * pad) / fmax(maxy - miny, 1e-9);
	h = (int)ceil((maxy - miny) * sc) + 2 * pad;
	svg_open(out, "map", w, h + 60, title);
	for (i = 0; i < m->n; i++) {
		const struct ft_svg_shape *s = &m->shape[i];

		if (s->href)
			ft_buf_addf(out, "<a href=\"%s\">", s->href);
		ft_buf_addf(out,
			    "<path fill-rule=\"evenodd\" stroke=\"#fff\" "
			    "stroke-width=\"1\" fill=\"%s\" d=\"",
			    s->has_value ? shade[class_of(s->value, lo, hi)] :
					   NO_VALUE);
		for (r = s->ring0; r < s->ring0 + s->nring; r++) {
			for (p = 0; p < m->ring[2 * r + 1]; p++) {
				const double *q = m->pt +
						  2 * (m->ring[2 * r] + p);

				ft_buf_addf(out, "%c%.1f %.1f", p ? 'L' : 'M',
					    pad + (q[0] - minx) * kx * sc,
					    pad + (maxy - q[1]) * sc);
			}
			ft_buf_addc(out, 'Z');
		}
		ft_buf_adds(out, "\"><title>");
		ft_html_text(out, s->name ? s->name : s->id);
		if (s->name) {
			ft_buf_adds(out, " (");
			ft_html_text(out, s->id);
			ft_buf_addc(out, ')');
		}
		ft_buf_adds(out, ": ");
		if (s->has_value)
			ft_svg_number(out, s->value);
		else
			ft_buf_adds(out, "none");
		ft_buf_adds(out, "</title></path>");
		if (s->href)
			ft_buf_adds(out, "</a>");
		ft_buf_addc(out, '\n');
	}
	if (m->n <= 24)
		labels(out, m, minx, maxy, kx, sc, pad);
	legend(out, h, lo, hi, measure);
	ft_buf_adds(out, "</svg>\n");
}
