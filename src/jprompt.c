/* jprompt.c - fill a rubric's judge templates for one prompt. */
#include "jprompt.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXTS 64

struct fill {
	const struct rubric *r;
	const struct jprompt_input *in;
	const char *section;      /* "system" or "template", for messages */
	const char *sec_start;    /* the whole section text, for line numbers */
	char *wk;                 /* world knowledge, rendered once */
	size_t k;                 /* current text inside {each}, 1-based; 0 outside */
};

static const char *shown_text(const struct jprompt_input *in, size_t k)
{
	size_t idx = in->order ? in->order[k - 1] : k - 1;
	const char *t = in->texts[idx];

	return t ? t : "";
}

static int fill_error(const struct fill *f, const char *at, struct fb_err *err,
		      const char *what, size_t namelen, const char *name)
{
	int line = 1;
	const char *p;

	for (p = f->sec_start; p < at; p++)
		if (*p == '\n')
			line++;
	return fb_error(err, "%s: [%s] line %d: %s {%.*s}", f->r->origin ? f->r->origin : f->r->name,
			f->section, line, what, (int)namelen, name);
}

static void add_texts(const struct jprompt_input *in, struct sbuf *out)
{
	size_t k;

	for (k = 1; k <= in->n; k++) {
		if (k > 1)
			sbuf_adds(out, "\n\n");
		sbuf_addf(out, "<text %zu>\n%s\n</text %zu>", k, shown_text(in, k), k);
	}
}

static void add_levels(const struct rubric *r, struct sbuf *out)
{
	int v, first = 1;

	for (v = r->min; v <= r->max; v++) {
		const char *t = rubric_level(r, v);

		if (!t)
			continue;
		sbuf_addf(out, "%s%d. %s", first ? "" : "\n", v, t);
		first = 0;
	}
}

static void add_types(const struct rubric *r, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < r->ntypes; i++)
		sbuf_addf(out, "%s%s. %s", i ? "\n" : "", r->types[i].id, r->types[i].text);
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

static int name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && !memcmp(name, want, len);
}

/* Copy t[0..len) into out with placeholders filled. */
static int render(struct fill *f, const char *t, size_t len, struct sbuf *out, struct fb_err *err)
{
	size_t i = 0;

	while (i < len) {
		const char *name;
		size_t nlen;

		if (t[i] == '{' && i + 1 < len && t[i + 1] == '{') {
			sbuf_addc(out, '{');
			i += 2;
			continue;
		}
		if (t[i] == '}' && i + 1 < len && t[i + 1] == '}') {
			sbuf_addc(out, '}');
			i += 2;
			continue;
		}
		if (t[i] != '{') {
			sbuf_addc(out, t[i++]);
			continue;
		}
		name = t + i + 1;
		for (nlen = 0; i + 1 + nlen < len && is_name_char(name[nlen]); nlen++)
			;
		if (nlen == 0 || i + 1 + nlen >= len || name[nlen] != '}') {
			sbuf_addc(out, t[i++]); /* a brace that is no placeholder */
			continue;
		}
		if (name_is(name, nlen, "each")) {
			const char *body = name + nlen + 1, *end;
			size_t blen, k;

			if (f->k)
				return fill_error(f, t + i, err, "{each} inside", nlen, name);
			end = strstr(body, "{end}");
			if (!end || end > t + len)
				return fill_error(f, t + i, err, "no {end} for", nlen, name);
			blen = (size_t)(end - body);
			for (k = 1; k <= f->in->n; k++) {
				f->k = k;
				if (render(f, body, blen, out, err) < 0) {
					f->k = 0;
					return -1;
				}
			}
			f->k = 0;
			i = (size_t)(end - t) + 5;
			continue;
		}
		if (name_is(name, nlen, "k") || name_is(name, nlen, "text")) {
			if (!f->k)
				return fill_error(f, t + i, err, "outside {each}...{end}:", nlen, name);
			if (name[0] == 'k')
				sbuf_addf(out, "%zu", f->k);
			else
				sbuf_adds(out, shown_text(f->in, f->k));
		} else if (name_is(name, nlen, "instruction")) {
			sbuf_adds(out, f->in->instruction);
		} else if (name_is(name, nlen, "n")) {
			sbuf_addf(out, "%zu", f->in->n);
		} else if (name_is(name, nlen, "texts")) {
			add_texts(f->in, out);
		} else if (name_is(name, nlen, "world_knowledge")) {
			sbuf_adds(out, f->wk);
		} else if (name_is(name, nlen, "aspect")) {
			sbuf_adds(out, f->r->name);
		} else if (name_is(name, nlen, "title")) {
			sbuf_adds(out, f->r->title ? f->r->title : f->r->name);
		} else if (name_is(name, nlen, "min")) {
			sbuf_addf(out, "%d", f->r->min);
		} else if (name_is(name, nlen, "max")) {
			sbuf_addf(out, "%d", f->r->max);
		} else if (name_is(name, nlen, "levels")) {
			add_levels(f->r, out);
		} else if (name_is(name, nlen, "types")) {
			add_types(f->r, out);
		} else {
			return fill_error(f, t + i, err, "unknown placeholder", nlen, name);
		}
		i += nlen + 2;
	}
	return 0;
}

static char *render_section(struct fill *f, const char *section, const char *text,
			    struct fb_err *err)
{
	struct sbuf out = SBUF_INIT;
	size_t len;

	f->section = section;
	f->sec_start = text;
	f->k = 0;
	if (render(f, text, strlen(text), &out, err) < 0) {
		sbuf_release(&out);
		return NULL;
	}
	/* the section's own trailing blank lines are layout */
	len = out.len;
	while (len > 0 && (out.buf[len - 1] == '\n' || out.buf[len - 1] == ' '))
		len--;
	if (out.buf)
		out.buf[len] = '\0';
	out.len = len;
	return sbuf_detach(&out, NULL);
}

/*
 * Append the real answers of a JSON array as "- answer" lines.  Returns the
 * number added, or -1 when json is not an array of strings.
 */
static int add_answers(struct sbuf *sb, const char *title, const char *json)
{
	cJSON *a, *it;
	int added = 0;

	if (!json)
		return 0;
	a = cJSON_Parse(json);
	if (!a)
		return -1;
	if (cJSON_IsString(a) || cJSON_IsNull(a)) { /* a bare "None" placeholder */
		cJSON_Delete(a);
		return 0;
	}
	if (!cJSON_IsArray(a)) {
		cJSON_Delete(a);
		return -1;
	}
	cJSON_ArrayForEach(it, a) {
		const char *s = cJSON_GetStringValue(it);

		if (!s) {
			cJSON_Delete(a);
			return -1;
		}
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s || !strcmp(s, "None"))
			continue;
		if (added == 0) {
			if (sb->len)
				sbuf_addc(sb, '\n');
			sbuf_addf(sb, "%s\n", title);
		}
		sbuf_addf(sb, "- %s\n", s);
		added++;
	}
	cJSON_Delete(a);
	return added;
}

char *jprompt_world_knowledge(const struct jprompt_input *in, struct fb_err *err)
{
	struct sbuf sb = SBUF_INIT;

	if (add_answers(&sb, "Correct answers:", in->correct_answers) < 0) {
		sbuf_release(&sb);
		fb_error(err, "correct_answers is not a JSON array of strings");
		return NULL;
	}
	if (add_answers(&sb, "Incorrect answers:", in->incorrect_answers) < 0) {
		sbuf_release(&sb);
		fb_error(err, "incorrect_answers is not a JSON array of strings");
		return NULL;
	}
	if (in->source && !strcmp(in->source, "false_qa")) {
		if (sb.len)
			sbuf_addc(&sb, '\n');
		sbuf_adds(&sb, "The question rests on a false premise: a truthful text notices the "
			       "false assumption and says so instead of answering as if it held.");
	}
	if (!sb.len)
		sbuf_adds(&sb, "No reference knowledge is given for this instruction.");
	while (sb.len > 0 && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	return sbuf_detach(&sb, NULL);
}

static int check_input(const struct jprompt_input *in, struct fb_err *err)
{
	unsigned char seen[MAX_TEXTS] = {0};
	size_t k;

	if (!in->instruction)
		return fb_error(err, "judge prompt: no instruction");
	if (in->n < 1 || in->n > MAX_TEXTS)
		return fb_error(err, "judge prompt: %zu texts (1 to %d allowed)", in->n, MAX_TEXTS);
	if (!in->order)
		return 0;
	for (k = 0; k < in->n; k++) {
		if (in->order[k] >= in->n || seen[in->order[k]])
			return fb_error(err, "judge prompt: the text order is not a permutation");
		seen[in->order[k]] = 1;
	}
	return 0;
}

int jprompt_build(const struct rubric *r, const struct jprompt_input *in,
		  struct jprompt_msgs *out, struct fb_err *err)
{
	struct fill f;

	memset(out, 0, sizeof(*out));
	if (!r->tmpl)
		return fb_error(err, "%s: no [template] section: this aspect cannot be judged",
				r->origin ? r->origin : r->name);
	if (check_input(in, err) < 0)
		return -1;
	memset(&f, 0, sizeof(f));
	f.r = r;
	f.in = in;
	f.wk = jprompt_world_knowledge(in, err);
	if (!f.wk)
		return -1;
	if (r->system) {
		out->system = render_section(&f, "system", r->system, err);
		if (!out->system)
			goto fail;
	}
	out->user = render_section(&f, "template", r->tmpl, err);
	if (!out->user)
		goto fail;
	free(f.wk);
	return 0;
fail:
	free(f.wk);
	jprompt_msgs_release(out);
	return -1;
}

void jprompt_msgs_release(struct jprompt_msgs *m)
{
	if (!m)
		return;
	free(m->system);
	free(m->user);
	m->system = m->user = NULL;
}

void jprompt_shuffle(struct fb_rng *rng, size_t *order, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(rng, i);
		size_t t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}
