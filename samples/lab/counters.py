#!/usr/bin/env python3
"""samples/lab/counters.py: kernel SNMP/netstat counters of one namespace.

  counters.py snap OUT.json          (run inside the namespace: ip netns exec NS ...)
  counters.py delta BEFORE AFTER     nonzero differences, as JSON on stdout

Reads /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6 of the calling
process's network namespace and names the counters as nstat does
(TcpRetransSegs, TcpExtListenOverflows, TcpExtTCPSynRetrans, Ip6InReceives...).
"""
import json
import sys


def read_pairs(path):
    out = {}
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return out
    if path.endswith("snmp6"):
        for line in lines:
            parts = line.split()
            if len(parts) == 2:
                out[parts[0]] = int(parts[1])
        return out
    for head, vals in zip(lines[0::2], lines[1::2]):
        hk, hv = head.split(), vals.split()
        prefix = hk[0].rstrip(":")
        for k, v in zip(hk[1:], hv[1:]):
            out[prefix + k] = int(v)
    return out


def snap():
    c = {}
    for p in ("/proc/net/snmp", "/proc/net/netstat", "/proc/net/snmp6"):
        c.update(read_pairs(p))
    return c


def main():
    if sys.argv[1] == "snap":
        with open(sys.argv[2], "w") as f:
            json.dump(snap(), f, sort_keys=True)
    elif sys.argv[1] == "delta":
        a = json.load(open(sys.argv[2]))
        b = json.load(open(sys.argv[3]))
        d = {k: b[k] - a.get(k, 0) for k in b if b[k] - a.get(k, 0) != 0
             and not k.endswith(("RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn", "CurrEstab", "Forwarding", "DefaultTTL"))}
        json.dump(d, sys.stdout, sort_keys=True)
        print()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
