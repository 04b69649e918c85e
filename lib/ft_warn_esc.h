/*
 * ft_warn_esc.h - ft-warn's escalation chains and silences, shared by
 * the engine (ft_warn.c: a silenced warning is stored, not printed), the
 * verbs of people (ft_warn_act.c: --fail-on passes silenced warnings by)
 * and ft_warn_esc.c (the verbs escalate, silence, unsilence, silences).
 * See ft-warn(1), "Escalation" and "Silences".
 *
 * A silence covers a rule (any key), a key (of any rule), or a key of a
 * rule, from from_at (when it was made) to before until_at.  The watch
 * judges a warning by the time of the record that raised it or raised
 * its level (the records' own time, as everything in a watch); escalate,
 * list and --fail-on judge by the current time (--now, FT_NOW, else the
 * clock).  Silences are read when a run starts.
 */
#ifndef FT_WARN_ESC_H
#define FT_WARN_ESC_H

#include "ft_buf.h"
#include "ft_db.h"
#include "ft_store_warn.h"

#include <stddef.h>
#include <stdint.h>

/* A silence as read; strings owned by the set. */
struct ft_warn_sil {
	int64_t n; /* "s" and n names it */
	char *rule, *key; /* NULL: any */
	int64_t from, until;
};

struct ft_warn_sils {
	struct ft_warn_sil *s;
	size_t n;
};

/* Reads the silences not removed.  Returns a status. */
int ft_warn_sils_load(struct ft_warn_sils *ss, struct ft_store_warn *s);
void ft_warn_sils_release(struct ft_warn_sils *ss);

/* The first silence covering rule's key at time t, or NULL; borrowed. */
const struct ft_warn_sil *ft_warn_sils_cover(const struct ft_warn_sils *ss,
					     const char *rule, const char *key,
					     int64_t t);

/*
 * A stored warning as its NDJSON record, without the closing "}\n", so
 * that the caller may add members (ft_warn_act.c).
 */
void ft_warn_line(struct ft_buf *b, const struct ft_store_warning *w);

/* ft-warn escalate. */
struct ft_warn_esc {
	const char *rules;
	int dry_run, quiet, no_output;
};

/*
 * Fires every step due of the chains of the open warnings (neither
 * acknowledged nor resolved, nor silenced now): step k is due once the
 * current time is the warning's raise plus the step's after, and fires
 * once.  Each step is stored, in the history, and printed.  Returns a
 * status.
 */
int ft_warn_escalate(struct ft_db *db, const struct ft_warn_esc *e);

/* ft-warn silence, unsilence, silences. */
struct ft_warn_silence {
	const char *rule, *key; /* silence: NULL: any (not both) */
	int64_t until; /* silence: the end, after the current time */
	const char *id; /* unsilence: "sN" */
	const char *by; /* NULL: the user running the tool */
	const char *note; /* silence: why (required); unsilence: why */
	int all; /* silences: the removed and expired ones too */
	int dry_run, no_output;
};

int ft_warn_silence(struct ft_db *db, const struct ft_warn_silence *a);
int ft_warn_unsilence(struct ft_db *db, const struct ft_warn_silence *a);
int ft_warn_silences(struct ft_db *db, const struct ft_warn_silence *a);

#endif
