/*
 * gen_capture: reproducible generator of large synthetic pcap captures for the
 * tcplens benchmark (bench/run.sh).  Not part of the tool's pipeline.
 *
 * Output: classic microsecond pcap (magic a1b2c3d4, v2.4), link type Ethernet,
 * snaplen 65535.  Every frame is Ethernet + IPv4 (DF, TTL 64, valid header
 * checksum) + TCP with a valid checksum and the options Linux sends (MSS, SACK
 * permitted, timestamps, window scale on SYNs; timestamps on every other
 * segment).  The same MODE, size options and --seed always give the same file,
 * byte for byte.
 *
 * Modes:
 *   bulk   a few (--flows, default 4) long bulk transfers sharing a 10 Gbit/s
 *          link, interleaved round-robin: full handshake, 1448-byte segments,
 *          the receiver ACKs every 2 segments one RTT (200 us) later; the
 *          sender starts with 10 segments and grows its window in slow start
 *          (no loss) up to the receiver's 2 MB; FIN at the end.  The capture
 *          grows until it reaches --bytes (default 256M).
 *   crr    --conns short connections one after another, like netperf TCP_CRR:
 *          SYN, SYN-ACK, ACK, a small request, a small response, FIN/ACK,
 *          FIN/ACK, ACK (8 frames a connection).  Default 125000 (1M frames).
 *   flows  --flows concurrent connections (default 50000), interleaved: every
 *          flow handshakes, then --rounds request/response exchanges go
 *          round-robin across all flows, then every flow closes, so all the
 *          flows are open at once.  14 frames a flow with 4 rounds.
 *
 * Speed: no allocation per packet (the flows mode allocates its flow array
 * once); payload bytes are slices of a 1 MiB pseudo-random pool whose 16-bit
 * word prefix sums are precomputed, so a payload's checksum costs O(1); each
 * frame is assembled in one static buffer and written with one fwrite into a
 * 16 MiB stdio buffer.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_BITS 20
#define POOL_SIZE (1u << POOL_BITS)
#define POOL_PAD 2048 /* a slice may start near the end of the pool */
#define MAX_PAYLOAD 1448
#define ZERO_PREFIX 4 /* zero bytes at the start of every payload */
#define OUTBUF_SIZE (16u << 20)
#define BULK_MAX_FLOWS 64
#define ACK_RING 4096 /* pending receiver ACKs per bulk flow (power of 2) */

/* TCP flags */
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* Which TCP options a frame carries. */
enum opts { OPT_SYN, OPT_TS };

static uint8_t pool[POOL_SIZE + POOL_PAD];
static uint64_t pool_prefix[(POOL_SIZE + POOL_PAD) / 2 + 1];
static uint64_t rng_state;

static FILE *out;
static uint64_t out_bytes;   /* bytes written, pcap header included */
static uint64_t out_packets; /* frames written */
static uint64_t out_limit;   /* a generator bug must not fill the disk */

/* One direction of a connection: the endpoint that sends. */
struct half {
	uint32_t ip;
	uint16_t port;
	uint16_t ipid;
	uint32_t seq;      /* next sequence number to send */
	uint32_t ts_off;   /* TSval = ts_off + capture time in ms */
	uint32_t last_ts;  /* last TSval sent (the peer echoes it) */
	uint16_t win;      /* window field after the handshake */
};

struct conn {
	struct half c, s;
};

/* ---- pseudo-random numbers: splitmix64 (tiny, fast, reproducible) ---- */

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform-ish value in [lo, hi]. */
static uint32_t rng_range(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

/* ---- checksums ---- */

/* Fill the payload pool and its prefix sums of big-endian 16-bit words. */
static void pool_init(void)
{
	for (size_t i = 0; i < sizeof pool; i += 8) {
		uint64_t r = rng_next();
		memcpy(pool + i, &r, 8);
	}
	pool_prefix[0] = 0;
	for (size_t w = 0; w < (POOL_SIZE + POOL_PAD) / 2; w++)
		pool_prefix[w + 1] = pool_prefix[w] +
		    (uint32_t)((pool[2 * w] << 8) | pool[2 * w + 1]);
}

/* Sum of the big-endian 16-bit words of pool[off, off+len); off even. */
static uint64_t pool_sum(uint32_t off, uint32_t len)
{
	uint64_t s = pool_prefix[off / 2 + len / 2] - pool_prefix[off / 2];
	if (len & 1)
		s += (uint32_t)pool[off + len - 1] << 8;
	return s;
}

/* Sum of the big-endian 16-bit words of <p>, <n> even. */
static uint64_t words_sum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)((p[i] << 8) | p[i + 1]);
	return s;
}

static uint16_t fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- output ---- */

static void write_or_die(const void *p, size_t n)
{
	if (fwrite(p, 1, n, out) != n) {
		perror("gen_capture: write");
		exit(1);
	}
	out_bytes += n;
	if (out_bytes > out_limit) {
		fprintf(stderr, "gen_capture: bug: output passed its bound"
				" of %" PRIu64 " bytes\n", out_limit);
		exit(1);
	}
}

static void pcap_header(void)
{
	uint8_t h[24];
	uint32_t magic = 0xa1b2c3d4; /* written in host order, as libpcap does */
	uint16_t vmaj = 2, vmin = 4;
	uint32_t zero = 0, snaplen = 65535, linktype = 1;
	memcpy(h, &magic, 4);
	memcpy(h + 4, &vmaj, 2);
	memcpy(h + 6, &vmin, 2);
	memcpy(h + 8, &zero, 4);      /* thiszone */
	memcpy(h + 12, &zero, 4);     /* sigfigs */
	memcpy(h + 16, &snaplen, 4);
	memcpy(h + 20, &linktype, 4);
	write_or_die(h, sizeof h);
}

/*
 * Write one frame from <from> to <to> at capture time <t_ns> (ns since the
 * epoch).  <seq> and <ack> are given explicitly; <pay_len> bytes of payload are
 * taken from the pool at a random even offset.  <tsecr> is the echoed
 * timestamp.  Updates from->ipid and from->last_ts; the caller advances seq.
 */
static void emit(uint64_t t_ns, struct half *from, const struct half *to,
		 uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		 enum opts opts, uint32_t tsecr, uint32_t pay_len)
{
	static uint8_t f[16 + 14 + 20 + 40 + MAX_PAYLOAD];
	uint8_t *eth = f + 16, *ip = eth + 14, *tcp = ip + 20;
	uint32_t optlen = opts == OPT_SYN ? 20 : 12;
	uint32_t thl = 20 + optlen;
	uint32_t tcp_len = thl + pay_len;
	uint32_t frame_len = 14 + 20 + tcp_len;
	uint32_t tsval = from->ts_off + (uint32_t)(t_ns / 1000000u);
	uint32_t pay_off = (uint32_t)(rng_next() & (POOL_SIZE - 1)) & ~1u;

	/* pcap record header, host byte order */
	uint32_t rec[4] = { (uint32_t)(t_ns / 1000000000u),
			    (uint32_t)(t_ns / 1000u % 1000000u),
			    frame_len, frame_len };
	memcpy(f, rec, sizeof rec);

	/* Ethernet: locally administered MACs derived from the IPs */
	eth[0] = 0x02; eth[1] = 0x00; put32(eth + 2, to->ip);
	eth[6] = 0x02; eth[7] = 0x00; put32(eth + 8, from->ip);
	put16(eth + 12, 0x0800);

	/* IPv4 */
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(20 + tcp_len));
	put16(ip + 4, from->ipid++);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 6;
	put16(ip + 10, 0);
	put32(ip + 12, from->ip);
	put32(ip + 16, to->ip);
	put16(ip + 10, fold(words_sum(ip, 20)));

	/* TCP */
	put16(tcp, from->port);
	put16(tcp + 2, to->port);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (uint8_t)((thl / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, win);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	uint8_t *o = tcp + 20;
	if (opts == OPT_SYN) {
		/* Linux order: MSS, SACK_PERM, TS, NOP, WS */
		o[0] = 2; o[1] = 4; put16(o + 2, MAX_PAYLOAD + 12);
		o[4] = 4; o[5] = 2;
		o[6] = 8; o[7] = 10; put32(o + 8, tsval); put32(o + 12, tsecr);
		o[16] = 1;
		o[17] = 3; o[18] = 3; o[19] = 7;
	} else {
		o[0] = 1; o[1] = 1;
		o[2] = 8; o[3] = 10; put32(o + 4, tsval); put32(o + 8, tsecr);
	}
	memcpy(tcp + thl, pool + pay_off, pay_len);
	/* Zero the first bytes of every payload: random bytes at a segment's
	 * start sometimes pass a tshark heuristic (Thrift framing, seen on a
	 * 256 MB bulk capture), which then "reassembles" the rest of the flow
	 * into one giant PDU, quadratically (62 s instead of < 5 s).  Real
	 * streams rarely look like that; the benchmark should not either. */
	uint32_t zp = pay_len < ZERO_PREFIX ? pay_len : ZERO_PREFIX;
	memset(tcp + thl, 0, zp);

	uint64_t s = words_sum(ip + 12, 8) + 6 + tcp_len; /* pseudo-header */
	s += words_sum(tcp, thl);
	s += pool_sum(pay_off + zp, pay_len - zp);
	put16(tcp + 16, fold(s));

	from->last_ts = tsval;
	write_or_die(f, 16 + frame_len);
	out_packets++;
}

/* A fresh connection: client <cip>:<cport> -> server <sip>:<sport>. */
static void conn_init(struct conn *k, uint32_t cip, uint16_t cport,
		      uint32_t sip, uint16_t sport)
{
	uint64_t r = rng_next();
	memset(k, 0, sizeof *k);
	k->c.ip = cip; k->c.port = cport;
	k->s.ip = sip; k->s.port = sport;
	k->c.seq = (uint32_t)r;
	k->s.seq = (uint32_t)(r >> 32);
	r = rng_next();
	k->c.ts_off = (uint32_t)r;
	k->s.ts_off = (uint32_t)(r >> 32);
	k->c.ipid = (uint16_t)rng_next();
	k->s.ipid = (uint16_t)rng_next();
	k->c.win = 502;  /* x128 = 64 KB */
	k->s.win = 509;
}

/* Handshake frames.  Each advances the sender's seq for the SYN. */
static void syn(struct conn *k, uint64_t t)
{
	emit(t, &k->c, &k->s, k->c.seq, 0, F_SYN, 64240, OPT_SYN, 0, 0);
	k->c.seq++;
}

static void synack(struct conn *k, uint64_t t)
{
	emit(t, &k->s, &k->c, k->s.seq, k->c.seq, F_SYN | F_ACK, 65160,
	     OPT_SYN, k->c.last_ts, 0);
	k->s.seq++;
}

/* A segment from <a> to <b> carrying <len> bytes and <extra> flags. */
static void seg(struct half *a, struct half *b, uint64_t t, uint8_t extra,
		uint32_t len)
{
	emit(t, a, b, a->seq, b->seq, F_ACK | extra, a->win, OPT_TS,
	     b->last_ts, len);
	a->seq += len + ((extra & F_FIN) ? 1 : 0);
}

/* ---- bulk ---- */

struct pending_ack {
	uint64_t t;
	uint32_t ack;
	uint32_t tsecr;
};

struct bulk_flow {
	struct conn k;
	uint64_t segs;
	uint32_t una;        /* highest sequence the receiver ACKed */
	uint32_t cwnd;       /* sender's congestion window, bytes */
	uint32_t rwnd;       /* receiver's window, bytes, from its last frame */
	unsigned head, tail; /* ring of ACKs the receiver will send */
	struct pending_ack ring[ACK_RING];
};

static struct bulk_flow bulk[BULK_MAX_FLOWS];

static uint64_t bulk_head_t(const struct bulk_flow *f)
{
	return f->head == f->tail ? UINT64_MAX
				  : f->ring[f->head & (ACK_RING - 1)].t;
}

/*
 * Emit, in time order across flows, every pending ACK due at or before <t>.
 * Each ACK opens the sender's windows: slow start (cwnd grows by the bytes
 * acked; no loss, so it never leaves it) and the receiver's scaled window.
 */
static void bulk_drain(int n, uint64_t t)
{
	for (;;) {
		int best = -1;
		for (int i = 0; i < n; i++)
			if (bulk[i].head != bulk[i].tail &&
			    bulk_head_t(&bulk[i]) <= t &&
			    (best < 0 ||
			     bulk_head_t(&bulk[i]) < bulk_head_t(&bulk[best])))
				best = i;
		if (best < 0)
			return;
		struct bulk_flow *f = &bulk[best];
		struct pending_ack *a = &f->ring[f->head++ & (ACK_RING - 1)];
		emit(a->t, &f->k.s, &f->k.c, f->k.s.seq, a->ack, F_ACK,
		     f->k.s.win, OPT_TS, a->tsecr, 0);
		uint32_t acked = a->ack - f->una;
		f->una = a->ack;
		f->rwnd = (uint32_t)f->k.s.win << 7;
		if (f->cwnd < (64u << 20))
			f->cwnd += acked;
	}
}

/* Can flow <f> send a full segment now? */
static int bulk_can_send(const struct bulk_flow *f)
{
	uint32_t flight = f->k.c.seq - f->una;
	uint32_t wnd = f->cwnd < f->rwnd ? f->cwnd : f->rwnd;
	return flight + MAX_PAYLOAD <= wnd;
}

static void gen_bulk(uint64_t target, int n)
{
	const uint64_t rtt = 200000;  /* ns */
	/* 10 Gbit/s: a 1514-byte frame plus FCS, preamble and gap */
	const uint64_t wire = (14 + 20 + 32 + MAX_PAYLOAD + 4 + 20) * 8 / 10;
	uint64_t t = 1700000000ULL * 1000000000ULL;

	for (int i = 0; i < n; i++) {
		conn_init(&bulk[i].k, 0x0a000001 + (uint32_t)i,
			  (uint16_t)(40000 + i), 0x0a000101, 5201);
		bulk[i].k.s.win = 0x4000; /* x128 = 2 MB receive window */
		syn(&bulk[i].k, t + (uint64_t)i * 10000);
	}
	for (int i = 0; i < n; i++) {
		uint64_t ts = t + (uint64_t)i * 10000 + rtt;
		synack(&bulk[i].k, ts);
		seg(&bulk[i].k.c, &bulk[i].k.s, ts + 1000, 0, 0);
		bulk[i].una = bulk[i].k.c.seq;
		bulk[i].cwnd = 10 * MAX_PAYLOAD; /* Linux initial window */
		bulk[i].rwnd = 65160;            /* SYN-ACK window: unscaled */
	}
	t += (uint64_t)n * 10000 + rtt + 2000;

	/* the link serves the flows round-robin, skipping those whose window
	 * is full; when all are, time jumps to the next ACK */
	int rr = 0;
	while (out_bytes < target) {
		int k = 0;
		while (k < n && !bulk_can_send(&bulk[(rr + k) % n]))
			k++;
		if (k == n) {
			uint64_t next = UINT64_MAX;
			for (int i = 0; i < n; i++)
				if (bulk_head_t(&bulk[i]) < next)
					next = bulk_head_t(&bulk[i]);
			if (next == UINT64_MAX) {
				fprintf(stderr, "gen_capture: bulk stuck\n");
				exit(1);
			}
			if (next > t)
				t = next;
			bulk_drain(n, t);
			continue;
		}
		struct bulk_flow *f = &bulk[(rr + k) % n];
		rr = (rr + k + 1) % n;
		t += wire;
		bulk_drain(n, t);
		uint8_t psh = (f->segs % 64 == 63) ? F_PSH : 0;
		seg(&f->k.c, &f->k.s, t, psh, MAX_PAYLOAD);
		if (++f->segs % 2 == 0) {
			if (f->tail - f->head == ACK_RING) {
				fprintf(stderr, "gen_capture: ACK ring full\n");
				exit(1);
			}
			f->ring[f->tail++ & (ACK_RING - 1)] = (struct pending_ack){
				t + rtt, f->k.c.seq, f->k.c.last_ts };
		}
	}
	bulk_drain(n, UINT64_MAX);
	t += rtt + 1000;

	/* close: client FIN, server FIN/ACK one RTT later, client ACK */
	for (int i = 0; i < n; i++)
		seg(&bulk[i].k.c, &bulk[i].k.s, t + (uint64_t)i * 1000,
		    F_FIN, 0);
	for (int i = 0; i < n; i++) {
		uint64_t ts = t + (uint64_t)i * 1000 + rtt;
		seg(&bulk[i].k.s, &bulk[i].k.c, ts, F_FIN, 0);
		seg(&bulk[i].k.c, &bulk[i].k.s, ts + 500, 0, 0);
	}
}

/* ---- crr ---- */

static void gen_crr(uint64_t conns)
{
	const uint64_t rtt = 50000; /* ns */
	uint64_t t = 1700000000ULL * 1000000000ULL;
	struct conn k;

	for (uint64_t i = 0; i < conns; i++) {
		/* unique 4-tuples: 28,000 ephemeral ports per client address */
		uint32_t cip = 0x0a010001 + (uint32_t)(i / 28000);
		uint16_t cport = (uint16_t)(32768 + i % 28000);
		uint32_t req = rng_range(16, 200);
		uint32_t resp = rng_range(64, 1024);

		conn_init(&k, cip, cport, 0x0a000001, 5001);
		syn(&k, t);
		synack(&k, t + rtt);
		seg(&k.c, &k.s, t + rtt + 1000, 0, 0);
		seg(&k.c, &k.s, t + rtt + 2000, F_PSH, req);
		seg(&k.s, &k.c, t + 2 * rtt + 7000, F_PSH, resp);
		seg(&k.c, &k.s, t + 2 * rtt + 9000, F_FIN, 0);
		seg(&k.s, &k.c, t + 3 * rtt + 10000, F_FIN, 0);
		seg(&k.c, &k.s, t + 3 * rtt + 11000, 0, 0);
		t += 3 * rtt + 20000;
	}
}

/* ---- flows ---- */

static void gen_flows(uint64_t n, unsigned rounds)
{
	const uint64_t gap = 1000; /* ns between frames */
	uint64_t t = 1700000000ULL * 1000000000ULL;
	struct conn *k = malloc(n * sizeof *k);
	if (!k) {
		fprintf(stderr, "gen_capture: out of memory for %" PRIu64
				" flows\n", n);
		exit(1);
	}
	for (uint64_t i = 0; i < n; i++) {
		/* 50,000 client ports per client address, 16 servers */
		uint32_t cip = 0x0a020001 + (uint32_t)(i / 50000);
		uint16_t cport = (uint16_t)(10000 + i % 50000);
		uint32_t sip = 0xac100001 + (uint32_t)(i % 16);
		conn_init(&k[i], cip, cport, sip, (uint16_t)(31400 + (i & 3)));
	}
	for (uint64_t i = 0; i < n; i++)
		syn(&k[i], t += gap);
	for (uint64_t i = 0; i < n; i++)
		synack(&k[i], t += gap);
	for (uint64_t i = 0; i < n; i++)
		seg(&k[i].c, &k[i].s, t += gap, 0, 0);
	for (unsigned r = 0; r < rounds; r++) {
		for (uint64_t i = 0; i < n; i++)
			seg(&k[i].c, &k[i].s, t += gap, F_PSH,
			    rng_range(16, 271));
		for (uint64_t i = 0; i < n; i++)
			seg(&k[i].s, &k[i].c, t += gap, F_PSH,
			    rng_range(32, 543));
	}
	for (uint64_t i = 0; i < n; i++)
		seg(&k[i].c, &k[i].s, t += gap, F_FIN, 0);
	for (uint64_t i = 0; i < n; i++)
		seg(&k[i].s, &k[i].c, t += gap, F_FIN, 0);
	for (uint64_t i = 0; i < n; i++)
		seg(&k[i].c, &k[i].s, t += gap, 0, 0);
	free(k);
}

/* ---- command line ---- */

static int parse_size(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': x <<= 10; end++; break;
	case 'm': case 'M': x <<= 20; end++; break;
	case 'g': case 'G': x <<= 30; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -1;
	*v = x;
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gen_capture MODE OUT.pcap [--bytes N[K|M|G]] [--conns N]"
		" [--flows N] [--rounds N] [--seed S]\n"
		"  bulk   --flows transfers (default 4) until the file reaches"
		" --bytes (default 256M)\n"
		"  crr    --conns TCP_CRR-like connections (default 125000,"
		" 8 frames each)\n"
		"  flows  --flows concurrent flows (default 50000), --rounds"
		" request/response exchanges each (default 4)\n"
		"  OUT.pcap may be '-' for stdout.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t bytes = 256ULL << 20, conns = 125000, flows = 0, rounds = 4;
	uint64_t seed = 1;

	if (argc < 3)
		usage();
	const char *mode = argv[1], *path = argv[2];
	for (int i = 3; i < argc; i++) {
		uint64_t *dst = NULL;
		if (!strcmp(argv[i], "--bytes")) dst = &bytes;
		else if (!strcmp(argv[i], "--conns")) dst = &conns;
		else if (!strcmp(argv[i], "--flows")) dst = &flows;
		else if (!strcmp(argv[i], "--rounds")) dst = &rounds;
		else if (!strcmp(argv[i], "--seed")) dst = &seed;
		else usage();
		if (i + 1 >= argc || parse_size(argv[++i], dst) < 0) {
			fprintf(stderr, "gen_capture: bad value for %s\n",
				argv[i - 1]);
			return 2;
		}
	}

	rng_state = seed;
	pool_init();

	out = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!out) {
		fprintf(stderr, "gen_capture: %s: %s\n", path, strerror(errno));
		return 1;
	}
	static char obuf[OUTBUF_SIZE];
	setvbuf(out, obuf, _IOFBF, sizeof obuf);
	/* upper bounds of the output: no frame record exceeds 1600 bytes */
	if (!strcmp(mode, "bulk"))
		out_limit = bytes + (64u << 20);
	else if (!strcmp(mode, "crr"))
		out_limit = 24 + conns * 8 * 1600;
	else
		out_limit = 24 + (flows ? flows : 50000) * (6 + 2 * rounds) * 1600;
	pcap_header();

	if (!strcmp(mode, "bulk")) {
		if (!flows)
			flows = 4;
		if (flows > BULK_MAX_FLOWS) {
			fprintf(stderr, "gen_capture: bulk: at most %d flows\n",
				BULK_MAX_FLOWS);
			return 2;
		}
		gen_bulk(bytes, (int)flows);
	} else if (!strcmp(mode, "crr")) {
		gen_crr(conns);
	} else if (!strcmp(mode, "flows")) {
		if (!flows)
			flows = 50000;
		if (flows > 50000ULL * 65000) {
			fprintf(stderr, "gen_capture: flows: too many\n");
			return 2;
		}
		gen_flows(flows, (unsigned)rounds);
	} else {
		usage();
	}

	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		perror("gen_capture: close");
		return 1;
	}
	fprintf(stderr, "gen_capture: %s: %" PRIu64 " packets, %" PRIu64
			" bytes\n", mode, out_packets, out_bytes);
	return 0;
}
