"""The layering rules of docs/architecture.md, enforced."""

import ast
import sys
from pathlib import Path

import slakeeper.core

CORE = Path(slakeeper.core.__file__).parent
ALLOWED_THIRD_PARTY = {"numpy", "holidays"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_imports_only_the_standard_library_numpy_and_holidays():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY:
                continue
            if name == "slakeeper.core" or name.startswith("slakeeper.core."):
                continue
            offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_core_never_reads_the_clock():
    forbidden = ("datetime.now", "datetime.utcnow", "date.today", "time.time(")
    for path in sorted(CORE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not [f for f in forbidden if f in text], path.name


def test_core_all_is_sorted_and_complete():
    exported = slakeeper.core.__all__
    assert list(exported) == sorted(exported)
    for name in exported:
        assert hasattr(slakeeper.core, name), name
    public = {
        name
        for name in vars(slakeeper.core)
        if not name.startswith("_")
        and not isinstance(getattr(slakeeper.core, name), type(sys))
    }
    assert public == set(exported)
