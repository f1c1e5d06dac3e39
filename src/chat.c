/* chat.c - build chat-completion requests and read their answers (cJSON). */
#include "chat.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

void chat_params_init(struct chat_params *p)
{
	memset(p, 0, sizeof(*p));
	p->temperature = 0.0;
	p->top_p = 0.6;
	p->max_tokens = 500;
	p->max_tokens_field = "max_tokens";
}

static cJSON *message(const char *role, const char *content)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", content);
	return m;
}

char *chat_request_body(const struct chat_params *p, struct fb_err *err)
{
	const char *field = p->max_tokens_field ? p->max_tokens_field : "max_tokens";
	cJSON *root, *msgs;
	char *out, *copy;

	if (!p->model || !*p->model || !p->user) {
		fb_error(err, "chat request: model and user message are required");
		return NULL;
	}
	if (strcmp(field, "max_tokens") && strcmp(field, "max_completion_tokens")) {
		fb_error(err, "chat request: token limit field must be max_tokens or "
			      "max_completion_tokens, not '%.40s'", field);
		return NULL;
	}
	if (p->anthropic)
		field = "max_tokens"; /* the only name that API knows */
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "model", p->model);
	msgs = cJSON_AddArrayToObject(root, "messages");
	if (p->system) {
		if (p->anthropic)
			cJSON_AddStringToObject(root, "system", p->system);
		else
			cJSON_AddItemToArray(msgs, message("system", p->system));
	}
	cJSON_AddItemToArray(msgs, message("user", p->user));
	cJSON_AddNumberToObject(root, "temperature", p->temperature);
	if (p->top_p >= 0 && !p->anthropic)
		cJSON_AddNumberToObject(root, "top_p", p->top_p);
	cJSON_AddNumberToObject(root, field, p->max_tokens);
	if (p->has_seed && !p->anthropic)
		cJSON_AddNumberToObject(root, "seed", (double)p->seed);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!out)
		fatal("out of memory (cJSON)");
	/* hand back memory from our own allocator, so the caller can free() it */
	copy = xstrdup(out);
	cJSON_free(out);
	return copy;
}

/* ---- reading ------------------------------------------------------------ */

static char *dup_string(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return s ? xstrdup(s) : NULL;
}

/* A code that may be a string, an integer or null. */
static char *dup_code(const cJSON *o, const char *key)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsString(c))
		return xstrdup(c->valuestring);
	if (cJSON_IsNumber(c))
		return xasprintf("%.0f", c->valuedouble);
	return NULL;
}

static long get_long(const cJSON *o, const char *key)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(c) ? (long)c->valuedouble : -1;
}

/*
 * Find an error in any of the known shapes; fill out's error fields.
 * Returns 1 when the body reports an error.
 */
static int read_error(const cJSON *root, struct chat_reply *out)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	const cJSON *first = cJSON_GetArrayItem(choices, 0);

	if (cJSON_IsString(e)) { /* Ollama */
		out->error_message = xstrdup(e->valuestring);
		return 1;
	}
	if (!cJSON_IsObject(e) && cJSON_IsObject(first)) /* OpenRouter, per choice */
		e = cJSON_GetObjectItemCaseSensitive(first, "error");
	if (cJSON_IsObject(e)) { /* OpenAI, vLLM, llama.cpp, OpenRouter, Anthropic */
		out->error_message = dup_string(e, "message");
		out->error_type = dup_string(e, "type");
		out->error_code = dup_code(e, "code");
		if (!out->error_message)
			out->error_message = xstrdup("(no message)");
		return 1;
	}
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "object")) &&
	    !strcmp(cJSON_GetObjectItemCaseSensitive(root, "object")->valuestring, "error")) {
		out->error_message = dup_string(root, "message"); /* older vLLM */
		out->error_type = dup_string(root, "type");
		out->error_code = dup_code(root, "code");
		if (!out->error_message)
			out->error_message = xstrdup("(no message)");
		return 1;
	}
	return 0;
}

/* Text of a content field: a string, or an array of {type:"text", text} parts. */
static int add_content(struct sbuf *sb, const cJSON *c)
{
	const cJSON *part;
	int found = 0;

	if (cJSON_IsString(c)) {
		sbuf_adds(sb, c->valuestring);
		return 1;
	}
	if (!cJSON_IsArray(c))
		return 0;
	cJSON_ArrayForEach(part, c) {
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(part, "type"));
		const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(part, "text"));

		if (text && (!type || !strcmp(type, "text"))) {
			sbuf_adds(sb, text);
			found = 1;
		}
	}
	return found;
}

static void read_usage(const cJSON *root, struct chat_reply *out)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "usage");

	out->prompt_tokens = get_long(u, "prompt_tokens");
	out->completion_tokens = get_long(u, "completion_tokens");
	out->total_tokens = get_long(u, "total_tokens");
	if (out->prompt_tokens < 0) /* Anthropic */
		out->prompt_tokens = get_long(u, "input_tokens");
	if (out->completion_tokens < 0)
		out->completion_tokens = get_long(u, "output_tokens");
	if (out->total_tokens < 0 && out->prompt_tokens >= 0 && out->completion_tokens >= 0)
		out->total_tokens = out->prompt_tokens + out->completion_tokens;
}

/* The answer text in the OpenAI, Anthropic or Ollama-native shape. */
static int read_answer(const cJSON *root, struct chat_reply *out, struct sbuf *text)
{
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	const cJSON *first = cJSON_GetArrayItem(choices, 0);

	if (cJSON_IsObject(first)) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(first, "message");

		out->finish_reason = dup_string(first, "finish_reason");
		if (add_content(text, cJSON_GetObjectItemCaseSensitive(msg, "content")))
			return 1;
		/* legacy completions put the text on the choice */
		return add_content(text, cJSON_GetObjectItemCaseSensitive(first, "text"));
	}
	if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "content"))) { /* Anthropic */
		out->finish_reason = dup_string(root, "stop_reason");
		return add_content(text, cJSON_GetObjectItemCaseSensitive(root, "content"));
	}
	if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "message"))) { /* Ollama */
		out->finish_reason = dup_string(root, "done_reason");
		return add_content(text, cJSON_GetObjectItemCaseSensitive(
						 cJSON_GetObjectItemCaseSensitive(root, "message"),
						 "content"));
	}
	return 0;
}

/* A short printable excerpt of a body that is not JSON. */
static void body_excerpt(struct sbuf *sb, const char *body, size_t len)
{
	size_t i, n = len < 120 ? len : 120;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)body[i];

		sbuf_addc(sb, c < 0x20 || c >= 0x7f ? ' ' : (char)c);
	}
	if (n < len)
		sbuf_adds(sb, "...");
}

int chat_response_read(const char *body, size_t len, long http_status, struct chat_reply *out,
		       struct fb_err *err)
{
	struct sbuf text = SBUF_INIT;
	cJSON *root;
	int ok2xx = http_status >= 200 && http_status < 300;

	memset(out, 0, sizeof(*out));
	out->prompt_tokens = out->completion_tokens = out->total_tokens = -1;
	root = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	if (!cJSON_IsObject(root)) {
		struct sbuf sb = SBUF_INIT;

		body_excerpt(&sb, body ? body : "", body ? len : 0);
		fb_error(err, "HTTP %ld: the response is not a JSON object%s%s", http_status,
			 sb.len ? ": " : "", sbuf_str(&sb));
		sbuf_release(&sb);
		cJSON_Delete(root);
		return -1;
	}
	out->model = dup_string(root, "model");
	read_usage(root, out);
	if (read_error(root, out)) {
		fb_error(err, "HTTP %ld: %s%s%s%s%s%s", http_status, out->error_message,
			 out->error_type ? " (type " : "", out->error_type ? out->error_type : "",
			 out->error_type ? ")" : "", out->error_code ? " code " : "",
			 out->error_code ? out->error_code : "");
		cJSON_Delete(root);
		return -1;
	}
	if (!ok2xx) {
		fb_error(err, "HTTP %ld without an error message", http_status);
		cJSON_Delete(root);
		return -1;
	}
	if (!read_answer(root, out, &text)) {
		if (out->finish_reason)
			fb_error(err, "HTTP %ld: the response holds no answer text (finish_reason %s)",
				 http_status, out->finish_reason);
		else
			fb_error(err, "HTTP %ld: the response holds no answer text", http_status);
		sbuf_release(&text);
		cJSON_Delete(root);
		return -1;
	}
	out->content = sbuf_detach(&text, NULL);
	out->truncated = out->finish_reason && (!strcmp(out->finish_reason, "length") ||
						!strcmp(out->finish_reason, "max_tokens"));
	cJSON_Delete(root);
	return 0;
}

void chat_reply_release(struct chat_reply *r)
{
	if (!r)
		return;
	free(r->content);
	free(r->finish_reason);
	free(r->model);
	free(r->error_message);
	free(r->error_type);
	free(r->error_code);
	memset(r, 0, sizeof(*r));
}
