"""``nn.Module``: parameters, buffers and submodules registered by attribute
assignment, in registration order, with torch's names — so ``state_dict``
keys and parameter order are torch's and a torch checkpoint loads as is.

``load_state_dict`` accepts suanzi tensors, NumPy arrays and torch tensors
(read through ``.detach().cpu().numpy()``, without importing torch).
"""
from __future__ import annotations

import warnings
import weakref
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ... import _dtype as D
from ..._tensor import Size, Tensor, _check_device
from ...autograd.grad_mode import no_grad
from ..parameter import Buffer, Parameter

__all__ = ["Module", "RemovableHandle"]

# Key under which get_extra_state()'s value is saved (torch's checkpoint key).
_EXTRA_STATE_KEY_SUFFIX = "_extra_state"

# Every hook table a Module owns; all are OrderedDicts keyed by handle id so
# that ``prepend=True`` is a move_to_end and removal is a dict delete.
_HOOK_TABLES = (
    "_backward_pre_hooks", "_backward_hooks",
    "_forward_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
    "_forward_pre_hooks", "_forward_pre_hooks_with_kwargs",
    "_state_dict_hooks", "_state_dict_pre_hooks",
    "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks",
)


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self):
        if self.missing_keys or self.unexpected_keys:
            return (f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                    f"unexpected_keys={self.unexpected_keys!r})")
        return "<All keys matched successfully>"

    __str__ = __repr__


class RemovableHandle:
    """What every ``register_*_hook`` returns: ``remove()`` deletes the hook's
    entry from its table and from any side tables holding per-hook flags
    (``extra_dict``, e.g. with_kwargs). Tables are held weakly so a handle
    never keeps a dead module alive. Also usable as a context manager."""

    next_id = 0  # one counter for all handles: ids never collide across tables

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        if extra_dict is None:
            extra_dict = []
        elif isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(t) for t in extra_dict)

    def _tables(self):
        return [ref() for ref in (self.hooks_dict_ref, *self.extra_dict_ref)]

    def remove(self):
        for table in self._tables():
            if table is not None:
                table.pop(self.id, None)

    # Weak references do not pickle: store the tables themselves.
    def __getstate__(self):
        tables = self._tables()
        return tables[0], self.id, tuple(tables[1:])

    def __setstate__(self, state):
        hooks, self.id, extras = state
        self.hooks_dict_ref = weakref.ref(OrderedDict() if hooks is None else hooks)
        self.extra_dict_ref = tuple(weakref.ref(t) for t in (extras or ()) if t is not None)
        # keep fresh ids from clashing with the restored one
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _typename(obj):
    """torch.typename: ``torch.FloatTensor`` for tensors, else ``module.QualName``."""
    if isinstance(obj, Tensor):
        return obj.type()
    named = obj if hasattr(obj, "__qualname__") or hasattr(obj, "__name__") else type(obj)
    qualname = getattr(named, "__qualname__", None) or named.__name__
    module = getattr(named, "__module__", "") or ""
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def _is_torch_tensor(value):
    # Duck-typed so that suanzi never has to import torch.
    return (type(value).__module__.startswith("torch") and hasattr(value, "detach")
            and hasattr(value, "numpy"))


def _to_array(value):
    """A NumPy array from a suanzi tensor, a NumPy array or a torch tensor (None otherwise)."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)
    if not _is_torch_tensor(value):
        return None
    value = value.detach().cpu()
    if str(value.dtype) == "torch.bfloat16":  # NumPy has no bfloat16: go through float32
        return value.float().numpy().astype(D.bfloat16.np)
    return value.numpy()


def _addindent(s, n):
    """Indent every line but the first by ``n`` spaces (blank lines stay empty)."""
    head, *rest = s.split("\n")
    if not rest:
        return s
    pad = " " * n
    return "\n".join([head] + [pad + line if line.strip() else "" for line in rest])


def _join(prefix, name):
    return f"{prefix}.{name}" if prefix else name


def _forward_unimplemented(self, *input):
    raise NotImplementedError(
        f'Module [{type(self).__name__}] is missing the required "forward" function')


def _check_name(kind, name, owner, store):
    """The checks shared by register_parameter / register_buffer / add_module."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
    if "." in name:
        got = f", got: {name}" if kind == "module" else ""
        raise KeyError(f'{kind} name can\'t contain "."{got}')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if hasattr(owner, name) and name not in store:
        raise KeyError(f"attribute '{name}' already exists")


class Module:
    """Base class of every layer (torch.nn.Module's API)."""

    training: bool
    _version = 1  # saved in state_dict metadata; lets subclasses migrate old checkpoints
    call_super_init = False
    dump_patches = False

    def __init__(self, *args, **kwargs):
        if not self.call_super_init:  # object.__init__ would reject these anyway
            if kwargs:
                raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                                f"argument '{next(iter(kwargs))}'")
            if args:
                raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument "
                                f"but {len(args) + 1} were given")
        # Written through object.__setattr__: our __setattr__ needs these to exist.
        state = {"training": True, "_parameters": {}, "_buffers": {},
                 "_non_persistent_buffers_set": set(), "_is_full_backward_hook": None}
        state.update((table, OrderedDict()) for table in _HOOK_TABLES)
        state["_modules"] = {}
        for key, value in state.items():
            object.__setattr__(self, key, value)
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    forward = _forward_unimplemented

    # ------------------------------------------------------------ hooks
    def _add_hook(self, table, hook, *, prepend=False, flags=(), extra=()):
        """Store ``hook`` in ``table`` under a fresh handle id. ``flags`` are
        the side tables that should mark this hook (with_kwargs, always_call);
        ``extra`` lists every side table the handle must clean on remove()."""
        handle = RemovableHandle(table, extra_dict=list(extra))
        table[handle.id] = hook
        for flag_table in flags:
            flag_table[handle.id] = True
        if prepend:
            table.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args)`` (or ``hook(module, args, kwargs)`` with
        ``with_kwargs``) runs before ``forward`` and may replace its inputs."""
        kw = self._forward_pre_hooks_with_kwargs
        return self._add_hook(self._forward_pre_hooks, hook, prepend=prepend,
                              flags=[kw] if with_kwargs else [], extra=[kw])

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """``hook(module, args, output)`` (or ``hook(module, args, kwargs,
        output)``) runs after ``forward`` and may replace its output."""
        kw, always = self._forward_hooks_with_kwargs, self._forward_hooks_always_called
        flags = [t for t, on in ((kw, with_kwargs), (always, always_call)) if on]
        return self._add_hook(self._forward_hooks, hook, prepend=prepend, flags=flags,
                              extra=[kw, always])

    def register_state_dict_pre_hook(self, hook):
        """``hook(module, prefix, keep_vars)`` before ``state_dict`` saves the module."""
        return self._add_hook(self._state_dict_pre_hooks, hook)

    def register_state_dict_post_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata)`` after; must return None."""
        hook._from_public_api = True  # marks hooks that may not replace the dict
        return self._add_hook(self._state_dict_hooks, hook)

    _register_state_dict_hook = register_state_dict_post_hook

    def register_load_state_dict_pre_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before the module loads its entries."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        # The table always holds callables without the module argument.
        if with_module:
            hook = (lambda *a, _h=hook: _h(self, *a))
        return self._add_hook(self._load_state_dict_pre_hooks, hook)

    def register_load_state_dict_post_hook(self, hook):
        """``hook(module, incompatible_keys)`` after loading; may edit the key lists."""
        return self._add_hook(self._load_state_dict_post_hooks, hook)

    # ------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        if self._forward_hooks or self._forward_pre_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)  # fast path: no hook bookkeeping

    def _call_forward_hook(self, hid, hook, args, kwargs, result):
        if hid in self._forward_hooks_with_kwargs:
            return hook(self, args, kwargs, result)
        return hook(self, args, result)

    def _call_with_hooks(self, args, kwargs):
        # Snapshot the tables: a hook may remove itself while running.
        for hid, hook in list(self._forward_pre_hooks.items()):
            if hid not in self._forward_pre_hooks_with_kwargs:
                new = hook(self, args)
                if new is not None:  # a bare value stands for a one-argument tuple
                    args = new if isinstance(new, tuple) else (new,)
                continue
            new = hook(self, args, kwargs)
            if new is None:
                continue
            if not (isinstance(new, tuple) and len(new) == 2):
                raise RuntimeError("forward pre-hook must return None or a tuple of "
                                   f"(new_args, new_kwargs), but got {new}.")
            args, kwargs = new

        done, result = set(), None
        try:
            result = self.forward(*args, **kwargs)
            for hid, hook in list(self._forward_hooks.items()):
                done.add(hid)
                new = self._call_forward_hook(hid, hook, args, kwargs, result)
                if new is not None:
                    result = new
        except Exception:
            # always_call hooks still run, but must not mask the original error.
            for hid, hook in list(self._forward_hooks.items()):
                if hid in done or hid not in self._forward_hooks_always_called:
                    continue
                try:
                    self._call_forward_hook(hid, hook, args, kwargs, result)
                except Exception as e:  # noqa: BLE001 - torch silences these too
                    warnings.warn("module forward hook with ``always_call=True`` raised an "
                                  "exception that was silenced as another error was raised "
                                  f"in forward: {e}", stacklevel=2)
            raise
        return result

    # ------------------------------------------------------------ registration
    def _drop(self, name, *stores):
        """Forget ``name`` in each dict/set, so one name lives in one place."""
        for store in stores:
            if name in store:
                store.discard(name) if isinstance(store, set) else store.pop(name)

    def __setattr__(self, name, value):
        d = self.__dict__
        params, buffers, modules = (d.get(k) for k in ("_parameters", "_buffers", "_modules"))

        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._drop(name, d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            # an existing parameter slot only takes a Parameter or None
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._drop(name, d, self._parameters, self._buffers,
                       self._non_persistent_buffers_set)
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module "
                                f"'{name}' (torch.nn.Module or None expected)")
            modules[name] = value
        elif isinstance(value, Buffer) or (buffers is not None and name in buffers):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(torch.nn.Buffer, torch.Tensor or None expected)")
            # a Buffer says its own persistence; re-assigning a plain tensor keeps the old one
            persistent = (value.persistent if isinstance(value, Buffer)
                          else name not in self._non_persistent_buffers_set)
            if buffers is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            self.register_buffer(name, value, persistent)
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Only reached when normal lookup fails: look in the three registries.
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            members = d.get(store)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def register_buffer(self, name, tensor, persistent=True):
        """A tensor kept with the module (moved by ``to``, saved in
        ``state_dict`` unless ``persistent=False``) but not a parameter."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name, self, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        if isinstance(tensor, Buffer):  # the marker class is not kept: store a plain tensor
            plain = Tensor._make(tensor._data)
            plain._vc = tensor._vc
            tensor = plain
        self._buffers[name] = tensor
        (self._non_persistent_buffers_set.discard if persistent
         else self._non_persistent_buffers_set.add)(name)

    def register_parameter(self, name, param):
        """Add a parameter (or None, a placeholder kept out of ``state_dict``)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name, self, self._parameters)
        if param is not None:
            if not isinstance(param, Parameter):
                raise TypeError(f"cannot assign '{_typename(param)}' object to parameter "
                                f"'{name}' (torch.nn.Parameter or None required)")
            if param.grad_fn is not None:  # parameters must be leaves the optimizer can own
                raise ValueError(
                    f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must "
                    f"be created explicitly. To express '{name}' as a function of another Tensor, "
                    "compute the value in the forward() method.")
        self._parameters[name] = param

    def add_module(self, name, module):
        """Add a child module, reachable as an attribute."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        _check_name("module", name, self, self._modules)
        self._modules[name] = module

    def register_module(self, name, module):
        self.add_module(name, module)

    # ------------------------------------------------------------ lookup by dotted path
    def get_submodule(self, target):
        """The submodule at dotted path ``target`` ('' is self)."""
        mod = self
        for atom in target.split(".") if target else ():
            if not hasattr(mod, atom):
                raise AttributeError(f"{mod._get_name()} has no attribute `{atom}`")
            mod = getattr(mod, atom)
            if not isinstance(mod, Module):
                raise AttributeError(f"`{atom}` is not an nn.Module")
        return mod

    def set_submodule(self, target, module, strict=False):
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        parent_path, _, leaf = target.rpartition(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self.get_submodule(parent_path)
        if hasattr(parent, leaf):
            if not isinstance(getattr(parent, leaf), Module):
                raise AttributeError(f"`{leaf}` is not an nn.Module")
        elif strict:
            raise AttributeError(f"{parent._get_name()} has no attribute `{leaf}`")
        setattr(parent, leaf, module)

    def _get_leaf(self, target):
        """(owning module, attribute name, value) for a dotted ``target``."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        return mod, name, getattr(mod, name)

    def get_parameter(self, target):
        _, name, param = self._get_leaf(target)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target):
        mod, name, buf = self._get_leaf(target)
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return buf

    # Subclasses override both to save non-tensor state under "<prefix>_extra_state".
    def get_extra_state(self):
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never "
                           "be called.")

    def set_extra_state(self, state):
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never "
                           "be called.")

    def _has_extra_state(self):
        return type(self).get_extra_state is not Module.get_extra_state

    # ------------------------------------------------------------ iteration
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Depth-first, self first; a module reached twice (shared) is listed
        once unless ``remove_duplicate=False``."""
        memo = set() if memo is None else memo
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, _join(prefix, name), remove_duplicate)

    def modules(self, remove_duplicate=True):
        return (m for _, m in self.named_modules(remove_duplicate=remove_duplicate))

    def named_children(self):
        seen = set()
        for name, child in self._modules.items():
            if child is not None and child not in seen:
                seen.add(child)
                yield name, child

    def children(self):
        return (m for _, m in self.named_children())

    def _walk(self, store, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, tensor) for every non-None entry of ``store``
        ('_parameters' or '_buffers') in this module (and below, if
        ``recurse``). A tensor shared by several modules comes once, under
        the first name met, unless ``remove_duplicate=False``."""
        owners = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                  if recurse else [(prefix, self)])
        seen = set()
        for owner_prefix, owner in owners:
            for name, tensor in getattr(owner, store).items():
                if tensor is None or id(tensor) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(tensor))
                yield _join(owner_prefix, name), tensor

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        return self._walk("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._walk("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        return (b for _, b in self.named_buffers(recurse=recurse))

    # ------------------------------------------------------------ modes
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        for p in self.parameters():
            grad = p.grad
            if grad is None:
                continue
            if set_to_none:
                p.grad = None
                continue
            # zero in place, but never through a graph: detach a non-leaf grad first
            if grad.grad_fn is not None:
                grad = p.grad = grad.detach()
            else:
                grad.requires_grad_(False)
            grad.zero_()

    def apply(self, fn):
        """``fn(m)`` for every submodule (children first) and then self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------ conversion
    def _apply(self, fn, recurse=True):
        """``fn`` (Tensor -> Tensor) on every parameter, gradient and buffer.
        Parameters (and their grads) keep their identity — only their data is
        swapped, like torch's ``param.data = fn(param)`` — so optimizers and
        hooks holding them stay valid. Buffers are simply replaced."""
        def convert_in_place(t):
            with no_grad():
                new = fn(t)
            if new is not t:
                t._data = new._data
                t._vc[0] += 1  # in-place change: saved-for-backward checks must see it

        if recurse:
            for child in self.children():
                child._apply(fn)
        for param in self._parameters.values():
            if param is not None:
                convert_in_place(param)
                if param.grad is not None:
                    convert_in_place(param.grad)
        for name, buf in self._buffers.items():
            if buf is not None:
                self._buffers[name] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)``:
        floating (and complex) parameters and buffers take the dtype; integer
        ones (e.g. ``num_batches_tracked``) keep theirs."""
        kwargs = dict(kwargs)
        device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
        for ignored in ("non_blocking", "memory_format", "copy"):  # meaningless on NumPy
            kwargs.pop(ignored, None)
        if kwargs:
            raise TypeError(f"to() received an invalid combination of arguments - got unexpected "
                            f"keyword argument '{next(iter(kwargs))}'")
        if len(args) > 3:
            raise TypeError(f"to() takes at most 3 positional arguments ({len(args)} given)")
        for a in args:
            if a is None or isinstance(a, bool):  # bools are non_blocking / copy
                continue
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, D.dtype) or (type(a).__name__ == "dtype"
                                            and type(a).__module__.startswith("torch")):
                dtype = a
            elif isinstance(a, (str, int)) or type(a).__name__ == "device":
                device = a
            else:
                raise TypeError(f"to() received an invalid combination of arguments - got "
                                f"({type(a).__name__})")
        if device is not None:
            if isinstance(device, int):
                raise RuntimeError(f"suanzi runs on the CPU only; device {device} is not "
                                   "available")
            _check_device(str(device) if type(device).__module__.startswith("torch")
                          else device)
        if dtype is None:
            return self
        dt = D.to_dtype(dtype)
        if not (dt.is_floating_point or dt.is_complex):
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dt}")
        if dt.is_complex:
            warnings.warn("Complex modules are a new feature under active development whose "
                          "design may change, and some modules might not work as expected when "
                          "using complex tensors as parameters or buffers.", stacklevel=2)
        return self._apply(
            lambda t: t.to(dt) if t.is_floating_point() or t.is_complex() else t)

    def _cast_floating(self, method):
        # Integer buffers (counters, indices) keep their dtype on float()/half()/...
        return self._apply(lambda t: getattr(t, method)() if t.is_floating_point() else t)

    def float(self):
        return self._cast_floating("float")

    def double(self):
        return self._cast_floating("double")

    def half(self):
        return self._cast_floating("half")

    def bfloat16(self):
        return self._cast_floating("bfloat16")

    def type(self, dst_type):
        return self._apply(lambda t: t.to(D.to_dtype(dst_type)))

    def cpu(self):
        return self

    def cuda(self, device=None):
        _check_device("cuda")
        return self

    def share_memory(self):
        return self

    # ------------------------------------------------------------ state dict
    def _local_state(self):
        """This module's own saved tensors, by name: parameters, then
        persistent buffers; None placeholders are skipped."""
        state = {k: v for k, v in self._parameters.items() if v is not None}
        state.update((k, v) for k, v in self._buffers.items()
                     if v is not None and k not in self._non_persistent_buffers_set)
        return state

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, tensor in self._local_state().items():
            destination[prefix + name] = tensor if keep_vars else tensor.detach()
        if self._has_extra_state():
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """An OrderedDict of parameters and persistent buffers, keyed by
        dotted names (torch's keys and order); values share memory with the
        module (detached unless ``keep_vars``)."""
        if args:  # the old positional form: (destination, prefix, keep_vars)
            warnings.warn("Positional args are being deprecated, use kwargs instead.",
                          FutureWarning, stacklevel=2)
            given = dict(zip(("destination", "prefix", "keep_vars"), args))
            if destination is None:
                destination = given.get("destination")
            if prefix == "":
                prefix = given.get("prefix", "")
            if keep_vars is False:
                keep_vars = given.get("keep_vars", False)
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        # per-module metadata (keyed by the prefix without its dot) carries
        # _version, which _load_from_state_dict overrides can read back
        local_metadata = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata

        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination=destination, prefix=f"{prefix}{name}.",
                                 keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            returned = hook(self, destination, prefix, local_metadata)
            if returned is None:
                continue
            if getattr(hook, "_from_public_api", False):
                raise RuntimeError("state_dict post-hook must return None")
            destination = returned  # private hooks may hand back a new dict
        return destination

    def _load_entry(self, name, key, target, value, assign, error_msgs):
        """Load one checkpoint ``value`` into ``target`` (copy, or replace
        with ``assign``); problems go to ``error_msgs``, reported together."""
        arr = _to_array(value)
        if arr is None:
            error_msgs.append(f'While copying the parameter named "{key}", expected '
                              "torch.Tensor or Tensor-like object from checkpoint but "
                              f"received {type(value)}")
            return
        want = target._data.shape
        if want == () and arr.shape == (1,):  # old checkpoints saved scalars as [x]
            arr = arr[0]
        if arr.shape != want:
            error_msgs.append(
                f"size mismatch for {key}: copying a param with shape {Size(arr.shape)} "
                f"from checkpoint, the shape in current model is {Size(want)}.")
            return
        try:
            if assign:
                new = value if isinstance(value, Tensor) else Tensor._make(np.array(arr))
                if not isinstance(target, Parameter):
                    new = new.detach()
                elif isinstance(new, Parameter):
                    new.requires_grad_(target.requires_grad)
                else:
                    new = Parameter(new, requires_grad=target.requires_grad)
                setattr(self, name, new)
            else:
                if arr.dtype.kind == "c" and target._data.dtype.kind != "c":
                    raise TypeError("can't convert complex to float")
                np.copyto(target._data, arr, casting="unsafe")
                target._vc[0] += 1
        except Exception as ex:  # noqa: BLE001 - reported with the key, as torch does
            error_msgs.append(
                f'While copying the parameter named "{key}", whose dimensions in the model '
                f"are {Size(want)} and whose dimensions in the checkpoint are "
                f"{Size(arr.shape)}, an exception occurred : {ex.args}.")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        """Load this module's own entries (not its children's) from
        ``state_dict``, appending to the three report lists."""
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                 error_msgs)
        local = self._local_state()
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, target in local.items():
            key = prefix + name
            if key in state_dict:
                self._load_entry(name, key, target, state_dict[key], assign, error_msgs)
            elif strict:
                missing_keys.append(key)

        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)

        if not strict:
            return
        # A key under our prefix is ours if it names a local tensor, or
        # starts with the name of one of our children (they check the rest).
        for key in state_dict:
            if not key.startswith(prefix) or key == extra_key:
                continue
            head, dot, _ = key[len(prefix):].partition(".")
            if head not in (self._modules if dot else local):
                unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from ``state_dict`` (values: suanzi
        tensors, NumPy arrays or torch tensors). ``strict``: keys must match
        exactly. Returns ``(missing_keys, unexpected_keys)``; raises
        RuntimeError listing missing/unexpected keys and size mismatches."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)  # a copy: pre-hooks may edit it freely
        if metadata is not None:
            state_dict._metadata = metadata
        missing, unexpected, errors = [], [], []
        report = _IncompatibleKeys(missing, unexpected)  # shares the lists: hooks edit them

        def load(module, entries, prefix):
            meta = dict(metadata.get(prefix[:-1], {})) if metadata is not None else {}
            if assign:
                meta["assign_to_params_buffers"] = assign
            # always strict here: unwanted keys are just not raised at the end
            module._load_from_state_dict(entries, prefix, meta, True, missing, unexpected,
                                         errors)
            for name, child in module._modules.items():
                if child is not None:
                    sub = f"{prefix}{name}."
                    load(child, {k: v for k, v in entries.items() if k.startswith(sub)}, sub)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, report) is not None:
                    raise AssertionError(
                        "Hooks registered with ``register_load_state_dict_post_hook`` are not "
                        "expected to return new values, if incompatible_keys need to be "
                        "modified, it should be done inplace.")

        load(self, state_dict, "")
        if strict:  # the key lists lead the message, missing before unexpected
            lists = (("Missing", missing), ("Unexpected", unexpected))
            errors[:0] = [f"{what} key(s) in state_dict: " + ", ".join(f'"{k}"' for k in keys)
                          + ". " for what, keys in lists if keys]
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------ printing
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The layer's settings, shown inside its repr (override in subclasses)."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): {_addindent(repr(child), 2)}"
                       for name, child in self._modules.items()]
        if not extra_lines and not child_lines:
            body = ""
        elif len(extra_lines) == 1 and not child_lines:  # short layers print on one line
            body = extra_lines[0]
        else:
            body = "\n  " + "\n  ".join(extra_lines + child_lines) + "\n"
        return f"{self._get_name()}({body})"

    def __dir__(self):
        names = [*dir(type(self)), *self.__dict__, *self._parameters, *self._modules,
                 *self._buffers]
        return sorted(n for n in names if not n[0].isdigit())  # Sequential's "0", "1", ...

    # ------------------------------------------------------------ pickling
    def __getstate__(self):
        return self.__dict__.copy()

    def __setstate__(self, state):
        self.__dict__.update(state)
        # Pickles from older versions may lack newer tables: fill them in.
        defaults = {table: OrderedDict for table in _HOOK_TABLES}
        defaults.update(_non_persistent_buffers_set=set, _is_full_backward_hook=lambda: None)
        for name, make in defaults.items():
            if name not in self.__dict__:
                object.__setattr__(self, name, make())
