/* rubric.c - parse rubric files; the set of aspects the program knows. */
#include "rubric.h"

#include "embedded.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUBRIC_ORDER_DEFAULT 100

/* Parsing state shared by the line handlers. */
struct rparse {
	struct rubric *r;
	const char *origin;
	int line;
	int order;
	char **last;         /* the value a continuation line extends */
	struct sbuf *section; /* current [section] body, or NULL */
	int have_scale;
	char **pending_levels; /* level texts seen before the scale line */
	int *pending_vals;
	size_t npending, cappending;
};

void rubric_free(struct rubric *r)
{
	size_t i;

	if (!r)
		return;
	if (r->levels)
		for (i = 0; i < (size_t)(r->max - r->min + 1); i++)
			free(r->levels[i]);
	free(r->levels);
	for (i = 0; i < r->ntypes; i++) {
		free(r->types[i].id);
		free(r->types[i].text);
	}
	free(r->types);
	free(r->name);
	free(r->title);
	free(r->system);
	free(r->tmpl);
	free(r->pattern);
	free(r->origin);
	free(r);
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' ||
		      *s == '-'))
			return 0;
	return 1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int perr(struct rparse *p, struct fb_err *err, const char *what)
{
	return fb_error(err, "%s:%d: %s", p->origin, p->line, what);
}

static int parse_int_word(char **s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(*s, &end, 10);
	if (end == *s || errno || v < -1000000 || v > 1000000)
		return -1;
	*out = (int)v;
	*s = end;
	return 0;
}

static int key_value(struct rparse *p, char *key, char *val, struct fb_err *err)
{
	struct rubric *r = p->r;
	int v;

	if (!strcmp(key, "name")) {
		if (!valid_name(val))
			return perr(p, err, "name must be lowercase letters, digits, '_' or '-'");
		free(r->name);
		r->name = xstrdup(val);
		p->last = NULL;
	} else if (!strcmp(key, "title")) {
		free(r->title);
		r->title = xstrdup(val);
		p->last = &r->title;
	} else if (!strcmp(key, "order")) {
		if (parse_int_word(&val, &v) < 0 || *trim(val))
			return perr(p, err, "order must be an integer");
		p->order = v;
	} else if (!strcmp(key, "scale")) {
		int lo, hi;
		char *s = val;

		if (p->have_scale)
			return perr(p, err, "scale given twice");
		if (parse_int_word(&s, &lo) < 0 || parse_int_word(&s, &hi) < 0 || *trim(s))
			return perr(p, err, "scale must be two integers: MIN MAX");
		if (hi <= lo || hi - lo > 100)
			return perr(p, err, "scale needs MIN < MAX and at most 101 values");
		r->min = lo;
		r->max = hi;
		r->levels = xcalloc((size_t)(hi - lo + 1), sizeof(char *));
		p->have_scale = 1;
		p->last = NULL;
	} else if (!strcmp(key, "na")) {
		if (!strcmp(val, "yes"))
			r->allow_na = 1;
		else if (!strcmp(val, "no"))
			r->allow_na = 0;
		else
			return perr(p, err, "na must be yes or no");
	} else if (!strcmp(key, "format")) {
		if (!strcmp(val, "rating"))
			r->format = RUBRIC_RATING;
		else if (!strcmp(val, "type-rating"))
			r->format = RUBRIC_TYPE_RATING;
		else
			return perr(p, err, "format must be rating or type-rating");
	} else if (starts_with(key, "level ")) {
		char *s = key + 6;

		if (parse_int_word(&s, &v) < 0 || *trim(s))
			return perr(p, err, "level needs an integer: 'level N: text'");
		xgrow((void **)&p->pending_levels, &p->cappending, p->npending + 1, sizeof(char *));
		p->pending_vals = xrealloc(p->pending_vals, p->cappending * sizeof(int));
		p->pending_vals[p->npending] = v;
		p->pending_levels[p->npending] = xstrdup(val);
		p->last = &p->pending_levels[p->npending];
		p->npending++;
	} else if (starts_with(key, "type ")) {
		char *id = trim(key + 5);
		size_t i;

		if (!*id || strchr(id, ' '))
			return perr(p, err, "type needs an id: 'type 1: text'");
		for (i = 0; i < r->ntypes; i++)
			if (!strcmp(r->types[i].id, id))
				return perr(p, err, "type id given twice");
		r->types = xrealloc(r->types, (r->ntypes + 1) * sizeof(*r->types));
		r->types[r->ntypes].id = xstrdup(id);
		r->types[r->ntypes].text = xstrdup(val);
		p->last = &r->types[r->ntypes].text;
		r->ntypes++;
	} else {
		char msg[128];

		snprintf(msg, sizeof(msg), "unknown key '%.60s'", key);
		return perr(p, err, msg);
	}
	return 0;
}

static void append_continuation(char **dst, const char *more)
{
	char *s = xasprintf("%s %s", *dst, more);

	free(*dst);
	*dst = s;
}

static int finish(struct rparse *p, struct fb_err *err)
{
	struct rubric *r = p->r;
	size_t i;

	if (!r->name)
		return fb_error(err, "%s: missing 'name:'", p->origin);
	if (!p->have_scale)
		return fb_error(err, "%s: missing 'scale: MIN MAX'", p->origin);
	for (i = 0; i < p->npending; i++) {
		int v = p->pending_vals[i];

		if (v < r->min || v > r->max)
			return fb_error(err, "%s: level %d lies outside the scale %d-%d", p->origin, v,
					r->min, r->max);
		free(r->levels[v - r->min]);
		r->levels[v - r->min] = p->pending_levels[i];
		p->pending_levels[i] = NULL;
	}
	if (r->format == RUBRIC_TYPE_RATING && r->ntypes == 0)
		return fb_error(err, "%s: format type-rating needs 'type N:' lines", p->origin);
	if (!r->title)
		r->title = xstrdup(r->name);
	return 0;
}

static int section_line(struct rparse *p, char *line, struct fb_err *err)
{
	struct rubric *r = p->r;
	char *name = line + 1, *end = strchr(line, ']');
	char **dst;

	if (!end || trim(end + 1)[0])
		return perr(p, err, "a section line looks like [system], [template] or [pattern]");
	*end = '\0';
	if (!strcmp(name, "system"))
		dst = &r->system;
	else if (!strcmp(name, "template"))
		dst = &r->tmpl;
	else if (!strcmp(name, "pattern"))
		dst = &r->pattern;
	else
		return perr(p, err, "unknown section (known: system, template, pattern)");
	if (*dst)
		return perr(p, err, "section given twice");
	*dst = xstrdup("");
	p->section = NULL;
	return (int)(dst - &r->system); /* 0, 1 or 2: index of the section */
}

static void section_store(struct rubric *r, int which, struct sbuf *body)
{
	char **dst = which == 0 ? &r->system : which == 1 ? &r->tmpl : &r->pattern;
	size_t len = body->len;

	/* drop trailing blank lines: the file's layout is not part of the text */
	while (len > 0 && body->buf[len - 1] == '\n')
		len--;
	free(*dst);
	*dst = xstrndup(sbuf_str(body), len);
	sbuf_reset(body);
}

struct rubric *rubric_parse(const char *text, const char *origin, struct fb_err *err)
{
	struct rparse p;
	struct sbuf line = SBUF_INIT, body = SBUF_INIT;
	const char *s = text;
	int in_section = -1, failed = 0;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.r = xcalloc(1, sizeof(*p.r));
	p.r->origin = xstrdup(origin);
	p.order = RUBRIC_ORDER_DEFAULT;
	p.origin = origin;
	if (utf8_check(text, strlen(text), NULL) < 0) {
		fb_error(err, "%s: not valid UTF-8", origin);
		failed = 1;
	}
	while (!failed && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char *l;

		p.line++;
		sbuf_reset(&line);
		sbuf_add(&line, s, n);
		s += n + (nl ? 1 : 0);
		l = line.buf;
		if (n && l[n - 1] == '\r')
			l[n - 1] = '\0';
		if (l[0] == '[' && strchr(l, ']')) {
			int w;

			if (in_section >= 0)
				section_store(p.r, in_section, &body);
			w = section_line(&p, l, err);
			if (w < 0) {
				failed = 1;
				break;
			}
			in_section = w;
			continue;
		}
		if (in_section >= 0) {
			sbuf_adds(&body, l);
			sbuf_addc(&body, '\n');
			continue;
		}
		if (l[0] == '#' || !*trim(l)) {
			p.last = NULL;
			continue;
		}
		if (l[0] == ' ' || l[0] == '\t') {
			if (!p.last) {
				perr(&p, err, "indented line continues nothing");
				failed = 1;
				break;
			}
			append_continuation(p.last, trim(l));
			continue;
		}
		{
			char *colon = strchr(l, ':');

			if (!colon) {
				perr(&p, err, "expected 'key: value'");
				failed = 1;
				break;
			}
			*colon = '\0';
			if (key_value(&p, trim(l), trim(colon + 1), err) < 0) {
				failed = 1;
				break;
			}
		}
	}
	if (!failed && in_section >= 0)
		section_store(p.r, in_section, &body);
	if (!failed && finish(&p, err) < 0)
		failed = 1;
	for (i = 0; i < p.npending; i++)
		free(p.pending_levels[i]);
	free(p.pending_levels);
	free(p.pending_vals);
	sbuf_release(&line);
	sbuf_release(&body);
	if (failed) {
		rubric_free(p.r);
		return NULL;
	}
	p.r->order = p.order;
	return p.r;
}

static int cmp_rubric(const void *a, const void *b)
{
	const struct rubric *x = *(const struct rubric *const *)a;
	const struct rubric *y = *(const struct rubric *const *)b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

void rubric_set_put(struct rubric_set *rs, struct rubric *r)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (!strcmp(rs->items[i]->name, r->name)) {
			rubric_free(rs->items[i]);
			rs->items[i] = r;
			goto sort;
		}
	}
	xgrow((void **)&rs->items, &rs->cap, rs->n + 1, sizeof(*rs->items));
	rs->items[rs->n++] = r;
sort:
	qsort(rs->items, rs->n, sizeof(*rs->items), cmp_rubric);
}

void rubric_set_free(struct rubric_set *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++)
		rubric_free(rs->items[i]);
	free(rs->items);
	free(rs);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int rubric_set_add_dir(struct rubric_set *rs, const char *dir, struct fb_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : fb_error(err, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".rubric"))
			continue;
		xgrow((void **)&names, &cap, n + 1, sizeof(*names));
		names[n++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && rc == 0; i++) {
		char *text;
		size_t len;
		struct rubric *r;

		if (read_file(names[i], &text, &len, err) < 0) {
			rc = -1;
			break;
		}
		if (strlen(text) != len) {
			free(text);
			rc = fb_error(err, "%s: holds a NUL byte", names[i]);
			break;
		}
		r = rubric_parse(text, names[i], err);
		free(text);
		if (!r) {
			rc = -1;
			break;
		}
		rubric_set_put(rs, r);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* The user's rubric directories, in the order they are read (later ones
 * override earlier ones).  Caller frees each and the array. */
static char **user_dirs(size_t *n)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	const char *env = getenv("FEEDBENCH_RUBRICS");
	char **dirs = NULL;
	size_t cap = 0;

	*n = 0;
	if ((xdg && *xdg) || (home && *home)) {
		xgrow((void **)&dirs, &cap, *n + 1, sizeof(*dirs));
		dirs[(*n)++] = xdg && *xdg ? xasprintf("%s/feedbench/rubrics", xdg)
					   : xasprintf("%s/.config/feedbench/rubrics", home);
	}
	if (env && *env) {
		char *copy = xstrdup(env), *save = NULL, *tok;

		for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
			xgrow((void **)&dirs, &cap, *n + 1, sizeof(*dirs));
			dirs[(*n)++] = xstrdup(tok);
		}
		free(copy);
	}
	return dirs;
}

static void free_dirs(char **dirs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
}

struct rubric *rubric_load_prompt(const char *name, struct fb_err *err)
{
	const struct embedded_file *f;
	struct rubric *r = NULL;
	char **dirs, *shipped, *path = NULL;
	size_t n, i;

	dirs = user_dirs(&n);
	for (i = n; i-- > 0 && !path;) {
		char *cand = xasprintf("%s/%s.prompt", dirs[i], name);

		if (access(cand, F_OK) == 0)
			path = cand;
		else
			free(cand);
	}
	free_dirs(dirs, n);
	if (path) {
		char *text;
		size_t len;

		if (read_file(path, &text, &len, err) == 0) {
			if (strlen(text) != len)
				fb_error(err, "%s: holds a NUL byte", path);
			else
				r = rubric_parse(text, path, err);
			free(text);
		}
		free(path);
		return r;
	}
	shipped = xasprintf("rubrics/%s.prompt", name);
	for (f = embedded_files; f->name; f++)
		if (!strcmp(f->name, shipped))
			break;
	if (f->name)
		r = rubric_parse(f->text, f->name, err);
	else
		fb_error(err, "no prompt named '%s' (rubrics/%s.prompt)", name, name);
	free(shipped);
	return r;
}

int rubric_set_load(struct rubric_set **out, struct fb_err *err)
{
	struct rubric_set *rs = xcalloc(1, sizeof(*rs));
	const struct embedded_file *f;

	*out = NULL;
	for (f = embedded_files; f->name; f++) {
		struct rubric *r;

		if (!starts_with(f->name, "rubrics/") || !ends_with(f->name, ".rubric"))
			continue;
		r = rubric_parse(f->text, f->name, err);
		if (!r) {
			rubric_set_free(rs);
			return -1;
		}
		rubric_set_put(rs, r);
	}
	{
		size_t n, i;
		char **dirs = user_dirs(&n);

		for (i = 0; i < n; i++) {
			if (rubric_set_add_dir(rs, dirs[i], err) < 0) {
				free_dirs(dirs, n);
				rubric_set_free(rs);
				return -1;
			}
		}
		free_dirs(dirs, n);
	}
	*out = rs;
	return 0;
}

const struct rubric *rubric_find(const struct rubric_set *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->items[i]->name, name))
			return rs->items[i];
	return NULL;
}

const char *rubric_level(const struct rubric *r, int v)
{
	if (v < r->min || v > r->max || !r->levels)
		return NULL;
	return r->levels[v - r->min];
}
