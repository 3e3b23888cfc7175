/*
 * tui/theme.h — colour roles: what a piece of screen *is* (a title, the
 * selection, an alert), never which colour it gets. The one table that maps
 * roles to colours and to monochrome attributes is in theme.c, the only
 * place that knows about terminal colours.
 */
#ifndef TCPLENS_TUI_THEME_H
#define TCPLENS_TUI_THEME_H

#include <stdbool.h>

enum tui_role {
	ROLE_NORMAL = 0,
	ROLE_HEADER,      /* the top lines: source, rates */
	ROLE_TITLE,       /* a panel's title */
	ROLE_COLHEAD,     /* column headings */
	ROLE_SELECTED,    /* the cursor line */
	ROLE_ALERT,       /* the trace cannot be trusted, severe findings */
	ROLE_WARN,        /* medium findings, paused */
	ROLE_GOOD,        /* nothing wrong */
	ROLE_DIM,         /* secondary text */
	ROLE_BAR,         /* plot bars */
	ROLE_MARK,        /* plot marks: reductions, recovery */
	ROLE_KEYBAR,      /* the bottom line of keys */
	ROLE_COUNT
};

/* Set up colour pairs (after initscr). With colour false (NO_COLOR set, or
 * a terminal without colours), roles map to bold/reverse/underline only. */
void theme_init(bool colour);
/* The curses attribute of a role under the mode theme_init chose. */
int theme_attr(enum tui_role r);

#endif
