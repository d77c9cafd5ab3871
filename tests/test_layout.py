"""The layout the README's "Layout" section describes, walked from the source: no import circle
between modules (imports inside functions count too: they hide a circle, they do not break it),
no domain app imports the dashboard, detection imports no Django and nothing of ours, and no app
holds more than a third of the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("detect", "otpdash", *settings.PROJECT_APPS)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ours that `name` imports, anywhere in the file, relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from package import module` imports that module; `from module import name`, the module
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        found |= {target for target in targets if target in known}
    return found - {name}


def _graph() -> dict[str, set[str]]:
    sources = _sources()
    known = set(sources)
    return {name: imports_of(name, path, known) for name, path in sources.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_walk_sees_every_kind_of_import():
    """The walker itself, on imports whose targets are known: a walk that saw nothing would pass."""
    graph = _graph()
    assert "mailboxes.models" in graph["scanner.models"]  # absolute, at module level
    assert "scanner.models" in graph["scanner.leases"]  # relative
    assert "mailboxes.oauth.tokens" in graph["mailboxes.oauth.flows"]  # `from . import tokens`
    assert "detect.engine" in graph["detect"]  # relative, from a package's __init__
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_round_a_circle():
    assert _circles(_graph()) == []


def test_no_domain_app_imports_the_dashboard():
    graph = _graph()
    offenders = [
        f"{name} imports {target}"
        for name, targets in graph.items()
        for target in targets
        if target.split(".")[0] == "dashboard" and name.split(".")[0] not in ("dashboard", "otpdash")
    ]
    assert offenders == []


def test_detection_imports_no_django_and_nothing_of_ours():
    core = ROOT / "detect"
    ours = set(PACKAGES) - {"detect"}
    offenders = []
    for path in core.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            offenders += [f"{path.name} imports {n}" for n in names if n.split(".")[0] in ours | {"django"}]
    assert list(core.rglob("*.py")), "detect/ is missing"
    assert offenders == []
    assert (core / "README.md").is_file()


def test_masks_stay_plain_code():
    """msaccounts/masks.py is shared with the detector's reading of account hints: plain Python only."""
    path = ROOT / "msaccounts" / "masks.py"
    known = set(_sources())
    assert imports_of("msaccounts.masks", path, known) == set()
    assert not re.search(r"^\s*(from|import) django", path.read_text(), re.M)


def _lines(package: str) -> int:
    return sum(
        len(path.read_text().splitlines()) for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts
    )


def test_no_app_holds_more_than_a_third_of_the_code():
    sizes = {package: _lines(package) for package in PACKAGES}
    total = sum(sizes.values())
    assert all(sizes.values()), sizes
    assert [package for package, size in sizes.items() if size * 3 > total] == [], sizes


def test_the_image_copies_every_package():
    copied = set(re.findall(r"^COPY (\w+) /app/\1$", (ROOT / "Containerfile").read_text(), re.M))
    assert set(PACKAGES) <= copied
