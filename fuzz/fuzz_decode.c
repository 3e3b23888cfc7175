/*
 * fuzz/fuzz_decode.c — libFuzzer harness for the packet decoder.
 *
 * Input: one control byte, then the frame.
 *   bits 0-2  link type, with the frame length's parity as a fourth bit
 *             (fuzz_dlt: every DLT the analyzer decodes)
 *   bit 3     vlan_valid (a tag the kernel took out; TCI from the frame's
 *             length)
 *   bit 4     wire length shorter than the captured length
 *   bit 5     wire length longer (cut by a snap length)
 *   bits 6-7  direction
 * The frame bytes are libFuzzer's own buffer, sized exactly, so any read past
 * the end is an AddressSanitizer report. After a successful decode, the
 * pointers and lengths the detectors rely on must stay inside the frame.
 */
#include <stddef.h>
#include <stdint.h>

#include "analyze/decode.h"
#include "fuzz_pipeline_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(const struct pkt_record *rec, const uint8_t *p, size_t n)
{
	const uint8_t *end = rec->data + rec->caplen;
	return p >= rec->data && p <= end && n <= (size_t)(end - p);
}

static void check(const struct pkt_record *rec, const struct pkt_decoded *d)
{
	if (d->ip && !inside(rec, d->ip, d->ip_cap))
		fuzz_fail("ip_cap runs past the frame");
	if (d->l4 && !inside(rec, d->l4, d->l4_cap))
		fuzz_fail("l4_cap runs past the frame");
	if (d->l4 && d->l4_cap > d->l4_len)
		fuzz_fail("l4_cap > l4_len");
	if (d->payload_cap > d->payload_len)
		fuzz_fail("payload_cap > payload_len");
	if (d->l4 && d->payload_cap > d->l4_cap)
		fuzz_fail("payload_cap > l4_cap");
	if (d->opt.sack_count > TCP_MAX_SACK)
		fuzz_fail("sack_count over TCP_MAX_SACK");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	uint32_t caplen = (uint32_t)(size - 1);
	uint32_t wirelen = caplen;
	if (ctl & 0x10)
		wirelen = caplen / 2;
	else if (ctl & 0x20)
		wirelen = caplen + 1000;
	struct pkt_record rec = {
		.ts_ns = 1700000000000000000ull,
		.frame = 1,
		.caplen = caplen,
		.wirelen = wirelen,
		.linktype = fuzz_dlt((ctl & 7) | (caplen & 1) << 3), /* the length's parity: 4 more */
		.dir = (uint8_t)((ctl >> 6) % 3),
		.vlan_valid = (ctl & 0x08) != 0,
		.vlan_tci = (uint16_t)caplen,
		.data = data + 1,
	};
	struct pkt_decoded d;
	int rc = decode_packet(&rec, &d);
	if (!decode_strerror(rc))
		fuzz_fail("decode_strerror returns NULL");
	if (rc == DECODE_OK)
		check(&rec, &d);
	return 0;
}
