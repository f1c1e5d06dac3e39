/*
 * util.h - the small things every feedbench module uses.
 *
 * Ownership rule for the whole project (written once, here): a function
 * that returns a pointer to heap memory says "caller frees" in its comment;
 * everything else returned is borrowed and lives as long as its owner.
 *
 * Allocation failure is never recovered from: the x*alloc family calls
 * fatal(), which runs the registered cleanup hook (the TUI uses it to give
 * the terminal back) and exits with status 3.
 */
#ifndef FB_UTIL_H
#define FB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FB_VERSION "0.1.0"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define FB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define FB_NORETURN __attribute__((noreturn))
#else
#define FB_PRINTF(f, a)
#define FB_NORETURN
#endif

/* Never return NULL: on failure they call fatal(). Caller frees. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) FB_PRINTF(1, 2);

/* Grow *p (holding *cap elements of size elsize) to hold at least need. */
void xgrow(void **p, size_t *cap, size_t need, size_t elsize);

/* Print "feedbench: msg" to stderr, run the cleanup hook, exit(3). */
FB_NORETURN void fatal(const char *fmt, ...) FB_PRINTF(1, 2);
/* Set the function fatal() calls before printing (NULL to clear). */
void fatal_set_cleanup(void (*fn)(void));

/*
 * An error message slot for recoverable errors.  Functions that can fail
 * take a struct fb_err *, fill it and return -1; callers print err.msg.
 * err may be NULL when the caller does not want the text.
 */
struct fb_err {
	char msg[1024];
};
int fb_error(struct fb_err *err, const char *fmt, ...) FB_PRINTF(2, 3);

/* A growable NUL-terminated byte string (git's strbuf, in miniature). */
struct sbuf {
	char *buf; /* always NUL-terminated once anything was added; owned */
	size_t len;
	size_t cap;
};
#define SBUF_INIT {NULL, 0, 0}
void sbuf_init(struct sbuf *sb);
void sbuf_release(struct sbuf *sb); /* frees and re-inits */
void sbuf_reset(struct sbuf *sb);   /* len = 0, keeps the memory */
void sbuf_grow(struct sbuf *sb, size_t extra);
void sbuf_add(struct sbuf *sb, const void *data, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addc(struct sbuf *sb, char c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) FB_PRINTF(2, 3);
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap);
/* Hand the buffer to the caller (caller frees; never NULL). */
char *sbuf_detach(struct sbuf *sb, size_t *len);
/* Borrowed C string; "" when empty. */
const char *sbuf_str(const struct sbuf *sb);

/*
 * UTF-8.  utf8_check returns 0 when s[0..n) is valid UTF-8 (no overlongs,
 * no surrogates, nothing above U+10FFFF), else -1 with *bad_off set to the
 * offset of the first bad byte.
 */
int utf8_check(const char *s, size_t n, size_t *bad_off);
/*
 * Decode one code point at s (n bytes available).  Returns its length
 * (1..4) and sets *cp; on an invalid sequence returns 1 and sets *cp to
 * U+FFFD, so callers always make progress.
 */
int utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Append cp as UTF-8. */
void utf8_encode(struct sbuf *sb, uint32_t cp);

/* SHA-256 of data as 64 lowercase hex digits into out[65]. */
void sha256_hex(const void *data, size_t n, char out[65]);

/* Current UTC time as ISO 8601 with milliseconds, into out[32]. */
void now_iso8601(char out[32]);
/* Monotonic clock in milliseconds. */
int64_t now_ms(void);

/* Read a whole file (caller frees *out); -1 with err on failure. */
int read_file(const char *path, char **out, size_t *len, struct fb_err *err);

/* Parse a whole decimal integer/number; 0 on success, -1 on junk. */
int parse_long(const char *s, long *out);
int parse_double(const char *s, double *out);

/* True when s starts with prefix. */
int starts_with(const char *s, const char *prefix);

/*
 * A deterministic pseudo-random generator (splitmix64 seeding a
 * xoshiro256**), so that shuffles and splits depend only on the seed.
 */
struct fb_rng {
	uint64_t s[4];
};
void rng_seed(struct fb_rng *r, uint64_t seed);
uint64_t rng_next(struct fb_rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t rng_below(struct fb_rng *r, uint64_t n);
/* Uniform double in [0, 1). */
double rng_double(struct fb_rng *r);

#endif
