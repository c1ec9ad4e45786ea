"""Every benchmark in one run, as one markdown report: build latency, then the readers.

    .venv/bin/python benchmarks/all.py [--datacontract PATH] > /tmp/benchmarks.md

Runs `build_latency.py --runs 9` and `readers.py --runs 5 --big 150000000 --scaling` one after
the other (never side by side: each measures a machine otherwise at rest) and prints both
reports. About fifteen minutes on two cores, most of it generating the data on the first run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datacontract", help="the datacontract executable, if not on PATH")
    args = parser.parse_args()
    build = [sys.executable, "benchmarks/build_latency.py", "--runs", "9"]
    if args.datacontract:
        build += ["--datacontract", args.datacontract]
    readers = [sys.executable, "benchmarks/readers.py", "--runs", "5", "--big", "150000000", "--scaling"]
    for command in (build, readers):
        done = subprocess.run(command, cwd=HERE.parent, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
        print(done.stdout)


if __name__ == "__main__":
    main()
