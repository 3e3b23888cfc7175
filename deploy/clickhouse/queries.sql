-- deploy/clickhouse/queries.sql: cross-host questions over the tables of
-- schema.sql. Each query follows a "-- query: NAME" line (the fleet_clickhouse
-- test runs them by name and checks each answer against the JSON reports).
-- Add a time window where it matters, e.g. AND time >= now() - INTERVAL 1 DAY
-- (events) or AND last_time >= ... (flows): both are in the sort key's
-- partitions, so ClickHouse reads only those parts.

-- query: corruption_by_host
-- Hosts with real corruption versus those with offload artifacts only: the
-- artifacts are harmless (the NIC fills the checksum after the capture
-- point), csum_bad and ip_csum_bad are damage on the wire or in a NIC.
SELECT
    host,
    countIf(kind IN ('csum_bad', 'ip_csum_bad')) AS corrupt,
    countIf(kind = 'csum_bad' AND cause = 'dropped') AS corrupt_dropped,
    countIf(kind IN ('csum_offload', 'ip_csum_offload')) AS artifacts,
    if(corrupt > 0, 'real corruption', 'artifacts only') AS verdict
FROM tcplens.events
WHERE kind IN ('csum_bad', 'ip_csum_bad', 'csum_offload', 'ip_csum_offload')
GROUP BY host
ORDER BY corrupt DESC, host;

-- query: stall_causes_by_port
-- Top three stall causes per server port, by time stalled (from the flows:
-- exact even where --max-events cut a flow's events).
SELECT
    server_port,
    cause,
    round(sum(ms), 3) AS stalled_ms,
    count() AS flows,
    uniqExact(host) AS hosts
FROM tcplens.flows
ARRAY JOIN stalls_by_cause.cause AS cause, stalls_by_cause.ms AS ms
GROUP BY server_port, cause
ORDER BY server_port, stalled_ms DESC, cause
LIMIT 3 BY server_port;

-- query: initial_window_by_server
-- Each server's first flight (its initial window: initcwnd, or the
-- client's receive window, or a short answer), per host: a route change
-- shows as a new value.
SELECT
    host,
    server,
    count() AS flows,
    min(initial_window_s2c_segments) AS min_segments,
    max(initial_window_s2c_segments) AS max_segments,
    max(initial_window_s2c_bytes) AS max_bytes,
    groupUniqArray(assumeNotNull(initial_window_s2c_limit)) AS limits
FROM tcplens.flows
WHERE initial_window_s2c_segments IS NOT NULL
GROUP BY host, server
ORDER BY host, server;

-- query: new_connections_per_second
-- New connections (a SYN seen) per second per host, by their first packet.
SELECT
    host,
    first_time AS second,
    count() AS connections
FROM tcplens.flows
WHERE proto = 'tcp' AND client_from_syn = 1
GROUP BY host, second
ORDER BY host, second;
