"""``unify diagram`` and ``unify docs`` on the bundled example: golden Mermaid and DOT of
the built module, the same picture from the plan before the build, the SVG drawn by
Graphviz naming every table and foreign key, the legacy picture marking each planted
conflict (PLANTED.md rows 1-4), and MODELS.md with ``--check``.

Regenerate the golden files after an intended change (then review the diff):

    UNIFY_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_diagram.py
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from unify.analyze import analyze_repo
from unify.build import run_build, write_build
from unify.decisions import load_plan
from unify.diagram import (
    diagram_from_inventory,
    render_dot,
    render_markdown,
    select_section,
)
from unify.errors import InputError
from unify.models import SchemaShape
from unify.verify_fks import load_schema

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "unify" / "examples" / "seqpt_legacy"
GOLDEN = ROOT / "tests" / "golden"
REGEN = os.environ.get("UNIFY_REGEN_GOLDEN") == "1"
# the user table, with the two classes (and their tables) merged into it
USERS_NODE = (
    'users["users (merges mvp_models.MVPUser, mvp_models.PortalUserV2; '
    'absorbs mvp_users, portal_users_v2)"]'
)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db")


def run_unify(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "unify", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example with the unified module built into it."""
    repo = tmp_path_factory.mktemp("diagram") / "seqpt_legacy"
    shutil.copytree(EXAMPLE, repo, ignore=IGNORE)
    result = run_build(repo, analyze_repo(repo), load_plan(repo / "unify.toml"))
    assert [f for f in result.findings if f.severity.value == "error"] == []
    write_build(repo, result.files)
    return repo


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example before the build."""
    repo = tmp_path_factory.mktemp("legacy") / "seqpt_legacy"
    shutil.copytree(EXAMPLE, repo, ignore=IGNORE)
    return repo


def diagram_text(repo: Path, *args: str) -> str:
    proc = run_unify("diagram", str(repo), "--plan", str(repo / "unify.toml"), *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def check_golden(text: str, name: str) -> None:
    golden = GOLDEN / name
    if REGEN:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


# --- the unified schema -------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "golden"), [("mermaid", "seqpt_diagram.md"), ("dot", "seqpt_diagram.dot")]
)
def test_golden_diagram_of_the_built_module(built: Path, fmt: str, golden: str) -> None:
    check_golden(diagram_text(built, "--format", fmt), golden)


def test_the_golden_diagram_names_every_table_and_foreign_key_of_the_built_module(
    built: Path,
) -> None:
    schema = load_schema(built, "models")
    assert isinstance(schema, SchemaShape)
    mermaid = (GOLDEN / "seqpt_diagram.md").read_text()
    dot = (GOLDEN / "seqpt_diagram.dot").read_text()
    for table in schema.tables:
        assert f"    {table.name}" in mermaid and f'"{table.name}" [label=' in dot
        for fk in table.foreign_keys:
            assert f"    {fk.target_table} " in mermaid and f"o{{ {table.name} :" in mermaid
            assert f'tooltip="{fk.line}"' in dot


def test_merged_and_renamed_tables_are_marked() -> None:
    mermaid = (GOLDEN / "seqpt_diagram.md").read_text()
    assert USERS_NODE in mermaid
    assert 'organization["organization (absorbs organizations)"]' in mermaid
    assert 'competency["competency (merges models.Competency)"]' in mermaid
    assert "#ffd591" in (GOLDEN / "seqpt_diagram.dot").read_text()  # the merged style


def test_the_plan_draws_the_same_picture_before_the_build(legacy: Path, built: Path) -> None:
    before = diagram_text(legacy, "--format", "dot")
    after = diagram_text(built, "--format", "dot")
    assert "from the plan, before the build" in before and "from the built module" in after
    assert before.replace("the plan, before the build", "the built module") == after
    forced = diagram_text(built, "--format", "dot", "--from", "plan")
    assert "from the plan, before the build" in forced


def test_from_built_before_the_build_is_an_input_error(legacy: Path) -> None:
    proc = run_unify(
        "diagram", str(legacy), "--plan", str(legacy / "unify.toml"), "--from", "built"
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --from built: models.py is not built yet; run `unify build` first"
    ]


def test_one_section_keeps_the_tables_it_reaches_as_outside_nodes(built: Path) -> None:
    text = diagram_text(built, "--section", "User management")
    assert "# Unified schema: models, section User management" in text
    assert USERS_NODE + " {" in text
    assert 'organization["organization (in Core entities)"]\n' in text
    assert "    competency[" not in text and "questionnaires" not in text
    assert "organization |o--o{ users" in text and "users ||--o{ assessments" in text


def test_an_unknown_section_is_a_one_line_error(built: Path) -> None:
    proc = run_unify(
        "diagram", str(built), "--plan", str(built / "unify.toml"), "--section", "Nope"
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --section 'Nope': no such section (sections: Database initialisation, "
        "Core entities, User management, Assessment and results, Learning and "
        "qualification, Questionnaires and surveys)"
    ]


# --- SVG / PNG through Graphviz -----------------------------------------------


def _need_dot() -> None:
    if shutil.which("dot") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Graphviz `dot` is missing in CI (.ci/run installs graphviz)")
        pytest.skip("Graphviz `dot` not installed")


def test_the_svg_names_every_table_and_foreign_key(built: Path, tmp_path: Path) -> None:
    _need_dot()
    out = tmp_path / "schema.svg"
    proc = run_unify("diagram", str(built), "--plan", str(built / "unify.toml"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == f"wrote {out} (svg, built)"
    svg = html.unescape(out.read_text(encoding="utf-8"))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    schema = load_schema(built, "models")
    assert isinstance(schema, SchemaShape)
    for table in schema.tables:
        assert f">{table.name}</text>" in svg
        for fk in table.foreign_keys:
            assert f'xlink:title="{fk.line}"' in svg


def test_png_is_written_to_a_file(built: Path, tmp_path: Path) -> None:
    _need_dot()
    out = tmp_path / "schema.png"
    proc = run_unify(
        "diagram", str(built), "--plan", str(built / "unify.toml"), "-f", "png", "-o", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"\x89PNG")


def test_svg_without_dot_is_a_one_line_error(legacy: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PATH=str(tmp_path))  # no `dot` on PATH (python is absolute)
    proc = run_unify(
        "diagram", str(legacy), "--plan", str(legacy / "unify.toml"), "-f", "svg", env=env
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --format svg needs Graphviz `dot` on PATH (Debian: apt-get install graphviz); "
        "--format mermaid or dot need nothing"
    ]


def test_png_to_stdout_is_refused(legacy: Path) -> None:
    proc = run_unify("diagram", str(legacy), "--plan", str(legacy / "unify.toml"), "-f", "png")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: --format png writes binary: give -o FILE"


# --- the legacy schema ----------------------------------------------------------


def test_the_legacy_picture_marks_each_planted_conflict(legacy: Path) -> None:
    text = diagram_text(legacy, "--legacy")
    dot = diagram_text(legacy, "--legacy", "--format", "dot")
    # 1. dangling-fk: MVPUser.organization_id -> organizations, a placeholder marked missing
    assert 'organizations["organizations (MISSING: no model defines it)"] {' in text
    assert (
        'organizations |o--o{ mvp_users : "organization_id -- dangling: no table organizations '
        '(means organization?); type mismatch: String(36) vs organization.id Integer"' in text
    )
    assert 'STYLE="dashed"' in dot
    # 2-3. fk-type-mismatch on both String(36) organization ids
    assert (
        'organization |o--o{ maturity_assessments : "organization_id -- type mismatch: '
        'String(36) vs organization.id Integer"' in text
    )
    # 4. duplicate-table: competency mapped by two classes
    assert (
        'competency["competency (mapped twice: models.Competency, unified_models.Competency)"]'
        in text
    )
    assert "2 table(s) and 2 foreign key(s) marked with a conflict" in text
    assert dot.count('color="#cc0000", fontcolor="#cc0000"') == 2


def test_the_legacy_picture_of_a_built_repository_is_refused(built: Path) -> None:
    proc = run_unify("diagram", str(built), "--plan", str(built / "unify.toml"), "--legacy")
    assert proc.returncode == 2
    assert "error: --legacy: models.py is already the unified module (built)" in proc.stderr


def test_legacy_sections_are_the_modules() -> None:
    picture = diagram_from_inventory(analyze_repo(EXAMPLE))
    # without a plan every model module is drawn, the dead copy too
    assert picture.sections == ("models", "mvp_models", "mvp_models_backup", "unified_models")
    mvp = select_section(picture, "mvp_models")
    assert {t.name for t in mvp.tables if t.kind != "outside"} == {
        "learning_plans",
        "login_events",
        "maturity_assessments",
        "mvp_users",
        "portal_users_v2",
    }
    assert "organizations" in render_markdown(mvp) and "organizations" in render_dot(mvp)
    with pytest.raises(InputError):
        select_section(picture, "models_compat")


# --- MODELS.md -------------------------------------------------------------------


def test_models_doc_golden_and_check(built: Path) -> None:
    doc = built / "MODELS.md"
    plan = str(built / "unify.toml")
    missing = run_unify("docs", str(built), "--plan", plan, "--check")
    assert missing.returncode == 1 and f"{doc}: missing" in missing.stderr
    written = run_unify("docs", str(built), "--plan", plan)
    assert written.returncode == 0, written.stderr
    assert written.stderr.strip() == f"wrote {doc} (built)"
    check_golden(doc.read_text(encoding="utf-8"), "seqpt_MODELS.md")
    current = run_unify("docs", str(built), "--plan", plan, "--check")
    assert current.returncode == 0 and current.stderr.strip() == f"{doc}: current"
    doc.write_text(doc.read_text().replace("String(255)", "String(256)", 1))
    stale = run_unify("docs", str(built), "--plan", plan, "--check")
    assert stale.returncode == 1
    assert stale.stderr.strip() == f"{doc}: stale; run `unify docs {built} --plan {plan}`"


def test_the_models_doc_says_what_the_plan_requires() -> None:
    doc = (GOLDEN / "seqpt_MODELS.md").read_text()
    titles = [
        "## 1. Database initialisation",
        "## 2. Core entities",
        "## 3. User management",
        "## 4. Assessment and results",
        "## 5. Learning and qualification",
        "## 6. Questionnaires and surveys",
    ]
    positions = [doc.index(t) for t in titles]
    assert positions == sorted(positions) and doc.index("```mermaid") < positions[0]
    assert "| `id` | Integer | PK | no |" in doc  # columns with types and keys
    assert "- `organization_id` -> `organization.id`" in doc  # foreign keys
    assert "- `organization` -> Organization (backref `users`)" in doc  # relationships
    assert "- `users` -> User (backref of `User.organization`)" in doc  # backrefs
    assert "| `mvp_models.MVPUser` | `User` (merged) |" in doc  # legacy class -> class
    assert "| `models.SECompetency` | `Competency` |" in doc  # legacy alias -> class
    assert "| `mvp_users` | `users` (merged) |" in doc  # legacy table -> table


def test_build_writes_the_models_doc_and_it_stays_current(legacy: Path, tmp_path: Path) -> None:
    repo = tmp_path / "seqpt_legacy"
    shutil.copytree(legacy, repo)
    plan = str(repo / "unify.toml")
    doc = repo / "MODELS.md"
    assert run_unify("docs", str(repo), "--plan", plan).returncode == 0  # from the plan
    assert doc.read_text() == (GOLDEN / "seqpt_MODELS.md").read_text()
    doc.unlink()
    build = run_unify("build", str(repo), "--plan", plan)
    assert build.returncode == 0, build.stdout + build.stderr
    wrote = next(ln for ln in build.stderr.splitlines() if ln.startswith("wrote "))
    assert wrote.endswith(f", {doc}")  # named with the modules, before the next command
    assert doc.read_text() == (GOLDEN / "seqpt_MODELS.md").read_text()
    # the built module draws the same document as the plan did
    assert run_unify("docs", str(repo), "--plan", plan, "--check").returncode == 0
    second = tmp_path / "second"
    shutil.copytree(legacy, second)
    plain = run_unify("build", str(second), "--plan", str(second / "unify.toml"), "--no-docs")
    assert plain.returncode == 0 and not (second / "MODELS.md").exists()


# --- the renderers on records ------------------------------------------------------


def test_renderers_keep_mermaid_and_dot_syntax_valid_for_awkward_names() -> None:
    from unify.diagram.records import ColumnNode, Diagram, EdgeNode, TableNode

    picture = Diagram(
        source="plan",
        module="app.models",
        sections=("Money",),
        tables=(
            TableNode(
                name="prices",
                section="Money",
                was=('price"s',),
                columns=(
                    ColumnNode(name="id", type="Integer", primary_key=True, nullable=False),
                    ColumnNode(name="amount", type="Numeric(10, 2)"),
                    ColumnNode(name="kind", type="Enum('a', 'b', name='kinds')"),
                    ColumnNode(name="item_id", type="Integer", foreign_key=True),
                ),
            ),
            TableNode(name="items", kind="missing", columns=(ColumnNode(name="id", type="?"),)),
        ),
        edges=(
            EdgeNode(
                table="prices",
                columns=("item_id",),
                target_table="items",
                target_columns=("id",),
                notes=('50% "off"',),
            ),
        ),
    )
    mermaid = render_markdown(picture)
    assert 'prices["prices (was price\'s)"] {' in mermaid
    assert "        Numeric(10_2) amount\n" in mermaid
    assert "        Enum(_a_b_name_kinds_) kind\n" in mermaid
    assert "        Integer id PK\n" in mermaid
    assert "items |o--o{ prices : \"item_id -- 50' 'off'\"" in mermaid
    dot = render_dot(picture)
    assert (
        "Numeric(10, 2)" in dot
        and "Enum(&#x27;a&#x27;, &#x27;b&#x27;, name=&#x27;kinds&#x27;)" in dot
    )
    assert '"prices":"out_item_id":e -> "items":"in_id":w' in dot
    assert 'label="50% \\"off\\""' in dot and 'STYLE="dashed"' in dot


def test_mermaid_quotes_odd_table_names_and_fixes_odd_column_names() -> None:
    from unify.diagram.records import ColumnNode, Diagram, TableNode

    picture = Diagram(
        source="built",
        module="m",
        tables=(TableNode(name="order lines", columns=(ColumnNode(name="2nd", type="Integer"),)),),
        edges=(),
    )
    assert '    "order lines" {\n        Integer _2nd\n    }\n' in render_markdown(picture)
