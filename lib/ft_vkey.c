#include "ft_vkey.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void
hmac(const unsigned char *key, size_t klen, const char *a, const char *b,
     unsigned char out[32])
{
	struct ft_hmac h;

	ft_hmac_init(&h, key, klen);
	ft_hmac_add(&h, a, strlen(a) + 1); /* with its NUL */
	ft_hmac_add(&h, b, strlen(b));
	ft_hmac_done(&h, out);
}

/* A new secret, from the kernel's random source. */
int
ft_vkey_random(unsigned char secret[32])
{
	if (getentropy(secret, 32) != 0) {
		ft_error("cannot get random bytes for a key: %s",
			 strerror(errno));
		return FT_SOFTWARE;
	}
	return FT_OK;
}

/* hex HMAC(round key, what NUL id) */
void
ft_vkey_hash(const unsigned char rkey[32], const char *what, const char *id,
	     char hex[65])
{
	unsigned char h[32];

	hmac(rkey, 32, what, id, h);
	ft_hex(hex, h, 32);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Reads the secret of the key file at path, creating it (mode 0600, 32
 * random bytes as hex) when missing and create is set.
 */
int
ft_vkey_read(const char *path, int create, unsigned char secret[32])
{
	char text[80];
	ssize_t n;
	int fd, i;

	if (!path || !*path) {
		ft_error("a key file is needed: --key KEYFILE "
			 "(or FT_VOTE_KEY)");
		return FT_USAGE;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		int st = ft_vkey_random(secret);

		if (st)
			return st;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			ft_error("%s: cannot create: %s", path,
				 strerror(errno));
			return FT_CANTCREAT;
		}
		ft_hex(text, secret, 32);
		text[64] = '\n';
		if (write(fd, text, 65) != 65 || close(fd) != 0) {
			ft_error("%s: cannot write: %s", path, strerror(errno));
			return FT_IOERR;
		}
		return FT_OK;
	}
	if (fd < 0) {
		ft_error("%s: cannot open: %s", path, strerror(errno));
		return FT_NOINPUT;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 64) {
		ft_error("%s: not a key file: no 64 hex digits", path);
		return FT_CONFIG;
	}
	for (i = 0; i < 32; i++) {
		int h = hexval(text[2 * i]), l = hexval(text[2 * i + 1]);

		if (h < 0 || l < 0) {
			ft_error("%s: not a key file: no 64 hex digits", path);
			return FT_CONFIG;
		}
		secret[i] = (unsigned char)(h << 4 | l);
	}
	return FT_OK;
}

void
ft_vkey_round(const unsigned char secret[32], const char *round,
	      unsigned char rkey[32])
{
	hmac(secret, 32, "ft-vote round", round, rkey);
}
