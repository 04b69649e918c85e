/*
 * ft_json.h - a strict JSON (RFC 8259) parser that compacts and indexes.
 *
 * libjq 1.6 accepts texts that are not JSON (NaN, +1, -01, 2.e3, raw
 * control characters in strings, NUL bytes), so every record is first checked
 * here.  The parser does not build a tree: it copies the value into a
 * compact form (insignificant white space removed, everything else byte for
 * byte, so numbers and escapes stay exactly as written) and, for an object,
 * records where each top-level member's key and value lie in that copy.
 * That is all the tools need to read the canonical fields of a record and to
 * pass the others on untouched.
 *
 * Rejected: invalid UTF-8 (overlong forms, surrogates, code points past
 * U+10FFFF), lone surrogate escapes, control characters in strings, numbers
 * outside the JSON grammar, nesting deeper than FT_JSON_MAX_DEPTH.
 */
#ifndef FT_JSON_H
#define FT_JSON_H

#include "ft_buf.h"

#include <stddef.h>

#define FT_JSON_MAX_DEPTH 256	/* the same limit as libjq's parser */

struct ft_json_member {
	size_t key, keylen;	/* the key's text without its quotes */
	size_t val, vallen;	/* the value's compact text */
	unsigned hash;		/* of the raw key text, to find duplicates */
	unsigned char escaped; /* the key holds a backslash escape */
	/* The value is a string known to hold no backslash escape: its
	 * text less the quotes is its decoded one.  0: it may not be. */
	unsigned char vplain;
};

struct ft_json_doc {
	struct ft_buf text;		/* compact copy of the value */
	struct ft_json_member *m;	/* top-level members, if an object */
	size_t n, cap;
	char type;	/* '{' '[' '"' 'n' 't' 'f' or '0' for a number */
};

void ft_json_doc_init(struct ft_json_doc *d);
void ft_json_doc_release(struct ft_json_doc *d);

/*
 * Parses the JSON text src[0..len) (one value, white space around it
 * allowed) into d, replacing what d held.  Returns 0, or -1 with *err set to
 * a static description and *errpos to the offset in src where it went wrong,
 * and d empty (no members, no text).  An input with no value at all is an
 * error ("no value").
 */
int ft_json_parse(struct ft_json_doc *d, const char *src, size_t len,
		  const char **err, size_t *errpos);

/*
 * Building an object member by member, for a record made from stored
 * columns, with nothing to parse: the same doc ft_json_parse() would make
 * of the text.  ft_json_doc_object() starts d as an empty object;
 * ft_json_doc_key() appends a member's key (plain ASCII, unique, not
 * escaped) and returns d->text, where the caller appends the member's
 * value, valid compact JSON (ft_json_escape_lossy(), ft_json_number()...);
 * ft_json_doc_close() ends the last value and the object.
 */
void ft_json_doc_object(struct ft_json_doc *d);
struct ft_buf *ft_json_doc_key(struct ft_json_doc *d, const char *key);
/*
 * Appends the members of src, an object that ft_json_parse() read, to d
 * (open).  Returns 0, or -1 (d unchanged) when a key of src is one of d's
 * already (ft_json_parse() would refuse the record they make together) or
 * is written with an escape (then make the text and parse it).
 */
int ft_json_doc_merge(struct ft_json_doc *d, const struct ft_json_doc *src);
void ft_json_doc_close(struct ft_json_doc *d);
/* Makes d a copy of src. */
void ft_json_doc_copy(struct ft_json_doc *d, const struct ft_json_doc *src);
/* The hash ft_json_member.hash holds, of a key's raw text. */
unsigned ft_json_key_hash(const char *s, size_t n);

/* The member named key (the last one, if repeated), or NULL. */
const struct ft_json_member *ft_json_get(const struct ft_json_doc *d,
					 const char *key);

/*
 * The member named key of object d as text into b (replaced): a string
 * decoded, a number as written.  Returns 1, 0 when it is absent, null or
 * "", and -1 for an object, an array or a boolean.
 */
int ft_json_member_text(const struct ft_json_doc *d, const char *key,
			struct ft_buf *b);
/* The same of member m of d (NULL: absent). */
int ft_json_value_text(const struct ft_json_doc *d,
		       const struct ft_json_member *m, struct ft_buf *b);
/* The same, appended to b (what b held is kept). */
int ft_json_value_add(const struct ft_json_doc *d,
		      const struct ft_json_member *m, struct ft_buf *b);

/* The decoded key of member m, into out (replaced). */
void ft_json_key(const struct ft_json_doc *d, const struct ft_json_member *m,
		 struct ft_buf *out);

/*
 * Decodes the JSON string literal s[0..n) (with its quotes) into UTF-8,
 * appended to out.  The literal must already have passed ft_json_parse().
 */
void ft_json_unescape(const char *s, size_t n, struct ft_buf *out);

/* Appends s[0..n) to out as a JSON string literal, quotes included. */
void ft_json_escape(struct ft_buf *out, const char *s, size_t n);

/*
 * Like ft_json_escape(), but replaces bytes that are not valid UTF-8 with
 * U+FFFD, for text that may come straight from a damaged input.
 */
void ft_json_escape_lossy(struct ft_buf *out, const char *s, size_t n);

/*
 * Like ft_json_escape(), for untrusted text: returns 0, or -1 at a NUL byte
 * and -2 at invalid UTF-8 (out then holds a partial literal).
 */
int ft_json_escape_checked(struct ft_buf *out, const char *s, size_t n);

/*
 * Appends x as a JSON number: the shortest text that reads back as x
 * (integers and up to six decimals without printf).  NaN is null and the
 * infinities the largest finite numbers, as jq prints them; -0 stays -0.
 */
void ft_json_number(struct ft_buf *out, double x);

/*
 * Writing a record's members, after its first one (each is ,"key":value;
 * keys are plain ASCII names, not escaped).  Every tool's output follows
 * one rule for values that are absent, documented in ft(7): a field of
 * the record that has no value is left out (ft_json_put_str(),
 * ft_json_put_raw()); a field that the tool decides is always printed,
 * null when the decision is none (ft_json_put_decided()).
 */
void ft_json_put_key(struct ft_buf *out, const char *key);

/*
 * Starts a record with its first member's key, {"key": (the value follows,
 * then the other members): for a record whose first member is never absent.
 */
void ft_json_open(struct ft_buf *out, const char *key);

/* ,"key":"v" for v (n bytes); nothing when v is NULL. */
void ft_json_put_str(struct ft_buf *out, const char *key, const char *v,
		     size_t n);

/* ,"key":"v", or ,"key":null when v is NULL: a decision that is none. */
void ft_json_put_decided(struct ft_buf *out, const char *key, const char *v);

/* ,"key":json for a JSON text (n bytes); nothing when n is 0. */
void ft_json_put_raw(struct ft_buf *out, const char *key, const char *json,
		     size_t n);

/* ,"key":x as ft_json_number() writes it. */
void ft_json_put_number(struct ft_buf *out, const char *key, double x);

/* ,"key":v for a whole number (an id, a count), exact at any size. */
void ft_json_put_int(struct ft_buf *out, const char *key, long long v);

/* ,"key":true or ,"key":false, as v is not 0 or is. */
void ft_json_put_bool(struct ft_buf *out, const char *key, int v);

/*
 * Appends the object d without the members named in drop (NULL-ended), open:
 * "{" and the members kept, no closing brace.  Returns how many were kept.
 */
size_t ft_json_object_without(const struct ft_json_doc *d,
			      const char *const *drop, struct ft_buf *out);

/* Returns the length of the valid UTF-8 prefix of s[0..n). */
size_t ft_utf8_valid(const char *s, size_t n);

/*
 * Finds where a JSON value that starts at p[0] ends, for reading arrays
 * element by element.  State is kept in *sc so that it can resume when more
 * data arrives.  Returns 1 and sets *end to the offset just past the value,
 * 0 when the value continues past p[n-1] (at_eof: it never ends), or -1
 * when the structure is broken (a closing bracket that does not match).
 */
struct ft_json_scan {
	size_t pos;
	int depth;
	int instr, esc;
	char stack[FT_JSON_MAX_DEPTH + 1];
};
void ft_json_scan_init(struct ft_json_scan *sc);
int ft_json_scan(struct ft_json_scan *sc, const char *p, size_t n, int at_eof,
		 size_t *end);

/*
 * Where the value at path is in the JSON text t[0..n), which has passed
 * ft_json_parse(): path is the JSON text of an array of steps, member names
 * (strings, matched by their decoded text) and array indices (integers from
 * 0), as jq's path() writes it.  The cursor makes a walk over the elements
 * of one array (or the members of one object) in order cost one step each:
 * it remembers the container of the last value found and where that value
 * ended.  Returns 0 with the value at t[*off..*off + *len), or -1 when there
 * is none or a step is of another kind.
 */
struct ft_json_cursor {
	int valid;		/* parent..next say something of this text */
	struct ft_buf parent;	/* the path of the container, its last step cut */
	size_t poff;		/* the container's offset in t */
	long idx;		/* the index of the last value found in it */
	size_t next;		/* where that value ends */
	struct ft_buf key;	/* scratch */
};
void ft_json_cursor_init(struct ft_json_cursor *c);
void ft_json_cursor_release(struct ft_json_cursor *c);
/* Forgets the text: call it before using the cursor on another one. */
void ft_json_cursor_reset(struct ft_json_cursor *c);
int ft_json_at(struct ft_json_cursor *c, const char *t, size_t n,
	       const char *path, size_t pathlen, size_t *off, size_t *len);

#endif
