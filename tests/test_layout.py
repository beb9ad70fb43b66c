"""The layout shows the architecture: the model imports nothing of the experiments, Hydra, files or plots, and
the experiments package's modules import each other without a cycle (lazy imports inside functions count)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]


def imports(package: str) -> nx.DiGraph:
    """Module -> imported module, for every import of the project's own packages anywhere in `package`."""
    graph = nx.DiGraph()
    for path in sorted((ROOT / package).rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        graph.add_node(name)
        for node in ast.walk(ast.parse(path.read_text())):
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
            graph.add_edges_from((name, t) for t in targets if t.split(".")[0] in ("model", "experiments"))
    return graph


def test_the_experiments_package_has_no_import_cycle():
    graph = imports("experiments")
    graph.remove_edges_from(list(nx.selfloop_edges(graph)))   # run.py's __main__ imports its importable self
    cycles = list(nx.simple_cycles(graph.subgraph([n for n in graph if n.startswith("experiments")])))
    assert not cycles, f"import cycles: {cycles}"


def test_the_model_imports_nothing_of_experiments_hydra_files_or_plots():
    for path in (ROOT / "model").rglob("*.py"):
        tree = ast.parse(path.read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        banned = {m for m in names if m.split(".")[0] in ("experiments", "hydra", "omegaconf", "matplotlib",
                                                            "pyarrow", "solara")}
        assert not banned, f"{path.relative_to(ROOT)} imports {sorted(banned)}"
