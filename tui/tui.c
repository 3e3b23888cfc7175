/*
 * tui/tui.c — the curses front: terminal setup, keys in, the rendered
 * buffer out, redraw pacing, the fan-out sink. Everything it shows comes
 * from view_build + render (pure); this file is the only one that draws.
 */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "render.h"
#include "retain.h"
#include "screen.h"
#include "theme.h"
#include "view.h"
#include "common/mono_clock.h"

#define TUI_REDRAW_S 0.1     /* at most ~10 redraws a second */
#define TUI_ROWS_CAP 4096    /* flows in the table */
#define RATE_SAMPLES 32      /* builds remembered (>= 1 s at 10 a second) */
#define RATE_WINDOW_S 1.0


struct tui {
	struct tui_config cfg;
	struct analyzer_sink next;     /* the sink the TUI was put in front of */
	struct retain ret;
	struct view view;
	struct view_state st;
	struct screen scr;
	struct render_layout lay;
	const struct analyzer *an;
	bool started, quit, ended, built;
	/* The terminal: stdin/stdout, or /dev/tty when they are redirected
	 * (as htop and less do: tcplens --tui -r f.pcap > report.txt). */
	SCREEN *term;
	FILE *tty;
	int in_fd;
	double last_draw;
	/* Counters at the latest builds, for the last second's rate. */
	struct rate_sample {
		double clock;
		uint64_t frames, bytes;
	} rate[RATE_SAMPLES];
	unsigned nrate, rate_at;
};

static void on_event(void *user, const struct flow *f, const struct finding_event *ev)
{
	struct tui *t = user;
	if (t->next.event)
		t->next.event(t->next.user, f, ev);
	retain_event(&t->ret, f, ev);
}

static void on_flow_end(void *user, const struct flow *f, enum flow_retire_reason why,
			const struct flow_rounds *rounds)
{
	struct tui *t = user;
	retain_flow_end(&t->ret, f, why, rounds);
	if (t->next.flow_end)
		t->next.flow_end(t->next.user, f, why, rounds);
}

struct tui *tui_new(const struct tui_config *cfg)
{
	struct tui *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (retain_init(&t->ret) < 0 || view_init(&t->view, TUI_ROWS_CAP) < 0 ||
	    screen_resize(&t->scr, 80, 24) < 0) {
		tui_free(t);
		return NULL;
	}
	view_state_init(&t->st);
	t->st.speed = cfg->speed;
	return t;
}

void tui_bind(struct tui *t, struct analyzer_sink *sink)
{
	t->next = *sink;
	sink->user = t;
	sink->event = on_event;
	sink->flow_end = on_flow_end;
}

const struct retain *tui_retained(const struct tui *t)
{
	return &t->ret;
}

void tui_set_analyzer(struct tui *t, const struct analyzer *a)
{
	t->an = a;
}

int tui_start(struct tui *t, char *err, size_t len)
{
	t->in_fd = STDIN_FILENO;
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		t->term = newterm(NULL, stdout, stdin);
	} else {
		if (!(t->tty = fopen("/dev/tty", "r+e"))) {
			snprintf(err, len, "the TUI needs a terminal, and there is none (/dev/tty: "
				 "%s); use --no-tui for a report", strerror(errno));
			return -1;
		}
		t->in_fd = fileno(t->tty);
		t->term = newterm(NULL, t->tty, t->tty);
	}
	if (!t->term) {
		snprintf(err, len, "cannot initialize the terminal (TERM=%s)",
			 getenv("TERM") ? getenv("TERM") : "");
		if (t->tty)
			fclose(t->tty);
		t->tty = NULL;
		return -1;
	}
	set_term(t->term);
	t->started = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	const char *nc = getenv("NO_COLOR");
	theme_init(!(nc && *nc));
	int h, w;
	getmaxyx(stdscr, h, w);
	screen_resize(&t->scr, w, h);
	return 0;
}

bool tui_paused(const struct tui *t)
{
	return t->st.paused;
}

double tui_speed(const struct tui *t)
{
	return t->st.speed;
}

static void blit(const struct screen *s)
{
	char run[1024];
	for (int r = 0; r < s->h; r++) {
		int c = 0;
		while (c < s->w) {
			int role = s->cells[r * s->w + c].role, n = 0, start = c;
			while (c < s->w && s->cells[r * s->w + c].role == role &&
			       n < (int)sizeof(run) - 1)
				run[n++] = s->cells[r * s->w + c++].ch;
			run[n] = 0;
			attrset(theme_attr((enum tui_role)role));
			mvaddnstr(r, start, run, n);
		}
	}
	attrset(A_NORMAL);
	wnoutrefresh(stdscr);
	doupdate();
}

/* The clock the rate is counted by: the wall clock live (a quiet link's
 * rate falls to 0), the capture's in a replay (its pace is the capture's). */
static double rate_clock(const struct tui *t, const struct analyzer_totals *tot)
{
	return t->cfg.live ? mono_clock_s() : (double)tot->last_ts / NS_PER_S;
}

static void rate_note(struct tui *t, const struct analyzer_totals *tot)
{
	t->rate[t->rate_at] = (struct rate_sample){rate_clock(t, tot), tot->frames, tot->bytes};
	t->rate_at = (t->rate_at + 1) % RATE_SAMPLES;
	if (t->nrate < RATE_SAMPLES)
		t->nrate++;
}

/* The counters' growth from the newest sample at least RATE_WINDOW_S old
 * (or the oldest kept) to now, into in->rate_*. */
static void rate_window(const struct tui *t, struct view_input *in)
{
	if (!t->nrate || !t->an)
		return;
	/* frames and bytes are counted per frame: current without a snapshot */
	const struct analyzer_totals *now = analyzer_totals(t->an);
	double clock = rate_clock(t, now);
	const struct rate_sample *from = NULL;
	for (unsigned i = 0; i < t->nrate; i++) {
		const struct rate_sample *r = &t->rate[(t->rate_at + RATE_SAMPLES - 1 - i) % RATE_SAMPLES];
		if (!t->cfg.live && !r->frames)
			break; /* before the first frame: no capture time yet */
		from = r;
		if (clock - r->clock >= RATE_WINDOW_S)
			break;
	}
	if (!from || clock - from->clock < RATE_WINDOW_S / 2 || now->frames < from->frames)
		return;
	in->rate_s = clock - from->clock;
	in->rate_frames = now->frames - from->frames;
	in->rate_bytes = now->bytes - from->bytes;
}

static void build(struct tui *t)
{
	struct view_input in = {
		.an = t->an,
		.ret = &t->ret,
		.source_kind = t->cfg.source_kind,
		.source_name = t->cfg.source_name,
		.live = t->cfg.live,
		.replay = t->cfg.replay,
		.speed = t->st.speed,
		.ended = t->ended,
	};
	rate_window(t, &in);
	if (t->cfg.stats)
		in.cs_known = t->cfg.stats(t->cfg.stats_user, &in.cs) == 0;
	uint64_t done, total;
	in.progress = -1;
	if (t->cfg.replay && t->cfg.position &&
	    t->cfg.position(t->cfg.stats_user, &done, &total) == 0 && total)
		in.progress = (double)done / (double)total;
	view_build(&t->view, &in, &t->st);
	input_follow(&t->st, &t->view);
	rate_note(t, t->view.totals);
	t->built = true;
}

/* Rebuild (unless live and paused: the display is frozen) and draw. */
static void redraw(struct tui *t, bool rebuild)
{
	if (rebuild || !t->built)
		if (!(t->cfg.live && t->st.paused && t->built && !t->ended))
			build(t);
	render_layout(&t->view, &t->st, t->scr.w, t->scr.h, &t->lay);
	input_clamp(&t->st, &t->view, &t->lay);
	render(&t->scr, &t->view, &t->st);
	blit(&t->scr);
	t->last_draw = mono_clock_s();
}

static void handle_key(struct tui *t, int key)
{
	if (t->st.editing) {
		input_edit_key(&t->st, key == KEY_ENTER ? '\n' : key == KEY_BACKSPACE ? 127 : key);
		return;
	}
	enum tui_action a = keys_action(key);
	if (a == ACT_RESIZE) {
		int h, w;
		getmaxyx(stdscr, h, w);
		screen_resize(&t->scr, w, h);
		clear();
	} else if (a == ACT_REDRAW) {
		clear();
	}
	render_layout(&t->view, &t->st, t->scr.w, t->scr.h, &t->lay);
	if (input_apply(&t->st, &t->view, &t->lay, a))
		t->quit = true;
}

/* Read every pending key; true when one was read. */
static bool drain_keys(struct tui *t)
{
	bool any = false;
	int key;
	while (!t->quit && (key = getch()) != ERR) {
		handle_key(t, key);
		any = true;
	}
	return any;
}

bool tui_tick(struct tui *t)
{
	if (!t->started)
		return false;
	if (t->cfg.stop && *t->cfg.stop)
		t->quit = true;
	bool keys = drain_keys(t);
	if (t->quit)
		return true;
	double now = mono_clock_s();
	/* After the end nothing changes: redraw for keys only. */
	if (keys || (!t->ended && now - t->last_draw >= TUI_REDRAW_S))
		redraw(t, true);
	return t->quit;
}

bool tui_wait(struct tui *t, double max_s)
{
	if (!t->started)
		return false;
	double left = TUI_REDRAW_S - (mono_clock_s() - t->last_draw);
	if (left > max_s)
		left = max_s;
	if (left > 0) {
		struct pollfd pfd = {.fd = t->in_fd, .events = POLLIN};
		poll(&pfd, 1, (int)(left * 1000) + 1);
	}
	return tui_tick(t);
}

/* Give the terminal back (once). */
static void release_terminal(struct tui *t)
{
	if (t->started)
		endwin();
	t->started = false;
	if (t->term)
		delscreen(t->term);
	t->term = NULL;
	if (t->tty)
		fclose(t->tty);
	t->tty = NULL;
}

void tui_finish(struct tui *t)
{
	if (!t->started)
		return;
	t->ended = true;
	if (!t->quit && !(t->cfg.stop && *t->cfg.stop)) {
		redraw(t, true);
		while (!tui_wait(t, 1.0))
			;
	}
	release_terminal(t);
}

void tui_free(struct tui *t)
{
	if (!t)
		return;
	release_terminal(t);
	retain_free(&t->ret);
	view_free(&t->view);
	screen_free(&t->scr);
	free(t);
}
