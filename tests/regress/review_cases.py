#!/usr/bin/env python3
"""tests/regress/review_cases.py TCPLENS CASES_DIR

Hand-built captures (cases/gen_review_cases.py) of three rules a review
found wrong, each with what a correct report says:
  backoff_rto.pcap           a fast retransmit, then a timeout, then the
                             backed-off timeout 600 ms later, all of one
                             segment: causes fast, rto, rto (the last was
                             called fast: an earlier timeout in the episode
                             made every later resend "fast")
  idle_after_probe.pcap      a burst's tail repaired by a probe, then 2.9 s
                             of idle before the next burst: sender_limited
                             (was unknown: the resend was remembered for ever)
  bad_resend_then_idle.pcap  a resend with a bad checksum, then the server
                             idles 3 s and sends: sender_limited (was unknown:
                             the resend's flag leaked to the next segment)
And from the review of the tunnel and pcapng code (files made by the
reviewer from samples/rto.pcap; regenerate with samples/lab/wrap_tunnel.py
and a hex editor):
  mirror_erspan2.pcap        ERSPAN II from one mirror source to one collector
                             for both directions: one connection (was two)
  tenants_reply_first.pcap   VNI 1 and 2 on one 5-tuple, VNI 2's reply seen
                             first: each tenant its own VNI both ways
  vxlan6_zero_outer_csum.pcap VXLAN over IPv6 with outer UDP checksum 0
                             (RFC 6935): no checksum damage (was 47 csum_bad)
  nflog_copy_range40.pcap    NFLOG with a 40-byte copy range: cut datagrams,
                             not malformed frames (was 42 malformed)
  pcapng_bad_magic.pcapng    a section header with a bad byte-order magic:
                             says so (was "not a pcapng file")
  pcapng_usb_interface.pcapng an Ethernet and a USB interface: every frame
                             counted, one line saying the USB one's are not
                             analyzed (they were silently non-IP)
  gre_outer_ip_csum_bad.pcap tun_gre.pcap with frame 5's outer IPv4 header
                             checksum off by one: ip_csum_bad on frame 5, as
                             tshark (the outer header was no longer checked)
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from checks import check, finish  # noqa: E402

tcplens, cases = sys.argv[1:3]


def events(name, kind):
    out = subprocess.run([tcplens, "-r", os.path.join(cases, name), "--format", "json"],
                         capture_output=True, check=True)
    return [e for e in json.loads(out.stdout)["events"] if e["kind"] == kind]


rt = [e["cause"] for e in events("backoff_rto.pcap", "retransmission")]
check("backoff_rto: fast, then the timeout, then the backed-off timeout", rt == ["fast", "rto", "rto"], rt)
for name in ("idle_after_probe.pcap", "bad_resend_then_idle.pcap"):
    long = [e["cause"] for e in events(name, "stall") if e["duration_ms"] > 2000]
    check(f"{name}: the long idle of a side with nothing outstanding is sender_limited",
          long == ["sender_limited"], long)
def report(name, *extra):
    out = subprocess.run([tcplens, "-r", os.path.join(cases, name), "--format", "json", *extra],
                         capture_output=True)
    return out.returncode, out.stdout, out.stderr.decode(errors="replace")


rc, out, _ = report("mirror_erspan2.pcap")
fl = [f for f in json.loads(out)["flows"] if f["proto"] == "tcp"]
check("mirror_erspan2: one connection though both directions share the mirror's endpoints",
      len(fl) == 1 and fl[0]["encap"]["kind"] == "erspan", [f["packets"] for f in fl])
rc, out, _ = report("tenants_reply_first.pcap")
fl = [f for f in json.loads(out)["flows"] if f["proto"] == "tcp"]
check("tenants_reply_first: two tenants, each with its own VNI both ways",
      sorted(f["encap"]["vni"] for f in fl) == [1, 2] and all("vni_s2c" not in f["encap"] for f in fl),
      [f["encap"] for f in fl])
rc, out, _ = report("vxlan6_zero_outer_csum.pcap")
d = json.loads(out)
check("vxlan6_zero_outer_csum: a zero outer UDP checksum over IPv6 is none, not damage",
      d["summary"]["events"]["csum_bad"] == 0, d["summary"]["events"]["csum_bad"])
rc, out, _ = report("nflog_copy_range40.pcap")
d = json.loads(out)
check("nflog_copy_range40: datagrams cut by the copy range are read, none malformed",
      d["capture"]["malformed"] == 0 and any(f["proto"] == "tcp" for f in d["flows"]), d["capture"]["malformed"])
rc, out, err = report("pcapng_bad_magic.pcapng")
check("pcapng_bad_magic: the error names the byte-order magic", rc == 2 and "byte-order magic" in err, err)
rc, out, _ = report("gre_outer_ip_csum_bad.pcap")
ev = [(e["kind"], e["frame"]) for e in json.loads(out)["events"] if e["kind"].startswith("ip_csum")]
check("gre_outer_ip_csum_bad: the outer IPv4 header's bad checksum, frame 5", ev == [("ip_csum_bad", 5)], ev)
rc, out, err = report("pcapng_usb_interface.pcapng")
check("pcapng_usb_interface: 3 frames read, the USB interface named once on stderr",
      rc == 0 and json.loads(out)["capture"]["packets"] == 3 and err.count("USB_LINUX") == 1, err)
finish()
