/* figure.c - a statistic that is a number or null with a reason. */
#include "figure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void figure_set(struct figure *f, double v)
{
	if (!isfinite(v)) {
		figure_null(f, "not finite");
		return;
	}
	f->v = v;
	f->ok = 1;
	f->why = NULL;
}

void figure_null(struct figure *f, const char *why)
{
	f->v = 0;
	f->ok = 0;
	f->why = why;
	f->ci_ok = 0;
	f->lo = f->hi = 0;
}

void figure_ratio(struct figure *f, double v, double d, const char *why)
{
	if (d == 0)
		figure_null(f, why);
	else
		figure_set(f, v / d);
}

void figure_notes_add(struct figure_notes *nl, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	xgrow((void **)&nl->items, &nl->cap, nl->n + 1, sizeof(*nl->items));
	nl->items[nl->n++] = sbuf_detach(&sb, NULL);
}

void figure_notes_for(struct figure_notes *nl, const char *path, const struct figure *f)
{
	if (!f->ok)
		figure_notes_add(nl, "%s: null: %s", path, f->why ? f->why : "not computable");
	if (!f->has_ci)
		return;
	if (!f->ci_ok) {
		/* a null figure already says why; its interval needs no second note */
		if (f->ok)
			figure_notes_add(nl, "%s_ci: null: %s", path,
					 f->ci_why ? f->ci_why : "not computable");
	} else if (f->ci_undefined > 0) {
		figure_notes_add(nl,
				 "%s_ci: undefined in %zu of %zu resamples; the interval uses the other %zu",
				 path, f->ci_undefined, f->ci_resamples,
				 f->ci_resamples - f->ci_undefined);
	}
}

void figure_notes_release(struct figure_notes *nl)
{
	for (size_t i = 0; i < nl->n; i++)
		free(nl->items[i]);
	free(nl->items);
	nl->items = NULL;
	nl->n = nl->cap = 0;
}

static cJSON *must(cJSON *j)
{
	if (!j)
		fatal("out of memory building JSON");
	return j;
}

static void attach(cJSON *obj, const char *key, cJSON *item)
{
	if (!cJSON_AddItemToObject(obj, key, item))
		fatal("out of memory building JSON");
}

static void push(cJSON *arr, cJSON *item)
{
	if (!cJSON_AddItemToArray(arr, item))
		fatal("out of memory building JSON");
}

cJSON *figure_json_new(void)
{
	return must(cJSON_CreateObject());
}

void figure_json_add(cJSON *obj, const char *key, const struct figure *f)
{
	attach(obj, key, must(f->ok ? cJSON_CreateNumber(f->v) : cJSON_CreateNull()));
	if (f->has_ci) {
		struct sbuf k = SBUF_INIT;
		cJSON *ci;

		sbuf_addf(&k, "%s_ci", key);
		if (f->ok && f->ci_ok) {
			ci = must(cJSON_CreateArray());
			push(ci, must(cJSON_CreateNumber(f->lo)));
			push(ci, must(cJSON_CreateNumber(f->hi)));
		} else {
			ci = must(cJSON_CreateNull());
		}
		attach(obj, sbuf_str(&k), ci);
		sbuf_release(&k);
	}
}

void figure_json_count(cJSON *obj, const char *key, double n)
{
	attach(obj, key, must(cJSON_CreateNumber(n)));
}

void figure_json_string(cJSON *obj, const char *key, const char *s)
{
	attach(obj, key, must(s ? cJSON_CreateString(s) : cJSON_CreateNull()));
}

cJSON *figure_json_object(cJSON *parent, const char *key)
{
	cJSON *o = must(cJSON_CreateObject());

	attach(parent, key, o);
	return o;
}

cJSON *figure_json_array(cJSON *parent, const char *key)
{
	cJSON *a = must(cJSON_CreateArray());

	attach(parent, key, a);
	return a;
}

cJSON *figure_json_push_object(cJSON *arr)
{
	cJSON *o = must(cJSON_CreateObject());

	push(arr, o);
	return o;
}

cJSON *figure_json_push_array(cJSON *arr)
{
	cJSON *a = must(cJSON_CreateArray());

	push(arr, a);
	return a;
}

void figure_json_push_number(cJSON *arr, double v)
{
	push(arr, must(cJSON_CreateNumber(v)));
}

void figure_json_push_string(cJSON *arr, const char *s)
{
	push(arr, must(s ? cJSON_CreateString(s) : cJSON_CreateNull()));
}

void figure_json_notes(cJSON *obj, const struct figure_notes *nl)
{
	cJSON *arr = figure_json_array(obj, "notes");

	for (size_t i = 0; i < nl->n; i++)
		figure_json_push_string(arr, nl->items[i]);
}

const char *figure_fmt(char buf[32], const struct figure *f, int prec, int sign)
{
	if (!f->ok)
		snprintf(buf, 32, "-");
	else
		snprintf(buf, 32, sign ? "%+.*f" : "%.*f", prec, f->v);
	return buf;
}

const char *figure_fmt_ci(char buf[64], const struct figure *f, int prec)
{
	if (f->ok && f->has_ci && f->ci_ok)
		snprintf(buf, 64, "[%.*f, %.*f]", prec, f->lo, prec, f->hi);
	else if (f->ok && f->has_ci)
		snprintf(buf, 64, "[-]");
	else
		buf[0] = '\0';
	return buf;
}

void figure_csv_field(struct sbuf *sb, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		sbuf_adds(sb, s);
		return;
	}
	sbuf_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			sbuf_addc(sb, '"');
		sbuf_addc(sb, *s);
	}
	sbuf_addc(sb, '"');
}

/* The shortest of %.15g and %.17g that reads back as the same double. */
static void add_number(struct sbuf *sb, double v)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	sbuf_adds(sb, buf);
}

void figure_csv_value(struct sbuf *sb, const struct figure *f)
{
	sbuf_addc(sb, ',');
	if (f->ok)
		add_number(sb, f->v);
	sbuf_addc(sb, ',');
	if (f->ok && f->has_ci && f->ci_ok) {
		add_number(sb, f->lo);
		sbuf_addc(sb, ',');
		add_number(sb, f->hi);
	} else {
		sbuf_addc(sb, ',');
	}
}
