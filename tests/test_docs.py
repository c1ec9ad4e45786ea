"""The documentation runs: every quickstart block is executed in an empty folder and its output compared."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BLOCK = re.compile(r"^```(\w+)\n(.*?)^```\n", re.S | re.M)


def blocks(path: Path) -> list[tuple[str, str, str | None]]:
    """(language, code, expected output or None) for each runnable block, in order."""
    found = [(m.group(1), m.group(2)) for m in BLOCK.finditer(path.read_text())]
    out = []
    for i, (language, code) in enumerate(found):
        if language in ("bash", "python"):
            expected = found[i + 1][1] if i + 1 < len(found) and found[i + 1][0] == "text" else None
            out.append((language, code, expected))
    return out


def test_quickstart_runs_as_written(tmp_path):
    work, site, shims = tmp_path / "work", tmp_path / "site", tmp_path / "bin"
    for folder in (work, site, shims):
        folder.mkdir()
    # `pip install` installs for real, into a folder of this test rather than the shared environment
    # (whose contractgen, Polars and Pydantic satisfy the package's dependencies).
    (shims / "pip").write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -m pip "$@" --no-deps --target "{site}"\n'
    )
    (shims / "pip").chmod(0o755)
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(shims), str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "PYTHONPATH": str(site),
        "CONTRACTGEN_TODAY": "2026-11-26",
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    steps = blocks(ROOT / "docs" / "quickstart.md")
    assert len(steps) >= 8
    for language, code, expected in steps:
        command = (
            ["bash", "-e", "-o", "pipefail", "-c", code]
            if language == "bash"
            else [sys.executable, "-c", code]
        )
        done = subprocess.run(
            command,
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )
        output = done.stdout
        assert done.returncode == 0, f"this block failed:\n{code}\n{output}"
        if expected is not None:
            assert output == expected, f"this block's output differs from the docs:\n{code}"


def test_cli_reference_is_current(tmp_path):
    generated = tmp_path / "cli.md"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "typer",
            "contractgen.cli",
            "utils",
            "docs",
            "--name",
            "contractgen",
            "--output",
            str(generated),
        ],
        check=True,
        capture_output=True,
    )
    assert generated.read_text() == (ROOT / "docs" / "cli.md").read_text(), (
        "docs/cli.md is stale; run: .venv/bin/typer contractgen.cli utils docs --name contractgen --output docs/cli.md"
    )
