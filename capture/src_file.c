/*
 * capture/src_file.c — offline source: pcap and pcapng files (or stdin as
 * "-") read by libpcap, timestamps always in nanoseconds, BPF filter compiled
 * by libpcap. Frames are numbered 1.. in file order before filtering, as
 * Wireshark numbers them, so a frame number in a report can be found with
 * `tshark -r FILE -Y frame.number==N` (the filter is applied afterwards).
 * pcapng is read by pcapng_reader.h, not libpcap: libpcap refuses a file
 * whose interfaces differ in link type or snap length and hands out no
 * packet's epb_flags; each frame gets its interface's link type, its
 * direction and checksum hints, and the BPF filter is compiled per link
 * type (pcap_open_dead) and run with pcap_offline_filter. libpcap reads
 * pcap files.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie */
#endif
#include "capture.h"
#include "pcap_reader.h"
#include "pcapng_reader.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_IOBUF (1 << 18)

struct file_priv {
	pcap_t *pcap;
	/* A regular pcap file's records parsed in place, until the first
	 * one libpcap must read (pcap_reader.h). */
	struct pcap_reader rd;
	struct bpf_program prog;
	int have_prog;
	uint64_t frames_read;   /* frames delivered by libpcap (after filter) */
	uint64_t frame_no;      /* 1-based number of the last frame read */
	capture_packet_fn fn;
	void *user;
	int linktype;
	uint64_t size;          /* file size, 0 = unknown (stdin, pipe) */
	char *iobuf;            /* the stream's buffer (glibc ignores a size without one) */
	/* pcapng: our reader on fp, the first packet read at open, and the
	 * filter compiled for each link type met (a few at most). */
	bool is_ng;
	FILE *fp;
	struct pcapng_reader ng;
	struct pcapng_packet pending;
	bool have_pending;
	char *bpf;
	struct ng_prog {
		int linktype;
		bool ok;
		struct bpf_program prog;
	} progs[32];
	int nprogs;
	uint64_t warned;        /* interfaces (mod 64) whose link type was said unreadable */
};

static uint8_t dir_of(uint32_t fl)
{
	return (fl & PCAPNG_FLAGS_DIR_MASK) == PCAPNG_FLAGS_DIR_IN    ? PKT_DIR_IN
	       : (fl & PCAPNG_FLAGS_DIR_MASK) == PCAPNG_FLAGS_DIR_OUT ? PKT_DIR_OUT
								      : PKT_DIR_UNKNOWN;
}

static uint8_t hints_of(uint32_t fl)
{
	return (uint8_t)((fl & PCAPNG_FLAGS_CSUM_NOT_READY ? PKT_HINT_CSUM_NOT_READY : 0) |
			 (fl & PCAPNG_FLAGS_CSUM_VALID ? PKT_HINT_CSUM_VALID : 0) |
			 (fl & PCAPNG_FLAGS_TSO ? PKT_HINT_GSO : 0));
}

/* libpcap applies the BPF filter itself and hides the frame numbers of the
 * frames it rejected, so the filter runs here instead (pcap_offline_filter)
 * to keep Wireshark's numbering. */
/* A pcap file's frame h (its timestamp ts_ns) through the filter to the
 * callback: from libpcap or from pcap_reader alike. */
static void deliver(struct file_priv *p, const struct pcap_pkthdr *h, uint64_t ts_ns,
		    const u_char *bytes, bool kept)
{
	p->frame_no++;
	if (p->have_prog && !pcap_offline_filter(&p->prog, h, bytes))
		return;
	struct pkt_record rec = {
		.ts_ns = ts_ns,
		.frame = p->frame_no,
		.caplen = h->caplen,
		.wirelen = h->len,
		.linktype = p->linktype,
		.dir = PKT_DIR_UNKNOWN,
		.hints = 0,
		.kept = kept,
		.data = bytes,
	};
	p->frames_read++;
	p->fn(p->user, &rec);
}

static void file_on_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	deliver((struct file_priv *)arg, h,
		(uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec, bytes, false);
}

/* How many decimals the file's timestamps carry: 9 for a nanosecond pcap or a
 * pcapng whose first interface says if_tsresol 9, else 6. libpcap converts
 * every file to nanoseconds and hides the original resolution, so this looks
 * at the file's first bytes b[0..n). Returns -1 when it needs more of them
 * (a pcapng whose first interface block is not all there). */
static int ts_precision_of(const uint8_t *b, size_t n)
{
	if (n < 4)
		return -1;
	uint32_t le = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	if (le == 0xa1b23c4d || le == 0x4d3cb2a1)
		return TS_PRECISION_NSEC;
	if (le != 0x0a0d0d0a)
		return TS_PRECISION_USEC;
	if (n < 12)
		return -1;
	/* pcapng: section header, then the first interface description block. */
	int big = b[8] == 0x1a;  /* byte-order magic 0x1a2b3c4d read as big endian */
	#define RD32(o) (big ? (uint32_t)b[o] << 24 | (uint32_t)b[o+1] << 16 | (uint32_t)b[o+2] << 8 | b[o+3] \
			     : (uint32_t)b[o] | (uint32_t)b[o+1] << 8 | (uint32_t)b[o+2] << 16 | (uint32_t)b[o+3] << 24)
	#define RD16(o) (big ? (uint16_t)(b[o] << 8 | b[o+1]) : (uint16_t)(b[o] | b[o+1] << 8))
	size_t off = RD32(4);
	for (;;) {
		if (off + 12 > n)
			return -1;
		uint32_t type = RD32(off), len = RD32(off + 4);
		if (len < 12)
			return TS_PRECISION_USEC;
		if (off + len > n)
			return -1;
		if (type == 1) {  /* IDB: linktype u16, reserved u16, snaplen u32, options */
			size_t o = off + 16, end = off + len - 4;
			while (o + 4 <= end) {
				uint16_t code = RD16(o), olen = RD16(o + 2);
				if (code == 0)
					break;
				if (code == 9 && olen >= 1 && o + 4 < end)
					return (b[o + 4] == 9) ? TS_PRECISION_NSEC : TS_PRECISION_USEC;
				o += 4 + ((olen + 3u) & ~3u);
			}
			return TS_PRECISION_USEC;
		}
		off += len;
	}
	#undef RD32
	#undef RD16
}

#define PEEK_MAX 4096

/* The input cannot always be read twice (a pipe, a FIFO, the /dev/fd/N of
 * `-r <(tcpdump -w - ...)`): its first bytes, just enough to learn the
 * precision, are read here and a stream hands libpcap those bytes, then the
 * rest of the descriptor (read(2) straight into libpcap's buffer). */
struct peek {
	FILE *under;            /* the stream opened; closed with this one */
	int fd;
	uint8_t b[PEEK_MAX];
	size_t n, served;
};

static ssize_t peek_read(void *cookie, char *buf, size_t size)
{
	struct peek *k = cookie;
	if (k->served < k->n) {
		size_t m = k->n - k->served < size ? k->n - k->served : size;
		memcpy(buf, k->b + k->served, m);
		k->served += m;
		return (ssize_t)m;
	}
	for (;;) {
		ssize_t r = read(k->fd, buf, size);
		if (r >= 0 || errno != EINTR)
			return r;
	}
}

static int peek_close(void *cookie)
{
	struct peek *k = cookie;
	if (k->under != stdin)
		fclose(k->under);
	free(k);
	return 0;
}

/* The stream libpcap reads, for path or "-", and in *prec the file's
 * timestamp precision, learnt without taking the bytes from libpcap. A
 * regular file (also behind standard input: `< F`, where it stands) is
 * peeked with pread and stays libpcap's own stream (glibc's fast path for
 * it; a cookie stream has none); anything else goes through a peek stream.
 * NULL with errno set when it cannot be opened. */
static bool is_pcapng(const uint8_t *b, size_t n)
{
	return n >= 4 && b[0] == 0x0A && b[1] == 0x0D && b[2] == 0x0D && b[3] == 0x0A;
}

static FILE *open_peeked(const char *name, enum ts_precision *prec, bool *ng)
{
	*ng = false;
	FILE *fp = strcmp(name, "-") ? fopen(name, "rb") : stdin;
	if (!fp)
		return NULL;
	int fd = fileno(fp);
	struct stat st;
	off_t at;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (at = lseek(fd, 0, SEEK_CUR)) >= 0) {
		uint8_t b[PEEK_MAX];
		ssize_t n = pread(fd, b, sizeof(b), at);
		int p = ts_precision_of(b, n > 0 ? (size_t)n : 0);
		*prec = p < 0 ? TS_PRECISION_USEC : (enum ts_precision)p;
		*ng = is_pcapng(b, n > 0 ? (size_t)n : 0);
		return fp;
	}
	struct peek *k = calloc(1, sizeof(*k));
	if (!k) {
		if (fp != stdin)
			fclose(fp);
		errno = ENOMEM;
		return NULL;
	}
	k->under = fp;
	k->fd = fd;
	int p;
	while ((p = ts_precision_of(k->b, k->n)) < 0 && k->n < sizeof(k->b)) {
		ssize_t r = read(fd, k->b + k->n, sizeof(k->b) - k->n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		k->n += (size_t)r;
	}
	*prec = p < 0 ? TS_PRECISION_USEC : (enum ts_precision)p;
	*ng = is_pcapng(k->b, k->n);
	cookie_io_functions_t io = {.read = peek_read, .close = peek_close};
	FILE *f = fopencookie(k, "rb", io);
	if (!f) {
		peek_close(k);
		errno = ENOMEM;
	}
	return f;
}

static void unsupported(char *errbuf, const char *name, int linktype)
{
	const char *n = pcap_datalink_val_to_name(linktype);
	snprintf(errbuf, CAPTURE_ERRBUF_SIZE,
		 "%s: frame 1: unsupported link type %d (%s); tcplens reads Ethernet, "
		 "Linux cooked SLL/SLL2, raw IP, BSD/OpenBSD loopback, PPP, Cisco HDLC, "
		 "NFLOG and 802.11 captures",
		 name, linktype, n ? n : "unknown");
}

/* The filter compiled for one link type (pcap_open_dead): NULL when no
 * filter was given; prog->ok false when it does not compile for it. */
static struct ng_prog *prog_for(struct file_priv *p, int linktype, char *err, size_t errlen)
{
	if (!p->bpf)
		return NULL;
	for (int i = 0; i < p->nprogs; i++)
		if (p->progs[i].linktype == linktype)
			return &p->progs[i];
	if (p->nprogs == (int)(sizeof(p->progs) / sizeof(p->progs[0]))) {
		static struct ng_prog none; /* ok false: frames of more link types do not pass */
		return &none;
	}
	struct ng_prog *g = &p->progs[p->nprogs++];
	g->linktype = linktype;
	pcap_t *dead = pcap_open_dead(linktype, 262144);
	g->ok = dead && pcap_compile(dead, &g->prog, p->bpf, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (!g->ok && err)
		snprintf(err, errlen, "bad filter expression '%s': %s", p->bpf,
			 dead ? pcap_geterr(dead) : "out of memory");
	if (dead)
		pcap_close(dead);
	return g;
}

static void free_priv(struct file_priv *p)
{
	pcap_reader_close(&p->rd);
	if (p->have_prog)
		pcap_freecode(&p->prog);
	for (int i = 0; i < p->nprogs; i++)
		if (p->progs[i].ok)
			pcap_freecode(&p->progs[i].prog);
	if (p->pcap)
		pcap_close(p->pcap); /* closes the stream before its buffer goes */
	else if (p->fp && p->fp != stdin)
		fclose(p->fp);
	if (p->is_ng)
		pcapng_reader_close(&p->ng);
	free(p->iobuf);
	free(p->bpf);
	free(p);
}

/* pcapng: our reader, the first packet read now for the file's link type. */
static int open_ng(struct file_priv *p, const struct capture_config *cfg, const char *name,
		   char *errbuf)
{
	char err[200];
	p->is_ng = true;
	if (!pcapng_reader_open(&p->ng, p->fp, err, sizeof(err))) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: cannot read as pcapng: %s", name, err);
		return CAPTURE_ERR;
	}
	int rc = pcapng_reader_next(&p->ng, &p->pending, err, sizeof(err));
	if (rc < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: frame 1: %s", name, err);
		return CAPTURE_ERR;
	}
	p->have_pending = rc > 0;
	const struct pcapng_iface *i0 = pcapng_reader_iface(&p->ng, 0);
	p->linktype = i0 ? i0->linktype : DLT_EN10MB;
	if (!capture_linktype_name(p->linktype)) {
		unsupported(errbuf, name, p->linktype);
		return CAPTURE_ERR;
	}
	if (cfg->bpf && *cfg->bpf) {
		if (!(p->bpf = strdup(cfg->bpf))) {
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "out of memory");
			return CAPTURE_ERR;
		}
		struct ng_prog *g = prog_for(p, p->linktype, errbuf, CAPTURE_ERRBUF_SIZE);
		if (!g->ok)
			return CAPTURE_ERR;
	}
	return CAPTURE_OK;
}

static int file_open(struct capture_source *src, const struct capture_config *cfg, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	const char *name = strcmp(cfg->name, "-") ? cfg->name : "(stdin)";
	struct file_priv *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "out of memory");
		return CAPTURE_ERR;
	}
	/* Our own stream with a large buffer: reads then cost one syscall per
	 * megabyte instead of one per 4 KiB. */
	enum ts_precision prec = TS_PRECISION_USEC;
	bool ng;
	FILE *fp = open_peeked(cfg->name, &prec, &ng);
	if (!fp) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: cannot open: %s", cfg->name, strerror(errno));
		free(p);
		return CAPTURE_ERR;
	}
	p->fp = fp;
	p->iobuf = malloc(FILE_IOBUF);
	if (p->iobuf)
		setvbuf(fp, p->iobuf, _IOFBF, FILE_IOBUF);
	if (ng) {
		if (open_ng(p, cfg, name, errbuf) != CAPTURE_OK) {
			free_priv(p);
			return CAPTURE_ERR;
		}
	} else {
		p->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr);
		if (!p->pcap) {
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: cannot read as pcap or pcapng: %s", name,
				 perr);
			free_priv(p);
			return CAPTURE_ERR;
		}
		p->linktype = pcap_datalink(p->pcap);
		if (!capture_linktype_name(p->linktype)) {
			unsupported(errbuf, cfg->name, p->linktype);
			free_priv(p);
			return CAPTURE_ERR;
		}
		off_t at = ftello(fp);
		if (at < 0 || pcap_reader_open(&p->rd, fileno(fp), (uint64_t)at, p->linktype,
						   pcap_snapshot(p->pcap)) < 0)
			pcap_reader_close(&p->rd);
		if (cfg->bpf && *cfg->bpf) {
			if (pcap_compile(p->pcap, &p->prog, cfg->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
				snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "bad filter expression '%s': %s",
					 cfg->bpf, pcap_geterr(p->pcap));
				free_priv(p);
				return CAPTURE_ERR;
			}
			p->have_prog = 1;
		}
	}
	src->priv = p;
	src->linktype = p->linktype;
	src->precision = prec;
	struct stat st;
	if (strcmp(cfg->name, "-") && stat(cfg->name, &st) == 0 && S_ISREG(st.st_mode))
		p->size = (uint64_t)st.st_size;
	return CAPTURE_OK;
}

/* pcapng: up to max packets (all when max <= 0) through the filter of
 * their interface's link type. */
static int ng_dispatch(struct capture_source *src, struct file_priv *p, int max, char *errbuf)
{
	int n = 0;
	char err[200];
	while (max <= 0 || n < max) {
		if (!p->have_pending) {
			int rc = pcapng_reader_next(&p->ng, &p->pending, err, sizeof(err));
			if (rc < 0) {
				snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: frame %llu: %s",
					 strcmp(src->name, "-") ? src->name : "(stdin)",
					 (unsigned long long)p->frame_no + 1, err);
				return CAPTURE_ERR;
			}
			if (rc == 0)
				break;
		}
		p->have_pending = false;
		const struct pcapng_packet *k = &p->pending;
		const struct pcapng_iface *i = pcapng_reader_iface(&p->ng, k->iface);
		int lt = i ? i->linktype : p->linktype;
		if (!capture_linktype_name(lt) && !(p->warned & (1ull << (k->iface & 63)))) {
			/* One line per interface, not per frame: its frames are still
			 * counted (as non-IP), and the report covers the others. */
			p->warned |= 1ull << (k->iface & 63);
			const char *ln = pcap_datalink_val_to_name(lt);
			fprintf(stderr, "tcplens: %s: interface %u has link type %d (%s), which tcplens "
					"does not read: its frames are counted, not analyzed\n",
				strcmp(src->name, "-") ? src->name : "(stdin)", k->iface, lt, ln ? ln : "unknown");
		}
		p->frame_no++;
		n++;
		struct ng_prog *g = prog_for(p, lt, NULL, 0);
		if (g) {
			struct pcap_pkthdr h = {.caplen = k->caplen, .len = k->wirelen};
			if (!g->ok || !pcap_offline_filter(&g->prog, &h, k->data))
				continue; /* a filter that cannot apply to this link type passes nothing */
		}
		struct pkt_record rec = {
			.ts_ns = k->ts_ns,
			.frame = p->frame_no,
			.caplen = k->caplen,
			.wirelen = k->wirelen,
			.linktype = lt,
			.dir = dir_of(k->flags),
			.hints = (uint8_t)(hints_of(k->flags) | (p->ng.nifaces > 1 ? PKT_HINT_MULTI_IFACE : 0)),
			.iface = (uint16_t)(k->iface > UINT16_MAX ? UINT16_MAX : k->iface),
			.data = k->data,
		};
		p->frames_read++;
		p->fn(p->user, &rec);
	}
	if (n == 0 && max > 0)
		return CAPTURE_END;
	return n;
}

static int file_dispatch(struct capture_source *src, int max, capture_packet_fn fn, void *user,
			 char *errbuf)
{
	struct file_priv *p = src->priv;
	p->fn = fn;
	p->user = user;
	if (p->is_ng)
		return ng_dispatch(src, p, max, errbuf);
	int n = 0;
	if (p->rd.buf && !p->rd.done) {
		struct pcap_reader_rec r;
		int rc = 1;
		while ((max <= 0 || n < max) && (rc = pcap_reader_next(&p->rd, &r)) == 1) {
			struct pcap_pkthdr h = {.caplen = r.caplen, .len = r.wirelen};
			deliver(p, &h, r.ts_ns, r.data, p->rd.keep);
			n++;
		}
		if (rc < 0 || (max > 0 && n == max))
			return n; /* rc < 0: the frames kept hold the buffer; on once released */
		/* libpcap goes on from the record the reader left to it */
		if (fseeko(pcap_file(p->pcap), (off_t)p->rd.off, SEEK_SET) < 0) {
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: frame %llu: cannot seek: %s",
				 strcmp(src->name, "-") ? src->name : "(stdin)",
				 (unsigned long long)p->frame_no + 1, strerror(errno));
			return CAPTURE_ERR;
		}
		if (n)
			return n; /* the rest at the next call */
	}
	n = pcap_dispatch(p->pcap, max, file_on_packet, (u_char *)p);
	if (n == PCAP_ERROR) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: frame %llu: %s",
			 strcmp(src->name, "-") ? src->name : "(stdin)",
			 (unsigned long long)p->frame_no + 1, pcap_geterr(p->pcap));
		return CAPTURE_ERR;
	}
	if (n == 0 && max > 0)
		return CAPTURE_END;
	return n;
}

static int file_stats(struct capture_source *src, struct capture_stats *out)
{
	struct file_priv *p = src->priv;
	out->packets = p->frames_read;
	out->kernel_drops_known = 0;
	return CAPTURE_OK;
}

static void file_close(struct capture_source *src)
{
	struct file_priv *p = src->priv;
	if (!p)
		return;
	free_priv(p);
	src->priv = NULL;
}

static int file_position(struct capture_source *src, uint64_t *done, uint64_t *total)
{
	struct file_priv *p = src->priv;
	FILE *f = p->pcap ? pcap_file(p->pcap) : p->fp;
	long pos = p->rd.buf && !p->rd.done ? (long)p->rd.off : f ? ftell(f) : -1;
	if (!p->size || pos < 0)
		return -1;
	*done = (uint64_t)pos;
	*total = p->size;
	return 0;
}

/* A regular pcap file keeps its frames (pcap_reader_keep); libpcap and
 * pcapng reuse one buffer. */
static int file_keep_frames(struct capture_source *src)
{
	struct file_priv *p = src->priv;
	if (!p->rd.buf || p->rd.done)
		return 0;
	pcap_reader_keep(&p->rd);
	return 1;
}

static uint64_t file_mark(struct capture_source *src)
{
	struct file_priv *p = src->priv;
	return p->rd.off;
}

static void file_release(struct capture_source *src, uint64_t mark)
{
	struct file_priv *p = src->priv;
	pcap_reader_release(&p->rd, mark);
}

const struct capture_ops capture_file_ops = {
	.name = "file",
	.open = file_open,
	.dispatch = file_dispatch,
	.stats = file_stats,
	.close = file_close,
	.position = file_position,
	.keep_frames = file_keep_frames,
	.mark = file_mark,
	.release = file_release,
};
