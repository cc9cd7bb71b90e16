/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sevsim: a software SEV firmware for hosts without SEV (kvm_amd
 * sevsim=1). It implements the firmware API that sev.c uses, with the SEV
 * API's state machines, status codes and real cryptography, so that the
 * launch and debug paths run end to end. It does not encrypt guest memory:
 * a guest's own writes land in plaintext. See Documentation/sevsim.rst.
 */
#ifndef PGENC_SEVSIM_H
#define PGENC_SEVSIM_H

#include <linux/types.h>
#include <linux/psp-sev.h>
#include <crypto/aes.h>
#include <crypto/sha2.h>

#define SEVSIM_API_MAJOR 0
#define SEVSIM_API_MINOR 24
#define SEVSIM_BUILD 1
#define SEVSIM_MEASURE_LEN 48 /* measurement (32) + mnonce (16) */
/* CPUID 0x8000001f EBX[5:0]: the C-bit position reported to KVM. */
#define SEVSIM_CBIT 47

/* Guest states, SEV API spec chapter 5, with GUEST_STATUS's values. */
enum sevsim_gstate {
	SEVSIM_GSTATE_UNINIT,
	SEVSIM_GSTATE_LUPDATE,
	SEVSIM_GSTATE_LSECRET,
	SEVSIM_GSTATE_RUNNING,
	SEVSIM_GSTATE_SUPDATE,
	SEVSIM_GSTATE_RUPDATE,
	SEVSIM_GSTATE_SENT,
};

/* Platform states. */
enum sevsim_pstate {
	SEVSIM_PSTATE_UNINIT,
	SEVSIM_PSTATE_INIT,
	SEVSIM_PSTATE_WORKING,
};

/* Policy bits we enforce. */
#define SEVSIM_POLICY_NODBG BIT(0)
#define SEVSIM_POLICY_NOKS BIT(1)
#define SEVSIM_POLICY_ES BIT(2)
#define SEVSIM_POLICY_NOSEND BIT(3)
#define SEVSIM_POLICY_DOMAIN BIT(4)
#define SEVSIM_POLICY_SEV BIT(5)
#define SEVSIM_POLICY_RESERVED GENMASK(15, 6)
#define SEVSIM_POLICY_API_MAJOR(p) (((p) >> 16) & 0xff)
#define SEVSIM_POLICY_API_MINOR(p) (((p) >> 24) & 0xff)
/* Whether this firmware implements the API version a policy asks for. */
static inline bool sevsim_policy_api_ok(u32 policy)
{
	u32 major = SEVSIM_POLICY_API_MAJOR(policy);

	return major < SEVSIM_API_MAJOR ||
	       (major == SEVSIM_API_MAJOR &&
		SEVSIM_POLICY_API_MINOR(policy) <= SEVSIM_API_MINOR);
}

/* The sevsim_memcrypt parameter (Documentation/sevsim.rst, "Migration"). */
extern bool sevsim_memcrypt;

struct sevsim_guest {
	struct list_head node; /* in sevsim's guest list */
	u32 handle;
	u32 policy;
	u32 asid; /* 0 = not activated */
	enum sevsim_gstate state;
	/* VEK: the memory transform's ciphers and buffers (sevsim_crypto.c). */
	struct sevsim_xex_ctx *xex;
	u8 vek[2 * AES_KEYSIZE_128]; /* the raw keys, for debugfs (tests) */
	u8 tik[16], tek[16];
	struct sha256_state digest; /* launch digest, until MEASURE */
	u8 ld[SHA256_DIGEST_SIZE];
	struct dentry *debugfs;
	/* SEND_UPDATE_DATA and RECEIVE_UPDATE_DATA done: one per page moved. */
	u64 commands;
	/* sevsim_memcrypt when the guest was made: its memory is XEX (Y). */
	bool memcrypt;
	/* The transport channel, SUPDATE and RUPDATE only (sevsim_send.c). */
	struct sevsim_chan *chan;
};

/* Lifecycle, from sev.c's hardware setup and svm.c's unsetup. */
void sevsim_init(void);
void sevsim_exit(void);
bool sevsim_active(void);
bool sevsim_is_dev(struct file *filep);

/* What sev.c sees of the CPU (through sev_route.h). */
bool sevsim_boot_cpu_has(u16 bit);
void sevsim_cpuid(unsigned int op, unsigned int *eax, unsigned int *ebx,
		  unsigned int *ecx, unsigned int *edx);
int sevsim_es_vcpu_pre_run(void);

/* The firmware: returns a SEV_RET_* status. sevsim_lock must be held. */
int sevsim_cmd(unsigned int id, void *data);
int sevsim_platform_cmd(unsigned int id, void *data);
int sevsim_guest_cmd(unsigned int id, void *data);
extern struct mutex sevsim_lock;
extern enum sevsim_pstate sevsim_pstate;
extern unsigned int sevsim_min_asid, sevsim_max_asid;

/* sevsim_guest.c */
struct sevsim_guest *sevsim_guest_find(u32 handle);
unsigned int sevsim_guest_count(void);
void sevsim_guests_free(void);
int sevsim_asids_alloc(void);
void sevsim_asids_free(void);
int sevsim_df_flush(void);
int sevsim_guest_ready(u32 handle, unsigned int mask, bool active,
		       struct sevsim_guest **gp);
int sevsim_guest_create(u32 share, u32 policy, enum sevsim_gstate state,
			const u8 *tek_tik, struct sevsim_guest **gp);
extern struct dentry *sevsim_debugfs_dir;

/* sevsim_crypto.c: memory at physical addresses, and the measurement. */
int sevsim_crypto_check(void);
int sevsim_keys_init(struct sevsim_guest *g);
void sevsim_keys_free(struct sevsim_guest *g);
int sevsim_xex(struct sevsim_guest *g, phys_addr_t dst, phys_addr_t src,
	       u32 len, bool encrypt);
int sevsim_pa_check(phys_addr_t pa, size_t len);
int sevsim_digest_pa(struct sevsim_guest *g, phys_addr_t pa, u32 len);
int sevsim_measure(struct sevsim_guest *g, const u8 mnonce[16], u8 out[32]);
int sevsim_copy_to_pa(phys_addr_t pa, const void *src, size_t len);
int sevsim_copy_from_pa(void *dst, phys_addr_t pa, size_t len);
int sevsim_copy_pa(phys_addr_t dst, phys_addr_t src, u32 len);
/* The guest's view: decrypted with its VEK if g->memcrypt, else plain. */
int sevsim_guest_read(struct sevsim_guest *g, void *dst, phys_addr_t pa,
		      u32 len);
int sevsim_guest_write(struct sevsim_guest *g, phys_addr_t pa, const void *src,
		       u32 len);

/* sevsim_send.c: SEND_* and RECEIVE_* (Documentation/sevsim.rst). */
int sevsim_send_cmd(unsigned int id, void *data);
void sevsim_chan_free(struct sevsim_guest *g);

/*
 * sevsim_pki.c: the platform's keys and certificates (PDH, PEK, OCA, CEK)
 * in the SEV certificate format. See Documentation/sevsim.rst, "Platform
 * keys and certificates".
 */
#define SEVSIM_CERT_LEN 0x824 /* one certificate, SEV API appendix C.1 */
int sevsim_pki_init(void); /* from sevsim_init(): generate every key */
void sevsim_pki_exit(void);
/* PEK_GEN, PEK_CSR, PDH_GEN, PDH_CERT_EXPORT, PEK_CERT_IMPORT, GET_ID... */
int sevsim_pki_cmd(unsigned int id, void *data);
/*
 * Check a peer platform's PDH certificate (pdh, SEVSIM_CERT_LEN bytes) and,
 * as the guest policy asks (DOMAIN, SEV bits), its chain: plat holds the
 * peer's PEK and OCA certificates, amd the AMD chain (may be empty).
 * Returns SEV_RET_SUCCESS or the API's status.
 */
int sevsim_pki_check_peer(const u8 *pdh, const u8 *plat, u32 plat_len,
			  const u8 *amd, u32 amd_len, u32 policy);
/*
 * ECDH P-384 between the platform's PDH private key and the public key of
 * a checked peer PDH certificate: the shared x coordinate, 48 bytes, in
 * the byte order the SEV KDF takes. Returns SEV_RET_*.
 */
int sevsim_pki_shared_secret(const u8 *peer_pdh, u8 secret[48]);
/* The platform's own PDH certificate (SEVSIM_CERT_LEN bytes). */
void sevsim_pki_pdh_cert(u8 *out);
/* Whether an OCA was imported: PLATFORM_STATUS's flag OWNER (bit 0). */
#define SEVSIM_STATUS_OWNER BIT(0)
bool sevsim_pki_owned(void);
/* The PSP driver's side of the certificate ioctls of /dev/sev. */
struct sev_issue_cmd;
int sevsim_pki_ioctl(struct sev_issue_cmd *cmd, bool writable);

/* sevsim_ecdsa.c: P-384 keys and ECDSA on the kernel's ECC helpers. */
#define SEVSIM_ECC_LEN 48
struct sevsim_ecc_key {
	u8 d[SEVSIM_ECC_LEN] __aligned(8); /* private, big-endian */
	u8 qx[SEVSIM_ECC_LEN], qy[SEVSIM_ECC_LEN]; /* public, little-endian */
};

int sevsim_ecc_privkey(struct sevsim_ecc_key *k);
int sevsim_ecc_keygen(struct sevsim_ecc_key *k);
int sevsim_ecc_pub_check(const u8 *qx, const u8 *qy);
int sevsim_ecdsa_sign(const struct sevsim_ecc_key *k, const u8 *msg, size_t len,
		      u8 *r_le, u8 *s_le);
int sevsim_ecdsa_verify(const u8 *qx, const u8 *qy, const u8 *msg, size_t len,
			const u8 *r_le, const u8 *s_le);

#endif /* PGENC_SEVSIM_H */
