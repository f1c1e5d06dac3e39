/* term.c - curses key codes to keys.h codes; text cells to add_wch. */
#include "term.h"

#include <string.h>

/* ncurses calls X/Open's CCHAR_MAX (characters in one cell) CCHARW_MAX */
#if !defined(CCHAR_MAX) && defined(CCHARW_MAX)
#define CCHAR_MAX CCHARW_MAX
#endif

static const struct {
	int curses, key;
} fkeys[] = {
	{KEY_UP, KEYS_UP},         {KEY_DOWN, KEYS_DOWN},     {KEY_LEFT, KEYS_LEFT},
	{KEY_RIGHT, KEYS_RIGHT},   {KEY_HOME, KEYS_HOME},     {KEY_END, KEYS_END},
	{KEY_PPAGE, KEYS_PGUP},    {KEY_NPAGE, KEYS_PGDN},    {KEY_IC, KEYS_INSERT},
	{KEY_DC, KEYS_DELETE},     {KEY_BACKSPACE, KEYS_BACKSPACE},
	{KEY_ENTER, KEYS_ENTER},   {KEY_BTAB, KEYS_BTAB},     {KEY_RESIZE, KEYS_RESIZE},
};

int term_key(int rc, wint_t wch)
{
	size_t i;

	if (rc == KEY_CODE_YES) {
		int k = (int)wch;

		if (k > KEY_F0 && k <= KEY_F(KEYS_FMAX))
			return KEYS_F(k - KEY_F0);
		for (i = 0; i < ARRAY_LEN(fkeys); i++)
			if (fkeys[i].curses == k)
				return fkeys[i].key;
		return -1;
	}
	if (rc != OK)
		return -1;
	if (wch == '\r' || wch == '\n')
		return KEYS_ENTER;
	if (wch == 0x7F || wch == 0x08)
		return KEYS_BACKSPACE;
	return (int)wch;
}

/* Draw the cell at t->ch[i] and the marks after it; returns the index after them. */
static size_t put_cell(WINDOW *win, int y, int x, const struct text *t, size_t i, size_t end,
		       attr_t attr, attr_t ph_attr)
{
	wchar_t wc[CCHAR_MAX + 1];
	cchar_t cc;
	int k = 0;
	attr_t a = attr;

	if (t->ch[i].flags & TEXT_PLACEHOLDER)
		a |= ph_attr;
	wc[k++] = (wchar_t)t->ch[i++].cp;
	while (i < end && t->ch[i].width == 0 && !(t->ch[i].flags & TEXT_NEWLINE)) {
		if (k < CCHAR_MAX)
			wc[k++] = (wchar_t)t->ch[i].cp;
		i++;
	}
	wc[k] = L'\0';
	if (setcchar(&cc, wc, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL) == OK)
		mvwadd_wch(win, y, x, &cc);
	return i;
}

int term_draw(WINDOW *win, int y, int x, int width, const struct text *t, size_t start,
	      size_t end, attr_t attr, attr_t ph_attr)
{
	int cols;
	size_t stop = text_fit(t, start, end, width, &cols), i = start;
	int col = x;

	while (i < stop) {
		int w = t->ch[i].width;
		i = put_cell(win, y, col, t, i, stop, attr, ph_attr);
		col += w;
	}
	return cols;
}

int term_draw_cut(WINDOW *win, int y, int x, int width, const struct text *t, size_t start,
		  size_t end, attr_t attr, attr_t ph_attr)
{
	int cols, ell;
	size_t stop = text_fit_ellipsis(t, start, end, width, &cols, &ell);

	term_draw(win, y, x, cols, t, start, stop, attr, ph_attr);
	if (ell) {
		cchar_t cc;
		wchar_t wc[2] = {TEXT_ELLIPSIS, L'\0'};

		if (setcchar(&cc, wc, attr & ~A_COLOR, (short)PAIR_NUMBER(attr), NULL) == OK)
			mvwadd_wch(win, y, x + cols, &cc);
		cols++;
	}
	return cols;
}

int term_draw_str(WINDOW *win, int y, int x, int width, const char *s, attr_t attr,
		  attr_t ph_attr)
{
	struct text t;
	size_t i;
	int cols;

	text_init(&t);
	text_set(&t, s, strlen(s));
	for (i = 0; i < t.n; i++) {
		if (t.ch[i].flags & TEXT_NEWLINE) {
			t.ch[i].cp = ' ';
			t.ch[i].width = 1;
			t.ch[i].flags = TEXT_SPACE;
		}
	}
	cols = term_draw_cut(win, y, x, width, &t, 0, t.n, attr, ph_attr);
	text_release(&t);
	return cols;
}
