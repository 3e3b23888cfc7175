/*
 * cli/main.c — tcplens: open the capture, run the analyzer with a report
 * writer as its sink, print the report. Only main() exits; every library
 * call returns an error code and a message.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyzer.h"
#include "capture/capture.h"
#include "capture/readahead.h"
#include "analyze/sharded.h"
#include "capture/ifinfo.h"
#include "options.h"
#include "privdrop.h"
#include "annotate.h"
#include "replay.h"
#include "report/metrics.h"
#include "report/report.h"
#include "tui/pace.h"
#include "tui/tui.h"
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
	struct pace *pace;               /* --replay: packets at their recorded pace */
	struct tui *tui;                 /* the TUI, or NULL */
	volatile sig_atomic_t *stop;     /* a signal asked to stop */
	int stopped;                     /* quit from the TUI or a signal mid-batch */
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
	if (r->stopped || (r->count_limit && r->seen >= r->count_limit))
		return;
	if (r->pace && pace_wait(r->pace, rec->ts_ns, r->tui, r->stop)) {
		r->stopped = 1;
		return;
	}
	r->seen++;
	analyzer_packet(r->an, rec);
}

/* Live capture: SIGINT/SIGTERM end the capture and the report is written
 * as usual. No SA_RESTART: the engine's poll() returns at once. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void live_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The engine -i/--nfqueue asks for; NULL with err set when not built. */
static const struct capture_ops *live_engine(const struct options *o, char *err, size_t len)
{
	(void)err;
	(void)len;
	if (o->nfqueue >= 0) {
#ifdef TCPLENS_HAVE_NFQUEUE
		return &capture_nfqueue_ops;
#else
		snprintf(err, len, "--nfqueue is not in this build (libnetfilter_queue was missing)");
		return NULL;
#endif
	}
	if (o->engine && !strcmp(o->engine, "pcap"))
		return &capture_pcap_live_ops;
#ifdef __linux__
	/* tpacket3 by default; "any" has no single link layer: libpcap cooks it */
	if (o->engine || strcmp(o->interface, "any"))
		return &capture_tpacket3_ops;
	return &capture_pcap_live_ops;
#else
	if (o->engine) {
		snprintf(err, len, "--engine tpacket3 needs Linux");
		return NULL;
	}
	return &capture_pcap_live_ops;
#endif
}

static int tui_stats(void *src, struct capture_stats *cs)
{
	return capture_stats(src, cs);
}

static int live_status(struct capture_source *src, struct capture_stats *cs)
{
	if (!strcmp(src->kind, "file"))
		return 0;
	capture_stats(src, cs);
	return 1;
}

/* A status line on stderr for long runs, when stderr is a terminal. Wall
 * time is read only here, for display: the analysis never sees it. */
struct progress {
	int enabled;
	double started, last;
	double every;     /* seconds between lines */
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
	if (!done && t - pg->last < pg->every)
		return;
	if (t - pg->started < 1.0 && !done)
		return; /* short runs stay quiet */
	pg->last = t;
	uint64_t pos, total;
	struct capture_stats cs;
	if (live_status(src, &cs))
		fprintf(stderr, "\rtcplens: %s %s: %llu frames, %llu dropped by the kernel, %.0f s   ",
			src->kind, src->name, (unsigned long long)frames,
			(unsigned long long)cs.kernel_drops, t - pg->started);
	else if (capture_position(src, &pos, &total) == 0 && total)
		fprintf(stderr, "\rtcplens: %llu frames, %.0f of %.0f MB (%.0f%%), %.1f s   ",
			(unsigned long long)frames, pos / 1e6, total / 1e6, 100.0 * pos / total,
			t - pg->started);
	else
		fprintf(stderr, "\rtcplens: %llu frames, %.1f s   ", (unsigned long long)frames,
			t - pg->started);
	if (done)
		fputc('\n', stderr);
}

/* -r FILE, regular files only (a pipe can block a reader that fills 512
 * frames ahead, after the analysis stopped: -c, a signal): 2 = read ahead
 * on a second thread (--threads 2 and up, or by default with two CPUs
 * online), 1 = in batches on this thread; 0 = frame by frame (standard
 * input). */
static int batching_wanted(const struct options *opt)
{
	struct stat st;
	if (!strcmp(opt->read_file, "-") || stat(opt->read_file, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (opt->threads == 1)
		return 1;
	return opt->threads >= 2 || sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
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
	struct sharded *shards = NULL; /* --threads 3+: the analysis sharded by flow */
	if (argc > 1 && replay_is_command(argv[1]))
		return replay_command(argc - 1, argv + 1); /* tcplens diff | check */
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

	int live = !opt.read_file;
	/* The TUI: --tui, or by default live or --replay with stdout a terminal. */
	int use_tui = opt.tui >= 0 ? opt.tui : (live || opt.replay) && !opt.baseline &&
						isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	struct tui *tui = NULL;
	FILE *tui_held = NULL;
	struct metrics *met = NULL;      /* --metrics, --metrics-file */
	if (live || use_tui || opt.replay)
		live_signals();  /* before the socket exists: a stop request is never lost */
	const struct capture_ops *ops = live ? live_engine(&opt, err, sizeof(err)) : &capture_file_ops;
	struct capture_config cc = {
		.name = live ? opt.interface : opt.read_file,
		.bpf = opt.filter,
		.snaplen = opt.snaplen,
		.ring_block_size = opt.ring_block_kib * 1024u,
		.ring_blocks = opt.ring_blocks,
		.ring_timeout_ms = opt.ring_timeout_ms,
		.queue_num = opt.nfqueue,
	};
	struct capture_source src;
	if (!ops || capture_open(&src, ops, &cc, err) < 0) {
		fprintf(stderr, "tcplens: %s\n", err);
		options_free(&opt);
		return EXIT_INPUT;
	}
	/* -r FILE: read, decode and checksum in batches of frames, on a second
	 * thread ahead of the analysis or on this one (capture/readahead.h). */
	struct capture_source inner_src;
	int batching = !live && !opt.replay && !use_tui ? batching_wanted(&opt) : 0;
	/* --threads 3+: the analysis sharded by flow (analyze/sharded.h), the
	 * shards decoding too. Not with what watches the analysis itself. */
	int want_shards = 0;
	if (batching == 2 && opt.threads >= 3) {
		const char *why = opt.write_path ? "-w" : opt.metrics_listen || opt.metrics_file
			? "--metrics" : opt.format == REPORT_HTML ? "--format html" : NULL;
		want_shards = !why;
		if (why && !opt.quiet)
			fprintf(stderr, "tcplens: --threads %d: %s needs the analysis on one thread; "
				"reading ahead on a second one only\n", opt.threads, why);
	}
	if (batching) {
		inner_src = src;
		int rc = batching == 2 ? capture_readahead_start(&src, &inner_src, sizeof(struct pkt_prepared),
								 want_shards ? NULL : analyzer_prepare,
								 NULL, err)
				       : capture_batched_start(&src, &inner_src, sizeof(struct pkt_prepared),
							       analyzer_prepare, NULL, err);
		if (rc < 0) {
			src = inner_src;
			batching = 0;
			want_shards = 0;
			if (!opt.quiet)
				fprintf(stderr, "tcplens: %s; reading frame by frame\n", err);
		}
	}
	/* What the host says about the captured interface (driver, offloads). */
	struct iface_info ifi;
	char ierr[128];
	int have_ifi = opt.interface && strcmp(opt.interface, "any") &&
		       iface_info_query(opt.interface, &ifi, ierr, sizeof(ierr)) == 0;

	FILE *out = stdout;
	if (opt.out_path && strcmp(opt.out_path, "-")) {
		if (opt.read_file && same_file(opt.out_path, opt.read_file)) {
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
	/* --baseline: the new report (JSON) goes to -o FILE or a temporary file,
	 * the comparison to stdout. */
	if (opt.baseline && out == stdout && !(out = tmpfile())) {
		fprintf(stderr, "tcplens: cannot create a temporary file for the report (set TMPDIR)\n");
		capture_close(&src);
		options_free(&opt);
		return EXIT_INPUT;
	}
	/* The TUI has the terminal: a report for stdout waits in a temporary
	 * file, printed once the terminal is restored. */
	if (use_tui && out == stdout && !(out = tui_held = tmpfile())) {
		fprintf(stderr, "tcplens: cannot create a temporary file for the report (set TMPDIR)\n");
		capture_close(&src);
		options_free(&opt);
		return EXIT_INPUT;
	}
	/* Reports run to hundreds of MB: write them in 256 KiB blocks, not in
	 * stdio's default st_blksize (4 KiB: two write(2) per JSON writer block).
	 * Streams that must be seen at once (jsonl) flush themselves. */
	static char out_buf[1u << 18]; /* glibc ignores the size without a buffer */
	setvbuf(out, out_buf, _IOFBF, sizeof(out_buf));

	/* Live: nothing is parsed with privileges (-Z USER, and no capability
	 * but the CAP_NET_ADMIN an NFQUEUE verdict needs). */
	struct metrics_config mcfg = {.listen = opt.metrics_listen, .file = opt.metrics_file,
				      .interval_s = opt.metrics_interval, .stats = tui_stats,
				      .stats_user = &src};
	/* Prometheus: its socket is bound before privileges go (as the capture). */
	if ((mcfg.listen || mcfg.file) && !(met = metrics_new(&mcfg, err, sizeof(err)))) {
		fprintf(stderr, "tcplens: %s\n", err);
		status = EXIT_INPUT;
		goto out_close;
	}
	if (live && privdrop(opt.user, opt.nfqueue >= 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcplens: %s\n", err);
		status = EXIT_INPUT;
		goto out_close;
	}

	/* Like tcpdump's "listening on": scripts wait for this line. */
	if (live && !opt.quiet)
		fprintf(stderr, "tcplens: capturing on %s (%s, %s)%s\n", src.name, src.kind,
			capture_linktype_name(src.linktype), opt.duration > 0 || opt.count ? "" :
			"; Ctrl-C or SIGTERM ends it with the report");

	struct report_meta meta = {
		.source_kind = src.kind,
		.source_name = live ? src.name : strcmp(opt.read_file, "-") ? opt.read_file : "(stdin)",
		.iface = have_ifi ? &ifi : NULL,
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
	struct run run = {.input = meta.source_name, .quiet = opt.quiet || use_tui,
			  .count_limit = opt.count, .stop = &stop_requested};
	struct pace pace;
	if (opt.replay) {
		pace_init(&pace, opt.replay_speed);
		run.pace = &pace;
	}
	struct analyzer_sink sink;
	report_bind(rep, &sink);
	sink.diag = on_diag;
	sink.diag_user = &run;
	/* -w: findings recorded as frame comments; the pcapng is written after. */
	struct annotate *ann = NULL;
	if (opt.write_path && !(ann = annotate_begin(&opt, &sink, err, sizeof(err)))) {
		fprintf(stderr, "tcplens: %s\n", err);
		status = EXIT_INPUT;
		goto out_report;
	}
	/* The TUI observes what the report receives (a fan-out sink). */
	struct tui_config tcfg = {.source_kind = src.kind, .source_name = meta.source_name,
				  .live = live, .replay = opt.replay, .speed = opt.replay_speed,
				  .stats = tui_stats, .stats_user = &src, .stop = &stop_requested};
	if (use_tui && !(run.tui = tui = tui_new(&tcfg))) {
		fprintf(stderr, "tcplens: out of memory\n");
		status = EXIT_INPUT;
		goto out_report;
	}
	if (tui)
		tui_bind(tui, &sink);
	if (tui && tui_start(tui, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcplens: %s\n", err);
		status = EXIT_INPUT;
		goto out_report;
	}
	struct analyzer_config acfg = {.max_flows = opt.max_flows, .max_events_per_flow = opt.max_events,
				       .max_held = opt.max_held, .max_held_per_flow = opt.max_held_per_flow,
				       .max_rounds = opt.max_rounds,
				       .no_offload_signature = opt.no_offload_signature};
	run.an = analyzer_new(&acfg, &sink);
	if (!run.an) {
		fprintf(stderr, "tcplens: out of memory\n");
		status = EXIT_INPUT;
		goto out_report;
	}
	report_set_analyzer(rep, run.an);
	capture_readahead_set_lookahead(&src, analyzer_lookahead, run.an);
	/* The merge replays what the report sinks receive (text, JSON, JSONL). */
	if (want_shards && !(shards = sharded_new(&src, run.an, (unsigned)opt.threads - 1, err,
						  sizeof(err)))) {
		fprintf(stderr, "tcplens: %s; try --threads 2\n", err);
		status = EXIT_INPUT;
		goto out_analyzer;
	}
	if (tui)
		tui_set_analyzer(tui, run.an);
	struct progress pg = {.enabled = isatty(STDERR_FILENO) && !opt.quiet && !tui, .every = live ? 1.0 : 0.5};
	pg.started = pg.last = pg.enabled || opt.duration > 0 ? now_s() : 0;
	for (uint64_t batches = 0;; batches++) {
		if (live || (batches & 255) == 0)
			progress_tick(&pg, &src, run.seen, 0);
		if (stop_requested || (opt.duration > 0 && now_s() - pg.started >= opt.duration))
			break;
		if (met && live && metrics_tick(met, run.an, err, sizeof(err)) < 0)
			fprintf(stderr, "tcplens: metrics: %s\n", err);
		int n = shards ? sharded_step(shards, opt.count, err)
			       : capture_dispatch(&src, 256, on_packet, &run, err);
		if (shards && n > 0)
			run.seen += (uint64_t)n;
		if (n == CAPTURE_END)
			break;
		if (n < 0) {
			fprintf(stderr, "tcplens: %s; the report covers the frames before it\n", err);
			status = EXIT_INPUT;
			break;
		}
		if (opt.count && run.seen >= opt.count)
			break;
		if (run.stopped || (tui && tui_tick(tui)))
			break;
	}
	if (shards) {
		uint64_t more;
		if (sharded_finish(shards, &more) && !opt.quiet)
			fprintf(stderr, "tcplens: --threads %d: a cap (--max-flows, --max-held, "
				"--max-rounds) was reached; each of the %d analysis shards had its "
				"share of it, so this report can differ from --threads 1's\n",
				opt.threads, opt.threads - 1);
		run.seen += more;
	}
	if (pg.last > pg.started)
		progress_tick(&pg, &src, run.seen, 1);
	analyzer_finish(run.an);
	if (tui)
		tui_finish(tui);  /* browse the final analysis until q */
	struct capture_stats cs;
	capture_stats(&src, &cs);
	if (report_finish(rep, run.an, &cs) < 0) {
		fprintf(stderr, "tcplens: %s\n", rep->err);
		status = EXIT_INPUT;
	}
	if (met && metrics_finish(met, run.an, &cs, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcplens: metrics: %s\n", err);
		status = EXIT_INPUT;
	}
	if (tui_held && !status) {
		char buf[65536];
		size_t n;
		rewind(tui_held);
		while ((n = fread(buf, 1, sizeof(buf), tui_held)) > 0)
			fwrite(buf, 1, n, stdout);
		fflush(stdout);
	}
	if (opt.baseline && !status)
		status = replay_baseline(opt.baseline, opt.out_path ? NULL : out,
					 opt.out_path ? opt.out_path : "the new report", opt.tolerance,
					 opt.ntolerance, opt.compare_json, stdout);
	if (ann && annotate_write(ann, &opt, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcplens: %s\n", err);
		status = EXIT_INPUT;
	}
	if (run.diags > DIAG_LIST_MAX && !opt.quiet)
		fprintf(stderr, "tcplens: %s: %llu more damaged frames not listed\n", run.input,
			(unsigned long long)(run.diags - DIAG_LIST_MAX));
out_analyzer:
	sharded_free(shards);
	shards = NULL;
	analyzer_free(run.an);
out_report:
	tui_free(tui);
	annotate_free(ann);
	report_free(rep);
out_close:
	if (out != stdout && fclose(out) != 0 && !status) {
		fprintf(stderr, "tcplens: error writing %s: %s\n",
			opt.out_path ? opt.out_path : "the report", strerror(errno));
		status = EXIT_INPUT;
	}
	sharded_free(shards);
	metrics_free(met);
	capture_close(&src);
	options_free(&opt);
	return status;
}
