/*
 * reply.h - read what an LLM judge answered (PCRE2, UTF mode).
 *
 * A rating reply holds one answer block per text, in the shape the rubric's
 * format asks for:
 *
 *   #### Output for Text 2               (optional header; any number of '#')
 *   Type: 1, 3                           (type-rating format only)
 *   Rationale: ...                       (type-rating format only)
 *   Rating: 4                            ("4/5", "**4**", "N/A" are read too)
 *   Rationale: ...                       ("Rationale For Rating:" in type-rating)
 *
 * How blocks are found: when the reply has header lines naming "Text k"
 * (markdown "#... Output for Text k", "**Text k**", "Text k:" on its own
 * line) for exactly the texts 1..n, block k is what follows header k, in
 * whatever order the judge wrote them.  Otherwise each line opening with the
 * format's first label ("Rating:" or "Type:") starts a block, and there must
 * be exactly n of them.  When there is no such line at all and the rubric
 * has its own [pattern] (with labels of its own), the pattern's successive
 * matches over the whole reply are the blocks, if there are exactly n.  Prose before the first block is ignored; blank lines
 * are not needed.  Windows and old Mac line ends are read as '\n'.
 *
 * Each block is then searched with the block pattern: the built-in one for
 * the rubric's format, or the rubric's own [pattern] section.  A [pattern]
 * is a PCRE2 pattern (UTF mode, case-insensitive; start it with (?x) to
 * spread it over lines) with these named groups:
 *
 *   rating      required: the rating text ("4", "4/5", "N/A", ...)
 *   rationale   optional: the rationale
 *   types       optional: the type ids ("1, 3", "None")
 *   rationale2  optional: the second rationale ("Rationale For Rating")
 *
 * Reading a rating: the first whole integer of the captured text ("4/5" and
 * "**4**" give 4; "4.5" is refused); "N/A" (before any digit) is the N/A
 * value, legal only when the rubric allows it.  A value outside the scale,
 * a block that does not match, or a missing block makes that text
 * REPLY_PARSE_FAILED with a reason: no rating is ever made up, and a failed
 * text never carries a value (has_value = 0, na = 0).
 *
 * Every match runs under a match limit, a depth limit and a heap limit, so a
 * pathological pattern or reply fails with a message instead of hanging.
 *
 * Ownership: a reply_parser owns its compiled patterns; a reply_result owns
 * every string in it (reply_result_release frees them).  Nothing here keeps
 * a pointer to the reply text or to the rubric after returning.
 */
#ifndef FB_REPLY_H
#define FB_REPLY_H

#include "rubric.h"
#include "util.h"

/* Replies longer than this are refused whole (judges answer in kilobytes). */
#define REPLY_MAX_BYTES (1024 * 1024)

enum reply_status {
	REPLY_OK,
	REPLY_PARSE_FAILED,
};

struct reply_item {
	enum reply_status status;
	char *reason;    /* why it failed; NULL when ok */
	int has_value;   /* 1: value holds a rating inside the scale */
	int value;
	int na;          /* 1: the judge said N/A (has_value is then 0) */
	char *rationale; /* NULL when the pattern captured none */
	char **types;    /* type ids as written ("1", "3"); "None"/"0"/"" give none */
	size_t ntypes;
	char *rationale2; /* NULL when none */
};

struct reply_result {
	size_t n;                /* number of texts asked about */
	struct reply_item *items; /* items[k] answers shown text k+1 */
	size_t nok;              /* how many items are REPLY_OK */
	char *error;             /* reason that concerns the whole reply, or NULL */
};

struct reply_parser;

/*
 * Compile the patterns for one rubric (its [pattern], or the built-in one
 * for its format).  The scale, N/A rule and type ids are copied.  Returns
 * NULL with err "rubric NAME [pattern]: ..." when the pattern does not
 * compile or lacks the group "rating".  Free with reply_parser_free.
 */
struct reply_parser *reply_parser_new(const struct rubric *r, struct fb_err *err);
void reply_parser_free(struct reply_parser *p);

/*
 * Parse a reply about n texts (1 <= n <= 64) into out (always initialised;
 * release it with reply_result_release even on failure).  Returns the number
 * of texts that parsed; 0 < result < n is a partial parse.  When nothing
 * can be read at all (no blocks, wrong block count, invalid UTF-8, too
 * long), every item is REPLY_PARSE_FAILED and out->error says why.
 */
size_t reply_parse(const struct reply_parser *p, const char *text, size_t len, size_t n,
		   struct reply_result *out);
void reply_result_release(struct reply_result *res);

/* The type ids of an item as a JSON array ("[\"1\",\"3\"]"). Caller frees. */
char *reply_types_json(const struct reply_item *it);

/*
 * A critique reply: teacher-style feedback, then a line "Overall Score: S"
 * with S in 1..10 in steps of 0.5 ("7", "7.5", "7/10", "**7**").
 */
struct reply_critique {
	enum reply_status status;
	char *reason;   /* NULL when ok */
	char *feedback; /* text before the score line, trimmed; may be "" */
	int has_score;
	double score;
};

/*
 * Parse a critique reply.  Returns 0, or -1 with out->status
 * REPLY_PARSE_FAILED, out->reason set and has_score 0 (feedback is still
 * filled with the whole trimmed text, so nothing is lost).  out is always
 * initialised; release it with reply_critique_release.
 */
int reply_critique_parse(const char *text, size_t len, struct reply_critique *out);
void reply_critique_release(struct reply_critique *c);

#endif
