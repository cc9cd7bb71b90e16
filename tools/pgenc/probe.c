// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc probe: what this host can do, for management layers.
 *
 * Every path is read under $PGENC_SYSROOT when it is set (tests fake
 * /sys and /dev trees there). KVM_CHECK_EXTENSION needs a real /dev/kvm:
 * under a sysroot, a regular file in place of dev/kvm holds the value
 * the ioctl would return (a decimal number, or -errno), and the output
 * says that this value was mocked. A character device there is asked
 * for real.
 *
 * The supported kernel series are kernel/patches/<series>/, passed by
 * tools/pgenc/Makefile: Documentation/admin-guide.rst, "Adding a kernel series".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pgenc/pgenc.h>

#include "cmdutil.h"

#ifndef PGENC_SERIES
#error "build with -DPGENC_SERIES=\"6.1 ...\" (tools/pgenc/Makefile)"
#endif

enum status {
	ST_PASS,
	ST_FAIL,
	ST_SKIP,
	ST_WARN
};

static const char *const status_text[] = { "PASS", "FAIL", "SKIP", "WARN" };
static const char *const status_json[] = { "pass", "fail", "skip", "warn" };
/* SGR of each status on a terminal: green, red, plain, yellow. */
static const char *const status_sgr[] = { "\033[1;32m", "\033[1;31m", "",
					  "\033[1;33m" };

#define MAX_CHECKS 16

struct check {
	const char *name;
	enum status st;
	int depth;
	char msg[200];
};

/*
 * A tri-state: -1 unknown (absent), 0 no, 1 yes; for a module parameter
 * also BAD_VALUE (unreadable or not a bool).
 */
#define BAD_VALUE (-2)

struct probe {
	const char *root; /* "" for the real host */
	bool trouble; /* an unexpected error: exit 1 */

	char release[128]; /* "" when unknown */
	char series[16]; /* major.minor, "" when unknown */
	int supported; /* the series is in PGENC_SERIES; -1 unknown */

	int dev_kvm; /* /dev/kvm opens */
	int cap; /* KVM_CHECK_EXTENSION result, -1 when not asked */
	bool cap_mocked;
	char kvm_version[64];
	char kvm_amd_version[64];
	int kvm_loaded;
	int kvm_amd_loaded;
	int sev;
	int sev_es;
	int sevsim;
	int dev_sevsim;
	int dev_sev;
	int dbg_bypass;

	struct check checks[MAX_CHECKS];
	int nr_checks;
};

static void add(struct probe *p, int depth, const char *name, enum status st,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(struct probe *p, int depth, const char *name, enum status st,
		const char *fmt, ...)
{
	struct check *c;
	va_list ap;

	if (p->nr_checks >= MAX_CHECKS)
		return;
	c = &p->checks[p->nr_checks++];
	c->name = name;
	c->st = st;
	c->depth = depth;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
}

static void path_of(const struct probe *p, const char *path, char *buf,
		    size_t size)
{
	snprintf(buf, size, "%s%s", p->root, path);
}

static int exists(const struct probe *p, const char *path)
{
	char full[PATH_MAX];
	struct stat st;

	path_of(p, path, full, sizeof(full));
	if (!stat(full, &st))
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
}

/*
 * One line of a sysfs or procfs file, without its newline: 0, -ENOENT,
 * -ENODATA when empty, -errno (EISDIR for a directory).
 */
static int read_line(const struct probe *p, const char *path, char *buf,
		     size_t size)
{
	char full[PATH_MAX];
	FILE *f;
	int r = 0;

	path_of(p, path, full, sizeof(full));
	f = fopen(full, "re");
	if (!f)
		return errno == ENOTDIR ? -ENOENT : -errno;
	errno = 0;
	if (!fgets(buf, (int)size, f))
		r = ferror(f) ? -(errno ? errno : EIO) : -ENODATA;
	fclose(f);
	if (!r)
		buf[strcspn(buf, "\n")] = '\0';
	return r;
}

/*
 * A module parameter that is a bool ("Y"/"N", or "1"/"0" on old
 * kernels): 1, 0, -1 when absent, or BAD_VALUE for anything else
 * (trouble, reported on stderr).
 */
static int read_bool_param(struct probe *p, const char *mod, const char *name)
{
	char path[128], buf[32];
	int r;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", mod, name);
	r = read_line(p, path, buf, sizeof(buf));
	if (r == -ENOENT)
		return -1;
	if (r < 0) {
		p->trouble = true;
		pg_error("probe", "%s%s: %s", p->root, path, strerror(-r));
		return BAD_VALUE;
	}
	if (!strcmp(buf, "Y") || !strcmp(buf, "y") || !strcmp(buf, "1"))
		return 1;
	if (!strcmp(buf, "N") || !strcmp(buf, "n") || !strcmp(buf, "0"))
		return 0;
	p->trouble = true;
	pg_error("probe", "%s%s: unexpected value '%s'", p->root, path, buf);
	return BAD_VALUE;
}

static void read_version(struct probe *p, const char *mod, char *buf,
			 size_t size)
{
	char path[128];
	int r;

	snprintf(path, sizeof(path), "/sys/module/%s/version", mod);
	r = read_line(p, path, buf, size);
	if (r == -ENOENT || r == -ENODATA) {
		buf[0] = '\0';
	} else if (r < 0) {
		p->trouble = true;
		buf[0] = '\0';
		pg_error("probe", "%s%s: %s", p->root, path, strerror(-r));
	}
}

/*
 * The next name in PGENC_SERIES (space-separated), from *s = PGENC_SERIES
 * and *len = 0: false after the last.
 */
static bool next_series(const char **s, size_t *len)
{
	*s += *len;
	*s += strspn(*s, " ");
	*len = strcspn(*s, " ");
	return *len;
}

static bool series_supported(const char *series)
{
	const char *s = PGENC_SERIES;
	size_t len = 0;

	while (next_series(&s, &len))
		if (len == strlen(series) && !strncmp(s, series, len))
			return true;
	return false;
}

/* The series of a release is its major.minor, as KVER's in the build. */
static bool release_series(const char *rel, char *buf, size_t size)
{
	size_t maj = strspn(rel, "0123456789"), min;

	if (!maj || rel[maj] != '.')
		return false;
	min = strspn(rel + maj + 1, "0123456789");
	if (!min || maj + 1 + min >= size)
		return false;
	snprintf(buf, size, "%.*s", (int)(maj + 1 + min), rel);
	return true;
}

/*
 * The running kernel's series. Absent (a sysroot without proc/): SKIP.
 * Unreadable or not a release: WARN, and an unexpected error (exit 1).
 */
static void series_line(struct probe *p)
{
	static const char path[] = "/proc/sys/kernel/osrelease";
	const char *s = PGENC_SERIES;
	char list[sizeof(PGENC_SERIES) * 2];
	size_t len = 0, n = 0;
	int r;

	p->supported = -1;
	r = read_line(p, path, p->release, sizeof(p->release));
	if (r == -ENOENT) {
		p->release[0] = '\0';
		add(p, 0, "kernel_series", ST_SKIP,
		    "kernel: release unknown (no %s)", path);
		return;
	}
	if (r < 0) {
		p->release[0] = '\0';
		p->trouble = true;
		pg_error("probe", "%s%s: %s", p->root, path,
			 r == -ENODATA ? "empty" : strerror(-r));
		add(p, 0, "kernel_series", ST_WARN, "kernel: %s: %s", path,
		    r == -ENODATA ? "empty" : strerror(-r));
		return;
	}
	if (!release_series(p->release, p->series, sizeof(p->series))) {
		p->trouble = true;
		pg_error("probe", "%s%s: '%s' is not a kernel release", p->root,
			 path, p->release);
		add(p, 0, "kernel_series", ST_WARN,
		    "kernel %s: no series (major.minor) in the release",
		    p->release);
		return;
	}
	p->supported = series_supported(p->series);
	list[0] = '\0';
	while (next_series(&s, &len))
		n += snprintf(list + n, sizeof(list) - n, "%s%.*s",
			      n ? ", " : "", (int)len, s);
	if (p->supported)
		add(p, 0, "kernel_series", ST_PASS,
		    "kernel %s: series %s, supported", p->release, p->series);
	else
		add(p, 0, "kernel_series", ST_FAIL,
		    "kernel %s: series %s, not supported (supported: %s)",
		    p->release, p->series, list);
}

/* Under a sysroot: dev/kvm is a regular file holding the ioctl result. */
static int mocked_cap(struct probe *p, const char *full)
{
	char buf[32], *end;
	long v;
	FILE *f = fopen(full, "re");

	p->cap_mocked = true;
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -EIO;
	}
	fclose(f);
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v < -4095 ||
	    v > INT_MAX)
		return -EIO;
	return (int)v;
}

static void probe_kvm(struct probe *p)
{
	char full[PATH_MAX];
	struct stat st;
	int fd, r;

	p->cap = -1;
	path_of(p, "/dev/kvm", full, sizeof(full));
	if (*p->root && !stat(full, &st) && S_ISREG(st.st_mode)) {
		p->dev_kvm = 1;
		r = mocked_cap(p, full);
	} else {
		fd = open(full, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT || errno == ENXIO ||
			    errno == ENODEV) {
				p->dev_kvm = 0;
				add(p, 0, "dev_kvm", ST_FAIL, "/dev/kvm: %s",
				    errno == ENOENT ? "absent" :
						      "no KVM behind it");
			} else {
				/* Present but unusable by us (EACCES...). */
				p->dev_kvm = -1;
				p->trouble = true;
				add(p, 0, "dev_kvm", ST_FAIL, "/dev/kvm: %s",
				    strerror(errno));
			}
			add(p, 0, "cap_page_enc_bitmap", ST_SKIP,
			    "KVM_CAP_PAGE_ENC_BITMAP: needs /dev/kvm");
			return;
		}
		p->dev_kvm = 1;
		r = pgenc_vm_check(fd);
		close(fd);
	}
	add(p, 0, "dev_kvm", ST_PASS, "/dev/kvm: present");
	if (r < 0) {
		p->trouble = true;
		add(p, 0, "cap_page_enc_bitmap", ST_FAIL,
		    "KVM_CAP_PAGE_ENC_BITMAP: KVM_CHECK_EXTENSION failed: %s%s",
		    strerror(-r), p->cap_mocked ? " (mocked)" : "");
		return;
	}
	p->cap = r;
}

static void cap_line(struct probe *p)
{
	char flags[128] = "";
	size_t n = 0;
	unsigned int c;

	if (p->cap < 0)
		return;
	c = (unsigned int)p->cap;
	if (c & KVM_PAGE_ENC_CAP_BITMAP)
		n += snprintf(flags + n, sizeof(flags) - n, " bitmap");
	if (c & KVM_PAGE_ENC_CAP_HYPERCALL)
		n += snprintf(flags + n, sizeof(flags) - n, " hypercall");
	if (c & KVM_PAGE_ENC_CAP_MIGRATION_CONTROL)
		n += snprintf(flags + n, sizeof(flags) - n,
			      " migration-control");
	if (c & ~KVM_PAGE_ENC_CAP_ALL)
		snprintf(flags + n, sizeof(flags) - n, " 0x%x",
			 c & ~KVM_PAGE_ENC_CAP_ALL);

	if (!c)
		add(p, 0, "cap_page_enc_bitmap", ST_FAIL,
		    "KVM_CAP_PAGE_ENC_BITMAP: not supported (stock KVM: the pgenc modules are not loaded)%s",
		    p->cap_mocked ? " (mocked)" : "");
	else if (!(c & KVM_PAGE_ENC_CAP_BITMAP))
		add(p, 0, "cap_page_enc_bitmap", ST_FAIL,
		    "KVM_CAP_PAGE_ENC_BITMAP:%s (no bitmap ioctls)%s", flags,
		    p->cap_mocked ? " (mocked)" : "");
	else
		add(p, 0, "cap_page_enc_bitmap", ST_PASS,
		    "KVM_CAP_PAGE_ENC_BITMAP:%s%s", flags,
		    p->cap_mocked ? " (mocked)" : "");
}

static void version_line(struct probe *p)
{
	const char *kv = p->kvm_version, *av = p->kvm_amd_version;

	if (!p->kvm_loaded) {
		add(p, 0, "module_version", ST_SKIP,
		    "pgenc module version: kvm is not loaded");
		return;
	}
	if (!*kv) {
		add(p, 0, "module_version", ST_FAIL,
		    "pgenc module version: kvm has none (stock kvm.ko)");
		return;
	}
	if (p->kvm_amd_loaded == 1 && strcmp(kv, av)) {
		add(p, 0, "module_version", ST_WARN,
		    "pgenc module version: kvm %s, kvm_amd %s: they differ (load both from the same build)",
		    kv, *av ? av : "none (stock kvm-amd.ko)");
		return;
	}
	/* The modules say "0.1.0+g<commit>": compare the release only. */
	if (strncmp(kv, pgenc_version(), strcspn(kv, "+")) ||
	    strlen(pgenc_version()) != strcspn(kv, "+")) {
		add(p, 0, "module_version", ST_WARN,
		    "pgenc module version: kvm %s%s%s, this tool %s", kv,
		    p->kvm_amd_loaded == 1 ? ", kvm_amd " : "",
		    p->kvm_amd_loaded == 1 ? av : "", pgenc_version());
		return;
	}
	add(p, 0, "module_version", ST_PASS, "pgenc module version: kvm %s%s%s",
	    kv, p->kvm_amd_loaded == 1 ? ", kvm_amd " : "",
	    p->kvm_amd_loaded == 1 ? av : "");
}

/* An unknown series does not decide: the capability does. */
static bool usable(const struct probe *p)
{
	return p->supported != 0 && p->dev_kvm == 1 && p->cap > 0 &&
	       (p->cap & KVM_PAGE_ENC_CAP_BITMAP);
}

/*
 * The sevsim parameter is what was asked for; /dev/sevsim exists only
 * while sevsim runs: Documentation/sevsim.rst, "sevsim: a software SEV
 * firmware for tests".
 */
static bool sim_active(const struct probe *p)
{
	return p->sevsim == 1 && p->dev_sevsim == 1;
}

/* Real SEV: enabled, a firmware device, and not the simulator. */
static bool real_sev(const struct probe *p)
{
	return p->kvm_amd_loaded == 1 && p->sev == 1 && p->dev_sev == 1 &&
	       p->sevsim != BAD_VALUE && !sim_active(p);
}

static void sevsim_line(struct probe *p)
{
	if (p->sevsim == BAD_VALUE)
		add(p, 1, "sevsim", ST_FAIL,
		    "sevsim: unreadable parameter: memory encryption unknown");
	else if (sim_active(p))
		add(p, 1, "sevsim", ST_WARN,
		    "sevsim: ACTIVE: SIMULATED SEV FIRMWARE, NO MEMORY ENCRYPTION: guest memory is plain text to the host (/dev/sevsim)");
	else if (p->sevsim == 1)
		add(p, 1, "sevsim", ST_WARN,
		    "sevsim: requested (kvm_amd sevsim=Y), not active: no /dev/sevsim (%s)",
		    real_sev(p) ? "SEV commands go to the real firmware" :
				  "the kernel log says why");
	else if (p->sevsim == 0)
		add(p, 1, "sevsim", ST_PASS,
		    "sevsim: off (SEV commands go to the real firmware)");
}

static void amd_lines(struct probe *p)
{
	if (p->kvm_amd_loaded != 1) {
		/* Without a vendor module kvm has no /dev/kvm. */
		add(p, 0, "kvm_amd", ST_FAIL, "kvm_amd: not loaded (no SEV%s)",
		    usable(p) ? "; tracking works for non-SEV VMs" : "");
		return;
	}
	add(p, 0, "kvm_amd", ST_PASS, "kvm_amd: loaded");
	if (p->sev == BAD_VALUE)
		add(p, 1, "sev", ST_FAIL, "sev: unreadable parameter");
	else if (p->sev < 0)
		add(p, 1, "sev", ST_SKIP, "sev: no such parameter");
	else
		add(p, 1, "sev", p->sev ? ST_PASS : ST_FAIL, "sev: %s",
		    p->sev ?
			    "enabled" :
			    "disabled (no SEV on this CPU or firmware, or kvm_amd sev=0)");
	if (p->sev_es == BAD_VALUE)
		add(p, 1, "sev_es", ST_FAIL, "sev_es: unreadable parameter");
	else if (p->sev_es == 1 && p->sev != 1)
		add(p, 1, "sev_es", ST_FAIL,
		    "sev_es: not usable: SEV-ES needs sev (the parameter says Y)");
	else if (p->sev_es < 0)
		add(p, 1, "sev_es", ST_SKIP, "sev_es: no such parameter");
	else
		add(p, 1, "sev_es", p->sev_es ? ST_PASS : ST_FAIL, "sev_es: %s",
		    p->sev_es ? "enabled" : "disabled");
	sevsim_line(p);
	if (p->dbg_bypass == 1)
		add(p, 1, "pgenc_dbg_bypass", ST_PASS,
		    "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)");
	else if (p->dbg_bypass == 0)
		add(p, 1, "pgenc_dbg_bypass", ST_WARN,
		    "pgenc_dbg_bypass: off (every DBG_DECRYPT/ENCRYPT page goes to the firmware)");
	else if (p->dbg_bypass == BAD_VALUE)
		add(p, 1, "pgenc_dbg_bypass", ST_FAIL,
		    "pgenc_dbg_bypass: unreadable parameter");
	else
		add(p, 1, "pgenc_dbg_bypass", ST_SKIP,
		    "pgenc_dbg_bypass: no such parameter (stock kvm-amd.ko)");
}

/* sevsim takes the name /dev/sev where no PSP has it (sevsim.rst). */
static void dev_sev_line(struct probe *p)
{
	if (sim_active(p) && p->dev_sev == 1)
		add(p, 0, "dev_sev", ST_SKIP,
		    "/dev/sev: sevsim's (no SEV firmware driver behind it)");
	else if (p->dev_sev == 1)
		add(p, 0, "dev_sev", ST_PASS, "/dev/sev: present");
	else if (sim_active(p))
		add(p, 0, "dev_sev", ST_SKIP,
		    "/dev/sev: absent (sevsim stands in for the SEV firmware)");
	else
		add(p, 0, "dev_sev", ST_FAIL,
		    "/dev/sev: absent (no SEV firmware driver: ccp)");
}

static int tri(struct probe *p, int r, const char *path)
{
	if (r < 0) {
		p->trouble = true;
		pg_error("probe", "%s%s: %s", p->root, path, strerror(-r));
		return -1;
	}
	return r;
}

static void json_tri(FILE *f, int v)
{
	fputs(v < 0 ? "null" : v ? "true" : "false", f);
}

static void json_ver(FILE *f, const char *v)
{
	if (*v)
		pg_json_str(f, v);
	else
		fputs("null", f);
}

/* Members of an object after its first: ",\n    \"name\": tri". */
struct tri_field {
	const char *name;
	int v;
};

static void json_tris(FILE *f, const struct tri_field *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		fprintf(f, ",\n    \"%s\": ", t[i].name);
		json_tri(f, t[i].v);
	}
}

static void print_series_json(FILE *f)
{
	const char *s = PGENC_SERIES;
	char name[sizeof(PGENC_SERIES)];
	size_t len = 0;
	bool first = true;

	while (next_series(&s, &len)) {
		if (!first)
			fputs(", ", f);
		first = false;
		snprintf(name, sizeof(name), "%.*s", (int)len, s);
		pg_json_str(f, name);
	}
}

static void print_json(const struct probe *p)
{
	const struct tri_field amd[] = {
		{ "sev", p->sev },
		{ "sev_es", p->sev_es },
		{ "sevsim", p->sevsim },
		{ "pgenc_dbg_bypass", p->dbg_bypass },
	};
	FILE *f = stdout;
	int i;

	fputs("{\n", f);
	fprintf(f, "  \"pgenc_version\": \"%s\",\n", pgenc_version());
	fputs("  \"sysroot\": ", f);
	pg_json_str(f, *p->root ? p->root : "/");
	fprintf(f, ",\n  \"usable\": %s,\n", usable(p) ? "true" : "false");
	fprintf(f, "  \"simulated\": %s,\n", sim_active(p) ? "true" : "false");
	fprintf(f, "  \"memory_encryption\": %s,\n",
		real_sev(p) ? "true" : "false");
	fputs("  \"kernel\": {\n    \"release\": ", f);
	json_ver(f, p->release);
	fputs(",\n    \"series\": ", f);
	json_ver(f, p->series);
	fputs(",\n    \"supported\": ", f);
	json_tri(f, p->supported);
	fputs(",\n    \"supported_series\": [", f);
	print_series_json(f);
	fputs("]\n  },\n", f);
	fputs("  \"kvm\": {\n    \"loaded\": ", f);
	json_tri(f, p->kvm_loaded);
	fputs(",\n    \"version\": ", f);
	json_ver(f, p->kvm_version);
	fputs(",\n    \"dev_kvm\": ", f);
	json_tri(f, p->dev_kvm);
	fputs(",\n    \"cap_page_enc_bitmap\": ", f);
	if (p->cap < 0)
		fputs("null", f);
	else
		fprintf(f,
			"{\"flags\": %d, \"bitmap\": %s, \"hypercall\": %s, \"migration_control\": %s, \"mocked\": %s}",
			p->cap,
			p->cap & KVM_PAGE_ENC_CAP_BITMAP ? "true" : "false",
			p->cap & KVM_PAGE_ENC_CAP_HYPERCALL ? "true" : "false",
			p->cap & KVM_PAGE_ENC_CAP_MIGRATION_CONTROL ? "true" :
								      "false",
			p->cap_mocked ? "true" : "false");
	fputs("\n  },\n  \"kvm_amd\": {\n    \"loaded\": ", f);
	json_tri(f, p->kvm_amd_loaded);
	fputs(",\n    \"version\": ", f);
	json_ver(f, p->kvm_amd_version);
	json_tris(f, amd, sizeof(amd) / sizeof(amd[0]));
	fputs("\n  },\n  \"dev_sev\": ", f);
	json_tri(f, p->dev_sev);
	fputs(",\n  \"dev_sevsim\": ", f);
	json_tri(f, p->dev_sevsim);
	fputs(",\n  \"checks\": [", f);
	for (i = 0; i < p->nr_checks; i++) {
		fprintf(f,
			"%s\n    {\"name\": \"%s\", \"status\": \"%s\", \"message\": ",
			i ? "," : "", p->checks[i].name,
			status_json[p->checks[i].st]);
		pg_json_str(f, p->checks[i].msg);
		fputc('}', f);
	}
	fputs("\n  ]\n}\n", f);
}

static void print_text(const struct probe *p, bool color)
{
	const char *sgr, *end;
	int i;

	for (i = 0; i < p->nr_checks; i++) {
		sgr = color ? status_sgr[p->checks[i].st] : "";
		end = *sgr ? "\033[0m" : "";
		printf("%*s[ %s%s%s ] - %s\n", 2 * p->checks[i].depth, "", sgr,
		       status_text[p->checks[i].st], end, p->checks[i].msg);
	}
	printf("\npgenc tracking: %s\n",
	       usable(p) ? "usable" : "NOT available on this host");
	if (sim_active(p))
		printf("SEV: SIMULATED (kvm_amd sevsim=1): NO MEMORY ENCRYPTION, for testing only\n");
	else if (real_sev(p))
		printf("SEV: available%s\n",
		       p->sev_es == 1 ? " (SEV and SEV-ES)" : "");
	else
		printf("SEV: not available\n");
}

static const char probe_usage[] =
	"Usage: pgenc probe [--json] [--color WHEN]\n"
	"\n"
	"Report what this host can do: the kernel series and whether pgenc\n"
	"supports it, /dev/kvm and KVM_CAP_PAGE_ENC_BITMAP (flags decoded),\n"
	"the pgenc module version, kvm_amd and its sev, sev_es, sevsim and\n"
	"pgenc_dbg_bypass parameters, /dev/sev.\n"
	"sevsim (simulated SEV firmware) is flagged: it encrypts nothing.\n"
	"\n"
	"Options:\n"
	"  --json        one JSON object on stdout (keys in pgenc(1))\n"
	"  --color WHEN  colour the statuses: auto (default: when stdout is a\n"
	"                terminal and NO_COLOR is unset), always, never\n"
	"  --no-color    the same as --color never\n"
	"  -h, --help    this help\n"
	"\n"
	"Environment: PGENC_SYSROOT=DIR reads /proc, /sys and /dev under DIR\n"
	"(tests).\n"
	"Exit status: 0 pgenc tracking is usable, 3 it is not (no /dev/kvm, no\n"
	"capability, or a kernel series pgenc does not support), 1 an\n"
	"unexpected error, 2 a usage error.\n";

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "color", required_argument, NULL, 'C' },
		{ "colour", required_argument, NULL, 'C' },
		{ "no-color", no_argument, NULL, 'N' },
		{ "no-colour", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe p;
	int r;
	bool json = false;
	int c, color = -1;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'C':
			if (pg_parse_color("probe", optarg, &color))
				return PGENC_EXIT_USAGE;
			break;
		case 'N':
			color = 0;
			break;
		case 'h':
			fputs(probe_usage, stdout);
			return PGENC_EXIT_OK;
		default:
			return pg_getopt_error("probe", c, argv);
		}
	}
	if (optind < argc)
		return pg_usage_error("probe", "unexpected argument '%s'",
				      argv[optind]);

	memset(&p, 0, sizeof(p));
	r = pg_sysroot("probe", &p.root);
	if (r)
		return r;

	p.kvm_loaded =
		tri(&p, exists(&p, "/sys/module/kvm"), "/sys/module/kvm");
	p.kvm_amd_loaded = tri(&p, exists(&p, "/sys/module/kvm_amd"),
			       "/sys/module/kvm_amd");
	read_version(&p, "kvm", p.kvm_version, sizeof(p.kvm_version));
	read_version(&p, "kvm_amd", p.kvm_amd_version,
		     sizeof(p.kvm_amd_version));
	p.sev = read_bool_param(&p, "kvm_amd", "sev");
	p.sev_es = read_bool_param(&p, "kvm_amd", "sev_es");
	p.sevsim = read_bool_param(&p, "kvm_amd", "sevsim");
	p.dbg_bypass = read_bool_param(&p, "kvm_amd", "pgenc_dbg_bypass");
	p.dev_sev = tri(&p, exists(&p, "/dev/sev"), "/dev/sev");
	p.dev_sevsim = tri(&p, exists(&p, "/dev/sevsim"), "/dev/sevsim");

	series_line(&p);
	probe_kvm(&p);
	cap_line(&p);
	version_line(&p);
	amd_lines(&p);
	dev_sev_line(&p);

	if (json)
		print_json(&p);
	else
		print_text(&p, pg_want_color(color));
	if (fflush(stdout) || ferror(stdout)) {
		pg_error("probe", "write error: %s", strerror(errno));
		return PGENC_EXIT_FAILED;
	}
	if (p.trouble)
		return PGENC_EXIT_FAILED;
	return usable(&p) ? PGENC_EXIT_OK : PGENC_EXIT_UNSUPPORTED;
}
