/*
 * report/html_page.h — the HTML report's page, compiled into the binary:
 * html/page.html with uPlot and html/app.js inlined, cut at the data marker
 * into a head and a tail (generated at build time by html/embed.cmake). When
 * the build had no node/npm (TCPLENS_HTML off), html/page_stub.c defines
 * them empty and tcplens_page_available is 0.
 */
#ifndef TCPLENS_HTML_PAGE_H
#define TCPLENS_HTML_PAGE_H

#include <stddef.h>

extern const int tcplens_page_available;
extern const unsigned char tcplens_page_head[];
extern const size_t tcplens_page_head_len;
extern const unsigned char tcplens_page_tail[];
extern const size_t tcplens_page_tail_len;

#endif
