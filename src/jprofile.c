/* jprofile.c - named judge endpoints (see jprofile.h). */
#include "jprofile.h"

#include <stdlib.h>
#include <string.h>

char *jprofile_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		return xasprintf("%s/feedbench/endpoints.conf", xdg);
	if (home && *home)
		return xasprintf("%s/.config/feedbench/endpoints.conf", home);
	return NULL;
}

void jprofile_release(struct jprofile *p)
{
	free(p->name);
	free(p->url);
	free(p->key_env);
	free(p->model);
	free(p->token_field);
	free(p->api);
	free(p->api_version);
	memset(p, 0, sizeof(*p));
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* [s, e) without surrounding white space */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_space(**s))
		(*s)++;
	while (*e > *s && is_space((*e)[-1]))
		(*e)--;
}

static int name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

/* An environment variable name: letters, digits, '_', not starting with a digit. */
static int env_name_ok(const char *s)
{
	const char *p;

	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

enum kind { K_STR, K_INT, K_PRICE, K_RATE };

static const struct field {
	const char *key;
	enum kind kind;
	size_t off;     /* the value */
	size_t has_off; /* K_PRICE: its has_ flag */
} fields[] = {
	{"url", K_STR, offsetof(struct jprofile, url), 0},
	{"key-env", K_STR, offsetof(struct jprofile, key_env), 0},
	{"model", K_STR, offsetof(struct jprofile, model), 0},
	{"token-field", K_STR, offsetof(struct jprofile, token_field), 0},
	{"api", K_STR, offsetof(struct jprofile, api), 0},
	{"api-version", K_STR, offsetof(struct jprofile, api_version), 0},
	{"concurrency", K_INT, offsetof(struct jprofile, concurrency), 0},
	{"price-in", K_PRICE, offsetof(struct jprofile, price_in),
	 offsetof(struct jprofile, has_price_in)},
	{"price-out", K_PRICE, offsetof(struct jprofile, price_out),
	 offsetof(struct jprofile, has_price_out)},
	{"rpm", K_RATE, offsetof(struct jprofile, rpm), 0},
	{"tpm", K_RATE, offsetof(struct jprofile, tpm), 0},
};

/* Check a value for its key; store it when p is not NULL.  NULL or the problem. */
static const char *set_field(struct jprofile *p, const struct field *f, const char *v)
{
	long l;
	double d;

	switch (f->kind) {
	case K_STR:
		if (!strcmp(f->key, "key-env") && !env_name_ok(v))
			return "key-env names an environment variable (the key itself never "
			       "goes in this file)";
		if (!strcmp(f->key, "token-field") && strcmp(v, "max_tokens") &&
		    strcmp(v, "max_completion_tokens"))
			return "token-field is max_tokens or max_completion_tokens";
		if (!strcmp(f->key, "api") && strcmp(v, "openai") && strcmp(v, "azure"))
			return "api is openai or azure";
		if (!strcmp(f->key, "url") && !starts_with(v, "https://") &&
		    !starts_with(v, "http://"))
			return "url must start with https:// (or http:// for a local server)";
		if (p) {
			char **slot = (char **)(void *)((char *)p + f->off);

			free(*slot);
			*slot = xstrdup(v);
		}
		return NULL;
	case K_INT:
		if (parse_long(v, &l) < 0 || l < 1 || l > 1024)
			return "concurrency is a whole number from 1 to 1024";
		if (p)
			*(int *)(void *)((char *)p + f->off) = (int)l;
		return NULL;
	case K_PRICE:
		if (parse_double(v, &d) < 0 || !(d >= 0) || d > 1e6)
			return "a price is dollars per 1,000 tokens, a number >= 0";
		if (p) {
			*(double *)(void *)((char *)p + f->off) = d;
			*(int *)(void *)((char *)p + f->has_off) = 1;
		}
		return NULL;
	case K_RATE:
		if (parse_double(v, &d) < 0 || !(d > 0) || d > 1e12)
			return "a limit per minute is a number > 0";
		if (p)
			*(double *)(void *)((char *)p + f->off) = d;
		return NULL;
	}
	return "unknown field";
}

int jprofile_parse(const char *text, size_t len, const char *origin, const char *name,
		   struct jprofile *out, struct fb_err *err)
{
	const char *s = text, *end = text + len;
	struct sbuf names = SBUF_INIT;
	int line = 0, in_wanted = 0, found = 0, in_any = 0;

	memset(out, 0, sizeof(*out));
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *ls = s, *eq, *ks, *ke, *vs, *ve, *c;
		const struct field *f = NULL;
		const char *why;
		char *val;
		size_t i;

		line++;
		s = nl ? nl + 1 : end;
		if (memchr(ls, '\0', (size_t)(e - ls)))
			goto bad_nul;
		trim(&ls, &e);
		if (ls == e || *ls == '#' || *ls == ';')
			continue;
		if (*ls == '[') {
			if (e[-1] != ']' || !name_ok(ls + 1, (size_t)(e - ls - 2))) {
				fb_error(err, "%s:%d: a profile header is [NAME] (letters, digits, "
					      "'-', '_', '.')", origin, line);
				goto fail;
			}
			in_any = 1;
			in_wanted = strlen(name) == (size_t)(e - ls - 2) &&
				    !memcmp(ls + 1, name, (size_t)(e - ls - 2));
			if (in_wanted) {
				if (found) {
					fb_error(err, "%s:%d: profile [%s] is defined twice", origin,
						 line, name);
					goto fail;
				}
				found = 1;
			}
			sbuf_addf(&names, "%s%.*s", names.len ? ", " : "", (int)(e - ls - 2),
				  ls + 1);
			continue;
		}
		eq = memchr(ls, '=', (size_t)(e - ls));
		if (!eq) {
			fb_error(err, "%s:%d: expected 'key = value' or '[profile]'", origin, line);
			goto fail;
		}
		ks = ls;
		ke = eq;
		vs = eq + 1;
		ve = e;
		trim(&ks, &ke);
		if (!in_any) {
			fb_error(err, "%s:%d: '%.*s' comes before any [profile] header", origin, line,
				 (int)(ke - ks > 40 ? 40 : ke - ks), ks);
			goto fail;
		}
		/* a comment after a value needs white space before the '#' */
		for (c = vs; c < ve; c++)
			if (*c == '#' && c > vs && is_space(c[-1])) {
				ve = c;
				break;
			}
		trim(&vs, &ve);
		for (i = 0; i < ARRAY_LEN(fields); i++)
			if (strlen(fields[i].key) == (size_t)(ke - ks) &&
			    !memcmp(fields[i].key, ks, (size_t)(ke - ks)))
				f = &fields[i];
		if (!f) {
			fb_error(err, "%s:%d: unknown field '%.*s' (known: url, key-env, model, "
				      "token-field, concurrency, price-in, price-out, rpm, tpm, api, "
				      "api-version)",
				 origin, line, (int)(ke - ks > 40 ? 40 : ke - ks), ks);
			goto fail;
		}
		if (vs == ve) {
			fb_error(err, "%s:%d: %s has no value", origin, line, f->key);
			goto fail;
		}
		val = xstrndup(vs, (size_t)(ve - vs));
		if (f->kind == K_STR && !strcmp(f->key, "key-env") &&
		    (starts_with(val, "sk-") || strlen(val) > 64)) {
			/* do not echo what may well be a secret */
			why = "key-env holds the name of the variable with the key, not the key";
		} else {
			why = set_field(in_wanted ? out : NULL, f, val);
		}
		free(val);
		if (why) {
			fb_error(err, "%s:%d: %s", origin, line, why);
			goto fail;
		}
	}
	if (!found) {
		if (names.len)
			fb_error(err, "%s: no profile [%s] (profiles: %s)", origin, name,
				 sbuf_str(&names));
		else
			fb_error(err, "%s: no profile [%s] (the file defines none)", origin, name);
		goto fail;
	}
	out->name = xstrdup(name);
	sbuf_release(&names);
	return 0;
bad_nul:
	fb_error(err, "%s:%d: holds a NUL byte", origin, line);
fail:
	sbuf_release(&names);
	jprofile_release(out);
	return -1;
}

int jprofile_load(const char *path, const char *name, struct jprofile *out, struct fb_err *err)
{
	char *text;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (read_file(path, &text, &len, err) < 0)
		return -1;
	rc = jprofile_parse(text, len, path, name, out, err);
	free(text);
	return rc;
}
