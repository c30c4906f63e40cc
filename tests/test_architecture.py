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
# what each package (or top-level module) of slakeeper may import of the others
# (core: above); `db` in api, cli and importers is narrowed by the tests below
LAYERS = {
    "errors": set(),
    "settings": {"errors"},
    "yamlsource": {"core", "errors"},
    "typesetting": {"errors"},
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
    "importers": {
        "importers",
        "core",
        "services",
        "db",
        "errors",
        "settings",
        "yamlsource",
    },
    "api": {
        "api",
        "core",
        "agreement",
        "services",
        "db",
        "invoicing",
        "errors",
        "settings",
        "yamlsource",
        "typesetting",
    },
    "cli": {
        "cli",
        "core",
        "agreement",
        "services",
        "db",
        "importers",
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


def _files(package: str) -> list[Path]:
    folder = SRC / package
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [SRC / f"{package}.py"]


def test_every_package_has_its_layer():
    found = {p.name for p in SRC.iterdir() if p.is_dir() and p.name != "__pycache__"}
    found |= {p.stem for p in SRC.glob("*.py") if not p.name.startswith("__")}
    assert found - {"core", "examples"} == set(LAYERS)


def test_each_package_imports_only_the_layers_below_it():
    offenders = []
    for package, allowed in LAYERS.items():
        for path in _files(package):
            for name in _imports(path):
                ours = _ours(name)
                if ours is not None and ours not in allowed:
                    offenders.append(f"{package}/{path.name}: {name}")
    assert offenders == []


# -- the doors (cli, api) and the importers touch the database only to start --

# The modules that open the database: engine, sessions, migrations.
START_UP = {
    "cli/context.py",
    "cli/admin.py",
    "cli/serve.py",
    "cli/demo.py",
    "api/app.py",
    "api/deps.py",
}
START_UP_DB = {"slakeeper.db.session", "slakeeper.db.migrate"}
# The session types start-up hands out, named in annotations anywhere (no SQL).
SESSION_TYPES = {"sqlalchemy.orm": {"Session", "sessionmaker"}}
# What `slakeeper init` and `db upgrade` use to open the configured URL.
START_UP_SQLALCHEMY = {
    "sqlalchemy": {"Engine", "make_url"},
    "sqlalchemy.exc": {"ArgumentError"},
}


def _imported_names(path: Path) -> list[tuple[str, set[str]]]:
    """Each import of a module: the module and the names taken from it (empty
    for `import module`), anywhere in the file."""
    found: list[tuple[str, set[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, set()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, {alias.name for alias in node.names}))
    return found


def _database_offences(path: Path) -> list[str]:
    """What a module of cli/, api/ or importers/ imports of the database beyond
    what its place allows."""
    where = path.relative_to(SRC).as_posix()
    start_up = where in START_UP
    offences = []
    for module, names in _imported_names(path):
        top = module.split(".")[0]
        if module == "slakeeper.db" or module.startswith("slakeeper.db."):
            allowed = start_up and module in START_UP_DB
        elif top == "sqlalchemy":
            fine = set(SESSION_TYPES.get(module, set()))
            if start_up:
                fine |= START_UP_SQLALCHEMY.get(module, set())
            allowed = bool(names) and names <= fine
        else:
            continue
        if not allowed:
            offences.append(f"{where}: {module} {sorted(names)}")
    return offences


def _adapter_files() -> list[Path]:
    return [p for package in ("cli", "api", "importers") for p in _files(package)]


def test_cli_api_and_importers_touch_the_database_only_to_start():
    """No SQL in the doors: cli/ and api/ import `db.session` and `db.migrate`
    only in their start-up modules, never `db.models` nor SQLAlchemy's query
    parts (only the session types); the importers write through the services."""
    offenders = [
        offence for path in _adapter_files() for offence in _database_offences(path)
    ]
    assert offenders == []


def test_read_models_import_nothing_of_the_services():
    """services/views: read models built from rows, never a query or a rule."""
    offenders = []
    for path in sorted((SRC / "services" / "views").rglob("*.py")):
        for name in _imports(path):
            if _ours(name) is None:
                continue
            fine = ("slakeeper.services.views", "slakeeper.core", "slakeeper.db.models")
            if not any(name == f or name.startswith(f + ".") for f in fine):
                offenders.append(f"views/{path.name}: {name}")
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
