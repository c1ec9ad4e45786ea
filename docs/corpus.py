"""Write docs/corpus.md: every ODCS and DCS file of the public corpus, and what contractgen makes of it.

    .venv/bin/python docs/corpus.py [CORPUS] > docs/corpus.md

CORPUS defaults to ../shared/corpus beside the clone. Each file is loaded (tables, fields,
warnings) and built on its own into a temporary folder; the result is the packages built or the
first located reason it was refused. tests/test_corpus_table.py checks the page is current and
that every built package passes ruff, mypy --strict and imports.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from contractgen.build import build
from contractgen.load import load_all

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpus"
SHOWN = 6  # table names listed per file


def standard_files(corpus: Path) -> list[tuple[Path, str]]:
    """Every ODCS or DCS file under `corpus`, with its format, sorted by path."""
    found = []
    for path in sorted(corpus.rglob("*.y*ml")):
        head = path.read_text("utf-8", errors="replace")
        if "dataContractSpecification:" in head:
            found.append((path, "DCS"))
        elif re.search(r"^kind:\s*[\"']?DataContract", head, re.M):
            found.append((path, "ODCS"))
    return found


def build_one(path: Path, out: Path) -> tuple[list[str], str]:
    """Build one file alone; the packages built and the result as one line."""
    contracts = out / "contracts"
    contracts.mkdir(parents=True)
    (contracts / path.name).write_bytes(path.read_bytes())
    result = build(contracts, out / "generated")
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if errors:
        first = errors[0]
        where = f"{first.pos.line}:{first.pos.col}"
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return [], f"refused at {where}: {first.message}{more}"
    if not result.packages:
        return [], "nothing to build (no tables)"
    return result.packages, f"built {len(result.packages)} package{'s' * (len(result.packages) != 1)}"


def row(corpus: Path, path: Path, kind: str) -> str:
    contracts, diagnostics = load_all(path.read_bytes(), path.name)
    warnings = sum(d.severity == "warning" for d in diagnostics)
    with tempfile.TemporaryDirectory() as tmp:
        _, result = build_one(path, Path(tmp))
    tables = ", ".join(c.data_source for c in contracts[:SHOWN]) + (", …" if len(contracts) > SHOWN else "")
    fields = sum(len(c.fields) for c in contracts)
    rel = path.relative_to(corpus).as_posix()
    cells = (
        f"`{rel}`",
        kind,
        f"{len(contracts)}: {tables}" if contracts else "0",
        str(fields),
        str(warnings),
        result,
    )
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def page(corpus: Path) -> str:
    """The whole Markdown page."""
    lines = [
        "# The public corpus",
        "",
        "Every ODCS and DCS file of the public contract corpus (`shared/corpus`, read in place), built",
        "on its own with `contractgen build`. Built packages pass ruff, `mypy --strict` and import",
        "(`tests/test_corpus_table.py`); a refused file names the first located reason. Regenerate with",
        "`.venv/bin/python docs/corpus.py > docs/corpus.md`.",
        "",
        "| file | format | tables | fields | warnings | result |",
        "|---|---|---|---|---|---|",
    ]
    lines += [row(corpus, path, kind) for path, kind in standard_files(corpus)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(page(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
