/*
 * report/metrics_http.c — the smallest HTTP/1.0 responder that serves
 * GET /metrics to a Prometheus scraper from the capture loop: one
 * non-blocking listening socket bound only to the address given, a few
 * connection slots with fixed buffers, every socket non-blocking, polled
 * between capture batches. A slow or silent client never holds the
 * capture: it is dropped after 5 s. One response per connection
 * (Connection: close).
 */
#include "metrics.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "common/mono_clock.h"

#define REQ_MAX 2048
#define RESP_HEAD_MAX 256
#define CLIENT_TIMEOUT_S 5.0

struct slot {
	int fd;                 /* -1 = free */
	double since;
	size_t got;             /* request bytes read */
	char req[REQ_MAX];
	char *resp;             /* RESP_HEAD_MAX + METRICS_TEXT_MAX */
	size_t resp_len, sent;  /* resp_len 0 = still reading */
};

struct metrics_http {
	int lfd;
	struct slot slot[METRICS_HTTP_SLOTS];
};

/* "ADDR:PORT" or "[ADDR]:PORT" into host and port (in place copies). */
static int split_listen(const char *s, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':')
			return -1;
		if ((size_t)(end - s - 1) >= hlen)
			return -1;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = 0;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= hlen)
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
	}
	if (!host[0] || !colon[1] || strlen(colon + 1) >= plen)
		return -1;
	strcpy(port, colon + 1);
	return 0;
}

struct metrics_http *metrics_http_new(const char *listen_on, char *err, size_t errlen)
{
	char host[256], port[16];
	if (split_listen(listen_on, host, sizeof(host), port, sizeof(port)) < 0) {
		snprintf(err, errlen, "--metrics wants ADDR:PORT (127.0.0.1:9911, [::1]:9911), not '%s'",
			 listen_on);
		return NULL;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV | AI_PASSIVE}, *ai;
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "--metrics %s: %s", listen_on, gai_strerror(rc));
		return NULL;
	}
	struct metrics_http *h = calloc(1, sizeof(*h));
	if (!h) {
		freeaddrinfo(ai);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->lfd = -1;
	for (int i = 0; i < METRICS_HTTP_SLOTS; i++) {
		h->slot[i].fd = -1;
		if (!(h->slot[i].resp = malloc(RESP_HEAD_MAX + METRICS_TEXT_MAX))) {
			freeaddrinfo(ai);
			metrics_http_free(h);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
	}
	int one = 1;
	h->lfd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0 || setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(h->lfd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(h->lfd, 16) < 0) {
		snprintf(err, errlen, "--metrics %s: %s", listen_on, strerror(errno));
		freeaddrinfo(ai);
		metrics_http_free(h);
		return NULL;
	}
	freeaddrinfo(ai);
	return h;
}

static void slot_close(struct slot *s)
{
	close(s->fd);
	s->fd = -1;
}

/* The request is complete (an empty line ends the headers). */
static int req_done(const struct slot *s)
{
	return strstr(s->req, "\r\n\r\n") || strstr(s->req, "\n\n");
}

static void respond(struct slot *s, metrics_render_fn render, void *user, const char **text,
		    size_t *tn)
{
	const char *status = "200 OK", *body = NULL;
	size_t blen = 0;
	int head_only = !strncmp(s->req, "HEAD ", 5);
	if (strncmp(s->req, "GET ", 4) && !head_only) {
		status = "405 Method Not Allowed";
		body = "GET /metrics\n";
	} else {
		const char *path = s->req + (head_only ? 5 : 4);
		size_t plen = strcspn(path, " ?\r\n");
		if (plen == 8 && !strncmp(path, "/metrics", 8)) {
			if (!*text)
				*text = render(user, tn);
			body = *text;
			blen = *tn;
			if (!body) {
				status = "500 Internal Server Error";
				body = "metrics text too long\n";
			}
		} else {
			status = "404 Not Found";
			body = "tcplens serves /metrics\n";
		}
	}
	if (!blen && body)
		blen = strlen(body);
	int n = snprintf(s->resp, RESP_HEAD_MAX,
			 "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, blen);
	s->resp_len = (size_t)n;
	if (!head_only && blen <= METRICS_TEXT_MAX) {
		memcpy(s->resp + n, body, blen);
		s->resp_len += blen;
	}
	s->sent = 0;
}

/* Advance one connection: read what is there, answer, write what fits. */
static void slot_step(struct slot *s, double now, metrics_render_fn render, void *user,
		      const char **text, size_t *tn)
{
	while (!s->resp_len) {
		ssize_t r = recv(s->fd, s->req + s->got, REQ_MAX - 1 - s->got, 0);
		if (r > 0) {
			s->got += (size_t)r;
			s->req[s->got] = 0;
			if (req_done(s) || s->got == REQ_MAX - 1)
				respond(s, render, user, text, tn);
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (now - s->since > CLIENT_TIMEOUT_S)
				slot_close(s);
			return;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (s->got) {            /* HTTP/0.9-like: the peer closed its side */
			respond(s, render, user, text, tn);
			break;
		}
		slot_close(s);
		return;
	}
	while (s->sent < s->resp_len) {
		ssize_t w = send(s->fd, s->resp + s->sent, s->resp_len - s->sent, MSG_NOSIGNAL);
		if (w > 0) {
			s->sent += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    now - s->since <= CLIENT_TIMEOUT_S)
			return;
		break;
	}
	slot_close(s);
}

void metrics_http_poll(struct metrics_http *h, metrics_render_fn render, void *user)
{
	double now = mono_clock_s();
	const char *text = NULL;
	size_t tn = 0;
	for (int i = 0; i < METRICS_HTTP_SLOTS; i++) {
		struct slot *s = &h->slot[i];
		if (s->fd < 0) {
			s->fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (s->fd < 0)
				continue;
			s->since = now;
			s->got = 0;
			s->req[0] = 0;
			s->resp_len = s->sent = 0;
		}
		slot_step(s, now, render, user, &text, &tn);
	}
}

void metrics_http_free(struct metrics_http *h)
{
	if (!h)
		return;
	for (int i = 0; i < METRICS_HTTP_SLOTS; i++) {
		if (h->slot[i].fd >= 0)
			close(h->slot[i].fd);
		free(h->slot[i].resp);
	}
	if (h->lfd >= 0)
		close(h->lfd);
	free(h);
}
