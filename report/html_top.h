/*
 * report/html_top.h — the K worst flows of a capture in bounded memory, for
 * the HTML page's connections table: a heap ordered as flow_badness ranks
 * flows everywhere (badness, then bytes, then id: deterministic), each entry
 * the byte range of the flow's table row in a spool file. When full, a new
 * flow replaces the least bad one only when it ranks above it.
 */
#ifndef TCPLENS_HTML_TOP_H
#define TCPLENS_HTML_TOP_H

#include <stdbool.h>
#include <stdint.h>

struct html_top_entry {
	double badness;
	uint64_t bytes;
	uint32_t id;
	uint32_t len;             /* the row: spool bytes [off, off + len) */
	uint64_t off;
};

struct html_top {
	struct html_top_entry *e; /* a min-heap on the rank (the least bad at e[0]) */
	uint32_t n, cap;
};

/* 0, or -1 when out of memory. */
int html_top_init(struct html_top *t, uint32_t cap);
void html_top_free(struct html_top *t);
/* A flow of this rank would be kept (the heap has room, or it ranks above
 * the least bad kept). */
bool html_top_wants(const struct html_top *t, double badness, uint64_t bytes, uint32_t id);
/* Keep e (call only when html_top_wants said so). */
void html_top_put(struct html_top *t, const struct html_top_entry *e);
/* The heap sorted worst first, in place (no more puts after). */
void html_top_sort(struct html_top *t);

#endif
