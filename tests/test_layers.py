"""The layers stay clean: no domain app imports the dashboard (it listens to their signals instead),
and the detection core imports no Django."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_APPS = ("accounts", "scanner", "incidents", "msaccounts")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_no_domain_app_imports_the_dashboard():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for app in DOMAIN_APPS
        for path in (ROOT / app).rglob("*.py")
        for module in imported_modules(path)
        if module == "dashboard" or module.startswith("dashboard.")
    ]
    assert offenders == []


def test_the_detection_core_is_pure():
    core = ROOT / "scanner" / "detect"
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in core.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in {"django", "accounts", "incidents", "msaccounts", "dashboard"}
    ]
    assert offenders == []
    assert imported_modules(ROOT / "msaccounts" / "masks.py") <= {"__future__", "dataclasses"}
