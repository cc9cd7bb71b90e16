// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_move_test: the tracking state belongs to the SEV context, against
 * sevsim. KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM moves the bits, the counters,
 * MSR_KVM_MIGRATION_CONTROL and the DBG bypass's policy to the target,
 * whose guest then updates the target's bitmap, and leaves the source
 * untracked; a target that tracked already gets the source's state in
 * place of its own. A mirror VM (KVM_CAP_VM_COPY_ENC_CONTEXT_FROM) has
 * no bitmap: it cannot enable one, a VM with one cannot become a mirror
 * or take a mirror's context, and a mirror's DBG commands never bypass;
 * moving a mirror's context charges no SEV ASID.
 */
#define _GNU_SOURCE
#include "sev_util.h"

#define DATA_PAGES 8ULL
#define DATA_GFN (SEV_DATA_GPA / PGENC_PAGE)
/* The source's guest shares pages 2, 3 and 6; the target's, 5, and 2 back. */
#define SRC_SHARED ((1u << 2) | (1u << 3) | (1u << 6))
#define DST_SHARED ((1u << 3) | (1u << 5) | (1u << 6))

static uint8_t shared_pattern(uint64_t page, uint64_t off)
{
	return (uint8_t)(0x3c ^ (page * 11 + off * 5));
}

static void guest_share(uint64_t p)
{
	uint8_t *va = (uint8_t *)(SEV_DATA_GPA + p * PGENC_PAGE);
	uint64_t i;

	GUEST_ASSERT(!pgenc_guest_hc(SEV_DATA_GPA + p * PGENC_PAGE, 1, 0x00));
	for (i = 0; i < PGENC_PAGE; i++)
		va[i] = shared_pattern(p, i);
}

/* On the source: 3 valid calls, 1 refused, then migration ready. */
static void guest_src(void)
{
	guest_share(2);
	guest_share(3);
	guest_share(6);
	GUEST_ASSERT(pgenc_guest_hc(SEV_DATA_GPA, 0, 0x00) ==
		     (uint64_t)-KVM_EINVAL);
	GUEST_ASSERT(!wrmsr_safe(MSR_KVM_MIGRATION_CONTROL,
				 KVM_MIGRATION_READY));
	GUEST_DONE();
}

/* On the target, after the move: what its hypercalls return. */
static void guest_dst(void)
{
	uint8_t *va = (uint8_t *)(SEV_DATA_GPA + 5 * PGENC_PAGE);
	uint64_t a, b, i;

	a = pgenc_guest_hc(SEV_DATA_GPA + 5 * PGENC_PAGE, 1, 0x00);
	b = pgenc_guest_hc(SEV_DATA_GPA + 2 * PGENC_PAGE, 1, 0x10);
	for (i = 0; i < PGENC_PAGE; i++)
		va[i] = shared_pattern(5, i);
	GUEST_SYNC_ARGS(1, a, b, 0, 0);
	GUEST_DONE();
}

static void run_to(struct kvm_vcpu *vcpu, uint64_t cmd, struct ucall *uc)
{
	vcpu_run(vcpu);
	if (get_ucall(vcpu, uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(*uc);
	TEST_ASSERT(uc->cmd == cmd, "guest stopped at ucall %lu, exit %s",
		    uc->cmd, exit_reason_str(vcpu->run->exit_reason));
}

static void launch(struct sev_vm *s, int sev_fd)
{
	uint32_t fw = 0, len = 48;
	uint8_t blob[48];
	struct ucall uc;

	TEST_ASSERT(!sev_vm_create(s, sev_fd, false, guest_src, DATA_PAGES,
				   &fw),
		    "KVM_SEV_INIT");
	TEST_ASSERT(!sev_launch_start(s, 0, 0, &fw), "LAUNCH_START %u", fw);
	sev_fill_pattern(s->data, DATA_PAGES);
	TEST_ASSERT(!sev_launch_update(s, 0, DATA_PAGES * PGENC_PAGE, &fw),
		    "LAUNCH_UPDATE_DATA %u", fw);
	TEST_ASSERT(!sev_launch_measure(s, blob, &len, &fw), "MEASURE %u", fw);
	TEST_ASSERT(!sev_cmd(s, KVM_SEV_LAUNCH_FINISH, NULL, &fw), "FINISH");
	run_to(s->vcpu, UCALL_DONE, &uc);
}

/* The data region's bits as a mask, or -errno. */
static int64_t data_bits(struct kvm_vm *vm)
{
	uint8_t map = 0;
	int r = pgenc_get(vm, DATA_GFN, DATA_PAGES, &map);

	return r ? r : (int64_t)(uint8_t)~map; /* bit set = shared */
}

static const char *const stats[] = { "hypercalls", "hypercall_errors",
				     "migration_control", "dbg_fw_cmds",
				     "dbg_bypassed_pages" };

static void read_stats(struct kvm_vm *vm, long long *v)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stats); i++)
		v[i] = pgenc_stat(vm, stats[i]);
}

static int move(struct kvm_vm *dst, struct kvm_vm *src)
{
	return __vm_enable_cap(dst, KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM, src->fd) ?
		       -errno :
		       0;
}

/* DBG_DECRYPT of data page p of s: 1 if it reads the shared pattern. */
static int dbg_shared_ok(struct sev_vm *s, uint64_t p)
{
	static uint8_t out[PGENC_PAGE] __attribute__((aligned(4096)));
	uint32_t fw = 0, i;
	int r = sev_dbg(s, true, s->data + p * PGENC_PAGE, out, PGENC_PAGE,
			&fw);

	for (i = 0; !r && i < PGENC_PAGE; i++)
		if (out[i] != shared_pattern(p, i))
			return 0;
	return r ? r : 1;
}

/*
 * A VM a move left dead: KVM refuses the memslot deletions that
 * kvm_vm_free() asserts (-EIO), so only its fds are closed.
 */
static void dead_vm_close(struct sev_vm *s)
{
	close(s->vcpu->fd);
	close(s->vm->fd);
	s->vm = NULL;
}

static void test_move(int sev_fd)
{
	static uint8_t out[PGENC_PAGE] __attribute__((aligned(4096)));
	long long before[ARRAY_SIZE(stats)], after[ARRAY_SIZE(stats)];
	long long src_after = 0, dst_hc, bypassed;
	int64_t src_bits, bits, got;
	struct sev_vm s, d, d2;
	uint32_t fw = 0;
	struct ucall uc;
	size_t i;
	bool ok;
	int r;

	launch(&s, sev_fd);
	/* One shared page (bypassed), one private (one firmware command). */
	TEST_ASSERT(dbg_shared_ok(&s, 2) == 1, "DBG_DECRYPT of shared page 2");
	TEST_ASSERT(!sev_dbg(&s, true, s.data, out, PGENC_PAGE, &fw),
		    "DBG_DECRYPT of private page 0: %u", fw);
	read_stats(s.vm, before);
	src_bits = data_bits(s.vm);
	TEST_ASSERT(src_bits == SRC_SHARED && before[0] == 3 &&
			    before[1] == 1 && before[2] == 1 &&
			    before[3] == 1 && before[4] == 1,
		    "source before the move: bits %#lx, stats %lld %lld %lld %lld %lld",
		    src_bits, before[0], before[1], before[2], before[3],
		    before[4]);

	sev_vm_create_plain(&d, sev_fd, guest_dst, DATA_PAGES);
	r = move(d.vm, s.vm);
	TEST_ASSERT(!r, "KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM: %s", strerror(-r));
	d.handle = s.handle;

	bits = data_bits(d.vm);
	ksft_test_result(bits == SRC_SHARED,
			 "move: the target's GET returns the source's bits (%#lx)\n",
			 bits);
	read_stats(d.vm, after);
	ok = true;
	for (i = 0; i < ARRAY_SIZE(stats); i++) {
		if (after[i] != before[i])
			ksft_print_msg("target %s: %lld, source had %lld\n",
				       stats[i], after[i], before[i]);
		ok &= after[i] == before[i];
	}
	ksft_test_result(ok,
			 "move: counters and MSR_KVM_MIGRATION_CONTROL moved to the target\n");

	got = data_bits(s.vm);
	for (i = 0; i < ARRAY_SIZE(stats); i++)
		src_after += pgenc_stat(s.vm, stats[i]) != -1;
	ksft_test_result(src_after == 0 && got == -EIO,
			 "move: the source keeps nothing (pgenc_stats: %lld fields) and is dead (GET %ld)\n",
			 src_after, got);

	run_to(d.vcpu, UCALL_SYNC, &uc);
	dst_hc = pgenc_stat(d.vm, "hypercalls");
	bits = data_bits(d.vm);
	ksft_test_result(uc.args[2] == 0 && uc.args[3] == 0 &&
				 bits == DST_SHARED && dst_hc == 3 + 2,
			 "move: the target's guest updates the target's bitmap (returns %ld %ld, bits %#lx, %lld calls)\n",
			 (long)uc.args[2], (long)uc.args[3], bits, dst_hc);

	/* The handle's policy moved too: page 5 is copied without firmware. */
	bypassed = pgenc_stat(d.vm, "dbg_bypassed_pages");
	r = dbg_shared_ok(&d, 5);
	ksft_test_result(r == 1 && pgenc_stat(d.vm, "dbg_bypassed_pages") ==
					   bypassed + 1,
			 "move: DBG_DECRYPT on the target bypasses a page its guest shared (%d)\n",
			 r);

	/* Onward, into a VM that tracks already: its own state is replaced. */
	sev_vm_create_plain(&d2, sev_fd, guest_dst, DATA_PAGES);
	pgenc_enable(d2.vm);
	TEST_ASSERT(!pgenc_set(d2.vm, DATA_GFN, DATA_PAGES,
			       (uint8_t[]){ 0x00 }),
		    "SET");
	read_stats(d.vm, before);
	r = move(d2.vm, d.vm);
	read_stats(d2.vm, after);
	bits = data_bits(d2.vm);
	ksft_test_result(!r && bits == DST_SHARED &&
				 !memcmp(before, after, sizeof(before)),
			 "move into a VM that tracks: the source's bits and counters replace its own (%d, %#lx)\n",
			 r, bits);
	sev_vm_free(&d2);
	if (r)
		sev_vm_free(&d);
	else
		dead_vm_close(&d);
	dead_vm_close(&s);
}

/* A fresh VM made a mirror of o: 0 or -errno. */
static int mirror(struct kvm_vm *m, struct sev_vm *o)
{
	return __vm_enable_cap(m, KVM_CAP_VM_COPY_ENC_CONTEXT_FROM, o->vm->fd) ?
		       -errno :
		       0;
}

static int enable(struct kvm_vm *vm)
{
	return __vm_enable_cap(vm, KVM_CAP_PAGE_ENC_BITMAP, 0) ? -errno : 0;
}

/* How many SEV VMs can exist at once (ASIDs, and their cgroup charges). */
static int sev_vms_fit(int sev_fd)
{
	static struct sev_vm v[32];
	uint32_t fw = 0;
	int n, i;

	for (n = 0; n < 32; n++)
		if (sev_vm_create(&v[n], sev_fd, false, guest_src, 1, &fw))
			break;
	for (i = 0; i < n; i++)
		sev_vm_free(&v[i]);
	return n;
}

/*
 * A mirror holds no ASID, so no charge of the misc cgroup's SEV ASIDs:
 * moving its context must not charge the target either, which its
 * destruction (a mirror's) would never give back.
 */
static void test_mirror_charge(int sev_fd)
{
	struct kvm_vm *m, *d1, *d2;
	int before, after, r1, r2;
	struct sev_vm o;

	launch(&o, sev_fd);
	before = sev_vms_fit(sev_fd);
	m = vm_create_barebones();
	d1 = vm_create_barebones();
	d2 = vm_create_barebones();
	TEST_ASSERT(!mirror(m, &o), "COPY_ENC_CONTEXT_FROM");
	r1 = move(d1, m);
	r2 = move(d2, d1);
	kvm_vm_free(d2);
	kvm_vm_free(d1);
	kvm_vm_free(m);
	after = sev_vms_fit(sev_fd);
	sev_vm_free(&o);
	ksft_test_result(!r1 && !r2 && after == before,
			 "a mirror's context moved twice charges nothing: %d SEV VMs fit before, %d after (%d, %d)\n",
			 before, after, r1, r2);
}

static void test_mirror(int sev_fd)
{
	static uint8_t out[PGENC_PAGE] __attribute__((aligned(4096)));
	struct sev_vm o, m = { 0 };
	struct kvm_vm *v, *d;
	uint32_t fw = 0, i;
	int en, get, cp, mv, dbg, st;
	int64_t bits;
	bool plain;

	launch(&o, sev_fd);

	/* Mirror first, then enable. */
	m.vm = vm_create_barebones();
	m.sev_fd = sev_fd;
	TEST_ASSERT(!mirror(m.vm, &o), "COPY_ENC_CONTEXT_FROM");
	en = enable(m.vm);
	get = data_bits(m.vm);
	ksft_test_result(en == -EINVAL && get == -ENXIO,
			 "mirror: KVM_ENABLE_CAP(KVM_CAP_PAGE_ENC_BITMAP) is refused with EINVAL (%d), GET says untracked (%d)\n",
			 en, get);

	/*
	 * Its DBG commands follow no bitmap, not even one that marks the
	 * page shared: the mirror maps the owner's page 2, which the owner's
	 * guest shared, and the firmware's decryption of that plaintext is
	 * not the plaintext.
	 */
	vm_set_user_memory_region(m.vm, SEV_DATA_SLOT, 0, SEV_DATA_GPA,
				  DATA_PAGES * PGENC_PAGE, o.data);
	if (!en)
		TEST_ASSERT(!pgenc_set(m.vm, DATA_GFN + 2, 1,
				       (uint8_t[]){ 0x00 }),
			    "SET on the mirror");
	dbg = sev_dbg(&m, true, o.data + 2 * PGENC_PAGE, out, PGENC_PAGE, &fw);
	for (i = 0, plain = true; i < PGENC_PAGE && plain; i++)
		plain = out[i] == shared_pattern(2, i);
	ksft_test_result(!dbg && !plain,
			 "mirror: DBG_DECRYPT goes to the firmware, never bypassed (%d, %s)\n",
			 dbg, plain ? "copied" : "decrypted");

	/* A mirror cannot move into a VM that tracks. */
	d = vm_create_barebones();
	TEST_ASSERT(!enable(d), "KVM_ENABLE_CAP");
	mv = move(d, m.vm);
	st = sev_guest_state(&m, &fw);
	ksft_test_result(mv == -EINVAL && st == SEV_GSTATE_RUNNING,
			 "mirror: moving it into a VM that tracks is refused with EINVAL (%d), it stays a mirror (%d)\n",
			 mv, st);
	kvm_vm_free(d);
	sev_vm_free(&m);

	/* Enable first, then mirror. */
	v = vm_create_barebones();
	TEST_ASSERT(!enable(v), "KVM_ENABLE_CAP");
	cp = mirror(v, &o);
	bits = data_bits(v);
	ksft_test_result(cp == -EINVAL && bits == 0,
			 "a VM that tracks cannot become a mirror: EINVAL (%d), its bitmap stays (%ld)\n",
			 cp, bits);
	kvm_vm_free(v);
	sev_vm_free(&o);
}

int main(void)
{
	int sev_fd;

	ksft_print_header();
	pgenc_require();
	sev_fd = sevsim_fd();
	ksft_set_plan(6 + 4 + 1);
	test_move(sev_fd);
	test_mirror(sev_fd);
	test_mirror_charge(sev_fd);
	ksft_finished();
}
