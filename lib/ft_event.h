/*
 * ft_event.h - the words the toolkit's records use: event states and unit
 * kinds.  One list each, shared by every tool and by ft(7).
 */
#ifndef FT_EVENT_H
#define FT_EVENT_H

#include <string.h>

/* The lifecycle states of an event; "new" is where every event starts. */
static const char *const ft_event_states[] = {
	"new", "dispatched", "accepted", "resolved", "closed", "rejected",
	"reopened", NULL
};

/* The kinds of unit; the first four are areas, with boundaries. */
static const char *const ft_unit_kinds[] = {
	"district", "street", "community", "grid", "department", "team", NULL
};

/* Is s[0..n) one of the words in list? */
static inline int
ft_word_in(const char *const *list, const char *s, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && !memcmp(*list, s, n))
			return 1;
	return 0;
}

#endif
