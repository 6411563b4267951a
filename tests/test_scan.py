"""Repository layout: file listing, import roots and module resolution (``unify.scan``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from clihelp import write_files

from unify.scan import describe_files, list_repo_files, module_index, read_source

LAYOUT = {
    "backend/models.py": "",
    "backend/run.py": "",
    "backend/app/__init__.py": "",
    "backend/app/routes.py": "",
    "backend/app/services/__init__.py": "",
    "backend/app/services/users.py": "",
    "backend/app/old_routes.py.unused": "",
    "backend/.venv/lib/site.py": "",
    "backend/__pycache__/x.py": "",
    "tools/models.py": "",
    "tools/cli.py": "",
    "README.md": "",
}


def make(root: Path) -> Path:
    return write_files(root, LAYOUT)


def test_listing_skips_virtualenvs_and_caches(tmp_path: Path) -> None:
    files = list_repo_files(make(tmp_path))
    assert files.python == (
        "backend/app/__init__.py",
        "backend/app/routes.py",
        "backend/app/services/__init__.py",
        "backend/app/services/users.py",
        "backend/models.py",
        "backend/run.py",
        "tools/cli.py",
        "tools/models.py",
    )
    assert files.other_python == ("backend/app/old_routes.py.unused",)


def test_listing_inside_git_honours_gitignore(tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / ".gitignore").write_text("tools/\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    files = list_repo_files(root)
    assert "tools/cli.py" not in files.python and "backend/run.py" in files.python


def test_module_names_and_roots(tmp_path: Path) -> None:
    files = list_repo_files(make(tmp_path))
    described = {
        f.rel: (f.module, f.root, f.is_package) for f in describe_files(tmp_path, files.python)
    }
    assert described["backend/models.py"] == ("models", "backend", False)
    assert described["backend/app/__init__.py"] == ("app", "backend", True)
    assert described["backend/app/services/users.py"] == ("app.services.users", "backend", False)
    assert described["tools/models.py"] == ("models", "tools", False)


def test_module_names_of_dotted_and_nested_file_names(tmp_path: Path) -> None:
    layout = {
        "pkg/__init__.py": "",
        "pkg/mod.v2.py": "",
        "pkg/.py": "",
        "pkg/sub/__init__.py": "",
        "pkg/sub/plain/run.py": "",
        "script.py": "",
    }
    files = list_repo_files(write_files(tmp_path, layout))
    described = {
        f.rel: (f.module, f.root, f.is_package) for f in describe_files(tmp_path, files.python)
    }
    assert described == {
        "pkg/__init__.py": ("pkg", "", True),
        "pkg/mod.v2.py": ("pkg.mod.v2", "", False),  # only the last suffix goes
        "pkg/.py": ("pkg..py", "", False),  # a dot file keeps its whole name
        "pkg/sub/__init__.py": ("pkg.sub", "", True),
        "pkg/sub/plain/run.py": ("run", "pkg/sub/plain", False),  # not a package: a root
        "script.py": ("script", "", False),
    }


def test_resolution_prefers_the_importers_root(tmp_path: Path) -> None:
    files = list_repo_files(make(tmp_path))
    index = module_index(tmp_path, files.python)
    by_rel = index.by_rel
    routes, cli = by_rel["backend/app/routes.py"], by_rel["tools/cli.py"]
    users = by_rel["backend/app/services/users.py"]
    assert index.resolve(routes, "models").rel == "backend/models.py"  # type: ignore[union-attr]
    assert index.resolve(cli, "models").rel == "tools/models.py"  # type: ignore[union-attr]
    assert index.resolve(users, "routes", level=2).rel == "backend/app/routes.py"  # type: ignore[union-attr]
    assert index.resolve(users, "", level=1).rel == "backend/app/services/__init__.py"  # type: ignore[union-attr]
    assert index.resolve(routes, "json") is None
    assert index.resolve(routes, "x", level=5) is None


def test_read_source_honours_the_coding_cookie(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n")
    assert "café" in read_source(path)
    path.write_bytes(b"name = 'caf\xe9'\n")
    with pytest.raises((UnicodeDecodeError, SyntaxError)):
        read_source(path)


def test_a_root_that_is_itself_a_package(tmp_path: Path) -> None:
    root = tmp_path / "mypkg"
    root.mkdir()
    for rel in ("__init__.py", "models.py", "sub/__init__.py", "sub/x.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    files = list_repo_files(root)
    described = {f.rel: f.module for f in describe_files(root, files.python)}
    assert described == {
        "__init__.py": "mypkg",
        "models.py": "models",
        "sub/__init__.py": "sub",
        "sub/x.py": "sub.x",
    }
