/*
 * ft_cond.h - the conditions of a rule (its "when"), one language for
 * ft-dispatch's rules and ft-warn's: a condition that works in one works
 * in the other.  The fields are in ft-dispatch(1), "Conditions":
 * category, source, severity, area (at any level: an area holds the
 * grid cells under it), facility, words, pattern, hours, days and jq.
 * Every field given must hold; a "when" with no field holds for every
 * event.
 */
#ifndef FT_COND_H
#define FT_COND_H

#include "ft_area.h"
#include "ft_buf.h"
#include "ft_conf.h"

#include <jv.h>
#include <regex.h>
#include <stddef.h>
#include <stdint.h>

/* An event as the conditions see it.  Strings borrowed, NULL: absent. */
struct ft_cond_event {
	const char *category, *source, *title, *text, *facility;
	int severity; /* 0: none */
	int64_t reported; /* reported_at, epoch seconds */
	int area; /* its area (a unit index), or -1 */
	const char *json; /* the whole record, for jq conditions */
	size_t jsonlen;
};

struct ft_jq;

struct ft_cond {
	struct ft_strs category, source, words, facility;
	int sev_mask; /* bit k: severity k allowed; 0: any */
	int *areas;
	size_t nareas;
	regex_t re;
	int has_re;
	int hours_from, hours_to; /* minutes of the day; -1: any */
	int days; /* bit 0 Sunday .. 6 Saturday; 0: any */
	struct ft_jq *jq;
};

/*
 * The title and text of one event, lower case, with the byte pairs they
 * hold: a word with a pair the text lacks is not in it, which spares most
 * of the memmem(3) calls (most words are in no event).  The pairs are
 * made for an event once its conditions have searched it for a few words
 * (tried): a search costs about a third of making them.
 */
#define FT_COND_PAIR_BITS 4096
struct ft_cond_text {
	struct ft_buf hay;
	int paired; /* pairs[] is the event's */
	size_t tried; /* words searched for without the pairs */
	unsigned char pairs[FT_COND_PAIR_BITS / 8];
};

/* An empty condition (holds for every event). */
void ft_cond_init(struct ft_cond *cd);
/*
 * Reads the "when" object w (borrowed) of the rule c names into cd,
 * checking the areas against a (NULL: not checked).  Returns FT_OK, or
 * FT_CONFIG after a message naming the field ("when.area").
 */
int ft_cond_read(const struct ft_conf *c, struct ft_area *a, jv w,
		 struct ft_cond *cd);
void ft_cond_free(struct ft_cond *cd);

/* Whether cd looks at the words of the text (then set t for each event). */
int ft_cond_needs_text(const struct ft_cond *cd);
void ft_cond_text_init(struct ft_cond_text *t);
void ft_cond_text_set(struct ft_cond_text *t, const struct ft_cond_event *e);
void ft_cond_text_release(struct ft_cond_text *t);

/*
 * Why cd does not hold for e: a static word ("category", "area"...) or a
 * reason written into buf; NULL when it holds.  t is the text of e, set
 * when ft_cond_needs_text() (its pairs are made here when they pay).
 * *halted is set when a jq condition was stopped at a bound (ft_jq.h):
 * whether cd holds is then unknown, and the reason ("jq: stopped ...")
 * says why.
 */
const char *ft_cond_test(const struct ft_cond *cd, const struct ft_area *a,
			 struct ft_cond_text *t, const struct ft_cond_event *e,
			 char *buf, size_t bufsz, int *halted);

#endif
