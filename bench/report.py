#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Decode the benchmark's output into one table, JSON and a plot.

    bench/report.py RAW.jsonl OUTDIR [--host HOST.json] [--no-plot]

RAW.jsonl holds the JSON objects of the PGENC-BENCH lines the VM printed
(bench/bench.h). This script pairs series into figures, takes medians,
min and max, computes each ratio from the medians of the same run and
judges the targets; it prints one markdown table on stdout and writes
OUTDIR/results.json, OUTDIR/plot/*.dat and, with gnuplot,
OUTDIR/bench.png. The upstream xarray footprint is modelled here (see
xa_nodes() and Documentation/benchmarks.rst).
"""
import json
import math
import os
import shutil
import statistics
import subprocess
import sys

PAGE = 4096
GIB = 1 << 30
XA_NODE_BYTES = 576  # sizeof(struct xa_node), 6.1 and 6.12 x86_64
XA_SLOTS = 64
SIZES = [("1GiB", 1 << 30), ("64GiB", 64 << 30), ("1TiB", 1 << 40)]
FOOTPRINT_SLACK = 16 << 10  # "plus a constant": pgenc_vm, debugfs, noise


def load(path):
    series, info = {}, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if "samples" in rec:
                series[rec["name"]] = rec
            elif rec["name"] == "part":
                info.setdefault("parts", []).append(rec["info"])
            else:
                info[rec["name"]] = rec["info"]
    return series, info


def stats(rec):
    v = rec["samples"]
    return {"median": statistics.median(v), "min": min(v), "max": max(v),
            "n": len(v), "unit": rec["unit"]}


# --------------------------------------------------------------- xarray
def shared_ranges(pages):
    """The 60 shared ranges of the model, as (first gfn, pages).

    One 64 MiB range (a swiotlb bounce buffer, below 4 GiB) and 59 small
    ones (1 to 16 pages: GHCBs, kvmclock, rings) spread over the guest,
    never touching each other: about what a Linux SEV guest reports."""
    sw_first = min(pages, 1 << 20) // 2
    sw = (sw_first, 16384)
    small, k = [], 0
    sizes = [1, 1, 2, 4, 8, 16, 1, 3]
    while len(small) < 59:
        k += 1
        first = k * (pages // 64) + 37
        n = sizes[k % len(sizes)]
        if first + n >= pages:
            raise ValueError("guest too small for the range model")
        if first + n + 1 <= sw[0] or first > sw[0] + sw[1]:
            small.append((first, n))
    return sorted(small + [sw])


def xa_nodes(pages, shared):
    """Nodes of an xarray holding one entry per private gfn of [0, pages).

    An xa_node has 64 slots; a node at level l (leaves: l = 1) covers
    64**l indices and exists iff one of them holds an entry; the tree is
    as tall as the highest index needs (the last page is private here).
    A block of 64**l indices has no node only if a shared range covers
    it entirely (the ranges never touch, so no block is covered by two)."""
    height = 1
    while XA_SLOTS ** height < pages:
        height += 1
    total = 0
    for level in range(1, height + 1):
        block = XA_SLOTS ** level
        blocks = -(-pages // block)
        covered = sum(max(0, (s + n) // block - (-(-s // block)))
                      for s, n in shared)
        total += blocks - covered
    return total


# --------------------------------------------------------------- figures
class Table:
    def __init__(self):
        self.rows = []

    def add(self, group, figure, ours, base_name, base, ratio, target,
            met, unit, note="", extra=None):
        self.rows.append({
            "group": group, "figure": figure, "ours": ours,
            "baseline_name": base_name, "baseline": base, "ratio": ratio,
            "target": target, "met": met, "unit": unit, "note": note,
            **(extra or {})})


def judge(ratio, target):
    if target is None or ratio is None:
        return None
    op, val = target
    return ratio <= val if op == "<=" else ratio >= val


def fmt_num(x):
    if x is None:
        return "-"
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 1e6:
        return "%.3g" % x
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    if a >= 1:
        return "%.2f" % x
    return "%.3g" % x


def fmt_bytes(b):
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(b) >= div:
            return "%.4g %s" % (b / div, unit)
    return "%d B" % b


def build(series, info):
    t = Table()

    def s(name):
        if name not in series:
            raise KeyError("series %s missing from the run" % name)
        return stats(series[name])

    def pair(group, figure, ours_n, base_n, base_label, kind, target,
             note=""):
        o, b = s(ours_n), s(base_n)
        if kind == "cost":  # ours / baseline (the target says which way)
            ratio = o["median"] / b["median"]
        else:  # "faster": baseline / ours, how many times ours is faster
            ratio = b["median"] / o["median"]
        t.add(group, figure, o, base_label, b, ratio,
              None if target is None else "%s %s" % target,
              judge(ratio, target), o["unit"], note,
              {"ours_series": ours_n, "baseline_series": base_n,
               "ratio_kind": kind})

    # 1. Hypercall ------------------------------------------------------
    g = "hypercall"
    # (b)/(a): information only; TCG inflates the world switch, not the
    # userspace return (Documentation/benchmarks.rst, "Read this first: what the numbers mean").
    info_ba = "information: under TCG the exit dominates both"
    pair(g, "(a) in-kernel, 1 page, vs (c) null; ratio a/c", "hc.kernel.np1",
         "hc.null", "(c) null hypercall", "cost", ("<=", 1.05))
    pair(g, "(a) in-kernel vs (b) exit to userspace, 1 page; ratio b/a",
         "hc.kernel.np1", "hc.uexit.np1", "(b) KVM_EXIT_HYPERCALL",
         "faster", None, info_ba)
    for np in (512, 262144):
        pair(g, "(a) vs (c), %d pages per call; ratio a/c" % np,
             "hc.kernel.np%d" % np, "hc.null", "(c) null hypercall", "cost",
             None, "growth: the fill is O(npages)")
        pair(g, "(a) vs (b), %d pages per call; ratio b/a" % np,
             "hc.kernel.np%d" % np, "hc.uexit.np%d" % np,
             "(b) KVM_EXIT_HYPERCALL", "faster", None, info_ba)
    pair(g, "boot-like storm, 20,000 one-page calls: (a) vs (c); ratio a/c",
         "storm.kernel", "storm.null", "(c) null hypercall", "cost",
         ("<=", 1.05))
    pair(g, "boot-like storm, 20,000 one-page calls: (a) vs (b); ratio b/a",
         "storm.kernel", "storm.uexit", "(b) KVM_EXIT_HYPERCALL", "faster",
         None, info_ba)
    pair(g, "null hypercall in a tracked vs an untracked VM; ratio",
         "hc.null", "hc.null.untracked", "untracked VM", "cost", None,
         "tracking costs other hypercalls nothing")

    # 5. Concurrency (growth with callers) --------------------------------
    g = "concurrency"
    pair(g, "2 vCPUs of one VM calling at once: throughput x of 1 vCPU, "
         "(a) vs (c); ratio a/c", "conc.kernel.scale_vcpu",
         "conc.null.scale_vcpu", "(c) null, same VM", "cost",
         (">=", 0.8), "2 = perfect, 1 = serialised")
    pair(g, "2 VMs calling at once: throughput x of 1 VM, (a) vs (c); "
         "ratio a/c", "conc.kernel.scale_vm", "conc.null.scale_vm",
         "(c) null, same VMs", "cost", (">=", 0.8),
         "unrelated VMs must not serialise")

    # 2. GET/SET throughput -----------------------------------------------
    g = "GET/SET"
    for size, _ in SIZES:
        mc = "getset.%s.memcpy" % size
        for op in ("get", "set"):
            for st in (0, 1, 3):
                target = None
                if size == "1TiB":
                    target = (">=", 0.5) if st == 0 else (">=", 0.25)
                pair(g, "%s %s start_gfn %d vs memcpy of the same bytes; "
                     "throughput ratio" % (op.upper(), size, st),
                     "getset.%s.%s.s%d" % (size, op, st), mc,
                     "glibc memcpy", "faster", target)
    for op in ("get", "set"):
        for st in (1, 3):
            pair(g, "%s 1TiB start_gfn %d vs start_gfn 0; throughput ratio"
                 % (op.upper(), st), "getset.1TiB.%s.s%d" % (op, st),
                 "getset.1TiB.%s.s0" % op, "aligned (start_gfn 0)", "faster",
                 (">=", 0.8), "a shifted copy vs a plain one")
    for kind in ("copy_to_user", "copy_from_user"):
        pair(g, "reference: the kernel's %s alone (tmpfs %s) vs memcpy, "
             "1TiB bytes; throughput ratio" %
             (kind, "read" if kind == "copy_to_user" else "write"),
             "getset.1TiB.%s" % kind, "getset.1TiB.memcpy", "glibc memcpy",
             "faster", None, "the emulated CPU's rep movsb: a ceiling")

    # 3. Footprint -----------------------------------------------------------
    g = "footprint"
    slab = info.get("xa.slab", {})
    model = {}
    for size, gbytes in SIZES:
        name = "footprint.%s.charged" % size
        if name not in series:
            continue
        o = s(name)
        pages = gbytes // PAGE
        dense = xa_nodes(pages, [])
        ranges = shared_ranges(pages)
        sixty = xa_nodes(pages, ranges)
        meta = series[name]["meta"]
        model[size] = {
            "pages": pages, "bitmap_expected": pages // 8,
            "bitmap_bytes_stat": meta.get("bitmap_bytes"),
            "xa_nodes_dense": dense, "xa_nodes_60": sixty,
            "xa_bytes_dense": dense * XA_NODE_BYTES,
            "xa_bytes_60": sixty * XA_NODE_BYTES,
            "shared_pages_60": sum(n for _, n in ranges)}
        if slab.get("objperslab"):
            eff = slab["pagesperslab"] * PAGE / slab["objperslab"]
            model[size]["xa_slab_bytes_per_node"] = eff
            model[size]["xa_slab_bytes_dense"] = dense * eff
        limit = pages // 8 + FOOTPRINT_SLACK
        ok = pages // 8 - PAGE <= o["median"] <= limit
        for label, xb in (("dense (every page private)", dense),
                          ("60 shared ranges", sixty)):
            b = {"median": xb * XA_NODE_BYTES, "min": xb * XA_NODE_BYTES,
                 "max": xb * XA_NODE_BYTES, "n": 0, "unit": "bytes"}
            t.add(g, "%s: memcg charge of tracking vs upstream per-gfn "
                  "xarray (modelled), %s; ratio ours/xarray" % (size, label),
                  o, "xarray " + label, b, o["median"] / b["median"],
                  "<= %s (1 bit/page + 16 KiB)" % fmt_bytes(limit), ok,
                  "bytes", "bitmap_bytes %s" % meta.get("bitmap_bytes"),
                  {"ours_series": name, "model": model[size]})
    if "1TiB" in model and "64GiB" in model:
        big, mid = s("footprint.1TiB.charged"), s("footprint.64GiB.charged")
        dp = model["1TiB"]["pages"] - model["64GiB"]["pages"]
        slope = 8 * (big["median"] - mid["median"]) / dp
        const = big["median"] - model["1TiB"]["pages"] / 8
        t.add(g, "growth: bits charged per added page, 64GiB -> 1TiB; and "
              "the constant at 1TiB (%d B)" % const,
              {"median": slope, "min": slope, "max": slope, "n": 1,
               "unit": "bits/page"}, "1 bit per page", {
                  "median": 1.0, "min": 1.0, "max": 1.0, "n": 0,
                  "unit": "bits/page"}, slope, "1.00 +- 0.01",
              abs(slope - 1.0) <= 0.01, "bits/page")

    # A sparse layout: RAM at the bottom, a small slot at 2^46. Its charge
    # must follow RAM (pages / 8 + a constant per slot), not the highest
    # gfn, which a bitmap up to it would cost (the reference).
    name = "footprint.1GiB+2^46.charged"
    if name in series:
        o = s(name)
        meta = series[name]["meta"]
        pages = meta["pages"]
        top = meta["top_gpa"] // PAGE
        dense = {"median": top / 8, "min": top / 8, "max": top / 8, "n": 0,
                 "unit": "bytes"}
        limit = pages // 8 + FOOTPRINT_SLACK
        t.add(g, "1GiB RAM + a 64 KiB slot at 2^46: memcg charge of "
              "tracking vs a bitmap up to the highest gfn; ratio",
              o, "bitmap to the top gfn", dense, o["median"] / dense["median"],
              "<= %s (RAM pages/8 + 16 KiB)" % fmt_bytes(limit),
              pages // 8 - PAGE <= o["median"] <= limit, "bytes",
              "bitmap_bytes %s" % meta.get("bitmap_bytes"),
              {"ours_series": name})

    # 4. Dump ------------------------------------------------------------
    g = "dump"

    def per_mib(name):
        rec = series[name]
        mib = rec["meta"]["bytes"] / (1 << 20)
        v = [x / mib for x in rec["samples"]]
        return {"median": statistics.median(v), "min": min(v), "max": max(v),
                "n": len(v), "unit": "ms/MiB"}, rec["meta"]

    def dump_row(figure, ours_n, base_n, base_label, kind, target, note=""):
        o, om = per_mib(ours_n)
        b, _ = per_mib(base_n)
        ratio = (o["median"] / b["median"] if kind == "cost"
                 else b["median"] / o["median"])
        t.add(g, figure, o, base_label, b, ratio,
              None if target is None else "%s %s" % target,
              judge(ratio, target), "ms/MiB",
              note or "fw cmds/page %.4g, bypassed/page %.4g" % (
                  om.get("fw_cmds_per_page", 0),
                  om.get("bypassed_per_page", 0)),
              {"ours_series": ours_n, "baseline_series": base_n,
               "fw_cmds_per_page": om.get("fw_cmds_per_page"),
               "bypassed_per_page": om.get("bypassed_per_page")})

    def count_row(figure, name, key, target):
        v = series[name]["meta"][key]
        c = {"median": v, "min": v, "max": v, "n": 1, "unit": "cmds/page"}
        t.add(g, figure, c, "-", None, None, "%s %s" % target,
              judge(v, target), "cmds/page", "", {"ours_series": name})

    if "dump.shared" in series:
        dump_row("shared pages through the bypass vs memcpy; throughput "
                 "ratio", "dump.shared", "dump.memcpy", "glibc memcpy",
                 "faster", (">=", 0.5))
        count_row("shared pages through the bypass: firmware commands per "
                  "page", "dump.shared", "fw_cmds_per_page", ("<=", 0))
        dump_row("private pages through sevsim vs memcpy; throughput ratio",
                 "dump.private", "dump.memcpy.private", "glibc memcpy",
                 "faster", None)
        count_row("private pages: firmware commands per page",
                  "dump.private", "fw_cmds_per_page", ("<=", 1))
        dump_row("shared pages, bypass disabled vs enabled; ratio "
                 "off/on (the bypass's speed-up)", "dump.nobypass",
                 "dump.shared", "bypass on", "cost", None)
        count_row("bypass disabled: firmware commands per page",
                  "dump.nobypass", "fw_cmds_per_page", ("<=", 1))
        dump_row("8-byte reads (QEMU's old pattern), private, vs page-sized "
                 "dump; ratio", "dump.read8.private", "dump.private",
                 "page-sized DBG_DECRYPT", "cost", None)
        dump_row("8-byte reads, shared (bypass), vs page-sized dump; ratio",
                 "dump.read8.shared", "dump.shared", "page-sized, bypass",
                 "cost", None)
    if "dump.shared.page.slots" in series:
        dump_row("shared pages, page-sized calls, with %d more memslots vs "
                 "without; ratio (the memslot lookup per step)" %
                 series["dump.shared.page.slots"]["meta"].get("slots", 0),
                 "dump.shared.page.slots", "dump.shared.page",
                 "the VM's few memslots", "cost", None)

    # 5. Growth with size ------------------------------------------------
    g = "growth"

    def growth(figure, ours_a, ours_b, base_a, base_b, note):
        oa, ob, ba, bb = s(ours_a), s(ours_b), s(base_a), s(base_b)
        og, bg = ob["median"] / oa["median"], bb["median"] / ba["median"]
        t.add(g, figure, {"median": og, "min": og, "max": og, "n": 1,
                          "unit": "x"}, "baseline's own growth",
              {"median": bg, "min": bg, "max": bg, "n": 1, "unit": "x"},
              og / bg, None, None, "x", note)

    for op, st in (("get", 0), ("get", 1), ("set", 0), ("set", 1)):
        growth("%s start %d, 1GiB -> 1TiB (1024x bytes): time x; vs "
               "memcpy's" % (op.upper(), st),
               "getset.1GiB.%s.s%d" % (op, st),
               "getset.1TiB.%s.s%d" % (op, st), "getset.1GiB.memcpy",
               "getset.1TiB.memcpy", "linear = 1024")
    growth("hypercall (a), npages 1 -> 262144: time per call x; vs (b)'s",
           "hc.kernel.np1", "hc.kernel.np262144", "hc.uexit.np1",
           "hc.uexit.np262144", "")
    migration(t, series)
    return t, model


# Bytes a private page costs in the stream beyond its 4096 bytes: the
# record header (16), the FW record's GPA and lengths (16) and the SEV
# API's packet header (52: FLAGS, IV, MAC); Documentation/migration.rst.
MIG_REC_FRAMING = 32
SEV_PACKET_HEADER = 52
MIG_ONCE_MAX = 16 << 10


def migration(t, series):
    """8. Migration: bitmap vs --no-bitmap, and pre-copy convergence."""
    g = "migration"
    if "mig.bitmap.total_ms" not in series:
        return
    bm, nb = series["mig.bitmap.total_ms"], series["mig.nobitmap.total_ms"]

    def med(rec, key, per=None):
        v = rec["meta"][key]
        if per:
            v = [x / y for x, y in zip(v, rec["meta"][per])]
        return {"median": statistics.median(v), "min": min(v), "max": max(v),
                "n": len(v), "unit": key}

    def per_gib(rec):
        m = rec["meta"]
        v = [c / (b / GIB) for c, b in zip(m["fw_commands"], m["mem_bytes"])]
        return {"median": statistics.median(v), "min": min(v), "max": max(v),
                "n": len(v), "unit": "cmds/GiB"}

    o, b = per_gib(bm), per_gib(nb)
    t.add(g, "firmware commands per GiB migrated, bitmap vs --no-bitmap; "
          "ratio", o, "--no-bitmap (every page through the firmware)", b,
          o["median"] / b["median"], None, None, "cmds/GiB",
          "the guest: %d private, %d shared pages" % (
              bm["meta"]["encrypted_pages"][0], bm["meta"]["shared_pages"][0]),
          {"ours_series": "mig.bitmap.total_ms",
           "baseline_series": "mig.nobitmap.total_ms"})
    o, b = med(bm, "stream_bytes"), med(nb, "stream_bytes")
    t.add(g, "stream bytes, bitmap vs --no-bitmap; ratio", o, "--no-bitmap",
          b, o["median"] / b["median"], None, None, "bytes", "")
    o, b = stats(bm), stats(nb)
    t.add(g, "total time, bitmap vs --no-bitmap (sevsim); ratio "
          "--no-bitmap/bitmap", o, "--no-bitmap", b,
          b["median"] / o["median"], None, None, "ms",
          "sevsim's crypto is not the PSP's: real firmware is far slower "
          "per page, so on hardware the gain is larger; this ratio is a "
          "lower bound of it")

    def count(figure, v, target, unit, note=""):
        c = {"median": v, "min": v, "max": v, "n": 1, "unit": unit}
        t.add(g, figure, c, "-", None, None, "%s %s" % target,
              judge(v, target), unit, note)

    m = bm["meta"]
    # The guest is held while it migrates: every page goes once, its
    # private ones through the firmware, and the few dirtied meanwhile
    # (page tables' accessed bits, the stack) once more. Firmware pages
    # beyond the private ones and those sent again were shared ones.
    count("firmware commands for shared pages (bitmap): firmware pages - "
          "private pages - pages sent twice, worst run",
          max(f - e - (f + p + z - b // PAGE) for f, e, p, z, b in
              zip(m["pages_fw"], m["encrypted_pages"], m["pages_plain"],
                  m["pages_zero"], m["mem_bytes"])),
          ("<=", 0), "pages")
    count("firmware commands - private pages sent, worst absolute "
          "difference, both modes", max(abs(c - f) for r in (bm, nb) for c, f in
                            zip(r["meta"]["fw_commands"],
                                r["meta"]["pages_fw"])), ("<=", 0), "cmds")
    n = nb["meta"]
    over = max((sb - PAGE * (f + p)) / f for sb, f, p in
               zip(n["stream_bytes"], n["pages_fw"], n["pages_plain"]))
    # The one-time records (header, DESC, SESSION, BITMAP, VCPU, END)
    # stay under MIG_ONCE_MAX bytes: spread over the pages, not per page.
    limit = MIG_REC_FRAMING + SEV_PACKET_HEADER + MIG_ONCE_MAX / min(
        n["pages_fw"])
    count("stream overhead per private page (--no-bitmap: all through the "
          "firmware), bytes beyond the page", over, ("<=", round(limit, 2)),
          "B", "the packet header (%d) and the record's framing (%d), plus "
          "the one-time records (< %d KiB) spread over the pages" % (
              SEV_PACKET_HEADER, MIG_REC_FRAMING, MIG_ONCE_MAX >> 10))
    for name in sorted(k for k in series if k.startswith("mig.converge.r")):
        rec = series[name]
        rate = name.split(".")[2][1:]
        st = stats(rec)
        t.add(g, "pre-copy iterations, guest dirtying <= %s + 32 pages a "
              "round (live, bitmap, at most 5)" % rate, st, "-", None, None,
              None, None, "iterations",
              "downtime: %s pages in the final pass, %s ms (medians)" % (
                  fmt_num(statistics.median(rec["meta"]["final_pass_pages"])),
                  fmt_num(statistics.median(rec["meta"]["downtime_ms"]))),
              {"ours_series": name})


def markdown(t):
    out = ["| figure | ours median [min-max] | baseline median | ratio | "
           "target | met |", "|---|---|---|---|---|---|"]
    group = None
    for r in t.rows:
        if r["group"] != group:
            group = r["group"]
            out.append("| **%s** | | | | | |" % group)
        o, b = r["ours"], r["baseline"]
        unit = r["unit"]
        if unit == "bytes":
            ours = "%s [%s-%s]" % (fmt_bytes(o["median"]), fmt_bytes(o["min"]),
                                  fmt_bytes(o["max"]))
            base = "%s (%s)" % (fmt_bytes(b["median"]), r["baseline_name"])
        else:
            ours = "%s [%s-%s] %s" % (fmt_num(o["median"]), fmt_num(o["min"]),
                                      fmt_num(o["max"]), unit)
            if o["min"] == o["max"]:
                ours = "%s %s" % (fmt_num(o["median"]), unit)
            base = "-" if b is None else "%s %s (%s)" % (
                fmt_num(b["median"]), b.get("unit", unit),
                r["baseline_name"])
        met = {True: "met", False: "**MISSED**", None: "info"}[r["met"]]
        fig = r["figure"] + (" - " + r["note"] if r["note"] else "")
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            fig, ours, base, fmt_num(r["ratio"]), r["target"] or "-", met))
    return "\n".join(out)


def plot(series, outdir):
    pdir = os.path.join(outdir, "plot")
    os.makedirs(pdir, exist_ok=True)

    def st(name):
        return stats(series[name]) if name in series else None

    with open(os.path.join(pdir, "getset.dat"), "w") as f:
        f.write("# guest_GiB then median min max (ms) of: memcpy get.s0 "
                "get.s1 set.s0 set.s1 copy_to_user\n")
        for size, gbytes in SIZES:
            cols = [gbytes / (1 << 30)]
            for op in ("memcpy", "get.s0", "get.s1", "set.s0", "set.s1",
                       "copy_to_user"):
                x = st("getset.%s.%s" % (size, op))
                cols += [x["median"], x["min"], x["max"]] if x else [0, 0, 0]
            f.write(" ".join("%.6g" % c for c in cols) + "\n")
    with open(os.path.join(pdir, "hypercall.dat"), "w") as f:
        f.write("# npages then median min max (us/call) of: kernel uexit "
                "null\n")
        null = st("hc.null")
        for np in (1, 512, 262144):
            k, u = st("hc.kernel.np%d" % np), st("hc.uexit.np%d" % np)
            cols = [np, k["median"], k["min"], k["max"], u["median"],
                    u["min"], u["max"], null["median"], null["min"],
                    null["max"]]
            f.write(" ".join("%.6g" % c for c in cols) + "\n")
    gp = os.path.join(pdir, "bench.gp")
    png = os.path.join(outdir, "bench.png")
    with open(gp, "w") as f:
        f.write("""set terminal pngcairo size 1200,520 font ",10"
set output "%(png)s"
set termoption noenhanced
set multiplot layout 1,2 title "pgenc benchmarks (nested KVM under QEMU TCG: only ratios carry over)"
set logscale xy
set grid
set key top left
set title "KVM_GET/SET_PAGE_ENC_BITMAP of all tracked memory"
set xlabel "guest size (GiB, sparse)"
set ylabel "ms per call (median, min-max)"
set xrange [0.7:1500]
set xtics ("1" 1, "64" 64, "1024" 1024)
plot "%(d)s/getset.dat" u 1:2:3:4 w yerrorlines t "memcpy (glibc), same bytes", \\
     "" u 1:5:6:7 w yerrorlines t "GET start 0", \\
     "" u 1:8:9:10 w yerrorlines t "GET start 1", \\
     "" u 1:11:12:13 w yerrorlines t "SET start 0", \\
     "" u 1:14:15:16 w yerrorlines t "SET start 1", \\
     "" u 1:17:18:19 w yerrorlines dt 2 t "copy_to_user alone (reference)"
set title "hypercall 12, cost per call"
set xlabel "pages per call"
set ylabel "us per call (median, min-max)"
set logscale y
set xrange [0.7:400000]
set xtics ("1" 1, "512" 512, "262144" 262144)
plot "%(d)s/hypercall.dat" u 1:2:3:4 w yerrorlines t "(a) in-kernel (pgenc)", \\
     "" u 1:5:6:7 w yerrorlines t "(b) exit to userspace", \\
     "" u 1:8:9:10 w yerrorlines t "(c) null hypercall"
unset multiplot
""" % {"png": png, "d": pdir})
    if not shutil.which("gnuplot"):
        return None
    r = subprocess.run(["gnuplot", gp], capture_output=True, text=True)
    if r.returncode:
        sys.stderr.write(r.stderr)
        return None
    return png


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw")
    ap.add_argument("outdir")
    ap.add_argument("--host", help="the host's description (JSON)")
    ap.add_argument("--no-plot", action="store_true")
    a = ap.parse_args(argv[1:])
    raw, outdir = a.raw, a.outdir
    host = {}
    if a.host:
        with open(a.host) as f:
            host = json.load(f)
    series, info = load(raw)
    t, model = build(series, info)
    os.makedirs(outdir, exist_ok=True)
    png = None if a.no_plot else plot(series, outdir)
    table = markdown(t)
    profiles = {k[len("profile."):]: v for k, v in info.items()
                if k.startswith("profile.")}
    result = {
        "host": host, "vm": info.get("vm", {}), "run": info.get("run", {}),
        "parts": info.get("parts", []),
        "figures": t.rows, "footprint_model": model, "profiles": profiles,
        "series": {k: dict(stats(v), samples=v["samples"], meta=v["meta"])
                   for k, v in series.items()},
        "checks": {k: v for k, v in info.items()
                   if k in ("hc.check", "xa.slab")},
        "plot": png, "table_markdown": table,
    }
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(table)
    missed = [r for r in t.rows if r["met"] is False]
    vm = info.get("vm", {})
    print()
    print("Machine: host %s (%s CPUs, %s), VM %s with %s vCPUs under QEMU "
          "TCG, nested KVM guests: only ratios carry over." % (
              host.get("cpu", "?"), host.get("cpus", "?"),
              host.get("qemu", "?"), vm.get("kernel", "?"),
              vm.get("cpus", "?")))
    print("%d figures, %d with a target: %d met, %d MISSED" % (
        len(t.rows), sum(r["met"] is not None for r in t.rows),
        sum(r["met"] is True for r in t.rows), len(missed)))
    if profiles:
        print()
        print("Profiles (share of samples; L2 guest time shows as "
              "'[in the L2 guest]'):")
        for name, p in profiles.items():
            top = ", ".join("%s %.1f%%" % (x["sym"], x["pct"])
                            for x in p["top"][:4])
            print("  %-22s %s" % (name, top))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
