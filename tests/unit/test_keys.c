/*
 * test_keys.c - ui/keys.c: the operation table, key names, keys.conf, help.
 *
 * Unit tests link only against src/ (build/libfeedbench.a), not ui/, so the
 * module under test is compiled into this test directly.
 */
#include "../../ui/keys.c"

#include "testutil.h"

#include <unistd.h>

static void test_defaults(void **state)
{
	struct keys_map m;
	int d;

	keys_init(&m);
	for (d = 0; d <= 9; d++) {
		int op = keys_lookup(&m, '0' + d);
		assert_int_equal(keys_op_rating(op), d);
	}
	assert_int_equal(keys_op_rating(KEYS_OP_QUIT), -1);
	assert_int_equal(keys_lookup(&m, 'J'), KEYS_OP_PROMPT_DOWN);
	assert_int_equal(keys_lookup(&m, 0x1B), KEYS_OP_EDIT_DONE);
	assert_int_equal(keys_lookup(&m, KEYS_CTRL('g')), KEYS_OP_EDIT_CANCEL);
	assert_int_equal(keys_lookup(&m, 'q'), KEYS_OP_QUIT);
	assert_int_equal(keys_lookup(&m, 'A'), KEYS_OP_STATISTICS);
	assert_int_equal(keys_lookup(&m, 'S'), KEYS_OP_STATS);
	assert_int_equal(keys_lookup(&m, 'n'), KEYS_OP_NA);
	assert_int_equal(keys_lookup(&m, 'x'), KEYS_OP_CLEAR);
	assert_int_equal(keys_lookup(&m, KEYS_DELETE), KEYS_OP_CLEAR);
	assert_int_equal(keys_lookup(&m, KEYS_UP), KEYS_OP_UP);
	assert_int_equal(keys_lookup(&m, 'k'), KEYS_OP_UP);
	assert_int_equal(keys_lookup(&m, 'h'), KEYS_OP_LEFT);
	assert_int_equal(keys_lookup(&m, 'j'), KEYS_OP_DOWN);
	assert_int_equal(keys_lookup(&m, 'l'), KEYS_OP_RIGHT);
	assert_int_equal(keys_lookup(&m, KEYS_ENTER), KEYS_OP_RATIONALE);
	assert_int_equal(keys_lookup(&m, '/'), KEYS_OP_SEARCH);
	assert_int_equal(keys_lookup(&m, 'u'), KEYS_OP_UNDO);
	assert_int_equal(keys_lookup(&m, '?'), KEYS_OP_HELP);
	assert_int_equal(keys_lookup(&m, KEYS_F(1)), KEYS_OP_HELP);
	assert_int_equal(keys_lookup(&m, KEYS_CTRL('n')), KEYS_OP_NEXT_PROMPT);
	assert_int_equal(keys_lookup(&m, KEYS_RESIZE), KEYS_OP_NONE);
	keys_release(&m);
}

/* Every op is complete and named once; no default key is given to two ops. */
static void test_table(void **state)
{
	struct keys_map m;
	size_t expected = 0;
	int op, other;

	for (op = 1; op < KEYS_OP_COUNT; op++) {
		const char *k = ops[op].keys;

		assert_non_null(keys_op_name(op));
		assert_true(keys_op_section(op)[0]);
		assert_true(keys_op_help(op)[0]);
		assert_int_equal(keys_op_find(keys_op_name(op)), op);
		for (other = 1; other < op; other++)
			assert_string_not_equal(ops[op].name, ops[other].name);
		while (*k) { /* count the default key names */
			expected++;
			k += strcspn(k, " ");
			k += strspn(k, " ");
		}
	}
	assert_null(keys_op_name(KEYS_OP_NONE));
	assert_null(keys_op_name(KEYS_OP_COUNT));
	assert_int_equal(keys_op_find("none"), KEYS_OP_NONE);
	assert_int_equal(keys_op_find("no-such-op"), KEYS_OP_NONE);
	keys_init(&m);
	/* a key named twice would have silently moved to the later op */
	assert_int_equal(m.n, expected);
	keys_release(&m);
}

static void test_key_names(void **state)
{
	static const struct {
		const char *name;
		int key;
	} good[] = {
		{"a", 'a'},          {"?", '?'},           {"#", '#'},
		{"\xc3\xa9", 0xE9},  {"C-n", 0x0E},        {"c-N", 0x0E},
		{"C-[", 0x1B},       {"C-m", KEYS_ENTER},  {"C-j", KEYS_ENTER},
		{"C-h", KEYS_BACKSPACE}, {"C-i", '\t'},    {"C-Space", 0},
		{"Up", KEYS_UP},     {"up", KEYS_UP},      {"PgDn", KEYS_PGDN},
		{"PageDown", KEYS_PGDN}, {"Delete", KEYS_DELETE}, {"Del", KEYS_DELETE},
		{"Enter", KEYS_ENTER}, {"Return", KEYS_ENTER}, {"Tab", '\t'},
		{"S-Tab", KEYS_BTAB}, {"Esc", 0x1B},       {"Space", ' '},
		{"F1", KEYS_F(1)},   {"f12", KEYS_F(12)},  {"F63", KEYS_F(63)},
		{"M-x", KEYS_META | 'x'}, {"M-Up", KEYS_META | KEYS_UP},
		{"M-C-n", KEYS_META | 0x0E},
		{"F", 'F'},          {"-", '-'},
	};
	static const char *const bad[] = {
		"", "Foo", "F0", "F64", "F1x", "C-1", "C-", "M-", "M-M-x", "ab", " ",
		"\x01", "\xff", "\xc2\x9b", "C-\xc3\xa9", "Resize",
	};
	struct keys_map m;
	char buf[32];
	size_t i;

	for (i = 0; i < ARRAY_LEN(good); i++) {
		if (keys_parse(good[i].name) != good[i].key)
			fail_msg("keys_parse(\"%s\") = %d, want %d", good[i].name,
				 keys_parse(good[i].name), good[i].key);
	}
	for (i = 0; i < ARRAY_LEN(bad); i++)
		if (keys_parse(bad[i]) != -1)
			fail_msg("keys_parse(\"%s\") accepted", bad[i]);

	assert_string_equal(keys_name(0x0E, buf, sizeof(buf)), "C-n");
	assert_string_equal(keys_name(KEYS_PGUP, buf, sizeof(buf)), "PgUp");
	assert_string_equal(keys_name(' ', buf, sizeof(buf)), "Space");
	assert_string_equal(keys_name(KEYS_F(5), buf, sizeof(buf)), "F5");
	assert_string_equal(keys_name(KEYS_META | 'x', buf, sizeof(buf)), "M-x");
	assert_string_equal(keys_name(0xE9, buf, sizeof(buf)), "\xc3\xa9");
	assert_string_equal(keys_name(-1, buf, sizeof(buf)), "?");
	assert_string_equal(keys_name(KEYS_RESIZE, buf, sizeof(buf)), "?");
	/* every default key's name reads back as the same key */
	keys_init(&m);
	for (i = 0; i < m.n; i++)
		assert_int_equal(keys_parse(keys_name(m.bind[i].key, buf, sizeof(buf))),
				 m.bind[i].key);
	keys_release(&m);
}

static void test_bind(void **state)
{
	struct keys_map m;
	int keys[4];

	keys_init(&m);
	assert_int_equal(keys_of(&m, KEYS_OP_CLEAR, keys, 4), 2);
	assert_int_equal(keys[0], 'x');
	assert_int_equal(keys[1], KEYS_DELETE);
	/* a key does one op: rebinding moves it */
	keys_bind(&m, 'x', KEYS_OP_QUIT);
	assert_int_equal(keys_lookup(&m, 'x'), KEYS_OP_QUIT);
	assert_int_equal(keys_of(&m, KEYS_OP_CLEAR, keys, 4), 1);
	assert_int_equal(keys_of(&m, KEYS_OP_QUIT, keys, 1), 2);
	assert_int_equal(keys[0], 'q');
	keys_bind(&m, 'x', KEYS_OP_NONE);
	assert_int_equal(keys_lookup(&m, 'x'), KEYS_OP_NONE);
	keys_bind(&m, 'x', KEYS_OP_COUNT); /* out of range: unbinds */
	assert_int_equal(keys_lookup(&m, 'x'), KEYS_OP_NONE);
	keys_release(&m);
}

static int load(struct keys_map *m, const char *text, struct fb_err *err)
{
	keys_init(m);
	err->msg[0] = '\0';
	return keys_load_text(m, text, strlen(text), "keys.conf", err);
}

static void test_config_good(void **state)
{
	struct keys_map m;
	struct fb_err err;

	assert_int_equal(load(&m,
			      "# my keys\n"
			      "\n"
			      "   \t\n"
			      "bind Q quit\n"
			      "  bind   F2\tstats  \n"
			      "bind C-s search\r\n"
			      "bind \xc3\xa9 rate-5\n"
			      "bind # help\n"
			      "unbind x\n"
			      "unbind F12\n" /* not bound: nothing to do */
			      "bind Space next-prompt",
			      &err),
			 0);
	assert_string_equal(err.msg, "");
	assert_int_equal(keys_lookup(&m, 'Q'), KEYS_OP_QUIT);
	assert_int_equal(keys_lookup(&m, 'q'), KEYS_OP_QUIT);
	assert_int_equal(keys_lookup(&m, KEYS_F(2)), KEYS_OP_STATS);
	assert_int_equal(keys_lookup(&m, KEYS_CTRL('s')), KEYS_OP_SEARCH);
	assert_int_equal(keys_lookup(&m, 0xE9), KEYS_OP_RATE_5);
	assert_int_equal(keys_lookup(&m, '5'), KEYS_OP_RATE_5);
	assert_int_equal(keys_lookup(&m, '#'), KEYS_OP_HELP);
	assert_int_equal(keys_lookup(&m, 'x'), KEYS_OP_NONE);
	assert_int_equal(keys_lookup(&m, KEYS_DELETE), KEYS_OP_CLEAR);
	assert_int_equal(keys_lookup(&m, ' '), KEYS_OP_NEXT_PROMPT);
	keys_release(&m);

	assert_int_equal(load(&m, "", &err), 0);
	keys_release(&m);
}

static void test_config_bad(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"bind q\n", "keys.conf:1: expected \"bind KEY OPERATION\""},
		{"bind q quit now\n", "keys.conf:1: expected \"bind KEY OPERATION\""},
		{"unbind\n", "keys.conf:1: expected \"unbind KEY\""},
		{"unbind a b\n", "keys.conf:1: expected \"unbind KEY\""},
		{"# ok\nbind Foo quit\n",
		 "keys.conf:2: unknown key \"Foo\" (a character, C-x, M-x, F1, Up, Enter, ...)"},
		{"\n\nbind z quitt\n",
		 "keys.conf:3: unknown operation \"quitt\" (the help screen lists them)"},
		{"frob x\n", "keys.conf:1: unknown directive \"frob\" (expected bind or unbind)"},
		{"Bind q quit\n", "keys.conf:1: unknown directive \"Bind\" (expected bind or unbind)"},
		{"bind \xff quit\n", "keys.conf:1: not UTF-8 text"},
		{"bind a quit\nbind\nfrob\nbind b nope\n",
		 "keys.conf:2: expected \"bind KEY OPERATION\" (and 2 more bad lines)"},
		{"unbind q\n", "keys.conf: no key left for quit; its default keys are kept"},
		{"unbind ?\nunbind F1\n", "keys.conf: no key left for help; its default keys are kept"},
	};
	struct keys_map m;
	struct fb_err err;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(load(&m, cases[i].text, &err), -1);
		assert_string_equal(err.msg, cases[i].msg);
		keys_release(&m);
	}

	/* good lines around bad ones are applied */
	assert_int_equal(load(&m, "bind a quit\nbogus\nbind b stats\n", &err), -1);
	assert_int_equal(keys_lookup(&m, 'a'), KEYS_OP_QUIT);
	assert_int_equal(keys_lookup(&m, 'b'), KEYS_OP_STATS);
	keys_release(&m);

	/* quit lost its key: the default comes back and other lines still count */
	assert_int_equal(load(&m, "unbind q\nbind Q zoom\n", &err), -1);
	assert_int_equal(keys_lookup(&m, 'q'), KEYS_OP_QUIT);
	assert_int_equal(keys_lookup(&m, 'Q'), KEYS_OP_ZOOM);
	keys_release(&m);

	/* quit moved to another key: fine */
	assert_int_equal(load(&m, "unbind q\nbind Q quit\n", &err), 0);
	assert_int_equal(keys_lookup(&m, 'q'), KEYS_OP_NONE);
	keys_release(&m);

	/* an embedded NUL is not text */
	keys_init(&m);
	assert_int_equal(keys_load_text(&m, "bind q\0 quit\n", 13, "k", &err), -1);
	assert_string_equal(err.msg, "k:1: not UTF-8 text");
	keys_release(&m);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_config_files(void **state)
{
	char dir[] = "/tmp/fb-keys-XXXXXX";
	struct keys_map m;
	struct fb_err err;
	char *path, *sub;

	assert_non_null(mkdtemp(dir));
	setenv("HOME", "/home/someone", 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	path = keys_config_path();
	sub = xasprintf("%s/feedbench/keys.conf", dir);
	assert_string_equal(path, sub);
	free(path);

	/* no file: defaults, no error */
	keys_init(&m);
	assert_int_equal(keys_load_config(&m, &err), 0);
	keys_release(&m);

	path = xasprintf("%s/feedbench", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	write_file(sub, "bind Q quit\nbind F9 nothing\n");
	keys_init(&m);
	assert_int_equal(keys_load_config(&m, &err), -1);
	{
		char *want = xasprintf("%s:2: unknown operation \"nothing\" (the help screen lists them)", sub);
		assert_string_equal(err.msg, want);
		free(want);
	}
	assert_int_equal(keys_lookup(&m, 'Q'), KEYS_OP_QUIT);
	keys_release(&m);
	unlink(sub);
	rmdir(path);
	rmdir(dir);
	free(path);

	/* a file that is not there, asked for by name */
	keys_init(&m);
	assert_int_equal(keys_load_file(&m, sub, &err), -1);
	assert_non_null(strstr(err.msg, "No such file"));
	keys_release(&m);
	free(sub);

	/* a relative XDG_CONFIG_HOME is ignored, as the spec says */
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	path = keys_config_path();
	assert_string_equal(path, "/home/someone/.config/feedbench/keys.conf");
	free(path);
	unsetenv("XDG_CONFIG_HOME");
	path = keys_config_path();
	assert_string_equal(path, "/home/someone/.config/feedbench/keys.conf");
	free(path);
	unsetenv("HOME");
	assert_null(keys_config_path());
}

static void test_help(void **state)
{
	struct keys_map m;
	struct sbuf sb = SBUF_INIT;
	const char *p;

	keys_init(&m);
	keys_help(&m, &sb);
	p = sb.buf;
	assert_true(starts_with(p, "Rating\n  0-9 "));
	assert_non_null(strstr(p, KEYS_RATE_HELP " [rate-0..rate-9]\n"));
	assert_non_null(strstr(p, "  x Delete "));
	assert_non_null(strstr(p, "  Left h "));
	assert_non_null(strstr(p, "\n\nMoving\n"));
	assert_non_null(strstr(p, "\n\nPrompts\n"));
	assert_non_null(strstr(p, "\n\nView\n"));
	assert_non_null(strstr(p, "  ? F1 "));
	assert_non_null(strstr(p, "[quit]\n"));
	/* every line fits an 80-column help screen */
	while (*p) {
		size_t len = strcspn(p, "\n");
		if (len > 80)
			fail_msg("help line too wide: %.*s", (int)len, p);
		p += len + (p[len] == '\n');
	}

	/* the help shows the keys as bound now */
	keys_bind(&m, 'n', KEYS_OP_NONE);
	keys_bind(&m, '5', KEYS_OP_NONE);
	keys_bind(&m, KEYS_F(2), KEYS_OP_QUIT);
	sbuf_reset(&sb);
	keys_help(&m, &sb);
	assert_non_null(strstr(sb.buf, "  0 1 2 3 4 6 7 8 9 "));
	assert_non_null(strstr(sb.buf, "  (unbound) "));
	assert_non_null(strstr(sb.buf, "  q F2 "));
	keys_release(&m);
	sbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_config_good),
		cmocka_unit_test(test_config_bad),
		cmocka_unit_test(test_config_files),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
