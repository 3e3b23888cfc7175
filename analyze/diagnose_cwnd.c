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
	snprintf(f->explanation, sizeof(f->explanation),
		 "%llu first flights after a handshake (most common: %s). Limited by the "
		 "sender's congestion window %llu times, by the receiver's initial window %llu, "
		 "by a response shorter than the window %llu. RFC 6928 allows 10 segments "
		 "(Linux's default); an IW of 3-4 (RFC 3390) costs an extra round trip or two "
		 "for every response above ~4 kB.",
		 (unsigned long long)total, common, (unsigned long long)cw, (unsigned long long)rw,
		 (unsigned long long)app);
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
	snprintf(f->explanation, sizeof(f->explanation),
		 "Senders cut their window %llu time(s) after loss, to %.2f of it on average "
		 "(about 0.5 is Reno, about 0.7 CUBIC; BBR barely reduces). Algorithm guessed "
		 "from that: reno %llu, cubic %llu, bbr %llu connections (unknown where no loss "
		 "was seen, where every resend was spurious and the cut undone, or where one "
		 "cut alone could be any of them).",
		 (unsigned long long)red, red ? t->reduction_ratio_sum / (double)red : 0,
		 (unsigned long long)t->cc_guess[CC_RENO], (unsigned long long)t->cc_guess[CC_CUBIC],
		 (unsigned long long)t->cc_guess[CC_BBR]);
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
		 "%llu times a sender resumed after an idle longer than its RTO with a much "
		 "smaller window than before: slow start after idle (RFC 5681 §4.1; Linux halves "
		 "the window per RTO of idle). Each burst after a pause starts slow again.",
		 (unsigned long long)idle);
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
