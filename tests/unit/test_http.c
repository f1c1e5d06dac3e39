/*
 * test_http.c - the retry policy (pure functions), URL checks, and live
 * requests against tests/fake_llm.py, which this test starts on 127.0.0.1
 * (skipped when python3 or the script is missing).
 */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chat.h"
#include "embedded.h"
#include "http.h"
#include "jprompt.h"
#include "reply.h"
#include "rubric.h"
#include "util.h"

/* ---- retry policy ----------------------------------------------------------- */

static void test_should_retry_statuses(void **state)
{
	static const long yes[] = {408, 409, 429, 500, 502, 503, 504, 529, 599};
	static const long no[] = {200, 400, 401, 402, 403, 404, 413, 422};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(yes); i++)
		if (!http_should_retry(yes[i], HTTP_FAIL_NONE, NULL, NULL))
			fail_msg("status %ld should be retried", yes[i]);
	for (i = 0; i < ARRAY_LEN(no); i++)
		if (http_should_retry(no[i], HTTP_FAIL_NONE, NULL, NULL))
			fail_msg("status %ld should not be retried", no[i]);
}

static void test_should_retry_final_and_header(void **state)
{
	(void)state;
	/* quota exhaustion is final; an ordinary rate limit is not */
	assert_false(http_should_retry(429, HTTP_FAIL_NONE, NULL, "insufficient_quota"));
	assert_true(http_should_retry(429, HTTP_FAIL_NONE, NULL, "rate_limit_exceeded"));
	assert_false(http_should_retry(402, HTTP_FAIL_NONE, NULL, "402"));
	/* x-should-retry decides first, either way */
	assert_true(http_should_retry(400, HTTP_FAIL_NONE, "true", NULL));
	assert_true(http_should_retry(400, HTTP_FAIL_NONE, "TRUE", NULL));
	assert_false(http_should_retry(500, HTTP_FAIL_NONE, "false", NULL));
	assert_false(http_should_retry(429, HTTP_FAIL_NONE, "False", NULL));
	assert_true(http_should_retry(500, HTTP_FAIL_NONE, "maybe", NULL));
	/* transport failures */
	assert_true(http_should_retry(0, HTTP_FAIL_CONNECT, NULL, NULL));
	assert_true(http_should_retry(0, HTTP_FAIL_TIMEOUT, NULL, NULL));
	assert_true(http_should_retry(0, HTTP_FAIL_NETWORK, NULL, NULL));
	assert_true(http_should_retry(200, HTTP_FAIL_NETWORK, NULL, NULL));
	assert_false(http_should_retry(200, HTTP_FAIL_TOO_LARGE, NULL, NULL));
	assert_false(http_should_retry(0, HTTP_FAIL_OTHER, NULL, NULL));
	assert_false(http_should_retry(0, HTTP_FAIL_CANCELLED, NULL, NULL));
}

static void test_delay_from_server(void **state)
{
	const time_t now = 1445412480 - 10; /* ten seconds before the date below */

	(void)state;
	assert_int_equal(http_retry_delay_ms("1500", NULL, now, 0, 0), 1500);
	assert_int_equal(http_retry_delay_ms(" 250.5 ", NULL, now, 3, 0), 251);
	assert_int_equal(http_retry_delay_ms(NULL, "2", now, 0, 0), 2000);
	assert_int_equal(http_retry_delay_ms(NULL, "0.5", now, 0, 0), 500);
	assert_int_equal(http_retry_delay_ms(NULL, "60", now, 0, 0), 60000);
	/* milliseconds win over seconds */
	assert_int_equal(http_retry_delay_ms("100", "30", now, 0, 0), 100);
	/* an HTTP date */
	assert_int_equal(http_retry_delay_ms(NULL, "Wed, 21 Oct 2015 07:28:00 GMT", now, 0, 0),
			 10000);
	/* out of (0, 60] s, in the past or junk: exponential backoff instead */
	assert_int_equal(http_retry_delay_ms(NULL, "61", now, 0, 0), 500);
	assert_int_equal(http_retry_delay_ms(NULL, "0", now, 1, 0), 1000);
	assert_int_equal(http_retry_delay_ms("-5", NULL, now, 2, 0), 2000);
	assert_int_equal(http_retry_delay_ms("60001", NULL, now, 0, 0), 500);
	assert_int_equal(http_retry_delay_ms(NULL, "Wed, 21 Oct 2015 07:27:00 GMT", now, 0, 0),
			 500);
	assert_int_equal(http_retry_delay_ms(NULL, "soon", now, 0, 0), 500);
	assert_int_equal(http_retry_delay_ms("", "", now, 0, 0), 500);
}

static void test_delay_backoff(void **state)
{
	static const int64_t base[] = {500, 1000, 2000, 4000, 8000, 8000, 8000};
	struct fb_rng rng;
	size_t n;
	int i;

	(void)state;
	for (n = 0; n < ARRAY_LEN(base); n++)
		assert_int_equal(http_retry_delay_ms(NULL, NULL, 0, (int)n, 0), base[n]);
	assert_int_equal(http_retry_delay_ms(NULL, NULL, 0, 1000, 0), 8000);
	/* jitter 1 - u/4: never below three quarters, never above the base */
	assert_int_equal(http_retry_delay_ms(NULL, NULL, 0, 0, 0.5), 438);
	assert_true(http_retry_delay_ms(NULL, NULL, 0, 0, 0.999999) >= 375);
	rng_seed(&rng, 7);
	for (i = 0; i < 1000; i++) {
		int64_t d = http_retry_delay_ms(NULL, NULL, 0, 2, rng_double(&rng));

		assert_in_range(d, 1500, 2000);
	}
}

static char *ecode(const char *body)
{
	return http_error_code(body, strlen(body));
}

static void test_error_code_and_redact(void **state)
{
	char *c;
	char msg[] = "bad key sk-abc123 given; sk-abc123 again";

	(void)state;
	c = ecode("{\"error\":{\"code\":\"insufficient_quota\"}}");
	assert_string_equal(c, "insufficient_quota");
	free(c);
	c = ecode("{\"error\":{\"code\":null,\"type\":\"insufficient_quota\"}}");
	assert_string_equal(c, "insufficient_quota");
	free(c);
	c = ecode("{\"error\":{\"code\":429}}");
	assert_string_equal(c, "429");
	free(c);
	assert_null(ecode("{\"error\":\"text\"}"));
	assert_null(ecode("<html>"));
	assert_null(http_error_code(NULL, 0));
	http_redact(msg, "sk-abc123");
	assert_string_equal(msg, "bad key *** given; *** again");
	http_redact(msg, "");
	http_redact(msg, NULL);
	assert_string_equal(msg, "bad key *** given; *** again");
}

/* ---- URL checks ------------------------------------------------------------------ */

static struct http_client *client(int max_retries, long timeout_ms, int insecure)
{
	struct http_config cfg;
	struct fb_err err;
	struct http_client *c;

	http_config_init(&cfg);
	cfg.max_retries = max_retries;
	cfg.total_timeout_ms = timeout_ms;
	cfg.allow_insecure = insecure;
	cfg.jitter_seed = 99;
	c = http_client_new(&cfg, &err);
	if (!c)
		fail_msg("%s", err.msg);
	return c;
}

static int submit_url(struct http_client *c, const char *url, struct fb_err *err)
{
	struct http_request req = {url, NULL, 0, "{}", 2, NULL};

	return http_submit(c, &req, err);
}

static void test_url_rules(void **state)
{
	struct http_client *c = client(0, 1000, 0), *ci = client(0, 1000, 1);
	struct fb_err err;

	(void)state;
	assert_int_equal(submit_url(c, "http://api.example.com/v1/chat/completions", &err), -1);
	assert_non_null(strstr(err.msg, "plain http"));
	assert_int_equal(submit_url(c, "http://127.0.0.1.example.com/v1", &err), -1);
	assert_int_equal(submit_url(c, "ftp://127.0.0.1/x", &err), -1);
	assert_non_null(strstr(err.msg, "only http and https"));
	assert_int_equal(submit_url(c, "file:///etc/passwd", &err), -1);
	assert_int_equal(submit_url(c, "not a url", &err), -1);
	assert_int_equal(submit_url(c, NULL, &err), -1);
	assert_int_equal(http_pending(c), 0);
	/* accepted (queued, never run: the client is freed without polling) */
	assert_int_equal(submit_url(c, "https://api.openai.com/v1/chat/completions", &err), 0);
	assert_int_equal(submit_url(c, "http://localhost:8000/v1", &err), 0);
	assert_int_equal(submit_url(c, "http://127.1.2.3:8000/v1", &err), 0);
	assert_int_equal(submit_url(c, "http://[::1]:8000/v1", &err), 0);
	assert_int_equal(http_pending(c), 4);
	assert_int_equal(submit_url(ci, "http://api.example.com/v1", &err), 0);
	http_client_free(c);
	http_client_free(ci);
}

/* Run until one response arrives (at most 30 s). */
static struct http_response *wait_one(struct http_client *c)
{
	int64_t end = now_ms() + 30000;
	struct fb_err err;
	struct http_response *r;

	while ((r = http_next(c)) == NULL) {
		if (now_ms() > end)
			fail_msg("no response within 30 s");
		if (http_poll(c, NULL, 0, 1000, &err) < 0)
			fail_msg("%s", err.msg);
	}
	return r;
}

static void test_connect_refused_keeps_secrets(void **state)
{
	struct http_client *c = client(1, 5000, 0);
	const char *hdrs[] = {"Authorization: Bearer sk-SECRETKEY123", "Content-Type: application/json"};
	/* port 1 on loopback: nothing listens there */
	struct http_request req = {"http://127.0.0.1:1/v1/chat/completions?api_key=sk-SECRETKEY123",
				   hdrs, 2, "{}", 2, (void *)&req};
	struct http_response *r;
	struct fb_err err;

	(void)state;
	assert_int_equal(http_submit(c, &req, &err), 0);
	r = wait_one(c);
	assert_ptr_equal(r->user, &req);
	assert_int_equal(r->fail, HTTP_FAIL_CONNECT);
	assert_int_equal(r->attempts, 2); /* connection errors are retried */
	assert_int_equal(r->status, 0);
	assert_non_null(strstr(r->error, "http://127.0.0.1:1/v1/chat/completions"));
	assert_null(strstr(r->error, "SECRETKEY"));
	assert_null(strstr(r->error, "api_key"));
	assert_int_equal(http_pending(c), 0);
	http_response_free(r);
	http_client_free(c);
}

/* ---- the fake server ---------------------------------------------------------------- */

static struct {
	pid_t pid;
	int port;
	char log[64];
	char why[256];
} fake;

static int fake_start(void **state)
{
	const char *script = getenv("FEEDBENCH_FAKE_LLM");
	int fd[2], logfd;
	char buf[128];
	size_t got = 0;
	int64_t end;

	(void)state;
	if (!script)
		script = "tests/fake_llm.py";
	if (access(script, R_OK) != 0) {
		snprintf(fake.why, sizeof(fake.why), "%s not found (run from the source tree)", script);
		return 0;
	}
	strcpy(fake.log, "/tmp/feedbench-fake-llm-XXXXXX");
	logfd = mkstemp(fake.log);
	if (logfd < 0 || pipe(fd) < 0)
		return -1;
	close(logfd);
	fake.pid = fork();
	if (fake.pid < 0)
		return -1;
	if (fake.pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp("python3", "python3", script, "--port", "0", "--log", fake.log, "--idle", "60",
		       "--stall", "10", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	end = now_ms() + 15000;
	while (got < sizeof(buf) - 1 && !memchr(buf, '\n', got) && now_ms() < end) {
		struct pollfd p = {fd[0], POLLIN, 0};
		ssize_t n;

		if (poll(&p, 1, 500) <= 0)
			continue;
		n = read(fd[0], buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd[0]);
	buf[got] = '\0';
	if (sscanf(buf, "PORT %d", &fake.port) != 1) {
		snprintf(fake.why, sizeof(fake.why), "python3 %s did not start", script);
		kill(fake.pid, SIGTERM);
		waitpid(fake.pid, NULL, 0);
		fake.pid = 0;
		fake.port = 0;
	}
	return 0;
}

static int fake_stop(void **state)
{
	(void)state;
	if (fake.pid > 0) {
		kill(fake.pid, SIGTERM);
		waitpid(fake.pid, NULL, 0);
	}
	if (fake.log[0])
		unlink(fake.log);
	return 0;
}

#define NEED_FAKE()                                                            \
	do {                                                                   \
		if (!fake.port) {                                              \
			print_message("skipped: %s\n", fake.why);              \
			skip();                                                \
		}                                                              \
	} while (0)

static char *url(void)
{
	return xasprintf("http://127.0.0.1:%d/v1/chat/completions", fake.port);
}

static const char *const auth_hdrs[] = {"Authorization: Bearer sk-test-not-a-key",
					"Content-Type: application/json"};

static void submit_model(struct http_client *c, const char *model, const char *user, void *ud)
{
	struct chat_params p;
	struct fb_err err;
	char *body, *u = url();
	struct http_request req;

	chat_params_init(&p);
	p.model = model;
	p.user = user ? user : "Rate nothing.";
	body = chat_request_body(&p, &err);
	req.url = u;
	req.headers = auth_hdrs;
	req.nheaders = 2;
	req.body = body;
	req.body_len = strlen(body);
	req.user = ud;
	if (http_submit(c, &req, &err) < 0)
		fail_msg("%s", err.msg);
	free(body);
	free(u);
}

static struct http_response *ask(struct http_client *c, const char *model)
{
	submit_model(c, model, NULL, NULL);
	return wait_one(c);
}

/* Log lines whose field key equals value (waits up to 3 s for want). */
static int log_count(const char *key, const char *value, int want)
{
	int64_t end = now_ms() + 3000;
	int n;

	do {
		char *text = NULL, *line, *save = NULL;
		size_t len;

		n = 0;
		if (read_file(fake.log, &text, &len, NULL) < 0)
			return -1;
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			cJSON *j = cJSON_Parse(line);
			const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(j, key));

			if (v && !strcmp(v, value))
				n++;
			cJSON_Delete(j);
		}
		free(text);
		if (n >= want)
			break;
		usleep(50000);
	} while (now_ms() < end);
	return n;
}

static void test_live_judge_round_trip(void **state)
{
	const struct embedded_file *f;
	struct rubric *r = NULL;
	struct fb_err err;
	/* markers fix each completion's rating; the last one is rated by hash */
	static const char *const texts[] = {"First completion. [[rate:2]]",
					    "Second completion. [[rate:N/A]]",
					    "Third completion. [[rate:9]]",
					    "Fourth completion, no marker."};
	size_t order[4], k;
	struct fb_rng rng;
	struct jprompt_input in = {"Write a haiku.", "evol_instruct", NULL, NULL, texts, 4, order};
	struct jprompt_msgs m;
	struct chat_params p;
	struct http_client *c;
	struct http_response *resp;
	struct chat_reply cr;
	struct reply_parser *rp;
	struct reply_result res;
	char *body, *u, hex[65];
	int hash_rating;

	(void)state;
	NEED_FAKE();
	for (f = embedded_files; f->name; f++)
		if (!strcmp(f->name, "rubrics/honesty.rubric"))
			r = rubric_parse(f->text, f->name, &err);
	assert_non_null(r);
	rng_seed(&rng, 2024);
	jprompt_shuffle(&rng, order, 4);
	assert_int_equal(jprompt_build(r, &in, &m, &err), 0);
	chat_params_init(&p);
	p.model = "judge-round-trip";
	p.system = m.system;
	p.user = m.user;
	body = chat_request_body(&p, &err);
	u = url();
	{
		struct http_request req = {u, auth_hdrs, 2, body, strlen(body), NULL};

		assert_int_equal(http_submit((c = client(2, 10000, 0)), &req, &err), 0);
	}
	resp = wait_one(c);
	assert_int_equal(resp->status, 200);
	assert_int_equal(chat_response_read(resp->body, resp->body_len, resp->status, &cr, &err), 0);
	assert_false(cr.truncated);
	rp = reply_parser_new(r, &err);
	assert_non_null(rp);
	reply_parse(rp, cr.content, strlen(cr.content), 4, &res);
	sha256_hex(texts[3], strlen(texts[3]), hex);
	hex[8] = '\0';
	hash_rating = 1 + (int)(strtoul(hex, NULL, 16) % 5);
	for (k = 0; k < 4; k++) {
		const struct reply_item *it = &res.items[k];

		switch (order[k]) { /* shown text k+1 is completion order[k] */
		case 0:
			assert_int_equal(it->status, REPLY_OK);
			assert_int_equal(it->value, 2);
			break;
		case 1:
			assert_int_equal(it->status, REPLY_OK);
			assert_true(it->na);
			break;
		case 2: /* 9 is off the 1-5 scale: a failure, not a score */
			assert_int_equal(it->status, REPLY_PARSE_FAILED);
			assert_false(it->has_value);
			break;
		case 3:
			assert_int_equal(it->status, REPLY_OK);
			assert_int_equal(it->value, hash_rating);
			break;
		}
	}
	assert_int_equal(res.nok, 3);
	assert_true(log_count("model", "judge-round-trip", 1) == 1);
	reply_result_release(&res);
	reply_parser_free(rp);
	chat_reply_release(&cr);
	http_response_free(resp);
	http_client_free(c);
	free(body);
	free(u);
	jprompt_msgs_release(&m);
	rubric_free(r);
}

static void test_live_429_then_success(void **state)
{
	struct http_client *c = client(2, 10000, 0);
	struct http_response *r;

	(void)state;
	NEED_FAKE();
	r = ask(c, "fake-429-2-a");
	assert_int_equal(r->fail, HTTP_FAIL_NONE);
	assert_int_equal(r->status, 200);
	assert_int_equal(r->attempts, 3);
	assert_true(r->elapsed_ms >= 190); /* two waits of retry-after-ms: 100 */
	assert_int_equal(log_count("mode", "429-2-a", 3), 3);
	http_response_free(r);

	/* out of retries: the last 429 is delivered, with its headers */
	r = ask(c, "fake-429");
	assert_int_equal(r->status, 429);
	assert_int_equal(r->attempts, 3);
	assert_non_null(r->retry_after_ms);
	assert_string_equal(r->retry_after_ms, "100");
	assert_non_null(strstr(r->body, "rate_limit_exceeded"));
	http_response_free(r);
	http_client_free(c);
}

static void test_live_retry_after_seconds_and_date(void **state)
{
	struct http_client *c = client(2, 10000, 0);
	struct http_response *r;

	(void)state;
	NEED_FAKE();
	r = ask(c, "fake-429s-1-b");
	assert_int_equal(r->status, 200);
	assert_int_equal(r->attempts, 2);
	assert_true(r->elapsed_ms >= 950);
	http_response_free(r);
	r = ask(c, "fake-429date-1-b");
	assert_int_equal(r->status, 200);
	assert_int_equal(r->attempts, 2);
	http_response_free(r);
	http_client_free(c);
}

static void test_live_500_retries(void **state)
{
	struct http_client *c = client(2, 10000, 0);
	struct http_response *r;

	(void)state;
	NEED_FAKE();
	r = ask(c, "fake-500");
	assert_int_equal(r->status, 500);
	assert_int_equal(r->attempts, 3);
	/* backoff 0.5 s then 1 s, each times a jitter of at least 0.75 */
	assert_true(r->elapsed_ms >= 1100);
	assert_int_equal(log_count("mode", "500", 3), 3);
	http_response_free(r);
	r = ask(c, "fake-529-1-c");
	assert_int_equal(r->status, 200);
	assert_int_equal(r->attempts, 2);
	http_response_free(r);
	http_client_free(c);
}

static void test_live_final_errors(void **state)
{
	struct http_client *c = client(2, 10000, 0);
	struct http_response *r;
	struct chat_reply cr;
	struct fb_err err;

	(void)state;
	NEED_FAKE();
	r = ask(c, "fake-402");
	assert_int_equal(r->status, 402);
	assert_int_equal(r->attempts, 1);
	assert_int_equal(chat_response_read(r->body, r->body_len, r->status, &cr, &err), -1);
	assert_non_null(strstr(err.msg, "Insufficient credits"));
	chat_reply_release(&cr);
	http_response_free(r);

	r = ask(c, "fake-quota");
	assert_int_equal(r->status, 429);
	assert_int_equal(r->attempts, 1);
	http_response_free(r);

	r = ask(c, "fake-noretry");
	assert_int_equal(r->status, 500);
	assert_int_equal(r->attempts, 1);
	assert_string_equal(r->x_should_retry, "false");
	http_response_free(r);

	r = ask(c, "fake-error200");
	assert_int_equal(r->status, 200);
	assert_int_equal(r->attempts, 1);
	assert_int_equal(chat_response_read(r->body, r->body_len, r->status, &cr, &err), -1);
	assert_non_null(strstr(err.msg, "upstream provider error"));
	chat_reply_release(&cr);
	http_response_free(r);

	assert_int_equal(log_count("mode", "402", 1), 1);
	assert_int_equal(log_count("mode", "quota", 1), 1);
	assert_int_equal(log_count("mode", "noretry", 1), 1);
	http_client_free(c);
}

static void test_live_stall_times_out(void **state)
{
	struct http_client *c = client(0, 400, 0);
	struct http_response *r;

	(void)state;
	NEED_FAKE();
	r = ask(c, "fake-stall");
	assert_int_equal(r->fail, HTTP_FAIL_TIMEOUT);
	assert_int_equal(r->status, 0);
	assert_int_equal(r->attempts, 1);
	assert_in_range(r->elapsed_ms, 350, 3000);
	assert_non_null(strstr(r->error, "127.0.0.1"));
	http_response_free(r);
	http_client_free(c);

	/* timeouts are retried like connection errors */
	c = client(1, 300, 0);
	r = ask(c, "fake-stall");
	assert_int_equal(r->fail, HTTP_FAIL_TIMEOUT);
	assert_int_equal(r->attempts, 2);
	assert_in_range(r->elapsed_ms, 900, 5000);
	http_response_free(r);
	http_client_free(c);
}

static void test_live_dropped_connection(void **state)
{
	struct http_client *c = client(1, 10000, 0);
	struct http_response *r;

	(void)state;
	NEED_FAKE();
	r = ask(c, "fake-drop-1-d");
	assert_int_equal(r->fail, HTTP_FAIL_NONE);
	assert_int_equal(r->status, 200);
	assert_int_equal(r->attempts, 2);
	http_response_free(r);
	r = ask(c, "fake-drop");
	assert_int_equal(r->fail, HTTP_FAIL_NETWORK);
	assert_int_equal(r->attempts, 2);
	assert_int_equal(r->status, 0);
	assert_true(r->error[0] != '\0');
	http_response_free(r);
	http_client_free(c);
}

static void test_live_body_limit(void **state)
{
	struct http_config cfg;
	struct fb_err err;
	struct http_client *c;
	struct http_response *r;

	(void)state;
	NEED_FAKE();
	http_config_init(&cfg);
	cfg.max_body = 1024 * 1024;
	cfg.total_timeout_ms = 10000;
	c = http_client_new(&cfg, &err);
	assert_non_null(c);
	r = ask(c, "fake-big"); /* length announced: refused up front */
	assert_int_equal(r->fail, HTTP_FAIL_TOO_LARGE);
	assert_int_equal(r->attempts, 1);
	assert_non_null(strstr(r->error, "larger than 1048576 bytes"));
	assert_true(r->body_len <= cfg.max_body);
	http_response_free(r);
	r = ask(c, "fake-bigchunked"); /* no length: cut while reading */
	assert_int_equal(r->fail, HTTP_FAIL_TOO_LARGE);
	assert_int_equal(r->attempts, 1);
	assert_true(r->body_len <= cfg.max_body);
	http_response_free(r);
	/* the client still works afterwards */
	r = ask(c, "after-big");
	assert_int_equal(r->status, 200);
	http_response_free(r);
	http_client_free(c);
}

static void test_live_keepalive(void **state)
{
	struct http_client *c = client(0, 10000, 0);
	char *text = NULL, *line, *save = NULL;
	size_t len;
	int ports[3], n = 0, i;

	(void)state;
	NEED_FAKE();
	for (i = 0; i < 3; i++)
		http_response_free(ask(c, "keepalive-check"));
	assert_int_equal(log_count("model", "keepalive-check", 3), 3);
	assert_int_equal(read_file(fake.log, &text, &len, NULL), 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(line);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "model"));

		if (m && !strcmp(m, "keepalive-check") && n < 3)
			ports[n++] = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "client_port"));
		if (m && !strcmp(m, "keepalive-check"))
			assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "auth")));
		cJSON_Delete(j);
	}
	free(text);
	assert_int_equal(n, 3);
	/* one connection served all three */
	assert_int_equal(ports[0], ports[1]);
	assert_int_equal(ports[1], ports[2]);
	http_client_free(c);
}

static void test_live_many_in_flight(void **state)
{
	struct http_config cfg;
	struct fb_err err;
	struct http_client *c;
	int seen[10] = {0}, got = 0, i;
	int64_t end;

	(void)state;
	NEED_FAKE();
	http_config_init(&cfg);
	cfg.max_in_flight = 3;
	c = http_client_new(&cfg, &err);
	for (i = 0; i < 10; i++)
		submit_model(c, "many", NULL, &seen[i]);
	assert_int_equal(http_pending(c), 10);
	end = now_ms() + 30000;
	while (got < 10 && now_ms() < end) {
		struct http_response *r;

		assert_true(http_poll(c, NULL, 0, 1000, &err) >= 0);
		while ((r = http_next(c)) != NULL) {
			int *slot = r->user;

			assert_int_equal(r->status, 200);
			(*slot)++;
			got++;
			http_response_free(r);
		}
	}
	assert_int_equal(got, 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(http_pending(c), 0);
	http_client_free(c);
}

static void test_live_cut_off_and_malformed(void **state)
{
	struct http_client *c = client(0, 10000, 0);
	struct http_response *r;
	struct chat_reply cr;
	struct fb_err err;
	const char *user = "Rate.\n<text 1>\nA [[rate:3]]\n</text 1>\n\n<text 2>\nB [[rate:4]]\n</text 2>";

	(void)state;
	NEED_FAKE();
	submit_model(c, "fake-cutoff", user, NULL);
	r = wait_one(c);
	assert_int_equal(chat_response_read(r->body, r->body_len, r->status, &cr, &err), 0);
	assert_true(cr.truncated);
	assert_string_equal(cr.finish_reason, "length");
	chat_reply_release(&cr);
	http_response_free(r);

	submit_model(c, "judge", "FAKE:malformed\n<text 1>\nA\n</text 1>", NULL);
	r = wait_one(c);
	assert_int_equal(chat_response_read(r->body, r->body_len, r->status, &cr, &err), 0);
	assert_null(strstr(cr.content, "Rating"));
	chat_reply_release(&cr);
	http_response_free(r);
	http_client_free(c);
}

static void test_live_extra_fd_and_cancel(void **state)
{
	struct http_client *c = client(0, 20000, 0);
	struct http_response *r;
	struct pollfd pfd;
	struct fb_err err;
	int fd[2];
	int64_t t0;

	(void)state;
	NEED_FAKE();
	assert_int_equal(pipe(fd), 0);
	submit_model(c, "fake-stall", NULL, &fd);
	/* a ready descriptor of the caller ends the wait early */
	assert_int_equal(write(fd[1], "k", 1), 1);
	pfd.fd = fd[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	t0 = now_ms();
	while (!(pfd.revents & POLLIN) && now_ms() - t0 < 5000)
		assert_true(http_poll(c, &pfd, 1, 2000, &err) >= 0);
	assert_true(pfd.revents & POLLIN);
	assert_true(now_ms() - t0 < 1500);
	assert_int_equal(http_pending(c), 1);
	/* cancel hands the request back */
	http_cancel_all(c);
	r = http_next(c);
	assert_non_null(r);
	assert_ptr_equal(r->user, &fd);
	assert_int_equal(r->fail, HTTP_FAIL_CANCELLED);
	assert_int_equal(http_pending(c), 0);
	http_response_free(r);
	/* with nothing in flight and no descriptor, poll does not sleep */
	t0 = now_ms();
	assert_int_equal(http_poll(c, NULL, 0, 5000, &err), 0);
	assert_true(now_ms() - t0 < 1000);
	close(fd[0]);
	close(fd[1]);
	http_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* pure policy and local checks */
		cmocka_unit_test(test_should_retry_statuses),
		cmocka_unit_test(test_should_retry_final_and_header),
		cmocka_unit_test(test_delay_from_server),
		cmocka_unit_test(test_delay_backoff),
		cmocka_unit_test(test_error_code_and_redact),
		cmocka_unit_test(test_url_rules),
		cmocka_unit_test(test_connect_refused_keeps_secrets),
		/* against tests/fake_llm.py (skipped without python3) */
		cmocka_unit_test(test_live_judge_round_trip),
		cmocka_unit_test(test_live_429_then_success),
		cmocka_unit_test(test_live_retry_after_seconds_and_date),
		cmocka_unit_test(test_live_500_retries),
		cmocka_unit_test(test_live_final_errors),
		cmocka_unit_test(test_live_stall_times_out),
		cmocka_unit_test(test_live_dropped_connection),
		cmocka_unit_test(test_live_body_limit),
		cmocka_unit_test(test_live_keepalive),
		cmocka_unit_test(test_live_many_in_flight),
		cmocka_unit_test(test_live_cut_off_and_malformed),
		cmocka_unit_test(test_live_extra_fd_and_cancel),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, fake_start, fake_stop);
}
