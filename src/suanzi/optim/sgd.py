"""Stochastic gradient descent (optionally with momentum), as torch.optim.SGD."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _check_differentiable, _check_fused, _grad, _sparse_check,
                        _to_scalar, _updated)

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, torch's update:

    ``g = ±grad + weight_decay*p``; with momentum ``b = momentum*b + (1-dampening)*g``
    (``b = g`` on the first step) and ``g = g + momentum*b`` (nesterov) or ``g = b``;
    then ``p -= lr*g``.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")

        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_differentiable(differentiable)
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def step(self, closure=None):
        """Perform a single optimization step."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            weight_decay = _to_scalar(group["weight_decay"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                _sparse_check(p, "SGD")
                param = p._data
                g = _grad(p, group["maximize"])
                if weight_decay != 0:
                    g = g + param * weight_decay  # torch: grad.add(param, alpha=wd)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = Tensor._make(np.array(g, copy=True))
                    else:
                        b = buf._data
                        b *= momentum
                        if dampening != 0:
                            b += g * (1 - dampening)
                        else:
                            b += g
                        _updated(buf)
                    state["momentum_buffer"] = buf
                    if nesterov:
                        g = g + buf._data * momentum
                    else:
                        g = buf._data
                param += g * -lr
                _updated(p)
        return loss
