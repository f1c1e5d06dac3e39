/*
 * test_term.c - ui/term.c: curses key codes to keys.h codes, and text cells
 * drawn with add_wch, read back from a curses window (no terminal needed:
 * the screen writes to /dev/null).
 *
 * Unit tests link only against src/ (build/libfeedbench.a), not ui/, so the
 * modules under test are compiled into this test directly.
 */
#include "../../ui/keys.c"
#include "../../ui/term.c"
#include "../../ui/text.c"

#include "testutil.h"

static SCREEN *scr;
static FILE *out, *in;
static WINDOW *win;

static int setup(void **state)
{
	assert_int_equal(text_locale_init(), 0);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (!out || !in)
		return -1;
	scr = newterm("xterm", out, in);
	if (!scr)
		return -1;
	win = newwin(5, 20, 0, 0);
	return win ? 0 : -1;
}

static int teardown(void **state)
{
	delwin(win);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	return 0;
}

/* The characters and attributes of the cell at (y, x). */
static int cell(int y, int x, wchar_t *wcs, attr_t *attr)
{
	cchar_t cc;
	short pair;

	if (mvwin_wch(win, y, x, &cc) != OK)
		return -1;
	return getcchar(&cc, wcs, attr, &pair, NULL);
}

static void test_key_codes(void **state)
{
	assert_int_equal(term_key(KEY_CODE_YES, KEY_UP), KEYS_UP);
	assert_int_equal(term_key(KEY_CODE_YES, KEY_DC), KEYS_DELETE);
	assert_int_equal(term_key(KEY_CODE_YES, KEY_F(1)), KEYS_F(1));
	assert_int_equal(term_key(KEY_CODE_YES, KEY_F(12)), KEYS_F(12));
	assert_int_equal(term_key(KEY_CODE_YES, KEY_RESIZE), KEYS_RESIZE);
	assert_int_equal(term_key(KEY_CODE_YES, KEY_ENTER), KEYS_ENTER);
	assert_int_equal(term_key(KEY_CODE_YES, KEY_MOUSE), -1);
	assert_int_equal(term_key(OK, '\r'), KEYS_ENTER);
	assert_int_equal(term_key(OK, '\n'), KEYS_ENTER);
	assert_int_equal(term_key(OK, 0x7F), KEYS_BACKSPACE);
	assert_int_equal(term_key(OK, 'q'), 'q');
	assert_int_equal(term_key(OK, 0x0E), KEYS_CTRL('n'));
	/* U+0102 is a character, not KEY_DOWN (0402) */
	assert_int_equal(term_key(OK, 0x102), 0x102);
	assert_int_equal(term_key(ERR, 0), -1);
}

static void test_draw_cells(void **state)
{
	struct text t;
	wchar_t wcs[CCHAR_MAX + 1];
	attr_t attr;
	int cols;

	text_init(&t);
	/* ESC, an accented e, a wide char, a bidi override */
	text_set(&t, "\x1b[e\xcc\x81\xe4\xb8\xad\xe2\x80\xae!", 12);
	werase(win);
	cols = term_draw(win, 1, 2, 20, &t, 0, t.n, A_NORMAL, A_REVERSE);
	assert_int_equal(cols, 7);
	assert_int_equal(cell(1, 2, wcs, &attr), OK);
	assert_true(wcs[0] == 0x241B && wcs[1] == 0);
	assert_true(attr & A_REVERSE);
	assert_int_equal(cell(1, 3, wcs, &attr), OK);
	assert_true(wcs[0] == '[' && !(attr & A_REVERSE));
	assert_int_equal(cell(1, 4, wcs, &attr), OK);
	assert_true(wcs[0] == 'e' && wcs[1] == 0x301 && wcs[2] == 0);
	assert_int_equal(cell(1, 5, wcs, &attr), OK);
	assert_true(wcs[0] == 0x4E2D);
	assert_int_equal(cell(1, 7, wcs, &attr), OK);
	assert_true(wcs[0] == 0x25AF && (attr & A_REVERSE));
	assert_int_equal(cell(1, 8, wcs, &attr), OK);
	assert_true(wcs[0] == '!');

	/* never past the width: the wide char does not fit in 1 column */
	werase(win);
	text_set(&t, "ab\xe4\xb8\xad", 5);
	assert_int_equal(term_draw(win, 0, 0, 3, &t, 0, t.n, A_NORMAL, A_REVERSE), 2);
	assert_int_equal(cell(0, 2, wcs, &attr), OK);
	assert_true(wcs[0] == ' ');
	/* with an ellipsis */
	assert_int_equal(term_draw_cut(win, 2, 0, 3, &t, 0, t.n, A_NORMAL, A_REVERSE), 3);
	assert_int_equal(cell(2, 2, wcs, &attr), OK);
	assert_true(wcs[0] == TEXT_ELLIPSIS);
	text_release(&t);

	werase(win);
	assert_int_equal(term_draw_str(win, 3, 0, 20, "a\nb\x07", A_BOLD, A_REVERSE), 4);
	assert_int_equal(cell(3, 1, wcs, &attr), OK);
	assert_true(wcs[0] == ' ' && (attr & A_BOLD));
	assert_int_equal(cell(3, 3, wcs, &attr), OK);
	assert_true(wcs[0] == 0x2407 && (attr & A_REVERSE) && (attr & A_BOLD));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_codes),
		cmocka_unit_test(test_draw_cells),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
