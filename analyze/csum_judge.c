/*
 * analyze/csum_judge.c — see csum_judge.h.
 */
#include "csum_judge.h"

#include <netinet/in.h>

#include "csum_fate.h"
#include "csum_verify.h"
#include "event_sink.h"

/* Which side made an offload artifact. A segment that was not merged got
 * its seed from the sending host's stack: tx, whichever way the capture
 * saw it go (a virtual link such as veth hands the receiver the sender's
 * unfinished checksum). A merged giant is GRO/LRO on the receiver when the
 * same sender's other segments arrived with valid checksums, TSO/GSO on the
 * sender when they carry the seed too (a datagram the sender fragmented
 * has a good sum whatever its offload: not counted); only then does the
 * capture's direction break the tie. */
static enum csum_side artifact_side(const struct flow *f, int dir, const struct pkt_decoded *d)
{
	const struct tcp_half *h = &f->half[dir];
	if (!d->giant_mss)
		return CSUM_SIDE_TX;
	if (flow_csum_ok_offload_evidence(f, dir))
		return CSUM_SIDE_RX;
	if (h->csum_offload_side[CSUM_SIDE_TX])
		return CSUM_SIDE_TX;
	if (d->dir == PKT_DIR_OUT)
		return CSUM_SIDE_TX;
	if (d->dir == PKT_DIR_IN)
		return CSUM_SIDE_RX;
	return CSUM_SIDE_UNKNOWN;
}

/* The outer UDP checksum of a tunneled frame, counted for its flow: Local
 * Checksum Offload and a GSO seed are artifacts; a mismatch neither explains
 * is damage on the underlay, and the receiving tunnel endpoint drops the
 * frame as it would for a bad inner sum. True when it was damage. */
static bool outer_damaged(struct flow *f, int dir, const struct pkt_prepared *pp)
{
	struct flow_cold *cold = flow_cold(f);
	enum csum_verdict o = (enum csum_verdict)pp->outer_verdict;
	bool bad = o == CSUM_BAD && !pp->outer_lco;
	if (cold) {
		cold->outer_lco[dir] += o == CSUM_BAD && pp->outer_lco;
		cold->outer_seed[dir] += o == CSUM_OFFLOAD;
		cold->outer_bad[dir] += bad;
	}
	return bad;
}

void csum_judge_l4(const struct csum_judge *j, struct flow *f, int dir, const struct pkt_prepared *pp,
		   struct pkt_decoded *d)
{
	struct tcp_half *h = &f->half[dir];
	uint16_t expected = pp->l4_expected;
	enum csum_verdict v = (enum csum_verdict)pp->l4_verdict;
	uint16_t found = d->l4_csum;
	if (d->tun.kind != TUN_NONE && d->tun.udp && outer_damaged(f, dir, pp) && v != CSUM_BAD) {
		v = CSUM_BAD; /* the event names the outer field */
		found = d->tun.udp_csum;
		expected = pp->outer_expected;
	}
	if (v == CSUM_OFFLOAD && j->no_offload_signature &&
	    !(d->rec->hints & PKT_HINT_CSUM_NOT_READY))
		v = d->l4_cap < d->l4_len ? CSUM_UNVERIFIABLE : CSUM_BAD;
	d->l4_verdict = (uint8_t)v;
	if (v == CSUM_OK) {
		h->csum_ok++;
		struct flow_cold *cold = (d->anomalies & ANOM_REASSEMBLED) ? flow_cold(f) : NULL;
		if (cold)
			cold->csum_ok_fragmented[dir]++;
		return;
	}
	if (v == CSUM_UNVERIFIABLE) {
		(*j->unverifiable)++;
		return;
	}
	if (v != CSUM_OFFLOAD && v != CSUM_BAD)
		return;
	struct finding_event ev;
	event_init(&ev, f, d, dir, v == CSUM_OFFLOAD ? FIND_CSUM_OFFLOAD : FIND_CSUM_BAD);
	ev.proto = d->l4proto == IPPROTO_TCP ? CAUSE_TCP : CAUSE_UDP;
	ev.u.csum.found = found;
	ev.u.csum.expected = expected;
	if (v == CSUM_OFFLOAD) {
		static const uint8_t side_cause[] = {CAUSE_UNKNOWN, CAUSE_TX, CAUSE_RX};
		enum csum_side side = artifact_side(f, dir, d);
		ev.cause = side_cause[side];
		h->csum_offload++;
		h->csum_offload_side[side]++;
		struct flow_cold *cold = d->dir != PKT_DIR_UNKNOWN ? flow_cold(f) : NULL;
		if (cold) {
			cold->csum_offload_in[dir] += d->dir == PKT_DIR_IN;
			cold->csum_offload_out[dir] += d->dir == PKT_DIR_OUT;
		}
		event_emit(j->events, f, &ev);
		return;
	}
	h->csum_bad++;
	if (d->l4proto != IPPROTO_TCP) {
		/* UDP is never resent: no way to learn a fate (samples/udp.pcap). */
		ev.cause = CAUSE_UNKNOWN;
		event_emit(j->events, f, &ev);
		return;
	}
	/* The SYN and the FIN take a sequence number each: a damaged SYN is
	 * dropped when it is sent again, accepted when the SYN-ACK acks it. */
	uint32_t space = d->payload_len + ((d->flags & TCP_SYN) ? 1u : 0u) +
			 ((d->flags & TCP_FIN) ? 1u : 0u);
	csum_fate_hold(j->held, f, dir, d->seq, d->seq + space, &ev, j->events);
}

/* A wrong IPv4 header checksum. A field of 0x0000 is what IPv4 header
 * checksum offload leaves in a capture taken on the sending host (Windows,
 * FreeBSD; Linux always sums the header in software): an artifact, side tx,
 * unless the evidence says the wire carried it. The frame came in (the
 * source gives the direction), or its TCP/UDP checksum is damaged too, or
 * --test-no-offload-signature. */
void csum_judge_ip(const struct csum_judge *j, struct flow *f, int dir, const struct pkt_prepared *pp,
		   const struct pkt_decoded *d, uint16_t found, uint16_t expected)
{
	bool offload = found == 0 && !j->no_offload_signature && d->dir != PKT_DIR_IN &&
		       !(pp->l4_done && pp->l4_verdict == CSUM_BAD);
	struct finding_event ev;
	event_init(&ev, f, d, dir, offload ? FIND_IP_CSUM_OFFLOAD : FIND_IP_CSUM_BAD);
	ev.cause = offload ? CAUSE_TX : CAUSE_NONE;
	ev.u.csum.found = found;
	ev.u.csum.expected = expected;
	event_emit(j->events, f, &ev);
}
