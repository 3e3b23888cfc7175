/*
 * tui/view.c — building the view model. See view.h.
 */
#include "view.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/cwnd.h"
#include "analyze/stall.h"
#include "common/units.h"

static const char *const col_names[COL_COUNT] = {
	[COL_WORST] = "worst",     [COL_CLIENT] = "client",   [COL_SERVER] = "server",
	[COL_STATE] = "state",     [COL_THROUGHPUT] = "Mbit/s", [COL_RTT] = "rtt",
	[COL_RETX] = "retx",       [COL_STALLED] = "stalled", [COL_CSUM] = "csum",
	[COL_GIANTS] = "giants",   [COL_IW] = "iw",           [COL_CC] = "cc",
};

const char *view_col_name(enum view_col c)
{
	return c < COL_COUNT ? col_names[c] : "?";
}

void view_state_init(struct view_state *st)
{
	memset(st, 0, sizeof(*st));
	st->screen = SCREEN_MAIN;
	st->focus = 1;
	st->sort = COL_WORST;
	st->tl_filter = TL_DEFAULT;
}

int view_init(struct view *v, size_t rows_cap)
{
	memset(v, 0, sizeof(*v));
	v->rows_cap = rows_cap;
	v->rows = calloc(rows_cap, sizeof(*v->rows));
	v->totals = calloc(1, sizeof(*v->totals));
	v->raw = calloc(DIAG_MAX_FINDINGS, sizeof(*v->raw));
	if (!v->rows || !v->totals || !v->raw) {
		view_free(v);
		return -1;
	}
	return 0;
}

void view_free(struct view *v)
{
	free(v->rows);
	free(v->totals);
	free(v->raw);
	v->rows = NULL;
	v->totals = NULL;
	v->raw = NULL;
}

static const char *state_name(const struct flow *f)
{
	static const char *const names[] = {"syn_sent", "syn_rcvd", "established",
					    "closing",  "closed",   "midstream"};
	if (f->key.proto != 6)
		return "udp";
	return f->state < sizeof(names) / sizeof(names[0]) ? names[f->state] : "?";
}

void view_row_fill(struct flow_row *r, const struct flow *f, bool open)
{
	memset(r, 0, sizeof(*r));
	r->id = f->id;
	r->open = open;
	flow_endpoint(&f->key, 0, r->client, sizeof(r->client));
	flow_endpoint(&f->key, 1, r->server, sizeof(r->server));
	r->state = state_name(f);
	r->score = flow_badness(f);
	double life = f->last_ts > f->first_ts ? (double)(f->last_ts - f->first_ts) / NS_PER_S : 0;
	uint64_t payload = f->half[0].payload_bytes + f->half[1].payload_bytes;
	r->mbps = life > 0 ? payload * 8.0 / life / 1e6 : 0;
	r->rtt_ms = f->rtt.count ? rtt_stats_p50(&f->rtt) : -1;
	r->retx = f->half[0].retransmissions + f->half[1].retransmissions;
	int idle = stall_cause_index(CAUSE_APP_IDLE);
	r->stalled_ms = f->stall.total_ms - flow_stall_cause_ms(f, (size_t)idle);
	r->stall_cause = CAUSE_NONE;
	double most = 0;
	for (int i = 0; i < STALL_CAUSES; i++)
		if (i != idle && flow_stall_cause_ms(f, (size_t)i) > most) {
			most = flow_stall_cause_ms(f, (size_t)i);
			r->stall_cause = (uint8_t)stall_causes[i];
		}
	r->csum_bad = f->half[0].csum_bad + f->half[1].csum_bad;
	r->csum_artifact = f->half[0].csum_offload + f->half[1].csum_offload;
	r->giants = f->half[0].giants + f->half[1].giants;
	r->iw = f->half[tui_busier_dir(f)].iw_segments;
	r->cc = open ? "-" : cc_guess_name(f->cc_guess);
	snprintf(r->search, sizeof(r->search), "%s %s %s %s %s", r->client, r->server, r->state,
		 r->cc, cause_name(r->stall_cause));
}

bool view_row_matches(const struct flow_row *r, const char *q)
{
	if (!q || !*q)
		return true;
	size_t n = strlen(q);
	for (const char *p = r->search; *p; p++) {
		size_t i = 0;
		while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)q[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

/* Is flow f behind the finding (kind, cause)? */
static bool flow_has_finding(const struct flow *f, uint8_t kind, uint8_t cause)
{
	if (kind >= FIND_COUNT || !(f->kinds & (1u << kind)))
		return false;
	if (kind == FIND_STALL && cause != CAUSE_NONE && cause != CAUSE_UNKNOWN)
		return flow_stall_cause_n(f, stall_cause_index(cause)) > 0;
	if (kind == FIND_CSUM_OFFLOAD && (cause == CAUSE_TX || cause == CAUSE_RX)) {
		int side = cause == CAUSE_TX ? CSUM_SIDE_TX : CSUM_SIDE_RX;
		return f->half[0].csum_offload_side[side] + f->half[1].csum_offload_side[side] > 0;
	}
	return true;
}

struct build_ctx {
	struct view *v;
	const struct view_state *st;
	const struct analyzer *an;
};

static void add_row(struct build_ctx *c, const struct flow *f, bool open)
{
	struct view *v = c->v;
	const struct view_state *st = c->st;
	if (st->screen == SCREEN_FINDING_FLOWS && !flow_has_finding(f, st->ff_kind, st->ff_cause))
		return;
	if (v->nrows == v->rows_cap) {
		v->rows_dropped++;
		return;
	}
	struct flow_row *r = &v->rows[v->nrows];
	view_row_fill(r, f, open);
	if (view_row_matches(r, st->filter))
		v->nrows++;
}

static bool is_artifact(uint8_t kind)
{
	return kind == FIND_CSUM_OFFLOAD || kind == FIND_IP_CSUM_OFFLOAD;
}

static bool shown(int filter, uint32_t present, uint8_t kind)
{
	if (filter >= 0)
		return kind == filter;
	if (filter == TL_ALL || !is_artifact(kind))
		return true;
	/* default: artifacts only when the flow has nothing else */
	uint32_t others = present & ~(1u << FIND_CSUM_OFFLOAD) & ~(1u << FIND_IP_CSUM_OFFLOAD);
	return others == 0;
}

int view_timeline_next(const struct view_detail *d, int cur)
{
	if (cur == TL_DEFAULT)
		return TL_ALL;
	for (int k = cur == TL_ALL ? 0 : cur + 1; k < FIND_COUNT; k++)
		if (d->kinds_present & (1u << k))
			return k;
	return TL_DEFAULT;
}

void view_timeline_label(int filter, char *buf, size_t len)
{
	if (filter == TL_ALL)
		snprintf(buf, len, "all kinds");
	else if (filter >= 0 && filter < FIND_COUNT)
		snprintf(buf, len, "%s only", finding_name((enum finding_kind)filter));
	else
		snprintf(buf, len, "no offload artifacts");
}

static void copy_timeline(struct view_detail *d, const struct timeline *t, int filter)
{
	_Static_assert(FIND_COUNT <= 32, "kinds_present is a 32-bit mask");
	d->nevents = 0;
	d->nhidden = 0;
	d->kinds_present = 0;
	d->events_total = t ? t->total : 0;
	for (size_t i = 0; t && i < timeline_count(t) && i < VIEW_EVENTS; i++)
		d->kinds_present |= 1u << timeline_get(t, i)->kind;
	for (size_t i = 0; t && i < timeline_count(t) && i < VIEW_EVENTS; i++) {
		const struct finding_event *ev = timeline_get(t, i);
		if (shown(filter, d->kinds_present, ev->kind))
			d->events[d->nevents++] = *ev;
		else
			d->nhidden++;
	}
	/* Events arrive in order of finality (a stall is written when it
	 * ends): show them in time order, by frame on equal stamps. */
	for (size_t i = 1; i < d->nevents; i++) {
		struct finding_event e = d->events[i];
		size_t j = i;
		while (j > 0 && (d->events[j - 1].ts_ns > e.ts_ns ||
				 (d->events[j - 1].ts_ns == e.ts_ns && d->events[j - 1].frame > e.frame))) {
			d->events[j] = d->events[j - 1];
			j--;
		}
		d->events[j] = e;
	}
}

static void on_open_flow(void *user, const struct flow *f)
{
	struct build_ctx *c = user;
	add_row(c, f, true);
	struct view_detail *d = &c->v->detail;
	if (c->st->screen != SCREEN_DETAIL || f->id != c->st->detail_id)
		return;
	d->found = d->open = true;
	flow_snapshot(&d->f, &d->cold, f);
	d->rounds_dir = (uint8_t)flow_chart_dir(f);
	const struct round_list *l = &f->cw[d->rounds_dir].rounds;
	d->rounds_total = l->stored + l->not_listed;
	d->nrounds = analyzer_open_flow_rounds(c->an, f, d->rounds_dir, d->rounds, RETAIN_ROUNDS);
}

/* ---- sorting ---- */

static int cmp_num(double a, double b)
{
	return a < b ? -1 : a > b;
}

static enum view_col sort_col;
static bool sort_reverse;

/* Each column's natural order is its "worst first": big numbers first,
 * text alphabetically. */
static int row_cmp(const void *pa, const void *pb)
{
	const struct flow_row *a = pa, *b = pb;
	int c = 0;
	switch (sort_col) {
	case COL_WORST: c = -cmp_num(a->score, b->score); break;
	case COL_CLIENT: c = strcmp(a->client, b->client); break;
	case COL_SERVER: c = strcmp(a->server, b->server); break;
	case COL_STATE: c = strcmp(a->state, b->state); break;
	case COL_THROUGHPUT: c = -cmp_num(a->mbps, b->mbps); break;
	case COL_RTT: c = -cmp_num(a->rtt_ms, b->rtt_ms); break;
	case COL_RETX: c = -cmp_num(a->retx, b->retx); break;
	case COL_STALLED: c = -cmp_num(a->stalled_ms, b->stalled_ms); break;
	case COL_CSUM: c = -cmp_num(a->csum_bad * 1e6 + a->csum_artifact,
				    b->csum_bad * 1e6 + b->csum_artifact); break;
	case COL_GIANTS: c = -cmp_num(a->giants, b->giants); break;
	case COL_IW: c = -cmp_num(a->iw, b->iw); break;
	case COL_CC: c = strcmp(a->cc, b->cc); break;
	case COL_COUNT: break;
	}
	if (sort_reverse)
		c = -c;
	return c ? c : cmp_num(a->id, b->id);  /* stable: ids are unique */
}

/* ---- header and findings ---- */

#define BITS_PER_MBIT 1e6

static void build_header(struct view *v, const struct view_input *in, const struct view_state *st)
{
	struct view_header *h = &v->hdr;
	const struct analyzer_totals *t = v->totals;
	memset(h, 0, sizeof(*h));
	snprintf(h->source, sizeof(h->source), "%s %s", in->source_kind ? in->source_kind : "",
		 in->source_name ? in->source_name : "");
	if (in->live || !in->replay) {
		snprintf(h->mode, sizeof(h->mode), "%s", in->live ? "live" : "browse");
	} else {
		char pct[8] = "";
		if (in->progress >= 0 && !in->ended)
			snprintf(pct, sizeof(pct), " %.0f%%", in->progress > 1 ? 100 : in->progress * 100);
		if (in->speed > 0)
			snprintf(h->mode, sizeof(h->mode), "replay x%g%s", in->speed, pct);
		else
			snprintf(h->mode, sizeof(h->mode), "replay max%s", pct);
	}
	h->frames = t->frames;
	h->bytes = t->bytes;
	h->elapsed_s = t->last_ts > t->first_ts ? (double)(t->last_ts - t->first_ts) / NS_PER_S : 0;
	if (h->elapsed_s > 0) {
		h->pps = (double)t->frames / h->elapsed_s;
		h->mbps = (double)t->bytes * 8 / h->elapsed_s / BITS_PER_MBIT;
	}
	if (in->rate_s > 0 && !in->ended) {
		h->now_known = true;
		h->now_pps = (double)in->rate_frames / in->rate_s;
		h->now_mbps = (double)in->rate_bytes * 8 / in->rate_s / BITS_PER_MBIT;
	}
	h->drops_known = in->cs_known && in->cs.kernel_drops_known;
	h->kernel_drops = h->drops_known ? in->cs.kernel_drops : 0;
	h->loss_events = t->kind_count[FIND_CAPTURE_LOSS];
	h->loss_bytes = t->capture_lost_bytes;
	h->loss_flows = t->flows_with_capture_loss;
	h->flows_total = t->flows;
	h->flows_open = in->an ? analyzer_flows_open(in->an) : 0;
	h->paused = st->paused;
	h->ended = in->ended;
}

static double finding_lost_ms(const struct analyzer_totals *t, const struct finding *f)
{
	if (f->kind == FIND_STALL) {
		if (f->cause != CAUSE_NONE && f->cause != CAUSE_UNKNOWN)
			return t->stall_ms[stall_cause_index(f->cause)];
		double s = 0;
		for (int i = 0; i < STALL_CAUSES; i++)
			if (stall_causes[i] != CAUSE_APP_IDLE)
				s += t->stall_ms[i];
		return s;
	}
	if (f->kind == FIND_SACK_GAP)
		return t->gap_fill_ms;
	return -1;
}

static void first_sentence(const char *text, char *out, size_t len)
{
	const char *end = strstr(text, ". ");
	size_t n = end ? (size_t)(end - text) + 1 : strlen(text);
	if (n >= len)
		n = len - 1;
	memcpy(out, text, n);
	out[n] = 0;
}

static void build_findings(struct view *v)
{
	size_t n = diagnose(v->totals, v->raw, DIAG_MAX_FINDINGS);
	v->nfindings = n;
	for (size_t i = 0; i < n; i++) {
		const struct finding *f = &v->raw[i];
		struct view_finding *vf = &v->findings[i];
		vf->kind = (uint8_t)f->kind;
		vf->cause = (uint8_t)f->cause;
		vf->severity = f->severity;
		vf->count = f->count;
		vf->lost_ms = finding_lost_ms(v->totals, f);
		if (f->cause != CAUSE_NONE && f->cause != CAUSE_UNKNOWN)
			snprintf(vf->name, sizeof(vf->name), "%s (%s)", finding_name(f->kind),
				 cause_name(f->cause));
		else
			snprintf(vf->name, sizeof(vf->name), "%s", finding_name(f->kind));
		first_sentence(f->explanation, vf->line, sizeof(vf->line));
	}
}

const struct finding *view_finding_text(const struct view *v, uint8_t kind, uint8_t cause)
{
	for (size_t i = 0; i < v->nfindings; i++)
		if (v->findings[i].kind == kind && v->findings[i].cause == cause)
			return &v->raw[i];
	return NULL;
}

static void build_detail(struct view *v, const struct view_input *in, const struct view_state *st)
{
	struct view_detail *d = &v->detail;
	if (d->found && d->open)
		copy_timeline(d, retain_open_timeline(in->ret, st->detail_id), st->tl_filter);
	d->first_ts = v->totals->first_ts;
	if (d->found || !in->ret)
		return;
	for (size_t i = 0; i < in->ret->nflows; i++) {
		const struct retained_flow *rf = &in->ret->flows[i];
		if (rf->f.id != st->detail_id)
			continue;
		d->found = true;
		d->open = false;
		flow_snapshot(&d->f, &d->cold, &rf->f);
		d->rounds_dir = rf->rounds_dir;
		d->nrounds = rf->nrounds;
		memcpy(d->rounds, rf->rounds, rf->nrounds * sizeof(rf->rounds[0]));
		const struct round_list *l = &rf->f.cw[rf->rounds_dir].rounds;
		d->rounds_total = l->stored + l->not_listed;
		copy_timeline(d, &rf->tl, st->tl_filter);
		return;
	}
}

void view_build(struct view *v, const struct view_input *in, const struct view_state *st)
{
	if (in->an)
		analyzer_snapshot_totals(in->an, v->totals);
	else
		memset(v->totals, 0, sizeof(*v->totals));
	build_header(v, in, st);
	build_findings(v);
	v->nrows = 0;
	v->rows_dropped = 0;
	v->detail.found = false;
	v->detail.nrounds = 0;
	v->detail.nevents = 0;
	struct build_ctx c = {.v = v, .st = st, .an = in->an};
	if (in->an)
		analyzer_each_open_flow(in->an, on_open_flow, &c);
	for (size_t i = 0; in->ret && i < in->ret->nflows; i++)
		add_row(&c, &in->ret->flows[i].f, false);
	sort_col = st->sort;
	sort_reverse = st->reverse;
	qsort(v->rows, v->nrows, sizeof(v->rows[0]), row_cmp);
	if (st->screen == SCREEN_DETAIL)
		build_detail(v, in, st);
}
