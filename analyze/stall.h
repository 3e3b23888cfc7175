/*
 * analyze/stall.h — stalls and their cause.
 *
 * A connection "moves" when either side sends new data or a cumulative ACK
 * advances. A stall is a gap between two moves longer than
 *     rtt + max(10 ms, rtt)      (rtt = the flow's minimum RTT, 0 if unknown)
 * i.e. clearly more than the round trip that ordinary ACK clocking needs.
 * Packets that do not move the connection (window probes, duplicate ACKs, a
 * tail loss probe) do not end it. Gaps are judged only once both directions
 * have been seen and the RTT is known: a capture holding one direction, or
 * one that began mid-connection before its first RTT sample, cannot tell a
 * wait from an idle (unknown is better than wrong). The event is written when the stall ends,
 * with ts/frame of the frame where it began and end_frame where it ended.
 *
 * Cause, from what was outstanding when it began and what ended it:
 *   zero_window       the receiver advertised a zero window (during the gap,
 *                     or at its start with everything acknowledged, the data
 *                     then sent while it was closed or right after it
 *                     reopened: on the receiver's side the wait runs from its
 *                     zero-window ACK to the data an RTT after its update)
 *   rto               a retransmission timeout resent data (ended or inside;
 *                     also bytes the receiver already had, if the waiting
 *                     side's timer sent them: their ACK was late)
 *   tlp               data in flight and a tail loss probe inside the gap
 *                     (RFC 8985: 2 SRTT of silence, then the highest segment
 *                     again or one new segment; two full segments or more
 *                     in flight, so the receiver owed an immediate ACK): the
 *                     ACKs had stopped until the probe drew one. A probe
 *                     with new data does not end the gap either
 *   receiver_limited  the data in flight filled the receiver's window
 *   delayed_ack       data was outstanding, the receiver's pure ACK ended
 *                     the wait, and the sender wrote at once (seen within
 *                     5/4 of the sender's side of the RTT + 2 ms, or an RTT):
 *                     Nagle held that write behind the ACK. A delayed ACK
 *                     costs 40 ms whatever the RTT, so such a gap counts
 *                     even below the general threshold (twice the RTT) when
 *                     less than the announced MSS was in flight and the ACK
 *                     came 35 ms or more after the receiver's own turn
 *                     (capture -> receiver -> capture): 40 ms alone on
 *                     the receiver's side at RTT 20, RTT + 40 ms on the
 *                     sender's at RTT 80 (samples/nagle_rtt*)
 *   cork              TCP_CORK's ceiling: a sub-MSS segment held until the
 *                     kernel's probe timer pushed it. Linux arms that timer
 *                     when a corked write finds nothing in flight
 *                     (tcp_push_pending_frames -> tcp_check_probe_timer:
 *                     ICSK_TIME_PROBE0 after tcp_probe0_base = max(RTO,
 *                     TCP_RTO_MIN)); tcp_probe_timer -> tcp_send_probe0 ->
 *                     tcp_write_wakeup then sends the queued segment. So
 *                     the wait is one RTO, srtt + max(200 ms, 4 rttvar),
 *                     seen at the capture point up to one RTT later (the
 *                     far end's vantage). Two shapes:
 *                     - after full-sized segments of the same side, nothing
 *                       outstanding, the tail 150 ms to max(260 ms, the
 *                       ceiling below) after the last move;
 *                     - after the other side's message (a corked client's
 *                       next request, written when the reply was read): a
 *                       segment 40+ bytes below the announced MSS, between
 *                       195 ms and RTO' + RTO'/8 + srtt + 5 ms after that
 *                       message, RTO' = max(the RTO estimate, 200 ms +
 *                       4 srtt): measured 205-216 ms at RTT 2 ms, 232-246 ms
 *                       at 20 ms (server side), 395-527 ms at 80 ms, the
 *                       kernel's RTO settling round by round
 *                       (samples/cork_reply_*). Think time of the same length
 *                       looks the same: the diagnosis says how many waits
 *                       agree, and that one alone is a guess. A side that
 *                       has already replied at once twice is not corked
 *                       (the cork is the socket's and holds every reply):
 *                       its late reply is unknown, since the far side's
 *                       tail loss probe resending a lost reply comes just
 *                       as late (samples/tlp_pingpong_v6_rtt20).
 *   sender_limited    nothing outstanding; the same side went on sending:
 *                     it had the window and the ACKs, and sent nothing
 *   unknown           nothing outstanding, and the same side went on after
 *                     its last segment was a resend: a sender recovering a
 *                     loss sends as soon as the ACK reaches it, so the wait
 *                     was that ACK's on its way (seen from the receiver's
 *                     side) as much as the sender's, and the capture cannot
 *                     tell which; or a cork-shaped late reply from a side
 *                     that replies at once (see cork)
 *   app_idle          the other side spoke next (its ACK rode on its next
 *                     message), or nothing was outstanding: think time
 *                     between request and response, not a fault
 */
#ifndef TCPLENS_STALL_H
#define TCPLENS_STALL_H

#include <stdbool.h>

#include "decode.h"
#include "event_sink.h"
#include "flow.h"

extern const enum cause stall_causes[STALL_CAUSES];
/* Index of a stall cause in stall_causes[] (and flow_cold.stall_by_cause_ms). */
int stall_cause_index(enum cause c);

/* Called for every TCP segment after the flow's state was updated; moved is
 * true when it sent new data or advanced the cumulative ACK. */
void stall_on_segment(struct flow *f, int dir, const struct pkt_decoded *d, bool moved,
		      const struct event_sink *sink);

/* The flow ends: write a stall still waiting for its verdict. */
void stall_flush(struct flow *f, const struct event_sink *sink);

/* Direction dir resent data for cause c (for the gap's cause); spurious:
 * the receiver already had it, c says which timer sent it (rto, tlp). */
void stall_note_retransmission(struct flow *f, int dir, enum cause c, bool spurious);

#endif
