/*
 * judge.h - the LLM judge: what to ask, how answers are stored.
 *
 * `feedbench judge` (cmd_judge, in judge.c) rates completions with an
 * OpenAI-compatible model by the UltraFeedback protocol: one request per
 * (prompt, aspect) holding all of the prompt's completions in a shuffled
 * order, or with --critique one request per completion.  This header is
 * what judge.c shares with batch.c (the Batch API files): building a
 * request (a "task") for a prompt, the cache lookup, and recording an
 * answer exactly the same way whether it came online, from a batch output
 * file, or from the cache.
 *
 * The shuffle is a function of the prompt's hash and the aspect, so the
 * same command builds the same request bodies again: that is what makes
 * the request cache (jcall.h) work across runs.
 *
 * Ownership: struct judge owns its strings, parsers and the critique rubric
 * (judge_release); the rubric set and database are borrowed.  A task and a
 * prompt own their strings (judge_task_free, judge_prompt_release).
 * Failure: -1 with err; nothing is half-written (callers hold the
 * transaction).
 */
#ifndef FB_JUDGE_H
#define FB_JUDGE_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "reply.h"
#include "rubric.h"

#define JUDGE_MAX_TEXTS 64

/* One thing being asked: an aspect's rubric, or the critique. */
struct judge_aspect {
	const struct rubric *r;      /* borrowed (the critique's: owned by struct judge) */
	int64_t aspect_id;           /* 0 for the critique */
	int critique;
	struct reply_parser *parser; /* NULL for the critique */
};

struct judge_counts {
	long total;       /* tasks selected */
	long done;        /* tasks finished this run, any way (progress) */
	long answered;    /* answered now (online, batch or a cache copy) */
	long cached;      /* answered before: nothing to do */
	long failed;      /* finished without an answer: unreadable or error */
	long given_up;    /* skipped: unreadable K+1 times in earlier runs */
	long asked;       /* requests sent (tasks, counting re-asks) */
	long attempts;    /* HTTP attempts (asked + transport retries) */
	long retries;     /* transport retries */
	long throttled;   /* retries after a 429 */
	long parse_failed, cut_off, errors; /* calls recorded with these statuses */
	long tokens_in, tokens_out;
	double est_tokens; /* dry run / batch: bytes / 4 of the prompts */
};

struct judge {
	struct db *db;                 /* borrowed */
	const struct rubric_set *rs;   /* borrowed */
	char *model;
	char *chat_url;   /* where requests go: base + /chat/completions (+ query); in the cache key */
	char *endpoint;   /* the base URL as recorded for the rater (no query) */
	char *rater_name;
	int64_t rater_id; /* 0 while the rater does not exist (dry run) */
	const char *token_field; /* "max_tokens" or "max_completion_tokens" (static) */
	int max_tokens, critique_max_tokens;
	struct judge_aspect *aspects;
	size_t naspects;
	struct rubric *critique_rubric; /* owned; always parsed */
	int redo, max_retries;
	int dry;          /* write nothing (dry run, batch-out) */
	/* selection */
	int64_t dataset_id;
	const char *source;
	long limit;       /* prompts; -1 for all */
	struct judge_counts n;
	/* failures to list at the end, sorted by prompt and aspect */
	struct judge_failure *report;
	size_t nreport, report_cap;
};

struct judge_failure {
	int64_t prompt_id, completion_id; /* completion: critiques only */
	size_t aspect;
	char *what;
};

#define JUDGE_REPORT_MAX 20

/* A prompt with its completions in stored order. */
struct judge_prompt {
	int64_t id;
	char *hash, *instruction, *source, *correct, *incorrect;
	size_t n;
	int64_t cids[JUDGE_MAX_TEXTS];
	char *texts[JUDGE_MAX_TEXTS];
};

/* One request. */
struct judge_task {
	int64_t prompt_id;
	size_t aspect;                  /* index into judge.aspects */
	size_t n;                       /* texts shown */
	int64_t cids[JUDGE_MAX_TEXTS];  /* completion id shown as text k+1 */
	char hash[65];                  /* the request hash (cache key) */
	char *body;                     /* the request body (JSON) */
	size_t body_len;
	double est_tokens;              /* prompt tokens, estimated as bytes / 4 */
	int failures;                   /* unreadable answers so far (earlier runs + now) */
	int asks;                       /* requests made for it in this run */
	struct judge_task *next;        /* for the caller's queues */
};

/* An answer, from wherever it came. */
struct judge_answer {
	const char *content;      /* NULL: no answer (see error) */
	size_t len;
	const char *finish_reason;
	int truncated;            /* cut by the token limit */
	const char *model;
	long prompt_tokens, completion_tokens; /* -1: unknown */
	const char *error;        /* when content is NULL: why (no secret in it) */
	int attempts;
	long http_status;
	const char *via;          /* "online", "batch", "cache" */
};

enum judge_outcome {
	JUDGE_ANSWERED,   /* every text read (ratings or critique stored) */
	JUDGE_UNREADABLE, /* parse_failed, or cut off before the end */
	JUDGE_ERROR,      /* no answer */
};

/* ---- set-up (judge.c) ---- */

/* The shuffle seed of a prompt and aspect (first 64 bits of a SHA-256). */
uint64_t judge_seed(const char *prompt_hash, const char *aspect);

/* SHA-256 of chat_url, model and body, as 64 hex digits into out. */
void judge_request_hash(const char *chat_url, const char *model, const char *body,
			size_t body_len, char out[65]);

/* Load a prompt and its completions.  -1 with err when it has none or more than 64. */
int judge_prompt_load(struct judge *j, int64_t id, struct judge_prompt *p, struct fb_err *err);
void judge_prompt_release(struct judge_prompt *p);

/*
 * Build the request for prompt p and aspect index a: order[k] is the index
 * (into p's completions) shown as text k+1, or NULL for the seeded shuffle;
 * for a critique, which is the completion judged.  Returns a new task
 * (caller frees with judge_task_free), or NULL with err (a template error).
 */
struct judge_task *judge_task_make(struct judge *j, const struct judge_prompt *p, size_t a,
				   const size_t *order, size_t which, struct fb_err *err);
void judge_task_free(struct judge_task *t);

/*
 * Record an answer to t: read it with the aspect's patterns, store what it
 * says as this rater's ratings (or critique), and insert its judge_call
 * row.  Counts it in j->n.  *out tells what it was; reason (may be NULL,
 * size reasonsz) gets why it was not answered.
 */
int judge_record(struct judge *j, const struct judge_task *t, const struct judge_answer *a,
		 enum judge_outcome *out, char *reason, size_t reasonsz, struct fb_err *err);

/* Note a task left unanswered, for the report at the end (JUDGE_REPORT_MAX shown). */
void judge_report(struct judge *j, const struct judge_task *t, const char *what);

/*
 * Iterate the selected tasks that need a request.  Tasks already answered
 * are counted (j->n.cached) and skipped, unless j->redo; an answer by
 * another rater to the same request is copied for this one (not in a dry
 * run); tasks unreadable K+1 times before are given up and reported.
 */
struct judge_iter {
	int64_t *prompts;
	size_t nprompts, next;
	struct judge_prompt cur;
	int have;
	size_t a, which; /* next aspect and (critique) completion of cur */
};

int judge_iter_start(struct judge *j, struct judge_iter *it, struct fb_err *err);
/* *t is the next task (caller frees), or NULL at the end. */
int judge_iter_next(struct judge *j, struct judge_iter *it, struct judge_task **t,
		    struct fb_err *err);
void judge_iter_release(struct judge_iter *it);

/* ---- throttling (judge.c) ---- */

/* A token bucket: per_minute units per minute, holding one second's worth. */
struct judge_bucket {
	double per_ms, cap, level;
	int64_t t;
};

void judge_bucket_init(struct judge_bucket *b, double per_minute, int64_t now);
/* Milliseconds until cost may be taken (0: now).  A cost above the
 * capacity waits for a full bucket and then drives it negative. */
int64_t judge_bucket_wait(struct judge_bucket *b, double cost, int64_t now);
void judge_bucket_take(struct judge_bucket *b, double cost, int64_t now);

/* ---- batch files (batch.c) ---- */

/* Batch API limits per input file. */
#define BATCH_MAX_LINES 50000
#define BATCH_MAX_BYTES (200L * 1000 * 1000)

/*
 * custom_id of a task: "fb:PROMPT:ASPECT:C1.C2..." with the completion ids
 * in shown order (a critique: "fb:PROMPT:critique:C").  Caller frees.
 */
char *batch_custom_id(const struct judge *j, const struct judge_task *t);
/* Read one back; -1 when s is not a feedbench custom_id.  aspect: 64 bytes. */
int batch_custom_id_parse(const char *s, int64_t *prompt_id, char *aspect, size_t aspectsz,
			  int64_t *cids, size_t *n);

/* Name of part k (1-based) of a batch file: FILE, then FILE.2 ... with the
 * number put before a ".jsonl" extension (batch.jsonl -> batch.2.jsonl).
 * Caller frees. */
char *batch_part_name(const char *path, int k);

/* Write the selected requests not yet answered as Batch API input files. */
int batch_write(struct judge *j, const char *path, long max_lines, long max_bytes, FILE *msg,
		struct fb_err *err);

/* Read Batch API output (or error) files; store their answers.  Returns the
 * number of bad lines (reported on msg as FILE:LINE: why), or -1 with err. */
long batch_read(struct judge *j, char **files, size_t nfiles, FILE *msg, struct fb_err *err);

#endif
