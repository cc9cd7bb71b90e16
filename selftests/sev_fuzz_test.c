// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_fuzz_test: random SEV command order and parameters against sevsim,
 * checked against a model of the guest state machine. A command that
 * fails must leave GUEST_STATUS as it was; a launch command in the wrong
 * state must fail with INVALID_GUEST_STATE; DBG of launched data always
 * gives back what was loaded; the platform's guest count follows the VMs.
 * PGENC_FUZZ_SEED / PGENC_FUZZ_ITERS make a run reproducible.
 */
#define _GNU_SOURCE
#include <time.h>

#include "pgenc_fuzz.h"
#include "sev_util.h"

#define DATA_PAGES 4ULL
#define NR_VMS 3

static void guest_code(void)
{
	GUEST_DONE();
}

struct fvm {
	struct sev_vm s;
	int state; /* 0: no guest yet, else SEV_GSTATE_* */
	uint32_t policy;
	uint8_t plain[DATA_PAGES * PGENC_PAGE];
	bool loaded[DATA_PAGES]; /* went through LAUNCH_UPDATE_DATA */
	bool plain_page[DATA_PAGES]; /* ... as one whole page */
};

static void vm_new(struct fvm *v, int sev_fd)
{
	uint32_t fw = 0;

	memset(v, 0, sizeof(*v));
	TEST_ASSERT(!sev_vm_create(&v->s, sev_fd, false, guest_code, DATA_PAGES,
				   &fw),
		    "KVM_SEV_INIT: fw %u", fw);
	sev_fill_pattern(v->s.data, DATA_PAGES);
	memcpy(v->plain, v->s.data, sizeof(v->plain));
}

/* Check a command's outcome against the model's expected status. */
static void expect(int r, uint32_t fw, int want_r, uint32_t want_fw,
		   const char *what, int state)
{
	TEST_ASSERT(r == want_r && (want_r != -EIO || fw == want_fw),
		    "%s in state %d: %d (fw %u), model wants %d (fw %u)", what,
		    state, r, fw, want_r, want_fw);
}

/* The model's verdict for a launch command that needs state need. */
static int launch_verdict(int state, int need, uint32_t *want_fw)
{
	if (!state)
		return -EBADF; /* KVM has no firmware fd before START */
	if (state != need) {
		*want_fw = SEV_RET_INVALID_GUEST_STATE;
		return -EIO;
	}
	return 0;
}

/*
 * One random command on v, checked against the model; a refused one
 * must leave GUEST_STATUS unchanged. Returns whether it was accepted.
 */
static bool step(struct fvm *v)
{
	uint8_t blob[48], out[PGENC_PAGE];
	uint32_t fw = 0, want_fw = 0, len = 48;
	uint64_t page = rnd() % DATA_PAGES;
	int r, want, before = v->state;
	const char *what;

	switch (rnd() % 5) {
	case 0: {
		uint32_t policy = rnd() % 3 ? 0 : (uint32_t)rnd() & 0x030001;

		what = "LAUNCH_START";
		r = sev_launch_start(&v->s, policy, 0, &fw);
		/* The firmware checks the policy before making a guest. */
		want = v->state || policy >> 16 ? -EIO : 0;
		want_fw = policy >> 16 ? SEV_RET_POLICY_FAILURE :
					 SEV_RET_ASID_OWNED;
		if (!want) {
			v->state = SEV_GSTATE_LUPDATE;
			v->policy = policy;
		}
		break;
	}
	case 1: {
		uint64_t off = page * PGENC_PAGE + (rnd() % 3 ? 0 : rnd() % 32);
		uint64_t n = rnd() % 3 ? PGENC_PAGE - off % PGENC_PAGE :
					 1 + rnd() % 100;

		what = "LAUNCH_UPDATE_DATA";
		if (v->loaded[page])
			return false; /* never encrypt ciphertext again */
		want = launch_verdict(v->state, SEV_GSTATE_LUPDATE, &want_fw);
		if (!want && (off % 16 || n % 16)) {
			want = -EIO;
			want_fw = off % 16 ? SEV_RET_INVALID_ADDRESS :
					     SEV_RET_INVALID_LEN;
		}
		r = sev_launch_update(&v->s, off, n, &fw);
		if (!want && n != PGENC_PAGE) {
			/* A partly loaded page has no simple model: skip it. */
			expect(r, fw, want, want_fw, what, before);
			v->loaded[page] = true;
			return true;
		}
		if (!want)
			v->loaded[page] = v->plain_page[page] = true;
		break;
	}
	case 2:
		what = "LAUNCH_MEASURE";
		want = launch_verdict(v->state, SEV_GSTATE_LUPDATE, &want_fw);
		if (rnd() % 4) {
			r = sev_launch_measure(&v->s, blob, &len, &fw);
		} else {
			len = 0;
			r = sev_launch_measure(&v->s, NULL, &len, &fw);
			if (!want) {
				want = -EIO;
				want_fw = SEV_RET_INVALID_LEN;
			}
		}
		if (!want)
			v->state = SEV_GSTATE_LSECRET;
		break;
	case 3:
		what = "LAUNCH_FINISH";
		want = launch_verdict(v->state, SEV_GSTATE_LSECRET, &want_fw);
		r = sev_cmd(&v->s, KVM_SEV_LAUNCH_FINISH, NULL, &fw);
		if (!want)
			v->state = SEV_GSTATE_RUNNING;
		break;
	default:
		what = "DBG_DECRYPT";
		want = v->state ? 0 : -EBADF;
		if (v->state && (v->policy & SEV_POLICY_NODBG)) {
			want = -EIO;
			want_fw = SEV_RET_POLICY_FAILURE;
		}
		r = sev_dbg(&v->s, true, v->s.data + page * PGENC_PAGE, out,
			    PGENC_PAGE, &fw);
		if (!r && v->loaded[page] && v->plain_page[page])
			TEST_ASSERT(!memcmp(out, v->plain + page * PGENC_PAGE,
					    PGENC_PAGE),
				    "DBG_DECRYPT of launched page %lu", page);
		break;
	}
	expect(r, fw, want, want_fw, what, before);
	if (v->state)
		TEST_ASSERT(sev_guest_state(&v->s, &fw) == v->state,
			    "%s: GUEST_STATUS differs from the model (%d)",
			    what, v->state);
	return !r;
}

int main(void)
{
	uint64_t iters, it, accepted = 0, rejected = 0, recycled = 0;
	struct fvm vms[NR_VMS];
	int sev_fd, i;

	ksft_print_header();
	pgenc_require();
	sev_fd = sevsim_fd();
	iters = pgenc_fuzz_init(600);
	ksft_set_plan(2);

	for (i = 0; i < NR_VMS; i++)
		vm_new(&vms[i], sev_fd);
	for (it = 0; it < iters; it++) {
		struct fvm *v = &vms[rnd() % NR_VMS];

		if (step(v))
			accepted++;
		else
			rejected++;
		if (rnd() % 50 == 0) {
			sev_vm_free(&v->s);
			vm_new(v, sev_fd);
			recycled++;
		}
	}
	ksft_test_result(accepted && rejected,
			 "%lu random SEV commands on %d VMs: %lu accepted, %lu refused as the model said, %lu VMs recycled\n",
			 iters, NR_VMS, accepted, rejected, recycled);
	pgenc_figure("calls_fuzzed", iters);
	for (i = 0; i < NR_VMS; i++)
		sev_vm_free(&vms[i].s);
	ksft_test_result(sevsim_guest_count(sev_fd) == 0,
			 "every guest decommissioned with its VM\n");
	ksft_finished();
}
