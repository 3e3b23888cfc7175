/*
 * cli/main.c — tcplens: open the capture, run the analyzer with a report
 * writer as its sink, print the report. Only main() exits; every library
 * call returns an error code and a message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyzer.h"
#include "capture/capture.h"
#include "options.h"
#include "report/report.h"
#include "version.h"

#define EXIT_INPUT 2
#define DIAG_LIST_MAX 20

struct run {
	const char *input;
	int quiet;
	uint64_t diags;
	uint64_t count_limit;
	uint64_t seen;
	struct analyzer *an;
};

static void on_diag(void *user, uint64_t frame, const char *msg)
{
	struct run *r = user;
	if (r->diags++ < DIAG_LIST_MAX && !r->quiet)
		fprintf(stderr, "tcplens: %s: frame %llu: %s (skipped)\n", r->input,
			(unsigned long long)frame, msg);
}

static void on_packet(void *user, const struct pkt_record *rec)
{
	struct run *r = user;
	if (r->count_limit && r->seen >= r->count_limit)
		return;
	r->seen++;
	analyzer_packet(r->an, rec);
}

/* A status line on stderr for long runs, when stderr is a terminal. Wall
 * time is read only here, for display: the analysis never sees it. */
struct progress {
	int enabled;
	double started, last;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress_tick(struct progress *pg, struct capture_source *src, uint64_t frames, int done)
{
	if (!pg->enabled)
		return;
	double t = now_s();
	if (!done && t - pg->last < 0.5)
		return;
	if (t - pg->started < 1.0 && !done)
		return; /* short runs stay quiet */
	pg->last = t;
	uint64_t pos, total;
	if (capture_position(src, &pos, &total) == 0 && total)
		fprintf(stderr, "\rtcplens: %llu frames, %.0f of %.0f MB (%.0f%%), %.1f s   ",
			(unsigned long long)frames, pos / 1e6, total / 1e6, 100.0 * pos / total,
			t - pg->started);
	else
		fprintf(stderr, "\rtcplens: %llu frames, %.1f s   ", (unsigned long long)frames,
			t - pg->started);
	if (done)
		fputc('\n', stderr);
}

/* Refuse to write the report over the capture being read. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int main(int argc, char **argv)
{
	struct options opt;
	char err[CAPTURE_ERRBUF_SIZE] = "";
	int status = 0;
	if (options_parse(argc, argv, &opt, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcplens: %s\n", err);
		return EXIT_INPUT;
	}
	if (opt.help) {
		options_usage(stdout);
		return 0;
	}
	if (opt.version) {
		printf("tcplens %s\n", TCPLENS_VERSION);
		return 0;
	}

	struct capture_config cc = {.name = opt.read_file, .bpf = opt.filter};
	struct capture_source src;
	if (capture_open(&src, &capture_file_ops, &cc, err) < 0) {
		fprintf(stderr, "tcplens: %s\n", err);
		options_free(&opt);
		return EXIT_INPUT;
	}

	FILE *out = stdout;
	if (opt.out_path && strcmp(opt.out_path, "-")) {
		if (same_file(opt.out_path, opt.read_file)) {
			fprintf(stderr, "tcplens: -o %s is the capture being read; choose another file\n",
				opt.out_path);
			capture_close(&src);
			options_free(&opt);
			return EXIT_INPUT;
		}
		out = fopen(opt.out_path, "w");
		if (!out) {
			fprintf(stderr, "tcplens: cannot write %s: %s\n", opt.out_path, strerror(errno));
			capture_close(&src);
			options_free(&opt);
			return EXIT_INPUT;
		}
	}

	struct report_meta meta = {
		.source_kind = src.kind,
		.source_name = strcmp(opt.read_file, "-") ? opt.read_file : "(stdin)",
		.linktype = src.linktype,
		.precision = src.precision,
		.filter = opt.filter,
	};
	char rerr[256];
	struct report *rep = report_new(opt.format, out, &meta, rerr, sizeof(rerr));
	if (!rep) {
		fprintf(stderr, "tcplens: %s\n", rerr);
		status = EXIT_INPUT;
		goto out_close;
	}
	struct run run = {.input = meta.source_name, .quiet = opt.quiet, .count_limit = opt.count};
	struct analyzer_sink sink;
	report_bind(rep, &sink);
	sink.diag = on_diag;
	sink.diag_user = &run;
	struct analyzer_config acfg = {.max_flows = opt.max_flows, .max_events_per_flow = opt.max_events};
	run.an = analyzer_new(&acfg, &sink);
	if (!run.an) {
		fprintf(stderr, "tcplens: out of memory\n");
		status = EXIT_INPUT;
		goto out_report;
	}
	report_set_analyzer(rep, run.an);
	struct progress pg = {.enabled = isatty(STDERR_FILENO) && !opt.quiet};
	pg.started = pg.last = pg.enabled ? now_s() : 0;
	for (uint64_t batches = 0;; batches++) {
		if ((batches & 255) == 0)
			progress_tick(&pg, &src, run.seen, 0);
		int n = capture_dispatch(&src, 256, on_packet, &run, err);
		if (n == CAPTURE_END)
			break;
		if (n < 0) {
			fprintf(stderr, "tcplens: %s; the report covers the frames before it\n", err);
			status = EXIT_INPUT;
			break;
		}
		if (opt.count && run.seen >= opt.count)
			break;
	}
	if (pg.last > pg.started)
		progress_tick(&pg, &src, run.seen, 1);
	analyzer_finish(run.an);
	struct capture_stats cs;
	capture_stats(&src, &cs);
	if (report_finish(rep, run.an, &cs) < 0) {
		fprintf(stderr, "tcplens: %s\n", rep->err);
		status = EXIT_INPUT;
	}
	if (run.diags > DIAG_LIST_MAX && !opt.quiet)
		fprintf(stderr, "tcplens: %s: %llu more damaged frames not listed\n", run.input,
			(unsigned long long)(run.diags - DIAG_LIST_MAX));
	analyzer_free(run.an);
out_report:
	report_free(rep);
out_close:
	if (out != stdout && fclose(out) != 0 && !status) {
		fprintf(stderr, "tcplens: error writing %s: %s\n", opt.out_path, strerror(errno));
		status = EXIT_INPUT;
	}
	capture_close(&src);
	options_free(&opt);
	return status;
}
