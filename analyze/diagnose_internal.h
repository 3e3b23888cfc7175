/*
 * analyze/diagnose_internal.h — shared between the diagnose_*.c files.
 */
#ifndef TCPLENS_DIAGNOSE_INTERNAL_H
#define TCPLENS_DIAGNOSE_INTERNAL_H

#include "diagnose.h"

/* Append a finding (NULL when out is full), its severity findings.def's
 * for k and c (finding_severity_of). */
struct finding *diag_add(struct finding *out, size_t *n, size_t max, enum finding_kind k,
			 enum cause c, uint64_t count, double impact);
/* The same with the finding's severity given (a finding of no one cause
 * ranked as one of its causes): a full list ranks it by that. */
struct finding *diag_add_sev(struct finding *out, size_t *n, size_t max, enum finding_kind k,
			     enum cause c, enum severity sev, uint64_t count, double impact);

/* "N what, M what" for the causes that happened (zero counts left out):
 * cc is indexed by cause. */
struct counted {
	enum cause c;
	const char *what;
};
void count_list(char *buf, size_t len, const uint64_t *cc, const struct counted *items,
		size_t nitems);

void diag_stalls(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max);
void diag_cwnd(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max);
void diag_capture_loss(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max);

#endif
