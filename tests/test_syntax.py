"""``unify.syntax.ast_nodes``: the nodes ``ast.walk`` gives, in its order, without the ``ctx``
leaves; with ``walk_into``, the order of what is listed kept."""

from __future__ import annotations

import ast
from pathlib import Path

from unify.syntax import ast_nodes

ROOT = Path(__file__).resolve().parents[1]

SHAPES = """
global_name = {**base, "key": [1, 2], None: (3,)}

def f(a, /, b=1, *args, c: int = 2, **kwargs) -> None:
    global global_name
    x = lambda y, *, z=3: (y, z)
    match a:
        case {"k": v, **rest}:
            pass
        case Point(x=0, y=yy) | [1, *others] as whole:
            pass
        case None:
            pass
    try:
        yield from (i async for i in b)
    except* ValueError as err:
        del x.attr, kwargs[0]
    return f"{a!r:>{b}} and {c=}"


@decorator(arg=1)
class C(Base, metaclass=Meta):
    value: int = 0
    async def run(self):
        async with lock as held, other:
            await held
        nonlocal_names = [k for k in range(3) if k if not k]
"""


def _walked(tree: ast.AST) -> list[ast.AST]:
    return [n for n in ast.walk(tree) if not isinstance(n, ast.expr_context)]


def test_ast_nodes_lists_what_ast_walk_gives_in_its_order() -> None:
    trees = [ast.parse(SHAPES)]
    trees += [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(ROOT.glob("unify/**/*.py"))]
    for tree in trees:
        listed, walked = ast_nodes(tree), _walked(tree)
        assert len(listed) == len(walked)
        assert all(a is b for a, b in zip(listed, walked, strict=True))


def test_walk_into_leaves_out_a_statements_nodes_and_keeps_the_order() -> None:
    tree = ast.parse(SHAPES)
    skipped = next(s for s in tree.body if isinstance(s, ast.FunctionDef))
    inside = {id(n) for n in ast.walk(skipped)} - {id(skipped)}
    listed = ast_nodes(tree, lambda stmt: stmt is not skipped)
    assert [n for n in _walked(tree) if id(n) not in inside] == listed


def test_child_nodes_are_ast_iter_child_nodes_without_ctx() -> None:
    from unify.syntax import child_nodes

    for node in ast.walk(ast.parse(SHAPES)):
        expected = [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr_context)]
        assert child_nodes(node) == expected
