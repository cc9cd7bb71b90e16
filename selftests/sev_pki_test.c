// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_pki_test: sevsim's platform keys and certificates through /dev/sev,
 * as QEMU and sev-tool use them. PDH_CERT_EXPORT (length query, then the
 * PDH and the chain PEK, OCA, CEK), every certificate's fields, each
 * signature verified with OpenSSL (PDH by the PEK, PEK by the OCA and the
 * CEK, OCA by itself); GET_ID2's length query and a stable ID; PDH_GEN and
 * PEK_GEN make new keys whose certificates verify; PEK_CSR and
 * PEK_CERT_IMPORT with an OCA made here (a bad signature or another body
 * refused, changing nothing); the state rules with a guest; FACTORY_RESET.
 */
#define _GNU_SOURCE
#include "sev_cert.h"

#define SEV_DEVICE "/dev/sev"
#define CHAIN_LEN (3 * SEV_CERT_LEN)

struct chain {
	struct sev_cert pdh, pek, oca, cek;
};

static void guest_code(void)
{
	GUEST_DONE();
}

static int pki_cmd(int fd, uint32_t id, void *data)
{
	return sevsim_platform(fd, id, data);
}

/* PDH_CERT_EXPORT into c; the firmware status (or -errno). */
static int export(int fd, struct chain *c)
{
	struct sev_user_data_pdh_cert_export e = {
		.pdh_cert_address = (uint64_t)(uintptr_t)&c->pdh,
		.pdh_cert_len = SEV_CERT_LEN,
		.cert_chain_address = (uint64_t)(uintptr_t)&c->pek,
		.cert_chain_len = CHAIN_LEN,
	};

	return pki_cmd(fd, SEV_PDH_CERT_EXPORT, &e);
}

static void must_export(int fd, struct chain *c)
{
	int r = export(fd, c);

	TEST_ASSERT(!r, "PDH_CERT_EXPORT: %d", r);
}

static int get_id(int fd, uint8_t id[64])
{
	struct sev_user_data_get_id2 g = {
		.address = (uint64_t)(uintptr_t)id,
		.length = 64,
	};

	return pki_cmd(fd, SEV_GET_ID2, &g);
}

static uint32_t platform_state(int fd, uint32_t *flags)
{
	struct sev_user_data_status st;

	TEST_ASSERT(!pki_cmd(fd, SEV_PLATFORM_STATUS, &st), "PLATFORM_STATUS");
	if (flags)
		*flags = st.flags;
	return st.state;
}

/* The body fields sevsim writes for a key of usage and algo. */
static bool body_ok(const struct sev_cert *c, uint32_t usage, uint32_t algo)
{
	static const uint8_t zero[880];

	return c->version == 1 && c->api_major == 0 && c->api_minor == 24 &&
	       c->usage == usage && c->algo == algo &&
	       c->curve == SEV_CURVE_P384 &&
	       !memcmp(c->qx + SEV_ECC, zero, 72 - SEV_ECC) &&
	       !memcmp(c->qy + SEV_ECC, zero, 72 - SEV_ECC) &&
	       !memcmp(c->rsvd, zero, sizeof(c->rsvd)) && sev_cert_point_ok(c);
}

static bool slot_is(const struct sev_cert *c, int slot, uint32_t usage,
		    uint32_t algo)
{
	return c->sig[slot].usage == usage && c->sig[slot].algo == algo;
}

static bool unsigned_slot(const struct sev_cert *c, int slot)
{
	return slot_is(c, slot, SEV_USAGE_INVALID, 0);
}

/* Every signature of a self-owned platform's export verifies. */
static bool chain_ok(const struct chain *c)
{
	return slot_is(&c->pdh, 0, SEV_USAGE_PEK, SEV_ALGO_ECDSA_SHA256) &&
	       sev_cert_sig_ok(&c->pdh, 0, &c->pek) &&
	       slot_is(&c->pek, 0, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256) &&
	       sev_cert_sig_ok(&c->pek, 0, &c->oca) &&
	       slot_is(&c->pek, 1, SEV_USAGE_CEK, SEV_ALGO_ECDSA_SHA256) &&
	       sev_cert_sig_ok(&c->pek, 1, &c->cek) &&
	       slot_is(&c->oca, 0, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256) &&
	       sev_cert_sig_ok(&c->oca, 0, &c->oca);
}

static bool same_key(const struct sev_cert *a, const struct sev_cert *b)
{
	return !memcmp(a->qx, b->qx, sizeof(a->qx)) &&
	       !memcmp(a->qy, b->qy, sizeof(a->qy));
}

static void test_export(int fd)
{
	struct sev_user_data_pdh_cert_export e = {};
	struct chain c, bad;
	uint32_t r;

	/* From UNINIT: the driver's automatic INIT. */
	TEST_ASSERT(!pki_cmd(fd, SEVSIM_USER_SHUTDOWN, NULL) ||
			    platform_state(fd, NULL) == 0,
		    "SHUTDOWN");
	r = pki_cmd(fd, SEV_PDH_CERT_EXPORT, &e);
	ksft_test_result(r == SEV_RET_INVALID_LEN &&
				 e.pdh_cert_len == SEV_CERT_LEN &&
				 e.cert_chain_len == CHAIN_LEN &&
				 platform_state(fd, NULL) == 1,
			 "PDH_CERT_EXPORT length query: INVALID_LEN, %#x and %#x, INIT done\n",
			 e.pdh_cert_len, e.cert_chain_len);
	e.pdh_cert_address = (uint64_t)(uintptr_t)&c.pdh;
	e.pdh_cert_len = SEV_CERT_LEN;
	e.cert_chain_address = (uint64_t)(uintptr_t)&c.pek;
	e.cert_chain_len = CHAIN_LEN - 1;
	r = pki_cmd(fd, SEV_PDH_CERT_EXPORT, &e);
	ksft_test_result(r == SEV_RET_INVALID_LEN &&
				 e.cert_chain_len == CHAIN_LEN,
			 "PDH_CERT_EXPORT with a short chain buffer: INVALID_LEN\n");
	memset(&c, 0, sizeof(c));
	ksft_test_result(!export(fd, &c), "PDH_CERT_EXPORT\n");

	ksft_test_result(body_ok(&c.pdh, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256) &&
				 slot_is(&c.pdh, 0, SEV_USAGE_PEK,
					 SEV_ALGO_ECDSA_SHA256) &&
				 unsigned_slot(&c.pdh, 1),
			 "PDH: version 1, API 0.24, PDH/ECDH-SHA256, P-384 point, signed by the PEK\n");
	ksft_test_result(body_ok(&c.pek, SEV_USAGE_PEK,
				 SEV_ALGO_ECDSA_SHA256) &&
				 slot_is(&c.pek, 0, SEV_USAGE_OCA,
					 SEV_ALGO_ECDSA_SHA256) &&
				 slot_is(&c.pek, 1, SEV_USAGE_CEK,
					 SEV_ALGO_ECDSA_SHA256),
			 "PEK: PEK/ECDSA-SHA256, signed by the OCA, then the CEK\n");
	ksft_test_result(body_ok(&c.oca, SEV_USAGE_OCA,
				 SEV_ALGO_ECDSA_SHA256) &&
				 slot_is(&c.oca, 0, SEV_USAGE_OCA,
					 SEV_ALGO_ECDSA_SHA256) &&
				 unsigned_slot(&c.oca, 1),
			 "OCA: OCA/ECDSA-SHA256, self-signed\n");
	ksft_test_result(body_ok(&c.cek, SEV_USAGE_CEK,
				 SEV_ALGO_ECDSA_SHA256) &&
				 unsigned_slot(&c.cek, 0) &&
				 unsigned_slot(&c.cek, 1),
			 "CEK: CEK/ECDSA-SHA256, unsigned (no ASK)\n");
	ksft_test_result(sev_cert_sig_ok(&c.pdh, 0, &c.pek),
			 "OpenSSL: the PDH's signature by the PEK verifies\n");
	ksft_test_result(sev_cert_sig_ok(&c.pek, 0, &c.oca),
			 "OpenSSL: the PEK's signature by the OCA verifies\n");
	ksft_test_result(sev_cert_sig_ok(&c.pek, 1, &c.cek),
			 "OpenSSL: the PEK's signature by the CEK verifies\n");
	ksft_test_result(sev_cert_sig_ok(&c.oca, 0, &c.oca),
			 "OpenSSL: the OCA's self-signature verifies\n");
	bad = c;
	bad.pdh.qx[0] ^= 1;
	bad.pek.api_minor ^= 1;
	ksft_test_result(!sev_cert_sig_ok(&bad.pdh, 0, &c.pek) &&
				 !sev_cert_sig_ok(&bad.pek, 0, &c.oca) &&
				 !sev_cert_sig_ok(&c.pdh, 0, &c.oca),
			 "control: a changed body or the wrong key does not verify\n");
}

static void test_get_id(int fd)
{
	struct sev_user_data_get_id2 g = {};
	uint8_t id[64], id2[100], old[64];
	struct chain c;
	uint32_t r;

	must_export(fd, &c);
	r = pki_cmd(fd, SEV_GET_ID2, &g);
	ksft_test_result(r == SEV_RET_INVALID_LEN && g.length == 64,
			 "GET_ID2 length query: INVALID_LEN, 64\n");
	g.address = (uint64_t)(uintptr_t)id2;
	g.length = sizeof(id2);
	r = pki_cmd(fd, SEV_GET_ID2, &g);
	ksft_test_result(!r && g.length == 64 && !memcmp(id2, c.cek.qx, 32) &&
				 !memcmp(id2 + 32, c.cek.qy, 32),
			 "GET_ID2: 64 bytes, the CEK's x and y (low 32 bytes each)\n");
	memcpy(old, id2, 64);
	ksft_test_result(!pki_cmd(fd, SEV_GET_ID, id) && !memcmp(id, old, 64) &&
				 !get_id(fd, id) && !memcmp(id, old, 64),
			 "GET_ID (deprecated) and GET_ID2 again: the same ID\n");
}

static void test_gen(int fd)
{
	struct chain a, b;
	uint8_t id[64], id0[64];

	TEST_ASSERT(!get_id(fd, id0), "GET_ID2");
	must_export(fd, &a);
	ksft_test_result(!pki_cmd(fd, SEV_PDH_GEN, NULL), "PDH_GEN\n");
	must_export(fd, &b);
	ksft_test_result(!same_key(&a.pdh, &b.pdh) &&
				 !memcmp(&a.pek, &b.pek, CHAIN_LEN) &&
				 body_ok(&b.pdh, SEV_USAGE_PDH,
					 SEV_ALGO_ECDH_SHA256) &&
				 chain_ok(&b),
			 "PDH_GEN: a new PDH signed by the same PEK, chain unchanged\n");
	ksft_test_result(!pki_cmd(fd, SEV_PEK_GEN, NULL), "PEK_GEN\n");
	must_export(fd, &a);
	ksft_test_result(!same_key(&a.pdh, &b.pdh) &&
				 !same_key(&a.pek, &b.pek) &&
				 !same_key(&a.oca, &b.oca) &&
				 !memcmp(&a.cek, &b.cek, SEV_CERT_LEN) &&
				 chain_ok(&a) && !get_id(fd, id) &&
				 !memcmp(id, id0, 64),
			 "PEK_GEN: new OCA, PEK and PDH, all verified; same CEK and ID\n");
}

/* PEK_CERT_IMPORT of pek signed by an OCA; the firmware status. */
static int import(int fd, struct sev_cert *pek, struct sev_cert *oca,
		  uint32_t oca_len)
{
	struct sev_user_data_pek_cert_import in = {
		.pek_cert_address = (uint64_t)(uintptr_t)pek,
		.pek_cert_len = SEV_CERT_LEN,
		.oca_cert_address = (uint64_t)(uintptr_t)oca,
		.oca_cert_len = oca_len,
	};

	return pki_cmd(fd, SEV_PEK_CERT_IMPORT, &in);
}

static void test_import(int fd)
{
	struct sev_user_data_pek_csr csr = {};
	struct sev_cert pek, oca, pek2;
	struct chain a, b;
	uint32_t r, flags;
	EVP_PKEY *key;

	must_export(fd, &a);
	r = pki_cmd(fd, SEV_PEK_CSR, &csr);
	ksft_test_result(r == SEV_RET_INVALID_LEN && csr.length == SEV_CERT_LEN,
			 "PEK_CSR length query: INVALID_LEN, %#x\n",
			 csr.length);
	csr.address = (uint64_t)(uintptr_t)&pek;
	r = pki_cmd(fd, SEV_PEK_CSR, &csr);
	ksft_test_result(!r && !memcmp(&pek, &a.pek, SEV_CERT_BODY_LEN) &&
				 unsigned_slot(&pek, 0) &&
				 unsigned_slot(&pek, 1),
			 "PEK_CSR: the PEK's body, no signature\n");

	/* The owner's OCA, made here, self-signed; it signs the CSR. */
	memset(&oca, 0, sizeof(oca));
	oca.version = 1;
	oca.api_major = 0;
	oca.api_minor = 24;
	oca.usage = SEV_USAGE_OCA;
	oca.algo = SEV_ALGO_ECDSA_SHA256;
	oca.sig[0].usage = oca.sig[1].usage = SEV_USAGE_INVALID;
	key = sev_cert_keygen(&oca);
	sev_cert_sign(&oca, 0, key, SEV_USAGE_OCA);
	sev_cert_sign(&pek, 0, key, SEV_USAGE_OCA);
	TEST_ASSERT(sev_cert_sig_ok(&oca, 0, &oca) &&
			    sev_cert_sig_ok(&pek, 0, &oca),
		    "the test's own OCA signatures");

	pek2 = pek;
	pek2.sig[0].r[5] ^= 0x20;
	r = import(fd, &pek2, &oca, SEV_CERT_LEN);
	must_export(fd, &b);
	ksft_test_result(r == SEV_RET_BAD_SIGNATURE &&
				 !memcmp(&a, &b, sizeof(a)),
			 "PEK_CERT_IMPORT, PEK's signature altered: BAD_SIGNATURE, nothing changed\n");
	pek2 = oca;
	pek2.sig[0].s[0] ^= 1;
	r = import(fd, &pek, &pek2, SEV_CERT_LEN);
	must_export(fd, &b);
	ksft_test_result(r == SEV_RET_BAD_SIGNATURE &&
				 !memcmp(&a, &b, sizeof(a)),
			 "PEK_CERT_IMPORT, OCA's self-signature altered: BAD_SIGNATURE, nothing changed\n");
	pek2 = pek;
	pek2.api_minor = 23;
	sev_cert_sign(&pek2, 0, key, SEV_USAGE_OCA);
	r = import(fd, &pek2, &oca, SEV_CERT_LEN);
	must_export(fd, &b);
	ksft_test_result(r == SEV_RET_INVALID_CERTIFICATE &&
				 !memcmp(&a, &b, sizeof(a)),
			 "PEK_CERT_IMPORT of another PEK body, validly signed: INVALID_CERTIFICATE\n");
	r = import(fd, &pek, &oca, SEV_CERT_LEN - 4);
	ksft_test_result(r == SEV_RET_INVALID_LEN,
			 "PEK_CERT_IMPORT with a short OCA: INVALID_LEN\n");

	r = import(fd, &pek, &oca, SEV_CERT_LEN);
	must_export(fd, &b);
	platform_state(fd, &flags);
	ksft_test_result(!r && !memcmp(&b.oca, &oca, SEV_CERT_LEN) &&
				 !memcmp(&b.pek, &pek, SEV_CERT_BODY_LEN) &&
				 sev_cert_sig_ok(&b.pek, 0, &oca) &&
				 slot_is(&b.pek, 1, SEV_USAGE_CEK,
					 SEV_ALGO_ECDSA_SHA256) &&
				 sev_cert_sig_ok(&b.pek, 1, &b.cek) &&
				 !same_key(&a.pdh, &b.pdh) &&
				 sev_cert_sig_ok(&b.pdh, 0, &b.pek) &&
				 (flags & 1),
			 "PEK_CERT_IMPORT: our OCA, its PEK signature, the CEK's kept, a new PDH, owned\n");
	r = import(fd, &pek, &oca, SEV_CERT_LEN);
	ksft_test_result(r == SEV_RET_ALREADY_OWNED,
			 "PEK_CERT_IMPORT again: ALREADY_OWNED\n");
	ksft_test_result(!pki_cmd(fd, SEV_PEK_GEN, NULL) && !export(fd, &a) &&
				 chain_ok(&a) && !same_key(&a.oca, &oca) &&
				 platform_state(fd, &flags) == 1 &&
				 !(flags & 1),
			 "PEK_GEN: self-owned again, a new self-signed OCA\n");
	EVP_PKEY_free(key);
}

/* With a guest (WORKING): what the API refuses and what it allows. */
static void test_states(int fd)
{
	struct sev_cert pek, oca;
	struct sev_vm s;
	struct chain a, b;
	uint32_t fw = 0;
	int r;

	TEST_ASSERT(!sev_vm_create(&s, fd, false, guest_code, 1, &fw),
		    "KVM_SEV_INIT");
	TEST_ASSERT(!sev_launch_start(&s, 0, 0, &fw), "LAUNCH_START");
	TEST_ASSERT(platform_state(fd, NULL) == 2, "WORKING");
	must_export(fd, &a);
	ksft_test_result(pki_cmd(fd, SEV_PEK_GEN, NULL) ==
					 SEV_RET_INVALID_PLATFORM_STATE &&
				 !export(fd, &b) && !memcmp(&a, &b, sizeof(a)),
			 "PEK_GEN with a guest: INVALID_PLATFORM_STATE, nothing changed\n");
	memcpy(&pek, &a.pek, sizeof(pek));
	memcpy(&oca, &a.oca, sizeof(oca));
	ksft_test_result(import(fd, &pek, &oca, SEV_CERT_LEN) ==
				 SEV_RET_INVALID_PLATFORM_STATE,
			 "PEK_CERT_IMPORT with a guest: INVALID_PLATFORM_STATE\n");
	r = pki_cmd(fd, SEV_FACTORY_RESET, NULL);
	ksft_test_result(r == -EBUSY && !export(fd, &b) &&
				 !memcmp(&a, &b, sizeof(a)) &&
				 platform_state(fd, NULL) == 2,
			 "FACTORY_RESET with a guest: EBUSY (the driver's rule), nothing changed\n");
	ksft_test_result(!pki_cmd(fd, SEV_PDH_GEN, NULL) && !export(fd, &b) &&
				 !same_key(&a.pdh, &b.pdh) && chain_ok(&b),
			 "PDH_GEN with a guest: allowed (INIT or WORKING), new PDH verifies\n");
	sev_vm_free(&s);
}

static void test_reset(int fd)
{
	uint8_t id0[64], id[64];
	struct chain a, b;
	uint32_t flags;
	int rdonly;

	TEST_ASSERT(!get_id(fd, id0), "GET_ID2");
	must_export(fd, &a);
	ksft_test_result(!pki_cmd(fd, SEV_FACTORY_RESET, NULL) &&
				 platform_state(fd, &flags) == 0 && !flags,
			 "FACTORY_RESET from INIT: SHUTDOWN then reset, UNINIT\n");
	ksft_test_result(!export(fd, &b) && !same_key(&a.pdh, &b.pdh) &&
				 !same_key(&a.pek, &b.pek) &&
				 !same_key(&a.oca, &b.oca) &&
				 !memcmp(&a.cek, &b.cek, SEV_CERT_LEN) &&
				 chain_ok(&b) && !get_id(fd, id) &&
				 !memcmp(id, id0, 64),
			 "after FACTORY_RESET: new OCA, PEK, PDH, verified; same CEK and ID\n");
	TEST_ASSERT(!pki_cmd(fd, SEVSIM_USER_SHUTDOWN, NULL), "SHUTDOWN");
	rdonly = open(SEV_DEVICE, O_RDONLY);
	TEST_ASSERT(rdonly >= 0, "open %s read-only", SEV_DEVICE);
	ksft_test_result(pki_cmd(rdonly, SEV_PDH_GEN, NULL) == -EPERM &&
				 pki_cmd(rdonly, SEV_FACTORY_RESET, NULL) ==
					 -EPERM &&
				 export(rdonly, &b) == -EPERM &&
				 !get_id(rdonly, id) &&
				 platform_state(fd, NULL) == 0,
			 "read-only fd: EPERM for the writing commands and the INIT an export needs\n");
	close(rdonly);
}

int main(void)
{
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	pgenc_require();
	close(sevsim_fd());
	fd = open(SEV_DEVICE, O_RDWR);
	TEST_ASSERT(fd >= 0, "sevsim runs but %s cannot be opened", SEV_DEVICE);
	ksft_set_plan(12 + 3 + 4 + 9 + 4 + 3);

	test_export(fd);
	test_get_id(fd);
	test_gen(fd);
	test_import(fd);
	test_states(fd);
	test_reset(fd);
	close(fd);
	ksft_finished();
}
