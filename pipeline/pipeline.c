/*
 * pipeline/pipeline.c — see pipeline.h. pipeline_run: open the source and
 * the outputs, bind the subscribers, read to the end in the chosen mode,
 * finish in order (analysis, TUI, report, ClickHouse, metrics, held report,
 * baseline, -w's second pass), free in reverse.
 */
#include "pipeline.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/sharded.h"
#include "annotate.h"
#include "capture/fanout.h"
#include "capture/ifinfo.h"
#include "capture/readahead.h"
#include "common/mono_clock.h"
#include "pace.h"
#include "privdrop.h"
#include "progress.h"
#include "report/baseline_run.h"
#include "report/clickhouse_sink.h"
#include "report/metrics.h"
#include "report/report.h"
#include "source.h"
#include "tui/tui.h"

#define DAMAGED_LIST_MAX 20      /* damaged frames listed on stderr */
#define DISPATCH_FRAMES 256   /* frames per capture_dispatch call */

struct pipeline {
	const struct pipeline_config *cfg;  /* the caller's (pipeline_run), or cfg_copy */
	struct pipeline_config cfg_copy;    /* pipeline_begin's: its caller's may go */
	char si_kind[32], si_name[256];     /* ... and so may its source's names */
	bool live;
	const char *input;               /* the source's name in messages */
	bool quiet_damaged;
	bool verbose_damaged;            /* -v: every one listed */
	uint64_t damaged;                 /* damaged frames */
	uint64_t seen;                   /* frames analyzed */
	bool stopped;                    /* quit from the TUI or a signal mid-batch */
	/* While the TUI holds the terminal, messages for stderr wait here (a
	 * line on the terminal would be drawn over, and lost), printed once it
	 * is given back. */
	char tui_msgs[8192];
	size_t tui_msgs_len;
	bool tui_msgs_cut, tui_done;
	struct analyzer *an;
	struct report *rep;
	struct annotate *ann;            /* -w */
	struct clickhouse_sink *ch;      /* --clickhouse */
	struct tui *tui;
	bool analysis_finished;          /* pipeline_finish_analysis was called */
	struct metrics *met;
	struct sharded *shards;          /* --threads 3+ */
	struct pace pace;                /* --replay: frames at their recorded pace */
	bool paced;
	struct capture_source src;
	struct capture_source src_inner; /* the engine's, under the batch reader */
	bool have_src;
	enum read_mode mode;
	struct iface_info ifi;
	bool have_ifi;
	FILE *out;                       /* the report's stream */
	FILE *tui_held;                  /* ... a temporary file while the TUI has the terminal */
	bool out_owned;                  /* fopen'ed or tmpfile'd here */
};

void pipeline_config_init(struct pipeline_config *c)
{
	memset(c, 0, sizeof(*c));
	c->nfqueue = -1;
	c->format = -1;
	c->tui = -1;
}

/* The message that ends the run: in cfg->err when the caller asked, else on
 * stderr. */
__attribute__((format(printf, 2, 3))) static int fail(const struct pipeline_config *c,
						      const char *fmt, ...)
{
	char msg[CAPTURE_ERRBUF_SIZE + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "%s", msg);
	else
		fprintf(stderr, "tcplens: %s\n", msg);
	return PIPELINE_EXIT_INPUT;
}

/* A line for stderr ("tcplens: " and a newline added), held while the TUI
 * has the terminal. */
__attribute__((format(printf, 2, 3))) static void say(struct pipeline *p, const char *fmt, ...)
{
	char line[CAPTURE_ERRBUF_SIZE + 512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (!p->tui || p->tui_done) {
		fprintf(stderr, "tcplens: %s\n", line);
		return;
	}
	size_t room = sizeof(p->tui_msgs) - p->tui_msgs_len;
	int w = snprintf(p->tui_msgs + p->tui_msgs_len, room, "tcplens: %s\n", line);
	if (w < 0 || (size_t)w >= room) {
		p->tui_msgs_cut = true;
		p->tui_msgs[p->tui_msgs_len] = 0;
	} else {
		p->tui_msgs_len += (size_t)w;
	}
}

/* The TUI gave the terminal back: what it held, in order. */
static void tui_gone(struct pipeline *p)
{
	p->tui_done = true;
	fputs(p->tui_msgs, stderr);
	if (p->tui_msgs_cut)
		fputs("tcplens: (more messages while the TUI ran were left out)\n", stderr);
	p->tui_msgs_len = 0;
	p->tui_msgs[0] = 0;
}

static void on_damaged(void *user, uint64_t frame, const char *msg)
{
	struct pipeline *p = user;
	if ((p->damaged++ < DAMAGED_LIST_MAX || p->verbose_damaged) && !p->quiet_damaged)
		say(p, "%s: frame %llu: %s (skipped)", p->input, (unsigned long long)frame, msg);
}

void pipeline_packet(struct pipeline *p, const struct pkt_record *rec)
{
	analyzer_packet(p->an, rec);
}

/* Live capture, the TUI and a paced replay: SIGINT/SIGTERM end the reading
 * and the report is written as usual. No SA_RESTART: the engine's poll()
 * returns at once. */
static volatile sig_atomic_t stop_requested;

/* Counted (up to 2): a second signal also cuts the final ClickHouse
 * flush short (clickhouse_config.signals). */
static void on_stop_signal(int sig)
{
	(void)sig;
	if (stop_requested < 2)
		stop_requested = stop_requested + 1;
}

static void stop_on_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);  /* one handler at a time: the count is exact */
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int engine_stats(void *src, struct capture_stats *cs)
{
	return capture_stats(src, cs);
}

static int engine_position(void *src, uint64_t *done, uint64_t *total)
{
	return capture_position(src, done, total);
}

static enum report_format format_of(const struct pipeline_config *c)
{
	return c->format >= 0 ? (enum report_format)c->format : REPORT_TEXT;
}

/* The report's stream: cfg->out, -o FILE, or stdout; a temporary file when
 * the comparison (--baseline) or the TUI has stdout. Reports run to
 * hundreds of MB: written in 256 KiB blocks, not stdio's st_blksize (4 KiB).
 * Streams that must be seen at once (jsonl) flush themselves. */
static int open_report_stream(struct pipeline *p, bool use_tui)
{
	const struct pipeline_config *c = p->cfg;
	static char out_buf[1u << 18]; /* glibc ignores the size without a buffer */
	if (c->out) {
		p->out = c->out;
		return 0;
	}
	p->out = stdout;
	if (c->out_path && strcmp(c->out_path, "-")) {
		if (c->read_file && source_same_file(c->out_path, c->read_file))
			return fail(c, "-o %s is the capture being read; choose another file",
				    c->out_path);
		if (!(p->out = fopen(c->out_path, "w")))
			return fail(c, "cannot write %s: %s", c->out_path, strerror(errno));
		p->out_owned = true;
	}
	/* --baseline: the new report (JSON) goes to -o FILE or a temporary
	 * file, the comparison to stdout. */
	if ((c->baseline || use_tui) && p->out == stdout) {
		if (!(p->out = tmpfile()))
			return fail(c, "cannot create a temporary file for the report (set TMPDIR)");
		p->out_owned = true;
		if (use_tui && !c->baseline)
			p->tui_held = p->out;  /* printed once the terminal is restored */
	}
	setvbuf(p->out, out_buf, _IOFBF, sizeof(out_buf));
	return 0;
}

/* --clickhouse: rows for ClickHouse, a tee in front of the report writer;
 * sent by their own thread, warnings kept off the TUI's terminal. */
static int bind_clickhouse(struct pipeline *p, const struct report_meta *meta, bool tui,
			   struct analyzer_sink *sink)
{
	const struct pipeline_config *c = p->cfg;
	char err[CAPTURE_ERRBUF_SIZE];
	struct clickhouse_config ch = {
		.url = c->clickhouse_url, .spool_mb = c->clickhouse_spool_mb,
		.flush_timeout_s = c->clickhouse_flush_timeout, .host = c->host,
		.source_kind = meta->source_kind, .source_name = meta->source_name,
		.no_warnings = c->quiet || tui, .quiet = c->quiet, .signals = &stop_requested};
	if (!(p->ch = clickhouse_sink_new(&ch, err, sizeof(err))))
		return fail(c, "%s", err);
	clickhouse_sink_tee(p->ch, sink);
	return 0;
}

/* The report writer, --clickhouse's rows, then -w's recorder and the TUI in
 * front of it (a fan-out: each passes every call on), then the analyzer. */
static int bind_subscribers(struct pipeline *p, const struct report_meta *meta,
			    const struct tui_config *tcfg, bool take_terminal)
{
	const struct pipeline_config *c = p->cfg;
	char err[CAPTURE_ERRBUF_SIZE];
	struct report *rep = report_new(format_of(c), p->out, meta, err, sizeof(err));
	if (!(p->rep = rep))
		return fail(c, "%s", err);
	struct analyzer_sink sink;
	report_bind(rep, &sink);
	sink.damaged = on_damaged;
	sink.damaged_user = p;
	if (c->clickhouse_url && bind_clickhouse(p, meta, tcfg != NULL, &sink))
		return PIPELINE_EXIT_INPUT;
	/* -w: findings recorded as frame comments; the pcapng is written after. */
	if (c->write_path && !(p->ann = annotate_begin(c, &sink, err, sizeof(err))))
		return fail(c, "%s", err);
	if (tcfg) {
		if (!(p->tui = tui_new(tcfg)))
			return fail(c, "out of memory");
		tui_bind(p->tui, &sink);
		if (take_terminal && tui_start(p->tui, err, sizeof(err)) < 0)
			return fail(c, "%s", err);
	}
	struct analyzer_config acfg = {.max_flows = c->max_flows, .max_events_per_flow = c->max_events,
				       .max_held = c->max_held, .max_held_per_flow = c->max_held_per_flow,
				       .max_rounds = c->max_rounds,
				       .no_offload_signature = c->no_offload_signature};
	if (!(p->an = analyzer_new(&acfg, &sink)))
		return fail(c, "out of memory");
	report_set_analyzer(rep, p->an);
	if (p->tui)
		tui_set_analyzer(p->tui, p->an);
	return 0;
}

/* Free in reverse: the analysis first (its shards' threads read the
 * source), the report before its stream. Returns fclose's result for a
 * stream opened here (0 otherwise). */
static int pipeline_free(struct pipeline *p)
{
	sharded_free(p->shards);
	analyzer_free(p->an);
	tui_free(p->tui);
	annotate_free(p->ann);
	clickhouse_sink_free(p->ch);
	report_free(p->rep);
	int rc = p->out_owned ? fclose(p->out) : 0;
	metrics_free(p->met);
	if (p->have_src)
		capture_close(&p->src);
	free(p);
	return rc;
}

struct pipeline *pipeline_begin(const struct pipeline_config *cfg,
				const struct pipeline_source_info *si, char *err, size_t errlen)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->cfg_copy = *cfg;
	p->cfg_copy.err = err;
	p->cfg_copy.errlen = errlen;
	p->cfg_copy.write_path = NULL;  /* no capture file to read twice */
	p->cfg = &p->cfg_copy;
	snprintf(p->si_kind, sizeof(p->si_kind), "%s", si->kind ? si->kind : "");
	snprintf(p->si_name, sizeof(p->si_name), "%s", si->name ? si->name : "");
	p->input = p->si_name;
	p->quiet_damaged = true;
	struct report_meta meta = {.source_kind = p->si_kind, .source_name = p->si_name,
				   .linktype = si->linktype, .precision = si->precision};
	/* cfg->tui = 1: the TUI's subscriber bound as the binary binds it,
	 * without a terminal (its view is the caller's to build). */
	struct tui_config tcfg = {.source_kind = p->si_kind, .source_name = p->si_name};
	if (open_report_stream(p, false) ||
	    bind_subscribers(p, &meta, cfg->tui == 1 ? &tcfg : NULL, false)) {
		(void)pipeline_free(p);
		return NULL;
	}
	p->cfg_copy.err = NULL;  /* the caller's err is for begin only */
	return p;
}

const struct analyzer *pipeline_analyzer(const struct pipeline *p)
{
	return p->an;
}

struct tui *pipeline_tui(const struct pipeline *p)
{
	return p->tui;
}

void pipeline_finish_analysis(struct pipeline *p)
{
	if (!p->analysis_finished)
		analyzer_finish(p->an);
	p->analysis_finished = true;
}

int pipeline_end(struct pipeline *p, const struct capture_stats *cs, char *err, size_t errlen)
{
	pipeline_finish_analysis(p);
	int rc = 0;
	if (report_finish(p->rep, p->an, cs) < 0) {
		snprintf(err, errlen, "%s", p->rep->err);
		rc = -1;
	}
	if (pipeline_free(p) != 0 && !rc) {
		snprintf(err, errlen, "write error on the report output");
		rc = -1;
	}
	return rc;
}

/* One frame from the source: paced (--replay), then analyzed, until -c or a
 * stop. */
static void on_packet(void *user, const struct pkt_record *rec)
{
	struct pipeline *p = user;
	uint64_t limit = p->cfg->count;
	if (p->stopped || (limit && p->seen >= limit))
		return;
	if (p->paced && pace_wait(&p->pace, rec->ts_ns, p->tui, &stop_requested)) {
		p->stopped = true;
		return;
	}
	p->seen++;
	analyzer_packet(p->an, rec);
}

/* --threads 3+ shards the analysis by flow (every subscriber, the HTML
 * report's segment sampler included, gets what one analyzer hands). */
static enum read_mode most_parallel(bool frames_only)
{
	return frames_only ? READ_FRAMES : READ_SHARDED;
}

/* "capturing on eth0 (tpacket3, 2 rings in a fanout group, ...)" */
static const char *fanout_words(int rings)
{
	static char words[48];
	snprintf(words, sizeof(words), ", %d rings in a fanout group", rings);
	return words;
}

/* Open the source and everything the run writes to, in the order that
 * keeps a stop request and privileges right. */
static int run_open(struct pipeline *p, bool use_tui)
{
	const struct pipeline_config *c = p->cfg;
	char err[CAPTURE_ERRBUF_SIZE] = "";
	p->live = !c->read_file;
	if (p->live || use_tui || c->replay)
		stop_on_signals();  /* before the socket exists: a stop request is never lost */
	int mode = source_open(c, most_parallel(use_tui || c->replay), &p->src, &p->src_inner,
			       err, sizeof(err));
	if (mode < 0)
		return fail(c, "%s", err);
	p->have_src = true;
	p->mode = (enum read_mode)mode;
	/* What the host says about the captured interface (driver, offloads). */
	p->have_ifi = c->interface && strcmp(c->interface, "any") &&
		      iface_info_query(c->interface, &p->ifi, err, sizeof(err)) == 0;
	if (open_report_stream(p, use_tui))
		return PIPELINE_EXIT_INPUT;
	/* Prometheus: its socket is bound before privileges go (as the capture). */
	struct metrics_config mcfg = {.listen = c->metrics_listen, .file = c->metrics_file,
				      .interval_s = c->metrics_interval, .stats = engine_stats,
				      .stats_user = &p->src, .host = c->host,
				      .interface = p->live ? p->src.name : NULL, .engine = p->src.kind};
	if ((mcfg.listen || mcfg.file) && !(p->met = metrics_new(&mcfg, err, sizeof(err))))
		return fail(c, "%s", err);
	/* Live: nothing is parsed with privileges (-Z USER, and no capability
	 * but the CAP_NET_ADMIN an NFQUEUE verdict needs). */
	if (p->live && privdrop(c->user, c->nfqueue >= 0, err, sizeof(err)) < 0)
		return fail(c, "%s", err);
	/* Like tcpdump's "listening on": scripts wait for this line. */
	if (p->live && !c->quiet)
		fprintf(stderr, "tcplens: capturing on %s (%s%s, %s)%s\n", p->src.name, p->src.kind,
			c->threads >= 2 ? fanout_words(c->threads) : "",
			capture_linktype_name(p->src.linktype), c->duration > 0 || c->count ? "" :
			"; Ctrl-C or SIGTERM ends it with the report");
	return 0;
}

/* The subscribers and the analyzer (and the shards) for the open source. */
static int run_bind(struct pipeline *p, bool use_tui)
{
	const struct pipeline_config *c = p->cfg;
	char err[CAPTURE_ERRBUF_SIZE];
	p->input = p->live ? p->src.name : strcmp(c->read_file, "-") ? c->read_file : "(stdin)";
	p->quiet_damaged = c->quiet; /* under the TUI, held until it gives the terminal back (say) */
	p->verbose_damaged = c->verbose > 0;
	struct report_meta meta = {
		.source_kind = p->src.kind,
		.source_name = p->input,
		.iface = p->have_ifi ? &p->ifi : NULL,
		.linktype = p->src.linktype,
		.precision = p->src.precision,
		.filter = c->filter,
	};
	if (c->replay) {
		pace_init(&p->pace, c->replay_speed);
		p->paced = true;
	}
	struct tui_config tcfg = {.source_kind = p->src.kind, .source_name = p->input,
				  .live = p->live, .replay = c->replay, .speed = c->replay_speed,
				  .stats = engine_stats, .position = engine_position,
				  .stats_user = &p->src, .stop = &stop_requested};
	if (bind_subscribers(p, &meta, use_tui ? &tcfg : NULL, true))
		return PIPELINE_EXIT_INPUT;
	if (p->met && p->ch)
		metrics_set_clickhouse(p->met, p->ch);
	capture_readahead_set_lookahead(&p->src, analyzer_lookahead, p->an);
	/* The merge replays what the subscribers receive. */
	if (p->mode == READ_SHARDED) {
		struct sharded_feed feed;
		source_sharded_feed(&p->src, &feed);
		if (!(p->shards = sharded_new(&feed, p->an, (unsigned)c->threads - 1, err, sizeof(err))))
			return fail(c, "%s; try --threads 2", err);
	}
	return 0;
}

/* Read to the end, -c, --duration, a signal or q. */
static int run_loop(struct pipeline *p)
{
	const struct pipeline_config *c = p->cfg;
	char err[CAPTURE_ERRBUF_SIZE] = "";
	int status = 0;
	struct progress pg;
	progress_start(&pg, isatty(STDERR_FILENO) && !c->quiet && !p->tui, p->live);
	for (uint64_t batches = 0;; batches++) {
		if (p->live || (batches & 255) == 0)
			progress_tick(&pg, &p->src, p->seen, false);
		if (stop_requested || (c->duration > 0 && mono_clock_s() - pg.started >= c->duration))
			break;
		if (p->met && p->live && metrics_tick(p->met, p->an, err, sizeof(err)) < 0)
			say(p, "metrics: %s", err);
		int n = p->shards ? sharded_step(p->shards, c->count, err)
				  : capture_dispatch(&p->src, DISPATCH_FRAMES, on_packet, p, err);
		if (p->shards && n > 0)
			p->seen += (uint64_t)n;
		if (n == CAPTURE_END)
			break;
		if (n < 0) {
			if (p->tui) { /* said once the TUI gives the terminal back */
				say(p, "%s; the report covers the frames before it", err);
				status = PIPELINE_EXIT_INPUT;
			} else {
				status = fail(c, "%s; the report covers the frames before it", err);
			}
			break;
		}
		if (c->count && p->seen >= c->count)
			break;
		if (p->stopped || (p->tui && tui_tick(p->tui)))
			break;
	}
	if (p->shards) {
		uint64_t more;
		if (sharded_finish(p->shards, &more) && !c->quiet)
			fprintf(stderr, "tcplens: --threads %d: a cap (--max-flows, --max-held, "
				"--max-rounds) was reached; each of the %d analysis shards had its "
				"share of it, so this report can differ from --threads 1's\n",
				c->threads, c->threads - 1);
		p->seen += more;
		uint64_t late = sharded_out_of_order(p->shards);
		if (late)
			fprintf(stderr, "tcplens: --threads %d: %llu analysis records came out of "
				"order (a tcplens bug: please report it with the capture); run "
				"--threads 2 for the report one analyzer makes\n", c->threads,
				(unsigned long long)late);
	}
	uint64_t late = capture_fanout_late(&p->src);
	if (late)
		say(p, "%llu frames reached the fanout merge after a later one (a CPU stamped a "
		       "frame, another queued a later one first, or the clock stepped back): they "
		       "were analyzed as they came", (unsigned long long)late);
	progress_tick(&pg, &p->src, p->seen, true);
	return status;
}

/* The report held while the TUI had the terminal, to stdout. */
static void print_held(FILE *held)
{
	char buf[65536];
	size_t n;
	rewind(held);
	while ((n = fread(buf, 1, sizeof(buf), held)) > 0)
		fwrite(buf, 1, n, stdout);
	fflush(stdout);
}

/* After the reading: every output, in order. */
static int run_finish(struct pipeline *p, int status)
{
	const struct pipeline_config *c = p->cfg;
	char err[CAPTURE_ERRBUF_SIZE];
	analyzer_finish(p->an);
	if (p->tui) {
		tui_finish(p->tui);  /* browse the final analysis until q */
		tui_gone(p);
	}
	struct capture_stats cs;
	capture_stats(&p->src, &cs);
	bool report_ok = report_finish(p->rep, p->an, &cs) == 0;
	if (!report_ok)
		status = fail(c, "%s", p->rep->err);
	clickhouse_sink_finish(p->ch);  /* never fails the run: it says what it lost */
	if (p->met && metrics_finish(p->met, p->an, &cs, err, sizeof(err)) < 0)
		status = fail(c, "metrics: %s", err);
	/* The report as far as the reading went, as without the TUI (a read
	 * error ends the run with its status, the report still printed). */
	if (p->tui_held && report_ok)
		print_held(p->tui_held);
	if (c->baseline && !status)
		status = baseline_run(c->baseline, c->out_path ? NULL : p->out,
				      c->out_path ? c->out_path : "the new report", c->tolerance,
				      c->ntolerance, c->compare_json, stdout);
	if (p->ann && annotate_write(p->ann, c, err, sizeof(err)) < 0)
		status = fail(c, "%s", err);
	if (p->damaged > DAMAGED_LIST_MAX && !c->quiet && !c->verbose)
		fprintf(stderr, "tcplens: %s: %llu more damaged frames not listed (-v lists them)\n",
			p->input,
			(unsigned long long)(p->damaged - DAMAGED_LIST_MAX));
	return status;
}

int pipeline_run(const struct pipeline_config *cfg)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	if (!p)
		return fail(cfg, "out of memory");
	p->cfg = cfg;
	/* The TUI: --tui, or by default live or --replay with stdout a terminal. */
	bool use_tui = cfg->tui >= 0 ? cfg->tui
				     : (!cfg->read_file || cfg->replay) && !cfg->baseline &&
					       isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	int status = run_open(p, use_tui);
	if (!status)
		status = run_bind(p, use_tui);
	if (!status)
		status = run_finish(p, run_loop(p));
	if (pipeline_free(p) != 0 && !status)
		status = fail(cfg, "error writing %s: %s", cfg->out_path ? cfg->out_path : "the report",
			      strerror(errno));
	return status;
}
