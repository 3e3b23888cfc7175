/*
 * capture/fanout.h — a live capture over several cores: N TPACKET_V3 rings
 * in one PACKET_FANOUT group (-i IFACE --threads N), merged back into one
 * stream in time order.
 *
 * The kernel spreads the interface's packets over the rings by flow hash
 * (capture/tpacket3.h forms the group so that no packet is in two rings).
 * Each ring has a thread of its own that walks its blocks, copies the
 * frames into batches (a ring of a few, no allocation per frame) and runs
 * the prepare hook on them there: the analyzer's decode and checksums, the
 * work that grows with every byte. The consumer's dispatch merges the rings'
 * batches by timestamp and numbers the frames 1, 2, ... in that order, so
 * the one analysis behind it sees what a capture of the interface in time
 * order holds: its report is the offline report of such a capture (tcpdump
 * next to it, sorted by time), whichever ring a frame came through.
 *
 * A frame is handed on only when no ring can still produce an earlier one:
 * each ring says up to when it has delivered everything (its watermark):
 * the time of its last frame, or, when it found no more ready blocks, the
 * clock at that check when the block the kernel is filling was still empty
 * (a frame counted in a block later is stamped later: tpacket3.h), else
 * that block's opening time, in both cases less a margin (50 ms) for frames
 * stamped on their way in. The retire timer's delays, tens of ms on a busy
 * machine, then hold frames back but never put them out of order. So frames
 * reach the analysis about 50 ms after they were captured, and frames of
 * the last moments before a stop may stay unread, as in a block the kernel
 * has not retired. A ring's frames are put in time
 * order batch by batch (the kernel stamps a frame before it queues it, and
 * two CPUs may queue in the other order); a frame that still comes after a
 * later one was handed on is handed on at once and counted
 * (capture_fanout_late).
 *
 * Threads meet once per batch (one mutex, a condition variable per side),
 * never per frame. Ring threads block every signal. Statistics: packets is
 * what reached the consumer; kernel_drops sums the rings', each ring's in
 * capture_stats.ring[].
 */
#ifndef TCPLENS_FANOUT_H
#define TCPLENS_FANOUT_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "readahead.h"

/* Open `rings` (2..CAPTURE_RINGS_MAX) tpacket3 rings on cfg->name, in one
 * new fanout group, each with cfg's filter, ring size and timeout, and start
 * their threads. With scratch_size > 0 each record gets rec->prep, filled by
 * prepare on the ring's thread. Returns 0, or CAPTURE_ERR with errbuf set
 * (nothing left open). src's kind is "tpacket3". */
int capture_fanout_open(struct capture_source *src, const struct capture_config *cfg,
			unsigned rings, size_t scratch_size, capture_prepare_fn prepare,
			void *prepare_user, char *errbuf);

/* Frames handed on after a later one (0 unless the clock went back). */
uint64_t capture_fanout_late(const struct capture_source *src);

#endif
