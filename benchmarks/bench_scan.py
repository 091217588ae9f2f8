"""Benchmark of `cnmm scan` on ../shared/bench (not a test): ratios to plain YAML loading and
to checkov, and peak memory, all measured in one run. Usage:

    python benchmarks/bench_scan.py [BENCH_DIR] [--checkov PATH_TO_CHECKOV] [--repeat N]

Each scanner runs as a child process (`os.wait4` gives its peak RSS: the largest process of
its tree, so a worker of cnmm's process pool counts if it is the largest). `cnmm scan` runs
twice, as a user runs it (Kustomize and Helm rendered) and with `--no-render` (plain files
only, which is what checkov's `--framework kubernetes` reads). With `--repeat N` every
measure is taken N times, interleaved, and the medians are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BENCH = ROOT / ".." / "shared" / "bench"
DEFAULT_CHECKOV = Path("/tmp/checkov-venv/bin/checkov")


def yaml_load_seconds(bench: Path) -> tuple[float, int]:
    """Time to merely load every YAML/JSON file with yaml.load_all(CSafeLoader)."""
    files = [p for p in sorted(bench.rglob("*")) if p.is_file()
             and p.suffix in (".yaml", ".yml", ".json")]  # fmt: skip
    started = time.perf_counter()
    for path in files:
        try:
            for _doc in yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader):
                pass
        except yaml.YAMLError:
            pass
    return time.perf_counter() - started, len(files)


def timed(command: list[str]) -> dict[str, Any]:
    """Wall seconds, exit code and peak RSS (MB) of a child process (and its descendants)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "exit_code": os.waitstatus_to_exitcode(status),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
    }


def main() -> None:
    """Run every measure, print a table and a JSON report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("bench", nargs="?", default=str(DEFAULT_BENCH))
    parser.add_argument("--checkov", default=str(DEFAULT_CHECKOV))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    bench = Path(args.bench).resolve()
    scan = [sys.executable, "-m", "cnmm", "scan", str(bench), "--format", "json"]
    checkov = [args.checkov, "-d", str(bench), "--framework", "kubernetes",
               "--skip-download", "--quiet", "--compact", "-o", "json"]  # fmt: skip
    has_checkov = Path(args.checkov).exists()
    runs: dict[str, list[dict[str, Any]]] = {"yaml": [], "scan": [], "no_render": [], "checkov": []}
    load_before = os.getloadavg()
    for _ in range(args.repeat):
        load, count = yaml_load_seconds(bench)
        runs["yaml"].append({"seconds": round(load, 2)})
        runs["scan"].append(timed(scan))
        runs["no_render"].append(timed([*scan, "--no-render"]))
        if has_checkov:
            runs["checkov"].append(timed(checkov))

    def median(name: str, key: str = "seconds") -> float:
        return statistics.median(r[key] for r in runs[name]) if runs[name] else float("nan")

    report = {
        "files": count,
        "cores": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "runs": runs,
        "yaml_load_s": median("yaml"),
        "scan_s": median("scan"),
        "scan_no_render_s": median("no_render"),
        "checkov_s": median("checkov"),
        "scan_peak_rss_mb": max(r["peak_rss_mb"] for r in runs["scan"]),
        "ratio_a": round(median("scan") / median("yaml"), 3),
        "ratio_a_no_render": round(median("no_render") / median("yaml"), 3),
    }
    if has_checkov:
        report["ratio_b"] = round(median("scan") / median("checkov"), 3)
        report["ratio_b_no_render"] = round(median("no_render") / median("checkov"), 3)
        report["checkov_peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs["checkov"])
    print(f"files: {count}; load average before {report['load_average_before']}")
    print(f"yaml.load_all (CSafeLoader): {report['yaml_load_s']:.2f} s")
    print(f"cnmm scan: {report['scan_s']:.2f} s, peak RSS {report['scan_peak_rss_mb']} MB")
    print(f"cnmm scan --no-render: {report['scan_no_render_s']:.2f} s")
    print(f"(a) cnmm / yaml load: {report['ratio_a']} (target <= 2.0); "
          f"--no-render: {report['ratio_a_no_render']}")  # fmt: skip
    if has_checkov:
        print(f"checkov: {report['checkov_s']:.2f} s")
        print(f"(b) cnmm / checkov: {report['ratio_b']} (target <= 0.05); "
              f"--no-render: {report['ratio_b_no_render']}")  # fmt: skip
    else:
        print(f"checkov not found at {args.checkov}: ratio (b) not measured")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
