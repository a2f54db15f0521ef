"""The torch oracle: run the same code on suanzi and on torch and compare.

``check(fn, *arrays)`` calls ``fn(lib, *tensors)`` once with ``lib = torch``
and once with ``lib = suanzi`` on tensors built from the same NumPy arrays,
then compares values, shapes and dtypes of everything returned (tensors,
tuples, named tuples, numbers) and — when ``grad`` is set — the gradients of
every floating input after backpropagating the same random cotangent.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import suanzi

RNG = np.random.default_rng(0)


def randn(*shape, dtype=np.float32, low=None, high=None):
    # np.asarray: with no shape NumPy returns a scalar, and check() would
    # pass it through as a number instead of making a 0-d tensor of it
    if low is not None:
        return np.asarray(RNG.uniform(low, high, size=shape).astype(dtype))
    return np.asarray(RNG.standard_normal(shape).astype(dtype))


def to_torch(a, requires_grad=False):
    t = torch.from_numpy(np.array(a, copy=True))
    if requires_grad:
        t.requires_grad_(True)
    return t


def to_suanzi(a, requires_grad=False):
    t = suanzi.from_numpy(np.array(a, copy=True))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _flatten(x):
    """Tensors and numbers of a (nested) result, in order."""
    if isinstance(x, (torch.Tensor, suanzi.Tensor)):
        return [x]
    if isinstance(x, (tuple, list)):
        out = []
        for y in x:
            out.extend(_flatten(y))
        return out
    if x is None:
        return [None]
    return [x]


def dtype_name(d):
    return str(d).replace("torch.", "")


def assert_same(s, t, rtol=1e-5, atol=1e-6, check_dtype=True, what="output"):
    """Compare one suanzi result with one torch result."""
    if isinstance(t, torch.Tensor):
        assert isinstance(s, suanzi.Tensor), f"{what}: expected a Tensor, got {type(s).__name__}"
        assert tuple(s.shape) == tuple(t.shape), f"{what}: shape {tuple(s.shape)} != {tuple(t.shape)}"
        if check_dtype:
            assert dtype_name(s.dtype) == dtype_name(t.dtype), \
                f"{what}: dtype {s.dtype} != {t.dtype}"
        sa = np.asarray(s.detach()._data)
        ta = t.detach().numpy(force=True) if t.dtype != torch.bfloat16 else t.detach().float().numpy()
        if sa.dtype.kind in "biu" or ta.dtype.kind in "biu":
            np.testing.assert_array_equal(sa, ta, err_msg=what)
        else:
            np.testing.assert_allclose(sa.astype(np.float64), ta.astype(np.float64), rtol=rtol,
                                       atol=atol, equal_nan=True, err_msg=what)
    elif isinstance(t, (bool, int, float)) and not isinstance(s, suanzi.Tensor):
        if isinstance(t, float):
            np.testing.assert_allclose(s, t, rtol=rtol, atol=atol, err_msg=what)
        else:
            assert s == t, f"{what}: {s} != {t}"
    elif isinstance(t, torch.Size):
        assert tuple(s) == tuple(t), f"{what}: {s} != {t}"
    elif t is None:
        assert s is None, f"{what}: expected None"
    else:
        assert s == t, f"{what}: {s!r} != {t!r}"


def check(fn, *arrays, grad=True, rtol=1e-5, atol=1e-6, grad_rtol=None, grad_atol=None,
          check_dtype=True, requires_grad=None):
    """Run ``fn(lib, *tensors)`` with torch and suanzi and compare everything.

    ``arrays``: NumPy arrays (or Python scalars, passed through unchanged).
    ``requires_grad``: which inputs require grad (default: all floating arrays).
    Returns (suanzi_result, torch_result).
    """
    if requires_grad is None:
        requires_grad = [isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in arrays]
    if not grad:
        requires_grad = [False] * len(arrays)
    t_in = [to_torch(a, rg) if isinstance(a, np.ndarray) else a
            for a, rg in zip(arrays, requires_grad)]
    s_in = [to_suanzi(a, rg) if isinstance(a, np.ndarray) else a
            for a, rg in zip(arrays, requires_grad)]
    t_out = fn(torch, *t_in)
    s_out = fn(suanzi, *s_in)
    t_flat, s_flat = _flatten(t_out), _flatten(s_out)
    assert len(t_flat) == len(s_flat), f"{len(s_flat)} results, torch gives {len(t_flat)}"
    for i, (s, t) in enumerate(zip(s_flat, t_flat)):
        assert_same(s, t, rtol, atol, check_dtype, what=f"result {i}")
    if type(t_out) is not type(s_out) and hasattr(t_out, "_fields"):
        assert tuple(t_out._fields) == tuple(getattr(s_out, "_fields", ())), "named tuple fields"

    if any(requires_grad):
        t_loss, s_loss = 0, 0
        for s, t in zip(s_flat, t_flat):
            if isinstance(t, torch.Tensor) and t.requires_grad:
                assert s.requires_grad, "suanzi result does not require grad where torch's does"
                w = RNG.standard_normal(tuple(t.shape)).astype(
                    t.detach().numpy().dtype if t.dtype != torch.bfloat16 else np.float32)
                t_loss = t_loss + (t * torch.from_numpy(w).to(t.dtype)).sum()
                s_loss = s_loss + (s * suanzi.from_numpy(w).to(s.dtype)).sum()
        if isinstance(t_loss, torch.Tensor):
            t_loss.backward()
            s_loss.backward()
            for i, (s, t, rg) in enumerate(zip(s_in, t_in, requires_grad)):
                if not rg:
                    continue
                if t.grad is None:
                    assert s.grad is None or not np.any(s.grad._data), f"grad of input {i}: torch has none"
                    continue
                assert s.grad is not None, f"grad of input {i} is missing"
                assert_same(s.grad, t.grad, grad_rtol or rtol * 10, grad_atol or atol * 10,
                            what=f"grad of input {i}")
    return s_out, t_out


def check_raises(fn, *arrays, exc=None):
    """Both libraries must raise, and suanzi the same exception class as torch
    (or ``exc`` where torch's class is documented to differ)."""
    t_in = [to_torch(a) if isinstance(a, np.ndarray) else a for a in arrays]
    s_in = [to_suanzi(a) if isinstance(a, np.ndarray) else a for a in arrays]
    with pytest.raises(Exception) as t_err:
        fn(torch, *t_in)
    expected = exc or type(t_err.value)
    with pytest.raises(Exception) as s_err:
        fn(suanzi, *s_in)
    assert isinstance(s_err.value, expected), \
        f"suanzi raised {type(s_err.value).__name__}: {s_err.value}; torch raises " \
        f"{type(t_err.value).__name__}: {t_err.value}"
    return s_err.value, t_err.value


def check_module(make, *arrays, train=True, rtol=1e-5, atol=1e-6, grad_rtol=None,
                 grad_atol=None, call=None, compare_buffers=True):
    """Layer parity: ``make(lib)`` builds the torch and the suanzi module;
    torch's ``state_dict`` is loaded into suanzi's, both run on the same
    input (``call(module, *tensors)``, default ``module(*tensors)``) in train
    or eval mode, and outputs, input gradients, parameter gradients and the
    buffers afterwards (running statistics) are compared.
    Returns (suanzi_module, torch_module, suanzi_out, torch_out).
    """
    tm, sm = make(torch), make(suanzi)
    missing = sm.load_state_dict(tm.state_dict())
    assert not missing.missing_keys and not missing.unexpected_keys
    tm.train(train)
    sm.train(train)
    call = call or (lambda m, *xs: m(*xs))
    s_out, t_out = check(lambda lib, *xs: call(tm if lib is torch else sm, *xs), *arrays,
                         rtol=rtol, atol=atol, grad_rtol=grad_rtol, grad_atol=grad_atol)
    t_params = dict(tm.named_parameters())
    s_params = dict(sm.named_parameters())
    assert list(t_params) == list(s_params), "parameter names/order differ"
    for name, tp in t_params.items():
        sp = s_params[name]
        if tp.grad is None:
            assert sp.grad is None or not np.any(sp.grad._data), f"{name}: torch has no grad"
        else:
            assert sp.grad is not None, f"grad of parameter {name} is missing"
            assert_same(sp.grad, tp.grad, grad_rtol or rtol * 10, grad_atol or atol * 10,
                        what=f"grad of {name}")
    if compare_buffers:
        t_sd, s_sd = tm.state_dict(), sm.state_dict()
        assert list(t_sd) == list(s_sd), "state_dict keys differ"
        for k in t_sd:
            assert_same(s_sd[k], t_sd[k], rtol, atol, what=f"state_dict[{k!r}]")
    return sm, tm, s_out, t_out
