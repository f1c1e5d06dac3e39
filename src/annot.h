/*
 * annot.h - the annotation session: the model behind `feedbench annotate`.
 * No curses here; ui/annotate.c draws from this state and calls these
 * functions on keys.
 *
 * A session belongs to one human rater.  It holds a queue of prompt ids
 * (todo, all, flagged, mine, narrowed by data set, source and a search), the
 * prompt at the current position with its completions in the order shown to
 * this rater, this rater's ratings, critiques and drafts on them, and a
 * cursor cell (completion, aspect).  The LLM's ratings are loaded only once
 * the rater has finished the prompt (blind first, then compare).
 *
 * Every change is one sqlite transaction, committed before the function
 * returns: what the screen shows after a successful call is on disk.  The
 * in-memory state changes only when the commit succeeded, so after a
 * failure it still equals the database.  Ratings and critiques keep their
 * old values in the history tables (schema triggers); undo writes the
 * previous value back (itself recorded in the history).
 *
 * Order of completions: a shuffle seeded from the rater's name and the
 * prompt's hash (stable for that rater on any copy of the database),
 * recorded in progress.shown_order the first time the prompt is shown and
 * read back from there afterwards.
 *
 * Active time: annot_activity(now) is called on every key; the time since
 * the previous key, capped at ANNOT_IDLE_CAP_MS, is added to the prompt
 * shown during it.  It reaches progress.active_ms when the prompt is left,
 * finished, when a change finds ANNOT_FLUSH_MS pending, with a draft, or on
 * annot_flush: a crash loses at most that much of it.
 *
 * The conflict queue (annot_queues: "conflict") orders the selection's
 * prompts by how much their aspects disagree, most first (audit.h,
 * audit_conflict_queue: the share of a prompt's completion pairs that are
 * Pareto-incomparable, margin 1), from this rater's ratings when they have
 * rated two completions of any prompt in the selection, else from the LLM
 * judge's (annot_judge); a->queue_by names whose.  It is computed once,
 * when the session opens (about 1 s on 64k prompts), and every prompt of it
 * stays in it, finished or not.
 *
 * Ownership: struct annot owns everything it points to except the db (and
 * the rubric set inside it), which must outlive it; strings in the structs
 * below are owned by the session and valid until the next call that loads
 * a prompt (annot_goto, annot_next..., annot_undo, annot_search...).
 * Allocation failure is fatal (util.h).  Functions returning int give 0 on
 * success and -1 with err set; the session stays usable after a failure.
 */
#ifndef FB_ANNOT_H
#define FB_ANNOT_H

#include "db.h"

#define ANNOT_IDLE_CAP_MS 60000 /* a longer pause between keys counts as this */
#define ANNOT_FLUSH_MS 10000    /* active time is written at least this often while changing */
#define ANNOT_MAX_COMPLETIONS 9
#define ANNOT_UNDO_MAX 256
#define ANNOT_CRITIQUE (-1) /* the "aspect" index naming a completion's critique */

enum annot_cell_state {
	ANNOT_EMPTY, /* no value (a rationale alone may exist) */
	ANNOT_VALUE,
	ANNOT_NA,
};

struct annot_cell {
	int exists; /* a rating row exists */
	int state;  /* enum annot_cell_state */
	int value;
	char *rationale, *types, *rationale2; /* NULL when none; types: JSON array text */
	int has_draft;                        /* an unsaved rationale is waiting (own cells) */
};

struct annot_crit {
	int exists;
	char *text; /* NULL when none */
	int has_score;
	double score; /* 1..10 in half points */
	int has_draft;
};

struct annot_comp {
	int64_t id;
	int idx;        /* completion.idx: position in the data */
	char *response;
	char *model;    /* for the compare view; never shown blind */
	struct annot_cell *cell;   /* [naspects]: this rater's */
	struct annot_crit crit;    /* this rater's */
	struct annot_cell *llm;    /* [naspects] the LLM's, or NULL (not finished / none) */
	struct annot_crit llm_crit;
};

struct annot_prompt {
	int64_t id;
	char *instruction, *source, *external_id;
	struct annot_comp *comp; /* ncomp, in the order shown to this rater */
	size_t ncomp;
	int64_t active_ms; /* recorded so far; annot_active_ms() adds what is pending */
	int finished;      /* every cell has a value or N/A */
	int flagged, skipped;
	char *flag_reason, *skip_reason; /* NULL unless flagged / skipped */
	char *llm_name;                  /* whose ratings comp[].llm holds, or NULL */
};

/* The state of a queue entry, as bits. */
enum annot_qstate {
	ANNOT_Q_FINISHED = 1,
	ANNOT_Q_FLAGGED = 2,
	ANNOT_Q_SKIPPED = 4,
};

struct annot_qitem {
	int64_t id;
	unsigned state; /* enum annot_qstate */
	char *touched;  /* progress.updated_at for this rater, NULL when never shown; owned */
};

struct annot;

/*
 * A queue: a name, one line about it, and either keep (a test on each
 * prompt's state; the prompts come from one query over the filtered
 * prompts, in import order) or load (a queue of its own making, e.g. the
 * conflict queue a later issue adds: fill *items, caller-owned, with state
 * and touched as above).
 */
struct annot_queue_def {
	const char *name;
	const char *about;
	int (*keep)(unsigned state);
	int (*load)(struct annot *a, struct annot_qitem **items, size_t *n, struct fb_err *err);
};

/* The queues, ended by a NULL name; the first is the default. */
extern const struct annot_queue_def annot_queues[];

struct annot_opts {
	const char *rater;   /* required: a human rater (created when new) */
	const char *queue;   /* NULL: the first of annot_queues */
	const char *dataset; /* NULL: all */
	const char *source;  /* NULL: all */
	/* aspect names to rate, in this order; NULL: the aspects that hold
	 * ratings in the database (all of the rubric set when none do) */
	const char *const *aspects;
	size_t naspects;
};

struct annot {
	struct db *db;
	char *rater;
	int64_t rater_id;
	const struct annot_queue_def *queue;
	char *dataset, *source;
	char *queue_by;         /* whose ratings ordered a queue of its own making (the
				 * conflict queue: this rater or the LLM judge), else NULL */
	unsigned long changes;  /* changes committed in this session: what is computed from
				 * the ratings (the statistics screen) is stale when it moves */

	const struct rubric **aspect; /* naspects, borrowed from the rubric set */
	int64_t *aspect_id;
	size_t naspects;

	struct annot_qitem *q; /* the queue (narrowed while a search is on) */
	size_t nq, pos;        /* pos < nq when nq > 0 */
	struct annot_qitem *full; /* the whole queue while a search narrows q, else NULL */
	size_t nfull, full_pos;
	char *search;             /* the pattern narrowing q, or NULL */

	int loaded;             /* p holds q[pos] */
	int resumed;            /* annot_open found where this rater stopped */
	struct annot_prompt p;
	size_t ccomp, casp;     /* the cursor cell */
	unsigned gen;           /* bumped whenever p changes: views cache on it */

	int64_t last_act_ms;    /* time of the last key, 0 before the first */
	int64_t pending_ms;     /* active time not written yet */
	int flushed;            /* the change being committed wrote pending_ms */

	struct annot_undo *undo; /* a ring of the last changes */
	size_t nundo, undo_head;
};

/*
 * Open a session: find or create the rater (kind human; an LLM rater's name
 * is refused), pick the aspects, build the queue in one query and load the
 * prompt where this rater stopped last time (the one they touched last
 * that is still in the queue; else the first), the cursor on its first
 * empty cell.  An empty queue is not an error: a->loaded is 0.
 * On failure *out is NULL.  Free with annot_close.
 */
int annot_open(struct annot **out, struct db *db, const struct annot_opts *o,
	       struct fb_err *err);
/* Write pending active time (errors ignored: use annot_flush first to see them), free. */
void annot_close(struct annot *a);

/* Write the active time not yet recorded. */
int annot_flush(struct annot *a, struct fb_err *err);
/* A key was handled at now (now_ms() clock): count the time since the last one. */
void annot_activity(struct annot *a, int64_t now);
/* Active time on the current prompt, recorded plus pending. */
int64_t annot_active_ms(const struct annot *a);

/* ---- moving through the queue (each loads the prompt and records it as shown) ---- */

int annot_goto(struct annot *a, size_t pos, struct fb_err *err);
/* Next / previous in the queue; 0 and nothing done at either end (returns 1 when moved). */
int annot_next(struct annot *a, struct fb_err *err);
int annot_prev(struct annot *a, struct fb_err *err);
/* The next prompt after the current one (wrapping) that is neither finished nor
 * skipped: 1 when found and loaded, 0 when every one is. */
int annot_next_unfinished(struct annot *a, struct fb_err *err);
/*
 * Go to a prompt by id (a number) or external id.  A prompt outside the
 * queue is added to it (in id order) so that it can be worked on; -1 with
 * err when there is no such prompt.
 */
int annot_goto_id(struct annot *a, const char *id, struct fb_err *err);
/*
 * Narrow the queue to the prompts whose text or completions match the
 * PCRE2 pattern (caseless unless it holds an upper-case letter), staying
 * on the current prompt when it matches, else going to the first match at
 * or after it.  Returns the number of matches (0: the queue is unchanged),
 * or -1 with err (a bad pattern).  A new search narrows the whole queue again.
 */
long annot_search(struct annot *a, const char *pattern, struct fb_err *err);
/* Back to the whole queue, staying on the current prompt. */
int annot_search_clear(struct annot *a, struct fb_err *err);
/* Prompts of the queue that this rater finished. */
size_t annot_nfinished(const struct annot *a);

/* ---- the cursor ---- */

/* Move the cursor by (dcomp, dasp), clamped to the matrix. */
void annot_move(struct annot *a, int dcomp, int dasp);
/* The cell after (comp, asp): down the aspects of a completion, then the next
 * completion; after the last cell, the first empty one (or the last cell). */
void annot_next_cell(const struct annot *a, size_t *comp, size_t *asp);
/* Cells of comp with a value or N/A. */
size_t annot_done_cells(const struct annot *a, size_t comp);

/* ---- changes (each one transaction; the cursor cell unless said otherwise) ---- */

/* Set a value (must be on the aspect's scale), then move to the next cell. */
int annot_rate(struct annot *a, int value, struct fb_err *err);
/* N/A (where the aspect allows it), then move to the next cell. */
int annot_na(struct annot *a, struct fb_err *err);
/* Remove the value; a rationale or types stay. */
int annot_clear(struct annot *a, struct fb_err *err);
/* The rationale (NULL or "" removes it); drops the cell's draft. */
int annot_set_rationale(struct annot *a, const char *text, struct fb_err *err);
/*
 * Type ids from a list such as "1,3" or "1 3" (empty: none), each one of
 * the aspect's type ids; stored as a JSON array of strings.  An aspect
 * without type ids refuses.
 */
int annot_set_types(struct annot *a, const char *list, struct fb_err *err);
/* The critique of completion comp; text NULL or "" for none; drops its draft. */
int annot_set_critique(struct annot *a, size_t comp, const char *text, int has_score,
		       double score, struct fb_err *err);
/* "7", "7.5", "7/10", "" (none) -> score; -1 with err unless 1..10 in half points. */
int annot_parse_score(const char *s, int *has_score, double *score, struct fb_err *err);
/* Flag or skip ("flag" / "skip") the prompt with a reason; reason NULL removes it. */
int annot_flag(struct annot *a, const char *kind, const char *reason, struct fb_err *err);
/*
 * Undo the last change of this session (a value, rationale, types, critique
 * or flag), going to its prompt and cell: 1 when done, 0 when there is
 * nothing left to undo.
 */
int annot_undo(struct annot *a, struct fb_err *err);

/* ---- drafts: text being typed (asp = ANNOT_CRITIQUE for the critique) ---- */

int annot_draft_save(struct annot *a, size_t comp, int asp, const char *text,
		     struct fb_err *err);
/* The saved draft, or NULL (caller frees). */
char *annot_draft_get(struct annot *a, size_t comp, int asp);
int annot_draft_drop(struct annot *a, size_t comp, int asp, struct fb_err *err);

/* ---- what the views ask ---- */

/*
 * The LLM judge: the rater of kind llm with the most ratings in the
 * database (ties: the first made).  *name (caller frees) is NULL when no
 * LLM has rated anything.  -1 with err on a database error.
 */
int annot_judge(struct db *db, char **name, struct fb_err *err);

/* Whether the LLM's ratings may be shown: the prompt is finished and has some. */
int annot_llm_ready(const struct annot *a);

struct annot_stats {
	long prompts_finished, prompts_touched, values, rationales, critiques;
	int64_t active_ms;        /* over every prompt */
	int64_t finished_active_ms; /* over the finished ones */
};
/* This rater's totals over the whole database. */
int annot_stats(struct annot *a, struct annot_stats *st, struct fb_err *err);

#endif
