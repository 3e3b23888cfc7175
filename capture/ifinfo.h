/*
 * capture/ifinfo.h — what the local host says about a capture interface:
 * its driver (veth, virtio_net, xen_netfront, ixgbe...) and the offloads
 * that change what a capture sees (checksum offload, TSO/GSO, GRO/LRO).
 * Read through the ethtool ioctl (SIOCETHTOOL), as `ethtool -i` and
 * `ethtool -k` do. Live captures put this in the report's source and the
 * diagnosis uses it ("tx-checksumming is on on eth0: these are artifacts").
 */
#ifndef TCPLENS_IFINFO_H
#define TCPLENS_IFINFO_H

#include <stddef.h>

/* Each feature: 1 on, 0 off, -1 unknown (not supported or not readable). */
struct iface_info {
	char name[32];
	char driver[32];
	char driver_version[32];
	char bus_info[32];
	int tx_csum, rx_csum, sg, tso, gso, gro, lro;
};

/* Query ifname. Returns 0, or -1 with a message in errbuf (no such
 * interface, not an Ethernet-like device). Features the driver does not
 * report stay -1. */
int iface_info_query(const char *ifname, struct iface_info *out, char *errbuf, size_t errlen);

#endif
