// SPDX-License-Identifier: GPL-2.0-only
/*
 * sevsim's cryptography, all from the kernel's crypto library and API:
 *
 * - memory: AES-128 XEX per 16-byte block with the block's physical
 *   address as the tweak, C = E_K1(P ^ T) ^ T with T = E_K2(pa), so the
 *   same plaintext reads differently at every address and in every guest,
 *   and any aligned 16-byte fragment decrypts on its own, as on hardware;
 * - the launch digest: SHA-256 over the plaintext loaded at launch;
 * - the measurement: HMAC-SHA256 keyed with the TIK (SEV API 6.5.2).
 *
 * Firmware commands address memory by physical address; the pages are
 * pinned by KVM for the command's duration.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/highmem.h>
#include <linux/mm.h>

#include "sevsim.h"

static struct page *sevsim_pa_page(phys_addr_t pa)
{
	unsigned long pfn = PHYS_PFN(pa);

	return pfn_valid(pfn) ? pfn_to_page(pfn) : NULL;
}

/* Walk [pa, pa + len) a page at a time; fn gets each mapped piece. */
static int sevsim_walk_pa(phys_addr_t pa, size_t len,
			  int (*fn)(void *va, size_t n, void *arg), void *arg)
{
	while (len) {
		size_t off = offset_in_page(pa), n = min(len, PAGE_SIZE - off);
		struct page *page = sevsim_pa_page(pa);
		void *va;
		int r;

		if (!page)
			return SEV_RET_INVALID_ADDRESS;
		va = kmap_local_page(page);
		r = fn(va + off, n, arg);
		kunmap_local(va);
		if (r)
			return r;
		pa += n;
		len -= n;
	}
	return SEV_RET_SUCCESS;
}

static int sevsim_nop(void *va, size_t n, void *arg)
{
	return 0;
}

/*
 * Whether every page of [pa, pa + len) is memory the firmware can reach:
 * checked before a command touches anything, so that it fails whole.
 */
int sevsim_pa_check(phys_addr_t pa, size_t len)
{
	return sevsim_walk_pa(pa, len, sevsim_nop, NULL);
}

static int sevsim_put(void *va, size_t n, void *arg)
{
	const u8 **src = arg;

	memcpy(va, *src, n);
	*src += n;
	return 0;
}

int sevsim_copy_to_pa(phys_addr_t pa, const void *src, size_t len)
{
	return sevsim_walk_pa(pa, len, sevsim_put, &src);
}

static int sevsim_hash(void *va, size_t n, void *arg)
{
	sha256_update(arg, va, n);
	return 0;
}

/* Extend the launch digest with the plaintext at pa. */
int sevsim_digest_pa(struct sevsim_guest *g, phys_addr_t pa, u32 len)
{
	return sevsim_walk_pa(pa, len, sevsim_hash, &g->digest);
}

static void sevsim_block(struct sevsim_guest *g, u8 out[AES_BLOCK_SIZE],
			 const u8 in[AES_BLOCK_SIZE], phys_addr_t pa,
			 bool encrypt)
{
	u8 t[AES_BLOCK_SIZE] = {}, x[AES_BLOCK_SIZE];
	__le64 where = cpu_to_le64(pa);

	memcpy(t, &where, sizeof(where));
	aes_encrypt(&g->vek_tweak, t, t);
	crypto_xor_cpy(x, in, t, AES_BLOCK_SIZE);
	if (encrypt)
		aes_encrypt(&g->vek_data, x, x);
	else
		aes_decrypt(&g->vek_data, x, x);
	crypto_xor_cpy(out, x, t, AES_BLOCK_SIZE);
	memzero_explicit(x, sizeof(x));
}

/*
 * Transform len bytes from src to dst (both 16-byte aligned; they may be
 * the same). The tweak is the address of the ciphertext: dst when
 * encrypting, src when decrypting.
 */
int sevsim_xex(struct sevsim_guest *g, phys_addr_t dst, phys_addr_t src,
	       u32 len, bool encrypt)
{
	u8 in[AES_BLOCK_SIZE], out[AES_BLOCK_SIZE];
	u32 off;

	if (!IS_ALIGNED(dst | src, AES_BLOCK_SIZE))
		return SEV_RET_INVALID_ADDRESS;
	if (!len || !IS_ALIGNED(len, AES_BLOCK_SIZE))
		return SEV_RET_INVALID_LEN;
	/* All or nothing: no block is written if a later page is bad. */
	if (sevsim_pa_check(src, len) || sevsim_pa_check(dst, len))
		return SEV_RET_INVALID_ADDRESS;

	for (off = 0; off < len; off += AES_BLOCK_SIZE) {
		struct page *sp = sevsim_pa_page(src + off);
		struct page *dp = sevsim_pa_page(dst + off);
		void *va;

		if (!sp || !dp)
			return SEV_RET_INVALID_ADDRESS;
		va = kmap_local_page(sp);
		memcpy(in, va + offset_in_page(src + off), sizeof(in));
		kunmap_local(va);

		sevsim_block(g, out, in, encrypt ? dst + off : src + off,
			     encrypt);

		va = kmap_local_page(dp);
		memcpy(va + offset_in_page(dst + off), out, sizeof(out));
		kunmap_local(va);
	}
	memzero_explicit(in, sizeof(in));
	memzero_explicit(out, sizeof(out));
	return SEV_RET_SUCCESS;
}

/* HMAC-SHA256(TIK, 0x04 || API_MAJOR || API_MINOR || BUILD || POLICY ||
 * LD || MNONCE), SEV API spec 6.5.2.
 */
int sevsim_measure(struct sevsim_guest *g, const u8 mnonce[16], u8 out[32])
{
	u8 msg[1 + 3 + 4 + SHA256_DIGEST_SIZE + 16];
	__le32 policy = cpu_to_le32(g->policy);
	struct crypto_shash *tfm;
	int r;

	msg[0] = 0x04;
	msg[1] = SEVSIM_API_MAJOR;
	msg[2] = SEVSIM_API_MINOR;
	msg[3] = SEVSIM_BUILD;
	memcpy(msg + 4, &policy, 4);
	memcpy(msg + 8, g->ld, SHA256_DIGEST_SIZE);
	memcpy(msg + 8 + SHA256_DIGEST_SIZE, mnonce, 16);

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return SEV_RET_HWSEV_RET_PLATFORM;
	r = crypto_shash_setkey(tfm, g->tik, sizeof(g->tik));
	if (!r)
		r = crypto_shash_tfm_digest(tfm, msg, sizeof(msg), out);
	crypto_free_shash(tfm);
	return r ? SEV_RET_HWSEV_RET_PLATFORM : SEV_RET_SUCCESS;
}
