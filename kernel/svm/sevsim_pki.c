// SPDX-License-Identifier: GPL-2.0-only
/*
 * sevsim's platform keys and certificates: PDH (ECDH P-384, the crypto
 * API's "ecdh-nist-p384"), PEK, OCA and CEK (ECDSA P-384, sevsim_ecdsa.c)
 * in the SEV certificate format, the platform commands on them, and the
 * checks SEND_START makes of a peer's certificates. See
 * Documentation/sevsim.rst, "Platform keys and certificates".
 */
#include <crypto/ecdh.h>
#include <crypto/kpp.h>
#include <linux/build_bug.h>
#include <linux/psp-sev.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "sevsim.h"

/* SEV API appendix C: usages, algorithms, curves. */
#define USAGE_ARK 0x0
#define USAGE_ASK 0x13
#define USAGE_INVALID 0x1000
#define USAGE_OCA 0x1001
#define USAGE_PEK 0x1002
#define USAGE_PDH 0x1003
#define USAGE_CEK 0x1004
#define ALGO_INVALID 0x0
#define ALGO_ECDSA_SHA256 0x2
#define ALGO_ECDH_SHA256 0x3
#define CURVE_P384 0x2
#define CERT_VERSION 1
#define ECC_FIELD 72 /* a coordinate or scalar, little-endian, zero-padded */
#define GET_ID_LEN 64
/* Guest policy bits that make SEND_START check the peer's chain. */
#define POLICY_DOMAIN BIT(4)
#define POLICY_SEV BIT(5)

struct sevsim_cert_sig {
	__le32 usage;
	__le32 algo;
	u8 r[ECC_FIELD];
	u8 s[ECC_FIELD];
	u8 rsvd[368];
} __packed;

/* One certificate, 0x824 bytes; the signatures cover the body. */
struct sevsim_cert {
	/* body */
	__le32 version;
	u8 api_major;
	u8 api_minor;
	u8 reserved[2];
	__le32 usage;
	__le32 algo;
	__le32 curve;
	u8 qx[ECC_FIELD];
	u8 qy[ECC_FIELD];
	u8 rsvd[880];
	/* signatures */
	struct sevsim_cert_sig sig[2];
} __packed;

#define CERT_BODY_LEN offsetof(struct sevsim_cert, sig)
static_assert(sizeof(struct sevsim_cert) == SEVSIM_CERT_LEN);
static_assert(CERT_BODY_LEN == 0x414);

/* The platform's identity; replaced whole by the commands that change it. */
struct sevsim_pki {
	struct sevsim_ecc_key cek, oca, pek, pdh;
	struct sevsim_cert cek_cert; /* unsigned: no ASK in sevsim */
	struct sevsim_cert oca_cert, pek_cert, pdh_cert;
	struct crypto_kpp *kpp; /* "ecdh-nist-p384" holding the PDH's d */
	bool owned; /* an OCA was imported (PEK_CERT_IMPORT) */
};

static struct sevsim_pki *pki; /* under sevsim_lock once sevsim runs */

static u32 le(__le32 v)
{
	return le32_to_cpu(v);
}

static void sevsim_cert_init(struct sevsim_cert *c, u32 usage, u32 algo,
			     const struct sevsim_ecc_key *k)
{
	memset(c, 0, sizeof(*c));
	c->version = cpu_to_le32(CERT_VERSION);
	c->api_major = SEVSIM_API_MAJOR;
	c->api_minor = SEVSIM_API_MINOR;
	c->usage = cpu_to_le32(usage);
	c->algo = cpu_to_le32(algo);
	c->curve = cpu_to_le32(CURVE_P384);
	memcpy(c->qx, k->qx, SEVSIM_ECC_LEN);
	memcpy(c->qy, k->qy, SEVSIM_ECC_LEN);
	c->sig[0].usage = cpu_to_le32(USAGE_INVALID);
	c->sig[1].usage = cpu_to_le32(USAGE_INVALID);
}

/* The first free signature slot, or NULL. */
static struct sevsim_cert_sig *sevsim_cert_free_sig(struct sevsim_cert *c)
{
	if (le(c->sig[0].usage) == USAGE_INVALID)
		return &c->sig[0];
	if (le(c->sig[1].usage) == USAGE_INVALID)
		return &c->sig[1];
	return NULL;
}

/* Sign c's body with k (a key of that usage) into its first free slot. */
static int sevsim_cert_sign(struct sevsim_cert *c,
			    const struct sevsim_ecc_key *k, u32 usage)
{
	struct sevsim_cert_sig *sig = sevsim_cert_free_sig(c);

	if (!sig)
		return -ENOSPC;
	memset(sig, 0, sizeof(*sig));
	sig->usage = cpu_to_le32(usage);
	sig->algo = cpu_to_le32(ALGO_ECDSA_SHA256);
	return sevsim_ecdsa_sign(k, (const u8 *)c, CERT_BODY_LEN, sig->r,
				 sig->s);
}

/*
 * The body checks (SEV API appendix C; the firmware's sanity check):
 * version, the expected usage and algorithm, curve P-384, a point on it.
 */
static int sevsim_cert_check(const struct sevsim_cert *c, u32 usage, u32 algo)
{
	if (le(c->version) != CERT_VERSION || le(c->usage) != usage ||
	    le(c->algo) != algo || le(c->curve) != CURVE_P384)
		return SEV_RET_INVALID_CERTIFICATE;
	if (memchr_inv(c->qx + SEVSIM_ECC_LEN, 0, ECC_FIELD - SEVSIM_ECC_LEN) ||
	    memchr_inv(c->qy + SEVSIM_ECC_LEN, 0, ECC_FIELD - SEVSIM_ECC_LEN) ||
	    sevsim_ecc_pub_check(c->qx, c->qy))
		return SEV_RET_INVALID_CERTIFICATE;
	return SEV_RET_SUCCESS;
}

/*
 * Whether c carries a valid signature by signer's key: the slot whose
 * usage and algorithm are the signer's. A half-filled slot is
 * BAD_SIGNATURE, no matching slot INVALID_CERTIFICATE, a matching slot
 * that does not verify BAD_SIGNATURE, as in AMD's firmware.
 */
static int sevsim_cert_verify(const struct sevsim_cert *c,
			      const struct sevsim_cert *signer)
{
	int st = SEV_RET_INVALID_CERTIFICATE;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c->sig); i++) {
		const struct sevsim_cert_sig *sig = &c->sig[i];
		u32 usage = le(sig->usage), algo = le(sig->algo);
		bool no_usage = usage == USAGE_INVALID, no_algo = !algo;

		if (no_usage != no_algo) /* half filled */
			return SEV_RET_BAD_SIGNATURE;
		if (usage != le(signer->usage) || algo != le(signer->algo))
			continue;
		if (algo != ALGO_ECDSA_SHA256)
			return SEV_RET_UNSUPPORTED;
		if (!memchr_inv(sig->r + SEVSIM_ECC_LEN, 0,
				ECC_FIELD - SEVSIM_ECC_LEN) &&
		    !memchr_inv(sig->s + SEVSIM_ECC_LEN, 0,
				ECC_FIELD - SEVSIM_ECC_LEN) &&
		    !sevsim_ecdsa_verify(signer->qx, signer->qy, (const u8 *)c,
					 CERT_BODY_LEN, sig->r, sig->s))
			return SEV_RET_SUCCESS;
		st = SEV_RET_BAD_SIGNATURE;
	}
	return st;
}

/* One kpp operation on heap buffers (scatterlists cannot map stacks). */
static int sevsim_kpp(struct crypto_kpp *tfm, bool shared, const u8 *in,
		      unsigned int in_len, u8 *out, unsigned int out_len)
{
	struct scatterlist src, dst;
	struct kpp_request *req;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf;
	int r;

	buf = kmalloc(in_len + out_len, GFP_KERNEL);
	req = kpp_request_alloc(tfm, GFP_KERNEL);
	if (!buf || !req) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(buf, in, in_len);
	sg_init_one(&src, buf, in_len ? in_len : 1);
	sg_init_one(&dst, buf + in_len, out_len);
	kpp_request_set_input(req, in_len ? &src : NULL, in_len);
	kpp_request_set_output(req, &dst, out_len);
	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done,
				 &wait);
	r = crypto_wait_req(shared ? crypto_kpp_compute_shared_secret(req) :
				     crypto_kpp_generate_public_key(req),
			    &wait);
	if (!r)
		memcpy(out, buf + in_len, out_len);
out:
	kpp_request_free(req);
	kfree_sensitive(buf);
	return r;
}

/* Big-endian x || y (kpp's public key format) from/to little-endian. */
static void sevsim_swap48(u8 *dst, const u8 *src)
{
	unsigned int i;

	for (i = 0; i < SEVSIM_ECC_LEN; i++)
		dst[i] = src[SEVSIM_ECC_LEN - 1 - i];
}

/* A new PDH in n: its key in a new kpp tfm, its cert signed by n's PEK. */
static int sevsim_pdh_gen(struct sevsim_pki *n)
{
	struct ecdh p = { .key = (char *)n->pdh.d, .key_size = SEVSIM_ECC_LEN };
	u8 pub[2 * SEVSIM_ECC_LEN];
	struct crypto_kpp *tfm;
	unsigned int len;
	char *buf = NULL;
	int r;

	tfm = crypto_alloc_kpp("ecdh-nist-p384", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	r = sevsim_ecc_privkey(&n->pdh);
	if (r)
		goto err;
	len = crypto_ecdh_key_len(&p);
	buf = kmalloc(len, GFP_KERNEL);
	r = buf ? crypto_ecdh_encode_key(buf, len, &p) : -ENOMEM;
	if (!r)
		r = crypto_kpp_set_secret(tfm, buf, len);
	if (!r)
		r = sevsim_kpp(tfm, false, NULL, 0, pub, sizeof(pub));
	if (r)
		goto err;
	sevsim_swap48(n->pdh.qx, pub);
	sevsim_swap48(n->pdh.qy, pub + SEVSIM_ECC_LEN);
	sevsim_cert_init(&n->pdh_cert, USAGE_PDH, ALGO_ECDH_SHA256, &n->pdh);
	r = sevsim_cert_sign(&n->pdh_cert, &n->pek, USAGE_PEK);
	if (r)
		goto err;
	kfree_sensitive(buf);
	n->kpp = tfm;
	return 0;
err:
	kfree_sensitive(buf);
	crypto_free_kpp(tfm);
	return r;
}

/* A new PEK in n, signed by the OCA (first slot) and the CEK. */
static int sevsim_pek_gen(struct sevsim_pki *n)
{
	int r = sevsim_ecc_keygen(&n->pek);

	if (r)
		return r;
	sevsim_cert_init(&n->pek_cert, USAGE_PEK, ALGO_ECDSA_SHA256, &n->pek);
	r = sevsim_cert_sign(&n->pek_cert, &n->oca, USAGE_OCA);
	if (!r)
		r = sevsim_cert_sign(&n->pek_cert, &n->cek, USAGE_CEK);
	return r;
}

/* A new self-owned, self-signed OCA in n. */
static int sevsim_oca_gen(struct sevsim_pki *n)
{
	int r = sevsim_ecc_keygen(&n->oca);

	if (r)
		return r;
	sevsim_cert_init(&n->oca_cert, USAGE_OCA, ALGO_ECDSA_SHA256, &n->oca);
	n->owned = false;
	return sevsim_cert_sign(&n->oca_cert, &n->oca, USAGE_OCA);
}

#define GEN_OCA BIT(0)
#define GEN_PEK BIT(1)
#define GEN_PDH BIT(2)
#define GEN_ALL (GEN_OCA | GEN_PEK | GEN_PDH)

static void sevsim_pki_free(struct sevsim_pki *p)
{
	if (p && p->kpp)
		crypto_free_kpp(p->kpp);
	kfree_sensitive(p);
}

/*
 * Replace the identity with a copy in which the keys of what are new
 * (and, with an imported PEK and OCA, those certificates): all or
 * nothing, like the firmware's scratch identity. Returns SEV_RET_*.
 */
static int sevsim_pki_update(unsigned int what, const struct sevsim_cert *pek,
			     const struct sevsim_cert *oca)
{
	struct sevsim_pki *n = kmemdup(pki, sizeof(*pki), GFP_KERNEL);
	int r = 0;

	if (!n)
		return SEV_RET_RESOURCE_LIMIT;
	n->kpp = NULL;
	if (pek) {
		n->pek_cert = *pek;
		n->oca_cert = *oca;
		memzero_explicit(&n->oca, sizeof(n->oca)); /* not ours */
		n->owned = true;
	}
	if (what & GEN_OCA)
		r = sevsim_oca_gen(n);
	if (!r && (what & GEN_PEK))
		r = sevsim_pek_gen(n);
	if (!r && (what & GEN_PDH))
		r = sevsim_pdh_gen(n);
	if (r) {
		sevsim_pki_free(n);
		return r == -ENOMEM ? SEV_RET_RESOURCE_LIMIT :
				      SEV_RET_HWSEV_RET_PLATFORM;
	}
	if (!n->kpp) {
		n->kpp = pki->kpp;
		pki->kpp = NULL;
	}
	sevsim_pki_free(pki);
	pki = n;
	return SEV_RET_SUCCESS;
}

/* From sevsim_init(): the CEK (for the life of the module), then the rest. */
int sevsim_pki_init(void)
{
	int r;

	pki = kzalloc(sizeof(*pki), GFP_KERNEL);
	if (!pki)
		return -ENOMEM;
	r = sevsim_ecc_keygen(&pki->cek);
	if (r)
		goto err;
	sevsim_cert_init(&pki->cek_cert, USAGE_CEK, ALGO_ECDSA_SHA256,
			 &pki->cek);
	r = sevsim_oca_gen(pki);
	if (!r)
		r = sevsim_pek_gen(pki);
	if (!r)
		r = sevsim_pdh_gen(pki);
	if (!r)
		return 0;
err:
	sevsim_pki_exit();
	return r;
}

void sevsim_pki_exit(void)
{
	sevsim_pki_free(pki);
	pki = NULL;
}

bool sevsim_pki_owned(void)
{
	return pki->owned;
}

void sevsim_pki_pdh_cert(u8 *out)
{
	memcpy(out, &pki->pdh_cert, SEVSIM_CERT_LEN);
}

/* Whether two certificates hold the same key (usage, algorithm, point). */
static bool sevsim_same_key(const struct sevsim_cert *a,
			    const struct sevsim_cert *b)
{
	return !memcmp(&a->usage, &b->usage,
		       CERT_BODY_LEN - offsetof(struct sevsim_cert, usage));
}

int sevsim_pki_check_peer(const u8 *pdh_raw, const u8 *plat, u32 plat_len,
			  const u8 *amd, u32 amd_len, u32 policy)
{
	const struct sevsim_cert *pdh = (const void *)pdh_raw;
	const struct sevsim_cert *pek, *oca, *cek;
	int st;

	st = sevsim_cert_check(pdh, USAGE_PDH, ALGO_ECDH_SHA256);
	if (st || !(policy & (POLICY_DOMAIN | POLICY_SEV)))
		return st;
	if (plat_len != 3 * SEVSIM_CERT_LEN)
		return SEV_RET_INVALID_LEN;
	pek = (const void *)plat;
	oca = pek + 1;
	cek = pek + 2;
	st = sevsim_cert_check(pek, USAGE_PEK, ALGO_ECDSA_SHA256);
	if (!st)
		st = sevsim_cert_verify(pdh, pek);
	if (st)
		return st;
	if (policy & POLICY_SEV) {
		/*
		 * The platform chain: the firmware checks ARK, ASK, CEK. There
		 * is no AMD key here; the one CEK sevsim trusts is its own.
		 */
		if (!sevsim_same_key(cek, &pki->cek_cert))
			return SEV_RET_INVALID_CERTIFICATE;
		st = sevsim_cert_verify(pek, cek);
		if (st)
			return st;
		/* The receiver's API version, as the policy asks. */
		if (pek->api_major < SEVSIM_POLICY_API_MAJOR(policy) ||
		    (pek->api_major == SEVSIM_POLICY_API_MAJOR(policy) &&
		     pek->api_minor < SEVSIM_POLICY_API_MINOR(policy)))
			return SEV_RET_POLICY_FAILURE;
	}
	if (policy & POLICY_DOMAIN) {
		st = sevsim_cert_check(oca, USAGE_OCA, ALGO_ECDSA_SHA256);
		if (!st)
			st = sevsim_cert_verify(oca, oca);
		if (!st)
			st = sevsim_cert_verify(pek, oca);
		if (st)
			return st;
		/* Same domain: the receiver's OCA is this platform's. */
		if (memcmp(oca, &pki->oca_cert, SEVSIM_CERT_LEN))
			return SEV_RET_POLICY_FAILURE;
	}
	return SEV_RET_SUCCESS;
}

int sevsim_pki_shared_secret(const u8 *peer_pdh, u8 secret[48])
{
	const struct sevsim_cert *c = (const void *)peer_pdh;
	u8 pub[2 * SEVSIM_ECC_LEN];
	int r;

	sevsim_swap48(pub, c->qx);
	sevsim_swap48(pub + SEVSIM_ECC_LEN, c->qy);
	/* kpp gives x big-endian: the order AMD's firmware feeds its KDF. */
	r = sevsim_kpp(pki->kpp, true, pub, sizeof(pub), secret,
		       SEVSIM_ECC_LEN);
	if (r == -ENOMEM)
		return SEV_RET_RESOURCE_LIMIT;
	return r ? SEV_RET_INVALID_CERTIFICATE : SEV_RET_SUCCESS;
}

/* PDH_CERT_EXPORT: the PDH, and the chain PEK, OCA, CEK (unsigned). */
static int sevsim_pdh_cert_export(struct sev_data_pdh_cert_export *d)
{
	int st;

	if (sevsim_pstate == SEVSIM_PSTATE_UNINIT)
		return SEV_RET_INVALID_PLATFORM_STATE;
	if (d->pdh_cert_len < SEVSIM_CERT_LEN ||
	    d->cert_chain_len < 3 * SEVSIM_CERT_LEN) {
		st = SEV_RET_INVALID_LEN;
		goto lens;
	}
	st = sevsim_pa_check(d->pdh_cert_address, SEVSIM_CERT_LEN);
	if (!st)
		st = sevsim_pa_check(d->cert_chain_address,
				     3 * SEVSIM_CERT_LEN);
	if (!st)
		st = sevsim_copy_to_pa(d->pdh_cert_address, &pki->pdh_cert,
				       SEVSIM_CERT_LEN);
	if (!st)
		st = sevsim_copy_to_pa(d->cert_chain_address, &pki->pek_cert,
				       SEVSIM_CERT_LEN);
	if (!st)
		st = sevsim_copy_to_pa(d->cert_chain_address + SEVSIM_CERT_LEN,
				       &pki->oca_cert, SEVSIM_CERT_LEN);
	if (!st)
		st = sevsim_copy_to_pa(d->cert_chain_address +
					       2 * SEVSIM_CERT_LEN,
				       &pki->cek_cert, SEVSIM_CERT_LEN);
	if (st)
		return st;
lens:
	d->pdh_cert_len = SEVSIM_CERT_LEN;
	d->cert_chain_len = 3 * SEVSIM_CERT_LEN;
	return st;
}

/* PEK_CSR: the PEK's certificate with no signature. */
static int sevsim_pek_csr(struct sev_data_pek_csr *d)
{
	struct sevsim_cert *csr;
	int st;

	if (sevsim_pstate == SEVSIM_PSTATE_UNINIT)
		return SEV_RET_INVALID_PLATFORM_STATE;
	if (d->len < SEVSIM_CERT_LEN) {
		d->len = SEVSIM_CERT_LEN;
		return SEV_RET_INVALID_LEN;
	}
	csr = kmalloc(sizeof(*csr), GFP_KERNEL);
	if (!csr)
		return SEV_RET_RESOURCE_LIMIT;
	sevsim_cert_init(csr, USAGE_PEK, ALGO_ECDSA_SHA256, &pki->pek);
	memcpy(csr, &pki->pek_cert, CERT_BODY_LEN);
	st = sevsim_copy_to_pa(d->address, csr, SEVSIM_CERT_LEN);
	kfree(csr);
	if (!st)
		d->len = SEVSIM_CERT_LEN;
	return st;
}

/*
 * PEK_CERT_IMPORT: the PEK signed by the caller's OCA, and that OCA
 * (self-signed). The PEK's body must be the platform's own; it keeps its
 * CEK signature, the OCA replaces the self-owned one, a new PDH is
 * signed by the PEK.
 */
static int sevsim_pek_cert_import(struct sev_data_pek_cert_import *d)
{
	struct sevsim_cert *in, *pek, *oca;
	struct sevsim_cert_sig *free;
	unsigned int i;
	int st;

	if (sevsim_pstate != SEVSIM_PSTATE_INIT)
		return SEV_RET_INVALID_PLATFORM_STATE;
	if (pki->owned)
		return SEV_RET_ALREADY_OWNED;
	if (d->pek_cert_len != SEVSIM_CERT_LEN ||
	    d->oca_cert_len != SEVSIM_CERT_LEN)
		return SEV_RET_INVALID_LEN;
	in = kmalloc_array(2, sizeof(*in), GFP_KERNEL);
	if (!in)
		return SEV_RET_RESOURCE_LIMIT;
	pek = &in[0];
	oca = &in[1];
	st = sevsim_copy_from_pa(pek, d->pek_cert_address, SEVSIM_CERT_LEN);
	if (!st)
		st = sevsim_copy_from_pa(oca, d->oca_cert_address,
					 SEVSIM_CERT_LEN);
	if (!st)
		st = sevsim_cert_check(oca, USAGE_OCA, ALGO_ECDSA_SHA256);
	if (!st)
		st = sevsim_cert_verify(oca, oca);
	if (!st)
		st = sevsim_cert_verify(pek, oca);
	if (st)
		goto out;
	st = SEV_RET_INVALID_CERTIFICATE;
	if (memcmp(pek, &pki->pek_cert, CERT_BODY_LEN))
		goto out;
	/* Carry the CEK's signature over. */
	free = sevsim_cert_free_sig(pek);
	for (i = 0; free && i < ARRAY_SIZE(pki->pek_cert.sig); i++) {
		if (le(pki->pek_cert.sig[i].usage) == USAGE_CEK) {
			*free = pki->pek_cert.sig[i];
			st = sevsim_pki_update(GEN_PDH, pek, oca);
			break;
		}
	}
out:
	kfree(in);
	return st;
}

/* GET_ID: 64 bytes, the low 32 of the CEK's x and of its y. */
static int sevsim_get_id(struct sev_data_get_id *d)
{
	u8 id[GET_ID_LEN];
	int st;

	if (d->len < GET_ID_LEN) {
		d->len = GET_ID_LEN;
		return SEV_RET_INVALID_LEN;
	}
	memcpy(id, pki->cek.qx, GET_ID_LEN / 2);
	memcpy(id + GET_ID_LEN / 2, pki->cek.qy, GET_ID_LEN / 2);
	st = sevsim_copy_to_pa(d->address, id, GET_ID_LEN);
	if (!st)
		d->len = GET_ID_LEN;
	return st;
}

int sevsim_pki_cmd(unsigned int id, void *data)
{
	switch (id) {
	case SEV_CMD_FACTORY_RESET:
		/* The firmware's persistent keys go; sevsim makes new ones. */
		if (sevsim_pstate != SEVSIM_PSTATE_UNINIT)
			return SEV_RET_INVALID_PLATFORM_STATE;
		return sevsim_pki_update(GEN_ALL, NULL, NULL);
	case SEV_CMD_PEK_GEN:
		if (sevsim_pstate != SEVSIM_PSTATE_INIT)
			return SEV_RET_INVALID_PLATFORM_STATE;
		return sevsim_pki_update(GEN_ALL, NULL, NULL);
	case SEV_CMD_PDH_GEN:
		if (sevsim_pstate == SEVSIM_PSTATE_UNINIT)
			return SEV_RET_INVALID_PLATFORM_STATE;
		return sevsim_pki_update(GEN_PDH, NULL, NULL);
	case SEV_CMD_PEK_CSR:
		return sevsim_pek_csr(data);
	case SEV_CMD_PEK_CERT_IMPORT:
		return sevsim_pek_cert_import(data);
	case SEV_CMD_PDH_CERT_EXPORT:
		return sevsim_pdh_cert_export(data);
	case SEV_CMD_GET_ID:
		return sevsim_get_id(data);
	default:
		return SEV_RET_INVALID_COMMAND;
	}
}

/*
 * The PSP driver's side (drivers/crypto/ccp/sev-dev.c): its checks,
 * length queries and automatic INIT, with kernel buffers given to the
 * firmware by physical address. 0 or -errno; cmd->error gets the status.
 */
static int sevsim_fw(unsigned int id, void *data, u32 *error)
{
	int st = sevsim_cmd(id, data);

	*error = st;
	return st ? -EIO : 0;
}

/* INIT first if the platform is UNINIT, as the driver does. */
static int sevsim_auto_init(u32 *error)
{
	int st = SEV_RET_SUCCESS;

	mutex_lock(&sevsim_lock);
	if (sevsim_pstate == SEVSIM_PSTATE_UNINIT)
		st = sevsim_platform_cmd(SEV_CMD_INIT, NULL);
	mutex_unlock(&sevsim_lock);
	*error = st;
	return st ? -EIO : 0;
}

static int sevsim_ioctl_reset(u32 *error)
{
	enum sevsim_pstate state;
	int r;

	mutex_lock(&sevsim_lock);
	state = sevsim_pstate;
	mutex_unlock(&sevsim_lock);
	if (state == SEVSIM_PSTATE_WORKING)
		return -EBUSY;
	if (state == SEVSIM_PSTATE_INIT) {
		r = sevsim_fw(SEV_CMD_SHUTDOWN, NULL, error);
		if (r)
			return r;
	}
	return sevsim_fw(SEV_CMD_FACTORY_RESET, NULL, error);
}

static int sevsim_ioctl_pek_csr(struct sev_issue_cmd *cmd)
{
	struct sev_user_data_pek_csr in;
	struct sev_data_pek_csr d = {};
	void *blob = NULL;
	int r;

	if (copy_from_user(&in, u64_to_user_ptr(cmd->data), sizeof(in)))
		return -EFAULT;
	if (in.address && in.length) {
		if (in.length > SEV_FW_BLOB_MAX_SIZE)
			return -EFAULT;
		blob = kzalloc(in.length, GFP_KERNEL);
		if (!blob)
			return -ENOMEM;
		d.address = __pa(blob);
		d.len = in.length;
	}
	r = sevsim_auto_init(&cmd->error);
	if (r)
		goto out;
	r = sevsim_fw(SEV_CMD_PEK_CSR, &d, &cmd->error);
	in.length = d.len;
	if (copy_to_user(u64_to_user_ptr(cmd->data), &in, sizeof(in)))
		r = -EFAULT;
	else if (!r && blob &&
		 copy_to_user(u64_to_user_ptr(in.address), blob, in.length))
		r = -EFAULT;
out:
	kfree(blob);
	return r;
}

static int sevsim_ioctl_pdh_export(struct sev_issue_cmd *cmd, bool writable)
{
	struct sev_user_data_pdh_cert_export in;
	struct sev_data_pdh_cert_export d = {};
	void *pdh = NULL, *chain = NULL;
	int r;

	if (READ_ONCE(sevsim_pstate) == SEVSIM_PSTATE_UNINIT) {
		if (!writable)
			return -EPERM;
		r = sevsim_auto_init(&cmd->error);
		if (r)
			return r;
	}
	if (copy_from_user(&in, u64_to_user_ptr(cmd->data), sizeof(in)))
		return -EFAULT;
	if (in.pdh_cert_address && in.pdh_cert_len && in.cert_chain_address &&
	    in.cert_chain_len) {
		if (in.pdh_cert_len > SEV_FW_BLOB_MAX_SIZE ||
		    in.cert_chain_len > SEV_FW_BLOB_MAX_SIZE)
			return -EFAULT;
		pdh = kzalloc(in.pdh_cert_len, GFP_KERNEL);
		chain = kzalloc(in.cert_chain_len, GFP_KERNEL);
		if (!pdh || !chain) {
			r = -ENOMEM;
			goto out;
		}
		d.pdh_cert_address = __pa(pdh);
		d.pdh_cert_len = in.pdh_cert_len;
		d.cert_chain_address = __pa(chain);
		d.cert_chain_len = in.cert_chain_len;
	}
	r = sevsim_fw(SEV_CMD_PDH_CERT_EXPORT, &d, &cmd->error);
	in.pdh_cert_len = d.pdh_cert_len;
	in.cert_chain_len = d.cert_chain_len;
	if (copy_to_user(u64_to_user_ptr(cmd->data), &in, sizeof(in))) {
		r = -EFAULT;
		goto out;
	}
	if (r || !pdh)
		goto out;
	if (copy_to_user(u64_to_user_ptr(in.pdh_cert_address), pdh,
			 in.pdh_cert_len) ||
	    copy_to_user(u64_to_user_ptr(in.cert_chain_address), chain,
			 in.cert_chain_len))
		r = -EFAULT;
out:
	kfree(chain);
	kfree(pdh);
	return r;
}

/* A certificate blob from the caller, as psp_copy_user_blob(). */
static void *sevsim_user_blob(u64 uaddr, u32 len)
{
	if (!uaddr || !len || len > SEV_FW_BLOB_MAX_SIZE)
		return ERR_PTR(-EINVAL);
	return memdup_user(u64_to_user_ptr(uaddr), len);
}

static int sevsim_ioctl_pek_import(struct sev_issue_cmd *cmd)
{
	struct sev_user_data_pek_cert_import in;
	struct sev_data_pek_cert_import d = {};
	void *pek, *oca;
	int r;

	if (copy_from_user(&in, u64_to_user_ptr(cmd->data), sizeof(in)))
		return -EFAULT;
	pek = sevsim_user_blob(in.pek_cert_address, in.pek_cert_len);
	if (IS_ERR(pek))
		return PTR_ERR(pek);
	oca = sevsim_user_blob(in.oca_cert_address, in.oca_cert_len);
	if (IS_ERR(oca)) {
		r = PTR_ERR(oca);
		goto out_pek;
	}
	d.pek_cert_address = __pa(pek);
	d.pek_cert_len = in.pek_cert_len;
	d.oca_cert_address = __pa(oca);
	d.oca_cert_len = in.oca_cert_len;
	r = sevsim_auto_init(&cmd->error);
	if (!r)
		r = sevsim_fw(SEV_CMD_PEK_CERT_IMPORT, &d, &cmd->error);
	kfree(oca);
out_pek:
	kfree(pek);
	return r;
}

/* GET_ID2 (length query with a zero length), or GET_ID's fixed 64. */
static int sevsim_ioctl_get_id(struct sev_issue_cmd *cmd, bool v2)
{
	struct sev_user_data_get_id2 in = {};
	struct sev_data_get_id d = {};
	void *blob = NULL;
	int r;

	if (!v2) {
		in.address = cmd->data;
		in.length = sizeof(struct sev_user_data_get_id);
	} else if (copy_from_user(&in, u64_to_user_ptr(cmd->data),
				  sizeof(in))) {
		return -EFAULT;
	}
	if (in.address && in.length) {
		blob = kzalloc(in.length, GFP_KERNEL | __GFP_NOWARN);
		if (!blob)
			return -ENOMEM;
		d.address = __pa(blob);
		d.len = in.length;
	}
	r = sevsim_fw(SEV_CMD_GET_ID, &d, &cmd->error);
	in.length = d.len;
	if (v2 && copy_to_user(u64_to_user_ptr(cmd->data), &in, sizeof(in))) {
		r = -EFAULT;
		goto out;
	}
	if (!r && blob &&
	    copy_to_user(u64_to_user_ptr(in.address), blob, d.len))
		r = -EFAULT;
out:
	kfree(blob);
	return r;
}

int sevsim_pki_ioctl(struct sev_issue_cmd *cmd, bool writable)
{
	cmd->error = 0;
	switch (cmd->cmd) {
	case SEV_FACTORY_RESET:
		return writable ? sevsim_ioctl_reset(&cmd->error) : -EPERM;
	case SEV_PEK_GEN:
	case SEV_PDH_GEN:
		if (!writable)
			return -EPERM;
		if (sevsim_auto_init(&cmd->error))
			return -EIO;
		return sevsim_fw(cmd->cmd == SEV_PEK_GEN ? SEV_CMD_PEK_GEN :
							   SEV_CMD_PDH_GEN,
				 NULL, &cmd->error);
	case SEV_PEK_CSR:
		return writable ? sevsim_ioctl_pek_csr(cmd) : -EPERM;
	case SEV_PDH_CERT_EXPORT:
		return sevsim_ioctl_pdh_export(cmd, writable);
	case SEV_PEK_CERT_IMPORT:
		return writable ? sevsim_ioctl_pek_import(cmd) : -EPERM;
	case SEV_GET_ID:
		return sevsim_ioctl_get_id(cmd, false);
	case SEV_GET_ID2:
		return sevsim_ioctl_get_id(cmd, true);
	default:
		return -EINVAL;
	}
}
