"""Modules import at the top, so their real dependencies show; an import inside a function says
why it is there (docs/architecture.md, "Imports at the top")."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "kollega"


def _has_reason(lines: list[str], index: int) -> bool:
    """A comment on the import's line, or on the lines right above its block of imports."""
    if "#" in lines[index]:
        return True
    above = index - 1
    while above >= 0:
        text = lines[above].strip()
        if text.startswith("#"):
            return True
        if text.startswith(("from ", "import ")) or text.endswith(("(", ",")) or text == ")":
            above -= 1
            continue
        return False
    return False


def _unexplained_inner_imports(path: Path, root: Path = SRC.parent) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for function in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "ready":  # an AppConfig's: models load only once every app is known
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom) and not _has_reason(
                lines, node.lineno - 1
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_import_inside_a_function_says_why() -> None:
    paths = [p for p in sorted(SRC.rglob("*.py")) if "migrations" not in p.parts]
    assert [where for path in paths for where in _unexplained_inner_imports(path)] == []


def test_the_check_finds_an_unexplained_import(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    import json\n\n    return json\n", encoding="utf-8")
    assert _unexplained_inner_imports(module, tmp_path) == ["probe.py:2"]
    module.write_text(
        "def f():\n    # Imported here: a reason.\n    import json\n\n    return json\n",
        encoding="utf-8",
    )
    assert _unexplained_inner_imports(module, tmp_path) == []
