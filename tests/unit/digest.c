/*
 * digest.c - prints SHA-256 or HMAC-SHA-256 of hex input through lib's
 * ft_sha256, so that tests/crypto.bats can hold the published vectors.
 *
 *   ft-digest sha256 HEX [N]     the digest of HEX's bytes repeated N times
 *   ft-digest hmac KEYHEX HEX    the HMAC of HEX's bytes under KEYHEX's
 */
#include "ft_sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes hex into a new buffer; returns NULL on a bad digit. */
static unsigned char *
unhex(const char *hex, size_t *n)
{
	size_t i, len = strlen(hex);
	unsigned char *p;

	if (len % 2 || !(p = malloc(len / 2 + 1)))
		return NULL;
	for (i = 0; i < len / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(p);
			return NULL;
		}
		p[i] = (unsigned char)v;
	}
	*n = len / 2;
	return p;
}

int
main(int argc, char **argv)
{
	unsigned char md[32], *data, *key = NULL;
	char hex[65];
	size_t n, klen = 0;
	long i, times = 1;

	if (argc >= 3 && !strcmp(argv[1], "sha256") && argc <= 4) {
		struct ft_sha256 c;

		if (argc == 4)
			times = strtol(argv[3], NULL, 10);
		if (!(data = unhex(argv[2], &n)) || times < 1)
			return 64;
		ft_sha256_init(&c);
		for (i = 0; i < times; i++)
			ft_sha256_add(&c, data, n);
		ft_sha256_done(&c, md);
	} else if (argc == 4 && !strcmp(argv[1], "hmac")) {
		struct ft_hmac h;

		if (!(key = unhex(argv[2], &klen)) ||
		    !(data = unhex(argv[3], &n)))
			return 64;
		ft_hmac_init(&h, key, klen);
		ft_hmac_add(&h, data, n);
		ft_hmac_done(&h, md);
	} else {
		fputs("usage: ft-digest sha256 HEX [N] | hmac KEYHEX HEX\n",
		      stderr);
		return 64;
	}
	ft_hex(hex, md, sizeof(md));
	puts(hex);
	free(key);
	free(data);
	return 0;
}
