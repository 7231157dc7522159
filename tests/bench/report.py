#!/usr/bin/env python3
"""Turns tests/bench/run's runs.tsv into its one table (stdout, table.md, table.tsv).

usage: report.py RUNS_TSV CONTEXT_TXT OUT_DIR

Per case and target: the median of the rounds (IOPS or MiB/s) with the min-max range, the ratio
Platter/tgt of the medians, the median CPU seconds the target process spent per GiB moved, and
the local-file ceiling; the loopback TCP figure goes below the table.
"""
import csv
import statistics
import sys

DESCRIPTIONS = {
    "r4k-qd1": "4 KiB read QD1",
    "w4k-qd1": "4 KiB write QD1",
    "r4k-qd32": "4 KiB read QD32",
    "w4k-qd32": "4 KiB write QD32",
    "m64k-qd16": "64 KiB 70/30 read/write QD11+5 (2 sessions)",
    "r1m-qd8": "1 MiB seq read QD8",
    "w1m-qd8": "1 MiB seq write QD8",
    "r4k-qd32x4": "4 KiB read QD32 x 4 sessions",
    "r4k-qd32-hd": "4 KiB read QD32, HeaderDigest",
    "w4k-qd32-hd": "4 KiB write QD32, HeaderDigest",
    "r1m-qd8-hd": "1 MiB seq read QD8, HeaderDigest",
    "perf-r4k-qd32": "iscsi-perf 4 KiB rand read QD32",
    "perf-r1m-qd8": "iscsi-perf 1 MiB seq read QD8",
}
UNIT = {"iops": "IOPS", "mibs": "MiB/s"}


def fmt(v, unit):
    if v is None:
        return "–"
    if unit == "iops" and v >= 1000:
        return f"{v / 1000:.1f}k"
    return f"{v:.0f}"


def summarise(rows):
    """(median, min, max, median CPU s/GiB or None) of one case on one target."""
    values = [float(r["value"]) for r in rows]
    cpu = [float(r["cpu_s"]) / (float(r["bytes"]) / 2**30)
           for r in rows if r["cpu_s"] and float(r["bytes"]) > 0]
    return (statistics.median(values), min(values), max(values),
            statistics.median(cpu) if cpu else None)


def main():
    runs, context, out = sys.argv[1:4]
    with open(runs, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    cases, by = [], {}
    for r in rows:
        key = (r["case"], r["target"])
        if r["case"] not in cases and r["target"] in ("platter", "tgt"):
            cases.append(r["case"])
        by.setdefault(key, []).append(r)

    header = ["workload", "unit", "Platter median [min–max]", "tgt median [min–max]",
              "Platter/tgt", "Platter CPU s/GiB", "tgt CPU s/GiB", "file ceiling"]
    table, tsv = [], [["case", "unit", "platter", "platter_min", "platter_max", "tgt", "tgt_min",
                       "tgt_max", "ratio", "platter_cpu_s_per_gib", "tgt_cpu_s_per_gib", "file"]]
    for c in cases:
        p, t, fl = by.get((c, "platter")), by.get((c, "tgt")), by.get((c, "file"))
        unit = (p or t)[0]["unit"]
        ps, ts = (summarise(p) if p else None), (summarise(t) if t else None)
        fs = summarise(fl) if fl else None
        ratio = ps[0] / ts[0] if ps and ts and ts[0] > 0 else None
        cell = lambda s: "–" if s is None else f"{fmt(s[0], unit)} [{fmt(s[1], unit)}–{fmt(s[2], unit)}]"
        cpu = lambda s: "–" if s is None or s[3] is None else f"{s[3]:.2f}"
        table.append([DESCRIPTIONS.get(c, c), UNIT[unit], cell(ps), cell(ts),
                      "–" if ratio is None else f"{ratio:.2f}", cpu(ps), cpu(ts),
                      "–" if fs is None else fmt(fs[0], unit)])
        num = lambda s, i: "" if s is None or s[i] is None else f"{s[i]:.2f}"
        tsv.append([c, unit, num(ps, 0), num(ps, 1), num(ps, 2), num(ts, 0), num(ts, 1), num(ts, 2),
                    "" if ratio is None else f"{ratio:.3f}", num(ps, 3), num(ts, 3), num(fs, 0)])

    widths = [max(len(str(row[i])) for row in [header] + table) for i in range(len(header))]
    line = lambda row: "| " + " | ".join(str(v).ljust(w) for v, w in zip(row, widths)) + " |"
    md = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in table]
    loop = by.get(("loopback-tcp", "loopback"))
    notes = []
    if loop:
        notes.append(f"Loopback TCP ceiling (one python socket stream, 1 MiB sendall): "
                     f"{float(loop[0]['value']):.0f} MiB/s.")
    notes.append("file ceiling = the same qemu-img bench case on a local raw image (page cache, "
                 "-t writeback), no iSCSI. CPU s/GiB = target process utime+stime per GiB moved.")
    with open(context) as f:
        ctx = f.read().rstrip("\n").splitlines()
    text = "\n".join(ctx + [""] + md + [""] + notes) + "\n"
    sys.stdout.write(text)
    with open(f"{out}/table.md", "w") as f:
        f.write(text)
    with open(f"{out}/table.tsv", "w") as f:
        f.write("\n".join("\t".join(r) for r in tsv) + "\n")


if __name__ == "__main__":
    main()
