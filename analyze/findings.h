/*
 * analyze/findings.h — finding kinds, causes and the event record every
 * detector emits, and the table that says how each kind's payload is named
 * and shown. All of it comes from findings.def: the report, the JSONL
 * stream, the TUI and the pcapng comments name a kind through
 * finding_name(), rank it by finding_weight(), write its fields by walking
 * finding_fields() and word it with finding_describe().
 */
#ifndef TCPLENS_FINDINGS_H
#define TCPLENS_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

enum severity {
	SEV_INFO = 0,    /* harmless or informative */
	SEV_LOW = 1,
	SEV_MEDIUM = 2,
	SEV_HIGH = 3,
};

enum finding_kind {
#define X(e, name, sev, weight, text) FIND_##e,
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

/* One finding as it happened (TCP, UDP or IP: not only TCP, hence not
 * "tcp_event"). Fields not used by a kind are zero. `pending` events may still
 * change (a checksum fate, a gap's fill time) and are written when final. */
struct finding_event {
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
/* How much one event of kind k weighs in flow_badness ("worst first"). */
double finding_weight(enum finding_kind k);
/* The same in thousandths, rounded: what flow_badness sums. */
uint64_t finding_weight_milli(enum finding_kind k);

/* One payload field of a kind (a FIELD row of findings.def). */
enum finding_field_type {
	FT_HEX16,   /* uint16_t, "0x%04x" */
	FT_U32,
	FT_U64,
	FT_DBL1,    /* double: JSON 3 decimals, text 1 */
	FT_DBL2,    /* double: JSON 3 decimals, text 2 */
	FT_CAUSE,   /* the event's cause, as its word */
	FT_PROTO,   /* the event's proto, as its word */
	FT_BOOL,    /* uint8_t */
	FT_LABEL,   /* no value, no JSON key: text alone */
};
enum finding_form {
	FORM_BRIEF = 0,  /* one line for a narrow view */
	FORM_FULL = 1,   /* everything: text report, pcapng comments */
};
struct finding_field {
	const char *key;          /* JSON key; "" for FT_LABEL */
	unsigned char key_len;
	unsigned char type;       /* enum finding_field_type */
	unsigned char when;       /* enum cause: CAUSE_NONE = every event */
	unsigned char form;       /* the shortest form that shows it */
	unsigned short offset;    /* of the value in struct finding_event */
	const char *text;         /* see findings.def */
};
/* Kind k's fields in JSON order (*n of them; NULL and 0 for an unknown kind). */
const struct finding_field *finding_fields(enum finding_kind k, size_t *n);
/* Whether ev carries field fd (its WHEN holds). */
static inline int finding_field_present(const struct finding_field *fd, const struct finding_event *ev)
{
	return fd->when == CAUSE_NONE || fd->when == ev->cause;
}
/* A field's value in ev, as an integer (HEX16, U32, U64, BOOL, CAUSE,
 * PROTO) or a double (DBL1, DBL2). */
uint64_t finding_field_uint(const struct finding_field *fd, const struct finding_event *ev);
double finding_field_double(const struct finding_field *fd, const struct finding_event *ev);
/* The words kind k's CAUSE field may hold, space-separated ("" if none). */
const char *finding_cause_words(enum finding_kind k);
/* What ev says, without its kind: "46.5 ms, cause delayed_ack, 1448 bytes
 * outstanding, until frame 812" (FORM_FULL) or the same without the FULL-only
 * fields (FORM_BRIEF). Always NUL-terminated; cut to len. */
void finding_describe(const struct finding_event *ev, enum finding_form form, char *buf, size_t len);
const char *cause_name(enum cause c);
const char *severity_name(enum severity s);
const char *flow_dir_name(enum flow_dir d);

#endif
