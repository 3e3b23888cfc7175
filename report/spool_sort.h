/*
 * report/spool_sort.h — an external sort of small records by a 64-bit key,
 * in bounded memory: records are added in any order, then read back in key
 * order (records with equal keys in the order they were added).
 *
 * The annotated pcapng needs it: findings become final after their frame (a
 * checksum fate, a SACK hole's fill time, a stall's end), so comments arrive
 * out of frame order and are merged into the second pass over the capture in
 * frame order. Records gather in memory up to a limit, are then sorted and
 * written to a temporary file as a run; reading merges the runs.
 */
#ifndef TCPLENS_SPOOL_SORT_H
#define TCPLENS_SPOOL_SORT_H

#include <stddef.h>
#include <stdint.h>

struct spool_sort;

/* mem_limit: bytes of records held before a run goes to disk (0 = 8 MB). */
struct spool_sort *spool_sort_new(size_t mem_limit);
void spool_sort_free(struct spool_sort *s);

/* Add a record (len <= 65535 bytes). 0, or -1 (out of memory, no temporary
 * file, write error). */
int spool_sort_add(struct spool_sort *s, uint64_t key, const void *data, uint32_t len);

/* No more records: prepare the reading. 0 or -1. */
int spool_sort_finish(struct spool_sort *s);

/* The key of the next record without taking it: 1, or 0 at the end, -1 on a
 * read error. */
int spool_sort_peek(struct spool_sort *s, uint64_t *key);

/* Take the next record: 1 with *data valid until the next call, 0 at the
 * end, -1 on a read error. */
int spool_sort_next(struct spool_sort *s, uint64_t *key, const void **data, uint32_t *len);

/* Records added and runs written to disk, for tests and messages. */
uint64_t spool_sort_count(const struct spool_sort *s);
size_t spool_sort_runs(const struct spool_sort *s);

#endif
