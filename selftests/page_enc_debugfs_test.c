// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_debugfs_test: the debugfs file pgenc_bitmap (Documentation/
 * api.rst, "Bitmap file (debugfs)"). It appears with tracking, root only
 * (0400); its bytes are libpgenc's raw header and what GET returns for
 * gfns [0, end of tracked memory), with holes and a last partial byte,
 * over several 64 KiB chunks, whatever the sizes and offsets of the
 * reads; its size is fixed at open; a reader that seeks sees new bits;
 * a VM destroyed while its file is open or being read leaves the reader
 * an error (EIO, ENOENT) and the kernel quiet (the run's verdict checks
 * dmesg).
 *
 * With --serve DIR it keeps such a VM for another process to read
 * (tests/cli/bitmap/vm.sh): DIR/get.raw holds the raw header and GET's
 * bytes, DIR/info the VM's directory and the counts `pgenc vms` must
 * show (from what the test did, not from the kernel), DIR/ready appears
 * last; SIGTERM or SIGINT ends it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>

#include "pgenc_util.h"

#define GIB (1ULL << 30)
#define SLOT1_GFN (GIB / PGENC_PAGE)
#define SLOT1_PAGES 64ULL
/* Past 4 GiB, an odd size: the bits span 4 chunks, the last byte partial. */
#define SLOT2_GFN 0x100000ULL
#define SLOT2_PAGES 600003ULL
#define HDR 32
#define CHUNK 65536

static uint64_t guest_gpa, guest_npages;

static void guest_code(void)
{
	for (;;)
		GUEST_SYNC(pgenc_guest_hc(guest_gpa, guest_npages, 0));
}

/* The guest makes [gfn, gfn + n) shared with hypercall 12. */
static void guest_share(struct kvm_vcpu *vcpu, uint64_t gfn, uint64_t n)
{
	struct ucall uc;

	guest_gpa = gfn * PGENC_PAGE;
	guest_npages = n;
	sync_global_to_guest(vcpu->vm, guest_gpa);
	sync_global_to_guest(vcpu->vm, guest_npages);
	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC && !uc.args[1],
		    "hypercall 12 on gfn 0x%lx +%lu", (unsigned long)gfn,
		    (unsigned long)n);
}

struct tvm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	void *sparse;
	uint64_t end, tracked, shared, hypercalls;
	char path[128];
};

/* Random bits over [start, start + n) with SET. */
static void set_random(struct tvm *t, uint64_t start, uint64_t n)
{
	uint8_t *buf = malloc((n + 7) / 8);
	uint64_t i;

	TEST_ASSERT(buf, "buffer");
	for (i = 0; i < (n + 7) / 8; i++)
		buf[i] = random();
	TEST_ASSERT(!pgenc_set(t->vm, start, n, buf), "SET");
	free(buf);
}

/* A tracked VM: slot 0, slot 1 at 1 GiB, a sparse slot 2, a pattern. */
static void tvm_create(struct tvm *t)
{
	uint64_t gpa0, size0;

	t->vm = vm_create_with_one_vcpu(&t->vcpu, guest_code);
	pgenc_enable(t->vm);
	vm_userspace_mem_region_add(t->vm, VM_MEM_SRC_ANONYMOUS, GIB, 1,
				    SLOT1_PAGES, 0);
	t->sparse = pgenc_sparse_slot(t->vm, 2, SLOT2_GFN * PGENC_PAGE,
				      SLOT2_PAGES);
	/* The region's type differs between series: its fields do not. */
	gpa0 = memslot2region(t->vm, 0)->region.guest_phys_addr;
	size0 = memslot2region(t->vm, 0)->region.memory_size;
	TEST_ASSERT(!gpa0, "slot 0 at gpa 0");
	t->tracked = size0 / PGENC_PAGE + SLOT1_PAGES + SLOT2_PAGES;
	t->end = SLOT2_GFN + SLOT2_PAGES;

	/* SET patterns in slots 1 and 2, hypercalls in slot 2's chunks. */
	set_random(t, SLOT1_GFN, SLOT1_PAGES);
	set_random(t, SLOT2_GFN + 5, 3000);
	set_random(t, SLOT2_GFN + 524288 - 100, 300);
	set_random(t, t->end - 21, 21);
	guest_share(t->vcpu, SLOT2_GFN + 70000, 1234);
	guest_share(t->vcpu, SLOT2_GFN + 400000, 150001);
	guest_share(t->vcpu, t->end - 3, 2);
	t->hypercalls = 3;
	snprintf(t->path, sizeof(t->path),
		 "/sys/kernel/debug/kvm/%d-%d/pgenc_bitmap", getpid(),
		 t->vm->fd);
}

static void tvm_destroy(struct tvm *t)
{
	kvm_vm_free(t->vm);
	munmap(t->sparse, SLOT2_PAGES * PGENC_PAGE);
}

/*
 * What the file must hold: the raw header and GET's bits of [0, end),
 * bits past end 0. *len gets its size; t->shared the shared pages.
 */
static uint8_t *expected(struct tvm *t, size_t *len)
{
	uint64_t nbytes = (t->end + 7) / 8, i;
	uint8_t *buf = calloc(1, HDR + nbytes);

	TEST_ASSERT(buf, "buffer");
	memcpy(buf, "PGENCBM", 8);
	buf[8] = 1;
	buf[12] = HDR;
	for (i = 0; i < 8; i++)
		buf[24 + i] = (uint8_t)(t->end >> (8 * i));
	TEST_ASSERT(!pgenc_get(t->vm, 0, t->end, buf + HDR), "GET");
	/* Shared pages: tracked pages whose bit is 0 (holes read 1). */
	t->shared = 0;
	for (i = 0; i < t->end; i++)
		t->shared += !pgenc_bit(buf + HDR, i);
	*len = HDR + nbytes;
	return buf;
}

/* Read fd from where it is to EOF, max bytes, in reads of size bs. */
static ssize_t read_by(int fd, uint8_t *out, size_t max, size_t bs)
{
	size_t got = 0;
	ssize_t r;

	while (got < max) {
		r = read(fd, out + got, bs < max - got ? bs : max - got);
		if (r < 0)
			return -errno;
		if (!r)
			break;
		got += r;
	}
	return got;
}

/* The whole file in reads of bs bytes (at most max) equals want. */
static bool reads_equal(const char *path, const uint8_t *want, size_t len,
			size_t bs, size_t max)
{
	uint8_t *got = malloc(len + 1);
	int fd = open(path, O_RDONLY);
	ssize_t n;
	bool ok;

	TEST_ASSERT(got && fd >= 0, "open %s: %s", path, strerror(errno));
	n = read_by(fd, got, max ? max : len + 1, bs);
	ok = n == (ssize_t)(max ? max : len) && !memcmp(got, want, n);
	if (!ok)
		ksft_print_msg("reads of %zu bytes: got %zd bytes, want %zu\n",
			       bs, n, max ? max : len);
	close(fd);
	free(got);
	return ok;
}

static void test_file(void)
{
	static const size_t sizes[] = { 1 << 20, 4096, CHUNK + 13, 100000 };
	struct tvm t, plain;
	uint8_t *want, buf[300];
	char path[128];
	struct stat st;
	size_t len, i;
	bool ok = true;
	off_t off;
	int fd;

	plain.vm = vm_create_barebones();
	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/pgenc_bitmap",
		 getpid(), plain.vm->fd);
	ok = access(path, F_OK) && errno == ENOENT;
	pgenc_enable(plain.vm);
	ok = ok && !stat(path, &st) && S_ISREG(st.st_mode) &&
	     (st.st_mode & 07777) == 0400;
	/* No memslot: the raw format has no empty bitmap, the file is empty. */
	fd = open(path, O_RDONLY);
	ok = ok && fd >= 0 && read(fd, buf, sizeof(buf)) == 0;
	if (fd >= 0)
		close(fd);
	ksft_test_result(ok,
			 "pgenc_bitmap appears with tracking, mode 0400; empty without memslots\n");
	kvm_vm_free(plain.vm);

	tvm_create(&t);
	want = expected(&t, &len);
	TEST_ASSERT(len > HDR + 3 * CHUNK, "4 chunks");
	ok = true;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		ok = ok && reads_equal(t.path, want, len, sizes[i], 0);
	/* Byte by byte across the first chunk's end: 2 chunks, not all. */
	ok = ok && reads_equal(t.path, want, len, 1, HDR + CHUNK + 100) &&
	     reads_equal(t.path, want, len, 7, HDR + CHUNK + 100);
	ksft_test_result(ok,
			 "the file is the raw header and GET's bits of [0, 0x%lx), %zu bytes, read whole and in reads of 1, 7, 4096, 65549, 100000 bytes\n",
			 (unsigned long)t.end, len);

	/* Offsets: pread anywhere, and SEEK_END at the size. */
	fd = open(t.path, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open");
	for (i = 0; ok && i < 50; i++) {
		off = random() % len;
		ok = pread(fd, buf, sizeof(buf), off) ==
			     (ssize_t)(len - off < sizeof(buf) ? len - off :
								 sizeof(buf)) &&
		     !memcmp(buf, want + off,
			     len - off < sizeof(buf) ? len - off : sizeof(buf));
	}
	ok = ok && lseek(fd, 0, SEEK_END) == (off_t)len &&
	     read(fd, buf, 1) == 0;

	/* A change is seen by a reader that seeks back. */
	pgenc_set(t.vm, SLOT1_GFN, 8, "\x5a");
	want[HDR + SLOT1_GFN / 8] = 0x5a;
	ok = ok && pread(fd, buf, 1, HDR + SLOT1_GFN / 8) == 1 &&
	     buf[0] == 0x5a;

	/* The size is the one at open; a new open sees a new slot. */
	vm_userspace_mem_region_add(t.vm, VM_MEM_SRC_ANONYMOUS,
				    (t.end + 8) * PGENC_PAGE, 3, 8, 0);
	ok = ok && lseek(fd, 0, SEEK_END) == (off_t)len;
	close(fd);
	free(want);
	t.end += 16;
	t.tracked += 8;
	want = expected(&t, &len);
	ksft_test_result(ok && reads_equal(t.path, want, len, 4096, 0),
			 "pread at random offsets; SEEK_END; a seek sees new bits; the size is fixed at open, a new open sees a new slot\n");
	free(want);

	/* Destroyed while open: the reader gets EIO, nothing else. */
	fd = open(t.path, O_RDONLY);
	ok = fd >= 0 && read(fd, buf, 100) == 100;
	tvm_destroy(&t);
	errno = 0;
	ok = ok && read(fd, buf, 100) < 0 && errno == EIO;
	ksft_test_result(ok && !close(fd),
			 "a VM destroyed while its file is open: read fails with EIO\n");
}

struct reader {
	const char *path;
	volatile bool stop;
	unsigned long reads, bad;
};

/* Read the file whole, again and again; errors only once it goes. */
static void *reader(void *arg)
{
	static uint8_t buf[CHUNK];
	struct reader *r = arg;
	ssize_t n;
	int fd;

	while (!r->stop) {
		fd = open(r->path, O_RDONLY);
		if (fd < 0) {
			if (errno != ENOENT)
				r->bad++;
			continue;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n < 0 && errno != EIO)
			r->bad++;
		if (!n)
			r->reads++;
		close(fd);
	}
	return NULL;
}

static void test_destroy_race(void)
{
	struct reader r = { 0 };
	unsigned long total = 0;
	pthread_t th;
	struct tvm t;
	int i;

	for (i = 0; i < 5; i++) {
		tvm_create(&t);
		r.path = t.path;
		r.stop = false;
		r.reads = 0;
		pthread_create(&th, NULL, reader, &r);
		while (!r.reads)
			usleep(1000);
		tvm_destroy(&t);
		usleep(20000);
		r.stop = true;
		pthread_join(th, NULL);
		total += r.reads;
	}
	ksft_test_result(!r.bad,
			 "5 VMs destroyed while a thread reads their file (%lu whole reads): only ENOENT and EIO, %lu other errors\n",
			 total, r.bad);
}

static void write_file(const char *dir, const char *name, const void *p,
		       size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	TEST_ASSERT(f && fwrite(p, 1, len, f) == len && !fclose(f), "write %s",
		    path);
}

static int serve(const char *dir)
{
	char info[512];
	struct tvm t;
	uint8_t *want;
	sigset_t set;
	size_t len;
	int sig, n;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	tvm_create(&t);
	want = expected(&t, &len);
	write_file(dir, "get.raw", want, len);
	n = snprintf(info, sizeof(info),
		     "vm %d-%d\npid %d\nfd %d\ntracked_pages %lu\nshared_pages %lu\nhypercalls %lu\n",
		     getpid(), t.vm->fd, getpid(), t.vm->fd,
		     (unsigned long)t.tracked, (unsigned long)t.shared,
		     (unsigned long)t.hypercalls);
	write_file(dir, "info", info, n);
	write_file(dir, "ready", "", 0);
	sigwait(&set, &sig);
	tvm_destroy(&t);
	free(want);
	return 0;
}

int main(int argc, char **argv)
{
	pgenc_require();
	srandom(14);
	if (argc == 3 && !strcmp(argv[1], "--serve"))
		return serve(argv[2]);
	TEST_ASSERT(argc == 1, "usage: %s [--serve DIR]", argv[0]);

	ksft_print_header();
	if (access("/sys/kernel/debug/kvm", R_OK))
		ksft_exit_skip("/sys/kernel/debug/kvm: %s (debugfs not mounted, or not root)\n",
			       strerror(errno));
	ksft_set_plan(5);
	test_file();
	test_destroy_race();
	ksft_finished();
}
