"""The ``suanzi`` command line and its ``demo``: a tiny end-to-end run (data,
model, optimizer, scheduler, DataLoader, checkpoint, metrics), the progress
output, the checkpoint loading back into suanzi and into torch, and
``python -m suanzi --help``."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import numpy as np
import pytest

import suanzi
from suanzi import _demo, cli

EPOCH_LINE = re.compile(
    r"^epoch (\d+)/(\d+) \[[#-]+\] +(\d+)/(\d+)  loss (\d+\.\d{4})  train acc +(\d+\.\d)%"
    r" +[\d,]+ samples/s  test acc +(\d+\.\d)%$")


def run_demo(capsys, *args):
    rc = cli.main(["demo", *args])
    out = capsys.readouterr().out
    return rc, out.splitlines()


def test_data_and_split():
    images, labels = _demo.load_digits()
    assert images.shape == (1797, 1, 8, 8) and images.dtype == np.float32
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0
    assert np.array_equal(np.bincount(labels, minlength=10) > 170, np.ones(10, bool))
    train, test = _demo.stratified_split(labels)
    again = _demo.stratified_split(labels)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == 1797
    assert len(test) == 359
    # every class is represented in the held-out split in proportion
    frac = np.bincount(labels[test], minlength=10) / np.bincount(labels, minlength=10)
    assert np.all(np.abs(frac - 0.2) < 0.01)


def test_demo_end_to_end(tmp_path, capsys):
    out_dir = tmp_path / "run"
    # 64 images, batch 32: 2 steps per epoch; --max-steps 3 stops in epoch 2
    rc, lines = run_demo(capsys, "--epochs", "3", "--limit", "64", "--batch-size", "32",
                         "--max-steps", "3", "--seed", "1", "--out", str(out_dir))
    assert rc == 0
    assert lines[0].startswith("suanzi demo: LeNet (36,010 parameters)")
    assert "64 train / 359 test" in lines[0] and "sgd lr 0.05" in lines[0]
    # not a terminal: one plain line per epoch, no carriage returns
    assert not any("\r" in line for line in lines)
    epochs = [EPOCH_LINE.match(line) for line in lines if line.startswith("epoch")]
    assert all(epochs) and [m.groups()[:4] for m in epochs] == [
        ("1", "3", "2", "2"), ("2", "3", "1", "2")]
    acc_line = next(line for line in lines if line.startswith("test accuracy:"))
    acc = float(re.match(r"test accuracy: (\d+\.\d\d)% \((\d+)/359\)", acc_line).group(1))
    assert any(re.fullmatch(r"time: \d+\.\d s \(3 steps\)", line) for line in lines)

    ckpt = out_dir / "lenet_digits.safetensors"
    assert f"checkpoint: {ckpt}" in lines and ckpt.is_file()
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert metrics["steps"] == 3 and len(metrics["history"]["test_acc"]) == 2
    assert metrics["test_accuracy"] == pytest.approx(acc / 100, abs=5e-5)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert any(line.startswith("curves: skipped") for line in lines)
    else:
        assert (out_dir / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # the checkpoint loads back into a fresh model and reproduces the accuracy
    state = suanzi.load(ckpt)
    model = _demo.LeNet()
    assert list(state) == list(model.state_dict())
    model.load_state_dict(state)
    images, labels = _demo.load_digits()
    _, test = _demo.stratified_split(labels)
    assert _demo.evaluate(model, images[test], labels[test]) == metrics["test_accuracy"]


def test_checkpoint_loads_into_torch(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    rc, _ = run_demo(capsys, "--epochs", "1", "--limit", "32", "--batch-size", "16",
                     "--optimizer", "adamw", "--no-plot", "--out", str(tmp_path))
    assert rc == 0
    nn = torch.nn
    net = nn.Module()
    net.features = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64),
        nn.ReLU(), nn.MaxPool2d(2))
    net.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.25), nn.Linear(256, 64),
                                   nn.ReLU(), nn.Linear(64, 10))
    net.load_state_dict(st.load_file(str(tmp_path / "lenet_digits.safetensors")))
    net.eval()
    model = _demo.LeNet()
    model.load_state_dict(suanzi.load(tmp_path / "lenet_digits.safetensors"))
    model.eval()
    x = _demo.load_digits()[0][:50]
    with torch.no_grad():
        expected = net.classifier(net.features(torch.from_numpy(x))).numpy()
    with suanzi.no_grad():
        got = model(suanzi.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_progress_bar_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    bar = _demo.Progress(stream)
    bar.update(1, 2, 1, 4, 2.0, 0.25, 12345.0)
    bar._last = 0.0   # let the next redraw through the 10-per-second limit
    bar.update(1, 2, 2, 4, 1.0, 0.5, 123.0)
    bar.update(1, 2, 4, 4, 0.5, 0.75, 100.0, test_acc=0.8, final=True)
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("test acc  80.0%\n")
    first, second = text.split("\r")[1:3]
    assert "[######------------------] 1/4" in first and "12,345 samples/s" in first
    assert "[############------------] 2/4" in second and len(second) >= len(first)


@pytest.mark.parametrize("args", [["demo", "--epochs", "0"], ["demo", "--lr", "-1"],
                                  ["demo", "--optimizer", "lbfgs"], ["nope"]])
def test_bad_arguments(args, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(args)
    assert e.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_help(capsys):
    assert cli.main([]) == 0
    assert "demo" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        cli.main(["demo", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for opt in ("--epochs", "--batch-size", "--lr", "--seed", "--out", "--optimizer"):
        assert opt in out


def test_python_dash_m_help():
    r = subprocess.run([sys.executable, "-m", "suanzi", "--help"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("usage: suanzi") and "demo" in r.stdout


def test_blas_threads_limited_and_restored():
    tp = pytest.importorskip("threadpoolctl")

    def blas():
        return [i["num_threads"] for i in tp.threadpool_info() if i["user_api"] == "blas"]

    before = blas()
    with _demo.blas_threads(1):   # threadpoolctl (or nothing when the user set the env)
        pass
    assert blas() == before
    with _demo._openblas_threads(1):   # the ctypes fallback
        inside = blas()
    assert blas() == before
    if sys.platform == "linux" and any(i["internal_api"] == "openblas"
                                       for i in tp.threadpool_info()):
        assert set(inside) == {1}
