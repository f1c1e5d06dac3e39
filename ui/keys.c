/* keys.c - the key table, key names, keys.conf; see keys.h. */
#include "keys.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct op_info {
	const char *name, *section, *keys, *help;
};

static const struct op_info ops[KEYS_OP_COUNT] = {
	[KEYS_OP_NONE] = {"none", "", "", ""},
#define KEYS_X_INFO(id, name, section, keys, help) [KEYS_OP_##id] = {name, section, keys, help},
	KEYS_OPS(KEYS_X_INFO)
#undef KEYS_X_INFO
};

/* Named keys; the first name of a key is the one shown. */
static const struct {
	const char *name;
	int key;
} names[] = {
	{"Up", KEYS_UP},         {"Down", KEYS_DOWN},         {"Left", KEYS_LEFT},
	{"Right", KEYS_RIGHT},   {"Home", KEYS_HOME},         {"End", KEYS_END},
	{"PgUp", KEYS_PGUP},     {"PageUp", KEYS_PGUP},       {"PgDn", KEYS_PGDN},
	{"PageDown", KEYS_PGDN}, {"Insert", KEYS_INSERT},     {"Ins", KEYS_INSERT},
	{"Delete", KEYS_DELETE}, {"Del", KEYS_DELETE},        {"Backspace", KEYS_BACKSPACE},
	{"BS", KEYS_BACKSPACE},  {"Enter", KEYS_ENTER},       {"Return", KEYS_ENTER},
	{"S-Tab", KEYS_BTAB},    {"BTab", KEYS_BTAB},         {"Tab", '\t'},
	{"Esc", 0x1B},           {"Escape", 0x1B},            {"Space", ' '},
};

static int op_ok(int op)
{
	return op > KEYS_OP_NONE && op < KEYS_OP_COUNT;
}

int keys_op_rating(int op)
{
	return op >= KEYS_OP_RATE_0 && op <= KEYS_OP_RATE_9 ? op - KEYS_OP_RATE_0 : -1;
}

const char *keys_op_name(int op)
{
	return op_ok(op) ? ops[op].name : NULL;
}

const char *keys_op_section(int op)
{
	return op_ok(op) ? ops[op].section : NULL;
}

const char *keys_op_help(int op)
{
	return op_ok(op) ? ops[op].help : NULL;
}

int keys_op_find(const char *name)
{
	int op;

	for (op = 1; op < KEYS_OP_COUNT; op++)
		if (!strcmp(ops[op].name, name))
			return op;
	return KEYS_OP_NONE;
}

/* ---- key names ---- */

/* "C-x": control codes only exist for letters and @ [ \ ] ^ _ (and Space = NUL). */
static int parse_ctrl(const char *s)
{
	int c;

	if (!strcasecmp(s, "Space"))
		return 0;
	if (!s[0] || s[1])
		return -1;
	c = toupper((unsigned char)s[0]);
	if (c == 'M' || c == 'J')
		return KEYS_ENTER;
	if (c == 'H' || c == '?') /* ^H and DEL: what terminals send for Backspace */
		return KEYS_BACKSPACE;
	if (c < '@' || c > '_')
		return -1;
	return KEYS_CTRL(c);
}

int keys_parse(const char *name)
{
	size_t len = strlen(name), i;
	uint32_t cp;
	long n;

	if (len == 0)
		return -1;
	if (len > 2 && (name[0] == 'M' || name[0] == 'm') && name[1] == '-') {
		int k = keys_parse(name + 2);
		return k < 0 || (k & KEYS_META) ? -1 : k | KEYS_META;
	}
	if (len > 2 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-')
		return parse_ctrl(name + 2);
	for (i = 0; i < ARRAY_LEN(names); i++)
		if (!strcasecmp(name, names[i].name))
			return names[i].key;
	if ((name[0] == 'F' || name[0] == 'f') && isdigit((unsigned char)name[1]) &&
	    parse_long(name + 1, &n) == 0 && n >= 1 && n <= KEYS_FMAX)
		return KEYS_F(n);
	/* one printable character, given as itself */
	if ((size_t)utf8_decode(name, len, &cp) != len || cp == 0xFFFD || cp <= ' ' ||
	    (cp >= 0x7F && cp <= 0x9F))
		return -1;
	return (int)cp;
}

char *keys_name(int key, char *buf, size_t size)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;
	int base = key & ~KEYS_META;

	if (key < 0 || base > KEYS_F(KEYS_FMAX)) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (key & KEYS_META)
		sbuf_adds(&sb, "M-");
	for (i = 0; i < ARRAY_LEN(names); i++)
		if (names[i].key == base)
			break;
	if (i < ARRAY_LEN(names))
		sbuf_adds(&sb, names[i].name);
	else if (base > KEYS_F0 && base <= KEYS_F(KEYS_FMAX))
		sbuf_addf(&sb, "F%d", base - KEYS_F0);
	else if (base >= KEYS_NAMED)
		sbuf_adds(&sb, "?");
	else if (base == 0)
		sbuf_adds(&sb, "C-Space");
	else if (base < 0x20)
		sbuf_addf(&sb, "C-%c", base + '@' + (base + '@' >= 'A' && base + '@' <= 'Z' ? 32 : 0));
	else if (base == 0x7F)
		sbuf_adds(&sb, "C-?");
	else
		utf8_encode(&sb, (uint32_t)base);
	snprintf(buf, size, "%s", sbuf_str(&sb));
	sbuf_release(&sb);
	return buf;
}

/* ---- the map ---- */

static void bind_defaults(struct keys_map *m, int op)
{
	const char *p = ops[op].keys;

	while (*p) {
		char name[32];
		size_t len = strcspn(p, " ");
		int key;

		if (len >= sizeof(name))
			fatal("keys: default key name too long for %s", ops[op].name);
		memcpy(name, p, len);
		name[len] = '\0';
		key = keys_parse(name);
		if (key < 0)
			fatal("keys: bad default key \"%s\" for %s", name, ops[op].name);
		keys_bind(m, key, op);
		p += len;
		p += strspn(p, " ");
	}
}

void keys_init(struct keys_map *m)
{
	int op;

	memset(m, 0, sizeof(*m));
	for (op = 1; op < KEYS_OP_COUNT; op++)
		bind_defaults(m, op);
}

void keys_release(struct keys_map *m)
{
	free(m->bind);
	memset(m, 0, sizeof(*m));
}

int keys_lookup(const struct keys_map *m, int key)
{
	size_t i;

	/* a few dozen bindings: a scan is faster than anything cleverer */
	for (i = 0; i < m->n; i++)
		if (m->bind[i].key == key)
			return m->bind[i].op;
	return KEYS_OP_NONE;
}

void keys_bind(struct keys_map *m, int key, int op)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (m->bind[i].key == key) {
			memmove(&m->bind[i], &m->bind[i + 1], (m->n - i - 1) * sizeof(*m->bind));
			m->n--;
			break;
		}
	}
	if (!op_ok(op))
		return;
	xgrow((void **)&m->bind, &m->cap, m->n + 1, sizeof(*m->bind));
	m->bind[m->n].key = key;
	m->bind[m->n].op = op;
	m->n++;
}

size_t keys_of(const struct keys_map *m, int op, int *keys, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < m->n; i++) {
		if (m->bind[i].op != op)
			continue;
		if (k < max)
			keys[k] = m->bind[i].key;
		k++;
	}
	return k;
}

/* ---- keys.conf ---- */

#define MAX_WORDS 4

/* Split line (modified in place) at blanks; returns the word count, up to MAX_WORDS + 1. */
static int split(char *line, char *word[MAX_WORDS + 1])
{
	int n = 0;
	char *p = line;

	for (;;) {
		p += strspn(p, " \t\r\f\v");
		if (!*p || n == MAX_WORDS + 1)
			return n;
		word[n++] = p;
		p += strcspn(p, " \t\r\f\v");
		if (*p)
			*p++ = '\0';
	}
}

/* One line; 0, or -1 with the reason in why. */
static int load_line(struct keys_map *m, char *line, struct sbuf *why)
{
	char *w[MAX_WORDS + 1];
	int n = split(line, w), key, op;

	if (n == 0 || w[0][0] == '#')
		return 0;
	if (strcmp(w[0], "bind") && strcmp(w[0], "unbind")) {
		sbuf_addf(why, "unknown directive \"%s\" (expected bind or unbind)", w[0]);
		return -1;
	}
	if (!strcmp(w[0], "bind") && n != 3) {
		sbuf_adds(why, "expected \"bind KEY OPERATION\"");
		return -1;
	}
	if (!strcmp(w[0], "unbind") && n != 2) {
		sbuf_adds(why, "expected \"unbind KEY\"");
		return -1;
	}
	key = keys_parse(w[1]);
	if (key < 0) {
		sbuf_addf(why, "unknown key \"%s\" (a character, C-x, M-x, F1, Up, Enter, ...)", w[1]);
		return -1;
	}
	if (n == 2) {
		keys_bind(m, key, KEYS_OP_NONE);
		return 0;
	}
	op = keys_op_find(w[2]);
	if (op == KEYS_OP_NONE) {
		sbuf_addf(why, "unknown operation \"%s\" (the help screen lists them)", w[2]);
		return -1;
	}
	keys_bind(m, key, op);
	return 0;
}

/* An operation the user cannot lose: without it they could not leave or learn. */
static int keep_reachable(struct keys_map *m, int op, struct sbuf *why)
{
	if (keys_of(m, op, NULL, 0))
		return 0;
	bind_defaults(m, op);
	if (!why->len)
		sbuf_addf(why, "no key left for %s; its default keys are kept", ops[op].name);
	return -1;
}

int keys_load_text(struct keys_map *m, const char *text, size_t len, const char *fname,
		   struct fb_err *err)
{
	struct sbuf line = SBUF_INIT, why = SBUF_INIT;
	size_t pos = 0, bad_off;
	long lineno = 0, first_bad = 0, nbad = 0;
	int rc = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		lineno++;
		sbuf_reset(&line);
		sbuf_add(&line, text + pos, end - pos);
		pos = end + 1;
		if (memchr(line.buf, '\0', line.len) || utf8_check(line.buf, line.len, &bad_off)) {
			if (!nbad++) {
				first_bad = lineno;
				sbuf_adds(&why, "not UTF-8 text");
			}
			continue;
		}
		if (nbad) {
			struct sbuf ignored = SBUF_INIT;
			if (load_line(m, line.buf, &ignored))
				nbad++;
			sbuf_release(&ignored);
		} else if (load_line(m, line.buf, &why)) {
			nbad++;
			first_bad = lineno;
		}
	}
	if (nbad) {
		if (nbad > 1)
			sbuf_addf(&why, " (and %ld more bad line%s)", nbad - 1, nbad > 2 ? "s" : "");
		fb_error(err, "%s:%ld: %s", fname, first_bad, sbuf_str(&why));
		rc = -1;
	}
	sbuf_reset(&why);
	if (keep_reachable(m, KEYS_OP_QUIT, &why) | keep_reachable(m, KEYS_OP_HELP, &why)) {
		if (!rc)
			fb_error(err, "%s: %s", fname, sbuf_str(&why));
		rc = -1;
	}
	sbuf_release(&line);
	sbuf_release(&why);
	return rc;
}

int keys_load_file(struct keys_map *m, const char *path, struct fb_err *err)
{
	char *text;
	size_t len;
	int rc;

	if (read_file(path, &text, &len, err))
		return -1;
	rc = keys_load_text(m, text, len, path, err);
	free(text);
	return rc;
}

char *keys_config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return xasprintf("%s/feedbench/keys.conf", xdg);
	if (home && home[0])
		return xasprintf("%s/.config/feedbench/keys.conf", home);
	return NULL;
}

int keys_load_config(struct keys_map *m, struct fb_err *err)
{
	char *path = keys_config_path();
	struct stat st;
	int rc = 0;

	if (path && stat(path, &st) == 0)
		rc = keys_load_file(m, path, err);
	free(path);
	return rc;
}

/* ---- help ---- */

/* Display columns of a key name (code points: key names hold no wide characters). */
static int name_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Whether ops [first, last) each have one key, single characters in a row, as 0..9 have. */
static int is_series(const struct keys_map *m, int first, int last)
{
	int op, key = 0, prev = 0;

	if (last - first < 3)
		return 0;
	for (op = first; op < last; op++) {
		if (keys_of(m, op, &key, 1) != 1 || key <= ' ' || key >= KEYS_NAMED ||
		    (op > first && key != prev + 1))
			return 0;
		prev = key;
	}
	return 1;
}

/* The keys of ops [first, last) as shown in the help: "0-9", "x Delete", "(unbound)". */
static void keys_column(const struct keys_map *m, int first, int last, struct sbuf *out)
{
	char name[32];
	size_t i, start = out->len;
	int op, key = 0;

	if (is_series(m, first, last)) {
		keys_of(m, first, &key, 1);
		sbuf_addf(out, "%s-", keys_name(key, name, sizeof(name)));
		keys_of(m, last - 1, &key, 1);
		sbuf_adds(out, keys_name(key, name, sizeof(name)));
		return;
	}
	for (op = first; op < last; op++) {
		for (i = 0; i < m->n; i++) {
			if (m->bind[i].op != op)
				continue;
			if (out->len > start)
				sbuf_addc(out, ' ');
			sbuf_adds(out, keys_name(m->bind[i].key, name, sizeof(name)));
		}
	}
	if (out->len == start)
		sbuf_adds(out, "(unbound)");
}

/* The end of the run of ops from first that share a section and a help text. */
static int run_end(int first)
{
	int op = first + 1;

	while (op < KEYS_OP_COUNT && !strcmp(ops[op].help, ops[first].help) &&
	       !strcmp(ops[op].section, ops[first].section))
		op++;
	return op;
}

#define HELP_KEYS_MAX 16 /* wider key lists push their help text along */

void keys_help(const struct keys_map *m, struct sbuf *out)
{
	struct sbuf col[KEYS_OP_COUNT];
	int op, end, width = 0;

	for (op = 1; op < KEYS_OP_COUNT; op = end) {
		end = run_end(op);
		sbuf_init(&col[op]);
		keys_column(m, op, end, &col[op]);
		if (name_cols(col[op].buf) > width)
			width = name_cols(col[op].buf);
	}
	if (width > HELP_KEYS_MAX)
		width = HELP_KEYS_MAX;
	for (op = 1; op < KEYS_OP_COUNT; op = end) {
		int pad;

		end = run_end(op);
		if (op == 1 || strcmp(ops[op].section, ops[op - 1].section))
			sbuf_addf(out, "%s%s\n", op == 1 ? "" : "\n", ops[op].section);
		sbuf_addf(out, "  %s", col[op].buf);
		for (pad = name_cols(col[op].buf); pad < width; pad++)
			sbuf_addc(out, ' ');
		sbuf_addf(out, "  %s [%s%s%s]\n", ops[op].help, ops[op].name,
			  end - op > 1 ? ".." : "", end - op > 1 ? ops[end - 1].name : "");
		sbuf_release(&col[op]);
	}
}
