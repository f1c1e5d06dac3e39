/* tab.c - report tables in three formats (see tab.h). */
#include "tab.h"

#include <stdlib.h>
#include <string.h>

struct tab *tab_new(const char *title, const char *const *cols, size_t ncols)
{
	struct tab *t = xcalloc(1, sizeof(*t));
	size_t i;

	t->title = xstrdup(title);
	t->cols = xcalloc(ncols, sizeof(char *));
	for (i = 0; i < ncols; i++)
		t->cols[i] = xstrdup(cols[i]);
	t->ncols = ncols;
	return t;
}

void tab_free(struct tab *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].s);
	for (i = 0; i < t->ncols; i++)
		free(t->cols[i]);
	free(t->cols);
	free(t->cells);
	free(t->title);
	free(t);
}

static struct tab_cell *next_cell(struct tab *t)
{
	struct tab_cell *c;

	if (t->cur == 0 || t->cur == t->ncols) {
		xgrow((void **)&t->cells, &t->cap, (t->nrows + 1) * t->ncols, sizeof(*t->cells));
		memset(t->cells + t->nrows * t->ncols, 0, t->ncols * sizeof(*t->cells));
		t->nrows++;
		t->cur = 0;
	}
	c = &t->cells[(t->nrows - 1) * t->ncols + t->cur++];
	return c;
}

void tab_str(struct tab *t, const char *s)
{
	struct tab_cell *c = next_cell(t);

	c->s = s ? xstrdup(s) : NULL;
}

void tab_int(struct tab *t, long long v)
{
	struct tab_cell *c = next_cell(t);

	c->s = xasprintf("%lld", v);
	c->num = 1;
	c->v = (double)v;
}

void tab_num(struct tab *t, double v, int decimals)
{
	struct tab_cell *c = next_cell(t);

	c->s = xasprintf("%.*f", decimals, v);
	c->num = 1;
	c->v = v;
}

void tab_null(struct tab *t)
{
	next_cell(t);
}

int tab_format_parse(const char *s, enum tab_format *out)
{
	if (!strcmp(s, "table"))
		*out = TAB_TEXT;
	else if (!strcmp(s, "json"))
		*out = TAB_JSON;
	else if (!strcmp(s, "csv"))
		*out = TAB_CSV;
	else
		return -1;
	return 0;
}

char *text_for_terminal(const char *s, size_t maxcols)
{
	struct sbuf sb = SBUF_INIT;
	size_t n = strlen(s), i = 0, cols = 0;

	while (i < n && cols < maxcols) {
		uint32_t cp;
		int l = utf8_decode(s + i, n - i, &cp);

		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			/* visible stand-ins: never let the data drive the terminal */
			if (cp == '\n')
				sbuf_adds(&sb, "\xe2\x8f\x8e"); /* U+23CE */
			else if (cp == '\t')
				sbuf_addc(&sb, ' ');
			else
				utf8_encode(&sb, cp < 0x20 ? 0x2400 + cp : 0xfffd);
		} else if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
			utf8_encode(&sb, 0xfffd);
		} else {
			utf8_encode(&sb, cp);
		}
		cols++;
		i += (size_t)l;
	}
	if (i < n)
		sbuf_adds(&sb, "\xe2\x80\xa6");
	return sbuf_detach(&sb, NULL);
}

void csv_cell(FILE *out, const char *s, int numeric)
{
	const char *p;
	int quote = 0;

	if (!s)
		return;
	if (!numeric && (*s == '=' || *s == '+' || *s == '-' || *s == '@')) {
		/* a leading apostrophe keeps spreadsheets from running it as a formula */
		fputs("\"'", out);
		quote = 2;
	} else {
		for (p = s; *p; p++)
			if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
				quote = 1;
		if (quote)
			fputc('"', out);
	}
	if (!quote) {
		fputs(s, out);
		return;
	}
	for (p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

cJSON *tab_json(const struct tab *t)
{
	cJSON *arr = cJSON_CreateArray();
	size_t r, c;

	for (r = 0; r < t->nrows; r++) {
		cJSON *o = cJSON_CreateObject();

		for (c = 0; c < t->ncols; c++) {
			const struct tab_cell *x = &t->cells[r * t->ncols + c];

			if (!x->s)
				cJSON_AddNullToObject(o, t->cols[c]);
			else if (x->num)
				cJSON_AddNumberToObject(o, t->cols[c], x->v);
			else
				cJSON_AddStringToObject(o, t->cols[c], x->s);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static size_t display_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void print_text(FILE *out, const struct tab *t)
{
	size_t *w = xcalloc(t->ncols, sizeof(size_t)), r, c;
	char **shown = xcalloc(t->nrows * t->ncols + 1, sizeof(char *));

	for (c = 0; c < t->ncols; c++)
		w[c] = display_width(t->cols[c]);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			const struct tab_cell *x = &t->cells[r * t->ncols + c];
			char *s = text_for_terminal(x->s ? x->s : "-", 60);

			shown[r * t->ncols + c] = s;
			if (display_width(s) > w[c])
				w[c] = display_width(s);
		}
	fprintf(out, "%s\n", t->title);
	for (c = 0; c < t->ncols; c++)
		fprintf(out, "%s%-*s", c ? "  " : "  ", (int)w[c], t->cols[c]);
	fputc('\n', out);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = shown[r * t->ncols + c];
			size_t pad = w[c] - display_width(s);

			fputs("  ", out);
			if (t->cells[r * t->ncols + c].num)
				fprintf(out, "%*s%s", (int)pad, "", s);
			else
				fprintf(out, "%s%*s", s, (int)pad, "");
		}
		fputc('\n', out);
	}
	for (r = 0; r < t->nrows * t->ncols; r++)
		free(shown[r]);
	free(shown);
	free(w);
}

void tab_print(FILE *out, struct tab **tabs, size_t n, enum tab_format f)
{
	size_t i, r, c;

	if (f == TAB_JSON) {
		cJSON *root = cJSON_CreateObject();
		char *s;

		for (i = 0; i < n; i++)
			cJSON_AddItemToObject(root, tabs[i]->title, tab_json(tabs[i]));
		s = cJSON_Print(root);
		fprintf(out, "%s\n", s);
		free(s);
		cJSON_Delete(root);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct tab *t = tabs[i];

		if (f == TAB_TEXT) {
			if (i)
				fputc('\n', out);
			print_text(out, t);
			continue;
		}
		/* CSV: one header per table, led by a "table" column */
		if (i)
			fputc('\n', out);
		fputs("table", out);
		for (c = 0; c < t->ncols; c++) {
			fputc(',', out);
			csv_cell(out, t->cols[c], 0);
		}
		fputc('\n', out);
		for (r = 0; r < t->nrows; r++) {
			csv_cell(out, t->title, 0);
			for (c = 0; c < t->ncols; c++) {
				const struct tab_cell *x = &t->cells[r * t->ncols + c];

				fputc(',', out);
				csv_cell(out, x->s, x->num);
			}
			fputc('\n', out);
		}
	}
}
