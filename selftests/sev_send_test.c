// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_send_test: sevsim's SEND_* and RECEIVE_* commands through KVM, two
 * VMs in one process, both ends the one simulated platform. A launched
 * guest A is sent page by page into a guest B; B's pages read back equal
 * through DBG_DECRYPT, and with sevsim_memcrypt=N in raw memory too, with
 * one firmware command per page on each side. Then the API's state
 * errors, the length queries, NOSEND, SEND_CANCEL and a second
 * SEND_START, and tampering: a flipped byte in a packet's ciphertext, IV
 * or MAC, in the session's wrapped keys or MACs, or the wrong policy is
 * refused with the API's status and writes nothing. A packet replayed to
 * another address is accepted: the API's MAC does not cover the address
 * (Documentation/sevsim.rst, "Migration").
 */
#define _GNU_SOURCE
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sev_cert.h"
#include "sev_crypto.h"

#define DATA_PAGES 4ULL
#define PAGE PGENC_PAGE

static uint8_t pdh[SEV_CERT_LEN], chain[4 * SEV_CERT_LEN];
static uint32_t chain_len = sizeof(chain);
/* No AMD root in sevsim: a placeholder, checked only under the SEV bit. */
static const uint8_t amd[64];

static void guest_code(void)
{
	GUEST_DONE();
}

static void set_memcrypt(bool on)
{
	FILE *f = fopen("/sys/module/kvm_amd/parameters/sevsim_memcrypt", "w");

	TEST_ASSERT(f, "open sevsim_memcrypt");
	TEST_ASSERT(fputs(on ? "Y" : "N", f) >= 0 && !fclose(f),
		    "write sevsim_memcrypt");
}

/* The default back, also when an assertion ends the test early. */
static void memcrypt_default(void)
{
	FILE *f = fopen("/sys/module/kvm_amd/parameters/sevsim_memcrypt", "w");

	if (f) {
		fputs("Y", f);
		fclose(f);
	}
}

/* A number (or Y/N, as 1/0) from the guest's debugfs directory. */
static long long guest_debugfs(uint32_t handle, const char *name)
{
	char path[80], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/sevsim/%u/%s", handle,
		 name);
	f = fopen(path, "r");
	TEST_ASSERT(f && fgets(buf, sizeof(buf), f), "read %s", path);
	fclose(f);
	if (buf[0] == 'Y' || buf[0] == 'N')
		return buf[0] == 'Y';
	return atoll(buf);
}

/* A launched, RUNNING guest whose pages hold plain[]. */
static void launch(struct sev_vm *s, int sev_fd, uint32_t policy,
		   uint8_t *plain)
{
	uint32_t fw = 0, len = 48;
	uint8_t blob[48];

	TEST_ASSERT(!sev_vm_create(s, sev_fd, false, guest_code, DATA_PAGES,
				   &fw),
		    "KVM_SEV_INIT: fw %u", fw);
	TEST_ASSERT(!sev_launch_start(s, policy, 0, &fw), "LAUNCH_START: %u",
		    fw);
	sev_fill_pattern(s->data, DATA_PAGES);
	memcpy(plain, s->data, DATA_PAGES * PAGE);
	TEST_ASSERT(!sev_launch_update(s, 0, DATA_PAGES * PAGE, &fw) &&
			    !sev_launch_measure(s, blob, &len, &fw) &&
			    !sev_cmd(s, KVM_SEV_LAUNCH_FINISH, NULL, &fw),
		    "launch: fw %u", fw);
}

/* An initialised VM for RECEIVE_START. */
static void target(struct sev_vm *s, int sev_fd)
{
	uint32_t fw = 0;

	TEST_ASSERT(!sev_vm_create(s, sev_fd, false, guest_code, DATA_PAGES,
				   &fw),
		    "KVM_SEV_INIT: fw %u", fw);
}

static bool dbg_equals(struct sev_vm *s, const uint8_t *plain)
{
	static uint8_t out[DATA_PAGES * PAGE] __attribute__((aligned(4096)));
	uint32_t fw;

	memset(out, 0, sizeof(out));
	return !sev_dbg(s, true, s->data, out, sizeof(out), &fw) &&
	       !memcmp(out, plain, sizeof(out));
}

struct pkt {
	uint8_t hdr[SEV_PKT_HDR_LEN];
	uint8_t trans[PAGE] __attribute__((aligned(16)));
};

static int send_page(struct sev_vm *a, uint64_t page, struct pkt *p,
		     uint32_t *fw)
{
	uint32_t hl = sizeof(p->hdr), tl = sizeof(p->trans);

	return sev_send_update(a, page * PAGE, PAGE, p->hdr, &hl, p->trans, &tl,
			       fw);
}

/*
 * A packet recomputed with OpenSSL from the receiver's TEK and TIK: its
 * MAC is HMAC-SHA256(TIK, 0x02 || FLAGS || IV || len || len || ciphertext),
 * the lengths 32-bit little endian, and the ciphertext is AES-128-CTR
 * under the TEK from the IV, of the page's plaintext.
 */
static bool packet_matches(uint32_t handle, const struct pkt *p,
			   const uint8_t *plain)
{
	uint8_t tek[16], tik[16], msg[29 + PAGE], mac[32], out[PAGE];
	unsigned int mac_len = sizeof(mac);
	EVP_CIPHER_CTX *c;
	int n = 0, i;

	read_hex(handle, "tek", tek, sizeof(tek));
	read_hex(handle, "tik", tik, sizeof(tik));
	msg[0] = 0x02; /* the API's channel context for data */
	memcpy(msg + 1, p->hdr, 4 + 16); /* FLAGS, IV */
	for (i = 0; i < 4; i++) {
		msg[21 + i] = (uint8_t)(PAGE >> (8 * i));
		msg[25 + i] = (uint8_t)(PAGE >> (8 * i));
	}
	memcpy(msg + 29, p->trans, PAGE);
	if (!HMAC(EVP_sha256(), tik, sizeof(tik), msg, sizeof(msg), mac,
		  &mac_len) ||
	    memcmp(mac, p->hdr + 20, 32))
		return false;
	c = EVP_CIPHER_CTX_new();
	TEST_ASSERT(c &&
			    EVP_DecryptInit_ex(c, EVP_aes_128_ctr(), NULL, tek,
					       p->hdr + 4) &&
			    EVP_DecryptUpdate(c, out, &n, p->trans, PAGE) &&
			    n == PAGE,
		    "OpenSSL AES-128-CTR");
	EVP_CIPHER_CTX_free(c);
	return !memcmp(out, plain, PAGE);
}

/* The whole flow with sevsim_memcrypt on or off: 11 results. */
static void test_round_trip(int sev_fd, bool memcrypt)
{
	static uint8_t plain[DATA_PAGES * PAGE], session[SEV_SESSION_LEN];
	uint32_t fw = 0, len, policy = 0, hl, tl;
	const char *m = memcrypt ? "Y" : "N";
	struct sev_vm a, b;
	struct pkt p;
	uint64_t i;
	bool ok;
	int r;

	set_memcrypt(memcrypt);
	launch(&a, sev_fd, 0, plain);
	ksft_test_result(guest_debugfs(a.handle, "memcrypt") == memcrypt &&
				 !memcmp(a.data, plain, sizeof(plain)) ==
					 !memcrypt,
			 "memcrypt=%s: the guest's mode in debugfs; launched pages are %s in the host's view\n",
			 m, memcrypt ? "ciphertext" : "plain");

	len = 0;
	r = sev_send_start(&a, pdh, chain, chain_len, amd, sizeof(amd), session,
			   &len, &policy, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_LEN &&
				 len == SEV_SESSION_LEN &&
				 sev_guest_state(&a, &fw) == SEV_GSTATE_RUNNING,
			 "memcrypt=%s: SEND_START length query: INVALID_LEN, session_len %u written back, still RUNNING\n",
			 m, len);

	len = sizeof(session);
	r = sev_send_start(&a, pdh, chain, chain_len, amd, sizeof(amd), session,
			   &len, &policy, &fw);
	ksft_test_result(!r && len == SEV_SESSION_LEN && policy == 0 &&
				 sev_guest_state(&a, &fw) == SEV_GSTATE_SUPDATE,
			 "memcrypt=%s: SEND_START: a session of %u bytes, SUPDATE (%d, fw %u)\n",
			 m, len, r, fw);

	hl = 0;
	tl = 0;
	r = sev_send_update(&a, 0, PAGE, p.hdr, &hl, p.trans, &tl, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_LEN &&
				 hl == SEV_PKT_HDR_LEN && tl == PAGE,
			 "memcrypt=%s: SEND_UPDATE_DATA length query: INVALID_LEN, hdr_len %u, trans_len %u\n",
			 m, hl, tl);

	target(&b, sev_fd);
	r = sev_receive_start(&b, policy, pdh, session, &fw);
	ksft_test_result(!r && b.handle &&
				 sev_guest_state(&b, &fw) ==
					 SEV_GSTATE_RUPDATE &&
				 guest_debugfs(b.handle, "memcrypt") ==
					 memcrypt,
			 "memcrypt=%s: RECEIVE_START: handle %u, RUPDATE, the same mode (%d, fw %u)\n",
			 m, b.handle, r, fw);

	ok = true;
	for (i = 0; i < DATA_PAGES && ok; i++)
		ok = !send_page(&a, i, &p, &fw) &&
		     memcmp(p.trans, plain + i * PAGE, PAGE) &&
		     !sev_receive_update(&b, i * PAGE, PAGE, p.hdr, p.trans,
					 &fw);
	ksft_test_result(ok &&
				 guest_debugfs(a.handle, "commands") ==
					 DATA_PAGES &&
				 guest_debugfs(b.handle, "commands") ==
					 DATA_PAGES,
			 "memcrypt=%s: %llu pages sent and received, not plain in transit; firmware commands %lld + %lld (fw %u)\n",
			 m, DATA_PAGES, guest_debugfs(a.handle, "commands"),
			 guest_debugfs(b.handle, "commands"), fw);

	ksft_test_result(packet_matches(b.handle, &p,
					plain + (DATA_PAGES - 1) * PAGE),
			 "memcrypt=%s: the last packet's MAC and ciphertext recomputed with OpenSSL from the TEK and TIK\n",
			 m);

	r = sev_cmd(&a, KVM_SEV_SEND_FINISH, NULL, &fw) ||
	    sev_cmd(&b, KVM_SEV_RECEIVE_FINISH, NULL, &fw);
	ksft_test_result(!r && sev_guest_state(&a, &fw) == SEV_GSTATE_SENT &&
				 sev_guest_state(&b, &fw) == SEV_GSTATE_RUNNING,
			 "memcrypt=%s: SEND_FINISH: SENT; RECEIVE_FINISH: RUNNING\n",
			 m);

	/* Y: B's ciphertext is under B's own VEK at B's own addresses. */
	ok = memcrypt ? ciphertext_matches(b.handle, b.data, plain,
					   sizeof(plain)) :
			!memcmp(b.data, plain, sizeof(plain));
	ksft_test_result(dbg_equals(&b, plain) && ok,
			 "memcrypt=%s: the target's pages equal the source's through DBG_DECRYPT, and %s\n",
			 m,
			 memcrypt ?
				 "its raw memory is their XEX under its VEK" :
				 "in its raw memory");

	r = sev_cmd(&b, KVM_SEV_RECEIVE_FINISH, NULL, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE,
			 "memcrypt=%s: RECEIVE_FINISH twice: INVALID_GUEST_STATE\n",
			 m);

	/* DBG_ENCRYPT into the received guest, in its mode. */
	memset(plain, 0x5a, PAGE);
	r = sev_dbg(&b, false, plain, b.data, PAGE, &fw);
	ok = memcrypt ? ciphertext_matches(b.handle, b.data, plain, PAGE) :
			!memcmp(b.data, plain, PAGE);
	ksft_test_result(!r && ok,
			 "memcrypt=%s: DBG_ENCRYPT into the received guest writes %s\n",
			 m, memcrypt ? "XEX under its VEK" : "plaintext");
	sev_vm_free(&a);
	sev_vm_free(&b);
	set_memcrypt(true);
}

/* SEV-ES guests: no VMSA transfer, so neither end starts. 2 results. */
static void test_es(int sev_fd)
{
	static uint8_t session[SEV_SESSION_LEN];
	uint32_t fw = 0, len = 48, policy = SEV_POLICY_ES;
	uint8_t blob[48];
	struct sev_vm e, b;
	int r;

	TEST_ASSERT(!sev_vm_create(&e, sev_fd, true, guest_code, DATA_PAGES,
				   &fw),
		    "KVM_SEV_ES_INIT: fw %u", fw);
	TEST_ASSERT(!sev_launch_start(&e, policy, 0, &fw) &&
			    !sev_launch_measure(&e, blob, &len, &fw) &&
			    !sev_cmd(&e, KVM_SEV_LAUNCH_FINISH, NULL, &fw),
		    "SEV-ES launch: fw %u", fw);
	len = sizeof(session);
	r = sev_send_start(&e, pdh, chain, chain_len, amd, sizeof(amd), session,
			   &len, &policy, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_UNSUPPORTED &&
				 sev_guest_state(&e, &fw) == SEV_GSTATE_RUNNING,
			 "SEND_START of an SEV-ES guest: UNSUPPORTED, still RUNNING\n");
	target(&b, sev_fd);
	r = sev_receive_start(&b, SEV_POLICY_ES, pdh, session, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_UNSUPPORTED && !b.handle,
			 "RECEIVE_START with an SEV-ES policy: UNSUPPORTED\n");
	sev_vm_free(&e);
	sev_vm_free(&b);
}

/*
 * The peer's certificates: a DOMAIN and SEV guest goes to the exported
 * chain, not to an altered one; RECEIVE_START refuses an altered PDH.
 * 4 results.
 */
static void test_chain(int sev_fd)
{
	static uint8_t plain[DATA_PAGES * PAGE], session[SEV_SESSION_LEN];
	static uint8_t bad[sizeof(chain)];
	uint32_t fw = 0, len = sizeof(session), policy, count;
	const uint32_t want = SEV_POLICY_DOMAIN | SEV_POLICY_SEV;
	struct sev_cert *pek = (struct sev_cert *)bad, *p;
	uint8_t bad_pdh[SEV_CERT_LEN];
	struct sev_vm a, b;
	int r;

	launch(&a, sev_fd, want, plain);
	memcpy(bad, chain, sizeof(bad));
	pek->sig[0].r[5] ^= 0x20;
	pek->sig[1].r[5] ^= 0x20;
	memset(session, 0xaa, sizeof(session));
	r = sev_send_start(&a, pdh, bad, chain_len, amd, sizeof(amd), session,
			   &len, &policy, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_BAD_SIGNATURE &&
				 session[0] == 0xaa &&
				 sev_guest_state(&a, &fw) == SEV_GSTATE_RUNNING,
			 "DOMAIN|SEV guest, a PEK signature altered in the chain: BAD_SIGNATURE, no session, still RUNNING\n");

	len = sizeof(session);
	r = sev_send_start(&a, pdh, chain, chain_len, amd, sizeof(amd), session,
			   &len, &policy, &fw);
	ksft_test_result(!r && policy == want &&
				 sev_guest_state(&a, &fw) == SEV_GSTATE_SUPDATE,
			 "DOMAIN|SEV guest to the exported chain: SEND_START succeeds (fw %u)\n",
			 fw);

	target(&b, sev_fd);
	r = sev_receive_start(&b, policy, pdh, session, &fw);
	ksft_test_result(!r && sev_guest_state(&b, &fw) == SEV_GSTATE_RUPDATE,
			 "and RECEIVE_START with its policy %#x\n", policy);
	sev_vm_free(&b);

	memcpy(bad_pdh, pdh, sizeof(bad_pdh));
	p = (struct sev_cert *)bad_pdh;
	p->usage = SEV_USAGE_PEK;
	count = sevsim_guest_count(sev_fd);
	target(&b, sev_fd);
	r = sev_receive_start(&b, policy, bad_pdh, session, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_CERTIFICATE &&
				 sevsim_guest_count(sev_fd) == count,
			 "RECEIVE_START with a PDH certificate of usage PEK: INVALID_CERTIFICATE, no guest\n");
	sev_vm_free(&b);
	sev_vm_free(&a);
}

/* State errors, SEND_CANCEL, NOSEND: 7 results. */
static void test_states(int sev_fd)
{
	static uint8_t plain[DATA_PAGES * PAGE], session[SEV_SESSION_LEN];
	uint32_t fw = 0, len = sizeof(session), policy, count;
	struct sev_vm a, n;
	struct pkt p;
	int r;

	launch(&a, sev_fd, 0, plain);
	r = send_page(&a, 0, &p, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE,
			 "SEND_UPDATE_DATA before SEND_START: INVALID_GUEST_STATE\n");
	r = sev_cmd(&a, KVM_SEV_SEND_FINISH, NULL, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE,
			 "SEND_FINISH in RUNNING: INVALID_GUEST_STATE\n");
	r = sev_receive_update(&a, 0, PAGE, p.hdr, p.trans, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE,
			 "RECEIVE_UPDATE_DATA on a launched guest: INVALID_GUEST_STATE\n");

	r = sev_send_start(&a, pdh, chain, chain_len, amd, sizeof(amd), session,
			   &len, &policy, &fw) ||
	    sev_cmd(&a, KVM_SEV_SEND_CANCEL, NULL, &fw);
	ksft_test_result(!r && sev_guest_state(&a, &fw) == SEV_GSTATE_RUNNING,
			 "SEND_START then SEND_CANCEL: RUNNING again\n");
	r = send_page(&a, 0, &p, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE,
			 "SEND_UPDATE_DATA after SEND_CANCEL: INVALID_GUEST_STATE\n");
	r = sev_send_start(&a, pdh, chain, chain_len, amd, sizeof(amd), session,
			   &len, &policy, &fw);
	ksft_test_result(!r && sev_guest_state(&a, &fw) == SEV_GSTATE_SUPDATE &&
				 !send_page(&a, 0, &p, &fw),
			 "a second SEND_START after the cancel: SUPDATE, a page goes out\n");
	sev_vm_free(&a);

	launch(&n, sev_fd, SEV_POLICY_NOSEND, plain);
	memset(session, 0xaa, sizeof(session));
	count = sevsim_guest_count(sev_fd);
	len = sizeof(session);
	r = sev_send_start(&n, pdh, chain, chain_len, amd, sizeof(amd), session,
			   &len, &policy, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_POLICY_FAILURE &&
				 session[0] == 0xaa &&
				 !memcmp(session, session + 1,
					 sizeof(session) - 1) &&
				 sev_guest_state(&n, &fw) ==
					 SEV_GSTATE_RUNNING &&
				 sevsim_guest_count(sev_fd) == count,
			 "NOSEND: SEND_START fails with POLICY_FAILURE, no session written, still RUNNING\n");
	sev_vm_free(&n);
}

/* A session blob with one byte flipped, refused by RECEIVE_START. */
static void receive_refused(int sev_fd, const uint8_t *session, int off,
			    uint32_t policy, const char *what)
{
	uint8_t bad[SEV_SESSION_LEN];
	uint32_t fw = 0, count = sevsim_guest_count(sev_fd);
	struct sev_vm b;
	int r;

	memcpy(bad, session, sizeof(bad));
	if (off >= 0)
		bad[off] ^= 0x01;
	target(&b, sev_fd);
	r = sev_receive_start(&b, policy, pdh, bad, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_BAD_MEASUREMENT &&
				 sevsim_guest_count(sev_fd) == count,
			 "RECEIVE_START with %s: BAD_MEASUREMENT (fw %u), no guest left\n",
			 what, fw);
	sev_vm_free(&b);
}

/* One flipped byte of a packet refused, the target page unchanged. */
static void packet_refused(struct sev_vm *b, const struct pkt *good,
			   int hdr_off, int trans_off, uint32_t want,
			   const char *what)
{
	uint8_t before[PAGE];
	uint32_t fw = 0;
	struct pkt p;
	int r;

	memcpy(&p, good, sizeof(p));
	if (hdr_off >= 0)
		p.hdr[hdr_off] ^= 0x80;
	if (trans_off >= 0)
		p.trans[trans_off] ^= 0x80;
	memcpy(before, b->data, PAGE);
	r = sev_receive_update(b, 0, PAGE, p.hdr, p.trans, &fw);
	ksft_test_result(r == -EIO && fw == want &&
				 !memcmp(before, b->data, PAGE) &&
				 guest_debugfs(b->handle, "commands") == 0,
			 "RECEIVE_UPDATE_DATA with %s: status %u, the target page unchanged\n",
			 what, fw);
}

/* Tampering and replay: 10 results. */
static void test_tamper(int sev_fd)
{
	static uint8_t plain[DATA_PAGES * PAGE], session[SEV_SESSION_LEN];
	static uint8_t want[DATA_PAGES * PAGE];
	uint32_t fw = 0, len = sizeof(session), policy;
	struct sev_vm a, b;
	struct pkt p, q;
	int r;

	launch(&a, sev_fd, 0, plain);
	TEST_ASSERT(!sev_send_start(&a, pdh, chain, chain_len, amd, sizeof(amd),
				    session, &len, &policy, &fw),
		    "SEND_START: fw %u", fw);
	/* Session: NONCE 0, WRAP_TK 16, WRAP_IV 48, WRAP_MAC 64, POLICY_MAC 96. */
	receive_refused(sev_fd, session, 16, policy, "a flipped WRAP_TK byte");
	receive_refused(sev_fd, session, 64, policy, "a flipped WRAP_MAC byte");
	receive_refused(sev_fd, session, 96, policy,
			"a flipped POLICY_MAC byte");
	receive_refused(sev_fd, session, -1, policy | SEV_POLICY_NODBG,
			"another policy than the sender's");

	target(&b, sev_fd);
	TEST_ASSERT(!sev_receive_start(&b, policy, pdh, session, &fw),
		    "RECEIVE_START: fw %u", fw);
	TEST_ASSERT(!send_page(&a, 0, &p, &fw), "SEND_UPDATE_DATA: fw %u", fw);
	/* Header: FLAGS 0, IV 4, MAC 20. */
	packet_refused(&b, &p, -1, 100, SEV_RET_BAD_MEASUREMENT,
		       "a flipped ciphertext byte");
	packet_refused(&b, &p, 4, -1, SEV_RET_BAD_MEASUREMENT,
		       "a flipped IV byte");
	packet_refused(&b, &p, 20 + 31, -1, SEV_RET_BAD_MEASUREMENT,
		       "a flipped MAC byte");
	packet_refused(&b, &p, 0, -1, SEV_RET_UNSUPPORTED, "a FLAGS bit set");

	/*
	 * Replay: page 0's packet also lands at page 1, and twice at page 0;
	 * the firmware cannot tell (Documentation/sevsim.rst, "Migration").
	 */
	TEST_ASSERT(!send_page(&a, 1, &q, &fw), "SEND_UPDATE_DATA: fw %u", fw);
	memcpy(want, plain, sizeof(want));
	memcpy(want + PAGE, plain, PAGE);
	r = sev_receive_update(&b, 0, PAGE, p.hdr, p.trans, &fw) ||
	    sev_receive_update(&b, PAGE, PAGE, p.hdr, p.trans, &fw) ||
	    sev_receive_update(&b, 0, PAGE, p.hdr, p.trans, &fw);
	r = r || sev_dbg(&b, false, plain + 2 * PAGE, b.data + 2 * PAGE,
			 2 * PAGE, &fw);
	ksft_test_result(!r && dbg_equals(&b, want),
			 "a packet replayed to another page, and twice to its own, is accepted: the MAC does not cover the address\n");

	r = sev_receive_update(&b, 0, PAGE - 16, q.hdr, q.trans, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_BAD_MEASUREMENT,
			 "a packet shortened by 16 bytes: BAD_MEASUREMENT (the lengths are in the MAC)\n");
	sev_vm_free(&a);
	sev_vm_free(&b);
}

int main(void)
{
	int sev_fd;

	sev_fd = sevsim_fd();
	if (access("/sys/module/kvm_amd/parameters/sevsim_memcrypt", W_OK))
		ksft_exit_skip("kvm_amd has no sevsim_memcrypt parameter\n");
	if (sev_pdh_export(sev_fd, pdh, chain, &chain_len))
		ksft_exit_skip("no PDH_CERT_EXPORT on %s\n", SEVSIM_DEVICE);
	atexit(memcrypt_default);
	ksft_print_header();
	ksft_set_plan(2 * 11 + 2 + 4 + 7 + 10);
	test_round_trip(sev_fd, true);
	test_round_trip(sev_fd, false);
	test_es(sev_fd);
	test_chain(sev_fd);
	test_states(sev_fd);
	test_tamper(sev_fd);
	close(sev_fd);
	ksft_finished();
}
