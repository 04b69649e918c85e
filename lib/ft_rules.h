/*
 * ft_rules.h - ft-dispatch's rules: which unit answers for an event, how
 * soon, and whom to call when it is late.  The format is in ft-dispatch(1).
 *
 * A rules file is checked whole before any event is touched: a bad field
 * refuses it with the rule's number and the field's name (FT_CONFIG), and
 * every unit it names must exist.  Rules are tried in order; the first whose
 * conditions all hold wins.  A rule without conditions matches every event.
 */
#ifndef FT_RULES_H
#define FT_RULES_H

#include "ft_area.h"
#include "ft_cond.h"
#include "ft_buf.h"

#include <stddef.h>
#include <stdint.h>

/* A target: a fixed unit, or the responsible unit of the event's area. */
struct ft_target {
	int unit;		/* the unit, or -1 for @area */
	int level;		/* for @area: the unit kind, -1 the area's own */
};

struct ft_step {
	int after;		/* minutes past the deadline missed */
	struct ft_target to;
};

struct ft_rules;

/*
 * Reads and checks the rules file at path against the units in a (kept,
 * borrowed; NULL: everything but the units is checked, and the rules
 * are only good for ft_rules_free()).  Returns an exit status: FT_NOINPUT
 * if it cannot be read, FT_CONFIG if it is not valid, after a message
 * naming rule and field.
 */
int ft_rules_load(struct ft_rules **rp, const char *path, struct ft_area *a);
void ft_rules_free(struct ft_rules *r);

/* Settings of the whole file; 0 when not given. */
double ft_rules_near_m(const struct ft_rules *r);
/* Duplicates: metres and minutes (0: off), and by facility (default on). */
void ft_rules_dups(const struct ft_rules *r, double *metres, int *minutes,
		   int *by_facility);

/*
 * The first rule e matches: *rule gets its index, or -1 when none does.
 * With explain not NULL, appends to it a JSON array of the rules tried and
 * why each failed or held.  *unit gets the unit the rule names for e, or
 * -1 when it names @area and e has none (such a rule does not match: the
 * next is tried).  *stopped is NULL, or why no rule was chosen when a
 * rule's jq condition was halted at a bound (ft_jq.h): "rule \"NAME\": jq:
 * stopped ..."; whether that rule holds is unknown, so no later rule is
 * tried, and *rule is -1.  *stopped is valid until the next call.
 */
void ft_rules_match(struct ft_rules *r, const struct ft_cond_event *e,
		    int *rule, int *unit, const char **stopped,
		    struct ft_buf *explain);

/* A rule's name ("rule N" when it has none), priority, and settings. */
const char *ft_rule_name(const struct ft_rules *r, int i);
int ft_rule_priority(const struct ft_rules *r, int i);
/* Whether its unit beats a facility's owner. */
int ft_rule_ignores_owner(const struct ft_rules *r, int i);
/*
 * The deadlines of rule i for an event reported at t: epoch seconds, or 0
 * when the rule sets none.  Working-hours rules count only working time.
 */
void ft_rule_deadlines(const struct ft_rules *r, int i, int64_t t,
		       int64_t *respond_by, int64_t *resolve_by);
/* Rule i's escalation steps; borrowed. */
const struct ft_step *ft_rule_chain(const struct ft_rules *r, int i,
				    size_t *n);

/* The unit a target means for an event in area (-1: none). */
int ft_target_unit(const struct ft_area *a, const struct ft_target *t,
		   int area);

#endif
