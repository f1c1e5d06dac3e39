/* test_chat.c - chat-completion request bodies and every response shape. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "util.h"

static cJSON *body_of(const struct chat_params *p)
{
	struct fb_err err;
	char *s = chat_request_body(p, &err);
	cJSON *j;

	if (!s)
		fail_msg("%s", err.msg);
	j = cJSON_Parse(s);
	assert_non_null(j);
	free(s);
	return j;
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", k);
	return v->valuedouble;
}

static void test_request_defaults(void **state)
{
	struct chat_params p;
	cJSON *j, *msgs;

	(void)state;
	chat_params_init(&p);
	p.model = "gpt-4";
	p.system = "You judge texts.";
	p.user = "Rate these \"texts\".\n<text 1>\nA\n</text 1>";
	j = body_of(&p);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "model")), "gpt-4");
	msgs = cJSON_GetObjectItem(j, "messages");
	assert_int_equal(cJSON_GetArraySize(msgs), 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0),
								      "role")), "system");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1),
								      "content")), p.user);
	assert_close(num(j, "temperature"), 0, 0);
	assert_close(num(j, "top_p"), 0.6, 1e-12);
	assert_close(num(j, "max_tokens"), 500, 0);
	assert_null(cJSON_GetObjectItem(j, "seed"));
	assert_null(cJSON_GetObjectItem(j, "max_completion_tokens"));
	cJSON_Delete(j);
}

static void test_request_variants(void **state)
{
	struct chat_params p;
	struct fb_err err;
	cJSON *j;

	(void)state;
	chat_params_init(&p);
	p.model = "o3";
	p.user = "u";
	p.max_tokens_field = "max_completion_tokens";
	p.max_tokens = 2048;
	p.has_seed = 1;
	p.seed = 1234567890123LL;
	j = body_of(&p);
	assert_null(cJSON_GetObjectItem(j, "max_tokens"));
	assert_close(num(j, "max_completion_tokens"), 2048, 0);
	assert_close(num(j, "seed"), 1234567890123.0, 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "messages")), 1);
	cJSON_Delete(j);

	/* Anthropic: system at the top level, max_tokens always, no seed */
	p.anthropic = 1;
	p.system = "sys";
	j = body_of(&p);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "system")), "sys");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "messages")), 1);
	assert_close(num(j, "max_tokens"), 2048, 0);
	assert_null(cJSON_GetObjectItem(j, "seed"));
	assert_null(cJSON_GetObjectItem(j, "top_p"));
	cJSON_Delete(j);

	p.anthropic = 0;
	p.max_tokens_field = "max_length";
	assert_null(chat_request_body(&p, &err));
	assert_non_null(strstr(err.msg, "max_length"));
	p.max_tokens_field = NULL;
	p.model = NULL;
	assert_null(chat_request_body(&p, &err));
}

static int read_body(const char *body, long status, struct chat_reply *r, struct fb_err *err)
{
	return chat_response_read(body, strlen(body), status, r, err);
}

static void test_response_ok(void **state)
{
	struct chat_reply r;
	struct fb_err err;
	const char *body = "{\"id\":\"x\",\"model\":\"gpt-4-0613\",\"choices\":[{\"index\":0,"
			   "\"message\":{\"role\":\"assistant\",\"content\":\"Rating: 4\"},"
			   "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":120,"
			   "\"completion_tokens\":30,\"total_tokens\":150}}";

	(void)state;
	assert_int_equal(read_body(body, 200, &r, &err), 0);
	assert_string_equal(r.content, "Rating: 4");
	assert_string_equal(r.finish_reason, "stop");
	assert_false(r.truncated);
	assert_int_equal(r.prompt_tokens, 120);
	assert_int_equal(r.completion_tokens, 30);
	assert_int_equal(r.total_tokens, 150);
	assert_string_equal(r.model, "gpt-4-0613");
	assert_null(r.error_message);
	chat_reply_release(&r);
}

static void test_response_cut_off(void **state)
{
	struct chat_reply r;
	struct fb_err err;

	(void)state;
	assert_int_equal(read_body("{\"choices\":[{\"message\":{\"content\":\"Rating: 4\\nRatio\"},"
				   "\"finish_reason\":\"length\"}]}", 200, &r, &err), 0);
	assert_true(r.truncated);
	assert_string_equal(r.content, "Rating: 4\nRatio");
	assert_int_equal(r.prompt_tokens, -1);
	chat_reply_release(&r);
}

static void test_response_other_shapes(void **state)
{
	struct chat_reply r;
	struct fb_err err;

	(void)state;
	/* content as a list of parts */
	assert_int_equal(read_body("{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\","
				   "\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}}]}", 200,
				   &r, &err), 0);
	assert_string_equal(r.content, "ab");
	chat_reply_release(&r);
	/* Anthropic messages */
	assert_int_equal(read_body("{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":"
				   "\"Rating: 5\"}],\"stop_reason\":\"max_tokens\",\"usage\":"
				   "{\"input_tokens\":10,\"output_tokens\":5}}", 200, &r, &err), 0);
	assert_string_equal(r.content, "Rating: 5");
	assert_true(r.truncated);
	assert_int_equal(r.total_tokens, 15);
	chat_reply_release(&r);
	/* Ollama's native chat */
	assert_int_equal(read_body("{\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
				   "\"done_reason\":\"stop\",\"done\":true}", 200, &r, &err), 0);
	assert_string_equal(r.content, "hi");
	chat_reply_release(&r);
	/* an empty answer is an answer (the reply parser will fail it) */
	assert_int_equal(read_body("{\"choices\":[{\"message\":{\"content\":\"\"}}]}", 200, &r,
				   &err), 0);
	assert_string_equal(r.content, "");
	chat_reply_release(&r);
}

static void expect_error(const char *body, long status, const char *msg_part,
			 const char *code, const char *type)
{
	struct chat_reply r;
	struct fb_err err;

	assert_int_equal(read_body(body, status, &r, &err), -1);
	assert_null(r.content);
	if (!strstr(err.msg, msg_part))
		fail_msg("error '%s' lacks '%s'", err.msg, msg_part);
	if (code)
		assert_string_equal(r.error_code, code);
	else
		assert_null(r.error_code);
	if (type)
		assert_string_equal(r.error_type, type);
	chat_reply_release(&r);
}

static void test_error_shapes(void **state)
{
	(void)state;
	/* OpenAI, string code */
	expect_error("{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":"
		     "\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}",
		     429, "HTTP 429: You exceeded your current quota", "insufficient_quota",
		     "insufficient_quota");
	/* OpenAI, null code */
	expect_error("{\"error\":{\"message\":\"Bad key\",\"type\":\"invalid_request_error\","
		     "\"param\":null,\"code\":null}}", 401, "Bad key", NULL,
		     "invalid_request_error");
	/* vLLM / llama.cpp: integer code */
	expect_error("{\"error\":{\"message\":\"context too long\",\"type\":\"BadRequestError\","
		     "\"code\":400}}", 400, "context too long", "400", "BadRequestError");
	/* older vLLM: the error object is the body */
	expect_error("{\"object\":\"error\",\"message\":\"model not found\",\"type\":"
		     "\"NotFoundError\",\"param\":null,\"code\":404}", 404, "model not found", "404",
		     "NotFoundError");
	/* Ollama */
	expect_error("{\"error\":\"model 'llama3' not found\"}", 404, "model 'llama3' not found",
		     NULL, NULL);
	/* OpenRouter: HTTP 200 with an error */
	expect_error("{\"error\":{\"code\":502,\"message\":\"upstream provider error\"}}", 200,
		     "HTTP 200: upstream provider error", "502", NULL);
	/* OpenRouter: error inside the choice */
	expect_error("{\"choices\":[{\"error\":{\"code\":429,\"message\":\"rate limited upstream\"},"
		     "\"finish_reason\":\"error\"}]}", 200, "rate limited upstream", "429", NULL);
	/* Anthropic */
	expect_error("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
		     "\"Overloaded\"}}", 529, "HTTP 529: Overloaded", NULL, "overloaded_error");
	/* a proxy's HTML page */
	expect_error("<html><body>502 Bad Gateway</body></html>", 502,
		     "HTTP 502: the response is not a JSON object: <html><body>502 Bad Gateway", NULL,
		     NULL);
	expect_error("", 500, "HTTP 500: the response is not a JSON object", NULL, NULL);
	expect_error("[1,2]", 200, "not a JSON object", NULL, NULL);
	/* error status with a JSON body that says nothing */
	expect_error("{}", 503, "HTTP 503 without an error message", NULL, NULL);
	/* success status without any answer */
	expect_error("{\"choices\":[]}", 200, "no answer text", NULL, NULL);
	expect_error("{\"choices\":[{\"message\":{\"content\":null,\"refusal\":\"no\"},"
		     "\"finish_reason\":\"content_filter\"}]}", 200,
		     "no answer text (finish_reason content_filter)", NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_defaults),
		cmocka_unit_test(test_request_variants),
		cmocka_unit_test(test_response_ok),
		cmocka_unit_test(test_response_cut_off),
		cmocka_unit_test(test_response_other_shapes),
		cmocka_unit_test(test_error_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
