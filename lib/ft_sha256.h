/*
 * ft_sha256.h - SHA-256 (FIPS 180-4), for content identities and digests.
 *
 * Small and dependency-free on purpose: the toolkit needs a stable hash that
 * is the same on every machine, not a crypto library.
 */
#ifndef FT_SHA256_H
#define FT_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct ft_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char blk[64];
	size_t n;
};

void ft_sha256_init(struct ft_sha256 *c);
void ft_sha256_add(struct ft_sha256 *c, const void *p, size_t n);
void ft_sha256_done(struct ft_sha256 *c, unsigned char out[32]);
/* Writes 2*n lowercase hex digits and a NUL to hex (size 2*n+1). */
void ft_hex(char *hex, const unsigned char *p, size_t n);

#endif
