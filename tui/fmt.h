/*
 * tui/fmt.h — short human forms of numbers and events for narrow columns:
 * durations, rates, sizes. Pure string formatting (an event's one line is
 * finding_describe's FORM_BRIEF).
 */
#ifndef TCPLENS_TUI_FMT_H
#define TCPLENS_TUI_FMT_H

#include <stddef.h>
#include <stdint.h>

/* "850us", "12.3ms", "4.56s", "12m03s"; "-" when ms < 0. */
void fmt_ms(double ms, char *buf, size_t len);
/* "950", "12.3k", "4.56M", "1.2G" */
void fmt_count(double v, char *buf, size_t len);
/* "512B", "12.3kB", "4.5MB" */
void fmt_bytes(uint64_t b, char *buf, size_t len);

#endif
