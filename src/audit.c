/*
 * audit.c - the ratings of a selection in memory (see audit.h), and the
 * `agreement` and `conflict` commands built on them.
 */
#include "audit.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- id maps ---------------------------------------------------------------- */

/*
 * Database ids to dense indexes.  Ids are nearly always dense (INTEGER
 * PRIMARY KEY counts up), so a plain array over [lo, hi] serves; a
 * database with far-apart ids falls back to binary search.
 */
struct idmap {
	int64_t lo;
	size_t span;     /* direct: hi - lo + 1 entries */
	int32_t *direct; /* -1: absent */
	struct idpair *sorted;
	size_t n;
};

struct idpair {
	int64_t id;
	int32_t index;
};

static int idpair_cmp(const void *a, const void *b)
{
	const struct idpair *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void idmap_build(struct idmap *m, const int64_t *ids, size_t n)
{
	int64_t lo, hi;

	memset(m, 0, sizeof(*m));
	if (n == 0)
		return;
	lo = hi = ids[0];
	for (size_t i = 1; i < n; i++) {
		lo = ids[i] < lo ? ids[i] : lo;
		hi = ids[i] > hi ? ids[i] : hi;
	}
	m->lo = lo;
	m->n = n;
	if ((uint64_t)hi - (uint64_t)lo <= 16 * (uint64_t)n + 65536) {
		m->span = (size_t)((uint64_t)hi - (uint64_t)lo) + 1;
		m->direct = xmalloc(m->span * sizeof(*m->direct));
		memset(m->direct, 0xff, m->span * sizeof(*m->direct));
		for (size_t i = 0; i < n; i++)
			m->direct[ids[i] - lo] = (int32_t)i;
		return;
	}
	m->sorted = xmalloc(n * sizeof(*m->sorted));
	for (size_t i = 0; i < n; i++) {
		m->sorted[i].id = ids[i];
		m->sorted[i].index = (int32_t)i;
	}
	qsort(m->sorted, n, sizeof(*m->sorted), idpair_cmp);
}

static long idmap_get(const struct idmap *m, int64_t id)
{
	size_t lo = 0, hi = m->n;

	if (m->direct) {
		if (id < m->lo || (uint64_t)id - (uint64_t)m->lo >= m->span)
			return -1;
		return m->direct[id - m->lo];
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->sorted[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->sorted[lo].id == id ? m->sorted[lo].index : -1;
}

static void idmap_release(struct idmap *m)
{
	free(m->direct);
	free(m->sorted);
	memset(m, 0, sizeof(*m));
}

/* ---- loading ------------------------------------------------------------------ */


static int load_prompts(struct db *db, struct audit_data *d, int64_t dsid, const struct sel *sel,
			struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT p.id, p.source FROM prompt p WHERE " SEL_SQL_WHERE
				       " ORDER BY p.id");
	size_t cap = 0, scap = 0;
	int rc;

	sqlite3_bind_int64(st, 1, dsid);
	db_bind_text(st, 2, sel->source);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow((void **)&d->prompt_id, &cap, d->nprompts + 1, sizeof(*d->prompt_id));
		xgrow((void **)&d->source, &scap, d->nprompts + 1, sizeof(*d->source));
		d->prompt_id[d->nprompts] = sqlite3_column_int64(st, 0);
		d->source[d->nprompts] = db_col_dup(st, 1);
		d->nprompts++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the selected prompts");
	return 0;
}

/* Completions in prompt order; both lists ascend by prompt id, so one merge places them. */
static int load_completions(struct db *db, struct audit_data *d, int64_t dsid,
			    const struct sel *sel, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT c.id, c.prompt_id FROM completion c JOIN prompt p "
				       "ON p.id = c.prompt_id WHERE " SEL_SQL_WHERE
				       " ORDER BY c.prompt_id, c.idx");
	size_t cap = 0, pcap = 0, p = 0;
	int rc;

	d->start = xcalloc(d->nprompts + 1, sizeof(*d->start));
	sqlite3_bind_int64(st, 1, dsid);
	db_bind_text(st, 2, sel->source);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pid = sqlite3_column_int64(st, 1);

		while (p < d->nprompts && d->prompt_id[p] < pid)
			d->start[++p] = d->ncompl;
		if (p >= d->nprompts || d->prompt_id[p] != pid)
			continue; /* cannot happen: both queries select the same prompts */
		xgrow((void **)&d->compl_id, &cap, d->ncompl + 1, sizeof(*d->compl_id));
		xgrow((void **)&d->compl_prompt, &pcap, d->ncompl + 1, sizeof(*d->compl_prompt));
		d->compl_id[d->ncompl] = sqlite3_column_int64(st, 0);
		d->compl_prompt[d->ncompl] = p;
		d->ncompl++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the selected completions");
	while (p < d->nprompts)
		d->start[++p] = d->ncompl;
	return 0;
}

static int load_raters(struct db *db, struct audit_data *d, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, name, kind FROM rater ORDER BY name");
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_rater *r;

		xgrow((void **)&d->raters, &cap, d->nraters + 1, sizeof(*d->raters));
		r = &d->raters[d->nraters++];
		r->id = sqlite3_column_int64(st, 0);
		r->name = db_col_dup(st, 1);
		r->kind = db_col_dup(st, 2);
		if (!r->name)
			r->name = xstrdup("");
		if (!r->kind)
			r->kind = xstrdup("human");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the raters");
	return 0;
}

/*
 * Every rating, in one scan of the covering index rating_rater_aspect
 * (schema/004): it holds the five columns read here, so the rows with their
 * rationales are never touched.  (Splitting the scan over two connections
 * and threads was tried: on a shared two-core machine it came out slower.)
 * Rows of completions outside the selection, or of aspects no rubric names,
 * are passed over.
 */
static int load_ratings(struct db *db, struct audit_data *d, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT completion_id, rater_id, aspect_id, value, na "
				       "FROM rating");
	struct idmap cm, rm, am;
	int64_t *ids;
	size_t R = d->nraters, A = d->naspects, C = d->ncompl, cells = A * C * R;
	int rc;

	idmap_build(&cm, d->compl_id, C);
	ids = xmalloc((R + A + 1) * sizeof(*ids));
	for (size_t r = 0; r < R; r++)
		ids[r] = d->raters[r].id;
	idmap_build(&rm, ids, R);
	for (size_t a = 0; a < A; a++)
		ids[a] = d->aspects[a].id;
	idmap_build(&am, ids, A);
	free(ids);

	d->v = xmalloc((cells ? cells : 1) * sizeof(*d->v));
	for (size_t i = 0; i < cells; i++)
		d->v[i] = AUDIT_NONE;
	d->rated = xcalloc(A * R + 1, sizeof(*d->rated));
	d->na = xcalloc(A * R + 1, sizeof(*d->na));
	d->empty = xcalloc(A * R + 1, sizeof(*d->empty));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long c = idmap_get(&cm, sqlite3_column_int64(st, 0)), r, a;
		const struct audit_aspect *as;
		int value;

		if (c < 0)
			continue;
		r = idmap_get(&rm, sqlite3_column_int64(st, 1));
		a = idmap_get(&am, sqlite3_column_int64(st, 2));
		if (r < 0 || a < 0)
			continue;
		if (sqlite3_column_int(st, 4)) {
			d->na[(size_t)a * R + (size_t)r]++;
			continue;
		}
		if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
			d->empty[(size_t)a * R + (size_t)r]++;
			continue;
		}
		value = sqlite3_column_int(st, 3);
		as = &d->aspects[a];
		if (value < as->min || value > as->max) {
			d->off_scale++;
			continue;
		}
		d->v[((size_t)a * C + (size_t)c) * R + (size_t)r] = (int16_t)value;
		d->rated[(size_t)a * R + (size_t)r]++;
	}
	sqlite3_reset(st);
	idmap_release(&cm);
	idmap_release(&rm);
	idmap_release(&am);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the ratings");
	return 0;
}

int audit_load(struct db *db, const struct sel *sel, struct audit_data *d, struct fb_err *err)
{
	const struct rubric_set *rs = db->rubrics;
	int64_t dsid = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	if (sel->dataset && !(dsid = db_dataset_find(db, sel->dataset)))
		return fb_error(err, "no data set named '%s' (see 'feedbench stats')", sel->dataset);
	d->naspects = rs->n;
	d->aspects = xcalloc(rs->n + 1, sizeof(*d->aspects));
	for (size_t a = 0; a < rs->n; a++) {
		d->aspects[a].id = db->aspect_ids[a];
		d->aspects[a].name = xstrdup(rs->items[a]->name);
		d->aspects[a].title = xstrdup(rs->items[a]->title ? rs->items[a]->title : rs->items[a]->name);
		d->aspects[a].min = rs->items[a]->min;
		d->aspects[a].max = rs->items[a]->max;
	}
	if (load_prompts(db, d, dsid, sel, err) < 0 || load_completions(db, d, dsid, sel, err) < 0 ||
	    load_raters(db, d, err) < 0) {
		audit_release(d);
		return -1;
	}
	rc = load_ratings(db, d, err);
	if (rc < 0) {
		audit_release(d);
		return -1;
	}
	return 0;
}

void audit_release(struct audit_data *d)
{
	for (size_t p = 0; p < d->nprompts; p++)
		free(d->source[p]);
	for (size_t a = 0; a < d->naspects; a++) {
		free(d->aspects[a].name);
		free(d->aspects[a].title);
	}
	for (size_t r = 0; r < d->nraters; r++) {
		free(d->raters[r].name);
		free(d->raters[r].kind);
	}
	free(d->prompt_id);
	free(d->source);
	free(d->start);
	free(d->compl_id);
	free(d->compl_prompt);
	free(d->aspects);
	free(d->raters);
	free(d->v);
	free(d->rated);
	free(d->na);
	free(d->empty);
	memset(d, 0, sizeof(*d));
}

long audit_rater_index(const struct audit_data *d, const char *name)
{
	for (size_t r = 0; r < d->nraters; r++)
		if (!strcmp(d->raters[r].name, name))
			return (long)r;
	return -1;
}

long audit_aspect_index(const struct audit_data *d, const char *name)
{
	for (size_t a = 0; a < d->naspects; a++)
		if (!strcmp(d->aspects[a].name, name))
			return (long)a;
	return -1;
}

int audit_has_ratings(const struct audit_data *d, long a, size_t r)
{
	size_t R = d->nraters;

	if (a >= 0)
		return d->rated[(size_t)a * R + r] + d->na[(size_t)a * R + r] > 0;
	for (size_t x = 0; x < d->naspects; x++)
		if (d->rated[x * R + r] + d->na[x * R + r] > 0)
			return 1;
	return 0;
}

size_t *audit_rated_aspects(const struct audit_data *d, const size_t *ridx, size_t nr, size_t *n)
{
	size_t *out = xmalloc((d->naspects + 1) * sizeof(*out));

	*n = 0;
	for (size_t a = 0; a < d->naspects; a++)
		for (size_t i = 0; i < nr; i++)
			if (audit_has_ratings(d, (long)a, ridx[i])) {
				out[(*n)++] = a;
				break;
			}
	return out;
}

/* ---- groups of prompts ------------------------------------------------------- */

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct audit_group *agroup_add(struct audit_group **g, size_t *n, const char *name,
				      size_t cap)
{
	struct audit_group *x;

	*g = xrealloc(*g, (*n + 1) * sizeof(**g));
	x = &(*g)[(*n)++];
	x->name = xstrdup(name);
	x->prompts = xmalloc((cap ? cap : 1) * sizeof(*x->prompts));
	x->np = 0;
	return x;
}

void audit_by_source(const struct audit_data *d, struct audit_group **g, size_t *n)
{
	char **names = xmalloc((d->nprompts + 1) * sizeof(*names));
	size_t k = 0, none = 0;

	*g = NULL;
	*n = 0;
	for (size_t p = 0; p < d->nprompts; p++) {
		if (d->source[p])
			names[k++] = d->source[p];
		else
			none++;
	}
	qsort(names, k, sizeof(*names), strp_cmp);
	for (size_t i = 0; i < k; i++) {
		struct audit_group *x;

		if (i > 0 && !strcmp(names[i], names[i - 1]))
			continue;
		x = agroup_add(g, n, names[i], d->nprompts);
		for (size_t p = 0; p < d->nprompts; p++)
			if (d->source[p] && !strcmp(d->source[p], names[i]))
				x->prompts[x->np++] = p;
	}
	if (none > 0) {
		struct audit_group *x = agroup_add(g, n, "(none)", none);

		for (size_t p = 0; p < d->nprompts; p++)
			if (!d->source[p])
				x->prompts[x->np++] = p;
	}
	free(names);
}

int audit_by_dataset(struct db *db, const struct audit_data *d, struct audit_group **g,
		     size_t *n, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT d.name, dp.prompt_id FROM dataset d JOIN "
				       "dataset_prompt dp ON dp.dataset_id = d.id "
				       "ORDER BY d.name, dp.prompt_id");
	struct idmap pm;
	int rc;

	*g = NULL;
	*n = 0;
	idmap_build(&pm, d->prompt_id, d->nprompts);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = db_col_text(st, 0);
		long p = idmap_get(&pm, sqlite3_column_int64(st, 1));
		struct audit_group *x;

		if (p < 0 || !name)
			continue;
		if (*n == 0 || strcmp((*g)[*n - 1].name, name))
			agroup_add(g, n, name, d->nprompts);
		x = &(*g)[*n - 1];
		x->prompts[x->np++] = (size_t)p;
	}
	sqlite3_reset(st);
	idmap_release(&pm);
	if (rc != SQLITE_DONE) {
		audit_groups_free(*g, *n);
		*g = NULL;
		*n = 0;
		return db_fail(db, err, "reading the data sets");
	}
	return 0;
}

void audit_groups_free(struct audit_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g[i].name);
		free(g[i].prompts);
	}
	free(g);
}

/* ---- into the cores ------------------------------------------------------------ */

int audit_agree(const struct audit_data *d, size_t a, const size_t *ridx, size_t nr,
		const size_t *prompts, size_t np, const struct agree_opts *opts,
		struct agree_result **out, struct fb_err *err)
{
	const struct audit_aspect *rb = &d->aspects[a];
	const char **names = xcalloc(nr + 1, sizeof(*names));
	const int16_t *v = d->v + a * d->ncompl * d->nraters;
	size_t units = 0, *group;
	struct agree_input in;
	double *x;
	int rc;

	if (!prompts)
		np = d->nprompts;
	for (size_t i = 0; i < np; i++) {
		size_t p = prompts ? prompts[i] : i;

		units += d->start[p + 1] - d->start[p];
	}
	x = xmalloc((units * nr + 1) * sizeof(*x));
	group = xmalloc((units + 1) * sizeof(*group));
	for (size_t r = 0; r < nr; r++)
		names[r] = d->raters[ridx[r]].name;
	for (size_t i = 0, u = 0; i < np; i++) {
		size_t p = prompts ? prompts[i] : i;

		for (size_t c = d->start[p]; c < d->start[p + 1]; c++, u++) {
			group[u] = i;
			for (size_t r = 0; r < nr; r++) {
				int16_t y = v[c * d->nraters + ridx[r]];

				x[u * nr + r] = y == AUDIT_NONE ? AGREE_MISSING : (double)y;
			}
		}
	}
	memset(&in, 0, sizeof(in));
	in.aspect = rb->name;
	in.nraters = nr;
	in.raters = names;
	in.nunits = units;
	in.x = x;
	in.group = group;
	in.ngroups = np;
	in.scale_min = rb->min;
	in.scale_max = rb->max;
	rc = agree_compute(&in, opts, out, err);
	free(group);
	free(x);
	free(names);
	return rc;
}

/* One rater's value, or the mean of the raters' values, for (aspect, completion). */
static double unit_value(const struct audit_data *d, size_t a, size_t c, const size_t *ridx,
			 size_t nr)
{
	const int16_t *row = d->v + (a * d->ncompl + c) * d->nraters;
	double sum = 0;
	size_t n = 0;

	for (size_t i = 0; i < nr; i++)
		if (row[ridx[i]] != AUDIT_NONE) {
			sum += row[ridx[i]];
			n++;
		}
	return n ? sum / (double)n : CONFLICT_MISSING;
}

int audit_conflict(const struct audit_data *d, const size_t *aidx, size_t na,
		   const size_t *ridx, size_t nr, const size_t *prompts, size_t np,
		   const char *label, const struct conflict_opts *opts,
		   struct conflict_result **out, struct fb_err *err)
{
	const char **names;
	size_t *start, total = 0;
	double *s;
	struct conflict_input in;
	int rc;

	*out = NULL;
	if (na == 0)
		return fb_error(err, "no aspects to compare");
	for (size_t i = 1; i < na; i++) {
		const struct audit_aspect *x = &d->aspects[aidx[0]], *y = &d->aspects[aidx[i]];

		if (x->min != y->min || x->max != y->max)
			return fb_error(err,
					"aspects %s (%d-%d) and %s (%d-%d) have different scales; "
					"compare aspects of one scale (--aspect)",
					x->name, x->min, x->max, y->name, y->min, y->max);
	}
	if (!prompts)
		np = d->nprompts;
	start = xmalloc((np + 1) * sizeof(*start));
	for (size_t i = 0; i < np; i++) {
		size_t p = prompts ? prompts[i] : i;

		start[i] = total;
		total += d->start[p + 1] - d->start[p];
	}
	start[np] = total;
	s = xmalloc((total * na + 1) * sizeof(*s));
	for (size_t i = 0, k = 0; i < np; i++) {
		size_t p = prompts ? prompts[i] : i;

		for (size_t c = d->start[p]; c < d->start[p + 1]; c++, k++)
			for (size_t j = 0; j < na; j++)
				s[k * na + j] = unit_value(d, aidx[j], c, ridx, nr);
	}
	names = xcalloc(na + 1, sizeof(*names));
	for (size_t j = 0; j < na; j++)
		names[j] = d->aspects[aidx[j]].name;
	memset(&in, 0, sizeof(in));
	in.rater = label;
	in.naspects = na;
	in.aspects = names;
	in.nprompts = np;
	in.start = start;
	in.s = s;
	in.range = d->aspects[aidx[0]].max - d->aspects[aidx[0]].min;
	if (in.range <= 0)
		in.range = 1; /* a one-value scale: no pair can differ, intensity stays 0 */
	rc = conflict_compute(&in, opts, out, err);
	free(names);
	free(s);
	free(start);
	return rc;
}

/* ---- for the TUI ------------------------------------------------------------------ */

/* The aspects r rated that share the scale of the first of them. */
static size_t *same_scale_aspects(const struct audit_data *d, const size_t *ridx, size_t nr,
				  size_t *n)
{
	size_t *as = audit_rated_aspects(d, ridx, nr, n), k = 0;

	for (size_t i = 0; i < *n; i++) {
		const struct audit_aspect *x = &d->aspects[as[0]], *y = &d->aspects[as[i]];

		if (x->min == y->min && x->max == y->max)
			as[k++] = as[i];
	}
	*n = k;
	return as;
}

static int score_cmp(const void *a, const void *b)
{
	const struct audit_prompt_score *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->incomparable != y->incomparable)
		return x->incomparable > y->incomparable ? -1 : 1;
	return x->prompt_id < y->prompt_id ? -1 : x->prompt_id > y->prompt_id;
}

int audit_conflict_queue(struct db *db, const struct sel *sel, const char *rater,
			 double min_margin, struct audit_prompt_score **out, size_t *n,
			 struct fb_err *err)
{
	struct audit_data d;
	struct conflict_opts o = {min_margin, 0, 0, 0};
	struct conflict_result *res = NULL;
	size_t r, na, *as;
	long ri;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (audit_load(db, sel, &d, err) < 0)
		return -1;
	if ((ri = audit_rater_index(&d, rater)) < 0) {
		audit_release(&d);
		return fb_error(err, "no rater named '%s'", rater);
	}
	r = (size_t)ri;
	as = same_scale_aspects(&d, &r, 1, &na);
	if (na > 0)
		rc = audit_conflict(&d, as, na, &r, 1, NULL, 0, rater, &o, &res, err);
	if (rc == 0 && res) {
		*out = xcalloc(res->nprompts_in + 1, sizeof(**out));
		for (size_t p = 0; p < res->nprompts_in; p++) {
			const struct conflict_prompt *pp = &res->per_prompt[p];
			struct audit_prompt_score *q;

			if (!pp->ok)
				continue;
			q = &(*out)[(*n)++];
			q->prompt_id = d.prompt_id[p];
			q->score = pp->score;
			q->pairs = pp->pairs;
			q->incomparable = pp->incomparable;
		}
		qsort(*out, *n, sizeof(**out), score_cmp);
	}
	conflict_result_free(res);
	free(as);
	audit_release(&d);
	return rc;
}

/* The LLM rater with the most ratings here, other than `not`; -1 if none. */
static long busiest_llm(const struct audit_data *d, size_t not)
{
	size_t best_n = 0;
	long best = -1;

	for (size_t r = 0; r < d->nraters; r++) {
		size_t n = 0;

		if (r == not || strcmp(d->raters[r].kind, "llm"))
			continue;
		for (size_t a = 0; a < d->naspects; a++)
			n += d->rated[a * d->nraters + r];
		if (n > best_n) {
			best_n = n;
			best = (long)r;
		}
	}
	return best;
}

int audit_summary_compute(struct db *db, const struct sel *sel, const char *rater,
			  const char *llm, struct audit_summary **out, struct fb_err *err)
{
	struct audit_data d;
	struct audit_summary *s;
	size_t cur, *ridx, nr = 0, *as, na, *cas, nca;
	long ri, li;
	int rc = 0;

	*out = NULL;
	if (audit_load(db, sel, &d, err) < 0)
		return -1;
	if ((ri = audit_rater_index(&d, rater)) < 0) {
		audit_release(&d);
		return fb_error(err, "no rater named '%s'", rater);
	}
	cur = (size_t)ri;
	if (llm) {
		if ((li = audit_rater_index(&d, llm)) < 0) {
			audit_release(&d);
			return fb_error(err, "no rater named '%s'", llm);
		}
	} else {
		li = busiest_llm(&d, cur);
	}
	if (li == ri)
		li = -1;

	s = xcalloc(1, sizeof(*s));
	s->rater = xstrdup(rater);
	s->llm = li >= 0 ? xstrdup(d.raters[li].name) : NULL;
	s->prompts = d.nprompts;
	s->completions = d.ncompl;
	ridx = xmalloc((d.nraters + 1) * sizeof(*ridx));
	for (size_t r = 0; r < d.nraters; r++)
		if (audit_has_ratings(&d, -1, r))
			ridx[nr++] = r;
	as = audit_rated_aspects(&d, ridx, nr, &na);
	s->naspects = na;
	s->aspects = xcalloc(na + 1, sizeof(*s->aspects));
	for (size_t i = 0; i < na; i++)
		s->aspects[i] = xstrdup(d.aspects[as[i]].name);
	s->nraters = nr;
	s->raters = xcalloc(nr + 1, sizeof(*s->raters));
	s->kinds = xcalloc(nr + 1, sizeof(*s->kinds));
	for (size_t i = 0; i < nr; i++) {
		s->raters[i] = xstrdup(d.raters[ridx[i]].name);
		s->kinds[i] = xstrdup(d.raters[ridx[i]].kind);
	}
	s->nhist = na * nr;
	s->hist = xcalloc(s->nhist + 1, sizeof(*s->hist));
	for (size_t i = 0; i < na; i++) {
		const struct audit_aspect *rb = &d.aspects[as[i]];

		for (size_t j = 0; j < nr; j++) {
			struct audit_hist *h = &s->hist[i * nr + j];
			const int16_t *v = d.v + as[i] * d.ncompl * d.nraters + ridx[j];

			h->aspect = i;
			h->rater = j;
			h->min = rb->min;
			h->max = rb->max;
			h->count = xcalloc((size_t)(rb->max - rb->min + 1), sizeof(*h->count));
			h->na = d.na[as[i] * d.nraters + ridx[j]];
			for (size_t c = 0; c < d.ncompl; c++)
				if (v[c * d.nraters] != AUDIT_NONE) {
					h->count[v[c * d.nraters] - rb->min]++;
					h->total++;
				}
		}
	}
	cas = same_scale_aspects(&d, &cur, 1, &nca);
	if (nca > 0)
		rc = audit_conflict(&d, cas, nca, &cur, 1, NULL, 0, rater, NULL, &s->conflict, err);
	s->agree = xcalloc(na + 1, sizeof(*s->agree));
	if (li >= 0) {
		size_t pair[2] = {cur, (size_t)li};

		for (size_t i = 0; i < na && rc == 0; i++)
			rc = audit_agree(&d, as[i], pair, 2, NULL, 0, NULL, &s->agree[i], err);
	}
	free(cas);
	free(as);
	free(ridx);
	audit_release(&d);
	if (rc < 0) {
		audit_summary_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void audit_summary_free(struct audit_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->naspects; i++) {
		free(s->aspects[i]);
		if (s->agree)
			agree_result_free(s->agree[i]);
	}
	for (size_t i = 0; i < s->nraters; i++) {
		free(s->raters[i]);
		free(s->kinds[i]);
	}
	for (size_t i = 0; i < s->nhist; i++)
		free(s->hist[i].count);
	free(s->hist);
	free(s->aspects);
	free(s->raters);
	free(s->kinds);
	free(s->agree);
	conflict_result_free(s->conflict);
	free(s->rater);
	free(s->llm);
	free(s);
}

/* ---- the commands: shared option handling ------------------------------------------ */

#define CLI_GETOPT_RESET() (optind = 1, opterr = 0)

static int bad_option(struct cli *cli, char **argv)
{
	if (optopt)
		return cli_usage(cli, "option -%c is unknown or needs a value", optopt);
	return cli_usage(cli, "option '%s' is unknown or needs a value", argv[optind - 1]);
}

/* What both commands take. */
struct audit_cli {
	struct sel sel;
	const char **aspects; /* --aspect, in order given */
	size_t naspects;
	char **names;         /* --raters / --consensus, split (owned) */
	size_t nnames;
	long bootstrap;
	const char *seed;
	enum tab_format fmt;
};

static void audit_cli_release(struct audit_cli *o)
{
	for (size_t i = 0; i < o->nnames; i++)
		free(o->names[i]);
	free(o->names);
	free(o->aspects);
}

/* Split "a,b,c" into o->names; -1 on an empty name or a repeated one. */
static int split_names(struct audit_cli *o, const char *list)
{
	const char *p = list;

	for (size_t i = 0; i < o->nnames; i++)
		free(o->names[i]);
	free(o->names);
	o->names = NULL;
	o->nnames = 0;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *name;

		if (len == 0)
			return -1;
		name = xstrndup(p, len);
		for (size_t i = 0; i < o->nnames; i++)
			if (!strcmp(o->names[i], name)) {
				free(name);
				return -1;
			}
		o->names = xrealloc(o->names, (o->nnames + 1) * sizeof(*o->names));
		o->names[o->nnames++] = name;
		if (!e)
			return 0;
		p = e + 1;
	}
}

static void add_aspect(struct audit_cli *o, const char *name)
{
	for (size_t i = 0; i < o->naspects; i++)
		if (!strcmp(o->aspects[i], name))
			return;
	o->aspects = xrealloc(o->aspects, (o->naspects + 1) * sizeof(*o->aspects));
	o->aspects[o->naspects++] = name;
}

/* --bootstrap B and --seed S: 0, or the usage error's status. */
static int check_bootstrap(struct cli *cli, const struct audit_cli *o, uint64_t *seed)
{
	long s = 1;

	if (o->seed && o->bootstrap == 0)
		return cli_usage(cli, "--seed goes with --bootstrap");
	if (o->seed && (parse_long(o->seed, &s) < 0 || s < 0))
		return cli_usage(cli, "--seed must be a whole number, 0 or more");
	*seed = (uint64_t)s;
	return 0;
}

static int parse_bootstrap(struct cli *cli, const char *arg, long *out)
{
	if (parse_long(arg, out) < 0 || *out < 1 || *out > 1000000)
		return cli_usage(cli, "--bootstrap must be a number of resamples from 1 to 1000000");
	return 0;
}

/* Resolve --aspect names (exit 1 for an unknown one); NULL list: the defaults. */
static int resolve_aspects(struct cli *cli, const struct audit_data *d, const struct audit_cli *o,
			   const size_t *ridx, size_t nr, size_t **aidx, size_t *na)
{
	if (o->naspects == 0) {
		*aidx = audit_rated_aspects(d, ridx, nr, na);
		return 0;
	}
	*aidx = xmalloc(o->naspects * sizeof(**aidx));
	*na = 0;
	for (size_t i = 0; i < o->naspects; i++) {
		long a = audit_aspect_index(d, o->aspects[i]);

		if (a < 0) {
			free(*aidx);
			*aidx = NULL;
			return cli_fail(cli, "no aspect named '%s' (see 'feedbench rubrics')",
					o->aspects[i]);
		}
		(*aidx)[(*na)++] = (size_t)a;
	}
	return 0;
}

/* Resolve names to rater indexes (exit 1 for an unknown one). */
static int resolve_raters(struct cli *cli, const struct audit_data *d, char **names, size_t n,
			  size_t *ridx)
{
	for (size_t i = 0; i < n; i++) {
		long r = audit_rater_index(d, names[i]);

		if (r < 0)
			return cli_fail(cli, "no rater named '%s' (see 'feedbench stats')", names[i]);
		ridx[i] = (size_t)r;
	}
	return 0;
}

/* A comma-separated list of the raters who rated something here, for messages (caller frees). */
static char *rater_list(const struct audit_data *d)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t r = 0; r < d->nraters; r++)
		if (audit_has_ratings(d, -1, r))
			sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", d->raters[r].name);
	return sbuf_detach(&sb, NULL);
}

/* Print text made for a terminal: data names can hold control characters. */
static void print_text(const char *s)
{
	const char *p = s;

	while (*p) {
		const char *e = strchr(p, '\n');
		char *line = xstrndup(p, e ? (size_t)(e - p) : strlen(p)), *safe;

		safe = text_for_terminal(line, SIZE_MAX);
		fputs(safe, stdout);
		if (e)
			fputc('\n', stdout);
		free(safe);
		free(line);
		if (!e)
			break;
		p = e + 1;
	}
}

static void print_json(cJSON *j)
{
	char *s = cJSON_Print(j);

	if (!s)
		fatal("out of memory printing JSON");
	fputs(s, stdout);
	fputc('\n', stdout);
	cJSON_free(s);
}

static int open_and_load(struct cli *cli, const struct sel *sel, struct audit_data *d)
{
	struct fb_err err;

	if (cli_open(cli, DB_INTERACTIVE))
		return 1;
	if (audit_load(cli->db, sel, d, &err) < 0) {
		cli_close(cli);
		return cli_fail(cli, "%s", err.msg);
	}
	cli_close(cli);
	if (d->nprompts == 0) {
		audit_release(d);
		return cli_fail(cli, "the selection holds no prompts%s%s%s",
				sel->source ? " (no prompt has source '" : "",
				sel->source ? sel->source : "", sel->source ? "')" : "");
	}
	if (d->off_scale > 0)
		fprintf(stderr,
			"feedbench %s: note: %zu ratings outside their aspect's scale were left out\n",
			cli->name, d->off_scale);
	return 0;
}

/* ---- agreement ---------------------------------------------------------------------- */

static void agreement_help(void)
{
	printf("usage: feedbench agreement [--aspect A]... [--raters R1,R2,...] [--dataset D]\n"
	       "                           [--source S] [--bootstrap B [--seed S]]\n"
	       "                           [--format table|json|csv]\n"
	       "\n"
	       "Agreement between raters (people and LLM judges alike), one aspect at a time.\n"
	       "A unit is one completion's rating on the aspect; N/A and missing ratings take\n"
	       "no part.  Per aspect: Krippendorff's alpha (nominal, ordinal, interval, ratio)\n"
	       "over all the raters, Fleiss' kappa over the units rated by the most common\n"
	       "number of raters, and for every pair of raters: exact and within-1 agreement,\n"
	       "mean (signed) and mean absolute difference, Cohen's kappa (unweighted, linear,\n"
	       "quadratic), Spearman, Kendall's tau-b and the confusion matrix.  A figure that\n"
	       "cannot be computed is null, with a note saying why.\n"
	       "\n"
	       "options:\n"
	       "  --aspect A        an aspect to report (repeatable; default: every aspect\n"
	       "                    with ratings in the selection)\n"
	       "  --raters R1,R2    the raters, in this order (default: every rater with\n"
	       "                    ratings in the selection)\n"
	       "  --dataset D       only the prompts of data set D\n"
	       "  --source S        only the prompts from source S\n"
	       "  --bootstrap B     95%% percentile intervals from B resamples of prompts\n"
	       "  --seed S          the resampling seed (default 1)\n"
	       "  --format F        table (default), json or csv\n"
	       "\n"
	       "example:\n"
	       "  feedbench agreement --aspect helpfulness --raters alice,gpt-4 \\\n"
	       "      --bootstrap 1000 --seed 7\n");
}

static int agreement_output(struct cli *cli, const struct audit_data *d, const size_t *aidx,
			    size_t na, const size_t *ridx, size_t nr, const struct agree_opts *ao,
			    enum tab_format fmt)
{
	struct sbuf sb = SBUF_INIT;
	cJSON *root = figure_json_new(), *arr = figure_json_array(root, "aspects");
	struct fb_err err;
	int rc = 0;

	for (size_t i = 0; i < na; i++) {
		struct agree_result *res;

		if (audit_agree(d, aidx[i], ridx, nr, NULL, 0, ao, &res, &err) < 0) {
			rc = cli_fail(cli, "%s", err.msg);
			break;
		}
		if (fmt == TAB_JSON) {
			if (!cJSON_AddItemToArray(arr, agree_json(res)))
				fatal("out of memory building JSON");
		} else if (fmt == TAB_CSV) {
			agree_csv(&sb, res, i == 0);
		} else {
			if (i > 0)
				sbuf_adds(&sb, "\n");
			agree_table(&sb, res);
		}
		agree_result_free(res);
	}
	if (rc == 0) {
		if (fmt == TAB_JSON)
			print_json(root);
		else if (fmt == TAB_CSV)
			fputs(sbuf_str(&sb), stdout);
		else if (na == 0)
			printf("no ratings in the selection\n");
		else
			print_text(sbuf_str(&sb));
	}
	cJSON_Delete(root);
	sbuf_release(&sb);
	return rc;
}

int cmd_agreement(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"aspect", required_argument, NULL, 'a'},
		{"raters", required_argument, NULL, 'r'},
		{"dataset", required_argument, NULL, 'd'},
		{"source", required_argument, NULL, 's'},
		{"bootstrap", required_argument, NULL, 'b'},
		{"seed", required_argument, NULL, 'S'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct audit_cli o;
	struct audit_data d;
	struct agree_opts ao = {0, 0, 0};
	size_t *ridx = NULL, nr = 0, *aidx = NULL, na = 0;
	int c, rc;

	memset(&o, 0, sizeof(o));
	CLI_GETOPT_RESET();
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			add_aspect(&o, optarg);
			break;
		case 'r':
			if (split_names(&o, optarg) < 0) {
				audit_cli_release(&o);
				return cli_usage(cli, "--raters takes names separated by commas, each once");
			}
			break;
		case 'd':
			o.sel.dataset = optarg;
			break;
		case 's':
			o.sel.source = optarg;
			break;
		case 'b':
			if ((rc = parse_bootstrap(cli, optarg, &o.bootstrap)) != 0) {
				audit_cli_release(&o);
				return rc;
			}
			break;
		case 'S':
			o.seed = optarg;
			break;
		case 'f':
			if (tab_format_parse(optarg, &o.fmt) < 0) {
				audit_cli_release(&o);
				return cli_usage(cli, "--format must be table, json or csv");
			}
			break;
		case 'h':
			audit_cli_release(&o);
			agreement_help();
			return 0;
		default:
			audit_cli_release(&o);
			return bad_option(cli, argv);
		}
	}
	if (optind < argc) {
		audit_cli_release(&o);
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	}
	if ((rc = check_bootstrap(cli, &o, &ao.seed)) != 0) {
		audit_cli_release(&o);
		return rc;
	}
	ao.bootstrap = (size_t)o.bootstrap;
	if ((rc = open_and_load(cli, &o.sel, &d)) != 0) {
		audit_cli_release(&o);
		return rc;
	}
	ridx = xmalloc((d.nraters + o.nnames + 1) * sizeof(*ridx));
	if (o.nnames > 0) {
		rc = resolve_raters(cli, &d, o.names, o.nnames, ridx);
		nr = o.nnames;
	} else {
		for (size_t r = 0; r < d.nraters; r++)
			if (audit_has_ratings(&d, -1, r))
				ridx[nr++] = r;
	}
	if (rc == 0)
		rc = resolve_aspects(cli, &d, &o, ridx, nr, &aidx, &na);
	if (rc == 0)
		rc = agreement_output(cli, &d, aidx, na, ridx, nr, &ao, o.fmt);
	free(aidx);
	free(ridx);
	audit_release(&d);
	audit_cli_release(&o);
	return rc;
}

/* ---- conflict ------------------------------------------------------------------------ */

enum conflict_by { BY_NONE, BY_SOURCE, BY_DATASET, BY_RATER };

static void conflict_help(void)
{
	printf("usage: feedbench conflict [--rater R | --consensus R1,R2,...] [--aspect A]...\n"
	       "                          [--min-margin M] [--by source|dataset|rater]\n"
	       "                          [--dataset D] [--source S] [--bootstrap B [--seed S]]\n"
	       "                          [--format table|json|csv]\n"
	       "\n"
	       "How much the aspects pull against each other in one rater's ratings (or in\n"
	       "the consensus of several: per completion and aspect, the mean of the ratings\n"
	       "those raters gave).  For every pair of completions of a prompt, each aspect\n"
	       "prefers one, the other, or calls a tie (a difference under M, default 1).\n"
	       "Reported: tie rates; the conflict matrix (concordant, discordant and tied\n"
	       "pairs per pair of aspects; conflict rate D/(C+D), gamma, intensity); the\n"
	       "directional matrix; the share of Pareto-incomparable pairs; per-prompt\n"
	       "conflict (mean, share of prompts with any, histogram); winner disagreement;\n"
	       "and adc_proxy, a label-level proxy of Hummer's alignment dimension conflict.\n"
	       "\n"
	       "options:\n"
	       "  --rater R         whose ratings (default: the only rater in the selection)\n"
	       "  --consensus LIST  the mean of these raters' ratings (two or more)\n"
	       "  --aspect A        an aspect to compare (repeatable; default: every aspect\n"
	       "                    the rater(s) rated here; all must share one scale)\n"
	       "  --min-margin M    a smaller difference counts as a tie (default 1)\n"
	       "  --by G            one result per source, data set or rater (every rater with\n"
	       "                    ratings: human and LLM side by side)\n"
	       "  --dataset D       only the prompts of data set D\n"
	       "  --source S        only the prompts from source S\n"
	       "  --bootstrap B     95%% intervals of conflict_rate, pareto_incomparable and\n"
	       "                    adc_proxy.rel from B resamples of prompts\n"
	       "  --seed S          the resampling seed (default 1)\n"
	       "  --format F        table (default), json or csv\n"
	       "\n"
	       "examples:\n"
	       "  feedbench conflict --rater gpt-4 --min-margin 2 --format json\n"
	       "  feedbench conflict --by rater --aspect honesty --aspect helpfulness\n");
}

/* One group of a --by breakdown: which prompts, whose ratings, what to call it. */
struct group {
	char *name;      /* owned */
	const char *kind; /* rater kind (--by rater), else NULL */
	size_t *prompts; /* owned; NULL: every prompt */
	size_t np;
	size_t *ridx;    /* owned */
	size_t nr;
	char *label;     /* owned: the result's "rater" */
};

static void groups_free(struct group *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g[i].name);
		free(g[i].prompts);
		free(g[i].ridx);
		free(g[i].label);
	}
	free(g);
}

static struct group *group_add(struct group **g, size_t *n, const char *name)
{
	struct group *x;

	*g = xrealloc(*g, (*n + 1) * sizeof(**g));
	x = &(*g)[(*n)++];
	memset(x, 0, sizeof(*x));
	x->name = xstrdup(name);
	return x;
}

/* --by source / dataset: the audit groups become command groups. */
static void groups_from(struct group **g, size_t *n, struct audit_group *ag, size_t nag)
{
	for (size_t i = 0; i < nag; i++) {
		struct group *x = group_add(g, n, ag[i].name);

		x->prompts = ag[i].prompts;
		x->np = ag[i].np;
		ag[i].prompts = NULL;
	}
	audit_groups_free(ag, nag);
}

/* The side-by-side table of --by: one column per group, the headline figures as rows. */
static void side_by_side(struct sbuf *sb, struct conflict_result **res, const struct group *g,
			 size_t n, const char *by)
{
	const struct conflict_result *r0 = res[0];
	size_t A = r0->naspects;
	int w = 24;
	char v[32], head[64], label[160];

	for (size_t c = 0; c < r0->ncells; c++) {
		int l = snprintf(label, sizeof(label), "conflict_rate %s/%s",
				 r0->aspects[r0->matrix[c].a], r0->aspects[r0->matrix[c].b]);

		w = l > w ? l : w;
	}
	w = w > 60 ? 60 : w;
	sbuf_addf(sb, "\n== side by side, by %s\n%-*s", by, w, "");
	for (size_t i = 0; i < n; i++) {
		if (g[i].kind)
			snprintf(head, sizeof(head), "%s (%s)", g[i].name, g[i].kind);
		else
			snprintf(head, sizeof(head), "%s", g[i].name);
		sbuf_addf(sb, " %14.14s", head);
	}
	sbuf_addc(sb, '\n');
#define ROW(text, expr)                                             \
	do {                                                        \
		sbuf_addf(sb, "%-*.*s", w, w, text);                \
		for (size_t i = 0; i < n; i++)                      \
			sbuf_addf(sb, " %14s", expr);               \
		sbuf_addc(sb, '\n');                                \
	} while (0)
	ROW("prompts", (snprintf(v, sizeof(v), "%zu", res[i]->prompts), v));
	ROW("pairs", (snprintf(v, sizeof(v), "%zu", res[i]->pairs), v));
	for (size_t c = 0; c < r0->ncells; c++) {
		snprintf(label, sizeof(label), "conflict_rate %s/%s", r0->aspects[r0->matrix[c].a],
			 r0->aspects[r0->matrix[c].b]);
		ROW(label, figure_fmt(v, &res[i]->matrix[c].conflict_rate, 3, 0));
	}
	ROW("pareto_incomparable", figure_fmt(v, &res[i]->pareto_incomparable, 3, 0));
	ROW("per_prompt mean", figure_fmt(v, &res[i]->per_prompt_mean, 3, 0));
	ROW("prompts_with_conflict", figure_fmt(v, &res[i]->prompts_with_conflict, 3, 0));
	ROW("winner_disagreement", figure_fmt(v, &res[i]->winner_disagreement, 3, 0));
	ROW("adc_proxy rel", figure_fmt(v, &res[i]->adc_rel, 5, 0));
	ROW("adc_proxy abs", figure_fmt(v, &res[i]->adc_abs, 5, 0));
	for (size_t a = 0; a < A; a++) {
		snprintf(label, sizeof(label), "tie_rate %s", r0->aspects[a]);
		ROW(label, figure_fmt(v, &res[i]->tie_rate[a], 3, 0));
	}
#undef ROW
}

/* Move obj's members after the ones already in dst (keeps their order). */
static void json_append_members(cJSON *dst, cJSON *obj)
{
	while (obj->child) {
		cJSON *it = cJSON_DetachItemViaPointer(obj, obj->child);

		if (!cJSON_AddItemToObject(dst, it->string, it))
			fatal("out of memory building JSON");
	}
	cJSON_Delete(obj);
}

static int conflict_output(struct cli *cli, const struct audit_data *d, struct group *g, size_t ng,
			   const size_t *aidx, size_t na, const struct conflict_opts *co,
			   enum conflict_by by, char **consensus, size_t ncons, enum tab_format fmt)
{
	static const char *const by_name[] = {NULL, "source", "dataset", "rater"};
	struct conflict_result **res = xcalloc(ng + 1, sizeof(*res));
	struct sbuf sb = SBUF_INIT;
	cJSON *list = NULL;
	struct fb_err err;
	int rc = 0;

	for (size_t i = 0; i < ng; i++)
		if (audit_conflict(d, aidx, na, g[i].ridx, g[i].nr, g[i].prompts, g[i].np,
				   g[i].label, co, &res[i], &err) < 0) {
			rc = cli_fail(cli, "%s", err.msg);
			goto out;
		}
	if (fmt == TAB_JSON) {
		if (by != BY_NONE && !(list = cJSON_CreateArray()))
			fatal("out of memory building JSON");
		for (size_t i = 0; i < ng; i++) {
			cJSON *o = figure_json_new(), *arr;

			if (by != BY_NONE) {
				figure_json_string(o, "by", by_name[by]);
				figure_json_string(o, "group", g[i].name);
				if (g[i].kind)
					figure_json_string(o, "kind", g[i].kind);
			}
			json_append_members(o, conflict_json(res[i]));
			if (consensus) {
				arr = figure_json_array(o, "consensus");
				for (size_t k = 0; k < ncons; k++)
					figure_json_push_string(arr, consensus[k]);
			}
			if (!list) {
				print_json(o);
				cJSON_Delete(o);
			} else if (!cJSON_AddItemToArray(list, o)) {
				fatal("out of memory building JSON");
			}
		}
		if (list)
			print_json(list);
	} else if (fmt == TAB_CSV) {
		if (by != BY_NONE)
			sbuf_adds(&sb, "by,group,");
		sbuf_adds(&sb, "rater,figure,a,b,n,value,ci_lo,ci_hi\n");
		for (size_t i = 0; i < ng; i++) {
			struct sbuf rows = SBUF_INIT, pre = SBUF_INIT;
			const char *p;

			conflict_csv(&rows, res[i], 0);
			if (by != BY_NONE) {
				figure_csv_field(&pre, by_name[by]);
				sbuf_addc(&pre, ',');
				figure_csv_field(&pre, g[i].name);
				sbuf_addc(&pre, ',');
			}
			/* prefix every row with its group */
			for (p = sbuf_str(&rows); *p;) {
				const char *e = strchr(p, '\n');
				size_t len = e ? (size_t)(e - p) + 1 : strlen(p);

				sbuf_add(&sb, sbuf_str(&pre), pre.len);
				sbuf_add(&sb, p, len);
				p += len;
			}
			sbuf_release(&rows);
			sbuf_release(&pre);
		}
		fputs(sbuf_str(&sb), stdout);
	} else {
		for (size_t i = 0; i < ng; i++) {
			if (by != BY_NONE)
				sbuf_addf(&sb, "%s== %s %s%s%s%s (%zu prompts selected)\n\n", i ? "\n" : "",
					  by_name[by], g[i].name, g[i].kind ? " (" : "",
					  g[i].kind ? g[i].kind : "", g[i].kind ? ")" : "",
					  g[i].prompts ? g[i].np : d->nprompts);
			if (consensus) {
				sbuf_adds(&sb, "consensus of ");
				for (size_t k = 0; k < ncons; k++)
					sbuf_addf(&sb, "%s%s", k ? ", " : "", consensus[k]);
				sbuf_adds(&sb, " (per unit, the mean of their ratings)\n");
			}
			conflict_table(&sb, res[i]);
		}
		if (by != BY_NONE && ng > 0)
			side_by_side(&sb, res, g, ng, by_name[by]);
		print_text(sbuf_str(&sb));
	}
out:
	for (size_t i = 0; i < ng; i++)
		conflict_result_free(res[i]);
	free(res);
	cJSON_Delete(list);
	sbuf_release(&sb);
	return rc;
}

/* Build the groups: -1 (message printed, status in *status) on failure. */
static int conflict_groups(struct cli *cli, const struct audit_data *d, enum conflict_by by,
			   const size_t *ridx, size_t nr, const char *label, struct group **g,
			   size_t *ng, int *status)
{
	struct audit_group *ag = NULL;
	struct fb_err err;
	size_t base = *ng, nag = 0;

	if (by == BY_RATER) {
		for (size_t r = 0; r < d->nraters; r++) {
			struct group *x;

			if (!audit_has_ratings(d, -1, r))
				continue;
			x = group_add(g, ng, d->raters[r].name);
			x->kind = d->raters[r].kind;
			x->ridx = xmalloc(sizeof(*x->ridx));
			x->ridx[0] = r;
			x->nr = 1;
			x->label = xstrdup(d->raters[r].name);
		}
		return 0;
	}
	if (by == BY_SOURCE) {
		audit_by_source(d, &ag, &nag);
		groups_from(g, ng, ag, nag);
	} else if (by == BY_DATASET) {
		if (cli_open(cli, DB_INTERACTIVE)) {
			*status = 1;
			return -1;
		}
		if (audit_by_dataset(cli->db, d, &ag, &nag, &err) < 0) {
			cli_close(cli);
			*status = cli_fail(cli, "%s", err.msg);
			return -1;
		}
		cli_close(cli);
		groups_from(g, ng, ag, nag);
	} else {
		group_add(g, ng, "all");
	}
	for (size_t i = base; i < *ng; i++) {
		(*g)[i].ridx = xmalloc(nr * sizeof(*(*g)[i].ridx));
		memcpy((*g)[i].ridx, ridx, nr * sizeof(*ridx));
		(*g)[i].nr = nr;
		(*g)[i].label = xstrdup(label);
	}
	return 0;
}

int cmd_conflict(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"rater", required_argument, NULL, 'r'},
		{"consensus", required_argument, NULL, 'c'},
		{"aspect", required_argument, NULL, 'a'},
		{"min-margin", required_argument, NULL, 'm'},
		{"by", required_argument, NULL, 'y'},
		{"dataset", required_argument, NULL, 'd'},
		{"source", required_argument, NULL, 's'},
		{"bootstrap", required_argument, NULL, 'b'},
		{"seed", required_argument, NULL, 'S'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct audit_cli o;
	struct audit_data d;
	struct conflict_opts co = {1, 0, 0, 0};
	enum conflict_by by = BY_NONE;
	const char *rater = NULL;
	struct group *g = NULL;
	size_t ng = 0, *ridx = NULL, nr = 0, *aidx = NULL, na = 0;
	int c, rc = 0, consensus = 0;

	memset(&o, 0, sizeof(o));
	CLI_GETOPT_RESET();
	while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rater = optarg;
			break;
		case 'c':
			consensus = 1;
			if (split_names(&o, optarg) < 0 || o.nnames < 2)
				rc = cli_usage(cli, "--consensus takes two or more rater names "
						    "separated by commas, each once");
			break;
		case 'a':
			add_aspect(&o, optarg);
			break;
		case 'm':
			if (parse_double(optarg, &co.min_margin) < 0 || !(co.min_margin >= 0) ||
			    co.min_margin > 1e9)
				rc = cli_usage(cli, "--min-margin must be a number, 0 or more");
			break;
		case 'y':
			if (!strcmp(optarg, "source"))
				by = BY_SOURCE;
			else if (!strcmp(optarg, "dataset"))
				by = BY_DATASET;
			else if (!strcmp(optarg, "rater"))
				by = BY_RATER;
			else
				rc = cli_usage(cli, "--by must be source, dataset or rater");
			break;
		case 'd':
			o.sel.dataset = optarg;
			break;
		case 's':
			o.sel.source = optarg;
			break;
		case 'b':
			rc = parse_bootstrap(cli, optarg, &o.bootstrap);
			break;
		case 'S':
			o.seed = optarg;
			break;
		case 'f':
			if (tab_format_parse(optarg, &o.fmt) < 0)
				rc = cli_usage(cli, "--format must be table, json or csv");
			break;
		case 'h':
			audit_cli_release(&o);
			conflict_help();
			return 0;
		default:
			rc = bad_option(cli, argv);
		}
	}
	if (rc == 0 && optind < argc)
		rc = cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (rc == 0 && rater && consensus)
		rc = cli_usage(cli, "--rater and --consensus exclude each other");
	if (rc == 0 && by == BY_RATER && (rater || consensus))
		rc = cli_usage(cli, "--by rater compares every rater: leave out --rater and --consensus");
	if (rc == 0)
		rc = check_bootstrap(cli, &o, &co.seed);
	if (rc != 0) {
		audit_cli_release(&o);
		return rc;
	}
	co.bootstrap = (size_t)o.bootstrap;
	if ((rc = open_and_load(cli, &o.sel, &d)) != 0) {
		audit_cli_release(&o);
		return rc;
	}
	ridx = xmalloc((d.nraters + o.nnames + 1) * sizeof(*ridx));
	if (consensus) {
		rc = resolve_raters(cli, &d, o.names, o.nnames, ridx);
		nr = o.nnames;
	} else if (rater) {
		rc = resolve_raters(cli, &d, (char **)&rater, 1, ridx);
		nr = 1;
	} else {
		for (size_t r = 0; r < d.nraters; r++)
			if (audit_has_ratings(&d, -1, r))
				ridx[nr++] = r;
		if (nr == 0) {
			rc = cli_fail(cli, "no ratings in the selection");
		} else if (nr > 1 && by != BY_RATER) {
			char *list = rater_list(&d);

			rc = cli_usage(cli, "several raters rated this selection (%s): name one with "
					    "--rater, several with --consensus, or use --by rater", list);
			free(list);
		}
	}
	if (rc == 0)
		rc = resolve_aspects(cli, &d, &o, ridx, nr, &aidx, &na);
	if (rc == 0 && na == 0)
		rc = cli_fail(cli, "%s%s%s no ratings in the selection", rater ? "rater '" : "",
			      rater ? rater : "", rater ? "' has" : "there are");
	if (rc == 0 && conflict_groups(cli, &d, by, ridx, by == BY_RATER ? 0 : nr,
				       consensus ? "consensus" : d.raters[ridx[0]].name, &g, &ng,
				       &rc) == 0)
		rc = conflict_output(cli, &d, g, ng, aidx, na, &co, by, consensus ? o.names : NULL,
				     o.nnames, o.fmt);
	groups_free(g, ng);
	free(aidx);
	free(ridx);
	audit_release(&d);
	audit_cli_release(&o);
	return rc;
}
