"""LibCST's own ``RenameCommand`` test cases, run through ``unify rewrite``.

The cases are read from the installed libcst (``libcst/codemod/commands/tests/test_rename.py``):
each test's ``before`` and expected ``after`` code and its ``old_name``/``new_name``.  A case
that fits unify's model becomes a tiny repository (the modules it names, as files) and a
rename map: ``module`` when ``old_name`` is a module that moves (``ModuleMove``), ``name`` when
it is a name of a module that moves to another module or another name (``Rename``).  unify's
output must then be byte for byte LibCST's expected code, or resolve every use outside the
import lines to the same qualified names (LibCST's ``QualifiedNameProvider`` on both), or
the file must be reported (a finding that makes ``rewrite --check`` exit 1).

Out of unify's model: renames of a package that carry its submodules (``a`` -> ``c`` with
``a.b`` imported), names that are not a module's (a local variable, a builtin), and targets
written with LibCST's ``module:object`` colon syntax that name a nested object.

Of the 48 cases, 39 fit: 17 give LibCST's code byte for byte, 19 the same qualified names
(unify keeps an ``as`` name, an unused import, or the order of import lines where LibCST
changes them; a name reached through a module binding becomes the name, imported from its new
module), and 3 are reported (the new name is already used in the file, or a moved module is
reached through its package); none fails.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import libcst as cst
import pytest
from clihelp import write_files
from libcst.metadata import MetadataWrapper, QualifiedNameProvider

from unify.models import ModuleMove, Rename, RenameMap, Rewritten
from unify.report.rewrite import rewrite_exit_code
from unify.rewrite_imports import LEFT_BEHIND, rewrite_repo

SOURCE = Path(cst.__file__).parent / "codemod" / "commands" / "tests" / "test_rename.py"
Kind = Literal["module", "name"]
Verdict = Literal["identical", "qualified", "reported"]

# why each case outside unify's model is left out
OUT_OF_MODEL = {
    "test_rename_to_builtin": "the new name is a builtin, not a module's",
    "test_rename_module_import_2": "a package rename carrying its submodules",
    "test_rename_module_import_from_2": "a package rename carrying its submodules",
    "test_rename_local_variable": "a local variable, not a module's name",
    "test_rename_import_prefix": "a package rename carrying its submodules",
    "test_rename_import_from_prefix": "a package rename carrying its submodules",
    "test_rename_multiple_imports": "a package rename carrying its submodules",
    "test_input_with_colon_sep": "a colon target naming a nested object",
    "test_rename_single_with_colon": "a colon target naming a nested object",
}
# cases whose old name is a module (the others: a name of a module)
MODULES = {
    "test_rename_attr_asname_2",
    "test_rename_module_import",
    "test_rename_module_import_no_change",
    "test_rename_module_import_from",
    "test_no_codemod",
    "test_input_with_colon_sep_at_the_end",
    "test_import_parent_module_3",
    "test_push_down_toplevel_names",
    "test_push_down_toplevel_names_with_asname",
}
# what each fitting case gives (the counts in the docstring are these)
EXPECTED: dict[str, Verdict] = {
    "test_rename_name": "identical",
    "test_rename_name_asname": "qualified",
    "test_rename_repeated_name_with_asname": "qualified",
    "test_rename_attr": "qualified",
    "test_rename_attr_asname": "qualified",
    "test_rename_attr_asname_2": "qualified",
    "test_rename_module_import": "identical",
    "test_rename_module_import_no_change": "identical",
    "test_rename_module_import_from": "identical",
    "test_rename_class": "identical",
    "test_rename_importfrom_same_module": "identical",
    "test_rename_importfrom_same_module_2": "qualified",
    "test_import_same_module": "identical",
    "test_import_same_dotted_module": "identical",
    "test_module_does_not_change": "identical",
    "test_other_imports_untouched": "qualified",
    "test_comma_import": "reported",
    "test_other_import_froms_untouched": "qualified",
    "test_comma_import_from": "identical",
    "test_comma_import_from_parens": "qualified",
    "test_no_removal_of_import_in_use": "qualified",
    "test_no_removal_of_dotted_import_in_use": "qualified",
    "test_no_removal_of_import_from_in_use": "identical",
    "test_other_unused_imports_untouched": "qualified",
    "test_complex_module_rename": "qualified",
    "test_complex_module_rename_with_asname": "qualified",
    "test_names_with_repeated_substrings": "identical",
    "test_repeated_name": "identical",
    "test_no_codemod": "identical",
    "test_rename_multiple_occurrences": "qualified",
    "test_input_with_colon_sep_at_the_end": "qualified",
    "test_input_with_colon_sep_at_the_front": "identical",
    "test_no_change_because_no_match_was_found": "identical",
    "test_import_parent_module": "qualified",
    "test_import_parent_module_2": "reported",
    "test_import_parent_module_3": "reported",
    "test_import_parent_module_asname": "qualified",
    "test_push_down_toplevel_names": "identical",
    "test_push_down_toplevel_names_with_asname": "qualified",
}


@dataclass(frozen=True)
class Case:
    name: str
    before: str
    after: str
    old: str
    new: str


def libcst_cases() -> list[Case]:
    """Every ``assertCodemod`` of LibCST's rename tests, with its code dedented."""
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    out: list[Case] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        texts: dict[str, str] = {}
        for stmt in node.body:
            if (
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Constant)
            ):
                texts[stmt.targets[0].id] = textwrap.dedent(stmt.value.value).lstrip("\n")
        call = next(n for n in ast.walk(node) if isinstance(n, ast.Call) and _is_assert(n.func))
        args = [a.id for a in call.args if isinstance(a, ast.Name)]
        kwargs = {k.arg: k.value.value for k in call.keywords if isinstance(k.value, ast.Constant)}
        out.append(
            Case(node.name, texts[args[0]], texts[args[1]], kwargs["old_name"], kwargs["new_name"])
        )
    return out


def _is_assert(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == "assertCodemod"


def _dotted(target: str) -> str:
    """LibCST's ``module:object`` as a dotted name (a colon at either end names a module)."""
    return target.strip(":").replace(":", ".")


def rename_map(case: Case) -> RenameMap:
    old, new = _dotted(case.old), _dotted(case.new)
    if case.name in MODULES:
        return RenameMap(moves=(ModuleMove(legacy=old, target=new),))
    old_module, _, old_name = old.rpartition(".")
    new_module, _, new_name = new.rpartition(".")
    rename = Rename(
        legacy_module=old_module, legacy_name=old_name, module=new_module, name=new_name
    )
    return RenameMap(moves=(), renames=(rename,))


def module_files(case: Case) -> dict[str, str]:
    """A file for every module the map names, and the packages above them."""
    mapping = rename_map(case)
    modules = {m.legacy for m in mapping.moves} | {m.target for m in mapping.moves}
    modules |= {r.legacy_module for r in mapping.renames} | {r.module for r in mapping.renames}
    files: dict[str, str] = {}
    for module in sorted(m for m in modules if m):
        parts = module.split(".")
        for i in range(1, len(parts)):
            files.setdefault("/".join(parts[:i]) + "/__init__.py", "")
        files["/".join(parts) + ".py"] = ""
    for rel in [r for r in files if not r.endswith("__init__.py")]:
        package = rel[: -len(".py")] + "/__init__.py"
        if any(other.startswith(rel[: -len(".py")] + "/") for other in files):
            files[package] = files.pop(rel)  # a module that is also a package
    return files


def qualified_uses(code: str) -> list[frozenset[str]]:
    """The qualified names of every name and attribute chain outside the import lines."""
    out: list[frozenset[str]] = []

    class Uses(cst.CSTVisitor):
        METADATA_DEPENDENCIES = (QualifiedNameProvider,)

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            out.append(self._names(node))
            return False

        def visit_Name(self, node: cst.Name) -> None:
            out.append(self._names(node))

        def _names(self, node: cst.CSTNode) -> frozenset[str]:
            found = self.get_metadata(QualifiedNameProvider, node, set())
            return frozenset(q.name for q in found)

    MetadataWrapper(cst.parse_module(code)).visit(Uses())
    return out


def fitting() -> Iterator[Case]:
    if not SOURCE.is_file():
        return
    for case in libcst_cases():
        if case.name not in OUT_OF_MODEL:
            yield case


def run_case(tmp_path: Path, case: Case) -> Verdict:
    repo = write_files(tmp_path / "repo", {**module_files(case), "case.py": case.before})
    result = rewrite_repo(repo, rename_map(case), jobs=1)
    (outcome,) = [o for o in result.outcomes if o.path == "case.py"] or [None]
    text = outcome.new_text if isinstance(outcome, Rewritten) else case.before
    compile(text, "case.py", "exec")
    if text == case.after:
        return "identical"
    if qualified_uses(text) == qualified_uses(case.after):
        return "qualified"
    findings = getattr(outcome, "findings", ())
    assert any(f.rule in LEFT_BEHIND for f in findings), (text, case.after, findings)
    assert rewrite_exit_code(result, check=True) == 1
    return "reported"


def test_the_libcst_cases_are_there() -> None:
    cases = libcst_cases()
    assert len(cases) == 48
    assert set(OUT_OF_MODEL) <= {c.name for c in cases}
    assert len(list(fitting())) == 39


@pytest.mark.parametrize("case", list(fitting()), ids=lambda c: c.name)
def test_libcst_rename_case(tmp_path: Path, case: Case) -> None:
    verdict = run_case(tmp_path, case)
    assert verdict == EXPECTED[case.name]
