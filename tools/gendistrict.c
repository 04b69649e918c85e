/*
 * gendistrict - writes a made-up district for `make demo`: its units
 * (district, streets, communities, grid cells, departments, street teams),
 * its registered public facilities and a season of events.
 *
 * Usage: gendistrict [-s SEED] [-n EVENTS] [-d DAYS] DIR
 *
 * Writes DIR/units.ndjson, DIR/facilities.ndjson and DIR/events.csv, and
 * prints on standard output what it wrote as "name=value" lines, for the
 * demo script to check the database against.
 *
 * The output depends on the arguments only: the random numbers come from a
 * fixed generator (splitmix64), never from the clock or rand(3), and every
 * coordinate is rounded to 6 decimals, so every machine writes the same
 * bytes.
 *
 * The district is a box (22.52..22.56 N, 114.02..114.08 E) cut into a
 * 16 x 12 grid of cells: 4 streets of 2 x 2 communities of 4 x 3 cells.
 * The events carry what the later tools are there to find: hot spots, a
 * typhoon in July (a spike of waterlogging and fallen trees), a street lamp
 * that keeps breaking, a water-level sensor that goes silent, public-opinion
 * items that speak of danger, and a few deliberately bad rows.
 *
 * This is a tool of the build, not of the toolkit: it exits 64 on a usage
 * error and 73 when it cannot write, like the tools, and is otherwise plain.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LAT0 22.52
#define LAT1 22.56
#define LON0 114.02
#define LON1 114.08
#define COLS 16
#define ROWS 12
#define NSTREET 4
#define NCOMM 4		/* communities a street */
#define NCELL 12	/* grid cells a community */

/* 2026-06-01T00:00:00+08:00: the first day of the season. */
#define SEASON_START ((int64_t)1780243200)
#define TZ_OFFSET (8 * 3600)

/* The deliberately bad event rows; the demo checks they are rejected. */
#define BAD_ROWS 3

static uint64_t rng_state;

/* splitmix64: small, fast and the same everywhere. */
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n). */
static unsigned
rndn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* A number in [0, 1). */
static double
rndf(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* An index into weights[0..n), drawn in proportion to the weights. */
static unsigned
pick(const unsigned *weights, unsigned n)
{
	unsigned i, total = 0, r;

	for (i = 0; i < n; i++)
		total += weights[i];
	r = rndn(total);
	for (i = 0; i < n; i++) {
		if (r < weights[i])
			return i;
		r -= weights[i];
	}
	return n - 1;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(a) ((a)[rndn(NELEM(a))])

/* --- the district ------------------------------------------------------ */

static const char *const street_names[NSTREET] = {
	"青松街道", "翠竹街道", "明月街道", "清风街道"
};

static const char *const comm_names[NSTREET][NCOMM] = {
	{ "松岭社区", "松涛社区", "松园社区", "松湖社区" },
	{ "竹林社区", "竹溪社区", "竹苑社区", "竹韵社区" },
	{ "月华社区", "月湾社区", "月桂社区", "月岛社区" },
	{ "风荷社区", "风岗社区", "风景社区", "风铃社区" },
};

/* Each street's roads, for addresses. */
static const char *const roads[NSTREET][3] = {
	{ "青松路", "松岭大道", "苍松街" },
	{ "翠竹路", "竹溪大道", "新竹街" },
	{ "明月路", "月湾大道", "桂花街" },
	{ "清风路", "荷塘大道", "风铃街" },
};

struct dept {
	const char *id, *name;
};

static const struct dept depts[] = {
	{ "dept-cg", "区城市管理和综合执法局" },
	{ "dept-ga", "区公安分局" },
	{ "dept-yj", "区应急管理局" },
	{ "dept-zj", "区住房和建设局" },
	{ "dept-hw", "区环境卫生管理处" },
	{ "dept-sw", "区水务局" },
	{ "dept-jt", "区交通运输局" },
	{ "dept-hb", "区生态环境分局" },
	{ "dept-sj", "区市场监督管理局" },
};

/* The cell at column c, row r (from the south-west corner). */
static void
cell_id(char *buf, size_t n, unsigned c, unsigned r)
{
	unsigned s = (r / 6) * 2 + c / 8;
	unsigned m = ((r % 6) / 3) * 2 + (c % 8) / 4;
	unsigned k = (r % 3) * 4 + c % 4;

	snprintf(buf, n, "ft-s%u-c%u-g%02u", s + 1, m + 1, k + 1);
}

/* The street (0..3) of column c, row r. */
static unsigned
cell_street(unsigned c, unsigned r)
{
	return (r / 6) * 2 + c / 8;
}

static double
col_lon(unsigned c)
{
	return LON0 + (LON1 - LON0) * c / COLS;
}

static double
row_lat(unsigned r)
{
	return LAT0 + (LAT1 - LAT0) * r / ROWS;
}

/*
 * Prints a coordinate with 6 decimals (about 0.1 m) and no trailing zeros.
 * Shared edges of neighbouring cells come from the same grid line, so they
 * print the same and the cells tile the district exactly.
 */
static void
put_coord(FILE *f, double v)
{
	char buf[32];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%.6f", v);

	while (n > 1 && buf[n - 1] == '0')
		n--;
	if (buf[n - 1] == '.')
		n--;
	fwrite(buf, 1, n, f);
}

/* A rectangle from grid line c0..c1, r0..r1, counter-clockwise. */
static void
put_box(FILE *f, unsigned c0, unsigned r0, unsigned c1, unsigned r1)
{
	const unsigned cs[5] = { c0, c1, c1, c0, c0 };
	const unsigned rs[5] = { r0, r0, r1, r1, r0 };
	int i;

	fputs("{\"type\":\"Polygon\",\"coordinates\":[[", f);
	for (i = 0; i < 5; i++) {
		fputs(i ? ",[" : "[", f);
		put_coord(f, col_lon(cs[i]));
		fputc(',', f);
		put_coord(f, row_lat(rs[i]));
		fputc(']', f);
	}
	fputs("]]}", f);
}

static unsigned
write_units(FILE *f)
{
	unsigned s, m, k, n = 0, i;

	fputs("{\"id\":\"ft\",\"name\":\"示范区\",\"kind\":\"district\","
	      "\"parent\":null,\"boundary\":", f);
	put_box(f, 0, 0, COLS, ROWS);
	fputs("}\n", f);
	n++;
	for (s = 0; s < NSTREET; s++) {
		unsigned sc = (s % 2) * 8, sr = (s / 2) * 6;

		fprintf(f, "{\"id\":\"ft-s%u\",\"name\":\"%s\",\"kind\":"
			"\"street\",\"parent\":\"ft\",\"boundary\":", s + 1,
			street_names[s]);
		put_box(f, sc, sr, sc + 8, sr + 6);
		fputs("}\n", f);
		fprintf(f, "{\"id\":\"ft-s%u-team\",\"name\":\"%s综合执法队\","
			"\"kind\":\"team\",\"parent\":\"ft-s%u\"}\n", s + 1,
			street_names[s], s + 1);
		n += 2;
		for (m = 0; m < NCOMM; m++) {
			unsigned mc = sc + (m % 2) * 4, mr = sr + (m / 2) * 3;

			fprintf(f, "{\"id\":\"ft-s%u-c%u\",\"name\":\"%s\","
				"\"kind\":\"community\",\"parent\":\"ft-s%u\","
				"\"boundary\":", s + 1, m + 1,
				comm_names[s][m], s + 1);
			put_box(f, mc, mr, mc + 4, mr + 3);
			fputs("}\n", f);
			n++;
			for (k = 0; k < NCELL; k++) {
				unsigned c = mc + k % 4, r = mr + k / 4;

				fprintf(f, "{\"id\":\"ft-s%u-c%u-g%02u\","
					"\"name\":\"%s第%u网格\",\"kind\":"
					"\"grid\",\"parent\":\"ft-s%u-c%u\","
					"\"boundary\":", s + 1, m + 1, k + 1,
					comm_names[s][m], k + 1, s + 1, m + 1);
				put_box(f, c, r, c + 1, r + 1);
				fputs("}\n", f);
				n++;
			}
		}
	}
	for (i = 0; i < NELEM(depts); i++) {
		fprintf(f, "{\"id\":\"%s\",\"name\":\"%s\",\"kind\":"
			"\"department\",\"parent\":\"ft\"}\n", depts[i].id,
			depts[i].name);
		n++;
	}
	return n;
}

/* --- places ------------------------------------------------------------ */

struct place {
	double lat, lon;
	unsigned col, row;
};

/* A few busy places (a market, a night-life street...) draw more reports. */
static const double hotspots[][2] = {
	{ 22.5262, 114.0305 }, { 22.5338, 114.0712 }, { 22.5477, 114.0391 },
	{ 22.5541, 114.0633 }, { 22.5405, 114.0520 },
};

static void
place_fix(struct place *p)
{
	const double eps = 1e-6;
	int c, r;

	if (p->lat < LAT0 + eps)
		p->lat = LAT0 + eps;
	if (p->lat > LAT1 - eps)
		p->lat = LAT1 - eps;
	if (p->lon < LON0 + eps)
		p->lon = LON0 + eps;
	if (p->lon > LON1 - eps)
		p->lon = LON1 - eps;
	/* Rounded as printed, so the cell is the one the printed point is in. */
	p->lat = (double)(long)(p->lat * 1e6 + 0.5) / 1e6;
	p->lon = (double)(long)(p->lon * 1e6 + 0.5) / 1e6;
	c = (int)((p->lon - LON0) / (LON1 - LON0) * COLS);
	r = (int)((p->lat - LAT0) / (LAT1 - LAT0) * ROWS);
	p->col = (unsigned)(c < 0 ? 0 : c >= COLS ? COLS - 1 : c);
	p->row = (unsigned)(r < 0 ? 0 : r >= ROWS ? ROWS - 1 : r);
}

/*
 * Roughly normal in [-1.5, 1.5).  One call a statement: the order in which
 * the operands of one expression are evaluated is unspecified, and the
 * generator must draw its numbers in the same order under every compiler.
 */
static double
bell(void)
{
	double x = rndf();

	x += rndf();
	x += rndf();
	return x - 1.5;
}

/* A point anywhere, or near a hot spot (a rough bell curve around it). */
static struct place
place_random(int hot)
{
	struct place p;

	if (hot) {
		const double *h = hotspots[rndn(NELEM(hotspots))];

		p.lat = h[0] + bell() * 0.004;
		p.lon = h[1] + bell() * 0.005;
	} else {
		p.lat = LAT0 + rndf() * (LAT1 - LAT0);
		p.lon = LON0 + rndf() * (LON1 - LON0);
	}
	place_fix(&p);
	return p;
}

/* --- facilities -------------------------------------------------------- */

struct fkind {
	const char *kind, *code, *name, *owner, *category;
	unsigned count;
};

static const struct fkind fkinds[] = {
	{ "streetlight", "SL", "路灯", "dept-cg", "streetlight", 170 },
	{ "bin", "LJ", "垃圾桶", "dept-hw", "garbage", 140 },
	{ "manhole", "JG", "井盖", "dept-sw", "manhole", 100 },
	{ "hydrant", "XF", "消防栓", "dept-yj", "fire_hazard", 40 },
	{ "toilet", "GC", "公共厕所", "dept-hw", "toilet", 30 },
	{ "water_sensor", "SW", "积水监测仪", "dept-sw", "waterlogging", 20 },
};

struct facility {
	char id[24];
	const struct fkind *k;
	struct place p;
	unsigned street;
};

static struct facility *facs;
static unsigned nfacs;

static unsigned
make_facilities(FILE *f)
{
	unsigned i, j, n = 0;

	for (i = 0; i < NELEM(fkinds); i++)
		nfacs += fkinds[i].count;
	facs = calloc(nfacs, sizeof(*facs));
	if (!facs)
		return 0;
	for (i = 0; i < NELEM(fkinds); i++) {
		for (j = 0; j < fkinds[i].count; j++, n++) {
			struct facility *fa = &facs[n];
			char area[32];
			const char *road;
			unsigned house;

			fa->k = &fkinds[i];
			fa->p = place_random(rndn(3) == 0);
			fa->street = cell_street(fa->p.col, fa->p.row);
			/* What the QR code on the facility says. */
			snprintf(fa->id, sizeof(fa->id), "QR-%s-%05u",
				 fkinds[i].code, j + 1);
			cell_id(area, sizeof(area), fa->p.col, fa->p.row);
			road = PICK(roads[fa->street]);
			house = 1 + rndn(300);
			fprintf(f, "{\"id\":\"%s\",\"kind\":\"%s\",\"name\":"
				"\"%s%s%u号%s\",\"lat\":%.6f,\"lon\":%.6f,"
				"\"area\":\"%s\",\"owner\":\"%s\"}\n", fa->id,
				fkinds[i].kind, street_names[fa->street],
				road, house,
				fkinds[i].name, fa->p.lat, fa->p.lon, area,
				fkinds[i].owner);
		}
	}
	return n;
}

/* The n-th facility (from 0) of a kind. */
static const struct facility *
facility_of(const char *kind, unsigned nth)
{
	unsigned i;

	for (i = 0; i < nfacs; i++)
		if (!strcmp(facs[i].k->kind, kind) && nth-- == 0)
			return &facs[i];
	return &facs[0];
}

static const struct facility *
facility_random(const char *kind)
{
	const struct fkind *k = fkinds;
	unsigned i;

	for (i = 0; i < NELEM(fkinds); i++)
		if (!strcmp(fkinds[i].kind, kind))
			k = &fkinds[i];
	return facility_of(kind, rndn(k->count));
}

/* --- events ------------------------------------------------------------ */

struct category {
	const char *name;
	const char *titles[3];
	const char *texts[3];	/* each follows "<address>附近" */
	unsigned severity;	/* the usual one */
};

static const struct category cats[] = {
	{ "streetlight", { "路灯不亮", "路灯损坏", "路灯白天常亮" },
	  { "路灯不亮，晚上行人看不清路", "路灯灯杆倾斜，灯罩脱落",
	    "一排路灯白天一直亮着，浪费电" }, 1 },
	{ "garbage", { "垃圾满溢", "垃圾未清运", "垃圾乱堆放" },
	  { "垃圾桶已满，垃圾散落一地，气味很大",
	    "生活垃圾两天没有清运，招来很多苍蝇",
	    "有人把装修垃圾堆在路边" }, 1 },
	{ "manhole", { "井盖缺失", "井盖破损", "井盖松动" },
	  { "井盖不见了，车辆和行人很危险", "井盖碎裂，一半掉进井里",
	    "井盖松动，车辆经过时响声很大" }, 3 },
	{ "noise", { "噪音扰民", "夜间施工噪音", "广场舞音量过大" },
	  { "深夜还有人大声喧哗，影响休息", "工地晚上十一点后仍在施工",
	    "广场舞音响开得太大，住户无法休息" }, 1 },
	{ "illegal_parking", { "违章停车", "占用消防通道", "车辆堵塞路口" },
	  { "车辆长期停在人行道上", "消防通道被私家车堵住",
	    "路口有车辆乱停，造成拥堵" }, 2 },
	{ "road_damage", { "路面破损", "路面塌陷", "人行道砖松动" },
	  { "路面出现大坑，电动车容易摔倒", "路面下沉，出现裂缝",
	    "人行道砖松动翘起，老人容易绊倒" }, 2 },
	{ "waterlogging", { "道路积水", "下穿通道积水", "排水口堵塞" },
	  { "大雨后道路积水没过脚踝", "下穿通道积水很深，车辆无法通行",
	    "排水口被树叶堵住，雨水排不出去" }, 2 },
	{ "tree", { "树木倒伏", "树枝断落", "树木遮挡信号灯" },
	  { "大树倒在路中间，挡住车道", "断落的树枝挂在电线上",
	    "行道树长得太茂盛，挡住了红绿灯" }, 2 },
	{ "illegal_construction", { "违章搭建", "私搭乱建", "违规加建" },
	  { "楼顶有人违规加盖板房", "底商在门前私自搭建雨棚",
	    "小区绿地被占用搭建铁皮房" }, 2 },
	{ "street_vendor", { "占道经营", "流动摊贩", "店外经营" },
	  { "摊贩占用人行道卖水果", "晚上有很多流动摊贩，垃圾很多",
	    "餐馆把桌椅摆到店外人行道上" }, 1 },
	{ "fire_hazard", { "消防隐患", "电动车楼道充电", "消防栓损坏" },
	  { "楼道里堆满杂物，堵住安全出口", "有人在楼道里给电动车充电",
	    "消防栓漏水，阀门拧不动" }, 3 },
	{ "sewage", { "污水外溢", "下水道堵塞", "河道异味" },
	  { "污水从井口冒出来，流到路面", "下水道堵塞，污水倒灌进店铺",
	    "河道发黑发臭，有很多死鱼" }, 2 },
	{ "toilet", { "公厕卫生差", "公厕设施损坏", "公厕未开放" },
	  { "公厕地面很脏，没有纸巾", "公厕洗手池水龙头坏了",
	    "公厕白天锁门，无法使用" }, 1 },
};

static const struct category *
category_named(const char *name)
{
	unsigned i;

	for (i = 0; i < NELEM(cats); i++)
		if (!strcmp(cats[i].name, name))
			return &cats[i];
	return &cats[0];
}

enum source { APP, HOTLINE, QR, SENSOR, OPINION, PATROL, NSOURCE };

static const char *const source_names[NSOURCE] = {
	"app", "hotline", "qr", "sensor", "opinion", "patrol"
};

/* How often each source reports, in per cent. */
static const unsigned source_weights[NSOURCE] = { 30, 25, 15, 8, 5, 17 };

/* What each source reports about: a category and its weight. */
struct catw {
	const char *name;
	unsigned w;
};

static const struct catw app_cats[] = {
	{ "garbage", 18 }, { "streetlight", 10 }, { "noise", 14 },
	{ "illegal_parking", 14 }, { "road_damage", 10 },
	{ "street_vendor", 8 }, { "waterlogging", 6 }, { "tree", 5 },
	{ "illegal_construction", 6 }, { "sewage", 6 }, { "manhole", 3 },
};
static const struct catw hotline_cats[] = {
	{ "noise", 24 }, { "illegal_construction", 12 }, { "fire_hazard", 8 },
	{ "sewage", 10 }, { "garbage", 12 }, { "waterlogging", 6 },
	{ "illegal_parking", 12 }, { "road_damage", 8 }, { "tree", 4 },
	{ "streetlight", 4 },
};
static const struct catw patrol_cats[] = {
	{ "street_vendor", 25 }, { "illegal_construction", 15 },
	{ "garbage", 20 }, { "road_damage", 12 }, { "fire_hazard", 10 },
	{ "illegal_parking", 12 }, { "manhole", 6 },
};
static const struct catw opinion_cats[] = {
	{ "noise", 20 }, { "fire_hazard", 20 }, { "road_damage", 15 },
	{ "waterlogging", 15 }, { "illegal_construction", 15 },
	{ "sewage", 15 },
};

static const char *
pick_category(const struct catw *list, unsigned n)
{
	unsigned w[16], i;

	for (i = 0; i < n && i < NELEM(w); i++)
		w[i] = list[i].w;
	return list[pick(w, i)].name;
}

/* Public-opinion items: some speak of danger, for the keyword warnings. */
static const char *const opinion_danger[] = {
	"有网友担心会发生坍塌事故", "评论称现场有起火冒烟", "网友称有人受伤送医",
	"多名居民表示存在严重安全隐患", "视频显示现场有爆炸声",
};
static const char *const opinion_tail[] = {
	"帖子已被转发数百次", "多名网友跟帖表示同样情况", "有网友@了区政府官方账号",
	"相关话题登上本地热搜",
};
static const char *const tails[] = {
	"请尽快处理。", "已经持续好几天了。", "之前反映过，还没有解决。",
	"影响居民出行，希望有关部门管一管。", "", "麻烦派人来看看，谢谢！",
};

/* Hours of the day, weighted: people report by day, sensors round the clock. */
static const unsigned hour_weights[24] = {
	2, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 12,
	10, 10, 12, 12, 12, 11, 10, 10, 9, 8, 6, 4
};

/* The typhoon: days 50 to 52 of the season (21 to 23 July). */
#define TYPHOON_DAY 50
#define TYPHOON_DAYS 3
/* The water-level sensor that stops reporting, and from which day. */
#define SILENT_SENSOR 2
#define SILENT_DAY 60
/* The street lamp that keeps breaking. */
#define BAD_LAMP 6

struct event {
	int64_t t;		/* seconds since the epoch */
	enum source src;
	const char *cat;
	const struct facility *fac;	/* or NULL */
	struct place p;
	int has_place;
	unsigned sev;		/* 0: none given */
	unsigned title, text, tail, extra;	/* which phrasing */
	unsigned house, road, phone;
	int no_id;		/* opinion items from sites without ids */
};

static int
event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

static void
event_fill(struct event *e, int64_t day, enum source src)
{
	int64_t sec;

	memset(e, 0, sizeof(*e));
	e->src = src;
	sec = (int64_t)pick(hour_weights, 24) * 3600;
	sec += rndn(3600);
	if (src == SENSOR)
		sec = rndn(86400);
	e->t = SEASON_START + day * 86400 + sec;
	e->title = rndn(3);
	e->text = e->title;	/* the texts go with the titles */
	e->tail = rndn(NELEM(tails));
	e->extra = rndn(1000);
	e->road = rndn(3);
	e->house = 1 + rndn(300);
	e->phone = rndn(10000);
	switch (src) {
	case APP:
		e->cat = pick_category(app_cats, NELEM(app_cats));
		break;
	case HOTLINE:
		e->cat = pick_category(hotline_cats, NELEM(hotline_cats));
		break;
	case PATROL:
		e->cat = pick_category(patrol_cats, NELEM(patrol_cats));
		break;
	case OPINION:
		e->cat = pick_category(opinion_cats, NELEM(opinion_cats));
		e->no_id = rndn(2) == 0;
		break;
	case QR: {
		static const unsigned w[] = { 30, 30, 15, 8, 17 };
		static const char *const k[] = {
			"streetlight", "bin", "manhole", "hydrant", "toilet"
		};

		e->fac = facility_random(k[pick(w, NELEM(w))]);
		e->cat = e->fac->k->category;
		break;
	}
	case SENSOR:
		e->fac = facility_of("water_sensor", rndn(20));
		e->cat = "waterlogging";
		break;
	case NSOURCE:
		break;
	}
	if (e->fac) {
		e->p = e->fac->p;
		e->has_place = 1;
	} else if (src != OPINION || rndn(3) == 0) {
		e->p = place_random(rndn(10) < 4);
		e->has_place = 1;
	} else {
		/* Opinion items rarely come with a point: an address only. */
		e->p = place_random(0);
	}
	e->sev = category_named(e->cat)->severity + (rndn(5) == 0);
	if (e->sev > 4)
		e->sev = 4;
	if (src == HOTLINE && rndn(4) == 0)
		e->sev = 0;	/* the hotline export often leaves it out */
}

/* Writes one CSV field, quoted when it has to be (RFC 4180). */
static void
csv_field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

static void
put_time(char *buf, size_t n, int64_t t)
{
	time_t lt = (time_t)(t + TZ_OFFSET);
	struct tm tm;

	gmtime_r(&lt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

/* bad: 0 for a good row, else which deliberate mistake to make. */
static void
write_event(FILE *f, const struct event *e, unsigned seq, int bad)
{
	const struct category *c = category_named(e->cat);
	unsigned street = cell_street(e->p.col, e->p.row);
	char id[48], when[40], lat[24], lon[24], addr[96], title[128];
	char text[512], sev[12], reporter[24], day[16];

	put_time(when, sizeof(when), e->t);
	snprintf(day, sizeof(day), "%.4s%.2s%.2s", when, when + 5, when + 8);
	snprintf(id, sizeof(id), "%s-%s-%05u", source_names[e->src], day, seq);
	if (e->no_id)
		id[0] = '\0';
	snprintf(addr, sizeof(addr), "%s%s%u号", street_names[street],
		 roads[street][e->road], e->house);
	if (e->fac)
		snprintf(addr, sizeof(addr), "%s%s", street_names[street],
			 "（扫码定位）");
	lat[0] = lon[0] = '\0';
	if (e->has_place) {
		snprintf(lat, sizeof(lat), "%.6f", e->p.lat);
		snprintf(lon, sizeof(lon), "%.6f", e->p.lon);
	}
	snprintf(title, sizeof(title), "%s", c->titles[e->title]);
	switch (e->src) {
	case SENSOR:
		snprintf(title, sizeof(title), "积水监测报警");
		snprintf(text, sizeof(text), "监测仪%s报警：积水深度%u厘米，"
			 "超过警戒值15厘米", e->fac->id, 15 + e->extra % 40);
		break;
	case OPINION:
		snprintf(title, sizeof(title), "网络舆情：%s", c->titles[e->title]);
		snprintf(text, sizeof(text), "网友发帖称，%s附近%s。%s。%s",
			 addr, c->texts[e->text],
			 e->extra % 3 == 0 ? PICK(opinion_danger) : "帖子有少量评论",
			 opinion_tail[e->extra % NELEM(opinion_tail)]);
		break;
	case QR:
		snprintf(text, sizeof(text), "扫码报修（%s%s）：%s。%s",
			 e->fac->k->name, e->fac->id, c->texts[e->text],
			 tails[e->tail]);
		break;
	case PATROL:
		snprintf(text, sizeof(text), "网格员巡查发现：%s附近%s。"
			 "已拍照上报。", addr, c->texts[e->text]);
		break;
	default:
		snprintf(text, sizeof(text), "%s附近%s。%s", addr,
			 c->texts[e->text], tails[e->tail]);
		/* Some residents type ASCII punctuation: exercises quoting. */
		if (e->extra % 50 == 0)
			snprintf(text, sizeof(text), "%s附近%s, \"%s\"", addr,
				 c->texts[e->text], c->titles[e->title]);
		break;
	}
	sev[0] = '\0';
	if (e->sev)
		snprintf(sev, sizeof(sev), "%u", e->sev);
	reporter[0] = '\0';
	if (e->src == APP || e->src == HOTLINE)
		snprintf(reporter, sizeof(reporter), "1380000%04u", e->phone);

	if (bad == 1)	/* a latitude typed with a slipped digit */
		snprintf(lat, sizeof(lat), "%.4f", e->p.lat + 200);
	csv_field(f, id, 0);
	csv_field(f, source_names[e->src], 0);
	csv_field(f, bad == 2 ? "" : e->cat, 0);	/* no category */
	csv_field(f, title, 0);
	csv_field(f, text, 0);
	csv_field(f, lat, 0);
	csv_field(f, lon, 0);
	csv_field(f, addr, 0);
	csv_field(f, e->fac ? e->fac->id : "", 0);
	csv_field(f, reporter, 0);
	csv_field(f, sev, 0);
	csv_field(f, bad == 3 ? "2026-06-31T25:61:00+08:00" : when, 1);
}

static unsigned
write_events(FILE *f, unsigned target, unsigned days, unsigned *bad_out)
{
	/* About one event in ten comes from the typhoon and the bad lamp. */
	unsigned base = target - target / 10, cap = target + target / 5 + 64;
	struct event *ev = calloc(cap, sizeof(*ev));
	unsigned n = 0, d, i, bad = 0;

	if (!ev)
		return 0;
	for (d = 0; d < days; d++) {
		/* Weekends are quieter; the numbers grow a little over time. */
		unsigned wd = (unsigned)(((SEASON_START + TZ_OFFSET) / 86400 +
					  d + 4) % 7);
		unsigned today = base / days, k;

		if (wd == 0 || wd == 6)
			today = today * 4 / 5;
		today += today * d / (days * 10) + rndn(20);
		for (k = 0; k < today && n < cap; k++) {
			struct event *e = &ev[n];

			event_fill(e, d, (enum source)pick(source_weights,
							   NSOURCE));
			if (e->src == SENSOR && e->fac ==
			    facility_of("water_sensor", SILENT_SENSOR) &&
			    d >= SILENT_DAY)
				continue;	/* gone silent */
			n++;
		}
		if (d >= TYPHOON_DAY && d < TYPHOON_DAY + TYPHOON_DAYS) {
			for (k = 0; k < target / 40 && n < cap; k++) {
				struct event *e = &ev[n++];
				static const char *const storm[] = {
					"waterlogging", "waterlogging", "tree",
					"road_damage", "manhole", "sewage"
				};

				event_fill(e, d, (enum source)pick(
						source_weights, NSOURCE));
				if (!e->fac)
					e->cat = storm[rndn(NELEM(storm))];
				e->sev = 3 + (rndn(3) == 0);
			}
		}
		/* The street lamp that breaks again and again. */
		if (d % 3 == 1 && n < cap) {
			struct event *e = &ev[n++];

			event_fill(e, d, QR);
			e->fac = facility_of("streetlight", BAD_LAMP);
			e->cat = "streetlight";
			e->p = e->fac->p;
		}
	}
	qsort(ev, n, sizeof(*ev), event_cmp);
	fputs("id,source,category,title,text,lat,lon,address,facility,"
	      "reporter,severity,reported_at\n", f);
	for (i = 0; i < n; i++) {
		int b = 0;

		/* The bad rows, spread through the file. */
		if (i == n / 7 || i == n / 2 || i == n - n / 9)
			b = (int)++bad;
		write_event(f, &ev[i], i + 1, b);
	}
	free(ev);
	*bad_out = bad;
	return n;
}

/* --- main -------------------------------------------------------------- */

static FILE *
create(const char *dir, const char *name, char *path, size_t n)
{
	FILE *f;

	snprintf(path, n, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "gendistrict: %s: %s\n", path, strerror(errno));
	return f;
}

static int
finish(FILE *f, const char *path)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		fprintf(stderr, "gendistrict: %s: write error\n", path);
		return 74;
	}
	return 0;
}

static int
usage(void)
{
	fputs("usage: gendistrict [-s SEED] [-n EVENTS] [-d DAYS] DIR\n",
	      stderr);
	return 64;
}

static int
number(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return !*s || *end || errno || *v < lo || *v > hi;
}

int
main(int argc, char **argv)
{
	unsigned long seed = 20260601, events = 20000, days = 90;
	unsigned nunits, nf, nev, bad;
	const char *dir;
	char path[4096];
	FILE *f;
	int i, st;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--"))
			break;
		if (i + 1 >= argc)
			return usage();
		if (!strcmp(o, "-s")) {
			if (number(argv[++i], 0, 0xffffffffUL, &seed))
				return usage();
		} else if (!strcmp(o, "-n")) {
			if (number(argv[++i], 100, 10000000, &events))
				return usage();
		} else if (!strcmp(o, "-d")) {
			if (number(argv[++i], TYPHOON_DAY + TYPHOON_DAYS + 1,
				   3650, &days))
				return usage();
		} else {
			return usage();
		}
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (argc - i != 1)
		return usage();
	dir = argv[i];
	rng_state = seed;

	if (!(f = create(dir, "units.ndjson", path, sizeof(path))))
		return 73;
	nunits = write_units(f);
	if ((st = finish(f, path)))
		return st;

	if (!(f = create(dir, "facilities.ndjson", path, sizeof(path))))
		return 73;
	nf = make_facilities(f);
	if ((st = finish(f, path)))
		return st;
	if (!nf) {
		fputs("gendistrict: out of memory\n", stderr);
		return 70;
	}

	if (!(f = create(dir, "events.csv", path, sizeof(path))))
		return 73;
	nev = write_events(f, (unsigned)events, (unsigned)days, &bad);
	if ((st = finish(f, path)))
		return st;
	if (!nev) {
		fputs("gendistrict: out of memory\n", stderr);
		return 70;
	}
	free(facs);

	printf("units=%u\nfacilities=%u\nevents=%u\nbad_events=%u\n", nunits,
	       nf, nev, bad);
	return fclose(stdout) ? 74 : 0;
}
