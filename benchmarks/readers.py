"""Checked loads against unchecked ones: the generated readers, plain Polars, and other libraries.

    .venv/bin/python benchmarks/readers.py [--customers 2000000] [--usage 20000000] [--runs 5]
                                           [--big 150000000] [--scaling]
    .venv/bin/python benchmarks/readers.py --quality [--customers 2000000] [--runs 5]

Writes deterministic data to benchmarks/scratch/ (kept between runs), builds the packages of
benchmarks/contracts/ there, and first shows which validators catch each planted violation. Then
every case runs in its own process, cases alternating, median of --runs: wall time, ratio to the
plain read of the same file, peak RSS of that process, rows per second. pandera, patito and
dataframely are compared when installed (pip install pandera patito dataframely). --big N also
streams N usage rows (150000000 is the brief's usage-log size) and reports the peak memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
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
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:  # the plain cases must not import contractgen (nor Pydantic) at all
    from contractgen.runtime import Table

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


UNPATTERNED = "-without-pattern"


def without_pattern(table: Table) -> Table:
    """The same checks without the key's UUID pattern: where the time of a checked read goes."""
    return dataclasses.replace(
        table, columns=tuple(dataclasses.replace(c, format=None) for c in table.columns)
    )


def with_rules(table: Table) -> Table:
    """The customers table with one quality rule of each kind the readers check."""
    from contractgen.runtime import Rule

    rules = (
        Rule("completeness", columns=("monthly_charges", "tenure_months"), min_ratio=0.99),
        Rule("row_count", min_rows=1_000_000, max_rows=10_000_000),
        Rule("uniqueness", columns=("region", "customer_id")),
        Rule(
            "sql",
            columns=("monthly_charges", "tenure_months"),
            expression='"monthly_charges" * "tenure_months" >= 0',
        ),
        Rule("freshness", columns=("signup_date",), max_age=dt.timedelta(days=36_500), label="100 years"),
    )
    return dataclasses.replace(table, rules=rules)


def setup(name: str, scratch: Path) -> Callable[[], int]:
    """Import what case `name` needs and declare its schema; return the part to time, which
    loads and checks the data and returns the number of rows."""
    packages(scratch)
    if name.endswith(UNPATTERNED):
        return unpatterned(name.removesuffix(UNPATTERNED), scratch)
    customers = scratch / "customers.parquet"
    usage = scratch / "usage" / "*.parquet"
    if name == "plain-parquet":
        return lambda: pl.read_parquet(customers).height
    if name == "contractgen-parquet":
        import bench_customers

        return lambda: bench_customers.read_parquet(customers).height
    if name == "contractgen-parquet-rules":
        import bench_customers

        from contractgen import runtime

        ruled = with_rules(bench_customers.TABLE)
        now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        return lambda: runtime.read_parquet(customers, ruled, whole_table=True, now=now).height
    if name == "pydantic-rows":  # a slice: row by row, the whole table would take minutes
        import bench_customers
        from pydantic import TypeAdapter

        rows = pl.read_parquet(customers).head(100_000).to_dicts()
        adapter = TypeAdapter(list[bench_customers.BenchCustomers])
        return lambda: len(adapter.validate_python(rows))
    if name in others.VALIDATORS:
        check = others.VALIDATORS[name]()
        return lambda: check(pl.read_parquet(customers)).height  # type: ignore[attr-defined]
    if name == "plain-csv":
        import bench_customers

        typed = {k: (pl.String() if isinstance(v, pl.Enum) else v) for k, v in bench_customers.SCHEMA.items()}
        return lambda: pl.read_csv(scratch / "customers.csv", schema=typed).height
    if name == "contractgen-csv":
        import bench_customers

        return lambda: bench_customers.read_csv(scratch / "customers.csv").height
    if name == "plain-usage":
        return lambda: pl.read_parquet(usage).height
    if name == "contractgen-usage":
        import bench_usage_events

        return lambda: bench_usage_events.read_parquet(str(usage)).height
    if name in ("contractgen-scan-usage", "contractgen-scan-big") or name.startswith("scaling-"):
        import bench_usage_events

        folder = scratch / {"contractgen-scan-usage": "usage", "contractgen-scan-big": "big"}.get(name, name)
        files = [str(p) for p in sorted(folder.glob("*.parquet"))]

        def stream() -> int:
            for path in files:  # file by file, so that any row count streams in bounded memory
                bench_usage_events.scan_parquet(path)  # the schema now, every value streamed
            return int(pl.scan_parquet(files).select(pl.len()).collect().item())  # from metadata

        return stream
    raise SystemExit(f"unknown case {name}")


def unpatterned(name: str, scratch: Path) -> Callable[[], int]:
    import bench_customers
    import bench_usage_events

    from contractgen import runtime

    usage = sorted(str(p) for p in (scratch / "usage").glob("*.parquet"))
    customers, events = without_pattern(bench_customers.TABLE), without_pattern(bench_usage_events.TABLE)
    if name == "contractgen-parquet":
        return lambda: runtime.read_parquet(scratch / "customers.parquet", customers).height
    if name == "contractgen-usage":
        return lambda: runtime.read_parquet(str(scratch / "usage" / "*.parquet"), events).height
    if name == "contractgen-scan-usage":

        def stream() -> int:
            for path in usage:
                runtime.scan_parquet(path, events)
            return int(pl.scan_parquet(usage).select(pl.len()).collect().item())

        return stream
    raise SystemExit(f"unknown case {name}{UNPATTERNED}")


def child(name: str, scratch: Path) -> None:
    start = time.perf_counter()
    timed = setup(name, scratch)
    imported = time.perf_counter() - start
    start = time.perf_counter()
    rows = timed()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": rows, "rss": peak_rss(), "setup": imported}))


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


def plant(frame: pl.DataFrame, column: str, row: int, value: object) -> pl.DataFrame:
    """`frame` with the value of one cell replaced, in the column's dtype."""
    planted = pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column))
    return frame.with_columns(planted.cast(frame.schema[column]).alias(column))


def planted() -> dict[str, pl.DataFrame]:
    """One small clean frame per planted violation."""
    clean = data.customers(1000, seed=9)
    return {
        "null in a required column": plant(clean, "region", 3, None),
        "value outside the enum": plant(clean, "contract_type", 5, "Weekly"),
        "duplicate key": plant(clean, "customer_id", 7, clean["customer_id"][0]),
        "out of range": plant(clean, "tenure_months", 9, -1),
        "malformed key": plant(clean, "customer_id", 11, "not-a-uuid"),
        "float where an integer belongs": clean.with_columns(
            (pl.col("tenure_months") + 0.5).alias("tenure_months")
        ),
    }


def validators() -> dict[str, Callable[[pl.DataFrame], object]]:
    import bench_customers

    out: dict[str, Callable[[pl.DataFrame], object]] = {"contractgen": bench_customers.validate}
    for name, factory in others.VALIDATORS.items():
        try:
            out[name] = factory()
        except ImportError:
            continue
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


def quality(scratch: Path, customers_n: int, runs: int) -> None:
    """The customers Parquet read with and without one quality rule of each kind."""
    scratch.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).parent / "contractgen"
    subprocess.run(
        [str(exe), "build", str(HERE / "contracts"), "--out", str(scratch / "generated")],
        check=True,
        capture_output=True,
    )
    path = scratch / "customers.parquet"
    if not path.exists() or pl.scan_parquet(path).select(pl.len()).collect().item() != customers_n:
        data.customers(customers_n).write_parquet(path)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    versions = ", ".join(f"{p} {importlib.metadata.version(p)}" for p in ("polars", "pydantic"))
    print(f"# Quality rules in the readers ({machine})")
    print(f"command: {' '.join(sys.argv)}; {versions}; median of {runs} runs, each in its own process\n")
    labels = {
        "plain-parquet": "plain `pl.read_parquet` (no checks)",
        "contractgen-parquet": "contractgen `read_parquet`, column checks",
        "contractgen-parquet-rules": "contractgen `read_parquet`, column checks + 5 quality rules",
    }
    results = measure(list(labels), scratch, runs)
    print("\n".join(table(results, "plain-parquet", labels)))
    ours, ruled = (
        median(results[n], "seconds") for n in ("contractgen-parquet", "contractgen-parquet-rules")
    )
    print(f"\nquality rules: +{ruled - ours:.3f} s, {ruled / ours:.2f}x the read with column checks only")


def measure(names: list[str], scratch: Path, runs: int) -> dict[str, list[dict[str, float]]]:
    results: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    for _ in range(runs):
        for name in names:  # alternating, so that drift hits every case alike
            results[name].append(run(name, scratch))
    return results


def median(samples: list[dict[str, float]], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def table(results: dict[str, list[dict[str, float]]], baseline: str, labels: dict[str, str]) -> list[str]:
    lines = [
        "| case | median time | vs plain read | peak RSS | rows/s | imports and schema (not timed) |",
        "|---|---|---|---|---|---|",
    ]
    base = median(results[baseline], "seconds")
    for name, samples in results.items():
        if any("error" in s for s in samples):
            lines.append(f"| {labels[name]} | not run: {samples[0].get('message')} | | | | |")
            continue
        seconds, rows = median(samples, "seconds"), median(samples, "rows")
        rss, rate = median(samples, "rss") / 2**20, rows / seconds / 1e6
        ratio, setup_s = seconds / base, median(samples, "setup")
        cells = [labels[name], f"{seconds:.3f} s", f"{ratio:.2f}x", f"{rss:.0f} MiB", f"{rate:.1f} M"]
        lines.append("| " + " | ".join([*cells, f"{setup_s:.3f} s"]) + " |")
    return lines


def warm_child(names: list[str], scratch: Path, runs: int) -> None:
    """Cases in one process, after one untimed run each, alternating: the steady state of a
    long-lived service, where the first read's page faults are paid already."""
    timed = {name: setup(name, scratch) for name in names}
    for run_case in timed.values():
        run_case()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(runs):
        for name, run_case in timed.items():
            start = time.perf_counter()
            run_case()
            samples[name].append(time.perf_counter() - start)
    print(json.dumps({name: statistics.median(values) for name, values in samples.items()}))


def warm(names: list[str], scratch: Path, runs: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--warm", ",".join(names), "--scratch", str(scratch)]
    done = subprocess.run([*command, "--runs", str(runs)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def to_models_ratio(scratch: Path, runs: int, rows: int = 200_000) -> tuple[float, float, float]:
    """Median seconds of `to_models`, of `to_dicts` + `TypeAdapter` on the same checked rows, and
    of `to_dicts` alone (Python objects, no model at all: a floor), alternating in one process."""
    packages(scratch)
    import bench_customers
    from pydantic import TypeAdapter

    frame = bench_customers.read_parquet(scratch / "customers.parquet").head(rows)
    adapter = TypeAdapter(list[bench_customers.BenchCustomers])
    ours_s, theirs_s, dicts_s = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        frame.to_dicts()
        dicts_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        ours = bench_customers.to_models(frame)
        ours_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        theirs = adapter.validate_python(frame.to_dicts())
        theirs_s.append(time.perf_counter() - start)
        assert ours == theirs, "to_models must build exactly what validation builds"
        del ours, theirs
    return statistics.median(ours_s), statistics.median(theirs_s), statistics.median(dicts_s)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=2_000_000)
    parser.add_argument("--usage", type=int, default=20_000_000)
    parser.add_argument("--big", type=int, default=0)
    parser.add_argument("--scaling", action="store_true", help="streaming check over 1M, 10M and 100M rows")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scratch", type=Path, default=SCRATCH)
    parser.add_argument("--child")
    parser.add_argument("--warm")
    parser.add_argument("--quality", action="store_true", help="only: the cost of the quality rules")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.scratch)
        return
    if args.quality:
        quality(args.scratch, args.customers, args.runs)
        return
    if args.warm:
        warm_child(args.warm.split(","), args.scratch, args.runs)
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
    libraries = [n for n in others.VALIDATORS if n in caught]
    labels = {
        "plain-parquet": "plain `pl.read_parquet` (no checks)",
        "contractgen-parquet": "contractgen `read_parquet`",
        "hand-written": "hand-written single-pass Polars check (read, then check)",
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
    for name in ("contractgen-parquet", "contractgen-usage", "contractgen-scan-usage"):
        labels[name + UNPATTERNED] = f"{labels[name]}, the same checks without the UUID pattern"
    print(f"\n## Customers, {args.customers:,} rows, Parquet\n")
    print(
        "\n".join(
            table(
                measure(
                    ["plain-parquet", "contractgen-parquet", *libraries, "contractgen-parquet" + UNPATTERNED],
                    args.scratch,
                    args.runs,
                ),
                "plain-parquet",
                labels,
            )
        )
    )
    pydantic = measure(["pydantic-rows"], args.scratch, 1)["pydantic-rows"]
    pydantic_rate = median(pydantic, "rows") / median(pydantic, "seconds")
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
    usage_cases = ["plain-usage", "contractgen-usage", "contractgen-scan-usage"]
    usage = measure([*usage_cases, *(c + UNPATTERNED for c in usage_cases[1:])], args.scratch, args.runs)
    print("\n".join(table(usage, "plain-usage", labels)))
    print("\n## The same reads in one process, after a warm-up read (steady state)\n")
    print("| data | plain read | contractgen | ratio | hand-written single pass | ratio |")
    print("|---|---|---|---|---|---|")
    for data_name, plain, ours, theirs in (
        ("customers Parquet", "plain-parquet", "contractgen-parquet", "hand-written"),
        ("customers CSV", "plain-csv", "contractgen-csv", None),
        ("usage Parquet", "plain-usage", "contractgen-usage", None),
    ):
        steady = warm([plain, ours, *([theirs] if theirs else [])], args.scratch, args.runs)
        other = f"{steady[theirs]:.3f} s | {steady[theirs] / steady[plain]:.2f}x" if theirs else "| "
        print(
            f"| {data_name} | {steady[plain]:.3f} s | {steady[ours]:.3f} s | "
            f"{steady[ours] / steady[plain]:.2f}x | {other} |"
        )
    if args.scaling:
        print(f"\n## Streaming check time by rows (median of {args.runs})\n")
        print("| rows | time | rows/s | peak RSS |")
        print("|---|---|---|---|")
        for rows in (1_000_000, 10_000_000, 100_000_000):
            folder = args.scratch / f"scaling-{rows}"
            if not (folder / "rows.txt").exists():
                shutil.rmtree(folder, ignore_errors=True)
                data.write_usage(folder, rows, args.customers)
                (folder / "rows.txt").write_text(str(rows))
            samples = measure([folder.name], args.scratch, args.runs)[folder.name]
            seconds, rss = median(samples, "seconds"), median(samples, "rss")
            print(f"| {rows:,} | {seconds:.2f} s | {rows / seconds / 1e6:.1f} M | {rss / 2**20:.0f} MiB |")
    if args.big:
        big = measure(["contractgen-scan-big"], args.scratch, 1)["contractgen-scan-big"][0]
        print(f"\n## Usage events, {args.big:,} rows, streaming check\n")
        print(f"{big['seconds']:.1f} s, peak RSS {big['rss'] / 2**20:.0f} MiB")
    ours, theirs, dicts = to_models_ratio(args.scratch, args.runs)
    print("\n## Rows as model instances, 200,000 rows of a checked frame\n")
    print(
        f"contractgen `to_models` {ours:.3f} s; `to_dicts` + `TypeAdapter(list[Model]).validate_python` "
        f"{theirs:.3f} s: {theirs / ours:.1f}x faster, equal instances. The same rows as plain dicts "
        f"(`to_dicts`, no model at all) take {dicts:.3f} s."
    )


def _installed(name: str) -> bool:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    main()
