"""The documents app sits below registration, payments and reports: it imports none
of them, anywhere (not even inside a function); they register with it instead."""

from __future__ import annotations

import ast
from pathlib import Path

import documents

ABOVE = ("registration", "payments", "reports")


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_documents_imports_no_app_above_it():
    root = Path(documents.__file__).parent
    upward = [
        f"{path.relative_to(root.parent)}: {module}"
        for path in sorted(root.rglob("*.py"))
        for module in _imported_modules(path)
        if module.split(".")[0] in ABOVE
    ]
    assert upward == []
