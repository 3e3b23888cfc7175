/*
 * tests/regress/test_baseline.c — report/report_read.c, report_digest.c and
 * baseline.c on small hand-written reports: the reader (document and JSONL,
 * events skipped or streamed, strings with brackets and escapes, errors),
 * the digest, the flow matching without client ports, tolerances and the
 * verdicts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/baseline.h"
#include "report/report_digest.h"
#include "report/report_read.h"

static char *write_tmp(const char *text)
{
	static int n;
	char *path = malloc(64);
	snprintf(path, 64, "/tmp/tcplens_bl_%d_%d.json", (int)getpid(), n++);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* A flow object: client port, server, retransmissions, stall ms by cause,
 * initial window c2s segments (0 = null), cc guess. */
static void flow_json(char *buf, size_t len, int id, int cport, const char *server, int retrans,
		      const char *by_cause, int iw, const char *cc, double first_ts)
{
	char iwtext[96] = "null";
	if (iw)
		snprintf(iwtext, sizeof(iwtext), "{\"segments\":%d,\"bytes\":%d,\"limit\":\"cwnd\"}", iw,
			 iw * 1448);
	snprintf(buf, len,
		 "{\"id\":%d,\"proto\":\"tcp\",\"client\":\"10.0.0.1:%d\",\"server\":\"%s\","
		 "\"first_ts\":%.6f,\"retransmissions\":%d,\"initial_window\":{\"c2s\":%s,\"s2c\":null},"
		 "\"cc_guess\":\"%s\",\"stalls\":{\"count\":1,\"total_ms\":0,\"by_cause\":{%s}},"
		 "\"c2s\":{\"capture_lost_bytes\":0},\"s2c\":{\"capture_lost_bytes\":0},\"events\":1,"
		 "\"events_dropped\":0}",
		 id, cport, server, first_ts, retrans, iwtext, cc, by_cause);
}

static char *report(int schema, const char *events, const char *flows, const char *summary_events)
{
	size_t len = strlen(events) + strlen(flows) + 4096;
	char *doc = malloc(len);
	snprintf(doc, len,
		 "{\"tcplens\":\"0.1.0\",\"schema\":%d,\"source\":{\"kind\":\"file\",\"name\":\"x [1] \\\"q\\\".pcap\"},\n"
		 "\"events\":[%s],\n\"flows\":[%s],\n"
		 "\"capture\":{\"packets\":10,\"events_not_written\":0},\n"
		 "\"summary\":{\"events\":{%s},\"findings\":[{\"kind\":\"stall\",\"explanation\":\"a ] } [ {\"}]}}\n",
		 schema, events, flows, summary_events);
	return doc;
}

#define EV_STALL(frame, cause) \
	"{\"ts\":1.0,\"frame\":" #frame ",\"flow\":1,\"dir\":\"c2s\",\"kind\":\"stall\",\"duration_ms\":40,\"cause\":\"" cause "\"}"

/* Two flows to the same server; ports p1, p2; stalls as given. */
static char *two_flows(int p1, int p2, const char *stall1, int retrans2, int iw1, const char *cc2,
		       bool swap_order, const char *events, const char *summary)
{
	char f1[1024], f2[1024], flows[2200];
	flow_json(f1, sizeof(f1), 1, p1, "10.0.0.2:80", 0, stall1, iw1, "cubic", 100.0);
	flow_json(f2, sizeof(f2), 2, p2, "10.0.0.2:80", retrans2, "", 10, cc2, 200.0);
	snprintf(flows, sizeof(flows), "%s,\n%s", swap_order ? f2 : f1, swap_order ? f1 : f2);
	return report(1, events, flows, summary);
}

static void load(struct report_digest *d, const char *doc)
{
	char err[256];
	char *path = write_tmp(doc);
	int rc = report_digest_load(d, path, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s", err);
	unlink(path);
	free(path);
}

Test(report_read, digest_of_a_document)
{
	struct report_digest d;
	char *doc = two_flows(40000, 40001, "\"delayed_ack\":80.5", 3, 10, "cubic", false,
			      EV_STALL(5, "delayed_ack") "," EV_STALL(9, "delayed_ack"),
			      "\"stall\":2,\"retransmission\":3");
	load(&d, doc);
	free(doc);
	cr_assert_str_eq(d.source, "x [1] \"q\".pcap");
	cr_assert_eq(d.nflows, 2);
	cr_assert_eq(d.kind_count[FIND_STALL], 2);
	cr_assert_eq(d.kind_count[FIND_RETRANSMISSION], 3);
	cr_assert_eq(d.kind_cause[FIND_STALL][CAUSE_DELAYED_ACK], 2);
	cr_assert_eq(d.retransmissions, 3);
	cr_assert_float_eq(d.stall_ms[digest_stall_cause("delayed_ack")], 80.5, 1e-9);
	cr_assert_eq(d.flows[0].iw[DIR_C2S].segments, 10);
	cr_assert(!d.flows[0].iw[DIR_S2C].present);
	report_digest_free(&d);
}

static int count_events(void *user, json_t *ev)
{
	(void)ev;
	(*(int *)user)++;
	return 0;
}

Test(report_read, events_skipped_or_streamed)
{
	char *doc = report(1, EV_STALL(1, "rto") "," EV_STALL(2, "rto") "," EV_STALL(3, "cork"), "",
			   "\"stall\":3");
	char *path = write_tmp(doc);
	char err[256];
	int n = 0;
	struct report_read_cb cb = {.user = &n, .event = count_events, .err = err, .errlen = sizeof(err)};
	cr_assert_eq(report_read(path, &cb), 0, "%s", err);
	cr_assert_eq(n, 3);
	cb.event = NULL; /* skipped unparsed */
	cr_assert_eq(report_read(path, &cb), 0, "%s", err);
	unlink(path);
	free(path);
	free(doc);
}

Test(report_read, jsonl)
{
	const char *jl =
		"{\"type\":\"start\",\"tcplens\":\"0.1.0\",\"schema\":1,\"source\":{\"kind\":\"file\",\"name\":\"a.pcap\"}}\n"
		"{\"type\":\"event\",\"ts\":1.0,\"frame\":3,\"flow\":1,\"dir\":\"c2s\",\"kind\":\"retransmission\",\"seq\":1,\"bytes\":100,\"cause\":\"rto\"}\n"
		"{\"type\":\"flow\",\"flow\":{\"id\":1,\"proto\":\"tcp\",\"client\":\"10.0.0.1:5\",\"server\":\"10.0.0.2:80\",\"retransmissions\":1}}\n"
		"{\"type\":\"end\",\"capture\":{\"packets\":4},\"summary\":{\"events\":{\"retransmission\":1}}}\n";
	struct report_digest d;
	load(&d, jl);
	cr_assert_str_eq(d.source, "a.pcap");
	cr_assert_eq(d.kind_cause[FIND_RETRANSMISSION][CAUSE_RTO], 1);
	cr_assert_eq(d.kind_count[FIND_RETRANSMISSION], 1);
	cr_assert_eq(d.nflows, 1);
	cr_assert_eq(d.packets, 4);
	report_digest_free(&d);
}

static void expect_error(const char *doc, const char *words)
{
	struct report_digest d;
	char err[256] = "";
	char *path = write_tmp(doc);
	cr_assert_eq(report_digest_load(&d, path, err, sizeof(err)), -1, "accepted: %s", doc);
	cr_assert(strstr(err, words), "message '%s' lacks '%s'", err, words);
	cr_assert(strstr(err, path), "message '%s' names the file", err);
	report_digest_free(&d);
	unlink(path);
	free(path);
}

Test(report_read, errors)
{
	char *s2 = report(2, "", "", "");
	expect_error(s2, "schema 2");
	free(s2);
	expect_error("", "empty");
	expect_error("[1,2]", "not a tcplens report");
	expect_error("{\"a\":1}", "not a tcplens report");
	expect_error("{\"tcplens\":\"0.1.0\",\"schema\":1,\"events\":[{\"kind\":", "cut short");
	expect_error("{\"tcplens\":\"0.1.0\",\"schema\":1,\"events\":[{\"kind\" 1}]}", "invalid JSON");
	expect_error("{\"tcplens\":\"0.1.0\",\"schema\":1}", "no \"summary\"");
}

Test(baseline, tolerances)
{
	struct baseline_config c;
	char err[256];
	baseline_config_init(&c);
	cr_assert_eq(baseline_tolerance_parse(&c, "stall_ms=5%+10,retransmissions=2", err, sizeof(err)), 0);
	cr_assert_float_eq(c.tol[BL_STALL_MS].rel, 0.05, 1e-12);
	cr_assert_float_eq(c.tol[BL_STALL_MS].abs, 10, 1e-12);
	cr_assert_float_eq(c.tol[BL_RETRANS].rel, 0, 1e-12);
	cr_assert_float_eq(c.tol[BL_RETRANS].abs, 2, 1e-12);
	cr_assert_eq(baseline_tolerance_parse(&c, "cc_guess=off", err, sizeof(err)), 0);
	cr_assert(c.tol[BL_CC].off);
	cr_assert_eq(baseline_tolerance_parse(&c, "bogus=1", err, sizeof(err)), -1);
	cr_assert(strstr(err, "stall_ms"), "%s", err);
	cr_assert_eq(baseline_tolerance_parse(&c, "events=x%", err, sizeof(err)), -1);
	cr_assert_eq(baseline_tolerance_parse(&c, "cc_guess=5%", err, sizeof(err)), -1);
	char buf[256];
	baseline_tolerance_describe(&c, buf, sizeof(buf));
	cr_assert(strstr(buf, "stall_ms=5%+10"), "%s", buf);
}

static void compare(const char *a, const char *b, struct report_digest *da, struct report_digest *db,
		    struct baseline_result *res)
{
	struct baseline_config cfg;
	baseline_config_init(&cfg);
	load(da, a);
	load(db, b);
	cr_assert_eq(baseline_compare(da, db, &cfg, res), 0);
}

Test(baseline, same_work_other_ports_and_order)
{
	char *a = two_flows(40000, 40001, "\"delayed_ack\":80", 3, 10, "cubic", false,
			    EV_STALL(5, "delayed_ack"), "\"stall\":1");
	char *b = two_flows(51000, 51007, "\"delayed_ack\":81", 3, 10, "cubic", true,
			    EV_STALL(6, "delayed_ack"), "\"stall\":1");
	struct report_digest da, db;
	struct baseline_result res;
	compare(a, b, &da, &db, &res);
	cr_assert_eq(res.flows_matched, 2);
	cr_assert_eq(res.n, 0, "first item: %s", res.n ? res.items[0].what : "");
	cr_assert_eq(res.regressions, 0);
	cr_assert_eq(res.within, 2, "80 -> 81 ms, twice (capture and flow)");
	/* the first flow (first_ts 100) matched with the first */
	cr_assert_eq(db.flows[da.flows[0].match].first_ts, 100.0);
	baseline_result_free(&res);
	report_digest_free(&da);
	report_digest_free(&db);
	free(a);
	free(b);
}

Test(baseline, regressions_worst_first)
{
	char *a = two_flows(40000, 40001, "\"delayed_ack\":80", 0, 10, "cubic", false,
			    EV_STALL(5, "delayed_ack"), "\"stall\":1");
	char *b = two_flows(40000, 40001, "\"delayed_ack\":80,\"rto\":300", 2, 4, "bbr", false,
			    EV_STALL(5, "delayed_ack") "," EV_STALL(9, "rto"),
			    "\"stall\":2,\"retransmission\":2");
	struct report_digest da, db;
	struct baseline_result res;
	compare(a, b, &da, &db, &res);
	cr_assert_gt(res.regressions, 4);
	for (size_t i = 0; i < res.regressions; i++)
		cr_assert(res.items[i].regression, "regressions first");
	cr_assert_str_eq(res.items[0].what, "stalled time (rto)", "worst first: %s", res.items[0].what);
	cr_assert_eq(res.items[0].flow_old, -1, "capture-wide before the flow");
	bool iw = false, cc = false, stall = false, retrans = false;
	for (size_t i = 0; i < res.n; i++) {
		const struct bl_item *it = &res.items[i];
		iw |= it->metric == BL_IW && it->regression && it->old_v == 10 && it->new_v == 4;
		cc |= it->metric == BL_CC && it->regression && !strcmp(it->new_s, "bbr");
		stall |= !strcmp(it->what, "stall (rto)") && it->change == BL_APPEARED;
		retrans |= it->metric == BL_RETRANS && it->flow_new >= 0 && it->new_v == 2;
	}
	cr_assert(iw && cc && stall && retrans, "iw %d cc %d stall %d retrans %d", iw, cc, stall, retrans);
	baseline_result_free(&res);
	report_digest_free(&da);
	report_digest_free(&db);
	/* backwards: everything got better, nothing regressed but the IW rise
	 * and the cc change (a change between known algorithms either way) */
	compare(b, a, &db, &da, &res);
	for (size_t i = 0; i < res.n; i++)
		if (res.items[i].regression)
			cr_assert_eq(res.items[i].metric, BL_CC, "%s", res.items[i].what);
	baseline_result_free(&res);
	report_digest_free(&da);
	report_digest_free(&db);
	free(a);
	free(b);
}

Test(baseline, harmless_changes_are_not_regressions)
{
	char *a = two_flows(40000, 40001, "", 0, 10, "unknown", false, "", "");
	char *b = two_flows(40000, 40001, "\"app_idle\":900", 0, 10, "cubic", false,
			    EV_STALL(5, "app_idle"), "\"stall\":1,\"csum_offload\":50");
	struct report_digest da, db;
	struct baseline_result res;
	compare(a, b, &da, &db, &res);
	cr_assert_gt(res.n, 2);
	cr_assert_eq(res.regressions, 0, "first: %s", res.n ? res.items[0].what : "");
	baseline_result_free(&res);
	report_digest_free(&da);
	report_digest_free(&db);
	free(a);
	free(b);
}
