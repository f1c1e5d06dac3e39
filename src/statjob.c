/* statjob.c - the statistics screen's figures in a worker thread (see statjob.h). */
#include "statjob.h"

#include "annot.h"
#include "sel.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct statjob {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *path;
	const struct rubric_set *rs;
	int delay_ms;
	/* under mu */
	struct statjob_key *pending;  /* the next to compute */
	int running;                  /* a computation is under way */
	int stop;
	struct statjob_result *done;  /* the latest answer, not taken yet */
	struct db *db;                /* the worker's connection (set and used by it; read for
				       * sqlite3_interrupt under mu) */
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void key_release(struct statjob_key *k)
{
	free(k->dataset);
	free(k->source);
	free(k->rater);
	memset(k, 0, sizeof(*k));
}

static int str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The same aspects audit_summary_compute takes for a conflict: those rated, sharing the first one's scale. */
static int judge_conflict(struct db *db, const struct sel *sel, const char *judge,
			  struct conflict_result **out, struct fb_err *err)
{
	struct audit_data d;
	size_t r, *as, na, k = 0;
	long ri;
	int rc = 0;

	*out = NULL;
	if (audit_load(db, sel, &d, err) < 0)
		return -1;
	if ((ri = audit_rater_index(&d, judge)) < 0) {
		audit_release(&d);
		return 0;
	}
	r = (size_t)ri;
	as = audit_rated_aspects(&d, &r, 1, &na);
	for (size_t i = 0; i < na; i++)
		if (d.aspects[as[i]].min == d.aspects[as[0]].min &&
		    d.aspects[as[i]].max == d.aspects[as[0]].max)
			as[k++] = as[i];
	if (k > 0)
		rc = audit_conflict(&d, as, k, &r, 1, NULL, 0, judge, NULL, out, err);
	free(as);
	audit_release(&d);
	return rc;
}

/* Wait ms (the test delay), or less when the statjob is being closed. */
static void delay(struct statjob *j, int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->mu);
	while (!j->stop && pthread_cond_timedwait(&j->cv, &j->mu, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&j->mu);
}

/* Whether the rater's conflict matrix has anything in it (like the conflict queue asks). */
static int own_conflict(const struct statjob_result *r)
{
	return r->s->conflict && r->s->conflict->prompts > 0;
}

/* One computation, on the worker's connection (opened the first time). */
static struct statjob_result *compute(struct statjob *j, struct statjob_key *key)
{
	struct statjob_result *r = xcalloc(1, sizeof(*r));
	struct sel sel;
	struct fb_err err;
	char *judge = NULL;
	int64_t t0 = now_ms();

	r->key = *key; /* takes the strings */
	memset(key, 0, sizeof(*key));
	sel.dataset = r->key.dataset;
	sel.source = r->key.source;
	if (j->delay_ms > 0)
		delay(j, j->delay_ms);
	if (!j->db) {
		struct db *db;

		if (db_open(&db, j->path, j->rs, DB_INTERACTIVE, &err) < 0)
			goto fail;
		pthread_mutex_lock(&j->mu);
		j->db = db;
		pthread_mutex_unlock(&j->mu);
	}
	if (annot_judge(j->db, &judge, &err) < 0)
		goto fail;
	if (audit_summary_compute(j->db, &sel, r->key.rater, judge, &r->s, &err) < 0)
		goto fail;
	if (!own_conflict(r) && r->s->llm &&
	    judge_conflict(j->db, &sel, r->s->llm, &r->judge_conflict, &err) < 0)
		goto fail;
	free(judge);
	r->ms = now_ms() - t0;
	return r;
fail:
	free(judge);
	audit_summary_free(r->s);
	r->s = NULL;
	snprintf(r->error, sizeof(r->error), "%s", err.msg);
	r->ms = now_ms() - t0;
	return r;
}

static void *worker(void *arg)
{
	struct statjob *j = arg;

	pthread_mutex_lock(&j->mu);
	while (!j->stop) {
		struct statjob_key *key;
		struct statjob_result *r;

		if (!j->pending) {
			pthread_cond_wait(&j->cv, &j->mu);
			continue;
		}
		key = j->pending;
		j->pending = NULL;
		j->running = 1;
		pthread_mutex_unlock(&j->mu);

		r = compute(j, key);
		free(key);

		pthread_mutex_lock(&j->mu);
		j->running = 0;
		if (j->pending || j->stop) {
			/* asked again meanwhile: this answer is for a replaced request */
			statjob_result_free(r);
		} else {
			statjob_result_free(j->done);
			j->done = r;
		}
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

struct statjob *statjob_open(const char *path, const struct rubric_set *rs, int delay_ms)
{
	struct statjob *j = xcalloc(1, sizeof(*j));
	sigset_t all, old;
	int rc;

	j->path = xstrdup(path);
	j->rs = rs;
	j->delay_ms = delay_ms;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	/* the worker inherits a mask blocking every signal: they go to the UI thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&j->th, NULL, worker, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		fatal("cannot start the statistics thread: %s", strerror(rc));
	return j;
}

void statjob_close(struct statjob *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->mu);
	j->stop = 1;
	if (j->running && j->db)
		sqlite3_interrupt(j->db->h); /* a long read ends at once */
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->th, NULL);
	db_close(j->db);
	if (j->pending) {
		key_release(j->pending);
		free(j->pending);
	}
	statjob_result_free(j->done);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j->path);
	free(j);
}

void statjob_request(struct statjob *j, const char *dataset, const char *source,
		     const char *rater, unsigned long version)
{
	struct statjob_key *k = xcalloc(1, sizeof(*k));

	k->dataset = dup_or_null(dataset);
	k->source = dup_or_null(source);
	k->rater = xstrdup(rater);
	k->version = version;
	pthread_mutex_lock(&j->mu);
	if (j->pending) {
		key_release(j->pending);
		free(j->pending);
	}
	j->pending = k;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

struct statjob_result *statjob_take(struct statjob *j)
{
	struct statjob_result *r;

	pthread_mutex_lock(&j->mu);
	r = j->done;
	j->done = NULL;
	pthread_mutex_unlock(&j->mu);
	return r;
}

int statjob_busy(struct statjob *j)
{
	int busy;

	pthread_mutex_lock(&j->mu);
	busy = j->pending != NULL || j->running;
	pthread_mutex_unlock(&j->mu);
	return busy;
}

int statjob_key_same(const struct statjob_result *r, const char *dataset, const char *source,
		     const char *rater, unsigned long version)
{
	return r && r->key.version == version && str_same(r->key.dataset, dataset) &&
	       str_same(r->key.source, source) && str_same(r->key.rater, rater);
}

const struct conflict_result *statjob_conflict(const struct statjob_result *r, const char **whose)
{
	*whose = NULL;
	if (!r || !r->s)
		return NULL;
	if (own_conflict(r) || (r->s->conflict && !r->judge_conflict)) {
		*whose = r->s->rater;
		return r->s->conflict;
	}
	if (r->judge_conflict)
		*whose = r->s->llm;
	return r->judge_conflict;
}

void statjob_result_free(struct statjob_result *r)
{
	if (!r)
		return;
	key_release(&r->key);
	audit_summary_free(r->s);
	conflict_result_free(r->judge_conflict);
	free(r);
}
