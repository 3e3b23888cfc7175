/*
 * report/clickhouse_sink.c — see clickhouse_sink.h.
 *
 * The spool is one byte ring per table, each half the bound: a record is a
 * row ending in '\n' (JSON text never holds a raw newline). The analysis
 * thread writes at a ring's tail under the mutex; the sender copies records
 * from its head into that table's batch buffer, outside the mutex (the
 * bytes between head and head + used are the sender's until it moves
 * head), and frees ring space once a record is in the batch. A batch being
 * sent or retried still counts against its ring's bound (`held`), so the
 * spool's memory is the bound, however long ClickHouse is away. Each table
 * has its own ring, batch and backoff: a table ClickHouse refuses never
 * holds back the other's rows.
 */
#include "clickhouse_sink.h"

#include "curl_lazy.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clickhouse_http.h"
#include "clickhouse_rows.h"
#include "common/mono_clock.h"
#include "jw.h"

#define CH_BATCH_MAX (1u << 20)      /* bytes of one POST */
#define CH_BATCH_MIN (4u << 10)      /* ... with a tiny spool */
#define CH_BATCH_AGE_S 1.0           /* a batch waits at most this long */
#define CH_TICK_S 0.2                /* the sender looks at the spool this often */
#define CH_BACKOFF_MIN_S 0.1
#define CH_BACKOFF_MAX_S 5.0
#define CH_POST_TIMEOUT_S 30.0       /* one POST while capturing */
#define CH_WARN_EVERY_S 10.0
#define CH_ROW_ROOM 8192             /* a row's own columns; plus the origin's */
#define CH_DATA_TRIES 3              /* a batch refused for its rows this often is split */
#define CH_PROBE_TIMEOUT_MS 3000L

static const char *const table_names[CLICKHOUSE_TABLES] = {"events", "flows"};

struct batch {
	char *buf;
	size_t len;
	uint64_t rows;
	double since;            /* when its first row came in (mono) */
};

/* One table's ring, batch and backoff. The ring and the counters are
 * shared (under mu); batch, failures and retry_at are the sender's. */
struct table_q {
	char *ring;
	size_t cap, head, used;    /* the bound is cap: used + held <= cap */
	size_t held;               /* bytes in the sender's batch */
	bool signalled;            /* a batch's worth announced; again once some is taken */
	uint64_t sent, dropped_full, oversized, undelivered, rejected;
	struct batch batch;
	struct batch keep;         /* splitting: the rows not yet settled */
	unsigned failures;         /* in a row */
	unsigned data_failures;    /* ... of them refused for the rows */
	double retry_at;
	bool config_said;          /* a configuration error said, until rows go in again */
	bool rejected_said;        /* refused rows said (once per run) */
};

struct clickhouse_sink {
	struct analyzer_sink inner;
	struct clickhouse_config cfg;
	char url[512];             /* for messages */
	struct clickhouse_origin origin;
	/* The analysis thread's: the row being formatted. */
	FILE *row_file;            /* jw's bytes into row[] (fopencookie) */
	struct jw w;
	char *row;
	size_t row_len, row_cap;
	bool row_overflow;
	/* Shared, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct table_q q[CLICKHOUSE_TABLES];
	size_t cap;                /* the whole spool's bound (each ring half) */
	bool kicked;               /* a batch's worth announced, the sender not yet woken by it */
	bool finishing;
	double deadline;           /* finishing: give up then (mono) */
	uint64_t retried;
	atomic_int abort_post;     /* the deadline passed, or a signal: stop now */
	bool aborted;              /* ... by a signal */
	/* The sender thread's. */
	pthread_t thread;
	bool running, finished;
	struct clickhouse_http *http;
	size_t batch_max;
	double last_warn;
	uint64_t warned_dropped;
};

/* ---- the analysis thread: rows into the ring ---- */

static ssize_t row_write(void *cookie, const char *buf, size_t n)
{
	struct clickhouse_sink *s = cookie;
	if (s->row_len + n > s->row_cap) {
		s->row_overflow = true;
		return (ssize_t)n;
	}
	memcpy(s->row + s->row_len, buf, n);
	s->row_len += n;
	return (ssize_t)n;
}

/* The row in s->row into table t's ring, or counted as dropped. */
static void spool_row(struct clickhouse_sink *s, enum clickhouse_table t)
{
	jw_flush(&s->w);
	size_t n = s->row_len;
	struct table_q *q = &s->q[t];
	pthread_mutex_lock(&s->mu);
	if (s->row_overflow) {
		q->oversized++;
	} else if (q->used + q->held + n > q->cap) {
		q->dropped_full++;
	} else {
		size_t at = (q->head + q->used) % q->cap, first = q->cap - at;
		if (first >= n) {
			memcpy(q->ring + at, s->row, n);
		} else {
			memcpy(q->ring + at, s->row, first);
			memcpy(q->ring, s->row + first, n - first);
		}
		q->used += n;
		if (!q->signalled && q->used >= s->batch_max) {
			q->signalled = true;
			s->kicked = true;
			pthread_cond_signal(&s->cv);
		}
	}
	pthread_mutex_unlock(&s->mu);
}

static void row_begin(struct clickhouse_sink *s, enum clickhouse_table t)
{
	(void)t;
	s->row_len = 0;
	s->row_overflow = false;
	jw_init(&s->w, s->row_file);
}

static void on_event(void *user, const struct flow *f, const struct finding_event *ev)
{
	struct clickhouse_sink *s = user;
	row_begin(s, CLICKHOUSE_EVENTS);
	clickhouse_row_event(&s->w, &s->origin, f, ev);
	spool_row(s, CLICKHOUSE_EVENTS);
	if (s->inner.event)
		s->inner.event(s->inner.user, f, ev);
}

static void on_flow_end(void *user, const struct flow *f, enum flow_retire_reason why,
			const struct flow_rounds *rounds)
{
	struct clickhouse_sink *s = user;
	row_begin(s, CLICKHOUSE_FLOWS);
	clickhouse_row_flow(&s->w, &s->origin, f, why);
	spool_row(s, CLICKHOUSE_FLOWS);
	if (s->inner.flow_end)
		s->inner.flow_end(s->inner.user, f, why, rounds);
}

void clickhouse_sink_tee(struct clickhouse_sink *s, struct analyzer_sink *sink)
{
	s->inner = *sink;
	sink->user = s;
	sink->event = on_event;
	sink->flow_end = on_flow_end;
}

/* ---- the sender thread ---- */

/* Where the record at offset off (from head) ends: the offset just past
 * its newline, or 0 when avail holds no whole record there. Searched with
 * memchr over the ring's at most two spans. */
static size_t record_end(const struct table_q *q, size_t off, size_t avail)
{
	while (off < avail) {
		size_t at = (q->head + off) % q->cap;
		size_t span = q->cap - at < avail - off ? q->cap - at : avail - off;
		const char *nl = memchr(q->ring + at, '\n', span);
		if (nl)
			return off + (size_t)(nl - (q->ring + at)) + 1;
		off += span;
	}
	return 0;
}

/* n bytes of the ring from offset off (from head) to dst. */
static void ring_copy(const struct table_q *q, size_t off, char *dst, size_t n)
{
	size_t at = (q->head + off) % q->cap, first = q->cap - at < n ? q->cap - at : n;
	memcpy(dst, q->ring + at, first);
	memcpy(dst + first, q->ring, n - first);
}

/* Records from table t's ring into its batch while they fit (a batch takes
 * at least one). Returns whether the batch is full. The mutex is held only
 * to read and move head. */
static bool take_rows(struct clickhouse_sink *s, enum clickhouse_table t, double now)
{
	struct table_q *q = &s->q[t];
	struct batch *b = &q->batch;
	pthread_mutex_lock(&s->mu);
	size_t avail = q->used;
	pthread_mutex_unlock(&s->mu);
	size_t off = 0;
	bool full = false;
	while (off < avail) {
		size_t end = record_end(q, off, avail);
		if (!end)
			break;  /* never: records are appended whole */
		size_t n = end - off;  /* the row and its newline */
		if (b->len && b->len + n > s->batch_max) {
			full = true;
			break;
		}
		ring_copy(q, off, b->buf + b->len, n);
		if (!b->len)
			b->since = now;
		b->len += n;
		b->rows++;
		off = end;
	}
	pthread_mutex_lock(&s->mu);
	q->head = (q->head + off) % q->cap;
	q->used -= off;
	if (off)
		q->signalled = false;  /* room made: the next batch's worth signals */
	full |= b->len >= s->batch_max;
	q->held = b->len;
	pthread_mutex_unlock(&s->mu);
	return full;
}

/* A warning, at most one per CH_WARN_EVERY_S unless always (the end of an
 * outage: said once per outage). */
__attribute__((format(printf, 3, 4))) static void warn(struct clickhouse_sink *s, bool always,
						      const char *fmt, ...)
{
	double now = mono_clock_s();
	if (s->cfg.no_warnings || (!always && s->last_warn && now - s->last_warn < CH_WARN_EVERY_S))
		return;
	s->last_warn = now;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "tcplens: clickhouse: %s\n", msg);
}

/* What to do about a table ClickHouse does not know or lets no one write. */
static const char *config_advice(int code)
{
	switch (code) {
	case 60:
	case 81:
	case 16:
		return "make the tables with clickhouse-client --multiquery < "
		       "deploy/clickhouse/schema.sql, or fix the URL's database=";
	case 192:
	case 193:
	case 194:
	case 516:
		return "check the user (user= in the URL) and the password "
		       "(TCPLENS_CLICKHOUSE_PASSWORD)";
	default:
		return "check the URL's database, the user and its rights";
	}
}

/* The time of the next attempt after q's failures-th failure in a row. */
static void backoff(struct table_q *q, double now)
{
	double wait = CH_BACKOFF_MIN_S;
	for (unsigned i = 1; i < q->failures && wait < CH_BACKOFF_MAX_S; i++)
		wait *= 2;
	q->retry_at = now + (wait < CH_BACKOFF_MAX_S ? wait : CH_BACKOFF_MAX_S);
}

static long post_timeout_ms(struct clickhouse_sink *s, double now)
{
	pthread_mutex_lock(&s->mu);
	double left = s->finishing ? s->deadline - now : CH_POST_TIMEOUT_S;
	pthread_mutex_unlock(&s->mu);
	return left < CH_POST_TIMEOUT_S ? (long)(left * 1000) : (long)(CH_POST_TIMEOUT_S * 1000);
}

/* A configuration error, said once per outage of table t, whatever the
 * rate limit: what ClickHouse said and what to do. */
static void say_config(struct clickhouse_sink *s, enum clickhouse_table t,
		       const struct clickhouse_answer *a, const char *when)
{
	if (s->q[t].config_said)
		return;
	s->q[t].config_said = true;
	warn(s, true, "table %s at %s %s: %s; %s. Its rows are kept (within its half of "
	     "--clickhouse-spool) and tried again every %g s", table_names[t], s->url, when, a->err,
	     config_advice(a->code), CH_BACKOFF_MAX_S);
}

/* Rows ClickHouse accepted, out of table t's batch bytes. */
static void settled(struct clickhouse_sink *s, struct table_q *q, uint64_t sent, uint64_t rejected)
{
	pthread_mutex_lock(&s->mu);
	q->sent += sent;
	q->rejected += rejected;
	pthread_mutex_unlock(&s->mu);
}

/* Splitting a batch refused for its rows: [p, p + len) holds rows whole
 * rows. Sent whole when ClickHouse takes it; else cut where ClickHouse
 * said the bad row is ("at row N": the rows before it parsed, the row N is
 * refused) or in halves, down to single rows, which are dropped as
 * rejected. An attempt failing for anything but the rows stops the split:
 * what is not settled goes to q->keep, to be retried as a batch. */
static void split_send(struct clickhouse_sink *s, enum clickhouse_table t, const char *p,
		       size_t len, uint64_t rows, bool *stop)
{
	struct table_q *q = &s->q[t];
	if (!rows)
		return;
	if (!*stop && atomic_load(&s->abort_post))
		*stop = true;
	if (*stop) {
		memcpy(q->keep.buf + q->keep.len, p, len);
		q->keep.len += len;
		q->keep.rows += rows;
		return;
	}
	struct clickhouse_answer a;
	double now = mono_clock_s();
	enum clickhouse_outcome o = clickhouse_http_insert(s->http, t, p, len, post_timeout_ms(s, now), &a);
	if (o == CH_OK) {
		settled(s, q, rows, 0);
		return;
	}
	if (o != CH_FAIL_DATA) {
		*stop = true;
		pthread_mutex_lock(&s->mu);
		s->retried++;
		pthread_mutex_unlock(&s->mu);
		q->failures++;
		backoff(q, now);
		split_send(s, t, p, len, rows, stop);
		return;
	}
	if (rows == 1) {
		settled(s, q, 0, 1);
		if (!q->rejected_said) {
			q->rejected_said = true;
			warn(s, true, "ClickHouse refuses rows of table %s at %s: %s; those rows are "
			     "dropped and counted as rejected, the others sent", table_names[t], s->url,
			     a.err);
		}
		return;
	}
	/* Where to cut: before the row ClickHouse named, else in the middle. */
	uint64_t cut = a.row >= 1 && a.row <= rows ? a.row - 1 : rows / 2;
	bool named = a.row >= 1 && a.row <= rows;
	size_t off = 0;
	for (uint64_t r = 0; r < cut; r++)
		off += (size_t)((const char *)memchr(p + off, '\n', len - off) - (p + off)) + 1;
	split_send(s, t, p, off, cut, stop);
	if (named) {
		/* Row N alone, then the rest. */
		size_t one = (size_t)((const char *)memchr(p + off, '\n', len - off) - (p + off)) + 1;
		split_send(s, t, p + off, one, 1, stop);
		off += one;
		cut++;
	}
	split_send(s, t, p + off, len - off, rows - cut, stop);
}

/* Table t's batch refused CH_DATA_TRIES times for its rows: split it. */
static void split_batch(struct clickhouse_sink *s, enum clickhouse_table t)
{
	struct table_q *q = &s->q[t];
	struct batch *b = &q->batch;
	bool stop = false;
	q->keep.len = 0;
	q->keep.rows = 0;
	q->failures = 0;
	split_send(s, t, b->buf, b->len, b->rows, &stop);
	/* What is left is the batch now (in order, as it was). */
	char *buf = b->buf;
	double since = b->since;
	*b = q->keep;
	b->since = since;
	q->keep.buf = buf;
	q->data_failures = 0;
	pthread_mutex_lock(&s->mu);
	q->held = b->len;
	pthread_mutex_unlock(&s->mu);
}

/* POST batch t; on failure keep it and set the next attempt's time. A
 * batch refused for its rows CH_DATA_TRIES times is split (split_send). */
static void send_batch(struct clickhouse_sink *s, enum clickhouse_table t, double now)
{
	struct table_q *q = &s->q[t];
	struct batch *b = &q->batch;
	struct clickhouse_answer a;
	enum clickhouse_outcome o = clickhouse_http_insert(s->http, t, b->buf, b->len,
							    post_timeout_ms(s, now), &a);
	if (o == CH_OK) {
		if (q->failures)
			warn(s, true, "%s takes rows into table %s again, after %u failed attempts",
			     s->url, table_names[t], q->failures);
		q->failures = 0;
		q->data_failures = 0;
		q->config_said = false;
		pthread_mutex_lock(&s->mu);
		q->sent += b->rows;
		q->held -= b->len;
		pthread_mutex_unlock(&s->mu);
		b->len = 0;
		b->rows = 0;
		return;
	}
	q->failures++;
	q->data_failures = o == CH_FAIL_DATA ? q->data_failures + 1 : 0;
	backoff(q, now);
	pthread_mutex_lock(&s->mu);
	s->retried++;
	double spool_mb = (double)(q->used + q->held) / (1u << 20), cap_mb = (double)q->cap / (1u << 20);
	pthread_mutex_unlock(&s->mu);
	if (o == CH_FAIL_CONFIG) {
		say_config(s, t, &a, "is refused");
		return;
	}
	if (o == CH_FAIL_DATA && q->data_failures >= CH_DATA_TRIES) {
		split_batch(s, t);
		return;
	}
	warn(s, false, "cannot insert %llu rows into table %s at %s: %s; keeping them (its half "
	     "of the spool: %.1f of %.1f MB) and trying again", (unsigned long long)b->rows,
	     table_names[t], s->url, a.err, spool_mb, cap_mb);
}

/* Before any row: does each table exist, may the user write it? Only a
 * configuration error is said here (a server not up yet is the inserts'
 * business). */
static void probe_tables(struct clickhouse_sink *s)
{
	for (int t = 0; t < CLICKHOUSE_TABLES; t++) {
		struct clickhouse_answer a;
		if (clickhouse_http_probe(s->http, (size_t)t, CH_PROBE_TIMEOUT_MS, &a) == CH_FAIL_CONFIG)
			say_config(s, (enum clickhouse_table)t, &a, "cannot be read");
	}
}

/* Rows the spool had no room for, said once in a while. */
static void warn_dropped(struct clickhouse_sink *s)
{
	pthread_mutex_lock(&s->mu);
	uint64_t d = s->q[0].dropped_full + s->q[1].dropped_full;
	pthread_mutex_unlock(&s->mu);
	if (d > s->warned_dropped && !s->cfg.no_warnings &&
	    !(s->last_warn && mono_clock_s() - s->last_warn < CH_WARN_EVERY_S)) {
		warn(s, false, "the spool is full: %llu rows dropped so far (raise --clickhouse-spool, or "
		     "see why ClickHouse does not take them)", (unsigned long long)d);
		s->warned_dropped = d;
	}
}

/* Wait for the next thing to do: rows, a retry's time, the age of a batch,
 * finishing. Called and returns with the mutex held. */
static void wait_for_work(struct clickhouse_sink *s, double now)
{
	double until = now + CH_TICK_S;
	for (int t = 0; t < CLICKHOUSE_TABLES; t++)
		if (s->q[t].failures && s->q[t].batch.len && s->q[t].retry_at < until)
			until = s->q[t].retry_at;
	if (s->finishing && s->deadline < until)
		until = s->deadline;
	if (s->kicked || until <= now)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double wait = until - now;
	ts.tv_sec += (time_t)wait;
	ts.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&s->cv, &s->mu, &ts);
}

static void *sender_main(void *arg)
{
	struct clickhouse_sink *s = arg;
	probe_tables(s);
	for (;;) {
		double now = mono_clock_s();
		pthread_mutex_lock(&s->mu);
		s->kicked = false;
		bool finishing = s->finishing, late = finishing && now >= s->deadline;
		pthread_mutex_unlock(&s->mu);
		if (late || atomic_load(&s->abort_post))
			break;
		for (int t = 0; t < CLICKHOUSE_TABLES; t++) {
			struct table_q *q = &s->q[t];
			bool full = take_rows(s, (enum clickhouse_table)t, now);
			bool due = finishing || full || now - q->batch.since >= CH_BATCH_AGE_S;
			if (q->batch.len && due && (!q->failures || now >= q->retry_at))
				send_batch(s, (enum clickhouse_table)t, now);
		}
		warn_dropped(s);
		pthread_mutex_lock(&s->mu);
		bool empty = true;
		for (int t = 0; t < CLICKHOUSE_TABLES; t++)
			empty &= !s->q[t].used && !s->q[t].batch.len;
		if (s->finishing && empty) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		wait_for_work(s, mono_clock_s());
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

/* ---- life cycle ---- */

/* Rows left at the end: what the batches and the ring still hold. */
static void count_undelivered(struct clickhouse_sink *s)
{
	for (int t = 0; t < CLICKHOUSE_TABLES; t++) {
		struct table_q *q = &s->q[t];
		q->undelivered = q->batch.rows;
		for (size_t off = 0, end; off < q->used && (end = record_end(q, off, q->used)); off = end)
			q->undelivered++;
	}
}

static void say_summary(struct clickhouse_sink *s)
{
	const struct table_q *e = &s->q[CLICKHOUSE_EVENTS], *f = &s->q[CLICKHOUSE_FLOWS];
	uint64_t sent = e->sent + f->sent;
	uint64_t full = e->dropped_full + f->dropped_full;
	uint64_t left = e->undelivered + f->undelivered;
	uint64_t big = e->oversized + f->oversized;
	uint64_t rejected = e->rejected + f->rejected;
	if (s->cfg.quiet && !full && !left && !big && !rejected)
		return;
	fprintf(stderr, "tcplens: clickhouse: %llu rows sent to %s (%llu events, %llu flows), "
		"%llu attempts retried, %llu rows dropped", (unsigned long long)sent, s->url,
		(unsigned long long)e->sent, (unsigned long long)f->sent,
		(unsigned long long)s->retried, (unsigned long long)(full + left + big));
	if (rejected)
		fprintf(stderr, ", %llu rows rejected by ClickHouse (%llu events, %llu flows: see the "
			"warning above)", (unsigned long long)rejected, (unsigned long long)e->rejected,
			(unsigned long long)f->rejected);
	if (full)
		fprintf(stderr, "; spool full: %llu events, %llu flows (raise --clickhouse-spool)",
			(unsigned long long)e->dropped_full, (unsigned long long)f->dropped_full);
	if (left && s->aborted)
		fprintf(stderr, "; not sent, the flush stopped by a signal: %llu events, %llu flows",
			(unsigned long long)e->undelivered, (unsigned long long)f->undelivered);
	else if (left)
		fprintf(stderr, "; not delivered within --clickhouse-flush-timeout: %llu events, "
			"%llu flows (see the warnings above)", (unsigned long long)e->undelivered,
			(unsigned long long)f->undelivered);
	if (big)
		fprintf(stderr, "; larger than a row may be (%u bytes, a tcplens bug: please report "
			"it): %llu events, %llu flows", CH_ROW_ROOM, (unsigned long long)e->oversized,
			(unsigned long long)f->oversized);
	fputc('\n', stderr);
}

void clickhouse_sink_finish(struct clickhouse_sink *s)
{
	if (!s || s->finished)
		return;
	s->finished = true;
	if (s->running) {
		pthread_mutex_lock(&s->mu);
		s->finishing = true;
		s->deadline = mono_clock_s() + s->cfg.flush_timeout_s;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		/* A POST in flight at the deadline is cut short by its own timeout
		 * (bounded by the time left) or the abort flag, set here when the
		 * thread has not returned by then; a signal (one more than when
		 * the flush began) sets it at once and shuts the connection. */
		sig_atomic_t seen = s->cfg.signals ? *s->cfg.signals : 0;
		double give_up = mono_clock_s() + s->cfg.flush_timeout_s + 1;
		for (;;) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 20 * 1000000L;  /* look at the signals every 20 ms */
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_timedjoin_np(s->thread, NULL, &ts) == 0)
				break;
			bool signalled = s->cfg.signals && *s->cfg.signals != seen;
			if (signalled || mono_clock_s() >= give_up) {
				pthread_mutex_lock(&s->mu);
				s->aborted = signalled;
				s->kicked = true;
				pthread_cond_signal(&s->cv);
				pthread_mutex_unlock(&s->mu);
				atomic_store(&s->abort_post, 1);
				clickhouse_http_interrupt(s->http);
				pthread_join(s->thread, NULL);
				break;
			}
		}
		s->running = false;
	}
	pthread_mutex_lock(&s->mu);
	count_undelivered(s);
	pthread_mutex_unlock(&s->mu);
	say_summary(s);
}

void clickhouse_sink_counters(struct clickhouse_sink *s, struct clickhouse_counters *out)
{
	pthread_mutex_lock(&s->mu);
	out->spool_bytes = 0;
	for (int t = 0; t < CLICKHOUSE_TABLES; t++) {
		const struct table_q *q = &s->q[t];
		out->sent[t] = q->sent;
		out->dropped[t] = q->dropped_full + q->undelivered + q->oversized;
		out->rejected[t] = q->rejected;
		out->spool_bytes += q->used + q->held;
	}
	out->retried = s->retried;
	pthread_mutex_unlock(&s->mu);
}

/* The spool, the row buffer and its stream, the batches. */
static int sink_alloc(struct clickhouse_sink *s, char *err, size_t errlen)
{
	double mb = s->cfg.spool_mb > 0 ? s->cfg.spool_mb : CLICKHOUSE_SPOOL_MB_DEFAULT;
	s->cap = (size_t)(mb * (1u << 20));
	size_t half = s->cap / CLICKHOUSE_TABLES;
	s->batch_max = half / 4 < CH_BATCH_MIN ? CH_BATCH_MIN
		       : half / 4 > CH_BATCH_MAX ? CH_BATCH_MAX : half / 4;
	s->row_cap = CH_ROW_ROOM + s->origin.len;
	cookie_io_functions_t io = {.write = row_write};
	if (!(s->row = malloc(s->row_cap)) || !(s->row_file = fopencookie(s, "w", io))) {
		snprintf(err, errlen, "out of memory for the ClickHouse spool (--clickhouse-spool %g)", mb);
		return -1;
	}
	setvbuf(s->row_file, NULL, _IONBF, 0);  /* jw buffers; each flush reaches row[] */
	for (int t = 0; t < CLICKHOUSE_TABLES; t++) {
		s->q[t].cap = half;
		if (!(s->q[t].ring = malloc(half)) ||
		    !(s->q[t].batch.buf = malloc(s->batch_max + s->row_cap)) ||
		    !(s->q[t].keep.buf = malloc(s->batch_max + s->row_cap))) {
			snprintf(err, errlen, "out of memory for the ClickHouse spool (--clickhouse-spool %g)",
				 mb);
			return -1;
		}
	}
	return 0;
}

/* The sender thread, with every signal blocked (the capture's SIGINT and
 * SIGTERM are the main thread's). */
static int sink_start(struct clickhouse_sink *s, char *err, size_t errlen)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&s->thread, NULL, sender_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot start the ClickHouse sender thread: %s", strerror(rc));
		return -1;
	}
	s->running = true;
	return 0;
}

struct clickhouse_sink *clickhouse_sink_new(const struct clickhouse_config *cfg, char *err,
					    size_t errlen)
{
	if (curl_lazy_load(err, errlen) < 0)
		return NULL;
	struct clickhouse_sink *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	if (!(s->cfg.flush_timeout_s > 0))
		s->cfg.flush_timeout_s = CLICKHOUSE_FLUSH_TIMEOUT_DEFAULT;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;  /* timed waits on the monotonic clock */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	char hostname[256] = "";
	const char *host = cfg->host;
	if (!host) {
		if (gethostname(hostname, sizeof(hostname) - 1) < 0)
			snprintf(hostname, sizeof(hostname), "unknown");
		host = hostname;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);  /* the run's id (clickhouse_rows.h) */
	uint64_t run = (uint64_t)now.tv_sec * NS_PER_S_U64 + (uint64_t)now.tv_nsec;
	if (clickhouse_origin_init(&s->origin, host, cfg->source_kind, cfg->source_name, run) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (!(s->http = clickhouse_http_new(cfg->url, table_names, CLICKHOUSE_TABLES, err, errlen)) ||
	    sink_alloc(s, err, errlen) < 0)
		goto fail;
	clickhouse_http_abort_on(s->http, &s->abort_post);
	snprintf(s->url, sizeof(s->url), "%s", clickhouse_http_url(s->http));
	if (sink_start(s, err, errlen) < 0)
		goto fail;
	return s;
fail:
	s->finished = true;
	clickhouse_sink_free(s);
	return NULL;
}

void clickhouse_sink_free(struct clickhouse_sink *s)
{
	if (!s)
		return;
	clickhouse_sink_finish(s);
	clickhouse_http_free(s->http);
	if (s->row_file)
		fclose(s->row_file);
	for (int t = 0; t < CLICKHOUSE_TABLES; t++) {
		free(s->q[t].batch.buf);
		free(s->q[t].keep.buf);
		free(s->q[t].ring);
	}
	free(s->row);
	clickhouse_origin_free(&s->origin);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
	curl_global_cleanup();
}
