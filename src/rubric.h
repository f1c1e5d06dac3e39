/*
 * rubric.h - aspects as data.
 *
 * One file per aspect (rubrics/NAME.rubric), human-editable:
 *
 *   # comment
 *   name: helpfulness
 *   title: Helpfulness (informativeness)
 *   scale: 1 5            min and max, integers
 *   na: yes|no            whether "N/A" is a legal rating
 *   order: N              position among the aspects (default 100, then by name)
 *   level 1: text         one per scale value (continuation lines start
 *   level 2: text           with white space and are joined by a space)
 *   type 1: text          optional type ids (truthfulness, helpfulness)
 *   format: rating | type-rating
 *                         the answer shape a judge is asked for:
 *                         Rating/Rationale or Type/Rationale/Rating/Rationale
 *   [system]              free text until the next [section] line
 *   [template]            the judge's user message (placeholders {...})
 *   [pattern]             a PCRE2 pattern for one answer block
 *
 * Files named NAME.prompt use the same syntax for prompts that are not
 * aspects (rubric_load_prompt).
 *
 * The shipped rubrics are compiled in; files in the directories of
 * $FEEDBENCH_RUBRICS (colon-separated) and $XDG_CONFIG_HOME/feedbench/rubrics
 * add aspects or replace shipped ones of the same name.
 *
 * Ownership: a rubric_set owns every rubric and string in it; rubric_set_free
 * releases them all.  Pointers into a set stay valid until it is freed.
 */
#ifndef FB_RUBRIC_H
#define FB_RUBRIC_H

#include "util.h"

enum rubric_format {
	RUBRIC_RATING,      /* Rating: N / Rationale: ... */
	RUBRIC_TYPE_RATING, /* Type / Rationale / Rating / Rationale */
};

struct rubric_type {
	char *id;   /* "1", "2", ... */
	char *text;
};

struct rubric {
	char *name;  /* identifier: [a-z0-9_-]+ */
	char *title;
	int min, max;
	int allow_na;
	int order;     /* position among the aspects */
	char **levels; /* max-min+1 entries; levels[v-min]; may be NULL entries */
	struct rubric_type *types;
	size_t ntypes;
	enum rubric_format format;
	char *system;   /* NULL when absent */
	char *tmpl;     /* NULL when absent */
	char *pattern;  /* NULL when absent */
	char *origin;   /* file it came from ("rubrics/honesty.rubric" when built in) */
};

struct rubric_set {
	struct rubric **items; /* sorted: shipped order first, then by name */
	size_t n, cap;
};

/*
 * Parse one rubric from text.  origin names it in messages.  On error
 * returns NULL and fills err with "origin:line: reason".  Caller frees
 * with rubric_free.
 */
struct rubric *rubric_parse(const char *text, const char *origin, struct fb_err *err);
void rubric_free(struct rubric *r);

/*
 * Load the shipped rubrics plus the user's directories (see above).
 * Returns 0, or -1 with err naming the first malformed file and line.
 * On failure *out is NULL.  Caller frees with rubric_set_free.
 */
int rubric_set_load(struct rubric_set **out, struct fb_err *err);
/* Add every *.rubric file of dir (replacing same-named aspects). */
int rubric_set_add_dir(struct rubric_set *rs, const char *dir, struct fb_err *err);
/* Add or replace r; the set takes ownership. */
void rubric_set_put(struct rubric_set *rs, struct rubric *r);
void rubric_set_free(struct rubric_set *rs);

/*
 * A prompt that is not an aspect (rubrics/NAME.prompt, e.g. the judge's
 * critique request), in rubric syntax.  The directories that extend the
 * rubric set override the shipped file.  Caller frees with rubric_free;
 * NULL with err when it is missing or malformed.
 */
struct rubric *rubric_load_prompt(const char *name, struct fb_err *err);

/* Borrowed; NULL when the set has no such aspect. */
const struct rubric *rubric_find(const struct rubric_set *rs, const char *name);

/* Level description for value v, or NULL. Borrowed. */
const char *rubric_level(const struct rubric *r, int v);

#endif
