"""Load stage: contract text → `Contract`, with every problem located.

One entry for every format: the file's YAML tree is read once (`yamltree`) and scanned for
credentials written out (`secrets`), then handed to the importer of the format it is in
(`native`, `odcs`, `dcs`); a file in a format we do not read (OpenAPI, JSON Schema, dbt, Avro,
ODCS v2) is named as such (`foreign`). A file holding a credential goes no further: importers
quote what they read in their messages, and the secret must not be printed. Every importer reads
through the same shape readers (`shapes`, `sections`) and the same value grammar (`values`,
`typespec`), so a value means the same thing whichever format it came in.
"""

from __future__ import annotations

from pathlib import Path

from contractgen.contract import Contract
from contractgen.diagnostics import ContractError, Diagnostic, Position, Report
from contractgen.load import dcs, native, odcs, secrets, yamltree
from contractgen.load.foreign import foreign_format, foreign_hint
from contractgen.load.yamltree import Node


def load_file(path: str | Path, display: str | None = None) -> Contract:
    """Load one native contract file; raise `ContractError` with every diagnostic on errors."""
    path = Path(path)
    name = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContractError(
            [Diagnostic(name, Position(1, 1), "error", f"cannot read the file: {exc.strerror}")]
        ) from None
    contract, diagnostics = load_bytes(data, name)
    if contract is None:
        raise ContractError(diagnostics)
    return contract


def load_all(data: bytes, path: str) -> tuple[list[Contract], list[Diagnostic]]:
    """Every contract in a file: one for a contractgen contract, one per table (ODCS) or model (DCS)."""
    report = Report(path)
    root = _tree(data, report)
    if root is None:
        contracts: list[Contract] = []
    elif (other := foreign_format(root)) is not None:
        report.error(root.pos, f"this looks like {other}, which contractgen does not read", foreign_hint())
        contracts = []
    elif odcs.is_odcs(root):
        contracts = odcs.import_root(root, report, path)
    elif dcs.is_dcs(root):
        contracts = dcs.import_root(root, report, path)
    else:
        contract = native.load_native(root, report, path)
        contracts = [contract] if contract is not None else []
    return ([] if report.has_errors else contracts), report.sorted()


def load_bytes(data: bytes, path: str) -> tuple[Contract | None, list[Diagnostic]]:
    """Load native contract text; the contract (None on any error) and all diagnostics."""
    report = Report(path)
    root = _tree(data, report)
    contract = native.load_native(root, report, path) if root is not None else None
    return (None if report.has_errors else contract), report.sorted()


def _tree(data: bytes, report: Report) -> Node | None:
    """The file's YAML tree, or None when it cannot be read or holds a credential."""
    text = yamltree.decode(data, report)
    root = yamltree.parse(text, report) if text is not None else None
    if root is None:
        return None
    secrets.scan(root, report)
    return None if report.has_errors else root
