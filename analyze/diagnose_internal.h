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

void diag_stalls(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max);
void diag_cwnd(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max);
void diag_capture_loss(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max);

#endif
