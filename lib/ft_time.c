#define _GNU_SOURCE	/* tm_gmtoff, strptime, timegm */
#include "ft_time.h"
#include "ft_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static char **formats;
static size_t nformats;
/*
 * ft_time_offset()'s memo.  The memos are each thread's own (a reader
 * thread parses times while the main one computes with them);
 * ft_time_set_zone(), called before any thread starts, empties the
 * caller's.
 */
#define OFFSETS 256
static _Thread_local struct {
	int64_t q;
	long off;
	int set;
} offsets[OFFSETS];
static int64_t now_override;
static int now_set;
static char zone_name[256] = "UTC";
static int zone_utc = 1;

/* One entry per local hour: its UTC offset, when it is the same all hour. */
#define CACHE_SIZE 4096
static _Thread_local struct {
	int64_t hour;
	long off;
	int valid;
} cache[CACHE_SIZE];

int64_t
ft_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

static void
put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

void
ft_time_format(int64_t t, char out[FT_TIME_LEN])
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400, y;
	unsigned m, d;

	/* By hand: snprintf was a tenth of ft-ingest's time. */
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	put2(out, (unsigned)(y / 100));
	put2(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = 'T';
	put2(out + 11, (unsigned)(secs / 3600));
	out[13] = ':';
	put2(out + 14, (unsigned)(secs / 60 % 60));
	out[16] = ':';
	put2(out + 17, (unsigned)(secs % 60));
	out[19] = 'Z';
	out[20] = '\0';
}

static int zone_given;	/* the zone was named, not taken from TZ */
/*
 * Set by main(): ft_time_env().  TZ is copied, since ft_time_set_zone()
 * sets it again; TZDIR is kept as given.  A TZ longer than the copy is
 * kept cut, and names no zone.
 */
static char env_tz[256];
static const char *env_tzdir;

void
ft_time_env(const char *tz, const char *tzdir)
{
	snprintf(env_tz, sizeof(env_tz), "%s", tz ? tz : "");
	env_tzdir = tzdir;
}

static int
zone_exists(const char *z)
{
	const char *dir = env_tzdir;
	char path[4096];
	struct stat st;

	if (*z == ':')
		z++;
	if (!strcmp(z, "UTC") || !strcmp(z, "Z") || !strcmp(z, "GMT"))
		return 1;
	if (*z == '/')
		return stat(z, &st) == 0 && S_ISREG(st.st_mode);
	if (strstr(z, ".."))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir :
		 "/usr/share/zoneinfo", z);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return 1;
	/* A POSIX TZ string such as CST-8 or EST5EDT,M3.2.0,M11.1.0. */
	{
		const char *p = z;
		int letters = 0;

		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
			p++;
			letters++;
		}
		if (letters >= 3 && (*p == '+' || *p == '-' ||
				     (*p >= '0' && *p <= '9')))
			return 1;
	}
	return 0;
}

int
ft_time_zone_exists(const char *zone)
{
	return zone && *zone && zone_exists(zone);
}

int
ft_time_set_zone(const char *zone)
{
	int given = zone && *zone;

	if (!zone || !*zone)
		zone = env_tz;
	if (!zone || !*zone)
		zone = "UTC";
	if (!zone_exists(zone))
		return -1;
	snprintf(zone_name, sizeof(zone_name), "%s", zone);
	zone_utc = !strcmp(zone, "UTC") || !strcmp(zone, "Z") ||
		   !strcmp(zone, "GMT") || !strcmp(zone, ":UTC");
	setenv("TZ", !strcmp(zone, "Z") ? "UTC" : zone, 1);
	tzset();
	memset(cache, 0, sizeof(cache));
	memset(offsets, 0, sizeof(offsets));
	zone_given = given;
	return 0;
}

int
ft_time_zone_given(void)
{
	return zone_given;
}

const char *
ft_time_zone(void)
{
	return zone_name;
}

void
ft_time_add_format(const char *fmt)
{
	formats = ft_xrealloc(formats, (nformats + 1) * sizeof(*formats));
	formats[nformats++] = ft_xstrdup(fmt);
}

void
ft_time_clear_formats(void)
{
	size_t i;

	for (i = 0; i < nformats; i++)
		free(formats[i]);
	free(formats);
	formats = NULL;
	nformats = 0;
}

static long
offset_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (zone_utc || !localtime_r(&tt, &tm))
		return 0;
	return tm.tm_gmtoff;
}

/*
 * The zone's offset at t, kept by the quarter hour (zones change offset
 * on a quarter hour at the finest) for the last OFFSETS quarters asked
 * about: localtime_r() costs a lock and a look at TZ each call, a tenth of
 * a dispatch with calendar rules, and a deadline in working hours asks
 * about several days at once.  The slot is a hash of the quarter: the
 * quarters a deadline asks about are a day (96 quarters) apart, and by
 * the quarter modulo the size two days in three fell on the same slot.
 * ft_time_set_zone() empties it.
 */

long
ft_time_offset(int64_t t)
{
	int64_t q = t >= 0 ? t / 900 : (t - 899) / 900;
	unsigned i = (unsigned)((((uint64_t)q * 0x9e3779b97f4a7c15u) >> 32) %
				OFFSETS);

	if (!offsets[i].set || offsets[i].q != q) {
		offsets[i].off = offset_at(q * 900);
		offsets[i].q = q;
		offsets[i].set = 1;
	}
	return offsets[i].off;
}

void
ft_time_local(int64_t t, int *sec, int *wday, int64_t *day)
{
	int64_t lt = t + ft_time_offset(t);
	int64_t d = lt >= 0 ? lt / 86400 : (lt - 86399) / 86400;

	*sec = (int)(lt - d * 86400);
	*wday = (int)(((d % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	if (day)
		*day = d;
}

/*
 * The UTC offset that applies to the naive local second L; sets *uniform
 * when the same offset holds, unambiguously, for the hour around L.
 */
static long
resolve(int64_t L)
{
	long o1 = offset_at(L - 43200), o2 = offset_at(L + 43200);
	int v1 = offset_at(L - o1) == o1, v2 = offset_at(L - o2) == o2;

	if (v1 && v2)
		return L - o1 < L - o2 ? o1 : o2;	/* the earlier */
	if (v1)
		return o1;
	if (v2)
		return o2;
	return o1;	/* in the gap: the offset before the change */
}

static int64_t
local_to_utc(int64_t L)
{
	int64_t hour = L >= 0 ? L / 3600 : -((-L + 3599) / 3600);
	unsigned slot = (unsigned)(hour & (CACHE_SIZE - 1));
	long o, oa, ob;

	if (zone_utc)
		return L;
	if (cache[slot].valid && cache[slot].hour == hour)
		return L - cache[slot].off;
	o = resolve(L);
	oa = resolve(hour * 3600);
	ob = resolve(hour * 3600 + 3599);
	if (o == oa && o == ob && offset_at(hour * 3600 - o) == o &&
	    offset_at(hour * 3600 + 3599 - o) == o) {
		cache[slot].hour = hour;
		cache[slot].off = o;
		cache[slot].valid = 1;
	}
	return L - o;
}

static int
digits(const char *s, size_t n, int *v)
{
	int x = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
				  31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* ISO 8601 forms; returns 1 if s is not ISO-like at all (try others). */
static int
parse_iso(const char *s, size_t n, int64_t *t, const char **err)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om;
	size_t i;
	long off = 0;
	int has_off = 0;
	int64_t L;

	if (n < 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) ||
	    digits(s + 5, 2, &mo) || digits(s + 8, 2, &d))
		return 1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) {
		*err = "no such date";
		return -1;
	}
	i = 10;
	if (i < n) {
		if ((s[i] != 'T' && s[i] != ' ' && s[i] != 't') || n < i + 6 ||
		    digits(s + i + 1, 2, &h) || s[i + 3] != ':' ||
		    digits(s + i + 4, 2, &mi))
			return 1;
		i += 6;
		if (i < n && s[i] == ':') {
			if (n < i + 3 || digits(s + i + 1, 2, &se))
				return 1;
			i += 3;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				i++;
				if (i >= n || s[i] < '0' || s[i] > '9')
					return 1;
				while (i < n && s[i] >= '0' && s[i] <= '9')
					i++;
			}
		}
		if (h > 24 || mi > 59 || se > 60 ||
		    (h == 24 && (mi || se))) {
			*err = "no such time of day";
			return -1;
		}
		if (se == 60)
			se = 59;	/* a leap second: keep it in its minute */
		while (i < n && s[i] == ' ')
			i++;
		if (i < n) {
			if (s[i] == 'Z' || s[i] == 'z') {
				has_off = 1;
				i++;
			} else if (s[i] == '+' || s[i] == '-') {
				int sign = s[i] == '-' ? -1 : 1;

				i++;
				if (n - i == 2 && !digits(s + i, 2, &oh)) {
					om = 0;
					i += 2;
				} else if (n - i == 4 &&
					   !digits(s + i, 2, &oh) &&
					   !digits(s + i + 2, 2, &om)) {
					i += 4;
				} else if (n - i == 5 && s[i + 2] == ':' &&
					   !digits(s + i, 2, &oh) &&
					   !digits(s + i + 3, 2, &om)) {
					i += 5;
				} else {
					return 1;
				}
				if (oh > 18 || om > 59) {
					*err = "offset out of range";
					return -1;
				}
				off = sign * (oh * 3600L + om * 60L);
				has_off = 1;
			}
		}
		if (i != n)
			return 1;
	}
	L = ft_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se;
	*t = has_off ? L - off : local_to_utc(L);
	return 0;
}

int
ft_time_from_number(const char *s, size_t n, int64_t *t, const char **err)
{
	char buf[64];
	char *end;
	double v;

	if (n >= sizeof(buf)) {
		*err = "epoch seconds out of range";
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtod(buf, &end);
	if (*end || n == 0) {
		*err = "not a time";
		return -1;
	}
	if (!(v >= 0 && v < 1e11)) {
		*err = v >= 1e11 ? "epoch seconds out of range (milliseconds?)"
				 : "epoch seconds out of range";
		return -1;
	}
	*t = (int64_t)v;
	return 0;
}

static int
parse_format(const char *fmt, const char *s, int64_t *t)
{
	struct tm tm;
	const char *end;
	int64_t L;

	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	end = strptime(s, fmt, &tm);
	if (!end)
		return -1;
	while (*end == ' ')
		end++;
	if (*end)
		return -1;
	L = ft_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
			       (unsigned)tm.tm_mday) * 86400 +
	    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	if (strstr(fmt, "%z"))
		*t = L - tm.tm_gmtoff;
	else
		*t = local_to_utc(L);
	return 0;
}

static int
parse_any(const char *s, size_t n, int64_t *t, const char **err)
{
	char buf[128];
	size_t i;
	int r;

	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n) {
		*err = "empty";
		return -1;
	}
	r = parse_iso(s, n, t, err);
	if (r <= 0)
		return r;
	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == 8 && n == 8) {
		/* ISO 8601 basic: 20240101. */
		char iso[11] = { s[0], s[1], s[2], s[3], '-', s[4], s[5], '-',
				 s[6], s[7], 0 };

		return parse_iso(iso, 10, t, err) ? -1 : 0;
	}
	if ((i == n || (s[i] == '.' && i > 0)) && i >= 9)
		return ft_time_from_number(s, n, t, err);
	if (n < sizeof(buf)) {
		memcpy(buf, s, n);
		buf[n] = '\0';
		for (i = 0; i < nformats; i++)
			if (parse_format(formats[i], buf, t) == 0)
				return 0;
	}
	*err = nformats ? "not a time in ISO 8601 or the --time-format given"
			: "not an ISO 8601 time or epoch seconds";
	return -1;
}

#define T_LO (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define T_HI 253402300799LL /* 9999-12-31T23:59:59Z */

/*
 * A time is stored as "YYYY-MM-DDThh:mm:ssZ": an offset or a zone that moves
 * it out of years 0000 to 9999 in UTC would be stored as another time, so it
 * is refused here, where every tool reads its times.
 */
int
ft_time_parse(const char *s, size_t n, int64_t *t, const char **err)
{
	if (parse_any(s, n, t, err))
		return -1;
	if (*t < T_LO || *t > T_HI) {
		*err = "out of range: not within the years 0000 to 9999 in UTC";
		return -1;
	}
	return 0;
}

/*
 * The seconds of the day of s, "YYYY-MM-DDThh:mm:ss" followed by an
 * offset (Z, + or -), or -1 for any other form or a time past 23:59:59.
 */
static long
day_seconds(const char *s, size_t n)
{
	int y, mo, d, h, mi, se;

	if (n < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
	    s[16] != ':' || digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) ||
	    (s[19] != 'Z' && s[19] != 'z' && s[19] != '+' && s[19] != '-') ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &se) || h > 23 || mi > 59 || se > 59)
		return -1;
	return h * 3600L + mi * 60L + se;
}

int
ft_time_parse_memo(struct ft_time_memo *m, const char *s, size_t n, int64_t *t,
		   const char **err)
{
	long now;

	if (n && n == m->n) {
		if (!memcmp(s, m->s, n)) {
			*t = m->t;
			return 0;
		}
		/* The same date and offset, which were valid (m->sec is
		 * set only for that form, at least 20 bytes): the instant
		 * moves with the time of day (the offset is written, so no
		 * change of zone rules comes between). */
		if (m->sec >= 0 && !memcmp(s, m->s, 11) &&
		    !memcmp(s + 19, m->s + 19, n - 19) &&
		    (now = day_seconds(s, n)) >= 0 &&
		    m->t + (now - m->sec) >= T_LO &&
		    m->t + (now - m->sec) <= T_HI) {
			*t = m->t + (now - m->sec);
			memcpy(m->s, s, n);
			m->t = *t;
			m->sec = now;
			return 0;
		}
	}
	if (ft_time_parse(s, n, t, err))
		return -1;
	if (n < sizeof(m->s)) {
		memcpy(m->s, s, n);
		m->n = n;
		m->t = *t;
		m->sec = day_seconds(s, n);
	} else {
		m->n = 0;
	}
	return 0;
}

int
ft_time_set_now(const char *s, const char **err)
{
	int64_t t;

	if (!s || !*s) {
		now_set = 0;
		return 0;
	}
	if (ft_time_parse(s, strlen(s), &t, err))
		return -1;
	now_override = t;
	now_set = 1;
	return 0;
}

int64_t
ft_time_now(void)
{
	if (now_set)
		return now_override;
	return (int64_t)time(NULL);
}
