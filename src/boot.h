/*
 * boot.h - the cluster (group) percentile bootstrap shared by agree.c and
 * conflict.c.
 *
 * A resample draws G groups (prompts) with replacement out of G; group g
 * then weighs w[g] = the number of times it was drawn.  Every statistic
 * here is a function of sums over units, so a resample's sums are
 * sum_g w[g] * S_g, where S_g is the group's own sum vector.  boot_gsum
 * stores those vectors sparsely (only nonzero entries), so one resample
 * costs O(G + nonzero entries) instead of O(units).
 *
 * Resample b uses its own generator, seeded from (seed, b): the draws, and
 * so the intervals, depend only on the seed, never on the thread count.
 * Resamples run in batches of up to BOOT_BATCH, so that one pass over the
 * group vectors serves several resamples (the work is memory-bound).
 *
 * Interval: the 2.5% and 97.5% percentiles of the resampled values where
 * the figure was defined, with linear interpolation between order
 * statistics (position h = (n - 1) p, the "type 7" rule of R and numpy).
 *
 * Ownership: a boot_gsum owns its arrays (boot_gsum_release frees them).
 * Nothing here fails except allocation, which is fatal.
 */
#ifndef FB_BOOT_H
#define FB_BOOT_H

#include "figure.h"
#include "util.h"

struct boot_gsum {
	size_t dim;      /* length of every group's vector */
	size_t ngroups;  /* groups closed so far */
	size_t *start;   /* ngroups + 1 offsets into idx/val */
	size_t scap;
	uint32_t *idx;   /* entry positions, < dim */
	double *val;     /* entry values */
	size_t n, cap;
	double *acc;     /* dim: the open group's dense sums */
	uint32_t *touched; /* positions of acc in use */
	size_t ntouched;
	unsigned char *seen; /* dim: position already in touched */
};

/* dim must be < 2^32. */
void boot_gsum_init(struct boot_gsum *g, size_t dim);
/* Add v at position i of the open group. */
void boot_gsum_add(struct boot_gsum *g, size_t i, double v);
/* Close the open group (it may be empty); the next add opens group ngroups. */
void boot_gsum_close(struct boot_gsum *g);
/*
 * Sums for nb resamples at once: out[i * nb + b] = sum over closed groups of
 * w[b * ngroups + g] * S_g[i], for i < dim and b < nb (out holds dim * nb).
 * w NULL means every weight is 1 (and nb must be 1): the plain total.
 * The weights come from boot_run, whose ngroups must equal g->ngroups.
 */
void boot_gsum_total(const struct boot_gsum *g, const uint32_t *w, size_t nb, double *out);
void boot_gsum_release(struct boot_gsum *g);

#define BOOT_BATCH 8

/*
 * A batch of nb (<= BOOT_BATCH) resamples: resample b weighs group g by
 * w[b * ngroups + g] (the layout boot_gsum_total takes).  Writes nstat
 * statistics for resample b at out + b * nstat, NAN for a statistic that is
 * undefined in that resample.  Called from several threads at once: it
 * must only read ctx.
 */
typedef void (*boot_fn)(void *ctx, const uint32_t *w, size_t nb, double *out);

/*
 * Run B resamples of ngroups groups; samples (B * nstat, row b at
 * b * nstat) receives each resample's statistics.  threads <= 0 uses the
 * online processors (at most 8); the result does not depend on it.
 */
void boot_run(size_t ngroups, size_t B, uint64_t seed, int threads, size_t nstat,
	      boot_fn fn, void *ctx, double *samples);

/*
 * Set f's 95% interval from column j of samples (B rows of nstat).  A null
 * f gets a null interval; so does one defined in fewer than two resamples.
 */
void boot_interval(struct figure *f, const double *samples, size_t B, size_t nstat, size_t j);

#endif
