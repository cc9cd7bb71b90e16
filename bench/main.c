// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc-bench: the benchmark program run in the test VM by bench/vm.sh.
 *
 *   pgenc-bench [--reps N] PART...
 *
 * PART: hypercall, concurrency, getset, footprint, dump, or all.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>

#include "bench.h"

int bench_reps = 7;

static void emit_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

void bench_emit(const struct series *s, const char *meta, ...)
{
	va_list ap;
	int i;

	printf("PGENC-BENCH {\"name\": ");
	emit_json_string(s->name);
	printf(", \"unit\": ");
	emit_json_string(s->unit);
	printf(", \"samples\": [");
	for (i = 0; i < s->n; i++)
		printf("%s%.9g", i ? ", " : "", s->v[i]);
	printf("], \"meta\": {");
	if (meta) {
		va_start(ap, meta);
		vprintf(meta, ap);
		va_end(ap);
	}
	printf("}}\n");
	fflush(stdout);
}

void bench_info(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("PGENC-BENCH {\"name\": ");
	emit_json_string(name);
	printf(", \"info\": {");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("}}\n");
	fflush(stdout);
}

void *bench_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap %zu bytes", bytes);
	memset(p, 0x5a, bytes);
	return p;
}

void bench_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}

uint64_t bench_elf_pages(void)
{
	struct stat st;

	TEST_ASSERT(!stat(program_invocation_name, &st), "stat self");
	return 2 * (st.st_size / PGENC_PAGE);
}

static const struct {
	const char *name;
	int (*fn)(void);
} parts[] = {
	{ "hypercall", bench_hypercall }, { "concurrency", bench_concurrency },
	{ "getset", bench_getset },	  { "footprint", bench_footprint },
	{ "dump", bench_dump },
};

#define NPARTS (sizeof(parts) / sizeof(parts[0]))

static int run_part(const char *name)
{
	uint64_t t0 = bench_now_ns();
	size_t i;
	int r;

	for (i = 0; i < NPARTS; i++) {
		if (strcmp(name, parts[i].name))
			continue;
		r = parts[i].fn();
		bench_info("part", "\"part\": \"%s\", \"seconds\": %.3f", name,
			   (bench_now_ns() - t0) / 1e9);
		return r;
	}
	fprintf(stderr, "pgenc-bench: unknown part %s\n", name);
	return 2;
}

int main(int argc, char **argv)
{
	int i, r = 0;
	size_t p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			bench_reps = atoi(argv[++i]);
		} else {
			fprintf(stderr,
				"usage: pgenc-bench [--reps N] hypercall|concurrency|getset|footprint|dump|all...\n");
			return 2;
		}
	}
	if (bench_reps < 5 || bench_reps > BENCH_MAX_SAMPLES) {
		fprintf(stderr, "pgenc-bench: --reps must be 5..%d\n",
			BENCH_MAX_SAMPLES);
		return 2;
	}
	if (i == argc) {
		fprintf(stderr, "pgenc-bench: no part given\n");
		return 2;
	}
	pgenc_require();
	bench_info("run", "\"reps\": %d, \"page_size\": %ld", bench_reps,
		   sysconf(_SC_PAGESIZE));
	for (; i < argc && !r; i++) {
		if (!strcmp(argv[i], "all")) {
			for (p = 0; p < NPARTS && !r; p++)
				r = run_part(parts[p].name);
		} else {
			r = run_part(argv[i]);
		}
	}
	return r;
}
