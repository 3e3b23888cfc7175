/*
 * analyze/diagnose.c — see diagnose.h. Ranking: severity first, then impact
 * (time lost, data lost, count), then kind, so the order is stable.
 */
#include "diagnose.h"
#include "diagnose_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <string.h>

static int by_rank(const void *a, const void *b);

struct finding *diag_add(struct finding *out, size_t *n, size_t max, enum finding_kind k,
			 enum cause c, uint64_t count, double impact)
{
	return diag_add_sev(out, n, max, k, c, finding_severity_of(k, c), count, impact);
}

struct finding *diag_add_sev(struct finding *out, size_t *n, size_t max, enum finding_kind k,
			     enum cause c, enum severity sev, uint64_t count, double impact)
{
	struct finding *f;
	if (*n < max) {
		f = &out[(*n)++];
	} else {
		/* Full: the new finding takes the place of the least one when it
		 * ranks above it, so the list keeps the worst whatever order the
		 * finders run in (60 hosts' offload artifacts must not push out
		 * a timeout stall). */
		if (!max)
			return NULL;
		struct finding probe = {.kind = k, .cause = c, .severity = sev, .impact = impact};
		size_t least = 0;
		for (size_t i = 1; i < max; i++)
			if (by_rank(&out[i], &out[least]) > 0)
				least = i;
		if (by_rank(&probe, &out[least]) >= 0)
			return NULL;
		f = &out[least];
	}
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->cause = c;
	f->count = count;
	f->severity = sev;
	f->impact = impact;
	return f;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static void diag_offload_host(const struct host_stats *h, struct finding *out, size_t *n,
			      size_t max)
{
	uint64_t off = h->offload[0] + h->offload[1] + h->offload[2];
	if (!off)
		return;
	enum cause side = CAUSE_UNKNOWN;
	if (h->offload[CSUM_SIDE_TX] > h->offload[CSUM_SIDE_RX] &&
	    h->offload[CSUM_SIDE_TX] >= h->offload[CSUM_SIDE_UNKNOWN])
		side = CAUSE_TX;
	else if (h->offload[CSUM_SIDE_RX] > h->offload[CSUM_SIDE_UNKNOWN])
		side = CAUSE_RX;
	struct finding *f = diag_add(out, n, max, FIND_CSUM_OFFLOAD, side, off, (double)off * 1e-3);
	if (!f)
		return;
	host_stats_name(h, "other hosts", f->host, sizeof(f->host));
	const char *hn = f->host;
	if (side == CAUSE_TX && 2 * h->offload_tx_local >= h->offload[CSUM_SIDE_TX]) {
		/* Its peers' replies carry the seed too: one host, no wire. */
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu checksums on segments sent by %s (%.1f%% of them) hold only the "
			 "pseudo-header sum, and so do the replies of its peers: both ends ran on "
			 "the capturing host (loopback, a veth pair, containers), where no NIC "
			 "fills the checksum in and no wire carries one; the receiving stack "
			 "trusts such packets without summing them. Harmless: `tcpdump -vv` calls "
			 "them \"incorrect\".",
			 (unsigned long long)off, hn, pct(off, h->segments));
		snprintf(f->remedy, sizeof(f->remedy),
			 "Nothing to fix. Do not turn tx checksumming off just to silence the "
			 "capture: traffic that leaves this host gets its checksums from the NIC.");
	} else if (side == CAUSE_TX && 2 * h->offload_in > off) {
		/* The source says they came in: the capture was on the receiver. */
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu checksums on segments sent by %s (%.1f%% of them) hold only the "
			 "pseudo-header sum, and the capture marks them received: %s reached the "
			 "capturing host over a virtual link (veth, a tap, virtio-net) that hands "
			 "the receiver the sender's unfinished checksum, which nothing on the way "
			 "fills in; the receiving stack trusts such packets without summing them. "
			 "tx checksum-offload artifacts of %s, harmless: `tcpdump -vv` calls them "
			 "\"incorrect\".",
			 (unsigned long long)off, hn, pct(off, h->segments), hn, hn);
		snprintf(f->remedy, sizeof(f->remedy),
			 "Nothing to fix. `ethtool -k IFACE | grep tx-checksumming` on %s shows the "
			 "offload on; a capture on a physical wire shows the real checksums.", hn);
	} else if (side == CAUSE_TX) {
		/* Marked sent by the source, or inferred: the peers' sums are right. */
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu checksums on segments sent by %s (%.1f%% of them) are tx "
			 "checksum-offload artifacts: the capture ran on %s itself (%s) and saw "
			 "each segment before its NIC filled in the checksum, so the field holds "
			 "only the pseudo-header sum the kernel leaves for the NIC. Harmless: "
			 "`tcpdump -vv` calls them \"incorrect\", but the NIC fills in the right "
			 "sum on the way out (over a virtual link such as veth nothing does, and "
			 "the receiver trusts the packet).",
			 (unsigned long long)off, hn, pct(off, h->segments), hn,
			 2 * h->offload_out > off ? "the capture marks these frames sent"
						  : "its peers' checksums are right");
		snprintf(f->remedy, sizeof(f->remedy),
			 "Nothing to fix. `ethtool -k IFACE | grep tx-checksumming` on %s shows the "
			 "offload on; capture on the peer or on the wire to see the real checksums. "
			 "Do not turn tx checksumming off just to silence the capture.", hn);
	} else if (side == CAUSE_RX) {
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu segments sent by %s were merged by GRO/LRO on the receiving host "
			 "before the capture saw them: a merged segment carries only the "
			 "pseudo-header sum in its checksum field, while %s's other segments "
			 "arrived with valid checksums. Harmless: the wire carried normal, "
			 "correctly checksummed segments.",
			 (unsigned long long)off, hn, hn);
		snprintf(f->remedy, sizeof(f->remedy),
			 "Nothing to fix. `ethtool -k IFACE | grep -E 'generic-receive|large-receive'` "
			 "on the receiver shows GRO/LRO on; turn it off while capturing (`ethtool -K "
			 "IFACE gro off`) only if you need wire-sized segments.");
	} else {
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu checksums on segments sent by %s (%.1f%% of them) hold only the "
			 "pseudo-header sum: checksum-offload artifacts (tx checksum offload on the "
			 "sender or GRO/LRO on the receiver, above the capture point), not "
			 "corruption. Harmless.",
			 (unsigned long long)off, hn, pct(off, h->segments));
		snprintf(f->remedy, sizeof(f->remedy),
			 "Nothing to fix. `ethtool -k IFACE` on the capturing host shows which "
			 "offload is on; capture on the wire to see the real checksums.");
	}
}

static void diag_corrupt_host(const struct host_stats *h, struct finding *out, size_t *n,
			      size_t max)
{
	if (!h->bad)
		return;
	double avg = h->bad_dropped ? h->resent_ms / (double)h->bad_dropped : 0;
	struct finding *f = diag_add(out, n, max, FIND_CSUM_BAD, CAUSE_NONE, h->bad,
				     1000.0 * (double)h->bad + h->resent_ms);
	if (!f)
		return;
	host_stats_name(h, "other hosts", f->host, sizeof(f->host));
	const char *hn = f->host;
	uint64_t unknown = h->bad - h->bad_dropped - h->bad_accepted;
	char dropped[200] = "", accepted[200] = "", unk[96] = "";
	if (h->bad_dropped)
		snprintf(dropped, sizeof(dropped),
			 " %llu were discarded by the receiver and sent again (%.0f ms after the "
			 "damaged copy, on average).",
			 (unsigned long long)h->bad_dropped, avg);
	if (h->bad_accepted)
		snprintf(accepted, sizeof(accepted),
			 " %llu were acknowledged without a resend: the copy the capture saw was "
			 "damaged, not the one delivered.",
			 (unsigned long long)h->bad_accepted);
	if (unknown)
		snprintf(unk, sizeof(unk), " %llu had no visible outcome.", (unsigned long long)unknown);
	snprintf(f->explanation, sizeof(f->explanation),
		 "%llu segments sent by %s carry a wrong checksum that is not an offload "
		 "artifact (%.2f%% of its segments): the bytes were damaged between %s and the "
		 "capture point.%s%s%s",
		 (unsigned long long)h->bad, hn, pct(h->bad, h->segments), hn, dropped, accepted, unk);
	snprintf(f->remedy, sizeof(f->remedy),
		 "Suspect %s's NIC or virtual NIC and the path from it. On a Xen or KVM guest "
		 "the virtual NIC's tx checksumming is a known culprit: on %s run `ethtool -K "
		 "IFACE tx off` and compare (persist it in the interface's post-up hook; it "
		 "costs some CPU). Otherwise check `ethtool -S IFACE` and `ip -s link` for "
		 "errors, the cabling and switch port, and `nstat -az TcpInCsumErrors "
		 "UdpInCsumErrors` on the receiver.", hn, hn);
}

/* " sent by A (n), B (m) and 2 more hosts": the hosts whose IPv4 headers
 * carried a zero sum, in the host table's order; " sent by A" when A sent
 * all of them; empty when no host is known (frames outside any flow). */
static void ip_offload_hosts(const struct analyzer_totals *t, uint64_t total, char *buf, size_t len)
{
	size_t used = 0, named = 0, more = 0;
	buf[0] = 0;
	for (size_t i = 0; i <= t->nhosts; i++) {
		const struct host_stats *h = i < t->nhosts ? &t->hosts[i] : &t->hosts_other;
		if (!h->ip_offload)
			continue;
		if (named == 3) {
			more++;
			continue;
		}
		char name[64];
		host_stats_name(h, "other hosts", name, sizeof(name));
		char count[32] = "";
		if (h->ip_offload != total)
			snprintf(count, sizeof(count), " (%llu)", (unsigned long long)h->ip_offload);
		int w = snprintf(buf + used, len - used, "%s%s%s", named ? ", " : " sent by ", name, count);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
		named++;
	}
	if (more && used < len)
		snprintf(buf + used, len - used, " and %zu more host%s", more, more == 1 ? "" : "s");
}

static void diag_checksums(const struct analyzer_totals *t, struct finding *out, size_t *n,
			   size_t max)
{
	for (size_t i = 0; i < t->nhosts; i++) {
		diag_offload_host(&t->hosts[i], out, n, max);
		diag_corrupt_host(&t->hosts[i], out, n, max);
	}
	diag_offload_host(&t->hosts_other, out, n, max);
	diag_corrupt_host(&t->hosts_other, out, n, max);
	/* UDP checksums of flows never ended (none: every flow ends) and events
	 * outside flows are covered by the hosts; IPv4 headers are global. */
	uint64_t ipbad = t->kind_count[FIND_IP_CSUM_BAD];
	if (ipbad) {
		struct finding *f = diag_add(out, n, max, FIND_IP_CSUM_BAD, CAUSE_NONE, ipbad,
					     (double)ipbad * 1000);
		if (f) {
			snprintf(f->explanation, sizeof(f->explanation),
				 "%llu IPv4 headers have a wrong header checksum, not the 0x0000 "
				 "that header checksum offload leaves: the bytes were damaged (or "
				 "rewritten without a new checksum) before the capture point.",
				 (unsigned long long)ipbad);
			snprintf(f->remedy, sizeof(f->remedy),
				 "Check the path for faulty hardware or a middlebox rewriting headers; "
				 "`nstat -az IpInHdrErrors` on the receiver counts the drops.");
		}
	}
	uint64_t ipoff = t->kind_count[FIND_IP_CSUM_OFFLOAD];
	if (ipoff) {
		struct finding *f = diag_add(out, n, max, FIND_IP_CSUM_OFFLOAD, CAUSE_TX, ipoff, 0);
		if (f) {
			char who[200];
			ip_offload_hosts(t, ipoff, who, sizeof(who));
			snprintf(f->explanation, sizeof(f->explanation),
				 "%llu IPv4 header%s%s carr%s a header checksum of 0x0000: the sending "
				 "host left the field for its interface to fill (IPv4 header "
				 "checksum offload, as Windows, FreeBSD and macOS do, loopback "
				 "included, where nothing ever fills it; Linux always sums the "
				 "header itself) and the capture ran on that host. Not corruption.",
				 (unsigned long long)ipoff, ipoff == 1 ? "" : "s", who, ipoff == 1 ? "ies" : "y");
			snprintf(f->remedy, sizeof(f->remedy),
				 "Nothing to fix. Capture on the receiving host or a mirror port to "
				 "see the field the NIC wrote; on Windows, "
				 "`Get-NetAdapterChecksumOffload` shows the IPv4 offload setting.");
		}
	}
}

void count_list(char *buf, size_t len, const uint64_t *cc, const struct counted *items,
		size_t nitems)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < nitems && used < len; i++) {
		if (!cc[items[i].c])
			continue;
		int w = snprintf(buf + used, len - used, "%s%llu %s", used ? ", " : "",
				 (unsigned long long)cc[items[i].c], items[i].what);
		used += w > 0 ? (size_t)w : 0;
	}
}

static void diag_retransmissions(const struct analyzer_totals *t, struct finding *out, size_t *n,
				 size_t max)
{
	uint64_t rt = t->kind_count[FIND_RETRANSMISSION];
	if (!rt)
		return;
	uint64_t cc[CAUSE_COUNT];
	memcpy(cc, t->cause_count[FIND_RETRANSMISSION], sizeof(cc));
	cc[CAUSE_UNKNOWN] += cc[CAUSE_NONE];
	/* Mostly spurious: the network lost (almost) nothing. */
	bool spurious = 2 * cc[CAUSE_SPURIOUS] > rt;
	/* mostly spurious: as bad as the spurious resends it mostly is */
	struct finding *f = diag_add_sev(out, n, max, FIND_RETRANSMISSION, CAUSE_NONE,
					 finding_severity_of(FIND_RETRANSMISSION,
							     spurious ? CAUSE_SPURIOUS : CAUSE_NONE),
					 rt, (double)t->retrans_bytes + (double)rt);
	if (f) {
		static const struct counted why[] = {
			{CAUSE_FAST, "after duplicate ACKs or SACKs (fast retransmit)"},
			{CAUSE_RTO, "after a timeout (RTO)"},
			{CAUSE_TLP, "as tail loss probes"},
			{CAUSE_SPURIOUS, "spurious (the receiver had the bytes already: a "
					 "D-SACK said so, or they were acknowledged before)"},
			{CAUSE_UNKNOWN, "undetermined"},
		};
		char list[512];
		count_list(list, sizeof(list), cc, why, sizeof(why) / sizeof(why[0]));
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu %s sent again (%llu bytes, %.2f%% of the payload): %s.",
			 (unsigned long long)rt, rt == 1 ? "segment was" : "segments were",
			 (unsigned long long)t->retrans_bytes,
			 pct(t->retrans_bytes, t->flow_part.payload_bytes), list);
		if (spurious)
			snprintf(f->remedy, sizeof(f->remedy),
				 "Not loss: the resent bytes had arrived. Reordering on the "
				 "path makes a sender resend what was only late (holes filled "
				 "by the original, see sack_gap); find what reorders (per-packet "
				 "ECMP or LAG hashing, multipath). A timeout shorter than a delay "
				 "spike does it too. `nstat -az TcpExtTCPDSACKRecv "
				 "TcpExtTCPSACKReorder` on the sender counts the D-SACKs and reorderings it saw.");
		else
			snprintf(f->remedy, sizeof(f->remedy),
				 "Loss on the path or at a receiver: compare `nstat -az "
				 "TcpRetransSegs` with the interface drop counters (`ip -s link`, "
				 "`ethtool -S`) on both hosts; timeouts cost far more than fast "
				 "retransmits.");
	}
}

static void diag_sack_gaps(const struct analyzer_totals *t, struct finding *out, size_t *n,
			   size_t max)
{
	uint64_t gaps = t->kind_count[FIND_SACK_GAP];
	if (!gaps)
		return;
	const uint64_t *cc = t->cause_count[FIND_SACK_GAP];
	struct finding *f = diag_add(out, n, max, FIND_SACK_GAP, CAUSE_NONE, gaps,
				     t->gap_fill_ms);
	if (f) {
		static const struct counted fills[] = {
			{CAUSE_FAST, "by fast retransmit"},
			{CAUSE_RTO, "by a timeout (RTO)"},
			{CAUSE_TLP, "by a tail loss probe"},
			{CAUSE_ORIGINAL, "by the original arriving late (reordering: sooner "
					 "than any resend could have been acknowledged)"},
			{CAUSE_UNKNOWN, "later, without a resend the capture saw (it missed "
					"the resend, or the original came over an RTT late)"},
			{CAUSE_NEVER, "never (the connection ended first)"},
		};
		char how[512];
		count_list(how, sizeof(how), cc, fills, sizeof(fills) / sizeof(fills[0]));
		snprintf(f->explanation, sizeof(f->explanation),
			 "Receivers reported %llu %s with SACK (data missing below data "
			 "they had): open %.1f ms on average. Filled: %s.",
			 (unsigned long long)gaps, gaps == 1 ? "hole" : "holes",
			 t->gap_fill_ms / (double)gaps, how);
		if (2 * cc[CAUSE_ORIGINAL] > gaps)
			snprintf(f->remedy, sizeof(f->remedy),
				 "Reordering, not loss: the missing segments came, only late. "
				 "Find what reorders on the path (per-packet ECMP or LAG "
				 "hashing, multipath); resends it caused are spurious (see "
				 "retransmission).");
		else
			snprintf(f->remedy, sizeof(f->remedy),
				 "Each hole is a lost (or badly reordered) segment: see the "
				 "retransmissions for where the loss is; holes filled by "
				 "timeouts cost the most.");
	}
}

static void diag_zero_windows(const struct analyzer_totals *t, struct finding *out, size_t *n,
			      size_t max)
{
	uint64_t zw = t->kind_count[FIND_ZERO_WINDOW];
	if (!zw)
		return;
	struct finding *f = diag_add(out, n, max, FIND_ZERO_WINDOW, CAUSE_NONE, zw,
				     (double)zw * 10);
	if (f) {
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu frame%s advertised a zero receive window: the receiving "
			 "application did not read fast enough and its socket buffer filled, "
			 "so the sender had to wait.",
			 (unsigned long long)zw, zw == 1 ? "" : "s");
		snprintf(f->remedy, sizeof(f->remedy),
			 "Make the receiver read faster, or give it a larger buffer "
			 "(SO_RCVBUF, net.ipv4.tcp_rmem); `ss -tm` shows the receive queue.");
	}
}

static void diag_syn_retries(const struct analyzer_totals *t, struct finding *out, size_t *n,
			     size_t max)
{
	uint64_t syn = t->kind_count[FIND_SYN_RETRANSMIT];
	if (!syn)
		return;
	struct finding *f = diag_add(out, n, max, FIND_SYN_RETRANSMIT, CAUSE_NONE, syn,
				     (double)syn * 1000);
	if (f) {
		const uint64_t *g = t->setup.syn_gap;
		const struct server_stats *worst = NULL;
		for (uint32_t i = 0; i < t->setup.nservers; i++) {
			const struct server_stats *v = &t->setup.servers[i];
			if (v->syn_retries + v->synack_retries &&
			    (!worst || v->syn_retries + v->synack_retries >
					       worst->syn_retries + worst->synack_retries))
				worst = v;
		}
		char who[160] = "";
		if (worst) {
			char ep[64];
			server_stats_endpoint(worst, ep, sizeof(ep));
			snprintf(who, sizeof(who),
				 " Most at %s: %llu SYN and %llu SYN-ACK retries over %llu "
				 "connections, handshake p99 %.0f ms.",
				 ep, (unsigned long long)worst->syn_retries,
				 (unsigned long long)worst->synack_retries,
				 (unsigned long long)worst->connections,
				 server_handshake_quantile(worst, 0.99));
		}
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu SYNs or SYN-ACKs were sent again: each retry costs the client "
			 "at least a second (the initial RTO). Either the SYN was lost, or the "
			 "server's listen queue was full and it dropped the SYN. Retry "
			 "intervals: %llu ~1 s (Linux with tcp_syn_linear_timeouts), %llu ~2 s, "
			 "%llu ~4 s, %llu 8 s or more (exponential backoff), %llu other.%s",
			 (unsigned long long)syn, (unsigned long long)g[SYN_GAP_1S],
			 (unsigned long long)g[SYN_GAP_2S], (unsigned long long)g[SYN_GAP_4S],
			 (unsigned long long)g[SYN_GAP_8S_PLUS],
			 (unsigned long long)g[SYN_GAP_OTHER], who);
		snprintf(f->remedy, sizeof(f->remedy),
			 "On the server check `nstat -az TcpExtListenOverflows TcpExtListenDrops` "
			 "(and `ss -ltn`: Recv-Q against Send-Q); if they grow, accept() faster "
			 "or raise the backlog (listen() argument and net.core.somaxconn). If "
			 "they do not, the SYNs were lost on the way: look at the path.");
	}
}

static void diag_giants(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max)
{
	uint64_t giants = t->kind_count[FIND_GIANT_SEGMENT];
	if (!giants)
		return;
	struct finding *f = diag_add(out, n, max, FIND_GIANT_SEGMENT, CAUSE_NONE, giants,
				     (double)giants * 1e-6);
	if (f) {
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu segments are larger than the peer's MSS: segmentation offload "
			 "(TSO/GSO, on the sender) or receive offload (GRO/LRO, on the receiver) "
			 "merged them above the capture point (%llu made by TSO/GSO on the "
			 "sender, %llu by GRO/LRO on the receiver, %llu undetermined). They are "
			 "not on the wire in this form%s. Sizes in MSS multiples: %llu under 2, "
			 "%llu 2-4, %llu 4-8, %llu 8-16, %llu 16-32, %llu 32 or more.",
			 (unsigned long long)giants,
			 (unsigned long long)t->cause_count[FIND_GIANT_SEGMENT][CAUSE_TSO_GSO],
			 (unsigned long long)t->cause_count[FIND_GIANT_SEGMENT][CAUSE_GRO_LRO],
			 (unsigned long long)t->cause_count[FIND_GIANT_SEGMENT][CAUSE_UNKNOWN],
			 giants * 10 >= t->flow_part.data_segments ? ": this capture was taken above offload"
							 : "",
			 (unsigned long long)t->giant_by_multiple[0],
			 (unsigned long long)t->giant_by_multiple[1],
			 (unsigned long long)t->giant_by_multiple[2],
			 (unsigned long long)t->giant_by_multiple[3],
			 (unsigned long long)t->giant_by_multiple[4],
			 (unsigned long long)t->giant_by_multiple[5]);
		snprintf(f->remedy, sizeof(f->remedy),
			 "Nothing to fix. To see wire-sized segments, capture on the wire, or "
			 "turn offload off while capturing (`ethtool -K IFACE tso off gso off "
			 "gro off`), knowing it changes the timing you measure.");
	}
}

static void diag_resets(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max)
{
	uint64_t rst = t->kind_count[FIND_RST];
	if (!rst)
		return;
	struct finding *f = diag_add(out, n, max, FIND_RST, CAUSE_NONE, rst, (double)rst);
	if (f) {
		snprintf(f->explanation, sizeof(f->explanation),
			 "%llu connection resets (RST) instead of orderly closes.",
			 (unsigned long long)rst);
		snprintf(f->remedy, sizeof(f->remedy),
			 "Often deliberate (a client closing with unread data, SO_LINGER 0); "
			 "a RST right after a SYN means no listener on that port.");
	}
}

static void diag_tcp(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max)
{
	diag_retransmissions(t, out, n, max);
	diag_sack_gaps(t, out, n, max);
	diag_zero_windows(t, out, n, max);
	diag_syn_retries(t, out, n, max);
	diag_giants(t, out, n, max);
	diag_resets(t, out, n, max);
}

static int by_rank(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->impact != y->impact)
		return x->impact > y->impact ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->cause < y->cause ? -1 : x->cause > y->cause;
}

size_t diagnose(const struct analyzer_totals *t, struct finding *out, size_t max)
{
	size_t n = 0;
	diag_checksums(t, out, &n, max);
	diag_tcp(t, out, &n, max);
	diag_stalls(t, out, &n, max);
	diag_capture_loss(t, out, &n, max);
	diag_cwnd(t, out, &n, max);
	qsort(out, n, sizeof(*out), by_rank);
	return n;
}
