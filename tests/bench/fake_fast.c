/*
 * fake_fast.c - a minimal OpenAI-compatible judge for the judge benchmark:
 * answers POST .../chat/completions at once, from one thread, so that the
 * client under test is what gets measured (tests/fake_llm.py is a full
 * fake but far too slow for thousands of requests a second).
 *
 *   fake_fast [PORT]     listens on 127.0.0.1 (port 0 or none: any free
 *                        port); prints "PORT n" on stdout; runs until killed
 *                        or until 120 s pass without a request.
 *
 * HTTP/1.1 with keep-alive and Content-Length bodies only (what libcurl and
 * Node send).  The answer has one UltraFeedback block per "<text k>" in the
 * request, in the type-rating shape (which the plain rating patterns read
 * too), or a critique when the request mentions "Overall Score".
 *
 * Linux only (epoll).  Build: cc -O2 -o fake_fast fake_fast.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define MAX_REQUEST (64 * 1024 * 1024)
#define IDLE_SECONDS 120

struct conn {
	int fd;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_off, out_cap;
};

static void *grow(void *p, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 4096;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	p = realloc(p, c);
	if (!p) {
		perror("fake_fast: realloc");
		exit(1);
	}
	*cap = c;
	return p;
}

static void out_add(struct conn *c, const char *s, size_t n)
{
	c->out = grow(c->out, &c->out_cap, c->out_len + n);
	memcpy(c->out + c->out_len, s, n);
	c->out_len += n;
}

static size_t count(const char *s, size_t n, const char *needle)
{
	size_t k = 0, m = strlen(needle);
	const char *p = s, *end = s + n;

	while (p < end && (p = memmem(p, (size_t)(end - p), needle, m)) != NULL) {
		k++;
		p += m;
	}
	return k;
}

/* The header value of name (case-insensitive) in head, or NULL. */
static const char *header(const char *head, size_t n, const char *name)
{
	size_t m = strlen(name);
	const char *p = head, *end = head + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			break;
		if ((size_t)(nl - p) > m && !strncasecmp(p, name, m) && p[m] == ':')
			return p + m + 1;
		p = nl + 1;
	}
	return NULL;
}

static void answer(struct conn *c, const char *body, size_t blen, unsigned long seq)
{
	char content[16384], json[20000], head[256];
	size_t ntexts = count(body, blen, "</text "), k, cl = 0, jl;
	int critique = memmem(body, blen, "Overall Score", 13) != NULL;

	if (critique) {
		cl = (size_t)snprintf(content, sizeof(content),
				      "Clear and correct, could be shorter.\\n\\nOverall Score: %lu",
				      1 + seq % 10);
	} else {
		if (ntexts == 0)
			ntexts = 1;
		if (ntexts > 64)
			ntexts = 64;
		for (k = 1; k <= ntexts; k++)
			cl += (size_t)snprintf(content + cl, sizeof(content) - cl,
					       "%s#### Output for Text %zu\\nType: None\\n"
					       "Rationale: nothing to note.\\nRating: %lu\\n"
					       "Rationale: text %zu is adequate.",
					       k > 1 ? "\\n\\n" : "", k, 1 + (seq + k) % 5, k);
	}
	jl = (size_t)snprintf(json, sizeof(json),
			      "{\"id\":\"chatcmpl-%lu\",\"object\":\"chat.completion\","
			      "\"created\":1700000000,\"model\":\"fake-fast\",\"choices\":[{\"index\":0,"
			      "\"message\":{\"role\":\"assistant\",\"content\":\"%.*s\"},"
			      "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":%zu,"
			      "\"completion_tokens\":%zu,\"total_tokens\":%zu}}",
			      seq, (int)cl, content, blen / 4, cl / 4, blen / 4 + cl / 4);
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "Connection: keep-alive\r\n\r\n",
		 jl);
	out_add(c, head, strlen(head));
	out_add(c, json, jl);
}

static void reply_404(struct conn *c)
{
	static const char r[] = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
				"Content-Length: 33\r\n\r\n{\"error\":{\"message\":\"no such path\"}}";

	out_add(c, r, sizeof(r) - 1);
}

/* Answer every complete request in c->in; -1 to close the connection. */
static int serve(struct conn *c, unsigned long *seq)
{
	size_t used = 0;

	for (;;) {
		char *start = c->in + used, *eoh;
		size_t avail = c->in_len - used, hlen, blen = 0;
		const char *cl;

		eoh = memmem(start, avail, "\r\n\r\n", 4);
		if (!eoh)
			break;
		hlen = (size_t)(eoh - start) + 4;
		cl = header(start, hlen, "content-length");
		if (cl)
			blen = strtoul(cl, NULL, 10);
		if (blen > MAX_REQUEST)
			return -1;
		if (avail < hlen + blen)
			break;
		if (!strncmp(start, "POST ", 5) && memmem(start, hlen, "/chat/completions", 17))
			answer(c, start + hlen, blen, ++*seq);
		else
			reply_404(c);
		used += hlen + blen;
	}
	if (used) {
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
	return 0;
}

static int flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (w < 0)
			return errno == EAGAIN ? 0 : -1;
		c->out_off += (size_t)w;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

static void drop(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct epoll_event ev, evs[MAX_EVENTS];
	unsigned long seq = 0;
	time_t last = time(NULL);
	int one = 1, lfd, ep;

	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)(argc > 1 ? atoi(argv[1]) : 0));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 1024) < 0) {
		perror("fake_fast: bind/listen");
		return 1;
	}
	getsockname(lfd, (struct sockaddr *)&a, &alen);
	printf("PORT %d\n", ntohs(a.sin_port));
	fflush(stdout);
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, MAX_EVENTS, 1000), i;

		if (n <= 0) {
			if (time(NULL) - last > IDLE_SECONDS)
				return 0;
			continue;
		}
		last = time(NULL);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (!c) { /* the listening socket */
				int fd;

				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					c = calloc(1, sizeof(*c));
					if (!c)
						exit(1);
					c->fd = fd;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			for (;;) {
				ssize_t r;

				c->in = grow(c->in, &c->in_cap, c->in_len + 65536);
				r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
				if (r > 0) {
					c->in_len += (size_t)r;
					continue;
				}
				if (r == 0 || errno != EAGAIN) {
					drop(ep, c);
					c = NULL;
				}
				break;
			}
			if (!c)
				continue;
			if (serve(c, &seq) < 0 || flush(c) < 0) {
				drop(ep, c);
				continue;
			}
			/* a reply too big for the socket buffer: wait until it drains */
			ev.events = c->out_len ? EPOLLIN | EPOLLOUT : EPOLLIN;
			ev.data.ptr = c;
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		}
	}
}
