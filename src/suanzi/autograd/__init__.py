"""Reverse-mode automatic differentiation."""
from .function import Function
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients of ``tensors`` into the leaves' ``.grad``."""
    from .._tensor import Tensor

    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    tensors = tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    if retain_graph is None:
        retain_graph = create_graph
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        t.backward(g, retain_graph=True if i < len(tensors) - 1 else retain_graph,
                   create_graph=create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned rather than
    accumulated into ``.grad``."""
    import numpy as np

    from .._tensor import Tensor
    from .engine import run_backward

    single_input = isinstance(inputs, Tensor)
    if isinstance(outputs, Tensor):
        outputs = (outputs,)
    if single_input:
        inputs = (inputs,)
    outputs, inputs = tuple(outputs), tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    gs = []
    for o, g in zip(outputs, grad_outputs):
        if g is None:
            if o._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = Tensor._make(np.ones_like(o._data))
        gs.append(g)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    res = run_backward(outputs, gs, retain_graph, create_graph, inputs=inputs,
                       allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        res = tuple(Tensor._make(np.zeros_like(i._data)) if r is None else r
                    for r, i in zip(res, inputs))
    return res


__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "gradcheck", "gradgradcheck"]

# as in torch, the name ``autograd.gradcheck`` is the function (it shadows the
# submodule attribute); ``from suanzi.autograd.gradcheck import GradcheckError``
# still works through sys.modules.
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: E402
