/*
 * report/html_dist.h — distributions over every flow of a capture, for the
 * HTML page's overview, in constant memory: how many flows (or stalls) fall
 * in each bucket of fixed edges. Milliseconds use a 1-2-5 series from
 * 0.01 ms to 100 s; the retransmission rate (payload bytes sent again over
 * all payload bytes sent, both directions) is in percent.
 */
#ifndef TCPLENS_HTML_DIST_H
#define TCPLENS_HTML_DIST_H

#include <stdint.h>

#include "analyze/findings.h"
#include "analyze/flow.h"
#include "jw.h"

#define HD_MS_EDGES 22      /* 0.01 ... 100000 ms */
#define HD_PCT_EDGES 10     /* 0.1 0.2 0.5 1 2 5 10 20 50 100 % */

enum html_dist_kind { HD_RTT = 0, HD_HANDSHAKE, HD_STALL, HD_RETRANS_RATE, HD_KINDS };

struct html_dist {
	/* counts[k][i]: values below edge i (and at or above edge i - 1);
	 * the last bucket holds what is at or above the last edge. */
	uint64_t counts[HD_KINDS][HD_MS_EDGES + 1];
	uint64_t n[HD_KINDS];
};

/* An ended flow: its RTT p50, handshake, retransmission rate (TCP with data). */
void html_dist_flow(struct html_dist *d, const struct flow *f);
/* An event: a stall's duration. */
void html_dist_event(struct html_dist *d, const struct finding_event *ev);
/* {"rtt_ms": {"what": ..., "unit": ..., "edges": [...], "counts": [...], "n": N}, ...} */
void html_dist_write(struct jw *w, const struct html_dist *d);

#endif
