"""Generated packages install like any other: into a fresh virtual environment, from a folder and as a wheel."""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

from tests.conftest import ROOT
from tests.test_readers import usage_rows


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_install_from_folder_and_as_wheel(tmp_path):
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    package = ROOT / "generated" / "usage_activity"
    # The runtime comes from this checkout (it is not published); polars and pydantic from the index.
    run(python, "-m", "pip", "install", "-q", ROOT, package)
    data = tmp_path / "usage.parquet"
    usage_rows().write_parquet(data)
    script = (
        "import importlib.metadata as m, usage_activity\n"
        f"frame = usage_activity.read_parquet({str(data)!r})\n"
        "print(m.version('usage-activity'), frame.height, usage_activity.__file__.startswith("
        f"{str(env)!r}))\n"
    )
    assert run(python, "-c", script) == "1.5.2 4 True\n"
    # A consumer gets the runtime, not the generator's command-line dependencies.
    missing = "import importlib.util as u; print([m for m in ('typer', 'jinja2', 'yaml') if u.find_spec(m)])"
    assert run(python, "-c", missing) == "[]\n"
    command = subprocess.run([str(env / "bin" / "contractgen"), "build"], capture_output=True, text=True)
    assert command.returncode == 2
    assert command.stderr.endswith("install the command line with: pip install 'contractgen[cli]'\n")
    wheels = tmp_path / "wheels"
    run(python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, package)
    (wheel,) = wheels.glob("*.whl")
    assert wheel.name == "usage_activity-1.5.2-py3-none-any.whl"
    run(python, "-m", "pip", "uninstall", "-q", "-y", "usage-activity")
    run(python, "-m", "pip", "install", "-q", wheel)
    assert run(python, "-c", script) == "1.5.2 4 True\n"
    listing = run(python, "-m", "pip", "show", "-f", "usage-activity")
    assert "usage_activity/py.typed" in listing
    assert "usage_activity/schema.json" in listing  # the row's JSON Schema ships as package data
    assert "Requires: contractgen" in listing
