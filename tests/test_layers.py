"""The architecture as a test: each layer of ``verify`` imports only the layers below it.

    base         errors, verdict, seeding, stats, evidence  (numpy/scipy; no torch at import)
    lab          lab.* (models, data, train, memo, measure)  -> base
    experiments  experiments.*                               -> base, lab
    claims       claim, bank, the package root               -> base
    run          runner, cache, session, worker, stability   -> base, lab (the data digest), claims
    grading      answers, quotes, coverage, grade*, draft, report, figures, gradebook, gradescope, review
                                                             -> base, lab (data for figures), claims, run
    shells       cli, plugin, __main__                       -> anything

Function-level (lazy) imports count too: a lazy import upward is still a dependency upward.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "verify"

LAYERS = {
    "base": ("errors", "verdict", "seeding", "stats", "evidence"),
    "lab": ("lab",),
    "experiments": ("experiments",),
    "claims": ("claim", "bank", "__init__"),
    "run": ("runner", "cache", "session", "worker", "stability"),
    "grading": ("answers", "quotes", "output", "coverage", "grade", "grade_command", "gradebook", "gradescope", "draft", "report",
                "figures", "review"),
    "shells": ("cli", "plugin", "__main__"),
}
ALLOWED = {
    "base": {"base"},
    "lab": {"base", "lab"},
    "experiments": {"base", "lab", "experiments"},
    "claims": {"base", "claims"},
    "run": {"base", "lab", "claims", "run"},
    "grading": {"base", "lab", "claims", "run", "grading"},
    "shells": set(LAYERS),
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"] or ["__init__"]
    return ".".join(parts)


def _layer(module: str) -> str:
    head = module.split(".")[0]
    for layer, names in LAYERS.items():
        if head in names:
            return layer
    raise AssertionError(f"verify.{module} belongs to no layer: add it to LAYERS in tests/test_layers.py")


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """verify modules imported in ``path`` (absolute or relative), as dotted names under verify."""
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    if package == ["__init__"]:
        package = []
    out = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "verify" or a.name.startswith("verify."):
                    out.add(a.name[len("verify."):] if a.name != "verify" else "__init__")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == "verify" or node.module.startswith("verify.")):
                target = node.module[len("verify."):] if node.module != "verify" else ""
            else:
                continue
            if target:
                out.add(target)
            else:  # "from verify import x" / "from . import x": x may be a submodule
                for a in node.names:
                    out.add(a.name if (SRC / a.name).exists() or (SRC / f"{a.name}.py").exists() else "__init__")
    return out


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py"))


def test_every_module_has_a_layer():
    """Every module of the library is placed in one layer of the architecture."""
    for path in _modules():
        _layer(_module_name(path))


def test_no_layer_imports_upward():
    """No module imports a module of a layer above its own (lazy imports included)."""
    bad = []
    for path in _modules():
        mine = _layer(_module_name(path))
        for target in _imports(path):
            theirs = _layer(target)
            if theirs not in ALLOWED[mine]:
                bad.append(f"verify.{_module_name(path)} ({mine}) imports verify.{target} ({theirs})")
    assert not bad, "layer rule broken:\n  " + "\n  ".join(sorted(bad))


def test_no_import_cycle_between_modules():
    """Module-level imports between the library's modules form no cycle."""
    graph = {_module_name(p): _imports(p, top_level_only=True) for p in _modules()}
    seen: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in graph and nxt != node:
                visit(nxt)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
