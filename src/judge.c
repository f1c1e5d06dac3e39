/*
 * judge.c - `feedbench judge`: rate completions with an LLM judge over HTTP
 * (see judge.h for the protocol, jcall.h for the cache, batch.c for the
 * Batch API files, http.h for the transport).
 */
#include "judge.h"

#include "chat.h"
#include "cli.h"
#include "http.h"
#include "jcall.h"
#include "jprofile.h"
#include "jprompt.h"
#include "store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_BASE_URL "https://api.openai.com/v1"
#define DEFAULT_KEY_ENV "OPENAI_API_KEY"
#define DEFAULT_CONCURRENCY 8
/* Stop when this many requests in a row end without an answer: the
 * endpoint is down or refusing, and every further request would too. */
#define MAX_ERRORS_IN_A_ROW 10

/* UltraFeedback's four aspects, asked when no --aspect is given. */
static const char *const default_aspects[] = {
	"instruction_following", "honesty", "truthfulness", "helpfulness",
};



/* ---- requests ------------------------------------------------------------- */

uint64_t judge_seed(const char *prompt_hash, const char *aspect)
{
	struct sbuf sb = SBUF_INIT;
	char hex[65];
	uint64_t seed = 0;
	int i;

	sbuf_addf(&sb, "%s:%s", prompt_hash, aspect);
	sha256_hex(sb.buf, sb.len, hex);
	sbuf_release(&sb);
	for (i = 0; i < 16; i++) {
		char c = hex[i];

		seed = seed << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	return seed;
}

void judge_request_hash(const char *chat_url, const char *model, const char *body,
			size_t body_len, char out[65])
{
	struct sbuf sb = SBUF_INIT;

	/* the lengths keep the three parts from running into each other */
	sbuf_addf(&sb, "%zu:%s\n%zu:%s\n%zu:", strlen(chat_url), chat_url, strlen(model), model,
		  body_len);
	sbuf_add(&sb, body, body_len);
	sha256_hex(sb.buf, sb.len, out);
	sbuf_release(&sb);
}

void judge_prompt_release(struct judge_prompt *p)
{
	size_t i;

	free(p->hash);
	free(p->instruction);
	free(p->source);
	free(p->correct);
	free(p->incorrect);
	for (i = 0; i < p->n; i++)
		free(p->texts[i]);
	memset(p, 0, sizeof(*p));
}

int judge_prompt_load(struct judge *j, int64_t id, struct judge_prompt *p, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(j->db,
		"SELECT hash, instruction, source, correct_answers, incorrect_answers "
		"FROM prompt WHERE id = ?1");
	int rc;

	memset(p, 0, sizeof(*p));
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return fb_error(err, "%s: no prompt %lld", j->db->path, (long long)id);
		return db_fail(j->db, err, "reading a prompt");
	}
	p->id = id;
	p->hash = db_col_dup(st, 0);
	p->instruction = db_col_dup(st, 1);
	p->source = db_col_dup(st, 2);
	p->correct = db_col_dup(st, 3);
	p->incorrect = db_col_dup(st, 4);
	sqlite3_reset(st);
	st = db_stmt(j->db, "SELECT id, response FROM completion WHERE prompt_id = ?1 ORDER BY idx");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (p->n == JUDGE_MAX_TEXTS) {
			sqlite3_reset(st);
			judge_prompt_release(p);
			return fb_error(err, "prompt %lld has more than %d completions", (long long)id,
					JUDGE_MAX_TEXTS);
		}
		p->cids[p->n] = sqlite3_column_int64(st, 0);
		p->texts[p->n] = db_col_dup(st, 1);
		p->n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		judge_prompt_release(p);
		return db_fail(j->db, err, "reading completions");
	}
	if (p->n == 0) {
		judge_prompt_release(p);
		return fb_error(err, "prompt %lld has no completions", (long long)id);
	}
	return 0;
}

void judge_task_free(struct judge_task *t)
{
	if (!t)
		return;
	free(t->body);
	free(t);
}

struct judge_task *judge_task_make(struct judge *j, const struct judge_prompt *p, size_t a,
				   const size_t *order, size_t which, struct fb_err *err)
{
	const struct judge_aspect *ja = &j->aspects[a];
	struct jprompt_input in;
	struct jprompt_msgs m;
	struct chat_params cp;
	struct judge_task *t;
	size_t ord[JUDGE_MAX_TEXTS], k;

	memset(&in, 0, sizeof(in));
	in.instruction = p->instruction;
	in.source = p->source;
	in.correct_answers = p->correct;
	in.incorrect_answers = p->incorrect;
	t = xcalloc(1, sizeof(*t));
	t->prompt_id = p->id;
	t->aspect = a;
	if (ja->critique) {
		if (which >= p->n) {
			free(t);
			fb_error(err, "prompt %lld has no completion %zu", (long long)p->id, which);
			return NULL;
		}
		t->n = 1;
		t->cids[0] = p->cids[which];
		in.texts = (const char *const *)&p->texts[which];
		in.n = 1;
	} else {
		struct fb_rng rng;

		t->n = p->n;
		if (order) {
			memcpy(ord, order, p->n * sizeof(*ord));
		} else {
			rng_seed(&rng, judge_seed(p->hash, ja->r->name));
			jprompt_shuffle(&rng, ord, p->n);
		}
		for (k = 0; k < p->n; k++) {
			if (ord[k] >= p->n) {
				free(t);
				fb_error(err, "order is not a permutation of the completions");
				return NULL;
			}
			t->cids[k] = p->cids[ord[k]];
		}
		in.texts = (const char *const *)p->texts;
		in.n = p->n;
		in.order = ord;
	}
	if (jprompt_build(ja->r, &in, &m, err) < 0) {
		free(t);
		return NULL;
	}
	chat_params_init(&cp);
	cp.model = j->model;
	cp.system = m.system;
	cp.user = m.user;
	cp.max_tokens = ja->critique ? j->critique_max_tokens : j->max_tokens;
	cp.max_tokens_field = j->token_field;
	t->body = chat_request_body(&cp, err);
	if (!t->body) {
		jprompt_msgs_release(&m);
		free(t);
		return NULL;
	}
	t->body_len = strlen(t->body);
	t->est_tokens = (double)((m.system ? strlen(m.system) : 0) + strlen(m.user)) / 4.0;
	jprompt_msgs_release(&m);
	judge_request_hash(j->chat_url, j->model, t->body, t->body_len, t->hash);
	return t;
}

/* ---- recording answers ------------------------------------------------------ */

static char *order_json(const int64_t *cids, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	size_t k;

	sbuf_addc(&sb, '[');
	for (k = 0; k < n; k++)
		sbuf_addf(&sb, "%s%lld", k ? "," : "", (long long)cids[k]);
	sbuf_addc(&sb, ']');
	return sbuf_detach(&sb, NULL);
}

/* The mean of the rater's numeric ratings of a completion (UltraFeedback's fine-grained score). */
static int fine_score(struct judge *j, int64_t cid, double *out)
{
	sqlite3_stmt *st = db_stmt(j->db, "SELECT avg(value), count(value) FROM rating "
					  "WHERE completion_id = ?1 AND rater_id = ?2");
	int have = 0;

	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, j->rater_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1) > 0) {
		*out = sqlite3_column_double(st, 0);
		have = 1;
	}
	sqlite3_reset(st);
	return have;
}

/*
 * Read content as an answer about the texts cids[0..n) for aspect a and
 * store what it says for j->rater_id.  *status is "ok", "parse_failed" or
 * "cut_off"; why gets the reason when not every text was read.
 */
static int judge_apply(struct judge *j, size_t a, const int64_t *cids, size_t n,
		       const char *content, size_t len, int truncated, const char **status,
		       struct sbuf *why, int *nparsed, struct fb_err *err)
{
	const struct judge_aspect *ja = &j->aspects[a];
	size_t k;
	int rc = 0;

	*nparsed = 0;
	if (ja->critique) {
		struct reply_critique c;
		struct store_critique sc;

		if (reply_critique_parse(content, len, &c) == 0) {
			memset(&sc, 0, sizeof(sc));
			sc.completion_id = cids[0];
			sc.rater_id = j->rater_id;
			sc.text = c.feedback;
			sc.has_overall = 1;
			sc.overall = c.score;
			sc.has_fine = fine_score(j, cids[0], &sc.fine);
			rc = store_critique(j->db, &sc, NULL, err);
			*nparsed = 1;
		} else {
			sbuf_adds(why, c.reason);
		}
		reply_critique_release(&c);
	} else {
		struct reply_result res;

		reply_parse(ja->parser, content, len, n, &res);
		for (k = 0; k < n && rc == 0; k++) {
			const struct reply_item *it = &res.items[k];
			struct store_rating sr;
			char *types;

			if (it->status != REPLY_OK) {
				if (!res.error)
					sbuf_addf(why, "%s%s", why->len ? "; " : "", it->reason);
				continue;
			}
			types = ja->r->ntypes ? reply_types_json(it) : NULL;
			memset(&sr, 0, sizeof(sr));
			sr.completion_id = cids[k];
			sr.rater_id = j->rater_id;
			sr.aspect_id = ja->aspect_id;
			sr.has_value = it->has_value;
			sr.value = it->value;
			sr.na = it->na;
			sr.rationale = it->rationale;
			sr.types = types;
			sr.rationale2 = it->rationale2;
			rc = store_rating(j->db, &sr, NULL, err);
			free(types);
			(*nparsed)++;
		}
		if (res.error)
			sbuf_adds(why, res.error);
		reply_result_release(&res);
	}
	if (truncated) {
		struct sbuf cut = SBUF_INIT;

		sbuf_addf(&cut, "cut off by the token limit (%d of %zu texts read)", *nparsed, n);
		if (why->len)
			sbuf_addf(&cut, ": %s", why->buf);
		sbuf_reset(why);
		sbuf_adds(why, cut.buf);
		sbuf_release(&cut);
		*status = "cut_off";
	} else {
		*status = (size_t)*nparsed == n ? "ok" : "parse_failed";
	}
	return rc;
}

int judge_record(struct judge *j, const struct judge_task *t, const struct judge_answer *a,
		 enum judge_outcome *out, char *reason, size_t reasonsz, struct fb_err *err)
{
	const struct judge_aspect *ja = &j->aspects[t->aspect];
	struct sbuf why = SBUF_INIT;
	struct jcall c;
	char *order = order_json(t->cids, t->n);
	int nparsed = 0, rc = 0;

	memset(&c, 0, sizeof(c));
	c.request_hash = t->hash;
	c.rater_id = j->rater_id;
	c.prompt_id = t->prompt_id;
	c.completion_id = ja->critique ? t->cids[0] : 0;
	c.aspect = ja->r->name;
	c.shown_order = order;
	c.ntexts = (int)t->n;
	c.model = a->model;
	c.prompt_tokens = a->prompt_tokens;
	c.completion_tokens = a->completion_tokens;
	c.attempts = a->attempts;
	c.http_status = a->http_status;
	c.via = a->via;
	c.finish_reason = a->finish_reason;
	if (a->prompt_tokens > 0)
		j->n.tokens_in += a->prompt_tokens;
	if (a->completion_tokens > 0)
		j->n.tokens_out += a->completion_tokens;
	if (!a->content) {
		c.status = "error";
		c.reason = a->error ? a->error : "no answer";
		sbuf_adds(&why, c.reason);
		*out = JUDGE_ERROR;
		j->n.errors++;
	} else {
		rc = judge_apply(j, t->aspect, t->cids, t->n, a->content, a->len, a->truncated,
				 &c.status, &why, &nparsed, err);
		c.reply = a->content;
		c.reply_len = a->len;
		c.nparsed = nparsed;
		c.reason = why.len ? why.buf : NULL;
		if ((size_t)nparsed == t->n) {
			*out = JUDGE_ANSWERED;
		} else {
			*out = JUDGE_UNREADABLE;
		}
		if (!strcmp(c.status, "parse_failed"))
			j->n.parse_failed++;
		else if (!strcmp(c.status, "cut_off"))
			j->n.cut_off++;
	}
	if (rc == 0)
		rc = jcall_insert(j->db, &c, NULL, err);
	if (reason && reasonsz)
		snprintf(reason, reasonsz, "%s", why.len ? why.buf : "");
	sbuf_release(&why);
	free(order);
	return rc;
}

void judge_report(struct judge *j, const struct judge_task *t, const char *what)
{
	struct judge_failure *f;

	xgrow((void **)&j->report, &j->report_cap, j->nreport + 1, sizeof(*j->report));
	f = &j->report[j->nreport++];
	f->prompt_id = t->prompt_id;
	f->aspect = t->aspect;
	f->completion_id = j->aspects[t->aspect].critique ? t->cids[0] : 0;
	f->what = xstrndup(what, strnlen(what, 300));
}

/* Answers arrive in any order; the report does not. */
static int failure_cmp(const void *a, const void *b)
{
	const struct judge_failure *x = a, *y = b;

	if (x->prompt_id != y->prompt_id)
		return x->prompt_id < y->prompt_id ? -1 : 1;
	if (x->aspect != y->aspect)
		return x->aspect < y->aspect ? -1 : 1;
	if (x->completion_id != y->completion_id)
		return x->completion_id < y->completion_id ? -1 : 1;
	return 0;
}

static void print_report(struct judge *j)
{
	size_t i;

	qsort(j->report, j->nreport, sizeof(*j->report), failure_cmp);
	printf("not answered:\n");
	for (i = 0; i < j->nreport && i < JUDGE_REPORT_MAX; i++) {
		const struct judge_failure *f = &j->report[i];

		printf("  prompt %lld, %s", (long long)f->prompt_id, j->aspects[f->aspect].r->name);
		if (f->completion_id)
			printf(" of completion %lld", (long long)f->completion_id);
		printf(": %s\n", f->what);
	}
	if (j->nreport > JUDGE_REPORT_MAX)
		printf("  ... and %zu more (judge_call rows whose status is not ok)\n",
		       j->nreport - JUDGE_REPORT_MAX);
}

/* ---- iterating the selection ------------------------------------------------ */

int judge_iter_start(struct judge *j, struct judge_iter *it, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(j->db,
		"SELECT p.id, (SELECT count(*) FROM completion c WHERE c.prompt_id = p.id) "
		"FROM prompt p WHERE (?1 = 0 OR EXISTS (SELECT 1 FROM dataset_prompt d "
		"WHERE d.dataset_id = ?1 AND d.prompt_id = p.id)) "
		"AND (?2 IS NULL OR p.source = ?2) "
		"AND EXISTS (SELECT 1 FROM completion c WHERE c.prompt_id = p.id) "
		"ORDER BY p.id LIMIT ?3");
	size_t cap = 0, a;
	long skipped = 0;
	int rc;

	memset(it, 0, sizeof(*it));
	sqlite3_bind_int64(st, 1, j->dataset_id);
	db_bind_text(st, 2, j->source);
	sqlite3_bind_int64(st, 3, j->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long n = sqlite3_column_int(st, 1);

		if (n > JUDGE_MAX_TEXTS) {
			skipped++;
			continue;
		}
		xgrow((void **)&it->prompts, &cap, it->nprompts + 1, sizeof(*it->prompts));
		it->prompts[it->nprompts++] = sqlite3_column_int64(st, 0);
		for (a = 0; a < j->naspects; a++)
			j->n.total += j->aspects[a].critique ? n : 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		judge_iter_release(it);
		return db_fail(j->db, err, "selecting prompts");
	}
	if (skipped)
		fprintf(stderr, "feedbench judge: %ld prompts with more than %d completions left "
				"out\n", skipped, JUDGE_MAX_TEXTS);
	return 0;
}

void judge_iter_release(struct judge_iter *it)
{
	if (it->have)
		judge_prompt_release(&it->cur);
	free(it->prompts);
	memset(it, 0, sizeof(*it));
}

/* Copy another rater's answer to the same request for this rater. */
static int copy_answer(struct judge *j, const struct judge_task *t, int64_t call_id,
		       struct fb_err *err)
{
	struct jcall_row row;
	struct judge_answer a;
	enum judge_outcome out;
	int rc;

	if (jcall_get(j->db, call_id, &row, err) < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.content = row.reply;
	a.len = row.reply ? strlen(row.reply) : 0;
	a.finish_reason = row.finish_reason;
	a.truncated = row.finish_reason && (!strcmp(row.finish_reason, "length") ||
					    !strcmp(row.finish_reason, "max_tokens"));
	a.model = row.model;
	a.prompt_tokens = a.completion_tokens = -1;
	a.attempts = 0;
	a.via = "cache";
	if (db_begin(j->db, err) < 0) {
		jcall_row_release(&row);
		return -1;
	}
	rc = judge_record(j, t, &a, &out, NULL, 0, err);
	jcall_row_release(&row);
	if (rc < 0) {
		db_rollback(j->db);
		return -1;
	}
	if (out == JUDGE_ANSWERED)
		j->n.answered++;
	else
		j->n.failed++;
	j->n.done++;
	return db_commit(j->db, err);
}

int judge_iter_next(struct judge *j, struct judge_iter *it, struct judge_task **out,
		    struct fb_err *err)
{
	*out = NULL;
	for (;;) {
		const struct judge_aspect *ja;
		struct judge_task *t;
		struct jcall_seen seen;
		size_t which = 0;

		if (!it->have) {
			if (it->next >= it->nprompts)
				return 0;
			if (judge_prompt_load(j, it->prompts[it->next++], &it->cur, err) < 0)
				return -1;
			it->have = 1;
			it->a = 0;
			it->which = 0;
		}
		if (it->a >= j->naspects) {
			judge_prompt_release(&it->cur);
			it->have = 0;
			continue;
		}
		ja = &j->aspects[it->a];
		if (ja->critique) {
			if (it->which >= it->cur.n) {
				it->a++;
				it->which = 0;
				continue;
			}
			which = it->which++;
			t = judge_task_make(j, &it->cur, it->a, NULL, which, err);
		} else {
			t = judge_task_make(j, &it->cur, it->a++, NULL, 0, err);
		}
		if (!t)
			return -1;
		if (j->redo) {
			*out = t;
			return 0;
		}
		if (jcall_seen(j->db, t->hash, j->rater_id, &seen, err) < 0) {
			judge_task_free(t);
			return -1;
		}
		if (seen.answer_id) {
			if (seen.answer_is_ours || j->dry) {
				j->n.cached++;
				j->n.done++;
			} else if (copy_answer(j, t, seen.answer_id, err) < 0) {
				judge_task_free(t);
				return -1;
			}
			judge_task_free(t);
			continue;
		}
		t->failures = seen.failures;
		if (seen.failures > j->max_retries) {
			char what[96];

			snprintf(what, sizeof(what), "unreadable %d time%s in earlier runs (--redo "
						     "asks again)",
				 seen.failures, seen.failures == 1 ? "" : "s");
			judge_report(j, t, what);
			j->n.given_up++;
			j->n.done++;
			judge_task_free(t);
			continue;
		}
		*out = t;
		return 0;
	}
}

/* ---- throttling --------------------------------------------------------------- */

void judge_bucket_init(struct judge_bucket *b, double per_minute, int64_t now)
{
	b->per_ms = per_minute / 60000.0;
	b->cap = per_minute / 60.0 < 1 ? 1 : per_minute / 60.0;
	b->level = b->cap;
	b->t = now;
}

static void bucket_fill(struct judge_bucket *b, int64_t now)
{
	if (now > b->t) {
		b->level += (double)(now - b->t) * b->per_ms;
		if (b->level > b->cap)
			b->level = b->cap;
		b->t = now;
	}
}

int64_t judge_bucket_wait(struct judge_bucket *b, double cost, int64_t now)
{
	double need = cost < b->cap ? cost : b->cap;

	bucket_fill(b, now);
	if (b->level >= need)
		return 0;
	return (int64_t)ceil((need - b->level) / b->per_ms);
}

void judge_bucket_take(struct judge_bucket *b, double cost, int64_t now)
{
	bucket_fill(b, now);
	b->level -= cost;
}

/* ---- the command's settings ---------------------------------------------------- */

struct judge_opts {
	const char *model, *base_url, *key_env, *rater, *dataset, *source, *profile;
	const char **aspects;
	size_t naspects;
	int critique, redo, dry_run, reparse, allow_insecure;
	int concurrency, max_retries;
	long limit;
	double timeout_s;
	const char *batch_out;
	char **batch_in;
	size_t nbatch_in;
};

/* What the endpoint needs, resolved from the options and the profile. */
struct endpoint {
	char *host;
	int loopback, azure;
	char *key;        /* the secret; NULL when none */
	const char *key_env;
	char *auth_header; /* "Authorization: Bearer KEY" or "api-key: KEY"; NULL without key */
	const char *auth_shown; /* the same with the key as "***" */
	int concurrency;
	double rpm, tpm;
	int has_price_in, has_price_out;
	double price_in, price_out;
	const char *profile;
};

static volatile sig_atomic_t judge_interrupted;
static struct http_client *judge_http; /* for the signal handler's wakeup */

static void on_sigint(int sig)
{
	(void)sig;
	judge_interrupted = 1;
	if (judge_http)
		http_wakeup(judge_http);
}

/*
 * A conventional environment variable name: capitals, digits and '_', at
 * most 64.  Anything else given to --api-key-env is refused unquoted, in
 * case it is the key itself.
 */
static int env_name_ok(const char *s)
{
	const char *p;

	if (!*s || strlen(s) > 64 || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

static int host_is_azure(const char *host)
{
	static const char *const suffixes[] = {".openai.azure.com", ".cognitiveservices.azure.com"};
	size_t i, n = strlen(host);

	for (i = 0; i < ARRAY_LEN(suffixes); i++) {
		size_t m = strlen(suffixes[i]);

		if (n > m && !strcasecmp(host + n - m, suffixes[i]))
			return 1;
	}
	return 0;
}

/*
 * base -> j->chat_url (base + "/chat/completions", keeping a query string
 * after it) and j->endpoint (base without the query).  Azure wants its
 * api-version in the query.
 */
static int build_urls(struct judge *j, const char *base, int azure, const char *api_version,
		      struct fb_err *err)
{
	const char *q = strchr(base, '?');
	size_t plen = q ? (size_t)(q - base) : strlen(base);
	struct sbuf sb = SBUF_INIT;

	while (plen > 0 && base[plen - 1] == '/')
		plen--;
	j->endpoint = xstrndup(base, plen);
	sbuf_addf(&sb, "%s/chat/completions", j->endpoint);
	if (q && q[1])
		sbuf_addf(&sb, "?%s", q + 1);
	if (azure && !(q && strstr(q, "api-version="))) {
		if (!api_version) {
			sbuf_release(&sb);
			return fb_error(err, "Azure OpenAI needs an api-version: give the profile "
					     "'api-version = ...' or end --base-url with "
					     "?api-version=...");
		}
		sbuf_addf(&sb, "%capi-version=%s", q && q[1] ? '&' : '?', api_version);
	}
	j->chat_url = sbuf_detach(&sb, NULL);
	return 0;
}

/* Read the key from the environment only.  Never quotes it. */
static int read_key(struct endpoint *ep, struct fb_err *err)
{
	const char *v = getenv(ep->key_env);
	const char *p;

	ep->auth_shown = ep->azure ? "api-key: ***" : "Authorization: Bearer ***";
	if (!v || !*v)
		return 0;
	for (p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fb_error(err, "$%s holds control characters: it cannot be sent as "
					     "a header", ep->key_env);
	ep->key = xstrdup(v);
	ep->auth_header = ep->azure ? xasprintf("api-key: %s", ep->key)
				    : xasprintf("Authorization: Bearer %s", ep->key);
	return 0;
}

static void endpoint_release(struct endpoint *ep)
{
	if (ep->key)
		memset(ep->key, 0, strlen(ep->key));
	if (ep->auth_header)
		memset(ep->auth_header, 0, strlen(ep->auth_header));
	free(ep->key);
	free(ep->auth_header);
	free(ep->host);
	memset(ep, 0, sizeof(*ep));
}

static void judge_release(struct judge *j)
{
	size_t a;

	for (a = 0; a < j->naspects; a++)
		reply_parser_free(j->aspects[a].parser);
	free(j->aspects);
	rubric_free(j->critique_rubric);
	free(j->model);
	free(j->chat_url);
	free(j->endpoint);
	free(j->rater_name);
	for (a = 0; a < j->nreport; a++)
		free(j->report[a].what);
	free(j->report);
	memset(j, 0, sizeof(*j));
}

static void add_aspect(struct judge *j, const struct rubric *r, int critique)
{
	struct judge_aspect *ja;
	size_t i;

	for (i = 0; i < j->naspects; i++)
		if (j->aspects[i].r == r)
			return;
	j->aspects = xrealloc(j->aspects, (j->naspects + 1) * sizeof(*j->aspects));
	ja = &j->aspects[j->naspects++];
	memset(ja, 0, sizeof(*ja));
	ja->r = r;
	ja->critique = critique;
}

/* The aspects to ask (or, for --reparse, to read again). */
static int choose_aspects(struct cli *cli, struct judge *j, const struct judge_opts *o)
{
	struct fb_err err;
	size_t i;

	/* the critique request is data too: rubrics/critique.prompt, which the
	 * user's rubric directories may override */
	j->critique_rubric = rubric_load_prompt("critique", &err);
	if (!j->critique_rubric)
		return cli_fail(cli, "%s", err.msg);
	for (i = 0; i < o->naspects; i++) {
		const struct rubric *r = rubric_find(j->rs, o->aspects[i]);

		if (!r) {
			struct sbuf names = SBUF_INIT;
			size_t k;

			for (k = 0; k < j->rs->n; k++)
				sbuf_addf(&names, "%s%s", k ? ", " : "", j->rs->items[k]->name);
			cli_usage(cli, "no aspect '%s' (aspects: %s)", o->aspects[i],
				  sbuf_str(&names));
			sbuf_release(&names);
			return 2;
		}
		add_aspect(j, r, 0);
	}
	if (!o->naspects && (o->reparse || o->nbatch_in)) {
		/* stored replies and batch output files say what they answer */
		for (i = 0; i < j->rs->n; i++)
			add_aspect(j, j->rs->items[i], 0);
	} else if (!o->naspects && !o->critique) {
		for (i = 0; i < ARRAY_LEN(default_aspects); i++) {
			const struct rubric *r = rubric_find(j->rs, default_aspects[i]);

			if (r)
				add_aspect(j, r, 0);
		}
	}
	if (o->critique || ((o->reparse || o->nbatch_in) && !o->naspects))
		add_aspect(j, j->critique_rubric, 1);
	for (i = 0; i < j->naspects; i++) {
		struct judge_aspect *ja = &j->aspects[i];

		if (ja->critique)
			continue;
		if (!ja->r->tmpl && !o->reparse)
			return cli_fail(cli, "%s: aspect %s has no [template] section: add one to "
					     "ask a judge about it", ja->r->origin, ja->r->name);
		ja->aspect_id = db_aspect_id(j->db, ja->r->name);
		ja->parser = reply_parser_new(ja->r, &err);
		if (!ja->parser)
			return cli_fail(cli, "%s", err.msg);
	}
	if (!j->naspects)
		return cli_fail(cli, "no aspect to ask about (name one with --aspect)");
	return 0;
}

/* ---- progress and summary ------------------------------------------------------ */

struct judge_progress {
	int on;
	int64_t t0, last;
};

static void progress_draw(struct judge *j, struct judge_progress *p, struct http_client *h,
			  int force)
{
	int64_t now = now_ms();
	double secs = (double)(now - p->t0) / 1000.0;
	long done = j->n.done, total = j->n.total;
	double rate = secs > 0 ? (double)j->n.asked / secs : 0;
	double frac = total ? (double)done / (double)total : 1;
	long fresh = done - j->n.cached - j->n.given_up;
	char bar[21];
	int i, fill = (int)(frac * 20);

	if (!p->on || (!force && now - p->last < 200))
		return;
	p->last = now;
	for (i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[20] = '\0';
	fprintf(stderr, "\rjudge [%s] %ld/%ld %.1f req/s tokens %ld/%ld retries %ld failures %ld",
		bar, done, total, rate, j->n.tokens_in, j->n.tokens_out,
		h ? http_retries(h) : j->n.retries, j->n.failed);
	if (fresh > 0 && secs > 0 && done < total)
		fprintf(stderr, " ETA %.0fs",
			(double)(total - done) / ((double)fresh / secs));
	fputs("\033[K", stderr);
	fflush(stderr);
}

static void progress_clear(struct judge_progress *p)
{
	if (p->on) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

static void print_summary(struct judge *j, const struct endpoint *ep, double secs, int online)
{
	const struct judge_counts *n = &j->n;

	printf("judge %s (model %s): %ld tasks\n", j->rater_name, j->model, n->total);
	printf("  answers    %ld new, %ld from earlier runs, %ld failed, %ld given up\n",
	       n->answered, n->cached, n->failed, n->given_up);
	if (!online) {
		printf("  replies    %ld parse failures, %ld cut off, %ld errors\n", n->parse_failed,
		       n->cut_off, n->errors);
		printf("  tokens     %ld in, %ld out\n", n->tokens_in, n->tokens_out);
		goto report;
	}
	printf("  requests   %ld sent, %ld retries (%ld after a rate limit), %ld parse failures, "
	       "%ld cut off, %ld errors\n",
	       n->asked, n->retries, n->throttled, n->parse_failed, n->cut_off, n->errors);
	printf("  tokens     %ld in, %ld out\n", n->tokens_in, n->tokens_out);
	printf("  time       %.2f s, %.1f requests/s\n", secs,
	       secs > 0 ? (double)n->asked / secs : 0.0);
	if (ep && (ep->has_price_in || ep->has_price_out))
		printf("  cost       $%.4f (prices of profile %s)\n",
		       (double)n->tokens_in / 1000.0 * ep->price_in +
			       (double)n->tokens_out / 1000.0 * ep->price_out,
		       ep->profile);
report:
	if (j->nreport) {
		print_report(j);
		if (n->parse_failed || n->cut_off || n->given_up)
			printf("(the raw replies are kept in judge_call: after fixing a rubric's "
			       "[pattern], 'feedbench judge --reparse' reads them again)\n");
	}
}

/* ---- asking online ------------------------------------------------------------- */

struct run {
	struct judge *j;
	const struct endpoint *ep;
	struct http_client *http;
	const char *headers[2];
	size_t nheaders;
	struct judge_iter it;
	int iter_done;
	struct judge_task *reask_head, *reask_tail;
	struct judge_task *held; /* waiting for the rate limit */
	long inflight;
	struct judge_bucket rpm, tpm;
	int errors_in_a_row;
	int stop; /* 1: stop asking (message printed) */
	int failed; /* the run itself failed (database) */
};

static void reask(struct run *r, struct judge_task *t)
{
	t->next = NULL;
	if (r->reask_tail)
		r->reask_tail->next = t;
	else
		r->reask_head = t;
	r->reask_tail = t;
}

/* The next task to send, or NULL. */
static struct judge_task *next_task(struct run *r, struct fb_err *err)
{
	struct judge_task *t = NULL;

	if (r->held) {
		t = r->held;
		r->held = NULL;
		return t;
	}
	if (r->reask_head) {
		t = r->reask_head;
		r->reask_head = t->next;
		if (!r->reask_head)
			r->reask_tail = NULL;
		t->next = NULL;
		return t;
	}
	if (r->iter_done)
		return NULL;
	if (judge_iter_next(r->j, &r->it, &t, err) < 0) {
		r->failed = 1;
		r->iter_done = 1;
		return NULL;
	}
	if (!t)
		r->iter_done = 1;
	return t;
}

static void stop_run(struct run *r, const char *fmt, ...) FB_PRINTF(2, 3);

static void stop_run(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->stop)
		return;
	r->stop = 1;
	fprintf(stderr, "feedbench judge: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Send what may be sent now; the milliseconds until the rate limit allows more, or -1. */
static int64_t submit_some(struct run *r, struct fb_err *err)
{
	struct judge *j = r->j;

	while (!r->stop && !judge_interrupted && r->inflight < r->ep->concurrency) {
		struct judge_task *t = next_task(r, err);
		struct http_request req;
		int64_t now = now_ms(), wait = 0, w;
		double cost;

		if (!t)
			break;
		cost = t->est_tokens + (j->aspects[t->aspect].critique ? j->critique_max_tokens
								       : j->max_tokens);
		if (r->ep->rpm > 0 && (w = judge_bucket_wait(&r->rpm, 1, now)) > wait)
			wait = w;
		if (r->ep->tpm > 0 && (w = judge_bucket_wait(&r->tpm, cost, now)) > wait)
			wait = w;
		if (wait > 0) {
			r->held = t;
			return wait;
		}
		if (r->ep->rpm > 0)
			judge_bucket_take(&r->rpm, 1, now);
		if (r->ep->tpm > 0)
			judge_bucket_take(&r->tpm, cost, now);
		memset(&req, 0, sizeof(req));
		req.url = j->chat_url;
		req.headers = r->headers;
		req.nheaders = r->nheaders;
		req.body = t->body;
		req.body_len = t->body_len;
		req.user = t;
		if (http_submit(r->http, &req, err) < 0) {
			judge_task_free(t);
			r->failed = 1;
			return -1;
		}
		t->asks++;
		j->n.asked++;
		r->inflight++;
	}
	return -1;
}

/* Errors after which no further request can succeed. */
static const char *final_error(long status, const struct chat_reply *cr)
{
	int quota = (cr->error_code && !strcmp(cr->error_code, "insufficient_quota")) ||
		    (cr->error_type && !strcmp(cr->error_type, "insufficient_quota"));

	if (status == 402 || quota)
		return "the account is out of quota or credit; add some, then run the same "
		       "command again to resume";
	if (status == 401 || status == 403)
		return "the endpoint refused the key; check the key (and --api-key-env), then run "
		       "the same command again to resume";
	if (status == 404)
		return "the endpoint does not know this model or path; check --model and "
		       "--base-url";
	return NULL;
}

static void on_response(struct run *r, struct http_response *resp, struct fb_err *err)
{
	struct judge *j = r->j;
	struct judge_task *t = resp->user;
	struct judge_answer a;
	struct chat_reply cr;
	struct fb_err e;
	enum judge_outcome out;
	char reason[400], what[512];
	const char *fin = NULL;
	int again = 0;

	r->inflight--;
	if (resp->fail == HTTP_FAIL_CANCELLED) {
		judge_task_free(t);
		return;
	}
	j->n.attempts += resp->attempts;
	j->n.retries += resp->attempts - 1;
	memset(&a, 0, sizeof(a));
	memset(&cr, 0, sizeof(cr));
	a.prompt_tokens = a.completion_tokens = -1;
	a.attempts = resp->attempts;
	a.http_status = resp->status;
	a.via = "online";
	e.msg[0] = '\0';
	if (resp->fail != HTTP_FAIL_NONE) {
		snprintf(e.msg, sizeof(e.msg), "%s%s", resp->error,
			 resp->status ? "" : " (no response)");
		http_redact(e.msg, r->ep->key);
		a.error = e.msg;
	} else if (chat_response_read(resp->body, resp->body_len, resp->status, &cr, &e) == 0) {
		a.content = cr.content;
		a.len = strlen(cr.content);
		a.finish_reason = cr.finish_reason;
		a.truncated = cr.truncated;
		a.model = cr.model;
		a.prompt_tokens = cr.prompt_tokens;
		a.completion_tokens = cr.completion_tokens;
	} else {
		http_redact(e.msg, r->ep->key);
		a.error = e.msg;
		fin = final_error(resp->status, &cr);
	}
	a.finish_reason = a.content ? cr.finish_reason : NULL;
	if (judge_record(j, t, &a, &out, reason, sizeof(reason), err) < 0) {
		chat_reply_release(&cr);
		judge_task_free(t);
		r->failed = 1;
		return;
	}
	chat_reply_release(&cr);
	if (fin)
		stop_run(r, "%s (%s)", fin, e.msg);
	switch (out) {
	case JUDGE_ANSWERED:
		r->errors_in_a_row = 0;
		j->n.answered++;
		break;
	case JUDGE_UNREADABLE:
		r->errors_in_a_row = 0;
		t->failures++;
		if (t->failures <= j->max_retries && !r->stop) {
			again = 1;
		} else {
			snprintf(what, sizeof(what), "unreadable (asked %d time%s): %s", t->failures,
				 t->failures == 1 ? "" : "s", reason);
			judge_report(j, t, what);
		}
		break;
	case JUDGE_ERROR:
		r->errors_in_a_row++;
		/* a 200 with an error body (OpenRouter's upstream failures) is worth asking again */
		if (resp->fail == HTTP_FAIL_NONE && resp->status == 200 &&
		    t->asks <= j->max_retries && !r->stop) {
			again = 1;
		} else {
			judge_report(j, t, reason);
			if (r->errors_in_a_row >= MAX_ERRORS_IN_A_ROW)
				stop_run(r, "%d requests in a row failed (the last: %s); stopping: "
					    "run the same command again to resume",
					 r->errors_in_a_row, reason);
		}
		break;
	}
	if (again) {
		reask(r, t);
		return;
	}
	if (out != JUDGE_ANSWERED)
		j->n.failed++;
	j->n.done++;
	judge_task_free(t);
}

/* Take every ready response, recording them in one transaction. */
static void drain(struct run *r, struct fb_err *err)
{
	struct http_response *resp;
	int open = 0;

	while ((resp = http_next(r->http)) != NULL) {
		if (!open && !r->failed) {
			if (db_begin(r->j->db, err) < 0) {
				r->failed = 1;
			} else {
				open = 1;
			}
		}
		if (r->failed) {
			r->inflight--;
			judge_task_free(resp->user);
			http_response_free(resp);
			continue;
		}
		on_response(r, resp, err);
		http_response_free(resp);
	}
	if (open) {
		if (r->failed) {
			db_rollback(r->j->db);
		} else if (db_commit(r->j->db, err) < 0) {
			r->failed = 1;
		}
	}
}

static void free_queue(struct judge_task *t)
{
	while (t) {
		struct judge_task *next = t->next;

		judge_task_free(t);
		t = next;
	}
}

static int run_online(struct cli *cli, struct judge *j, const struct endpoint *ep,
		      const struct judge_opts *o)
{
	struct http_config hc;
	struct run r;
	struct judge_progress prog;
	struct sigaction sa, old_sa;
	struct fb_err err;
	int64_t t0 = now_ms();
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.j = j;
	r.ep = ep;
	r.headers[r.nheaders++] = "Content-Type: application/json";
	if (ep->auth_header)
		r.headers[r.nheaders++] = ep->auth_header;
	http_config_init(&hc);
	hc.max_in_flight = ep->concurrency;
	hc.max_retries = j->max_retries;
	hc.allow_insecure = o->allow_insecure;
	hc.total_timeout_ms = (long)(o->timeout_s * 1000.0);
	if (hc.connect_timeout_ms > hc.total_timeout_ms)
		hc.connect_timeout_ms = hc.total_timeout_ms;
	r.http = http_client_new(&hc, &err);
	if (!r.http)
		return cli_fail(cli, "%s", err.msg);
	if (judge_iter_start(j, &r.it, &err) < 0) {
		http_client_free(r.http);
		return cli_fail(cli, "%s", err.msg);
	}
	judge_bucket_init(&r.rpm, ep->rpm > 0 ? ep->rpm : 1, t0);
	judge_bucket_init(&r.tpm, ep->tpm > 0 ? ep->tpm : 1, t0);
	memset(&prog, 0, sizeof(prog));
	prog.on = isatty(STDERR_FILENO);
	prog.t0 = t0;

	/* Ctrl-C: stop asking, cancel what is in flight, keep every answer.
	 * A second Ctrl-C kills at once (answers are committed as they come). */
	judge_interrupted = 0;
	judge_http = r.http;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = (int)SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);

	err.msg[0] = '\0';
	for (;;) {
		int64_t wait = submit_some(&r, &err);
		int timeout;

		if (r.failed)
			break;
		if (judge_interrupted || r.stop) {
			/* answers already here are kept; the rest is cancelled */
			drain(&r, &err);
			http_cancel_all(r.http);
			drain(&r, &err);
			break;
		}
		if (r.inflight == 0 && !r.held && !r.reask_head && r.iter_done)
			break;
		timeout = wait >= 0 ? (int)wait : prog.on ? 200 : -1;
		if (r.inflight == 0) {
			/* only the rate limit holds us back: sleep (Ctrl-C interrupts) */
			poll(NULL, 0, timeout < 0 ? 200 : timeout);
			continue;
		}
		if (http_poll(r.http, NULL, 0, timeout, &err) < 0) {
			r.failed = 1;
			break;
		}
		drain(&r, &err);
		if (r.failed)
			break;
		progress_draw(j, &prog, r.http, 0);
	}
	j->n.throttled = http_throttled(r.http);
	sigaction(SIGINT, &old_sa, NULL);
	judge_http = NULL;
	progress_clear(&prog);
	if (r.held)
		judge_task_free(r.held);
	free_queue(r.reask_head);
	http_client_free(r.http);
	judge_iter_release(&r.it);
	if (r.failed) {
		http_redact(err.msg, ep->key);
		cli_fail(cli, "%s", err.msg[0] ? err.msg : "the run failed");
		rc = 1;
	}
	print_summary(j, ep, (double)(now_ms() - t0) / 1000.0, 1);
	fflush(stdout);
	if (judge_interrupted) {
		fprintf(stderr, "feedbench judge: interrupted; the %ld answers received are kept: "
				"run the same command again to resume\n",
			j->n.answered);
		rc = 1;
	} else if (r.stop) {
		rc = 1;
	} else if (j->n.failed || j->n.given_up) {
		rc = 1;
	}
	return rc;
}

/* ---- dry run ----------------------------------------------------------------------- */

static int run_dry(struct cli *cli, struct judge *j, const struct endpoint *ep)
{
	struct judge_iter it;
	struct judge_task *t;
	struct fb_err err;
	double reply_tokens = 0;

	if (judge_iter_start(j, &it, &err) < 0)
		return cli_fail(cli, "%s", err.msg);
	for (;;) {
		if (judge_iter_next(j, &it, &t, &err) < 0) {
			judge_iter_release(&it);
			return cli_fail(cli, "%s", err.msg);
		}
		if (!t)
			break;
		printf("POST %s\nContent-Type: application/json\n%s\n\n%s\n\n", j->chat_url,
		       ep->key || !ep->loopback ? ep->auth_shown
						: "(no key: none is needed on this machine)",
		       t->body);
		j->n.asked++;
		j->n.est_tokens += t->est_tokens;
		reply_tokens += j->aspects[t->aspect].critique ? j->critique_max_tokens
							       : j->max_tokens;
		judge_task_free(t);
	}
	judge_iter_release(&it);
	printf("dry run: %ld requests to %s (%ld of %ld tasks answered before, %ld given up); "
	       "about %.0f prompt tokens (bytes / 4) and at most %.0f reply tokens\n",
	       j->n.asked, j->chat_url, j->n.cached, j->n.total, j->n.given_up, j->n.est_tokens,
	       reply_tokens);
	if (ep->has_price_in || ep->has_price_out)
		printf("cost: at most $%.4f at the prices of profile %s\n",
		       j->n.est_tokens / 1000.0 * ep->price_in +
			       reply_tokens / 1000.0 * ep->price_out,
		       ep->profile);
	return 0;
}

/* ---- reading stored replies again ------------------------------------------------- */

static int parse_order(const char *json, int64_t *cids, size_t *n)
{
	cJSON *root = cJSON_Parse(json), *v;
	int rc = 0;

	*n = 0;
	if (!cJSON_IsArray(root)) {
		cJSON_Delete(root);
		return -1;
	}
	cJSON_ArrayForEach(v, root) {
		if (!cJSON_IsNumber(v) || *n == JUDGE_MAX_TEXTS) {
			rc = -1;
			break;
		}
		cids[(*n)++] = (int64_t)v->valuedouble;
	}
	cJSON_Delete(root);
	return *n ? rc : -1;
}

static int run_reparse(struct cli *cli, struct judge *j)
{
	int64_t *ids = NULL, cids[JUDGE_MAX_TEXTS];
	size_t nids = 0, i, a, n;
	long read_ok = 0, still = 0, fixed = 0, skipped = 0, in_tx = 0;
	struct fb_err err;
	struct sbuf why = SBUF_INIT;

	j->rater_id = db_rater_find(j->db, j->rater_name);
	if (!j->rater_id)
		return cli_fail(cli, "no rater '%s' in %s", j->rater_name, j->db->path);
	if (jcall_with_reply(j->db, j->rater_id, &ids, &nids, &err) < 0)
		return cli_fail(cli, "%s", err.msg);
	for (i = 0; i < nids; i++) {
		struct jcall_row row;
		sqlite3_stmt *st;
		const char *status;
		int nparsed, truncated, was_ok;

		if (!in_tx && db_begin(j->db, &err) < 0)
			goto fail;
		in_tx = 1;
		if (jcall_get(j->db, ids[i], &row, &err) < 0)
			goto fail_tx;
		for (a = 0; a < j->naspects; a++)
			if (!strcmp(j->aspects[a].r->name, row.aspect))
				break;
		if (a == j->naspects || parse_order(row.shown_order, cids, &n) < 0 ||
		    (int)n != row.ntexts) {
			skipped++;
			jcall_row_release(&row);
			continue;
		}
		st = db_stmt(j->db, "SELECT status = 'ok' OR (status = 'cut_off' AND nparsed >= "
				    "ntexts) FROM judge_call WHERE id = ?1");
		sqlite3_bind_int64(st, 1, row.id);
		was_ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_reset(st);
		truncated = row.finish_reason && (!strcmp(row.finish_reason, "length") ||
						  !strcmp(row.finish_reason, "max_tokens"));
		sbuf_reset(&why);
		if (judge_apply(j, a, cids, n, row.reply, strlen(row.reply), truncated, &status,
				&why, &nparsed, &err) < 0 ||
		    jcall_update(j->db, row.id, status, why.len ? why.buf : NULL, nparsed,
				 &err) < 0) {
			jcall_row_release(&row);
			goto fail_tx;
		}
		jcall_row_release(&row);
		if ((size_t)nparsed == n) {
			read_ok++;
			fixed += !was_ok;
		} else {
			still++;
		}
		if ((i + 1) % 1000 == 0 || i + 1 == nids) {
			if (db_commit(j->db, &err) < 0)
				goto fail;
			in_tx = 0;
		}
	}
	if (in_tx && db_commit(j->db, &err) < 0)
		goto fail;
	free(ids);
	sbuf_release(&why);
	printf("reparse %s: %zu stored replies: %ld read in full (%ld newly), %ld still "
	       "unreadable, %ld not selected\n",
	       j->rater_name, nids, read_ok, fixed, still, skipped);
	return still ? 1 : 0;
fail_tx:
	db_rollback(j->db);
fail:
	free(ids);
	sbuf_release(&why);
	return cli_fail(cli, "%s", err.msg);
}

/* ---- the command ------------------------------------------------------------------- */

static void judge_help(void)
{
	printf("usage: feedbench judge --model M [--base-url URL] [--api-key-env VAR] [--rater NAME]\n"
	       "                       [--aspect A]... [--critique] [--concurrency N] [--limit N]\n"
	       "                       [--dataset D] [--source S] [--redo] [--dry-run]\n"
	       "                       [--max-retries K] [--timeout S] [--profile NAME]\n"
	       "                       [--allow-insecure-http] [--batch-out FILE | --batch-in FILE...]\n"
	       "       feedbench judge --reparse (--model M | --rater NAME) [--aspect A]...\n"
	       "\n"
	       "Rates completions with an LLM judge by the UltraFeedback protocol: one request\n"
	       "per (prompt, aspect) with all the prompt's completions in a shuffled order,\n"
	       "temperature 0, top_p 0.6, 500 tokens; the wording and the answer pattern come\n"
	       "from the aspects' rubric files.  Answers are stored as the ratings of the rater\n"
	       "named after the model (kind llm).  Every answer is committed as it arrives;\n"
	       "running the same command again asks nothing twice (Ctrl-C, then rerun, resumes).\n"
	       "\n"
	       "The API key is read from $OPENAI_API_KEY (or the variable --api-key-env names),\n"
	       "never from the command line; none is needed for a server on this machine.\n"
	       "\n"
	       "options:\n"
	       "  --model M            the model (Azure: the deployment)\n"
	       "  --base-url URL       OpenAI-compatible API root (default " DEFAULT_BASE_URL ")\n"
	       "  --api-key-env VAR    environment variable holding the key\n"
	       "  --rater NAME         store the ratings under this rater (default: the model)\n"
	       "  --aspect A           ask about aspect A (repeatable; default: instruction_following,\n"
	       "                       honesty, truthfulness, helpfulness)\n"
	       "  --critique           one request per completion: feedback and a 1-10 score\n"
	       "                       (with --aspect, both)\n"
	       "  --concurrency N      requests in flight (default 8)\n"
	       "  --limit N            only the first N prompts\n"
	       "  --dataset D, --source S   only prompts of this data set / source\n"
	       "  --redo               ask again what was answered before\n"
	       "  --dry-run            print the requests, their number and estimated tokens\n"
	       "  --max-retries K      retries of a failed request, and re-asks of an unreadable\n"
	       "                       answer (default 2)\n"
	       "  --timeout S          seconds for one attempt (default 600)\n"
	       "  --profile NAME       an endpoint from $XDG_CONFIG_HOME/feedbench/endpoints.conf\n"
	       "  --allow-insecure-http   allow plain http to a host other than this machine\n"
	       "  --batch-out FILE     write OpenAI Batch API input files instead of asking\n"
	       "                       (FILE, then FILE.2 ... split at 50,000 requests or 200 MB;\n"
	       "                       batch.jsonl continues as batch.2.jsonl)\n"
	       "  --batch-in FILE...   store the answers of Batch API output files\n"
	       "  --reparse            read the stored raw replies again with the current patterns\n"
	       "\n"
	       "profiles ($XDG_CONFIG_HOME/feedbench/endpoints.conf, else ~/.config/...):\n"
	       "  [name]               then 'field = value' lines ('#' comments):\n"
	       "  url, key-env, model  the endpoint, the key's variable, a default model\n"
	       "  token-field          max_tokens (default) or max_completion_tokens\n"
	       "  concurrency          requests in flight\n"
	       "  price-in, price-out  dollars per 1,000 prompt / completion tokens\n"
	       "  rpm, tpm             requests / tokens per minute (throttled to stay under)\n"
	       "  api, api-version     api = azure for Azure OpenAI (api-key header)\n"
	       "\n"
	       "examples:\n"
	       "  OPENAI_API_KEY=... feedbench judge --model gpt-4o --dataset demo\n"
	       "  feedbench judge --model llama3 --base-url http://localhost:11434/v1 --limit 10\n");
}

/* The key never comes from argv: refuse anything that looks like an attempt. */
static int refuse_key_argument(struct cli *cli, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		size_t n = strcspn(a, "=");

		if ((starts_with(a, "--api-key") && strcmp(a, "--api-key-env") &&
		     !starts_with(a, "--api-key-env=")) ||
		    !strcmp(a, "--key") || starts_with(a, "--key="))
			return cli_usage(cli, "the API key is never taken from the command line "
					      "(other users can see it): put it in $%s, or name "
					      "another variable with --api-key-env",
					 DEFAULT_KEY_ENV);
		/* getopt would take "--api-k VALUE" for --api-key-env: a key there
		 * could end up quoted in "$VALUE is not set" */
		if (n >= 5 && n < strlen("--api-key-env") && !strncmp(a, "--api-key-env", n))
			return cli_usage(cli, "write --api-key-env in full");
	}
	return 0;
}

static int parse_opts(struct cli *cli, int argc, char **argv, struct judge_opts *o)
{
	static const struct option opts[] = {
		{"model", required_argument, NULL, 'm'},
		{"base-url", required_argument, NULL, 'u'},
		{"api-key-env", required_argument, NULL, 'k'},
		{"rater", required_argument, NULL, 'r'},
		{"aspect", required_argument, NULL, 'a'},
		{"critique", no_argument, NULL, 'c'},
		{"concurrency", required_argument, NULL, 'n'},
		{"limit", required_argument, NULL, 'l'},
		{"dataset", required_argument, NULL, 'd'},
		{"source", required_argument, NULL, 's'},
		{"redo", no_argument, NULL, 'R'},
		{"dry-run", no_argument, NULL, 'D'},
		{"max-retries", required_argument, NULL, 'K'},
		{"timeout", required_argument, NULL, 't'},
		{"batch-out", required_argument, NULL, 'O'},
		{"batch-in", required_argument, NULL, 'I'},
		{"reparse", no_argument, NULL, 'P'},
		{"allow-insecure-http", no_argument, NULL, 'X'},
		{"profile", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	long l;
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->limit = -1;
	o->timeout_s = 600;
	o->max_retries = -1;
	if ((rc = refuse_key_argument(cli, argc, argv)) != 0)
		return rc;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o->model = optarg; break;
		case 'u': o->base_url = optarg; break;
		case 'k':
			if (!env_name_ok(optarg))
				return cli_usage(cli, "--api-key-env takes the name of an environment "
						      "variable (capitals, digits, '_'), not a key");
			o->key_env = optarg;
			break;
		case 'r': o->rater = optarg; break;
		case 'a':
			o->aspects = xrealloc(o->aspects, (o->naspects + 1) * sizeof(*o->aspects));
			o->aspects[o->naspects++] = optarg;
			break;
		case 'c': o->critique = 1; break;
		case 'n':
			if (parse_long(optarg, &l) < 0 || l < 1 || l > 1024)
				return cli_usage(cli, "--concurrency takes 1 to 1024");
			o->concurrency = (int)l;
			break;
		case 'l':
			if (parse_long(optarg, &l) < 0 || l < 1)
				return cli_usage(cli, "--limit takes a number of prompts >= 1");
			o->limit = l;
			break;
		case 'd': o->dataset = optarg; break;
		case 's': o->source = optarg; break;
		case 'R': o->redo = 1; break;
		case 'D': o->dry_run = 1; break;
		case 'K':
			if (parse_long(optarg, &l) < 0 || l < 0 || l > 100)
				return cli_usage(cli, "--max-retries takes 0 to 100");
			o->max_retries = (int)l;
			break;
		case 't':
			if (parse_double(optarg, &o->timeout_s) < 0 || !(o->timeout_s > 0) ||
			    o->timeout_s > 86400)
				return cli_usage(cli, "--timeout takes seconds (> 0)");
			break;
		case 'O': o->batch_out = optarg; break;
		case 'I':
			o->batch_in = xrealloc(o->batch_in, (o->nbatch_in + 1) * sizeof(*o->batch_in));
			o->batch_in[o->nbatch_in++] = optarg;
			break;
		case 'P': o->reparse = 1; break;
		case 'X': o->allow_insecure = 1; break;
		case 'p': o->profile = optarg; break;
		case 'h': judge_help(); return -1;
		default:
			if (optopt)
				return cli_usage(cli, "option -%c is unknown or needs a value", optopt);
			return cli_usage(cli, "option '%s' is unknown or needs a value",
					 argv[optind - 1]);
		}
	}
	if (o->nbatch_in) { /* --batch-in a b c: the rest are files too */
		for (; optind < argc; optind++) {
			o->batch_in = xrealloc(o->batch_in, (o->nbatch_in + 1) * sizeof(*o->batch_in));
			o->batch_in[o->nbatch_in++] = argv[optind];
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (o->batch_out && o->nbatch_in)
		return cli_usage(cli, "--batch-out and --batch-in do not go together");
	if (o->reparse && (o->batch_out || o->nbatch_in || o->dry_run || o->redo))
		return cli_usage(cli, "--reparse reads stored replies: it takes no --batch-*, "
				      "--dry-run or --redo");
	if (o->dry_run && (o->batch_out || o->nbatch_in))
		return cli_usage(cli, "--dry-run does not go with --batch-out or --batch-in");
	return 0;
}

/* Options, then the profile, then the defaults. */
static int resolve(struct cli *cli, const struct judge_opts *o, struct jprofile *prof,
		   struct judge *j, struct endpoint *ep)
{
	const char *base, *api, *model;
	struct fb_err err;
	char *path;

	if (o->profile) {
		path = jprofile_path();
		if (!path)
			return cli_fail(cli, "--profile: neither $XDG_CONFIG_HOME nor $HOME is set");
		if (access(path, F_OK) < 0) {
			cli_fail(cli, "--profile %s: %s does not exist (see 'feedbench judge --help' "
				      "for its format)",
				 o->profile, path);
			free(path);
			return 1;
		}
		if (jprofile_load(path, o->profile, prof, &err) < 0) {
			free(path);
			return cli_fail(cli, "%s", err.msg);
		}
		free(path);
		ep->profile = prof->name;
	}
	model = o->model ? o->model : prof->model;
	if (!model && !(o->reparse && o->rater))
		return cli_usage(cli, "--model is required");
	j->model = xstrdup(model ? model : "");
	j->rater_name = xstrdup(o->rater ? o->rater : j->model);
	base = o->base_url ? o->base_url : prof->url ? prof->url : DEFAULT_BASE_URL;
	{
		const char *h = strstr(base, "://"), *at, *slash;

		h = h ? h + 3 : base;
		at = strchr(h, '@');
		slash = strchr(h, '/');
		if (at && (!slash || at < slash))
			return cli_fail(cli, "--base-url: no user or password in the URL (it is "
					     "recorded and printed); keys go in the environment");
	}
	if (http_url_check(base, o->allow_insecure, &ep->host, &ep->loopback, &err) < 0)
		return cli_fail(cli, "--base-url %s", err.msg);
	api = prof->api ? prof->api : "openai";
	ep->azure = !strcmp(api, "azure") || host_is_azure(ep->host);
	if (build_urls(j, base, ep->azure, prof->api_version, &err) < 0)
		return cli_fail(cli, "%s", err.msg);
	j->token_field = prof->token_field && !strcmp(prof->token_field, "max_completion_tokens")
				 ? "max_completion_tokens"
				 : "max_tokens";
	j->max_tokens = 500;
	j->critique_max_tokens = 1024;
	j->max_retries = o->max_retries >= 0 ? o->max_retries : 2;
	j->redo = o->redo;
	j->limit = o->limit;
	j->source = o->source;
	ep->key_env = o->key_env ? o->key_env : prof->key_env ? prof->key_env : DEFAULT_KEY_ENV;
	ep->concurrency = o->concurrency ? o->concurrency
			  : prof->concurrency ? prof->concurrency
					      : DEFAULT_CONCURRENCY;
	ep->rpm = prof->rpm;
	ep->tpm = prof->tpm;
	ep->has_price_in = prof->has_price_in;
	ep->has_price_out = prof->has_price_out;
	ep->price_in = prof->price_in;
	ep->price_out = prof->price_out;
	if (read_key(ep, &err) < 0)
		return cli_fail(cli, "%s", err.msg);
	return 0;
}

/* Asking online needs a key, except from a server on this machine. */
static int need_key(struct cli *cli, const struct judge_opts *o, const struct endpoint *ep)
{
	if (ep->key || ep->loopback || o->dry_run || o->batch_out || o->nbatch_in || o->reparse)
		return 0;
	return cli_fail(cli, "no API key: set $%s (the key is read from the environment only)%s",
			ep->key_env,
			o->key_env ? "" : ", or name another variable with --api-key-env");
}

int cmd_judge(struct cli *cli, int argc, char **argv)
{
	struct judge_opts o;
	struct jprofile prof;
	struct endpoint ep;
	struct judge j;
	struct fb_err err;
	int rc;

	memset(&prof, 0, sizeof(prof));
	memset(&ep, 0, sizeof(ep));
	memset(&j, 0, sizeof(j));
	rc = parse_opts(cli, argc, argv, &o);
	if (rc)
		goto out_opts;
	if ((rc = resolve(cli, &o, &prof, &j, &ep)) != 0)
		goto out;
	/* synchronous=NORMAL in WAL mode: a commit survives the process being
	 * killed (only a power cut can lose the last ones), and answers can be
	 * committed one poll turn at a time at thousands per second. */
	if ((rc = cli_open(cli, DB_BULK)) != 0)
		goto out;
	j.db = cli->db;
	j.rs = cli->rubrics;
	if ((rc = choose_aspects(cli, &j, &o)) != 0 || (rc = need_key(cli, &o, &ep)) != 0)
		goto out_db;
	if (o.dataset) {
		j.dataset_id = db_dataset_find(j.db, o.dataset);
		if (!j.dataset_id) {
			rc = cli_fail(cli, "no data set '%s' in %s", o.dataset, j.db->path);
			goto out_db;
		}
	}
	if (o.reparse) {
		rc = run_reparse(cli, &j);
		goto out_db;
	}
	j.dry = o.dry_run || o.batch_out;
	if (j.dry) {
		j.rater_id = db_rater_find(j.db, j.rater_name);
	} else if (db_rater(j.db, j.rater_name, "llm", j.model, j.endpoint, &j.rater_id, &err) <
		   0) {
		rc = cli_fail(cli, "%s", err.msg);
		goto out_db;
	}
	if (o.dry_run) {
		rc = run_dry(cli, &j, &ep);
	} else if (o.batch_out) {
		if (batch_write(&j, o.batch_out, BATCH_MAX_LINES, BATCH_MAX_BYTES, stdout, &err) < 0)
			rc = cli_fail(cli, "%s", err.msg);
	} else if (o.nbatch_in) {
		long bad = batch_read(&j, o.batch_in, o.nbatch_in, stderr, &err);

		if (bad < 0) {
			rc = cli_fail(cli, "%s", err.msg);
		} else {
			print_summary(&j, &ep, 0, 0);
			rc = bad || j.n.failed ? 1 : 0;
		}
	} else {
		rc = run_online(cli, &j, &ep, &o);
	}
out_db:
	cli_close(cli);
out:
	judge_release(&j);
	endpoint_release(&ep);
	jprofile_release(&prof);
out_opts:
	free(o.aspects);
	free(o.batch_in);
	return rc < 0 ? 0 : rc;
}
