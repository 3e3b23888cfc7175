/*
 * fuzz/fuzz_pipeline_run.h — the pipeline (pipeline/pipeline.h: the
 * binary's analyzer and report writer, bound the same way) for the fuzz
 * harnesses, with small caps, so a flood of flows or events reaches the
 * eviction and truncation paths; text, JSON or JSONL.
 *
 * JSON and JSONL reports are written to memory and read back by the report
 * reader (report_digest_load_stream): whatever the writer writes must be a
 * report the reader accepts. A violation aborts (a finding for libFuzzer).
 */
#ifndef TCPLENS_FUZZ_PIPELINE_RUN_H
#define TCPLENS_FUZZ_PIPELINE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "capture/capture.h"
#include "pipeline/pipeline.h"
#include "report/report.h"

/* Small caps: a few hundred frames can overflow them. */
#define FUZZ_MAX_FLOWS 32
#define FUZZ_MAX_EVENTS_PER_FLOW 16

struct fuzz_run {
	struct pipeline *pl;
	FILE *out;
	char *buf;        /* open_memstream's buffer (JSON, JSONL) */
	size_t len;
	enum report_format fmt;
};

/* Start a run: fmt 0..2 (enum report_format), link type and precision as
 * a capture source would give them. false when out of memory. */
bool fuzz_run_begin(struct fuzz_run *r, int fmt, int linktype, enum ts_precision prec,
		    bool no_offload_signature);
/* One frame (capture_packet_fn: user is the struct fuzz_run). */
void fuzz_run_packet(void *user, const struct pkt_record *rec);
/* analyzer_finish, report_finish, the read-back check; frees everything. */
void fuzz_run_end(struct fuzz_run *r, uint64_t packets);

/* Link types the analyzer decodes (capture/linktypes.def: 15 with this
 * libpcap); fuzz_dlt(i) picks one by any index. */
int fuzz_dlt(unsigned i);

/* Abort with a message (a finding). */
_Noreturn void fuzz_fail(const char *what);

#endif
