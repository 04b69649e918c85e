/*
 * ft_geo.h - GeoJSON geometries: checking boundaries and points.
 *
 * Boundaries are Polygons or MultiPolygons (holes allowed) in WGS 84
 * longitude/latitude, as RFC 7946 requires.  A geometry in another system
 * is refused rather than mis-read: a "crs" naming anything but WGS 84, or a
 * coordinate outside [-180, 180] x [-90, 90] (projected metres, say).
 */
#ifndef FT_GEO_H
#define FT_GEO_H

#include "ft_buf.h"
#include "ft_json.h"

struct ft_bbox {
	double min_lon, min_lat, max_lon, max_lat;
};

/*
 * Checks that the compact JSON text is a Polygon or MultiPolygon fit to be
 * an area's boundary.  Returns NULL and its bounding box, or the reason
 * (written into why, which it returns).
 */
const char *ft_geo_check_area(const char *text, size_t len,
			      struct ft_bbox *bb, struct ft_buf *why);

/*
 * ft_geo_check_area(), calling fn(arg, ring, lon, lat) for every position
 * in order; ring counts the rings of all polygons from 1.
 */
typedef void ft_geo_point_fn(void *arg, int ring, double lon, double lat);
const char *ft_geo_area_points(const char *text, size_t len,
			       struct ft_bbox *bb, struct ft_buf *why,
			       ft_geo_point_fn *fn, void *arg);

/*
 * Reads a GeoJSON Point.  Returns NULL and its coordinates, or the reason
 * (in why).  *is_point is 0 when the geometry is of another type.
 */
const char *ft_geo_point(const char *text, size_t len, double *lon,
			 double *lat, int *is_point, struct ft_buf *why);

/* Is name one of the spellings of WGS 84 longitude/latitude? */
int ft_geo_is_wgs84(const char *name);

/*
 * The name a GeoJSON "crs" member of d gives, decoded into out; 0 when d
 * has no crs.  A crs of another form is described in out.
 */
int ft_geojson_crs_name(const struct ft_json_doc *d, struct ft_buf *out);

#endif
