"""The Tensor: a NumPy array plus what autograd needs to know about it.

Most methods (``add``, ``view``, ``sum`` …) are the op functions of
``suanzi.ops`` attached in ``suanzi/_methods.py``; this file holds the state
and the autograd plumbing:

* ``_data``      the ndarray. Views (``view``, slicing, ``transpose`` …) hold
                 NumPy views of their base's array, so writes are shared.
* ``_vc``        the version counter, a one-element list shared by a tensor
                 and all its views; every in-place op bumps it, and saved
                 tensors check it before backward uses them.
* ``_base``      for a view, the tensor that owns the memory.
* ``grad_fn``    the node that produced it (None for a leaf), and
                 ``_output_nr`` which of that node's outputs it is.
"""
from __future__ import annotations

import numpy as np

from . import _dtype as D
from .autograd import function as _function_module
from .autograd.function import AccumulateGrad, Function, _RemovableHandle
from .autograd.grad_mode import STATE

_as_strided = np.lib.stride_tricks.as_strided


class Size(tuple):
    """torch.Size: a tuple of ints with torch's repr."""

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


class device:
    """Only the CPU exists in suanzi; this keeps ``x.device`` and
    ``device='cpu'`` arguments working."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        type = str(type)
        if ":" in type:
            type, index = type.split(":")[0], int(type.split(":")[1])
        if type != "cpu":
            raise RuntimeError(f"suanzi runs on the CPU only; device '{type}' is not available")
        self.type = type
        self.index = index

    def __repr__(self):
        return "device(type='cpu')" if self.index is None else f"device(type='cpu', index={self.index})"

    def __str__(self):
        return "cpu"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and other.type == self.type

    def __hash__(self):
        return hash(self.type)


CPU = device("cpu")


def _check_device(dev):
    if dev is not None:
        device(dev)


class Tensor:
    # Class-level defaults keep creation cheap: a new tensor sets only what differs.
    grad_fn = None
    grad = None
    _output_nr = 0
    _base = None
    _accum = None
    _hooks = None
    _requires_grad = False
    _view_version = 0
    _view_grad = False
    __array_priority__ = 1000  # ndarray op Tensor defers to Tensor's reflected op

    def __init__(self, *args, dtype=None, device=None):
        """Legacy constructor: ``Tensor(2, 3)`` (uninitialised float) or
        ``Tensor(data)``; prefer ``suanzi.tensor``."""
        _check_device(device)
        dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            src = args[0]
            if isinstance(src, Tensor):
                arr = src._data.astype(dt.np, copy=False)
            else:
                arr = np.array(src, dtype=dt.np)
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
            arr = np.zeros(tuple(int(s) for s in shape), dtype=dt.np)
        self._data = arr
        self._vc = [0]

    @staticmethod
    def _make(arr, requires_grad=False, grad_fn=None, output_nr=0):
        t = object.__new__(Tensor)
        t._data = arr
        t._vc = [0]
        if requires_grad:
            t._requires_grad = True
            t.grad_fn = grad_fn
            t._output_nr = output_nr
        return t

    # ------------------------------------------------------------ metadata
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    def _wrap_dim(self, dim, extra=0):
        n = self._data.ndim + extra
        m = max(n, 1)
        try:
            d = int(dim.__index__())
        except (AttributeError, TypeError):
            raise TypeError(f"dim must be an int, got {type(dim).__name__}") from None
        if not -m <= d < m:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-m}, {m - 1}], but got {d})")
        return d + m if d < 0 else d

    @property
    def dtype(self):
        return D._FROM_NP[self._data.dtype]

    @property
    def device(self):
        return CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False
    layout = "torch.strided"

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        isz = self._data.itemsize
        st = tuple(s // isz for s in self._data.strides)
        if not self._data.size and self._data.ndim:  # NumPy gives empty arrays 0 strides
            st = tuple(int(np.prod(self._data.shape[i + 1:])) for i in range(self._data.ndim))
        if dim is None:
            return st
        return st[self._wrap_dim(dim)]

    def storage_offset(self):
        if self._base is None:
            return 0
        return (self._data.__array_interface__["data"][0]
                - self._base._data.__array_interface__["data"][0]) // self._data.itemsize

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def is_floating_point(self):
        return self._data.dtype.kind in "fV"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_signed(self):
        return self.dtype.is_signed

    def get_device(self):
        return -1

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def untyped_storage(self):
        raise NotImplementedError("suanzi tensors have no separate storage object")

    # ------------------------------------------------------------ autograd state
    @property
    def requires_grad(self):
        if self._requires_grad:
            return True
        if self._base is not None and self._view_grad and self._view_version != self._vc[0]:
            # the base was written in place since: it may require grad now
            self._refresh_view_graph()
            return self._requires_grad
        return False

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = bool(flag)
        if self.grad_fn is not None:
            if not flag:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use "
                    "a computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().")
            return
        if flag and self._data.dtype.kind not in "fcV":
            raise RuntimeError(
                f"only Tensors of floating point and complex dtype can require gradients "
                f"(got {self.dtype})")
        self._requires_grad = flag

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def retains_grad(self):
        fn = self.grad_fn
        return fn is not None and self._output_nr in fn.__dict__.get("_retain", {})

    def retain_grad(self):
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return  # leaves retain their grad anyway
        import weakref

        self.grad_fn.__dict__.setdefault("_retain", {})[self._output_nr] = weakref.ref(self)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a
        non-None return value replaces the gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        else:
            hooks = self.grad_fn.__dict__.setdefault("_tensor_hooks", {}).setdefault(
                self._output_nr, {})
        key = object()
        hooks[key] = hook
        return _HookHandle(hooks, key)

    def _grad_edge(self):
        """(node, output_nr) that this tensor's gradient flows into."""
        if self._base is not None and self._view_grad and self._view_version != self._vc[0]:
            self._refresh_view_graph()
        fn = self.grad_fn
        if fn is not None:
            return (fn, self._output_nr)
        acc = self._accum
        if acc is None:
            acc = self._accum = AccumulateGrad(self)
        return (acc, 0)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd.engine import run_backward

        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            gradient = Tensor._make(np.ones_like(self._data))
        elif not isinstance(gradient, Tensor):
            gradient = Tensor._make(np.asarray(gradient, dtype=self._data.dtype))
        if gradient._data.shape != self._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {gradient.shape} and "
                f"output[0] has a shape of {self.shape}.")
        if retain_graph is None:
            retain_graph = create_graph
        if inputs is not None and isinstance(inputs, Tensor):
            inputs = (inputs,)
        run_backward((self,), (gradient,), retain_graph, create_graph, inputs=inputs)

    def detach(self):
        t = Tensor._make(self._data)
        t._vc = self._vc  # torch: detach() shares the version counter
        return t

    def detach_(self):
        if self._base is not None and self._view_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._output_nr = 0
        self._requires_grad = False
        return self

    @property
    def data(self):
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError("data must be a Tensor")
        self._data = value._data

    @property
    def _version(self):
        return self._vc[0]

    # ------------------------------------------------------------ views
    def _set_view_of(self, src):
        root = src._base if src._base is not None else src
        self._base = root
        self._vc = root._vc
        self._view_version = root._vc[0]
        self._view_grad = STATE.enabled

    def _view_geometry(self):
        """(offset in elements, shape, byte strides) of this view in its base's memory."""
        b = self._base._data
        off = self.data_ptr() - b.__array_interface__["data"][0]
        return off // b.itemsize, self._data.shape, self._data.strides

    def _refresh_view_graph(self):
        """The base changed in place since this view was taken: make the view's
        graph read from the base's current graph (torch regenerates it too)."""
        base = self._base
        self._view_version = self._vc[0]
        if not base._requires_grad or not STATE.enabled:
            return
        node = _AsStrided()
        node.requires_grad = True
        node._next = (base._grad_edge(),)
        node._input_meta = ((base._data.shape, base._data.dtype),)
        node.n_outputs = 1
        node.layout = _Layout(base._data, self)
        self.grad_fn = node
        self._output_nr = 0
        self._requires_grad = True

    # ------------------------------------------------------------ in place
    def _check_inplace(self):
        if not STATE.enabled:
            return
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation.")
        b = self._base
        if b is not None and not self._view_grad and b._requires_grad:
            raise RuntimeError(
                "A view was created in no_grad mode and is being modified inplace with grad mode "
                "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. "
                "You can clarify your code by moving both the view and the inplace either both "
                "inside the no_grad block (if you don't want the inplace to be tracked) or both "
                "outside (if you want the inplace to be tracked).")
        if b is not None and b.grad_fn is None and b._requires_grad and self._view_grad:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an in-place "
                "operation.")

    def _inplace_apply(self, fn_cls, *others, **params):
        """Run ``fn_cls(self, *others)`` and store the result in ``self``:
        torch's in-place semantics on top of an out-of-place Function.

        The caller has checked that the result dtype fits ``self``.
        """
        self._check_inplace()
        needs = STATE.enabled and (self.requires_grad or any(
            o is not None and o.requires_grad for o in others))
        if not needs:
            out = fn_cls.apply(self, *others, **params)
            self._write(out._data)
            self._vc[0] += 1
            return self
        src = self
        if 0 in fn_cls.save_inputs:  # backward reads the old self: keep a snapshot
            src = self._snapshot()
        out = fn_cls.apply(src, *others, **params)
        if out._data.dtype != self._data.dtype:
            out = out.to(self.dtype)
        self._write(out._data)
        self._vc[0] += 1
        self._rebase_history(out)
        return self

    def _write(self, arr):
        try:
            np.copyto(self._data, arr, casting="unsafe")
        except ValueError as e:
            if not self._data.flags.writeable:
                raise RuntimeError(
                    "unsupported operation: more than one element of the written-to tensor "
                    "refers to a single memory location (an expanded view or a read-only "
                    "array). Please clone() the tensor before performing the operation.") from None
            raise RuntimeError(
                f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                f"{list(np.shape(arr))}") from e

    def _snapshot(self):
        edge = self._grad_edge() if self._requires_grad else None
        t = Tensor._make(self._data.copy())
        if edge is not None:
            if type(edge[0]) is AccumulateGrad:
                t = Tensor._make(t._data)
            else:
                t._requires_grad = True
                t.grad_fn, t._output_nr = edge
        return t

    def _rebase_history(self, out):
        """Make ``self`` (just overwritten with ``out``'s values) carry out's graph."""
        base = self._base
        if base is None or not self._view_grad:
            self.grad_fn = out.grad_fn
            self._output_nr = out._output_nr
            self._requires_grad = out._requires_grad
            return
        # self is a view: its base now equals the old base with this region
        # replaced by ``out`` — a CopySlices node, as in torch.
        node = _CopySlices()
        node.requires_grad = True
        node._next = (base._grad_edge() if base._requires_grad else None,
                               out._grad_edge() if out._requires_grad else None)
        node._input_meta = ((base._data.shape, base._data.dtype),
                            (out._data.shape, out._data.dtype))
        node.n_outputs = 1
        node.layout = _Layout(base._data, self)
        base.grad_fn = node
        base._output_nr = 0
        base._requires_grad = True
        self._view_version = -1  # force the view to re-read the new base graph
        self._refresh_view_graph()

    # ------------------------------------------------------------ conversion
    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self._data
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        if copy:
            return a.copy()
        return a

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def _scalar_check(self, kind):
        if self._data.size != 1:  # torch: ValueError for float()/int()/complex()
            raise ValueError("only one element tensors can be converted to Python scalars")

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        self._scalar_check("float")
        return float(self._data.reshape(()))

    def __int__(self):
        self._scalar_check("int")
        return int(self._data.reshape(()))

    def __complex__(self):
        self._scalar_check("complex")
        return complex(self._data.reshape(()))

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0 and spec:
            return self.item().__format__(spec)
        return str(self)

    def __reduce_ex__(self, proto):
        return (_rebuild_tensor, (np.array(self._data), self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.")
        t = Tensor._make(self._data.copy())
        t.__class__ = self.__class__
        for k, v in self.__dict__.items():
            if k not in ("_data", "_vc", "_accum", "grad", "_base"):
                t.__dict__[k] = v
        if self.grad is not None:
            t.grad = Tensor._make(self.grad._data.copy())
        memo[id(self)] = t
        return t

    def __setstate__(self, state):
        self.__dict__.update(state)


_function_module._tensor_make[0] = Tensor._make


def _rebuild_tensor(arr, requires_grad):
    t = Tensor._make(arr)
    t._requires_grad = requires_grad
    return t


class _HookHandle(_RemovableHandle):
    def remove(self):
        self._container.pop(self._item, None)


# ----------------------------------------------------------------- view geometry
class _Layout:
    """Where a view lies in its base's memory, recorded without keeping either
    array alive: enough to cut the same view out of a gradient buffer."""

    __slots__ = ("base_shape", "base_strides", "dtype", "extent", "offset", "shape", "strides")

    def __init__(self, base_arr, view):
        self.base_shape = base_arr.shape
        self.base_strides = base_arr.strides
        self.dtype = base_arr.dtype
        isz = base_arr.itemsize
        self.extent = 1 + sum((s - 1) * st for s, st in zip(base_arr.shape, base_arr.strides)
                              if s > 0) // isz if base_arr.size else 0
        off, self.shape, self.strides = view._view_geometry()
        self.offset = off

    def buffer(self, fill=None, src=None):
        """A fresh buffer laid out like the base; returns (flat, base-shaped view)."""
        flat = np.zeros(max(self.extent, 1), self.dtype) if src is None else \
            np.empty(max(self.extent, 1), self.dtype)
        full = _as_strided(flat, self.base_shape, self.base_strides)
        if src is not None:
            full[...] = src
        return flat, full

    def region(self, flat):
        return _as_strided(flat[self.offset:], self.shape, self.strides)


class _CopySlices(Function):
    """Gradient of ``base[region] = value``: the region's gradient goes to
    ``value``, the rest to the old base. Built from the two layout Functions
    below, so it is differentiable again (create_graph)."""

    name = "CopySlices"

    def backward(self, g):
        lay = self.layout
        g_value = _GatherLayout.apply(g, layout=lay)
        return g - _ScatterLayout.apply(g_value, layout=lay), g_value


class _AsStrided(Function):
    """Gradient of taking a view out of a base: scatter into a zero buffer
    shaped like the base."""

    name = "AsStridedBackward0"

    def backward(self, g):
        return _ScatterLayout.apply(g, layout=self.layout)


class _ScatterLayout(Function):
    """A view-shaped array placed into a base-shaped zero buffer (summed over
    the repeated elements of an expanded view). Its adjoint is the gather."""

    name = "AsStridedScatterBackward0"

    def forward(self, g, layout):
        self.layout = lay = layout
        flat, full = lay.buffer()
        reg = lay.region(flat)
        zero_stride = [d for d, (n, s) in enumerate(zip(lay.shape, lay.strides)) if s == 0 and n > 1]
        if zero_stride:  # an expanded view: its elements share memory, so sum them
            g = g.sum(axis=tuple(zero_stride), keepdims=True)
            reg = reg[tuple(slice(0, 1) if d in zero_stride else slice(None)
                            for d in range(reg.ndim))]
        reg[...] = g
        return np.array(full)

    def backward(self, gg):
        return _GatherLayout.apply(gg, layout=self.layout)


class _GatherLayout(Function):
    """The view's region cut out of a base-shaped array (a copy)."""

    name = "AsStridedBackward0"

    def forward(self, full, layout):
        self.layout = layout
        flat, _ = layout.buffer(src=full)
        return np.array(layout.region(flat))

    def backward(self, g):
        return _ScatterLayout.apply(g, layout=self.layout)
