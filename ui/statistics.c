/*
 * statistics.c - the workbench's statistics screen (the "statistics" key):
 * for the session's selection (--dataset, --source),
 *
 *   CONFLICT BETWEEN ASPECTS  the conflict rate of every pair of aspects as
 *                             a grid of coloured cells, and the conflict
 *                             figures beside it: from the current rater's
 *                             ratings, or the LLM judge's while the rater
 *                             has not rated two completions of a prompt
 *                             here (as the conflict queue does)
 *   RATINGS                   a histogram per aspect: a column of bars per rater
 *   AGREEMENT                 per aspect, the current rater against the LLM
 *                             judge: exact, within-1, kappa (quadratic and
 *                             unweighted), the confusion matrix as a heat map
 *
 * The figures are computed by a worker thread with its own connection
 * (src/statjob.h): opening the screen asks for them and shows
 * "computing..." until they come; keys work all the while.  They are kept
 * for the next opening as long as the rater changed nothing (annot.changes);
 * an answer for an older version or another selection is discarded.
 *
 * Layout: a page that scrolls, one section under the other; in a section,
 * panels flow left to right as many as fit (one per aspect), so that 80
 * columns show one or two and 200 columns a whole section in a row.
 * Colours come from a five-step ramp (wb_attrs.ramp); in monochrome (or
 * NO_COLOR) every cell still prints its number, the top steps in bold and
 * reverse video.
 */
#include "wb.h"

#include "term.h"

#include <stdlib.h>
#include <string.h>

#define GAP 3          /* columns between panels */
#define CONFLICT_CW 7  /* a conflict grid cell: " 0.303 " */
#define FIGURES_W 46   /* the conflict figures beside the grid */
#define AGREE_MIN_W 36 /* an agreement panel, at least */
#define BAR_MIN 8      /* histogram bars, in columns */
#define BAR_MAX 20

/* The page being measured (dry) or drawn, and the panel being drawn in it. */
struct view {
	struct wb *w;
	int dry;      /* only count rows */
	int top;      /* the first page row on the screen */
	int y0, h;    /* screen rows y0 .. y0 + h - 1 show the page */
	int width;    /* page columns (the screen's, less a margin each side) */
	int px, pw;   /* the panel: its first page column and width */
};

/* ---- drawing, clipped to the screen and the panel ---- */

static int screen_row(const struct view *v, int row)
{
	int y = row - v->top;

	return v->dry || y < 0 || y >= v->h ? -1 : v->y0 + y;
}

/* s at panel column x, at most width columns (and never past the panel); returns columns drawn. */
static int put(struct view *v, int row, int x, int width, const char *s, attr_t attr)
{
	int y = screen_row(v, row);

	if (x < 0 || x >= v->pw)
		return 0;
	if (width > v->pw - x)
		width = v->pw - x;
	if (y < 0 || width <= 0)
		return 0;
	return term_draw_str(stdscr, y, 1 + v->px + x, width, s, attr, v->w->at.ph);
}

static void paint(struct view *v, int row, int x, int width, attr_t attr)
{
	int y = screen_row(v, row);

	if (x < 0 || x >= v->pw)
		return;
	if (width > v->pw - x)
		width = v->pw - x;
	if (y < 0 || width <= 0)
		return;
	wattrset(stdscr, attr);
	mvwhline(stdscr, y, 1 + v->px + x, ' ', width);
	wattrset(stdscr, A_NORMAL);
}

/* Columns s takes (sanitised as it would be drawn). */
static int cols(const char *s)
{
	struct sbuf sb = SBUF_INIT;
	int n = text_ellipsize(&sb, s, 1 << 20);

	sbuf_release(&sb);
	return n;
}

static void put_right(struct view *v, int row, int x, int width, const char *s, attr_t attr)
{
	int n = cols(s);

	if (n > width)
		n = width;
	put(v, row, x + width - n, n, s, attr);
}

static void put_centre(struct view *v, int row, int x, int width, const char *s, attr_t attr)
{
	int n = cols(s), pad = (width - n) / 2;

	put(v, row, x + (pad > 0 ? pad : 0), width - (pad > 0 ? pad : 0), s, attr);
}

/* The whole page width for one row (headings, notes). */
static void whole_row(struct view *v)
{
	v->px = 0;
	v->pw = v->width;
}

/*
 * Panels 0..n-1 between minw and maxw columns wide, left to right as many
 * as fit in a row, a blank row between rows.  fn draws panel i at (row,
 * v->px) within v->pw columns and returns its height.  Returns the next
 * free row.
 */
typedef int (*panel_fn)(struct view *v, int row, size_t i);

static int flow(struct view *v, int row, size_t n, int minw, int maxw, panel_fn fn)
{
	int per = (v->width + GAP) / (minw + GAP), pw;
	size_t i;

	if (per < 1)
		per = 1;
	if ((size_t)per > n)
		per = (int)(n ? n : 1);
	pw = (v->width - GAP * (per - 1)) / per;
	if (pw > maxw)
		pw = maxw;
	for (i = 0; i < n; i += (size_t)per) {
		int hmax = 0, k;

		if (i)
			row++;
		for (k = 0; k < per && i + (size_t)k < n; k++) {
			int h;

			v->px = k * (pw + GAP);
			v->pw = pw < v->width ? pw : v->width;
			h = fn(v, row, i + (size_t)k);
			if (h > hmax)
				hmax = h;
		}
		row += hmax;
	}
	whole_row(v);
	return row;
}

/* The step of the ramp for x in [0, 1]: tenths, the last step from 0.4 on. */
static int rate_step(double x)
{
	int s = (int)(x * 10.0);

	return s < 0 ? 0 : s >= WB_RAMP ? WB_RAMP - 1 : s;
}

/* The step for a count of at most max (> 0): fifths of max. */
static int count_step(size_t count, size_t max)
{
	size_t s = max ? (count * WB_RAMP - 1) / max : 0;

	return s >= WB_RAMP ? WB_RAMP - 1 : (int)s;
}

static int digits(size_t n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* ---- the sections ---- */

static const struct statjob_result *figures(const struct view *v)
{
	return v->w->audit;
}

static int conflict_grid(struct view *v, int row, const struct conflict_result *c)
{
	const struct wb_attrs *at = &v->w->at;
	size_t n = c->naspects, i, j, k;
	int lw = 0, r = row;
	char buf[32];

	if (n < 2) {
		put(v, r++, 0, v->pw, "only one aspect rated: no pair of aspects to compare", at->dim);
		return r - row;
	}
	for (i = 0; i < n; i++)
		if (cols(c->aspects[i]) > lw)
			lw = cols(c->aspects[i]);
	lw = (lw > 22 ? 22 : lw) + 1;
	for (j = 0; j < n; j++) {
		snprintf(buf, sizeof(buf), "%.*s", CONFLICT_CW - 1, c->aspects[j]);
		put_centre(v, r, lw + (int)j * CONFLICT_CW, CONFLICT_CW, buf, at->title);
	}
	r++;
	for (i = 0; i < n; i++, r++) {
		put(v, r, 0, lw - 1, c->aspects[i], A_NORMAL);
		for (j = 0; j < n; j++) {
			int x = lw + (int)j * CONFLICT_CW;
			const struct figure *f = NULL;
			size_t a = i < j ? i : j, b = i < j ? j : i;
			attr_t attr;

			if (i == j) {
				put_centre(v, r, x, CONFLICT_CW, "\u00b7", at->dim);
				continue;
			}
			for (k = 0; k < c->ncells; k++)
				if (c->matrix[k].a == a && c->matrix[k].b == b)
					f = &c->matrix[k].conflict_rate;
			if (!f || !f->ok) {
				put_centre(v, r, x, CONFLICT_CW, "-", at->dim);
				continue;
			}
			attr = at->ramp[rate_step(f->v)];
			paint(v, r, x, CONFLICT_CW, attr);
			put_centre(v, r, x, CONFLICT_CW, figure_fmt(buf, f, 3, 0), attr);
		}
	}
	/* the legend: the ramp's steps */
	{
		static const char *const steps[WB_RAMP] = {"<0.1", "0.1", "0.2", "0.3", "\u22650.4"};
		int x = put(v, r, 0, v->pw, "colour: ", at->dim);

		for (k = 0; k < WB_RAMP; k++) {
			snprintf(buf, sizeof(buf), " %s ", steps[k]);
			x += put(v, r, x, v->pw - x, buf, at->ramp[k]);
			x += put(v, r, x, 1, " ", A_NORMAL);
		}
	}
	r++;
	return r - row;
}

static int conflict_width(const struct conflict_result *c)
{
	int lw = 0;
	size_t i;

	if (c->naspects < 2)
		return 52;
	for (i = 0; i < c->naspects; i++)
		if (cols(c->aspects[i]) > lw)
			lw = cols(c->aspects[i]);
	return (lw > 22 ? 22 : lw) + 1 + (int)c->naspects * CONFLICT_CW;
}

static void figure_line(struct view *v, int row, const char *label, const char *value)
{
	put(v, row, 0, 22, label, A_NORMAL);
	put(v, row, 22, v->pw - 22, value, A_BOLD);
}

static int conflict_figures(struct view *v, int row, const struct conflict_result *c)
{
	char b1[32], line[128];
	int r = row;

	snprintf(line, sizeof(line), "%zu in %zu prompts", c->pairs, c->prompts);
	figure_line(v, r++, "completion pairs", line);
	snprintf(line, sizeof(line), "%s of %zu decisive pairs",
		 figure_fmt(b1, &c->pareto_incomparable, 3, 0), c->decisive_pairs);
	figure_line(v, r++, "Pareto-incomparable", line);
	figure_line(v, r++, "per-prompt mean", figure_fmt(b1, &c->per_prompt_mean, 3, 0));
	figure_line(v, r++, "prompts with conflict", figure_fmt(b1, &c->prompts_with_conflict, 3, 0));
	snprintf(line, sizeof(line), "%s of %zu prompts",
		 figure_fmt(b1, &c->winner_disagreement, 3, 0), c->winner_prompts);
	figure_line(v, r++, "winner disagreement", line);
	put(v, r++, 0, v->pw, "--queue conflict: these prompts, most conflicted first",
	    v->w->at.dim);
	return r - row;
}

static int section_conflict(struct view *v, int row)
{
	const struct statjob_result *res = figures(v);
	const struct audit_summary *s = res->s;
	const struct conflict_result *c;
	const char *whose;
	struct sbuf sb = SBUF_INIT;
	int gw, h1, h2;

	c = statjob_conflict(res, &whose);
	whole_row(v);
	sbuf_adds(&sb, "CONFLICT BETWEEN ASPECTS");
	if (c) {
		sbuf_addf(&sb, " \u00b7 %s's ratings", whose);
		if (strcmp(whose, s->rater))
			sbuf_adds(&sb, " (you have none here yet)");
		sbuf_addf(&sb, " \u00b7 margin %g", c->min_margin);
	}
	put(v, row++, 0, v->width, sbuf_str(&sb), v->w->at.title);
	sbuf_release(&sb);
	if (!c) {
		put(v, row++, 0, v->width,
		    s->llm ? "Nothing rated on two completions of a prompt yet: no conflict to show."
			   : "No ratings of yours here yet, and no LLM judge: no conflict to show.",
		    v->w->at.dim);
		return row;
	}
	put(v, row++, 0, v->width,
	    "conflict rate D/(C+D): pairs decided oppositely, of those both aspects decide",
	    v->w->at.dim);
	gw = conflict_width(c);
	v->px = 0;
	v->pw = gw < v->width ? gw : v->width;
	h1 = conflict_grid(v, row, c);
	if (gw + GAP + FIGURES_W <= v->width) {
		v->px = gw + GAP;
		v->pw = v->width - v->px;
		h2 = conflict_figures(v, row, c);
		row += h1 > h2 ? h1 : h2;
	} else {
		row += h1 + 1;
		whole_row(v);
		row += conflict_figures(v, row, c);
	}
	whole_row(v);
	return row;
}

/* The most ratings one value (or N/A) of aspect i has from rater r. */
static size_t hist_max(const struct audit_hist *h)
{
	size_t m = h->na;

	for (int val = h->min; val <= h->max; val++)
		if (h->count[val - h->min] > m)
			m = h->count[val - h->min];
	return m;
}

/*
 * Histogram panel of aspect i: rows are the scale's values (and N/A), a
 * column per rater: a bar to the scale of that rater's commonest value,
 * and the count.
 */
static int hist_panel(struct view *v, int row, size_t i)
{
	const struct audit_summary *s = figures(v)->s;
	const struct wb_attrs *at = &v->w->at;
	const struct audit_hist *h0 = &s->hist[i * s->nraters];
	size_t r, na = 0, maxc = 0;
	int lw = 4, cw, bw, rw, y = row, val;
	char buf[48];
	struct sbuf sb = SBUF_INIT;

	for (r = 0; r < s->nraters; r++) {
		const struct audit_hist *h = &s->hist[i * s->nraters + r];

		if (hist_max(h) > maxc)
			maxc = hist_max(h);
		na += h->na;
	}
	cw = digits(maxc) + 1;
	rw = s->nraters ? (v->pw - lw) / (int)s->nraters : 0;
	bw = rw - cw - 2;
	if (bw > BAR_MAX)
		bw = BAR_MAX;
	if (bw < 1)
		bw = 1;
	rw = bw + cw + 2;

	sbuf_addf(&sb, "%s", s->aspects[i]);
	put(v, y, 0, v->pw, sbuf_str(&sb), at->title);
	snprintf(buf, sizeof(buf), " %d-%d", h0->min, h0->max);
	put(v, y, cols(sbuf_str(&sb)), v->pw, buf, at->dim);
	sbuf_release(&sb);
	y++;
	for (r = 0; r < s->nraters; r++)
		put(v, y, lw + (int)r * rw, rw - 1, s->raters[r],
		    !strcmp(s->raters[r], s->rater) ? A_BOLD | A_UNDERLINE : A_NORMAL);
	y++;
	for (val = h0->min; val <= h0->max + (na ? 1 : 0); val++, y++) {
		int is_na = val > h0->max;

		if (is_na)
			put(v, y, 0, lw, "N/A", A_NORMAL);
		else {
			snprintf(buf, sizeof(buf), "%3d", val);
			put(v, y, 0, lw, buf, A_NORMAL);
		}
		for (r = 0; r < s->nraters; r++) {
			const struct audit_hist *h = &s->hist[i * s->nraters + r];
			size_t n = is_na ? h->na : h->count[val - h->min], top = hist_max(h);
			int x = lw + (int)r * rw;
			long eighths = top ? (long)((double)n / (double)top * bw * 8 + 0.5) : 0;
			struct sbuf bar = SBUF_INIT;
			static const char *const part[8] = {"",
				"\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589"};

			if (n && !eighths)
				eighths = 1;
			for (long e = 0; e + 8 <= eighths; e += 8)
				sbuf_adds(&bar, "\u2588");
			sbuf_adds(&bar, part[eighths % 8]);
			put(v, y, x, bw, sbuf_str(&bar),
			    !strcmp(s->raters[r], s->rater) ? at->value : at->na);
			sbuf_release(&bar);
			snprintf(buf, sizeof(buf), "%zu", n);
			put_right(v, y, x + bw, cw, buf, n ? A_NORMAL : at->dim);
		}
	}
	return y - row;
}

/* Room for the bars, and for the longest title ("instruction_following 1-5"). */
static int hist_min_width(const struct audit_summary *s)
{
	int w = 4 + (int)s->nraters * (BAR_MIN + 8);
	char buf[48];

	for (size_t i = 0; i < s->naspects; i++) {
		const struct audit_hist *h = &s->hist[i * s->nraters];
		int n = snprintf(buf, sizeof(buf), " %d-%d", h->min, h->max);

		if (cols(s->aspects[i]) + n > w)
			w = cols(s->aspects[i]) + n;
	}
	return w;
}

static int hist_max_width(const struct audit_summary *s)
{
	int w = 4 + (int)s->nraters * (BAR_MAX + 8);

	return w > hist_min_width(s) ? w : hist_min_width(s);
}

static int section_ratings(struct view *v, int row)
{
	const struct audit_summary *s = figures(v)->s;

	whole_row(v);
	put(v, row++, 0, v->width,
	    "RATINGS \u00b7 per aspect and rater, bars scaled to each rater's commonest value",
	    v->w->at.title);
	if (!s->naspects || !s->nraters) {
		put(v, row++, 0, v->width, "No ratings in this selection yet.", v->w->at.dim);
		return row;
	}
	return flow(v, row, s->naspects, hist_min_width(s), hist_max_width(s), hist_panel);
}

/* Columns of the confusion matrix's value labels and cells (see agree_panel). */
static void agree_columns(const struct agree_result *ar, const struct agree_pair *p, int *lw,
			  int *cw)
{
	size_t maxc = 0;

	for (size_t a = 0; a < ar->k * ar->k; a++)
		if (p->confusion[a] > maxc)
			maxc = p->confusion[a];
	*lw = digits((size_t)(ar->scale_max < 0 ? -ar->scale_max : ar->scale_max)) + 3;
	*cw = digits(maxc) + 2;
	if (*cw < 4)
		*cw = 4;
}

/* Agreement panel of aspect i: the figures, then the confusion matrix. */
static int agree_panel(struct view *v, int row, size_t i)
{
	const struct audit_summary *s = figures(v)->s;
	const struct wb_attrs *at = &v->w->at;
	const struct agree_result *ar = s->agree[i];
	const struct agree_pair *p = ar && ar->npairs ? &ar->pairs[0] : NULL;
	size_t k, a, b, maxc = 0;
	int y = row, lw, cw;
	char b1[32], b2[32], buf[96];

	put(v, y++, 0, v->pw, s->aspects[i], at->title);
	if (!p || !p->units) {
		put(v, y++, 0, v->pw, "no completion rated by both yet", at->dim);
		return y - row;
	}
	snprintf(buf, sizeof(buf), "n %zu  exact %s  within-1 %s", p->units,
		 figure_fmt(b1, &p->exact, 3, 0), figure_fmt(b2, &p->within1, 3, 0));
	put(v, y++, 0, v->pw, buf, A_NORMAL);
	snprintf(buf, sizeof(buf), "kappa: quadratic %s, plain %s",
		 figure_fmt(b1, &p->kappa_quadratic, 3, 0), figure_fmt(b2, &p->kappa, 3, 0));
	put(v, y++, 0, v->pw, buf, A_NORMAL);
	k = ar->k;
	for (a = 0; a < k * k; a++)
		if (p->confusion[a] > maxc)
			maxc = p->confusion[a];
	agree_columns(ar, p, &lw, &cw);
	for (b = 0; b < k; b++) {
		snprintf(buf, sizeof(buf), "%d", ar->scale_min + (int)b);
		put_right(v, y, lw + (int)b * cw, cw - 1, buf, at->dim);
	}
	y++;
	for (a = 0; a < k; a++, y++) {
		snprintf(buf, sizeof(buf), "%d", ar->scale_min + (int)a);
		put_right(v, y, 0, lw - 2, buf, at->dim);
		for (b = 0; b < k; b++) {
			size_t n = p->confusion[a * k + b];
			int x = lw + (int)b * cw;
			attr_t attr;

			if (!n) {
				put_right(v, y, x, cw, "\u00b7 ", at->dim);
				continue;
			}
			attr = at->ramp[count_step(n, maxc)] | (a == b ? A_BOLD : 0);
			paint(v, y, x, cw, attr);
			snprintf(buf, sizeof(buf), "%zu ", n);
			put_right(v, y, x, cw, buf, attr);
		}
	}
	return y - row;
}

static int agree_width(const struct audit_summary *s)
{
	int w = AGREE_MIN_W;

	for (size_t i = 0; i < s->naspects; i++) {
		const struct agree_result *ar = s->agree[i];
		int lw, cw;

		if (!ar || !ar->npairs)
			continue;
		agree_columns(ar, &ar->pairs[0], &lw, &cw);
		if (lw + (int)ar->k * cw > w)
			w = lw + (int)ar->k * cw;
	}
	return w;
}

static int section_agreement(struct view *v, int row)
{
	const struct audit_summary *s = figures(v)->s;
	struct sbuf sb = SBUF_INIT;

	whole_row(v);
	if (!s->llm) {
		put(v, row++, 0, v->width, "AGREEMENT WITH THE LLM JUDGE", v->w->at.title);
		put(v, row++, 0, v->width, "No LLM judge has rated this selection: nothing to compare with.",
		    v->w->at.dim);
		return row;
	}
	sbuf_addf(&sb, "AGREEMENT \u00b7 %s vs %s \u00b7 confusion: rows %s, columns %s", s->rater,
		  s->llm, s->rater, s->llm);
	put(v, row++, 0, v->width, sbuf_str(&sb), v->w->at.title);
	sbuf_release(&sb);
	if (!s->naspects) {
		put(v, row++, 0, v->width, "No ratings in this selection yet.", v->w->at.dim);
		return row;
	}
	return flow(v, row, s->naspects, agree_width(s), agree_width(s) + 8, agree_panel);
}

static void selection_text(const struct annot *a, struct sbuf *sb)
{
	if (a->dataset && a->source)
		sbuf_addf(sb, "data set %s, source %s", a->dataset, a->source);
	else if (a->dataset)
		sbuf_addf(sb, "data set %s", a->dataset);
	else if (a->source)
		sbuf_addf(sb, "source %s", a->source);
	else
		sbuf_adds(sb, "all prompts");
}

/* The page; returns its rows. */
static int page(struct view *v)
{
	const struct statjob_result *res = figures(v);
	const struct audit_summary *s = res->s;
	struct sbuf sb = SBUF_INIT;
	int row = 0;

	whole_row(v);
	sbuf_adds(&sb, "Selection: ");
	selection_text(v->w->a, &sb);
	sbuf_addf(&sb, " \u00b7 %zu prompts \u00b7 %zu completions", s->prompts, s->completions);
	put(v, row++, 0, v->width, sbuf_str(&sb), A_NORMAL);
	sbuf_reset(&sb);
	sbuf_addf(&sb, "You: %s \u00b7 LLM judge: %s", s->rater,
		  s->llm ? s->llm : "none (no LLM has rated anything)");
	put(v, row++, 0, v->width, sbuf_str(&sb), A_NORMAL);
	sbuf_release(&sb);
	row++;
	row = section_conflict(v, row) + 1;
	row = section_ratings(v, row) + 1;
	row = section_agreement(v, row);
	return row;
}

void wb_audit_draw(struct wb *w)
{
	const struct statjob_result *res = w->audit;
	struct view v;
	struct sbuf left = SBUF_INIT, right = SBUF_INIT;
	char k[32];
	int n, rw;

	memset(&v, 0, sizeof(v));
	v.w = w;
	v.y0 = 1;
	v.h = LINES - 1;
	v.width = COLS - 2;
	wattrset(stdscr, w->at.bar);
	mvwhline(stdscr, 0, 0, ' ', COLS);
	wattrset(stdscr, A_NORMAL);
	sbuf_addf(&left, " Statistics \u00b7 Up/Down PgUp/PgDn scroll \u00b7 Esc or %s closes",
		  wb_key_of(w, KEYS_OP_STATISTICS, k, sizeof(k)));
	if (!res || !res->s) {
		/* no figures yet (or none to be had): a word in the middle of the page */
		int y = v.h / 2 - 1;

		term_draw_str(stdscr, 0, 0, COLS, sbuf_str(&left), w->at.bar, w->at.ph);
		whole_row(&v);
		if (res) {
			put(&v, y, 0, v.width, "The statistics could not be computed:", w->at.error);
			put(&v, y + 1, 0, v.width, res->error, A_NORMAL);
		} else {
			selection_text(w->a, &right);
			put_centre(&v, y, 0, v.width, "computing...", A_BOLD);
			put_centre(&v, y + 1, 0, v.width, sbuf_str(&right), w->at.dim);
		}
		sbuf_release(&left);
		sbuf_release(&right);
		return;
	}
	v.dry = 1;
	n = page(&v);
	if (w->audit_top > n - v.h)
		w->audit_top = n - v.h;
	if (w->audit_top < 0)
		w->audit_top = 0;
	v.dry = 0;
	v.top = w->audit_top;
	page(&v);
	if (n > v.h)
		sbuf_addf(&right, "rows %d-%d of %d ", v.top + 1, v.top + v.h, n);
	rw = cols(sbuf_str(&right));
	term_draw_str(stdscr, 0, 0, COLS - rw - 1, sbuf_str(&left), w->at.bar, w->at.ph);
	if (rw)
		term_draw_str(stdscr, 0, COLS - rw, rw, sbuf_str(&right), w->at.bar, w->at.ph);
	sbuf_release(&left);
	sbuf_release(&right);
}

/* ---- opening, keys, the worker's answer ---- */

static int current(const struct wb *w, const struct statjob_result *r)
{
	const struct annot *a = w->a;

	return statjob_key_same(r, a->dataset, a->source, a->rater, a->changes);
}

void wb_audit_open(struct wb *w)
{
	struct annot *a = w->a;

	w->mode = WB_AUDIT;
	w->audit_top = 0;
	if (w->audit && w->audit->s && current(w, w->audit))
		return;
	statjob_result_free(w->audit);
	w->audit = NULL;
	if (w->audit_wait && w->audit_version == a->changes)
		return; /* asked for already */
	if (!w->job)
		w->job = statjob_open(a->db->path, a->db->rubrics, w->audit_delay_ms);
	statjob_request(w->job, a->dataset, a->source, a->rater, a->changes);
	w->audit_version = a->changes;
	w->audit_wait = 1;
}

int wb_audit_poll(struct wb *w)
{
	const struct annot *a = w->a;
	struct statjob_result *r = w->job ? statjob_take(w->job) : NULL;

	if (!r)
		return WB_SAME;
	if (!statjob_key_same(r, a->dataset, a->source, a->rater, w->audit_version)) {
		/* for a request made before the last one: its answer follows */
		statjob_result_free(r);
		return WB_SAME;
	}
	statjob_result_free(w->audit);
	w->audit = r;
	w->audit_wait = 0;
	return w->mode == WB_AUDIT ? WB_REDRAW : WB_SAME;
}

int wb_audit_key(struct wb *w, int key, int op)
{
	int page_rows = LINES - 2 > 1 ? LINES - 2 : 1;

	if (key == 0x1B || op == KEYS_OP_QUIT || op == KEYS_OP_STATISTICS) {
		w->mode = WB_MAIN;
		return WB_REDRAW;
	}
	if (op == KEYS_OP_DOWN || key == KEYS_DOWN)
		w->audit_top++;
	else if (op == KEYS_OP_UP || key == KEYS_UP)
		w->audit_top--;
	else if (op == KEYS_OP_SCROLL_DOWN || key == KEYS_PGDN || key == ' ')
		w->audit_top += page_rows;
	else if (op == KEYS_OP_SCROLL_UP || key == KEYS_PGUP)
		w->audit_top -= page_rows;
	else if (key == KEYS_HOME)
		w->audit_top = 0;
	else if (key == KEYS_END)
		w->audit_top = 1 << 20;
	else
		return WB_SAME;
	return WB_REDRAW;
}

void wb_audit_release(struct wb *w)
{
	statjob_close(w->job);
	w->job = NULL;
	statjob_result_free(w->audit);
	w->audit = NULL;
	w->audit_wait = 0;
}
