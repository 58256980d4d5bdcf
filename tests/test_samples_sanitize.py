"""The sanitizer's cases, on tiny tasks written here (no third-party content)."""

import ast
import textwrap

import pytest

from flaws.samples.sanitize import sanitize, sanitize_report

TASK = {
    "task_id": "HumanEval/900",
    "entry_point": "add_all",
    "prompt": textwrap.dedent('''\
        from typing import List


        def add_all(xs: List[int]) -> int:
            """ Sum the numbers.
            >>> add_all([1, 2])
            3
            """
        '''),
}

HELPER_TASK = {
    "task_id": "HumanEval/901",
    "entry_point": "twice_square",
    "prompt": textwrap.dedent('''\
        import math


        def square(x: int) -> int:
            """ Square x. """
            return int(math.pow(x, 2))


        def twice_square(x: int) -> int:
            """ Twice the square of x, using square. """
        '''),
}


def defines(program: str, name: str) -> bool:
    tree = ast.parse(program)
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body)


def top_level_kinds(program: str) -> list[str]:
    return [type(n).__name__ for n in ast.parse(program).body]


def test_fenced_block_with_prose_is_extracted():
    text = ("Sure! Here is the function:\n\n```python\nfrom typing import List\n\n"
            "def add_all(xs: List[int]) -> int:\n    return sum(xs)\n```\n\nIt adds the numbers.")
    r = sanitize_report(text, TASK)
    assert r.shape == "program" and r.fenced
    assert r.program == "from typing import List\n\ndef add_all(xs: List[int]) -> int:\n    return sum(xs)\n"


def test_block_defining_the_entry_point_is_preferred():
    text = ("Usage:\n```python\nprint(add_all([1, 2]))\n```\nCode:\n```python\n"
            "def add_all(xs):\n    return sum(xs)\n```\n")
    assert sanitize(text, TASK) == "def add_all(xs):\n    return sum(xs)\n"


def test_non_python_blocks_are_ignored():
    text = "```text\nadd_all(xs) = 3\n```\n```python\ndef add_all(xs):\n    return sum(xs)\n```"
    assert sanitize(text, TASK) == "def add_all(xs):\n    return sum(xs)\n"


def test_fence_closed_at_end_of_line_and_unterminated_fence():
    closed = "```python\ndef add_all(xs):\n    return sum(xs)```"
    assert sanitize(closed, TASK) == "def add_all(xs):\n    return sum(xs)\n"
    open_ = "```python\ndef add_all(xs):\n    return sum(xs)\n"
    assert sanitize(open_, TASK) == "def add_all(xs):\n    return sum(xs)\n"


def test_indented_body_gets_the_prompt():
    r = sanitize_report("    total = 0\n    for x in xs:\n        total += x\n    return total", TASK)
    assert r.shape == "body" and not r.reindented
    assert r.program.startswith(TASK["prompt"])
    assert r.program.endswith("    return total\n")
    assert defines(r.program, "add_all")


def test_body_written_at_column_zero_is_reindented():
    r = sanitize_report("total = 0\nfor x in xs:\n    total += x\nreturn total\n", TASK)
    assert r.shape == "body" and r.reindented
    assert r.program == TASK["prompt"] + "    total = 0\n    for x in xs:\n        total += x\n    return total\n"


def test_body_whose_first_line_lost_its_indent_is_repaired():
    r = sanitize_report("for x in xs:\n        if x:\n            return x\n    return 0", TASK)
    assert r.shape == "body" and r.reindented
    body = r.program[len(TASK["prompt"]):]
    assert body == "    for x in xs:\n        if x:\n            return x\n    return 0\n"


def test_fenced_body_gets_the_prompt():
    r = sanitize_report("```python\nreturn sum(xs)\n```", TASK)
    assert r.shape == "body" and r.fenced
    assert r.program == TASK["prompt"] + "    return sum(xs)\n"


def test_top_level_test_code_is_dropped_and_definitions_kept():
    text = textwrap.dedent('''\
        import math
        LIMIT = 10
        UNUSED = 3


        def helper(x):
            return min(x, LIMIT)


        @staticmethod
        def decorated():
            return 1


        def add_all(xs):
            return sum(helper(x) for x in xs)


        result = add_all([1, 2])
        print(result)
        assert add_all([1]) == 1
        for i in range(3):
            print(i)
        if __name__ == "__main__":
            import doctest
            doctest.testmod()
        ''')
    r = sanitize_report(text, TASK)
    assert r.shape == "program"
    assert sorted(r.dropped) == sorted(["assign", "assign", "print", "assert", "for", "main-guard"])
    assert top_level_kinds(r.program) == ["Import", "Assign", "FunctionDef", "FunctionDef", "FunctionDef"]
    assert "LIMIT = 10" in r.program and "UNUSED" not in r.program
    assert "@staticmethod\ndef decorated" in r.program
    assert "print" not in r.program and "__main__" not in r.program and "result" not in r.program


def test_missing_prompt_imports_are_added_only_when_used():
    r = sanitize_report("def add_all(xs: List[int]) -> int:\n    return sum(xs)\n", TASK)
    assert r.added == ("List",)
    assert r.program.startswith("from typing import List\n")
    plain = "def add_all(xs):\n    return sum(xs)\n"
    assert sanitize(plain, TASK) == plain


def test_missing_prompt_helpers_and_their_imports_are_added():
    r = sanitize_report("def twice_square(x):\n    return 2 * square(x)\n", HELPER_TASK)
    assert r.added == ("math", "square")
    assert r.program.index("import math") < r.program.index("def square") < r.program.index("def twice_square")
    assert defines(r.program, "square")
    own = "def square(x):\n    return x * x\n\n\ndef twice_square(x):\n    return 2 * square(x)\n"
    assert sanitize(own, HELPER_TASK) == own  # the sample's own helper wins


def test_completion_style_program_is_unchanged_when_clean():
    text = TASK["prompt"] + "    return sum(xs)\n\n\n"
    assert sanitize(text, TASK) == text


def test_prose_around_unfenced_code_is_cut():
    text = "Here is my solution:\ndef add_all(xs):\n    return sum(xs)\nThis works because sum adds."
    r = sanitize_report(text, TASK)
    assert r.prose_cut
    assert r.program == "def add_all(xs):\n    return sum(xs)\n"


def test_whitespace_inside_strings_is_preserved():
    text = 'def add_all(xs):\n    """Doc.\n    \n    """\n    return sum(xs)\n'
    assert sanitize(text, TASK) == text


def test_unparseable_sample_is_kept_as_is():
    for text in ["def add_all(xs):\nreturn sum(xs", "", "I cannot help with that.", "```python\n```"]:
        r = sanitize_report(text, TASK)
        assert r.shape == "unparseable"
        assert r.program == text


@pytest.mark.parametrize("text", [
    "return sum(xs)", "```\nx = 1\n```", "def other():\n    return 1\n", "    return 1\nprint(2)",
    "\r\n".join(["def add_all(xs):", "    return sum(xs)"]), "\x00garbage", "def add_all(xs):\n\treturn sum(xs)\n",
])
def test_never_drops_a_sample(text):
    out = sanitize(text, TASK)
    assert isinstance(out, str) and (out.strip() or not text.strip())


def test_sanitizer_never_executes_the_sample(tmp_path):
    canary = tmp_path / "canary.txt"
    text = (f"open({str(canary)!r}, 'w').write('ran')\n"
            "def add_all(xs):\n"
            f"    open({str(canary)!r}, 'w').write('ran')\n"
            "    return sum(xs)\n"
            f"print(add_all([open({str(canary)!r}, 'w')]))\n")
    program = sanitize(text, TASK)
    assert not canary.exists()
    assert program.count("open(") == 1  # only the one inside the function body remains


def test_rejects_non_text():
    with pytest.raises(TypeError):
        sanitize(b"def add_all(xs): return 1", TASK)
