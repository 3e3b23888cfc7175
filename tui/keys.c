/*
 * tui/keys.c — the key table. See keys.h.
 */
#include "keys.h"

#include <curses.h>

#define CTRL(c) ((c) & 0x1f)

const struct key_binding tui_keys[] = {
	{KEY_UP, ACT_UP, "Up, k", "move up"},
	{'k', ACT_UP, NULL, NULL},
	{KEY_DOWN, ACT_DOWN, "Down, j", "move down"},
	{'j', ACT_DOWN, NULL, NULL},
	{KEY_PPAGE, ACT_PGUP, "PgUp", "page up"},
	{KEY_NPAGE, ACT_PGDN, "PgDn, Space", "page down"},
	{' ', ACT_PGDN, NULL, NULL},
	{KEY_HOME, ACT_HOME, "Home, g", "first line"},
	{'g', ACT_HOME, NULL, NULL},
	{KEY_END, ACT_END, "End, G", "last line"},
	{'G', ACT_END, NULL, NULL},
	{'\n', ACT_ENTER, "Enter", "drill in: a finding's flows, a flow's detail"},
	{'\r', ACT_ENTER, NULL, NULL},
	{KEY_ENTER, ACT_ENTER, NULL, NULL},
	{27, ACT_BACK, "Esc, Backspace", "back to the previous screen"},
	{KEY_BACKSPACE, ACT_BACK, NULL, NULL},
	{127, ACT_BACK, NULL, NULL},
	{'\b', ACT_BACK, NULL, NULL},
	{KEY_LEFT, ACT_BACK, NULL, NULL},
	{'\t', ACT_FOCUS, "Tab", "switch between findings and flows"},
	{'i', ACT_INFO, "i", "a finding's whole explanation and remedy"},
	{'f', ACT_TL_FILTER, "f", "flow detail: the timeline's kinds (default hides offload artifacts)"},
	{'/', ACT_FILTER, "/", "filter flows by text or address:port; empty clears"},
	{'s', ACT_SORT, "s, F6", "sort flows by the next column"},
	{KEY_F(6), ACT_SORT, NULL, NULL},
	{'r', ACT_REVERSE, "r", "reverse the sort order"},
	{'p', ACT_PAUSE, "p", "pause: replay stops its clock, live freezes"},
	{'+', ACT_FASTER, "+, -", "replay: twice as fast, half as fast (up to max)"},
	{'=', ACT_FASTER, NULL, NULL},
	{'-', ACT_SLOWER, NULL, NULL},
	{'?', ACT_HELP, "?, h, F1", "this help"},
	{'h', ACT_HELP, NULL, NULL},
	{KEY_F(1), ACT_HELP, NULL, NULL},
	{'q', ACT_QUIT, "q, F10", "quit: the report goes to stdout or -o"},
	{KEY_F(10), ACT_QUIT, NULL, NULL},
	{KEY_RESIZE, ACT_RESIZE, NULL, NULL},
	{CTRL('l'), ACT_REDRAW, "Ctrl-L", "redraw the screen"},
};

const size_t tui_nkeys = sizeof(tui_keys) / sizeof(tui_keys[0]);

enum tui_action keys_action(int key)
{
	for (size_t i = 0; i < tui_nkeys; i++)
		if (tui_keys[i].key == key)
			return tui_keys[i].act;
	return ACT_NONE;
}
