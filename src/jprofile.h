/*
 * jprofile.h - named judge endpoints from $XDG_CONFIG_HOME/feedbench/endpoints.conf
 * (else ~/.config/feedbench/endpoints.conf), chosen with `feedbench judge --profile NAME`.
 *
 *   # comment (also after a value, when preceded by white space)
 *   [openai]
 *   url = https://api.openai.com/v1
 *   key-env = OPENAI_API_KEY          the variable holding the key (never the key)
 *   model = gpt-4o                    default --model
 *   token-field = max_completion_tokens   or max_tokens (the default)
 *   concurrency = 16
 *   price-in = 0.0025                 dollars per 1,000 prompt tokens
 *   price-out = 0.01                  dollars per 1,000 completion tokens
 *   rpm = 500                         requests per minute
 *   tpm = 30000                       tokens per minute
 *   api = openai | azure              azure: "api-key" header and api-version
 *   api-version = 2024-10-21          Azure's api-version query parameter
 *
 * A key is refused: there is no field for it, and a value that looks like
 * one ("sk-...") in key-env is an error that does not quote the value.
 *
 * Ownership: a jprofile owns its strings (jprofile_release).  Failure: -1
 * with err "PATH:LINE: what is wrong" (or "PATH: ..." for the whole file);
 * out is then empty.
 */
#ifndef FB_JPROFILE_H
#define FB_JPROFILE_H

#include "util.h"

struct jprofile {
	char *name;
	char *url, *key_env, *model, *token_field, *api, *api_version; /* NULL when unset */
	int concurrency;            /* 0 when unset */
	int has_price_in, has_price_out;
	double price_in, price_out; /* per 1,000 tokens */
	double rpm, tpm;            /* 0 when unset */
};

/* The config file's path (caller frees); NULL when neither variable is set. */
char *jprofile_path(void);

/* Read profile name from text (origin names it in messages). */
int jprofile_parse(const char *text, size_t len, const char *origin, const char *name,
		   struct jprofile *out, struct fb_err *err);

/* Read profile name from the file at path. */
int jprofile_load(const char *path, const char *name, struct jprofile *out, struct fb_err *err);

void jprofile_release(struct jprofile *p);

#endif
