"""Golden files: the bundled example built with its own decisions file.

Regenerate after an intended change (then review the diff):

    UNIFY_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_build_golden.py

The golden modules are also executed, as a generator's output must be: imported in a
subprocess, mappers configured, tables created on SQLite, every legacy import satisfied.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clihelp import BuiltExample

from unify.analyze import analyze_repo
from unify.build import build_modules, run_build
from unify.decisions import load_plan
from unify.models import BuildResult

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "unify" / "examples" / "seqpt_legacy"
GOLDEN = ROOT / "tests" / "golden"
GOLDEN_FILES = {"unified": "seqpt_models.py", "compat": "seqpt_models_compat.py"}
REGEN = os.environ.get("UNIFY_REGEN_GOLDEN") == "1"


@pytest.fixture(scope="module")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    repo = tmp_path_factory.mktemp("golden") / "seqpt_legacy"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.db"))
    result = run_build(repo, analyze_repo(repo), load_plan(repo / "unify.toml"))
    return repo, result


@pytest.mark.parametrize("role", sorted(GOLDEN_FILES))
def test_golden(example_build: tuple[Path, BuildResult], role: str) -> None:
    _, result = example_build
    built = next(f for f in result.files if f.role == role)
    golden = GOLDEN / GOLDEN_FILES[role]
    if REGEN:
        golden.write_text(built.text, encoding="utf-8")
    assert built.text == golden.read_text(encoding="utf-8")


def test_example_build_passes_its_self_check(example_build: tuple[Path, BuildResult]) -> None:
    _, result = example_build
    assert [f for f in result.findings if f.severity.value == "error"] == []
    assert (result.classes, result.merged) == (16, 3)


def test_the_unified_module_meets_the_plan() -> None:
    unified = (GOLDEN / GOLDEN_FILES["unified"]).read_text()
    titles = [
        "SECTION 1: DATABASE INITIALISATION",
        "SECTION 2: CORE ENTITIES",
        "SECTION 3: USER MANAGEMENT",
        "SECTION 4: ASSESSMENT AND RESULTS",
        "SECTION 5: LEARNING AND QUALIFICATION",
        "SECTION 6: QUESTIONNAIRES AND SURVEYS",
    ]
    positions = [unified.index(t) for t in titles]
    assert positions == sorted(positions)
    assert unified.count("db = SQLAlchemy()") == 1
    assert unified.count("class User(") == 1 and "class MVPUser" not in unified
    # MVPUser's authentication, User's relationships
    assert "generate_password_hash(password, method='pbkdf2:sha256')" in unified
    assert (
        "assessments = db.relationship('Assessment', back_populates='user', lazy='dynamic')"
        in unified
    )
    assert (
        "learning_plans = db.relationship('LearningPlan', back_populates='user', lazy=True)"
        in unified
    )
    assert (
        "organizations" not in unified and "String(36), db.ForeignKey('organization" not in unified
    )
    assert (
        "relationship('MVPUser'" not in unified
        and "user = db.relationship('User', backref='maturity_assessments')" in unified
    )
    assert (
        "extend_existing" not in unified
        and "_get_db" not in unified
        and "placeholder" not in unified.lower()
    )
    compat = (GOLDEN / GOLDEN_FILES["compat"]).read_text()
    for alias in (
        "MVPUser = User",
        "SECompetency = Competency",
        "SERole = RoleCluster",
        "CompetencyAssessment = CompetencyAssessmentResult",
    ):
        assert alias in compat


def _imported_from_outside(path: Path, repository_modules: set[str]) -> set[str]:
    """Top-level names a module binds by importing them from outside the repository (the
    compat module leaves them out: they are not legacy names)."""
    import ast

    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "") not in repository_modules:
            out |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.asname or a.name.split(".")[0] for a in node.names if a.name not in repository_modules}
    return out


def test_golden_modules_import_map_and_create(tmp_path: Path) -> None:
    shutil.copy(GOLDEN / GOLDEN_FILES["unified"], tmp_path / "models.py")
    shutil.copy(GOLDEN / GOLDEN_FILES["compat"], tmp_path / "models_compat.py")
    inventory = analyze_repo(EXAMPLE)
    legacy = {m.name for m in inventory.modules}
    wanted = sorted(
        {
            n.name
            for r in inventory.imports
            if r.target in legacy and r.form.startswith("from")
            for n in r.names
        }
        | {
            e
            for m in inventory.modules
            for e in m.exports
            if not e.startswith("_") and e not in _imported_from_outside(EXAMPLE / m.path, legacy)
        }
    )
    script = (
        "import json, sys, sqlalchemy as sa\n"
        "from sqlalchemy.orm import configure_mappers\n"
        "import models, models_compat\n"
        "configure_mappers()\n"
        "models.db.metadata.create_all(sa.create_engine('sqlite://'))\n"
        "names = json.loads(sys.argv[1])\n"
        "print(json.dumps({'tables': sorted(models.db.metadata.tables),"
        " 'missing': [n for n in names if not hasattr(models_compat, n)],"
        " 'legacy': sorted(m for m in ('mvp_models', 'unified_models') if m in sys.modules)}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, json.dumps(wanted)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    outcome = json.loads(proc.stdout)
    assert outcome["legacy"] == []
    assert "organization" in outcome["tables"] and "organizations" not in outcome["tables"]
    assert len(outcome["tables"]) == 17  # 15 model tables + 2 association tables
    # only names no legacy module ever defined may be missing (the planted broken import)
    assert outcome["missing"] == ["QuestionnaireTemplate"]


def test_build_from_the_cli_on_a_copy(built_example: BuiltExample) -> None:
    proc, example_copy = built_example.build, built_example.root
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (example_copy / "models.py").read_text() == (
        GOLDEN / GOLDEN_FILES["unified"]
    ).read_text()
    assert (example_copy / "models_compat.py").read_text() == (
        GOLDEN / GOLDEN_FILES["compat"]
    ).read_text()


def test_building_the_example_twice_gives_the_same_bytes() -> None:
    plan = load_plan(EXAMPLE / "unify.toml")
    first = build_modules(EXAMPLE, analyze_repo(EXAMPLE), plan)
    second = build_modules(EXAMPLE, analyze_repo(EXAMPLE), plan)
    assert [f.text for f in first.files] == [f.text for f in second.files]


def test_the_proposed_defaults_build_the_example_and_pass_the_self_check(tmp_path: Path) -> None:
    from unify.decisions import propose_plan

    repo = tmp_path / "seqpt_legacy"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.db"))
    inventory = analyze_repo(repo)
    result = run_build(repo, inventory, propose_plan(inventory))
    assert [f for f in result.findings if f.severity.value == "error"] == []
    unified = result.files[0].text
    assert unified.count("class User(") == 1 and "organizations" not in unified
