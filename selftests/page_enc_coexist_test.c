// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_coexist_test: which VMs get tracking, by how they were created
 * (Documentation/api.rst, "Private memory (6.12)"). An SEV or SEV-ES VM
 * always does, whether made by KVM_SEV_INIT/ES_INIT on a default VM or
 * by KVM_SEV_INIT2 on a VM of type KVM_X86_SEV_VM/SEV_ES_VM; a refused
 * init leaves it off. A VM that can have private memory
 * (KVM_X86_SW_PROTECTED_VM, SNP) never does: KVM_ENABLE_CAP is
 * EOPNOTSUPP and GET/SET stay ENXIO. The hypercall side (stock exits of
 * an untracked VM) is page_enc_hypercall_test's.
 */
#define _GNU_SOURCE
#include "sev_util.h"

#define SLOT_PAGES 64
#define NTYPED 5 /* results of test_vm_types() */

/*
 * A VM of @type (0: default) with slot 0 of SLOT_PAGES. Not the
 * library's typed VM: 6.12's opens /dev/sev and runs KVM_SEV_INIT2 for
 * SEV types itself, 6.1's has no types. So its barebones VM (no slot,
 * no vCPU), with the VM fd swapped for one of our type.
 */
static struct kvm_vm *typed_vm(unsigned long type)
{
	struct kvm_vm *vm = vm_create_barebones();
	int fd = __kvm_ioctl(vm->kvm_fd, KVM_CREATE_VM, (void *)type);

	TEST_ASSERT(fd >= 0, "KVM_CREATE_VM type %lu: %s", type,
		    strerror(errno));
	close(vm->fd);
	vm->fd = fd;
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 0, 0, SLOT_PAGES,
				    0);
	return vm;
}

/* On: the VM reports the capability and SET/GET round-trip over slot 0. */
static bool tracking_on(struct kvm_vm *vm)
{
	int cap = __vm_ioctl(vm, KVM_CHECK_EXTENSION,
			     (void *)(long)KVM_CAP_PAGE_ENC_BITMAP);
	uint8_t set[SLOT_PAGES / 8], got[SLOT_PAGES / 8];

	memset(set, 0x5a, sizeof(set));
	return cap == KVM_PAGE_ENC_CAP_ALL &&
	       !pgenc_set(vm, 0, SLOT_PAGES, set) &&
	       !pgenc_get(vm, 0, SLOT_PAGES, got) &&
	       !memcmp(set, got, sizeof(got));
}

/* Off: GET and SET are ENXIO, whatever the range. */
static bool tracking_off(struct kvm_vm *vm)
{
	uint8_t b[SLOT_PAGES / 8] = { 0 };

	return pgenc_get(vm, 0, SLOT_PAGES, b) == -ENXIO &&
	       pgenc_set(vm, 0, SLOT_PAGES, b) == -ENXIO;
}

/* A KVM_MEMORY_ENCRYPT_OP command on vm: 0 or -errno. */
static int sev_op(struct kvm_vm *vm, int sev_fd, uint32_t id, void *data)
{
	struct sev_vm s = { .vm = vm, .sev_fd = sev_fd };
	uint32_t fw;

	return sev_cmd(&s, id, data, &fw);
}

static void test_legacy_init(int sev_fd, bool es)
{
	const char *name = es ? "KVM_SEV_ES_INIT" : "KVM_SEV_INIT";
	struct kvm_vm *vm;
	bool off;
	int r;

	if (sev_fd < 0) {
		ksft_test_result_skip("%s: no /dev/sevsim (kvm_amd without sevsim=1)\n",
				      name);
		return;
	}
	vm = typed_vm(0);
	off = tracking_off(vm);
	r = sev_op(vm, sev_fd, es ? KVM_SEV_ES_INIT : KVM_SEV_INIT, NULL);
	ksft_test_result(off && !r && tracking_on(vm),
			 "%s on a default VM: tracking off before, on after (init: %s)\n",
			 name, strerror(-r));
	kvm_vm_free(vm);
}

#ifdef KVM_CAP_VM_TYPES

static const char *const type_names[] = {
	[KVM_X86_DEFAULT_VM] = "KVM_X86_DEFAULT_VM",
	[KVM_X86_SW_PROTECTED_VM] = "KVM_X86_SW_PROTECTED_VM",
	[KVM_X86_SEV_VM] = "KVM_X86_SEV_VM",
	[KVM_X86_SEV_ES_VM] = "KVM_X86_SEV_ES_VM",
	[KVM_X86_SNP_VM] = "KVM_X86_SNP_VM",
};

/* Why @type cannot be tested here, or NULL. */
static const char *type_missing(int types, unsigned long type, int sev_fd,
				bool need_sev)
{
	if (!(types & (1 << type)))
		return "not in KVM_CAP_VM_TYPES";
	if (need_sev && sev_fd < 0)
		return "no /dev/sevsim (kvm_amd without sevsim=1)";
	return NULL;
}

/* KVM_SEV_INIT2 on an SEV or SEV-ES type turns tracking on. */
static void test_init2(int types, int sev_fd, unsigned long type)
{
	const char *why = type_missing(types, type, sev_fd, true);
	struct kvm_sev_init init = { 0 };
	struct kvm_vm *vm;
	bool off;
	int r;

	if (why) {
		ksft_test_result_skip("KVM_SEV_INIT2 on %s: %s\n",
				      type_names[type], why);
		return;
	}
	vm = typed_vm(type);
	off = tracking_off(vm);
	r = sev_op(vm, sev_fd, KVM_SEV_INIT2, &init);
	ksft_test_result(off && !r && tracking_on(vm),
			 "KVM_SEV_INIT2 on %s: tracking off before, on after (init: %s)\n",
			 type_names[type], strerror(-r));
	kvm_vm_free(vm);
}

/*
 * The inits KVM refuses by VM type leave tracking off: INIT2 on a
 * default VM, the legacy KVM_SEV_INIT on an SEV type.
 */
static void test_init_refused(int types, int sev_fd)
{
	const char *why = type_missing(types, KVM_X86_SEV_VM, sev_fd, true);
	struct kvm_sev_init init = { 0 };
	struct kvm_vm *def, *sev;
	int r2, r1;

	if (why) {
		ksft_test_result_skip("refused SEV inits: KVM_X86_SEV_VM %s\n",
				      why);
		return;
	}
	def = typed_vm(0);
	sev = typed_vm(KVM_X86_SEV_VM);
	r2 = sev_op(def, sev_fd, KVM_SEV_INIT2, &init);
	r1 = sev_op(sev, sev_fd, KVM_SEV_INIT, NULL);
	ksft_test_result(r2 == -EINVAL && r1 == -EINVAL && tracking_off(def) &&
				 tracking_off(sev),
			 "KVM_SEV_INIT2 on a default VM (%s), KVM_SEV_INIT on KVM_X86_SEV_VM (%s): tracking stays off\n",
			 strerror(-r2), strerror(-r1));
	kvm_vm_free(def);
	kvm_vm_free(sev);
}

/*
 * A VM that can have private memory: enabling is refused, GET and SET
 * are the untracked VM's, and neither a refusal nor (SNP) its SEV init
 * changes that. The VM still reports the capability: it says what the
 * modules support, not what this VM may do.
 */
static void test_private(int types, int sev_fd, unsigned long type)
{
	const char *why = type_missing(types, type, sev_fd, false);
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PAGE_ENC_BITMAP };
	struct kvm_sev_init init = { 0 };
	int has, first, second, r = 0;
	struct kvm_vm *vm;
	bool off;

	if (why) {
		ksft_test_result_skip("%s: %s\n", type_names[type], why);
		return;
	}
	vm = typed_vm(type);
	has = __vm_ioctl(vm, KVM_CHECK_EXTENSION,
			 (void *)(long)KVM_CAP_PAGE_ENC_BITMAP);
	off = tracking_off(vm);
	first = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap) ? errno : 0;
	off = off && tracking_off(vm);
	if (type == KVM_X86_SNP_VM && sev_fd >= 0)
		r = sev_op(vm, sev_fd, KVM_SEV_INIT2, &init);
	second = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap) ? errno : 0;
	ksft_test_result(has == KVM_PAGE_ENC_CAP_ALL && first == EOPNOTSUPP &&
				 second == EOPNOTSUPP && off &&
				 tracking_off(vm),
			 "%s: KVM_ENABLE_CAP %s then %s, GET/SET ENXIO throughout (SEV init: %s)\n",
			 type_names[type], strerror(first), strerror(second),
			 strerror(-r));
	kvm_vm_free(vm);
}

static void test_vm_types(int sev_fd)
{
	int types = kvm_check_cap(KVM_CAP_VM_TYPES);

	ksft_print_msg("KVM_CAP_VM_TYPES: %#x\n", types);
	test_init2(types, sev_fd, KVM_X86_SEV_VM);
	test_init2(types, sev_fd, KVM_X86_SEV_ES_VM);
	test_init_refused(types, sev_fd);
	test_private(types, sev_fd, KVM_X86_SW_PROTECTED_VM);
	test_private(types, sev_fd, KVM_X86_SNP_VM);
}

#else /* 6.1: no VM types, no KVM_SEV_INIT2, no private memory */

static void test_vm_types(int sev_fd)
{
	int i;

	(void)sev_fd;
	for (i = 0; i < NTYPED; i++)
		ksft_test_result_skip("VM types: this kernel has no KVM_CAP_VM_TYPES\n");
}

#endif

int main(void)
{
	int sev_fd;

	ksft_print_header();
	pgenc_require();
	ksft_set_plan(2 + NTYPED);
	sev_fd = open(SEVSIM_DEVICE, O_RDWR);

	test_legacy_init(sev_fd, false);
	test_legacy_init(sev_fd, true);
	test_vm_types(sev_fd);
	if (sev_fd >= 0)
		close(sev_fd);
	ksft_finished();
}
