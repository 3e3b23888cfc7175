/*
 * analyze/flow.c — small helpers on the flow model.
 */
#include "flow.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stall.h"

void flow_endpoint(const struct flow_key *k, int i, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	if (k->ip_ver == 4) {
		/* By hand: every flow of a report prints two of these. */
		char t[32], *q = t + sizeof(t);
		*--q = 0;
		unsigned port = k->port[i];
		do {
			*--q = (char)('0' + port % 10);
			port /= 10;
		} while (port);
		*--q = ':';
		for (int b = 3; b >= 0; b--) {
			unsigned v = k->addr[i][b];
			do {
				*--q = (char)('0' + v % 10);
				v /= 10;
			} while (v);
			if (b)
				*--q = '.';
		}
		size_t n = (size_t)(t + sizeof(t) - 1 - q);
		if (len) {
			n = n < len - 1 ? n : len - 1;
			memcpy(buf, q, n);
			buf[n] = 0;
		}
	} else {
		inet_ntop(AF_INET6, k->addr[i], a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, k->port[i]);
	}
}

int flow_chart_dir(const struct flow *f)
{
	/* A side that sent no data has no sequence or window to chart: a
	 * server whose SYN-ACK was resent, a receiver closing its window. */
	uint64_t c = f->half[DIR_C2S].payload_bytes, s = f->half[DIR_S2C].payload_bytes;
	if (!c != !s)
		return c ? DIR_C2S : DIR_S2C;
	if (f->findings_dir[DIR_C2S] != f->findings_dir[DIR_S2C])
		return f->findings_dir[DIR_C2S] > f->findings_dir[DIR_S2C] ? DIR_C2S : DIR_S2C;
	return f->half[DIR_C2S].payload_bytes >= f->half[DIR_S2C].payload_bytes ? DIR_C2S : DIR_S2C;
}

bool flow_chart_both(const struct flow *f)
{
	return f->findings_dir[DIR_C2S] && f->findings_dir[DIR_S2C] &&
	       f->half[DIR_C2S].payload_bytes && f->half[DIR_S2C].payload_bytes;
}

double flow_badness(const struct flow *f)
{
	/* Think time is not lost time. */
	double lost_ms = f->stall.total_ms - flow_stall_cause_ms(f, stall_cause_index(CAUSE_APP_IDLE));
	/* Summed in thousandths of a weight, exactly (analyzer.c adds each
	 * event's): the order of the events cannot change a ranking. */
	return lost_ms + (double)f->badness_milli / 1000.0;
}

const struct half_rare flow_rare_none;

struct half_rare *flow_rare_w(struct flow *f, int dir)
{
	static _Thread_local struct half_rare lost;
	struct flow_cold *c = flow_cold(f);
	return c ? &c->rare[dir] : &lost;
}

struct flow_cold *flow_cold(struct flow *f)
{
	if (!f->cold)
		f->cold = calloc(1, sizeof(*f->cold));
	return f->cold;
}

void flow_cold_release(struct flow *f)
{
	if (f->cold)
		free(f->cold->dups);
	free(f->cold);
	f->cold = NULL;
}

void flow_snapshot(struct flow *dst, struct flow_cold *dst_cold, const struct flow *src)
{
	*dst = *src;
	if (src->cold) {
		*dst_cold = *src->cold;
		dst_cold->dups = NULL;
		dst->cold = dst_cold;
	}
}

void flow_snapshot_repoint(struct flow *dst, struct flow_cold *dst_cold)
{
	if (dst->cold)
		dst->cold = dst_cold;
}

void flow_tunnel_name(const struct tunnel_id *t, char *buf, size_t len)
{
	const char *idname = tunnel_id_name(t->kind);
	uint32_t c2s = t->id_dir[DIR_C2S], s2c = t->id_dir[DIR_S2C];
	if (idname && (t->id_seen & 3) == 3 && c2s != s2c)
		snprintf(buf, len, "%s %s %u (%u back)", tunnel_kind_name(t->kind), idname, c2s, s2c);
	else if (idname)
		snprintf(buf, len, "%s %s %u", tunnel_kind_name(t->kind), idname,
			 (t->id_seen & (1u << DIR_C2S)) ? c2s : s2c);
	else
		snprintf(buf, len, "%s", tunnel_kind_name(t->kind));
}

void flow_link_encap_names(uint8_t link_encap, char *buf, size_t len)
{
	size_t n = 0;
	if (len)
		buf[0] = 0;
	for (int k = 0; k < LINK_ENCAP_BITS && n < len; k++)
		if (link_encap & (1u << k)) {
			int w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", link_encap_name(k));
			if (w < 0)
				break;
			n += (size_t)w;
		}
}
