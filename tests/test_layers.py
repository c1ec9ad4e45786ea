"""The stages import one way (kernel ← load ← evolution ← codegen), checked by import-linter.

The contracts live in `[tool.importlinter]` of pyproject.toml. The second test plants a backward
import in a copy of the package and expects the same check to fail, so the first can fail too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "lint-imports"
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    return subprocess.run(
        [str(exe), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_imports_flow_one_way() -> None:
    """Every layer imports only the layers below it; the runtime never the generator's tools."""
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


SPARK = "contractgen.runtime.spark"


def test_the_runtime_needs_only_polars_and_pydantic() -> None:
    """Outside the standard library, the runtime imports only what `pip install contractgen` brings.

    The one exception is `contractgen.runtime.spark`, the Spark checks: it may import PySpark
    (the `contractgen[spark]` extra), and no module of contractgen imports it, so PySpark is
    loaded only by a caller who asks for Spark.
    """
    import grimp

    graph = grimp.build_graph("contractgen", include_external_packages=True)
    runtime = {"contractgen.formats", "contractgen.policy"} | {
        m for m in graph.modules if m == "contractgen.runtime" or m.startswith("contractgen.runtime.")
    }

    def outside(modules: set[str]) -> set[str]:
        found = {f for m in modules for f in graph.find_modules_directly_imported_by(m)}
        return {f.split(".")[0] for f in found if not f.startswith("contractgen")} - set(
            sys.stdlib_module_names
        )

    assert outside(runtime - {SPARK}) <= {"polars", "pydantic"}
    assert outside({SPARK}) <= {"polars", "pydantic", "pyspark"}
    assert not graph.find_modules_that_directly_import(SPARK)


@pytest.mark.parametrize(
    ("module", "planted", "broken"),
    [
        ("contract.py", "import contractgen.load.values", "stages flow one way"),
        ("load/values.py", "import contractgen.evolution.rules", "stages flow one way"),
        ("evolution/diff.py", "import contractgen.codegen.literal", "stages flow one way"),
        ("codegen/plan.py", "import contractgen.build", "stages flow one way"),
        ("runtime/spec.py", "import contractgen.contract", "stages flow one way"),
        ("runtime/check.py", "import jinja2", "the runtime imports only polars and pydantic"),
        (
            "config.py",
            "import contractgen.codegen.render",
            "configuration and the shared leaves import no stage and nothing heavy",
        ),
        ("policy.py", "import contractgen.runtime", "stages flow one way"),
        (
            "policy.py",
            "import polars",
            "configuration and the shared leaves import no stage and nothing heavy",
        ),
    ],
)
def test_a_backward_import_breaks_the_check(tmp_path: Path, module: str, planted: str, broken: str) -> None:
    """A planted import against the flow is named by the check that forbids it."""
    shutil.copytree(ROOT / "contractgen", tmp_path / "contractgen")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "contractgen" / module
    target.write_text(target.read_text() + f"\n{planted}  # noqa: E402\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert f"{broken} BROKEN" in result.stdout
