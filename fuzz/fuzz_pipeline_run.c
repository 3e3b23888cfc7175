/*
 * fuzz/fuzz_pipeline_run.c — see fuzz_pipeline_run.h.
 */
#include "fuzz_pipeline_run.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_digest.h"

_Noreturn void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}

/* Every link type of capture/linktypes.def. */
static const int fuzz_dlts[] = {
#define LINKTYPE(dlt, name, decoder) dlt,
#include "capture/linktypes.def"
#undef LINKTYPE
};

int fuzz_dlt(unsigned i)
{
	return fuzz_dlts[i % (sizeof(fuzz_dlts) / sizeof(fuzz_dlts[0]))];
}

/* Text reports go to /dev/null, opened once for the process. */
static FILE *devnull(void)
{
	static FILE *f;
	if (!f && !(f = fopen("/dev/null", "w")))
		fuzz_fail("cannot open /dev/null");
	return f;
}

bool fuzz_run_begin(struct fuzz_run *r, int fmt, int linktype, enum ts_precision prec,
		    bool no_offload_signature)
{
	char err[256];
	memset(r, 0, sizeof(*r));
	r->fmt = (enum report_format)fmt;
	if (r->fmt == REPORT_TEXT)
		r->out = devnull();
	else if (!(r->out = open_memstream(&r->buf, &r->len)))
		return false;
	struct pipeline_config cfg;
	pipeline_config_init(&cfg);
	cfg.out = r->out;
	cfg.format = fmt;
	cfg.max_flows = FUZZ_MAX_FLOWS;
	cfg.max_events = FUZZ_MAX_EVENTS_PER_FLOW;
	cfg.no_offload_signature = no_offload_signature;
	struct pipeline_source_info si = {.kind = "file", .name = "fuzz", .linktype = linktype,
					  .precision = prec};
	if (!(r->pl = pipeline_begin(&cfg, &si, err, sizeof(err))))
		fuzz_fail(err);  /* begin writes a header only: cannot fail */
	return true;
}

void fuzz_run_packet(void *user, const struct pkt_record *rec)
{
	struct fuzz_run *r = user;
	pipeline_packet(r->pl, rec);
}

/* The reader must accept what the writer wrote. */
static void check_read_back(struct fuzz_run *r)
{
	if (!r->len)
		fuzz_fail("empty JSON report");
	FILE *f = fmemopen(r->buf, r->len, "r");
	if (!f)
		fuzz_fail("fmemopen failed");
	struct report_digest d;
	char err[512];
	int rc = report_digest_load_stream(&d, f, "fuzz", err, sizeof(err));
	fclose(f);
	if (rc < 0) {
		fprintf(stderr, "fuzz: the report reader rejects the writer's output: %s\n", err);
		fwrite(r->buf, 1, r->len < 4096 ? r->len : 4096, stderr);
		fuzz_fail("report read-back");
	}
	report_digest_free(&d);
}

void fuzz_run_end(struct fuzz_run *r, uint64_t packets)
{
	char err[256];
	struct capture_stats cs = {.packets = packets};
	if (pipeline_end(r->pl, &cs, err, sizeof(err)) < 0)
		fuzz_fail(err);
	if (r->fmt != REPORT_TEXT) {
		if (fclose(r->out) != 0)
			fuzz_fail("open_memstream write failed");
		check_read_back(r);
		free(r->buf);
	} else {
		fflush(r->out);
	}
	memset(r, 0, sizeof(*r));
}
