/* test_jprompt.c - judge messages from the rubric templates. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "jprompt.h"
#include "reply.h"
#include "rubric.h"
#include "util.h"

static struct rubric *shipped(const char *name)
{
	const struct embedded_file *f;
	char path[128];
	struct fb_err err;

	snprintf(path, sizeof(path), "rubrics/%s.rubric", name);
	for (f = embedded_files; f->name; f++) {
		if (!strcmp(f->name, path)) {
			struct rubric *r = rubric_parse(f->text, f->name, &err);

			if (!r)
				fail_msg("%s", err.msg);
			return r;
		}
	}
	fail_msg("no shipped rubric %s", name);
	return NULL;
}

static const char *const texts[] = {"Alpha answer.", "Beta answer.", "Gamma answer.",
				    "Delta answer."};

static void must_contain(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected to find [%s] in:\n%s", needle, hay);
}

static void must_not_contain(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("did not expect [%s] in:\n%s", needle, hay);
}

static void test_every_shipped_rubric_builds(void **state)
{
	static const char *const names[] = {"instruction_following", "honesty", "truthfulness",
					    "helpfulness", "overall"};
	static const size_t order[] = {2, 0, 3, 1};
	struct jprompt_input in = {"Name four Greek letters.", "evol_instruct", NULL, NULL,
				   texts, 4, order};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(names); i++) {
		struct rubric *r = shipped(names[i]);
		struct jprompt_msgs m;
		struct fb_err err;
		struct reply_parser *p;

		if (jprompt_build(r, &in, &m, &err) < 0)
			fail_msg("%s: %s", names[i], err.msg);
		assert_non_null(m.system);
		must_contain(m.system, "4 texts");
		must_contain(m.user, "Instruction: Name four Greek letters.");
		/* shown order: text 1 is texts[2], text 2 is texts[0], ... */
		must_contain(m.user, "<text 1>\nGamma answer.\n</text 1>\n\n<text 2>\nAlpha answer.\n"
				     "</text 2>\n\n<text 3>\nDelta answer.\n</text 3>\n\n"
				     "<text 4>\nBeta answer.\n</text 4>");
		must_contain(m.user, "#### Output for Text 1\n");
		must_contain(m.user, "\nRating: (a whole number from 1 to 5");
		must_contain(m.user, "#### Output for Text 4\n");
		must_not_contain(m.user, "#### Output for Text 5");
		must_contain(m.user, "\n1. ");
		must_contain(m.user, "\n5. ");
		/* no placeholder survives */
		must_not_contain(m.user, "{");
		must_not_contain(m.system, "{");
		/* the fake judge tells a critique by this phrase: keep it out */
		must_not_contain(m.user, "Overall Score");
		/* the shipped [pattern] compiles */
		p = reply_parser_new(r, &err);
		if (!p)
			fail_msg("%s", err.msg);
		reply_parser_free(p);
		jprompt_msgs_release(&m);
		rubric_free(r);
	}
}

static void test_type_rating_and_na_wording(void **state)
{
	struct rubric *t = shipped("truthfulness"), *h = shipped("honesty");
	struct jprompt_input in = {"Q?", NULL, NULL, NULL, texts, 2, NULL};
	struct jprompt_msgs m;
	struct fb_err err;

	(void)state;
	assert_int_equal(jprompt_build(t, &in, &m, &err), 0);
	must_contain(m.user, "#### Output for Text 2\nType: ");
	must_contain(m.user, "1. Contradicts established world knowledge.");
	must_contain(m.user, "World knowledge:\nNo reference knowledge is given");
	must_contain(m.system, "2 texts");
	jprompt_msgs_release(&m);
	assert_int_equal(jprompt_build(h, &in, &m, &err), 0);
	must_contain(m.user, "or N/A)");
	must_not_contain(m.user, "Type:");
	jprompt_msgs_release(&m);
	rubric_free(t);
	rubric_free(h);
}

static void test_world_knowledge(void **state)
{
	struct jprompt_input in = {"Q?", "truthful_qa", "[\"Paris\", \"The city of Paris\"]",
				   "[\"Lyon\"]", texts, 1, NULL};
	struct fb_err err;
	char *wk;

	(void)state;
	wk = jprompt_world_knowledge(&in, &err);
	assert_string_equal(wk, "Correct answers:\n- Paris\n- The city of Paris\n\n"
				"Incorrect answers:\n- Lyon");
	free(wk);

	/* UltraFeedback's placeholder lists are no knowledge */
	in.source = "false_qa";
	in.correct_answers = "[\"None\"]";
	in.incorrect_answers = "[\"None\"]";
	wk = jprompt_world_knowledge(&in, &err);
	must_contain(wk, "false premise");
	must_not_contain(wk, "None");
	free(wk);

	in.source = "sharegpt";
	in.correct_answers = "[]";
	in.incorrect_answers = NULL;
	wk = jprompt_world_knowledge(&in, &err);
	assert_string_equal(wk, "No reference knowledge is given for this instruction.");
	free(wk);

	/* FLAN rows: reference answers only */
	in.source = "flan_v2_cot";
	in.correct_answers = "[\"yes\"]";
	wk = jprompt_world_knowledge(&in, &err);
	assert_string_equal(wk, "Correct answers:\n- yes");
	free(wk);

	in.correct_answers = "{\"not\": \"a list\"}";
	assert_null(jprompt_world_knowledge(&in, &err));
	must_contain(err.msg, "correct_answers");
	in.correct_answers = "[1, 2]";
	assert_null(jprompt_world_knowledge(&in, &err));
	in.correct_answers = "[\"ok\"";
	assert_null(jprompt_world_knowledge(&in, &err));
}

static struct rubric *with_template(const char *tmpl, const char *system)
{
	struct rubric *r = shipped("overall");

	free(r->tmpl);
	free(r->system);
	r->tmpl = tmpl ? xstrdup(tmpl) : NULL;
	r->system = system ? xstrdup(system) : NULL;
	return r;
}

static void test_template_language(void **state)
{
	struct rubric *r = with_template("{aspect}|{title}|{min}-{max}|{n}\n"
					 "{each}[{k}:{text}]{end}\n"
					 "{{literal}} {not a placeholder} {} {X} }}\n\n\n",
					 NULL);
	static const size_t order[] = {1, 0};
	struct jprompt_input in = {"I", NULL, NULL, NULL, texts, 2, order};
	struct jprompt_msgs m;
	struct fb_err err;

	(void)state;
	assert_int_equal(jprompt_build(r, &in, &m, &err), 0);
	assert_null(m.system);
	assert_string_equal(m.user, "overall|Overall rating|1-5|2\n"
				    "[1:Beta answer.][2:Alpha answer.]\n"
				    "{literal} {not a placeholder} {} {X} }");
	jprompt_msgs_release(&m);
	rubric_free(r);
}

static void expect_template_error(const char *tmpl, const char *part)
{
	struct rubric *r = with_template(tmpl, "system {n}");
	struct jprompt_input in = {"I", NULL, NULL, NULL, texts, 2, NULL};
	struct jprompt_msgs m;
	struct fb_err err;

	assert_int_equal(jprompt_build(r, &in, &m, &err), -1);
	assert_null(m.user);
	assert_null(m.system);
	if (!strstr(err.msg, part))
		fail_msg("error '%s' lacks '%s'", err.msg, part);
	rubric_free(r);
}

static void test_template_errors(void **state)
{
	(void)state;
	expect_template_error("line one\n{instrucion}", "[template] line 2: unknown placeholder "
							 "{instrucion}");
	expect_template_error("{k}", "outside {each}");
	expect_template_error("{text}", "outside {each}");
	expect_template_error("{each}{k}", "no {end}");
	expect_template_error("{each}{each}{end}{end}", "{each} inside");
	expect_template_error(NULL, "no [template]");
}

static void test_bad_input(void **state)
{
	struct rubric *r = shipped("overall");
	static const size_t dup[] = {0, 0};
	static const size_t big[] = {0, 2};
	struct jprompt_input in = {"I", NULL, NULL, NULL, texts, 2, dup};
	struct jprompt_msgs m;
	struct fb_err err;

	(void)state;
	assert_int_equal(jprompt_build(r, &in, &m, &err), -1);
	must_contain(err.msg, "permutation");
	in.order = big;
	assert_int_equal(jprompt_build(r, &in, &m, &err), -1);
	in.order = NULL;
	in.n = 0;
	assert_int_equal(jprompt_build(r, &in, &m, &err), -1);
	in.n = 65;
	assert_int_equal(jprompt_build(r, &in, &m, &err), -1);
	in.n = 2;
	in.correct_answers = "not json";
	assert_int_equal(jprompt_build(r, &in, &m, &err), -1);
	assert_null(m.user);
	rubric_free(r);
}

static void test_shuffle(void **state)
{
	struct fb_rng rng;
	size_t order[4], again[4], i, t;
	int seen[24] = {0}, distinct = 0;

	(void)state;
	rng_seed(&rng, 42);
	jprompt_shuffle(&rng, order, 4);
	rng_seed(&rng, 42);
	jprompt_shuffle(&rng, again, 4);
	assert_memory_equal(order, again, sizeof(order));
	for (t = 0; t < 2400; t++) {
		int mask = 0, code = 0;

		jprompt_shuffle(&rng, order, 4);
		for (i = 0; i < 4; i++) {
			assert_true(order[i] < 4);
			mask |= 1 << order[i];
		}
		assert_int_equal(mask, 15);
		/* Lehmer-ish code of the permutation: index into 24 */
		for (i = 0; i < 4; i++) {
			size_t j, smaller = 0;

			for (j = i + 1; j < 4; j++)
				smaller += order[j] < order[i];
			code = code * (int)(4 - i) + (int)smaller;
		}
		seen[code]++;
	}
	for (i = 0; i < 24; i++) {
		if (seen[i])
			distinct++;
		/* expected 100 each; a fair shuffle stays well inside this */
		assert_in_range(seen[i], 50, 160);
	}
	assert_int_equal(distinct, 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_shipped_rubric_builds),
		cmocka_unit_test(test_type_rating_and_na_wording),
		cmocka_unit_test(test_world_knowledge),
		cmocka_unit_test(test_template_language),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_shuffle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
