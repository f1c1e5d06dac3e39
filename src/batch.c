/*
 * batch.c - OpenAI Batch API files for the judge (see judge.h): write the
 * requests not yet answered as input files, read output files back and
 * store their answers exactly as online answers are stored.
 */
#include "judge.h"

#include "chat.h"
#include "jcall.h"
#include "progress.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* An output line is a chat completion and a little wrapping: far below this. */
#define BATCH_MAX_LINE (16L * 1024 * 1024)
/* Answers per transaction when reading. */
#define BATCH_TX_LINES 500

char *batch_custom_id(const struct judge *j, const struct judge_task *t)
{
	struct sbuf sb = SBUF_INIT;
	size_t k;

	sbuf_addf(&sb, "fb:%lld:%s:", (long long)t->prompt_id, j->aspects[t->aspect].r->name);
	for (k = 0; k < t->n; k++)
		sbuf_addf(&sb, "%s%lld", k ? "." : "", (long long)t->cids[k]);
	return sbuf_detach(&sb, NULL);
}

/* A positive decimal id at *s, up to a stop character; advances *s. */
static int read_id(const char **s, char stop, int64_t *out)
{
	const char *p = *s;
	int64_t v = 0;

	if (*p < '1' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	if (*p != stop)
		return -1;
	*out = v;
	*s = p;
	return 0;
}

int batch_custom_id_parse(const char *s, int64_t *prompt_id, char *aspect, size_t aspectsz,
			  int64_t *cids, size_t *n)
{
	const char *p, *colon;
	size_t alen;

	*n = 0;
	if (!starts_with(s, "fb:"))
		return -1;
	p = s + 3;
	if (read_id(&p, ':', prompt_id) < 0)
		return -1;
	p++;
	colon = strchr(p, ':');
	if (!colon)
		return -1;
	alen = (size_t)(colon - p);
	if (alen == 0 || alen >= aspectsz)
		return -1;
	memcpy(aspect, p, alen);
	aspect[alen] = '\0';
	p = colon + 1;
	for (;;) {
		if (*n == JUDGE_MAX_TEXTS)
			return -1;
		if (read_id(&p, strchr(p, '.') ? '.' : '\0', &cids[*n]) < 0)
			return -1;
		(*n)++;
		if (!*p)
			return 0;
		p++;
	}
}

char *batch_part_name(const char *path, int k)
{
	size_t n = strlen(path);

	if (k <= 1)
		return xstrdup(path);
	if (n > 6 && !strcmp(path + n - 6, ".jsonl"))
		return xasprintf("%.*s.%d.jsonl", (int)(n - 6), path, k);
	return xasprintf("%s.%d", path, k);
}

/* ---- writing ----------------------------------------------------------------- */

struct writer {
	const char *path;
	long max_lines, max_bytes;
	int part;
	FILE *f;
	char *name, *tmp;
	long lines, bytes;
	struct sbuf done; /* the finished parts, for the message */
};

static int writer_close(struct writer *w, struct fb_err *err)
{
	int bad;

	if (!w->f)
		return 0;
	bad = ferror(w->f) | fclose(w->f);
	w->f = NULL;
	if (bad || rename(w->tmp, w->name) < 0) {
		fb_error(err, "%s: %s", w->name, strerror(errno));
		remove(w->tmp);
		return -1;
	}
	sbuf_addf(&w->done, "%s%s (%ld requests)", w->done.len ? ", " : "", w->name, w->lines);
	free(w->name);
	free(w->tmp);
	w->name = w->tmp = NULL;
	return 0;
}

static int writer_line(struct writer *w, const char *line, size_t len, struct fb_err *err)
{
	if (w->f && (w->lines >= w->max_lines || w->bytes + (long)len > w->max_bytes))
		if (writer_close(w, err) < 0)
			return -1;
	if (!w->f) {
		w->part++;
		w->name = batch_part_name(w->path, w->part);
		w->tmp = xasprintf("%s.tmp", w->name);
		w->f = fopen(w->tmp, "wb");
		if (!w->f)
			return fb_error(err, "%s: %s", w->tmp, strerror(errno));
		w->lines = w->bytes = 0;
	}
	if (fwrite(line, 1, len, w->f) != len)
		return fb_error(err, "%s: %s", w->tmp, strerror(errno));
	w->lines++;
	w->bytes += (long)len;
	return 0;
}

int batch_write(struct judge *j, const char *path, long max_lines, long max_bytes, FILE *msg,
		struct fb_err *err)
{
	struct writer w;
	struct judge_iter it;
	struct judge_task *t;
	struct sbuf line = SBUF_INIT;
	long n = 0;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	w.path = path;
	w.max_lines = max_lines;
	w.max_bytes = max_bytes;
	if (judge_iter_start(j, &it, err) < 0)
		return -1;
	for (;;) {
		char *id;

		if (judge_iter_next(j, &it, &t, err) < 0)
			goto out;
		if (!t)
			break;
		id = batch_custom_id(j, t);
		sbuf_reset(&line);
		/* the body is already compact JSON: embed it as is */
		sbuf_addf(&line, "{\"custom_id\":\"%s\",\"method\":\"POST\","
				 "\"url\":\"/v1/chat/completions\",\"body\":",
			  id);
		sbuf_add(&line, t->body, t->body_len);
		sbuf_adds(&line, "}\n");
		free(id);
		j->n.est_tokens += t->est_tokens;
		if ((long)line.len > max_bytes) {
			fb_error(err, "a request of prompt %lld is larger than a batch file may be",
				 (long long)t->prompt_id);
			judge_task_free(t);
			goto out;
		}
		judge_task_free(t);
		if (writer_line(&w, line.buf, line.len, err) < 0)
			goto out;
		n++;
	}
	if (writer_close(&w, err) < 0)
		goto out;
	if (n)
		fprintf(msg, "batch: %ld requests in %d file%s: %s\n", n, w.part,
			w.part == 1 ? "" : "s", sbuf_str(&w.done));
	else
		fprintf(msg, "batch: nothing to ask\n");
	fprintf(msg, "batch: %ld of %ld tasks answered before, %ld given up; about %.0f prompt "
		     "tokens (bytes / 4)\n",
		j->n.cached, j->n.total, j->n.given_up, j->n.est_tokens);
	if (n)
		fprintf(msg, "batch: upload each file (purpose \"batch\"), create a batch for "
			     "/v1/chat/completions, and when it is done give the output files to "
			     "'feedbench judge --batch-in' with the same --model\n");
	rc = 0;
out:
	if (w.f) {
		fclose(w.f);
		remove(w.tmp);
	}
	free(w.name);
	free(w.tmp);
	sbuf_release(&w.done);
	sbuf_release(&line);
	judge_iter_release(&it);
	return rc;
}

/* ---- reading ----------------------------------------------------------------- */

struct reader {
	struct judge *j;
	FILE *msg;
	const char *file;
	long line;
	long bad, lines, already;
	struct judge_prompt p;
	int have_p;
};

static void bad_line(struct reader *r, const char *fmt, ...) FB_PRINTF(2, 3);

static void bad_line(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	r->bad++;
	fprintf(r->msg, "%s:%ld: ", r->file, r->line);
	va_start(ap, fmt);
	vfprintf(r->msg, fmt, ap);
	va_end(ap);
	fputc('\n', r->msg);
}

static size_t aspect_index(const struct judge *j, const char *name)
{
	size_t a;

	for (a = 0; a < j->naspects; a++)
		if (!strcmp(j->aspects[a].r->name, name))
			return a;
	return (size_t)-1;
}

/* Build the task a custom_id names.  NULL after reporting the line as bad. */
static struct judge_task *task_of(struct reader *r, const char *id, struct fb_err *err,
				  int *dberr)
{
	struct judge *j = r->j;
	int64_t pid, cids[JUDGE_MAX_TEXTS];
	char aspect[64];
	size_t n, k, i, a, order[JUDGE_MAX_TEXTS], which = 0;
	struct judge_task *t;
	struct fb_err e;

	*dberr = 0;
	if (batch_custom_id_parse(id, &pid, aspect, sizeof(aspect), cids, &n) < 0) {
		bad_line(r, "custom_id '%.80s' is not one of feedbench's (fb:PROMPT:ASPECT:ORDER)",
			 id);
		return NULL;
	}
	a = aspect_index(j, aspect);
	if (a == (size_t)-1) {
		bad_line(r, "custom_id '%.80s': aspect %s is not being read", id, aspect);
		return NULL;
	}
	if (!r->have_p || r->p.id != pid) {
		if (r->have_p)
			judge_prompt_release(&r->p);
		r->have_p = 0;
		if (judge_prompt_load(j, pid, &r->p, &e) < 0) {
			bad_line(r, "custom_id '%.80s': %s", id, e.msg);
			return NULL;
		}
		r->have_p = 1;
	}
	if (j->aspects[a].critique ? n != 1 : n != r->p.n) {
		bad_line(r, "custom_id '%.80s': names %zu completions; prompt %lld has %zu", id, n,
			 (long long)pid, r->p.n);
		return NULL;
	}
	for (k = 0; k < n; k++) {
		for (i = 0; i < r->p.n && r->p.cids[i] != cids[k]; i++)
			;
		if (i == r->p.n) {
			bad_line(r, "custom_id '%.80s': completion %lld is not one of prompt %lld's",
				 id, (long long)cids[k], (long long)pid);
			return NULL;
		}
		order[k] = i;
		which = i;
	}
	t = judge_task_make(j, &r->p, a, order, which, err);
	if (!t)
		*dberr = 1;
	return t;
}

/* Turn one output line into an answer and record it.  -1 only on a database error. */
static int read_line(struct reader *r, const char *buf, size_t len, struct fb_err *err)
{
	struct judge *j = r->j;
	cJSON *root = cJSON_ParseWithLength(buf, len), *resp, *e, *body;
	const char *id;
	struct judge_task *t = NULL;
	struct jcall_seen seen;
	struct judge_answer a;
	struct chat_reply cr;
	struct fb_err why;
	enum judge_outcome out;
	char reason[400], *text = NULL;
	int dberr, rc = 0;

	memset(&cr, 0, sizeof(cr));
	if (!cJSON_IsObject(root)) {
		bad_line(r, "not a JSON object");
		goto done;
	}
	id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "custom_id"));
	if (!id) {
		bad_line(r, "no custom_id");
		goto done;
	}
	t = task_of(r, id, err, &dberr);
	if (!t) {
		rc = dberr ? -1 : 0;
		goto done;
	}
	if (!j->redo) {
		if (jcall_seen(j->db, t->hash, j->rater_id, &seen, err) < 0) {
			rc = -1;
			goto done;
		}
		if (seen.answer_id && seen.answer_is_ours) {
			r->already++;
			j->n.cached++;
			goto done;
		}
	}
	memset(&a, 0, sizeof(a));
	a.prompt_tokens = a.completion_tokens = -1;
	a.attempts = 1;
	a.via = "batch";
	resp = cJSON_GetObjectItemCaseSensitive(root, "response");
	e = cJSON_GetObjectItemCaseSensitive(root, "error");
	why.msg[0] = '\0';
	if (cJSON_IsObject(resp)) {
		const cJSON *sc = cJSON_GetObjectItemCaseSensitive(resp, "status_code");

		body = cJSON_GetObjectItemCaseSensitive(resp, "body");
		a.http_status = cJSON_IsNumber(sc) ? (long)sc->valuedouble : 0;
		text = body ? cJSON_PrintUnformatted(body) : NULL;
		if (!text) {
			bad_line(r, "response without a body");
			goto done;
		}
		if (chat_response_read(text, strlen(text), a.http_status, &cr, &why) == 0) {
			a.content = cr.content;
			a.len = strlen(cr.content);
			a.finish_reason = cr.finish_reason;
			a.truncated = cr.truncated;
			a.model = cr.model;
			a.prompt_tokens = cr.prompt_tokens;
			a.completion_tokens = cr.completion_tokens;
		} else {
			a.error = why.msg;
		}
	} else if (cJSON_IsObject(e)) {
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
		const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code"));

		snprintf(why.msg, sizeof(why.msg), "batch error%s%.100s: %.400s", c ? " " : "",
			 c ? c : "", m ? m : "(no message)");
		a.error = why.msg;
	} else {
		bad_line(r, "neither a response nor an error");
		goto done;
	}
	if (!j->redo) {
		int dup = jcall_batch_seen(j->db, t->hash, j->rater_id, a.content, a.error, err);

		if (dup < 0) {
			rc = -1;
			goto done;
		}
		if (dup) {
			r->already++;
			j->n.cached++;
			goto done;
		}
	}
	if (judge_record(j, t, &a, &out, reason, sizeof(reason), err) < 0) {
		rc = -1;
		goto done;
	}
	j->n.done++;
	if (out == JUDGE_ANSWERED) {
		j->n.answered++;
	} else {
		j->n.failed++;
		judge_report(j, t, reason);
	}
done:
	chat_reply_release(&cr);
	if (text)
		cJSON_free(text);
	judge_task_free(t);
	cJSON_Delete(root);
	return rc;
}

long batch_read(struct judge *j, char **files, size_t nfiles, FILE *msg, struct fb_err *err)
{
	struct reader r;
	struct progress prog;
	uint64_t total = 0, bytes = 0;
	char *buf = NULL;
	size_t cap = 0, i;
	int in_tx = 0;
	long since = 0;

	memset(&r, 0, sizeof(r));
	r.j = j;
	r.msg = msg;
	for (i = 0; i < nfiles; i++) {
		struct stat sb;

		if (stat(files[i], &sb) == 0)
			total += (uint64_t)sb.st_size;
	}
	progress_start(&prog, "batch-in", total, -1);
	for (i = 0; i < nfiles; i++) {
		FILE *f = fopen(files[i], "rb");
		ssize_t got;

		if (!f) {
			fb_error(err, "%s: %s", files[i], strerror(errno));
			goto fail;
		}
		r.file = files[i];
		r.line = 0;
		while ((got = getline(&buf, &cap, f)) != -1) {
			size_t len = (size_t)got;

			r.line++;
			bytes += len;
			while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
				len--;
			if (!len)
				continue;
			r.lines++;
			if ((long)len > BATCH_MAX_LINE) {
				bad_line(&r, "line longer than %ld bytes", BATCH_MAX_LINE);
				continue;
			}
			if (!in_tx) {
				if (db_begin(j->db, err) < 0) {
					fclose(f);
					goto fail;
				}
				in_tx = 1;
			}
			if (read_line(&r, buf, len, err) < 0) {
				fclose(f);
				goto fail;
			}
			if (++since >= BATCH_TX_LINES) {
				if (db_commit(j->db, err) < 0) {
					in_tx = 0;
					fclose(f);
					goto fail;
				}
				in_tx = 0;
				since = 0;
			}
			progress_update(&prog, r.lines, bytes);
		}
		if (ferror(f)) {
			fb_error(err, "%s: %s", files[i], strerror(errno));
			fclose(f);
			goto fail;
		}
		fclose(f);
	}
	if (in_tx && db_commit(j->db, err) < 0) {
		in_tx = 0;
		goto fail;
	}
	progress_end(&prog);
	j->n.total = r.lines - r.bad;
	printf("batch-in: %ld lines in %zu file%s: %ld answers recorded, %ld stored before, "
		     "%ld bad lines\n",
		r.lines, nfiles, nfiles == 1 ? "" : "s", j->n.done, r.already, r.bad);
	free(buf);
	if (r.have_p)
		judge_prompt_release(&r.p);
	return r.bad;
fail:
	progress_end(&prog);
	if (in_tx)
		db_rollback(j->db);
	free(buf);
	if (r.have_p)
		judge_prompt_release(&r.p);
	return -1;
}
