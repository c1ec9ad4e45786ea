"""Interrupted, concurrent and starved builds: generated/ is always the old tree or the new one.

The kill test sends a real SIGKILL to `contractgen build` at random moments (seeded; 200 kills,
CONTRACTGEN_KILLS changes the count) while it rewrites every file of 20 packages, lets the next
contractgen run recover, and compares the whole tree with the tree before and the tree after.
"""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from contractgen.codegen import write
from tests.conftest import contractgen_exe, run_cli

KILLS = int(os.environ.get("CONTRACTGEN_KILLS", "200"))


def contract(n: int, version: str) -> str:
    fields = "".join(f"  column_{i}:\n    type: {('int32', 'string', 'date')[i % 3]}\n" for i in range(8))
    return f"data_source: table_{n}\nversion: {version}\nschema:\n{fields}"


def state(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != write.LOCK
    }


def write_contracts(folder: Path, version: str) -> None:
    for n in range(20):
        (folder / f"table_{n}.yaml").write_text(contract(n, version))


@pytest.fixture
def trees(tmp_path: Path) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A project built at 1.0.0, its contracts now at 1.0.1 (every file changes), and both trees."""
    project = tmp_path / "project"
    (project / "contracts").mkdir(parents=True)
    write_contracts(project / "contracts", "1.0.0")
    assert run_cli("build", cwd=project).returncode == 0
    shutil.copytree(project / "generated", tmp_path / "old")
    write_contracts(project / "contracts", "1.0.1")
    assert run_cli("build", cwd=project).returncode == 0
    new = state(project / "generated")
    shutil.rmtree(project / "generated")
    shutil.copytree(tmp_path / "old", project / "generated")
    old = state(project / "generated")
    assert old != new and set(old) == set(new)
    return project, old, new


def test_sigkill_at_random_moments_never_leaves_a_mixed_tree(trees, tmp_path):
    project, old, new = trees
    out = project / "generated"
    start = time.perf_counter()
    assert run_cli("build", cwd=project).returncode == 0
    duration = time.perf_counter() - start
    shutil.rmtree(out)
    shutil.copytree(tmp_path / "old", out)
    rng = random.Random(20261126)
    outcomes = {"old": 0, "new": 0, "mixed until recovered": 0}
    for i in range(KILLS):
        process = subprocess.Popen(
            [contractgen_exe(), "build"], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # A random moment to kill at (not a wait for anything); half of them late, where files move.
        time.sleep(rng.uniform(0, duration) if i % 2 else rng.uniform(0.6 * duration, 1.1 * duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if state(out) not in (old, new):
            outcomes["mixed until recovered"] += 1
        with write.locked(out):  # what the next contractgen run does first: finish or discard
            pass
        now = state(out)
        assert now in (old, new), "a killed build left a tree that is neither the old nor the new one"
        outcomes["new" if now == new else "old"] += 1
        if now == new:
            shutil.rmtree(out)
            shutil.copytree(tmp_path / "old", out)
    print(f"\n{KILLS} kills: {outcomes}")
    assert outcomes["old"] and outcomes["new"], (
        f"the kills did not land on both sides of the commit point: {outcomes}"
    )


def test_two_builds_at_once(trees):
    project, _, new = trees
    processes = [
        subprocess.Popen(
            [contractgen_exe(), "build"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(), p.stderr.read() if p.stderr else "") for p in processes]
    for code, stderr in results:
        assert code == 0 or (code == 3 and "another contractgen build is writing" in stderr), stderr
    assert any(code == 0 for code, _ in results)
    assert state(project / "generated") == new


def test_a_full_disk_leaves_the_old_output(trees):
    project, old, _ = trees

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    done = subprocess.run(
        [contractgen_exe(), "build"], cwd=project, capture_output=True, text=True, preexec_fn=small_files
    )
    assert done.returncode == 3
    assert (
        done.stderr.strip() == "error: cannot write to generated: File too large; the old output is unchanged"
    )
    assert state(project / "generated") == old
    assert not (project / "generated" / write.TXN).exists()


def test_a_read_only_output_folder_is_left_as_it_was(trees):
    """No write permission on generated/: a clear error, exit 3, every file as it was. Root may
    write anywhere, so as root the build runs without the capabilities that let it."""
    project, old, _ = trees
    out = project / "generated"
    command = [contractgen_exe(), "build"]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("runs as root, and setpriv (util-linux) is not there to drop root's right to write")
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", *command]
    folders = [out, *(p for p in out.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o555)
    try:
        done = subprocess.run(command, cwd=project, capture_output=True, text=True)
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip() == (
        "error: cannot write to generated: Permission denied; the old output is unchanged"
    )
    assert state(out) == old
