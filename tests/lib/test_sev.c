// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpgenc unit tests: the pure SEV helpers. Launch measurement and
 * launch digest against known answers computed outside this library
 * (see each vector), verification, firmware status and guest state
 * names.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/psp-sev.h>

#include <pgenc/pgenc.h>

#include "../tap.h"

static void unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	unsigned int v;

	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
}

/*
 * Vector 1. The 56-byte blob 0x04 || API_MAJOR 0x00 || API_MINOR 0x18 ||
 * BUILD 0x0f || POLICY 0x00050001 (LE: 01 00 05 00) || LD 20 21 .. 3f ||
 * MNONCE a0 a1 .. af, keyed with TIK 00 01 .. 0f, computed with:
 *
 *   python3 -c "open('kat1.bin','wb').write(bytes([4,0,0x18,0x0f]) +
 *     (0x00050001).to_bytes(4,'little') + bytes(range(0x20,0x40)) +
 *     bytes(range(0xa0,0xb0)))"
 *   openssl dgst -sha256 -mac HMAC \
 *     -macopt hexkey:000102030405060708090a0b0c0d0e0f kat1.bin
 *
 * (and the same with Python's hmac module).
 */
static const char kat1_mac[] =
	"4fcb78ca043100cd2cbd7461cd574fcf27256cb4e116fcddad21394153d49c94";

/*
 * Vector 2, from "pages": LD = SHA-256 of page 0 (4096 bytes of 0xaa)
 * then page 1 (byte i = i & 0xff),
 *
 *   python3 -c "open('pages.bin','wb').write(b'\xaa'*4096 +
 *     bytes(i & 0xff for i in range(4096)))"
 *   openssl dgst -sha256 pages.bin
 *
 * then the measurement with API 1.52 (0x01, 0x34), BUILD 3, POLICY 3,
 * MNONCE 16 x 0x5a, TIK 16 x 0xff, by openssl dgst as above.
 */
static const char kat2_ld[] =
	"291aecc2b955b189209aeff01edcddf718060330df81f891050da15e55252805";
static const char kat2_mac[] =
	"7a0111af4f152b998fc060c5e79b3aacc34a35fa85be039e22c4edb56fe97475";

static void test_measure_kat(void)
{
	uint8_t tik[16], ld[32], mnonce[16], out[32], want[32];
	int i;

	for (i = 0; i < 16; i++) {
		tik[i] = (uint8_t)i;
		mnonce[i] = (uint8_t)(0xa0 + i);
	}
	for (i = 0; i < 32; i++)
		ld[i] = (uint8_t)(0x20 + i);
	unhex(kat1_mac, want, 32);
	TAP_CHECK(!pgenc_sev_measure(tik, 0x00, 0x18, 0x0f, 0x00050001, ld,
				     mnonce, out),
		  "measure");
	TAP_CHECK(!memcmp(out, want, 32), "vector 1");

	memset(tik, 0xff, 16);
	memset(mnonce, 0x5a, 16);
	unhex(kat2_ld, ld, 32);
	unhex(kat2_mac, want, 32);
	TAP_CHECK(!pgenc_sev_measure(tik, 1, 0x34, 3, 3, ld, mnonce, out),
		  "measure");
	TAP_CHECK(!memcmp(out, want, 32), "vector 2");

	TAP_CHECK(pgenc_sev_measure(NULL, 1, 0x34, 3, 3, ld, mnonce, out) ==
			  -EINVAL,
		  "NULL tik");
	TAP_CHECK(pgenc_sev_measure(tik, 1, 0x34, 3, 3, ld, NULL, out) ==
			  -EINVAL,
		  "NULL mnonce");
}

static uint8_t pages[2][4096];

static void make_pages(void)
{
	int i;

	memset(pages[0], 0xaa, 4096);
	for (i = 0; i < 4096; i++)
		pages[1][i] = (uint8_t)i;
}

static void test_digest(void)
{
	struct pgenc_sev_digest *d;
	struct iovec iov[3];
	uint8_t want[32], out[32], abc[32];
	size_t off, step;

	make_pages();
	unhex(kat2_ld, want, 32);
	iov[0].iov_base = pages[0];
	iov[0].iov_len = 4096;
	iov[1].iov_base = pages[1];
	iov[1].iov_len = 4096;
	TAP_CHECK(!pgenc_sev_launch_digest(iov, 2, out), "one shot");
	TAP_CHECK(!memcmp(out, want, 32), "two pages");

	/* The same bytes in other pieces give the same digest. */
	for (step = 1; step <= 8192; step = step * 3 + 1) {
		TAP_CHECK(!pgenc_sev_digest_new(&d), "new");
		for (off = 0; off < 8192; off += step) {
			size_t n = 8192 - off < step ? 8192 - off : step;

			pgenc_sev_digest_update(d, &pages[0][0] + off, n);
		}
		TAP_CHECK(!pgenc_sev_digest_final(d, out), "final");
		TAP_CHECK(!memcmp(out, want, 32), "in pieces of %zu", step);
		TAP_CHECK(pgenc_sev_digest_update(d, "x", 1) == -EINVAL,
			  "update after final");
		TAP_CHECK(pgenc_sev_digest_final(d, out) == -EINVAL,
			  "final twice");
		pgenc_sev_digest_free(d);
	}

	/* FIPS 180-2, appendix B.1: SHA-256("abc"). */
	unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	      abc, 32);
	iov[0].iov_base = "a";
	iov[0].iov_len = 1;
	iov[1].iov_base = "";
	iov[1].iov_len = 0;
	iov[2].iov_base = "bc";
	iov[2].iov_len = 2;
	TAP_CHECK(!pgenc_sev_launch_digest(iov, 3, out) &&
			  !memcmp(out, abc, 32),
		  "abc");
	TAP_CHECK(pgenc_sev_launch_digest(NULL, 1, out) == -EINVAL, "NULL iov");
	TAP_CHECK(pgenc_sev_digest_update(NULL, "x", 1) == -EINVAL, "NULL");
	pgenc_sev_digest_free(NULL);
}

static void test_verify(void)
{
	static const struct {
		const char *name;
		uint8_t major, minor, build;
		uint32_t policy;
	} other[] = {
		{ "policy", 1, 0x34, 3, 7 },
		{ "build", 1, 0x34, 4, 3 },
		{ "minor", 1, 0x35, 3, 3 },
		{ "major", 0, 0x34, 3, 3 },
	};
	uint8_t tik[16], ld[32], blob[48], good[48];
	int i, bit;

	memset(tik, 0xff, 16);
	unhex(kat2_ld, ld, 32);
	unhex(kat2_mac, good, 32);
	memset(good + 32, 0x5a, 16); /* the mnonce follows the measurement */
	TAP_CHECK(!pgenc_sev_verify(tik, 1, 0x34, 3, 3, ld, good), "match");

	/* Any flipped bit of the blob is a mismatch. */
	for (i = 0; i < 48; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(blob, good, 48);
			blob[i] ^= (uint8_t)(1 << bit);
			TAP_CHECK(pgenc_sev_verify(tik, 1, 0x34, 3, 3, ld,
						   blob) == -EKEYREJECTED,
				  "byte %d bit %d", i, bit);
		}
	}
	/* And any other input: one field of the match changed. */
	for (i = 0; i < (int)(sizeof(other) / sizeof(other[0])); i++)
		TAP_CHECK(pgenc_sev_verify(tik, other[i].major, other[i].minor,
					   other[i].build, other[i].policy, ld,
					   good) == -EKEYREJECTED,
			  "%s", other[i].name);
	ld[31] ^= 1;
	TAP_CHECK(pgenc_sev_verify(tik, 1, 0x34, 3, 3, ld, good) ==
			  -EKEYREJECTED,
		  "digest");
	ld[31] ^= 1;
	tik[0] ^= 0x80;
	TAP_CHECK(pgenc_sev_verify(tik, 1, 0x34, 3, 3, ld, good) ==
			  -EKEYREJECTED,
		  "tik");
	TAP_CHECK(pgenc_sev_verify(tik, 1, 0x34, 3, 3, ld, NULL) == -EINVAL,
		  "NULL");
}

static void test_names(void)
{
	/* The SEV API's names, in the order of enum sev_ret_code. */
	static const char *const names[] = {
		"SUCCESS",
		"INVALID_PLATFORM_STATE",
		"INVALID_GUEST_STATE",
		"INVALID_CONFIG",
		"INVALID_LENGTH",
		"ALREADY_OWNED",
		"INVALID_CERTIFICATE",
		"POLICY_FAILURE",
		"INACTIVE",
		"INVALID_ADDRESS",
		"BAD_SIGNATURE",
		"BAD_MEASUREMENT",
		"ASID_OWNED",
		"INVALID_ASID",
		"WBINVD_REQUIRED",
		"DF_FLUSH_REQUIRED",
		"INVALID_GUEST",
		"INVALID_COMMAND",
		"ACTIVE",
		"HWERROR_PLATFORM",
		"HWERROR_UNSAFE",
		"UNSUPPORTED",
		"INVALID_PARAM",
		"RESOURCE_LIMIT",
		"SECURE_DATA_INVALID",
	};
	static const char *const gstates[] = { "UNINIT",  "LUPDATE", "LSECRET",
					       "RUNNING", "SUPDATE", "RUPDATE",
					       "SENT" };
	char want[64];
	int i;

	TAP_CHECK(SEV_RET_MAX == sizeof(names) / sizeof(names[0]),
		  "<linux/psp-sev.h> has %d codes", SEV_RET_MAX);
	for (i = 0;
	     i < SEV_RET_MAX && i < (int)(sizeof(names) / sizeof(names[0]));
	     i++) {
		snprintf(want, sizeof(want), "%s: ", names[i]);
		TAP_CHECK(!strncmp(pgenc_sev_fw_strerror(i), want,
				   strlen(want)),
			  "code %d: %s", i, pgenc_sev_fw_strerror(i));
	}
	TAP_CHECK(!strncmp(pgenc_sev_fw_strerror(SEV_RET_INVALID_GUEST_STATE),
			   "INVALID_GUEST_STATE", 19),
		  "by enum");
	TAP_CHECK(!strncmp(pgenc_sev_fw_strerror(-1), "NO_FW_CALL", 10), "-1");
	TAP_CHECK(!strcmp(pgenc_sev_fw_strerror(SEV_RET_MAX),
			  "unknown SEV firmware status"),
		  "MAX");
	TAP_CHECK(!strcmp(pgenc_sev_fw_strerror(-2),
			  "unknown SEV firmware status"),
		  "-2");
	TAP_CHECK(!strcmp(pgenc_sev_fw_strerror(0xffff),
			  "unknown SEV firmware status"),
		  "0xffff");
	for (i = 0; i < 7; i++)
		TAP_CHECK(!strcmp(pgenc_sev_guest_state_name((uint32_t)i),
				  gstates[i]),
			  "state %d", i);
	TAP_CHECK(!strcmp(pgenc_sev_guest_state_name(7), "unknown"), "state 7");
	TAP_CHECK(!strcmp(pgenc_sev_guest_state_name(UINT32_MAX), "unknown"),
		  "state max");
}

int main(void)
{
	tap_run("sev: launch measurement, known answers", test_measure_kat);
	tap_run("sev: launch digest, known answers, streaming", test_digest);
	tap_run("sev: verify, any changed input is a mismatch", test_verify);
	tap_run("sev: firmware status and guest state names", test_names);
	return tap_done();
}
