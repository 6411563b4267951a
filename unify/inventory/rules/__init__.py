"""The analyze rules: each family sits next to its Rule records; ``RULES`` lists them once and
``check_inventory`` runs them over a finished ``Inventory`` (nothing else: a rule test can
build the records by hand)."""

from __future__ import annotations

from unify.inventory.rules.bases import OUTSIDE_BASE, check_outside_bases
from unify.inventory.rules.contents import MODEL_ALIAS, NON_MODEL_CLASS, check_module_contents
from unify.inventory.rules.copies import UNIMPORTED_DUPLICATE_MODULE, check_unimported_copies
from unify.inventory.rules.entities import DUPLICATE_MODEL, check_duplicate_models
from unify.inventory.rules.files import (
    MODULE_NAME_CLASH,
    OTHER_PYTHON_FILE,
    PARSE_ERROR,
    check_module_names,
    check_other_python,
)
from unify.inventory.rules.foreign_keys import (
    DANGLING_FK,
    FK_TYPE_MISMATCH,
    check_foreign_keys,
    known_tables,
    unsure_tables,
    with_history,
)
from unify.inventory.rules.imports import (
    BROKEN_IMPORT,
    DYNAMIC_IMPORT,
    DYNAMIC_REFERENCE,
    IMPORT_CYCLE,
    REEXPORT,
    STAR_IMPORT,
    check_dynamic_imports,
    check_import_cycles,
    check_imports,
    check_module_attributes,
)
from unify.inventory.rules.relationships import (
    ATTRIBUTE_DRIFT,
    UNRESOLVED_RELATIONSHIP,
    check_attribute_drift,
    check_relationships,
)
from unify.inventory.rules.sql import RAW_SQL_LEGACY_TABLE, check_sql_references
from unify.inventory.rules.tables import DUPLICATE_TABLE, check_duplicate_tables
from unify.inventory.rules.types import RUNTIME_COLUMN_TYPE, check_runtime_types
from unify.models import Finding, Inventory, ModelClass, Rule, rule_catalogue
from unify.vocabulary import tables_told_apart

RULES: dict[str, Rule] = rule_catalogue(
    PARSE_ERROR,
    DUPLICATE_TABLE,
    DANGLING_FK,
    FK_TYPE_MISMATCH,
    IMPORT_CYCLE,
    BROKEN_IMPORT,
    UNRESOLVED_RELATIONSHIP,
    DUPLICATE_MODEL,
    ATTRIBUTE_DRIFT,
    STAR_IMPORT,
    REEXPORT,
    DYNAMIC_IMPORT,
    DYNAMIC_REFERENCE,
    RAW_SQL_LEGACY_TABLE,
    MODEL_ALIAS,
    NON_MODEL_CLASS,
    OTHER_PYTHON_FILE,
    MODULE_NAME_CLASH,
    UNIMPORTED_DUPLICATE_MODULE,
    OUTSIDE_BASE,
    RUNTIME_COLUMN_TYPE,
)


def check_inventory(inventory: Inventory) -> list[Finding]:
    """Every check but ``parse-error`` (made while parsing), in a fixed order.  Classes and
    tables count when their module is a model module; ``inventory.classes`` (every model
    class, model module or not) falls back to the model modules' classes."""
    in_scope = {m.name for m in inventory.modules}
    every_class = inventory.classes or tuple(c for m in inventory.modules for c in m.classes)
    every_table = inventory.tables or tuple(t for m in inventory.modules for t in m.tables)
    classes = [c for c in every_class if c.module in in_scope]
    tables = [t for t in every_table if t.module in in_scope]
    links = inventory.class_links
    known = with_history(known_tables(every_class, every_table, links, in_scope), inventory)
    names = set(inventory.class_names) | {c.name for c in every_class}
    out: list[Finding] = []
    out += check_duplicate_tables(classes)
    out += check_foreign_keys(classes, tables, known, unsure_tables(every_class, links))
    out += check_relationships(classes, names)
    references = [(c.table, [fk.target_table for fk in c.foreign_keys]) for c in classes if c.table]
    references += [(t.table, [fk.target_table for fk in t.foreign_keys]) for t in tables]
    out += check_duplicate_models(classes, tables_told_apart(references))
    out += check_import_cycles(inventory.imports, in_scope)
    out += check_imports(inventory.imports)
    out += check_module_attributes(inventory.module_attributes)
    out += check_dynamic_imports(inventory.dynamic_imports)
    out += check_sql_references(inventory.sql_references)
    out += check_attribute_drift(inventory.attribute_uses, _members(inventory, every_class))
    out += check_module_contents(inventory.modules)
    out += check_other_python(inventory.other_python_files)
    out += check_module_names(inventory.module_clashes)
    out += check_unimported_copies(inventory)
    out += check_outside_bases(classes, links)
    out += check_runtime_types(classes)
    return out


def _members(
    inventory: Inventory, classes: tuple[ModelClass, ...]
) -> dict[str, frozenset[str] | None]:
    """Every attribute each model class (not mixin) is known to have; None when a base is
    unknown.  A class without links is not judged."""
    models = {c.qualname for c in classes if not c.mixin}
    return {
        link.model: None if link.members is None else frozenset(link.members)
        for link in inventory.class_links
        if link.model in models
    }
