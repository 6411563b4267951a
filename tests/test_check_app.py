"""``unify check``: a small Flask app of the test's own, started in a subprocess, its routes and
blueprints kept as the snapshot and compared after a change."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.clihelp import run_unify, write_files
from unify.decisions import parse_plan
from unify.errors import PlanError

pytest.importorskip("flask")

MODELS = """
    from sqlalchemy import ForeignKey, Integer, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


    class Base(DeclarativeBase):
        pass


    class Customer(Base):
        __tablename__ = "customers"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        name: Mapped[str] = mapped_column(String(40))


    class Order(Base):
        __tablename__ = "orders"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
        customer = relationship("Customer")
"""

FACTORY = """
    from flask import Flask


    def create_app():
        app = Flask(__name__)
        from shop.blueprints.orders import bp as orders
        from shop.blueprints.admin import bp as admin
        app.register_blueprint(orders)
        app.register_blueprint(admin)

        @app.route("/health")
        def health():
            return "ok"

        return app
"""

ORDERS = """
    from flask import Blueprint

    from shop.models import Order

    bp = Blueprint("orders", __name__, url_prefix="/orders")


    @bp.route("/")
    def index():
        return str(Order.__tablename__)


    @bp.route("/<int:order_id>", methods=["GET", "POST"])
    def show(order_id):
        return str(order_id)
"""

ADMIN = """
    from flask import Blueprint

    from shop.models import Customer

    bp = Blueprint("admin", __name__, url_prefix="/admin")


    @bp.route("/customers")
    def customers():
        return Customer.__tablename__
"""


def shop(root: Path, replace: dict[str, str] | None = None) -> Path:
    files = {
        "shop/__init__.py": FACTORY,
        "shop/models.py": MODELS,
        "shop/blueprints/__init__.py": "",
        "shop/blueprints/orders.py": ORDERS,
        "shop/blueprints/admin.py": ADMIN,
    }
    files.update(replace or {})
    return write_files(root, files)


def check(root: Path, *args: str) -> tuple[int, str, str]:
    proc = run_unify("check", root, "--app", "shop:create_app", "--format", "concise", *args)
    return proc.returncode, proc.stdout, proc.stderr


def test_the_first_run_takes_the_snapshot(tmp_path: Path) -> None:
    root = shop(tmp_path / "repo")
    code, out, err = check(root)
    assert code == 0, err
    assert "shop:create_app: started; 5 route(s), 2 blueprint(s)" in out
    snapshot = json.loads((root / ".unify/app-shop-create_app.json").read_text())
    rules = {(r["rule"], r["endpoint"]): r["methods"] for r in snapshot["routes"]}
    assert rules[("/orders/<int:order_id>", "orders.show")] == ["GET", "POST"]
    assert [b["name"] for b in snapshot["blueprints"]] == ["admin", "orders"]
    assert "wrote .unify/app-shop-create_app.json" in err
    code, out, err = check(root)  # nothing changed: compared, clean
    assert code == 0, out
    assert "0 error(s), 0 warning(s), 0 info" in out
    assert "compared with .unify/app-shop-create_app.json" in err


def test_a_route_removed_after_the_snapshot_is_an_error(tmp_path: Path) -> None:
    root = shop(tmp_path / "repo")
    assert check(root)[0] == 0
    changed = textwrap.dedent(ORDERS).replace(
        '@bp.route("/<int:order_id>", methods=["GET", "POST"])', ""
    )
    changed = changed.replace('@bp.route("/")', '@bp.route("/", methods=["GET"])')
    changed += '\n\n@bp.route("/recent")\ndef recent():\n    return "r"\n'
    shop(root, {"shop/blueprints/orders.py": changed})
    code, out, _ = check(root)
    assert code == 1
    assert (
        "-: A101 [route-lost] /orders/<int:order_id> (endpoint orders.show, GET, POST) is no "
        "longer served" in out
    )
    assert "A103 [route-new] /orders/recent (endpoint orders.recent, GET) is new" in out
    assert "1 error(s), 0 warning(s), 1 info" in out


def test_a_method_lost_is_an_error(tmp_path: Path) -> None:
    root = shop(tmp_path / "repo")
    assert check(root)[0] == 0
    shop(root, {"shop/blueprints/orders.py": ORDERS.replace('["GET", "POST"]', '["GET"]')})
    code, out, _ = check(root)
    assert code == 1
    assert (
        "A101 [route-lost] /orders/<int:order_id> (endpoint orders.show) no longer answers POST"
        in out
    )


def test_a_blueprint_no_longer_registered_is_lost_with_its_routes(tmp_path: Path) -> None:
    root = shop(tmp_path / "repo")
    assert check(root)[0] == 0
    shop(root, {"shop/__init__.py": FACTORY.replace("        app.register_blueprint(admin)\n", "")})
    code, out, _ = check(root)
    assert code == 1
    assert "A102 [blueprint-lost] blueprint admin (shop.blueprints.admin) is no longer" in out
    assert "A101 [route-lost] /admin/customers (endpoint admin.customers, GET)" in out


def test_a_factory_that_raises_is_an_error_with_its_reason(tmp_path: Path) -> None:
    factory = FACTORY.replace(
        "        app = Flask(__name__)\n",
        "        app = Flask(__name__)\n        raise RuntimeError('no SECRET_KEY set')\n",
    )
    root = shop(tmp_path / "repo", {"shop/__init__.py": factory})
    code, out, err = check(root)
    assert code == 1
    assert (
        "-: A002 [app-factory] the app factory raises or returns no app: shop:create_app: "
        "no SECRET_KEY set (shop/__init__.py:7)" in out
    )
    assert not (root / ".unify/app-shop-create_app.json").exists()
    assert "no snapshot written (the app did not start)" in err


def test_a_module_that_does_not_import_is_an_error(tmp_path: Path) -> None:
    root = shop(
        tmp_path / "repo", {"shop/__init__.py": "    from shop.gone import Thing\n" + FACTORY}
    )
    code, out, _ = check(root)
    assert code == 1
    assert (
        "-: A001 [app-import] the app's module does not import: shop:create_app: "
        "No module named 'shop.gone' (shop/__init__.py:1)" in out
    )


def test_a_blueprint_import_error_the_factory_swallows_is_reported(tmp_path: Path) -> None:
    factory = FACTORY.replace(
        "        from shop.blueprints.admin import bp as admin\n        app.register_blueprint(orders)\n"
        "        app.register_blueprint(admin)\n",
        "        app.register_blueprint(orders)\n"
        "        try:\n"
        "            from shop.blueprints.admin import bp as admin\n"
        "            app.register_blueprint(admin)\n"
        "        except ImportError:\n"
        "            pass\n",
    )
    admin = ADMIN.replace("from shop.models import Customer", "from shop.models import Client")
    root = shop(tmp_path / "repo", {"shop/__init__.py": factory, "shop/blueprints/admin.py": admin})
    code, out, _ = check(root)
    assert code == 1
    assert (
        "shop/blueprints/admin.py: A004 [swallowed-import] shop.blueprints.admin does not "
        "import: cannot import name 'Client' from 'shop.models'" in out
    )
    assert "; the app went on without it" in out


def test_a_route_module_nothing_imports_that_fails_is_a_warning(tmp_path: Path) -> None:
    root = shop(tmp_path / "repo")
    write_files(root, {"shop/blueprints/reports.py": "from shop.models import Invoice\n"})
    code, out, _ = check(root)
    assert code == 0
    assert "shop/blueprints/reports.py: A004 [swallowed-import] shop.blueprints.reports" in out
    assert "0 error(s), 1 warning(s), 0 info" in out


def test_mappers_that_do_not_configure_are_an_error(tmp_path: Path) -> None:
    models = MODELS.replace('relationship("Customer")', 'relationship("Client")')
    root = shop(tmp_path / "repo", {"shop/models.py": models})
    code, out, _ = check(root)
    assert code == 1
    assert "A003 [app-mappers] configure_mappers() fails once the app is up" in out
    assert "Client" in out


def test_update_takes_the_snapshot_again(tmp_path: Path) -> None:
    root = shop(tmp_path / "repo")
    assert check(root)[0] == 0
    shop(root, {"shop/__init__.py": FACTORY.replace("        app.register_blueprint(admin)\n", "")})
    code, _, err = check(root, "--update")
    assert code == 0
    assert "wrote .unify/app-shop-create_app.json: the snapshot of 4 route(s)" in err
    assert check(root)[0] == 0


def test_json_names_the_routes_and_the_snapshot(tmp_path: Path) -> None:
    root = shop(tmp_path / "repo")
    proc = run_unify("check", root, "--app", "shop:create_app", "--format", "json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0
    assert data["started"] is True and data["snapshot_written"] is True
    assert {"rule": "/health", "endpoint": "health", "methods": ["GET"]} in data["routes"]
    assert data["snapshot"] == ".unify/app-shop-create_app.json"


def test_the_app_is_read_from_the_plan(tmp_path: Path) -> None:
    root = shop(tmp_path / "repo")
    assert run_unify("plan", root, "-o", root / "unify.toml").returncode == 0
    text = (
        (root / "unify.toml")
        .read_text()
        .replace("[unify]\n", '[unify]\napp = "shop:create_app"\n', 1)
    )
    (root / "unify.toml").write_text(text)
    proc = run_unify("check", root)
    assert proc.returncode == 0, proc.stderr
    assert "shop:create_app: started" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--app", "shop"), "error: --app 'shop' is not MODULE:FACTORY"),
        (("--app", "nowhere:create_app"), "module nowhere not found"),
        ((), "no app to check: pass --app MODULE:FACTORY or set app in the [unify] table"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    root = shop(tmp_path / "repo")
    proc = run_unify("check", root, *args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_the_plan_reads_and_checks_app() -> None:
    head = '[unify]\ntarget_module = "m"\ncompat_module = "c"\nlegacy_modules = ["a"]\n'
    with pytest.raises(PlanError) as info:
        parse_plan(head + 'app = "not an app"\n')
    assert "app 'not an app' is not MODULE:FACTORY" in str(info.value)


SWALLOWING_FACTORY = FACTORY.replace(
    "        from shop.blueprints.admin import bp as admin\n        app.register_blueprint(orders)\n"
    "        app.register_blueprint(admin)\n",
    "        app.register_blueprint(orders)\n"
    "        try:\n"
    "            from shop.blueprints.admin import bp as admin\n"
    "            app.register_blueprint(admin)\n"
    "        except ImportError:\n"
    "            pass\n",
)


def test_a_dependency_found_nowhere_is_a_warning_on_the_first_run(tmp_path: Path) -> None:
    admin = "    import shop_optional_extra_not_installed\n" + ADMIN
    root = shop(
        tmp_path / "repo",
        {"shop/__init__.py": SWALLOWING_FACTORY, "shop/blueprints/admin.py": admin},
    )
    code, out, _ = check(root)
    assert code == 0, out
    assert (
        "shop/blueprints/admin.py: A004 [swallowed-import] shop.blueprints.admin does not import: "
        "No module named 'shop_optional_extra_not_installed'" in out
    )
    assert "(a dependency the interpreter lacks: optional, or pass --python)" in out
    assert "0 error(s), 1 warning(s), 0 info" in out


def test_a_module_deleted_after_the_snapshot_is_an_error(tmp_path: Path) -> None:
    admin = ADMIN.replace(
        "from shop.models import Customer", "from shop.legacy_models import Customer"
    )
    root = shop(
        tmp_path / "repo",
        {
            "shop/__init__.py": SWALLOWING_FACTORY,
            "shop/blueprints/admin.py": admin,
            "shop/legacy_models.py": "from shop.models import Customer\n",
        },
    )
    assert check(root)[0] == 0
    (root / "shop/legacy_models.py").unlink()
    code, out, _ = check(root)
    assert code == 1
    assert (
        "shop/blueprints/admin.py: A004 [swallowed-import] shop.blueprints.admin does not import: "
        "No module named 'shop.legacy_models'" in out
    )
    assert "A102 [blueprint-lost] blueprint admin" in out


def test_an_import_failing_already_at_the_snapshot_is_a_warning(tmp_path: Path) -> None:
    admin = ADMIN.replace("from shop.models import Customer", "from shop.models import Client")
    root = shop(
        tmp_path / "repo",
        {"shop/__init__.py": SWALLOWING_FACTORY, "shop/blueprints/admin.py": admin},
    )
    assert check(root)[0] == 1  # broken now: an error, and the snapshot remembers it
    snapshot = json.loads((root / ".unify/app-shop-create_app.json").read_text())
    assert snapshot["broken"] == ["shop.blueprints.admin"]
    code, out, _ = check(root)
    assert code == 0, out
    assert "(it did not import when the snapshot was taken either)" in out


def test_one_rule_registered_once_per_method_compares_as_one_route(tmp_path: Path) -> None:
    factory = FACTORY.replace(
        "        return app\n",
        "        def ping():\n"
        "            return 'pong'\n"
        "\n"
        "        app.add_url_rule('/ping', 'ping', ping, methods=['GET'])\n"
        "        app.add_url_rule('/ping', 'ping', ping, methods=['POST'])\n"
        "        return app\n",
    )
    root = shop(tmp_path / "repo", {"shop/__init__.py": factory})
    assert check(root)[0] == 0
    code, out, _ = check(root)
    assert code == 0, out
    assert "0 error(s), 0 warning(s), 0 info" in out
    shop(root, {"shop/__init__.py": factory.replace("methods=['POST']", "methods=['PUT']")})
    code, out, _ = check(root)
    assert code == 1
    assert "A101 [route-lost] /ping (endpoint ping) no longer answers POST" in out
