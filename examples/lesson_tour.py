"""A tour of the lesson's tensor operators, run by suanzi.

Runs every ```python block of the lesson (``shared/seed/operators-lesson.md``)
whose operators suanzi implements, with ``torch`` bound to suanzi, and shows
each expression's value the way a notebook would. Blocks that need a part of
suanzi still to come are listed as skipped, with the reason.

    python examples/lesson_tour.py [path/to/operators-lesson.md]
"""
from __future__ import annotations

import ast
import os
import re
import sys

import numpy as np

import suanzi

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_LESSON = os.path.join(HERE, "..", "..", "shared", "seed", "operators-lesson.md")


def blocks(path):
    section, code = "", None
    for line in open(path, encoding="utf-8").read().splitlines():
        if code is not None:
            if line.strip().startswith("```"):
                yield section, "\n".join(code)
                code = None
            else:
                code.append(line)
        elif re.match(r"^#+\s*\d", line):
            section = line.lstrip("#").strip()
        elif line.strip().startswith("```python"):
            code = []


def run(code):
    """Execute ``code`` with torch = suanzi, echoing each expression's value."""
    tree = ast.parse(code)
    ns = {"torch": suanzi, "np": np}
    if hasattr(suanzi, "nn"):
        ns["nn"] = suanzi.nn
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue  # torch/nn are provided; numpy is imported above
        src = ast.get_source_segment(code, node)
        if isinstance(node, ast.Expr):
            print(">>>", src)
            value = eval(compile(ast.Expression(node.value), "<lesson>", "eval"), ns)
            if value is not None:
                print(value)
        else:
            print(">>>", src.replace("\n", "\n... "))
            exec(compile(ast.Module([node], []), "<lesson>", "exec"), ns)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_LESSON
    if not os.path.exists(path):
        sys.exit(f"lesson not found: {path}")
    suanzi.manual_seed(0)
    ran = skipped = 0
    for section, code in blocks(path):
        print(f"\n=== {section} ===")
        try:
            run(code)
            ran += 1
        except Exception as e:  # the lesson also has sketches that are not valid code
            skipped += 1
            print(f"[skipped: {type(e).__name__}: {e}]")
    print(f"\n{ran} blocks ran, {skipped} skipped")


if __name__ == "__main__":
    main()
