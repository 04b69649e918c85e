#include "ft_geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cur {
	const char *p, *end;
	struct ft_buf *why;
	struct ft_bbox *bb;
	const char *err;
	ft_geo_point_fn *fn;
	void *arg;
};

static int
bad(struct cur *c, const char *msg)
{
	if (!c->err) {
		ft_buf_reset(c->why);
		ft_buf_adds(c->why, msg);
		c->err = c->why->s;
	}
	return -1;
}

static int
eat(struct cur *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 0;
	}
	return -1;
}

static int
number(struct cur *c, double *v)
{
	char buf[64];
	const char *s = c->p;
	size_t n;

	while (c->p < c->end && strchr("-+.0123456789eE", *c->p))
		c->p++;
	n = (size_t)(c->p - s);
	if (n == 0 || n >= sizeof(buf))
		return bad(c, "coordinates: a position holds something that "
			      "is not a number");
	memcpy(buf, s, n);
	buf[n] = '\0';
	*v = strtod(buf, NULL);
	return 0;
}

/* A position [lon, lat(, alt...)]. */
static int
position(struct cur *c, double *lon, double *lat)
{
	double v;

	if (eat(c, '['))
		return bad(c, "coordinates: a position is not an array");
	if (number(c, lon) || eat(c, ',') || number(c, lat))
		return bad(c, "coordinates: a position needs longitude and "
			      "latitude");
	while (!eat(c, ','))
		if (number(c, &v))
			return -1;
	if (eat(c, ']'))
		return bad(c, "coordinates: a position is not closed");
	if (!(fabs(*lon) <= 180) || !(fabs(*lat) <= 90)) {
		ft_buf_reset(c->why);
		ft_buf_addf(c->why, "coordinates out of range [%.10g, %.10g]: not "
			    "WGS 84 longitude/latitude (projected "
			    "coordinates? reproject to EPSG:4326)", *lon, *lat);
		c->err = c->why->s;
		return -1;
	}
	return 0;
}

static int
ring(struct cur *c, int k)
{
	double lon0 = 0, lat0 = 0, lon = 0, lat = 0;
	size_t n = 0;

	if (eat(c, '['))
		return bad(c, "coordinates: a ring is not an array");
	if (c->p < c->end && *c->p == ']')
		return bad(c, "coordinates: an empty ring");
	do {
		if (position(c, &lon, &lat))
			return -1;
		if (c->fn)
			c->fn(c->arg, k, lon, lat);
		if (n++ == 0) {
			lon0 = lon;
			lat0 = lat;
		}
		if (lon < c->bb->min_lon)
			c->bb->min_lon = lon;
		if (lon > c->bb->max_lon)
			c->bb->max_lon = lon;
		if (lat < c->bb->min_lat)
			c->bb->min_lat = lat;
		if (lat > c->bb->max_lat)
			c->bb->max_lat = lat;
	} while (!eat(c, ','));
	if (eat(c, ']'))
		return bad(c, "coordinates: a ring is not closed with ']'");
	if (n < 4) {
		ft_buf_reset(c->why);
		ft_buf_addf(c->why, "ring %d has %zu positions; a ring needs "
			    "at least 4", k, n);
		c->err = c->why->s;
		return -1;
	}
	if (lon != lon0 || lat != lat0) {
		ft_buf_reset(c->why);
		ft_buf_addf(c->why, "ring %d is not closed (its last position "
			    "differs from its first)", k);
		c->err = c->why->s;
		return -1;
	}
	return 0;
}

static int
polygon(struct cur *c, int *k)
{
	if (eat(c, '['))
		return bad(c, "coordinates: a polygon is not an array");
	if (c->p < c->end && *c->p == ']')
		return bad(c, "coordinates: a polygon with no ring");
	do {
		if (ring(c, ++*k))
			return -1;
	} while (!eat(c, ','));
	if (eat(c, ']'))
		return bad(c, "coordinates: a polygon is not closed with ']'");
	return 0;
}

static int
depth(const char *p, const char *end)
{
	int d = 0;

	while (p < end && *p == '[') {
		d++;
		p++;
	}
	return d;
}

static const char *
member(const struct ft_json_doc *d, const char *key, size_t *len)
{
	const struct ft_json_member *m = ft_json_get(d, key);

	if (!m)
		return NULL;
	*len = m->vallen;
	return d->text.s + m->val;
}

static int
type_is(const char *t, size_t n, const char *want)
{
	size_t k = strlen(want);

	return t && n == k + 2 && !memcmp(t + 1, want, k);
}

static const char *
geometry(const char *text, size_t len, struct ft_json_doc *d,
	 struct ft_buf *why, const char **type, size_t *tlen,
	 const char **coords, size_t *clen)
{
	const char *err;
	size_t pos;
	struct ft_buf crs = FT_BUF_INIT;

	ft_buf_reset(why);
	if (ft_json_parse(d, text, len, &err, &pos) || d->type != '{') {
		ft_buf_adds(why, "not a GeoJSON geometry object");
		return why->s;
	}
	if (ft_geojson_crs_name(d, &crs) && !ft_geo_is_wgs84(crs.s)) {
		ft_buf_addf(why, "crs \"%s\" is not WGS 84 longitude/latitude",
			    crs.s);
		ft_buf_release(&crs);
		return why->s;
	}
	ft_buf_release(&crs);
	*type = member(d, "type", tlen);
	if (!*type || **type != '"') {
		ft_buf_adds(why, "a geometry without a \"type\"");
		return why->s;
	}
	*coords = member(d, "coordinates", clen);
	return NULL;
}

const char *
ft_geo_check_area(const char *text, size_t len, struct ft_bbox *bb,
		  struct ft_buf *why)
{
	return ft_geo_area_points(text, len, bb, why, NULL, NULL);
}

const char *
ft_geo_area_points(const char *text, size_t len, struct ft_bbox *bb,
		   struct ft_buf *why, ft_geo_point_fn *fn, void *arg)
{
	struct ft_json_doc d;
	const char *type = NULL, *coords = NULL, *r = NULL;
	size_t tlen = 0, clen = 0;
	struct cur c;
	int k = 0, multi, dp;

	ft_json_doc_init(&d);
	if ((r = geometry(text, len, &d, why, &type, &tlen, &coords, &clen)))
		goto out;
	multi = type_is(type, tlen, "MultiPolygon");
	if (!multi && !type_is(type, tlen, "Polygon")) {
		ft_buf_addf(why, "a %.*s is not an area (Polygon or "
			    "MultiPolygon)", (int)(tlen - 2), type + 1);
		r = why->s;
		goto out;
	}
	if (!coords || *coords != '[') {
		ft_buf_adds(why, "a geometry without \"coordinates\"");
		r = why->s;
		goto out;
	}
	dp = depth(coords, coords + clen);
	if (!multi && dp == 4) {
		ft_buf_adds(why, "a Polygon whose coordinates are nested like "
			    "a MultiPolygon's (a known export fault): fix "
			    "its type");
		r = why->s;
		goto out;
	}
	c.p = coords;
	c.end = coords + clen;
	c.why = why;
	c.bb = bb;
	c.err = NULL;
	c.fn = fn;
	c.arg = arg;
	bb->min_lon = bb->min_lat = INFINITY;
	bb->max_lon = bb->max_lat = -INFINITY;
	if (multi) {
		if (eat(&c, '[') || (c.p < c.end && *c.p == ']')) {
			bad(&c, "coordinates: a MultiPolygon with no polygon");
		} else {
			do
				if (polygon(&c, &k))
					break;
			while (!eat(&c, ','));
			if (!c.err && eat(&c, ']'))
				bad(&c, "coordinates: not closed with ']'");
		}
	} else {
		polygon(&c, &k);
	}
	if (!c.err && c.p != c.end)
		bad(&c, "coordinates: unexpected data after the polygon");
	r = c.err;
out:
	ft_json_doc_release(&d);
	return r;
}

const char *
ft_geo_point(const char *text, size_t len, double *lon, double *lat,
	     int *is_point, struct ft_buf *why)
{
	struct ft_json_doc d;
	const char *type = NULL, *coords = NULL, *r;
	size_t tlen = 0, clen = 0;
	struct ft_bbox bb;
	struct cur c;

	*is_point = 0;
	ft_json_doc_init(&d);
	r = geometry(text, len, &d, why, &type, &tlen, &coords, &clen);
	if (!r && type_is(type, tlen, "Point")) {
		*is_point = 1;
		memset(&c, 0, sizeof(c));
		c.p = coords;
		c.end = coords ? coords + clen : NULL;
		c.why = why;
		c.bb = &bb;
		c.err = NULL;
		if (!coords)
			r = bad(&c, "a Point without \"coordinates\"") ? c.err
								       : NULL;
		else if (position(&c, lon, lat) || c.p != c.end)
			r = c.err ? c.err : (bad(&c, "coordinates: not a "
						 "position"), c.err);
	}
	ft_json_doc_release(&d);
	return r;
}

int
ft_geo_is_wgs84(const char *name)
{
	static const char *const ok[] = {
		"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84",
		"urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:EPSG:4326",
		"EPSG:4326", "OGC:CRS84", "CRS84", "WGS84", "WGS 84"
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		if (!strcasecmp(name, ok[i]))
			return 1;
	return 0;
}

int
ft_geojson_crs_name(const struct ft_json_doc *d, struct ft_buf *out)
{
	const struct ft_json_member *m = ft_json_get(d, "crs");
	struct ft_json_doc crs, props;
	const struct ft_json_member *p, *n;
	const char *why;
	size_t pos;
	int found = 0;

	if (!m || m->vallen == 4)	/* absent or null */
		return 0;
	ft_json_doc_init(&crs);
	ft_json_doc_init(&props);
	ft_buf_reset(out);
	if (!ft_json_parse(&crs, d->text.s + m->val, m->vallen, &why, &pos) &&
	    crs.type == '{' && (p = ft_json_get(&crs, "properties")) &&
	    !ft_json_parse(&props, crs.text.s + p->val, p->vallen, &why, &pos) &&
	    props.type == '{' && (n = ft_json_get(&props, "name")) &&
	    props.text.s[n->val] == '"') {
		ft_json_unescape(props.text.s + n->val, n->vallen, out);
		found = 1;
	}
	if (!found)
		ft_buf_adds(out, "(a crs that is not a name)");
	ft_json_doc_release(&crs);
	ft_json_doc_release(&props);
	return 1;
}

