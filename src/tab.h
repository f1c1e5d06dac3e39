/*
 * tab.h - a report table printed as aligned text, CSV or JSON, so every
 * reporting command offers --format table|json|csv from one description.
 *
 * Ownership: a tab owns copies of all its strings; tab_free releases them.
 * Cells are text; a cell added with tab_num is numeric (right-aligned in
 * text, a JSON number, never made inert in CSV).  NULL text is an empty /
 * null cell.  Data text is sanitised for terminals by the text renderer.
 */
#ifndef FB_TAB_H
#define FB_TAB_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "util.h"

enum tab_format { TAB_TEXT, TAB_JSON, TAB_CSV };

struct tab_cell {
	char *s; /* NULL: empty */
	int num;
	double v;
};

struct tab {
	char *title;
	char **cols;
	size_t ncols;
	struct tab_cell *cells; /* row-major */
	size_t nrows, cap;
	size_t cur; /* cells filled in the current row */
};

struct tab *tab_new(const char *title, const char *const *cols, size_t ncols);
void tab_free(struct tab *t);
/* Append to the current row; a full row starts a new one. */
void tab_str(struct tab *t, const char *s);
void tab_int(struct tab *t, long long v);
void tab_num(struct tab *t, double v, int decimals);
void tab_null(struct tab *t);

/* Parse "table", "json" or "csv"; -1 otherwise. */
int tab_format_parse(const char *s, enum tab_format *out);

/* Print several tables; JSON is one object keyed by table title. */
void tab_print(FILE *out, struct tab **tabs, size_t n, enum tab_format f);
/* The JSON form of one table: an array of row objects (caller deletes). */
cJSON *tab_json(const struct tab *t);

/* Write s as one CSV cell (quoted when needed; =,+,-,@ made inert unless numeric). */
void csv_cell(FILE *out, const char *s, int numeric);
/* Copy s replacing control characters and escape sequences by visible marks. */
char *text_for_terminal(const char *s, size_t maxcols);

#endif
