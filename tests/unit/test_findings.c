/*
 * tests/unit/test_findings.c — analyze/findings.c: every kind in
 * findings.def has what the views need (a name, a meaning, a weight, at
 * least one field, each field a key, a type matching its member and a text),
 * and finding_describe words events from the table: plurals, conditional
 * fields, the brief form, booleans, labels and cutting to the buffer.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "analyze/findings.h"

static int count_conversions(const char *t)
{
	int n = 0;
	for (const char *p = t; (p = strchr(p, '%')); p += 2) {
		cr_assert_eq(p[1], 's', "only %%s in a field's text: \"%s\"", t);
		n++;
	}
	return n;
}

Test(findings, every_kind_is_complete)
{
	for (int k = 0; k < FIND_COUNT; k++) {
		const char *name = finding_name(k);
		cr_assert(name[0], "kind %d has no name", k);
		for (const char *c = name; *c; c++)
			cr_assert(islower((unsigned char)*c) || *c == '_', "%s: lower case", name);
		for (int j = 0; j < k; j++)
			cr_assert_str_neq(name, finding_name(j));
		cr_assert(finding_meaning(k)[0], "%s has no meaning", name);
		cr_assert_geq(finding_weight(k), 0);
		if (finding_severity(k) >= SEV_MEDIUM)
			cr_assert_gt(finding_weight(k), 0, "%s is harmful but weighs nothing", name);

		size_t n;
		const struct finding_field *fd = finding_fields(k, &n);
		cr_assert_gt(n, 0, "%s has no fields (a LABEL at least)", name);
		bool has_cause = false;
		for (size_t i = 0; i < n; i++) {
			int conv = count_conversions(fd[i].text);
			cr_assert(fd[i].text[0], "%s field %zu: no text", name, i);
			if (fd[i].type == FT_LABEL) {
				cr_assert_eq(fd[i].key_len, 0, "%s: a label has no JSON key", name);
				cr_assert_eq(conv, 0);
				continue;
			}
			cr_assert_eq(strlen(fd[i].key), fd[i].key_len);
			cr_assert_gt(fd[i].key_len, 0, "%s field %zu: no JSON key", name, i);
			for (size_t j = 0; j < i; j++)
				cr_assert_str_neq(fd[i].key, fd[j].key, "%s: key twice", name);
			if (fd[i].type == FT_BOOL)
				cr_assert(strchr(fd[i].text, '|') && conv == 0, "%s.%s: \"true|false\"",
					  name, fd[i].key);
			else if (fd[i].type == FT_U32 || fd[i].type == FT_U64)
				cr_assert(conv == 1 || conv == 2, "%s.%s", name, fd[i].key);
			else
				cr_assert_eq(conv, 1, "%s.%s: one %%s (plurals only for counts)", name,
					     fd[i].key);
			cr_assert_lt(fd[i].offset + 8u, sizeof(struct finding_event) + 1);
			has_cause |= fd[i].type == FT_CAUSE;
		}
		/* A cause field lists its words, and only a kind with one does. */
		cr_assert_eq(has_cause, finding_cause_words(k)[0] != 0, "%s: cause words", name);
	}
	size_t n;
	cr_assert_null(finding_fields(FIND_COUNT, &n));
	cr_assert_eq(n, 0);
}

Test(findings, cause_words_are_causes)
{
	for (int k = 0; k < FIND_COUNT; k++) {
		char words[256];
		snprintf(words, sizeof(words), "%s", finding_cause_words(k));
		for (char *save, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			bool known = false;
			for (int c = 1; c < CAUSE_COUNT; c++)
				known |= !strcmp(cause_name(c), w);
			cr_assert(known, "%s: \"%s\" is not in CAUSE_LIST", finding_name(k), w);
		}
	}
}

static struct finding_event event(enum finding_kind k, enum cause c)
{
	struct finding_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = (uint8_t)k;
	ev.cause = (uint8_t)c;
	return ev;
}

/* ev in form says exactly want. */
static void says(const struct finding_event *ev, enum finding_form form, const char *want)
{
	char b[200];
	finding_describe(ev, form, b, sizeof(b));
	cr_assert_str_eq(b, want);
}

Test(findings, describe_full_and_brief)
{
	struct finding_event ev = event(FIND_STALL, CAUSE_DELAYED_ACK);
	ev.u.stall.duration_ms = 46.54;
	ev.u.stall.outstanding = 1448;
	ev.u.stall.end_frame = 812;
	says(&ev, FORM_FULL, "46.5 ms, cause delayed_ack, 1448 bytes outstanding, until frame 812");
	says(&ev, FORM_BRIEF, "46.5 ms, cause delayed_ack");

	/* The brief form drops the first field: no leading separator. */
	ev = event(FIND_RETRANSMISSION, CAUSE_RTO);
	ev.u.retrans.seq = 2897;
	ev.u.retrans.bytes = 1;
	says(&ev, FORM_FULL, "seq 2897, 1 byte, cause rto");
	says(&ev, FORM_BRIEF, "1 byte, cause rto");
}

Test(findings, describe_conditional_bool_label)
{
	struct finding_event ev = event(FIND_CSUM_BAD, CAUSE_DROPPED);
	ev.proto = CAUSE_TCP;
	ev.u.csum.found = 0x1c46;
	ev.u.csum.expected = 0x8a2f;
	ev.u.csum.resent_ms = 201.25;
	says(&ev, FORM_FULL, "tcp checksum 0x1c46, correct 0x8a2f, fate dropped, resent after 201.2 ms");
	ev.cause = CAUSE_ACCEPTED;
	says(&ev, FORM_FULL, "tcp checksum 0x1c46, correct 0x8a2f, fate accepted");

	ev = event(FIND_SYN_RETRANSMIT, CAUSE_NONE);
	ev.u.syn.attempt = 2;
	ev.u.syn.after_ms = 2000;
	ev.u.syn.synack = 1;
	says(&ev, FORM_FULL, "retry 2, 2000.0 ms after the previous, SYN-ACK");
	ev.u.syn.synack = 0;
	says(&ev, FORM_BRIEF, "retry 2, 2000.0 ms after the previous, SYN");

	ev = event(FIND_ZERO_WINDOW, CAUSE_NONE);
	says(&ev, FORM_FULL, "window 0 advertised");

	ev = event(FIND_INITIAL_WINDOW, CAUSE_CWND);
	ev.u.iw.segments = 1;
	ev.u.iw.bytes = 100;
	ev.u.iw.mss = 1448;
	says(&ev, FORM_FULL, "1 segment, 100 bytes (MSS 1448), limited by cwnd");
}

Test(findings, describe_cuts_to_the_buffer)
{
	struct finding_event ev = event(FIND_STALL, CAUSE_RECEIVER_LIMITED);
	ev.u.stall.duration_ms = 123456.7;
	ev.u.stall.outstanding = UINT64_MAX;
	ev.u.stall.end_frame = UINT64_MAX;
	char full[200];
	finding_describe(&ev, FORM_FULL, full, sizeof(full));
	for (size_t len = 1; len < strlen(full) + 2; len++) {
		char b[200];
		memset(b, 'x', sizeof(b));
		finding_describe(&ev, FORM_FULL, b, len);
		cr_assert_eq(strlen(b), len - 1 < strlen(full) ? len - 1 : strlen(full));
		cr_assert(!strncmp(b, full, strlen(b)));
		cr_assert_eq(b[len], 'x', "wrote past %zu", len);
	}
	/* An unknown kind says nothing rather than reading a stranger's fields. */
	ev.kind = FIND_COUNT;
	says(&ev, FORM_FULL, "");
}
