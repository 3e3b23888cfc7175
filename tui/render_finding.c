/*
 * tui/render_finding.c — the finding screen: one diagnosis finding's whole
 * explanation and remedy, word-wrapped to the terminal and scrolled (the
 * main screen has room for the first sentence only). The words are the
 * report's (struct finding from diagnose()), the same the JSON carries.
 */
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "theme.h"

#define INDENT 2
#define LINE_MAX_CHARS 512

struct lines {
	struct screen *s;      /* NULL: count only */
	int row, top, rows;    /* where the shown part goes, its first line, its height */
	int n;                 /* lines so far */
};

static void line(struct lines *l, int col, enum tui_role role, const char *text)
{
	int at = l->n++ - l->top;
	if (l->s && at >= 0 && at < l->rows)
		screen_put(l->s, l->row + at, col, role, text);
}

/* text word-wrapped to width columns from col; a word longer than a line is
 * cut where the line ends. */
static void wrapped(struct lines *l, int col, int width, const char *text)
{
	char buf[LINE_MAX_CHARS];
	if (width < 8)
		width = 8;
	if (width >= LINE_MAX_CHARS)
		width = LINE_MAX_CHARS - 1;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t len = strlen(p);
		size_t take = len;
		if (len > (size_t)width) {
			take = (size_t)width;
			while (take > 0 && p[take] != ' ')
				take--;
			if (take == 0)
				take = (size_t)width;
		}
		memcpy(buf, p, take);
		buf[take] = 0;
		while (take > 0 && buf[take - 1] == ' ')
			buf[--take] = 0;
		line(l, col, ROLE_NORMAL, buf);
		p += take;
	}
}

/* Every line of the screen's body, into l. */
static void body(struct lines *l, const struct view *v, const struct view_state *st, int w)
{
	const struct finding *f = view_finding_text(v, st->ff_kind, st->ff_cause);
	int width = w - 2 * INDENT;
	if (!f) {
		line(l, INDENT, ROLE_NORMAL, "This finding is no longer in the diagnosis.");
		return;
	}
	if (f->host[0]) {
		char h[96];
		snprintf(h, sizeof(h), "About host %s", f->host);
		line(l, INDENT, ROLE_NORMAL, h);
		line(l, 0, ROLE_NORMAL, "");
	}
	line(l, 1, ROLE_TITLE, "What tcplens saw");
	wrapped(l, INDENT, width, f->explanation);
	line(l, 0, ROLE_NORMAL, "");
	line(l, 1, ROLE_TITLE, "What to do");
	wrapped(l, INDENT, width, f->remedy);
	line(l, 0, ROLE_NORMAL, "");
	wrapped(l, INDENT, width, "Enter lists the flows behind it; Esc goes back.");
}

int finding_text_lines(const struct view *v, const struct view_state *st, int width)
{
	struct lines l = {0};
	body(&l, v, st, width);
	return l.n;
}

void render_finding(struct screen *s, const struct view *v, const struct view_state *st,
		    const struct render_layout *lay, int row)
{
	const struct view_finding *vf = NULL;
	for (size_t i = 0; i < v->nfindings; i++)
		if (v->findings[i].kind == st->ff_kind && v->findings[i].cause == st->ff_cause)
			vf = &v->findings[i];
	screen_fill(s, row, 0, s->w, ' ', ROLE_COLHEAD);
	if (vf) {
		char lost[48] = "";
		if (vf->lost_ms >= 0)
			snprintf(lost, sizeof(lost), ", %.0f ms lost", vf->lost_ms);
		screen_printf(s, row, 0, ROLE_COLHEAD, " Finding: %s, %s, %llu time%s%s", vf->name,
			      severity_name(vf->severity), (unsigned long long)vf->count,
			      vf->count == 1 ? "" : "s", lost);
	} else {
		screen_printf(s, row, 0, ROLE_COLHEAD, " Finding: %s", finding_name(st->ff_kind));
	}
	struct lines l = {.s = s, .row = row + 1, .top = st->finding_top, .rows = lay->finding_rows};
	body(&l, v, st, s->w);
	if (l.n - l.top > l.rows) /* more below: said on the line under the text */
		screen_put(s, row + 1 + l.rows, INDENT, ROLE_TITLE, "-- more: j, PgDn --");
}
