/*
 * report/report_text.c — the report a person reads: the diagnosis first
 * (what is wrong, worst first, with evidence and remedy), then connections
 * worst first, then example events with frame numbers to open in Wireshark.
 *
 * Memory stays bounded: only the worst TEXT_TOP_FLOWS flows and the first
 * TEXT_EXAMPLES events of each kind are kept for printing at the end.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/cwnd.h"
#include "analyze/diagnose.h"
#include "analyze/stall.h"
#include "report.h"
#include "version.h"
#include "common/units.h"

#define TEXT_TOP_FLOWS 20
#define TEXT_EXAMPLES 5
#define TEXT_WIDTH 78

#define TEXT_ROUNDS 40
#define TEXT_CHARTS 3

struct text_flow {
	struct flow f;
	struct flow_cold cold;     /* f.cold points here (flow_snapshot) */
	enum flow_retire_reason why;
	double score;
	/* the first rounds of each direction, for the charts: of the one
	 * flow_chart_dir names, and of both when both hold findings */
	struct cwnd_round rounds[2][TEXT_ROUNDS];
	uint16_t nrounds[2];
	uint8_t chart_dirs;        /* bit per direction charted */
};

struct text_priv {
	struct text_flow top[TEXT_TOP_FLOWS];
	size_t ntop;
	uint64_t nflows, tcp_flows, udp_flows, flows_with_findings;
	struct finding_event examples[FIND_COUNT][TEXT_EXAMPLES];
	uint32_t nexamples[FIND_COUNT];
};

static int text_begin(struct report *r)
{
	r->priv = calloc(1, sizeof(struct text_priv));
	return r->priv ? 0 : -1;
}

/* Keep each kind's TEXT_EXAMPLES earliest events by frame, in frame order.
 * Events come in order of finality (a checksum's fate, a hole's fill time
 * are learned later), so the first to arrive are not always the first
 * frames: an event goes in before the first kept one with a later frame,
 * and the latest falls off the end. Equal frames keep their arrival order. */
static void text_event(struct report *r, const struct flow *f, const struct finding_event *ev)
{
	struct text_priv *p = r->priv;
	(void)f;
	struct finding_event *kept = p->examples[ev->kind];
	uint32_t n = p->nexamples[ev->kind], at = n;
	while (at > 0 && kept[at - 1].frame > ev->frame)
		at--;
	if (at == TEXT_EXAMPLES)
		return;
	if (n == TEXT_EXAMPLES)
		n--; /* the latest kept one makes room */
	memmove(&kept[at + 1], &kept[at], (n - at) * sizeof(*kept));
	kept[at] = *ev;
	p->nexamples[ev->kind] = n + 1;
}

static int worse(const struct text_flow *a, const struct text_flow *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return a->f.id < b->f.id;
}

static void text_flow_end(struct report *r, const struct flow *f, enum flow_retire_reason why,
			  const struct flow_rounds *rounds)
{
	struct text_priv *p = r->priv;
	p->nflows++;
	if (f->key.proto == 6)
		p->tcp_flows++;
	else
		p->udp_flows++;
	double score = flow_badness(f);
	if (score > 0)
		p->flows_with_findings++;
	/* Insertion into a small sorted array: the worst TEXT_TOP_FLOWS. A flow
	 * that does not make it is not copied at all. */
	struct text_flow probe = {.score = score};
	probe.f.id = f->id;
	size_t i = p->ntop;
	if (i == TEXT_TOP_FLOWS) {
		if (!worse(&probe, &p->top[i - 1]))
			return;
		i--;
	} else {
		p->ntop++;
	}
	while (i > 0 && worse(&probe, &p->top[i - 1])) {
		p->top[i] = p->top[i - 1];
		flow_snapshot_repoint(&p->top[i].f, &p->top[i].cold); /* moved */
		i--;
	}
	struct text_flow *tf = &p->top[i];
	memset(tf, 0, sizeof(*tf));
	flow_snapshot(&tf->f, &tf->cold, f);
	tf->why = why;
	tf->score = score;
	tf->chart_dirs = flow_chart_both(f) ? 3 : (uint8_t)(1u << flow_chart_dir(f));
	for (int d = 0; d < 2; d++) {
		uint16_t n = rounds->n[d];
		tf->nrounds[d] = n < TEXT_ROUNDS ? n : TEXT_ROUNDS;
		if (tf->nrounds[d])
			memcpy(tf->rounds[d], rounds->r[d], tf->nrounds[d] * sizeof(tf->rounds[d][0]));
	}
}

/* Print text wrapped at TEXT_WIDTH: `first` opens the first line, `indent`
 * the others. */
static void wrap(FILE *out, const char *first, const char *indent, const char *text)
{
	size_t col = (size_t)fprintf(out, "%s", first);
	size_t ind = strlen(indent);
	bool line_start = true;
	for (const char *w = text; *w;) {
		if (*w == ' ') {
			w++;
			continue;
		}
		size_t len = strcspn(w, " ");
		if (!line_start && col + 1 + len > TEXT_WIDTH) {
			fprintf(out, "\n%s", indent);
			col = ind;
			line_start = true;
		}
		if (!line_start) {
			fputc(' ', out);
			col++;
		}
		fwrite(w, 1, len, out);
		col += len;
		w += len;
		line_start = false;
	}
	fputc('\n', out);
}

static void human_bytes(uint64_t b, char *buf, size_t len)
{
	if (b < 10000)
		snprintf(buf, len, "%llu B", (unsigned long long)b);
	else if (b < 10000000)
		snprintf(buf, len, "%.1f kB", b / 1e3);
	else if (b < 10000000000ull)
		snprintf(buf, len, "%.1f MB", b / 1e6);
	else
		snprintf(buf, len, "%.1f GB", b / 1e9);
}

static void utc(uint64_t ts_ns, char *buf, size_t len)
{
	time_t s = (time_t)(ts_ns / NS_PER_S_U64);
	struct tm tm;
	gmtime_r(&s, &tm);
	char d[32];
	strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06llu", d, (unsigned long long)(ts_ns % NS_PER_S_U64 / NS_PER_US_U64));
}

/* What IP reassembly made of the fragments (capture.ip_reassembly). */
static void text_reassembly(FILE *out, const struct analyzer_totals *t)
{
	const struct defrag_counts *n = &t->defrag;
	fprintf(out, "         %llu IP fragment%s: %llu datagram%s reassembled and analyzed",
		(unsigned long long)t->fragments, t->fragments == 1 ? "" : "s",
		(unsigned long long)n->whole, n->whole == 1 ? "" : "s");
	if (n->timed_out)
		fprintf(out, ",\n         %llu never whole in the capture (a receiver drops %s)",
			(unsigned long long)n->timed_out, n->timed_out == 1 ? "it" : "them");
	if (n->overlaps)
		fprintf(out, ",\n         %llu discarded for overlapping fragments (RFC 5722)",
			(unsigned long long)n->overlaps);
	if (n->duplicates)
		fprintf(out, ",\n         %llu duplicate fragment%s dropped",
			(unsigned long long)n->duplicates, n->duplicates == 1 ? "" : "s");
	if (n->bad)
		fprintf(out, ",\n         %llu fragment%s dropped unreassembled (listed on stderr)",
			(unsigned long long)n->bad, n->bad == 1 ? "" : "s");
	fputc('\n', out);
}
static void print_header(struct report *r, const struct analyzer *a, const struct capture_stats *cs)
{
	struct text_priv *p = r->priv;
	const struct analyzer_totals *t = analyzer_totals(a);
	const char *lt = capture_linktype_name(r->meta.linktype);
	FILE *out = r->out;
	fprintf(out, "tcplens %s: %s (%s, %s)\n", TCPLENS_VERSION, r->meta.source_name,
		r->meta.source_kind, lt ? lt : "unknown link type");
	if (r->meta.filter && *r->meta.filter)
		fprintf(out, "Filter: %s\n", r->meta.filter);
	const struct iface_info *ifi = r->meta.iface;
	if (ifi) {
		static const char *const st[] = {"?", "off", "on"};
		fprintf(out, "Interface: %s, driver %s; offloads: tx-checksum %s, rx-checksum %s, "
			"tso %s, gso %s, gro %s, lro %s\n", ifi->name, *ifi->driver ? ifi->driver : "?",
			st[ifi->tx_csum + 1], st[ifi->rx_csum + 1], st[ifi->tso + 1], st[ifi->gso + 1],
			st[ifi->gro + 1], st[ifi->lro + 1]);
	}
	char b[32];
	human_bytes(t->bytes, b, sizeof(b));
	if (!t->frames) {
		fprintf(out, "Capture: no frames%s.\n", r->meta.filter ? " matched the filter" : "");
		return;
	}
	char t0[48], t1[48];
	utc(t->first_ts, t0, sizeof(t0));
	utc(t->last_ts, t1, sizeof(t1));
	fprintf(out, "Capture: %llu frames, %s, %.3f s: %s to %s UTC\n",
		(unsigned long long)t->frames, b, (double)(t->last_ts - t->first_ts) / NS_PER_S, t0,
		t1 + 11);
	/* What the frames were, the zero counts left out. */
	uint64_t other = t->non_ip + t->other_ip;
	const char *sep = "         ";
	if (p->tcp_flows) {
		fprintf(out, "%s%llu TCP connection%s", sep, (unsigned long long)p->tcp_flows,
			p->tcp_flows == 1 ? "" : "s");
		sep = ", ";
	}
	if (p->udp_flows) {
		fprintf(out, "%s%llu UDP flow%s", sep, (unsigned long long)p->udp_flows,
			p->udp_flows == 1 ? "" : "s");
		sep = ", ";
	}
	if (other) {
		fprintf(out, "%s%llu other frame%s", sep, (unsigned long long)other,
			other == 1 ? "" : "s");
		sep = ", ";
	}
	if (!p->tcp_flows && !p->udp_flows && !other)
		fprintf(out, "%sno TCP or UDP traffic", sep);
	fputc('\n', out);
	if (t->dup_frames)
		fprintf(out, "         %llu frame%s the same packet%s seen again on another interface\n"
			"         (a capture on several interfaces): analyzed once, not as resends\n",
			(unsigned long long)t->dup_frames, t->dup_frames == 1 ? " was" : "s were",
			t->dup_frames == 1 ? "" : "s");
	if (t->fragments)
		text_reassembly(out, t);
	if (t->malformed)
		fprintf(out, "         %llu malformed frames skipped (listed on stderr)\n",
			(unsigned long long)t->malformed);
	if (t->flow_part.csum_unverifiable)
		fprintf(out, "         %llu segments cut by the snap length: checksums unverifiable\n",
			(unsigned long long)t->flow_part.csum_unverifiable);
	if (cs->kernel_drops_known)
		fprintf(out, "         kernel dropped %llu frames during capture%s\n",
			(unsigned long long)cs->kernel_drops,
			cs->kernel_drops ? ": timing and loss figures are incomplete" : "");
	for (unsigned i = 0; i < cs->rings && i < CAPTURE_RINGS_MAX; i++)
		fprintf(out, "         fanout ring %u: %llu frames, %llu dropped by the kernel\n", i,
			(unsigned long long)cs->ring[i].packets,
			(unsigned long long)cs->ring[i].kernel_drops);
	if (t->flows_evicted)
		fprintf(out, "         %llu open flows evicted (table cap %zu): raise --max-flows\n",
			(unsigned long long)t->flows_evicted, analyzer_config(a)->max_flows);
	if (t->flow_part.events_dropped)
		fprintf(out, "         %llu events over the per-flow cap were counted, not listed\n",
			(unsigned long long)t->flow_part.events_dropped);
	if (t->held_overflow)
		fprintf(out, "         %llu events written before their verdict (held-event caps: "
			"--max-held, --max-held-per-flow)\n", (unsigned long long)t->held_overflow);
	if (t->rounds_pool_full)
		fprintf(out, "         %llu congestion-window rounds counted, not kept (--max-rounds)\n",
			(unsigned long long)t->rounds_pool_full);
}

static void print_diagnosis(struct report *r, const struct analyzer *a)
{
	struct text_priv *p = r->priv;
	FILE *out = r->out;
	struct finding *fs = calloc(DIAG_MAX_FINDINGS, sizeof(*fs));
	size_t n = fs ? diagnose(analyzer_totals(a), fs, DIAG_MAX_FINDINGS) : 0;
	fputs("\nDiagnosis\n", out);
	if (!n) {
		fprintf(out, "  Nothing wrong found in %llu TCP connection%s: no checksum errors, no\n"
			     "  retransmissions, no zero windows, no SYN retries, no resets.\n",
			(unsigned long long)p->tcp_flows, p->tcp_flows == 1 ? "" : "s");
	}
	for (size_t i = 0; i < n; i++) {
		char first[96];
		static const char *const sev[] = {"info", "LOW", "MEDIUM", "HIGH"};
		if (fs[i].cause != CAUSE_NONE && fs[i].cause != CAUSE_UNKNOWN)
			snprintf(first, sizeof(first), "  %zu. [%s] %s (%s): ", i + 1, sev[fs[i].severity],
				 finding_name(fs[i].kind), cause_name(fs[i].cause));
		else
			snprintf(first, sizeof(first), "  %zu. [%s] %s: ", i + 1, sev[fs[i].severity],
				 finding_name(fs[i].kind));
		wrap(out, first, "     ", fs[i].explanation);
		wrap(out, "     Remedy: ", "     ", fs[i].remedy);
	}
	free(fs);
}

static void print_flows(struct report *r)
{
	struct text_priv *p = r->priv;
	FILE *out = r->out;
	if (!p->ntop)
		return;
	fprintf(out, "\nConnections, worst first (%zu of %llu; ranked by time stalled, think time "
		"aside, plus each finding's weight)\n", p->ntop, (unsigned long long)p->nflows);
	fprintf(out, "  %4s %-21s %-21s %6s %9s %15s %4s %8s %12s %s\n", "id", "client", "server",
		"pkts", "bytes", "rtt min/p50 ms", "retx", "stall ms", "csum bad/art", "state");
	for (size_t i = 0; i < p->ntop; i++) {
		const struct flow *f = &p->top[i].f;
		char c[64], s[64], b[32], rtt[32], cs[24];
		report_endpoint(&f->key, 0, c, sizeof(c));
		report_endpoint(&f->key, 1, s, sizeof(s));
		human_bytes(f->half[0].bytes + f->half[1].bytes, b, sizeof(b));
		if (f->rtt.count)
			snprintf(rtt, sizeof(rtt), "%.3f/%.3f", f->rtt.min_ms, rtt_stats_p50(&f->rtt));
		else
			snprintf(rtt, sizeof(rtt), "-");
		/* corrupt / offload artifacts (harmless): the TUI's column */
		snprintf(cs, sizeof(cs), "%u/%u", f->half[0].csum_bad + f->half[1].csum_bad,
			 f->half[0].csum_offload + f->half[1].csum_offload);
		/* Think time is not lost time: leave it out of the column. */
		double stalled = f->stall.total_ms -
				 flow_stall_cause_ms(f, stall_cause_index(CAUSE_APP_IDLE));
		fprintf(out, "  %4u %-21s %-21s %6llu %9s %15s %4u %8.0f %12s %s%s\n", f->id, c, s,
			(unsigned long long)(f->half[0].packets + f->half[1].packets), b, rtt,
			f->half[0].retransmissions + f->half[1].retransmissions, stalled, cs,
			f->key.proto == 6 ? report_state_name(f->state) : "udp",
			p->top[i].why == RETIRE_EVICTED ? " (evicted)" : "");
		if (f->key.tun_hash && f->cold) {
			const struct tunnel_id *t = &f->cold->tunnel;
			char oa[INET6_ADDRSTRLEN], ob[INET6_ADDRSTRLEN], name[64];
			int af = t->ip_ver == 4 ? AF_INET : AF_INET6;
			inet_ntop(af, t->addr[0], oa, sizeof(oa));
			inet_ntop(af, t->addr[1], ob, sizeof(ob));
			flow_tunnel_name(t, name, sizeof(name));
			fprintf(out, "       inside %s, tunnel %s -> %s\n", name, oa, ob);
		}
		if (f->link_encap) { /* the JSON's link_encap, in its order */
			char names[96];
			flow_link_encap_names(f->link_encap, names, sizeof(names));
			fprintf(out, "       over %s\n", names);
		}
	}
	if (p->nflows > p->ntop)
		fprintf(out, "  ... %llu more (all of them in --format json)\n",
			(unsigned long long)(p->nflows - p->ntop));
}

/* Flight per round as bars, phases and limits beside: the window's growth. */
static void print_chart(FILE *out, const struct text_flow *tf, int dir)
{
	const struct flow *f = &tf->f;
	const struct cwnd_round *rounds = tf->rounds[dir];
	uint16_t nrounds = tf->nrounds[dir];
	char c[64], sv[64];
	report_endpoint(&f->key, 0, c, sizeof(c));
	report_endpoint(&f->key, 1, sv, sizeof(sv));
	uint32_t peak = 1;
	for (uint16_t i = 0; i < nrounds; i++)
		peak = rounds[i].flight_segments > peak ? rounds[i].flight_segments : peak;
	const struct tcp_half *h = &f->half[dir];
	fprintf(out, "\n  Flow %u %s: %s -> %s, congestion control guess: %s\n", f->id,
		flow_dir_name(dir), dir == DIR_C2S ? c : sv,
		dir == DIR_C2S ? sv : c, cc_guess_name(f->cc_guess));
	if (h->iw_segments)
		fprintf(out, "  initial window %u segment%s (%u bytes), limited by %s\n",
			h->iw_segments, h->iw_segments == 1 ? "" : "s", h->iw_bytes,
			cause_name(h->iw_limit));
	/* Whole segments per #: 40 columns hold the peak. */
	uint32_t per = (peak + 39) / 40;
	char scale[48];
	int sl = snprintf(scale, sizeof(scale), "flight (each # = %u segment%s)", per,
			  per == 1 ? "" : "s");
	fprintf(out, "  round  segs  %-*s limit phase\n", sl > 40 ? sl : 40, scale);
	for (uint16_t i = 0; i < nrounds; i++) {
		const struct cwnd_round *r = &rounds[i];
		int bar = (int)((r->flight_segments + per - 1) / per);
		char bars[41];
		memset(bars, '#', (size_t)bar);
		bars[bar] = 0;
		fprintf(out, "  %5u %5u  %-40s %-5s %s\n", i + 1, r->flight_segments, bars,
			cause_name(r->limit), round_phase_name(r->phase));
	}
	uint32_t more = f->cw[dir].rounds.stored + f->cw[dir].rounds.not_listed;
	if (more > nrounds)
		fprintf(out, "  ... %u more rounds (all in --format json)\n", more - nrounds);
}

static void print_charts(struct report *r)
{
	struct text_priv *p = r->priv;
	int shown = 0;
	for (size_t i = 0; i < p->ntop && shown < TEXT_CHARTS; i++) {
		const struct text_flow *tf = &p->top[i];
		/* the charted direction first: the one holding the findings */
		int first = flow_chart_dir(&tf->f);
		for (int k = 0; k < 2 && shown < TEXT_CHARTS; k++) {
			int d = k ? !first : first;
			if (!(tf->chart_dirs & (1u << d)) || tf->nrounds[d] < 3)
				continue;
			if (!shown++)
				fputs("\nCongestion window (flight per round trip, of the side with the "
				      "findings)\n", r->out);
			print_chart(r->out, tf, d);
		}
	}
}

static void print_setup(struct report *r, const struct analyzer *a)
{
	const struct setup_stats *s = &analyzer_totals(a)->setup;
	FILE *out = r->out;
	if (!s->nservers)
		return;
	fputs("\nConnection setup (handshake: first SYN to the client's ACK)\n", out);
	fprintf(out, "  %-27s %7s %10s %10s %10s %5s %7s %4s\n", "server", "conns", "p50 ms",
		"p99 ms", "max ms", "SYN", "SYN-ACK", "RST");
	uint32_t shown = s->nservers < 10 ? s->nservers : 10;
	for (uint32_t i = 0; i < shown; i++) {
		const struct server_stats *v = &s->servers[i];
		char ep[64];
		server_stats_endpoint(v, ep, sizeof(ep));
		fprintf(out, "  %-27s %7llu %10.3f %10.3f %10.3f %5llu %7llu %4llu\n", ep,
			(unsigned long long)v->connections, server_handshake_quantile(v, 0.5),
			server_handshake_quantile(v, 0.99), v->hs_max_ms,
			(unsigned long long)v->syn_retries, (unsigned long long)v->synack_retries,
			(unsigned long long)v->resets);
	}
	if (s->nservers > shown)
		fprintf(out, "  ... %u more servers (all in --format json)\n", s->nservers - shown);
	uint32_t peak = 0;
	for (uint32_t i = 0; i < s->rate_nbuckets; i++)
		peak = s->rate[i] > peak ? s->rate[i] : peak;
	if (s->rate_bucket_s)
		fprintf(out, "  New connections: peak %.1f/s (%u-second buckets)\n",
			(double)peak / s->rate_bucket_s, s->rate_bucket_s);
}

static void print_examples(struct report *r, const struct analyzer *a)
{
	struct text_priv *p = r->priv;
	const struct analyzer_totals *t = analyzer_totals(a);
	FILE *out = r->out;
	bool any = false;
	for (int k = 0; k < FIND_COUNT; k++)
		any |= p->nexamples[k] > 0;
	if (!any)
		return;
	fputs("\nEvidence (first events of each kind; frame numbers as in Wireshark)\n", out);
	for (int k = 0; k < FIND_COUNT; k++) {
		if (!p->nexamples[k])
			continue;
		fprintf(out, "  %s (%llu):\n", finding_name(k), (unsigned long long)t->kind_count[k]);
		for (uint32_t i = 0; i < p->nexamples[k]; i++) {
			const struct finding_event *ev = &p->examples[k][i];
			char brief[160], flow[24];
			finding_describe(ev, FORM_FULL, brief, sizeof(brief));
			if (ev->flow_id)
				snprintf(flow, sizeof(flow), "flow %u %s", ev->flow_id,
					 flow_dir_name(ev->dir));
			else
				snprintf(flow, sizeof(flow), "no flow");
			fprintf(out, "    frame %-8llu %-14s %s\n", (unsigned long long)ev->frame, flow,
				brief);
		}
	}
}

static int text_finish(struct report *r, const struct analyzer *a, const struct capture_stats *cs)
{
	print_header(r, a, cs);
	print_diagnosis(r, a);
	print_flows(r);
	print_charts(r);
	print_setup(r, a);
	print_examples(r, a);
	return 0;
}

static void text_free(struct report *r)
{
	free(r->priv);
	r->priv = NULL;
}

const struct report_ops report_text_ops = {
	.begin = text_begin,
	.event = text_event,
	.flow_end = text_flow_end,
	.finish = text_finish,
	.free_priv = text_free,
};
