/*
 * tui/keys.h — the key table: every key the TUI answers, the action it
 * means and the line the help screen shows. Keys follow htop/less habits.
 * The help screen is rendered from this table, so it cannot forget a key.
 */
#ifndef TCPLENS_TUI_KEYS_H
#define TCPLENS_TUI_KEYS_H

#include <stddef.h>

enum tui_action {
	ACT_NONE = 0,
	ACT_UP,
	ACT_DOWN,
	ACT_PGUP,
	ACT_PGDN,
	ACT_HOME,
	ACT_END,
	ACT_ENTER,
	ACT_BACK,
	ACT_FOCUS,     /* findings <-> flows */
	ACT_FILTER,
	ACT_SORT,
	ACT_REVERSE,
	ACT_PAUSE,
	ACT_HELP,
	ACT_INFO,      /* a finding's whole explanation and remedy */
	ACT_TL_FILTER, /* the timeline: which kinds it shows */
	ACT_FASTER,    /* replay: twice as fast */
	ACT_SLOWER,
	ACT_QUIT,
	ACT_RESIZE,
	ACT_REDRAW,
};

struct key_binding {
	int key;              /* a character or a curses KEY_* code */
	enum tui_action act;
	const char *label;    /* how help names the keys, on the first key of an action */
	const char *help;     /* NULL on the other keys of the same action */
};

extern const struct key_binding tui_keys[];
extern const size_t tui_nkeys;

/* The action of a key, ACT_NONE for keys not in the table. */
enum tui_action keys_action(int key);

#endif
