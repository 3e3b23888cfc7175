/*
 * capture/ifinfo.c — see ifinfo.h. Uses the legacy per-feature ethtool
 * commands (ETHTOOL_GTXCSUM...), which every kernel still answers, rather
 * than ETHTOOL_GFEATURES, whose bit positions must be looked up by name.
 */
#include "ifinfo.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int ethtool_value(int fd, const char *ifname, unsigned cmd)
{
	struct ethtool_value v = {.cmd = cmd};
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&v;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -1;
	return v.data ? 1 : 0;
}

int iface_info_query(const char *ifname, struct iface_info *out, char *errbuf, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->tx_csum = out->rx_csum = out->sg = out->tso = out->gso = out->gro = out->lro = -1;
	snprintf(out->name, sizeof(out->name), "%s", ifname);
	if (strlen(ifname) >= IFNAMSIZ) {
		snprintf(errbuf, errlen, "%s: interface name too long", ifname);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(errbuf, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	struct ethtool_drvinfo drv = {.cmd = ETHTOOL_GDRVINFO};
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&drv;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		int e = errno;
		close(fd);
		if (e == ENODEV)
			snprintf(errbuf, errlen, "%s: no such interface (see `ip link`)", ifname);
		else
			snprintf(errbuf, errlen, "%s: ethtool driver query failed: %s", ifname, strerror(e));
		return -1;
	}
	snprintf(out->driver, sizeof(out->driver), "%s", drv.driver);
	snprintf(out->driver_version, sizeof(out->driver_version), "%s", drv.version);
	snprintf(out->bus_info, sizeof(out->bus_info), "%s", drv.bus_info);
	out->tx_csum = ethtool_value(fd, ifname, ETHTOOL_GTXCSUM);
	out->rx_csum = ethtool_value(fd, ifname, ETHTOOL_GRXCSUM);
	out->sg = ethtool_value(fd, ifname, ETHTOOL_GSG);
	out->tso = ethtool_value(fd, ifname, ETHTOOL_GTSO);
	out->gso = ethtool_value(fd, ifname, ETHTOOL_GGSO);
	out->gro = ethtool_value(fd, ifname, ETHTOOL_GGRO);
	struct ethtool_value fl = {.cmd = ETHTOOL_GFLAGS};
	ifr.ifr_data = (void *)&fl;
	out->lro = ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -1 : (fl.data & ETH_FLAG_LRO) ? 1 : 0;
	close(fd);
	return 0;
}
