/*
 * pipeline/annotate.c — see annotate.h. The second pass: capture file -> annot
 * (comments, keep or skip) -> pcapng writer, whole blocks only, stopping
 * cleanly on SIGINT/SIGTERM.
 */
#include "annotate.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/decode.h"
#include "capture/capture.h"
#include "report/annot.h"
#include "report/pcapng_writer.h"
#include "source.h"
#include "version.h"

#define LINKTYPE_LINUX_SLL 113
#define LINKTYPE_LINUX_SLL2 276
#define LINKTYPE_RAW 101

struct annotate {
	struct annot *annot;
	int fd;
	const char *path;
};

/* Set by SIGINT/SIGTERM during the second pass. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct pass {
	struct annotate *an;
	struct pcapng_writer *w;
	uint64_t limit, seen, written;
	bool renumbered;            /* frames are left out: keep their numbers */
	int failed;                 /* 1 annot read error, 2 write error */
};

/* epb_flags from what the source told: direction (the record's, or a Linux
 * cooked header's packet type) and the kernel's checksum/GSO hints. */
static bool epb_flags(const struct pkt_record *rec, uint32_t *flags)
{
	uint8_t dir = rec->dir;
	if (dir == PKT_DIR_UNKNOWN &&
	    (rec->linktype == LINKTYPE_LINUX_SLL || rec->linktype == LINKTYPE_LINUX_SLL2)) {
		struct pkt_decoded d;
		decode_packet(rec, &d);
		dir = d.dir;
	}
	uint32_t f = dir == PKT_DIR_IN ? PCAPNG_EPB_DIR_IN : dir == PKT_DIR_OUT ? PCAPNG_EPB_DIR_OUT : 0;
	if (rec->hints & PKT_HINT_CSUM_NOT_READY)
		f |= PCAPNG_EPB_CSUM_NOT_READY;
	if (rec->hints & PKT_HINT_CSUM_VALID)
		f |= PCAPNG_EPB_CSUM_VALID;
	if (rec->hints & PKT_HINT_GSO)
		f |= PCAPNG_EPB_TSO;
	*flags = f;
	return f != 0;
}

static void on_packet(void *user, const struct pkt_record *rec)
{
	struct pass *p = user;
	if (p->failed || interrupted || (p->limit && p->seen >= p->limit))
		return;
	p->seen++;
	const char *const *comments;
	size_t n;
	bool keep;
	if (annot_frame(p->an->annot, rec, &comments, &n, &keep) < 0) {
		p->failed = 1;
		return;
	}
	if (!keep)
		return;
	/* libpcap hands out DLT_ values; files hold LINKTYPE_ ones, equal but
	 * for raw IP (DLT_RAW is 12 or 14 by platform, LINKTYPE_RAW 101). */
	int iface = pcapng_writer_interface(p->w, rec->linktype == DLT_RAW ? LINKTYPE_RAW : rec->linktype);
	struct pcapng_packet pk = {
		.iface = (uint32_t)iface,
		.ts_ns = rec->ts_ns,
		.caplen = rec->caplen,
		.wirelen = rec->wirelen,
		.data = rec->data,
		.comments = comments,
		.ncomments = n,
	};
	pk.has_flags = epb_flags(rec, &pk.flags);
	/* When frames are left out (a BPF filter, --write-flagged), the pcapng
	 * numbers them anew: epb_packetid keeps the original frame number that
	 * the report and the comments use (Wireshark: frame.packet_id). */
	pk.packet_id = rec->frame;
	pk.has_packet_id = p->renumbered;
	if (iface < 0 || pcapng_writer_packet(p->w, &pk) < 0)
		p->failed = 2;
	else
		p->written++;
}

struct annotate *annotate_begin(const struct pipeline_config *o, struct analyzer_sink *sink, char *err,
				size_t errlen)
{
	if (source_same_file(o->write_path, o->read_file) ||
	    (o->out_path && strcmp(o->out_path, "-") && source_same_file(o->write_path, o->out_path)) ||
	    (o->out_path && !strcmp(o->out_path, o->write_path))) {
		snprintf(err, errlen, "-w %s is the capture being read (or the report): choose another file",
			 o->write_path);
		return NULL;
	}
	struct annotate *an = calloc(1, sizeof(*an));
	if (!an || !(an->annot = annot_new(o->write_flagged))) {
		snprintf(err, errlen, "out of memory");
		free(an);
		return NULL;
	}
	an->path = o->write_path;
	an->fd = open(o->write_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (an->fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", o->write_path, strerror(errno));
		annot_free(an->annot);
		free(an);
		return NULL;
	}
	annot_tee(an->annot, sink);
	return an;
}

int annotate_write(struct annotate *an, const struct pipeline_config *o, char *err, size_t errlen)
{
	char cerr[CAPTURE_ERRBUF_SIZE] = "";
	if (annot_finish(an->annot) < 0) {
		snprintf(err, errlen, "-w %s: cannot keep the findings for the annotated capture "
			 "(out of memory or no temporary file: set TMPDIR)", an->path);
		return -1;
	}
	struct capture_config cc = {.name = o->read_file, .bpf = o->filter};
	struct capture_source src;
	if (capture_open(&src, &capture_file_ops, &cc, cerr) < 0) {
		snprintf(err, errlen, "-w %s: cannot read the capture again: %s", an->path, cerr);
		return -1;
	}
	struct pass p = {.an = an, .limit = o->count, .renumbered = o->filter || o->write_flagged};
	p.w = pcapng_writer_new(an->fd, "tcplens " TCPLENS_VERSION);
	if (!p.w) {
		capture_close(&src);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* No SA_RESTART: a signal ends the pass after the frame being written. */
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	int rc = 0;
	for (;;) {
		int n = capture_dispatch(&src, 256, on_packet, &p, cerr);
		if (n == CAPTURE_END || p.failed || interrupted || (p.limit && p.seen >= p.limit))
			break;
		if (n < 0) {
			/* A file cut mid-record: pass 1 said so already; keep what was read. */
			break;
		}
	}
	if (pcapng_writer_close(p.w) < 0 && !p.failed)
		p.failed = 2;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	capture_close(&src);
	if (p.failed == 1) {
		snprintf(err, errlen, "-w %s: cannot read back the findings' temporary file", an->path);
		rc = -1;
	} else if (p.failed == 2) {
		snprintf(err, errlen, "-w %s: write error after %llu frames", an->path,
			 (unsigned long long)p.written);
		rc = -1;
	} else if (interrupted) {
		snprintf(err, errlen, "-w %s: interrupted: it holds the first %llu frames (whole blocks)",
			 an->path, (unsigned long long)p.written);
		rc = -1;
	}
	return rc;
}

void annotate_free(struct annotate *an)
{
	if (!an)
		return;
	if (an->fd >= 0)
		close(an->fd);
	annot_free(an->annot);
	free(an);
}
