/*
 * tui/render.h — lay the view model out into a character buffer: the main
 * screen (header, findings, flows), a finding's flows, a flow's detail and
 * the help. No terminal here: tests render and read the buffer as text.
 */
#ifndef TCPLENS_TUI_RENDER_H
#define TCPLENS_TUI_RENDER_H

#include "screen.h"
#include "view.h"

/* How many lines each list gets at the buffer's size (for paging and for
 * keeping the cursor visible). */
struct render_layout {
	int header_rows;
	int findings_rows;
	int flows_rows;
	int timeline_rows;
	int help_rows, help_lines;
	int finding_rows, finding_lines;  /* SCREEN_FINDING: shown, in all */
};

void render_layout(const struct view *v, const struct view_state *st, int w, int h,
		   struct render_layout *lay);
/* Clear s and draw the screen st->screen of v. */
void render(struct screen *s, const struct view *v, const struct view_state *st);

/* render_finding.c: the finding screen's text, wrapped to the width. */
int finding_text_lines(const struct view *v, const struct view_state *st, int width);
void render_finding(struct screen *s, const struct view *v, const struct view_state *st,
		    const struct render_layout *lay, int row);

/* render_detail.c */
void render_detail(struct screen *s, const struct view *v, const struct view_state *st,
		   const struct render_layout *lay, int row);
/* The flight-per-round plot of d in the box (row, col, w, h). */
void render_plot(struct screen *s, const struct view_detail *d, int row, int col, int w, int h);

#endif
