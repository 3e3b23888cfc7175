/*
 * report/html_sampler.h — bounded per-flow samples of a connection's
 * segments for the HTML report's time-sequence graphs: data segments
 * (time, seq, end, flags), ACKs (time, ack, ack + window) and SACK blocks,
 * per direction, decimated as they arrive.
 *
 * Memory is fixed when the sampler is made: HS_SLOTS flows sampled at once,
 * HS_*_POINTS points per stream. A flow gets a slot at its first packet when
 * one is free, or else one of a closed flow (still lingering in the flow
 * table) that could no longer rank among the graphs, by its badness at its
 * last segment (the sampler sees segments only, so that the sharded merge
 * hands it the same ones); failing both it is
 * counted as not sampled (its graph comes from the report's events and rounds
 * alone). When a flow ends, it keeps its slot only
 * while it ranks among the HS_GRAPHS worst flows so far (flow_badness, then
 * bytes, then id: deterministic).
 *
 * Decimation: a stream's points fall into time buckets of 2^shift ns; a
 * bucket keeps at most three points (the lowest start, the highest end, the
 * first flagged one). When a stream is full the bucket width doubles and the
 * stream is folded again, so a long flow keeps its shape and its extremes in
 * HS_*_POINTS points whatever its length. Nothing allocates per packet.
 */
#ifndef TCPLENS_HTML_SAMPLER_H
#define TCPLENS_HTML_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/flow.h"
#include "analyze/segment_obs.h"

#define HS_GRAPHS 20          /* flows drawn in full, worst first */
#define HS_SLOTS 48           /* flows sampled at once (graphs kept + open) */
#define HS_DATA_POINTS 2048
#define HS_ACK_POINTS 1024
#define HS_SACK_POINTS 1024

/* Point flags */
#define HS_F_RETRANS 0x01     /* the sender's retransmission count rose */
#define HS_F_CSUM_BAD 0x02    /* corrupt checksum */
#define HS_F_CSUM_OFFLOAD 0x04 /* offload artifact (harmless) */
#define HS_F_GIANT 0x08       /* payload above the receiver's MSS (TSO/GRO) */
#define HS_F_ZERO_WIN 0x10    /* ACK: zero receive window */

enum hs_stream_kind { HS_DATA = 0, HS_ACK, HS_SACK, HS_STREAMS };

/* a, b: sequence numbers relative to the data sender's seq_base; frame:
 * the point's frame number less the flow's first sampled frame
 * (saturating), for the page's hover. */
struct hs_point {
	uint64_t t_ns;
	uint32_t a, b;
	uint32_t flags;
	uint32_t frame;
};

struct hs_stream {
	uint32_t n, cap;
	uint8_t shift;            /* bucket width 2^shift ns */
	uint64_t t0;              /* bucket origin: the flow's first packet */
	struct hs_point *p;       /* cap points, in the sampler's pool */
};

struct hs_slot {
	uint32_t flow_id;         /* 0: free */
	uint64_t first_frame;     /* the frame its sampling began at */
	bool ended;               /* kept for a graph */
	bool closed;              /* not ended, closed: lingering (its segments said so) */
	double closed_badness;    /* its flow_badness at its last segment, when closed */
	uint64_t closed_bytes;
	uint32_t retrans_seen[2]; /* per direction: to flag retransmissions */
	uint32_t base[2];         /* seq_base of each sender when sampled */
	struct hs_stream s[2][HS_STREAMS]; /* [sender dir][kind]: ACK/SACK by
					    * the sender of the ACKs */
};

struct hs_rank {
	uint32_t flow_id;
	double badness;
	uint64_t bytes;
	int slot;                 /* -1: not sampled */
	uint8_t chart_dir;        /* flow_chart_dir, flow_chart_both at its end */
	bool chart_both;
};

struct html_sampler {
	struct hs_slot slot[HS_SLOTS];
	struct hs_rank rank[HS_GRAPHS]; /* worst first */
	uint32_t nrank;
	int last;                 /* slot of the last lookup, -1 */
	uint64_t flows_not_sampled;
	struct hs_point *pool;
};

/* Make the sampler and its fixed pool. NULL when out of memory. */
struct html_sampler *html_sampler_new(void);
void html_sampler_free(struct html_sampler *s);
/* One TCP segment (the analyzer's segment observer). */
void html_sampler_segment(struct html_sampler *s, const struct segment_obs *o);
/* f ends: rank it, keep or free its slot. True when it ranks among the
 * HS_GRAPHS worst so far (it may drop out later). */
bool html_sampler_flow_end(struct html_sampler *s, const struct flow *f);
/* Flow id ranks among the graphs now. */
bool html_sampler_ranked(const struct html_sampler *s, uint32_t id);
/* The slot kept for rank entry i, or NULL. */
const struct hs_slot *html_sampler_graph(const struct html_sampler *s, uint32_t i);

#endif
