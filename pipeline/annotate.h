/*
 * pipeline/annotate.h — -w OUT.pcapng: the annotated capture.
 *
 * Findings become final only after their frame (held verdicts), so the
 * annotated capture is written by a second pass over the capture file once
 * the analysis is over: annot (report/annot.h) records each finding as a
 * comment keyed by frame during the analysis, and the second pass copies
 * every frame (the same BPF filter, the same -c limit) into the pcapng with
 * its comments and epb_flags (report/pcapng_writer.h).
 */
#ifndef TCPLENS_ANNOTATE_H
#define TCPLENS_ANNOTATE_H

#include <stddef.h>

#include "analyze/analyzer.h"
#include "pipeline.h"

struct annotate;

/* Before the analysis: refuse to write over the capture being read, create
 * OUT (so a bad path fails before the work), and put the recorder in front
 * of sink. NULL with err set on failure. */
struct annotate *annotate_begin(const struct pipeline_config *o, struct analyzer_sink *sink, char *err,
				size_t errlen);

/* After the analysis: the second pass. 0, or -1 with err set (the capture
 * cannot be read again, a write error, interrupted by SIGINT/SIGTERM: the
 * file then ends after its last whole block). */
int annotate_write(struct annotate *an, const struct pipeline_config *o, char *err, size_t errlen);

void annotate_free(struct annotate *an);

#endif
