// SPDX-License-Identifier: GPL-2.0-only
/*
 * sevsim guest commands: lifecycle (ACTIVATE, DEACTIVATE, DECOMMISSION),
 * launch (START, UPDATE_DATA, UPDATE_VMSA, MEASURE, FINISH), GUEST_STATUS
 * and DBG_DECRYPT/ENCRYPT, with the SEV API's state checks and status
 * codes; SEND_* and RECEIVE_* are in sevsim_send.c. Every command runs
 * under sevsim_lock and changes nothing when it fails.
 */
#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "sevsim.h"

bool sevsim_memcrypt = true;
module_param(sevsim_memcrypt, bool, 0644);
MODULE_PARM_DESC(sevsim_memcrypt,
		 "sevsim: new guests' memory is XEX ciphertext for the firmware (Y) or plain (N)");

static LIST_HEAD(sevsim_guests);
static unsigned int sevsim_nr_guests;
static u32 sevsim_next_handle = 1;

/* ASID states: bound to a guest, or dirty until the next DF_FLUSH. */
static u32 *sevsim_asid_owner; /* [asid] = handle */
static unsigned long *sevsim_asid_dirty;

struct dentry *sevsim_debugfs_dir;

struct sevsim_guest *sevsim_guest_find(u32 handle)
{
	struct sevsim_guest *g;

	list_for_each_entry(g, &sevsim_guests, node)
		if (g->handle == handle)
			return g;
	return NULL;
}

unsigned int sevsim_guest_count(void)
{
	return sevsim_nr_guests;
}

int sevsim_asids_alloc(void)
{
	sevsim_asid_owner =
		kcalloc(sevsim_max_asid + 1, sizeof(u32), GFP_KERNEL);
	sevsim_asid_dirty = bitmap_zalloc(sevsim_max_asid + 1, GFP_KERNEL);
	if (!sevsim_asid_owner || !sevsim_asid_dirty) {
		sevsim_asids_free();
		return -ENOMEM;
	}
	return 0;
}

void sevsim_asids_free(void)
{
	kfree(sevsim_asid_owner);
	bitmap_free(sevsim_asid_dirty);
	sevsim_asid_owner = NULL;
	sevsim_asid_dirty = NULL;
}

/*
 * Under sevsim_lock for DECOMMISSION: debugfs_remove() waits for the
 * guest's debugfs readers, so they never take that lock, and g outlives
 * the last of them (Documentation/sevsim.rst, "Locking").
 */
static void sevsim_guest_free(struct sevsim_guest *g)
{
	debugfs_remove(g->debugfs);
	list_del(&g->node);
	sevsim_nr_guests--;
	sevsim_chan_free(g);
	sevsim_keys_free(g);
	kfree_sensitive(g);
}

/* Module exit: the platform shuts down and forgets every guest. */
void sevsim_guests_free(void)
{
	struct sevsim_guest *g, *tmp;

	list_for_each_entry_safe(g, tmp, &sevsim_guests, node)
		sevsim_guest_free(g);
}

/* For tests only: the TIK, to recompute a measurement in userspace. */
static int sevsim_tik_show(struct seq_file *m, void *unused)
{
	struct sevsim_guest *g = m->private;

	seq_printf(m, "%*phN\n", (int)sizeof(g->tik), g->tik);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sevsim_tik);

/*
 * For tests only: the TEK, which with the TIK checks a received guest's
 * transport packets in userspace (Documentation/sevsim.rst, "Migration").
 */
static int sevsim_tek_show(struct seq_file *m, void *unused)
{
	struct sevsim_guest *g = m->private;

	seq_printf(m, "%*phN\n", (int)sizeof(g->tek), g->tek);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sevsim_tek);

/*
 * For tests only: the VEK (data key, then tweak key), to recompute the
 * ciphertext of launched pages in userspace.
 */
static int sevsim_vek_show(struct seq_file *m, void *unused)
{
	struct sevsim_guest *g = m->private;

	seq_printf(m, "%*phN\n", (int)sizeof(g->vek), g->vek);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sevsim_vek);

/*
 * The launch digest, once LAUNCH_MEASURE has fixed it. No sevsim_lock,
 * which the removal of this file holds (Documentation/sevsim.rst,
 * "Locking").
 */
static int sevsim_ld_show(struct seq_file *m, void *unused)
{
	struct sevsim_guest *g = m->private;

	/*
	 * Pairs with the release in sevsim_launch_measure(): g->ld is set.
	 * A received guest was never launched: its digest stays zero.
	 */
	if (smp_load_acquire(&g->state) >= SEVSIM_GSTATE_LSECRET &&
	    memchr_inv(g->ld, 0, sizeof(g->ld)))
		seq_printf(m, "%*phN\n", (int)sizeof(g->ld), g->ld);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sevsim_ld);

/*
 * A new guest in state, with its own VEK or, with share, another guest's:
 * LAUNCH_START and RECEIVE_START (tek_tik: the transport keys received,
 * else random). Keys and memory mode are fixed before the debugfs files
 * appear (Documentation/sevsim.rst, "Locking"). Nothing is left on failure.
 */
int sevsim_guest_create(u32 share, u32 policy, enum sevsim_gstate state,
			const u8 *tek_tik, struct sevsim_guest **gp)
{
	struct sevsim_guest *g, *shared = NULL;
	char name[16];

	if (share) {
		/*
		 * With the keys of an existing guest, which its policy must
		 * allow (NOKS clear); a guest that asks for NOKS itself
		 * cannot be born sharing a key either.
		 */
		shared = sevsim_guest_find(share);
		if (!shared)
			return SEV_RET_INVALID_GUEST;
		if ((shared->policy | policy) & SEVSIM_POLICY_NOKS)
			return SEV_RET_POLICY_FAILURE;
	}
	if (!sevsim_policy_api_ok(policy))
		return SEV_RET_POLICY_FAILURE;

	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return SEV_RET_RESOURCE_LIMIT;
	if (shared)
		memcpy(g->vek, shared->vek, sizeof(g->vek));
	else
		get_random_bytes(g->vek, sizeof(g->vek));
	if (sevsim_keys_init(g)) {
		kfree_sensitive(g);
		return SEV_RET_RESOURCE_LIMIT;
	}
	if (tek_tik) {
		memcpy(g->tek, tek_tik, sizeof(g->tek));
		memcpy(g->tik, tek_tik + sizeof(g->tek), sizeof(g->tik));
	} else {
		/* No DH/session at launch: the firmware makes them itself. */
		get_random_bytes(g->tik, sizeof(g->tik));
		get_random_bytes(g->tek, sizeof(g->tek));
	}
	g->policy = policy;
	g->state = state;
	/* A guest sharing a VEK sees memory as the other one does. */
	g->memcrypt = shared ? shared->memcrypt : READ_ONCE(sevsim_memcrypt);
	sha256_init(&g->digest);
	do {
		g->handle = sevsim_next_handle++;
	} while (!g->handle || sevsim_guest_find(g->handle));

	snprintf(name, sizeof(name), "%u", g->handle);
	g->debugfs = debugfs_create_dir(name, sevsim_debugfs_dir);
	debugfs_create_file("tik", 0400, g->debugfs, g, &sevsim_tik_fops);
	debugfs_create_file("tek", 0400, g->debugfs, g, &sevsim_tek_fops);
	debugfs_create_file("vek", 0400, g->debugfs, g, &sevsim_vek_fops);
	debugfs_create_file("launch_digest", 0400, g->debugfs, g,
			    &sevsim_ld_fops);
	debugfs_create_bool("memcrypt", 0400, g->debugfs, &g->memcrypt);
	debugfs_create_u64("commands", 0400, g->debugfs, &g->commands);

	list_add_tail(&g->node, &sevsim_guests);
	sevsim_nr_guests++;
	sevsim_pstate = SEVSIM_PSTATE_WORKING;
	*gp = g;
	return SEV_RET_SUCCESS;
}

static int sevsim_launch_start(struct sev_data_launch_start *d)
{
	struct sevsim_guest *g;
	int r;

	r = sevsim_guest_create(d->handle, d->policy, SEVSIM_GSTATE_LUPDATE,
				NULL, &g);
	if (!r)
		d->handle = g->handle;
	return r;
}

static int sevsim_activate(struct sev_data_activate *d)
{
	struct sevsim_guest *g = sevsim_guest_find(d->handle);
	bool es_asid;

	if (!g)
		return SEV_RET_INVALID_GUEST;
	/* SEV-ES guests take the ASIDs below sevsim_min_asid, SEV the rest. */
	es_asid = d->asid < sevsim_min_asid;
	if (d->asid < 1 || d->asid > sevsim_max_asid ||
	    !!(g->policy & SEVSIM_POLICY_ES) != es_asid)
		return SEV_RET_INVALID_ASID;
	if (g->asid)
		return SEV_RET_ACTIVE;
	if (sevsim_asid_owner[d->asid])
		return SEV_RET_ASID_OWNED;
	if (test_bit(d->asid, sevsim_asid_dirty))
		return SEV_RET_DFFLUSH_REQUIRED;
	sevsim_asid_owner[d->asid] = g->handle;
	g->asid = d->asid;
	return SEV_RET_SUCCESS;
}

static int sevsim_deactivate(struct sev_data_deactivate *d)
{
	struct sevsim_guest *g = sevsim_guest_find(d->handle);

	if (!g)
		return SEV_RET_INVALID_GUEST;
	if (!g->asid)
		return SEV_RET_INACTIVE;
	sevsim_asid_owner[g->asid] = 0;
	set_bit(g->asid, sevsim_asid_dirty);
	g->asid = 0;
	return SEV_RET_SUCCESS;
}

static int sevsim_decommission(struct sev_data_decommission *d)
{
	struct sevsim_guest *g = sevsim_guest_find(d->handle);

	if (!g)
		return SEV_RET_INVALID_GUEST;
	if (g->asid)
		return SEV_RET_ACTIVE;
	sevsim_guest_free(g);
	if (!sevsim_guest_count())
		sevsim_pstate = SEVSIM_PSTATE_INIT;
	return SEV_RET_SUCCESS;
}

int sevsim_df_flush(void)
{
	bitmap_zero(sevsim_asid_dirty, sevsim_max_asid + 1);
	return SEV_RET_SUCCESS;
}

/* The guest exists, is in one of the states in mask, and has an ASID. */
int sevsim_guest_ready(u32 handle, unsigned int mask, bool active,
		       struct sevsim_guest **gp)
{
	struct sevsim_guest *g = sevsim_guest_find(handle);

	if (!g)
		return SEV_RET_INVALID_GUEST;
	if (!(BIT(g->state) & mask))
		return SEV_RET_INVALID_GUEST_STATE;
	if (active && !g->asid)
		return SEV_RET_INACTIVE;
	*gp = g;
	return SEV_RET_SUCCESS;
}

static int sevsim_launch_update(u32 handle, u64 pa, u32 len, bool vmsa)
{
	struct sevsim_guest *g;
	int r;

	r = sevsim_guest_ready(handle, BIT(SEVSIM_GSTATE_LUPDATE), true, &g);
	if (r)
		return r;
	if (vmsa && !(g->policy & SEVSIM_POLICY_ES))
		return SEV_RET_POLICY_FAILURE;
	if (!IS_ALIGNED(pa, AES_BLOCK_SIZE))
		return SEV_RET_INVALID_ADDRESS;
	if (!len || !IS_ALIGNED(len, AES_BLOCK_SIZE))
		return SEV_RET_INVALID_LEN;
	/*
	 * All or nothing: check every page before the digest is extended
	 * or a byte encrypted, so a bad page late in the range leaves both
	 * as they were. After the check neither step can fail.
	 */
	r = sevsim_pa_check(pa, len);
	if (r)
		return r;
	r = sevsim_digest_pa(g, pa, len);
	if (!r && !vmsa && g->memcrypt)
		r = sevsim_xex(g, pa, pa, len, true);
	WARN_ON_ONCE(r);
	return r;
}

static int sevsim_launch_measure(struct sev_data_launch_measure *d)
{
	u8 blob[SEVSIM_MEASURE_LEN];
	struct sevsim_guest *g;
	int r;

	r = sevsim_guest_ready(d->handle, BIT(SEVSIM_GSTATE_LUPDATE), true, &g);
	if (r)
		return r;
	if (d->len < SEVSIM_MEASURE_LEN) {
		d->len = SEVSIM_MEASURE_LEN;
		return SEV_RET_INVALID_LEN;
	}
	if (!d->address)
		return SEV_RET_INVALID_ADDRESS;

	/* Finalize a copy: the digest state stays valid if we fail. */
	{
		struct sha256_state s = g->digest;

		sha256_final(&s, g->ld);
	}
	get_random_bytes(blob + 32, 16);
	r = sevsim_measure(g, blob + 32, blob);
	if (!r)
		r = sevsim_copy_to_pa(d->address, blob, sizeof(blob));
	if (r)
		return r;
	d->len = SEVSIM_MEASURE_LEN;
	/* Publishes g->ld to sevsim_ld_show(), which takes no lock. */
	smp_store_release(&g->state, SEVSIM_GSTATE_LSECRET);
	return SEV_RET_SUCCESS;
}

static int sevsim_guest_status(struct sev_data_guest_status *d)
{
	struct sevsim_guest *g = sevsim_guest_find(d->handle);

	if (!g)
		return SEV_RET_INVALID_GUEST;
	d->policy = g->policy;
	d->asid = g->asid;
	d->state = g->state;
	return SEV_RET_SUCCESS;
}

static int sevsim_dbg(struct sev_data_dbg *d, bool encrypt)
{
	/* Any state with keys, as the API's firmware (it checks none). */
	unsigned int states =
		BIT(SEVSIM_GSTATE_LUPDATE) | BIT(SEVSIM_GSTATE_LSECRET) |
		BIT(SEVSIM_GSTATE_RUNNING) | BIT(SEVSIM_GSTATE_SUPDATE) |
		BIT(SEVSIM_GSTATE_RUPDATE) | BIT(SEVSIM_GSTATE_SENT);
	struct sevsim_guest *g;
	int r;

	r = sevsim_guest_ready(d->handle, states, true, &g);
	if (r)
		return r;
	if (g->policy & SEVSIM_POLICY_NODBG)
		return SEV_RET_POLICY_FAILURE;
	if (g->memcrypt)
		return sevsim_xex(g, d->dst_addr, d->src_addr, d->len, encrypt);
	return sevsim_copy_pa(d->dst_addr, d->src_addr, d->len);
}

int sevsim_guest_cmd(unsigned int id, void *data)
{
	struct sevsim_guest *g;
	int r;

	switch (id) {
	case SEV_CMD_LAUNCH_START:
		return sevsim_launch_start(data);
	case SEV_CMD_ACTIVATE:
		return sevsim_activate(data);
	case SEV_CMD_DEACTIVATE:
		return sevsim_deactivate(data);
	case SEV_CMD_DECOMMISSION:
		return sevsim_decommission(data);
	case SEV_CMD_GUEST_STATUS:
		return sevsim_guest_status(data);
	case SEV_CMD_LAUNCH_UPDATE_DATA: {
		struct sev_data_launch_update_data *d = data;

		return sevsim_launch_update(d->handle, d->address, d->len,
					    false);
	}
	case SEV_CMD_LAUNCH_UPDATE_VMSA: {
		struct sev_data_launch_update_vmsa *d = data;

		return sevsim_launch_update(d->handle, d->address, d->len,
					    true);
	}
	case SEV_CMD_LAUNCH_MEASURE:
		return sevsim_launch_measure(data);
	case SEV_CMD_LAUNCH_FINISH: {
		struct sev_data_launch_finish *d = data;

		r = sevsim_guest_ready(d->handle, BIT(SEVSIM_GSTATE_LSECRET),
				       true, &g);
		if (!r)
			WRITE_ONCE(g->state, SEVSIM_GSTATE_RUNNING);
		return r;
	}
	case SEV_CMD_DBG_DECRYPT:
		return sevsim_dbg(data, false);
	case SEV_CMD_DBG_ENCRYPT:
		return sevsim_dbg(data, true);
	case SEV_CMD_SEND_START:
	case SEV_CMD_SEND_UPDATE_DATA:
	case SEV_CMD_SEND_FINISH:
	case SEV_CMD_SEND_CANCEL:
	case SEV_CMD_RECEIVE_START:
	case SEV_CMD_RECEIVE_UPDATE_DATA:
	case SEV_CMD_RECEIVE_FINISH:
		return sevsim_send_cmd(id, data);
	default:
		/*
		 * LAUNCH_SECRET, the VMSA transfers, attestation: not
		 * modelled (Documentation/sevsim.rst, "Migration").
		 */
		return SEV_RET_INVALID_COMMAND;
	}
}
