/*
 * test_editor.c - ui/editor.c: the text buffer with a cursor behind the
 * rationale editor and the one-line questions.  Unit tests link only
 * against src/, so the ui modules are compiled in here.
 */
#include "../../ui/editor.c"
#include "../../ui/text.c"

#include "testutil.h"

static void type(struct editor *e, const char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		uint32_t cp;

		i += (size_t)utf8_decode(s + i, n - i, &cp);
		editor_insert(e, cp);
	}
}

static void test_insert_delete(void **state)
{
	struct editor e;

	(void)state;
	assert_int_equal(text_locale_init(), 0);
	editor_init(&e, 1);
	assert_string_equal(editor_text(&e), "");
	type(&e, "héllo 中文");
	assert_string_equal(editor_text(&e), "héllo 中文");
	assert_true(e.dirty);
	assert_int_equal(e.cur, strlen("héllo 中文"));
	/* backspace takes one code point, whatever its length */
	assert_int_equal(editor_backspace(&e), 1);
	assert_string_equal(editor_text(&e), "héllo 中");
	editor_home(&e);
	assert_int_equal(e.cur, 0);
	assert_int_equal(editor_backspace(&e), 0);
	editor_right(&e);
	editor_right(&e);
	assert_int_equal(e.cur, 3); /* past the two bytes of é */
	assert_int_equal(editor_delete(&e), 1);
	assert_string_equal(editor_text(&e), "hélo 中");
	editor_end(&e);
	assert_int_equal(editor_delete(&e), 0);
	/* controls are refused; newline only in a multi-line editor */
	assert_int_equal(editor_insert(&e, 0x1B), 0);
	assert_int_equal(editor_insert(&e, 0x7F), 0);
	assert_int_equal(editor_insert(&e, 0x9B), 0);
	assert_int_equal(editor_insert(&e, 0xD800), 0);
	assert_int_equal(editor_insert(&e, '\n'), 1);
	assert_int_equal(editor_insert(&e, '\t'), 1);
	assert_string_equal(editor_text(&e), "hélo 中\n\t");
	editor_release(&e);

	editor_init(&e, 0);
	assert_int_equal(editor_insert(&e, '\n'), 0);
	editor_set(&e, "two\r\nlines\x1b[2J\xff");
	assert_string_equal(editor_text(&e), "two lines[2J\xef\xbf\xbd");
	assert_false(e.dirty);
	assert_int_equal(e.cur, strlen(editor_text(&e)));
	editor_set(&e, NULL);
	assert_string_equal(editor_text(&e), "");
	editor_release(&e);
}

static void test_marks(void **state)
{
	struct editor e;

	(void)state;
	editor_init(&e, 1);
	/* e + combining acute, then x: the cursor never splits e from its mark */
	editor_set(&e, "ae\xcc\x81x");
	editor_left(&e);
	assert_int_equal(e.cur, 4);
	editor_left(&e);
	assert_int_equal(e.cur, 1);
	editor_right(&e);
	assert_int_equal(e.cur, 4);
	editor_left(&e);
	assert_int_equal(editor_delete(&e), 1); /* the whole character */
	assert_string_equal(editor_text(&e), "ax");
	editor_release(&e);
}

static void test_lines(void **state)
{
	struct editor e;
	size_t line;
	int col;

	(void)state;
	editor_init(&e, 1);
	editor_set(&e, "hello world foo\nbar");
	/* width 6: "hello" "world" "foo" "bar" */
	assert_int_equal(editor_lines(&e, 6), 4);
	editor_cursor(&e, 6, &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 3);
	assert_int_equal(editor_up(&e, 6), 1);
	editor_cursor(&e, 6, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 3);
	assert_int_equal(e.cur, strlen("hello world foo"));
	editor_up(&e, 6);
	editor_cursor(&e, 6, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 3);
	assert_int_equal(e.cur, strlen("hello wor"));
	editor_up(&e, 6);
	editor_up(&e, 6); /* from the first line: to the start */
	assert_int_equal(e.cur, 0);
	editor_down(&e, 6);
	editor_cursor(&e, 6, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 0);
	/* a final newline opens a line of its own */
	editor_set(&e, "ab\n");
	assert_int_equal(editor_lines(&e, 10), 2);
	editor_cursor(&e, 10, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 0);
	editor_up(&e, 10);
	assert_int_equal(e.cur, 0);
	assert_int_equal(editor_down(&e, 10), 1);
	assert_int_equal(e.cur, 3);
	assert_int_equal(editor_down(&e, 10), 0);
	/* wide characters: columns count 2 */
	editor_set(&e, "中文字");
	editor_cursor(&e, 80, &line, &col);
	assert_int_equal(col, 6);
	editor_release(&e);
}

static void test_scroll(void **state)
{
	struct editor e;
	int i;

	(void)state;
	editor_init(&e, 1);
	for (i = 0; i < 20; i++)
		type(&e, "line\n");
	editor_scroll(&e, 10, 5);
	assert_int_equal(e.top, 16); /* lines 16..20: the cursor on the last */
	for (i = 0; i < 20; i++)
		editor_up(&e, 10);
	editor_scroll(&e, 10, 5);
	assert_int_equal(e.top, 0);
	editor_set(&e, "short");
	e.top = 3;
	editor_scroll(&e, 10, 5);
	assert_int_equal(e.top, 0);
	editor_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_delete),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_scroll),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
