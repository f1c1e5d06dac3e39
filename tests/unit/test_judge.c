/*
 * test_judge.c - the judge's pure parts: endpoint profiles (jprofile.c),
 * batch custom_ids and file names, the token bucket, the request hash and
 * the shuffle seed.  The command itself is tested end to end in
 * tests/data/judge_*.sh against tests/fake_llm.py.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "jprofile.h"
#include "judge.h"
#include "store.h"
#include "util.h"

#include <unistd.h>

/* ---- profiles ---------------------------------------------------------------- */

static const char conf[] =
	"# judges\n"
	"[openai]\n"
	"url = https://api.openai.com/v1\n"
	"key-env = OPENAI_API_KEY\n"
	"model = gpt-4o   # the default\n"
	"token-field = max_completion_tokens\n"
	"concurrency = 16\n"
	"price-in = 0.0025\n"
	"price-out = 0.01\n"
	"rpm = 500\n"
	"tpm = 30000\n"
	"\n"
	"[local]\n"
	"url = http://127.0.0.1:8080/v1#frag\n"
	"\n"
	"[azure]\n"
	"api = azure\n"
	"api-version = 2024-10-21\n";

static void test_profile_fields(void **state)
{
	struct jprofile p;
	struct fb_err err;

	(void)state;
	assert_int_equal(jprofile_parse(conf, strlen(conf), "e.conf", "openai", &p, &err), 0);
	assert_string_equal(p.name, "openai");
	assert_string_equal(p.url, "https://api.openai.com/v1");
	assert_string_equal(p.key_env, "OPENAI_API_KEY");
	assert_string_equal(p.model, "gpt-4o");
	assert_string_equal(p.token_field, "max_completion_tokens");
	assert_int_equal(p.concurrency, 16);
	assert_true(p.has_price_in && p.has_price_out);
	assert_close(p.price_in, 0.0025, 1e-12);
	assert_close(p.price_out, 0.01, 1e-12);
	assert_close(p.rpm, 500, 0);
	assert_close(p.tpm, 30000, 0);
	assert_null(p.api);
	jprofile_release(&p);
	/* a '#' without white space before it belongs to the value */
	assert_int_equal(jprofile_parse(conf, strlen(conf), "e.conf", "local", &p, &err), 0);
	assert_string_equal(p.url, "http://127.0.0.1:8080/v1#frag");
	assert_null(p.model);
	assert_int_equal(p.concurrency, 0);
	assert_false(p.has_price_in);
	jprofile_release(&p);
	assert_int_equal(jprofile_parse(conf, strlen(conf), "e.conf", "azure", &p, &err), 0);
	assert_string_equal(p.api, "azure");
	assert_string_equal(p.api_version, "2024-10-21");
	jprofile_release(&p);
}

static void expect_error(const char *text, const char *name, const char *want)
{
	struct jprofile p;
	struct fb_err err;

	if (jprofile_parse(text, strlen(text), "e.conf", name, &p, &err) == 0)
		fail_msg("accepted: %s", text);
	if (strcmp(err.msg, want))
		fail_msg("error '%s', expected '%s'", err.msg, want);
	assert_null(p.name);
	assert_null(p.url);
}

static void test_profile_errors(void **state)
{
	(void)state;
	expect_error(conf, "nosuch", "e.conf: no profile [nosuch] (profiles: openai, local, azure)");
	expect_error("", "x", "e.conf: no profile [x] (the file defines none)");
	expect_error("url = https://a/v1\n", "x",
		     "e.conf:1: 'url' comes before any [profile] header");
	expect_error("[x]\njunk line\n", "x", "e.conf:2: expected 'key = value' or '[profile]'");
	expect_error("[x y]\n", "x",
		     "e.conf:1: a profile header is [NAME] (letters, digits, '-', '_', '.')");
	expect_error("[x]\nconcurrency = 0\n", "x",
		     "e.conf:2: concurrency is a whole number from 1 to 1024");
	expect_error("[x]\nprice-in = -1\n", "x",
		     "e.conf:2: a price is dollars per 1,000 tokens, a number >= 0");
	expect_error("[x]\ntoken-field = max\n", "x",
		     "e.conf:2: token-field is max_tokens or max_completion_tokens");
	expect_error("[x]\napi = anthropic\n", "x", "e.conf:2: api is openai or azure");
	expect_error("[x]\nurl = ftp://a\n", "x",
		     "e.conf:2: url must start with https:// (or http:// for a local server)");
	expect_error("[x]\nmodel =\n", "x", "e.conf:2: model has no value");
	expect_error("[x]\n[x]\n", "x", "e.conf:2: profile [x] is defined twice");
	/* an error elsewhere in the file is still an error */
	expect_error("[x]\nurl = https://a/v1\n[y]\nrpm = many\n", "x",
		     "e.conf:4: a limit per minute is a number > 0");
	/* a key where its variable's name belongs is refused without being quoted */
	expect_error("[x]\nkey-env = sk-abcdef\n", "x",
		     "e.conf:2: key-env holds the name of the variable with the key, not the key");
	expect_error("[x]\nkey-env = MY KEY\n", "x",
		     "e.conf:2: key-env names an environment variable (the key itself never goes "
		     "in this file)");
	expect_error("[x]\nkey = sk-abc\n", "x",
		     "e.conf:2: unknown field 'key' (known: url, key-env, model, token-field, "
		     "concurrency, price-in, price-out, rpm, tpm, api, api-version)");
}

/* ---- batch names ---------------------------------------------------------------- */

static void test_custom_ids(void **state)
{
	struct rubric r = {0};
	struct judge_aspect asp[2];
	struct judge j;
	struct judge_task t;
	int64_t pid, cids[JUDGE_MAX_TEXTS];
	char aspect[64], *id;
	size_t n;

	(void)state;
	memset(&j, 0, sizeof(j));
	memset(asp, 0, sizeof(asp));
	memset(&t, 0, sizeof(t));
	r.name = (char *)"honesty";
	asp[0].r = &r;
	j.aspects = asp;
	j.naspects = 1;
	t.prompt_id = 42;
	t.n = 4;
	t.cids[0] = 170;
	t.cids[1] = 168;
	t.cids[2] = 171;
	t.cids[3] = 169;
	id = batch_custom_id(&j, &t);
	assert_string_equal(id, "fb:42:honesty:170.168.171.169");
	assert_int_equal(batch_custom_id_parse(id, &pid, aspect, sizeof(aspect), cids, &n), 0);
	assert_int_equal(pid, 42);
	assert_string_equal(aspect, "honesty");
	assert_int_equal(n, 4);
	assert_int_equal(cids[0], 170);
	assert_int_equal(cids[3], 169);
	free(id);
	assert_int_equal(batch_custom_id_parse("fb:7:critique:12", &pid, aspect, sizeof(aspect),
					       cids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cids[0], 12);
	assert_string_equal(aspect, "critique");
	{
		static const char *const bad[] = {
			"", "fb:", "fb:1", "fb:1:", "fb:1:honesty", "fb:1:honesty:", "fb:0:h:1",
			"fb:1::2", "fb:1:h:1..2", "fb:1:h:1.", "fb:1:h:01", "fb:-1:h:1", "x:1:h:1",
			"fb:1:h:99999999999999999999", "fb:1:h:1 ", "request-1",
		};
		size_t i;

		for (i = 0; i < ARRAY_LEN(bad); i++)
			if (batch_custom_id_parse(bad[i], &pid, aspect, sizeof(aspect), cids, &n) == 0)
				fail_msg("accepted custom_id '%s'", bad[i]);
	}
	/* an aspect name longer than the buffer */
	assert_int_equal(batch_custom_id_parse("fb:1:abcdefgh:1", &pid, aspect, 4, cids, &n), -1);
}

static void test_part_names(void **state)
{
	char *s;

	(void)state;
	s = batch_part_name("batch.jsonl", 1);
	assert_string_equal(s, "batch.jsonl");
	free(s);
	s = batch_part_name("batch.jsonl", 2);
	assert_string_equal(s, "batch.2.jsonl");
	free(s);
	s = batch_part_name("out/req", 3);
	assert_string_equal(s, "out/req.3");
	free(s);
	s = batch_part_name(".jsonl", 2);
	assert_string_equal(s, ".jsonl.2");
	free(s);
}

/* Files split at the line or byte limit, named FILE, FILE.2.jsonl ... */
static void test_batch_split(void **state)
{
	char dir[] = "/tmp/fb-test-judge.XXXXXX", *dbpath, *out, *name;
	struct rubric_set *rs;
	struct db *db;
	struct judge j;
	struct judge_aspect asp;
	struct fb_err err;
	FILE *msg;
	int64_t pid, cid;
	int k;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dbpath = xasprintf("%s/t.db", dir);
	out = xasprintf("%s/b.jsonl", dir);
	assert_int_equal(rubric_set_load(&rs, &err), 0);
	if (db_open(&db, dbpath, rs, DB_BULK, &err) < 0)
		fail_msg("%s", err.msg);
	for (k = 0; k < 5; k++) {
		struct store_prompt p = {0};
		struct store_completion c = {0};
		char text[64];

		snprintf(text, sizeof(text), "prompt %d", k);
		p.instruction = text;
		assert_int_equal(store_prompt(db, &p, 0, &pid, NULL, &err), 0);
		c.response = "an answer";
		c.idx = -1;
		assert_int_equal(store_completion(db, pid, &c, &cid, NULL, &err), 0);
	}
	memset(&j, 0, sizeof(j));
	memset(&asp, 0, sizeof(asp));
	asp.r = rubric_find(rs, "honesty");
	j.db = db;
	j.rs = rs;
	j.aspects = &asp;
	j.naspects = 1;
	j.model = (char *)"m";
	j.chat_url = (char *)"https://api.example/v1/chat/completions";
	j.token_field = "max_tokens";
	j.max_tokens = 500;
	j.limit = -1;
	j.dry = 1;
	msg = fopen("/dev/null", "w");
	/* five requests, two a file: three files */
	assert_int_equal(batch_write(&j, out, 2, 1L << 30, msg, &err), 0);
	for (k = 1; k <= 4; k++) {
		FILE *f;
		char line[65536];
		int lines = 0;

		name = batch_part_name(out, k);
		f = fopen(name, "r");
		if (k == 4) {
			assert_null(f);
		} else {
			assert_non_null(f);
			while (fgets(line, sizeof(line), f))
				lines++;
			fclose(f);
			assert_int_equal(lines, k < 3 ? 2 : 1);
			unlink(name);
		}
		free(name);
	}
	/* a byte limit that holds one request a file */
	memset(&j.n, 0, sizeof(j.n));
	assert_int_equal(batch_write(&j, out, 50000, 3000, msg, &err), 0);
	for (k = 1; k <= 5; k++) {
		name = batch_part_name(out, k);
		assert_int_equal(access(name, F_OK), 0);
		unlink(name);
		free(name);
	}
	/* a request larger than a file may be */
	memset(&j.n, 0, sizeof(j.n));
	assert_int_equal(batch_write(&j, out, 50000, 100, msg, &err), -1);
	assert_non_null(strstr(err.msg, "larger than a batch file may be"));
	assert_int_not_equal(access(out, F_OK), 0);
	fclose(msg);
	free(j.report);
	db_close(db);
	rubric_set_free(rs);
	unlink(dbpath);
	name = xasprintf("%s-wal", dbpath);
	unlink(name);
	free(name);
	name = xasprintf("%s-shm", dbpath);
	unlink(name);
	free(name);
	rmdir(dir);
	free(dbpath);
	free(out);
}

/* ---- throttling ------------------------------------------------------------------- */

static void test_bucket(void **state)
{
	struct judge_bucket b;

	(void)state;
	/* 600 a minute: 10 a second, holding one second's worth */
	judge_bucket_init(&b, 600, 1000);
	assert_int_equal(judge_bucket_wait(&b, 1, 1000), 0);
	judge_bucket_take(&b, 10, 1000);
	assert_int_equal(judge_bucket_wait(&b, 1, 1000), 100);
	assert_int_equal(judge_bucket_wait(&b, 1, 1050), 50);
	assert_int_equal(judge_bucket_wait(&b, 1, 1100), 0);
	/* never more than the capacity, however long it waited */
	assert_int_equal(judge_bucket_wait(&b, 10, 100000), 0);
	judge_bucket_take(&b, 10, 100000);
	assert_int_equal(judge_bucket_wait(&b, 10, 100000), 1000);
	/* a cost above the capacity waits for a full bucket, then borrows */
	judge_bucket_init(&b, 60000, 0); /* 1000 tokens a second */
	assert_int_equal(judge_bucket_wait(&b, 5000, 0), 0);
	judge_bucket_take(&b, 5000, 0);
	assert_int_equal(judge_bucket_wait(&b, 1, 0), 4001);
	assert_int_equal(judge_bucket_wait(&b, 5000, 4000), 1000);
	/* a tiny limit still lets one request through */
	judge_bucket_init(&b, 1, 0);
	assert_int_equal(judge_bucket_wait(&b, 1, 0), 0);
	judge_bucket_take(&b, 1, 0);
	assert_int_equal(judge_bucket_wait(&b, 1, 0), 60000);
}

/* ---- request identity ---------------------------------------------------------- */

static void test_hash_and_seed(void **state)
{
	char a[65], b[65], c[65];

	(void)state;
	judge_request_hash("http://h/v1/chat/completions", "m", "{}", 2, a);
	judge_request_hash("http://h/v1/chat/completions", "m", "{}", 2, b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 64);
	/* every part counts, and parts cannot run into each other */
	judge_request_hash("http://h/v1/chat/completions", "m2", "{}", 2, c);
	assert_string_not_equal(a, c);
	judge_request_hash("http://g/v1/chat/completions", "m", "{}", 2, c);
	assert_string_not_equal(a, c);
	judge_request_hash("x", "ab", "c", 1, b);
	judge_request_hash("xa", "b", "c", 1, c);
	assert_string_not_equal(b, c);
	assert_true(judge_seed("abc", "honesty") == judge_seed("abc", "honesty"));
	assert_true(judge_seed("abc", "honesty") != judge_seed("abc", "truthfulness"));
	assert_true(judge_seed("abc", "honesty") != judge_seed("abd", "honesty"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_fields),
		cmocka_unit_test(test_profile_errors),
		cmocka_unit_test(test_custom_ids),
		cmocka_unit_test(test_part_names),
		cmocka_unit_test(test_batch_split),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_hash_and_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
