// SPDX-License-Identifier: GPL-2.0-only
/*
 * sevsim's cryptography, all from the kernel's crypto API and library:
 *
 * - memory: AES-128 XEX per 16-byte block with the block's physical
 *   address as the tweak, C = E_K1(P ^ T) ^ T with T = E_K2(pa), so the
 *   same plaintext reads differently at every address and in every guest,
 *   and any aligned 16-byte fragment decrypts on its own, as on hardware.
 *   Each block has its own tweak (not XTS's multiples within a data unit),
 *   so both AES steps are ECB: a page at a time, "ecb(aes)" makes the
 *   page's tweaks from its addresses, then transforms the tweaked data;
 * - the launch digest: SHA-256 over the plaintext loaded at launch;
 * - the measurement: HMAC-SHA256 keyed with the TIK (SEV API 6.5.2).
 *
 * Firmware commands address memory by physical address; the pages are
 * pinned by KVM for the command's duration. A command can span any
 * number of contiguous pages: it works a page at a time and may
 * reschedule between pages (Documentation/sevsim.rst, "Locking").
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "pgenc_compat.h"
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
		cond_resched();
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

static int sevsim_get(void *va, size_t n, void *arg)
{
	u8 **dst = arg;

	memcpy(*dst, va, n);
	*dst += n;
	return 0;
}

int sevsim_copy_from_pa(void *dst, phys_addr_t pa, size_t len)
{
	return sevsim_walk_pa(pa, len, sevsim_get, &dst);
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

/* Whether the cipher a guest needs can be had (at start: a clear error). */
int sevsim_crypto_check(void)
{
	struct crypto_skcipher *tfm = crypto_alloc_skcipher("ecb(aes)", 0, 0);

	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	crypto_free_skcipher(tfm);
	return 0;
}

/*
 * What sevsim_xex() works with, made at LAUNCH_START so that no command
 * allocates once it has checked its arguments: the guest's two "ecb(aes)"
 * transforms (K1 for data, K2 for tweaks), a request for each, and a page
 * of data and of its tweaks. Commands run one at a time (sevsim_lock).
 */
struct sevsim_xex_ctx {
	struct crypto_skcipher *tfm[2];
	struct skcipher_request *data, *tweak;
	struct crypto_wait wait;
	u8 *buf, *t;
};

void sevsim_keys_free(struct sevsim_guest *g)
{
	struct sevsim_xex_ctx *c = g->xex;
	int i;

	if (!c)
		return;
	skcipher_request_free(c->data);
	skcipher_request_free(c->tweak);
	for (i = 0; i < 2; i++)
		if (!IS_ERR_OR_NULL(c->tfm[i]))
			crypto_free_skcipher(c->tfm[i]);
	kfree_sensitive(c->buf);
	kfree_sensitive(c->t);
	kfree(c);
	g->xex = NULL;
}

int sevsim_keys_init(struct sevsim_guest *g)
{
	struct sevsim_xex_ctx *c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	int i;

	g->xex = c;
	if (!c)
		return -ENOMEM;
	for (i = 0; i < 2; i++) {
		c->tfm[i] = crypto_alloc_skcipher("ecb(aes)", 0, 0);
		if (IS_ERR(c->tfm[i]) ||
		    crypto_skcipher_setkey(c->tfm[i],
					   g->vek + i * AES_KEYSIZE_128,
					   AES_KEYSIZE_128))
			goto fail;
	}
	c->data = skcipher_request_alloc(c->tfm[0], GFP_KERNEL_ACCOUNT);
	c->tweak = skcipher_request_alloc(c->tfm[1], GFP_KERNEL_ACCOUNT);
	c->buf = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	c->t = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	if (!c->data || !c->tweak || !c->buf || !c->t)
		goto fail;
	crypto_init_wait(&c->wait);
	skcipher_request_set_callback(c->data, CRYPTO_TFM_REQ_MAY_SLEEP,
				      crypto_req_done, &c->wait);
	skcipher_request_set_callback(c->tweak, CRYPTO_TFM_REQ_MAY_SLEEP,
				      crypto_req_done, &c->wait);
	return 0;
fail:
	sevsim_keys_free(g);
	return -ENOMEM;
}

static int sevsim_ecb(struct sevsim_xex_ctx *c, struct skcipher_request *req,
		      u8 *buf, u32 n, bool encrypt)
{
	struct scatterlist sg;

	sg_init_one(&sg, buf, n);
	skcipher_request_set_crypt(req, &sg, &sg, n, NULL);
	return crypto_wait_req(encrypt ? crypto_skcipher_encrypt(req) :
					 crypto_skcipher_decrypt(req),
			       &c->wait);
}

/* n bytes (n <= PAGE_SIZE) in c->buf, whose ciphertext is at tweak_pa. */
static int sevsim_xex_chunk(struct sevsim_xex_ctx *c, phys_addr_t tweak_pa,
			    u32 n, bool encrypt)
{
	u32 off;
	int r;

	memset(c->t, 0, n);
	for (off = 0; off < n; off += AES_BLOCK_SIZE)
		put_unaligned_le64(tweak_pa + off, c->t + off);
	r = sevsim_ecb(c, c->tweak, c->t, n, true);
	if (r)
		return r;
	crypto_xor(c->buf, c->t, n);
	r = sevsim_ecb(c, c->data, c->buf, n, encrypt);
	crypto_xor(c->buf, c->t, n);
	return r;
}

static void sevsim_pa_copy(void *buf, phys_addr_t pa, u32 n, bool to_pa)
{
	void *va = kmap_local_page(sevsim_pa_page(pa));

	if (to_pa)
		memcpy(va + offset_in_page(pa), buf, n);
	else
		memcpy(buf, va + offset_in_page(pa), n);
	kunmap_local(va);
}

/*
 * The checks of a DBG transfer, before anything is written: 16-byte
 * aligned addresses, a non-zero multiple of 16 bytes, and every page of
 * both ranges valid (all or nothing). SEV_RET_*.
 */
static int sevsim_xfer_check(phys_addr_t dst, phys_addr_t src, u32 len)
{
	if (!IS_ALIGNED(dst | src, AES_BLOCK_SIZE))
		return SEV_RET_INVALID_ADDRESS;
	if (!len || !IS_ALIGNED(len, AES_BLOCK_SIZE))
		return SEV_RET_INVALID_LEN;
	if (sevsim_pa_check(src, len) || sevsim_pa_check(dst, len))
		return SEV_RET_INVALID_ADDRESS;
	return SEV_RET_SUCCESS;
}

/*
 * Transform len bytes from src to dst (both 16-byte aligned; they may be
 * the same). The tweak is the address of the ciphertext: dst when
 * encrypting, src when decrypting. A piece at a time that lies within one
 * page of both, with a scheduling point between pieces.
 */
int sevsim_xex(struct sevsim_guest *g, phys_addr_t dst, phys_addr_t src,
	       u32 len, bool encrypt)
{
	struct sevsim_xex_ctx *c = g->xex;
	u32 done, n;
	int r;

	r = sevsim_xfer_check(dst, src, len);
	if (r)
		return r;

	for (done = 0; done < len; done += n) {
		n = min3(len - done,
			 (u32)(PAGE_SIZE - offset_in_page(src + done)),
			 (u32)(PAGE_SIZE - offset_in_page(dst + done)));
		sevsim_pa_copy(c->buf, src + done, n, false);
		/* Cannot fail: a synchronous cipher, whole blocks, no allocation. */
		if (WARN_ON_ONCE(sevsim_xex_chunk(c,
						  (encrypt ? dst : src) + done,
						  n, encrypt))) {
			r = SEV_RET_HWSEV_RET_PLATFORM;
			break;
		}
		sevsim_pa_copy(c->buf, dst + done, n, true);
		cond_resched();
	}
	memzero_explicit(c->buf, PAGE_SIZE);
	return r;
}

/*
 * DBG_DECRYPT/ENCRYPT of a guest whose memory is plain (memcrypt N): the
 * checks of sevsim_xex(), then a copy a piece at a time that lies within
 * one page of both (src may be dst).
 */
int sevsim_copy_pa(phys_addr_t dst, phys_addr_t src, u32 len)
{
	u32 done, n;
	void *s, *d;
	int r;

	r = sevsim_xfer_check(dst, src, len);
	if (r)
		return r;
	for (done = 0; done < len; done += n) {
		n = min3(len - done,
			 (u32)(PAGE_SIZE - offset_in_page(src + done)),
			 (u32)(PAGE_SIZE - offset_in_page(dst + done)));
		s = kmap_local_page(sevsim_pa_page(src + done));
		d = kmap_local_page(sevsim_pa_page(dst + done));
		memmove(d + offset_in_page(dst + done),
			s + offset_in_page(src + done), n);
		kunmap_local(d);
		kunmap_local(s);
		cond_resched();
	}
	return SEV_RET_SUCCESS;
}

/*
 * What the guest sees at [pa, pa + len) (16-byte aligned, checked by the
 * caller) into buf, or buf written there as the guest will see it: through
 * the VEK when its memory is XEX (Documentation/sevsim.rst, "Migration").
 */
static int sevsim_guest_rw(struct sevsim_guest *g, u8 *buf, phys_addr_t pa,
			   u32 len, bool write)
{
	struct sevsim_xex_ctx *c = g->xex;
	u32 done, n;
	int r = SEV_RET_SUCCESS;

	for (done = 0; done < len; done += n) {
		n = min(len - done,
			(u32)(PAGE_SIZE - offset_in_page(pa + done)));
		if (!g->memcrypt) {
			sevsim_pa_copy(buf + done, pa + done, n, write);
			continue;
		}
		if (write)
			memcpy(c->buf, buf + done, n);
		else
			sevsim_pa_copy(c->buf, pa + done, n, false);
		if (WARN_ON_ONCE(sevsim_xex_chunk(c, pa + done, n, write))) {
			r = SEV_RET_HWSEV_RET_PLATFORM;
			break;
		}
		if (write)
			sevsim_pa_copy(c->buf, pa + done, n, true);
		else
			memcpy(buf + done, c->buf, n);
	}
	memzero_explicit(c->buf, PAGE_SIZE);
	return r;
}

int sevsim_guest_read(struct sevsim_guest *g, void *dst, phys_addr_t pa,
		      u32 len)
{
	return sevsim_guest_rw(g, dst, pa, len, false);
}

int sevsim_guest_write(struct sevsim_guest *g, phys_addr_t pa, const void *src,
		       u32 len)
{
	return sevsim_guest_rw(g, (u8 *)src, pa, len, true);
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
