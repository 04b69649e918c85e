/*
 * ft_kw.h - many keywords found in a text in one pass (Aho-Corasick).
 *
 * For ft-warn's keyword rules: a rule's terms are added once, with the
 * caller's id for each (its index in the rule, say), the automaton is
 * built, and then each text is scanned once for all of them together,
 * whatever their number: the work is one step a byte of text, plus one a
 * term found, not one search a term.
 *
 * Matching is on bytes.  A term and a text are UTF-8 as they come: Chinese
 * is matched as text, with no word splitting, and "火" is found inside
 * "火灾" as in "着火了".  ASCII letters are matched without regard to case
 * ("Fire" finds "FIRE"); no other byte is folded.  Terms that overlap or
 * contain one another are each found ("火" and "火灾" in "火灾").  A text
 * need not be valid UTF-8: its bytes are read, never decoded, and no byte
 * past len is read (a NUL is an ordinary byte).
 *
 * Ids: a term found once or many times in a text gives its id once, and
 * the ids of a scan come out distinct and in ascending order, so that a
 * rule's weights summed over them do not depend on how often or where a
 * term occurs.  Several terms may share one id (synonyms: the id is given
 * once if any of them occurs).  The same term added twice (the same bytes
 * once ASCII case is folded) under two ids gives both ids; under one id,
 * that id once.
 *
 * Memory: the trie's states are kept in arrays in breadth-first order, a
 * state's children side by side, so that a state costs 25 bytes and an
 * edge nothing more, plus at most 4 bytes a child for a state with many
 * (ft_kw.c says why); the terms themselves are kept beside it for a
 * rebuild.  10,000 terms of four random CJK ideographs (the least prefix
 * sharing): 97,744 states, 3.0 MB in all.  A small automaton (a table of
 * states by distinct bytes of at most 2^18 entries: a rules file's tens of
 * terms) also keeps each state's next state on each byte, 4 bytes an
 * entry, which makes a scan about three times faster.  Allocation failure
 * exits through ft_die_nomem().
 *
 * Threads: a built struct ft_kw is only read by ft_kw_scan(), so several
 * threads may scan with one, each with its own struct ft_kw_hits.
 */
#ifndef FT_KW_H
#define FT_KW_H

#include <stddef.h>
#include <stdint.h>

struct ft_kw;

/* An empty set of terms; the caller frees it with ft_kw_free(). */
struct ft_kw *ft_kw_new(void);
void ft_kw_free(struct ft_kw *k);

/*
 * Adds term[0..len) under id (any int).  The bytes are copied.  An empty
 * term would be found in every text: refused with a message, FT_CONFIG
 * (a rules file's checker should name the rule first).  Returns FT_OK.
 * A term added after ft_kw_build() counts from the next ft_kw_build().
 */
int ft_kw_add(struct ft_kw *k, const char *term, size_t len, int id);

/*
 * Builds the automaton from every term added so far (none: a text then
 * holds none of them).  May be called again after more terms are added.
 */
void ft_kw_build(struct ft_kw *k);

/* The number of terms added. */
size_t ft_kw_count(const struct ft_kw *k);

/*
 * The bytes k holds (the terms and the automaton), and through states the
 * number of states of the last build: for a memory budget.
 */
size_t ft_kw_size(const struct ft_kw *k, size_t *states);

/*
 * What a scan found, reused from one scan to the next: ids[0..n) are the
 * distinct ids of the terms the last text holds, in ascending order.
 * ft_kw_hits_init() allocates nothing; ft_kw_hits_release() frees what
 * the scans allocated and leaves h ready for reuse.  One struct may serve
 * several automata, one scan at a time.
 */
struct ft_kw_hits {
	const int *ids; /* borrowed from h: valid until the next scan */
	size_t n;
	/* private: the ids' ranks found, and a bit a rank (all 0 between
	 * scans), for cap ranks */
	int *idbuf;
	uint32_t *ranks;
	uint64_t *bits;
	size_t cap;
};

void ft_kw_hits_init(struct ft_kw_hits *h);
void ft_kw_hits_release(struct ft_kw_hits *h);

/*
 * Scans text[0..len) for every term of k (as of the last ft_kw_build())
 * and fills h with the ids found.  Returns h->n.
 */
size_t ft_kw_scan(const struct ft_kw *k, struct ft_kw_hits *h, const char *text,
		  size_t len);

#endif
