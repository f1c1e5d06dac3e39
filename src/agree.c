/*
 * agree.c - inter-rater agreement for one aspect (see agree.h).
 *
 * Every figure is a function of a few count tables: the pair confusion
 * matrices, the coincidence matrix and Fleiss' per-category totals.  The
 * ratings are read once into those tables; the figures are then computed
 * from the tables alone, which is what makes the bootstrap cheap: a
 * resample only re-weights per-group tables (boot.h).
 */
#include "agree.h"

#include <stdlib.h>
#include <string.h>

#include "boot.h"

const char *const agree_level_names[AGREE_NLEVELS] = {"nominal", "ordinal", "interval", "ratio"};

static const char WHY_NO_SHARED[] = "no units rated by both";
static const char WHY_FEW_SHARED[] = "fewer than two units rated by both";
static const char WHY_NO_EXPECTED[] =
	"no expected disagreement: both raters gave one and the same value throughout";
static const char WHY_FLAT_RATER[] = "zero variance: a rater gave the same value throughout";
static const char WHY_NO_PAIRABLE[] = "no unit has two or more ratings";
static const char WHY_ALL_SAME[] = "no variation: every pairable rating has the same value";
static const char WHY_NEGATIVE[] = "the ratio level needs a scale without negative values";
static const char WHY_FLEISS_SAME[] = "no variation: every rating is in the same category";

enum weight { W_NONE, W_LINEAR, W_QUADRATIC };

/* ---- figures from count tables -------------------------------------------- */

static double weight(enum weight wt, size_t i, size_t j)
{
	double d = (double)i - (double)j;

	switch (wt) {
	case W_NONE:
		return i != j;
	case W_LINEAR:
		return fabs(d);
	case W_QUADRATIC:
		return d * d;
	}
	return 0;
}

/* Cohen's kappa from a k x k confusion table: 1 - sum(w o) / sum(w e). */
static void cohen_from(struct figure *f, const double *o, size_t k, enum weight wt)
{
	double *a = xcalloc(k, sizeof(*a)), *b = xcalloc(k, sizeof(*b));
	double n = 0, obs = 0, exp = 0;

	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++) {
			a[i] += o[i * k + j];
			b[j] += o[i * k + j];
			n += o[i * k + j];
		}
	if (n == 0) {
		figure_null(f, WHY_NO_SHARED);
	} else {
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++) {
				double w = weight(wt, i, j);

				obs += w * o[i * k + j];
				exp += w * a[i] * b[j] / n;
			}
		if (exp == 0)
			figure_null(f, WHY_NO_EXPECTED);
		else
			figure_set(f, 1 - obs / exp);
	}
	free(a);
	free(b);
}

/* Mid-rank of each category: the ranks its tied units share, averaged. */
static void mid_ranks(const double *count, size_t k, double *rank)
{
	double below = 0;

	for (size_t i = 0; i < k; i++) {
		rank[i] = below + (count[i] + 1) / 2;
		below += count[i];
	}
}

static void spearman_from(struct figure *f, const double *o, const double *a,
			  const double *b, double n, size_t k)
{
	double *ra, *rb, mean = (n + 1) / 2, sxx = 0, syy = 0, sxy = 0;

	if (n < 2) {
		figure_null(f, n < 1 ? WHY_NO_SHARED : WHY_FEW_SHARED);
		return;
	}
	ra = xmalloc(k * sizeof(*ra));
	rb = xmalloc(k * sizeof(*rb));
	mid_ranks(a, k, ra);
	mid_ranks(b, k, rb);
	for (size_t i = 0; i < k; i++) {
		sxx += a[i] * (ra[i] - mean) * (ra[i] - mean);
		syy += b[i] * (rb[i] - mean) * (rb[i] - mean);
		for (size_t j = 0; j < k; j++)
			sxy += o[i * k + j] * (ra[i] - mean) * (rb[j] - mean);
	}
	if (sxx == 0 || syy == 0)
		figure_null(f, WHY_FLAT_RATER);
	else
		figure_set(f, sxy / sqrt(sxx * syy));
	free(ra);
	free(rb);
}

/*
 * Kendall's tau-b from the table: a unit in cell (i, j) is concordant with
 * every unit in a cell (i' > i, j' > j) and discordant with every unit in
 * (i' > i, j' < j).  up[i][j] counts the cells i' >= i, j' >= j and dn[i][j]
 * the cells i' >= i, j' <= j, so each cell needs O(1) work.
 */
static void kendall_from(struct figure *f, const double *o, const double *a,
			 const double *b, double n, size_t k)
{
	size_t k1 = k + 2; /* a border of zeros on every side */
	double *up, *dn, C = 0, D = 0, n0, n1 = 0, n2 = 0, den;

	if (n < 2) {
		figure_null(f, n < 1 ? WHY_NO_SHARED : WHY_FEW_SHARED);
		return;
	}
	up = xcalloc(k1 * k1, sizeof(*up));
	dn = xcalloc(k1 * k1, sizeof(*dn));
	/* table cell (i, j) sits at (i + 1, j + 1) */
	for (size_t i = k; i >= 1; i--) {
		for (size_t j = k; j >= 1; j--)
			up[i * k1 + j] = o[(i - 1) * k + (j - 1)] + up[(i + 1) * k1 + j] +
					 up[i * k1 + j + 1] - up[(i + 1) * k1 + j + 1];
		for (size_t j = 1; j <= k; j++)
			dn[i * k1 + j] = o[(i - 1) * k + (j - 1)] + dn[(i + 1) * k1 + j] +
					 dn[i * k1 + j - 1] - dn[(i + 1) * k1 + j - 1];
	}
	for (size_t i = 1; i <= k; i++)
		for (size_t j = 1; j <= k; j++) {
			double c = o[(i - 1) * k + (j - 1)];

			C += c * up[(i + 1) * k1 + j + 1];
			D += c * dn[(i + 1) * k1 + j - 1];
		}
	for (size_t i = 0; i < k; i++) {
		n1 += a[i] * (a[i] - 1) / 2;
		n2 += b[i] * (b[i] - 1) / 2;
	}
	n0 = n * (n - 1) / 2;
	den = (n0 - n1) * (n0 - n2);
	if (den <= 0)
		figure_null(f, WHY_FLAT_RATER);
	else
		figure_set(f, (C - D) / sqrt(den));
	free(up);
	free(dn);
}

/* Every two-rater figure from the pair's confusion table. */
static void pair_from(struct agree_pair *p, const double *o, size_t k)
{
	double *a = xcalloc(k, sizeof(*a)), *b = xcalloc(k, sizeof(*b));
	double n = 0, same = 0, near = 0, diff = 0, adiff = 0;

	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++) {
			double c = o[i * k + j], d = (double)i - (double)j;

			a[i] += c;
			b[j] += c;
			n += c;
			same += i == j ? c : 0;
			near += fabs(d) <= 1 ? c : 0;
			diff += c * d;
			adiff += c * fabs(d);
		}
	figure_ratio(&p->exact, same, n, WHY_NO_SHARED);
	figure_ratio(&p->within1, near, n, WHY_NO_SHARED);
	figure_ratio(&p->mean_diff, diff, n, WHY_NO_SHARED);
	figure_ratio(&p->mean_abs_diff, adiff, n, WHY_NO_SHARED);
	cohen_from(&p->kappa, o, k, W_NONE);
	cohen_from(&p->kappa_linear, o, k, W_LINEAR);
	cohen_from(&p->kappa_quadratic, o, k, W_QUADRATIC);
	spearman_from(&p->spearman, o, a, b, n, k);
	kendall_from(&p->kendall_tau_b, o, a, b, n, k);
	free(a);
	free(b);
}

/* Squared distance between categories c and e (values min + c, min + e). */
static double delta(enum agree_level lv, size_t c, size_t e, int min, const double *cum,
		    const double *nc)
{
	double x = min + (double)c, y = min + (double)e, d;

	if (c == e)
		return 0;
	switch (lv) {
	case AGREE_NOMINAL:
		return 1;
	case AGREE_ORDINAL: {
		size_t lo = c < e ? c : e, hi = c < e ? e : c;

		/* sum of n_g for g = lo..hi, minus half of the two ends */
		d = cum[hi + 1] - cum[lo] - (nc[lo] + nc[hi]) / 2;
		return d * d;
	}
	case AGREE_INTERVAL:
		return (x - y) * (x - y);
	case AGREE_RATIO:
		d = (x - y) / (x + y);
		return d * d;
	default:
		return 0;
	}
}

/* Krippendorff's alpha from the k x k coincidence matrix o. */
static void alpha_from(struct figure *f, const double *o, size_t k, int min, enum agree_level lv)
{
	double *nc, *cum, n = 0, dobs = 0, dexp = 0;

	if (lv == AGREE_RATIO && min < 0) {
		figure_null(f, WHY_NEGATIVE);
		return;
	}
	nc = xcalloc(k, sizeof(*nc));
	cum = xcalloc(k + 1, sizeof(*cum));
	for (size_t c = 0; c < k; c++) {
		for (size_t e = 0; e < k; e++)
			nc[c] += o[c * k + e];
		n += nc[c];
		cum[c + 1] = cum[c] + nc[c];
	}
	if (n == 0) {
		figure_null(f, WHY_NO_PAIRABLE);
	} else {
		for (size_t c = 0; c < k; c++)
			for (size_t e = 0; e < k; e++) {
				double d;

				if (c == e)
					continue;
				d = delta(lv, c, e, min, cum, nc);
				dobs += o[c * k + e] * d;
				dexp += nc[c] * nc[e] * d;
			}
		if (dexp <= 0)
			figure_null(f, WHY_ALL_SAME);
		else
			figure_set(f, 1 - (n - 1) * dobs / dexp);
	}
	free(nc);
	free(cum);
}

/* Fleiss' kappa from t: k category totals, then units, then sum of P_u. */
static void fleiss_from(struct figure *f, const double *t, size_t k, size_t m)
{
	double units = t[k], pbar, pe = 0;

	if (units == 0 || m < 2) {
		figure_null(f, WHY_NO_PAIRABLE);
		return;
	}
	pbar = t[k + 1] / units;
	for (size_t c = 0; c < k; c++) {
		double p = t[c] / (units * (double)m);

		pe += p * p;
	}
	if (1 - pe < 1e-12)
		figure_null(f, WHY_FLEISS_SAME);
	else
		figure_set(f, (pbar - pe) / (1 - pe));
}

/* ---- reading the ratings -------------------------------------------------- */

struct tables {
	size_t k, R, npairs;
	int min;
	size_t fleiss_m;
	double *coinc;       /* k * k */
	double *fleiss;      /* k + 2 */
	double **conf;       /* npairs tables of k * k */
	size_t *pr1, *pr2;   /* the raters of each pair */
	int boot;            /* also keep per-group tables */
	struct boot_gsum g_coinc, g_fleiss, *g_conf;
};

/* Categories (value - min) of every rating, -1 for missing; -1 on bad input. */
static int categorise(const struct agree_input *in, short *cat, struct fb_err *err)
{
	for (size_t u = 0; u < in->nunits; u++)
		for (size_t r = 0; r < in->nraters; r++) {
			double v = in->x[u * in->nraters + r];

			if (isnan(v)) {
				cat[u * in->nraters + r] = -1;
				continue;
			}
			if (!(v >= in->scale_min && v <= in->scale_max) || v != floor(v))
				return fb_error(err,
						"aspect %s: unit %zu, rater %s: rating %g is not a whole number from %d to %d",
						in->aspect ? in->aspect : "?", u,
						in->raters && in->raters[r] ? in->raters[r] : "?", v,
						in->scale_min, in->scale_max);
			cat[u * in->nraters + r] = (short)(v - in->scale_min);
		}
	return 0;
}

/*
 * Units in group order: order[gstart[g] .. gstart[g+1]) are group g's
 * pairable units (two or more ratings; no figure uses the others).  Groups
 * without one are dropped, so the bootstrap resamples only prompts that
 * are in the data; *ngroups is the number kept.  -1 when a group index is
 * out of range.
 */
static int group_units(const struct agree_input *in, const short *cat, size_t **order,
		       size_t **gstart, size_t *ngroups, struct fb_err *err)
{
	size_t G = in->group ? in->ngroups : in->nunits, kept = 0, pos = 0;
	size_t *cnt = xcalloc(G + 1, sizeof(*cnt)), *map, *fill;
	unsigned char *pairable = xcalloc(in->nunits ? in->nunits : 1, 1);

	for (size_t u = 0; u < in->nunits; u++) {
		size_t g = in->group ? in->group[u] : u;

		if (g >= G) {
			free(cnt);
			free(pairable);
			return fb_error(err, "aspect %s: unit %zu has group %zu, but there are %zu groups",
					in->aspect ? in->aspect : "?", u, g, G);
		}
		for (size_t r = 0, m = 0; r < in->nraters; r++)
			if (cat[u * in->nraters + r] >= 0 && ++m == 2)
				pairable[u] = 1;
		cnt[g] += pairable[u];
	}
	map = xmalloc((G + 1) * sizeof(*map));
	for (size_t g = 0; g < G; g++)
		map[g] = cnt[g] ? kept++ : SIZE_MAX;
	*gstart = xcalloc(kept + 1, sizeof(**gstart));
	for (size_t g = 0; g < G; g++)
		if (cnt[g]) {
			(*gstart)[map[g]] = pos;
			pos += cnt[g];
		}
	(*gstart)[kept] = pos;
	*order = xmalloc((pos ? pos : 1) * sizeof(**order));
	fill = xcalloc(kept + 1, sizeof(*fill));
	for (size_t u = 0; u < in->nunits; u++) {
		size_t g;

		if (!pairable[u])
			continue;
		g = map[in->group ? in->group[u] : u];
		(*order)[(*gstart)[g] + fill[g]++] = u;
	}
	*ngroups = kept;
	free(fill);
	free(map);
	free(cnt);
	free(pairable);
	return 0;
}

/* The Fleiss count: the most common number (>= 2) of ratings per unit. */
static size_t pick_fleiss_m(const size_t *per_m, size_t R)
{
	size_t best = 0;

	for (size_t m = 2; m <= R; m++)
		if (per_m[m] > 0 && (best == 0 || per_m[m] >= per_m[best]))
			best = m;
	return best;
}

/* Add one unit to every table (and to the open group when bootstrapping). */
static void add_unit(struct tables *t, const short *row, int *cnt, size_t *distinct)
{
	size_t k = t->k, m = 0, nd = 0;

	for (size_t r = 0; r < t->R; r++)
		if (row[r] >= 0) {
			if (cnt[row[r]]++ == 0)
				distinct[nd++] = (size_t)row[r];
			m++;
		}
	if (m >= 2) {
		/* a unit's m(m-1) ordered pairs of ratings, each weighing 1/(m-1) */
		for (size_t x = 0; x < nd; x++)
			for (size_t y = 0; y < nd; y++) {
				size_t c = distinct[x], e = distinct[y];
				double v = (double)cnt[c] * (double)(cnt[e] - (c == e)) / (double)(m - 1);

				if (v == 0)
					continue;
				t->coinc[c * k + e] += v;
				if (t->boot)
					boot_gsum_add(&t->g_coinc, c * k + e, v);
			}
	}
	if (m == t->fleiss_m && m >= 2) {
		double sq = 0, pu;

		for (size_t x = 0; x < nd; x++) {
			size_t c = distinct[x];

			sq += (double)cnt[c] * cnt[c];
			t->fleiss[c] += cnt[c];
			if (t->boot)
				boot_gsum_add(&t->g_fleiss, c, cnt[c]);
		}
		pu = (sq - (double)m) / ((double)m * (double)(m - 1));
		t->fleiss[k] += 1;
		t->fleiss[k + 1] += pu;
		if (t->boot) {
			boot_gsum_add(&t->g_fleiss, k, 1);
			boot_gsum_add(&t->g_fleiss, k + 1, pu);
		}
	}
	for (size_t x = 0; x < nd; x++)
		cnt[distinct[x]] = 0;
	for (size_t p = 0; p < t->npairs; p++) {
		short a = row[t->pr1[p]], b = row[t->pr2[p]];

		if (a < 0 || b < 0)
			continue;
		t->conf[p][(size_t)a * k + (size_t)b] += 1;
		if (t->boot)
			boot_gsum_add(&t->g_conf[p], (size_t)a * k + (size_t)b, 1);
	}
}

static void tables_init(struct tables *t, const struct agree_input *in, size_t fleiss_m, int boot)
{
	size_t k = (size_t)(in->scale_max - in->scale_min + 1), R = in->nraters, p = 0;

	memset(t, 0, sizeof(*t));
	t->k = k;
	t->R = R;
	t->min = in->scale_min;
	t->fleiss_m = fleiss_m;
	t->npairs = R ? R * (R - 1) / 2 : 0;
	t->coinc = xcalloc(k * k, sizeof(*t->coinc));
	t->fleiss = xcalloc(k + 2, sizeof(*t->fleiss));
	t->conf = xcalloc(t->npairs + 1, sizeof(*t->conf));
	t->pr1 = xcalloc(t->npairs + 1, sizeof(*t->pr1));
	t->pr2 = xcalloc(t->npairs + 1, sizeof(*t->pr2));
	for (size_t a = 0; a < R; a++)
		for (size_t b = a + 1; b < R; b++, p++) {
			t->pr1[p] = a;
			t->pr2[p] = b;
			t->conf[p] = xcalloc(k * k, sizeof(**t->conf));
		}
	t->boot = boot;
	if (boot) {
		boot_gsum_init(&t->g_coinc, k * k);
		boot_gsum_init(&t->g_fleiss, k + 2);
		t->g_conf = xcalloc(t->npairs + 1, sizeof(*t->g_conf));
		for (p = 0; p < t->npairs; p++)
			boot_gsum_init(&t->g_conf[p], k * k);
	}
}

static void tables_close_group(struct tables *t)
{
	boot_gsum_close(&t->g_coinc);
	boot_gsum_close(&t->g_fleiss);
	for (size_t p = 0; p < t->npairs; p++)
		boot_gsum_close(&t->g_conf[p]);
}

static void tables_release(struct tables *t)
{
	for (size_t p = 0; p < t->npairs; p++) {
		free(t->conf[p]);
		if (t->boot)
			boot_gsum_release(&t->g_conf[p]);
	}
	if (t->boot) {
		boot_gsum_release(&t->g_coinc);
		boot_gsum_release(&t->g_fleiss);
		free(t->g_conf);
	}
	free(t->conf);
	free(t->pr1);
	free(t->pr2);
	free(t->coinc);
	free(t->fleiss);
}

/* ---- bootstrap ------------------------------------------------------------ */

/* Statistic layout of one resample: 4 alphas, Fleiss, then 3 kappas a pair. */
#define ST_FLEISS AGREE_NLEVELS
#define ST_PAIR0 (AGREE_NLEVELS + 1)

static double value_or_nan(const struct figure *f)
{
	return f->ok ? f->v : NAN;
}

/* Resample b's sums out of a batch's interleaved sums (see boot_gsum_total). */
static void column(const double *tot, size_t dim, size_t nb, size_t b, double *out)
{
	for (size_t i = 0; i < dim; i++)
		out[i] = tot[i * nb + b];
}

static void resample(void *ctx, const uint32_t *w, size_t nb, double *out)
{
	const struct tables *t = ctx;
	size_t k = t->k, kk = k * k, nstat = ST_PAIR0 + 3 * t->npairs;
	double *tot = xmalloc(kk * nb * sizeof(*tot)), *o = xmalloc(kk * sizeof(*o));
	struct figure f;

	boot_gsum_total(&t->g_coinc, w, nb, tot);
	for (size_t b = 0; b < nb; b++) {
		column(tot, kk, nb, b, o);
		for (int lv = 0; lv < AGREE_NLEVELS; lv++) {
			alpha_from(&f, o, k, t->min, (enum agree_level)lv);
			out[b * nstat + (size_t)lv] = value_or_nan(&f);
		}
	}
	boot_gsum_total(&t->g_fleiss, w, nb, tot);
	for (size_t b = 0; b < nb; b++) {
		column(tot, k + 2, nb, b, o);
		fleiss_from(&f, o, k, t->fleiss_m);
		out[b * nstat + ST_FLEISS] = value_or_nan(&f);
	}
	for (size_t p = 0; p < t->npairs; p++) {
		boot_gsum_total(&t->g_conf[p], w, nb, tot);
		for (size_t b = 0; b < nb; b++) {
			double *row = out + b * nstat + ST_PAIR0 + 3 * p;

			column(tot, kk, nb, b, o);
			cohen_from(&f, o, k, W_NONE);
			row[0] = value_or_nan(&f);
			cohen_from(&f, o, k, W_LINEAR);
			row[1] = value_or_nan(&f);
			cohen_from(&f, o, k, W_QUADRATIC);
			row[2] = value_or_nan(&f);
		}
	}
	free(tot);
	free(o);
}

static void bootstrap(struct agree_result *res, struct tables *t, size_t ngroups,
		      const struct agree_opts *opts)
{
	size_t B = opts->bootstrap, nstat = ST_PAIR0 + 3 * t->npairs;
	double *s = xmalloc(B * nstat * sizeof(*s));

	boot_run(ngroups, B, opts->seed, opts->threads, nstat, resample, t, s);
	for (int lv = 0; lv < AGREE_NLEVELS; lv++)
		boot_interval(&res->alpha[lv], s, B, nstat, (size_t)lv);
	boot_interval(&res->fleiss, s, B, nstat, ST_FLEISS);
	for (size_t p = 0; p < t->npairs; p++) {
		boot_interval(&res->pairs[p].kappa, s, B, nstat, ST_PAIR0 + 3 * p);
		boot_interval(&res->pairs[p].kappa_linear, s, B, nstat, ST_PAIR0 + 3 * p + 1);
		boot_interval(&res->pairs[p].kappa_quadratic, s, B, nstat, ST_PAIR0 + 3 * p + 2);
	}
	free(s);
}

/* ---- the whole computation ------------------------------------------------ */

struct pair_field {
	const char *name;
	size_t off;
};

/* JSON/CSV names of the pair figures, in output order */
static const struct pair_field pair_fields[] = {
	{"exact", offsetof(struct agree_pair, exact)},
	{"within1", offsetof(struct agree_pair, within1)},
	{"mean_diff", offsetof(struct agree_pair, mean_diff)},
	{"mean_abs_diff", offsetof(struct agree_pair, mean_abs_diff)},
	{"cohen_kappa", offsetof(struct agree_pair, kappa)},
	{"cohen_kappa_linear", offsetof(struct agree_pair, kappa_linear)},
	{"cohen_kappa_quadratic", offsetof(struct agree_pair, kappa_quadratic)},
	{"spearman", offsetof(struct agree_pair, spearman)},
	{"kendall_tau_b", offsetof(struct agree_pair, kendall_tau_b)},
};

static const struct figure *pair_figure(const struct agree_pair *p, size_t i)
{
	return (const struct figure *)((const char *)p + pair_fields[i].off);
}

static void add_notes(struct agree_result *res, const size_t *per_m, size_t R)
{
	struct sbuf path = SBUF_INIT;
	size_t other = 0;

	for (int lv = 0; lv < AGREE_NLEVELS; lv++) {
		sbuf_reset(&path);
		sbuf_addf(&path, "krippendorff_alpha.%s", agree_level_names[lv]);
		figure_notes_for(&res->notes, sbuf_str(&path), &res->alpha[lv]);
	}
	if (res->rated_units > res->units)
		figure_notes_add(&res->notes,
				 "krippendorff_alpha: %zu units with a single rating are unpairable and left out",
				 res->rated_units - res->units);
	figure_notes_for(&res->notes, "fleiss_kappa", &res->fleiss);
	for (size_t m = 2; m <= R; m++)
		if (m != res->fleiss_raters)
			other += per_m[m];
	if (res->fleiss_units > 0)
		figure_notes_add(&res->notes, "fleiss_kappa: n = %zu units rated by %zu raters each%s",
				 res->fleiss_units, res->fleiss_raters,
				 other ? "" : " (every pairable unit)");
	if (other > 0)
		figure_notes_add(&res->notes,
				 "fleiss_kappa: %zu units with another number of ratings left out "
				 "(Fleiss needs one count per unit; %zu is the most common)",
				 other, res->fleiss_raters);
	for (size_t p = 0; p < res->npairs; p++) {
		const struct agree_pair *pp = &res->pairs[p];

		for (size_t i = 0; i < ARRAY_LEN(pair_fields); i++) {
			sbuf_reset(&path);
			sbuf_addf(&path, "pairs[%s,%s].%s", res->raters[pp->r1], res->raters[pp->r2],
				  pair_fields[i].name);
			figure_notes_for(&res->notes, sbuf_str(&path), pair_figure(pp, i));
		}
	}
	sbuf_release(&path);
}

static int check_input(const struct agree_input *in, struct fb_err *err)
{
	const char *name = in->aspect ? in->aspect : "?";

	if (in->scale_min > in->scale_max)
		return fb_error(err, "aspect %s: scale %d..%d is empty", name, in->scale_min,
				in->scale_max);
	if ((long)in->scale_max - (long)in->scale_min + 1 > AGREE_MAX_CATEGORIES)
		return fb_error(err, "aspect %s: scale %d..%d has more than %d values", name,
				in->scale_min, in->scale_max, AGREE_MAX_CATEGORIES);
	if (in->nunits > 0 && in->nraters > 0 && !in->x)
		return fb_error(err, "aspect %s: no rating matrix", name);
	return 0;
}

int agree_compute(const struct agree_input *in, const struct agree_opts *opts,
		  struct agree_result **out, struct fb_err *err)
{
	struct agree_opts none = {0, 0, 0};
	struct agree_result *res;
	struct tables t;
	size_t R = in->nraters, U = in->nunits, *order = NULL, *gstart = NULL, ngroups = 0;
	size_t *per_m, *distinct;
	short *cat;
	int *cnt;
	double *tmp;

	*out = NULL;
	if (!opts)
		opts = &none;
	if (check_input(in, err) < 0)
		return -1;
	cat = xmalloc((U * R + 1) * sizeof(*cat));
	if (categorise(in, cat, err) < 0 ||
	    group_units(in, cat, &order, &gstart, &ngroups, err) < 0) {
		free(cat);
		return -1;
	}

	res = xcalloc(1, sizeof(*res));
	res->aspect = in->aspect ? xstrdup(in->aspect) : NULL;
	res->nraters = R;
	res->raters = xcalloc(R + 1, sizeof(*res->raters));
	for (size_t r = 0; r < R; r++)
		res->raters[r] = xstrdup(in->raters && in->raters[r] ? in->raters[r] : "?");
	res->scale_min = in->scale_min;
	res->scale_max = in->scale_max;
	res->k = (size_t)(in->scale_max - in->scale_min + 1);
	res->bootstrap = opts->bootstrap;
	res->seed = opts->seed;

	/* first pass: how many ratings each unit has, for Fleiss' common count */
	per_m = xcalloc(R + 1, sizeof(*per_m));
	for (size_t u = 0; u < U; u++) {
		size_t m = 0;

		for (size_t r = 0; r < R; r++)
			m += cat[u * R + r] >= 0;
		per_m[m]++;
		res->rated_units += m >= 1;
		res->units += m >= 2;
	}
	res->fleiss_raters = pick_fleiss_m(per_m, R);
	res->fleiss_units = res->fleiss_raters ? per_m[res->fleiss_raters] : 0;

	/* second pass, group by group: fill the tables */
	tables_init(&t, in, res->fleiss_raters, opts->bootstrap > 0);
	cnt = xcalloc(res->k, sizeof(*cnt));
	distinct = xcalloc(res->k, sizeof(*distinct));
	for (size_t g = 0; g < ngroups; g++) {
		for (size_t i = gstart[g]; i < gstart[g + 1]; i++)
			add_unit(&t, cat + order[i] * R, cnt, distinct);
		if (t.boot)
			tables_close_group(&t);
	}

	/* the figures */
	for (int lv = 0; lv < AGREE_NLEVELS; lv++)
		alpha_from(&res->alpha[lv], t.coinc, res->k, res->scale_min, (enum agree_level)lv);
	for (size_t c = 0; c < res->k; c++)
		for (size_t e = 0; e < res->k; e++)
			res->values += t.coinc[c * res->k + e];
	fleiss_from(&res->fleiss, t.fleiss, res->k, res->fleiss_raters);
	res->npairs = t.npairs;
	res->pairs = xcalloc(t.npairs + 1, sizeof(*res->pairs));
	tmp = xmalloc(res->k * res->k * sizeof(*tmp));
	for (size_t p = 0; p < t.npairs; p++) {
		struct agree_pair *pp = &res->pairs[p];

		pp->r1 = t.pr1[p];
		pp->r2 = t.pr2[p];
		pp->confusion = xcalloc(res->k * res->k, sizeof(*pp->confusion));
		for (size_t i = 0; i < res->k * res->k; i++) {
			pp->confusion[i] = (size_t)t.conf[p][i];
			pp->units += pp->confusion[i];
		}
		memcpy(tmp, t.conf[p], res->k * res->k * sizeof(*tmp));
		pair_from(pp, tmp, res->k);
	}
	if (opts->bootstrap > 0)
		bootstrap(res, &t, ngroups, opts);
	add_notes(res, per_m, R);

	free(tmp);
	tables_release(&t);
	free(cnt);
	free(distinct);
	free(per_m);
	free(order);
	free(gstart);
	free(cat);
	*out = res;
	return 0;
}

void agree_result_free(struct agree_result *res)
{
	if (!res)
		return;
	for (size_t r = 0; r < res->nraters; r++)
		free(res->raters[r]);
	free(res->raters);
	for (size_t p = 0; p < res->npairs; p++)
		free(res->pairs[p].confusion);
	free(res->pairs);
	free(res->aspect);
	figure_notes_release(&res->notes);
	free(res);
}

/* ---- output ---------------------------------------------------------------- */

cJSON *agree_json(const struct agree_result *res)
{
	cJSON *root = figure_json_new(), *arr, *ka, *pairs;

	figure_json_string(root, "aspect", res->aspect);
	arr = figure_json_array(root, "raters");
	for (size_t r = 0; r < res->nraters; r++)
		figure_json_push_string(arr, res->raters[r]);
	figure_json_count(root, "units", (double)res->units);
	ka = figure_json_object(root, "krippendorff_alpha");
	for (int lv = 0; lv < AGREE_NLEVELS; lv++)
		figure_json_add(ka, agree_level_names[lv], &res->alpha[lv]);
	figure_json_add(root, "fleiss_kappa", &res->fleiss);
	pairs = figure_json_array(root, "pairs");
	for (size_t p = 0; p < res->npairs; p++) {
		const struct agree_pair *pp = &res->pairs[p];
		cJSON *o = figure_json_push_object(pairs), *conf;

		arr = figure_json_array(o, "raters");
		figure_json_push_string(arr, res->raters[pp->r1]);
		figure_json_push_string(arr, res->raters[pp->r2]);
		figure_json_count(o, "units", (double)pp->units);
		for (size_t i = 0; i < ARRAY_LEN(pair_fields); i++)
			figure_json_add(o, pair_fields[i].name, pair_figure(pp, i));
		conf = figure_json_array(o, "confusion");
		for (size_t i = 0; i < res->k; i++) {
			cJSON *row = figure_json_push_array(conf);

			for (size_t j = 0; j < res->k; j++)
				figure_json_push_number(row, (double)pp->confusion[i * res->k + j]);
		}
	}
	figure_json_notes(root, &res->notes);
	return root;
}

static int name_width(const struct agree_result *res, int least)
{
	int w = least;

	for (size_t r = 0; r < res->nraters; r++) {
		int l = (int)strlen(res->raters[r]);

		if (l > w)
			w = l;
	}
	return w > 24 ? 24 : w;
}

static void table_pairs(struct sbuf *sb, const struct agree_result *res)
{
	static const char *const head[] = {"exact", "within1", "mean_diff", "mean_abs", "kappa",
					   "k_linear", "k_quad", "spearman", "tau_b"};
	int w = name_width(res, 7);
	char buf[32], ci[64];

	sbuf_addf(sb, "\n%-*s  %-*s  %7s", w, "rater 1", w, "rater 2", "units");
	for (size_t i = 0; i < ARRAY_LEN(head); i++)
		sbuf_addf(sb, " %9s", head[i]);
	sbuf_addc(sb, '\n');
	for (size_t p = 0; p < res->npairs; p++) {
		const struct agree_pair *pp = &res->pairs[p];

		sbuf_addf(sb, "%-*.*s  %-*.*s  %7zu", w, w, res->raters[pp->r1], w, w,
			  res->raters[pp->r2], pp->units);
		for (size_t i = 0; i < ARRAY_LEN(pair_fields); i++)
			sbuf_addf(sb, " %9s", figure_fmt(buf, pair_figure(pp, i), 3, i == 2));
		sbuf_addc(sb, '\n');
		if (res->bootstrap > 0) {
			sbuf_adds(sb, "  95% CI:");
			for (size_t i = 4; i <= 6; i++)
				sbuf_addf(sb, " %s %s", head[i], pair_figure(pp, i)->ok ?
					  figure_fmt_ci(ci, pair_figure(pp, i), 3) : "-");
			sbuf_addc(sb, '\n');
		}
	}
}

static void table_confusion(struct sbuf *sb, const struct agree_result *res,
			    const struct agree_pair *pp)
{
	sbuf_addf(sb, "\nconfusion: %s (rows) x %s (columns)\n%6s", res->raters[pp->r1],
		  res->raters[pp->r2], "");
	for (size_t j = 0; j < res->k; j++)
		sbuf_addf(sb, " %7d", res->scale_min + (int)j);
	sbuf_addc(sb, '\n');
	for (size_t i = 0; i < res->k; i++) {
		sbuf_addf(sb, "%6d", res->scale_min + (int)i);
		for (size_t j = 0; j < res->k; j++)
			sbuf_addf(sb, " %7zu", pp->confusion[i * res->k + j]);
		sbuf_addc(sb, '\n');
	}
}

void agree_table(struct sbuf *sb, const struct agree_result *res)
{
	char buf[32], ci[64];

	sbuf_addf(sb, "%s: %zu rater%s (", res->aspect ? res->aspect : "aspect", res->nraters,
		  res->nraters == 1 ? "" : "s");
	for (size_t r = 0; r < res->nraters; r++)
		sbuf_addf(sb, "%s%s", r ? ", " : "", res->raters[r]);
	sbuf_addf(sb, "), scale %d-%d, %zu units with two or more ratings\n", res->scale_min,
		  res->scale_max, res->units);
	if (res->bootstrap > 0)
		sbuf_addf(sb, "bootstrap: %zu resamples of prompts, seed %llu, 95%% percentile intervals\n",
			  res->bootstrap, (unsigned long long)res->seed);
	sbuf_addc(sb, '\n');
	for (int lv = 0; lv < AGREE_NLEVELS; lv++) {
		sbuf_addf(sb, "%-19s %-9s %7s", lv == 0 ? "krippendorff_alpha" : "",
			  agree_level_names[lv], figure_fmt(buf, &res->alpha[lv], 3, 0));
		if (*figure_fmt_ci(ci, &res->alpha[lv], 3))
			sbuf_addf(sb, "  %s", ci);
		sbuf_addc(sb, '\n');
	}
	sbuf_addf(sb, "%-19s %-9s %7s", "fleiss_kappa", "", figure_fmt(buf, &res->fleiss, 3, 0));
	if (*figure_fmt_ci(ci, &res->fleiss, 3))
		sbuf_addf(sb, "  %s", ci);
	if (res->fleiss_units > 0)
		sbuf_addf(sb, "  (%zu units x %zu raters)", res->fleiss_units, res->fleiss_raters);
	sbuf_addc(sb, '\n');
	if (res->npairs > 0)
		table_pairs(sb, res);
	for (size_t p = 0; p < res->npairs; p++)
		if (res->pairs[p].units > 0)
			table_confusion(sb, res, &res->pairs[p]);
	if (res->notes.n > 0) {
		sbuf_adds(sb, "\nnotes:\n");
		for (size_t i = 0; i < res->notes.n; i++)
			sbuf_addf(sb, "  - %s\n", res->notes.items[i]);
	}
}

static void csv_row(struct sbuf *sb, const struct agree_result *res, const char *figure,
		    const char *r1, const char *r2, double units, const struct figure *f)
{
	figure_csv_field(sb, res->aspect);
	sbuf_addc(sb, ',');
	figure_csv_field(sb, figure);
	sbuf_addc(sb, ',');
	figure_csv_field(sb, r1);
	sbuf_addc(sb, ',');
	figure_csv_field(sb, r2);
	sbuf_addf(sb, ",%.0f", units);
	figure_csv_value(sb, f);
	sbuf_addc(sb, '\n');
}

void agree_csv(struct sbuf *sb, const struct agree_result *res, int header)
{
	struct sbuf name = SBUF_INIT;

	if (header)
		sbuf_adds(sb, "aspect,figure,rater1,rater2,units,value,ci_lo,ci_hi\n");
	for (int lv = 0; lv < AGREE_NLEVELS; lv++) {
		sbuf_reset(&name);
		sbuf_addf(&name, "krippendorff_alpha_%s", agree_level_names[lv]);
		csv_row(sb, res, sbuf_str(&name), NULL, NULL, (double)res->units, &res->alpha[lv]);
	}
	csv_row(sb, res, "fleiss_kappa", NULL, NULL, (double)res->fleiss_units, &res->fleiss);
	for (size_t p = 0; p < res->npairs; p++) {
		const struct agree_pair *pp = &res->pairs[p];

		for (size_t i = 0; i < ARRAY_LEN(pair_fields); i++)
			csv_row(sb, res, pair_fields[i].name, res->raters[pp->r1],
				res->raters[pp->r2], (double)pp->units, pair_figure(pp, i));
	}
	sbuf_release(&name);
}
