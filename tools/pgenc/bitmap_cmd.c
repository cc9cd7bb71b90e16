// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc bitmap export|import|show|diff: the page encryption bitmap of a
 * running VM (through its control socket) or in a file, in the formats
 * of libpgenc (raw, ranges, JSON).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <pgenc/pgenc.h>

#include "cmdutil.h"
#include "ctl_client.h"
#include "kvm_debugfs.h"
#include "map.h"

/*
 * The pages a file may make us allocate a bit for, unless --max-pages:
 * a raw file is as large as its bitmap (16 TiB guests, 512 MiB), but 25
 * bytes of ranges or JSON can span any number of pages, so those stop at
 * 1 TiB guests (32 MiB of bitmap): Documentation/cli.rst, "Bitmap files".
 */
#define DEFAULT_MAX_PAGES (1ULL << 32)
#define DEFAULT_MAX_TEXT_PAGES (1ULL << 28)
#define DEFAULT_LIMIT 16
#define DEFAULT_ROWS 24

struct input {
	const char *path; /* "-" is stdin */
	struct pgenc_bitmap *b;
	enum pgenc_format fmt; /* as read (detected when AUTO was asked) */
};

static const char *display_name(const char *path)
{
	return strcmp(path, "-") ? path : "(stdin)";
}

/*
 * Read and parse a bitmap file, of at most max_pages pages (0: the
 * default of its format). On failure prints one message (with the line
 * and column of a parse error) and returns PGENC_EXIT_FAILED.
 */
static int load(const char *cmd, struct input *in, enum pgenc_format fmt,
		uint64_t max_pages)
{
	struct pgenc_parse_error perr;
	FILE *f = stdin;
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nb;
	int r;

	if (strcmp(in->path, "-")) {
		f = fopen(in->path, "rb");
		if (!f) {
			pg_error(cmd, "%s: %s", in->path, strerror(errno));
			return PGENC_EXIT_FAILED;
		}
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			nb = cap > ((size_t)1 << 40) ? NULL : realloc(buf, cap);
			if (!nb) {
				r = -ENOMEM;
				goto read_fail;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (!n)
			break;
	}
	if (ferror(f)) {
		r = errno ? -errno : -EIO;
		goto read_fail;
	}
	if (f != stdin)
		fclose(f);

	in->fmt = fmt != PGENC_FORMAT_AUTO ? fmt :
					     pgenc_format_detect(buf, len);
	if (!max_pages)
		max_pages = in->fmt == PGENC_FORMAT_RAW ?
				    DEFAULT_MAX_PAGES :
				    DEFAULT_MAX_TEXT_PAGES;
	r = pgenc_parse(buf, len, in->fmt, max_pages, &in->b, &perr);
	free(buf);
	if (r == -EBADMSG) {
		if (perr.line)
			pg_error(cmd, "%s:%u:%u: %s (%s format)",
				 display_name(in->path), perr.line, perr.column,
				 perr.msg, pgenc_format_name(in->fmt));
		else
			pg_error(cmd, "%s: byte %u: %s (raw format)",
				 display_name(in->path), perr.column, perr.msg);
		return PGENC_EXIT_FAILED;
	}
	if (r < 0) {
		pg_error(cmd, "%s: %s", display_name(in->path),
			 pgenc_strerror(r));
		return PGENC_EXIT_FAILED;
	}
	return PGENC_EXIT_OK;

read_fail:
	pg_error(cmd, "%s: %s", display_name(in->path), pgenc_strerror(r));
	if (f != stdin)
		fclose(f);
	free(buf);
	return PGENC_EXIT_FAILED;
}

static int parse_format(const char *cmd, const char *opt, const char *name,
			enum pgenc_format *fmt)
{
	if (pgenc_format_from_name(name, fmt) || *fmt == PGENC_FORMAT_AUTO)
		return pg_usage_error(cmd,
				      "%s: unknown format '%s' (raw, ranges, json)",
				      opt, name);
	return 0;
}

static int parse_num(const char *cmd, const char *opt, const char *s,
		     uint64_t min, uint64_t max, uint64_t *out)
{
	int r = pg_parse_u64(s, out);

	if (r == -ERANGE || (!r && *out > max))
		return pg_usage_error(cmd,
				      "%s: '%s' is too large (at most %llu)",
				      opt, s, (unsigned long long)max);
	if (r || *out < min)
		return pg_usage_error(cmd,
				      "%s: '%s' is not a number from %llu to %llu",
				      opt, s, (unsigned long long)min,
				      (unsigned long long)max);
	return 0;
}

static int write_error(const char *cmd, const char *path, int err)
{
	pg_error(cmd, "%s: %s", path, pgenc_strerror(err));
	return PGENC_EXIT_FAILED;
}

/*
 * --vm SPEC: in reads the VM's debugfs pgenc_bitmap (raw format) from
 * path (KVMFS_PATH_MAX bytes), of any process (Documentation/api.rst,
 * "Bitmap file (debugfs)"); an exit code, said on failure.
 */
static int vm_input(const char *cmd, const char *spec, struct input *in,
		    char *path, size_t size)
{
	struct kvmfs_vm vm;
	struct kvmfs fs;
	int r;

	r = kvmfs_open(cmd, &fs);
	if (!r)
		r = kvmfs_find(cmd, &fs, spec, &vm);
	if (r)
		return r;
	if (!vm.tracked_pages) {
		pg_error(cmd, "VM %s has no tracked memory", vm.id);
		return PGENC_EXIT_FAILED;
	}
	kvmfs_path(&fs, &vm, "pgenc_bitmap", path, size);
	in->path = path;
	return PGENC_EXIT_OK;
}

/* ------------------------------------------------------------------ export */

static const char export_usage[] =
	"Usage: pgenc bitmap export --socket SOCK [--start-gfn GFN]\n"
	"                           [--num-pages N] [--format F] [-o OUT]\n"
	"       pgenc bitmap export --from FILE [--input-format F]\n"
	"                           [--format F] [-o OUT]\n"
	"       pgenc bitmap export --vm PID[-FD] [--format F] [-o OUT]\n"
	"\n"
	"Write the page encryption bitmap of a running VM (pgenc run's control\n"
	"socket, or any VMM's VM through debugfs), or of a bitmap file (a\n"
	"format conversion), in format F.\n"
	"\n"
	"Options:\n"
	"  --socket SOCK        the VM's control socket (pgenc run --ctl SOCK)\n"
	"  --start-gfn GFN      first gfn to export (socket; default 0)\n"
	"  --num-pages N        number of pages (socket; default: to the end\n"
	"                       of tracked memory)\n"
	"  --from FILE          read a bitmap file instead (- for stdin)\n"
	"  --vm PID[-FD]        read the VM's debugfs pgenc_bitmap instead:\n"
	"                       gfn 0 to the end of tracked memory (root; see\n"
	"                       pgenc vms; PID alone: its only VM)\n"
	"  --input-format F     format of FILE: raw, ranges, json (default:\n"
	"                       detected)\n"
	"  -f, --format F       output format: raw, ranges (default), json\n"
	"  -o, --output OUT     write to OUT (default: stdout; raw is never\n"
	"                       written to a terminal)\n"
	"  --max-pages N        refuse inputs of more pages (default 2^32 for\n"
	"                       raw, 2^28 for ranges and JSON)\n"
	"  -h, --help           this help\n";

/*
 * The option parsing of a bitmap subcommand, which next_opt() shares:
 * the input format (option ifmt_opt), --max-pages, --help and the
 * errors getopt reports are the same in all of them.
 */
struct opt_parse {
	const char *cmd;
	const char *usage;
	const char *optstring;
	const struct option *longopts;
	int ifmt_opt; /* 'f' (--format), or 'I' (export's --input-format) */
	enum pgenc_format ifmt;
	uint64_t max_pages; /* --max-pages, 0 when not given */
	int exit; /* the exit code once next_opt() returned 0 */
	bool started;
};

/*
 * The next option for the subcommand itself (its getopt_long value), -1
 * after the last one, or 0 when it is to return op->exit: after --help,
 * or a bad option or value (reported here).
 */
static int next_opt(struct opt_parse *op, int argc, char **argv)
{
	const char *fmt_name = op->ifmt_opt == 'I' ? "--input-format" :
						     "--format";
	int c;

	if (!op->started) {
		op->started = true;
		op->ifmt = PGENC_FORMAT_AUTO;
		op->max_pages = 0; /* load(): the default of the format */
		opterr = 0;
		optind = 0;
	}
	while ((c = getopt_long(argc, argv, op->optstring, op->longopts,
				NULL)) != -1) {
		if (c == op->ifmt_opt) {
			if (parse_format(op->cmd, fmt_name, optarg, &op->ifmt))
				break;
		} else if (c == 'M') {
			if (parse_num(op->cmd, "--max-pages", optarg, 1,
				      PGENC_MAX_PAGES, &op->max_pages))
				break;
		} else if (c == 'h') {
			fputs(op->usage, stdout);
			op->exit = PGENC_EXIT_OK;
			return 0;
		} else if (c == ':' || c == '?') {
			op->exit = pg_getopt_error(op->cmd, c, argv);
			return 0;
		} else {
			return c;
		}
	}
	if (c == -1)
		return -1;
	op->exit = PGENC_EXIT_USAGE;
	return 0;
}

/* Exactly n operands after the options; missing is the message for fewer. */
static int operands(const char *cmd, int argc, char **argv, int n,
		    const char *missing)
{
	if (argc - optind < n)
		return pg_usage_error(cmd, "%s", missing);
	if (argc - optind > n)
		return pg_usage_error(cmd, "unexpected argument '%s'",
				      argv[optind + n]);
	return 0;
}

/* Whether stdout lost output (reported). */
static bool stdout_failed(const char *cmd)
{
	if (!fflush(stdout) && !ferror(stdout))
		return false;
	pg_error(cmd, "write error: %s", strerror(errno));
	return true;
}

static int bitmap_export(int argc, char **argv)
{
	static const char cmd[] = "bitmap export";
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "start-gfn", required_argument, NULL, 'S' },
		{ "num-pages", required_argument, NULL, 'P' },
		/* Short forms, as in earlier versions. */
		{ "start", required_argument, NULL, 'S' },
		{ "pages", required_argument, NULL, 'P' },
		{ "from", required_argument, NULL, 'F' },
		{ "vm", required_argument, NULL, 'v' },
		{ "input-format", required_argument, NULL, 'I' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "max-pages", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opt_parse op = { .cmd = cmd,
				.usage = export_usage,
				.optstring = ":f:o:h",
				.longopts = opts,
				.ifmt_opt = 'I' };
	enum pgenc_format ofmt = PGENC_FORMAT_RANGES;
	const char *sock = NULL, *out = "-", *vm = NULL;
	char vm_path[KVMFS_PATH_MAX];
	uint64_t start = 0, pages = 0;
	bool have_start = false;
	struct input in = { 0 };
	FILE *f = stdout;
	int c, r;

	while ((c = next_opt(&op, argc, argv)) > 0) {
		switch (c) {
		case 's':
			if (pg_alias_socket)
				return pg_alias_refuse("export", "socket");
			sock = optarg;
			break;
		case 'S':
			/* The control protocol's integers are signed 64-bit. */
			if (parse_num(cmd, "--start-gfn", optarg, 0, INT64_MAX,
				      &start))
				return PGENC_EXIT_USAGE;
			have_start = true;
			break;
		case 'P':
			if (parse_num(cmd, "--num-pages", optarg, 1,
				      PGENC_MAX_PAGES, &pages))
				return PGENC_EXIT_USAGE;
			break;
		case 'F':
			if (pg_alias_socket)
				return pg_alias_refuse("export", "from");
			in.path = optarg;
			break;
		case 'v':
			if (pg_alias_socket)
				return pg_alias_refuse("export", "vm");
			if (kvmfs_check_spec(cmd, optarg))
				return PGENC_EXIT_USAGE;
			vm = optarg;
			break;
		case 'f':
			if (parse_format(cmd, "--format", optarg, &ofmt))
				return PGENC_EXIT_USAGE;
			break;
		case 'o':
			out = optarg;
			break;
		}
	}
	if (!c)
		return op.exit;
	r = operands(cmd, argc, argv, 0, "");
	if (r)
		return r;
	if (pg_alias_socket)
		sock = pg_alias_socket;
	if (vm && (sock || in.path))
		return pg_usage_error(cmd, "--vm excludes --socket and --from");
	if (!vm && !sock == !in.path)
		return pg_usage_error(cmd,
				      "give exactly one of --socket SOCK and --from FILE");
	if (!sock && (have_start || pages))
		return pg_usage_error(cmd,
				      "--start-gfn and --num-pages apply to --socket only");
	if (!in.path && op.ifmt != PGENC_FORMAT_AUTO)
		return pg_usage_error(cmd,
				      "--input-format applies to --from only");
	if (!strcmp(out, "-") && ofmt == PGENC_FORMAT_RAW &&
	    isatty(STDOUT_FILENO))
		return pg_usage_error(cmd,
				      "refusing to write raw binary to a terminal (use -o FILE)");

	if (sock) {
		struct ctl_conn conn;

		ctl_conn_init(&conn, cmd, sock);
		r = ctl_conn_export(&conn, start, pages, &in.b);
		ctl_conn_close(&conn);
		if (r)
			return r;
	} else {
		if (vm) {
			r = vm_input(cmd, vm, &in, vm_path, sizeof(vm_path));
			if (r)
				return r;
			op.ifmt = PGENC_FORMAT_RAW;
		}
		r = load(cmd, &in, op.ifmt, op.max_pages);
		if (r)
			return r;
	}

	if (strcmp(out, "-")) {
		f = fopen(out, "wb");
		if (!f) {
			r = -errno;
			pgenc_bitmap_free(in.b);
			return write_error(cmd, out, r);
		}
	}
	r = pgenc_write(f, in.b, ofmt);
	if (f != stdout && fclose(f) && !r)
		r = errno ? -errno : -EIO;
	pgenc_bitmap_free(in.b);
	if (r)
		return write_error(cmd, strcmp(out, "-") ? out : "stdout", r);
	return PGENC_EXIT_OK;
}

/* ------------------------------------------------------------------ import */

static const char import_usage[] =
	"Usage: pgenc bitmap import FILE --socket SOCK [--format F]\n"
	"       pgenc bitmap import FILE --check [--format F]\n"
	"\n"
	"Validate a bitmap file (raw, ranges or JSON; - for stdin) and install\n"
	"it in a running VM through its control socket, all or nothing: the VM\n"
	"keeps its bitmap when the file or the request is bad. The range must\n"
	"lie inside the VM's tracked memory.\n"
	"\n"
	"Options:\n"
	"  --socket SOCK        the VM's control socket (pgenc run --ctl SOCK)\n"
	"  --check              only validate FILE and print its summary\n"
	"  --format F           format of FILE: raw, ranges, json (default:\n"
	"                       detected)\n"
	"  --max-pages N        refuse inputs of more pages (default 2^32 for\n"
	"                       raw, 2^28 for ranges and JSON)\n"
	"  -h, --help           this help\n";

static int bitmap_import(int argc, char **argv)
{
	static const char cmd[] = "bitmap import";
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-pages", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opt_parse op = { .cmd = cmd,
				.usage = import_usage,
				.optstring = ":f:h",
				.longopts = opts,
				.ifmt_opt = 'f' };
	const char *sock = NULL;
	struct input in = { 0 };
	bool check = false;
	int c, r;

	while ((c = next_opt(&op, argc, argv)) > 0) {
		if ((c == 's' || c == 'c') && pg_alias_socket)
			return pg_alias_refuse("import",
					       c == 's' ? "socket" : "check");
		if (c == 's')
			sock = optarg;
		else if (c == 'c')
			check = true;
	}
	if (pg_alias_socket)
		sock = pg_alias_socket;
	if (!c)
		return op.exit;
	r = operands(cmd, argc, argv, 1, "missing FILE");
	if (r)
		return r;
	if (!sock == !check)
		return pg_usage_error(cmd,
				      "give exactly one of --socket SOCK and --check");
	in.path = argv[optind];

	r = load(cmd, &in, op.ifmt, op.max_pages);
	if (r)
		return r;
	if (check) {
		printf("%s: valid %s bitmap, gfn 0x%llx-0x%llx, %llu page%s, %llu shared\n",
		       display_name(in.path), pgenc_format_name(in.fmt),
		       (unsigned long long)in.b->start_gfn,
		       (unsigned long long)(in.b->start_gfn + in.b->num_pages -
					    1),
		       (unsigned long long)in.b->num_pages,
		       pg_plural(in.b->num_pages),
		       (unsigned long long)pgenc_bitmap_count(in.b, false));
		r = PGENC_EXIT_OK;
	} else {
		struct ctl_conn conn;

		ctl_conn_init(&conn, cmd, sock);
		r = ctl_conn_import(&conn, in.b);
		ctl_conn_close(&conn);
	}
	pgenc_bitmap_free(in.b);
	return r;
}

/* -------------------------------------------------------------------- show */

static const char show_usage[] =
	"Usage: pgenc bitmap show FILE [--png OUT.png] [--width N] [--json]\n"
	"                         [--no-color] [--limit N] [--rows N]\n"
	"       pgenc bitmap show --vm PID[-FD] [OPTION]...\n"
	"\n"
	"Summarise a bitmap file (- for stdin), or a VM's bitmap through\n"
	"debugfs (--vm, as export --vm reads it): its gfns, encrypted and shared\n"
	"pages, its ranges, and a map of guest memory: coloured in a terminal,\n"
	"plain characters otherwise (# encrypted, . shared, + mixed cell).\n"
	"The map fits the terminal (or $COLUMNS) and --rows; a cell is a power\n"
	"of two of pages. --png draws one pixel per page (a power of two of\n"
	"pages when the image would pass --max-pixels).\n"
	"\n"
	"Options:\n"
	"  --vm PID[-FD]        the VM's bitmap instead of FILE (root)\n"
	"  --png OUT.png        also write a PNG map\n"
	"  --width N            PNG width in pixels (default 512)\n"
	"  --max-pixels N       downscale the PNG past N pixels (default 2^24)\n"
	"  --json               the summary as JSON (no text map)\n"
	"  --color WHEN         auto (default: when stdout is a terminal and\n"
	"                       NO_COLOR is unset), always, never\n"
	"  --no-color           the same as --color never\n"
	"  --limit N            list at most N ranges (default 16, 0: all)\n"
	"  --rows N             text map height limit (default 24)\n"
	"  --no-map             no text map\n"
	"  --format F           format of FILE: raw, ranges, json (default:\n"
	"                       detected)\n"
	"  --max-pages N        refuse inputs of more pages (default 2^32 for\n"
	"                       raw, 2^28 for ranges and JSON)\n"
	"  -h, --help           this help\n";

/*
 * A percentage to one decimal, rounded, but never "0.0" for a part that
 * is not 0 nor "100.0" for one that is not the whole: "62.5", "<0.1".
 */
static void percent(uint64_t part, uint64_t whole, char *buf, size_t size)
{
	unsigned long long pm =
		(unsigned long long)((part * 1000 + whole / 2) / whole);

	if (part && !pm)
		snprintf(buf, size, "<0.1");
	else if (part != whole && pm == 1000)
		snprintf(buf, size, ">99.9");
	else
		snprintf(buf, size, "%llu.%llu", pm / 10, pm % 10);
}

static int hexw(uint64_t v)
{
	int w = 1;

	while (v >>= 4)
		w++;
	return w;
}

struct show_stats {
	uint64_t encrypted;
	uint64_t shared;
	uint64_t nr_ranges;
	uint64_t nr_shared_ranges;
};

static void count_ranges(const struct pgenc_bitmap *b, struct show_stats *s)
{
	uint64_t cur = PGENC_RANGE_CURSOR_INIT;
	struct pgenc_range r;

	memset(s, 0, sizeof(*s));
	s->encrypted = pgenc_bitmap_count(b, true);
	s->shared = b->num_pages - s->encrypted;
	while (pgenc_range_next(b, &cur, &r) > 0) {
		s->nr_ranges++;
		if (!r.encrypted)
			s->nr_shared_ranges++;
	}
}

static void show_text(const struct input *in, const struct show_stats *s,
		      uint64_t limit)
{
	const struct pgenc_bitmap *b = in->b;
	uint64_t last = b->start_gfn + b->num_pages - 1;
	uint64_t cur = PGENC_RANGE_CURSOR_INIT, i = 0;
	struct pgenc_range r;
	int w = hexw(last);
	char size[32], pct[32];

	printf("file:      %s (%s)\n", display_name(in->path),
	       pgenc_format_name(in->fmt));
	printf("gfns:      0x%llx-0x%llx\n", (unsigned long long)b->start_gfn,
	       (unsigned long long)last);
	printf("pages:     %llu (%s)\n", (unsigned long long)b->num_pages,
	       pg_fmt_pages(b->num_pages, size, sizeof(size)));
	percent(s->encrypted, b->num_pages, pct, sizeof(pct));
	printf("encrypted: %llu (%s%%)\n", (unsigned long long)s->encrypted,
	       pct);
	percent(s->shared, b->num_pages, pct, sizeof(pct));
	printf("shared:    %llu (%s%%)\n", (unsigned long long)s->shared, pct);
	printf("ranges:    %llu (%llu shared)\n",
	       (unsigned long long)s->nr_ranges,
	       (unsigned long long)s->nr_shared_ranges);
	while ((!limit || i < limit) && pgenc_range_next(b, &cur, &r) > 0) {
		printf("  0x%0*llx-0x%0*llx %-9s %llu page%s\n", w,
		       (unsigned long long)r.first, w,
		       (unsigned long long)r.last,
		       r.encrypted ? "encrypted" : "shared",
		       (unsigned long long)(r.last - r.first + 1),
		       r.last == r.first ? "" : "s");
		i++;
	}
	if (limit && s->nr_ranges > limit)
		printf("  ... %llu more (--limit 0 lists all)\n",
		       (unsigned long long)(s->nr_ranges - limit));
}

static void show_json(const struct input *in, const struct show_stats *s,
		      uint64_t limit, const char *png,
		      const struct map_png_info *pi)
{
	const struct pgenc_bitmap *b = in->b;
	uint64_t cur = PGENC_RANGE_CURSOR_INIT, i = 0;
	struct pgenc_range r;

	printf("{\n  \"file\": ");
	pg_json_str(stdout, display_name(in->path));
	printf(",\n  \"format\": \"%s\",\n", pgenc_format_name(in->fmt));
	printf("  \"start_gfn\": %llu,\n  \"last_gfn\": %llu,\n  \"num_pages\": %llu,\n",
	       (unsigned long long)b->start_gfn,
	       (unsigned long long)(b->start_gfn + b->num_pages - 1),
	       (unsigned long long)b->num_pages);
	printf("  \"encrypted_pages\": %llu,\n  \"shared_pages\": %llu,\n",
	       (unsigned long long)s->encrypted, (unsigned long long)s->shared);
	printf("  \"nr_ranges\": %llu,\n  \"nr_shared_ranges\": %llu,\n",
	       (unsigned long long)s->nr_ranges,
	       (unsigned long long)s->nr_shared_ranges);
	printf("  \"ranges\": [");
	while ((!limit || i < limit) && pgenc_range_next(b, &cur, &r) > 0) {
		printf("%s\n    {\"first\": %llu, \"last\": %llu, \"pages\": %llu, \"state\": \"%s\"}",
		       i ? "," : "", (unsigned long long)r.first,
		       (unsigned long long)r.last,
		       (unsigned long long)(r.last - r.first + 1),
		       r.encrypted ? "encrypted" : "shared");
		i++;
	}
	printf("%s],\n  \"ranges_truncated\": %s,\n  \"png\": ",
	       i ? "\n  " : "",
	       limit && s->nr_ranges > limit ? "true" : "false");
	if (png) {
		printf("{\"file\": ");
		pg_json_str(stdout, png);
		printf(", \"width\": %u, \"height\": %u, \"pages_per_pixel\": %llu}",
		       pi->width, pi->height,
		       (unsigned long long)pi->pages_per_pixel);
	} else {
		printf("null");
	}
	printf("\n}\n");
}

static void png_note(const struct pgenc_bitmap *b, const char *png,
		     const struct map_png_info *pi, uint64_t max_pixels)
{
	printf("png: %s, %ux%u pixels, %llu page%s a pixel, rows of %llu pages\n",
	       png, pi->width, pi->height,
	       (unsigned long long)pi->pages_per_pixel,
	       pi->pages_per_pixel == 1 ? "" : "s",
	       (unsigned long long)(pi->pages_per_pixel * pi->width));
	if (pi->pages_per_pixel > 1)
		printf("png: downscaled: one pixel a page would be %llu pixels, above --max-pixels %llu; a pixel with both kinds is mixed\n",
		       (unsigned long long)b->num_pages,
		       (unsigned long long)max_pixels);
	printf("png: colours: encrypted #%06x green, shared #%06x amber, mixed #%06x purple, past the end #%06x black\n",
	       MAP_RGB_ENCRYPTED, MAP_RGB_SHARED, MAP_RGB_MIXED, MAP_RGB_NONE);
}

static unsigned int term_columns(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	uint64_t v;

	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) &&
	    ws.ws_col)
		return ws.ws_col;
	if (env && !pg_parse_u64(env, &v) && v >= 16 && v <= 4096)
		return (unsigned int)v;
	return 80;
}

static int bitmap_show(int argc, char **argv)
{
	static const char cmd[] = "bitmap show";
	static const struct option opts[] = {
		{ "vm", required_argument, NULL, 'v' },
		{ "png", required_argument, NULL, 'p' },
		{ "width", required_argument, NULL, 'w' },
		{ "max-pixels", required_argument, NULL, 'X' },
		{ "json", no_argument, NULL, 'j' },
		{ "color", required_argument, NULL, 'C' },
		{ "colour", required_argument, NULL, 'C' },
		{ "no-color", no_argument, NULL, 'N' },
		{ "no-colour", no_argument, NULL, 'N' },
		{ "limit", required_argument, NULL, 'l' },
		{ "rows", required_argument, NULL, 'r' },
		{ "no-map", no_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-pages", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opt_parse op = { .cmd = cmd,
				.usage = show_usage,
				.optstring = ":h",
				.longopts = opts,
				.ifmt_opt = 'f' };
	uint64_t width = MAP_PNG_DEFAULT_WIDTH;
	uint64_t max_pixels = MAP_PNG_DEFAULT_MAX_PIXELS, limit = DEFAULT_LIMIT;
	uint64_t rows = DEFAULT_ROWS;
	char vm_path[KVMFS_PATH_MAX];
	const char *vm = NULL;
	struct map_png_info pi = { 0 };
	struct input in = { 0 };
	bool json = false, map = true;
	const char *png = NULL;
	int color = -1, c, r;
	struct show_stats st;
	char msg[256];

	while ((c = next_opt(&op, argc, argv)) > 0) {
		switch (c) {
		case 'v':
			if (kvmfs_check_spec(cmd, optarg))
				return PGENC_EXIT_USAGE;
			vm = optarg;
			break;
		case 'p':
			png = optarg;
			break;
		case 'w':
			if (parse_num(cmd, "--width", optarg, 1,
				      MAP_PNG_MAX_WIDTH, &width))
				return PGENC_EXIT_USAGE;
			break;
		case 'X':
			if (parse_num(cmd, "--max-pixels", optarg, 1,
				      1ULL << 31, &max_pixels))
				return PGENC_EXIT_USAGE;
			break;
		case 'j':
			json = true;
			break;
		case 'C':
			if (pg_parse_color(cmd, optarg, &color))
				return PGENC_EXIT_USAGE;
			break;
		case 'N':
			color = 0;
			break;
		case 'l':
			if (parse_num(cmd, "--limit", optarg, 0, UINT64_MAX,
				      &limit))
				return PGENC_EXIT_USAGE;
			break;
		case 'r':
			if (parse_num(cmd, "--rows", optarg, 1, 100000, &rows))
				return PGENC_EXIT_USAGE;
			break;
		case 'm':
			map = false;
			break;
		}
	}
	if (!c)
		return op.exit;
	r = operands(cmd, argc, argv, !vm, "missing FILE");
	if (r)
		return r;
	if (vm && op.ifmt != PGENC_FORMAT_AUTO)
		return pg_usage_error(cmd, "--format applies to FILE only");
	if (vm) {
		r = vm_input(cmd, vm, &in, vm_path, sizeof(vm_path));
		if (r)
			return r;
		op.ifmt = PGENC_FORMAT_RAW;
	} else {
		in.path = argv[optind];
	}

	r = load(cmd, &in, op.ifmt, op.max_pages);
	if (r)
		return r;

	if (png) {
		if (map_png_geometry(in.b, (unsigned int)width, max_pixels,
				     &pi)) {
			pg_error(cmd,
				 "%s: the image would be too tall; raise --width",
				 png);
			r = PGENC_EXIT_FAILED;
			goto out;
		}
		if (map_png_write(png, in.b, &pi, msg, sizeof(msg))) {
			pg_error(cmd, "%s", msg);
			r = PGENC_EXIT_FAILED;
			goto out;
		}
	}

	count_ranges(in.b, &st);
	if (json) {
		show_json(&in, &st, limit, png, &pi);
	} else {
		show_text(&in, &st, limit);
		if (map) {
			struct map_text_opts o = {
				.columns = term_columns(),
				.max_rows = (unsigned int)rows,
				.color = pg_want_color(color),
			};

			putchar('\n');
			fflush(stdout);
			map_text_write(stdout, in.b, &o);
		}
		if (png)
			png_note(in.b, png, &pi, max_pixels);
	}
	if (stdout_failed(cmd))
		r = PGENC_EXIT_FAILED;
out:
	pgenc_bitmap_free(in.b);
	return r;
}

/* -------------------------------------------------------------------- diff */

static const char diff_usage[] =
	"Usage: pgenc bitmap diff A B [--json] [-q]\n"
	"\n"
	"Compare two bitmap files (raw, ranges or JSON; one may be -): list\n"
	"the runs of pages whose state differs, from A (old) to B (new), and\n"
	"count the pages that became shared and encrypted. The comparison is\n"
	"over both spans; a page outside a bitmap reads as encrypted there,\n"
	"as KVM reads untracked pages.\n"
	"\n"
	"Options:\n"
	"  --json               the result as JSON\n"
	"  -q, --quiet          print nothing; only the exit status\n"
	"  --format F           format of A and B: raw, ranges, json (default:\n"
	"                       detected)\n"
	"  --max-pages N        refuse inputs of more pages (default 2^32 for\n"
	"                       raw, 2^28 for ranges and JSON)\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status (as diff(1)): 0 the same pages in the same states, 1 they\n"
	"differ (states, or spans), 2 trouble: a usage error, or an input that\n"
	"cannot be read or parsed.\n";

static void span_json(const char *key, const struct input *in)
{
	printf("  \"%s\": {\"file\": ", key);
	pg_json_str(stdout, display_name(in->path));
	printf(", \"format\": \"%s\", \"start_gfn\": %llu, \"num_pages\": %llu},\n",
	       pgenc_format_name(in->fmt), (unsigned long long)in->b->start_gfn,
	       (unsigned long long)in->b->num_pages);
}

static void diff_json(const struct input *a, const struct input *b,
		      const struct pgenc_diff *d, bool same_span)
{
	size_t i;

	printf("{\n");
	span_json("a", a);
	span_json("b", b);
	printf("  \"identical\": %s,\n  \"same_span\": %s,\n",
	       same_span && !d->nr_runs ? "true" : "false",
	       same_span ? "true" : "false");
	printf("  \"first_gfn\": %llu,\n  \"last_gfn\": %llu,\n",
	       (unsigned long long)d->first_gfn,
	       (unsigned long long)d->last_gfn);
	printf("  \"became_shared\": %llu,\n  \"became_encrypted\": %llu,\n",
	       (unsigned long long)d->became_shared,
	       (unsigned long long)d->became_encrypted);
	printf("  \"nr_runs\": %zu,\n  \"runs\": [", d->nr_runs);
	for (i = 0; i < d->nr_runs; i++) {
		const struct pgenc_range *r = &d->runs[i];

		printf("%s\n    {\"first\": %llu, \"last\": %llu, \"pages\": %llu, \"from\": \"%s\", \"to\": \"%s\"}",
		       i ? "," : "", (unsigned long long)r->first,
		       (unsigned long long)r->last,
		       (unsigned long long)(r->last - r->first + 1),
		       r->encrypted ? "shared" : "encrypted",
		       r->encrypted ? "encrypted" : "shared");
	}
	printf("%s]\n}\n", d->nr_runs ? "\n  " : "");
}

static void span_text(const char *mark, const struct input *in)
{
	printf("%s %s: gfn 0x%llx-0x%llx (%llu page%s)\n", mark,
	       display_name(in->path), (unsigned long long)in->b->start_gfn,
	       (unsigned long long)(in->b->start_gfn + in->b->num_pages - 1),
	       (unsigned long long)in->b->num_pages,
	       pg_plural(in->b->num_pages));
}

static int bitmap_diff(int argc, char **argv)
{
	static const char cmd[] = "bitmap diff";
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-pages", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opt_parse op = { .cmd = cmd,
				.usage = diff_usage,
				.optstring = ":qh",
				.longopts = opts,
				.ifmt_opt = 'f' };
	struct input a = { 0 }, b = { 0 };
	struct pgenc_diff *d = NULL;
	bool json = false, quiet = false, same_span;
	int c, r;

	while ((c = next_opt(&op, argc, argv)) > 0) {
		if (c == 'j')
			json = true;
		else if (c == 'q')
			quiet = true;
	}
	if (!c)
		return op.exit;
	r = operands(cmd, argc, argv, 2, "needs two files, A and B");
	if (r)
		return r;
	if (json && quiet)
		return pg_usage_error(cmd,
				      "--json and --quiet exclude each other");
	a.path = argv[optind];
	b.path = argv[optind + 1];
	if (!strcmp(a.path, "-") && !strcmp(b.path, "-"))
		return pg_usage_error(cmd, "only one of A and B can be stdin");

	/* diff(1): trouble is 2, whatever it is. */
	if (load(cmd, &a, op.ifmt, op.max_pages))
		return PGENC_EXIT_USAGE;
	if (load(cmd, &b, op.ifmt, op.max_pages)) {
		r = PGENC_EXIT_USAGE;
		goto out;
	}
	r = pgenc_diff(a.b, b.b, &d);
	if (r) {
		pg_error(cmd, "%s", pgenc_strerror(r));
		r = PGENC_EXIT_USAGE;
		goto out;
	}
	same_span = a.b->start_gfn == b.b->start_gfn &&
		    a.b->num_pages == b.b->num_pages;
	r = same_span && !d->nr_runs ? PGENC_EXIT_OK : PGENC_EXIT_FAILED;
	if (quiet)
		goto out;
	if (json) {
		diff_json(&a, &b, d, same_span);
	} else {
		span_text("---", &a);
		span_text("+++", &b);
		pgenc_diff_write(stdout, d);
		if (!d->nr_runs)
			printf("no page changed state%s\n",
			       same_span ?
				       "" :
				       "; the spans differ (a page outside a bitmap reads as encrypted)");
		else
			printf("%zu run%s differ%s: %llu page%s became shared, %llu became encrypted%s\n",
			       d->nr_runs, d->nr_runs == 1 ? "" : "s",
			       d->nr_runs == 1 ? "s" : "",
			       (unsigned long long)d->became_shared,
			       d->became_shared == 1 ? "" : "s",
			       (unsigned long long)d->became_encrypted,
			       same_span ? "" : "; the spans differ");
	}
	if (stdout_failed(cmd))
		r = PGENC_EXIT_USAGE;
out:
	pgenc_diff_free(d);
	pgenc_bitmap_free(a.b);
	pgenc_bitmap_free(b.b);
	return r;
}

/* ------------------------------------------------------------------ bitmap */

static const char bitmap_usage[] =
	"Usage: pgenc bitmap COMMAND [OPTION]...\n"
	"\n"
	"The page encryption bitmap: one bit per guest page, 1 encrypted\n"
	"(private), 0 shared. It is only as true as the guest's reports.\n"
	"\n"
	"Commands:\n"
	"  export   write a VM's bitmap (--socket) or convert a file (--from)\n"
	"  import   validate a file and install it in a VM (--socket)\n"
	"  show     summary, ranges and a map (ANSI or PNG) of a file\n"
	"  diff     the pages whose state differs between two files\n"
	"\n"
	"Formats: raw (binary, 32-byte header), ranges (text, one run a line:\n"
	"\"0x00000-0x0009f encrypted\"), json. Inputs are detected.\n"
	"'pgenc bitmap COMMAND --help' describes each command.\n";

int cmd_bitmap(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} sub[] = {
		{ "export", bitmap_export },
		{ "import", bitmap_import },
		{ "show", bitmap_show },
		{ "diff", bitmap_diff },
	};
	size_t i;

	if (argc < 2)
		return pg_usage_error("bitmap",
				      "missing command (export, import, show, diff)");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(bitmap_usage, stdout);
		return PGENC_EXIT_OK;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (!strcmp(argv[1], sub[i].name))
			return sub[i].fn(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return pg_usage_error("bitmap",
				      "unknown option '%s' (a command comes first)",
				      argv[1]);
	return pg_usage_error("bitmap",
			      "unknown command '%s' (export, import, show, diff)",
			      argv[1]);
}
