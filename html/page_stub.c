/*
 * html/page_stub.c — the page when the build had no node/npm (TCPLENS_HTML
 * off): empty, and tcplens_page_available = 0, so --format html says how to
 * get it instead of writing a page without its script.
 */
#include "report/html_page.h"

const int tcplens_page_available = 0;
const unsigned char tcplens_page_head[] = {0};
const size_t tcplens_page_head_len = 0;
const unsigned char tcplens_page_tail[] = {0};
const size_t tcplens_page_tail_len = 0;
