/*
 * recq.h - parsed records from a file, produced on a second thread.
 *
 * Reading, UTF-8 checking and JSON parsing run on a reader thread while the
 * caller stores records in sqlite: the two halves of an import overlap on
 * two cores.  Items come out in file order.
 *
 * Ownership: an item's json lives in memory of the queue's own (a bump
 * arena per record, recycled): the caller gives it back with recq_done and
 * must not cJSON_Delete it.  The FILE is borrowed and must stay open until
 * recq_stop.  recq_start installs cJSON allocation hooks that route the
 * reader thread's parsing into the arenas; every other thread's cJSON calls
 * keep using malloc and free.
 * Failure: thread creation failure is fatal(); read errors arrive as a
 * RECQ_FATAL item.
 */
#ifndef FB_RECQ_H
#define FB_RECQ_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

enum recq_kind {
	RECQ_JSON,  /* json holds one parsed record */
	RECQ_BAD,   /* one unusable record: msg says why, line/col where */
	RECQ_FATAL, /* reading cannot go on: msg */
	RECQ_END,   /* no more records */
};

struct recq_chunk;

struct recq_item {
	enum recq_kind kind;
	cJSON *json;
	struct recq_chunk *mem; /* the arena json lives in */
	long line;
	int col; /* 0 when not known */
	char msg[sizeof(((struct fb_err *)0)->msg)];
	uint64_t consumed; /* bytes of the file read so far */
};

struct recq;

struct recq *recq_start(FILE *f);
/* Blocks for the next item; after RECQ_END or RECQ_FATAL, keeps returning RECQ_END. */
void recq_next(struct recq *q, struct recq_item *out);
/* Give an item's memory back (its json is gone after this). */
void recq_done(struct recq *q, struct recq_item *it);
/* Stop the reader (early or at the end), free what is queued, release q. */
void recq_stop(struct recq *q);

#endif
