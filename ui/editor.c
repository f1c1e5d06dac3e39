/* editor.c - a UTF-8 text buffer with a cursor (see editor.h). */
#include "editor.h"

#include <string.h>
#include <wchar.h>

void editor_init(struct editor *e, int multiline)
{
	memset(e, 0, sizeof(*e));
	sbuf_init(&e->buf);
	sbuf_adds(&e->buf, "");
	text_init(&e->view);
	e->multiline = multiline;
}

void editor_release(struct editor *e)
{
	sbuf_release(&e->buf);
	text_release(&e->view);
	memset(e, 0, sizeof(*e));
}

const char *editor_text(const struct editor *e)
{
	return sbuf_str(&e->buf);
}

void editor_clean(struct editor *e)
{
	e->dirty = 0;
}

static int insertable(const struct editor *e, uint32_t cp)
{
	if (cp == '\n')
		return e->multiline;
	if (cp == '\t')
		return 1;
	return cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F) &&
	       !(cp >= 0xD800 && cp <= 0xDFFF) && cp <= 0x10FFFF;
}

void editor_set(struct editor *e, const char *s)
{
	size_t n = s ? strlen(s) : 0, i = 0;

	sbuf_reset(&e->buf);
	sbuf_adds(&e->buf, "");
	while (i < n) {
		uint32_t cp;
		int len = utf8_decode(s + i, n - i, &cp);

		if (cp == '\r' && i + 1 < n && s[i + 1] == '\n') {
			i++;
			continue;
		}
		if (insertable(e, cp))
			utf8_encode(&e->buf, cp);
		else if (cp == '\n' || cp == '\r')
			sbuf_addc(&e->buf, ' ');
		i += (size_t)len;
	}
	e->cur = e->buf.len;
	e->dirty = 0;
	e->top = 0;
	e->view_ok = 0;
}

/* The code point at byte offset off (and its length). */
static int cp_at(const struct editor *e, size_t off, uint32_t *cp)
{
	return utf8_decode(e->buf.buf + off, e->buf.len - off, cp);
}

static int is_mark(uint32_t cp)
{
	return cp != '\n' && cp != '\t' && cp >= 0x300 && wcwidth((wchar_t)cp) == 0;
}

/* Start of the code point before off. */
static size_t back_one(const struct editor *e, size_t off)
{
	if (off == 0)
		return 0;
	off--;
	while (off > 0 && ((unsigned char)e->buf.buf[off] & 0xC0) == 0x80)
		off--;
	return off;
}

/* The start of the character (base and marks) before off. */
static size_t back_char(const struct editor *e, size_t off)
{
	uint32_t cp;

	off = back_one(e, off);
	while (off > 0) {
		cp_at(e, off, &cp);
		if (!is_mark(cp))
			break;
		off = back_one(e, off);
	}
	return off;
}

/* The end of the character (base and marks) at off. */
static size_t fwd_char(const struct editor *e, size_t off)
{
	uint32_t cp;

	if (off >= e->buf.len)
		return e->buf.len;
	off += (size_t)cp_at(e, off, &cp);
	while (off < e->buf.len) {
		int len = cp_at(e, off, &cp);

		if (!is_mark(cp))
			break;
		off += (size_t)len;
	}
	return off;
}

static void changed(struct editor *e)
{
	e->dirty = 1;
	e->view_ok = 0;
}

int editor_insert(struct editor *e, uint32_t cp)
{
	struct sbuf enc = SBUF_INIT;

	if (!insertable(e, cp))
		return 0;
	utf8_encode(&enc, cp);
	sbuf_grow(&e->buf, enc.len);
	memmove(e->buf.buf + e->cur + enc.len, e->buf.buf + e->cur, e->buf.len - e->cur + 1);
	memcpy(e->buf.buf + e->cur, enc.buf, enc.len);
	e->buf.len += enc.len;
	e->cur += enc.len;
	sbuf_release(&enc);
	changed(e);
	return 1;
}

/* Remove bytes [from, to). */
static void cut(struct editor *e, size_t from, size_t to)
{
	memmove(e->buf.buf + from, e->buf.buf + to, e->buf.len - to + 1);
	e->buf.len -= to - from;
	changed(e);
}

int editor_backspace(struct editor *e)
{
	size_t from;

	if (e->cur == 0)
		return 0;
	/* one code point: a mark typed last goes first */
	from = back_one(e, e->cur);
	cut(e, from, e->cur);
	e->cur = from;
	return 1;
}

int editor_delete(struct editor *e)
{
	if (e->cur >= e->buf.len)
		return 0;
	cut(e, e->cur, fwd_char(e, e->cur));
	return 1;
}

int editor_left(struct editor *e)
{
	if (e->cur == 0)
		return 0;
	e->cur = back_char(e, e->cur);
	return 1;
}

int editor_right(struct editor *e)
{
	if (e->cur >= e->buf.len)
		return 0;
	e->cur = fwd_char(e, e->cur);
	return 1;
}

int editor_home(struct editor *e)
{
	size_t c = e->cur;

	while (c > 0 && e->buf.buf[c - 1] != '\n')
		c--;
	if (c == e->cur)
		return 0;
	e->cur = c;
	return 1;
}

int editor_end(struct editor *e)
{
	size_t c = e->cur;

	while (c < e->buf.len && e->buf.buf[c] != '\n')
		c++;
	if (c == e->cur)
		return 0;
	e->cur = c;
	return 1;
}

struct text *editor_view(struct editor *e, int width)
{
	if (!e->view_ok) {
		text_set(&e->view, e->buf.buf, e->buf.len);
		e->view_ok = 1;
	}
	text_wrap(&e->view, width);
	return &e->view;
}

/* Whether the text ends where a new display line starts (empty, or a final newline). */
static int open_last_line(const struct editor *e)
{
	return e->buf.len == 0 || e->buf.buf[e->buf.len - 1] == '\n';
}

size_t editor_lines(struct editor *e, int width)
{
	struct text *t = editor_view(e, width);

	return t->nlines + (open_last_line(e) ? 1 : 0);
}

void editor_cursor(struct editor *e, int width, size_t *line, int *col)
{
	struct text *t = editor_view(e, width);
	size_t idx, ln;
	const struct text_line *l;

	if (e->cur >= e->buf.len && open_last_line(e)) {
		*line = t->nlines;
		*col = 0;
		return;
	}
	idx = text_at_src(t, e->cur);
	ln = text_line_of(t, idx);
	l = &t->line[ln];
	if (idx > l->end) /* in the spaces dropped at a soft break: the end of the line */
		idx = l->end;
	*line = ln;
	*col = text_cols(t, l->start, idx);
	if (*col >= width)
		*col = width - 1;
}

/* Move the cursor to column col of display line ln. */
static void to_line(struct editor *e, struct text *t, size_t ln, int col)
{
	const struct text_line *l;
	size_t idx;

	if (ln >= t->nlines) {
		e->cur = e->buf.len;
		return;
	}
	l = &t->line[ln];
	idx = text_fit(t, l->start, l->end, col, NULL);
	if (idx >= t->n) {
		e->cur = e->buf.len;
	} else if (idx < l->end || l->end == l->start || ln + 1 >= t->nlines ||
		   l->end != t->line[ln + 1].start) {
		/* a cell of the line, or what ends it (a newline, the spaces of a soft break) */
		e->cur = t->ch[idx].src;
	} else {
		/* a line broken inside a word ends where the next starts: stay on its last char */
		idx = l->end - 1;
		while (idx > l->start && t->ch[idx].width == 0)
			idx--;
		e->cur = t->ch[idx].src;
	}
}

int editor_up(struct editor *e, int width)
{
	size_t line;
	int col;

	editor_cursor(e, width, &line, &col);
	if (line == 0) {
		if (e->cur == 0)
			return 0;
		e->cur = 0;
		return 1;
	}
	to_line(e, editor_view(e, width), line - 1, col);
	return 1;
}

int editor_down(struct editor *e, int width)
{
	size_t line, old = e->cur;
	int col;

	editor_cursor(e, width, &line, &col);
	if (line + 1 >= editor_lines(e, width)) {
		e->cur = e->buf.len;
		return e->cur != old;
	}
	to_line(e, editor_view(e, width), line + 1, col);
	return 1;
}

void editor_scroll(struct editor *e, int width, int height)
{
	size_t line, n = editor_lines(e, width);
	int col;

	if (height < 1)
		height = 1;
	editor_cursor(e, width, &line, &col);
	if ((long)line < e->top)
		e->top = (int)line;
	if ((long)line >= e->top + height)
		e->top = (int)line - height + 1;
	/* no empty space below the text while there is text above */
	if (e->top > 0 && (long)n - e->top < height)
		e->top = (long)n > height ? (int)n - height : 0;
}
