/*
 * tui/tui.h — the interactive TUI as the analyzer's observer. main() keeps
 * the capture/analysis loop; the TUI is bound in front of the report's sink
 * (a fan-out: every event and ended flow goes to the report and to the
 * TUI's retained lists) and is ticked between batches (and during a paced
 * replay's waits). It redraws at most ~10 times a second from snapshots:
 * the monotonic clock paces drawing only, the analysis never sees it.
 *
 * The report writer keeps running as usual; main prints it after tui_finish
 * (the terminal is restored by then).
 */
#ifndef TCPLENS_TUI_H
#define TCPLENS_TUI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "analyze/analyzer.h"
#include "capture/capture.h"

struct tui_config {
	const char *source_kind, *source_name;
	bool live;                  /* -i / --nfqueue: pause freezes the display */
	bool replay;                /* --replay: pause stops the clock */
	double speed;               /* replay speed, 0 = max */
	/* Capture statistics (kernel drops) when the header redraws; may be NULL. */
	int (*stats)(void *user, struct capture_stats *out);
	/* How far the source is read (bytes done of total), for a replay's
	 * progress; -1 when unknown. May be NULL. */
	int (*position)(void *user, uint64_t *done, uint64_t *total);
	void *stats_user;
	volatile sig_atomic_t *stop;   /* set by a signal handler: leave the TUI */
};

struct tui;

/* NULL when out of memory. Does not touch the terminal yet. */
struct tui *tui_new(const struct tui_config *cfg);
/* Put the TUI in front of sink: its calls then reach the previous sink and
 * the TUI. */
void tui_bind(struct tui *t, struct analyzer_sink *sink);
/* What the TUI keeps of ended flows and events (its view's input; tests
 * build the view from it without a terminal). */
struct retain;
const struct retain *tui_retained(const struct tui *t);
/* The analyzer to draw (set before the first packet). */
void tui_set_analyzer(struct tui *t, const struct analyzer *a);
/* Take the terminal (curses). 0, or -1 with err (not a terminal). */
int tui_start(struct tui *t, char *err, size_t len);
/* Answer pending keys without waiting and redraw when due. Returns true when
 * the user quit. */
bool tui_tick(struct tui *t);
/* Like tui_tick, but wait up to max_s seconds for a key first. */
bool tui_wait(struct tui *t, double max_s);
bool tui_paused(const struct tui *t);
/* The replay speed the user chose (+ and -; the configured one at first). */
double tui_speed(const struct tui *t);
/* The capture is over: unless the user already quit, browse the final
 * analysis until q; then give the terminal back. */
void tui_finish(struct tui *t);
void tui_free(struct tui *t);

#endif
