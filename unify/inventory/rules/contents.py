"""Rules about what a model module holds besides models: ``model-alias`` (a second name for
a model) and ``non-model-class`` (a helper class or function)."""

from __future__ import annotations

from collections.abc import Sequence

from unify.models import Finding, ModelModule, Rule, Severity

MODEL_ALIAS = Rule(
    name="model-alias", code="U013", severity=Severity.INFO, summary="a second name for a model"
)
NON_MODEL_CLASS = Rule(
    name="non-model-class",
    code="U014",
    severity=Severity.INFO,
    summary="a class or function in a model module that is not a model",
)


def check_module_contents(modules: Sequence[ModelModule]) -> list[Finding]:
    """``model-alias`` for each second name and ``non-model-class`` for helpers in model modules."""
    out = []
    for mod in modules:
        for alias in mod.aliases:
            how = "assignment" if alias.kind == "assign" else "aliased import"
            where = " inside try/except" if alias.guarded else ""
            out.append(
                MODEL_ALIAS.finding(
                    f"{mod.name}.{alias.name} is another name for {alias.target} ({how}{where}); "
                    f"keep it only in the compat module and use {alias.target.rsplit('.', 1)[-1]}",
                    path=alias.path,
                    line=alias.line,
                    objects=(f"{mod.name}.{alias.name}", alias.target),
                )
            )
        aliased = {a.name for a in mod.aliases}
        public = [f for f in mod.functions if not f.name.startswith("_")]
        for sym in (*mod.other_classes, *public):
            what = "placeholder class" if sym.name in aliased else sym.kind
            out.append(
                NON_MODEL_CLASS.finding(
                    f"{what} {mod.name}.{sym.name} lives in a model module but is not a model; "
                    f"move it to a helper module (or the compat module) when unifying",
                    path=sym.path,
                    line=sym.line,
                    objects=(f"{mod.name}.{sym.name}",),
                )
            )
    return out
