// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small sampling profiler for explaining results, for the test VM where
 * no perf tool is installed: perf_event_open() task-clock samples of this
 * thread's instruction pointer (user and kernel), resolved with
 * /proc/kallsyms, reported as the share of samples per symbol:
 *
 *	PGENC-BENCH {"name": "profile.NAME", "info": {"samples": ...,
 *		     "top": [{"sym": "...", "pct": ...}, ...]}}
 *
 * Profiles are taken outside the timed repetitions. A sample that falls
 * while a vCPU of this thread is in its (L2) guest is taken by KVM after
 * the guest exits and carries the guest's RIP; it is counted as
 * "[in the L2 guest]": the guest's own work plus, under emulation, most
 * of the cost of the world switch.
 */
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "bench.h"

#define PROF_PERIOD_NS 100000ULL /* 100 us: ~10% overhead under TCG */
#define PROF_DATA_PAGES 128 /* 512 KiB: 32768 samples */
#define PROF_TOP 8

struct ksym {
	uint64_t addr;
	char *name;
};

static struct ksym *ksyms;
static size_t nr_ksyms;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void ksyms_load(void)
{
	char line[512], name[256], mod[128], type;
	size_t cap = 0;
	uint64_t addr;
	FILE *f;
	int n;

	if (ksyms)
		return;
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		mod[0] = 0;
		n = sscanf(line, "%lx %c %255s %127s", &addr, &type, name, mod);
		if (n < 3 || !addr || (type != 't' && type != 'T'))
			continue;
		if (nr_ksyms == cap) {
			cap = cap ? 2 * cap : 65536;
			ksyms = realloc(ksyms, cap * sizeof(*ksyms));
			TEST_ASSERT(ksyms, "kallsyms");
		}
		if (mod[0])
			TEST_ASSERT(asprintf(&ksyms[nr_ksyms].name, "%s %s",
					     name, mod) > 0,
				    "asprintf");
		else
			ksyms[nr_ksyms].name = strdup(name);
		ksyms[nr_ksyms++].addr = addr;
	}
	fclose(f);
	qsort(ksyms, nr_ksyms, sizeof(*ksyms), ksym_cmp);
}

static const char *ksym_name(uint64_t ip)
{
	size_t lo = 0, hi = nr_ksyms;

	if (ip < 0xffff800000000000ULL)
		return "[user space]";
	if (!nr_ksyms || ip < ksyms[0].addr)
		return "[kernel, unknown]";
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (ksyms[mid].addr <= ip)
			lo = mid;
		else
			hi = mid;
	}
	return ksyms[lo].name;
}

struct prof {
	int fd;
	void *ring;
	size_t ring_bytes;
};

struct prof *prof_start(void)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_TASK_CLOCK,
		.sample_period = PROF_PERIOD_NS,
		.sample_type = PERF_SAMPLE_IP,
		.disabled = 1,
		.exclude_hv = 1,
	};
	struct prof *p = calloc(1, sizeof(*p));

	TEST_ASSERT(p, "calloc");
	ksyms_load();
	p->fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (p->fd < 0) {
		bench_info("profile.unavailable", "\"errno\": %d", errno);
		free(p);
		return NULL;
	}
	p->ring_bytes = (1 + PROF_DATA_PAGES) * PGENC_PAGE;
	p->ring = mmap(NULL, p->ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
		       p->fd, 0);
	TEST_ASSERT(p->ring != MAP_FAILED, "perf mmap");
	ioctl(p->fd, PERF_EVENT_IOC_RESET, 0);
	ioctl(p->fd, PERF_EVENT_IOC_ENABLE, 0);
	return p;
}

struct hit {
	const char *sym;
	uint64_t n;
};

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->sym, y->sym);
}

/* Stop p, emit "profile.<name>" and free p (NULL: nothing). */
void prof_stop(struct prof *p, const char *name)
{
	struct perf_event_mmap_page *meta;
	struct hit *hits = NULL;
	size_t nhits = 0, cap = 0, i;
	uint64_t head, tail, samples = 0, lost = 0;
	uint8_t *data;
	char full[96];

	if (!p)
		return;
	ioctl(p->fd, PERF_EVENT_IOC_DISABLE, 0);
	meta = p->ring;
	data = (uint8_t *)p->ring + PGENC_PAGE;
	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	tail = meta->data_tail;
	while (tail < head) {
		struct perf_event_header hdr;
		size_t off = tail % (PROF_DATA_PAGES * PGENC_PAGE);
		uint64_t rec[4];
		size_t k;

		/* Records may wrap around the ring: copy byte by byte. */
		for (k = 0; k < sizeof(hdr); k++)
			((uint8_t *)&hdr)[k] =
				data[(off + k) % (PROF_DATA_PAGES * PGENC_PAGE)];
		for (k = 0; k < sizeof(rec) && k < hdr.size; k++)
			((uint8_t *)rec)[k] =
				data[(off + k) % (PROF_DATA_PAGES * PGENC_PAGE)];
		if (!hdr.size)
			break;
		tail += hdr.size;
		if (hdr.type == PERF_RECORD_LOST) {
			lost += rec[2];
			continue;
		}
		if (hdr.type != PERF_RECORD_SAMPLE)
			continue;
		samples++;
		{
			unsigned int mode = hdr.misc &
					    PERF_RECORD_MISC_CPUMODE_MASK;
			const char *sym = ksym_name(rec[1]);

			/* KVM reports the guest's RIP for samples it takes. */
			if (mode == PERF_RECORD_MISC_GUEST_KERNEL ||
			    mode == PERF_RECORD_MISC_GUEST_USER)
				sym = "[in the L2 guest]";
			else if (mode == PERF_RECORD_MISC_USER)
				sym = "[user space]";

			for (i = 0; i < nhits && hits[i].sym != sym; i++)
				;
			if (i == nhits) {
				if (nhits == cap) {
					cap = cap ? 2 * cap : 64;
					hits = realloc(hits,
						       cap * sizeof(*hits));
					TEST_ASSERT(hits, "realloc");
				}
				hits[nhits++] = (struct hit){ sym, 0 };
			}
			hits[i].n++;
		}
	}
	qsort(hits, nhits, sizeof(*hits), hit_cmp);

	snprintf(full, sizeof(full), "profile.%s", name);
	printf("PGENC-BENCH {\"name\": \"%s\", \"info\": {\"samples\": %lu, \"lost\": %lu, \"period_ns\": %llu, \"top\": [",
	       full, (unsigned long)samples, (unsigned long)lost,
	       PROF_PERIOD_NS);
	for (i = 0; i < nhits && i < PROF_TOP; i++)
		printf("%s{\"sym\": \"%s\", \"pct\": %.1f}", i ? ", " : "",
		       hits[i].sym, 100.0 * hits[i].n / samples);
	printf("]}}\n");
	fflush(stdout);

	free(hits);
	munmap(p->ring, p->ring_bytes);
	close(p->fd);
	free(p);
}
