/*
 * pipeline/pace.h — paced replay of a saved capture: each packet is handed to the
 * analyzer when its offset from the first packet, divided by the speed, has
 * elapsed on a monotonic clock. The clock only paces: the analysis sees the
 * same packets in the same order as offline, so its report is identical.
 * Pausing stops the clock (the time paused is not counted).
 */
#ifndef TCPLENS_PIPELINE_PACE_H
#define TCPLENS_PIPELINE_PACE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct tui;

struct pace {
	double speed;          /* 1 = recorded pace, 2 = twice as fast, 0 = max */
	bool started, paused;
	uint64_t first_ts;     /* the first packet's timestamp */
	double wall0;          /* the clock when it was due */
	double paused_at;
};

void pace_init(struct pace *p, double speed);
/* Seconds until the packet stamped ts_ns is due at clock now (mono_clock_s;
 * <= 0: due).
 * The first call anchors the replay. Pure: now is the caller's. */
double pace_due_in(struct pace *p, uint64_t ts_ns, double now);
/* Change the speed at now (0 = max), the replay going on from where it is. */
void pace_set_speed(struct pace *p, double speed, double now);
/* Stop or restart the clock at now. */
void pace_set_paused(struct pace *p, bool paused, double now);
/* Wait until the packet is due, and while the TUI is paused. With a TUI the
 * wait is spent answering keys and redrawing; without, sleeping. Returns
 * true when the user quit or *stop was set (a signal). */
bool pace_wait(struct pace *p, uint64_t ts_ns, struct tui *t, volatile sig_atomic_t *stop);

#endif
