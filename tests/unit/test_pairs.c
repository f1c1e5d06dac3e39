/*
 * test_pairs.c - pair selection on a real database (a temporary file):
 * random ratings with ties, missing values and N/A, two raters, checked
 * against the test's own recomputation for every strategy, score rule,
 * ties setting, margin and agreement filter; determinism, independence of
 * a prompt's draw from the other prompts, the uniformity of best-random,
 * the digest and the counts.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pairs.h"
#include "store.h"

#define NP 240   /* prompts */
#define MAXC 5   /* completions per prompt, at most */
#define NR 2     /* raters */
#define NA 4     /* the UltraFeedback aspects */

static const char *const aspects[NA] = {"instruction_following", "honesty", "truthfulness",
					"helpfulness"};
static const char *const rater_names[NR] = {"r1", "r2"};

/* What the test stored, to recompute every score on its own. */
struct tcomp {
	int has_overall[NR];
	double overall[NR];
	int state[NR][NA]; /* 0 missing, 1 value, 2 N/A */
	int value[NR][NA];
};
struct tprompt {
	int64_t id;
	int n;
	const char *source;
	struct tcomp c[MAXC];
};

static char dir[] = "/tmp/feedbench-test-pairs.XXXXXX";
static char path[256];
static struct rubric_set *rs;
static struct db *db;
static struct tprompt tp[NP];

static int setup(void **state)
{
	static const char *const sources[] = {"sa", "sb", "sc"};
	struct fb_err err;
	struct fb_rng g;
	int64_t ds, rid[NR], aid[NA];
	int i, j, r, a;

	(void)state;
	if (rubric_set_load(&rs, &err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	unlink(path);
	if (db_open(&db, path, rs, DB_BULK, &err) < 0)
		return -1;
	if (db_begin(db, &err) < 0 || db_dataset(db, "d", &ds, &err) < 0)
		return -1;
	for (r = 0; r < NR; r++)
		if (db_rater(db, rater_names[r], "human", NULL, NULL, &rid[r], &err) < 0)
			return -1;
	for (a = 0; a < NA; a++)
		aid[a] = db_aspect_id(db, aspects[a]);
	rng_seed(&g, 2024);
	for (i = 0; i < NP; i++) {
		struct store_prompt sp = {0};
		char text[64];

		snprintf(text, sizeof(text), "prompt number %d", i);
		sp.instruction = text;
		sp.source = tp[i].source = sources[i % 3];
		if (store_prompt(db, &sp, ds, &tp[i].id, NULL, &err) < 0)
			return -1;
		tp[i].n = 1 + (int)rng_below(&g, MAXC);
		for (j = 0; j < tp[i].n; j++) {
			struct store_completion sc = {0};
			struct tcomp *c = &tp[i].c[j];
			char resp[64];
			int64_t cid;

			snprintf(resp, sizeof(resp), "answer %d to %d", j, i);
			sc.response = resp;
			sc.idx = j;
			if (store_completion(db, tp[i].id, &sc, &cid, NULL, &err) < 0)
				return -1;
			for (r = 0; r < NR; r++) {
				struct store_critique cr = {0};

				/* few distinct values, so ties are common; 10% missing */
				if (rng_below(&g, 10)) {
					c->has_overall[r] = 1;
					c->overall[r] = 5 + 0.5 * (double)rng_below(&g, 6);
					cr.completion_id = cid;
					cr.rater_id = rid[r];
					cr.has_overall = 1;
					cr.overall = c->overall[r];
					if (store_critique(db, &cr, NULL, &err) < 0)
						return -1;
				}
				for (a = 0; a < NA; a++) {
					struct store_rating sr = {0};
					uint64_t k = rng_below(&g, 20);

					c->state[r][a] = k == 0 ? 0 : k == 1 ? 2 : 1;
					c->value[r][a] = 3 + (int)rng_below(&g, 3);
					if (!c->state[r][a])
						continue;
					sr.completion_id = cid;
					sr.rater_id = rid[r];
					sr.aspect_id = aid[a];
					sr.has_value = c->state[r][a] == 1;
					sr.value = c->value[r][a];
					sr.na = c->state[r][a] == 2;
					if (store_rating(db, &sr, NULL, &err) < 0)
						return -1;
				}
			}
		}
	}
	return db_commit(db, &err) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char side[300];

	(void)state;
	db_close(db);
	rubric_set_free(rs);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return 0;
}

/* ---- the test's own scoring ---- */

enum rule { R_OVERALL, R_MEAN, R_ASPECT };

static double rater_score(const struct tcomp *c, int r, enum rule rule, int aspect)
{
	double sum = 0;
	int a, n = 0;

	if (rule == R_OVERALL)
		return c->has_overall[r] ? c->overall[r] : NAN;
	if (rule == R_ASPECT)
		return c->state[r][aspect] == 1 ? c->value[r][aspect] : NAN;
	for (a = 0; a < NA; a++)
		if (c->state[r][a] == 1) {
			sum += c->value[r][a];
			n++;
		}
	return n ? sum / n : NAN;
}

static double score(const struct tprompt *p, int i, enum rule rule, int aspect, int nr)
{
	double sum = 0;
	int r;

	for (r = 0; r < nr; r++) {
		double v = rater_score(&p->c[i], r, rule, aspect);

		if (isnan(v))
			return NAN;
		sum += v;
	}
	return sum / nr;
}

struct config {
	const char *strategy;
	enum rule rule;
	int ties_keep, only_agreed, nraters;
	double margin; /* < 0: none */
	const char *exclude; /* a source, or NULL */
	uint64_t seed;
};

static int eligible(const struct config *k, const struct tprompt *p, int a, int b, int aspect)
{
	double sa = score(p, a, k->rule, aspect, k->nraters);
	double sb = score(p, b, k->rule, aspect, k->nraters);
	int r, c0;

	if (pairs_cmp(sa, sb) == 0 && !k->ties_keep)
		return 0;
	if (k->margin >= 0 && pairs_cmp(sa - sb, k->margin) < 0)
		return 0;
	if (!k->only_agreed)
		return 1;
	c0 = pairs_cmp(rater_score(&p->c[a], 0, k->rule, aspect),
		       rater_score(&p->c[b], 0, k->rule, aspect));
	for (r = 1; r < k->nraters; r++)
		if (pairs_cmp(rater_score(&p->c[a], r, k->rule, aspect),
			      rater_score(&p->c[b], r, k->rule, aspect)) != c0)
			return 0;
	return 1;
}

static int first_best(const struct config *k, const struct tprompt *p, int aspect)
{
	int i, best = -1;

	for (i = 0; i < p->n; i++) {
		double s = score(p, i, k->rule, aspect, k->nraters);

		if (!isnan(s) &&
		    (best < 0 || pairs_cmp(s, score(p, best, k->rule, aspect, k->nraters)) > 0))
			best = i;
	}
	return best;
}

/* How many pairs the strategy must give for this prompt (and aspect). */
static int expected(const struct config *k, const struct tprompt *p, int aspect)
{
	int i, j, n = 0, best = first_best(k, p, aspect);

	if (!strcmp(k->strategy, "all-pairs")) {
		for (i = 0; i < p->n; i++)
			for (j = i + 1; j < p->n; j++) {
				double si = score(p, i, k->rule, aspect, k->nraters);
				double sj = score(p, j, k->rule, aspect, k->nraters);

				if (isnan(si) || isnan(sj))
					continue;
				n += pairs_cmp(sj, si) > 0 ? eligible(k, p, j, i, aspect)
							   : eligible(k, p, i, j, aspect);
			}
		return n;
	}
	if (best < 0)
		return 0;
	for (i = 0; i < p->n; i++)
		if (i != best && !isnan(score(p, i, k->rule, aspect, k->nraters)))
			n += eligible(k, p, best, i, aspect);
	return !strcmp(k->strategy, "best-all") ? n : n > 0;
}

/* ---- running a configuration ---- */

struct got {
	int np;                 /* pairs recorded */
	int chosen[NP * 40], rejected[NP * 40], prompt[NP * 40], aspect[NP * 40];
	int per_prompt[NP][NA + 1];
	const struct config *k;
};

static int aspect_index(const char *name)
{
	int a;

	if (!name)
		return NA;
	for (a = 0; a < NA; a++)
		if (!strcmp(aspects[a], name))
			return a;
	fail_msg("pair labelled with unknown aspect %s", name);
	return -1;
}

static int on_prompt(void *ctx, const struct pairs_prompt *p, const struct pairs_pair *x,
		     size_t n, struct fb_err *err)
{
	struct got *g = ctx;
	const struct config *k = g->k;
	int i = (int)(p->id - tp[0].id);
	const struct tprompt *t = &tp[i];
	size_t j;

	(void)err;
	assert_true(i >= 0 && i < NP && t->id == p->id);
	assert_int_equal(p->n, t->n);
	if (k->exclude)
		assert_string_not_equal(t->source, k->exclude);
	for (j = 0; j < n; j++) {
		int a = (int)x[j].chosen, b = (int)x[j].rejected, asp = aspect_index(x[j].aspect);
		enum rule rule = asp < NA ? R_ASPECT : k->rule;
		struct config kk = *k;
		double sa, sb;

		kk.rule = rule;
		sa = score(t, a, rule, asp, k->nraters);
		sb = score(t, b, rule, asp, k->nraters);
		assert_false(isnan(sa) || isnan(sb));
		assert_close(x[j].chosen_score, sa, 1e-12);
		assert_close(x[j].rejected_score, sb, 1e-12);
		assert_close(x[j].margin, sa - sb, 1e-12);
		assert_true(pairs_cmp(sa, sb) >= 0);
		if (!k->ties_keep)
			assert_true(pairs_cmp(sa, sb) > 0);
		if (k->margin >= 0)
			assert_true(pairs_cmp(sa - sb, k->margin) >= 0);
		assert_true(eligible(&kk, t, a, b, asp));
		if (pairs_strategy_find(k->strategy)->chosen_best)
			assert_int_equal(a, first_best(&kk, t, asp));
		g->chosen[g->np] = a;
		g->rejected[g->np] = b;
		g->prompt[g->np] = i;
		g->aspect[g->np++] = asp;
		g->per_prompt[i][asp]++;
	}
	return 0;
}

static const struct pairs_counts *run(const struct config *k, struct got *g, struct pairs **out)
{
	const char *raters[NR] = {"r1", "r2"};
	const char *excl[1];
	struct pairs_opts o;
	struct fb_err err;
	struct pairs *ps;

	memset(&o, 0, sizeof(o));
	memset(g, 0, sizeof(*g));
	g->k = k;
	o.strategy = k->strategy;
	o.score = k->rule == R_OVERALL ? "overall" : "mean";
	if (!strcmp(k->strategy, "per-aspect"))
		o.score = NULL;
	o.raters = raters;
	o.nraters = (size_t)k->nraters;
	o.only_agreed = k->only_agreed;
	o.ties_keep = k->ties_keep;
	o.has_min_margin = k->margin >= 0;
	o.min_margin = k->margin;
	if (k->exclude) {
		excl[0] = k->exclude;
		o.exclude_sources = excl;
		o.nexclude_sources = 1;
	}
	o.seed = k->seed;
	ps = pairs_new(db, &o, &err);
	if (!ps)
		fail_msg("pairs_new: %s", err.msg);
	if (pairs_run(ps, on_prompt, g, &err) < 0)
		fail_msg("pairs_run: %s", err.msg);
	*out = ps;
	return pairs_get_counts(ps);
}

static void check_counts(const struct config *k, const struct got *g,
			 const struct pairs_counts *c)
{
	long dropped = 0;
	int i, a, per_aspect = !strcmp(k->strategy, "per-aspect");

	for (i = 0; i < PAIRS_NREASONS; i++)
		dropped += c->dropped[i];
	assert_int_equal(c->prompts_seen, NP);
	assert_int_equal(c->prompts_paired + dropped, NP);
	assert_int_equal(c->pairs, g->np);
	for (i = 0; i < NP; i++) {
		if (k->exclude && !strcmp(tp[i].source, k->exclude))
			continue;
		for (a = per_aspect ? 0 : NA; a <= (per_aspect ? NA - 1 : NA); a++) {
			struct config kk = *k;

			kk.rule = a < NA ? R_ASPECT : k->rule;
			if (expected(&kk, &tp[i], a) != g->per_prompt[i][a])
				fail_msg("%s: prompt %d aspect %d: %d pairs, expected %d",
					 k->strategy, i, a, g->per_prompt[i][a],
					 expected(&kk, &tp[i], a));
		}
	}
}

static const char *const strategies[] = {"best-random", "best-worst", "best-all", "all-pairs",
					 "per-aspect"};

/* Every strategy x rule x ties x margin x (one rater | two | two agreeing). */
static void test_invariants(void **state)
{
	static struct got g;
	size_t s;
	int rule, ties, m, who, runs = 0;

	(void)state;
	for (s = 0; s < ARRAY_LEN(strategies); s++)
		for (rule = R_OVERALL; rule <= R_MEAN; rule++)
			for (ties = 0; ties < 2; ties++)
				for (m = 0; m < 2; m++)
					for (who = 0; who < 3; who++) {
						struct config k = {strategies[s], (enum rule)rule,
								   ties, who == 2, who ? 2 : 1,
								   m ? 0.5 : -1, NULL, 42};
						struct pairs *ps;
						const struct pairs_counts *c = run(&k, &g, &ps);

						check_counts(&k, &g, c);
						pairs_free(ps);
						runs++;
					}
	assert_int_equal(runs, 120);
}

/* Same seed, same pairs; another seed, other draws; a prompt's draw ignores the others. */
static void test_determinism(void **state)
{
	static struct got a, b;
	struct config k = {"best-random", R_OVERALL, 1, 0, 1, -1, NULL, 42};
	struct pairs *pa, *pb;
	int i, j, differ = 0;

	(void)state;
	run(&k, &a, &pa);
	run(&k, &b, &pb);
	assert_int_equal(a.np, b.np);
	assert_memory_equal(a.rejected, b.rejected, sizeof(int) * (size_t)a.np);
	assert_string_equal(pairs_input_sha256(pa), pairs_input_sha256(pb));
	pairs_free(pa);
	pairs_free(pb);
	k.seed = 43;
	run(&k, &b, &pb);
	for (i = 0; i < a.np; i++)
		differ += a.rejected[i] != b.rejected[i];
	assert_true(differ > 10);
	pairs_free(pb);
	/* without the source "sb", the remaining prompts get the very same pairs */
	k.seed = 42;
	k.exclude = "sb";
	run(&k, &b, &pb);
	for (i = j = 0; i < a.np; i++) {
		if (!strcmp(tp[a.prompt[i]].source, "sb"))
			continue;
		assert_int_equal(a.prompt[i], b.prompt[j]);
		assert_int_equal(a.rejected[i], b.rejected[j]);
		j++;
	}
	assert_int_equal(j, b.np);
	assert_int_equal(pairs_get_counts(pb)->dropped[PAIRS_R_SOURCE], NP / 3);
	pairs_free(pb);
}

/* best-random, ties kept: over many seeds each rival is drawn about equally often. */
static void test_uniform(void **state)
{
	static struct got g;
	struct config k = {"best-random", R_OVERALL, 1, 0, 1, -1, NULL, 0};
	int hits[NP][MAXC], total[NP], i, seeds = 300, checked = 0;
	uint64_t s;

	(void)state;
	memset(hits, 0, sizeof(hits));
	memset(total, 0, sizeof(total));
	for (s = 1; s <= (uint64_t)seeds; s++) {
		struct pairs *ps;

		k.seed = s * 7919;
		run(&k, &g, &ps);
		for (i = 0; i < g.np; i++) {
			hits[g.prompt[i]][g.rejected[i]]++;
			total[g.prompt[i]]++;
		}
		pairs_free(ps);
	}
	/* prompts whose four or five completions are all scored: each rival ~ seeds/(n-1) */
	for (i = 0; i < NP; i++) {
		int best = first_best(&k, &tp[i], NA), n = 0, j;
		double chi = 0, want;

		for (j = 0; j < tp[i].n; j++)
			n += !isnan(score(&tp[i], j, R_OVERALL, NA, 1));
		if (n < 4 || n != tp[i].n)
			continue;
		want = (double)seeds / (n - 1);
		for (j = 0; j < tp[i].n; j++) {
			if (j == best) {
				assert_int_equal(hits[i][j], 0);
				continue;
			}
			chi += (hits[i][j] - want) * (hits[i][j] - want) / want;
		}
		/* chi-square, 3 or 4 degrees of freedom: 25 is far beyond p = 0.0001 */
		if (chi > 25)
			fail_msg("prompt %d: draws not uniform (chi-square %.1f)", i, chi);
		checked++;
	}
	assert_true(checked > 20);
}

static void test_helpers(void **state)
{
	char *s;

	(void)state;
	s = pairs_normalise("  What   is\t2 +\n2?  ");
	assert_string_equal(s, "What is 2 + 2?");
	free(s);
	s = pairs_normalise(" \t\n ");
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(pairs_cmp(4.75, 4.75), 0);
	assert_int_equal(pairs_cmp(0.1 + 0.2, 0.3), 0);
	assert_int_equal(pairs_cmp(4.0, 4.25), -1);
	assert_int_equal(pairs_cmp(1e-3, 0), 1);
	assert_non_null(pairs_strategy_find("all-pairs"));
	assert_null(pairs_strategy_find("best"));
	assert_string_equal(pairs_preset_find("h4")->score, "overall");
	assert_int_equal(pairs_preset_find("h4")->ties_keep, 1);
	assert_string_equal(pairs_preset_find("argilla")->score, "mean");
	assert_int_equal(pairs_preset_find("argilla")->ties_keep, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helpers),
		cmocka_unit_test_setup_teardown(test_invariants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_determinism, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uniform, setup, teardown),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
