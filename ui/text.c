/* text.c - untrusted text to display cells; see text.h for the rules. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wcwidth */
#endif
#include "text.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#define PH_BAD 0xFFFD       /* invalid UTF-8, unprintable, unassigned */
#define PH_INVISIBLE 0x25AF /* format / invisible characters */
#define PH_ESC 0x241B
#define PH_DEL 0x2421
#define DOTTED_CIRCLE 0x25CC

struct range {
	uint32_t lo, hi;
};

/*
 * Characters that draw nothing (or reorder what is drawn) and so could make
 * the annotator read something other than what is there: Unicode's format
 * characters (Cf) that are invisible, plus the blank "filler" letters.
 * Sorted, for the binary search in in_ranges().
 */
static const struct range invisible[] = {
	{0x00AD, 0x00AD},   /* soft hyphen */
	{0x034F, 0x034F},   /* combining grapheme joiner */
	{0x061C, 0x061C},   /* Arabic letter mark */
	{0x115F, 0x1160},   /* Hangul choseong/jungseong fillers */
	{0x17B4, 0x17B5},   /* Khmer inherent vowels */
	{0x180E, 0x180E},   /* Mongolian vowel separator */
	{0x200B, 0x200F},   /* zero-width space, non-joiner, joiner, LRM, RLM */
	{0x202A, 0x202E},   /* bidi embeddings and overrides */
	{0x2060, 0x206F},   /* word joiner, invisible operators, bidi isolates, ... */
	{0x3164, 0x3164},   /* Hangul filler */
	{0xFEFF, 0xFEFF},   /* byte order mark / zero-width no-break space */
	{0xFFA0, 0xFFA0},   /* halfwidth Hangul filler */
	{0xFFF9, 0xFFFB},   /* interlinear annotation controls */
	{0x1BCA0, 0x1BCA3}, /* shorthand format controls */
	{0x1D173, 0x1D17A}, /* musical symbol format controls */
	{0xE0000, 0xE007F}, /* tag characters (can smuggle hidden ASCII) */
};

/* Presentation selectors: dropped (see text.h). */
static const struct range selectors[] = {
	{0x180B, 0x180D},
	{0x180F, 0x180F},
	{0xFE00, 0xFE0F},
	{0xE0100, 0xE01EF},
};

static int in_ranges(const struct range *r, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	if (cp < r[0].lo || cp > r[n - 1].hi)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static int codeset_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

int text_locale_init(void)
{
	static const char *const fallback[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8"};
	size_t i;

	setlocale(LC_ALL, "");
	if (codeset_is_utf8())
		return 0;
	for (i = 0; i < ARRAY_LEN(fallback); i++)
		if (setlocale(LC_CTYPE, fallback[i]) && codeset_is_utf8())
			return 0;
	return -1;
}

void text_init(struct text *t)
{
	memset(t, 0, sizeof(*t));
	t->tabstop = TEXT_TABSTOP;
	t->wrap_width = -1;
}

void text_release(struct text *t)
{
	free(t->ch);
	free(t->line);
	text_init(t);
}

static void push(struct text *t, uint32_t cp, size_t src, int width, int flags)
{
	struct text_ch *c;

	if (t->n == t->cap)
		xgrow((void **)&t->ch, &t->cap, t->n + 1, sizeof(*t->ch));
	c = &t->ch[t->n++];
	c->cp = cp;
	c->src = src > UINT32_MAX ? UINT32_MAX : (uint32_t)src;
	c->width = (uint8_t)width;
	c->flags = (uint8_t)flags;
}

/* The decoder's state across one source text. */
struct sanitiser {
	struct text *t;
	int col;   /* column in the current source line, for tab stops */
	int base;  /* a cell that marks may combine with precedes */
	int marks; /* marks already on that base */
};

static void put_base(struct sanitiser *z, uint32_t cp, size_t src, int width, int flags)
{
	push(z->t, cp, src, width, flags);
	z->col += width;
	z->base = 1;
	z->marks = 0;
}

static void put_newline(struct sanitiser *z, size_t src)
{
	push(z->t, '\n', src, 0, TEXT_NEWLINE);
	z->col = 0;
	z->base = 0;
	z->marks = 0;
}

static void put_mark(struct sanitiser *z, uint32_t cp, size_t src)
{
	if (!z->base)
		put_base(z, DOTTED_CIRCLE, src, 1, 0);
	if (z->marks >= TEXT_MAX_MARKS)
		return;
	push(z->t, cp, src, 0, 0);
	z->marks++;
}

static void put_tab(struct sanitiser *z, size_t src)
{
	int stop = z->t->tabstop > 0 ? z->t->tabstop : TEXT_TABSTOP;
	int k = stop - z->col % stop;

	while (k-- > 0)
		put_base(z, ' ', src, 1, TEXT_SPACE);
}

/* Everything that is not printable ASCII: s + i holds len bytes decoding to cp. */
static void put_other(struct sanitiser *z, const char *s, size_t n, size_t i, uint32_t cp)
{
	int w;

	if (cp == '\n' || cp == 0x2028 || cp == 0x2029) {
		put_newline(z, i);
	} else if (cp == '\t') {
		put_tab(z, i);
	} else if (cp == '\r') {
		if (i + 1 < n && s[i + 1] == '\n')
			return; /* CRLF: the LF makes the break */
		put_base(z, 0x2400 + cp, i, 1, TEXT_PLACEHOLDER);
	} else if (cp < 0x20) {
		put_base(z, 0x2400 + cp, i, 1, TEXT_PLACEHOLDER);
	} else if (cp == 0x7F) {
		put_base(z, PH_DEL, i, 1, TEXT_PLACEHOLDER);
	} else if (cp >= 0x80 && cp <= 0x9F) {
		put_base(z, PH_ESC, i, 1, TEXT_PLACEHOLDER);
		put_base(z, cp - 0x40, i, 1, TEXT_PLACEHOLDER);
	} else if (in_ranges(selectors, ARRAY_LEN(selectors), cp)) {
		return;
	} else if (in_ranges(invisible, ARRAY_LEN(invisible), cp)) {
		put_base(z, PH_INVISIBLE, i, 1, TEXT_PLACEHOLDER);
	} else if ((w = wcwidth((wchar_t)cp)) < 0) {
		put_base(z, PH_BAD, i, 1, TEXT_PLACEHOLDER);
	} else if (w == 0) {
		put_mark(z, cp, i);
	} else {
		put_base(z, cp, i, w > 2 ? 2 : w, 0);
	}
}

void text_set(struct text *t, const char *s, size_t n)
{
	struct sanitiser z = {t, 0, 0, 0};
	size_t i = 0;

	t->n = 0;
	t->srclen = n;
	t->nlines = 0;
	t->wrap_width = -1;
	if (t->cap < n + 1)
		xgrow((void **)&t->ch, &t->cap, n + 1, sizeof(*t->ch));
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		int len;

		/* printable ASCII is nearly all real data: no decoding, no wcwidth */
		if (c >= 0x20 && c < 0x7F) {
			put_base(&z, c, i, 1, c == ' ' ? TEXT_SPACE : 0);
			i++;
			continue;
		}
		len = utf8_decode(s + i, n - i, &cp);
		if (cp == 0xFFFD && len == 1)
			put_base(&z, PH_BAD, i, 1, TEXT_PLACEHOLDER);
		else
			put_other(&z, s, n, i, cp);
		i += (size_t)len;
	}
}

/* ---- wrapping ---- */

static void emit(struct text *t, size_t start, size_t end, int cols)
{
	struct text_line *l;

	if (t->nlines == t->line_cap)
		xgrow((void **)&t->line, &t->line_cap, t->nlines + 1, sizeof(*t->line));
	l = &t->line[t->nlines++];
	l->start = start;
	l->end = end;
	l->cols = cols;
}

/*
 * Lay out one line starting at cell start; returns where the next line
 * starts.  A break opportunity is the end of a run of spaces that follows
 * something else on this line: the line then ends where the run began.
 */
static size_t wrap_line(struct text *t, size_t start, int width)
{
	const struct text_ch *ch = t->ch;
	size_t n = t->n, i = start;
	size_t run = 0, brk_end = 0, brk_next = 0;
	int col = 0, run_col = 0, brk_col = 0, in_run = 0, have_brk = 0;

	while (i < n) {
		const struct text_ch *c = &ch[i];

		if (c->flags & TEXT_NEWLINE) {
			emit(t, start, i, col);
			return i + 1;
		}
		if (c->width == 0) {
			i++;
			continue;
		}
		if (c->flags & TEXT_SPACE) {
			if (col + c->width > width) {
				/* the spaces at a soft break vanish, with a newline after them */
				emit(t, start, in_run && run > start ? run : i,
				     in_run && run > start ? run_col : col);
				while (i < n && (ch[i].width == 0 || (ch[i].flags & TEXT_SPACE)) &&
				       !(ch[i].flags & TEXT_NEWLINE))
					i++;
				if (i < n && (ch[i].flags & TEXT_NEWLINE))
					i++;
				return i;
			}
			if (!in_run) {
				in_run = 1;
				run = i;
				run_col = col;
			}
			col += c->width;
			i++;
			continue;
		}
		if (in_run) {
			in_run = 0;
			if (run > start) { /* not indentation */
				have_brk = 1;
				brk_end = run;
				brk_col = run_col;
				brk_next = i;
			}
		}
		if (col + c->width > width) {
			if (have_brk) {
				emit(t, start, brk_end, brk_col);
				return brk_next;
			}
			if (i > start) {
				emit(t, start, i, col);
				return i;
			}
			/* a wide char wider than the whole line: it goes alone */
		}
		col += c->width;
		i++;
	}
	emit(t, start, n, col);
	return n;
}

size_t text_wrap(struct text *t, int width)
{
	size_t i = 0;

	if (width < 1)
		width = 1;
	if (t->wrap_width == width)
		return t->nlines;
	t->nlines = 0;
	while (i < t->n)
		i = wrap_line(t, i, width);
	t->wrap_width = width;
	return t->nlines;
}

int text_cols(const struct text *t, size_t start, size_t end)
{
	int cols = 0;
	size_t i;

	for (i = start; i < end && i < t->n; i++)
		cols += t->ch[i].width;
	return cols;
}

size_t text_fit(const struct text *t, size_t start, size_t end, int width, int *cols)
{
	size_t i = start;
	int col = 0;

	if (end > t->n)
		end = t->n;
	while (i < end) {
		const struct text_ch *c = &t->ch[i];

		if (c->flags & TEXT_NEWLINE)
			break;
		if (c->width && col + c->width > width)
			break;
		col += c->width;
		i++;
		while (i < end && t->ch[i].width == 0 && !(t->ch[i].flags & TEXT_NEWLINE))
			i++;
	}
	if (cols)
		*cols = col;
	return i;
}

size_t text_fit_ellipsis(const struct text *t, size_t start, size_t end, int width,
			 int *cols, int *ellipsis)
{
	size_t e;

	if (end > t->n)
		end = t->n;
	e = text_fit(t, start, end, width, cols);
	if (e == end) {
		*ellipsis = 0;
		return e;
	}
	if (width < 1) {
		*ellipsis = 0;
		return start;
	}
	*ellipsis = 1;
	return text_fit(t, start, end, width - 1, cols);
}

size_t text_at_src(const struct text *t, size_t off)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->ch[mid].src < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t text_line_of(const struct text *t, size_t idx)
{
	size_t lo = 0, hi = t->nlines;

	if (t->nlines == 0)
		return 0;
	/* the last line whose start <= idx */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->line[mid].start <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void text_utf8(const struct text *t, size_t start, size_t end, struct sbuf *out)
{
	size_t i;

	for (i = start; i < end && i < t->n; i++)
		utf8_encode(out, t->ch[i].cp);
}

int text_ellipsize(struct sbuf *out, const char *s, int width)
{
	struct text t;
	size_t i, e;
	int cols, ell;

	text_init(&t);
	text_set(&t, s, strlen(s));
	for (i = 0; i < t.n; i++) {
		if (t.ch[i].flags & TEXT_NEWLINE) {
			t.ch[i].cp = ' ';
			t.ch[i].width = 1;
			t.ch[i].flags = TEXT_SPACE;
		}
	}
	e = text_fit_ellipsis(&t, 0, t.n, width, &cols, &ell);
	text_utf8(&t, 0, e, out);
	if (ell) {
		utf8_encode(out, TEXT_ELLIPSIS);
		cols++;
	}
	text_release(&t);
	return cols;
}
