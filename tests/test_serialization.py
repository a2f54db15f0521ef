"""suanzi.save / suanzi.load: round trips (suanzi → file → suanzi, torch →
safetensors → suanzi, suanzi → .pt → torch.load), and files crafted to run
code on loading fail with a clear error and run nothing."""
from __future__ import annotations

import io
import json
import math
import pickle
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import suanzi
from suanzi.serialization import load_safetensors, save_safetensors
from helpers import assert_same

RNG = np.random.default_rng(0)

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool", "complex64", "complex128"]


def sample(dtype, shape=(2, 3)):
    a = np.asarray(RNG.standard_normal(shape) * 10)
    if dtype == "bool":
        return suanzi.from_numpy(np.asarray(a > 0))
    if dtype.startswith("complex"):
        return suanzi.from_numpy(np.asarray(a + 1j * (a * 0.5 + 1)).astype(dtype))
    if dtype == "bfloat16":
        return suanzi.from_numpy(a.astype(np.float32)).to(suanzi.bfloat16)
    return suanzi.from_numpy(a.astype(dtype))


def equal(a, b):
    assert type(a) is type(b), f"{type(a).__name__} != {type(b).__name__}"
    if isinstance(a, suanzi.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(np.asarray(a.detach()._data), np.asarray(b.detach()._data))
    elif isinstance(a, dict):
        assert list(a) == list(b) and [type(k) for k in a] == [type(k) for k in b]
        for k in a:
            equal(a[k], b[k])
        assert getattr(a, "_metadata", None) == getattr(b, "_metadata", None)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            equal(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def roundtrip(obj, tmp_path, name="ckpt.pt", **kw):
    path = tmp_path / name
    suanzi.save(obj, path, **kw)
    out = suanzi.load(path)
    buf = io.BytesIO()  # file objects too
    suanzi.save(obj, buf, **kw)
    buf.seek(0)
    equal(suanzi.load(buf), out)
    return out


# ----------------------------------------------------------------------- suanzi → suanzi
@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_roundtrip_every_dtype(dtype, tmp_path):
    for shape in [(2, 3), (), (0, 4), (3, 1, 2)]:
        t = sample(dtype, shape)
        equal(roundtrip(t, tmp_path), t)
    t = sample(dtype, (3, 4)).t()  # non-contiguous
    out = roundtrip(t, tmp_path)
    equal(out, t.contiguous())


def test_loaded_tensors_are_writable_leaves(tmp_path):
    out = roundtrip({"w": suanzi.randn(3, requires_grad=True)}, tmp_path)
    assert out["w"].requires_grad and out["w"].grad_fn is None
    with suanzi.no_grad():
        out["w"].add_(1)  # writable memory, not a read-only buffer


def make_model(lib):
    lib.manual_seed(0)
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(),
                         nn.Linear(8, 3))


def copy_weights(src, dst):
    """Copy a torch model's weights into a suanzi one."""
    dst.load_state_dict({k: v.detach().numpy().copy() for k, v in src.state_dict().items()})


def test_state_dict_roundtrip(tmp_path):
    model = make_model(suanzi)
    model(suanzi.randn(4, 1, 4, 4))  # update BatchNorm's running stats
    sd = model.state_dict()
    out = roundtrip(sd, tmp_path)
    equal(out, sd)
    assert type(out) is OrderedDict and out["1.num_batches_tracked"].dtype == suanzi.int64
    fresh = make_model(suanzi)
    fresh.load_state_dict(out)
    x = suanzi.randn(2, 1, 4, 4)
    model.eval(), fresh.eval()
    np.testing.assert_array_equal(model(x).detach()._data, fresh(x).detach()._data)


def optimizer_like_state():
    return {
        "state": {0: {"step": suanzi.tensor(3.0), "exp_avg": suanzi.randn(2, 3),
                      "exp_avg_sq": suanzi.rand(2, 3)},
                  1: {"step": suanzi.tensor(3.0), "momentum_buffer": None}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
                          "amsgrad": False, "maximize": False, "foreach": None,
                          "capturable": False, "differentiable": False, "fused": None,
                          "params": [0, 1], "initial_lr": 0.01}],
    }


def test_nested_plain_values_and_key_types_roundtrip(tmp_path):
    obj = {
        "optimizer": optimizer_like_state(),
        "epoch": 7, "loss": 0.125, "best": float("inf"), "nan": float("nan"), "name": "lenet",
        "flags": [True, False, None], "big": 2 ** 70, "neg": -3,
        1.5: "float key", (1, "a"): "tuple key", None: "none key", True: "bool key",
        "shape": suanzi.Size([2, 3]), "dtype": suanzi.bfloat16, "bytes": b"\x00\xff",
        "complex": 1 + 2j, "array": np.arange(5, dtype=np.int16), "npscalar": np.float32(2.5),
        "strings": np.array(["a", "bc"]), "empty": {}, "tuple": (), "nested": [[[1]], {"k": [2]}],
    }
    out = roundtrip(obj, tmp_path)
    equal(out, obj)
    assert type(out["shape"]) is suanzi.Size and out["dtype"] is suanzi.bfloat16
    assert isinstance(out["npscalar"], np.float32)
    assert list(out["optimizer"]["state"]) == [0, 1]  # int keys stay ints


def test_shared_tensors_and_parameters(tmp_path):
    w = suanzi.nn.Parameter(suanzi.randn(3))
    b = suanzi.randn(2)
    out = roundtrip({"a": w, "b": [b, b], "c": w}, tmp_path)
    assert out["a"] is out["c"] and out["b"][0] is out["b"][1]
    assert isinstance(out["a"], suanzi.nn.Parameter) and out["a"].requires_grad


def test_file_is_a_plain_npz(tmp_path):
    path = tmp_path / "ckpt.pt"
    sd = OrderedDict(w=suanzi.randn(2, 2), b=suanzi.randn(2).to(suanzi.bfloat16))
    suanzi.save(sd, path)
    with np.load(path, allow_pickle=False) as z:  # NumPy reads it without pickle
        arrays = {k: z[k] for k in z.files if k != "__suanzi__.json"}
    assert sorted(arrays) == ["t0", "t1"] and arrays["t1"].dtype == np.uint16  # bf16 bits
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("__suanzi__.json"))
        assert not any(i.compress_type for i in zf.infolist())
    assert meta["root"]["T"] == "odict"
    # a plain np.savez file loads as a dict of tensors
    np.savez(tmp_path / "plain.npz", x=np.arange(3), y=np.ones((2, 2), np.float32))
    out = suanzi.load(tmp_path / "plain.npz")
    assert list(out) == ["x", "y"] and out["y"].dtype == suanzi.float32
    np.save(tmp_path / "one.npy", np.arange(4.0))
    equal(suanzi.load(tmp_path / "one.npy"), suanzi.arange(4.0, dtype=suanzi.float64))


def test_save_refuses_other_objects(tmp_path):
    class Custom:
        pass
    with pytest.raises(TypeError, match="state_dict"):
        suanzi.save({"x": Custom()}, tmp_path / "x.pt")
    with pytest.raises(TypeError):
        suanzi.save({"x": np.array([object()])}, tmp_path / "x.pt")
    with pytest.raises(TypeError):
        suanzi.save({"x": [1, 2]}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError):
        suanzi.save(suanzi.randn(2), tmp_path / "x.safetensors")
    with pytest.raises(ValueError):
        suanzi.save({}, tmp_path / "x.pt", format="pickle")


def test_map_location(tmp_path):
    suanzi.save(suanzi.ones(2), tmp_path / "x.pt")
    for loc in ("cpu", suanzi.device("cpu"), torch.device("cpu"), {"cuda:0": "cpu"},
                lambda storage, loc: storage):
        equal(suanzi.load(tmp_path / "x.pt", map_location=loc), suanzi.ones(2))
    with pytest.raises(RuntimeError):
        suanzi.load(tmp_path / "x.pt", map_location="cuda")


# ----------------------------------------------------------------------- safetensors
ST_DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
             "uint8", "bool", "complex64"]


def torch_state():
    torch.manual_seed(0)
    sd = make_model(torch).state_dict()
    for d in ST_DTYPES:
        sd[f"extra.{d}"] = torch.from_numpy(np.asarray(sample(d if d != "bfloat16" else "float32",
                                                              (3, 2))._data)).to(getattr(torch, d))
    sd["extra.scalar"] = torch.tensor(2.5)
    sd["extra.empty"] = torch.zeros(0, 3)
    sd["extra.noncontig"] = torch.randn(3, 4).t()
    return sd


def check_against_torch(out, sd):
    assert type(out) is OrderedDict and set(out) == set(sd)
    for k, t in sd.items():
        assert_same(out[k], t, rtol=0, atol=0, what=k)


def test_torch_state_dict_to_safetensors_to_suanzi(tmp_path):
    sd = torch_state()
    path = tmp_path / "model.safetensors"
    save_safetensors(sd, path)  # our writer, from torch tensors
    out = suanzi.load(path)
    check_against_torch(out, sd)
    assert list(out) == list(sd)  # the header keeps the dict's order
    suanzi.save(sd, tmp_path / "model.pt")  # torch tensors also go into suanzi's format
    check_against_torch(suanzi.load(tmp_path / "model.pt"), sd)
    # the weights drive a suanzi model exactly like the torch one
    tm, sm = make_model(torch).eval(), make_model(suanzi).eval()
    tm.load_state_dict({k: v for k, v in sd.items() if not k.startswith("extra")})
    sm.load_state_dict({k: v for k, v in out.items() if not k.startswith("extra")})
    x = RNG.standard_normal((2, 1, 4, 4)).astype(np.float32)
    assert_same(sm(suanzi.from_numpy(x)), tm(torch.from_numpy(x)), rtol=1e-6, atol=1e-6)


def test_safetensors_roundtrip_and_metadata(tmp_path):
    sd = OrderedDict((d, sample(d)) for d in ST_DTYPES)
    sd["scalar"] = suanzi.tensor(1.5)
    equal(roundtrip(sd, tmp_path, "m.safetensors"), sd)
    buf = io.BytesIO()
    suanzi.save(sd, buf, format="safetensors", metadata={"format": "pt"})
    raw = buf.getvalue()
    n = int.from_bytes(raw[:8], "little")
    assert n % 8 == 0 and json.loads(raw[8:8 + n])["__metadata__"] == {"format": "pt"}
    out, md = load_safetensors(io.BytesIO(raw), return_metadata=True)
    assert md == {"format": "pt"}
    equal(out, sd)


def test_safetensors_without_torch(tmp_path, monkeypatch):
    sd = torch_state()
    save_safetensors(sd, tmp_path / "m.safetensors")
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails
    out = suanzi.load(tmp_path / "m.safetensors")
    monkeypatch.undo()
    check_against_torch(out, sd)


def test_safetensors_package_interop(tmp_path):
    st = pytest.importorskip("safetensors.torch")
    sd = {k: v.contiguous() for k, v in torch_state().items()}
    st.save_file(sd, tmp_path / "theirs.safetensors", metadata={"format": "pt"})
    check_against_torch(suanzi.load(tmp_path / "theirs.safetensors"), sd)
    ours = OrderedDict((k, suanzi.from_numpy(v.numpy().copy()) if v.dtype != torch.bfloat16
                        else suanzi.from_numpy(v.float().numpy()).to(suanzi.bfloat16))
                       for k, v in sd.items())
    suanzi.save(ours, tmp_path / "ours.safetensors")
    back = st.load_file(tmp_path / "ours.safetensors")
    assert set(back) == set(sd)
    for k in sd:
        assert back[k].dtype == sd[k].dtype and back[k].shape == sd[k].shape
        assert torch.equal(back[k], sd[k]), k


@pytest.mark.parametrize("mutate,match", [
    (lambda raw: (2 ** 40).to_bytes(8, "little") + raw[8:], "header"),
    (lambda raw: raw[:-3], "end of the file"),
    (lambda raw: raw[:8] + raw[8:].replace(b'"F32"', b'"F99"', 1), "dtype"),
    (lambda raw: raw[:8] + raw[8:].replace(b'"shape":[2,3]', b'"shape":[3,3]', 1), "bytes"),
    (lambda raw: raw[:4], "8 bytes|not a format"),
])
def test_corrupt_safetensors_fail_clearly(mutate, match):
    buf = io.BytesIO()
    save_safetensors({"a": suanzi.randn(2, 3), "b": suanzi.randn(2, 3)}, buf)
    raw = mutate(buf.getvalue())
    with pytest.raises(RuntimeError, match=match):
        load_safetensors(io.BytesIO(raw)) if match != "8 bytes|not a format" \
            else suanzi.load(io.BytesIO(raw))


# ----------------------------------------------------------------------- torch files
def test_suanzi_to_pt_to_torch(tmp_path):
    model = make_model(suanzi)
    obj = {"model": model.state_dict(), "optimizer": optimizer_like_state(), "epoch": 2,
           "bf16": sample("bfloat16"), "param": suanzi.nn.Parameter(suanzi.randn(2))}
    path = tmp_path / "x.pt"
    suanzi.save(obj, path, format="torch")
    out = torch.load(path, weights_only=True)
    assert type(out["model"]) is OrderedDict and out["epoch"] == 2
    assert out["model"]._metadata == obj["model"]._metadata
    for k, v in obj["model"].items():
        assert_same(v, out["model"][k], rtol=0, atol=0, what=k)
    assert list(out["optimizer"]["state"]) == [0, 1]
    assert out["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert_same(obj["optimizer"]["state"][0]["exp_avg"], out["optimizer"]["state"][0]["exp_avg"],
                rtol=0, atol=0)
    assert out["bf16"].dtype == torch.bfloat16
    assert_same(obj["bf16"], out["bf16"], rtol=0, atol=0)
    assert isinstance(out["param"], torch.nn.Parameter)
    # a torch model loads the weights
    tm = make_model(torch)
    tm.load_state_dict(out["model"])
    # and suanzi reads the file back
    equal(suanzi.load(path)["optimizer"], obj["optimizer"])


def test_torch_pt_to_suanzi(tmp_path):
    tm = make_model(torch)
    # an AdamW state_dict's layout (built by hand: importing torch.optim takes seconds)
    opt_sd = {"state": {i: {"step": torch.tensor(1.0), "exp_avg": torch.randn(p.shape),
                            "exp_avg_sq": torch.rand(p.shape)}
                        for i, p in enumerate(tm.parameters())},
              "param_groups": [{"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-08,
                                "weight_decay": 0.01, "amsgrad": False, "foreach": None,
                                "maximize": False, "capturable": False, "differentiable": False,
                                "fused": None, "decoupled_weight_decay": True,
                                "params": [0, 1, 2, 3, 4, 5]}]}
    path = tmp_path / "ckpt.pth"
    torch.save({"model": tm.state_dict(), "opt": opt_sd,
                "bf16": torch.randn(3).bfloat16(), "p": torch.nn.Parameter(torch.ones(2))}, path)
    out = suanzi.load(path)
    assert type(out["model"]) is OrderedDict
    assert out["model"]._metadata == tm.state_dict()._metadata
    for k, v in tm.state_dict().items():
        assert_same(out["model"][k], v, rtol=0, atol=0, what=k)
    assert list(out["opt"]["state"]) == [0, 1, 2, 3, 4, 5]
    assert_same(out["opt"]["state"][0]["exp_avg"], opt_sd["state"][0]["exp_avg"], rtol=0, atol=0)
    assert out["opt"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert out["bf16"].dtype == suanzi.bfloat16
    assert isinstance(out["p"], suanzi.nn.Parameter)
    sm = make_model(suanzi)
    sm.load_state_dict(out["model"])


def test_torch_needed_for_torch_files(tmp_path, monkeypatch):
    torch.save({"a": torch.ones(2)}, tmp_path / "t.pt")
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="PyTorch"):
        suanzi.load(tmp_path / "t.pt")
    with pytest.raises(ImportError, match="PyTorch"):
        suanzi.save({"a": suanzi.ones(2)}, tmp_path / "s.pt", format="torch")


# ----------------------------------------------------------------------- malicious files
class Evil:
    """Unpickling this creates the file ``path``."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_evil_fixture_really_runs_code(tmp_path):
    marker = tmp_path / "proof"
    pickle.loads(pickle.dumps(Evil(marker)))  # the fixture is not a dud
    assert marker.exists()


def test_raw_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    for proto in (0, 2, 4, 5):
        path = tmp_path / f"evil{proto}.pt"
        path.write_bytes(pickle.dumps({"w": Evil(marker)}, protocol=proto))
        with pytest.raises(pickle.UnpicklingError, match="never unpickles"):
            suanzi.load(path)
        assert not marker.exists()


def test_npz_object_array_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    arr = np.empty(1, dtype=object)
    arr[0] = Evil(marker)
    np.savez(tmp_path / "evil.npz", w=arr)
    with pytest.raises(pickle.UnpicklingError, match="object arrays"):
        suanzi.load(tmp_path / "evil.npz")
    np.save(tmp_path / "evil.npy", arr, allow_pickle=True)
    with pytest.raises(pickle.UnpicklingError, match="object arrays"):
        suanzi.load(tmp_path / "evil.npy")
    # a suanzi checkpoint whose entry was swapped for an object array
    suanzi.save({"w": suanzi.ones(1)}, tmp_path / "ok.pt")
    with zipfile.ZipFile(tmp_path / "ok.pt") as zf:
        meta = zf.read("__suanzi__.json")
    with zipfile.ZipFile(tmp_path / "tampered.pt", "w") as zf:
        zf.writestr("__suanzi__.json", meta)
        with zf.open("t0.npy", "w") as f:
            np.lib.format.write_array(f, arr, allow_pickle=True)
    with pytest.raises(pickle.UnpicklingError, match="object arrays"):
        suanzi.load(tmp_path / "tampered.pt")
    assert not marker.exists()


def test_torch_checkpoint_with_code_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"w": torch.ones(2), "x": Evil(marker)}, path)  # a real torch zip file
    with pytest.raises(pickle.UnpicklingError, match="weights only"):
        suanzi.load(path, weights_only=False)  # weights-only regardless of the argument
    assert not marker.exists()


def test_crafted_headers_fail_before_allocating(tmp_path):
    # a .npy whose header claims 10**12 float64s but holds 8 bytes
    hdr = io.BytesIO()
    np.lib.format.write_array_header_1_0(hdr, {"descr": "<f8", "fortran_order": False,
                                               "shape": (10 ** 12,)})
    (tmp_path / "huge.npy").write_bytes(hdr.getvalue() + b"\0" * 8)
    with pytest.raises(RuntimeError, match="corrupt"):
        suanzi.load(tmp_path / "huge.npy")
    # metadata nested deeper than Python's recursion limit
    with zipfile.ZipFile(tmp_path / "deep.pt", "w") as zf:
        zf.writestr("__suanzi__.json", '{"format":"suanzi","version":1,"arrays":[],"root":'
                    + '{"T":"list","v":[' * 5000 + "]}" * 5000 + "}")
    with pytest.raises(RuntimeError, match="metadata"):
        suanzi.load(tmp_path / "deep.pt")


def test_unknown_bytes_fail_clearly(tmp_path):
    (tmp_path / "junk.bin").write_bytes(b"hello, this is not a checkpoint")
    with pytest.raises(RuntimeError, match="not a format suanzi reads"):
        suanzi.load(tmp_path / "junk.bin")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(RuntimeError, match="zip"):
        suanzi.load(tmp_path / "other.zip")
