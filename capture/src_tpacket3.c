/*
 * capture/src_tpacket3.c — live source: AF_PACKET with a TPACKET_V3 mmap
 * ring (capture -> analyze -> report). The kernel fills blocks of packets in
 * memory shared with us; we walk a block in place (no copy, no syscall per
 * packet), hand every packet to the callback and only then give the block
 * back (TP_STATUS_KERNEL), as netsniff-ng does. poll() is called only when
 * the next block is still the kernel's.
 *
 * What the kernel knows and a pcap file does not becomes pkt_record fields:
 * sll_pkttype -> dir, tp_status -> hints (checksum not ready / valid, GSO),
 * tp_vlan_tci -> vlan_tci (the tag the NIC or kernel stripped; the analyzer
 * treats it as the outer tag, the frame bytes are left as they are).
 * PACKET_STATISTICS gives the drops; a frame flagged TP_STATUS_LOSING makes
 * us read them when its block is done.
 *
 * Defaults: 64 blocks of 1 MiB (a 64 MiB ring holds ~40,000 full-size
 * frames, ~0.5 s at 1 Gbit/s of 1500-byte frames) and a 20 ms retire
 * timeout, so a quiet link still shows packets within 20 ms.
 */
#include "capture.h"
#include "tpacket3.h"

#include <errno.h>
#include <linux/filter.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "common/units.h"

#ifndef TP_STATUS_GSO_TCP
#define TP_STATUS_GSO_TCP (1 << 8)   /* Linux 6.3 (tp_status bits: kernel-facts.md) */
#endif
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define TP3_FRAME_SIZE 2048          /* only validated by V3, blocks hold any size */

struct tp3_priv {
	int fd;
	uint8_t *ring;
	size_t ring_len;
	unsigned block_size, nblocks;
	unsigned cur;                /* block being walked */
	const uint8_t *next;         /* next packet header in cur, NULL = not started */
	uint32_t left;               /* packets of cur not yet delivered */
	int block_losing;            /* a frame of cur said TP_STATUS_LOSING */
	int linktype;
	int poll_ms;
	/* Read by capture_stats, which a fanout group calls from the consumer's
	 * thread while this ring's own thread delivers: relaxed atomics. */
	uint64_t frame_no;
	/* PACKET_STATISTICS resets on every read: the sums live here (atomic
	 * adds: either thread may read them) */
	uint64_t k_packets, k_drops, k_freezes;
	uint64_t losing_frames;
};

static int tp3_fail(char *errbuf, const char *ifname, const char *what, int err)
{
	if (err == EPERM || err == EACCES)
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE,
			 "tpacket3 on %s: %s: %s: capturing needs CAP_NET_RAW (run as root, or "
			 "`setcap cap_net_raw+ep` on the tcplens binary)",
			 ifname, what, strerror(err));
	else
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "tpacket3 on %s: %s: %s", ifname, what,
			 strerror(err));
	return CAPTURE_ERR;
}

/* The DLT of what the ring holds from the link-layer header on, or -1. */
static int tp3_linktype(int fd, const char *ifname)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	switch (ifr.ifr_hwaddr.sa_family) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:  /* lo carries a zeroed Ethernet header */
		return DLT_EN10MB;
	case ARPHRD_NONE:      /* tun, wireguard: bare IP */
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
	case ARPHRD_SIT:
		return DLT_RAW;
	default:
		return -1;
	}
}

/* Compile expr for linktype with libpcap and attach it to the socket: the
 * kernel filters before the ring, so rejected packets cost no ring space. */
static int tp3_attach_filter(int fd, int linktype, int snaplen, const char *ifname,
			     const char *expr, char *errbuf)
{
	pcap_t *dead = pcap_open_dead(linktype, snaplen);
	if (!dead) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "out of memory");
		return CAPTURE_ERR;
	}
	struct bpf_program prog;
	int rc = CAPTURE_OK;
	if (pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "bad filter expression '%s': %s", expr,
			 pcap_geterr(dead));
		pcap_close(dead);
		return CAPTURE_ERR;
	}
	/* struct bpf_insn and struct sock_filter have the same layout */
	struct sock_fprog fp = {.len = (unsigned short)prog.bf_len,
				.filter = (struct sock_filter *)prog.bf_insns};
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0)
		rc = tp3_fail(errbuf, ifname, "SO_ATTACH_FILTER", errno);
	pcap_freecode(&prog);
	pcap_close(dead);
	return rc;
}

/* A filter that keeps nothing: the socket holds no packet until its fanout
 * group is whole (capture/tpacket3.h). */
static int tp3_hold(int fd, const char *ifname, char *errbuf)
{
	struct sock_filter none[] = {{.code = BPF_RET | BPF_K, .k = 0}};
	struct sock_fprog fp = {.len = 1, .filter = none};
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0)
		return tp3_fail(errbuf, ifname, "SO_ATTACH_FILTER", errno);
	return CAPTURE_OK;
}

int tpacket3_set_filter(struct capture_source *src, const char *expr, int snaplen, char *errbuf)
{
	struct tp3_priv *p = src->priv;
	if (expr && *expr)
		return tp3_attach_filter(p->fd, p->linktype,
					 snaplen > 0 ? snaplen : CAPTURE_SNAPLEN_DEFAULT, src->name,
					 expr, errbuf);
	/* Every packet, up to the snap length (as libpcap's programs say it). */
	struct sock_filter all[] = {
		{.code = BPF_RET | BPF_K,
		 .k = (uint32_t)(snaplen > 0 ? snaplen : CAPTURE_SNAPLEN_DEFAULT)}};
	struct sock_fprog fp = {.len = 1, .filter = all};
	if (setsockopt(p->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0)
		return tp3_fail(errbuf, src->name, "SO_ATTACH_FILTER", errno);
	return CAPTURE_OK;
}

int tpacket3_fanout_join(struct capture_source *src, int *group, char *errbuf)
{
	struct tp3_priv *p = src->priv;
	/* Hash mode: the kernel's symmetric flow hash picks the ring, so a
	 * connection's two directions share one. No DEFRAG flag: it would hand
	 * the rings the kernel's reassembled datagram in place of the
	 * fragments on the wire; fanout.c merges the rings by time, so which
	 * ring a fragment lands in changes nothing. */
	int arg = *group < 0 ? (int)((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16)
			     : (int)((unsigned)*group | PACKET_FANOUT_HASH << 16);
	if (setsockopt(p->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0)
		return tp3_fail(errbuf, src->name, "PACKET_FANOUT", errno);
	if (*group < 0) {
		int got = 0;
		socklen_t l = sizeof(got);
		if (getsockopt(p->fd, SOL_PACKET, PACKET_FANOUT, &got, &l) < 0)
			return tp3_fail(errbuf, src->name, "PACKET_FANOUT (its id)", errno);
		*group = got & 0xffff;
	}
	return CAPTURE_OK;
}

int tpacket3_pending(struct capture_source *src, uint64_t *since)
{
	struct tp3_priv *p = src->priv;
	struct tpacket_block_desc *bd =
		(struct tpacket_block_desc *)(p->ring + (size_t)p->cur * p->block_size);
	if (p->next || (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
		return 1; /* frames ready to read */
	if (!__atomic_load_n(&bd->hdr.bh1.num_pkts, __ATOMIC_ACQUIRE))
		return 0;
	/* The kernel opened this block at ts_first_pkt, before it put any of
	 * them in (prb_open_block). */
	*since = (uint64_t)bd->hdr.bh1.ts_first_pkt.ts_sec * NS_PER_S_U64 +
		 bd->hdr.bh1.ts_first_pkt.ts_nsec;
	return 2;
}

static void tp3_free(struct tp3_priv *p)
{
	if (p->ring)
		munmap(p->ring, p->ring_len);
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

static int tp3_setup_ring(struct tp3_priv *p, const struct capture_config *cfg,
			  const char *ifname, char *errbuf)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned bs = cfg->ring_block_size ? cfg->ring_block_size : CAPTURE_RING_BLOCK_DEFAULT;
	unsigned bn = cfg->ring_blocks ? cfg->ring_blocks : CAPTURE_RING_BLOCKS_DEFAULT;
	unsigned tov = cfg->ring_timeout_ms ? cfg->ring_timeout_ms : CAPTURE_RING_TIMEOUT_DEFAULT;
	if (page <= 0 || bs % (unsigned)page || bs < TP3_FRAME_SIZE || bn < 2) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE,
			 "tpacket3 ring: blocks must be a multiple of the page size (%ld bytes), "
			 "at least 2 of them", page);
		return CAPTURE_ERR;
	}
	int ver = TPACKET_V3;
	if (setsockopt(p->fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) < 0)
		return tp3_fail(errbuf, ifname, "PACKET_VERSION TPACKET_V3", errno);
	struct tpacket_req3 req = {
		.tp_block_size = bs,
		.tp_block_nr = bn,
		.tp_frame_size = TP3_FRAME_SIZE,
		.tp_frame_nr = bs / TP3_FRAME_SIZE * bn,
		.tp_retire_blk_tov = tov,
	};
	if (setsockopt(p->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		return tp3_fail(errbuf, ifname, "PACKET_RX_RING", errno);
	p->ring_len = (size_t)bs * bn;
	void *m = mmap(NULL, p->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, p->fd, 0);
	if (m == MAP_FAILED)
		return tp3_fail(errbuf, ifname, "mmap of the ring", errno);
	p->ring = m;
	p->block_size = bs;
	p->nblocks = bn;
	return CAPTURE_OK;
}

static int tp3_open(struct capture_source *src, const struct capture_config *cfg, char *errbuf)
{
	const char *ifname = cfg->name;
	struct tp3_priv *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "out of memory");
		return CAPTURE_ERR;
	}
	p->fd = -1;
	p->poll_ms = cfg->poll_ms ? cfg->poll_ms : CAPTURE_POLL_MS_DEFAULT;
	int snaplen = cfg->snaplen > 0 ? cfg->snaplen : CAPTURE_SNAPLEN_DEFAULT;
	/* Protocol 0: nothing arrives before bind(), so no packet slips past
	 * the filter while it is being attached. */
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		tp3_fail(errbuf, ifname, "socket(AF_PACKET)", errno);
		goto fail;
	}
	unsigned ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: no such interface%s", ifname,
			 strcmp(ifname, "any") ? "" : " for tpacket3 (use --engine pcap for 'any')");
		goto fail;
	}
	p->linktype = tp3_linktype(p->fd, ifname);
	if (p->linktype < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE,
			 "%s: tpacket3 reads Ethernet, loopback and bare-IP interfaces; "
			 "try --engine pcap", ifname);
		goto fail;
	}
	if (cfg->fanout_hold ? tp3_hold(p->fd, ifname, errbuf) < 0
			     : cfg->bpf && *cfg->bpf &&
				       tp3_attach_filter(p->fd, p->linktype, snaplen, ifname,
							 cfg->bpf, errbuf) < 0)
		goto fail;
	if (tp3_setup_ring(p, cfg, ifname, errbuf) < 0)
		goto fail;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)ifindex};
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		tp3_fail(errbuf, ifname, "bind", errno);
		goto fail;
	}
	/* On lo every packet passes twice (sent, received): keep one, as
	 * libpcap does. */
	int one = 1;
	if (p->linktype == DLT_EN10MB && !strcmp(ifname, "lo"))
		setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	/* Promiscuous like tcpdump; the membership ends with the socket. */
	struct packet_mreq mr = {.mr_ifindex = (int)ifindex, .mr_type = PACKET_MR_PROMISC};
	setsockopt(p->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr));
	/* Start the counters at zero: what came before bind is not ours. */
	struct tpacket_stats_v3 st;
	socklen_t sl = sizeof(st);
	getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
	src->priv = p;
	src->linktype = p->linktype;
	src->precision = TS_PRECISION_NSEC;
	return CAPTURE_OK;
fail:
	tp3_free(p);
	return CAPTURE_ERR;
}

static void tp3_read_stats(struct tp3_priv *p)
{
	struct tpacket_stats_v3 st;
	socklen_t sl = sizeof(st);
	if (getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) < 0)
		return;
	__atomic_fetch_add(&p->k_packets, st.tp_packets, __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->k_drops, st.tp_drops, __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->k_freezes, st.tp_freeze_q_cnt, __ATOMIC_RELAXED);
}

static void tp3_deliver(struct tp3_priv *p, const struct tpacket3_hdr *h, capture_packet_fn fn,
			void *user)
{
	const struct sockaddr_ll *sll =
		(const struct sockaddr_ll *)((const uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
	uint32_t st = h->tp_status;
	uint8_t hints = 0;
	if (st & TP_STATUS_CSUMNOTREADY)
		hints |= PKT_HINT_CSUM_NOT_READY;
	if (st & TP_STATUS_CSUM_VALID)
		hints |= PKT_HINT_CSUM_VALID;
	if (st & TP_STATUS_GSO_TCP)
		hints |= PKT_HINT_GSO;
	if (st & TP_STATUS_LOSING) {
		p->losing_frames++;
		p->block_losing = 1;
	}
	struct pkt_record rec = {
		.ts_ns = (uint64_t)h->tp_sec * NS_PER_S_U64 + h->tp_nsec,
		.frame = p->frame_no + 1,
		.caplen = h->tp_snaplen,
		.wirelen = h->tp_len,
		.linktype = p->linktype,
		.dir = sll->sll_pkttype == PACKET_OUTGOING ? PKT_DIR_OUT : PKT_DIR_IN,
		.hints = hints,
		.vlan_valid = (st & TP_STATUS_VLAN_VALID) ? 1 : 0,
		.vlan_tci = (st & TP_STATUS_VLAN_VALID) ? h->hv1.tp_vlan_tci : 0,
		.data = (const uint8_t *)h + h->tp_mac,
	};
	__atomic_store_n(&p->frame_no, rec.frame, __ATOMIC_RELAXED);
	fn(user, &rec);
}

/* Wait for the current block. Returns 1 when it is ours, 0 on timeout or
 * signal, CAPTURE_ERR when the socket failed (interface gone). */
static int tp3_wait(struct capture_source *src, struct tpacket_block_desc *bd, char *errbuf)
{
	struct tp3_priv *p = src->priv;
	struct pollfd pfd = {.fd = p->fd, .events = POLLIN | POLLERR};
	int rc = poll(&pfd, 1, p->poll_ms);
	if (rc < 0 && errno != EINTR)
		return tp3_fail(errbuf, src->name, "poll", errno);
	if (rc > 0 && (pfd.revents & POLLERR)) {
		int err = 0;
		socklen_t l = sizeof(err);
		getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err)
			return tp3_fail(errbuf, src->name, "capture socket", err);
	}
	return (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) != 0;
}

static int tp3_dispatch(struct capture_source *src, int max, capture_packet_fn fn, void *user,
			char *errbuf)
{
	struct tp3_priv *p = src->priv;
	int n = 0;
	if (max <= 0)
		max = 1 << 30;
	while (n < max) {
		struct tpacket_block_desc *bd =
			(struct tpacket_block_desc *)(p->ring + (size_t)p->cur * p->block_size);
		if (!p->next) {
			uint32_t bs = __atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
			if (!(bs & TP_STATUS_USER)) {
				if (n)
					break;     /* hand what we have to the caller first */
				int w = tp3_wait(src, bd, errbuf);
				if (w <= 0)
					return w;
				continue;
			}
			p->left = bd->hdr.bh1.num_pkts;
			p->next = (const uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
		}
		while (p->left && n < max) {
			const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)p->next;
			tp3_deliver(p, h, fn, user);
			n++;
			p->next += h->tp_next_offset;
			p->left--;
		}
		if (p->left)
			break;
		/* Every packet of the block was handed over: give it back. */
		if (p->block_losing) {
			tp3_read_stats(p);
			p->block_losing = 0;
		}
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		p->cur = (p->cur + 1) % p->nblocks;
		p->next = NULL;
	}
	return n;
}

static int tp3_stats(struct capture_source *src, struct capture_stats *out)
{
	struct tp3_priv *p = src->priv;
	tp3_read_stats(p);
	out->packets = __atomic_load_n(&p->frame_no, __ATOMIC_RELAXED);
	out->kernel_drops = __atomic_load_n(&p->k_drops, __ATOMIC_RELAXED);
	out->kernel_drops_known = 1;
	out->kernel_freezes = __atomic_load_n(&p->k_freezes, __ATOMIC_RELAXED);
	return CAPTURE_OK;
}

static void tp3_close(struct capture_source *src)
{
	if (src->priv)
		tp3_free(src->priv);
	src->priv = NULL;
}

const struct capture_ops capture_tpacket3_ops = {
	.name = "tpacket3",
	.open = tp3_open,
	.dispatch = tp3_dispatch,
	.stats = tp3_stats,
	.close = tp3_close,
};
