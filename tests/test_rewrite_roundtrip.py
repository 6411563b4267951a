"""Round trips: a file that imports no legacy module comes back byte-identical, however it
mentions legacy names (comments, docstrings, strings, attributes, parameters) and whatever
its newline style, BOM or final newline."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rewrite_helpers import BASE, RENAME_MAP, make_repo

from unify.models import Rewritten, SourceFile
from unify.rewrite.map import build_rename_index
from unify.rewrite.source import rewrite_source
from unify.rewrite_imports import apply_rewrites, rewrite_repo
from unify.scan import list_repo_files, module_index

SNIPPETS = (
    "# mentions mvp_models and MVPUser, from models import SECompetency\n",
    '"""Docstring: from mvp_models import MVPUser; import unified_models."""\n',
    'NAME = "mvp_models.MVPUser"\n',
    "TABLE = 'mvp_users'\n",
    "def load(MVPUser, models=None):\n    return MVPUser, models\n",
    "class Holder:\n    mvp_models = None\n    SECompetency = 1\n",
    "import json as mvp_models\n",
    "from collections import OrderedDict as MVPUser  # not the model\n",
    "value = Holder.mvp_models\n",
    "if True:\n    import os\n",
    "try:\n    import yaml\nexcept ImportError:\n    yaml = None\n",
    "s = f'{NAME} mvp_models'\n",
    "x = [MVPUser for MVPUser in range(3)]\n",
    "\n",
    "\tpass\n",
)

NAMES = build_rename_index(RENAME_MAP, module_index(BASE, list_repo_files(BASE).python))
IMPORTER = SourceFile(rel="app/case.py", module="app.case", root="")


def _exports(module: str) -> frozenset[str] | None:
    return None


def _compose(parts: list[str], newline: str, final_newline: bool) -> str:
    text = "".join(p for p in parts if not p.startswith("\t"))
    if not final_newline:
        text = text.rstrip("\n")
    return text.replace("\n", newline)


sources = st.builds(
    _compose,
    st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(text=sources)
def test_source_without_legacy_imports_is_unchanged(text: str) -> None:
    result = rewrite_source(text, "app/case.py", IMPORTER, NAMES, _exports)
    assert result.text == text
    assert not result.changes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=sources, bom=st.booleans())
def test_files_without_legacy_imports_keep_every_byte(text: str, bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        repo = make_repo(Path(tmp))
        (repo / "app" / "case.py").write_bytes(data)
        before = (repo / "app" / "case.py").read_bytes()
        result = rewrite_repo(repo, RENAME_MAP, jobs=1)
        assert not [o for o in result.outcomes if isinstance(o, Rewritten)]
        apply_rewrites(result)
        assert (repo / "app" / "case.py").read_bytes() == before
