/*
 * tests/unit/held_fixture.h — what the tests of the held-event detectors
 * (csum_fate, dsack, sack_gap) share: a sink that records every event
 * written (of one flow, FIXTURE_FLOW_ID, and of the kind FIXTURE_KIND when
 * the test defines it), a calloc'd flow and a held pool. Included once per
 * test file (static state: one fixture a test process).
 */
#ifndef TCPLENS_TEST_HELD_FIXTURE_H
#define TCPLENS_TEST_HELD_FIXTURE_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/decode.h"

#include "analyze/event_sink.h"
#include "analyze/flow.h"
#include "analyze/held.h"

#ifndef FIXTURE_FLOW_ID
#error define FIXTURE_FLOW_ID before including held_fixture.h
#endif

#define MS 1000000ull
#define T0 1600000000000000000ull
#define EV_MAX 64

static struct finding_event ev_v[EV_MAX];
static size_t ev_n;
static struct flow *F;
static struct held_pool *P;

static void rec_emit(void *ctx, struct flow *f, const struct finding_event *ev)
{
	(void)ctx;
	cr_assert_lt(ev_n, EV_MAX);
	cr_assert_eq(f->id, FIXTURE_FLOW_ID);
	cr_assert_eq(ev->flow_id, FIXTURE_FLOW_ID, "event of flow %u", ev->flow_id);
#ifdef FIXTURE_KIND
	cr_assert_eq(ev->kind, FIXTURE_KIND, "event of kind %s", finding_name(ev->kind));
#endif
	ev_v[ev_n++] = *ev;
}

static const struct event_sink SINK = {.emit = rec_emit, .ctx = NULL};

/* The written event of frame `frame`, or fail. */
__attribute__((unused)) static const struct finding_event *written(uint64_t frame)
{
	for (size_t i = 0; i < ev_n; i++)
		if (ev_v[i].frame == frame)
			return &ev_v[i];
	cr_assert_fail("no event of frame %lu written", (unsigned long)frame);
	return NULL;
}

/* A flow (id FIXTURE_FLOW_ID, first packet at T0) and a pool of `held`
 * events; the test sets what else its module reads. */
static void fixture_setup(size_t held)
{
	ev_n = 0;
	F = calloc(1, sizeof(*F));
	cr_assert_not_null(F);
	F->id = FIXTURE_FLOW_ID;
	F->first_ts = T0;
	P = held_pool_new(held, 0);
	cr_assert_not_null(P);
}

/* A pure ACK at T0 + t_ns, frame `frame`, cumulative ACK `ack`, with
 * nblocks SACK blocks (left, right pairs, most recent first); valid until
 * the next call. */
static struct pkt_record ack_rec;
static struct pkt_decoded ack_d;

__attribute__((unused)) static const struct pkt_decoded *
mk_ack(uint64_t t_ns, uint64_t frame, uint32_t ack, const uint32_t *blocks, int nblocks)
{
	memset(&ack_rec, 0, sizeof(ack_rec));
	memset(&ack_d, 0, sizeof(ack_d));
	ack_rec.ts_ns = T0 + t_ns;
	ack_rec.frame = frame;
	ack_d.rec = &ack_rec;
	ack_d.ack = ack;
	ack_d.flags = TCP_ACK;
	cr_assert_leq(nblocks, TCP_MAX_SACK);
	ack_d.opt.sack_count = (uint8_t)nblocks;
	for (int i = 0; i < nblocks; i++) {
		ack_d.opt.sack[i].left = blocks[2 * i];
		ack_d.opt.sack[i].right = blocks[2 * i + 1];
	}
	return &ack_d;
}

static void fixture_teardown(void)
{
	flow_cold_release(F);
	free(F);
	held_pool_free(P);
}

#endif
