"""A package named by the folder unify is pointed at: ``server/`` holding ``__init__.py`` is
imported both bare (the app runs with ``server/`` on ``sys.path``) and as ``server.*`` (its
migrations import it as a package).  One run sees both forms, from either folder."""

from __future__ import annotations

from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo
from unify.models import ImportRecord, ModuleMove, RenameMap, Rewritten
from unify.report.rewrite import all_findings, rewrite_exit_code
from unify.rewrite_imports import rewrite_repo

DB = "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n"
SERVER = {
    "server/__init__.py": "",
    "server/models.py": DB
    + """
class Account(db.Model):
    __tablename__ = "account"
    id = db.Column(db.Integer, primary_key=True)
""",
    "server/old_models.py": """
from models import db


class LegacyAccount(db.Model):
    __tablename__ = "legacy_accounts"
    id = db.Column(db.Integer, primary_key=True)
""",
    "server/portal_models.py": """
from models import db


class Ticket(db.Model):
    __tablename__ = "portal_tickets"
    id = db.Column(db.Integer, primary_key=True)
""",
    "server/app.py": "from models import db\nfrom portal_models import Ticket\n",
    "server/views/__init__.py": "",
    "server/views/tickets.py": "from portal_models import Ticket\n\nVIEW = Ticket\n",
    "server/migrations/env.py": """
from server.models import db
from server import old_models, portal_models  # noqa: F401
from server.portal_models import Ticket

target_metadata = db.metadata
TABLES = [Ticket]
""",
}


def _imports(repo: Path, path: str) -> list[tuple[int, str, str]]:
    found: list[ImportRecord] = [i for i in analyze_repo(repo).imports if i.path == path]
    return sorted((i.line, i.written, i.target) for i in found)


def test_qualified_imports_are_seen_when_the_package_is_the_root(tmp_path: Path) -> None:
    write_files(tmp_path, SERVER)
    assert _imports(tmp_path / "server", "migrations/env.py") == [
        (2, "server.models", "models"),
        (3, "server", "old_models"),
        (3, "server", "portal_models"),
        (4, "server.portal_models", "portal_models"),
    ]


def test_bare_imports_inside_sub_packages_are_seen_from_the_parent(tmp_path: Path) -> None:
    write_files(tmp_path, SERVER)
    assert _imports(tmp_path, "server/views/tickets.py") == [
        (1, "portal_models", "server.portal_models")
    ]
    assert _imports(tmp_path, "server/migrations/env.py")[0] == (
        2,
        "server.models",
        "server.models",
    )


MOVES = RenameMap(
    moves=(
        ModuleMove(legacy="old_models", target="models"),
        ModuleMove(legacy="portal_models", target="models"),
    )
)


def _rewrite(repo: Path, renames: RenameMap) -> dict[str, str]:
    result = rewrite_repo(repo, renames, jobs=1)
    assert rewrite_exit_code(result, check=True) == 1
    return {o.path: o.new_text for o in result.outcomes if isinstance(o, Rewritten)}


def test_each_form_is_rewritten_in_its_own_form(tmp_path: Path) -> None:
    write_files(tmp_path, SERVER)
    new = _rewrite(tmp_path / "server", MOVES)
    # each line rewritten on its own (separate import lines are never fused)
    assert new["app.py"] == "from models import db\nfrom models import Ticket\n"
    assert new["views/tickets.py"].startswith("from models import Ticket\n")
    env = new["migrations/env.py"]
    assert "from server.models import db\n" in env and "from server.models import Ticket\n" in env
    assert "from server import models  # noqa: F401\n" in env
    assert "old_models" not in env and "portal_models" not in env


def test_the_parent_folder_rewrites_both_forms(tmp_path: Path) -> None:
    write_files(tmp_path, SERVER)
    moves = RenameMap(
        moves=tuple(
            ModuleMove(legacy=f"server.{m.legacy}", target=f"server.{m.target}")
            for m in MOVES.moves
        )
    )
    new = _rewrite(tmp_path, moves)
    assert new["server/views/tickets.py"].startswith("from models import Ticket\n")
    assert "from server.models import Ticket\n" in new["server/migrations/env.py"]


def test_a_side_effect_import_of_legacy_modules_is_reported_redundant(tmp_path: Path) -> None:
    write_files(tmp_path, SERVER)
    result = rewrite_repo(tmp_path / "server", MOVES, jobs=1)
    redundant = [f for f in all_findings(result) if f.rule == "redundant-side-effect-import"]
    assert [(f.path, f.line) for f in redundant] == [("migrations/env.py", 3)]
    assert "old_models" in redundant[0].message and "portal_models" in redundant[0].message


def test_a_side_effect_import_of_the_unified_module_is_kept(tmp_path: Path) -> None:
    write_files(tmp_path, SERVER)
    write_files(tmp_path, {"server/manage.py": "from server import models  # noqa: F401\n"})
    result = rewrite_repo(tmp_path / "server", MOVES, jobs=1)
    assert "manage.py" not in {o.path for o in result.outcomes if isinstance(o, Rewritten)}
    assert not [f for f in all_findings(result) if f.path == "manage.py"]


def test_bare_imports_of_a_script_folder_inside_the_package_are_seen(tmp_path: Path) -> None:
    write_files(tmp_path, SERVER)
    write_files(tmp_path, {"server/migrations/seed.py": "from models import db\n"})
    assert _imports(tmp_path, "server/migrations/seed.py") == [(1, "models", "server.models")]


def test_a_used_module_binding_is_no_side_effect_import(tmp_path: Path) -> None:
    write_files(tmp_path, SERVER)
    write_files(
        tmp_path,
        {
            "server/register.py": "import old_models  # noqa: F401\n",
            "server/report.py": "import portal_models\n\nROWS = portal_models.Ticket\n",
        },
    )
    result = rewrite_repo(tmp_path / "server", MOVES, jobs=1)
    redundant = {f.path for f in all_findings(result) if f.rule == "redundant-side-effect-import"}
    assert redundant == {"migrations/env.py", "register.py"}


def test_imports_of_a_deleted_legacy_module_still_fail_the_check_in_both_forms(
    tmp_path: Path,
) -> None:
    write_files(tmp_path, SERVER)
    (tmp_path / "server/old_models.py").unlink()
    write_files(
        tmp_path,
        {
            "server/bare.py": "from old_models import LegacyAccount\n",
            "server/qualified.py": "from server.old_models import LegacyAccount\n",
        },
    )
    renames = RenameMap(moves=(ModuleMove(legacy="old_models", target="models"),))
    result = rewrite_repo(tmp_path / "server", renames, jobs=1)
    changed = {o.path for o in result.outcomes if isinstance(o, Rewritten)}
    assert {"bare.py", "qualified.py"} <= changed
    parent = RenameMap(moves=(ModuleMove(legacy="server.old_models", target="server.models"),))
    result = rewrite_repo(tmp_path, parent, jobs=1)
    changed = {o.path for o in result.outcomes if isinstance(o, Rewritten)}
    assert {"server/bare.py", "server/qualified.py"} <= changed
