/*
 * ft_conf.h - reading a JSON configuration file (the rules of ft-dispatch
 * and ft-warn): the file read whole and checked as every JSON input is,
 * and the fields read with messages that name the file, the rule and the
 * field ("warn.json: rule 3 ("surge"): field "window": not ...").  Every
 * reader returns an exit status: FT_OK, or FT_CONFIG after its message.
 */
#ifndef FT_CONF_H
#define FT_CONF_H

#include <jv.h>
#include <stddef.h>

/* Where a field is: the file, the rule (1-based; 0: the top level). */
struct ft_conf {
	const char *path;
	int rule;
	const char *name; /* the rule's name, or NULL */
};

/* Strings, a field's value or values. */
struct ft_strs {
	char **s;
	size_t n;
};

/*
 * The message for field of c: "PATH: rule N (NAME): field "F": ...".
 * Returns FT_CONFIG.
 */
int ft_conf_bad(const struct ft_conf *c, const char *field, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

/*
 * Reads the file at path as one JSON value into *top.  Returns FT_NOINPUT
 * when it cannot be read, FT_CONFIG when it is not JSON or holds a key
 * twice (jq would keep the last one silently), after a message.
 */
int ft_conf_load(const char *path, const char *what, jv *top);

/*
 * Checks that obj has only the keys in allowed (NULL-terminated); names
 * the first other, as where + key ("when.colour").
 */
int ft_conf_only_keys(const struct ft_conf *c, jv obj,
		      const char *const *allowed, const char *where);

/* v, borrowed: a string or a non-empty array of them, into s (lowered). */
int ft_conf_strs(const struct ft_conf *c, jv v, const char *field,
		 struct ft_strs *s, int lower);
void ft_strs_free(struct ft_strs *s);
/* Whether v is one of s. */
int ft_strs_has(const struct ft_strs *s, const char *v);

/* A whole number of minutes from min to 5256000 (ten years). */
int ft_conf_minutes(const struct ft_conf *c, jv v, const char *field, int min,
		    int *out);
/* "HH:MM-HH:MM" into minutes of the day. */
int ft_conf_hours(const struct ft_conf *c, jv v, const char *field, int *from,
		  int *to);
/* Days of the week ("mon", "tue"...) into a mask, bit 0 Sunday. */
int ft_conf_days(const struct ft_conf *c, jv v, const char *field, int *mask);

#endif
