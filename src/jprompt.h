/*
 * jprompt.h - the messages a judge receives for one (prompt, aspect).
 *
 * The wording lives in the rubric files: [system] becomes the system
 * message and [template] the user message, after these placeholders are
 * filled in (names are lowercase; anything else in braces is kept as is):
 *
 *   {instruction}      the prompt text
 *   {n}                the number of texts
 *   {texts}            every text as "<text k>\n...\n</text k>", one per
 *                      paragraph, in the shown (shuffled) order
 *   {each} ... {end}   repeat the enclosed part for k = 1..n; inside it
 *                      {k} is the number and {text} the k-th shown text
 *   {world_knowledge}  correct / incorrect reference answers when the prompt
 *                      has them; for source false_qa a note that the question
 *                      rests on a false premise; else a line saying there is
 *                      no reference
 *   {aspect} {title}   the rubric's name and title
 *   {min} {max}        the scale
 *   {levels}           "v. description" for each described scale value
 *   {types}            "id. description" for each type id (empty if none)
 *   {{ and }}          a literal brace
 *
 * An unknown {name}, {k}/{text} outside {each}, or an unclosed {each} is an
 * error naming the rubric file and line, so a typo never reaches a judge.
 *
 * Ownership: inputs are borrowed; jprompt_msgs owns its strings
 * (jprompt_msgs_release).  Failure: -1 with err, and out holds nothing.
 */
#ifndef FB_JPROMPT_H
#define FB_JPROMPT_H

#include <stddef.h>

#include "rubric.h"
#include "util.h"

struct jprompt_input {
	const char *instruction;       /* required */
	const char *source;            /* data set source ("false_qa"...); may be NULL */
	const char *correct_answers;   /* JSON array of strings, or NULL */
	const char *incorrect_answers; /* JSON array of strings, or NULL */
	const char *const *texts;      /* completion responses in stored order */
	size_t n;                      /* 1..64 */
	const size_t *order;           /* order[k]: index into texts shown as text k+1;
					  NULL = stored order.  Must be a permutation. */
};

struct jprompt_msgs {
	char *system; /* NULL when the rubric has no [system] */
	char *user;
};

/*
 * Fill the rubric's [system] and [template] for in.  -1 with err when the
 * rubric has no [template], a placeholder is wrong, order is not a
 * permutation of 0..n-1, or an answers field is not a JSON array.
 */
int jprompt_build(const struct rubric *r, const struct jprompt_input *in,
		  struct jprompt_msgs *out, struct fb_err *err);
void jprompt_msgs_release(struct jprompt_msgs *m);

/*
 * The {world_knowledge} text for in (caller frees); NULL with err when an
 * answers field is not a JSON array.  Entries "None" and "" are placeholders
 * the UltraFeedback dumps carry, not answers, and are left out.
 */
char *jprompt_world_knowledge(const struct jprompt_input *in, struct fb_err *err);

/* A uniformly random permutation of 0..n-1 into order[] (Fisher-Yates). */
void jprompt_shuffle(struct fb_rng *rng, size_t *order, size_t n);

#endif
