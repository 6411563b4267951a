"""Draw the schema: the unified one (from the built module, or from the plan before the
build) or the legacy one with its conflicts; render it as Mermaid, DOT, SVG/PNG, or as the
model document ``MODELS.md``.

In order:

1. ``sources``: where the unified module is, and whether it is built yet.
2. A picture (``records.Diagram``) from one of three sources: ``built`` (the unified
   module's metadata, exact, plus its classes' relationships), ``planned`` (the resolved
   plan and the legacy inventory, before the build), ``legacy`` (the inventory as it is,
   analyze's conflicts marked).  ``marks`` reads sections, merges and renames from the
   resolved plan for the first two.
3. ``select``: one section only, if asked.
4. Renderers, pure functions returning text: ``mermaid`` (``erDiagram`` and its Markdown
   page), ``dot`` (Graphviz), ``document`` (``MODELS.md``); ``image`` runs Graphviz ``dot``
   for SVG/PNG.
"""

from __future__ import annotations

from unify.diagram.built import diagram_from_schema
from unify.diagram.document import DOC_NAME, render_models_doc
from unify.diagram.dot import render_dot
from unify.diagram.image import IMAGE_FORMATS, GraphvizMissing, render_image, require_graphviz
from unify.diagram.legacy import diagram_from_inventory
from unify.diagram.mermaid import render_markdown, render_mermaid
from unify.diagram.planned import diagram_from_plan
from unify.diagram.records import Diagram
from unify.diagram.select import select_section
from unify.diagram.sources import doc_rel, is_built, unified_rel, write_text

__all__ = [
    "DOC_NAME",
    "IMAGE_FORMATS",
    "Diagram",
    "GraphvizMissing",
    "diagram_from_inventory",
    "diagram_from_plan",
    "diagram_from_schema",
    "doc_rel",
    "is_built",
    "render",
    "render_dot",
    "render_image",
    "render_markdown",
    "render_mermaid",
    "render_models_doc",
    "require_graphviz",
    "select_section",
    "unified_rel",
    "write_text",
]

FORMATS = ("mermaid", "dot", *IMAGE_FORMATS)


def render(diagram: Diagram, fmt: str) -> bytes:
    """The picture in ``fmt``: ``mermaid`` (a Markdown page), ``dot``, ``svg`` or ``png``."""
    if fmt == "mermaid":
        return render_markdown(diagram).encode("utf-8")
    dot = render_dot(diagram)
    return dot.encode("utf-8") if fmt == "dot" else render_image(dot, fmt)
