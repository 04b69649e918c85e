/*
 * ft_input.h - streaming readers of records: CSV and TSV (libcsv), NDJSON,
 * a JSON array or a single JSON value, and GeoJSON (a FeatureCollection or
 * a bare array of Features).
 *
 * Each record comes out as a strictly checked, compact JSON value with its
 * top-level members indexed (ft_json_doc), together with the number of the
 * physical line it starts on and its source text, so that a rejected record
 * can be kept whole.  A CSV row becomes an object keyed by the header, every
 * value a string.
 *
 * Memory stays flat: one record at a time, buffers reused.  The exception is
 * a file whose top level is one JSON object (a GeoJSON FeatureCollection, a
 * wrapped API response): it is read whole, as its members may come in any
 * order.
 *
 * A regular file is read and parsed ahead by a thread, on the second core,
 * into at most 3 chunks of up to 1024 records (a chunk closes once its raw
 * text passes 64 KiB; so at most 3 x (64 KiB + one record) of text, and
 * the parsed records); ft_input_next() hands them out in order, with the same
 * lines, raw texts, reasons, ft_input_replaced() counts and end (a message
 * is printed by the caller's ft_input_next(), where the serial reader
 * would print it).  A pipe or a terminal is read serially, so that its
 * idle callback runs as the input waits.  Built with -DFT_NO_READ_AHEAD,
 * every input is read serially.
 *
 * Sizes are bounded, as a record costs several times its size in memory
 * once parsed and mapped: a record (an NDJSON line, a CSV record, an element
 * of a JSON array or of a FeatureCollection) larger than FT_RECORD_MAX is
 * skipped without being held and handed out with err set (its raw text cut
 * to FT_RECORD_HEAD bytes); a file that is one JSON value larger than
 * FT_DOCUMENT_MAX is unusable as a whole (65), since it can be read only
 * whole.
 *
 * Encodings: a UTF-8 BOM is skipped; a UTF-16 BOM switches to UTF-16; with
 * an encoding named, iconv(3) converts to UTF-8 and bytes that do not
 * convert become U+FFFD (counted, see ft_input_replaced()).
 */
#ifndef FT_INPUT_H
#define FT_INPUT_H

#include "ft_json.h"

#include <stddef.h>

#define FT_RECORD_MAX ((size_t)16 << 20)	/* 16 MiB */
#define FT_RECORD_MAX_TEXT "16 MiB"
#define FT_DOCUMENT_MAX ((size_t)64 << 20)	/* 64 MiB */
#define FT_DOCUMENT_MAX_TEXT "64 MiB"
#define FT_RECORD_HEAD 1024	/* raw text kept of a record over the limit */

enum ft_format {
	FT_FMT_AUTO,
	FT_FMT_CSV,
	FT_FMT_TSV,
	FT_FMT_NDJSON,
	FT_FMT_JSON,
	FT_FMT_GEOJSON
};

/* "csv", "tsv", ... ; FT_FMT_AUTO (-1 return) for an unknown name. */
int ft_format_parse(const char *name);
const char *ft_format_name(enum ft_format f);

struct ft_input_opts {
	enum ft_format format;
	int delimiter;		/* 0: ',' for CSV, tab for TSV */
	const char *columns;	/* comma-separated names: no header row */
	const char *encoding;	/* NULL or "UTF-8": none */
};

struct ft_item {
	long line;		/* the physical line the record starts on */
	const char *raw;	/* its source text; borrowed */
	size_t rawlen;
	/* NULL when err is set, or when only prep is (ft_input_set_prep()) */
	const struct ft_json_doc *doc; /* borrowed */
	const char *err;	/* why the record could not be read */
	/* What the prep callback made of it (ft_input_set_prep()), or NULL */
	const void *prep;
	size_t preplen;
	/*
	 * What it made of the record FT_PREP_AHEAD records on, when that
	 * one is read already (a file read ahead), else NULL: a tool may
	 * fetch what that record will need into the cache meanwhile.
	 */
	const void *ahead;
};
#define FT_PREP_AHEAD 8

struct ft_input;

/*
 * Opens path ("-" is standard input) and decides its format.  Returns an
 * exit status; on failure the message has been printed.
 */
int ft_input_open(struct ft_input **in, const char *path,
		  const struct ft_input_opts *o);

/*
 * Has idle(ctx) called when the input waits (a pipe or a terminal that has
 * had nothing for a tenth of a second), before the read that waits: a
 * tool commits and prints what it holds, so that a pipeline delivers each
 * record as it comes and no tool holds the write lock while it waits.  A
 * status other than FT_OK from idle ends the input: ft_input_next()
 * returns it (idle has said why).
 */
void ft_input_set_idle(struct ft_input *in, int (*idle)(void *ctx),
		       void *ctx);

/*
 * Has prep(ctx, it, out) called on each record read (it->doc set), its
 * work handed out with the record as it->prep[0..preplen): what prep
 * appended to out, from an 8-byte-aligned start.  When the input is read
 * ahead, prep runs in the reader's thread, as the record is read (a
 * record's work is done on the second core): it must print nothing and
 * touch nothing the caller's thread touches while the input is open,
 * ctx included.  Otherwise it runs in ft_input_next().  Set before the
 * first ft_input_next().
 *
 * prep returns whether the caller needs the record itself besides: if it
 * returns 0, a file read ahead may hand the record out with its prep
 * alone (raw and doc NULL, rawlen 0, err NULL), so that many more records
 * fit in the memory the reader ahead may hold.
 */
void ft_input_set_prep(struct ft_input *in,
		       int (*prep)(void *ctx, const struct ft_item *it,
				   struct ft_buf *out),
		       void *ctx);

/*
 * Reads the next record into *it (valid until the next call).  Returns 1,
 * 0 at the end, or an exit status greater than 1 when the rest of the input
 * is unusable (the message has been printed).
 */
int ft_input_next(struct ft_input *in, struct ft_item *it);

enum ft_format ft_input_format(const struct ft_input *in);
/* The name used in messages: the path, or "stdin". */
const char *ft_input_name(const struct ft_input *in);
/* Bytes that could not be converted from the encoding. */
size_t ft_input_replaced(const struct ft_input *in);
void ft_input_close(struct ft_input *in);

/* Returns 0 if iconv(3) converts from encoding to UTF-8, else -1. */
int ft_input_check_encoding(const char *encoding);

#endif
