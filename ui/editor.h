/*
 * editor.h - the text being written: a UTF-8 buffer with a cursor, for the
 * inline rationale and critique editor (multi-line) and the one-line
 * prompts (reasons, ids, patterns).  No curses: the screen code draws
 * editor_view() and puts the terminal cursor at editor_cursor().
 *
 * The buffer only ever holds valid UTF-8 without control characters other
 * than newline (multi-line) and tab: what cannot be typed is refused, and
 * editor_set() cleans what it is given (invalid bytes become U+FFFD,
 * controls are dropped).  The cursor is a byte offset on a code point
 * boundary, never between a character and its combining marks.
 *
 * Ownership: the editor owns its buffer and view; editor_text() and
 * editor_view() are borrowed until the next change.  Allocation failure is
 * fatal; nothing else fails.
 */
#ifndef FB_EDITOR_H
#define FB_EDITOR_H

#include "text.h"

struct editor {
	struct sbuf buf; /* the text */
	size_t cur;      /* cursor: byte offset into buf */
	int multiline;
	int dirty;       /* changed since editor_set() / editor_clean() */
	int top;         /* first display line shown (editor_scroll keeps the cursor in view) */
	struct text view;
	int view_ok;     /* view holds buf */
};

void editor_init(struct editor *e, int multiline);
void editor_release(struct editor *e);
/* Replace the text (s may be NULL: empty), cursor at the end, not dirty. */
void editor_set(struct editor *e, const char *s);
/* The text, NUL-terminated (borrowed). */
const char *editor_text(const struct editor *e);
void editor_clean(struct editor *e);

/* Each returns 1 when the text or the cursor changed, 0 when nothing could be done. */
int editor_insert(struct editor *e, uint32_t cp); /* refuses controls (and newline when one-line) */
int editor_backspace(struct editor *e);
int editor_delete(struct editor *e);
int editor_left(struct editor *e);
int editor_right(struct editor *e);
int editor_home(struct editor *e); /* start of the line (between newlines) */
int editor_end(struct editor *e);
/* Up / down one display line at wrap width, keeping the column as near as it can. */
int editor_up(struct editor *e, int width);
int editor_down(struct editor *e, int width);

/* The text as display cells wrapped at width (borrowed). */
struct text *editor_view(struct editor *e, int width);
/* Display lines at width (an empty text or one ending in a newline counts the line after it). */
size_t editor_lines(struct editor *e, int width);
/* The cursor's display line and column at width. */
void editor_cursor(struct editor *e, int width, size_t *line, int *col);
/* Move e->top so that the cursor is within height lines of it. */
void editor_scroll(struct editor *e, int width, int height);

#endif
