/*
 * report/report_html.c — the HTML report: one self-contained page (the
 * template and uPlot are compiled into the binary from html/, see
 * html_page.h) with the data spliced in as three JSON blocks:
 *
 *   <script type="application/json" id="tcplens-report">  the schema-1 JSON
 *       report, byte for byte what --format json writes, with every '<'
 *       written as \u003c (JSON has '<' only inside strings) so no "</script"
 *       or "<!--" can end the block;
 *   <script type="application/json" id="tcplens-samples">  the segment
 *       samples of the worst flows (html_sampler.h): numbers and words only;
 *   <script type="application/json" id="tcplens-vocabulary">  findings.def's
 *       kinds: severity, ranking weight, meaning (no '<' in any of them).
 *
 * The C side emits data; drawing is the page's JavaScript (html/app.js).
 * Memory is bounded: the JSON goes through a temporary file, the samples
 * live in the sampler's fixed pool.
 */
#include <stdlib.h>
#include <string.h>

#include "html_page.h"
#include "html_sampler.h"
#include "jw.h"
#include "report.h"
#include "common/units.h"

struct html_priv {
	FILE *tmp;                /* the JSON report */
	struct report *json;      /* writing to tmp */
	struct html_sampler *hs;
};

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
	p->tmp = tmpfile();
	if (!p->tmp) {
		snprintf(r->err, sizeof(r->err), "cannot create a temporary file for the report "
			 "(set TMPDIR to a writable directory)");
		return -1;
	}
	p->hs = html_sampler_new();
	if (!p->hs)
		return -1;
	p->json = report_new(REPORT_JSON, p->tmp, &r->meta, r->err, sizeof(r->err));
	return p->json ? 0 : -1;
}

static void html_event(struct report *r, const struct flow *f, const struct finding_event *ev)
{
	struct html_priv *p = r->priv;
	p->json->an = r->an;
	p->json->ops->event(p->json, f, ev);
}

static void html_flow_end(struct report *r, const struct flow *f, enum flow_retire_reason why,
			  const struct flow_rounds *rounds)
{
	struct html_priv *p = r->priv;
	p->json->an = r->an;
	p->json->ops->flow_end(p->json, f, why, rounds);
	if (f->key.proto == 6)
		html_sampler_flow_end(p->hs, f);
}

static void html_segment(struct report *r, const struct segment_obs *o)
{
	struct html_priv *p = r->priv;
	html_sampler_segment(p->hs, o);
}

/* Copy the JSON report, '<' as \u003c. */
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
		if (flags)
			jw_uint(w, NULL, q->flags);
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
		jw_bool(w, "sampled", sl != NULL);
		if (sl) {
			/* Times are ms after t0, the flow's first packet. */
			jw_ts(w, "t0", sl->s[0][0].t0, prec);
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
	if (report_finish(p->json, a, cs) < 0) {
		snprintf(r->err, sizeof(r->err), "%s", p->json->err);
		return -1;
	}
	fwrite(tcplens_page_head, 1, tcplens_page_head_len, r->out);
	fputs("<script type=\"application/json\" id=\"tcplens-report\">", r->out);
	if (copy_escaped(p->tmp, r->out) < 0) {
		snprintf(r->err, sizeof(r->err), "cannot read back the temporary report");
		return -1;
	}
	fputs("</script>\n<script type=\"application/json\" id=\"tcplens-samples\">", r->out);
	struct jw w;
	jw_init(&w, r->out);
	samples_object(&w, p->hs, r->meta.precision);
	jw_flush(&w);
	fputs("</script>\n<script type=\"application/json\" id=\"tcplens-vocabulary\">", r->out);
	jw_init(&w, r->out);
	vocabulary_object(&w);
	jw_flush(&w);
	fputs("</script>\n", r->out);
	fwrite(tcplens_page_tail, 1, tcplens_page_tail_len, r->out);
	return 0;
}

static void html_free(struct report *r)
{
	struct html_priv *p = r->priv;
	if (!p)
		return;
	report_free(p->json);
	if (p->tmp)
		fclose(p->tmp);
	html_sampler_free(p->hs);
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
