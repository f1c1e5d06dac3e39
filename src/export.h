/*
 * export.h - write data out of the database.  Formats are a table
 * (export_formats[]): adding one is an entry and a function.  Three kinds:
 *   native   the lossless prompt dump (native.h); --dataset/--source only;
 *   pairs    chosen/rejected pairs picked by pairs.h (strategy, score rule,
 *            raters, filters), one or two JSON lines per pair, each with a
 *            "provenance" object saying how it was made;
 *   ratings  one CSV row per rating and critique score, prompt filters only.
 *
 * Output goes to a temporary file beside the target, renamed into place
 * only when complete, so an interrupted export never leaves a file that
 * looks whole.  "-" or NULL writes to stdout.  Exports are not fsynced:
 * they are derived data (the same command gives the same bytes) and
 * flushing a gigabyte would triple the time; after a power cut, compare a
 * file with its manifest's line count, or export again.  With -o FILE, a manifest
 * (STEM.manifest.json, STEM = FILE without the format's extension) is
 * written last: options, input digest, files and counts (prompts seen,
 * pairs written, prompts dropped per reason).  --test-size writes
 * STEM.train.EXT and STEM.test.EXT instead of FILE, split by prompt.
 * When splitting or ordering easy to hard, lines first go to an unlinked
 * spool file beside the output; ordering keeps a 32-byte index entry per
 * pair in memory (the texts stay on disk).
 *
 * Failure: -1 with err; every temporary and partly renamed file is removed.
 */
#ifndef FB_EXPORT_H
#define FB_EXPORT_H

#include <stdio.h>

#include "db.h"
#include "sel.h"

struct export_opts {
	const char *format; /* NULL: the preset's */
	const char *out;    /* NULL or "-": stdout */
	struct sel sel;
	int progress;       /* -1 auto, 0 off, 1 on */

	/* pair formats (strings borrowed) */
	const char *preset, *strategy, *score;
	const char *rater;     /* --rater R */
	const char *consensus; /* --consensus R1,R2,... */
	int has_min_margin;
	double min_margin;
	int ties; /* -1 not given, 0 drop, 1 keep */
	int only_agreed, easy_to_hard;

	/* pair and ratings formats */
	const char *const *exclude_sources;
	size_t nexclude_sources;
	const char *exclude_prompts;
	int exclude_flagged;
	const char *test_size; /* "N" prompts or a fraction in (0, 1); NULL: one file */
	int has_seed;
	uint64_t seed;
};

enum export_kind { EXPORT_NATIVE, EXPORT_PAIRS, EXPORT_RATINGS };

struct export_emit;
struct pairs_prompt;
struct pairs_pair;

struct export_format {
	const char *name;
	const char *about;
	enum export_kind kind;
	const char *ext; /* split files end in .train EXT / .test EXT */
	/* native: the whole export */
	int (*run)(struct db *db, const struct export_opts *o, FILE *out, struct fb_err *err);
	/* pairs: append one pair's lines, return how many */
	int (*pair)(struct export_emit *e, const struct pairs_prompt *p,
		    const struct pairs_pair *x);
	/* ratings: the header line, and one prompt's rows (returns how many) */
	const char *header;
	int (*rows)(struct export_emit *e, const struct pairs_prompt *p);
};

extern const struct export_format export_formats[];
const struct export_format *export_format_find(const char *name);

/* Check the options without the database: 0, or 2 (a usage error) with err. */
int export_check(const struct export_opts *o, struct fb_err *err);
/* Check, then run the export: 0, 2 on a usage error, -1 on failure (err set). */
int export_run(struct db *db, const struct export_opts *o, struct fb_err *err);

/* Parse --test-size: 0 with *n (>= 1) or *frac (in (0, 1)) set, -1 on junk. */
int export_parse_test_size(const char *s, long *n, double *frac);

/* Atomic output file: open a temp beside path, then commit (rename) or abort. */
struct export_file {
	char *path, *tmp;
	FILE *f;
};
int export_file_open(struct export_file *ef, const char *path, struct fb_err *err);
int export_file_commit(struct export_file *ef, struct fb_err *err);
void export_file_abort(struct export_file *ef);

#endif
