/* test_util.c - UTF-8 checks, SHA-256, the string buffer, the generator. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void utf8_valid_and_invalid(void **state)
{
	size_t off = 99;

	(void)state;
	assert_int_equal(utf8_check("plain ascii", 11, &off), 0);
	assert_int_equal(utf8_check("\xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80", 11, &off), 0);
	/* a lone continuation byte */
	assert_int_equal(utf8_check("ab\x80", 3, &off), -1);
	assert_int_equal(off, 2);
	/* overlong encoding of '/' */
	assert_int_equal(utf8_check("\xc0\xaf", 2, &off), -1);
	assert_int_equal(off, 0);
	/* a UTF-16 surrogate encoded in UTF-8 */
	assert_int_equal(utf8_check("x\xed\xa0\x80", 4, &off), -1);
	assert_int_equal(off, 1);
	/* beyond U+10FFFF */
	assert_int_equal(utf8_check("\xf4\x90\x80\x80", 4, &off), -1);
	/* truncated sequence at the end */
	assert_int_equal(utf8_check("ok\xe4\xbd", 4, &off), -1);
	assert_int_equal(off, 2);
}

static void utf8_round_trip(void **state)
{
	static const uint32_t cps[] = {0x41, 0xe9, 0x4f60, 0x1f600, 0x10ffff};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cps); i++) {
		struct sbuf sb = SBUF_INIT;
		uint32_t back;
		int n;

		utf8_encode(&sb, cps[i]);
		n = utf8_decode(sb.buf, sb.len, &back);
		assert_int_equal((size_t)n, sb.len);
		assert_int_equal(back, cps[i]);
		sbuf_release(&sb);
	}
}

static void sha256_known_vectors(void **state)
{
	char hex[65];

	(void)state;
	sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void sbuf_grows_and_formats(void **state)
{
	struct sbuf sb = SBUF_INIT;
	char *s;
	size_t len, i;

	(void)state;
	assert_string_equal(sbuf_str(&sb), "");
	for (i = 0; i < 1000; i++)
		sbuf_addf(&sb, "%zu,", i);
	assert_true(starts_with(sb.buf, "0,1,2,"));
	assert_int_equal(strlen(sb.buf), sb.len);
	sbuf_reset(&sb);
	sbuf_adds(&sb, "x");
	s = sbuf_detach(&sb, &len);
	assert_string_equal(s, "x");
	assert_int_equal(len, 1);
	assert_null(sb.buf);
	free(s);
}

static void rng_is_deterministic(void **state)
{
	struct fb_rng a, b, c;
	int i, hist[6] = {0};

	(void)state;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	rng_seed(&c, 43);
	assert_true(rng_next(&a) == rng_next(&b));
	assert_false(rng_next(&a) == rng_next(&c));
	for (i = 0; i < 60000; i++)
		hist[rng_below(&a, 6)]++;
	for (i = 0; i < 6; i++)
		assert_in_range(hist[i], 9500, 10500);
	for (i = 0; i < 1000; i++) {
		double d = rng_double(&a);

		assert_true(d >= 0 && d < 1);
	}
}

static void numbers_parse_strictly(void **state)
{
	long l;
	double d;

	(void)state;
	assert_int_equal(parse_long("42", &l), 0);
	assert_int_equal(l, 42);
	assert_int_equal(parse_long("42x", &l), -1);
	assert_int_equal(parse_long("", &l), -1);
	assert_int_equal(parse_double("7.5", &d), 0);
	assert_close(d, 7.5, 0);
	assert_int_equal(parse_double("nan", &d), -1);
	assert_int_equal(parse_double("1e999", &d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_valid_and_invalid), cmocka_unit_test(utf8_round_trip),
		cmocka_unit_test(sha256_known_vectors),  cmocka_unit_test(sbuf_grows_and_formats),
		cmocka_unit_test(rng_is_deterministic),  cmocka_unit_test(numbers_parse_strictly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
