"""The lesson's code, run unchanged on torch and on suanzi (as ``torch``).

Each ```python block of ``shared/seed/operators-lesson.md`` in the covered
sections is run twice: with the real torch, recording every random tensor it
draws, then with suanzi standing in for ``torch``, replaying those draws so
both runs see the same input values. Compared: the value of every top-level
expression statement (what a notebook would display), every variable the
block leaves behind, and everything it prints.
"""
from __future__ import annotations

import ast
import contextlib
import io
import os
import re

import numpy as np
import pytest
import torch

import suanzi
from helpers import _flatten, assert_same

LESSON = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "seed",
                      "operators-lesson.md")
# Every numbered section of the lesson.
SECTIONS = tuple(str(i) for i in range(1, 14))
# Sections whose results depend on random masks: torch's and suanzi's random
# streams differ, so only shapes and dtypes are compared there.
RANDOM_OUTPUT = ("13",)


def _blocks():
    """(section id, code) for each ```python block; the id is the innermost
    numbered heading ("2.2", or "6" under "# 6 …")."""
    if not os.path.exists(LESSON):
        return []
    out, section, major, code = [], None, None, None
    for line in open(LESSON, encoding="utf-8").read().splitlines():
        if code is not None:
            if line.strip().startswith("```"):
                out.append((section, "\n".join(code)))
                code = None
            else:
                code.append(line)
            continue
        m = re.match(r"^(#+)\s*(\d+(?:\.\d+)?)\s", line)
        if m:
            section = m.group(2)
            if len(m.group(1)) == 1:
                major = section
        elif line.strip().startswith("```python"):
            code = []
            section = section or major
    return out


def _covered(section):
    return any(section == s or section.split(".")[0] == s for s in SECTIONS)


def _parses(code):
    """The lesson's hand-written NumPy sketches in §3 have typos
    (``keepdims=True0``); they are prose, not runnable code."""
    try:
        ast.parse(code)
        return True
    except SyntaxError:
        return False


BLOCKS = [(s, c) for s, c in _blocks() if _covered(s) and _parses(c)]

RANDOM_FNS = ("randn", "rand", "randint", "randperm", "normal", "randn_like", "rand_like")


class _ModuleFactory:
    """Builds an nn module; in the torch run records its initial state, in
    the suanzi run loads that state, so both start from the same weights
    (their random initial draws differ)."""

    def __init__(self, cls, states, replay):
        self._cls, self._states, self._replay = cls, states, replay

    def __call__(self, *args, **kwargs):
        m = self._cls(*args, **kwargs)
        if self._replay:
            m.load_state_dict(self._states.pop(0))
        else:
            self._states.append({k: v.detach().numpy().copy() for k, v in m.state_dict().items()})
        return m

    def __getattr__(self, name):  # classmethods such as Embedding.from_pretrained
        return getattr(self._cls, name)


class _NN:
    def __init__(self, nn, states, replay):
        self._nn, self._states, self._replay = nn, states, replay

    def __getattr__(self, name):
        attr = getattr(self._nn, name)
        if isinstance(attr, type) and issubclass(attr, self._nn.Module):
            return _ModuleFactory(attr, self._states, self._replay)
        return attr


class _Recorder:
    """Stands in for ``torch``: passes everything through, recording random
    draws and modules' initial states (replaying them in the suanzi run)."""

    def __init__(self, lib, draws, replay, states=None):
        self._lib, self._draws, self._replay = lib, draws, replay
        self.nn = _NN(lib.nn, [] if states is None else states, replay)

    def __getattr__(self, name):
        attr = getattr(self._lib, name)
        if name not in RANDOM_FNS:
            return attr
        if self._replay:
            def replay(*args, **kwargs):
                arr = self._draws.pop(0)
                return suanzi.from_numpy(arr.copy())
            return replay

        def record(*args, **kwargs):
            t = attr(*args, **kwargs)
            self._draws.append(t.detach().numpy().copy())
            return t
        return record


def _instrument(code):
    """Strip imports of torch (the namespace provides it) and record the
    value of each top-level expression statement."""
    tree = ast.parse(code)
    body = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names]
            mod = getattr(node, "module", None) or ""
            if mod.startswith("torch") or any(n.startswith("torch") for n in names):
                continue
        if isinstance(node, ast.Expr) and not (
                isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "print"):
            node = ast.Expr(ast.Call(ast.Name("__record__", ast.Load()), [node.value], []))
        body.append(node)
    tree.body = body
    return compile(ast.fix_missing_locations(tree), "<lesson>", "exec")


def _run(code, lib, draws, replay, states):
    shown = []
    torch_ = _Recorder(lib, draws, replay, states)
    ns = {"__record__": shown.append, "torch": torch_, "np": np, "nn": torch_.nn}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(_instrument(code), ns)
    return shown, ns, out.getvalue()


@pytest.mark.skipif(not BLOCKS, reason="the lesson file (../shared/seed) is not present")
@pytest.mark.parametrize("section,code", BLOCKS, ids=[f"{s}-{i}" for i, (s, _) in enumerate(BLOCKS)])
def test_lesson_block(section, code):
    draws, states = [], []
    t_shown, t_ns, t_out = _run(code, torch, draws, replay=False, states=states)
    s_shown, s_ns, s_out = _run(code, suanzi, draws, replay=True, states=states)
    if section.split(".")[0] in RANDOM_OUTPUT:
        _compare_shapes(s_ns, t_ns)
        return
    assert s_out == t_out, f"printed output differs:\n--- suanzi\n{s_out}\n--- torch\n{t_out}"
    assert len(s_shown) == len(t_shown)
    for i, (s, t) in enumerate(zip(s_shown, t_shown)):
        ts, ss = _flatten(t), _flatten(s)
        assert len(ts) == len(ss), f"expression {i}: {len(ss)} results, torch {len(ts)}"
        for j, (a, b) in enumerate(zip(ss, ts)):
            assert_same(a, b, rtol=1e-5, atol=1e-5, what=f"expression {i} part {j}")
        if isinstance(t, torch.Tensor):
            assert repr(s) == repr(t), f"expression {i} displays differently"
    for name, t in t_ns.items():
        if isinstance(t, torch.Tensor):
            assert name in s_ns, f"variable {name} missing"
            assert_same(s_ns[name], t, rtol=1e-4, atol=1e-5, what=f"variable {name}")


def _compare_shapes(s_ns, t_ns):
    for name, t in t_ns.items():
        if isinstance(t, torch.Tensor):
            s = s_ns[name]
            assert tuple(s.shape) == tuple(t.shape) and str(s.dtype) == str(t.dtype), name


def test_lesson_blocks_found():
    if not os.path.exists(LESSON):
        pytest.skip("the lesson file (../shared/seed) is not present")
    sections = {s for s, _ in BLOCKS}
    assert {"2.2", "6.1", "8.1", "10.1", "11"} <= sections or len(BLOCKS) >= 10, sections
