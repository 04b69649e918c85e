/*
 * ft_store_report_sla.h - the storage seam for ft-report's sla and
 * warnings reports (ft_report_sla.c, ft_report_warn.c): one row for each
 * case or warning, with the times the reports measure, for the caller to
 * group and count.  Like ft_store_report.h: plain C values out, its
 * statements in ft_store_report_sla.c, read only.
 *
 * A PostgreSQL backend would provide, besides what ft_store_report.h
 * lists: the stored times as epoch seconds (extract(epoch ...)); a case's
 * first and last moves of the history to a state, through the index on
 * (kind, id); a warning's events as a JSON array it can join on
 * (jsonb_array_elements_text).
 */
#ifndef FT_STORE_REPORT_SLA_H
#define FT_STORE_REPORT_SLA_H

#include "ft_db.h"
#include "ft_store_report.h"

#include <stdint.h>

/* A time that is not there. */
#define FT_SLA_NONE INT64_MIN

struct ft_store_report_sla;

/* The store of the two reports on db (open, owned by the caller). */
struct ft_store_report_sla *ft_store_report_sla_open(struct ft_db *db);
void ft_store_report_sla_close(struct ft_store_report_sla *s);

/*
 * A case: a dispatched event that is no duplicate.  Times in epoch
 * seconds, FT_SLA_NONE when there is none.  Borrowed: valid in the call.
 */
struct ft_store_sla_case {
	const char *key; /* its group; NULL: none */
	int64_t reported; /* reported_at */
	int64_t accepted; /* the first move to accepted in the history */
	int64_t resolved; /* the last move to resolved in the history */
	int64_t respond_by, resolve_by;
	const char *status; /* the state now */
	const char *outcome; /* NULL while not closed */
	int escalation; /* the steps of its chain done */
	int reopened; /* 1: it was ever reopened */
	int rating; /* 1 to 5; 0: none */
};

/*
 * The cases reported from from to before until (stored times) that f
 * lets through, each as fn(ctx, c), keyed by key (FT_SRK_CATEGORY,
 * FT_SRK_UNIT or FT_SRK_AREA with level as ft_store_report_groups_each()
 * has it), in the order of their key (none first).  Returns the first
 * status other than FT_OK.
 */
int ft_store_report_sla_each(
	struct ft_store_report_sla *s, const struct ft_store_report_filter *f,
	const char *from, const char *until, enum ft_store_report_key key,
	const char *level,
	int (*fn)(void *ctx, const struct ft_store_sla_case *c), void *ctx);

/* What the warnings are grouped by. */
enum ft_store_warn_key {
	FT_SWK_LEVEL,
	FT_SWK_RULE,
	FT_SWK_KEY,
	FT_SWK_N
};

/* A warning, as ft_store_report_warn_each() gives it.  Borrowed. */
struct ft_store_warn_row {
	const char *key; /* its group */
	const char *level;
	int major;
	int64_t raised; /* raised_at */
	int64_t answered; /* acked_at, else resolved_at of a resolve by
			     hand; FT_SLA_NONE: neither */
	int escalation; /* the steps of its chain fired */
};

/*
 * The warnings raised from from to before until, of major ones only when
 * major, with at least one event behind them that f lets through when f
 * has a filter (a warning without events, as a value rule's, passes no
 * filter), each as fn(ctx, w), keyed by key, in the order of their key.
 */
int ft_store_report_warn_each(
	struct ft_store_report_sla *s, const struct ft_store_report_filter *f,
	const char *from, const char *until, int major,
	enum ft_store_warn_key key,
	int (*fn)(void *ctx, const struct ft_store_warn_row *w), void *ctx);

#endif
