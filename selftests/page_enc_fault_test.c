// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_fault_test: fault injection on pgenc's paths
 * (Documentation/testing.rst, "The selftests" and "Debug-kernel lane").
 * Each operation below runs under a fail-nth sweep (pgenc_fault.h):
 * every fault point it passes, a slab or page allocation or a user copy,
 * ours or KVM's, fails once; then once more with every allocation of the
 * thread failing, which reaches the fallbacks' own failures. After each
 * run the operation must have returned ENOMEM or EFAULT (or succeeded,
 * if the kernel tolerated the fault), the bitmap must equal a model of
 * what the run did (nothing at all when it failed), the VM must still
 * work (the same operation succeeds without a fault), and the kernel log
 * must hold no splat and no allocation warning from our code. Leaks are
 * kmemleak's, at the end of the debug-kernel lane (make check-debug).
 *
 * Operations: KVM_ENABLE_CAP (the bits of every slot, kmalloc and
 * vmalloc sized); memslot create (a slot's bits are allocated in
 * prepare), delete (freed in commit) and move (they follow the slot); SET with a buffer (page array, pinning), aligned,
 * unaligned, NULL, not mapped yet (the pin faults it in), and one large
 * enough for the page array's vmalloc fallback; GET into pages that are
 * not mapped yet (the pin and the partial last byte's get_user/put_user
 * fault them in); the hypercall; under sevsim, KVM_SEV_INIT (which
 * enables tracking), DBG_DECRYPT and DBG_ENCRYPT through the bypass, and
 * a private page through sevsim.
 *
 * Skips where the kernel has no fail-nth (Debian's stock kernel).
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "pgenc_fault.h"
#include "sev_util.h"

#define PAGE PGENC_PAGE
#define SLOT_PAGES 16ULL
#define NSLOTS 4
/* 1 GiB of pages: a slot of them has 32 KiB of bits, vmalloc sized. */
#define GFN_1G (1ULL << 18)
/* 16M pages, 2 MiB of bits; a SET of them all pins 513 pages. */
#define GFN_64G (1ULL << 24)
/* The smallest slot whose bits are vmalloc()ed: more than a page. */
#define VMALLOC_PAGES 40960ULL

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fill_rnd(uint8_t *p, size_t len)
{
	uint64_t v;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		v = rnd();
		memcpy(p + i, &v, 8);
	}
	for (; i < len; i++)
		p[i] = rnd();
}

static size_t bytes_of(uint64_t bits)
{
	return (bits + 7) / 8;
}

static void *map_pages(size_t pages)
{
	void *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap");
	return p;
}

/* dst bits [d, d + n) = src bits [0, n). */
static void bits_copy(uint8_t *dst, uint64_t d, const uint8_t *src, uint64_t n)
{
	uint64_t i = 0;

	if (!(d % 8)) {
		memcpy(dst + d / 8, src, n / 8);
		i = n / 8 * 8;
	}
	for (; i < n; i++)
		pgenc_put_bit(dst, d + i, pgenc_bit(src, i));
}

static void bits_set(uint8_t *map, uint64_t start, uint64_t end)
{
	for (; start < end && start % 8; start++)
		pgenc_put_bit(map, start, 1);
	if (end - start >= 8) {
		memset(map + start / 8, 0xff, (end - start) / 8);
		start += (end - start) / 8 * 8;
	}
	for (; start < end; start++)
		pgenc_put_bit(map, start, 1);
}

/*
 * A VM under test and the model of its bits: exp holds bits
 * [0, model_bits), every bit at or past it is 1, and so is every bit of
 * a hole (Documentation/api.rst, "Tracked memory"); nbits is the number
 * of tracked pages. slot[] are the memslots the test made itself (raw
 * ioctls, unknown to the library).
 */
struct tvm {
	struct kvm_vm *vm;
	struct {
		uint64_t gfn, npages; /* npages 0: no slot */
		void *hva;
		uint64_t mapped; /* pages at hva */
	} slot[NSLOTS];
	bool tracking;
	bool stats_optional; /* a tolerated fault may have cost the file */
	uint8_t *exp;
	uint64_t model_bits, nbits;
};

static char why_buf[256];

#define WHY(...) (snprintf(why_buf, sizeof(why_buf), __VA_ARGS__), why_buf)

static void tvm_init(struct tvm *t, struct kvm_vm *vm, uint64_t model_bits)
{
	memset(t, 0, sizeof(*t));
	t->vm = vm;
	t->model_bits = model_bits;
	t->exp = malloc(bytes_of(model_bits));
	TEST_ASSERT(t->exp, "model");
	memset(t->exp, 0xff, bytes_of(model_bits));
}

static void tvm_free(struct tvm *t)
{
	int i;

	if (t->vm)
		kvm_vm_free(t->vm);
	for (i = 0; i < NSLOTS; i++)
		if (t->slot[i].hva)
			munmap(t->slot[i].hva, t->slot[i].mapped * PAGE);
	free(t->exp);
	memset(t, 0, sizeof(*t));
}

/* Memory for slot i, mapped once (outside any fault window). */
static void tvm_slot_map(struct tvm *t, int i, uint64_t npages)
{
	if (t->slot[i].hva)
		return;
	t->slot[i].mapped = npages > SLOT_PAGES ? npages : SLOT_PAGES;
	t->slot[i].hva = map_pages(t->slot[i].mapped);
}

static int tvm_slot_ioctl(struct tvm *t, int i, uint64_t gfn, uint64_t npages)
{
	tvm_slot_map(t, i, npages);
	return __vm_set_user_memory_region(t->vm, i, 0, gfn * PAGE,
					   npages * PAGE, t->slot[i].hva) ?
		       -errno :
		       0;
}

static uint64_t tvm_end(const struct tvm *t)
{
	uint64_t end = 0;
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (t->slot[i].npages)
			end = max(end, t->slot[i].gfn + t->slot[i].npages);
	return end;
}

/* Pages in our memslots: tracked memory. */
static uint64_t tvm_pages(const struct tvm *t)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < NSLOTS; i++)
		n += t->slot[i].npages;
	return n;
}

/*
 * A memslot change succeeded: a new slot starts encrypted, a deleted
 * one's gfns read encrypted, a moved one takes its bits along.
 */
static void tvm_slot_done(struct tvm *t, int i, uint64_t gfn, uint64_t npages)
{
	uint64_t old = t->slot[i].gfn, n = t->slot[i].npages, k;
	uint8_t *bits = NULL;

	t->slot[i].gfn = gfn;
	t->slot[i].npages = npages;
	TEST_ASSERT(tvm_end(t) <= t->model_bits, "model too small");
	if (!t->tracking)
		return;
	if (n && npages) {
		bits = malloc(bytes_of(n));
		TEST_ASSERT(bits, "model");
		for (k = 0; k < n; k++)
			pgenc_put_bit(bits, k, pgenc_bit(t->exp, old + k));
	}
	if (n)
		bits_set(t->exp, old, old + n);
	if (bits)
		bits_copy(t->exp, gfn, bits, npages);
	else if (npages)
		bits_set(t->exp, gfn, gfn + npages);
	free(bits);
	t->nbits = tvm_pages(t);
}

static void tvm_slot_add(struct tvm *t, int i, uint64_t gfn, uint64_t npages)
{
	int r = tvm_slot_ioctl(t, i, gfn, npages);

	TEST_ASSERT(!r, "KVM_SET_USER_MEMORY_REGION: %s", strerror(-r));
	tvm_slot_done(t, i, gfn, npages);
}

/*
 * A fresh VM without vCPUs (cheap) with our memslots: 16 pages at gfn 0,
 * and npages1 at gfn1 unless gfn1 is 0.
 */
static void tvm_new(struct tvm *t, uint64_t gfn1, uint64_t npages1,
		    uint64_t model_bits)
{
	tvm_init(t, vm_create_barebones(), model_bits);
	tvm_slot_add(t, 0, 0, SLOT_PAGES);
	if (gfn1)
		tvm_slot_add(t, 1, gfn1, npages1);
}

/* Tracking is on: our memslots say how much, else pgenc_stats does. */
static void tvm_tracking_on(struct tvm *t)
{
	long long n = pgenc_stat(t->vm, "tracked_pages");

	t->tracking = true;
	t->nbits = tvm_pages(t);
	if (!t->nbits) {
		TEST_ASSERT(n >= 0, "no pgenc_stats");
		t->nbits = n;
	}
	TEST_ASSERT(t->nbits <= t->model_bits, "model too small");
}

static void tvm_enable(struct tvm *t)
{
	pgenc_enable(t->vm);
	tvm_tracking_on(t);
}

static void tvm_set(struct tvm *t, uint64_t start, uint64_t n,
		    const uint8_t *buf)
{
	int r = pgenc_set(t->vm, start, n, buf);

	TEST_ASSERT(!r, "KVM_SET_PAGE_ENC_BITMAP: %s", strerror(-r));
	if (buf)
		bits_copy(t->exp, start, buf, n);
	else
		bits_set(t->exp, start, start + n);
}

/* A random pattern over [start, start + n). */
static void tvm_set_rnd(struct tvm *t, uint64_t start, uint64_t n)
{
	uint8_t *buf = malloc(bytes_of(n));

	TEST_ASSERT(buf, "buffer");
	fill_rnd(buf, bytes_of(n));
	tvm_set(t, start, n, buf);
	free(buf);
}

/* A random pattern over each of our memslots (SET refuses holes). */
static void tvm_set_rnd_slots(struct tvm *t)
{
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (t->slot[i].npages)
			tvm_set_rnd(t, t->slot[i].gfn, t->slot[i].npages);
}

static bool tvm_exp_bit(const struct tvm *t, uint64_t i)
{
	return i < t->model_bits ? pgenc_bit(t->exp, i) : true;
}

/* A full GET against the model, and tracked_pages: NULL if all agree. */
static const char *tvm_check(struct tvm *t)
{
	uint64_t n = t->model_bits + 77, whole = t->model_bits / 8, i;
	uint8_t *buf = calloc(1, bytes_of(n));
	long long st;
	int r;

	TEST_ASSERT(buf, "GET buffer");
	r = pgenc_get(t->vm, 0, n, buf);
	if (r) {
		free(buf);
		return WHY("GET afterwards: %s", strerror(-r));
	}
	i = 0;
	if (!memcmp(buf, t->exp, whole))
		i = whole * 8;
	for (; i < n; i++)
		if (pgenc_bit(buf, i) != tvm_exp_bit(t, i))
			break;
	free(buf);
	if (i < n)
		return WHY("bitmap differs from the model at gfn %llu (model %d)",
			   (unsigned long long)i, tvm_exp_bit(t, i));
	st = pgenc_stat(t->vm, "tracked_pages");
	if (st < 0 && !t->stats_optional)
		return WHY("no pgenc_stats");
	if (st >= 0 && (uint64_t)st != t->nbits)
		return WHY("tracked_pages %lld, the memslots hold %llu", st,
			   (unsigned long long)t->nbits);
	return NULL;
}

static unsigned long long faults_total;

static const char *all_result(const struct pgenc_fault_stats *st)
{
	static char buf[96];

	if (!st->all_run)
		return "not run";
	snprintf(buf, sizeof(buf), "%s after %u failed allocations",
		 st->all_r ? strerror(-st->all_r) : "success", st->all_failed);
	return buf;
}

static void report(const struct pgenc_fault_op *op, bool ok,
		   const struct pgenc_fault_stats *st)
{
	faults_total += st->injected + st->all_failed;
	ksft_test_result(ok,
			 "%s: fail-nth injected %u faults (%u ENOMEM, %u EFAULT, %u tolerated); every allocation failing: %s; %u allocation warnings of stock code\n",
			 op->name, st->injected, st->enomem, st->efault,
			 st->injected - st->failed, all_result(st),
			 st->alloc_warnings);
}

static void sweep(const struct pgenc_fault_op *op, void *ctx)
{
	struct pgenc_fault_stats st;
	bool ok = pgenc_fault_sweep(op, ctx, &st);

	report(op, ok, &st);
}

/* --- 1. KVM_ENABLE_CAP: the bitmap's allocation -------------------------- */

struct cap_ctx {
	struct tvm t;
	uint64_t gfn1, npages1;
};

static void cap_setup(void *p)
{
	struct cap_ctx *c = p;

	tvm_new(&c->t, c->gfn1, c->npages1, c->gfn1 + c->npages1 + 64);
}

static int cap_run(void *p)
{
	struct cap_ctx *c = p;

	return __vm_enable_cap(c->t.vm, KVM_CAP_PAGE_ENC_BITMAP, 0) ? -errno :
								      0;
}

static const char *cap_check(void *p, int r, bool injected)
{
	struct cap_ctx *c = p;
	uint8_t b;
	int g = pgenc_get(c->t.vm, 0, 8, &b);

	if (!r && g)
		return WHY("enabled, but GET fails: %s", strerror(-g));
	if (r && g != -ENXIO)
		return WHY("failed, but GET gives %s", strerror(-g));
	/* debugfs is best effort: a failed file does not fail the enable. */
	c->t.stats_optional = injected && !r;
	if (r && __vm_enable_cap(c->t.vm, KVM_CAP_PAGE_ENC_BITMAP, 0))
		return WHY("KVM_ENABLE_CAP afterwards: %s", strerror(errno));
	tvm_tracking_on(&c->t);
	return tvm_check(&c->t);
}

static void cap_teardown(void *p)
{
	tvm_free(&((struct cap_ctx *)p)->t);
}

static void test_enable_cap(void)
{
	struct pgenc_fault_op op = { .setup = cap_setup,
				     .run = cap_run,
				     .check = cap_check,
				     .teardown = cap_teardown };
	struct cap_ctx c = { .gfn1 = 256, .npages1 = SLOT_PAGES };

	op.name = "KVM_ENABLE_CAP, kmalloc-sized bits";
	sweep(&op, &c);
	op.name = "KVM_ENABLE_CAP, a slot with vmalloc-sized bits";
	c.npages1 = VMALLOC_PAGES;
	sweep(&op, &c);
}

/* --- 2. memslots: create, delete, move ----------------------------------- */

struct slot_ctx {
	struct tvm t;
	uint64_t gfn1; /* slot 1 before (0: none) */
	uint64_t gfn, npages; /* slot 1 after (npages 0: deleted) */
	long long bytes;
};

static void slot_setup(void *p)
{
	struct slot_ctx *c = p;

	tvm_new(&c->t, c->gfn1, SLOT_PAGES, GFN_1G + VMALLOC_PAGES + 64);
	tvm_enable(&c->t);
	tvm_set_rnd_slots(&c->t);
	c->bytes = pgenc_stat(c->t.vm, "bitmap_bytes");
	/* Map the new slot's memory now, not in the window. */
	tvm_slot_map(&c->t, 1, c->npages);
}

static int slot_run(void *p)
{
	struct slot_ctx *c = p;

	return tvm_slot_ioctl(&c->t, 1, c->gfn, c->npages);
}

static const char *slot_check(void *p, int r, bool injected)
{
	struct slot_ctx *c = p;
	const char *why;
	long long bytes;

	if (!r) {
		tvm_slot_done(&c->t, 1, c->gfn, c->npages);
		why = tvm_check(&c->t);
		if (why)
			return why;
	} else {
		why = tvm_check(&c->t);
		if (why)
			return why;
		bytes = pgenc_stat(c->t.vm, "bitmap_bytes");
		if (bytes != c->bytes)
			return WHY("bitmap_bytes %lld -> %lld by a failed change",
				   c->bytes, bytes);
		/* The same change now succeeds. */
		r = tvm_slot_ioctl(&c->t, 1, c->gfn, c->npages);
		if (r)
			return WHY("the change afterwards: %s", strerror(-r));
		tvm_slot_done(&c->t, 1, c->gfn, c->npages);
		why = tvm_check(&c->t);
		if (why)
			return why;
	}
	/* And SET/GET work on the result. */
	tvm_set_rnd(&c->t, 3, 11);
	return tvm_check(&c->t);
}

static void slot_teardown(void *p)
{
	tvm_free(&((struct slot_ctx *)p)->t);
}

static void test_memslots(void)
{
	static const struct {
		const char *name;
		uint64_t gfn1, gfn, npages;
	} cases[] = {
		{ "memslot create, kmalloc-sized bits", 0, 256, SLOT_PAGES },
		{ "memslot create at 1 GiB, still a few bytes of bits", 0,
		  GFN_1G, SLOT_PAGES },
		{ "memslot create, vmalloc-sized bits", 0, GFN_1G,
		  VMALLOC_PAGES },
		{ "memslot delete, its bits freed", GFN_1G, 0, 0 },
		{ "memslot move up, its bits follow", 1024, GFN_1G,
		  SLOT_PAGES },
		{ "memslot move down, its bits follow", GFN_1G, 1024,
		  SLOT_PAGES },
	};
	struct pgenc_fault_op op = { .setup = slot_setup,
				     .run = slot_run,
				     .check = slot_check,
				     .teardown = slot_teardown };
	struct slot_ctx c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&c, 0, sizeof(c));
		c.gfn1 = cases[i].gfn1;
		c.gfn = cases[i].gfn;
		c.npages = cases[i].npages;
		op.name = cases[i].name;
		sweep(&op, &c);
	}
}

/* --- 3. and 4. SET and GET ------------------------------------------------ */

struct io_ctx {
	struct tvm *t;
	uint64_t start, n;
	uint8_t *buf; /* NULL: SET with a NULL buffer */
	uint8_t *map; /* GET: the pages holding buf, dropped before each run */
	size_t map_pages;
};

static void set_setup(void *p)
{
	struct io_ctx *c = p;

	if (c->buf)
		fill_rnd(c->buf, bytes_of(c->n));
}

/*
 * A SET whose pin has to fault the buffer in: all zeros (shared) from a
 * fresh mapping, alone in its 2 MiB, so that not even its page table is
 * left from the run before (the pin allocates it). The range is reset to
 * encrypted first, so that a run that changes it shows.
 */
static void set_fresh_setup(void *p)
{
	struct io_ctx *c = p;

	tvm_set(c->t, c->start, c->n, NULL);
	TEST_ASSERT(!munmap(c->map, c->map_pages * PAGE), "munmap");
	TEST_ASSERT(mmap(c->map, c->map_pages * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			 0) == c->map,
		    "mmap again");
}

/* 2 MiB of address space on a 2 MiB boundary: its own page table. */
static uint8_t *map_2m_alone(void)
{
	const size_t m2 = 2 << 20;
	uint8_t *p = map_pages(3 * m2 / PAGE);
	uint8_t *a = (uint8_t *)(((uintptr_t)p + m2 - 1) & ~(m2 - 1));

	if (a > p)
		munmap(p, a - p);
	munmap(a + m2, p + 3 * m2 - (a + m2));
	return a;
}

static int set_run(void *p)
{
	struct io_ctx *c = p;

	return pgenc_set(c->t->vm, c->start, c->n, c->buf);
}

static const char *set_check(void *p, int r, bool injected)
{
	struct io_ctx *c = p;
	const char *why;

	if (!r) {
		if (c->buf)
			bits_copy(c->t->exp, c->start, c->buf, c->n);
		else
			bits_set(c->t->exp, c->start, c->start + c->n);
		return tvm_check(c->t);
	}
	why = tvm_check(c->t);
	if (why)
		return why;
	r = pgenc_set(c->t->vm, c->start, c->n, c->buf);
	if (r)
		return WHY("the same SET afterwards: %s", strerror(-r));
	if (c->buf)
		bits_copy(c->t->exp, c->start, c->buf, c->n);
	else
		bits_set(c->t->exp, c->start, c->start + c->n);
	return tvm_check(c->t);
}

/* The GET buffer's pages are dropped: the kernel must fault them in. */
static void get_setup(void *p)
{
	struct io_ctx *c = p;

	TEST_ASSERT(!madvise(c->map, c->map_pages * PAGE, MADV_DONTNEED),
		    "MADV_DONTNEED");
}

static int get_run(void *p)
{
	struct io_ctx *c = p;

	return pgenc_get(c->t->vm, c->start, c->n, c->buf);
}

static const char *get_check(void *p, int r, bool injected)
{
	struct io_ctx *c = p;
	uint64_t i;

	for (i = 0; !r && i < bytes_of(c->n) * 8; i++)
		if (pgenc_bit(c->buf, i) !=
		    (i < c->n ? tvm_exp_bit(c->t, c->start + i) : 0))
			return WHY("GET returned a wrong bit %llu",
				   (unsigned long long)i);
	/* tvm_check() is the same GET without a fault. */
	return tvm_check(c->t);
}

static void test_set_get(void)
{
	struct pgenc_fault_op set = { .setup = set_setup,
				      .run = set_run,
				      .check = set_check };
	struct pgenc_fault_op get = { .setup = get_setup,
				      .run = get_run,
				      .check = get_check };
	uint8_t *area = map_pages(64);
	struct io_ctx c = { 0 };
	struct tvm t, big;

	/* Slot 1 right after slot 0: [0, 1 GiB + 64 KiB) has no hole. */
	tvm_new(&t, SLOT_PAGES, GFN_1G, GFN_1G + SLOT_PAGES + 64);
	tvm_enable(&t);
	tvm_set_rnd(&t, 0, t.nbits);
	c.t = &t;

	set.name = "SET, aligned start and buffer (4 pages pinned)";
	c.start = 0;
	c.n = 3 * PAGE * 8 + 8;
	c.buf = area;
	sweep(&set, &c);

	set.name = "SET, unaligned start and buffer";
	c.start = 77;
	c.n = 50001;
	c.buf = area + 123;
	sweep(&set, &c);

	set.name = "SET with a NULL buffer";
	c.start = 5;
	c.n = 100000;
	c.buf = NULL;
	sweep(&set, &c);

	set.name = "SET from a buffer not mapped yet (the pin faults it in)";
	set.setup = set_fresh_setup;
	c.start = 1000;
	c.n = 200000;
	c.map = map_2m_alone();
	c.map_pages = (2 << 20) / PAGE;
	c.buf = c.map + 64;
	sweep(&set, &c);
	munmap(c.map, c.map_pages * PAGE);
	set.setup = set_setup;

	get.name =
		"GET of all tracked pages and more, partial last byte, into unmapped pages";
	c.start = 0;
	c.n = t.nbits + 77;
	c.buf = area;
	c.map = area;
	c.map_pages = 64;
	sweep(&get, &c);

	get.name = "GET, unaligned start and buffer, into unmapped pages";
	c.start = 13;
	c.n = 70001;
	c.buf = area + 300;
	sweep(&get, &c);

	get.name =
		"GET of 5 bits, only the partial byte, into an unmapped page";
	c.start = 3;
	c.n = 5;
	c.buf = area + 17 * PAGE + 99;
	c.map = area + 17 * PAGE;
	c.map_pages = 1;
	sweep(&get, &c);
	tvm_free(&t);

	/* 16M pages: a SET of all of them pins 513 pages. */
	tvm_new(&big, SLOT_PAGES, GFN_64G, GFN_64G + SLOT_PAGES + 64);
	tvm_enable(&big);
	c.t = &big;
	c.start = 0;
	c.n = big.nbits;
	c.map_pages = bytes_of(c.n) / PAGE + 2;
	c.map = map_pages(c.map_pages);
	c.buf = c.map + 100;
	set.name =
		"SET of a 2 MiB buffer (page array past PAGE_SIZE: kvmalloc's vmalloc fallback)";
	sweep(&set, &c);
	munmap(c.map, c.map_pages * PAGE);
	tvm_free(&big);
	munmap(area, 64 * PAGE);
}

/* --- 5. the hypercall ----------------------------------------------------- */

#define HC_UNKNOWN 0x7777
#define HC_BATCH 8

static struct {
	uint64_t nr, count, gfn, attrs;
} hc;

static uint64_t guest_hc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t ret;

	asm volatile("vmmcall"
		     : "=a"(ret)
		     : "a"(nr), "b"(a0), "c"(a1), "d"(a2)
		     : "memory");
	return ret;
}

static void hc_guest(void)
{
	uint64_t i, err;

	for (;;) {
		err = 0;
		for (i = 0; i < READ_ONCE(hc.count); i++)
			err |= guest_hc(READ_ONCE(hc.nr),
					(READ_ONCE(hc.gfn) + 2 * i) * PAGE, 1,
					READ_ONCE(hc.attrs));
		GUEST_SYNC(err);
	}
}

struct hc_ctx {
	struct tvm t;
	struct kvm_vcpu *vcpu;
	unsigned int round;
};

static void hc_setup(void *p)
{
	struct hc_ctx *c = p;

	c->round++;
	hc.nr = KVM_HC_PAGE_ENC_STATUS;
	hc.count = HC_BATCH;
	hc.gfn = 16 + c->round % 64;
	hc.attrs = c->round % 2 ? 0x00 : 0x10;
	sync_global_to_guest(c->t.vm, hc);
}

static int hc_run(void *p)
{
	struct hc_ctx *c = p;

	return __vcpu_run(c->vcpu) ? -errno : 0;
}

/*
 * After a run, maybe stopped early by an injected fault, go on to the
 * guest's sync, then compare. A fault injected in KVM's skip of VMMCALL
 * (see test_hypercall()) stops the run with an emulation failure after
 * the hypercall was handled: RIP still at the VMMCALL, RAX its result.
 * The VMM does the skip then, and the batch goes on.
 */
static const char *hc_finish(struct hc_ctx *c, int r, uint64_t *err)
{
	static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9 };
	struct kvm_run *run = c->vcpu->run;
	struct kvm_regs regs;
	struct ucall uc;
	int tries;
	uint64_t i;

	for (tries = 0; r || run->exit_reason == KVM_EXIT_INTERNAL_ERROR;
	     tries++) {
		if (tries > HC_BATCH + 2)
			return "KVM_RUN keeps failing";
		if (!r) {
			vcpu_regs_get(c->vcpu, &regs);
			if (run->internal.suberror !=
				    KVM_INTERNAL_ERROR_EMULATION ||
			    memcmp(addr_gva2hva(c->t.vm, regs.rip), vmmcall,
				   sizeof(vmmcall)))
				return WHY("internal error %u, not at a VMMCALL",
					   run->internal.suberror);
			if (hc.nr == KVM_HC_PAGE_ENC_STATUS && regs.rax)
				return WHY("hypercall returned %ld before the failed skip",
					   (long)regs.rax);
			regs.rip += sizeof(vmmcall);
			vcpu_regs_set(c->vcpu, &regs);
		}
		r = __vcpu_run(c->vcpu) ? -errno : 0;
	}
	if (run->exit_reason != KVM_EXIT_IO)
		return WHY("exit %s", exit_reason_str(run->exit_reason));
	if (get_ucall(c->vcpu, &uc) != UCALL_SYNC)
		return WHY("guest: not a sync (ucall %lu)", uc.cmd);
	*err = uc.args[1];
	if (hc.nr == KVM_HC_PAGE_ENC_STATUS)
		for (i = 0; i < hc.count; i++)
			pgenc_put_bit(c->t.exp, hc.gfn + 2 * i, hc.attrs);
	return tvm_check(&c->t);
}

static const char *hc_check(void *p, int r, bool injected)
{
	struct hc_ctx *c = p;
	const char *why;
	uint64_t err;

	why = hc_finish(c, r, &err);
	if (!why && err)
		why = WHY("hypercall returned %ld", (long)err);
	return why;
}

/* Fault points one KVM_RUN of the current batch passes. */
static unsigned int hc_points(struct hc_ctx *c, uint64_t nr, uint64_t count,
			      const char **why)
{
	unsigned int left;
	uint64_t err;
	int r;

	hc_setup(c);
	hc.nr = nr;
	hc.count = count;
	sync_global_to_guest(c->t.vm, hc);
	pgenc_fault_arm(PGENC_FAULT_FAR);
	r = hc_run(c);
	left = pgenc_fault_disarm();
	*why = r ? "KVM_RUN failed" : hc_finish(c, 0, &err);
	if (!*why && nr != KVM_HC_PAGE_ENC_STATUS && count && !err)
		*why = "the unknown hypercall succeeded";
	return PGENC_FAULT_FAR - left;
}

static void test_hypercall(void)
{
	struct pgenc_fault_op op = { .name = "hypercall",
				     .setup = hc_setup,
				     .run = hc_run,
				     .check = hc_check };
	unsigned int ours, unknown, none, k;
	struct pgenc_fault_stats st = { 0 };
	const char *why = NULL;
	struct hc_ctx c = { 0 };
	bool ok;

	c.t.vm = vm_create_with_one_vcpu(&c.vcpu, hc_guest);
	pgenc_enable(c.t.vm);
	tvm_init(&c.t, c.t.vm, pgenc_stat(c.t.vm, "tracked_pages") + 64);
	tvm_tracking_on(&c.t);

	/* Each kind once first: the guest's pages and KVM's roots exist. */
	for (k = 0; k < 2 && !why; k++) {
		hc_points(&c, KVM_HC_PAGE_ENC_STATUS, HC_BATCH, &why);
		if (!why)
			hc_points(&c, HC_UNKNOWN, HC_BATCH, &why);
		if (!why)
			hc_points(&c, KVM_HC_PAGE_ENC_STATUS, 0, &why);
	}
	/* The least of 3: an MMU notifier zapping a root adds some. */
	ours = unknown = none = ~0u;
	for (k = 0; k < 3 && !why; k++) {
		ours = min(ours, hc_points(&c, KVM_HC_PAGE_ENC_STATUS, HC_BATCH,
					   &why));
		if (!why)
			unknown = min(unknown, hc_points(&c, HC_UNKNOWN,
							 HC_BATCH, &why));
		if (!why)
			none = min(none, hc_points(&c, KVM_HC_PAGE_ENC_STATUS,
						   0, &why));
	}
	if (why) {
		ksft_print_msg("hypercall: %s\n", why);
		ksft_test_result_fail("hypercall path\n");
		tvm_free(&c.t);
		return;
	}
	ksft_print_msg("KVM_RUN fault points: %u with %d pgenc hypercalls, %u with %d unknown ones, %u with none\n",
		       ours, HC_BATCH, unknown, HC_BATCH, none);
	/*
	 * pgenc's hypercall path has no fault point: a run of our
	 * hypercalls passes exactly as many as a run of unknown ones, which
	 * KVM rejects before any pgenc code. Where there are any, they are
	 * KVM's own: without NRIPS (QEMU's SVM has none) KVM skips VMMCALL
	 * by decoding it, which reads the instruction with __copy_from_user.
	 * Where there are none, fail-nth=1 must survive the whole run.
	 */
	ok = ours == unknown;
	/*
	 * Every fault point of the run fails once (KVM's), then every
	 * allocation fails: none may be attempted, and the run succeeds.
	 */
	ok &= pgenc_fault_sweep(&op, &c, &st);
	ok &= st.all_run && !st.all_failed && !st.all_r;
	faults_total += st.injected;
	ksft_test_result(ok,
			 "hypercall: no fault point of pgenc's (KVM_RUN with %d hypercalls: %u, as with unknown ones: %u, none: %u); every allocation failing: %s; fail-nth injected %u faults (KVM's), bitmap exact\n",
			 HC_BATCH, ours, unknown, none, all_result(&st),
			 st.injected);
	tvm_free(&c.t);
}

/* --- 6. SEV under sevsim --------------------------------------------------- */

struct sevinit_ctx {
	struct tvm t;
	int sev_fd;
};

static void sevinit_setup(void *p)
{
	struct sevinit_ctx *c = p;

	tvm_new(&c->t, GFN_1G, SLOT_PAGES, GFN_1G + SLOT_PAGES + 64);
}

static int sevinit_run(void *p)
{
	struct sevinit_ctx *c = p;
	struct sev_vm s = { .vm = c->t.vm, .sev_fd = c->sev_fd };
	uint32_t fw;

	return sev_cmd(&s, KVM_SEV_INIT, NULL, &fw);
}

/*
 * Tracking must be on exactly when SEV is: a second KVM_SEV_INIT is
 * EBUSY on an SEV VM and succeeds otherwise. One failure leaves both
 * on: the copy_to_user of the result after a successful init (KVM's).
 */
static const char *sevinit_check(void *p, int r, bool injected)
{
	struct sevinit_ctx *c = p;
	struct sev_vm s = { .vm = c->t.vm, .sev_fd = c->sev_fd };
	uint32_t fw;
	uint8_t b;
	int g = pgenc_get(c->t.vm, 0, 8, &b), again;

	again = sev_cmd(&s, KVM_SEV_INIT, NULL, &fw);
	if (!g) {
		if (r && r != -EFAULT)
			return "tracking left on by a failed KVM_SEV_INIT";
		if (again != -EBUSY)
			return WHY("tracking on, but SEV is not (KVM_SEV_INIT again: %s)",
				   strerror(-again));
		c->t.stats_optional = injected;
	} else if (g == -ENXIO) {
		if (!r)
			return "KVM_SEV_INIT succeeded without tracking";
		if (again)
			return WHY("KVM_SEV_INIT afterwards: %s",
				   strerror(-again));
	} else {
		return WHY("GET: %s", strerror(-g));
	}
	tvm_tracking_on(&c->t);
	return tvm_check(&c->t);
}

static void sevinit_teardown(void *p)
{
	tvm_free(&((struct sevinit_ctx *)p)->t);
}

/* A launched SEV VM whose guest shared data pages 2 and 3 and filled them. */
#define SEV_PAGES 8ULL
#define SEV_GFN (SEV_DATA_GPA / PAGE)

static uint8_t shared_pattern(uint64_t page, uint64_t off)
{
	return (uint8_t)(0x5c ^ (page * 29 + off * 5));
}

static void sev_guest(void)
{
	uint64_t p, i;

	for (p = 2; p <= 3; p++) {
		uint8_t *va = (uint8_t *)(SEV_DATA_GPA + p * PAGE);

		GUEST_ASSERT(!pgenc_guest_hc(SEV_DATA_GPA + p * PAGE, 1, 0));
		for (i = 0; i < PAGE; i++)
			va[i] = shared_pattern(p, i);
	}
	GUEST_DONE();
}

struct dbg_ctx {
	struct sev_vm s;
	struct tvm t;
	int sev_fd;
	uint8_t *area; /* 4 pages: the caller's buffers */
	bool dec;
	uint64_t off; /* into the data region */
	uint32_t len;
	unsigned int buf_off;
	uint8_t saved[PAGE]; /* DBG_ENCRYPT: the guest page before */
};

static void sev_launch(struct dbg_ctx *c)
{
	uint32_t fw = 0, len = 48;
	uint8_t blob[48];
	struct ucall uc;

	TEST_ASSERT(!sev_vm_create(&c->s, c->sev_fd, false, sev_guest,
				   SEV_PAGES, &fw),
		    "KVM_SEV_INIT: %u", fw);
	TEST_ASSERT(!sev_launch_start(&c->s, 0, 0, &fw), "LAUNCH_START %u", fw);
	sev_fill_pattern(c->s.data, SEV_PAGES);
	TEST_ASSERT(!sev_launch_update(&c->s, 0, SEV_PAGES * PAGE, &fw),
		    "LAUNCH_UPDATE_DATA %u", fw);
	TEST_ASSERT(!sev_launch_measure(&c->s, blob, &len, &fw),
		    "LAUNCH_MEASURE %u", fw);
	TEST_ASSERT(!sev_cmd(&c->s, KVM_SEV_LAUNCH_FINISH, NULL, &fw),
		    "LAUNCH_FINISH %u", fw);
	vcpu_run(c->s.vcpu);
	if (get_ucall(c->s.vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	TEST_ASSERT(uc.cmd == UCALL_DONE, "SEV guest did not finish");

	tvm_init(&c->t, c->s.vm, pgenc_stat(c->s.vm, "tracked_pages") + 64);
	tvm_tracking_on(&c->t);
	pgenc_put_bit(c->t.exp, SEV_GFN + 2, 0);
	pgenc_put_bit(c->t.exp, SEV_GFN + 3, 0);
}

static void sev_unlaunch(struct dbg_ctx *c)
{
	c->t.vm = NULL; /* the sev_vm's */
	tvm_free(&c->t);
	sev_vm_free(&c->s);
}

/* The plaintext of byte off of the data region. */
static uint8_t sev_expected(uint64_t off)
{
	uint64_t page = off / PAGE;

	if (page == 2 || page == 3)
		return shared_pattern(page, off % PAGE);
	return sev_pattern(page, off % PAGE);
}

static uint8_t *dbg_user(struct dbg_ctx *c)
{
	return c->area + c->buf_off;
}

static void dbg_setup(void *p)
{
	struct dbg_ctx *c = p;
	uint8_t *u = dbg_user(c);
	uint32_t i;

	TEST_ASSERT(!madvise(c->area, 4 * PAGE, MADV_DONTNEED),
		    "MADV_DONTNEED");
	if (c->dec)
		return;
	/* DBG_ENCRYPT: new plaintext from the caller, the page saved. */
	for (i = 0; i < c->len; i++)
		u[i] = rnd();
	memcpy(c->saved, c->s.data + c->off / PAGE * PAGE, PAGE);
}

static int dbg_run(void *p)
{
	struct dbg_ctx *c = p;
	uint32_t fw;

	if (c->dec)
		return sev_dbg(&c->s, true, c->s.data + c->off, dbg_user(c),
			       c->len, &fw);
	return sev_dbg(&c->s, false, dbg_user(c), c->s.data + c->off, c->len,
		       &fw);
}

/* The caller's buffer (dec) or the shared guest page (enc) after success. */
static const char *dbg_result(struct dbg_ctx *c)
{
	uint8_t *g = c->s.data + c->off, *u = dbg_user(c);
	uint32_t i;

	for (i = 0; i < c->len; i++)
		if (c->dec ? u[i] != sev_expected(c->off + i) : g[i] != u[i])
			return WHY("byte %u of the result is wrong", i);
	return NULL;
}

/*
 * A failed DBG_ENCRYPT leaves the guest page as it was, or, when only
 * the final copy_to_user of the command's result failed (KVM's), fully
 * written: never half.
 */
static const char *dbg_enc_failed(struct dbg_ctx *c)
{
	uint8_t *page = c->s.data + c->off / PAGE * PAGE;
	size_t in = c->off % PAGE;

	if (!memcmp(c->saved, page, PAGE))
		return NULL;
	if (!memcmp(c->saved, page, in) && !dbg_result(c) &&
	    !memcmp(c->saved + in + c->len, page + in + c->len,
		    PAGE - in - c->len))
		return NULL;
	return "a failed DBG_ENCRYPT left the guest page half written";
}

static const char *dbg_check(void *p, int r, bool injected)
{
	struct dbg_ctx *c = p;
	const char *why;

	if (!r)
		why = dbg_result(c);
	else
		why = c->dec ? NULL : dbg_enc_failed(c);
	if (why)
		return why;
	if (r) {
		r = dbg_run(c);
		if (r)
			return WHY("the same command afterwards: %s",
				   strerror(-r));
		why = dbg_result(c);
		if (why)
			return why;
	}
	return tvm_check(&c->t);
}

/* Whole shared page on a fresh VM: its first DBG registers the handle. */
static void dbg_fresh_setup(void *p)
{
	struct dbg_ctx *c = p;

	sev_launch(c);
	dbg_setup(c);
}

static void dbg_fresh_teardown(void *p)
{
	sev_unlaunch(p);
}

static void test_sev(void)
{
	struct pgenc_fault_op init = { .name = "KVM_SEV_INIT (enables tracking)",
				       .setup = sevinit_setup,
				       .run = sevinit_run,
				       .check = sevinit_check,
				       .teardown = sevinit_teardown };
	struct pgenc_fault_op dbg = { .setup = dbg_setup,
				      .run = dbg_run,
				      .check = dbg_check };
	struct sevinit_ctx ic = { 0 };
	struct dbg_ctx *c = calloc(1, sizeof(*c));
	int fd = open(SEVSIM_DEVICE, O_RDWR), i;

	TEST_ASSERT(c, "context");
	if (fd < 0) {
		for (i = 0; i < 5; i++)
			ksft_test_result_skip("SEV: no %s (kvm_amd without sevsim=1)\n",
					      SEVSIM_DEVICE);
		free(c);
		return;
	}
	ic.sev_fd = fd;
	sweep(&init, &ic);

	c->sev_fd = fd;
	c->area = map_pages(4);

	dbg.name =
		"DBG_DECRYPT of 2 shared pages, a fresh VM's first DBG (handle registration, bypass)";
	dbg.setup = dbg_fresh_setup;
	dbg.teardown = dbg_fresh_teardown;
	c->dec = true;
	c->off = 2 * PAGE;
	c->len = 2 * PAGE;
	c->buf_off = PAGE;
	sweep(&dbg, c);

	dbg.setup = dbg_setup;
	dbg.teardown = NULL;
	sev_launch(c);
	TEST_ASSERT(!dbg_run(c), "a first DBG_DECRYPT");

	dbg.name = "DBG_DECRYPT of part of a shared page (bypass)";
	c->off = 3 * PAGE + 50;
	c->len = 100;
	c->buf_off = 50;
	sweep(&dbg, c);

	dbg.name =
		"DBG_ENCRYPT of part of a shared page (bypass; the guest page whole or untouched)";
	c->dec = false;
	c->off = 3 * PAGE + 200;
	c->len = 300;
	c->buf_off = PAGE + 7;
	sweep(&dbg, c);

	dbg.name = "DBG_DECRYPT of part of a private page (sevsim)";
	c->dec = true;
	c->off = 5 * PAGE + 3;
	c->len = 61;
	c->buf_off = 2 * PAGE + 7;
	sweep(&dbg, c);

	sev_unlaunch(c);
	munmap(c->area, 4 * PAGE);
	free(c);
	close(fd);
}

/* Map the stack the runs will use, so that none of them faults it in. */
static noinline void touch_stack(void)
{
	volatile uint8_t pad[256 * 1024];

	memset((void *)pad, 0, sizeof(pad));
}

int main(void)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ksft_print_header();
	pgenc_require();
	pgenc_fault_setup();
	ksft_set_plan(2 + 6 + 5 + 3 + 1 + 5);
	touch_stack();
	pgenc_fault_arm(0);
	pgenc_fault_disarm();

	test_enable_cap();
	test_memslots();
	test_set_get();
	test_hypercall();
	test_sev();

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_print_msg("%llu faults injected in %ld s\n", faults_total,
		       (long)(t1.tv_sec - t0.tv_sec));
	pgenc_figure("faults_injected", faults_total);
	ksft_finished();
}
