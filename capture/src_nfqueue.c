/*
 * capture/src_nfqueue.c — live source: a netfilter queue (capture -> analyze
 * -> report). An iptables/nftables rule sends packets to queue N; we copy
 * each one, hand it to the analyzer and accept it unmodified: tcplens
 * watches, it never holds or alters traffic. Verdicts go out as one
 * NFQNL_MSG_VERDICT_BATCH per batch (a batch verdict accepts every id up to
 * the last), and packets come in through recvmmsg, so there is no syscall
 * per packet in either direction.
 *
 * Queue flags: NFQA_CFG_F_GSO (GSO packets arrive whole, with the kernel's
 * checksum state in NFQA_SKB_INFO instead of being fixed up for us) and
 * NFQA_CFG_F_FAIL_OPEN (a full queue or socket accepts rather than drops).
 * The rule should use --queue-bypass (nft: `queue num N bypass`) so traffic
 * flows while tcplens is not running.
 *
 * Drops: every packet the kernel sends us gets the next id of the queue; an
 * id we never saw was accepted by fail-open without reaching us, so id gaps
 * count capture drops. ENOBUFS on the socket says the same thing and is not
 * fatal. Frames are raw IP (no link header); direction comes from the hook.
 * Timestamps are taken when the packet reaches us (CLOCK_REALTIME, vDSO):
 * the kernel stamps only inbound hooks, and one clock keeps the trace
 * monotonic.
 */
#include "capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <pcap/dlt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "common/units.h"

#define NFQ_BATCH 32
#define NFQ_BUFSZ (65536 + 4096)           /* a whole GSO packet and its attributes */
#define NFQ_RCVBUF (16 << 20)
#define NFQ_MAXLEN 65536                    /* queue length: the socket fills first */

struct nfq_priv {
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	int fd;
	int poll_ms;
	uint64_t frame_no;
	uint32_t last_id;          /* id of the last packet seen, 0 = none yet */
	uint64_t id_gaps;          /* ids never delivered (fail-open): drops */
	uint64_t enobufs;
	capture_packet_fn fn;
	void *user;
	uint8_t *bufs;             /* NFQ_BATCH receive buffers */
	struct mmsghdr msgs[NFQ_BATCH];
	struct iovec iov[NFQ_BATCH];
};

static uint8_t nfq_dir(uint8_t hook)
{
	switch (hook) {
	case NF_INET_PRE_ROUTING:
	case NF_INET_LOCAL_IN:
		return PKT_DIR_IN;
	case NF_INET_LOCAL_OUT:
	case NF_INET_POST_ROUTING:
		return PKT_DIR_OUT;
	default:
		return PKT_DIR_UNKNOWN;  /* FORWARD: neither sent nor received here */
	}
}

static uint8_t nfq_hints(uint32_t info)
{
	uint8_t h = 0;
	if (info & NFQA_SKB_CSUMNOTREADY)
		h |= PKT_HINT_CSUM_NOT_READY;
	else if (info & NFQA_SKB_CSUM_NOTVERIFIED)
		h |= PKT_HINT_CSUM_NOT_VERIFIED;
	else
		h |= PKT_HINT_CSUM_VALID;  /* with F_GSO: neither flag = already validated */
	if (info & NFQA_SKB_GSO)
		h |= PKT_HINT_GSO;
	return h;
}

static int nfq_on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfad,
			 void *data)
{
	struct nfq_priv *p = data;
	(void)qh;
	(void)msg;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfad);
	if (!ph)
		return 0;
	uint32_t id = ntohl(ph->packet_id);
	if (p->last_id && id > p->last_id + 1)
		p->id_gaps += id - p->last_id - 1;
	if (id > p->last_id)
		p->last_id = id;
	unsigned char *payload = NULL;
	int len = nfq_get_payload(nfad, &payload);
	if (len < 0 || !payload)
		return 0;  /* accepted with the batch all the same */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct pkt_record rec = {
		.ts_ns = (uint64_t)now.tv_sec * NS_PER_S_U64 + (uint64_t)now.tv_nsec,
		.frame = ++p->frame_no,
		.caplen = (uint32_t)len,
		.wirelen = (uint32_t)len,
		.linktype = DLT_RAW,
		.dir = nfq_dir(ph->hook),
		.hints = nfq_hints(nfq_get_skbinfo(nfad)),
		.data = payload,
	};
	p->fn(p->user, &rec);
	return 0;
}

static void nfq_free(struct nfq_priv *p)
{
	if (p->qh)
		nfq_destroy_queue(p->qh);
	if (p->h)
		nfq_close(p->h);
	free(p->bufs);
	free(p);
}

static int nfq_fail(char *errbuf, int queue, const char *what, int err)
{
	if (err == EPERM || err == EACCES)
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE,
			 "nfqueue %d: %s: %s: binding a netfilter queue needs CAP_NET_ADMIN "
			 "(run as root, or `setcap cap_net_admin+ep` on the tcplens binary)",
			 queue, what, strerror(err));
	else if (err == EBUSY)
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE,
			 "nfqueue %d: %s: another program is bound to this queue", queue, what);
	else
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "nfqueue %d: %s: %s", queue, what,
			 err ? strerror(err) : "failed");
	return CAPTURE_ERR;
}

static int nfq_src_open(struct capture_source *src, const struct capture_config *cfg,
			char *errbuf)
{
	int q = cfg->queue_num;
	if (q < 0 || q > 65535) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "--nfqueue wants a queue number 0..65535");
		return CAPTURE_ERR;
	}
	struct nfq_priv *p = calloc(1, sizeof(*p));
	if (!p || !(p->bufs = malloc((size_t)NFQ_BATCH * NFQ_BUFSZ))) {
		free(p);
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "out of memory");
		return CAPTURE_ERR;
	}
	p->poll_ms = cfg->poll_ms ? cfg->poll_ms : CAPTURE_POLL_MS_DEFAULT;
	errno = 0;
	p->h = nfq_open();
	if (!p->h) {
		nfq_fail(errbuf, q, "nfq_open", errno);
		goto fail;
	}
	errno = 0;
	p->qh = nfq_create_queue(p->h, (uint16_t)q, nfq_on_packet, p);
	if (!p->qh) {
		nfq_fail(errbuf, q, "bind", errno);
		goto fail;
	}
	if (nfq_set_mode(p->qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
		nfq_fail(errbuf, q, "copy-packet mode", errno);
		goto fail;
	}
	uint32_t flags = NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO;
	if (nfq_set_queue_flags(p->qh, flags, flags) < 0) {
		nfq_fail(errbuf, q, "queue flags FAIL_OPEN|GSO (kernel 3.10 or later)", errno);
		goto fail;
	}
	nfq_set_queue_maxlen(p->qh, NFQ_MAXLEN);
	p->fd = nfq_fd(p->h);
	/* A big socket buffer rides out bursts; SO_RCVBUFFORCE needs the
	 * CAP_NET_ADMIN we have now, plain SO_RCVBUF is capped by rmem_max. */
	int sz = NFQ_RCVBUF;
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	for (int i = 0; i < NFQ_BATCH; i++) {
		p->iov[i].iov_base = p->bufs + (size_t)i * NFQ_BUFSZ;
		p->iov[i].iov_len = NFQ_BUFSZ;
		p->msgs[i].msg_hdr.msg_iov = &p->iov[i];
		p->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	src->priv = p;
	src->linktype = DLT_RAW;
	src->precision = TS_PRECISION_NSEC;
	snprintf(src->name, sizeof(src->name), "queue %d", q);
	return CAPTURE_OK;
fail:
	nfq_free(p);
	return CAPTURE_ERR;
}

static int nfq_src_dispatch(struct capture_source *src, int max, capture_packet_fn fn, void *user,
			    char *errbuf)
{
	struct nfq_priv *p = src->priv;
	p->fn = fn;
	p->user = user;
	unsigned vlen = max > 0 && max < NFQ_BATCH ? (unsigned)max : NFQ_BATCH;
	int n = recvmmsg(p->fd, p->msgs, vlen, MSG_DONTWAIT, NULL);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		int rc = poll(&pfd, 1, p->poll_ms);
		if (rc < 0 && errno != EINTR) {
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "nfqueue: poll: %s", strerror(errno));
			return CAPTURE_ERR;
		}
		if (rc <= 0)
			return 0;
		n = recvmmsg(p->fd, p->msgs, vlen, MSG_DONTWAIT, NULL);
	}
	if (n < 0) {
		if (errno == ENOBUFS) {  /* the kernel could not queue to us: counted by id */
			p->enobufs++;
			return 0;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "nfqueue: recv: %s", strerror(errno));
		return CAPTURE_ERR;
	}
	uint64_t before = p->frame_no;
	for (int i = 0; i < n; i++)
		nfq_handle_packet(p->h, (char *)p->iov[i].iov_base, (int)p->msgs[i].msg_len);
	/* One verdict for the whole batch: accept every id up to the last. */
	if (p->last_id && nfq_set_verdict_batch(p->qh, p->last_id, NF_ACCEPT) < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE,
			 "nfqueue: verdict: %s (CAP_NET_ADMIN dropped too early?)", strerror(errno));
		return CAPTURE_ERR;
	}
	return (int)(p->frame_no - before);
}

static int nfq_src_stats(struct capture_source *src, struct capture_stats *out)
{
	struct nfq_priv *p = src->priv;
	out->packets = p->frame_no;
	out->kernel_drops = p->id_gaps;
	out->kernel_drops_known = 1;
	return CAPTURE_OK;
}

static void nfq_src_close(struct capture_source *src)
{
	if (src->priv)
		nfq_free(src->priv);
	src->priv = NULL;
}

const struct capture_ops capture_nfqueue_ops = {
	.name = "nfqueue",
	.open = nfq_src_open,
	.dispatch = nfq_src_dispatch,
	.stats = nfq_src_stats,
	.close = nfq_src_close,
};
