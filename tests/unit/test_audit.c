/*
 * test_audit.c - src/audit.c on a real database in a temporary directory:
 * loading a selection, the TUI's conflict queue and statistics summary,
 * agreement over a subset of prompts.  The data are the conflict fixtures
 * whose figures tests/data/conflict.sh computes by hand:
 *   Q1 (s1) c1 5 2 4, c2 3 4 4, c3 1 1 2    (IF, HO, TR; gpt-4)
 *   Q2 (s2) d1 4 4 3, d2 4 2 5               bob: d1 4 3 4, d2 4 3 4
 *   Q3 (s1) e1 3 3 3, e2 2 2 1
 * and, in data set "nine", nine completions rated by gpt-4 alone.
 */
#include "audit.h"
#include "import.h"

#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/feedbench-audit-XXXXXX";
static char path[128];
static struct rubric_set *rs;
static struct db *db;

/* tests/fixtures/NAME, found from this file's own path */
static char *fixture(const char *name)
{
	const char *slash = strrchr(__FILE__, '/');
	size_t n = slash ? (size_t)(slash - __FILE__) : 0;

	return xasprintf("%.*s%s../fixtures/%s", (int)n, __FILE__, n ? "/" : "", name);
}

static int import_one(const char *name, const char *dataset, const char *rater, const char *kind)
{
	struct import_opts o;
	struct fb_err err;
	char *file = fixture(name);
	int rc;

	memset(&o, 0, sizeof(o));
	o.dataset = dataset;
	o.rater = rater;
	o.rater_kind = kind;
	o.quiet = 1;
	rc = import_files(db, &file, 1, &o, NULL, &err);
	if (rc != 0)
		fprintf(stderr, "import %s: %s\n", name, rc < 0 ? err.msg : "records skipped");
	free(file);
	return rc;
}

static int setup(void **state)
{
	struct fb_err err;

	(void)state;
	if (!mkdtemp(dir) || rubric_set_load(&rs, &err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (db_open(&db, path, rs, DB_INTERACTIVE, &err) < 0)
		return -1;
	if (import_one("audit-conflict-gpt4.jsonl", "cf", "gpt-4", "llm") ||
	    import_one("audit-conflict-bob.jsonl", "cf", "bob", NULL) ||
	    import_one("audit-nine.jsonl", "nine", "gpt-4", NULL))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char wal[160];

	(void)state;
	db_close(db);
	rubric_set_free(rs);
	unlink(path);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
	rmdir(dir);
	return 0;
}

static int64_t prompt_id(const char *instruction)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM prompt WHERE instruction = ?1");
	int64_t id = 0;

	db_bind_text(st, 1, instruction);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

static void test_load(void **state)
{
	struct sel all = {NULL, NULL}, cf = {"cf", NULL}, nosuch = {"nosuch", NULL};
	struct audit_data d;
	struct fb_err err;
	long g, b, ifo, ho;

	(void)state;
	assert_int_equal(audit_load(db, &all, &d, &err), 0);
	assert_int_equal(d.nprompts, 4);
	assert_int_equal(d.ncompl, 16);
	assert_int_equal(d.start[d.nprompts], 16);
	g = audit_rater_index(&d, "gpt-4");
	b = audit_rater_index(&d, "bob");
	ifo = audit_aspect_index(&d, "instruction_following");
	ho = audit_aspect_index(&d, "honesty");
	assert_true(g >= 0 && b >= 0 && ifo >= 0 && ho >= 0);
	assert_int_equal(audit_rater_index(&d, "nosuch"), -1);
	assert_int_equal(audit_aspect_index(&d, "nosuch"), -1);
	assert_int_equal(d.rated[ifo * d.nraters + g], 16);
	assert_int_equal(d.rated[ifo * d.nraters + b], 7);
	assert_true(audit_has_ratings(&d, ho, (size_t)b));
	assert_false(audit_has_ratings(&d, audit_aspect_index(&d, "helpfulness"), (size_t)b));
	audit_release(&d);

	assert_int_equal(audit_load(db, &cf, &d, &err), 0);
	assert_int_equal(d.nprompts, 3);
	assert_int_equal(d.ncompl, 7);
	audit_release(&d);

	assert_int_equal(audit_load(db, &nosuch, &d, &err), -1);
	assert_non_null(strstr(err.msg, "no data set named 'nosuch'"));
}

static void test_queue(void **state)
{
	struct sel cf = {"cf", NULL}, all = {NULL, NULL};
	struct audit_prompt_score *q;
	struct fb_err err;
	size_t n;

	(void)state;
	/* Q2 1/1, Q1 1/3, Q3 0: most conflicted first */
	assert_int_equal(audit_conflict_queue(db, &cf, "gpt-4", 1, &q, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(q[0].prompt_id == prompt_id("Conflict prompt two"));
	assert_close(q[0].score, 1, 1e-12);
	assert_int_equal(q[0].pairs, 1);
	assert_true(q[1].prompt_id == prompt_id("Conflict prompt one"));
	assert_close(q[1].score, 1.0 / 3, 1e-12);
	assert_int_equal(q[1].incomparable, 1);
	assert_true(q[2].prompt_id == prompt_id("Conflict prompt three"));
	assert_close(q[2].score, 0, 1e-12);
	free(q);

	/* the nine-completion prompt (32 of 36 pairs) comes second */
	assert_int_equal(audit_conflict_queue(db, &all, "gpt-4", 1, &q, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_true(q[1].prompt_id == prompt_id("Nine completions"));
	assert_close(q[1].score, 32.0 / 36, 1e-12);
	free(q);

	/* bob's Q2 ties everywhere: it drops to the bottom */
	assert_int_equal(audit_conflict_queue(db, &cf, "bob", 1, &q, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(q[0].prompt_id == prompt_id("Conflict prompt one"));
	free(q);

	assert_int_equal(audit_conflict_queue(db, &cf, "nosuch", 1, &q, &n, &err), -1);
	assert_non_null(strstr(err.msg, "no rater named 'nosuch'"));
	assert_null(q);
}

static void test_summary(void **state)
{
	struct sel cf = {"cf", NULL};
	struct audit_summary *s;
	struct fb_err err;
	size_t ho = SIZE_MAX, bob = SIZE_MAX;

	(void)state;
	assert_int_equal(audit_summary_compute(db, &cf, "bob", NULL, &s, &err), 0);
	assert_string_equal(s->llm, "gpt-4");
	assert_int_equal(s->prompts, 3);
	assert_int_equal(s->completions, 7);
	assert_int_equal(s->naspects, 3);
	assert_int_equal(s->nraters, 2);
	for (size_t i = 0; i < s->naspects; i++)
		if (!strcmp(s->aspects[i], "honesty"))
			ho = i;
	for (size_t i = 0; i < s->nraters; i++)
		if (!strcmp(s->raters[i], "bob"))
			bob = i;
	assert_true(ho != SIZE_MAX && bob != SIZE_MAX);
	assert_string_equal(s->kinds[bob], "human");
	{
		/* bob's honesty: 2 4 1 | 3 3 | 3 2 */
		const struct audit_hist *h = &s->hist[ho * s->nraters + bob];

		assert_int_equal(h->min, 1);
		assert_int_equal(h->max, 5);
		assert_int_equal(h->total, 7);
		assert_int_equal(h->count[0], 1);
		assert_int_equal(h->count[1], 2);
		assert_int_equal(h->count[2], 3);
		assert_int_equal(h->count[3], 1);
		assert_int_equal(h->count[4], 0);
		assert_int_equal(h->na, 0);
	}
	/* bob's conflict: p4 ties, so 1 of 4 decisive pairs is incomparable */
	assert_non_null(s->conflict);
	assert_close(s->conflict->pareto_incomparable.v, 0.25, 1e-12);
	assert_int_equal(s->conflict->nprompts_in, 3);
	/* bob against gpt-4 on honesty: d1 3/4 and d2 3/2 differ */
	assert_non_null(s->agree[ho]);
	assert_string_equal(s->agree[ho]->raters[0], "bob");
	assert_string_equal(s->agree[ho]->raters[1], "gpt-4");
	assert_int_equal(s->agree[ho]->pairs[0].units, 7);
	assert_close(s->agree[ho]->pairs[0].exact.v, 5.0 / 7, 1e-12);
	/* confusion rows are bob's values: bob 3 against gpt-4 4 (d1) */
	assert_int_equal(s->agree[ho]->pairs[0].confusion[2 * 5 + 3], 1);
	audit_summary_free(s);

	/* the judge compared with itself: no agreement */
	assert_int_equal(audit_summary_compute(db, &cf, "gpt-4", "gpt-4", &s, &err), 0);
	assert_null(s->llm);
	assert_null(s->agree[0]);
	assert_close(s->conflict->pareto_incomparable.v, 0.4, 1e-12);
	audit_summary_free(s);

	assert_int_equal(audit_summary_compute(db, &cf, "nosuch", NULL, &s, &err), -1);
	assert_null(s);
	assert_int_equal(audit_summary_compute(db, &cf, "bob", "nosuch", &s, &err), -1);
}

static void test_subsets(void **state)
{
	struct sel all = {NULL, NULL};
	struct audit_data d;
	struct audit_group *g;
	struct agree_result *ar;
	struct conflict_result *cr;
	struct fb_err err;
	size_t n, pair[2], asp[3];
	long s2 = -1;

	(void)state;
	assert_int_equal(audit_load(db, &all, &d, &err), 0);
	audit_by_source(&d, &g, &n);
	assert_int_equal(n, 3); /* nine, s1, s2 */
	for (size_t i = 0; i < n; i++)
		if (!strcmp(g[i].name, "s2"))
			s2 = (long)i;
	assert_true(s2 >= 0);
	assert_int_equal(g[s2].np, 1);
	pair[0] = (size_t)audit_rater_index(&d, "bob");
	pair[1] = (size_t)audit_rater_index(&d, "gpt-4");
	/* honesty on Q2 alone: 3/4 and 3/2, no exact agreement */
	assert_int_equal(audit_agree(&d, (size_t)audit_aspect_index(&d, "honesty"), pair, 2,
				     g[s2].prompts, g[s2].np, NULL, &ar, &err),
			 0);
	assert_int_equal(ar->pairs[0].units, 2);
	assert_close(ar->pairs[0].exact.v, 0, 1e-12);
	agree_result_free(ar);
	/* gpt-4's conflict on Q2 alone: its one pair is incomparable */
	asp[0] = (size_t)audit_aspect_index(&d, "instruction_following");
	asp[1] = (size_t)audit_aspect_index(&d, "honesty");
	asp[2] = (size_t)audit_aspect_index(&d, "truthfulness");
	assert_int_equal(audit_conflict(&d, asp, 3, &pair[1], 1, g[s2].prompts, g[s2].np, "gpt-4",
					NULL, &cr, &err),
			 0);
	assert_int_equal(cr->pairs, 1);
	assert_close(cr->pareto_incomparable.v, 1, 1e-12);
	conflict_result_free(cr);
	/* the consensus of both: every prompt with a pair takes part (cf and nine) */
	assert_int_equal(audit_conflict(&d, asp, 3, pair, 2, NULL, 0, "consensus", NULL, &cr, &err),
			 0);
	assert_int_equal(cr->prompts, 4);
	conflict_result_free(cr);
	audit_groups_free(g, n);
	audit_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_subsets),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
