/*
 * jsonl.h - split a file into JSON records without loading it whole.
 *
 * Reads JSON Lines (one value per line, blank lines ignored) or one JSON
 * array of any size (each element is a record), told apart by the first
 * byte that is not white space.  A UTF-8 byte order mark is skipped.  Each
 * record is checked to be valid UTF-8 and at most max_record bytes; it is
 * not parsed here (the caller hands it to cJSON).
 *
 * Ownership: the reader owns its buffers; a record returned by jsonl_next
 * is borrowed and valid until the next call.  The FILE is borrowed.
 */
#ifndef FB_JSONL_H
#define FB_JSONL_H

#include <stdio.h>

#include "util.h"

#define JSONL_MAX_RECORD_DEFAULT ((size_t)64 << 20)

enum jsonl_status {
	JSONL_END = 0,     /* no more records */
	JSONL_RECORD = 1,  /* *rec holds one record */
	JSONL_BAD = 2,     /* one record is unusable (err says why); reading goes on */
	JSONL_FATAL = -1,  /* I/O error or broken array framing: stop */
};

struct jsonl_reader {
	FILE *f;
	char *buf; /* read buffer */
	size_t cap, len, pos;
	int eof;
	int mode;  /* 0 undecided, 1 lines, 2 array */
	int astate; /* array: 0 want '[', 1 want element or ']', 2 want ',' or ']', 3 done */
	long line; /* line number of buf[pos] */
	long rec_line;
	int rec_col;        /* column where the record starts (1-based) */
	int last_unterminated; /* the last record had no newline after it */
	size_t max_record;
	uint64_t consumed; /* bytes consumed so far, for progress */
	struct sbuf rec;
};

void jsonl_init(struct jsonl_reader *r, FILE *f);
void jsonl_release(struct jsonl_reader *r);

/*
 * Next record.  On JSONL_RECORD and JSONL_BAD, r->rec_line/rec_col say where
 * the record starts.  err gets the reason for JSONL_BAD and JSONL_FATAL
 * (without file name: the caller prefixes "FILE:LINE").
 */
enum jsonl_status jsonl_next(struct jsonl_reader *r, const char **rec, size_t *len,
			     struct fb_err *err);

#endif
