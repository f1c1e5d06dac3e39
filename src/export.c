/* export.c - the export formats table, the pair writers and atomic output (see export.h). */
#include "export.h"

#include "native.h"
#include "pairs.h"
#include "progress.h"
#include "tab.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The split generator's salt: "split" in ASCII. */
#define SPLIT_SALT 0x73706c6974ull

/* ---- native ---- */

static int export_native(struct db *db, const struct export_opts *o, FILE *out,
			 struct fb_err *err)
{
	int64_t *ids;
	size_t n, i;
	struct progress pg;
	int rc = 0;

	if (sel_prompts(db, &o->sel, &ids, &n, err) < 0)
		return -1;
	progress_start(&pg, "export", 0, o->progress);
	/* one read transaction: a consistent snapshot even while others write */
	if (db_exec(db, "BEGIN", err) < 0) {
		free(ids);
		return -1;
	}
	for (i = 0; i < n; i++) {
		cJSON *j = native_prompt_json(db, ids[i], err);
		char *s;

		if (!j) {
			rc = -1;
			break;
		}
		s = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		if (!s)
			fatal("out of memory printing JSON");
		fputs(s, out);
		fputc('\n', out);
		free(s);
		progress_update(&pg, (long)i + 1, 0);
	}
	db_exec(db, "COMMIT", NULL);
	progress_end(&pg);
	free(ids);
	return rc;
}

/* ---- JSON pieces, written straight into a buffer ---- */

/*
 * What a format's writer gets for one prompt.  The prompt and responses
 * are escaped as JSON strings once per prompt (texts[]), however many
 * pairs repeat them.
 */
struct export_emit {
	struct sbuf *sb;          /* append lines here */
	const struct sbuf *prov;  /* the provenance object's fixed head */
	const struct pairs *ps;
	unsigned char *seen;      /* kto: 2 flags per completion, cleared per prompt */
	FILE *mem;                /* csv: csv_cell writes here, then it is moved to sb */
	char **membuf;
	size_t *memlen;
	const struct pairs_prompt *p;
	struct sbuf *texts;       /* escaped texts, quotes included */
	size_t *text_off;         /* per completion, then the prompt; NONE: not yet */
};

#define NONE ((size_t)-1)
#define ADDS(sb, lit) sbuf_add((sb), (lit), sizeof(lit) - 1)

/* 1 for bytes that JSON strings must escape. */
static unsigned char json_esc[256];

static void json_init(void)
{
	int c;

	for (c = 0; c < 0x20; c++)
		json_esc[c] = 1;
	json_esc['"'] = json_esc['\\'] = 1;
}

/* Nonzero when one of the 8 bytes in w is below 0x20, '"' or '\\' (may say so falsely). */
static uint64_t word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return ((w - ones * 0x20) | (q - ones) | (b - ones)) & ~w & high;
}

static void json_str(struct sbuf *sb, const char *s)
{
	size_t n, i = 0, run = 0;
	char *o;

	if (!s) {
		sbuf_add(sb, "null", 4);
		return;
	}
	n = strlen(s);
	/* worst case: every byte a six-byte \u escape, plus the quotes */
	sbuf_grow(sb, 6 * n + 2);
	o = sb->buf + sb->len;
	*o++ = '"';
	while (i < n) {
		unsigned char c;

		/* eight plain bytes at a time */
		if (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (!word_needs_escape(w)) {
				i += 8;
				continue;
			}
		}
		c = (unsigned char)s[i];
		if (!json_esc[c]) {
			i++;
			continue;
		}
		memcpy(o, s + run, i - run);
		o += i - run;
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		default:
			o += snprintf(o, 6, "u%04x", c);
		}
		run = ++i;
	}
	memcpy(o, s + run, n - run);
	o += n - run;
	*o++ = '"';
	*o = '\0';
	sb->len = (size_t)(o - sb->buf);
}

/* Completion i's response (i = p->n: the prompt) as a JSON string, escaped once. */
static void text(struct export_emit *e, size_t i)
{
	size_t *slot = &e->text_off[2 * i];

	if (slot[0] == NONE) {
		slot[0] = e->texts->len;
		json_str(e->texts, i == e->p->n ? e->p->instruction : e->p->c[i].response);
		slot[1] = e->texts->len - slot[0];
	}
	sbuf_add(e->sb, e->texts->buf + slot[0], slot[1]);
}


/*
 * The shortest decimal that reads back as v.  float_look adds ".0" to a
 * whole number so a column never mixes integers and floats.
 */
static void num(struct sbuf *sb, double v, int float_look)
{
	char buf[40];
	int n, prec;
	double q = v * 4;

	if (q == floor(q) && fabs(v) < 1e9) {
		/* quarters (ratings, half-point scores, means of four) need no search */
		static const char *const frac[] = {".0", ".25", ".5", ".75"};
		long long w = (long long)(fabs(q)) / 4;
		int k = (int)((long long)fabs(q) % 4);
		char *o = buf + sizeof(buf);

		do
			*--o = (char)('0' + w % 10);
		while ((w /= 10) > 0);
		if (v < 0)
			*--o = '-';
		sbuf_add(sb, o, (size_t)(buf + sizeof(buf) - o));
		if (k || float_look)
			sbuf_adds(sb, frac[k]);
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	n = snprintf(buf, sizeof(buf), "%.*g", prec, v);
	if (float_look && !strpbrk(buf, ".eEn"))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ".0");
	sbuf_add(sb, buf, (size_t)n);
}

/* {"role":ROLE,"content":TEXT} with completion i's response (i = n: the prompt) */
static void msg(struct export_emit *e, const char *role, size_t i)
{
	ADDS(e->sb, "{\"role\":\"");
	sbuf_adds(e->sb, role);
	ADDS(e->sb, "\",\"content\":");
	text(e, i);
	sbuf_addc(e->sb, '}');
}

/* [{"role":"user",...},{"role":"assistant",...}] */
static void conversation(struct export_emit *e, size_t i)
{
	sbuf_addc(e->sb, '[');
	msg(e, "user", e->p->n);
	sbuf_addc(e->sb, ',');
	msg(e, "assistant", i);
	sbuf_addc(e->sb, ']');
}

/* ,"provenance":{...}}\n closes every pair line */
static void provenance(struct export_emit *e, const struct pairs_prompt *p,
		       const struct pairs_pair *x)
{
	struct sbuf *sb = e->sb;

	sbuf_add(sb, e->prov->buf, e->prov->len);
	ADDS(sb, "\"aspect\":");
	json_str(sb, x->aspect);
	ADDS(sb, ",\"margin\":");
	num(sb, x->margin, 1);
	ADDS(sb, ",\"input_sha256\":\"");
	sbuf_add(sb, p->input_sha256, 64);
	ADDS(sb, "\"}}\n");
}

/* ---- the pair formats ---- */

static int fmt_h4(struct export_emit *e, const struct pairs_prompt *p, const struct pairs_pair *x)
{
	struct sbuf *sb = e->sb;

	ADDS(sb, "{\"prompt\":");
	text(e, p->n);
	ADDS(sb, ",\"prompt_id\":");
	json_str(sb, p->hash);
	ADDS(sb, ",\"chosen\":");
	conversation(e, x->chosen);
	ADDS(sb, ",\"rejected\":");
	conversation(e, x->rejected);
	ADDS(sb, ",\"messages\":");
	conversation(e, x->chosen);
	ADDS(sb, ",\"score_chosen\":");
	num(sb, x->chosen_score, 1);
	ADDS(sb, ",\"score_rejected\":");
	num(sb, x->rejected_score, 1);
	provenance(e, p, x);
	return 1;
}

static int fmt_argilla(struct export_emit *e, const struct pairs_prompt *p,
		       const struct pairs_pair *x)
{
	struct sbuf *sb = e->sb;

	ADDS(sb, "{\"source\":");
	json_str(sb, p->source);
	ADDS(sb, ",\"prompt\":");
	text(e, p->n);
	ADDS(sb, ",\"chosen\":");
	conversation(e, x->chosen);
	ADDS(sb, ",\"chosen-rating\":");
	num(sb, x->chosen_score, 1);
	ADDS(sb, ",\"chosen-model\":");
	json_str(sb, p->c[x->chosen].model);
	ADDS(sb, ",\"rejected\":");
	conversation(e, x->rejected);
	ADDS(sb, ",\"rejected-rating\":");
	num(sb, x->rejected_score, 1);
	ADDS(sb, ",\"rejected-model\":");
	json_str(sb, p->c[x->rejected].model);
	provenance(e, p, x);
	return 1;
}

static int fmt_trl(struct export_emit *e, const struct pairs_prompt *p, const struct pairs_pair *x)
{
	struct sbuf *sb = e->sb;

	ADDS(sb, "{\"prompt\":");
	text(e, p->n);
	ADDS(sb, ",\"chosen\":");
	text(e, x->chosen);
	ADDS(sb, ",\"rejected\":");
	text(e, x->rejected);
	provenance(e, p, x);
	return 1;
}

static int fmt_trl_chat(struct export_emit *e, const struct pairs_prompt *p,
			const struct pairs_pair *x)
{
	struct sbuf *sb = e->sb;

	ADDS(sb, "{\"prompt\":[");
	msg(e, "user", p->n);
	ADDS(sb, "],\"chosen\":[");
	msg(e, "assistant", x->chosen);
	ADDS(sb, "],\"rejected\":[");
	msg(e, "assistant", x->rejected);
	sbuf_addc(sb, ']');
	provenance(e, p, x);
	return 1;
}

/* Unpaired: the chosen one desirable, the rejected one not; each once per prompt and label. */
static int fmt_kto(struct export_emit *e, const struct pairs_prompt *p, const struct pairs_pair *x)
{
	size_t who[2] = {x->chosen, x->rejected};
	int k, lines = 0;

	for (k = 0; k < 2; k++) {
		unsigned char *seen = &e->seen[2 * who[k] + (size_t)k];

		if (*seen)
			continue;
		*seen = 1;
		ADDS(e->sb, "{\"prompt\":");
		text(e, p->n);
		ADDS(e->sb, ",\"completion\":");
		text(e, who[k]);
		if (k)
			ADDS(e->sb, ",\"label\":false");
		else
			ADDS(e->sb, ",\"label\":true");
		provenance(e, p, x);
		lines++;
	}
	return lines;
}

/* ---- the ratings table ---- */

static const char csv_header[] = "prompt_id,source,prompt,completion,model,response,rater,aspect,"
				 "value\n";

static int fmt_csv(struct export_emit *e, const struct pairs_prompt *p)
{
	size_t nr = pairs_nraters(e->ps), nf = pairs_nfields(e->ps), i, r, f;
	FILE *m = e->mem;
	int rows = 0;

	rewind(m);
	for (i = 0; i < p->n; i++) {
		const struct pairs_completion *c = &p->c[i];
		char idx[24];

		snprintf(idx, sizeof(idx), "%d", c->idx);
		for (r = 0; r < nr; r++)
			for (f = 0; f < nf; f++) {
				const struct pairs_cell *x = &p->grid[(i * nr + r) * nf + f];
				struct sbuf v = SBUF_INIT;

				if (x->state == PAIRS_NONE)
					continue;
				csv_cell(m, p->hash, 0);
				fputc(',', m);
				csv_cell(m, p->source, 0);
				fputc(',', m);
				csv_cell(m, p->instruction, 0);
				fputc(',', m);
				csv_cell(m, idx, 1);
				fputc(',', m);
				csv_cell(m, c->model, 0);
				fputc(',', m);
				csv_cell(m, c->response, 0);
				fputc(',', m);
				csv_cell(m, pairs_rater_name(e->ps, r), 0);
				fputc(',', m);
				csv_cell(m, pairs_field_name(e->ps, f), 0);
				fputc(',', m);
				if (x->state == PAIRS_VALUE) {
					num(&v, x->v, 0);
					csv_cell(m, v.buf, 1);
				} else if (x->state == PAIRS_NA) {
					csv_cell(m, "N/A", 0);
				}
				fputc('\n', m);
				sbuf_release(&v);
				rows++;
			}
	}
	if (fflush(m) != 0)
		fatal("writing CSV rows to memory: %s", strerror(errno));
	sbuf_add(e->sb, *e->membuf, *e->memlen);
	return rows;
}

const struct export_format export_formats[] = {
	{"feedbench", "lossless JSONL, one prompt per line (import reads it back)", EXPORT_NATIVE,
	 ".jsonl", export_native, NULL, NULL, NULL},
	{"h4", "HuggingFaceH4/ultrafeedback_binarized rows, scores included",
	 EXPORT_PAIRS, ".jsonl", NULL, fmt_h4, NULL, NULL},
	{"argilla", "Argilla ultrafeedback-binarized-preferences-cleaned rows", EXPORT_PAIRS, ".jsonl", NULL, fmt_argilla, NULL, NULL},
	{"trl", "TRL standard preference: prompt, chosen, rejected as strings", EXPORT_PAIRS,
	 ".jsonl", NULL, fmt_trl, NULL, NULL},
	{"trl-chat", "TRL conversational: prompt, chosen, rejected as message lists",
	 EXPORT_PAIRS, ".jsonl", NULL, fmt_trl_chat, NULL, NULL},
	{"kto", "TRL unpaired (KTO): prompt, completion, label", EXPORT_PAIRS, ".jsonl", NULL,
	 fmt_kto, NULL, NULL},
	{"csv", "one row per rating and critique score (spreadsheets, pandas)",
	 EXPORT_RATINGS, ".csv", NULL, NULL, csv_header, fmt_csv},
	{NULL, NULL, EXPORT_NATIVE, NULL, NULL, NULL, NULL, NULL},
};

const struct export_format *export_format_find(const char *name)
{
	const struct export_format *f;

	for (f = export_formats; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* ---- atomic files ---- */

int export_file_open(struct export_file *ef, const char *path, struct fb_err *err)
{
	mode_t mask;
	int fd;

	memset(ef, 0, sizeof(*ef));
	if (!path || !strcmp(path, "-")) {
		ef->f = stdout;
		return 0;
	}
	ef->path = xstrdup(path);
	ef->tmp = xasprintf("%s.tmp-XXXXXX", path);
	fd = mkstemp(ef->tmp);
	if (fd < 0) {
		fb_error(err, "%s: cannot create: %s", path, strerror(errno));
		free(ef->path);
		free(ef->tmp);
		memset(ef, 0, sizeof(*ef));
		return -1;
	}
	/* mkstemp makes the file private; the export gets the usual permissions */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		fb_error(err, "%s: %s", ef->tmp, strerror(errno));
		close(fd);
		export_file_abort(ef);
		return -1;
	}
	ef->f = fdopen(fd, "w");
	if (!ef->f)
		fatal("fdopen: %s", strerror(errno));
	return 0;
}

int export_file_commit(struct export_file *ef, struct fb_err *err)
{
	int bad;

	if (!ef->path) {
		if (fflush(stdout) != 0)
			return fb_error(err, "writing to standard output: %s", strerror(errno));
		return 0;
	}
	/* no fsync: see export.h */
	bad = fflush(ef->f) != 0 || ferror(ef->f);
	bad |= fclose(ef->f) != 0;
	ef->f = NULL;
	if (bad || rename(ef->tmp, ef->path) != 0) {
		fb_error(err, "%s: %s", ef->path, strerror(errno));
		export_file_abort(ef);
		return -1;
	}
	free(ef->path);
	free(ef->tmp);
	memset(ef, 0, sizeof(*ef));
	return 0;
}

void export_file_abort(struct export_file *ef)
{
	if (ef->path) {
		if (ef->f)
			fclose(ef->f);
		unlink(ef->tmp);
		free(ef->path);
		free(ef->tmp);
	}
	memset(ef, 0, sizeof(*ef));
}

/* ---- the writer: pairs or rows, straight out or through a spool ---- */

/* A spooled chunk: one pair's lines (or one prompt's rows). */
struct frame {
	uint64_t seq; /* the prompt's rank among written prompts */
	double margin;
	uint64_t len;
	uint64_t lines;
};

/* Easy-to-hard order: where a chunk sits in the spool. */
struct chunk_ref {
	double margin;
	uint64_t off, len, lines;
};

enum { OUT_ALL, OUT_TRAIN, OUT_TEST, NOUT };
static const char *const out_names[NOUT] = {"all", "train", "test"};

struct writer {
	const struct export_format *fmt;
	const struct export_opts *o;
	struct pairs *ps;
	FILE *direct; /* when not spooling */
	FILE *spool;
	struct sbuf blk, prov;
	unsigned char *seen;
	size_t seen_cap;
	FILE *mem;
	char *membuf;
	size_t memlen;
	struct sbuf texts;
	size_t *text_off, text_cap;
	long prompts, lines, chunks; /* written prompts, lines, pairs */
	/* per output file, for the manifest */
	long f_prompts[NOUT], f_pairs[NOUT], f_lines[NOUT];
	char *path[NOUT];
	int used[NOUT];
};

static int write_all(FILE *f, const void *p, size_t n, const char *what, struct fb_err *err)
{
	if (n && fwrite(p, 1, n, f) != n)
		return fb_error(err, "writing %s: %s", what, strerror(errno));
	return 0;
}

static int spool_chunk(struct writer *w, double margin, size_t from, int lines,
		       struct fb_err *err)
{
	struct frame fr;

	fr.seq = (uint64_t)w->prompts;
	fr.margin = margin;
	fr.len = w->blk.len - from;
	fr.lines = (uint64_t)lines;
	if (write_all(w->spool, &fr, sizeof(fr), "the spool file", err) < 0 ||
	    write_all(w->spool, w->blk.buf + from, fr.len, "the spool file", err) < 0)
		return -1;
	return 0;
}

static int on_prompt(void *ctx, const struct pairs_prompt *p, const struct pairs_pair *x,
		     size_t n, struct fb_err *err)
{
	struct writer *w = ctx;
	struct export_emit e = {
		.sb = &w->blk, .prov = &w->prov, .ps = w->ps, .mem = w->mem,
		.membuf = &w->membuf, .memlen = &w->memlen, .p = p, .texts = &w->texts,
	};
	long lines = 0, chunks = 0;
	size_t i;

	sbuf_reset(&w->blk);
	sbuf_reset(&w->texts);
	xgrow((void **)&w->text_off, &w->text_cap, 2 * (p->n + 1), sizeof(size_t));
	for (i = 0; i < 2 * (p->n + 1); i++)
		w->text_off[i] = NONE;
	e.text_off = w->text_off;
	if (w->fmt->kind == EXPORT_RATINGS) {
		lines = w->fmt->rows(&e, p);
		if (lines && w->spool && spool_chunk(w, 0, 0, (int)lines, err) < 0)
			return -1;
	} else {
		xgrow((void **)&w->seen, &w->seen_cap, 2 * p->n + 1, 1);
		memset(w->seen, 0, 2 * p->n);
		e.seen = w->seen;
		for (i = 0; i < n; i++) {
			size_t from = w->blk.len;
			int k = w->fmt->pair(&e, p, &x[i]);

			/* kto may write nothing for a pair (its lines already written):
			 * the pair is still counted, and spooled empty to be counted per file */
			if (w->spool && spool_chunk(w, x[i].margin, from, k, err) < 0)
				return -1;
			lines += k;
			chunks++;
		}
	}
	if (!lines)
		return 0;
	if (!w->spool && write_all(w->direct, w->blk.buf, w->blk.len, "the output", err) < 0)
		return -1;
	w->prompts++;
	w->lines += lines;
	w->chunks += chunks;
	if (!w->spool) { /* spooled chunks are counted per file when copied out */
		w->f_prompts[OUT_ALL]++;
		w->f_lines[OUT_ALL] += lines;
		w->f_pairs[OUT_ALL] += chunks;
	}
	return 0;
}

/* The fixed head of every pair's provenance object. */
static void provenance_head(struct writer *w, const struct pairs_preset *preset, int ties_keep,
			    uint64_t seed)
{
	struct sbuf *sb = &w->prov;
	const struct export_opts *o = w->o;
	size_t i;

	ADDS(sb, ",\"provenance\":{\"preset\":");
	json_str(sb, preset ? preset->name : NULL);
	ADDS(sb, ",\"strategy\":");
	json_str(sb, pairs_strategy_name(w->ps));
	ADDS(sb, ",\"score\":");
	json_str(sb, pairs_score_text(w->ps));
	ADDS(sb, ",\"raters\":[");
	for (i = 0; i < pairs_nraters(w->ps); i++) {
		if (i)
			sbuf_addc(sb, ',');
		json_str(sb, pairs_rater_name(w->ps, i));
	}
	ADDS(sb, "],\"ties\":");
	json_str(sb, ties_keep ? "keep" : "drop");
	ADDS(sb, ",\"min_margin\":");
	if (o->has_min_margin)
		num(sb, o->min_margin, 1);
	else
		ADDS(sb, "null");
	sbuf_addf(sb, ",\"only_agreed\":%s,\"seed\":%llu,\"feedbench\":",
		  o->only_agreed ? "true" : "false", (unsigned long long)seed);
	json_str(sb, FB_VERSION);
	ADDS(sb, ",\"dataset\":");
	json_str(sb, o->sel.dataset);
	sbuf_addc(sb, ',');
}

int export_parse_test_size(const char *s, long *n, double *frac)
{
	*n = 0;
	*frac = 0;
	if (parse_long(s, n) == 0)
		return *n >= 1 ? 0 : -1;
	if (parse_double(s, frac) == 0 && *frac > 0 && *frac < 1)
		return 0;
	return -1;
}

/* STEM: the output path without the format's extension. */
static char *stem_of(const char *out, const char *ext)
{
	size_t n = strlen(out), e = strlen(ext);

	if (n > e && !strcmp(out + n - e, ext))
		n -= e;
	return xstrndup(out, n);
}

static int by_margin(const void *a, const void *b)
{
	const struct chunk_ref *x = a, *y = b;

	/* larger margins first, then the order they were written in */
	if (x->margin != y->margin)
		return x->margin > y->margin ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Copy chunk refs out of the spool in easy-to-hard order. */
static int write_sorted(FILE *spool, FILE *out, struct chunk_ref *refs, size_t n,
			struct sbuf *buf, struct fb_err *err)
{
	size_t i;

	qsort(refs, n, sizeof(*refs), by_margin);
	for (i = 0; i < n; i++) {
		sbuf_reset(buf);
		sbuf_grow(buf, refs[i].len);
		if (fseeko(spool, (off_t)refs[i].off, SEEK_SET) != 0 ||
		    fread(buf->buf, 1, refs[i].len, spool) != refs[i].len)
			return fb_error(err, "reading the spool file back: %s", strerror(errno));
		if (write_all(out, buf->buf, refs[i].len, "the output", err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Second pass over the spool: each prompt goes to train or test by
 * selection sampling (exactly ntest of the written prompts land in test),
 * then chunks are copied out, or indexed and copied in margin order.
 */
static int unspool(struct writer *w, struct export_file *files, int split, long ntest,
		   uint64_t seed, struct fb_err *err)
{
	struct chunk_ref *refs[NOUT] = {NULL, NULL, NULL};
	size_t nrefs[NOUT] = {0, 0, 0}, caps[NOUT] = {0, 0, 0};
	struct sbuf buf = SBUF_INIT;
	struct fb_rng rng;
	struct frame fr;
	uint64_t seq = UINT64_MAX;
	long seen = 0, taken = 0;
	int dest = OUT_ALL, rc = 0, k;

	rng_seed(&rng, seed ^ SPLIT_SALT);
	if (fflush(w->spool) != 0 || fseeko(w->spool, 0, SEEK_SET) != 0)
		return fb_error(err, "rewinding the spool file: %s", strerror(errno));
	while (fread(&fr, sizeof(fr), 1, w->spool) == 1) {
		off_t at = ftello(w->spool);

		if (fr.seq != seq) {
			seq = fr.seq;
			if (split) {
				int test = rng_below(&rng, (uint64_t)(w->prompts - seen)) <
					   (uint64_t)(ntest - taken);

				seen++;
				taken += test;
				dest = test ? OUT_TEST : OUT_TRAIN;
			}
			w->f_prompts[dest]++;
		}
		w->f_lines[dest] += (long)fr.lines;
		w->f_pairs[dest] += w->fmt->kind == EXPORT_PAIRS;
		if (w->o->easy_to_hard) {
			xgrow((void **)&refs[dest], &caps[dest], nrefs[dest] + 1, sizeof(**refs));
			refs[dest][nrefs[dest]++] = (struct chunk_ref){fr.margin, (uint64_t)at,
									fr.len, fr.lines};
			if (fseeko(w->spool, (off_t)fr.len, SEEK_CUR) != 0) {
				rc = fb_error(err, "reading the spool file: %s", strerror(errno));
				break;
			}
			continue;
		}
		sbuf_reset(&buf);
		sbuf_grow(&buf, fr.len);
		if (fread(buf.buf, 1, fr.len, w->spool) != fr.len) {
			rc = fb_error(err, "reading the spool file back: truncated");
			break;
		}
		if ((rc = write_all(files[dest].f, buf.buf, fr.len, "the output", err)) < 0)
			break;
	}
	if (!rc && ferror(w->spool))
		rc = fb_error(err, "reading the spool file: %s", strerror(errno));
	for (k = 0; k < NOUT && !rc; k++)
		if (w->used[k] && w->o->easy_to_hard)
			rc = write_sorted(w->spool, files[k].f, refs[k], nrefs[k], &buf, err);
	for (k = 0; k < NOUT; k++)
		free(refs[k]);
	sbuf_release(&buf);
	return rc;
}

/* An unlinked read-write temporary file beside the output. */
static FILE *spool_open(const char *stem, struct fb_err *err)
{
	char *path = xasprintf("%s.spool-XXXXXX", stem);
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0) {
		fb_error(err, "%s: cannot create a spool file: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	unlink(path);
	free(path);
	f = fdopen(fd, "w+");
	if (!f)
		fatal("fdopen: %s", strerror(errno));
	return f;
}

/* ---- the manifest ---- */

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static const char random_doc[] =
	"per prompt, rng_seed(seed XOR the first 64 bits of the prompt's SHA-256); best-random "
	"and per-aspect draw rng_below(k) once per selection over the k eligible candidates in "
	"completion order (per aspect in rubric order); the split draws rng_below(prompts left) "
	"per written prompt from rng_seed(seed XOR 0x73706c6974) and sends it to test when the "
	"draw is below the test places left";
static const char digest_doc[] =
	"SHA-256 chain over every prompt seen, from 64 zeros: D = sha256(D + prompt digest); a "
	"prompt digest hashes its SHA-256 and source, each completion's idx, response SHA-256 "
	"and model, and every score read (rater, field, value; names sorted); pairs carry their "
	"prompt's digest as input_sha256";

static cJSON *manifest(struct writer *w, const struct pairs_preset *preset, int ties_keep,
		       uint64_t seed)
{
	const struct export_opts *o = w->o;
	const struct pairs_counts *c = pairs_get_counts(w->ps);
	cJSON *m = cJSON_CreateObject(), *a, *x;
	const char *xsha;
	long xn;
	size_t i;
	int pairs = w->fmt->kind == EXPORT_PAIRS, k;
	char seedbuf[32];

	cJSON_AddStringToObject(m, "feedbench", FB_VERSION);
	cJSON_AddStringToObject(m, "format", w->fmt->name);
	cJSON_AddItemToObject(m, "preset", str_or_null(preset ? preset->name : NULL));
	cJSON_AddItemToObject(m, "strategy", str_or_null(pairs_strategy_name(w->ps)));
	cJSON_AddItemToObject(m, "score", str_or_null(pairs ? pairs_score_text(w->ps) : NULL));
	a = cJSON_AddArrayToObject(m, "raters");
	for (i = 0; i < pairs_nraters(w->ps); i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(pairs_rater_name(w->ps, i)));
	cJSON_AddItemToObject(m, "ties", str_or_null(pairs ? (ties_keep ? "keep" : "drop") : NULL));
	cJSON_AddItemToObject(m, "min_margin", o->has_min_margin ? cJSON_CreateNumber(o->min_margin)
								  : cJSON_CreateNull());
	cJSON_AddBoolToObject(m, "only_agreed", o->only_agreed);
	cJSON_AddBoolToObject(m, "easy_to_hard", o->easy_to_hard);
	snprintf(seedbuf, sizeof(seedbuf), "%llu", (unsigned long long)seed);
	cJSON_AddItemToObject(m, "seed", cJSON_CreateRaw(seedbuf));
	cJSON_AddItemToObject(m, "dataset", str_or_null(o->sel.dataset));
	cJSON_AddItemToObject(m, "source", str_or_null(o->sel.source));
	a = cJSON_AddArrayToObject(m, "exclude_sources");
	if (preset)
		for (i = 0; preset->exclude_sources[i]; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(preset->exclude_sources[i]));
	for (i = 0; i < o->nexclude_sources; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(o->exclude_sources[i]));
	xsha = pairs_exclude_sha256(w->ps, &xn);
	if (xsha) {
		x = cJSON_AddObjectToObject(m, "exclude_prompts");
		cJSON_AddStringToObject(x, "file", base_name(o->exclude_prompts));
		cJSON_AddStringToObject(x, "sha256", xsha);
		cJSON_AddNumberToObject(x, "prompts", (double)xn);
	} else {
		cJSON_AddNullToObject(m, "exclude_prompts");
	}
	cJSON_AddBoolToObject(m, "exclude_flagged", o->exclude_flagged);
	cJSON_AddItemToObject(m, "test_size", str_or_null(o->test_size));
	cJSON_AddStringToObject(m, "input_sha256", pairs_input_sha256(w->ps));
	cJSON_AddStringToObject(m, "input_digest", digest_doc);
	cJSON_AddStringToObject(m, "random", random_doc);
	a = cJSON_AddArrayToObject(m, "files");
	for (k = 0; k < NOUT; k++) {
		if (!w->used[k])
			continue;
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "path", base_name(w->path[k]));
		cJSON_AddStringToObject(x, "split", out_names[k]);
		cJSON_AddNumberToObject(x, "prompts", (double)w->f_prompts[k]);
		if (pairs)
			cJSON_AddNumberToObject(x, "pairs", (double)w->f_pairs[k]);
		cJSON_AddNumberToObject(x, "lines", (double)w->f_lines[k]);
		cJSON_AddItemToArray(a, x);
	}
	x = cJSON_AddObjectToObject(m, "counts");
	cJSON_AddNumberToObject(x, "prompts_seen", (double)c->prompts_seen);
	cJSON_AddNumberToObject(x, "prompts_written", (double)w->prompts);
	if (pairs)
		cJSON_AddNumberToObject(x, "pairs_written", (double)w->chunks);
	cJSON_AddNumberToObject(x, "lines_written", (double)w->lines);
	if (pairs)
		cJSON_AddNumberToObject(x, "completions_without_score",
					(double)c->completions_unscored);
	a = cJSON_AddObjectToObject(x, "dropped_prompts");
	for (k = 0; k < PAIRS_NREASONS; k++)
		if (pairs || k < PAIRS_R_MISSING)
			cJSON_AddNumberToObject(a, pairs_reason_names[k], (double)c->dropped[k]);
	if (pairs) {
		a = cJSON_AddObjectToObject(x, "refused_candidates");
		for (k = PAIRS_R_TIE; k < PAIRS_NREASONS; k++)
			cJSON_AddNumberToObject(a, pairs_reason_names[k], (double)c->candidates[k]);
	}
	return m;
}

static void summary(const struct writer *w)
{
	const struct pairs_counts *c = pairs_get_counts(w->ps);
	int k, any = 0;

	if (w->fmt->kind == EXPORT_PAIRS)
		fprintf(stderr, "export: %ld pairs from %ld prompts (%ld seen)", w->chunks,
			w->prompts, c->prompts_seen);
	else
		fprintf(stderr, "export: %ld rows from %ld prompts (%ld seen)", w->lines,
			w->prompts, c->prompts_seen);
	for (k = 0; k < PAIRS_NREASONS; k++)
		if (c->dropped[k])
			fprintf(stderr, "%s%ld %s", any++ ? ", " : "; dropped: ", c->dropped[k],
				pairs_reason_names[k]);
	if (w->used[OUT_TRAIN])
		fprintf(stderr, "; train %ld prompts, test %ld", w->f_prompts[OUT_TRAIN],
			w->f_prompts[OUT_TEST]);
	fputc('\n', stderr);
}

/* ---- checking the options ---- */

struct plan {
	const struct export_format *fmt;
	const struct pairs_preset *preset;
	int ties_keep;
	uint64_t seed;
	char **raters; /* owned */
	size_t nraters;
	const char **sources; /* preset's then the user's (borrowed) */
	size_t nsources;
	long test_n;
	double test_frac;
};

static void plan_free(struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->nraters; i++)
		free(pl->raters[i]);
	free(pl->raters);
	free(pl->sources);
}

/* The options the chosen format cannot honour: the first one given, or NULL. */
static const char *misfit(const struct export_opts *o, enum export_kind kind)
{
	if (kind == EXPORT_PAIRS)
		return NULL;
	if (o->preset)
		return "--preset";
	if (o->strategy)
		return "--strategy";
	if (o->score)
		return "--score";
	if (o->has_min_margin)
		return "--min-margin";
	if (o->ties >= 0)
		return "--ties";
	if (o->only_agreed)
		return "--only-agreed";
	if (o->easy_to_hard)
		return "--easy-to-hard";
	if (kind == EXPORT_RATINGS)
		return NULL;
	if (o->rater)
		return "--rater";
	if (o->consensus)
		return "--consensus";
	if (o->nexclude_sources)
		return "--exclude-source";
	if (o->exclude_prompts)
		return "--exclude-prompts";
	if (o->exclude_flagged)
		return "--exclude-flagged";
	if (o->test_size)
		return "--test-size";
	if (o->has_seed)
		return "--seed";
	return NULL;
}

static int plan_make(struct plan *pl, const struct export_opts *o, struct fb_err *err)
{
	const char *bad, *fmt = o->format;
	size_t i;

	memset(pl, 0, sizeof(*pl));
	if (o->preset) {
		if (!(pl->preset = pairs_preset_find(o->preset)))
			return fb_error(err, "unknown preset '%s'", o->preset), 2;
		if (o->strategy || o->score || o->ties >= 0)
			return fb_error(err, "--preset %s fixes the strategy, score and ties: leave "
					     "out --strategy, --score and --ties, or the preset",
					pl->preset->name),
			       2;
		if (!fmt)
			fmt = pl->preset->format;
	}
	if (!fmt)
		return fb_error(err, "--format is required (or a --preset)"), 2;
	if (!(pl->fmt = export_format_find(fmt)))
		return fb_error(err, "unknown format '%s'", fmt), 2;
	if ((bad = misfit(o, pl->fmt->kind)))
		return fb_error(err, "%s does not apply to --format %s", bad, pl->fmt->name), 2;
	if (o->strategy && !pairs_strategy_find(o->strategy))
		return fb_error(err, "unknown strategy '%s'", o->strategy), 2;
	if (o->rater && o->consensus)
		return fb_error(err, "--rater and --consensus exclude each other"), 2;
	if (o->test_size) {
		if (export_parse_test_size(o->test_size, &pl->test_n, &pl->test_frac) < 0)
			return fb_error(err, "--test-size takes a number of prompts or a fraction "
					     "between 0 and 1"),
			       2;
		if (!o->out || !strcmp(o->out, "-"))
			return fb_error(err, "--test-size writes two files: give -o STEM"), 2;
	}
	if (o->easy_to_hard && (!o->out || !strcmp(o->out, "-")))
		return fb_error(err, "--easy-to-hard reorders through a spool file: give -o FILE"),
		       2;
	pl->ties_keep = o->ties >= 0 ? o->ties : pl->preset ? pl->preset->ties_keep : 0;
	pl->seed = o->has_seed ? o->seed : pl->preset ? pl->preset->seed : 42;
	if (o->rater) {
		pl->raters = xcalloc(1, sizeof(char *));
		pl->raters[pl->nraters++] = xstrdup(o->rater);
	} else if (o->consensus) {
		char *copy = xstrdup(o->consensus), *tok, *save = NULL;

		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			pl->raters = xrealloc(pl->raters, (pl->nraters + 1) * sizeof(char *));
			pl->raters[pl->nraters++] = xstrdup(tok);
		}
		free(copy);
		if (pl->nraters < 2)
			return fb_error(err, "--consensus takes two raters or more: R1,R2"), 2;
	}
	for (i = 0; pl->preset && pl->preset->exclude_sources[i]; i++)
		;
	pl->sources = xcalloc(o->nexclude_sources + i + 1, sizeof(char *));
	if (pl->preset)
		for (i = 0; pl->preset->exclude_sources[i]; i++)
			pl->sources[pl->nsources++] = pl->preset->exclude_sources[i];
	for (i = 0; i < o->nexclude_sources; i++)
		pl->sources[pl->nsources++] = o->exclude_sources[i];
	return 0;
}

/* ---- running ---- */

/*
 * Rename the data files, then the manifest.  On a failure nothing stays:
 * the files already renamed are removed and the others aborted.
 */
static int commit_all(struct export_file *files, struct writer *w, struct export_file *mf,
		      struct fb_err *err)
{
	int k, j;

	for (k = 0; k < NOUT; k++) {
		if (!w->used[k])
			continue;
		if (export_file_commit(&files[k], err) < 0)
			goto undo;
	}
	if (mf && export_file_commit(mf, err) < 0)
		goto undo;
	return 0;
undo:
	for (j = 0; j < NOUT; j++) {
		if (!w->used[j])
			continue;
		if (j < k && w->path[j])
			unlink(w->path[j]);
		else
			export_file_abort(&files[j]);
	}
	if (mf && k < NOUT)
		export_file_abort(mf);
	return -1;
}

static int export_pairs(struct db *db, const struct export_opts *o, const struct plan *pl,
			struct fb_err *err)
{
	struct pairs_opts po;
	struct writer w;
	struct export_file files[NOUT], mf;
	int tostdout = !o->out || !strcmp(o->out, "-"), split = pl->test_n || pl->test_frac;
	char *stem = NULL, *mpath = NULL;
	long ntest = pl->test_n;
	int rc = -1, k, have_mf = 0;

	memset(&po, 0, sizeof(po));
	memset(&w, 0, sizeof(w));
	memset(files, 0, sizeof(files));
	po.strategy = pl->fmt->kind == EXPORT_PAIRS
			      ? (pl->preset ? pl->preset->strategy
					    : o->strategy ? o->strategy : "best-random")
			      : NULL;
	po.score = pl->preset ? pl->preset->score : o->score;
	po.raters = (const char *const *)pl->raters;
	po.nraters = pl->nraters;
	po.only_agreed = o->only_agreed;
	po.ties_keep = pl->ties_keep;
	po.has_min_margin = o->has_min_margin;
	po.min_margin = o->min_margin;
	po.exclude_sources = pl->sources;
	po.nexclude_sources = pl->nsources;
	po.exclude_prompts = o->exclude_prompts;
	po.exclude_flagged = o->exclude_flagged;
	po.seed = pl->seed;
	po.sel = o->sel;
	po.load_all = pl->fmt->kind == EXPORT_RATINGS;
	po.progress = o->progress;
	if (!(w.ps = pairs_new(db, &po, err)))
		return -1;
	w.fmt = pl->fmt;
	w.o = o;
	json_init();
	provenance_head(&w, pl->preset, pl->ties_keep, pl->seed);
	if (w.fmt->kind == EXPORT_RATINGS && !(w.mem = open_memstream(&w.membuf, &w.memlen)))
		fatal("open_memstream: %s", strerror(errno));
	if (!tostdout)
		stem = stem_of(o->out, w.fmt->ext);
	/* the data files */
	if (split) {
		w.path[OUT_TRAIN] = xasprintf("%s.train%s", stem, w.fmt->ext);
		w.path[OUT_TEST] = xasprintf("%s.test%s", stem, w.fmt->ext);
		w.used[OUT_TRAIN] = w.used[OUT_TEST] = 1;
	} else {
		w.path[OUT_ALL] = tostdout ? NULL : xstrdup(o->out);
		w.used[OUT_ALL] = 1;
	}
	for (k = 0; k < NOUT; k++) {
		if (!w.used[k])
			continue;
		if (export_file_open(&files[k], w.path[k], err) < 0)
			goto out;
		setvbuf(files[k].f, NULL, _IOFBF, 1 << 20);
		if (w.fmt->header && write_all(files[k].f, w.fmt->header, strlen(w.fmt->header),
					       "the output", err) < 0)
			goto out;
	}
	if (split || o->easy_to_hard) {
		if (!(w.spool = spool_open(stem, err)))
			goto out;
		setvbuf(w.spool, NULL, _IOFBF, 1 << 20);
	} else {
		w.direct = files[OUT_ALL].f;
	}
	if (pairs_run(w.ps, on_prompt, &w, err) < 0)
		goto out;
	if (split) {
		if (pl->test_frac)
			ntest = (long)floor(pl->test_frac * (double)w.prompts + 0.5);
		if (ntest < 1 || ntest >= w.prompts) {
			fb_error(err, "--test-size %s: %ld of the %ld written prompts would go to test; "
				      "both splits need at least one",
				 o->test_size, ntest, w.prompts);
			goto out;
		}
	}
	if (w.spool && unspool(&w, files, split, ntest, pl->seed, err) < 0)
		goto out;
	if (!tostdout) {
		cJSON *m = manifest(&w, pl->preset, pl->ties_keep, pl->seed);
		char *s = cJSON_Print(m);

		cJSON_Delete(m);
		if (!s)
			fatal("out of memory printing JSON");
		mpath = xasprintf("%s.manifest.json", stem);
		if (export_file_open(&mf, mpath, err) < 0) {
			free(s);
			goto out;
		}
		have_mf = 1;
		fputs(s, mf.f);
		fputc('\n', mf.f);
		free(s);
	}
	if (commit_all(files, &w, have_mf ? &mf : NULL, err) < 0) {
		have_mf = 0;
		memset(files, 0, sizeof(files));
		goto out;
	}
	have_mf = 0;
	memset(files, 0, sizeof(files));
	summary(&w);
	rc = 0;
out:
	for (k = 0; k < NOUT; k++) {
		if (files[k].f && files[k].path)
			export_file_abort(&files[k]);
		free(w.path[k]);
	}
	if (have_mf)
		export_file_abort(&mf);
	if (w.spool)
		fclose(w.spool);
	if (w.mem)
		fclose(w.mem);
	free(w.membuf);
	free(w.seen);
	free(w.text_off);
	sbuf_release(&w.texts);
	sbuf_release(&w.blk);
	sbuf_release(&w.prov);
	pairs_free(w.ps);
	free(stem);
	free(mpath);
	return rc;
}

int export_check(const struct export_opts *o, struct fb_err *err)
{
	struct plan pl;
	int rc = plan_make(&pl, o, err);

	plan_free(&pl);
	return rc;
}

int export_run(struct db *db, const struct export_opts *o, struct fb_err *err)
{
	const struct export_format *fmt;
	struct plan pl;
	struct export_file ef;
	int rc;

	if ((rc = plan_make(&pl, o, err)) != 0) {
		plan_free(&pl);
		return rc;
	}
	if (pl.fmt->kind != EXPORT_NATIVE) {
		rc = export_pairs(db, o, &pl, err);
		plan_free(&pl);
		return rc;
	}
	fmt = pl.fmt;
	plan_free(&pl);
	if (export_file_open(&ef, o->out, err) < 0)
		return -1;
	if (fmt->run(db, o, ef.f, err) < 0) {
		export_file_abort(&ef);
		return -1;
	}
	return export_file_commit(&ef, err);
}
