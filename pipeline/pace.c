/*
 * pipeline/pace.c — see pace.h.
 */
#include "pace.h"

#include <time.h>

#include "tui/tui.h"
#include "common/mono_clock.h"

void pace_init(struct pace *p, double speed)
{
	*p = (struct pace){.speed = speed};
}

double pace_due_in(struct pace *p, uint64_t ts_ns, double now)
{
	if (!p->started) {
		p->started = true;
		p->first_ts = ts_ns;
		/* anchored while paused: at the pause, which resuming adds back */
		p->wall0 = p->paused ? p->paused_at : now;
	}
	if (p->speed <= 0 || ts_ns <= p->first_ts)
		return 0;
	double offset = (double)(ts_ns - p->first_ts) / NS_PER_S / p->speed;
	double at = p->paused ? p->paused_at : now;
	return p->wall0 + offset - at;
}

void pace_set_speed(struct pace *p, double speed, double now)
{
	if (speed == p->speed)
		return;
	if (p->started && p->speed > 0 && speed > 0) {
		/* The capture time replayed so far stays: re-anchor the clock. */
		double at = p->paused ? p->paused_at : now;
		double replayed = (at - p->wall0) * p->speed;
		p->wall0 = at - replayed / speed;
	} else if (p->started && speed > 0) {
		/* From max: the packet due now is the last one handed out. */
		p->started = false;
	}
	p->speed = speed;
}

void pace_set_paused(struct pace *p, bool paused, double now)
{
	if (paused == p->paused)
		return;
	if (paused)
		p->paused_at = now;
	else if (p->started)
		p->wall0 += now - p->paused_at;  /* the pause does not count */
	p->paused = paused;
}

bool pace_wait(struct pace *p, uint64_t ts_ns, struct tui *t, volatile sig_atomic_t *stop)
{
	for (;;) {
		if (stop && *stop)
			return true;
		double now = mono_clock_s();
		if (t) {
			pace_set_speed(p, tui_speed(t), now);
			pace_set_paused(p, tui_paused(t), now);
		}
		double due = pace_due_in(p, ts_ns, now);
		if (due <= 0 && !p->paused)
			return t ? tui_tick(t) : false;
		double wait = p->paused || due > 0.1 ? 0.1 : due;
		if (t) {
			if (tui_wait(t, wait))
				return true;
		} else {
			struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(wait * NS_PER_S)};
			nanosleep(&ts, NULL);
		}
	}
}
