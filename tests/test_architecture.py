"""The house's layout, checked: apps import only the apps below them, no app imports another
app's views, and no modules import each other in a circle, between apps or inside one.

The order, lowest first (an app may import only apps of a lower rank):

    core ← audit; core ← boards ← notifications ← opportunities ← meetings ← forwardplan
         ← publicsite, search, reports ← portal, api ← demo

Relations between models follow the same order. ``bluelight`` (settings, URLs, Celery) is
configuration at the very top; migrations are history and are not checked.
"""

import ast
from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
RANK = {
    "core": 0,
    "audit": 1,
    "boards": 2,
    "notifications": 3,
    "opportunities": 4,
    "meetings": 5,
    # Between the meetings and the public pages: it reads meetings' exempt paragraphs, and the
    # public forward plan reads it.
    "forwardplan": 5.5,
    "publicsite": 6,
    "search": 6,
    "reports": 6,
    "portal": 7,
    "api": 7,
    "demo": 8,
}


def app_modules() -> dict[str, Path]:
    """Every module of every app, by dotted name."""
    modules = {}
    for app in RANK:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imports_of(name: str, path: Path) -> set[str]:
    """The modules this one imports, at the top or inside a function, relative imports
    resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            # ``from . import tasks`` imports a module too.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def project_graph() -> dict[str, set[str]]:
    modules = app_modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for imported in imports_of(name, path):
            if imported in modules and imported != name:
                graph[name].add(imported)
    return graph


def app_of(module: str) -> str:
    return module.split(".")[0]


def test_every_app_imports_only_apps_below_it():
    wrong = sorted(
        f"{module} imports {imported}"
        for module, targets in project_graph().items()
        for imported in targets
        if app_of(imported) != app_of(module) and RANK[app_of(imported)] >= RANK[app_of(module)]
    )
    assert wrong == []


def test_every_relation_points_at_an_app_below_or_at_its_own():
    """Foreign keys name their target by a string, not an import: they are checked here, so the
    data, too, depends only downwards. The person model is settings.AUTH_USER_MODEL, which any
    app may point at (the audit trail's actor, say)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    wrong = sorted(
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for model in apps.get_models()
        if model._meta.app_label in RANK
        for field in model._meta.get_fields(include_hidden=True)
        if field.concrete
        and field.is_relation
        and field.related_model is not None
        and field.related_model is not user_model
        and field.related_model._meta.app_label in RANK
        and RANK[field.related_model._meta.app_label] > RANK[model._meta.app_label]
    )
    assert wrong == []


def test_no_app_imports_another_apps_views():
    wrong = sorted(
        f"{module} imports {imported}"
        for module, targets in project_graph().items()
        for imported in targets
        if app_of(imported) != app_of(module) and imported.split(".")[-1] == "views"
    )
    assert wrong == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_modules_import_each_other_in_a_circle():
    assert cycles(project_graph()) == []


def test_the_checks_see_a_circle_and_a_wrong_way_import():
    # The checks themselves can fail: a circle of three modules is found...
    assert cycles({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}}) == [["a.x", "a.y", "a.z"]]
    # ...and the real graph does hold imports both within and across apps.
    graph = project_graph()
    assert "boards.models" in graph["meetings.models"]
    assert "meetings.models" in graph["meetings.views"]


def test_every_app_is_ranked():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"core"}
    assert apps == set(RANK)
