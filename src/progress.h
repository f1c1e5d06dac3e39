/*
 * progress.h - a one-line progress bar on stderr for long commands.
 *
 * Shown only when enabled (mode 1) or when stderr is a terminal (mode -1);
 * redrawn at most five times a second; progress_end clears the line.
 * No memory is allocated; the label is borrowed for the bar's lifetime.
 */
#ifndef FB_PROGRESS_H
#define FB_PROGRESS_H

#include <stdint.h>

struct progress {
	const char *label;
	uint64_t total_bytes; /* 0 when unknown: no ETA */
	int on;
	int64_t t0, last;
	long items;
	uint64_t bytes;
	char extra[96]; /* shown after the figures, e.g. "retries 3" */
};

void progress_start(struct progress *p, const char *label, uint64_t total_bytes, int mode);
void progress_update(struct progress *p, long items, uint64_t bytes);
void progress_end(struct progress *p);

#endif
