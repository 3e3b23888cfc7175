/*
 * tui/render_detail.c — one flow: summary, its timeline (stalls, SACK gaps,
 * retransmissions... with capture-time offsets and frame numbers) and the
 * flight per round trip of the side with its findings (flow_chart_dir)
 * drawn with characters: one column a round, '#' limited by the congestion
 * window, 'w' by the receiver's window, 'a' by the application; under it
 * the phase of each round (S slow start, C congestion avoidance, R
 * recovery, a application-limited) and 'v' where a recovery ended with a
 * reduced window.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/cwnd.h"
#include "analyze/stall.h"
#include "fmt.h"
#include "render.h"
#include "common/units.h"

#define AXIS 8

void render_plot(struct screen *s, const struct view_detail *d, int row, int col, int w, int h)
{
	int bars_h = h - 1;   /* the last line: phases */
	if (bars_h < 1 || w <= AXIS)
		return;
	int n = d->nrounds < w - AXIS ? d->nrounds : w - AXIS;
	/* bytes, not segments: small writes (Nagle) make sub-MSS flights */
	uint32_t peak = 1;
	for (int i = 0; i < n; i++)
		if (d->rounds[i].flight_bytes > peak)
			peak = d->rounds[i].flight_bytes;
	char pk[16];
	fmt_bytes(peak, pk, sizeof(pk));
	screen_printf(s, row, col, ROLE_DIM, "%6s", pk);
	screen_printf(s, row + bars_h - 1, col, ROLE_DIM, "%6s", "0");
	for (int y = 0; y < bars_h; y++)
		screen_put(s, row + y, col + AXIS - 1, ROLE_DIM, "|");
	screen_put(s, row + bars_h, col, ROLE_DIM, "phase");
	for (int i = 0; i < n; i++) {
		const struct cwnd_round *r = &d->rounds[i];
		int x = col + AXIS + i;
		int bar = (int)(((uint64_t)r->flight_bytes * (uint64_t)bars_h + peak - 1) / peak);
		char ch = r->limit == CAUSE_RWND ? 'w' : r->limit == CAUSE_APP ? 'a' : '#';
		for (int y = 0; y < bar && y < bars_h; y++)
			screen_fill(s, row + bars_h - 1 - y, x, 1, ch, ROLE_BAR);
		bool reduced = i > 0 && r->phase != PHASE_RECOVERY &&
			       d->rounds[i - 1].phase == PHASE_RECOVERY;
		if (reduced && bar < bars_h)
			screen_fill(s, row + bars_h - 1 - bar, x, 1, 'v', ROLE_MARK);
		char ph = r->phase == PHASE_SLOW_START ? 'S' : r->phase == PHASE_RECOVERY ? 'R'
			  : r->phase == PHASE_APP ? 'a' : 'C';
		screen_fill(s, row + bars_h, x, 1, ph, r->phase == PHASE_RECOVERY ? ROLE_MARK : ROLE_DIM);
	}
	if (!n)
		screen_put(s, row + bars_h / 2, col + AXIS + 1, ROLE_DIM,
			   "no complete round trip of data in this flow");
}

static void render_summary(struct screen *s, const struct view_detail *d, int row)
{
	const struct flow *f = &d->f;
	struct flow_row r;
	view_row_fill(&r, f, d->open);
	char b0[16], b1[16], rtt[16], mn[16], mx[16], hs[16];
	fmt_bytes(f->half[0].payload_bytes, b0, sizeof(b0));
	fmt_bytes(f->half[1].payload_bytes, b1, sizeof(b1));
	fmt_ms(r.rtt_ms, rtt, sizeof(rtt));
	fmt_ms(f->rtt.count ? f->rtt.min_ms : -1, mn, sizeof(mn));
	fmt_ms(f->rtt.count ? f->rtt.max_ms : -1, mx, sizeof(mx));
	fmt_ms(f->syn_ts && f->hs_ack_ts > f->syn_ts ? (double)(f->hs_ack_ts - f->syn_ts) / NS_PER_MS : -1,
	       hs, sizeof(hs));
	/* The tunnel and link encapsulations, as the JSON and the text say. */
	char tun[96] = "", name[64], over[64];
	size_t tl = 0;
	if (f->key.tun_hash && f->cold) {
		flow_tunnel_name(&f->cold->tunnel, name, sizeof(name));
		tl = (size_t)snprintf(tun, sizeof(tun), "  in %s", name);
	}
	if (f->link_encap && tl < sizeof(tun)) {
		flow_link_encap_names(f->link_encap, over, sizeof(over));
		snprintf(tun + tl, sizeof(tun) - tl, "  over %s", over);
	}
	/* An open flow that closed lingers a moment for late packets: its state
	 * says closed, and "open" beside it read as a contradiction. */
	const char *note = !d->open ? ", ended"
			   : f->state == FLOW_CLOSED ? ", kept for late packets" : ", in progress";
	screen_printf(s, row, 0, ROLE_TITLE, " Flow %u  %s -> %s  %s%s%s", f->id, r.client, r.server,
		      r.state, note, tun);
	/* Three lines of at most ~78 columns in the common case, so an 80-column
	 * terminal over SSH shows every number. */
	screen_printf(s, row + 1, 1, ROLE_NORMAL, "client %llu pkts %s, server %llu pkts %s, %.2f Mbit/s, retx %u/%u",
		      (unsigned long long)f->half[0].packets, b0, (unsigned long long)f->half[1].packets,
		      b1, r.mbps, f->half[0].retransmissions, f->half[1].retransmissions);
	const struct tcp_half *h = &f->half[d->rounds_dir];
	char iw[48];
	if (h->iw_segments)
		snprintf(iw, sizeof(iw), "%u seg (%s)", h->iw_segments, cause_name(h->iw_limit));
	else
		snprintf(iw, sizeof(iw), "-");
	screen_printf(s, row + 2, 1, ROLE_NORMAL, "rtt %s (%s..%s)  handshake %s  IW %s  cc %s", rtt, mn,
		      mx, hs, iw, r.cc);
	char line[256], t[16];
	int n = snprintf(line, sizeof(line), "csum bad/art %u/%u  giants %u  ", r.csum_bad,
			 r.csum_artifact, r.giants);
	fmt_ms(r.stalled_ms, t, sizeof(t));
	if (r.stalled_ms > 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "stalled %s:", t);
	else
		n += snprintf(line + n, sizeof(line) - (size_t)n, "no stalls");
	for (int i = 0; i < STALL_CAUSES && n < (int)sizeof(line); i++) {
		if (!flow_stall_cause_n(f, (size_t)i))
			continue;
		fmt_ms(flow_stall_cause_ms(f, (size_t)i), t, sizeof(t));
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %ux %s",
			      cause_name(stall_causes[i]), flow_stall_cause_n(f, (size_t)i), t);
	}
	screen_put(s, row + 3, 1, r.stalled_ms > 0 ? ROLE_WARN : ROLE_NORMAL, line);
}

static void render_timeline(struct screen *s, const struct view_detail *d,
			    const struct view_state *st, int row, int rows)
{
	screen_fill(s, row, 0, s->w, ' ', ROLE_COLHEAD);
	int c = screen_printf(s, row, 0, ROLE_COLHEAD, " Timeline: %zu of %u events%s", d->nevents,
			      d->events_total,
			      d->events_total > d->nevents + d->nhidden ? " (first, latest)" : "");
	if (d->nhidden || st->tl_filter != TL_DEFAULT) {
		char label[48];
		view_timeline_label(st->tl_filter, label, sizeof(label));
		screen_printf(s, row, c, ROLE_COLHEAD, ", %s, %zu hidden (f)", label, d->nhidden);
	}
	row++;
	if (!d->nevents)
		screen_put(s, row, 2, ROLE_DIM, d->nhidden ? "every event is hidden: f shows them"
							   : "no events: nothing went wrong in this flow");
	for (int i = 0; i < rows; i++) {
		size_t k = (size_t)(st->detail_top + i);
		if (k >= d->nevents)
			break;
		const struct finding_event *ev = &d->events[k];
		char brief[160];
		finding_describe(ev, FORM_BRIEF, brief, sizeof(brief));
		double off = ev->ts_ns >= d->first_ts ? (double)(ev->ts_ns - d->first_ts) / NS_PER_S : 0;
		enum severity sv = finding_severity_of(ev->kind, ev->cause);
		screen_printf(s, row + i, 1,
			      sv >= SEV_HIGH ? ROLE_ALERT : sv == SEV_MEDIUM ? ROLE_WARN : ROLE_NORMAL,
			      "%10.6f %7llu %s %-14s %s", off, (unsigned long long)ev->frame,
			      flow_dir_name(ev->dir), finding_name(ev->kind), brief);
	}
}

void render_detail(struct screen *s, const struct view *v, const struct view_state *st,
		   const struct render_layout *lay, int row)
{
	const struct view_detail *d = &v->detail;
	if (!d->found) {
		screen_printf(s, row, 1, ROLE_WARN,
			      "Flow %u is no longer kept (only the worst %d ended flows are).",
			      st->detail_id, RETAIN_FLOWS);
		return;
	}
	render_summary(s, d, row);
	render_timeline(s, d, st, row + 4, lay->timeline_rows);
	int prow = row + 5 + lay->timeline_rows;
	int ph = s->h - 1 - prow - 1;
	char c[64], sv[64];
	flow_endpoint(&d->f.key, 0, c, sizeof(c));
	flow_endpoint(&d->f.key, 1, sv, sizeof(sv));
	screen_fill(s, prow, 0, s->w, ' ', ROLE_COLHEAD);
	screen_printf(s, prow, 0, ROLE_COLHEAD,
		      " Flight per round, %s %s: %u rounds (#cwnd w rwnd a app; v cut)",
		      flow_dir_name(d->rounds_dir), d->rounds_dir == DIR_C2S ? "client" : "server",
		      d->rounds_total);
	render_plot(s, d, prow + 1, 0, s->w, ph);
}
