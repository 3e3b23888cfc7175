/*
 * analyze/totals.h — the capture-wide totals (struct analyzer_totals):
 * what each event, each new flow and each ended flow adds to them, in the
 * order they happen (sums of doubles, the host table and the setup
 * quantiles depend on it). The single analyzer and the merge of sharded
 * mode call these; a shard only records. No I/O.
 */
#ifndef TCPLENS_TOTALS_H
#define TCPLENS_TOTALS_H

#include <stdbool.h>

#include "analyzer.h"

/* An event (every one counts, also one over its flow's cap); in_flow:
 * the event has a flow. */
void totals_event(struct analyzer_totals *t, const struct finding_event *ev, bool in_flow);
/* A new flow. */
void totals_flow_new(struct analyzer_totals *t, const struct flow *f);
/* A flow that ended (why), and an open flow's part as it stands (a live
 * view's snapshot). */
void totals_flow_end(struct analyzer_totals *t, const struct flow *f, enum flow_retire_reason why);
void totals_flow_state(struct analyzer_totals *t, const struct flow *f);

#endif
