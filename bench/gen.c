/*
 * gen - a deterministic synthetic district's events, for the benchmarks.
 *
 * Usage: gen [-n N] DIR
 *
 * Writes DIR/events.csv (with a header row) and DIR/events.ndjson, the same
 * N records (default 1,000,000) in both, then DIR/events.n holding N: run.sh
 * uses that stamp to skip generation when the files are already there.
 *
 * The output depends on N and nothing else: our own PRNG (splitmix64 with a
 * fixed seed), no rand(), no clock, no locale.  Rows are about 250-350 bytes
 * of CSV: Chinese titles, texts and addresses composed from word lists, a
 * point in a district box around (22.52..22.56, 114.02..114.08), a QR
 * facility id on about 20% of rows, a fake phone number, a severity 1-4, a
 * time over one summer season in +08:00, and two columns that are not ours
 * (channel, weather), so that ft-ingest keeps them as extra fields.  About
 * one text in eight holds ASCII commas and double quotes, so CSV quoting and
 * JSON escaping are exercised.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NELEM(a) (sizeof(a) / sizeof(*(a)))

static uint64_t rng_state = 0x66742d62656e6368ULL; /* "ft-bench" */

/* splitmix64: small, fast and good enough for synthetic data. */
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform integer in [0, n). */
static unsigned
rndn(unsigned n)
{
	return (unsigned)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

#define PICK(a) ((a)[rndn(NELEM(a))])

/* Sources, weighted roughly as a district's intake is. */
static const char *const sources[] = {
	"app", "app", "app", "app", "hotline", "hotline", "hotline",
	"qr", "qr", "sensor", "sensor", "opinion", "patrol", "patrol"
};

struct cat {
	const char *name;
	const char *titles[4];	/* what is wrong */
	const char *things[3];	/* what it is wrong with */
};

static const struct cat cats[] = {
	{ "streetlight", { "路灯不亮", "路灯闪烁", "路灯白天常亮", "灯杆倾斜" },
	  { "路灯", "景观灯", "灯杆" } },
	{ "garbage", { "垃圾满溢", "垃圾未清运", "建筑垃圾乱倒", "垃圾桶破损" },
	  { "垃圾桶", "垃圾站", "分类投放点" } },
	{ "noise", { "噪音扰民", "夜间施工噪音", "广场舞噪音", "商铺音响扰民" },
	  { "工地", "商铺", "广场" } },
	{ "water", { "水管爆裂", "路面积水", "井盖冒水", "停水无通知" },
	  { "水管", "排水口", "消防栓" } },
	{ "road", { "路面坑洼", "道路塌陷", "人行道破损", "井盖缺失" },
	  { "路面", "人行道", "井盖" } },
	{ "parking", { "违章停车", "占用消防通道", "共享单车乱停", "僵尸车" },
	  { "车辆", "单车", "停车位" } },
	{ "tree", { "树木倒伏", "树枝遮挡路灯", "行道树枯死", "绿化带损毁" },
	  { "行道树", "绿化带", "树枝" } },
	{ "graffiti", { "墙面涂鸦", "小广告乱贴", "非法张贴", "护栏涂画" },
	  { "墙面", "电箱", "护栏" } },
	{ "sewage", { "污水外溢", "下水道堵塞", "化粪池异味", "河道发臭" },
	  { "下水道", "化粪池", "河道" } },
	{ "stall", { "占道经营", "流动摊贩", "夜市油烟", "店外堆放" },
	  { "摊点", "店铺", "人行道" } },
	{ "facility", { "健身器材损坏", "座椅破损", "电梯故障", "护栏松动" },
	  { "健身器材", "电梯", "座椅" } },
	{ "safety", { "电动车楼道充电", "高空抛物", "燃气异味", "消防通道堵塞" },
	  { "楼道", "燃气管", "消防门" } }
};

static const char *const streets[] = {
	"园岭街道", "南园街道", "福田街道", "沙头街道", "香蜜湖街道",
	"梅林街道", "莲花街道", "华富街道", "福保街道", "华强北街道"
};
static const char *const roads[] = {
	"深南大道", "红荔路", "笋岗西路", "福华路", "益田路", "彩田路",
	"新洲路", "皇岗路", "滨河大道", "华强北路", "上步中路", "燕南路",
	"八卦路", "园岭东路", "百花二路", "莲花路", "景田路", "香梅路"
};
static const char *const places[] = {
	"小区东门", "小区南门", "公交站旁", "地铁站B口", "菜市场门口",
	"幼儿园附近", "公园入口", "十字路口", "天桥下", "停车场出口",
	"商场后门", "学校门口", "社区服务站旁", "快递驿站前"
};
static const char *const when[] = {
	"昨晚开始", "已经三天了", "每天早上", "一直没人处理", "今天上午发现",
	"持续一周", "凌晨两点左右", "下雨后", "周末尤其严重", "刚刚"
};
static const char *const detail[] = {
	"影响居民出行", "老人小孩经过很危险", "附近居民多次投诉",
	"晚上看不清路", "气味很大", "已拍照留存", "希望尽快处理",
	"物业说不归他们管", "之前反映过一次", "请相关部门到现场查看",
	"周边商户也有意见", "存在安全隐患"
};
/* Quoted speech with ASCII punctuation: exercises CSV and JSON quoting. */
static const char *const quoted[] = {
	"居民称\"已经说了好几次, 还是没人管\"",
	"路人反映: \"太危险了, 晚上根本看不见\"",
	"物业回复\"不归我们管\", 请街道协调",
	"热线记录: 来电人情绪激动, 要求\"今天必须解决\"",
	"现场标注\"暂停使用\", 但无人维修"
};
static const char *const channels[] = {
	"wechat", "miniapp", "12345", "web", "grid-app", "weibo", "device"
};
static const char *const weather[] = {
	"晴", "多云", "阴", "小雨", "大雨", "雷阵雨", "台风"
};

struct rec {
	char id[16];
	const char *source, *category, *channel, *weather;
	char title[128], text[512], address[192], facility[24], reporter[16];
	char lat[16], lon[16], time[32];
	int severity;
};

/* Appends src to the buffer at *p; the buffers are sized for the lists. */
static void
cat_s(char **p, const char *src)
{
	size_t n = strlen(src);

	memcpy(*p, src, n);
	*p += n;
	**p = '\0';
}

static void
make(struct rec *r, unsigned long i, unsigned long n)
{
	/* 2024-06-01T00:00:00+08:00 to 2024-09-01, in order with jitter. */
	const long long start = 1717171200LL, span = 92LL * 86400;
	const struct cat *c = &cats[rndn(NELEM(cats))];
	const char *road = PICK(roads), *place = PICK(places);
	char *p;
	long long t;
	time_t tt;
	struct tm tm;
	unsigned k;

	snprintf(r->id, sizeof r->id, "ev-%07lu", i + 1);
	r->source = PICK(sources);
	r->category = c->name;
	r->channel = PICK(channels);
	r->weather = PICK(weather);

	p = r->title;
	*p = '\0';
	cat_s(&p, road);
	cat_s(&p, place);
	cat_s(&p, c->titles[rndn(4)]);

	p = r->text;
	*p = '\0';
	cat_s(&p, PICK(streets));
	cat_s(&p, road);
	cat_s(&p, place);
	cat_s(&p, "附近");
	cat_s(&p, c->things[rndn(3)]);
	cat_s(&p, rndn(2) ? "出现问题" : "情况");
	cat_s(&p, "，");
	cat_s(&p, PICK(when));
	cat_s(&p, "，");
	cat_s(&p, PICK(detail));
	if (rndn(8) == 0) {
		cat_s(&p, "。");
		cat_s(&p, PICK(quoted));
	} else if (rndn(2)) {
		cat_s(&p, "，");
		cat_s(&p, PICK(detail));
	}
	cat_s(&p, "。");

	/* One draw a statement: argument order is unspecified in C. */
	k = rndn(NELEM(streets));
	snprintf(r->address, sizeof r->address, "深圳市福田区%s%s%u号",
		 streets[k], road, 1 + rndn(300));

	if (r->source[0] == 'q' || rndn(100) < 7)
		snprintf(r->facility, sizeof r->facility, "QR-FT-%06u",
			 rndn(20000));
	else
		r->facility[0] = '\0';

	{
		static const char *const pre[] = { "138", "139", "135", "136",
						   "150", "158", "186", "189" };
		const char *pp = PICK(pre);

		snprintf(r->reporter, sizeof r->reporter, "%s%08u", pp,
			 rndn(100000000));
	}

	snprintf(r->lat, sizeof r->lat, "%.6f", 22.52 + rndn(40001) * 1e-6);
	snprintf(r->lon, sizeof r->lon, "%.6f", 114.02 + rndn(60001) * 1e-6);

	k = rndn(100);
	r->severity = k < 45 ? 1 : k < 80 ? 2 : k < 95 ? 3 : 4;

	/* Local time +08:00: shift by 8 h and format as UTC. */
	t = start + (long long)((double)span * i / n) + rndn(60);
	tt = (time_t)(t + 8 * 3600);
	gmtime_r(&tt, &tm);
	strftime(r->time, sizeof r->time, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

/* A CSV field, quoted only when it must be (RFC 4180). */
static void
csv_field(FILE *f, const char *s)
{
	const char *q;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (q = s; *q; q++) {
		if (*q == '"')
			putc('"', f);
		putc(*q, f);
	}
	putc('"', f);
}

/* A JSON string; the lists hold no control characters. */
static void
json_str(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', f);
		putc(*s, f);
	}
	putc('"', f);
}

static void
write_csv(FILE *f, const struct rec *r)
{
	fputs(r->id, f);
	putc(',', f);
	fputs(r->source, f);
	putc(',', f);
	fputs(r->category, f);
	putc(',', f);
	csv_field(f, r->title);
	putc(',', f);
	csv_field(f, r->text);
	fprintf(f, ",%s,%s,", r->lat, r->lon);
	csv_field(f, r->address);
	fprintf(f, ",%s,%s,%d,%s,%s,%s\n", r->facility, r->reporter,
		r->severity, r->time, r->channel, r->weather);
}

/* NDJSON: numbers as numbers, no facility key when there is none. */
static void
write_json(FILE *f, const struct rec *r)
{
	fprintf(f, "{\"id\":\"%s\",\"source\":\"%s\",\"category\":\"%s\","
		   "\"title\":",
		r->id, r->source, r->category);
	json_str(f, r->title);
	fputs(",\"text\":", f);
	json_str(f, r->text);
	fprintf(f, ",\"lat\":%s,\"lon\":%s,\"address\":", r->lat, r->lon);
	json_str(f, r->address);
	if (r->facility[0])
		fprintf(f, ",\"facility\":\"%s\"", r->facility);
	fprintf(f, ",\"reporter\":\"%s\",\"severity\":%d,\"reported_at\":\"%s\","
		   "\"channel\":\"%s\",\"weather\":\"%s\"}\n",
		r->reporter, r->severity, r->time, r->channel, r->weather);
}

static FILE *
open_out(const char *dir, const char *name, char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		exit(73);
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static int
close_out(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "gen: %s: write error\n", path);
		return 74;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char pcsv[4096], pjson[4096], pn[4096];
	unsigned long n = 1000000, i;
	const char *dir;
	FILE *csv, *json, *stamp;
	struct rec r;
	char *end;
	int rc = 0;

	if (argc == 4 && strcmp(argv[1], "-n") == 0) {
		errno = 0;
		n = strtoul(argv[2], &end, 10);
		if (errno || *end || n == 0 || n > 9999999) {
			fprintf(stderr, "gen: -n: want 1 to 9999999\n");
			return 64;
		}
		dir = argv[3];
	} else if (argc == 2) {
		dir = argv[1];
	} else {
		fprintf(stderr, "usage: gen [-n N] DIR\n");
		return 64;
	}

	csv = open_out(dir, "events.csv", pcsv, sizeof pcsv);
	json = open_out(dir, "events.ndjson", pjson, sizeof pjson);
	fputs("id,source,category,title,text,lat,lon,address,facility,"
	      "reporter,severity,reported_at,channel,weather\n", csv);
	for (i = 0; i < n; i++) {
		make(&r, i, n);
		write_csv(csv, &r);
		write_json(json, &r);
	}
	rc |= close_out(csv, pcsv);
	rc |= close_out(json, pjson);
	if (rc)
		return 74;

	/* The stamp last: its presence means both files are complete. */
	stamp = open_out(dir, "events.n", pn, sizeof pn);
	fprintf(stamp, "%lu\n", n);
	return close_out(stamp, pn) ? 74 : 0;
}
