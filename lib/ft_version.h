/* ft_version.h - the toolkit's version, printed by --version. */
#ifndef FT_VERSION_H
#define FT_VERSION_H
#define FT_VERSION "0.1.0"
#endif
