/*
 * capture/capture.c — the engine-independent half of the capture interface:
 * thin dispatch through the ops table and the table of link types the
 * analyzer can decode.
 */
#include "capture.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

int capture_open(struct capture_source *src, const struct capture_ops *ops,
		 const struct capture_config *cfg, char *errbuf)
{
	memset(src, 0, sizeof(*src));
	src->ops = ops;
	src->kind = ops->name;
	src->precision = TS_PRECISION_USEC;
	snprintf(src->name, sizeof(src->name), "%s", cfg->name ? cfg->name : "");
	int rc = ops->open(src, cfg, errbuf);
	if (rc < 0)
		src->ops = NULL;
	return rc;
}

int capture_dispatch(struct capture_source *src, int max, capture_packet_fn fn, void *user,
		     char *errbuf)
{
	return src->ops->dispatch(src, max, fn, user, errbuf);
}

int capture_stats(struct capture_source *src, struct capture_stats *out)
{
	memset(out, 0, sizeof(*out));
	return src->ops->stats(src, out);
}

void capture_close(struct capture_source *src)
{
	if (src->ops)
		src->ops->close(src);
	src->ops = NULL;
}

int capture_position(struct capture_source *src, uint64_t *done, uint64_t *total)
{
	if (!src->ops || !src->ops->position)
		return -1;
	return src->ops->position(src, done, total);
}

int capture_keep_frames(struct capture_source *src)
{
	return src->ops && src->ops->keep_frames ? src->ops->keep_frames(src) : 0;
}

uint64_t capture_mark(struct capture_source *src)
{
	return src->ops && src->ops->mark ? src->ops->mark(src) : 0;
}

void capture_release(struct capture_source *src, uint64_t mark)
{
	if (src->ops && src->ops->release)
		src->ops->release(src, mark);
}

const char *capture_linktype_name(int dlt)
{
	switch (dlt) {
#define LINKTYPE(dlt, name, decoder) case dlt: return name;
#include "linktypes.def"
#undef LINKTYPE
	default: return NULL;
	}
}
