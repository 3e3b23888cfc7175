/*
 * fuzz/fuzz_report_read.c — libFuzzer harness for the saved-report reader
 * and regression replay: the input is a report (JSON document or JSONL)
 * read from memory by report_digest_load_stream (report_read.c's scanner,
 * jansson, the digest); when it loads, it is compared with itself
 * (baseline_compare: no difference may be a regression) and the comparison
 * is printed as text and JSON to /dev/null.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz_pipeline_run.h"
#include "report/baseline.h"
#include "report/report_digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *load_stream(const uint8_t *data, size_t size)
{
	/* fmemopen's "r" wants a writable-typed buffer it does not write. */
	return fmemopen((void *)(uintptr_t)data, size, "r");
}

static int load(struct report_digest *d, const uint8_t *data, size_t size)
{
	char err[512] = "";
	FILE *f = load_stream(data, size);
	if (!f)
		return -1;
	int rc = report_digest_load_stream(d, f, "fuzz", err, sizeof(err));
	fclose(f);
	if (rc < 0 && !err[0])
		fuzz_fail("report_digest_load_stream failed without a message");
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	if (!null && !(null = fopen("/dev/null", "w")))
		fuzz_fail("cannot open /dev/null");
	if (size == 0)
		return 0;
	struct report_digest a, b;
	if (load(&a, data, size) < 0) {
		report_digest_free(&a);
		return 0;
	}
	if (load(&b, data, size) < 0)
		fuzz_fail("a report loads once and not twice");
	struct baseline_config cfg;
	baseline_config_init(&cfg);
	struct baseline_result res;
	if (baseline_compare(&a, &b, &cfg, &res) == 0) {
		if (res.regressions)
			fuzz_fail("a report regresses against itself");
		baseline_print_text(null, &res, &cfg, 0);
		baseline_print_json(null, &res, &cfg);
		baseline_result_free(&res);
	}
	report_digest_free(&a);
	report_digest_free(&b);
	return 0;
}
