/*
 * cli/analyze_file.h — the offline pipeline in one call (capture file ->
 * analyzer -> JSON report), for the commands that analyze many captures in
 * one process: `tcplens check DIR`. The single-capture path stays in main.c.
 */
#ifndef TCPLENS_ANALYZE_FILE_H
#define TCPLENS_ANALYZE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Analyze the capture at path (no filter, default limits) and write its
 * schema-1 JSON report to out, naming the source as path. Damaged frames are
 * counted in the report, not printed. Returns 0, or -1 with err set (cannot
 * open the capture, a file cut mid-record, a write error). */
int analyze_file_json(const char *path, FILE *out, char *err, size_t errlen);

#endif
