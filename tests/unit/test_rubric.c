/* test_rubric.c - rubric files and the prompts beside them. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rubric.h"

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/fb-rubric-XXXXXX");
	assert_non_null(mkdtemp(dir));
	setenv("FEEDBENCH_RUBRICS", dir, 1);
	setenv("XDG_CONFIG_HOME", dir, 1); /* no user config of the machine */
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void shipped_aspects_in_order(void **state)
{
	struct rubric_set *rs;
	struct fb_err err;

	(void)state;
	assert_int_equal(rubric_set_load(&rs, &err), 0);
	assert_int_equal(rs->n, 5);
	assert_string_equal(rs->items[0]->name, "instruction_following");
	assert_string_equal(rs->items[3]->name, "helpfulness");
	assert_true(rubric_find(rs, "honesty")->allow_na);
	assert_int_equal(rubric_find(rs, "truthfulness")->ntypes, 3);
	assert_null(rubric_find(rs, "critique")); /* a prompt, not an aspect */
	assert_non_null(rubric_level(rubric_find(rs, "helpfulness"), 5));
	assert_null(rubric_level(rubric_find(rs, "helpfulness"), 6));
	rubric_set_free(rs);
}

static void critique_prompt_shipped_then_overridden(void **state)
{
	struct rubric *r;
	struct fb_err err;

	(void)state;
	r = rubric_load_prompt("critique", &err);
	assert_non_null(r);
	assert_string_equal(r->origin, "rubrics/critique.prompt");
	assert_int_equal(r->max, 10);
	assert_non_null(strstr(r->tmpl, "Overall Score:"));
	rubric_free(r);

	write_file("critique.prompt", "name: critique\ntitle: Mine\nscale: 1 10\n[template]\n"
				      "Rate {instruction}\n");
	r = rubric_load_prompt("critique", &err);
	assert_non_null(r);
	assert_string_equal(r->title, "Mine");
	assert_string_equal(r->tmpl, "Rate {instruction}");
	rubric_free(r);

	write_file("critique.prompt", "name: critique\nscale: ten\n");
	assert_null(rubric_load_prompt("critique", &err));
	assert_non_null(strstr(err.msg, "critique.prompt:2: scale must be two integers"));
	assert_null(rubric_load_prompt("nosuch", &err));
	assert_non_null(strstr(err.msg, "no prompt named 'nosuch'"));
}

static void a_fifth_aspect_from_a_file(void **state)
{
	struct rubric_set *rs;
	struct fb_err err;

	(void)state;
	write_file("verbosity.rubric", "name: verbosity\nscale: 0 4\nlevel 0: terse\n"
				       "level 4: long\n  and rambling\n");
	assert_int_equal(rubric_set_load(&rs, &err), 0);
	assert_int_equal(rs->n, 6);
	assert_string_equal(rubric_level(rubric_find(rs, "verbosity"), 4), "long and rambling");
	rubric_set_free(rs);
	write_file("verbosity.rubric", "name: verbosity\nscale: 0 4\nlevel 7: out of range\n");
	assert_int_equal(rubric_set_load(&rs, &err), -1);
	assert_null(rs);
	assert_non_null(strstr(err.msg, "level 7 lies outside the scale 0-4"));
	unlink(strcat(strcat(strcpy((char[128]){0}, dir), "/"), "verbosity.rubric"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_aspects_in_order),
		cmocka_unit_test(critique_prompt_shipped_then_overridden),
		cmocka_unit_test(a_fifth_aspect_from_a_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
