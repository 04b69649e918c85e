/*
 * ft_vote_pb.c - ft-vote import and export: pabulib .pb files (ft_pb reads
 * and writes their syntax; this file knows what their fields mean).
 *
 * An import checks the whole file first and prints every error; only a
 * file without one is stored, in one transaction, its voter ids kept as
 * keyed hashes (ft_vkey).  The same file again is the same round (the
 * digests of the ballots agree); another under the same id is refused.
 * An export writes the round back as a .pb file, its PROJECTS counts from
 * the stored ballots.
 */
#include "ft_vote_ballot.h"
#include "ft_amount.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_json.h"
#include "ft_pb.h"
#include "ft_vkey.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct imp {
	const char *path;
	struct ft_pb pb;
	long errors;
	/* META */
	int nmeta;
	const char **mkey, **mval;
	long *mline;
	/* columns */
	int p_id, p_cost, p_name, p_cat, p_sel, p_votes, p_score;
	int v_id, v_vote, v_points, v_method, v_sex;
	const char *type;
	long minl, maxl, minp, maxp; /* META's limits of a ballot */
	int scale;
	long *votes;
	int64_t *score;
};

static void imp_err(struct imp *m, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
imp_err(struct imp *m, long line, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	if (++m->errors > 100) {
		if (m->errors == 101)
			ft_error("%s: more errors not shown", m->path);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		ft_error("%s:%ld: %s", m->path, line, msg);
	else
		ft_error("%s: %s", m->path, msg);
}

static const char *
meta(const struct imp *m, const char *key)
{
	int i;

	for (i = 0; i < m->nmeta; i++)
		if (strcmp(m->mkey[i], key) == 0)
			return m->mval[i];
	return NULL;
}

static long
meta_line(const struct imp *m, const char *key)
{
	int i;

	for (i = 0; i < m->nmeta; i++)
		if (strcmp(m->mkey[i], key) == 0)
			return m->mline[i];
	return m->pb.meta.line;
}

/* A pabulib date: dd.mm.yyyy (with an optional time), or a year alone.
 * end: the instant after the day (or year).  0, or -1 for another form. */
static int
pb_date(const char *s, int end, int64_t *t)
{
	unsigned d, mo, y, h = 0, mi = 0;
	char extra;

	if (sscanf(s, "%2u.%2u.%4u%c", &d, &mo, &y, &extra) == 3 ||
	    sscanf(s, "%2u.%2u.%4u, %2u:%2u%c", &d, &mo, &y, &h, &mi, &extra) ==
		    5) {
		if (d < 1 || d > 31 || mo < 1 || mo > 12 || h > 23 || mi > 59)
			return -1;
		*t = ft_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
		if (end)
			*t += strchr(s, ':') ? 60 : 86400;
		return 0;
	}
	if (strlen(s) == 4 && strspn(s, "0123456789") == 4) {
		y = (unsigned)atoi(s);
		*t = ft_days_from_civil(y + (end ? 1 : 0), 1, 1) * 86400;
		return 0;
	}
	return -1;
}

static int
whole(const char *s, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return *s && !*end && !errno && *v >= 0;
}

/* The text of s when whole() takes it, as "%ld" into buf, else NULL. */
static const char *
whole_text(const char *s, char buf[24])
{
	long x;

	if (!s || !whole(s, &x))
		return NULL;
	snprintf(buf, 24, "%ld", x);
	return buf;
}

/* Checks META; sets m->type and the limits of a ballot. */
static void
imp_check_meta(struct imp *m)
{
	struct ft_pb *pb = &m->pb;
	static const char *const types[] = { "approval", "choose-1",
					     "cumulative", "ordinal", NULL };
	static const char *const ints[] = { "min_length",
					    "max_length",
					    "min_sum_points",
					    "max_sum_points",
					    "min_project_score_threshold",
					    "num_projects",
					    "num_votes",
					    NULL };
	const char *v;
	long x;
	int i, kc, vc;
	int64_t begin = 0, end = 0;
	int have_begin, have_end;

	m->minl = 0;
	m->maxl = MAX_BALLOT;
	m->minp = -1;
	m->maxp = -1;
	kc = ft_pb_col(&pb->meta, "key");
	vc = ft_pb_col(&pb->meta, "value");
	if (kc < 0 || vc < 0)
		imp_err(m, pb->meta.line + 1,
			"META: the columns are not "
			"key;value");
	m->mkey = ft_xmalloc(((size_t)pb->meta.nrows + 1) * sizeof(char *));
	m->mval = ft_xmalloc(((size_t)pb->meta.nrows + 1) * sizeof(char *));
	m->mline = ft_xmalloc(((size_t)pb->meta.nrows + 1) * sizeof(long));
	for (i = 0; i < pb->meta.nrows && kc >= 0 && vc >= 0; i++) {
		const struct ft_pb_row *r = &pb->meta.rows[i];
		const char *key = ft_pb_field(r, kc);

		if (meta(m, key)) {
			imp_err(m, r->line, "META %s: given twice", key);
			continue;
		}
		m->mkey[m->nmeta] = key;
		m->mval[m->nmeta] = ft_pb_field(r, vc);
		m->mline[m->nmeta++] = r->line;
	}
	if (!meta(m, "country"))
		imp_err(m, pb->meta.line, "META country: missing");
	if (!(v = meta(m, "budget")))
		imp_err(m, pb->meta.line, "META budget: missing");
	else if (ft_amount_scale(v) < 0 || ft_amount_is_zero(v))
		imp_err(m, meta_line(m, "budget"),
			"META budget: not a decimal "
			"amount above 0: %s",
			ft_q(v));
	if (!(m->type = meta(m, "vote_type")))
		imp_err(m, pb->meta.line, "META vote_type: missing");
	else if (!vote_known(types, m->type))
		imp_err(m, meta_line(m, "vote_type"),
			"META vote_type: not "
			"approval, choose-1, cumulative or ordinal: %s",
			ft_q(m->type));
	if (!m->type || !vote_known(types, m->type))
		m->type = "approval";
	if ((v = meta(m, "currency")) &&
	    (strlen(v) != 3 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
		imp_err(m, meta_line(m, "currency"),
			"META currency: not an "
			"ISO 4217 code: %s",
			ft_q(v));
	if (meta(m, "budget_per_category"))
		imp_err(m, meta_line(m, "budget_per_category"),
			"META budget_per_category: budgets by category are not "
			"supported");
	for (i = 0; ints[i]; i++)
		if ((v = meta(m, ints[i])) && !whole(v, &x))
			imp_err(m, meta_line(m, ints[i]),
				"META %s: not a whole "
				"number: %s",
				ints[i], ft_q(v));
	if ((v = meta(m, "max_sum_cost")) && ft_amount_scale(v) < 0)
		imp_err(m, meta_line(m, "max_sum_cost"),
			"META max_sum_cost: "
			"not a decimal amount: %s",
			ft_q(v));
	have_begin = (v = meta(m, "date_begin")) && !pb_date(v, 0, &begin);
	have_end = (v = meta(m, "date_end")) && !pb_date(v, 1, &end);
	if (have_begin && have_end && end <= begin)
		imp_err(m, meta_line(m, "date_end"),
			"META date_end: %s is "
			"before date_begin %s",
			ft_q(meta(m, "date_end")), ft_q(meta(m, "date_begin")));
	if ((v = meta(m, "min_length")) && whole(v, &x))
		m->minl = x;
	if ((v = meta(m, "max_length")) && whole(v, &x))
		m->maxl = x;
	if (strcmp(m->type, "choose-1") == 0)
		m->minl = m->maxl = 1;
	if ((v = meta(m, "min_sum_points")) && whole(v, &x))
		m->minp = x;
	if ((v = meta(m, "max_sum_points")) && whole(v, &x))
		m->maxp = x;
}

/* Checks PROJECTS; pl gets their ids (borrowed from m) sorted. */
static void
imp_check_projects(struct imp *m, struct plist *pl)
{
	const struct ft_pb_section *ps = &m->pb.projects;
	const char *v;
	long x;
	int i;

	m->p_id = ft_pb_col(ps, "project_id");
	m->p_cost = ft_pb_col(ps, "cost");
	m->p_name = ft_pb_col(ps, "name");
	m->p_cat = ft_pb_col(ps, "category");
	m->p_sel = ft_pb_col(ps, "selected");
	m->p_votes = ft_pb_col(ps, "votes");
	m->p_score = ft_pb_col(ps, "score");
	if (m->p_id < 0 || m->p_cost < 0)
		imp_err(m, ps->line + 1, "PROJECTS: no %s column",
			m->p_id < 0 ? "project_id" : "cost");
	memset(pl, 0, sizeof(*pl));
	pl->n = ps->nrows;
	pl->id = ft_xmalloc(((size_t)pl->n + 1) * sizeof(char *));
	pl->order = ft_xmalloc(((size_t)pl->n + 1) * sizeof(int));
	for (i = 0; i < ps->nrows; i++) {
		const struct ft_pb_row *r = &ps->rows[i];

		pl->id[i] = (char *)ft_pb_field(r, m->p_id);
		if (!*pl->id[i])
			imp_err(m, r->line, "PROJECTS project_id: missing");
		v = ft_pb_field(r, m->p_cost);
		if (m->p_cost >= 0 &&
		    (ft_amount_scale(v) < 0 || ft_amount_is_zero(v)))
			imp_err(m, r->line,
				"PROJECTS cost: not a decimal "
				"amount above 0: %s",
				ft_q(v));
		if (m->p_sel >= 0 && *(v = ft_pb_field(r, m->p_sel)) &&
		    !whole(v, &x))
			imp_err(m, r->line,
				"PROJECTS selected: not a whole "
				"number: %s",
				ft_q(v));
	}
	vote_order_by_id(pl->id, pl->n, pl->order);
	for (i = 1; i < pl->n; i++)
		if (*pl->id[pl->order[i]] &&
		    strcmp(pl->id[pl->order[i]], pl->id[pl->order[i - 1]]) == 0)
			imp_err(m, ps->rows[pl->order[i]].line,
				"PROJECTS "
				"project_id: %s given twice",
				ft_q(pl->id[pl->order[i]]));
	if ((v = meta(m, "num_projects")) && whole(v, &x) && x != ps->nrows)
		imp_err(m, meta_line(m, "num_projects"),
			"META num_projects: "
			"%ld, but PROJECTS has %d",
			x, ps->nrows);
}

/* Splits the comma-separated list v into items (NUL-ended, appended to
 * out); returns how many: none for an empty v. */
static int
split_list(const char *v, struct ft_buf *out)
{
	const char *s = v, *c;
	int n = 0;

	if (!*v)
		return 0;
	for (;; s = c + 1) {
		c = strchr(s, ',');
		ft_buf_add(out, s, c ? (size_t)(c - s) : strlen(s));
		ft_buf_addc(out, '\0');
		n++;
		if (!c)
			break;
	}
	return n;
}

/* Checks the voter of VOTES row r: its id and its sex. */
static void
imp_check_voter(struct imp *m, const struct ft_pb_row *r)
{
	const char *id = ft_pb_field(r, m->v_id), *v;

	if (!*id)
		imp_err(m, r->line, "VOTES voter_id: missing");
	else if (strchr(id, ','))
		imp_err(m, r->line,
			"VOTES voter_id: %s holds a "
			"comma",
			ft_q(id));
	if (m->v_sex >= 0 && *(v = ft_pb_field(r, m->v_sex)) &&
	    strcmp(v, "M") && strcmp(v, "F") && strcmp(v, "O"))
		imp_err(m, r->line, "VOTES sex: not M, F or O: %s", ft_q(v));
}

/*
 * Checks the n projects of a ballot of VOTES row r (list) and their np
 * points (pts) against the projects pl; counts each project's votes and
 * score into m.  Returns the sum of the points.
 */
static int64_t
imp_check_items(struct imp *m, const struct plist *pl,
		const struct ft_pb_row *r, const struct ft_buf *list, int n,
		const struct ft_buf *pts, int np)
{
	int idx[MAX_BALLOT + 1], j, k;
	size_t pos = 0, ppos = 0;
	int64_t sum = 0;

	for (j = 0; j < n; j++) {
		const char *p = vote_next_item(list, &pos);
		long pt = 1;

		idx[j] = vote_plist_find(pl, p);
		if (idx[j] < 0) {
			imp_err(m, r->line,
				"VOTES vote: unknown "
				"project %s",
				ft_q(p));
			continue;
		}
		for (k = 0; k < j; k++)
			if (idx[k] == idx[j])
				imp_err(m, r->line,
					"VOTES vote: project "
					"%s named twice",
					ft_q(p));
		if (strcmp(m->type, "cumulative") == 0 && np == n) {
			const char *q = vote_next_item(pts, &ppos);

			/* Bounded, so that no sum can wrap. */
			if (!whole(q, &pt) || pt > MAX_POINTS) {
				imp_err(m, r->line,
					"VOTES points: not "
					"a whole number from 0 to %d: "
					"%s",
					MAX_POINTS, ft_q(q));
				pt = 0;
			}
			sum += pt;
		} else if (strcmp(m->type, "ordinal") == 0) {
			pt = n - j;
		}
		m->votes[idx[j]]++;
		m->score[idx[j]] += pt;
	}
	return sum;
}

/* Checks the ballot of VOTES row r against the projects pl and counts
 * it into m. */
static void
imp_check_ballot(struct imp *m, const struct plist *pl,
		 const struct ft_pb_row *r)
{
	struct ft_buf list = FT_BUF_INIT, pts = FT_BUF_INIT;
	int n, np = 0;
	int64_t sum;

	n = split_list(ft_pb_field(r, m->v_vote), &list);
	if (m->v_points >= 0)
		np = split_list(ft_pb_field(r, m->v_points), &pts);
	if (n == 0)
		imp_err(m, r->line, "VOTES vote: empty");
	if (n > MAX_BALLOT) {
		imp_err(m, r->line, "VOTES vote: more than %d projects",
			MAX_BALLOT);
		n = 0;
	}
	if (strcmp(m->type, "cumulative") == 0 && np != n)
		imp_err(m, r->line,
			"VOTES points: %d values for %d "
			"projects",
			np, n);
	sum = imp_check_items(m, pl, r, &list, n, &pts, np);
	if (n && (n < m->minl || n > m->maxl))
		imp_err(m, r->line,
			"VOTES vote: %d project%s, outside "
			"min_length %ld and max_length %ld",
			n, n == 1 ? "" : "s", m->minl, m->maxl);
	if (n && np &&
	    ((m->minp >= 0 && sum < m->minp) ||
	     (m->maxp >= 0 && sum > m->maxp)))
		imp_err(m, r->line,
			"VOTES points: %lld, outside "
			"min_sum_points and max_sum_points",
			(long long)sum);
	ft_buf_release(&list);
	ft_buf_release(&pts);
}

/* No voter twice in VOTES: its ids sorted, then by line. */
static void
imp_check_twice(struct imp *m)
{
	const struct ft_pb_section *vs = &m->pb.votes;
	char **ids = ft_xmalloc(((size_t)vs->nrows + 1) * sizeof(char *));
	int *ix = ft_xmalloc(((size_t)vs->nrows + 1) * sizeof(int));
	int i;

	for (i = 0; i < vs->nrows; i++)
		ids[i] = (char *)ft_pb_field(&vs->rows[i], m->v_id);
	vote_order_by_id(ids, vs->nrows, ix);
	for (i = 1; i < vs->nrows; i++)
		if (*ids[ix[i]] && !strcmp(ids[ix[i]], ids[ix[i - 1]]))
			imp_err(m, vs->rows[ix[i]].line,
				"VOTES voter_id: "
				"%s given twice (first at line %ld)",
				ft_q(ids[ix[i]]), vs->rows[ix[i - 1]].line);
	free(ix);
	free(ids);
}

/* Checks VOTES against the projects pl; counts each project's votes and
 * score into m. */
static void
imp_check_votes(struct imp *m, const struct plist *pl)
{
	const struct ft_pb_section *vs = &m->pb.votes;
	const char *v;
	long x;
	int i;

	m->v_id = ft_pb_col(vs, "voter_id");
	m->v_vote = ft_pb_col(vs, "vote");
	m->v_points = ft_pb_col(vs, "points");
	m->v_method = ft_pb_col(vs, "voting_method");
	m->v_sex = ft_pb_col(vs, "sex");
	if (m->v_id < 0 || m->v_vote < 0)
		imp_err(m, vs->line + 1, "VOTES: no %s column",
			m->v_id < 0 ? "voter_id" : "vote");
	if (strcmp(m->type, "cumulative") == 0 && m->v_points < 0)
		imp_err(m, vs->line + 1,
			"VOTES: no points column (the vote "
			"type is cumulative)");
	m->votes = ft_xmalloc(((size_t)pl->n + 1) * sizeof(long));
	m->score = ft_xmalloc(((size_t)pl->n + 1) * sizeof(int64_t));
	memset(m->votes, 0, ((size_t)pl->n + 1) * sizeof(long));
	memset(m->score, 0, ((size_t)pl->n + 1) * sizeof(int64_t));
	for (i = 0; i < vs->nrows; i++) {
		imp_check_voter(m, &vs->rows[i]);
		imp_check_ballot(m, pl, &vs->rows[i]);
	}
	imp_check_twice(m);
	if ((v = meta(m, "num_votes")) && whole(v, &x) && x != vs->nrows)
		imp_err(m, meta_line(m, "num_votes"),
			"META num_votes: %ld, "
			"but VOTES has %d",
			x, vs->nrows);
}

/* The published counts of PROJECTS must be the ballots' own. */
static void
imp_check_counts(struct imp *m)
{
	const struct ft_pb_section *ps = &m->pb.projects;
	const char *v;
	long x;
	int i;

	for (i = 0; i < ps->nrows; i++) {
		const struct ft_pb_row *r = &ps->rows[i];

		if (m->p_votes >= 0 && *(v = ft_pb_field(r, m->p_votes)) &&
		    (!whole(v, &x) || x != m->votes[i]))
			imp_err(m, r->line,
				"PROJECTS votes: %s, but the "
				"ballots give %ld",
				ft_q(v), m->votes[i]);
		if (m->p_score >= 0 && *(v = ft_pb_field(r, m->p_score)) &&
		    strcmp(m->type, "approval") &&
		    strcmp(m->type, "choose-1") &&
		    (!whole(v, &x) || x != m->score[i]))
			imp_err(m, r->line,
				"PROJECTS score: %s, but the "
				"ballots give %lld",
				ft_q(v), (long long)m->score[i]);
	}
}

/* Checks the file whole; every error is printed.  Fills m. */
static void
imp_check(struct imp *m)
{
	struct plist pl;

	imp_check_meta(m);
	imp_check_projects(m, &pl);
	imp_check_votes(m, &pl);
	imp_check_counts(m);
	free(pl.id);
	free(pl.order);
}

static void
imp_release(struct imp *m)
{
	ft_pb_release(&m->pb);
	free(m->mkey);
	free(m->mval);
	free(m->mline);
	free(m->votes);
	free(m->score);
}

/* A JSON object of row r's fields except the columns in skip (-1 ends). */
static void
row_object(struct ft_buf *o, const struct ft_pb_section *s,
	   const struct ft_pb_row *r, const int *skip)
{
	int i, k, n = 0;

	ft_buf_reset(o);
	ft_buf_addc(o, '{');
	for (i = 0; i < s->head.n; i++) {
		for (k = 0; skip[k] >= 0; k++)
			if (skip[k] == i)
				break;
		if (skip[k] >= 0 || !*ft_pb_field(r, i))
			continue;
		if (n++)
			ft_buf_addc(o, ',');
		ft_json_escape_lossy(o, s->head.f[i], strlen(s->head.f[i]));
		ft_buf_addc(o, ':');
		ft_json_escape_lossy(o, ft_pb_field(r, i),
				     strlen(ft_pb_field(r, i)));
	}
	ft_buf_addc(o, '}');
}

/* The pabulib names of the rules ft-vote counts by, and its own. */
static const char *const pb_rules[][2] = {
	{ "greedy", "greedy" },
	{ "greedy-no-skip", "greedy-no-skip" },
	{ "greedy-threshold", "greedy-threshold" },
	{ "equalshares", "mes" },
	{ "equalshares/add1", "mes-add1" },
};

/* from = 0: a META rule to ft-vote's (NULL if none); 1: the other way. */
static const char *
pb_rule_name(const char *r, int from)
{
	size_t i;

	for (i = 0; r && i < sizeof(pb_rules) / sizeof(*pb_rules); i++)
		if (!strcmp(r, pb_rules[i][from]))
			return pb_rules[i][!from];
	return from ? r : NULL;
}

/*
 * The canonical texts of the ballot in VOTES row r, as they are stored
 * and as the digest covers them: the projects as a JSON array into pj, and
 * for a cumulative ballot the points as one into pts (else pts is empty).
 */
static void
pb_ballot(const struct imp *m, const struct ft_pb_row *r, struct ft_buf *pj,
	  struct ft_buf *pts)
{
	const char *p;
	long pt;

	ft_buf_reset(pj);
	ft_buf_addc(pj, '[');
	for (p = ft_pb_field(r, m->v_vote); *p;) {
		size_t l = strcspn(p, ",");

		if (pj->len > 1)
			ft_buf_addc(pj, ',');
		ft_json_escape_lossy(pj, p, l);
		p += l;
		if (*p == ',')
			p++;
	}
	ft_buf_addc(pj, ']');
	ft_buf_reset(pts);
	if (strcmp(m->type, "cumulative"))
		return;
	ft_buf_addc(pts, '[');
	for (p = ft_pb_field(r, m->v_points); *p;) {
		size_t l = strcspn(p, ",");
		char num[24];

		snprintf(num, sizeof(num), "%.*s", (int)l, p);
		whole(num, &pt);
		ft_buf_addf(pts, "%s%ld", pts->len > 1 ? "," : "", pt);
		p += l;
		if (*p == ',')
			p++;
	}
	ft_buf_addc(pts, ']');
}

/* The round of an imported file, and the texts its settings point to. */
struct pb_round {
	struct ft_store_vote_round rd;
	char t[3][FT_TIME_LEN], num[4][24];
};

/*
 * The round of the checked file m as round id, from its META (kept whole
 * as JSON in u->a, in its order), into pr; borrowed from m, u->a, u->b
 * and u->c until they change.
 */
static void
imp_round(struct run *u, const struct imp *m, const char *id, const char *check,
	  struct pb_round *pr)
{
	struct ft_store_vote_round *rd = &pr->rd;
	struct ft_buf *o = &u->a;
	const char *v, *type = m->type;
	int64_t when;
	int i;

	ft_buf_reset(o);
	ft_buf_addc(o, '{');
	for (i = 0; i < m->nmeta; i++) {
		if (i)
			ft_buf_addc(o, ',');
		ft_json_escape_lossy(o, m->mkey[i], strlen(m->mkey[i]));
		ft_buf_addc(o, ':');
		ft_json_escape_lossy(o, m->mval[i], strlen(m->mval[i]));
	}
	ft_buf_addc(o, '}');
	memset(rd, 0, sizeof(*rd));
	rd->f[R_ID] = id;
	v = meta(m, "description");
	rd->f[R_NAME] = v && *v ? v : id;
	ft_amount_canon(meta(m, "budget"), &u->b);
	rd->f[R_BUDGET] = u->b.s;
	if ((v = meta(m, "date_begin")) && !pb_date(v, 0, &when))
		rd->f[R_OPENS] = vote_fmt_time(when, pr->t[0]);
	if ((v = meta(m, "date_end")) && !pb_date(v, 1, &when))
		rd->f[R_CLOSES] = vote_fmt_time(when, pr->t[1]);
	rd->f[R_BALLOT] = type;
	/* The limits are whole numbers: stored as such from their text. */
	if (!strcmp(type, "choose-1")) {
		rd->f[R_MINLEN] = "1";
		rd->f[R_MAXLEN] = "1";
	} else {
		rd->f[R_MINLEN] = whole_text(meta(m, "min_length"), pr->num[0]);
		rd->f[R_MAXLEN] = whole_text(meta(m, "max_length"), pr->num[1]);
	}
	if ((v = meta(m, "max_sum_cost"))) {
		ft_amount_canon(v, &u->c);
		rd->f[R_MAXCOST] = u->c.s;
	}
	rd->f[R_MINPTS] = whole_text(meta(m, "min_sum_points"), pr->num[2]);
	rd->f[R_MAXPTS] = whole_text(meta(m, "max_sum_points"), pr->num[3]);
	rd->f[R_RULE] = pb_rule_name(meta(m, "rule"), 0);
	rd->f[R_THRESHOLD] = meta(m, "min_project_score_threshold");
	rd->f[R_TIEBREAK] = "votes,cost,id";
	rd->f[R_KEYCHECK] = check;
	rd->f[R_META] = o->s;
	rd->source = m->path;
	rd->created_at = vote_fmt_time(ft_time_now(), pr->t[2]);
}

/* Stores the projects of m in round id, with the columns ft has no place
 * for in extra. */
static int
imp_store_projects(struct run *u, const struct imp *m, const char *id)
{
	const struct ft_pb_section *ps = &m->pb.projects;
	char sel[24];
	const char *v;
	int i, st, skip_p[8];

	i = 0;
	skip_p[i++] = m->p_id;
	skip_p[i++] = m->p_cost;
	skip_p[i++] = m->p_name;
	skip_p[i++] = m->p_cat;
	skip_p[i++] = m->p_sel;
	skip_p[i++] = m->p_votes;
	skip_p[i++] = m->p_score;
	skip_p[i] = -1;
	for (i = 0; i < 7; i++)
		if (skip_p[i] < 0)
			skip_p[i] = INT32_MAX;
	for (i = 0; i < ps->nrows; i++) {
		const struct ft_pb_row *r = &ps->rows[i];
		struct ft_store_vote_project pr;

		memset(&pr, 0, sizeof(pr));
		pr.round = id;
		pr.id = ft_pb_field(r, m->p_id);
		pr.name = ft_pb_field(r, m->p_name);
		ft_amount_canon(ft_pb_field(r, m->p_cost), &u->b);
		pr.cost = u->b.s;
		if (*(v = ft_pb_field(r, m->p_cat)))
			pr.category = v;
		pr.selected = whole_text(ft_pb_field(r, m->p_sel), sel);
		row_object(&u->c, ps, r, skip_p);
		if (u->c.len > 2)
			pr.extra = u->c.s;
		if ((st = ft_store_vote_project_add(u->vs, &pr)))
			return st;
	}
	return FT_OK;
}

/* Stores the ballots of m in round id; the voter ids only as keyed
 * hashes (by rkey). */
static int
imp_store_ballots(struct run *u, const struct imp *m, const char *id,
		  const unsigned char rkey[32])
{
	const struct ft_pb_section *vs = &m->pb.votes;
	int64_t ballot;
	const char *v;
	int i, st, added, skip_v[5];

	skip_v[0] = m->v_id;
	skip_v[1] = m->v_vote;
	skip_v[2] = m->v_points < 0 ? INT32_MAX : m->v_points;
	skip_v[3] = m->v_method < 0 ? INT32_MAX : m->v_method;
	skip_v[4] = -1;
	for (i = 0; i < vs->nrows; i++) {
		const struct ft_pb_row *r = &vs->rows[i];
		const char *vid = ft_pb_field(r, m->v_id);
		char hash[65];

		struct ft_store_vote_ballot b;

		ft_vkey_hash(rkey, "voter", vid, hash);
		if ((st = ft_store_vote_voter_add(u->vs, id, hash, NULL,
						  &added)))
			return st;
		ft_vkey_hash(rkey, "ballot", vid, hash);
		memset(&b, 0, sizeof(b));
		b.round = id;
		b.tag = hash;
		v = ft_pb_field(r, m->v_method);
		b.channel = *v ? v : "pb";
		pb_ballot(m, r, &u->b, &u->c);
		b.projects = u->b.s;
		if (u->c.len)
			b.points = u->c.s;
		row_object(&u->d, vs, r, skip_v);
		if (u->d.len > 2)
			b.extra = u->d.s;
		if ((st = ft_store_vote_ballot_add(u->vs, &b, &ballot)))
			return st;
	}
	return FT_OK;
}

/* Stores the checked file m as round id. */
static int
imp_store(struct run *u, struct imp *m, const char *id,
	  const unsigned char rkey[32], const char *check)
{
	struct pb_round pr;
	int st;

	imp_round(u, m, id, check, &pr);
	if ((st = ft_store_vote_round_add(u->vs, &pr.rd)) ||
	    (st = imp_store_projects(u, m, id)))
		return st;
	return imp_store_ballots(u, m, id, rkey);
}

/* The digest of the ballots of a checked file, as they would be stored. */
static void
imp_digest(struct run *u, struct imp *m, char hex[65])
{
	const struct ft_pb_section *vs = &m->pb.votes;
	char **lines = ft_xmalloc(((size_t)vs->nrows + 1) * sizeof(char *));
	int i;

	for (i = 0; i < vs->nrows; i++) {
		pb_ballot(m, &vs->rows[i], &u->b, &u->c);
		lines[i] = vote_ballot_line(u->b.s, u->c.len ? u->c.s : NULL);
	}
	vote_digest(lines, vs->nrows, hex);
	free(lines);
}

int
ft_vote_import(struct ft_db *db, const struct ft_vote_opts *o, const char *path)
{
	struct run u;
	struct imp m;
	char idbuf[256], check[65], d1[65], d2[65];
	unsigned char secret[32], rkey[32];
	const char *id = o->round;
	const char *keyfile = o->key;
	long nb;
	int st;

	if (keyfile && !*keyfile)
		keyfile = NULL;
	memset(&m, 0, sizeof(m));
	m.path = path;
	vote_run_init(&u, db, o);
	if ((st = ft_pb_read(&m.pb, path))) {
		if (m.pb.errors)
			ft_error("%s: refused: %ld error%s; nothing stored",
				 path, m.pb.errors,
				 m.pb.errors == 1 ? "" : "s");
		goto out;
	}
	imp_check(&m);
	if (m.errors) {
		ft_error("%s: refused: %ld error%s; nothing stored", path,
			 m.errors, m.errors == 1 ? "" : "s");
		st = FT_DATAERR;
		goto out;
	}
	if (!id) {
		const char *base = strrchr(path, '/');
		size_t l;

		base = base ? base + 1 : path;
		l = strlen(base);
		if (l > 3 && !strcmp(base + l - 3, ".pb"))
			l -= 3;
		snprintf(idbuf, sizeof(idbuf), "%.*s", (int)l, base);
		id = idbuf;
	}
	if (!*id) {
		st = vote_usage_error("--round: an empty id");
		goto out;
	}
	if (!vote_is_text(id)) {
		ft_buf_reset(&u.a);
		ft_json_escape_lossy(&u.a, id, strlen(id));
		st = vote_usage_error(
			"%s %s: not UTF-8 text without control "
			"characters",
			o->round ? "--round" :
				   "the round id from the file's name",
			u.a.s);
		goto out;
	}
	if ((st = ft_db_begin_write(db)))
		goto out;
	/* The same file again is the same round; another is refused. */
	st = vote_load_round(&u, id, 1);
	if (st == FT_OK) {
		imp_digest(&u, &m, d1);
		if ((st = vote_stored_digest(&u, d2, &nb)))
			goto rollback;
		if (strcmp(d1, d2) != 0) {
			ft_error("%s: round %s exists with other ballots "
				 "(--round ID imports it under another id)",
				 path, ft_q(id));
			st = FT_DATAERR;
			goto rollback;
		}
		ft_db_rollback(db);
		if (!o->quiet)
			ft_warn("%s: round %s is already in, unchanged", path,
				ft_q(id));
		if (!o->no_output)
			printf("%s\n", id);
		goto out;
	}
	if (st != FT_NOINPUT)
		goto rollback;
	/* No such round: load_round's message is not an error here. */
	if (keyfile) {
		if ((st = ft_vkey_read(keyfile, 1, secret)))
			goto rollback;
	} else {
		if ((st = ft_vkey_random(secret)))
			goto rollback;
	}
	ft_vkey_round(secret, id, rkey);
	ft_vkey_hash(rkey, "check", "", check);
	if ((st = imp_store(&u, &m, id, rkey, keyfile ? check : NULL)))
		goto rollback;
	if (o->dry_run)
		ft_db_rollback(db);
	else if ((st = ft_db_commit(db)))
		goto out;
	if (!o->quiet)
		ft_warn("%s: round %s: %d project%s, %d ballot%s%s", path,
			ft_q(id), m.pb.projects.nrows,
			m.pb.projects.nrows == 1 ? "" : "s", m.pb.votes.nrows,
			m.pb.votes.nrows == 1 ? "" : "s",
			o->dry_run ? " (dry run: nothing stored)" : "");
	if (!o->no_output)
		printf("%s\n", id);
	goto out;
rollback:
	ft_db_rollback(db);
out:
	imp_release(&m);
	return vote_run_release(&u, st);
}

/* ---- export ---- */

/* Appends one "key;value" META row. */
static void
meta_row(struct ft_buf *o, const char *k, const char *v)
{
	const char *f[2] = { k, v };

	if (v)
		ft_pb_put_row(o, f, 2);
}

/* "dd.mm.yyyy" of instant t (end: of the instant before it). */
static void
pb_date_of(int64_t t, int end, char out[16])
{
	char iso[FT_TIME_LEN];

	ft_time_format(end ? t - 1 : t, iso);
	snprintf(out, 16, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

/* The keys of the JSON objects in texts[0..n), in order of appearance. */
static int
union_keys(char **texts, long n, char ***keys)
{
	struct ft_json_doc d;
	struct ft_buf k = FT_BUF_INIT;
	int nk = 0, cap = 0, j;
	long i;
	size_t m;

	*keys = NULL;
	ft_json_doc_init(&d);
	for (i = 0; i < n; i++) {
		const char *err;
		size_t pos;

		if (!texts[i] ||
		    ft_json_parse(&d, texts[i], strlen(texts[i]), &err, &pos) ||
		    d.type != '{')
			continue;
		for (m = 0; m < d.n; m++) {
			ft_json_key(&d, &d.m[m], &k);
			for (j = 0; j < nk; j++)
				if (!strcmp((*keys)[j], k.s))
					break;
			if (j < nk)
				continue;
			if (nk == cap) {
				cap = cap ? 2 * cap : 8;
				*keys = ft_xrealloc(*keys,
						    (size_t)cap *
							    sizeof(char *));
			}
			(*keys)[nk++] = ft_xstrdup(k.s);
		}
		if (i > 2000 && nk == 0)
			break;
	}
	ft_json_doc_release(&d);
	ft_buf_release(&k);
	return nk;
}

/* The value of key in the JSON object text as a string, into b. */
static void
object_field(const char *text, const char *key, struct ft_buf *b)
{
	struct ft_json_doc d;
	const char *err;
	size_t pos;

	ft_buf_reset(b);
	if (!text)
		return;
	ft_json_doc_init(&d);
	if (ft_json_parse(&d, text, strlen(text), &err, &pos) == 0 &&
	    d.type == '{')
		ft_json_member_text(&d, key, b);
	ft_json_doc_release(&d);
}

/*
 * A round as export writes it: read whole from the database, the counts
 * of its PROJECTS section decided from the ballots, then printed.
 */
struct exp {
	struct plist p;
	char **pcat, **psel, **pextra; /* by project, NULL for NULL */
	long *votes, *score; /* by project, from the ballots */
	int has_cat, has_sel; /* a project has a category, ... */
	char **bproj, **bpts, **bchan, **bextra; /* by ballot */
	long nb, cap;
	int cumulative, ordinal; /* the round's type of ballot */
	int method; /* a ballot came by another channel */
	struct ft_buf items; /* scratch: a ballot's items */
};

static void
exp_release(struct exp *x)
{
	long i;

	for (i = 0; i < x->p.n && x->pextra; i++) {
		free(x->pextra[i]);
		free(x->pcat[i]);
		free(x->psel[i]);
	}
	for (i = 0; i < x->nb; i++) {
		free(x->bproj[i]);
		free(x->bpts[i]);
		free(x->bchan[i]);
		free(x->bextra[i]);
	}
	free(x->pextra);
	free(x->pcat);
	free(x->psel);
	free(x->bproj);
	free(x->bpts);
	free(x->bchan);
	free(x->bextra);
	free(x->votes);
	free(x->score);
	ft_buf_release(&x->items);
	vote_plist_release(&x->p);
}

/* The columns of the projects that export reads, by project. */
struct exp_proj {
	struct exp *x;
	long i;
};

static int
exp_project(void *ctx, const struct ft_store_vote_project *r)
{
	struct exp_proj *c = ctx;
	struct exp *x = c->x;
	long i = c->i++;

	if (i >= x->p.n) /* stored after the list was read */
		return FT_OK;
	x->pcat[i] = r->category ? ft_xstrdup(r->category) : NULL;
	x->psel[i] = r->selected ? ft_xstrdup(r->selected) : NULL;
	x->pextra[i] = r->extra ? ft_xstrdup(r->extra) : NULL;
	x->has_cat |= x->pcat[i] != NULL;
	x->has_sel |= x->psel[i] != NULL;
	return FT_OK;
}

static int
exp_ballot(void *ctx, const struct ft_store_vote_ballot *b)
{
	struct exp *x = ctx;

	if (x->nb == x->cap) {
		size_t n;

		x->cap = x->cap ? 2 * x->cap : 1024;
		n = (size_t)x->cap * sizeof(char *);
		x->bproj = ft_xrealloc(x->bproj, n);
		x->bpts = ft_xrealloc(x->bpts, n);
		x->bchan = ft_xrealloc(x->bchan, n);
		x->bextra = ft_xrealloc(x->bextra, n);
	}
	x->bproj[x->nb] = ft_xstrdup(b->projects);
	x->bpts[x->nb] = b->points ? ft_xstrdup(b->points) : NULL;
	x->bchan[x->nb] = ft_xstrdup(b->channel);
	x->bextra[x->nb] = b->extra ? ft_xstrdup(b->extra) : NULL;
	x->method |= strcmp(x->bchan[x->nb], "pb") != 0;
	x->nb++;
	return FT_OK;
}

/* Reads the columns of u->r's projects and its ballots into x (whose
 * projects are loaded). */
static int
exp_read(struct run *u, const char *round, struct exp *x)
{
	const struct plist *p = &x->p;
	struct exp_proj c = { x, 0 };
	size_t n = ((size_t)p->n + 1) * sizeof(char *);
	int st;

	x->cumulative = !strcmp(u->r.f[R_BALLOT], "cumulative");
	x->ordinal = !strcmp(u->r.f[R_BALLOT], "ordinal");
	x->pextra = ft_xmalloc(n);
	x->pcat = ft_xmalloc(n);
	x->psel = ft_xmalloc(n);
	memset(x->pextra, 0, n);
	memset(x->pcat, 0, n);
	memset(x->psel, 0, n);
	x->votes = ft_xmalloc(((size_t)p->n + 1) * sizeof(long));
	x->score = ft_xmalloc(((size_t)p->n + 1) * sizeof(long));
	memset(x->votes, 0, ((size_t)p->n + 1) * sizeof(long));
	memset(x->score, 0, ((size_t)p->n + 1) * sizeof(long));
	if ((st = ft_store_vote_projects_each(u->vs, round, exp_project, &c)))
		return st;
	return ft_store_vote_ballots_each(u->vs, round, exp_ballot, x);
}

/* The counts of the PROJECTS section, from the ballots: x->votes and
 * x->score.  FT_DATAERR after a message for a stored ballot that is not
 * one. */
static int
exp_counts(struct run *u, const char *round, struct exp *x)
{
	long i;

	for (i = 0; i < x->nb; i++) {
		const char *pj = x->bproj[i], *pts = x->bpts[i];
		int n, np = 0, k, ok, pok = 0;
		size_t pos = 0, ppos = 0;

		ok = vote_list_json(pj, strlen(pj), &x->items, &n);
		if (pts)
			pok = vote_list_json(pts, strlen(pts), &u->items, &np);
		/* Points and projects lists of one length, or neither a list
		 * (counted as nothing). */
		if (pts && (pok != ok || np != n)) {
			ft_error("round %s: ballot %ld: not a ballot: %s",
				 ft_q(round), i + 1, pts);
			return FT_DATAERR;
		}
		for (k = 0; k < n; k++) {
			const char *id = vote_next_item(&x->items, &pos);
			int p = vote_plist_find(&x->p, id);
			int64_t pt = x->ordinal ? n - k : 1;

			if (pts &&
			    (pt = vote_stored_point(
				     vote_next_item(&u->items, &ppos))) < 0) {
				ft_error("round %s: ballot %ld: not a ballot "
					 "(points from 0 to %d): %s",
					 ft_q(round), i + 1, MAX_POINTS, pts);
				return FT_DATAERR;
			}
			if (p >= 0) {
				x->votes[p]++;
				x->score[p] += pt;
			}
		}
	}
	return FT_OK;
}

/* The META section into out: the file's own META when the round came
 * from one (with the counts as they are now), else the round's settings. */
static void
exp_meta(const struct run *u, const struct exp *x, struct ft_buf *out)
{
	const struct round *r = &u->r;
	struct ft_json_doc d;
	struct ft_buf v = FT_BUF_INIT;
	const char *err;
	size_t pos, k;
	char num[32], d1[16];

	ft_buf_adds(out, "META\nkey;value\n");
	ft_json_doc_init(&d);
	if (r->f[R_META] &&
	    ft_json_parse(&d, r->f[R_META], strlen(r->f[R_META]), &err, &pos) ==
		    0 &&
	    d.n > 0) {
		struct ft_buf key = FT_BUF_INIT;

		for (k = 0; k < d.n; k++) {
			ft_json_key(&d, &d.m[k], &key);
			ft_buf_reset(&v);
			ft_json_unescape(d.text.s + d.m[k].val, d.m[k].vallen,
					 &v);
			if (!strcmp(key.s, "num_projects"))
				snprintf(num, sizeof(num), "%d", x->p.n);
			else if (!strcmp(key.s, "num_votes"))
				snprintf(num, sizeof(num), "%ld", x->nb);
			meta_row(out, key.s,
				 !strcmp(key.s, "num_projects") ||
						 !strcmp(key.s, "num_votes") ?
					 num :
					 v.s);
		}
		ft_buf_release(&key);
	} else {
		meta_row(out, "description", r->f[R_NAME]);
		meta_row(out, "country", "unknown");
		meta_row(out, "unit", r->f[R_ID]);
		snprintf(num, sizeof(num), "%d", x->p.n);
		meta_row(out, "num_projects", num);
		snprintf(num, sizeof(num), "%ld", x->nb);
		meta_row(out, "num_votes", num);
		meta_row(out, "budget", r->f[R_BUDGET]);
		meta_row(out, "vote_type", r->f[R_BALLOT]);
		meta_row(out, "rule", pb_rule_name(r->f[R_RULE], 1));
		if (r->opens != INT64_MIN) {
			pb_date_of(r->opens, 0, d1);
			meta_row(out, "date_begin", d1);
		}
		if (r->closes != INT64_MIN) {
			pb_date_of(r->closes, 1, d1);
			meta_row(out, "date_end", d1);
		}
		if (strcmp(r->f[R_BALLOT], "choose-1")) {
			meta_row(out, "min_length", r->f[R_MINLEN]);
			meta_row(out, "max_length", r->f[R_MAXLEN]);
		}
		meta_row(out, "min_sum_points", r->f[R_MINPTS]);
		meta_row(out, "max_sum_points", r->f[R_MAXPTS]);
		meta_row(out, "max_sum_cost", r->f[R_MAXCOST]);
		meta_row(out, "min_project_score_threshold", r->f[R_THRESHOLD]);
	}
	ft_json_doc_release(&d);
	ft_buf_release(&v);
}

/* The PROJECTS section into out, the keys of the projects' extra
 * columns after ft's own. */
static void
exp_projects(const struct exp *x, struct ft_buf *out)
{
	const struct plist *p = &x->p;
	const char *h[64];
	char **pk = NULL;
	int n = 0, npk, j;
	long i;

	npk = union_keys(x->pextra, p->n, &pk);
	h[n++] = "project_id";
	h[n++] = "cost";
	h[n++] = "votes";
	if (x->cumulative || x->ordinal)
		h[n++] = "score";
	h[n++] = "name";
	if (x->has_cat)
		h[n++] = "category";
	if (x->has_sel)
		h[n++] = "selected";
	for (j = 0; j < npk && n < 64; j++)
		h[n++] = pk[j];
	ft_buf_adds(out, "PROJECTS\n");
	ft_pb_put_row(out, h, n);
	for (i = 0; i < p->n; i++) {
		const char *f[64];
		char vb[24], sb[24];
		struct ft_buf ex[64];
		int m = 0, e;

		snprintf(vb, sizeof(vb), "%ld", x->votes[i]);
		snprintf(sb, sizeof(sb), "%ld", x->score[i]);
		f[m++] = p->id[i];
		f[m++] = p->cost[i];
		f[m++] = vb;
		if (x->cumulative || x->ordinal)
			f[m++] = sb;
		f[m++] = p->name[i];
		if (x->has_cat)
			f[m++] = x->pcat[i];
		if (x->has_sel)
			f[m++] = x->psel[i];
		for (e = 0; e < npk && m < 64; e++) {
			ft_buf_init(&ex[e]);
			object_field(x->pextra[i], pk[e], &ex[e]);
			f[m++] = ex[e].s;
		}
		ft_pb_put_row(out, f, m);
		for (e = 0; e < npk && e < 64; e++)
			ft_buf_release(&ex[e]);
	}
	for (j = 0; j < npk; j++)
		free(pk[j]);
	free(pk);
}

/* The VOTES section into u->out, printed as it grows: the ballots in
 * their order, numbered from 1, the keys of their extra columns after
 * ft's own. */
static void
exp_votes(struct run *u, struct exp *x)
{
	struct ft_buf *out = &u->run.out.buf;
	const char *h[64];
	char **bk = NULL;
	int n = 0, nbk, j;
	long i;

	nbk = union_keys(x->bextra, x->nb, &bk);
	h[n++] = "voter_id";
	h[n++] = "vote";
	if (x->cumulative)
		h[n++] = "points";
	if (x->method)
		h[n++] = "voting_method";
	for (j = 0; j < nbk && n < 64; j++)
		h[n++] = bk[j];
	ft_buf_adds(out, "VOTES\n");
	ft_pb_put_row(out, h, n);
	for (i = 0; i < x->nb; i++) {
		const char *f[64];
		char idb[24];
		struct ft_buf vote = FT_BUF_INIT, pts = FT_BUF_INIT;
		struct ft_buf ex[64];
		int m = 0, e, k, c;
		size_t pos = 0;

		snprintf(idb, sizeof(idb), "%ld", i + 1);
		vote_list_json(x->bproj[i], strlen(x->bproj[i]), &x->items, &c);
		for (k = 0; k < c; k++) {
			if (k)
				ft_buf_addc(&vote, ',');
			ft_buf_adds(&vote, vote_next_item(&x->items, &pos));
		}
		if (x->bpts[i]) {
			vote_list_json(x->bpts[i], strlen(x->bpts[i]),
				       &x->items, &c);
			pos = 0;
			for (k = 0; k < c; k++) {
				if (k)
					ft_buf_addc(&pts, ',');
				ft_buf_adds(&pts,
					    vote_next_item(&x->items, &pos));
			}
		}
		f[m++] = idb;
		f[m++] = vote.s;
		if (x->cumulative)
			f[m++] = pts.s;
		if (x->method)
			f[m++] = strcmp(x->bchan[i], "pb") ? x->bchan[i] : "";
		for (e = 0; e < nbk && m < 64; e++) {
			ft_buf_init(&ex[e]);
			object_field(x->bextra[i], bk[e], &ex[e]);
			f[m++] = ex[e].s;
		}
		ft_pb_put_row(out, f, m);
		for (e = 0; e < nbk && e < 64; e++)
			ft_buf_release(&ex[e]);
		ft_buf_release(&vote);
		ft_buf_release(&pts);
		if (out->len > 65536)
			vote_flush(u);
	}
	for (j = 0; j < nbk; j++)
		free(bk[j]);
	free(bk);
}

int
ft_vote_export(struct ft_db *db, const struct ft_vote_opts *o,
	       const char *round)
{
	struct run u;
	struct exp x;
	int st;

	vote_run_init(&u, db, o);
	memset(&x, 0, sizeof(x));
	ft_buf_init(&x.items);
	if ((st = vote_load_round(&u, round, 0)) ||
	    (st = vote_plist_load(&u, &x.p)) ||
	    (st = exp_read(&u, round, &x)) || (st = exp_counts(&u, round, &x)))
		goto out;
	exp_meta(&u, &x, &u.run.out.buf);
	exp_projects(&x, &u.run.out.buf);
	vote_flush(&u);
	exp_votes(&u, &x);
	vote_flush(&u);
out:
	exp_release(&x);
	return vote_run_release(&u, st);
}
