/*
 * analyze/diagnose_stall.c — findings for stalls (one per cause, ranked by
 * time lost, naming the worst connection) and for capture loss.
 */
#include <stdio.h>
#include <string.h>

#include "diagnose.h"
#include "diagnose_internal.h"
#include "stall.h"

struct stall_text {
	enum cause cause;
	const char *what;    /* what happened, after "N stalls (T ms in all): " */
	const char *remedy;
};

static const struct stall_text texts[] = {
	{CAUSE_DELAYED_ACK,
	 "data waited for an ACK that the receiver held back: delayed ACK (40 ms "
	 "minimum on Linux, up to 200 ms) while Nagle kept the sender's next small "
	 "write until the outstanding one was acknowledged.",
	 "Set TCP_NODELAY on the sending socket (setsockopt(fd, IPPROTO_TCP, "
	 "TCP_NODELAY, &one, sizeof one)), or send each message with one write "
	 "(writev) instead of several small ones. TCP_QUICKACK on the receiver only "
	 "helps until its next delayed ACK."},
	{CAUSE_CORK,
	 "a sub-MSS segment was held back and went out one retransmission timeout "
	 "after it could have been sent (200 ms plus about an RTT or more): "
	 "TCP_CORK's ceiling, the kernel's probe timer pushing what the corked "
	 "socket held (the application corked and never uncorked).",
	 "Uncork after the last write of each message (setsockopt TCP_CORK 0), or "
	 "use MSG_MORE on every send but the last one instead of TCP_CORK."},
	{CAUSE_RTO,
	 "the connection sat idle until a retransmission timeout resent lost data "
	 "(at least 200 ms on Linux, doubling on each retry): nothing told the "
	 "sender of the loss sooner (a lost tail, or too little in flight for "
	 "duplicate ACKs).",
	 "Fix the loss (see the retransmissions); keep SACK and tail loss probes on "
	 "(net.ipv4.tcp_sack=1, net.ipv4.tcp_early_retrans=3); `nstat -az "
	 "TcpExtTCPTimeouts TcpExtTCPLossProbes` counts them on the sender."},
	{CAUSE_TLP,
	 "the sender had data in flight and heard nothing back until its tail loss "
	 "probe (RFC 8985, about two RTTs) drew an answer: the end of a flight was "
	 "lost, or the receiver's ACKs were.",
	 "Find the loss (see the retransmissions and SACK holes): compare `nstat -az "
	 "TcpExtTCPLossProbes TcpExtTCPLossProbeRecovery` on the sender with the drop "
	 "counters of the path (`ip -s link`, `ethtool -S`); ACKs lost on the way "
	 "back show as a probe that resends nothing."},
	{CAUSE_ZERO_WINDOW,
	 "the receiver advertised a zero window: its application did not read fast "
	 "enough and its socket buffer was full.",
	 "Make the receiving application read sooner or faster; give it a larger "
	 "buffer (net.ipv4.tcp_rmem; avoid a small fixed SO_RCVBUF); `ss -tm` shows "
	 "the receive queue."},
	{CAUSE_RECEIVER_LIMITED,
	 "the data in flight filled the receiver's advertised window, so the sender "
	 "had to wait for it to open.",
	 "Raise the receiver's buffer limit (net.ipv4.tcp_rmem max) and let "
	 "autotuning work (do not set SO_RCVBUF); check that window scaling is on "
	 "(net.ipv4.tcp_window_scaling=1)."},
	{CAUSE_SENDER_LIMITED,
	 "nothing was in flight and the window was open, yet the same side waited "
	 "before sending more: the sending application (or its kernel) did not "
	 "supply data.",
	 "Look at the sender: its write pattern, CPU, and `ss -ti` (app_limited); if "
	 "this appeared after a kernel or application upgrade, compare captures "
	 "taken before and after it."},
	{CAUSE_APP_IDLE,
	 "the other side spoke next, after think time between a request and its "
	 "response; bytes outstanding in such a wait are the request itself, "
	 "acknowledged by the reply that carried the ACK. Not a network fault.",
	 "Nothing to fix in the network: the time is the application's (server "
	 "processing or client think time)."},
	{CAUSE_UNKNOWN, "the cause could not be determined.",
	 "Capture on both ends to see which side waited."},
};

void diag_stalls(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max)
{
	for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		int i = stall_cause_index(texts[k].cause);
		if (!t->stall_n[i])
			continue;
		struct finding *f = diag_add(out, n, max, FIND_STALL, texts[k].cause, t->stall_n[i],
					     t->stall_ms[i]);
		if (!f)
			continue;
		const struct stall_worst *w = &t->stall_worst[i];
		char c[64], s[64], worst[320] = "";
		if (w->flow_id) {
			flow_endpoint(&w->key, 0, c, sizeof(c));
			flow_endpoint(&w->key, 1, s, sizeof(s));
			snprintf(worst, sizeof(worst),
				 " Worst: flow %u, %s -> %s, %u wait%s of ~%.0f ms, %.0f%% of its life.",
				 w->flow_id, c, s, w->n, w->n == 1 ? "" : "s", w->n ? w->ms / w->n : 0,
				 w->life_ms > 0 ? 100.0 * w->ms / w->life_ms : 0);
		}
		/* One wait of the ceiling's length could be think time that
		 * lasted as long: say so rather than claim it. */
		const char *single = texts[k].cause == CAUSE_CORK && t->stall_n[i] == 1
					     ? " Only one such wait: it fits TCP_CORK's ceiling, "
					       "but think time of that length would look the same; "
					       "more rounds would tell."
					     : "";
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu stall%s (%.0f ms in all, ~%.0f ms each): %s%s%s",
			 (unsigned long long)t->stall_n[i], t->stall_n[i] == 1 ? "" : "s", t->stall_ms[i],
			 t->stall_ms[i] / (double)t->stall_n[i], texts[k].what, worst, single);
		snprintf(f->remedy, sizeof(f->remedy), "%s", texts[k].remedy);
	}
}

void diag_capture_loss(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max)
{
	uint64_t events = t->kind_count[FIND_CAPTURE_LOSS];
	if (!events)
		return;
	struct finding *f = diag_add(out, n, max, FIND_CAPTURE_LOSS, CAUSE_NONE, events,
				     (double)t->capture_lost_bytes);
	if (!f)
		return;
	double share = t->flow_part.payload_bytes + t->capture_lost_bytes
			       ? 100.0 * (double)t->capture_lost_bytes /
					 (double)(t->flow_part.payload_bytes + t->capture_lost_bytes)
			       : 0;
	snprintf(f->explanation, sizeof(f->explanation),
		 "The capture missed %llu bytes (%.2f%% of the data, in %llu holes over %llu "
		 "connection%s) that the receivers acknowledged and nobody resent: the capture "
		 "dropped them, not the network. Timing, RTT and loss figures of those "
		 "connections are incomplete%s.",
		 (unsigned long long)t->capture_lost_bytes, share, (unsigned long long)events,
		 (unsigned long long)t->flows_with_capture_loss,
		 t->flows_with_capture_loss == 1 ? "" : "s",
		 share > 5 ? ": do not trust this trace for timing" : "");
	snprintf(f->remedy, sizeof(f->remedy),
		 "Capture with a larger buffer (`tcpdump -B 65536`), a short snap length "
		 "(`-s 128` keeps every header), to fast storage; check tcpdump's \"dropped "
		 "by kernel\" line; or capture with tcplens itself (TPACKET_V3 ring).");
}
