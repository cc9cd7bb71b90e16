// SPDX-License-Identifier: GPL-2.0-only
/*
 * sevsim's migration commands: SEND_START, SEND_UPDATE_DATA, SEND_FINISH,
 * SEND_CANCEL, RECEIVE_START, RECEIVE_UPDATE_DATA and RECEIVE_FINISH, with
 * the SEV API's states, checks and transport cryptography
 * (Documentation/sevsim.rst, "Migration"):
 *
 * - master secret = KDF(ECDH P-384 of the two PDH keys, "sev-master-secret",
 *   NONCE); KEK = KDF(master, "sev-kek"), KIK = KDF(master, "sev-kik"); the
 *   KDF is NIST SP 800-108 in counter mode with HMAC-SHA256;
 * - WRAP_TK = AES-128-CTR(KEK, WRAP_IV, TEK || TIK), WRAP_MAC =
 *   HMAC-SHA256(KIK, WRAP_TK), POLICY_MAC = HMAC-SHA256(TIK, POLICY);
 * - a packet: AES-128-CTR(TEK, IV, data) with a fresh IV, and MAC =
 *   HMAC-SHA256(TIK, header context || ciphertext).
 *
 * Every primitive is the kernel crypto API's ("ctr(aes)", "hmac(sha256)";
 * ECDH in sevsim_pki.c). A guest's channel (its transforms, keys and a
 * page of scratch) is made at SEND_START/RECEIVE_START, so the per-page
 * commands allocate nothing. Every command runs under sevsim_lock and
 * changes nothing when it fails.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "sevsim.h"

#define SEVSIM_KEY_LEN 16 /* TEK, TIK, KEK, KIK, master secret */
#define SEVSIM_SECRET_LEN 48 /* ECDH P-384: the shared x coordinate */
/* Upper bound of a certificate chain blob, as KVM bounds its blobs. */
#define SEVSIM_CHAIN_MAX (16 * 1024)
/* Header context of a data packet (the API's channel context DATA). */
#define SEVSIM_CTX_DATA 0x02

/* The session data of the SEV API's SEND_START and RECEIVE_START. */
struct sevsim_session {
	u8 nonce[16];
	u8 wrap_tk[2 * SEVSIM_KEY_LEN];
	u8 wrap_iv[16];
	u8 wrap_mac[SHA256_DIGEST_SIZE];
	u8 policy_mac[SHA256_DIGEST_SIZE];
} __packed;

/* The packet header of the SEV API's SEND/RECEIVE_UPDATE_DATA. */
struct sevsim_pkt_hdr {
	__le32 flags;
	u8 iv[16];
	u8 mac[SHA256_DIGEST_SIZE];
} __packed;

/* What the packet MAC covers before the ciphertext (all little endian). */
struct sevsim_pkt_ctx {
	u8 ctx;
	__le32 flags;
	u8 iv[16];
	__le32 uncompressed_len;
	__le32 trans_len;
} __packed;

struct sevsim_chan {
	struct crypto_skcipher *ctr; /* keyed with the TEK once open */
	struct skcipher_request *req;
	struct crypto_shash *hmac; /* keyed with the TIK once open */
	struct crypto_wait wait;
	u8 *buf; /* a page: one packet's data */
	u8 tek[SEVSIM_KEY_LEN], tik[SEVSIM_KEY_LEN];
};

static void sevsim_chan_destroy(struct sevsim_chan *c)
{
	if (!c)
		return;
	skcipher_request_free(c->req);
	if (!IS_ERR_OR_NULL(c->ctr))
		crypto_free_skcipher(c->ctr);
	if (!IS_ERR_OR_NULL(c->hmac))
		crypto_free_shash(c->hmac);
	kfree_sensitive(c->buf);
	kfree_sensitive(c);
}

/* At FINISH, CANCEL and DECOMMISSION: the keys die with the channel. */
void sevsim_chan_free(struct sevsim_guest *g)
{
	sevsim_chan_destroy(g->chan);
	g->chan = NULL;
}

static struct sevsim_chan *sevsim_chan_alloc(void)
{
	struct sevsim_chan *c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);

	if (!c)
		return NULL;
	c->ctr = crypto_alloc_skcipher("ctr(aes)", 0, 0);
	c->hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(c->ctr) || IS_ERR(c->hmac))
		goto fail;
	c->req = skcipher_request_alloc(c->ctr, GFP_KERNEL_ACCOUNT);
	c->buf = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	if (!c->req || !c->buf)
		goto fail;
	crypto_init_wait(&c->wait);
	skcipher_request_set_callback(c->req, CRYPTO_TFM_REQ_MAY_SLEEP,
				      crypto_req_done, &c->wait);
	return c;
fail:
	sevsim_chan_destroy(c);
	return NULL;
}

/* AES-128-CTR of c->buf[0, len) in place; key NULL: the one set. */
static int sevsim_ctr(struct sevsim_chan *c, const u8 *key, const u8 iv[16],
		      u32 len, bool encrypt)
{
	struct scatterlist sg;
	u8 ctr[16];
	int r;

	if (key) {
		r = crypto_skcipher_setkey(c->ctr, key, SEVSIM_KEY_LEN);
		if (r)
			return r;
	}
	memcpy(ctr, iv, sizeof(ctr)); /* the cipher advances its counter */
	sg_init_one(&sg, c->buf, len);
	skcipher_request_set_crypt(c->req, &sg, &sg, len, ctr);
	return crypto_wait_req(encrypt ? crypto_skcipher_encrypt(c->req) :
					 crypto_skcipher_decrypt(c->req),
			       &c->wait);
}

/* HMAC-SHA256 over a || b; key NULL: the one set (the TIK). */
static int sevsim_mac(struct sevsim_chan *c, const u8 *key, const void *a,
		      u32 alen, const void *b, u32 blen, u8 out[32])
{
	SHASH_DESC_ON_STACK(desc, c->hmac);
	int r;

	if (key) {
		r = crypto_shash_setkey(c->hmac, key, SEVSIM_KEY_LEN);
		if (r)
			return r;
	}
	desc->tfm = c->hmac;
	r = crypto_shash_init(desc);
	if (!r)
		r = crypto_shash_update(desc, a, alen);
	if (!r && blen)
		r = crypto_shash_update(desc, b, blen);
	if (!r)
		r = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return r;
}

/*
 * NIST SP 800-108 KDF in counter mode, PRF HMAC-SHA256: block i is
 * PRF(key, i || label || 0x00 || context || L), i and L (the output length
 * in bits) 32-bit little endian: the SEV API's key derivation function.
 */
static int sevsim_kdf(struct sevsim_chan *c, u8 *out, u32 out_len,
		      const u8 *key, u32 key_len, const char *label,
		      const u8 *context, u32 context_len)
{
	SHASH_DESC_ON_STACK(desc, c->hmac);
	__le32 l = cpu_to_le32(out_len * 8), i_le;
	u8 prf[SHA256_DIGEST_SIZE];
	u32 i, done, n;
	int r;

	r = crypto_shash_setkey(c->hmac, key, key_len);
	desc->tfm = c->hmac;
	for (i = 1, done = 0; !r && done < out_len; i++, done += n) {
		i_le = cpu_to_le32(i);
		r = crypto_shash_init(desc);
		if (!r)
			r = crypto_shash_update(desc, (u8 *)&i_le,
						sizeof(i_le));
		/* The label and its terminating NUL, the API's separator. */
		if (!r)
			r = crypto_shash_update(desc, label, strlen(label) + 1);
		if (!r && context_len)
			r = crypto_shash_update(desc, context, context_len);
		if (!r)
			r = crypto_shash_update(desc, (u8 *)&l, sizeof(l));
		if (!r)
			r = crypto_shash_final(desc, prf);
		n = min_t(u32, out_len - done, sizeof(prf));
		memcpy(out + done, prf, n);
	}
	shash_desc_zero(desc);
	memzero_explicit(prf, sizeof(prf));
	return r;
}

/* KEK and KIK from the PDH secret and the session's NONCE. */
static int sevsim_kek_kik(struct sevsim_chan *c, const u8 *peer_pdh,
			  const u8 nonce[16], u8 kek[16], u8 kik[16])
{
	u8 secret[SEVSIM_SECRET_LEN], master[SEVSIM_KEY_LEN];
	int r;

	r = sevsim_pki_shared_secret(peer_pdh, secret);
	if (r)
		return r;
	r = sevsim_kdf(c, master, sizeof(master), secret, sizeof(secret),
		       "sev-master-secret", nonce, 16);
	if (!r)
		r = sevsim_kdf(c, kek, SEVSIM_KEY_LEN, master, sizeof(master),
			       "sev-kek", NULL, 0);
	if (!r)
		r = sevsim_kdf(c, kik, SEVSIM_KEY_LEN, master, sizeof(master),
			       "sev-kik", NULL, 0);
	memzero_explicit(secret, sizeof(secret));
	memzero_explicit(master, sizeof(master));
	return r ? SEV_RET_HWSEV_RET_PLATFORM : SEV_RET_SUCCESS;
}

/* The channel's own keys into its transforms, for the packets. */
static int sevsim_chan_open(struct sevsim_chan *c)
{
	if (crypto_skcipher_setkey(c->ctr, c->tek, SEVSIM_KEY_LEN) ||
	    crypto_shash_setkey(c->hmac, c->tik, SEVSIM_KEY_LEN))
		return SEV_RET_HWSEV_RET_PLATFORM;
	return SEV_RET_SUCCESS;
}

static int sevsim_policy_mac(struct sevsim_chan *c, u32 policy, u8 out[32])
{
	__le32 p = cpu_to_le32(policy);

	return sevsim_mac(c, c->tik, &p, sizeof(p), NULL, 0, out);
}

/* A blob of len bytes at pa, copied in; NULL and *r set if it cannot be. */
static u8 *sevsim_blob(u64 pa, u32 len, int *r)
{
	u8 *p;

	if (sevsim_pa_check(pa, len)) {
		*r = SEV_RET_INVALID_ADDRESS;
		return NULL;
	}
	p = kmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!p) {
		*r = SEV_RET_RESOURCE_LIMIT;
		return NULL;
	}
	sevsim_copy_from_pa(p, pa, len);
	return p;
}

/* The session: a fresh TEK and TIK wrapped for the peer. */
static int sevsim_session_make(struct sevsim_chan *c, const u8 *peer_pdh,
			       u32 policy, struct sevsim_session *s)
{
	u8 kek[SEVSIM_KEY_LEN], kik[SEVSIM_KEY_LEN];
	int r;

	get_random_bytes(s->nonce, sizeof(s->nonce));
	get_random_bytes(s->wrap_iv, sizeof(s->wrap_iv));
	get_random_bytes(c->tek, sizeof(c->tek));
	get_random_bytes(c->tik, sizeof(c->tik));
	r = sevsim_kek_kik(c, peer_pdh, s->nonce, kek, kik);
	if (r)
		goto out;
	memcpy(c->buf, c->tek, SEVSIM_KEY_LEN);
	memcpy(c->buf + SEVSIM_KEY_LEN, c->tik, SEVSIM_KEY_LEN);
	r = sevsim_ctr(c, kek, s->wrap_iv, sizeof(s->wrap_tk), true);
	memcpy(s->wrap_tk, c->buf, sizeof(s->wrap_tk));
	if (!r)
		r = sevsim_mac(c, kik, s->wrap_tk, sizeof(s->wrap_tk), NULL, 0,
			       s->wrap_mac);
	if (!r)
		r = sevsim_policy_mac(c, policy, s->policy_mac);
	r = r ? SEV_RET_HWSEV_RET_PLATFORM : sevsim_chan_open(c);
out:
	memzero_explicit(c->buf, 2 * SEVSIM_KEY_LEN);
	memzero_explicit(kek, sizeof(kek));
	memzero_explicit(kik, sizeof(kik));
	return r;
}

static int sevsim_send_start(struct sev_data_send_start *d)
{
	struct sevsim_guest *g = sevsim_guest_find(d->handle);
	u8 *pdh = NULL, *plat = NULL, *amd = NULL;
	struct sevsim_session s;
	struct sevsim_chan *c;
	int r = SEV_RET_SUCCESS;

	if (!g)
		return SEV_RET_INVALID_GUEST;
	/* The length query (KVM passes 0) works in any state. */
	if (d->session_len < sizeof(s)) {
		d->session_len = sizeof(s);
		return SEV_RET_INVALID_LEN;
	}
	if (g->state != SEVSIM_GSTATE_RUNNING)
		return SEV_RET_INVALID_GUEST_STATE;
	if (g->policy & SEVSIM_POLICY_NOSEND)
		return SEV_RET_POLICY_FAILURE;
	/* No VMSA transfer: an SEV-ES guest cannot be sent whole. */
	if (g->policy & SEVSIM_POLICY_ES)
		return SEV_RET_UNSUPPORTED;
	if (d->pdh_cert_len != SEVSIM_CERT_LEN ||
	    d->plat_certs_len > SEVSIM_CHAIN_MAX ||
	    d->amd_certs_len > SEVSIM_CHAIN_MAX)
		return SEV_RET_INVALID_LEN;
	if (sevsim_pa_check(d->session_address, sizeof(s)))
		return SEV_RET_INVALID_ADDRESS;

	/* KVM passes no address for an empty blob. */
	pdh = sevsim_blob(d->pdh_cert_address, d->pdh_cert_len, &r);
	if (!r && d->plat_certs_len)
		plat = sevsim_blob(d->plat_certs_address, d->plat_certs_len,
				   &r);
	if (!r && d->amd_certs_len)
		amd = sevsim_blob(d->amd_certs_address, d->amd_certs_len, &r);
	if (r)
		goto out;
	/* The peer's PDH, and its chain as DOMAIN and SEV ask. */
	r = sevsim_pki_check_peer(pdh, plat, d->plat_certs_len, amd,
				  d->amd_certs_len, g->policy);
	if (r)
		goto out;
	c = sevsim_chan_alloc();
	if (!c) {
		r = SEV_RET_RESOURCE_LIMIT;
		goto out;
	}
	r = sevsim_session_make(c, pdh, g->policy, &s);
	if (!r)
		r = sevsim_copy_to_pa(d->session_address, &s, sizeof(s));
	if (r) {
		sevsim_chan_destroy(c);
		goto out;
	}
	g->chan = c;
	WRITE_ONCE(g->state, SEVSIM_GSTATE_SUPDATE);
	d->policy = g->policy;
	d->session_len = sizeof(s);
out:
	memzero_explicit(&s, sizeof(s));
	kfree(pdh);
	kfree(plat);
	kfree(amd);
	return r;
}

/* The C-bit KVM sets on the guest address of the UPDATE commands. */
static phys_addr_t sevsim_guest_pa(u64 address)
{
	return address & ~BIT_ULL(SEVSIM_CBIT);
}

static int sevsim_pkt_mac(struct sevsim_chan *c, const struct sevsim_pkt_hdr *h,
			  u32 len, u8 out[32])
{
	struct sevsim_pkt_ctx ctx = {
		.ctx = SEVSIM_CTX_DATA,
		.flags = h->flags,
		.uncompressed_len = cpu_to_le32(len),
		.trans_len = cpu_to_le32(len),
	};

	memcpy(ctx.iv, h->iv, sizeof(ctx.iv));
	return sevsim_mac(c, NULL, &ctx, sizeof(ctx), c->buf, len, out);
}

static int sevsim_send_update(struct sev_data_send_update_data *d)
{
	struct sevsim_guest *g = sevsim_guest_find(d->handle);
	phys_addr_t pa = sevsim_guest_pa(d->guest_address);
	struct sevsim_pkt_hdr h = {};
	struct sevsim_chan *c;
	int r;

	if (!g)
		return SEV_RET_INVALID_GUEST;
	/*
	 * The length query (KVM passes 0 for both): the header's size,
	 * and a transport buffer as long as the data, at most a page.
	 */
	if (d->hdr_len < sizeof(h) || !d->trans_len ||
	    d->trans_len < d->guest_len) {
		d->hdr_len = sizeof(h);
		d->trans_len = d->guest_len ? d->guest_len : PAGE_SIZE;
		return SEV_RET_INVALID_LEN;
	}
	if (g->state != SEVSIM_GSTATE_SUPDATE)
		return SEV_RET_INVALID_GUEST_STATE;
	if (!g->asid)
		return SEV_RET_INACTIVE;
	if (!d->guest_len || d->guest_len > PAGE_SIZE ||
	    !IS_ALIGNED(d->guest_len, AES_BLOCK_SIZE))
		return SEV_RET_INVALID_LEN;
	if (!IS_ALIGNED(pa, AES_BLOCK_SIZE) ||
	    sevsim_pa_check(pa, d->guest_len) ||
	    sevsim_pa_check(d->hdr_address, sizeof(h)) ||
	    sevsim_pa_check(d->trans_address, d->guest_len))
		return SEV_RET_INVALID_ADDRESS;

	c = g->chan;
	/* As the firmware decrypts with the VEK: the guest's plaintext. */
	r = sevsim_guest_read(g, c->buf, pa, d->guest_len);
	if (r)
		goto out;
	get_random_bytes(h.iv, sizeof(h.iv));
	if (sevsim_ctr(c, NULL, h.iv, d->guest_len, true) ||
	    sevsim_pkt_mac(c, &h, d->guest_len, h.mac)) {
		r = SEV_RET_HWSEV_RET_PLATFORM;
		goto out;
	}
	sevsim_copy_to_pa(d->trans_address, c->buf, d->guest_len);
	sevsim_copy_to_pa(d->hdr_address, &h, sizeof(h));
	d->hdr_len = sizeof(h);
	g->commands++;
out:
	memzero_explicit(c->buf, PAGE_SIZE);
	return r;
}

static int sevsim_receive_start(struct sev_data_receive_start *d)
{
	u8 kek[SEVSIM_KEY_LEN], kik[SEVSIM_KEY_LEN], mac[SHA256_DIGEST_SIZE];
	struct sevsim_guest *g, *shared;
	struct sevsim_chan *c = NULL;
	struct sevsim_session s;
	u8 *pdh = NULL;
	int r = SEV_RET_SUCCESS;

	if (d->session_len != sizeof(s) || d->pdh_cert_len != SEVSIM_CERT_LEN)
		return SEV_RET_INVALID_LEN;
	if (d->policy & SEVSIM_POLICY_ES)
		return SEV_RET_UNSUPPORTED;
	if (d->handle) {
		/* Key sharing on RECEIVE needs the very same policy. */
		shared = sevsim_guest_find(d->handle);
		if (!shared)
			return SEV_RET_INVALID_GUEST;
		if (shared->policy != d->policy)
			return SEV_RET_POLICY_FAILURE;
	}
	if (sevsim_pa_check(d->session_address, sizeof(s)))
		return SEV_RET_INVALID_ADDRESS;
	pdh = sevsim_blob(d->pdh_cert_address, d->pdh_cert_len, &r);
	if (r)
		return r;
	sevsim_copy_from_pa(&s, d->session_address, sizeof(s));
	/* The sender's PDH certificate itself; its chain was SEND_START's. */
	r = sevsim_pki_check_peer(pdh, NULL, 0, NULL, 0, 0);
	if (r)
		goto out;
	c = sevsim_chan_alloc();
	if (!c) {
		r = SEV_RET_RESOURCE_LIMIT;
		goto out;
	}
	r = sevsim_kek_kik(c, pdh, s.nonce, kek, kik);
	if (r)
		goto out;
	/* WRAP_MAC before anything is unwrapped, then POLICY_MAC. */
	if (sevsim_mac(c, kik, s.wrap_tk, sizeof(s.wrap_tk), NULL, 0, mac)) {
		r = SEV_RET_HWSEV_RET_PLATFORM;
		goto out;
	}
	if (crypto_memneq(mac, s.wrap_mac, sizeof(mac))) {
		r = SEV_RET_BAD_MEASUREMENT;
		goto out;
	}
	memcpy(c->buf, s.wrap_tk, sizeof(s.wrap_tk));
	if (sevsim_ctr(c, kek, s.wrap_iv, sizeof(s.wrap_tk), false)) {
		r = SEV_RET_HWSEV_RET_PLATFORM;
		goto out;
	}
	memcpy(c->tek, c->buf, SEVSIM_KEY_LEN);
	memcpy(c->tik, c->buf + SEVSIM_KEY_LEN, SEVSIM_KEY_LEN);
	memzero_explicit(c->buf, sizeof(s.wrap_tk));
	if (sevsim_policy_mac(c, d->policy, mac)) {
		r = SEV_RET_HWSEV_RET_PLATFORM;
		goto out;
	}
	if (crypto_memneq(mac, s.policy_mac, sizeof(mac))) {
		r = SEV_RET_BAD_MEASUREMENT;
		goto out;
	}
	if (d->policy & SEVSIM_POLICY_RESERVED) {
		r = SEV_RET_POLICY_FAILURE;
		goto out;
	}
	r = sevsim_chan_open(c);
	if (r)
		goto out;
	/* Checks the policy's API version and key sharing; last to fail. */
	memcpy(c->buf, c->tek, SEVSIM_KEY_LEN);
	memcpy(c->buf + SEVSIM_KEY_LEN, c->tik, SEVSIM_KEY_LEN);
	r = sevsim_guest_create(d->handle, d->policy, SEVSIM_GSTATE_RUPDATE,
				c->buf, &g);
	memzero_explicit(c->buf, 2 * SEVSIM_KEY_LEN);
	if (r)
		goto out;
	g->chan = c;
	c = NULL;
	d->handle = g->handle;
out:
	sevsim_chan_destroy(c);
	memzero_explicit(kek, sizeof(kek));
	memzero_explicit(kik, sizeof(kik));
	memzero_explicit(&s, sizeof(s));
	kfree(pdh);
	return r;
}

static int sevsim_receive_update(struct sev_data_receive_update_data *d)
{
	phys_addr_t pa = sevsim_guest_pa(d->guest_address);
	u8 mac[SHA256_DIGEST_SIZE];
	struct sevsim_pkt_hdr h;
	struct sevsim_guest *g;
	struct sevsim_chan *c;
	int r;

	r = sevsim_guest_ready(d->handle, BIT(SEVSIM_GSTATE_RUPDATE), true, &g);
	if (r)
		return r;
	if (!d->trans_len || d->trans_len > PAGE_SIZE ||
	    d->guest_len != d->trans_len ||
	    !IS_ALIGNED(d->guest_len, AES_BLOCK_SIZE) || d->hdr_len < sizeof(h))
		return SEV_RET_INVALID_LEN;
	if (!IS_ALIGNED(pa, AES_BLOCK_SIZE) ||
	    sevsim_pa_check(pa, d->guest_len) ||
	    sevsim_pa_check(d->hdr_address, sizeof(h)) ||
	    sevsim_pa_check(d->trans_address, d->trans_len))
		return SEV_RET_INVALID_ADDRESS;
	sevsim_copy_from_pa(&h, d->hdr_address, sizeof(h));
	/* No flag is defined but compression, which sevsim never sends. */
	if (h.flags)
		return SEV_RET_UNSUPPORTED;

	c = g->chan;
	sevsim_copy_from_pa(c->buf, d->trans_address, d->trans_len);
	/* The MAC first: a packet that fails it writes nothing. */
	if (sevsim_pkt_mac(c, &h, d->trans_len, mac)) {
		r = SEV_RET_HWSEV_RET_PLATFORM;
		goto out;
	}
	if (crypto_memneq(mac, h.mac, sizeof(mac))) {
		r = SEV_RET_BAD_MEASUREMENT;
		goto out;
	}
	if (sevsim_ctr(c, NULL, h.iv, d->trans_len, false)) {
		r = SEV_RET_HWSEV_RET_PLATFORM;
		goto out;
	}
	r = sevsim_guest_write(g, pa, c->buf, d->guest_len);
	if (!r)
		g->commands++;
out:
	memzero_explicit(c->buf, PAGE_SIZE);
	return r;
}

/* SEND_FINISH, SEND_CANCEL, RECEIVE_FINISH: close the channel, move on. */
static int sevsim_chan_close(u32 handle, enum sevsim_gstate from,
			     enum sevsim_gstate to)
{
	struct sevsim_guest *g;
	int r;

	r = sevsim_guest_ready(handle, BIT(from), false, &g);
	if (r)
		return r;
	sevsim_chan_free(g);
	WRITE_ONCE(g->state, to);
	return SEV_RET_SUCCESS;
}

int sevsim_send_cmd(unsigned int id, void *data)
{
	/* Every one of these commands starts with the guest's handle. */
	u32 handle = *(u32 *)data;

	switch (id) {
	case SEV_CMD_SEND_START:
		return sevsim_send_start(data);
	case SEV_CMD_SEND_UPDATE_DATA:
		return sevsim_send_update(data);
	case SEV_CMD_SEND_FINISH:
		return sevsim_chan_close(handle, SEVSIM_GSTATE_SUPDATE,
					 SEVSIM_GSTATE_SENT);
	case SEV_CMD_SEND_CANCEL:
		return sevsim_chan_close(handle, SEVSIM_GSTATE_SUPDATE,
					 SEVSIM_GSTATE_RUNNING);
	case SEV_CMD_RECEIVE_START:
		return sevsim_receive_start(data);
	case SEV_CMD_RECEIVE_UPDATE_DATA:
		return sevsim_receive_update(data);
	case SEV_CMD_RECEIVE_FINISH:
		return sevsim_chan_close(handle, SEVSIM_GSTATE_RUPDATE,
					 SEVSIM_GSTATE_RUNNING);
	default:
		return SEV_RET_INVALID_COMMAND;
	}
}
