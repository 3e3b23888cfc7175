/*
 * report/baseline.c — the comparison of two report digests (see baseline.h):
 * tolerances, flow matching, differences ranked worst first.
 */
#include "baseline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/stall.h"
#include "analyze/units.h"

static const char *const metric_names[] = {
	[BL_EVENTS] = "events",
	[BL_STALL_MS] = "stall_ms",
	[BL_RETRANS] = "retransmissions",
	[BL_IW] = "initial_window",
	[BL_CC] = "cc_guess",
	[BL_CAPTURE_LOSS] = "capture_loss",
	[BL_FLOWS] = "flows",
};

/* The smallest difference that counts as one unit, for ranking. */
static const double metric_floor[] = {
	[BL_EVENTS] = 1, [BL_STALL_MS] = 10, [BL_RETRANS] = 1, [BL_IW] = 1,
	[BL_CC] = 1,     [BL_CAPTURE_LOSS] = TCP_DEFAULT_MSS_V4, /* a segment */ [BL_FLOWS] = 1,
};

const char *baseline_metric_name(enum bl_metric m)
{
	return (unsigned)m <= BL_FLOWS ? metric_names[m] : "?";
}

void baseline_config_init(struct baseline_config *c)
{
	memset(c, 0, sizeof(*c));
	c->tol[BL_EVENTS].rel = 0.10;
	c->tol[BL_STALL_MS].rel = 0.10;
	c->tol[BL_STALL_MS].abs = 20;
	c->tol[BL_RETRANS].rel = 0.10;
	c->tol[BL_CAPTURE_LOSS].rel = 0.10;
}

/* "R%", "A", "R%+A" or "A+R%" into t. */
static int parse_amounts(const char *s, struct bl_tol *t)
{
	struct bl_tol n = {0};
	bool any = false;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || v < 0 || !isfinite(v))
			return -1;
		if (*end == '%') {
			n.rel = v / 100;
			end++;
		} else {
			n.abs = v;
		}
		any = true;
		if (*end == '+')
			end++;
		else if (*end)
			return -1;
		s = end;
	}
	if (!any)
		return -1;
	*t = n;
	return 0;
}

int baseline_tolerance_parse(struct baseline_config *c, const char *spec, char *err, size_t errlen)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", spec);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int m = -1;
		if (eq) {
			*eq = 0;
			for (int i = 0; i < BL_TOL_COUNT; i++)
				if (!strcmp(tok, metric_names[i]))
					m = i;
		}
		if (m < 0) {
			snprintf(err, errlen,
				 "--tolerance wants NAME=VALUE with NAME one of events, stall_ms, "
				 "retransmissions, initial_window, cc_guess, capture_loss; not '%s'",
				 spec);
			return -1;
		}
		const char *val = eq + 1;
		struct bl_tol *t = &c->tol[m];
		if (!strcmp(val, "off")) {
			t->off = true;
		} else if (!strcmp(val, "on") && m == BL_CC) {
			t->off = false;
		} else if (m != BL_CC && parse_amounts(val, t) == 0) {
			t->off = false;
		} else {
			snprintf(err, errlen,
				 m == BL_CC ? "--tolerance cc_guess is on or off, not '%s'"
					    : "--tolerance %s: the value is off, R%% (of the baseline), "
					      "A (absolute) or R%%+A, not '%s'",
				 m == BL_CC ? val : tok, val);
			return -1;
		}
	}
	return 0;
}

void baseline_tolerance_describe(const struct baseline_config *c, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (int m = 0; m < BL_TOL_COUNT && used < len; m++) {
		const struct bl_tol *t = &c->tol[m];
		char v[48];
		if (t->off)
			snprintf(v, sizeof(v), "off");
		else if (m == BL_CC)
			snprintf(v, sizeof(v), "on");
		else if (t->rel > 0 && t->abs > 0)
			snprintf(v, sizeof(v), "%g%%+%g", t->rel * 100, t->abs);
		else if (t->rel > 0)
			snprintf(v, sizeof(v), "%g%%", t->rel * 100);
		else
			snprintf(v, sizeof(v), "%g", t->abs);
		used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", m ? ", " : "",
					 metric_names[m], v);
	}
}

/* ---- flow matching ---- */

static int cmp_flow_client(const void *a, const void *b)
{
	const struct digest_flow *x = *(struct digest_flow *const *)a, *y = *(struct digest_flow *const *)b;
	int c = (int)x->udp - (int)y->udp;
	if (!c)
		c = strcmp(x->server, y->server);
	if (!c)
		c = strcmp(x->client_addr, y->client_addr);
	if (!c)
		c = x->first_ts < y->first_ts ? -1 : x->first_ts > y->first_ts;
	if (!c)
		c = x->id < y->id ? -1 : x->id > y->id;
	return c;
}

static int cmp_flow_server(const void *a, const void *b)
{
	const struct digest_flow *x = *(struct digest_flow *const *)a, *y = *(struct digest_flow *const *)b;
	int c = (int)x->udp - (int)y->udp;
	if (!c)
		c = strcmp(x->server, y->server);
	if (!c)
		c = x->first_ts < y->first_ts ? -1 : x->first_ts > y->first_ts;
	if (!c)
		c = x->id < y->id ? -1 : x->id > y->id;
	return c;
}

static bool same_group(const struct digest_flow *x, const struct digest_flow *y, bool by_client)
{
	return x->udp == y->udp && !strcmp(x->server, y->server) &&
	       (!by_client || !strcmp(x->client_addr, y->client_addr));
}

/* Sorted pointers to d's flows (only the unmatched ones when unmatched). */
static struct digest_flow **sorted(struct report_digest *d, bool unmatched, bool by_client, size_t *n)
{
	struct digest_flow **v = malloc((d->nflows ? d->nflows : 1) * sizeof(*v));
	if (!v)
		return NULL;
	*n = 0;
	for (size_t i = 0; i < d->nflows; i++)
		if (!unmatched || d->flows[i].match < 0)
			v[(*n)++] = &d->flows[i];
	qsort(v, *n, sizeof(*v), by_client ? cmp_flow_client : cmp_flow_server);
	return v;
}

/* Walk both sorted lists group by group, pairing the n-th with the n-th. */
static int match_pass(struct report_digest *a, struct report_digest *b, bool by_client)
{
	size_t na, nb;
	struct digest_flow **va = sorted(a, true, by_client, &na);
	struct digest_flow **vb = sorted(b, true, by_client, &nb);
	if (!va || !vb) {
		free(va);
		free(vb);
		return -1;
	}
	int (*cmp)(const void *, const void *) = by_client ? cmp_flow_client : cmp_flow_server;
	size_t i = 0, j = 0;
	while (i < na && j < nb) {
		if (same_group(va[i], vb[j], by_client)) {
			va[i]->match = (int)(vb[j] - b->flows);
			vb[j]->match = (int)(va[i] - a->flows);
			i++;
			j++;
		} else if (cmp(&va[i], &vb[j]) < 0) {
			i++;
		} else {
			j++;
		}
	}
	free(va);
	free(vb);
	return 0;
}

/* Each flow's rank (1-based) among the flows to its server. */
static int number_flows(struct report_digest *d)
{
	size_t n;
	struct digest_flow **v = sorted(d, false, false, &n);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i]->nth = i && same_group(v[i - 1], v[i], false) ? v[i - 1]->nth + 1 : 1;
	free(v);
	return 0;
}

/* ---- differences ---- */

static struct bl_item *add_item(struct baseline_result *res)
{
	if (res->n == res->cap) {
		size_t ncap = res->cap ? res->cap * 2 : 32;
		struct bl_item *ni = realloc(res->items, ncap * sizeof(*ni));
		if (!ni)
			return NULL;
		res->items = ni;
		res->cap = ncap;
	}
	struct bl_item *it = &res->items[res->n++];
	memset(it, 0, sizeof(*it));
	it->flow_old = it->flow_new = -1;
	return it;
}

/* Judge old -> new under tolerance m. worse_if_up: a rise is for the worse
 * (else a fall is); harmful: a change for the worse is a regression. */
static int numeric(struct baseline_result *res, const struct baseline_config *cfg, enum bl_metric m,
		   const char *what, const char *unit, double old_v, double new_v, bool worse_if_up,
		   bool harmful, int fo, int fn)
{
	const struct bl_tol *t = &cfg->tol[m];
	if (t->off || old_v == new_v)
		return 0;
	double allowed = fmax(t->abs, t->rel * fabs(old_v));
	double delta = new_v - old_v;
	if (fabs(delta) <= allowed + 1e-9) {
		res->within++;
		return 0;
	}
	struct bl_item *it = add_item(res);
	if (!it)
		return -1;
	it->metric = m;
	it->change = old_v == 0 ? BL_APPEARED : new_v == 0 ? BL_DISAPPEARED : BL_CHANGED;
	bool worse = worse_if_up ? delta > 0 : delta < 0;
	it->worse = worse;
	it->regression = worse && harmful;
	snprintf(it->what, sizeof(it->what), "%s", what);
	it->unit = unit;
	it->old_v = old_v;
	it->new_v = new_v;
	it->allowed = allowed;
	it->flow_old = fo;
	it->flow_new = fn;
	it->score = fabs(delta) / fmax(allowed, metric_floor[m]);
	if (fo < 0 && fn < 0)
		it->score *= 2; /* capture-wide before a single flow of the same size */
	return 0;
}

static int capture_events(struct baseline_result *res, const struct baseline_config *cfg)
{
	const struct report_digest *a = res->old, *b = res->cur;
	bool causes_exact = !a->events_not_written && !b->events_not_written;
	char what[BL_WHAT_LEN];
	for (int k = 0; k < FIND_COUNT; k++) {
		/* Retransmissions take their own tolerance; capture_loss events
		 * are counted here, their bytes judged under capture_loss. */
		enum bl_metric m = k == FIND_RETRANSMISSION ? BL_RETRANS : BL_EVENTS;
		bool harmful_kind = finding_severity(k) > SEV_INFO;
		bool with_causes = false;
		for (int c = 1; causes_exact && c < CAUSE_COUNT; c++)
			with_causes |= a->kind_cause[k][c] || b->kind_cause[k][c];
		if (!with_causes) {
			if (numeric(res, cfg, m, finding_name(k), "", (double)a->kind_count[k],
				    (double)b->kind_count[k], true, harmful_kind, -1, -1) < 0)
				return -1;
			continue;
		}
		for (int c = 0; c < CAUSE_COUNT; c++) {
			uint64_t x = a->kind_cause[k][c], y = b->kind_cause[k][c];
			if (x == y)
				continue;
			bool harmful = finding_severity_of((enum finding_kind)k, (enum cause)c) > SEV_INFO;
			if (c == CAUSE_NONE)
				snprintf(what, sizeof(what), "%s", finding_name(k));
			else
				snprintf(what, sizeof(what), "%s (%s)", finding_name(k), cause_name(c));
			if (numeric(res, cfg, m, what, "", (double)x, (double)y, true, harmful, -1, -1) < 0)
				return -1;
		}
	}
	return 0;
}

static int stall_times(struct baseline_result *res, const struct baseline_config *cfg,
		       const double *old_ms, const double *new_ms, int fo, int fn)
{
	char what[BL_WHAT_LEN];
	for (int i = 0; i < STALL_CAUSES; i++) {
		snprintf(what, sizeof(what), "stalled time (%s)", cause_name(stall_causes[i]));
		if (numeric(res, cfg, BL_STALL_MS, what, "ms", old_ms[i], new_ms[i], true,
			    stall_causes[i] != CAUSE_APP_IDLE, fo, fn) < 0)
			return -1;
	}
	return 0;
}

static int categorical(struct baseline_result *res, const struct baseline_config *cfg,
		       const struct digest_flow *x, const struct digest_flow *y, int fo, int fn)
{
	if (cfg->tol[BL_CC].off || !strcmp(x->cc, y->cc))
		return 0;
	struct bl_item *it = add_item(res);
	if (!it)
		return -1;
	it->metric = BL_CC;
	it->change = BL_CHANGED;
	it->categorical = true;
	bool known = strcmp(x->cc, "unknown") && strcmp(y->cc, "unknown") && x->cc[0] && y->cc[0];
	it->regression = known;
	it->worse = known;
	snprintf(it->what, sizeof(it->what), "cc guess");
	it->unit = "";
	snprintf(it->old_s, sizeof(it->old_s), "%s", x->cc[0] ? x->cc : "none");
	snprintf(it->new_s, sizeof(it->new_s), "%s", y->cc[0] ? y->cc : "none");
	it->flow_old = fo;
	it->flow_new = fn;
	it->score = known ? 5 : 0.5;
	return 0;
}

static int flow_pair(struct baseline_result *res, const struct baseline_config *cfg, int fo, int fn)
{
	const struct digest_flow *x = &res->old->flows[fo], *y = &res->cur->flows[fn];
	if (numeric(res, cfg, BL_RETRANS, "retransmissions", "", x->retransmissions, y->retransmissions,
		    true, true, fo, fn) < 0 ||
	    stall_times(res, cfg, x->stall_ms, y->stall_ms, fo, fn) < 0 ||
	    numeric(res, cfg, BL_CAPTURE_LOSS, "capture loss", "bytes", (double)x->capture_lost_bytes,
		    (double)y->capture_lost_bytes, true, true, fo, fn) < 0 ||
	    categorical(res, cfg, x, y, fo, fn) < 0)
		return -1;
	for (int d = 0; d < 2; d++) {
		char what[BL_WHAT_LEN];
		snprintf(what, sizeof(what), "initial window %s", flow_dir_name(d));
		const struct digest_iw *p = &x->iw[d], *q = &y->iw[d];
		/* A window measured in one run only is listed, not judged. */
		bool both = p->present && q->present;
		if (numeric(res, cfg, BL_IW, what, "segments", p->segments, q->segments, false, both,
			    fo, fn) < 0)
			return -1;
	}
	return 0;
}

static int flow_alone(struct baseline_result *res, int fo, int fn)
{
	struct bl_item *it = add_item(res);
	if (!it)
		return -1;
	it->metric = BL_FLOWS;
	it->change = fo >= 0 ? BL_DISAPPEARED : BL_APPEARED;
	snprintf(it->what, sizeof(it->what), "flow");
	it->unit = "";
	const struct digest_flow *f = fo >= 0 ? &res->old->flows[fo] : &res->cur->flows[fn];
	it->old_v = fo >= 0 ? f->events : 0;
	it->new_v = fn >= 0 ? f->events : 0;
	it->flow_old = fo;
	it->flow_new = fn;
	it->score = 0.1;
	return 0;
}

static int cmp_item(const void *pa, const void *pb)
{
	const struct bl_item *a = pa, *b = pb;
	if (a->regression != b->regression)
		return a->regression ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	bool ga = a->flow_old < 0 && a->flow_new < 0, gb = b->flow_old < 0 && b->flow_new < 0;
	if (ga != gb)
		return ga ? -1 : 1;
	if (a->metric != b->metric)
		return (int)a->metric - (int)b->metric;
	int c = strcmp(a->what, b->what);
	if (c)
		return c;
	if (a->flow_new != b->flow_new)
		return a->flow_new - b->flow_new;
	return a->flow_old - b->flow_old;
}

int baseline_compare(struct report_digest *old, struct report_digest *cur,
		     const struct baseline_config *cfg, struct baseline_result *res)
{
	memset(res, 0, sizeof(*res));
	res->old = old;
	res->cur = cur;
	for (size_t i = 0; i < old->nflows; i++)
		old->flows[i].match = -1;
	for (size_t i = 0; i < cur->nflows; i++)
		cur->flows[i].match = -1;
	if (number_flows(old) < 0 || number_flows(cur) < 0 || match_pass(old, cur, true) < 0 ||
	    match_pass(old, cur, false) < 0)
		return -1;
	if (capture_events(res, cfg) < 0 ||
	    stall_times(res, cfg, old->stall_ms, cur->stall_ms, -1, -1) < 0 ||
	    numeric(res, cfg, BL_CAPTURE_LOSS, "capture loss", "bytes", (double)old->capture_lost_bytes,
		    (double)cur->capture_lost_bytes, true, true, -1, -1) < 0)
		goto oom;
	for (size_t i = 0; i < old->nflows; i++) {
		int m = old->flows[i].match;
		if (m >= 0) {
			res->flows_matched++;
			if (flow_pair(res, cfg, (int)i, m) < 0)
				goto oom;
		} else {
			res->flows_disappeared++;
			if (flow_alone(res, (int)i, -1) < 0)
				goto oom;
		}
	}
	for (size_t i = 0; i < cur->nflows; i++)
		if (cur->flows[i].match < 0) {
			res->flows_appeared++;
			if (flow_alone(res, -1, (int)i) < 0)
				goto oom;
		}
	for (size_t i = 0; i < res->n; i++)
		res->regressions += res->items[i].regression;
	if (res->n)
		qsort(res->items, res->n, sizeof(*res->items), cmp_item);
	return 0;
oom:
	baseline_result_free(res);
	return -1;
}

void baseline_result_free(struct baseline_result *res)
{
	free(res->items);
	res->items = NULL;
	res->n = res->cap = 0;
}
