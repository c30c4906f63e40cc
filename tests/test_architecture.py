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


SRC = CORE.parent
# what each package of slakeeper may import of the others (core: above)
LAYERS = {
    "agreement": {"agreement", "core", "yamlsource", "typesetting", "errors"},
    "db": {"db", "core", "settings", "errors"},
    "mail": {"mail", "errors", "settings"},
    "invoicing": {"invoicing", "core", "typesetting", "agreement", "errors"},
    "services": {
        "services",
        "core",
        "agreement",
        "db",
        "invoicing",
        "mail",
        "errors",
        "settings",
        "yamlsource",
        "typesetting",
    },
}


def _ours(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "slakeeper" and len(parts) > 1 else None


def test_each_package_imports_only_the_layers_below_it():
    offenders = []
    for package, allowed in LAYERS.items():
        for path in sorted((SRC / package).rglob("*.py")):
            for name in _imports(path):
                ours = _ours(name)
                if ours is not None and ours not in allowed:
                    offenders.append(f"{package}/{path.name}: {name}")
    assert offenders == []


def _service_module(path: Path) -> str:
    """`invoicing.records` for services/invoicing/records.py."""
    parts = path.relative_to(SRC / "services").with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


def _module_level_service_imports(path: Path) -> set[str]:
    """The services modules a services module imports at its top level."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.ImportFrom) or node.module is None:
            continue
        if node.module.split(".")[:2] != ["slakeeper", "services"]:
            continue
        package = node.module.removeprefix("slakeeper.services").lstrip(".")
        found.add(package)
        found.update(f"{package}.{a.name}" if package else a.name for a in node.names)
    return found


def test_services_import_each_other_without_a_cycle():
    paths = {_service_module(p): p for p in (SRC / "services").rglob("*.py")}
    paths.pop("")  # services/__init__.py
    graph = {
        name: _module_level_service_imports(p) & set(paths) for name, p in paths.items()
    }
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                return [*path, name, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, name])):
                return cycle
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            assert visit(name, []) is None


def test_services_never_hide_an_import_inside_a_function():
    offenders = []
    for path in sorted((SRC / "services").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(fn):
                    if isinstance(node, ast.ImportFrom | ast.Import):
                        offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
