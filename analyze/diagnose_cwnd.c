/*
 * analyze/diagnose_cwnd.c — findings about congestion windows: the initial
 * windows senders used, reductions after loss (and what they say about the
 * algorithm), windows collapsed by slow start after idle.
 */
#include <stdio.h>
#include <string.h>

#include "cwnd.h"
#include "diagnose_internal.h"

static void diag_iw(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max)
{
	uint64_t total = t->kind_count[FIND_INITIAL_WINDOW];
	/* Responses shorter than any window say nothing about the window. */
	if (!total || t->iw_limit[CAUSE_CWND] + t->iw_limit[CAUSE_RWND] == 0)
		return;
	/* The most common size, for the explanation (the JSON has them all). */
	int best = 1;
	for (int i = 1; i < IW_BUCKETS; i++)
		if (t->iw_segments[i] > t->iw_segments[best])
			best = i;
	char common[64];
	snprintf(common, sizeof(common), "%llu with %s%d segment%s",
		 (unsigned long long)t->iw_segments[best], best == IW_BUCKETS - 1 ? "over " : "",
		 best == IW_BUCKETS - 1 ? IW_BUCKETS - 2 : best, best == 1 ? "" : "s");
	uint64_t cw = t->iw_limit[CAUSE_CWND], rw = t->iw_limit[CAUSE_RWND], app = t->iw_limit[CAUSE_APP];
	uint64_t small = 0;
	for (int i = 1; i < 10 && i < IW_BUCKETS; i++)
		small += t->iw_segments[i];
	struct finding *f = diag_add(out, n, max, FIND_INITIAL_WINDOW, CAUSE_NONE, total,
				     (double)small * 1e-9);
	if (!f)
		return;
	uint64_t cc[CAUSE_COUNT] = {0};
	cc[CAUSE_CWND] = cw;
	cc[CAUSE_RWND] = rw;
	cc[CAUSE_APP] = app;
	static const struct counted limits[] = {
		{CAUSE_CWND, "limited by the sender's congestion window"},
		{CAUSE_RWND, "limited by the receiver's initial window"},
		{CAUSE_APP, "limited by a response shorter than the window"},
	};
	char by[256];
	count_list(by, sizeof(by), cc, limits, sizeof(limits) / sizeof(limits[0]));
	snprintf(f->explanation, sizeof(f->explanation),
		 "%llu first flight%s after a handshake (most common: %s): %s. RFC 6928 allows "
		 "10 segments (Linux's default); an IW of 3-4 (RFC 3390) costs an extra round "
		 "trip or two for every response above ~4 kB.",
		 (unsigned long long)total, total == 1 ? "" : "s", common, by);
	snprintf(f->remedy, sizeof(f->remedy),
		 "For a small cwnd-limited IW, raise it on the sender's route (`ip route change "
		 "<route> initcwnd 10`); for an rwnd-limited one, the receiver's (`initrwnd 10`, "
		 "or a larger net.ipv4.tcp_rmem default). `ss -ti` on the sender shows cwnd.");
}

static void diag_reductions(const struct analyzer_totals *t, struct finding *out, size_t *n,
			    size_t max)
{
	uint64_t red = t->kind_count[FIND_CWND_REDUCTION];
	uint64_t guessed = t->cc_guess[CC_RENO] + t->cc_guess[CC_CUBIC] + t->cc_guess[CC_BBR];
	if (!red && !guessed)
		return;
	struct finding *f = diag_add(out, n, max, FIND_CWND_REDUCTION, CAUSE_NONE, red,
				     (double)red);
	if (!f)
		return;
	/* The finding counts reductions: with none, it says so, and the guesses
	 * come from elsewhere (BBR's pacing, a loss without a cut). */
	char cut[200] = "0 window cuts after loss were seen. ";
	if (red)
		snprintf(cut, sizeof(cut),
			 "Senders cut their window %llu time%s after loss, to %.2f of it on average "
			 "(about 0.5 is Reno, about 0.7 CUBIC; BBR barely reduces). ",
			 (unsigned long long)red, red == 1 ? "" : "s",
			 t->reduction_ratio_sum / (double)red);
	char guess[160] = "";
	static const char *const cc_name[] = {[CC_RENO] = "reno", [CC_CUBIC] = "cubic",
					      [CC_BBR] = "bbr"};
	static const int cc_order[] = {CC_RENO, CC_CUBIC, CC_BBR};
	size_t used = 0;
	for (size_t i = 0; i < 3; i++) {
		uint64_t k = t->cc_guess[cc_order[i]];
		if (!k || used >= sizeof(guess))
			continue;
		int w = snprintf(guess + used, sizeof(guess) - used, "%s%s for %llu connection%s",
				 used ? ", " : "", cc_name[cc_order[i]], (unsigned long long)k,
				 k == 1 ? "" : "s");
		used += w > 0 ? (size_t)w : 0;
	}
	snprintf(f->explanation, sizeof(f->explanation),
		 "%sAlgorithm guessed%s: %s (unknown where no loss was seen, where every resend "
		 "was spurious and the cut undone, or where one cut alone could be any of them).",
		 cut, red ? " from that" : "", guessed ? guess : "none");
	snprintf(f->remedy, sizeof(f->remedy),
		 "Reductions follow loss: fix the loss first. `sysctl "
		 "net.ipv4.tcp_congestion_control` (and `ss -ti`) shows the algorithm in use.");
}

static void diag_idle(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max)
{
	uint64_t idle = t->kind_count[FIND_IDLE_RESTART];
	if (!idle)
		return;
	struct finding *f = diag_add(out, n, max, FIND_IDLE_RESTART, CAUSE_NONE, idle,
				     (double)idle * 100);
	if (!f)
		return;
	snprintf(f->explanation, sizeof(f->explanation),
		 "%llu time%s a sender resumed after an idle longer than its RTO with a much "
		 "smaller window than before: slow start after idle (RFC 5681 §4.1; Linux halves "
		 "the window per RTO of idle). Each burst after a pause starts slow again.",
		 (unsigned long long)idle, idle == 1 ? "" : "s");
	snprintf(f->remedy, sizeof(f->remedy),
		 "For long-lived connections with bursty traffic (HTTP/2, RPC, databases): "
		 "`sysctl -w net.ipv4.tcp_slow_start_after_idle=0` on the sender.");
}

void diag_cwnd(const struct analyzer_totals *t, struct finding *out, size_t *n, size_t max)
{
	diag_iw(t, out, n, max);
	diag_reductions(t, out, n, max);
	diag_idle(t, out, n, max);
}
