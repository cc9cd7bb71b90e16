/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SEV platform certificates (SEV API appendix C) for the selftests: the
 * layout, and their ECDSA P-384 keys and signatures checked and made with
 * OpenSSL, independently of sevsim's kernel code (Documentation/sevsim.rst,
 * "Platform keys and certificates").
 */
#ifndef PGENC_SEV_CERT_H
#define PGENC_SEV_CERT_H

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "sev_util.h"

#define SEV_CERT_BODY_LEN 0x414
#define SEV_USAGE_INVALID 0x1000
#define SEV_USAGE_OCA 0x1001
#define SEV_USAGE_PEK 0x1002
#define SEV_USAGE_PDH 0x1003
#define SEV_USAGE_CEK 0x1004
#define SEV_ALGO_ECDSA_SHA256 0x2
#define SEV_ALGO_ECDH_SHA256 0x3
#define SEV_CURVE_P384 0x2
#define SEV_ECC 48 /* P-384 bytes of the 72-byte fields */

struct sev_cert_sig {
	uint32_t usage;
	uint32_t algo;
	uint8_t r[72];
	uint8_t s[72];
	uint8_t rsvd[368];
} __attribute__((packed));

struct sev_cert {
	uint32_t version;
	uint8_t api_major;
	uint8_t api_minor;
	uint8_t reserved[2];
	uint32_t usage;
	uint32_t algo;
	uint32_t curve;
	uint8_t qx[72];
	uint8_t qy[72];
	uint8_t rsvd[880];
	struct sev_cert_sig sig[2];
} __attribute__((packed));

_Static_assert(sizeof(struct sev_cert) == SEV_CERT_LEN, "certificate size");

static inline void sev_reverse(uint8_t *dst, const uint8_t *src, int n)
{
	int i;

	for (i = 0; i < n; i++)
		dst[i] = src[n - 1 - i];
}

/* The certificate's public key, or NULL if it is not a P-384 point. */
static inline EVP_PKEY *sev_cert_pkey(const struct sev_cert *c)
{
	uint8_t pt[1 + 2 * SEV_ECC];
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;
	OSSL_PARAM *p;

	TEST_ASSERT(b && ctx, "OpenSSL allocation");
	pt[0] = 4; /* uncompressed: 04 || x || y, big-endian */
	sev_reverse(pt + 1, c->qx, SEV_ECC);
	sev_reverse(pt + 1 + SEV_ECC, c->qy, SEV_ECC);
	OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "P-384",
					0);
	OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt,
					 sizeof(pt));
	p = OSSL_PARAM_BLD_to_param(b);
	TEST_ASSERT(p, "OpenSSL parameters");
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, p) <= 0)
		k = NULL;
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(ctx);
	return k;
}

/* Whether the key is a valid point of P-384 (OpenSSL's public check). */
static inline bool sev_cert_point_ok(const struct sev_cert *c)
{
	EVP_PKEY *k = sev_cert_pkey(c);
	EVP_PKEY_CTX *ctx;
	bool ok;

	if (!k)
		return false;
	ctx = EVP_PKEY_CTX_new(k, NULL);
	ok = ctx && EVP_PKEY_public_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(k);
	return ok;
}

/*
 * Whether signature slot of c (r, s little-endian) is a valid ECDSA
 * signature of SHA-256 over c's body by signer's public key.
 */
static inline bool sev_cert_sig_ok(const struct sev_cert *c, int slot,
				   const struct sev_cert *signer)
{
	const struct sev_cert_sig *sg = &c->sig[slot];
	EVP_PKEY *k = sev_cert_pkey(signer);
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	ECDSA_SIG *sig = ECDSA_SIG_new();
	unsigned char *der = NULL;
	bool ok = false;
	int len;

	TEST_ASSERT(k && m && sig, "signer key %#x", signer->usage);
	TEST_ASSERT(ECDSA_SIG_set0(sig, BN_lebin2bn(sg->r, SEV_ECC, NULL),
				   BN_lebin2bn(sg->s, SEV_ECC, NULL)),
		    "ECDSA_SIG_set0");
	len = i2d_ECDSA_SIG(sig, &der);
	if (len > 0 &&
	    EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, k) == 1)
		ok = EVP_DigestVerify(m, der, len, (const uint8_t *)c,
				      SEV_CERT_BODY_LEN) == 1;
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(k);
	return ok;
}

/* A new P-384 key pair (OpenSSL) and its public key into c's body. */
static inline EVP_PKEY *sev_cert_keygen(struct sev_cert *c)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	uint8_t pt[1 + 2 * SEV_ECC];
	size_t len = 0;

	TEST_ASSERT(k, "P-384 key generation");
	TEST_ASSERT(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY,
						    pt, sizeof(pt), &len) &&
			    len == sizeof(pt) && pt[0] == 4,
		    "P-384 public key");
	memset(c->qx, 0, sizeof(c->qx));
	memset(c->qy, 0, sizeof(c->qy));
	sev_reverse(c->qx, pt + 1, SEV_ECC);
	sev_reverse(c->qy, pt + 1 + SEV_ECC, SEV_ECC);
	c->curve = SEV_CURVE_P384;
	return k;
}

/* Sign c's body with k into slot, as a key of usage usage. */
static inline void sev_cert_sign(struct sev_cert *c, int slot, EVP_PKEY *k,
				 uint32_t usage)
{
	struct sev_cert_sig *sg = &c->sig[slot];
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned char der[128];
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	size_t len = sizeof(der);
	ECDSA_SIG *sig;

	TEST_ASSERT(m &&
			    EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL,
					       k) == 1 &&
			    EVP_DigestSign(m, der, &len, (const uint8_t *)c,
					   SEV_CERT_BODY_LEN) == 1,
		    "ECDSA sign");
	sig = d2i_ECDSA_SIG(NULL, &p, len);
	TEST_ASSERT(sig, "ECDSA signature decoding");
	ECDSA_SIG_get0(sig, &r, &s);
	memset(sg, 0, sizeof(*sg));
	sg->usage = usage;
	sg->algo = SEV_ALGO_ECDSA_SHA256;
	TEST_ASSERT(BN_bn2lebinpad(r, sg->r, sizeof(sg->r)) > 0 &&
			    BN_bn2lebinpad(s, sg->s, sizeof(sg->s)) > 0,
		    "r, s");
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(m);
}

#endif /* PGENC_SEV_CERT_H */
