#include "ft_big.h"
#include "ft_buf.h"

#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

void
ft_big_reserve(struct ft_big *a, int n)
{
	if (n <= a->cap)
		return;
	n = n < 4 ? 4 : n + n / 2;
	a->d = ft_xrealloc(a->d, (size_t)n * sizeof(*a->d));
	a->cap = n;
}

static void
trim(struct ft_big *a)
{
	while (a->n > 0 && a->d[a->n - 1] == 0)
		a->n--;
}

void
ft_big_release(struct ft_big *a)
{
	free(a->d);
	a->d = NULL;
	a->n = a->cap = 0;
}

void
ft_big_set_u64(struct ft_big *a, uint64_t v)
{
	ft_big_reserve(a, 1);
	a->d[0] = v;
	a->n = v != 0;
}

void
ft_big_copy(struct ft_big *dst, const struct ft_big *src)
{
	if (dst == src)
		return;
	ft_big_reserve(dst, src->n);
	if (src->n)
		memcpy(dst->d, src->d, (size_t)src->n * sizeof(*src->d));
	dst->n = src->n;
}

void
ft_big_add(struct ft_big *a, const struct ft_big *b)
{
	int i, n = a->n > b->n ? a->n : b->n;
	uint64_t carry = 0;

	ft_big_reserve(a, n + 1);
	for (i = a->n; i < n; i++)
		a->d[i] = 0;
	for (i = 0; i < n; i++) {
		u128 s = (u128)a->d[i] + (i < b->n ? b->d[i] : 0) + carry;

		a->d[i] = (uint64_t)s;
		carry = (uint64_t)(s >> 64);
	}
	a->d[n] = carry;
	a->n = n + 1;
	trim(a);
}

void
ft_big_addmul(struct ft_big *a, const struct ft_big *b, uint64_t m)
{
	int i, n = (a->n > b->n ? a->n : b->n) + 1;
	uint64_t carry = 0;

	if (m == 0 || b->n == 0)
		return;
	ft_big_reserve(a, n + 1);
	for (i = a->n; i <= n; i++)
		a->d[i] = 0;
	for (i = 0; i < b->n; i++) {
		u128 s = (u128)b->d[i] * m + a->d[i] + carry;

		a->d[i] = (uint64_t)s;
		carry = (uint64_t)(s >> 64);
	}
	for (; carry && i <= n; i++) {
		u128 s = (u128)a->d[i] + carry;

		a->d[i] = (uint64_t)s;
		carry = (uint64_t)(s >> 64);
	}
	a->n = n + 1;
	trim(a);
}

void
ft_big_sub(struct ft_big *a, const struct ft_big *b)
{
	int i;
	uint64_t borrow = 0;

	for (i = 0; i < a->n; i++) {
		uint64_t bi = i < b->n ? b->d[i] : 0;
		uint64_t x = a->d[i];
		uint64_t r = x - bi - borrow;

		borrow = (x < bi) || (x - bi < borrow);
		a->d[i] = r;
		if (i >= b->n && !borrow)
			break;
	}
	trim(a);
}

void
ft_big_mul_to(struct ft_big *dst, const struct ft_big *a, uint64_t m)
{
	int i, n = a->n;
	uint64_t carry = 0;

	if (m == 0 || n == 0) {
		dst->n = 0;
		return;
	}
	ft_big_reserve(dst, n + 1);
	for (i = 0; i < n; i++) {
		u128 s = (u128)a->d[i] * m + carry;

		dst->d[i] = (uint64_t)s;
		carry = (uint64_t)(s >> 64);
	}
	dst->d[n] = carry;
	dst->n = n + 1;
	trim(dst);
}

void
ft_big_mul_big(struct ft_big *dst, const struct ft_big *a,
	       const struct ft_big *b)
{
	int i, j, n = a->n + b->n;

	if (a->n == 0 || b->n == 0) {
		dst->n = 0;
		return;
	}
	ft_big_reserve(dst, n);
	memset(dst->d, 0, (size_t)n * sizeof(*dst->d));
	for (i = 0; i < a->n; i++) {
		uint64_t carry = 0;

		for (j = 0; j < b->n; j++) {
			u128 s = (u128)a->d[i] * b->d[j] + dst->d[i + j] + carry;

			dst->d[i + j] = (uint64_t)s;
			carry = (uint64_t)(s >> 64);
		}
		dst->d[i + b->n] = carry;
	}
	dst->n = n;
	trim(dst);
}

uint64_t
ft_big_div(struct ft_big *a, uint64_t m)
{
	u128 r = 0;
	int i;

	for (i = a->n - 1; i >= 0; i--) {
		r = (r << 64) | a->d[i];
		a->d[i] = (uint64_t)(r / m);
		r %= m;
	}
	trim(a);
	return (uint64_t)r;
}

uint64_t
ft_big_mod(const struct ft_big *a, uint64_t m)
{
	u128 r = 0;
	int i;

	for (i = a->n - 1; i >= 0; i--)
		r = ((r << 64) | a->d[i]) % m;
	return (uint64_t)r;
}

int
ft_big_cmp_mul(const struct ft_big *a, uint64_t ma, const struct ft_big *b,
	       uint64_t mb)
{
	/* Limb by limb from the top would need the products' carries; two
	 * products in scratch space are simple and cheap at these sizes. */
	static _Thread_local struct ft_big x, y;

	ft_big_mul_to(&x, a, ma);
	ft_big_mul_to(&y, b, mb);
	return ft_big_cmp(&x, &y);
}
