# Transcript of pgenc run|ctl|dump in the test VM: tests/cli/vmm/scenario.sh runs the
# commands there, tests/cli/vmm/vm.sh compares.
# Format and --regenerate: tests/cli/transcript.sh, Documentation/testing.rst.

$ pgenc run --demo --sev --verify --tik-file /sys/kernel/debug/sevsim/%h/tik --ctl /tmp/pgenc.sock
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: demo guest at 0x100000
  pgenc run: VM: 64 MiB, 1 vCPU(s), SEV guest, page tracking on (16384 pages)
  pgenc run: LAUNCH_START: handle 1, policy 0x0, firmware API 0.24 build 1
  pgenc run: LAUNCH_UPDATE_DATA: 8192 bytes at 0x200000 measured and now private
  pgenc run: LAUNCH_MEASURE: measurement+mnonce (base64): @MEASUREMENT@
  pgenc run: measurement verified: HMAC-SHA256(TIK from /sys/kernel/debug/sevsim/1/tik) over the launch digest matches
  pgenc run: LAUNCH_FINISH: guest state RUNNING
  pgenc run: control socket: /tmp/pgenc.sock
  [guest] pgenc demo guest: 1 vCPU(s), 64 MiB, SEV (sevsim)
  [guest] measured data: 8192 bytes at 0x200000, private (loaded before launch)
  [guest] hypercall 12 gpa=0x202000 npages=2 a2=0x00 -> 0 ok: 2 pages right after the measured data shared (a2=0x00)
  [guest] hypercall 12 gpa=0x400000 npages=16 a2=0x00 -> 0 ok: bounce buffer shared (a2=0x00: shared)
  [guest] hypercall 12 gpa=0x404000 npages=4 a2=0x10 -> 0 ok: 4 of them private again (a2=0x10: upstream encrypted, 4K hint)
  [guest] hypercall 12 gpa=0x800000 npages=512 a2=0x00 -> 0 ok: 2 MiB ring area shared (a2=0x00)
  [guest] hypercall 12 gpa=0x900000 npages=256 a2=0x11 -> 0 ok: its upper 1 MiB private again (a2=0x11: upstream encrypted, 2M hint)
  [guest] hypercall 12 gpa=0x1000000 npages=3 a2=0x00 -> 0 ok: 3 pages at 16 MiB shared (seed a2=0)
  [guest] hypercall 12 gpa=0x1001000 npages=1 a2=0x01 -> 0 ok: the middle one private again (seed a2=1)
  [guest] hypercall 12 gpa=0x400000 npages=1 a2=0x20 -> -22 ok: reserved bit 5 in a2: must be refused
  [guest] hypercall 12 gpa=0x4000000 npages=1 a2=0x00 -> -22 ok: past the end of memory: must be refused
  [guest] wrote the known text into the 272 pages left shared
  [guest] MSR_KVM_MIGRATION_CONTROL = 1: page status reports complete
  [guest] done, halting
  pgenc run: vCPU 0 halted (HLT at rip 0x100007)
  pgenc run: exit: guest halted
[exit 0]

$ pgenc ctl /tmp/pgenc.sock wait
  guest halted
[exit 0]

$ pgenc ctl /tmp/pgenc.sock stats
  state:               halted
  sev:                 yes, handle 1, policy 0x0 (sevsim: simulated, memory NOT encrypted)
  memory:              64 MiB, 1 vCPU(s)
  tracked pages:       16384
  shared pages:        272
  encrypted pages:     16112
  hypercalls:          7 applied, 2 refused
  migration control:   1 (guest: page status reports complete)
  DBG firmware cmds:   0
  DBG bypassed pages:  0
[exit 0]

$ pgenc ctl /tmp/pgenc.sock stats --json
  {"ok":true,"state":"halted","sev":true,"sev_handle":1,"sev_policy":0,"sevsim":true,"mem_bytes":67108864,"vcpus":1,"tracked_pages":16384,"shared_pages":272,"encrypted_pages":16112,"hypercalls":7,"hypercall_errors":2,"migration_control":1,"dbg_fw_cmds":0,"dbg_bypassed_pages":0,"counters":"debugfs"}
[exit 0]

$ pgenc ctl /tmp/pgenc.sock version
  pgenc @VERSION@, control protocol 1
[exit 0]

$ pgenc ctl /tmp/pgenc.sock export --format ranges
  0x0000-0x0201 encrypted
  0x0202-0x0203 shared
  0x0204-0x03ff encrypted
  0x0400-0x0403 shared
  0x0404-0x0407 encrypted
  0x0408-0x040f shared
  0x0410-0x07ff encrypted
  0x0800-0x08ff shared
  0x0900-0x0fff encrypted
  0x1000-0x1000 shared
  0x1001-0x1001 encrypted
  0x1002-0x1002 shared
  0x1003-0x3fff encrypted
[exit 0]

$ pgenc ctl /tmp/pgenc.sock export --format json -o /tmp/out/bitmap.json
[exit 0]

$ pgenc ctl /tmp/pgenc.sock export --format raw -o /tmp/out/bitmap.raw
[exit 0]

$ pgenc ctl /tmp/pgenc.sock export --format ranges --start-gfn 0x200 --num-pages 0x10
  0x200-0x201 encrypted
  0x202-0x203 shared
  0x204-0x20f encrypted
[exit 0]

$ pgenc ctl /tmp/pgenc.sock export --start-gfn 0x4000
! pgenc bitmap export: /tmp/pgenc.sock: --start-gfn 0x4000: the VM tracks gfns 0x0-0x3fff
[exit 1]

$ pgenc ctl /tmp/pgenc.sock export --format yaml
! pgenc bitmap export: --format: unknown format 'yaml' (raw, ranges, json)
! Try 'pgenc bitmap export --help'.
[exit 2]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x200000 --len 0x2000 -o /tmp/out/secret.bin
  dumped 8192 bytes, gpa 0x200000-0x201fff (2 pages), with KVM_SEV_DBG_DECRYPT
  firmware commands issued (DBG_DECRYPT): 2
  pages bypassed (shared: copied without the firmware): 0
  note: bypassed pages are read as the guest left them because the guest
  reported them shared; they are only as trustworthy as the guest's reports.
[exit 0]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x400000 --len 0x4000 -o /tmp/out/shared.bin
  dumped 16384 bytes, gpa 0x400000-0x403fff (4 pages), with KVM_SEV_DBG_DECRYPT
  firmware commands issued (DBG_DECRYPT): 0
  pages bypassed (shared: copied without the firmware): 4
  note: bypassed pages are read as the guest left them because the guest
  reported them shared; they are only as trustworthy as the guest's reports.
[exit 0]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x201234 --len 0x1f00 -o /tmp/out/mixed.bin --json
  {"gpa":2101812,"len":7936,"pages":3,"method":"dbg_decrypt","fw_cmds":1,"bypassed_pages":2,"counters":"debugfs"}
[exit 0]

$ pgenc ctl /tmp/pgenc.sock dump --gpa 0x201000 --len 0x3000 --chunk 0x1000 -o /tmp/out/chunked.bin
  dumped 12288 bytes, gpa 0x201000-0x203fff (3 pages), with KVM_SEV_DBG_DECRYPT
  firmware commands issued (DBG_DECRYPT): 1
  pages bypassed (shared: copied without the firmware): 2
  note: bypassed pages are read as the guest left them because the guest
  reported them shared; they are only as trustworthy as the guest's reports.
[exit 0]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x201fd0 --len 0x50
  00201fd0  74 20 70 61 67 65 20 31  20 6c 69 6e 65 20 36 33  |t page 1 line 63|
  00201fe0  3a 20 6d 65 61 73 75 72  65 64 20 61 74 20 6c 61  |: measured at la|
  00201ff0  75 6e 63 68 20 20 20 20  20 20 20 20 20 20 20 0a  |unch           .|
  00202000  73 68 61 72 65 64 20 70  61 67 65 20 30 78 30 30  |shared page 0x00|
  00202010  32 30 32 30 30 30 20 6c  69 6e 65 20 30 30 3a 20  |202000 line 00: |
  00202020
! dumped 80 bytes, gpa 0x201fd0-0x20201f (2 pages), with KVM_SEV_DBG_DECRYPT
! firmware commands issued (DBG_DECRYPT): 1
! pages bypassed (shared: copied without the firmware): 1
! note: bypassed pages are read as the guest left them because the guest
! reported them shared; they are only as trustworthy as the guest's reports.
[exit 0]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x408fc0 --len 0x80 --chunk 4K
  00408fc0  73 68 61 72 65 64 20 70  61 67 65 20 30 78 30 30  |shared page 0x00|
  00408fd0  34 30 38 30 30 30 20 6c  69 6e 65 20 36 33 3a 20  |408000 line 63: |
  00408fe0  67 75 65 73 74 20 70 6c  61 69 6e 74 65 78 74 20  |guest plaintext |
  00408ff0  20 20 20 20 20 20 20 20  20 20 20 20 20 20 20 0a  |               .|
  00409000  73 68 61 72 65 64 20 70  61 67 65 20 30 78 30 30  |shared page 0x00|
  00409010  34 30 39 30 30 30 20 6c  69 6e 65 20 30 30 3a 20  |409000 line 00: |
  00409020  67 75 65 73 74 20 70 6c  61 69 6e 74 65 78 74 20  |guest plaintext |
  00409030  20 20 20 20 20 20 20 20  20 20 20 20 20 20 20 0a  |               .|
  00409040
! dumped 128 bytes, gpa 0x408fc0-0x40903f (2 pages), with KVM_SEV_DBG_DECRYPT
! firmware commands issued (DBG_DECRYPT): 0
! pages bypassed (shared: copied without the firmware): 2
! note: bypassed pages are read as the guest left them because the guest
! reported them shared; they are only as trustworthy as the guest's reports.
[exit 0]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x3fff000 --len 0x2000
! pgenc dump: /tmp/pgenc.sock: at gpa 0x3fff000: the VM refused: [0x3fff000, +8192) is not inside guest memory [0, 0x4000000) (Numerical result out of range)
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"dump","gpa":0,"len":16777217}
  {"ok":false,"error":"\"len\" must be 1..16777216","errno":22}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock import /tmp/out/changed.ranges
  installed: gfn 0x0-0x3fff, 16384 pages, 276 shared
[exit 0]

$ pgenc ctl /tmp/pgenc.sock stats
  state:               halted
  sev:                 yes, handle 1, policy 0x0 (sevsim: simulated, memory NOT encrypted)
  memory:              64 MiB, 1 vCPU(s)
  tracked pages:       16384
  shared pages:        276
  encrypted pages:     16108
  hypercalls:          7 applied, 2 refused
  migration control:   1 (guest: page status reports complete)
  DBG firmware cmds:   5
  DBG bypassed pages:  11
[exit 0]

$ pgenc ctl /tmp/pgenc.sock import /tmp/out/gap.ranges
! pgenc bitmap import: /tmp/out/gap.ranges:2:1: gap: 0x4-0x4 is not covered (ranges format)
[exit 1]

$ pgenc ctl /tmp/pgenc.sock import /tmp/out/toobig.ranges
! pgenc bitmap import: /tmp/pgenc.sock: the VM refused: ranges bitmap: line 1 column 8: the ranges cover more than 16384 pages (Bad message)
[exit 1]

$ pgenc ctl /tmp/pgenc.sock import /tmp/out/bitmap.raw
  installed: gfn 0x0-0x3fff, 16384 pages, 272 shared
[exit 0]

$ pgenc bitmap import /tmp/out/badstate.ranges --socket /tmp/pgenc.sock
! pgenc bitmap import: /tmp/out/badstate.ranges:2:15: expected 'encrypted' or 'shared', found 's' (ranges format)
[exit 1]

$ pgenc bitmap import /tmp/out/trunc.json --socket /tmp/pgenc.sock
! pgenc bitmap import: /tmp/out/trunc.json:2:1: expected a range object '{', found the end of the input (json format)
[exit 1]

$ pgenc bitmap import /tmp/out/trunc.raw --socket /tmp/pgenc.sock
! pgenc bitmap import: /tmp/out/trunc.raw: byte 41: truncated: 8 bytes of bits, need 2048 (raw format)
[exit 1]

$ pgenc ctl /tmp/pgenc.sock export --format ranges
  0x0000-0x0201 encrypted
  0x0202-0x0203 shared
  0x0204-0x03ff encrypted
  0x0400-0x0403 shared
  0x0404-0x0407 encrypted
  0x0408-0x040f shared
  0x0410-0x07ff encrypted
  0x0800-0x08ff shared
  0x0900-0x0fff encrypted
  0x1000-0x1000 shared
  0x1001-0x1001 encrypted
  0x1002-0x1002 shared
  0x1003-0x3fff encrypted
[exit 0]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"reboot","id":7}
  {"ok":false,"id":7,"error":"unknown command \"reboot\" (version, stats, wait, export, import, dump, quit)","errno":38}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"id":"x"}
  {"ok":false,"id":"x","error":"\"cmd\" (a string) is required","errno":22}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"stats",}
  {"ok":false,"error":"bad request: column 16: string or '}' expected near '}'","errno":74}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"stats","x":{}}
  {"ok":false,"error":"bad request: \"x\": nested objects are not supported","errno":74}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"stats","verbose":true}
  {"ok":false,"error":"unknown key \"verbose\" for this command","errno":22}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"stats","cmd":"quit"}
  {"ok":false,"error":"bad request: column 20: duplicate object key near '\"cmd\"'","errno":74}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"dump","gpa":"0x1000","len":16}
  {"ok":false,"error":"\"gpa\" and \"len\" (non-negative integers) are required","errno":22}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"dump","gpa":-1,"len":16}
  {"ok":false,"error":"\"gpa\" and \"len\" (non-negative integers) are required","errno":22}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"dump","gpa":1.5,"len":16}
  {"ok":false,"error":"bad request: \"gpa\": only integers are allowed","errno":74}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"dump","gpa":0,"len":0}
  {"ok":false,"error":"\"len\" must be 1..16777216","errno":22}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"dump","gpa":2105344,"len":12,"id":"a\u00e9"}
  {"ok":true,"id":"aé","gpa":2105344,"len":12,"method":"dbg_decrypt","fw_cmds":0,"bypassed_pages":1,"counters":"debugfs","data":"c2hhcmVkIHBhZ2Ug"}
[exit 0]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"export","num_pages":0}
  {"ok":false,"error":"num_pages must be 1..2^40 and the range must not wrap","errno":22}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"import","data":"not base64!"}
  {"ok":false,"error":"\"data\" is not valid base64","errno":74}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"wait","timeout_ms":10}
  {"ok":true,"state":"halted"}
[exit 0]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"version"}
  {"ok":true,"proto":1,"pgenc":"@VERSION@"}
[exit 0]

$ pgenc ctl /tmp/pgenc.sock send this is not json
  {"ok":false,"error":"bad request: column 4: '[' or '{' expected near 'this'","errno":74}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send [1,2]
  {"ok":false,"error":"bad request: column 1: a JSON object ('{') expected","errno":74}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send {"cmd":"stats"
  {"ok":false,"error":"bad request: column 14: '}' expected near end of file","errno":74}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock send 
  {"ok":false,"error":"bad request: column 1: '[' or '{' expected near end of file","errno":74}
[exit 1]

$ pgenc ctl /tmp/pgenc.sock reboot
! pgenc ctl: unknown command 'reboot'
! Try 'pgenc ctl --help'.
[exit 2]

$ pgenc ctl /tmp/missing.sock stats
! pgenc ctl: /tmp/missing.sock: cannot connect: No such file or directory (is 'pgenc run --ctl /tmp/missing.sock' running?)
[exit 1]

$ pgenc dump --socket /tmp/missing.sock --gpa 0 --len 16
! pgenc dump: /tmp/missing.sock: cannot connect: No such file or directory (is 'pgenc run --ctl /tmp/missing.sock' running?)
[exit 1]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x4000000 --len 1
! pgenc dump: /tmp/pgenc.sock: at gpa 0x4000000: the VM refused: [0x4000000, +1) is not inside guest memory [0, 0x4000000) (Numerical result out of range)
[exit 1]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x3ffffff --len 2
! pgenc dump: /tmp/pgenc.sock: at gpa 0x3ffffff: the VM refused: [0x3ffffff, +2) is not inside guest memory [0, 0x4000000) (Numerical result out of range)
[exit 1]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x200000 --len 0
! pgenc dump: --len 0: want a size >= 1
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x200000 --len 0x2000 --chunk 0x1800
! pgenc dump: --chunk 0x1800: want whole pages, 4K..16M
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc ctl /tmp/pgenc.sock dump --gpa 0x200000 --len 0
! pgenc dump: --len 0: want a size >= 1
! Try 'pgenc dump --help'.
[exit 2]

$ pgenc ctl /tmp/pgenc.sock stats
  state:               halted
  sev:                 yes, handle 1, policy 0x0 (sevsim: simulated, memory NOT encrypted)
  memory:              64 MiB, 1 vCPU(s)
  tracked pages:       16384
  shared pages:        272
  encrypted pages:     16112
  hypercalls:          7 applied, 2 refused
  migration control:   1 (guest: page status reports complete)
  DBG firmware cmds:   5
  DBG bypassed pages:  12
[exit 0]

$ pgenc ctl /tmp/pgenc.sock quit
  quit: the VMM is stopping
[exit 0]

$ pgenc ctl /tmp/pgenc.sock stats
! pgenc ctl: /tmp/pgenc.sock: cannot connect: No such file or directory (is 'pgenc run --ctl /tmp/pgenc.sock' running?)
[exit 1]

$ pgenc run --demo --sev --policy 1 --ctl /tmp/pgenc.sock
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: demo guest at 0x100000
  pgenc run: VM: 64 MiB, 1 vCPU(s), SEV guest, page tracking on (16384 pages)
  pgenc run: LAUNCH_START: handle 2, policy 0x1, firmware API 0.24 build 1
  pgenc run: LAUNCH_UPDATE_DATA: 8192 bytes at 0x200000 measured and now private
  pgenc run: LAUNCH_MEASURE: measurement+mnonce (base64): @MEASUREMENT@
  pgenc run: LAUNCH_FINISH: guest state RUNNING
  pgenc run: control socket: /tmp/pgenc.sock
  [guest] pgenc demo guest: 1 vCPU(s), 64 MiB, SEV (sevsim)
  [guest] measured data: 8192 bytes at 0x200000, private (loaded before launch)
  [guest] hypercall 12 gpa=0x202000 npages=2 a2=0x00 -> 0 ok: 2 pages right after the measured data shared (a2=0x00)
  [guest] hypercall 12 gpa=0x400000 npages=16 a2=0x00 -> 0 ok: bounce buffer shared (a2=0x00: shared)
  [guest] hypercall 12 gpa=0x404000 npages=4 a2=0x10 -> 0 ok: 4 of them private again (a2=0x10: upstream encrypted, 4K hint)
  [guest] hypercall 12 gpa=0x800000 npages=512 a2=0x00 -> 0 ok: 2 MiB ring area shared (a2=0x00)
  [guest] hypercall 12 gpa=0x900000 npages=256 a2=0x11 -> 0 ok: its upper 1 MiB private again (a2=0x11: upstream encrypted, 2M hint)
  [guest] hypercall 12 gpa=0x1000000 npages=3 a2=0x00 -> 0 ok: 3 pages at 16 MiB shared (seed a2=0)
  [guest] hypercall 12 gpa=0x1001000 npages=1 a2=0x01 -> 0 ok: the middle one private again (seed a2=1)
  [guest] hypercall 12 gpa=0x400000 npages=1 a2=0x20 -> -22 ok: reserved bit 5 in a2: must be refused
  [guest] hypercall 12 gpa=0x4000000 npages=1 a2=0x00 -> -22 ok: past the end of memory: must be refused
  [guest] wrote the known text into the 272 pages left shared
  [guest] MSR_KVM_MIGRATION_CONTROL = 1: page status reports complete
  [guest] done, halting
  pgenc run: vCPU 0 halted (HLT at rip 0x100007)
  pgenc run: exit: guest halted
[exit 0]

$ pgenc ctl /tmp/pgenc.sock wait
  guest halted
[exit 0]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x200000 --len 0x1000 -o /tmp/out/nodbg_private.bin
! pgenc dump: /tmp/pgenc.sock: at gpa 0x200000: the VM refused: KVM_SEV_DBG_DECRYPT: Input/output error (firmware: POLICY_FAILURE: the guest policy does not allow the command) (Input/output error)
[exit 1]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x202000 --len 0x2000 -o /tmp/out/nodbg_shared.bin
! pgenc dump: /tmp/pgenc.sock: at gpa 0x202000: the VM refused: KVM_SEV_DBG_DECRYPT: Input/output error (firmware: POLICY_FAILURE: the guest policy does not allow the command) (Input/output error)
[exit 1]

$ pgenc run --demo --sev --ctl /tmp/pgenc.sock
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: demo guest at 0x100000
  pgenc run: VM: 64 MiB, 1 vCPU(s), SEV guest, page tracking on (16384 pages)
  pgenc run: LAUNCH_START: handle 3, policy 0x0, firmware API 0.24 build 1
  pgenc run: LAUNCH_UPDATE_DATA: 8192 bytes at 0x200000 measured and now private
  pgenc run: LAUNCH_MEASURE: measurement+mnonce (base64): @MEASUREMENT@
  pgenc run: LAUNCH_FINISH: guest state RUNNING
  pgenc run: control socket: /tmp/pgenc.sock
  [guest] pgenc demo guest: 1 vCPU(s), 64 MiB, SEV (sevsim)
  [guest] measured data: 8192 bytes at 0x200000, private (loaded before launch)
  [guest] hypercall 12 gpa=0x202000 npages=2 a2=0x00 -> 0 ok: 2 pages right after the measured data shared (a2=0x00)
  [guest] hypercall 12 gpa=0x400000 npages=16 a2=0x00 -> 0 ok: bounce buffer shared (a2=0x00: shared)
  [guest] hypercall 12 gpa=0x404000 npages=4 a2=0x10 -> 0 ok: 4 of them private again (a2=0x10: upstream encrypted, 4K hint)
  [guest] hypercall 12 gpa=0x800000 npages=512 a2=0x00 -> 0 ok: 2 MiB ring area shared (a2=0x00)
  [guest] hypercall 12 gpa=0x900000 npages=256 a2=0x11 -> 0 ok: its upper 1 MiB private again (a2=0x11: upstream encrypted, 2M hint)
  [guest] hypercall 12 gpa=0x1000000 npages=3 a2=0x00 -> 0 ok: 3 pages at 16 MiB shared (seed a2=0)
  [guest] hypercall 12 gpa=0x1001000 npages=1 a2=0x01 -> 0 ok: the middle one private again (seed a2=1)
  [guest] hypercall 12 gpa=0x400000 npages=1 a2=0x20 -> -22 ok: reserved bit 5 in a2: must be refused
  [guest] hypercall 12 gpa=0x4000000 npages=1 a2=0x00 -> -22 ok: past the end of memory: must be refused
  [guest] wrote the known text into the 272 pages left shared
  [guest] MSR_KVM_MIGRATION_CONTROL = 1: page status reports complete
  [guest] done, halting
  pgenc run: vCPU 0 halted (HLT at rip 0x100007)
  pgenc run: exit: guest halted
[exit 0]

$ pgenc ctl /tmp/pgenc.sock wait
  guest halted
[exit 0]

$ pgenc ctl /tmp/pgenc.sock stats
  state:               halted
  sev:                 yes, handle 3, policy 0x0 (sevsim: simulated, memory NOT encrypted)
  memory:              64 MiB, 1 vCPU(s)
  tracked pages:       16384
  shared pages:        272
  encrypted pages:     16112
  counters:            unavailable (debugfs not mounted)
[exit 0]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x201ff0 --len 0x20
  00201ff0  75 6e 63 68 20 20 20 20  20 20 20 20 20 20 20 0a  |unch           .|
  00202000  73 68 61 72 65 64 20 70  61 67 65 20 30 78 30 30  |shared page 0x00|
  00202010
! dumped 32 bytes, gpa 0x201ff0-0x20200f (2 pages), with KVM_SEV_DBG_DECRYPT
! counters: unavailable (debugfs not mounted in the VMM's system)
! note: bypassed pages are read as the guest left them because the guest
! reported them shared; they are only as trustworthy as the guest's reports.
[exit 0]

$ pgenc run --demo --sev --verify --tik 000102030405060708090a0b0c0d0e0f
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: demo guest at 0x100000
  pgenc run: VM: 64 MiB, 1 vCPU(s), SEV guest, page tracking on (16384 pages)
  pgenc run: LAUNCH_START: handle 4, policy 0x0, firmware API 0.24 build 1
  pgenc run: LAUNCH_UPDATE_DATA: 8192 bytes at 0x200000 measured and now private
  pgenc run: LAUNCH_MEASURE: measurement+mnonce (base64): @MEASUREMENT@
! pgenc run: error: measurement MISMATCH: the guest was not launched with the expected contents (or the TIK from --tik is wrong)
[exit 1]

$ pgenc run --demo --sev --verify --tik-file /nonexistent/%h/tik
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: demo guest at 0x100000
  pgenc run: VM: 64 MiB, 1 vCPU(s), SEV guest, page tracking on (16384 pages)
  pgenc run: LAUNCH_START: handle 5, policy 0x0, firmware API 0.24 build 1
! pgenc run: error: --tik-file /nonexistent/5/tik: No such file or directory
[exit 1]

$ pgenc run --demo --sev --policy 0x1z
! pgenc run: --policy 0x1z: want a 32-bit hex number
! Try 'pgenc run --help'.
[exit 2]

$ pgenc run --demo --sev --policy 0x10000
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: demo guest at 0x100000
  pgenc run: VM: 64 MiB, 1 vCPU(s), SEV guest, page tracking on (16384 pages)
! pgenc run: error: LAUNCH_START (policy 0x10000): Input/output error (firmware: POLICY_FAILURE: the guest policy does not allow the command)
[exit 1]

$ pgenc run --demo --sev --policy 0x4
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: demo guest at 0x100000
  pgenc run: VM: 64 MiB, 1 vCPU(s), SEV guest, page tracking on (16384 pages)
! pgenc run: error: LAUNCH_START (policy 0x4): Input/output error (firmware: INVALID_ASID: the ASID is invalid)
[exit 1]

$ pgenc run --demo --sev --trace-hypercalls
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: demo guest at 0x100000
  pgenc run: VM: 64 MiB, 1 vCPU(s), SEV guest, page tracking on (16384 pages), hypercall 12 exits traced
  pgenc run: LAUNCH_START: handle 7, policy 0x0, firmware API 0.24 build 1
  pgenc run: LAUNCH_UPDATE_DATA: 8192 bytes at 0x200000 measured and now private
  pgenc run: LAUNCH_MEASURE: measurement+mnonce (base64): @MEASUREMENT@
  pgenc run: LAUNCH_FINISH: guest state RUNNING
  [guest] pgenc demo guest: 1 vCPU(s), 64 MiB, SEV (sevsim)
  [guest] measured data: 8192 bytes at 0x200000, private (loaded before launch)
  pgenc run: vCPU 0: hypercall 12 gpa 0x202000 npages 2 a2 0x0 -> shared; bitmap: 2/2 shared
  [guest] hypercall 12 gpa=0x202000 npages=2 a2=0x00 -> 0 ok: 2 pages right after the measured data shared (a2=0x00)
  pgenc run: vCPU 0: hypercall 12 gpa 0x400000 npages 16 a2 0x0 -> shared; bitmap: 16/16 shared
  [guest] hypercall 12 gpa=0x400000 npages=16 a2=0x00 -> 0 ok: bounce buffer shared (a2=0x00: shared)
  pgenc run: vCPU 0: hypercall 12 gpa 0x404000 npages 4 a2 0x10 -> encrypted; bitmap: 0/4 shared
  [guest] hypercall 12 gpa=0x404000 npages=4 a2=0x10 -> 0 ok: 4 of them private again (a2=0x10: upstream encrypted, 4K hint)
  pgenc run: vCPU 0: hypercall 12 gpa 0x800000 npages 512 a2 0x0 -> shared; bitmap: 512/512 shared
  [guest] hypercall 12 gpa=0x800000 npages=512 a2=0x00 -> 0 ok: 2 MiB ring area shared (a2=0x00)
  pgenc run: vCPU 0: hypercall 12 gpa 0x900000 npages 256 a2 0x11 -> encrypted; bitmap: 0/256 shared
  [guest] hypercall 12 gpa=0x900000 npages=256 a2=0x11 -> 0 ok: its upper 1 MiB private again (a2=0x11: upstream encrypted, 2M hint)
  pgenc run: vCPU 0: hypercall 12 gpa 0x1000000 npages 3 a2 0x0 -> shared; bitmap: 3/3 shared
  [guest] hypercall 12 gpa=0x1000000 npages=3 a2=0x00 -> 0 ok: 3 pages at 16 MiB shared (seed a2=0)
  pgenc run: vCPU 0: hypercall 12 gpa 0x1001000 npages 1 a2 0x1 -> encrypted; bitmap: 0/1 shared
  [guest] hypercall 12 gpa=0x1001000 npages=1 a2=0x01 -> 0 ok: the middle one private again (seed a2=1)
  [guest] hypercall 12 gpa=0x400000 npages=1 a2=0x20 -> -22 ok: reserved bit 5 in a2: must be refused
  [guest] hypercall 12 gpa=0x4000000 npages=1 a2=0x00 -> -22 ok: past the end of memory: must be refused
  [guest] wrote the known text into the 272 pages left shared
  [guest] MSR_KVM_MIGRATION_CONTROL = 1: page status reports complete
  [guest] done, halting
  pgenc run: vCPU 0 halted (HLT at rip 0x100007)
  pgenc run: exit: guest halted
[exit 0]

$ pgenc run --demo --vcpus 2 --mem 48M --ctl /tmp/pgenc.sock
  [guest 0] MSR_KVM_MIGRATION_CONTROL = 1: page status reports complete
  [guest 0] done, halting
  [guest 0] hypercall 12 gpa=0x1000000 npages=3 a2=0x00 -> 0 ok: 3 pages at 16 MiB shared (seed a2=0)
  [guest 0] hypercall 12 gpa=0x1001000 npages=1 a2=0x01 -> 0 ok: the middle one private again (seed a2=1)
  [guest 0] hypercall 12 gpa=0x202000 npages=2 a2=0x00 -> 0 ok: 2 pages right after the measured data shared (a2=0x00)
  [guest 0] hypercall 12 gpa=0x3000000 npages=1 a2=0x00 -> -22 ok: past the end of memory: must be refused
  [guest 0] hypercall 12 gpa=0x400000 npages=1 a2=0x20 -> -22 ok: reserved bit 5 in a2: must be refused
  [guest 0] hypercall 12 gpa=0x400000 npages=16 a2=0x00 -> 0 ok: bounce buffer shared (a2=0x00: shared)
  [guest 0] hypercall 12 gpa=0x404000 npages=4 a2=0x10 -> 0 ok: 4 of them private again (a2=0x10: upstream encrypted, 4K hint)
  [guest 0] hypercall 12 gpa=0x800000 npages=512 a2=0x00 -> 0 ok: 2 MiB ring area shared (a2=0x00)
  [guest 0] hypercall 12 gpa=0x900000 npages=256 a2=0x11 -> 0 ok: its upper 1 MiB private again (a2=0x11: upstream encrypted, 2M hint)
  [guest 0] pgenc demo guest: 2 vCPU(s), 48 MiB, not SEV
  [guest 0] wrote the known text into the 272 pages left shared
  [guest 1] vCPU 1: per-CPU page 0x301000 shared and filled: 0
  pgenc run: VM: 48 MiB, 2 vCPU(s), plain guest, page tracking on (12288 pages)
  pgenc run: control socket: /tmp/pgenc.sock
  pgenc run: demo guest at 0x100000
  pgenc run: exit: guest halted
  pgenc run: vCPU 0 halted (HLT at rip 0x100007)
  pgenc run: vCPU 1 halted (HLT at rip 0x100007)
[exit 0]

$ pgenc ctl /tmp/pgenc.sock wait
  guest halted
[exit 0]

$ pgenc ctl /tmp/pgenc.sock stats
  state:               halted
  sev:                 no
  memory:              48 MiB, 2 vCPU(s)
  tracked pages:       12288
  shared pages:        273
  encrypted pages:     12015
  hypercalls:          8 applied, 2 refused
  migration control:   1 (guest: page status reports complete)
  DBG firmware cmds:   0
  DBG bypassed pages:  0
[exit 0]

$ pgenc ctl /tmp/pgenc.sock export --format ranges
  0x0000-0x0201 encrypted
  0x0202-0x0203 shared
  0x0204-0x0300 encrypted
  0x0301-0x0301 shared
  0x0302-0x03ff encrypted
  0x0400-0x0403 shared
  0x0404-0x0407 encrypted
  0x0408-0x040f shared
  0x0410-0x07ff encrypted
  0x0800-0x08ff shared
  0x0900-0x0fff encrypted
  0x1000-0x1000 shared
  0x1001-0x1001 encrypted
  0x1002-0x1002 shared
  0x1003-0x2fff encrypted
[exit 0]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x300000 --len 0x2000 -o /tmp/out/percpu.bin
  dumped 8192 bytes, gpa 0x300000-0x301fff (2 pages), by a plain read (not an SEV guest: no firmware)
[exit 0]

$ pgenc dump --socket /tmp/pgenc.sock --gpa 0x500000 --len 0x1000
  00500000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
  *
  00501000
! dumped 4096 bytes, gpa 0x500000-0x500fff (1 pages), by a plain read (not an SEV guest: no firmware)
[exit 0]

$ pgenc run --image /elf_guest --mem 8M
  pgenc run: image /elf_guest: ELF, entry 0x200000
  pgenc run: VM: 8 MiB, 1 vCPU(s), plain guest, page tracking on (2048 pages)
  [guest] elf guest: code at 2 MiB, data at 3 MiB
  pgenc run: vCPU 0 halted (HLT at rip 0x200011)
  pgenc run: exit: guest halted
[exit 0]

$ pgenc run --image /flat.bin@0x180000 --mem 4M
  pgenc run: image /flat.bin: flat, 93 bytes at 0x180000, entry 0x180000
  pgenc run: VM: 4 MiB, 1 vCPU(s), plain guest, page tracking on (1024 pages)
  [guest] flat image at 0x180000
  pgenc run: vCPU 0 halted (HLT at rip 0x18005d)
  pgenc run: exit: guest halted
[exit 0]

$ pgenc run --image /flat_off.bin --entry 0x100003 --mem 4M
  pgenc run: image /flat_off.bin: flat, 72 bytes at 0x100000, entry 0x100003
  pgenc run: VM: 4 MiB, 1 vCPU(s), plain guest, page tracking on (1024 pages)
  [guest] entry 3 bytes in
  pgenc run: vCPU 0 halted (HLT at rip 0x100048)
  pgenc run: exit: guest halted
[exit 0]

$ pgenc run --image /ud2.bin --mem 4M
  pgenc run: image /ud2.bin: flat, 2 bytes at 0x100000, entry 0x100000
  pgenc run: VM: 4 MiB, 1 vCPU(s), plain guest, page tracking on (1024 pages)
  pgenc run: exit: guest shutdown
! pgenc run: error: vCPU 0: SHUTDOWN (triple fault: an exception the guest could not handle)
[exit 1]

$ pgenc run --image /flat.bin@0x1000 --mem 4M
! pgenc run: error: /flat.bin: 0x1000 is below 1 MiB (the VMM's area): load at 0x100000 or above
[exit 1]

$ pgenc run --image /flat.bin@0x3fffff --mem 4M
! pgenc run: error: /flat.bin: [0x3fffff, +0x5d): outside guest memory
[exit 1]

$ pgenc run --image /nonexistent.bin
! pgenc run: error: --image /nonexistent.bin: No such file or directory
[exit 1]

$ pgenc run --image /elf_guest@0x100000
! pgenc run: error: /elf_guest: an ELF file loads at its own addresses; drop @GPA
[exit 1]

$ pgenc run --image /flat.bin --sev --sev-data /ud2.bin@0x300000 --verify --tik-file /sys/kernel/debug/sevsim/%h/tik --mem 8M
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: image /flat.bin: flat, 93 bytes at 0x100000, entry 0x100000
  pgenc run: VM: 8 MiB, 1 vCPU(s), SEV guest, page tracking on (2048 pages)
  pgenc run: LAUNCH_START: handle 8, policy 0x0, firmware API 0.24 build 1
  pgenc run: LAUNCH_UPDATE_DATA: 4096 bytes at 0x300000 measured and now private
  pgenc run: LAUNCH_MEASURE: measurement+mnonce (base64): @MEASUREMENT@
  pgenc run: measurement verified: HMAC-SHA256(TIK from /sys/kernel/debug/sevsim/8/tik) over the launch digest matches
  pgenc run: LAUNCH_FINISH: guest state RUNNING
  [guest] flat image at 0x180000
  pgenc run: vCPU 0 halted (HLT at rip 0x10005d)
  pgenc run: exit: guest halted
[exit 0]

$ pgenc run --image /elf_guest --sev --mem 8M
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: image /elf_guest: ELF, entry 0x200000
  pgenc run: VM: 8 MiB, 1 vCPU(s), SEV guest, page tracking on (2048 pages)
  pgenc run: LAUNCH_START: handle 9, policy 0x0, firmware API 0.24 build 1
  pgenc run: LAUNCH_MEASURE: measurement+mnonce (base64): @MEASUREMENT@
  pgenc run: LAUNCH_FINISH: guest state RUNNING
  [guest] elf guest: code at 2 MiB, data at 3 MiB
  pgenc run: vCPU 0 halted (HLT at rip 0x200011)
  pgenc run: exit: guest halted
[exit 0]

$ pgenc run --demo --sev --vcpus 2
  [guest 0] MSR_KVM_MIGRATION_CONTROL = 1: page status reports complete
  [guest 0] done, halting
  [guest 0] hypercall 12 gpa=0x1000000 npages=3 a2=0x00 -> 0 ok: 3 pages at 16 MiB shared (seed a2=0)
  [guest 0] hypercall 12 gpa=0x1001000 npages=1 a2=0x01 -> 0 ok: the middle one private again (seed a2=1)
  [guest 0] hypercall 12 gpa=0x202000 npages=2 a2=0x00 -> 0 ok: 2 pages right after the measured data shared (a2=0x00)
  [guest 0] hypercall 12 gpa=0x400000 npages=1 a2=0x20 -> -22 ok: reserved bit 5 in a2: must be refused
  [guest 0] hypercall 12 gpa=0x400000 npages=16 a2=0x00 -> 0 ok: bounce buffer shared (a2=0x00: shared)
  [guest 0] hypercall 12 gpa=0x4000000 npages=1 a2=0x00 -> -22 ok: past the end of memory: must be refused
  [guest 0] hypercall 12 gpa=0x404000 npages=4 a2=0x10 -> 0 ok: 4 of them private again (a2=0x10: upstream encrypted, 4K hint)
  [guest 0] hypercall 12 gpa=0x800000 npages=512 a2=0x00 -> 0 ok: 2 MiB ring area shared (a2=0x00)
  [guest 0] hypercall 12 gpa=0x900000 npages=256 a2=0x11 -> 0 ok: its upper 1 MiB private again (a2=0x11: upstream encrypted, 2M hint)
  [guest 0] measured data: 8192 bytes at 0x200000, private (loaded before launch)
  [guest 0] pgenc demo guest: 2 vCPU(s), 64 MiB, SEV (sevsim)
  [guest 0] wrote the known text into the 272 pages left shared
  [guest 1] vCPU 1: per-CPU page 0x301000 shared and filled: 0
  pgenc run: LAUNCH_FINISH: guest state RUNNING
  pgenc run: LAUNCH_MEASURE: measurement+mnonce (base64): @MEASUREMENT@
  pgenc run: LAUNCH_START: handle 10, policy 0x0, firmware API 0.24 build 1
  pgenc run: LAUNCH_UPDATE_DATA: 8192 bytes at 0x200000 measured and now private
  pgenc run: SEV via /dev/sevsim: sevsim, the SIMULATED firmware: guest memory is NOT encrypted
  pgenc run: VM: 64 MiB, 2 vCPU(s), SEV guest, page tracking on (16384 pages)
  pgenc run: demo guest at 0x100000
  pgenc run: exit: guest halted
  pgenc run: vCPU 0 halted (HLT at rip 0x100007)
  pgenc run: vCPU 1 halted (HLT at rip 0x100007)
[exit 0]

$ pgenc run --image /spin.bin --mem 4M --vcpus 2 --ctl /tmp/pgenc.sock
  pgenc run: VM: 4 MiB, 2 vCPU(s), plain guest, page tracking on (1024 pages)
  pgenc run: control socket: /tmp/pgenc.sock
  pgenc run: exit: guest stopped
  pgenc run: image /spin.bin: flat, 2 bytes at 0x100000, entry 0x100000
[exit 0]

$ pgenc ctl /tmp/pgenc.sock wait --timeout 1
! pgenc ctl: /tmp/pgenc.sock: the VM refused: the guest still runs after 1000 ms (Connection timed out)
[exit 1]

$ pgenc ctl /tmp/pgenc.sock stats
  state:               running
  sev:                 no
  memory:              4 MiB, 2 vCPU(s)
  tracked pages:       1024
  shared pages:        0
  encrypted pages:     1024
  hypercalls:          0 applied, 0 refused
  migration control:   0
  DBG firmware cmds:   0
  DBG bypassed pages:  0
[exit 0]

$ pgenc ctl /tmp/pgenc.sock quit
  quit: the VMM is stopping
[exit 0]

$ pgenc run --image /spin.bin --mem 4M
  pgenc run: image /spin.bin: flat, 2 bytes at 0x100000, entry 0x100000
  pgenc run: VM: 4 MiB, 1 vCPU(s), plain guest, page tracking on (1024 pages)
  pgenc run: Terminated received: stopped (guest stopped)
[exit 1]

$ pgenc run --demo --ctl /tmp/notasock
  pgenc run: demo guest at 0x100000
  pgenc run: VM: 64 MiB, 1 vCPU(s), plain guest, page tracking on (16384 pages)
! pgenc run: error: --ctl /tmp/notasock: exists and is not a socket
[exit 1]
