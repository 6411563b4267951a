"""The import skeleton (``rewrite.skeleton``): libcst parses the statements around the imports,
not the whole file, and the rewrite gives exactly what it gives from the whole file."""

from __future__ import annotations

import ast
import re

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rewrite_helpers import BASE, CASES, RENAME_MAP

from unify.models import SourceFile
from unify.rewrite.map import build_rename_index
from unify.rewrite.skeleton import import_skeleton
from unify.rewrite.source import rewrite_source
from unify.scan import list_repo_files, module_index

NAMES = build_rename_index(RENAME_MAP, module_index(BASE, list_repo_files(BASE).python))
IMPORTER = SourceFile(rel="app/case.py", module="app.case", root="")
_LINE_ENDS = re.compile(r"\r\n|\r|\n")

TRICKY = '''\
"""A module docstring."""
import os
from mvp_models import MVPUser  # the user


def first():
    return 0


@decorator(
    option=1,
)
def helper(session):
    query = session.query(MVPUser)
    return query.all()


def inner(session):
    value = 1; from models import SECompetency
    if value:
        x = 2
    elif value > 3:
        from mvp_models import MVPAssessment
        return MVPAssessment
    else:
        y = [
            1,
            2,
        ]
    return SECompetency, x, y


try:
    from mvp_models import MVPUser as Fallback
except ImportError:
    Fallback = None
    helper = lambda: 1

class Holder: value = 1

class Loader:
    """Loads."""

    def load(self):
        import mvp_models
        return mvp_models.MVPUser

    def other(self):
        return {"a": 1}
'''


def _lines(text: str) -> list[str]:
    return _LINE_ENDS.split(text)


def _exports(module: str) -> frozenset[str] | None:
    return None


def test_the_skeleton_keeps_every_import_line_and_the_line_numbers() -> None:
    tree = ast.parse(TRICKY)
    skeleton = import_skeleton(TRICKY, tree)
    assert skeleton is not None
    before, after = _lines(TRICKY), _lines(skeleton)
    assert len(after) == len(before)
    skeleton_tree = ast.parse(skeleton)
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    kept = [n for n in ast.walk(skeleton_tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert [ast.dump(n, include_attributes=True) for n in imports] == [
        ast.dump(n, include_attributes=True) for n in kept
    ]
    for node in imports:  # the import lines themselves, comments included
        assert after[node.lineno - 1] == before[node.lineno - 1]
    cst.parse_module(skeleton)  # libcst reads it


def test_what_holds_no_import_becomes_pass_at_its_indentation() -> None:
    skeleton = import_skeleton(TRICKY, ast.parse(TRICKY))
    assert skeleton is not None
    before, after = _lines(TRICKY), _lines(skeleton)

    def replaced(first: str, count: int, indent: str) -> None:
        start = before.index(first)
        if count == 1:
            assert after[start] == f"{indent}pass"
        else:  # one string over the lines
            assert after[start : start + count] == [f'{indent}"""', *[""] * (count - 2), '"""']

    replaced('"""A module docstring."""', 1, "")
    replaced("    return 0", 1, "    ")  # the body of the first indented block, not its header
    replaced("@decorator(", 6, "")  # decorators and body of a function importing nothing
    replaced("        x = 2", 1, "        ")
    replaced("        y = [", 4, "        ")  # a statement over four lines
    replaced("class Holder: value = 1", 1, "")
    replaced('    """Loads."""', 1, "    ")
    replaced("    def other(self):", 2, "    ")


def test_what_the_skeleton_keeps_as_written() -> None:
    skeleton = import_skeleton(TRICKY, ast.parse(TRICKY))
    assert skeleton is not None
    before, after = _lines(TRICKY), _lines(skeleton)
    for written in (
        "    value = 1; from models import SECompetency",  # shares its line with an import
        "    elif value > 3:",  # an elif is a header, never a statement to replace
        "    Fallback = None",  # a try holding an import is kept whole (fallbacks are read)
        "    helper = lambda: 1",
        "        import mvp_models",
        "    def load(self):",
        "def first():",  # the first indented block's header (libcst reads the indentation)
    ):
        assert written in before
        assert written in after


def test_the_first_indented_block_stays_so_libcst_detects_the_same_indentation() -> None:
    text = "def first():\n  return 1\n\n\ndef second():\n    import mvp_models\n    return 2\n"
    skeleton = import_skeleton(text, ast.parse(text))
    assert skeleton is not None
    assert skeleton.startswith("def first():\n  pass\n")
    assert "\n    import mvp_models\n    pass\n" in skeleton
    assert cst.parse_module(skeleton).default_indent == cst.parse_module(text).default_indent


def test_line_ends_and_a_missing_final_newline_are_kept() -> None:
    text = "import os\r\ndef f():\r\n    return os\r\nx = 1\r\ny = (\r\n  1\r\n)"
    skeleton = import_skeleton(text, ast.parse(text))
    assert skeleton == 'import os\r\ndef f():\r\n    pass\r\npass\r\n"""\r\n\r\n"""'
    assert ast.parse(skeleton).body[-1].end_lineno == 7


def test_nothing_to_replace_gives_none() -> None:
    text = "import os\nfrom mvp_models import MVPUser\n"
    assert import_skeleton(text, ast.parse(text)) is None


@pytest.mark.parametrize(
    "case", sorted(p.name for p in CASES.glob("*.py") if ".expected" not in p.name)
)
def test_every_rewrite_case_gives_the_same_result_from_the_skeleton(case: str) -> None:
    text = (CASES / case).read_text(encoding="utf-8")
    whole = rewrite_source(text, "app/case.py", IMPORTER, NAMES, _exports, skeleton=False)
    assert rewrite_source(text, "app/case.py", IMPORTER, NAMES, _exports) == whole


def test_the_tricky_module_gives_the_same_result_from_the_skeleton() -> None:
    whole = rewrite_source(TRICKY, "app/case.py", IMPORTER, NAMES, _exports, skeleton=False)
    assert whole.text != TRICKY  # (it is rewritten)
    assert rewrite_source(TRICKY, "app/case.py", IMPORTER, NAMES, _exports) == whole


BLOCKS = (
    "from mvp_models import MVPUser\n",
    "import mvp_models\n",
    "from models import SECompetency  # note\n",
    "x = MVPUser.query.all()\n",
    "y = mvp_models.MVPUser\n",
    "@wrap\ndef f(a):\n    return a + 1\n",
    "def g():\n    from mvp_models import MVPAssessment\n    return MVPAssessment\n",
    "def h():\n  value = [\n    1,\n  ]\n  return value\n",
    "class K:\n    def m(self):\n        import mvp_models\n        return mvp_models\n",
    "if a:\n    b = 1\nelif c:\n    from mvp_models import MVPUser\nelse:\n    d = 2\n",
    "try:\n    from mvp_models import MVPUser\nexcept ImportError:\n    MVPUser = None\n",
    "for i in range(2): pass\n",
    "while False:\n    import os\nelse:\n    e = 3\n",
    "z = 1; import mvp_models\n",
    "with open('f') as fh:\n    data = fh.read()\n",
    "s = '''\nfrom mvp_models import MVPUser\n'''\n",
    "\n# a comment\n",
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=10),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_any_mix_gives_the_same_result_from_the_skeleton(parts: list[str], newline: str) -> None:
    text = "".join(parts).replace("\n", newline)
    whole = rewrite_source(text, "app/case.py", IMPORTER, NAMES, _exports, skeleton=False)
    assert rewrite_source(text, "app/case.py", IMPORTER, NAMES, _exports) == whole
