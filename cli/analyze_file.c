/*
 * cli/analyze_file.c — see analyze_file.h.
 */
#include "analyze_file.h"

#include <string.h>

#include "analyze/analyzer.h"
#include "capture/capture.h"
#include "report/report.h"

int analyze_file_json(const char *path, FILE *out, char *err, size_t errlen)
{
	char cerr[CAPTURE_ERRBUF_SIZE] = "";
	struct capture_config cc = {.name = path};
	struct capture_source src;
	int rc = -1;
	if (capture_open(&src, &capture_file_ops, &cc, cerr) < 0) {
		snprintf(err, errlen, "%s", cerr);
		return -1;
	}
	struct report_meta meta = {
		.source_kind = src.kind,
		.source_name = path,
		.linktype = src.linktype,
		.precision = src.precision,
	};
	struct report *rep = report_new(REPORT_JSON, out, &meta, err, errlen);
	if (!rep)
		goto out_close;
	struct analyzer_sink sink;
	report_bind(rep, &sink);
	struct analyzer_config acfg = {0};
	struct analyzer *an = analyzer_new(&acfg, &sink);
	if (!an) {
		snprintf(err, errlen, "out of memory");
		goto out_report;
	}
	report_set_analyzer(rep, an);
	int n;
	while ((n = capture_dispatch(&src, 256, analyzer_on_packet, an, cerr)) != CAPTURE_END) {
		if (n < 0) {
			snprintf(err, errlen, "%s", cerr);
			goto out_an;
		}
	}
	analyzer_finish(an);
	struct capture_stats cs;
	capture_stats(&src, &cs);
	if (report_finish(rep, an, &cs) < 0) {
		snprintf(err, errlen, "%s", rep->err);
		goto out_an;
	}
	rc = 0;
out_an:
	analyzer_free(an);
out_report:
	report_free(rep);
out_close:
	capture_close(&src);
	return rc;
}
