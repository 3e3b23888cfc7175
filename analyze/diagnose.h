/*
 * analyze/diagnose.h — from counts to a diagnosis: the grouped, ranked
 * findings of a report's summary, each with the evidence in words and a
 * concrete remedy. Pure: reads the analyzer's totals, writes text into the
 * caller's array; the report and the TUI print it as they like.
 */
#ifndef TCPLENS_DIAGNOSE_H
#define TCPLENS_DIAGNOSE_H

#include <stddef.h>

#include "analyzer.h"
#include "findings.h"

#define DIAG_TEXT_MAX 768

struct finding {
	enum finding_kind kind;
	enum cause cause;          /* CAUSE_NONE when the finding spans causes */
	uint64_t count;
	enum severity severity;
	double impact;             /* ranking key: higher is worse */
	char host[48];             /* the sending host it is about, or "" */
	char explanation[DIAG_TEXT_MAX];
	char remedy[DIAG_TEXT_MAX];
};

#define DIAG_MAX_FINDINGS 48

/* Fill out[0..max) with the findings of t, worst first; returns how many. */
size_t diagnose(const struct analyzer_totals *t, struct finding *out, size_t max);

#endif
