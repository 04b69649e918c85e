/*
 * ft_amount.h - the exact decimal amounts of a participatory-budgeting
 * round (a budget, a project's cost, a ballot's cost limit), as text.
 *
 * An amount is digits, optionally a point and more digits: no sign, no
 * exponent, no floating point.  It has at most FT_AMOUNT_MAX_WHOLE digits
 * before the point and FT_AMOUNT_MAX_SCALE decimals that count (trailing
 * zeros do not), so that every amount of a round, and their sum, fits one
 * 64-bit count of units of 10^-scale (10^11 * 10^6 * 10^1 < 2^63).  The
 * count (ft_tally) works in those units; ft_tally_amount() prints them.
 */
#ifndef FT_AMOUNT_H
#define FT_AMOUNT_H

#include "ft_buf.h"

#include <stdint.h>

#define FT_AMOUNT_MAX_SCALE 6 /* decimals of an amount */
#define FT_AMOUNT_MAX_WHOLE 11 /* digits before the point */

/* The decimals of amount s (trailing zeros not counted), or -1 when s is
 * not an amount within the bounds above. */
int ft_amount_scale(const char *s);

/* The amount s (ft_amount_scale(s) >= 0) in units of 10^-scale. */
int64_t ft_amount_units(const char *s, int scale);

/* The canonical text of amount s into out: no trailing zeros, no lone
 * point, no leading zeros. */
void ft_amount_canon(const char *s, struct ft_buf *out);

/* Is amount s zero (digits and points, all zeros)? */
int ft_amount_is_zero(const char *s);

#endif
