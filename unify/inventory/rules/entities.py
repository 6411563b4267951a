"""``duplicate-model``: pairs of mapped classes that look like one entity (merge candidates)."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Collection, Sequence
from itertools import combinations

from unify.inventory.rules.tables import mapped_classes
from unify.models import Finding, ModelClass, Rule, Severity
from unify.vocabulary import singular, snake_case, strip_affixes

DUPLICATE_MODEL = Rule(
    name="duplicate-model",
    code="U008",
    severity=Severity.WARNING,
    summary="classes that model one entity (merge candidates)",
)

_BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "uuid"})


@functools.lru_cache(maxsize=4096)
def entity_keys(class_name: str, *, any_word: bool = False) -> frozenset[str]:
    """The names a class may stand for: its own, without a version or legacy affix
    (``ABCUser``, ``UserV2``, ``LegacyUser`` -> ``user``), and without a ``Model`` suffix;
    with ``any_word``, also without any one other word (``ShopUserV2`` -> ``user``)."""
    stripped = strip_affixes(class_name, any_word=any_word)
    names = {class_name, *(rest for rest, _ in stripped)}
    names |= {n[: -len("Model")] for n in names if n.endswith("Model") and len(n) > len("Model")}
    return frozenset(snake_case(n).replace("_", "") for n in names)


def check_duplicate_models(
    classes: Sequence[ModelClass], apart: Collection[frozenset[str]] = ()
) -> list[Finding]:
    """Pairs of mapped classes that look like one entity: same table, or near names with
    overlapping columns; never two tables a foreign key tells apart (``apart``, pairs of
    singular table names: ``vocabulary.tables_told_apart``)."""
    mapped = mapped_classes(classes)
    columns = {id(c): frozenset(col.name for col in c.columns) - _BOOKKEEPING for c in mapped}
    out = []
    for a, b in combinations(mapped, 2):
        if a.table and b.table and frozenset((singular(a.table), singular(b.table))) in apart:
            continue
        reason = _same_entity(a, b, columns[id(a)], columns[id(b)])
        if reason:
            out.append(
                DUPLICATE_MODEL.finding(
                    f"{a.qualname} and {b.qualname} model the same entity ({reason}); "
                    f"merge them into one class and keep the other name as a compat alias",
                    path=b.path,
                    line=b.line,
                    objects=(a.qualname, b.qualname),
                )
            )
    return out


def _same_entity(
    a: ModelClass, b: ModelClass, cols_a: frozenset[str], cols_b: frozenset[str]
) -> str | None:
    if a.table == b.table:
        return f"both map table '{a.table}'"
    shared = cols_a & cols_b
    if len(shared) < 2 or len(shared) / (min(len(cols_a), len(cols_b)) or 1) < 0.4:
        return None  # checked first: set operations are cheap, name similarity is not
    overlap = len(shared) / (min(len(cols_a), len(cols_b)) or 1)
    same_key = bool(entity_keys(a.name) & entity_keys(b.name))
    if not same_key and a.keyed_apart(b):
        return None  # names alike only loosely, keys on other columns: two entities
    # a name that matches only once another word is stripped needs most columns shared
    loose_key = overlap >= 0.5 and bool(
        entity_keys(a.name, any_word=True) & entity_keys(b.name, any_word=True)
    )
    if not same_key and (len(shared) < 3 or overlap < 0.5):
        return None  # merely similar names need stronger column evidence
    if (
        same_key
        or loose_key
        or difflib.SequenceMatcher(None, a.name.lower(), b.name.lower()).ratio() >= 0.85
    ):
        return f"similar names, {len(shared)} shared columns: {', '.join(sorted(shared))}"
    return None
