/*
 * test_conflict.c - alignment-dimension conflict on fixtures small enough
 * to compute by hand (the arithmetic is in the comments).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "conflict.h"

#define M CONFLICT_MISSING

static struct conflict_result *run(const struct conflict_input *in, double m, size_t B,
				   uint64_t seed)
{
	struct conflict_opts o = {m, B, seed, 2};
	struct conflict_result *res = NULL;
	struct fb_err err;

	if (conflict_compute(in, &o, &res, &err) != 0)
		fail_msg("conflict_compute: %s", err.msg);
	return res;
}

static int has_note(const struct conflict_result *res, const char *needle)
{
	for (size_t i = 0; i < res->notes.n; i++)
		if (strstr(res->notes.items[i], needle))
			return 1;
	return 0;
}

/*
 * Fixture 1: aspects X, Y, Z on a 1-5 scale (r = 4), margin 1.
 *
 *   prompt 0   X  Y  Z          prompt 1   X  Y  Z
 *     c0       5  1  3            c0       4  4  2
 *     c1       3  3  3            c1       2  3  2
 *     c2       1  5  -
 *
 * Pairs (delta X, Y, Z -> pi):
 *   p0 (0,1)  +2 -2  0  -> +1 -1  0
 *   p0 (0,2)  +4 -4  .  -> +1 -1  .
 *   p0 (1,2)  +2 -2  .  -> +1 -1  .
 *   p1 (0,1)  +2 +1  0  -> +1 +1  0
 * 4 pairs in 2 prompts.
 * tie_rate: X 0/4, Y 0/4, Z 2/2.
 * X-Y: C 1, D 3, T 0 -> conflict 3/4, all 3/4, gamma -2/4;
 *      intensity (4 + 16 + 4 + 0) / 16 / 4 = 0.375.
 * X-Z, Y-Z: two pairs, both tied on Z -> C = D = 0, T = 2: conflict and
 *      gamma null, all 0, intensity 0.
 * directional: X->Y 3/4, X->Z 0/2, Y->X 3/4, Y->Z 0/2, Z->* null (Z never
 *      decides).
 * pareto: 4 decisive pairs, the 3 of prompt 0 incomparable -> 0.75.
 * per prompt: p0 3/3 = 1, p1 0/1 = 0 -> mean 0.5, with conflict 1/2,
 *      histogram bin 0 and bin 9 hold one prompt each.
 * winners: p0 X {c0}, Y {c2}, Z {c0,c1} -> empty; p1 X {c0}, Y {c0},
 *      Z {c0,c1} -> {c0}.  0.5 of 2 prompts.
 * adc_proxy: A[Y][X] = hits over the 4 pairs X decides: 0,0,0,1 -> 0.25;
 *      A[Z][X] = two ties on Z -> 1/2 + 1/2 over 2 -> 0.5; likewise
 *      A[X][Y] = 0.25, A[Z][Y] = 0.5; A[*][Z] null; A[X][X] = A[Y][Y] = 1.
 *      pi_o: mean deltas 0, 0, 0, +1 -> 0, 0, 0, +1; A0[X] = (3 * 0.5 + 1)
 *      / 4 = 0.625 = A0[Y]; A0[Z] null.
 *      rel over the 4 defined ordered pairs: (0.375^2 * 2 + 0.125^2 * 2) / 4
 *      = 0.078125; abs: (0.75^2 * 2 + 0.5^2 * 2) / 4 = 0.40625.
 */
static const char *const xyz[] = {"X", "Y", "Z"};
static const size_t fx1_start[] = {0, 3, 5};
static const double fx1_s[] = {
	5, 1, 3, /* p0 c0 */
	3, 3, 3, /* p0 c1 */
	1, 5, M, /* p0 c2 */
	4, 4, 2, /* p1 c0 */
	2, 3, 2, /* p1 c1 */
};
static const struct conflict_input fx1 = {"r1", 3, xyz, 2, fx1_start, fx1_s, 4};

static const char fx1_json[] =
	"{\"rater\":\"r1\",\"aspects\":[\"X\",\"Y\",\"Z\"],\"prompts\":2,\"pairs\":4,"
	"\"min_margin\":1,\"tie_rate\":{\"X\":0,\"Y\":0,\"Z\":1},"
	"\"matrix\":["
	"{\"a\":\"X\",\"b\":\"Y\",\"concordant\":1,\"discordant\":3,\"tied\":0,"
	"\"conflict_rate\":0.75,\"conflict_rate_all\":0.75,\"gamma\":-0.5,\"intensity\":0.375},"
	"{\"a\":\"X\",\"b\":\"Z\",\"concordant\":0,\"discordant\":0,\"tied\":2,"
	"\"conflict_rate\":null,\"conflict_rate_all\":0,\"gamma\":null,\"intensity\":0},"
	"{\"a\":\"Y\",\"b\":\"Z\",\"concordant\":0,\"discordant\":0,\"tied\":2,"
	"\"conflict_rate\":null,\"conflict_rate_all\":0,\"gamma\":null,\"intensity\":0}],"
	"\"directional\":{\"X\":{\"Y\":0.75,\"Z\":0},\"Y\":{\"X\":0.75,\"Z\":0},"
	"\"Z\":{\"X\":null,\"Y\":null}},"
	"\"pareto_incomparable\":0.75,\"decisive_pairs\":4,"
	"\"per_prompt\":{\"mean\":0.5,\"prompts_with_conflict\":0.5,"
	"\"histogram\":[1,0,0,0,0,0,0,0,0,1]},"
	"\"winner_disagreement\":0.5,"
	"\"adc_proxy\":{\"rel\":0.078125,\"abs\":0.40625,"
	"\"accuracy\":{\"X\":{\"X\":1,\"Y\":0.25,\"Z\":null},\"Y\":{\"X\":0.25,\"Y\":1,\"Z\":null},"
	"\"Z\":{\"X\":0.5,\"Y\":0.5,\"Z\":null}},"
	"\"baseline\":{\"X\":0.625,\"Y\":0.625,\"Z\":null}},"
	"\"notes\":["
	"\"matrix[X,Z].conflict_rate: null: no pair where both aspects decide (C + D = 0)\","
	"\"matrix[X,Z].gamma: null: no pair where both aspects decide (C + D = 0)\","
	"\"matrix[Y,Z].conflict_rate: null: no pair where both aspects decide (C + D = 0)\","
	"\"matrix[Y,Z].gamma: null: no pair where both aspects decide (C + D = 0)\","
	"\"directional.Z.X: null: no pair rated on both aspects where the first decides\","
	"\"directional.Z.Y: null: no pair rated on both aspects where the first decides\","
	"\"adc_proxy.accuracy.X.Z: null: no pair rated on both aspects where the second decides\","
	"\"adc_proxy.accuracy.Y.Z: null: no pair rated on both aspects where the second decides\","
	"\"adc_proxy.accuracy.Z.Z: null: no pair rated on both aspects where the second decides\","
	"\"adc_proxy.baseline.Z: null: the aspect never decides a pair\","
	"\"adc_proxy: 2 of 6 ordered aspect pairs have no defined accuracy and are left out of rel and abs\"]}";

static void test_fixture1_json(void **state)
{
	struct conflict_result *res = run(&fx1, 1, 0, 0);
	cJSON *j = conflict_json(res);
	char *s = cJSON_PrintUnformatted(j);

	assert_string_equal(s, fx1_json);
	free(s);
	cJSON_Delete(j);
	conflict_result_free(res);
}

static void test_fixture1_fields(void **state)
{
	struct conflict_result *res = run(&fx1, 1, 0, 0);

	assert_int_equal(res->pairs, 4);
	assert_int_equal(res->prompts, 2);
	assert_int_equal(res->tie_n[2], 2);
	assert_int_equal(res->ncells, 3);
	assert_close(res->matrix[0].intensity.v, 0.375, 1e-15);
	assert_int_equal(res->directional_n[0 * 3 + 2], 2); /* X decides, Z rated */
	assert_int_equal(res->decisive_pairs, 4);
	assert_int_equal(res->incomparable_pairs, 3);
	assert_int_equal(res->winner_prompts, 2);
	assert_int_equal(res->accuracy_n[2 * 3 + 0], 2); /* Z rated, X decides */
	assert_int_equal(res->baseline_n[0], 4);
	/* the per-prompt scores the TUI sorts by */
	assert_int_equal(res->nprompts_in, 2);
	assert_true(res->per_prompt[0].ok);
	assert_close(res->per_prompt[0].score, 1, 0);
	assert_int_equal(res->per_prompt[0].pairs, 3);
	assert_int_equal(res->per_prompt[0].incomparable, 3);
	assert_close(res->per_prompt[1].score, 0, 0);
	assert_int_equal(res->per_prompt[1].decisive, 1);
	conflict_result_free(res);
}

static void test_prompt_score(void **state)
{
	size_t pairs = 0, inc = 0;

	assert_close(conflict_prompt_score(fx1_s, 3, 3, 1, &pairs, &inc), 1, 0);
	assert_int_equal(pairs, 3);
	assert_int_equal(inc, 3);
	assert_close(conflict_prompt_score(fx1_s + 9, 2, 3, 1, &pairs, &inc), 0, 0);
	/* one completion: no pair */
	assert_close(conflict_prompt_score(fx1_s, 1, 3, 1, &pairs, NULL), -1, 0);
	assert_int_equal(pairs, 0);
	/* margin 3: only p0 (0,2) is decided (by 4 on X and Y): 1 of 3 */
	assert_close(conflict_prompt_score(fx1_s, 3, 3, 3, NULL, &inc), 1.0 / 3, 1e-15);
}

/*
 * Margin 3 on fixture 1: |delta| = 2 and 1 become ties.
 *   p0 (0,2) +4 -4 -> +1 -1 (the only decided pair); the rest all ties.
 * X-Y: C 0, D 1, T 3 -> conflict 1, all 1/4; tie_rate X = Y = 3/4.
 * pareto 1/1; per prompt p0 1/3, p1 0/1 -> mean 1/6; histogram bins 0, 3.
 */
static void test_margin(void **state)
{
	struct conflict_result *res = run(&fx1, 3, 0, 0);

	assert_close(res->tie_rate[0].v, 0.75, 1e-15);
	assert_close(res->matrix[0].conflict_rate.v, 1, 0);
	assert_close(res->matrix[0].conflict_rate_all.v, 0.25, 0);
	assert_close(res->pareto_incomparable.v, 1, 0);
	assert_int_equal(res->decisive_pairs, 1);
	assert_close(res->per_prompt_mean.v, 1.0 / 6, 1e-15);
	assert_int_equal(res->histogram[0], 1);
	assert_int_equal(res->histogram[3], 1);
	/* intensity does not depend on the margin */
	assert_close(res->matrix[0].intensity.v, 0.375, 1e-15);
	conflict_result_free(res);
}

/*
 * Consensus means: (4+3+3)/3 - (3+2+2)/3 is 1 give or take rounding; it must
 * count as a full point, so with m = 1 it decides, with m = 1.5 it ties.
 */
static void test_fractional_margin(void **state)
{
	static const char *const two[] = {"A", "B"};
	double s[4] = {(4.0 + 3 + 3) / 3, (1.0 + 1 + 2) / 3, (3.0 + 2 + 2) / 3, (2.0 + 2 + 3) / 3};
	size_t start[] = {0, 2};
	struct conflict_input in = {"mean", 2, two, 1, start, s, 4};
	struct conflict_result *res = run(&in, 1, 0, 0);

	/* A: +1 (decides), B: 4/3 - 7/3 = -1 (decides) -> discordant */
	assert_int_equal(res->matrix[0].discordant, 1);
	assert_close(res->tie_rate[0].v, 0, 0);
	conflict_result_free(res);
	res = run(&in, 1.5, 0, 0);
	assert_int_equal(res->matrix[0].tied, 1);
	assert_close(res->tie_rate[0].v, 1, 0);
	assert_false(res->pareto_incomparable.ok);
	assert_string_equal(res->pareto_incomparable.why, "no decisive pair");
	conflict_result_free(res);
}

/*
 * Prompts with 9 and 2 completions, aspects X and Y on a 1-9 scale (r = 8).
 * Prompt 0: X = i + 1, Y = 9 - i for completion i = 0..8, so every one of
 * its 36 pairs is discordant.  Prompt 1: X = Y = (1, 2): one concordant pair.
 * conflict 36/37; intensity sum over d = 1..8 of (9 - d) d^2 = 540, / 64,
 * / 37 pairs.  Per prompt: 1 and 0.  Winners: prompt 0 X {c8}, Y {c0} ->
 * disagree; prompt 1 agree.
 * A[X][Y] = A[Y][X] = 1/37; pi_o is 0 on prompt 0 (the deltas cancel) and
 * agrees on prompt 1: A0 = (36 / 2 + 1) / 37 = 19/37.
 * rel = (1/37 - 19/37)^2 = 324/1369; abs = (36/37)^2 = 1296/1369.
 */
static void test_nine_and_two(void **state)
{
	static const char *const two[] = {"X", "Y"};
	double s[22];
	size_t start[] = {0, 9, 11};
	struct conflict_input in = {"r", 2, two, 2, start, s, 8};
	struct conflict_result *res;

	for (int i = 0; i < 9; i++) {
		s[2 * i] = i + 1;
		s[2 * i + 1] = 9 - i;
	}
	s[18] = 1, s[19] = 1, s[20] = 2, s[21] = 2;
	res = run(&in, 1, 0, 0);
	assert_int_equal(res->pairs, 37);
	assert_int_equal(res->matrix[0].discordant, 36);
	assert_int_equal(res->matrix[0].concordant, 1);
	assert_close(res->matrix[0].conflict_rate.v, 36.0 / 37, 1e-15);
	assert_close(res->matrix[0].gamma.v, -35.0 / 37, 1e-15);
	assert_close(res->matrix[0].intensity.v, 540.0 / 64 / 37, 1e-15);
	assert_close(res->pareto_incomparable.v, 36.0 / 37, 1e-15);
	assert_int_equal(res->per_prompt[0].pairs, 36);
	assert_close(res->per_prompt[0].score, 1, 0);
	assert_close(res->per_prompt[1].score, 0, 0);
	assert_close(res->winner_disagreement.v, 0.5, 0);
	assert_close(res->accuracy[0 * 2 + 1].v, 1.0 / 37, 1e-15);
	assert_close(res->baseline[1].v, 19.0 / 37, 1e-15);
	assert_close(res->adc_rel.v, 324.0 / 1369, 1e-15);
	assert_close(res->adc_abs.v, 1296.0 / 1369, 1e-15);
	assert_close(res->directional[0 * 2 + 1].v, 36.0 / 37, 1e-15);
	conflict_result_free(res);
}

static void test_one_aspect(void **state)
{
	static const char *const one[] = {"helpfulness"};
	static const double s[] = {1, 3, 3};
	static const size_t start[] = {0, 3};
	struct conflict_input in = {NULL, 1, one, 1, start, s, 4};
	struct conflict_result *res = run(&in, 1, 50, 3);
	cJSON *j = conflict_json(res);

	/* pairs: (1,3) decides, (1,3) decides, (3,3) ties -> tie rate 1/3 */
	assert_close(res->tie_rate[0].v, 1.0 / 3, 1e-15);
	assert_int_equal(res->ncells, 0);
	assert_close(res->pareto_incomparable.v, 0, 0);
	assert_false(res->adc_rel.ok);
	assert_string_equal(res->adc_rel.why, "needs two or more aspects");
	assert_close(res->accuracy[0].v, 1, 0);
	/* top set {c1, c2}, but only one aspect takes part: no winner figure */
	assert_false(res->winner_disagreement.ok);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "rater")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "matrix")), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "adc_proxy"), "rel")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "adc_proxy"), "rel_ci")));
	assert_true(has_note(res, "adc_proxy.rel: null: needs two or more aspects"));
	cJSON_Delete(j);
	conflict_result_free(res);
}

static void test_all_missing(void **state)
{
	static const double s[] = {M, M, M, M, M, M, M, M};
	static const size_t start[] = {0, 4, 4};
	struct conflict_input in = {"r", 2, xyz, 2, start, s, 4};
	struct conflict_result *res = run(&in, 1, 20, 1);

	assert_int_equal(res->pairs, 0);
	assert_int_equal(res->prompts, 0);
	assert_false(res->tie_rate[0].ok);
	assert_false(res->matrix[0].conflict_rate_all.ok);
	assert_false(res->pareto_incomparable.ok);
	assert_false(res->per_prompt_mean.ok);
	assert_false(res->per_prompt[0].ok);
	assert_false(res->per_prompt[1].ok);
	assert_false(res->adc_rel.ok);
	assert_true(has_note(res, "1 prompts with fewer than two completions have no pairs"));
	assert_true(has_note(res, "per_prompt.mean: null: no prompt has a pair rated on a common aspect"));
	conflict_result_free(res);
}

static void test_empty(void **state)
{
	struct conflict_input in = {"r", 3, xyz, 0, NULL, NULL, 4};
	struct conflict_result *res = run(&in, 1, 10, 1);
	struct sbuf sb = SBUF_INIT;
	cJSON *j = conflict_json(res);

	assert_int_equal(res->pairs, 0);
	assert_false(res->matrix[0].conflict_rate.ok);
	assert_false(res->matrix[0].conflict_rate.ci_ok);
	conflict_table(&sb, res);
	conflict_csv(&sb, res, 1);
	sbuf_release(&sb);
	cJSON_Delete(j);
	conflict_result_free(res);
}

static void test_bad_input(void **state)
{
	static const size_t back[] = {0, 3, 2};
	double s[] = {1, 2, 3, 1, 2, 3, 1, 2, 3};
	struct conflict_input in = {"r", 3, xyz, 2, back, s, 4};
	struct conflict_result *res;
	struct fb_err err;

	assert_int_equal(conflict_compute(&in, NULL, &res, &err), -1);
	assert_null(res);
	assert_string_equal(err.msg, "conflict: prompt 1: completion offsets go back (2 < 3)");
	in.nprompts = 1;
	s[4] = INFINITY;
	assert_int_equal(conflict_compute(&in, NULL, &res, &err), -1);
	assert_string_equal(err.msg, "conflict: prompt 0, completion 1, aspect Y: value is not finite");
	s[4] = 2;
	in.range = 0;
	assert_int_equal(conflict_compute(&in, NULL, &res, &err), -1);
	in.range = 4;
	in.naspects = 0;
	assert_int_equal(conflict_compute(&in, NULL, &res, &err), -1);
	assert_string_equal(err.msg, "conflict: no aspects");
	in.naspects = 3;
	/* opts NULL: margin 1 */
	assert_int_equal(conflict_compute(&in, NULL, &res, &err), 0);
	assert_close(res->min_margin, 1, 0);
	conflict_result_free(res);
}

/* A synthetic rater: 300 prompts x 4 completions x 3 aspects. */
static double *synthetic(size_t np, size_t **start)
{
	double *s = malloc(np * 4 * 3 * sizeof(*s));
	struct fb_rng r;

	*start = malloc((np + 1) * sizeof(**start));
	rng_seed(&r, 9);
	for (size_t p = 0; p <= np; p++)
		(*start)[p] = 4 * p;
	for (size_t c = 0; c < np * 4; c++) {
		int q = 1 + (int)rng_below(&r, 5);

		s[3 * c] = q;
		s[3 * c + 1] = rng_below(&r, 4) ? q : 1 + (int)rng_below(&r, 5);
		s[3 * c + 2] = rng_below(&r, 10) ? 1 + (int)rng_below(&r, 5) : M;
	}
	return s;
}

static void test_bootstrap(void **state)
{
	size_t *start;
	double *s = synthetic(300, &start);
	struct conflict_input in = {"r", 3, xyz, 300, start, s, 4};
	struct conflict_result *a = run(&in, 1, 400, 77), *b = run(&in, 1, 400, 77);
	struct conflict_result *plain = run(&in, 1, 0, 77);
	struct conflict_opts one = {1, 400, 77, 1};
	struct conflict_result *c;
	struct fb_err err;
	cJSON *j, *m0;

	assert_int_equal(conflict_compute(&in, &one, &c, &err), 0);
	for (size_t i = 0; i < a->ncells; i++) {
		const struct figure *f = &a->matrix[i].conflict_rate;

		assert_true(f->ok && f->ci_ok);
		assert_true(f->lo <= f->v && f->v <= f->hi);
		assert_true(f->lo < f->hi);
		assert_close(f->v, plain->matrix[i].conflict_rate.v, 0);
		assert_close(f->lo, b->matrix[i].conflict_rate.lo, 0);
		assert_close(f->hi, c->matrix[i].conflict_rate.hi, 0); /* 1 thread = 2 threads */
		assert_false(a->matrix[i].gamma.has_ci);
	}
	assert_true(a->pareto_incomparable.ci_ok);
	assert_true(a->pareto_incomparable.lo < a->pareto_incomparable.v);
	assert_true(a->pareto_incomparable.v < a->pareto_incomparable.hi);
	assert_true(a->adc_rel.ci_ok);
	assert_true(a->adc_rel.lo <= a->adc_rel.v && a->adc_rel.v <= a->adc_rel.hi);
	assert_close(a->adc_rel.hi, c->adc_rel.hi, 0);
	j = conflict_json(a);
	m0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "matrix"), 0);
	assert_string_equal(m0->child->next->next->next->next->next->next->string, "conflict_rate_ci");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m0, "conflict_rate_ci")), 2);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(j, "pareto_incomparable_ci")));
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "adc_proxy"), "rel_ci")));
	cJSON_Delete(j);
	conflict_result_free(a);
	conflict_result_free(b);
	conflict_result_free(c);
	conflict_result_free(plain);
	free(s);
	free(start);
}

/* With two prompts a resample is {p0,p0}, {p0,p1} or {p1,p1}: X-Y conflict 1, 3/4 or 0. */
static void test_bootstrap_tiny(void **state)
{
	struct conflict_result *res = run(&fx1, 1, 200, 5);
	const struct figure *f = &res->matrix[0].conflict_rate;

	assert_true(f->ci_ok);
	assert_close(f->lo, 0, 0);
	assert_close(f->hi, 1, 0);
	/* X-Z has no conflict rate, so no interval either (and no second note) */
	assert_false(res->matrix[1].conflict_rate.ci_ok);
	assert_false(has_note(res, "matrix[X,Z].conflict_rate_ci"));
	conflict_result_free(res);
}

static void test_table(void **state)
{
	struct conflict_result *res = run(&fx1, 1, 0, 0);
	struct sbuf sb = SBUF_INIT;
	const char *t;

	conflict_table(&sb, res);
	t = sbuf_str(&sb);
	assert_true(starts_with(t, "conflict: rater r1, 3 aspects, 2 prompts, 4 pairs, min margin 1, scale range 4\n"));
	/* the grid: row X reads ., 0.750, - */
	assert_non_null(strstr(t, "\n  X               .      0.750          -\n"));
	assert_non_null(strstr(t, "\n  Y           0.750          .          -\n"));
	assert_non_null(strstr(t, "pareto_incomparable    0.750   of 4 decisive pairs (3 incomparable)\n"));
	assert_non_null(strstr(t, "    [0.9, 1.0]        1  ########################################\n"));
	assert_non_null(strstr(t, "    [0.5, 0.6)        0\n"));
	assert_non_null(strstr(t, "  baseline A0      0.625      0.625          -\n"));
	sbuf_release(&sb);
	conflict_result_free(res);
}

static void test_csv(void **state)
{
	struct conflict_result *res = run(&fx1, 1, 0, 0);
	struct sbuf sb = SBUF_INIT;
	const char *t;

	conflict_csv(&sb, res, 1);
	t = sbuf_str(&sb);
	assert_true(starts_with(t, "rater,figure,a,b,n,value,ci_lo,ci_hi\nr1,prompts,,,2,2,,\n"));
	assert_non_null(strstr(t, "\nr1,conflict_rate,X,Y,4,0.75,,\n"));
	assert_non_null(strstr(t, "\nr1,conflict_rate,X,Z,0,,,\n"));
	assert_non_null(strstr(t, "\nr1,directional,X,Z,2,0,,\n"));
	assert_non_null(strstr(t, "\nr1,per_prompt_histogram,0.9-1.0,,2,1,,\n"));
	assert_non_null(strstr(t, "\nr1,adc_proxy_rel,,,4,0.078125,,\n"));
	assert_non_null(strstr(t, "\nr1,adc_proxy_baseline,,Z,0,,,\n"));
	sbuf_release(&sb);
	conflict_result_free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture1_json),
		cmocka_unit_test(test_fixture1_fields),
		cmocka_unit_test(test_prompt_score),
		cmocka_unit_test(test_margin),
		cmocka_unit_test(test_fractional_margin),
		cmocka_unit_test(test_nine_and_two),
		cmocka_unit_test(test_one_aspect),
		cmocka_unit_test(test_all_missing),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_bootstrap),
		cmocka_unit_test(test_bootstrap_tiny),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
