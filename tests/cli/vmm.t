# Transcript of pgenc run|ctl|dump argument errors and clients against odd servers, run by
# tests/cli/vmm/run.sh.
# Format and --regenerate: tests/cli/transcript.sh, Documentation/testing.rst.

$ pgenc run --help
  Usage: pgenc run [OPTIONS] (--demo | --image FILE[@GPA])

  Run a guest in a minimal VMM with page encryption tracking on:
  every vCPU starts in 64-bit long mode (identity-mapped memory,
  entry RDI = vCPU index, RSI = boot info at 0x2000; see
  tools/pgenc/guest/boot.h). Bytes written to port 0xe9 (or COM1,
  0x3f8) are printed as "[guest] " lines. A vCPU stops at HLT;
  a shutdown (triple fault) stops the VM.

    --mem SIZE            guest memory from GPA 0 (default 64M;
                          suffixes K, M, G; 2M..16G)
    --image FILE[@GPA]    an ELF64 file (by its magic: PT_LOAD
                          segments, e_entry) or a flat binary at GPA
                          (default 0x100000; at least 1 MiB)
    --entry GPA           entry of a flat image (default: its start)
    --demo                the built-in demo guest: converts ranges
                          with hypercall 12 and fills its shared pages
                          with known text (needs --mem >= 32M)
    --vcpus N             vCPUs, one thread each (1..32, default 1)
    --sev                 launch as an SEV guest: KVM_SEV_INIT,
                          LAUNCH_START, LAUNCH_UPDATE_DATA of the
                          measured data, LAUNCH_MEASURE (printed in
                          base64), LAUNCH_FINISH
    --sev-device PATH     the SEV firmware device (default /dev/sev,
                          or /dev/sevsim under kvm_amd sevsim=1)
    --policy HEX          SEV guest policy (default 0)
    --sev-data FILE[@GPA] data to measure and launch, padded to whole
                          pages (default GPA 0x200000); --demo
                          launches 2 pages of known text there
    --verify              recompute the measurement and compare it
                          (needs --tik or --tik-file)
    --tik HEX             the transport integrity key (32 hex digits)
    --tik-file PATH       read the TIK from PATH; %h in PATH becomes
                          the firmware handle (sevsim exposes
                          /sys/kernel/debug/sevsim/%h/tik)
    --ctl SOCK            serve the control socket SOCK (mode 0600,
                          JSON lines; see `pgenc ctl --help`) and
                          keep serving after the guest halts, until
                          "quit"
    --trace-hypercalls    also take every hypercall 12 to the VMM
                          (KVM_CAP_EXIT_HYPERCALL) and log it; the
                          kernel has updated the bitmap already
    -h, --help            this text

  Exit: 0 every vCPU halted (or stopped by "quit"), 1 failure or
  guest shutdown, 2 usage error, 3 unsupported here (no /dev/kvm,
  no KVM_CAP_PAGE_ENC_BITMAP, no SEV).
[exit 0]

$ pgenc run
! pgenc run: give exactly one of --demo and --image FILE
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --image x.bin
! pgenc run: give exactly one of --demo and --image FILE
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --frobnicate
! pgenc run: unknown option '--frobnicate'
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --mem
! pgenc run: option '--mem' needs a value
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo extra
! pgenc run: unexpected argument 'extra'
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --mem 1K
! pgenc run: --mem 1K: want a size of whole pages from 2M to 16G (e.g. 64M)
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --image x.bin --mem 4097
! pgenc run: --mem 4097: want a size of whole pages from 2M to 16G (e.g. 64M)
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --mem 17G
! pgenc run: --mem 17G: want a size of whole pages from 2M to 16G (e.g. 64M)
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --mem 64Q
! pgenc run: --mem 64Q: unknown suffix 'Q' (K, M or G)
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --mem 16M
! pgenc run: --demo needs --mem 32M or more
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --vcpus 33
! pgenc run: --vcpus 33: want 1..32
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --vcpus 0
! pgenc run: --vcpus 0: want 1..32
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --entry 0x100000
! pgenc run: --entry goes with --image
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --image x.bin --entry z
! pgenc run: --entry z: not a number (decimal or 0x hex)
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --image x.bin@12z
! pgenc run: --image x.bin@12z: want FILE or FILE@GPA
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --image @0x100000
! pgenc run: --image @0x100000: want FILE or FILE@GPA
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --verify
! pgenc run: --sev-device, --policy, --sev-data, --verify, --tik and --tik-file need --sev
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --policy 1
! pgenc run: --sev-device, --policy, --sev-data, --verify, --tik and --tik-file need --sev
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --sev --verify
! pgenc run: --verify needs the TIK: --tik HEX or --tik-file PATH
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --sev --tik 000102030405060708090a0b0c0d0e0f
! pgenc run: --tik and --tik-file go with --verify
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --sev --verify --tik 000102030405060708090a0b0c0d0e0f --tik-file x
! pgenc run: give --tik or --tik-file, not both
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --sev --verify --tik 0011
! pgenc run: --tik: want 32 hex digits
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --sev --policy 0xg
! pgenc run: --policy 0xg: want a 32-bit hex number
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --sev --policy 100000000
! pgenc run: --policy 100000000: want a 32-bit hex number
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --sev --sev-data x.bin
! pgenc run: --demo brings its own measured data; drop --sev-data
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --ctl 
! pgenc run: --ctl: empty path
! Try 'pgenc run --help'.
[exit 2]

$ pgenc ctl --help
  Usage: pgenc ctl SOCK COMMAND [ARGS]

  Talk to `pgenc run --ctl SOCK` (a UNIX socket, JSON lines).

  Commands:
    stats [--json]          state, tracked/shared/encrypted pages,
                            hypercall and DBG counters
    wait [--timeout SECONDS]
                            until no vCPU runs (default 30 s)
    export [ARGS]           `pgenc bitmap export --socket SOCK ARGS`
    import FILE [ARGS]      `pgenc bitmap import FILE --socket SOCK`
    dump ARGS               `pgenc dump --socket SOCK ARGS`
    version                 the server's protocol and version
    send JSON               send one raw request, print the response
    quit                    stop the VMM

  Exit: 0 ok, 1 the command failed (or the socket is absent),
  2 usage error.
[exit 0]

$ pgenc ctl
! pgenc ctl: missing SOCK and COMMAND
! Try 'pgenc ctl --help'.
[exit 2]

$ pgenc ctl @WORK@/sock
! pgenc ctl: missing COMMAND after @WORK@/sock
! Try 'pgenc ctl --help'.
[exit 2]

$ pgenc ctl @WORK@/sock reboot
! pgenc ctl: unknown command 'reboot'
! Try 'pgenc ctl --help'.
[exit 2]

$ pgenc ctl @WORK@/sock stats --verbose
! pgenc ctl: unknown option '--verbose'
! Try 'pgenc ctl --help'.
[exit 2]

$ pgenc ctl @WORK@/sock stats now
! pgenc ctl: stats: unexpected argument 'now'
! Try 'pgenc ctl --help'.
[exit 2]

$ pgenc ctl @WORK@/sock export --format yaml
! pgenc bitmap export: --format: unknown format 'yaml' (raw, ranges, json)
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc ctl @WORK@/sock export --num-pages 0
! pgenc bitmap export: --num-pages: '0' is not a number from 1 to 1099511627776
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc ctl @WORK@/sock import
! pgenc bitmap import: missing FILE
! Try 'pgenc bitmap import --help'.
[exit 2]

$ pgenc ctl @WORK@/sock wait --timeout 3601
! pgenc ctl: wait: --timeout 3601: want 0..3600 seconds
! Try 'pgenc ctl --help'.
[exit 2]

$ pgenc ctl @WORK@/sock send
! pgenc ctl: send: want one JSON request
! Try 'pgenc ctl --help'.
[exit 2]

$ pgenc ctl @WORK@/sock quit now
! pgenc ctl: quit: unexpected argument 'now'
! Try 'pgenc ctl --help'.
[exit 2]

$ pgenc ctl @WORK@/sock dump --gpa 0
! pgenc dump: --gpa and --len are required
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc ctl @WORK@/sock stats
! pgenc ctl: @WORK@/sock: cannot connect: No such file or directory (is 'pgenc run --ctl @WORK@/sock' running?)
[exit 1]

$ pgenc ctl @WORK@/sock import @WORK@/nonexistent
! pgenc bitmap import: @WORK@/nonexistent: No such file or directory
[exit 1]

$ pgenc dump --help
  Usage: pgenc dump --socket SOCK --gpa A --len N [-o FILE]
                    [--chunk SIZE] [--json]
         pgenc ctl SOCK dump --gpa A --len N [...] (an alias)

  Read guest memory [A, A + N) from `pgenc run --ctl SOCK`. For an
  SEV guest the VMM uses KVM_SEV_DBG_DECRYPT: pages the guest
  reported shared are copied by the kernel without a firmware
  command, private pages are decrypted by the firmware. Those
  bypassed pages are only as trustworthy as the guest's reports.

    --socket SOCK   the control socket
    --gpa A         guest physical address (0x... or decimal)
    --len N         bytes (K, M, G suffixes allowed)
    -o, --output FILE  write the bytes to FILE; without it a
                    hexdump goes to stdout
    --chunk SIZE    bytes per request, whole pages (default 1M, at
                    most 16M); requests end at page boundaries
    --json          the final report as one JSON line

  The report (firmware commands issued, pages bypassed) goes to
  stdout with -o FILE, else to stderr. With -o FILE, a dump that
  takes more than half a second draws a progress bar on stderr
  when it is a terminal.

  Exit: 0 ok, 1 failed (socket absent, range outside guest
  memory, firmware error, ...), 2 usage error.
[exit 0]

$ pgenc dump
! pgenc dump: --socket SOCK is required
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --gpa 0 --len 16
! pgenc dump: --socket SOCK is required
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --socket @WORK@/sock --gpa 0
! pgenc dump: --gpa and --len are required
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --socket @WORK@/sock --gpa 0 --len 0
! pgenc dump: --len 0: want a size >= 1
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --socket @WORK@/sock --gpa 0 --len 1T
! pgenc dump: --len 1T: unknown suffix 'T' (K, M or G)
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --socket @WORK@/sock --gpa 0 --len 1.5K
! pgenc dump: --len 1.5K: not a whole number
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --socket @WORK@/sock --gpa 0 --len 4KB
! pgenc dump: --len 4KB: unknown suffix 'KB' (K, M or G)
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc run --demo --mem 1.5G
! pgenc run: --mem 1.5G: not a whole number
! Try 'pgenc run --help'.
[exit 2]

$ pgenc dump --socket @WORK@/sock --gpa 0xzz --len 16
! pgenc dump: --gpa 0xzz: not a number (decimal or 0x hex)
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --socket @WORK@/sock --gpa 0 --len 16 --chunk 100
! pgenc dump: --chunk 100: want whole pages, 4K..16M
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --socket @WORK@/sock --gpa 0 --len 16 --chunk 32M
! pgenc dump: --chunk 32M: want whole pages, 4K..16M
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --socket @WORK@/sock --gpa 0xffffffffffffff00 --len 0x200
! pgenc dump: --gpa + --len wraps around
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --socket @WORK@/sock --gpa 0 --len 16
! pgenc dump: @WORK@/sock: cannot connect: No such file or directory (is 'pgenc run --ctl @WORK@/sock' running?)
[exit 1]

$ pgenc ctl @WORK@/fake.sock stats
! pgenc ctl: @WORK@/fake.sock: no valid response (connection closed, or not a pgenc control socket)
[exit 1]

$ pgenc ctl @WORK@/fake.sock version
! pgenc ctl: @WORK@/fake.sock: no valid response (connection closed, or not a pgenc control socket)
[exit 1]

$ pgenc ctl @WORK@/fake.sock stats
! pgenc ctl: @WORK@/fake.sock: the VM refused: the VM is on fire (Input/output error)
[exit 1]

$ pgenc ctl @WORK@/fake.sock quit
! pgenc ctl: @WORK@/fake.sock: no valid response (connection closed, or not a pgenc control socket)
[exit 1]

$ pgenc dump --socket @WORK@/fake.sock --gpa 010 --len 0x10
! pgenc dump: @WORK@/fake.sock: at gpa 0xa: the VM refused: asked for gpa 10 len 16 (Invalid argument)
[exit 1]

$ pgenc ctl @WORK@/fake.sock dump --gpa 0x10 --len 1K
! pgenc dump: @WORK@/fake.sock: at gpa 0x10: the VM refused: asked for gpa 16 len 1024 (Invalid argument)
[exit 1]

$ pgenc dump --socket @WORK@/fake.sock --gpa 0 --len 16 -o @WORK@/out.bin
! pgenc dump: @WORK@/fake.sock: at gpa 0x0: bad response: "data" is not base64
[exit 1]
