/*
 * report/report_read.h — read a saved tcplens report back, piece by piece.
 *
 * The reverse of report_json.c, for regression replay (baseline.c): a JSON
 * document (schema 1) or a JSONL stream is walked at its top level by a small
 * structural scanner, and each piece the caller wants (an event, a flow, the
 * capture totals, the summary) is handed over as one jansson value, then
 * freed. The events array, which grows with the capture, is never held: it is
 * streamed one event at a time, or skipped unparsed when the caller does not
 * ask for events. Memory is bounded by the largest single piece.
 *
 * Errors (unreadable file, invalid JSON, not a tcplens report, another
 * schema) come back as -1 with a one-line message naming the file.
 */
#ifndef TCPLENS_REPORT_READ_H
#define TCPLENS_REPORT_READ_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* The report schema this tcplens writes and reads. */
#define REPORT_SCHEMA 1

/* Callbacks: each gets a borrowed value (freed after the call) and returns 0,
 * or -1 to stop the reading (then report_read returns -1 with the message
 * the callback left in err, or "out of memory"). A NULL callback skips that
 * piece; a NULL event callback skips the events unparsed. */
struct report_read_cb {
	void *user;
	int (*header)(void *user, const char *version, json_t *source);
	int (*event)(void *user, json_t *ev);
	int (*flow)(void *user, json_t *flow);
	int (*capture)(void *user, json_t *capture);
	int (*summary)(void *user, json_t *summary);
	char *err;       /* where callbacks may write a message */
	size_t errlen;
};

/* Read the report at path (a JSON document or JSONL, told apart by the first
 * object), calling cb for each piece in file order. Returns 0, or -1 with
 * cb->err set: the file cannot be read, is not JSON, is not a tcplens report,
 * or has a schema other than REPORT_SCHEMA. */
int report_read(const char *path, const struct report_read_cb *cb);

/* The same on an open, seekable stream (read from its current position to
 * the end); name is used in messages. The stream is not closed. */
int report_read_stream(FILE *f, const char *name, const struct report_read_cb *cb);

#endif
