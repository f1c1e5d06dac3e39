/* pairs.c - score rules, strategies, presets and the prompt stream (see pairs.h). */
#include "pairs.h"

#include "progress.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

/* A set of normalised prompt texts (the --exclude-prompts file). */
struct strset {
	char **slot; /* open addressing, NULL = empty */
	size_t cap, n;
};

struct pairs {
	struct db *db;
	const struct pairs_strategy *strategy;

	/* the score rule */
	const struct pairs_score_kind *rule;
	char *score_text;
	size_t nmix;
	size_t *mix_field;
	double *mix_w;

	/* raters: slots in the order given; sorted[] orders them by name */
	size_t nraters;
	int64_t *rater_id;
	char **rater_name;
	size_t *rater_sorted;
	char *rater_json; /* the ids as a JSON array, bound to the queries */

	/* fields of the grid: overall_score, fine_grained_score, then the aspects */
	size_t nfields;
	const char **field_name;
	int64_t *field_aspect; /* aspect id, 0 for the critique fields */
	size_t *field_sorted;
	int need_critiques, need_ratings;

	/* filters */
	int only_agreed, ties_keep, has_min_margin;
	double min_margin;
	char **exclude_sources;
	size_t nexclude_sources;
	struct strset excl;
	int has_excl;
	long excl_n;
	char excl_sha[65];
	int exclude_flagged;
	uint64_t seed;
	int64_t dataset_id;
	char *source;
	int progress;

	/* the prompt being handled */
	struct pairs_prompt cur;
	int cur_flagged;
	struct pairs_completion *comp;
	size_t comp_cap;
	size_t *off; /* arena offsets: 3 per completion (hash, model, response), NONE = NULL */
	size_t off_cap;
	struct sbuf arena;
	struct pairs_cell *grid;
	size_t grid_cap;
	double *rs;   /* per completion and rater: the rater's score, NaN when none */
	double *cs;   /* per completion: the consensus score, NaN when none */
	size_t *cand; /* scratch for the strategies */
	size_t score_cap;
	struct pairs_pair *out;
	size_t nout, out_cap;
	long refused[PAIRS_NREASONS];
	int evaluable; /* some evaluation had two scored completions */
	struct fb_rng rng;
	struct sbuf digest;
	char chain[65];

	struct pairs_counts counts;
};

const char *const pairs_reason_names[PAIRS_NREASONS] = {
	"excluded_source", "excluded_prompt", "flagged", "missing_ratings",
	"tie",             "margin",          "disagreement",
};

/* ---- comparisons ---- */

int pairs_cmp(double a, double b)
{
	double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
	double tol = 1e-9 * (m > 1 ? m : 1), d = a - b;

	return d > tol ? 1 : d < -tol ? -1 : 0;
}

/* ---- score rules ---- */

static int score_cell(const struct pairs_cell *c, double *out)
{
	if (c->state != PAIRS_VALUE)
		return 0;
	*out = c->v;
	return 1;
}

static int score_overall(const struct pairs *ps, const struct pairs_cell *row, double *out)
{
	return score_cell(&row[PAIRS_F_OVERALL], out);
}

static int score_fine(const struct pairs *ps, const struct pairs_cell *row, double *out)
{
	return score_cell(&row[PAIRS_F_FINE], out);
}

/* The mean of every aspect the rater gave a value; N/A and empty rows left out. */
static int score_mean(const struct pairs *ps, const struct pairs_cell *row, double *out)
{
	double sum = 0;
	size_t f, n = 0;

	for (f = PAIRS_F_ASPECT0; f < ps->nfields; f++)
		if (row[f].state == PAIRS_VALUE) {
			sum += row[f].v;
			n++;
		}
	if (!n)
		return 0;
	*out = sum / (double)n;
	return 1;
}

/* The weighted mean of the named aspects that have a value (weights renormalised). */
static int score_mix(const struct pairs *ps, const struct pairs_cell *row, double *out)
{
	double sum = 0, w = 0;
	size_t i;

	for (i = 0; i < ps->nmix; i++) {
		const struct pairs_cell *c = &row[ps->mix_field[i]];

		if (c->state == PAIRS_VALUE) {
			sum += ps->mix_w[i] * c->v;
			w += ps->mix_w[i];
		}
	}
	if (w <= 0)
		return 0;
	*out = sum / w;
	return 1;
}

const struct pairs_score_kind pairs_score_kinds[] = {
	{"overall", "the critique's overall score (UltraFeedback's 1-10)", 0, score_overall},
	{"fine-grained", "the critique's fine-grained score", 0, score_fine},
	{"mean", "mean of the rater's aspect ratings, N/A left out", 1, score_mean},
	{"ASPECT", "one aspect by name, or a weighted mean: helpfulness=2,honesty=1", 1,
	 score_mix},
	{NULL, NULL, 0, NULL},
};

/* ---- strategies ---- */

static int has_score(const double *s, size_t i)
{
	return !isnan(s[i]);
}

static size_t best_of(const struct pairs *ps, const double *s)
{
	size_t i, best = NONE;

	for (i = 0; i < ps->cur.n; i++)
		if (has_score(s, i) && (best == NONE || pairs_cmp(s[i], s[best]) > 0))
			best = i;
	return best;
}

/* 0 when "a over b" passes the filters, else the reason it is refused (counted). */
static int filter(struct pairs *ps, size_t a, size_t b, const double *s)
{
	int c = pairs_cmp(s[a], s[b]), why = 0;

	if (c == 0 && !ps->ties_keep) {
		why = PAIRS_R_TIE;
	} else if (ps->has_min_margin &&
		   pairs_cmp(s[a] - s[b], ps->min_margin) < 0) {
		why = PAIRS_R_MARGIN;
	} else if (ps->only_agreed) {
		size_t r, k = ps->nraters;
		int c0 = pairs_cmp(ps->rs[a * k], ps->rs[b * k]);

		for (r = 1; r < k; r++)
			if (pairs_cmp(ps->rs[a * k + r], ps->rs[b * k + r]) != c0)
				why = PAIRS_R_DISAGREE;
	}
	if (why) {
		ps->refused[why]++;
		ps->counts.candidates[why]++;
	}
	return why;
}

static void add_pair(struct pairs *ps, size_t a, size_t b, const double *s, const char *aspect)
{
	struct pairs_pair *x;

	xgrow((void **)&ps->out, &ps->out_cap, ps->nout + 1, sizeof(*ps->out));
	x = &ps->out[ps->nout++];
	x->chosen = a;
	x->rejected = b;
	x->chosen_score = s[a];
	x->rejected_score = s[b];
	x->margin = s[a] - s[b];
	x->aspect = aspect;
}

/* The best one's eligible rivals, in completion order; returns the best. */
static size_t best_and_rivals(struct pairs *ps, const double *s, size_t *k)
{
	size_t best = best_of(ps, s), i;

	*k = 0;
	if (best == NONE)
		return NONE;
	for (i = 0; i < ps->cur.n; i++)
		if (i != best && has_score(s, i) && !filter(ps, best, i, s))
			ps->cand[(*k)++] = i;
	return best;
}

static void strat_best_random(struct pairs *ps, const double *s, const char *aspect)
{
	size_t k, best = best_and_rivals(ps, s, &k);

	if (k)
		add_pair(ps, best, ps->cand[rng_below(&ps->rng, k)], s, aspect);
}

static void strat_best_worst(struct pairs *ps, const double *s, const char *aspect)
{
	size_t k, i, worst, best = best_and_rivals(ps, s, &k);

	if (!k)
		return;
	worst = ps->cand[0];
	for (i = 1; i < k; i++)
		if (pairs_cmp(s[ps->cand[i]], s[worst]) < 0)
			worst = ps->cand[i];
	add_pair(ps, best, worst, s, aspect);
}

static void strat_best_all(struct pairs *ps, const double *s, const char *aspect)
{
	size_t k, i, best = best_and_rivals(ps, s, &k);

	for (i = 0; i < k; i++)
		add_pair(ps, best, ps->cand[i], s, aspect);
}

/* Every unordered pair once, the higher score chosen (on a kept tie, the lower idx). */
static void strat_all_pairs(struct pairs *ps, const double *s, const char *aspect)
{
	size_t i, j, first = ps->nout;

	for (i = 0; i < ps->cur.n; i++) {
		if (!has_score(s, i))
			continue;
		for (j = i + 1; j < ps->cur.n; j++) {
			size_t a = i, b = j;

			if (!has_score(s, j))
				continue;
			if (pairs_cmp(s[j], s[i]) > 0) {
				a = j;
				b = i;
			}
			if (!filter(ps, a, b, s))
				add_pair(ps, a, b, s, aspect);
		}
	}
	/* easy to hard within the prompt: largest margin first, stable (insertion sort) */
	for (i = first + 1; i < ps->nout; i++) {
		struct pairs_pair t = ps->out[i];

		for (j = i; j > first && pairs_cmp(ps->out[j - 1].margin, t.margin) < 0; j--)
			ps->out[j] = ps->out[j - 1];
		ps->out[j] = t;
	}
}

const struct pairs_strategy pairs_strategies[] = {
	{"best-random", "the best against one random other (H4, Argilla)", 0, 1,
	 strat_best_random},
	{"best-worst", "the best against the worst", 0, 1, strat_best_worst},
	{"best-all", "the best against every other that passes the filters", 0, 1,
	 strat_best_all},
	{"all-pairs", "every ordered pair (higher over lower), largest margin first", 0, 0,
	 strat_all_pairs},
	{"per-aspect", "best-random by each aspect separately, labelled with it", 1, 1,
	 strat_best_random},
	{NULL, NULL, 0, 0, NULL},
};

const struct pairs_strategy *pairs_strategy_find(const char *name)
{
	const struct pairs_strategy *s;

	for (s = pairs_strategies; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

/* ---- presets ---- */

static const char *const no_truthful_qa[] = {"truthful_qa", NULL};

const struct pairs_preset pairs_presets[] = {
	{"h4", "overall score, best vs a random other, ties kept, seed 42",
	 "h4", "best-random", "overall", 1, 42, no_truthful_qa},
	{"argilla", "mean rating, best vs a random lower one, ties dropped",
	 "argilla", "best-random", "mean", 0, 42, no_truthful_qa},
	{NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct pairs_preset *pairs_preset_find(const char *name)
{
	const struct pairs_preset *p;

	for (p = pairs_presets; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/* ---- the exclusion set ---- */

char *pairs_normalise(const char *s)
{
	struct sbuf sb = SBUF_INIT;
	int space = 0;

	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = sb.len > 0;
			continue;
		}
		if (space)
			sbuf_addc(&sb, ' ');
		space = 0;
		sbuf_addc(&sb, *s);
	}
	return sbuf_detach(&sb, NULL);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static int strset_has(const struct strset *set, const char *s)
{
	size_t i;

	if (!set->cap)
		return 0;
	for (i = fnv1a(s) & (set->cap - 1); set->slot[i]; i = (i + 1) & (set->cap - 1))
		if (!strcmp(set->slot[i], s))
			return 1;
	return 0;
}

/* Takes ownership of s; a duplicate is freed. */
static void strset_add(struct strset *set, char *s)
{
	size_t i;

	if (strset_has(set, s)) {
		free(s);
		return;
	}
	if ((set->n + 1) * 2 > set->cap) {
		struct strset big = {NULL, set->cap ? set->cap * 2 : 64, 0};

		big.slot = xcalloc(big.cap, sizeof(char *));
		for (i = 0; i < set->cap; i++)
			if (set->slot[i])
				strset_add(&big, set->slot[i]);
		free(set->slot);
		*set = big;
	}
	for (i = fnv1a(s) & (set->cap - 1); set->slot[i]; i = (i + 1) & (set->cap - 1))
		;
	set->slot[i] = s;
	set->n++;
}

static void strset_free(struct strset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	memset(set, 0, sizeof(*set));
}

/* One prompt a line, or JSON lines with a "prompt" (or "question", "instruction") string. */
static int load_exclusions(struct pairs *ps, const char *path, struct fb_err *err)
{
	char *text, *line, *next;
	size_t len;
	long lineno = 0;

	if (read_file(path, &text, &len, err) < 0)
		return -1;
	if (strlen(text) != len) {
		free(text);
		return fb_error(err, "%s: holds a NUL byte; give a text file of prompts", path);
	}
	sha256_hex(text, len, ps->excl_sha);
	line = text;
	if (starts_with(line, "\xef\xbb\xbf"))
		line += 3;
	for (; line; line = next) {
		char *t;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		t = line;
		while (isspace((unsigned char)*t))
			t++;
		if (*t == '{') {
			static const char *const keys[] = {"prompt", "question", "instruction"};
			cJSON *j = cJSON_Parse(t);
			const cJSON *v = NULL;
			size_t k;

			for (k = 0; j && k < ARRAY_LEN(keys) && !cJSON_IsString(v); k++)
				v = cJSON_GetObjectItemCaseSensitive(j, keys[k]);
			if (!cJSON_IsString(v)) {
				cJSON_Delete(j);
				free(text);
				return fb_error(err,
						"%s:%ld: a JSON line needs a string \"prompt\" field",
						path, lineno);
			}
			t = pairs_normalise(v->valuestring);
			cJSON_Delete(j);
		} else {
			t = pairs_normalise(t);
		}
		if (*t) {
			strset_add(&ps->excl, t);
			ps->excl_n++;
		} else {
			free(t);
		}
	}
	free(text);
	ps->has_excl = 1;
	return 0;
}

/* ---- setting up ---- */

static char *rater_list(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT name FROM rater ORDER BY name");
	struct sbuf sb = SBUF_INIT;

	while (sqlite3_step(st) == SQLITE_ROW)
		sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", db_col_text(st, 0));
	sqlite3_reset(st);
	if (!sb.len)
		sbuf_adds(&sb, "none yet");
	return sbuf_detach(&sb, NULL);
}

static void add_rater(struct pairs *ps, int64_t id, const char *name)
{
	ps->rater_id = xrealloc(ps->rater_id, (ps->nraters + 1) * sizeof(int64_t));
	ps->rater_name = xrealloc(ps->rater_name, (ps->nraters + 1) * sizeof(char *));
	ps->rater_id[ps->nraters] = id;
	ps->rater_name[ps->nraters++] = xstrdup(name);
}

/* No rater named: for pairs the only rater with scores of the rule's kind, else all. */
static int auto_raters(struct pairs *ps, struct fb_err *err)
{
	sqlite3_stmt *st;
	char *names;
	int rc;

	if (!ps->strategy) {
		st = db_stmt(ps->db, "SELECT id, name FROM rater ORDER BY name");
	} else if (ps->need_ratings) {
		st = db_stmt(ps->db, "SELECT id, name FROM rater r WHERE EXISTS (SELECT 1 FROM "
				     "rating WHERE rater_id = r.id) ORDER BY name");
	} else {
		st = db_stmt(ps->db, "SELECT id, name FROM rater r WHERE EXISTS (SELECT 1 FROM "
				     "critique WHERE rater_id = r.id) ORDER BY name");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		add_rater(ps, sqlite3_column_int64(st, 0), db_col_text(st, 1));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(ps->db, err, "listing raters");
	if (!ps->strategy || ps->nraters == 1)
		return 0;
	if (!ps->nraters)
		return fb_error(err, "no rater has %s to score with '%s' (import some, or pick "
				     "another --score)",
				ps->need_ratings ? "aspect ratings" : "critique scores",
				ps->score_text);
	names = xstrdup(ps->rater_name[0]);
	for (size_t i = 1; i < ps->nraters; i++) {
		char *t = xasprintf("%s, %s", names, ps->rater_name[i]);

		free(names);
		names = t;
	}
	fb_error(err, "several raters have scores (%s): name one with --rater, or combine "
		      "them with --consensus",
		 names);
	free(names);
	return -1;
}

static int named_raters(struct pairs *ps, const struct pairs_opts *o, struct fb_err *err)
{
	size_t i, j;

	for (i = 0; i < o->nraters; i++) {
		int64_t id = db_rater_find(ps->db, o->raters[i]);

		if (!id) {
			char *all = rater_list(ps->db);

			fb_error(err, "no rater named '%s' (raters: %s)", o->raters[i], all);
			free(all);
			return -1;
		}
		for (j = 0; j < ps->nraters; j++)
			if (ps->rater_id[j] == id)
				return fb_error(err, "rater '%s' is named twice", o->raters[i]);
		add_rater(ps, id, o->raters[i]);
	}
	return 0;
}

static int field_of_aspect(const struct pairs *ps, const char *name, size_t *f)
{
	size_t i;

	for (i = PAIRS_F_ASPECT0; i < ps->nfields; i++)
		if (!strcmp(ps->field_name[i], name)) {
			*f = i;
			return 0;
		}
	return -1;
}

static char *aspect_names(const struct pairs *ps)
{
	struct sbuf sb = SBUF_INIT;
	size_t f;

	for (f = PAIRS_F_ASPECT0; f < ps->nfields; f++)
		sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", ps->field_name[f]);
	return sbuf_detach(&sb, NULL);
}

/* Shortest %g that reads back the same double. */
static void add_number(struct sbuf *sb, double v)
{
	char buf[40];
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(buf, sizeof(buf), "%.17g", v);
	sbuf_adds(sb, buf);
}

/* "a=2,b=1", "a,b" (weight 1) or "a" into the mix fields; canonical text out. */
static int parse_mix(struct pairs *ps, const char *text, struct fb_err *err)
{
	char *copy = xstrdup(text), *tok, *save = NULL;
	struct sbuf canon = SBUF_INIT;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		double w = 1;
		size_t f, i;

		if (eq) {
			*eq = '\0';
			if (parse_double(eq + 1, &w) < 0 || w <= 0) {
				rc = fb_error(err, "--score: weight '%s' for %s is not a positive "
						   "number",
					      eq + 1, tok);
				break;
			}
		}
		if (field_of_aspect(ps, tok, &f) < 0) {
			const struct pairs_score_kind *k;
			struct sbuf rules = SBUF_INIT;
			char *names = aspect_names(ps);

			for (k = pairs_score_kinds; k[1].name; k++)
				sbuf_addf(&rules, "%s%s", rules.len ? ", " : "", k->name);
			rc = fb_error(err, "--score: '%s' is not a score rule or an aspect "
					   "(rules: %s; aspects: %s)",
				      tok, sbuf_str(&rules), names);
			sbuf_release(&rules);
			free(names);
			break;
		}
		for (i = 0; i < ps->nmix; i++)
			if (ps->mix_field[i] == f)
				rc = fb_error(err, "--score: aspect '%s' is named twice", tok);
		ps->mix_field = xrealloc(ps->mix_field, (ps->nmix + 1) * sizeof(size_t));
		ps->mix_w = xrealloc(ps->mix_w, (ps->nmix + 1) * sizeof(double));
		ps->mix_field[ps->nmix] = f;
		ps->mix_w[ps->nmix++] = w;
		sbuf_addf(&canon, "%s%s", canon.len ? "," : "", tok);
		if (eq) {
			sbuf_addc(&canon, '=');
			add_number(&canon, w);
		}
	}
	if (!rc && !ps->nmix)
		rc = fb_error(err, "--score: name a rule or at least one aspect");
	free(copy);
	ps->score_text = sbuf_detach(&canon, NULL);
	return rc;
}

static int parse_rule(struct pairs *ps, const char *text, struct fb_err *err)
{
	const struct pairs_score_kind *k;

	for (k = pairs_score_kinds; k->name; k++) {
		if (!k[1].name) { /* the last entry: aspects */
			ps->rule = k;
			return parse_mix(ps, text, err);
		}
		if (!strcmp(k->name, text)) {
			ps->rule = k;
			ps->score_text = xstrdup(text);
			return 0;
		}
	}
	return -1; /* not reached: the table ends with the aspect entry */
}

/* per-aspect: the aspects named by the rule, or all of them. */
static int per_aspect_rule(struct pairs *ps, const char *text, struct fb_err *err)
{
	size_t f;

	if (text && strcmp(text, "mean")) {
		if (parse_rule(ps, text, err) < 0)
			return -1;
		if (!ps->rule->ratings || !ps->nmix)
			return fb_error(err, "--strategy per-aspect picks by each aspect: --score "
					     "may only name aspects");
		for (f = 0; f < ps->nmix; f++)
			if (ps->mix_w[f] != 1)
				return fb_error(err, "--strategy per-aspect: aspect weights mean "
						     "nothing here; name the aspects only");
		return 0;
	}
	ps->rule = &pairs_score_kinds[ARRAY_LEN(pairs_score_kinds) - 2];
	{
		struct sbuf canon = SBUF_INIT;

		for (f = PAIRS_F_ASPECT0; f < ps->nfields; f++) {
			ps->mix_field = xrealloc(ps->mix_field, (ps->nmix + 1) * sizeof(size_t));
			ps->mix_w = xrealloc(ps->mix_w, (ps->nmix + 1) * sizeof(double));
			ps->mix_field[ps->nmix] = f;
			ps->mix_w[ps->nmix++] = 1;
			sbuf_addf(&canon, "%s%s", canon.len ? "," : "", ps->field_name[f]);
		}
		ps->score_text = sbuf_detach(&canon, NULL);
	}
	return 0;
}

/* idx[0..n) ordered by names[idx[i]] (a few raters or fields: insertion sort). */
static void order_by_name(size_t *idx, size_t n, const char *const *names)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = 1; i < n; i++) {
		size_t t = idx[i];

		for (j = i; j > 0 && strcmp(names[idx[j - 1]], names[t]) > 0; j--)
			idx[j] = idx[j - 1];
		idx[j] = t;
	}
}

static void setup_fields(struct pairs *ps)
{
	const struct rubric_set *rs = ps->db->rubrics;
	size_t i;

	ps->nfields = PAIRS_F_ASPECT0 + rs->n;
	ps->field_name = xcalloc(ps->nfields, sizeof(char *));
	ps->field_aspect = xcalloc(ps->nfields, sizeof(int64_t));
	ps->field_name[PAIRS_F_OVERALL] = "overall_score";
	ps->field_name[PAIRS_F_FINE] = "fine_grained_score";
	for (i = 0; i < rs->n; i++) {
		ps->field_name[PAIRS_F_ASPECT0 + i] = rs->items[i]->name;
		ps->field_aspect[PAIRS_F_ASPECT0 + i] = ps->db->aspect_ids[i];
	}
}

static void setup_orders(struct pairs *ps)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;

	ps->rater_sorted = xcalloc(ps->nraters + 1, sizeof(size_t));
	ps->field_sorted = xcalloc(ps->nfields, sizeof(size_t));
	order_by_name(ps->rater_sorted, ps->nraters, (const char *const *)ps->rater_name);
	order_by_name(ps->field_sorted, ps->nfields, ps->field_name);
	sbuf_addc(&sb, '[');
	for (i = 0; i < ps->nraters; i++)
		sbuf_addf(&sb, "%s%lld", i ? "," : "", (long long)ps->rater_id[i]);
	sbuf_addc(&sb, ']');
	ps->rater_json = sbuf_detach(&sb, NULL);
}

struct pairs *pairs_new(struct db *db, const struct pairs_opts *o, struct fb_err *err)
{
	struct pairs *ps = xcalloc(1, sizeof(*ps));
	size_t i;

	ps->db = db;
	memset(ps->chain, '0', 64);
	setup_fields(ps);
	if (o->strategy && !(ps->strategy = pairs_strategy_find(o->strategy))) {
		fb_error(err, "unknown strategy '%s' (see 'feedbench export --help')",
			 o->strategy);
		goto fail;
	}
	if (ps->strategy && ps->strategy->per_aspect) {
		if (per_aspect_rule(ps, o->score, err) < 0)
			goto fail;
	} else if (parse_rule(ps, o->score ? o->score : "overall", err) < 0) {
		goto fail;
	}
	ps->need_ratings = ps->rule->ratings || o->load_all;
	ps->need_critiques = !ps->rule->ratings || o->load_all;
	if (o->nraters ? named_raters(ps, o, err) < 0 : auto_raters(ps, err) < 0)
		goto fail;
	if (o->only_agreed && ps->nraters < 2) {
		fb_error(err, "--only-agreed compares raters: name two or more with --consensus");
		goto fail;
	}
	if (o->has_min_margin && !(o->min_margin >= 0)) {
		fb_error(err, "--min-margin must be zero or more");
		goto fail;
	}
	if (o->sel.dataset && !(ps->dataset_id = db_dataset_find(db, o->sel.dataset))) {
		fb_error(err, "no data set named '%s' (see 'feedbench stats')", o->sel.dataset);
		goto fail;
	}
	if (o->sel.source)
		ps->source = xstrdup(o->sel.source);
	if (o->exclude_prompts && load_exclusions(ps, o->exclude_prompts, err) < 0)
		goto fail;
	ps->exclude_sources = xcalloc(o->nexclude_sources + 1, sizeof(char *));
	for (i = 0; i < o->nexclude_sources; i++)
		ps->exclude_sources[i] = xstrdup(o->exclude_sources[i]);
	ps->nexclude_sources = o->nexclude_sources;
	ps->only_agreed = o->only_agreed;
	ps->ties_keep = o->ties_keep;
	ps->has_min_margin = o->has_min_margin;
	ps->min_margin = o->min_margin;
	ps->exclude_flagged = o->exclude_flagged;
	ps->seed = o->seed;
	ps->progress = o->progress;
	setup_orders(ps);
	return ps;
fail:
	pairs_free(ps);
	return NULL;
}

void pairs_free(struct pairs *ps)
{
	size_t i;

	if (!ps)
		return;
	free(ps->score_text);
	free(ps->mix_field);
	free(ps->mix_w);
	for (i = 0; i < ps->nraters; i++)
		free(ps->rater_name[i]);
	free(ps->rater_name);
	free(ps->rater_id);
	free(ps->rater_sorted);
	free(ps->rater_json);
	free(ps->field_name);
	free(ps->field_aspect);
	free(ps->field_sorted);
	for (i = 0; i < ps->nexclude_sources; i++)
		free(ps->exclude_sources[i]);
	free(ps->exclude_sources);
	strset_free(&ps->excl);
	free(ps->source);
	free(ps->comp);
	free(ps->off);
	sbuf_release(&ps->arena);
	free(ps->grid);
	free(ps->rs);
	free(ps->cs);
	free(ps->cand);
	free(ps->out);
	sbuf_release(&ps->digest);
	free(ps);
}

size_t pairs_nraters(const struct pairs *ps)
{
	return ps->nraters;
}

const char *pairs_rater_name(const struct pairs *ps, size_t i)
{
	return ps->rater_name[i];
}

size_t pairs_nfields(const struct pairs *ps)
{
	return ps->nfields;
}

const char *pairs_field_name(const struct pairs *ps, size_t f)
{
	return ps->field_name[f];
}

const char *pairs_score_text(const struct pairs *ps)
{
	return ps->score_text;
}

const char *pairs_strategy_name(const struct pairs *ps)
{
	return ps->strategy ? ps->strategy->name : NULL;
}

const char *pairs_exclude_sha256(const struct pairs *ps, long *entries)
{
	*entries = ps->excl_n;
	return ps->has_excl ? ps->excl_sha : NULL;
}

const struct pairs_counts *pairs_get_counts(const struct pairs *ps)
{
	return &ps->counts;
}

const char *pairs_input_sha256(const struct pairs *ps)
{
	return ps->chain;
}

/* ---- the stream ---- */

/* The three cursors, merged on prompt id; each reads ahead by one row. */
struct cursor {
	sqlite3_stmt *st;
	int row; /* 1: a row is loaded */
};

static int cursor_step(struct pairs *ps, struct cursor *c, struct fb_err *err)
{
	int rc = sqlite3_step(c->st);

	c->row = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(ps->db, err, "reading ratings");
	return 0;
}

static size_t arena_put(struct pairs *ps, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col), at = ps->arena.len;

	if (!s)
		return NONE;
	sbuf_add(&ps->arena, s, n);
	sbuf_addc(&ps->arena, '\0');
	return at;
}

static const char *arena_str(const struct pairs *ps, size_t off)
{
	return off == NONE ? NULL : ps->arena.buf + off;
}

static size_t slot_of_idx(const struct pairs *ps, int idx)
{
	size_t lo = 0, hi = ps->cur.n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ps->comp[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ps->cur.n && ps->comp[lo].idx == idx ? lo : NONE;
}

static size_t rater_slot(const struct pairs *ps, int64_t id)
{
	size_t r;

	for (r = 0; r < ps->nraters; r++)
		if (ps->rater_id[r] == id)
			return r;
	return NONE;
}

static struct pairs_cell *cell(struct pairs *ps, size_t c, size_t r, size_t f)
{
	return &ps->grid[(c * ps->nraters + r) * ps->nfields + f];
}

/* Read the prompt the completion cursor stands on; 0 at the end. */
static int load_prompt(struct pairs *ps, struct cursor *a, struct fb_err *err)
{
	sqlite3_stmt *st = a->st;
	size_t ptext[3], i, ncells;
	int64_t pid;

	if (!a->row)
		return 0;
	sbuf_reset(&ps->arena);
	pid = sqlite3_column_int64(st, 0);
	ptext[0] = arena_put(ps, st, 1);
	ptext[1] = arena_put(ps, st, 2);
	ptext[2] = arena_put(ps, st, 3);
	ps->cur_flagged = sqlite3_column_int(st, 4);
	ps->cur.id = pid;
	ps->cur.n = 0;
	while (a->row && sqlite3_column_int64(st, 0) == pid) {
		if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
			struct pairs_completion *c;
			size_t n = ps->cur.n;

			xgrow((void **)&ps->comp, &ps->comp_cap, n + 1, sizeof(*ps->comp));
			xgrow((void **)&ps->off, &ps->off_cap, 3 * (n + 1), sizeof(size_t));
			c = &ps->comp[n];
			memset(c, 0, sizeof(*c));
			c->id = sqlite3_column_int64(st, 5);
			c->idx = sqlite3_column_int(st, 6);
			ps->off[3 * n] = arena_put(ps, st, 7);
			ps->off[3 * n + 1] = arena_put(ps, st, 8);
			ps->off[3 * n + 2] = arena_put(ps, st, 9);
			ps->cur.n++;
		}
		if (cursor_step(ps, a, err) < 0)
			return -1;
	}
	/* the arena is complete: pointers into it are now stable */
	ps->cur.hash = arena_str(ps, ptext[0]);
	ps->cur.instruction = arena_str(ps, ptext[1]);
	ps->cur.source = arena_str(ps, ptext[2]);
	for (i = 0; i < ps->cur.n; i++) {
		ps->comp[i].hash = arena_str(ps, ps->off[3 * i]);
		ps->comp[i].model = arena_str(ps, ps->off[3 * i + 1]);
		ps->comp[i].response = arena_str(ps, ps->off[3 * i + 2]);
	}
	ncells = ps->cur.n * ps->nraters * ps->nfields;
	xgrow((void **)&ps->grid, &ps->grid_cap, ncells + 1, sizeof(*ps->grid));
	memset(ps->grid, 0, ncells * sizeof(*ps->grid));
	ps->cur.grid = ps->grid;
	if (ps->score_cap < ps->cur.n * (ps->nraters + 1) + 1) {
		ps->score_cap = ps->cur.n * (ps->nraters + 1) + 1;
		ps->rs = xrealloc(ps->rs, ps->score_cap * sizeof(double));
		ps->cs = xrealloc(ps->cs, ps->score_cap * sizeof(double));
		ps->cand = xrealloc(ps->cand, ps->score_cap * sizeof(size_t));
	}
	return 1;
}

/* Critique rows: prompt, idx, rater, overall, fine. */
static int load_critiques(struct pairs *ps, struct cursor *b, struct fb_err *err)
{
	sqlite3_stmt *st = b->st;

	while (b->row && sqlite3_column_int64(st, 0) <= ps->cur.id) {
		if (sqlite3_column_int64(st, 0) == ps->cur.id) {
			size_t c = slot_of_idx(ps, sqlite3_column_int(st, 1));
			size_t r = rater_slot(ps, sqlite3_column_int64(st, 2));
			int k;

			for (k = 0; k < 2 && c != NONE && r != NONE; k++) {
				struct pairs_cell *x = cell(ps, c, r, PAIRS_F_OVERALL + (size_t)k);

				if (sqlite3_column_type(st, 3 + k) != SQLITE_NULL) {
					x->state = PAIRS_VALUE;
					x->v = sqlite3_column_double(st, 3 + k);
				}
			}
		}
		if (cursor_step(ps, b, err) < 0)
			return -1;
	}
	return 0;
}

/* Rating rows: prompt, idx, rater, aspect, value, na. */
static int load_ratings(struct pairs *ps, struct cursor *k, struct fb_err *err)
{
	sqlite3_stmt *st = k->st;

	while (k->row && sqlite3_column_int64(st, 0) <= ps->cur.id) {
		if (sqlite3_column_int64(st, 0) == ps->cur.id) {
			size_t c = slot_of_idx(ps, sqlite3_column_int(st, 1));
			size_t r = rater_slot(ps, sqlite3_column_int64(st, 2));
			int64_t aspect = sqlite3_column_int64(st, 3);
			size_t f;

			for (f = PAIRS_F_ASPECT0; f < ps->nfields; f++)
				if (ps->field_aspect[f] == aspect)
					break;
			if (c != NONE && r != NONE && f < ps->nfields) {
				struct pairs_cell *x = cell(ps, c, r, f);

				if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
					x->state = PAIRS_VALUE;
					x->v = sqlite3_column_double(st, 4);
				} else {
					x->state = sqlite3_column_int(st, 5) ? PAIRS_NA : PAIRS_EMPTY;
				}
			}
		}
		if (cursor_step(ps, k, err) < 0)
			return -1;
	}
	return 0;
}

/* Tabs, newlines and backslashes escaped, so digest lines stay unambiguous. */
static void digest_str(struct sbuf *sb, const char *s)
{
	if (!s) {
		sbuf_adds(sb, "\\N");
		return;
	}
	if (!strpbrk(s, "\\\t\n")) {
		sbuf_adds(sb, s);
		return;
	}
	for (; *s; s++) {
		if (*s == '\\')
			sbuf_adds(sb, "\\\\");
		else if (*s == '\t')
			sbuf_adds(sb, "\\t");
		else if (*s == '\n')
			sbuf_adds(sb, "\\n");
		else
			sbuf_addc(sb, *s);
	}
}

/* A whole number in decimal (the digest is built for every prompt: no printf). */
static void digest_int(struct sbuf *sb, long long v)
{
	char buf[24], *o = buf + sizeof(buf);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do
		*--o = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		*--o = '-';
	sbuf_add(sb, o, (size_t)(buf + sizeof(buf) - o));
}

static void digest_value(struct sbuf *sb, const struct pairs_cell *x)
{
	if (x->state == PAIRS_NA) {
		sbuf_adds(sb, "N/A");
	} else if (x->state == PAIRS_VALUE) {
		double q = fabs(x->v) * 4;

		if (q < 4e15 && q == floor(q)) {
			/* whole and quarter values print as %.17g would, without printf */
			static const char *const frac[] = {"", ".25", ".5", ".75"};
			long long w = (long long)q;

			if (x->v < 0)
				sbuf_addc(sb, '-');
			digest_int(sb, w / 4);
			sbuf_adds(sb, frac[w % 4]);
		} else {
			sbuf_addf(sb, "%.17g", x->v);
		}
	}
}

static void make_digest(struct pairs *ps)
{
	struct sbuf *sb = &ps->digest;
	size_t i, r, f;
	char both[129];

	sbuf_reset(sb);
	sbuf_adds(sb, "prompt\t");
	sbuf_adds(sb, ps->cur.hash);
	sbuf_adds(sb, "\nsource\t");
	digest_str(sb, ps->cur.source);
	sbuf_addc(sb, '\n');
	for (i = 0; i < ps->cur.n; i++) {
		const struct pairs_completion *c = &ps->comp[i];

		sbuf_adds(sb, "completion\t");
		digest_int(sb, c->idx);
		sbuf_addc(sb, '\t');
		sbuf_adds(sb, c->hash);
		sbuf_addc(sb, '\t');
		digest_str(sb, c->model);
		sbuf_addc(sb, '\n');
		for (r = 0; r < ps->nraters; r++) {
			size_t rr = ps->rater_sorted[r];

			for (f = 0; f < ps->nfields; f++) {
				size_t ff = ps->field_sorted[f];
				const struct pairs_cell *x = cell(ps, i, rr, ff);

				if (x->state == PAIRS_NONE)
					continue;
				sbuf_adds(sb, "score\t");
				digest_int(sb, c->idx);
				sbuf_addc(sb, '\t');
				digest_str(sb, ps->rater_name[rr]);
				sbuf_addc(sb, '\t');
				sbuf_adds(sb, ps->field_name[ff]);
				sbuf_addc(sb, '\t');
				digest_value(sb, x);
				sbuf_addc(sb, '\n');
			}
		}
	}
	if (ps->exclude_flagged && ps->cur_flagged)
		sbuf_adds(sb, "flagged\n");
	sha256_hex(sb->buf, sb->len, ps->cur.input_sha256);
	memcpy(both, ps->chain, 64);
	memcpy(both + 64, ps->cur.input_sha256, 64);
	sha256_hex(both, 128, ps->chain);
}

/* The first reason, in pipeline order, that removes the whole prompt. */
static int prompt_excluded(struct pairs *ps)
{
	size_t i;

	if (ps->cur.source)
		for (i = 0; i < ps->nexclude_sources; i++)
			if (!strcmp(ps->cur.source, ps->exclude_sources[i]))
				return PAIRS_R_SOURCE;
	if (ps->has_excl) {
		char *n = pairs_normalise(ps->cur.instruction);
		int hit = strset_has(&ps->excl, n);

		free(n);
		if (hit)
			return PAIRS_R_PROMPT;
	}
	if (ps->exclude_flagged && ps->cur_flagged)
		return PAIRS_R_FLAGGED;
	return -1;
}

/* Per-rater scores into rs, their consensus into s; returns how many are scored. */
static size_t score_all(struct pairs *ps, size_t field, double *s)
{
	size_t i, r, k = ps->nraters, n = 0;

	for (i = 0; i < ps->cur.n; i++) {
		double sum = 0;
		int all = 1;

		for (r = 0; r < k; r++) {
			const struct pairs_cell *row = cell(ps, i, r, 0);
			double v;
			int ok;

			if (field != NONE)
				ok = score_cell(&row[field], &v);
			else
				ok = ps->rule->value(ps, row, &v);
			ps->rs[i * k + r] = ok ? v : NAN;
			all &= ok;
			if (ok)
				sum += v;
		}
		s[i] = all ? sum / (double)k : NAN;
		n += all;
	}
	return n;
}

static void handle_prompt(struct pairs *ps)
{
	size_t i, scored_any = 0;
	double *s = ps->cs;

	ps->nout = 0;
	memset(ps->refused, 0, sizeof(ps->refused));
	ps->evaluable = 0;
	{
		char head[17];

		memcpy(head, ps->cur.hash, 16);
		head[16] = '\0';
		rng_seed(&ps->rng, ps->seed ^ strtoull(head, NULL, 16));
	}
	if (!ps->strategy->per_aspect) {
		scored_any = score_all(ps, NONE, s);
		ps->counts.completions_unscored += (long)(ps->cur.n - scored_any);
		for (i = 0; i < ps->cur.n; i++) {
			ps->comp[i].scored = has_score(s, i);
			ps->comp[i].score = s[i];
		}
		if (scored_any >= 2) {
			ps->evaluable = 1;
			ps->strategy->select(ps, s, NULL);
		}
		return;
	}
	/* per aspect: the completion's own score is unused; unscored = no aspect at all */
	{
		long unscored = 0;

		for (i = 0; i < ps->cur.n; i++)
			ps->comp[i].scored = 0;
		for (size_t m = 0; m < ps->nmix; m++) {
			size_t f = ps->mix_field[m];

			if (score_all(ps, f, s) >= 2) {
				ps->evaluable = 1;
				ps->strategy->select(ps, s, ps->field_name[f]);
			}
			for (i = 0; i < ps->cur.n; i++)
				if (has_score(s, i))
					ps->comp[i].scored = 1;
		}
		for (i = 0; i < ps->cur.n; i++) {
			ps->comp[i].score = NAN;
			unscored += !ps->comp[i].scored;
		}
		ps->counts.completions_unscored += unscored;
	}
}

static int why_no_pair(const struct pairs *ps)
{
	int r;

	if (!ps->evaluable)
		return PAIRS_R_MISSING;
	for (r = PAIRS_R_TIE; r < PAIRS_NREASONS; r++)
		if (ps->refused[r])
			return r;
	return PAIRS_R_MISSING;
}

static int run_stream(struct pairs *ps, struct cursor *a, struct cursor *b, struct cursor *k,
		      pairs_emit_fn emit, void *ctx, struct fb_err *err)
{
	struct progress pg;
	int rc, loaded;

	progress_start(&pg, "export", 0, ps->progress);
	while ((loaded = load_prompt(ps, a, err)) > 0) {
		int why;

		rc = 0;
		if (b->st)
			rc = load_critiques(ps, b, err);
		if (!rc && k->st)
			rc = load_ratings(ps, k, err);
		if (rc < 0) {
			loaded = -1;
			break;
		}
		ps->counts.prompts_seen++;
		make_digest(ps);
		progress_update(&pg, ps->counts.prompts_seen, 0);
		if ((why = prompt_excluded(ps)) >= 0) {
			ps->counts.dropped[why]++;
			continue;
		}
		ps->cur.c = ps->comp;
		if (!ps->strategy) {
			if (emit(ctx, &ps->cur, NULL, 0, err) < 0) {
				loaded = -1;
				break;
			}
			continue;
		}
		handle_prompt(ps);
		if (!ps->nout) {
			ps->counts.dropped[why_no_pair(ps)]++;
			continue;
		}
		ps->counts.prompts_paired++;
		ps->counts.pairs += (long)ps->nout;
		if (emit(ctx, &ps->cur, ps->out, ps->nout, err) < 0) {
			loaded = -1;
			break;
		}
	}
	progress_end(&pg);
	return loaded < 0 ? -1 : 0;
}

int pairs_run(struct pairs *ps, pairs_emit_fn emit, void *ctx, struct fb_err *err)
{
	struct cursor a = {NULL, 0}, b = {NULL, 0}, k = {NULL, 0};
	int rc;

	/* The join order is forced (CROSS JOIN) so that every cursor walks the
	 * prompts in id order and the completions through their (prompt_id, idx)
	 * index: no sort, no temporary table, rows arrive prompt by prompt. */
	a.st = db_stmt(ps->db,
		       "SELECT p.id, p.hash, p.instruction, p.source, ?3 AND EXISTS (SELECT 1 "
		       "FROM flag f WHERE f.prompt_id = p.id AND f.kind = 'flag'), c.id, c.idx, "
		       "c.hash, c.model, c.response FROM prompt p LEFT JOIN completion c ON "
		       "c.prompt_id = p.id WHERE " SEL_SQL_WHERE " ORDER BY p.id, c.idx");
	sqlite3_bind_int64(a.st, 1, ps->dataset_id);
	db_bind_text(a.st, 2, ps->source);
	sqlite3_bind_int(a.st, 3, ps->exclude_flagged);
	if (ps->need_critiques) {
		b.st = db_stmt(ps->db,
			       "SELECT p.id, c.idx, k.rater_id, k.overall_score, "
			       "k.fine_grained_score FROM prompt p CROSS JOIN completion c CROSS "
			       "JOIN critique k WHERE c.prompt_id = p.id AND k.completion_id = c.id "
			       "AND k.rater_id IN (SELECT value FROM json_each(?3)) AND " SEL_SQL_WHERE
			       " ORDER BY p.id, c.idx");
		sqlite3_bind_int64(b.st, 1, ps->dataset_id);
		db_bind_text(b.st, 2, ps->source);
		db_bind_text(b.st, 3, ps->rater_json);
	}
	if (ps->need_ratings) {
		k.st = db_stmt(ps->db,
			       "SELECT p.id, c.idx, r.rater_id, r.aspect_id, r.value, r.na FROM "
			       "prompt p CROSS JOIN completion c CROSS JOIN rating r WHERE "
			       "c.prompt_id = p.id AND r.completion_id = c.id AND r.rater_id IN "
			       "(SELECT value FROM json_each(?3)) AND " SEL_SQL_WHERE
			       " ORDER BY p.id, c.idx");
		sqlite3_bind_int64(k.st, 1, ps->dataset_id);
		db_bind_text(k.st, 2, ps->source);
		db_bind_text(k.st, 3, ps->rater_json);
	}
	memset(&ps->counts, 0, sizeof(ps->counts));
	memset(ps->chain, '0', 64);
	ps->chain[64] = '\0';
	/* one read transaction: a consistent snapshot even while others write */
	if (db_exec(ps->db, "BEGIN", err) < 0)
		return -1;
	rc = cursor_step(ps, &a, err);
	if (!rc && b.st)
		rc = cursor_step(ps, &b, err);
	if (!rc && k.st)
		rc = cursor_step(ps, &k, err);
	if (!rc)
		rc = run_stream(ps, &a, &b, &k, emit, ctx, err);
	sqlite3_reset(a.st);
	if (b.st)
		sqlite3_reset(b.st);
	if (k.st)
		sqlite3_reset(k.st);
	db_exec(ps->db, "COMMIT", NULL);
	return rc;
}
