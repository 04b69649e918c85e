#include "ft_tally.h"
#include "ft_big.h"
#include "ft_buf.h"
#include "ft_exit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const rule_names[] = {
	"greedy", "greedy-no-skip", "greedy-threshold", "mes", "mes-add1"
};

enum ft_rule
ft_tally_rule_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(rule_names) / sizeof(*rule_names); i++)
		if (strcmp(name, rule_names[i]) == 0)
			return (enum ft_rule)i;
	return FT_RULE_NONE;
}

const char *
ft_tally_rule_name(enum ft_rule r)
{
	return r >= 0 && r <= FT_RULE_MES_ADD1 ? rule_names[r] : "none";
}

void
ft_tally_init(struct ft_tally *t, int64_t budget, int scale)
{
	memset(t, 0, sizeof(*t));
	t->budget = budget;
	t->scale = scale;
	t->tie[0] = FT_TIE_VOTES;
	t->tie[1] = FT_TIE_COST;
	t->tie[2] = FT_TIE_ID;
	t->ntie = 3;
}

void
ft_tally_release(struct ft_tally *t)
{
	int i;

	for (i = 0; i < t->np; i++) {
		free(t->p[i].id);
		free(t->p[i].name);
	}
	free(t->p);
	free(t->gw);
	free(t->goff);
	free(t->glen);
	free(t->eproj);
	free(t->epts);
	free(t->ht);
	memset(t, 0, sizeof(*t));
}

int
ft_tally_set_tiebreak(struct ft_tally *t, const char *text)
{
	static const char *const keys[] = { "votes", "cost", "id" };
	const char *s = text;
	int n = 0, seen = 0;

	if (strcmp(text, "refuse") == 0) {
		t->refuse = 1;
		return 0;
	}
	t->refuse = 0;
	while (*s) {
		size_t len = strcspn(s, ","), k;

		for (k = 0; k < 3; k++)
			if (strlen(keys[k]) == len && !memcmp(s, keys[k], len))
				break;
		if (k == 3 || (seen & (1 << k)))
			return -1;
		seen |= 1 << k;
		t->tie[n++] = (enum ft_tiekey)k;
		s += len;
		if (*s == ',' && *++s == '\0')
			return -1;
	}
	if (n == 0)
		return -1;
	/* The id is always the last word: the order must be total. */
	if (!(seen & (1 << FT_TIE_ID)))
		t->tie[n++] = FT_TIE_ID;
	t->ntie = n;
	return 0;
}

int
ft_tally_add_project(struct ft_tally *t, const char *id, const char *name,
		     int64_t cost)
{
	struct ft_tally_project *p;

	if (t->np == t->pcap) {
		t->pcap = t->pcap ? 2 * t->pcap : 64;
		t->p = ft_xrealloc(t->p, (size_t)t->pcap * sizeof(*t->p));
	}
	p = &t->p[t->np];
	memset(p, 0, sizeof(*p));
	p->id = ft_xstrdup(id);
	p->name = ft_xstrdup(name ? name : "");
	p->cost = cost;
	return t->np++;
}

static uint64_t
ballot_hash(const int *proj, const int64_t *pts, int n)
{
	uint64_t h = 1469598103934665603ULL;
	int i;

	for (i = 0; i < n; i++) {
		h = (h ^ (uint64_t)proj[i]) * 1099511628211ULL;
		h = (h ^ (uint64_t)pts[i]) * 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static int
same_ballot(const struct ft_tally *t, int g, const int *proj,
	    const int64_t *pts, int n)
{
	size_t o = t->goff[g];

	return t->glen[g] == n &&
	       !memcmp(t->eproj + o, proj, (size_t)n * sizeof(*proj)) &&
	       !memcmp(t->epts + o, pts, (size_t)n * sizeof(*pts));
}

static void
rehash(struct ft_tally *t)
{
	size_t cap = t->htcap ? 2 * t->htcap : 1024, i;
	int g;

	free(t->ht);
	t->ht = ft_xmalloc(cap * sizeof(*t->ht));
	memset(t->ht, 0, cap * sizeof(*t->ht));
	t->htcap = cap;
	for (g = 0; g < t->ng; g++) {
		i = ballot_hash(t->eproj + t->goff[g], t->epts + t->goff[g],
				t->glen[g]) & (cap - 1);
		while (t->ht[i])
			i = (i + 1) & (cap - 1);
		t->ht[i] = g + 1;
	}
}

void
ft_tally_add_ballot(struct ft_tally *t, const int *proj, const int64_t *pts,
		    int n)
{
	size_t i;
	int k, g;

	t->ballots++;
	for (k = 0; k < n; k++) {
		t->p[proj[k]].votes++;
		t->p[proj[k]].score += pts[k];
	}
	if ((size_t)(t->ng + 1) * 2 > t->htcap)
		rehash(t);
	i = ballot_hash(proj, pts, n) & (t->htcap - 1);
	while ((g = t->ht[i]) != 0) {
		if (same_ballot(t, g - 1, proj, pts, n)) {
			t->gw[g - 1]++;
			return;
		}
		i = (i + 1) & (t->htcap - 1);
	}
	if (t->ng == t->gcap) {
		t->gcap = t->gcap ? 2 * t->gcap : 1024;
		t->gw = ft_xrealloc(t->gw, (size_t)t->gcap * sizeof(*t->gw));
		t->goff = ft_xrealloc(t->goff,
				      (size_t)t->gcap * sizeof(*t->goff));
		t->glen = ft_xrealloc(t->glen,
				      (size_t)t->gcap * sizeof(*t->glen));
	}
	while (t->ne + (size_t)n > t->ecap) {
		t->ecap = t->ecap ? 2 * t->ecap : 4096;
		t->eproj = ft_xrealloc(t->eproj, t->ecap * sizeof(*t->eproj));
		t->epts = ft_xrealloc(t->epts, t->ecap * sizeof(*t->epts));
	}
	memcpy(t->eproj + t->ne, proj, (size_t)n * sizeof(*proj));
	memcpy(t->epts + t->ne, pts, (size_t)n * sizeof(*pts));
	t->gw[t->ng] = 1;
	t->goff[t->ng] = t->ne;
	t->glen[t->ng] = n;
	t->ne += (size_t)n;
	t->ht[i] = ++t->ng;
}

/* Ids of digits alone compare as numbers ("9" before "10"), others as
 * bytes; a number comes before a text. */
static int
id_cmp(const char *a, const char *b)
{
	size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
	int na = la > 0 && a[la] == '\0', nb = lb > 0 && b[lb] == '\0';

	if (na && nb) {
		while (*a == '0' && la > 1)
			a++, la--;
		while (*b == '0' && lb > 1)
			b++, lb--;
		if (la != lb)
			return la < lb ? -1 : 1;
		return strcmp(a, b);
	}
	if (na != nb)
		return na ? -1 : 1;
	return strcmp(a, b);
}

/* The tie-break alone: < 0 when a comes first. */
static int
tie_cmp(const struct ft_tally *t, int a, int b)
{
	const struct ft_tally_project *pa = &t->p[a], *pb = &t->p[b];
	int k;

	for (k = 0; k < t->ntie; k++) {
		switch (t->tie[k]) {
		case FT_TIE_VOTES:
			if (pa->votes != pb->votes)
				return pa->votes > pb->votes ? -1 : 1;
			break;
		case FT_TIE_COST:
			if (pa->cost != pb->cost)
				return pa->cost < pb->cost ? -1 : 1;
			break;
		case FT_TIE_ID:
			return id_cmp(pa->id, pb->id);
		}
	}
	return id_cmp(pa->id, pb->id);
}

/*
 * rank_cmp()'s tally (qsort has no context).  Threads: owned by the thread
 * that counts, set and read by it alone in rank_order(); the add1 loop's
 * second thread (count_mes()) never ranks.
 */
static const struct ft_tally *sort_tally;

static int
rank_cmp(const void *x, const void *y)
{
	const struct ft_tally *t = sort_tally;
	int a = *(const int *)x, b = *(const int *)y;

	if (t->p[a].score != t->p[b].score)
		return t->p[a].score > t->p[b].score ? -1 : 1;
	return tie_cmp(t, a, b);
}

/* All projects by score and tie-break. */
static void
rank_order(const struct ft_tally *t, int *order)
{
	int i;

	for (i = 0; i < t->np; i++)
		order[i] = i;
	sort_tally = t;
	qsort(order, (size_t)t->np, sizeof(*order), rank_cmp);
}

void
ft_tally_amount(int64_t v, int scale, char *out, size_t cap)
{
	int64_t unit = 1;
	int i;

	for (i = 0; i < scale; i++)
		unit *= 10;
	if (scale == 0 || v % unit == 0) {
		snprintf(out, cap, "%lld", (long long)(v / unit));
		return;
	}
	snprintf(out, cap, "%lld.%0*lld", (long long)(v / unit), scale & 7,
		 (long long)(v % unit));
	/* No trailing zeros: 0.50 is 0.5. */
	for (i = (int)strlen(out) - 1; out[i] == '0'; i--)
		out[i] = '\0';
}

/* Names the tied projects in t->err. */
static int
refuse_tie(struct ft_tally *t, const char *how, const int *ids, int n)
{
	size_t len;
	int i;

	len = (size_t)snprintf(t->err, sizeof(t->err), "%s tie between", how);
	for (i = 0; i < n && len < sizeof(t->err); i++)
		len += (size_t)snprintf(t->err + len, sizeof(t->err) - len,
					"%s \"%s\"", i ? "," : "",
					t->p[ids[i]].id);
	return FT_DATAERR;
}

/*
 * Greedy over order[from..np): takes each project that fits what is left
 * (or, no_skip, stops at the first that does not).  Projects already
 * selected or excluded (rank set) are passed over.  reason_ok is the reason
 * of a selected project.
 */
static int
greedy_pass(struct ft_tally *t, const int *order, int no_skip,
	    const char *reason_ok)
{
	int i, j, stopped = 0;
	char left[64];

	for (i = 0; i < t->np; i++) {
		struct ft_tally_project *p = &t->p[order[i]];

		if (p->selected || p->reason[0])
			continue;
		if (t->refuse && !stopped) {
			/* The tied group from here: does its order matter? */
			int64_t sum = 0, rem = t->budget - t->spent;
			int fit = 0, n = 0, ids[64];

			for (j = i; j < t->np; j++) {
				struct ft_tally_project *q = &t->p[order[j]];

				if (q->score != p->score)
					break;
				if (q->selected || q->reason[0])
					continue;
				/* Only sum > rem matters: past rem, stop adding,
				 * as many dear projects would overflow it. */
				if (sum <= rem)
					sum += q->cost;
				fit += q->cost <= rem;
				if (n < 64)
					ids[n++] = order[j];
			}
			if (n > 1 && sum > rem && fit > 0)
				return refuse_tie(t, "a greedy", ids, n);
		}
		if (stopped) {
			snprintf(p->reason, sizeof(p->reason),
				 "not reached: a project ranked above it did "
				 "not fit");
			continue;
		}
		if (p->cost <= t->budget - t->spent) {
			p->selected = 1;
			t->spent += p->cost;
			t->nselected++;
			snprintf(p->reason, sizeof(p->reason), "%s", reason_ok);
			continue;
		}
		ft_tally_amount(t->budget - t->spent, t->scale, left, sizeof(left));
		snprintf(p->reason, sizeof(p->reason),
			 "did not fit the remaining budget (%s left)", left);
		if (no_skip)
			stopped = 1;
	}
	return 0;
}

/*
 * The Method of Equal Shares.  Every voter starts with b0 / l0 (units);
 * budgets are kept as numerators over the common denominator L.
 */
struct mes {
	struct ft_tally *t;
	/* supporters of each project: groups and points a voter */
	size_t *soff;
	int *sg;
	int64_t *su;
	int64_t *wu;		/* the sum of w * u of each project */
	struct ft_big *beta;	/* the budget of a voter of each group */
	unsigned char *tv;	/* T[u] valid in this pass */
	/* A run's working copy of the supporters: those left with nothing
	 * are dropped as they are met, so that late steps scan few. */
	size_t *slen;
	int *wg;
	int64_t *wpts;
	/* Groups that may still pay: some money, some project alive. */
	int *live, nlive;
	int *nalive;		/* alive projects on each group's ballot */
	unsigned char *paid;	/* scratch: the group has paid this step */
	unsigned char *poor;	/* scratch, by supporter */
	struct ft_big L, X, tmp, ca, cb, T[17];
	struct ft_big *px;	/* each project's last rho: px / pk over L */
	uint64_t *pk;
	int *alive;		/* still a candidate */
	int *win;		/* selection order */
	int *cand, *tied;	/* scratch */
	int nwin;
	int64_t spent;
};

static void
mes_init(struct mes *m, struct ft_tally *t)
{
	size_t *cnt, i;
	int g, k, q;

	memset(m, 0, sizeof(*m));
	m->t = t;
	m->soff = ft_xmalloc(((size_t)t->np + 1) * sizeof(*m->soff));
	cnt = ft_xmalloc(((size_t)t->np + 1) * sizeof(*cnt));
	memset(cnt, 0, ((size_t)t->np + 1) * sizeof(*cnt));
	m->wu = ft_xmalloc(((size_t)t->np + 1) * sizeof(*m->wu));
	memset(m->wu, 0, ((size_t)t->np + 1) * sizeof(*m->wu));
	for (i = 0; i < t->ne; i++)
		cnt[t->eproj[i]]++;
	m->soff[0] = 0;
	for (q = 0; q < t->np; q++)
		m->soff[q + 1] = m->soff[q] + cnt[q];
	m->sg = ft_xmalloc((t->ne + 1) * sizeof(*m->sg));
	m->su = ft_xmalloc((t->ne + 1) * sizeof(*m->su));
	m->poor = ft_xmalloc(t->ne + 1);
	for (q = 0; q < t->np; q++)
		cnt[q] = m->soff[q];
	for (g = 0; g < t->ng; g++)
		for (k = 0; k < t->glen[g]; k++) {
			size_t e = t->goff[g] + (size_t)k;
			q = t->eproj[e];
			m->sg[cnt[q]] = g;
			m->su[cnt[q]] = t->epts[e];
			cnt[q]++;
			m->wu[q] += t->gw[g] * t->epts[e];
		}
	free(cnt);
	m->beta = ft_xmalloc(((size_t)t->ng + 1) * sizeof(*m->beta));
	memset(m->beta, 0, ((size_t)t->ng + 1) * sizeof(*m->beta));
	m->paid = ft_xmalloc((size_t)t->ng + 1);
	m->tv = ft_xmalloc(17);
	m->slen = ft_xmalloc(((size_t)t->np + 1) * sizeof(*m->slen));
	m->wg = ft_xmalloc((t->ne + 1) * sizeof(*m->wg));
	m->wpts = ft_xmalloc((t->ne + 1) * sizeof(*m->wpts));
	m->live = ft_xmalloc(((size_t)t->ng + 1) * sizeof(*m->live));
	m->nalive = ft_xmalloc(((size_t)t->ng + 1) * sizeof(*m->nalive));
	m->px = ft_xmalloc(((size_t)t->np + 1) * sizeof(*m->px));
	memset(m->px, 0, ((size_t)t->np + 1) * sizeof(*m->px));
	m->pk = ft_xmalloc(((size_t)t->np + 1) * sizeof(*m->pk));
	m->alive = ft_xmalloc(((size_t)t->np + 1) * sizeof(*m->alive));
	m->win = ft_xmalloc(((size_t)t->np + 1) * sizeof(*m->win));
	m->cand = ft_xmalloc(((size_t)t->np + 1) * sizeof(*m->cand));
	m->tied = ft_xmalloc(((size_t)t->np + 1) * sizeof(*m->tied));
}

static void
mes_release(struct mes *m)
{
	int i;

	for (i = 0; i < m->t->ng; i++)
		ft_big_release(&m->beta[i]);
	for (i = 0; i < m->t->np; i++)
		ft_big_release(&m->px[i]);
	free(m->tv);
	free(m->slen);
	free(m->wg);
	free(m->wpts);
	free(m->live);
	free(m->nalive);
	for (i = 0; i < 17; i++)
		ft_big_release(&m->T[i]);
	ft_big_release(&m->L);
	ft_big_release(&m->X);
	ft_big_release(&m->tmp);
	ft_big_release(&m->ca);
	ft_big_release(&m->cb);
	free(m->soff);
	free(m->sg);
	free(m->su);
	free(m->wu);
	free(m->beta);
	free(m->paid);
	free(m->poor);
	free(m->px);
	free(m->pk);
	free(m->alive);
	free(m->win);
	free(m->cand);
	free(m->tied);
}

/* T[u] = ceil(X*u/K): a voter with points u is poor below it. */
static const struct ft_big *
threshold(struct mes *m, int64_t u, uint64_t K)
{
	if (!m->tv[u]) {
		ft_big_mul_to(&m->T[u], &m->X, (uint64_t)u);
		ft_big_set_u64(&m->ca, K - 1);
		ft_big_add(&m->T[u], &m->ca);
		ft_big_div(&m->T[u], K);
		m->tv[u] = 1;
	}
	return &m->T[u];
}

/* Is a voter of group g with points u poor at rho = X / K?  beta*K < X*u */
static int
is_poor(struct mes *m, int g, int64_t u, uint64_t K)
{
	const struct ft_big *b = &m->beta[g];

	if (u <= 16)
		return ft_big_cmp(b, threshold(m, u, K)) < 0;
	return ft_big_cmp_mul(b, K, &m->X, (uint64_t)u) < 0;
}

/*
 * Evaluates project q: 0 if its supporters cannot pay its cost, else 1
 * with rho = m->X / *K (over L).
 */
static int
mes_eval(struct mes *m, int q, uint64_t *K)
{
	struct ft_tally *t = m->t;
	size_t s, a = m->soff[q], b = a + m->slen[q];
	uint64_t k = 0;
	int changed;

	ft_big_mul_to(&m->X, &m->L, (uint64_t)t->p[q].cost);
	for (s = a; s < b;) {
		int g = m->wg[s];

		if (ft_big_is_zero(&m->beta[g])) {
			/* Nothing left: out of this project's list. */
			b--;
			m->wg[s] = m->wg[b];
			m->wpts[s] = m->wpts[b];
			continue;
		}
		m->poor[s] = 0;
		k += (uint64_t)(t->gw[g] * m->wpts[s]);
		s++;
	}
	m->slen[q] = b - a;
	/* Those who cannot pay rho*u pay all they have; rho rises as they
	 * drop out, so repeat until no one else drops.  If everyone drops,
	 * their money together is less than the cost: the project cannot
	 * be paid (if it is enough, someone pays rho and keeps the rest). */
	do {
		changed = 0;
		memset(m->tv, 0, 17);
		for (s = a; s < b && k > 0; s++) {
			int g = m->wg[s];

			if (m->poor[s] || !is_poor(m, g, m->wpts[s], k))
				continue;
			m->poor[s] = 1;
			changed = 1;
			ft_big_mul_to(&m->tmp, &m->beta[g], (uint64_t)t->gw[g]);
			ft_big_sub(&m->X, &m->tmp);
			k -= (uint64_t)(t->gw[g] * m->wpts[s]);
		}
	} while (changed && k > 0);
	*K = k;
	return k > 0;
}

/* Project q is out (selected or unaffordable): its groups lose one. */
static void
mes_drop(struct mes *m, int q)
{
	size_t s;

	m->alive[q] = 0;
	for (s = m->soff[q]; s < m->soff[q] + m->slen[q]; s++)
		m->nalive[m->wg[s]]--;
}

/* Charges the supporters of q at rho = X / K and rescales everyone. */
static void
mes_pay(struct mes *m, int q, uint64_t K)
{
	struct ft_tally *t = m->t;
	size_t s, a = m->soff[q], b = a + m->slen[q];
	uint64_t r = ft_big_mod(&m->X, K), g1 = K, g2 = r, kk;
	int g, i, n;

	while (g2) {
		uint64_t x = g1 % g2;
		g1 = g2;
		g2 = x;
	}
	kk = K / g1;
	/* Who pays all they have is decided at rho itself, before the
	 * fraction is reduced. */
	memset(m->tv, 0, 17);
	for (s = a; s < b; s++) {
		g = m->wg[s];
		m->poor[s] = ft_big_is_zero(&m->beta[g]) ||
			     is_poor(m, g, m->wpts[s], K);
	}
	memset(m->paid, 0, (size_t)t->ng);
	ft_big_div(&m->X, g1);	/* rho = X' / K' */
	for (s = a; s < b; s++) {
		g = m->wg[s];
		m->paid[g] = 1;
		if (m->poor[s]) {
			ft_big_set_u64(&m->beta[g], 0);
			continue;
		}
		ft_big_mul(&m->beta[g], kk);
		ft_big_mul_to(&m->tmp, &m->X, (uint64_t)m->wpts[s]);
		ft_big_sub(&m->beta[g], &m->tmp);
	}
	mes_drop(m, q);
	/* Rescale the groups that may still pay; forget the others. */
	for (i = n = 0; i < m->nlive; i++) {
		g = m->live[i];
		if (ft_big_is_zero(&m->beta[g]) || m->nalive[g] <= 0)
			continue;
		if (kk != 1 && !m->paid[g])
			ft_big_mul(&m->beta[g], kk);
		m->live[n++] = g;
	}
	m->nlive = n;
	if (kk != 1) {
		for (i = 0; i < t->np; i++)
			if (m->alive[i])
				ft_big_mul(&m->px[i], kk);
		ft_big_mul(&m->L, kk);
	}
}

/* Compares rho a = xa/ka with rho b; equal ones by the rank order. */
static int
rho_cmp(struct mes *m, const struct ft_big *xa, uint64_t ka, int a,
	const struct ft_big *xb, uint64_t kb, int b, int *tied)
{
	int c;

	/* By rho per unit of cost: the project whose supporters pay the
	 * least for each unit of it, the most "effective votes" of the
	 * equalshares.net reference (cost / rho). */
	ft_big_mul_to(&m->ca, xa, kb);
	ft_big_mul(&m->ca, (uint64_t)m->t->p[b].cost);
	ft_big_mul_to(&m->cb, xb, ka);
	ft_big_mul(&m->cb, (uint64_t)m->t->p[a].cost);
	c = ft_big_cmp(&m->ca, &m->cb);
	*tied = c == 0;
	if (c)
		return c;
	if (m->t->p[a].score != m->t->p[b].score)
		return m->t->p[a].score > m->t->p[b].score ? -1 : 1;
	return tie_cmp(m->t, a, b);
}

/* Sorts the candidates by their bounds (few: an insertion sort, and no
 * global state, so that two runs may go on two threads). */
static void
sort_bounds(struct mes *m, int *cand, int nc)
{
	int i, j, tie;

	for (i = 1; i < nc; i++) {
		int c = cand[i];

		for (j = i; j > 0 && rho_cmp(m, &m->px[c], m->pk[c], c,
					     &m->px[cand[j - 1]],
					     m->pk[cand[j - 1]], cand[j - 1],
					     &tie) < 0; j--)
			cand[j] = cand[j - 1];
		cand[j] = c;
	}
}

/*
 * One run of MES with every voter's budget b0 / l0 units.  Fills m->win.
 * Returns 0 or FT_DATAERR for a refused tie.
 */
static int
mes_run(struct mes *m, uint64_t b0, uint64_t l0)
{
	struct ft_tally *t = m->t;
	struct ft_big bx = FT_BIG_INIT;
	int g, q, i, nc, best, ntied, *cand = m->cand, *tied = m->tied;
	uint64_t bk = 0, K;

	ft_big_set_u64(&m->L, l0);
	for (g = 0; g < t->ng; g++) {
		ft_big_set_u64(&m->beta[g], b0);
		m->live[g] = g;
		m->nalive[g] = 0;
	}
	m->nlive = t->ng;
	memcpy(m->wg, m->sg, t->ne * sizeof(*m->wg));
	memcpy(m->wpts, m->su, t->ne * sizeof(*m->wpts));
	m->nwin = 0;
	m->spent = 0;
	for (q = 0; q < t->np; q++) {
		size_t e;

		m->slen[q] = m->soff[q + 1] - m->soff[q];
		m->alive[q] = t->p[q].votes > 0 && m->wu[q] > 0;
		if (m->alive[q])
			for (e = m->soff[q]; e < m->soff[q + 1]; e++)
				m->nalive[m->sg[e]]++;
		/* A lower bound of rho: everyone pays an equal share. */
		ft_big_mul_to(&m->px[q], &m->L, (uint64_t)t->p[q].cost);
		m->pk[q] = (uint64_t)m->wu[q];
	}
	for (;;) {
		/* Candidates by their last rho, a lower bound of the present
		 * one (budgets only shrink): once the bound is above the best
		 * found, no later candidate can win. */
		for (nc = 0, q = 0; q < t->np; q++)
			if (m->alive[q])
				cand[nc++] = q;
		sort_bounds(m, cand, nc);
		best = -1;
		ntied = 0;
		for (i = 0; i < nc; i++) {
			int c = cand[i], tie;

			if (best >= 0 && rho_cmp(m, &m->px[c], m->pk[c], c,
						 &bx, bk, best, &tie) > 0 &&
			    !tie)
				break;
			if (!mes_eval(m, c, &K)) {
				mes_drop(m, c);
				continue;
			}
			ft_big_copy(&m->px[c], &m->X);
			m->pk[c] = K;
			if (best < 0) {
				best = c;
				ft_big_copy(&bx, &m->X);
				bk = K;
				tied[0] = c;
				ntied = 1;
			} else if (rho_cmp(m, &m->X, K, c, &bx, bk, best,
					   &tie) < 0) {
				if (!tie)
					ntied = 0;
				best = c;
				ft_big_copy(&bx, &m->X);
				bk = K;
				tied[ntied++] = c;
			} else if (tie) {
				tied[ntied++] = c;
			}
		}
		if (best < 0)
			break;
		if (t->refuse && ntied > 1) {
			ft_big_release(&bx);
			return refuse_tie(t, "an equal-shares", tied, ntied);
		}
		m->alive[best] = 0;
		m->win[m->nwin++] = best;
		m->spent += t->p[best].cost;
		ft_big_copy(&m->X, &bx);
		mes_pay(m, best, bk);
	}
	ft_big_release(&bx);
	return 0;
}

/*
 * What count_mes() hands its second thread.  Threads: the whole struct,
 * and the struct mes it points to (m2), belong to the second thread from
 * pthread_create() to pthread_join(); the counting thread writes them
 * only before the one and reads them only after the other (the join is
 * the synchronisation: no lock).  Both threads read the tally (m->t)
 * meanwhile, and neither writes it: mes_run() writes t only for a refused
 * tie, and there is no second thread under --tiebreak refuse.
 */
struct run_arg {
	struct mes *m;
	uint64_t b0;
	int st;
};

static void *
run_thread(void *arg)
{
	struct run_arg *a = arg;

	a->st = mes_run(a->m, a->b0, 1);
	return NULL;
}

/* An outcome kept: its winners and what they cost. */
struct outcome {
	int *win;
	int nwin;
	int64_t spent;
};

static void
keep(struct outcome *o, const struct mes *m)
{
	memcpy(o->win, m->win, (size_t)m->nwin * sizeof(*o->win));
	o->nwin = m->nwin;
	o->spent = m->spent;
}

/* Would some project left out still fit what the outcome leaves? */
static int
exhaustive(const struct ft_tally *t, const struct outcome *o,
	   unsigned char *in)
{
	int q;

	memset(in, 0, (size_t)t->np);
	for (q = 0; q < o->nwin; q++)
		in[o->win[q]] = 1;
	for (q = 0; q < t->np; q++)
		if (!in[q] && o->spent + t->p[q].cost <= t->budget)
			return 0;
	return 1;
}

static int
count_mes(struct ft_tally *t, int add1, int *order, int *n)
{
	struct mes m, m2;
	struct outcome res;
	unsigned char *in = ft_xmalloc((size_t)t->np + 1);
	int i, st, two = 0;
	int64_t unit = 1;
	uint64_t b;

	for (i = 0; i < t->scale; i++)
		unit *= 10;
	res.win = ft_xmalloc(((size_t)t->np + 1) * sizeof(*res.win));
	mes_init(&m, t);
	/* Each voter gets budget / ballots. */
	st = mes_run(&m, (uint64_t)t->budget, (uint64_t)t->ballots);
	keep(&res, &m);
	t->per_voter = t->ballots ? t->budget / t->ballots : 0;
	/*
	 * add1: raise the budget one whole unit of currency a voter at a
	 * time, from budget / voters rounded down, while the outcome still
	 * fits and leaves a project that would fit.  The runs are
	 * independent: on a second core, the run for the unit after next
	 * goes on meanwhile, and is thrown away if the loop stops before it.
	 * (Not under --tiebreak refuse: a refused tie writes t->err.)
	 * Without ballots there is no voter to raise: mes's outcome stands.
	 * -DFT_ONE_THREAD_TALLY builds it without the second thread, for
	 * bench/run.sh to measure what the thread is worth.
	 */
	if (add1 && st == 0 && t->ballots > 0) {
#ifdef FT_ONE_THREAD_TALLY
		two = 0;
#else
		two = !t->refuse && sysconf(_SC_NPROCESSORS_ONLN) > 1;
#endif
		if (two)
			mes_init(&m2, t);
		b = (uint64_t)(t->budget / unit / t->ballots);
		while (!exhaustive(t, &res, in)) {
			struct run_arg ra = { &m2, (b + 2) * (uint64_t)unit, 0 };
			pthread_t th;
			int started = two && pthread_create(&th, NULL, run_thread,
							    &ra) == 0;

			st = mes_run(&m, (b + 1) * (uint64_t)unit, 1);
			if (started)
				pthread_join(th, NULL);
			if (st || m.spent > t->budget)
				break;
			keep(&res, &m);
			t->per_voter = (int64_t)++b * unit;
			if (!started || exhaustive(t, &res, in))
				continue;
			if ((st = ra.st) || m2.spent > t->budget)
				break;
			keep(&res, &m2);
			t->per_voter = (int64_t)++b * unit;
		}
		if (two)
			mes_release(&m2);
	}
	m.nwin = res.nwin;
	memcpy(m.win, res.win, (size_t)res.nwin * sizeof(*res.win));
	m.spent = res.spent;
	free(res.win);
	if (st == 0) {
		for (i = 0; i < m.nwin; i++) {
			struct ft_tally_project *p = &t->p[m.win[i]];

			p->selected = 1;
			snprintf(p->reason, sizeof(p->reason),
				 "its supporters paid equal shares");
			order[(*n)++] = m.win[i];
		}
		t->spent = m.spent;
		t->nselected = m.nwin;
		for (i = 0; i < t->np; i++)
			if (!t->p[i].selected)
				snprintf(t->p[i].reason, sizeof(t->p[i].reason),
					 "%s", t->p[i].votes ?
					 "its supporters could not pay" :
					 "no supporters");
	}
	mes_release(&m);
	free(in);
	return st;
}

int
ft_tally_count(struct ft_tally *t, enum ft_rule rule, int64_t threshold,
	       int complete, int *order)
{
	int *rank = ft_xmalloc(((size_t)t->np + 1) * sizeof(*rank));
	int i, n = 0, st = 0;
	char *seen;

	t->err[0] = '\0';
	t->spent = 0;
	t->nselected = 0;
	t->per_voter = 0;
	for (i = 0; i < t->np; i++) {
		t->p[i].selected = 0;
		t->p[i].reason[0] = '\0';
		t->p[i].rank = 0;
	}
	rank_order(t, rank);
	switch (rule) {
	case FT_RULE_MES:
	case FT_RULE_MES_ADD1:
		st = count_mes(t, rule == FT_RULE_MES_ADD1, order, &n);
		if (st == 0 && complete) {
			for (i = 0; i < t->np; i++)
				if (!t->p[i].selected)
					t->p[i].reason[0] = '\0';
			for (i = 0; i < t->np; i++)
				if (!t->p[i].votes)
					snprintf(t->p[i].reason,
						 sizeof(t->p[i].reason),
						 "no supporters");
			st = greedy_pass(t, rank, 0,
					 "selected by the greedy completion");
			for (i = 0; i < t->np; i++)
				if (!t->p[i].selected &&
				    strncmp(t->p[i].reason, "did not", 7) == 0)
					snprintf(t->p[i].reason,
						 sizeof(t->p[i].reason),
						 "its supporters could not pay");
			/* Completion picks come after the MES winners. */
			for (i = 0; i < t->np; i++)
				if (t->p[rank[i]].selected &&
				    strcmp(t->p[rank[i]].reason,
					   "selected by the greedy completion")
				    == 0)
					order[n++] = rank[i];
		}
		break;
	case FT_RULE_GREEDY_THRESHOLD:
		for (i = 0; i < t->np; i++)
			if (t->p[i].score < threshold)
				snprintf(t->p[i].reason, sizeof(t->p[i].reason),
					 "under the threshold (score %lld < %lld)",
					 (long long)t->p[i].score,
					 (long long)threshold);
		/* fall through */
	case FT_RULE_GREEDY:
	case FT_RULE_GREEDY_NO_SKIP:
		for (i = 0; i < t->np; i++)
			if (!t->p[i].votes && !t->p[i].reason[0])
				snprintf(t->p[i].reason, sizeof(t->p[i].reason),
					 "no supporters");
		st = greedy_pass(t, rank, rule == FT_RULE_GREEDY_NO_SKIP,
				 "fits the remaining budget");
		break;
	default:
		st = FT_SOFTWARE;
	}
	/* The rest in rank order. */
	seen = ft_xmalloc((size_t)t->np + 1);
	memset(seen, 0, (size_t)t->np + 1);
	for (i = 0; i < n; i++)
		seen[order[i]] = 1;
	for (i = 0; i < t->np; i++)
		if (!seen[rank[i]])
			order[n++] = rank[i];
	for (i = 0; i < t->np; i++)
		t->p[order[i]].rank = i + 1;
	free(seen);
	free(rank);
	return st;
}
