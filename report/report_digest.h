/*
 * report/report_digest.h — what regression replay compares, boiled down from
 * a saved report (read by report_read.c): capture-wide counts of findings by
 * kind and cause, stalled time by cause, retransmissions, capture loss, and
 * one small record per flow (its endpoints, order, retransmissions, stalls by
 * cause, initial windows, cc guess, capture loss).
 *
 * Events are streamed, counted and dropped; flows are kept as compact records
 * up to DIGEST_MAX_FLOWS (beyond that only the capture-wide numbers are
 * compared, and the digest says so). Capture-wide numbers stay exact.
 */
#ifndef TCPLENS_REPORT_DIGEST_H
#define TCPLENS_REPORT_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/findings.h"
#include "analyze/flow.h"

#define DIGEST_MAX_FLOWS 200000
#define DIGEST_EP_LEN 56          /* "[v6 address]:port" */
#define DIGEST_WORD_LEN 16        /* an enumerated word: cubic, cwnd... */

struct digest_iw {
	bool present;
	uint32_t segments, bytes;
	char limit[DIGEST_WORD_LEN];
};

struct digest_flow {
	uint32_t id;
	bool udp;
	char client[DIGEST_EP_LEN], server[DIGEST_EP_LEN];
	char client_addr[DIGEST_EP_LEN];   /* client without its port */
	double first_ts;                   /* order of appearance */
	uint32_t retransmissions;
	uint32_t stall_count;
	double stall_ms[STALL_CAUSES];     /* indexed as stall_causes[] */
	struct digest_iw iw[2];            /* c2s, s2c */
	char cc[DIGEST_WORD_LEN];
	uint64_t capture_lost_bytes;
	uint32_t events;
	int match;                         /* index of its partner, -1 = none */
	int nth;                           /* its rank among flows to its server */
};

struct report_digest {
	char name[256];                    /* the file it came from */
	char version[32];
	char source[256];                  /* source.name */
	bool has_summary, has_capture;
	uint64_t packets, flows_total;
	uint64_t events_not_written;
	uint64_t kind_count[FIND_COUNT];            /* summary.events */
	uint64_t kind_cause[FIND_COUNT][CAUSE_COUNT]; /* counted from the events */
	uint64_t unknown_kinds;                     /* kinds this build does not know */
	double stall_ms[STALL_CAUSES];
	uint64_t stall_n[STALL_CAUSES];
	uint64_t retransmissions;
	uint64_t capture_lost_bytes;
	struct digest_flow *flows;
	size_t nflows, cap;
	uint64_t flows_not_kept;           /* over DIGEST_MAX_FLOWS */
};

/* Read the report at path into d (zeroed first). 0, or -1 with err set (the
 * file cannot be read, is not a schema-1 tcplens report, out of memory). */
int report_digest_load(struct report_digest *d, const char *path, char *err, size_t errlen);
/* The same from an open stream (a report just written to a temporary file):
 * read from its start; name is used in messages. */
int report_digest_load_stream(struct report_digest *d, FILE *f, const char *name, char *err,
			      size_t errlen);
void report_digest_free(struct report_digest *d);

/* Index of a cause word among the stall causes, or -1. */
int digest_stall_cause(const char *word);

#endif
