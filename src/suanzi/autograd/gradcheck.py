"""Finite-difference checks of backward formulas: :func:`gradcheck` and
:func:`gradgradcheck` (torch.autograd's API).

For every input that requires grad, the analytical vector-Jacobian product
``J^T u`` (one backward with a random cotangent ``u`` per output) is compared
with central differences ``u . (f(x + eps e) - f(x - eps e)) / (2 eps)``:

* per element (``e`` runs over the unit vectors) for inputs of up to
  ``PER_ELEMENT_MAX`` elements, so a failure names the worst element;
* along a few random unit directions ``v`` (``v . J^T u`` against the
  directional difference) for bigger inputs or with ``fast_mode=True``.

A match is ``|analytical - numerical| <= atol + rtol * |numerical|`` (the rule
of ``allclose``). The numerical side runs on private float copies of the
inputs, so the caller's tensors are never written to. Use float64 inputs: in
float32 a step of 1e-6 is lost in rounding (a warning says so).
"""
from __future__ import annotations

import warnings

import numpy as np

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]

#: inputs with more elements are checked along random directions
PER_ELEMENT_MAX = 1024
#: how many random directions a big input (or fast_mode) is checked along
N_DIRECTIONS = 3


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` / :func:`gradgradcheck` when the analytical
    and numerical gradients disagree."""


# ----------------------------------------------------------------- helpers
def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_tensor(x):
    from .._tensor import Tensor

    return isinstance(x, Tensor)


def _diff_outputs(outputs):
    """Indices of the outputs a gradient can flow through (floating tensors)."""
    return [j for j, o in enumerate(outputs) if _is_tensor(o) and o._data.dtype.kind in "fV"]


def _fmt_index(shape, flat):
    if not shape:
        return "()"
    return str(tuple(int(i) for i in np.unravel_index(flat, shape)))


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def _check_inputs(inputs):
    diff = []
    for i, x in enumerate(inputs):
        if not _is_tensor(x) or not x.requires_grad:
            continue
        kind = x._data.dtype.kind
        if kind == "c":
            raise NotImplementedError(
                f"gradcheck: input {i} is complex; suanzi's gradcheck checks real inputs only")
        if x._data.dtype != np.float64:
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point "
                f"(it is {x.dtype}). This check will likely fail if all the inputs are not of "
                "double precision floating point.", UserWarning, stacklevel=3)
        if any(st == 0 and n > 1 for n, st in zip(x._data.shape, x._data.strides)):
            raise RuntimeError(
                f"gradcheck: input {i} has a dimension with stride 0 (an expanded tensor): its "
                "elements share memory, so they cannot be perturbed one at a time. Pass a "
                "contiguous copy (.clone()) instead.")
        diff.append(i)
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    return diff


class _Numerical:
    """Evaluates ``func`` on private copies of the inputs, perturbed in place."""

    def __init__(self, func, inputs):
        from .._tensor import Tensor

        self.func = func
        self.copies = []
        for x in inputs:
            if _is_tensor(x):
                c = Tensor._make(np.array(x._data, copy=True))
                if x.requires_grad:
                    c.requires_grad_(True)
                self.copies.append(c)
            else:
                self.copies.append(x)

    def flat(self, i):
        return self.copies[i]._data.reshape(-1)  # a view: the copy is contiguous

    def outputs(self, out_idx):
        """The outputs ``out_idx`` as float64 arrays (grad mode stays on, so a
        function that differentiates inside, as gradgradcheck's does, works)."""
        outs = _as_tuple(self.func(*self.copies))
        # copies: an output may be a view of an input that is perturbed next
        return [np.array(outs[j]._data, dtype=np.float64) for j in out_idx]


def _dot(us, a, b):
    """sum_j <u_j, a_j - b_j>"""
    return float(sum(np.vdot(u, x - y) for u, x, y in zip(us, a, b)))


def _analytical(outputs, out_idx, inputs, diff_idx, us):
    """Per differentiable input: the float64 vector J^T u (zeros where no
    gradient flows)."""
    from .._tensor import Tensor
    from . import grad as _grad

    live = [j for j in out_idx if outputs[j].requires_grad]
    res = [np.zeros(inputs[i]._data.shape, np.float64) for i in diff_idx]
    if not live:
        return res
    gos = [Tensor._make(us[out_idx.index(j)].astype(outputs[j]._data.dtype)) for j in live]
    grads = _grad([outputs[j] for j in live], [inputs[i] for i in diff_idx], gos,
                  retain_graph=True, allow_unused=True)
    for k, (i, g) in enumerate(zip(diff_idx, grads)):
        if g is None:
            continue
        if tuple(g.shape) != tuple(inputs[i].shape):
            raise GradcheckError(
                f"Gradient for input {i} has shape {tuple(g.shape)}; the input has shape "
                f"{tuple(inputs[i].shape)}")
        res[k] = np.asarray(g._data, dtype=np.float64)
    return res


# ----------------------------------------------------------------- gradcheck
def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Check the gradients of ``func`` at ``inputs`` against finite differences.

    Returns True when they match; otherwise raises :class:`GradcheckError`
    (or returns False with ``raise_exception=False``). Only the backward-mode
    check exists in suanzi: the forward-AD and batched options are accepted
    for compatibility and ignored.
    """
    inputs = _as_tuple(inputs)
    diff_idx = _check_inputs(inputs)
    if not check_backward_ad:
        return True

    rng = np.random.default_rng(0)
    outputs = _as_tuple(func(*inputs))
    out_idx = _diff_outputs(outputs)
    if not out_idx:
        return True
    num = _Numerical(func, inputs)

    for j in out_idx:
        # one output at a time, so a failure names the (output, input) pair
        u = rng.standard_normal(outputs[j]._data.shape)
        us = [u]
        ana = _analytical(outputs, [j], inputs, diff_idx, us)
        again = _analytical(outputs, [j], inputs, diff_idx, us)
        for k, i in enumerate(diff_idx):
            x = inputs[i]
            n = x._data.size
            if n == 0:
                continue
            a = ana[k].reshape(-1)
            flat = num.flat(i)
            if fast_mode or n > PER_ELEMENT_MAX:
                ok = _check_directions(num, flat, a, us, j, i, x, eps, atol, rtol, rng,
                                       fast_mode, raise_exception)
            else:
                ok = _check_elements(num, flat, a, us, j, i, x, eps, atol, rtol,
                                     raise_exception)
            if not ok:
                return False
            diff = np.abs(again[k].reshape(-1) - a)
            if diff.size and diff.max() > nondet_tol:
                w = int(np.argmax(diff))
                return _fail(
                    f"Backward is not reentrant, i.e., running backward with same input and "
                    f"grad_output multiple times gives different values, although analytical "
                    f"gradient matches numerical gradient. The tolerance for nondeterminism was "
                    f"{nondet_tol}. (input {i}, element {_fmt_index(x._data.shape, w)}: "
                    f"{a[w]!r} then {again[k].reshape(-1)[w]!r})", raise_exception)
    return True


def _check_elements(num, flat, a, us, j, i, x, eps, atol, rtol, raise_exception):
    n = flat.size
    numerical = np.empty(n, np.float64)
    for e in range(n):
        orig = flat[e].copy()
        flat[e] = orig + eps
        plus = num.outputs([j])
        flat[e] = orig - eps
        minus = num.outputs([j])
        flat[e] = orig
        numerical[e] = _dot(us, plus, minus) / (2 * eps)
    tol = atol + rtol * np.abs(numerical)
    err = np.abs(a - numerical)
    bad = ~(err <= tol)  # NaN counts as a mismatch
    if not bad.any():
        return True
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(np.isnan(err), np.inf, err / tol)
    w = int(np.argmax(score))
    shape = x._data.shape
    return _fail(
        f"Jacobian mismatch for output {j} with respect to input {i} (shape {tuple(shape)}, "
        f"{x.dtype}): the vector-Jacobian product J^T u for a random cotangent u disagrees with "
        f"central differences at {int(bad.sum())} of {n} elements.\n"
        f"worst element: index {_fmt_index(shape, w)}: numerical {numerical[w]!r}, analytical "
        f"{a[w]!r}, |difference| {err[w]!r} > tolerance atol + rtol*|numerical| = {tol[w]!r} "
        f"(atol={atol}, rtol={rtol}, eps={eps})\n"
        f"numerical:  {np.array2string(numerical.reshape(shape), threshold=50)}\n"
        f"analytical: {np.array2string(a.reshape(shape), threshold=50)}", raise_exception)


def _check_directions(num, flat, a, us, j, i, x, eps, atol, rtol, rng, fast_mode,
                      raise_exception):
    n = flat.size
    orig = flat.copy()
    for d in range(1 if fast_mode else N_DIRECTIONS):
        v = rng.standard_normal(n)
        v /= max(np.linalg.norm(v), 1e-300)
        np.add(orig, eps * v, out=flat, casting="unsafe")
        plus = num.outputs([j])
        np.subtract(orig, eps * v, out=flat, casting="unsafe")
        minus = num.outputs([j])
        flat[...] = orig
        numerical = _dot(us, plus, minus) / (2 * eps)
        analytical = float(np.dot(a, v))
        tol = atol + rtol * abs(numerical)
        if not abs(analytical - numerical) <= tol:
            mode = "fast mode" if fast_mode else f"{n} elements > {PER_ELEMENT_MAX}"
            return _fail(
                f"Jacobian mismatch for output {j} with respect to input {i} (shape "
                f"{tuple(x._data.shape)}, {x.dtype}), checked along a random unit direction v "
                f"({mode}): numerical u^T J v = {numerical!r}, analytical = {analytical!r}, "
                f"|difference| {abs(analytical - numerical)!r} > tolerance atol + "
                f"rtol*|numerical| = {tol!r} (atol={atol}, rtol={rtol}, eps={eps}). "
                "Rerun with fast_mode=False on a smaller input to see the worst element.",
                raise_exception)
    return True


# ----------------------------------------------------------------- gradgradcheck
def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Check second derivatives: :func:`gradcheck` of the function
    ``(inputs, grad_outputs) -> autograd.grad(func(inputs), inputs,
    grad_outputs, create_graph=True)``."""
    from .._tensor import Tensor
    from . import grad as _grad

    inputs = _as_tuple(inputs)
    diff_idx = _check_inputs(inputs)
    n_in = len(inputs)
    if grad_outputs is None:
        outputs = _as_tuple(func(*inputs))
        rng = np.random.default_rng(1)
        grad_outputs = []
        for j in _diff_outputs(outputs):
            if not outputs[j].requires_grad:
                continue
            o = outputs[j]
            g = Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype))
            grad_outputs.append(g.requires_grad_(True))
    grad_outputs = tuple(_as_tuple(grad_outputs))

    def first_derivative(*args):
        xs, gos = args[:n_in], args[n_in:]
        outs = _as_tuple(func(*xs))
        live = [o for o in (outs[j] for j in _diff_outputs(outs)) if o.requires_grad]
        if not live:
            return ()
        grads = _grad(live, [xs[i] for i in diff_idx], list(gos), create_graph=True,
                      allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol, fast_mode=fast_mode)
