/*
 * test_annot.c - src/annot.c, the annotation session, on a real sqlite
 * database in a temporary directory (no mocks): queues, the per-rater
 * shuffle, every kind of change and its undo, drafts, blind mode, active
 * time, resuming, search, and two raters writing at once.
 */
#include "annot.h"
#include "store.h"

#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NPROMPTS 6

static char dir[] = "/tmp/feedbench-annot-XXXXXX";
static char path[128];
static struct rubric_set *rs;
static struct db *db;
static int64_t prompt_ids[NPROMPTS];
static int64_t honesty, truthfulness;

static const char *const texts[NPROMPTS] = {
	"Why do penguins fly north?",
	"Write a haiku about rain.",
	"Explain TCP and UDP.",
	"Sum the numbers 1 to 100.",
	"Is the Earth flat?",
	"Translate 'cat' into French.",
};

/* A fresh database: NPROMPTS prompts (data set d, sources s1/s2), 4 completions
 * each (the first prompt 3), gpt-4's honesty and truthfulness ratings. */
static int setup(void **state)
{
	struct fb_err err;
	int64_t ds, llm;
	int i, j;

	(void)state;
	if (rubric_set_load(&rs, &err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	unlink(path);
	if (db_open(&db, path, rs, DB_INTERACTIVE, &err) < 0)
		return -1;
	honesty = db_aspect_id(db, "honesty");
	truthfulness = db_aspect_id(db, "truthfulness");
	if (db_begin(db, &err) < 0 || db_dataset(db, "d", &ds, &err) < 0 ||
	    db_rater(db, "gpt-4", "llm", NULL, NULL, &llm, &err) < 0)
		return -1;
	for (i = 0; i < NPROMPTS; i++) {
		struct store_prompt p = {0};
		char ext[16];

		snprintf(ext, sizeof(ext), "ext-%d", i + 1);
		p.instruction = texts[i];
		p.source = i % 2 ? "s2" : "s1";
		p.external_id = ext;
		if (store_prompt(db, &p, i < 5 ? ds : 0, &prompt_ids[i], NULL, &err) < 0)
			return -1;
		for (j = 0; j < (i == 0 ? 3 : 4); j++) {
			struct store_completion c = {0};
			struct store_rating r = {0};
			char resp[64];
			int64_t cid;

			snprintf(resp, sizeof(resp), "answer %d to prompt %d%s", j, i,
				 i == 2 && j == 1 ? " mentions penguins" : "");
			c.response = resp;
			c.model = "m";
			c.idx = j;
			if (store_completion(db, prompt_ids[i], &c, &cid, NULL, &err) < 0)
				return -1;
			r.completion_id = cid;
			r.rater_id = llm;
			r.aspect_id = honesty;
			r.has_value = 1;
			r.value = 4;
			r.rationale = "llm says";
			if (store_rating(db, &r, NULL, &err) < 0)
				return -1;
			r.aspect_id = truthfulness;
			r.value = 2 + j;
			if (store_rating(db, &r, NULL, &err) < 0)
				return -1;
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

static struct annot *open_as(const char *rater, const char *queue)
{
	struct annot_opts o = {0};
	struct annot *a;
	struct fb_err err;

	o.rater = rater;
	o.queue = queue;
	if (annot_open(&a, db, &o, &err) < 0)
		fail_msg("annot_open: %s", err.msg);
	return a;
}

static long long sql_int(const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *sql_text(const char *sql)
{
	sqlite3_stmt *st;
	char *v = NULL;

	assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* Rate every cell of the current prompt with v (N/A where v is 0). */
static void rate_all(struct annot *a, int v)
{
	struct fb_err err;
	size_t n = a->p.ncomp * a->naspects, i;

	a->ccomp = a->casp = 0;
	for (i = 0; i < n; i++) {
		if (v)
			assert_int_equal(annot_rate(a, v, &err), 0);
		else
			assert_int_equal(annot_na(a, &err), 0);
	}
}

static void test_open(void **state)
{
	struct annot *a = open_as("ann", NULL);
	struct annot_opts o = {0};
	struct fb_err err;
	struct annot *b;

	(void)state;
	assert_string_equal(a->queue->name, "todo");
	assert_int_equal(a->nq, NPROMPTS);
	assert_true(a->loaded);
	assert_int_equal(a->p.id, prompt_ids[0]);
	assert_int_equal(a->p.ncomp, 3);
	/* the aspects that hold ratings, in the rubrics' order */
	assert_int_equal(a->naspects, 2);
	assert_string_equal(a->aspect[0]->name, "honesty");
	assert_string_equal(a->aspect[1]->name, "truthfulness");
	assert_int_equal(a->ccomp, 0);
	assert_int_equal(a->casp, 0);
	/* blind: nothing of the LLM's is loaded */
	assert_null(a->p.comp[0].llm);
	assert_false(annot_llm_ready(a));
	annot_close(a);

	/* filters and refusals */
	o.rater = "ann";
	o.dataset = "d";
	o.source = "s2";
	assert_int_equal(annot_open(&b, db, &o, &err), 0);
	assert_int_equal(b->nq, 2);
	annot_close(b);
	o.source = NULL;
	assert_int_equal(annot_open(&b, db, &o, &err), 0);
	assert_int_equal(b->nq, NPROMPTS - 1); /* the last prompt is in no data set */
	annot_close(b);
	o.dataset = NULL;
	o.source = "s1";
	assert_int_equal(annot_open(&b, db, &o, &err), 0);
	assert_int_equal(b->nq, 3);
	assert_int_equal(b->q[1].id, prompt_ids[2]);
	annot_close(b);
	o.source = NULL;
	o.dataset = "nope";
	assert_int_equal(annot_open(&b, db, &o, &err), -1);
	assert_null(b);
	assert_non_null(strstr(err.msg, "no data set named 'nope'"));
	o.dataset = NULL;
	o.queue = "later";
	assert_int_equal(annot_open(&b, db, &o, &err), -1);
	assert_string_equal(err.msg,
			    "no queue named 'later' (queues: todo, all, flagged, mine, conflict)");
	o.queue = NULL;
	o.rater = "gpt-4";
	assert_int_equal(annot_open(&b, db, &o, &err), -1);
	assert_non_null(strstr(err.msg, "is an LLM rater"));
	o.rater = "ann";
	{
		const char *const asp[] = {"helpfulness", "honesty"};

		o.aspects = asp;
		o.naspects = 2;
		assert_int_equal(annot_open(&b, db, &o, &err), 0);
		assert_int_equal(b->naspects, 2);
		assert_string_equal(b->aspect[0]->name, "helpfulness");
		annot_close(b);
	}
	{
		const char *const asp[] = {"wit"};

		o.aspects = asp;
		o.naspects = 1;
		assert_int_equal(annot_open(&b, db, &o, &err), -1);
		assert_non_null(strstr(err.msg, "no aspect named 'wit'"));
	}
}

static void test_shuffle(void **state)
{
	struct annot *a = open_as("ann", "all"), *b;
	struct fb_err err;
	int seen_other = 0, i;
	size_t k;

	(void)state;
	for (i = 0; i < NPROMPTS; i++) {
		char *order, sql[160], want[64] = "[";
		int64_t first[ANNOT_MAX_COMPLETIONS];

		assert_int_equal(annot_goto(a, (size_t)i, &err), 0);
		for (k = 0; k < a->p.ncomp; k++) {
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%d", k ? "," : "",
				 a->p.comp[k].idx);
			first[k] = a->p.comp[k].id;
		}
		strcat(want, "]");
		/* the order shown is the order recorded */
		snprintf(sql, sizeof(sql),
			 "SELECT shown_order FROM progress WHERE rater_id = %lld AND prompt_id = %lld",
			 (long long)a->rater_id, (long long)a->p.id);
		order = sql_text(sql);
		assert_non_null(order);
		assert_string_equal(order, want);
		free(order);
		/* and stays: shown again, the same */
		assert_int_equal(annot_goto(a, (size_t)(i ? i - 1 : 1), &err), 0);
		assert_int_equal(annot_goto(a, (size_t)i, &err), 0);
		for (k = 0; k < a->p.ncomp; k++)
			assert_int_equal(a->p.comp[k].id, first[k]);
		/* another rater, another order (for some prompt at least) */
		b = open_as("bob", "all");
		assert_int_equal(annot_goto(b, (size_t)i, &err), 0);
		for (k = 0; k < b->p.ncomp; k++)
			if (b->p.comp[k].id != first[k])
				seen_other = 1;
		annot_close(b);
	}
	assert_true(seen_other);
	annot_close(a);
	/* stable without the record: the same seed gives the same order */
	assert_int_equal(sql_int("DELETE FROM progress WHERE rater_id = (SELECT id FROM rater "
				 "WHERE name = 'ann') RETURNING 1"),
			 1);
	a = open_as("ann", "all");
	b = open_as("ann", "all");
	for (k = 0; k < a->p.ncomp; k++)
		assert_int_equal(a->p.comp[k].id, b->p.comp[k].id);
	annot_close(a);
	annot_close(b);
}

static void test_rate(void **state)
{
	struct annot *a = open_as("ann", NULL);
	struct fb_err err;
	size_t comp = 0, asp = 0;
	int64_t pid = a->p.id;
	char sql[200];

	(void)state;
	/* the cursor walks down the aspects of a completion, then to the next one */
	annot_next_cell(a, &comp, &asp);
	assert_int_equal(comp, 0);
	assert_int_equal(asp, 1);
	annot_next_cell(a, &comp, &asp);
	assert_int_equal(comp, 1);
	assert_int_equal(asp, 0);

	assert_int_equal(annot_rate(a, 6, &err), -1);
	assert_string_equal(err.msg, "6 is off the honesty scale (1 to 5)");
	assert_int_equal(sql_int("SELECT count(*) FROM rating WHERE rater_id = 2"), 0);
	assert_int_equal(annot_rate(a, 3, &err), 0);
	assert_int_equal(a->ccomp, 0);
	assert_int_equal(a->casp, 1);
	/* truthfulness has no N/A */
	assert_int_equal(annot_na(a, &err), -1);
	assert_non_null(strstr(err.msg, "truthfulness has no N/A"));
	assert_int_equal(annot_rate(a, 5, &err), 0);
	assert_int_equal(annot_na(a, &err), 0); /* comp 1 honesty */
	assert_int_equal(annot_rate(a, 1, &err), 0);
	assert_int_equal(annot_rate(a, 2, &err), 0);
	assert_false(a->p.finished);
	assert_int_equal(annot_rate(a, 4, &err), 0);
	/* every cell: finished, recorded with a time */
	assert_true(a->p.finished);
	assert_int_equal(annot_done_cells(a, 2), 2);
	assert_true(a->q[a->pos].state & ANNOT_Q_FINISHED);
	assert_int_equal(annot_nfinished(a), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM progress WHERE prompt_id = %lld AND finished_at IS NOT NULL",
		 (long long)pid);
	assert_int_equal(sql_int(sql), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM rating WHERE rater_id = 2"), 6);
	assert_int_equal(sql_int("SELECT count(*) FROM rating WHERE rater_id = 2 AND na = 1 AND "
				 "value IS NULL"),
			 1);
	assert_int_equal(sql_int("SELECT count(*) FROM rating WHERE rater_id = 2 AND "
				 "updated_at LIKE '____-__-__T__:__:__.___Z'"),
			 6);
	/* after the last cell the cursor stays (no empty cell to go to) */
	assert_int_equal(a->ccomp, 2);
	assert_int_equal(a->casp, 1);
	annot_close(a);

	/* a finished prompt leaves todo and is in mine */
	a = open_as("ann", NULL);
	assert_int_equal(a->nq, NPROMPTS - 1);
	assert_true(a->p.id != pid);
	annot_close(a);
	a = open_as("ann", "mine");
	assert_int_equal(a->nq, 1);
	assert_int_equal(a->p.id, pid);
	assert_int_equal(a->p.comp[1].cell[0].state, ANNOT_NA);
	annot_close(a);
}

static void test_clear_undo(void **state)
{
	struct annot *a = open_as("ann", NULL);
	struct fb_err err;
	char sql[200];

	(void)state;
	snprintf(sql, sizeof(sql),
		 "SELECT value FROM rating WHERE rater_id = 2 AND aspect_id = %lld AND "
		 "completion_id = %lld",
		 (long long)honesty, (long long)a->p.comp[0].id);
	assert_int_equal(annot_undo(a, &err), 0); /* nothing yet */
	assert_int_equal(annot_rate(a, 3, &err), 0);
	a->casp = 0;
	assert_int_equal(annot_rate(a, 4, &err), 0);
	assert_int_equal(sql_int(sql), 4);
	assert_int_equal(annot_undo(a, &err), 1);
	assert_int_equal(sql_int(sql), 3);
	assert_int_equal(a->p.comp[0].cell[0].value, 3);
	assert_int_equal(a->ccomp, 0);
	assert_int_equal(a->casp, 0);
	assert_int_equal(annot_undo(a, &err), 1);
	assert_int_equal(sql_int(sql), -1); /* no row: as before the first change */
	assert_int_equal(a->p.comp[0].cell[0].state, ANNOT_EMPTY);
	assert_int_equal(annot_undo(a, &err), 0);
	/* history keeps every value the cell had */
	assert_int_equal(sql_int("SELECT count(*) FROM rating_history WHERE rater_id = 2"), 3);

	/* clear keeps the rationale */
	assert_int_equal(annot_rate(a, 2, &err), 0);
	a->casp = 0;
	assert_int_equal(annot_set_rationale(a, "because", &err), 0);
	assert_int_equal(annot_clear(a, &err), 0);
	assert_int_equal(a->p.comp[0].cell[0].state, ANNOT_EMPTY);
	assert_string_equal(a->p.comp[0].cell[0].rationale, "because");
	assert_int_equal(sql_int("SELECT count(*) FROM rating WHERE rater_id = 2 AND value IS NULL "
				 "AND na = 0 AND rationale = 'because'"),
			 1);
	/* undo goes back to the prompt of the change */
	assert_int_equal(annot_next(a, &err), 1);
	assert_int_equal(annot_undo(a, &err), 1);
	assert_int_equal(a->pos, 0);
	assert_int_equal(a->p.comp[0].cell[0].value, 2);
	annot_close(a);
}

static void test_rationale_types_drafts(void **state)
{
	struct annot *a = open_as("ann", NULL);
	struct fb_err err;
	char *d;

	(void)state;
	/* a draft is kept until the rationale is stored */
	assert_null(annot_draft_get(a, 0, 0));
	assert_int_equal(annot_draft_save(a, 0, 0, "half wri", &err), 0);
	assert_int_equal(annot_draft_save(a, 0, 0, "half written \xc3\xa9", &err), 0);
	assert_true(a->p.comp[0].cell[0].has_draft);
	d = annot_draft_get(a, 0, 0);
	assert_string_equal(d, "half written \xc3\xa9");
	free(d);
	annot_close(a);
	a = open_as("ann", NULL); /* a crash later, the draft is still there */
	assert_true(a->p.comp[0].cell[0].has_draft);
	assert_int_equal(annot_set_rationale(a, "écrit en entier, 中文", &err), 0);
	assert_false(a->p.comp[0].cell[0].has_draft);
	assert_null(annot_draft_get(a, 0, 0));
	assert_int_equal(sql_int("SELECT count(*) FROM draft"), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM rating WHERE rationale = "
				 "'écrit en entier, 中文' AND value IS NULL"),
			 1);
	/* a value leaves the rationale alone */
	assert_int_equal(annot_rate(a, 5, &err), 0);
	assert_string_equal(a->p.comp[0].cell[0].rationale, "écrit en entier, 中文");
	/* critique drafts */
	assert_int_equal(annot_draft_save(a, 1, ANNOT_CRITIQUE, "crit", &err), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM draft WHERE field = 'critique'"), 1);
	assert_int_equal(annot_draft_drop(a, 1, ANNOT_CRITIQUE, &err), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM draft"), 0);

	/* type ids: truthfulness has them, honesty not */
	a->casp = 0;
	assert_int_equal(annot_set_types(a, "1", &err), -1);
	assert_string_equal(err.msg, "honesty has no type ids");
	a->casp = 1;
	assert_int_equal(annot_set_types(a, "3, 1 3", &err), 0);
	assert_string_equal(a->p.comp[0].cell[1].types, "[\"3\",\"1\"]");
	assert_int_equal(annot_set_types(a, "4", &err), -1);
	assert_string_equal(err.msg, "'4' is not a type id of truthfulness (1, 2, 3)");
	assert_int_equal(annot_set_types(a, "", &err), 0);
	assert_string_equal(a->p.comp[0].cell[1].types, "[]");
	assert_int_equal(annot_undo(a, &err), 1);
	assert_string_equal(a->p.comp[0].cell[1].types, "[\"3\",\"1\"]");
	annot_close(a);
}

static void test_critique(void **state)
{
	static const struct {
		const char *in;
		int ok, has;
		double v;
	} scores[] = {
		{"7", 1, 1, 7},    {"7.5", 1, 1, 7.5}, {" 7/10 ", 1, 1, 7}, {"", 1, 0, 0},
		{"10", 1, 1, 10},  {"1", 1, 1, 1},     {"0", 0, 0, 0},      {"10.5", 0, 0, 0},
		{"7.3", 0, 0, 0},  {"abc", 0, 0, 0},   {"7/5", 0, 0, 0},    {"-1", 0, 0, 0},
	};
	struct annot *a = open_as("ann", NULL);
	struct fb_err err;
	size_t i;
	int has;
	double v;

	(void)state;
	for (i = 0; i < ARRAY_LEN(scores); i++) {
		int rc = annot_parse_score(scores[i].in, &has, &v, &err);

		if (rc != (scores[i].ok ? 0 : -1))
			fail_msg("score '%s': rc %d", scores[i].in, rc);
		if (scores[i].ok) {
			assert_int_equal(has, scores[i].has);
			assert_close(v, scores[i].v, 0);
		}
	}
	assert_int_equal(annot_set_critique(a, 1, "Clear, but misses the point.", 1, 6.5, &err), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM critique WHERE rater_id = 2 AND "
				 "overall_score = 6.5 AND text = 'Clear, but misses the point.'"),
			 1);
	assert_int_equal(annot_set_critique(a, 1, "Better.", 1, 8, &err), 0);
	assert_int_equal(annot_set_critique(a, 1, NULL, 1, 11, &err), -1);
	assert_int_equal(annot_undo(a, &err), 1);
	assert_string_equal(a->p.comp[1].crit.text, "Clear, but misses the point.");
	assert_close(a->p.comp[1].crit.score, 6.5, 0);
	assert_int_equal(sql_int("SELECT count(*) FROM critique_history"), 2);
	annot_close(a);
}

static void test_flags(void **state)
{
	struct annot *a = open_as("ann", NULL);
	struct fb_err err;
	int64_t first = a->p.id;

	(void)state;
	assert_int_equal(annot_flag(a, "flag", "prompt is ambiguous", &err), 0);
	assert_true(a->p.flagged);
	assert_int_equal(annot_flag(a, "skip", "not my field", &err), 0);
	assert_int_equal(annot_flag(a, "nope", "x", &err), -1);
	assert_int_equal(sql_int("SELECT count(*) FROM flag WHERE reason = 'not my field' AND "
				 "kind = 'skip'"),
			 1);
	/* skipped: next unfinished passes it by */
	assert_int_equal(annot_next_unfinished(a, &err), 1);
	assert_true(a->p.id != first);
	annot_close(a);
	a = open_as("ann", NULL);
	assert_int_equal(a->nq, NPROMPTS - 1); /* todo leaves skipped prompts out */
	annot_close(a);
	a = open_as("ann", "flagged");
	assert_int_equal(a->nq, 1);
	assert_string_equal(a->p.flag_reason, "prompt is ambiguous");
	assert_string_equal(a->p.skip_reason, "not my field");
	assert_int_equal(annot_flag(a, "skip", NULL, &err), 0);
	assert_false(a->p.skipped);
	assert_int_equal(annot_undo(a, &err), 1);
	assert_true(a->p.skipped);
	assert_string_equal(a->p.skip_reason, "not my field");
	annot_close(a);
}

static void test_blind(void **state)
{
	struct annot *a = open_as("ann", NULL);
	struct fb_err err;

	(void)state;
	rate_all(a, 3);
	assert_true(a->p.finished);
	assert_true(annot_llm_ready(a));
	assert_string_equal(a->p.llm_name, "gpt-4");
	assert_non_null(a->p.comp[0].llm);
	assert_int_equal(a->p.comp[0].llm[0].value, 4);
	assert_string_equal(a->p.comp[0].llm[0].rationale, "llm says");
	/* the LLM's truthfulness follows the data's order, whatever the shuffle */
	assert_int_equal(a->p.comp[0].llm[1].value, 2 + a->p.comp[0].idx);
	/* un-finishing hides it again */
	assert_int_equal(annot_clear(a, &err), 0);
	assert_false(a->p.finished);
	assert_false(annot_llm_ready(a));
	assert_null(a->p.comp[0].llm);
	assert_int_equal(sql_int("SELECT count(*) FROM progress WHERE finished_at IS NOT NULL"), 0);
	annot_close(a);
}

static void test_time(void **state)
{
	struct annot *a = open_as("ann", NULL);
	struct fb_err err;
	char sql[160];
	int64_t pid = a->p.id;

	(void)state;
	annot_activity(a, 1000);
	annot_activity(a, 3000);                             /* 2 s */
	annot_activity(a, 3000 + 10 * 60 * 1000);            /* idle: counts 60 s */
	assert_int_equal(annot_active_ms(a), 62000);
	assert_int_equal(annot_rate(a, 2, &err), 0);         /* written with the change */
	snprintf(sql, sizeof(sql), "SELECT active_ms FROM progress WHERE prompt_id = %lld",
		 (long long)pid);
	assert_int_equal(sql_int(sql), 62000);
	annot_activity(a, 3000 + 10 * 60 * 1000 + 500);
	assert_int_equal(annot_next(a, &err), 1);            /* the prompt left gets its time */
	assert_int_equal(sql_int(sql), 62500);
	annot_activity(a, 3000 + 10 * 60 * 1000 + 1500);
	assert_int_equal(annot_active_ms(a), 1000);
	annot_close(a);                                      /* and closing writes the rest */
	snprintf(sql, sizeof(sql), "SELECT active_ms FROM progress WHERE prompt_id = %lld",
		 (long long)prompt_ids[1]);
	assert_int_equal(sql_int(sql), 1000);
}

static void test_resume(void **state)
{
	struct annot *a = open_as("ann", NULL);
	struct fb_err err;

	(void)state;
	assert_int_equal(annot_goto(a, 3, &err), 0);
	assert_int_equal(annot_rate(a, 4, &err), 0);
	assert_int_equal(annot_rate(a, 4, &err), 0);
	annot_close(a);
	a = open_as("ann", NULL);
	assert_int_equal(a->pos, 3);
	assert_int_equal(a->p.id, prompt_ids[3]);
	/* the cursor on the first cell left to rate */
	assert_int_equal(a->ccomp, 1);
	assert_int_equal(a->casp, 0);
	/* back: the prompt left does not look touched later than the one shown (same ms) */
	annot_activity(a, 5000);
	annot_activity(a, 6000);
	assert_int_equal(annot_prev(a, &err), 1);
	annot_close(a);
	a = open_as("ann", NULL);
	assert_int_equal(a->pos, 2);
	assert_true(a->resumed);
	/* back and forth */
	assert_int_equal(annot_prev(a, &err), 1);
	assert_int_equal(annot_next(a, &err), 1);
	assert_int_equal(annot_goto(a, NPROMPTS - 1, &err), 0);
	assert_int_equal(annot_next(a, &err), 0);
	assert_int_equal(annot_goto(a, 99, &err), -1);
	annot_close(a);
}

static void test_goto_search(void **state)
{
	struct annot *a = open_as("ann", NULL);
	struct fb_err err;
	char id[32];

	(void)state;
	rate_all(a, 3);
	annot_close(a);
	/* a finished prompt is not in todo: going to it adds it */
	a = open_as("ann", NULL);
	assert_int_equal(a->nq, NPROMPTS - 1);
	snprintf(id, sizeof(id), "%lld", (long long)prompt_ids[0]);
	assert_int_equal(annot_goto_id(a, id, &err), 0);
	assert_int_equal(a->p.id, prompt_ids[0]);
	assert_int_equal(a->nq, NPROMPTS);
	assert_int_equal(a->pos, 0);
	assert_int_equal(annot_goto_id(a, "ext-5", &err), 0);
	assert_int_equal(a->p.id, prompt_ids[4]);
	assert_int_equal(annot_goto_id(a, "12345", &err), -1);
	assert_string_equal(err.msg, "there is no prompt with the id '12345'");

	/* search narrows the queue: prompt text or completions, caseless in lower case */
	assert_int_equal(annot_search(a, "PENGUIN", &err), 0);
	assert_null(a->search);
	assert_int_equal(annot_search(a, "penguin", &err), 2);
	assert_int_equal(a->nq, 2);
	assert_string_equal(a->search, "penguin");
	assert_int_equal(a->p.id, prompt_ids[0]); /* the first match after the current one, wrapping */
	assert_int_equal(annot_next(a, &err), 1);
	assert_int_equal(a->p.id, prompt_ids[2]);
	assert_int_equal(annot_search(a, "(", &err), -1);
	assert_non_null(strstr(err.msg, "bad pattern"));
	assert_int_equal(annot_search_clear(a, &err), 0);
	assert_int_equal(a->nq, NPROMPTS);
	assert_int_equal(a->p.id, prompt_ids[2]);
	assert_int_equal(a->q[a->pos].id, prompt_ids[2]);
	assert_true(a->q[0].state & ANNOT_Q_FINISHED);
	annot_close(a);
}

/* Two raters on two connections, writing in turn: neither blocks or loses anything. */
static void test_two_raters(void **state)
{
	struct db *db2;
	struct fb_err err;
	struct annot *a, *b;
	struct annot_opts o = {0};
	int i;

	(void)state;
	assert_int_equal(db_open(&db2, path, rs, DB_INTERACTIVE, &err), 0);
	a = open_as("ann", NULL);
	o.rater = "bob";
	assert_int_equal(annot_open(&b, db2, &o, &err), 0);
	for (i = 0; i < 6; i++) {
		assert_int_equal(annot_rate(a, 1 + i % 5, &err), 0);
		assert_int_equal(annot_rate(b, 5 - i % 5, &err), 0);
	}
	assert_true(a->p.finished);
	assert_true(b->p.finished);
	annot_close(b);
	db_close(db2);
	annot_close(a);
	assert_int_equal(sql_int("SELECT count(*) FROM rating r JOIN rater x ON x.id = r.rater_id "
				 "WHERE x.name IN ('ann', 'bob')"),
			 12);
	assert_int_equal(sql_int("SELECT count(*) FROM progress WHERE finished_at IS NOT NULL"), 2);
}

static void test_stats(void **state)
{
	struct annot *a = open_as("ann", NULL);
	struct annot_stats s;
	struct fb_err err;

	(void)state;
	rate_all(a, 2);
	a->ccomp = 0;
	a->casp = 0;
	assert_int_equal(annot_set_rationale(a, "r", &err), 0);
	assert_int_equal(annot_set_critique(a, 0, "c", 1, 5, &err), 0);
	assert_int_equal(annot_stats(a, &s, &err), 0);
	assert_int_equal(s.prompts_finished, 1);
	assert_int_equal(s.prompts_touched, 1);
	assert_int_equal(s.values, 6);
	assert_int_equal(s.rationales, 1);
	assert_int_equal(s.critiques, 1);
	annot_close(a);
}

/* gpt-4's value of aspect for completion idx j of prompt i. */
static void llm_rate(int i, int j, const char *aspect, int value)
{
	struct store_rating r = {0};
	struct fb_err err;
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT id FROM completion WHERE prompt_id = %lld AND idx = %d",
		 (long long)prompt_ids[i], j);
	r.completion_id = sql_int(sql);
	r.rater_id = sql_int("SELECT id FROM rater WHERE name = 'gpt-4'");
	r.aspect_id = db_aspect_id(db, aspect);
	r.has_value = 1;
	r.value = value;
	if (store_rating(db, &r, NULL, &err) < 0)
		fail_msg("store_rating: %s", err.msg);
}

/*
 * The conflict queue: by gpt-4's ratings while ann has none, then by
 * ann's.  gpt-4's truthfulness rises with the completion (2, 3, 4, 5);
 * helpfulness added here falls on prompt 3 (every pair of its completions
 * is Pareto-incomparable: score 1) and swaps one pair on prompt 1 (1 of 6);
 * honesty ties everywhere.  The other prompts score 0 and follow by id.
 */
static void test_conflict_queue(void **state)
{
	static const int p1[4] = {3, 2, 4, 5};
	const int order[NPROMPTS] = {3, 1, 0, 2, 4, 5};
	struct annot_opts o = {0};
	struct fb_err err;
	struct annot *a;
	char *judge;
	size_t i;
	unsigned long before;

	(void)state;
	for (i = 0; i < 4; i++) {
		llm_rate(3, (int)i, "helpfulness", 5 - (int)i);
		llm_rate(1, (int)i, "helpfulness", p1[i]);
	}
	assert_int_equal(annot_judge(db, &judge, &err), 0);
	assert_string_equal(judge, "gpt-4");
	free(judge);

	a = open_as("ann", "conflict");
	assert_string_equal(a->queue->name, "conflict");
	assert_non_null(a->queue_by);
	assert_string_equal(a->queue_by, "gpt-4");
	assert_int_equal(a->nq, NPROMPTS);
	for (i = 0; i < NPROMPTS; i++)
		assert_int_equal(a->q[i].id, prompt_ids[order[i]]);
	assert_true(a->loaded);
	assert_int_equal(a->p.id, prompt_ids[3]);
	/* every committed change counts; moving does not */
	before = a->changes;
	assert_int_equal(annot_next(a, &err), 1);
	assert_int_equal(a->p.id, prompt_ids[1]);
	assert_int_equal(a->changes, before);
	/* ann rates prompt 1 (4 completions x 3 aspects) all alike: no conflict, but hers */
	rate_all(a, 3);
	assert_int_equal(a->changes, before + 12);
	/* a prompt gone to by id joins the queue after the current one, not in id order */
	assert_int_equal(annot_goto_id(a, "ext-1", &err), 0);
	annot_close(a);

	a = open_as("ann", "conflict");
	assert_string_equal(a->queue_by, "ann");
	assert_int_equal(a->nq, 1);
	assert_int_equal(a->q[0].id, prompt_ids[1]);
	assert_true(a->q[0].state & ANNOT_Q_FINISHED);
	annot_close(a);

	/* filters narrow it, the order stays */
	o.rater = "bob";
	o.queue = "conflict";
	o.source = "s2";
	assert_int_equal(annot_open(&a, db, &o, &err), 0);
	assert_string_equal(a->queue_by, "gpt-4");
	assert_int_equal(a->nq, 3);
	assert_int_equal(a->q[0].id, prompt_ids[3]);
	assert_int_equal(a->q[1].id, prompt_ids[1]);
	assert_int_equal(a->q[2].id, prompt_ids[5]);
	annot_close(a);
	o.source = NULL;
	o.dataset = "nope";
	assert_int_equal(annot_open(&a, db, &o, &err), -1);
	assert_non_null(strstr(err.msg, "no data set named 'nope'"));

	/* nothing rated by anyone: an empty queue, not an error */
	assert_int_equal(db_exec(db, "DELETE FROM rating", &err), 0);
	o.dataset = NULL;
	assert_int_equal(annot_open(&a, db, &o, &err), 0);
	assert_null(a->queue_by);
	assert_int_equal(a->nq, 0);
	assert_false(a->loaded);
	annot_close(a);
	assert_int_equal(annot_judge(db, &judge, &err), 0);
	assert_null(judge);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shuffle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rationale_types_drafts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_critique, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_goto_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_raters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict_queue, setup, teardown),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
