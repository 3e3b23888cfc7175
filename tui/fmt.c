/*
 * tui/fmt.c — see fmt.h.
 */
#include "fmt.h"

#include <stdio.h>

void fmt_ms(double ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1)
		snprintf(buf, len, "%.0fus", ms * 1000);
	else if (ms < 100)
		snprintf(buf, len, "%.1fms", ms);
	else if (ms < 1000)
		snprintf(buf, len, "%.0fms", ms);
	else if (ms < 60000)
		snprintf(buf, len, "%.2fs", ms / 1000);
	else
		snprintf(buf, len, "%.0fm%02.0fs", (double)(uint64_t)(ms / 60000),
			 (double)((uint64_t)(ms / 1000) % 60));
}

void fmt_count(double v, char *buf, size_t len)
{
	if (v < 1000)
		snprintf(buf, len, "%.0f", v);
	else if (v < 1e6)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else if (v < 1e9)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else
		snprintf(buf, len, "%.2fG", v / 1e9);
}

void fmt_bytes(uint64_t b, char *buf, size_t len)
{
	if (b < 1000)
		snprintf(buf, len, "%lluB", (unsigned long long)b);
	else if (b < 1000000)
		snprintf(buf, len, "%.1fkB", b / 1e3);
	else if (b < 1000000000)
		snprintf(buf, len, "%.1fMB", b / 1e6);
	else
		snprintf(buf, len, "%.2fGB", b / 1e9);
}

void fmt_event(const struct tcp_event *ev, char *buf, size_t len)
{
	const char *c = cause_name(ev->cause);
	char d[32];
	switch ((enum finding_kind)ev->kind) {
	case FIND_CSUM_OFFLOAD:
		snprintf(buf, len, "%s checksum artifact, side %s", cause_name(ev->proto), c);
		break;
	case FIND_CSUM_BAD:
		snprintf(buf, len, "%s checksum 0x%04x != 0x%04x, %s", cause_name(ev->proto),
			 ev->u.csum.found, ev->u.csum.expected, c);
		break;
	case FIND_IP_CSUM_BAD:
		snprintf(buf, len, "IPv4 header checksum 0x%04x", ev->u.csum.found);
		break;
	case FIND_IP_CSUM_OFFLOAD:
		snprintf(buf, len, "IPv4 header checksum artifact, side %s", c);
		break;
	case FIND_GIANT_SEGMENT:
		snprintf(buf, len, "%u bytes = %.1f x MSS, %s", ev->u.giant.bytes,
			 ev->u.giant.multiple, c);
		break;
	case FIND_RETRANSMISSION:
		snprintf(buf, len, "%s, %u bytes", c, ev->u.retrans.bytes);
		break;
	case FIND_CAPTURE_LOSS:
		snprintf(buf, len, "%u bytes never captured", ev->u.retrans.bytes);
		break;
	case FIND_SACK_GAP:
		fmt_ms(ev->u.gap.fill_ms, d, sizeof(d));
		snprintf(buf, len, "%u bytes, filled after %s by %s", ev->u.gap.bytes, d, c);
		break;
	case FIND_STALL:
		fmt_ms(ev->u.stall.duration_ms, d, sizeof(d));
		snprintf(buf, len, "%s %s, until frame %llu", d, c,
			 (unsigned long long)ev->u.stall.end_frame);
		break;
	case FIND_INITIAL_WINDOW:
		snprintf(buf, len, "%u segments, %u bytes, limited by %s", ev->u.iw.segments,
			 ev->u.iw.bytes, c);
		break;
	case FIND_CWND_REDUCTION:
		snprintf(buf, len, "%llu -> %llu bytes (x%.2f)",
			 (unsigned long long)ev->u.reduction.before,
			 (unsigned long long)ev->u.reduction.after, ev->u.reduction.ratio);
		break;
	case FIND_IDLE_RESTART:
		fmt_ms(ev->u.idle.idle_ms, d, sizeof(d));
		snprintf(buf, len, "idle %s, %llu -> %llu bytes", d,
			 (unsigned long long)ev->u.idle.before, (unsigned long long)ev->u.idle.after);
		break;
	case FIND_SYN_RETRANSMIT:
		snprintf(buf, len, "%s retry %u, %.0fms after", ev->u.syn.synack ? "SYN-ACK" : "SYN",
			 ev->u.syn.attempt, ev->u.syn.after_ms);
		break;
	case FIND_ZERO_WINDOW:
		snprintf(buf, len, "window 0 advertised");
		break;
	case FIND_RST:
		snprintf(buf, len, "reset");
		break;
	case FIND_COUNT:
	default:
		buf[0] = 0;
		break;
	}
}
