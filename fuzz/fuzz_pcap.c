/*
 * fuzz/fuzz_pcap.c — libFuzzer harness for capture file reading: the input
 * is a pcap or pcapng file, read by the real file source (capture_file_ops:
 * libpcap, the header peek for the timestamp precision, frame numbering)
 * from memory, and its frames go through the whole pipeline
 * (fuzz_pipeline_run.c) with a JSON report, read back.
 *
 * The file lives in a memfd opened by path (/proc/self/fd/N): no disk, and
 * the source is exercised as `tcplens -r` runs it. The report format is the
 * input's length mod 3, so the input stays a plain capture file that
 * tcpdump can open.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_pipeline_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char path[64];

static bool load(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("fuzz_pcap", 0);
		if (memfd < 0)
			fuzz_fail("memfd_create failed");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) != 0)
		return false;
	size_t done = 0;
	while (done < size) {
		ssize_t w = pwrite(memfd, data + done, size - done, (off_t)done);
		if (w <= 0)
			return false;
		done += (size_t)w;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!load(data, size))
		return 0;
	char err[CAPTURE_ERRBUF_SIZE];
	struct capture_config cc = {.name = path};
	struct capture_source src;
	if (capture_open(&src, &capture_file_ops, &cc, err) < 0)
		return 0;
	struct fuzz_run run;
	if (!fuzz_run_begin(&run, (int)(size % 3), src.linktype, src.precision, false)) {
		capture_close(&src);
		return 0;
	}
	int n;
	while ((n = capture_dispatch(&src, 64, fuzz_run_packet, &run, err)) != CAPTURE_END) {
		if (n < 0)
			break;  /* a damaged record: the report still ends */
	}
	struct capture_stats cs;
	capture_stats(&src, &cs);
	fuzz_run_end(&run, cs.packets);
	capture_close(&src);
	return 0;
}
