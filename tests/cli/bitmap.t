# Transcript of pgenc bitmap export|import|show|diff and the dispatcher, run by tests/cli/bitmap/run.sh.
# Format and --regenerate: tests/cli/transcript.sh, Documentation/testing.rst.

$ pgenc --help
  Usage: pgenc COMMAND [OPTION]...
         pgenc --help | --version

  Page encryption status tracking for KVM SEV guests: which guest
  pages are encrypted (private) and which are shared.

  Commands:
    probe    what this host can do (KVM, pgenc, SEV, sevsim)
    run      a minimal VMM: launch a guest, optionally under SEV
    ctl      talk to a running 'pgenc run' over its control socket
    dump     read guest memory through SEV DBG_DECRYPT
    bitmap   export, import, show and diff page bitmaps
    help     'pgenc help CMD [SUB]' is 'pgenc CMD [SUB] --help'

  Every command takes --help. Exit status: 0 success, 1 the
  operation failed, 2 usage error, 3 unsupported on this host
  ('bitmap diff': 0 same, 1 different, 2 trouble). See pgenc(1).

  The bitmap, and so every shared page, is only as true as the
  guest's reports. sevsim (kvm_amd sevsim=1) encrypts nothing.
[exit 0]

$ pgenc --version
  pgenc @VERSION@
[exit 0]

$ pgenc 
! pgenc: missing command
! Try 'pgenc --help'.
[exit 2]

$ pgenc frobnicate
! pgenc: unknown command 'frobnicate' (probe, run, ctl, dump, bitmap)
! Try 'pgenc --help'.
[exit 2]

$ pgenc --frobnicate
! pgenc: unknown option '--frobnicate' (a command comes first)
! Try 'pgenc --help'.
[exit 2]

$ pgenc help frobnicate
! pgenc: unknown command 'frobnicate' (probe, run, ctl, dump, bitmap)
! Try 'pgenc --help'.
[exit 2]

$ pgenc help bitmap show
  Usage: pgenc bitmap show FILE [--png OUT.png] [--width N] [--json]
                           [--no-color] [--limit N] [--rows N]

  Summarise a bitmap file (- for stdin): its gfns, encrypted and shared
  pages, its ranges, and a map of guest memory: coloured in a terminal,
  plain characters otherwise (# encrypted, . shared, + mixed cell).
  The map fits the terminal (or $COLUMNS) and --rows; a cell is a power
  of two of pages. --png draws one pixel per page (a power of two of
  pages when the image would pass --max-pixels).

  Options:
    --png OUT.png        also write a PNG map
    --width N            PNG width in pixels (default 512)
    --max-pixels N       downscale the PNG past N pixels (default 2^24)
    --json               the summary as JSON (no text map)
    --color WHEN         auto (default: when stdout is a terminal and
                         NO_COLOR is unset), always, never
    --no-color           the same as --color never
    --limit N            list at most N ranges (default 16, 0: all)
    --rows N             text map height limit (default 24)
    --no-map             no text map
    --format F           format of FILE: raw, ranges, json (default:
                         detected)
    --max-pages N        refuse inputs of more pages (default 2^32)
    -h, --help           this help
[exit 0]

$ pgenc help bitmap show extra
! pgenc: help: unexpected argument 'extra'
! Try 'pgenc --help'.
[exit 2]

$ pgenc bitmap --help
  Usage: pgenc bitmap COMMAND [OPTION]... 

  The page encryption bitmap: one bit per guest page, 1 encrypted
  (private), 0 shared. It is only as true as the guest's reports.

  Commands:
    export   write a VM's bitmap (--socket) or convert a file (--from)
    import   validate a file and install it in a VM (--socket)
    show     summary, ranges and a map (ANSI or PNG) of a file
    diff     the pages whose state differs between two files

  Formats: raw (binary, 32-byte header), ranges (text, one run a line:
  "0x00000-0x0009f encrypted"), json. Inputs are detected.
  'pgenc bitmap COMMAND --help' describes each command.
[exit 0]

$ pgenc bitmap export --help
  Usage: pgenc bitmap export --socket SOCK [--start-gfn GFN]
                             [--num-pages N] [--format F] [-o OUT]
         pgenc bitmap export --from FILE [--input-format F]
                             [--format F] [-o OUT]

  Write the page encryption bitmap of a running VM (pgenc run's control
  socket), or of a bitmap file (a format conversion), in format F.

  Options:
    --socket SOCK        the VM's control socket (pgenc run --ctl SOCK)
    --start-gfn GFN      first gfn to export (socket; default 0)
    --num-pages N        number of pages (socket; default: to the end
                         of tracked memory)
    --from FILE          read a bitmap file instead (- for stdin)
    --input-format F     format of FILE: raw, ranges, json (default:
                         detected)
    -f, --format F       output format: raw, ranges (default), json
    -o, --output OUT     write to OUT (default: stdout; raw is never
                         written to a terminal)
    --max-pages N        refuse inputs of more pages (default 2^32)
    -h, --help           this help
[exit 0]

$ pgenc bitmap import --help
  Usage: pgenc bitmap import FILE --socket SOCK [--format F]
         pgenc bitmap import FILE --check [--format F]

  Validate a bitmap file (raw, ranges or JSON; - for stdin) and install
  it in a running VM through its control socket, all or nothing: the VM
  keeps its bitmap when the file or the request is bad. The range must
  lie inside the VM's tracked memory.

  Options:
    --socket SOCK        the VM's control socket (pgenc run --ctl SOCK)
    --check              only validate FILE and print its summary
    --format F           format of FILE: raw, ranges, json (default:
                         detected)
    --max-pages N        refuse inputs of more pages (default 2^32)
    -h, --help           this help
[exit 0]

$ pgenc bitmap show --help
  Usage: pgenc bitmap show FILE [--png OUT.png] [--width N] [--json]
                           [--no-color] [--limit N] [--rows N]

  Summarise a bitmap file (- for stdin): its gfns, encrypted and shared
  pages, its ranges, and a map of guest memory: coloured in a terminal,
  plain characters otherwise (# encrypted, . shared, + mixed cell).
  The map fits the terminal (or $COLUMNS) and --rows; a cell is a power
  of two of pages. --png draws one pixel per page (a power of two of
  pages when the image would pass --max-pixels).

  Options:
    --png OUT.png        also write a PNG map
    --width N            PNG width in pixels (default 512)
    --max-pixels N       downscale the PNG past N pixels (default 2^24)
    --json               the summary as JSON (no text map)
    --color WHEN         auto (default: when stdout is a terminal and
                         NO_COLOR is unset), always, never
    --no-color           the same as --color never
    --limit N            list at most N ranges (default 16, 0: all)
    --rows N             text map height limit (default 24)
    --no-map             no text map
    --format F           format of FILE: raw, ranges, json (default:
                         detected)
    --max-pages N        refuse inputs of more pages (default 2^32)
    -h, --help           this help
[exit 0]

$ pgenc bitmap diff --help
  Usage: pgenc bitmap diff A B [--json] [-q]

  Compare two bitmap files (raw, ranges or JSON; one may be -): list
  the runs of pages whose state differs, from A (old) to B (new), and
  count the pages that became shared and encrypted. The comparison is
  over both spans; a page outside a bitmap reads as encrypted there,
  as KVM reads untracked pages.

  Options:
    --json               the result as JSON
    -q, --quiet          print nothing; only the exit status
    --format F           format of A and B: raw, ranges, json (default:
                         detected)
    --max-pages N        refuse inputs of more pages (default 2^32)
    -h, --help           this help

  Exit status (as diff(1)): 0 the same pages in the same states, 1 they
  differ (states, or spans), 2 trouble: a usage error, or an input that
  cannot be read or parsed.
[exit 0]

$ pgenc help bitmap
  Usage: pgenc bitmap COMMAND [OPTION]... 

  The page encryption bitmap: one bit per guest page, 1 encrypted
  (private), 0 shared. It is only as true as the guest's reports.

  Commands:
    export   write a VM's bitmap (--socket) or convert a file (--from)
    import   validate a file and install it in a VM (--socket)
    show     summary, ranges and a map (ANSI or PNG) of a file
    diff     the pages whose state differs between two files

  Formats: raw (binary, 32-byte header), ranges (text, one run a line:
  "0x00000-0x0009f encrypted"), json. Inputs are detected.
  'pgenc bitmap COMMAND --help' describes each command.
[exit 0]

$ pgenc bitmap show mixed.ranges
  file:      mixed.ranges (ranges)
  gfns:      0x0-0x3ff
  pages:     1024 (4 MiB)
  encrypted: 986 (96.3%)
  shared:    38 (3.7%)
  ranges:    8 (4 shared)
    0x000-0x09f encrypted 160 pages
    0x0a0-0x0bf shared    32 pages
    0x0c0-0x0ff encrypted 64 pages
    0x100-0x103 shared    4 pages
    0x104-0x2ff encrypted 508 pages
    0x300-0x300 shared    1 page
    0x301-0x3fe encrypted 254 pages
    0x3ff-0x3ff shared    1 page

  0x000 ################################################################
  0x040 ################################################################
  0x080 ################################................................
  0x0c0 ################################################################
  0x100 ....############################################################
  0x140 ################################################################
  0x180 ################################################################
  0x1c0 ################################################################
  0x200 ################################################################
  0x240 ################################################################
  0x280 ################################################################
  0x2c0 ################################################################
  0x300 .###############################################################
  0x340 ################################################################
  0x380 ################################################################
  0x3c0 ###############################################################.
  map: 1 cell = 1 page (4 KiB), 64 pages a row; # encrypted, . shared, + mixed
[exit 0]

$ pgenc bitmap show mixed.ranges --color always
  file:      mixed.ranges (ranges)
  gfns:      0x0-0x3ff
  pages:     1024 (4 MiB)
  encrypted: 986 (96.3%)
  shared:    38 (3.7%)
  ranges:    8 (4 shared)
    0x000-0x09f encrypted 160 pages
    0x0a0-0x0bf shared    32 pages
    0x0c0-0x0ff encrypted 64 pages
    0x100-0x103 shared    4 pages
    0x104-0x2ff encrypted 508 pages
    0x300-0x300 shared    1 page
    0x301-0x3fe encrypted 254 pages
    0x3ff-0x3ff shared    1 page

  0x000 [30;42m################################################################[0m
  0x040 [30;42m################################################################[0m
  0x080 [30;42m################################[30;43m................................[0m
  0x0c0 [30;42m################################################################[0m
  0x100 [30;43m....[30;42m############################################################[0m
  0x140 [30;42m################################################################[0m
  0x180 [30;42m################################################################[0m
  0x1c0 [30;42m################################################################[0m
  0x200 [30;42m################################################################[0m
  0x240 [30;42m################################################################[0m
  0x280 [30;42m################################################################[0m
  0x2c0 [30;42m################################################################[0m
  0x300 [30;43m.[30;42m###############################################################[0m
  0x340 [30;42m################################################################[0m
  0x380 [30;42m################################################################[0m
  0x3c0 [30;42m###############################################################[30;43m.[0m
  map: 1 cell = 1 page (4 KiB), 64 pages a row; [30;42m#[0m encrypted, [30;43m.[0m shared, [30;45m+[0m mixed
[exit 0]

$ pgenc bitmap show mixed.ranges --rows 4 --limit 3
  file:      mixed.ranges (ranges)
  gfns:      0x0-0x3ff
  pages:     1024 (4 MiB)
  encrypted: 986 (96.3%)
  shared:    38 (3.7%)
  ranges:    8 (4 shared)
    0x000-0x09f encrypted 160 pages
    0x0a0-0x0bf shared    32 pages
    0x0c0-0x0ff encrypted 64 pages
    ... 5 more (--limit 0 lists all)

  0x000 ########################################........################
  0x100 .###############################################################
  0x200 ################################################################
  0x300 +##############################################################+
  map: 1 cell = 4 pages (16 KiB), 256 pages a row; # encrypted, . shared, + mixed
[exit 0]

$ pgenc bitmap show mixed.ranges --limit 0 --no-map
  file:      mixed.ranges (ranges)
  gfns:      0x0-0x3ff
  pages:     1024 (4 MiB)
  encrypted: 986 (96.3%)
  shared:    38 (3.7%)
  ranges:    8 (4 shared)
    0x000-0x09f encrypted 160 pages
    0x0a0-0x0bf shared    32 pages
    0x0c0-0x0ff encrypted 64 pages
    0x100-0x103 shared    4 pages
    0x104-0x2ff encrypted 508 pages
    0x300-0x300 shared    1 page
    0x301-0x3fe encrypted 254 pages
    0x3ff-0x3ff shared    1 page
[exit 0]

$ pgenc bitmap show offset.json
  file:      offset.json (json)
  gfns:      0x100000-0x10012b
  pages:     300 (1.1 MiB)
  encrypted: 283 (94.3%)
  shared:    17 (5.7%)
  ranges:    4 (2 shared)
    0x100000-0x10000f encrypted 16 pages
    0x100010-0x10001f shared    16 pages
    0x100020-0x10012a encrypted 267 pages
    0x10012b-0x10012b shared    1 page

  0x100000 ################................################################
  0x100040 ################################################################
  0x100080 ################################################################
  0x1000c0 ################################################################
  0x100100 ###########################################.
  map: 1 cell = 1 page (4 KiB), 64 pages a row; # encrypted, . shared, + mixed
[exit 0]

$ pgenc bitmap show small.ranges
  file:      small.ranges (ranges)
  gfns:      0x0-0x13
  pages:     20 (80 KiB)
  encrypted: 16 (80.0%)
  shared:    4 (20.0%)
  ranges:    2 (1 shared)
    0x00-0x03 shared    4 pages
    0x04-0x13 encrypted 16 pages

  0x00 ....################
  map: 1 cell = 1 page (4 KiB), 64 pages a row; # encrypted, . shared, + mixed
[exit 0]

$ pgenc bitmap show - --no-map < small.ranges
  file:      (stdin) (ranges)
  gfns:      0x0-0x13
  pages:     20 (80 KiB)
  encrypted: 16 (80.0%)
  shared:    4 (20.0%)
  ranges:    2 (1 shared)
    0x00-0x03 shared    4 pages
    0x04-0x13 encrypted 16 pages
[exit 0]

$ pgenc bitmap show mixed.ranges --json --limit 4
  {
    "file": "mixed.ranges",
    "format": "ranges",
    "start_gfn": 0,
    "last_gfn": 1023,
    "num_pages": 1024,
    "encrypted_pages": 986,
    "shared_pages": 38,
    "nr_ranges": 8,
    "nr_shared_ranges": 4,
    "ranges": [
      {"first": 0, "last": 159, "pages": 160, "state": "encrypted"},
      {"first": 160, "last": 191, "pages": 32, "state": "shared"},
      {"first": 192, "last": 255, "pages": 64, "state": "encrypted"},
      {"first": 256, "last": 259, "pages": 4, "state": "shared"}
    ],
    "ranges_truncated": true,
    "png": null
  }
[exit 0]

$ pgenc bitmap show offset.json --json --png offset.png
  {
    "file": "offset.json",
    "format": "json",
    "start_gfn": 1048576,
    "last_gfn": 1048875,
    "num_pages": 300,
    "encrypted_pages": 283,
    "shared_pages": 17,
    "nr_ranges": 4,
    "nr_shared_ranges": 2,
    "ranges": [
      {"first": 1048576, "last": 1048591, "pages": 16, "state": "encrypted"},
      {"first": 1048592, "last": 1048607, "pages": 16, "state": "shared"},
      {"first": 1048608, "last": 1048874, "pages": 267, "state": "encrypted"},
      {"first": 1048875, "last": 1048875, "pages": 1, "state": "shared"}
    ],
    "ranges_truncated": false,
    "png": {"file": "offset.png", "width": 300, "height": 1, "pages_per_pixel": 1}
  }
[exit 0]

$ NO_COLOR=1 pgenc bitmap show small.ranges --no-map
  file:      small.ranges (ranges)
  gfns:      0x0-0x13
  pages:     20 (80 KiB)
  encrypted: 16 (80.0%)
  shared:    4 (20.0%)
  ranges:    2 (1 shared)
    0x00-0x03 shared    4 pages
    0x04-0x13 encrypted 16 pages
[exit 0]

$ pgenc bitmap export --from mixed.ranges --format json
  {"version":1,"start_gfn":0,"num_pages":1024,"ranges":[
  {"first":0,"last":159,"state":"encrypted"},
  {"first":160,"last":191,"state":"shared"},
  {"first":192,"last":255,"state":"encrypted"},
  {"first":256,"last":259,"state":"shared"},
  {"first":260,"last":767,"state":"encrypted"},
  {"first":768,"last":768,"state":"shared"},
  {"first":769,"last":1022,"state":"encrypted"},
  {"first":1023,"last":1023,"state":"shared"}
  ]}
[exit 0]

$ pgenc bitmap export --from offset.json
  0x100000-0x10000f encrypted
  0x100010-0x10001f shared
  0x100020-0x10012a encrypted
  0x10012b-0x10012b shared
[exit 0]

$ pgenc bitmap export --from mixed.raw -f ranges
  0x000-0x09f encrypted
  0x0a0-0x0bf shared
  0x0c0-0x0ff encrypted
  0x100-0x103 shared
  0x104-0x2ff encrypted
  0x300-0x300 shared
  0x301-0x3fe encrypted
  0x3ff-0x3ff shared
[exit 0]

$ pgenc bitmap export --from mixed.ranges --input-format json
! pgenc bitmap export: mixed.ranges:1:1: expected '{', found '#' (json format)
[exit 1]

$ pgenc bitmap export --from mixed.ranges -o no/such/dir/x
! pgenc bitmap export: no/such/dir/x: No such file or directory
[exit 1]

$ pgenc bitmap diff mixed.ranges mixed.ranges.json
  --- mixed.ranges: gfn 0x0-0x3ff (1024 pages)
  +++ mixed.ranges.json: gfn 0x0-0x3ff (1024 pages)
  no page changed state
[exit 0]

$ pgenc bitmap diff mixed.ranges mixed2.ranges
  --- mixed.ranges: gfn 0x0-0x3ff (1024 pages)
  +++ mixed2.ranges: gfn 0x0-0x3ff (1024 pages)
  0x0b0-0x0bf shared -> encrypted
  0x104-0x10f encrypted -> shared
  0x3ff-0x3ff shared -> encrypted
  3 runs differ: 12 pages became shared, 17 became encrypted
[exit 1]

$ pgenc bitmap diff mixed.ranges mixed2.ranges --json
  {
    "a": {"file": "mixed.ranges", "format": "ranges", "start_gfn": 0, "num_pages": 1024},
    "b": {"file": "mixed2.ranges", "format": "ranges", "start_gfn": 0, "num_pages": 1024},
    "identical": false,
    "same_span": true,
    "first_gfn": 0,
    "last_gfn": 1023,
    "became_shared": 12,
    "became_encrypted": 17,
    "nr_runs": 3,
    "runs": [
      {"first": 176, "last": 191, "pages": 16, "from": "shared", "to": "encrypted"},
      {"first": 260, "last": 271, "pages": 12, "from": "encrypted", "to": "shared"},
      {"first": 1023, "last": 1023, "pages": 1, "from": "shared", "to": "encrypted"}
    ]
  }
[exit 1]

$ pgenc bitmap diff small.ranges mixed.ranges
  --- small.ranges: gfn 0x0-0x13 (20 pages)
  +++ mixed.ranges: gfn 0x0-0x3ff (1024 pages)
  0x000-0x003 shared -> encrypted
  0x0a0-0x0bf encrypted -> shared
  0x100-0x103 encrypted -> shared
  0x300-0x300 encrypted -> shared
  0x3ff-0x3ff encrypted -> shared
  5 runs differ: 38 pages became shared, 4 became encrypted; the spans differ
[exit 1]

$ pgenc bitmap diff small.ranges mixed.ranges --json
  {
    "a": {"file": "small.ranges", "format": "ranges", "start_gfn": 0, "num_pages": 20},
    "b": {"file": "mixed.ranges", "format": "ranges", "start_gfn": 0, "num_pages": 1024},
    "identical": false,
    "same_span": false,
    "first_gfn": 0,
    "last_gfn": 1023,
    "became_shared": 38,
    "became_encrypted": 4,
    "nr_runs": 5,
    "runs": [
      {"first": 0, "last": 3, "pages": 4, "from": "shared", "to": "encrypted"},
      {"first": 160, "last": 191, "pages": 32, "from": "encrypted", "to": "shared"},
      {"first": 256, "last": 259, "pages": 4, "from": "encrypted", "to": "shared"},
      {"first": 768, "last": 768, "pages": 1, "from": "encrypted", "to": "shared"},
      {"first": 1023, "last": 1023, "pages": 1, "from": "encrypted", "to": "shared"}
    ]
  }
[exit 1]

$ pgenc bitmap diff -q mixed.ranges mixed2.ranges
[exit 1]

$ pgenc bitmap diff --quiet mixed.ranges mixed.ranges.raw
[exit 0]

$ pgenc bitmap diff mixed.ranges - < mixed2.ranges
  --- mixed.ranges: gfn 0x0-0x3ff (1024 pages)
  +++ (stdin): gfn 0x0-0x3ff (1024 pages)
  0x0b0-0x0bf shared -> encrypted
  0x104-0x10f encrypted -> shared
  0x3ff-0x3ff shared -> encrypted
  3 runs differ: 12 pages became shared, 17 became encrypted
[exit 1]

$ pgenc bitmap diff mixed.ranges bad-state.ranges
! pgenc bitmap diff: bad-state.ranges:2:11: expected 'encrypted' or 'shared', found 's' (ranges format)
[exit 2]

$ pgenc bitmap diff mixed.ranges nosuchfile
! pgenc bitmap diff: nosuchfile: No such file or directory
[exit 2]

$ pgenc bitmap show bad-state.ranges
! pgenc bitmap show: bad-state.ranges:2:11: expected 'encrypted' or 'shared', found 's' (ranges format)
[exit 1]

$ pgenc bitmap show bad-gap.ranges
! pgenc bitmap show: bad-gap.ranges:2:1: gap: 0x10-0x10 is not covered (ranges format)
[exit 1]

$ pgenc bitmap show bad-syntax.json
! pgenc bitmap show: bad-syntax.json:2:60: expected a range object '{', found ']' (json format)
[exit 1]

$ pgenc bitmap export --from bad-key.json
! pgenc bitmap export: bad-key.json:1:49: unknown key "colour" (json format)
[exit 1]

$ pgenc bitmap import --check bad-cover.json
! pgenc bitmap import: bad-cover.json:2:59: the ranges end before gfn 31 (start_gfn + num_pages - 1) (json format)
[exit 1]

$ pgenc bitmap show too-big.json
! pgenc bitmap show: too-big.json:1:45: num_pages 8589934592 exceeds the limit 4294967296 (json format)
[exit 1]

$ pgenc bitmap show mixed.ranges --max-pages 1000
! pgenc bitmap show: mixed.ranges:8:7: the ranges cover more than 1000 pages (ranges format)
[exit 1]

$ pgenc bitmap show truncated.raw
! pgenc bitmap show: truncated.raw: byte 41: truncated: 8 bytes of bits, need 128 (raw format)
[exit 1]

$ pgenc bitmap show badversion.raw
! pgenc bitmap show: badversion.raw: byte 9: unsupported version 2 (expected 1) (raw format)
[exit 1]

$ pgenc bitmap show empty
! pgenc bitmap show: empty:1:1: no ranges: the input describes no pages (ranges format)
[exit 1]

$ pgenc bitmap show nosuchfile
! pgenc bitmap show: nosuchfile: No such file or directory
[exit 1]

$ pgenc bitmap show .
! pgenc bitmap show: .: Is a directory
[exit 1]

$ pgenc bitmap import --check mixed.ranges
  mixed.ranges: valid ranges bitmap, gfn 0x0-0x3ff, 1024 pages, 38 shared
[exit 0]

$ pgenc bitmap
! pgenc bitmap: missing command (export, import, show, diff)
! Try 'pgenc bitmap --help'.
[exit 2]

$ pgenc bitmap frobnicate
! pgenc bitmap: unknown command 'frobnicate' (export, import, show, diff)
! Try 'pgenc bitmap --help'.
[exit 2]

$ pgenc bitmap --json
! pgenc bitmap: unknown option '--json' (a command comes first)
! Try 'pgenc bitmap --help'.
[exit 2]

$ pgenc bitmap show
! pgenc bitmap show: missing FILE
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show a b
! pgenc bitmap show: unexpected argument 'b'
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges --bogus
! pgenc bitmap show: unknown option '--bogus'
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges -x
! pgenc bitmap show: unknown option '-x'
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges --width
! pgenc bitmap show: option '--width' needs a value
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges --width 0
! pgenc bitmap show: --width: '0' is not a number from 1 to 65536
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges --width 12abc
! pgenc bitmap show: --width: '12abc' is not a number from 1 to 65536
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges --width 65537
! pgenc bitmap show: --width: '65537' is not a number from 1 to 65536
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges --color sometimes
! pgenc bitmap show: --color: 'sometimes' is not auto, always or never
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges --format yaml
! pgenc bitmap show: --format: unknown format 'yaml' (raw, ranges, json)
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges --json=yes
! pgenc bitmap show: option '--json' takes no value
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges --rows -1
! pgenc bitmap show: --rows: '-1' is not a number from 1 to 100000
! Try 'pgenc bitmap show --help'.
[exit 2]

$ pgenc bitmap export
! pgenc bitmap export: give exactly one of --socket SOCK and --from FILE
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc bitmap export --from a --socket b
! pgenc bitmap export: give exactly one of --socket SOCK and --from FILE
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc bitmap export --from a --start 5
! pgenc bitmap export: --start-gfn and --num-pages apply to --socket only
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc bitmap export --from a --num-pages 5
! pgenc bitmap export: --start-gfn and --num-pages apply to --socket only
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc bitmap export --socket s --input-format json
! pgenc bitmap export: --input-format applies to --from only
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc bitmap export --from a extra
! pgenc bitmap export: unexpected argument 'extra'
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc bitmap export --from a -f auto
! pgenc bitmap export: --format: unknown format 'auto' (raw, ranges, json)
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc bitmap export --socket s --num-pages 0
! pgenc bitmap export: --num-pages: '0' is not a number from 1 to 1099511627776
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc bitmap import
! pgenc bitmap import: missing FILE
! Try 'pgenc bitmap import --help'.
[exit 2]

$ pgenc bitmap import mixed.ranges
! pgenc bitmap import: give exactly one of --socket SOCK and --check
! Try 'pgenc bitmap import --help'.
[exit 2]

$ pgenc bitmap import mixed.ranges --check --socket s
! pgenc bitmap import: give exactly one of --socket SOCK and --check
! Try 'pgenc bitmap import --help'.
[exit 2]

$ pgenc bitmap diff mixed.ranges
! pgenc bitmap diff: needs two files, A and B
! Try 'pgenc bitmap diff --help'.
[exit 2]

$ pgenc bitmap diff a b c
! pgenc bitmap diff: unexpected argument 'c'
! Try 'pgenc bitmap diff --help'.
[exit 2]

$ pgenc bitmap diff - -
! pgenc bitmap diff: only one of A and B can be stdin
! Try 'pgenc bitmap diff --help'.
[exit 2]

$ pgenc bitmap diff --json -q a b
! pgenc bitmap diff: --json and --quiet exclude each other
! Try 'pgenc bitmap diff --help'.
[exit 2]

$ pgenc bitmap show mixed.ranges --png mixed.png --no-map
  file:      mixed.ranges (ranges)
  gfns:      0x0-0x3ff
  pages:     1024 (4 MiB)
  encrypted: 986 (96.3%)
  shared:    38 (3.7%)
  ranges:    8 (4 shared)
    0x000-0x09f encrypted 160 pages
    0x0a0-0x0bf shared    32 pages
    0x0c0-0x0ff encrypted 64 pages
    0x100-0x103 shared    4 pages
    0x104-0x2ff encrypted 508 pages
    0x300-0x300 shared    1 page
    0x301-0x3fe encrypted 254 pages
    0x3ff-0x3ff shared    1 page
  png: mixed.png, 512x2 pixels, 1 page a pixel, rows of 512 pages
  png: colours: encrypted #2e7d32 green, shared #f9a825 amber, mixed #8e24aa purple, past the end #000000 black
[exit 0]

$ pgenc bitmap show mixed.ranges --png mixed-ds.png --max-pixels 1000 --no-map
  file:      mixed.ranges (ranges)
  gfns:      0x0-0x3ff
  pages:     1024 (4 MiB)
  encrypted: 986 (96.3%)
  shared:    38 (3.7%)
  ranges:    8 (4 shared)
    0x000-0x09f encrypted 160 pages
    0x0a0-0x0bf shared    32 pages
    0x0c0-0x0ff encrypted 64 pages
    0x100-0x103 shared    4 pages
    0x104-0x2ff encrypted 508 pages
    0x300-0x300 shared    1 page
    0x301-0x3fe encrypted 254 pages
    0x3ff-0x3ff shared    1 page
  png: mixed-ds.png, 512x1 pixels, 2 pages a pixel, rows of 1024 pages
  png: downscaled: one pixel a page would be 1024 pixels, above --max-pixels 1000; a pixel with both kinds is mixed
  png: colours: encrypted #2e7d32 green, shared #f9a825 amber, mixed #8e24aa purple, past the end #000000 black
[exit 0]

$ pgenc bitmap show mixed.ranges --png no/such/dir/x.png
! pgenc bitmap show: no/such/dir/x.png: No such file or directory
[exit 1]

$ COLUMNS=100 pgenc bitmap show huge.json --png huge.png
  file:      huge.json (json)
  gfns:      0x0-0xfffffff
  pages:     268435456 (1 TiB)
  encrypted: 268431353 (>99.9%)
  shared:    4103 (<0.1%)
  ranges:    6 (3 shared)
    0x0000000-0x0000fff encrypted 4096 pages
    0x0001000-0x0001fff shared    4096 pages
    0x0002000-0x5000004 encrypted 83877893 pages
    0x5000005-0x500000a shared    6 pages
    0x500000b-0xffffffe encrypted 184549364 pages
    0xfffffff-0xfffffff shared    1 page

  0x0000000 +###############################################################
  0x1000000 ################################################################
  0x2000000 ################################################################
  0x3000000 ################################################################
  0x4000000 ################################################################
  0x5000000 +###############################################################
  0x6000000 ################################################################
  0x7000000 ################################################################
  0x8000000 ################################################################
  0x9000000 ################################################################
  0xa000000 ################################################################
  0xb000000 ################################################################
  0xc000000 ################################################################
  0xd000000 ################################################################
  0xe000000 ################################################################
  0xf000000 ###############################################################+
  map: 1 cell = 262144 pages (1 GiB), 16777216 pages a row; # encrypted, . shared, + mixed
  png: huge.png, 512x32768 pixels, 16 pages a pixel, rows of 8192 pages
  png: downscaled: one pixel a page would be 268435456 pixels, above --max-pixels 16777216; a pixel with both kinds is mixed
  png: colours: encrypted #2e7d32 green, shared #f9a825 amber, mixed #8e24aa purple, past the end #000000 black
[exit 0]

$ pgenc bitmap show huge.json --json --limit 3
  {
    "file": "huge.json",
    "format": "json",
    "start_gfn": 0,
    "last_gfn": 268435455,
    "num_pages": 268435456,
    "encrypted_pages": 268431353,
    "shared_pages": 4103,
    "nr_ranges": 6,
    "nr_shared_ranges": 3,
    "ranges": [
      {"first": 0, "last": 4095, "pages": 4096, "state": "encrypted"},
      {"first": 4096, "last": 8191, "pages": 4096, "state": "shared"},
      {"first": 8192, "last": 83886084, "pages": 83877893, "state": "encrypted"}
    ],
    "ranges_truncated": true,
    "png": null
  }
[exit 0]

$ pgenc bitmap export --socket vm.sock
  0x000-0x09f encrypted
  0x0a0-0x0bf shared
  0x0c0-0x0ff encrypted
  0x100-0x103 shared
  0x104-0x2ff encrypted
  0x300-0x300 shared
  0x301-0x3fe encrypted
  0x3ff-0x3ff shared
[exit 0]

$ pgenc bitmap export --socket vm.sock --start-gfn 0xfc --num-pages 16 -f json
  {"version":1,"start_gfn":252,"num_pages":16,"ranges":[
  {"first":252,"last":255,"state":"encrypted"},
  {"first":256,"last":259,"state":"shared"},
  {"first":260,"last":267,"state":"encrypted"}
  ]}
[exit 0]

$ pgenc bitmap import mixed2.ranges --socket vm.sock
  installed: gfn 0x0-0x3ff, 1024 pages, 33 shared
[exit 0]

$ pgenc ctl vm.sock import mixed2.ranges
  installed: gfn 0x0-0x3ff, 1024 pages, 33 shared
[exit 0]

$ pgenc ctl vm.sock export --start-gfn 0xfc --num-pages 16 -f json
  {"version":1,"start_gfn":252,"num_pages":16,"ranges":[
  {"first":252,"last":255,"state":"encrypted"},
  {"first":256,"last":267,"state":"shared"}
  ]}
[exit 0]

$ pgenc bitmap import offset.json --socket vm.sock
! pgenc bitmap import: vm.sock: the VM refused: outside tracked memory (Invalid argument)
[exit 1]

$ pgenc bitmap import bad-state.ranges --socket vm.sock
! pgenc bitmap import: bad-state.ranges:2:11: expected 'encrypted' or 'shared', found 's' (ranges format)
[exit 1]

$ pgenc bitmap export --socket vm.sock --start-gfn 0x400
! pgenc bitmap export: vm.sock: --start-gfn 0x400: the VM tracks gfns 0x0-0x3ff
[exit 1]

$ pgenc bitmap export --socket vm.sock
! pgenc bitmap export: vm.sock: cannot connect: No such file or directory (is 'pgenc run --ctl vm.sock' running?)
[exit 1]

$ pgenc bitmap export --socket vm.sock
! pgenc bitmap export: vm.sock: no valid response (connection closed, or not a pgenc control socket)
[exit 1]
