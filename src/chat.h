/*
 * chat.h - the chat-completions wire format (OpenAI-compatible servers:
 * OpenAI, Azure, vLLM, llama.cpp, Ollama /v1, OpenRouter), with Anthropic's
 * messages API read as well.  JSON goes through cJSON; no I/O happens here.
 *
 * Ownership: chat_request_body returns a string the caller frees;
 * chat_reply owns its strings (chat_reply_release).  Inputs are borrowed.
 */
#ifndef FB_CHAT_H
#define FB_CHAT_H

#include <stddef.h>

#include "util.h"

struct chat_params {
	const char *model;    /* required */
	const char *system;   /* NULL: no system message */
	const char *user;     /* required */
	double temperature;   /* default 0 */
	double top_p;         /* default 0.6; < 0 leaves it out */
	int max_tokens;       /* default 500; always sent (server defaults differ) */
	const char *max_tokens_field; /* "max_tokens" (default) or "max_completion_tokens" */
	int has_seed;
	long long seed;
	int anthropic;        /* 1: Anthropic messages body (system top-level,
				 no top_p unless asked, max_tokens required) */
};

/* Defaults as the UltraFeedback protocol used them (temperature 0, top_p 0.6, 500). */
void chat_params_init(struct chat_params *p);

/* The request body as compact JSON.  Caller frees; NULL with err when
 * model or user is missing or the token field name is not one of the two. */
char *chat_request_body(const struct chat_params *p, struct fb_err *err);

struct chat_reply {
	char *content;       /* the assistant text; NULL unless chat_response_read returned 0 */
	char *finish_reason; /* "stop", "length", ...; NULL when absent */
	int truncated;       /* 1: the answer was cut by the token limit */
	long prompt_tokens, completion_tokens, total_tokens; /* -1 when absent */
	char *model;         /* as the server named it; NULL when absent */
	/* set when the body carried an error (any HTTP status, including 200) */
	char *error_message;
	char *error_type;
	char *error_code;    /* string codes as is, integer codes in decimal */
};

/*
 * Read a response body.  Returns 0 when it holds an answer (content set,
 * possibly "" or truncated: check truncated).  Returns -1 with err otherwise:
 * an error object in any of the known shapes (OpenAI {"error":{message,type,
 * param,code}} with a string, null or integer code; vLLM's top-level
 * {"object":"error",...}; Ollama {"error":"text"}; OpenRouter's HTTP 200 with
 * "error"; Anthropic {"type":"error","error":{type,message}}), a non-2xx
 * status, a body that is not JSON, or a choice without text.  err reads
 * "HTTP 429: message (code insufficient_quota)"; it quotes the server's
 * message, so callers holding a secret should pass err through http_redact.
 * out is always initialised; release it with chat_reply_release.
 */
int chat_response_read(const char *body, size_t len, long http_status, struct chat_reply *out,
		       struct fb_err *err);
void chat_reply_release(struct chat_reply *r);

#endif
