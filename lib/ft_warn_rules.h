/*
 * ft_warn_rules.h - ft-warn's rules: what to watch, grouped by what, and
 * at which level to warn.  The format is in ft-warn(1), "Rules".
 *
 * A rules file is checked whole before any record is read: a mistake
 * refuses it (FT_CONFIG) with the rule's number, name and field.  The
 * conditions of a rule ("when") are ft-dispatch's (ft_cond.h).
 *
 * Every duration is in seconds here; the file gives minutes, or a string
 * with a unit ("90s", "15m", "2h", "7d").
 */
#ifndef FT_WARN_RULES_H
#define FT_WARN_RULES_H

#include "ft_area.h"
#include "ft_cond.h"

#include <stdint.h>

enum ft_warn_type {
	FT_WARN_THRESHOLD, /* at least count matching events in a window */
	FT_WARN_REPEAT, /* the same facility or address, count times */
	FT_WARN_KEYWORD, /* terms' weights in the text, summed */
	FT_WARN_VALUE, /* a reading above or below its limits */
	FT_WARN_FLATLINE, /* a key that reported and went silent */
	FT_WARN_SPIKE, /* a window's count against the windows before it */
	FT_WARN_SLA, /* a dispatched case past its deadline */
	FT_WARN_DROP /* spike downwards: judged as each window ends */
};

/* What groups the records into keys. */
enum ft_warn_key {
	FT_KEY_AREA,
	FT_KEY_FACILITY,
	FT_KEY_CATEGORY,
	FT_KEY_SOURCE,
	FT_KEY_ADDRESS,
	FT_KEY_UNIT,
	FT_KEY_ID,
	FT_KEY_SENSOR, /* sensor, and ":metric" when the reading has one */
	FT_KEY_ALL, /* one key for every record: "*" */
	FT_KEY_JQ /* {"jq": PROGRAM}: its first output */
};

/* A value rule's deviation: the direction it measures. */
#define FT_DEV_ABOVE 1
#define FT_DEV_BELOW 2
#define FT_DEV_BOTH 3

/* Levels, in order: blue < yellow < orange < red. */
#define FT_LEVELS 4
extern const char *const ft_warn_levels[FT_LEVELS];

struct ft_warn_term {
	char *text; /* lower case */
	double weight;
};

/*
 * A step of a rule's escalation chain: a warning still open (neither
 * acknowledged nor resolved) after seconds from its raise notifies whom.
 */
struct ft_warn_step {
	int64_t after;
	char *notify;
};

struct ft_warn_rule {
	char *name;
	size_t namelen;
	enum ft_warn_type type;
	struct ft_cond when; /* events; value rules: none */
	struct ft_strs sensors, metrics; /* value rules: which readings */
	enum ft_warn_key key;
	struct ft_jq *keyjq; /* FT_KEY_JQ */
	int level; /* the level raised at */
	/*
	 * at[l]: the measure (count, score, value) from which the warning
	 * is at level l; used for l from level up, HUGE_VAL when the rule
	 * never reaches l.  at[level] is the firing threshold.
	 */
	double at[FT_LEVELS];
	int major; /* the level from which a warning is major; 4: never */
	int64_t window; /* threshold, repeat */
	int64_t quiet; /* cleared this long: resolved */
	int64_t reraise; /* open and still active: printed again; 0 never */
	int64_t hold; /* value: out of limits this long before raising */
	int below; /* value: a lower limit (at[] descends) */
	double hysteresis; /* value: back this far inside to clear */
	/*
	 * value, "deviation": the measure is the reading's robust deviation
	 * from its sensor's baseline, |x - median| / max(1.4826 MAD, floor),
	 * signed by dev (at[] ascends): the last nbase readings, or, when
	 * season is 24 (hour of day) or 168 (hour of week), the readings of
	 * the same local hour over the last periods days or weeks, nbase at
	 * most per hour.  Judged once the baseline has min_base readings.
	 */
	int dev; /* 0: limits; FT_DEV_ABOVE, FT_DEV_BELOW, FT_DEV_BOTH */
	int season, periods, nbase, min_base;
	int fallback; /* seasonal, too few: the readings of the last period */
	int record; /* a run starts further out than the last record went */
	/*
	 * likelihood: not 0, the measure is instead the mean of the last
	 * likelihood deviations (one below 0 taken as 0) in units of the
	 * spread of such means over the last record readings judged:
	 * (mean - their mean) / their standard deviation, judged once there
	 * are lmin such means.
	 */
	int likelihood, lmin;
	double floor;
	struct ft_warn_term *terms; /* keyword */
	size_t nterms;
	/*
	 * flatline: silent for gap seconds, or, when usual is not 0, for
	 * usual times the median of the key's last reports intervals.
	 */
	int64_t gap;
	double usual;
	int reports;
	int readings; /* it reads readings (keyed by sensor), not events */
	/*
	 * spike: the window's count, at least min_count, against the
	 * median of the baseline windows before it: at[] is on the ratio.
	 * drop: the fraction the count fell below that median, when the
	 * median is at least min_count: at[] is on the fraction (0 to 1).
	 * The baseline is the baseline windows before, or, when weeks is
	 * set, the same window of the week in each of the baseline weeks
	 * before (windows aligned in local time, window dividing a week).
	 */
	int baseline;
	int weeks;
	int64_t min_count;
	/* escalate: the chain, after increasing; nesc 0: none */
	struct ft_warn_step *esc;
	size_t nesc;
	/*
	 * sla: which deadline (respond_by, or resolve_by when resolve is
	 * 1); at[] is on how late a case is, in seconds.
	 */
	int resolve;
};

struct ft_kw;

struct ft_warn_rules {
	struct ft_warn_rule *r;
	size_t n;
	/*
	 * The terms of every keyword rule in one automaton (ft_kw.h), so
	 * that an event's text is read once for all of them: term i of the
	 * automaton is a term of rule kw_rule[i], weighing kw_weight[i].
	 */
	struct ft_kw *kw;
	int *kw_rule;
	double *kw_weight;
	int64_t longest; /* the longest window or hold, for late records */
	int need_text; /* some condition reads the words of the text */
};

/*
 * Reads and checks the rules file at path against the units in a (NULL:
 * areas are not checked).  Returns FT_OK, FT_NOINPUT or FT_CONFIG after
 * a message.
 */
int ft_warn_rules_load(struct ft_warn_rules *rs, const char *path,
		       struct ft_area *a);
void ft_warn_rules_free(struct ft_warn_rules *rs);

/* The rule named name, or -1. */
int ft_warn_rule_find(const struct ft_warn_rules *rs, const char *name);

/* The level a measure m reaches in rule r: -1 below the threshold. */
int ft_warn_level_of(const struct ft_warn_rule *r, double m);

/* The name of type t, of key k. */
const char *ft_warn_type_name(enum ft_warn_type t);
const char *ft_warn_key_name(enum ft_warn_key k);

/* The level named s, or -1. */
int ft_warn_level_find(const char *s);

#endif
