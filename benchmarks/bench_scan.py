"""Benchmark of `cnmm scan` on ../shared/bench (not a test): ratios to plain YAML loading and
to checkov, and peak memory, measured in one run. Usage:

    python benchmarks/bench_scan.py [BENCH_DIR] [--checkov PATH_TO_CHECKOV]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BENCH = ROOT / ".." / "shared" / "bench"
DEFAULT_CHECKOV = Path.home() / ".cache" / "cnmm-bench" / "checkov" / "bin" / "checkov"


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


def timed(command: list[str]) -> tuple[float, int, int]:
    """Wall seconds, exit code and peak RSS (MB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, done.returncode, max(peak, before) // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bench", nargs="?", default=str(DEFAULT_BENCH))
    parser.add_argument("--checkov", default=str(DEFAULT_CHECKOV))
    args = parser.parse_args()
    bench = Path(args.bench).resolve()
    load, count = yaml_load_seconds(bench)
    scan_cmd = [sys.executable, "-m", "cnmm", "scan", str(bench), "--format", "json"]
    scan, code, peak = timed(scan_cmd)
    print(f"files: {count}")
    print(f"yaml.load_all (CSafeLoader): {load:.2f} s")
    print(f"cnmm scan: {scan:.2f} s (exit {code}), peak RSS {peak} MB (children max)")
    print(f"ratio (a) cnmm / yaml load: {scan / load:.2f} (target <= 2.0)")
    if Path(args.checkov).exists():
        checkov_cmd = [args.checkov, "-d", str(bench), "--framework", "kubernetes",
                       "--skip-download", "--quiet", "--compact", "-o", "json"]  # fmt: skip
        checkov, _code, _peak = timed(checkov_cmd)
        print(f"checkov: {checkov:.2f} s")
        print(f"ratio (b) cnmm / checkov: {scan / checkov:.3f} (target <= 0.05)")
    else:
        print(f"checkov not found at {args.checkov}: ratio (b) not measured")


if __name__ == "__main__":
    main()
