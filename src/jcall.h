/*
 * jcall.h - the judge_call table (schema/003_judge.sql): every answer an LLM
 * judge gave, raw, with how it was read; and the request cache built on it.
 *
 * A request is identified by its hash (judge_request_hash: SHA-256 of the
 * endpoint URL, the model and the request body; never the key).  A request
 * counts as answered when one of its calls has status 'ok', or 'cut_off'
 * with every text read.
 *
 * Like store.h, each function is one or a few statements on the caller's
 * connection and transaction.  Strings passed in are borrowed.  Failure: -1
 * with err naming the database.
 */
#ifndef FB_JCALL_H
#define FB_JCALL_H

#include "db.h"

struct jcall {
	const char *request_hash;   /* 64 hex digits */
	int64_t rater_id, prompt_id;
	int64_t completion_id;      /* critique: the completion judged; 0 otherwise */
	const char *aspect;         /* aspect name or "critique" */
	const char *shown_order;    /* JSON array of completion ids as shown */
	const char *reply;          /* raw reply, NULL when none came */
	size_t reply_len;
	const char *status;         /* "ok", "parse_failed", "error", "cut_off" */
	const char *reason;         /* NULL when ok */
	const char *finish_reason;  /* may be NULL */
	int ntexts, nparsed;
	const char *model;          /* the server's model name, may be NULL */
	long prompt_tokens, completion_tokens; /* -1: unknown */
	int attempts;
	long http_status;           /* 0: no response arrived */
	const char *via;            /* "online", "batch" or "cache" */
};

int jcall_insert(struct db *db, const struct jcall *c, int64_t *id, struct fb_err *err);

/* What the cache knows about one request. */
struct jcall_seen {
	int64_t answer_id;  /* an answered call (the rater's own preferred, else the
			       latest); 0 when none */
	int answer_is_ours; /* answer_id was made for rater_id */
	int failures;       /* calls that came back unreadable (parse_failed,
			       or cut_off with texts missing), any rater */
};

int jcall_seen(struct db *db, const char *request_hash, int64_t rater_id,
	       struct jcall_seen *out, struct fb_err *err);

/*
 * 1 when the rater already has a call for this request that came from a
 * batch file with this very reply (reply NULL: with this reason), so that
 * reading the same output file twice records nothing twice; 0 when not;
 * -1 with err.
 */
int jcall_batch_seen(struct db *db, const char *request_hash, int64_t rater_id,
		     const char *reply, const char *reason, struct fb_err *err);

/* A stored call, as reparse and the cache read it back.  Owns its strings. */
struct jcall_row {
	int64_t id, rater_id, prompt_id, completion_id;
	char *request_hash, *aspect, *shown_order, *reply, *finish_reason, *model;
	int ntexts;
};

/* Read call id; -1 with err when there is none. */
int jcall_get(struct db *db, int64_t id, struct jcall_row *out, struct fb_err *err);
void jcall_row_release(struct jcall_row *r);

/* Ids (ascending) of the rater's calls that hold a reply; *ids: caller frees. */
int jcall_with_reply(struct db *db, int64_t rater_id, int64_t **ids, size_t *n,
		     struct fb_err *err);

/* Record how a stored reply reads now (reparse). */
int jcall_update(struct db *db, int64_t id, const char *status, const char *reason,
		 int nparsed, struct fb_err *err);

#endif
