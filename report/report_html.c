/*
 * report/report_html.c — the HTML report: one self-contained page (the
 * template and uPlot are compiled into the binary from html/, see
 * html_page.h) with the data spliced in as JSON blocks, each written with
 * every '<' as \u003c (JSON has '<' only inside strings) so no "</script"
 * or "<!--" can end it:
 *
 *   tcplens-report      the schema-1 report's objects (source, capture,
 *                       summary) with the flows that are graphed (the
 *                       HS_GRAPHS worst TCP connections, whole) and their
 *                       events (at most HTML_FLOW_EVENTS each); "page" says
 *                       what the page left out
 *   tcplens-table       a row for each of the HTML_TABLE_FLOWS worst flows,
 *                       worst first (flow_badness: the one ranking)
 *   tcplens-events      the events table: the first HTML_KIND_EVENTS of each
 *                       kind in the order they became final, and every kind's count
 *   tcplens-dist        distributions over every flow (html_dist.h)
 *   tcplens-samples     the graphed flows' segment samples (html_sampler.h)
 *   tcplens-vocabulary  findings.def's kinds: severity, weight, meaning
 *
 * The page is bounded whatever the capture (about 10 MB at most: see the
 * caps), and so is memory: ended flows and events go to temporary spool
 * files, of which only the kept ranges are read back (an event only when
 * the page may show it: the first of its kind, or of a TCP flow's). The C side emits
 * data; drawing is the page's JavaScript (html/app.js).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/cwnd.h"
#include "analyze/rtt.h"
#include "html_dist.h"
#include "html_page.h"
#include "html_sampler.h"
#include "html_top.h"
#include "jw.h"
#include "report.h"
#include "report_json.h"
#include "version.h"
#include "common/units.h"

#define HTML_TABLE_FLOWS 2000   /* rows of the connections table */
#define HTML_FLOW_EVENTS 400    /* events of one graphed flow, for its charts */
#define HTML_KIND_EVENTS 200    /* events of one kind in the events table */

/* A graphed flow's whole JSON object in the flow spool. */
struct html_full {
	uint32_t id, len;
	uint64_t off;
};

struct html_priv {
	FILE *flows;              /* table rows and graphed flows' objects */
	struct jw fw;
	FILE *events;             /* every event, a line: "FLOWID KIND {object}" */
	struct jw ew;
	FILE *block;              /* the block being written, before escaping */
	struct html_sampler *hs;
	struct html_top top;
	struct html_full full[HS_GRAPHS + 1];
	uint32_t nfull;
	struct html_dist dist;
	uint64_t nflows, nevents;
	uint64_t kind_events[FIND_COUNT];
	char *buf;                /* reading back: a line or an object */
	size_t buf_cap;
};

static FILE *spool(struct report *r)
{
	FILE *f = tmpfile();
	if (!f)
		snprintf(r->err, sizeof(r->err), "cannot create a temporary file for the HTML report "
			 "(set TMPDIR to a writable directory)");
	return f;
}

static int html_begin(struct report *r)
{
	if (!tcplens_page_available) {
		snprintf(r->err, sizeof(r->err), "this tcplens was built without the HTML report "
			 "(node/npm not found at build time, or -DTCPLENS_HTML=OFF): "
			 "use --format json, or rebuild with node and npm installed");
		return -1;
	}
	struct html_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	r->priv = p;
	if (!(p->flows = spool(r)) || !(p->events = spool(r)) || !(p->block = spool(r)))
		return -1;
	jw_init(&p->fw, p->flows);
	jw_init(&p->ew, p->events);
	if (!(p->hs = html_sampler_new()) || html_top_init(&p->top, HTML_TABLE_FLOWS) < 0)
		return -1;
	return 0;
}

static void html_event(struct report *r, const struct flow *f, const struct finding_event *ev)
{
	struct html_priv *p = r->priv;
	struct jw *w = &p->ew;
	char line[32], ep[64], text[256];
	p->nevents++;
	p->kind_events[ev->kind]++;
	html_dist_event(&p->dist, ev);
	/* Spooled only when the page may show it: among the first of its kind
	 * (the events table), or among the first of a TCP flow's (a graph's;
	 * f->events counts this one). The spool then stays bounded by the
	 * flows, not by a flood of events. */
	bool for_table = p->kind_events[ev->kind] <= HTML_KIND_EVENTS;
	bool for_graph = f && f->key.proto == 6 && f->events <= HTML_FLOW_EVENTS;
	if (!for_table && !for_graph)
		return;
	snprintf(line, sizeof(line), "%08x %02x ", ev->flow_id, (unsigned)ev->kind);
	jw_raw(w, line);
	jw_restart(w);
	jw_obj_open(w, NULL);
	json_event_fields(w, ev, r->meta.precision);
	jw_word(w, "severity", severity_name(finding_severity_of(ev->kind, ev->cause)));
	finding_describe(ev, FORM_BRIEF, text, sizeof(text));
	jw_string(w, "text", text);
	if (f) { /* for the conversation's Wireshark filter */
		report_endpoint(&f->key, 0, ep, sizeof(ep));
		jw_word(w, "client", ep);
		report_endpoint(&f->key, 1, ep, sizeof(ep));
		jw_word(w, "server", ep);
		jw_word(w, "proto", f->key.proto == 6 ? "tcp" : "udp");
	}
	jw_obj_close(w);
	jw_raw(w, "\n");
}

/* The connections table's row of f: what the table shows, and the ranking
 * and chart direction as the C code decides them (one rule for every view). */
static void table_row(struct jw *w, const struct flow *f, double badness)
{
	const struct tcp_half *c = &f->half[DIR_C2S], *s = &f->half[DIR_S2C];
	jw_obj_open(w, NULL);
	json_flow_identity(w, f);
	json_link_encap(w, f);
	jw_uint(w, "packets", c->packets + s->packets);
	jw_uint(w, "bytes", c->bytes + s->bytes);
	jw_uint(w, "retransmissions", c->retransmissions + s->retransmissions);
	jw_uint(w, "stalls", f->stall.count);
	jw_fixed3(w, "stalled_ms", f->stall.total_ms);
	if (f->key.proto == 6 && f->rtt.count)
		jw_fixed3(w, "rtt_p50_ms", rtt_stats_p50(&f->rtt));
	else
		jw_null(w, "rtt_p50_ms");
	if (f->key.proto == 6)
		jw_word(w, "cc_guess", cc_guess_name(f->cc_guess));
	jw_uint(w, "events", f->events);
	jw_fixed3(w, "badness", badness);
	jw_word(w, "chart_dir", flow_dir_name(flow_chart_dir(f)));
	jw_bool(w, "chart_both", flow_chart_both(f));
	jw_obj_close(w);
}

/* A graphed flow's object is kept while it ranks among the graphs: the
 * entries of flows that dropped out are let go (their bytes stay in the
 * spool, unread). */
static void keep_full(struct html_priv *p, uint32_t id, uint64_t off, uint32_t len)
{
	p->full[p->nfull++] = (struct html_full){id, len, off};
	if (p->nfull <= HS_GRAPHS)
		return;
	uint32_t k = 0;
	for (uint32_t i = 0; i < p->nfull; i++)
		if (html_sampler_ranked(p->hs, p->full[i].id))
			p->full[k++] = p->full[i];
	p->nfull = k;
}

static void html_flow_end(struct report *r, const struct flow *f, enum flow_retire_reason why,
			  const struct flow_rounds *rounds)
{
	struct html_priv *p = r->priv;
	p->nflows++;
	html_dist_flow(&p->dist, f);
	double bad = flow_badness(f);
	uint64_t bytes = f->half[0].bytes + f->half[1].bytes;
	if (html_top_wants(&p->top, bad, bytes, f->id)) {
		uint64_t off = jw_offset(&p->fw);
		jw_restart(&p->fw);
		table_row(&p->fw, f, bad);
		struct html_top_entry e = {bad, bytes, f->id, (uint32_t)(jw_offset(&p->fw) - off), off};
		html_top_put(&p->top, &e);
	}
	if (f->key.proto == 6 && html_sampler_flow_end(p->hs, f)) {
		uint64_t off = jw_offset(&p->fw);
		jw_restart(&p->fw);
		json_flow_object(&p->fw, NULL, f, why, r->meta.precision, rounds);
		keep_full(p, f->id, off, (uint32_t)(jw_offset(&p->fw) - off));
	}
}

static void html_segment(struct report *r, const struct segment_obs *o)
{
	struct html_priv *p = r->priv;
	html_sampler_segment(p->hs, o);
}

/* ---- reading the spools back ---- */

static int grow(struct html_priv *p, size_t need)
{
	if (need <= p->buf_cap)
		return 0;
	char *b = realloc(p->buf, need);
	if (!b)
		return -1;
	p->buf = b;
	p->buf_cap = need;
	return 0;
}

/* Bytes [off, off + len) of a spool, as text through w. */
static int copy_range(struct html_priv *p, FILE *f, uint64_t off, uint32_t len, struct jw *w)
{
	if (grow(p, len) < 0 || fseeko(f, (off_t)off, SEEK_SET) != 0 ||
	    fread(p->buf, 1, len, f) != len)
		return -1;
	jw_put(w, p->buf, len);
	return 0;
}

/* Each spooled event, in order: fn(user, flow id, kind, its object). */
typedef void (*event_fn)(void *user, struct jw *w, uint32_t flow, unsigned kind, const char *obj,
			 size_t len);
static int each_event(struct html_priv *p, struct jw *w, event_fn fn, void *user)
{
	if (fseeko(p->events, 0, SEEK_SET) != 0)
		return -1;
	ssize_t n;
	while ((n = getline(&p->buf, &p->buf_cap, p->events)) > 0) {
		unsigned flow, kind;
		if (n < 13 || sscanf(p->buf, "%8x %2x ", &flow, &kind) != 2)
			return -1;
		fn(user, w, flow, kind, p->buf + 12, (size_t)n - 13);
	}
	return ferror(p->events) ? -1 : 0;
}

struct pick {
	struct html_priv *p;
	uint64_t written;
	uint32_t per_flow[HS_GRAPHS + 1];
	uint64_t per_kind[FIND_COUNT];
};

static void comma(struct jw *w, uint64_t *written)
{
	if ((*written)++)
		jw_put(w, ",", 1);
	jw_newline(w);
}

/* The graphed flows' events, for their charts. */
static void pick_graphed(void *user, struct jw *w, uint32_t flow, unsigned kind, const char *obj,
			 size_t len)
{
	struct pick *k = user;
	(void)kind;
	for (uint32_t i = 0; i < k->p->nfull; i++)
		if (k->p->full[i].id == flow && flow) {
			if (k->per_flow[i]++ < HTML_FLOW_EVENTS) {
				comma(w, &k->written);
				jw_put(w, obj, len);
			}
			return;
		}
}

/* The events table: the first of each kind. */
static void pick_table(void *user, struct jw *w, uint32_t flow, unsigned kind, const char *obj,
		       size_t len)
{
	struct pick *k = user;
	(void)flow;
	if (kind < FIND_COUNT && k->per_kind[kind]++ < HTML_KIND_EVENTS) {
		comma(w, &k->written);
		jw_put(w, obj, len);
	}
}

/* ---- the blocks ---- */

/* Write the block's text (in p->block) to out, '<' as \u003c. */
static int copy_escaped(FILE *in, FILE *out)
{
	char buf[65536];
	size_t n;
	if (fflush(in) != 0 || fseek(in, 0, SEEK_SET) != 0)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		size_t from = 0;
		for (size_t i = 0; i < n; i++) {
			if (buf[i] != '<')
				continue;
			if (fwrite(buf + from, 1, i - from, out) != i - from || fputs("\\u003c", out) < 0)
				return -1;
			from = i + 1;
		}
		if (fwrite(buf + from, 1, n - from, out) != n - from)
			return -1;
	}
	return ferror(in) ? -1 : 0;
}

/* A fresh block: w writes into p->block, emptied. */
static int block_open(struct html_priv *p, struct jw *w)
{
	if (fflush(p->block) != 0 || ftruncate(fileno(p->block), 0) != 0 ||
	    fseek(p->block, 0, SEEK_SET) != 0)
		return -1;
	jw_init(w, p->block);
	return 0;
}

static int block_close(struct html_priv *p, struct jw *w, FILE *out, const char *id)
{
	jw_flush(w);
	fprintf(out, "<script type=\"application/json\" id=\"%s\">", id);
	if (copy_escaped(p->block, out) < 0)
		return -1;
	fputs("</script>\n", out);
	return 0;
}

static int report_block(struct report *r, const struct analyzer *a, const struct capture_stats *cs,
			struct jw *w)
{
	struct html_priv *p = r->priv;
	jw_obj_open(w, NULL);
	jw_word(w, "tcplens", TCPLENS_VERSION);
	jw_uint(w, "schema", 1);
	json_source_object(w, &r->meta);
	jw_newline(w);
	/* the graphed flows, worst first */
	jw_arr_open(w, "flows");
	uint64_t shown = 0;
	for (uint32_t i = 0; i < p->hs->nrank; i++)
		for (uint32_t k = 0; k < p->nfull; k++)
			if (p->full[k].id == p->hs->rank[i].flow_id) {
				comma(w, &shown);
				if (copy_range(p, p->flows, p->full[k].off, p->full[k].len, w) < 0)
					return -1;
			}
	jw_arr_close(w);
	jw_newline(w);
	jw_arr_open(w, "events");
	struct pick k = {.p = p};
	if (each_event(p, w, pick_graphed, &k) < 0)
		return -1;
	jw_arr_close(w);
	jw_newline(w);
	json_capture_object(w, a, cs, r->meta.precision);
	jw_newline(w);
	json_summary_object(w, a);
	jw_newline(w);
	jw_obj_open(w, "page"); /* what the page holds of the capture */
	jw_uint(w, "flows", p->nflows);
	jw_uint(w, "flows_in_table", p->top.n);
	jw_uint(w, "flows_graphed", p->hs->nrank);
	jw_uint(w, "events", p->nevents);
	jw_uint(w, "events_per_graphed_flow_max", HTML_FLOW_EVENTS);
	jw_obj_close(w);
	jw_obj_close(w);
	return 0;
}

static int table_block(struct html_priv *p, struct jw *w)
{
	html_top_sort(&p->top);
	jw_obj_open(w, NULL);
	jw_uint(w, "flows", p->nflows);
	jw_uint(w, "max", HTML_TABLE_FLOWS);
	jw_arr_open(w, "rows"); /* worst first */
	uint64_t shown = 0;
	for (uint32_t i = 0; i < p->top.n; i++) {
		comma(w, &shown);
		if (copy_range(p, p->flows, p->top.e[i].off, p->top.e[i].len, w) < 0)
			return -1;
	}
	jw_arr_close(w);
	jw_obj_close(w);
	return 0;
}

static int events_block(struct html_priv *p, struct jw *w)
{
	jw_obj_open(w, NULL);
	jw_uint(w, "events", p->nevents);
	jw_uint(w, "per_kind_max", HTML_KIND_EVENTS);
	jw_obj_open(w, "by_kind");
	for (int k = 0; k < FIND_COUNT; k++)
		if (p->kind_events[k])
			jw_uint(w, finding_name(k), p->kind_events[k]);
	jw_obj_close(w);
	jw_arr_open(w, "rows");
	struct pick k = {.p = p};
	if (each_event(p, w, pick_table, &k) < 0)
		return -1;
	jw_arr_close(w);
	jw_obj_close(w);
	return 0;
}

static void stream_array(struct jw *w, const char *key, const struct hs_stream *st, bool flags)
{
	jw_arr_open(w, key);
	for (uint32_t i = 0; i < st->n; i++) {
		const struct hs_point *q = &st->p[i];
		jw_arr_open(w, NULL);
		/* a capture's clock may step back: such a point sits at t0 */
		jw_fixed3(w, NULL, q->t_ns > st->t0 ? (double)(q->t_ns - st->t0) / NS_PER_MS : 0.0);
		jw_uint(w, NULL, q->a);
		jw_uint(w, NULL, q->b);
		if (flags) { /* data and ACKs: the flags and the frame (from first_frame) */
			jw_uint(w, NULL, q->flags);
			jw_uint(w, NULL, q->frame);
		}
		jw_arr_close(w);
	}
	jw_arr_close(w);
}

static void samples_object(struct jw *w, const struct html_sampler *hs, enum ts_precision prec)
{
	jw_obj_open(w, NULL);
	jw_obj_open(w, "budget");
	jw_uint(w, "graphs", HS_GRAPHS);
	jw_uint(w, "slots", HS_SLOTS);
	jw_uint(w, "data_points", HS_DATA_POINTS);
	jw_uint(w, "ack_points", HS_ACK_POINTS);
	jw_uint(w, "sack_points", HS_SACK_POINTS);
	jw_obj_close(w);
	jw_uint(w, "flows_not_sampled", hs->flows_not_sampled);
	jw_arr_open(w, "graphs"); /* worst first */
	for (uint32_t i = 0; i < hs->nrank; i++) {
		const struct hs_slot *sl = html_sampler_graph(hs, i);
		jw_newline(w);
		jw_obj_open(w, NULL);
		jw_uint(w, "flow", hs->rank[i].flow_id);
		jw_fixed3(w, "badness", hs->rank[i].badness);
		/* the direction to chart, decided by C (flow_chart_dir) for every
		 * graphed flow, in the table or not */
		jw_word(w, "chart_dir", flow_dir_name(hs->rank[i].chart_dir));
		jw_bool(w, "chart_both", hs->rank[i].chart_both);
		jw_bool(w, "sampled", sl != NULL);
		if (sl) {
			/* Times are ms after t0, the flow's first packet;
			 * frames after first_frame. */
			jw_ts(w, "t0", sl->s[0][0].t0, prec);
			jw_uint(w, "first_frame", sl->first_frame);
			for (int d = 0; d < 2; d++) {
				jw_obj_open(w, flow_dir_name(d));
				jw_uint(w, "seq_base", sl->base[d]);
				stream_array(w, "data", &sl->s[d][HS_DATA], true);
				stream_array(w, "acks", &sl->s[d][HS_ACK], true);
				stream_array(w, "sacks", &sl->s[d][HS_SACK], false);
				jw_obj_close(w);
			}
		}
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

/* findings.def for the page: each kind's severity, weight ("worst first")
 * and meaning, so the page ranks and words findings as the other views do. */
static void vocabulary_object(struct jw *w)
{
	jw_obj_open(w, NULL);
	for (int k = 0; k < FIND_COUNT; k++) {
		jw_obj_open(w, finding_name(k));
		jw_word(w, "severity", severity_name(finding_severity(k)));
		jw_fixed3(w, "weight", finding_weight(k));
		jw_string(w, "meaning", finding_meaning(k));
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

static int html_finish(struct report *r, const struct analyzer *a, const struct capture_stats *cs)
{
	struct html_priv *p = r->priv;
	jw_flush(&p->fw);
	jw_flush(&p->ew);
	if (fflush(p->flows) != 0 || fflush(p->events) != 0 || ferror(p->flows) || ferror(p->events)) {
		snprintf(r->err, sizeof(r->err), "cannot write the HTML report's temporary files");
		return -1;
	}
	fwrite(tcplens_page_head, 1, tcplens_page_head_len, r->out);
	struct jw w;
	int rc = 0;
	rc |= block_open(p, &w) || report_block(r, a, cs, &w) || block_close(p, &w, r->out, "tcplens-report");
	rc |= rc || block_open(p, &w) || table_block(p, &w) || block_close(p, &w, r->out, "tcplens-table");
	rc |= rc || block_open(p, &w) || events_block(p, &w) || block_close(p, &w, r->out, "tcplens-events");
	if (!rc && !block_open(p, &w)) {
		html_dist_write(&w, &p->dist);
		rc |= block_close(p, &w, r->out, "tcplens-dist");
	}
	if (!rc && !block_open(p, &w)) {
		samples_object(&w, p->hs, r->meta.precision);
		rc |= block_close(p, &w, r->out, "tcplens-samples");
	}
	if (!rc && !block_open(p, &w)) {
		vocabulary_object(&w);
		rc |= block_close(p, &w, r->out, "tcplens-vocabulary");
	}
	if (rc) {
		snprintf(r->err, sizeof(r->err), "cannot read back the HTML report's temporary files");
		return -1;
	}
	fwrite(tcplens_page_tail, 1, tcplens_page_tail_len, r->out);
	return 0;
}

static void html_free(struct report *r)
{
	struct html_priv *p = r->priv;
	if (!p)
		return;
	if (p->flows)
		fclose(p->flows);
	if (p->events)
		fclose(p->events);
	if (p->block)
		fclose(p->block);
	html_sampler_free(p->hs);
	html_top_free(&p->top);
	free(p->buf);
	free(p);
	r->priv = NULL;
}

const struct report_ops report_html_ops = {
	.begin = html_begin,
	.event = html_event,
	.flow_end = html_flow_end,
	.finish = html_finish,
	.free_priv = html_free,
	.segment = html_segment,
};
