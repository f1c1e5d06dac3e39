/*
 * test_statjob.c - src/statjob.c, the statistics screen's worker thread, on
 * a real sqlite database in a temporary directory: its answers equal what
 * audit_summary_compute gives on the caller's own connection; the judge's
 * conflict stands in when the rater has rated nothing; a replaced request
 * is never answered; it reads while another connection holds a write
 * transaction; errors come back as answers; closing does not wait out a
 * computation's delay.
 */
#include "statjob.h"
#include "annot.h"
#include "store.h"

#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NPROMPTS 5
#define NCOMPL 4

static char dir[] = "/tmp/feedbench-statjob-XXXXXX";
static char path[128];
static struct rubric_set *rs;
static struct db *db;
static const char *const aspects[] = {"honesty", "truthfulness", "helpfulness"};

static int rate(int64_t cid, int64_t rater, const char *aspect, int value)
{
	struct store_rating r = {0};
	struct fb_err err;

	r.completion_id = cid;
	r.rater_id = rater;
	r.aspect_id = db_aspect_id(db, aspect);
	r.has_value = 1;
	r.value = value;
	return store_rating(db, &r, NULL, &err);
}

/* NPROMPTS prompts (data set d holds the first three) x NCOMPL completions;
 * gpt-4 rates everything on three aspects, ann the first three prompts. */
static int setup(void **state)
{
	struct fb_err err;
	int64_t ds, llm, ann, bob;

	(void)state;
	if (rubric_set_load(&rs, &err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	unlink(path);
	if (db_open(&db, path, rs, DB_INTERACTIVE, &err) < 0)
		return -1;
	if (db_begin(db, &err) < 0 || db_dataset(db, "d", &ds, &err) < 0 ||
	    db_rater(db, "gpt-4", "llm", NULL, NULL, &llm, &err) < 0 ||
	    db_rater(db, "ann", "human", NULL, NULL, &ann, &err) < 0 ||
	    db_rater(db, "bob", "human", NULL, NULL, &bob, &err) < 0)
		return -1;
	for (int i = 0; i < NPROMPTS; i++) {
		struct store_prompt p = {0};
		char text[64];
		int64_t pid;

		snprintf(text, sizeof(text), "prompt %d", i);
		p.instruction = text;
		p.source = "s";
		if (store_prompt(db, &p, i < 3 ? ds : 0, &pid, NULL, &err) < 0)
			return -1;
		for (int j = 0; j < NCOMPL; j++) {
			struct store_completion c = {0};
			char resp[64];
			int64_t cid;

			snprintf(resp, sizeof(resp), "answer %d to prompt %d", j, i);
			c.response = resp;
			c.idx = j;
			if (store_completion(db, pid, &c, &cid, NULL, &err) < 0)
				return -1;
			for (int a = 0; a < 3; a++) {
				if (rate(cid, llm, aspects[a], 1 + (i * 7 + j * 3 + a * 5) % 5) < 0)
					return -1;
				if (i < 3 && rate(cid, ann, aspects[a], 1 + (i + j * 2 + a) % 5) < 0)
					return -1;
			}
		}
	}
	return db_commit(db, &err);
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	rubric_set_free(rs);
	db = NULL;
	rs = NULL;
	unlink(path);
	return 0;
}

static void nap(void)
{
	struct timespec ts = {0, 10 * 1000000L};

	nanosleep(&ts, NULL);
}

/* The next answer (failing after 20 s). */
static struct statjob_result *wait_result(struct statjob *j)
{
	for (int i = 0; i < 2000; i++) {
		struct statjob_result *r = statjob_take(j);

		if (r)
			return r;
		nap();
	}
	fail_msg("no answer from the statistics worker in 20 s");
	return NULL;
}

static void same_summary(const struct audit_summary *x, const struct audit_summary *y)
{
	assert_int_equal(x->prompts, y->prompts);
	assert_int_equal(x->completions, y->completions);
	assert_int_equal(x->naspects, y->naspects);
	assert_int_equal(x->nraters, y->nraters);
	assert_string_equal(x->llm, y->llm);
	for (size_t i = 0; i < x->nhist; i++) {
		const struct audit_hist *a = &x->hist[i], *b = &y->hist[i];

		assert_int_equal(a->total, b->total);
		assert_int_equal(a->na, b->na);
		for (int v = 0; v <= a->max - a->min; v++)
			assert_int_equal(a->count[v], b->count[v]);
	}
	for (size_t i = 0; i < x->naspects; i++) {
		const struct agree_pair *a = &x->agree[i]->pairs[0], *b = &y->agree[i]->pairs[0];

		assert_int_equal(a->units, b->units);
		assert_close(a->exact.v, b->exact.v, 1e-12);
		assert_close(a->kappa_quadratic.v, b->kappa_quadratic.v, 1e-12);
		for (size_t c = 0; c < x->agree[i]->k * x->agree[i]->k; c++)
			assert_int_equal(a->confusion[c], b->confusion[c]);
	}
}

static void same_conflict(const struct conflict_result *x, const struct conflict_result *y)
{
	assert_int_equal(x->naspects, y->naspects);
	assert_int_equal(x->pairs, y->pairs);
	assert_int_equal(x->ncells, y->ncells);
	for (size_t k = 0; k < x->ncells; k++) {
		assert_int_equal(x->matrix[k].concordant, y->matrix[k].concordant);
		assert_int_equal(x->matrix[k].discordant, y->matrix[k].discordant);
		assert_int_equal(x->matrix[k].tied, y->matrix[k].tied);
	}
}

static void test_same_as_direct(void **state)
{
	struct statjob *j = statjob_open(path, rs, 0);
	struct statjob_result *r;
	struct audit_summary *s;
	struct sel sel = {"d", NULL};
	struct fb_err err;
	const char *whose;

	(void)state;
	statjob_request(j, "d", NULL, "ann", 7);
	r = wait_result(j);
	assert_false(statjob_busy(j));
	assert_non_null(r->s);
	assert_true(statjob_key_same(r, "d", NULL, "ann", 7));
	assert_false(statjob_key_same(r, "d", NULL, "ann", 8));
	assert_false(statjob_key_same(r, NULL, NULL, "ann", 7));
	assert_false(statjob_key_same(r, "d", "s", "ann", 7));
	assert_false(statjob_key_same(r, "d", NULL, "bob", 7));
	assert_int_equal(r->s->prompts, 3);
	assert_string_equal(r->s->llm, "gpt-4");
	assert_int_equal(audit_summary_compute(db, &sel, "ann", "gpt-4", &s, &err), 0);
	same_summary(r->s, s);
	/* the rater's own conflict, not the judge's */
	assert_null(r->judge_conflict);
	assert_ptr_equal(statjob_conflict(r, &whose), r->s->conflict);
	assert_string_equal(whose, "ann");
	same_conflict(r->s->conflict, s->conflict);
	audit_summary_free(s);
	statjob_result_free(r);
	assert_null(statjob_take(j));
	statjob_close(j);
}

/* bob rated nothing: the matrix shown is gpt-4's, as `feedbench conflict --rater gpt-4` has it. */
static void test_judge_conflict(void **state)
{
	struct statjob *j = statjob_open(path, rs, 0);
	struct statjob_result *r;
	struct audit_summary *s;
	struct sel sel = {NULL, NULL};
	struct fb_err err;
	const struct conflict_result *c;
	const char *whose;

	(void)state;
	statjob_request(j, NULL, NULL, "bob", 0);
	r = wait_result(j);
	assert_non_null(r->s);
	assert_null(r->s->conflict);
	c = statjob_conflict(r, &whose);
	assert_non_null(c);
	assert_string_equal(whose, "gpt-4");
	assert_int_equal(audit_summary_compute(db, &sel, "gpt-4", NULL, &s, &err), 0);
	same_conflict(c, s->conflict);
	assert_int_equal(c->prompts, NPROMPTS);
	audit_summary_free(s);
	statjob_result_free(r);

	/* one completion a prompt is no pair to compare: still gpt-4's */
	assert_int_equal(db_exec(db, "INSERT INTO rating (completion_id, rater_id, aspect_id, "
				     "value, updated_at) SELECT c.id, (SELECT id FROM rater WHERE "
				     "name = 'bob'), a.id, 3, 'now' FROM completion c, aspect a "
				     "WHERE c.idx = 0 AND a.name IN ('honesty', 'truthfulness')",
			     &err), 0);
	statjob_request(j, NULL, NULL, "bob", 1);
	r = wait_result(j);
	assert_non_null(r->s->conflict);
	assert_int_equal(r->s->conflict->prompts, 0);
	c = statjob_conflict(r, &whose);
	assert_ptr_equal(c, r->judge_conflict);
	assert_string_equal(whose, "gpt-4");
	statjob_result_free(r);
	statjob_close(j);
}

/* Requests made while one is under way: only the last is answered. */
static void test_replaced(void **state)
{
	struct statjob *j = statjob_open(path, rs, 300);
	struct statjob_result *r;

	(void)state;
	statjob_request(j, NULL, NULL, "ann", 1);
	statjob_request(j, NULL, NULL, "ann", 2);
	statjob_request(j, "d", NULL, "ann", 3);
	assert_true(statjob_busy(j));
	r = wait_result(j);
	assert_true(statjob_key_same(r, "d", NULL, "ann", 3));
	statjob_result_free(r);
	assert_false(statjob_busy(j));
	assert_null(statjob_take(j));
	statjob_close(j);
}

/* The values rater gave, over every aspect. */
static size_t values_of(const struct audit_summary *s, const char *rater)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nhist; i++)
		if (!strcmp(s->raters[s->hist[i].rater], rater))
			n += s->hist[i].total;
	return n;
}

/* The worker's own connection reads while this one holds a write transaction open. */
static void test_while_writing(void **state)
{
	struct statjob *j = statjob_open(path, rs, 0);
	struct statjob_result *r;
	struct fb_err err;
	size_t before;

	(void)state;
	statjob_request(j, NULL, NULL, "ann", 0);
	r = wait_result(j);
	before = values_of(r->s, "ann");
	assert_int_equal(before, 3 * NCOMPL * 3);
	statjob_result_free(r);
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(db_exec(db, "DELETE FROM rating WHERE rater_id = (SELECT id FROM rater "
				     "WHERE name = 'ann') AND completion_id IN (SELECT id FROM "
				     "completion WHERE idx = 0)", &err), 0);
	statjob_request(j, NULL, NULL, "ann", 1);
	r = wait_result(j);
	assert_non_null(r->s);
	/* it saw the last committed state: the deletion is not there yet */
	assert_int_equal(values_of(r->s, "ann"), before);
	statjob_result_free(r);
	assert_int_equal(db_commit(db, &err), 0);
	statjob_request(j, NULL, NULL, "ann", 2);
	r = wait_result(j);
	assert_int_equal(values_of(r->s, "ann"), before - 3 * 3);
	statjob_result_free(r);
	statjob_close(j);
}

static void test_errors(void **state)
{
	struct statjob *j = statjob_open(path, rs, 0);
	struct statjob_result *r;
	const char *whose;

	(void)state;
	statjob_request(j, "nope", NULL, "ann", 0);
	r = wait_result(j);
	assert_null(r->s);
	assert_non_null(strstr(r->error, "no data set named 'nope'"));
	assert_null(statjob_conflict(r, &whose));
	assert_null(whose);
	statjob_result_free(r);
	statjob_request(j, NULL, NULL, "nobody", 0);
	r = wait_result(j);
	assert_null(r->s);
	assert_non_null(strstr(r->error, "no rater named 'nobody'"));
	statjob_result_free(r);
	statjob_close(j);

	/* a database that cannot be opened */
	j = statjob_open("/nonexistent-dir/x.db", rs, 0);
	statjob_request(j, NULL, NULL, "ann", 0);
	r = wait_result(j);
	assert_null(r->s);
	assert_true(r->error[0] != '\0');
	statjob_result_free(r);
	statjob_close(j);
}

/* Closing while a computation waits out its delay does not wait for it. */
static void test_close_early(void **state)
{
	struct statjob *j = statjob_open(path, rs, 20000);
	int64_t t0;

	(void)state;
	statjob_request(j, NULL, NULL, "ann", 0);
	for (int i = 0; i < 10; i++)
		nap();
	assert_true(statjob_busy(j));
	t0 = now_ms();
	statjob_close(j);
	assert_true(now_ms() - t0 < 5000);
	statjob_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_as_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_judge_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_while_writing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_early, setup, teardown),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
