/*
 * test_agree.c - agreement figures against published worked examples.
 *
 * Sources of the expected values:
 *   - Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
 *     the 4 observers x 12 units example with missing data: nominal 0.743,
 *     ordinal 0.815, interval 0.849, ratio 0.797.  Exactly (coincidence
 *     matrix n = 40, n_1..n_5 = 9, 13, 10, 5, 3): nominal = 113/152,
 *     ordinal = 108577/133160, interval = 951/1120,
 *     ratio = 18222619/22852465.
 *   - Fleiss' kappa, the 10 subjects x 14 raters x 5 categories example of
 *     the Wikipedia article: P-bar = 0.378, P-bar-e = 0.2128, kappa 0.210.
 *   - scikit-learn's test_cohen_kappa (Artstein and Poesio 2008 tables):
 *     0.348; 0.8013; 0.9315 / linear 0.9412 / quadratic 0.9541.
 *   - scipy's spearmanr / kendalltau tests (cross-checked there with R's
 *     cor.test): rho([1,2,3,4,5], [5,6,7,8,7]) = 0.82078268166812329,
 *     tau_b([12,2,1,12,2], [1,4,7,1,0]) = -0.47140452079103173,
 *     tau_b([5,2,1,3,6,4,7], [5,2,6,3,1,7,4]) = -0.14285714286.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "agree.h"

#define M AGREE_MISSING

/* Run agree_compute on columns given rater by rater; fails the test on error. */
static struct agree_result *run(const char *aspect, size_t nraters, const char *const *names,
				size_t nunits, const double *cols, int min, int max,
				const size_t *group, size_t ngroups, size_t B, uint64_t seed)
{
	double *x = malloc(nunits * nraters * sizeof(*x) + 1);
	struct agree_input in = {aspect, nraters, names, nunits, x, group, ngroups, min, max};
	struct agree_opts opt = {B, seed, 2};
	struct agree_result *res = NULL;
	struct fb_err err;

	/* cols is rater-major (one rater's ratings after another) */
	for (size_t r = 0; r < nraters; r++)
		for (size_t u = 0; u < nunits; u++)
			x[u * nraters + r] = cols[r * nunits + u];
	if (agree_compute(&in, &opt, &res, &err) != 0)
		fail_msg("agree_compute: %s", err.msg);
	free(x);
	return res;
}

static int has_note(const struct agree_result *res, const char *needle)
{
	for (size_t i = 0; i < res->notes.n; i++)
		if (strstr(res->notes.items[i], needle))
			return 1;
	return 0;
}

/* Krippendorff 2011: observers A-D (rows of the paper), units 1-12. */
static const double kripp[4 * 12] = {
	1, 2, 3, 3, 2, 1, 4, 1, 2, M, M, M, /* A */
	1, 2, 3, 3, 2, 2, 4, 1, 2, 5, M, 3, /* B */
	M, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, M, /* C */
	1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, M, /* D */
};
static const char *const abcd[] = {"A", "B", "C", "D"};

static void test_krippendorff_2011(void **state)
{
	struct agree_result *res = run("example", 4, abcd, 12, kripp, 1, 5, NULL, 0, 0, 0);

	assert_int_equal(res->units, 11);       /* unit 12 has one rating */
	assert_int_equal(res->rated_units, 12);
	assert_close(res->values, 40, 1e-9);    /* n of the coincidence matrix */
	assert_true(res->alpha[AGREE_NOMINAL].ok);
	assert_close(res->alpha[AGREE_NOMINAL].v, 113.0 / 152, 1e-12);
	assert_close(res->alpha[AGREE_ORDINAL].v, 108577.0 / 133160, 1e-12);
	assert_close(res->alpha[AGREE_INTERVAL].v, 951.0 / 1120, 1e-12);
	assert_close(res->alpha[AGREE_RATIO].v, 18222619.0 / 22852465, 1e-12);
	/* the paper's rounded figures */
	assert_close(res->alpha[AGREE_NOMINAL].v, 0.743, 5e-4);
	assert_close(res->alpha[AGREE_ORDINAL].v, 0.815, 5e-4);
	assert_close(res->alpha[AGREE_INTERVAL].v, 0.849, 5e-4);
	assert_close(res->alpha[AGREE_RATIO].v, 0.797, 5e-4);
	assert_true(has_note(res, "1 units with a single rating are unpairable"));
	/*
	 * Fleiss: 8 units have 4 ratings, 2 have 3, 1 has 2 -> m = 4, over
	 * units 2-9.  P_u = (sum_c n_uc^2 - 4) / 12: units 2 {2,2,3,2} and
	 * 8 {1,1,2,1} give 1/2, unit 6 {1,2,3,4} gives 0, the other five 1;
	 * P-bar = 6/8.  Category totals over the 32 ratings: 4, 13, 10, 5, 0,
	 * P-e = (16 + 169 + 100 + 25) / 1024 = 155/512,
	 * kappa = (3/4 - 155/512) / (1 - 155/512) = 229/357.
	 */
	assert_int_equal(res->fleiss_raters, 4);
	assert_int_equal(res->fleiss_units, 8);
	assert_close(res->fleiss.v, 229.0 / 357, 1e-12);
	assert_true(has_note(res, "3 units with another number of ratings left out"));
	/* pair A-B: units 1-9 (both rated), differ only at unit 6 (1 vs 2) */
	assert_int_equal(res->npairs, 6);
	assert_int_equal(res->pairs[0].r1, 0);
	assert_int_equal(res->pairs[0].r2, 1);
	assert_int_equal(res->pairs[0].units, 9);
	assert_close(res->pairs[0].exact.v, 8.0 / 9, 1e-12);
	assert_close(res->pairs[0].within1.v, 1.0, 1e-12);
	assert_close(res->pairs[0].mean_diff.v, -1.0 / 9, 1e-12);
	assert_close(res->pairs[0].mean_abs_diff.v, 1.0 / 9, 1e-12);
	assert_int_equal(res->pairs[0].confusion[0 * 5 + 1], 1); /* A=1, B=2 */
	assert_int_equal(res->pairs[0].confusion[0 * 5 + 0], 2); /* units 1, 8 */
	agree_result_free(res);
}

/* Wikipedia's Fleiss example: counts per subject and category. */
static const int fleiss_counts[10][5] = {
	{0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0}, {2, 2, 8, 1, 1},
	{7, 7, 0, 0, 0},  {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2}, {6, 5, 2, 1, 0}, {0, 2, 2, 3, 7},
};

static void test_fleiss_wikipedia(void **state)
{
	double cols[14 * 10];
	const char *names[14];
	char namebuf[14][8];
	struct agree_result *res;

	/* rater r gives subject i the category its counts reach at position r */
	for (int i = 0; i < 10; i++) {
		int r = 0;

		for (int c = 0; c < 5; c++)
			for (int t = 0; t < fleiss_counts[i][c]; t++, r++)
				cols[r * 10 + i] = c + 1;
	}
	for (int r = 0; r < 14; r++) {
		snprintf(namebuf[r], sizeof(namebuf[r]), "r%d", r);
		names[r] = namebuf[r];
	}
	res = run("fleiss", 14, names, 10, cols, 1, 5, NULL, 0, 0, 0);
	assert_int_equal(res->fleiss_units, 10);
	assert_int_equal(res->fleiss_raters, 14);
	assert_true(res->fleiss.ok);
	/*
	 * Exactly: P-bar = 172/455 (0.37802), category shares 20, 28, 39, 21,
	 * 32 of 140 give P-e = 417/1960 (0.21276), kappa = 4211/20059 (0.20993).
	 */
	assert_close(res->fleiss.v, 0.210, 5e-4);
	assert_close(res->fleiss.v, 4211.0 / 20059, 1e-12);
	assert_true(has_note(res, "fleiss_kappa: n = 10 units rated by 14 raters each"));
	assert_int_equal(res->npairs, 91);
	agree_result_free(res);
}

static void fill(double *dst, size_t *pos, int n, double v)
{
	for (int i = 0; i < n; i++)
		dst[(*pos)++] = v;
}

static const char *const xy[] = {"x", "y"};

/* scikit-learn test_cohen_kappa, binary: confusion [[20, 20], [10, 50]]. */
static void test_cohen_sklearn_binary(void **state)
{
	double cols[200];
	size_t p = 0;
	struct agree_result *res;

	fill(cols, &p, 40, 0), fill(cols, &p, 60, 1);
	fill(cols, &p, 20, 0), fill(cols, &p, 20, 1), fill(cols, &p, 10, 0), fill(cols, &p, 50, 1);
	res = run("bin", 2, xy, 100, cols, 0, 1, NULL, 0, 0, 0);
	/* p_o = .7, p_e = .4*.3 + .6*.7 = .54, kappa = .16/.46 */
	assert_close(res->pairs[0].kappa.v, 0.16 / 0.46, 1e-12);
	assert_close(res->pairs[0].kappa.v, 0.348, 5e-4);
	agree_result_free(res);
}

/* scikit-learn test_cohen_kappa, three classes (Artstein and Poesio, Table 4). */
static void test_cohen_sklearn_multiclass(void **state)
{
	double cols[200];
	size_t p = 0;
	struct agree_result *res;

	fill(cols, &p, 46, 0), fill(cols, &p, 44, 1), fill(cols, &p, 10, 2);
	fill(cols, &p, 52, 0), fill(cols, &p, 32, 1), fill(cols, &p, 16, 2);
	res = run("tri", 2, xy, 100, cols, 0, 2, NULL, 0, 0, 0);
	assert_close(res->pairs[0].kappa.v, 0.8013, 5e-5);
	agree_result_free(res);
}

/* scikit-learn's weighting example: none 0.9315, linear 0.9412, quadratic 0.9541. */
static void test_cohen_sklearn_weighted(void **state)
{
	double cols[200];
	size_t p = 0;
	struct agree_result *res;

	fill(cols, &p, 46, 0), fill(cols, &p, 44, 1), fill(cols, &p, 10, 2);
	fill(cols, &p, 50, 0), fill(cols, &p, 40, 1), fill(cols, &p, 10, 2);
	res = run("w", 2, xy, 100, cols, 0, 2, NULL, 0, 0, 0);
	assert_close(res->pairs[0].kappa.v, 0.9315, 5e-5);
	assert_close(res->pairs[0].kappa_linear.v, 0.9412, 5e-5);
	assert_close(res->pairs[0].kappa_quadratic.v, 0.9541, 5e-5);
	/*
	 * By hand, linear: observed weighted disagreement 4/100 (4 units 1 vs 0);
	 * expected sum_ij |i-j| a_i b_j / n with a = (46,44,10), b = (50,40,10):
	 * (46*40 + 44*50 + 44*10 + 10*40)/100 + 2*(46*10 + 10*50)/100
	 * = 48.8 + 19.2 = 68 -> kappa = 1 - 4/68.
	 */
	assert_close(res->pairs[0].kappa_linear.v, 1 - 4.0 / 68, 1e-12);
	/* the confusion matrix: rows x, columns y */
	assert_int_equal(res->pairs[0].confusion[0], 46);
	assert_int_equal(res->pairs[0].confusion[3], 4);
	assert_int_equal(res->pairs[0].confusion[4], 40);
	assert_int_equal(res->pairs[0].confusion[8], 10);
	agree_result_free(res);
}

/* scipy test_spearmanr: mid-ranks of y = 1, 2, 3.5, 5, 3.5; rho = 8 / sqrt(95). */
static void test_spearman_scipy(void **state)
{
	static const double cols[] = {1, 2, 3, 4, 5, 5, 6, 7, 8, 7};
	struct agree_result *res = run("s", 2, xy, 5, cols, 1, 8, NULL, 0, 0, 0);

	assert_close(res->pairs[0].spearman.v, 0.82078268166812329, 1e-12);
	assert_close(res->pairs[0].spearman.v, 8 / sqrt(95), 1e-12);
	agree_result_free(res);
}

/*
 * scipy test_kendalltau "with some ties": x ties (12,12) and (2,2), y ties
 * (1,1); of the 10 pairs C = 2, D = 6, n1 = 2, n2 = 1:
 * (2 - 6) / sqrt(8 * 9) = -0.4714045...
 */
static void test_kendall_scipy_ties(void **state)
{
	static const double cols[] = {12, 2, 1, 12, 2, 1, 4, 7, 1, 0};
	struct agree_result *res = run("k", 2, xy, 5, cols, 0, 12, NULL, 0, 0, 0);

	assert_close(res->pairs[0].kendall_tau_b.v, -0.47140452079103173, 1e-12);
	agree_result_free(res);
}

/* scipy test_kendalltau "without ties, con-dis close to zero": -1/7. */
static void test_kendall_scipy_no_ties(void **state)
{
	static const double cols[] = {5, 2, 1, 3, 6, 4, 7, 5, 2, 6, 3, 1, 7, 4};
	struct agree_result *res = run("k", 2, xy, 7, cols, 1, 7, NULL, 0, 0, 0);

	assert_close(res->pairs[0].kendall_tau_b.v, -0.14285714286, 1e-10);
	/*
	 * Spearman without ties: 1 - 6 sum d^2 / (n (n^2 - 1)), d = 0,0,-5,0,5,-3,3:
	 * sum d^2 = 68 -> 1 - 408/336 = -0.2142857...
	 */
	assert_close(res->pairs[0].spearman.v, 1 - 408.0 / 336, 1e-12);
	agree_result_free(res);
}

static void test_one_rater(void **state)
{
	static const double cols[] = {1, 2, 3};
	static const char *const one[] = {"solo"};
	struct agree_result *res = run("a", 1, one, 3, cols, 1, 5, NULL, 0, 0, 0);
	cJSON *j;
	char *s;

	assert_int_equal(res->npairs, 0);
	assert_int_equal(res->units, 0);
	for (int lv = 0; lv < AGREE_NLEVELS; lv++)
		assert_false(res->alpha[lv].ok);
	assert_false(res->fleiss.ok);
	assert_true(has_note(res, "krippendorff_alpha.nominal: null: no unit has two or more ratings"));
	j = agree_json(res);
	s = cJSON_PrintUnformatted(j);
	assert_string_equal(s,
			    "{\"aspect\":\"a\",\"raters\":[\"solo\"],\"units\":0,"
			    "\"krippendorff_alpha\":{\"nominal\":null,\"ordinal\":null,"
			    "\"interval\":null,\"ratio\":null},\"fleiss_kappa\":null,\"pairs\":[],"
			    "\"notes\":[\"krippendorff_alpha.nominal: null: no unit has two or more ratings\","
			    "\"krippendorff_alpha.ordinal: null: no unit has two or more ratings\","
			    "\"krippendorff_alpha.interval: null: no unit has two or more ratings\","
			    "\"krippendorff_alpha.ratio: null: no unit has two or more ratings\","
			    "\"krippendorff_alpha: 3 units with a single rating are unpairable and left out\","
			    "\"fleiss_kappa: null: no unit has two or more ratings\"]}");
	free(s);
	cJSON_Delete(j);
	agree_result_free(res);
}

static void test_no_overlap(void **state)
{
	static const double cols[] = {1, 2, 3, M, M, M, M, M, M, 3, 4, 5};
	struct agree_result *res = run("a", 2, xy, 6, cols, 1, 5, NULL, 0, 0, 0);
	const struct agree_pair *p = &res->pairs[0];

	assert_int_equal(p->units, 0);
	assert_false(p->exact.ok);
	assert_string_equal(p->exact.why, "no units rated by both");
	assert_false(p->kappa.ok);
	assert_false(p->spearman.ok);
	assert_false(p->kendall_tau_b.ok);
	assert_false(res->alpha[AGREE_INTERVAL].ok);
	assert_true(has_note(res, "pairs[x,y].cohen_kappa_quadratic: null: no units rated by both"));
	agree_result_free(res);
}

static void test_all_equal(void **state)
{
	static const double cols[] = {3, 3, 3, 3, 3, 3, 3, 3};
	struct agree_result *res = run("a", 2, xy, 4, cols, 1, 5, NULL, 0, 200, 7);
	const struct agree_pair *p = &res->pairs[0];
	cJSON *j, *pj;

	assert_true(p->exact.ok);
	assert_close(p->exact.v, 1, 0);
	assert_close(p->mean_diff.v, 0, 0);
	assert_false(p->kappa.ok);
	assert_false(p->kappa_quadratic.ok);
	assert_false(p->spearman.ok);
	assert_string_equal(p->spearman.why, "zero variance: a rater gave the same value throughout");
	assert_false(p->kendall_tau_b.ok);
	for (int lv = 0; lv < AGREE_NLEVELS; lv++) {
		assert_false(res->alpha[lv].ok);
		assert_string_equal(res->alpha[lv].why,
				    "no variation: every pairable rating has the same value");
	}
	assert_false(res->fleiss.ok);
	/* JSON: nulls, null intervals, and the reasons in notes */
	j = agree_json(res);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "krippendorff_alpha"), "ordinal")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "krippendorff_alpha"), "ordinal_ci")));
	pj = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "pairs"), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(pj, "cohen_kappa")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(pj, "cohen_kappa_ci")));
	assert_close(cJSON_GetObjectItem(pj, "exact")->valuedouble, 1, 0);
	assert_null(cJSON_GetObjectItem(pj, "exact_ci")); /* no interval for exact */
	assert_true(has_note(res, "pairs[x,y].cohen_kappa: null: no expected disagreement"));
	assert_true(has_note(res, "fleiss_kappa: null: no variation"));
	cJSON_Delete(j);
	agree_result_free(res);
}

static void test_all_missing(void **state)
{
	static const double cols[] = {M, M, M, M, M, M};
	struct agree_result *res = run("a", 2, xy, 3, cols, 1, 5, NULL, 0, 100, 1);

	assert_int_equal(res->units, 0);
	assert_int_equal(res->rated_units, 0);
	assert_int_equal(res->pairs[0].units, 0);
	assert_false(res->alpha[AGREE_NOMINAL].ok);
	assert_false(res->fleiss.ok);
	assert_int_equal(res->fleiss_units, 0);
	agree_result_free(res);
}

static void test_empty(void **state)
{
	struct agree_input in = {"a", 2, xy, 0, NULL, NULL, 0, 1, 5};
	struct agree_opts o = {10, 1, 0};
	struct agree_result *res;
	struct fb_err err;
	cJSON *j;

	assert_int_equal(agree_compute(&in, &o, &res, &err), 0);
	assert_int_equal(res->units, 0);
	assert_false(res->alpha[AGREE_NOMINAL].ok);
	assert_false(res->pairs[0].kappa.ok);
	j = agree_json(res);
	assert_non_null(j);
	cJSON_Delete(j);
	agree_result_free(res);
	in.nraters = 0;
	assert_int_equal(agree_compute(&in, &o, &res, &err), 0);
	assert_int_equal(res->npairs, 0);
	agree_result_free(res);
}

static void test_bad_input(void **state)
{
	double x[4] = {1, 2, 3.5, 1};
	size_t group[2] = {0, 5};
	struct agree_input in = {"honesty", 2, xy, 2, x, NULL, 0, 1, 5};
	struct agree_result *res = (struct agree_result *)&in;
	struct fb_err err;

	assert_int_equal(agree_compute(&in, NULL, &res, &err), -1);
	assert_null(res);
	assert_string_equal(err.msg,
			    "aspect honesty: unit 1, rater x: rating 3.5 is not a whole number from 1 to 5");
	x[2] = 6;
	assert_int_equal(agree_compute(&in, NULL, &res, &err), -1);
	x[2] = 3;
	in.group = group;
	in.ngroups = 2;
	assert_int_equal(agree_compute(&in, NULL, &res, &err), -1);
	assert_string_equal(err.msg, "aspect honesty: unit 1 has group 5, but there are 2 groups");
	in.group = NULL;
	in.scale_min = 6;
	assert_int_equal(agree_compute(&in, NULL, &res, &err), -1);
	assert_string_equal(err.msg, "aspect honesty: scale 6..5 is empty");
}

/* A synthetic two-rater set: 200 prompts x 4 completions, y = x +/- noise. */
static double *synthetic(size_t nprompts, size_t **group)
{
	size_t n = nprompts * 4;
	double *cols = malloc(2 * n * sizeof(*cols));
	struct fb_rng r;

	*group = malloc(n * sizeof(**group));
	rng_seed(&r, 42);
	for (size_t u = 0; u < n; u++) {
		int a = 1 + (int)rng_below(&r, 5), b = a + (int)rng_below(&r, 3) - 1;

		cols[u] = a;
		cols[n + u] = b < 1 ? 1 : b > 5 ? 5 : b;
		(*group)[u] = u / 4;
	}
	return cols;
}

static void test_bootstrap(void **state)
{
	size_t *group, n = 800;
	double *cols = synthetic(200, &group);
	struct agree_result *a = run("b", 2, xy, n, cols, 1, 5, group, 200, 300, 11);
	struct agree_result *b = run("b", 2, xy, n, cols, 1, 5, group, 200, 300, 11);
	struct agree_result *c = run("b", 2, xy, n, cols, 1, 5, group, 200, 300, 12);
	struct agree_result *plain = run("b", 2, xy, n, cols, 1, 5, group, 200, 0, 11);
	cJSON *j;

	for (int lv = 0; lv < AGREE_NLEVELS; lv++) {
		const struct figure *f = &a->alpha[lv];

		assert_true(f->ok && f->has_ci && f->ci_ok);
		assert_true(f->lo < f->v && f->v < f->hi);
		assert_true(f->hi - f->lo < 0.2);
		/* deterministic for one seed, different for another */
		assert_close(f->lo, b->alpha[lv].lo, 0);
		assert_close(f->hi, b->alpha[lv].hi, 0);
		assert_true(f->lo != c->alpha[lv].lo || f->hi != c->alpha[lv].hi);
		/* the point estimate does not depend on the bootstrap */
		assert_close(f->v, plain->alpha[lv].v, 0);
		assert_false(plain->alpha[lv].has_ci);
	}
	assert_true(a->fleiss.ci_ok && a->fleiss.lo < a->fleiss.v && a->fleiss.v < a->fleiss.hi);
	assert_true(a->pairs[0].kappa_quadratic.ci_ok);
	assert_true(a->pairs[0].kappa.lo < a->pairs[0].kappa.v);
	assert_false(a->pairs[0].spearman.has_ci);
	/* with two raters on every unit, Fleiss' kappa is Scott's pi and close to alpha */
	assert_close(a->fleiss.v, a->alpha[AGREE_NOMINAL].v, 0.01);
	j = agree_json(a);
	{
		cJSON *ci = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "krippendorff_alpha"), "ratio_ci");

		assert_int_equal(cJSON_GetArraySize(ci), 2);
		assert_close(cJSON_GetArrayItem(ci, 0)->valuedouble, a->alpha[AGREE_RATIO].lo, 0);
		assert_true(cJSON_IsArray(cJSON_GetObjectItem(j, "fleiss_kappa_ci")));
	}
	cJSON_Delete(j);
	agree_result_free(a);
	agree_result_free(b);
	agree_result_free(c);
	agree_result_free(plain);
	free(cols);
	free(group);
}

/* One thread or four: the same intervals. */
static void test_bootstrap_threads(void **state)
{
	size_t *group, n = 400;
	double *cols = synthetic(100, &group), *x = malloc(2 * n * sizeof(*x));
	struct agree_input in = {"t", 2, xy, n, x, group, 100, 1, 5};
	struct agree_opts o1 = {150, 5, 1}, o4 = {150, 5, 4};
	struct agree_result *a, *b;
	struct fb_err err;

	for (size_t u = 0; u < n; u++) {
		x[2 * u] = cols[u];
		x[2 * u + 1] = cols[n + u];
	}
	assert_int_equal(agree_compute(&in, &o1, &a, &err), 0);
	assert_int_equal(agree_compute(&in, &o4, &b, &err), 0);
	assert_close(a->alpha[AGREE_ORDINAL].lo, b->alpha[AGREE_ORDINAL].lo, 0);
	assert_close(a->pairs[0].kappa_linear.hi, b->pairs[0].kappa_linear.hi, 0);
	agree_result_free(a);
	agree_result_free(b);
	free(x);
	free(cols);
	free(group);
}

static void test_json_shape(void **state)
{
	struct agree_result *res = run("helpfulness", 4, abcd, 12, kripp, 1, 5, NULL, 0, 0, 0);
	cJSON *j = agree_json(res), *p, *conf;
	static const char *const keys[] = {"aspect", "raters", "units", "krippendorff_alpha",
					   "fleiss_kappa", "pairs", "notes"};
	static const char *const pkeys[] = {"raters", "units", "exact", "within1", "mean_diff",
					    "mean_abs_diff", "cohen_kappa", "cohen_kappa_linear",
					    "cohen_kappa_quadratic", "spearman", "kendall_tau_b",
					    "confusion"};
	cJSON *it;
	size_t i = 0;

	cJSON_ArrayForEach(it, j) {
		assert_true(i < ARRAY_LEN(keys));
		assert_string_equal(it->string, keys[i++]);
	}
	assert_int_equal(i, ARRAY_LEN(keys));
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "pairs"), 5); /* C-D */
	i = 0;
	cJSON_ArrayForEach(it, p) {
		assert_true(i < ARRAY_LEN(pkeys));
		assert_string_equal(it->string, pkeys[i++]);
	}
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "raters"), 0)->valuestring, "C");
	/* C-D share units 2-11 (10 units); they differ at 2 (3 vs 2), 6 (3 vs 4), 8 (2 vs 1) */
	assert_close(cJSON_GetObjectItem(p, "units")->valuedouble, 10, 0);
	assert_close(cJSON_GetObjectItem(p, "exact")->valuedouble, 0.7, 1e-12);
	conf = cJSON_GetObjectItem(p, "confusion");
	assert_int_equal(cJSON_GetArraySize(conf), 5);
	assert_close(cJSON_GetArrayItem(cJSON_GetArrayItem(conf, 2), 1)->valuedouble, 1, 0);
	assert_close(cJSON_GetObjectItem(j, "units")->valuedouble, 11, 0);
	cJSON_Delete(j);
	agree_result_free(res);
}

static void test_table_and_csv(void **state)
{
	struct agree_result *res = run("honesty", 2, xy, 5, (const double[]){1, 2, 3, 4, 5, 1, 2, 3, 5, 5},
				       1, 5, NULL, 0, 0, 0);
	struct sbuf sb = SBUF_INIT;

	agree_table(&sb, res);
	assert_non_null(strstr(sbuf_str(&sb), "honesty: 2 raters (x, y), scale 1-5, 5 units"));
	assert_non_null(strstr(sbuf_str(&sb), "krippendorff_alpha  nominal"));
	assert_non_null(strstr(sbuf_str(&sb), "confusion: x (rows) x y (columns)"));
	sbuf_reset(&sb);
	agree_csv(&sb, res, 1);
	assert_true(starts_with(sbuf_str(&sb), "aspect,figure,rater1,rater2,units,value,ci_lo,ci_hi\n"
					       "honesty,krippendorff_alpha_nominal,,,5,"));
	/* exact = 4/5 */
	assert_non_null(strstr(sbuf_str(&sb), "\nhonesty,exact,x,y,5,0.8,,\n"));
	assert_non_null(strstr(sbuf_str(&sb), "\nhonesty,mean_diff,x,y,5,-0.2,,\n"));
	sbuf_release(&sb);
	agree_result_free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_krippendorff_2011),
		cmocka_unit_test(test_fleiss_wikipedia),
		cmocka_unit_test(test_cohen_sklearn_binary),
		cmocka_unit_test(test_cohen_sklearn_multiclass),
		cmocka_unit_test(test_cohen_sklearn_weighted),
		cmocka_unit_test(test_spearman_scipy),
		cmocka_unit_test(test_kendall_scipy_ties),
		cmocka_unit_test(test_kendall_scipy_no_ties),
		cmocka_unit_test(test_one_rater),
		cmocka_unit_test(test_no_overlap),
		cmocka_unit_test(test_all_equal),
		cmocka_unit_test(test_all_missing),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_bootstrap),
		cmocka_unit_test(test_bootstrap_threads),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_table_and_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
