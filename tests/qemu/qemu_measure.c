// SPDX-License-Identifier: GPL-2.0-only
/*
 * Check a launch measurement that QEMU reported (query-sev-launch-measure)
 * with libpgenc: the launch digest is the SHA-256 of the -bios image,
 * which QEMU passes whole to one LAUNCH_UPDATE_DATA, and the measurement
 * is recomputed from the TIK (sevsim's debugfs) and the firmware's API
 * version, build and the guest's policy (query-sev).
 *
 *   qemu_measure IMAGE TIK_HEX POLICY API_MAJOR API_MINOR BUILD BLOB
 *
 * BLOB is a file of the 48 bytes LAUNCH_MEASURE returned (measurement,
 * then mnonce). Exit 0 on a match, 1 on a mismatch, 2 on bad arguments
 * or unreadable files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <pgenc/sev.h>

#define TIK_LEN PGENC_SEV_TIK_SIZE
#define BLOB_LEN PGENC_SEV_MEASURE_BLOB_SIZE
#define IMAGE_MAX (16u << 20)

static int usage(const char *why)
{
	fprintf(stderr,
		"qemu_measure: %s\n"
		"usage: qemu_measure IMAGE TIK_HEX POLICY API_MAJOR API_MINOR BUILD BLOB\n",
		why);
	return 2;
}

/* A whole file of at most max bytes into a new buffer; NULL on failure. */
static unsigned char *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max + 1, f) : 0;
	if (!buf || ferror(f) || n > max) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

static int parse_u32(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	return !errno && *s && !*end && *out <= max ? 0 : -1;
}

static int parse_hex(const char *s, unsigned char *out, size_t len)
{
	size_t i;

	if (strlen(s) != 2 * len)
		return -1;
	for (i = 0; i < len; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char tik[TIK_LEN], digest[PGENC_SEV_DIGEST_SIZE];
	unsigned long policy, major, minor, build;
	unsigned char *image, *blob;
	size_t image_len, blob_len;
	struct iovec iov;
	int r;

	if (argc != 8)
		return usage("wrong number of arguments");
	if (parse_hex(argv[2], tik, sizeof(tik)))
		return usage("TIK_HEX: want 32 hex digits");
	if (parse_u32(argv[3], 0xffffffffUL, &policy) ||
	    parse_u32(argv[4], 0xff, &major) ||
	    parse_u32(argv[5], 0xff, &minor) ||
	    parse_u32(argv[6], 0xff, &build))
		return usage("POLICY, API_MAJOR, API_MINOR, BUILD: numbers in range");
	image = slurp(argv[1], IMAGE_MAX, &image_len);
	if (!image || !image_len)
		return usage("IMAGE: cannot read it, or empty, or above 16 MiB");
	blob = slurp(argv[7], BLOB_LEN, &blob_len);
	if (!blob || blob_len != BLOB_LEN) {
		free(image);
		free(blob);
		return usage("BLOB: want a file of 48 bytes");
	}

	iov.iov_base = image;
	iov.iov_len = image_len;
	r = pgenc_sev_launch_digest(&iov, 1, digest);
	if (!r)
		r = pgenc_sev_verify(tik, major, minor, build, policy, digest,
				     blob);
	free(image);
	free(blob);
	if (r == -EKEYREJECTED) {
		printf("measurement differs\n");
		return 1;
	}
	if (r) {
		fprintf(stderr, "qemu_measure: %s\n", strerror(-r));
		return 2;
	}
	printf("measurement matches (%zu-byte image, policy 0x%lx, API %lu.%lu build %lu)\n",
	       image_len, policy, major, minor, build);
	return 0;
}
