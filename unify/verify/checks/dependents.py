"""legacy-dependent-object: views, functions, procedures, triggers, column defaults and check
constraints of the database that name a table the migration moves, renames or merges."""

from __future__ import annotations

from unify.models import Rule, SchemaShape, Severity
from unify.verify.checks.query import Check, CheckFamily, Columns

LEGACY_DEPENDENT_OBJECT = Rule(
    name="legacy-dependent-object",
    code="V311",
    severity=Severity.WARNING,
    summary="a view, function or trigger that names a table the migration moves",
)

# Each kind: the catalogue rows of the app's schema, their name and the text they are made of.
KINDS = {
    "view": (
        "SELECT c.relname AS name, pg_get_viewdef(c.oid) AS body FROM pg_class c "
        "WHERE c.relkind IN ('v', 'm') AND c.relnamespace = 'public'::regnamespace",
        "reads the legacy rows it was bound to: after the migration it still reads "
        "unify_legacy; recreate it on the unified tables",
    ),
    "function": (
        "SELECT p.proname AS name, p.prosrc AS body FROM pg_proc p "
        "WHERE p.pronamespace = 'public'::regnamespace",
        "names the table in its body: check it against the unified tables",
    ),
    "trigger": (
        "SELECT t.tgname || ' on ' || c.relname AS name, c.relname AS body FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
        "AND c.relnamespace = 'public'::regnamespace",
        "fires on the legacy table, which moves to unify_legacy: recreate it on the unified table",
    ),
    "column default": (
        "SELECT c.relname || '.' || a.attname AS name, pg_get_expr(d.adbin, d.adrelid) AS body "
        "FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid JOIN pg_attribute a "
        "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
        "WHERE c.relnamespace = 'public'::regnamespace",
        "names the table in its expression (a sequence, a function): check it after the move",
    ),
    "check constraint": (
        "SELECT c.relname || '.' || k.conname AS name, pg_get_constraintdef(k.oid) AS body "
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype = 'c' "
        "AND c.relnamespace = 'public'::regnamespace",
        "names the table in its expression: check it against the unified tables",
    ),
}


def dependent_checks(schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Per kind of object: those whose definition names a legacy table the migration moves
    (with the names they use)."""
    if cols.mapping is None or not cols.mapping.legacy_tables:
        return []
    names = ", ".join("'" + t.replace("'", "''") + "'" for t in cols.mapping.legacy_tables)
    checks = []
    for kind, (catalogue, why) in KINDS.items():
        sql = (
            f"WITH d AS ({catalogue}), o AS (SELECT d.name || ' (' || string_agg(DISTINCT t.n, ', ') "
            f"|| ')' AS s FROM d, unnest(ARRAY[{names}]) AS t(n) "
            f"WHERE d.body ~* ('\\m' || t.n || '\\M') GROUP BY d.name) "
            f"SELECT (SELECT count(*) FROM o), ARRAY(SELECT s FROM o ORDER BY s LIMIT {samples})"
        )
        text = f"{{count}} {kind}(s) name a legacy table; each {why}"
        checks.append(
            Check(rule=LEGACY_DEPENDENT_OBJECT, table="", column="", sql=sql, message=text)
        )
    return checks


FAMILY = CheckFamily(rules=(LEGACY_DEPENDENT_OBJECT,), make=dependent_checks)
