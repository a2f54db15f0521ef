"""RMSprop, as torch.optim.RMSprop (single-tensor path, same order of operations)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _check_differentiable, _check_lr, _grad, _lerp_, _real,
                        _sparse_check, _step_tensor, _to_scalar, _updated)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop: ``v ← α·v + (1-α)·g²``; ``avg = √(v - ḡ²)`` (centered, with
    ``ḡ ← lerp(ḡ, g, 1-α)``) or ``√v``, plus ``eps``; then
    ``p -= lr·g/avg``, or with momentum ``b ← μ·b + g/avg``, ``p -= lr·b``."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")

        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        _check_differentiable(differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _step_tensor(float(p_state["step"]))

    def step(self, closure=None):
        """Perform a single optimization step."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            alpha, eps = group["alpha"], group["eps"]
            weight_decay = _to_scalar(group["weight_decay"])
            momentum, centered = group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                _sparse_check(p, "RMSprop")
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = Tensor._make(np.zeros_like(p._data))
                    if momentum > 0:
                        state["momentum_buffer"] = Tensor._make(np.zeros_like(p._data))
                    if centered:
                        state["grad_avg"] = Tensor._make(np.zeros_like(p._data))

                g = _grad(p, group["maximize"])
                state["step"]._data += 1
                _updated(state["step"])
                param = p._data
                if weight_decay != 0:
                    g = g + param * weight_decay
                param, g = _real(param), _real(g)
                square_avg = _real(state["square_avg"]._data)

                square_avg *= alpha
                sq = g * (1 - alpha)
                sq *= g
                square_avg += sq
                _updated(state["square_avg"])

                if centered:
                    grad_avg = _real(state["grad_avg"]._data)
                    _lerp_(grad_avg, g, 1 - alpha)
                    _updated(state["grad_avg"])
                    avg = grad_avg * -1.0  # square_avg.addcmul(ḡ, ḡ, value=-1)
                    avg *= grad_avg
                    avg += square_avg
                    np.sqrt(avg, out=avg)
                else:
                    avg = np.sqrt(square_avg)
                avg += eps

                if momentum > 0:
                    buf = _real(state["momentum_buffer"]._data)
                    buf *= momentum
                    buf += g / avg
                    _updated(state["momentum_buffer"])
                    param += buf * -lr
                else:
                    upd = g * -lr
                    upd /= avg
                    param += upd
                _updated(p)
        return loss
