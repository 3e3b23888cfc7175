/*
 * analyze/diagnose.c — see diagnose.h. Ranking: severity first, then impact
 * (time lost, data lost, count), then kind, so the order is stable.
 */
#include "diagnose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct finding *add(struct finding *out, size_t *n, size_t max, enum finding_kind k,
			   enum cause c, uint64_t count, enum severity sev, double impact)
{
	if (*n >= max)
		return NULL;
	struct finding *f = &out[(*n)++];
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

static void diag_checksums(const struct analyzer_totals *t, struct finding *out, size_t *n,
			   size_t max)
{
	uint64_t segs = t->tcp_segments + t->udp_datagrams;
	uint64_t off = t->kind_count[FIND_CSUM_OFFLOAD];
	if (off) {
		struct finding *f = add(out, n, max, FIND_CSUM_OFFLOAD, CAUSE_NONE, off, SEV_INFO,
					(double)off * 1e-6);
		if (f) {
			snprintf(f->explanation, sizeof(f->explanation),
				 "%llu segments (%.1f%% of TCP/UDP) carry a checksum-offload artifact: "
				 "the checksum field holds only the pseudo-header sum that the kernel "
				 "leaves for the NIC to finish (tx checksum offload on the sender, or "
				 "GRO/LRO merging on the receiver). The capture saw them before the "
				 "checksum was filled in. Harmless.",
				 (unsigned long long)off, pct(off, segs));
			snprintf(f->remedy, sizeof(f->remedy),
				 "Nothing to fix. To see the real checksums, capture on the peer or on "
				 "the wire; `ethtool -k IFACE | grep checksumming` shows the offload "
				 "in use. Do not disable offload to silence `tcpdump -vv` \"incorrect\".");
		}
	}
	uint64_t bad = t->kind_count[FIND_CSUM_BAD];
	if (bad) {
		struct finding *f = add(out, n, max, FIND_CSUM_BAD, CAUSE_NONE, bad, SEV_HIGH,
					(double)bad * 1000);
		if (f) {
			snprintf(f->explanation, sizeof(f->explanation),
				 "%llu segments (%.2f%% of TCP/UDP) arrived with a checksum that is "
				 "wrong and is not an offload artifact: the bytes were damaged between "
				 "the sender and the capture point. A receiver drops such a segment and "
				 "the sender must retransmit it.",
				 (unsigned long long)bad, pct(bad, segs));
			snprintf(f->remedy, sizeof(f->remedy),
				 "Suspect the sender's NIC, virtual NIC or path: on a Xen/KVM guest try "
				 "`ethtool -K IFACE tx off` on the sending host (persist it in the "
				 "interface's post-up hook) and compare; check `ethtool -S IFACE` and "
				 "`nstat -az TcpInCsumErrors` on the receiver; capture on the sender "
				 "to locate the damage.");
		}
	}
	uint64_t ipbad = t->kind_count[FIND_IP_CSUM_BAD];
	if (ipbad) {
		struct finding *f = add(out, n, max, FIND_IP_CSUM_BAD, CAUSE_NONE, ipbad, SEV_HIGH,
					(double)ipbad * 1000);
		if (f) {
			snprintf(f->explanation, sizeof(f->explanation),
				 "%llu IPv4 headers have a wrong header checksum: the kernel always "
				 "computes it in software, so this is damage, not offload.",
				 (unsigned long long)ipbad);
			snprintf(f->remedy, sizeof(f->remedy),
				 "Check the path for faulty hardware or a middlebox rewriting headers; "
				 "`nstat -az IpInHdrErrors` on the receiver counts the drops.");
		}
	}
}

static void diag_tcp(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max)
{
	uint64_t rt = t->kind_count[FIND_RETRANSMISSION];
	if (rt) {
		const uint64_t *cc = t->cause_count[FIND_RETRANSMISSION];
		struct finding *f = add(out, n, max, FIND_RETRANSMISSION, CAUSE_NONE, rt, SEV_MEDIUM,
					(double)t->retrans_bytes + (double)rt);
		if (f) {
			snprintf(f->explanation, sizeof(f->explanation),
				 "%llu segments were sent again (%llu bytes, %.2f%% of the payload): "
				 "%llu after duplicate ACKs (fast retransmit), %llu after a timeout "
				 "(RTO), %llu as tail loss probes, %llu spurious, %llu undetermined.",
				 (unsigned long long)rt, (unsigned long long)t->retrans_bytes,
				 pct(t->retrans_bytes, t->payload_bytes),
				 (unsigned long long)cc[CAUSE_FAST], (unsigned long long)cc[CAUSE_RTO],
				 (unsigned long long)cc[CAUSE_TLP], (unsigned long long)cc[CAUSE_SPURIOUS],
				 (unsigned long long)(cc[CAUSE_UNKNOWN] + cc[CAUSE_NONE]));
			snprintf(f->remedy, sizeof(f->remedy),
				 "Loss on the path or at a receiver: compare `nstat -az TcpRetransSegs` "
				 "with the interface drop counters (`ip -s link`, `ethtool -S`) on both "
				 "hosts; timeouts cost far more than fast retransmits.");
		}
	}
	uint64_t zw = t->kind_count[FIND_ZERO_WINDOW];
	if (zw) {
		struct finding *f = add(out, n, max, FIND_ZERO_WINDOW, CAUSE_NONE, zw, SEV_MEDIUM,
					(double)zw * 10);
		if (f) {
			snprintf(f->explanation, sizeof(f->explanation),
				 "%llu frames advertised a zero receive window: the receiving "
				 "application did not read fast enough and its socket buffer filled, "
				 "so the sender had to wait.",
				 (unsigned long long)zw);
			snprintf(f->remedy, sizeof(f->remedy),
				 "Make the receiver read faster, or give it a larger buffer "
				 "(SO_RCVBUF, net.ipv4.tcp_rmem); `ss -tm` shows the receive queue.");
		}
	}
	uint64_t syn = t->kind_count[FIND_SYN_RETRANSMIT];
	if (syn) {
		struct finding *f = add(out, n, max, FIND_SYN_RETRANSMIT, CAUSE_NONE, syn, SEV_MEDIUM,
					(double)syn * 1000);
		if (f) {
			snprintf(f->explanation, sizeof(f->explanation),
				 "%llu SYNs or SYN-ACKs were sent again: each costs the client at least "
				 "one second (the initial RTO). Either the SYN was lost, or the server's "
				 "listen queue was full and it dropped the SYN.",
				 (unsigned long long)syn);
			snprintf(f->remedy, sizeof(f->remedy),
				 "On the server check `nstat -az TcpExtListenOverflows TcpExtListenDrops`; "
				 "if they grow, accept() faster or raise the backlog (listen() argument "
				 "and net.core.somaxconn).");
		}
	}
	uint64_t giants = t->kind_count[FIND_GIANT_SEGMENT];
	if (giants) {
		struct finding *f = add(out, n, max, FIND_GIANT_SEGMENT, CAUSE_NONE, giants, SEV_INFO,
					(double)giants * 1e-6);
		if (f) {
			snprintf(f->explanation, sizeof(f->explanation),
				 "%llu segments are larger than the peer's MSS: segmentation offload "
				 "(TSO/GSO, on the sender) or receive offload (GRO/LRO, on the receiver) "
				 "merged them above the capture point. They are not on the wire in this "
				 "form; the capture was taken above offload.",
				 (unsigned long long)giants);
			snprintf(f->remedy, sizeof(f->remedy),
				 "Nothing to fix. To see wire-sized segments, capture on the wire, or "
				 "turn offload off while capturing (`ethtool -K IFACE tso off gso off "
				 "gro off`), knowing it changes the timing you measure.");
		}
	}
	uint64_t rst = t->kind_count[FIND_RST];
	if (rst) {
		struct finding *f = add(out, n, max, FIND_RST, CAUSE_NONE, rst, SEV_LOW, (double)rst);
		if (f) {
			snprintf(f->explanation, sizeof(f->explanation),
				 "%llu connections were reset (RST) instead of closed.",
				 (unsigned long long)rst);
			snprintf(f->remedy, sizeof(f->remedy),
				 "Often deliberate (a client closing with unread data, SO_LINGER 0); "
				 "a RST right after a SYN means no listener on that port.");
		}
	}
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
	qsort(out, n, sizeof(*out), by_rank);
	return n;
}
