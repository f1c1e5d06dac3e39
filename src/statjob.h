/*
 * statjob.h - the figures of the workbench's statistics screen, computed
 * off the UI thread.
 *
 * audit_summary_compute takes about a second on 64k prompts: the screen
 * must not wait for it.  A statjob is one worker thread with its own
 * database connection (db_open on the same path with the same rubric set,
 * on its first request: sqlite connections are never shared between
 * threads).  The UI thread asks for the figures of a key (selection,
 * rater, a version of the rater's changes) with statjob_request and picks
 * the answer up with statjob_take, which never blocks: the event loop calls
 * it on its poll timeout while an answer is due.
 *
 * One computation runs at a time.  A request made while another is waiting
 * replaces it; an answer whose request was replaced meanwhile is dropped by
 * the worker.  The key travels with the answer, so the caller can tell an
 * answer for a stale key and discard it (statjob_key_same).
 *
 * What is computed: audit_summary_compute (the LLM judge from annot_judge,
 * so the screen compares with the same judge the conflict queue uses) and,
 * when the rater's conflict matrix is empty (they have not rated two
 * completions of any prompt here), the LLM judge's conflict matrix
 * instead: the rule of the conflict queue.
 *
 * Threads: the worker blocks every signal (they belong to the UI thread).
 * The rubric set must outlive the statjob; statjob_close interrupts a
 * running query, waits for the worker and closes its connection.
 *
 * Ownership: a result belongs to whoever took it (statjob_result_free);
 * keys are copied.  Allocation failure is fatal.
 */
#ifndef FB_STATJOB_H
#define FB_STATJOB_H

#include <stdint.h>

#include "audit.h"
#include "db.h"

struct statjob_key {
	char *dataset, *source; /* the selection; NULL: all */
	char *rater;            /* the current rater */
	unsigned long version;  /* the caller's count of changes (annot.changes) */
};

struct statjob_result {
	struct statjob_key key;     /* what was asked (owned copies) */
	struct audit_summary *s;    /* NULL when it failed */
	/*
	 * The LLM judge's conflict matrix when the rater's (s->conflict) is
	 * NULL or counts no prompt, and there is a judge; else NULL.  Owned.
	 */
	struct conflict_result *judge_conflict;
	char error[1024];           /* why s is NULL */
	int64_t ms;                 /* how long it took */
};

struct statjob;

/*
 * Start the worker for the database at path (rs borrowed).  delay_ms > 0
 * makes each computation wait that long first (for tests of the screen
 * while it computes).  Never fails (thread creation failure is fatal).
 */
struct statjob *statjob_open(const char *path, const struct rubric_set *rs, int delay_ms);
/* Interrupt, wait for the worker, close its connection, free (NULL is fine). */
void statjob_close(struct statjob *j);

/* Ask for the figures of key (copied); replaces a request not yet started. */
void statjob_request(struct statjob *j, const char *dataset, const char *source,
		     const char *rater, unsigned long version);
/* The latest answer, or NULL when none is ready (never blocks). */
struct statjob_result *statjob_take(struct statjob *j);
/* Whether a request is waiting or running. */
int statjob_busy(struct statjob *j);

/* Whether the result answers exactly this key. */
int statjob_key_same(const struct statjob_result *r, const char *dataset, const char *source,
		     const char *rater, unsigned long version);
/*
 * The conflict matrix to show and whose: the rater's when it counts a
 * prompt, else the judge's, else the rater's empty one or NULL.
 */
const struct conflict_result *statjob_conflict(const struct statjob_result *r,
					       const char **whose);
void statjob_result_free(struct statjob_result *r);

#endif
