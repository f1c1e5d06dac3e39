/*
 * figure.h - one reported statistic: a number, or null with the reason,
 * and optionally a bootstrap interval beside it.
 *
 * statistics.md: a figure that cannot be computed (n too small, zero
 * variance) is reported as null with the reason, never as 0 or NaN.  A
 * struct figure carries exactly that; the JSON, table and CSV writers of
 * agree.c and conflict.c go through the helpers below so that a null
 * always prints as JSON null, "-" in a table and an empty CSV field.
 *
 * Ownership: a figure holds no heap memory (why/ci_why point to static
 * text).  A figure_notes list owns its strings; figure_notes_release frees
 * them.  Every JSON helper here aborts through fatal() if cJSON cannot
 * allocate, so none of them returns an error.
 */
#ifndef FB_FIGURE_H
#define FB_FIGURE_H

#include <cjson/cJSON.h>

#include "util.h"

struct figure {
	double v;           /* the value; meaningful only when ok */
	int ok;             /* 1: v is a finite number; 0: null */
	const char *why;    /* static reason when !ok, else NULL */
	int has_ci;         /* a bootstrap interval was asked for */
	int ci_ok;          /* lo/hi hold the interval */
	double lo, hi;      /* 95% percentile interval when ci_ok */
	const char *ci_why; /* static reason when has_ci && !ci_ok */
	size_t ci_undefined; /* resamples in which the figure was null */
	size_t ci_resamples; /* resamples drawn (B) */
};

/* A finite value (a non-finite v makes the figure null, "not finite"). */
void figure_set(struct figure *f, double v);
/* Null with a static reason; clears any interval. */
void figure_null(struct figure *f, const char *why);
/* v / d, or null with why when d == 0. */
void figure_ratio(struct figure *f, double v, double d, const char *why);

/* A list of human-readable notes ("path: null: reason"). */
struct figure_notes {
	char **items; /* owned */
	size_t n, cap;
};
#define FIGURE_NOTES_INIT {NULL, 0, 0}
void figure_notes_add(struct figure_notes *nl, const char *fmt, ...) FB_PRINTF(2, 3);
/*
 * Add the notes a figure needs: "path: null: why" when it is null,
 * "path_ci: null: why" when its interval is, and a line saying in how many
 * resamples it was undefined when that happened.
 */
void figure_notes_for(struct figure_notes *nl, const char *path, const struct figure *f);
void figure_notes_release(struct figure_notes *nl);

/*
 * JSON: obj[key] = number or null; with an interval asked for, also
 * obj[key + "_ci"] = [lo, hi] or null.
 */
void figure_json_add(cJSON *obj, const char *key, const struct figure *f);
/* obj[key] = the number n. */
void figure_json_count(cJSON *obj, const char *key, double n);
/* obj[key] = the string s (NULL gives null). */
void figure_json_string(cJSON *obj, const char *key, const char *s);
cJSON *figure_json_object(cJSON *parent, const char *key); /* new child object */
cJSON *figure_json_array(cJSON *parent, const char *key);  /* new child array */
cJSON *figure_json_push_object(cJSON *arr); /* new object appended to arr */
cJSON *figure_json_push_array(cJSON *arr);  /* new array appended to arr */
void figure_json_push_number(cJSON *arr, double v);
void figure_json_push_string(cJSON *arr, const char *s);
void figure_json_notes(cJSON *obj, const struct figure_notes *nl); /* "notes": [...] */
/* A fresh object; caller frees with cJSON_Delete. */
cJSON *figure_json_new(void);

/*
 * Text: the value with prec decimals ("-" when null) into buf[32];
 * with sign != 0 positive values get a leading '+'.  Returns buf.
 */
const char *figure_fmt(char buf[32], const struct figure *f, int prec, int sign);
/* Text: "[lo, hi]" or "" when there is no interval, into buf[64]. */
const char *figure_fmt_ci(char buf[64], const struct figure *f, int prec);

/* CSV: one field, quoted when it holds a comma, quote or line break. */
void figure_csv_field(struct sbuf *sb, const char *s);
/* CSV: ",value,lo,hi" with empty fields for nulls; numbers round-trip. */
void figure_csv_value(struct sbuf *sb, const struct figure *f);

#endif
