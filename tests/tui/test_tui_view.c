/*
 * tests/tui/test_tui_view.c — the TUI without a terminal: the view model and
 * its rendering into the character buffer, the controller (keys -> state),
 * the retained lists' bounds and the replay pacing arithmetic. Real samples
 * are analyzed through the pipeline (pipeline_begin with the TUI's
 * subscriber bound as the binary binds it), without a terminal.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "capture/capture.h"
#include "pipeline/pace.h"
#include "pipeline/pipeline.h"
#include "tui/input.h"
#include "tui/render.h"
#include "tui/retain.h"
#include "tui/screen.h"
#include "tui/tui.h"
#include "tui/view.h"

#ifndef SAMPLES_DIR
#error SAMPLES_DIR must point at samples/
#endif

struct fixture {
	struct pipeline *p;          /* the analyzer, the report and the TUI's subscriber */
	const struct analyzer *an;
	const struct retain *ret;
	struct view view;
	struct view_state st;
	struct screen scr;
};

static void on_packet(void *p, const struct pkt_record *rec)
{
	pipeline_packet(p, rec);
}

/* Analyze a sample through the pipeline, the TUI bound as the binary binds
 * it (without a terminal); finish = end of capture (browse), else open
 * flows stay. */
static void load(struct fixture *x, const char *name, bool finish, int w, int h)
{
	char path[512], err[CAPTURE_ERRBUF_SIZE];
	snprintf(path, sizeof(path), "%s/%s", SAMPLES_DIR, name);
	memset(x, 0, sizeof(*x));
	struct capture_config cc = {.name = path};
	struct capture_source src;
	cr_assert_eq(capture_open(&src, &capture_file_ops, &cc, err), 0, "%s", err);
	struct pipeline_config cfg;
	pipeline_config_init(&cfg);
	cfg.tui = 1;
	cfg.out_path = "/dev/null";
	struct pipeline_source_info si = {"file", path, src.linktype, src.precision};
	x->p = pipeline_begin(&cfg, &si, err, sizeof(err));
	cr_assert_not_null(x->p, "%s", err);
	while (capture_dispatch(&src, 256, on_packet, x->p, err) > 0)
		;
	capture_close(&src);
	if (finish)
		pipeline_finish_analysis(x->p);
	x->an = pipeline_analyzer(x->p);
	x->ret = tui_retained(pipeline_tui(x->p));
	cr_assert_eq(view_init(&x->view, 64), 0);
	view_state_init(&x->st);
	cr_assert_eq(screen_resize(&x->scr, w, h), 0);
}

static void build(struct fixture *x, bool ended)
{
	struct view_input in = {.an = x->an, .ret = x->ret, .source_kind = "file",
				.source_name = "sample", .ended = ended};
	view_build(&x->view, &in, &x->st);
	input_follow(&x->st, &x->view);
	struct render_layout lay;
	render_layout(&x->view, &x->st, x->scr.w, x->scr.h, &lay);
	input_clamp(&x->st, &x->view, &lay);
	render(&x->scr, &x->view, &x->st);
}

static void key(struct fixture *x, enum tui_action a)
{
	struct render_layout lay;
	render_layout(&x->view, &x->st, x->scr.w, x->scr.h, &lay);
	input_apply(&x->st, &x->view, &lay, a);
	build(x, true);
}

static void done(struct fixture *x)
{
	view_free(&x->view);
	screen_free(&x->scr);
	struct capture_stats cs = {0};
	char err[256];
	cr_assert_eq(pipeline_end(x->p, &cs, err, sizeof(err)), 0, "%s", err);
}

static void dump(const struct screen *s)
{
	char line[512];
	for (int r = 0; r < s->h; r++) {
		screen_row_text(s, r, line, sizeof(line));
		fprintf(stderr, "|%s\n", line);
	}
}

Test(tui_view, nagle_findings_and_flow)
{
	struct fixture x;
	load(&x, "nagle.pcap", true, 80, 24);
	build(&x, true);
	cr_assert_geq(x.view.nfindings, 1);
	cr_assert_eq(x.view.findings[0].kind, FIND_STALL);
	cr_assert_eq(x.view.findings[0].cause, CAUSE_DELAYED_ACK);
	cr_assert_gt(x.view.findings[0].lost_ms, 1000);
	cr_assert_eq(x.view.nrows, 1);
	cr_assert_eq(x.view.rows[0].stall_cause, CAUSE_DELAYED_ACK);
	if (!screen_contains(&x.scr, "stall (delayed_ack)") ||
	    !screen_contains(&x.scr, "1.25s delayed_ack") ||
	    !screen_contains(&x.scr, "10.99.13.1:41300"))
		dump(&x.scr);
	cr_assert(screen_contains(&x.scr, "stall (delayed_ack)"));
	cr_assert(screen_contains(&x.scr, "1.25s delayed_ack"));
	cr_assert(screen_contains(&x.scr, "10.99.13.1:41300"), "endpoints fit at 80 columns");
	cr_assert(screen_contains(&x.scr, "END OF CAPTURE"));
	cr_assert(screen_contains(&x.scr, "q quit"), "the key bar is on the last line");
	cr_assert_eq(screen_find(&x.scr, "q quit"), 23);
	done(&x);
}

Test(tui_view, drill_down_finding_detail_help_back)
{
	struct fixture x;
	load(&x, "nagle.pcap", true, 80, 24);
	build(&x, true);
	key(&x, ACT_FOCUS);              /* to the findings */
	key(&x, ACT_ENTER);
	cr_assert_eq(x.st.screen, SCREEN_FINDING_FLOWS);
	cr_assert(screen_contains(&x.scr, "Flows behind stall (delayed_ack): 1 flow"));
	key(&x, ACT_ENTER);
	cr_assert_eq(x.st.screen, SCREEN_DETAIL);
	cr_assert(x.view.detail.found);
	if (!screen_contains(&x.scr, "delayed_ack 29x"))
		dump(&x.scr);
	cr_assert(screen_contains(&x.scr, "Flow 1  10.99.13.1:41300 -> 10.99.13.2:5013"));
	cr_assert(screen_contains(&x.scr, "stalled 1.25s: delayed_ack 29x"));
	/* 29 stalls (and the initial windows, when the analysis finds them) */
	cr_assert_geq(x.view.detail.events_total, 29);
	cr_assert(screen_contains(&x.scr, "Timeline: "));
	cr_assert(screen_contains(&x.scr, "c2s stall          46.5 ms, cause delayed_ack"));
	/* the client's rounds: its writes are the ones the stalls held (c2s),
	 * whatever side sent more (flow_chart_dir) */
	cr_assert(screen_contains(&x.scr, "Flight per round, c2s client: 32 rounds"));
	/* small writes: every round limited by the application, its phase app */
	cr_assert(screen_contains(&x.scr, "phase   aa"));
	/* the timeline is in time order */
	for (size_t i = 1; i < x.view.detail.nevents; i++)
		cr_assert_geq(x.view.detail.events[i].ts_ns, x.view.detail.events[i - 1].ts_ns);
	key(&x, ACT_HELP);
	cr_assert_eq(x.st.screen, SCREEN_HELP);
	cr_assert(screen_contains(&x.scr, "s, F6"));
	cr_assert(screen_contains(&x.scr, "q, F10"));
	key(&x, ACT_BACK);
	cr_assert_eq(x.st.screen, SCREEN_DETAIL);
	key(&x, ACT_BACK);
	key(&x, ACT_BACK);
	cr_assert_eq(x.st.screen, SCREEN_MAIN);
	done(&x);
}

Test(tui_view, offload_artifact_verdict)
{
	struct fixture x;
	load(&x, "offload_tx.pcap", true, 200, 60);
	build(&x, true);
	if (!screen_contains(&x.scr, "csum_offload (tx)"))
		dump(&x.scr);
	cr_assert(screen_contains(&x.scr, "csum_offload (tx)"));
	cr_assert_gt(x.view.rows[0].csum_artifact, 0);
	cr_assert_eq(x.view.rows[0].csum_bad, 0);
	cr_assert(screen_contains(&x.scr, "csum bad/art"), "wide terminals show every column");
	done(&x);
}

Test(tui_view, iw10_detail_and_sort_filter)
{
	struct fixture x;
	load(&x, "iw10_50k.pcap", true, 80, 24);
	build(&x, true);
	cr_assert_geq(x.view.nrows, 1);
	bool ten = false;
	for (size_t i = 0; i < x.view.nrows; i++)
		ten |= x.view.rows[i].iw == 10;
	cr_assert(ten, "a flow with an initial window of 10");
	/* sort by iw: the IW 10 flow first */
	while (x.st.sort != COL_IW)
		key(&x, ACT_SORT);
	cr_assert_eq(x.view.rows[0].iw, 10);
	key(&x, ACT_ENTER);
	if (!screen_contains(&x.scr, "IW 10 seg"))
		dump(&x.scr);
	cr_assert(screen_contains(&x.scr, "IW 10 seg"));
	key(&x, ACT_BACK);
	/* a filter nothing matches, then one that matches */
	key(&x, ACT_FILTER);
	for (const char *p = "nomatch"; *p; p++)
		input_edit_key(&x.st, *p);
	input_edit_key(&x.st, '\n');
	build(&x, true);
	cr_assert_eq(x.view.nrows, 0);
	cr_assert(screen_contains(&x.scr, "No flow matches the filter."));
	key(&x, ACT_FILTER);
	for (int i = 0; i < 10; i++)
		input_edit_key(&x.st, 127);
	for (const char *p = ":"; *p; p++)
		input_edit_key(&x.st, *p);
	input_edit_key(&x.st, '\n');
	build(&x, true);
	cr_assert_geq(x.view.nrows, 1);
	done(&x);
}

Test(tui_view, open_flows_are_listed_live)
{
	struct fixture x;
	load(&x, "nagle.pcap", false, 80, 24);   /* capture not finished */
	build(&x, false);
	cr_assert_eq(x.view.nrows, 1);
	cr_assert(x.view.rows[0].open);
	cr_assert_eq(x.view.hdr.flows_open, 1);
	cr_assert(x.view.nfindings >= 1, "findings from the snapshot of open flows");
	cr_assert(!screen_contains(&x.scr, "END OF CAPTURE"));
	done(&x);
}

Test(tui_view, resize_small_and_large)
{
	struct fixture x;
	load(&x, "nagle.pcap", true, 40, 10);
	build(&x, true);
	cr_assert(screen_contains(&x.scr, "tcplens"));
	cr_assert_eq(screen_resize(&x.scr, 200, 60), 0);
	build(&x, true);
	cr_assert(screen_contains(&x.scr, "10.99.13.2:5013"));
	cr_assert_eq(screen_find(&x.scr, "q quit"), 59);
	done(&x);
}

Test(tui_screen, clipping)
{
	struct screen s = {0};
	cr_assert_eq(screen_resize(&s, 10, 2), 0);
	cr_assert_eq(screen_put(&s, 0, 7, ROLE_NORMAL, "abcdef"), 3);
	screen_put(&s, 5, 0, ROLE_NORMAL, "nowhere");
	screen_put(&s, 1, -2, ROLE_NORMAL, "xyz\x01");
	char line[32];
	screen_row_text(&s, 0, line, sizeof(line));
	cr_assert_str_eq(line, "       abc");
	screen_row_text(&s, 1, line, sizeof(line));
	cr_assert_str_eq(line, "z?");
	screen_free(&s);
}

Test(tui_retain, bounded_worst_kept)
{
	struct retain r;
	cr_assert_eq(retain_init(&r), 0);
	struct flow *f = calloc(1, sizeof(*f));
	for (uint32_t id = 1; id <= RETAIN_FLOWS + 100; id++) {
		memset(f, 0, sizeof(*f));
		f->id = id;
		f->badness_milli = (id % 7) * finding_weight_milli(FIND_RETRANSMISSION);
		if (id % 7)
			f->kinds = 1u << FIND_RETRANSMISSION;
		struct finding_event ev = {.flow_id = id, .kind = FIND_RETRANSMISSION};
		for (int e = 0; e < 60; e++)
			retain_event(&r, f, &ev);
		struct flow_rounds none = {{NULL, NULL}, {0, 0}};
		retain_flow_end(&r, f, RETIRE_END, &none);
	}
	cr_assert_eq(r.nflows, RETAIN_FLOWS);
	cr_assert_eq(r.ended, RETAIN_FLOWS + 100);
	size_t zeros = 0;
	for (size_t i = 0; i < r.nflows; i++) {
		zeros += r.flows[i].score == 0;
		cr_assert_eq(r.flows[i].tl.total, 60);
		cr_assert_eq(timeline_count(&r.flows[i].tl), TIMELINE_FIRST + TIMELINE_LAST);
	}
	/* 356 flows, 1/7 without retransmissions: the kept ones are the worst */
	cr_assert_lt(zeros, 5);
	cr_assert_null(retain_open_timeline(&r, 5), "an ended flow's slot is free");
	free(f);
	retain_free(&r);
}

Test(tui_pace, clock_speed_and_pause)
{
	struct pace p;
	pace_init(&p, 2);
	cr_assert_float_eq(pace_due_in(&p, 1000000000ull, 10.0), 0, 1e-9);   /* anchors */
	/* a packet 1 s later at 2x is due 0.5 s after the anchor */
	cr_assert_float_eq(pace_due_in(&p, 2000000000ull, 10.1), 0.4, 1e-9);
	pace_set_paused(&p, true, 10.2);
	cr_assert_float_eq(pace_due_in(&p, 2000000000ull, 99.0), 0.3, 1e-9);  /* clock stopped */
	pace_set_paused(&p, false, 12.2);   /* 2 s paused do not count */
	cr_assert_float_eq(pace_due_in(&p, 2000000000ull, 12.4), 0.1, 1e-9);
	pace_init(&p, 0);   /* max: never waits */
	pace_due_in(&p, 1, 0);
	cr_assert_leq(pace_due_in(&p, 50000000000ull, 0), 0);
}

Test(tui_view, row_filter)
{
	struct flow_row r = {0};
	snprintf(r.search, sizeof(r.search), "10.0.0.1:5555 10.0.0.2:443 estab cubic delayed_ack");
	cr_assert(view_row_matches(&r, ""));
	cr_assert(view_row_matches(&r, "10.0.0.2:443"));
	cr_assert(view_row_matches(&r, "DELAYED"));
	cr_assert(!view_row_matches(&r, "10.0.0.3"));
}

/* The finding screen: i on a finding shows its whole remedy, word-wrapped
 * (no line cut mid-word, none wider than the terminal); a terminal too short
 * for it scrolls, and the last line comes into view; Enter lists its flows. */
Test(tui_view, finding_screen_wraps_and_scrolls)
{
	struct fixture x;
	load(&x, "nagle.pcap", true, 40, 12);
	build(&x, true);
	key(&x, ACT_FOCUS);          /* findings */
	key(&x, ACT_INFO);
	cr_assert_eq(x.st.screen, SCREEN_FINDING);
	const struct finding *f = view_finding_text(&x.view, FIND_STALL, CAUSE_DELAYED_ACK);
	cr_assert_not_null(f);
	cr_assert(screen_contains(&x.scr, "Finding: stall (delayed_ack)"));
	cr_assert(screen_contains(&x.scr, "-- more: j, PgDn --"), "12 rows cannot hold it");
	/* Every word of the remedy appears, in order, over the pages. */
	char all[8192] = "";
	for (int page = 0; page < 20; page++) {
		char line[512];
		for (int r = 3; r < x.scr.h - 2; r++) {
			screen_row_text(&x.scr, r, line, sizeof(line));
			cr_assert_leq(strlen(line), 40);
			strncat(all, " ", sizeof(all) - strlen(all) - 1);
			strncat(all, line, sizeof(all) - strlen(all) - 1);
		}
		if (!screen_contains(&x.scr, "-- more"))
			break;
		key(&x, ACT_PGDN);
	}
	/* one space between words, as the text has them */
	char *w = all;
	for (char *r = all; *r; r++)
		if (*r != ' ' || (w > all && w[-1] != ' '))
			*w++ = *r;
	*w = 0;
	cr_assert(strstr(all, "Esc goes back."), "the end scrolls into view");
	if (!strstr(all, "Set TCP_NODELAY") || !strstr(all, "next delayed ACK."))
		fprintf(stderr, "%s\n", all);
	cr_assert(strstr(all, "Set TCP_NODELAY") && strstr(all, "next delayed ACK."),
		  "the remedy's first and last words");
	key(&x, ACT_ENTER);
	cr_assert_eq(x.st.screen, SCREEN_FINDING_FLOWS);
	cr_assert(screen_contains(&x.scr, "Flows behind stall (delayed_ack)"));
	key(&x, ACT_BACK);
	cr_assert_eq(x.st.screen, SCREEN_FINDING);
	done(&x);
}

/* The timeline's filter: on loopback every segment is an offload artifact,
 * and by default they are hidden so the stalls show; f cycles through all
 * kinds, then each kind present, then back; a flow of artifacts only shows
 * them. */
Test(tui_view, timeline_filter_hides_artifacts_by_default)
{
	struct fixture x;
	load(&x, "nagle_lo.pcap", true, 100, 40);
	build(&x, true);
	key(&x, ACT_ENTER);         /* the flow's detail (flows are focused) */
	cr_assert_eq(x.st.screen, SCREEN_DETAIL);
	const struct view_detail *d = &x.view.detail;
	cr_assert(d->kinds_present & (1u << FIND_CSUM_OFFLOAD));
	cr_assert(d->kinds_present & (1u << FIND_STALL));
	cr_assert_gt(d->nhidden, 0, "artifacts hidden by default");
	for (size_t i = 0; i < d->nevents; i++)
		cr_assert_neq(d->events[i].kind, FIND_CSUM_OFFLOAD);
	cr_assert(screen_contains(&x.scr, "no offload artifacts"));
	size_t shown_default = d->nevents;
	key(&x, ACT_TL_FILTER);     /* all */
	cr_assert_eq(x.st.tl_filter, TL_ALL);
	cr_assert_eq(d->nhidden, 0);
	cr_assert_gt(d->nevents, shown_default);
	key(&x, ACT_TL_FILTER);     /* the first kind present: csum_offload */
	cr_assert_eq(x.st.tl_filter, FIND_CSUM_OFFLOAD);
	for (size_t i = 0; i < d->nevents; i++)
		cr_assert_eq(d->events[i].kind, FIND_CSUM_OFFLOAD);
	cr_assert(screen_contains(&x.scr, "csum_offload only"));
	key(&x, ACT_TL_FILTER);     /* stall */
	cr_assert_eq(x.st.tl_filter, FIND_STALL);
	for (size_t i = 0; i < d->nevents; i++)
		cr_assert_eq(d->events[i].kind, FIND_STALL);
	for (int k = 0; k < FIND_COUNT + 2 && x.st.tl_filter != TL_DEFAULT; k++)
		key(&x, ACT_TL_FILTER);
	cr_assert_eq(x.st.tl_filter, TL_DEFAULT, "the cycle comes back");
	done(&x);

	load(&x, "offload_tx.pcap", true, 100, 40);
	build(&x, true);
	key(&x, ACT_ENTER);
	cr_assert_eq(x.view.detail.nhidden, 0, "a flow of artifacts only shows them");
	cr_assert_gt(x.view.detail.nevents, 0);
	done(&x);
}

/* The cursor follows its flow, not its row: after a re-sort (s, r) the
 * selected row is the same flow, wherever it went. */
Test(tui_view, cursor_follows_the_flow_across_sorts)
{
	struct fixture x;
	load(&x, "synretry.pcap", true, 100, 40);
	build(&x, true);
	cr_assert_geq(x.view.nrows, 4);
	key(&x, ACT_DOWN);
	key(&x, ACT_DOWN);
	uint32_t id = x.view.rows[x.st.sel_flow].id;
	int moved = 0;
	for (int k = 0; k < COL_COUNT; k++) {
		int before = x.st.sel_flow;
		key(&x, ACT_SORT);
		cr_assert_eq(x.view.rows[x.st.sel_flow].id, id, "sort %s: the cursor left its flow",
			     view_col_name(x.st.sort));
		moved += x.st.sel_flow != before;
	}
	key(&x, ACT_REVERSE);
	cr_assert_eq(x.view.rows[x.st.sel_flow].id, id);
	cr_assert_gt(moved, 0, "some sort moved the flow's row: the test proves something");
	done(&x);
}

/* The header's rate: the last second's (as the TUI counts it) beside the
 * average while the capture runs, a quiet second is 0 (not the average,
 * frozen); the average alone once the capture is over. */
Test(tui_view, header_rate_now_and_average)
{
	struct fixture x;
	load(&x, "nagle.pcap", true, 100, 30);
	struct view_input in = {.an = x.an, .ret = x.ret, .source_kind = "tpacket3",
				.source_name = "lo", .live = true, .rate_s = 1.0,
				.rate_frames = 50, .rate_bytes = 12500};
	view_build(&x.view, &in, &x.st);
	render(&x.scr, &x.view, &x.st);
	cr_assert(x.view.hdr.now_known);
	cr_assert_float_eq(x.view.hdr.now_pps, 50, 1e-9);
	cr_assert_float_eq(x.view.hdr.now_mbps, 0.1, 1e-9);
	cr_assert(screen_contains(&x.scr, "now 50 pkt/s 100.0kbit/s avg"), "the header");
	in.rate_frames = in.rate_bytes = 0;
	view_build(&x.view, &in, &x.st);
	render(&x.scr, &x.view, &x.st);
	cr_assert(screen_contains(&x.scr, "now 0 pkt/s 0bit/s"), "a quiet second is 0");
	in.ended = true;
	view_build(&x.view, &in, &x.st);
	render(&x.scr, &x.view, &x.st);
	cr_assert(!x.view.hdr.now_known);
	cr_assert(screen_contains(&x.scr, "112 pkt/s"), "the average once over (159 frames, 1.42 s)");
	done(&x);
}

/* + and - change a replay's speed from where it is: what was replayed
 * stays replayed, what is left goes at the new pace; from max, pacing
 * starts again at the next packet. The keys walk x2 / /2 up to max. */
Test(tui_view, replay_speed_change)
{
	struct pace p;
	pace_init(&p, 2);
	cr_assert_float_eq(pace_due_in(&p, 1000000000ull, 10.0), 0, 1e-9);   /* anchors */
	/* at 10.5 s, 1 s of capture time was replayed at x2 */
	pace_set_speed(&p, 4, 10.5);
	cr_assert_float_eq(pace_due_in(&p, 2000000000ull, 10.5), 0, 1e-9);
	cr_assert_float_eq(pace_due_in(&p, 3000000000ull, 10.5), 0.25, 1e-9);
	pace_set_speed(&p, 0, 10.5);                                          /* max */
	cr_assert_float_eq(pace_due_in(&p, 9000000000ull, 10.5), 0, 1e-9);
	pace_set_speed(&p, 1, 11.0);                                          /* max -> x1 */
	cr_assert_float_eq(pace_due_in(&p, 9000000000ull, 11.0), 0, 1e-9);    /* re-anchors */
	cr_assert_float_eq(pace_due_in(&p, 9500000000ull, 11.0), 0.5, 1e-9);

	struct view_state st;
	view_state_init(&st);
	struct view v;
	memset(&v, 0, sizeof(v));
	struct render_layout lay = {.findings_rows = 1, .flows_rows = 1, .timeline_rows = 1,
				    .help_rows = 1, .finding_rows = 1};
	st.speed = 256;
	input_apply(&st, &v, &lay, ACT_FASTER);
	input_apply(&st, &v, &lay, ACT_FASTER);
	cr_assert_float_eq(st.speed, 1024, 1e-9);
	input_apply(&st, &v, &lay, ACT_FASTER);
	cr_assert_float_eq(st.speed, 0, 1e-9, "past 1024: max");
	input_apply(&st, &v, &lay, ACT_FASTER);
	cr_assert_float_eq(st.speed, 0, 1e-9, "max stays max");
	input_apply(&st, &v, &lay, ACT_SLOWER);
	cr_assert_float_eq(st.speed, 1024, 1e-9);
	st.speed = VIEW_SPEED_MIN;
	input_apply(&st, &v, &lay, ACT_SLOWER);
	cr_assert_float_eq(st.speed, VIEW_SPEED_MIN, 1e-9);
	st.speed = 1000; /* --replay=1000: + stops at 1024, then max */
	input_apply(&st, &v, &lay, ACT_FASTER);
	cr_assert_float_eq(st.speed, 1024, 1e-9);

	/* From max to a speed while paused: the pause before the key counts
	 * once, not twice (resume at 30 s after a pause at 10 s: the next
	 * packet is due at once, not 20 s later). */
	pace_init(&p, 0);
	cr_assert_float_eq(pace_due_in(&p, 1000000000ull, 5.0), 0, 1e-9);
	pace_set_paused(&p, true, 10.0);
	pace_set_speed(&p, 1, 20.0);
	pace_due_in(&p, 1000000000ull, 25.0); /* the wait loop asks while paused */
	pace_set_paused(&p, false, 30.0);
	cr_assert_float_eq(pace_due_in(&p, 1000000000ull, 30.0), 0, 1e-9);
	cr_assert_float_eq(pace_due_in(&p, 1500000000ull, 30.0), 0.5, 1e-9, "paced from the resume");
}
