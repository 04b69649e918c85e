/*
 * ft_ingest.h - loading records into the database: the behaviour of
 * ft-ingest(1), kept out of cmd/ so that other tools and tests can drive it.
 *
 * A record passes through: a reader (ft_input) -> the --map filter (ft_jq),
 * which may turn one source record into none or several -> validation and
 * normalisation for its kind (events, units, facilities, readings) -> a
 * batch that is written in one transaction -> standard output, once
 * committed.
 *
 * Identity: a record's id, else (events only) "h-" and 24 hex digits of the
 * SHA-256 of its normalised content.  A record whose id is stored already is
 * unchanged if its content is the same, replaced with --upsert (the change
 * logged in history), else rejected.  A reading has no id: its key is
 * (sensor, metric, at), and the same rule holds for its value (not logged
 * in history: readings are not).
 */
#ifndef FT_INGEST_H
#define FT_INGEST_H

#include "ft_db.h"
#include "ft_input.h"

#include <stdio.h>

enum ft_kind {
	FT_KIND_EVENTS,
	FT_KIND_UNITS,
	FT_KIND_FACILITIES,
	FT_KIND_READINGS
};

/* "events", "units", "facilities", "readings"; -1 for anything else. */
int ft_kind_parse(const char *name);

struct ft_ingest_opts {
	enum ft_kind kind;
	struct ft_input_opts in;
	const char *map;	/* a jq program, or NULL */
	const char *map_origin;	/* how the user named it, for messages */
	const char *source;	/* the source of events that name none */
	const char *rejects;	/* path of the rejects file, or NULL */
	size_t batch;		/* records a transaction; 0: the default */
	int tz_given;		/* --tz was given: it beats a map's zone */
	int upsert;
	int dry_run;
	int quiet;		/* no summary on stderr */
	int no_output;		/* no records on stdout */
	int progress;		/* a progress line on stderr */
};

struct ft_ingest;

/*
 * Prepares a run: checks the options and compiles the map, before any
 * file is opened, so that a mistake there neither creates nor changes a
 * database.  Returns an exit status.
 */
int ft_ingest_new(struct ft_ingest **ig, const struct ft_ingest_opts *o);

/*
 * Starts the run on db (open, owned by the caller): opens the rejects
 * file and prepares the statements.  Returns an exit status.
 */
int ft_ingest_start(struct ft_ingest *ig, struct ft_db *db);

/* Loads one input ("-" for standard input).  Returns an exit status. */
int ft_ingest_file(struct ft_ingest *ig, const char *path);

/*
 * Checks what only the whole run can tell (units whose parent is not
 * loaded) and flushes the outputs.  Returns an exit status.
 */
int ft_ingest_finish(struct ft_ingest *ig);

void ft_ingest_free(struct ft_ingest *ig);

#endif
