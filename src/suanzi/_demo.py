"""``suanzi demo``: train a LeNet-style CNN on handwritten digits, the way a
PyTorch user would, and report how well and how fast it learned.

Data: the 8x8 "Optical Recognition of Handwritten Digits" set (UCI; the copy
scikit-learn ships, 1,797 images, CC BY 4.0) bundled as
``suanzi/data/digits.csv.gz`` so the demo works offline with NumPy only. The
held-out test split is fixed (stratified, 20 %, its own seed), so runs with
different ``--seed`` values are measured on the same images.

The model and the training loop are plain PyTorch code on suanzi's
torch-compatible API (``nn``, ``optim``, ``optim.lr_scheduler.OneCycleLR``,
``utils.data.DataLoader``, ``save``/``load``).
"""
from __future__ import annotations

import contextlib
import ctypes
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import suanzi as torch
from suanzi import nn, optim
from suanzi.optim.lr_scheduler import OneCycleLR
from suanzi.utils.data import DataLoader, TensorDataset

DATA_FILE = Path(__file__).with_name("data") / "digits.csv.gz"
CHECKPOINT_STEM = "lenet_digits"
SPLIT_SEED = 0          # the train/test split never depends on --seed
TEST_FRACTION = 0.2

DEFAULTS = dict(epochs=20, batch_size=32, lr=0.05, seed=0, out="suanzi-demo",
                optimizer="sgd", weight_decay=5e-4, momentum=0.9)
ADAMW_LR = 0.01         # default peak learning rate with --optimizer adamw
LABEL_SMOOTHING = 0.1


# --------------------------------------------------------------------- data
def load_digits(path=DATA_FILE):
    """Images ``(1797, 1, 8, 8)`` float32 in [0, 1] and labels ``(1797,)`` int64.

    The CSV has 65 integer columns per row: 64 pixels (0..16, row-major 8x8)
    and the digit."""
    raw = np.loadtxt(path, delimiter=",", dtype=np.float32)   # reads .gz itself
    if raw.ndim != 2 or raw.shape[1] != 65:
        raise RuntimeError(f"{path}: expected 65 columns (64 pixels + label), got {raw.shape}")
    images = (raw[:, :64] / np.float32(16.0)).reshape(-1, 1, 8, 8)
    labels = raw[:, 64].astype(np.int64)
    return np.ascontiguousarray(images), labels


def stratified_split(labels, test_fraction=TEST_FRACTION, seed=SPLIT_SEED):
    """Indices ``(train, test)``: ``test_fraction`` of every class held out,
    chosen by a NumPy generator seeded with ``seed`` (reproducible)."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        k = int(round(len(idx) * test_fraction))
        test.append(idx[:k])
        train.append(idx[k:])
    train, test = np.concatenate(train), np.concatenate(test)
    rng.shuffle(train)
    test.sort()
    return train, test


# -------------------------------------------------------------------- model
class LeNet(nn.Module):
    """LeNet-style CNN for 1x8x8 digits: two conv blocks, then an MLP head."""

    def __init__(self, num_classes=10, c1=32, c2=64, hidden=64, dropout=0.25):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, kernel_size=3, padding=1, bias=False),   # 32x8x8
            nn.BatchNorm2d(c1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),                                          # 32x4x4
            nn.Conv2d(c1, c2, kernel_size=3, padding=1, bias=False),  # 64x4x4
            nn.BatchNorm2d(c2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),                                          # 64x2x2
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(c2 * 2 * 2, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


# --------------------------------------------------------------- runtime
def blas_threads(n=1):
    """Limit BLAS to ``n`` threads while the demo trains; a context manager.

    The demo's matrices are tiny: extra BLAS threads only spin, and on a busy
    2-core machine they make training several times slower. Uses
    threadpoolctl when installed (``pip install "suanzi[demo]"``), else, on
    Linux, OpenBLAS's own ``*_set_num_threads`` through ctypes (the OpenBLAS
    that NumPy's wheels bundle); otherwise does nothing. Left alone when the
    user set ``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS``/``MKL_NUM_THREADS``."""
    if any(os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                        "MKL_NUM_THREADS")):
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return _openblas_threads(n)
    return threadpool_limits(limits=n, user_api="blas")


@contextlib.contextmanager
def _openblas_threads(n):
    controls = []
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split(None, 5)[-1].strip() for line in f if "openblas" in line}
        for path in sorted(p for p in paths if os.path.isfile(p)):
            lib = ctypes.CDLL(path)
            for name in ("scipy_openblas_{}_num_threads64_", "openblas_{}_num_threads64_",
                         "openblas_{}_num_threads"):
                get = getattr(lib, name.format("get"), None)
                put = getattr(lib, name.format("set"), None)
                if get is not None and put is not None:
                    controls.append((put, int(get())))
                    put(ctypes.c_int(n))
                    break
    except Exception:  # noqa: BLE001 - an optimisation only: never fail the demo for it
        pass
    try:
        yield
    finally:
        for put, old in controls:
            put(ctypes.c_int(old))


# ----------------------------------------------------------------- progress
class Progress:
    """A plain-text progress bar. On a terminal it redraws one line with
    ``\\r``; otherwise (pipes, CI logs) it prints only the final line of each
    epoch, so logs stay readable."""

    def __init__(self, stream=None, width=24):
        self.stream = stream if stream is not None else sys.stdout
        self.width = width
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
        self._last = 0.0
        self._width_drawn = 0

    def line(self, epoch, epochs, step, steps, loss, acc, speed, test_acc=None):
        filled = int(round(self.width * step / max(steps, 1)))
        bar = "#" * filled + "-" * (self.width - filled)
        ew, sw = len(str(epochs)), len(str(steps))
        text = (f"epoch {epoch:>{ew}}/{epochs} [{bar}] {step:>{sw}}/{steps}  "
                f"loss {loss:.4f}  train acc {100 * acc:5.1f}%  {speed:>6,.0f} samples/s")
        if test_acc is not None:
            text += f"  test acc {100 * test_acc:5.1f}%"
        return text

    def update(self, *args, test_acc=None, final=False):
        """Redraw (terminal, at most 10 times a second) or, with ``final``,
        write the epoch's last line and end it."""
        if self.tty:
            now = time.perf_counter()
            if final or now - self._last >= 0.1:
                self._last = now
                text = self.line(*args, test_acc=test_acc)
                pad = max(self._width_drawn - len(text), 0)
                self._width_drawn = 0 if final else len(text)
                self.stream.write("\r" + text + " " * pad + ("\n" if final else ""))
                self.stream.flush()
        elif final:
            self.stream.write(self.line(*args, test_acc=test_acc) + "\n")
            self.stream.flush()


# ---------------------------------------------------------------- training
@dataclass
class Result:
    test_accuracy: float
    seconds: float
    checkpoint: Path
    plot: Path | None
    history: dict = field(default_factory=dict)
    steps: int = 0


def evaluate(model, images, labels, batch_size=512):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(labels), batch_size):
            logits = model(torch.from_numpy(images[i:i + batch_size]))
            pred = logits.argmax(1).numpy()
            correct += int((pred == labels[i:i + batch_size]).sum())
    return correct / max(len(labels), 1)


def load_checkpoint(path):
    """The state dict that :func:`train` saved (``suanzi.load``)."""
    return torch.load(path)


def _plot(history, path):
    """Loss and accuracy curves as a PNG, or ``None`` without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax1.plot(epochs, history["train_loss"], marker="o", label="train loss")
    ax1.plot(epochs, history["test_loss"], marker="o", label="test loss")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross-entropy")
    ax1.set_yscale("log")
    ax1.legend()
    ax2.plot(epochs, 100 * np.asarray(history["train_acc"]), marker="o", label="train")
    ax2.plot(epochs, 100 * np.asarray(history["test_acc"]), marker="o", label="test")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy (%)")
    ax2.legend()
    fig.suptitle("suanzi demo: LeNet on 8x8 handwritten digits")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def train(epochs=DEFAULTS["epochs"], batch_size=DEFAULTS["batch_size"], lr=None,
          seed=DEFAULTS["seed"], out=DEFAULTS["out"], optimizer=DEFAULTS["optimizer"],
          max_steps=None, limit=None, plot=True, stream=None):
    """Train, evaluate and save; print progress to ``stream`` (stdout).
    ``lr=None``: 0.05 for SGD, 0.01 for AdamW. Returns a :class:`Result`."""
    if optimizer not in ("sgd", "adamw"):
        raise ValueError(f"unknown optimizer {optimizer!r} (choose 'sgd' or 'adamw')")
    if lr is None:
        lr = ADAMW_LR if optimizer == "adamw" else DEFAULTS["lr"]
    with blas_threads(1):
        return _train(epochs, batch_size, lr, seed, out, optimizer, max_steps, limit, plot,
                      stream)


def _train(epochs, batch_size, lr, seed, out, optimizer, max_steps, limit, plot, stream):
    stream = stream if stream is not None else sys.stdout
    start = time.perf_counter()

    def say(msg=""):
        stream.write(msg + "\n")
        stream.flush()

    images, labels = load_digits()
    train_idx, test_idx = stratified_split(labels)
    if limit is not None:
        train_idx = train_idx[:limit]
    x_train, y_train = images[train_idx], labels[train_idx]
    x_test, y_test = images[test_idx], labels[test_idx]

    torch.manual_seed(seed)
    model = LeNet()
    n_params = sum(p.numel() for p in model.parameters())
    say(f"suanzi demo: LeNet ({n_params:,} parameters) on 8x8 handwritten digits "
        f"({len(y_train)} train / {len(y_test)} test), {epochs} epoch{'s' * (epochs != 1)}, "
        f"batch {batch_size}, "
        f"{optimizer} lr {lr:g}, seed {seed}")

    loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                        batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    if optimizer == "sgd":
        opt = optim.SGD(model.parameters(), lr=lr, momentum=DEFAULTS["momentum"],
                        nesterov=True, weight_decay=DEFAULTS["weight_decay"])
    else:
        opt = optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-2)
    steps_per_epoch = len(loader)
    total_steps = epochs * steps_per_epoch
    if max_steps is not None:
        total_steps = min(total_steps, max_steps)
    sched = OneCycleLR(opt, max_lr=lr, total_steps=max(total_steps, 1))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=LABEL_SMOOTHING)

    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    progress = Progress(stream)
    step = 0
    for epoch in range(1, epochs + 1):
        if step >= total_steps:
            break
        model.train()
        seen = correct = 0
        loss_sum = 0.0
        t0 = time.perf_counter()
        for i, (xb, yb) in enumerate(loader, 1):
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            n = len(yb)
            seen += n
            loss_sum += loss.item() * n
            correct += int((logits.detach().argmax(1) == yb).sum().item())
            speed = seen / max(time.perf_counter() - t0, 1e-9)
            stats = (epoch, epochs, i, steps_per_epoch, loss_sum / seen, correct / seen, speed)
            if i == steps_per_epoch or step >= total_steps:
                break
            progress.update(*stats)
        history["train_loss"].append(loss_sum / seen)
        history["train_acc"].append(correct / seen)
        model.eval()
        with torch.no_grad():
            logits = model(torch.from_numpy(x_test))
            history["test_loss"].append(loss_fn(logits, torch.from_numpy(y_test)).item())
            history["test_acc"].append(float((logits.argmax(1).numpy() == y_test).mean()))
        progress.update(*stats, test_acc=history["test_acc"][-1], final=True)

    test_acc = evaluate(model, x_test, y_test)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ckpt = out / f"{CHECKPOINT_STEM}.safetensors"     # torch reads it too (safetensors)
    torch.save(model.state_dict(), ckpt)
    png = _plot(history, out / "curves.png") if plot else None
    seconds = time.perf_counter() - start
    (out / "metrics.json").write_text(json.dumps(
        {"test_accuracy": test_acc, "seconds": round(seconds, 3), "steps": step,
         "epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed,
         "optimizer": optimizer, "history": history}, indent=1) + "\n")
    say(f"test accuracy: {100 * test_acc:.2f}% ({int(round(test_acc * len(y_test)))}"
        f"/{len(y_test)})")
    say(f"time: {seconds:.1f} s ({step} steps)")
    say(f"checkpoint: {ckpt}")
    if png is not None:
        say(f"curves: {png}")
    elif plot:
        say("curves: skipped (pip install matplotlib to get a PNG)")
    return Result(test_acc, seconds, ckpt, png, history, step)
