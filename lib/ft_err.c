#include "ft_err.h"
#include "ft_exit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *ft_progname = "ft";

static void
vmsg(const char *fmt, va_list ap)
{
	char line[4096];
	int n;

	/* One write, so that lines from tools sharing a terminal do not mix. */
	n = snprintf(line, sizeof(line), "%s: ", ft_progname);
	if (n < 0)
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

int
ft_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return -1;
}

void
ft_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
ft_die_nomem(void)
{
	static const char msg[] = ": out of memory\n";

	(void)!write(2, ft_progname, __builtin_strlen(ft_progname));
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(FT_SOFTWARE);
}
