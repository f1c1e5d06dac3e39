/* http.c - libcurl multi transport with retries, for judge requests. */
#include "http.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MIB (1024 * 1024)

enum xstate { X_QUEUED, X_ACTIVE, X_RETRY };

/* One request through all its attempts. */
struct xfer {
	struct http_client *c;
	CURL *easy;
	struct curl_slist *hdrs;
	char *body;
	size_t body_len;
	char *safe_url; /* scheme://host[:port]/path, for messages */
	void *user;
	enum xstate state;
	int attempts;
	int64_t submitted_ms, due_ms;
	struct sbuf rbody;
	int too_large;
	char *h_retry_after_ms, *h_retry_after, *h_should_retry, *h_request_id;
	char errbuf[CURL_ERROR_SIZE];
	struct xfer *prev, *next; /* in the list of its state */
};

/* A delivered response; the public part comes first so it can be cast back. */
struct done {
	struct http_response r;
	struct done *next;
};

struct xlist {
	struct xfer *head, *tail;
	size_t n;
};

struct http_client {
	CURLM *multi;
	struct http_config cfg;
	struct fb_rng rng;
	struct xlist queued, active, retry;
	struct done *done_head, *done_tail;
	size_t ndone;
	int64_t paused_until; /* after a 429 nothing starts before this (monotonic ms) */
	long retries, throttled; /* retries scheduled, of which after a 429 */
};

static int curl_ready;

void http_config_init(struct http_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_in_flight = 4;
	c->connect_timeout_ms = 5000;
	c->total_timeout_ms = 600000;
	c->max_body = 8 * MIB;
	c->max_retries = 2;
}

/* ---- lists -------------------------------------------------------------- */

static void list_push(struct xlist *l, struct xfer *x)
{
	x->prev = l->tail;
	x->next = NULL;
	if (l->tail)
		l->tail->next = x;
	else
		l->head = x;
	l->tail = x;
	l->n++;
}

static void list_remove(struct xlist *l, struct xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		l->head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		l->tail = x->prev;
	x->prev = x->next = NULL;
	l->n--;
}

static struct xlist *list_of(struct http_client *c, struct xfer *x)
{
	return x->state == X_QUEUED ? &c->queued : x->state == X_ACTIVE ? &c->active : &c->retry;
}

/* ---- retry policy --------------------------------------------------------- */

int http_should_retry(long status, enum http_fail fail, const char *x_should_retry,
		      const char *error_code)
{
	if (x_should_retry && !strcasecmp(x_should_retry, "true"))
		return 1;
	if (x_should_retry && !strcasecmp(x_should_retry, "false"))
		return 0;
	switch (fail) {
	case HTTP_FAIL_CONNECT:
	case HTTP_FAIL_TIMEOUT:
	case HTTP_FAIL_NETWORK:
		return 1;
	case HTTP_FAIL_TOO_LARGE:
	case HTTP_FAIL_CANCELLED:
	case HTTP_FAIL_OTHER:
		return 0;
	case HTTP_FAIL_NONE:
		break;
	}
	if (status == 402)
		return 0;
	if (status == 429 && error_code && !strcmp(error_code, "insufficient_quota"))
		return 0;
	return status == 408 || status == 409 || status == 429 || status >= 500;
}

/* A header value as a number of seconds; -1 when it is none. */
static double header_seconds(const char *v, double scale)
{
	char buf[64];
	size_t n;
	double d;

	if (!v)
		return -1;
	while (*v == ' ' || *v == '\t')
		v++;
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (parse_double(buf, &d) < 0 || !isfinite(d))
		return -1;
	return d * scale;
}

int64_t http_retry_delay_ms(const char *retry_after_ms, const char *retry_after, time_t now,
			    int retries_done, double u)
{
	double secs = header_seconds(retry_after_ms, 0.001), base;

	if (secs < 0)
		secs = header_seconds(retry_after, 1.0);
	if (secs < 0 && retry_after) {
		time_t when = curl_getdate(retry_after, NULL);

		if (when != (time_t)-1)
			secs = difftime(when, now);
	}
	if (secs > 0 && secs <= 60)
		return (int64_t)llround(secs * 1000.0);
	if (retries_done < 0)
		retries_done = 0;
	base = retries_done > 10 ? 8.0 : fmin(0.5 * ldexp(1.0, retries_done), 8.0);
	if (u < 0 || u >= 1)
		u = 0;
	return (int64_t)llround(base * (1.0 - 0.25 * u) * 1000.0);
}

char *http_error_code(const char *body, size_t len)
{
	cJSON *root, *e, *v;
	char *out = NULL;

	if (!body || !len)
		return NULL;
	root = cJSON_ParseWithLength(body, len);
	e = cJSON_GetObjectItemCaseSensitive(root, "error");
	v = cJSON_GetObjectItemCaseSensitive(e, "code");
	if (cJSON_IsString(v))
		out = xstrdup(v->valuestring);
	else if (cJSON_IsNumber(v))
		out = xasprintf("%.0f", v->valuedouble);
	else if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(e, "type")))
		out = xstrdup(v->valuestring);
	cJSON_Delete(root);
	return out;
}

void http_redact(char *s, const char *secret)
{
	size_t n;
	char *p;

	if (!s || !secret || (n = strlen(secret)) < 3)
		return;
	while ((p = strstr(s, secret)) != NULL) {
		memcpy(p, "***", 3);
		memmove(p + 3, p + n, strlen(p + n) + 1);
		s = p + 3;
	}
}

/* ---- URLs ----------------------------------------------------------------- */

static int is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[64];
	size_t n = strlen(host);

	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && n < sizeof(buf) && host[0] == '[' && host[n - 1] == ']') {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) == 1)
			return IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return 0;
}

/*
 * Check url; on success *safe is "scheme://host[:port]/path" (caller frees)
 * and *loopback tells whether the host is this machine.
 */
static int check_url(const char *url, int allow_insecure, char **safe, int *loopback,
		     struct fb_err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	int rc = -1;

	if (!u)
		fatal("out of memory (curl_url)");
	if (!url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		fb_error(err, "not a valid URL (expected https://host/path)");
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	if (strcmp(scheme, "https") && strcmp(scheme, "http")) {
		fb_error(err, "%s://%s: only http and https URLs are allowed", scheme, host);
		goto out;
	}
	*loopback = is_loopback(host);
	if (!strcmp(scheme, "http") && !*loopback && !allow_insecure) {
		fb_error(err, "http://%s: plain http would send the key unencrypted; use https "
			      "(or, on a network you trust, --allow-insecure-http)", host);
		goto out;
	}
	*safe = xasprintf("%s://%s%s%s%s", scheme, host, port ? ":" : "", port ? port : "",
			  path ? path : "/");
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

int http_url_check(const char *url, int allow_insecure, char **host, int *loopback,
		   struct fb_err *err)
{
	CURLU *u;
	char *h = NULL, *safe = NULL;
	int lb = 0;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return fb_error(err, "libcurl could not be initialised");
		curl_ready = 1;
	}
	if (check_url(url, allow_insecure, &safe, &lb, err) < 0)
		return -1;
	free(safe);
	if (host) {
		u = curl_url();
		if (!u)
			fatal("out of memory (curl_url)");
		curl_url_set(u, CURLUPART_URL, url, 0);
		curl_url_get(u, CURLUPART_HOST, &h, 0);
		*host = xstrdup(h ? h : "");
		curl_free(h);
		curl_url_cleanup(u);
	}
	if (loopback)
		*loopback = lb;
	return 0;
}

/* ---- curl callbacks -------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;

	if (x->rbody.len + n > x->c->cfg.max_body) {
		x->too_large = 1;
		return 0; /* any short count makes curl stop with CURLE_WRITE_ERROR */
	}
	sbuf_add(&x->rbody, data, n);
	return n;
}

static void clear_headers(struct xfer *x)
{
	free(x->h_retry_after_ms);
	free(x->h_retry_after);
	free(x->h_should_retry);
	free(x->h_request_id);
	x->h_retry_after_ms = x->h_retry_after = x->h_should_retry = x->h_request_id = NULL;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	static const struct {
		const char *name;
		size_t off;
	} keep[] = {
		{"retry-after-ms", offsetof(struct xfer, h_retry_after_ms)},
		{"retry-after", offsetof(struct xfer, h_retry_after)},
		{"x-should-retry", offsetof(struct xfer, h_should_retry)},
		{"x-request-id", offsetof(struct xfer, h_request_id)},
	};
	struct xfer *x = ud;
	size_t n = size * nmemb, i;
	const char *colon;

	/* a status line opens a new header block (after 100 Continue, say) */
	if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
		clear_headers(x);
		return n;
	}
	colon = memchr(data, ':', n);
	if (!colon)
		return n;
	for (i = 0; i < ARRAY_LEN(keep); i++) {
		size_t nl = strlen(keep[i].name);
		const char *v = colon + 1, *e = data + n;
		char **slot;

		if ((size_t)(colon - data) != nl || strncasecmp(data, keep[i].name, nl))
			continue;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		slot = (char **)(void *)((char *)x + keep[i].off);
		free(*slot);
		*slot = xstrndup(v, (size_t)(e - v));
	}
	return n;
}

/* ---- client ------------------------------------------------------------------ */

struct http_client *http_client_new(const struct http_config *cfg, struct fb_err *err)
{
	struct http_client *c;
	long maxconn;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fb_error(err, "libcurl could not be initialised");
			return NULL;
		}
		curl_ready = 1;
	}
	c = xcalloc(1, sizeof(*c));
	if (cfg)
		c->cfg = *cfg;
	else
		http_config_init(&c->cfg);
	if (c->cfg.max_in_flight < 1)
		c->cfg.max_in_flight = 1;
	if (c->cfg.max_retries < 0)
		c->cfg.max_retries = 0;
	if (c->cfg.max_body == 0)
		c->cfg.max_body = 8 * MIB;
	rng_seed(&c->rng, c->cfg.jitter_seed ? c->cfg.jitter_seed
					     : (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32));
	c->multi = curl_multi_init();
	if (!c->multi) {
		free(c);
		fb_error(err, "libcurl: cannot create a multi handle");
		return NULL;
	}
	maxconn = c->cfg.max_in_flight < 4 ? 4 : c->cfg.max_in_flight;
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->cfg.max_in_flight);
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, maxconn);
	return c;
}

static void xfer_free(struct xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->hdrs);
	free(x->body);
	free(x->safe_url);
	sbuf_release(&x->rbody);
	clear_headers(x);
	free(x);
}

static void free_list(struct http_client *c, struct xlist *l)
{
	while (l->head) {
		struct xfer *x = l->head;

		list_remove(l, x);
		if (x->state == X_ACTIVE)
			curl_multi_remove_handle(c->multi, x->easy);
		xfer_free(x);
	}
}

void http_client_free(struct http_client *c)
{
	struct done *d;

	if (!c)
		return;
	free_list(c, &c->active);
	free_list(c, &c->queued);
	free_list(c, &c->retry);
	while ((d = c->done_head) != NULL) {
		c->done_head = d->next;
		http_response_free(&d->r);
	}
	curl_multi_cleanup(c->multi);
	free(c);
}

int http_submit(struct http_client *c, const struct http_request *req, struct fb_err *err)
{
	struct xfer *x;
	char *safe = NULL;
	int loopback = 0;
	size_t i;

	if (check_url(req->url, c->cfg.allow_insecure, &safe, &loopback, err) < 0)
		return -1;
	x = xcalloc(1, sizeof(*x));
	x->c = c;
	x->safe_url = safe;
	x->user = req->user;
	x->submitted_ms = now_ms();
	x->easy = curl_easy_init();
	if (!x->easy)
		fatal("out of memory (curl_easy_init)");
	for (i = 0; i < req->nheaders; i++)
		if (!(x->hdrs = curl_slist_append(x->hdrs, req->headers[i])))
			fatal("out of memory (curl_slist_append)");
	/* no "Expect: 100-continue" round trip before large bodies */
	if (!(x->hdrs = curl_slist_append(x->hdrs, "Expect:")))
		fatal("out of memory (curl_slist_append)");
	curl_easy_setopt(x->easy, CURLOPT_URL, req->url);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(x->easy, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_NOPROGRESS, 1L);
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(x->easy, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(x->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(x->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, c->cfg.connect_timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, c->cfg.total_timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->cfg.max_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	if (loopback) /* a proxy from the environment must not see local traffic */
		curl_easy_setopt(x->easy, CURLOPT_PROXY, "");
	if (req->body) {
		x->body = xmalloc(req->body_len + 1);
		memcpy(x->body, req->body, req->body_len);
		x->body[req->body_len] = '\0';
		x->body_len = req->body_len;
		curl_easy_setopt(x->easy, CURLOPT_POST, 1L);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
	} else {
		curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	}
	x->state = X_QUEUED;
	list_push(&c->queued, x);
	return 0;
}

static enum http_fail classify(CURLcode rc, int too_large)
{
	switch (rc) {
	case CURLE_OK:
		return HTTP_FAIL_NONE;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_FAIL_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		return HTTP_FAIL_CONNECT;
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return HTTP_FAIL_NETWORK;
	case CURLE_FILESIZE_EXCEEDED:
		return HTTP_FAIL_TOO_LARGE;
	case CURLE_WRITE_ERROR:
		return too_large ? HTTP_FAIL_TOO_LARGE : HTTP_FAIL_OTHER;
	default:
		return HTTP_FAIL_OTHER;
	}
}

static void deliver(struct http_client *c, struct xfer *x, long status, enum http_fail fail,
		    CURLcode rc)
{
	struct done *d = xcalloc(1, sizeof(*d));
	struct http_response *r = &d->r;

	r->user = x->user;
	r->status = status;
	r->fail = fail;
	r->curl_code = (int)rc;
	r->attempts = x->attempts;
	r->elapsed_ms = now_ms() - x->submitted_ms;
	if (fail == HTTP_FAIL_TOO_LARGE)
		snprintf(r->error, sizeof(r->error), "%.150s: response body larger than %zu bytes",
			 x->safe_url, c->cfg.max_body);
	else if (fail == HTTP_FAIL_CANCELLED)
		snprintf(r->error, sizeof(r->error), "%.150s: cancelled", x->safe_url);
	else if (fail != HTTP_FAIL_NONE)
		snprintf(r->error, sizeof(r->error), "%.100s: %.150s", x->safe_url,
			 x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
	r->body_len = x->rbody.len;
	r->body = x->rbody.buf ? sbuf_detach(&x->rbody, NULL) : xstrdup("");
	r->retry_after_ms = x->h_retry_after_ms;
	r->retry_after = x->h_retry_after;
	r->x_should_retry = x->h_should_retry;
	r->request_id = x->h_request_id;
	x->h_retry_after_ms = x->h_retry_after = x->h_should_retry = x->h_request_id = NULL;
	xfer_free(x);
	if (c->done_tail)
		c->done_tail->next = d;
	else
		c->done_head = d;
	c->done_tail = d;
	c->ndone++;
}

/* An attempt of x ended with rc: schedule a retry or deliver. */
static void finish(struct http_client *c, struct xfer *x, CURLcode rc)
{
	long status = 0;
	enum http_fail fail = classify(rc, x->too_large);
	char *code = NULL;

	curl_multi_remove_handle(c->multi, x->easy);
	list_remove(&c->active, x);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (fail == HTTP_FAIL_NONE && status == 429)
		code = http_error_code(x->rbody.buf, x->rbody.len);
	if (x->attempts <= c->cfg.max_retries &&
	    http_should_retry(status, fail, x->h_should_retry, code)) {
		x->due_ms = now_ms() + http_retry_delay_ms(x->h_retry_after_ms, x->h_retry_after,
							   time(NULL), x->attempts - 1,
							   rng_double(&c->rng));
		x->state = X_RETRY;
		list_push(&c->retry, x);
		c->retries++;
		/* A rate limit concerns the account, not this request: hold every
		 * start until the server's delay has passed, as the openai-cookbook
		 * processor does, instead of sending more requests into the limit. */
		if (fail == HTTP_FAIL_NONE && status == 429) {
			c->throttled++;
			if (x->due_ms > c->paused_until)
				c->paused_until = x->due_ms;
		}
	} else {
		deliver(c, x, status, fail, rc);
	}
	free(code);
}

static void start(struct http_client *c, struct xfer *x)
{
	list_remove(list_of(c, x), x);
	sbuf_reset(&x->rbody);
	x->too_large = 0;
	x->errbuf[0] = '\0';
	clear_headers(x);
	x->attempts++;
	x->state = X_ACTIVE;
	list_push(&c->active, x);
	if (curl_multi_add_handle(c->multi, x->easy) != CURLM_OK) {
		list_remove(&c->active, x);
		snprintf(x->errbuf, sizeof(x->errbuf), "libcurl refused the transfer");
		deliver(c, x, 0, HTTP_FAIL_OTHER, CURLE_FAILED_INIT);
	}
}

/* Start due retries first, then queued requests, while there is room. */
static void start_due(struct http_client *c)
{
	int64_t now = now_ms();
	struct xfer *x, *next;

	if (now < c->paused_until)
		return;
	for (x = c->retry.head; x && c->active.n < (size_t)c->cfg.max_in_flight; x = next) {
		next = x->next;
		if (x->due_ms <= now)
			start(c, x);
	}
	while (c->queued.head && c->active.n < (size_t)c->cfg.max_in_flight)
		start(c, c->queued.head);
}

static void collect(struct http_client *c)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		char *p = NULL;
		struct xfer *x;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p);
		x = (struct xfer *)(void *)p;
		if (x)
			finish(c, x, m->data.result);
	}
}

static int perform(struct http_client *c, struct fb_err *err)
{
	int running;
	CURLMcode mc = curl_multi_perform(c->multi, &running);

	if (mc != CURLM_OK)
		return fb_error(err, "libcurl: %s", curl_multi_strerror(mc));
	collect(c);
	return 0;
}

int http_poll(struct http_client *c, struct pollfd *extra, size_t nextra, int timeout_ms,
	      struct fb_err *err)
{
	struct curl_waitfd *w = NULL;
	CURLMcode mc;
	int64_t wait = timeout_ms < 0 ? INT32_MAX : timeout_ms;
	size_t i;

	start_due(c);
	if (perform(c, err) < 0)
		return -1;
	start_due(c);
	if (c->ndone)
		return (int)c->ndone;
	if (!c->active.n && !c->retry.n && !c->queued.n && nextra == 0)
		return 0;
	if (c->retry.n || (c->queued.n && c->paused_until > now_ms())) {
		int64_t now = now_ms(), first = INT64_MAX;
		struct xfer *x;

		for (x = c->retry.head; x; x = x->next)
			if (x->due_ms < first)
				first = x->due_ms;
		if (c->paused_until > first)
			first = c->paused_until;
		if (first - now < wait)
			wait = first - now < 0 ? 0 : first - now;
	}
	if (nextra) {
		w = xcalloc(nextra, sizeof(*w));
		for (i = 0; i < nextra; i++) {
			w[i].fd = extra[i].fd;
			w[i].events = (short)(((extra[i].events & POLLIN) ? CURL_WAIT_POLLIN : 0) |
					      ((extra[i].events & POLLPRI) ? CURL_WAIT_POLLPRI : 0) |
					      ((extra[i].events & POLLOUT) ? CURL_WAIT_POLLOUT : 0));
		}
	}
	mc = curl_multi_poll(c->multi, w, (unsigned)nextra, (int)wait, NULL);
	for (i = 0; i < nextra; i++)
		extra[i].revents = (short)(((w[i].revents & CURL_WAIT_POLLIN) ? POLLIN : 0) |
					   ((w[i].revents & CURL_WAIT_POLLPRI) ? POLLPRI : 0) |
					   ((w[i].revents & CURL_WAIT_POLLOUT) ? POLLOUT : 0));
	free(w);
	if (mc != CURLM_OK)
		return fb_error(err, "libcurl: %s", curl_multi_strerror(mc));
	if (perform(c, err) < 0)
		return -1;
	start_due(c);
	return (int)c->ndone;
}

void http_wakeup(struct http_client *c)
{
	curl_multi_wakeup(c->multi);
}

struct http_response *http_next(struct http_client *c)
{
	struct done *d = c->done_head;

	if (!d)
		return NULL;
	c->done_head = d->next;
	if (!c->done_head)
		c->done_tail = NULL;
	c->ndone--;
	d->next = NULL;
	return &d->r;
}

void http_response_free(struct http_response *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->retry_after_ms);
	free(r->retry_after);
	free(r->x_should_retry);
	free(r->request_id);
	free((struct done *)(void *)r);
}

long http_retries(const struct http_client *c)
{
	return c->retries;
}

long http_throttled(const struct http_client *c)
{
	return c->throttled;
}

size_t http_pending(const struct http_client *c)
{
	return c->queued.n + c->active.n + c->retry.n + c->ndone;
}

void http_cancel_all(struct http_client *c)
{
	struct xlist *lists[] = {&c->active, &c->retry, &c->queued};
	size_t i;

	for (i = 0; i < ARRAY_LEN(lists); i++) {
		while (lists[i]->head) {
			struct xfer *x = lists[i]->head;

			if (x->state == X_ACTIVE)
				curl_multi_remove_handle(c->multi, x->easy);
			list_remove(lists[i], x);
			deliver(c, x, 0, HTTP_FAIL_CANCELLED, CURLE_ABORTED_BY_CALLBACK);
		}
	}
}
