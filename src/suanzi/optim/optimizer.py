"""``suanzi.optim.Optimizer``: torch's optimizer base class.

Parameter groups, per-parameter ``state`` keyed by the parameter itself,
``state_dict``/``load_state_dict`` in torch's format (state keyed by the
parameter's index over all groups; ``step`` stored as a 0-d tensor), step
hooks and ``zero_grad``. The subclasses update ``p._data`` in place with
NumPy, in the same order of operations as torch's single-tensor ("for-loop")
implementations, so a suanzi and a torch run stay together step after step.
"""
from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad
from ..nn.modules.module import RemovableHandle, _is_torch_tensor, _typename

__all__ = ["Optimizer", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook", "required"]


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_optimizer_pre_hooks: dict = OrderedDict()
_global_optimizer_post_hooks: dict = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's step."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's step."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


# ----------------------------------------------------------------- helpers for the subclasses
def _get_scalar_dtype():
    """dtype of ``state['step']``: float64 when that is the default dtype, else float32."""
    return np.float64 if D.get_default_dtype() is D.float64 else np.float32


def _step_tensor(value=0.0):
    return Tensor._make(np.array(value, dtype=_get_scalar_dtype()))


def _to_scalar(x):
    """A hyperparameter as a Python number (tensor hyperparameters must hold one element)."""
    if isinstance(x, Tensor):
        return x.item()
    return x


def _real(a):
    """The float view of a complex array (torch.view_as_real); real arrays unchanged."""
    if a.dtype.kind == "c":
        return a[..., None].view(a.real.dtype)
    return a


def _lerp_(start, end, weight):
    """torch's lerp_: ``start + w*(end-start)`` for small w, else ``end - (end-start)*(1-w)``."""
    diff = end - start
    if abs(weight) < 0.5:
        diff *= weight
        start += diff
    else:
        diff *= 1 - weight
        np.subtract(end, diff, out=start)


def _check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_fused(fused, foreach, differentiable):
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _check_differentiable(differentiable):
    if differentiable:
        raise NotImplementedError(
            "suanzi optimizers update parameters in place with NumPy; differentiable=True "
            "(autograd through the optimizer step) is not supported")


def _as_state_tensor(value):
    """A value loaded into the state: torch tensors and NumPy arrays become suanzi tensors."""
    if isinstance(value, Tensor):
        return value
    if _is_torch_tensor(value):
        v = value.detach().cpu()
        if str(v.dtype) == "torch.bfloat16":
            arr = v.float().numpy().astype(D.bfloat16.np)
        else:
            arr = np.array(v.numpy(), copy=True)
        return Tensor._make(arr)
    if isinstance(value, np.ndarray):
        return Tensor._make(np.array(value, copy=True))
    return None


def _with_step_hooks(step):
    """Wrap a subclass's ``step`` so the global and per-optimizer step hooks
    run around it (a pre-hook may return ``(args, kwargs)`` to replace them)."""
    @functools.wraps(step)
    def hooked_step(self, *args, **kwargs):
        for hook in [*_global_optimizer_pre_hooks.values(), *self._hooks["step_pre"].values()]:
            replaced = hook(self, args, kwargs)
            if replaced is None:
                continue
            if not (isinstance(replaced, tuple) and len(replaced) == 2):
                raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                   f"new_kwargs), but got {replaced}.")
            args, kwargs = replaced
        result = step(self, *args, **kwargs)
        for hook in [*self._hooks["step_post"].values(), *_global_optimizer_post_hooks.values()]:
            hook(self, args, kwargs)
        return result
    return hooked_step


_HOOK_KINDS = ("step_pre", "step_post", "state_dict_pre", "state_dict_post", "load_pre",
               "load_post")


class Optimizer:
    """Base class of the optimizers: parameter groups with their own options,
    per-parameter ``state`` (keyed by the parameter), torch's ``state_dict``
    format, hooks. Subclasses define ``step``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _with_step_hooks(cls.__dict__["step"])

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        self._hooks = {kind: OrderedDict() for kind in _HOOK_KINDS}
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):  # a plain list of tensors: one group
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------ pickling / repr
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.setdefault("_hooks", {kind: OrderedDict() for kind in _HOOK_KINDS})
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            if i:
                lines.append("")  # torch separates groups with a blank line
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines) + "\n)"

    # ------------------------------------------------------------ hooks
    def _add_hook(self, kind, hook, prepend=False):
        hooks = self._hooks[kind]
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` before each step; may return
        ``(new_args, new_kwargs)``."""
        return self._add_hook("step_pre", hook)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` after each step."""
        return self._add_hook("step_post", hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return self._add_hook("state_dict_pre", hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return self._add_hook("state_dict_post", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return self._add_hook("load_pre", hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return self._add_hook("load_post", hook, prepend)

    # ------------------------------------------------------------ state dict
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``.

        Parameters are numbered in order over all groups, which is what makes
        the dict portable between optimizers (and between suanzi and torch).
        The tensors in it are the optimizer's own, not copies, as in torch.
        """
        for hook in self._hooks["state_dict_pre"].values():
            hook(self)
        number = {}
        position = 0
        groups = []
        for group in self.param_groups:
            indices = []
            for p in group["params"]:
                indices.append(number.setdefault(id(p), position))
                position += 1
            groups.append({**{k: v for k, v in group.items() if k != "params"},
                           "params": indices})
        state = {(number[id(key)] if isinstance(key, Tensor) else key): value
                 for key, value in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in self._hooks["state_dict_post"].values():
            replaced = hook(self, result)
            if replaced is not None:
                result = replaced
        return result

    def load_state_dict(self, state_dict):
        """Load what :meth:`state_dict` gave — suanzi's, or torch's (its
        tensors are converted). Floating state follows its parameter's dtype;
        ``step`` keeps its own."""
        state_dict = dict(state_dict)
        for hook in self._hooks["load_pre"].values():
            replaced = hook(self, state_dict)
            if replaced is not None:
                state_dict = replaced
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(mine["params"]) != len(saved["params"])
               for mine, saved in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        param_of = {}
        for mine, saved in zip(self.param_groups, saved_groups):
            param_of.update(zip(saved["params"], mine["params"]))
        low_precision_step = {i for g in saved_groups if g.get("fused") or g.get("capturable")
                              for i in g["params"]}

        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key not in param_of and isinstance(key, str) and key.isdigit():
                key = int(key)  # keys that went through a text format (JSON)
            if key not in param_of:
                state[key] = value
                continue
            state[param_of[key]] = _state_value(param_of[key], value,
                                                key in low_precision_step)

        groups = []
        for mine, saved in zip(self.param_groups, saved_groups):
            saved["params"] = mine["params"]
            if "param_names" in mine:
                saved.setdefault("param_names", mine["param_names"])
            groups.append(saved)
        self.__setstate__({"state": state, "param_groups": groups})
        for hook in self._hooks["load_post"].values():
            hook(self)

    # ------------------------------------------------------------ gradients and groups
    def zero_grad(self, set_to_none=True):
        """Set the gradients of all optimized tensors to None (default) or to zero."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    g = p.grad
                    g.detach_() if g.grad_fn is not None else g.requires_grad_(False)
                    g.zero_()

    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def add_param_group(self, param_group):
        """Add a parameter group: a dict with ``'params'`` (tensors, or
        ``(name, tensor)`` pairs) and any options that override the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        params = [params] if isinstance(params, Tensor) else list(params)
        named = [p for p in params if isinstance(p, tuple)]
        if named:
            if len(named) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = [name for name, _ in named]
            params = [p for _, p in named]
        param_group["params"] = params

        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            if not self.defaults.get("differentiable") and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error", stacklevel=3)
        for group in self.param_groups:
            if ("param_names" in group) != ("param_names" in param_group):
                kind = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {kind} to the optimizer")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)


def _state_value(param, value, low_precision_step, key=None):
    """One loaded state entry, converted to suanzi tensors: floating tensors
    take the parameter's dtype, except ``step`` (float32 for fused/capturable
    groups, else as saved)."""
    t = _as_state_tensor(value)
    if t is not None:
        if key == "step":
            if low_precision_step and t._data.dtype != np.float32:
                return Tensor._make(t._data.astype(np.float32))
            return t
        if param.is_floating_point() and t._data.dtype != param._data.dtype:
            return Tensor._make(t._data.astype(param._data.dtype))
        return t
    if isinstance(value, dict):
        return {k: _state_value(param, v, low_precision_step, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_state_value(param, v, low_precision_step) for v in value)
    return value


def _sparse_check(p, name):
    if getattr(p.grad, "is_sparse", False):
        raise RuntimeError(f"{name} does not support sparse gradients")


def _updated(t):
    """Bump the version counter of a tensor written in place."""
    t._vc[0] += 1


def _grad(p, maximize):
    """The gradient's array (negated into a new array when maximizing)."""
    g = p.grad._data
    return np.negative(g) if maximize else g


_no_grad = no_grad
