"""Checkpoints: ``suanzi.save`` / ``suanzi.load``, which never unpickle.

A pickle (what ``torch.save`` writes inside its zip) can run any code when
it is loaded. suanzi's files cannot: they hold raw arrays plus JSON.

Formats, chosen with ``format=`` or, when ``format`` is None, by the file
name (``.safetensors`` → safetensors, anything else → suanzi):

``"suanzi"`` (the default)
    A zip in NumPy's ``.npz`` layout (``np.load(path, allow_pickle=False)``
    reads its arrays): one ``.npy`` entry per tensor, plus ``__suanzi__.json``
    describing the object: tensors, nested dicts (``OrderedDict`` and the
    key types — an optimizer state's int keys stay ints), lists, tuples,
    numbers, strings, None, bools, NumPy arrays, dtypes. bfloat16 is stored
    as its uint16 bits with the dtype's name in the JSON. A tensor that
    appears twice is stored once and loads as one object (views are not
    kept as views). ``nn.Parameter`` loads as a Parameter.
``"safetensors"``
    Hugging Face's format (an 8-byte little-endian header length, a JSON
    header of dtype/shape/data_offsets, then the raw bytes), written and read
    here in NumPy: no ``safetensors`` package and no torch needed. Only a
    flat dict of str → tensor; dtypes F64, F32, F16, BF16, I64, I32, I16, I8,
    U8, BOOL, C64. ``load`` gives an OrderedDict of tensors: a PyTorch
    model's weights saved with ``safetensors.torch.save_file`` load into a
    suanzi module with ``load_state_dict``.
``"torch"``
    ``torch.save`` of the object with its tensors converted to torch tensors,
    for ``torch.load`` (needs torch installed).

``load`` recognises the format from the file's first bytes. A PyTorch zip
checkpoint (``.pt``/``.pth`` written by ``torch.save``) is read, when torch
is installed, by ``torch.load(f, weights_only=True, map_location='cpu')`` and
its tensors converted to suanzi tensors. Raw pickles, NumPy object arrays
and anything else that would need unpickling are refused with an error
before any of their content is interpreted.
"""
from __future__ import annotations

import base64
import io
import json
import os
import zipfile
from collections import OrderedDict
from pickle import UnpicklingError  # the exception class only: nothing is ever unpickled

import numpy as np

from . import _dtype as D
from ._tensor import Size, Tensor, device as _device

__all__ = ["save", "load"]

_META = "__suanzi__.json"
_FORMAT_VERSION = 1
_CHUNK = 1 << 24  # bytes read per call when filling a tensor

_SAFE_KINDS = "biufc"  # NumPy dtype kinds a tensor entry may have


# =================================================================== helpers
def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def _is_torch_tensor(x):
    t = type(x)
    return t.__module__.startswith("torch") and hasattr(x, "detach") and hasattr(x, "numpy") \
        and hasattr(x, "dtype") and not isinstance(x, Tensor)


def _torch_to_array(t):
    """A NumPy array of a torch tensor's values (bfloat16 via its bits)."""
    import torch
    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:
        bits = t.contiguous().view(torch.int16).numpy().view(np.uint16)
        return _bf16_from_bits(bits)
    return t.numpy()


def _bf16_from_bits(bits):
    if D._BF16 is None:
        raise D._bfloat16_unavailable()
    return bits.view(D._BF16)


def _contiguous(a):
    """C-contiguous, keeping 0-d arrays 0-d (``np.ascontiguousarray`` makes them 1-d)."""
    return a if a.flags.c_contiguous else a.copy(order="C")


def _check_map_location(map_location):
    if map_location is None or callable(map_location) or isinstance(map_location, dict):
        return
    _device(str(map_location))  # RuntimeError for devices other than the CPU


def _read_into(fp, arr, what):
    """Fill the C-contiguous ``arr`` from ``fp`` in chunks (no second copy)."""
    if arr.nbytes == 0:
        return
    buf = arr.reshape(-1).view(np.uint8)
    pos, n = 0, buf.size
    while pos < n:
        k = fp.readinto(memoryview(buf[pos:min(n, pos + _CHUNK)]))
        if not k:
            raise RuntimeError(f"suanzi.load: {what} is truncated "
                               f"({pos} of {n} bytes present)")
        pos += k


# =================================================================== .npy entries
def _read_npy(fp, what, limit=None):
    """One ``.npy`` entry, refusing object and structured dtypes before
    reading any data (``allow_pickle=False`` semantics). ``limit``: the bytes
    the entry holds, so a header claiming a huge shape fails before allocating."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(fp)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except ValueError as e:
        raise RuntimeError(f"suanzi.load: {what} is not a valid .npy array ({e})") from None
    if dtype.hasobject or dtype.kind not in _SAFE_KINDS + "US":
        raise UnpicklingError(
            f"suanzi.load: {what} holds an array of dtype {dtype!r}; object arrays need "
            "unpickling, which can run arbitrary code, so suanzi refuses to load them")
    count = 1
    for s in shape:
        count *= s
    if limit is not None and count * dtype.itemsize > limit:
        raise RuntimeError(f"suanzi.load: {what} is corrupt (its header claims shape {shape} "
                           f"of {dtype}, more than the {limit} bytes stored)")
    flat = np.empty(count, dtype=dtype)
    _read_into(fp, flat, what)
    arr = flat.reshape(shape, order="F" if fortran else "C")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def _read_zip_npy(zf, name, what):
    """A ``.npy`` zip entry. Stored (uncompressed) entries are read straight
    from the file into the array, skipping zipfile's buffered copy and CRC."""
    info = zf.getinfo(name)
    raw = getattr(zf, "fp", None)
    if info.compress_type == zipfile.ZIP_STORED and raw is not None and raw.seekable():
        raw.seek(info.header_offset)
        local = raw.read(30)
        if len(local) == 30 and local[:4] == b"PK\x03\x04":
            n, m = int.from_bytes(local[26:28], "little"), int.from_bytes(local[28:30], "little")
            raw.seek(info.header_offset + 30 + n + m)
            return _read_npy(raw, what, info.file_size)
    with zf.open(name) as fp:
        return _read_npy(fp, what, info.file_size)


def _write_npy(fp, arr):
    np.lib.format.write_array(fp, arr, allow_pickle=False)


# =================================================================== suanzi format: encoding
class _Encoder:
    def __init__(self):
        self.arrays = []      # what goes into the zip, in order
        self.memo = {}        # id(tensor) -> node, so shared tensors are stored once
        self.keep = []        # keep encoded objects alive so ids stay unique

    def _add(self, arr):
        self.arrays.append(arr)
        return len(self.arrays) - 1

    def tensor(self, t, torch_param=False):
        key = id(t)
        if key in self.memo:
            return {"T": "ref", "id": self.memo[key]}
        self.keep.append(t)
        if isinstance(t, Tensor):
            arr, dt = t._data, t.dtype
            rg = bool(t._requires_grad)
            from .nn.parameter import Parameter
            param = isinstance(t, Parameter)
        else:  # a torch tensor
            arr = _torch_to_array(t)
            dt = D._FROM_NP[arr.dtype]
            rg = bool(t.requires_grad) and t.grad_fn is None
            param = torch_param
        if dt is D.bfloat16:
            arr = arr.view(np.uint16)
        i = self._add(arr)
        self.memo[key] = i
        node = {"T": "tensor", "id": i, "dtype": dt.name}
        if rg:
            node["requires_grad"] = True
        if param:
            node["param"] = True
        return node

    def ndarray(self, a, scalar=False):
        if a.dtype == D._BF16 and D._BF16 is not None:
            node = {"T": "ndarray", "id": self._add(a.view(np.uint16)), "dtype": "bfloat16"}
        elif a.dtype.hasobject or a.dtype.kind not in _SAFE_KINDS + "US":
            raise TypeError(f"suanzi.save: can't store a NumPy array of dtype {a.dtype} "
                            "(only numeric, bool and string arrays)")
        else:
            node = {"T": "ndarray", "id": self._add(a)}
        if scalar:
            node["scalar"] = True
        return node

    def __call__(self, obj):  # noqa: C901 - one branch per type is the clearest form
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj)
        if isinstance(obj, Tensor):
            return self.tensor(obj)
        if _is_torch_tensor(obj):
            return self.tensor(obj, torch_param=type(obj).__name__ == "Parameter")
        if isinstance(obj, np.ndarray):
            return self.ndarray(obj)
        if isinstance(obj, np.generic):
            return self.ndarray(np.asarray(obj), scalar=True)
        if isinstance(obj, complex):
            return {"T": "complex", "re": obj.real, "im": obj.imag}
        if isinstance(obj, bytes):
            return {"T": "bytes", "b64": base64.b64encode(obj).decode("ascii")}
        if isinstance(obj, D.dtype):
            return {"T": "dtype", "name": obj.name}
        if isinstance(obj, _device):
            return {"T": "device", "v": str(obj)}
        if type(obj).__name__ == "dtype" and type(obj).__module__ == "torch":
            return {"T": "dtype", "name": str(obj).replace("torch.", "")}
        if isinstance(obj, dict):
            node = {"T": "odict" if isinstance(obj, OrderedDict) else "dict",
                    "k": [self.key(k) for k in obj], "v": [self(v) for v in obj.values()]}
            md = getattr(obj, "_metadata", None)
            if md is not None:
                node["metadata"] = self(md)
            return node
        if isinstance(obj, Size) or type(obj).__name__ == "Size":
            return {"T": "size", "v": [int(s) for s in obj]}
        if isinstance(obj, tuple):
            return {"T": "tuple", "v": [self(v) for v in obj]}
        if isinstance(obj, list):
            return {"T": "list", "v": [self(v) for v in obj]}
        if isinstance(obj, (set, frozenset)):
            return {"T": "set" if isinstance(obj, set) else "frozenset",
                    "v": [self.key(v) for v in obj]}
        raise TypeError(
            f"suanzi.save can't store an object of type {type(obj).__module__}."
            f"{type(obj).__qualname__}: it stores tensors, NumPy arrays, numbers, strings, "
            "bytes, None, bools, dtypes and (nested) dicts, lists and tuples of them — never "
            "pickles. Save the object's state_dict() instead.")

    def key(self, k):
        """Dict keys: plain hashable values only."""
        if k is None or isinstance(k, (bool, int, float, str, bytes, complex)):
            return self(k)
        if isinstance(k, tuple):
            return {"T": "tuple", "v": [self.key(v) for v in k]}
        if isinstance(k, D.dtype):
            return self(k)
        raise TypeError(f"suanzi.save: can't store a dict key of type {type(k).__name__}")


# =================================================================== suanzi format: decoding
class _Decoder:
    def __init__(self, zf, names, what):
        self.zf = zf
        self.names = names
        self.what = what
        self.memo = {}

    def array(self, i):
        if not isinstance(i, int) or not 0 <= i < len(self.names):
            raise RuntimeError(f"suanzi.load: {self.what} is corrupt (array id {i!r})")
        name = self.names[i]
        try:
            self.zf.getinfo(name)
        except KeyError:
            raise RuntimeError(f"suanzi.load: {self.what} lacks the entry {name}") from None
        return _read_zip_npy(self.zf, name, f"{self.what}:{name}")

    def tensor(self, node):
        i = node.get("id")
        if i in self.memo:
            return self.memo[i]
        arr = self.array(i)
        name = node.get("dtype")
        if name == "bfloat16":
            if arr.dtype != np.uint16:
                raise RuntimeError(f"suanzi.load: {self.what}: bfloat16 entry is not uint16 bits")
            arr = _bf16_from_bits(arr)
        elif name not in D._BY_NAME or arr.dtype != D._BY_NAME[name].np:
            raise RuntimeError(f"suanzi.load: {self.what}: entry {i} has dtype {arr.dtype}, "
                               f"metadata says {name!r}")
        t = Tensor._make(arr)
        if node.get("param"):
            from .nn.parameter import Parameter
            t = Parameter(t, requires_grad=bool(node.get("requires_grad")))
        elif node.get("requires_grad"):
            t.requires_grad_(True)
        self.memo[i] = t
        return t

    def __call__(self, node):  # noqa: C901
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or "T" not in node:
            raise RuntimeError(f"suanzi.load: {self.what} has malformed metadata")
        T = node["T"]
        if T == "tensor":
            return self.tensor(node)
        if T == "ref":
            if node.get("id") not in self.memo:
                raise RuntimeError(f"suanzi.load: {self.what} is corrupt (dangling reference)")
            return self.memo[node["id"]]
        if T == "ndarray":
            arr = self.array(node.get("id"))
            if node.get("dtype") == "bfloat16":
                arr = _bf16_from_bits(arr)
            return arr[()] if node.get("scalar") else arr
        if T in ("dict", "odict"):
            keys, vals = node.get("k", []), node.get("v", [])
            if len(keys) != len(vals):
                raise RuntimeError(f"suanzi.load: {self.what} has malformed metadata")
            d = (OrderedDict if T == "odict" else dict)(
                (self(k), self(v)) for k, v in zip(keys, vals))
            if "metadata" in node:
                d._metadata = self(node["metadata"])
            return d
        if T == "list":
            return [self(v) for v in node["v"]]
        if T == "tuple":
            return tuple(self(v) for v in node["v"])
        if T == "size":
            return Size(int(v) for v in node["v"])
        if T == "set":
            return {self(v) for v in node["v"]}
        if T == "frozenset":
            return frozenset(self(v) for v in node["v"])
        if T == "complex":
            return complex(node["re"], node["im"])
        if T == "bytes":
            return base64.b64decode(node["b64"])
        if T == "dtype":
            return D._BY_NAME[node["name"]]
        if T == "device":
            return _device(node["v"])
        raise RuntimeError(f"suanzi.load: {self.what} has an unknown entry type {T!r}")


def _save_suanzi(obj, fp):
    enc = _Encoder()
    root = enc(obj)
    names = [f"t{i}.npy" for i in range(len(enc.arrays))]
    meta = {"format": "suanzi", "version": _FORMAT_VERSION, "arrays": names, "root": root}
    with zipfile.ZipFile(fp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(_META, json.dumps(meta, separators=(",", ":")))
        for name, arr in zip(names, enc.arrays):
            with zf.open(name, "w", force_zip64=True) as w:
                _write_npy(w, arr)


def _load_zip(fp, what, map_location):
    try:
        zf = zipfile.ZipFile(fp)
    except zipfile.BadZipFile as e:
        raise RuntimeError(f"suanzi.load: {what} is not a valid zip file ({e})") from None
    with zf:
        names = zf.namelist()
        if _META in names:
            try:
                meta = json.loads(zf.read(_META).decode("utf-8"))
            except (ValueError, UnicodeDecodeError, RecursionError) as e:
                raise RuntimeError(f"suanzi.load: {what} has unreadable metadata ({e})") from None
            if not isinstance(meta, dict) or meta.get("format") != "suanzi":
                raise RuntimeError(f"suanzi.load: {what} has unrecognised metadata")
            if meta.get("version", 0) > _FORMAT_VERSION:
                raise RuntimeError(f"suanzi.load: {what} was written by a newer suanzi "
                                   f"(format version {meta.get('version')})")
            arrays = meta.get("arrays")
            if not isinstance(arrays, list) or not all(isinstance(a, str) for a in arrays):
                raise RuntimeError(f"suanzi.load: {what} has malformed metadata")
            try:
                return _Decoder(zf, arrays, what)(meta.get("root"))
            except (KeyError, AttributeError, RecursionError) as e:
                raise RuntimeError(f"suanzi.load: {what} has malformed metadata "
                                   f"({type(e).__name__}: {e})") from None
        if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
            return None  # a torch checkpoint: the caller hands it to torch
        if names and all(n.endswith(".npy") for n in names):
            # a plain .npz (np.savez): its arrays as tensors, by name
            out = OrderedDict()
            for n in names:
                arr = _read_zip_npy(zf, n, f"{what}:{n}")
                out[n[:-4]] = Tensor._make(arr) if arr.dtype.kind in _SAFE_KINDS else arr
            return out
        raise RuntimeError(f"suanzi.load: {what} is a zip file but neither a suanzi checkpoint, "
                           "an .npz file nor a PyTorch checkpoint")


# =================================================================== safetensors
_ST_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64,
              "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8,
              "BOOL": np.bool_, "C64": np.complex64, "BF16": "bf16"}
_ST_NAMES = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16",
             "int64": "I64", "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8",
             "bool": "BOOL", "complex64": "C64"}
_ST_MAX_HEADER = 100_000_000  # the safetensors library's own limit


def _st_array(x, name):
    """(array as stored, safetensors dtype name) for one value of the dict."""
    if isinstance(x, Tensor):
        arr, dt = x._data, x.dtype
    elif _is_torch_tensor(x):
        arr = _torch_to_array(x)
        dt = D._FROM_NP[arr.dtype]
    elif isinstance(x, np.ndarray):
        arr, dt = x, D.from_numpy_dtype(x.dtype)
    else:
        raise TypeError(f"safetensors stores only tensors; {name!r} is a {type(x).__name__}")
    if dt.name not in _ST_NAMES:
        raise TypeError(f"safetensors has no dtype for {dt} (tensor {name!r})")
    if dt is D.bfloat16:
        arr = arr.view(np.uint16)
    arr = _contiguous(arr)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    return arr, _ST_NAMES[dt.name]


def save_safetensors(tensors, f, metadata=None):
    """Write a flat dict of ``str -> tensor`` (suanzi, torch or NumPy) as a
    ``.safetensors`` file that ``safetensors.torch.load_file`` reads."""
    if not isinstance(tensors, dict):
        raise TypeError("safetensors stores a flat dict of str -> tensor, e.g. a state_dict(); "
                        f"got {type(tensors).__name__} (use format='suanzi' for other objects)")
    entries, header, offset = [], {}, 0
    for k, v in tensors.items():
        if not isinstance(k, str):
            raise TypeError(f"safetensors keys must be str, got {type(k).__name__} ({k!r})")
        arr, code = _st_array(v, k)
        entries.append((k, arr, code))
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("safetensors metadata must be a dict of str -> str")
        header["__metadata__"] = dict(metadata)
    # lay the data out largest item size first so every tensor stays aligned
    order = sorted(range(len(entries)), key=lambda i: -entries[i][1].itemsize)
    offsets = {}
    for i in order:
        k, arr, code = entries[i]
        offsets[k] = (offset, offset + arr.nbytes)
        offset += arr.nbytes
    for k, arr, code in entries:
        header[k] = {"dtype": code, "shape": list(arr.shape), "data_offsets": list(offsets[k])}
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * (-len(hb) % 8)
    own = _is_path(f)
    fp = open(f, "wb") if own else f
    try:
        fp.write(len(hb).to_bytes(8, "little"))
        fp.write(hb)
        for i in order:
            arr = entries[i][1]
            if arr.nbytes:
                fp.write(memoryview(arr.reshape(-1).view(np.uint8)))
    finally:
        if own:
            fp.close()


def _st_fail(what, why):
    return RuntimeError(f"suanzi.load: {what} is not a valid safetensors file: {why}")


def load_safetensors(f, *, return_metadata=False):
    """Read a ``.safetensors`` file into an OrderedDict of suanzi tensors (in the
    header's order). No torch and no ``safetensors`` package needed."""
    own = _is_path(f)
    what = os.fspath(f) if own else "the file"
    fp = open(f, "rb") if own else f
    try:
        return _read_safetensors(fp, what, return_metadata)
    finally:
        if own:
            fp.close()


def _read_safetensors(fp, what, return_metadata):
    start = fp.tell() if fp.seekable() else 0
    head = fp.read(8)
    if len(head) != 8:
        raise _st_fail(what, "shorter than 8 bytes")
    n = int.from_bytes(head, "little")
    if n > _ST_MAX_HEADER:
        raise _st_fail(what, f"header of {n} bytes (more than {_ST_MAX_HEADER})")
    hb = fp.read(n)
    if len(hb) != n:
        raise _st_fail(what, "truncated header")
    try:
        header = json.loads(hb.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise _st_fail(what, f"header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise _st_fail(what, "header is not a JSON object")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not isinstance(metadata, dict):
        raise _st_fail(what, "__metadata__ is not an object")
    base = start + 8 + n
    size = None
    if fp.seekable():
        fp.seek(0, io.SEEK_END)
        size = fp.tell() - base
    specs = []
    for name, info in header.items():
        if not isinstance(info, dict):
            raise _st_fail(what, f"entry {name!r} is not an object")
        code, shape, offs = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if code not in _ST_DTYPES:
            raise _st_fail(what, f"unsupported dtype {code!r} for {name!r} (suanzi reads "
                                 f"{', '.join(_ST_DTYPES)})")
        if (not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape)
                or not isinstance(offs, list) or len(offs) != 2
                or not all(type(o) is int and o >= 0 for o in offs) or offs[0] > offs[1]):
            raise _st_fail(what, f"bad shape or data_offsets for {name!r}")
        np_dt = np.dtype(np.uint16 if code == "BF16" else _ST_DTYPES[code]).newbyteorder("<")
        count = 1
        for s in shape:
            count *= s
        if offs[1] - offs[0] != count * np_dt.itemsize:
            raise _st_fail(what, f"{name!r}: data_offsets span {offs[1] - offs[0]} bytes, "
                                 f"shape {shape} of {code} needs {count * np_dt.itemsize}")
        if size is not None and offs[1] > size:
            raise _st_fail(what, f"{name!r} lies beyond the end of the file")
        specs.append((name, code, tuple(shape), offs, np_dt, count))
    spans = sorted((s[3][0], s[3][1]) for s in specs if s[3][1] > s[3][0])
    for (b0, e0), (b1, e1) in zip(spans, spans[1:]):
        if b1 < e0:
            raise _st_fail(what, "tensors overlap")
    out = OrderedDict()
    if fp.seekable():
        for name, code, shape, offs, np_dt, count in specs:
            fp.seek(base + offs[0])
            flat = np.empty(count, np_dt)
            _read_into(fp, flat, f"{what} (tensor {name!r})")
            out[name] = _st_tensor(flat, code, shape)
    else:  # a stream: read the data in one go
        data = bytearray(fp.read())
        for name, code, shape, offs, np_dt, count in specs:
            if offs[1] > len(data):
                raise _st_fail(what, f"{name!r} lies beyond the end of the file")
            flat = np.frombuffer(data, np_dt, count, offs[0]).copy()
            out[name] = _st_tensor(flat, code, shape)
    return (out, metadata) if return_metadata else out


def _st_tensor(flat, code, shape):
    if not flat.dtype.isnative:
        flat = flat.astype(flat.dtype.newbyteorder("="))
    if code == "BF16":
        flat = _bf16_from_bits(flat)
    return Tensor._make(flat.reshape(shape))


# =================================================================== torch format
def _to_torch(obj, memo):
    import torch
    if isinstance(obj, Tensor):
        if id(obj) in memo:
            return memo[id(obj)]
        from .nn.parameter import Parameter
        a = obj._data
        if obj.dtype is D.bfloat16:
            t = torch.from_numpy(_contiguous(a).view(np.int16).copy()).view(torch.bfloat16)
        else:
            t = torch.from_numpy(np.array(a, copy=True))
        if isinstance(obj, Parameter):
            t = torch.nn.Parameter(t, requires_grad=obj.requires_grad)
        elif obj._requires_grad:
            t.requires_grad_(True)
        memo[id(obj)] = t
        return t
    if isinstance(obj, dict):
        d = type(obj)() if type(obj) in (dict, OrderedDict) else dict()
        for k, v in obj.items():
            d[k] = _to_torch(v, memo)
        if hasattr(obj, "_metadata"):
            d._metadata = obj._metadata
        return d
    if isinstance(obj, Size):
        return torch.Size(obj)
    if isinstance(obj, list):
        return [_to_torch(v, memo) for v in obj]
    if isinstance(obj, tuple):
        vals = [_to_torch(v, memo) for v in obj]
        return type(obj)(*vals) if hasattr(obj, "_fields") else tuple(vals)
    if isinstance(obj, D.dtype):
        return getattr(torch, obj.name)
    if isinstance(obj, _device):
        return torch.device(str(obj))
    return obj


def _from_torch(obj, memo):
    import torch
    if isinstance(obj, torch.Tensor):
        if id(obj) in memo:
            return memo[id(obj)]
        arr = _torch_to_array(obj)
        if not arr.flags.writeable:
            arr = arr.copy()
        t = Tensor._make(arr)
        if isinstance(obj, torch.nn.Parameter):
            from .nn.parameter import Parameter
            t = Parameter(t, requires_grad=obj.requires_grad)
        elif obj.requires_grad and obj.is_floating_point():
            t.requires_grad_(True)
        memo[id(obj)] = t
        return t
    if isinstance(obj, dict):
        d = type(obj)() if type(obj) in (dict, OrderedDict) else dict()
        for k, v in obj.items():
            d[k] = _from_torch(v, memo)
        if hasattr(obj, "_metadata"):
            d._metadata = obj._metadata
        return d
    if isinstance(obj, torch.Size):
        return Size(obj)
    if isinstance(obj, list):
        return [_from_torch(v, memo) for v in obj]
    if isinstance(obj, tuple):
        vals = [_from_torch(v, memo) for v in obj]
        return type(obj)(*vals) if hasattr(obj, "_fields") else tuple(vals)
    if isinstance(obj, torch.dtype):
        return D.to_dtype(obj)
    if isinstance(obj, torch.device):
        return _device(obj.type) if obj.type == "cpu" else str(obj)
    return obj


def _need_torch(what):
    try:
        import torch  # noqa: F401
    except ImportError:
        raise ImportError(f"{what} needs PyTorch (pip install torch). Without torch, save and "
                          "load .safetensors or suanzi's own format instead.") from None


def _load_torch(f, what):
    _need_torch(f"suanzi.load: {what} is a PyTorch checkpoint (torch.save); reading it")
    import torch
    try:
        obj = torch.load(f, map_location="cpu", weights_only=True)
    except UnpicklingError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise UnpicklingError(
            f"suanzi.load refuses {what}: this PyTorch checkpoint holds objects other than "
            "tensors and plain containers, and rebuilding them would run code from the file. "
            f"suanzi loads weights only (torch.load said: {first})") from None
    return _from_torch(obj, {})


# =================================================================== public API
def _resolve_format(f, format):
    if format is None:
        if _is_path(f) and os.fspath(f).lower().endswith(".safetensors"):
            return "safetensors"
        return "suanzi"
    fmt = str(format).lower()
    if fmt in ("suanzi", "npz"):
        return "suanzi"
    if fmt in ("safetensors", "torch"):
        return fmt
    raise ValueError(f"suanzi.save: unknown format {format!r} "
                     "(expected 'suanzi', 'safetensors' or 'torch')")


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False, *, format=None, metadata=None):
    """Save ``obj`` (tensors, state dicts, optimizer states, nested containers
    of them and plain values) to the path or binary file ``f``, never pickling.

    ``format``: ``"suanzi"`` (default; an ``.npz`` zip with JSON metadata),
    ``"safetensors"`` (default when the path ends in ``.safetensors``; flat
    dicts of tensors only; ``metadata`` is its str → str ``__metadata__``), or
    ``"torch"`` (``torch.save`` for ``torch.load``; needs torch). The pickle
    arguments exist for torch's signature and are ignored.
    """
    fmt = _resolve_format(f, format)
    if fmt == "safetensors":
        save_safetensors(obj, f, metadata=metadata)
        return
    if metadata is not None:
        raise ValueError("suanzi.save: metadata= is only stored by the safetensors format")
    if fmt == "torch":
        _need_torch("suanzi.save(..., format='torch')")
        import torch
        torch.save(_to_torch(obj, {}), f)
        return
    if _is_path(f):
        with open(f, "wb") as fp:
            _save_suanzi(obj, fp)
    else:
        _save_suanzi(obj, f)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load what :func:`save` wrote, a ``.safetensors`` file, a plain ``.npz``
    / ``.npy``, or (with torch installed) a PyTorch zip checkpoint.

    Never unpickles: a raw pickle, an object array or a PyTorch file whose
    pickle holds more than tensors and plain containers is refused with
    ``pickle.UnpicklingError`` and none of its code runs. ``weights_only``,
    ``mmap`` and the pickle arguments exist for torch's signature: loading is
    always weights-only. ``map_location`` may name the CPU (anything else
    raises); dicts and callables are accepted and ignored.
    """
    _check_map_location(map_location)
    own = _is_path(f)
    what = repr(os.fspath(f)) if own else "the file"
    fp = open(f, "rb") if own else f
    try:
        start = fp.tell() if fp.seekable() else None
        if start is None:  # zipfile and torch need to seek
            fp = io.BytesIO(fp.read())
            start = 0
        magic = fp.read(8)
        fp.seek(start)
        if magic[:4] == b"PK\x03\x04" or magic[:4] == b"PK\x05\x06":
            out = _load_zip(fp, what, map_location)
            if out is not None:
                return out
            fp.seek(start)
            return _load_torch(fp, what)
        if magic[:6] == b"\x93NUMPY":
            fp.seek(0, io.SEEK_END)
            limit = fp.tell() - start
            fp.seek(start)
            arr = _read_npy(fp, what, limit)
            return Tensor._make(arr) if arr.dtype.kind in _SAFE_KINDS else arr
        if len(magic) == 8:  # safetensors first: its length bytes may look like a pickle
            n = int.from_bytes(magic, "little")
            if n <= _ST_MAX_HEADER:
                nxt = fp.read(9)[8:]
                fp.seek(start)
                if nxt == b"{":
                    return _read_safetensors(fp, what, False)
        if magic[:1] == b"\x80" or magic[:1] in (b"(", b"]", b"}"):
            raise UnpicklingError(
                f"suanzi.load refuses {what}: it is a pickle, and unpickling can run arbitrary "
                "code. suanzi never unpickles. If you trust the file, load it with "
                "torch.load(..., weights_only=True) and re-save it with suanzi.save (or as "
                ".safetensors).")
        raise RuntimeError(
            f"suanzi.load: {what} is not a format suanzi reads (suanzi's .npz checkpoint, "
            ".safetensors, .npz/.npy, or a PyTorch zip checkpoint; pickles are never read)")
    finally:
        if own:
            fp.close()
