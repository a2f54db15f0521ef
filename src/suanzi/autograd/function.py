"""The autograd node: :class:`Function`.

Every differentiable op is a subclass with a ``forward`` on NumPy arrays and a
``backward`` beside it (Chainer's layout). ``Function.apply`` runs the forward,
and — only when grad mode is on and an input requires grad — records the node
in the graph.

What backward keeps is declared, not implicit:

* ``save_inputs``: indices of the inputs backward reads. They are kept as
  Tensors together with their version, and :attr:`Function.saved_tensors`
  raises if one was modified in place since (never a wrong gradient).
* ``save_output``: backward reads the (single) output. Only its array and
  version counter are kept, so the node holds no reference cycle to its own
  output Tensor; the Tensor is rebuilt on unpacking, like torch's SavedVariable.
* anything else backward needs (a mask, indices, shapes) is set on ``self`` in
  forward, and must not alias a user-visible array.

Two backward conventions:

* default: ``backward(self, *grads)`` receives and returns **Tensors** and is
  built from suanzi ops, so ``create_graph=True`` differentiates through it
  (second derivatives come for free).
* ``once_differentiable = True``: ``backward`` receives and returns **NumPy
  arrays** — the fast path for hand-written kernels (conv, pooling, norms).
  Differentiating through it a second time raises instead of silently giving 0.

Gradients that come back with a broadcast shape or another dtype are reduced
and cast for every op in one place: the engine (``engine._finish_grad``).
"""
from __future__ import annotations

import numpy as np

from .grad_mode import STATE


# Tensor._make, filled in by _tensor.py (which imports this module): a
# function-level import here would cost a microsecond on every op.
_tensor_make = [None]


_new = object.__new__
_NO_EDGE = (None, 0)


def _edge(t):
    """The graph edge a gradient for input ``t`` flows into (None: no grad)."""
    if t is None:
        return None
    if t._base is None:  # not a view: no stale-view refresh to consider
        fn = t.grad_fn
        if fn is not None:
            return (fn, t._output_nr)
        if not t._requires_grad:
            return None
    elif not t.requires_grad:
        return None
    return t._grad_edge()


class Function:
    save_inputs: tuple = ()
    save_output: bool = False
    once_differentiable: bool = False
    #: the output may share memory with input 0 (view ops): checked per call;
    #: "always" for ops whose output is a view by construction (no check)
    may_be_view = False
    name: str = "Function"
    _ctx_style = False
    requires_grad = False  # set on the node when the graph is recorded

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if isinstance(cls.__dict__.get("forward"), staticmethod):
            cls._ctx_style = True  # a torch-style user Function: forward(ctx, ...)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__ + ("Backward" if cls._ctx_style else "Backward0")
        if type(cls.__dict__["name"]) is not _NodeName:
            cls.name = _NodeName(cls.__dict__["name"])

    # ------------------------------------------------------------------ API
    def forward(self, *arrays, **params):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, *grads):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **params):
        """Run ``forward`` on the inputs' arrays and wrap the result(s).

        ``inputs`` are Tensors (or None for an absent optional input);
        ``params`` are non-differentiable arguments passed to ``forward``.
        """
        if cls._ctx_style:
            return _apply_ctx_style(cls, inputs, params)
        _make = _tensor_make[0]
        fn = _new(cls)
        needs_grad = False
        if STATE.enabled:
            for t in inputs:
                # _requires_grad first: the property is only needed for views
                if t is not None and (t._requires_grad or (
                        t._base is not None and t.requires_grad)):
                    needs_grad = fn.requires_grad = True  # forward may skip saving if False
                    break
        n_in = len(inputs)
        if n_in == 1:
            out = fn.forward(inputs[0]._data, **params)
        elif n_in == 2 and inputs[0] is not None and inputs[1] is not None:
            out = fn.forward(inputs[0]._data, inputs[1]._data, **params)
        else:
            out = fn.forward(*[None if t is None else t._data for t in inputs], **params)

        if not needs_grad:  # the hot path: no graph to record
            if type(out) is not tuple:
                if type(out) is not np.ndarray:
                    out = np.asarray(out)
                r = _make(out)
                if cls.may_be_view and (cls.may_be_view == "always" or np.may_share_memory(
                        out, inputs[0]._data)):
                    r._set_view_of(inputs[0])
                return r
            results = tuple(_make(a if type(a) is np.ndarray else np.asarray(a)) for a in out)
            if cls.may_be_view:
                src = inputs[0]
                for r in results:
                    if np.may_share_memory(r._data, src._data):
                        r._set_view_of(src)
            return results

        # recording the node; unrolled for one and two inputs (most ops)
        if n_in == 1:
            t = inputs[0]
            fn._next = (_edge(t),)
            fn._input_meta = ((t._data.shape, t._data.dtype),)
        elif n_in == 2 and inputs[0] is not None and inputs[1] is not None:
            t, u = inputs
            fn._next = (_edge(t), _edge(u))
            fn._input_meta = ((t._data.shape, t._data.dtype), (u._data.shape, u._data.dtype))
        else:
            fn._next = tuple([_edge(t) for t in inputs])
            fn._input_meta = tuple([None if t is None else (t._data.shape, t._data.dtype)
                                    for t in inputs])
        save = cls.save_inputs
        if save:
            if save == (0, 1):
                saved = fn._saved = (inputs[0], inputs[1])
                fn._saved_versions = (inputs[0]._vc[0], inputs[1]._vc[0])
            else:
                saved = fn._saved = tuple([inputs[i] for i in save])
                fn._saved_versions = tuple([None if t is None else t._vc[0] for t in saved])

        if type(out) is not tuple:
            if type(out) is not np.ndarray:
                out = np.asarray(out)
            fn.n_outputs = 1
            # floating (V: bfloat16) outputs carry grad
            r = _make(out, True, fn, 0) if out.dtype.kind in "fcV" else _make(out)
            if cls.may_be_view and (cls.may_be_view == "always" or np.may_share_memory(
                    out, inputs[0]._data)):
                r._set_view_of(inputs[0])
            if cls.save_output:
                fn._saved_out = (out, r._vc, r._vc[0])
            return r
        fn.n_outputs = len(out)
        results = []
        for nr, a in enumerate(out):
            if type(a) is not np.ndarray:
                a = np.asarray(a)
            results.append(_make(a, True, fn, nr) if a.dtype.kind in "fcV" else _make(a))
        if cls.may_be_view:
            src = inputs[0]
            for r in results:
                if np.may_share_memory(r._data, src._data):
                    r._set_view_of(src)
        if cls.save_output:
            r = results[0]
            fn._saved_out = (r._data, r._vc, r._vc[0])
        return tuple(results)

    # ----------------------------------------------------------- graph
    @property
    def next_functions(self):
        """torch's form: one ``(node, output_nr)`` per input, ``(None, 0)``
        for an input that needs no gradient."""
        return tuple(_NO_EDGE if e is None else e for e in self.__dict__.get("_next", ()))

    @property
    def needs_input_grad(self):
        return tuple(e is not None for e in self._next)

    # ----------------------------------------------------------- saved data
    @property
    def saved_tensors(self):
        """The inputs named by ``save_inputs`` (then the output, if saved),
        checked against in-place modification since they were saved."""
        if getattr(self, "_freed", False):
            raise RuntimeError(_FREED_MSG)
        out = []
        for t, v in zip(getattr(self, "_saved", ()), getattr(self, "_saved_versions", ())):
            if t is not None and t._vc[0] != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{t._data.dtype}, {list(t._data.shape)}] is at version {t._vc[0]}; "
                    f"expected version {v} instead. Hint: clone the tensor before modifying it "
                    f"in place (node {self.name}).")
            if type(t) is _SavedOutput:
                t = _tensor_make[0](t._data, True, self, t.nr)
            out.append(t)
        if self.save_output:
            out.append(self.saved_output)
        return tuple(out)

    @property
    def saved_output(self):
        if getattr(self, "_freed", False):
            raise RuntimeError(_FREED_MSG)
        arr, vc, v = self._saved_out
        if vc[0] != v:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: the output of {self.name} is at version {vc[0]}; expected "
                f"version {v} instead. Hint: clone the tensor before modifying it in place.")
        t = _tensor_make[0](arr, True, self, 0)
        t._vc = vc
        return t

    def _release(self):
        """Free what backward kept (retain_graph=False). A later backward
        through this node then raises, as torch does, if anything was kept."""
        # torch frees saved tensors only: a node that kept just shapes or
        # numbers (sum, view, add) can be backpropagated through again
        d = self.__dict__
        extra = [k for k in d if k not in _KEEP and _holds_array(d[k])]
        if extra:
            for k in extra:
                del d[k]
            d.pop("_saved_versions", None)
            self._freed = True

    def register_hook(self, hook):
        """Node hook: called with (grad_inputs, grad_outputs) after backward."""
        self.__dict__.setdefault("_node_hooks", []).append(hook)
        return _RemovableHandle(self._node_hooks, hook)

    def __repr__(self):
        return f"<{self.name} object at {hex(id(self))}>"


# ------------------------------------------------------- torch-style Functions
# ``class F(suanzi.autograd.Function)`` with ``@staticmethod forward(ctx, ...)``
# and ``backward(ctx, *grads)`` on Tensors, as in torch. The ctx *is* the node.

def save_for_backward(self, *tensors):
    self._saved = tensors
    self._saved_versions = tuple(None if t is None else t._vc[0] for t in tensors)


def mark_dirty(self, *tensors):
    self._dirty = tensors


def mark_non_differentiable(self, *tensors):
    self._non_diff = tensors


def set_materialize_grads(self, value):
    self.materialize_grads = bool(value)


Function.save_for_backward = save_for_backward
Function.mark_dirty = mark_dirty
Function.mark_non_differentiable = mark_non_differentiable
Function.set_materialize_grads = set_materialize_grads
Function.materialize_grads = True
Function._dirty = ()
Function._non_diff = ()


def _apply_ctx_style(cls, args, kwargs):
    _make = _tensor_make[0]
    ctx = cls.__new__(cls)
    tensors = [a if hasattr(a, "_vc") else None for a in args]
    # edges first: ctx.needs_input_grad (read from them) is used inside forward
    ctx._next = tuple(_edge(t) for t in tensors) if STATE.enabled else (None,) * len(tensors)
    needs_grad = any(e is not None for e in ctx._next)
    prev = STATE.enabled
    STATE.enabled = False
    try:
        if "setup_context" in _class_dicts(cls):
            out = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, out)
        else:
            out = cls.forward(ctx, *args, **kwargs)
    finally:
        STATE.enabled = prev
    if not needs_grad:
        return out
    multi = type(out) is tuple
    outs = out if multi else (out,)
    ctx.requires_grad = True
    ctx._input_meta = tuple(None if t is None else (t._data.shape, t._data.dtype)
                            for t in tensors)
    ctx.n_outputs = len(outs)
    ctx._output_meta = tuple((o._data.shape, o._data.dtype) if hasattr(o, "_vc") else None
                             for o in outs)
    dirty = {id(t) for t in ctx._dirty}
    non_diff = {id(t) for t in ctx._non_diff}
    results = []
    for nr, o in enumerate(outs):
        if not hasattr(o, "_vc"):
            results.append(o)
            continue
        differentiable = id(o) not in non_diff and o._data.dtype.kind in "fcV"
        if id(o) in dirty:  # an input modified in place: it takes this node as history
            o._check_inplace()
            o._vc[0] += 1
            if differentiable:
                o.grad_fn, o._output_nr, o._requires_grad = ctx, nr, True
            results.append(o)
            continue
        r = _make(o._data, differentiable, ctx if differentiable else None, nr)
        r._vc = o._vc
        results.append(r)
    saved = getattr(ctx, "_saved", None)
    if saved:  # an output saved for backward is rebuilt on unpacking (no ref cycle)
        where = {id(o): nr for nr, o in enumerate(outs) if hasattr(o, "_vc")}
        ctx._saved = tuple(_SavedOutput(where[id(t)], t) if id(t) in where else t for t in saved)
    return tuple(results) if multi else results[0]


class _SavedOutput:
    """A torch-style Function's output in ``ctx.saved_tensors``."""

    __slots__ = ("nr", "_data", "_vc")

    def __init__(self, nr, t):
        self.nr, self._data, self._vc = nr, t._data, t._vc


def _class_dicts(cls):
    names = set()
    for k in cls.__mro__:
        if k is Function:
            break
        names.update(k.__dict__)
    return names


def call_ctx_backward(node, grads):
    """Run a torch-style backward: None gradients become zeros unless the
    Function turned materialize_grads off."""
    if node.materialize_grads:
        import numpy as _np

        grads = [(_tensor_make[0](_np.zeros(m[0], m[1])) if g is None and m is not None else g)
                 for g, m in zip(grads, node._output_meta)]
    res = type(node).backward(node, *grads)
    if type(res) is not tuple:
        res = (res,)
    n_in = len(node._next)
    if len(res) > n_in and all(r is None for r in res[n_in:]):
        res = res[:n_in]
    if len(res) != n_in:
        raise RuntimeError(f"function {type(node).__name__}Backward returned an incorrect number "
                           f"of gradients (expected {n_in}, got {len(res)})")
    return tuple(None if (r is None or e is None) else r for r, e in zip(res, node._next))


def once_differentiable(backward):
    """Decorator for a torch-style backward that is not itself differentiable:
    it runs without recording a graph."""
    import functools

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        prev = STATE.enabled
        STATE.enabled = False
        try:
            return backward(ctx, *grads)
        finally:
            STATE.enabled = prev
    return wrapper


_FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved "
              "tensors after they have already been freed). Saved intermediate values of the "
              "graph are freed when you call .backward() or autograd.grad(). Specify "
              "retain_graph=True if you need to backward through the graph a second time or if "
              "you need to access saved tensors after calling backward.")


class _NodeName(str):
    """A node's name: a str (``node.name``) that can also be called like
    torch's ``node.name()`` (which gives the C++ name for a few nodes)."""

    def __call__(self):
        return _TORCH_NODE_NAMES.get(self, str(self))


_TORCH_NODE_NAMES = {"AccumulateGrad": "torch::autograd::AccumulateGrad",
                     "CopySlices": "torch::autograd::CopySlices"}
Function.name = _NodeName(Function.name)

_KEEP = frozenset(("_next", "_input_meta", "n_outputs", "requires_grad",
                   "_tensor_hooks", "_retain", "_node_hooks", "_freed"))


def _holds_array(v):
    """Whether ``v`` (an attribute backward kept) holds array data to free."""
    if isinstance(v, np.ndarray) or hasattr(v, "_vc"):  # an array or a Tensor
        return True
    if type(v) is tuple or type(v) is list:
        return any(_holds_array(x) for x in v)
    return False


class AccumulateGrad:
    """The sink node of a leaf that requires grad: adds into ``leaf.grad``."""

    name = _NodeName("AccumulateGrad")
    next_functions = _next = ()
    _ctx_style = False
    n_outputs = 1
    once_differentiable = False

    def __init__(self, leaf):
        self.variable = leaf

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _RemovableHandle:
    def __init__(self, container, item):
        self._container = container
        self._item = item

    def remove(self):
        try:
            self._container.remove(self._item)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
