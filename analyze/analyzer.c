/*
 * analyze/analyzer.c — see analyzer.h.
 */
#include "analyzer.h"


#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwnd.h"
#include "csum_judge.h"
#include "csum_verify.h"
#include "decode.h"
#include "event_sink.h"
#include "dsack.h"
#include "sack_gap.h"
#include "stall.h"
#include "tcp_track.h"
#include "totals.h"
#include "units.h"

/* analyzer_lookahead: frames between pulling a slot and pulling its flow. */
#define LOOKAHEAD_LAG 8

struct analyzer {
	struct analyzer_config cfg;
	struct analyzer_sink sink;
	struct event_sink events;
	struct flow_table *flows;
	struct held_pool *held;
	struct round_store *rounds;
	struct tcp_ctx tcp;
	struct csum_judge judge;  /* its pools and sink are the ones above */
	struct analyzer_totals tot;
	struct pkt_prepared prep; /* scratch: one frame at a time, when the
				   * record comes unprepared */
	uint32_t lookahead_hash[LOOKAHEAD_LAG]; /* analyzer_lookahead's recent hashes */
	unsigned lookahead_n;
	uint64_t clock;           /* the capture's latest timestamp so far */
	struct defrag *defrag;    /* made at the first fragment */
	struct defrag_datagram datagram;  /* the one being analyzed */
	struct pkt_prepared datagram_prep;
	/* Where the flow part's results go (events, new and ended flows,
	 * damaged frames, segment observations): a shard's recorder, or for
	 * one analyzer the inline consumer, which is the merge's own replay
	 * (analyzer_merge_*: the capture-wide totals, then the sink). One
	 * analyzer is one shard merged as it goes. */
	struct analyzer_recorder out;
	bool shard;               /* reassembly's messages are the merge's to say */
	/* An ending flow's rounds, handed with it (struct flow_rounds). */
	struct cwnd_round round_scratch[2][ROUNDS_PER_DIR];
	/* Merging analyzer: the shards' pool overflows (analyzer_absorb). */
	uint64_t absorbed_held_overflow, absorbed_rounds_pool_full;
};

static void on_event(void *ctx, struct flow *f, const struct finding_event *ev)
{
	struct analyzer *a = ctx;
	bool write = true;
	if (f) {
		f->kinds |= (uint16_t)(1u << ev->kind);
		f->badness_milli += finding_weight_milli((enum finding_kind)ev->kind);
		if (finding_weight(ev->kind) >= 1 && f->findings_dir[ev->dir & 1] < UINT8_MAX)
			f->findings_dir[ev->dir & 1]++;
		if (ev->kind == FIND_IP_CSUM_OFFLOAD) {
			struct flow_cold *c = flow_cold(f);
			if (c) /* out of memory: the total stays, the host is not named */
				c->ip_csum_offload[ev->dir]++;
		}
		if (ev->kind == FIND_CSUM_BAD) {
			struct half_rare *h = flow_rare_w(f, ev->dir);
			h->csum_bad_dropped += ev->cause == CAUSE_DROPPED;
			h->csum_bad_accepted += ev->cause == CAUSE_ACCEPTED;
			h->csum_resent_ms += ev->u.csum.resent_ms;
		}
		if (f->events >= a->cfg.max_events_per_flow) {
			f->events_dropped++;
			a->tot.flow_part.events_dropped++;
			write = false;
		} else {
			f->events++;
		}
	}
	a->out.event(a->out.user, f, ev, write);
}

static void on_retire(void *user, struct flow *f, enum flow_retire_reason why)
{
	struct analyzer *a = user;
	if (f->csum_held)
		csum_fate_flush(a->held, f, &a->events);
	if (f->gap_held)
		sack_gap_flush(a->held, f, &a->events);
	if (f->retrans_held || f->retrans_covered)
		dsack_flush(a->held, f, &a->events);
	stall_flush(f, &a->events);
	if (f->key.proto == IPPROTO_TCP) {
		struct cwnd_ctx cc = {&a->events, a->rounds, 0};
		cwnd_flush(&cc, f);
	}
	struct flow_rounds fr;
	for (int d = 0; d < 2; d++) {
		fr.r[d] = a->round_scratch[d];
		fr.n[d] = round_store_copy(a->rounds, &f->cw[d].rounds, a->round_scratch[d],
					   ROUNDS_PER_DIR);
	}
	a->out.flow_end(a->out.user, f, why, &fr);
	round_store_release(a->rounds, &f->cw[0].rounds);
	round_store_release(a->rounds, &f->cw[1].rounds);
}

/* The inline consumer: one analyzer's results merged as they come. */
static void inline_event(void *user, const struct flow *f, const struct finding_event *ev, bool write)
{
	analyzer_merge_event(user, f, ev, write);
}

static void inline_flow_new(void *user, const struct flow *f)
{
	analyzer_merge_flow_new(user, f);
}

static void inline_flow_end(void *user, const struct flow *f, enum flow_retire_reason why,
			    const struct flow_rounds *rounds)
{
	analyzer_merge_flow_end(user, f, why, rounds);
}

static void inline_damaged(void *user, uint64_t frame, const char *msg)
{
	analyzer_merge_damaged(user, frame, msg);
}

static void inline_segment(void *user, const struct segment_obs *o)
{
	analyzer_merge_segment(user, o);
}

struct analyzer *analyzer_new(const struct analyzer_config *cfg, const struct analyzer_sink *sink)
{
	struct analyzer *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->cfg = *cfg;
	if (!a->cfg.max_flows)
		a->cfg.max_flows = ANALYZER_DEFAULT_MAX_FLOWS;
	if (!a->cfg.max_events_per_flow)
		a->cfg.max_events_per_flow = ANALYZER_DEFAULT_EVENTS_PER_FLOW;
	if (!a->cfg.closed_linger_ns)
		a->cfg.closed_linger_ns = ANALYZER_DEFAULT_LINGER_NS;
	a->sink = *sink;
	a->out = (struct analyzer_recorder){a, inline_event, inline_flow_new, inline_flow_end,
					    inline_damaged, sink->segment ? inline_segment : NULL};
	a->events.emit = on_event;
	a->events.ctx = a;
	a->flows = flow_table_new(a->cfg.max_flows, a->cfg.closed_linger_ns, on_retire, a);
	if (!a->cfg.max_held)
		a->cfg.max_held = ANALYZER_DEFAULT_MAX_HELD;
	if (!a->cfg.max_held_per_flow)
		a->cfg.max_held_per_flow = ANALYZER_DEFAULT_HELD_PER_FLOW;
	if (!a->cfg.max_rounds)
		a->cfg.max_rounds = ANALYZER_DEFAULT_MAX_ROUNDS;
	a->held = held_pool_new(a->cfg.max_held, a->cfg.max_held_per_flow);
	a->rounds = round_store_new(a->cfg.max_rounds);
	if (!a->flows || !a->held || !a->rounds) {
		analyzer_free(a);
		return NULL;
	}
	a->tcp.sink = &a->events;
	a->tcp.held = a->held;
	a->tcp.rounds = a->rounds;
	a->judge = (struct csum_judge){a->held, &a->events, a->cfg.no_offload_signature,
				       &a->tot.flow_part.csum_unverifiable};
	return a;
}

void analyzer_free(struct analyzer *a)
{
	if (!a)
		return;
	flow_table_free(a->flows);
	held_pool_free(a->held);
	round_store_free(a->rounds);
	defrag_free(a->defrag);
	free(a);
}

static void damaged(struct analyzer *a, const struct pkt_record *rec, const char *what)
{
	a->out.damaged(a->out.user, rec->frame, what);
}

/* The identity of the tunnel d came in, oriented as the packet. */
static const struct tunnel_id *tunnel_of(const struct pkt_decoded *d, struct tunnel_id *t)
{
	*t = (struct tunnel_id){.kind = d->tun.kind, .ip_ver = d->tun.ip_ver, .id = d->tun.id};
	memcpy(t->addr[0], d->tun.src, sizeof(t->addr[0]));
	memcpy(t->addr[1], d->tun.dst, sizeof(t->addr[1]));
	return t;
}

/* Find or create the flow of d; retire the old one when a SYN reuses its
 * 4-tuple. *dir receives the segment's direction. */
static struct flow *flow_for(struct analyzer *a, const struct pkt_prepared *pp,
			     const struct pkt_decoded *d, int *dir)
{
	struct tunnel_id tid;
	const struct tunnel_id *tun = pp->tun_hash ? tunnel_of(d, &tid) : NULL;
	struct flow *f = flow_table_lookup_hashed(a->flows, pp->flow_hash, d->ip_ver, d->l4proto,
						  d->src, d->sport, d->dst, d->dport, tun,
						  pp->tun_hash, dir);
	if (f && tun)
		flow_table_learn_tunnel_id(f, tun, *dir);
	if (f && d->l4proto == IPPROTO_TCP && tcp_is_new_connection(f, *dir, d)) {
		flow_table_retire(a->flows, f, RETIRE_REPLACED);
		f = NULL;
	}
	if (f)
		return f;
	int src_client = d->l4proto == IPPROTO_TCP ? tcp_src_is_client(d) : 1;
	/* The tunnel's endpoints, client side first like the key's. */
	struct tunnel_id ct;
	if (tun) {
		ct = *tun;
		if (!src_client) {
			memcpy(ct.addr[0], tun->addr[1], sizeof(ct.addr[0]));
			memcpy(ct.addr[1], tun->addr[0], sizeof(ct.addr[1]));
		}
		int d0 = src_client ? DIR_C2S : DIR_S2C;
		ct.id_dir[d0] = tun->id;
		ct.id_seen = (uint8_t)(1u << d0);
	}
	if (src_client)
		f = flow_table_insert(a->flows, d->ip_ver, d->l4proto, d->src, d->sport, d->dst,
				      d->dport, tun ? &ct : NULL, pp->tun_hash, d->rec->ts_ns);
	else
		f = flow_table_insert(a->flows, d->ip_ver, d->l4proto, d->dst, d->dport, d->src,
				      d->sport, tun ? &ct : NULL, pp->tun_hash, d->rec->ts_ns);
	if (!f)
		return NULL;
	f->first_frame = d->rec->frame;
	f->client_from_syn = d->l4proto == IPPROTO_TCP && (d->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	a->out.flow_new(a->out.user, f);
	f->state = FLOW_MIDSTREAM;
	f->half[0].wscale = f->half[1].wscale = -1;
	*dir = src_client ? DIR_C2S : DIR_S2C;
	return f;
}

/* The MSS a TCP payload is measured against for giant segments: the one
 * the receiver announced. Without it, only frames that are giants by their
 * own headers (IPv4 total length 0, a GSO hint) are, against Ethernet's. */
static uint16_t giant_reference_mss(const struct flow *f, int dir, const struct pkt_decoded *d)
{
	if (d->l4proto != IPPROTO_TCP || !d->payload_len)
		return 0;
	uint16_t mss = f->half[!dir].mss;
	if (!mss && ((d->anomalies & ANOM_IP_TOTLEN_ZERO) || (d->rec->hints & PKT_HINT_GSO)))
		mss = d->ip_ver == 4 ? TCP_DEFAULT_MSS_V4 : TCP_DEFAULT_MSS_V6;
	return mss && d->payload_len > mss ? mss : 0;
}

/* The sums and the flow hash of a decoded frame. */
static void prepare_decoded(struct pkt_prepared *pp)
{
	struct pkt_decoded *d = &pp->dec;
	pp->ip_ok = -1;
	pp->l4_done = false;
	pp->has_flow = false;
	pp->tun_hash = 0;
	pp->outer_verdict = CSUM_OK;
	pp->outer_lco = false;
	/* Also on a frame damaged past a whole IPv4 header (as tshark does). */
	pp->ip_ok = (int8_t)csum_verify_ipv4_header(d, &pp->ip_expected);
	pp->outer_ip_ok = -1;
	if (d->tun.kind != TUN_NONE && d->tun.ip_ver == 4 && d->tun.ip) {
		struct pkt_decoded o = {.ip_ver = 4, .ip = d->tun.ip, .ip_cap = d->tun.ip_cap,
					.ip_hlen = d->tun.ip_hlen, .ip_csum = d->tun.ip_csum};
		pp->outer_ip_ok = (int8_t)csum_verify_ipv4_header(&o, &pp->outer_ip_expected);
	}
	if (pp->rc != DECODE_OK)
		return;
	/* A TCP/UDP header here (not a fragment: its datagram, once whole,
	 * has it): the frame has a flow. */
	if (d->ip_frag || (d->l4proto != IPPROTO_TCP && d->l4proto != IPPROTO_UDP))
		return;
	if (d->tun.kind != TUN_NONE) {
		struct tunnel_id tid;
		tunnel_of(d, &tid);
		pp->tun_hash = flow_table_tunnel_hash(&tid);
	}
	pp->flow_hash = flow_table_hash(d->ip_ver, d->l4proto, d->src, d->sport, d->dst, d->dport,
					pp->tun_hash);
	pp->has_flow = true;
	pp->l4_verdict = (uint8_t)csum_verify_l4(d, &pp->l4_expected);
	pp->l4_done = true;
	if (d->tun.kind != TUN_NONE && d->tun.udp)
		pp->outer_verdict = (uint8_t)csum_verify_tunnel_udp(
			d, pp->l4_verdict == CSUM_OFFLOAD ? pp->l4_expected : 0, &pp->outer_expected,
			&pp->outer_lco);
}

void analyzer_prepare(void *unused, const struct pkt_record *rec, void *scratch)
{
	(void)unused;
	struct pkt_prepared *pp = scratch;
	pp->rc = (int16_t)decode_packet(rec, &pp->dec);
	pp->wire_extra = 0;
	prepare_decoded(pp);
}

/* A reassembled datagram's frame, decoded as its first fragment's frame
 * would have been: the link-level facts and the tunnel put back. */
static void prepare_datagram(struct defrag_datagram *dg, struct pkt_prepared *pp)
{
	struct pkt_decoded *d = &pp->dec;
	pp->rc = (int16_t)decode_packet(&dg->rec, d);
	d->link_encap = dg->link_encap;
	d->vlan_count = dg->vlan_count;
	memcpy(d->vlan, dg->vlan, sizeof(d->vlan));
	if (dg->tun.kind != TUN_NONE && d->tun.kind == TUN_NONE)
		d->tun = dg->tun;
	d->anomalies |= ANOM_REASSEMBLED;
	prepare_decoded(pp);
	uint64_t extra = dg->wire_bytes > dg->rec.wirelen ? dg->wire_bytes - dg->rec.wirelen : 0;
	pp->wire_extra = extra > UINT32_MAX ? UINT32_MAX : (uint32_t)extra;
	dg->rec.prep = pp;
}

void analyzer_lookahead(void *analyzer, const struct pkt_record *rec)
{
	struct analyzer *a = analyzer;
	const struct pkt_prepared *pp = rec->prep;
	uint32_t h = pp && pp->has_flow ? pp->flow_hash : 0;
	if (h)
		flow_table_prefetch_slot(a->flows, h);
	/* The frame LOOKAHEAD_LAG calls back: its slot has arrived by now. */
	unsigned i = a->lookahead_n++ % LOOKAHEAD_LAG;
	uint32_t older = a->lookahead_hash[i];
	a->lookahead_hash[i] = h;
	if (older)
		flow_table_prefetch_flow(a->flows, older);
}

static struct pkt_prepared *prepared(struct analyzer *a, const struct pkt_record *rec)
{
	struct pkt_prepared *pp = rec->prep;
	if (!pp) {
		pp = &a->prep;
		analyzer_prepare(NULL, rec, pp);
	}
	return pp;
}

static void frame_totals(struct analyzer_totals *t, const struct pkt_record *rec)
{
	t->frames++;
	t->bytes += rec->wirelen;
	if (!t->first_ts || rec->ts_ns < t->first_ts)
		t->first_ts = rec->ts_ns;
	if (rec->ts_ns > t->last_ts)
		t->last_ts = rec->ts_ns;
}

/* The capture's clock moves to the frame's time (never back) and flows whose
 * linger ran out by it end. */
static void advance_clock(struct analyzer *a, uint64_t ts_ns)
{
	if (ts_ns > a->clock)
		a->clock = ts_ns;
	flow_table_expire(a->flows, a->clock);
}

/* A frame's capture-wide part: damaged frames, frames without a flow (an
 * IPv4 header checksum error on ICMP...), the TCP/UDP counts. True when the
 * frame goes on to its flow. */
static bool frame_part(struct analyzer *a, const struct pkt_record *rec, struct pkt_prepared *pp)
{
	struct analyzer_totals *t = &a->tot;
	struct pkt_decoded *d = &pp->dec;
	int rc = pp->rc;
	if (rc == DECODE_NOT_IP) {
		t->non_ip++;
		return false;
	}
	if (d->anomalies & ANOM_TCP_OPT_BAD)
		damaged(a, rec, "malformed TCP option list (options after the fault ignored)");
	if (rc != DECODE_OK || !pp->has_flow) {
		if (rc != DECODE_OK) {
			t->malformed++;
			damaged(a, rec, decode_strerror(rc));
		} else {
			t->fragments += d->ip_frag;
			t->other_ip += !d->ip_frag;
		}
		if (pp->ip_ok == 0)
			csum_judge_ip(&a->judge, NULL, DIR_C2S, pp, d, d->ip_csum, pp->ip_expected);
		return false;
	}
	if (d->l4proto == IPPROTO_TCP)
		t->tcp_segments++;
	else
		t->udp_datagrams++;
	return true;
}

/* The recent packets of one flow of a multi-interface source. Two
 * interfaces hand over the same packet microseconds apart, but not in file
 * order: dumpcap writes each interface's packets as they come, in runs. A
 * match within DUP_WINDOW_NS either way, on another interface, among the
 * flow's last DUP_RING packets, is one packet seen twice. Kept per flow, so
 * --threads cannot change what is found. */
#define DUP_RING 128
#define DUP_WINDOW_NS 50000000ull
struct dup_ring {
	uint64_t sig[DUP_RING];
	uint64_t ts_ns[DUP_RING];
	uint16_t iface[DUP_RING];
	uint32_t next;
};

static uint64_t packet_sig(const struct pkt_decoded *d)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ d->ip_ver ^ (uint64_t)d->l4proto << 8;
	const uint64_t words[] = {
		(uint64_t)d->sport << 48 | (uint64_t)d->dport << 32 | (uint64_t)d->ip_id << 16 | d->l4_csum,
		(uint64_t)d->seq << 32 | d->ack, (uint64_t)d->payload_len << 16 | d->flags << 8 | d->tcp_hlen,
	};
	for (int i = 0; i < 3; i++)
		h = (h ^ words[i]) * 0xff51afd7ed558ccdull;
	for (int i = 0; i < 16; i += 8) {
		uint64_t s, t;
		memcpy(&s, d->src + i, 8);
		memcpy(&t, d->dst + i, 8);
		h = (h ^ s) * 0xc4ceb9fe1a85ec53ull;
		h = (h ^ t) * 0xc4ceb9fe1a85ec53ull;
	}
	return h ^ h >> 29;
}

/* A packet of flow f (a multi-interface source) already seen on another
 * interface: the same addresses, ports, IP id, checksum, sequence and ACK
 * numbers, flags and length, close in time. */
static bool seen_elsewhere(struct flow *f, const struct pkt_record *rec, const struct pkt_decoded *d)
{
	struct flow_cold *cold = flow_cold(f);
	if (!cold || (!cold->dups && !(cold->dups = calloc(1, sizeof(*cold->dups)))))
		return false; /* out of memory: analyzed, maybe twice */
	struct dup_ring *r = cold->dups;
	uint64_t h = packet_sig(d), ts = rec->ts_ns;
	for (uint32_t i = 0; i < DUP_RING; i++)
		if (r->sig[i] == h && r->iface[i] != rec->iface &&
		    (ts > r->ts_ns[i] ? ts - r->ts_ns[i] : r->ts_ns[i] - ts) <= DUP_WINDOW_NS) {
			r->sig[i] = 0; /* one copy per sighting */
			return true;
		}
	uint32_t k = r->next++ % DUP_RING;
	r->sig[k] = h;
	r->ts_ns[k] = ts;
	r->iface[k] = rec->iface;
	return false;
}

/* The segment observer's view of a segment, after tracking (a shard
 * records it for the merge to replay). */
static void observe_segment(struct analyzer *a, const struct flow *f, int dir,
			    const struct pkt_decoded *d)
{
	const struct tcp_half *h = &f->half[dir], *peer = &f->half[!dir];
	struct segment_obs o = {
		.ts_ns = d->rec->ts_ns,
		.frame = d->rec->frame,
		.flow_bytes = f->half[0].bytes + f->half[1].bytes,
		.flow_id = f->id,
		.seq = d->seq,
		.ack = d->ack,
		.payload_len = d->payload_len,
		.seq_base = h->seq_base,
		.peer_seq_base = peer->seq_base,
		.rwnd = h->rwnd,
		.retransmissions = h->retransmissions,
		.dir = (uint8_t)dir,
		.tcp_flags = d->flags,
		.l4_verdict = d->l4_verdict,
		.giant = d->giant_mss != 0,
		.first_packet = f->half[0].packets + f->half[1].packets == 1,
		.peer_seq_known = peer->seq_known,
		.closed = f->state == FLOW_CLOSED,
		.sack_count = d->opt.sack_count < TCP_MAX_SACK ? d->opt.sack_count : TCP_MAX_SACK,
	};
	if (o.closed)
		o.badness = flow_badness(f);
	memcpy(o.sack, d->opt.sack, o.sack_count * sizeof(o.sack[0]));
	a->out.segment(a->out.user, &o);
}

/* A frame's part in its flow: the flow found or made, checksums judged,
 * TCP tracked and every detector run. */
static void flow_part(struct analyzer *a, const struct pkt_record *rec, struct pkt_prepared *pp)
{
	struct flow_part_counts *counts = &a->tot.flow_part;
	struct pkt_decoded *d = &pp->dec;
	int dir = DIR_C2S;
	struct flow *f = flow_for(a, pp, d, &dir);
	if (!f) {
		damaged(a, rec, "out of memory for a new flow (skipped)");
		return;
	}
	if ((rec->hints & PKT_HINT_MULTI_IFACE) && seen_elsewhere(f, rec, d)) {
		f->cold->dup_frames++; /* counted, not analyzed again (seen_elsewhere made cold) */
		return;
	}
	struct tcp_half *h = &f->half[dir];
	f->link_encap |= d->link_encap;
	h->packets++;
	h->bytes += rec->wirelen + pp->wire_extra;
	h->payload_bytes += d->payload_len;
	counts->payload_bytes += d->payload_len;
	counts->data_segments += d->l4proto == IPPROTO_TCP && d->payload_len;
	f->last_frame = rec->frame;
	flow_table_touch(a->flows, f, rec->ts_ns, a->clock);

	if (pp->ip_ok == 0)
		csum_judge_ip(&a->judge, f, dir, pp, d, d->ip_csum, pp->ip_expected);
	if (pp->outer_ip_ok == 0) /* the tunnel's outer IPv4 header */
		csum_judge_ip(&a->judge, f, dir, pp, d, d->tun.ip_csum, pp->outer_ip_expected);
	d->giant_mss = giant_reference_mss(f, dir, d);
	if (pp->l4_done)
		csum_judge_l4(&a->judge, f, dir, pp, d);
	if (d->l4proto == IPPROTO_TCP) {
		tcp_track_segment(&a->tcp, f, dir, d);
		if (a->out.segment)
			observe_segment(a, f, dir, d);
		if (f->state == FLOW_CLOSED)
			flow_table_mark_closed(a->flows, f);
	}
}

/* What a fragment reassembly dropped, said once (by the analyzer that
 * reports: not a shard). */
static void defrag_damaged(struct analyzer *a, const struct pkt_record *rec, enum defrag_result r)
{
	static const char *const why[] = {
		[DEFRAG_DUP_CONFLICT] = "IP fragment repeats one already held with different "
					"bytes (the first kept, as Linux does)",
		[DEFRAG_OVERLAP] = "IP fragment overlaps another of its datagram: the datagram "
				   "is discarded, as Linux does (RFC 5722)",
		[DEFRAG_OVERSIZE] = "IP fragments add up to more than 65,535 bytes: the "
				    "datagram is discarded",
		[DEFRAG_BAD_END] = "IP fragment past its datagram's end, or a second different "
				   "end: the datagram is discarded",
		[DEFRAG_UNFIT] = "IP fragment not reassembled (empty, not a multiple of 8 bytes "
				 "before the last, or headers over 512 bytes)",
	};
	if (!a->shard && r < sizeof(why) / sizeof(why[0]) && why[r])
		damaged(a, rec, why[r]);
}

/* A fragment goes to its datagram. The fragment that makes it whole hands
 * it on, prepared, as a frame of its own (its time and frame number): NULL
 * until then. */
static const struct pkt_record *reassembled(struct analyzer *a, const struct pkt_record *rec,
					    const struct pkt_prepared *pp)
{
	if (pp->rc != DECODE_OK || !pp->dec.ip_frag)
		return NULL;
	if (!a->defrag && !(a->defrag = defrag_new())) {
		if (!a->shard)
			damaged(a, rec, "out of memory for IP reassembly (fragment skipped)");
		return NULL;
	}
	if (pp->ip_ok == 0) {
		defrag_reject(a->defrag);
		if (!a->shard)
			damaged(a, rec, "IP fragment with a wrong header checksum, which its receiver "
				     "drops");
		return NULL;
	}
	enum defrag_result r = defrag_add(a->defrag, rec, &pp->dec, &a->datagram);
	if (r != DEFRAG_WHOLE) {
		defrag_damaged(a, rec, r);
		return NULL;
	}
	prepare_datagram(&a->datagram, &a->datagram_prep);
	return &a->datagram.rec;
}

void analyzer_packet(struct analyzer *a, const struct pkt_record *rec)
{
	struct pkt_prepared *pp = prepared(a, rec);
	frame_totals(&a->tot, rec);
	advance_clock(a, rec->ts_ns);
	if (frame_part(a, rec, pp)) {
		flow_part(a, rec, pp);
		return;
	}
	const struct pkt_record *dg = reassembled(a, rec, pp);
	if (dg && frame_part(a, dg, dg->prep))
		flow_part(a, dg, dg->prep);
}

struct analyzer *analyzer_shard_new(const struct analyzer_config *cfg,
				    const struct analyzer_recorder *rec)
{
	struct analyzer_sink none = {0};
	struct analyzer *a = analyzer_new(cfg, &none);
	if (a) {
		a->out = *rec;
		a->shard = true;
	}
	return a;
}

void analyzer_shard_clock(struct analyzer *a, uint64_t ts_ns)
{
	advance_clock(a, ts_ns);
}

void analyzer_shard_flow(struct analyzer *a, const struct pkt_record *rec)
{
	flow_part(a, rec, rec->prep);
}

const struct pkt_record *analyzer_shard_fragment(struct analyzer *a, const struct pkt_record *rec)
{
	const struct pkt_record *dg = reassembled(a, rec, rec->prep);
	const struct pkt_prepared *dp = dg ? dg->prep : NULL;
	return dp && dp->rc == DECODE_OK && dp->has_flow ? dg : NULL;
}

void analyzer_frame(struct analyzer *a, const struct pkt_record *rec)
{
	struct pkt_prepared *pp = prepared(a, rec);
	frame_totals(&a->tot, rec);
	if (rec->ts_ns > a->clock)
		a->clock = rec->ts_ns;
	if (frame_part(a, rec, pp))
		return;
	const struct pkt_record *dg = reassembled(a, rec, pp);
	if (dg)
		frame_part(a, dg, dg->prep);
}

void analyzer_merge_event(struct analyzer *a, const struct flow *f, const struct finding_event *ev,
			   bool write)
{
	totals_event(&a->tot, ev, f != NULL);
	if (write && a->sink.event)
		a->sink.event(a->sink.user, f, ev);
}

void analyzer_merge_flow_new(struct analyzer *a, const struct flow *f)
{
	totals_flow_new(&a->tot, f);
}

void analyzer_merge_flow_end(struct analyzer *a, const struct flow *f, enum flow_retire_reason why,
			      const struct flow_rounds *rounds)
{
	totals_flow_end(&a->tot, f, why);
	if (a->sink.flow_end)
		a->sink.flow_end(a->sink.user, f, why, rounds);
}

void analyzer_merge_segment(struct analyzer *a, const struct segment_obs *o)
{
	if (a->sink.segment)
		a->sink.segment(a->sink.segment_user, o);
}

bool analyzer_observes_segments(const struct analyzer *a)
{
	return a->sink.segment != NULL;
}

void analyzer_merge_damaged(struct analyzer *a, uint64_t frame, const char *msg)
{
	if (a->sink.damaged)
		a->sink.damaged(a->sink.damaged_user, frame, msg);
}

void analyzer_absorb(struct analyzer *a, const struct analyzer *shard)
{
	const struct flow_part_counts *s = &shard->tot.flow_part;
	struct flow_part_counts *m = &a->tot.flow_part;
#define FLOW_PART_SUM(name) m->name += s->name;
	FLOW_PART_COUNTERS(FLOW_PART_SUM)
#undef FLOW_PART_SUM
	a->absorbed_held_overflow += held_pool_overflow(shard->held);
	a->absorbed_rounds_pool_full += round_store_pool_full(shard->rounds);
}

uint64_t analyzer_pool_overflows(const struct analyzer *a)
{
	return held_pool_overflow(a->held) + round_store_pool_full(a->rounds);
}

/* The pools' own counters, and the reassembly's, copied into the totals. */
static void pool_counters(const struct analyzer *a, struct analyzer_totals *t)
{
	t->held_overflow = held_pool_overflow(a->held) + a->absorbed_held_overflow;
	t->rounds_pool_full = round_store_pool_full(a->rounds) + a->absorbed_rounds_pool_full;
	if (a->defrag)
		t->defrag = *defrag_counts(a->defrag);
}

void analyzer_finish(struct analyzer *a)
{
	flow_table_drain(a->flows);
	if (a->defrag)
		defrag_flush(a->defrag);
	pool_counters(a, &a->tot);
}

const struct analyzer_totals *analyzer_totals(const struct analyzer *a)
{
	return &a->tot;
}

/* An open flow as if it ended now (its capture loss counted among the
 * flows with some, as at its end). */
static void snapshot_one(void *user, const struct flow *f)
{
	totals_flow_state(user, f);
}

void analyzer_snapshot_totals(const struct analyzer *a, struct analyzer_totals *out)
{
	*out = a->tot;
	pool_counters(a, out);
	flow_table_each(a->flows, snapshot_one, out);
}

void analyzer_each_open_flow(const struct analyzer *a, flow_each_fn fn, void *user)
{
	flow_table_each(a->flows, fn, user);
}

const struct analyzer_config *analyzer_config(const struct analyzer *a)
{
	return &a->cfg;
}

uint16_t analyzer_open_flow_rounds(const struct analyzer *a, const struct flow *f, int dir,
				   struct cwnd_round *out, uint16_t max)
{
	return round_store_copy(a->rounds, &f->cw[dir].rounds, out, max);
}

size_t analyzer_flows_open(const struct analyzer *a)
{
	return flow_table_count(a->flows);
}
