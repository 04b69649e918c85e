#include "ft_sha256.h"

void
ft_sha256_init(struct ft_sha256 *c)
{
	sha256_init(&c->c);
}

void
ft_sha256_add(struct ft_sha256 *c, const void *p, size_t n)
{
	sha256_update(&c->c, n, p);
}

void
ft_sha256_done(struct ft_sha256 *c, unsigned char out[32])
{
	sha256_digest(&c->c, SHA256_DIGEST_SIZE, out);
}

void
ft_hmac_init(struct ft_hmac *h, const void *key, size_t klen)
{
	hmac_sha256_set_key(&h->c, klen, key);
}

void
ft_hmac_add(struct ft_hmac *h, const void *p, size_t n)
{
	hmac_sha256_update(&h->c, n, p);
}

void
ft_hmac_done(struct ft_hmac *h, unsigned char out[32])
{
	hmac_sha256_digest(&h->c, SHA256_DIGEST_SIZE, out);
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
