/*
 * import.h - read rated data files into the database.
 *
 * Formats are a table (import_formats[]): each entry knows how to recognise
 * a record and how to store one.  Adding a format is one entry and one
 * function.  Records are streamed (jsonl.h); each is stored inside its own
 * savepoint, so a record is either wholly imported or not at all.
 *
 * Ownership: struct import_opts is borrowed for the duration of the call.
 * Failure: import_files returns 0 when every record was imported, 1 when
 * some were skipped (each reported on stderr as FILE:LINE[:COL]: reason),
 * -1 with err on a failure that stopped the import (nothing of the
 * current batch is kept then; earlier batches stay).
 */
#ifndef FB_IMPORT_H
#define FB_IMPORT_H

#include <cjson/cJSON.h>

#include "db.h"

struct import_ctx;

struct import_format {
	const char *name;
	const char *about;        /* one line for --help */
	const char *rater;        /* default rater name, NULL: none needed */
	const char *rater_kind;   /* its kind */
	int own_datasets;         /* records name their data sets and raters */
	/* 1 when rec looks like this format */
	int (*detect)(const cJSON *rec);
	/* store one record; -1 with err (no location) when it is bad */
	int (*record)(struct import_ctx *ctx, const cJSON *rec, struct fb_err *err);
};

extern const struct import_format import_formats[];
const struct import_format *import_format_find(const char *name);

struct import_opts {
	const char *format;     /* NULL: detect from the first record */
	const char *dataset;    /* NULL: the file's base name */
	const char *rater;      /* NULL: the format's default */
	const char *rater_kind; /* NULL: "human" for a named rater, else the format's */
	int strict;             /* import nothing when any record is bad */
	int progress;           /* -1 auto (stderr is a terminal), 0 off, 1 on */
	int quiet;              /* no summary line */
	FILE *report;           /* where bad records and the summary go (stderr) */
};

struct import_counts {
	long records, skipped;
	long prompts, completions, ratings, critiques, preferences, flags;
};

struct import_ctx {
	struct db *db;
	const struct import_opts *opts;
	const struct import_format *fmt;
	const char *dataset_name; /* this file's data set */
	int64_t dataset_id;       /* 0 until first needed */
	int64_t rater_id;         /* 0 until first needed */
	struct import_counts n;
	char **unknown_aspects; /* reported once each */
	size_t nunknown;
	long out_of_scale;
	char now[32]; /* the time written on this record's rows */
};

/* Import every file ("-" is stdin); counts are added to *total when given. */
int import_files(struct db *db, char **files, int nfiles, const struct import_opts *opts,
		 struct import_counts *total, struct fb_err *err);

/* Helpers the format functions share (also used by native.c). */
int import_rater(struct import_ctx *ctx, int64_t *id, struct fb_err *err);
/* The data set records of this file go to (created on first use). */
int import_dataset(struct import_ctx *ctx, int64_t *id, struct fb_err *err);
/* Read a rating like "4", "4/5", 4, "N/A" for rubric r.  Returns 1 with
 * *value, 2 for N/A, 0 when missing or unreadable. */
int import_parse_rating(const cJSON *v, int *value);
/* A string member or NULL; -1 with err when present but not a string. */
int import_opt_string(const cJSON *obj, const char *key, const char **out, struct fb_err *err);

#endif
