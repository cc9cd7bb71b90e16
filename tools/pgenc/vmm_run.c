// SPDX-License-Identifier: GPL-2.0
/*
 * `pgenc run`'s runtime (vmm.h): set-up (KVM, memory, the guest, vCPUs),
 * one thread per vCPU running KVM_RUN and handling its exits, a signal
 * thread that turns SIGINT/SIGTERM/SIGHUP into a quit, and the VM's
 * lifecycle until every vCPU halted or a quit. There is no interrupt
 * controller: HLT exits to userspace and ends that vCPU's thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <pgenc/pgenc.h>

#include "commands.h"
#include "vmm.h"

/* The built-in guests, embedded by tools/pgenc/Makefile (guest/). */
extern const unsigned char pgenc_demo_guest[];
extern const unsigned char pgenc_demo_guest_end[];
extern const unsigned char pgenc_churn_guest[];
extern const unsigned char pgenc_churn_guest_end[];

#define KVM_ENOSYS 1000

/*
 * vCPUs
 * =====
 */
static _Thread_local struct kvm_run *tls_run;

static void kick_handler(int sig)
{
	(void)sig;
	if (tls_run)
		tls_run->immediate_exit = 1;
}

static void kick_all(struct vmm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].started)
			pthread_kill(vm->vcpus[i].thread, SIGUSR1);
}

/* Make every vCPU thread leave KVM_RUN and end. */
static void vmm_stop_vcpus(struct vmm *vm)
{
	atomic_store(&vm->stop, true);
	pthread_mutex_lock(&vm->lock);
	pthread_cond_broadcast(&vm->cond); /* paused threads end too */
	pthread_mutex_unlock(&vm->lock);
	kick_all(vm);
}

/*
 * Pause: a kicked vCPU leaves KVM_RUN (immediate_exit) and waits in
 * park() until resumed or stopped. A vCPU that ended (HLT) stays ended.
 */
void vmm_pause(struct vmm *vm)
{
	pthread_mutex_lock(&vm->lock);
	atomic_store(&vm->pause, true);
	pthread_mutex_unlock(&vm->lock);
	kick_all(vm);
	pthread_mutex_lock(&vm->lock);
	while (vm->paused < vm->running)
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
}

void vmm_resume(struct vmm *vm)
{
	pthread_mutex_lock(&vm->lock);
	atomic_store(&vm->pause, false);
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

static void park(struct vmm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->paused++;
	pthread_cond_broadcast(&vm->cond);
	while (atomic_load(&vm->pause) && !atomic_load(&vm->stop))
		pthread_cond_wait(&vm->cond, &vm->lock);
	vm->paused--;
	pthread_mutex_unlock(&vm->lock);
}

static void console_flush(struct vmm_vcpu *v)
{
	if (!v->line_len)
		return;
	vmm_print_lock();
	if (v->vm->nr_vcpus > 1)
		printf("[guest %u] %.*s\n", v->index, (int)v->line_len,
		       v->line);
	else
		printf("[guest] %.*s\n", (int)v->line_len, v->line);
	fflush(stdout);
	vmm_print_unlock();
	v->line_len = 0;
}

static void console_byte(struct vmm_vcpu *v, uint8_t c)
{
	if (c == '\n') {
		console_flush(v);
		return;
	}
	if (c == '\r')
		return;
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		c = '.';
	v->line[v->line_len++] = (char)c;
	if (v->line_len == sizeof(v->line))
		console_flush(v);
}

static void handle_io(struct vmm_vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *p = (uint8_t *)run + run->io.data_offset;
	uint32_t i, n = run->io.count * run->io.size;
	bool console = run->io.port == PGENC_CONSOLE_PORT ||
		       run->io.port == PGENC_COM1_PORT;

	if (run->io.direction == KVM_EXIT_IO_OUT) {
		if (!console)
			return;
		for (i = 0; i < run->io.count; i++)
			console_byte(v, p[i * run->io.size]);
		return;
	}
	/* COM1 line status: transmitter empty; everything else reads ~0. */
	memset(p, run->io.port == PGENC_COM1_PORT + 5 ? 0x60 : 0xff, n);
}

static uint64_t vcpu_rip(struct vmm_vcpu *v)
{
	struct kvm_regs regs;

	return ioctl(v->fd, KVM_GET_REGS, &regs) ? 0 : regs.rip;
}

static void handle_hypercall(struct vmm_vcpu *v)
{
	struct kvm_run *run = v->run;
	struct pgenc_hypercall req;
	struct pgenc_bitmap *b = NULL;
	const __u64 *a = run->hypercall.args;
	char now[64] = "";

	if (run->hypercall.nr != KVM_HC_PAGE_ENC_STATUS) {
		run->hypercall.ret = (uint64_t)-KVM_ENOSYS;
		return;
	}
	run->hypercall.ret = 0;
	if (pgenc_hypercall_decode(a[0], a[1], a[2], vmm_pages(v->vm), &req)) {
		vmm_log("vCPU %u: hypercall 12 gpa 0x%llx npages %llu a2 0x%llx: invalid",
			v->index, a[0], a[1], a[2]);
		return;
	}
	/* The kernel updated the bitmap before this exit: show it. */
	if (!pgenc_vm_get_bitmap(v->vm->vm_fd, req.gfn, req.npages, &b)) {
		snprintf(now, sizeof(now),
			 "; bitmap: %" PRIu64 "/%" PRIu64 " shared",
			 pgenc_bitmap_count(b, false), req.npages);
		pgenc_bitmap_free(b);
	}
	vmm_log("vCPU %u: hypercall 12 gpa 0x%llx npages %llu a2 0x%llx -> %s%s",
		v->index, a[0], a[1], a[2],
		req.encrypted ? "encrypted" : "shared", now);
}

static enum vmm_state vcpu_loop(struct vmm_vcpu *v)
{
	struct kvm_run *run = v->run;

	for (;;) {
		if (atomic_load(&v->vm->pause))
			park(v->vm);
		if (atomic_load(&v->vm->stop))
			return VMM_STOPPED;
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				run->immediate_exit = 0;
				continue;
			}
			vmm_err("vCPU %u: KVM_RUN: %s", v->index,
				strerror(errno));
			return VMM_ERROR;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			handle_io(v);
			break;
		case KVM_EXIT_HYPERCALL:
			handle_hypercall(v);
			break;
		case KVM_EXIT_MMIO:
			/* No devices: reads see ~0, writes vanish. */
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0xff,
				       sizeof(run->mmio.data));
			break;
		case KVM_EXIT_HLT:
			console_flush(v);
			vmm_log("vCPU %u halted (HLT at rip 0x%" PRIx64 ")",
				v->index, vcpu_rip(v));
			return VMM_HALTED;
		case KVM_EXIT_SHUTDOWN:
			console_flush(v);
			/* KVM has reset the vCPU: its registers say nothing. */
			vmm_err("vCPU %u: SHUTDOWN (triple fault: an exception the guest could not handle)",
				v->index);
			return VMM_SHUTDOWN;
		case KVM_EXIT_SYSTEM_EVENT:
			console_flush(v);
			vmm_err("vCPU %u: system event %u (shutdown/reset)",
				v->index, run->system_event.type);
			return VMM_SHUTDOWN;
		case KVM_EXIT_FAIL_ENTRY:
			vmm_err("vCPU %u: VM entry failed, reason 0x%llx",
				v->index,
				(unsigned long long)run->fail_entry
					.hardware_entry_failure_reason);
			return VMM_ERROR;
		case KVM_EXIT_INTERNAL_ERROR:
			vmm_err("vCPU %u: KVM internal error, suberror %u",
				v->index, run->internal.suberror);
			return VMM_ERROR;
		default:
			vmm_err("vCPU %u: unexpected exit reason %u at rip 0x%" PRIx64,
				v->index, run->exit_reason, vcpu_rip(v));
			return VMM_ERROR;
		}
	}
}

static void *vcpu_thread(void *arg)
{
	struct vmm_vcpu *v = arg;
	struct vmm *vm = v->vm;
	enum vmm_state end;

	tls_run = v->run;
	end = vcpu_loop(v);
	console_flush(v);

	pthread_mutex_lock(&vm->lock);
	v->end = end;
	vm->running--;
	if (end == VMM_SHUTDOWN || end == VMM_ERROR) {
		if (vm->state != VMM_ERROR)
			vm->state = end;
	} else if (!vm->running && vm->state == VMM_RUNNING) {
		vm->state = atomic_load(&vm->stop) ? VMM_STOPPED : end;
	}
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	/* A dead vCPU takes the VM down with it. */
	if (end == VMM_SHUTDOWN || end == VMM_ERROR)
		vmm_stop_vcpus(vm);
	return NULL;
}

static void *signal_thread(void *arg)
{
	struct vmm *vm = arg;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigwait(&set, &sig))
		return NULL;
	pthread_mutex_lock(&vm->lock);
	vm->quit = true;
	vm->quit_signal = sig;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

/*
 * Set-up
 * ======
 */
static int open_kvm(struct vmm *vm, bool trace)
{
	int mask, r;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		vmm_err("cannot open /dev/kvm: %s", strerror(errno));
		return PGENC_EXIT_UNSUPPORTED;
	}
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		vmm_err("/dev/kvm: unexpected KVM API version");
		return PGENC_EXIT_UNSUPPORTED;
	}
	mask = pgenc_vm_check(vm->kvm_fd);
	if (mask <= 0 || !(mask & KVM_PAGE_ENC_CAP_BITMAP) ||
	    !(mask & KVM_PAGE_ENC_CAP_HYPERCALL)) {
		vmm_err("KVM_CAP_PAGE_ENC_BITMAP is missing (mask %d): load pgenc's kvm.ko and kvm-amd.ko in place of the stock ones",
			mask);
		return PGENC_EXIT_UNSUPPORTED;
	}
	if (trace) {
		r = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
			  KVM_CAP_EXIT_HYPERCALL);
		if (r <= 0 || !(r & (1 << KVM_HC_PAGE_ENC_STATUS))) {
			vmm_err("--trace-hypercalls: this KVM cannot exit to userspace on hypercall 12 (KVM_CAP_EXIT_HYPERCALL)");
			return PGENC_EXIT_UNSUPPORTED;
		}
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		vmm_err("KVM_CREATE_VM: %s", strerror(errno));
		return PGENC_EXIT_FAILED;
	}
	return PGENC_EXIT_OK;
}

static int setup_memory(struct vmm *vm)
{
	struct kvm_userspace_memory_region slot = { 0 };
	struct kvm_enc_region reg;

	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		vmm_err("guest memory (%" PRIu64 " bytes): %s", vm->mem_size,
			strerror(errno));
		return PGENC_EXIT_FAILED;
	}
	madvise(vm->mem, vm->mem_size, MADV_MERGEABLE);
	slot.slot = 0;
	slot.guest_phys_addr = 0;
	slot.memory_size = vm->mem_size;
	slot.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot)) {
		vmm_err("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return PGENC_EXIT_FAILED;
	}
	if (vm->sev) {
		/* As QEMU does: pin guest RAM for the SEV guest's lifetime. */
		reg.addr = (uintptr_t)vm->mem;
		reg.size = vm->mem_size;
		if (ioctl(vm->vm_fd, KVM_MEMORY_ENCRYPT_REG_REGION, &reg)) {
			vmm_err("KVM_MEMORY_ENCRYPT_REG_REGION: %s",
				strerror(errno));
			return PGENC_EXIT_FAILED;
		}
	}
	return PGENC_EXIT_OK;
}

static int load_guest(struct vmm *vm, const struct vmm_run_opts *o)
{
	uint64_t gpa;
	size_t len = 0;
	void *data = NULL;
	int r;

	if (o->churn) {
		r = vmm_load_image(vm, pgenc_churn_guest,
				   (size_t)(pgenc_churn_guest_end -
					    pgenc_churn_guest),
				   false, 0, "churn guest");
		if (r)
			return PGENC_EXIT_FAILED;
		vm->guest_arg = o->churn_rate;
		vmm_log("churn guest at 0x%" PRIx64 ", %" PRIu64
			" pages per round",
			vm->entry, o->churn_rate);
		return PGENC_EXIT_OK;
	}
	if (o->demo) {
		size_t n = (size_t)(pgenc_demo_guest_end - pgenc_demo_guest);

		r = vmm_load_image(vm, pgenc_demo_guest, n, false, 0,
				   "demo guest");
		if (r)
			return PGENC_EXIT_FAILED;
		if (o->sev) {
			uint8_t *secret;
			size_t slen = PGENC_DEMO_SECRET_PAGES * PGENC_PAGE_SIZE;

			secret = malloc(slen);
			if (!secret)
				return PGENC_EXIT_FAILED;
			vmm_demo_secret(secret, PGENC_DEMO_SECRET_PAGES);
			r = vmm_put(vm, PGENC_DEMO_SECRET_GPA, secret, slen,
				    "measured data");
			free(secret);
			if (r)
				return PGENC_EXIT_FAILED;
			vm->data_gpa = PGENC_DEMO_SECRET_GPA;
			vm->data_len = slen;
		}
		vmm_log("demo guest at 0x%" PRIx64, vm->entry);
		return PGENC_EXIT_OK;
	}

	r = vmm_load_file(o->image, &data, &len);
	if (r) {
		vmm_err("--image %s: %s", o->image, strerror(-r));
		return PGENC_EXIT_FAILED;
	}
	r = vmm_load_image(vm, data, len, o->image_at_set, o->image_gpa,
			   o->image);
	if (r) {
		free(data);
		return PGENC_EXIT_FAILED;
	}
	if (o->entry_set)
		vm->entry = o->entry;
	if (len >= 4 && !memcmp(data, "\177ELF", 4))
		vmm_log("image %s: ELF, entry 0x%" PRIx64, o->image, vm->entry);
	else
		vmm_log("image %s: flat, %zu bytes at 0x%" PRIx64
			", entry 0x%" PRIx64,
			o->image, len,
			o->image_at_set ? o->image_gpa :
					  (uint64_t)PGENC_IMAGE_GPA,
			vm->entry);
	free(data);

	if (!o->sev_data)
		return PGENC_EXIT_OK;
	gpa = o->sev_data_at_set ? o->sev_data_gpa : PGENC_DEMO_SECRET_GPA;
	r = vmm_load_file(o->sev_data, &data, &len);
	if (r) {
		vmm_err("--sev-data %s: %s", o->sev_data, strerror(-r));
		return PGENC_EXIT_FAILED;
	}
	if (gpa % PGENC_PAGE_SIZE || gpa < PGENC_IMAGE_MIN || !len) {
		vmm_err("--sev-data %s: want a non-empty file at a page-aligned GPA of 1 MiB or more",
			o->sev_data);
		r = -EINVAL;
	} else {
		uint64_t padded = (len + PGENC_PAGE_SIZE - 1) &
				  ~(PGENC_PAGE_SIZE - 1);

		r = vmm_put(vm, gpa, NULL, padded, "measured data");
		if (r)
			vmm_err("--sev-data %s at 0x%" PRIx64 ": %s",
				o->sev_data, gpa,
				r == -ERANGE ? "outside guest memory" :
					       "overlaps another region");
		else
			memcpy(vm->mem + gpa, data, len);
		vm->data_gpa = gpa;
		vm->data_len = padded;
	}
	free(data);
	return r ? PGENC_EXIT_FAILED : PGENC_EXIT_OK;
}

int vmm_create_vcpus(struct vmm *vm)
{
	struct kvm_cpuid2 *cpuid;
	unsigned int i;
	int mmap_size, r;

	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	cpuid = vmm_supported_cpuid(vm->kvm_fd);
	if (mmap_size <= 0 || !cpuid) {
		vmm_err("KVM_GET_VCPU_MMAP_SIZE / KVM_GET_SUPPORTED_CPUID failed");
		free(cpuid);
		return PGENC_EXIT_FAILED;
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->index = i;
		v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0) {
			vmm_err("KVM_CREATE_VCPU %u: %s", i, strerror(errno));
			free(cpuid);
			return PGENC_EXIT_FAILED;
		}
		v->run_size = (size_t)mmap_size;
		v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			vmm_err("mmap of vCPU %u: %s", i, strerror(errno));
			free(cpuid);
			return PGENC_EXIT_FAILED;
		}
		r = vmm_setup_vcpu(vm, v, cpuid);
		if (r) {
			vmm_err("vCPU %u registers: %s", i, strerror(-r));
			free(cpuid);
			return PGENC_EXIT_FAILED;
		}
	}
	free(cpuid);
	return PGENC_EXIT_OK;
}

int vmm_create(struct vmm *vm, const struct vmm_run_opts *o)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXIT_HYPERCALL };
	int r;

	r = open_kvm(vm, o->trace);
	if (r)
		return r;
	vm->vcpus = calloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return PGENC_EXIT_FAILED;

	/* Tracking: SEV_INIT turns it on; other VMs ask for it. */
	if (o->sev) {
		r = vmm_sev_init(vm, &o->so);
		if (r)
			return r;
	} else {
		r = pgenc_vm_enable(vm->vm_fd);
		if (r) {
			vmm_err("KVM_ENABLE_CAP(KVM_CAP_PAGE_ENC_BITMAP): %s",
				pgenc_strerror(r));
			return r == -EINVAL ? PGENC_EXIT_UNSUPPORTED :
					      PGENC_EXIT_FAILED;
		}
	}
	if (o->trace) {
		cap.args[0] = 1ULL << KVM_HC_PAGE_ENC_STATUS;
		if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap)) {
			vmm_err("KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL): %s",
				strerror(errno));
			return PGENC_EXIT_FAILED;
		}
	}
	return setup_memory(vm);
}

static int setup(struct vmm *vm, const struct vmm_run_opts *o)
{
	uint64_t flags = 0;
	int r;

	vm->mem_size = o->mem;
	vm->nr_vcpus = o->vcpus;
	r = vmm_create(vm, o);
	if (r)
		return r;
	if (vm->sev)
		flags |= PGENC_BOOT_SEV;
	if (vm->sevsim)
		flags |= PGENC_BOOT_SEVSIM;
	r = load_guest(vm, o);
	if (r)
		return r;
	r = vmm_setup_boot(vm, flags);
	if (r) {
		vmm_err("boot page tables and info: %s", strerror(-r));
		return PGENC_EXIT_FAILED;
	}
	r = vmm_create_vcpus(vm);
	if (r)
		return r;
	vmm_log("VM: %" PRIu64
		" MiB, %u vCPU(s), %s guest, page tracking on (%" PRIu64
		" pages)%s",
		vm->mem_size >> 20, vm->nr_vcpus, vm->sev ? "SEV" : "plain",
		vmm_pages(vm), o->trace ? ", hypercall 12 exits traced" : "");
	if (o->sev) {
		r = vmm_sev_launch(vm, &o->so);
		if (r)
			return r;
	}
	return PGENC_EXIT_OK;
}

/* Wait until the VM is over: quit, or (without --ctl) no vCPU runs. */
static void wait_vm(struct vmm *vm, bool ctl)
{
	pthread_mutex_lock(&vm->lock);
	while (!vm->quit && (ctl || vm->running))
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
}

int vmm_run(struct vmm *vm, const struct vmm_run_opts *o)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	pthread_condattr_t ca;
	pthread_t sig_thread;
	sigset_t set;
	unsigned int i;
	int r;

	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->dump_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &ca);
	pthread_condattr_destroy(&ca);
	vm->kvm_fd = vm->vm_fd = vm->sev_fd = vm->ctl_fd = vm->mig_fd = -1;

	/* Signals: SIGUSR1 kicks a vCPU; the others mean quit. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&sig_thread, NULL, signal_thread, vm))
		return PGENC_EXIT_FAILED;
	pthread_detach(sig_thread);

	r = o->incoming ? vmm_incoming(vm, o) : setup(vm, o);
	if (r)
		return r;
	if (o->ctl) {
		r = vmm_ctl_start(vm, o->ctl);
		if (r)
			return PGENC_EXIT_FAILED;
		vmm_log("control socket: %s", o->ctl);
	}

	pthread_mutex_lock(&vm->lock);
	vm->state = VMM_RUNNING;
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].restored_halted) {
			vm->vcpus[i].end = VMM_HALTED;
			continue;
		}
		if (pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread,
				   &vm->vcpus[i])) {
			vmm_err("cannot start vCPU %u's thread", i);
			vm->state = VMM_ERROR;
			break;
		}
		vm->vcpus[i].started = true;
		vm->running++;
	}
	if (!vm->running && vm->state == VMM_RUNNING)
		vm->state = VMM_HALTED; /* every vCPU had halted (incoming) */
	pthread_mutex_unlock(&vm->lock);
	if (i < vm->nr_vcpus)
		vmm_stop_vcpus(vm);
	if (o->incoming)
		vmm_incoming_ack(vm);

	wait_vm(vm, o->ctl != NULL);
	vmm_stop_vcpus(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
	if (o->ctl)
		vmm_ctl_stop(vm);

	if (vm->quit_signal)
		vmm_log("%s received: stopped (guest %s)",
			strsignal(vm->quit_signal), vmm_state_name(vm->state));
	else
		vmm_log("exit: guest %s", vmm_state_name(vm->state));
	switch (vm->state) {
	case VMM_HALTED:
		return PGENC_EXIT_OK;
	case VMM_STOPPED:
		return vm->quit_signal ? PGENC_EXIT_FAILED : PGENC_EXIT_OK;
	default:
		return PGENC_EXIT_FAILED;
	}
}
