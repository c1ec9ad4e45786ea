"""What each model flavour costs at build time: a full build of the four contracts, fresh process.

    .venv/bin/python benchmarks/flavours.py

Each flavour is built five times, each time into an empty folder in a new process (so imports
count, as they do in pre-commit); the median wall time is printed. pydantic is our own templates;
the others add datamodel-code-generator writing records.py from the row's JSON Schema.
"""

from __future__ import annotations

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


def main() -> None:
    base = None
    for flavour in ("pydantic", "dataclass", "typeddict", "msgspec"):
        median = statistics.median(once(flavour) for _ in range(RUNS))
        base = base or median
        print(f"{flavour:10} {median:6.2f} s  ({median / base:4.1f}x)")


if __name__ == "__main__":
    main()
