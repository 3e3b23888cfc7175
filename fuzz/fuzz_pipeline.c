/*
 * fuzz/fuzz_pipeline.c — libFuzzer harness for the whole analysis: a
 * sequence of frames through analyzer_packet, the report writer as the sink,
 * then analyzer_finish and report_finish (fuzz_pipeline_run.c).
 *
 * Input (little endian), see frames.h:
 *   u8 link type (fuzz_dlt), u8 options (bits 0-1 report format: 0 text,
 *   1 JSON, 2 JSONL, 3 text; bit 2 no_offload_signature; bit 3 nanosecond
 *   precision), then frames: a 10-byte header and caplen bytes each.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "fuzz_pipeline_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int linktype = fuzz_dlt(data[0]);
	uint8_t opt = data[1];
	struct fuzz_run run;
	int fmt = (opt & 3) == 3 ? REPORT_TEXT : (int)(opt & 3);
	enum ts_precision prec = opt & 8 ? TS_PRECISION_NSEC : TS_PRECISION_USEC;
	if (!fuzz_run_begin(&run, fmt, linktype, prec, opt & 4))
		return 0;
	struct frames_reader fr;
	frames_reader_init(&fr, data + 2, size - 2, linktype);
	struct pkt_record rec;
	uint64_t n = 0;
	while (frames_next(&fr, &rec)) {
		/* A copy of exactly caplen bytes: a read past the frame is an
		 * AddressSanitizer report, not a read of the next frame. */
		uint8_t *copy = malloc(rec.caplen ? rec.caplen : 1);
		if (!copy)
			break;
		memcpy(copy, rec.data, rec.caplen);
		rec.data = copy;
		fuzz_run_packet(&run, &rec);
		free(copy);
		n++;
	}
	fuzz_run_end(&run, n);
	return 0;
}
