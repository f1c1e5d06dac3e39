/* recq.c - a reader thread that frames and parses records (see recq.h). */
#include "recq.h"

#include "jsonl.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RECQ_SLOTS 128
/* Arena chunks: a typical record's tree fits in one or two. */
#define RECQ_CHUNK ((size_t)64 << 10)

/*
 * Parsing a record makes hundreds of small allocations that another thread
 * frees: with malloc that fragments the reader's heap and costs more the
 * longer an import runs.  Instead each record's tree is bump-allocated in
 * chunks that go back to a pool when the record is stored.
 */
struct recq_chunk {
	struct recq_chunk *next;
	size_t used, cap;
	int pooled; /* a standard chunk (back to the pool) or a big one (freed) */
	max_align_t data[];
};

struct recq {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	struct recq_item slots[RECQ_SLOTS];
	size_t head, count;
	int stop;     /* set by the consumer: the reader should quit */
	int finished; /* the reader queued its last item */
	FILE *f;
	struct recq_chunk *pool; /* free standard chunks, under mu */
};

/* The record being parsed on this thread (the reader's only). */
static _Thread_local struct recq *cur_q;
static _Thread_local struct recq_chunk **cur_mem;

static struct recq_chunk *chunk_get(struct recq *q, size_t need)
{
	struct recq_chunk *c = NULL;

	if (need <= RECQ_CHUNK) {
		pthread_mutex_lock(&q->mu);
		c = q->pool;
		if (c)
			q->pool = c->next;
		pthread_mutex_unlock(&q->mu);
		if (!c) {
			c = xmalloc(sizeof(*c) + RECQ_CHUNK);
			c->cap = RECQ_CHUNK;
			c->pooled = 1;
		}
	} else {
		c = xmalloc(sizeof(*c) + need);
		c->cap = need;
		c->pooled = 0;
	}
	c->used = 0;
	c->next = NULL;
	return c;
}

static void *hook_malloc(size_t n)
{
	struct recq_chunk *c;
	size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

	if (!cur_mem)
		return malloc(n);
	c = *cur_mem;
	if (!c || c->cap - c->used < need) {
		struct recq_chunk *fresh = chunk_get(cur_q, need);

		/* a big one goes behind the current chunk so small ones keep filling it */
		if (c && !fresh->pooled) {
			fresh->next = c->next;
			c->next = fresh;
			fresh->used = need;
			return (char *)fresh->data;
		}
		fresh->next = c;
		*cur_mem = c = fresh;
	}
	c->used += need;
	return (char *)c->data + c->used - need;
}

static void hook_free(void *p)
{
	/* arena memory is released a record at a time, never piece by piece */
	if (!cur_mem)
		free(p);
}

static void chunks_release(struct recq *q, struct recq_chunk *c)
{
	while (c) {
		struct recq_chunk *next = c->next;

		if (c->pooled) {
			pthread_mutex_lock(&q->mu);
			c->next = q->pool;
			q->pool = c;
			pthread_mutex_unlock(&q->mu);
		} else {
			free(c);
		}
		c = next;
	}
}

void recq_done(struct recq *q, struct recq_item *it)
{
	chunks_release(q, it->mem);
	it->mem = NULL;
	it->json = NULL;
}

/* 1-based line and column of position at within rec, which starts at (line0, col0). */
static void locate(const char *rec, size_t len, const char *at, long line0, int col0, long *line,
		   int *col)
{
	const char *p, *ls = rec;
	long l = line0;

	if (!at || at < rec || at > rec + len)
		at = rec + len;
	for (p = rec; p < at; p++)
		if (*p == '\n') {
			l++;
			ls = p + 1;
		}
	*line = l;
	*col = (int)(at - ls) + (l == line0 ? col0 : 1);
}

/* Queue it; 0 when the consumer asked us to stop. */
static int push(struct recq *q, struct recq_item *it)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == RECQ_SLOTS && !q->stop)
		pthread_cond_wait(&q->not_full, &q->mu);
	if (q->stop) {
		pthread_mutex_unlock(&q->mu);
		chunks_release(q, it->mem);
		return 0;
	}
	q->slots[(q->head + q->count) % RECQ_SLOTS] = *it;
	q->count++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
	return 1;
}

static void *reader(void *arg)
{
	struct recq *q = arg;
	struct jsonl_reader rd;
	struct recq_item it;

	jsonl_init(&rd, q->f);
	cur_q = q;
	for (;;) {
		const char *rec, *end = NULL;
		size_t len;
		struct fb_err e;
		enum jsonl_status s = jsonl_next(&rd, &rec, &len, &e);

		memset(&it, 0, sizeof(it));
		it.line = rd.rec_line;
		if (s == JSONL_END) {
			it.kind = RECQ_END;
		} else if (s == JSONL_FATAL) {
			it.kind = RECQ_FATAL;
			it.line = rd.rec_line ? rd.rec_line : rd.line;
			snprintf(it.msg, sizeof(it.msg), "%s", e.msg);
		} else if (s == JSONL_BAD) {
			it.kind = RECQ_BAD;
			snprintf(it.msg, sizeof(it.msg), "%s", e.msg);
		} else if (cur_mem = &it.mem,
			   it.json = cJSON_ParseWithLengthOpts(rec, len, &end, 0),
			   cur_mem = NULL, !it.json) {
			chunks_release(q, it.mem);
			it.mem = NULL;
			it.kind = RECQ_BAD;
			locate(rec, len, end, rd.rec_line, rd.rec_col, &it.line, &it.col);
			snprintf(it.msg, sizeof(it.msg), "%s",
				 rd.last_unterminated && rd.mode == 1
					 ? "malformed JSON: the last line is cut short (truncated file?)"
					 : "malformed JSON");
		} else {
			it.kind = RECQ_JSON;
			while (end && end < rec + len && (*end == ' ' || *end == '\t' || *end == '\r'))
				end++;
			if (end && end < rec + len) {
				chunks_release(q, it.mem);
				it.mem = NULL;
				it.json = NULL;
				it.kind = RECQ_BAD;
				locate(rec, len, end, rd.rec_line, rd.rec_col, &it.line, &it.col);
				snprintf(it.msg, sizeof(it.msg), "unexpected text after the JSON value");
			}
		}
		it.consumed = rd.consumed;
		if (!push(q, &it) || it.kind == RECQ_END || it.kind == RECQ_FATAL)
			break;
	}
	jsonl_release(&rd);
	pthread_mutex_lock(&q->mu);
	q->finished = 1;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct recq *recq_start(FILE *f)
{
	struct recq *q = xcalloc(1, sizeof(*q));
	cJSON_Hooks hooks = {hook_malloc, hook_free};

	cJSON_InitHooks(&hooks);
	q->f = f;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	if (pthread_create(&q->thread, NULL, reader, q) != 0)
		fatal("cannot start the reader thread");
	return q;
}

void recq_next(struct recq *q, struct recq_item *out)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == 0 && !q->finished)
		pthread_cond_wait(&q->not_empty, &q->mu);
	if (q->count == 0) {
		memset(out, 0, sizeof(*out));
		out->kind = RECQ_END;
	} else {
		*out = q->slots[q->head];
		q->head = (q->head + 1) % RECQ_SLOTS;
		q->count--;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->mu);
}

void recq_stop(struct recq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	while (q->count) {
		chunks_release(q, q->slots[q->head].mem);
		q->head = (q->head + 1) % RECQ_SLOTS;
		q->count--;
	}
	while (q->pool) {
		struct recq_chunk *c = q->pool;

		q->pool = c->next;
		free(c);
	}
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
