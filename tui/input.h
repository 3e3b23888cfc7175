/*
 * tui/input.h — the controller: what a key does to the view state (cursor,
 * screen stack, sort, filter, pause). Pure, like the view: tests drive it
 * with actions and check the state and the rendered screen.
 */
#ifndef TCPLENS_TUI_INPUT_H
#define TCPLENS_TUI_INPUT_H

#include <stdbool.h>

#include "keys.h"
#include "render.h"
#include "view.h"

/* Apply action a, seen on the view v as laid out in lay. Returns true when
 * the user asked to quit. */
bool input_apply(struct view_state *st, const struct view *v, const struct render_layout *lay,
		 enum tui_action a);
/* While st->editing: one key of the filter line (a character, Backspace
 * 127/263, Enter 10/13, Esc 27). */
void input_edit_key(struct view_state *st, int key);
/* After a rebuild: the cursor back on the flow it was on, wherever the
 * re-sort put it (it stays on its row when that flow is gone). */
void input_follow(struct view_state *st, const struct view *v);
/* Keep cursors inside the lists and visible (after every view_build). */
void input_clamp(struct view_state *st, const struct view *v, const struct render_layout *lay);

#endif
