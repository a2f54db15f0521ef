"""Global switches for graph recording: no_grad, enable_grad, set_grad_enabled,
inference_mode. Each works as a context manager and as a decorator."""
from __future__ import annotations

import functools


class _State:
    __slots__ = ("enabled", "inference")

    def __init__(self):
        self.enabled = True
        self.inference = False


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _GradModeContext:
    """Base: subclasses set ``_target`` before ``__enter__``."""

    _target = True

    def __enter__(self):
        self._prev = STATE.enabled
        STATE.enabled = self._target
        return self

    def __exit__(self, *exc):
        STATE.enabled = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self._clone():
                return func(*args, **kwargs)
        return wrapper

    def _clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    _target = False


class enable_grad(_GradModeContext):
    _target = True


class set_grad_enabled(_GradModeContext):
    """Takes effect when called (like torch), and also works in ``with``."""

    def __init__(self, mode: bool):
        self._target = bool(mode)
        self._prev = STATE.enabled
        STATE.enabled = self._target

    def __enter__(self):
        return self

    def __call__(self, func):
        STATE.enabled = self._prev  # used as a decorator: undo the call-time switch
        return super().__call__(func)

    def _clone(self):
        return _SetGrad(self._target)


class _SetGrad(_GradModeContext):
    def __init__(self, mode):
        self._target = mode


class inference_mode(_GradModeContext):
    """Like no_grad (suanzi keeps no extra bookkeeping to drop)."""

    def __init__(self, mode: bool = True):
        self._mode = bool(mode)
        self._target = not self._mode

    def __enter__(self):
        self._prev_inf = STATE.inference
        STATE.inference = self._mode
        return super().__enter__()

    def __exit__(self, *exc):
        STATE.inference = self._prev_inf
        return super().__exit__(*exc)

    def _clone(self):
        return inference_mode(self._mode)
