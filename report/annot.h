/*
 * report/annot.h — findings as per-frame comments, for the annotated pcapng.
 *
 * During the analysis, annot sits in the analyzer's sink in front of the
 * report writer (annot_tee): each final event becomes one comment line keyed
 * by its frame, and (for --write-flagged) each ended flow with findings is
 * remembered by its endpoints and time span. Both go to external sorts
 * (spool_sort.h), so memory stays bounded however many findings there are.
 *
 * Afterwards, the second pass over the capture asks annot_frame() about each
 * frame in order: its comments and whether to keep it.
 */
#ifndef TCPLENS_ANNOT_H
#define TCPLENS_ANNOT_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/analyzer.h"
#include "capture/capture.h"

struct annot;

/* flagged_only: annot_frame keeps only frames of flows with findings (and
 * frames carrying a comment). NULL when out of memory. */
struct annot *annot_new(bool flagged_only);
void annot_free(struct annot *a);

/* Put a in front of the sink: events and flow ends are recorded, then passed
 * on to what sink pointed to. sink->damaged is left alone. */
void annot_tee(struct annot *a, struct analyzer_sink *sink);

/* The analysis is over: prepare the frame-ordered reading. 0, or -1 (out of
 * memory or temporary file trouble; the first such error also makes the
 * recording stop). */
int annot_finish(struct annot *a);

/* For each frame of the second pass, in frame order: the comments to attach
 * (*comments, *n, valid until the next call) and whether to write the frame
 * (*keep). 0, or -1 on a read error of the temporary files. */
int annot_frame(struct annot *a, const struct pkt_record *rec, const char *const **comments,
		size_t *n, bool *keep);

/* The comment text of an event: "tcplens: stall 46.5 ms, cause delayed_ack, ...". */
void annot_event_text(const struct finding_event *ev, char *buf, size_t len);

#endif
