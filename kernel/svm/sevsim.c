// SPDX-License-Identifier: GPL-2.0-only
/*
 * sevsim core: module parameters, the platform state machine, the
 * /dev/sevsim device and the CPU view that sev.c gets in sim mode.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>
#include <linux/sevsim.h>

#include "sevsim.h"

static bool sevsim;
module_param(sevsim, bool, 0444);
MODULE_PARM_DESC(sevsim,
		 "Simulate SEV firmware on a CPU without SEV (testing only: no memory encryption)");
/*
 * Where they are modules: the memory transform's and the transport's
 * ciphers (sevsim_crypto.c, sevsim_send.c),
 * and the default RNG, which ecdh_generic (a dependency: sevsim_pki.c)
 * needs for its self-tests when it loads (Documentation/sevsim.rst,
 * "Platform keys and certificates").
 */
MODULE_SOFTDEP("pre: ecb ctr sha512_generic drbg");

static unsigned int sevsim_asids = 16;
module_param(sevsim_asids, uint, 0444);
MODULE_PARM_DESC(sevsim_asids, "sevsim: number of simulated ASIDs");

static unsigned int sevsim_es_asids = 4;
module_param(sevsim_es_asids, uint, 0444);
MODULE_PARM_DESC(sevsim_es_asids,
		 "sevsim: how many of the simulated ASIDs are for SEV-ES");

/* Serialises every firmware command, like the PSP's single mailbox. */
DEFINE_MUTEX(sevsim_lock);
enum sevsim_pstate sevsim_pstate;
unsigned int sevsim_min_asid, sevsim_max_asid;
static bool sevsim_on;

bool sevsim_active(void)
{
	return sevsim_on;
}

int sevsim_platform_cmd(unsigned int id, void *data)
{
	struct sev_user_data_status *st = data;

	switch (id) {
	case SEV_CMD_INIT:
		if (sevsim_pstate != SEVSIM_PSTATE_UNINIT)
			return SEV_RET_INVALID_PLATFORM_STATE;
		sevsim_pstate = SEVSIM_PSTATE_INIT;
		return SEV_RET_SUCCESS;
	case SEV_CMD_SHUTDOWN:
		/* Refused while guests exist: they would lose their keys. */
		if (sevsim_pstate == SEVSIM_PSTATE_WORKING)
			return SEV_RET_INVALID_PLATFORM_STATE;
		sevsim_pstate = SEVSIM_PSTATE_UNINIT;
		return SEV_RET_SUCCESS;
	case SEV_CMD_PLATFORM_STATUS:
		memset(st, 0, sizeof(*st));
		st->api_major = SEVSIM_API_MAJOR;
		st->api_minor = SEVSIM_API_MINOR;
		st->build = SEVSIM_BUILD;
		st->state = sevsim_pstate;
		/* The owner flag means nothing in UNINIT (the firmware's rule). */
		if (sevsim_pstate != SEVSIM_PSTATE_UNINIT && sevsim_pki_owned())
			st->flags = SEVSIM_STATUS_OWNER;
		st->guest_count = sevsim_guest_count();
		return SEV_RET_SUCCESS;
	case SEV_CMD_DF_FLUSH:
		if (sevsim_pstate == SEVSIM_PSTATE_UNINIT)
			return SEV_RET_INVALID_PLATFORM_STATE;
		return sevsim_df_flush();
	case SEV_CMD_FACTORY_RESET:
	case SEV_CMD_PEK_GEN:
	case SEV_CMD_PEK_CSR:
	case SEV_CMD_PEK_CERT_IMPORT:
	case SEV_CMD_PDH_CERT_EXPORT:
	case SEV_CMD_PDH_GEN:
	case SEV_CMD_GET_ID:
		return sevsim_pki_cmd(id, data);
	default:
		return SEV_RET_INVALID_COMMAND;
	}
}

/*
 * The test-only stall (SEVSIM_USER_STALL_*, uapi/linux/sevsim.h): off
 * unless armed through /dev/sevsim. The stalled command waits holding
 * sevsim_lock, like a PSP command holding the mailbox, and whatever its
 * caller holds (kvm->lock for KVM's SEV commands); so the stall commands
 * never take sevsim_lock. The state, command, timeout and owner are under
 * sevsim_stall_lock; the waiter reads the state locklessly.
 */
static DEFINE_SPINLOCK(sevsim_stall_lock);
static DECLARE_WAIT_QUEUE_HEAD(sevsim_stall_wq);
static u32 sevsim_stall_state = SEVSIM_STALL_OFF;
static u32 sevsim_stall_cmd;
static unsigned long sevsim_stall_timeout; /* jiffies */
static const struct file *sevsim_stall_owner; /* the file that armed it */

/* An armed stall catches this command; sevsim_lock is held. */
static void sevsim_stall_point(unsigned int id)
{
	unsigned long timeout;

	spin_lock(&sevsim_stall_lock);
	if (sevsim_stall_state != SEVSIM_STALL_ARMED) {
		spin_unlock(&sevsim_stall_lock);
		return;
	}
	WRITE_ONCE(sevsim_stall_state, SEVSIM_STALL_STALLED);
	sevsim_stall_cmd = id;
	timeout = sevsim_stall_timeout;
	spin_unlock(&sevsim_stall_lock);

	/* Bounded, and a dying caller does not wait: it runs its command. */
	wait_event_killable_timeout(sevsim_stall_wq,
				    READ_ONCE(sevsim_stall_state) !=
					    SEVSIM_STALL_STALLED,
				    timeout);

	spin_lock(&sevsim_stall_lock);
	if (sevsim_stall_state == SEVSIM_STALL_STALLED) {
		WRITE_ONCE(sevsim_stall_state, SEVSIM_STALL_EXPIRED);
		sevsim_stall_owner = NULL;
	}
	spin_unlock(&sevsim_stall_lock);
}

/* Release a stall in progress, or disarm; only owner's if owner is set. */
static void sevsim_stall_end(const struct file *owner)
{
	spin_lock(&sevsim_stall_lock);
	if (owner && owner != sevsim_stall_owner) {
		spin_unlock(&sevsim_stall_lock);
		return;
	}
	if (sevsim_stall_state == SEVSIM_STALL_ARMED)
		WRITE_ONCE(sevsim_stall_state, SEVSIM_STALL_OFF);
	else if (sevsim_stall_state == SEVSIM_STALL_STALLED)
		WRITE_ONCE(sevsim_stall_state, SEVSIM_STALL_RELEASED);
	sevsim_stall_owner = NULL;
	spin_unlock(&sevsim_stall_lock);
	wake_up_all(&sevsim_stall_wq);
}

/* SEVSIM_USER_STALL_{ARM,STATUS,RELEASE}; 0 or -errno. */
static int sevsim_user_stall(struct file *file, unsigned int cmd, u64 data)
{
	struct sevsim_user_stall us;
	int r = 0;

	if (copy_from_user(&us, u64_to_user_ptr(data), sizeof(us)))
		return -EFAULT;
	if (cmd == SEVSIM_USER_STALL_ARM &&
	    (!us.timeout_ms || us.timeout_ms > SEVSIM_STALL_MAX_MS || us.pad))
		return -EINVAL;
	if (cmd == SEVSIM_USER_STALL_RELEASE)
		sevsim_stall_end(NULL);

	spin_lock(&sevsim_stall_lock);
	if (cmd == SEVSIM_USER_STALL_ARM) {
		if (sevsim_stall_state == SEVSIM_STALL_ARMED ||
		    sevsim_stall_state == SEVSIM_STALL_STALLED) {
			r = -EBUSY;
		} else {
			WRITE_ONCE(sevsim_stall_state, SEVSIM_STALL_ARMED);
			sevsim_stall_cmd = 0;
			sevsim_stall_timeout = msecs_to_jiffies(us.timeout_ms);
			sevsim_stall_owner = file;
		}
	}
	us.state = sevsim_stall_state;
	us.cmd = sevsim_stall_cmd;
	spin_unlock(&sevsim_stall_lock);
	if (r)
		return r;
	if (copy_to_user(u64_to_user_ptr(data), &us, sizeof(us)))
		return -EFAULT;
	return 0;
}

/* Every firmware command enters here; returns a SEV_RET_* status. */
int sevsim_cmd(unsigned int id, void *data)
{
	int r;

	mutex_lock(&sevsim_lock);
	sevsim_stall_point(id);
	if (id < SEV_CMD_DECOMMISSION)
		r = sevsim_platform_cmd(id, data);
	else if (sevsim_pstate == SEVSIM_PSTATE_UNINIT)
		r = SEV_RET_INVALID_PLATFORM_STATE;
	else
		r = sevsim_guest_cmd(id, data);
	mutex_unlock(&sevsim_lock);
	return r;
}

/* The test-only guest lifecycle commands of /dev/sevsim. */
static int sevsim_user_guest(unsigned int cmd, u64 data)
{
	struct sevsim_user_guest ug;
	struct sev_data_activate act;
	struct sev_data_deactivate deact;
	struct sev_data_decommission decom;
	struct sev_data_guest_status st = {};
	int fw;

	if (copy_from_user(&ug, u64_to_user_ptr(data), sizeof(ug)))
		return -EFAULT;
	switch (cmd) {
	case SEVSIM_USER_ACTIVATE:
		act.handle = ug.handle;
		act.asid = ug.asid;
		return sevsim_cmd(SEV_CMD_ACTIVATE, &act);
	case SEVSIM_USER_DEACTIVATE:
		deact.handle = ug.handle;
		return sevsim_cmd(SEV_CMD_DEACTIVATE, &deact);
	case SEVSIM_USER_DECOMMISSION:
		decom.handle = ug.handle;
		return sevsim_cmd(SEV_CMD_DECOMMISSION, &decom);
	default:
		st.handle = ug.handle;
		fw = sevsim_cmd(SEV_CMD_GUEST_STATUS, &st);
		if (fw)
			return fw;
		ug.asid = st.asid;
		ug.policy = st.policy;
		ug.state = st.state;
		if (copy_to_user(u64_to_user_ptr(data), &ug, sizeof(ug)))
			return -EFAULT;
		return SEV_RET_SUCCESS;
	}
}

static long sevsim_ioctl(struct file *file, unsigned int ioctl,
			 unsigned long arg)
{
	static const unsigned int user_cmds[] = {
		[SEVSIM_USER_INIT - SEVSIM_USER_INIT] = SEV_CMD_INIT,
		[SEVSIM_USER_SHUTDOWN - SEVSIM_USER_INIT] = SEV_CMD_SHUTDOWN,
		[SEVSIM_USER_DF_FLUSH - SEVSIM_USER_INIT] = SEV_CMD_DF_FLUSH,
	};
	struct sev_issue_cmd __user *ucmd = (void __user *)arg;
	struct sev_user_data_status status;
	struct sev_issue_cmd cmd;
	int fw, r;

	if (ioctl != SEV_ISSUE_CMD)
		return -EINVAL;
	if (copy_from_user(&cmd, ucmd, sizeof(cmd)))
		return -EFAULT;

	if (cmd.cmd == SEV_PLATFORM_STATUS) {
		fw = sevsim_cmd(SEV_CMD_PLATFORM_STATUS, &status);
		if (!fw && copy_to_user(u64_to_user_ptr(cmd.data), &status,
					sizeof(status)))
			return -EFAULT;
	} else if (cmd.cmd <= SEV_GET_ID2 || cmd.cmd == SEVSIM_USER_PKI_PEER) {
		/* The certificate commands: the PSP driver's semantics. */
		r = sevsim_pki_ioctl(&cmd, file->f_mode & FMODE_WRITE);
		if (copy_to_user(ucmd, &cmd, sizeof(cmd)))
			return -EFAULT;
		return r;
	} else if (cmd.cmd >= SEVSIM_USER_INIT &&
		   cmd.cmd <= SEVSIM_USER_DF_FLUSH) {
		fw = sevsim_cmd(user_cmds[cmd.cmd - SEVSIM_USER_INIT], NULL);
	} else if (cmd.cmd >= SEVSIM_USER_ACTIVATE &&
		   cmd.cmd <= SEVSIM_USER_GUEST_STATUS) {
		fw = sevsim_user_guest(cmd.cmd, cmd.data);
		if (fw < 0)
			return fw;
	} else if (cmd.cmd >= SEVSIM_USER_STALL_ARM &&
		   cmd.cmd <= SEVSIM_USER_STALL_RELEASE) {
		fw = sevsim_user_stall(file, cmd.cmd, cmd.data);
		if (fw < 0)
			return fw;
	} else {
		return -EINVAL;
	}

	cmd.error = fw;
	if (copy_to_user(ucmd, &cmd, sizeof(cmd)))
		return -EFAULT;
	return fw ? -EIO : 0;
}

/* A stall armed through this file ends with it (a test that died). */
static int sevsim_release(struct inode *inode, struct file *file)
{
	sevsim_stall_end(file);
	return 0;
}

static const struct file_operations sevsim_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = sevsim_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = sevsim_release,
};

static struct miscdevice sevsim_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "sevsim",
	.fops = &sevsim_fops,
	.mode = 0600,
};

/*
 * The same device as /dev/sev, the PSP driver's name, for unmodified
 * clients (Documentation/sevsim.rst, "Enabling"). Taken only where the
 * PSP driver has no SEV firmware (-ENODEV): ccp never creates its
 * /dev/sev on a CPU without SEV, the only kind sevsim runs on, and a
 * PSP whose SEV the CPU flag hides keeps the name for itself.
 */
static struct miscdevice sevsim_sev_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "sev",
	.fops = &sevsim_fops,
	.mode = 0600,
};

static bool sevsim_sev_dev_on;

static void sevsim_take_sev_name(void)
{
	struct sev_user_data_status st;
	int error, r;

	r = sev_platform_status(&st, &error);
	if (r != -ENODEV) {
		pr_info("sevsim: the PSP driver answers (%d): /dev/sev is not ours\n",
			r);
		return;
	}
	sevsim_sev_dev_on = !misc_register(&sevsim_sev_dev);
	if (sevsim_sev_dev_on)
		pr_info("sevsim: also on /dev/sev\n");
}

bool sevsim_is_dev(struct file *filep)
{
	return filep && filep->f_op == &sevsim_fops;
}

/*
 * In sim mode sev.c sees SEV and SEV-ES, decode assists and (6.12)
 * flush-by-ASID: the decode check exists because KVM cannot read an
 * encrypted guest's instructions, and a simulated guest is not encrypted;
 * the flush check because an SEV guest keeps its ASID, and TCG, the
 * CPU without it here, does not tag its TLB by ASID.
 */
bool sevsim_boot_cpu_has(u16 bit)
{
	if (sevsim_on && (bit == X86_FEATURE_SEV || bit == X86_FEATURE_SEV_ES ||
			  bit == X86_FEATURE_DECODEASSISTS ||
			  bit == X86_FEATURE_FLUSHBYASID))
		return true;
	return boot_cpu_has(bit);
}

void sevsim_cpuid(unsigned int op, unsigned int *eax, unsigned int *ebx,
		  unsigned int *ecx, unsigned int *edx)
{
	if (!sevsim_on || op != 0x8000001f) {
		cpuid(op, eax, ebx, ecx, edx);
		return;
	}
	*eax = BIT(1) | BIT(3); /* SEV, SEV-ES */
	*ebx = SEVSIM_CBIT;
	*ecx = sevsim_max_asid;
	*edx = sevsim_min_asid;
}

/*
 * KVM_RUN of an SEV-ES vCPU (svm_vcpu_pre_run()): 1 lets it run. sevsim
 * launches SEV-ES guests but no CPU it runs on can run one: KVM would
 * enter an ordinary guest through the SEV-ES path, which neither loads
 * nor saves its registers and does not intercept its CR4 and XSETBV, so
 * the guest would set the host's XCR0 (Documentation/sevsim.rst, "SEV-ES").
 */
int sevsim_es_vcpu_pre_run(void)
{
	return sevsim_on ? -EOPNOTSUPP : 1;
}

void sevsim_init(void)
{
	int r;

	if (!sevsim)
		return;
	if (boot_cpu_has(X86_FEATURE_SEV)) {
		pr_err("sevsim: refusing to simulate SEV on a CPU that has SEV\n");
		return;
	}
	if (sevsim_asids < 2 || sevsim_asids > 1024 ||
	    sevsim_es_asids >= sevsim_asids) {
		pr_err("sevsim: bad ASID parameters (sevsim_asids %u, sevsim_es_asids %u)\n",
		       sevsim_asids, sevsim_es_asids);
		return;
	}
	r = sevsim_crypto_check();
	if (r) {
		pr_err("sevsim: no \"ecb(aes)\" cipher (%d): load ecb.ko\n", r);
		return;
	}
	r = sevsim_pki_init();
	if (r) {
		pr_err("sevsim: cannot make the platform keys (%d)\n", r);
		return;
	}
	sevsim_min_asid = sevsim_es_asids + 1;
	sevsim_max_asid = sevsim_asids;
	if (sevsim_asids_alloc())
		goto err_pki;
	if (misc_register(&sevsim_dev)) {
		sevsim_asids_free();
		goto err_pki;
	}
	sevsim_debugfs_dir = debugfs_create_dir("sevsim", NULL);
	sevsim_pstate = SEVSIM_PSTATE_UNINIT;
	sevsim_on = true;
	pr_warn("sevsim: SIMULATED SEV firmware on /dev/sevsim: guests are NOT encrypted; for testing only\n");
	sevsim_take_sev_name();
	return;
err_pki:
	sevsim_pki_exit();
}

void sevsim_exit(void)
{
	if (!sevsim_on)
		return;
	if (sevsim_sev_dev_on)
		misc_deregister(&sevsim_sev_dev);
	sevsim_sev_dev_on = false;
	misc_deregister(&sevsim_dev);
	sevsim_guests_free();
	debugfs_remove(sevsim_debugfs_dir);
	sevsim_asids_free();
	sevsim_pki_exit();
	sevsim_on = false;
}
