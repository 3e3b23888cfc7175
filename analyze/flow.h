/*
 * analyze/flow.h — the per-connection model the detectors read and update,
 * and that report/ and tui/ print. One `struct flow` holds both directions;
 * half[DIR_C2S] describes what the client sent, half[DIR_S2C] the server.
 *
 * Sequence numbers are kept absolute (wrap-safe through seq.h); reports show
 * them relative to the ISN (or to the first sequence number seen when the
 * handshake was not captured).
 */
#ifndef TCPLENS_FLOW_H
#define TCPLENS_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "findings.h"
#include "rtt.h"
#include "sack_board.h"
#include "round_store.h"
#include "seq_ranges.h"
#include "common/units.h"

/* Endpoints of a flow, client first once known. */
struct flow_key {
	uint8_t ip_ver;        /* 4 or 6 */
	uint8_t proto;         /* IPPROTO_TCP / IPPROTO_UDP */
	uint16_t port[2];
	uint8_t addr[2][16];
	/* Inside a tunnel: a hash of its identity (struct tunnel_id, in the
	 * flow's cold part), 0 outside any. Two tenants with one inner 5-tuple
	 * are two flows. */
	uint32_t tun_hash;
};

/* A tunnel that carries a flow: its kind (enum tunnel_kind), its id (VNI,
 * GRE key...) and the outer endpoints, in the order of the packet that
 * named it (lookup: id is the packet's) or of its first packet (stored in
 * a flow: a mirror session sends both directions from one end to the same
 * collector, an overlay each from its own end: either matches). id_dir
 * holds each direction's id once id_seen has that direction's bit (some
 * overlays key each way differently). */
struct tunnel_id {
	uint8_t kind;
	uint8_t ip_ver;
	uint8_t id_seen;       /* bit 1 << DIR_C2S / DIR_S2C: id_dir known */
	uint32_t id;
	uint32_t id_dir[2];
	uint8_t addr[2][16];
};

#define TCP_RTT_PROBES 8

/* Where an offload artifact was made, relative to the capture point. */
enum csum_side {
	CSUM_SIDE_UNKNOWN = 0,
	CSUM_SIDE_TX = 1,   /* the capturing host sent it (tx checksum offload, TSO/GSO) */
	CSUM_SIDE_RX = 2,   /* merged on receipt (GRO/LRO) */
};

/* One direction of a connection: what one side sent. Fields are grouped by
 * size (64-bit, 32-bit, then narrow) so the struct has no padding holes:
 * a million concurrent flows hold two of these each. */
struct tcp_half {
	uint64_t packets;
	uint64_t bytes;            /* wire bytes of its frames */
	uint64_t payload_bytes;    /* TCP payload, retransmissions included */
	uint64_t syn_ts;           /* last SYN's time */
	uint64_t last_data_ts;     /* last segment carrying new data */
	/* Latest "capture point -> this side -> capture point" time in ns: the
	 * part of the RTT on this side of the capture. 0 = none yet. */
	uint64_t half_rtt_ns;
	/* RTT: segments it sent, waiting for the other side's ACK (sequence
	 * end and send time; two arrays, no padding). */
	uint64_t probe_ts[TCP_RTT_PROBES];
	uint32_t probe_seq_end[TCP_RTT_PROBES];


	uint32_t isn;
	uint32_t loss_signal_ms;   /* its latest duplicate ACK or ACK with SACK blocks,
				    * ms after the flow's first packet (flow_ms) */
	uint32_t seq_base;         /* ISN, or first sequence number seen */
	uint32_t snd_max;          /* highest seq + len it has sent */
	uint32_t ack_max;          /* highest cumulative ACK it has sent */
	uint32_t max_payload;      /* largest segment payload seen */
	uint32_t iw_segments, iw_bytes; /* its initial window (cwnd.c), 0 = none */
	uint32_t dupacks;          /* consecutive duplicate ACKs it sent */
	uint32_t rwnd;             /* receive window it last advertised, scaled */
	uint32_t retransmissions;
	uint32_t half_rtt_min_us;  /* the smallest half_rtt_ns, in µs (0 = none) */
	/* Checksums of the segments it sent (counted when the event is final). */
	uint32_t csum_ok;          /* verified good (data segments and pure ACKs) */
	uint32_t csum_bad;
	uint32_t csum_offload;
	uint32_t csum_offload_side[3]; /* enum csum_side */
	uint32_t giants;

	uint16_t mss;              /* MSS it announced, 0 = unknown */
	uint16_t syn_count;        /* SYNs (or SYN-ACKs) sent */
	int8_t wscale;             /* -1: no window scale option (or SYN not seen) */
	uint8_t iw_limit;          /* enum cause: CWND / RWND / APP */
	uint8_t episode_retrans;   /* resends since the peer's ACK last advanced */
	bool episode_rto;          /* ... one of them by the retransmission timer */
	uint8_t probe_count;
	bool seq_known;            /* snd_max holds a real value */
	bool isn_known;            /* SYN captured */
	bool ack_known;
	bool fin_seen;
	bool rst_seen;
	bool sack_ok;              /* SACK-permitted in its SYN */
	bool ts_ok;
	bool sack_seen;            /* it sent SACK blocks since its ACK last advanced */
	bool ack_known_for_data;   /* a data segment seen: holes can be judged */
};

/* Congestion-window tracking of one sender (cwnd.c); grouped by size, no
 * padding holes. */
struct cwnd_state {
	uint64_t start_ts, start_frame, next_after_ts, last_send_ts;
	uint64_t last_ack_ts;       /* the receiver's last ACK that moved, captured */
	uint64_t idle_ns;           /* the idle that preceded this round */
	struct round_list rounds;
	uint32_t first_seq;         /* first new byte of the round */
	uint32_t bytes, max_out, last_seg, rwnd_at_start;
	uint32_t prev_flight;       /* last completed round's flight */
	uint32_t last_full_flight;  /* last round not limited by the application */
	uint32_t before_loss;       /* flight of the last round before a loss */
	uint32_t recovery_point;    /* snd_max when the loss was seen */
	uint32_t episode_ms;        /* the loss episode's first resend (flow_ms) */
	float ratio_sum;
	uint16_t segs;
	uint16_t clocked_segs;      /* sent right after an ACK (sender-side captures) */
	uint16_t reductions;
	/* Resends of the loss episode, and how many a D-SACK said were
	 * spurious (all of them: no loss, the sender undoes its cut). */
	uint16_t episode_resends, episode_dsacked;
	uint8_t rounds_after;       /* full rounds since recovery ended */
	bool in_round, round_acked, post_idle, iw_done, in_recovery, await_after, had_loss;
	bool resent_in_round;
	bool ack_clocked;           /* this round was started by the previous one's ACK */
};

enum cc_guess { CC_UNKNOWN = 0, CC_RENO, CC_CUBIC, CC_BBR };

#define STALL_CAUSES 9

/* The stall detector's memory (stall.c): the last time the connection moved,
 * and what was outstanding then. */
struct stall_state {
	uint64_t progress_ts;       /* 0 until the first progress */
	uint64_t progress_frame;
	uint64_t window_reopen_ts;  /* a window closed then reopened in the gap (0: not) */
	uint32_t outstanding[2];    /* per direction, at the last progress */
	uint32_t rwnd[2];           /* receiver window for each direction then */
	uint32_t last_seg[2];       /* size of each side's last new-data segment */
	uint8_t last_data_dir;      /* which side sent the newest data */
	bool last_resent[2];        /* each side's last data segment was a resend */
	uint8_t gap_zero_window_dir; /* the side that advertised it (gap_zero_window) */
	uint16_t prompt_replies[2]; /* each side's replies sent at once after the peer's message */
	bool resend_now;            /* the segment being handled is a resend */
	uint8_t gap_retrans;        /* enum cause of the strongest resend in the gap */
	bool gap_zero_window;       /* a zero window was advertised in the gap */
	/* A stall ended by a pure ACK is delayed_ack only if the waiting side
	 * then sends at once (its write was being held): decided on the next
	 * segment, so the event waits (in the flow's cold part). */
	bool pending;
	uint32_t count;
	double total_ms;
};

/* What one side's segments seldom give (a resend, a hole the capture left,
 * a corrupt segment's fate, a zero window): in the flow's cold part, 80
 * bytes a flow would otherwise carry. Read with flow_rare(), written
 * through flow_rare_w(). */
struct half_rare {
	uint64_t capture_lost_bytes; /* acknowledged, never captured */
	uint64_t retrans_bytes;
	double csum_resent_ms;       /* sum over dropped ones: damage to resend */
	uint32_t reordered;          /* segments that filled a hole within an RTT */
	uint32_t zero_windows;
	uint32_t csum_bad_dropped;
	uint32_t csum_bad_accepted;
};

/*
 * What most flows never need, allocated the first time one does (a hole in
 * what the capture saw, a stall, a resend): 368 bytes a flow would
 * otherwise carry.
 * Read it through f->cold (NULL: all zero) or the accessors below; write it
 * through flow_cold(). Freed when the flow ends (flow_table.c).
 */
struct flow_cold {
	/* Per direction: its data the capture has not seen (yet), holes below
	 * snd_max (tcp_track.c). */
	struct seq_ranges unseen[2];
	/* Per direction: what its receiver has SACKed (sack_gap.c). */
	struct sack_board sacked[2];
	/* Per direction: its checksum-offload artifacts the source marked
	 * received / sent (only sources that give a direction). */
	uint32_t csum_offload_in[2], csum_offload_out[2];
	/* Of csum_ok, the segments that came in fragments: the sending kernel
	 * sums a datagram it fragments in software (ip_do_fragment), so their
	 * good sums say nothing of its checksum offload. */
	uint32_t csum_ok_fragmented[2];
	uint32_t ip_csum_offload[2]; /* per direction: IPv4 header sums left 0 (offload) */
	struct tunnel_id tunnel;     /* key.tun_hash != 0: the tunnel it rides in */
	/* Per direction, its outer UDP checksums: filled by Local Checksum
	 * Offload, left as the outer pseudo-header seed (a GSO super-packet),
	 * wrong (damage on the underlay). */
	uint32_t outer_lco[2], outer_seed[2], outer_bad[2];
	/* A multi-interface source's recent packets of this flow (analyzer.c),
	 * allocated with its first such frame, freed with the cold part; a
	 * copy (snapshot, shard record) carries NULL or a pointer it never
	 * follows. */
	struct dup_ring *dups;
	uint32_t dup_frames;         /* its packets' copies from another interface */
	struct finding_event stall_pending_ev;          /* stall.c: a held delayed_ack */
	double stall_by_cause_ms[STALL_CAUSES];     /* indexed as stall_causes[] in stall.h */
	uint32_t stall_by_cause_n[STALL_CAUSES];
	struct half_rare rare[2];                   /* per direction */
};

enum flow_state {
	FLOW_SYN_SENT = 0,
	FLOW_SYN_RCVD,
	FLOW_ESTABLISHED,
	FLOW_CLOSING,      /* a FIN seen */
	FLOW_CLOSED,       /* both FINs, or a RST */
	FLOW_MIDSTREAM,    /* no handshake captured */
};

struct flow {
	uint32_t id;               /* 1-based, in order of first packet */
	struct flow_key key;       /* key.addr[0]/port[0] is the client */
	uint8_t state;             /* enum flow_state */
	bool client_from_syn;      /* client known from the SYN, else a guess */
	bool evicted;              /* ended by capacity pressure */
	uint8_t link_encap;        /* enum link_encap bits of its frames, together */

	uint64_t first_ts, last_ts;
	uint64_t first_frame;
	uint64_t last_frame;       /* its latest frame (flows are touched in frame order) */
	/* The capture's clock (its latest timestamp so far) when the flow was
	 * last touched: lingering runs out against this clock, which never goes
	 * back, so flows expire in the order they were touched even when the
	 * capture's timestamps jump backwards (analyze/sharded.c needs that). */
	uint64_t touch_clock;
	uint64_t syn_ts, synack_ts, hs_ack_ts; /* handshake, 0 = not seen */
	/* Its events' weights summed, in thousandths (findings.def's weight of
	 * each event's kind, over the cap too): flow_badness's score, exact in
	 * integers whatever the order, kept as they come instead of a count
	 * per kind (60 bytes a flow). */
	uint64_t badness_milli;

	struct tcp_half half[2];
	struct rtt_stats rtt;      /* full round trips, both halves summed */
	uint64_t srtt_ns, rttvar_ns; /* RFC 6298 smoothing, for the RTO estimate */
	struct stall_state stall;
	struct flow_cold *cold;    /* NULL until needed (flow_cold()) */
	struct cwnd_state cw[2];
	uint8_t cc_guess;          /* enum cc_guess, set at flow end */
	/* Events of kinds that rank a flow (weight >= 1), per direction,
	 * saturating: which side's window the views chart (flow_chart_dir). */
	uint8_t findings_dir[2];
	uint16_t kinds;            /* bit k: it had an event of kind k */

	uint32_t events;           /* events written for this flow */
	uint32_t events_dropped;   /* over the per-flow cap, counted only */
	uint32_t csum_held;          /* csum_bad events awaiting their fate (csum_fate.c) */
	uint32_t gap_held;           /* open SACK holes (sack_gap.c) */
	uint32_t retrans_held;       /* resends awaiting a possible D-SACK (dsack.c) */
	uint32_t retrans_covered;    /* ... already covered by the cumulative ACK */

	/* flow table bookkeeping */
	uint32_t hash;
	uint32_t pool_idx1;              /* its place in the pool, + 1 */
	uint32_t lru_prev, lru_next;   /* pool indices + 1, 0 = none */
	uint8_t lru_list;              /* which list it is on */
};

_Static_assert(FIND_COUNT <= 16, "struct flow's kinds has a bit per finding kind");

/* f's cold part, allocated zeroed on first use (once per flow, never per
 * packet); NULL when out of memory: the caller skips what needed it. */
struct flow_cold *flow_cold(struct flow *f);
/* Free f's cold part (the flow ends). */
void flow_cold_release(struct flow *f);
/* Copy src into dst for keeping after src ends (TUI, text report): the cold
 * part is copied into dst_cold, which dst then points at. A struct holding
 * both must call it again (or flow_snapshot_repoint) after being moved. */
void flow_snapshot(struct flow *dst, struct flow_cold *dst_cold, const struct flow *src);
void flow_snapshot_repoint(struct flow *dst, struct flow_cold *dst_cold);

/* Side dir's seldom-set counts: all zero when f has no cold part. */
extern const struct half_rare flow_rare_none;
static inline const struct half_rare *flow_rare(const struct flow *f, int dir)
{
	return f->cold ? &f->cold->rare[dir] : &flow_rare_none;
}
/* ... to count into (the cold part allocated if need be; out of memory, a
 * scratch of this thread's: the count is lost, the analysis goes on). */
struct half_rare *flow_rare_w(struct flow *f, int dir);

/* Stalled time and stall count of cause index i (stall_cause_index()). */
static inline double flow_stall_cause_ms(const struct flow *f, size_t i)
{
	return f->cold ? f->cold->stall_by_cause_ms[i] : 0.0;
}
static inline uint32_t flow_stall_cause_n(const struct flow *f, size_t i)
{
	return f->cold ? f->cold->stall_by_cause_n[i] : 0;
}

/* The smallest time from the capture point to side h and back, in ns. */
static inline uint64_t flow_half_rtt_min_ns(const struct tcp_half *h)
{
	return (uint64_t)h->half_rtt_min_us * 1000;
}

/* "addr:port" ("[addr]:port" for IPv6) of endpoint i: 0 client, 1 server. */
void flow_endpoint(const struct flow_key *k, int i, char *buf, size_t len);

/* How bad a flow is, for "worst first" lists: stalled time (think time
 * excluded) in ms, plus each event times its kind's weight (findings.def:
 * 1000 for corruption or a SYN retry, 10 for a resend or stall...). */
double flow_badness(const struct flow *f);

/* The direction whose congestion window the views chart (text, TUI, HTML:
 * one rule): the only one that sent data, if one alone did; else the one
 * holding more of the findings that rank a flow (the waiting sender of a
 * stall, the resending one...), else the busier sender.
 * flow_chart_both: both hold some, and both sent data: chart both. */
int flow_chart_dir(const struct flow *f);
bool flow_chart_both(const struct flow *f);

/* Linux's RTO as the capture sees it: srtt + max(4 rttvar, TCP_RTO_MIN)
 * (tcp_set_rto: rttvar never below tcp_rto_min, 200 ms); without samples,
 * TCP_RTO_MIN. */
#define FLOW_RTO_MIN_NS 200000000ull
/* A time of the flow as ms after its first packet (saturating): what the
 * per-flow marks below keep, in 4 bytes instead of 8. */
static inline uint32_t flow_ms(const struct flow *f, uint64_t ts_ns)
{
	uint64_t ms = ts_ns > f->first_ts ? (ts_ns - f->first_ts) / NS_PER_MS_U64 : 0;
	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

static inline uint64_t flow_rto_estimate_ns(const struct flow *f)
{
	uint64_t var = 4 * f->rttvar_ns;
	return f->srtt_ns + (var > FLOW_RTO_MIN_NS ? var : FLOW_RTO_MIN_NS);
}

/* The tail loss probe's timeout, PTO = 2 SRTT (RFC 8985 §7.2), at least
 * FLOW_PTO_MIN_NS (Linux's TCP_TIMEOUT_MIN is 2 jiffies; 10 ms is the
 * floor the RFC recommends). */
#define FLOW_PTO_MIN_NS 10000000ull
static inline uint64_t flow_pto_ns(const struct flow *f)
{
	return 2 * f->srtt_ns > FLOW_PTO_MIN_NS ? 2 * f->srtt_ns : FLOW_PTO_MIN_NS;
}

/* "vxlan vni 42", "vxlan vni 11 (10 back)", "ipip": the tunnel a flow rides
 * in, as the JSON's encap names it (kind, then its id each way). */
void flow_tunnel_name(const struct tunnel_id *t, char *buf, size_t len);
/* "mpls, pppoe": the flow's link_encap, in the JSON's order; "" when none. */
void flow_link_encap_names(uint8_t link_encap, char *buf, size_t len);

/* Direction dir's good checksums that tell of its sender's checksum
 * offload: csum_ok less those of datagrams that came in fragments (the
 * sending kernel sums those in software, offload or not). */
static inline uint32_t flow_csum_ok_offload_evidence(const struct flow *f, int dir)
{
	return f->half[dir].csum_ok - (f->cold ? f->cold->csum_ok_fragmented[dir] : 0);
}

#endif
