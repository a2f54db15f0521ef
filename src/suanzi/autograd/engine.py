"""Reverse-mode execution of the graph.

The graph is walked without recursion (an explicit stack), so a chain of
10,000 ops backpropagates like a chain of 3. A node runs once every edge into
it has delivered its gradient (dependency counting), then its gradients for
each input are *finished* in one place — reduced from a broadcast shape back
to the input's shape and cast to its dtype — and handed on.
"""
from __future__ import annotations

import numpy as np

from .function import (_FREED_MSG, _KEEP, AccumulateGrad, Function, _holds_array,
                       call_ctx_backward)
from .grad_mode import STATE


def _sum_to_size(g, shape):
    from ..ops.reduction import sum_to_size

    return sum_to_size(g, shape)


def _finish_grad(g, meta):
    """The one place where a gradient is fitted to the input it flows into."""
    shape, np_dtype = meta
    if g._data.shape != shape:
        g = _sum_to_size(g, shape)
    if g._data.dtype != np_dtype:
        g = g.to(np_dtype)
    return g


class _DelayedError(Function):
    """Stands in for the output of a ``once_differentiable`` backward run
    under create_graph: using it in a further backward raises."""

    once_differentiable = True

    def forward(self, result, *grads, op=""):
        self.op = op
        return result

    def backward(self, g):
        raise RuntimeError(
            f"the derivative of {self.op} is implemented only once (its backward is a NumPy "
            "kernel); it cannot be differentiated a second time with create_graph=True")


def _kept_arrays(node):
    d = node.__dict__
    return any(k not in _KEEP and _holds_array(v) for k, v in d.items())


def _delayed(r, node, grads):
    """``r`` (a gradient computed by a once_differentiable backward) as a
    tensor whose own backward raises. It depends on the incoming gradients
    and, through what the node saved, on the node's inputs: both are edges,
    so any later backward that would need its derivative fails loudly
    instead of silently missing a term."""
    from .._tensor import Tensor

    edges, meta = [], []
    for g in grads:
        if g is not None and g.requires_grad:
            edges.append(g._grad_edge())
            meta.append((g._data.shape, g._data.dtype))
    if _kept_arrays(node):  # no saved data (a linear node): no hidden dependence
        for e, m in zip(node._next, node._input_meta):
            if e is not None:
                edges.append(e)
                meta.append(m)
    if not edges:
        return r
    d = _DelayedError.__new__(_DelayedError)
    d.op = node.name
    d.requires_grad = True
    d._next = tuple(edges)
    d._input_meta = tuple(meta)
    d.n_outputs = 1
    return Tensor._make(r._data, True, d, 0)


def _wrap_array(a):
    from .._tensor import Tensor

    if type(a) is not np.ndarray:
        a = np.asarray(a)
    return Tensor._make(a)


def _call_backward(node, grads, create_graph):
    if getattr(node, "_freed", False):
        raise RuntimeError(_FREED_MSG)
    if node._ctx_style:
        res = call_ctx_backward(node, grads)
    elif node.once_differentiable:
        arrays = [None if g is None else g._data for g in grads]
        res = node.backward(*arrays)
        if type(res) is not tuple:
            res = (res,)
        res = tuple(None if r is None else _wrap_array(r) for r in res)
        if create_graph:
            res = tuple(None if r is None else _delayed(r, node, grads) for r in res)
    else:
        res = node.backward(*grads)
        if type(res) is not tuple:
            res = (res,)
    n_in = len(node._next)
    if len(res) != n_in:
        raise RuntimeError(f"{node.name} returned {len(res)} gradients for {n_in} inputs")
    hooks = node.__dict__.get("_node_hooks")
    if hooks:
        for h in hooks:
            r = h(res, tuple(grads))
            if r is not None:
                res = tuple(r)
    return res


def _add(a, b, create_graph):
    if a is None:
        return b
    if create_graph:
        return a + b
    from .._tensor import Tensor

    return Tensor._make(a._data + b._data)


def _unshare(grads):
    """One gradient array per edge: a backward may hand the same tensor to two
    inputs (``a + b`` gives ``(g, g)``); later ones get a copy, so a leaf can
    keep its gradient buffer without copying it."""
    seen = set()
    out = list(grads)
    for i, g in enumerate(grads):
        if g is None:
            continue
        key = id(g._data)
        if key in seen:
            out[i] = g.clone() if g.requires_grad else type(g)._make(g._data.copy())
        else:
            seen.add(key)
    return out


def _accumulate_leaf(leaf, g, create_graph, protected=()):
    from .._tensor import Tensor

    if leaf._hooks:
        for h in list(leaf._hooks.values()):
            r = h(g)
            if r is not None:
                g = r
    if leaf.grad is None:
        if create_graph:
            leaf.grad = g
        else:
            # Keep the engine's buffer when nothing else can see it: the engine
            # hands each gradient object to one edge only (see _unshare), so a
            # gradient that owns its memory is ours. A view may alias another
            # gradient or a saved array: copy it.
            a = g._data
            if a.base is not None or not a.flags.writeable or id(a) in protected:
                a = np.array(a, copy=True)
            leaf.grad = Tensor._make(a)
    elif create_graph or leaf.grad.requires_grad:
        leaf.grad = leaf.grad + g
    else:
        buf = leaf.grad._data
        if buf.flags.writeable and buf.shape == g._data.shape:
            np.add(buf, g._data, out=buf, casting="unsafe")
            leaf.grad._vc[0] += 1
        else:
            leaf.grad = Tensor._make(buf + g._data)


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None,
                 allow_unused=True, accumulate=True):
    """Backpropagate ``grad_tensors`` from ``tensors``.

    accumulate=True: add into the ``.grad`` of leaves (``Tensor.backward``),
    restricted to ``inputs`` when given. accumulate=False: return the
    gradients of ``inputs`` instead (``autograd.grad``).
    """
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn")
        roots.append((t._grad_edge(), g))

    captured = None
    capture_at = {}
    only_leaves = None
    if inputs is not None:
        inputs = tuple(inputs)
        for i, t in enumerate(inputs):
            if not t.requires_grad:
                raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not "
                                   "require grad")
            capture_at.setdefault(t._grad_edge(), []).append(i)
        if accumulate:
            # leaves accumulate in their AccumulateGrad node; a non-leaf input
            # gets its .grad where its gradient is complete (as in torch)
            only_leaves = {id(e[0]) for e in capture_at}
            capture_at = {e: ix for e, ix in capture_at.items()
                          if type(e[0]) is not AccumulateGrad}
        else:
            captured = [None] * len(inputs)

    # dependency count: how many edges into each node come from reachable nodes
    deps = {}
    seen = set()
    stack = []
    for (node, _), _g in roots:
        if node not in seen:
            seen.add(node)
            stack.append(node)
    while stack:
        node = stack.pop()
        for e in node._next:
            if e is not None:
                nxt = e[0]
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)

    buffers = {}
    protected = set()  # ids of the callers' gradient arrays
    for (node, nr), g in roots:
        # the caller keeps its gradient tensor: a leaf must never store it as is
        protected.add(id(g._data))
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node.n_outputs
        buf[nr] = _add(buf[nr], g, create_graph)

    ready = []
    for (node, _), _g in roots:
        if deps.get(node, 0) == 0 and node not in ready:
            ready.append(node)

    prev_enabled = STATE.enabled
    STATE.enabled = bool(create_graph)
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            if grads is None:
                grads = [None] * node.n_outputs
            d = node.__dict__
            thooks = d.get("_tensor_hooks")
            if thooks:
                for nr, hs in thooks.items():
                    if grads[nr] is not None:
                        for h in list(hs.values()):
                            r = h(grads[nr])
                            if r is not None:
                                grads[nr] = r
            retain = d.get("_retain")
            if retain:
                for nr, ref in retain.items():
                    t = ref()
                    if t is not None and grads[nr] is not None:
                        g = grads[nr]
                        # a copy: the flowing gradient may end up as a leaf's buffer
                        t.grad = g if create_graph else (
                            type(g)._make(g._data.copy()) if t.grad is None
                            else t.grad.detach() + g.detach())
            if capture_at:
                for nr in range(node.n_outputs):
                    for i in capture_at.get((node, nr), ()):
                        g = grads[nr]
                        if captured is None:
                            if g is not None:
                                _accumulate_leaf(inputs[i], g, create_graph, protected)
                        else:
                            captured[i] = g if g is None or create_graph else g.detach()

            if type(node) is AccumulateGrad:
                if accumulate and grads[0] is not None and (
                        only_leaves is None or id(node) in only_leaves):
                    _accumulate_leaf(node.variable, grads[0], create_graph, protected)
                continue

            if all(g is None for g in grads):
                in_grads = (None,) * len(node._next)
            else:
                in_grads = _call_backward(node, grads, create_graph)
            if not retain_graph:
                node._release()
            if len(in_grads) > 1:
                in_grads = _unshare(in_grads)
            for e, g, meta in zip(node._next, in_grads, node._input_meta):
                if e is None:
                    continue
                nxt, nr = e
                if g is not None:
                    g = _finish_grad(g, meta)
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * nxt.n_outputs
                    buf[nr] = _add(buf[nr], g, create_graph)
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    ready.append(nxt)
    finally:
        STATE.enabled = prev_enabled

    if captured is not None:
        if not allow_unused:
            for i, g in enumerate(captured):
                if g is None:
                    raise RuntimeError(
                        f"One of the differentiated Tensors (input {i}) appears to not have been "
                        "used in the graph. Set allow_unused=True if this is the desired behavior.")
        return tuple(captured)
    return None
