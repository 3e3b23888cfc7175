/*
 * report/baseline_run.c — see baseline_run.h.
 */
#include "baseline_run.h"

int baseline_config_from(struct baseline_config *c, const char *const *tol, size_t ntol)
{
	char err[256];
	baseline_config_init(c);
	for (size_t i = 0; i < ntol; i++)
		if (baseline_tolerance_parse(c, tol[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "tcplens: %s\n", err);
			return -1;
		}
	return 0;
}

int baseline_compare_print(struct report_digest *old, struct report_digest *cur,
			   const struct baseline_config *cfg, bool json, FILE *out)
{
	struct baseline_result res;
	if (baseline_compare(old, cur, cfg, &res) < 0) {
		fprintf(stderr, "tcplens: out of memory comparing the reports\n");
		return BASELINE_ERROR;
	}
	int rc = json ? baseline_print_json(out, &res, cfg)
		      : baseline_print_text(out, &res, cfg, BASELINE_TEXT_ITEMS);
	int status = rc < 0 ? BASELINE_ERROR : res.regressions ? BASELINE_REGRESSED : BASELINE_OK;
	if (rc < 0)
		fprintf(stderr, "tcplens: write error on the comparison output\n");
	baseline_result_free(&res);
	return status;
}

int baseline_run(const char *baseline_path, FILE *report, const char *report_path,
		 const char *const *tolerances, size_t ntol, bool json, FILE *out)
{
	struct baseline_config cfg;
	struct report_digest old, cur;
	char err[512];
	if (baseline_config_from(&cfg, tolerances, ntol) < 0)
		return BASELINE_ERROR;
	if (report_digest_load(&old, baseline_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcplens: --baseline %s\n", err);
		report_digest_free(&old);
		return BASELINE_ERROR;
	}
	int rc = report ? report_digest_load_stream(&cur, report, report_path, err, sizeof(err))
			: report_digest_load(&cur, report_path, err, sizeof(err));
	int status;
	if (rc < 0) {
		fprintf(stderr, "tcplens: the new report: %s\n", err);
		status = BASELINE_ERROR;
	} else {
		status = baseline_compare_print(&old, &cur, &cfg, json, out);
	}
	report_digest_free(&old);
	report_digest_free(&cur);
	return status;
}
