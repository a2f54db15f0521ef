"""torch-style user Functions (``@staticmethod forward(ctx, ...)``), run
on torch and suanzi and compared."""
import numpy as np
import pytest
import torch

import suanzi
from helpers import assert_same


def _scaled_exp(lib):
    class ScaledExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            y = (x * k).exp()
            ctx.save_for_backward(y)  # an output: rebuilt with its graph on unpacking
            ctx.k = k
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y * ctx.k, None
    return ScaledExp


def _two_outputs(lib):
    class TwoOut(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x * 2, x * 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.mark_non_differentiable()

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3
    return TwoOut


def _scenario(lib):
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = _scaled_exp(lib).apply(x, 1.5)
    a, b = _two_outputs(lib).apply(y)
    a.sum().backward()  # b unused: its gradient is materialized as zeros
    first = x.grad.clone()
    x.grad = None
    (g,) = lib.autograd.grad(_scaled_exp(lib).apply(x, 2.0).sum(), x, create_graph=True)
    g.sum().backward()  # second derivative through the saved output
    return y, a, b, first, x.grad, y.grad_fn.name()


def test_ctx_style_forward_backward_and_double_backward():
    s, t = _scenario(suanzi), _scenario(torch)
    for i, (a, b) in enumerate(zip(s[:5], t[:5])):
        assert_same(a, b, rtol=1e-5, atol=1e-6, what=f"item {i}")
    assert s[5] == t[5] == "ScaledExpBackward"


def _clamp_inplace(lib):
    class ClampInPlace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            mask = x > 0
            ctx.save_for_backward(mask)
            return x.clamp_(min=0)

        @staticmethod
        def backward(ctx, g):
            (mask,) = ctx.saved_tensors
            return g * mask
    return ClampInPlace


def test_mark_dirty_rebases_history():
    def run(lib):
        w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        h = w * 1.0
        out = _clamp_inplace(lib).apply(h)
        assert out is h
        (out * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        return h, w.grad
    for a, b in zip(run(suanzi), run(torch)):
        assert_same(a, b)


def test_wrong_number_of_gradients_raises():
    for lib in (torch, suanzi):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return g
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError):
            Bad.apply(x, x).sum().backward()


def test_once_differentiable_backward_runs_without_graph():
    from suanzi.autograd.function import once_differentiable

    class Square(suanzi.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            out = 2 * x * g
            assert not out.requires_grad
            return out

    x = suanzi.tensor([1.0, 2.0], requires_grad=True)
    Square.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_no_grad_inputs_give_plain_outputs():
    f = _scaled_exp(suanzi)
    y = f.apply(suanzi.tensor([1.0]), 2.0)
    assert not y.requires_grad and y.grad_fn is None
