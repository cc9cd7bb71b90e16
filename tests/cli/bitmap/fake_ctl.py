#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A stand-in for the control socket of `pgenc run --ctl SOCK`, enough to
test the client side of `pgenc bitmap export|import --socket` on the
host: the commands version, stats, export (format raw), import and quit,
framed
as JSON lines, as tools/pgenc/ctl_proto.h describes them. The VM's
bitmap lives in memory; it starts from a ranges file.

Usage: fake_ctl.py SOCK RANGES_FILE [--garbage] [--proto N] [--log FILE]
  --garbage   answer every request with a line that is not JSON
  --proto N   the protocol version that "version" reports (default 1)
  --log FILE  append each request's "cmd" and arguments (not data)
Stops on "quit", or after 60 s without a connection.
"""
import base64
import json
import os
import socket
import struct
import sys


def load_ranges(text):
    """(start_gfn, num_pages, bits as an int, bit i = page start + i)."""
    val = n = 0
    start = None
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        span, state = line.split()
        first, last = (int(x, 16) for x in span.split("-"))
        if start is None:
            start = first
        cnt = last - first + 1
        if state == "encrypted":
            val |= ((1 << cnt) - 1) << n
        n += cnt
    return start, n, val


def parse_raw(data):
    if data[:8] != b"PGENCBM\0":
        raise ValueError("bad magic")
    _ver, _hsz, start, n = struct.unpack("<IIQQ", data[8:32])
    body = data[32:]
    if len(body) != (n + 7) // 8:
        raise ValueError("bad length")
    return start, n, int.from_bytes(body, "little") & ((1 << n) - 1)


def to_raw(start, n, val):
    return (b"PGENCBM\0" + struct.pack("<IIQQ", 1, 32, start, n) +
            val.to_bytes((n + 7) // 8, "little"))


def shared(n, val):
    return n - bin(val).count("1")


def main():
    args = sys.argv[1:]
    garbage = "--garbage" in args
    log = None
    if "--log" in args:
        log = args[args.index("--log") + 1]
        del args[args.index("--log"):args.index("--log") + 2]
    proto = 1
    if "--proto" in args:
        proto = int(args[args.index("--proto") + 1])
        del args[args.index("--proto"):args.index("--proto") + 2]
    args = [a for a in args if a != "--garbage"]
    path, ranges = args
    with open(ranges) as f:
        start0, tracked, bits = load_ranges(f.read())
    assert start0 == 0, "the VM's memory starts at gfn 0"

    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    # Listening before the name appears: a client that sees it connects.
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path + ".new")
    os.chmod(path + ".new", 0o600)
    srv.listen(4)
    os.rename(path + ".new", path)
    srv.settimeout(60)
    while True:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            break
        f = conn.makefile("rwb")
        quit_ = False
        for line in f:
            if garbage:
                f.write(b"this is not json\n")
                f.flush()
                continue
            req = json.loads(line)
            if log:
                with open(log, "a") as lf:
                    lf.write(json.dumps({k: v for k, v in req.items() if k != "data"},
                                        sort_keys=True) + "\n")
            cmd = req.get("cmd")
            if cmd == "version":
                resp = {"ok": True, "proto": proto, "pgenc": "fake"}
            elif cmd == "stats":
                resp = {"ok": True, "tracked_pages": tracked,
                        "shared_pages": shared(tracked, bits)}
            elif cmd == "export":
                s = req.get("start_gfn", 0)
                n = req.get("num_pages", tracked - s)
                if req.get("format", "json") != "raw":
                    resp = {"ok": False, "error": "fake: raw only", "errno": 22}
                elif n < 1 or s + n > tracked:
                    resp = {"ok": False, "error": "outside guest memory", "errno": 34}
                else:
                    part = (bits >> s) & ((1 << n) - 1)
                    resp = {"ok": True, "format": "raw", "start_gfn": s, "num_pages": n,
                            "shared_pages": shared(n, part),
                            "data": base64.b64encode(to_raw(s, n, part)).decode()}
            elif cmd == "import":
                data = base64.b64decode(req["data"], validate=True)
                if data[:8] == b"PGENCBM\0":
                    s, n, nb = parse_raw(data)
                    fmt = "raw"
                else:
                    s, n, nb = load_ranges(data.decode())
                    fmt = "ranges"
                if s + n > tracked:
                    resp = {"ok": False, "error": "outside tracked memory", "errno": 22}
                else:
                    mask = ((1 << n) - 1) << s
                    bits = (bits & ~mask) | (nb << s)
                    resp = {"ok": True, "format": fmt, "start_gfn": s,
                            "num_pages": n, "shared_pages": shared(n, nb)}
            elif cmd == "quit":
                resp = {"ok": True}
                quit_ = True
            else:
                resp = {"ok": False, "error": "unknown command", "errno": 38}
            f.write((json.dumps(resp) + "\n").encode())
            f.flush()
            if quit_:
                break
        f.close()
        conn.close()
        if quit_:
            break
    srv.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
