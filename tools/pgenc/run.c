// SPDX-License-Identifier: GPL-2.0
/*
 * `pgenc run`: a minimal VMM on the raw KVM API, enough to launch a guest
 * (optionally as an SEV guest), watch it convert pages between private
 * and shared, and inspect it through the control socket.
 *
 * This file is its options and usage; the VMM itself is below it:
 * vmm_run.c (vCPU threads, exits, lifecycle), vmm_setup.c, vmm_sev.c,
 * vmm_ctl.c (the control socket), vmm_log.c (messages).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pgenc/pgenc.h>

#include "cmdutil.h"
#include "vmm.h"

#define DEFAULT_MEM (64ULL << 20)
#define MIN_MEM (2ULL << 20)
#define MAX_MEM (16ULL << 30)

/*
 * Options
 * =======
 */

static void usage(FILE *f)
{
	fputs("Usage: pgenc run [OPTIONS] (--demo | --churn | --image FILE[@GPA])\n"
	      "       pgenc run [OPTIONS] (--incoming URI | --from-file PATH)\n"
	      "\n"
	      "Run a guest in a minimal VMM with page encryption tracking on:\n"
	      "every vCPU starts in 64-bit long mode (identity-mapped memory,\n"
	      "entry RDI = vCPU index, RSI = boot info at 0x2000; see\n"
	      "tools/pgenc/guest/boot.h). Bytes written to port 0xe9 (or COM1,\n"
	      "0x3f8) are printed as \"[guest] \" lines. A vCPU stops at HLT;\n"
	      "a shutdown (triple fault) stops the VM.\n"
	      "\n"
	      "  --mem SIZE            guest memory from GPA 0 (default 64M;\n"
	      "                        suffixes K, M, G; 2M..16G)\n"
	      "  --image FILE[@GPA]    an ELF64 file (by its magic: PT_LOAD\n"
	      "                        segments, e_entry) or a flat binary at GPA\n"
	      "                        (default 0x100000; at least 1 MiB)\n"
	      "  --entry GPA           entry of a flat image (default: its start)\n"
	      "  --demo                the built-in demo guest: converts ranges\n"
	      "                        with hypercall 12 and fills its shared pages\n"
	      "                        with known text (needs --mem >= 32M)\n"
	      "  --churn               the built-in churn guest, for migration\n"
	      "                        tests: keeps writing and converting pages\n"
	      "                        of a 4 MiB area and verifying checksums of\n"
	      "                        every page (boot.h; needs --mem >= 16M)\n"
	      "  --churn-rate PAGES    pages the churn guest writes per round\n"
	      "                        besides the 32 it converts (0..1024,\n"
	      "                        default 64)\n"
	      "  --vcpus N             vCPUs, one thread each (1..32, default 1)\n"
	      "  --sev                 launch as an SEV guest: KVM_SEV_INIT,\n"
	      "                        LAUNCH_START, LAUNCH_UPDATE_DATA of the\n"
	      "                        measured data, LAUNCH_MEASURE (printed in\n"
	      "                        base64), LAUNCH_FINISH\n"
	      "  --sev-device PATH     the SEV firmware device (default /dev/sev,\n"
	      "                        or /dev/sevsim under kvm_amd sevsim=1)\n"
	      "  --policy HEX          SEV guest policy, hex, 0x optional (default 0)\n"
	      "  --sev-data FILE[@GPA] data to measure and launch, padded to whole\n"
	      "                        pages (default GPA 0x200000); --demo\n"
	      "                        launches 2 pages of known text there\n"
	      "  --verify              recompute the measurement and compare it\n"
	      "                        (needs --tik or --tik-file)\n"
	      "  --tik HEX             the transport integrity key (32 hex digits)\n"
	      "  --tik-file PATH       read the TIK from PATH; %h in PATH becomes\n"
	      "                        the firmware handle (sevsim exposes\n"
	      "                        /sys/kernel/debug/sevsim/%h/tik)\n"
	      "  --ctl SOCK            serve the control socket SOCK (mode 0600,\n"
	      "                        JSON lines; see `pgenc ctl --help`) and\n"
	      "                        keep serving after the guest halts, until\n"
	      "                        \"quit\"\n"
	      "  --incoming URI        receive a migrating VM (tcp:HOST:PORT,\n"
	      "                        unix:PATH, file:PATH): created from the\n"
	      "                        stream's description (--mem, --vcpus,\n"
	      "                        --sev, if given, must agree), resumed and\n"
	      "                        acknowledged; see `pgenc migrate`\n"
	      "  --from-file PATH      --incoming file:PATH (restore a saved VM)\n"
	      "  --trace-hypercalls    also take every hypercall 12 to the VMM\n"
	      "                        (KVM_CAP_EXIT_HYPERCALL) and log it; the\n"
	      "                        kernel has updated the bitmap already\n"
	      "  -h, --help            this text\n"
	      "\n"
	      "Exit: 0 every vCPU halted (or stopped by \"quit\"), 1 failure or\n"
	      "guest shutdown, 2 usage error, 3 unsupported here (no /dev/kvm,\n"
	      "no KVM_CAP_PAGE_ENC_BITMAP, no SEV).\n",
	      f);
}

/*
 * "FILE@GPA": splits at the last '@' when what follows is a number; a
 * file name, and a number after any '@'.
 */
static int split_at(const char *arg, const char **file, bool *at_set,
		    uint64_t *gpa)
{
	const char *at = strrchr(arg, '@');

	*at_set = false;
	if (at && !pg_parse_u64(at + 1, gpa)) {
		*at_set = true;
		*file = strndup(arg, (size_t)(at - arg));
	} else if (at && at[1] && strchr("0123456789", at[1])) {
		return -EINVAL;
	} else {
		*file = arg;
	}
	if (!*file)
		return -ENOMEM;
	return **file ? 0 : -EINVAL;
}

/* Option opt's FILE[@GPA] in *arg: *arg becomes FILE, or a usage error. */
static int file_at(const char *opt, const char **arg, bool *at_set,
		   uint64_t *gpa)
{
	const char *file;

	if (split_at(*arg, &file, at_set, gpa))
		return pg_usage_error("run", "%s %s: want FILE or FILE@GPA",
				      opt, *arg);
	*arg = file;
	return 0;
}

/*
 * An input file named on the command line opens and is not a directory:
 * a usage error otherwise, found before /dev/kvm is asked (exit 2, not
 * 3). "-" is stdin.
 */
static int input_file(const char *opt, const char *arg, const char *path)
{
	struct stat st;
	int fd, e = 0;

	if (!strcmp(path, "-"))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		e = errno;
	else if (fstat(fd, &st))
		e = errno;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	if (fd >= 0)
		close(fd);
	if (e)
		return pg_usage_error("run", "%s %s: %s", opt, arg,
				      strerror(e));
	return 0;
}

/* The directory a socket is to be created in exists. */
static int socket_dir(const char *opt, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;

	if (!slash)
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + 1), path);
	if (stat(dir, &st))
		return pg_usage_error("run", "%s %s: %s: %s", opt, path, dir,
				      strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return pg_usage_error("run", "%s %s: %s: not a directory", opt,
				      path, dir);
	return 0;
}

static int parse_opts(int argc, char **argv, struct vmm_run_opts *o)
{
	enum {
		O_MEM = 256,
		O_IMAGE,
		O_ENTRY,
		O_DEMO,
		O_CHURN,
		O_CHURN_RATE,
		O_VCPUS,
		O_SEV,
		O_SEV_DEVICE,
		O_POLICY,
		O_SEV_DATA,
		O_VERIFY,
		O_TIK,
		O_TIK_FILE,
		O_CTL,
		O_TRACE,
		O_INCOMING,
		O_FROM_FILE,
	};
	static const struct option lopts[] = {
		{ "mem", required_argument, NULL, O_MEM },
		{ "image", required_argument, NULL, O_IMAGE },
		{ "entry", required_argument, NULL, O_ENTRY },
		{ "demo", no_argument, NULL, O_DEMO },
		{ "churn", no_argument, NULL, O_CHURN },
		{ "churn-rate", required_argument, NULL, O_CHURN_RATE },
		{ "vcpus", required_argument, NULL, O_VCPUS },
		{ "sev", no_argument, NULL, O_SEV },
		{ "sev-device", required_argument, NULL, O_SEV_DEVICE },
		{ "policy", required_argument, NULL, O_POLICY },
		{ "sev-data", required_argument, NULL, O_SEV_DATA },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "tik", required_argument, NULL, O_TIK },
		{ "tik-file", required_argument, NULL, O_TIK_FILE },
		{ "ctl", required_argument, NULL, O_CTL },
		{ "trace-hypercalls", no_argument, NULL, O_TRACE },
		{ "incoming", required_argument, NULL, O_INCOMING },
		{ "from-file", required_argument, NULL, O_FROM_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char from_file[4096 + 8];
	struct vmm_uri uri;
	const char *why;
	char hex[24];
	bool rate_set = false, from_opt = false;
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->mem = DEFAULT_MEM;
	o->vcpus = 1;
	o->churn_rate = PGENC_CHURN_RATE;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", lopts, NULL)) != -1) {
		switch (c) {
		case O_MEM:
			why = pg_parse_size(optarg, &o->mem);
			if (why)
				return pg_usage_error("run", "--mem %s: %s",
						      optarg, why);
			if (o->mem < MIN_MEM || o->mem > MAX_MEM ||
			    o->mem % PGENC_PAGE_SIZE)
				return pg_usage_error("run",
						      "--mem %s: want a size of whole pages from 2M to 16G (e.g. 64M)",
						      optarg);
			o->mem_set = true;
			break;
		case O_IMAGE:
			o->image = optarg;
			break;
		case O_ENTRY:
			if (pg_parse_u64(optarg, &o->entry))
				return pg_usage_error("run",
						      "--entry %s: not a number (decimal or 0x hex)",
						      optarg);
			o->entry_set = true;
			break;
		case O_DEMO:
			o->demo = true;
			break;
		case O_CHURN:
			o->churn = true;
			break;
		case O_CHURN_RATE:
			if (pg_parse_u64(optarg, &o->churn_rate) ||
			    o->churn_rate > PGENC_CHURN_PAGES)
				return pg_usage_error("run",
						      "--churn-rate %s: want 0..%d pages",
						      optarg,
						      PGENC_CHURN_PAGES);
			rate_set = true;
			break;
		case O_VCPUS:
			if (pg_parse_u64(optarg, &v) || !v ||
			    v > PGENC_MAX_VCPUS)
				return pg_usage_error("run",
						      "--vcpus %s: want 1..%d",
						      optarg, PGENC_MAX_VCPUS);
			o->vcpus = (unsigned int)v;
			o->vcpus_set = true;
			break;
		case O_SEV:
			o->sev = true;
			break;
		case O_SEV_DEVICE:
			o->so.device = optarg;
			break;
		case O_POLICY:
			/* Hex, with or without 0x (pgenc.1). */
			snprintf(hex, sizeof(hex), "%s%.20s",
				 strncasecmp(optarg, "0x", 2) ? "0x" : "",
				 optarg);
			if (strlen(optarg) > 20 || pg_parse_u64(hex, &v) ||
			    v > UINT32_MAX)
				return pg_usage_error("run",
						      "--policy %s: want a 32-bit hex number",
						      optarg);
			o->so.policy = (uint32_t)v;
			break;
		case O_SEV_DATA:
			o->sev_data = optarg;
			break;
		case O_VERIFY:
			o->so.verify = true;
			break;
		case O_TIK:
			if (vmm_parse_tik(optarg, o->so.tik))
				return pg_usage_error("run",
						      "--tik: want 32 hex digits");
			o->so.have_tik = true;
			break;
		case O_TIK_FILE:
			o->so.tik_file = optarg;
			break;
		case O_CTL:
			o->ctl = optarg;
			break;
		case O_TRACE:
			o->trace = true;
			break;
		case O_INCOMING:
		case O_FROM_FILE:
			if (o->incoming)
				return pg_usage_error("run",
						      "give --incoming or --from-file once");
			from_opt = c == O_FROM_FILE;
			if (c == O_FROM_FILE) {
				snprintf(from_file, sizeof(from_file),
					 "file:%s", optarg);
				optarg = from_file;
			}
			if (vmm_uri_parse(optarg, &uri, &why))
				return pg_usage_error("run", "%s %s: %s",
						      c == O_INCOMING ?
							      "--incoming" :
							      "--from-file",
						      c == O_INCOMING ?
							      optarg :
							      optarg + 5,
						      why);
			o->incoming = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return pg_getopt_error("run", c, argv);
		}
	}
	if (optind < argc)
		return pg_usage_error("run", "unexpected argument '%s'",
				      argv[optind]);
	if (o->incoming &&
	    (o->demo || o->churn || o->image || o->sev_data || o->entry_set ||
	     o->so.verify || o->so.policy || o->so.have_tik || o->so.tik_file))
		return pg_usage_error("run",
				      "--incoming and --from-file take the guest from the stream: drop --demo, --churn, --image, --entry, --sev-data, --policy, --verify, --tik, --tik-file");
	if (!o->incoming && o->demo + o->churn + !!o->image != 1)
		return pg_usage_error("run",
				      "give exactly one of --demo, --churn and --image FILE (or --incoming URI)");
	if (o->demo && o->mem < PGENC_DEMO_MIN_MEM)
		return pg_usage_error("run", "--demo needs --mem 32M or more");
	if (o->churn && o->mem < PGENC_CHURN_MIN_MEM)
		return pg_usage_error("run", "--churn needs --mem 16M or more");
	if (rate_set && !o->churn)
		return pg_usage_error("run", "--churn-rate goes with --churn");
	if (o->entry_set && !o->image)
		return pg_usage_error("run", "--entry goes with --image");
	if (!o->sev && (o->so.device || o->so.policy || o->sev_data ||
			o->so.verify || o->so.have_tik || o->so.tik_file))
		return pg_usage_error("run",
				      "--sev-device, --policy, --sev-data, --verify, --tik and --tik-file need --sev");
	if (o->so.have_tik && o->so.tik_file)
		return pg_usage_error("run",
				      "give --tik or --tik-file, not both");
	if ((o->so.have_tik || o->so.tik_file) && !o->so.verify)
		return pg_usage_error("run",
				      "--tik and --tik-file go with --verify");
	if (o->so.verify && !o->so.have_tik && !o->so.tik_file)
		return pg_usage_error("run",
				      "--verify needs the TIK: --tik HEX or --tik-file PATH");
	if (o->demo && o->sev_data)
		return pg_usage_error("run",
				      "--demo brings its own measured data; drop --sev-data");
	if (o->churn && o->sev_data)
		return pg_usage_error("run", "--sev-data goes with --image");
	if (o->ctl && !*o->ctl)
		return pg_usage_error("run", "--ctl: empty path");
	if (o->image &&
	    file_at("--image", &o->image, &o->image_at_set, &o->image_gpa))
		return PGENC_EXIT_USAGE;
	if (o->sev_data && file_at("--sev-data", &o->sev_data,
				   &o->sev_data_at_set, &o->sev_data_gpa))
		return PGENC_EXIT_USAGE;
	/* The files, before any device: Documentation/cli.rst, "Check order". */
	if (o->image && input_file("--image", o->image, o->image))
		return PGENC_EXIT_USAGE;
	if (o->sev_data && input_file("--sev-data", o->sev_data, o->sev_data))
		return PGENC_EXIT_USAGE;
	if (o->so.tik_file && !strchr(o->so.tik_file, '%') &&
	    input_file("--tik-file", o->so.tik_file, o->so.tik_file))
		return PGENC_EXIT_USAGE;
	if (o->incoming && !strncmp(o->incoming, "file:", 5) &&
	    input_file(from_opt ? "--from-file" : "--incoming",
		       from_opt ? o->incoming + 5 : o->incoming,
		       o->incoming + 5))
		return PGENC_EXIT_USAGE;
	if (o->ctl && socket_dir("--ctl", o->ctl))
		return PGENC_EXIT_USAGE;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static struct vmm vm;
	struct vmm_run_opts o;
	int r;

	r = parse_opts(argc, argv, &o);
	if (r)
		return r < 0 ? PGENC_EXIT_OK : r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	return vmm_run(&vm, &o);
}
