#include "ft_amount.h"

#include <ctype.h>
#include <string.h>

/*
 * A decimal amount: digits, optionally a point and up to
 * FT_AMOUNT_MAX_SCALE digits.  Returns its decimals (trailing zeros not
 * counted), or -1.
 */
int
ft_amount_scale(const char *s)
{
	const char *p = s;
	int d = 0, z = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			d++;
			z = *p == '0' ? z + 1 : 0;
		}
	}
	if (*p)
		return -1;
	d -= z;
	/* Whole units and decimals must fit one 64-bit count of units
	 * at the finest scale, with room for a round's sum. */
	if (d > FT_AMOUNT_MAX_SCALE ||
	    (strchr(s, '.') ? (size_t)(strchr(s, '.') - s) : strlen(s)) >
		    FT_AMOUNT_MAX_WHOLE)
		return -1;
	return d;
}

/* The amount s (ft_amount_scale() >= 0) in units of 10^-scale. */
int64_t
ft_amount_units(const char *s, int scale)
{
	int64_t v = 0;
	int d = -1;

	for (; *s; s++) {
		if (*s == '.') {
			d = 0;
			continue;
		}
		if (d >= 0 && d >= scale)
			continue; /* a trailing zero past the scale */
		v = v * 10 + (*s - '0');
		if (d >= 0)
			d++;
	}
	for (d = d < 0 ? 0 : d; d < scale; d++)
		v *= 10;
	return v;
}

/* The canonical text of an amount: no trailing zeros, no lone point. */
void
ft_amount_canon(const char *s, struct ft_buf *out)
{
	size_t n = strlen(s);

	ft_buf_reset(out);
	if (strchr(s, '.')) {
		while (s[n - 1] == '0')
			n--;
		if (s[n - 1] == '.')
			n--;
	}
	while (n > 1 && s[0] == '0' && s[1] != '.')
		s++, n--;
	ft_buf_add(out, s, n);
}

int
ft_amount_is_zero(const char *s)
{
	return s[strspn(s, "0.")] == '\0';
}
