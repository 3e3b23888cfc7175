/*
 * analyze/findings.h — finding kinds, causes and the event record every
 * detector emits. The kinds come from findings.def; the report, the JSONL
 * stream and the TUI all name them through finding_name().
 */
#ifndef TCPLENS_FINDINGS_H
#define TCPLENS_FINDINGS_H

#include <stdint.h>

enum severity {
	SEV_INFO = 0,    /* harmless or informative */
	SEV_LOW = 1,
	SEV_MEDIUM = 2,
	SEV_HIGH = 3,
};

enum finding_kind {
#define X(e, name, sev, text) FIND_##e,
#include "findings.def"
#undef X
	FIND_COUNT
};

/* Every enumerated word an event field can hold (cause, side, fate, limit,
 * filled_by, proto). One list so names stay unique and lower-case. */
#define CAUSE_LIST(X) \
	X(NONE, "") \
	X(UNKNOWN, "unknown") \
	X(FAST, "fast") \
	X(RTO, "rto") \
	X(TLP, "tlp") \
	X(SPURIOUS, "spurious") \
	X(NEVER, "never") \
	X(TSO_GSO, "tso_gso") \
	X(GRO_LRO, "gro_lro") \
	X(TX, "tx") \
	X(RX, "rx") \
	X(DROPPED, "dropped") \
	X(ACCEPTED, "accepted") \
	X(DELAYED_ACK, "delayed_ack") \
	X(CORK, "cork") \
	X(SENDER_LIMITED, "sender_limited") \
	X(ZERO_WINDOW, "zero_window") \
	X(RECEIVER_LIMITED, "receiver_limited") \
	X(APP_IDLE, "app_idle") \
	X(CWND, "cwnd") \
	X(RWND, "rwnd") \
	X(APP, "app") \
	X(PACING, "pacing") \
	X(TCP, "tcp") \
	X(UDP, "udp") \
	X(ORIGINAL, "original")

enum cause {
#define X(e, name) CAUSE_##e,
	CAUSE_LIST(X)
#undef X
	CAUSE_COUNT
};

enum flow_dir {
	DIR_C2S = 0,   /* from the client: the side that sent the first SYN */
	DIR_S2C = 1,
};

/* One finding. Fields not used by a kind are zero. `pending` events may still
 * change (a checksum fate, a gap's fill time) and are written when final. */
struct tcp_event {
	uint64_t ts_ns;
	uint64_t frame;
	uint32_t flow_id;
	uint8_t dir;          /* enum flow_dir */
	uint8_t kind;         /* enum finding_kind */
	uint8_t cause;        /* enum cause: cause / side / fate / limit / filled_by */
	uint8_t proto;        /* CAUSE_TCP / CAUSE_UDP for checksum kinds */
	union {
		struct { uint16_t found, expected; double resent_ms; } csum;
		struct { uint32_t bytes, mss; double multiple; } giant;
		struct { uint32_t seq, bytes; } retrans;           /* also capture_loss */
		struct { uint32_t seq, bytes; double fill_ms; } gap;
		struct { double duration_ms; uint64_t outstanding; uint64_t end_frame; } stall;
		struct { uint32_t segments, bytes, mss; } iw;
		struct { uint64_t before, after; double ratio; } reduction;
		struct { double idle_ms; uint64_t before, after; } idle;
		struct { uint32_t attempt; double after_ms; uint8_t synack; } syn;
	} u;
};

const char *finding_name(enum finding_kind k);
/* A kind's severity (findings.def), and the one of a kind with a cause:
 * what every view shows for an event or a finding. */
enum severity finding_severity(enum finding_kind k);
enum severity finding_severity_of(enum finding_kind k, enum cause c);
const char *finding_meaning(enum finding_kind k);
const char *cause_name(enum cause c);
const char *severity_name(enum severity s);
const char *flow_dir_name(enum flow_dir d);

#endif
