/*
 * text.h - untrusted text turned into display cells: sanitising, width,
 * word wrapping and truncation.  No curses here (ui/term.c draws).
 *
 * Text from the data (prompts, completions, rationales, judge output) is
 * never trusted.  text_set() decodes it once into an array of struct
 * text_ch, each a code point that is safe to hand to the terminal, its
 * width in columns, and where in the source it came from.  What was unsafe
 * or invisible is replaced by a visible placeholder flagged
 * TEXT_PLACEHOLDER, so the drawing code can also show it in a marked
 * attribute:
 *
 *   source                                shown as
 *   invalid UTF-8 (each bad byte)         U+FFFD  (replacement char)
 *   C0 control 0x00-0x1F except \t \n     U+2400 + c  (control pictures:
 *                                         NUL -> U+2400, BEL -> U+2407,
 *                                         ESC -> U+241B, ...)
 *   CR directly before LF                 dropped (CRLF line ends)
 *   DEL 0x7F                              U+2421
 *   C1 control U+0080-U+009F              U+241B and the 7-bit equivalent
 *                                         (C1 0x80+x means ESC 0x40+x:
 *                                         CSI 0x9B -> U+241B '[')
 *   format / invisible characters: bidi   U+25AF (white vertical rectangle)
 *   embeddings, overrides and isolates
 *   U+202A-202E U+2066-2069, marks LRM RLM
 *   ALM, zero-width space/joiners, word
 *   joiner, BOM, soft hyphen, tag chars
 *   U+E0000-E007F, Hangul fillers, ...
 *   unassigned / unprintable (wcwidth<0)  U+FFFD
 *   U+2028 LINE / U+2029 PARAGRAPH SEP    a line break, like \n
 *   tab                                   spaces to the next multiple of
 *                                         t->tabstop (default 8) counted
 *                                         from the start of the source line
 *   variation selectors U+FE00-FE0F,      dropped: they only change the
 *   U+E0100-E01EF, U+180B-180F            presentation, and terminals
 *                                         disagree on the width they make
 *   a combining mark with nothing to      put on U+25CC (dotted circle)
 *   combine with (start of a line)
 *   more than TEXT_MAX_MARKS marks on     the extra marks are dropped
 *   one base ("zalgo" text)
 *
 * Only the ESC itself of an escape sequence is replaced: "ESC [2J" shows as
 * U+241B "[2J", harmless printable text.  After text_set() every text_ch is
 * either printable (width 1 or 2, or a width-0 combining mark following a
 * base) or a hard line break (TEXT_NEWLINE, never drawn).
 *
 * Widths come from wcwidth(), so the program must run in a UTF-8 LC_CTYPE:
 * call text_locale_init() once at start.
 *
 * Ownership: a struct text owns its cells and its line table; pointers
 * into them (t->ch, t->line) stay valid until the next text_set(),
 * text_wrap() at another width, or text_release().  Allocation failure is
 * fatal (util.h); nothing here can fail otherwise.
 */
#ifndef FB_TEXT_H
#define FB_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define TEXT_MAX_MARKS 4        /* combining marks kept per base (ncurses: CCHAR_MAX - 1) */
#define TEXT_ELLIPSIS 0x2026    /* "…", 1 column */
#define TEXT_TABSTOP 8

enum text_flag {
	TEXT_PLACEHOLDER = 1, /* stands for something unsafe or invisible */
	TEXT_SPACE = 2,       /* a space the wrapper may break at (also expanded tabs) */
	TEXT_NEWLINE = 4,     /* a hard line break: width 0, never drawn */
};

struct text_ch {
	uint32_t cp;    /* the code point to draw */
	uint32_t src;   /* byte offset in the source of what this stands for */
	uint8_t width;  /* columns: 1 or 2; 0 for a combining mark or a newline */
	uint8_t flags;  /* enum text_flag */
};

/* One wrapped line: cells [start, end) of t->ch, cols columns wide. */
struct text_line {
	size_t start, end;
	int cols;
};

struct text {
	struct text_ch *ch; /* n cells */
	size_t n, cap;
	size_t srclen;      /* bytes of the source */
	int tabstop;        /* used by text_set(); TEXT_TABSTOP after text_init() */

	/* the wrap cache, valid for wrap_width (-1: none) */
	struct text_line *line;
	size_t nlines, line_cap;
	int wrap_width;
};

/*
 * setlocale(LC_ALL, "") and make sure LC_CTYPE is UTF-8, falling back to
 * C.UTF-8 and en_US.UTF-8 when the environment's locale is not.  Returns 0
 * when LC_CTYPE is now UTF-8, -1 when no UTF-8 locale is available (widths
 * are then wrong for anything beyond ASCII).
 */
int text_locale_init(void);

void text_init(struct text *t);
/* Frees the cells and lines, then re-inits. */
void text_release(struct text *t);

/*
 * Replace t's content by the sanitised display form of s[0..n) (any bytes;
 * need not be NUL-terminated) as described above.  Clears the wrap cache.
 * A final newline does not start an empty last line.
 */
void text_set(struct text *t, const char *s, size_t n);

/*
 * Word-wrap t to width columns (width < 1 is taken as 1) into t->line[0..
 * return value).  Lines break after runs of spaces (the spaces at a soft
 * break are dropped), a word longer than the width is broken hard, a wide
 * character never straddles the edge, a combining mark stays with its base,
 * and a newline always ends a line.  Leading spaces of a source line are
 * kept (indentation).  The only line wider than width is a single wide char
 * at width 1.  Cached: calling again with the same width costs nothing.
 * Empty text has no lines.
 */
size_t text_wrap(struct text *t, int width);

/* Columns taken by cells [start, end) (newlines count 0). */
int text_cols(const struct text *t, size_t start, size_t end);

/*
 * Longest prefix of cells [start, end) that fits in width columns without
 * splitting a base from its marks: returns its end index and sets *cols
 * (may be NULL) to its width.  Stops at a newline.
 */
size_t text_fit(const struct text *t, size_t start, size_t end, int width, int *cols);

/*
 * Like text_fit, but when cells [start, end) do not all fit (or hold a
 * newline), leaves room for TEXT_ELLIPSIS and sets *ellipsis to 1 (else 0):
 * the caller draws the cells, then the ellipsis.  *cols excludes it.
 */
size_t text_fit_ellipsis(const struct text *t, size_t start, size_t end, int width,
			 int *cols, int *ellipsis);

/* Index of the first cell that comes from source byte off or later (t->n when none). */
size_t text_at_src(const struct text *t, size_t off);
/* After text_wrap(): the line holding cell idx (the last line when idx >= t->n). */
size_t text_line_of(const struct text *t, size_t idx);

/* Append cells [start, end) to out as UTF-8 (newlines as '\n'). */
void text_utf8(const struct text *t, size_t start, size_t end, struct sbuf *out);

/*
 * One-line form of untrusted s (NUL-terminated) for labels and status
 * lines: sanitised as by text_set(), each newline shown as a space, cut to
 * width columns with a final ellipsis when longer.  Appends UTF-8 to out
 * and returns the columns used.
 */
int text_ellipsize(struct sbuf *out, const char *s, int width);

#endif
