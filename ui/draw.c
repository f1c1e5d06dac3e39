/*
 * draw.c - the workbench screen, painted from struct wb and the session
 * (see wb.h).  Everything from the data goes through ui/text (term_draw*),
 * so nothing untrusted reaches the terminal.
 *
 *   narrow (80x24 and up)                wide (160x40 and up)
 *   +-------------------------------+    +---------------------------------+
 *   | header: prompt id, source     |    | header                          |
 *   | prompt text (scrolls: J K)    |    | prompt text                     |
 *   | tabs: A 4/4  B 1/4  C  D      |    | A ........     | B ........     |
 *   | the cursor's completion       |    | C ........     | D ........     |
 *   | (the editor below it)         |    | (the editor)                    |
 *   | matrix: aspects x texts | cell|    | matrix          | cell detail   |
 *   | status line                   |    | status line                     |
 *   +-------------------------------+    +---------------------------------+
 */
#include "wb.h"

#include "term.h"

#include <stdlib.h>
#include <string.h>

struct layout {
	int cols, lines;
	int wide;             /* completions in a grid */
	int gcols, grows;     /* the grid */
	int prompt_y, prompt_h;
	int tabs_y;           /* -1: no tab line */
	int body_y, body_h;   /* the completions */
	int edit_y, edit_h;   /* the editor, when open */
	int matrix_y, matrix_h;
	int status_y;
};

/* ---- colours ---- */

enum { PAIR_BAR = 1, PAIR_CURSOR, PAIR_VALUE, PAIR_NA, PAIR_MARK, PAIR_DIFF, PAIR_PH, PAIR_ERROR,
       PAIR_SEL, PAIR_RAMP };

void wb_colors(struct wb *w)
{
	const char *nc = getenv("NO_COLOR");
	struct wb_attrs *at = &w->at;

	w->color = has_colors() && !(nc && *nc);
	memset(at, 0, sizeof(*at));
	/* monochrome first: every distinction survives without colour */
	at->bar = A_REVERSE;
	at->cursor = A_REVERSE | A_BOLD;
	at->sel = A_REVERSE;
	at->value = A_BOLD;
	at->na = A_NORMAL;
	at->empty = A_DIM;
	at->mark = A_NORMAL;
	at->diff = A_BOLD | A_UNDERLINE;
	at->same = A_DIM;
	at->ph = A_REVERSE;
	at->error = A_BOLD;
	at->title = A_BOLD;
	at->dim = A_DIM;
	at->ramp[0] = at->ramp[1] = at->ramp[2] = A_NORMAL;
	at->ramp[3] = A_BOLD;
	at->ramp[4] = A_REVERSE | A_BOLD;
	if (!w->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_CURSOR, COLOR_BLACK, COLOR_YELLOW);
	init_pair(PAIR_VALUE, COLOR_GREEN, -1);
	init_pair(PAIR_NA, COLOR_CYAN, -1);
	init_pair(PAIR_MARK, COLOR_YELLOW, -1);
	init_pair(PAIR_DIFF, COLOR_RED, -1);
	init_pair(PAIR_PH, COLOR_MAGENTA, -1);
	init_pair(PAIR_ERROR, COLOR_RED, -1);
	init_pair(PAIR_SEL, COLOR_BLACK, COLOR_WHITE);
	/* the heat-map ramp, cold to hot; the text stays legible on each */
	init_pair(PAIR_RAMP, COLOR_WHITE, COLOR_BLUE);
	init_pair(PAIR_RAMP + 1, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_RAMP + 2, COLOR_BLACK, COLOR_GREEN);
	init_pair(PAIR_RAMP + 3, COLOR_BLACK, COLOR_YELLOW);
	init_pair(PAIR_RAMP + 4, COLOR_WHITE, COLOR_RED);
	for (int i = 0; i < WB_RAMP; i++)
		at->ramp[i] = COLOR_PAIR(PAIR_RAMP + i);
	at->bar = COLOR_PAIR(PAIR_BAR);
	at->cursor = COLOR_PAIR(PAIR_CURSOR) | A_BOLD;
	at->sel = COLOR_PAIR(PAIR_SEL);
	at->value = COLOR_PAIR(PAIR_VALUE) | A_BOLD;
	at->na = COLOR_PAIR(PAIR_NA);
	at->mark = COLOR_PAIR(PAIR_MARK);
	at->diff = COLOR_PAIR(PAIR_DIFF) | A_BOLD;
	at->ph = COLOR_PAIR(PAIR_PH) | A_REVERSE;
	at->error = COLOR_PAIR(PAIR_ERROR) | A_BOLD;
}

/* ---- small drawing helpers ---- */

static void fill(int y, int x, int width, attr_t attr)
{
	if (width <= 0)
		return;
	wattrset(stdscr, attr);
	mvwhline(stdscr, y, x, ' ', width);
	wattrset(stdscr, A_NORMAL);
}

/* Untrusted or own text on one line; returns the columns drawn. */
static int put(struct wb *w, int y, int x, int width, const char *s, attr_t attr)
{
	if (width <= 0)
		return 0;
	return term_draw_str(stdscr, y, x, width, s, attr, w->at.ph);
}

/* Columns s takes on one line (sanitised as it would be drawn). */
static int str_cols(const char *s)
{
	struct sbuf sb = SBUF_INIT;
	int n = text_ellipsize(&sb, s, 1 << 20);

	sbuf_release(&sb);
	return n;
}

/* Lines [top, top + h) of t wrapped at width, at (y, x); returns the lines drawn. */
static int draw_lines(struct wb *w, struct text *t, int top, int y, int x, int h, int width,
		      attr_t attr)
{
	size_t n = text_wrap(t, width), i;
	int row = 0;

	for (i = (size_t)(top > 0 ? top : 0); i < n && row < h; i++, row++)
		term_draw(stdscr, y + row, x, width, t, t->line[i].start, t->line[i].end, attr,
			  w->at.ph);
	return row;
}

/*
 * A paragraph of s wrapped at width from row y, at most maxl lines (the
 * last cut with an ellipsis when there is more), never past ymax.
 * Returns the next free row.
 */
static int para(struct wb *w, int y, int ymax, int x, int width, int maxl, const char *s,
		attr_t attr)
{
	struct text t;
	size_t n, i;
	int row = 0;

	if (y >= ymax || width <= 0)
		return y;
	text_init(&t);
	text_set(&t, s, strlen(s));
	n = text_wrap(&t, width);
	for (i = 0; i < n && row < maxl && y + row < ymax; i++, row++) {
		int last = row + 1 == maxl || y + row + 1 == ymax;

		if (last && i + 1 < n)
			term_draw_cut(stdscr, y + row, x, width, &t, t.line[i].start, t.n, attr,
				      w->at.ph);
		else
			term_draw(stdscr, y + row, x, width, &t, t.line[i].start, t.line[i].end, attr,
				  w->at.ph);
	}
	text_release(&t);
	return y + row;
}

const char *wb_key_of(const struct wb *w, int op, char *buf, size_t size)
{
	int key;

	if (keys_of(&w->keys, op, &key, 1) == 0) {
		snprintf(buf, size, "(unbound)");
		return buf;
	}
	return keys_name(key, buf, size);
}

const char *wb_ctl_key_of(const struct wb *w, int op, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < w->keys.n; i++) {
		int key = w->keys.bind[i].key;

		if (w->keys.bind[i].op == op && !(key >= 0x20 && key < KEYS_NAMED && key != 0x7F))
			return keys_name(key, buf, size);
	}
	snprintf(buf, size, "(unbound)");
	return buf;
}

static char letter(size_t i)
{
	return (char)('A' + i);
}

/* "Instruction following" from "Instruction following (...)". */
static void aspect_label(const struct rubric *r, struct sbuf *sb)
{
	const char *t = r->title ? r->title : r->name;
	size_t n = strcspn(t, "(");

	while (n && t[n - 1] == ' ')
		n--;
	sbuf_add(sb, t, n ? n : strlen(t));
}

static void fmt_score(char *buf, size_t size, double v)
{
	snprintf(buf, size, "%g", v);
}

/* ---- the cached texts ---- */

static void comp_display(struct wb *w, size_t i, struct sbuf *sb)
{
	const struct annot *a = w->a;
	const struct annot_comp *c = &a->p.comp[i];
	char score[16];

	sbuf_adds(sb, c->response ? c->response : "");
	if (c->crit.exists && (c->crit.text || c->crit.has_score)) {
		sbuf_adds(sb, "\n\n\u2500\u2500 your critique");
		if (c->crit.has_score) {
			fmt_score(score, sizeof(score), c->crit.score);
			sbuf_addf(sb, " \u00b7 %s/10", score);
		}
		sbuf_adds(sb, " \u2500\u2500\n");
		sbuf_adds(sb, c->crit.text ? c->crit.text : "");
	}
	if (w->show_llm && annot_llm_ready(a)) {
		if (c->llm_crit.exists && (c->llm_crit.text || c->llm_crit.has_score)) {
			sbuf_addf(sb, "\n\n\u2500\u2500 %s's critique", a->p.llm_name);
			if (c->llm_crit.has_score) {
				fmt_score(score, sizeof(score), c->llm_crit.score);
				sbuf_addf(sb, " \u00b7 %s/10", score);
			}
			sbuf_adds(sb, " \u2500\u2500\n");
			sbuf_adds(sb, c->llm_crit.text ? c->llm_crit.text : "");
		}
		sbuf_addf(sb, "\n\n\u2500\u2500 written by %s \u2500\u2500",
			  c->model ? c->model : "an unknown model");
	}
}

static void refresh_cache(struct wb *w)
{
	struct annot *a = w->a;
	struct sbuf sb = SBUF_INIT;
	size_t i;

	if (w->cache_ok && w->cache_gen == a->gen && w->cache_llm == w->show_llm)
		return;
	text_set(&w->prompt, a->loaded ? a->p.instruction : "",
		 a->loaded && a->p.instruction ? strlen(a->p.instruction) : 0);
	for (i = 0; i < ANNOT_MAX_COMPLETIONS; i++) {
		sbuf_reset(&sb);
		if (a->loaded && i < a->p.ncomp)
			comp_display(w, i, &sb);
		text_set(&w->comp[i], sb.buf ? sb.buf : "", sb.len);
	}
	sbuf_release(&sb);
	w->cache_ok = 1;
	w->cache_gen = a->gen;
	w->cache_llm = w->show_llm;
}

/* ---- layout ---- */

static int matrix_height(const struct annot *a)
{
	return 1 + (int)a->naspects + 1; /* header, aspects, critique */
}

static void layout(struct wb *w, struct layout *L)
{
	struct annot *a = w->a;
	int prompt_max, need, ncomp = a->loaded ? (int)a->p.ncomp : 0;

	memset(L, 0, sizeof(*L));
	L->cols = COLS;
	L->lines = LINES;
	L->status_y = LINES - 1;
	L->matrix_h = matrix_height(a);
	L->matrix_y = L->status_y - L->matrix_h;
	L->tabs_y = -1;
	L->prompt_y = 1;
	L->wide = COLS >= WB_WIDE_COLS && LINES >= WB_WIDE_LINES && ncomp >= 2 && !w->zoom;
	prompt_max = L->wide ? 8 : 4;
	need = (int)text_wrap(&w->prompt, COLS - 2);
	L->prompt_h = w->zoom ? 0 : need < 1 ? 1 : need > prompt_max ? prompt_max : need;
	L->body_y = L->prompt_y + L->prompt_h;
	if (L->wide) {
		L->gcols = ncomp > 4 && COLS >= 3 * 60 ? 3 : 2;
		L->grows = (ncomp + L->gcols - 1) / L->gcols;
	} else {
		L->tabs_y = L->body_y;
		L->body_y++;
	}
	L->body_h = L->matrix_y - L->body_y;
	if (w->mode == WB_EDIT) {
		L->edit_h = L->body_h / 2 < 5 ? 5 : L->body_h / 2;
		if (L->edit_h > L->body_h - 2)
			L->edit_h = L->body_h - 2;
		L->edit_y = L->matrix_y - L->edit_h;
		L->body_h -= L->edit_h;
	}
	/* a grid too cramped to read falls back to one completion at a time */
	if (L->wide && L->body_h / L->grows < 6) {
		L->wide = 0;
		L->tabs_y = L->body_y;
		L->body_y++;
		L->body_h--;
	}
}

/* ---- the parts ---- */

static void draw_header(struct wb *w, const struct layout *L)
{
	struct annot *a = w->a;
	struct sbuf left = SBUF_INIT, right = SBUF_INIT;
	int rw;

	fill(0, 0, L->cols, w->at.bar);
	if (a->loaded) {
		sbuf_addf(&left, " Prompt %lld", (long long)a->p.id);
		if (a->p.source)
			sbuf_addf(&left, " \u00b7 %s", a->p.source);
		if (a->p.external_id)
			sbuf_addf(&left, " \u00b7 id %s", a->p.external_id);
		if (a->p.flagged)
			sbuf_addf(&left, " \u00b7 FLAGGED%s%s", *a->p.flag_reason ? ": " : "",
				  a->p.flag_reason);
		if (a->p.skipped)
			sbuf_addf(&left, " \u00b7 SKIPPED%s%s", *a->p.skip_reason ? ": " : "",
				  a->p.skip_reason);
		if (a->p.finished)
			sbuf_adds(&left, " \u00b7 finished");
	} else {
		sbuf_adds(&left, " feedbench");
	}
	if (w->zoom)
		sbuf_adds(&right, "zoom \u00b7 ");
	if (w->show_llm && annot_llm_ready(a))
		sbuf_addf(&right, "beside %s \u00b7 ", a->p.llm_name);
	sbuf_addf(&right, "queue %s", a->queue->name);
	if (a->queue_by)
		sbuf_addf(&right, " by %s", a->queue_by);
	if (a->dataset)
		sbuf_addf(&right, " \u00b7 %s", a->dataset);
	if (a->source)
		sbuf_addf(&right, " \u00b7 %s", a->source);
	if (a->search)
		sbuf_addf(&right, " \u00b7 /%s/", a->search);
	sbuf_addc(&right, ' ');
	rw = str_cols(right.buf);
	if (rw > L->cols / 2)
		rw = L->cols / 2;
	put(w, 0, 0, L->cols - rw - 1, left.buf, w->at.bar);
	put(w, 0, L->cols - rw, rw, right.buf, w->at.bar);
	sbuf_release(&left);
	sbuf_release(&right);
}

static void draw_prompt(struct wb *w, const struct layout *L)
{
	int n, maxtop;

	if (L->prompt_h <= 0)
		return;
	n = (int)text_wrap(&w->prompt, L->cols - 2);
	maxtop = n - L->prompt_h;
	if (w->prompt_top > maxtop)
		w->prompt_top = maxtop > 0 ? maxtop : 0;
	if (w->prompt_top < 0)
		w->prompt_top = 0;
	draw_lines(w, &w->prompt, w->prompt_top, L->prompt_y, 1, L->prompt_h, L->cols - 2,
		   A_NORMAL);
	if (n > L->prompt_h) {
		/* more prompt than room: say where we are, at the right edge */
		char buf[32];

		snprintf(buf, sizeof(buf), "%s", w->prompt_top + L->prompt_h < n ? "\u2193" : " ");
		put(w, L->prompt_y + L->prompt_h - 1, L->cols - 1, 1, buf, w->at.dim);
		if (w->prompt_top > 0)
			put(w, L->prompt_y, L->cols - 1, 1, "\u2191", w->at.dim);
	}
}

/* "3/4", "✓ 4/4" and marks for a completion's tab or title. */
static void comp_state(struct wb *w, size_t i, struct sbuf *sb)
{
	struct annot *a = w->a;
	const struct annot_comp *c = &a->p.comp[i];
	size_t done = annot_done_cells(a, i);
	char score[16];

	if (done == a->naspects)
		sbuf_addf(sb, "\u2713 %zu/%zu", done, a->naspects);
	else
		sbuf_addf(sb, "%zu/%zu", done, a->naspects);
	if (c->crit.has_score) {
		fmt_score(score, sizeof(score), c->crit.score);
		sbuf_addf(sb, " \u00b7 %s/10", score);
	}
}

static void clamp_scroll(struct wb *w, size_t i, int h, int width)
{
	int n = (int)text_wrap(&w->comp[i], width), maxtop = n - h;

	if (w->comp_top[i] > maxtop)
		w->comp_top[i] = maxtop > 0 ? maxtop : 0;
	if (w->comp_top[i] < 0)
		w->comp_top[i] = 0;
}

/* Where the text of completion i is: "lines 1-10 of 34" (empty when it all shows). */
static void scroll_info(struct wb *w, size_t i, int h, int width, char *buf, size_t size)
{
	int n = (int)text_wrap(&w->comp[i], width), last = w->comp_top[i] + h;

	if (n <= h) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, size, "lines %d-%d of %d", w->comp_top[i] + 1, last < n ? last : n, n);
}

static void draw_tabs(struct wb *w, const struct layout *L)
{
	struct annot *a = w->a;
	struct sbuf sb = SBUF_INIT;
	char info[48];
	size_t i;
	int x = 0;

	fill(L->tabs_y, 0, L->cols, A_NORMAL);
	for (i = 0; i < a->p.ncomp && x < L->cols; i++) {
		sbuf_reset(&sb);
		sbuf_addf(&sb, " %c ", letter(i));
		comp_state(w, i, &sb);
		sbuf_addc(&sb, ' ');
		x += put(w, L->tabs_y, x, L->cols - x, sb.buf,
			 i == a->ccomp ? w->at.sel | A_BOLD : w->at.dim);
		x += put(w, L->tabs_y, x, L->cols - x, " ", A_NORMAL);
	}
	sbuf_release(&sb);
	if (a->p.ncomp) {
		scroll_info(w, a->ccomp, L->body_h, L->cols - 2, info, sizeof(info));
		if (info[0] && x + (int)strlen(info) + 2 < L->cols)
			put(w, L->tabs_y, L->cols - (int)strlen(info) - 1, (int)strlen(info) + 1, info,
			    w->at.dim);
	}
}

/* Completion i's text in the box at (y, x), h x width. */
static void draw_comp_text(struct wb *w, size_t i, int y, int x, int h, int width)
{
	clamp_scroll(w, i, h, width);
	draw_lines(w, &w->comp[i], w->comp_top[i], y, x, h, width, A_NORMAL);
}

static void draw_single(struct wb *w, const struct layout *L)
{
	struct annot *a = w->a;

	if (!a->p.ncomp) {
		put(w, L->body_y, 1, L->cols - 2, "This prompt has no completions to rate.", w->at.dim);
		return;
	}
	draw_comp_text(w, a->ccomp, L->body_y, 1, L->body_h, L->cols - 2);
}

static void draw_grid(struct wb *w, const struct layout *L)
{
	struct annot *a = w->a;
	int bw = (L->cols - (L->gcols - 1)) / L->gcols, bh = L->body_h / L->grows;
	struct sbuf sb = SBUF_INIT;
	size_t i;

	for (i = 0; i < a->p.ncomp; i++) {
		int r = (int)i / L->gcols, c = (int)i % L->gcols;
		int y = L->body_y + r * bh, x = c * (bw + 1), k;
		int h = (r == L->grows - 1 ? L->body_h - r * bh : bh) - 1;
		attr_t ta = i == a->ccomp ? w->at.sel | A_BOLD : w->at.title;
		char info[48];

		sbuf_reset(&sb);
		sbuf_addf(&sb, " %c  ", letter(i));
		comp_state(w, i, &sb);
		fill(y, x, bw, i == a->ccomp ? w->at.sel : A_NORMAL);
		put(w, y, x, bw, sb.buf, ta);
		clamp_scroll(w, i, h, bw - 2);
		scroll_info(w, i, h, bw - 2, info, sizeof(info));
		if (info[0])
			put(w, y, x + bw - (int)strlen(info) - 1, (int)strlen(info), info,
			    i == a->ccomp ? w->at.sel : w->at.dim);
		draw_comp_text(w, i, y + 1, x + 1, h, bw - 2);
		if (c + 1 < L->gcols)
			for (k = 0; k < (r == L->grows - 1 ? L->body_h - r * bh : bh); k++)
				mvwaddstr(stdscr, y + k, x + bw, "\u2502");
	}
	sbuf_release(&sb);
}

/* ---- the editor ---- */

static void editing_title(struct wb *w, struct sbuf *sb)
{
	struct annot *a = w->a;
	char k1[32], k2[32], k3[32];

	if (w->ed_asp == ANNOT_CRITIQUE) {
		sbuf_addf(sb, " Critique of %c (the score comes next)", letter(w->ed_comp));
	} else {
		sbuf_addf(sb, " Rationale \u00b7 %c \u00b7 ", letter(w->ed_comp));
		aspect_label(a->aspect[w->ed_asp], sb);
	}
	sbuf_addf(sb, "  \u2502 %s save \u00b7 %s cancel \u00b7 %s $EDITOR ",
		  wb_ctl_key_of(w, KEYS_OP_EDIT_DONE, k1, sizeof(k1)),
		  wb_ctl_key_of(w, KEYS_OP_EDIT_CANCEL, k2, sizeof(k2)),
		  wb_ctl_key_of(w, KEYS_OP_EDITOR, k3, sizeof(k3)));
}

static void draw_editor(struct wb *w, const struct layout *L)
{
	struct sbuf sb = SBUF_INIT;
	int width = L->cols - 2, h = L->edit_h - 1;
	size_t line;
	int col;

	fill(L->edit_y, 0, L->cols, w->at.bar);
	editing_title(w, &sb);
	put(w, L->edit_y, 0, L->cols, sb.buf, w->at.bar);
	sbuf_release(&sb);
	editor_scroll(&w->ed, width, h);
	draw_lines(w, editor_view(&w->ed, width), w->ed.top, L->edit_y + 1, 1, h, width, A_NORMAL);
	editor_cursor(&w->ed, width, &line, &col);
	wmove(stdscr, L->edit_y + 1 + (int)line - w->ed.top, 1 + col);
}

/* ---- the matrix ---- */

/* "4*", "N/A", "·": a cell's value and its rationale mark. */
static void cell_text(const struct annot_cell *c, char *buf, size_t size, int marks)
{
	const char *mark = !marks ? "" : c->has_draft ? "~" : c->rationale ? "*" : "";

	if (c->state == ANNOT_VALUE)
		snprintf(buf, size, "%d%s", c->value, mark);
	else if (c->state == ANNOT_NA)
		snprintf(buf, size, "N/A%s", mark);
	else
		snprintf(buf, size, "\u00b7%s", mark);
}

static attr_t cell_attr(struct wb *w, const struct annot_cell *c)
{
	return c->state == ANNOT_VALUE ? w->at.value : c->state == ANNOT_NA ? w->at.na : w->at.empty;
}

static int same_cell(const struct annot_cell *x, const struct annot_cell *y)
{
	return x->state == y->state && (x->state != ANNOT_VALUE || x->value == y->value);
}

/* Text centred in width columns at (y, x). */
static void centre(struct wb *w, int y, int x, int width, const char *s, attr_t attr)
{
	int n = str_cols(s), pad = (width - n) / 2;

	if (pad < 0)
		pad = 0;
	put(w, y, x + pad, width - pad, s, attr);
}

static int matrix_width(struct wb *w, int compare, int *lw, int *cw)
{
	struct annot *a = w->a;
	int n = a->p.ncomp ? (int)a->p.ncomp : 1;

	*lw = COLS >= WB_WIDE_COLS ? 24 : 16;
	*cw = compare ? 10 : 6;
	if (*lw + n * *cw > COLS - 1) {
		*lw = 12;
		*cw = (COLS - 1 - *lw) / n;
	}
	return *lw + n * *cw;
}

static void draw_matrix(struct wb *w, const struct layout *L, int compare, int *mw)
{
	struct annot *a = w->a;
	struct sbuf sb = SBUF_INIT;
	int lw, cw, y = L->matrix_y;
	size_t i, k;
	char buf[32], lbuf[32];

	*mw = matrix_width(w, compare, &lw, &cw);
	fill(y, 0, *mw, w->at.title);
	put(w, y, 1, lw - 1, compare ? "you \u2502 LLM" : "", w->at.dim);
	for (i = 0; i < a->p.ncomp; i++) {
		snprintf(buf, sizeof(buf), "%c", letter(i));
		centre(w, y, lw + (int)i * cw, cw, buf, i == a->ccomp ? w->at.sel | A_BOLD : w->at.title);
	}
	for (k = 0; k < a->naspects; k++) {
		y = L->matrix_y + 1 + (int)k;
		sbuf_reset(&sb);
		aspect_label(a->aspect[k], &sb);
		put(w, y, 1, lw - 2, sb.buf, k == a->casp ? A_BOLD : A_NORMAL);
		for (i = 0; i < a->p.ncomp; i++) {
			const struct annot_cell *c = &a->p.comp[i].cell[k];
			int x = lw + (int)i * cw, cur = i == a->ccomp && k == a->casp;

			cell_text(c, buf, sizeof(buf), 1);
			if (cur)
				fill(y, x, cw, w->at.cursor);
			if (!compare) {
				centre(w, y, x, cw, buf, cur ? w->at.cursor : cell_attr(w, c));
				continue;
			}
			{
				const struct annot_cell *l = a->p.comp[i].llm ? &a->p.comp[i].llm[k] : NULL;
				int half = cw / 2;

				put(w, y, x + half - 1 - str_cols(buf), str_cols(buf), buf,
				    cur ? w->at.cursor : cell_attr(w, c));
				put(w, y, x + half - 1, 1, "\u2502", cur ? w->at.cursor : w->at.dim);
				if (l) {
					cell_text(l, lbuf, sizeof(lbuf), 0);
					put(w, y, x + half + 1, cw - half - 1, lbuf,
					    cur ? w->at.cursor
						: same_cell(c, l) ? w->at.same : w->at.diff);
				}
			}
		}
	}
	/* the critique scores */
	y = L->matrix_y + 1 + (int)a->naspects;
	put(w, y, 1, lw - 2, "Critique /10", w->at.dim);
	for (i = 0; i < a->p.ncomp; i++) {
		const struct annot_crit *c = &a->p.comp[i].crit;
		int x = lw + (int)i * cw;

		if (c->has_score)
			fmt_score(buf, sizeof(buf), c->score);
		else
			snprintf(buf, sizeof(buf), c->text ? "\u2713" : "\u00b7");
		if (c->has_draft)
			strcat(buf, "~");
		if (!compare) {
			centre(w, y, x, cw, buf, c->has_score ? w->at.value : w->at.empty);
		} else {
			const struct annot_crit *l = &a->p.comp[i].llm_crit;
			int half = cw / 2;

			put(w, y, x + half - 1 - str_cols(buf), str_cols(buf), buf,
			    c->has_score ? w->at.value : w->at.empty);
			put(w, y, x + half - 1, 1, "\u2502", w->at.dim);
			if (l->has_score) {
				fmt_score(lbuf, sizeof(lbuf), l->score);
				put(w, y, x + half + 1, cw - half - 1, lbuf,
				    c->has_score && c->score == l->score ? w->at.same : w->at.diff);
			}
		}
	}
	sbuf_release(&sb);
}

/* "4: Almost there: minor deviations." */
static void value_line(const struct rubric *r, const struct annot_cell *c, struct sbuf *sb)
{
	const char *lv;

	if (c->state == ANNOT_NA) {
		sbuf_adds(sb, "N/A");
		return;
	}
	if (c->state == ANNOT_EMPTY) {
		sbuf_addf(sb, "not rated (%d-%d%s)", r->min, r->max, r->allow_na ? ", or N/A" : "");
		return;
	}
	sbuf_addf(sb, "%d", c->value);
	lv = rubric_level(r, c->value);
	if (lv)
		sbuf_addf(sb, " \u00b7 %s", lv);
}

/* ["1","3"] -> "1, 3"; [] -> "none". */
static void types_line(const char *json, struct sbuf *sb)
{
	const char *p;
	int n = 0;

	if (!json) {
		sbuf_adds(sb, "not set");
		return;
	}
	for (p = json; *p; p++) {
		if (*p == '"') {
			const char *e = strchr(p + 1, '"');

			if (!e)
				break;
			sbuf_addf(sb, "%s%.*s", n++ ? ", " : "", (int)(e - p - 1), p + 1);
			p = e;
		}
	}
	if (!n)
		sbuf_adds(sb, "none");
}

static void draw_detail(struct wb *w, const struct layout *L, int compare, int x)
{
	struct annot *a = w->a;
	const struct rubric *r;
	const struct annot_cell *c, *l = NULL;
	struct sbuf sb = SBUF_INIT;
	int width = L->cols - x - 1, y = L->matrix_y, ymax = L->matrix_y + L->matrix_h;
	char k[32];

	if (width < 16 || !a->p.ncomp || !a->naspects)
		return;
	r = a->aspect[a->casp];
	c = &a->p.comp[a->ccomp].cell[a->casp];
	if (compare && a->p.comp[a->ccomp].llm)
		l = &a->p.comp[a->ccomp].llm[a->casp];
	for (int row = y; row < ymax; row++)
		mvwaddstr(stdscr, row, x - 1, "\u2502");
	aspect_label(r, &sb);
	sbuf_addf(&sb, " \u00b7 %c", letter(a->ccomp));
	y = para(w, y, ymax, x, width, 1, sb.buf, w->at.title);
	sbuf_reset(&sb);
	sbuf_adds(&sb, "you: ");
	value_line(r, c, &sb);
	if (r->ntypes) {
		sbuf_adds(&sb, " \u00b7 types ");
		types_line(c->types, &sb);
	}
	y = para(w, y, ymax, x, width, compare ? 1 : 2, sb.buf, A_NORMAL);
	sbuf_reset(&sb);
	if (c->rationale)
		sbuf_addf(&sb, "your rationale: %s", c->rationale);
	else if (c->has_draft)
		sbuf_addf(&sb, "an unsaved draft is waiting: %s opens it",
			  wb_key_of(w, KEYS_OP_RATIONALE, k, sizeof(k)));
	else
		sbuf_addf(&sb, "no rationale (%s writes one)",
			  wb_key_of(w, KEYS_OP_RATIONALE, k, sizeof(k)));
	y = para(w, y, ymax, x, width, l ? 1 : ymax - y, sb.buf, c->rationale ? A_NORMAL : w->at.dim);
	if (!l)
		goto out;
	sbuf_reset(&sb);
	sbuf_addf(&sb, "%s: ", a->p.llm_name);
	value_line(r, l, &sb);
	if (r->ntypes) {
		sbuf_adds(&sb, " \u00b7 types ");
		types_line(l->types, &sb);
	}
	y = para(w, y, ymax, x, width, 1, sb.buf, same_cell(c, l) ? A_NORMAL : w->at.diff);
	sbuf_reset(&sb);
	if (l->rationale2 || l->rationale)
		sbuf_addf(&sb, "its rationale: %s%s%s", l->rationale2 ? l->rationale2 : "",
			  l->rationale2 && l->rationale ? " / " : "", l->rationale ? l->rationale : "");
	para(w, y, ymax, x, width, ymax - y, sb.buf, A_NORMAL);
out:
	sbuf_release(&sb);
}

/* ---- the status line ---- */

static void fmt_time(int64_t ms, char *buf, size_t size)
{
	long s = (long)(ms / 1000);

	if (s >= 3600)
		snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

static const char *line_label(int kind)
{
	switch (kind) {
	case WB_LINE_GOTO:
		return "Go to prompt id: ";
	case WB_LINE_SEARCH:
		return "Search (PCRE2; empty: the whole queue) /";
	case WB_LINE_FLAG:
		return "Flag reason: ";
	case WB_LINE_SKIP:
		return "Skip reason: ";
	case WB_LINE_TYPES:
		return "Type ids (e.g. 1 3; empty: none): ";
	case WB_LINE_SCORE:
		return "Overall score 1-10 (halves allowed; empty: none): ";
	}
	return "";
}

static void draw_line_question(struct wb *w, const struct layout *L)
{
	const char *label = line_label(w->line_kind);
	int lx = str_cols(label), width = L->cols - lx - 1, col, off;
	struct text *t;
	size_t line, i = 0;

	fill(L->status_y, 0, L->cols, A_NORMAL);
	put(w, L->status_y, 0, lx, label, A_BOLD);
	t = editor_view(&w->line, 1 << 20);
	editor_cursor(&w->line, 1 << 20, &line, &col);
	/* keep the cursor in view: scroll the line left */
	off = col > width - 1 ? col - (width - 1) : 0;
	{
		int c = 0;

		while (i < t->n && c < off)
			c += t->ch[i++].width;
		while (i < t->n && t->ch[i].width == 0)
			i++;
		term_draw(stdscr, L->status_y, lx, width, t, i, t->n, A_NORMAL, w->at.ph);
		wmove(stdscr, L->status_y, lx + col - c);
	}
}

static void draw_status(struct wb *w, const struct layout *L)
{
	struct annot *a = w->a;
	struct sbuf pos = SBUF_INIT, left = SBUF_INIT, right = SBUF_INIT;
	size_t done = annot_nfinished(a), i, fillc;
	const char *say = w->msg[0] ? w->msg : w->save;
	char t[32], k[32];
	int x, rw;

	if (w->mode == WB_LINE) {
		draw_line_question(w, L);
		return;
	}
	fill(L->status_y, 0, L->cols, w->at.bar);
	sbuf_addf(&pos, " %s \u2502 %zu of %zu ", a->rater, a->nq ? a->pos + 1 : 0, a->nq);
	sbuf_adds(&left, pos.buf);
	fillc = a->nq ? (done * 8 + a->nq - 1) / a->nq : 0;
	if (fillc > 8 || done == a->nq)
		fillc = a->nq ? 8 : 0;
	for (i = 0; i < 8; i++)
		sbuf_adds(&left, i < fillc ? "\u2588" : "\u2591");
	fmt_time(annot_active_ms(a), t, sizeof(t));
	sbuf_addf(&left, " \u2502 time %s \u2502 ", t);
	sbuf_addf(&right, " %s help ", wb_key_of(w, KEYS_OP_HELP, k, sizeof(k)));
	rw = str_cols(right.buf);
	/* a long message takes the room of the progress bar and the time */
	if (str_cols(left.buf) + str_cols(say) + rw > L->cols) {
		sbuf_reset(&left);
		sbuf_addf(&left, "%s\u2502 ", pos.buf);
	}
	x = put(w, L->status_y, 0, L->cols, left.buf, w->at.bar);
	put(w, L->status_y, x, L->cols - x - rw, say,
	    w->msg[0] && w->msg_error ? w->at.bar | A_BOLD : w->at.bar);
	put(w, L->status_y, L->cols - rw, rw, right.buf, w->at.bar | A_BOLD);
	sbuf_release(&pos);
	sbuf_release(&left);
	sbuf_release(&right);
}

/* ---- other screens ---- */

static void help_text(struct wb *w, struct sbuf *sb)
{
	struct annot *a = w->a;
	const struct rubric *r = a->naspects ? a->aspect[a->loaded ? a->casp : 0] : NULL;
	char k1[32], k2[32], k3[32], k4[32];
	char *conf = keys_config_path();
	int v;
	size_t i;

	sbuf_adds(sb, "Rate every completion (A, B, ...) on every aspect. A digit rates the cursor "
		      "cell and moves to the next one; every change is saved the moment you make it.\n\n");
	if (r) {
		sbuf_addf(sb, "THE ASPECT UNDER THE CURSOR: %s (%s)\n", r->title ? r->title : r->name,
			  r->name);
		sbuf_addf(sb, "  scale %d to %d%s\n", r->min, r->max,
			  r->allow_na ? "; N/A where it does not apply" : "; no N/A");
		for (v = r->min; v <= r->max; v++) {
			const char *lv = rubric_level(r, v);

			sbuf_addf(sb, "  %d  %s\n", v, lv ? lv : "");
		}
		if (r->ntypes) {
			sbuf_addf(sb, "  type ids (%s):\n", wb_key_of(w, KEYS_OP_TYPE_IDS, k1, sizeof(k1)));
			for (i = 0; i < r->ntypes; i++)
				sbuf_addf(sb, "  %s  %s\n", r->types[i].id, r->types[i].text);
		}
		sbuf_adds(sb, "\n");
	}
	sbuf_addf(sb, "KEYS (remap them in %s)\n", conf ? conf : "keys.conf");
	free(conf);
	keys_help(&w->keys, sb);
	sbuf_addf(sb, "\nHOW IT WORKS\n"
		      "  Writing: Enter makes a new line, %s saves, %s drops the changes; what you type "
		      "is kept as a draft every few seconds. A question on the status line: Enter "
		      "accepts, Esc cancels.\n"
		      "  Blind first: the completions are shuffled for you and the LLM's ratings stay "
		      "hidden until every cell of the prompt is rated; then %s shows them beside "
		      "yours, differences highlighted.\n"
		      "  %s quits at any moment; you come back to where you stopped.\n"
		      "  Queues: --queue todo (default), all, flagged, mine, conflict (the prompts "
		      "whose aspects disagree most, first); --dataset, --source.\n",
		  wb_ctl_key_of(w, KEYS_OP_EDIT_DONE, k1, sizeof(k1)),
		  wb_ctl_key_of(w, KEYS_OP_EDIT_CANCEL, k2, sizeof(k2)),
		  wb_key_of(w, KEYS_OP_TOGGLE_LLM, k3, sizeof(k3)),
		  wb_key_of(w, KEYS_OP_QUIT, k4, sizeof(k4)));
}

/*
 * Where the text of a page line starts after its label: "  1  Irrelevant..."
 * and "  x Delete  Clear..." hang at the text after the two spaces; other
 * lines at their indentation.  Returns the label's length in bytes.
 */
static size_t page_label(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && line[i] == ' ')
		i++;
	for (; i + 1 < len; i++)
		if (line[i] != ' ' && line[i + 1] == ' ' && i + 2 < len && line[i + 2] == ' ') {
			i++;
			while (i < len && line[i] == ' ')
				i++;
			return i < len ? i : 0;
		}
	i = 0;
	while (i < len && line[i] == ' ')
		i++;
	return i < len ? i : 0;
}

/*
 * Draw (or, with draw 0, count) the rows of a page from row top, at most h
 * rows from y: each line of body wraps with its continuation lines under
 * the text after its label.  Returns the number of rows of the whole page.
 */
static int page_rows(struct wb *w, const char *body, int top, int y, int h, int width, int draw)
{
	struct text label, t;
	const char *p = body;
	int row = 0;

	text_init(&label);
	text_init(&t);
	while (*p) {
		size_t len = strcspn(p, "\n"), lab = page_label(p, len);
		int hang, n, i;

		text_set(&label, p, lab);
		hang = text_cols(&label, 0, label.n);
		if (hang > width / 2) {
			lab = 0;
			hang = 0;
			text_set(&label, p, 0);
		}
		text_set(&t, p + lab, len - lab);
		n = (int)text_wrap(&t, width - hang);
		if (n == 0)
			n = 1;
		for (i = 0; i < n; i++, row++) {
			if (!draw || row < top || row >= top + h)
				continue;
			if (i == 0 && label.n)
				term_draw(stdscr, y + row - top, 1, hang, &label, 0, label.n, A_NORMAL,
					  w->at.ph);
			if ((size_t)i < t.nlines)
				term_draw(stdscr, y + row - top, 1 + hang, width - hang, &t,
					  t.line[i].start, t.line[i].end, A_NORMAL, w->at.ph);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	text_release(&label);
	text_release(&t);
	return row;
}

static void draw_page(struct wb *w, const char *title, const char *body, int *top)
{
	int n, h = LINES - 1;

	fill(0, 0, COLS, w->at.bar);
	put(w, 0, 0, COLS, title, w->at.bar);
	n = page_rows(w, body, 0, 1, h, COLS - 2, 0);
	if (*top > n - h)
		*top = n - h;
	if (*top < 0)
		*top = 0;
	page_rows(w, body, *top, 1, h, COLS - 2, 1);
}

static void draw_help(struct wb *w)
{
	struct sbuf sb = SBUF_INIT;

	help_text(w, &sb);
	draw_page(w, " Help \u00b7 Up/Down PgUp/PgDn scroll \u00b7 any other key closes", sb.buf,
		  &w->help_top);
	sbuf_release(&sb);
}

static void draw_stats(struct wb *w)
{
	struct sbuf sb = SBUF_INIT;
	const struct annot_stats *s = &w->stats;
	char t1[32], t2[32];
	int top = 0;

	fmt_time(s->active_ms, t1, sizeof(t1));
	fmt_time(s->prompts_finished ? s->finished_active_ms / s->prompts_finished : 0, t2,
		 sizeof(t2));
	sbuf_addf(&sb,
		  "Rater %s, over the whole database:\n\n"
		  "  prompts finished   %ld (of %ld opened)\n"
		  "  values given       %ld\n"
		  "  rationales         %ld\n"
		  "  critiques          %ld\n"
		  "  active time        %s\n"
		  "  per finished prompt %s on average\n\n"
		  "This queue (%s): %zu prompts, %zu finished.\n",
		  w->a->rater, s->prompts_finished, s->prompts_touched, s->values, s->rationales,
		  s->critiques, t1, t2, w->a->queue->name, w->a->nq, annot_nfinished(w->a));
	draw_page(w, " Your totals \u00b7 any key closes", sb.buf, &top);
	sbuf_release(&sb);
}

static void draw_too_small(struct wb *w)
{
	char buf[96], k[32];
	int y = LINES / 2 - 1;

	snprintf(buf, sizeof(buf), "The terminal is %dx%d: too small.", COLS, LINES);
	centre(w, y < 0 ? 0 : y, 0, COLS, buf, A_BOLD);
	snprintf(buf, sizeof(buf), "The workbench needs at least %dx%d.", WB_MIN_COLS,
		 WB_MIN_LINES);
	if (y + 1 < LINES)
		centre(w, y + 1, 0, COLS, buf, A_NORMAL);
	snprintf(buf, sizeof(buf), "Enlarge it, or press %s to quit (all is saved).",
		 wb_key_of(w, KEYS_OP_QUIT, k, sizeof(k)));
	if (y + 2 < LINES)
		centre(w, y + 2, 0, COLS, buf, A_NORMAL);
}

int wb_big_enough(void)
{
	return COLS >= WB_MIN_COLS && LINES >= WB_MIN_LINES;
}

/* ---- the whole screen ---- */

void wb_draw(struct wb *w)
{
	struct annot *a = w->a;
	struct layout L;
	int compare, mw = 0, cursor = 0;

	werase(stdscr);
	if (!wb_big_enough()) {
		curs_set(0);
		draw_too_small(w);
		wnoutrefresh(stdscr);
		return;
	}
	if (w->mode == WB_HELP) {
		curs_set(0);
		draw_help(w);
		wnoutrefresh(stdscr);
		return;
	}
	if (w->mode == WB_STATS) {
		curs_set(0);
		draw_stats(w);
		wnoutrefresh(stdscr);
		return;
	}
	if (w->mode == WB_AUDIT) {
		curs_set(0);
		wb_audit_draw(w);
		wnoutrefresh(stdscr);
		return;
	}
	refresh_cache(w);
	layout(w, &L);
	draw_header(w, &L);
	if (!a->loaded) {
		para(w, 2, L.status_y, 2, COLS - 4, 6,
		     a->search ? "No prompt matches." :
				 "This queue is empty: nothing to rate here. Try another queue "
				 "(--queue all, flagged, mine) or import data (feedbench import).",
		     A_NORMAL);
		draw_status(w, &L);
		curs_set(w->mode == WB_LINE);
		wnoutrefresh(stdscr);
		return;
	}
	draw_prompt(w, &L);
	if (L.wide)
		draw_grid(w, &L);
	else {
		draw_tabs(w, &L);
		draw_single(w, &L);
	}
	compare = w->show_llm && annot_llm_ready(a);
	draw_matrix(w, &L, compare, &mw);
	draw_detail(w, &L, compare, mw + 2);
	draw_status(w, &L);
	if (w->mode == WB_EDIT) {
		draw_editor(w, &L); /* last: it leaves the cursor in the text */
		cursor = 1;
	} else if (w->mode == WB_LINE) {
		draw_line_question(w, &L);
		cursor = 1;
	}
	curs_set(cursor);
	wnoutrefresh(stdscr);
}
