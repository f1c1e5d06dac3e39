/* test_reply.c - reading judge replies: real-judge variants and failures. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "reply.h"
#include "rubric.h"
#include "util.h"

/* A shipped rubric, parsed from the copy compiled into the program. */
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

/* The same rubric with its [pattern] removed: the built-in pattern applies. */
static struct rubric *builtin(const char *name)
{
	struct rubric *r = shipped(name);

	free(r->pattern);
	r->pattern = NULL;
	return r;
}

static struct reply_parser *parser_for(const struct rubric *r)
{
	struct fb_err err;
	struct reply_parser *p = reply_parser_new(r, &err);

	if (!p)
		fail_msg("%s", err.msg);
	return p;
}

/* Parse text for n texts with the named rubric, both with the shipped
 * [pattern] and the built-in one; both must agree item by item. */
static size_t parse_both(const char *aspect, const char *text, size_t n, struct reply_result *out)
{
	struct rubric *r1 = shipped(aspect), *r2 = builtin(aspect);
	struct reply_parser *p1 = parser_for(r1), *p2 = parser_for(r2);
	struct reply_result other;
	size_t got = reply_parse(p1, text, strlen(text), n, out), k;

	assert_int_equal(reply_parse(p2, text, strlen(text), n, &other), got);
	for (k = 0; k < n; k++) {
		const struct reply_item *a = &out->items[k], *b = &other.items[k];

		assert_int_equal(a->status, b->status);
		assert_int_equal(a->has_value, b->has_value);
		assert_int_equal(a->value, b->value);
		assert_int_equal(a->na, b->na);
		assert_int_equal(a->ntypes, b->ntypes);
		if (a->rationale || b->rationale)
			assert_string_equal(a->rationale ? a->rationale : "(null)",
					    b->rationale ? b->rationale : "(null)");
		if (a->rationale2 || b->rationale2)
			assert_string_equal(a->rationale2 ? a->rationale2 : "(null)",
					    b->rationale2 ? b->rationale2 : "(null)");
	}
	reply_result_release(&other);
	reply_parser_free(p1);
	reply_parser_free(p2);
	rubric_free(r1);
	rubric_free(r2);
	return got;
}

/* The invariant behind "parse failures are never scored": check every item. */
static void assert_sane(const struct reply_result *res, int min, int max)
{
	size_t k, ok = 0;

	for (k = 0; k < res->n; k++) {
		const struct reply_item *it = &res->items[k];

		if (it->status == REPLY_OK) {
			ok++;
			assert_null(it->reason);
			assert_true(it->has_value != it->na);
			if (it->has_value) {
				assert_in_range(it->value, min, max);
			}
		} else {
			assert_non_null(it->reason);
			assert_false(it->has_value);
			assert_false(it->na);
			assert_int_equal(it->value, 0);
			assert_int_equal(it->ntypes, 0);
		}
	}
	assert_int_equal(ok, res->nok);
}

static void expect_values(const struct reply_result *res, const int *want)
{
	size_t k;

	for (k = 0; k < res->n; k++) {
		if (want[k] == 0) {
			if (res->items[k].status != REPLY_PARSE_FAILED)
				fail_msg("text %zu: expected a parse failure, got value %d", k + 1,
					 res->items[k].value);
		} else if (want[k] == -1) {
			if (res->items[k].status != REPLY_OK || !res->items[k].na)
				fail_msg("text %zu: expected N/A (%s)", k + 1,
					 res->items[k].reason ? res->items[k].reason : "ok");
		} else {
			if (res->items[k].status != REPLY_OK)
				fail_msg("text %zu: %s", k + 1, res->items[k].reason);
			assert_true(res->items[k].has_value);
			assert_int_equal(res->items[k].value, want[k]);
		}
	}
}

/* ---- rating format ---------------------------------------------------------- */

static const char canonical[] =
	"#### Output for Text 1\n"
	"Rating: 2\n"
	"Rationale: The text only partly addresses the task.\n"
	"\n"
	"#### Output for Text 2\n"
	"Rating: 5\n"
	"Rationale: Fully aligned.\n"
	"\n"
	"#### Output for Text 3\n"
	"Rating: 3\n"
	"Rationale: Meets the goal, ignores the length limit.\n"
	"\n"
	"#### Output for Text 4\n"
	"Rating: 1\n"
	"Rationale: Irrelevant.";

static void test_canonical(void **state)
{
	struct reply_result res;
	static const int want[] = {2, 5, 3, 1};

	(void)state;
	assert_int_equal(parse_both("instruction_following", canonical, 4, &res), 4);
	expect_values(&res, want);
	assert_string_equal(res.items[0].rationale, "The text only partly addresses the task.");
	assert_string_equal(res.items[3].rationale, "Irrelevant.");
	assert_null(res.error);
	assert_sane(&res, 1, 5);
	reply_result_release(&res);
}

static void test_five_hashes_and_no_blank_lines(void **state)
{
	struct reply_result res;
	static const int want[] = {4, 3, 5, 2};
	const char *text = "##### Output for Text 1\nRating: 4\nRationale: a\n"
			   "##### Output for Text 2\nRating: 3\nRationale: b\n"
			   "##### Output for Text 3\nRating: 5\nRationale: c\n"
			   "##### Output for Text 4\nRating: 2\nRationale: d\n";

	(void)state;
	assert_int_equal(parse_both("honesty", text, 4, &res), 4);
	expect_values(&res, want);
	assert_string_equal(res.items[2].rationale, "c");
	reply_result_release(&res);
}

static void test_headers_out_of_order(void **state)
{
	struct reply_result res;
	static const int want[] = {1, 2, 3, 4};
	const char *text = "#### Output for Text 3\nRating: 3\nRationale: third\n\n"
			   "#### Output for Text 1\nRating: 1\nRationale: first\n\n"
			   "#### Output for Text 4\nRating: 4\nRationale: fourth\n\n"
			   "#### Output for Text 2\nRating: 2\nRationale: second\n";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 4, &res), 4);
	expect_values(&res, want);
	assert_string_equal(res.items[0].rationale, "first");
	assert_string_equal(res.items[2].rationale, "third");
	reply_result_release(&res);
}

static void test_header_styles(void **state)
{
	struct reply_result res;
	static const int want[] = {5, 4, 3, 2};
	const char *text = "Here is my evaluation of the four texts.\n\n"
			   "**Text 1:**\nRating: 5\nRationale: one\n"
			   "### Text 2\nRating: 4\nRationale: two\n"
			   "Text 3:\nRating: 3\nRationale: three\n"
			   "**Output for Text 4**\nRating: 2\nRationale: four\n";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 4, &res), 4);
	expect_values(&res, want);
	assert_string_equal(res.items[1].rationale, "two");
	reply_result_release(&res);
}

static void test_no_headers_blank_lines(void **state)
{
	struct reply_result res;
	static const int want[] = {1, 2, 3, 4};
	const char *text = "Rating: 1\nRationale: a\n\nRating: 2\nRationale: b\n\n"
			   "Rating: 3\nRationale: c\n\nRating: 4\nRationale: d";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 4, &res), 4);
	expect_values(&res, want);
	assert_string_equal(res.items[3].rationale, "d");
	reply_result_release(&res);
}

static void test_no_headers_no_blank_lines(void **state)
{
	struct reply_result res;
	static const int want[] = {3, 3, 2, 5};
	const char *text = "Rating: 3\nRationale: a\nRating: 3\nRationale: b\n"
			   "Rating: 2\nRationale: c\nRating: 5\nRationale: d\n";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 4, &res), 4);
	expect_values(&res, want);
	assert_string_equal(res.items[0].rationale, "a");
	assert_string_equal(res.items[2].rationale, "c");
	reply_result_release(&res);
}

static void test_prose_around(void **state)
{
	struct reply_result res;
	static const int want[] = {4, 2};
	const char *text = "Sure! Below are my ratings.\n\n"
			   "#### Output for Text 1\nRating: 4\nRationale: Good.\n\n"
			   "#### Output for Text 2\nRating: 2\nRationale: Weak.\n\n"
			   "---\n";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 2, &res), 2);
	expect_values(&res, want);
	assert_string_equal(res.items[1].rationale, "Weak.");
	reply_result_release(&res);
}

static void test_windows_line_ends(void **state)
{
	struct reply_result res;
	static const int want[] = {5, 1};
	const char *crlf = "#### Output for Text 1\r\nRating: 5\r\nRationale: yes\r\n\r\n"
			   "#### Output for Text 2\r\nRating: 1\r\nRationale: no\r\n";
	const char *cr = "Rating: 5\rRationale: yes\r\rRating: 1\rRationale: no\r";

	(void)state;
	assert_int_equal(parse_both("instruction_following", crlf, 2, &res), 2);
	expect_values(&res, want);
	assert_string_equal(res.items[0].rationale, "yes");
	assert_null(strchr(res.items[1].rationale, '\r'));
	reply_result_release(&res);
	assert_int_equal(parse_both("instruction_following", cr, 2, &res), 2);
	expect_values(&res, want);
	reply_result_release(&res);
}

static void test_rating_spellings(void **state)
{
	struct reply_result res;
	static const int want[] = {4, 4, 3, 2, 5, 1};
	const char *text = "#### Output for Text 1\nRating: 4/5\nRationale: a\n"
			   "#### Output for Text 2\nRating: **4**\nRationale: b\n"
			   "#### Output for Text 3\n**Rating:** 3\n**Rationale:** c\n"
			   "#### Output for Text 4\n- Rating: 2 (partial focus)\n- Rationale: d\n"
			   "#### Output for Text 5\nrating: 5.\nrationale: e\n"
			   "#### Output for Text 6\n**Rating**: 1 out of 5\n**Rationale**: f\n";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 6, &res), 6);
	expect_values(&res, want);
	assert_string_equal(res.items[2].rationale, "c");
	assert_string_equal(res.items[3].rationale, "d");
	reply_result_release(&res);
}

static void test_na(void **state)
{
	struct reply_result res;
	static const int want_honesty[] = {-1, 3, -1, -1};
	static const int want_if[] = {0, 3, 0, 0};
	const char *text = "#### Output for Text 1\nRating: N/A\nRationale: creative writing.\n\n"
			   "#### Output for Text 2\nRating: 3\nRationale: hedges.\n\n"
			   "#### Output for Text 3\nRating: **N/A**\nRationale: a poem.\n\n"
			   "#### Output for Text 4\nRating: n/a (no factual content)\nRationale: x\n";

	(void)state;
	assert_int_equal(parse_both("honesty", text, 4, &res), 4);
	expect_values(&res, want_honesty);
	assert_false(res.items[0].has_value);
	assert_string_equal(res.items[0].rationale, "creative writing.");
	assert_sane(&res, 1, 5);
	reply_result_release(&res);

	/* instruction following has no N/A: those texts fail, the other is kept */
	assert_int_equal(parse_both("instruction_following", text, 4, &res), 1);
	expect_values(&res, want_if);
	assert_non_null(strstr(res.items[0].reason, "N/A"));
	assert_sane(&res, 1, 5);
	reply_result_release(&res);
}

static void test_out_of_scale_and_decimals(void **state)
{
	struct reply_result res;
	static const int want[] = {0, 0, 0, 0, 0, 4};
	const char *text = "#### Output for Text 1\nRating: 0\nRationale: a\n"
			   "#### Output for Text 2\nRating: 6\nRationale: b\n"
			   "#### Output for Text 3\nRating: 8/10\nRationale: c\n"
			   "#### Output for Text 4\nRating: 4.5\nRationale: d\n"
			   "#### Output for Text 5\nRating: -1\nRationale: e\n"
			   "#### Output for Text 6\nRating: 4\nRationale: f\n";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 6, &res), 1);
	expect_values(&res, want);
	assert_non_null(strstr(res.items[0].reason, "outside the scale 1-5"));
	assert_non_null(strstr(res.items[0].reason, "text 1"));
	assert_non_null(strstr(res.items[2].reason, "rating 8"));
	assert_non_null(strstr(res.items[3].reason, "whole number"));
	assert_sane(&res, 1, 5);
	reply_result_release(&res);
}

static void test_missing_values(void **state)
{
	struct reply_result res;
	static const int want[] = {3, 0, 0, 2};
	const char *text = "#### Output for Text 1\nRating: 3\nRationale: fine\n"
			   "#### Output for Text 2\nRating: \nRationale: forgot the number\n"
			   "#### Output for Text 3\nI would rather not rate this one.\n"
			   "#### Output for Text 4\nRating: 2\n";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 4, &res), 2);
	expect_values(&res, want);
	assert_null(res.items[3].rationale); /* a rating alone is still a rating */
	assert_non_null(strstr(res.items[1].reason, "no rating value"));
	assert_non_null(strstr(res.items[2].reason, "expected shape"));
	assert_sane(&res, 1, 5);
	reply_result_release(&res);
}

/* The classic bug: a reply that cannot be read must never turn into scores. */
static void test_failures_are_never_scores(void **state)
{
	static const char *const bad[] = {
		"",
		"I cannot evaluate these texts.",
		"Rating: 4\nRationale: only one block for four texts",
		"Rating: 1\nRationale: a\n\nRating: 2\nRationale: b\n\nRating: 3\nRationale: c\n",
		"Rating: 1\nRating: 2\nRating: 3\nRating: 4\nRating: 5\n",
		"#### Output for Text 1\n#### Output for Text 2\n#### Output for Text 3\n"
		"#### Output for Text 4\n",
		"Rating: zero\nRationale: a\nRating: none\nRationale: b\nRating: ?\nRationale: c\n"
		"Rating: -\nRationale: d\n",
		"Ratings: 4, 4, 3, 2",
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		struct reply_result res;

		assert_int_equal(parse_both("instruction_following", bad[i], 4, &res), 0);
		assert_sane(&res, 1, 5);
		for (k = 0; k < 4; k++)
			assert_int_equal(res.items[k].status, REPLY_PARSE_FAILED);
		reply_result_release(&res);
	}
}

static void test_block_count_message(void **state)
{
	struct reply_result res;

	(void)state;
	parse_both("instruction_following",
		   "Rating: 1\nRationale: a\n\nRating: 2\nRationale: b\n\nRating: 3\nRationale: c\n", 4,
		   &res);
	assert_non_null(res.error);
	assert_string_equal(res.error, "found 3 answer blocks, expected 4");
	assert_non_null(strstr(res.items[3].reason, "expected 4"));
	reply_result_release(&res);
	parse_both("instruction_following", "nothing here", 4, &res);
	assert_string_equal(res.error, "no answer block found (expected 4)");
	reply_result_release(&res);
	/* two answers for one text: which one was meant is unknown */
	assert_int_equal(parse_both("instruction_following",
				    "Rating: 3\nRationale: a\nRating: 4\nRationale: b", 1, &res), 0);
	assert_string_equal(res.error, "found 2 answer blocks, expected 1");
	assert_sane(&res, 1, 5);
	reply_result_release(&res);
}

/* "Text 1: Rating: 4" on one line, as some judges answer */
static void test_one_line_answers(void **state)
{
	struct reply_result res;

	(void)state;
	assert_int_equal(parse_both("instruction_following",
				    "Here are my ratings.\nText 1: Rating: 4\nText 2: Rating: 2/5\n"
				    "**Text 3:** Rating: N/A\n",
				    3, &res),
			 2);
	assert_int_equal(res.items[0].value, 4);
	assert_int_equal(res.items[1].value, 2);
	/* instruction following allows no N/A */
	assert_int_equal(res.items[2].status, REPLY_PARSE_FAILED);
	assert_sane(&res, 1, 5);
	reply_result_release(&res);
	/* "Text 2:" inside prose is no header */
	assert_int_equal(parse_both("instruction_following",
				    "Text 2: is the best.\nRating: 3\nRationale: a\n\nRating: 5\n"
				    "Rationale: b\n",
				    2, &res),
			 2);
	assert_int_equal(res.items[0].value, 3);
	assert_int_equal(res.items[1].value, 5);
	reply_result_release(&res);
}

/* A reply cut short: the texts with a header are read, the rest fail. */
static void test_partial_reply(void **state)
{
	struct reply_result res;

	(void)state;
	assert_int_equal(parse_both("honesty",
				    "#### Output for Text 1\nRating: 4\nRationale: fine.\n\n"
				    "#### Output for Text 2\nRating: 2\nRationale: unsure wh",
				    3, &res),
			 2);
	assert_null(res.error);
	assert_int_equal(res.items[0].value, 4);
	assert_int_equal(res.items[1].value, 2);
	assert_int_equal(res.items[2].status, REPLY_PARSE_FAILED);
	assert_non_null(strstr(res.items[2].reason, "text 3: no answer block"));
	assert_sane(&res, 1, 5);
	reply_result_release(&res);
	/* a header named twice is no partial answer */
	assert_int_equal(parse_both("honesty",
				    "#### Output for Text 1\nRating: 4\n\n"
				    "#### Output for Text 1\nRating: 2\n",
				    3, &res),
			 0);
	reply_result_release(&res);
}

static void test_duplicate_headers_fall_back(void **state)
{
	struct reply_result res;
	static const int want[] = {2, 4};
	/* the judge named Text 1 twice: headers are useless, labels still work */
	const char *text = "#### Output for Text 1\nRating: 2\nRationale: a\n\n"
			   "#### Output for Text 1\nRating: 4\nRationale: b\n";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 2, &res), 2);
	expect_values(&res, want);
	assert_string_equal(res.items[0].rationale, "a"); /* the header line is not in it */
	reply_result_release(&res);
}

static void test_multiparagraph_rationale(void **state)
{
	struct reply_result res;
	static const int want[] = {3, 5};
	const char *text = "#### Output for Text 1\nRating: 3\nRationale: First point.\n\n"
			   "Second point.\n\n---\n\n"
			   "#### Output for Text 2\nRating: 5\nRationale: Fine.\n";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 2, &res), 2);
	expect_values(&res, want);
	assert_string_equal(res.items[0].rationale, "First point.\n\nSecond point.");
	reply_result_release(&res);
}

static void test_bad_input(void **state)
{
	struct rubric *r = builtin("instruction_following");
	struct reply_parser *p = parser_for(r);
	struct reply_result res;
	const char bad_utf8[] = "Rating: 4\nRationale: \xff\xfe";
	char *huge;

	(void)state;
	assert_int_equal(reply_parse(p, bad_utf8, sizeof(bad_utf8) - 1, 1, &res), 0);
	assert_non_null(strstr(res.error, "UTF-8"));
	assert_sane(&res, 1, 5);
	reply_result_release(&res);

	huge = xmalloc(REPLY_MAX_BYTES + 2);
	memset(huge, 'a', REPLY_MAX_BYTES + 1);
	memcpy(huge, "Rating: 4\nRationale: ", 21);
	huge[REPLY_MAX_BYTES + 1] = '\0';
	assert_int_equal(reply_parse(p, huge, REPLY_MAX_BYTES + 1, 1, &res), 0);
	assert_non_null(strstr(res.error, "too long"));
	reply_result_release(&res);
	free(huge);

	assert_int_equal(reply_parse(p, "Rating: 4", 9, 0, &res), 0);
	assert_non_null(res.error);
	reply_result_release(&res);
	assert_int_equal(reply_parse(p, "Rating: 4", 9, 65, &res), 0);
	assert_non_null(res.error);
	reply_result_release(&res);

	/* an embedded NUL is just a byte; the UTF-8 text around it still parses */
	assert_int_equal(reply_parse(p, "Rating: 4\nRationale: a\0b", 25, 1, &res), 1);
	assert_int_equal(res.items[0].value, 4);
	reply_result_release(&res);
	reply_parser_free(p);
	rubric_free(r);
}

static void test_utf8_rationale(void **state)
{
	struct reply_result res;
	static const int want[] = {4, 2};
	const char *text = "#### Output for Text 1\nRating: 4\nRationale: Très bien — 良い.\n\n"
			   "#### Output for Text 2\nRating: 2\nRationale: Ünclear.\n";

	(void)state;
	assert_int_equal(parse_both("instruction_following", text, 2, &res), 2);
	expect_values(&res, want);
	assert_string_equal(res.items[0].rationale, "Très bien — 良い.");
	reply_result_release(&res);
}

/* ---- type-rating format --------------------------------------------------------- */

static void test_type_rating_canonical(void **state)
{
	struct reply_result res;
	static const int want[] = {3, 5, 2, 4};
	const char *text =
		"#### Output for Text 1\n"
		"Type: 1, 2\n"
		"Rationale: Suggests rafting on the Nile in Cairo.\n"
		"Rating: 3\n"
		"Rationale: Partial hallucination.\n"
		"\n"
		"#### Output for Text 2\n"
		"Type: None\n"
		"Rationale: No hallucination.\n"
		"Rating: 5\n"
		"Rationale: Accurate.\n"
		"\n"
		"#### Output for Text 3\n"
		"Type: [1, 3]\n"
		"Rationale: Wrong date, then contradicts itself.\n"
		"Rating: 2\n"
		"Rationale For Rating: Severe.\n"
		"\n"
		"#### Output for Text 4\n"
		"Type: 0\n"
		"Rationale: Nothing wrong.\n"
		"Rating: 4\n"
		"Rationale: A small slip.\n";

	(void)state;
	assert_int_equal(parse_both("truthfulness", text, 4, &res), 4);
	expect_values(&res, want);
	assert_int_equal(res.items[0].ntypes, 2);
	assert_string_equal(res.items[0].types[0], "1");
	assert_string_equal(res.items[0].types[1], "2");
	assert_string_equal(res.items[0].rationale, "Suggests rafting on the Nile in Cairo.");
	assert_string_equal(res.items[0].rationale2, "Partial hallucination.");
	assert_int_equal(res.items[1].ntypes, 0);
	assert_int_equal(res.items[2].ntypes, 2);
	assert_string_equal(res.items[2].types[1], "3");
	assert_string_equal(res.items[2].rationale2, "Severe.");
	assert_int_equal(res.items[3].ntypes, 0);
	assert_sane(&res, 1, 5);
	reply_result_release(&res);
}

static void test_type_spellings(void **state)
{
	struct reply_result res;
	static const int want[] = {4, 3, 5, 2};
	const char *text = "Type: 1. Clarity and Relevance, 2. Useful information\n"
			   "Rationale: clear\nRating: 4\nRationale: good\n"
			   "Types: 3, 3, 7\nRationale: repeats\nRating: 3\nRationale: ok\n"
			   "Type:\nRationale: none given\nRating: 5\nRationale: great\n"
			   "**Type:** 2\n**Rationale:** multi\nline\n**Rating:** 2\n**Rationale:** meh\n";
	char *json;

	(void)state;
	assert_int_equal(parse_both("helpfulness", text, 4, &res), 4);
	expect_values(&res, want);
	assert_int_equal(res.items[0].ntypes, 2);
	/* duplicates collapse; 7 is not one of the rubric's ids */
	assert_int_equal(res.items[1].ntypes, 1);
	assert_string_equal(res.items[1].types[0], "3");
	assert_int_equal(res.items[2].ntypes, 0);
	assert_string_equal(res.items[3].rationale, "multi\nline");
	assert_string_equal(res.items[3].rationale2, "meh");
	json = reply_types_json(&res.items[0]);
	assert_string_equal(json, "[\"1\",\"2\"]");
	free(json);
	json = reply_types_json(&res.items[2]);
	assert_string_equal(json, "[]");
	free(json);
	reply_result_release(&res);
}

static void test_type_rating_missing_type(void **state)
{
	struct reply_result res;
	static const int want[] = {0, 4};
	const char *text = "#### Output for Text 1\nRating: 3\nRationale: no type line\n\n"
			   "#### Output for Text 2\nType: None\nRationale: x\nRating: 4\nRationale: y\n";

	(void)state;
	assert_int_equal(parse_both("truthfulness", text, 2, &res), 1);
	expect_values(&res, want);
	assert_sane(&res, 1, 5);
	reply_result_release(&res);
}

/* ---- rubric patterns ------------------------------------------------------------- */

static struct rubric *custom(const char *pattern)
{
	struct rubric *r = builtin("instruction_following");

	r->pattern = xstrdup(pattern);
	return r;
}

static void test_custom_pattern(void **state)
{
	struct rubric *r = custom("Score\\s*=\\s*(?<rating>\\S+)\\s*;\\s*why\\s*=\\s*(?<rationale>[^\\n]*)\n\n");
	struct reply_parser *p = parser_for(r);
	struct reply_result res;
	static const int want[] = {5, 2, 0};
	/* no headers and none of the built-in labels: the pattern finds the blocks */
	const char *text = "score = 5; why = great\nscore=2;why=poor\nSCORE = 9; why = too high\n";

	(void)state;
	assert_int_equal(reply_parse(p, text, strlen(text), 3, &res), 2);
	expect_values(&res, want);
	assert_string_equal(res.items[0].rationale, "great");
	assert_string_equal(res.items[1].rationale, "poor");
	assert_sane(&res, 1, 5);
	reply_result_release(&res);

	/* with headers, the same pattern is searched inside each block */
	text = "### Text 2\nscore = 1; why = b\n### Text 1\nscore = 4; why = a\n### Text 3\nscore=3;why=c";
	assert_int_equal(reply_parse(p, text, strlen(text), 3, &res), 3);
	assert_int_equal(res.items[0].value, 4);
	assert_int_equal(res.items[1].value, 1);
	reply_result_release(&res);
	reply_parser_free(p);
	rubric_free(r);
}

static void test_custom_pattern_errors(void **state)
{
	struct rubric *r = custom("Rating: (?<rating>\\d+");
	struct fb_err err;

	(void)state;
	assert_null(reply_parser_new(r, &err));
	assert_non_null(strstr(err.msg, "rubric instruction_following [pattern]"));
	assert_non_null(strstr(err.msg, "offset"));
	rubric_free(r);
	r = custom("Rating: (\\d+)");
	assert_null(reply_parser_new(r, &err));
	assert_non_null(strstr(err.msg, "(?<rating>"));
	rubric_free(r);
}

static void test_pathological_pattern(void **state)
{
	/* nested quantifiers: exponential backtracking without a limit */
	struct rubric *r = custom("(?<rating>(\\w+\\s?)+)[!?]");
	struct reply_parser *p = parser_for(r);
	struct reply_result res;
	char text[256];
	int64_t t0;

	(void)state;
	memset(text, 0, sizeof(text));
	strcpy(text, "#### Output for Text 1\n");
	memset(text + strlen(text), 'a', 60);
	t0 = now_ms();
	assert_int_equal(reply_parse(p, text, strlen(text), 1, &res), 0);
	assert_true(now_ms() - t0 < 5000);
	assert_non_null(res.items[0].reason);
	assert_non_null(strstr(res.items[0].reason, "backtracking"));
	assert_sane(&res, 1, 5);
	reply_result_release(&res);
	reply_parser_free(p);
	rubric_free(r);
}

static void test_pathological_reply(void **state)
{
	struct rubric *r = builtin("truthfulness");
	struct reply_parser *p = parser_for(r);
	struct reply_result res;
	struct sbuf sb = SBUF_INIT;
	int64_t t0;
	int i;

	(void)state;
	/* a long run of white space between labels: overlapping \s* and [ \t]* */
	sbuf_adds(&sb, "#### Output for Text 1\nType: 1\nRationale: x");
	for (i = 0; i < 200000; i++)
		sbuf_adds(&sb, " \n");
	sbuf_adds(&sb, "Ratin: 4\n");
	t0 = now_ms();
	reply_parse(p, sb.buf, sb.len, 1, &res);
	assert_true(now_ms() - t0 < 5000);
	assert_int_equal(res.items[0].status, REPLY_PARSE_FAILED);
	assert_sane(&res, 1, 5);
	reply_result_release(&res);

	/* many start lines: found in one pass, refused for their number */
	sbuf_reset(&sb);
	for (i = 0; i < 30000; i++)
		sbuf_adds(&sb, "Type: 1\nRationale: r\nRating: 3\n");
	t0 = now_ms();
	assert_int_equal(reply_parse(p, sb.buf, sb.len, 4, &res), 0);
	assert_true(now_ms() - t0 < 5000);
	if (!res.error || !strstr(res.error, "expected 4"))
		fail_msg("error: %s", res.error ? res.error : "(none)");
	reply_result_release(&res);
	sbuf_release(&sb);
	reply_parser_free(p);
	rubric_free(r);
}

/* ---- critiques ------------------------------------------------------------------ */

static void expect_score(const char *text, double want)
{
	struct reply_critique c;

	if (reply_critique_parse(text, strlen(text), &c) != 0)
		fail_msg("'%s': %s", text, c.reason);
	assert_int_equal(c.status, REPLY_OK);
	assert_true(c.has_score);
	assert_close(c.score, want, 1e-9);
	reply_critique_release(&c);
}

static void expect_no_score(const char *text, const char *reason_part)
{
	struct reply_critique c;

	assert_int_equal(reply_critique_parse(text, strlen(text), &c), -1);
	assert_int_equal(c.status, REPLY_PARSE_FAILED);
	assert_false(c.has_score);
	assert_close(c.score, 0, 0);
	assert_non_null(c.reason);
	if (!strstr(c.reason, reason_part))
		fail_msg("'%s': reason '%s' lacks '%s'", text, c.reason, reason_part);
	assert_non_null(c.feedback);
	reply_critique_release(&c);
}

static void test_critique_scores(void **state)
{
	(void)state;
	expect_score("Clear and correct, but misses the budget.\nOverall Score: 7", 7);
	expect_score("Good.\nOverall Score: 7.5", 7.5);
	expect_score("Good.\nOverall Score: 7/10", 7);
	expect_score("Good.\nOverall Score: 8.5/10.", 8.5);
	expect_score("Good.\n**Overall Score:** 9", 9);
	expect_score("Good.\n\nOverall score: 6 out of 10", 6);
	expect_score("Good.\r\nOverall Score: 5\r\n", 5);
	/* the released UltraFeedback code turned 1 into 10: a 1 stays a 1 */
	expect_score("Completely wrong.\nOverall Score: 1", 1);
	expect_score("Flawless.\nOverall Score: 10", 10);
}

static void test_critique_failures(void **state)
{
	(void)state;
	expect_no_score("The answer is fine.", "no 'Overall Score:'");
	expect_no_score("Bad.\nOverall Score: 0", "1 to 10");
	expect_no_score("Bad.\nOverall Score: 11", "1 to 10");
	expect_no_score("Bad.\nOverall Score: 7.25", "steps of 0.5");
	expect_no_score("Bad.\nOverall Score: 4/5", "out of 10");
	expect_no_score("Bad.\nOverall Score: high", "no number");
	expect_no_score("", "no 'Overall Score:'");
}

static void test_critique_feedback(void **state)
{
	struct reply_critique c;
	const char *text = "  The plan ignores the grandparents' walking limits.\n\n"
			   "It is otherwise accurate.\n\nOverall Score: 6\nThanks!";

	(void)state;
	assert_int_equal(reply_critique_parse(text, strlen(text), &c), 0);
	assert_string_equal(c.feedback, "The plan ignores the grandparents' walking limits.\n\n"
					"It is otherwise accurate.");
	reply_critique_release(&c);
	/* a failure keeps the whole text as feedback: nothing is lost */
	assert_int_equal(reply_critique_parse("Just prose.\n", 12, &c), -1);
	assert_string_equal(c.feedback, "Just prose.");
	reply_critique_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_five_hashes_and_no_blank_lines),
		cmocka_unit_test(test_headers_out_of_order),
		cmocka_unit_test(test_header_styles),
		cmocka_unit_test(test_no_headers_blank_lines),
		cmocka_unit_test(test_no_headers_no_blank_lines),
		cmocka_unit_test(test_prose_around),
		cmocka_unit_test(test_windows_line_ends),
		cmocka_unit_test(test_rating_spellings),
		cmocka_unit_test(test_na),
		cmocka_unit_test(test_out_of_scale_and_decimals),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_failures_are_never_scores),
		cmocka_unit_test(test_block_count_message),
		cmocka_unit_test(test_duplicate_headers_fall_back),
		cmocka_unit_test(test_multiparagraph_rationale),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_utf8_rationale),
		cmocka_unit_test(test_type_rating_canonical),
		cmocka_unit_test(test_type_spellings),
		cmocka_unit_test(test_type_rating_missing_type),
		cmocka_unit_test(test_custom_pattern),
		cmocka_unit_test(test_custom_pattern_errors),
		cmocka_unit_test(test_pathological_pattern),
		cmocka_unit_test(test_pathological_reply),
		cmocka_unit_test(test_one_line_answers),
		cmocka_unit_test(test_partial_reply),
		cmocka_unit_test(test_critique_scores),
		cmocka_unit_test(test_critique_failures),
		cmocka_unit_test(test_critique_feedback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
