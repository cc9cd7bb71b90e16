// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercall 12 cost, per call, on three paths side by side:
 *
 *   kernel  pgenc tracking on: KVM updates the bitmap and resumes the guest
 *   uexit   stock 6.1: tracking off, KVM_CAP_EXIT_HYPERCALL for nr 12, so
 *           every call is a KVM_EXIT_HYPERCALL to this process, which
 *           updates its own bitmap with libpgenc (pgenc_hypercall_apply)
 *           and re-enters KVM_RUN: what VMMs do today
 *   null    an unknown hypercall nr, answered -KVM_ENOSYS by KVM: the
 *           floor, a guest exit and entry with no work
 *
 * Timed from the host: the guest makes N calls and then writes to an I/O
 * port, and the time is taken around the KVM_RUN calls (one for kernel and
 * null, N + 1 for uexit) from the first entry to that port exit. Per call
 * is that time / N; the one port exit is shared by all paths and is below
 * 0.1% at N = 2000. Each batch's return values are checked (0 for kernel
 * and uexit, -KVM_ENOSYS for null), and pgenc's own counter or our exit
 * count must equal N, so a batch that took another path fails the run.
 *
 * Also: npages 1, 512 and 262144 per call, a boot-like storm of 20,000
 * one-page calls (the count measured for an OVMF boot), and in
 * bench_concurrency() 1 vs 2 vCPUs of one VM and 1 vs 2 VMs at once.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <pgenc/pgenc.h>

#include "bench.h"

#define HC_PORT 0x2b0
/*
 * Slot 1 runs from the end of slot 0 to 1 GiB + 64 KiB over untouched
 * MAP_NORESERVE memory: tracked memory is [0, 1 GiB + 64 KiB), with no
 * hole, as the calls need (Documentation/api.rst, "Tracked memory").
 */
#define HC_TRACKED (GIB / PGENC_PAGE + 16ULL)
#define HC_NULL_NR 0x7f00ULL /* no such hypercall in 6.1 */
#define HC_CALLS 2000ULL
#define STORM_CALLS 20000ULL
#define STORM_GFN 0x10000ULL /* 256 MiB */
#define STORM_SPAN 20011ULL /* a prime: i * 7 % span visits distinct pages */
#define CONC_ROUNDS 5
#define CONC_CALLS 200ULL /* per vCPU per slice */
#define CONC_TOTAL (CONC_ROUNDS * CONC_CALLS)

enum {
	ATTRS_ALT,
	ATTRS_SHARED
};

/* One vCPU's batch, written by the host in guest memory. */
struct hc_params {
	uint64_t nr, gpa, npages, first, calls, stride, span, mode, expect;
	uint64_t bad, batches;
};

static struct hc_params hcp[2];

/*
 * The guest: batch after batch, calls calls to nr numbered from first;
 * call i goes to gpa + (i * stride % span) pages, alternately shared and
 * encrypted (ALT) or always shared. Then a port write hands control to the host, which may
 * change the parameters before the next KVM_RUN.
 */
static void guest_hc(uint64_t id)
{
	volatile struct hc_params *p = &hcp[id];
	uint64_t i, n, bad, off, attrs, ret;

	for (;;) {
		n = p->first + p->calls;
		bad = 0;
		for (i = p->first; i < n; i++) {
			off = p->span ? i * p->stride % p->span : 0;
			attrs = p->mode == ATTRS_ALT && (i & 1) ? 0x10 : 0;
			asm volatile("vmmcall"
				     : "=a"(ret)
				     : "a"(p->nr),
				       "b"(p->gpa + off * PGENC_PAGE),
				       "c"(p->npages), "d"(attrs)
				     : "memory");
			bad += ret != p->expect;
		}
		p->bad = bad;
		p->batches++;
		asm volatile("outb %%al, %%dx"
			     :
			     : "a"(0), "d"((uint16_t)(HC_PORT + id))
			     : "memory");
	}
}

struct hc_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[2];
	int nr_vcpus;
	bool tracked;
	struct pgenc_bitmap *ubits; /* uexit: the VMM's own bitmap */
	uint64_t uexits[2];
	void *slot1;
	uint64_t slot1_pages;
};

static void hc_vm_create(struct hc_vm *h, int nr_vcpus, bool track, bool uexit)
{
	int i;

	memset(h, 0, sizeof(*h));
	h->nr_vcpus = nr_vcpus;
	h->tracked = track;
	/*
	 * A slot 0 that holds this whole binary (static, with libcrypto):
	 * the library's default 2 MiB does not.
	 */
	h->vm = pgenc_vm_create_shell(1024 + bench_elf_pages());
	for (i = 0; i < nr_vcpus; i++)
		h->vcpus[i] = vm_vcpu_add(h->vm, i, guest_hc);
	h->slot1 = pgenc_track_to(h->vm, 1, HC_TRACKED, &h->slot1_pages);
	if (track)
		pgenc_enable(h->vm);
	if (uexit) {
		vm_enable_cap(h->vm, KVM_CAP_EXIT_HYPERCALL,
			      1ULL << KVM_HC_PAGE_ENC_STATUS);
		TEST_ASSERT(!pgenc_bitmap_new(0, HC_TRACKED, true, &h->ubits),
			    "pgenc_bitmap_new");
	}
	for (i = 0; i < nr_vcpus; i++)
		vcpu_args_set(h->vcpus[i], 1, (uint64_t)i);
}

static void hc_vm_free(struct hc_vm *h)
{
	pgenc_bitmap_free(h->ubits);
	kvm_vm_free(h->vm);
	bench_free(h->slot1, h->slot1_pages * PGENC_PAGE);
}

static struct hc_params *hc_params(struct hc_vm *h, int id)
{
	return addr_gva2hva(h->vm, (vm_vaddr_t)&hcp[id]);
}

/* Run one batch on vCPU id (set up by the caller); returns nanoseconds. */
static uint64_t hc_run(struct hc_vm *h, int id)
{
	struct kvm_vcpu *vcpu = h->vcpus[id];
	struct kvm_run *run = vcpu->run;
	struct hc_params *p = hc_params(h, id);
	uint64_t t0, t1, exits = 0, batches = p->batches;
	int r;

	t0 = bench_now_ns();
	for (;;) {
		r = ioctl(vcpu->fd, KVM_RUN, NULL);
		if (r && errno == EINTR)
			continue;
		TEST_ASSERT(!r, "KVM_RUN: %s", strerror(errno));
		if (run->exit_reason == KVM_EXIT_HYPERCALL) {
			r = pgenc_hypercall_apply(h->ubits,
						  run->hypercall.args[0],
						  run->hypercall.args[1],
						  run->hypercall.args[2]);
			run->hypercall.ret = r ? -KVM_EINVAL : 0;
			exits++;
			continue;
		}
		TEST_ASSERT(run->exit_reason == KVM_EXIT_IO &&
				    run->io.port == HC_PORT + id,
			    "vCPU %d: unexpected exit %s (port 0x%x)", id,
			    exit_reason_str(run->exit_reason), run->io.port);
		break;
	}
	t1 = bench_now_ns();
	TEST_ASSERT(p->batches == batches + 1, "vCPU %d: no batch done", id);
	TEST_ASSERT(!p->bad, "vCPU %d: %lu of %lu calls returned != %ld", id,
		    (unsigned long)p->bad, (unsigned long)p->calls,
		    (long)p->expect);
	TEST_ASSERT(exits == (h->ubits && p->nr == KVM_HC_PAGE_ENC_STATUS ?
				      p->calls :
				      0),
		    "vCPU %d: %lu userspace exits for %lu calls", id,
		    (unsigned long)exits, (unsigned long)p->calls);
	h->uexits[id] += exits;
	return t1 - t0;
}

/* Set up vCPU id's next batch. */
static void hc_setup(struct hc_vm *h, int id, uint64_t nr, uint64_t gpa,
		     uint64_t npages, uint64_t calls, uint64_t stride,
		     uint64_t span, uint64_t mode)
{
	struct hc_params *p = hc_params(h, id);

	p->nr = nr;
	p->gpa = gpa;
	p->npages = npages;
	p->calls = calls;
	p->stride = stride;
	p->span = span;
	p->mode = mode;
	p->first = 0;
	p->expect = nr == KVM_HC_PAGE_ENC_STATUS ? 0 : (uint64_t)-KVM_ENOSYS;
}

/*
 * A batch of calls from call index first (which picks the page and the
 * attributes); returns nanoseconds.
 */
static uint64_t hc_batch(struct hc_vm *h, uint64_t nr, uint64_t gpa,
			 uint64_t npages, uint64_t first, uint64_t calls,
			 uint64_t stride, uint64_t span, uint64_t mode)
{
	hc_setup(h, 0, nr, gpa, npages, calls, stride, span, mode);
	hc_params(h, 0)->first = first;
	return hc_run(h, 0);
}

/* pgenc's or the VMM's bitmap: how many pages are shared. */
static uint64_t shared_pages(struct hc_vm *h)
{
	if (h->ubits)
		return pgenc_bitmap_count(h->ubits, false);
	return pgenc_stat(h->vm, "shared_pages");
}

/*
 * One measured path: a VM, a hypercall nr and the pages per call; an
 * empty path (npages 0: no call at all, just the entry and the port exit
 * that end every batch) is subtracted from the others of its VM.
 */
struct hc_path {
	struct hc_vm *h;
	uint64_t nr, npages;
	struct series s;
	uint64_t ns;
};

/*
 * One repetition of every path: ROUNDS rounds, each running a slice of
 * calls on every path in turn, the order rotating from round to round.
 * The host is shared and noisy; slicing spreads every path over the same
 * stretch of time, so that a burst of load elsewhere hits all of them
 * alike instead of one series. storm: each path's slices together make
 * one storm (call indices continue from slice to slice).
 *
 * Returns the calls of nr 12 made on tracked VMs, which pgenc must have
 * counted.
 */
#define ROUNDS 40
static uint64_t hc_rep(struct hc_path *paths, int n, uint64_t calls, bool storm)
{
	uint64_t slice = calls / ROUNDS, counted = 0, gpa, span, stride, mode;
	int round, k, i;

	for (i = 0; i < n; i++)
		paths[i].ns = 0;
	for (round = 0; round < ROUNDS; round++) {
		for (k = 0; k < n; k++) {
			struct hc_path *p = &paths[(round + k) % n];
			uint64_t c = p->npages ? slice : 0;

			/* npages = 262144 from gpa 0 covers [0, 1 GiB). */
			gpa = storm ? STORM_GFN * PGENC_PAGE : 0;
			stride = storm ? 7 : 0;
			span = storm ? STORM_SPAN : 0;
			mode = storm ? ATTRS_SHARED : ATTRS_ALT;
			p->ns += hc_batch(p->h, p->nr, gpa, p->npages,
					  round * slice, c, stride, span, mode);
			if (p->h->tracked && p->nr == KVM_HC_PAGE_ENC_STATUS)
				counted += c;
		}
	}
	return counted;
}

/* Per call (us, or ms for a storm) of path i, minus its VM's empty path. */
static double hc_cost(struct hc_path *paths, int n, int i, double unit_ns)
{
	int k;

	for (k = 0; k < n; k++)
		if (paths[k].h == paths[i].h && !paths[k].npages)
			break;
	TEST_ASSERT(k < n, "no empty path for %s", paths[i].s.name);
	return ((double)paths[i].ns - (double)paths[k].ns) / unit_ns;
}

static void hc_path_init(struct hc_path *p, struct hc_vm *h, uint64_t nr,
			 uint64_t npages, const char *name, const char *unit)
{
	p->h = h;
	p->nr = nr;
	p->npages = npages;
	series_init(&p->s, name, unit);
}

/* pgenc's hypercall counter moved by exactly the calls made. */
static void check_counted(struct hc_vm *t, long long before, uint64_t calls)
{
	long long after = pgenc_stat(t->vm, "hypercalls");

	TEST_ASSERT(after - before == (long long)calls,
		    "pgenc counted %lld hypercalls for %lu", after - before,
		    (unsigned long)calls);
}

#define NPC 10
int bench_hypercall(void)
{
	struct hc_path pc[NPC], storm[5];
	struct hc_vm t, u;
	long long before;
	uint64_t calls;
	int rep, i;

	hc_vm_create(&t, 1, true, false); /* kernel and null */
	hc_vm_create(&u, 1, false, true); /* uexit; its null as a check */
	hc_path_init(&pc[0], &t, HC_NULL_NR, 1, "hc.null", "us/call");
	hc_path_init(&pc[1], &t, KVM_HC_PAGE_ENC_STATUS, 1, "hc.kernel.np1",
		     "us/call");
	hc_path_init(&pc[2], &u, KVM_HC_PAGE_ENC_STATUS, 1, "hc.uexit.np1",
		     "us/call");
	hc_path_init(&pc[3], &t, KVM_HC_PAGE_ENC_STATUS, 512, "hc.kernel.np512",
		     "us/call");
	hc_path_init(&pc[4], &u, KVM_HC_PAGE_ENC_STATUS, 512, "hc.uexit.np512",
		     "us/call");
	hc_path_init(&pc[5], &t, KVM_HC_PAGE_ENC_STATUS, 262144,
		     "hc.kernel.np262144", "us/call");
	hc_path_init(&pc[6], &u, KVM_HC_PAGE_ENC_STATUS, 262144,
		     "hc.uexit.np262144", "us/call");
	hc_path_init(&pc[7], &u, HC_NULL_NR, 1, "hc.null.untracked", "us/call");
	hc_path_init(&pc[8], &t, HC_NULL_NR, 0, "hc.empty", "us/batch");
	hc_path_init(&pc[9], &u, HC_NULL_NR, 0, "hc.empty.untracked",
		     "us/batch");
	hc_path_init(&storm[0], &t, KVM_HC_PAGE_ENC_STATUS, 1, "storm.kernel",
		     "ms");
	hc_path_init(&storm[1], &u, KVM_HC_PAGE_ENC_STATUS, 1, "storm.uexit",
		     "ms");
	hc_path_init(&storm[2], &t, HC_NULL_NR, 1, "storm.null", "ms");
	hc_path_init(&storm[3], &t, HC_NULL_NR, 0, "storm.empty", "ms");
	hc_path_init(&storm[4], &u, HC_NULL_NR, 0, "storm.empty.untracked",
		     "ms");

	/* Warm up every path: page tables, caches, the first exits. */
	for (i = 0; i < NPC; i++)
		hc_batch(pc[i].h, pc[i].nr, 0, pc[i].npages, 0, 100, 0, 0,
			 ATTRS_ALT);

	for (rep = 0; rep < bench_reps; rep++) {
		before = pgenc_stat(t.vm, "hypercalls");
		calls = hc_rep(pc, NPC, HC_CALLS, false);
		check_counted(&t, before, calls);
		for (i = 0; i < NPC; i++) {
			/* us per call; for an empty path, us per batch. */
			double v = pc[i].ns / 1e3 / ROUNDS;

			if (pc[i].npages)
				v = hc_cost(pc, NPC, i, 1e3 * HC_CALLS);
			series_add(&pc[i].s, v);
		}
	}
	for (rep = 0; rep < bench_reps; rep++) {
		/* Every page encrypted again first, outside the timing. */
		TEST_ASSERT(!pgenc_set(t.vm, 0, HC_TRACKED, NULL), "reset");
		pgenc_bitmap_fill(u.ubits, 0, HC_TRACKED, true);
		before = pgenc_stat(t.vm, "hypercalls");
		calls = hc_rep(storm, 5, STORM_CALLS, true);
		check_counted(&t, before, calls);
		for (i = 0; i < 5; i++) {
			/* ms per storm; for an empty path, ms of its batches. */
			double v = storm[i].ns / 1e6;

			if (storm[i].npages)
				v = hc_cost(storm, 5, i, 1e6);
			series_add(&storm[i].s, v);
		}
		TEST_ASSERT(shared_pages(&t) == STORM_CALLS &&
				    shared_pages(&u) == STORM_CALLS,
			    "storm: %lu and %lu pages shared, not %llu",
			    (unsigned long)shared_pages(&t),
			    (unsigned long)shared_pages(&u), STORM_CALLS);
	}

	/* Where the L1 kernel spends a batch's time, per path. */
	for (i = 0; i < 3; i++) {
		static const char *const pname[3] = { "hc.null",
						      "hc.kernel.np1",
						      "hc.uexit.np1" };
		struct prof *prof = prof_start();

		hc_batch(pc[i].h, pc[i].nr, 0, 1, 0, HC_CALLS, 0, 0, ATTRS_ALT);
		prof_stop(prof, pname[i]);
	}

	for (i = 0; i < NPC; i++)
		bench_emit(&pc[i].s,
			   "\"npages\": %lu, \"calls\": %llu, \"rounds\": %d, \"tracked\": %s",
			   (unsigned long)pc[i].npages,
			   pc[i].npages ? HC_CALLS : 0, ROUNDS,
			   pc[i].h->tracked ? "true" : "false");
	for (i = 0; i < 5; i++)
		bench_emit(&storm[i].s, "\"calls\": %llu, \"rounds\": %d",
			   storm[i].npages ? STORM_CALLS : 0, ROUNDS);
	bench_info("hc.check",
		   "\"kernel_hypercalls\": %lld, \"uexit_exits\": %lu, \"tracked_pages\": %llu",
		   pgenc_stat(t.vm, "hypercalls"), (unsigned long)u.uexits[0],
		   HC_TRACKED);
	hc_vm_free(&t);
	hc_vm_free(&u);
	return 0;
}

/* Concurrency: batches on several vCPUs at once, one thread each. */
struct conc_job {
	struct hc_vm *h;
	int id;
	pthread_barrier_t *go;
	uint64_t start, end;
};

static void *conc_thread(void *arg)
{
	struct conc_job *j = arg;

	pthread_barrier_wait(j->go);
	j->start = bench_now_ns();
	hc_run(j->h, j->id);
	j->end = bench_now_ns();
	return NULL;
}

/*
 * Run CONC_CALLS calls of nr on each (VM, vCPU) pair at once; returns the
 * wall time in ns from the first start to the last end.
 */
static uint64_t conc_run(int n, struct hc_vm **vms, const int *ids, uint64_t nr)
{
	struct conc_job jobs[2];
	pthread_t th[2];
	pthread_barrier_t go;
	uint64_t start = UINT64_MAX, end = 0;
	int i;

	pthread_barrier_init(&go, NULL, n);
	for (i = 0; i < n; i++) {
		/* Each vCPU its own page, 64 MiB apart: no shared words. */
		hc_setup(vms[i], ids[i], nr, (1ULL + ids[i]) * 64 * MIB, 1,
			 CONC_CALLS, 0, 0, ATTRS_ALT);
		jobs[i] = (struct conc_job){ vms[i], ids[i], &go, 0, 0 };
		TEST_ASSERT(!pthread_create(&th[i], NULL, conc_thread,
					    &jobs[i]),
			    "pthread_create");
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		start = jobs[i].start < start ? jobs[i].start : start;
		end = jobs[i].end > end ? jobs[i].end : end;
	}
	pthread_barrier_destroy(&go);
	return end - start;
}

int bench_concurrency(void)
{
	static const uint64_t nrs[2] = { KVM_HC_PAGE_ENC_STATUS, HC_NULL_NR };
	static const char *const path[2] = { "kernel", "null" };
	struct series one_vcpu[2], two_vcpu[2], one_vm[2], two_vm[2];
	struct series scale_vcpu[2], scale_vm[2];
	static char names[12][48];
	struct hc_vm v2, va, vb;
	int rep, k, i, nn = 0;

	hc_vm_create(&v2, 2, true, false);
	hc_vm_create(&va, 1, true, false);
	hc_vm_create(&vb, 1, true, false);
	for (k = 0; k < 2; k++) {
		struct {
			struct series *s;
			const char *fmt, *unit;
		} def[] = {
			{ &one_vcpu[k], "conc.%s.1vcpu", "us/call" },
			{ &two_vcpu[k], "conc.%s.2vcpu", "us/call" },
			{ &one_vm[k], "conc.%s.1vm", "us/call" },
			{ &two_vm[k], "conc.%s.2vm", "us/call" },
			{ &scale_vcpu[k], "conc.%s.scale_vcpu", "x" },
			{ &scale_vm[k], "conc.%s.scale_vm", "x" },
		};

		for (i = 0; i < 6; i++, nn++) {
			snprintf(names[nn], sizeof(names[nn]), def[i].fmt,
				 path[k]);
			series_init(def[i].s, names[nn], def[i].unit);
		}
	}

	/* Warm up every vCPU on both paths. */
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 2; i++) {
			hc_setup(&v2, i, nrs[k], 0, 1, 50, 0, 0, ATTRS_ALT);
			hc_run(&v2, i);
		}
		hc_setup(&va, 0, nrs[k], 0, 1, 50, 0, 0, ATTRS_ALT);
		hc_run(&va, 0);
		hc_setup(&vb, 0, nrs[k], 0, 1, 50, 0, 0, ATTRS_ALT);
		hc_run(&vb, 0);
	}

	for (rep = 0; rep < bench_reps; rep++) {
		for (k = 0; k < 2; k++) {
			struct hc_vm *same[2] = { &v2, &v2 };
			struct hc_vm *two[2] = { &va, &vb };
			static const int ids01[2] = { 0, 1 },
					 ids00[2] = { 0, 0 };
			uint64_t t1v = 0, t2v = 0, t1m = 0, t2m = 0;
			int r;

			/*
			 * Throughput with two callers over one caller: 2 is
			 * perfect scaling, 1 is full serialisation. Short
			 * alternating slices, as in hc_rep().
			 */
			for (r = 0; r < CONC_ROUNDS; r++) {
				if (r & 1) {
					t2v += conc_run(2, same, ids01, nrs[k]);
					t1v += conc_run(1, same, ids01, nrs[k]);
					t2m += conc_run(2, two, ids00, nrs[k]);
					t1m += conc_run(1, two, ids00, nrs[k]);
				} else {
					t1v += conc_run(1, same, ids01, nrs[k]);
					t2v += conc_run(2, same, ids01, nrs[k]);
					t1m += conc_run(1, two, ids00, nrs[k]);
					t2m += conc_run(2, two, ids00, nrs[k]);
				}
			}
			series_add(&one_vcpu[k], t1v / 1e3 / CONC_TOTAL);
			series_add(&two_vcpu[k], t2v / 1e3 / CONC_TOTAL);
			series_add(&scale_vcpu[k], 2.0 * t1v / t2v);
			series_add(&one_vm[k], t1m / 1e3 / CONC_TOTAL);
			series_add(&two_vm[k], t2m / 1e3 / CONC_TOTAL);
			series_add(&scale_vm[k], 2.0 * t1m / t2m);
		}
	}
	for (k = 0; k < 2; k++) {
		bench_emit(&one_vcpu[k], "\"calls\": %llu", CONC_TOTAL);
		bench_emit(&two_vcpu[k], "\"calls\": %llu, \"note\": %s",
			   CONC_TOTAL, "\"wall time per call of each vCPU\"");
		bench_emit(&one_vm[k], "\"calls\": %llu", CONC_TOTAL);
		bench_emit(&two_vm[k], "\"calls\": %llu, \"note\": %s",
			   CONC_TOTAL, "\"wall time per call of each VM\"");
		bench_emit(&scale_vcpu[k], NULL);
		bench_emit(&scale_vm[k], NULL);
	}
	hc_vm_free(&v2);
	hc_vm_free(&va);
	hc_vm_free(&vb);
	return 0;
}
