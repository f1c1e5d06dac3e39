/* jsonl.c - split JSONL files and JSON arrays into records (see jsonl.h). */
#include "jsonl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define JSONL_CHUNK ((size_t)1 << 20)

void jsonl_init(struct jsonl_reader *r, FILE *f)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->line = 1;
	r->max_record = JSONL_MAX_RECORD_DEFAULT;
	sbuf_init(&r->rec);
}

void jsonl_release(struct jsonl_reader *r)
{
	free(r->buf);
	sbuf_release(&r->rec);
	r->buf = NULL;
}

/* Make more bytes available; 0 when some arrived, 1 at end of file, -1 on error. */
static int refill(struct jsonl_reader *r, struct fb_err *err)
{
	size_t n;

	if (r->eof)
		return 1;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->len < JSONL_CHUNK)
		xgrow((void **)&r->buf, &r->cap, r->len + JSONL_CHUNK, 1);
	n = fread(r->buf + r->len, 1, r->cap - r->len, r->f);
	if (n == 0) {
		if (ferror(r->f))
			return fb_error(err, "read error: %s", strerror(errno));
		r->eof = 1;
		return 1;
	}
	r->len += n;
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int check_utf8(struct jsonl_reader *r, const char *s, size_t n, struct fb_err *err)
{
	size_t bad;

	if (utf8_check(s, n, &bad) == 0)
		return 0;
	{
		/* report the column within the line that holds the bad byte */
		size_t i, col = 1;
		long line = r->rec_line;

		for (i = 0; i < bad; i++) {
			if (s[i] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)s[i] & 0xC0) != 0x80) {
				col++;
			}
		}
		if (line != r->rec_line)
			return fb_error(err, "invalid UTF-8 (byte 0x%02x at line %ld, column %zu)",
					(unsigned char)s[bad], line, col);
		return fb_error(err, "invalid UTF-8 (byte 0x%02x at column %zu)",
				(unsigned char)s[bad], col);
	}
}

/* First non-space byte decides the mode; skips a BOM. */
static int decide_mode(struct jsonl_reader *r, struct fb_err *err)
{
	for (;;) {
		while (r->pos < r->len) {
			char c = r->buf[r->pos];

			if (r->consumed == 0 && r->pos == 0 && r->len >= 3 &&
			    !memcmp(r->buf, "\xEF\xBB\xBF", 3)) {
				r->pos += 3;
				r->consumed += 3;
				continue;
			}
			if (c == '\n') {
				r->line++;
			} else if (!is_space(c)) {
				r->mode = c == '[' ? 2 : 1;
				return 0;
			}
			r->pos++;
			r->consumed++;
		}
		{
			int rc = refill(r, err);

			if (rc < 0)
				return -1;
			if (rc > 0 && r->pos >= r->len)
				return 1; /* empty (or only white space) */
		}
	}
}

static enum jsonl_status next_line(struct jsonl_reader *r, const char **rec, size_t *len,
				   struct fb_err *err)
{
	for (;;) {
		char *nl;
		size_t start, n;
		int too_long = 0;

		/* find a whole line in the buffer, refilling as needed */
		for (;;) {
			nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
			if (nl)
				break;
			if (r->len - r->pos > r->max_record) {
				too_long = 1;
				break;
			}
			{
				int rc = refill(r, err);

				if (rc < 0)
					return JSONL_FATAL;
				if (rc > 0)
					break;
			}
		}
		r->rec_line = r->line;
		r->rec_col = 1;
		if (too_long) {
			/* discard up to and including the next newline */
			for (;;) {
				nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
				if (nl) {
					r->consumed += (size_t)(nl + 1 - (r->buf + r->pos));
					r->pos = (size_t)(nl + 1 - r->buf);
					break;
				}
				r->consumed += r->len - r->pos;
				r->pos = r->len;
				{
					int rc = refill(r, err);

					if (rc < 0)
						return JSONL_FATAL;
					if (rc > 0)
						break;
				}
			}
			r->line++;
			fb_error(err, "record longer than %zu MB: skipped",
				 r->max_record >> 20);
			return JSONL_BAD;
		}
		start = r->pos;
		if (nl) {
			n = (size_t)(nl - (r->buf + start));
			r->pos = (size_t)(nl - r->buf) + 1;
			r->last_unterminated = 0;
		} else {
			n = r->len - start;
			r->pos = r->len;
			r->last_unterminated = 1;
			if (n == 0)
				return JSONL_END;
		}
		r->consumed += r->pos - start;
		r->line++;
		if (n > r->max_record) {
			fb_error(err, "record longer than %zu MB: skipped", r->max_record >> 20);
			return JSONL_BAD;
		}
		/* blank lines separate nothing and are not records */
		{
			size_t i = 0;

			while (i < n && is_space(r->buf[start + i]))
				i++;
			if (i == n)
				continue;
		}
		if (check_utf8(r, r->buf + start, n, err) < 0)
			return JSONL_BAD;
		*rec = r->buf + start;
		*len = n;
		return JSONL_RECORD;
	}
}

/*
 * Array mode: walk bytes tracking strings and nesting to find where each
 * element ends.  This frames the elements only; cJSON does the parsing.
 */
static enum jsonl_status next_element(struct jsonl_reader *r, const char **rec, size_t *len,
				      struct fb_err *err)
{
	int depth = 0, in_str = 0, esc = 0, started = 0, too_long = 0;
	long col = 1;

	sbuf_reset(&r->rec);
	for (;;) {
		char c;

		if (r->pos >= r->len) {
			int rc = refill(r, err);

			if (rc < 0)
				return JSONL_FATAL;
			if (rc > 0) {
				if (r->astate == 3)
					return JSONL_END;
				if (started) {
					r->last_unterminated = 1;
					r->astate = 3; /* nothing more can follow */
					fb_error(err, "the JSON array is cut short (file truncated?)");
					return JSONL_BAD;
				}
				fb_error(err, "the JSON array is not closed with ']'");
				return JSONL_FATAL;
			}
		}
		c = r->buf[r->pos++];
		r->consumed++;
		if (r->astate == 3) {
			if (c == '\n')
				r->line++;
			if (!is_space(c)) {
				r->rec_line = r->line;
				fb_error(err, "text after the end of the JSON array");
				return JSONL_FATAL;
			}
			continue;
		}
		if (!started) {
			if (c == '\n') {
				r->line++;
				col = 1;
				continue;
			}
			if (is_space(c)) {
				col++;
				continue;
			}
			if (r->astate == 0) {
				r->astate = 1; /* the '[' */
				col++;
				continue;
			}
			if (c == ']' && r->astate != 0) {
				r->astate = 3;
				continue;
			}
			if (r->astate == 2) {
				if (c != ',') {
					r->rec_line = r->line;
					fb_error(err, "expected ',' or ']' between array elements");
					return JSONL_FATAL;
				}
				r->astate = 1;
				col++;
				continue;
			}
			started = 1;
			r->rec_line = r->line;
			r->rec_col = (int)col;
		}
		if (c == '\n')
			r->line++;
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0) {
				/* the closing ']' of the outer array ends a scalar element */
				r->pos--;
				r->consumed--;
				break;
			}
			depth--;
		} else if (c == ',' && depth == 0) {
			r->pos--;
			r->consumed--;
			break;
		}
		if (!too_long)
			sbuf_addc(&r->rec, c);
		if (r->rec.len > r->max_record)
			too_long = 1;
		if (depth == 0 && !in_str && (c == '}' || c == ']'))
			break;
	}
	r->astate = 2;
	if (too_long) {
		fb_error(err, "record longer than %zu MB: skipped", r->max_record >> 20);
		return JSONL_BAD;
	}
	/* trailing white space of a scalar element */
	while (r->rec.len && is_space(r->rec.buf[r->rec.len - 1]))
		r->rec.len--;
	if (check_utf8(r, r->rec.buf, r->rec.len, err) < 0)
		return JSONL_BAD;
	*rec = sbuf_str(&r->rec);
	*len = r->rec.len;
	return JSONL_RECORD;
}

enum jsonl_status jsonl_next(struct jsonl_reader *r, const char **rec, size_t *len,
			     struct fb_err *err)
{
	if (r->mode == 0) {
		int rc = decide_mode(r, err);

		if (rc < 0)
			return JSONL_FATAL;
		if (rc > 0)
			return JSONL_END;
	}
	return r->mode == 1 ? next_line(r, rec, len, err) : next_element(r, rec, len, err);
}
