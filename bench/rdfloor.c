/*
 * rdfloor - what reading the stored readings back costs in plain SQL: the
 * floor that ft-warn's back-test over readings is measured against
 * (issue 13: "plain SQL for the back-test").
 *
 * Usage: rdfloor key|time DB SINCE UNTIL
 *
 * Steps through "SELECT sensor, metric, at, value FROM readings WHERE at
 * >= SINCE AND at < UNTIL" (epoch seconds) with sqlite3's C API, reading
 * every column of every row, and nothing else.  "key" orders by the
 * table's key (sensor, metric, at): one pass over the table, no sort, the
 * cheapest read of the rows there is (the floor).  "time" orders by at,
 * sensor, metric: the order the back-test needs, which SQLite sorts
 * (there is no index on at), for information.  The count of rows goes to
 * standard error at the end ("rdfloor: N rows").
 *
 * Exit status: 0 done, 64 usage, 66 the database cannot be opened, 70 an
 * SQLite error.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	static const char *const sql[2] = {
		"SELECT sensor, metric, at, value FROM readings WHERE at >= ?1 "
		"AND at < ?2 ORDER BY sensor, metric, at",
		"SELECT sensor, metric, at, value FROM readings WHERE at >= ?1 "
		"AND at < ?2 ORDER BY at, sensor, metric",
	};
	sqlite3 *db;
	sqlite3_stmt *st;
	unsigned long rows = 0, bytes = 0;
	long long at = 0;
	double sum = 0;
	int mode, rc;

	if (argc != 5 || (strcmp(argv[1], "key") && strcmp(argv[1], "time"))) {
		fprintf(stderr, "usage: rdfloor key|time DB SINCE UNTIL\n");
		return 64;
	}
	mode = !strcmp(argv[1], "time");
	if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "rdfloor: %s: %s\n", argv[2],
			sqlite3_errmsg(db));
		return 66;
	}
	if (sqlite3_prepare_v2(db, sql[mode], -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "rdfloor: %s\n", sqlite3_errmsg(db));
		return 70;
	}
	sqlite3_bind_int64(st, 1, strtoll(argv[3], NULL, 10));
	sqlite3_bind_int64(st, 2, strtoll(argv[4], NULL, 10));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bytes += (unsigned long)sqlite3_column_bytes(st, 0);
		bytes += (unsigned long)sqlite3_column_bytes(st, 1);
		(void)sqlite3_column_text(st, 0);
		(void)sqlite3_column_text(st, 1);
		at += sqlite3_column_int64(st, 2);
		sum += sqlite3_column_double(st, 3);
		rows++;
	}
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "rdfloor: %s\n", sqlite3_errmsg(db));
		return 70;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	fprintf(stderr, "rdfloor: %lu rows (%lu bytes of names, sum %.2f, %lld)\n",
		rows, bytes, sum, at);
	return 0;
}
