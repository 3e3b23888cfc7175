/*
 * tui/input.c — keys to view-state changes. See input.h.
 */
#include "input.h"

#include <string.h>

static void push(struct view_state *st, enum view_screen s)
{
	if (st->screen == s)
		return;
	if (st->depth < VIEW_SCREEN_STACK)
		st->back[st->depth++] = st->screen;
	st->screen = s;
}

static void pop(struct view_state *st)
{
	if (st->depth > 0) {
		st->screen = st->back[--st->depth];
	} else if (st->filter[0]) {
		st->filter[0] = 0;   /* Esc on the main screen clears the filter */
		st->sel_flow = 0;
	}
}

/* The cursor (or scroll position) the action moves on this screen, and the
 * page height. */
static int *cursor(struct view_state *st, const struct render_layout *lay, int *page)
{
	switch (st->screen) {
	case SCREEN_HELP:
		*page = lay->help_rows;
		return &st->help_top;
	case SCREEN_DETAIL:
		*page = lay->timeline_rows;
		return &st->detail_top;
	case SCREEN_FINDING:
		*page = lay->finding_rows;
		return &st->finding_top;
	case SCREEN_MAIN:
		if (st->focus == 0) {
			*page = lay->findings_rows;
			return &st->sel_finding;
		}
		break;
	case SCREEN_FINDING_FLOWS:
		break;
	}
	*page = lay->flows_rows;
	return &st->sel_flow;
}

/* The finding under the cursor (main screen, findings focused), or the one
 * whose flows are listed: its text screen. */
static void info(struct view_state *st, const struct view *v)
{
	if (st->screen == SCREEN_MAIN && st->focus == 0) {
		if (st->sel_finding < 0 || (size_t)st->sel_finding >= v->nfindings)
			return;
		st->ff_kind = v->findings[st->sel_finding].kind;
		st->ff_cause = v->findings[st->sel_finding].cause;
	} else if (st->screen != SCREEN_FINDING_FLOWS) {
		return;
	}
	st->finding_top = 0;
	push(st, SCREEN_FINDING);
}

static void enter(struct view_state *st, const struct view *v)
{
	if (st->screen == SCREEN_FINDING) { /* its flows */
		st->sel_flow = st->top_flow = 0;
		push(st, SCREEN_FINDING_FLOWS);
		return;
	}
	if (st->screen == SCREEN_MAIN && st->focus == 0) {
		if (st->sel_finding < 0 || (size_t)st->sel_finding >= v->nfindings)
			return;
		st->ff_kind = v->findings[st->sel_finding].kind;
		st->ff_cause = v->findings[st->sel_finding].cause;
		st->sel_flow = st->top_flow = 0;
		push(st, SCREEN_FINDING_FLOWS);
		return;
	}
	if (st->screen == SCREEN_MAIN || st->screen == SCREEN_FINDING_FLOWS) {
		if (st->sel_flow < 0 || (size_t)st->sel_flow >= v->nrows)
			return;
		st->detail_id = v->rows[st->sel_flow].id;
		st->detail_top = 0;
		st->tl_filter = TL_DEFAULT;
		push(st, SCREEN_DETAIL);
	}
}

bool input_apply(struct view_state *st, const struct view *v, const struct render_layout *lay,
		 enum tui_action a)
{
	int page = 1;
	int *cur = cursor(st, lay, &page);
	if (page < 1)
		page = 1;
	switch (a) {
	case ACT_UP: (*cur)--; break;
	case ACT_DOWN: (*cur)++; break;
	case ACT_PGUP: *cur -= page; break;
	case ACT_PGDN: *cur += page; break;
	case ACT_HOME: *cur = 0; break;
	case ACT_END: *cur = 1 << 30; break;
	case ACT_ENTER: enter(st, v); break;
	case ACT_INFO: info(st, v); break;
	case ACT_TL_FILTER:
		if (st->screen == SCREEN_DETAIL) {
			st->tl_filter = view_timeline_next(&v->detail, st->tl_filter);
			st->detail_top = 0;
		}
		break;
	case ACT_BACK: pop(st); break;
	case ACT_FOCUS:
		if (st->screen == SCREEN_MAIN)
			st->focus = !st->focus;
		break;
	case ACT_FILTER:
		st->editing = true;
		memcpy(st->edit, st->filter, sizeof(st->edit));
		break;
	case ACT_SORT: /* the cursor stays on its flow (input_follow) */
		st->sort = (enum view_col)((st->sort + 1) % COL_COUNT);
		break;
	case ACT_REVERSE:
		st->reverse = !st->reverse;
		break;
	case ACT_PAUSE: st->paused = !st->paused; break;
	case ACT_FASTER: /* x2 up to 1024, then max (0); max stays */
		if (st->speed > 0)
			st->speed = st->speed >= VIEW_SPEED_MAX ? 0
				    : st->speed * 2 > VIEW_SPEED_MAX ? VIEW_SPEED_MAX : st->speed * 2;
		break;
	case ACT_SLOWER:
		st->speed = st->speed <= 0 ? VIEW_SPEED_MAX
			    : st->speed / 2 < VIEW_SPEED_MIN ? VIEW_SPEED_MIN : st->speed / 2;
		break;
	case ACT_HELP:
		if (st->screen == SCREEN_HELP)
			pop(st);
		else {
			st->help_top = 0;
			push(st, SCREEN_HELP);
		}
		break;
	case ACT_QUIT: return true;
	case ACT_NONE:
	case ACT_RESIZE:
	case ACT_REDRAW: break;
	}
	input_clamp(st, v, lay);
	/* The flow under the cursor, when the cursor moved on the flows (a
	 * sort keeps it; a list made anew starts at its top: no flow). */
	if (cur == &st->sel_flow && a >= ACT_UP && a <= ACT_END)
		st->sel_flow_id = st->sel_flow >= 0 && (size_t)st->sel_flow < v->nrows
					  ? v->rows[st->sel_flow].id : 0;
	else if (st->sel_flow == 0 && a != ACT_SORT && a != ACT_REVERSE)
		st->sel_flow_id = 0;
	return false;
}

void input_follow(struct view_state *st, const struct view *v)
{
	if (!st->sel_flow_id)
		return;
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i].id == st->sel_flow_id) {
			st->top_flow += (int)i - st->sel_flow; /* the list moves with it */
			st->sel_flow = (int)i;
			return;
		}
}

void input_edit_key(struct view_state *st, int key)
{
	size_t n = strlen(st->edit);
	if (key == '\n' || key == '\r' || key == 0x157 /* KEY_ENTER */) {
		memcpy(st->filter, st->edit, sizeof(st->filter));
		st->editing = false;
		st->sel_flow = st->top_flow = 0;
		st->sel_flow_id = 0;
		if (st->screen == SCREEN_MAIN)
			st->focus = 1;
	} else if (key == 27) {
		st->editing = false;
	} else if (key == 127 || key == 8 || key == 0x107 /* KEY_BACKSPACE */) {
		if (n)
			st->edit[n - 1] = 0;
	} else if (key >= 0x20 && key < 0x7f && n + 1 < sizeof(st->edit)) {
		st->edit[n] = (char)key;
		st->edit[n + 1] = 0;
	}
}

static void clamp_list(int *sel, int *top, int n, int rows)
{
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	if (rows < 1)
		rows = 1;
	if (*top > *sel)
		*top = *sel;
	if (*sel >= *top + rows)
		*top = *sel - rows + 1;
	if (*top < 0)
		*top = 0;
}

void input_clamp(struct view_state *st, const struct view *v, const struct render_layout *lay)
{
	clamp_list(&st->sel_finding, &st->top_finding, (int)v->nfindings, lay->findings_rows);
	clamp_list(&st->sel_flow, &st->top_flow, (int)v->nrows, lay->flows_rows);
	int max_top = (int)v->detail.nevents - lay->timeline_rows;
	if (st->detail_top > max_top)
		st->detail_top = max_top;
	if (st->detail_top < 0)
		st->detail_top = 0;
	int fmax = lay->finding_lines - lay->finding_rows;
	if (st->finding_top > fmax)
		st->finding_top = fmax;
	if (st->finding_top < 0)
		st->finding_top = 0;
	int hmax = lay->help_lines - lay->help_rows;
	if (st->help_top > hmax)
		st->help_top = hmax;
	if (st->help_top < 0)
		st->help_top = 0;
}
