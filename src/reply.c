/* reply.c - parse judge replies into per-text ratings, and critiques. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "reply.h"

#include <ctype.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Limits for every match.  A well-formed judge block needs a few thousand
 * steps; these are orders of magnitude above that and still stop a
 * catastrophic backtrack within milliseconds.
 */
#define MATCH_LIMIT 2000000
#define DEPTH_LIMIT 5000
#define HEAP_LIMIT_KIB 16384
#define MAX_TEXTS 64

/*
 * A label at the start of a line: optional bullet, optional markdown
 * emphasis around the word, then a colon (possibly inside the emphasis,
 * as in "**Rating:**").
 */
#define LABEL(word) "[ \\t]*(?:[-*+>][ \\t]+)?[*_]*" word "[*_]*[ \\t]*:[*_ \\t]*"

/*
 * Header lines naming a text: "#### Output for Text 2", "**Text 2:**"; or
 * a line that opens with "Text 2:" and goes on with the answer's first
 * label ("Text 2: Rating: 4"), where the header ends before the label.
 */
static const char header_src[] =
	"(?im)^[ \\t]*(?|"
	"\\#{1,6}[ \\t]*[*_]*[ \\t]*(?:output[ \\t]+for[ \\t]+)?text[ \\t]*(\\d{1,4})\\b[^\\n]*$"
	"|[*_]*[ \\t]*<?(?:output[ \\t]+for[ \\t]+)?text[ \\t]*(\\d{1,4})[ \\t]*>?"
	"[ \\t]*[*_]*[ \\t]*:?[ \\t]*[*_]*[ \\t]*$"
	"|[*_]*[ \\t]*(?:output[ \\t]+for[ \\t]+)?text[ \\t]*(\\d{1,4})[ \\t]*[*_]*[ \\t]*[:.)][*_]*[ \\t]*"
	"(?=[*_]*(?:rating|types?)[*_]*[ \\t]*:)"
	")";

/* The line that opens a block when there are no usable headers. */
static const char start_rating_src[] = "(?im)^" LABEL("rating");
static const char start_type_src[] = "(?im)^" LABEL("types?");

/* Built-in block patterns; a rubric's [pattern] replaces them. */
static const char block_rating_src[] =
	"(?ims)^" LABEL("rating") "(?<rating>[^\\n]*)"
	"(?:\\n\\s*" LABEL("rationale") "(?<rationale>.*\\S)?)?";
static const char block_type_src[] =
	"(?ims)^" LABEL("types?") "(?<types>[^\\n]*?)[ \\t]*\\n\\s*"
	LABEL("rationale") "(?<rationale>.*?)[ \\t]*\\n\\s*"
	LABEL("rating") "(?<rating>[^\\n]*)"
	"(?:\\n\\s*" LABEL("rationale(?:[ \\t]+for[ \\t]+rating)?") "(?<rationale2>.*\\S)?)?";

/* Critique: the score line, then the score itself. */
static const char critique_line_src[] =
	"(?im)^[ \\t]*[#*_]*[ \\t]*overall[ \\t]+score[*_]*[ \\t]*:[*_ \\t]*(?<score>[^\\n]*)";
static const char critique_score_src[] =
	"(?i)^[*_ \\t]*(?<num>\\d{1,3}(?:\\.\\d+)?)[*_ \\t]*"
	"(?:(?:/|out[ \\t]+of)[ \\t]*(?<den>\\d+(?:\\.\\d+)?))?";

struct shared {
	pcre2_code *header, *start_rating, *start_type, *crit_line, *crit_score;
	pcre2_match_context *mctx;
	int ok;
};

static struct shared shared;
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;

struct reply_parser {
	pcre2_code *block;
	const pcre2_code *start; /* borrowed from shared */
	int g_rating, g_rationale, g_types, g_rationale2; /* group numbers, -1 = absent */
	int min, max, allow_na;
	int custom; /* the block pattern came from the rubric */
	char **type_ids;
	size_t ntype_ids;
};

static pcre2_code *compile(const char *src, size_t len, struct sbuf *why)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re;

	re = pcre2_compile((PCRE2_SPTR)src, len, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code,
			   &off, NULL);
	if (!re && why) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(code, msg, sizeof(msg));
		sbuf_addf(why, "%s at offset %zu", (const char *)msg, (size_t)off);
	}
	return re;
}

static void shared_init(void)
{
	shared.header = compile(header_src, PCRE2_ZERO_TERMINATED, NULL);
	shared.start_rating = compile(start_rating_src, PCRE2_ZERO_TERMINATED, NULL);
	shared.start_type = compile(start_type_src, PCRE2_ZERO_TERMINATED, NULL);
	shared.crit_line = compile(critique_line_src, PCRE2_ZERO_TERMINATED, NULL);
	shared.crit_score = compile(critique_score_src, PCRE2_ZERO_TERMINATED, NULL);
	shared.mctx = pcre2_match_context_create(NULL);
	if (!shared.header || !shared.start_rating || !shared.start_type || !shared.crit_line ||
	    !shared.crit_score || !shared.mctx)
		return;
	pcre2_set_match_limit(shared.mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(shared.mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(shared.mctx, HEAP_LIMIT_KIB);
	shared.ok = 1;
}

/* The built-in patterns are constants: failing to compile them is a bug. */
static const struct shared *get_shared(void)
{
	pthread_once(&shared_once, shared_init);
	if (!shared.ok)
		fatal("reply: built-in patterns do not compile (PCRE2 without UTF support?)");
	return &shared;
}

/*
 * Run re on subject[0..len) from offset.  Returns 1 on a match, 0 on no
 * match, -1 on any other outcome with the reason in why.
 */
static int match(const pcre2_code *re, const char *subject, size_t len, size_t offset,
		 pcre2_match_data *md, struct sbuf *why)
{
	/* callers validated the UTF-8 once; PCRE2 would re-check it on every call */
	int rc = pcre2_match(re, (PCRE2_SPTR)subject, len, offset, PCRE2_NO_UTF_CHECK, md,
			     get_shared()->mctx);

	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (why) {
		if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
		    rc == PCRE2_ERROR_HEAPLIMIT) {
			sbuf_adds(why, "pattern gave up: too much backtracking on this reply");
		} else {
			PCRE2_UCHAR msg[160];

			pcre2_get_error_message(rc, msg, sizeof(msg));
			sbuf_addf(why, "pattern match failed: %s", (const char *)msg);
		}
	}
	return -1;
}

static int group_number(const pcre2_code *re, const char *name)
{
	int g = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);

	return g > 0 ? g : -1;
}

struct reply_parser *reply_parser_new(const struct rubric *r, struct fb_err *err)
{
	struct reply_parser *p;
	struct sbuf why = SBUF_INIT;
	const char *src;
	size_t len, i;

	get_shared();
	p = xcalloc(1, sizeof(*p));
	if (r->pattern && *r->pattern) {
		src = r->pattern;
		len = strlen(src);
		p->custom = 1;
		/* the file's trailing white space is layout, not pattern */
		while (len > 0 && isspace((unsigned char)src[len - 1]))
			len--;
	} else {
		src = r->format == RUBRIC_TYPE_RATING ? block_type_src : block_rating_src;
		len = strlen(src);
	}
	p->block = compile(src, len, &why);
	if (!p->block) {
		fb_error(err, "rubric %s [pattern]: %s", r->name, sbuf_str(&why));
		goto fail;
	}
	p->g_rating = group_number(p->block, "rating");
	if (p->g_rating < 0) {
		fb_error(err, "rubric %s [pattern]: needs a named group (?<rating>...)", r->name);
		goto fail;
	}
	p->g_rationale = group_number(p->block, "rationale");
	p->g_types = group_number(p->block, "types");
	p->g_rationale2 = group_number(p->block, "rationale2");
	p->start = r->format == RUBRIC_TYPE_RATING ? shared.start_type : shared.start_rating;
	p->min = r->min;
	p->max = r->max;
	p->allow_na = r->allow_na;
	p->ntype_ids = r->ntypes;
	p->type_ids = xcalloc(r->ntypes ? r->ntypes : 1, sizeof(char *));
	for (i = 0; i < r->ntypes; i++)
		p->type_ids[i] = xstrdup(r->types[i].id);
	sbuf_release(&why);
	return p;
fail:
	sbuf_release(&why);
	reply_parser_free(p);
	return NULL;
}

void reply_parser_free(struct reply_parser *p)
{
	size_t i;

	if (!p)
		return;
	pcre2_code_free(p->block);
	for (i = 0; i < p->ntype_ids; i++)
		free(p->type_ids[i]);
	free(p->type_ids);
	free(p);
}

/* ---- small text helpers ------------------------------------------------ */

/* Copy with "\r\n" and lone "\r" turned into "\n". Caller frees. */
static char *normalize_newlines(const char *s, size_t len, size_t *outlen)
{
	char *o = xmalloc(len + 1);
	size_t i, j = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			o[j++] = '\n';
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
		} else {
			o[j++] = s[i];
		}
	}
	o[j] = '\0';
	*outlen = j;
	return o;
}

/* Bounds of s[0..len) without surrounding white space. */
static void trim_bounds(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && isspace((unsigned char)s[*start]))
		(*start)++;
	while (*end > *start && isspace((unsigned char)s[*end - 1]))
		(*end)--;
}

/* A short, single-line excerpt of s for messages. */
static void excerpt(struct sbuf *sb, const char *s, size_t len)
{
	size_t i, n = len > 40 ? 40 : len;

	/* do not cut a UTF-8 sequence in half */
	while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	sbuf_addc(sb, '\'');
	for (i = 0; i < n; i++)
		sbuf_addc(sb, s[i] == '\n' || s[i] == '\t' ? ' ' : s[i]);
	if (n < len)
		sbuf_adds(sb, "...");
	sbuf_addc(sb, '\'');
}

/* Captured group g of the last match, or NULL/0 when it did not take part. */
static int group(const pcre2_match_data *md, int g, size_t *start, size_t *end)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer((pcre2_match_data *)md);

	if (g < 0 || (uint32_t)g >= pcre2_get_ovector_count((pcre2_match_data *)md))
		return 0;
	if (ov[2 * g] == PCRE2_UNSET)
		return 0;
	*start = ov[2 * g];
	*end = ov[2 * g + 1];
	return 1;
}

/* Rationale text: trimmed, without a trailing separator line ("---"). */
static char *clean_text(const char *s, size_t start, size_t end)
{
	for (;;) {
		size_t ls;
		int rule = 1;

		trim_bounds(s, &start, &end);
		ls = end;
		while (ls > start && s[ls - 1] != '\n')
			ls--;
		if (ls == start || ls == end)
			break;
		for (size_t i = ls; i < end; i++)
			if (!strchr("-*=_ \t", s[i]))
				rule = 0;
		if (!rule)
			break;
		end = ls;
	}
	return xstrndup(s + start, end - start);
}

/* ---- one answer block -------------------------------------------------- */

static void item_fail(struct reply_item *it, size_t k, const char *why)
{
	free(it->reason);
	it->reason = xasprintf("text %zu: %s", k + 1, why);
	it->status = REPLY_PARSE_FAILED;
	it->has_value = 0;
	it->na = 0;
}

/* True when s[i..] starts with "n/a", "n.a." or the word "na" (any case). */
static size_t na_at(const char *s, size_t i, size_t end)
{
	static const char *const forms[] = {"n/a", "n.a.", "n.a", "not applicable"};
	size_t f;

	if (i > 0 && isalnum((unsigned char)s[i - 1]))
		return 0;
	for (f = 0; f < ARRAY_LEN(forms); f++) {
		size_t n = strlen(forms[f]);

		if (end - i >= n && !strncasecmp(s + i, forms[f], n))
			return n;
	}
	if (end - i >= 2 && !strncasecmp(s + i, "na", 2) &&
	    (end - i == 2 || !isalnum((unsigned char)s[i + 2])))
		return 2;
	return 0;
}

/*
 * Read the rating out of s[start..end): N/A, or the first whole integer.
 * Returns 0 on success, -1 with why filled.
 */
static int read_rating(const struct reply_parser *p, const char *s, size_t start, size_t end,
		       struct reply_item *it, struct sbuf *why)
{
	size_t i, d;
	long v = 0;

	trim_bounds(s, &start, &end);
	for (i = start; i < end; i++) {
		if (isdigit((unsigned char)s[i]))
			break;
		if (na_at(s, i, end)) {
			if (!p->allow_na) {
				sbuf_adds(why, "N/A is not a legal rating for this aspect");
				return -1;
			}
			it->na = 1;
			it->has_value = 0;
			return 0;
		}
	}
	if (i == end) {
		sbuf_adds(why, "no rating value in ");
		excerpt(why, s + start, end - start);
		return -1;
	}
	for (d = i; d < end && isdigit((unsigned char)s[d]); d++)
		if (v < 1000000)
			v = v * 10 + (s[d] - '0');
	if (d + 1 < end && (s[d] == '.' || s[d] == ',') && isdigit((unsigned char)s[d + 1])) {
		sbuf_adds(why, "rating is not a whole number: ");
		excerpt(why, s + start, end - start);
		return -1;
	}
	if (i > start && s[i - 1] == '-' && (i - 1 == start || !isdigit((unsigned char)s[i - 2])))
		v = -v;
	if (v < p->min || v > p->max) {
		sbuf_addf(why, "rating %ld lies outside the scale %d-%d", v, p->min, p->max);
		return -1;
	}
	it->value = (int)v;
	it->has_value = 1;
	return 0;
}

static int known_type(const struct reply_parser *p, const char *id, size_t n)
{
	size_t i;

	if (p->ntype_ids == 0) /* no list to check against: numbers other than 0 */
		return !(n == 1 && id[0] == '0');
	for (i = 0; i < p->ntype_ids; i++)
		if (strlen(p->type_ids[i]) == n && !strncmp(p->type_ids[i], id, n))
			return 1;
	return 0;
}

/*
 * Type ids out of s[start..end): every word that is one of the rubric's ids
 * (without a list: every number but 0), in order, once each.  "None",
 * "0", "N/A" and "" contain none.
 */
static void read_types(const struct reply_parser *p, const char *s, size_t start, size_t end,
		       struct reply_item *it)
{
	size_t i = start;

	while (i < end) {
		size_t j = i, k;
		int dup = 0;

		if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) {
			i++;
			continue;
		}
		while (j < end && (isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '-'))
			j++;
		if (p->ntype_ids == 0 && !isdigit((unsigned char)s[i])) {
			i = j;
			continue;
		}
		if (known_type(p, s + i, j - i)) {
			for (k = 0; k < it->ntypes; k++)
				if (strlen(it->types[k]) == j - i && !strncmp(it->types[k], s + i, j - i))
					dup = 1;
			if (!dup) {
				it->types = xrealloc(it->types, (it->ntypes + 1) * sizeof(char *));
				it->types[it->ntypes++] = xstrndup(s + i, j - i);
			}
		}
		i = j;
	}
}

static void parse_block(const struct reply_parser *p, const char *s, size_t start, size_t end,
			size_t k, struct reply_item *it)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->block, NULL);
	struct sbuf why = SBUF_INIT;
	size_t gs, ge;
	int rc;

	if (!md)
		fatal("out of memory (PCRE2 match data)");
	rc = match(p->block, s + start, end - start, 0, md, &why);
	if (rc == 0) {
		sbuf_adds(&why, "no answer in the expected shape in ");
		excerpt(&why, s + start, end - start);
	}
	if (rc <= 0) {
		item_fail(it, k, sbuf_str(&why));
		goto out;
	}
	s += start;
	if (!group(md, p->g_rating, &gs, &ge)) {
		item_fail(it, k, "the pattern matched without a rating");
		goto out;
	}
	if (read_rating(p, s, gs, ge, it, &why) < 0) {
		item_fail(it, k, sbuf_str(&why));
		goto out;
	}
	if (group(md, p->g_rationale, &gs, &ge))
		it->rationale = clean_text(s, gs, ge);
	if (group(md, p->g_rationale2, &gs, &ge))
		it->rationale2 = clean_text(s, gs, ge);
	if (group(md, p->g_types, &gs, &ge))
		read_types(p, s, gs, ge, it);
	it->status = REPLY_OK;
out:
	sbuf_release(&why);
	pcre2_match_data_free(md);
}

/* ---- finding the blocks ------------------------------------------------ */

struct mark {
	size_t start, end; /* the line: [start, end) */
	long k;            /* header: text number; start line: 0; whole pattern match: -1 */
};

struct marks {
	struct mark *v;
	size_t n, cap;
};

/* Every line re matches, in order.  -1 with why on a match error. */
static int find_lines(const pcre2_code *re, const char *s, size_t len, int want_k,
		      struct marks *out, struct sbuf *why)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	size_t off = 0;
	int rc = 0;

	if (!md)
		fatal("out of memory (PCRE2 match data)");
	while (off <= len) {
		PCRE2_SIZE *ov;
		struct mark m;

		rc = match(re, s, len, off, md, why);
		if (rc <= 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		m.start = ov[0];
		m.end = ov[1];
		m.k = 0;
		if (want_k)
			m.k = strtol(s + ov[2], NULL, 10);
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = m;
		/* continue after this line; matches never end inside a character */
		off = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
		while (off < len && s[off] != '\n')
			off++;
	}
	pcre2_match_data_free(md);
	return rc < 0 ? -1 : 0;
}

/* Every match of a block pattern, as [start, end) of the match. */
static int find_blocks(const pcre2_code *re, const char *s, size_t len, struct marks *out,
		       struct sbuf *why)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	size_t off = 0;
	int rc = 0;

	if (!md)
		fatal("out of memory (PCRE2 match data)");
	while (off <= len) {
		PCRE2_SIZE *ov;
		struct mark m;

		rc = match(re, s, len, off, md, why);
		if (rc <= 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		m.start = ov[0];
		m.end = ov[1];
		m.k = -1;
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = m;
		off = ov[1];
		if (ov[1] == ov[0]) { /* an empty match: step over one character */
			off++;
			while (off < len && ((unsigned char)s[off] & 0xC0) == 0x80)
				off++;
		}
	}
	pcre2_match_data_free(md);
	return rc < 0 ? -1 : 0;
}

/* Headers name some of the texts 1..n, none twice (a reply cut short). */
static int headers_partial(const struct marks *h, size_t n)
{
	unsigned char seen[MAX_TEXTS + 1] = {0};
	size_t i;

	if (h->n == 0 || h->n >= n)
		return 0;
	for (i = 0; i < h->n; i++) {
		if (h->v[i].k < 1 || (size_t)h->v[i].k > n || seen[h->v[i].k])
			return 0;
		seen[h->v[i].k] = 1;
	}
	return 1;
}

/* Headers name each text 1..n exactly once. */
static int headers_usable(const struct marks *h, size_t n)
{
	unsigned char seen[MAX_TEXTS + 1] = {0};
	size_t i;

	if (h->n != n)
		return 0;
	for (i = 0; i < h->n; i++) {
		if (h->v[i].k < 1 || (size_t)h->v[i].k > n || seen[h->v[i].k])
			return 0;
		seen[h->v[i].k] = 1;
	}
	return 1;
}

static void result_init(struct reply_result *out, size_t n)
{
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->items = xcalloc(n ? n : 1, sizeof(*out->items));
}

static void fail_all(struct reply_result *out, const char *why)
{
	size_t k;

	free(out->error);
	out->error = xstrdup(why);
	for (k = 0; k < out->n; k++)
		item_fail(&out->items[k], k, why);
	out->nok = 0;
}

size_t reply_parse(const struct reply_parser *p, const char *text, size_t len, size_t n,
		   struct reply_result *out)
{
	struct marks heads = {0}, starts = {0};
	struct sbuf why = SBUF_INIT;
	size_t bad, slen, i, k;
	char *s = NULL;

	result_init(out, n);
	if (n == 0 || n > MAX_TEXTS) {
		fail_all(out, "number of texts must be 1 to 64");
		goto out;
	}
	if (len > REPLY_MAX_BYTES) {
		sbuf_addf(&why, "reply too long (%zu bytes; at most %d)", len, REPLY_MAX_BYTES);
		fail_all(out, sbuf_str(&why));
		goto out;
	}
	if (utf8_check(text, len, &bad) < 0) {
		sbuf_addf(&why, "reply is not valid UTF-8 (byte %zu)", bad);
		fail_all(out, sbuf_str(&why));
		goto out;
	}
	s = normalize_newlines(text, len, &slen);
	if (find_lines(get_shared()->header, s, slen, 1, &heads, &why) < 0) {
		fail_all(out, sbuf_str(&why));
		goto out;
	}
	if (headers_usable(&heads, n)) {
		for (i = 0; i < heads.n; i++) {
			size_t end = i + 1 < heads.n ? heads.v[i + 1].start : slen;

			k = (size_t)heads.v[i].k - 1;
			parse_block(p, s, heads.v[i].end, end, k, &out->items[k]);
		}
	} else {
		size_t h = 0;

		if (find_lines(p->start, s, slen, 0, &starts, &why) < 0) {
			fail_all(out, sbuf_str(&why));
			goto out;
		}
		if (starts.n == 0 && p->custom) {
			/* the rubric's own labels: its pattern's matches are the blocks */
			struct marks whole = {0};

			if (find_blocks(p->block, s, slen, &whole, &why) < 0) {
				free(whole.v);
				fail_all(out, sbuf_str(&why));
				goto out;
			}
			if (whole.n == n) {
				free(starts.v);
				starts = whole;
			} else {
				free(whole.v);
			}
		}
		if (starts.n != n && headers_partial(&heads, n)) {
			/* the texts that have a header are read; the others failed */
			for (k = 0; k < n; k++)
				item_fail(&out->items[k], k, "no answer block for this text");
			for (i = 0; i < heads.n; i++) {
				size_t end = i + 1 < heads.n ? heads.v[i + 1].start : slen;

				k = (size_t)heads.v[i].k - 1;
				free(out->items[k].reason);
				out->items[k].reason = NULL;
				parse_block(p, s, heads.v[i].end, end, k, &out->items[k]);
			}
			goto count;
		}
		if (starts.n != n) {
			if (starts.n == 0)
				sbuf_addf(&why, "no answer block found (expected %zu)", n);
			else
				sbuf_addf(&why, "found %zu answer blocks, expected %zu", starts.n, n);
			fail_all(out, sbuf_str(&why));
			goto out;
		}
		for (k = 0; k < n; k++) {
			size_t end = k + 1 < n ? starts.v[k + 1].start : slen;

			if (starts.v[k].k < 0) /* a whole match of the rubric's pattern */
				end = starts.v[k].end;

			/* a header line between two blocks belongs to neither */
			while (h < heads.n && heads.v[h].start < starts.v[k].start)
				h++;
			if (h < heads.n && heads.v[h].start < end)
				end = heads.v[h].start;
			parse_block(p, s, starts.v[k].start, end, k, &out->items[k]);
		}
	}
count:
	for (k = 0; k < n; k++)
		if (out->items[k].status == REPLY_OK)
			out->nok++;
out:
	free(heads.v);
	free(starts.v);
	free(s);
	sbuf_release(&why);
	return out->nok;
}

void reply_result_release(struct reply_result *res)
{
	size_t k, t;

	if (!res)
		return;
	for (k = 0; k < res->n && res->items; k++) {
		struct reply_item *it = &res->items[k];

		free(it->reason);
		free(it->rationale);
		free(it->rationale2);
		for (t = 0; t < it->ntypes; t++)
			free(it->types[t]);
		free(it->types);
	}
	free(res->items);
	free(res->error);
	memset(res, 0, sizeof(*res));
}

char *reply_types_json(const struct reply_item *it)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;
	const char *c;

	sbuf_addc(&sb, '[');
	for (i = 0; i < it->ntypes; i++) {
		if (i)
			sbuf_addc(&sb, ',');
		sbuf_addc(&sb, '"');
		/* ids are word characters; escape anyway so the JSON stays valid */
		for (c = it->types[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				sbuf_addc(&sb, '\\');
			if ((unsigned char)*c < 0x20)
				sbuf_addf(&sb, "\\u%04x", (unsigned)(unsigned char)*c);
			else
				sbuf_addc(&sb, *c);
		}
		sbuf_addc(&sb, '"');
	}
	sbuf_addc(&sb, ']');
	return sbuf_detach(&sb, NULL);
}

/* ---- critiques ----------------------------------------------------------- */

static int critique_fail(struct reply_critique *c, const char *why)
{
	c->status = REPLY_PARSE_FAILED;
	free(c->reason);
	c->reason = xstrdup(why);
	c->has_score = 0;
	c->score = 0;
	return -1;
}

int reply_critique_parse(const char *text, size_t len, struct reply_critique *out)
{
	const struct shared *sh = get_shared();
	pcre2_match_data *md = NULL;
	struct sbuf why = SBUF_INIT;
	size_t slen, bad, ls, le, ss, se, ns, ne, ds, de;
	char *s = NULL, *num = NULL;
	double v;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > REPLY_MAX_BYTES) {
		out->feedback = xstrdup("");
		sbuf_addf(&why, "reply too long (%zu bytes; at most %d)", len, REPLY_MAX_BYTES);
		critique_fail(out, sbuf_str(&why));
		goto out;
	}
	if (utf8_check(text, len, &bad) < 0) {
		out->feedback = xstrdup("");
		sbuf_addf(&why, "reply is not valid UTF-8 (byte %zu)", bad);
		critique_fail(out, sbuf_str(&why));
		goto out;
	}
	s = normalize_newlines(text, len, &slen);
	md = pcre2_match_data_create(8, NULL);
	if (!md)
		fatal("out of memory (PCRE2 match data)");
	rc = match(sh->crit_line, s, slen, 0, md, &why);
	if (rc <= 0) {
		out->feedback = clean_text(s, 0, slen);
		critique_fail(out, rc == 0 ? "no 'Overall Score:' line" : sbuf_str(&why));
		rc = -1;
		goto out;
	}
	ls = pcre2_get_ovector_pointer(md)[0];
	le = pcre2_get_ovector_pointer(md)[1];
	group(md, group_number(sh->crit_line, "score"), &ss, &se);
	out->feedback = clean_text(s, 0, ls);
	rc = match(sh->crit_score, s + ss, se - ss, 0, md, &why);
	if (rc <= 0) {
		sbuf_reset(&why);
		sbuf_adds(&why, "no number after 'Overall Score:' in ");
		excerpt(&why, s + ls, le - ls);
		critique_fail(out, sbuf_str(&why));
		rc = -1;
		goto out;
	}
	group(md, group_number(sh->crit_score, "num"), &ns, &ne);
	num = xstrndup(s + ss + ns, ne - ns);
	if (group(md, group_number(sh->crit_score, "den"), &ds, &de)) {
		char *den = xstrndup(s + ss + ds, de - ds);
		double dv;
		int ten = parse_double(den, &dv) == 0 && dv == 10.0;

		free(den);
		if (!ten) {
			sbuf_adds(&why, "score is not out of 10: ");
			excerpt(&why, s + ss, se - ss);
			critique_fail(out, sbuf_str(&why));
			rc = -1;
			goto out;
		}
	}
	if (parse_double(num, &v) < 0 || v < 1.0 || v > 10.0 || v * 2 != (double)(long)(v * 2)) {
		sbuf_adds(&why, "score must be 1 to 10 in steps of 0.5, got ");
		excerpt(&why, num, strlen(num));
		critique_fail(out, sbuf_str(&why));
		rc = -1;
		goto out;
	}
	out->status = REPLY_OK;
	out->has_score = 1;
	out->score = v;
	rc = 0;
out:
	free(num);
	free(s);
	if (md)
		pcre2_match_data_free(md);
	sbuf_release(&why);
	return rc;
}

void reply_critique_release(struct reply_critique *c)
{
	if (!c)
		return;
	free(c->reason);
	free(c->feedback);
	memset(c, 0, sizeof(*c));
}
