/*
 * analyze/findings.c — names and severities of finding kinds and causes.
 */
#include "findings.h"

#include <stddef.h>

static const struct {
	const char *name;
	enum severity sev;
	const char *meaning;
} kinds[FIND_COUNT] = {
#define X(e, n, s, t) [FIND_##e] = {n, s, t},
#include "findings.def"
#undef X
};

static const char *const causes[CAUSE_COUNT] = {
#define X(e, n) [CAUSE_##e] = n,
	CAUSE_LIST(X)
#undef X
};

const char *finding_name(enum finding_kind k)
{
	return (unsigned)k < FIND_COUNT ? kinds[k].name : "unknown";
}

enum severity finding_severity(enum finding_kind k)
{
	return (unsigned)k < FIND_COUNT ? kinds[k].sev : SEV_INFO;
}

enum severity finding_severity_of(enum finding_kind k, enum cause c)
{
	static const struct {
		enum finding_kind kind;
		enum cause cause;
		enum severity sev;
	} by_cause[] = {
#define X(e, n, s, t)
#define SEV_BY_CAUSE(e, c, s) {FIND_##e, CAUSE_##c, s},
#include "findings.def"
#undef SEV_BY_CAUSE
#undef X
	};
	for (size_t i = 0; i < sizeof(by_cause) / sizeof(by_cause[0]); i++)
		if (by_cause[i].kind == k && by_cause[i].cause == c)
			return by_cause[i].sev;
	return finding_severity(k);
}

const char *finding_meaning(enum finding_kind k)
{
	return (unsigned)k < FIND_COUNT ? kinds[k].meaning : "";
}

const char *cause_name(enum cause c)
{
	return (unsigned)c < CAUSE_COUNT ? causes[c] : "unknown";
}

const char *severity_name(enum severity s)
{
	static const char *const n[] = {"info", "low", "medium", "high"};
	return (unsigned)s < 4 ? n[s] : "info";
}

const char *flow_dir_name(enum flow_dir d)
{
	return d == DIR_C2S ? "c2s" : "s2c";
}
