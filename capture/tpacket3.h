/*
 * capture/tpacket3.h — what a PACKET_FANOUT group (capture/fanout.h) needs of
 * the TPACKET_V3 engine beyond struct capture_ops.
 *
 * A group is formed so that no packet is in two rings and none is kept
 * before the group is whole: each ring is opened with cfg->fanout_hold (a
 * filter that keeps nothing, attached before bind), joins the group, and
 * only once every ring has joined gets its real filter. Until then the
 * kernel already spreads packets over the members, and each drops its share.
 */
#ifndef TCPLENS_TPACKET3_H
#define TCPLENS_TPACKET3_H

#include <stdint.h>

#include "capture.h"

/* Join src (an open tpacket3 source) to a PACKET_FANOUT group in hash mode:
 * *group < 0 asks the kernel for a new group of our own (its id is put in
 * *group), else the group *group. Returns 0, or CAPTURE_ERR with errbuf set. */
int tpacket3_fanout_join(struct capture_source *src, int *group, char *errbuf);

/* Replace src's filter with expr compiled by libpcap (NULL or "" keeps
 * every packet). Returns 0, or CAPTURE_ERR with errbuf set. */
int tpacket3_set_filter(struct capture_source *src, const char *expr, int snaplen, char *errbuf);

/* What the ring holds that src has not handed over, read now: 0 nothing;
 * 1 frames ready to read; 2 frames in the block the kernel is still
 * filling (it hands it over when full or at its retire timeout), all taken
 * at or after *since (when the kernel opened that block). The kernel
 * reserves a frame's place in the block before it takes its time, so a
 * frame not counted yet gets a time after this call; the one exception is
 * a frame stamped earlier on its way in (receive timestamps on): fanout.c
 * allows a margin for it. */
int tpacket3_pending(struct capture_source *src, uint64_t *since);

#endif
