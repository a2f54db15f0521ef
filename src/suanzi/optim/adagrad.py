"""Adagrad, as torch.optim.Adagrad (single-tensor path, same order of operations)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _check_differentiable, _check_fused, _check_lr, _grad,
                        _real, _step_tensor, _to_scalar, _updated)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad: ``clr = lr / (1 + (t-1)·lr_decay)``, ``s ← s + g²``,
    ``p -= clr · g / (√s + eps)``. The state (``step``, ``sum``) of every
    parameter is created at construction, as in torch."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")

        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "fused": fused}
        _check_differentiable(differentiable)
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, initial_accumulator_value)

    def _init_state(self, p, initial_accumulator_value):
        state = self.state[p]
        state["step"] = _step_tensor()
        init = complex(initial_accumulator_value, initial_accumulator_value) \
            if p._data.dtype.kind == "c" else initial_accumulator_value
        state["sum"] = Tensor._make(np.full_like(p._data, init))

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
        for s in self.state.values():
            if isinstance(s, dict) and "step" in s and not isinstance(s["step"], Tensor):
                s["step"] = _step_tensor(float(s["step"]))

    def share_memory(self):
        """No-op: suanzi has no shared-memory tensors."""

    def step(self, closure=None):
        """Perform a single optimization step."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            weight_decay = _to_scalar(group["weight_decay"])
            lr_decay, eps = group["lr_decay"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if getattr(p.grad, "is_sparse", False):
                    raise RuntimeError("Adagrad with sparse gradients is not supported in suanzi")
                state = self.state[p]
                if len(state) == 0:
                    self._init_state(p, self.defaults["initial_accumulator_value"])
                step_t = state["step"]
                step_t._data += 1
                _updated(step_t)
                step = float(step_t._data)
                g = _grad(p, group["maximize"])
                param = p._data
                if weight_decay != 0:
                    g = g + param * weight_decay
                clr = lr / (1 + (step - 1) * lr_decay)
                param, g = _real(param), _real(g)
                state_sum = _real(state["sum"]._data)
                state_sum += g * g  # addcmul_(g, g, value=1)
                _updated(state["sum"])
                std = np.sqrt(state_sum)
                std += eps
                upd = g * -clr
                upd /= std
                param += upd
                _updated(p)
        return loss
