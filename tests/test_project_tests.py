"""The corpus gate's run of a project's own tests (``benchmarks/corpus/project_tests.py``):
which test files are chosen, pytest's summary as counts, before against after."""

from __future__ import annotations

import sys
from pathlib import Path

from clihelp import write_files

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "corpus"))

from project_tests import (  # noqa: E402
    PytestCounts,
    choose_test_files,
    compare_counts,
    imported_modules,
    module_name,
    parse_summary,
    run_tests,
)

MODELS = ["shop/models.py", "shop/orders/__init__.py"]

TREE = {
    "shop/__init__.py": "",
    "shop/models.py": "X = 1\n",
    "shop/orders/__init__.py": "Y = 2\n",
    "shop/views.py": "from shop.models import X\n",
    "tests/__init__.py": "",
    "tests/test_direct.py": "from shop.models import X\n\ndef test_x():\n    assert X == 1\n",
    "tests/test_module_from_package.py": (
        "from shop import models\n\ndef test_x():\n    assert models.X == 1\n"
    ),
    "tests/unit/test_package.py": "import shop.orders\n\ndef test_y():\n    assert shop.orders.Y == 2\n",
    "tests/unit/orders_test.py": "from shop.orders import Y\n\ndef test_y():\n    assert Y == 2\n",
    "tests/test_views_only.py": "from shop.views import X\n\ndef test_x():\n    assert X\n",
    "tests/test_relative.py": "from .models import X\n",
    "tests/helpers.py": "from shop.models import X\n",
    "tests/test_broken.py": "from shop.models import (\n",
    "tests/ldap/test_needs_a_server.py": "from shop.models import X\n",
    "shop/test_outside.py": "from shop.models import X\n",
}


def test_module_names_of_model_paths() -> None:
    assert module_name("shop/models.py") == "shop.models"
    assert module_name("shop/orders/__init__.py") == "shop.orders"


def test_imported_modules_include_a_module_imported_from_its_package() -> None:
    found = imported_modules("import a.b\nfrom c import d, e as f\nfrom . import g\n")
    assert found == {"a.b", "c", "c.d", "c.e"}
    assert imported_modules("from x import (\n") == set()


def test_the_test_files_importing_a_model_module_are_chosen(tmp_path: Path) -> None:
    root = write_files(tmp_path, TREE)
    chosen = choose_test_files(
        root, ["tests"], MODELS, ignore=["tests/ldap/test_needs_a_server.py"]
    )
    assert chosen == [
        "tests/test_direct.py",
        "tests/test_module_from_package.py",
        "tests/unit/orders_test.py",
        "tests/unit/test_package.py",
    ]


def test_pytest_summaries_of_today_and_of_2018() -> None:
    today = (
        "....F\n=========== short test summary info ===========\nFAILED tests/x.py::t\n"
        "==== 3 failed, 569 passed, 13 skipped, 83 warnings, 2 errors in 158.04s (0:02:38) ====\n"
    )
    assert parse_summary(today) == PytestCounts(
        passed=569,
        failed=3,
        errors=2,
        skipped=13,
        line="3 failed, 569 passed, 13 skipped, 83 warnings, 2 errors in 158.04s (0:02:38)",
    )
    old = "...\n===== 2 failed, 75 passed, 1 error in 19.05 seconds =====\n"
    counts = parse_summary(old)
    assert (counts.passed, counts.failed, counts.errors) == (75, 2, 1)
    assert parse_summary("ERROR: file not found: tests/nothing.py\n") == PytestCounts()
    assert parse_summary("== 4 passed, 1 xfailed, 1 xpassed in 0.10s ==") == PytestCounts(
        passed=5, skipped=1, line="4 passed, 1 xfailed, 1 xpassed in 0.10s"
    )


def test_after_the_rewrite_fewer_passed_or_more_failed_is_worse() -> None:
    before = PytestCounts(passed=10, failed=1, line="1 failed, 10 passed in 1s")
    assert compare_counts(before, before) == ""
    assert compare_counts(before, PytestCounts(passed=11, line="11 passed in 1s")) == ""
    worse = PytestCounts(passed=8, failed=2, errors=1, line="2 failed, 8 passed, 1 error in 1s")
    assert compare_counts(before, worse) == "2 fewer passed; 1 more failed; 1 more errors"
    assert compare_counts(before, PytestCounts()) == "the tests did not run after the rewrite"
    assert compare_counts(PytestCounts(), before) == "the tests did not run before the rewrite"


def test_the_chosen_files_run_with_pytest(tmp_path: Path) -> None:
    files = {
        **TREE,
        "tests/unit/orders_test.py": "from shop.orders import Y\n\ndef test_y():\n    assert Y == 3\n",
    }
    root = write_files(tmp_path, files)
    chosen = choose_test_files(
        root, ["tests"], MODELS, ignore=["tests/ldap/test_needs_a_server.py"]
    )
    run = run_tests(sys.executable, root, chosen)
    assert (run.counts.passed, run.counts.failed, run.counts.errors) == (3, 1, 0)
    assert run.exit_code == 1 and run.files == tuple(chosen)
    assert not (root / ".pytest_cache").exists()


def test_the_quiet_summary_has_no_rule() -> None:
    assert parse_summary("....\n4 passed in 0.85s\n").passed == 4
    assert parse_summary("no tests ran in 0.01s\n").line == "no tests ran in 0.01s"
