"""Shared fixtures: the corpus beside the clone, a real `contractgen` executable, built packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
CONTRACTS = ROOT / "contracts"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the public contract corpus is not beside this clone (looked in {CORPUS})")
    return CORPUS


def contractgen_exe() -> str:
    """The installed console script, next to the running interpreter."""
    exe = Path(sys.executable).parent / "contractgen"
    found = str(exe) if exe.exists() else shutil.which("contractgen")
    assert found, "the contractgen console script is not installed; run the README's test command"
    return found


def run_cli(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `contractgen` entry point."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [contractgen_exe(), *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The four example contracts built into a fresh folder and importable."""
    from contractgen.build import build

    out = tmp_path_factory.mktemp("built") / "generated"
    result = build(CONTRACTS, out)
    assert result.ok, [d.render() for d in result.diagnostics]
    paths = [str(p) for p in sorted(out.iterdir()) if p.is_dir()]
    sys.path[:0] = paths
    yield out
    for path in paths:
        sys.path.remove(path)


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's own plugin reads the option
def pytest_configure(config: pytest.Config) -> None:
    """Every Hypothesis run has a seed, printed in the header, so any failure can be replayed."""
    import random

    if getattr(config.option, "hypothesis_seed", None) is None:
        config.option.hypothesis_seed = random.randrange(2**32)


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.option.hypothesis_seed
    return f"hypothesis seed: {seed} (replay a failure with: .venv/bin/python -m pytest --hypothesis-seed={seed})"
