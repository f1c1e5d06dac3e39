/* boot.c - cluster percentile bootstrap over per-group sum vectors. */
#include "boot.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void boot_gsum_init(struct boot_gsum *g, size_t dim)
{
	memset(g, 0, sizeof(*g));
	if (dim >= UINT32_MAX)
		fatal("bootstrap vector too long (%zu)", dim);
	g->dim = dim;
	g->acc = xcalloc(dim ? dim : 1, sizeof(*g->acc));
	g->seen = xcalloc(dim ? dim : 1, 1);
	g->touched = xmalloc((dim ? dim : 1) * sizeof(*g->touched));
	xgrow((void **)&g->start, &g->scap, 1, sizeof(*g->start));
	g->start[0] = 0;
}

void boot_gsum_add(struct boot_gsum *g, size_t i, double v)
{
	if (!g->seen[i]) {
		g->seen[i] = 1;
		g->touched[g->ntouched++] = (uint32_t)i;
	}
	g->acc[i] += v;
}

void boot_gsum_close(struct boot_gsum *g)
{
	if (g->n + g->ntouched > g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 256;

		while (cap < g->n + g->ntouched)
			cap *= 2;
		g->idx = xrealloc(g->idx, cap * sizeof(*g->idx));
		g->val = xrealloc(g->val, cap * sizeof(*g->val));
		g->cap = cap;
	}
	for (size_t t = 0; t < g->ntouched; t++) {
		uint32_t i = g->touched[t];

		if (g->acc[i] != 0) {
			g->idx[g->n] = i;
			g->val[g->n] = g->acc[i];
			g->n++;
		}
		g->acc[i] = 0;
		g->seen[i] = 0;
	}
	g->ntouched = 0;
	g->ngroups++;
	xgrow((void **)&g->start, &g->scap, g->ngroups + 1, sizeof(*g->start));
	g->start[g->ngroups] = g->n;
}

void boot_gsum_total(const struct boot_gsum *g, const uint32_t *w, size_t nb, double *out)
{
	memset(out, 0, g->dim * nb * sizeof(*out));
	if (!w) {
		for (size_t e = 0; e < g->n; e++)
			out[g->idx[e]] += g->val[e];
		return;
	}
	if (nb == BOOT_BATCH) {
		/* the common case, with a constant trip count the compiler can unroll */
		for (size_t gi = 0; gi < g->ngroups; gi++) {
			double wg[BOOT_BATCH];

			for (size_t b = 0; b < BOOT_BATCH; b++)
				wg[b] = w[b * g->ngroups + gi];
			for (size_t e = g->start[gi]; e < g->start[gi + 1]; e++) {
				double v = g->val[e], *o = out + (size_t)g->idx[e] * BOOT_BATCH;

				for (size_t b = 0; b < BOOT_BATCH; b++)
					o[b] += wg[b] * v;
			}
		}
		return;
	}
	for (size_t gi = 0; gi < g->ngroups; gi++) {
		for (size_t e = g->start[gi]; e < g->start[gi + 1]; e++) {
			double v = g->val[e], *o = out + (size_t)g->idx[e] * nb;

			for (size_t b = 0; b < nb; b++)
				o[b] += (double)w[b * g->ngroups + gi] * v;
		}
	}
}

void boot_gsum_release(struct boot_gsum *g)
{
	free(g->start);
	free(g->idx);
	free(g->val);
	free(g->acc);
	free(g->touched);
	free(g->seen);
	memset(g, 0, sizeof(*g));
}

/* A 64-bit mixer, so that neighbouring (seed, b) give unrelated streams. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

struct boot_job {
	size_t ngroups, B, nstat, stride;
	uint64_t seed;
	boot_fn fn;
	void *ctx;
	double *samples;
};

struct boot_worker {
	struct boot_job *job;
	size_t first; /* this worker runs b = first, first + stride, ... */
};

/*
 * Uniform in [0, n) for n < 2^32, unbiased: the high half of a 32 x 32-bit
 * product, redrawing the rare low halves that would favour some values
 * (Lemire's method).  rng_below's 64-bit division per draw dominated the
 * whole bootstrap; this needs one only on a rejection test.
 */
static uint32_t draw_below(struct fb_rng *r, uint32_t n)
{
	uint64_t m = (rng_next(r) >> 32) * (uint64_t)n;

	if ((uint32_t)m < n) {
		uint32_t floor = (uint32_t)(0u - n) % n;

		while ((uint32_t)m < floor)
			m = (rng_next(r) >> 32) * (uint64_t)n;
	}
	return (uint32_t)(m >> 32);
}

/* Resamples first .. first + nb - 1: draw their weights, then run them. */
static void one_batch(const struct boot_job *job, size_t first, size_t nb, uint32_t *w)
{
	memset(w, 0, job->ngroups * nb * sizeof(*w));
	for (size_t b = 0; b < nb; b++) {
		uint32_t *wb = w + b * job->ngroups;
		struct fb_rng r;

		rng_seed(&r, mix64(job->seed ^ mix64((uint64_t)(first + b) + 1)));
		if (job->ngroups < UINT32_MAX)
			for (size_t i = 0; i < job->ngroups; i++)
				wb[draw_below(&r, (uint32_t)job->ngroups)]++;
		else
			for (size_t i = 0; i < job->ngroups; i++)
				wb[rng_below(&r, job->ngroups)]++;
	}
	job->fn(job->ctx, w, nb, job->samples + first * job->nstat);
}

static void *worker_main(void *arg)
{
	struct boot_worker *wk = arg;
	struct boot_job *job = wk->job;
	uint32_t *w = xmalloc((job->ngroups ? job->ngroups : 1) * BOOT_BATCH * sizeof(*w));

	/* batch i covers resamples i * BOOT_BATCH ..; worker t takes t, t + stride, ... */
	for (size_t i = wk->first; i * BOOT_BATCH < job->B; i += job->stride) {
		size_t first = i * BOOT_BATCH, nb = job->B - first;

		one_batch(job, first, nb < BOOT_BATCH ? nb : BOOT_BATCH, w);
	}
	free(w);
	return NULL;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > 8 ? 8 : (int)n;
}

void boot_run(size_t ngroups, size_t B, uint64_t seed, int threads, size_t nstat,
	      boot_fn fn, void *ctx, double *samples)
{
	struct boot_job job = {ngroups, B, nstat, 1, seed, fn, ctx, samples};
	struct boot_worker *wk;
	pthread_t *tid;
	int *started;
	size_t nt;

	if (B == 0)
		return;
	if (ngroups == 0) {
		for (size_t i = 0; i < B * nstat; i++)
			samples[i] = NAN;
		return;
	}
	nt = (size_t)(threads > 0 ? threads : online_cpus());
	if (nt > (B + BOOT_BATCH - 1) / BOOT_BATCH)
		nt = (B + BOOT_BATCH - 1) / BOOT_BATCH;
	job.stride = nt;
	wk = xcalloc(nt, sizeof(*wk));
	tid = xcalloc(nt, sizeof(*tid));
	started = xcalloc(nt, sizeof(*started));
	for (size_t t = 0; t < nt; t++) {
		wk[t].job = &job;
		wk[t].first = t;
	}
	/* worker 0 runs here; the others in threads, or here if one cannot start */
	for (size_t t = 1; t < nt; t++)
		started[t] = pthread_create(&tid[t], NULL, worker_main, &wk[t]) == 0;
	worker_main(&wk[0]);
	for (size_t t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			worker_main(&wk[t]);
	}
	free(started);
	free(tid);
	free(wk);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Percentile p of sorted x[0..n), type 7 interpolation. */
static double percentile(const double *x, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);

	if (lo + 1 >= n)
		return x[n - 1];
	return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

void boot_interval(struct figure *f, const double *samples, size_t B, size_t nstat, size_t j)
{
	double *x;
	size_t n = 0;

	f->has_ci = 1;
	f->ci_ok = 0;
	f->ci_resamples = B;
	f->ci_undefined = 0;
	if (!f->ok) {
		f->ci_why = "the figure itself is null";
		return;
	}
	x = xmalloc((B ? B : 1) * sizeof(*x));
	for (size_t b = 0; b < B; b++) {
		double v = samples[b * nstat + j];

		if (isfinite(v))
			x[n++] = v;
	}
	f->ci_undefined = B - n;
	if (n < 2) {
		f->ci_why = "defined in fewer than two bootstrap resamples";
		f->ci_undefined = 0; /* the null interval already says it */
		free(x);
		return;
	}
	qsort(x, n, sizeof(*x), cmp_double);
	f->lo = percentile(x, n, 0.025);
	f->hi = percentile(x, n, 0.975);
	f->ci_ok = 1;
	f->ci_why = NULL;
	free(x);
}
