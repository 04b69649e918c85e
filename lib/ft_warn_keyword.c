/*
 * ft_warn_keyword.c - keyword rules: the weights of the terms found in an
 * event's text (one pass for every rule, in evaluate()), summed into a
 * level.
 */
#include "ft_warn_int.h"

/* How long a keyword rule remembers the items it counted. */
static int64_t
span(const struct ft_warn_rule *r)
{
	return r->quiet > 0 ? r->quiet : 1;
}

/* keyword: the weights of the terms in the text, summed. */
int
warn_on_keyword(struct ft_warn *w, int ri, const struct rec *q)
{
	const struct ft_warn_rule *r = &w->rules.r[ri];
	struct kst *k;
	double score = w->score[ri];
	int level, st;

	if ((level = ft_warn_level_of(r, score)) < 0)
		return FT_OK;
	k = warn_key_get(w, ri);
	/* The items of the quiet period, so that one sent again counts
	 * once (a threshold rule's window does the same). */
	if (k->n && q->t <= k->w[k->n - 1].t - span(r))
		return FT_OK;
	if (!warn_window_add(w, k, q->t, q->id, warn_qid(w, q)))
		return FT_OK;
	warn_window_prune(w, k, span(r));
	warn_touch(w, k);
	if (k->live) {
		if (!(st = warn_update_warning(w, k, level, q->t, q->id))) {
			if (q->t > k->live->cleared)
				k->live->cleared = q->t;
			warn_due_at(w, k, k->live->cleared + r->quiet);
		}
		return st;
	}
	if ((st = warn_raise_warning(w, k, level, q->t, q->t)))
		return st;
	k->live->count = 1;
	k->live->value = score;
	k->live->has_value = 1;
	warn_add_event(k->live, q->id);
	k->live->cleared = q->t;
	warn_due_at(w, k, q->t + r->quiet);
	return warn_announce(w, k, 1);
}
