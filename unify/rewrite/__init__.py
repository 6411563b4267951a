"""The parts of ``unify rewrite``; ``unify.rewrite_imports`` is the stage's front.

One concern a module, in the order a file goes through them:

- ``map``: the rename map resolved against the repository (which files are legacy, where
  names go) and the byte prefilter;
- ``repo``: candidates, skipped legacy/target files, run-level findings;
- ``runner``: per-file work (read, rewrite, compile check), in a process pool;
- ``source``: one file's text in, new text out: the steps below, in order;
- ``skeleton``: what libcst parses: the file with every statement that holds no import
  replaced by ``pass`` (the whole file only when libcst's scopes, a traversal of the code
  or a whole generated module are needed);
- ``walk``: the statement structure of a libcst module (find and rebuild imports);
- ``plan``: what each import form becomes (``from``, ``from-module``, ``import``,
  ``import-as``, ``from-star``);
- ``stars``: the names a star import supplies and the file uses (``history``: a rebuilt
  module's legacy version, from git);
- ``names``: whether renamed bindings' uses can follow (a text check, else ``bindings``:
  positions from Python's parser when certain, else libcst's scopes);
- ``rewriter``: the transformer (import lines, uses, strings, fallbacks); ``splice``: the
  new text as edits of the original, only the changed import lines generated (at any
  depth); ``codegen``: the fallback, the changed top-level statements regenerated;
- ``render``: the text of the new import statements; ``merge``: no name imported twice by
  them, no two lines fused;
- ``strings``, ``fallbacks``, ``dynamic``: string references, dead ``except`` fallbacks,
  strings naming legacy modules;
- ``uses``: ``module.attr`` renames spliced into the text;
- ``reach``: names of legacy modules still reached through a module binding after the
  rewrite (``pkg.legacy.Old``): renamed in place, imported from their new module, or reported;
- ``writing``: all-or-nothing application.

Adding an import form: plan it in ``plan`` (a ``_plan_*`` function returning a ``StmtPlan``
with the form's name), render it in ``render`` when its statements take another shape, and
bind its names in ``bindings``/``names`` only when it binds them another way; then name the
form in ``unify.models.ChangeForm`` and describe it in docs/rules.md (rewrite section).
"""
