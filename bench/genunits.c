/*
 * genunits - the units ft-dispatch's benchmark places its events in.
 *
 * Usage: genunits DIR
 *
 * Writes DIR/units.ndjson: one district, 10 streets, 80 communities and
 * 2,000 grid cells tiling the box that bench/gen.c puts its events in
 * (22.52..22.56 N, 114.02..114.08 E), then a team for every street and
 * every community and the departments that bench/dispatch.json names.
 *
 * The grid is 50 columns x 40 rows; a cell is 0.0012 degree of longitude
 * (about 123 m) by 0.001 degree of latitude (about 111 m).  Each side of a
 * cell is cut into equal pieces, 15 along the east-west sides and 10 along
 * the north-south ones, so its ring has 50 distinct positions (51 with the
 * closing one).  Every coordinate is an integer number of 1e-7 degree
 * computed from its place on the global lattice of those pieces, so two
 * neighbouring cells share their edge points exactly.
 *
 * A street is 10 x 20 cells (5 across, 2 down), a community 5 x 5 cells
 * (2 across, 4 down in its street).  Their boundaries are the rectangles of
 * their corners only: the cells' intermediate points lie exactly on those
 * straight sides, so the regions are the same, and the workload is the one
 * issue 3 names (2,000 polygons of about 50 vertices), not a district
 * ring of thousands of vertices.
 *
 * No randomness at all: the output is the same bytes everywhere.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define COLS 50
#define ROWS 40
#define LON0 1140200000L	/* 114.02 in 1e-7 degree */
#define LAT0 225200000L		/* 22.52 */
#define XSUB 15			/* pieces along an east-west side */
#define YSUB 10			/* pieces along a north-south side */
#define XSTEP 800L		/* 0.0012 degree / 15 */
#define YSTEP 1000L		/* 0.001 degree / 10 */
#define SCOLS 10		/* cells across a street */
#define SROWS 20		/* cells down a street */
#define CCOLS 5			/* cells across a community */
#define CROWS 5			/* cells down a community */

/* The street names of bench/gen.c's addresses, west to east, south row
 * first. */
static const char *const streets[] = {
	"园岭街道", "南园街道", "福田街道", "沙头街道", "香蜜湖街道",
	"梅林街道", "莲花街道", "华富街道", "福保街道", "华强北街道"
};

static const char *const commnames[] = {
	"东", "西", "南", "北", "中", "新", "安", "和"
};

/* The departments bench/dispatch.json sends events to. */
static const char *const depts[][2] = {
	{ "ft-cc", "区指挥中心" }, { "dept-yj", "区应急管理局" },
	{ "dept-ga", "公安分局" }, { "dept-jj", "交警大队" },
	{ "dept-xf", "消防救援大队" }, { "dept-sw", "区水务局" },
	{ "dept-jt", "区交通运输局" }, { "dept-sz", "市政设施管理中心" },
	{ "dept-hw", "区环境卫生管理处" }, { "dept-hb", "生态环境分局" },
	{ "dept-cg", "区城市管理和综合执法局" }, { "dept-yl", "区园林绿化中心" },
	{ "dept-zj", "区住房和建设局" }, { "dept-wt", "区文化广电旅游体育局" },
	{ "dept-sc", "市场监督管理分局" }, { "dept-gd", "供电局福田分局" }
};

/* A coordinate in 1e-7 degree, printed exactly. */
static void
coord(FILE *f, long v)
{
	fprintf(f, "%ld.%07ld", v / 10000000L, v % 10000000L);
}

static void
pos(FILE *f, int *first, long x, long y)
{
	if (!*first)
		putc(',', f);
	*first = 0;
	putc('[', f);
	coord(f, x);
	putc(',', f);
	coord(f, y);
	putc(']', f);
}

/*
 * The boundary of cells [c0, c1) x [r0, r1): counter-clockwise from the
 * south-west corner.  every: 1 for every lattice point on the sides (a
 * cell), 0 for the four corners only.
 */
static void
ring(FILE *f, int c0, int r0, int c1, int r1, int every)
{
	long k0 = (long)c0 * XSUB, k1 = (long)c1 * XSUB;
	long m0 = (long)r0 * YSUB, m1 = (long)r1 * YSUB;
	long k, m, dk = every ? 1 : k1 - k0, dm = every ? 1 : m1 - m0;
	int first = 1;

	fputs("{\"type\":\"Polygon\",\"coordinates\":[[", f);
	for (k = k0; k < k1; k += dk)		/* south side, eastward */
		pos(f, &first, LON0 + k * XSTEP, LAT0 + m0 * YSTEP);
	for (m = m0; m < m1; m += dm)		/* east side, northward */
		pos(f, &first, LON0 + k1 * XSTEP, LAT0 + m * YSTEP);
	for (k = k1; k > k0; k -= dk)		/* north side, westward */
		pos(f, &first, LON0 + k * XSTEP, LAT0 + m1 * YSTEP);
	for (m = m1; m > m0; m -= dm)		/* west side, southward */
		pos(f, &first, LON0 + k0 * XSTEP, LAT0 + m * YSTEP);
	pos(f, &first, LON0 + k0 * XSTEP, LAT0 + m0 * YSTEP);
	fputs("]]}", f);
}

int
main(int argc, char **argv)
{
	char path[4096];
	FILE *f;
	int s, c, g, sx, sy, cx, cy, gx, gy;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: genunits DIR\n");
		return 64;
	}
	snprintf(path, sizeof path, "%s/units.ndjson", argv[1]);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "genunits: %s: %s\n", path, strerror(errno));
		return 73;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);

	fputs("{\"id\":\"ft\",\"name\":\"福田示范区\",\"kind\":\"district\","
	      "\"boundary\":", f);
	ring(f, 0, 0, COLS, ROWS, 0);
	fputs("}\n", f);
	for (i = 0; i < sizeof depts / sizeof *depts; i++)
		fprintf(f, "{\"id\":\"%s\",\"name\":\"%s\",\"kind\":"
			"\"department\",\"parent\":\"ft\"}\n", depts[i][0],
			depts[i][1]);

	for (s = 0; s < 10; s++) {
		sx = (s % 5) * SCOLS;
		sy = (s / 5) * SROWS;
		fprintf(f, "{\"id\":\"ft-s%02d\",\"name\":\"%s\",\"kind\":"
			"\"street\",\"parent\":\"ft\",\"boundary\":", s + 1,
			streets[s]);
		ring(f, sx, sy, sx + SCOLS, sy + SROWS, 0);
		fputs("}\n", f);
		fprintf(f, "{\"id\":\"ft-s%02d-team\",\"name\":\"%s综合执法队\","
			"\"kind\":\"team\",\"parent\":\"ft-s%02d\"}\n", s + 1,
			streets[s], s + 1);
		for (c = 0; c < 8; c++) {
			cx = sx + (c % 2) * CCOLS;
			cy = sy + (c / 2) * CROWS;
			fprintf(f, "{\"id\":\"ft-s%02d-c%d\",\"name\":"
				"\"%s%s%s社区\",\"kind\":\"community\","
				"\"parent\":\"ft-s%02d\",\"boundary\":", s + 1,
				c + 1, streets[s], commnames[c],
				c < 4 ? "苑" : "湖", s + 1);
			ring(f, cx, cy, cx + CCOLS, cy + CROWS, 0);
			fputs("}\n", f);
			fprintf(f, "{\"id\":\"ft-s%02d-c%d-ws\",\"name\":"
				"\"%s%s社区工作站\",\"kind\":\"team\","
				"\"parent\":\"ft-s%02d-c%d\"}\n", s + 1, c + 1,
				streets[s], commnames[c], s + 1, c + 1);
			for (g = 0; g < CCOLS * CROWS; g++) {
				gx = cx + g % CCOLS;
				gy = cy + g / CCOLS;
				fprintf(f, "{\"id\":\"ft-s%02d-c%d-g%02d\","
					"\"name\":\"%s%s社区第%d网格\","
					"\"kind\":\"grid\",\"parent\":"
					"\"ft-s%02d-c%d\",\"boundary\":",
					s + 1, c + 1, g + 1, streets[s],
					commnames[c], g + 1, s + 1, c + 1);
				ring(f, gx, gy, gx + 1, gy + 1, 1);
				fputs("}\n", f);
			}
		}
	}
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "genunits: %s: write error\n", path);
		return 74;
	}
	return 0;
}
