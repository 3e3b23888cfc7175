/*
 * capture/capture.h — the capture side of the pipeline (capture -> analyze -> report).
 *
 * Every capture engine (file, pcap live, tpacket3, nfqueue) hides behind one
 * `struct capture_ops` and hands the analyzer the same `struct pkt_record`.
 * A source lends packets to a callback: the bytes stay valid only during the
 * callback (a ring block or an NFQUEUE verdict is released after the batch),
 * so the analyzer copies whatever it keeps.
 *
 * Errors: functions return 0 (or a count) on success and a negative CAPTURE_*
 * code on failure, with a one-line message in the caller's errbuf.
 */
#ifndef TCPLENS_CAPTURE_H
#define TCPLENS_CAPTURE_H

#include <stdint.h>
#include <stddef.h>

#define CAPTURE_ERRBUF_SIZE 512

enum capture_rc {
	CAPTURE_OK = 0,
	CAPTURE_ERR = -1,   /* fatal: message in errbuf */
	CAPTURE_END = -2,   /* no more packets (end of file, count reached) */
};

/* Direction relative to the capturing host. */
enum pkt_dir {
	PKT_DIR_UNKNOWN = 0,
	PKT_DIR_IN = 1,     /* received by the capturing host */
	PKT_DIR_OUT = 2,    /* sent by the capturing host */
};

/* What the kernel told the capture about this packet (TPACKET_V3 tp_status,
 * NFQUEUE skb info, a pcapng file's epb_flags: capture/pcapng_flags.h). */
enum pkt_hint {
	PKT_HINT_CSUM_NOT_READY = 1 << 0, /* CHECKSUM_PARTIAL: filled after capture */
	PKT_HINT_CSUM_VALID = 1 << 1,     /* kernel/NIC verified the L4 checksum */
	PKT_HINT_GSO = 1 << 2,            /* GSO super-packet, segmented later */
	PKT_HINT_CSUM_NOT_VERIFIED = 1 << 3,
	/* The source has several interfaces (a pcapng file): a packet may be
	 * in it twice, once per interface that saw it. */
	PKT_HINT_MULTI_IFACE = 1 << 4,
};

/* Timestamp precision a source delivers, so reports print what it holds. */
enum ts_precision {
	TS_PRECISION_USEC = 6,
	TS_PRECISION_NSEC = 9,
};

/* One captured frame, as every engine hands it to the analyzer. */
struct pkt_record {
	uint64_t ts_ns;        /* capture timestamp, ns since the Unix epoch */
	uint64_t frame;        /* 1-based frame number, as Wireshark counts */
	uint32_t caplen;       /* bytes present at data */
	uint32_t wirelen;      /* length on the wire (>= caplen normally) */
	int linktype;          /* DLT_* value of the frame */
	uint8_t dir;           /* enum pkt_dir */
	uint8_t hints;         /* enum pkt_hint bits */
	uint16_t iface;        /* which interface of the source (a pcapng file's) */
	uint8_t vlan_valid;    /* vlan_tci holds a tag the kernel took out of
				* the frame (TPACKET_V3 tp_vlan_tci): the outer one */
	uint16_t vlan_tci;
	/* data stays valid after the callback, until capture_release: the
	 * source keeps frames (capture_keep_frames), this one included */
	uint8_t kept;
	const uint8_t *data;   /* lent for the duration of the callback */
	/* Work done on this frame ahead of the consumer (capture/readahead.h:
	 * the analyzer's decode and checksums), NULL when none; lent like data. */
	void *prep;
};

typedef void (*capture_packet_fn)(void *user, const struct pkt_record *rec);

#define CAPTURE_RINGS_MAX 32 /* rings of a fanout group (--threads' bound) */

struct capture_stats {
	uint64_t packets;        /* frames delivered to the analyzer */
	uint64_t kernel_drops;   /* frames the kernel dropped (live only) */
	int kernel_drops_known;  /* 0 offline: report null */
	uint64_t kernel_freezes; /* tpacket3: times the ring was full (freeze_q_cnt) */
	/* A fanout group (-i with --threads N, capture/fanout.h): its rings,
	 * what each delivered and what the kernel dropped on each; 0 rings for
	 * every other source. */
	unsigned rings;
	struct capture_ring_stats {
		uint64_t packets, kernel_drops;
	} ring[CAPTURE_RINGS_MAX];
};

/* Live defaults: see src_tpacket3.c for why. */
#define CAPTURE_SNAPLEN_DEFAULT 262144
#define CAPTURE_RING_BLOCK_DEFAULT (1u << 20)
#define CAPTURE_RING_BLOCKS_DEFAULT 64u
#define CAPTURE_RING_TIMEOUT_DEFAULT 20u   /* ms */
#define CAPTURE_POLL_MS_DEFAULT 100

struct capture_config {
	const char *name;        /* file path ("-" = stdin) or interface */
	const char *bpf;         /* filter expression or NULL */
	int snaplen;             /* live only; 0 = default */
	/* live engines */
	unsigned ring_block_size; /* tpacket3: bytes per ring block (0 = default) */
	unsigned ring_blocks;     /* tpacket3: blocks in the ring (0 = default) */
	unsigned ring_timeout_ms; /* tpacket3: block retire timeout (0 = default) */
	int queue_num;            /* nfqueue: queue number */
	int poll_ms;              /* longest wait inside dispatch (0 = default): a
				   * live dispatch returns 0 when nothing came */
	int fanout_hold;          /* tpacket3: keep no packet until a filter is set
				   * (tpacket3_set_filter), so a ring joins its fanout
				   * group before it holds anything (capture/tpacket3.h) */
};

struct capture_source;

struct capture_ops {
	const char *name;
	/* Open the source described by cfg; fill src->linktype and src->precision. */
	int (*open)(struct capture_source *src, const struct capture_config *cfg, char *errbuf);
	/* Deliver up to max packets to fn. Returns the count delivered (>= 0),
	 * CAPTURE_END at the end, CAPTURE_ERR with errbuf set. */
	int (*dispatch)(struct capture_source *src, int max, capture_packet_fn fn, void *user,
			char *errbuf);
	int (*stats)(struct capture_source *src, struct capture_stats *out);
	void (*close)(struct capture_source *src);
	/* Optional: bytes consumed and total (files), for progress display.
	 * Returns -1 when unknown (stdin, live). */
	int (*position)(struct capture_source *src, uint64_t *done, uint64_t *total);
	/* Optional: from now on keep the frames handed out valid until
	 * release says they are done with (frames that can be are marked
	 * kept); returns 1 when it will, 0 when it cannot. mark names the
	 * point after the frames handed out so far. */
	int (*keep_frames)(struct capture_source *src);
	uint64_t (*mark)(struct capture_source *src);
	void (*release)(struct capture_source *src, uint64_t mark);
};

struct capture_source {
	const struct capture_ops *ops;
	void *priv;              /* engine state, owned by the engine */
	char name[256];          /* what the report calls the source */
	const char *kind;        /* "file", "pcap", "tpacket3", "nfqueue" */
	int linktype;            /* DLT_* of the source (pcapng: first interface) */
	enum ts_precision precision;
};

extern const struct capture_ops capture_file_ops;
/* Live engines. Their dispatch returns 0 after poll_ms without packets or
 * when a signal interrupted the wait, so the caller can check its stop
 * conditions; they never return CAPTURE_END. On EPERM the message names the
 * missing capability. */
extern const struct capture_ops capture_tpacket3_ops;   /* Linux only */
extern const struct capture_ops capture_pcap_live_ops;
#ifdef TCPLENS_HAVE_NFQUEUE
extern const struct capture_ops capture_nfqueue_ops;
#endif

/* Open src with ops. On failure src is left closed and errbuf says why. */
int capture_open(struct capture_source *src, const struct capture_ops *ops,
		 const struct capture_config *cfg, char *errbuf);
int capture_dispatch(struct capture_source *src, int max, capture_packet_fn fn, void *user,
		     char *errbuf);
int capture_stats(struct capture_source *src, struct capture_stats *out);
void capture_close(struct capture_source *src);
int capture_position(struct capture_source *src, uint64_t *done, uint64_t *total);
/* Ask src to keep the frames it hands out (their rec->kept says which it
 * did) until they are released: 1 when it may, 0 when every frame stays
 * lent for its callback only. capture_mark, called where the frames are
 * read, names the point after those handed out so far; capture_release
 * (mark), in mark order, possibly on another thread, says every frame
 * before it is done with. A consumer that asked must release. */
int capture_keep_frames(struct capture_source *src);
uint64_t capture_mark(struct capture_source *src);
void capture_release(struct capture_source *src, uint64_t mark);

/* Human name of a DLT ("Ethernet", "Linux cooked (SLL2)"...), or NULL if the
 * analyzer cannot decode it. */
const char *capture_linktype_name(int dlt);

#endif
