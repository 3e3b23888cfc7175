/*
 * tui/fmt.c — see fmt.h.
 */
#include "fmt.h"

#include <stdio.h>

void fmt_ms(double ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1)
		snprintf(buf, len, "%.0fus", ms * 1000);
	else if (ms < 100)
		snprintf(buf, len, "%.1fms", ms);
	else if (ms < 1000)
		snprintf(buf, len, "%.0fms", ms);
	else if (ms < 60000)
		snprintf(buf, len, "%.2fs", ms / 1000);
	else
		snprintf(buf, len, "%.0fm%02.0fs", (double)(uint64_t)(ms / 60000),
			 (double)((uint64_t)(ms / 1000) % 60));
}

void fmt_count(double v, char *buf, size_t len)
{
	if (v < 1000)
		snprintf(buf, len, "%.0f", v);
	else if (v < 1e6)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else if (v < 1e9)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else
		snprintf(buf, len, "%.2fG", v / 1e9);
}

void fmt_bytes(uint64_t b, char *buf, size_t len)
{
	if (b < 1000)
		snprintf(buf, len, "%lluB", (unsigned long long)b);
	else if (b < 1000000)
		snprintf(buf, len, "%.1fkB", b / 1e3);
	else if (b < 1000000000)
		snprintf(buf, len, "%.1fMB", b / 1e6);
	else
		snprintf(buf, len, "%.2fGB", b / 1e9);
}
