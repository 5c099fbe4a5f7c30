"""Which domain may call which: the layers of app/ (README "Architecture"), checked against the imports.

Every `import` in app/ is read with `ast`, those inside functions included (an import moved into a function to
dodge a circle is still a dependency). A package may import only packages of lower layers; app/__init__.py and
app/registry.py compose the app from every domain and nothing imports them. There is no package cycle and no
circle of files. To let a domain call one above it, move what it needs down (or signal from the domain that makes
the change) rather than adding to the allowances below.
"""

import ast
from collections import defaultdict
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Bottom first. A package may import the packages of the layers below its own, never its own layer's others.
LAYERS = [
    ("infrastructure", {"common"}),  # with app/config.py: errors, schemas, paging, policy …
    ("reference data and outside services", {"taxonomy", "wechat", "audit"}),
    ("places", {"circles"}),
    ("people", {"auth"}),
    ("files, messages, usage", {"uploads", "notifications", "usage"}),
    ("outlets", {"outlets"}),
    ("around outlets", {"repair", "events"}),
    ("needs", {"demands"}),
    ("ratings", {"ratings"}),
    ("merchants and the outlet page", {"merchants", "places"}),
    ("surveys", {"surveys"}),
    ("evaluation and Open311", {"evaluation", "open311"}),
    ("residents' rights, console, operating", {"privacy", "console", "ops"}),
    ("demo data", {"demo"}),
]
COMPOSITION_ROOT = "app"  # app/__init__.py (create_app) and app/registry.py
INFRASTRUCTURE_MODULES = {"config": "common"}  # app/<module>.py → its layer's package

# Imports against the layers that other branches of issue 14 are removing (each names who removes it). This
# list only shrinks: an entry whose import is gone fails the test until it is deleted here.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}  # none left; an entry would name who removes it
KNOWN_FILE_CIRCLES: list[set[str]] = []  # none left; an entry would name who removes it


def _module_of(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_of(path): path for path in APP.rglob("*.py")}


def _resolve(name: str) -> str | None:
    """The module of this tree an import names (a module, or the package whose __init__ it is)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    """The modules of app/ that a file imports, anywhere in it (functions included)."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # `from app.common import metrics` imports the module app.common.metrics.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for name in names:
            if name == "app" or name.startswith("app."):
                target = _resolve(name)
                if target and target != module:
                    found.add(target)
    return found


FILE_GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _package(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("registry",):
        return COMPOSITION_ROOT
    if len(parts) == 2 and parts[1] in INFRASTRUCTURE_MODULES:
        return INFRASTRUCTURE_MODULES[parts[1]]
    return parts[1]


def _package_edges() -> dict[tuple[str, str], list[str]]:
    edges = defaultdict(list)
    for module, targets in FILE_GRAPH.items():
        for target in targets:
            source, destination = _package(module), _package(target)
            if source != destination:
                edges[(source, destination)].append(f"{module} → {target}")
    return edges


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one member (Tarjan's algorithm, iteratively)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]

    def visit(root):
        work = [(root, iter(sorted(graph.get(root, ()))))]
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
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _layer_of() -> dict[str, int]:
    return {package: level for level, (_, packages) in enumerate(LAYERS) for package in packages}


def test_every_package_has_a_layer():
    packages = {_package(module) for module in MODULES} - {COMPOSITION_ROOT}
    layered = _layer_of()
    assert sum(len(packages) for _, packages in LAYERS) == len(layered), "a package stands in two layers"
    assert packages - set(layered) == set(), "add the new package to LAYERS (and to the README's table)"
    assert set(layered) - packages == set(), "LAYERS names a package that does not exist"


def test_imports_follow_the_layers():
    layer = _layer_of()
    wrong = []
    for (source, destination), where in sorted(_package_edges().items()):
        if destination == COMPOSITION_ROOT:
            wrong.append(f"{source} imports the composition root (app/__init__.py, app/registry.py): {where}")
        elif source == COMPOSITION_ROOT or layer[destination] < layer[source]:
            continue
        elif (source, destination) not in KNOWN_UPWARD:
            wrong.append(
                f"{source} (layer {layer[source]}) imports {destination} (layer {layer[destination]}): {where}"
            )
    assert wrong == [], "\n".join(wrong)


def test_known_upward_imports_only_shrink():
    edges = _package_edges()
    gone = [edge for edge in KNOWN_UPWARD if edge not in edges]
    assert gone == [], f"these imports are gone: delete them from KNOWN_UPWARD: {gone}"


def test_no_package_cycles_beyond_the_known_ones():
    graph = defaultdict(set)
    for source, destination in _package_edges():
        if (source, destination) not in KNOWN_UPWARD:
            graph[source].add(destination)
    assert _circles(graph) == []


def test_no_circles_of_files():
    circles = _circles(FILE_GRAPH)
    unknown = [sorted(circle) for circle in circles if circle not in KNOWN_FILE_CIRCLES]
    assert unknown == [], f"files importing each other in a circle: {unknown}"
    gone = [sorted(circle) for circle in KNOWN_FILE_CIRCLES if circle not in circles]
    assert gone == [], f"these circles are gone: delete them from KNOWN_FILE_CIRCLES: {gone}"


def test_the_reader_sees_imports_inside_functions():
    """The check itself: an import inside a function counts (e.g. registry's imports of every domain)."""
    assert "app.auth.routes" in FILE_GRAPH["app.registry"]
    assert ("ops", "notifications") in _package_edges()
