/*
 * tests/hostile/gen_hostile.c — reproducible generator of hostile captures
 * for the flood tests (tests/hostile/hostile.py). Not part of tcplens.
 *
 *   gen_hostile MODE OUT.pcap [--packets N] [--seed S]
 *   gen_hostile --rss CMD [ARG...]   run CMD, print "EXIT PEAK_RSS_KIB"
 *
 * Output: classic microsecond pcap, Ethernet, IPv4 with valid header and TCP
 * checksums (the analyzer must take every frame seriously). The same MODE,
 * --packets and --seed give the same bytes. About N frames are written
 * (a mode finishes its last connection or exchange).
 *
 * Modes:
 *   synflood  N SYNs from random addresses and ports to random addresses and
 *             ports: N flows, none ever answered (flow table, eviction)
 *   sackflood 4 connections; data with random resends of old ranges, every
 *             ACK carrying 3-4 random SACK blocks (some D-SACK, some beyond
 *             what was sent) over a cumulative ACK that crawls (held pool)
 *   wscale    connections in batches of 1000, SYNs with window scales 14,
 *             15, 200, 255, the window flapping 0 / 65535 / random
 *   seqjump   8 connections whose data and ACK numbers jump by about 2^31
 *             back and forth (wrap-safe arithmetic, capture-loss holes)
 *   overlap   8 connections resending overlapping ranges with different bytes
 * --rss measures a command's peak RSS from a small process: a child forked
 * by Python starts with Python's high-water mark (wait4 would report it).
 *
 * Normal traffic, for comparison:
 *   crr       short connections one after another (SYN, SYN-ACK, ACK,
 *             request, response, FIN exchange)
 *   bulk      4 long transfers, 1448-byte segments, an ACK every 2
 *   flows     N/10 connections open at once, 10 frames each
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAY 1448
#define F_FIN 0x01
#define F_SYN 0x02
#define F_PSH 0x08
#define F_ACK 0x10

static uint64_t rng_state;
static FILE *out;
static uint64_t written, target;
static uint64_t now_ns = 1700000000ull * 1000000000ull;

/* splitmix64: tiny, fast, reproducible. */
static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint32_t n)
{
	return n ? (uint32_t)(rng() % n) : 0;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint64_t words_sum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* One TCP segment to write. */
struct seg {
	uint32_t sip, dip;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint8_t opt[40];
	size_t optlen;        /* a multiple of 4 */
	uint32_t paylen;      /* random bytes */
};

/* Write <s> at the current time, then advance time by <gap_ns>. */
static void emit(const struct seg *s, uint64_t gap_ns)
{
	static uint8_t f[16 + 14 + 20 + 60 + MAX_PAY];
	uint8_t *eth = f + 16, *ip = eth + 14, *tcp = ip + 20;
	size_t thl = 20 + s->optlen, tcp_len = thl + s->paylen, len = 14 + 20 + tcp_len;
	uint32_t rec[4] = {(uint32_t)(now_ns / 1000000000u), (uint32_t)(now_ns / 1000u % 1000000u),
			   (uint32_t)len, (uint32_t)len};
	memcpy(f, rec, sizeof rec);
	eth[0] = 2, eth[1] = 0, put32(eth + 2, s->dip);
	eth[6] = 2, eth[7] = 0, put32(eth + 8, s->sip);
	put16(eth + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint32_t)(20 + tcp_len));
	put16(ip + 4, (uint32_t)written);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, s->sip);
	put32(ip + 16, s->dip);
	put16(ip + 10, fold(words_sum(ip, 20)));
	put16(tcp, s->sport);
	put16(tcp + 2, s->dport);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)(thl / 4 << 4);
	tcp[13] = s->flags;
	put16(tcp + 14, s->win);
	put32(tcp + 16, 0);
	memcpy(tcp + 20, s->opt, s->optlen);
	for (uint32_t i = 0; i < s->paylen; i += 8) {
		uint64_t r = rng();
		memcpy(tcp + thl + i, &r, s->paylen - i < 8 ? s->paylen - i : 8);
	}
	uint64_t sum = words_sum(ip + 12, 8) + 6 + tcp_len + words_sum(tcp, tcp_len);
	put16(tcp + 16, fold(sum));
	if (fwrite(f, 1, 16 + len, out) != 16 + len) {
		perror("gen_hostile: write");
		exit(1);
	}
	written++;
	now_ns += gap_ns;
}

/* SYN options: MSS 1460, SACK permitted, timestamps, NOP, window scale. */
static void syn_opts(struct seg *s, uint8_t wscale)
{
	static const uint8_t o[20] = {2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
	memcpy(s->opt, o, sizeof o);
	s->opt[19] = wscale;
	s->optlen = sizeof o;
}

/* One connection's endpoints and next sequence numbers. */
struct conn {
	uint32_t cip, sip;
	uint16_t cport, sport;
	uint32_t cseq, sseq;     /* next to send */
};

static void conn_new(struct conn *k, uint32_t n)
{
	k->cip = 0x0a000000u | (n & 0xffffff);
	k->sip = 0x0a640001u;
	k->cport = (uint16_t)(1024 + rng_below(60000));
	k->sport = 443;
	k->cseq = (uint32_t)rng();
	k->sseq = (uint32_t)rng();
}

/* A segment of k: dir 0 client to server, 1 back. */
static struct seg conn_seg(const struct conn *k, int dir, uint8_t flags, uint32_t paylen)
{
	struct seg s = {0};
	s.sip = dir ? k->sip : k->cip;
	s.dip = dir ? k->cip : k->sip;
	s.sport = dir ? k->sport : k->cport;
	s.dport = dir ? k->cport : k->sport;
	s.seq = dir ? k->sseq : k->cseq;
	s.ack = flags & F_ACK ? (dir ? k->cseq : k->sseq) : 0;
	s.flags = flags;
	s.win = 65535;
	s.paylen = paylen;
	return s;
}

static void handshake(struct conn *k, uint8_t cws, uint8_t sws, uint64_t gap)
{
	struct seg s = conn_seg(k, 0, F_SYN, 0);
	syn_opts(&s, cws);
	emit(&s, gap);
	k->cseq++;
	s = conn_seg(k, 1, F_SYN | F_ACK, 0);
	syn_opts(&s, sws);
	emit(&s, gap);
	k->sseq++;
	s = conn_seg(k, 0, F_ACK, 0);
	emit(&s, gap);
}

static void gen_synflood(void)
{
	while (written < target) {
		struct seg s = {0};
		uint64_t r = rng(), r2 = rng();
		s.sip = (uint32_t)r;
		s.dip = (uint32_t)(r >> 32);
		s.sport = (uint16_t)r2;
		s.dport = (uint16_t)(r2 >> 16);
		s.seq = (uint32_t)(r2 >> 32);
		s.flags = F_SYN;
		s.win = 64240;
		syn_opts(&s, 7);
		emit(&s, 1000);
	}
}

/* SACK option: NOP NOP, kind 5 with <n> random blocks near <base>. */
static void sack_opts(struct seg *s, uint32_t base, uint32_t span, int n)
{
	s->opt[0] = 1, s->opt[1] = 1, s->opt[2] = 5, s->opt[3] = (uint8_t)(2 + 8 * n);
	for (int i = 0; i < n; i++) {
		/* 1 in 8 below the ACK (D-SACK), others anywhere in 8 MB above */
		uint32_t left = rng_below(8) ? base + 1 + rng_below(span) : base - 1 - rng_below(65536);
		put32(s->opt + 4 + 8 * i, left);
		put32(s->opt + 8 + 8 * i, left + 1 + rng_below(65536));
	}
	s->optlen = 4 + 8 * (size_t)n;
}

static void gen_sackflood(void)
{
	struct conn k[4];
	uint32_t una[4];
	for (int i = 0; i < 4; i++) {
		conn_new(&k[i], (uint32_t)i + 1);
		handshake(&k[i], 7, 7, 20000);
		una[i] = k[i].cseq;
	}
	for (uint64_t n = 0; written < target; n++) {
		int i = (int)(n % 4);
		struct seg s = conn_seg(&k[i], 0, F_ACK, 1000);
		uint32_t sent = k[i].cseq - una[i];
		if (sent > 4000 && !rng_below(8))
			s.seq = una[i] + rng_below(sent - 2000); /* a resend of an old range */
		else
			k[i].cseq += 1000;
		emit(&s, 2000);
		sent = k[i].cseq - una[i];
		una[i] += rng_below(4) ? 0 : rng_below(sent < 8000 ? sent : 8000);
		s = conn_seg(&k[i], 1, F_ACK, 0);
		s.ack = una[i];
		sack_opts(&s, una[i], 8u << 20, 3 + (int)rng_below(2));
		emit(&s, 2000);
	}
	for (int i = 0; i < 4; i++) {
		struct seg s = conn_seg(&k[i], 0, F_FIN | F_ACK, 0);
		emit(&s, 1000);
	}
}

static void gen_wscale(void)
{
	static const uint8_t ws[] = {14, 15, 200, 255, 0, 14};
	struct conn k[1000];
	for (uint32_t batch = 0; written < target; batch++) {
		for (uint32_t i = 0; i < 1000; i++) {
			conn_new(&k[i], batch * 1000 + i);
			handshake(&k[i], ws[rng_below(6)], ws[rng_below(6)], 1000);
		}
		for (int round = 0; round < 8; round++)
			for (uint32_t i = 0; i < 1000; i++) {
				int dir = (int)rng_below(2);
				uint32_t len = rng_below(3) ? 0 : 1 + rng_below(1448);
				struct seg s = conn_seg(&k[i], dir, F_ACK | (len ? F_PSH : 0), len);
				uint32_t w = rng_below(3);
				s.win = w == 0 ? 0 : w == 1 ? 65535 : (uint16_t)rng();
				emit(&s, 1000);
				*(dir ? &k[i].sseq : &k[i].cseq) += len;
			}
		for (uint32_t i = 0; i < 1000; i++) {
			struct seg s = conn_seg(&k[i], 0, F_FIN | F_ACK, 0);
			emit(&s, 500);
			k[i].cseq++;
			s = conn_seg(&k[i], 1, F_FIN | F_ACK, 0);
			emit(&s, 500);
			k[i].sseq++;
			s = conn_seg(&k[i], 0, F_ACK, 0);
			emit(&s, 500);
		}
	}
}

static void gen_seqjump(void)
{
	struct conn k[8];
	for (int i = 0; i < 8; i++) {
		conn_new(&k[i], (uint32_t)i + 1);
		handshake(&k[i], 7, 7, 20000);
	}
	for (uint64_t n = 0; written < target; n++) {
		int i = (int)(n % 8);
		uint32_t len = 100 + rng_below(1300);
		if (!rng_below(4)) /* jump by about 2^31, forward or back */
			k[i].cseq += (rng_below(2) ? 0x80000000u : 0x7fffff00u) + rng_below(256);
		struct seg s = conn_seg(&k[i], 0, F_ACK | F_PSH, len);
		emit(&s, 3000);
		k[i].cseq += len;
		s = conn_seg(&k[i], 1, F_ACK, 0);
		if (!rng_below(4))
			s.ack += 0x80000000u + rng_below(1u << 20);
		emit(&s, 3000);
	}
}

static void gen_overlap(void)
{
	struct conn k[8];
	uint32_t una[8];
	for (int i = 0; i < 8; i++) {
		conn_new(&k[i], (uint32_t)i + 1);
		handshake(&k[i], 7, 7, 20000);
		una[i] = k[i].cseq;
	}
	for (uint64_t n = 0; written < target; n++) {
		int i = (int)(n % 8);
		uint32_t sent = k[i].cseq - una[i];
		struct seg s = conn_seg(&k[i], 0, F_ACK | F_PSH, 1448);
		if (sent > 3000 && rng_below(2)) {
			/* overlaps what was sent, new random bytes, any length */
			s.seq = una[i] + rng_below(sent);
			s.paylen = 1 + rng_below(1448);
		} else {
			k[i].cseq += 1448;
		}
		emit(&s, 2000);
		if (n % 3 == 2) {
			una[i] += (k[i].cseq - una[i]) / 2;
			s = conn_seg(&k[i], 1, F_ACK, 0);
			s.ack = una[i];
			emit(&s, 2000);
		}
	}
}

static void gen_crr(void)
{
	for (uint32_t n = 0; written < target; n++) {
		struct conn k;
		conn_new(&k, n);
		k.cport = (uint16_t)(1024 + n % 60000);
		k.cip = 0x0a000000u | (n / 60000 + 1);
		handshake(&k, 7, 7, 25000);
		uint32_t req = 16 + rng_below(185), resp = 64 + rng_below(961);
		struct seg s = conn_seg(&k, 0, F_ACK | F_PSH, req);
		emit(&s, 25000);
		k.cseq += req;
		s = conn_seg(&k, 1, F_ACK | F_PSH, resp);
		emit(&s, 25000);
		k.sseq += resp;
		s = conn_seg(&k, 0, F_ACK | F_FIN, 0);
		emit(&s, 25000);
		k.cseq++;
		s = conn_seg(&k, 1, F_ACK | F_FIN, 0);
		emit(&s, 25000);
		k.sseq++;
		s = conn_seg(&k, 0, F_ACK, 0);
		emit(&s, 25000);
	}
}

/* Normal: 4 bulk transfers round-robin, 1448-byte segments, an ACK every
 * 2 segments, no loss. */
static void gen_bulk(void)
{
	struct conn k[4];
	for (int i = 0; i < 4; i++) {
		conn_new(&k[i], (uint32_t)i + 1);
		handshake(&k[i], 7, 7, 20000);
	}
	for (uint64_t n = 0; written < target; n++) {
		int i = (int)(n % 4);
		struct seg s = conn_seg(&k[i], 0, F_ACK, 1448);
		emit(&s, 1200);
		k[i].cseq += 1448;
		if (n % 8 >= 4) {
			s = conn_seg(&k[i], 1, F_ACK, 0);
			emit(&s, 1200);
		}
	}
}

/* Normal: --packets / 10 connections open at once (handshakes, then two
 * request/response rounds round-robin, then the FIN exchanges). */
static void gen_flows(void)
{
	uint32_t n = (uint32_t)(target / 10) + 1;
	struct conn *k = calloc(n, sizeof(*k));
	if (!k)
		exit(1);
	for (uint32_t i = 0; i < n; i++) {
		conn_new(&k[i], i + 1);
		k[i].cport = (uint16_t)(1024 + i % 60000);
		k[i].cip = 0x0a000000u | (i / 60000 + 1);
		handshake(&k[i], 7, 7, 300);
	}
	for (int round = 0; round < 2; round++)
		for (int dir = 0; dir < 2; dir++)
			for (uint32_t i = 0; i < n; i++) {
				uint32_t len = 100 + rng_below(400);
				struct seg s = conn_seg(&k[i], dir, F_ACK | F_PSH, len);
				emit(&s, 300);
				*(dir ? &k[i].sseq : &k[i].cseq) += len;
			}
	for (int step = 0; step < 3; step++)
		for (uint32_t i = 0; i < n; i++) {
			struct seg s = conn_seg(&k[i], step == 1, F_ACK | (step < 2 ? F_FIN : 0), 0);
			emit(&s, 300);
			if (step == 0)
				k[i].cseq++;
			else if (step == 1)
				k[i].sseq++;
		}
	free(k);
}

static const struct {
	const char *name;
	void (*fn)(void);
} modes[] = {
	{"synflood", gen_synflood}, {"sackflood", gen_sackflood}, {"wscale", gen_wscale},
	{"seqjump", gen_seqjump},   {"overlap", gen_overlap},     {"crr", gen_crr},
	{"bulk", gen_bulk},         {"flows", gen_flows},
};

static int usage(void)
{
	fprintf(stderr, "usage: gen_hostile synflood|sackflood|wscale|seqjump|overlap|crr|bulk|flows\n"
			"       OUT.pcap"
			" [--packets N] [--seed S]\n");
	return 2;
}

/* --rss: fork, exec argv, wait4; the exit status (128 + signal) and peak RSS. */
static int run_rss(char **argv)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("wait4");
		return 1;
	}
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	printf("%d %ld\n", code, ru.ru_maxrss);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--rss"))
		return run_rss(argv + 2);
	if (argc < 3 || (argc - 3) % 2)
		return usage();
	uint64_t seed = 1;
	target = 1000000;
	for (int i = 3; i < argc; i += 2) {
		char *end;
		unsigned long long v = strtoull(argv[i + 1], &end, 10);
		if (*end || !*argv[i + 1])
			return usage();
		if (!strcmp(argv[i], "--packets"))
			target = v;
		else if (!strcmp(argv[i], "--seed"))
			seed = v;
		else
			return usage();
	}
	size_t m = 0;
	while (m < sizeof modes / sizeof modes[0] && strcmp(modes[m].name, argv[1]))
		m++;
	if (m == sizeof modes / sizeof modes[0])
		return usage();
	rng_state = seed * 0x2545f4914f6cdd1dull + m;
	out = strcmp(argv[2], "-") ? fopen(argv[2], "wb") : stdout;
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	static char buf[1 << 20];
	setvbuf(out, buf, _IOFBF, sizeof buf);
	uint32_t hdr[6] = {0xa1b2c3d4, 2 | 4u << 16, 0, 0, 65535, 1};
	fwrite(hdr, 1, sizeof hdr, out);
	modes[m].fn();
	if (fclose(out)) {
		perror("gen_hostile: close");
		return 1;
	}
	printf("%llu\n", (unsigned long long)written);
	return 0;
}
