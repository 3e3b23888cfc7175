/*
 * analyze/flow.c — small helpers on the flow model.
 */
#include "flow.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "stall.h"

void flow_endpoint(const struct flow_key *k, int i, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	if (k->ip_ver == 4) {
		inet_ntop(AF_INET, k->addr[i], a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, k->port[i]);
	} else {
		inet_ntop(AF_INET6, k->addr[i], a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, k->port[i]);
	}
}

double flow_badness(const struct flow *f)
{
	const uint32_t *k = f->kind_count;
	/* Think time is not lost time. */
	double lost_ms = f->stall.total_ms - f->stall.by_cause_ms[stall_cause_index(CAUSE_APP_IDLE)];
	return lost_ms + 1000.0 * (k[FIND_CSUM_BAD] + k[FIND_IP_CSUM_BAD] + k[FIND_SYN_RETRANSMIT]) +
	       10.0 * (k[FIND_RETRANSMISSION] + k[FIND_STALL] + k[FIND_CAPTURE_LOSS]) +
	       5.0 * k[FIND_ZERO_WINDOW] + 1.0 * (k[FIND_RST] + k[FIND_SACK_GAP]) +
	       0.001 * (k[FIND_CSUM_OFFLOAD] + k[FIND_GIANT_SEGMENT]);
}
