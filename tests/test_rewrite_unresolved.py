"""The names a star import must supply: what the positions in Python's own tree answer
(``rewrite.bindings``) is what libcst's scopes answer, whenever the positions answer at all."""

from __future__ import annotations

import ast

import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unify.rewrite.bindings import read_bindings
from unify.rewrite.names import ScopeCache

NAMES = ("Alpha", "Beta", "Gamma", "len")

BLOCKS = (
    "from legacy import *\n",
    "x = Alpha()\n",
    "Alpha = 1\n",
    "from other import Beta\n",
    "def f():\n    from other import Alpha\n    return Alpha, Beta\n",
    "def g(Beta):\n    return Beta, Gamma\n",
    "def h():\n    y = Gamma\n    Gamma = 2\n    return y\n",
    "def k():\n    def inner():\n        return Alpha\n    Alpha = 3\n    return inner\n",
    "class K:\n    Beta = 1\n    def m(self):\n        return Beta\n",
    "class L:\n    value = Gamma\n",
    "for Gamma in range(2):\n    pass\n",
    "z = [Alpha for Alpha in range(3)]\n",
    "w = lambda Beta: Beta + Gamma\n",
    "print(len(Beta))\n",
    "try:\n    import Gamma\nexcept ImportError:\n    Gamma = None\n",
    "del Alpha\n",
    "with open('f') as Beta:\n    pass\n",
    "if Alpha:\n    from other import Gamma\n",
)


def _both(text: str) -> tuple[set[str] | None, set[str]]:
    tree = ast.parse(text)
    facts = read_bindings(tree)
    fast = facts.unresolved(list(NAMES)) if facts.modelled else None
    cache = ScopeCache(cst.parse_module(text), text, tree=tree)
    return fast, set(cache.unresolved()) & set(NAMES)


def test_a_name_bound_in_one_function_is_still_unresolved_elsewhere() -> None:
    text = (
        "from legacy import *\n"
        "def f():\n    from other import Alpha\n    return Alpha\n"
        "def g():\n    return Alpha, Beta, len\n"
    )
    fast, scopes = _both(text)
    assert scopes == {"Alpha", "Beta"}
    assert fast == scopes


def test_a_name_bound_at_module_level_after_its_use() -> None:
    fast, scopes = _both("x = Alpha\nAlpha = 1\ndef f():\n    return Alpha\n")
    assert fast == scopes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=8))
def test_the_positions_answer_as_libcst_does(parts: list[str]) -> None:
    fast, scopes = _both("".join(parts))
    if fast is not None:
        assert fast == scopes
