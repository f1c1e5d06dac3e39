/*
 * wb.h - the annotation workbench's screen state, shared by the event loop
 * and key handlers (ui/annotate.c) and the drawing (ui/draw.c).
 *
 * The model is struct annot (src/annot.h); this is only what the screen
 * adds: the mode, scroll positions, the text being written, the message of
 * the last action, colours.  Handlers change it and the model and return
 * what changed; wb_draw() repaints everything from it, once per turn, and
 * never changes the model.
 *
 * Ownership: struct wb owns its editors, cached texts and trace file; the
 * session (a) is owned by cmd_annotate.
 */
#ifndef FB_WB_H
#define FB_WB_H

#include <curses.h>

#include "annot.h"
#include "editor.h"
#include "keys.h"
#include "statjob.h"
#include "text.h"

#define WB_MIN_COLS 80
#define WB_MIN_LINES 24
#define WB_WIDE_COLS 160 /* from this size on, the completions sit in a grid */
#define WB_WIDE_LINES 40
#define WB_DRAFT_MS 2000 /* text being written is saved as a draft this often */

enum wb_mode {
	WB_MAIN,
	WB_HELP,
	WB_STATS,
	WB_AUDIT, /* the statistics screen (ui/statistics.c) */
	WB_EDIT, /* the multi-line editor: a rationale or a critique */
	WB_LINE, /* a one-line question on the status line */
};

/* What a one-line question is for. */
enum wb_line {
	WB_LINE_GOTO,
	WB_LINE_SEARCH,
	WB_LINE_FLAG,
	WB_LINE_SKIP,
	WB_LINE_TYPES,
	WB_LINE_SCORE,
};

/* What a handler changed. */
enum wb_change {
	WB_SAME = 0,
	WB_REDRAW = 1,
	WB_QUIT = 2,
};

#define WB_RAMP 5 /* steps of the heat-map ramp, low to high */

/* Attributes of the screen's parts (colour or monochrome). */
struct wb_attrs {
	attr_t bar, cursor, value, na, empty, mark, diff, same, ph, error, title, dim, sel;
	attr_t ramp[WB_RAMP]; /* heat-map cells: background colours, or in monochrome
			       * plain, plain, plain, bold, reverse */
};

struct wb {
	struct annot *a;
	struct keys_map keys;
	int mode;
	int zoom;     /* the cursor's completion fills the screen */
	int show_llm; /* compare with the LLM (shown only where annot_llm_ready) */

	/* scrolling, reset when the prompt changes */
	int64_t shown_pid;
	int prompt_top, help_top;
	int comp_top[ANNOT_MAX_COMPLETIONS];

	/* texts of the shown prompt, rebuilt when a->gen or show_llm change */
	unsigned cache_gen;
	int cache_llm, cache_ok;
	struct text prompt;
	struct text comp[ANNOT_MAX_COMPLETIONS];

	/* the multi-line editor: what it edits, and its draft */
	struct editor ed;
	size_t ed_comp;
	int ed_asp;        /* an aspect index, or ANNOT_CRITIQUE */
	int ed_changed;    /* the text differs from what was opened */
	int ed_unsaved;    /* changed since the last draft save */
	int64_t ed_saved_ms;

	/* the one-line question */
	struct editor line;
	int line_kind; /* enum wb_line */
	char *crit_text; /* a critique's text waiting for its score (WB_LINE_SCORE) */

	char msg[512]; /* the outcome of the last action, shown on the status line */
	int msg_error;
	char save[64]; /* the save state */

	int color;
	struct wb_attrs at;
	struct annot_stats stats;

	/* the statistics screen: figures from a worker thread (src/statjob.h) */
	struct statjob *job;          /* started on first use */
	struct statjob_result *audit; /* the figures shown (for audit_version), or NULL */
	unsigned long audit_version;  /* a->changes they are for */
	int audit_wait;               /* an answer is due: the loop polls for it */
	int audit_top;                /* scroll position */
	int audit_delay_ms;           /* FEEDBENCH_STATS_DELAY_MS (tests) */

	FILE *trace; /* FEEDBENCH_TRACE: one line per key */
};

void wb_message(struct wb *w, int error, const char *fmt, ...) FB_PRINTF(3, 4);
/* The name of the first key bound to op into buf ("(unbound)" when none). */
const char *wb_key_of(const struct wb *w, int op, char *buf, size_t size);
/* The same, but only keys that do not type a character (for use while writing). */
const char *wb_ctl_key_of(const struct wb *w, int op, char *buf, size_t size);

/* Repaint the whole screen from w (wnoutrefresh; the caller calls doupdate). */
void wb_draw(struct wb *w);
/* Whether the screen is big enough to work in. */
int wb_big_enough(void);
/* Set w->at for the terminal (colours unless NO_COLOR or none). */
void wb_colors(struct wb *w);

/* ---- the statistics screen (ui/statistics.c) ---- */

/* Open it: show the figures when they are current, else ask the worker for them. */
void wb_audit_open(struct wb *w);
/* A key while it is open. */
int wb_audit_key(struct wb *w, int key, int op);
/* The loop, while w->audit_wait: take the worker's answer if it is there (WB_REDRAW). */
int wb_audit_poll(struct wb *w);
/* Paint it (the whole screen but for the "too small" check). */
void wb_audit_draw(struct wb *w);
/* Stop the worker, free the figures. */
void wb_audit_release(struct wb *w);

#endif
