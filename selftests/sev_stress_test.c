// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_stress_test: everything at once, bounded in time. Two SEV (sevsim)
 * VMs, each with 2 vCPUs in a hypercall storm over their own ranges,
 * while host threads loop GET and SET, add and delete a memslot, and read
 * guest memory with DBG_DECRYPT; then each VM is destroyed with its vCPUs
 * still running. Invariants: launched data always decrypts to what was
 * loaded, the host's own range always reads back, every call succeeds,
 * and the platform forgets both guests. The kernel side is judged by the
 * VM runner (no splat, no taint).
 * PGENC_STRESS_SECONDS sets the duration (default 8).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "sev_util.h"

#define DATA_PAGES 4ULL
#define NR_VMS 2
#define NR_VCPUS 2
#define RANGE 256ULL
#define VCPU_GFN(i) (128ULL + (i)*2 * RANGE)
#define HOST_GFN (128ULL + RANGE) /* between the two vCPUs' ranges */
#define CHURN_GPA (1ULL << 30)

static void guest_code(uint64_t id)
{
	uint64_t i = 0, gfn = VCPU_GFN(id);

	for (;;) {
		uint64_t off = (i * 37) % RANGE, n = 1 + (i * 13) % 64;

		if (off + n > RANGE)
			n = RANGE - off;
		GUEST_ASSERT(!pgenc_guest_hc((gfn + off) * PGENC_PAGE, n,
					     i & 1 ? 0x10 : 0x00));
		i++;
	}
}

struct svm_ctx {
	struct sev_vm s;
	struct kvm_vcpu *vcpus[NR_VCPUS];
	pthread_t vt[NR_VCPUS], ht[3];
	uint8_t plain[DATA_PAGES * PGENC_PAGE];
	volatile bool stop;
	uint64_t gets, sets, dbgs, churns, errors;
};

static void on_kick(int sig)
{
	(void)sig;
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	/* The guest never stops; SIGUSR1 from the main thread ends this. */
	while (!__vcpu_run(vcpu)) {
		TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_ABORT,
			    "unexpected exit %s",
			    exit_reason_str(vcpu->run->exit_reason));
		REPORT_GUEST_ASSERT(uc);
	}
	TEST_ASSERT(errno == EINTR, "KVM_RUN: %s", strerror(errno));
	return NULL;
}

/* Kick until the thread has left KVM_RUN: one signal may come early. */
static void kick_and_join(pthread_t t)
{
	do {
		pthread_kill(t, SIGUSR1);
		usleep(1000);
	} while (pthread_tryjoin_np(t, NULL));
}

static void *getset_thread(void *arg)
{
	struct svm_ctx *c = arg;
	uint8_t mine[RANGE / 8], back[RANGE / 8], all[4096];
	uint64_t i;

	while (!c->stop) {
		for (i = 0; i < sizeof(mine); i++)
			mine[i] = random();
		c->errors += !!pgenc_set(c->s.vm, HOST_GFN, RANGE, mine);
		c->errors += !!pgenc_get(c->s.vm, 0, sizeof(all) * 8, all);
		c->errors += !!pgenc_get(c->s.vm, HOST_GFN, RANGE, back);
		c->errors += !!memcmp(mine, back, sizeof(mine));
		c->sets++;
		c->gets += 2;
	}
	return NULL;
}

static void *churn_thread(void *arg)
{
	struct svm_ctx *c = arg;
	void *mem = mmap(NULL, 16 * PGENC_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region r = {
		.slot = 20,
		.guest_phys_addr = CHURN_GPA,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
	};

	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	while (!c->stop) {
		/* Raw ioctls: the library's slot lists are not thread-safe. */
		r.memory_size = 16 * PGENC_PAGE;
		c->errors +=
			!!ioctl(c->s.vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
		r.memory_size = 0;
		c->errors +=
			!!ioctl(c->s.vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
		c->churns++;
	}
	munmap(mem, 16 * PGENC_PAGE);
	return NULL;
}

static void *dbg_thread(void *arg)
{
	static __thread uint8_t out[PGENC_PAGE] __attribute__((aligned(4096)));
	struct svm_ctx *c = arg;
	uint32_t fw;
	uint64_t p = 0;

	while (!c->stop) {
		p = (p + 1) % DATA_PAGES;
		c->errors += !!sev_dbg(&c->s, true, c->s.data + p * PGENC_PAGE,
				       out, PGENC_PAGE, &fw);
		c->errors +=
			!!memcmp(out, c->plain + p * PGENC_PAGE, PGENC_PAGE);
		c->dbgs++;
	}
	return NULL;
}

static void launch(struct svm_ctx *c, int sev_fd)
{
	uint32_t fw = 0, len = 48;
	uint8_t blob[48];
	int i;

	TEST_ASSERT(!sev_vm_create(&c->s, sev_fd, false, guest_code, DATA_PAGES,
				   &fw),
		    "KVM_SEV_INIT");
	c->vcpus[0] = c->s.vcpu;
	c->vcpus[1] = vm_vcpu_add(c->s.vm, 1, guest_code);
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_args_set(c->vcpus[i], 1, i);
	TEST_ASSERT(!sev_launch_start(&c->s, 0, 0, &fw), "LAUNCH_START");
	sev_fill_pattern(c->s.data, DATA_PAGES);
	memcpy(c->plain, c->s.data, sizeof(c->plain));
	TEST_ASSERT(!sev_launch_update(&c->s, 0, sizeof(c->plain), &fw) &&
			    !sev_launch_measure(&c->s, blob, &len, &fw) &&
			    !sev_cmd(&c->s, KVM_SEV_LAUNCH_FINISH, NULL, &fw),
		    "launch: fw %u", fw);
}

int main(void)
{
	const char *e = getenv("PGENC_STRESS_SECONDS");
	unsigned int seconds = e ? atoi(e) : 8;
	static struct svm_ctx vms[NR_VMS];
	void *(*host[3])(void *) = { getset_thread, churn_thread, dbg_thread };
	struct sigaction sa = { .sa_handler = on_kick };
	uint64_t gets = 0, sets = 0, dbgs = 0, churns = 0, errors = 0;
	int sev_fd, v, i;

	ksft_print_header();
	pgenc_require();
	sev_fd = sevsim_fd();
	ksft_set_plan(2);
	sigaction(SIGUSR1, &sa, NULL);
	srandom(4);

	for (v = 0; v < NR_VMS; v++) {
		launch(&vms[v], sev_fd);
		for (i = 0; i < NR_VCPUS; i++)
			pthread_create(&vms[v].vt[i], NULL, vcpu_thread,
				       vms[v].vcpus[i]);
		for (i = 0; i < 3; i++)
			pthread_create(&vms[v].ht[i], NULL, host[i], &vms[v]);
	}
	sleep(seconds);

	for (v = 0; v < NR_VMS; v++) {
		struct svm_ctx *c = &vms[v];

		c->stop = true;
		for (i = 0; i < 3; i++)
			pthread_join(c->ht[i], NULL);
		/*
		 * Drop the VM fd while its vCPUs are inside KVM_RUN, then
		 * kick them out; the vCPU fds and mappings are the last
		 * references. (The library closes a placeholder fd.)
		 */
		close(c->s.vm->fd);
		c->s.vm->fd = open("/dev/null", O_RDONLY);
		for (i = 0; i < NR_VCPUS; i++)
			kick_and_join(c->vt[i]);
		kvm_vm_release(c->s.vm);
		gets += c->gets;
		sets += c->sets;
		dbgs += c->dbgs;
		churns += c->churns;
		errors += c->errors;
	}
	ksft_test_result(!errors && gets && sets && dbgs && churns,
			 "%us on %d SEV VMs x %d vCPUs: %lu GETs, %lu SETs, %lu DBG reads, %lu memslot cycles, %lu errors\n",
			 seconds, NR_VMS, NR_VCPUS, gets, sets, dbgs, churns,
			 errors);
	pgenc_figure("stress_iterations", gets + sets + dbgs + churns);
	ksft_test_result(sevsim_guest_count(sev_fd) == 0,
			 "destroyed with running vCPUs, every guest is decommissioned\n");
	ksft_finished();
}
