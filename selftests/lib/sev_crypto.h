/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sevsim's memory transform recomputed in userspace with OpenSSL, from
 * the keys sevsim's debugfs discloses to tests and the pages' host
 * physical addresses (Documentation/sevsim.rst, "Cryptography").
 */
#ifndef PGENC_SEV_CRYPTO_H
#define PGENC_SEV_CRYPTO_H

#include <openssl/evp.h>

#include "sev_util.h"

/* A hex file of sevsim's debugfs directory for this guest (tests only). */
static inline void read_hex(uint32_t handle, const char *name, uint8_t *out,
			    int n)
{
	char path[80];
	unsigned int b;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/sys/kernel/debug/sevsim/%u/%s", handle,
		 name);
	f = fopen(path, "r");
	TEST_ASSERT(f, "open %s", path);
	for (i = 0; i < n; i++) {
		TEST_ASSERT(fscanf(f, "%2x", &b) == 1, "%s: hex", path);
		out[i] = b;
	}
	fclose(f);
}

/* The host physical address of va (pinned), from /proc/self/pagemap. */
static inline uint64_t host_pa(const void *va)
{
	uint64_t e, vpn = (uintptr_t)va / PGENC_PAGE;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	TEST_ASSERT(fd >= 0, "open pagemap");
	TEST_ASSERT(pread(fd, &e, 8, vpn * 8) == 8, "read pagemap");
	close(fd);
	TEST_ASSERT(e >> 63 && (e & ((1ULL << 55) - 1)),
		    "pagemap: no PFN for %p (root needed)", va);
	return (e & ((1ULL << 55) - 1)) * PGENC_PAGE +
	       (uintptr_t)va % PGENC_PAGE;
}

/* AES-128 ECB of n bytes (a multiple of 16) under key. */
static inline void aes128_ecb(const uint8_t key[16], const uint8_t *in,
			      uint8_t *out, int n)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int done = 0;

	TEST_ASSERT(c &&
			    EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, key,
					       NULL) &&
			    EVP_CIPHER_CTX_set_padding(c, 0) &&
			    EVP_EncryptUpdate(c, out, &done, in, n) &&
			    done == n,
		    "OpenSSL AES-128");
	EVP_CIPHER_CTX_free(c);
}

/*
 * Whether the host's view of launched pages is their plaintext under the
 * guest's VEK (K1 || K2) as sevsim_crypto.c defines it, recomputed with
 * OpenSSL: per 16-byte block, C = E_K1(P ^ T) ^ T, T = E_K2(pa as 16
 * little-endian bytes), pa the block's host physical address. A page at
 * a time (host and plain 16-byte aligned, len a multiple of 16).
 */
static inline bool ciphertext_matches(uint32_t handle, const uint8_t *host,
				      const uint8_t *plain, size_t len)
{
	uint8_t vek[32], t[PGENC_PAGE], x[PGENC_PAGE];
	size_t off, n, i;
	uint64_t pa;

	read_hex(handle, "vek", vek, sizeof(vek));
	for (off = 0; off < len; off += n) {
		n = PGENC_PAGE - (uintptr_t)(host + off) % PGENC_PAGE;
		n = n < len - off ? n : len - off;
		pa = host_pa(host + off);
		memset(t, 0, n);
		for (i = 0; i < n; i += 16)
			memcpy(t + i, &(uint64_t){ pa + i }, 8); /* x86: LE */
		aes128_ecb(vek + 16, t, t, n);
		for (i = 0; i < n; i++)
			x[i] = plain[off + i] ^ t[i];
		aes128_ecb(vek, x, x, n);
		for (i = 0; i < n; i++)
			x[i] ^= t[i];
		for (i = 0; i < n; i += 16) {
			if (!memcmp(x + i, host + off + i, 16))
				continue;
			ksft_print_msg("block at +%zu (pa %#llx): %02x%02x..., recomputed %02x%02x...\n",
				       off + i, (unsigned long long)(pa + i),
				       host[off + i], host[off + i + 1], x[i],
				       x[i + 1]);
			return false;
		}
	}
	return true;
}

#endif /* PGENC_SEV_CRYPTO_H */
