"""Checked loads against unchecked ones: the generated readers, plain Polars, and other libraries.

    .venv/bin/python benchmarks/readers.py [--customers 2000000] [--usage 20000000] [--runs 5]
                                           [--big 150000000] [--scaling]

Writes deterministic data to benchmarks/scratch/ (kept between runs), builds the packages of
benchmarks/contracts/ there, and first shows which validators catch each planted violation. Then
every case runs in its own process, cases alternating, median of --runs: wall time, ratio to the
plain read of the same file, peak RSS of that process, rows per second. pandera, patito and
dataframely are compared when installed (pip install pandera patito dataframely). --big N also
streams N usage rows (150000000 is the brief's usage-log size) and reports the peak memory.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SCRATCH = HERE / "scratch"

import data  # noqa: E402
import others  # noqa: E402


def packages(scratch: Path) -> None:
    generated = scratch / "generated"
    for folder in sorted(generated.iterdir()) if generated.exists() else ():
        if folder.is_dir() and str(folder) not in sys.path:
            sys.path.insert(0, str(folder))


# -- the cases, each run in a child process --------------------------------------------------


def case(name: str, scratch: Path) -> int:
    """Run one case; return the number of rows it loaded and checked."""
    packages(scratch)
    customers = scratch / "customers.parquet"
    if name == "plain-parquet":
        return pl.read_parquet(customers).height
    if name == "contractgen-parquet":
        import bench_customers

        return bench_customers.read_parquet(customers).height
    if name in others.LIBRARIES:
        return others.LIBRARIES[name](pl.read_parquet(customers)).height
    if name == "plain-csv":
        import bench_customers

        typed = {k: (pl.String() if isinstance(v, pl.Enum) else v) for k, v in bench_customers.SCHEMA.items()}
        return pl.read_csv(scratch / "customers.csv", schema=typed).height
    if name == "contractgen-csv":
        import bench_customers

        return bench_customers.read_csv(scratch / "customers.csv").height
    if name == "pydantic-rows":
        import bench_customers
        from pydantic import TypeAdapter

        rows = pl.read_parquet(customers).head(100_000).to_dicts()
        start = time.perf_counter()
        TypeAdapter(list[bench_customers.BenchCustomers]).validate_python(rows)
        return int(len(rows) / (time.perf_counter() - start))  # rows per second, extrapolated below
    usage = scratch / "usage"
    if name == "plain-usage":
        return pl.read_parquet(usage / "*.parquet").height
    if name == "contractgen-usage":
        import bench_usage_events

        return bench_usage_events.read_parquet(str(usage / "*.parquet")).height
    if name == "contractgen-scan-usage":
        import bench_usage_events

        bench_usage_events.scan_parquet(str(usage / "*.parquet"))  # schema now; values streamed
        return pl.scan_parquet(usage / "*.parquet").select(pl.len()).collect().item()
    if name == "contractgen-scan-big":
        import bench_usage_events

        bench_usage_events.scan_parquet(str(scratch / "big" / "*.parquet"))
        return pl.scan_parquet(scratch / "big" / "*.parquet").select(pl.len()).collect().item()
    if name.startswith("scaling-"):
        import bench_usage_events

        files = [str(p) for p in sorted((scratch / name).glob("*.parquet"))]
        for path in files:  # the same check, file by file, so that any row count can be streamed
            bench_usage_events.scan_parquet(path)
        return pl.scan_parquet(files).select(pl.len()).collect().item()
    raise SystemExit(f"unknown case {name}")


def child(name: str, scratch: Path) -> None:
    start = time.perf_counter()
    rows = case(name, scratch)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": rows, "rss": peak_rss()}))


def peak_rss() -> int:
    """This process's peak resident memory. (ru_maxrss would carry the parent's peak over exec.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run(name: str, scratch: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, "--scratch", str(scratch)], capture_output=True, text=True
    )
    if done.returncode != 0:
        return {
            "error": 1,
            "message": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed",
        }  # type: ignore[dict-item]
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- correctness first -----------------------------------------------------------------------


def planted() -> dict[str, pl.DataFrame]:
    """One small clean frame per planted violation."""
    clean = data.customers(1000, seed=9)
    first = clean["customer_id"][0]
    return {
        "null in a required column": clean.with_columns(
            pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("region")).alias("region")
        ),
        "value outside the enum": clean.with_columns(
            pl.when(pl.int_range(pl.len()) == 5)
            .then(pl.lit("Weekly"))
            .otherwise(pl.col("contract_type"))
            .alias("contract_type")
        ),
        "duplicate key": clean.with_columns(
            pl.when(pl.int_range(pl.len()) == 7)
            .then(pl.lit(first))
            .otherwise(pl.col("customer_id"))
            .alias("customer_id")
        ),
        "out of range": clean.with_columns(
            pl.when(pl.int_range(pl.len()) == 9)
            .then(-1)
            .otherwise(pl.col("tenure_months"))
            .cast(pl.Int32)
            .alias("tenure_months")
        ),
        "malformed key": clean.with_columns(
            pl.when(pl.int_range(pl.len()) == 11)
            .then(pl.lit("not-a-uuid"))
            .otherwise(pl.col("customer_id"))
            .alias("customer_id")
        ),
        "float where an integer belongs": clean.with_columns(
            (pl.col("tenure_months") + 0.5).alias("tenure_months")
        ),
    }


def validators() -> dict[str, Callable[[pl.DataFrame], object]]:
    import bench_customers

    out: dict[str, Callable[[pl.DataFrame], object]] = {"contractgen": bench_customers.validate}
    for name, check in others.LIBRARIES.items():
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        out[name] = check
    return out


def catches() -> dict[str, dict[str, bool]]:
    table: dict[str, dict[str, bool]] = {}
    for name, check in validators().items():
        table[name] = {}
        for violation, frame in planted().items():
            try:
                check(frame)
                table[name][violation] = False
            except Exception:
                table[name][violation] = True
    return table


# -- the run ---------------------------------------------------------------------------------


def prepare(scratch: Path, customers_n: int, usage_n: int, big: int) -> None:
    scratch.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).parent / "contractgen"
    subprocess.run(
        [str(exe), "build", str(HERE / "contracts"), "--out", str(scratch / "generated")],
        check=True,
        capture_output=True,
    )
    stamp = scratch / "sizes.json"
    sizes = {"customers": customers_n, "usage": usage_n}
    if not stamp.exists() or json.loads(stamp.read_text()) != sizes:
        frame = data.customers(customers_n)
        frame.write_parquet(scratch / "customers.parquet")
        frame.write_csv(scratch / "customers.csv")
        shutil.rmtree(scratch / "usage", ignore_errors=True)
        data.write_usage(scratch / "usage", usage_n, customers_n)
        stamp.write_text(json.dumps(sizes))
    if big and not (scratch / "big" / "rows.txt").exists():
        shutil.rmtree(scratch / "big", ignore_errors=True)
        data.write_usage(scratch / "big", big, customers_n)
        (scratch / "big" / "rows.txt").write_text(str(big))


def measure(names: list[str], scratch: Path, runs: int) -> dict[str, list[dict[str, float]]]:
    results: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    for _ in range(runs):
        for name in names:  # alternating, so that drift hits every case alike
            results[name].append(run(name, scratch))
    return results


def median(samples: list[dict[str, float]], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def table(results: dict[str, list[dict[str, float]]], baseline: str, labels: dict[str, str]) -> list[str]:
    lines = ["| case | median time | vs plain read | peak RSS | rows/s |", "|---|---|---|---|---|"]
    base = median(results[baseline], "seconds")
    for name, samples in results.items():
        if any("error" in s for s in samples):
            lines.append(f"| {labels[name]} | not run: {samples[0].get('message')} | | | |")
            continue
        seconds, rows = median(samples, "seconds"), median(samples, "rows")
        rss, rate = median(samples, "rss") / 2**20, rows / seconds / 1e6
        ratio = seconds / base
        lines.append(f"| {labels[name]} | {seconds:.3f} s | {ratio:.2f}x | {rss:.0f} MiB | {rate:.1f} M |")
    return lines


def to_models_ratio(scratch: Path, rows: int = 200_000) -> tuple[float, float]:
    packages(scratch)
    import bench_customers
    from pydantic import TypeAdapter

    frame = bench_customers.read_parquet(scratch / "customers.parquet").head(rows)
    start = time.perf_counter()
    ours = bench_customers.to_models(frame)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    dicts = frame.to_dicts()
    theirs = TypeAdapter(list[bench_customers.BenchCustomers]).validate_python(dicts)
    theirs_s = time.perf_counter() - start
    assert ours == theirs, "to_models must build exactly what validation builds"
    return ours_s, theirs_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=2_000_000)
    parser.add_argument("--usage", type=int, default=20_000_000)
    parser.add_argument("--big", type=int, default=0)
    parser.add_argument("--scaling", action="store_true", help="streaming check over 1M, 10M and 100M rows")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scratch", type=Path, default=SCRATCH)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.scratch)
        return
    prepare(args.scratch, args.customers, args.usage, args.big)
    packages(args.scratch)
    versions = ", ".join(
        f"{p} {importlib.metadata.version(p)}"
        for p in ("polars", "pydantic", "pandera", "patito", "dataframely")
        if _installed(p)
    )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"# Reader benchmarks ({machine})")
    print(f"command: {' '.join(sys.argv)}; {versions}; median of {args.runs} runs, each in its own process\n")
    print("## Caught planted violations (small frames, before any timing)\n")
    caught = catches()
    kinds = list(next(iter(caught.values())))
    print("| validator | " + " | ".join(kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for name, row in caught.items():
        print(f"| {name} | " + " | ".join("caught" if row[k] else "**missed**" for k in kinds) + " |")
    libraries = [n for n in others.LIBRARIES if n in caught]
    labels = {
        "plain-parquet": "plain `pl.read_parquet` (no checks)",
        "contractgen-parquet": "contractgen `read_parquet`",
        "pandera": "pandera (read, then validate)",
        "patito": "patito (read, then validate)",
        "dataframely": "dataframely (read, then validate)",
        "plain-csv": "plain typed `pl.read_csv` (no checks)",
        "contractgen-csv": "contractgen `read_csv`",
        "plain-usage": "plain `pl.read_parquet` (no checks)",
        "contractgen-usage": "contractgen `read_parquet`",
        "contractgen-scan-usage": "contractgen `scan_parquet`, streaming check only",
        "contractgen-scan-big": "contractgen `scan_parquet`, streaming check only",
    }
    print(f"\n## Customers, {args.customers:,} rows, Parquet\n")
    print(
        "\n".join(
            table(
                measure(["plain-parquet", "contractgen-parquet", *libraries], args.scratch, args.runs),
                "plain-parquet",
                labels,
            )
        )
    )
    pydantic_rate = median(measure(["pydantic-rows"], args.scratch, 1)["pydantic-rows"], "rows")
    print(
        f"| Pydantic row by row (`TypeAdapter`, 100,000-row slice) | {args.customers / pydantic_rate:.1f} s "
        f"(extrapolated) | | | {pydantic_rate / 1e6:.2f} M |"
    )
    print(f"\n## Customers, {args.customers:,} rows, CSV\n")
    print(
        "\n".join(
            table(measure(["plain-csv", "contractgen-csv"], args.scratch, args.runs), "plain-csv", labels)
        )
    )
    print(f"\n## Usage events, {args.usage:,} rows, Parquet\n")
    usage = measure(["plain-usage", "contractgen-usage", "contractgen-scan-usage"], args.scratch, args.runs)
    print("\n".join(table(usage, "plain-usage", labels)))
    if args.scaling:
        print("\n## Streaming check time by rows\n")
        print("| rows | time | rows/s | peak RSS |")
        print("|---|---|---|---|")
        for rows in (1_000_000, 10_000_000, 100_000_000):
            folder = args.scratch / f"scaling-{rows}"
            if not (folder / "rows.txt").exists():
                shutil.rmtree(folder, ignore_errors=True)
                data.write_usage(folder, rows, args.customers)
                (folder / "rows.txt").write_text(str(rows))
            result = run(folder.name, args.scratch)
            print(
                f"| {rows:,} | {result['seconds']:.2f} s | {rows / result['seconds'] / 1e6:.1f} M | "
                f"{result['rss'] / 2**20:.0f} MiB |"
            )
    if args.big:
        big = measure(["contractgen-scan-big"], args.scratch, 1)["contractgen-scan-big"][0]
        print(f"\n## Usage events, {args.big:,} rows, streaming check\n")
        print(f"{big['seconds']:.1f} s, peak RSS {big['rss'] / 2**20:.0f} MiB")
    ours, theirs = to_models_ratio(args.scratch)
    print("\n## Rows as model instances, 200,000 rows of a checked frame\n")
    print(
        f"contractgen `to_models` {ours:.3f} s; `to_dicts` + `TypeAdapter(list[Model]).validate_python` "
        f"{theirs:.3f} s: {theirs / ours:.1f}x faster, equal instances"
    )


def _installed(name: str) -> bool:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    main()
