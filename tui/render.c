/*
 * tui/render.c — the header, the findings panel, the flows table, the help
 * and the key bar. See render.h; the flow detail is render_detail.c.
 */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "keys.h"

#define FLEX_MIN 15
#define FLEX_MAX 40

/* The flows table: which columns, how wide, from which terminal width. */
struct col_def {
	enum view_col col;
	const char *title;
	int width;          /* 0 = flexible (the endpoints share what is left) */
	int min_term;       /* shown only when the terminal is this wide */
};

static const struct col_def flow_cols[] = {
	{COL_CLIENT, "client", 0, 0},
	{COL_SERVER, "server", 0, 0},
	{COL_STATE, "state", 6, 0},
	{COL_THROUGHPUT, "Mbit/s", 6, 0},
	{COL_RTT, "rtt", 6, 0},
	{COL_RETX, "retx", 4, 0},
	{COL_STALLED, "stalled (cause)", 18, 0},
	{COL_CSUM, "csum bad/art", 12, 100},
	{COL_GIANTS, "giants", 6, 100},
	{COL_IW, "iw", 4, 100},
	{COL_CC, "cc", 7, 100},
};
#define NCOLS (sizeof(flow_cols) / sizeof(flow_cols[0]))

static const char *short_state(const char *s)
{
	static const char *const map[][2] = {
		{"established", "estab"}, {"midstream", "mid"}, {"syn_sent", "syn"},
		{"syn_rcvd", "synack"},   {"closing", "fin"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i][0]))
			return map[i][1];
	return s;
}

void render_layout(const struct view *v, const struct view_state *st, int w, int h,
		   struct render_layout *lay)
{
	memset(lay, 0, sizeof(*lay));
	const struct view_header *hd = &v->hdr;
	lay->header_rows = 2 + (hd->kernel_drops || hd->loss_events);
	int body = h - lay->header_rows - 1; /* the key bar */
	if (st->screen == SCREEN_MAIN) {
		int want = v->nfindings ? (int)v->nfindings : 1;
		int cap = (body - 2) / 3;
		lay->findings_rows = want < cap ? want : cap;
		if (lay->findings_rows < 1)
			lay->findings_rows = 1;
		lay->flows_rows = body - 2 - lay->findings_rows;
	} else {
		lay->findings_rows = 1;
		lay->flows_rows = body - 3;
	}
	if (lay->flows_rows < 1)
		lay->flows_rows = 1;
	/* detail: title, 3 summary lines, timeline title; the plot takes 2/5 */
	int rest = body - 5;
	int plot = rest * 2 / 5 < 5 ? 5 : rest * 2 / 5;
	lay->timeline_rows = rest - plot - 1;
	if (lay->timeline_rows < 1)
		lay->timeline_rows = 1;
	lay->help_rows = body - 1 > 1 ? body - 1 : 1;
	lay->help_lines = 0;
	for (size_t i = 0; i < tui_nkeys; i++)
		lay->help_lines += tui_keys[i].help != NULL;
	lay->help_lines += 12;
	lay->finding_rows = body - 2 > 1 ? body - 2 : 1; /* title, "more" line */
	lay->finding_lines = st->screen == SCREEN_FINDING ? finding_text_lines(v, st, w) : 0;
}

static void render_header(struct screen *s, const struct view *v)
{
	const struct view_header *h = &v->hdr;
	char pps[16], mb[16], el[16], b[16];
	screen_fill(s, 0, 0, s->w, ' ', ROLE_HEADER);
	screen_printf(s, 0, 0, ROLE_HEADER, " tcplens | %s | %s", h->source, h->mode);
	if (h->paused || h->ended) {
		const char *tag = h->paused ? "PAUSED" : "END OF CAPTURE";
		int len = (int)strlen(tag) + 2;
		screen_printf(s, 0, s->w - len, h->paused ? ROLE_WARN : ROLE_HEADER, " %s ", tag);
	}
	fmt_count(h->mbps * 1e6, mb, sizeof(mb));
	fmt_ms(h->elapsed_s * 1000, el, sizeof(el));
	fmt_bytes(h->bytes, b, sizeof(b));
	int c;
	if (h->now_known) { /* running: the last second's rate, then the average */
		char nb[16];
		fmt_count(h->now_pps, pps, sizeof(pps));
		fmt_count(h->now_mbps * 1e6, nb, sizeof(nb));
		char fr[16];
		fmt_count((double)h->frames, fr, sizeof(fr));
		c = screen_printf(s, 1, 0, ROLE_NORMAL,
				  " now %s pkt/s %sbit/s avg %sbit/s  %s frames %s  flows %llu (%llu open)",
				  pps, nb, mb, fr, el, (unsigned long long)h->flows_total,
				  (unsigned long long)h->flows_open);
	} else {
		fmt_count(h->pps, pps, sizeof(pps));
		c = screen_printf(s, 1, 0, ROLE_NORMAL,
				  " %s pkt/s  %sbit/s  %llu frames %s  %s  flows %llu (%llu open)",
				  pps, mb, (unsigned long long)h->frames, b, el,
				  (unsigned long long)h->flows_total, (unsigned long long)h->flows_open);
	}
	if (h->drops_known && !h->kernel_drops)
		screen_put(s, 1, c, ROLE_GOOD, "  no drops");
	if (h->kernel_drops || h->loss_events) {
		char lb[16];
		fmt_bytes(h->loss_bytes, lb, sizeof(lb));
		screen_fill(s, 2, 0, s->w, ' ', ROLE_ALERT);
		screen_printf(s, 2, 0, ROLE_ALERT,
			      " !! kernel drops %llu, capture loss %llu segments (%s) in %llu flows:"
			      " the trace cannot be trusted",
			      (unsigned long long)h->kernel_drops, (unsigned long long)h->loss_events,
			      lb, (unsigned long long)h->loss_flows);
	}
}

static enum tui_role severity_role(enum severity sv)
{
	return sv >= SEV_HIGH ? ROLE_ALERT : sv == SEV_MEDIUM ? ROLE_WARN : ROLE_NORMAL;
}

static void render_finding_line(struct screen *s, int row, const struct view_finding *f,
				bool selected)
{
	char cnt[16], lost[16];
	fmt_count((double)f->count, cnt, sizeof(cnt));
	fmt_ms(f->lost_ms, lost, sizeof(lost));
	screen_printf(s, row, 1, selected ? ROLE_SELECTED : severity_role(f->severity), "%-28s",
		      f->name);
	screen_printf(s, row, 30, ROLE_NORMAL, "%6s %8s %s", cnt, lost, f->line);
	if (selected)
		screen_row_role(s, row, ROLE_SELECTED);
}

static int render_findings(struct screen *s, const struct view *v, const struct view_state *st,
			   const struct render_layout *lay, int row)
{
	screen_fill(s, row, 0, s->w, ' ', ROLE_COLHEAD);
	screen_printf(s, row, 0, ROLE_COLHEAD, " Findings (%zu)", v->nfindings);
	screen_printf(s, row, 30, ROLE_COLHEAD, "%6s %8s %s", "count", "lost", "explanation");
	row++;
	if (!v->nfindings) {
		screen_put(s, row, 1, ROLE_GOOD, v->hdr.frames ? "Nothing wrong found so far."
							     : "No frames yet.");
		return row + lay->findings_rows;
	}
	for (int i = 0; i < lay->findings_rows; i++) {
		int k = st->top_finding + i;
		if ((size_t)k >= v->nfindings)
			break;
		render_finding_line(s, row + i, &v->findings[k],
				    st->focus == 0 && k == st->sel_finding);
	}
	return row + lay->findings_rows;
}

/* Widths of the shown columns at this terminal width; returns how many. */
static int col_widths(int w, int *widths)
{
	int fixed = 0, flex = 0;
	for (size_t i = 0; i < NCOLS; i++) {
		widths[i] = w >= flow_cols[i].min_term ? flow_cols[i].width : -1;
		if (widths[i] > 0)
			fixed += widths[i] + 1;
		else if (widths[i] == 0)
			flex++;
	}
	int each = flex ? (w - 1 - fixed - flex) / flex : 0;
	each = each < FLEX_MIN ? FLEX_MIN : each > FLEX_MAX ? FLEX_MAX : each;
	for (size_t i = 0; i < NCOLS; i++)
		if (widths[i] == 0)
			widths[i] = each;
	return (int)NCOLS;
}

static void cell_text(const struct flow_row *r, enum view_col c, char *buf, size_t len)
{
	char a[16];
	switch (c) {
	case COL_CLIENT: snprintf(buf, len, "%s", r->client); break;
	case COL_SERVER: snprintf(buf, len, "%s", r->server); break;
	case COL_STATE: snprintf(buf, len, "%s", short_state(r->state)); break;
	case COL_THROUGHPUT: snprintf(buf, len, "%.2f", r->mbps); break;
	case COL_RTT: fmt_ms(r->rtt_ms, buf, len); break;
	case COL_RETX: snprintf(buf, len, "%u", r->retx); break;
	case COL_STALLED:
		if (r->stalled_ms <= 0) {
			snprintf(buf, len, "-");
			break;
		}
		fmt_ms(r->stalled_ms, a, sizeof(a));
		snprintf(buf, len, "%s %s", a, cause_name(r->stall_cause));
		break;
	case COL_CSUM: snprintf(buf, len, "%u/%u", r->csum_bad, r->csum_artifact); break;
	case COL_GIANTS: snprintf(buf, len, "%u", r->giants); break;
	case COL_IW:
		if (r->iw)
			snprintf(buf, len, "%u", r->iw);
		else
			snprintf(buf, len, "-");
		break;
	case COL_CC: snprintf(buf, len, "%s", r->cc); break;
	case COL_WORST:
	case COL_COUNT: buf[0] = 0; break;
	}
}

static void put_cell(struct screen *s, int row, int col, int width, enum tui_role role,
		     const char *text, bool right)
{
	char buf[128];
	if (width > (int)sizeof(buf) - 1)
		width = (int)sizeof(buf) - 1;
	snprintf(buf, sizeof(buf), right ? "%*.*s" : "%-*.*s", width, width, text);
	screen_put(s, row, col, role, buf);
}

static int render_flows(struct screen *s, const struct view *v, const struct view_state *st,
			const struct render_layout *lay, int row, bool focused)
{
	int widths[NCOLS];
	col_widths(s->w, widths);
	screen_fill(s, row, 0, s->w, ' ', ROLE_COLHEAD);
	int col = 1;
	for (size_t i = 0; i < NCOLS; i++) {
		if (widths[i] < 0)
			continue;
		char t[48];
		snprintf(t, sizeof(t), "%s%s", flow_cols[i].title,
			 st->sort == flow_cols[i].col ? (st->reverse ? "^" : "v") : "");
		put_cell(s, row, col, widths[i], ROLE_COLHEAD, t, i >= 3 && i != 6 && i != 10);
		col += widths[i] + 1;
	}
	row++;
	if (!v->nrows)
		screen_put(s, row, 1, ROLE_DIM, st->filter[0] ? "No flow matches the filter."
							     : "No flows yet.");
	for (int i = 0; i < lay->flows_rows; i++) {
		int k = st->top_flow + i;
		if ((size_t)k >= v->nrows)
			break;
		const struct flow_row *r = &v->rows[k];
		bool sel = focused && k == st->sel_flow;
		enum tui_role role = sel ? ROLE_SELECTED : r->stalled_ms > 0 || r->retx || r->csum_bad
							   ? ROLE_NORMAL : ROLE_DIM;
		col = 1;
		for (size_t c = 0; c < NCOLS; c++) {
			if (widths[c] < 0)
				continue;
			char t[128];
			cell_text(r, flow_cols[c].col, t, sizeof(t));
			put_cell(s, row + i, col, widths[c], role, t, c >= 3 && c != 6 && c != 10);
			col += widths[c] + 1;
		}
		if (sel)
			screen_row_role(s, row + i, ROLE_SELECTED);
	}
	return row + lay->flows_rows;
}

static void render_keybar(struct screen *s, const struct view *v, const struct view_state *st)
{
	int row = s->h - 1;
	screen_fill(s, row, 0, s->w, ' ', ROLE_KEYBAR);
	if (st->editing) {
		screen_printf(s, row, 0, ROLE_KEYBAR, " Filter: %s_   (Enter applies, Esc cancels)",
			      st->edit);
		return;
	}
	if (st->screen == SCREEN_DETAIL || st->screen == SCREEN_HELP ||
	    st->screen == SCREEN_FINDING) {
		screen_put(s, row, 0, ROLE_KEYBAR, st->screen == SCREEN_DETAIL
				   ? " Esc back  j/k scroll  ? help  q quit"
				   : st->screen == SCREEN_FINDING
				   ? " Esc back  j/k scroll  Enter its flows  q quit"
				   : " Esc back  j/k scroll  q quit");
		return;
	}
	/* The filter and sort first; the keys shorten when a filter is on. */
	int c = 0;
	if (st->filter[0])
		c = screen_printf(s, row, 0, ROLE_KEYBAR, " filter \"%s\": %zu ", st->filter,
				  v->nrows);
	c += screen_printf(s, row, c, ROLE_KEYBAR, " sort %s%s |", view_col_name(st->sort),
			   st->reverse ? " rev" : "");
	screen_put(s, row, c, ROLE_KEYBAR, st->filter[0] ? " ? help  / filter  Esc clear  q quit"
					 : st->screen == SCREEN_MAIN && st->focus == 0
					 ? " ? help  i explain  / filter  s sort  Tab focus  q quit"
					 : " ? help  / filter  s sort  Tab focus  p pause  q quit");
}

static const char *const help_notes[] = {
	"",
	"Screens: findings (the ranked diagnosis) and flows (worst first); Enter on a",
	"finding lists the flows behind it, Enter on a flow shows its detail: events,",
	"stalls and SACK gaps, and the flight per round trip (the congestion window).",
	"Modes: live (-i, --nfqueue), replay (-r FILE --replay[=SPEED], SPEED 2 = twice",
	"as fast, max = no pacing; p stops the clock), browse (--tui -r FILE: the",
	"finished analysis). On quit the report goes to stdout or -o, as without the",
	"TUI. Columns: rtt = median round trip; stalled = time lost (think time left",
	"out) and its main cause; csum bad/art = corrupt / offload artifacts; iw =",
	"initial window (segments); cc = congestion control guess.",
	"NO_COLOR in the environment turns colours off.",
	"",
};

static void render_help(struct screen *s, const struct view_state *st,
			const struct render_layout *lay, int row)
{
	screen_fill(s, row, 0, s->w, ' ', ROLE_COLHEAD);
	screen_put(s, row, 0, ROLE_COLHEAD, " Help: keys (Esc or ? to go back)");
	row++;
	int line = 0, shown = 0;
	for (size_t i = 0; i < tui_nkeys && shown < lay->help_rows; i++) {
		if (!tui_keys[i].help)
			continue;
		if (line++ < st->help_top)
			continue;
		screen_printf(s, row + shown, 2, ROLE_TITLE, "%-15s", tui_keys[i].label);
		screen_put(s, row + shown, 18, ROLE_NORMAL, tui_keys[i].help);
		shown++;
	}
	for (size_t i = 0; i < sizeof(help_notes) / sizeof(help_notes[0]) && shown < lay->help_rows;
	     i++) {
		if (line++ < st->help_top)
			continue;
		screen_put(s, row + shown, 2, ROLE_NORMAL, help_notes[i]);
		shown++;
	}
}

static void render_finding_flows(struct screen *s, const struct view *v,
				 const struct view_state *st, const struct render_layout *lay,
				 int row)
{
	const struct view_finding *f = NULL;
	for (size_t i = 0; i < v->nfindings; i++)
		if (v->findings[i].kind == st->ff_kind && v->findings[i].cause == st->ff_cause)
			f = &v->findings[i];
	screen_printf(s, row, 0, ROLE_TITLE, " Flows behind %s%s: %zu%s",
		      f ? f->name : finding_name(st->ff_kind), "", v->nrows,
		      v->nrows == 1 ? " flow" : " flows");
	if (f)
		screen_printf(s, row + 1, 1, ROLE_NORMAL, "%s", f->line);
	if (f && (int)strlen(f->line) + 2 > s->w)  /* cut: say where the rest is */
		screen_put(s, row + 1, s->w - 10, ROLE_TITLE, " i: more ");
	render_flows(s, v, st, lay, row + 2, true);
}

void render(struct screen *s, const struct view *v, const struct view_state *st)
{
	struct render_layout lay;
	render_layout(v, st, s->w, s->h, &lay);
	screen_clear(s);
	render_header(s, v);
	int row = lay.header_rows;
	switch (st->screen) {
	case SCREEN_MAIN:
		row = render_findings(s, v, st, &lay, row);
		render_flows(s, v, st, &lay, row, st->focus == 1);
		break;
	case SCREEN_FINDING_FLOWS:
		render_finding_flows(s, v, st, &lay, row);
		break;
	case SCREEN_DETAIL:
		render_detail(s, v, st, &lay, row);
		break;
	case SCREEN_HELP:
		render_help(s, st, &lay, row);
		break;
	case SCREEN_FINDING:
		render_finding(s, v, st, &lay, row);
		break;
	}
	render_keybar(s, v, st);
}
