/*
 * term.h - where text.h and keys.h meet curses: get_wch() results become
 * keys.h key codes, and sanitised text cells are drawn with add_wch.
 *
 * Nothing here writes a byte that did not come out of text_set(), so what
 * reaches the terminal is printable by construction.  The drawing functions
 * never move past the width they are given and never wrap; they return the
 * columns drawn.  Placeholder cells (TEXT_PLACEHOLDER) are drawn with
 * ph_attr added, so they stand out even in monochrome (A_REVERSE is a good
 * choice).  attr may carry a COLOR_PAIR().
 */
#ifndef FB_TERM_H
#define FB_TERM_H

#include <curses.h>

#include "keys.h"
#include "text.h"

/*
 * The keys.h code for what wget_wch() returned: rc (OK or KEY_CODE_YES) and
 * the character or KEY_* code.  '\r', '\n' and KEY_ENTER become KEYS_ENTER,
 * DEL, ^H and KEY_BACKSPACE become KEYS_BACKSPACE, KEY_RESIZE KEYS_RESIZE.
 * Returns -1 for ERR and for function keys keys.h has no name for.
 */
int term_key(int rc, wint_t wch);

/* Draw cells [start, end) of t at (y, x), at most width columns. */
int term_draw(WINDOW *win, int y, int x, int width, const struct text *t, size_t start,
	      size_t end, attr_t attr, attr_t ph_attr);
/* The same, ending in an ellipsis when the cells do not fit (or hold a newline). */
int term_draw_cut(WINDOW *win, int y, int x, int width, const struct text *t, size_t start,
		  size_t end, attr_t attr, attr_t ph_attr);
/* Untrusted s on one line (newlines as spaces), cut with an ellipsis. */
int term_draw_str(WINDOW *win, int y, int x, int width, const char *s, attr_t attr,
		  attr_t ph_attr);

#endif
