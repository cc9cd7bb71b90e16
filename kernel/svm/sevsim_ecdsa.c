// SPDX-License-Identifier: GPL-2.0-only
/*
 * ECDSA P-384 for sevsim's certificates. The 6.1 crypto API has no ECDSA
 * signing, and Debian's 6.1 builds no "ecdsa-nist-p384" verifier either
 * (CONFIG_CRYPTO_ECDSA is off), so both are the ECDSA formulas (FIPS
 * 186-4 section 6.4) on the helpers that crypto/ecc.c exports: key
 * validity, k*G, u1*G + u2*Q, and arithmetic modulo n. No field or curve
 * arithmetic is written here (Documentation/sevsim.rst, "Platform keys
 * and certificates").
 */
#include <crypto/ecdh.h>
#include <crypto/internal/ecc.h>
#include <crypto/sha2.h>
#include <linux/random.h>
#include <linux/string.h>

#include "pgenc_compat.h"
#include "sevsim.h"

#define ND (SEVSIM_ECC_LEN / sizeof(u64)) /* 6 digits */

static const struct ecc_curve *sevsim_p384(void)
{
	return ecc_get_curve(ECC_CURVE_NIST_P384);
}

/* Digits from a little-endian field of a certificate, and back. */
static void sevsim_from_le(u64 *v, const u8 *le)
{
	vli_from_le64(v, le, ND);
}

static void sevsim_to_le(u8 *le, const u64 *v)
{
	unsigned int i;

	for (i = 0; i < ND; i++)
		put_unaligned_le64(v[i], le + 8 * i);
}

/* Big-endian bytes (the kpp and ecc_make_pub_key format) to little. */
static void sevsim_be_to_le(u8 *le, const u8 *be)
{
	unsigned int i;

	for (i = 0; i < SEVSIM_ECC_LEN; i++)
		le[i] = be[SEVSIM_ECC_LEN - 1 - i];
}

/* (a + b) mod n for a, b < n, with the exported vli_sub only. */
static void sevsim_mod_add(u64 *res, const u64 *a, const u64 *b, const u64 *n)
{
	u64 t[ND];

	vli_sub(t, n, b, ND); /* n - b, in (0, n] */
	if (vli_cmp(a, t, ND) >= 0) {
		vli_sub(res, a, t, ND); /* a + b - n */
	} else {
		vli_sub(t, t, a, ND);
		vli_sub(res, n, t, ND); /* n - (n - b - a) */
	}
}

/* x mod n for a coordinate x < p: p < 2n, so one subtraction. */
static void sevsim_mod_n(u64 *x, const struct ecc_curve *c)
{
	if (vli_cmp(x, c->n, ND) >= 0)
		vli_sub(x, x, c->n, ND);
}

/*
 * A private key: random bytes until they are a valid key, in [2, n - 3]
 * (FIPS 186-4 B.4.2, testing candidates), from get_random_bytes(), not
 * ecc_gen_privkey(), which needs the crypto API's default RNG (the drbg
 * module and its hash modules). The key is big-endian, the format of
 * crypto_ecdh_encode_key(); ecdh_set_secret() also checks the bytes as
 * if they were native digits, so both readings must pass.
 */
int sevsim_ecc_privkey(struct sevsim_ecc_key *k)
{
	u64 v[ND];
	int i;

	for (i = 0; i < 64; i++) {
		get_random_bytes(k->d, sizeof(k->d));
		vli_from_be64(v, k->d, ND);
		if (!ecc_is_key_valid(ECC_CURVE_NIST_P384, ND, v,
				      SEVSIM_ECC_LEN) &&
		    !ecc_is_key_valid(ECC_CURVE_NIST_P384, ND,
				      (const u64 *)k->d, SEVSIM_ECC_LEN)) {
			memzero_explicit(v, sizeof(v));
			return 0;
		}
	}
	memzero_explicit(v, sizeof(v));
	memzero_explicit(k->d, sizeof(k->d));
	return -EAGAIN;
}

/* A key pair: d and Q = d*G (checked by ecc_make_pub_key()). */
int sevsim_ecc_keygen(struct sevsim_ecc_key *k)
{
	u64 q[2 * ND], d[ND];
	int r;

	r = sevsim_ecc_privkey(k);
	if (r)
		return r;
	pgenc_ecc_privkey(d, ND, k->d, sizeof(k->d));
	r = ecc_make_pub_key(ECC_CURVE_NIST_P384, ND, d, q);
	memzero_explicit(d, sizeof(d));
	if (r) {
		memzero_explicit(k->d, sizeof(k->d));
		return r;
	}
	sevsim_be_to_le(k->qx, (const u8 *)q);
	sevsim_be_to_le(k->qy, (const u8 *)&q[ND]);
	return 0;
}

/* Whether (qx, qy) is a point of P-384 (SP 800-56A 5.6.2.3.4). */
int sevsim_ecc_pub_check(const u8 *qx, const u8 *qy)
{
	u64 x[ND], y[ND];
	struct ecc_point q = ECC_POINT_INIT(x, y, ND);

	sevsim_from_le(x, qx);
	sevsim_from_le(y, qy);
	return ecc_is_pubkey_valid_partial(sevsim_p384(), &q);
}

/*
 * e: the SHA-256 digest of msg as an integer. 256 bits are fewer than
 * n's 384, so it is taken whole and is already below n.
 */
static void sevsim_ecdsa_e(u64 *e, const u8 *msg, size_t len)
{
	u8 h[SEVSIM_ECC_LEN] = {};

	sha256(msg, len, h + SEVSIM_ECC_LEN - SHA256_DIGEST_SIZE);
	vli_from_be64(e, h, ND);
}

/*
 * Sign SHA-256(msg) with k's private key; r and s out little-endian, as
 * in a certificate's signature: k random, r = (k*G).x mod n,
 * s = k^-1 (e + r d) mod n, both non-zero.
 */
int sevsim_ecdsa_sign(const struct sevsim_ecc_key *k, const u8 *msg, size_t len,
		      u8 *r_le, u8 *s_le)
{
	const struct ecc_curve *c = sevsim_p384();
	struct sevsim_ecc_key nonce;
	u64 e[ND], d[ND], r[ND], s[ND], t[ND], kv[ND];
	int i, ret = -EAGAIN;

	sevsim_ecdsa_e(e, msg, len);
	vli_from_be64(d, k->d, ND);
	for (i = 0; i < 16; i++) {
		ret = sevsim_ecc_keygen(&nonce);
		if (ret)
			break;
		sevsim_from_le(r, nonce.qx);
		sevsim_mod_n(r, c);
		if (vli_is_zero(r, ND))
			continue;
		vli_mod_mult_slow(t, r, d, c->n, ND);
		sevsim_mod_add(t, t, e, c->n);
		vli_from_be64(kv, nonce.d, ND);
		vli_mod_inv(kv, kv, c->n, ND);
		vli_mod_mult_slow(s, kv, t, c->n, ND);
		if (vli_is_zero(s, ND))
			continue;
		sevsim_to_le(r_le, r);
		sevsim_to_le(s_le, s);
		ret = 0;
		break;
	}
	/* t = r d + e, with r and e public, gives d away as well. */
	memzero_explicit(&nonce, sizeof(nonce));
	memzero_explicit(d, sizeof(d));
	memzero_explicit(kv, sizeof(kv));
	memzero_explicit(t, sizeof(t));
	return ret;
}

/*
 * Verify a signature (r, s little-endian) of SHA-256(msg) by the public
 * key (qx, qy): 0, or -EINVAL for a key off the curve, -EBADMSG for a
 * signature that does not verify. w = s^-1, X = (e w)*G + (r w)*Q,
 * valid if X.x mod n = r.
 */
int sevsim_ecdsa_verify(const u8 *qx, const u8 *qy, const u8 *msg, size_t len,
			const u8 *r_le, const u8 *s_le)
{
	const struct ecc_curve *c = sevsim_p384();
	u64 x[ND], y[ND], rx[ND], ry[ND];
	u64 e[ND], r[ND], s[ND], w[ND], u1[ND], u2[ND];
	struct ecc_point q = ECC_POINT_INIT(x, y, ND);
	struct ecc_point res = ECC_POINT_INIT(rx, ry, ND);

	sevsim_from_le(x, qx);
	sevsim_from_le(y, qy);
	if (ecc_is_pubkey_valid_partial(c, &q))
		return -EINVAL;
	sevsim_from_le(r, r_le);
	sevsim_from_le(s, s_le);
	if (vli_is_zero(r, ND) || vli_cmp(r, c->n, ND) >= 0 ||
	    vli_is_zero(s, ND) || vli_cmp(s, c->n, ND) >= 0)
		return -EBADMSG;
	sevsim_ecdsa_e(e, msg, len);
	vli_mod_inv(w, s, c->n, ND);
	vli_mod_mult_slow(u1, e, w, c->n, ND);
	vli_mod_mult_slow(u2, r, w, c->n, ND);
	ecc_point_mult_shamir(&res, u1, &c->g, u2, &q, c);
	sevsim_mod_n(rx, c);
	return vli_cmp(rx, r, ND) ? -EBADMSG : 0;
}
