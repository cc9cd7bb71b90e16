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

int vmm_sev_launch(struct vmm *vm, const struct vmm_sev_opts *o)
{
	struct launch_range ranges[VMM_MAX_REGIONS];
	struct pgenc_sev_platform_status ps;
	struct pgenc_sev_guest_status gs;
	uint8_t blob[PGENC_SEV_MEASURE_BLOB_SIZE];
	uint8_t digest[PGENC_SEV_DIGEST_SIZE], tik[16];
	char b64[128], where[4096];
	struct pgenc_sev_digest *d = NULL;
	unsigned int i, n;
	int fw = 0, r;

	r = pgenc_sev_platform_status(vm->sev_fd, &ps, &fw);
	if (r) {
		vmm_err("SEV_PLATFORM_STATUS: %s (firmware: %s)",
			pgenc_strerror(r), fw_msg(fw));
		return PGENC_EXIT_FAILED;
	}
	r = pgenc_sev_launch_start(vm->vm_fd, vm->sev_fd, o->policy,
				   &vm->sev_handle, &fw);
	if (r) {
		vmm_err("LAUNCH_START (policy 0x%x): %s (firmware: %s)",
			o->policy, pgenc_strerror(r), fw_msg(fw));
		return PGENC_EXIT_FAILED;
	}
	vm->sev_policy = o->policy;
	vmm_log("LAUNCH_START: handle %u, policy 0x%x, firmware API %u.%u build %u",
		vm->sev_handle, o->policy, ps.api_major, ps.api_minor,
		ps.build);
	if (o->verify && read_tik(vm, o, tik, where, sizeof(where)))
		return PGENC_EXIT_FAILED;

	r = pgenc_sev_digest_new(&d);
	if (r) {
		vmm_err("launch digest: %s", pgenc_strerror(r));
		return PGENC_EXIT_FAILED;
	}
	n = launch_ranges(vm, ranges);
	for (i = 0; i < n; i++) {
		void *p = vm->mem + ranges[i].gpa;

		/* The digest is over the plaintext: take it first. */
		r = pgenc_sev_digest_update(d, p, ranges[i].len);
		if (!r)
			r = pgenc_sev_launch_update_data(vm->vm_fd, vm->sev_fd,
							 p, ranges[i].len, &fw);
		if (r) {
			vmm_err("LAUNCH_UPDATE_DATA 0x%" PRIx64 " +0x%" PRIx64
				": %s (firmware: %s)",
				ranges[i].gpa, ranges[i].len, pgenc_strerror(r),
				fw_msg(fw));
			pgenc_sev_digest_free(d);
			return PGENC_EXIT_FAILED;
		}
		vmm_log("LAUNCH_UPDATE_DATA: %" PRIu64 " bytes at 0x%" PRIx64
			" measured and now private",
			ranges[i].len, ranges[i].gpa);
	}
	r = pgenc_sev_digest_final(d, digest);
	pgenc_sev_digest_free(d);
	if (r) {
		vmm_err("launch digest: %s", pgenc_strerror(r));
		return PGENC_EXIT_FAILED;
	}

	r = pgenc_sev_launch_measure(vm->vm_fd, vm->sev_fd, blob, &fw);
	if (r) {
		vmm_err("LAUNCH_MEASURE: %s (firmware: %s)", pgenc_strerror(r),
			fw_msg(fw));
		return PGENC_EXIT_FAILED;
	}
	ctl_b64_encode(blob, sizeof(blob), b64);
	vmm_log("LAUNCH_MEASURE: measurement+mnonce (base64): %s", b64);
	if (o->verify) {
		r = pgenc_sev_verify(tik, ps.api_major, ps.api_minor, ps.build,
				     o->policy, digest, blob);
		if (r == -EKEYREJECTED) {
			vmm_err("measurement MISMATCH: the guest was not launched with the expected contents (or the TIK from %s is wrong)",
				where);
			return PGENC_EXIT_FAILED;
		}
		if (r) {
			vmm_err("measurement check: %s", pgenc_strerror(r));
			return PGENC_EXIT_FAILED;
		}
		vmm_log("measurement verified: HMAC-SHA256(TIK from %s) over the launch digest matches",
			where);
	}
	r = pgenc_sev_launch_finish(vm->vm_fd, vm->sev_fd, &fw);
	if (r) {
		vmm_err("LAUNCH_FINISH: %s (firmware: %s)", pgenc_strerror(r),
			fw_msg(fw));
		return PGENC_EXIT_FAILED;
	}
	if (!pgenc_sev_guest_status(vm->vm_fd, vm->sev_fd, &gs, &fw))
		vmm_log("LAUNCH_FINISH: guest state %s",
			pgenc_sev_guest_state_name(gs.state));
	return PGENC_EXIT_OK;
}
