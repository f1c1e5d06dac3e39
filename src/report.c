/*
 * report.c - `feedbench report`: one self-contained HTML file of the
 * selection's agreement and conflict figures.
 *
 * The page carries everything it shows: CSS in a <style> element, charts
 * as inline SVG, no script and no external reference of any kind, so it
 * opens offline and survives being mailed.  Every piece of data text (rater,
 * aspect, source and data set names) goes through html_text(); numbers are
 * formatted here.  The file is written to a temporary name and renamed into
 * place when complete (export_file_*).
 *
 * Layout: summary (counts, data sets, sources, raters, aspects, rating
 * histograms), agreement per aspect (alpha, Fleiss, pair table, confusion
 * heat maps), conflict per rater (figures, conflict and directional heat
 * maps, per-prompt histogram, adc_proxy accuracy), the raters side by
 * side, per-source breakdowns, and the definitions.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "export.h"

/* ---- HTML text ------------------------------------------------------------------- */

/* Append s escaped for HTML text and attribute values. */
static void html_text(struct sbuf *h, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		switch (*s) {
		case '&':
			sbuf_adds(h, "&amp;");
			break;
		case '<':
			sbuf_adds(h, "&lt;");
			break;
		case '>':
			sbuf_adds(h, "&gt;");
			break;
		case '"':
			sbuf_adds(h, "&quot;");
			break;
		case '\'':
			sbuf_adds(h, "&#39;");
			break;
		default:
			/* control characters would make the document invalid */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				sbuf_adds(h, "\xef\xbf\xbd");
			else
				sbuf_addc(h, *s);
		}
	}
}

/* A figure as text: the value, or a marked "n/a" whose tooltip says why. */
static void html_figure(struct sbuf *h, const struct figure *f, int prec)
{
	if (!f->ok) {
		sbuf_adds(h, "<span class=\"null\" title=\"");
		html_text(h, f->why ? f->why : "not computable");
		sbuf_adds(h, "\">n/a</span>");
		return;
	}
	sbuf_addf(h, "%.*f", prec, f->v);
	if (f->has_ci && f->ci_ok)
		sbuf_addf(h, " <span class=\"ci\">[%.*f, %.*f]</span>", prec, f->lo, prec, f->hi);
}

/* ---- colour scales ------------------------------------------------------------------ */

struct rgb {
	unsigned char r, g, b;
};

/* Sequential scales from light to dark, five stops each. */
static const struct rgb BLUES[5] = {
	{247, 251, 255}, {198, 219, 239}, {107, 174, 214}, {33, 113, 181}, {8, 48, 107}};
static const struct rgb ORANGES[5] = {
	{255, 245, 235}, {253, 208, 162}, {253, 141, 60}, {217, 72, 1}, {127, 39, 4}};
static const struct rgb GREENS[5] = {
	{247, 252, 245}, {199, 233, 192}, {116, 196, 118}, {35, 139, 69}, {0, 68, 27}};

/* Categorical colours for raters (distinguishable, also in greyscale print). */
static const char *const SERIES[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
				     "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

static struct rgb scale_at(const struct rgb *s, double t)
{
	struct rgb c;
	double x;
	int i;

	if (!(t >= 0))
		t = 0;
	if (t > 1)
		t = 1;
	x = t * 4;
	i = x >= 4 ? 3 : (int)x;
	x -= i;
	c.r = (unsigned char)lround(s[i].r + (s[i + 1].r - s[i].r) * x);
	c.g = (unsigned char)lround(s[i].g + (s[i + 1].g - s[i].g) * x);
	c.b = (unsigned char)lround(s[i].b + (s[i + 1].b - s[i].b) * x);
	return c;
}

/* fill="#rrggbb" */
static void fill_attr(struct sbuf *h, struct rgb c)
{
	sbuf_addf(h, " fill=\"#%02x%02x%02x\"", c.r, c.g, c.b);
}

/* Is a colour dark enough to need light text on it? */
static int dark(struct rgb c)
{
	return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b < 140;
}

/* A table cell coloured by an agreement figure (green up to 1, rose below 0). */
static void td_agree(struct sbuf *h, const struct figure *f, int prec)
{
	if (f->ok) {
		struct rgb c = f->v < 0 ? (struct rgb){252, 220, 220} : scale_at(GREENS, f->v * 0.8);

		sbuf_addf(h, "<td class=\"num\" style=\"background:#%02x%02x%02x;color:%s\">", c.r,
			  c.g, c.b, dark(c) ? "#fff" : "#111");
	} else {
		sbuf_adds(h, "<td class=\"num\">");
	}
	html_figure(h, f, prec);
	sbuf_adds(h, "</td>");
}

/* A table cell coloured by a conflict share (orange; 0.5 and above darkest). */
static void td_conflict(struct sbuf *h, const struct figure *f, int prec, double full)
{
	if (f->ok) {
		struct rgb c = scale_at(ORANGES, f->v / full);

		sbuf_addf(h, "<td class=\"num\" style=\"background:#%02x%02x%02x;color:%s\">", c.r,
			  c.g, c.b, dark(c) ? "#fff" : "#111");
	} else {
		sbuf_adds(h, "<td class=\"num\">");
	}
	html_figure(h, f, prec);
	sbuf_adds(h, "</td>");
}

static void td_text(struct sbuf *h, const char *s)
{
	sbuf_adds(h, "<td>");
	html_text(h, s);
	sbuf_adds(h, "</td>");
}

static void td_count(struct sbuf *h, size_t n)
{
	sbuf_addf(h, "<td class=\"num\">%zu</td>", n);
}

/* ---- SVG charts ---------------------------------------------------------------------- */

/* Rough width of a label in the charts' 12px sans-serif, for margins. */
static int text_px(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n * 7 + 4;
}

/*
 * A heat map: rows x cols cells, each coloured by t[i] in [0, 1] on scale
 * (NAN: a blank cell) and labelled with text[i].  Row labels on the left,
 * column labels on top (slanted when they are long); axis titles say what
 * rows and columns are.  attrs go on the <svg> element (class, data-*).
 */
struct heat {
	size_t rows, cols;
	const char *const *rlab, *const *clab;
	const char *rtitle, *ctitle;
	const double *t;
	char **text;
	const struct rgb *scale;
	int cell;
};

static void svg_heat(struct sbuf *h, const struct heat *m, const char *attrs, const char *label)
{
	int left = 0, top = 0, slant = 0, w, ht, cell = m->cell;

	for (size_t r = 0; r < m->rows; r++)
		left = text_px(m->rlab[r]) > left ? text_px(m->rlab[r]) : left;
	for (size_t c = 0; c < m->cols; c++)
		top = text_px(m->clab[c]) > top ? text_px(m->clab[c]) : top;
	if (top > cell) {
		slant = 1;
		top = (int)(top * 0.72) + 8; /* 45 degrees */
	} else {
		top = 20;
	}
	left += m->rtitle ? 26 : 8;
	top += m->ctitle ? 22 : 4;
	w = left + (int)m->cols * cell + (slant ? 60 : 10);
	ht = top + (int)m->rows * cell + 8;
	sbuf_addf(h, "<svg %s width=\"%d\" height=\"%d\" "
		     "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		  attrs, w, ht, w, ht);
	html_text(h, label);
	sbuf_adds(h, "\"><title>");
	html_text(h, label);
	sbuf_adds(h, "</title>");
	if (m->ctitle) {
		sbuf_addf(h, "<text class=\"axis\" x=\"%d\" y=\"14\" text-anchor=\"middle\">",
			  left + (int)m->cols * cell / 2);
		html_text(h, m->ctitle);
		sbuf_adds(h, "</text>");
	}
	if (m->rtitle) {
		int cy = top + (int)m->rows * cell / 2;

		sbuf_addf(h, "<text class=\"axis\" x=\"14\" y=\"%d\" text-anchor=\"middle\" "
			     "transform=\"rotate(-90 14 %d)\">",
			  cy, cy);
		html_text(h, m->rtitle);
		sbuf_adds(h, "</text>");
	}
	for (size_t c = 0; c < m->cols; c++) {
		int x = left + (int)c * cell + cell / 2, y = top - 6;

		if (slant)
			sbuf_addf(h, "<text class=\"lab\" x=\"%d\" y=\"%d\" transform=\"rotate(-45 %d %d)\">",
				  x, y, x, y);
		else
			sbuf_addf(h, "<text class=\"lab\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, y);
		html_text(h, m->clab[c]);
		sbuf_adds(h, "</text>");
	}
	for (size_t r = 0; r < m->rows; r++) {
		int y = top + (int)r * cell;

		sbuf_addf(h, "<text class=\"lab\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			  left - 6, y + cell / 2 + 4);
		html_text(h, m->rlab[r]);
		sbuf_adds(h, "</text>");
		for (size_t c = 0; c < m->cols; c++) {
			size_t i = r * m->cols + c;
			int x = left + (int)c * cell;

			if (isnan(m->t[i])) {
				sbuf_addf(h, "<rect class=\"blank\" x=\"%d\" y=\"%d\" width=\"%d\" "
					     "height=\"%d\"/>",
					  x, y, cell, cell);
			} else {
				struct rgb col = scale_at(m->scale, m->t[i]);

				sbuf_addf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"", x, y,
					  cell, cell);
				fill_attr(h, col);
				sbuf_adds(h, "/>");
			}
			if (m->text[i]) {
				struct rgb col = isnan(m->t[i]) ? (struct rgb){255, 255, 255}
							      : scale_at(m->scale, m->t[i]);
				/* zeros and nulls recede, so the figures that matter stand out */
				int dim = !strcmp(m->text[i], "0") || !strcmp(m->text[i], "n/a");

				sbuf_addf(h, "<text class=\"val%s\" x=\"%d\" y=\"%d\" "
					     "text-anchor=\"middle\" fill=\"%s\">",
					  dim ? " dim" : "", x + cell / 2, y + cell / 2 + 4,
					  dark(col) ? "#fff" : "#111");
				html_text(h, m->text[i]);
				sbuf_adds(h, "</text>");
			}
		}
	}
	sbuf_adds(h, "</svg>");
}

/* A colour legend for a heat map scale: lo .. hi. */
static void svg_legend(struct sbuf *h, const struct rgb *scale, const char *lo, const char *hi,
		       const char *what)
{
	sbuf_adds(h, "<svg class=\"legend\" width=\"330\" "
		     "height=\"34\" viewBox=\"0 0 330 34\" role=\"img\" aria-label=\"colour scale\">");
	for (int i = 0; i < 20; i++) {
		struct rgb c = scale_at(scale, i / 19.0);

		sbuf_addf(h, "<rect x=\"%d\" y=\"2\" width=\"8\" height=\"12\"", 40 + i * 8);
		fill_attr(h, c);
		sbuf_adds(h, "/>");
	}
	sbuf_adds(h, "<text class=\"lab\" x=\"36\" y=\"12\" text-anchor=\"end\">");
	html_text(h, lo);
	sbuf_adds(h, "</text><text class=\"lab\" x=\"204\" y=\"12\">");
	html_text(h, hi);
	sbuf_adds(h, "</text><text class=\"axis\" x=\"40\" y=\"30\">");
	html_text(h, what);
	sbuf_adds(h, "</text></svg>");
}

/*
 * A bar chart: nb bars (values v, labels lab under them) in nseries
 * interleaved series (v[bar * nseries + s]); heights relative to the
 * largest value; a number above each bar (fmt "%" for shares).
 */
static void svg_bars(struct sbuf *h, const char *attrs, const char *label, size_t nbars,
		     const char *const *lab, size_t nseries, const double *v, int percent,
		     const char *xtitle)
{
	int bw = nseries > 3 ? 12 : 20, gap = 14, left = 10, top = 18, plot = 120;
	int groupw = (int)nseries * bw + gap, w = left + (int)nbars * groupw + 10;
	int ht = top + plot + 40;
	double most = 0;

	if (xtitle && text_px(xtitle) + 20 > w)
		w = text_px(xtitle) + 20;

	for (size_t i = 0; i < nbars * nseries; i++)
		most = v[i] > most ? v[i] : most;
	sbuf_addf(h, "<svg %s width=\"%d\" height=\"%d\" "
		     "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		  attrs, w, ht, w, ht);
	html_text(h, label);
	sbuf_adds(h, "\"><title>");
	html_text(h, label);
	sbuf_adds(h, "</title>");
	sbuf_addf(h, "<line class=\"base\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left,
		  top + plot, w - 6, top + plot);
	for (size_t b = 0; b < nbars; b++) {
		int gx = left + (int)b * groupw + gap / 2;

		for (size_t s = 0; s < nseries; s++) {
			double x = v[b * nseries + s];
			int bh = most > 0 ? (int)lround(x / most * plot) : 0, bx = gx + (int)s * bw;

			sbuf_addf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>",
				  bx, top + plot - bh, bw - 2, bh, SERIES[s % ARRAY_LEN(SERIES)]);
			if (x > 0) {
				sbuf_addf(h, "<text class=\"small\" x=\"%d\" y=\"%d\" "
					     "text-anchor=\"middle\">",
					  bx + (bw - 2) / 2, top + plot - bh - 3);
				if (percent)
					sbuf_addf(h, "%.0f", x * 100);
				else
					sbuf_addf(h, "%.0f", x);
				sbuf_adds(h, "</text>");
			}
		}
		sbuf_addf(h, "<text class=\"lab\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
			  gx + (int)nseries * bw / 2, top + plot + 15);
		html_text(h, lab[b]);
		sbuf_adds(h, "</text>");
	}
	if (xtitle) {
		sbuf_addf(h, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", w / 2,
			  ht - 6);
		html_text(h, xtitle);
		sbuf_adds(h, "</text>");
	}
	sbuf_adds(h, "</svg>");
}

/* ---- the report's data ------------------------------------------------------------------ */

struct report_opts {
	struct sel sel;
	const char *out;
	const char *title;
	const char *rater;    /* --rater: conflict for this rater only */
	char **raters;        /* --raters (owned) */
	size_t nraters;
	const char **aspects; /* --aspect */
	size_t naspects;
	double min_margin;
	size_t bootstrap;
	uint64_t seed;
	const char *db_path;
};

struct report {
	const struct report_opts *o;
	struct audit_data d;
	size_t *ridx, nr;   /* agreement raters */
	size_t *aidx, na;   /* aspects reported */
	size_t *cridx, ncr; /* conflict raters */
	size_t *caidx, nca; /* conflict aspects (one scale) */
	struct audit_group *sources, *datasets;
	size_t nsources, ndatasets;
	struct agree_result **agree;        /* na */
	struct conflict_result **conflict;  /* ncr */
	struct sbuf h;
};

/* ---- sections ---------------------------------------------------------------------------- */

static const char CSS[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
	"sans-serif;color:#1b1f24;background:#fff;margin:0 auto;max-width:1100px;padding:24px}"
	"h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;margin:34px 0 8px;padding-top:10px;"
	"border-top:2px solid #d8dee4}h3{font-size:17px;margin:22px 0 6px}h4{font-size:14px;"
	"margin:14px 0 4px;color:#3d4651}"
	"p.meta{color:#57606a;margin:0 0 10px}nav a{margin-right:14px;color:#0550ae;"
	"text-decoration:none}nav{margin:8px 0 6px}"
	"table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}"
	"th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}"
	"th{background:#f3f5f7;font-weight:600}td.num{text-align:right;white-space:nowrap}"
	".cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}.card{border:1px solid #d0d7de;"
	"border-radius:6px;padding:8px 14px;min-width:110px}.card b{display:block;font-size:22px}"
	".card span{color:#57606a;font-size:12px}"
	".charts{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}"
	"figure{margin:4px 0}figcaption{font-size:12px;color:#57606a;max-width:420px}"
	"svg text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}"
	"svg .lab{font-size:12px;fill:#24292f}svg .axis{font-size:12px;fill:#57606a;"
	"font-style:italic}svg .val{font-size:12px;font-weight:600}"
	"svg .val.dim{font-weight:400;fill:#8c959f}svg .small{font-size:10px;"
	"fill:#24292f}svg .base{stroke:#8c959f;stroke-width:1}svg rect.blank{fill:#f6f8fa;"
	"stroke:#eaeef2}"
	".null{color:#8c959f;border-bottom:1px dotted #8c959f;cursor:help}.ci{color:#57606a;"
	"font-size:12px}.key{display:inline-block;width:11px;height:11px;margin:0 4px 0 10px;"
	"vertical-align:-1px}"
	"dl dt{font-weight:600;margin-top:8px}dl dd{margin:2px 0 0 20px}"
	"details{margin:4px 0 12px}summary{color:#57606a;cursor:pointer}"
	".note{color:#57606a;font-size:13px}code{font-size:13px}"
	"@media print{body{max-width:none}h2{break-before:auto}}";

static void rater_legend(struct sbuf *h, const struct audit_data *d, const size_t *ridx, size_t n)
{
	sbuf_adds(h, "<p class=\"note\">");
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(h, "<span class=\"key\" style=\"background:%s\"></span>",
			  SERIES[i % ARRAY_LEN(SERIES)]);
		html_text(h, d->raters[ridx[i]].name);
		sbuf_addf(h, " (%s)", !strcmp(d->raters[ridx[i]].kind, "llm") ? "LLM" : "human");
	}
	sbuf_adds(h, "</p>");
}

static void section_header(struct report *rp)
{
	struct sbuf *h = &rp->h;
	char now[32];

	now_iso8601(now);
	sbuf_adds(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		     "<meta name=\"generator\" content=\"feedbench " FB_VERSION "\">\n<title>");
	html_text(h, rp->o->title);
	sbuf_addf(h, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>", CSS);
	html_text(h, rp->o->title);
	sbuf_adds(h, "</h1>\n<p class=\"meta\">Generated ");
	html_text(h, now);
	sbuf_adds(h, " by feedbench " FB_VERSION " from <code>");
	html_text(h, rp->o->db_path);
	sbuf_adds(h, "</code>. Selection: ");
	if (rp->o->sel.dataset) {
		sbuf_adds(h, "data set <b>");
		html_text(h, rp->o->sel.dataset);
		sbuf_adds(h, "</b>");
	} else {
		sbuf_adds(h, "every data set");
	}
	if (rp->o->sel.source) {
		sbuf_adds(h, ", source <b>");
		html_text(h, rp->o->sel.source);
		sbuf_adds(h, "</b>");
	}
	sbuf_adds(h, ".</p>\n<nav><a href=\"#summary\">Summary</a><a href=\"#agreement\">Agreement"
		     "</a><a href=\"#conflict\">Conflict</a><a href=\"#sources\">By source</a>"
		     "<a href=\"#definitions\">Definitions</a></nav>\n</header>\n");
}

static void card(struct sbuf *h, const char *id, size_t n, const char *what)
{
	sbuf_addf(h, "<div class=\"card\" id=\"%s\"><b>%zu</b><span>%s</span></div>", id, n, what);
}

static void section_summary(struct report *rp)
{
	struct audit_data *d = &rp->d;
	struct sbuf *h = &rp->h;
	size_t values = 0, nas = 0, raters = 0;

	for (size_t i = 0; i < d->naspects * d->nraters; i++) {
		values += d->rated[i];
		nas += d->na[i];
	}
	for (size_t r = 0; r < d->nraters; r++)
		raters += audit_has_ratings(d, -1, r) != 0;
	sbuf_adds(h, "<section id=\"summary\">\n<h2>Data set summary</h2>\n<div class=\"cards\">");
	card(h, "n-prompts", d->nprompts, "prompts");
	card(h, "n-completions", d->ncompl, "completions");
	card(h, "n-ratings", values, "ratings");
	card(h, "n-na", nas, "N/A ratings");
	card(h, "n-raters", raters, "raters");
	card(h, "n-aspects", rp->na, "aspects");
	sbuf_adds(h, "</div>\n");

	sbuf_adds(h, "<div class=\"charts\"><div><h4>Data sets</h4><table id=\"datasets\"><tr>"
		     "<th>data set</th><th>prompts</th></tr>");
	for (size_t i = 0; i < rp->ndatasets; i++) {
		sbuf_adds(h, "<tr>");
		td_text(h, rp->datasets[i].name);
		td_count(h, rp->datasets[i].np);
		sbuf_adds(h, "</tr>");
	}
	sbuf_adds(h, "</table></div>\n<div><h4>Sources</h4><table id=\"sources-summary\"><tr>"
		     "<th>source</th><th>prompts</th><th>completions</th></tr>");
	for (size_t i = 0; i < rp->nsources; i++) {
		size_t nc = 0;

		for (size_t k = 0; k < rp->sources[i].np; k++) {
			size_t p = rp->sources[i].prompts[k];

			nc += d->start[p + 1] - d->start[p];
		}
		sbuf_adds(h, "<tr>");
		td_text(h, rp->sources[i].name);
		td_count(h, rp->sources[i].np);
		td_count(h, nc);
		sbuf_adds(h, "</tr>");
	}
	sbuf_adds(h, "</table></div>\n<div><h4>Raters</h4><table id=\"raters\"><tr><th>rater</th>"
		     "<th>kind</th><th>ratings</th><th>N/A</th></tr>");
	for (size_t r = 0; r < d->nraters; r++) {
		size_t v = 0, n = 0;

		if (!audit_has_ratings(d, -1, r))
			continue;
		for (size_t a = 0; a < d->naspects; a++) {
			v += d->rated[a * d->nraters + r];
			n += d->na[a * d->nraters + r];
		}
		sbuf_adds(h, "<tr>");
		td_text(h, d->raters[r].name);
		td_text(h, !strcmp(d->raters[r].kind, "llm") ? "LLM judge" : "human");
		td_count(h, v);
		td_count(h, n);
		sbuf_adds(h, "</tr>");
	}
	sbuf_adds(h, "</table></div>\n<div><h4>Aspects</h4><table id=\"aspects\"><tr><th>aspect"
		     "</th><th>scale</th><th>ratings</th><th>N/A</th></tr>");
	for (size_t i = 0; i < rp->na; i++) {
		const struct audit_aspect *as = &d->aspects[rp->aidx[i]];
		size_t v = 0, n = 0;

		for (size_t r = 0; r < d->nraters; r++) {
			v += d->rated[rp->aidx[i] * d->nraters + r];
			n += d->na[rp->aidx[i] * d->nraters + r];
		}
		sbuf_adds(h, "<tr><td title=\"");
		html_text(h, as->title);
		sbuf_adds(h, "\">");
		html_text(h, as->name);
		sbuf_addf(h, "</td><td>%d&ndash;%d</td>", as->min, as->max);
		td_count(h, v);
		td_count(h, n);
		sbuf_adds(h, "</tr>");
	}
	sbuf_adds(h, "</table></div></div>\n");

	/* rating histograms: per aspect, each rater's share of ratings per value */
	sbuf_adds(h, "<h3>Rating distributions</h3>\n<p class=\"note\">Share of each rater's "
		     "ratings of the aspect that took each value (N/A counted beside them), in "
		     "percent.</p>\n");
	rater_legend(h, d, rp->ridx, rp->nr);
	sbuf_adds(h, "<div class=\"charts\">");
	for (size_t i = 0; i < rp->na; i++) {
		size_t a = rp->aidx[i];
		const struct audit_aspect *as = &d->aspects[a];
		size_t k = (size_t)(as->max - as->min + 1), nb = k + 1;
		double *v = xcalloc(nb * (rp->nr ? rp->nr : 1), sizeof(*v));
		char **lab = xcalloc(nb, sizeof(*lab));
		struct sbuf attrs = SBUF_INIT, cap = SBUF_INIT;

		for (size_t b = 0; b < k; b++)
			lab[b] = xasprintf("%d", as->min + (int)b);
		lab[k] = xstrdup("N/A");
		for (size_t s = 0; s < rp->nr; s++) {
			size_t r = rp->ridx[s], tot = d->rated[a * d->nraters + r] +
						    d->na[a * d->nraters + r];
			const int16_t *col = d->v + a * d->ncompl * d->nraters + r;

			if (tot == 0)
				continue;
			for (size_t c = 0; c < d->ncompl; c++)
				if (col[c * d->nraters] != AUDIT_NONE)
					v[(size_t)(col[c * d->nraters] - as->min) * rp->nr + s] += 1;
			v[k * rp->nr + s] = (double)d->na[a * d->nraters + r];
			for (size_t b = 0; b < nb; b++)
				v[b * rp->nr + s] /= (double)tot;
		}
		sbuf_adds(&attrs, "class=\"hist\" data-aspect=\"");
		html_text(&attrs, as->name);
		sbuf_adds(&attrs, "\"");
		sbuf_addf(&cap, "Rating distribution of %s", as->name);
		sbuf_adds(h, "<figure>");
		svg_bars(h, sbuf_str(&attrs), sbuf_str(&cap), nb, (const char *const *)lab, rp->nr, v,
			 1, as->name);
		sbuf_adds(h, "</figure>");
		for (size_t b = 0; b < nb; b++)
			free(lab[b]);
		free(lab);
		free(v);
		sbuf_release(&attrs);
		sbuf_release(&cap);
	}
	sbuf_adds(h, "</div>\n</section>\n");
}

static void notes_block(struct sbuf *h, const struct figure_notes *nl)
{
	if (nl->n == 0)
		return;
	sbuf_addf(h, "<details class=\"notes\"><summary>%zu note%s: figures left out or null, "
		     "and why</summary><ul>",
		  nl->n, nl->n == 1 ? "" : "s");
	for (size_t i = 0; i < nl->n; i++) {
		sbuf_adds(h, "<li>");
		html_text(h, nl->items[i]);
		sbuf_adds(h, "</li>");
	}
	sbuf_adds(h, "</ul></details>\n");
}

/* One confusion matrix as a heat map, coloured by the share of its row. */
static void confusion_map(struct sbuf *h, const struct agree_result *res,
			  const struct agree_pair *p)
{
	size_t k = res->k;
	double *t = xmalloc(k * k * sizeof(*t));
	char **text = xcalloc(k * k, sizeof(*text)), **lab = xcalloc(k, sizeof(*lab));
	struct sbuf attrs = SBUF_INIT, cap = SBUF_INIT;
	struct heat m;

	for (size_t i = 0; i < k; i++) {
		size_t row = 0;

		lab[i] = xasprintf("%d", res->scale_min + (int)i);
		for (size_t j = 0; j < k; j++)
			row += p->confusion[i * k + j];
		for (size_t j = 0; j < k; j++) {
			t[i * k + j] = row ? (double)p->confusion[i * k + j] / (double)row : 0;
			text[i * k + j] = xasprintf("%zu", p->confusion[i * k + j]);
		}
	}
	memset(&m, 0, sizeof(m));
	m.rows = m.cols = k;
	m.rlab = m.clab = (const char *const *)lab;
	m.rtitle = res->raters[p->r1];
	m.ctitle = res->raters[p->r2];
	m.t = t;
	m.text = text;
	m.scale = BLUES;
	m.cell = k > 7 ? 30 : 40;
	/* wide enough for the largest count */
	for (size_t i = 0; i < k * k; i++)
		if (text_px(text[i]) + 10 > m.cell)
			m.cell = text_px(text[i]) + 10;
	sbuf_adds(&attrs, "class=\"heat confusion\" data-aspect=\"");
	html_text(&attrs, res->aspect);
	sbuf_adds(&attrs, "\" data-pair=\"");
	html_text(&attrs, res->raters[p->r1]);
	sbuf_addc(&attrs, ',');
	html_text(&attrs, res->raters[p->r2]);
	sbuf_adds(&attrs, "\"");
	sbuf_addf(&cap, "Confusion matrix of %s: %s (rows) against %s (columns)", res->aspect,
		  res->raters[p->r1], res->raters[p->r2]);
	sbuf_adds(h, "<figure>");
	svg_heat(h, &m, sbuf_str(&attrs), sbuf_str(&cap));
	sbuf_adds(h, "<figcaption>");
	html_text(h, res->raters[p->r1]);
	sbuf_adds(h, " (rows) against ");
	html_text(h, res->raters[p->r2]);
	sbuf_addf(h, " (columns), %zu units; exact agreement ", p->units);
	html_figure(h, &p->exact, 3);
	sbuf_adds(h, ", quadratic kappa ");
	html_figure(h, &p->kappa_quadratic, 3);
	sbuf_adds(h, "</figcaption></figure>");
	for (size_t i = 0; i < k * k; i++)
		free(text[i]);
	for (size_t i = 0; i < k; i++)
		free(lab[i]);
	free(text);
	free(lab);
	free(t);
	sbuf_release(&attrs);
	sbuf_release(&cap);
}

static void section_agreement(struct report *rp)
{
	struct sbuf *h = &rp->h;

	sbuf_adds(h, "<section id=\"agreement\">\n<h2>Agreement between raters</h2>\n");
	if (rp->nr < 2)
		sbuf_adds(h, "<p class=\"note\">Fewer than two raters rated this selection: there is "
			     "no agreement to measure.</p>\n");
	for (size_t i = 0; i < rp->na; i++) {
		const struct agree_result *res = rp->agree[i];

		if (!res)
			continue;
		sbuf_adds(h, "<section class=\"aspect\" id=\"agreement-");
		html_text(h, res->aspect);
		sbuf_adds(h, "\">\n<h3>");
		html_text(h, res->aspect);
		sbuf_addf(h, "</h3>\n<p class=\"note\">Scale %d&ndash;%d; %zu units rated by two or "
			     "more raters.</p>\n",
			  res->scale_min, res->scale_max, res->units);
		sbuf_adds(h, "<table class=\"alpha\"><tr><th>figure</th><th>value</th><th>n</th></tr>");
		for (int lv = 0; lv < AGREE_NLEVELS; lv++) {
			sbuf_addf(h, "<tr><td>Krippendorff's alpha, %s</td>", agree_level_names[lv]);
			td_agree(h, &res->alpha[lv], 3);
			sbuf_addf(h, "<td class=\"num\">%zu</td></tr>", res->units);
		}
		sbuf_adds(h, "<tr><td>Fleiss' kappa");
		if (res->fleiss_units)
			sbuf_addf(h, " (%zu raters per unit)", res->fleiss_raters);
		sbuf_adds(h, "</td>");
		td_agree(h, &res->fleiss, 3);
		sbuf_addf(h, "<td class=\"num\">%zu</td></tr></table>\n", res->fleiss_units);
		if (res->npairs > 0) {
			sbuf_adds(h, "<table class=\"pairs\"><tr><th>rater 1</th><th>rater 2</th>"
				     "<th>units</th><th>exact</th><th>within 1</th><th>mean diff</th>"
				     "<th>mean |diff|</th><th>kappa</th><th>kappa linear</th>"
				     "<th>kappa quadratic</th><th>Spearman</th><th>Kendall tau-b</th>"
				     "</tr>");
			for (size_t p = 0; p < res->npairs; p++) {
				const struct agree_pair *pp = &res->pairs[p];

				sbuf_adds(h, "<tr>");
				td_text(h, res->raters[pp->r1]);
				td_text(h, res->raters[pp->r2]);
				td_count(h, pp->units);
				td_agree(h, &pp->exact, 3);
				td_agree(h, &pp->within1, 3);
				sbuf_adds(h, "<td class=\"num\">");
				html_figure(h, &pp->mean_diff, 3);
				sbuf_adds(h, "</td><td class=\"num\">");
				html_figure(h, &pp->mean_abs_diff, 3);
				sbuf_adds(h, "</td>");
				td_agree(h, &pp->kappa, 3);
				td_agree(h, &pp->kappa_linear, 3);
				td_agree(h, &pp->kappa_quadratic, 3);
				td_agree(h, &pp->spearman, 3);
				td_agree(h, &pp->kendall_tau_b, 3);
				sbuf_adds(h, "</tr>");
			}
			sbuf_adds(h, "</table>\n<div class=\"charts\">");
			for (size_t p = 0; p < res->npairs; p++)
				if (res->pairs[p].units > 0)
					confusion_map(h, res, &res->pairs[p]);
			sbuf_adds(h, "</div>\n");
			if (res->units > 0)
				svg_legend(h, BLUES, "0", "1",
					   "colour: share of the row (counts in the cells)");
		}
		notes_block(h, &res->notes);
		sbuf_adds(h, "</section>\n");
	}
	sbuf_adds(h, "</section>\n");
}

/* A naspects x naspects map of figures (conflict rate, directional), 0.5 and up darkest. */
static void aspect_map(struct sbuf *h, const struct conflict_result *res, const char *cls,
		       const char *caption, const char *rtitle, const char *ctitle,
		       const struct figure *(*at)(const struct conflict_result *, size_t, size_t))
{
	size_t A = res->naspects;
	double *t = xmalloc(A * A * sizeof(*t));
	char **text = xcalloc(A * A, sizeof(*text));
	struct sbuf attrs = SBUF_INIT;
	struct heat m;

	for (size_t a = 0; a < A; a++)
		for (size_t b = 0; b < A; b++) {
			const struct figure *f = a == b ? NULL : at(res, a, b);

			t[a * A + b] = f && f->ok ? f->v / 0.5 : NAN;
			text[a * A + b] = f && f->ok ? xasprintf("%.3f", f->v)
						     : xstrdup(a == b ? "" : "n/a");
		}
	memset(&m, 0, sizeof(m));
	m.rows = m.cols = A;
	m.rlab = m.clab = (const char *const *)res->aspects;
	m.rtitle = rtitle;
	m.ctitle = ctitle;
	m.t = t;
	m.text = text;
	m.scale = ORANGES;
	m.cell = 64;
	sbuf_addf(&attrs, "class=\"heat %s\" data-rater=\"", cls);
	html_text(&attrs, res->rater);
	sbuf_adds(&attrs, "\"");
	sbuf_adds(h, "<figure>");
	svg_heat(h, &m, sbuf_str(&attrs), caption);
	sbuf_adds(h, "<figcaption>");
	html_text(h, caption);
	sbuf_adds(h, "</figcaption></figure>");
	for (size_t i = 0; i < A * A; i++)
		free(text[i]);
	free(text);
	free(t);
	sbuf_release(&attrs);
}

static const struct figure *cell_rate(const struct conflict_result *res, size_t a, size_t b)
{
	size_t lo = a < b ? a : b, hi = a < b ? b : a;

	for (size_t c = 0; c < res->ncells; c++)
		if (res->matrix[c].a == lo && res->matrix[c].b == hi)
			return &res->matrix[c].conflict_rate;
	return NULL;
}

static const struct figure *cell_dir(const struct conflict_result *res, size_t a, size_t b)
{
	return &res->directional[a * res->naspects + b];
}

static void conflict_block(struct report *rp, size_t i)
{
	const struct conflict_result *res = rp->conflict[i];
	const struct audit_rater *rt = &rp->d.raters[rp->cridx[i]];
	struct sbuf *h = &rp->h, cap = SBUF_INIT;
	size_t A = res->naspects;
	double hist[CONFLICT_HIST_BINS];
	char *bins[CONFLICT_HIST_BINS];

	sbuf_adds(h, "<section class=\"rater\" id=\"conflict-");
	html_text(h, res->rater);
	sbuf_adds(h, "\">\n<h3>");
	html_text(h, res->rater);
	sbuf_addf(h, " <small>(%s)</small></h3>\n", !strcmp(rt->kind, "llm") ? "LLM judge" : "human");
	sbuf_addf(h, "<p class=\"note\">%zu prompts, %zu completion pairs, margin %g.</p>\n",
		  res->prompts, res->pairs, res->min_margin);
	sbuf_adds(h, "<table class=\"conflict-figures\"><tr><th>figure</th><th>value</th><th>n</th>"
		     "</tr><tr><td>Pareto-incomparable pairs</td>");
	td_conflict(h, &res->pareto_incomparable, 3, 0.5);
	sbuf_addf(h, "<td class=\"num\">%zu</td></tr><tr><td>mean per-prompt conflict</td>",
		  res->decisive_pairs);
	td_conflict(h, &res->per_prompt_mean, 3, 0.5);
	sbuf_addf(h, "<td class=\"num\">%zu</td></tr><tr><td>prompts with any conflict</td>",
		  res->scored_prompts);
	td_conflict(h, &res->prompts_with_conflict, 3, 1);
	sbuf_addf(h, "<td class=\"num\">%zu</td></tr><tr><td>winner disagreement</td>",
		  res->scored_prompts);
	td_conflict(h, &res->winner_disagreement, 3, 1);
	sbuf_addf(h, "<td class=\"num\">%zu</td></tr><tr><td>adc_proxy.rel</td>", res->winner_prompts);
	sbuf_adds(h, "<td class=\"num\">");
	html_figure(h, &res->adc_rel, 5);
	sbuf_addf(h, "</td><td class=\"num\">%zu</td></tr><tr><td>adc_proxy.abs</td>"
		     "<td class=\"num\">",
		  res->adc_pairs);
	html_figure(h, &res->adc_abs, 5);
	sbuf_addf(h, "</td><td class=\"num\">%zu</td></tr></table>\n", res->adc_pairs);

	sbuf_adds(h, "<div class=\"charts\">");
	sbuf_addf(&cap, "Conflict rate D/(C+D) between aspects, %s", res->rater);
	aspect_map(h, res, "conflict-matrix", sbuf_str(&cap), NULL, NULL, cell_rate);
	sbuf_reset(&cap);
	sbuf_addf(&cap, "Directional: P(column aspect prefers the other completion | row aspect "
			"decides), %s",
		  res->rater);
	aspect_map(h, res, "directional", sbuf_str(&cap), "aspect followed", "aspect hurt",
		   cell_dir);
	for (size_t b = 0; b < CONFLICT_HIST_BINS; b++) {
		hist[b] = (double)res->histogram[b];
		bins[b] = xasprintf("%.1f", (double)b / CONFLICT_HIST_BINS);
	}
	sbuf_reset(&cap);
	sbuf_addf(&cap, "Prompts by per-prompt conflict, %s", res->rater);
	sbuf_adds(h, "<figure>");
	svg_bars(h, "class=\"prompt-hist\"", sbuf_str(&cap), CONFLICT_HIST_BINS,
		 (const char *const *)bins, 1, hist, 0,
		 "share of a prompt's pairs that are Pareto-incomparable (bin start)");
	sbuf_adds(h, "<figcaption>Number of prompts per bin of per-prompt conflict.</figcaption>"
		     "</figure>");
	for (size_t b = 0; b < CONFLICT_HIST_BINS; b++)
		free(bins[b]);
	sbuf_adds(h, "</div>\n");
	svg_legend(h, ORANGES, "0", "0.5+", "colour: the share in the cell");

	/* the oracle accuracies of adc_proxy */
	sbuf_adds(h, "<h4>adc_proxy: accuracy of an oracle following one aspect (rows), judged "
		     "on another (columns)</h4><table class=\"accuracy\"><tr><th></th>");
	for (size_t j = 0; j < A; j++) {
		sbuf_adds(h, "<th>");
		html_text(h, res->aspects[j]);
		sbuf_adds(h, "</th>");
	}
	sbuf_adds(h, "</tr>");
	for (size_t a = 0; a < A; a++) {
		sbuf_adds(h, "<tr><th>");
		html_text(h, res->aspects[a]);
		sbuf_adds(h, "</th>");
		for (size_t j = 0; j < A; j++)
			td_agree(h, &res->accuracy[a * A + j], 3);
		sbuf_adds(h, "</tr>");
	}
	sbuf_adds(h, "<tr><th>baseline (overall label)</th>");
	for (size_t j = 0; j < A; j++)
		td_agree(h, &res->baseline[j], 3);
	sbuf_adds(h, "</tr></table>\n");
	notes_block(h, &res->notes);
	sbuf_adds(h, "</section>\n");
	sbuf_release(&cap);
}

static void side_by_side(struct report *rp)
{
	struct sbuf *h = &rp->h;
	const struct conflict_result *r0 = rp->conflict[0];

	sbuf_adds(h, "<h3 id=\"side-by-side\">Raters side by side</h3>\n<table class=\"side\"><tr>"
		     "<th>figure</th>");
	for (size_t i = 0; i < rp->ncr; i++) {
		const struct audit_rater *rt = &rp->d.raters[rp->cridx[i]];

		sbuf_adds(h, "<th>");
		html_text(h, rt->name);
		sbuf_addf(h, "<br><small>%s</small></th>", !strcmp(rt->kind, "llm") ? "LLM" : "human");
	}
	sbuf_adds(h, "</tr>");
	for (size_t c = 0; c < r0->ncells; c++) {
		sbuf_adds(h, "<tr><td>conflict rate ");
		html_text(h, r0->aspects[r0->matrix[c].a]);
		sbuf_adds(h, " / ");
		html_text(h, r0->aspects[r0->matrix[c].b]);
		sbuf_adds(h, "</td>");
		for (size_t i = 0; i < rp->ncr; i++)
			td_conflict(h, &rp->conflict[i]->matrix[c].conflict_rate, 3, 0.5);
		sbuf_adds(h, "</tr>");
	}
#define SIDE(label, field, prec, full)                                           \
	do {                                                                     \
		sbuf_adds(h, "<tr><td>" label "</td>");                          \
		for (size_t i = 0; i < rp->ncr; i++)                             \
			td_conflict(h, &rp->conflict[i]->field, prec, full);     \
		sbuf_adds(h, "</tr>");                                           \
	} while (0)
	SIDE("Pareto-incomparable pairs", pareto_incomparable, 3, 0.5);
	SIDE("mean per-prompt conflict", per_prompt_mean, 3, 0.5);
	SIDE("prompts with any conflict", prompts_with_conflict, 3, 1);
	SIDE("winner disagreement", winner_disagreement, 3, 1);
	SIDE("adc_proxy.rel", adc_rel, 5, 0.05);
	SIDE("adc_proxy.abs", adc_abs, 5, 0.25);
#undef SIDE
	sbuf_adds(h, "</table>\n");
}

static void section_conflict(struct report *rp)
{
	struct sbuf *h = &rp->h;

	sbuf_adds(h, "<section id=\"conflict\">\n<h2>Conflict between aspects</h2>\n<p class=\"note\">"
		     "From each rater's own ratings: for every pair of completions of a prompt, each "
		     "aspect prefers one, the other, or calls a tie. Aspects compared: ");
	for (size_t i = 0; i < rp->nca; i++) {
		if (i)
			sbuf_adds(h, ", ");
		html_text(h, rp->d.aspects[rp->caidx[i]].name);
	}
	sbuf_adds(h, ".</p>\n");
	if (rp->ncr == 0)
		sbuf_adds(h, "<p class=\"note\">No rater rated two or more aspects of one scale here."
			     "</p>\n");
	if (rp->ncr > 1)
		side_by_side(rp);
	for (size_t i = 0; i < rp->ncr; i++)
		conflict_block(rp, i);
	sbuf_adds(h, "</section>\n");
}

/* Per source: alpha per aspect, and each rater's headline conflict figures. */
static int section_sources(struct report *rp, struct fb_err *err)
{
	struct sbuf *h = &rp->h;
	const struct audit_data *d = &rp->d;

	sbuf_adds(h, "<section id=\"sources\">\n<h2>By source</h2>\n");
	sbuf_adds(h, "<h3>Agreement by source</h3>\n<p class=\"note\">Krippendorff's alpha "
		     "(interval level) over all the raters, per aspect.</p>\n<table "
		     "id=\"source-agreement\"><tr><th>source</th><th>prompts</th>");
	for (size_t i = 0; i < rp->na; i++) {
		sbuf_adds(h, "<th>");
		html_text(h, d->aspects[rp->aidx[i]].name);
		sbuf_adds(h, "</th>");
	}
	sbuf_adds(h, "</tr>");
	for (size_t s = 0; s < rp->nsources; s++) {
		const struct audit_group *g = &rp->sources[s];

		sbuf_adds(h, "<tr>");
		td_text(h, g->name);
		td_count(h, g->np);
		for (size_t i = 0; i < rp->na; i++) {
			struct agree_result *res;

			if (rp->nr < 2) {
				sbuf_adds(h, "<td class=\"num\"><span class=\"null\" title=\"fewer than "
					     "two raters\">n/a</span></td>");
				continue;
			}
			if (audit_agree(d, rp->aidx[i], rp->ridx, rp->nr, g->prompts, g->np, NULL,
					&res, err) < 0)
				return -1;
			td_agree(h, &res->alpha[AGREE_INTERVAL], 3);
			agree_result_free(res);
		}
		sbuf_adds(h, "</tr>");
	}
	sbuf_adds(h, "</table>\n");

	sbuf_adds(h, "<h3>Conflict by source</h3>\n<p class=\"note\">Share of decisive pairs that "
		     "are Pareto-incomparable, and adc_proxy.rel, per rater.</p>\n<table "
		     "id=\"source-conflict\"><tr><th rowspan=\"2\">source</th>");
	for (size_t i = 0; i < rp->ncr; i++) {
		sbuf_adds(h, "<th colspan=\"2\">");
		html_text(h, d->raters[rp->cridx[i]].name);
		sbuf_adds(h, "</th>");
	}
	sbuf_adds(h, "</tr><tr>");
	for (size_t i = 0; i < rp->ncr; i++)
		sbuf_adds(h, "<th>Pareto-incomparable</th><th>adc_proxy.rel</th>");
	sbuf_adds(h, "</tr>");
	for (size_t s = 0; s < rp->nsources; s++) {
		const struct audit_group *g = &rp->sources[s];
		struct conflict_opts co = {rp->o->min_margin, 0, 0, 0};

		sbuf_adds(h, "<tr>");
		td_text(h, g->name);
		for (size_t i = 0; i < rp->ncr; i++) {
			struct conflict_result *res;

			if (audit_conflict(d, rp->caidx, rp->nca, &rp->cridx[i], 1, g->prompts, g->np,
					   d->raters[rp->cridx[i]].name, &co, &res, err) < 0)
				return -1;
			td_conflict(h, &res->pareto_incomparable, 3, 0.5);
			td_conflict(h, &res->adc_rel, 5, 0.05);
			conflict_result_free(res);
		}
		sbuf_adds(h, "</tr>");
	}
	sbuf_adds(h, "</table>\n</section>\n");
	return 0;
}

static void section_definitions(struct report *rp)
{
	struct sbuf *h = &rp->h;

	sbuf_adds(
		h,
		"<section id=\"definitions\">\n<h2>Definitions</h2>\n"
		"<p>Every figure is computed exactly from the ratings stored in the database. A "
		"<em>unit</em> is one completion rated on one aspect. N/A and missing ratings never "
		"take part. A figure that cannot be computed (too few units, no variation) is shown "
		"as <span class=\"null\">n/a</span> with the reason in its tooltip and in the notes, "
		"never as 0. Intervals, where shown, are 95% percentile intervals from resampling "
		"whole prompts, since the units of one prompt are not independent.</p>\n"
		"<h3>Agreement (one aspect at a time)</h3>\n<dl>"
		"<dt>exact, within 1</dt><dd>Of the units both raters rated, the share given the same "
		"value, and the share whose values differ by at most one point.</dd>"
		"<dt>mean diff, mean |diff|</dt><dd>The average of rater 1's value minus rater 2's "
		"(positive: rater 1 is the more lenient), and the average size of that difference."
		"</dd>"
		"<dt>Cohen's kappa</dt><dd>Agreement beyond what the two raters' own value "
		"frequencies would give by chance: 1 minus observed over expected disagreement. The "
		"categories are all the values of the aspect's scale. Unweighted, every disagreement "
		"counts the same; linear and quadratic weighting count a disagreement by the "
		"distance between the values, or its square.</dd>"
		"<dt>Spearman</dt><dd>The correlation of the two raters' ranks, ties sharing the "
		"average of their ranks.</dd>"
		"<dt>Kendall's tau-b</dt><dd>Concordant minus discordant unit pairs, divided by the "
		"geometric mean of the numbers of pairs not tied on each rater's side.</dd>"
		"<dt>confusion matrix</dt><dd>How many units got each combination of values: rows "
		"are rater 1's value, columns rater 2's. The heat maps colour each cell by its share "
		"of the row, so a dark diagonal means agreement.</dd>"
		"<dt>Krippendorff's alpha</dt><dd>1 minus observed over expected disagreement across "
		"any number of raters, from the coincidence matrix: a unit's ratings are paired "
		"every way, each pair weighing 1/(m&minus;1) for a unit with m ratings; units with a "
		"single rating cannot be paired and are left out. The level sets the distance "
		"between two values: nominal (any difference counts 1), ordinal (the squared number of "
		"ratings from one value to the other, the two end values counting half), "
		"interval (squared difference), ratio (squared difference over "
		"the squared sum).</dd>"
		"<dt>Fleiss' kappa</dt><dd>Chance-corrected agreement for units that all have the "
		"same number of raters; units with another number of ratings are left out and the "
		"count used is shown.</dd></dl>\n"
		"<h3>Conflict between aspects (Hummer-style, from the labels)</h3>\n"
		"<p>For each pair of completions of a prompt, each aspect prefers the first (+), the "
		"second (&minus;) or neither: a difference smaller than the margin (default 1) is a "
		"tie. A consensus of several raters uses the mean of their ratings.</p><dl>"
		"<dt>tie rate</dt><dd>Share of the pairs an aspect rates on both completions where "
		"it calls a tie.</dd>"
		"<dt>conflict rate</dt><dd>For two aspects, over the pairs both decide: the share "
		"where they prefer opposite completions, D/(C+D). The rate over all pairs rated on "
		"both, ties included, is D/(C+D+T); gamma is (C&minus;D)/(C+D); intensity is the "
		"mean of the product of the two opposed differences, scaled by the squared scale "
		"range so that it lies between 0 and 1.</dd>"
		"<dt>directional</dt><dd>When the row aspect decides a pair, how often the column "
		"aspect prefers the other completion: how often following one aspect hurts another. "
		"It is not symmetric.</dd>"
		"<dt>Pareto-incomparable</dt><dd>A pair where some aspect prefers one completion and "
		"another aspect the other; reported as a share of the decisive pairs (pairs some "
		"aspect decides).</dd>"
		"<dt>per-prompt conflict</dt><dd>The share of a prompt's pairs that are "
		"Pareto-incomparable: its mean over prompts, the share of prompts with any, and a "
		"histogram. The annotation tool's conflict queue sorts prompts by it.</dd>"
		"<dt>winner disagreement</dt><dd>Share of prompts where no completion is top-rated "
		"on every aspect at once.</dd>"
		"<dt>adc_proxy</dt><dd>A label-level stand-in for Hummer's alignment dimension "
		"conflict (which needs trained reward models; this is not it). An oracle trained on "
		"aspect i follows its preferences exactly (a tie is a coin flip); its accuracy on "
		"aspect j is A[i][j] over the pairs j decides. The baseline follows the overall "
		"label, the sign of the mean difference over the aspects. <code>rel</code> is the "
		"mean over ordered aspect pairs of the squared shortfall of A[i][j] below the "
		"baseline; <code>abs</code> the mean of (1&minus;A[i][j])&sup2;.</dd></dl>\n"
		"</section>\n");
}

/* ---- putting it together ------------------------------------------------------------------ */

static void report_release(struct report *rp)
{
	for (size_t i = 0; rp->agree && i < rp->na; i++)
		agree_result_free(rp->agree[i]);
	for (size_t i = 0; rp->conflict && i < rp->ncr; i++)
		conflict_result_free(rp->conflict[i]);
	free(rp->agree);
	free(rp->conflict);
	free(rp->ridx);
	free(rp->aidx);
	free(rp->cridx);
	free(rp->caidx);
	audit_groups_free(rp->sources, rp->nsources);
	audit_groups_free(rp->datasets, rp->ndatasets);
	audit_release(&rp->d);
	sbuf_release(&rp->h);
}

/*
 * Choose raters and aspects, and compute the whole-selection figures.
 * -1 with err; *user_error says whether err is the user's (exit 1).
 */
static int report_compute(struct report *rp, struct fb_err *err)
{
	const struct report_opts *o = rp->o;
	struct audit_data *d = &rp->d;
	struct agree_opts ao = {o->bootstrap, o->seed, 0};
	struct conflict_opts co = {o->min_margin, o->bootstrap, o->seed, 0};

	rp->ridx = xmalloc((d->nraters + o->nraters + 1) * sizeof(*rp->ridx));
	if (o->nraters) {
		for (size_t i = 0; i < o->nraters; i++) {
			long r = audit_rater_index(d, o->raters[i]);

			if (r < 0)
				return fb_error(err, "no rater named '%s' (see 'feedbench stats')",
						o->raters[i]);
			rp->ridx[rp->nr++] = (size_t)r;
		}
	} else {
		for (size_t r = 0; r < d->nraters; r++)
			if (audit_has_ratings(d, -1, r))
				rp->ridx[rp->nr++] = r;
	}
	if (o->naspects) {
		rp->aidx = xmalloc(o->naspects * sizeof(*rp->aidx));
		for (size_t i = 0; i < o->naspects; i++) {
			long a = audit_aspect_index(d, o->aspects[i]);

			if (a < 0)
				return fb_error(err, "no aspect named '%s' (see 'feedbench rubrics')",
						o->aspects[i]);
			rp->aidx[rp->na++] = (size_t)a;
		}
	} else {
		rp->aidx = audit_rated_aspects(d, rp->ridx, rp->nr, &rp->na);
	}

	/* conflict: --rater, else every rater; the aspects of the first one's scale */
	rp->cridx = xmalloc((d->nraters + 1) * sizeof(*rp->cridx));
	if (o->rater) {
		long r = audit_rater_index(d, o->rater);

		if (r < 0)
			return fb_error(err, "no rater named '%s' (see 'feedbench stats')", o->rater);
		rp->cridx[rp->ncr++] = (size_t)r;
	} else {
		for (size_t i = 0; i < rp->nr; i++)
			rp->cridx[rp->ncr++] = rp->ridx[i];
	}
	rp->caidx = xmalloc((rp->na + 1) * sizeof(*rp->caidx));
	for (size_t i = 0; i < rp->na; i++) {
		const struct audit_aspect *x = &d->aspects[rp->aidx[0]], *y = &d->aspects[rp->aidx[i]];

		if (x->min == y->min && x->max == y->max)
			rp->caidx[rp->nca++] = rp->aidx[i];
	}
	if (rp->nca < 2)
		rp->ncr = 0;

	rp->agree = xcalloc(rp->na + 1, sizeof(*rp->agree));
	for (size_t i = 0; i < rp->na && rp->nr >= 1; i++)
		if (audit_agree(d, rp->aidx[i], rp->ridx, rp->nr, NULL, 0, &ao, &rp->agree[i],
				err) < 0)
			return -1;
	rp->conflict = xcalloc(rp->ncr + 1, sizeof(*rp->conflict));
	for (size_t i = 0; i < rp->ncr; i++)
		if (audit_conflict(d, rp->caidx, rp->nca, &rp->cridx[i], 1, NULL, 0,
				   d->raters[rp->cridx[i]].name, &co, &rp->conflict[i], err) < 0)
			return -1;
	audit_by_source(d, &rp->sources, &rp->nsources);
	return 0;
}

static void report_help(void)
{
	printf("usage: feedbench report -o FILE [--dataset D] [--source S] [--rater R]\n"
	       "                        [--raters R1,R2,...] [--aspect A]... [--min-margin M]\n"
	       "                        [--bootstrap B [--seed S]] [--title T]\n"
	       "\n"
	       "Writes one self-contained HTML file (inline CSS and SVG charts, no scripts,\n"
	       "nothing fetched from anywhere: it opens offline and can be mailed) with the\n"
	       "selection's summary and rating distributions, agreement per aspect with\n"
	       "confusion heat maps, the aspect conflict matrix of every rater as a heat map\n"
	       "with the raters side by side, breakdowns per source, and the definitions of\n"
	       "every figure.  The file is replaced atomically when complete.\n"
	       "\n"
	       "options:\n"
	       "  -o, --output FILE  where to write ('-': standard output)\n"
	       "  --rater R          conflict for this rater only (default: every rater)\n"
	       "  --raters R1,R2     the raters compared for agreement (default: all)\n"
	       "  --aspect A         an aspect to report (repeatable; default: all rated)\n"
	       "  --min-margin M     conflict tie margin (default 1)\n"
	       "  --bootstrap B      95%% intervals from B resamples of prompts\n"
	       "  --seed S           the resampling seed (default 1)\n"
	       "  --title T          the page title\n"
	       "\n"
	       "example:\n"
	       "  feedbench report -o report.html --dataset uf --bootstrap 1000 --seed 7\n");
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Split "a,b" into names (caller frees); -1 for an empty or repeated name. */
static int split_list(const char *list, char ***names, size_t *n)
{
	const char *p = list;

	*names = NULL;
	*n = 0;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *name;

		if (len == 0)
			return -1;
		name = xstrndup(p, len);
		for (size_t i = 0; i < *n; i++)
			if (!strcmp((*names)[i], name)) {
				free(name);
				return -1;
			}
		*names = xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = name;
		if (!e)
			return 0;
		p = e + 1;
	}
}

int cmd_report(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"dataset", required_argument, NULL, 'd'},
		{"source", required_argument, NULL, 's'},
		{"rater", required_argument, NULL, 'r'},
		{"raters", required_argument, NULL, 'R'},
		{"aspect", required_argument, NULL, 'a'},
		{"min-margin", required_argument, NULL, 'm'},
		{"bootstrap", required_argument, NULL, 'b'},
		{"seed", required_argument, NULL, 'S'},
		{"title", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct report_opts o;
	struct report rp;
	struct export_file ef;
	struct fb_err err;
	const char *seed = NULL;
	long n;
	int c, rc = 0;

	memset(&o, 0, sizeof(o));
	o.min_margin = 1;
	o.seed = 1;
	o.title = "feedbench report";
	o.db_path = cli->db_path;
	optind = 1;
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out = optarg;
			break;
		case 'd':
			o.sel.dataset = optarg;
			break;
		case 's':
			o.sel.source = optarg;
			break;
		case 'r':
			o.rater = optarg;
			break;
		case 'R':
			free_names(o.raters, o.nraters);
			if (split_list(optarg, &o.raters, &o.nraters) < 0)
				rc = cli_usage(cli, "--raters takes names separated by commas, each once");
			break;
		case 'a':
			o.aspects = xrealloc(o.aspects, (o.naspects + 1) * sizeof(*o.aspects));
			o.aspects[o.naspects++] = optarg;
			break;
		case 'm':
			if (parse_double(optarg, &o.min_margin) < 0 || !(o.min_margin >= 0) ||
			    o.min_margin > 1e9)
				rc = cli_usage(cli, "--min-margin must be a number, 0 or more");
			break;
		case 'b':
			if (parse_long(optarg, &n) < 0 || n < 1 || n > 1000000)
				rc = cli_usage(cli, "--bootstrap must be a number of resamples from 1 to "
						    "1000000");
			else
				o.bootstrap = (size_t)n;
			break;
		case 'S':
			seed = optarg;
			break;
		case 't':
			o.title = optarg;
			break;
		case 'h':
			free_names(o.raters, o.nraters);
			free(o.aspects);
			report_help();
			return 0;
		default:
			if (optopt)
				rc = cli_usage(cli, "option -%c is unknown or needs a value", optopt);
			else
				rc = cli_usage(cli, "option '%s' is unknown or needs a value",
					       argv[optind - 1]);
		}
	}
	if (rc == 0 && optind < argc)
		rc = cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (rc == 0 && !o.out)
		rc = cli_usage(cli, "say where to write the report: -o FILE");
	if (rc == 0 && seed && !o.bootstrap)
		rc = cli_usage(cli, "--seed goes with --bootstrap");
	if (rc == 0 && seed) {
		if (parse_long(seed, &n) < 0 || n < 0)
			rc = cli_usage(cli, "--seed must be a whole number, 0 or more");
		else
			o.seed = (uint64_t)n;
	}
	if (rc != 0 || (rc = cli_open(cli, DB_INTERACTIVE)) != 0) {
		free_names(o.raters, o.nraters);
		free(o.aspects);
		return rc;
	}

	memset(&rp, 0, sizeof(rp));
	rp.o = &o;
	if (audit_load(cli->db, &o.sel, &rp.d, &err) < 0 ||
	    audit_by_dataset(cli->db, &rp.d, &rp.datasets, &rp.ndatasets, &err) < 0) {
		rc = cli_fail(cli, "%s", err.msg);
		goto out;
	}
	if (rp.d.nprompts == 0) {
		rc = cli_fail(cli, "the selection holds no prompts");
		goto out;
	}
	if (report_compute(&rp, &err) < 0) {
		rc = cli_fail(cli, "%s", err.msg);
		goto out;
	}
	section_header(&rp);
	section_summary(&rp);
	section_agreement(&rp);
	section_conflict(&rp);
	if (section_sources(&rp, &err) < 0) {
		rc = cli_fail(cli, "%s", err.msg);
		goto out;
	}
	section_definitions(&rp);
	sbuf_adds(&rp.h, "<footer><p class=\"note\">feedbench " FB_VERSION
			 " &middot; this page holds no scripts and loads nothing.</p></footer>\n"
			 "</body>\n</html>\n");
	if (export_file_open(&ef, o.out, &err) < 0) {
		rc = cli_fail(cli, "%s", err.msg);
		goto out;
	}
	if (fwrite(rp.h.buf, 1, rp.h.len, ef.f) != rp.h.len) {
		export_file_abort(&ef);
		rc = cli_fail(cli, "%s: write failed", o.out);
		goto out;
	}
	if (export_file_commit(&ef, &err) < 0) {
		rc = cli_fail(cli, "%s", err.msg);
		goto out;
	}
	if (strcmp(o.out, "-"))
		fprintf(stderr, "feedbench report: wrote %s (%zu prompts, %zu aspects, %zu raters)\n",
			o.out, rp.d.nprompts, rp.na, rp.nr);
out:
	report_release(&rp);
	cli_close(cli);
	free_names(o.raters, o.nraters);
	free(o.aspects);
	return rc;
}
