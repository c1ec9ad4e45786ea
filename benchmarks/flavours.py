"""What each model flavour costs: at build time, and at load time (checked rows → row objects).

    .venv/bin/python benchmarks/flavours.py [--rows 200000]

Build: each flavour is built five times, each time into an empty folder in a new process (so
imports count, as they do in pre-commit); the median wall time is printed. pydantic is our own
templates; the others add datamodel-code-generator writing records.py from the row's JSON Schema.

Load: the benchmark's customers contract is built with each flavour, and a fresh process turns
one checked frame of `--rows` rows into row objects the way a user of that flavour would, median
of three, against `frame.to_dicts()` alone in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).parent / "contractgen"
RUNS = 5


def once(flavour: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        contracts = shutil.copytree(ROOT / "contracts", Path(tmp) / "contracts")
        start = time.perf_counter()
        subprocess.run(
            [str(EXE), "build", str(contracts), "--out", str(Path(tmp) / "out"), "--models", flavour],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start


FLAVOURS = ("pydantic", "dataclass", "typeddict", "msgspec")
# How a user of each flavour gets typed rows from a frame the readers have checked.
TO_ROWS = {
    "pydantic": "bench_customers.to_models(frame)",
    "dataclass": "[records.from_row(r) for r in frame.to_dicts()]",
    "typeddict": "_t.cast(list[records.BenchCustomers], frame.to_dicts())",
    "msgspec": "msgspec.convert(frame.to_dicts(), list[records.BenchCustomers])",
}
LOAD = """
import json, statistics, sys, time
import typing as _t
import polars as pl
import bench_customers
from bench_customers import records
{extra}
frame = bench_customers.validate(pl.read_parquet(sys.argv[1]))
def timed(make):
    times = []
    for _ in range(3):
        start = time.perf_counter()
        rows = make()
        times.append(time.perf_counter() - start)
        assert len(rows) == frame.height
    return statistics.median(times)
print(json.dumps([timed(lambda: frame.to_dicts()), timed(lambda: {expr})]))
"""


def load(flavour: str, rows: int, tmp: Path) -> tuple[float, float]:
    """(seconds for `frame.to_dicts()`, seconds for the flavour's rows) in one fresh process."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.data import customers

    data = tmp / "customers.parquet"
    if not data.exists():
        customers(rows).write_parquet(data)
    out = tmp / flavour
    subprocess.run(
        [str(EXE), "build", str(ROOT / "benchmarks" / "contracts"), "--out", str(out), "--models", flavour],
        check=True,
        capture_output=True,
    )
    code = LOAD.format(extra="import msgspec" if flavour == "msgspec" else "", expr=TO_ROWS[flavour])
    if flavour == "pydantic":  # no records.py: the models are the package's own
        code = code.replace("from bench_customers import records\n", "")
    env = {**os.environ, "PYTHONPATH": str(out / "bench_customers")}
    done = subprocess.run(
        [sys.executable, "-c", code, str(data)], check=True, capture_output=True, text=True, env=env
    )
    plain, typed = json.loads(done.stdout)
    return plain, typed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    rows = parser.parse_args().rows
    base = None
    print("build: four contracts, fresh process, median of five")
    for flavour in FLAVOURS:
        median = statistics.median(once(flavour) for _ in range(RUNS))
        base = base or median
        print(f"{flavour:10} {median:6.2f} s  ({median / base:4.1f}x)")
    print(f"load: {rows} checked rows to row objects, median of three")
    with tempfile.TemporaryDirectory() as tmp:
        for flavour in FLAVOURS:
            plain, typed = load(flavour, rows, Path(tmp))
            print(f"{flavour:10} {typed:6.3f} s  (to_dicts alone {plain:6.3f} s, {typed / plain:5.2f}x)")


if __name__ == "__main__":
    main()
