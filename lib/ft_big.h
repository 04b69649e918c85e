/*
 * ft_big.h - unsigned big integers, for the exact arithmetic of a count.
 *
 * The Method of Equal Shares divides budgets among supporters again and
 * again; kept as fractions over one common denominator, the numbers
 * outgrow 64 and 128 bits after a few steps.  These are just big enough
 * for that: non-negative integers of 64-bit limbs, least significant
 * first, with the operations a count needs (adding, subtracting a smaller
 * number, multiplying and dividing by a 64-bit number, comparing).
 *
 * A number owns its limbs; ft_big_release() frees them.  Results may alias
 * an operand.  Allocation failure exits through ft_die_nomem().
 */
#ifndef FT_BIG_H
#define FT_BIG_H

#include <stddef.h>
#include <stdint.h>

struct ft_big {
	uint64_t *d;
	int n;			/* limbs in use; 0 is the number zero */
	int cap;
};

#define FT_BIG_INIT { NULL, 0, 0 }

void ft_big_release(struct ft_big *a);
void ft_big_set_u64(struct ft_big *a, uint64_t v);
void ft_big_copy(struct ft_big *dst, const struct ft_big *src);
static inline int
ft_big_is_zero(const struct ft_big *a)
{
	return a->n == 0;
}
/* Makes room for n limbs (the hot paths below grow through this). */
void ft_big_reserve(struct ft_big *a, int n);

/* -1, 0 or 1 as a is less than, equal to or greater than b. */
static inline int
ft_big_cmp(const struct ft_big *a, const struct ft_big *b)
{
	int i;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (i = a->n - 1; i >= 0; i--)
		if (a->d[i] != b->d[i])
			return a->d[i] < b->d[i] ? -1 : 1;
	return 0;
}
/* a += b */
void ft_big_add(struct ft_big *a, const struct ft_big *b);
/* a += b * m */
void ft_big_addmul(struct ft_big *a, const struct ft_big *b, uint64_t m);
/* a -= b; b must not be greater than a. */
void ft_big_sub(struct ft_big *a, const struct ft_big *b);
/* a *= m (m > 0) */
static inline void
ft_big_mul(struct ft_big *a, uint64_t m)
{
	__extension__ typedef unsigned __int128 ft_u128;
	uint64_t carry = 0;
	int i;

	for (i = 0; i < a->n; i++) {
		ft_u128 p = (ft_u128)a->d[i] * m + carry;

		a->d[i] = (uint64_t)p;
		carry = (uint64_t)(p >> 64);
	}
	if (carry) {
		if (a->n == a->cap)
			ft_big_reserve(a, a->n + 1);
		a->d[a->n++] = carry;
	}
}
/* dst = a * m */
void ft_big_mul_to(struct ft_big *dst, const struct ft_big *a, uint64_t m);
/* dst = a * b; dst must be neither operand. */
void ft_big_mul_big(struct ft_big *dst, const struct ft_big *a,
		    const struct ft_big *b);
/* a /= m (m > 0); returns the remainder. */
uint64_t ft_big_div(struct ft_big *a, uint64_t m);
/* The remainder of a / m, a unchanged. */
uint64_t ft_big_mod(const struct ft_big *a, uint64_t m);
/* -1, 0, 1 comparing a * ma with b * mb. */
int ft_big_cmp_mul(const struct ft_big *a, uint64_t ma, const struct ft_big *b,
		   uint64_t mb);
#endif
