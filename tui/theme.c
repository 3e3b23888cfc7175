/*
 * tui/theme.c — the colour table: one row per role, its colour pair and its
 * monochrome fallback. See theme.h.
 */
#include "theme.h"

#include <curses.h>

struct theme_row {
	short fg, bg;      /* -1 = the terminal's default */
	int colour_attr;   /* added to the pair in colour mode */
	int mono_attr;     /* the only styling in monochrome mode */
};

static const struct theme_row theme_table[ROLE_COUNT] = {
	[ROLE_NORMAL] = {-1, -1, 0, 0},
	[ROLE_HEADER] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
	[ROLE_TITLE] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
	[ROLE_COLHEAD] = {COLOR_BLACK, COLOR_GREEN, 0, A_UNDERLINE},
	[ROLE_SELECTED] = {COLOR_BLACK, COLOR_YELLOW, 0, A_REVERSE},
	[ROLE_ALERT] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE},
	[ROLE_WARN] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
	[ROLE_GOOD] = {COLOR_GREEN, -1, 0, 0},
	[ROLE_DIM] = {COLOR_BLUE, -1, A_BOLD, A_DIM},
	[ROLE_BAR] = {COLOR_GREEN, -1, A_BOLD, 0},
	[ROLE_MARK] = {COLOR_RED, -1, A_BOLD, A_BOLD},
	[ROLE_KEYBAR] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
};

static bool theme_colour;

void theme_init(bool colour)
{
	theme_colour = colour && has_colors() && start_color() == OK;
	if (!theme_colour)
		return;
	use_default_colors();
	for (int r = 1; r < ROLE_COUNT; r++)
		init_pair((short)r, theme_table[r].fg, theme_table[r].bg);
}

int theme_attr(enum tui_role r)
{
	if (r < 0 || r >= ROLE_COUNT)
		r = ROLE_NORMAL;
	if (!theme_colour)
		return theme_table[r].mono_attr;
	return (r ? (int)COLOR_PAIR(r) : 0) | theme_table[r].colour_attr;
}
