/*
 * test_text.c - ui/text.c: sanitising untrusted text, widths, wrapping,
 * truncation.
 *
 * Unit tests link only against src/ (build/libfeedbench.a), not ui/, so the
 * module under test is compiled into this test directly.
 */
#include "../../ui/text.c"

#include "testutil.h"

#include <time.h>

/* The wrapped lines of s at width as UTF-8 joined by '|'.  Caller frees. */
static char *wrap(const char *s, size_t n, int width)
{
	struct text t;
	struct sbuf out = SBUF_INIT;
	size_t i, nl;

	text_init(&t);
	text_set(&t, s, n);
	nl = text_wrap(&t, width);
	for (i = 0; i < nl; i++) {
		if (i)
			sbuf_addc(&out, '|');
		text_utf8(&t, t.line[i].start, t.line[i].end, &out);
	}
	text_release(&t);
	return sbuf_detach(&out, NULL);
}

#define assert_wrap(s, width, want)                                  \
	do {                                                         \
		char *got_ = wrap(s, sizeof(s) - 1, width);          \
		assert_string_equal(got_, want);                     \
		free(got_);                                          \
	} while (0)

/* the invariant every sanitised text holds, whatever came in */
static void assert_safe(const struct text *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct text_ch *c = &t->ch[i];

		if (c->flags & TEXT_NEWLINE) {
			assert_int_equal(c->cp, '\n');
			assert_int_equal(c->width, 0);
			continue;
		}
		if (c->cp < 0x20 || (c->cp >= 0x7F && c->cp <= 0x9F))
			fail_msg("cell %zu holds control U+%04X", i, (unsigned)c->cp);
		if (in_ranges(invisible, ARRAY_LEN(invisible), c->cp))
			fail_msg("cell %zu holds invisible U+%04X", i, (unsigned)c->cp);
		if (in_ranges(selectors, ARRAY_LEN(selectors), c->cp))
			fail_msg("cell %zu holds selector U+%04X", i, (unsigned)c->cp);
		if (wcwidth((wchar_t)c->cp) != c->width)
			fail_msg("cell %zu U+%04X width %d, wcwidth %d", i, (unsigned)c->cp,
				 c->width, wcwidth((wchar_t)c->cp));
		if (c->width == 0 && i == 0)
			fail_msg("text starts with a mark");
		if (c->width == 0 && (t->ch[i - 1].flags & TEXT_NEWLINE))
			fail_msg("mark after a newline at %zu", i);
	}
}

static void set(struct text *t, const char *s, size_t n)
{
	text_init(t);
	text_set(t, s, n);
	assert_safe(t);
}

static int setup(void **state)
{
	assert_int_equal(text_locale_init(), 0);
	return 0;
}

static void test_ascii_wrap(void **state)
{
	assert_wrap("the quick brown fox", 10, "the quick|brown fox");
	assert_wrap("the quick brown fox", 80, "the quick brown fox");
	assert_wrap("the quick brown fox", 9, "the quick|brown fox");
	assert_wrap("abcdefghij", 4, "abcd|efgh|ij");
	assert_wrap("a bcdefghij", 4, "a|bcde|fghi|j");
	assert_wrap("aaa   bbb", 4, "aaa|bbb");
	assert_wrap("abc   \nd", 3, "abc|d");
	assert_wrap("abc \n\nd", 3, "abc||d");
	assert_wrap("    indented text", 12, "    indented|text");
	assert_wrap("          x", 4, "    |x");
	assert_wrap("", 10, "");
	assert_wrap("x", 0, "x");
}

static void test_newlines(void **state)
{
	assert_wrap("a\n\nb\n", 10, "a||b");
	assert_wrap("\n", 10, "");
	assert_wrap("a\r\nb\r\n", 10, "a|b");
	assert_wrap("a\rb", 10, "a\xe2\x90\x8d" "b"); /* lone CR: U+240D */
	assert_wrap("a\xe2\x80\xa8" "b", 10, "a|b");   /* U+2028 */

	{
		struct text t;
		set(&t, "a\n\nb\n", 5);
		assert_int_equal(text_wrap(&t, 10), 3);
		assert_int_equal(t.line[1].start, t.line[1].end);
		text_release(&t);
		set(&t, "\n", 1);
		assert_int_equal(text_wrap(&t, 10), 1);
		text_release(&t);
		set(&t, "", 0);
		assert_int_equal(text_wrap(&t, 10), 0);
		text_release(&t);
	}
}

static void test_escape_sequences(void **state)
{
	struct text t;

	/* clear screen: only the ESC is replaced, the rest is harmless text */
	assert_wrap("x\x1b[2Jy", 80, "x\xe2\x90\x9b[2Jy");
	set(&t, "x\x1b[2Jy", 6);
	assert_int_equal(t.ch[1].cp, 0x241B);
	assert_true(t.ch[1].flags & TEXT_PLACEHOLDER);
	assert_false(t.ch[2].flags & TEXT_PLACEHOLDER);
	assert_int_equal(t.ch[1].src, 1);
	text_release(&t);

	/* OSC 52 (set the clipboard), terminated by BEL and by ST */
	assert_wrap("\x1b]52;c;SGVsbG8=\x07", 80, "\xe2\x90\x9b]52;c;SGVsbG8=\xe2\x90\x87");
	assert_wrap("\x1b]52;c;SGVsbG8=\x1b\\", 80, "\xe2\x90\x9b]52;c;SGVsbG8=\xe2\x90\x9b\\");
	/* bell, NUL, backspace, DEL */
	assert_wrap("\a", 80, "\xe2\x90\x87");
	{
		static const char s[] = "a\0b\bc\x7f";
		char *got = wrap(s, sizeof(s) - 1, 80);
		assert_string_equal(got, "a\xe2\x90\x80" "b\xe2\x90\x88" "c\xe2\x90\xa1");
		free(got);
	}
	/* C1 CSI (U+009B) as UTF-8: ESC picture and its 7-bit form "[" */
	assert_wrap("\xc2\x9b" "31m", 80, "\xe2\x90\x9b[31m");
	set(&t, "\xc2\x9b" "31m", 5);
	assert_true(t.ch[0].flags & TEXT_PLACEHOLDER);
	assert_true(t.ch[1].flags & TEXT_PLACEHOLDER);
	assert_int_equal(t.ch[1].cp, '[');
	text_release(&t);
	/* the raw byte 0x9B (what an 8-bit terminal takes as CSI) is not UTF-8 */
	assert_wrap("\x9b" "2J", 80, "\xef\xbf\xbd" "2J");
	/* C1 OSC and NEL */
	assert_wrap("\xc2\x9d" "0;x", 80, "\xe2\x90\x9b]0;x");
	assert_wrap("\xc2\x85", 80, "\xe2\x90\x9b" "E");
}

static void test_invalid_utf8(void **state)
{
	struct text t;

	assert_wrap("a\xff\xfe" "b", 80, "a\xef\xbf\xbd\xef\xbf\xbd" "b");
	assert_wrap("\xe4\xb8", 80, "\xef\xbf\xbd\xef\xbf\xbd");         /* truncated */
	assert_wrap("\xc0\xaf", 80, "\xef\xbf\xbd\xef\xbf\xbd");         /* overlong '/' */
	assert_wrap("\xed\xa0\x80", 80, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
	assert_wrap("\xf4\x90\x80\x80", 80,
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* > U+10FFFF */
	assert_wrap("\xef\xbf\xbf", 80, "\xef\xbf\xbd"); /* noncharacter U+FFFF: unprintable */
	set(&t, "a\xff", 2);
	assert_int_equal(t.n, 2);
	assert_true(t.ch[1].flags & TEXT_PLACEHOLDER);
	assert_int_equal(t.ch[1].src, 1);
	text_release(&t);
	/* a real U+FFFD in the data is text, not a placeholder */
	set(&t, "\xef\xbf\xbd", 3);
	assert_int_equal(t.n, 1);
	assert_false(t.ch[0].flags & TEXT_PLACEHOLDER);
	text_release(&t);
}

static void test_wide_chars(void **state)
{
	struct text t;
	size_t i, n;

	/* 中 and 文 are 2 columns: never split across the edge */
	assert_wrap("ab\xe4\xb8\xad\xe6\x96\x87", 3, "ab|\xe4\xb8\xad|\xe6\x96\x87");
	assert_wrap("ab\xe4\xb8\xad\xe6\x96\x87", 4, "ab\xe4\xb8\xad|\xe6\x96\x87");
	assert_wrap("\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad", 5, "\xe4\xb8\xad\xe6\x96\x87|\xe4\xb8\xad");
	/* emoji */
	assert_wrap("a\xf0\x9f\x98\x80", 2, "a|\xf0\x9f\x98\x80");

	set(&t, "\xe4\xb8\xad\xe6\x96\x87 \xe4\xb8\xad", 10);
	assert_int_equal(text_cols(&t, 0, t.n), 7);
	n = text_wrap(&t, 3);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		assert_int_equal(t.line[i].cols, 2);
	/* width 1: a wide char goes alone on its line, the only overflow allowed */
	n = text_wrap(&t, 1);
	assert_int_equal(n, 3);
	assert_int_equal(t.line[0].cols, 2);
	text_release(&t);
}

static void test_combining_marks(void **state)
{
	struct text t;
	struct sbuf sb = SBUF_INIT;
	int i;

	/* e + U+0301: one column, and the mark stays with its base at the edge */
	set(&t, "e\xcc\x81", 3);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.ch[1].width, 0);
	assert_int_equal(text_cols(&t, 0, t.n), 1);
	assert_int_equal(text_wrap(&t, 1), 1);
	text_release(&t);
	assert_wrap("abcde\xcc\x81" "f", 5, "abcde\xcc\x81|f");
	assert_wrap("abcd e\xcc\x81" "f", 5, "abcd|e\xcc\x81" "f");

	/* a mark with no base is shown on a dotted circle */
	assert_wrap("\xcc\x81x", 80, "\xe2\x97\x8c\xcc\x81x");
	assert_wrap("a\n\xcc\x81", 80, "a|\xe2\x97\x8c\xcc\x81");

	/* zalgo: at most TEXT_MAX_MARKS marks per base */
	sbuf_addc(&sb, 'a');
	for (i = 0; i < 30; i++)
		sbuf_adds(&sb, "\xcc\x81");
	set(&t, sb.buf, sb.len);
	assert_int_equal(t.n, 1 + TEXT_MAX_MARKS);
	text_release(&t);
	sbuf_release(&sb);

	/* variation selectors are dropped: U+2764 U+FE0F is one 1-column cell */
	set(&t, "\xe2\x9d\xa4\xef\xb8\x8f", 6);
	assert_int_equal(t.n, 1);
	assert_int_equal(text_cols(&t, 0, t.n), 1);
	text_release(&t);
}

static void test_bidi_and_invisible(void **state)
{
	static const char *const cases[] = {
		"\xe2\x80\xae", /* U+202E RIGHT-TO-LEFT OVERRIDE */
		"\xe2\x80\xaa", /* U+202A LRE */
		"\xe2\x81\xa6", /* U+2066 LRI */
		"\xe2\x81\xa9", /* U+2069 PDI */
		"\xe2\x80\x8f", /* U+200F RLM */
		"\xe2\x80\x8b", /* U+200B ZERO WIDTH SPACE */
		"\xe2\x80\x8d", /* U+200D ZWJ */
		"\xef\xbb\xbf", /* U+FEFF BOM */
		"\xc2\xad",     /* U+00AD SOFT HYPHEN */
		"\xf3\xa0\x81\x81", /* U+E0041 TAG LATIN CAPITAL LETTER A */
		"\xe3\x85\xa4", /* U+3164 HANGUL FILLER */
	};
	struct text t;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct sbuf sb = SBUF_INIT;

		sbuf_addf(&sb, "abc%sevil", cases[i]);
		set(&t, sb.buf, sb.len);
		assert_int_equal(t.n, 8);
		assert_int_equal(t.ch[3].cp, PH_INVISIBLE);
		assert_true(t.ch[3].flags & TEXT_PLACEHOLDER);
		assert_int_equal(t.ch[3].width, 1);
		assert_int_equal(t.ch[4].src, 3 + strlen(cases[i]));
		text_release(&t);
		sbuf_release(&sb);
	}
	assert_wrap("abc\xe2\x80\xae" "lihe", 80, "abc\xe2\x96\xaf" "lihe");
}

static void test_tabs(void **state)
{
	struct text t;

	assert_wrap("a\tb", 80, "a       b");
	assert_wrap("\tx", 80, "        x");
	assert_wrap("abcdefgh\tx", 80, "abcdefgh        x");
	assert_wrap("a\tb\tc", 80, "a       b       c");
	assert_wrap("\xe4\xb8\xad\tx", 80, "\xe4\xb8\xad      x");
	assert_wrap("a\nb\tc", 80, "a|b       c");
	/* an expanded tab is a break opportunity and vanishes at a break */
	assert_wrap("aaaa\tbbbb", 8, "aaaa|bbbb");
	text_init(&t);
	t.tabstop = 4;
	text_set(&t, "a\tb", 3);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.ch[1].src, 1);
	assert_int_equal(t.ch[3].src, 1);
	assert_true(t.ch[2].flags & TEXT_SPACE);
	text_release(&t);
}

static void test_fit_and_ellipsis(void **state)
{
	struct sbuf sb = SBUF_INIT;
	struct text t;
	int cols, ell;
	size_t e;

	assert_int_equal(text_ellipsize(&sb, "hello world", 8), 8);
	assert_string_equal(sb.buf, "hello w\xe2\x80\xa6");
	sbuf_reset(&sb);
	assert_int_equal(text_ellipsize(&sb, "hello", 5), 5);
	assert_string_equal(sb.buf, "hello");
	sbuf_reset(&sb);
	/* 中文中文 in 4 columns: 中 (2) + ellipsis; 文 would need 2 more */
	assert_int_equal(text_ellipsize(&sb, "\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87", 4), 3);
	assert_string_equal(sb.buf, "\xe4\xb8\xad\xe2\x80\xa6");
	sbuf_reset(&sb);
	assert_int_equal(text_ellipsize(&sb, "a\nb", 10), 3);
	assert_string_equal(sb.buf, "a b");
	sbuf_reset(&sb);
	assert_int_equal(text_ellipsize(&sb, "ab", 1), 1);
	assert_string_equal(sb.buf, "\xe2\x80\xa6");
	sbuf_reset(&sb);
	assert_int_equal(text_ellipsize(&sb, "ab", 0), 0);
	assert_string_equal(sbuf_str(&sb), "");
	sbuf_reset(&sb);
	assert_int_equal(text_ellipsize(&sb, "\x1b[31mred", 80), 8);
	assert_string_equal(sb.buf, "\xe2\x90\x9b[31mred");
	sbuf_release(&sb);

	/* fit stops at a newline and keeps marks with their base */
	set(&t, "ab\ncd", 5);
	e = text_fit(&t, 0, t.n, 80, &cols);
	assert_int_equal(e, 2);
	assert_int_equal(cols, 2);
	e = text_fit_ellipsis(&t, 0, t.n, 80, &cols, &ell);
	assert_int_equal(ell, 1);
	assert_int_equal(e, 2);
	text_release(&t);
	set(&t, "ae\xcc\x81x", 5);
	assert_int_equal(text_fit(&t, 0, t.n, 2, &cols), 3);
	assert_int_equal(cols, 2);
	e = text_fit_ellipsis(&t, 0, t.n, 3, &cols, &ell);
	assert_int_equal(e, t.n);
	assert_int_equal(ell, 0);
	text_release(&t);
}

static void test_offsets_and_cache(void **state)
{
	struct text t;
	const struct text_line *first;
	size_t idx;

	set(&t, "hello world foo", 15);
	assert_int_equal(text_wrap(&t, 5), 3);
	idx = text_at_src(&t, 12);
	assert_int_equal(t.ch[idx].cp, 'f');
	assert_int_equal(text_line_of(&t, idx), 2);
	assert_int_equal(text_line_of(&t, 5), 0); /* the dropped space belongs to line 0 */
	assert_int_equal(text_line_of(&t, 0), 0);
	assert_int_equal(text_at_src(&t, 99), t.n);
	/* the same width again is free and keeps the table */
	first = t.line;
	assert_int_equal(text_wrap(&t, 5), 3);
	assert_ptr_equal(t.line, first);
	assert_int_equal(text_wrap(&t, 80), 1);
	/* new content drops the layout */
	text_set(&t, "a\nb", 3);
	assert_int_equal(t.wrap_width, -1);
	assert_int_equal(text_wrap(&t, 80), 2);
	/* multi-byte sources map back */
	text_set(&t, "\xe4\xb8\xad" "x", 4);
	assert_int_equal(text_at_src(&t, 3), 1);
	assert_int_equal(text_at_src(&t, 1), 1);
	text_release(&t);
}

/* Random bytes from an alphabet of troublemakers: the invariants hold for all. */
static void test_random_invariants(void **state)
{
	static const char *const alpha[] = {
		"a", "b", " ", "  ", "\t", "\n", "\r", "\x1b", "[", "\x07", "\x7f", "\xc2\x9b",
		"\xff", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xcc\x81", "\xe2\x80\xae",
		"\xef\xb8\x8f", "\xe4", "\x80", "word", "\xe2\x80\x8b", "\xc2\xa0",
	};
	struct fb_rng rng;
	struct sbuf sb = SBUF_INIT;
	struct text t;
	int iter;

	rng_seed(&rng, 42);
	text_init(&t);
	for (iter = 0; iter < 20000; iter++) {
		size_t len = rng_below(&rng, 40), k, l, nl, covered = 0;
		int width = 1 + (int)rng_below(&rng, 12);

		sbuf_reset(&sb);
		for (k = 0; k < len; k++)
			sbuf_adds(&sb, alpha[rng_below(&rng, ARRAY_LEN(alpha))]);
		text_set(&t, sbuf_str(&sb), sb.len);
		assert_safe(&t);
		nl = text_wrap(&t, width);
		for (l = 0; l < nl; l++) {
			const struct text_line *ln = &t.line[l];

			assert_true(ln->start <= ln->end);
			assert_true(ln->start >= covered);
			/* what lies between lines is only spaces, marks on them, newlines */
			for (k = covered; k < ln->start; k++)
				assert_true(t.ch[k].flags & (TEXT_SPACE | TEXT_NEWLINE) ||
					    t.ch[k].width == 0);
			assert_int_equal(ln->cols, text_cols(&t, ln->start, ln->end));
			if (ln->cols > width)
				assert_true(width == 1 && ln->end - ln->start >= 1 &&
					    t.ch[ln->start].width == 2 && ln->cols == 2);
			if (ln->start < ln->end)
				assert_int_not_equal(t.ch[ln->start].width, 0);
			for (k = ln->start; k < ln->end; k++)
				assert_false(t.ch[k].flags & TEXT_NEWLINE);
			covered = ln->end;
		}
		for (k = covered; k < t.n; k++)
			assert_true(t.ch[k].flags & (TEXT_SPACE | TEXT_NEWLINE) || t.ch[k].width == 0);
	}
	text_release(&t);
	sbuf_release(&sb);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* A 3,000-character response: sanitising once and wrapping at a new width take microseconds. */
static void test_speed(void **state)
{
	static const char *const words[] = {"the", "model", "answer", "is", "correct,",
					    "because", "\xe4\xb8\xad\xe6\x96\x87", "caf\xc3\xa9",
					    "x", "instruction-following"};
	struct sbuf sb = SBUF_INIT;
	struct fb_rng rng;
	struct text t;
	double t0, set_us, wrap_us;
	int i, reps = 200;

	rng_seed(&rng, 7);
	while (sb.len < 3000) {
		sbuf_adds(&sb, words[rng_below(&rng, ARRAY_LEN(words))]);
		sbuf_addc(&sb, rng_below(&rng, 12) ? ' ' : '\n');
	}
	text_init(&t);
	t0 = now_us();
	for (i = 0; i < reps; i++)
		text_set(&t, sb.buf, sb.len);
	set_us = (now_us() - t0) / reps;
	t0 = now_us();
	for (i = 0; i < reps; i++)
		text_wrap(&t, 60 + i % 2); /* a new width each time: no cache hit */
	wrap_us = (now_us() - t0) / reps;
	print_message("3000 bytes: text_set %.1f us, text_wrap %.1f us\n", set_us, wrap_us);
	/* generous bounds: sanitizer builds and a loaded machine run much slower */
	assert_true(set_us < 2000);
	assert_true(wrap_us < 1000);
	text_release(&t);
	sbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_wrap),
		cmocka_unit_test(test_newlines),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_wide_chars),
		cmocka_unit_test(test_combining_marks),
		cmocka_unit_test(test_bidi_and_invisible),
		cmocka_unit_test(test_tabs),
		cmocka_unit_test(test_fit_and_ellipsis),
		cmocka_unit_test(test_offsets_and_cache),
		cmocka_unit_test(test_random_invariants),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
