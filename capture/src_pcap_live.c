/*
 * capture/src_pcap_live.c — live source through libpcap (capture -> analyze
 * -> report): the portable engine, for any interface libpcap opens, `any`
 * included (Linux cooked frames: the direction comes from their packet
 * type). Immediate mode, nanosecond timestamps when the platform has them,
 * drops from pcap_stats. The handle is non-blocking and we poll its
 * selectable fd ourselves, so a quiet link or a signal returns control to
 * the caller within poll_ms (a TPACKET_V3 read timeout alone can wait
 * forever: libpcap #335).
 */
#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/units.h"

struct plive_priv {
	pcap_t *pcap;
	int fd;                  /* selectable fd, -1 = none: sleep poll_ms */
	int poll_ms;
	int linktype;
	int nsec;
	uint64_t frame_no;
	uint64_t stat_base_drops; /* pcap_stats counts from activation */
	capture_packet_fn fn;
	void *user;
};

static void plive_on_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct plive_priv *p = (struct plive_priv *)arg;
	uint64_t frac = (uint64_t)h->ts.tv_usec * (p->nsec ? 1u : 1000u);
	struct pkt_record rec = {
		.ts_ns = (uint64_t)h->ts.tv_sec * NS_PER_S_U64 + frac,
		.frame = ++p->frame_no,
		.caplen = h->caplen,
		.wirelen = h->len,
		.linktype = p->linktype,
		.dir = PKT_DIR_UNKNOWN,  /* SLL/SLL2 frames carry it; decode_link reads it */
		.data = bytes,
	};
	p->fn(p->user, &rec);
}

static int plive_fail(char *errbuf, const char *ifname, pcap_t *pc, int rc)
{
	const char *msg = pc ? pcap_geterr(pc) : "";
	if (rc == PCAP_ERROR_PERM_DENIED)
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE,
			 "pcap on %s: %s: capturing needs CAP_NET_RAW (run as root, or "
			 "`setcap cap_net_raw+ep` on the tcplens binary)",
			 ifname, *msg ? msg : "permission denied");
	else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: no such interface (%s)", ifname, msg);
	else
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "pcap on %s: %s", ifname,
			 *msg ? msg : pcap_statustostr(rc));
	return CAPTURE_ERR;
}

static int plive_open(struct capture_source *src, const struct capture_config *cfg, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct plive_priv *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "out of memory");
		return CAPTURE_ERR;
	}
	p->poll_ms = cfg->poll_ms ? cfg->poll_ms : CAPTURE_POLL_MS_DEFAULT;
	p->pcap = pcap_create(cfg->name, perr);
	if (!p->pcap) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "pcap on %s: %s", cfg->name, perr);
		free(p);
		return CAPTURE_ERR;
	}
	pcap_set_snaplen(p->pcap, cfg->snaplen > 0 ? cfg->snaplen : CAPTURE_SNAPLEN_DEFAULT);
	pcap_set_promisc(p->pcap, 1);
	pcap_set_immediate_mode(p->pcap, 1);
	pcap_set_timeout(p->pcap, p->poll_ms);
	/* libpcap's ring: the same size as tpacket3's default */
	unsigned bs = cfg->ring_block_size ? cfg->ring_block_size : CAPTURE_RING_BLOCK_DEFAULT;
	unsigned bn = cfg->ring_blocks ? cfg->ring_blocks : CAPTURE_RING_BLOCKS_DEFAULT;
	pcap_set_buffer_size(p->pcap, (int)((uint64_t)bs * bn > (1u << 30) ? 1u << 30 : bs * bn));
	p->nsec = pcap_set_tstamp_precision(p->pcap, PCAP_TSTAMP_PRECISION_NANO) == 0;
	int rc = pcap_activate(p->pcap);
	if (rc < 0) {
		plive_fail(errbuf, cfg->name, p->pcap, rc);
		goto fail;
	}
	p->linktype = pcap_datalink(p->pcap);
	if (!capture_linktype_name(p->linktype)) {
		const char *n = pcap_datalink_val_to_name(p->linktype);
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: unsupported link type %d (%s)", cfg->name,
			 p->linktype, n ? n : "unknown");
		goto fail;
	}
	if (cfg->bpf && *cfg->bpf) {
		struct bpf_program prog;
		if (pcap_compile(p->pcap, &prog, cfg->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "bad filter expression '%s': %s",
				 cfg->bpf, pcap_geterr(p->pcap));
			goto fail;
		}
		rc = pcap_setfilter(p->pcap, &prog);
		pcap_freecode(&prog);
		if (rc < 0) {
			plive_fail(errbuf, cfg->name, p->pcap, rc);
			goto fail;
		}
	}
	if (pcap_setnonblock(p->pcap, 1, perr) < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "pcap on %s: %s", cfg->name, perr);
		goto fail;
	}
	p->fd = pcap_get_selectable_fd(p->pcap);
	struct pcap_stat ps;
	if (pcap_stats(p->pcap, &ps) == 0)
		p->stat_base_drops = ps.ps_drop;
	src->priv = p;
	src->linktype = p->linktype;
	src->precision = p->nsec ? TS_PRECISION_NSEC : TS_PRECISION_USEC;
	return CAPTURE_OK;
fail:
	pcap_close(p->pcap);
	free(p);
	return CAPTURE_ERR;
}

static int plive_dispatch(struct capture_source *src, int max, capture_packet_fn fn, void *user,
			  char *errbuf)
{
	struct plive_priv *p = src->priv;
	p->fn = fn;
	p->user = user;
	int n = pcap_dispatch(p->pcap, max, plive_on_packet, (u_char *)p);
	if (n == 0) {
		/* Nothing buffered: wait for the fd (or the signal, or poll_ms). */
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		int rc = poll(&pfd, p->fd >= 0 ? 1 : 0, p->poll_ms);
		if (rc < 0 && errno != EINTR) {
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "pcap on %s: poll: %s", src->name,
				 strerror(errno));
			return CAPTURE_ERR;
		}
		if (rc <= 0)
			return 0;
		n = pcap_dispatch(p->pcap, max, plive_on_packet, (u_char *)p);
	}
	if (n == PCAP_ERROR) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "pcap on %s: %s", src->name,
			 pcap_geterr(p->pcap));
		return CAPTURE_ERR;
	}
	return n < 0 ? 0 : n;  /* PCAP_ERROR_BREAK: nothing delivered */
}

static int plive_stats(struct capture_source *src, struct capture_stats *out)
{
	struct plive_priv *p = src->priv;
	struct pcap_stat ps;
	out->packets = p->frame_no;
	if (pcap_stats(p->pcap, &ps) == 0) {
		/* ps_ifdrop is the interface's own rx_dropped: not ours */
		out->kernel_drops = ps.ps_drop - p->stat_base_drops;
		out->kernel_drops_known = 1;
	}
	return CAPTURE_OK;
}

static void plive_close(struct capture_source *src)
{
	struct plive_priv *p = src->priv;
	if (!p)
		return;
	pcap_close(p->pcap);
	free(p);
	src->priv = NULL;
}

const struct capture_ops capture_pcap_live_ops = {
	.name = "pcap",
	.open = plive_open,
	.dispatch = plive_dispatch,
	.stats = plive_stats,
	.close = plive_close,
};
