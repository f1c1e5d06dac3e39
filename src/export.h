/*
 * export.h - write data out of the database.  Formats are a table
 * (export_formats[]): adding one is an entry and a function.
 *
 * Output goes to a temporary file beside the target, renamed into place
 * only when complete, so an interrupted export never leaves a file that
 * looks whole.  "-" or NULL writes to stdout.
 *
 * Failure: -1 with err; the temporary file is removed.
 */
#ifndef FB_EXPORT_H
#define FB_EXPORT_H

#include <stdio.h>

#include "db.h"
#include "sel.h"

struct export_opts {
	const char *format;
	const char *out; /* NULL or "-": stdout */
	struct sel sel;
	int progress;    /* -1 auto, 0 off, 1 on */
};

struct export_format {
	const char *name;
	const char *about;
	int (*run)(struct db *db, const struct export_opts *o, FILE *out, struct fb_err *err);
};

extern const struct export_format export_formats[];
const struct export_format *export_format_find(const char *name);

int export_run(struct db *db, const struct export_opts *o, struct fb_err *err);

/* Atomic output file: open a temp beside path, then commit (rename) or abort. */
struct export_file {
	char *path, *tmp;
	FILE *f;
};
int export_file_open(struct export_file *ef, const char *path, struct fb_err *err);
int export_file_commit(struct export_file *ef, struct fb_err *err);
void export_file_abort(struct export_file *ef);

#endif
