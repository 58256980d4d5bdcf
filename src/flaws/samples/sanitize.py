"""Turn what a model returned into the program the executor runs.

Chat models wrap code in prose and markdown fences, return only a function body, or
return whole modules with test calls.  :func:`sanitize` produces one complete program
per sample:

1. pick the code: the fenced block that defines the task's entry point (else the longest
   block that parses, else the first), or the whole text when there is no fence; text
   with prose around unfenced code is cut to the largest span of lines that parses;
2. if the code defines the entry point at top level it is a *program*; otherwise it is a
   *body*: its indentation is repaired (a first line that lost its indent, a body written
   at column 0) and the task prompt (signature and docstring) is put in front of it;
3. the program is cleaned: imports, function and class definitions and the module-level
   assignments those definitions use are kept; everything else at top level (test calls,
   ``print``, ``assert``, ``if __name__ == "__main__":`` blocks, loops) is dropped;
4. names the program uses but does not define and the task prompt provides (imports such
   as ``from typing import List``, helper functions such as ``is_palindrome``) are added
   from the prompt.

A text that cannot be parsed is kept as it is (it will fail when executed): a sample is
never dropped, since dropping failures would bias accuracy upwards.  The sanitizer only
parses code (``ast``); it never executes it.
"""

from __future__ import annotations

import ast
import builtins
import re
import textwrap
import warnings
from dataclasses import dataclass, field

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+.\-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
_PY_LANGS = {"", "python", "py", "python3", "py3", "python 3"}
_CODE_START = re.compile(r"^(?:def |async def |class |import |from |@)")
_MAX_SPAN_LINES = 200  # the span search parses O(lines^2) chunks

SHAPES = ("program", "body", "unparseable")
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Sanitized:
    """The result of :func:`sanitize_report`.

    ``shape`` is ``"program"`` (the code defined the entry point), ``"body"`` (the prompt
    was put in front of it) or ``"unparseable"`` (kept as is).  ``fenced`` tells whether a
    markdown block was taken, ``prose_cut`` whether lines around unfenced code were cut,
    ``reindented`` whether a body's indentation was repaired, ``dropped`` lists the kinds of
    top-level statements removed and ``added`` the names taken from the prompt.
    """

    program: str
    shape: str
    fenced: bool = False
    prose_cut: bool = False
    reindented: bool = False
    dropped: tuple[str, ...] = field(default_factory=tuple)
    added: tuple[str, ...] = field(default_factory=tuple)


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _dedent(code: str) -> str:
    """Remove the common leading whitespace of the non-blank lines; unlike ``textwrap.dedent``
    this leaves whitespace-only lines (which may sit inside string literals) alone when there
    is nothing to remove."""
    lines = code.split("\n")
    indents = [_indent_of(ln) for ln in lines if ln.strip()]
    k = min(indents) if indents else 0
    if k == 0:
        return code
    return "\n".join(ln[k:] if ln[:k].strip() == "" else ln.lstrip(" \t") for ln in lines)


def _parse(src: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. invalid escape sequences in the sample
            return ast.parse(src)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _top_level_def(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    found = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            found = node  # the last definition is the one Python keeps
    return found


def _has_real_body(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return len(body) > 0


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    return [(m.group(1).strip().lower(), m.group(2)) for m in _FENCE.finditer(text)]


def _strip_fence_lines(text: str) -> str:
    lines = [ln for ln in text.split("\n") if not ln.lstrip().startswith("```")]
    return "\n".join(ln[:-3] if ln.rstrip().endswith("```") else ln for ln in lines)


def _defines_entry(code: str, entry_point: str) -> bool:
    tree = _parse(_dedent(code))
    return tree is not None and _top_level_def(tree, entry_point) is not None


def _largest_parseable_span(text: str) -> str | None:
    """The longest run of whole lines that parses, starting at a line that looks like code."""
    lines = text.split("\n")
    if len(lines) > _MAX_SPAN_LINES:
        return None
    starts = [i for i, ln in enumerate(lines) if _CODE_START.match(ln)]
    best: tuple[int, int] | None = None
    for i in starts:
        for j in range(len(lines), i, -1):
            if best is not None and j - i <= best[1] - best[0]:
                break
            chunk = "\n".join(lines[i:j])
            if chunk.strip() and _parse(chunk) is not None:
                best = (i, j)
                break
    if best is None:
        return None
    return "\n".join(lines[best[0]:best[1]])


def extract_code(text: str, entry_point: str) -> tuple[str, bool, bool]:
    """Pick the code in a model's answer: ``(code, fenced, prose_cut)``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "```" in text:
        blocks = [(lang, code) for lang, code in _fenced_blocks(text) if code.strip()]
        python = [code for lang, code in blocks if lang in _PY_LANGS] or [code for _, code in blocks]
        for code in python:
            if _defines_entry(code, entry_point):
                return code, True, False
        parseable = [code for code in python if _parse(_dedent(code)) is not None]
        if parseable:
            return max(parseable, key=len), True, False
        unfenced = _strip_fence_lines(text)
        if _parse(_dedent(unfenced)) is not None:
            return unfenced, True, False
        if python:
            return python[0], True, False
        text = unfenced
    if _parse(_dedent(text)) is not None or _body_program(text, None) is not None:
        return text, False, False
    span = _largest_parseable_span(text)
    if span is not None and (_defines_entry(span, entry_point) or span.count("\n") >= text.count("\n") // 2):
        return span, False, True
    return text, False, False


def _body_candidates(code: str) -> list[tuple[str, bool]]:
    """Possible indentations of a function body: ``(body, reindented)``."""
    code = code.strip("\n")
    lines = code.split("\n")
    nonblank = [ln for ln in lines if ln.strip()]
    if not nonblank:
        return []
    out: list[tuple[str, bool]] = []
    if _indent_of(nonblank[0]) > 0:
        out.append((code, False))
    rest = [_indent_of(ln) for ln in nonblank[1:]]
    if _indent_of(nonblank[0]) == 0 and rest and min(rest) > 0:
        first = next(i for i, ln in enumerate(lines) if ln.strip())
        fixed = list(lines)
        fixed[first] = " " * min(rest) + fixed[first]
        out.append(("\n".join(fixed), True))
    out.append((textwrap.indent(_dedent(code), "    "), True))
    return out


def _body_program(code: str, task: dict | None) -> tuple[str, bool] | None:
    """Prompt + body for the first indentation that gives the entry point a real body."""
    if task is None:
        # Only asks whether the text could be a body of *some* function.
        stub = "def _f():\n"
        for body, _ in _body_candidates(code):
            if _parse(stub + body) is not None:
                return stub + body, False
        return None
    prompt = task["prompt"]
    if not prompt.endswith("\n"):
        prompt += "\n"
    for body, reindented in _body_candidates(code):
        program = prompt + body + "\n"
        tree = _parse(program)
        if tree is None:
            continue
        fn = _top_level_def(tree, task["entry_point"])
        if fn is not None and _has_real_body(fn):
            return program, reindented
    return None


def _bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    names: set[str] = set()
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    for t in targets:
        for sub in ast.walk(t):
            if isinstance(sub, ast.Name):
                names.add(sub.id)
    return names


def _used_names(node: ast.AST) -> set[str]:
    return {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)}


def _start_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None) or []
    return min([node.lineno] + [d.lineno for d in decorators])


def _kind(node: ast.stmt) -> str:
    if isinstance(node, ast.If) and "__name__" in _used_names(node.test):
        return "main-guard"
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        if isinstance(func, ast.Name) and func.id == "print":
            return "print"
        return "call"
    if isinstance(node, ast.Expr):
        return "expression"
    return type(node).__name__.lower()


def _is_import_only_try(node: ast.stmt) -> bool:
    return isinstance(node, ast.Try) and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in node.body)


def _clean(tree: ast.Module, src: str, entry_point: str) -> tuple[str, tuple[str, ...]]:
    """Keep imports, definitions and the assignments they use; drop other top-level code."""
    body = tree.body
    keep = [isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            or _is_import_only_try(n) for n in body]
    needed: set[str] = set()
    for n, k in zip(body, keep):
        if k:
            needed |= _used_names(n)
    assigns = [i for i, n in enumerate(body) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign))]
    changed = True
    while changed:
        changed = False
        for i in assigns:
            n = body[i]
            if keep[i] or not (_bound_names(n) & needed):
                continue
            if entry_point in _used_names(n):
                continue  # e.g. ``result = entry_point(...)``: a test call
            keep[i] = True
            needed |= _used_names(n)
            changed = True
    dropped = tuple(_kind(n) for n, k in zip(body, keep) if not k)
    if not dropped:
        return src, ()
    lines = src.split("\n")
    out: list[str] = []
    prev_end = 0
    prev_kept = False
    for n, k in zip(body, keep):
        if k:
            start = prev_end + 1 if prev_kept else _start_line(n)
            if out and not prev_kept:
                out.append("")
            out.extend(lines[start - 1:n.end_lineno])
        prev_end = n.end_lineno
        prev_kept = k
    return "\n".join(out).strip("\n") + "\n", dropped


def _add_prompt_context(program: str, tree: ast.Module, prompt: str, entry_point: str) -> tuple[str, tuple[str, ...]]:
    """Add the prompt's imports/helpers for names the program uses but does not define."""
    ptree = _parse(prompt)
    if ptree is None:
        return program, ()
    defined: set[str] = set()
    for n in tree.body:
        defined |= _bound_names(n)
        if isinstance(n, ast.Try):
            for m in n.body:
                defined |= _bound_names(m)
    used = _used_names(tree)
    candidates = [n for n in ptree.body
                  if not (isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == entry_point)
                  and _bound_names(n)]
    chosen: list[ast.stmt] = []
    while True:
        missing = used - defined - _BUILTINS
        new = [n for n in candidates if n not in chosen and _bound_names(n) & missing]
        if not new:
            break
        for n in new:
            chosen.append(n)
            defined |= _bound_names(n)
            used |= _used_names(n)
    if not chosen:
        return program, ()
    chosen.sort(key=lambda n: (not isinstance(n, (ast.Import, ast.ImportFrom)), n.lineno))
    plines = prompt.split("\n")
    parts = ["\n".join(plines[_start_line(n) - 1:n.end_lineno]) for n in chosen]
    imports = [p for p, n in zip(parts, chosen) if isinstance(n, (ast.Import, ast.ImportFrom))]
    others = [p for p, n in zip(parts, chosen) if not isinstance(n, (ast.Import, ast.ImportFrom))]
    header = "\n".join(imports)
    if others:
        header = (header + "\n\n\n" if header else "") + "\n\n\n".join(others)
    added = tuple(sorted(set().union(*(_bound_names(n) for n in chosen))))
    return header + "\n\n\n" + program, added


def sanitize_report(text: str, task: dict) -> Sanitized:
    """Sanitize ``text`` for ``task`` (a dict with ``prompt`` and ``entry_point``) and say what was done."""
    if not isinstance(text, str):
        raise TypeError(f"sample text must be a str, not {type(text).__name__}")
    entry_point = task["entry_point"]
    code, fenced, prose_cut = extract_code(text, entry_point)
    reindented = False
    shape = "program"
    dedented = _dedent(code)
    tree = _parse(dedented)
    if tree is not None and _top_level_def(tree, entry_point) is not None:
        src = dedented
    else:
        made = _body_program(code, task)
        if made is None:
            return Sanitized(program=text, shape="unparseable", fenced=fenced, prose_cut=prose_cut)
        src, reindented = made
        shape = "body"
        tree = _parse(src)
    cleaned, dropped = _clean(tree, src, entry_point)
    ctree = _parse(cleaned) if dropped else tree
    program, added = _add_prompt_context(cleaned, ctree, task["prompt"], entry_point)
    if not program.endswith("\n"):
        program += "\n"
    return Sanitized(program=program, shape=shape, fenced=fenced, prose_cut=prose_cut,
                     reindented=reindented, dropped=dropped, added=added)


def sanitize(text: str, task: dict) -> str:
    """The complete program to run for one sample (see the module docstring)."""
    return sanitize_report(text, task).program
