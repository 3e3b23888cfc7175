/*
 * tui/screen.h — a character buffer the screens render into: w x h cells,
 * each a character and a role. Rendering into it needs no terminal, so what
 * a screen shows can be tested as text; tui.c copies it to curses.
 * Everything written is clipped to the buffer: callers need not measure.
 */
#ifndef TCPLENS_TUI_SCREEN_H
#define TCPLENS_TUI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "theme.h"

struct screen_cell {
	char ch;
	uint8_t role;      /* enum tui_role */
};

struct screen {
	int w, h;
	struct screen_cell *cells;
};

/* Size the buffer (again): 0, or -1 when out of memory (s unchanged). */
int screen_resize(struct screen *s, int w, int h);
void screen_free(struct screen *s);
/* Every cell a blank of ROLE_NORMAL. */
void screen_clear(struct screen *s);
/* Write text at (row, col), clipped; returns the columns written.
 * Non-printable bytes become '?'. */
int screen_put(struct screen *s, int row, int col, enum tui_role role, const char *text);
int screen_printf(struct screen *s, int row, int col, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* n copies of ch from (row, col), clipped. */
void screen_fill(struct screen *s, int row, int col, int n, char ch, enum tui_role role);
/* Give a whole row one role (the cursor line, a title bar). */
void screen_row_role(struct screen *s, int row, enum tui_role role);
/* Row text without trailing blanks, NUL-terminated in buf (for tests). */
void screen_row_text(const struct screen *s, int row, char *buf, size_t len);
/* Does any row contain needle? (tests) */
bool screen_contains(const struct screen *s, const char *needle);
/* The row where needle first appears, or -1 (tests). */
int screen_find(const struct screen *s, const char *needle);

#endif
