/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pgenc benchmarks: what the parts share. Each part measures one figure
 * of Documentation/benchmarks.rst and its baseline side by side, in the
 * same process, interleaving their repetitions, and prints every sample
 * as one line
 *
 *	PGENC-BENCH {"name": ..., "unit": ..., "samples": [...], "meta": {...}}
 *
 * on stdout. The host (bench/report.py) pairs the series into figures,
 * takes medians and ratios and judges the targets; nothing is judged
 * here.
 *
 * Guest code (the functions named guest_*) runs in a nested KVM guest
 * with none of the host's libc: it must call no function. bench/build.sh
 * checks the disassembly for that, because this program is linked
 * without the selftest library's guest-safe string_override.o: the
 * memcpy baselines must be glibc's own, the one a VMM calls.
 */
#ifndef PGENC_BENCH_H
#define PGENC_BENCH_H

#include <stdarg.h>
#include <time.h>

#include "pgenc_util.h"

#define BENCH_MAX_SAMPLES 64
#define KIB (1ULL << 10)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define TIB (1ULL << 40)

struct series {
	const char *name;
	const char *unit;
	int n;
	double v[BENCH_MAX_SAMPLES];
};

/* Repetitions of every figure (--reps); at least 5. */
extern int bench_reps;

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline void series_init(struct series *s, const char *name,
			       const char *unit)
{
	s->name = name;
	s->unit = unit;
	s->n = 0;
}

static inline void series_add(struct series *s, double v)
{
	TEST_ASSERT(s->n < BENCH_MAX_SAMPLES, "too many samples for %s",
		    s->name);
	s->v[s->n++] = v;
}

/* Keep the compiler from dropping a copy whose result nobody reads. */
static inline void bench_clobber(const void *p)
{
	asm volatile("" : : "r"(p) : "memory");
}

/*
 * Print a series; meta is a JSON object body ("\"k\": 1, ...") built
 * with printf-style arguments, or NULL.
 */
void bench_emit(const struct series *s, const char *meta, ...)
	__attribute__((format(printf, 2, 3)));
/* A record without samples: facts about the run (one JSON object body). */
void bench_info(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Anonymous memory, faulted in (a VMM reuses its migration buffers). */
void *bench_alloc(size_t bytes);
void bench_free(void *p, size_t bytes);

/* Extra slot 0 pages for a VM that loads this (large, static) binary. */
uint64_t bench_elf_pages(void);

/*
 * Sampling profile of this thread between start and stop, emitted as
 * "profile.<name>" (profile.c); start returns NULL, and stop does nothing,
 * where perf events are not available.
 */
struct prof;
struct prof *prof_start(void);
void prof_stop(struct prof *p, const char *name);

/* The parts; each returns 0 or exits through TEST_ASSERT. */
int bench_hypercall(void);
int bench_concurrency(void);
int bench_getset(void);
int bench_footprint(void);
int bench_dump(void);

#endif /* PGENC_BENCH_H */
