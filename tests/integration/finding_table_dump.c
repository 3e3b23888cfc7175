/*
 * tests/integration/finding_table_dump.c — findings.def as JSON on stdout,
 * for finding_table.py to hold the contract checker (report_contract.py) and
 * the man page's FINDINGS to it: {"kind": {"severity", "weight", "meaning",
 * "fields": [{"key", "type"}], "words": [...]}}.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "analyze/findings.h"

int main(void)
{
	static const char *const types[] = {"hex16", "u32", "u64", "dbl1", "dbl2",
					    "cause", "proto", "bool", "label"};
	json_t *all = json_object();
	for (int k = 0; k < FIND_COUNT; k++) {
		json_t *fields = json_array(), *words = json_array();
		size_t n;
		const struct finding_field *fd = finding_fields(k, &n);
		for (size_t i = 0; i < n; i++) {
			json_t *f = json_pack("{s:s, s:s, s:s, s:b}", "key", fd[i].key, "type",
					      types[fd[i].type], "when", cause_name(fd[i].when),
					      "brief", fd[i].form == FORM_BRIEF);
			json_array_append_new(fields, f);
		}
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", finding_cause_words(k));
		for (char *save, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
			json_array_append_new(words, json_string(w));
		json_object_set_new(all, finding_name(k),
				    json_pack("{s:s, s:f, s:s, s:o, s:o}", "severity",
					      severity_name(finding_severity(k)), "weight",
					      finding_weight(k), "meaning", finding_meaning(k),
					      "fields", fields, "words", words));
	}
	json_dumpf(all, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(all);
	return 0;
}
