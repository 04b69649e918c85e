/*
 * ft_exit.h - the exit statuses every ft tool uses (DESIGN.md section 4).
 *
 * They follow sysexits(3) where one fits.  Library code returns these codes;
 * only cmd/ decides how the process ends.  The table is repeated in ft(7)
 * and in every page's EXIT STATUS section; tests/docs.bats checks that.
 */
#ifndef FT_EXIT_H
#define FT_EXIT_H

enum ft_exit {
	FT_OK = 0,		/* all done */
	FT_REJECTED = 1,	/* done, but some records were rejected */
	FT_WARNING_OPEN = 3, /* a warning open (ft-warn --fail-on) */
	FT_USAGE = 64,		/* usage error */
	FT_DATAERR = 65,	/* input unusable as a whole */
	FT_NOINPUT = 66,	/* an input file or the database cannot be opened */
	FT_SOFTWARE = 70,	/* internal error */
	FT_CANTCREAT = 73,	/* an output file cannot be created */
	FT_IOERR = 74,		/* I/O error: full disk, failed write to stdout */
	FT_TEMPFAIL = 75,	/* database busy beyond the timeout */
	FT_CONFIG = 78		/* configuration unusable, or a newer database */
};

/*
 * The worse of two statuses, so that a run over several files ends with the
 * status of its worst failure: any real error outranks "some rejected".
 */
static inline int
ft_exit_worst(int a, int b)
{
	if (a == FT_OK)
		return b;
	if (b == FT_OK)
		return a;
	if (a == FT_REJECTED)
		return b;
	if (b == FT_REJECTED)
		return a;
	return a;
}

#endif
