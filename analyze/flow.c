/*
 * analyze/flow.c — small helpers on the flow model.
 */
#include "flow.h"

#include <arpa/inet.h>
#include <stdio.h>

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
