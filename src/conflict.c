/*
 * conflict.c - alignment-dimension conflict from ratings (see conflict.h).
 *
 * One pass over every completion pair of every prompt fills integer count
 * tables; the figures are ratios of those counts.  With a bootstrap, each
 * prompt's own counts are kept as a sparse vector (boot.h), so a resample
 * is a weighted sum of prompt vectors, never a second pass over pairs.
 */
#include "conflict.h"

#include <stdlib.h>
#include <string.h>

#include "boot.h"

/* Rounding allowance: consensus means are fractions held in doubles. */
#define EPS 1e-9

static const char WHY_TIE[] = "no pair has this aspect rated on both completions";
static const char WHY_CD[] = "no pair where both aspects decide (C + D = 0)";
static const char WHY_BOTH[] = "no pair rated on both aspects";
static const char WHY_DIR[] = "no pair rated on both aspects where the first decides";
static const char WHY_SELF[] = "an aspect against itself";
static const char WHY_DECISIVE[] = "no decisive pair";
static const char WHY_PROMPTS[] = "no prompt has a pair rated on a common aspect";
static const char WHY_WINNER[] = "no prompt has two aspects that each rate two or more completions";
static const char WHY_ACC[] = "no pair rated on both aspects where the second decides";
static const char WHY_BASE[] = "the aspect never decides a pair";
static const char WHY_ONE[] = "needs two or more aspects";
static const char WHY_ADC[] = "no ordered pair of aspects has a defined accuracy";

/* pi: the sign of d, 0 when |d| is under the margin m. */
static int pref(double d, double m)
{
	if (fabs(d) < m - EPS)
		return 0;
	return d > EPS ? 1 : d < -EPS ? -1 : 0;
}

/* ---- the count tables ------------------------------------------------------ */

/*
 * Positions in a prompt's bootstrap vector: C and D per cell, decisive and
 * incomparable pairs, then n and hits of A[i][j] and of A0[j].
 */
struct layout {
	size_t A, ncells;
	size_t c, d, dec, inc, an, as, bn, bs, dim;
};

static void layout_init(struct layout *l, size_t A)
{
	l->A = A;
	l->ncells = A * (A - 1) / 2;
	l->c = 0;
	l->d = l->ncells;
	l->dec = 2 * l->ncells;
	l->inc = l->dec + 1;
	l->an = l->inc + 1;
	l->as = l->an + A * A;
	l->bn = l->as + A * A;
	l->bs = l->bn + A;
	l->dim = l->bs + A;
}

struct counts {
	size_t A, ncells;
	size_t *cell;  /* A * A -> cell index for a < b */
	size_t pairs, decisive, incomparable;
	size_t *tie_n, *tie_c;          /* A */
	size_t *C, *D, *T;              /* ncells */
	double *inten;                  /* ncells: sum of max(0, -da db) */
	size_t *dir_n, *dir_d;          /* A * A */
	double *an, *as, *bn, *bs;      /* A * A, A * A, A, A */
	/* per pair scratch */
	int *pi, *def;
	double *delta;
	/* bootstrap */
	int boot;
	struct layout lay;
	struct boot_gsum g;
};

static void counts_init(struct counts *k, size_t A, int boot)
{
	size_t c = 0;

	memset(k, 0, sizeof(*k));
	k->A = A;
	k->ncells = A * (A - 1) / 2;
	k->cell = xcalloc(A * A, sizeof(*k->cell));
	for (size_t a = 0; a < A; a++)
		for (size_t b = a + 1; b < A; b++)
			k->cell[a * A + b] = c++;
	k->tie_n = xcalloc(A, sizeof(size_t));
	k->tie_c = xcalloc(A, sizeof(size_t));
	k->C = xcalloc(k->ncells + 1, sizeof(size_t));
	k->D = xcalloc(k->ncells + 1, sizeof(size_t));
	k->T = xcalloc(k->ncells + 1, sizeof(size_t));
	k->inten = xcalloc(k->ncells + 1, sizeof(double));
	k->dir_n = xcalloc(A * A, sizeof(size_t));
	k->dir_d = xcalloc(A * A, sizeof(size_t));
	k->an = xcalloc(A * A, sizeof(double));
	k->as = xcalloc(A * A, sizeof(double));
	k->bn = xcalloc(A, sizeof(double));
	k->bs = xcalloc(A, sizeof(double));
	k->pi = xcalloc(A, sizeof(int));
	k->def = xcalloc(A, sizeof(int));
	k->delta = xcalloc(A, sizeof(double));
	k->boot = boot;
	layout_init(&k->lay, A);
	if (boot)
		boot_gsum_init(&k->g, k->lay.dim);
}

static void counts_release(struct counts *k)
{
	free(k->cell);
	free(k->tie_n);
	free(k->tie_c);
	free(k->C);
	free(k->D);
	free(k->T);
	free(k->inten);
	free(k->dir_n);
	free(k->dir_d);
	free(k->an);
	free(k->as);
	free(k->bn);
	free(k->bs);
	free(k->pi);
	free(k->def);
	free(k->delta);
	if (k->boot)
		boot_gsum_release(&k->g);
}

/*
 * Fill pi/def/delta for completions x and y (value rows of A entries).
 * Returns the number of aspects rated on both.
 */
static size_t compare(const double *x, const double *y, size_t A, double m, int *pi, int *def,
		      double *delta)
{
	size_t n = 0;

	for (size_t a = 0; a < A; a++) {
		def[a] = !isnan(x[a]) && !isnan(y[a]);
		delta[a] = def[a] ? x[a] - y[a] : 0;
		pi[a] = def[a] ? pref(delta[a], m) : 0;
		n += def[a];
	}
	return n;
}

/* 1 if some aspect prefers the first completion and another the second. */
static int incomparable(const int *pi, size_t A, int *decisive)
{
	int pos = 0, neg = 0;

	for (size_t a = 0; a < A; a++) {
		pos |= pi[a] > 0;
		neg |= pi[a] < 0;
	}
	*decisive = pos || neg;
	return pos && neg;
}

static void gadd(struct counts *k, size_t i, double v)
{
	if (k->boot && v != 0)
		boot_gsum_add(&k->g, i, v);
}

/* Count one completion pair whose comparison is in k->pi/def/delta. */
static void count_pair(struct counts *k, double r2)
{
	size_t A = k->A;
	const int *pi = k->pi, *def = k->def;
	const double *dl = k->delta;
	double sum = 0, nd = 0;
	int dec, inc = incomparable(pi, A, &dec), po;

	k->pairs++;
	k->decisive += (size_t)dec;
	k->incomparable += (size_t)inc;
	gadd(k, k->lay.dec, dec);
	gadd(k, k->lay.inc, inc);
	for (size_t a = 0; a < A; a++) {
		if (!def[a])
			continue;
		k->tie_n[a]++;
		k->tie_c[a] += pi[a] == 0;
		sum += dl[a];
		nd++;
		for (size_t b = a + 1; b < A; b++) {
			size_t c = k->cell[a * A + b];
			int s = pi[a] * pi[b];

			if (!def[b])
				continue;
			if (s > 0) {
				k->C[c]++;
				gadd(k, k->lay.c + c, 1);
			} else if (s < 0) {
				k->D[c]++;
				gadd(k, k->lay.d + c, 1);
			} else {
				k->T[c]++;
			}
			if (-dl[a] * dl[b] > 0)
				k->inten[c] += -dl[a] * dl[b] / r2;
		}
	}
	for (size_t a = 0; a < A; a++) {
		if (!def[a] || pi[a] == 0)
			continue;
		for (size_t b = 0; b < A; b++)
			if (b != a && def[b]) {
				k->dir_n[a * A + b]++;
				k->dir_d[a * A + b] += pi[a] * pi[b] < 0;
			}
	}
	/* adc_proxy: the oracle for i judged on j, and the overall label */
	po = nd > 0 ? pref(sum / nd, 0) : 0;
	for (size_t j = 0; j < A; j++) {
		double hit;

		if (!def[j] || pi[j] == 0)
			continue;
		for (size_t i = 0; i < A; i++) {
			if (!def[i])
				continue;
			hit = pi[i] == pi[j] ? 1 : pi[i] == 0 ? 0.5 : 0;
			k->an[i * A + j] += 1;
			k->as[i * A + j] += hit;
			if (i != j) {
				gadd(k, k->lay.an + i * A + j, 1);
				gadd(k, k->lay.as + i * A + j, hit);
			}
		}
		hit = po == pi[j] ? 1 : po == 0 ? 0.5 : 0;
		k->bn[j] += 1;
		k->bs[j] += hit;
		gadd(k, k->lay.bn + j, 1);
		gadd(k, k->lay.bs + j, hit);
	}
}

/* ---- figures from counts --------------------------------------------------- */

/*
 * A[i][j], A0[j], rel and abs from hit counts; *left_out counts the ordered
 * pairs i != j whose A[i][j] or A0[j] is undefined.  acc/base may be
 * scratch the caller provides (A * A and A figures).
 */
static void adc_from(size_t A, const double *an, const double *as, const double *bn,
		     const double *bs, struct figure *acc, struct figure *base, struct figure *rel,
		     struct figure *abs_, size_t *left_out)
{
	double srel = 0, sabs = 0;
	size_t used = 0;

	for (size_t j = 0; j < A; j++)
		figure_ratio(&base[j], bs[j], bn[j], WHY_BASE);
	for (size_t i = 0; i < A; i++)
		for (size_t j = 0; j < A; j++)
			figure_ratio(&acc[i * A + j], as[i * A + j], an[i * A + j], WHY_ACC);
	*left_out = 0;
	for (size_t i = 0; i < A; i++)
		for (size_t j = 0; j < A; j++) {
			const struct figure *a = &acc[i * A + j];
			double d;

			if (i == j)
				continue;
			if (!a->ok || !base[j].ok) {
				(*left_out)++;
				continue;
			}
			d = a->v - base[j].v;
			srel += d < 0 ? d * d : 0;
			sabs += (1 - a->v) * (1 - a->v);
			used++;
		}
	if (A < 2) {
		figure_null(rel, WHY_ONE);
		figure_null(abs_, WHY_ONE);
	} else {
		figure_ratio(rel, srel, (double)used, WHY_ADC);
		figure_ratio(abs_, sabs, (double)used, WHY_ADC);
	}
}

struct boot_ctx {
	const struct counts *k;
};

static void resample(void *ctx, const uint32_t *w, size_t nb, double *out)
{
	const struct counts *k = ((const struct boot_ctx *)ctx)->k;
	const struct layout *l = &k->lay;
	size_t A = k->A, left, nstat = l->ncells + 2;
	double *tot = xmalloc(l->dim * nb * sizeof(*tot)), *t = xmalloc(l->dim * sizeof(*t));
	struct figure *acc = xcalloc(A * A, sizeof(*acc)), *base = xcalloc(A, sizeof(*base));
	struct figure rel, abs_;

	boot_gsum_total(&k->g, w, nb, tot);
	for (size_t b = 0; b < nb; b++) {
		double *row = out + b * nstat;

		for (size_t i = 0; i < l->dim; i++)
			t[i] = tot[i * nb + b];
		for (size_t c = 0; c < l->ncells; c++) {
			double cd = t[l->c + c] + t[l->d + c];

			row[c] = cd > 0 ? t[l->d + c] / cd : NAN;
		}
		row[l->ncells] = t[l->dec] > 0 ? t[l->inc] / t[l->dec] : NAN;
		adc_from(A, t + l->an, t + l->as, t + l->bn, t + l->bs, acc, base, &rel, &abs_,
			 &left);
		row[l->ncells + 1] = rel.ok ? rel.v : NAN;
	}
	free(tot);
	free(t);
	free(acc);
	free(base);
}

/* ---- per prompt ----------------------------------------------------------- */

double conflict_prompt_score(const double *s, size_t ncompl, size_t naspects, double min_margin,
			     size_t *pairs, size_t *incomp)
{
	int *pi = xcalloc(naspects + 1, sizeof(int)), *def = xcalloc(naspects + 1, sizeof(int));
	double *delta = xcalloc(naspects + 1, sizeof(double));
	size_t np = 0, ni = 0;
	int dec;

	for (size_t i = 0; i < ncompl; i++)
		for (size_t j = i + 1; j < ncompl; j++) {
			if (compare(s + i * naspects, s + j * naspects, naspects, min_margin, pi, def,
				    delta) == 0)
				continue;
			np++;
			ni += (size_t)incomparable(pi, naspects, &dec);
		}
	free(pi);
	free(def);
	free(delta);
	if (pairs)
		*pairs = np;
	if (incomp)
		*incomp = ni;
	return np ? (double)ni / (double)np : -1;
}

/*
 * Does the intersection of the aspects' top sets come out empty?  Returns
 * -1 when fewer than two aspects take part (rate two or more completions).
 */
static int winners_disagree(const double *s, size_t n, size_t A, unsigned char *in_all)
{
	size_t taking = 0, left = n;

	memset(in_all, 1, n);
	for (size_t a = 0; a < A; a++) {
		double best = -INFINITY;
		size_t rated = 0;

		for (size_t c = 0; c < n; c++)
			if (!isnan(s[c * A + a])) {
				rated++;
				if (s[c * A + a] > best)
					best = s[c * A + a];
			}
		if (rated < 2)
			continue;
		taking++;
		for (size_t c = 0; c < n; c++) {
			double v = s[c * A + a];

			if (in_all[c] && (isnan(v) || v < best - EPS)) {
				in_all[c] = 0;
				left--;
			}
		}
	}
	if (taking < 2)
		return -1;
	return left == 0;
}

/* ---- the whole computation ------------------------------------------------ */

static int check_input(const struct conflict_input *in, double m, struct fb_err *err)
{
	if (in->naspects < 1)
		return fb_error(err, "conflict: no aspects");
	if (!(in->range > 0) || !isfinite(in->range))
		return fb_error(err, "conflict: the scale range must be positive (got %g)", in->range);
	if (!(m >= 0) || !isfinite(m))
		return fb_error(err, "conflict: the minimum margin must be zero or more (got %g)", m);
	if (in->nprompts > 0 && !in->start)
		return fb_error(err, "conflict: no completion offsets");
	for (size_t p = 0; p < in->nprompts; p++) {
		if (in->start[p + 1] < in->start[p])
			return fb_error(err, "conflict: prompt %zu: completion offsets go back (%zu < %zu)",
					p, in->start[p + 1], in->start[p]);
		if (in->start[p + 1] > in->start[p] && !in->s)
			return fb_error(err, "conflict: no values");
		for (size_t c = in->start[p]; c < in->start[p + 1]; c++)
			for (size_t a = 0; a < in->naspects; a++) {
				double v = in->s[c * in->naspects + a];

				if (!isnan(v) && !isfinite(v))
					return fb_error(err,
							"conflict: prompt %zu, completion %zu, aspect %s: value is not finite",
							p, c - in->start[p],
							in->aspects && in->aspects[a] ? in->aspects[a] : "?");
			}
	}
	return 0;
}

static void set_cell_figures(struct conflict_result *res, const struct counts *k)
{
	for (size_t a = 0, c = 0; a < k->A; a++)
		for (size_t b = a + 1; b < k->A; b++, c++) {
			struct conflict_cell *x = &res->matrix[c];
			double C = (double)k->C[c], D = (double)k->D[c], T = (double)k->T[c];

			x->a = a;
			x->b = b;
			x->concordant = k->C[c];
			x->discordant = k->D[c];
			x->tied = k->T[c];
			figure_ratio(&x->conflict_rate, D, C + D, WHY_CD);
			figure_ratio(&x->conflict_rate_all, D, C + D + T, WHY_BOTH);
			figure_ratio(&x->gamma, C - D, C + D, WHY_CD);
			figure_ratio(&x->intensity, k->inten[c], C + D + T, WHY_BOTH);
		}
}

static void bootstrap(struct conflict_result *res, const struct counts *k, size_t ngroups,
		      const struct conflict_opts *opts)
{
	size_t B = opts->bootstrap, nstat = k->ncells + 2;
	double *s = xmalloc(B * nstat * sizeof(*s));
	struct boot_ctx ctx = {k};

	boot_run(ngroups, B, opts->seed, opts->threads, nstat, resample, &ctx, s);
	for (size_t c = 0; c < k->ncells; c++)
		boot_interval(&res->matrix[c].conflict_rate, s, B, nstat, c);
	boot_interval(&res->pareto_incomparable, s, B, nstat, k->ncells);
	boot_interval(&res->adc_rel, s, B, nstat, k->ncells + 1);
	free(s);
}

static void add_notes(struct conflict_result *res, size_t short_prompts, size_t adc_left_out)
{
	struct figure_notes *nl = &res->notes;
	struct sbuf path = SBUF_INIT;
	size_t A = res->naspects;

	if (short_prompts > 0)
		figure_notes_add(nl, "%zu prompts with fewer than two completions have no pairs",
				 short_prompts);
	for (size_t a = 0; a < A; a++) {
		sbuf_reset(&path);
		sbuf_addf(&path, "tie_rate.%s", res->aspects[a]);
		figure_notes_for(nl, sbuf_str(&path), &res->tie_rate[a]);
	}
	for (size_t c = 0; c < res->ncells; c++) {
		const struct conflict_cell *x = &res->matrix[c];
		static const char *const names[] = {"conflict_rate", "conflict_rate_all", "gamma",
						    "intensity"};
		const struct figure *f[] = {&x->conflict_rate, &x->conflict_rate_all, &x->gamma,
					    &x->intensity};

		for (size_t i = 0; i < ARRAY_LEN(names); i++) {
			sbuf_reset(&path);
			sbuf_addf(&path, "matrix[%s,%s].%s", res->aspects[x->a], res->aspects[x->b],
				  names[i]);
			figure_notes_for(nl, sbuf_str(&path), f[i]);
		}
	}
	for (size_t a = 0; a < A; a++)
		for (size_t b = 0; b < A; b++) {
			if (a == b)
				continue;
			sbuf_reset(&path);
			sbuf_addf(&path, "directional.%s.%s", res->aspects[a], res->aspects[b]);
			figure_notes_for(nl, sbuf_str(&path), &res->directional[a * A + b]);
		}
	figure_notes_for(nl, "pareto_incomparable", &res->pareto_incomparable);
	figure_notes_for(nl, "per_prompt.mean", &res->per_prompt_mean);
	figure_notes_for(nl, "per_prompt.prompts_with_conflict", &res->prompts_with_conflict);
	figure_notes_for(nl, "winner_disagreement", &res->winner_disagreement);
	figure_notes_for(nl, "adc_proxy.rel", &res->adc_rel);
	figure_notes_for(nl, "adc_proxy.abs", &res->adc_abs);
	for (size_t i = 0; i < A; i++)
		for (size_t j = 0; j < A; j++) {
			sbuf_reset(&path);
			sbuf_addf(&path, "adc_proxy.accuracy.%s.%s", res->aspects[i], res->aspects[j]);
			figure_notes_for(nl, sbuf_str(&path), &res->accuracy[i * A + j]);
		}
	for (size_t j = 0; j < A; j++) {
		sbuf_reset(&path);
		sbuf_addf(&path, "adc_proxy.baseline.%s", res->aspects[j]);
		figure_notes_for(nl, sbuf_str(&path), &res->baseline[j]);
	}
	if (adc_left_out > 0 && res->adc_rel.ok)
		figure_notes_add(nl,
				 "adc_proxy: %zu of %zu ordered aspect pairs have no defined accuracy and are left out of rel and abs",
				 adc_left_out, A * (A - 1));
	sbuf_release(&path);
}

int conflict_compute(const struct conflict_input *in, const struct conflict_opts *opts,
		     struct conflict_result **out, struct fb_err *err)
{
	struct conflict_opts dflt = {1, 0, 0, 0};
	struct conflict_result *res;
	struct counts k;
	size_t A = in->naspects, short_prompts = 0, with_conflict = 0, maxn = 0, adc_left = 0;
	size_t ngroups = 0;
	double score_sum = 0, r2 = in->range * in->range;
	unsigned char *in_all;
	size_t winners = 0, disagree = 0;

	*out = NULL;
	if (!opts)
		opts = &dflt;
	if (check_input(in, opts->min_margin, err) < 0)
		return -1;

	res = xcalloc(1, sizeof(*res));
	res->rater = in->rater ? xstrdup(in->rater) : NULL;
	res->naspects = A;
	res->aspects = xcalloc(A, sizeof(*res->aspects));
	for (size_t a = 0; a < A; a++)
		res->aspects[a] = xstrdup(in->aspects && in->aspects[a] ? in->aspects[a] : "?");
	res->min_margin = opts->min_margin;
	res->range = in->range;
	res->bootstrap = opts->bootstrap;
	res->seed = opts->seed;
	res->nprompts_in = in->nprompts;
	res->per_prompt = xcalloc(in->nprompts + 1, sizeof(*res->per_prompt));

	for (size_t p = 0; p < in->nprompts; p++)
		if (in->start[p + 1] - in->start[p] > maxn)
			maxn = in->start[p + 1] - in->start[p];
	in_all = xmalloc(maxn + 1);

	counts_init(&k, A, opts->bootstrap > 0);
	for (size_t p = 0; p < in->nprompts; p++) {
		const double *s = in->s ? in->s + in->start[p] * A : NULL;
		size_t n = in->start[p + 1] - in->start[p];
		struct conflict_prompt *pp = &res->per_prompt[p];
		size_t pairs0 = k.pairs, dec0 = k.decisive, inc0 = k.incomparable;
		int wd;

		if (n < 2)
			short_prompts++;
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (compare(s + i * A, s + j * A, A, opts->min_margin, k.pi, k.def,
					    k.delta) > 0)
					count_pair(&k, r2);
		pp->pairs = k.pairs - pairs0;
		pp->decisive = k.decisive - dec0;
		pp->incomparable = k.incomparable - inc0;
		if (pp->pairs > 0) {
			size_t bin = CONFLICT_HIST_BINS * pp->incomparable / pp->pairs;

			pp->ok = 1;
			pp->score = (double)pp->incomparable / (double)pp->pairs;
			res->prompts++;
			score_sum += pp->score;
			with_conflict += pp->incomparable > 0;
			res->histogram[bin < CONFLICT_HIST_BINS ? bin : CONFLICT_HIST_BINS - 1]++;
			/* only prompts with a pair are in the data the bootstrap resamples */
			if (k.boot) {
				boot_gsum_close(&k.g);
				ngroups++;
			}
		}
		wd = n >= 2 ? winners_disagree(s, n, A, in_all) : -1;
		if (wd >= 0) {
			winners++;
			disagree += (size_t)wd;
		}
	}
	res->pairs = k.pairs;
	res->scored_prompts = res->prompts;

	res->tie_n = xcalloc(A, sizeof(*res->tie_n));
	res->tie_rate = xcalloc(A, sizeof(*res->tie_rate));
	for (size_t a = 0; a < A; a++) {
		res->tie_n[a] = k.tie_n[a];
		figure_ratio(&res->tie_rate[a], (double)k.tie_c[a], (double)k.tie_n[a], WHY_TIE);
	}
	res->ncells = k.ncells;
	res->matrix = xcalloc(k.ncells + 1, sizeof(*res->matrix));
	set_cell_figures(res, &k);
	res->directional = xcalloc(A * A, sizeof(*res->directional));
	res->directional_n = xcalloc(A * A, sizeof(*res->directional_n));
	memcpy(res->directional_n, k.dir_n, A * A * sizeof(*res->directional_n));
	for (size_t a = 0; a < A; a++)
		for (size_t b = 0; b < A; b++) {
			if (a == b)
				figure_null(&res->directional[a * A + b], WHY_SELF);
			else
				figure_ratio(&res->directional[a * A + b], (double)k.dir_d[a * A + b],
					     (double)k.dir_n[a * A + b], WHY_DIR);
		}
	res->decisive_pairs = k.decisive;
	res->incomparable_pairs = k.incomparable;
	figure_ratio(&res->pareto_incomparable, (double)k.incomparable, (double)k.decisive,
		     WHY_DECISIVE);
	figure_ratio(&res->per_prompt_mean, score_sum, (double)res->prompts, WHY_PROMPTS);
	figure_ratio(&res->prompts_with_conflict, (double)with_conflict, (double)res->prompts,
		     WHY_PROMPTS);
	res->winner_prompts = winners;
	figure_ratio(&res->winner_disagreement, (double)disagree, (double)winners, WHY_WINNER);
	res->accuracy = xcalloc(A * A, sizeof(*res->accuracy));
	res->baseline = xcalloc(A, sizeof(*res->baseline));
	res->accuracy_n = xcalloc(A * A, sizeof(*res->accuracy_n));
	res->baseline_n = xcalloc(A, sizeof(*res->baseline_n));
	for (size_t i = 0; i < A * A; i++)
		res->accuracy_n[i] = (size_t)k.an[i];
	for (size_t j = 0; j < A; j++)
		res->baseline_n[j] = (size_t)k.bn[j];
	adc_from(A, k.an, k.as, k.bn, k.bs, res->accuracy, res->baseline, &res->adc_rel,
		 &res->adc_abs, &adc_left);
	res->adc_pairs = A * (A - 1) - adc_left;
	if (opts->bootstrap > 0)
		bootstrap(res, &k, ngroups, opts);
	add_notes(res, short_prompts, adc_left);

	counts_release(&k);
	free(in_all);
	*out = res;
	return 0;
}

void conflict_result_free(struct conflict_result *res)
{
	if (!res)
		return;
	for (size_t a = 0; a < res->naspects; a++)
		free(res->aspects[a]);
	free(res->aspects);
	free(res->rater);
	free(res->tie_rate);
	free(res->tie_n);
	free(res->matrix);
	free(res->directional);
	free(res->accuracy);
	free(res->baseline);
	free(res->directional_n);
	free(res->accuracy_n);
	free(res->baseline_n);
	free(res->per_prompt);
	figure_notes_release(&res->notes);
	free(res);
}

/* ---- output ---------------------------------------------------------------- */

cJSON *conflict_json(const struct conflict_result *res)
{
	size_t A = res->naspects;
	cJSON *root = figure_json_new(), *arr, *obj, *pp, *adc, *acc, *base;

	figure_json_string(root, "rater", res->rater);
	arr = figure_json_array(root, "aspects");
	for (size_t a = 0; a < A; a++)
		figure_json_push_string(arr, res->aspects[a]);
	figure_json_count(root, "prompts", (double)res->prompts);
	figure_json_count(root, "pairs", (double)res->pairs);
	figure_json_count(root, "min_margin", res->min_margin);
	obj = figure_json_object(root, "tie_rate");
	for (size_t a = 0; a < A; a++)
		figure_json_add(obj, res->aspects[a], &res->tie_rate[a]);
	arr = figure_json_array(root, "matrix");
	for (size_t c = 0; c < res->ncells; c++) {
		const struct conflict_cell *x = &res->matrix[c];
		cJSON *o = figure_json_push_object(arr);

		figure_json_string(o, "a", res->aspects[x->a]);
		figure_json_string(o, "b", res->aspects[x->b]);
		figure_json_count(o, "concordant", (double)x->concordant);
		figure_json_count(o, "discordant", (double)x->discordant);
		figure_json_count(o, "tied", (double)x->tied);
		figure_json_add(o, "conflict_rate", &x->conflict_rate);
		figure_json_add(o, "conflict_rate_all", &x->conflict_rate_all);
		figure_json_add(o, "gamma", &x->gamma);
		figure_json_add(o, "intensity", &x->intensity);
	}
	obj = figure_json_object(root, "directional");
	for (size_t a = 0; a < A; a++) {
		cJSON *row = figure_json_object(obj, res->aspects[a]);

		for (size_t b = 0; b < A; b++)
			if (b != a)
				figure_json_add(row, res->aspects[b], &res->directional[a * A + b]);
	}
	figure_json_add(root, "pareto_incomparable", &res->pareto_incomparable);
	figure_json_count(root, "decisive_pairs", (double)res->decisive_pairs);
	pp = figure_json_object(root, "per_prompt");
	figure_json_add(pp, "mean", &res->per_prompt_mean);
	figure_json_add(pp, "prompts_with_conflict", &res->prompts_with_conflict);
	arr = figure_json_array(pp, "histogram");
	for (size_t i = 0; i < CONFLICT_HIST_BINS; i++)
		figure_json_push_number(arr, (double)res->histogram[i]);
	figure_json_add(root, "winner_disagreement", &res->winner_disagreement);
	adc = figure_json_object(root, "adc_proxy");
	figure_json_add(adc, "rel", &res->adc_rel);
	figure_json_add(adc, "abs", &res->adc_abs);
	acc = figure_json_object(adc, "accuracy");
	for (size_t i = 0; i < A; i++) {
		cJSON *row = figure_json_object(acc, res->aspects[i]);

		for (size_t j = 0; j < A; j++)
			figure_json_add(row, res->aspects[j], &res->accuracy[i * A + j]);
	}
	base = figure_json_object(adc, "baseline");
	for (size_t j = 0; j < A; j++)
		figure_json_add(base, res->aspects[j], &res->baseline[j]);
	figure_json_notes(root, &res->notes);
	return root;
}

#define COLW 10 /* grid column width; headers are cut to COLW - 1 */

static int label_width(const struct conflict_result *res)
{
	int w = 6;

	for (size_t a = 0; a < res->naspects; a++) {
		int l = (int)strlen(res->aspects[a]);

		if (l > w)
			w = l;
	}
	return w > 28 ? 28 : w;
}

/* A naspects x naspects grid of figures; the diagonal shows dot. */
static void grid(struct sbuf *sb, const struct conflict_result *res, const char *title,
		 const struct figure *(*cell)(const struct conflict_result *, size_t, size_t),
		 const char *dot)
{
	int w = label_width(res);
	char buf[32];

	sbuf_addf(sb, "\n%s\n  %-*s", title, w, "");
	for (size_t b = 0; b < res->naspects; b++)
		sbuf_addf(sb, " %*.*s", COLW, COLW - 1, res->aspects[b]);
	sbuf_addc(sb, '\n');
	for (size_t a = 0; a < res->naspects; a++) {
		sbuf_addf(sb, "  %-*.*s", w, w, res->aspects[a]);
		for (size_t b = 0; b < res->naspects; b++) {
			const struct figure *f = cell(res, a, b);

			sbuf_addf(sb, " %*s", COLW, a == b && dot ? dot : figure_fmt(buf, f, 3, 0));
		}
		sbuf_addc(sb, '\n');
	}
}

static const struct figure *conflict_cell_at(const struct conflict_result *res, size_t a, size_t b)
{
	size_t lo = a < b ? a : b, hi = a < b ? b : a, c = 0;

	if (a == b)
		return &res->directional[a * res->naspects + a]; /* a null, shown as dot */
	for (size_t x = 0; x < lo; x++)
		c += res->naspects - x - 1;
	return &res->matrix[c + hi - lo - 1].conflict_rate;
}

static const struct figure *directional_at(const struct conflict_result *res, size_t a, size_t b)
{
	return &res->directional[a * res->naspects + b];
}

static const struct figure *accuracy_at(const struct conflict_result *res, size_t a, size_t b)
{
	return &res->accuracy[a * res->naspects + b];
}

static void table_cells(struct sbuf *sb, const struct conflict_result *res)
{
	char r[32], ci[64], all[32], g[32], in[32];
	int w = label_width(res), cw = res->bootstrap ? 18 : 0; /* the interval column */

	sbuf_addf(sb, "\n  %-*s %-*s %8s %8s %8s %8s %-*s %8s %7s %9s\n", w, "aspect a", w,
		  "aspect b", "C", "D", "T", "conflict", cw, res->bootstrap ? "95% CI" : "", "all",
		  "gamma", "intensity");
	for (size_t c = 0; c < res->ncells; c++) {
		const struct conflict_cell *x = &res->matrix[c];

		sbuf_addf(sb, "  %-*.*s %-*.*s %8zu %8zu %8zu %8s %-*s %8s %7s %9s\n", w, w,
			  res->aspects[x->a], w, w, res->aspects[x->b], x->concordant, x->discordant,
			  x->tied, figure_fmt(r, &x->conflict_rate, 3, 0), cw,
			  figure_fmt_ci(ci, &x->conflict_rate, 3),
			  figure_fmt(all, &x->conflict_rate_all, 3, 0), figure_fmt(g, &x->gamma, 3, 1),
			  figure_fmt(in, &x->intensity, 4, 0));
	}
}

static void table_histogram(struct sbuf *sb, const struct conflict_result *res)
{
	size_t most = 0;

	for (size_t i = 0; i < CONFLICT_HIST_BINS; i++)
		if (res->histogram[i] > most)
			most = res->histogram[i];
	for (size_t i = 0; i < CONFLICT_HIST_BINS; i++) {
		size_t bar = most ? (res->histogram[i] * 40 + most - 1) / most : 0;

		sbuf_addf(sb, "    [%.1f, %.1f%c %8zu%s", (double)i / CONFLICT_HIST_BINS,
			  (double)(i + 1) / CONFLICT_HIST_BINS,
			  i + 1 == CONFLICT_HIST_BINS ? ']' : ')', res->histogram[i], bar ? "  " : "");
		for (size_t b = 0; b < bar; b++)
			sbuf_addc(sb, '#');
		sbuf_addc(sb, '\n');
	}
}

void conflict_table(struct sbuf *sb, const struct conflict_result *res)
{
	char v[32], ci[64];
	int w = label_width(res);

	sbuf_addf(sb, "conflict: rater %s, %zu aspects, %zu prompts, %zu pairs, min margin %g, scale range %g\n",
		  res->rater ? res->rater : "-", res->naspects, res->prompts, res->pairs,
		  res->min_margin, res->range);
	if (res->bootstrap > 0)
		sbuf_addf(sb, "bootstrap: %zu resamples of prompts, seed %llu, 95%% percentile intervals\n",
			  res->bootstrap, (unsigned long long)res->seed);
	sbuf_adds(sb, "\ntie rate (share of pairs an aspect calls a tie)\n");
	for (size_t a = 0; a < res->naspects; a++)
		sbuf_addf(sb, "  %-*s %7s  (n %zu)\n", w, res->aspects[a],
			  figure_fmt(v, &res->tie_rate[a], 3, 0), res->tie_n[a]);
	grid(sb, res, "conflict rate D/(C+D): share of pairs two aspects both decide, in opposite directions",
	     conflict_cell_at, ".");
	table_cells(sb, res);
	grid(sb, res, "directional P(b prefers the other | a decides): rows a, columns b",
	     directional_at, ".");
	sbuf_addf(sb, "\npareto_incomparable    %s %s  of %zu decisive pairs (%zu incomparable)\n",
		  figure_fmt(v, &res->pareto_incomparable, 3, 0),
		  figure_fmt_ci(ci, &res->pareto_incomparable, 3), res->decisive_pairs,
		  res->incomparable_pairs);
	sbuf_addf(sb, "per prompt mean        %s  over %zu prompts\n",
		  figure_fmt(v, &res->per_prompt_mean, 3, 0), res->scored_prompts);
	sbuf_addf(sb, "prompts_with_conflict  %s\n",
		  figure_fmt(v, &res->prompts_with_conflict, 3, 0));
	sbuf_adds(sb, "  per-prompt conflict score (share of its pairs that are Pareto-incomparable):\n");
	table_histogram(sb, res);
	sbuf_addf(sb, "winner_disagreement    %s  of %zu prompts\n",
		  figure_fmt(v, &res->winner_disagreement, 3, 0), res->winner_prompts);
	sbuf_addf(sb, "\nadc_proxy (label-level proxy of Hummer's ADC)  rel %s %s",
		  figure_fmt(v, &res->adc_rel, 5, 0), figure_fmt_ci(ci, &res->adc_rel, 5));
	sbuf_addf(sb, "  abs %s\n", figure_fmt(v, &res->adc_abs, 5, 0));
	grid(sb, res, "accuracy A[i][j] of an oracle following i, judged on j: rows i, columns j",
	     accuracy_at, NULL);
	sbuf_addf(sb, "  %-*s", w, "baseline A0");
	for (size_t j = 0; j < res->naspects; j++)
		sbuf_addf(sb, " %*s", COLW, figure_fmt(v, &res->baseline[j], 3, 0));
	sbuf_addc(sb, '\n');
	if (res->notes.n > 0) {
		sbuf_adds(sb, "\nnotes:\n");
		for (size_t i = 0; i < res->notes.n; i++)
			sbuf_addf(sb, "  - %s\n", res->notes.items[i]);
	}
}

static void csv_row(struct sbuf *sb, const struct conflict_result *res, const char *figure,
		    const char *a, const char *b, double n, const struct figure *f)
{
	figure_csv_field(sb, res->rater);
	sbuf_addc(sb, ',');
	figure_csv_field(sb, figure);
	sbuf_addc(sb, ',');
	figure_csv_field(sb, a);
	sbuf_addc(sb, ',');
	figure_csv_field(sb, b);
	sbuf_addf(sb, ",%.0f", n);
	figure_csv_value(sb, f);
	sbuf_addc(sb, '\n');
}

static void csv_count(struct sbuf *sb, const struct conflict_result *res, const char *figure,
		      const char *a, const char *b, double n, double count)
{
	struct figure f = {0};

	figure_set(&f, count);
	csv_row(sb, res, figure, a, b, n, &f);
}

void conflict_csv(struct sbuf *sb, const struct conflict_result *res, int header)
{
	size_t A = res->naspects;
	char bin[32];

	if (header)
		sbuf_adds(sb, "rater,figure,a,b,n,value,ci_lo,ci_hi\n");
	csv_count(sb, res, "prompts", NULL, NULL, (double)res->prompts, (double)res->prompts);
	csv_count(sb, res, "pairs", NULL, NULL, (double)res->pairs, (double)res->pairs);
	csv_count(sb, res, "min_margin", NULL, NULL, (double)res->pairs, res->min_margin);
	for (size_t a = 0; a < A; a++)
		csv_row(sb, res, "tie_rate", res->aspects[a], NULL, (double)res->tie_n[a],
			&res->tie_rate[a]);
	for (size_t c = 0; c < res->ncells; c++) {
		const struct conflict_cell *x = &res->matrix[c];
		const char *a = res->aspects[x->a], *b = res->aspects[x->b];
		double all = (double)(x->concordant + x->discordant + x->tied);

		csv_count(sb, res, "concordant", a, b, all, (double)x->concordant);
		csv_count(sb, res, "discordant", a, b, all, (double)x->discordant);
		csv_count(sb, res, "tied", a, b, all, (double)x->tied);
		csv_row(sb, res, "conflict_rate", a, b, (double)(x->concordant + x->discordant),
			&x->conflict_rate);
		csv_row(sb, res, "conflict_rate_all", a, b, all, &x->conflict_rate_all);
		csv_row(sb, res, "gamma", a, b, (double)(x->concordant + x->discordant), &x->gamma);
		csv_row(sb, res, "intensity", a, b, all, &x->intensity);
	}
	for (size_t a = 0; a < A; a++)
		for (size_t b = 0; b < A; b++)
			if (a != b)
				csv_row(sb, res, "directional", res->aspects[a], res->aspects[b],
					(double)res->directional_n[a * A + b],
					&res->directional[a * A + b]);
	csv_row(sb, res, "pareto_incomparable", NULL, NULL, (double)res->decisive_pairs,
		&res->pareto_incomparable);
	csv_count(sb, res, "decisive_pairs", NULL, NULL, (double)res->pairs,
		  (double)res->decisive_pairs);
	csv_row(sb, res, "per_prompt_mean", NULL, NULL, (double)res->scored_prompts,
		&res->per_prompt_mean);
	csv_row(sb, res, "prompts_with_conflict", NULL, NULL, (double)res->scored_prompts,
		&res->prompts_with_conflict);
	for (size_t i = 0; i < CONFLICT_HIST_BINS; i++) {
		snprintf(bin, sizeof(bin), "%.1f-%.1f", (double)i / CONFLICT_HIST_BINS,
			 (double)(i + 1) / CONFLICT_HIST_BINS);
		csv_count(sb, res, "per_prompt_histogram", bin, NULL, (double)res->scored_prompts,
			  (double)res->histogram[i]);
	}
	csv_row(sb, res, "winner_disagreement", NULL, NULL, (double)res->winner_prompts,
		&res->winner_disagreement);
	csv_row(sb, res, "adc_proxy_rel", NULL, NULL, (double)res->adc_pairs, &res->adc_rel);
	csv_row(sb, res, "adc_proxy_abs", NULL, NULL, (double)res->adc_pairs, &res->adc_abs);
	for (size_t i = 0; i < A; i++)
		for (size_t j = 0; j < A; j++)
			csv_row(sb, res, "adc_proxy_accuracy", res->aspects[i], res->aspects[j],
				(double)res->accuracy_n[i * A + j], &res->accuracy[i * A + j]);
	for (size_t j = 0; j < A; j++)
		csv_row(sb, res, "adc_proxy_baseline", NULL, res->aspects[j],
			(double)res->baseline_n[j], &res->baseline[j]);
}
