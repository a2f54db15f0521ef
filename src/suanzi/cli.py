"""The ``suanzi`` command line (``suanzi …`` or ``python -m suanzi …``).

Commands:
  demo   train a LeNet-style CNN on 8x8 handwritten digits, report test
         accuracy and time, save the checkpoint (and curves when matplotlib
         is installed)
"""
from __future__ import annotations

import argparse
import sys


def _positive_int(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {v}")
    return v


def _positive_float(text):
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return v


def build_parser():
    from . import __version__
    from ._demo import DEFAULTS

    parser = argparse.ArgumentParser(
        prog="suanzi",
        description="suanzi: deep learning from scratch on NumPy, behind PyTorch's API.")
    parser.add_argument("--version", action="version", version=f"suanzi {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo", help="train a small CNN on handwritten digits (seconds on a laptop CPU)",
        description=(
            "Train a LeNet-style CNN (Conv2d, BatchNorm2d, ReLU, MaxPool2d, Dropout, Linear) "
            "with CrossEntropyLoss (label smoothing 0.1), SGD with Nesterov momentum (or AdamW) "
            "and a one-cycle "
            "learning-rate schedule on the bundled 8x8 handwritten digits (UCI Optical "
            "Recognition of Handwritten Digits, 1,797 images, CC BY 4.0), evaluate on a fixed "
            "held-out 20% test split, and save the checkpoint, metrics.json and, when "
            "matplotlib is installed, curves.png into the output folder."),
    )
    demo.add_argument("--epochs", type=_positive_int, default=DEFAULTS["epochs"],
                      help="passes over the training split (default: %(default)s)")
    demo.add_argument("--batch-size", type=_positive_int, default=DEFAULTS["batch_size"],
                      help="images per optimizer step (default: %(default)s)")
    demo.add_argument("--lr", type=_positive_float, default=None,
                      help="peak learning rate of the one-cycle schedule "
                           "(default: 0.05 for sgd, 0.01 for adamw)")
    demo.add_argument("--seed", type=int, default=DEFAULTS["seed"],
                      help="seed for weight init, dropout and shuffling (the test split "
                           "is fixed; default: %(default)s)")
    demo.add_argument("--out", default=DEFAULTS["out"], metavar="DIR",
                      help="folder for the checkpoint, metrics.json and curves.png "
                           "(default: ./%(default)s)")
    demo.add_argument("--optimizer", choices=("sgd", "adamw"), default=DEFAULTS["optimizer"],
                      help="sgd: SGD, momentum 0.9, Nesterov, weight decay 5e-4; "
                           "adamw: AdamW, weight decay 1e-2 (default: %(default)s)")
    demo.add_argument("--max-steps", type=_positive_int, default=None, metavar="N",
                      help="stop after N optimizer steps (quick smoke runs)")
    demo.add_argument("--limit", type=_positive_int, default=None, metavar="N",
                      help="train on the first N training images only (quick smoke runs)")
    demo.add_argument("--no-plot", action="store_true", help="do not write curves.png")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "demo":
        from ._demo import train
        try:
            train(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                  out=args.out, optimizer=args.optimizer, max_steps=args.max_steps,
                  limit=args.limit, plot=not args.no_plot)
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:  # `suanzi demo | head`: stop quietly
            import os
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        return 0
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
