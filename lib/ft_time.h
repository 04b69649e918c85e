/*
 * ft_time.h - reading and writing times.
 *
 * Times are stored in UTC as "YYYY-MM-DDTHH:MM:SSZ": sortable as text and
 * read by sqlite3's date functions.  Input may be:
 *   - ISO 8601 with an offset: 2023-02-28T23:45:00Z, ...+08:00, ...+0800,
 *     a space instead of the T, fractions of a second (dropped);
 *   - ISO 8601 without an offset, or "YYYY-MM-DD HH:MM:SS", or a date alone:
 *     local time in the zone set with ft_time_set_zone();
 *   - epoch seconds, as a JSON number or a string of digits;
 *   - any of the strptime(3) formats given with ft_time_add_format(); they
 *     are local time unless the format has %z.
 *
 * Local times that a DST change makes ambiguous are taken as the earlier
 * instant; times that fall in the gap of a change are read with the offset
 * in force before it (02:30 on a spring-forward night is 03:30 DST).
 */
#ifndef FT_TIME_H
#define FT_TIME_H

#include <stddef.h>
#include <stdint.h>

#define FT_TIME_LEN 21	/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL */

/*
 * What the environment says (NULL: not set): TZ (copied), the zone of
 * local times when none is named, and TZDIR (borrowed, kept), where the
 * zones are (default /usr/share/zoneinfo).  main() passes them: the
 * library reads no environment variable.
 */
void ft_time_env(const char *tz, const char *tzdir);

/*
 * Makes zone the zone of local times, for the whole process (it sets TZ).
 * NULL or "" keeps the TZ given to ft_time_env(), else UTC.  Returns -1
 * for a zone that does not exist (glibc would silently take it as UTC).
 */
int ft_time_set_zone(const char *zone);
/* Whether the zone was named (--tz), not taken from TZ or the default. */
int ft_time_zone_given(void);
/* Whether zone names a zone that exists. */
int ft_time_zone_exists(const char *zone);
/* The zone's name as set, for messages; "UTC" when none. */
const char *ft_time_zone(void);

/* Adds a strptime(3) format tried after the built-in forms. */
void ft_time_add_format(const char *fmt);
void ft_time_clear_formats(void);

/*
 * Parses the text s[0..n).  Returns 0 and the instant in *t, or -1 with
 * *err set to a static reason.
 */
int ft_time_parse(const char *s, size_t n, int64_t *t, const char **err);

/*
 * ft_time_parse() for a stream of times that follow one another: the last
 * one parsed (m, zeroed to start) is reused when s is the same text, or
 * the same day and offset ("YYYY-MM-DDThh:mm:ss" with Z or +hh:mm after,
 * as records of one day are) at another time of day.  The same results.
 */
struct ft_time_memo {
	char s[48];
	size_t n;
	int64_t t;
	long sec; /* s's seconds of the day in that form, or -1 */
};
int ft_time_parse_memo(struct ft_time_memo *m, const char *s, size_t n,
		       int64_t *t, const char **err);

/* Epoch seconds from a JSON number's text; -1 when out of range. */
int ft_time_from_number(const char *s, size_t n, int64_t *t, const char **err);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" to out. */
void ft_time_format(int64_t t, char out[FT_TIME_LEN]);

/*
 * The current time: the value given to ft_time_set_now() (main() passes
 * --now, else FT_NOW), else the clock (s NULL or "").  ft_time_set_now()
 * returns -1 if the text is not a time.
 */
int ft_time_set_now(const char *s, const char **err);
int64_t ft_time_now(void);

/* The offset of the zone from UTC at t, in seconds. */
long ft_time_offset(int64_t t);
/*
 * The local time of t: its second of the day, weekday (0 Sunday) and,
 * when day is not NULL, day number (days since 1970-01-01, local).
 */
void ft_time_local(int64_t t, int *sec, int *wday, int64_t *day);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t ft_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
