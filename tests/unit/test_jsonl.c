/* test_jsonl.c - framing records out of JSONL files and JSON arrays. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "jsonl.h"

/* Read every record of text; fills out[] with "R:line:text" or "B:line:why". */
static int read_all(const char *text, size_t len, char out[][1100], int max)
{
	FILE *f = fmemopen((void *)text, len, "r");
	struct jsonl_reader r;
	int n = 0;

	assert_non_null(f);
	jsonl_init(&r, f);
	while (n < max) {
		const char *rec;
		size_t rlen;
		struct fb_err err;
		enum jsonl_status s = jsonl_next(&r, &rec, &rlen, &err);

		if (s == JSONL_END)
			break;
		if (s == JSONL_RECORD)
			snprintf(out[n++], 1100, "R:%ld:%.*s", r.rec_line, (int)rlen, rec);
		else if (s == JSONL_BAD)
			snprintf(out[n++], 1100, "B:%ld:%s", r.rec_line, err.msg);
		else {
			snprintf(out[n++], 1100, "F:%s", err.msg);
			break;
		}
	}
	jsonl_release(&r);
	fclose(f);
	return n;
}

static void lines_skip_blanks_and_count(void **state)
{
	static const char t[] = "{\"a\":1}\n\n  \n{\"b\":2}\r\n{\"c\":3}";
	char out[8][1100];
	int n = read_all(t, sizeof(t) - 1, out, 8);

	(void)state;
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "R:1:{\"a\":1}");
	assert_string_equal(out[1], "R:4:{\"b\":2}\r");
	assert_string_equal(out[2], "R:5:{\"c\":3}");
}

static void bom_is_skipped(void **state)
{
	static const char t[] = "\xef\xbb\xbf{\"a\":1}\n";
	char out[4][1100];

	(void)state;
	assert_int_equal(read_all(t, sizeof(t) - 1, out, 4), 1);
	assert_string_equal(out[0], "R:1:{\"a\":1}");
}

static void bad_utf8_is_one_bad_record(void **state)
{
	static const char t[] = "{\"a\":\"\xff\"}\n{\"b\":1}\n";
	char out[4][1100];

	(void)state;
	assert_int_equal(read_all(t, sizeof(t) - 1, out, 4), 2);
	assert_true(starts_with(out[0], "B:1:invalid UTF-8"));
	assert_string_equal(out[1], "R:2:{\"b\":1}");
}

static void array_elements_with_tricky_strings(void **state)
{
	static const char t[] = " [\n {\"s\":\"a ] , { \\\" \\\\\"},\n [1,[2]] , 3 ,\"x]\"\n]\n";
	char out[8][1100];
	int n = read_all(t, sizeof(t) - 1, out, 8);

	(void)state;
	assert_int_equal(n, 4);
	assert_string_equal(out[0], "R:2:{\"s\":\"a ] , { \\\" \\\\\"}");
	assert_string_equal(out[1], "R:3:[1,[2]]");
	assert_string_equal(out[2], "R:3:3");
	assert_string_equal(out[3], "R:3:\"x]\"");
}

static void array_framing_errors_are_fatal(void **state)
{
	char out[4][1100];

	(void)state;
	assert_int_equal(read_all("[{\"a\":1} {\"b\":2}]", 17, out, 4), 2);
	assert_true(starts_with(out[1], "F:expected ','"));
	assert_int_equal(read_all("[1] 2", 5, out, 4), 2);
	assert_true(starts_with(out[1], "F:text after the end"));
	assert_int_equal(read_all("[{\"a\":", 6, out, 4), 1);
	assert_true(starts_with(out[0], "B:1:the JSON array is cut short"));
	assert_int_equal(read_all("[]", 2, out, 4), 0);
	assert_int_equal(read_all("", 0, out, 4), 0);
}

static void oversized_record_is_skipped(void **state)
{
	char big[4096];
	FILE *f;
	struct jsonl_reader r;
	const char *rec;
	size_t len;
	struct fb_err err;

	(void)state;
	memset(big, 'x', sizeof(big));
	memcpy(big + 3000, "\n{\"ok\":1}\n", 10);
	f = fmemopen(big, 3010, "r");
	jsonl_init(&r, f);
	r.max_record = 1000;
	assert_int_equal(jsonl_next(&r, &rec, &len, &err), JSONL_BAD);
	assert_non_null(strstr(err.msg, "longer than"));
	assert_int_equal(jsonl_next(&r, &rec, &len, &err), JSONL_RECORD);
	assert_int_equal(r.rec_line, 2);
	assert_int_equal(len, 8);
	assert_int_equal(jsonl_next(&r, &rec, &len, &err), JSONL_END);
	jsonl_release(&r);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_skip_blanks_and_count),
		cmocka_unit_test(bom_is_skipped),
		cmocka_unit_test(bad_utf8_is_one_bad_record),
		cmocka_unit_test(array_elements_with_tricky_strings),
		cmocka_unit_test(array_framing_errors_are_fatal),
		cmocka_unit_test(oversized_record_is_skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
