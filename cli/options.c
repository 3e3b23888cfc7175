/*
 * cli/options.c — see options.h.
 */
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regress.h"
#include "report/report.h"

enum {
	OPT_FORMAT = 256,
	OPT_MAX_FLOWS,
	OPT_MAX_EVENTS,
	OPT_MAX_HELD,
	OPT_MAX_HELD_PER_FLOW,
	OPT_MAX_ROUNDS,
	OPT_THREADS,
	OPT_NFQUEUE,
	OPT_TUI,
	OPT_NO_TUI,
	OPT_REPLAY,
	OPT_BASELINE,
	OPT_DURATION,
	OPT_ENGINE,
	OPT_RING_BLOCK,
	OPT_RING_BLOCKS,
	OPT_RING_TIMEOUT,
	OPT_NO_OFFLOAD_SIGNATURE,
	OPT_TOLERANCE,
	OPT_WRITE_FLAGGED,
	OPT_METRICS,
	OPT_METRICS_FILE,
	OPT_METRICS_INTERVAL,
	OPT_METRICS_HOST,
	OPT_CLICKHOUSE,
	OPT_CLICKHOUSE_SPOOL,
	OPT_CLICKHOUSE_FLUSH_TIMEOUT,
};

/* The --help text: data, one string. */
static const char usage_text[] =
"Usage: tcplens -r FILE [options] [BPF expression] [options]\n"
"       tcplens -i IFACE [--engine tpacket3|pcap] [options] [BPF expression]\n"
"       tcplens --nfqueue N [options]\n"
"       tcplens diff BASELINE.json CURRENT.json [--tolerance NAME=VALUE]... [--format F]\n"
"       tcplens check DIR [--update] [--reports SUBDIR] [--tolerance NAME=VALUE]... [-v]\n"
"\n"
"tcplens reads a capture and tells you what is wrong with its TCP connections,\n"
"with the evidence and the fix: corrupt checksums versus harmless checksum-offload\n"
"artifacts, giant TSO/GRO segments, stalls and their cause (delayed ACK + Nagle,\n"
"TCP_CORK, RTO, zero window), retransmissions, SACK holes, capture loss, the\n"
"congestion window round by round, SYN retries and handshake latency.\n"
"\n"
"Input:\n"
"  -r FILE              read a pcap or pcapng file ('-' = standard input; pcapng\n"
"                       with several interfaces too); link types: Ethernet\n"
"                       (802.1Q, QinQ, PBB, VN-Tag, E-Tag, MPLS, PPPoE, SNAP),\n"
"                       Linux SLL/SLL2, raw IP, NULL/LOOP, PPP, Cisco HDLC,\n"
"                       NFLOG, 802.11 (radiotap); inside VXLAN, Geneve, GTP-U,\n"
"                       GRE, ERSPAN, IPIP\n"
"  BPF expression       optional filter, as in tcpdump: 'tcp port 443'; options\n"
"                       may follow it, as tcpdump takes them ('--' ends options)\n"
"  -c COUNT             stop after COUNT frames\n"
"\n"
"Live capture (Ctrl-C or SIGTERM ends it and writes the report):\n"
"  -i IFACE             capture on IFACE (needs CAP_NET_RAW)\n"
"  --engine ENGINE      tpacket3 (default on Linux: AF_PACKET TPACKET_V3 ring, the\n"
"                       kernel's checksum/GSO hints) or pcap (libpcap; any\n"
"                       interface it opens; the default for -i any)\n"
"  --nfqueue N          read netfilter queue N and accept every packet unchanged\n"
"                       (needs CAP_NET_ADMIN); queue with a bypass rule:\n"
"                       iptables -A INPUT -j NFQUEUE --queue-num N --queue-bypass\n"
"  --duration SECS      stop after SECS seconds\n"
"  -Z USER              become USER once the capture is open (no capability kept,\n"
"                       but CAP_NET_ADMIN for --nfqueue); without -Z, root keeps\n"
"                       its uid but drops every other capability\n"
"  -s SNAPLEN           bytes kept per frame (default 262144)\n"
"  -B KIB               capture buffer, as tcpdump's -B (default 65536: the\n"
"                       tpacket3 ring, or libpcap's buffer, of --ring-blocks)\n"
"  --ring-block KIB     tpacket3 ring block size (default 1024)\n"
"  --ring-blocks N      tpacket3 ring blocks (default 64)\n"
"  --ring-timeout MS    tpacket3 block retire timeout (default 20)\n"
"\n"
"Output:\n"
"  --format FMT         text (default), json (one document, schema 1), jsonl\n"
"                       (one object a line: start, event..., flow..., end) or html\n"
"                       (one self-contained page: diagnosis, flows table, graphs)\n"
"  -o FILE              write the report to FILE; the format follows the extension\n"
"                       (.txt, .json, .jsonl, .html; another one is refused,\n"
"                       none is text) unless --format says otherwise\n"
"  -q, --quiet          do not list malformed frames on stderr\n"
"  -v, -vv              list every malformed frame, not only the first 20\n"
"  -n                   accepted for tcpdump habits: tcplens resolves no names\n"
"\n"
"Annotated capture (for Wireshark; needs -r FILE: written by a second pass):\n"
"  -w OUT.pcapng        every frame read (after the BPF filter, non-IP too), bytes,\n"
"                       link type and ns timestamps kept, each finding a comment\n"
"                       on its frame (Wireshark: frame.comment), direction and\n"
"                       kernel checksum/GSO hints in epb_flags\n"
"  --write-flagged      only the frames of flows with findings (original frame\n"
"                       numbers in epb_packetid: frame.packet_id)\n"
"\n"
"Regression replay (compare with a saved JSON report; exit 1 on a regression):\n"
"  --baseline OLD.json  analyze, then print what appeared, disappeared or changed\n"
"                       beyond tolerance, worst first (--format json: as JSON);\n"
"                       -o FILE keeps the new report (JSON) as the next baseline\n"
"  --tolerance N=V      N: events, stall_ms, retransmissions, initial_window,\n"
"                       cc_guess, capture_loss; V: R% of the baseline, A absolute,\n"
"                       R%+A (the larger), off. Defaults: events=10%,\n"
"                       stall_ms=10%+20, retransmissions=10%, initial_window=0,\n"
"                       cc_guess=on, capture_loss=10%\n"
"  diff A.json B.json   compare two saved reports (same options)\n"
"  check DIR            every DIR/*.pcap, *.pcapng against its saved report\n"
"                       (DIR/expected/NAME.json if DIR/expected exists, else\n"
"                       DIR/NAME.json; --reports SUBDIR to choose), a table;\n"
"                       --update rewrites the reports after a deliberate change\n"
"\n"
"Prometheus metrics (findings by kind and cause, stalled seconds, drops, flows):\n"
"  --metrics ADDR:PORT  live: serve GET /metrics on ADDR:PORT only (HTTP/1.0,\n"
"                       polled between capture batches), e.g. 127.0.0.1:9911\n"
"  --metrics-file PATH  write the metrics to PATH (node_exporter textfile\n"
"                       collector: NAME.prom), replaced atomically at the end and,\n"
"                       live, every --metrics-interval SECS (default 15)\n"
"  --host NAME          the host every series (its host label, with interface\n"
"                       and engine) and every ClickHouse row carries (default:\n"
"                       the hostname); --metrics-host NAME is the same\n"
"\n"
"ClickHouse (events and flows from many hosts in one database; rows batched,\n"
"spooled in memory and retried while the server is away, never blocking the\n"
"capture; deploy/clickhouse/schema.sql makes the tables):\n"
"  --clickhouse URL     send every event and ended flow to ClickHouse's HTTP\n"
"                       interface, tables events and flows of the URL's database:\n"
"                       http://127.0.0.1:8123/?database=tcplens (live and -r)\n"
"  --clickhouse-spool MB  rows held while ClickHouse does not take them (default\n"
"                       64); beyond, rows are dropped and counted\n"
"  --clickhouse-flush-timeout SECS  at the end, how long to keep sending what\n"
"                       is left (default 10); stderr says what was sent,\n"
"                       retried and dropped\n"
"\n"
"Limits (memory grows with concurrent flows, never with capture length):\n"
"  --max-flows N        flows tracked at once (default 1000000); when full, closed\n"
"                       flows, then the least recently active, are evicted\n"
"  --max-events N       events written per flow (default 100000); counts stay exact\n"
"  --max-held N         events awaiting a verdict (a corrupt segment's fate, a SACK\n"
"                       hole's fill, a resend awaiting a D-SACK), all flows\n"
"                       (default 8192, 72 bytes each)\n"
"  --max-held-per-flow N  of one kind in one flow (default 64); over either\n"
"                       cap the event is written at once, its verdict unknown\n"
"                       (counted: capture.held_overflow in the JSON report)\n"
"  --max-rounds N       congestion-window rounds kept for the report, all flows\n"
"                       (default 8388608, 18 bytes each once used, freed as each\n"
"                       flow is written); beyond: counted only\n"
"                       (rounds_pool_full); at most 256 per flow direction\n"
"\n"
"Speed:\n"
"  --threads N          -r on a regular file: 2 reads and decodes the file on a\n"
"                       second thread, ahead of the analysis; 1 does it on one\n"
"                       thread, 512 frames at a time; the default, with 2+\n"
"                       CPUs, times both on the first ~220,000 frames and\n"
"                       keeps the faster;\n"
"                       3 to 33 also shard the analysis by flow over N-1 threads.\n"
"                       Output is the same whatever N, unless a cap\n"
"                       (--max-flows...) is reached: shards split it.\n"
"                       -i (tpacket3): N rings in a PACKET_FANOUT group, 2 to 32,\n"
"                       each read and decoded on its own thread, merged by time\n"
"                       into one analysis (frames reach it ~50 ms late)\n"
"\n"
"  -h, --help           this help;  -V, --version   the version\n"
"\n"
"Exit status: 0 ok, 1 regression (--baseline, diff, check), 2 usage or input\n"
"error (a damaged frame is reported and skipped; a file cut mid-record is\n"
"analyzed up to the cut and exits 2; an unreadable report or another schema).\n"
"\n"
"Examples:\n"
"  tcplens -r trace.pcap                      diagnosis, connections, evidence\n"
"  tcplens -r trace.pcapng --format json -o report.json\n"
"  tcpdump -i eth0 -w - | tcplens -r - 'port 3306'\n"
"  tcplens -i eth0 'port 3306'                live, report on Ctrl-C\n"
"  tcplens -i eth0 --format jsonl --duration 60 | jq 'select(.kind==\"stall\")'\n"
"  tcplens -r trace.pcap -w annotated.pcapng   findings as comments for Wireshark\n"
"  tcplens -r new.pcap --baseline old.json --tolerance stall_ms=5%\n"
"  tcplens check captures/                    a corpus against its saved reports\n"
"  tcplens -r incident.pcap --replay=10       watch it again at 10x speed\n"
"\n"
"Interactive (keys: ? in the TUI):\n"
"  --tui / --no-tui     the ncurses TUI: findings, flows, a flow's detail; on by\n"
"                       default only live with stdout a terminal; --tui -r FILE\n"
"                       browses the finished analysis; q writes the report as usual\n"
"  --replay[=SPEED]     with -r FILE: feed the capture at its recorded pace (x SPEED;\n"
"                       max = no pacing) as if live; opens the TUI when stdout is a\n"
"                       terminal; the report is the offline report of the file\n"
"";

void options_usage(FILE *out)
{
	fputs(usage_text, out);
}

/* What getopt refused, said so: the argument a short option lacks, or an
 * option it does not know. */
static void refused_option(int argc, char **argv, char *err, size_t errlen)
{
	static const struct {
		char opt;
		const char *what;
	} args[] = {
		{'r', "the capture file to read ('-' for standard input)"},
		{'i', "the interface to capture on"},
		{'o', "the report file to write"},
		{'c', "how many frames to read"},
		{'s', "the snap length in bytes"},
		{'w', "the annotated pcapng file to write"},
		{'Z', "the user to run as after opening the capture"},
	};
	const char *last = optind > 0 && optind - 1 < argc ? argv[optind - 1] : "?";
	for (size_t i = 0; optopt && i < sizeof(args) / sizeof(args[0]); i++)
		if (optopt == args[i].opt) {
			snprintf(err, errlen, "-%c needs an argument: %s (see --help)", optopt,
				 args[i].what);
			return;
		}
	if (optopt > 0 && optopt < 128)
		snprintf(err, errlen, "unknown option -%c (see --help)", optopt);
	else if (optopt) /* a long option that takes an argument */
		snprintf(err, errlen, "%s needs an argument (see --help)", last);
	else
		snprintf(err, errlen, "unknown option '%s' (see --help)", last);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	unsigned long long x = strtoull(s, &end, 10);
	if (*end)
		return -1;
	*v = x;
	return 0;
}

static char *join_words(int n, char **w)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	char *s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, w[i]);
	}
	return s;
}

/* --max-held, --max-held-per-flow, --max-rounds: 1..100,000,000 (the pools
 * index entries with 32 bits). Returns 0, or -1 with a message in err. */
static int parse_cap_option(int c, const char *arg, struct options *o, char *err, size_t errlen)
{
	uint64_t v;
	const char *name = c == OPT_MAX_HELD ? "--max-held" :
			   c == OPT_MAX_HELD_PER_FLOW ? "--max-held-per-flow" : "--max-rounds";
	if (parse_u64(arg, &v) < 0 || v == 0 || v > 100000000) {
		snprintf(err, errlen, "%s wants 1..100000000, not '%s'", name, arg);
		return -1;
	}
	if (c == OPT_MAX_HELD)
		o->run.max_held = (size_t)v;
	else if (c == OPT_MAX_HELD_PER_FLOW)
		o->run.max_held_per_flow = (uint32_t)v;
	else
		o->run.max_rounds = (size_t)v;
	return 0;
}

/* The live-capture options (-i, --nfqueue, --engine, -Z, -s, --duration,
 * the ring). Returns 0, or -1 with a message in err. */
static int parse_live_option(int c, const char *arg, struct options *o, char *err, size_t errlen)
{
	uint64_t v;
	char *end;
	switch (c) {
	case 'i':
		o->run.interface = arg;
		return 0;
	case 'Z':
		o->run.user = arg;
		return 0;
	case OPT_NO_OFFLOAD_SIGNATURE:
		o->run.no_offload_signature = 1;
		return 0;
	case OPT_ENGINE:
		if (strcmp(arg, "tpacket3") && strcmp(arg, "pcap")) {
			snprintf(err, errlen, "--engine is tpacket3 or pcap, not '%s'", arg);
			return -1;
		}
		o->run.engine = arg;
		return 0;
	case OPT_DURATION:
		o->run.duration = strtod(arg, &end);
		if (end == arg || *end || !(o->run.duration > 0) || o->run.duration > 1e9) {
			snprintf(err, errlen, "--duration wants a positive number of seconds, not '%s'", arg);
			return -1;
		}
		return 0;
	}
	if (parse_u64(arg, &v) < 0) {
		snprintf(err, errlen, "%s wants a number, not '%s'",
			 c == 's' ? "-s" : c == 'B' ? "-B" : c == OPT_NFQUEUE ? "--nfqueue" : c == OPT_RING_BLOCK ?
			 "--ring-block" : c == OPT_RING_BLOCKS ? "--ring-blocks" : "--ring-timeout", arg);
		return -1;
	}
	const char *bad = NULL;
	if (c == OPT_NFQUEUE && v > 65535)
		bad = "--nfqueue wants a queue number 0..65535";
	else if (c == 's' && (v < 64 || v > 262144))
		bad = "-s wants a snap length of 64..262144 bytes";
	else if (c == 'B' && (v < 64 || v > 4194304))
		bad = "-B wants a buffer of 64..4194304 KiB";
	else if (c == OPT_RING_BLOCK && (v < 4 || v > 1048576 || v % 4))
		bad = "--ring-block wants KiB, a multiple of 4 (the page size), up to 1048576";
	else if (c == OPT_RING_BLOCKS && (v < 2 || v > 65536))
		bad = "--ring-blocks wants 2..65536";
	else if (c == OPT_RING_TIMEOUT && (v < 1 || v > 10000))
		bad = "--ring-timeout wants 1..10000 ms";
	if (bad) {
		snprintf(err, errlen, "%s", bad);
		return -1;
	}
	if (c == OPT_NFQUEUE)
		o->run.nfqueue = (int)v;
	else if (c == 's')
		o->run.snaplen = (int)v;
	else if (c == 'B')
		o->run.buffer_kib = (unsigned)v;
	else if (c == OPT_RING_BLOCK)
		o->run.ring_block_kib = (unsigned)v;
	else if (c == OPT_RING_BLOCKS)
		o->run.ring_blocks = (unsigned)v;
	else
		o->run.ring_timeout_ms = (unsigned)v;
	return 0;
}

/* Regression replay and the annotated pcapng: --baseline, --tolerance, -w,
 * --write-flagged. Returns 0, or -1 with a message in err. */
static int parse_replay_option(int c, const char *arg, struct options *o, char *err, size_t errlen)
{
	switch (c) {
	case 'w':
		o->run.write_path = arg;
		return 0;
	case OPT_WRITE_FLAGGED:
		o->run.write_flagged = 1;
		return 0;
	case OPT_BASELINE:
		o->run.baseline = arg;
		return 0;
	}
	if (o->run.ntolerance == PIPELINE_MAX_TOLERANCES) {
		snprintf(err, errlen, "too many --tolerance options (join them: a=1%%,b=2)");
		return -1;
	}
	if (regress_tolerance_check(arg, err, errlen) < 0)
		return -1;
	o->run.tolerance[o->run.ntolerance++] = arg;
	return 0;
}

/* After parsing: --baseline writes the new report as JSON (to -o FILE when
 * given, to keep it as the next baseline) and prints the comparison in
 * --format text|json; -w needs a capture file it can read twice. */
static int replay_options_check(struct options *o, char *err, size_t errlen)
{
	if (o->run.ntolerance && !o->run.baseline) {
		snprintf(err, errlen, "--tolerance goes with --baseline (or tcplens diff / check)");
		return -1;
	}
	if (o->run.write_flagged && !o->run.write_path) {
		snprintf(err, errlen, "--write-flagged goes with -w OUT.pcapng");
		return -1;
	}
	if (o->run.write_path && (!o->run.read_file || !strcmp(o->run.read_file, "-"))) {
		snprintf(err, errlen, "-w needs -r FILE: the annotated pcapng is written by a "
			 "second pass over the capture file (save standard input to a file first)");
		return -1;
	}
	if (!o->run.baseline)
		return 0;
	if (o->run.format == REPORT_JSONL) {
		snprintf(err, errlen, "--baseline prints the comparison as text or json, not jsonl");
		return -1;
	}
	if (o->run.out_path && !strcmp(o->run.out_path, "-")) {
		snprintf(err, errlen, "--baseline prints the comparison on standard output: -o - "
			 "would mix the report into it");
		return -1;
	}
	o->run.compare_json = o->run.format == REPORT_JSON;
	o->run.format = REPORT_JSON;
	return 0;
}

/* --metrics ADDR:PORT, --metrics-file PATH, --metrics-interval SECS.
 * Returns 0, or -1 with a message in err. */
static int parse_metrics_option(int c, const char *arg, struct options *o, char *err,
				size_t errlen)
{
	char *end;
	if (c == OPT_METRICS_FILE) {
		o->run.metrics_file = arg;
		return 0;
	}
	if (c == OPT_METRICS_HOST) {
		if (!*arg || strlen(arg) > 255) {
			snprintf(err, errlen, "--host wants a name of 1..255 characters");
			return -1;
		}
		o->run.host = arg;
		return 0;
	}
	if (c == OPT_METRICS) {
		const char *colon = strrchr(arg, ':');
		if (!colon || colon == arg || !colon[1] || strspn(colon + 1, "0123456789") !=
		    strlen(colon + 1) || atoi(colon + 1) > 65535) {
			snprintf(err, errlen, "--metrics wants ADDR:PORT (127.0.0.1:9911, "
				 "[::1]:9911), not '%s'", arg);
			return -1;
		}
		o->run.metrics_listen = arg;
		return 0;
	}
	o->run.metrics_interval = strtod(arg, &end);
	if (end == arg || *end || !(o->run.metrics_interval >= 0.1) || o->run.metrics_interval > 86400) {
		snprintf(err, errlen, "--metrics-interval wants 0.1..86400 seconds, not '%s'", arg);
		return -1;
	}
	return 0;
}

/* --clickhouse URL, --clickhouse-spool MB, --clickhouse-flush-timeout SECS
 * (the URL itself is checked when the sink starts). Returns 0, or -1 with a
 * message in err. */
static int parse_clickhouse_option(int c, const char *arg, struct options *o, char *err,
				   size_t errlen)
{
	char *end;
	if (c == OPT_CLICKHOUSE) {
		o->run.clickhouse_url = arg;
		return 0;
	}
	double v = strtod(arg, &end);
	if (c == OPT_CLICKHOUSE_SPOOL) {
		if (end == arg || *end || !(v >= 0.0625) || v > 65536) {
			snprintf(err, errlen, "--clickhouse-spool wants 0.0625..65536 MB, not '%s'", arg);
			return -1;
		}
		o->run.clickhouse_spool_mb = v;
		return 0;
	}
	if (end == arg || *end || !(v >= 0.1) || v > 3600) {
		snprintf(err, errlen, "--clickhouse-flush-timeout wants 0.1..3600 seconds, not '%s'",
			 arg);
		return -1;
	}
	o->run.clickhouse_flush_timeout = v;
	return 0;
}

/* --tui, --no-tui, --replay[=SPEED]. Returns 0, or -1 with a message in err. */
static int parse_tui_option(int c, const char *arg, struct options *o, char *err, size_t errlen)
{
	char *end;
	if (c != OPT_REPLAY) {
		o->run.tui = c == OPT_TUI;
		return 0;
	}
	o->run.replay = 1;
	o->run.replay_speed = 1;
	if (!arg)
		return 0;
	if (!strcmp(arg, "max")) {
		o->run.replay_speed = 0;
		return 0;
	}
	o->run.replay_speed = strtod(arg, &end);
	if (end == arg || *end || !(o->run.replay_speed > 0) || o->run.replay_speed > 1e6) {
		snprintf(err, errlen, "--replay=SPEED wants a positive number or max, not '%s'", arg);
		return -1;
	}
	return 0;
}

/* After parsing: --replay paces a capture file; the TUI shares the terminal
 * with nothing else (--baseline prints its comparison there). */
static int tui_options_check(struct options *o, char *err, size_t errlen)
{
	if (o->run.replay && !o->run.read_file) {
		snprintf(err, errlen, "--replay paces a saved capture: give it with -r FILE");
		return -1;
	}
	if (o->run.tui == 1 && o->run.baseline) {
		snprintf(err, errlen, "--tui and --baseline both want the terminal: choose one");
		return -1;
	}
	return 0;
}

static const struct option longopts[] = {
	{"format", required_argument, NULL, OPT_FORMAT},
	{"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
	{"max-events", required_argument, NULL, OPT_MAX_EVENTS},
	{"max-held", required_argument, NULL, OPT_MAX_HELD},
	{"max-held-per-flow", required_argument, NULL, OPT_MAX_HELD_PER_FLOW},
	{"max-rounds", required_argument, NULL, OPT_MAX_ROUNDS},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"nfqueue", required_argument, NULL, OPT_NFQUEUE},
	{"tui", no_argument, NULL, OPT_TUI},
	{"no-tui", no_argument, NULL, OPT_NO_TUI},
	{"replay", optional_argument, NULL, OPT_REPLAY},
	{"baseline", required_argument, NULL, OPT_BASELINE},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"engine", required_argument, NULL, OPT_ENGINE},
	{"ring-block", required_argument, NULL, OPT_RING_BLOCK},
	{"ring-blocks", required_argument, NULL, OPT_RING_BLOCKS},
	{"ring-timeout", required_argument, NULL, OPT_RING_TIMEOUT},
	{"test-no-offload-signature", no_argument, NULL, OPT_NO_OFFLOAD_SIGNATURE},
	{"tolerance", required_argument, NULL, OPT_TOLERANCE},
	{"write-flagged", no_argument, NULL, OPT_WRITE_FLAGGED},
	{"metrics", required_argument, NULL, OPT_METRICS},
	{"metrics-file", required_argument, NULL, OPT_METRICS_FILE},
	{"metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL},
	{"metrics-host", required_argument, NULL, OPT_METRICS_HOST},
	{"host", required_argument, NULL, OPT_METRICS_HOST},
	{"clickhouse", required_argument, NULL, OPT_CLICKHOUSE},
	{"clickhouse-spool", required_argument, NULL, OPT_CLICKHOUSE_SPOOL},
	{"clickhouse-flush-timeout", required_argument, NULL, OPT_CLICKHOUSE_FLUSH_TIMEOUT},
	{0, 0, 0, 0},
};

/* One option of the main command line: 0, 1 when parsing stops (--help,
 * --version), or -1 with err set. */
static int parse_option(int c, const char *arg, int argc, char **argv, struct options *o,
			char *err, size_t errlen)
{
	uint64_t v;
	switch (c) {
	case 'r':
		o->run.read_file = arg;
		break;
	case 'o':
		o->run.out_path = arg;
		break;
	case 'c':
		if (parse_u64(arg, &o->run.count) < 0 || !o->run.count) {
			snprintf(err, errlen, "-c wants a positive number of frames, not '%s'", arg);
			return -1;
		}
		break;
	case OPT_FORMAT:
		o->run.format = report_format_parse(arg);
		if (o->run.format < 0) {
			snprintf(err, errlen, "--format is text, json, jsonl or html, not '%s'", arg);
			return -1;
		}
		break;
	case OPT_MAX_FLOWS:
		if (parse_u64(arg, &v) < 0 || v == 0 || v > 100000000) {
			snprintf(err, errlen, "--max-flows wants 1..100000000, not '%s'", arg);
			return -1;
		}
		o->run.max_flows = (size_t)v;
		break;
	case OPT_MAX_EVENTS:
		if (parse_u64(arg, &v) < 0 || v == 0 || v > UINT32_MAX) {
			snprintf(err, errlen, "--max-events wants a positive number, not '%s'", arg);
			return -1;
		}
		o->run.max_events = (uint32_t)v;
		break;
	case OPT_MAX_HELD:
	case OPT_MAX_HELD_PER_FLOW:
	case OPT_MAX_ROUNDS:
		if (parse_cap_option(c, arg, o, err, errlen) < 0)
			return -1;
		break;
	case OPT_THREADS:
		if (parse_u64(arg, &v) < 0 || v < 1 || v > OPT_THREADS_MAX) {
			snprintf(err, errlen, "--threads wants 1 to %d, not '%s'", OPT_THREADS_MAX,
				 arg);
			return -1;
		}
		o->run.threads = (int)v;
		break;
	case 'q':
		o->run.quiet = 1;
		break;
	case 'v':
		o->run.verbose++;
		break;
	case 'n':
		break; /* tcplens prints addresses, never names */
	case 'h':
		o->help = 1;
		return 1;
	case 'V':
		o->version = 1;
		return 1;
	case 'i':
	case 'Z':
	case 's':
	case 'B':
	case OPT_NFQUEUE:
	case OPT_DURATION:
	case OPT_ENGINE:
	case OPT_RING_BLOCK:
	case OPT_RING_BLOCKS:
	case OPT_RING_TIMEOUT:
	case OPT_NO_OFFLOAD_SIGNATURE:
		if (parse_live_option(c, arg, o, err, errlen) < 0)
			return -1;
		break;
	case 'w':
	case OPT_WRITE_FLAGGED:
	case OPT_BASELINE:
	case OPT_TOLERANCE:
		if (parse_replay_option(c, arg, o, err, errlen) < 0)
			return -1;
		break;
	case OPT_METRICS:
	case OPT_METRICS_FILE:
	case OPT_METRICS_INTERVAL:
	case OPT_METRICS_HOST:
		if (parse_metrics_option(c, arg, o, err, errlen) < 0)
			return -1;
		break;
	case OPT_CLICKHOUSE:
	case OPT_CLICKHOUSE_SPOOL:
	case OPT_CLICKHOUSE_FLUSH_TIMEOUT:
		if (parse_clickhouse_option(c, arg, o, err, errlen) < 0)
			return -1;
		break;
	case OPT_TUI:
	case OPT_NO_TUI:
	case OPT_REPLAY:
		if (parse_tui_option(c, arg, o, err, errlen) < 0)
			return -1;
		break;
	case '?':
	default:
		refused_option(argc, argv, err, errlen);
		return -1;
	}
	return 0;
}

/* Exactly one input, and the options that go with it. */
static int input_check(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	int inputs = !!o->run.read_file + !!o->run.interface + (o->run.nfqueue >= 0);
	if (!inputs) {
		/* `tcplens trace.pcap`: a bare word is a BPF filter, as in
		 * tcpdump, but the user meant the file. */
		const char *word = optind == argc - 1 ? argv[optind] : NULL;
		FILE *probe = word ? fopen(word, "rb") : NULL;
		if (probe) {
			fclose(probe);
			snprintf(err, errlen, "nothing to read: '%s' is a file; read it with -r %s "
				 "(words after the options are a BPF filter, as in tcpdump)", word, word);
		} else {
			snprintf(err, errlen, "nothing to read: give a capture with -r FILE, an "
				 "interface with -i IFACE or a queue with --nfqueue N (see --help)");
		}
		return -1;
	}
	if (inputs > 1) {
		snprintf(err, errlen, "-r, -i and --nfqueue each name the input: give one");
		return -1;
	}
	if (o->run.read_file && (o->run.engine || o->run.duration > 0 || o->run.user ||
				 o->run.buffer_kib)) {
		snprintf(err, errlen, "--engine, --duration, -Z and -B are for live capture (-i, "
			 "--nfqueue)");
		return -1;
	}
	if (o->run.buffer_kib && o->run.ring_blocks) {
		snprintf(err, errlen, "-B and --ring-blocks both size the ring: give one");
		return -1;
	}
	if (o->run.nfqueue >= 0 && o->run.engine) {
		snprintf(err, errlen, "--engine is for -i; --nfqueue is its own engine");
		return -1;
	}
	if (o->run.nfqueue >= 0 && optind < argc) {
		snprintf(err, errlen, "--nfqueue takes no BPF expression: choose the packets in "
			 "the iptables/nftables rule that queues them");
		return -1;
	}
	if (optind < argc) {
		o->run.filter = join_words(argc - optind, argv + optind);
		if (!o->run.filter) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Options that need others (--metrics-interval, --baseline...). */
static int combination_check(struct options *o, char *err, size_t errlen)
{
	if (replay_options_check(o, err, errlen) < 0)
		return -1;
	if (tui_options_check(o, err, errlen) < 0)
		return -1;
	if (o->run.metrics_listen && o->run.read_file) {
		snprintf(err, errlen, "--metrics serves while live (-i, --nfqueue); for a capture "
			 "file use --metrics-file PATH");
		return -1;
	}
	if (o->run.metrics_interval > 0 && !o->run.metrics_file) {
		snprintf(err, errlen, "--metrics-interval goes with --metrics-file PATH");
		return -1;
	}
	if ((o->run.clickhouse_spool_mb > 0 || o->run.clickhouse_flush_timeout > 0) &&
	    !o->run.clickhouse_url) {
		snprintf(err, errlen, "--clickhouse-spool and --clickhouse-flush-timeout go with "
			 "--clickhouse URL");
		return -1;
	}
	return 0;
}

/* --format, else from -o's extension, else text. */
static int format_resolve(struct options *o, char *err, size_t errlen)
{
	if (o->run.format < 0 && o->run.out_path) {
		o->run.format = report_format_from_path(o->run.out_path);
		/* A name without an extension (/dev/null, a fifo) is text; one
		 * with an extension tcplens does not write is a mistake. */
		const char *base = strrchr(o->run.out_path, '/');
		const char *dot = strrchr(base ? base + 1 : o->run.out_path, '.');
		if (o->run.format < 0 && dot && dot[1]) {
			snprintf(err, errlen, "-o %s: tcplens writes no '%s' report; name it .txt, "
				 ".json, .jsonl, .html, or say --format text|json|jsonl|html",
				 o->run.out_path, dot);
			return -1;
		}
		if (o->run.format < 0)
			o->run.format = REPORT_TEXT;
	}
	if (o->run.format < 0)
		o->run.format = REPORT_TEXT;
	return 0;
}

int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	pipeline_config_init(&o->run);
	optind = 1;
	opterr = 0;
	int c;
	/* Options before and after the BPF expression, as tcpdump on Linux takes
	 * them (glibc's getopt moves the expression's words to the end; "--"
	 * ends the options, POSIXLY_CORRECT stops at the first word). */
	while ((c = getopt_long(argc, argv, "r:i:o:c:s:B:w:Z:qvnhV", longopts, NULL)) != -1) {
		int rc = parse_option(c, optarg, argc, argv, o, err, errlen);
		if (rc)
			return rc < 0 ? -1 : 0;
	}
	if (input_check(argc, argv, o, err, errlen) < 0 || combination_check(o, err, errlen) < 0)
		return -1;
	return format_resolve(o, err, errlen);
}

void options_free(struct options *o)
{
	free(o->run.filter);
	o->run.filter = NULL;
}
