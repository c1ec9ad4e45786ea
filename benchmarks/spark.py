"""The usage-log check on local Spark against the Polars readers, on this machine.

    .venv/bin/python benchmarks/spark.py [--rows 2000000 20000000] [--runs 3] [--cores 2]

For each size, writes the benchmark's usage events (benchmarks/data.py) as one Parquet file in a
temporary folder, builds the bench_usage_events package, then times in one process, median of
--runs after one warm-up: a plain Polars read (the baseline every ratio is against), the
generated `read_parquet` and `scan_parquet` (check only), a plain Spark pass over every column,
and `read_spark` (check only). Spark's session start is timed once and reported apart: it is the
fixed cost a short job pays and a long-running cluster does not.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import data  # noqa: E402


def timed(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up: JIT, caches, the file in the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[2_000_000, 20_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()

    from contractgen.build import build

    scratch = Path(tempfile.mkdtemp(prefix="contractgen-spark-bench-"))
    result = build(HERE / "contracts", scratch / "generated")
    assert result.ok, [d.render() for d in result.diagnostics]
    sys.path.insert(0, str(scratch / "generated" / "bench_usage_events"))
    import bench_usage_events as usage
    from bench_usage_events import spark as usage_spark
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    start = time.perf_counter()
    spark = (
        SparkSession.builder.master(f"local[{args.cores}]")
        .config("spark.sql.shuffle.partitions", str(args.cores * 2))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.range(1).count()
    session_start = time.perf_counter() - start

    sizes = " ".join(map(str, args.rows))
    print(f"command: .venv/bin/python benchmarks/spark.py --rows {sizes} --runs {args.runs}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores visible, Spark local[{args.cores}]; "
        f"Python {platform.python_version()}, polars {pl.__version__}, "
        f"pyspark {importlib.metadata.version('pyspark')}, {java_version()}"
    )
    print(f"Spark session start (JVM, first job), once: {session_start:.1f} s\n")
    for rows in args.rows:
        folder = scratch / f"usage-{rows}"
        data.write_usage(folder, rows, max(rows // 10, 1), chunk=rows)
        path = str(next(folder.glob("*.parquet")))
        columns = list(usage.SCHEMA.names())

        def spark_pass(path: str = path, columns: list[str] = columns) -> object:
            return spark.read.parquet(path).agg(*(F.count(c) for c in columns)).first()

        cases: list[tuple[str, Callable[[], object]]] = [
            ("plain `pl.read_parquet` (no checks): the baseline", partial(pl.read_parquet, path)),
            ("contractgen `read_parquet`", partial(usage.read_parquet, path)),
            ("contractgen `scan_parquet`, check only", partial(usage.scan_parquet, path)),
            ("plain Spark pass over every column (no checks)", spark_pass),
            ("contractgen `read_spark`, check only", partial(usage_spark.read_spark, spark, path)),
        ]
        results = [(name, timed(fn, args.runs)) for name, fn in cases]
        base = results[0][1]
        print(f"### Usage events, {rows:,} rows, Parquet\n")
        print("| case | median time | vs plain Polars read | rows/s |\n|---|---|---|---|")
        for name, seconds in results:
            print(f"| {name} | {seconds:.3f} s | {seconds / base:.2f}x | {rows / seconds / 1e6:.1f} M |")
        print()
    spark.stop()


def java_version() -> str:
    import subprocess

    found = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False).stderr
    return found.splitlines()[0].replace('"', "") if found else "java unknown"


if __name__ == "__main__":
    main()
