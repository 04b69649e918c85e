#include "ft_sha256.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_SHA_NI 1
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
block_c(struct ft_sha256 *c, const unsigned char *p)
{
	uint32_t w[64], a, b, cc, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
			      (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
			      (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
	e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		     ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		     ((a & b) ^ (a & cc) ^ (b & cc));
		h = g; g = f; f = e; e = d + t1;
		d = cc; cc = b; b = a; a = t1 + t2;
	}
	c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
	c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

#ifdef HAVE_SHA_NI
/*
 * One block with the x86 SHA extensions: a tenth of the instructions of
 * block_c(), which matters since every history entry is hashed.  The state
 * is kept as the instructions want it (ABEF, CDGH) only inside the call.
 */
__attribute__((target("sha,sse4.1")))
static void
block_ni(struct ft_sha256 *c, const unsigned char *p)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
					    0x0405060700010203ULL);
	__m128i s0, s1, t, msg, w[4], save0, save1;
	int g;

	t = _mm_loadu_si128((const __m128i *)&c->h[0]);
	s1 = _mm_loadu_si128((const __m128i *)&c->h[4]);
	t = _mm_shuffle_epi32(t, 0xB1);			/* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);		/* EFGH */
	s0 = _mm_alignr_epi8(t, s1, 8);			/* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xF0);		/* CDGH */
	save0 = s0;
	save1 = s1;
	for (g = 0; g < 16; g++) {
		if (g < 4) {
			w[g] = _mm_shuffle_epi8(_mm_loadu_si128(
				(const __m128i *)(p + 16 * g)), mask);
		} else {
			/* W[t-16] + s0(W[t-15]), + W[t-7], + s1(W[t-2]). */
			t = _mm_sha256msg1_epu32(w[g & 3], w[(g - 3) & 3]);
			t = _mm_add_epi32(t, _mm_alignr_epi8(w[(g - 1) & 3],
							     w[(g - 2) & 3], 4));
			w[g & 3] = _mm_sha256msg2_epu32(t, w[(g - 1) & 3]);
		}
		msg = _mm_add_epi32(w[g & 3],
				    _mm_loadu_si128((const __m128i *)&K[4 * g]));
		s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
		msg = _mm_shuffle_epi32(msg, 0x0E);
		s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
	}
	s0 = _mm_add_epi32(s0, save0);
	s1 = _mm_add_epi32(s1, save1);
	t = _mm_shuffle_epi32(s0, 0x1B);		/* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);		/* DCHG */
	s0 = _mm_blend_epi16(t, s1, 0xF0);		/* DCBA */
	s1 = _mm_alignr_epi8(s1, t, 8);			/* HGFE */
	_mm_storeu_si128((__m128i *)&c->h[0], s0);
	_mm_storeu_si128((__m128i *)&c->h[4], s1);
}
#endif

/* The block function for this CPU, chosen once. */
static void
block(struct ft_sha256 *c, const unsigned char *p)
{
#ifdef HAVE_SHA_NI
	static int ni = -1;

	if (ni < 0) {
		const char *off = getenv("FT_SHA_PORTABLE");

		__builtin_cpu_init();
		ni = __builtin_cpu_supports("sha") &&
		     __builtin_cpu_supports("sse4.1") && !(off && *off);
	}
	if (ni) {
		block_ni(c, p);
		return;
	}
#endif
	block_c(c, p);
}

void
ft_sha256_init(struct ft_sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->n = 0;
}

void
ft_sha256_add(struct ft_sha256 *c, const void *vp, size_t n)
{
	const unsigned char *p = vp;

	c->len += n;
	if (c->n) {
		size_t k = 64 - c->n < n ? 64 - c->n : n;

		memcpy(c->blk + c->n, p, k);
		c->n += k;
		p += k;
		n -= k;
		if (c->n < 64)
			return;
		block(c, c->blk);
		c->n = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		block(c, p);
	memcpy(c->blk, p, n);
	c->n = n;
}

void
ft_sha256_done(struct ft_sha256 *c, unsigned char out[32])
{
	uint64_t bits = c->len * 8;
	int i;

	c->blk[c->n++] = 0x80;
	if (c->n > 56) {
		memset(c->blk + c->n, 0, 64 - c->n);
		block(c, c->blk);
		c->n = 0;
	}
	memset(c->blk + c->n, 0, 56 - c->n);
	for (i = 0; i < 8; i++)
		c->blk[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	block(c, c->blk);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}

void
ft_hex(char *hex, const unsigned char *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = d[p[i] >> 4];
		hex[2 * i + 1] = d[p[i] & 15];
	}
	hex[2 * n] = '\0';
}
