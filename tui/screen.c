/*
 * tui/screen.c — the character buffer. See screen.h.
 */
#include "screen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int screen_resize(struct screen *s, int w, int h)
{
	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	struct screen_cell *c = calloc((size_t)w * (size_t)h, sizeof(*c));
	if (!c)
		return -1;
	free(s->cells);
	s->cells = c;
	s->w = w;
	s->h = h;
	screen_clear(s);
	return 0;
}

void screen_free(struct screen *s)
{
	free(s->cells);
	s->cells = NULL;
	s->w = s->h = 0;
}

void screen_clear(struct screen *s)
{
	for (int i = 0; i < s->w * s->h; i++)
		s->cells[i] = (struct screen_cell){' ', ROLE_NORMAL};
}

int screen_put(struct screen *s, int row, int col, enum tui_role role, const char *text)
{
	if (row < 0 || row >= s->h || !text)
		return 0;
	int n = 0;
	for (const char *p = text; *p; p++, col++) {
		if (col < 0)
			continue;
		if (col >= s->w)
			break;
		unsigned char ch = (unsigned char)*p;
		struct screen_cell *c = &s->cells[row * s->w + col];
		c->ch = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
		c->role = (uint8_t)role;
		n++;
	}
	return n;
}

int screen_printf(struct screen *s, int row, int col, enum tui_role role, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return screen_put(s, row, col, role, buf);
}

void screen_fill(struct screen *s, int row, int col, int n, char ch, enum tui_role role)
{
	if (row < 0 || row >= s->h)
		return;
	for (int i = 0; i < n; i++, col++)
		if (col >= 0 && col < s->w)
			s->cells[row * s->w + col] = (struct screen_cell){ch, (uint8_t)role};
}

void screen_row_role(struct screen *s, int row, enum tui_role role)
{
	if (row < 0 || row >= s->h)
		return;
	for (int c = 0; c < s->w; c++)
		s->cells[row * s->w + c].role = (uint8_t)role;
}

void screen_row_text(const struct screen *s, int row, char *buf, size_t len)
{
	size_t n = 0;
	if (!len)
		return;
	if (row >= 0 && row < s->h)
		for (int c = 0; c < s->w && n + 1 < len; c++)
			buf[n++] = s->cells[row * s->w + c].ch;
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = 0;
}

int screen_find(const struct screen *s, const char *needle)
{
	char line[1024];
	for (int r = 0; r < s->h; r++) {
		screen_row_text(s, r, line, sizeof(line));
		if (strstr(line, needle))
			return r;
	}
	return -1;
}

bool screen_contains(const struct screen *s, const char *needle)
{
	return screen_find(s, needle) >= 0;
}
