/*
 * analyze/analyzer.h — the analysis pipeline for one capture:
 *
 *   pkt_record -> decode -> checksum verdicts -> flow table -> TCP tracking
 *   and detectors -> events (to the sink) and flow summaries (at flow end)
 *
 * Pure and deterministic: time comes only from packet timestamps, and the
 * same packets give the same calls to the sink in the same order. No I/O: the
 * sink (a report writer, the TUI) does that.
 */
#ifndef TCPLENS_ANALYZER_H
#define TCPLENS_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../capture/capture.h"
#include "common/units.h"
#include "decode.h"
#include "defrag.h"
#include "findings.h"
#include "flow.h"
#include "flow_table.h"
#include "setup_stats.h"
#include "segment_obs.h"

struct pkt_decoded;

/* The caps' defaults (struct analyzer_config: 0 means these). */
#define ANALYZER_DEFAULT_MAX_FLOWS 1000000u
#define ANALYZER_DEFAULT_EVENTS_PER_FLOW 100000u
#define ANALYZER_DEFAULT_LINGER_NS NS_PER_S_U64
#define ANALYZER_DEFAULT_MAX_HELD 8192u
#define ANALYZER_DEFAULT_HELD_PER_FLOW 64u
#define ANALYZER_DEFAULT_MAX_ROUNDS (1u << 23)

struct analyzer_config {
	size_t max_flows;              /* flow table capacity (default 1,000,000) */
	uint32_t max_events_per_flow;  /* events written per flow (default 100,000) */
	uint64_t closed_linger_ns;     /* closed flows kept this long (default 1 s) */
	/* Events held for a verdict (checksum fates, SACK holes, resends
	 * awaiting a D-SACK), all flows together (default 8192), and in one
	 * flow's list of each kind (default 64); over either, the event is
	 * written at once with what is known and counted (held_overflow). */
	size_t max_held;
	uint32_t max_held_per_flow;
	/* Congestion-window rounds kept for the report, all flows together
	 * (default 8,388,608: 18 bytes each once used, freed as each flow is
	 * written, so memory follows the flows open at once; 200,000
	 * concurrent flows of 4 rounds a side use 29 MB of it; beyond:
	 * counted in rounds_pool_full). */
	size_t max_rounds;
	/* Tests only: ignore the pseudo-header signature, so a checksum
	 * mismatch is an offload artifact only when the capture source said so
	 * (PKT_HINT_CSUM_NOT_READY). Proves the live hints work alone. */
	int no_offload_signature;
};

struct analyzer_sink {
	void *user;
	/* A final event (its verdict will not change). f is NULL for events
	 * outside any flow (an IPv4 header checksum error on ICMP, say). */
	void (*event)(void *user, const struct flow *f, const struct finding_event *ev);
	/* A flow leaves the analysis: the last call that mentions it. With its
	 * listed congestion-window rounds (f->cw[d].rounds says how many were
	 * left out): the flow and rounds are all a subscriber needs. */
	void (*flow_end)(void *user, const struct flow *f, enum flow_retire_reason why,
			 const struct flow_rounds *rounds);
	/* A frame that could not be analyzed, and why ("IP header cut short").
	 * Called with damaged_user: these messages usually go elsewhere than events. */
	void (*damaged)(void *damaged_user, uint64_t frame, const char *msg);
	void *damaged_user;
	/* Optional per-packet observer (NULL costs nothing): every TCP segment
	 * of a flow, after tracking, as a self-contained observation (so the
	 * sharded merge hands the same ones). o is valid only during the call.
	 * Called with segment_user: a subscriber put in front of the sink (a
	 * tee passing events and ended flows on) leaves both alone. For
	 * samplers (the HTML report's graphs). */
	void (*segment)(void *segment_user, const struct segment_obs *o);
	void *segment_user;
};

/* Checksum verdicts of what one host sent, over all its flows. */
struct host_stats {
	uint8_t ip_ver;
	uint8_t addr[16];
	uint64_t segments;        /* TCP segments and UDP datagrams it sent */
	uint64_t csum_ok;
	uint64_t offload[3];      /* by enum csum_side */
	uint64_t offload_tx_local; /* tx ones in flows whose other side's were tx too:
				    * both ends on the capturing host, no wire */
	uint64_t offload_in, offload_out; /* the source marked received / sent */
	uint64_t bad, bad_dropped, bad_accepted;
	double resent_ms;         /* sum over dropped ones */
	uint64_t giants;
	uint64_t ip_offload;      /* IPv4 headers it sent with the sum left 0 */
};

/* The flow that lost the most time to one stall cause. */
struct stall_worst {
	uint32_t flow_id;         /* 0 = none */
	struct flow_key key;
	double ms;                /* its stalled time for this cause */
	uint32_t n;
	double life_ms;           /* its first to last packet */
};

/* A host's address as text, or `other` for the hosts summed beyond the cap. */
void host_stats_name(const struct host_stats *h, const char *other, char *buf, size_t len);

#define ANALYZER_MAX_HOSTS 256
#define GIANT_BUCKETS 6
#define IW_BUCKETS 33         /* 0..31 segments, 32 = more */       /* payload / MSS: <2, <4, <8, <16, <32, >=32 */

/*
 * The capture-wide counters a frame's flow part adds to, as it analyzes
 * the frame in its flow. (The rest of the totals come from each frame's
 * capture-wide part and from the events and flow ends, which the sharded
 * merge replays in one analyzer's order.) Shards count these on their own;
 * the merge sums them, member by member from this one list
 * (analyzer_absorb): a counter the flow part adds goes here, and merges
 * with no other edit. The flow part is handed only this struct.
 */
#define FLOW_PART_COUNTERS(X)                                                   \
	X(payload_bytes)      /* TCP/UDP payload bytes */                        \
	X(data_segments)      /* TCP segments with payload */                    \
	X(csum_unverifiable)  /* segments cut by the snap length */              \
	X(events_dropped)     /* events over the per-flow cap (counted here) */
struct flow_part_counts {
#define FLOW_PART_MEMBER(name) uint64_t name;
	FLOW_PART_COUNTERS(FLOW_PART_MEMBER)
#undef FLOW_PART_MEMBER
};

/* Capture-wide counters; exact even when per-flow event caps drop events. */
struct analyzer_totals {
	struct flow_part_counts flow_part;
	uint64_t frames;          /* frames read (after the BPF filter) */
	uint64_t bytes;           /* their wire bytes */
	uint64_t tcp_segments;    /* frames carrying TCP (a giant counts once) */
	uint64_t udp_datagrams;
	uint64_t non_ip;          /* ARP, LLDP... */
	uint64_t other_ip;        /* ICMP and other protocols */
	uint64_t malformed;       /* frames the decoders rejected */
	uint64_t fragments;       /* IPv4/IPv6 fragment frames (each analyzed in
				   * its datagram, once whole: defrag.h) */
	struct defrag_counts defrag;
	uint64_t dup_frames;      /* a packet's copy from another interface (not analyzed) */
	uint64_t first_ts, last_ts;
	uint64_t flows;           /* flows created */
	uint64_t flows_evicted;   /* open flows pushed out by the table cap */
	uint64_t held_overflow;   /* events written early: held pool or list full */
	uint64_t rounds_not_listed; /* cwnd rounds analyzed but not kept (ended flows) */
	uint64_t rounds_pool_full;  /* ... of them because the rounds pool was full */
	uint64_t kind_count[FIND_COUNT];
	uint64_t cause_count[FIND_COUNT][CAUSE_COUNT];
	uint64_t retrans_bytes;
	uint64_t capture_lost_bytes;
	double gap_fill_ms;       /* sum over sack_gap events */
	uint64_t reordered;
	uint64_t flows_with_capture_loss;
	double stall_ms[STALL_CAUSES];   /* by stall_causes[] index */
	uint64_t stall_n[STALL_CAUSES];
	struct stall_worst stall_worst[STALL_CAUSES];
	uint64_t giant_by_multiple[GIANT_BUCKETS];
	/* per sending host, in order of first flow end; hosts beyond the cap
	 * are summed in hosts_other */
	struct host_stats hosts[ANALYZER_MAX_HOSTS];
	size_t nhosts;
	struct host_stats hosts_other;
	struct setup_stats setup;
	/* congestion window */
	uint64_t iw_segments[IW_BUCKETS];      /* initial windows by segments (last: more) */
	uint64_t iw_limit[CAUSE_COUNT];
	double reduction_ratio_sum;
	uint64_t cc_guess[4];                  /* enum cc_guess */
};

struct analyzer;

struct analyzer *analyzer_new(const struct analyzer_config *cfg, const struct analyzer_sink *sink);
void analyzer_free(struct analyzer *a);

/*
 * The part of a frame's analysis that reads no analyzer state: decoding and
 * the checksum sums (every byte of the frame). analyzer_prepare may run on
 * another thread, ahead of the analysis (capture/readahead.h); the result
 * travels with the record (rec->prep) and analyzer_packet uses it instead of
 * doing the work again. The output is the same either way.
 */
struct pkt_prepared {
	struct pkt_decoded dec;  /* dec.rec is the record it was prepared from */
	int16_t rc;              /* decode_packet's result */
	int8_t ip_ok;            /* csum_verify_ipv4_header */
	int8_t outer_ip_ok;      /* the same for a tunnel's outer IPv4 header */
	bool l4_done;            /* l4_verdict computed (a TCP/UDP header here) */
	bool has_flow;           /* a TCP/UDP header: flow_hash is set */
	uint32_t flow_hash;      /* flow_table_hash of its endpoints (and tunnel) */
	uint32_t tun_hash;       /* flow_table_tunnel_hash of dec.tun's identity, 0: none */
	uint8_t l4_verdict;      /* enum csum_verdict of csum_verify_l4 */
	uint8_t outer_verdict;   /* tunneled, l4_done: csum_verify_tunnel_udp's */
	bool outer_lco;          /* ... its mismatch is Local Checksum Offload's */
	uint16_t ip_expected, l4_expected, outer_expected, outer_ip_expected;
	uint32_t wire_extra;     /* bytes its frames took on the wire beyond
				  * rec->wirelen: a reassembled datagram's
				  * fragments' own headers (else 0) */
};
/* capture_prepare_fn: scratch is a struct pkt_prepared. */
void analyzer_prepare(void *unused, const struct pkt_record *rec, void *scratch);

/* capture_lookahead_fn (capture/readahead.h): called with a prepared frame
 * a few positions before analyzer_packet gets it, to start pulling its flow
 * into the cache. No effect on results. */
void analyzer_lookahead(void *analyzer, const struct pkt_record *rec);

/* Analyze one frame. Never fails: damaged frames are counted and reported
 * through sink->damaged. Uses rec->prep when set (see analyzer_prepare). */
void analyzer_packet(struct analyzer *a, const struct pkt_record *rec);

/* End of capture: every open flow ends (in id order). */
void analyzer_finish(struct analyzer *a);

const struct analyzer_totals *analyzer_totals(const struct analyzer *a);

/* Totals as if every open flow ended now (the per-host, stall and setup
 * aggregates are otherwise folded in when a flow ends): for a live view.
 * out is the caller's (struct analyzer_totals is large: not on a small stack). */
void analyzer_snapshot_totals(const struct analyzer *a, struct analyzer_totals *out);
/* Visit the flows still open (live views; fn must not keep the pointer). */
void analyzer_each_open_flow(const struct analyzer *a, flow_each_fn fn, void *user);
/*
 * Sharded analysis (analyze/sharded.h). Shards, each owning the flows whose
 * hash falls to it, see every frame's time (flows expire by the capture's
 * clock) but analyze only their flows' frames; what a single analyzer folds
 * into the capture-wide totals and hands to the sink, a shard hands to its
 * recorder. A merging analyzer (analyzer_new, the report's) takes every
 * frame's capture-wide part (analyzer_frame) and replays the shards' records
 * in the order one analyzer would have made them: its totals and its sink
 * calls are then the single analyzer's. One analyzer is the same thing
 * without threads: its flow part writes to an inline recorder that is its
 * own merge (analyzer_merge_*), so the totals and the sink are fed by one
 * path in every mode.
 */
struct analyzer_recorder {
	void *user;
	/* write: false for an event over its flow's cap (counted, not written) */
	void (*event)(void *user, const struct flow *f, const struct finding_event *ev, bool write);
	void (*flow_new)(void *user, const struct flow *f);
	void (*flow_end)(void *user, const struct flow *f, enum flow_retire_reason why,
			 const struct flow_rounds *rounds);
	void (*damaged)(void *user, uint64_t frame, const char *msg);
	/* Optional: the per-segment observations (when the merge's sink
	 * observes segments: analyzer_observes_segments). */
	void (*segment)(void *user, const struct segment_obs *o);
};

/* A shard; cfg's caps are its own share of them. */
struct analyzer *analyzer_shard_new(const struct analyzer_config *cfg,
				    const struct analyzer_recorder *rec);
/* Every frame's time, in order: the shard's clock moves, its flows whose
 * linger ran out end. */
void analyzer_shard_clock(struct analyzer *a, uint64_t ts_ns);
/* Then, for a frame of one of its flows (prepared: rec->prep set, DECODE_OK
 * and has_flow), the frame's part in its flow. End of capture: analyzer_finish. */
void analyzer_shard_flow(struct analyzer *a, const struct pkt_record *rec);
/* A frame without a flow that is an IP fragment: every shard reassembles
 * every datagram (the same fragments in the same order: the same result).
 * Returns the datagram this fragment made whole when it has a flow (valid
 * until the next call), for the shard that owns it to analyze with
 * analyzer_shard_flow; else NULL. */
const struct pkt_record *analyzer_shard_fragment(struct analyzer *a, const struct pkt_record *rec);

/* The merging analyzer: a frame's capture-wide part only. */
void analyzer_frame(struct analyzer *a, const struct pkt_record *rec);
/* Replays, in order. f: the shard's flow (for flow_end a copy, with the
 * merged id, and its rounds as the shard listed them). */
void analyzer_merge_event(struct analyzer *a, const struct flow *f, const struct finding_event *ev,
			   bool write);
void analyzer_merge_flow_new(struct analyzer *a, const struct flow *f);
void analyzer_merge_flow_end(struct analyzer *a, const struct flow *f, enum flow_retire_reason why,
			      const struct flow_rounds *rounds);
void analyzer_merge_damaged(struct analyzer *a, uint64_t frame, const char *msg);
/* o's flow_id is the merged id. */
void analyzer_merge_segment(struct analyzer *a, const struct segment_obs *o);
/* The sink has a per-segment observer (the shards then record them). */
bool analyzer_observes_segments(const struct analyzer *a);
/* After the last replay: a shard's counts that do not depend on order (its
 * FLOW_PART_COUNTERS, each one, and its pools' overflows). */
void analyzer_absorb(struct analyzer *a, const struct analyzer *shard);
/* Events written early because the held pool was full, plus rounds not
 * listed because the rounds pool was: a cap was reached. */
uint64_t analyzer_pool_overflows(const struct analyzer *a);

const struct analyzer_config *analyzer_config(const struct analyzer *a);
size_t analyzer_flows_open(const struct analyzer *a);
/* An open flow's listed rounds so far (a live view's detail; f from
 * analyzer_each_open_flow), copied into out[0..max): the count. */
uint16_t analyzer_open_flow_rounds(const struct analyzer *a, const struct flow *f, int dir,
				   struct cwnd_round *out, uint16_t max);

#endif
