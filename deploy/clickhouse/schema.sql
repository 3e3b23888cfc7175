-- deploy/clickhouse/schema.sql: the tables tcplens --clickhouse URL writes
-- (one row per final event, one per ended flow), for one ClickHouse server.
-- For a cluster, cluster.sql has the ReplicatedMergeTree + Distributed form.
--
--   clickhouse-client --multiquery < deploy/clickhouse/schema.sql
--
-- Works on ClickHouse 18.16 (Debian 12's) and later. Column names are the
-- JSON report's keys (a nested key joined by '_'); docs/clickhouse.md
-- describes every column. Rows arrive as JSONEachRow: a column a row does
-- not carry takes its default (NULL for the Nullable ones: "the event or
-- flow has no such value", as null in the JSON report). Times are kept
-- exact as ns since the epoch (ts_ns); the DateTime and Date columns are
-- computed from them on insert (MATERIALIZED: rows never send them) for
-- partitioning, the sort key and time filters. The server's timezone
-- decides how a DateTime prints, not what it holds.

CREATE DATABASE IF NOT EXISTS tcplens;

CREATE TABLE IF NOT EXISTS tcplens.events
(
    host String,                      -- --host NAME (default: the hostname)
    source_kind String,               -- file, tpacket3, pcap, nfqueue
    source_name String,               -- the capture file or the interface
    run UInt64,                       -- the tcplens run (wall clock ns at its start): flow ids are per run
    ts_ns UInt64,                     -- capture time of the event's frame, ns since the epoch
    time DateTime MATERIALIZED toDateTime(intDiv(ts_ns, 1000000000)),
    date Date MATERIALIZED toDate(time),
    frame UInt64,                     -- 1-based frame number (Wireshark's) in that capture
    flow UInt32,                      -- the flow's id in that run (flows.id); 0: outside any flow
    dir String,                       -- c2s | s2c
    kind String,                      -- the finding vocabulary (man tcplens, FINDINGS)
    severity String,                  -- info | low | medium | high (with the cause: a stall by rto is high)
    cause String,                     -- the kind's word: cause, side, fate, limit or filled_by ('' if none)
    proto String,                     -- tcp | udp for checksum kinds ('' otherwise)
    client String,                    -- the flow's client "addr:port" ('' outside any flow)
    server String,                    -- the flow's server "addr:port"
    server_port UInt16,               -- the server's port (0 outside any flow)
    -- The kinds' numeric fields (analyze/findings.def), NULL when the kind has none:
    found Nullable(UInt16),           -- csum_*, ip_csum_*: the checksum field's value
    expected Nullable(UInt16),        -- csum_*, ip_csum_*: the correct checksum
    resent_after_ms Nullable(Float64),-- csum_bad, fate dropped: corrupt segment to its resend
    bytes Nullable(UInt32),           -- giant_segment, retransmission, sack_gap, capture_loss, initial_window
    mss Nullable(UInt32),             -- giant_segment, initial_window
    multiple Nullable(Float64),       -- giant_segment: bytes / MSS
    seq Nullable(UInt32),             -- retransmission, sack_gap, capture_loss: relative sequence number
    fill_ms Nullable(Float64),        -- sack_gap: how long the hole stayed open
    duration_ms Nullable(Float64),    -- stall
    outstanding_bytes Nullable(UInt64), -- stall: unacknowledged data during it
    end_frame Nullable(UInt64),       -- stall: the frame that ended it
    segments Nullable(UInt32),        -- initial_window
    before_bytes Nullable(UInt64),    -- cwnd_reduction, idle_restart
    after_bytes Nullable(UInt64),     -- cwnd_reduction, idle_restart
    ratio Nullable(Float64),          -- cwnd_reduction: after / before
    idle_ms Nullable(Float64),        -- idle_restart
    attempt Nullable(UInt32),         -- syn_retransmit: the Nth resend
    after_ms Nullable(Float64),       -- syn_retransmit: since the previous one
    synack Nullable(UInt8)            -- syn_retransmit: 1 for a SYN-ACK
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(date)
ORDER BY (host, time);

CREATE TABLE IF NOT EXISTS tcplens.flows
(
    host String,
    source_kind String,
    source_name String,
    run UInt64,
    id UInt32,                        -- 1-based, in order of first packet, in that run
    proto String,                     -- tcp | udp
    client String,                    -- "addr:port": the side that sent the first SYN
    server String,
    server_port UInt16,
    tunnel String DEFAULT '',         -- the tunnel in words: "vxlan vni 42" ('' outside any); two tenants with one inner 5-tuple differ here
    client_from_syn UInt8,            -- 0: client guessed (no SYN captured)
    first_ts_ns UInt64,               -- first and last packet, ns since the epoch
    last_ts_ns UInt64,
    first_time DateTime MATERIALIZED toDateTime(intDiv(first_ts_ns, 1000000000)),
    last_time DateTime MATERIALIZED toDateTime(intDiv(last_ts_ns, 1000000000)),
    date Date MATERIALIZED toDate(last_time),
    first_frame UInt64,
    state String,                     -- syn_sent ... closed, midstream; udp
    end String,                       -- closed | evicted | replaced | end_of_capture
    packets UInt64,                   -- both directions
    bytes UInt64,                     -- wire bytes, both directions
    retransmissions UInt32,           -- both directions
    mss_c2s Nullable(UInt16),         -- MSS each side announced
    mss_s2c Nullable(UInt16),
    initial_window_c2s_segments Nullable(UInt32),  -- first flight of each side
    initial_window_c2s_bytes Nullable(UInt32),
    initial_window_c2s_limit Nullable(String),     -- cwnd | rwnd | app | pacing
    initial_window_s2c_segments Nullable(UInt32),
    initial_window_s2c_bytes Nullable(UInt32),
    initial_window_s2c_limit Nullable(String),
    handshake_ms Nullable(Float64),   -- SYN to the handshake's ACK
    rtt_ms_min Nullable(Float64),     -- full round trips (both halves)
    rtt_ms_p50 Nullable(Float64),
    rtt_ms_max Nullable(Float64),
    rtt_ms_samples UInt64,
    cc_guess String,                  -- reno | cubic | bbr | unknown
    stalls_count UInt32,
    stalls_total_ms Nullable(Float64),  -- NULL as in the JSON (null: not a finite number)
    stalls_by_cause Nested(cause String, ms Nullable(Float64)),  -- stalled ms by cause (causes with some)
    c2s_packets UInt64,               -- what each side sent (the JSON's c2s / s2c objects)
    s2c_packets UInt64,
    c2s_bytes UInt64,
    s2c_bytes UInt64,
    c2s_payload_bytes UInt64,
    s2c_payload_bytes UInt64,
    c2s_retransmissions UInt32,
    s2c_retransmissions UInt32,
    c2s_retransmitted_bytes UInt64,
    s2c_retransmitted_bytes UInt64,
    c2s_capture_lost_bytes UInt64,
    s2c_capture_lost_bytes UInt64,
    c2s_zero_windows UInt32,
    s2c_zero_windows UInt32,
    c2s_csum_ok UInt32,
    s2c_csum_ok UInt32,
    c2s_csum_bad UInt32,              -- corrupt (not offload)
    s2c_csum_bad UInt32,
    c2s_csum_bad_dropped UInt32,
    s2c_csum_bad_dropped UInt32,
    c2s_csum_bad_accepted UInt32,
    s2c_csum_bad_accepted UInt32,
    c2s_csum_offload UInt32,          -- offload artifacts (harmless)
    s2c_csum_offload UInt32,
    c2s_giant_segments UInt32,
    s2c_giant_segments UInt32,
    events UInt32,                    -- events written for the flow
    events_dropped UInt32             -- over --max-events, counted only
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(date)
ORDER BY (host, first_time);
