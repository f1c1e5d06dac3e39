/* progress.c - the progress bar (see progress.h). */
#include "progress.h"

#include "util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void progress_start(struct progress *p, const char *label, uint64_t total_bytes, int mode)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->total_bytes = total_bytes;
	p->on = mode > 0 || (mode < 0 && isatty(STDERR_FILENO));
	p->t0 = p->last = now_ms();
}

static void draw(struct progress *p, int64_t now)
{
	double secs = (double)(now - p->t0) / 1000.0;
	double rate = secs > 0 ? (double)p->items / secs : 0;
	double mbs = secs > 0 ? (double)p->bytes / 1048576.0 / secs : 0;
	char bar[24] = "";

	if (p->total_bytes) {
		double frac = (double)p->bytes / (double)p->total_bytes;
		int i, fill = (int)(frac * 20);

		if (frac > 1)
			frac = 1;
		for (i = 0; i < 20; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[20] = '\0';
		fprintf(stderr, "\r%s [%s] %3.0f%% %ld records %.0f/s %.1f MB/s", p->label, bar,
			frac * 100, p->items, rate, mbs);
		if (mbs > 0 && frac < 1)
			fprintf(stderr, " ETA %.0fs",
				(double)(p->total_bytes - p->bytes) / 1048576.0 / mbs);
	} else {
		fprintf(stderr, "\r%s %ld records %.0f/s %.1f MB/s", p->label, p->items, rate,
			mbs);
	}
	if (p->extra[0])
		fprintf(stderr, " %s", p->extra);
	fputs("\033[K", stderr);
	fflush(stderr);
}

void progress_update(struct progress *p, long items, uint64_t bytes)
{
	int64_t now;

	p->items = items;
	p->bytes = bytes;
	if (!p->on)
		return;
	now = now_ms();
	if (now - p->last < 200)
		return;
	p->last = now;
	draw(p, now);
}

void progress_end(struct progress *p)
{
	if (!p->on)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
}
