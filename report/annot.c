/*
 * report/annot.c — see annot.h: comment text of each finding, the recording
 * tee in the analyzer's sink, and the frame-ordered reading for the second
 * pass (comments merged by frame number; flagged flows entered into a small
 * active set as the pass reaches their first frame, dropped after their end).
 */
#include "annot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/decode.h"
#include "spool_sort.h"
#include "common/units.h"

#define COMMENT_MAX 512
#define SWEEP_EVERY 65536
#define LINGER_NS (60 * NS_PER_S_U64)  /* an ended flow leaves the set this much later */

/* Endpoints, lower (address, port) first, so both directions agree. */
struct fkey {
	uint8_t ip_ver, proto;
	uint16_t port[2];
	uint8_t addr[2][16];
};

struct flagged {
	struct fkey k;
	uint64_t first_ts, last_ts;
};

struct annot {
	bool flagged_only, failed;
	struct analyzer_sink inner;
	struct spool_sort *comments;     /* frame -> comment text */
	struct spool_sort *flows;        /* first_frame -> struct flagged */
	uint64_t nflagged;               /* flows recorded there */
	/* second pass */
	char *text;                      /* this frame's comments, NUL-separated */
	size_t textlen, textcap;
	const char **ptrs;
	size_t nptrs, ptrcap;
	struct flagged *act;             /* flagged flows under way */
	size_t nact, actcap;
	uint64_t frames;
};

static void fkey_make(struct fkey *k, uint8_t ip_ver, uint8_t proto, const uint8_t *a0, uint16_t p0,
		      const uint8_t *a1, uint16_t p1)
{
	memset(k, 0, sizeof(*k));
	k->ip_ver = ip_ver;
	k->proto = proto;
	size_t alen = ip_ver == 4 ? 4 : 16;
	int c = memcmp(a0, a1, alen);
	bool swap = c > 0 || (c == 0 && p0 > p1);
	memcpy(k->addr[0], swap ? a1 : a0, alen);
	memcpy(k->addr[1], swap ? a0 : a1, alen);
	k->port[0] = swap ? p1 : p0;
	k->port[1] = swap ? p0 : p1;
}

void annot_event_text(const struct finding_event *ev, char *buf, size_t len)
{
	const char *kind = finding_name(ev->kind);
	char d[200];
	finding_describe(ev, FORM_FULL, d, sizeof(d));
	char flow[40] = "";
	if (ev->flow_id)
		snprintf(flow, sizeof(flow), "flow %u %s, ", ev->flow_id, flow_dir_name(ev->dir));
	snprintf(buf, len, "tcplens: %s%s%s (%s%s) - %s", kind, d[0] ? " " : "", d, flow,
		 severity_name(finding_severity_of(ev->kind, ev->cause)), finding_meaning(ev->kind));
}

/* ---- recording (first pass) ---- */

static void on_event(void *user, const struct flow *f, const struct finding_event *ev)
{
	struct annot *a = user;
	if (!a->failed) {
		char text[COMMENT_MAX];
		annot_event_text(ev, text, sizeof(text));
		if (spool_sort_add(a->comments, ev->frame, text, (uint32_t)strlen(text)) < 0)
			a->failed = true;
	}
	if (a->inner.event)
		a->inner.event(a->inner.user, f, ev);
}

static void on_flow_end(void *user, const struct flow *f, enum flow_retire_reason why,
			const struct flow_rounds *rounds)
{
	struct annot *a = user;
	if (a->flagged_only && !a->failed && f->events + f->events_dropped > 0) {
		struct flagged r = {.first_ts = f->first_ts, .last_ts = f->last_ts};
		fkey_make(&r.k, f->key.ip_ver, f->key.proto, f->key.addr[0], f->key.port[0],
			  f->key.addr[1], f->key.port[1]);
		if (spool_sort_add(a->flows, f->first_frame, &r, sizeof(r)) < 0)
			a->failed = true;
		else
			a->nflagged++;
	}
	if (a->inner.flow_end)
		a->inner.flow_end(a->inner.user, f, why, rounds);
}

struct annot *annot_new(bool flagged_only)
{
	struct annot *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->flagged_only = flagged_only;
	a->comments = spool_sort_new(0);
	a->flows = spool_sort_new(0);
	if (!a->comments || !a->flows) {
		annot_free(a);
		return NULL;
	}
	return a;
}

void annot_free(struct annot *a)
{
	if (!a)
		return;
	spool_sort_free(a->comments);
	spool_sort_free(a->flows);
	free(a->text);
	free(a->ptrs);
	free(a->act);
	free(a);
}

void annot_tee(struct annot *a, struct analyzer_sink *sink)
{
	a->inner = *sink;
	sink->user = a;
	sink->event = on_event;
	sink->flow_end = on_flow_end;
}

int annot_finish(struct annot *a)
{
	if (a->failed || spool_sort_finish(a->comments) < 0 || spool_sort_finish(a->flows) < 0) {
		a->failed = true;
		return -1;
	}
	return 0;
}

/* ---- reading (second pass) ---- */

static int add_text(struct annot *a, const void *data, uint32_t len)
{
	if (a->textlen + len + 1 > a->textcap) {
		size_t ncap = a->textcap ? a->textcap * 2 : 1024;
		while (ncap < a->textlen + len + 1)
			ncap *= 2;
		char *nt = realloc(a->text, ncap);
		if (!nt)
			return -1;
		a->text = nt;
		a->textcap = ncap;
	}
	memcpy(a->text + a->textlen, data, len);
	a->textlen += len;
	a->text[a->textlen++] = 0;
	if (a->nptrs == a->ptrcap) {
		size_t ncap = a->ptrcap ? a->ptrcap * 2 : 8;
		const char **np = realloc(a->ptrs, ncap * sizeof(*np));
		if (!np)
			return -1;
		a->ptrs = np;
		a->ptrcap = ncap;
	}
	a->nptrs++;
	return 0;
}

/* This frame's comments into text/ptrs. */
static int frame_comments(struct annot *a, uint64_t frame)
{
	uint64_t key;
	const void *data;
	uint32_t len;
	int rc;
	a->textlen = a->nptrs = 0;
	while ((rc = spool_sort_peek(a->comments, &key)) == 1 && key <= frame) {
		if (spool_sort_next(a->comments, &key, &data, &len) != 1)
			return -1;
		if (key == frame && add_text(a, data, len) < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	/* The text may have moved while growing: point at it now. */
	size_t off = 0;
	for (size_t i = 0; i < a->nptrs; i++) {
		a->ptrs[i] = a->text + off;
		off += strlen(a->text + off) + 1;
	}
	return 0;
}

/* Enter the flagged flows that start at or before this frame; drop those
 * long over (every SWEEP_EVERY frames). */
static int flows_advance(struct annot *a, const struct pkt_record *rec)
{
	uint64_t key;
	const void *data;
	uint32_t len;
	int rc;
	while ((rc = spool_sort_peek(a->flows, &key)) == 1 && key <= rec->frame) {
		if (spool_sort_next(a->flows, &key, &data, &len) != 1 || len != sizeof(struct flagged))
			return -1;
		if (a->nact == a->actcap) {
			size_t ncap = a->actcap ? a->actcap * 2 : 64;
			struct flagged *na = realloc(a->act, ncap * sizeof(*na));
			if (!na)
				return -1;
			a->act = na;
			a->actcap = ncap;
		}
		memcpy(&a->act[a->nact++], data, sizeof(struct flagged));
	}
	if (rc < 0)
		return -1;
	if (++a->frames % SWEEP_EVERY == 0) {
		size_t j = 0;
		for (size_t i = 0; i < a->nact; i++)
			if (a->act[i].last_ts + LINGER_NS >= rec->ts_ns)
				a->act[j++] = a->act[i];
		a->nact = j;
	}
	return 0;
}

/* Does rec belong to a flagged flow under way? (The set holds the flows
 * with findings that overlap this moment: a handful, scanned linearly.) An
 * IP fragment is kept whatever its flow when any flow is flagged: it has no
 * ports to tell, and a flagged flow's datagram must stay whole in the file
 * (its first fragments come before the flow's first frame, the one that
 * completed it). */
static bool in_flagged_flow(const struct annot *a, const struct pkt_record *rec)
{
	struct pkt_decoded d;
	if (decode_packet(rec, &d) != DECODE_OK)
		return false;
	if (d.ip_frag)
		return a->nflagged > 0;
	if (!a->nact || (d.l4proto != 6 && d.l4proto != 17))
		return false;
	struct fkey k;
	fkey_make(&k, d.ip_ver, d.l4proto, d.src, d.sport, d.dst, d.dport);
	for (size_t i = 0; i < a->nact; i++) {
		const struct flagged *f = &a->act[i];
		if (rec->ts_ns >= f->first_ts && rec->ts_ns <= f->last_ts && !memcmp(&f->k, &k, sizeof(k)))
			return true;
	}
	return false;
}

int annot_frame(struct annot *a, const struct pkt_record *rec, const char *const **comments,
		size_t *n, bool *keep)
{
	if (frame_comments(a, rec->frame) < 0)
		return -1;
	*comments = a->ptrs;
	*n = a->nptrs;
	*keep = true;
	if (a->flagged_only) {
		if (flows_advance(a, rec) < 0)
			return -1;
		*keep = a->nptrs > 0 || in_flagged_flow(a, rec);
	}
	return 0;
}
