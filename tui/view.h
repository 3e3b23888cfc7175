/*
 * tui/view.h — the view model: what each screen shows, built from the
 * analyzer's snapshot (totals as if open flows ended now, the diagnosis, the
 * open flows) and what the TUI retained of ended flows. Pure: no terminal,
 * no clock, no I/O; the same inputs give the same view, so the screens'
 * content is unit-tested from here (and render.c only lays it out).
 *
 * struct view_state is the user's side: which screen, cursor, sort, filter.
 * The controller (input.c) changes it; view_build reads it.
 */
#ifndef TCPLENS_TUI_VIEW_H
#define TCPLENS_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "analyze/diagnose.h"
#include "capture/capture.h"
#include "retain.h"

enum view_screen {
	SCREEN_MAIN = 0,
	SCREEN_FINDING_FLOWS,       /* a finding's flows */
	SCREEN_DETAIL,              /* a flow */
	SCREEN_HELP,
	SCREEN_FINDING,             /* a finding's whole explanation and remedy */
};

/* Flow table columns; COL_WORST (the default sort) is not displayed. */
enum view_col {
	COL_WORST = 0,
	COL_CLIENT,
	COL_SERVER,
	COL_STATE,
	COL_THROUGHPUT,
	COL_RTT,
	COL_RETX,
	COL_STALLED,
	COL_CSUM,
	COL_GIANTS,
	COL_IW,
	COL_CC,
	COL_COUNT
};
const char *view_col_name(enum view_col c);

#define VIEW_FILTER_MAX 64
#define VIEW_SPEED_MIN (1.0 / 64)   /* replay speeds + and - reach */
#define VIEW_SPEED_MAX 1024.0

/* The timeline's filter: every event but offload artifacts when the flow
 * has others (they drown the stalls), every event, or one kind (>= 0). */
#define TL_DEFAULT (-1)
#define TL_ALL (-2)
#define VIEW_SCREEN_STACK 4

struct view_state {
	enum view_screen screen;
	enum view_screen back[VIEW_SCREEN_STACK];   /* screens Esc returns to */
	int depth;
	int focus;                  /* on SCREEN_MAIN: 0 findings, 1 flows */
	int sel_finding, top_finding;
	int sel_flow, top_flow;
	uint32_t sel_flow_id;       /* the flow under the cursor: it follows the flow */
	int help_top;
	enum view_col sort;
	bool reverse;
	char filter[VIEW_FILTER_MAX];   /* applied text filter, "" = none */
	bool editing;                   /* typing a filter */
	char edit[VIEW_FILTER_MAX];
	/* SCREEN_FINDING_FLOWS and SCREEN_FINDING: the finding shown */
	uint8_t ff_kind, ff_cause;
	int finding_top;            /* SCREEN_FINDING: first text line shown */
	/* SCREEN_DETAIL */
	uint32_t detail_id;
	int detail_top;
	int tl_filter;              /* the timeline's: TL_DEFAULT, TL_ALL, or one kind */
	bool paused;
	double speed;               /* replay speed (+, -), 0 = max */
};

/* Start state: main screen, flows focused, worst first. */
void view_state_init(struct view_state *st);

struct view_header {
	char source[300];           /* "file samples/nagle.pcap", "tpacket3 eth0" */
	char mode[32];              /* "live", "replay x2 45%", "replay max", "browse" */
	double pps, mbps;           /* average rate over the capture time covered */
	bool now_known;
	double now_pps, now_mbps;   /* over the last second */
	uint64_t frames, bytes;
	double elapsed_s;           /* capture time covered: last - first timestamp */
	bool drops_known;
	uint64_t kernel_drops;
	uint64_t loss_events, loss_bytes, loss_flows;  /* capture loss */
	uint64_t flows_total, flows_open;
	bool paused, ended;
};

struct view_finding {
	uint8_t kind, cause;
	enum severity severity;
	uint64_t count;
	double lost_ms;             /* time lost, < 0 when the kind has none */
	char name[48];              /* "stall (delayed_ack)" */
	char line[200];             /* the explanation's first sentence */
};

struct flow_row {
	uint32_t id;
	bool open;
	char client[64], server[64];
	const char *state;
	double score;
	double mbps;                /* payload, both ways, over the flow's life */
	double rtt_ms;              /* < 0: unknown */
	uint32_t retx;
	double stalled_ms;          /* app_idle left out: think time is not lost */
	uint8_t stall_cause;        /* the cause of most of it, CAUSE_NONE */
	uint32_t csum_bad, csum_artifact, giants;
	uint32_t iw;                /* initial window of the busier sender, segments */
	const char *cc;
	char search[200];           /* what the text filter matches */
};

#define VIEW_EVENTS (TIMELINE_FIRST + TIMELINE_LAST)

struct view_detail {
	bool found, open;
	struct flow f;
	struct flow_cold cold;      /* f.cold points here (flow_snapshot) */
	uint8_t rounds_dir;
	uint16_t nrounds;
	uint32_t rounds_total;      /* stored + not listed */
	struct cwnd_round rounds[RETAIN_ROUNDS];
	size_t nevents;
	uint32_t events_total;
	uint32_t kinds_present;     /* bit per finding kind among the kept events */
	size_t nhidden;             /* kept events the timeline filter hides */
	struct finding_event events[VIEW_EVENTS];
	uint64_t first_ts;          /* the capture's first timestamp (offsets) */
};

struct view {
	struct view_header hdr;
	struct view_finding findings[DIAG_MAX_FINDINGS];
	size_t nfindings;
	struct flow_row *rows;      /* filtered, sorted */
	size_t nrows, rows_cap;
	size_t rows_dropped;        /* flows over rows_cap, not listed */
	struct view_detail detail;
	/* work areas, allocated once */
	struct analyzer_totals *totals;
	struct finding *raw;
};

/* What view_build reads. an may be NULL (nothing analyzed yet). */
struct view_input {
	const struct analyzer *an;
	const struct retain *ret;
	const char *source_kind, *source_name;
	bool live, replay;
	double speed;               /* replay speed, 0 = max */
	double progress;            /* a replay's part of the file read, 0..1; < 0 unknown */
	bool ended;                 /* the capture is over */
	bool cs_known;
	struct capture_stats cs;
	/* The current rate: frames and bytes counted over the last rate_s
	 * seconds (0: not known: browse, or too soon), by the clock that
	 * paces the source (the wall clock live: a quiet link's rate falls to
	 * 0; capture time in a replay). */
	uint64_t rate_frames, rate_bytes;
	double rate_s;
};

/* 0, or -1 when out of memory. rows_cap bounds the flows table. */
int view_init(struct view *v, size_t rows_cap);
void view_free(struct view *v);
/* Rebuild v from in, as st asks (filter, sort, the flow in detail). */
void view_build(struct view *v, const struct view_input *in, const struct view_state *st);

/* The diagnosis behind the finding (kind, cause) of v (its explanation and
 * remedy, as the report has them), or NULL when it is gone. */
const struct finding *view_finding_text(const struct view *v, uint8_t kind, uint8_t cause);

/* The timeline filter after `cur` for this detail (f cycles: default, all,
 * each kind present), and its words ("no offload artifacts", "stall only"). */
int view_timeline_next(const struct view_detail *d, int cur);
void view_timeline_label(int filter, char *buf, size_t len);

/* Does the row match the query: a substring of its endpoints, state, cc or
 * stall cause ("10.0.0.2:5001", ":443", "delayed_ack"), case-insensitive. */
bool view_row_matches(const struct flow_row *r, const char *query);
/* Fill a row from a flow. */
void view_row_fill(struct flow_row *r, const struct flow *f, bool open);

#endif
