/* import.c - the import formats and the streaming import loop. */
#include "import.h"

#include "recq.h"
#include "native.h"
#include "progress.h"
#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Records per transaction: big enough to amortise the commit, small enough
 * that an interrupted import keeps most of its work. */
#define IMPORT_BATCH 2000
/* Bad records reported one by one; the rest are only counted. */
#define IMPORT_SHOWN_BAD 50

/* ---- shared helpers ---- */

int import_opt_string(const cJSON *obj, const char *key, const char **out, struct fb_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return fb_error(err, "field '%s' must be a string", key);
	*out = v->valuestring;
	return 0;
}

static int req_string(const cJSON *obj, const char *key, const char **out, struct fb_err *err)
{
	if (import_opt_string(obj, key, out, err) < 0)
		return -1;
	if (!*out)
		return fb_error(err, "field '%s' is missing", key);
	return 0;
}

int import_parse_rating(const cJSON *v, int *value)
{
	const char *s;

	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d != (double)(int)d)
			return 0;
		*value = (int)d;
		return 1;
	}
	if (!cJSON_IsString(v))
		return 0;
	s = v->valuestring;
	while (isspace((unsigned char)*s))
		s++;
	if (!strncmp(s, "N/A", 3) || !strncmp(s, "n/a", 3))
		return 2;
	/* the first whole integer in the text: "4", "4/5", "**4**", "Rating 4" */
	while (*s && !isdigit((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	{
		long n = 0;

		while (isdigit((unsigned char)*s) && n < 1000000)
			n = n * 10 + (*s++ - '0');
		if (*s == '.' && isdigit((unsigned char)s[1]))
			return 0; /* "3.5" is not a whole rating */
		*value = (int)n;
	}
	return 1;
}

int import_rater(struct import_ctx *ctx, int64_t *id, struct fb_err *err)
{
	const char *name = ctx->opts->rater, *kind = ctx->opts->rater_kind;

	if (!ctx->rater_id) {
		if (!name) {
			name = ctx->fmt->rater;
			if (!kind)
				kind = ctx->fmt->rater_kind;
		} else if (!kind) {
			/* an existing rater keeps its kind; a new one is a person */
			kind = db_rater_find(ctx->db, name) ? NULL : "human";
		}
		if (!name)
			return fb_error(err, "this format needs --rater NAME");
		if (db_rater(ctx->db, name, kind, NULL, NULL, &ctx->rater_id, err) < 0)
			return -1;
	}
	*id = ctx->rater_id;
	return 0;
}

int import_dataset(struct import_ctx *ctx, int64_t *id, struct fb_err *err)
{
	if (!ctx->dataset_id && db_dataset(ctx->db, ctx->dataset_name, &ctx->dataset_id, err) < 0)
		return -1;
	*id = ctx->dataset_id;
	return 0;
}

static void note_unknown_aspect(struct import_ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->nunknown; i++)
		if (!strcmp(ctx->unknown_aspects[i], name))
			return;
	ctx->unknown_aspects = xrealloc(ctx->unknown_aspects,
					(ctx->nunknown + 1) * sizeof(char *));
	ctx->unknown_aspects[ctx->nunknown++] = xstrdup(name);
}

/* ["None"] and [] mean "no reference answers": store NULL. */
static int answers_json(const cJSON *obj, const char *key, char **out, struct fb_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *e;
	cJSON *arr;
	int real = 0;

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v)) {
		if (!strcmp(v->valuestring, "None") || !*v->valuestring)
			return 0;
		arr = cJSON_CreateArray();
		cJSON_AddItemToArray(arr, cJSON_CreateString(v->valuestring));
		*out = cJSON_PrintUnformatted(arr);
		cJSON_Delete(arr);
		return 0;
	}
	if (!cJSON_IsArray(v))
		return fb_error(err, "field '%s' must be a list of strings", key);
	cJSON_ArrayForEach(e, v) {
		if (!cJSON_IsString(e))
			return fb_error(err, "field '%s' must be a list of strings", key);
		if (strcmp(e->valuestring, "None"))
			real = 1;
	}
	if (!real)
		return 0;
	*out = cJSON_PrintUnformatted(v);
	return 0;
}

/* Type ids: a list of digit strings, "None", ["None"], ["0"] or [] -> JSON list. */
static int types_json(const cJSON *v, char **out, struct fb_err *err)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *e;

	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		cJSON_Delete(arr);
		return 0;
	}
	if (cJSON_IsString(v)) {
		if (strcmp(v->valuestring, "None") && strcmp(v->valuestring, "0") &&
		    *v->valuestring)
			cJSON_AddItemToArray(arr, cJSON_CreateString(v->valuestring));
	} else if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(e, v) {
			char num[32];
			const char *s;

			if (cJSON_IsString(e)) {
				s = e->valuestring;
			} else if (cJSON_IsNumber(e)) {
				snprintf(num, sizeof(num), "%d", e->valueint);
				s = num;
			} else {
				cJSON_Delete(arr);
				return fb_error(err, "'Type' must hold strings");
			}
			if (!strcmp(s, "None") || !strcmp(s, "0") || !*s)
				continue;
			cJSON_AddItemToArray(arr, cJSON_CreateString(s));
		}
	} else {
		cJSON_Delete(arr);
		return fb_error(err, "'Type' must be a list or a string");
	}
	*out = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return 0;
}

static int number_field(const cJSON *obj, const char *key, int *has, double *out,
			struct fb_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*has = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		*has = 1;
		return 0;
	}
	if (cJSON_IsString(v)) {
		/* "7", "7.5" or "7/10" */
		char *end;
		double d;

		errno = 0;
		d = strtod(v->valuestring, &end);
		if (end != v->valuestring && !errno && (*end == '\0' || *end == '/')) {
			*out = d;
			*has = 1;
			return 0;
		}
		if (!strcmp(v->valuestring, "N/A") || !*v->valuestring)
			return 0;
	}
	return fb_error(err, "field '%s' must be a number", key);
}

/* ---- ultrafeedback (openbmb raw records, released and pre-release shapes) ---- */

static int uf_detect(const cJSON *rec)
{
	return cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(rec, "completions")) &&
	       cJSON_GetObjectItemCaseSensitive(rec, "instruction") != NULL;
}

/* A record's ratings and critiques, gathered to be stored with a statement or two. */
struct uf_ratings {
	struct store_rating *r;
	char **types;
	size_t n, cap;
	struct store_critique *crit; /* strings borrowed from the record */
	size_t ncrit, ccap;
};

static void uf_ratings_release(struct uf_ratings *rs)
{
	size_t k;

	for (k = 0; k < rs->n; k++)
		free(rs->types[k]);
	free(rs->r);
	free(rs->types);
	free(rs->crit);
	memset(rs, 0, sizeof(*rs));
}

static int uf_aspect(struct import_ctx *ctx, int64_t completion_id, const char *name,
		     const cJSON *ann, struct uf_ratings *out, struct fb_err *err)
{
	int64_t aspect_id = db_aspect_id(ctx->db, name), rater_id;
	const struct rubric *rb;
	struct store_rating *r;
	const cJSON *rating;
	char *types = NULL;
	int kind, value = 0;

	/* the pre-release dumps wrap each aspect in a list */
	if (cJSON_IsArray(ann))
		ann = cJSON_GetArrayItem(ann, 0);
	if (!ann || cJSON_IsNull(ann))
		return 0;
	if (!cJSON_IsObject(ann))
		return fb_error(err, "annotation '%s' must be an object", name);
	if (!aspect_id) {
		note_unknown_aspect(ctx, name);
		return 0;
	}
	if (out->n == out->cap) {
		size_t cap = out->cap;

		xgrow((void **)&out->r, &out->cap, out->n + 1, sizeof(*out->r));
		xgrow((void **)&out->types, &cap, out->n + 1, sizeof(*out->types));
	}
	rb = db_aspect_rubric(ctx->db, aspect_id);
	if (import_rater(ctx, &rater_id, err) < 0)
		return -1;
	r = &out->r[out->n];
	memset(r, 0, sizeof(*r));
	r->completion_id = completion_id;
	r->rater_id = rater_id;
	r->aspect_id = aspect_id;
	r->updated_at = ctx->now;
	rating = cJSON_GetObjectItemCaseSensitive(ann, "Rating");
	kind = import_parse_rating(rating, &value);
	if (kind == 1 && (value < rb->min || value > rb->max)) {
		ctx->out_of_scale++;
		kind = 0;
	}
	r->has_value = kind == 1;
	r->value = value;
	r->na = kind == 2;
	if (import_opt_string(ann, "Rationale", &r->rationale, err) < 0 ||
	    import_opt_string(ann, "Rationale For Rating", &r->rationale2, err) < 0 ||
	    types_json(cJSON_GetObjectItemCaseSensitive(ann, "Type"), &types, err) < 0)
		return -1;
	r->types = types;
	out->types[out->n++] = types;
	return 0;
}

static int uf_completion(struct import_ctx *ctx, int64_t prompt_id, int fresh, int idx,
			 const cJSON *c, struct uf_ratings *rs, struct fb_err *err)
{
	struct store_completion sc;
	const cJSON *ann, *a;
	int64_t cid, rater_id;
	int created;

	if (!cJSON_IsObject(c))
		return fb_error(err, "completion %d must be an object", idx + 1);
	memset(&sc, 0, sizeof(sc));
	sc.idx = idx;
	sc.fresh = fresh;
	if (req_string(c, "response", &sc.response, err) < 0 ||
	    import_opt_string(c, "model", &sc.model, err) < 0 ||
	    import_opt_string(c, "principle", &sc.principle, err) < 0 ||
	    import_opt_string(c, "custom_system_prompt", &sc.system_prompt, err) < 0)
		return -1;
	if (store_completion(ctx->db, prompt_id, &sc, &cid, &created, err) < 0)
		return -1;
	ctx->n.completions += created;
	ann = cJSON_GetObjectItemCaseSensitive(c, "annotations");
	if (ann && !cJSON_IsNull(ann)) {
		if (!cJSON_IsObject(ann))
			return fb_error(err, "completion %d: 'annotations' must be an object",
					idx + 1);
		cJSON_ArrayForEach(a, ann)
			if (uf_aspect(ctx, cid, a->string, a, rs, err) < 0)
				return -1;
	}
	{
		struct store_critique cr;

		memset(&cr, 0, sizeof(cr));
		if (import_opt_string(c, "critique", &cr.text, err) < 0 ||
		    number_field(c, "overall_score", &cr.has_overall, &cr.overall, err) < 0 ||
		    number_field(c, "fine-grained_score", &cr.has_fine, &cr.fine, err) < 0)
			return -1;
		if (cr.text || cr.has_overall || cr.has_fine) {
			if (import_rater(ctx, &rater_id, err) < 0)
				return -1;
			cr.completion_id = cid;
			cr.rater_id = rater_id;
			cr.updated_at = ctx->now;
			xgrow((void **)&rs->crit, &rs->ccap, rs->ncrit + 1, sizeof(*rs->crit));
			rs->crit[rs->ncrit++] = cr;
		}
	}
	return 0;
}

static int uf_record(struct import_ctx *ctx, const cJSON *rec, struct fb_err *err)
{
	struct store_prompt sp;
	const cJSON *comps, *c, *idv;
	char *ca = NULL, *ia = NULL, idbuf[32];
	struct uf_ratings rs;
	int64_t pid, dsid;
	int created, idx = 0, rc = -1;

	memset(&sp, 0, sizeof(sp));
	memset(&rs, 0, sizeof(rs));
	if (!cJSON_IsObject(rec))
		return fb_error(err, "a record must be a JSON object");
	if (req_string(rec, "instruction", &sp.instruction, err) < 0 ||
	    import_opt_string(rec, "source", &sp.source, err) < 0)
		return -1;
	if (!*sp.instruction)
		return fb_error(err, "field 'instruction' is empty");
	idv = cJSON_GetObjectItemCaseSensitive(rec, "id");
	if (cJSON_IsString(idv)) {
		sp.external_id = idv->valuestring;
	} else if (cJSON_IsNumber(idv)) {
		snprintf(idbuf, sizeof(idbuf), "%.0f", idv->valuedouble);
		sp.external_id = idbuf;
	}
	comps = cJSON_GetObjectItemCaseSensitive(rec, "completions");
	if (!cJSON_IsArray(comps))
		return fb_error(err, "field 'completions' must be a list");
	if (answers_json(rec, "correct_answers", &ca, err) < 0 ||
	    answers_json(rec, "incorrect_answers", &ia, err) < 0)
		goto out;
	sp.correct_answers = ca;
	sp.incorrect_answers = ia;
	sp.created_at = ctx->now;
	if (import_dataset(ctx, &dsid, err) < 0 ||
	    store_prompt(ctx->db, &sp, dsid, &pid, &created, err) < 0)
		goto out;
	ctx->n.prompts += created;
	cJSON_ArrayForEach(c, comps) {
		if (uf_completion(ctx, pid, created, idx++, c, &rs, err) < 0)
			goto out;
	}
	if (rs.n) {
		long changed;

		if (store_ratings(ctx->db, rs.r, rs.n, &changed, err) < 0)
			goto out;
		ctx->n.ratings += changed;
	}
	if (rs.ncrit) {
		long changed;

		if (store_critiques(ctx->db, rs.crit, rs.ncrit, &changed, err) < 0)
			goto out;
		ctx->n.critiques += changed;
	}
	rc = 0;
out:
	uf_ratings_release(&rs);
	free(ca);
	free(ia);
	return rc;
}

/* ---- pairs: h4, argilla, trl ---- */

/* A response given as a string or as a message list (the last assistant turn). */
static int pair_text(const cJSON *v, const char *key, const char **out, struct fb_err *err)
{
	const cJSON *m;

	*out = NULL;
	if (cJSON_IsString(v)) {
		*out = v->valuestring;
		return 0;
	}
	if (!cJSON_IsArray(v))
		return fb_error(err, "field '%s' must be a string or a list of messages", key);
	cJSON_ArrayForEach(m, v) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");

		if (!cJSON_IsObject(m) || !cJSON_IsString(role) || !cJSON_IsString(content))
			return fb_error(err, "field '%s': each message needs string 'role' and "
					     "'content'", key);
		if (!strcmp(role->valuestring, "assistant"))
			*out = content->valuestring;
	}
	if (!*out)
		return fb_error(err, "field '%s' has no assistant message", key);
	return 0;
}

/* A prompt given as a string or as a one-turn message list. */
static int pair_prompt(const cJSON *v, const char **out, struct fb_err *err)
{
	const cJSON *m;
	int users = 0;

	*out = NULL;
	if (cJSON_IsString(v)) {
		*out = v->valuestring;
		return 0;
	}
	if (!cJSON_IsArray(v))
		return fb_error(err, "field 'prompt' must be a string or a list of messages");
	cJSON_ArrayForEach(m, v) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");

		if (!cJSON_IsObject(m) || !cJSON_IsString(role) || !cJSON_IsString(content))
			return fb_error(err, "field 'prompt': each message needs string 'role' "
					     "and 'content'");
		if (!strcmp(role->valuestring, "user")) {
			*out = content->valuestring;
			users++;
		} else if (strcmp(role->valuestring, "system")) {
			return fb_error(err, "field 'prompt': multi-turn conversations are not "
					     "supported");
		}
	}
	if (users != 1)
		return fb_error(err, "field 'prompt' must hold exactly one user message");
	return 0;
}

struct pair_in {
	const char *prompt, *source, *external_id;
	const char *chosen, *rejected;
	const char *chosen_model, *rejected_model;
	int has_chosen_score, has_rejected_score;
	double chosen_score, rejected_score;
	int score_is_mean; /* the score is a mean aspect rating, not an overall score */
};

static int pair_store(struct import_ctx *ctx, const struct pair_in *p, struct fb_err *err)
{
	struct store_prompt sp;
	struct store_completion sc;
	int64_t pid, cid[2], rater_id, dsid;
	int created, i, changed;

	if (!*p->prompt)
		return fb_error(err, "the prompt is empty");
	memset(&sp, 0, sizeof(sp));
	sp.instruction = p->prompt;
	sp.source = p->source;
	sp.external_id = p->external_id;
	if (import_dataset(ctx, &dsid, err) < 0 ||
	    store_prompt(ctx->db, &sp, dsid, &pid, &created, err) < 0)
		return -1;
	ctx->n.prompts += created;
	if (import_rater(ctx, &rater_id, err) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		struct store_critique cr;
		int has = i ? p->has_rejected_score : p->has_chosen_score;
		double score = i ? p->rejected_score : p->chosen_score;

		memset(&sc, 0, sizeof(sc));
		sc.idx = -1;
		sc.response = i ? p->rejected : p->chosen;
		sc.model = i ? p->rejected_model : p->chosen_model;
		if (store_completion(ctx->db, pid, &sc, &cid[i], &created, err) < 0)
			return -1;
		ctx->n.completions += created;
		if (!has)
			continue;
		memset(&cr, 0, sizeof(cr));
		cr.completion_id = cid[i];
		cr.rater_id = rater_id;
		if (p->score_is_mean) {
			cr.has_fine = 1;
			cr.fine = score;
		} else {
			cr.has_overall = 1;
			cr.overall = score;
		}
		if (store_critique(ctx->db, &cr, &changed, err) < 0)
			return -1;
		ctx->n.critiques += changed;
	}
	if (cid[0] != cid[1]) {
		if (store_preference(ctx->db, pid, rater_id, cid[0], cid[1], NULL, &changed, err) <
		    0)
			return -1;
		ctx->n.preferences += changed;
	}
	return 0;
}

static int h4_detect(const cJSON *rec)
{
	return cJSON_GetObjectItemCaseSensitive(rec, "prompt_id") &&
	       cJSON_GetObjectItemCaseSensitive(rec, "chosen") &&
	       cJSON_GetObjectItemCaseSensitive(rec, "rejected");
}

static int h4_record(struct import_ctx *ctx, const cJSON *rec, struct fb_err *err)
{
	struct pair_in p;

	memset(&p, 0, sizeof(p));
	if (!cJSON_IsObject(rec))
		return fb_error(err, "a record must be a JSON object");
	if (req_string(rec, "prompt", &p.prompt, err) < 0 ||
	    import_opt_string(rec, "prompt_id", &p.external_id, err) < 0 ||
	    pair_text(cJSON_GetObjectItemCaseSensitive(rec, "chosen"), "chosen", &p.chosen, err) <
		    0 ||
	    pair_text(cJSON_GetObjectItemCaseSensitive(rec, "rejected"), "rejected", &p.rejected,
		      err) < 0 ||
	    number_field(rec, "score_chosen", &p.has_chosen_score, &p.chosen_score, err) < 0 ||
	    number_field(rec, "score_rejected", &p.has_rejected_score, &p.rejected_score, err) < 0)
		return -1;
	return pair_store(ctx, &p, err);
}

static const cJSON *first_item(const cJSON *rec, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, a);

	return v ? v : cJSON_GetObjectItemCaseSensitive(rec, b);
}

static int argilla_detect(const cJSON *rec)
{
	return cJSON_GetObjectItemCaseSensitive(rec, "chosen-rating") ||
	       cJSON_GetObjectItemCaseSensitive(rec, "chosen_avg_rating") ||
	       cJSON_GetObjectItemCaseSensitive(rec, "chosen_response");
}

static int argilla_record(struct import_ctx *ctx, const cJSON *rec, struct fb_err *err)
{
	struct pair_in p;
	const cJSON *v;

	memset(&p, 0, sizeof(p));
	p.score_is_mean = 1;
	if (!cJSON_IsObject(rec))
		return fb_error(err, "a record must be a JSON object");
	v = first_item(rec, "prompt", "instruction");
	if (!cJSON_IsString(v))
		return fb_error(err, "field 'prompt' (or 'instruction') must be a string");
	p.prompt = v->valuestring;
	if (import_opt_string(rec, "source", &p.source, err) < 0)
		return -1;
	v = first_item(rec, "chosen", "chosen_response");
	if (pair_text(v, "chosen", &p.chosen, err) < 0)
		return -1;
	v = first_item(rec, "rejected", "rejected_response");
	if (pair_text(v, "rejected", &p.rejected, err) < 0)
		return -1;
	if (number_field(rec,
			 cJSON_GetObjectItemCaseSensitive(rec, "chosen-rating") ? "chosen-rating"
										: "chosen_avg_rating",
			 &p.has_chosen_score, &p.chosen_score, err) < 0 ||
	    number_field(rec,
			 cJSON_GetObjectItemCaseSensitive(rec, "rejected-rating")
				 ? "rejected-rating"
				 : "rejected_avg_rating",
			 &p.has_rejected_score, &p.rejected_score, err) < 0)
		return -1;
	v = first_item(rec, "chosen-model", "chosen_model");
	if (cJSON_IsString(v))
		p.chosen_model = v->valuestring;
	v = first_item(rec, "rejected-model", "rejected_model");
	if (cJSON_IsString(v))
		p.rejected_model = v->valuestring;
	return pair_store(ctx, &p, err);
}

static int trl_detect(const cJSON *rec)
{
	return cJSON_GetObjectItemCaseSensitive(rec, "prompt") &&
	       cJSON_GetObjectItemCaseSensitive(rec, "chosen") &&
	       cJSON_GetObjectItemCaseSensitive(rec, "rejected");
}

static int trl_record(struct import_ctx *ctx, const cJSON *rec, struct fb_err *err)
{
	struct pair_in p;
	const char *sc, *sr;

	memset(&p, 0, sizeof(p));
	if (!cJSON_IsObject(rec))
		return fb_error(err, "a record must be a JSON object");
	if (pair_prompt(cJSON_GetObjectItemCaseSensitive(rec, "prompt"), &p.prompt, err) < 0 ||
	    pair_text(cJSON_GetObjectItemCaseSensitive(rec, "chosen"), "chosen", &p.chosen, err) <
		    0 ||
	    pair_text(cJSON_GetObjectItemCaseSensitive(rec, "rejected"), "rejected", &p.rejected,
		      err) < 0)
		return -1;
	sc = cJSON_GetObjectItemCaseSensitive(rec, "score_chosen") ? "score_chosen" : "chosen_score";
	sr = cJSON_GetObjectItemCaseSensitive(rec, "score_rejected") ? "score_rejected"
								     : "rejected_score";
	if (number_field(rec, sc, &p.has_chosen_score, &p.chosen_score, err) < 0 ||
	    number_field(rec, sr, &p.has_rejected_score, &p.rejected_score, err) < 0)
		return -1;
	return pair_store(ctx, &p, err);
}

/* Detection tries the entries in order: the most specific first. */
const struct import_format import_formats[] = {
	{"feedbench", "feedbench's own lossless JSONL (export --format feedbench)", NULL, NULL, 1,
	 native_detect, native_record},
	{"ultrafeedback", "openbmb/UltraFeedback raw records (released and pre-release shapes)",
	 "gpt-4", "llm", 0, uf_detect, uf_record},
	{"h4", "HuggingFaceH4/ultrafeedback_binarized rows", "gpt-4", "llm", 0, h4_detect,
	 h4_record},
	{"argilla", "Argilla ultrafeedback-binarized-preferences[-cleaned] rows", "gpt-4", "llm", 0,
	 argilla_detect, argilla_record},
	{"trl", "TRL preference rows: prompt/chosen/rejected, strings or messages", "imported",
	 "human", 0, trl_detect, trl_record},
	{NULL, NULL, NULL, NULL, 0, NULL, NULL},
};

const struct import_format *import_format_find(const char *name)
{
	const struct import_format *f;

	for (f = import_formats; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* ---- the loop ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static char *dataset_name_for(const char *path)
{
	const char *b = base_name(path);
	const char *dot = strchr(b, '.');

	if (!strcmp(path, "-"))
		return xstrdup("stdin");
	return dot && dot != b ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
}

struct import_file_state {
	const char *path;
	FILE *f;
	uint64_t size; /* 0 when unknown */
	int64_t log_id;
};

static void report_bad(struct import_ctx *ctx, const char *path, long line, int col,
		       const char *why)
{
	FILE *out = ctx->opts->report ? ctx->opts->report : stderr;

	/* a file of bad records would drown the terminal: the first ones say
	 * enough, the summary counts the rest */
	if (++ctx->n.skipped > IMPORT_SHOWN_BAD)
		return;
	if (col > 0)
		fprintf(out, "%s:%ld:%d: %s\n", path, line, col, why);
	else
		fprintf(out, "%s:%ld: %s\n", path, line, why);
}

static int import_one_file(struct import_ctx *ctx, struct import_file_state *fs,
			   struct progress *pg, struct fb_err *err)
{
	struct recq *q = recq_start(fs->f);
	struct recq_item it;
	long in_batch = 0;
	int rc = 0;

	for (;;) {
		struct fb_err e;
		struct import_counts before;
		cJSON *j;

		recq_next(q, &it);
		if (it.kind == RECQ_END)
			break;
		if (it.kind == RECQ_FATAL) {
			rc = fb_error(err, "%s:%ld: %s", fs->path, it.line, it.msg);
			break;
		}
		ctx->n.records++;
		if (it.kind == RECQ_BAD) {
			report_bad(ctx, fs->path, it.line, it.col, it.msg);
			continue;
		}
		j = it.json;
		if (!ctx->fmt) {
			const struct import_format *f;

			for (f = import_formats; f->name; f++)
				if (cJSON_IsObject(j) && f->detect(j))
					break;
			if (!f->name) {
				report_bad(ctx, fs->path, it.line, 0,
					   "not a record of any known format (use --format; see "
					   "'feedbench import --help')");
				recq_done(q, &it);
				continue;
			}
			ctx->fmt = f;
		}
		/* made outside the record's savepoint, so a rolled-back record cannot
		 * take them along while their ids stay cached */
		if (!ctx->fmt->own_datasets) {
			int64_t unused;

			if (import_dataset(ctx, &unused, err) < 0 ||
			    import_rater(ctx, &unused, err) < 0) {
				recq_done(q, &it);
				rc = -1;
				break;
			}
		}
		if (db_begin(ctx->db, err) < 0) {
			recq_done(q, &it);
			rc = -1;
			break;
		}
		before = ctx->n;
		now_iso8601(ctx->now);
		if (ctx->fmt->record(ctx, j, &e) < 0) {
			/* the record left nothing behind: neither rows nor counts */
			db_rollback(ctx->db);
			ctx->n = before;
			report_bad(ctx, fs->path, it.line, 0, e.msg);
		} else if (db_commit(ctx->db, err) < 0) {
			recq_done(q, &it);
			rc = -1;
			break;
		}
		recq_done(q, &it);
		/* the outer transaction is the batch (unless --strict holds one for all) */
		if (!ctx->opts->strict && ++in_batch >= IMPORT_BATCH) {
			if (db_commit(ctx->db, err) < 0 || db_begin(ctx->db, err) < 0) {
				rc = -1;
				break;
			}
			in_batch = 0;
		}
		progress_update(pg, ctx->n.records, it.consumed);
	}
	progress_update(pg, ctx->n.records, it.consumed);
	recq_stop(q);
	return rc;
}

static void print_summary(struct import_ctx *ctx, const char *what)
{
	FILE *out = ctx->opts->report ? ctx->opts->report : stderr;
	size_t i;

	if (ctx->opts->quiet)
		return;
	fprintf(out,
		"%s: %ld records (%s): added %ld prompts, %ld completions, %ld ratings, "
		"%ld critiques, %ld preferences; %ld skipped\n",
		what, ctx->n.records, ctx->fmt ? ctx->fmt->name : "no format", ctx->n.prompts,
		ctx->n.completions, ctx->n.ratings, ctx->n.critiques, ctx->n.preferences,
		ctx->n.skipped);
	if (ctx->n.skipped > IMPORT_SHOWN_BAD)
		fprintf(out, "(only the first %d bad records were listed)\n", IMPORT_SHOWN_BAD);
	for (i = 0; i < ctx->nunknown; i++)
		fprintf(out,
			"note: aspect '%s' has no rubric, so its ratings were not imported "
			"(add a %s.rubric to a rubric directory)\n",
			ctx->unknown_aspects[i], ctx->unknown_aspects[i]);
	if (ctx->out_of_scale)
		fprintf(out, "note: %ld ratings outside their aspect's scale were stored as missing\n",
			ctx->out_of_scale);
}

static int log_import(struct import_ctx *ctx, const char *path, int64_t *id, struct fb_err *err)
{
	char now[32];
	sqlite3_stmt *st = db_stmt(ctx->db, "INSERT INTO import_log (dataset_id, path, format, "
					    "started_at) VALUES (?1, ?2, ?3, ?4)");

	now_iso8601(now);
	sqlite3_bind_null(st, 1);
	db_bind_text(st, 2, path);
	db_bind_text(st, 3, ctx->fmt ? ctx->fmt->name : "auto");
	db_bind_text(st, 4, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(ctx->db, err, "logging the import");
	*id = sqlite3_last_insert_rowid(ctx->db->h);
	return 0;
}

static int finish_log(struct import_ctx *ctx, int64_t id, long records, long skipped,
		      struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(ctx->db, "UPDATE import_log SET records = ?2, skipped = ?3, "
					    "format = ?4, dataset_id = ?5 WHERE id = ?1");

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, records);
	sqlite3_bind_int64(st, 3, skipped);
	db_bind_text(st, 4, ctx->fmt ? ctx->fmt->name : "auto");
	if (ctx->dataset_id)
		sqlite3_bind_int64(st, 5, ctx->dataset_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(ctx->db, err, "logging the import");
	return 0;
}

int import_files(struct db *db, char **files, int nfiles, const struct import_opts *opts,
		 struct import_counts *total, struct fb_err *err)
{
	struct import_ctx ctx;
	int i, rc = 0, bulk;
	size_t k;

	memset(&ctx, 0, sizeof(ctx));
	ctx.db = db;
	ctx.opts = opts;
	if (opts->format && !(ctx.fmt = import_format_find(opts->format)))
		return fb_error(err, "unknown format '%s' (see 'feedbench import --help')",
				opts->format);
	bulk = db_bulk_begin(db);
	if (db_begin(db, err) < 0) {
		if (bulk)
			db_bulk_end(db, NULL);
		return -1;
	}
	for (i = 0; i < nfiles && rc == 0; i++) {
		struct import_file_state fs;
		struct progress pg;
		struct stat sb;
		char *dsname = opts->dataset ? xstrdup(opts->dataset) : dataset_name_for(files[i]);
		long rec0 = ctx.n.records, skip0 = ctx.n.skipped;

		/* each file is detected on its own unless --format was given */
		if (!opts->format && i > 0) {
			ctx.fmt = NULL;
			ctx.rater_id = 0;
		}
		memset(&fs, 0, sizeof(fs));
		fs.path = files[i];
		fs.f = strcmp(files[i], "-") ? fopen(files[i], "rb") : stdin;
		if (!fs.f) {
			rc = fb_error(err, "%s: %s", files[i], strerror(errno));
			free(dsname);
			break;
		}
		if (fstat(fileno(fs.f), &sb) == 0 && S_ISREG(sb.st_mode))
			fs.size = (uint64_t)sb.st_size;
		ctx.dataset_name = dsname;
		ctx.dataset_id = 0;
		if (log_import(&ctx, files[i], &fs.log_id, err) < 0) {
			rc = -1;
		} else {
			progress_start(&pg, files[i], fs.size, opts->progress);
			rc = import_one_file(&ctx, &fs, &pg, err);
			progress_end(&pg);
			if (rc == 0)
				rc = finish_log(&ctx, fs.log_id, ctx.n.records - rec0,
						ctx.n.skipped - skip0, err);
		}
		if (fs.f != stdin)
			fclose(fs.f);
		free(dsname);
	}
	if (rc == 0 && opts->strict && ctx.n.skipped) {
		db_rollback(db);
		fprintf(opts->report ? opts->report : stderr,
			"--strict: %ld bad records, nothing was imported\n", ctx.n.skipped);
		ctx.n.prompts = ctx.n.completions = ctx.n.ratings = ctx.n.critiques =
			ctx.n.preferences = 0;
		rc = 1;
	} else if (rc == 0) {
		if (db_commit(db, err) < 0)
			rc = -1;
		else
			print_summary(&ctx, nfiles == 1 ? files[0] : "import");
		if (rc == 0 && ctx.n.skipped)
			rc = 1;
	} else {
		db_rollback(db);
	}
	if (bulk && db_bulk_end(db, rc < 0 ? NULL : err) < 0 && rc >= 0)
		rc = -1;
	if (total)
		*total = ctx.n;
	for (k = 0; k < ctx.nunknown; k++)
		free(ctx.unknown_aspects[k]);
	free(ctx.unknown_aspects);
	return rc;
}
