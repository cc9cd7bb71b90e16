// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The SEV launch sequence in one call, on top of the command wrappers of
 * sev_cmd.c: START, UPDATE_DATA..., [UPDATE_VMSA], MEASURE, [verify],
 * FINISH, stopping at the first failure and saying where.
 */
#include "internal.h"

#include <linux/psp-sev.h>
#include <openssl/crypto.h>

const char *pgenc_sev_launch_step_name(enum pgenc_sev_launch_step step)
{
	static const char *const names[] = {
		[PGENC_SEV_STEP_NONE] = "none",
		[PGENC_SEV_STEP_ARGS] = "arguments",
		[PGENC_SEV_STEP_PLATFORM_STATUS] = "SEV_PLATFORM_STATUS",
		[PGENC_SEV_STEP_START] = "LAUNCH_START",
		[PGENC_SEV_STEP_TIK] = "TIK",
		[PGENC_SEV_STEP_DIGEST] = "launch digest",
		[PGENC_SEV_STEP_UPDATE_DATA] = "LAUNCH_UPDATE_DATA",
		[PGENC_SEV_STEP_UPDATE_VMSA] = "LAUNCH_UPDATE_VMSA",
		[PGENC_SEV_STEP_MEASURE] = "LAUNCH_MEASURE",
		[PGENC_SEV_STEP_VERIFY] = "measurement check",
		[PGENC_SEV_STEP_FINISH] = "LAUNCH_FINISH",
	};

	if ((unsigned int)step < sizeof(names) / sizeof(names[0]) &&
	    names[step])
		return names[step];
	return "unknown step";
}

/* Record a failure; returns err so that callers can `return fail(...)`. */
static int fail(struct pgenc_sev_launch_result *res,
		enum pgenc_sev_launch_step step, size_t index, int err, int fw)
{
	res->failed_step = step;
	res->failed_index = index;
	res->error = err;
	res->fw_error = fw;
	return err;
}

static void done(const struct pgenc_sev_launch_params *p,
		 enum pgenc_sev_launch_step step, size_t index,
		 const struct pgenc_sev_launch_result *res)
{
	if (p->progress)
		p->progress(p->opaque, step, index, res);
}

static bool params_ok(const struct pgenc_sev_launch_params *p)
{
	size_t i;

	if ((!p->regions && p->nr_regions) || (!p->dh_cert && p->dh_len) ||
	    (!p->session && p->session_len))
		return false;
	for (i = 0; i < p->nr_regions; i++)
		if (!p->regions[i].addr || !p->regions[i].len)
			return false;
	if (!p->verify)
		return true;
	/* The VMSAs' plaintext is the kernel's: the caller must know LD. */
	if (p->update_vmsa && !p->expected_digest)
		return false;
	return p->tik || p->get_tik;
}

/* The steps after LAUNCH_START; d and tik are the caller's to free. */
static int launch_rest(int vmfd, int sev_fd,
		       const struct pgenc_sev_launch_params *p,
		       const struct pgenc_sev_platform_status *ps,
		       struct pgenc_sev_digest *d, uint8_t *tik,
		       struct pgenc_sev_launch_result *res)
{
	const uint8_t *ld;
	size_t i;
	int fw = SEV_RET_NO_FW_CALL, r;

	if (p->verify && !p->tik) {
		r = p->get_tik(p->opaque, res->handle, tik);
		if (r)
			return fail(res, PGENC_SEV_STEP_TIK, 0,
				    r < 0 ? r : -EINVAL, SEV_RET_NO_FW_CALL);
	}
	for (i = 0; i < p->nr_regions; i++) {
		const struct pgenc_sev_region *rg = &p->regions[i];

		/* The digest is over the plaintext: take it first. */
		r = pgenc_sev_digest_update(d, rg->addr, rg->len);
		if (r)
			return fail(res, PGENC_SEV_STEP_DIGEST, i, r,
				    SEV_RET_NO_FW_CALL);
		fw = SEV_RET_NO_FW_CALL;
		r = pgenc_sev_launch_update_data(vmfd, sev_fd, rg->addr,
						 rg->len, &fw);
		if (r)
			return fail(res, PGENC_SEV_STEP_UPDATE_DATA, i, r, fw);
		done(p, PGENC_SEV_STEP_UPDATE_DATA, i, res);
	}
	r = pgenc_sev_digest_final(d, res->digest);
	if (r)
		return fail(res, PGENC_SEV_STEP_DIGEST, 0, r,
			    SEV_RET_NO_FW_CALL);
	if (p->update_vmsa) {
		fw = SEV_RET_NO_FW_CALL;
		r = pgenc_sev_launch_update_vmsa(vmfd, sev_fd, &fw);
		if (r)
			return fail(res, PGENC_SEV_STEP_UPDATE_VMSA, 0, r, fw);
		done(p, PGENC_SEV_STEP_UPDATE_VMSA, 0, res);
	}
	fw = SEV_RET_NO_FW_CALL;
	r = pgenc_sev_launch_measure(vmfd, sev_fd, res->blob, &fw);
	if (r)
		return fail(res, PGENC_SEV_STEP_MEASURE, 0, r, fw);
	done(p, PGENC_SEV_STEP_MEASURE, 0, res);
	if (p->verify) {
		ld = p->expected_digest ? p->expected_digest : res->digest;
		r = pgenc_sev_verify(p->tik ? p->tik : tik, ps->api_major,
				     ps->api_minor, ps->build, p->policy, ld,
				     res->blob);
		if (r)
			return fail(res, PGENC_SEV_STEP_VERIFY, 0, r,
				    SEV_RET_NO_FW_CALL);
		res->verified = true;
		done(p, PGENC_SEV_STEP_VERIFY, 0, res);
	}
	fw = SEV_RET_NO_FW_CALL;
	r = pgenc_sev_launch_finish(vmfd, sev_fd, &fw);
	if (r)
		return fail(res, PGENC_SEV_STEP_FINISH, 0, r, fw);
	res->fw_error = fw;
	done(p, PGENC_SEV_STEP_FINISH, 0, res);
	return 0;
}

int pgenc_sev_launch(int vmfd, int sev_fd,
		     const struct pgenc_sev_launch_params *p,
		     struct pgenc_sev_launch_result *res)
{
	struct pgenc_sev_platform_status ps;
	struct pgenc_sev_digest *d = NULL;
	uint8_t tik[PGENC_SEV_TIK_SIZE];
	int fw = SEV_RET_NO_FW_CALL, r;

	if (!res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	res->fw_error = SEV_RET_NO_FW_CALL;
	if (!p || !params_ok(p))
		return fail(res, PGENC_SEV_STEP_ARGS, 0, -EINVAL,
			    SEV_RET_NO_FW_CALL);
	memset(&ps, 0, sizeof(ps));
	if (p->verify && p->platform) {
		ps = *p->platform;
	} else if (p->verify) {
		r = pgenc_sev_platform_status(sev_fd, &ps, &fw);
		if (r)
			return fail(res, PGENC_SEV_STEP_PLATFORM_STATUS, 0, r,
				    fw);
	}
	/* Before LAUNCH_START, so that a failure here issues nothing. */
	r = pgenc_sev_digest_new(&d);
	if (r)
		return fail(res, PGENC_SEV_STEP_DIGEST, 0, r,
			    SEV_RET_NO_FW_CALL);
	res->handle = p->handle;
	fw = SEV_RET_NO_FW_CALL;
	r = pgenc_sev_launch_start_ex(vmfd, sev_fd, p->policy, p->dh_cert,
				      p->dh_len, p->session, p->session_len,
				      &res->handle, &fw);
	if (r) {
		res->handle = 0;
		r = fail(res, PGENC_SEV_STEP_START, 0, r, fw);
	} else {
		done(p, PGENC_SEV_STEP_START, 0, res);
		r = launch_rest(vmfd, sev_fd, p, &ps, d, tik, res);
	}
	pgenc_sev_digest_free(d);
	OPENSSL_cleanse(tik, sizeof(tik));
	return r;
}
