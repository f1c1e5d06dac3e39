/* annot.c - the annotation session (see annot.h). */
#include "annot.h"

#include "audit.h"
#include "search.h"
#include "sel.h"
#include "store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum undo_kind { UNDO_RATING, UNDO_CRITIQUE, UNDO_FLAG, UNDO_SKIP };

/* One change, with what was there before it. */
struct annot_undo {
	int kind;
	int64_t prompt_id, completion_id;
	size_t asp;
	struct annot_cell cell; /* UNDO_RATING */
	struct annot_crit crit; /* UNDO_CRITIQUE */
	char *reason;           /* UNDO_FLAG / UNDO_SKIP: the old reason, NULL when there was none */
};

/* ---- queues ---- */

static int keep_todo(unsigned s)
{
	return !(s & (ANNOT_Q_FINISHED | ANNOT_Q_SKIPPED));
}

static int keep_all(unsigned s)
{
	(void)s;
	return 1;
}

static int keep_flagged(unsigned s)
{
	return (s & (ANNOT_Q_FLAGGED | ANNOT_Q_SKIPPED)) != 0;
}

static int keep_mine(unsigned s)
{
	return (s & ANNOT_Q_FINISHED) != 0;
}

static int load_conflict(struct annot *a, struct annot_qitem **items, size_t *n,
			 struct fb_err *err);

const struct annot_queue_def annot_queues[] = {
	{"todo", "not finished or skipped by you; resumes where you stopped", keep_todo,
	 NULL},
	{"all", "every prompt", keep_all, NULL},
	{"flagged", "prompts you flagged or skipped", keep_flagged, NULL},
	{"mine", "prompts you finished", keep_mine, NULL},
	{"conflict", "most conflicted first (by your ratings; else by the LLM judge's)", NULL,
	 load_conflict},
	{NULL, NULL, NULL, NULL},
};

/* ---- small helpers ---- */

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int nonempty(const char *s)
{
	return s && *s;
}

static void cell_release(struct annot_cell *c)
{
	free(c->rationale);
	free(c->types);
	free(c->rationale2);
	memset(c, 0, sizeof(*c));
}

static void cell_copy(struct annot_cell *dst, const struct annot_cell *src)
{
	*dst = *src;
	dst->rationale = dup_or_null(src->rationale);
	dst->types = dup_or_null(src->types);
	dst->rationale2 = dup_or_null(src->rationale2);
}

static void crit_release(struct annot_crit *c)
{
	free(c->text);
	memset(c, 0, sizeof(*c));
}

static void crit_copy(struct annot_crit *dst, const struct annot_crit *src)
{
	*dst = *src;
	dst->text = dup_or_null(src->text);
}

static int cell_done(const struct annot_cell *c)
{
	return c->state != ANNOT_EMPTY;
}

static void prompt_release(struct annot *a)
{
	struct annot_prompt *p = &a->p;
	size_t i, k;

	for (i = 0; i < p->ncomp; i++) {
		struct annot_comp *c = &p->comp[i];

		for (k = 0; k < a->naspects; k++) {
			cell_release(&c->cell[k]);
			if (c->llm)
				cell_release(&c->llm[k]);
		}
		free(c->cell);
		free(c->llm);
		crit_release(&c->crit);
		crit_release(&c->llm_crit);
		free(c->response);
		free(c->model);
	}
	free(p->comp);
	free(p->instruction);
	free(p->source);
	free(p->external_id);
	free(p->flag_reason);
	free(p->skip_reason);
	free(p->llm_name);
	memset(p, 0, sizeof(*p));
	a->loaded = 0;
}

static void queue_free(struct annot_qitem *q, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(q[i].touched);
	free(q);
}

static void undo_release(struct annot_undo *u)
{
	cell_release(&u->cell);
	crit_release(&u->crit);
	free(u->reason);
	memset(u, 0, sizeof(*u));
}

/* The slot for a new undo entry (the oldest one goes when the ring is full). */
static struct annot_undo *undo_push(struct annot *a)
{
	struct annot_undo *u;

	if (!a->undo)
		a->undo = xcalloc(ANNOT_UNDO_MAX, sizeof(*a->undo));
	u = &a->undo[a->undo_head];
	undo_release(u);
	a->undo_head = (a->undo_head + 1) % ANNOT_UNDO_MAX;
	if (a->nundo < ANNOT_UNDO_MAX)
		a->nundo++;
	return u;
}

/*
 * Whether every cell is done, with cell (ocomp, oasp) taken as ostate
 * (ocomp = SIZE_MAX: no override).  A prompt without completions is never
 * finished: there is nothing to rate.
 */
static int all_done(const struct annot *a, size_t ocomp, size_t oasp, int ostate)
{
	size_t i, k;

	if (!a->p.ncomp || !a->naspects)
		return 0;
	for (i = 0; i < a->p.ncomp; i++)
		for (k = 0; k < a->naspects; k++) {
			int s = i == ocomp && k == oasp ? ostate : a->p.comp[i].cell[k].state;
			if (s == ANNOT_EMPTY)
				return 0;
		}
	return 1;
}

static struct annot_qitem *cur_item(struct annot *a)
{
	return a->loaded && a->pos < a->nq ? &a->q[a->pos] : NULL;
}

/* ---- writes ---- */

/*
 * Record work on prompt pid: the shown order (NULL keeps it), active time
 * to add, whether it is finished (finished_at is kept from the first time).
 * updated_at marks where the rater stopped: it moves to now only when
 * touch is set (the prompt is the one on the screen), not when the time of
 * a prompt being left is written.
 */
static int progress_write(struct annot *a, int64_t pid, const char *order, int64_t add_ms,
			  int finished, int touch, const char *now, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(a->db,
		"INSERT INTO progress (rater_id, prompt_id, shown_order, active_ms, finished_at, "
		"updated_at) VALUES (?1, ?2, ?3, ?4, CASE WHEN ?5 THEN ?6 END, ?6) "
		"ON CONFLICT (rater_id, prompt_id) DO UPDATE SET "
		"shown_order = coalesce(excluded.shown_order, shown_order), "
		"active_ms = active_ms + excluded.active_ms, "
		"finished_at = CASE WHEN ?5 THEN coalesce(finished_at, excluded.updated_at) END, "
		"updated_at = CASE WHEN ?7 THEN excluded.updated_at ELSE updated_at END");

	sqlite3_bind_int64(st, 1, a->rater_id);
	sqlite3_bind_int64(st, 2, pid);
	db_bind_text(st, 3, order);
	sqlite3_bind_int64(st, 4, add_ms);
	sqlite3_bind_int(st, 5, finished);
	db_bind_text(st, 6, now);
	sqlite3_bind_int(st, 7, touch);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(a->db, err, "recording progress");
	return 0;
}

/*
 * A change to the current prompt ends here, and commits.  Progress is
 * written in the same transaction when the prompt became finished or
 * unfinished, or enough active time is pending: not with every value,
 * which would make each commit write more pages for nothing new.
 */
static int change_commit(struct annot *a, int finished, int force, struct fb_err *err)
{
	char now[32];

	if (force || finished != a->p.finished || a->pending_ms >= ANNOT_FLUSH_MS) {
		now_iso8601(now);
		if (progress_write(a, a->p.id, NULL, a->pending_ms, finished, 1, now, err) < 0) {
			db_rollback(a->db);
			return -1;
		}
		a->flushed = 1;
	}
	if (db_commit(a->db, err) < 0) {
		if (a->db->tx_depth)
			db_rollback(a->db);
		return -1;
	}
	return 0;
}

static void change_rollback(struct annot *a)
{
	db_rollback(a->db);
}

/* What a change did to the prompt, once committed: times, finished state, queue. */
static int load_llm(struct annot *a, struct fb_err *err);

static void change_done(struct annot *a, int finished)
{
	struct annot_qitem *it = cur_item(a);

	if (a->flushed) {
		a->p.active_ms += a->pending_ms;
		a->pending_ms = 0;
		a->flushed = 0;
	}
	if (finished != a->p.finished) {
		size_t i, k;

		a->p.finished = finished;
		if (it)
			it->state = finished ? it->state | ANNOT_Q_FINISHED
					     : it->state & ~(unsigned)ANNOT_Q_FINISHED;
		if (finished) {
			load_llm(a, NULL); /* a read: on failure the compare view has nothing */
		} else {
			for (i = 0; i < a->p.ncomp; i++) {
				struct annot_comp *c = &a->p.comp[i];

				if (c->llm)
					for (k = 0; k < a->naspects; k++)
						cell_release(&c->llm[k]);
				free(c->llm);
				c->llm = NULL;
				crit_release(&c->llm_crit);
			}
			free(a->p.llm_name);
			a->p.llm_name = NULL;
		}
	}
	a->gen++;
	a->changes++;
}

/* Write cell c as the rating of (comp, asp): upsert, or delete when it holds nothing. */
static int cell_write(struct annot *a, size_t comp, size_t asp, const struct annot_cell *c,
		      struct fb_err *err)
{
	struct store_rating r;
	int64_t cid = a->p.comp[comp].id;

	if (c->state == ANNOT_EMPTY && !nonempty(c->rationale) && !c->types &&
	    !nonempty(c->rationale2)) {
		if (!a->p.comp[comp].cell[asp].exists)
			return 0;
		return store_rating_delete(a->db, cid, a->rater_id, a->aspect_id[asp], err);
	}
	memset(&r, 0, sizeof(r));
	r.completion_id = cid;
	r.rater_id = a->rater_id;
	r.aspect_id = a->aspect_id[asp];
	r.has_value = c->state == ANNOT_VALUE;
	r.value = c->value;
	r.na = c->state == ANNOT_NA;
	r.rationale = nonempty(c->rationale) ? c->rationale : NULL;
	r.types = c->types;
	r.rationale2 = nonempty(c->rationale2) ? c->rationale2 : NULL;
	return store_rating(a->db, &r, NULL, err);
}

static int drop_draft_row(struct annot *a, int64_t cid, const char *field, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(a->db, "DELETE FROM draft WHERE rater_id = ?1 AND "
					  "completion_id = ?2 AND field = ?3");

	sqlite3_bind_int64(st, 1, a->rater_id);
	sqlite3_bind_int64(st, 2, cid);
	db_bind_text(st, 3, field);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(a->db, err, "removing a draft");
	return 0;
}

/* The draft field name of (asp): "rationale:<aspect>" or "critique". Caller frees. */
static char *draft_field(const struct annot *a, int asp)
{
	if (asp == ANNOT_CRITIQUE)
		return xstrdup("critique");
	return xasprintf("rationale:%s", a->aspect[asp]->name);
}

/*
 * Replace the rating of (comp, asp) by *nc in one transaction (dropping the
 * cell's draft when drop_draft), remembering the old one for undo
 * (record_undo).  On success the cell takes nc's content (nc is emptied).
 */
static int cell_change(struct annot *a, size_t comp, size_t asp, struct annot_cell *nc,
		       int drop_draft, int record_undo, struct fb_err *err)
{
	struct annot_cell *c = &a->p.comp[comp].cell[asp];
	int finished = all_done(a, comp, asp, nc->state);
	char *field = NULL;

	if (db_begin(a->db, err) < 0)
		return -1;
	if (cell_write(a, comp, asp, nc, err) < 0)
		goto fail;
	if (drop_draft) {
		field = draft_field(a, (int)asp);
		if (drop_draft_row(a, a->p.comp[comp].id, field, err) < 0)
			goto fail;
	}
	if (change_commit(a, finished, 0, err) < 0) {
		free(field);
		return -1;
	}
	free(field);
	if (record_undo) {
		struct annot_undo *u = undo_push(a);

		u->kind = UNDO_RATING;
		u->prompt_id = a->p.id;
		u->completion_id = a->p.comp[comp].id;
		u->asp = asp;
		cell_copy(&u->cell, c);
	}
	nc->exists = !(nc->state == ANNOT_EMPTY && !nonempty(nc->rationale) && !nc->types &&
		       !nonempty(nc->rationale2));
	nc->has_draft = drop_draft ? 0 : c->has_draft;
	cell_release(c);
	*c = *nc;
	memset(nc, 0, sizeof(*nc));
	change_done(a, finished);
	return 0;
fail:
	free(field);
	change_rollback(a);
	return -1;
}

/* ---- loading ---- */

static int load_cells(struct annot *a, int64_t rater_id, int llm, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(a->db,
		"SELECT x.completion_id, x.aspect_id, x.value, x.na, x.rationale, x.types, "
		"x.rationale2 FROM completion c CROSS JOIN rating x ON x.completion_id = c.id "
		"AND x.rater_id = ?2 WHERE c.prompt_id = ?1");
	int rc;

	sqlite3_bind_int64(st, 1, a->p.id);
	sqlite3_bind_int64(st, 2, rater_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t cid = sqlite3_column_int64(st, 0), aid = sqlite3_column_int64(st, 1);
		size_t i, k;
		struct annot_cell *c;

		for (i = 0; i < a->p.ncomp && a->p.comp[i].id != cid; i++)
			;
		for (k = 0; k < a->naspects && a->aspect_id[k] != aid; k++)
			;
		if (i == a->p.ncomp || k == a->naspects)
			continue;
		c = llm ? &a->p.comp[i].llm[k] : &a->p.comp[i].cell[k];
		cell_release(c);
		c->exists = 1;
		if (sqlite3_column_int(st, 3)) {
			c->state = ANNOT_NA;
		} else if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			c->state = ANNOT_VALUE;
			c->value = sqlite3_column_int(st, 2);
		}
		c->rationale = db_col_dup(st, 4);
		c->types = db_col_dup(st, 5);
		c->rationale2 = db_col_dup(st, 6);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(a->db, err, "reading ratings");
	return 0;
}

static int load_crits(struct annot *a, int64_t rater_id, int llm, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(a->db,
		"SELECT x.completion_id, x.text, x.overall_score FROM completion c "
		"CROSS JOIN critique x ON x.completion_id = c.id AND x.rater_id = ?2 "
		"WHERE c.prompt_id = ?1");
	int rc;

	sqlite3_bind_int64(st, 1, a->p.id);
	sqlite3_bind_int64(st, 2, rater_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t cid = sqlite3_column_int64(st, 0);
		size_t i;
		struct annot_crit *c;

		for (i = 0; i < a->p.ncomp && a->p.comp[i].id != cid; i++)
			;
		if (i == a->p.ncomp)
			continue;
		c = llm ? &a->p.comp[i].llm_crit : &a->p.comp[i].crit;
		crit_release(c);
		c->exists = 1;
		c->text = db_col_dup(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			c->has_score = 1;
			c->score = sqlite3_column_double(st, 2);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(a->db, err, "reading critiques");
	return 0;
}

/* The LLM with the most ratings on this prompt (ties: the first made), its ratings. */
static int load_llm(struct annot *a, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(a->db,
		"SELECT r.id, r.name FROM completion c CROSS JOIN rating x ON x.completion_id = c.id "
		"CROSS JOIN rater r ON r.id = x.rater_id WHERE c.prompt_id = ?1 AND r.kind = 'llm' "
		"GROUP BY r.id ORDER BY count(*) DESC, r.id LIMIT 1");
	int64_t rid = 0;
	size_t i;
	int rc;

	sqlite3_bind_int64(st, 1, a->p.id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rid = sqlite3_column_int64(st, 0);
		free(a->p.llm_name);
		a->p.llm_name = db_col_dup(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(a->db, err, "looking for LLM ratings");
	if (!rid)
		return 0;
	for (i = 0; i < a->p.ncomp; i++)
		if (!a->p.comp[i].llm)
			a->p.comp[i].llm = xcalloc(a->naspects ? a->naspects : 1,
						   sizeof(struct annot_cell));
	if (load_cells(a, rid, 1, err) < 0 || load_crits(a, rid, 1, err) < 0)
		return -1;
	return 0;
}

static int load_drafts(struct annot *a, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(a->db,
		"SELECT d.completion_id, d.field FROM completion c CROSS JOIN draft d ON "
		"d.completion_id = c.id AND d.rater_id = ?2 WHERE c.prompt_id = ?1");
	int rc;

	sqlite3_bind_int64(st, 1, a->p.id);
	sqlite3_bind_int64(st, 2, a->rater_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t cid = sqlite3_column_int64(st, 0);
		const char *f = db_col_text(st, 1);
		size_t i, k;

		for (i = 0; i < a->p.ncomp && a->p.comp[i].id != cid; i++)
			;
		if (i == a->p.ncomp || !f)
			continue;
		if (!strcmp(f, "critique")) {
			a->p.comp[i].crit.has_draft = 1;
			continue;
		}
		if (!starts_with(f, "rationale:"))
			continue;
		for (k = 0; k < a->naspects; k++)
			if (!strcmp(f + strlen("rationale:"), a->aspect[k]->name))
				a->p.comp[i].cell[k].has_draft = 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(a->db, err, "reading drafts");
	return 0;
}

static int load_flags(struct annot *a, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(a->db, "SELECT kind, reason FROM flag WHERE prompt_id = ?1 "
					  "AND rater_id = ?2");
	int rc;

	sqlite3_bind_int64(st, 1, a->p.id);
	sqlite3_bind_int64(st, 2, a->rater_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = db_col_text(st, 0);

		if (k && !strcmp(k, "flag")) {
			a->p.flagged = 1;
			a->p.flag_reason = xstrdup(db_col_text(st, 1) ? db_col_text(st, 1) : "");
		} else if (k && !strcmp(k, "skip")) {
			a->p.skipped = 1;
			a->p.skip_reason = xstrdup(db_col_text(st, 1) ? db_col_text(st, 1) : "");
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(a->db, err, "reading flags");
	return 0;
}

/* The seed of this rater's shuffle of a prompt: its name and the prompt's hash. */
static uint64_t order_seed(const char *rater, const char *hash)
{
	struct sbuf sb = SBUF_INIT;
	char hex[65], first[17];

	sbuf_adds(&sb, rater);
	sbuf_addc(&sb, '\n');
	sbuf_adds(&sb, hash ? hash : "");
	sha256_hex(sb.buf, sb.len, hex);
	sbuf_release(&sb);
	memcpy(first, hex, 16);
	first[16] = '\0';
	return strtoull(first, NULL, 16);
}

/* Parse "[2, 0, 3]" into idx (up to max); returns how many, -1 on junk. */
static int parse_order(const char *s, int *idx, int max)
{
	int n = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s++ != '[')
		return -1;
	for (;;) {
		char *end;
		long v;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == ']')
			return n;
		v = strtol(s, &end, 10);
		if (end == s || v < 0 || v > 1000000)
			return -1;
		if (n < max)
			idx[n++] = (int)v;
		s = end;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == ',')
			s++;
		else if (*s != ']')
			return -1;
	}
}

/*
 * Put the completions in this rater's order: the recorded one, then any
 * completion it lacks in the seeded shuffle.  *changed says whether that
 * differs from what was recorded (it must be recorded).
 */
static void order_comps(struct annot *a, const char *recorded, const char *hash, int *changed)
{
	struct annot_prompt *p = &a->p;
	struct annot_comp *out = xcalloc(p->ncomp ? p->ncomp : 1, sizeof(*out));
	int rec[ANNOT_MAX_COMPLETIONS * 4];
	size_t *perm = xcalloc(p->ncomp ? p->ncomp : 1, sizeof(*perm));
	char *used = xcalloc(p->ncomp ? p->ncomp : 1, 1);
	int nrec = recorded ? parse_order(recorded, rec, (int)ARRAY_LEN(rec)) : -1;
	size_t i, j, n = 0;
	struct fb_rng rng;

	for (i = 0; i < p->ncomp; i++)
		perm[i] = i;
	rng_seed(&rng, order_seed(a->rater, hash));
	for (i = p->ncomp; i > 1; i--) {
		size_t k = (size_t)rng_below(&rng, i), t = perm[i - 1];

		perm[i - 1] = perm[k];
		perm[k] = t;
	}
	for (i = 0; nrec > 0 && i < (size_t)nrec; i++)
		for (j = 0; j < p->ncomp; j++)
			if (!used[j] && p->comp[j].idx == rec[i]) {
				used[j] = 1;
				out[n++] = p->comp[j];
				break;
			}
	for (i = 0; i < p->ncomp; i++)
		if (!used[perm[i]]) {
			used[perm[i]] = 1;
			out[n++] = p->comp[perm[i]];
		}
	*changed = nrec != (int)p->ncomp || n != (size_t)nrec;
	if (!*changed)
		for (i = 0; i < n; i++)
			if (out[i].idx != rec[i])
				*changed = 1;
	free(p->comp);
	p->comp = out;
	free(perm);
	free(used);
}

static char *order_json(const struct annot_prompt *p)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;

	sbuf_addc(&sb, '[');
	for (i = 0; i < p->ncomp; i++)
		sbuf_addf(&sb, "%s%d", i ? "," : "", p->comp[i].idx);
	sbuf_addc(&sb, ']');
	return sbuf_detach(&sb, NULL);
}

/* The first empty cell, in cursor order; (0, 0) when there is none. */
static void first_empty(const struct annot *a, size_t *comp, size_t *asp)
{
	size_t i, k;

	for (i = 0; i < a->p.ncomp; i++)
		for (k = 0; k < a->naspects; k++)
			if (!cell_done(&a->p.comp[i].cell[k])) {
				*comp = i;
				*asp = k;
				return;
			}
	*comp = 0;
	*asp = 0;
}

/*
 * Load prompt pid as a->p and record it as shown (order, time), flushing
 * the active time of the prompt left in the same transaction.  On failure
 * the previous prompt stays loaded.
 */
static int load_prompt(struct annot *a, int64_t pid, struct fb_err *err)
{
	struct annot_prompt prev = a->p; /* the prompt shown until this one is in */
	int prev_loaded = a->loaded;
	sqlite3_stmt *st;
	char *hash = NULL, *recorded = NULL, *order = NULL, now[32];
	int rc, changed = 0;
	size_t i;

	memset(&a->p, 0, sizeof(a->p));
	a->loaded = 0;
	a->p.id = pid;
	st = db_stmt(a->db, "SELECT instruction, source, external_id, hash FROM prompt "
			    "WHERE id = ?1");
	sqlite3_bind_int64(st, 1, pid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		a->p.instruction = db_col_dup(st, 0);
		a->p.source = db_col_dup(st, 1);
		a->p.external_id = db_col_dup(st, 2);
		hash = db_col_dup(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			fb_error(err, "prompt %lld is not in the database (any more)", (long long)pid);
		else
			db_fail(a->db, err, "reading a prompt");
		goto fail;
	}
	st = db_stmt(a->db, "SELECT id, idx, response, model FROM completion WHERE prompt_id = ?1 "
			    "ORDER BY idx");
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && a->p.ncomp < ANNOT_MAX_COMPLETIONS) {
		struct annot_comp *c;

		a->p.comp = xrealloc(a->p.comp, (a->p.ncomp + 1) * sizeof(*a->p.comp));
		c = &a->p.comp[a->p.ncomp++];
		memset(c, 0, sizeof(*c));
		c->id = sqlite3_column_int64(st, 0);
		c->idx = sqlite3_column_int(st, 1);
		c->response = db_col_dup(st, 2);
		c->model = db_col_dup(st, 3);
		c->cell = xcalloc(a->naspects ? a->naspects : 1, sizeof(struct annot_cell));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_fail(a->db, err, "reading completions");
		goto fail;
	}
	st = db_stmt(a->db, "SELECT shown_order, active_ms FROM progress "
			    "WHERE rater_id = ?1 AND prompt_id = ?2");
	sqlite3_bind_int64(st, 1, a->rater_id);
	sqlite3_bind_int64(st, 2, pid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		recorded = db_col_dup(st, 0);
		a->p.active_ms = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_fail(a->db, err, "reading progress");
		goto fail;
	}
	order_comps(a, recorded, hash, &changed);
	if (load_cells(a, a->rater_id, 0, err) < 0 || load_crits(a, a->rater_id, 0, err) < 0 ||
	    load_drafts(a, err) < 0 || load_flags(a, err) < 0)
		goto fail;
	a->p.finished = all_done(a, SIZE_MAX, 0, 0);
	if (a->p.finished && load_llm(a, err) < 0)
		goto fail;

	/* record: the time of the prompt left, and this one as shown */
	now_iso8601(now);
	order = changed ? order_json(&a->p) : NULL;
	if (db_begin(a->db, err) < 0)
		goto fail;
	if ((prev_loaded && a->pending_ms &&
	     progress_write(a, prev.id, NULL, a->pending_ms, prev.finished, 0, now, err) < 0) ||
	    progress_write(a, pid, order, 0, a->p.finished, 1, now, err) < 0 ||
	    db_commit(a->db, err) < 0) {
		if (a->db->tx_depth)
			db_rollback(a->db);
		goto fail;
	}
	free(hash);
	free(recorded);
	free(order);

	/* the new prompt is in: let the old one go */
	{
		struct annot_prompt np = a->p;

		a->p = prev;
		a->loaded = prev_loaded;
		prompt_release(a);
		a->p = np;
	}
	a->loaded = 1;
	a->pending_ms = 0;
	for (i = 0; i < a->nq; i++)
		if (a->q[i].id == pid) {
			a->q[i].state = (a->q[i].state & ~(unsigned)ANNOT_Q_FINISHED) |
					(a->p.finished ? ANNOT_Q_FINISHED : 0);
			free(a->q[i].touched);
			a->q[i].touched = xstrdup(now);
			break;
		}
	first_empty(a, &a->ccomp, &a->casp);
	a->gen++;
	return 0;
fail:
	free(hash);
	free(recorded);
	free(order);
	prompt_release(a);
	a->p = prev;
	a->loaded = prev_loaded;
	return -1;
}

/* ---- the queue ---- */

/* This rater's state of prompts (progress and flags), sorted by prompt id. */
struct qstate {
	int64_t id;
	unsigned state;
	char *touched; /* owned */
};

static int cmp_qstate(const void *x, const void *y)
{
	int64_t a = ((const struct qstate *)x)->id, b = ((const struct qstate *)y)->id;

	return a < b ? -1 : a > b;
}

static void qstates_free(struct qstate *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].touched);
	free(v);
}

/* The rater's progress rows and flags, merged per prompt: two queries, not one per prompt. */
static int qstates_load(struct annot *a, struct qstate **out, size_t *n, struct fb_err *err)
{
	struct qstate *v = NULL;
	size_t cap = 0, i, j;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	st = db_stmt(a->db, "SELECT prompt_id, finished_at IS NOT NULL, updated_at FROM progress "
			    "WHERE rater_id = ?1 ORDER BY prompt_id");
	sqlite3_bind_int64(st, 1, a->rater_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
		v[*n].id = sqlite3_column_int64(st, 0);
		v[*n].state = sqlite3_column_int(st, 1) ? ANNOT_Q_FINISHED : 0;
		v[*n].touched = db_col_dup(st, 2);
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		qstates_free(v, *n);
		*n = 0;
		return db_fail(a->db, err, "reading progress");
	}
	/* flags are few: add them to the sorted progress, then sort again */
	j = *n;
	st = db_stmt(a->db, "SELECT prompt_id, kind FROM flag WHERE rater_id = ?1");
	sqlite3_bind_int64(st, 1, a->rater_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct qstate key, *hit;
		const char *kind = db_col_text(st, 1);
		unsigned bit = kind && !strcmp(kind, "skip") ? ANNOT_Q_SKIPPED : ANNOT_Q_FLAGGED;

		key.id = sqlite3_column_int64(st, 0);
		hit = j ? bsearch(&key, v, j, sizeof(*v), cmp_qstate) : NULL;
		if (hit) {
			hit->state |= bit;
			continue;
		}
		for (i = j; i < *n && v[i].id != key.id; i++)
			;
		if (i < *n) {
			v[i].state |= bit;
			continue;
		}
		xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
		v[*n].id = key.id;
		v[*n].state = bit;
		v[*n].touched = NULL;
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		qstates_free(v, *n);
		*n = 0;
		return db_fail(a->db, err, "reading flags");
	}
	if (*n > j)
		qsort(v, *n, sizeof(*v), cmp_qstate);
	*out = v;
	return 0;
}

/*
 * The queue: the filtered prompt ids in one query (the statement chosen by
 * the filters, so that each runs on its index), merged with this rater's
 * state.  What opens the workbench on 64k prompts: keep it a scan or two.
 */
static int queue_build(struct annot *a, struct annot_qitem **items, size_t *n, struct fb_err *err)
{
	struct qstate *qs;
	size_t nqs, k = 0, cap = 0;
	sqlite3_stmt *st;
	int64_t dsid = 0;
	int rc;

	*items = NULL;
	*n = 0;
	if (a->dataset && !(dsid = db_dataset_find(a->db, a->dataset)))
		return fb_error(err, "no data set named '%s' (see 'feedbench stats')", a->dataset);
	if (a->queue->load)
		return a->queue->load(a, items, n, err);
	if (qstates_load(a, &qs, &nqs, err) < 0)
		return -1;
	if (dsid && a->source)
		st = db_stmt(a->db, "SELECT d.prompt_id FROM dataset_prompt d JOIN prompt p ON "
				    "p.id = d.prompt_id WHERE d.dataset_id = ?1 AND p.source = ?2 "
				    "ORDER BY d.prompt_id");
	else if (dsid)
		st = db_stmt(a->db, "SELECT prompt_id FROM dataset_prompt WHERE dataset_id = ?1 "
				    "ORDER BY prompt_id");
	else if (a->source)
		st = db_stmt(a->db, "SELECT id FROM prompt WHERE source = ?2 ORDER BY id");
	else
		st = db_stmt(a->db, "SELECT id FROM prompt ORDER BY id");
	if (dsid)
		sqlite3_bind_int64(st, 1, dsid);
	if (a->source)
		db_bind_text(st, 2, a->source);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		unsigned s = 0;
		const char *touched = NULL;

		while (k < nqs && qs[k].id < id)
			k++;
		if (k < nqs && qs[k].id == id) {
			s = qs[k].state;
			touched = qs[k].touched;
		}
		if (!a->queue->keep(s))
			continue;
		xgrow((void **)items, &cap, *n + 1, sizeof(**items));
		(*items)[*n].id = id;
		(*items)[*n].state = s;
		(*items)[*n].touched = dup_or_null(touched);
		(*n)++;
	}
	sqlite3_reset(st);
	qstates_free(qs, nqs);
	if (rc != SQLITE_DONE) {
		queue_free(*items, *n);
		*items = NULL;
		*n = 0;
		return db_fail(a->db, err, "building the queue");
	}
	return 0;
}

int annot_judge(struct db *db, char **name, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
		"SELECT r.name FROM rater r WHERE r.kind = 'llm' AND EXISTS (SELECT 1 FROM rating x "
		"WHERE x.rater_id = r.id) ORDER BY (SELECT count(*) FROM rating x WHERE x.rater_id "
		"= r.id) DESC, r.id LIMIT 1");
	int rc = sqlite3_step(st);

	*name = rc == SQLITE_ROW ? db_col_dup(st, 0) : NULL;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, err, "looking for the LLM judge");
	return 0;
}

/*
 * The conflict queue (see annot.h): audit_conflict_queue over the
 * selection, by this rater's ratings when that gives any prompt, else by
 * the LLM judge's; then this rater's state of each prompt.  Whether the
 * rater has any value at all is asked first, so that a newcomer's queue
 * loads the ratings once, not twice.
 */
static int load_conflict(struct annot *a, struct annot_qitem **items, size_t *n,
			 struct fb_err *err)
{
	struct sel sel = {a->dataset, a->source};
	struct audit_prompt_score *sc = NULL;
	struct qstate *qs;
	size_t nsc = 0, nqs, i;
	sqlite3_stmt *st;
	char *judge = NULL;
	int mine, rc;

	free(a->queue_by);
	a->queue_by = NULL;
	st = db_stmt(a->db, "SELECT EXISTS (SELECT 1 FROM rating WHERE rater_id = ?1 AND "
			    "value IS NOT NULL)");
	sqlite3_bind_int64(st, 1, a->rater_id);
	rc = sqlite3_step(st);
	mine = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(a->db, err, "looking for your ratings");
	if (mine && audit_conflict_queue(a->db, &sel, a->rater, 1.0, &sc, &nsc, err) < 0)
		return -1;
	if (nsc) {
		a->queue_by = xstrdup(a->rater);
	} else {
		free(sc);
		sc = NULL;
		if (annot_judge(a->db, &judge, err) < 0)
			return -1;
		if (!judge)
			return 0; /* no ratings to order by: an empty queue */
		if (audit_conflict_queue(a->db, &sel, judge, 1.0, &sc, &nsc, err) < 0) {
			free(judge);
			return -1;
		}
		a->queue_by = judge;
	}
	if (qstates_load(a, &qs, &nqs, err) < 0) {
		free(sc);
		return -1;
	}
	*items = xcalloc(nsc ? nsc : 1, sizeof(**items));
	for (i = 0; i < nsc; i++) {
		struct qstate key, *hit;

		key.id = sc[i].prompt_id;
		hit = nqs ? bsearch(&key, qs, nqs, sizeof(*qs), cmp_qstate) : NULL;
		(*items)[i].id = sc[i].prompt_id;
		(*items)[i].state = hit ? hit->state : 0;
		(*items)[i].touched = hit ? dup_or_null(hit->touched) : NULL;
	}
	*n = nsc;
	qstates_free(qs, nqs);
	free(sc);
	return 0;
}

/* The state of one prompt for the queue, or -1 with err when it does not exist. */
static int qitem_fill(struct annot *a, int64_t pid, struct annot_qitem *it, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(a->db,
		"SELECT p.id, g.finished_at IS NOT NULL, g.updated_at, "
		"EXISTS (SELECT 1 FROM flag f WHERE f.prompt_id = p.id AND f.rater_id = ?2 "
		"AND f.kind = 'flag'), "
		"EXISTS (SELECT 1 FROM flag f WHERE f.prompt_id = p.id AND f.rater_id = ?2 "
		"AND f.kind = 'skip') "
		"FROM prompt p LEFT JOIN progress g ON g.rater_id = ?2 AND g.prompt_id = p.id "
		"WHERE p.id = ?1");
	int rc;

	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, a->rater_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		it->id = pid;
		it->state = (sqlite3_column_int(st, 1) ? ANNOT_Q_FINISHED : 0) |
			    (sqlite3_column_int(st, 3) ? ANNOT_Q_FLAGGED : 0) |
			    (sqlite3_column_int(st, 4) ? ANNOT_Q_SKIPPED : 0);
		it->touched = db_col_dup(st, 2);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return fb_error(err, "there is no prompt %lld", (long long)pid);
	if (rc != SQLITE_ROW)
		return db_fail(a->db, err, "reading a prompt's state");
	return 0;
}

/* Index of prompt pid in the queue, or SIZE_MAX. */
static size_t queue_find(const struct annot *a, int64_t pid)
{
	size_t i;

	for (i = 0; i < a->nq; i++)
		if (a->q[i].id == pid)
			return i;
	return SIZE_MAX;
}

/* Add prompt pid to the queue (in id order; a queue in its own order: after the
 * current prompt) and return its index. */
static int queue_add(struct annot *a, int64_t pid, size_t *at, struct fb_err *err)
{
	struct annot_qitem it;
	size_t i = 0;

	memset(&it, 0, sizeof(it));
	if (qitem_fill(a, pid, &it, err) < 0)
		return -1;
	if (a->queue->load)
		i = a->loaded && a->pos < a->nq ? a->pos + 1 : a->nq; /* a queue in its own order */
	else
		while (i < a->nq && a->q[i].id < pid)
			i++;
	a->q = xrealloc(a->q, (a->nq + 1) * sizeof(*a->q));
	memmove(&a->q[i + 1], &a->q[i], (a->nq - i) * sizeof(*a->q));
	a->q[i] = it;
	a->nq++;
	if (a->loaded && a->pos >= i && a->nq > 1)
		a->pos++;
	*at = i;
	return 0;
}

/* Go to prompt pid, adding it to the queue when it is not there. */
static int show_prompt(struct annot *a, int64_t pid, struct fb_err *err)
{
	size_t at = queue_find(a, pid);

	if (at == SIZE_MAX && queue_add(a, pid, &at, err) < 0)
		return -1;
	return annot_goto(a, at, err);
}

size_t annot_nfinished(const struct annot *a)
{
	size_t i, n = 0;

	for (i = 0; i < a->nq; i++)
		if (a->q[i].state & ANNOT_Q_FINISHED)
			n++;
	return n;
}

/* ---- opening ---- */

static int pick_aspects(struct annot *a, const struct annot_opts *o, struct fb_err *err)
{
	const struct rubric_set *rs = a->db->rubrics;
	size_t i, j;

	a->aspect = xcalloc(rs->n ? rs->n : 1, sizeof(*a->aspect));
	a->aspect_id = xcalloc(rs->n ? rs->n : 1, sizeof(*a->aspect_id));
	if (o->aspects && o->naspects) {
		for (i = 0; i < o->naspects; i++) {
			const struct rubric *r = rubric_find(rs, o->aspects[i]);

			if (!r)
				return fb_error(err, "no aspect named '%s' (see 'feedbench rubrics')",
						o->aspects[i]);
			for (j = 0; j < a->naspects; j++)
				if (a->aspect[j] == r)
					return fb_error(err, "aspect '%s' is named twice", r->name);
			if (a->naspects == rs->n)
				break;
			a->aspect[a->naspects] = r;
			a->aspect_id[a->naspects++] = db_aspect_id(a->db, r->name);
		}
		return 0;
	}
	for (i = 0; i < rs->n; i++) {
		int64_t aid = db_aspect_id(a->db, rs->items[i]->name);
		sqlite3_stmt *st = db_stmt(a->db,
			"SELECT EXISTS (SELECT 1 FROM rater r WHERE EXISTS (SELECT 1 FROM rating x "
			"WHERE x.rater_id = r.id AND x.aspect_id = ?1))");
		int used;

		sqlite3_bind_int64(st, 1, aid);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return db_fail(a->db, err, "looking for rated aspects");
		}
		used = sqlite3_column_int(st, 0);
		sqlite3_reset(st);
		if (used) {
			a->aspect[a->naspects] = rs->items[i];
			a->aspect_id[a->naspects++] = aid;
		}
	}
	if (!a->naspects)
		for (i = 0; i < rs->n; i++) {
			a->aspect[a->naspects] = rs->items[i];
			a->aspect_id[a->naspects++] = db_aspect_id(a->db, rs->items[i]->name);
		}
	if (!a->naspects)
		return fb_error(err, "there are no aspects to rate (no rubrics loaded)");
	return 0;
}

int annot_open(struct annot **out, struct db *db, const struct annot_opts *o,
	       struct fb_err *err)
{
	struct annot *a = xcalloc(1, sizeof(*a));
	const struct annot_queue_def *q;
	size_t i, resume = 0;
	const char *best = NULL;

	*out = NULL;
	a->db = db;
	if (!o->rater || !*o->rater) {
		fb_error(err, "name the rater (--rater NAME)");
		goto fail;
	}
	a->rater = xstrdup(o->rater);
	a->dataset = dup_or_null(o->dataset);
	a->source = dup_or_null(o->source);
	a->queue = &annot_queues[0];
	if (o->queue) {
		for (q = annot_queues; q->name && strcmp(q->name, o->queue); q++)
			;
		if (!q->name) {
			struct sbuf names = SBUF_INIT;

			for (q = annot_queues; q->name; q++)
				sbuf_addf(&names, "%s%s", q == annot_queues ? "" : ", ", q->name);
			fb_error(err, "no queue named '%s' (queues: %s)", o->queue, sbuf_str(&names));
			sbuf_release(&names);
			goto fail;
		}
		a->queue = q;
	}
	if (db_rater(db, o->rater, NULL, NULL, NULL, &a->rater_id, err) < 0)
		goto fail;
	{
		sqlite3_stmt *st = db_stmt(db, "SELECT kind FROM rater WHERE id = ?1");
		int llm;

		sqlite3_bind_int64(st, 1, a->rater_id);
		llm = sqlite3_step(st) == SQLITE_ROW && db_col_text(st, 0) &&
		      !strcmp(db_col_text(st, 0), "llm");
		sqlite3_reset(st);
		if (llm) {
			fb_error(err, "'%s' is an LLM rater: annotate as a person (--rater NAME)",
				 o->rater);
			goto fail;
		}
	}
	if (pick_aspects(a, o, err) < 0 || queue_build(a, &a->q, &a->nq, err) < 0)
		goto fail;
	/* where this rater stopped: the prompt last on their screen, when this
	 * queue holds it; else the prompt of the queue they touched last */
	{
		sqlite3_stmt *st = db_stmt(db, "SELECT prompt_id FROM rater_state WHERE rater_id = ?1");
		int64_t last = 0;

		sqlite3_bind_int64(st, 1, a->rater_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			last = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		for (i = 0; last && i < a->nq; i++)
			if (a->q[i].id == last) {
				best = "";
				resume = i;
				break;
			}
	}
	if (!best)
		for (i = 0; i < a->nq; i++)
			if (a->q[i].touched && (!best || strcmp(a->q[i].touched, best) > 0)) {
				best = a->q[i].touched;
				resume = i;
			}
	if (a->nq && annot_goto(a, resume, err) < 0)
		goto fail;
	a->resumed = best != NULL;
	*out = a;
	return 0;
fail:
	annot_close(a);
	return -1;
}

void annot_close(struct annot *a)
{
	size_t i;

	if (!a)
		return;
	if (a->loaded && a->pending_ms)
		annot_flush(a, NULL);
	prompt_release(a);
	queue_free(a->q, a->nq);
	queue_free(a->full, a->nfull);
	if (a->undo)
		for (i = 0; i < ANNOT_UNDO_MAX; i++)
			undo_release(&a->undo[i]);
	free(a->undo);
	free(a->aspect);
	free(a->aspect_id);
	free(a->rater);
	free(a->dataset);
	free(a->source);
	free(a->queue_by);
	free(a->search);
	free(a);
}

/* ---- time ---- */

int annot_flush(struct annot *a, struct fb_err *err)
{
	char now[32];

	if (!a->loaded || !a->pending_ms)
		return 0;
	now_iso8601(now);
	if (progress_write(a, a->p.id, NULL, a->pending_ms, a->p.finished, 1, now, err) < 0)
		return -1;
	a->p.active_ms += a->pending_ms;
	a->pending_ms = 0;
	return 0;
}

void annot_activity(struct annot *a, int64_t now)
{
	if (a->last_act_ms && now > a->last_act_ms && a->loaded) {
		int64_t d = now - a->last_act_ms;

		a->pending_ms += d > ANNOT_IDLE_CAP_MS ? ANNOT_IDLE_CAP_MS : d;
	}
	a->last_act_ms = now;
}

int64_t annot_active_ms(const struct annot *a)
{
	return a->loaded ? a->p.active_ms + a->pending_ms : 0;
}

/* ---- moving ---- */

/* The prompt on the screen is where the rater resumes next time. */
static int remember_position(struct annot *a, int64_t pid, struct fb_err *err)
{
	char now[32];
	sqlite3_stmt *st = db_stmt(a->db,
		"INSERT INTO rater_state (rater_id, prompt_id, updated_at) VALUES (?1, ?2, ?3) "
		"ON CONFLICT (rater_id) DO UPDATE SET prompt_id = excluded.prompt_id, "
		"updated_at = excluded.updated_at WHERE prompt_id IS NOT excluded.prompt_id");

	now_iso8601(now);
	sqlite3_bind_int64(st, 1, a->rater_id);
	sqlite3_bind_int64(st, 2, pid);
	db_bind_text(st, 3, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(a->db, err, "remembering the position");
	return 0;
}

int annot_goto(struct annot *a, size_t pos, struct fb_err *err)
{
	size_t old = a->pos;

	if (pos >= a->nq)
		return fb_error(err, "no prompt %zu in this queue of %zu", pos + 1, a->nq);
	a->pos = pos;
	if (load_prompt(a, a->q[pos].id, err) < 0) {
		a->pos = old;
		return -1;
	}
	return remember_position(a, a->q[pos].id, err);
}

int annot_next(struct annot *a, struct fb_err *err)
{
	if (a->pos + 1 >= a->nq)
		return 0;
	return annot_goto(a, a->pos + 1, err) < 0 ? -1 : 1;
}

int annot_prev(struct annot *a, struct fb_err *err)
{
	if (a->pos == 0 || !a->nq)
		return 0;
	return annot_goto(a, a->pos - 1, err) < 0 ? -1 : 1;
}

int annot_next_unfinished(struct annot *a, struct fb_err *err)
{
	size_t k;

	for (k = 1; k <= a->nq; k++) {
		size_t i = (a->pos + k) % a->nq;

		if (i == a->pos && a->loaded)
			break;
		if (!(a->q[i].state & (ANNOT_Q_FINISHED | ANNOT_Q_SKIPPED)))
			return annot_goto(a, i, err) < 0 ? -1 : 1;
	}
	return 0;
}

int annot_goto_id(struct annot *a, const char *id, struct fb_err *err)
{
	sqlite3_stmt *st;
	int64_t pid = 0;
	long n;

	while (isspace((unsigned char)*id))
		id++;
	if (!*id)
		return fb_error(err, "no prompt id given");
	if (parse_long(id, &n) == 0 && n > 0) {
		st = db_stmt(a->db, "SELECT id FROM prompt WHERE id = ?1");
		sqlite3_bind_int64(st, 1, n);
		if (sqlite3_step(st) == SQLITE_ROW)
			pid = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (!pid) {
		st = db_stmt(a->db, "SELECT id FROM prompt WHERE external_id = ?1 ORDER BY id LIMIT 1");
		db_bind_text(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW)
			pid = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (!pid)
		return fb_error(err, "there is no prompt with the id '%s'", id);
	return show_prompt(a, pid, err);
}

/* ---- search ---- */

static int cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

/* Whether prompt pid's text or completions match (one prompt). */
static int prompt_matches(struct annot *a, struct search_pattern *pat, int64_t pid,
			  struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(a->db, "SELECT instruction FROM prompt WHERE id = ?1 UNION ALL "
					  "SELECT response FROM completion WHERE prompt_id = ?1");
	int rc, hit = 0;

	sqlite3_bind_int64(st, 1, pid);
	while (!hit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = db_col_text(st, 0);
		size_t so, eo;

		if (!t)
			continue;
		hit = search_match(pat, t, (size_t)sqlite3_column_bytes(st, 0), 0, &so, &eo, err);
		if (hit < 0)
			break;
	}
	sqlite3_reset(st);
	return hit;
}

/*
 * Mark in hit[] (parallel to the sorted ids) the prompts that match, by one
 * pass over every prompt and completion: per-prompt queries would be
 * slower on a big queue.
 */
static int scan_matches(struct annot *a, struct search_pattern *pat, const int64_t *ids,
			size_t n, char *hit, struct fb_err *err)
{
	static const char *const sql[2] = {
		"SELECT id, instruction FROM prompt",
		"SELECT prompt_id, response FROM completion",
	};
	int pass;

	for (pass = 0; pass < 2; pass++) {
		sqlite3_stmt *st = db_stmt(a->db, sql[pass]);
		int rc;

		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t pid = sqlite3_column_int64(st, 0);
			const int64_t *at = bsearch(&pid, ids, n, sizeof(*ids), cmp_id);
			const char *t;
			size_t so, eo;
			int m;

			if (!at || hit[at - ids])
				continue;
			t = db_col_text(st, 1);
			if (!t)
				continue;
			m = search_match(pat, t, (size_t)sqlite3_column_bytes(st, 1), 0, &so, &eo, err);
			if (m < 0) {
				sqlite3_reset(st);
				return -1;
			}
			hit[at - ids] = (char)m;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return db_fail(a->db, err, "searching");
	}
	return 0;
}

#define SEARCH_SCAN_FROM 2000 /* a queue this long is searched in one pass over everything */

long annot_search(struct annot *a, const char *pattern, struct fb_err *err)
{
	struct search_pattern pat;
	struct annot_qitem *base = a->full ? a->full : a->q, *nq = NULL;
	size_t nbase = a->full ? a->nfull : a->nq, i, n = 0, start = 0;
	int64_t *ids, cur = a->loaded ? a->p.id : 0;
	char *hit;
	int caseless = 1, rc = 0;
	const char *s;

	for (s = pattern; *s; s++)
		if (isupper((unsigned char)*s))
			caseless = 0;
	if (search_compile(&pat, pattern, caseless, err) < 0)
		return -1;
	ids = xcalloc(nbase ? nbase : 1, sizeof(*ids));
	hit = xcalloc(nbase ? nbase : 1, 1);
	for (i = 0; i < nbase; i++)
		ids[i] = base[i].id;
	qsort(ids, nbase, sizeof(*ids), cmp_id);
	if (nbase >= SEARCH_SCAN_FROM) {
		rc = scan_matches(a, &pat, ids, nbase, hit, err);
	} else {
		for (i = 0; i < nbase && rc >= 0; i++) {
			rc = prompt_matches(a, &pat, ids[i], err);
			if (rc > 0)
				hit[i] = 1;
		}
	}
	search_free(&pat);
	if (rc < 0)
		goto out;
	for (i = 0; i < nbase; i++) {
		const int64_t *at = bsearch(&base[i].id, ids, nbase, sizeof(*ids), cmp_id);

		if (hit[at - ids])
			n++;
	}
	if (!n)
		goto out;
	nq = xcalloc(n, sizeof(*nq));
	n = 0;
	for (i = 0; i < nbase; i++) {
		const int64_t *at = bsearch(&base[i].id, ids, nbase, sizeof(*ids), cmp_id);

		if (!hit[at - ids])
			continue;
		nq[n] = base[i];
		nq[n].touched = dup_or_null(base[i].touched);
		n++;
	}
	/* stay on the current prompt when it matches, else the first match after it */
	for (i = 0; i < n; i++)
		if (nq[i].id == cur)
			break;
	if (i == n)
		for (i = 0; i < n && nq[i].id < cur; i++)
			;
	start = i < n ? i : 0;
	if (!a->full) {
		a->full = a->q;
		a->nfull = a->nq;
		a->full_pos = a->pos;
	} else {
		queue_free(a->q, a->nq);
	}
	a->q = nq;
	a->nq = n;
	free(a->search);
	a->search = xstrdup(pattern);
	if (a->loaded && nq[start].id == cur) {
		a->pos = start;
	} else if (annot_goto(a, start, err) < 0) {
		a->pos = start;
		rc = -1;
	}
out:
	free(ids);
	free(hit);
	return rc < 0 ? -1 : (long)n;
}

int annot_search_clear(struct annot *a, struct fb_err *err)
{
	size_t i;

	if (!a->full)
		return 0;
	/* what changed while narrowed (finished, flags) carries over */
	for (i = 0; i < a->nq; i++) {
		size_t j;

		for (j = 0; j < a->nfull; j++)
			if (a->full[j].id == a->q[i].id) {
				a->full[j].state = a->q[i].state;
				free(a->full[j].touched);
				a->full[j].touched = dup_or_null(a->q[i].touched);
				break;
			}
	}
	queue_free(a->q, a->nq);
	a->q = a->full;
	a->nq = a->nfull;
	a->pos = a->full_pos < a->nq ? a->full_pos : 0;
	a->full = NULL;
	a->nfull = 0;
	free(a->search);
	a->search = NULL;
	if (a->loaded) {
		size_t at = queue_find(a, a->p.id);

		if (at == SIZE_MAX)
			return show_prompt(a, a->p.id, err);
		a->pos = at;
	}
	return 0;
}

/* ---- the cursor ---- */

void annot_move(struct annot *a, int dcomp, int dasp)
{
	long c = (long)a->ccomp + dcomp, k = (long)a->casp + dasp;

	if (!a->loaded || !a->p.ncomp)
		return;
	if (c < 0)
		c = 0;
	if (c >= (long)a->p.ncomp)
		c = (long)a->p.ncomp - 1;
	if (k < 0)
		k = 0;
	if (k >= (long)a->naspects)
		k = (long)a->naspects - 1;
	a->ccomp = (size_t)c;
	a->casp = (size_t)k;
}

void annot_next_cell(const struct annot *a, size_t *comp, size_t *asp)
{
	if (!a->loaded || !a->p.ncomp)
		return;
	if (*asp + 1 < a->naspects) {
		(*asp)++;
		return;
	}
	if (*comp + 1 < a->p.ncomp) {
		(*comp)++;
		*asp = 0;
		return;
	}
	{
		size_t i, k;

		for (i = 0; i < a->p.ncomp; i++)
			for (k = 0; k < a->naspects; k++)
				if (!cell_done(&a->p.comp[i].cell[k])) {
					*comp = i;
					*asp = k;
					return;
				}
	}
}

size_t annot_done_cells(const struct annot *a, size_t comp)
{
	size_t k, n = 0;

	if (!a->loaded || comp >= a->p.ncomp)
		return 0;
	for (k = 0; k < a->naspects; k++)
		n += cell_done(&a->p.comp[comp].cell[k]);
	return n;
}

/* ---- changes ---- */

static int need_cell(const struct annot *a, struct fb_err *err)
{
	if (!a->loaded)
		return fb_error(err, "no prompt is open");
	if (!a->p.ncomp)
		return fb_error(err, "this prompt has no completions to rate");
	return 0;
}

/* The cursor cell's content with a new value state. */
static void with_state(const struct annot_cell *c, struct annot_cell *nc, int state, int value)
{
	cell_copy(nc, c);
	nc->state = state;
	nc->value = state == ANNOT_VALUE ? value : 0;
}

int annot_rate(struct annot *a, int value, struct fb_err *err)
{
	const struct rubric *r;
	struct annot_cell nc;

	if (need_cell(a, err) < 0)
		return -1;
	r = a->aspect[a->casp];
	if (value < r->min || value > r->max)
		return fb_error(err, "%d is off the %s scale (%d to %d)", value, r->name, r->min,
				r->max);
	with_state(&a->p.comp[a->ccomp].cell[a->casp], &nc, ANNOT_VALUE, value);
	if (cell_change(a, a->ccomp, a->casp, &nc, 0, 1, err) < 0) {
		cell_release(&nc);
		return -1;
	}
	annot_next_cell(a, &a->ccomp, &a->casp);
	return 0;
}

int annot_na(struct annot *a, struct fb_err *err)
{
	const struct rubric *r;
	struct annot_cell nc;

	if (need_cell(a, err) < 0)
		return -1;
	r = a->aspect[a->casp];
	if (!r->allow_na)
		return fb_error(err, "%s has no N/A: rate it %d to %d", r->name, r->min, r->max);
	with_state(&a->p.comp[a->ccomp].cell[a->casp], &nc, ANNOT_NA, 0);
	if (cell_change(a, a->ccomp, a->casp, &nc, 0, 1, err) < 0) {
		cell_release(&nc);
		return -1;
	}
	annot_next_cell(a, &a->ccomp, &a->casp);
	return 0;
}

int annot_clear(struct annot *a, struct fb_err *err)
{
	struct annot_cell nc;

	if (need_cell(a, err) < 0)
		return -1;
	if (!cell_done(&a->p.comp[a->ccomp].cell[a->casp]))
		return 0;
	with_state(&a->p.comp[a->ccomp].cell[a->casp], &nc, ANNOT_EMPTY, 0);
	if (cell_change(a, a->ccomp, a->casp, &nc, 0, 1, err) < 0) {
		cell_release(&nc);
		return -1;
	}
	return 0;
}

int annot_set_rationale(struct annot *a, const char *text, struct fb_err *err)
{
	const struct annot_cell *c;
	struct annot_cell nc;

	if (need_cell(a, err) < 0)
		return -1;
	c = &a->p.comp[a->ccomp].cell[a->casp];
	cell_copy(&nc, c);
	free(nc.rationale);
	nc.rationale = nonempty(text) ? xstrdup(text) : NULL;
	if (cell_change(a, a->ccomp, a->casp, &nc, 1, 1, err) < 0) {
		cell_release(&nc);
		return -1;
	}
	return 0;
}

int annot_set_types(struct annot *a, const char *list, struct fb_err *err)
{
	const struct rubric *r;
	struct annot_cell nc;
	struct sbuf json = SBUF_INIT;
	const char *s = list;
	size_t n = 0, i;

	if (need_cell(a, err) < 0)
		return -1;
	r = a->aspect[a->casp];
	if (!r->ntypes)
		return fb_error(err, "%s has no type ids", r->name);
	sbuf_addc(&json, '[');
	while (*s) {
		size_t len;
		int dup = 0;
		const char *p;

		s += strspn(s, " ,;\t");
		len = strcspn(s, " ,;\t");
		if (!len)
			break;
		for (i = 0; i < r->ntypes; i++)
			if (strlen(r->types[i].id) == len && !memcmp(r->types[i].id, s, len))
				break;
		if (i == r->ntypes) {
			struct sbuf ids = SBUF_INIT;

			for (i = 0; i < r->ntypes; i++)
				sbuf_addf(&ids, "%s%s", i ? ", " : "", r->types[i].id);
			fb_error(err, "'%.*s' is not a type id of %s (%s)", (int)len, s, r->name,
				 sbuf_str(&ids));
			sbuf_release(&ids);
			sbuf_release(&json);
			return -1;
		}
		/* a repeated id counts once */
		for (p = json.buf + 1; p && *p; p++)
			if (*p == '"' && !strncmp(p + 1, s, len) && p[1 + len] == '"')
				dup = 1;
		if (!dup) {
			sbuf_addf(&json, "%s\"%.*s\"", n ? "," : "", (int)len, s);
			n++;
		}
		s += len;
	}
	sbuf_addc(&json, ']');
	cell_copy(&nc, &a->p.comp[a->ccomp].cell[a->casp]);
	free(nc.types);
	nc.types = sbuf_detach(&json, NULL);
	if (cell_change(a, a->ccomp, a->casp, &nc, 0, 1, err) < 0) {
		cell_release(&nc);
		return -1;
	}
	return 0;
}

/* Write *nc as comp's critique (text NULL and no score: emptied, history kept). */
static int crit_change(struct annot *a, size_t comp, struct annot_crit *nc, int drop_draft,
		       int record_undo, struct fb_err *err)
{
	struct annot_crit *c = &a->p.comp[comp].crit;
	struct store_critique sc;

	if (db_begin(a->db, err) < 0)
		return -1;
	if (nc->exists || c->exists || nonempty(nc->text) || nc->has_score) {
		memset(&sc, 0, sizeof(sc));
		sc.completion_id = a->p.comp[comp].id;
		sc.rater_id = a->rater_id;
		sc.text = nonempty(nc->text) ? nc->text : NULL;
		sc.has_overall = nc->has_score;
		sc.overall = nc->score;
		if (store_critique(a->db, &sc, NULL, err) < 0)
			goto fail;
	}
	if (drop_draft && drop_draft_row(a, a->p.comp[comp].id, "critique", err) < 0)
		goto fail;
	if (change_commit(a, a->p.finished, 0, err) < 0)
		return -1;
	if (record_undo) {
		struct annot_undo *u = undo_push(a);

		u->kind = UNDO_CRITIQUE;
		u->prompt_id = a->p.id;
		u->completion_id = a->p.comp[comp].id;
		crit_copy(&u->crit, c);
	}
	nc->exists = nc->exists || c->exists || nonempty(nc->text) || nc->has_score;
	nc->has_draft = drop_draft ? 0 : c->has_draft;
	crit_release(c);
	*c = *nc;
	memset(nc, 0, sizeof(*nc));
	change_done(a, a->p.finished);
	return 0;
fail:
	change_rollback(a);
	return -1;
}

int annot_set_critique(struct annot *a, size_t comp, const char *text, int has_score,
		       double score, struct fb_err *err)
{
	struct annot_crit nc;

	if (need_cell(a, err) < 0)
		return -1;
	if (comp >= a->p.ncomp)
		return fb_error(err, "no completion %zu", comp + 1);
	if (has_score && (score < 1 || score > 10 || score * 2 != (double)(long)(score * 2)))
		return fb_error(err, "an overall score is 1 to 10 in half points, not %g", score);
	memset(&nc, 0, sizeof(nc));
	nc.text = nonempty(text) ? xstrdup(text) : NULL;
	nc.has_score = has_score;
	nc.score = has_score ? score : 0;
	if (crit_change(a, comp, &nc, 1, 1, err) < 0) {
		crit_release(&nc);
		return -1;
	}
	return 0;
}

int annot_parse_score(const char *s, int *has_score, double *score, struct fb_err *err)
{
	char buf[32];
	size_t len;
	double v;
	char *slash;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	*has_score = 0;
	*score = 0;
	if (!len)
		return 0;
	if (len >= sizeof(buf))
		return fb_error(err, "'%.*s' is not a score from 1 to 10", (int)len, s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		if (strcmp(slash, "/10"))
			return fb_error(err, "'%s' is not a score from 1 to 10", buf);
		*slash = '\0';
	}
	if (parse_double(buf, &v) < 0 || v < 1 || v > 10 || v * 2 != (double)(long)(v * 2))
		return fb_error(err, "'%s' is not a score from 1 to 10 in half points", s);
	*has_score = 1;
	*score = v;
	return 0;
}

/* Set (reason non-NULL) or remove the flag or skip of the current prompt. */
static int flag_change(struct annot *a, int skip, const char *reason, int record_undo,
		       struct fb_err *err)
{
	const char *kind = skip ? "skip" : "flag";
	int *on = skip ? &a->p.skipped : &a->p.flagged;
	char **why = skip ? &a->p.skip_reason : &a->p.flag_reason;
	unsigned bit = skip ? ANNOT_Q_SKIPPED : ANNOT_Q_FLAGGED;
	struct annot_qitem *it = cur_item(a);

	if (db_begin(a->db, err) < 0)
		return -1;
	if ((reason ? store_flag(a->db, a->p.id, a->rater_id, kind, reason, NULL, err)
		    : store_unflag(a->db, a->p.id, a->rater_id, kind, err)) < 0) {
		change_rollback(a);
		return -1;
	}
	if (change_commit(a, a->p.finished, 0, err) < 0)
		return -1;
	if (record_undo) {
		struct annot_undo *u = undo_push(a);

		u->kind = skip ? UNDO_SKIP : UNDO_FLAG;
		u->prompt_id = a->p.id;
		u->reason = *on ? dup_or_null(*why) : NULL;
	}
	free(*why);
	*why = dup_or_null(reason);
	*on = reason != NULL;
	if (it)
		it->state = reason ? it->state | bit : it->state & ~bit;
	change_done(a, a->p.finished);
	return 0;
}

int annot_flag(struct annot *a, const char *kind, const char *reason, struct fb_err *err)
{
	if (!a->loaded)
		return fb_error(err, "no prompt is open");
	if (strcmp(kind, "flag") && strcmp(kind, "skip"))
		return fb_error(err, "'%s' is neither flag nor skip", kind);
	return flag_change(a, !strcmp(kind, "skip"), reason, 1, err);
}

int annot_undo(struct annot *a, struct fb_err *err)
{
	struct annot_undo *u;
	size_t slot, i, k;

	if (!a->nundo)
		return 0;
	slot = (a->undo_head + ANNOT_UNDO_MAX - 1) % ANNOT_UNDO_MAX;
	u = &a->undo[slot];
	if ((!a->loaded || a->p.id != u->prompt_id) && show_prompt(a, u->prompt_id, err) < 0)
		return -1;
	if (u->kind == UNDO_FLAG || u->kind == UNDO_SKIP) {
		if (flag_change(a, u->kind == UNDO_SKIP, u->reason, 0, err) < 0)
			return -1;
	} else {
		for (i = 0; i < a->p.ncomp && a->p.comp[i].id != u->completion_id; i++)
			;
		if (i == a->p.ncomp)
			return fb_error(err, "the completion of the last change is gone");
		if (u->kind == UNDO_CRITIQUE) {
			struct annot_crit nc;

			crit_copy(&nc, &u->crit);
			if (crit_change(a, i, &nc, 0, 0, err) < 0) {
				crit_release(&nc);
				return -1;
			}
			a->ccomp = i;
		} else {
			struct annot_cell nc;

			k = u->asp;
			if (k >= a->naspects)
				return fb_error(err, "the aspect of the last change is gone");
			cell_copy(&nc, &u->cell);
			if (cell_change(a, i, k, &nc, 0, 0, err) < 0) {
				cell_release(&nc);
				return -1;
			}
			a->ccomp = i;
			a->casp = k;
		}
	}
	undo_release(u);
	a->undo_head = slot;
	a->nundo--;
	return 1;
}

/* ---- drafts ---- */

static int draft_target(const struct annot *a, size_t comp, int asp, struct fb_err *err)
{
	if (!a->loaded || comp >= a->p.ncomp)
		return fb_error(err, "no such completion");
	if (asp != ANNOT_CRITIQUE && (asp < 0 || (size_t)asp >= a->naspects))
		return fb_error(err, "no such aspect");
	return 0;
}

static int *draft_flag(struct annot *a, size_t comp, int asp)
{
	return asp == ANNOT_CRITIQUE ? &a->p.comp[comp].crit.has_draft
				     : &a->p.comp[comp].cell[asp].has_draft;
}

int annot_draft_save(struct annot *a, size_t comp, int asp, const char *text,
		     struct fb_err *err)
{
	sqlite3_stmt *st;
	char now[32], *field;

	if (draft_target(a, comp, asp, err) < 0)
		return -1;
	field = draft_field(a, asp);
	now_iso8601(now);
	if (db_begin(a->db, err) < 0) {
		free(field);
		return -1;
	}
	st = db_stmt(a->db, "INSERT INTO draft (rater_id, completion_id, field, text, updated_at) "
			    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (rater_id, completion_id, "
			    "field) DO UPDATE SET text = excluded.text, updated_at = "
			    "excluded.updated_at");
	sqlite3_bind_int64(st, 1, a->rater_id);
	sqlite3_bind_int64(st, 2, a->p.comp[comp].id);
	db_bind_text(st, 3, field);
	db_bind_text(st, 4, text);
	db_bind_text(st, 5, now);
	free(field);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(a->db, err, "saving a draft");
		change_rollback(a);
		return -1;
	}
	if (change_commit(a, a->p.finished, 1, err) < 0)
		return -1;
	*draft_flag(a, comp, asp) = 1;
	change_done(a, a->p.finished);
	return 0;
}

char *annot_draft_get(struct annot *a, size_t comp, int asp)
{
	sqlite3_stmt *st;
	char *field, *text = NULL;

	if (draft_target(a, comp, asp, NULL) < 0)
		return NULL;
	field = draft_field(a, asp);
	st = db_stmt(a->db, "SELECT text FROM draft WHERE rater_id = ?1 AND completion_id = ?2 "
			    "AND field = ?3");
	sqlite3_bind_int64(st, 1, a->rater_id);
	sqlite3_bind_int64(st, 2, a->p.comp[comp].id);
	db_bind_text(st, 3, field);
	if (sqlite3_step(st) == SQLITE_ROW)
		text = db_col_dup(st, 0);
	sqlite3_reset(st);
	free(field);
	return text;
}

int annot_draft_drop(struct annot *a, size_t comp, int asp, struct fb_err *err)
{
	char *field;
	int rc;

	if (draft_target(a, comp, asp, err) < 0)
		return -1;
	field = draft_field(a, asp);
	rc = drop_draft_row(a, a->p.comp[comp].id, field, err);
	free(field);
	if (rc == 0) {
		*draft_flag(a, comp, asp) = 0;
		a->gen++;
	}
	return rc;
}

/* ---- views ---- */

int annot_llm_ready(const struct annot *a)
{
	return a->loaded && a->p.finished && a->p.llm_name != NULL;
}

int annot_stats(struct annot *a, struct annot_stats *s, struct fb_err *err)
{
	sqlite3_stmt *st;

	memset(s, 0, sizeof(*s));
	st = db_stmt(a->db, "SELECT count(*), count(finished_at), coalesce(sum(active_ms), 0), "
			    "coalesce(sum(CASE WHEN finished_at IS NOT NULL THEN active_ms END), 0) "
			    "FROM progress WHERE rater_id = ?1");
	sqlite3_bind_int64(st, 1, a->rater_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(a->db, err, "reading progress");
	}
	s->prompts_touched = (long)sqlite3_column_int64(st, 0);
	s->prompts_finished = (long)sqlite3_column_int64(st, 1);
	s->active_ms = sqlite3_column_int64(st, 2) + a->pending_ms;
	s->finished_active_ms = sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	st = db_stmt(a->db, "SELECT coalesce(sum(value IS NOT NULL OR na = 1), 0), "
			    "coalesce(sum(rationale IS NOT NULL AND rationale <> ''), 0) "
			    "FROM rating WHERE rater_id = ?1");
	sqlite3_bind_int64(st, 1, a->rater_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(a->db, err, "counting ratings");
	}
	s->values = (long)sqlite3_column_int64(st, 0);
	s->rationales = (long)sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	st = db_stmt(a->db, "SELECT count(*) FROM critique WHERE rater_id = ?1 AND "
			    "(text IS NOT NULL OR overall_score IS NOT NULL)");
	sqlite3_bind_int64(st, 1, a->rater_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(a->db, err, "counting critiques");
	}
	s->critiques = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}
