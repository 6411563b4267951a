"""The rewritten text as edits of the original (``rewrite.splice``) equals the rebuilt
module's generated code, at any depth, with comments, blank lines and odd indentation."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from unify.rewrite.splice import overlapping, splice, statement_edits
from unify.rewrite.walk import StructureRebuilder

SOURCES = [
    "import os\nfrom old import A\n\nx = A()\n",
    "import os\n\n# about old\nfrom old import A, B  # trailing\nfrom old import C\ny = 1\n",
    (
        "def f():\n"
        "    # leading comment\n"
        "\n"
        "    from old import A\n"
        "    return A\n"
        "\n"
        "class K:\n"
        "  def g(self):\n"
        "      if True:\n"
        "         from old import (\n"
        "             B,\n"
        "         )\n"
        "      else:\n"
        "         from old import C; z = 2\n"
        "      return 1\n"
    ),
    (
        "try:\n"
        "\tfrom old import A\n"
        "except ImportError:\n"
        "\tfrom old import B\n"
        "else:\n"
        "\tpass\n"
        "finally:\n"
        "\tfrom old import C\n"
        "for i in range(3):\n"
        "    pass\n"
        "else:\n"
        "    from old import D\n"
        "with open('f') as h:\n"
        "    from old import E\n"
    ),
    "if x:\n    pass\nelif y:\n    from old import A\nelse:\n    from old import B\n",
]


def _renamed(line: cst.SimpleStatementLine) -> cst.BaseStatement | None:
    """``from old import ...`` -> ``from new_module import ...``, plus an extra line."""
    body = list(line.body)
    hit = False
    for i, small in enumerate(body):
        module = small.module if isinstance(small, cst.ImportFrom) else None
        if isinstance(module, cst.Name) and module.value == "old":
            body[i] = small.with_changes(module=cst.Name("new_module"))
            hit = True
    if not hit:
        return None
    extra = cst.parse_statement("import extra\n")
    return cst.FlattenSentinel([line.with_changes(body=body), extra])  # type: ignore[return-value]


def _rebuild(module: cst.Module) -> tuple[cst.Module, dict[int, cst.CSTNode]]:
    rebuilder = StructureRebuilder(
        line=_renamed,
        suite=lambda node: None,
        body=lambda body: None,
        enter=lambda node, entering: None,
        compound=lambda node: None,
    )
    return rebuilder.module(module), rebuilder.origins


@pytest.mark.parametrize("text", SOURCES)
def test_edits_give_the_generated_code(text: str) -> None:
    module = cst.parse_module(text)
    rebuilt, origins = _rebuild(module)
    assert rebuilt is not module
    edits = statement_edits(text, module, rebuilt, ast.parse(text), origins)
    assert edits is not None
    assert splice(text, edits) == rebuilt.code
    # only the import lines are regenerated, never a whole function or class
    assert all("def " not in new and "class " not in new for _, _, new in edits)


def test_unsure_without_a_trailing_newline() -> None:
    text = "x = 1\nfrom old import A"
    module = cst.parse_module(text)
    rebuilt, origins = _rebuild(module)
    assert statement_edits(text, module, rebuilt, ast.parse(text), origins) is None
    assert rebuilt.code.endswith("import extra")


def test_overlapping() -> None:
    regions = [(10, 20, "x")]
    assert overlapping([(15, 16, "y")], regions)
    assert not overlapping([(20, 22, "y"), (0, 10, "z")], regions)
