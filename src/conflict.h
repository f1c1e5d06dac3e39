/*
 * conflict.h - alignment-dimension conflict from ratings alone
 * (statistics.md, part 2).  Named adc_proxy, never plain ADC: Hummer's ADC
 * needs trained reward models; this measures the same idea on the labels.
 *
 * Pure computation, no database.  Input: prompts, each with its
 * completions, each completion with one value per aspect (one rater's
 * rating, or a consensus mean, which may be fractional; CONFLICT_MISSING
 * for none).  For every unordered pair (i, j) of a prompt's completions and
 * every aspect a rated on both: delta_a = s_a(i) - s_a(j), and
 * pi_a = sign(delta_a), a tie (0) when |delta_a| < m (opts.min_margin).
 * Comparisons with m and with 0 allow 1e-9 of rounding, so consensus means
 * compare as the exact fractions they stand for.
 *
 * What is counted (n is always reported beside a share):
 *   pairs        completion pairs with at least one aspect rated on both;
 *   prompts      prompts with at least one such pair.
 *   tie_rate[a]  share of pairs defined on a with pi_a = 0.
 *   matrix       per aspect pair a < b, over pairs defined on both:
 *                concordant C, discordant D, tied T; conflict_rate D/(C+D),
 *                conflict_rate_all D/(C+D+T), gamma (C-D)/(C+D), intensity
 *                = mean max(0, -delta_a delta_b) / r^2 (r = scale range).
 *   directional  [a][b] = P(pi_b = -1 | pi_a = +1), pairs oriented so that
 *                a prefers the first: over pairs with pi_a != 0 and b rated.
 *   pareto_incomparable  share of decisive pairs (some pi != 0) where one
 *                aspect has pi = +1 and another pi = -1.
 *   per prompt   score = share of the prompt's pairs that are
 *                Pareto-incomparable; the mean over prompts, the share of
 *                prompts with at least one such pair, and a histogram of
 *                CONFLICT_HIST_BINS counts of prompts: bin i holds scores in
 *                [i/10, (i+1)/10), the last bin also holds 1.0.
 *   winner_disagreement  share of prompts where the sets of top-rated
 *                completions (highest value, ties kept) of the aspects have
 *                an empty intersection; an aspect takes part in a prompt when
 *                it rates at least two of its completions, and a prompt
 *                counts when at least two aspects take part.
 *   adc_proxy    A[i][j] = P(pi_i = pi_j | pi_j != 0) + 1/2 P(pi_i = 0 | pi_j
 *                != 0) over pairs rated on i and j; baseline A0[j] the same
 *                for pi_o = sign(mean over the aspects rated on both
 *                completions of delta) (no margin); rel = mean over ordered
 *                i != j of min(0, A[i][j] - A0[j])^2; abs = mean of
 *                (1 - A[i][j])^2.  Undefined A[i][j] are left out of the
 *                means (with a note).  The diagonal A[i][i] is 1.
 * Bootstrap (opts.bootstrap = B > 0): 95% percentile intervals of every
 * conflict_rate, pareto_incomparable and adc_proxy.rel from B resamples of
 * prompts (boot.h; deterministic given the seed).
 *
 * Breakdowns (--by source, by rater, human vs LLM) are the caller's: call
 * conflict_compute once per group of prompts.
 *
 * Ownership: conflict_compute returns a result the caller frees with
 * conflict_result_free; names are copied, so the input can go away.
 * conflict_json returns a cJSON tree the caller frees with cJSON_Delete.
 * Renderers append to a caller-owned sbuf.  Allocation failure is fatal;
 * bad input is the only recoverable error.
 */
#ifndef FB_CONFLICT_H
#define FB_CONFLICT_H

#include <math.h>

#include <cjson/cJSON.h>

#include "figure.h"
#include "util.h"

/* The marker for a missing value in conflict_input.s (test with isnan). */
#define CONFLICT_MISSING NAN
#define CONFLICT_HIST_BINS 10

struct conflict_input {
	const char *rater;          /* label for the output ("gpt-4", "consensus"); may be NULL */
	size_t naspects;            /* >= 1 */
	const char *const *aspects; /* naspects names */
	size_t nprompts;
	/*
	 * nprompts + 1 offsets: prompt p owns completions start[p] ..
	 * start[p+1] - 1 (non-decreasing; start[0] is usually 0).
	 */
	const size_t *start;
	/* values: s[c * naspects + a] for completion c; CONFLICT_MISSING = none */
	const double *s;
	double range;               /* r = scale max - scale min, > 0 */
};

struct conflict_opts {
	double min_margin; /* m >= 0; the CLI default is 1 */
	size_t bootstrap;  /* B; 0 = no intervals */
	uint64_t seed;
	int threads;       /* <= 0: online processors; never changes results */
};

struct conflict_cell {
	size_t a, b; /* aspect indexes, a < b */
	size_t concordant, discordant, tied;
	struct figure conflict_rate; /* interval with B */
	struct figure conflict_rate_all, gamma, intensity;
};

struct conflict_prompt {
	size_t pairs;        /* pairs with at least one aspect rated on both */
	size_t decisive;     /* of which some pi != 0 */
	size_t incomparable; /* of which Pareto-incomparable */
	int ok;              /* pairs > 0 */
	double score;        /* incomparable / pairs when ok, else 0 */
};

struct conflict_result {
	char *rater;          /* owned; NULL when the input had none */
	char **aspects;       /* naspects owned names */
	size_t naspects;
	double min_margin, range;
	size_t prompts, pairs;
	struct figure *tie_rate;   /* naspects */
	size_t *tie_n;             /* naspects: pairs defined on the aspect */
	struct conflict_cell *matrix; /* ncells = naspects (naspects - 1) / 2, in order (0,1), (0,2) .. (1,2) .. */
	size_t ncells;
	struct figure *directional; /* naspects^2, [a * naspects + b]; the diagonal is null */
	size_t *directional_n;      /* its n: pairs a decides with b rated */
	struct figure pareto_incomparable; /* interval with B */
	size_t decisive_pairs, incomparable_pairs;
	struct figure per_prompt_mean, prompts_with_conflict;
	size_t scored_prompts;     /* prompts with a score (n of the two above) */
	size_t histogram[CONFLICT_HIST_BINS];
	struct figure winner_disagreement;
	size_t winner_prompts;     /* its n */
	struct figure adc_rel;     /* interval with B */
	struct figure adc_abs;
	size_t adc_pairs;          /* n of rel and abs: ordered i != j used */
	struct figure *accuracy;   /* naspects^2, A[i * naspects + j] */
	size_t *accuracy_n;        /* its n: pairs rated on i that j decides */
	struct figure *baseline;   /* naspects, A0[j] */
	size_t *baseline_n;        /* its n: pairs j decides */
	/* one per input prompt, in input order: what the TUI sorts its queue by */
	struct conflict_prompt *per_prompt;
	size_t nprompts_in;
	size_t bootstrap;
	uint64_t seed;
	struct figure_notes notes;
};

/*
 * Compute everything; opts NULL means m = 1 and no bootstrap (a zeroed
 * struct conflict_opts means m = 0).  Returns 0 and sets *out, or -1 with err naming the
 * problem (no aspects, range <= 0, negative margin, offsets that go back,
 * a non-finite value); *out is then NULL.
 */
int conflict_compute(const struct conflict_input *in, const struct conflict_opts *opts,
		     struct conflict_result **out, struct fb_err *err);
void conflict_result_free(struct conflict_result *res);

/*
 * One prompt's conflict score alone (for the TUI): s holds ncompl x
 * naspects values as in conflict_input.  Fills *pairs and *incomparable
 * (either may be NULL) and returns the score in [0, 1], or -1 when the
 * prompt has no pair with an aspect rated on both completions.
 */
double conflict_prompt_score(const double *s, size_t ncompl, size_t naspects, double min_margin,
			     size_t *pairs, size_t *incomparable);

/*
 * {"rater", "aspects", "prompts", "pairs", "min_margin", "tie_rate": {a: x},
 *  "matrix": [{"a", "b", "concordant", "discordant", "tied",
 *  "conflict_rate", "conflict_rate_all", "gamma", "intensity"}],
 *  "directional": {a: {b: x}}, "pareto_incomparable", "decisive_pairs",
 *  "per_prompt": {"mean", "prompts_with_conflict", "histogram": [...]},
 *  "winner_disagreement", "adc_proxy": {"rel", "abs", "accuracy":
 *  {i: {j: x}}, "baseline": {j: x}}, "notes": [...]}
 * Nulls for uncomputable figures (each with a note); with a bootstrap,
 * "conflict_rate_ci", "pareto_incomparable_ci" and "rel_ci" follow their
 * figure.  directional leaves out b = a.  Caller frees with cJSON_Delete.
 */
cJSON *conflict_json(const struct conflict_result *res);

/* The `--format table` text: summary, conflict grid, directional grid, A. */
void conflict_table(struct sbuf *sb, const struct conflict_result *res);

/*
 * CSV, one figure per row:  rater,figure,a,b,n,value,ci_lo,ci_hi
 * (a/b are aspect names where the figure has them; histogram rows name the
 * bin in a, e.g. "0.1-0.2").  header != 0 writes the header line first.
 */
void conflict_csv(struct sbuf *sb, const struct conflict_result *res, int header);

#endif
