/*
 * report/report_fields.h — values the JSON report and the ClickHouse rows
 * (clickhouse_rows.c) derive alike from a flow, so that both say the same
 * number under the same key.
 */
#ifndef TCPLENS_REPORT_FIELDS_H
#define TCPLENS_REPORT_FIELDS_H

#include <stdbool.h>

#include "analyze/flow.h"
#include "common/units.h"

/* The handshake's time (SYN to the ACK of the SYN-ACK) in ms into *ms;
 * false when the capture did not see the whole handshake (JSON: null). */
static inline bool report_handshake_ms(const struct flow *f, double *ms)
{
	if (!(f->hs_ack_ts && f->syn_ts && f->hs_ack_ts >= f->syn_ts))
		return false;
	*ms = (double)(f->hs_ack_ts - f->syn_ts) / NS_PER_MS;
	return true;
}

#endif
