/*
 * http.h - HTTP requests to LLM servers over libcurl's multi interface.
 *
 * Single-threaded: nothing happens unless the owner calls http_poll(), which
 * waits in curl_multi_poll() and drives transfers with curl_multi_perform().
 * Up to max_in_flight requests run at once (the rest queue, first in first
 * out); connections are kept alive and reused, and HTTP/2 multiplexing is
 * used when the server offers it.
 *
 * Joining an event loop (the TUI): instead of polling its own descriptors,
 * the loop hands them to http_poll() as struct pollfd (keyboard, signal
 * pipe...) together with its own timer deadline as the timeout.  http_poll
 * returns when a response is ready, one of those descriptors is ready (their
 * revents are filled in), the timeout passed, or http_wakeup() was called
 * from another thread or a signal handler.  So one poll serves the keys,
 * curl's sockets and the timers, and an HTTP call never freezes the screen.
 *
 * Retries happen inside the client, by the policy of http_should_retry()
 * and http_retry_delay_ms() (openai-python's, see below); a response is
 * delivered once, after its last attempt, with the number of attempts.
 *
 * Safety: only http and https URLs are accepted; plain http only to a
 * loopback host unless allow_insecure is set; TLS verification is never
 * turned off; CURLOPT_VERBOSE stays off; error texts name the URL without
 * its query string or credentials and never quote request headers.  Put the
 * API key in a header ("Authorization: Bearer ..."), never in the URL.
 * Redirects are not followed (they would carry the key elsewhere).
 *
 * Ownership: requests are copied at submit time (URL, headers, body); the
 * user pointer is handed back untouched in the response.  Responses come
 * from http_next() and are freed by the caller with http_response_free().
 */
#ifndef FB_HTTP_H
#define FB_HTTP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util.h"

struct http_config {
	int max_in_flight;       /* default 4 */
	long connect_timeout_ms; /* default 5000 */
	long total_timeout_ms;   /* whole attempt; default 600000 */
	size_t max_body;         /* response body limit; default 8 MiB; over it the
				    request fails with HTTP_FAIL_TOO_LARGE (no retry) */
	int max_retries;         /* default 2 (so up to 3 attempts) */
	int allow_insecure;      /* 1: plain http to any host */
	uint64_t jitter_seed;    /* 0: seeded from the clock */
};

/* Defaults as above. */
void http_config_init(struct http_config *c);

/* How an attempt ended apart from its HTTP status. */
enum http_fail {
	HTTP_FAIL_NONE,      /* a whole HTTP response arrived (any status) */
	HTTP_FAIL_CONNECT,   /* could not resolve, connect or shake hands (retried) */
	HTTP_FAIL_TIMEOUT,   /* connect or total timeout (retried) */
	HTTP_FAIL_NETWORK,   /* connection dropped, nothing or part received (retried) */
	HTTP_FAIL_TOO_LARGE, /* body over max_body (final) */
	HTTP_FAIL_CANCELLED, /* http_cancel_all() (final) */
	HTTP_FAIL_OTHER,     /* certificate, protocol or other error (final) */
};

struct http_request {
	const char *url;
	const char *const *headers; /* "Name: value" lines; may be NULL */
	size_t nheaders;
	const char *body;           /* POST body; NULL for a GET */
	size_t body_len;
	void *user;                 /* handed back in the response */
};

struct http_response {
	void *user;
	long status;        /* HTTP status of the last attempt; 0 when none arrived */
	enum http_fail fail;
	int curl_code;      /* CURLcode of the last attempt */
	char error[256];    /* what went wrong at transport level; "" when fail is NONE */
	char *body;         /* NUL-terminated; "" when none */
	size_t body_len;
	/* response headers of the last attempt, NULL when absent */
	char *retry_after_ms, *retry_after, *x_should_retry, *request_id;
	int attempts;       /* 1 + retries made */
	int64_t elapsed_ms; /* from submit to delivery, waits included */
};

struct http_client;

/*
 * Check a URL as http_submit would (scheme, plain http only to loopback
 * unless allow_insecure).  On success *host (may be NULL; caller frees) is
 * its host name and *loopback (may be NULL) whether it is this machine.
 * -1 with err otherwise.  Needs no client.
 */
int http_url_check(const char *url, int allow_insecure, char **host, int *loopback,
		   struct fb_err *err);

/* NULL with err when libcurl cannot be set up. Free with http_client_free. */
struct http_client *http_client_new(const struct http_config *cfg, struct fb_err *err);
/* Abort everything; responses not yet taken are freed, user data untouched. */
void http_client_free(struct http_client *c);

/*
 * Queue a request.  -1 with err (nothing queued) when the URL is not http(s),
 * is malformed, or is plain http to a host that is not loopback while
 * allow_insecure is off.
 */
int http_submit(struct http_client *c, const struct http_request *req, struct fb_err *err);

/*
 * Run transfers for up to timeout_ms (-1: until something happens).
 * extra[0..nextra) are the caller's descriptors (revents filled in).
 * Returns the number of responses ready for http_next(), or -1 with err
 * when libcurl's multi interface fails.  Returns at once when responses are
 * ready, or when nothing is in flight and no extra descriptor was given.
 */
int http_poll(struct http_client *c, struct pollfd *extra, size_t nextra, int timeout_ms,
	      struct fb_err *err);

/* Interrupt a running http_poll (thread- and signal-safe as libcurl's wakeup). */
void http_wakeup(struct http_client *c);

/* The oldest ready response, or NULL. Caller frees with http_response_free. */
struct http_response *http_next(struct http_client *c);
void http_response_free(struct http_response *r);

/* Requests submitted and not yet taken with http_next (queued, running, waiting to retry, ready). */
size_t http_pending(const struct http_client *c);

/*
 * Retries scheduled so far (for a live count), and how many of them
 * followed a 429.  After a retried 429 no request starts (new or retry)
 * until that retry's delay has passed: the limit is the account's, so the
 * whole client waits rather than only the request that hit it.
 */
long http_retries(const struct http_client *c);
long http_throttled(const struct http_client *c);

/* Finish every request that is not ready yet as HTTP_FAIL_CANCELLED. */
void http_cancel_all(struct http_client *c);

/* ---- retry policy (pure functions) ---------------------------------------
 *
 * http_should_retry: 1 when an attempt that ended like this is worth another.
 * In order: an "x-should-retry" header of "true"/"false" decides; connection
 * failures, timeouts and dropped connections are retried; a too-large body,
 * a cancel or other transport errors are not; HTTP 402 and a 429 whose error
 * code is "insufficient_quota" are final; 408, 409, 429 and >= 500 (529
 * included) are retried; anything else is not.
 * error_code: the code from the error body (http_error_code), may be NULL.
 */
int http_should_retry(long status, enum http_fail fail, const char *x_should_retry,
		      const char *error_code);

/*
 * Milliseconds to wait before retry number retries_done+1 (retries_done = 0
 * before the first retry).  A server delay from "retry-after-ms"
 * (milliseconds), else "retry-after" (seconds, or an HTTP date compared with
 * now, seconds since the epoch) is used as is when it lies in (0, 60] s.
 * Otherwise min(0.5 * 2^retries_done, 8) s times a jitter factor 1 - u/4,
 * which lies in (0.75, 1] for u in [0, 1).  Header values may be NULL.
 */
int64_t http_retry_delay_ms(const char *retry_after_ms, const char *retry_after, time_t now,
			    int retries_done, double u);

/*
 * The error code of an error body ({"error":{"code":...}} as a string or
 * integer, else its "type"), or NULL when there is none.  Caller frees.
 */
char *http_error_code(const char *body, size_t len);

/* Replace every occurrence of secret (3 bytes or longer) in s with "***". */
void http_redact(char *s, const char *secret);

#endif
