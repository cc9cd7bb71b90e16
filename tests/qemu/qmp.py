#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A minimal QMP client for tests/qemu/scenario.sh.

    qmp.py SOCKET COMMAND [ARGUMENTS-JSON]

Connects to QEMU's QMP unix socket (waiting up to 60 s for it), leaves
capabilities negotiation, runs COMMAND and prints its "return" value as
one line of JSON (keys sorted). Exit 0 on a return, 1 on a QMP error
(its class and description on stderr), 2 on bad arguments or a broken
connection. Events are skipped.
"""
import json
import socket
import sys
import time


def fail(code, msg):
    print("qmp.py: " + msg, file=sys.stderr)
    sys.exit(code)


def main():
    if len(sys.argv) not in (3, 4):
        fail(2, "usage: qmp.py SOCKET COMMAND [ARGUMENTS-JSON]")
    path, cmd = sys.argv[1], sys.argv[2]
    args = None
    if len(sys.argv) == 4:
        try:
            args = json.loads(sys.argv[3])
        except ValueError as e:
            fail(2, "ARGUMENTS-JSON: %s" % e)
        if not isinstance(args, dict):
            fail(2, "ARGUMENTS-JSON: want an object")

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + 60
    while True:
        try:
            sock.connect(path)
            break
        except OSError as e:
            if time.monotonic() > deadline:
                fail(2, "connect %s: %s" % (path, e))
            time.sleep(0.2)
    f = sock.makefile("rw", encoding="utf-8")

    def reply():
        while True:
            line = f.readline()
            if not line:
                fail(2, "connection closed")
            try:
                msg = json.loads(line)
            except ValueError:
                fail(2, "not JSON: %r" % line)
            if "event" not in msg:
                return msg

    def execute(name, arguments=None):
        req = {"execute": name}
        if arguments is not None:
            req["arguments"] = arguments
        f.write(json.dumps(req) + "\n")
        f.flush()
        return reply()

    if "QMP" not in reply():
        fail(2, "no QMP greeting")
    if "return" not in execute("qmp_capabilities"):
        fail(2, "qmp_capabilities refused")
    r = execute(cmd, args)
    if "error" in r:
        e = r["error"]
        fail(1, "%s: %s" % (e.get("class"), e.get("desc")))
    print(json.dumps(r.get("return"), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
