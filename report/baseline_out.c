/*
 * report/baseline_out.c — the comparison of baseline.c in words (text) or as
 * one JSON document (jw.h): the verdict, the flows matched, then each
 * difference beyond tolerance, regressions first and worst first.
 */
#include <math.h>
#include <string.h>

#include "baseline.h"
#include "jw.h"
#include "version.h"

static const char *change_name(enum bl_change c)
{
	return c == BL_APPEARED ? "appeared" : c == BL_DISAPPEARED ? "disappeared" : "changed";
}

static const char *ordinal_suffix(int n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

void baseline_item_scope(const struct baseline_result *res, const struct bl_item *it, char *buf,
			 size_t len)
{
	const struct digest_flow *a = it->flow_old >= 0 ? &res->old->flows[it->flow_old] : NULL;
	const struct digest_flow *b = it->flow_new >= 0 ? &res->cur->flows[it->flow_new] : NULL;
	const struct digest_flow *f = b ? b : a;
	if (!f) {
		snprintf(buf, len, "capture");
		return;
	}
	char ids[48];
	if (a && b)
		snprintf(ids, sizeof(ids), "id %u -> %u", a->id, b->id);
	else if (a)
		snprintf(ids, sizeof(ids), "baseline id %u", a->id);
	else
		snprintf(ids, sizeof(ids), "id %u", b->id);
	snprintf(buf, len, "flow %s -> %s (%d%s to its server; %s)", f->client, f->server, f->nth,
		 ordinal_suffix(f->nth), ids);
}

static bool integral(const struct bl_item *it)
{
	return strcmp(it->unit, "ms") != 0;
}

static void value_text(const struct bl_item *it, double v, char *buf, size_t len)
{
	if (integral(it))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f", v);
}

static const char *label(const struct bl_item *it)
{
	if (it->metric == BL_FLOWS)
		return "flow";
	if (it->regression)
		return "REGRESSION";
	if (it->categorical)
		return "changed";
	return it->worse ? "harmless" : "better";
}

int baseline_print_text(FILE *out, const struct baseline_result *res,
			const struct baseline_config *cfg, size_t max_items)
{
	const struct report_digest *a = res->old, *b = res->cur;
	char tol[512];
	baseline_tolerance_describe(cfg, tol, sizeof(tol));
	fprintf(out, "%s (%s) against the baseline %s (%s, tcplens %s)\n",
		b->source[0] ? b->source : b->name, b->name, a->name, a->source, a->version);
	size_t others = res->n - res->regressions;
	if (res->regressions)
		fprintf(out, "REGRESSED: %zu regression%s", res->regressions,
			res->regressions == 1 ? "" : "s");
	else
		fprintf(out, "OK: no regression");
	fprintf(out, "; %zu other difference%s beyond tolerance, %zu within\n", others,
		others == 1 ? "" : "s", res->within);
	fprintf(out, "flows: %zu matched, %zu appeared, %zu disappeared", res->flows_matched,
		res->flows_appeared, res->flows_disappeared);
	if (a->flows_not_kept || b->flows_not_kept)
		fprintf(out, " (flows beyond the first %u compared capture-wide only)",
			DIGEST_MAX_FLOWS);
	fprintf(out, "\ntolerances: %s\n", tol);
	size_t n = max_items && max_items < res->n ? max_items : res->n;
	if (n)
		fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		const struct bl_item *it = &res->items[i];
		char scope[256], o[32], v[32], extra[96] = "";
		baseline_item_scope(res, it, scope, sizeof(scope));
		if (it->metric == BL_FLOWS) {
			fprintf(out, "  %-10s  %-11s %s, %.0f events\n", label(it), change_name(it->change),
				scope, it->change == BL_APPEARED ? it->new_v : it->old_v);
			continue;
		}
		if (it->categorical) {
			snprintf(o, sizeof(o), "%s", it->old_s);
			snprintf(v, sizeof(v), "%s", it->new_s);
		} else {
			value_text(it, it->old_v, o, sizeof(o));
			value_text(it, it->new_v, v, sizeof(v));
			char d[32], al[32];
			value_text(it, it->new_v - it->old_v, d, sizeof(d));
			value_text(it, it->allowed, al, sizeof(al));
			snprintf(extra, sizeof(extra), " (%s%s, allowed %s)",
				 it->new_v > it->old_v ? "+" : "", d, al);
		}
		fprintf(out, "  %-10s  %-11s %s: %s -> %s%s%s%s  [%s]\n", label(it), change_name(it->change),
			it->what, o, v, it->unit[0] ? " " : "", it->unit, extra, scope);
	}
	if (n < res->n)
		fprintf(out, "  ... and %zu more (--format json lists all)\n", res->n - n);
	return ferror(out) ? -1 : 0;
}

static void json_value(struct jw *w, const char *key, const struct bl_item *it, double v,
		       const char *s)
{
	if (it->categorical)
		jw_word(w, key, s);
	else if (integral(it))
		jw_int(w, key, (int64_t)llround(v));
	else
		jw_fixed3(w, key, v);
}

static void json_flow(struct jw *w, const struct baseline_result *res, const struct bl_item *it)
{
	const struct digest_flow *a = it->flow_old >= 0 ? &res->old->flows[it->flow_old] : NULL;
	const struct digest_flow *b = it->flow_new >= 0 ? &res->cur->flows[it->flow_new] : NULL;
	const struct digest_flow *f = b ? b : a;
	jw_obj_open(w, "flow");
	jw_word(w, "proto", f->udp ? "udp" : "tcp");
	jw_string(w, "server", f->server);
	jw_int(w, "nth", f->nth);
	if (a) {
		jw_string(w, "baseline_client", a->client);
		jw_uint(w, "baseline_id", a->id);
	}
	if (b) {
		jw_string(w, "client", b->client);
		jw_uint(w, "id", b->id);
	}
	jw_obj_close(w);
}

static void json_side(struct jw *w, const char *key, const struct report_digest *d)
{
	jw_obj_open(w, key);
	jw_string(w, "report", d->name);
	jw_string(w, "source", d->source);
	jw_string(w, "tcplens", d->version);
	jw_uint(w, "flows", d->flows_total);
	jw_obj_close(w);
}

int baseline_print_json(FILE *out, const struct baseline_result *res,
			const struct baseline_config *cfg)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w, NULL);
	jw_word(&w, "tcplens", TCPLENS_VERSION);
	jw_word(&w, "verdict", res->regressions ? "regressed" : "ok");
	jw_uint(&w, "regressions", res->regressions);
	jw_uint(&w, "differences_within_tolerance", res->within);
	json_side(&w, "baseline", res->old);
	json_side(&w, "current", res->cur);
	jw_obj_open(&w, "flows");
	jw_uint(&w, "matched", res->flows_matched);
	jw_uint(&w, "appeared", res->flows_appeared);
	jw_uint(&w, "disappeared", res->flows_disappeared);
	jw_uint(&w, "not_compared", res->old->flows_not_kept + res->cur->flows_not_kept);
	jw_obj_close(&w);
	jw_obj_open(&w, "tolerances");
	for (int m = 0; m < BL_TOL_COUNT; m++) {
		const struct bl_tol *t = &cfg->tol[m];
		if (t->off) {
			jw_word(&w, baseline_metric_name(m), "off");
		} else if (m == BL_CC) {
			jw_word(&w, baseline_metric_name(m), "on");
		} else {
			jw_obj_open(&w, baseline_metric_name(m));
			jw_fixed3(&w, "relative", t->rel);
			jw_fixed3(&w, "absolute", t->abs);
			jw_obj_close(&w);
		}
	}
	jw_obj_close(&w);
	jw_newline(&w);
	jw_arr_open(&w, "differences");
	for (size_t i = 0; i < res->n; i++) {
		const struct bl_item *it = &res->items[i];
		jw_newline(&w);
		jw_obj_open(&w, NULL);
		jw_bool(&w, "regression", it->regression);
		jw_word(&w, "change", change_name(it->change));
		jw_word(&w, "metric", baseline_metric_name(it->metric));
		jw_string(&w, "what", it->what);
		jw_word(&w, "scope", it->flow_old < 0 && it->flow_new < 0 ? "capture" : "flow");
		if (it->flow_old >= 0 || it->flow_new >= 0)
			json_flow(&w, res, it);
		if (it->metric == BL_FLOWS) {
			jw_uint(&w, "events", (uint64_t)(it->change == BL_APPEARED ? it->new_v : it->old_v));
		} else {
			json_value(&w, "baseline", it, it->old_v, it->old_s);
			json_value(&w, "current", it, it->new_v, it->new_s);
			if (!it->categorical)
				json_value(&w, "allowed", it, it->allowed, NULL);
			if (it->unit[0])
				jw_word(&w, "unit", it->unit);
		}
		jw_obj_close(&w);
	}
	if (res->n)
		jw_newline(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_newline(&w);
	jw_flush(&w);
	return ferror(out) ? -1 : 0;
}
