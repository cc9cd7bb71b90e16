// SPDX-License-Identifier: GPL-2.0
/*
 * `pgenc run --sev`: the SEV launch, through libpgenc.
 *
 * Under sevsim (kvm_amd sevsim=1) a guest runs unencrypted while
 * LAUNCH_UPDATE_DATA turns memory into ciphertext, so only the measured
 * data region is launched: the code, page tables and boot info stay
 * plaintext and the guest can run them. On SEV hardware every region the
 * VMM wrote is launched (whole pages, in ascending order) and the page
 * tables carry the C-bit: that path follows the SEV API but has not been
 * run on hardware.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/psp-sev.h>
#include <linux/sevsim.h>
#include <pgenc/pgenc.h>

#include "commands.h"
#include "ctl_proto.h"
#include "vmm.h"

#define SEV_DEVICE "/dev/sev"

int vmm_parse_tik(const char *s, uint8_t tik[16])
{
	unsigned int i = 0;
	int hi, lo;

	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (i = 0; i < 16; i++) {
		hi = isxdigit((unsigned char)s[0]) ? s[0] : -1;
		lo = hi >= 0 && isxdigit((unsigned char)s[1]) ? s[1] : -1;
		if (lo < 0)
			return -EINVAL;
		hi = isdigit(hi) ? hi - '0' : tolower(hi) - 'a' + 10;
		lo = isdigit(lo) ? lo - '0' : tolower(lo) - 'a' + 10;
		tik[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	while (isspace((unsigned char)*s))
		s++;
	return *s ? -EINVAL : 0;
}

static bool sevsim_active(void)
{
	FILE *f = fopen("/sys/module/kvm_amd/parameters/sevsim", "re");
	int c = 'N';

	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return c == 'Y';
}

/* The C-bit position of this CPU (CPUID 0x8000001f), or 0. */
static unsigned int host_cbit(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x8000001f)
		return 0;
	__cpuid(0x8000001f, a, b, c, d);
	return (a & 2) ? (b & 0x3f) : 0;
}

static const char *fw_msg(int fw)
{
	return fw ? pgenc_sev_fw_strerror(fw) : "no firmware error";
}

int vmm_sev_init(struct vmm *vm, const struct vmm_sev_opts *o)
{
	bool sim = sevsim_active();
	const char *path = o->device;
	int fw = 0, r;

	if (!path) {
		if (!sim && !access(SEV_DEVICE, F_OK))
			path = SEV_DEVICE;
		else if (!access(SEVSIM_DEVICE, F_OK))
			path = SEVSIM_DEVICE;
	}
	if (!path) {
		vmm_err("no SEV device: neither %s nor %s exists (kvm_amd sev=1 on SEV hardware, or sevsim=1 for the simulator)",
			SEV_DEVICE, SEVSIM_DEVICE);
		return PGENC_EXIT_UNSUPPORTED;
	}
	vm->sev_fd = open(path, O_RDWR | O_CLOEXEC);
	if (vm->sev_fd < 0) {
		r = errno;
		vmm_err("cannot open %s: %s", path, strerror(r));
		return r == ENOENT || r == ENXIO || r == ENODEV ?
			       PGENC_EXIT_UNSUPPORTED :
			       PGENC_EXIT_FAILED;
	}
	vm->sevsim = sim;
	r = pgenc_sev_init(vm->vm_fd, vm->sev_fd, false, &fw);
	if (r == -ENOTTY) {
		vmm_err("KVM_SEV_INIT: this KVM has no SEV support (kvm_amd sev=0, or no SEV on this CPU)");
		return PGENC_EXIT_UNSUPPORTED;
	}
	if (r) {
		vmm_err("KVM_SEV_INIT with %s: %s (firmware: %s)", path,
			pgenc_strerror(r), fw_msg(fw));
		return PGENC_EXIT_FAILED;
	}
	vm->sev = true;
	vm->cbit = sim ? 0 : host_cbit();
	if (sim)
		vmm_log("SEV via %s: sevsim, the SIMULATED firmware: guest memory is NOT encrypted",
			path);
	else
		vmm_log("SEV via %s (C-bit %u)", path, vm->cbit);
	return PGENC_EXIT_OK;
}

static int read_tik(const struct vmm *vm, const struct vmm_sev_opts *o,
		    uint8_t tik[16], char *where, size_t where_len)
{
	char path[4096], buf[256];
	const char *s = o->tik_file;
	size_t n = 0;
	FILE *f;

	if (o->have_tik) {
		memcpy(tik, o->tik, 16);
		snprintf(where, where_len, "--tik");
		return 0;
	}
	/* "%h": the firmware handle, which names sevsim's debugfs directory. */
	while (*s && n + 12 < sizeof(path)) {
		if (s[0] == '%' && s[1] == 'h') {
			n += (size_t)snprintf(path + n, sizeof(path) - n, "%u",
					      vm->sev_handle);
			s += 2;
		} else if (s[0] == '%' && s[1] == '%') {
			path[n++] = '%';
			s += 2;
		} else {
			path[n++] = *s++;
		}
	}
	path[n] = '\0';
	snprintf(where, where_len, "%s", path);
	f = fopen(path, "re");
	if (!f) {
		int e = errno;

		vmm_err("--tik-file %s: %s", path, strerror(e));
		return -e;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (vmm_parse_tik(buf, tik)) {
		vmm_err("--tik-file %s: not 32 hex digits", path);
		return -EINVAL;
	}
	return 0;
}

struct launch_range {
	uint64_t gpa, len;
};

static int cmp_range(const void *a, const void *b)
{
	const struct launch_range *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

/*
 * What LAUNCH_UPDATE_DATA gets, in order: under sevsim the data region
 * only; on hardware every region, rounded out to whole pages, merged.
 */
static unsigned int launch_ranges(const struct vmm *vm,
				  struct launch_range *out)
{
	unsigned int i, n = 0, m = 0;

	for (i = 0; i < vm->nr_regions; i++) {
		const struct vmm_region *r = &vm->regions[i];
		uint64_t start = r->gpa & ~(PGENC_PAGE_SIZE - 1);
		uint64_t end = (r->gpa + r->len + PGENC_PAGE_SIZE - 1) &
			       ~(PGENC_PAGE_SIZE - 1);

		if (vm->sevsim && !(vm->data_len && r->gpa == vm->data_gpa))
			continue;
		out[n].gpa = start;
		out[n].len = end - start;
		n++;
	}
	qsort(out, n, sizeof(*out), cmp_range);
	for (i = 0; i < n; i++) {
		if (m && out[m - 1].gpa + out[m - 1].len >= out[i].gpa) {
			uint64_t end = out[i].gpa + out[i].len;

			if (end > out[m - 1].gpa + out[m - 1].len)
				out[m - 1].len = end - out[m - 1].gpa;
			continue;
		}
		out[m++] = out[i];
	}
	return m;
}

struct launch_ctx {
	struct vmm *vm;
	const struct vmm_sev_opts *o;
	const struct pgenc_sev_platform_status *ps;
	const struct launch_range *ranges;
	char where[4096]; /* where the TIK came from */
};

static int launch_tik(void *opaque, uint32_t handle, uint8_t *tik)
{
	struct launch_ctx *c = opaque;

	(void)handle; /* already in vm->sev_handle, for "%h" */
	return read_tik(c->vm, c->o, tik, c->where, sizeof(c->where));
}

/* libpgenc calls this after each launch step that succeeded. */
static void launch_progress(void *opaque, enum pgenc_sev_launch_step step,
			    size_t i, const struct pgenc_sev_launch_result *res)
{
	struct launch_ctx *c = opaque;
	char b64[128];

	switch (step) {
	case PGENC_SEV_STEP_START:
		c->vm->sev_handle = res->handle;
		c->vm->sev_policy = c->o->policy;
		vmm_log("LAUNCH_START: handle %u, policy 0x%x, firmware API %u.%u build %u",
			res->handle, c->o->policy, c->ps->api_major,
			c->ps->api_minor, c->ps->build);
		break;
	case PGENC_SEV_STEP_UPDATE_DATA:
		vmm_log("LAUNCH_UPDATE_DATA: %" PRIu64 " bytes at 0x%" PRIx64
			" measured and now private",
			c->ranges[i].len, c->ranges[i].gpa);
		break;
	case PGENC_SEV_STEP_MEASURE:
		ctl_b64_encode(res->blob, sizeof(res->blob), b64);
		vmm_log("LAUNCH_MEASURE: measurement+mnonce (base64): %s", b64);
		break;
	case PGENC_SEV_STEP_VERIFY:
		vmm_log("measurement verified: HMAC-SHA256(TIK from %s) over the launch digest matches",
			c->where);
		break;
	default:
		break;
	}
}

/* The message of a failed launch step (read_tik() printed its own). */
static void launch_error(const struct launch_ctx *c,
			 const struct pgenc_sev_launch_result *res)
{
	const char *err = pgenc_strerror(res->error);
	const char *fw = fw_msg(res->fw_error);
	const struct launch_range *rg = &c->ranges[res->failed_index];

	switch (res->failed_step) {
	case PGENC_SEV_STEP_TIK:
		break;
	case PGENC_SEV_STEP_START:
		vmm_err("LAUNCH_START (policy 0x%x): %s (firmware: %s)",
			c->o->policy, err, fw);
		break;
	case PGENC_SEV_STEP_UPDATE_DATA:
		vmm_err("LAUNCH_UPDATE_DATA 0x%" PRIx64 " +0x%" PRIx64
			": %s (firmware: %s)",
			rg->gpa, rg->len, err, fw);
		break;
	case PGENC_SEV_STEP_VERIFY:
		if (res->error == -EKEYREJECTED)
			vmm_err("measurement MISMATCH: the guest was not launched with the expected contents (or the TIK from %s is wrong)",
				c->where);
		else
			vmm_err("measurement check: %s", err);
		break;
	case PGENC_SEV_STEP_DIGEST:
		vmm_err("launch digest: %s", err);
		break;
	default:
		vmm_err("%s: %s (firmware: %s)",
			pgenc_sev_launch_step_name(res->failed_step), err, fw);
		break;
	}
}

int vmm_sev_launch(struct vmm *vm, const struct vmm_sev_opts *o)
{
	struct launch_range ranges[VMM_MAX_REGIONS];
	struct pgenc_sev_region regions[VMM_MAX_REGIONS];
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	struct pgenc_sev_platform_status ps;
	struct pgenc_sev_guest_status gs;
	struct launch_ctx c = { .vm = vm, .o = o, .ps = &ps, .ranges = ranges };
	unsigned int i, n;
	int fw = 0, r;

	r = pgenc_sev_platform_status(vm->sev_fd, &ps, &fw);
	if (r) {
		vmm_err("SEV_PLATFORM_STATUS: %s (firmware: %s)",
			pgenc_strerror(r), fw_msg(fw));
		return PGENC_EXIT_FAILED;
	}
	n = launch_ranges(vm, ranges);
	for (i = 0; i < n; i++) {
		regions[i].addr = vm->mem + ranges[i].gpa;
		regions[i].len = ranges[i].len;
	}
	memset(&p, 0, sizeof(p));
	p.policy = o->policy;
	p.regions = regions;
	p.nr_regions = n;
	p.verify = o->verify;
	p.get_tik = launch_tik;
	p.platform = &ps;
	p.progress = launch_progress;
	p.opaque = &c;
	if (pgenc_sev_launch(vm->vm_fd, vm->sev_fd, &p, &res)) {
		launch_error(&c, &res);
		return PGENC_EXIT_FAILED;
	}
	if (!pgenc_sev_guest_status(vm->vm_fd, vm->sev_fd, &gs, &fw))
		vmm_log("LAUNCH_FINISH: guest state %s",
			pgenc_sev_guest_state_name(gs.state));
	return PGENC_EXIT_OK;
}
