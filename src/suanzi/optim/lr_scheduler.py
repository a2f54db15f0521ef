"""``suanzi.optim.lr_scheduler``: learning-rate schedulers with torch's API.

Every scheduler here produces the same learning-rate (and, for the cyclic
ones, momentum) sequence as its ``torch.optim.lr_scheduler`` namesake, and
its ``state_dict`` carries the same keys.

Design: ``LRScheduler`` owns all bookkeeping -- ``last_epoch``, the
``initial_lr`` entries, writing new rates into the parameter groups, the
"stepped before the optimizer" warning and ``state_dict``.  A subclass only
says how to get the next rates:

* ``get_lr()`` -- the *incremental* rule, computed from the rates currently
  in the groups (torch's "chainable" form, so schedulers can be stacked);
* ``_closed_form()`` (optional) -- the rate as a direct function of
  ``last_epoch``, used when ``step(epoch)`` is given an explicit epoch.
"""
import math
import types
import warnings
from bisect import bisect_right
from collections import Counter

from .optimizer import Optimizer

__all__ = [
    "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
    "ExponentialLR", "SequentialLR", "CosineAnnealingLR", "ChainedScheduler",
    "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
    "PolynomialLR", "LRScheduler",
]

_EXPLICIT_EPOCH_MSG = (
    "Passing the epoch parameter to `scheduler.step()` is deprecated; call "
    "`scheduler.step()` without it. While it is still accepted, an explicit epoch "
    "makes the scheduler use its closed-form rate (where it has one) instead of "
    "the chainable update.")


def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"expected an Optimizer, got {type(optimizer).__name__}")


def _per_group(name, optimizer, value):
    """Broadcast a scalar option to one value per parameter group, or check a
    list option has exactly one value per group."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name} must have {n} values (one per param group), "
                             f"got {len(value)}")
        return list(value)
    return [value] * n


def _watch_optimizer_steps(optimizer):
    """Make the optimizer remember whether its ``step`` has ever run (once per
    optimizer, however many schedulers drive it)."""
    if getattr(optimizer, "_suanzi_step_watch", False):
        return
    optimizer._suanzi_step_watch = True
    optimizer._suanzi_has_stepped = False

    def mark(opt, args, kwargs):
        opt._suanzi_has_stepped = True

    optimizer.register_step_post_hook(mark)


def _set_momentum(group, value, use_beta1):
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


class LRScheduler:
    """Base class: adjusts ``optimizer.param_groups[i]['lr']`` each ``step()``."""

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   "when resuming an optimizer")
        self.base_lrs = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        _watch_optimizer_steps(optimizer)
        self._initial_step()

    def _initial_step(self):
        """Step once at construction so the groups hold the rate of epoch 0."""
        self._step_count = 0
        self._is_initial = True
        self._get_lr_called_within_step = False
        self.step()
        self._is_initial = False

    # ------------------------------------------------------------ state
    _unsaved = ("optimizer",)

    def state_dict(self):
        """Everything but the optimizer (and non-serialisable helpers)."""
        return {k: v for k, v in self.__dict__.items() if k not in self._unsaved}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)

    # ------------------------------------------------------------ rates
    def get_last_lr(self):
        """The rates written by the most recent ``step()``."""
        return self._last_lr

    def _warn_if_outside_step(self):
        if not self._get_lr_called_within_step:
            warnings.warn("get_lr() is meant to be called by step(); use get_last_lr() to "
                          "read the rates the scheduler last set.", UserWarning)

    def get_lr(self):
        raise NotImplementedError

    def _closed_form(self):
        """Rates as a function of ``last_epoch`` alone; ``None`` when there is none."""
        return None

    def _apply(self, lrs):
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def step(self, epoch=None):
        if self._step_count == 1 and not getattr(self.optimizer, "_suanzi_has_stepped", True):
            warnings.warn(
                "`lr_scheduler.step()` was called before `optimizer.step()`: the first "
                "value of the schedule is skipped. Call `optimizer.step()` first and "
                "`lr_scheduler.step()` after it.", UserWarning)
        self._step_count += 1
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                lrs = self.get_lr()
            else:
                warnings.warn(_EXPLICIT_EPOCH_MSG, UserWarning)
                self.last_epoch = epoch
                lrs = self._closed_form()
                if lrs is None:
                    lrs = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        self._apply(lrs)


_LRScheduler = LRScheduler


def _group_lrs(sched):
    return [group["lr"] for group in sched.optimizer.param_groups]


# ---------------------------------------------------------------- lambda based
class _LambdaBase(LRScheduler):
    """Shared by LambdaLR / MultiplicativeLR: one function per group; callable
    objects (not plain functions) have their ``__dict__`` saved."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        _check_optimizer(optimizer)
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else dict(f.__dict__)
                               for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                fn.__dict__.update(attrs)


class LambdaLR(_LambdaBase):
    """lr = initial_lr * lr_lambda(epoch)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        return [base * fn(self.last_epoch) for base, fn in zip(self.base_lrs, self.lr_lambdas)]


class MultiplicativeLR(_LambdaBase):
    """lr *= lr_lambda(epoch) for every epoch after the first."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        lrs = _group_lrs(self)
        if self.last_epoch <= 0:
            return lrs
        return [lr * fn(self.last_epoch) for lr, fn in zip(lrs, self.lr_lambdas)]


# ---------------------------------------------------------------- step decays
class StepLR(LRScheduler):
    """Multiply by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        lrs = _group_lrs(self)
        e = self.last_epoch
        if e == 0 or e % self.step_size:
            return lrs
        return [lr * self.gamma for lr in lrs]

    def _closed_form(self):
        k = self.last_epoch // self.step_size
        return [base * self.gamma ** k for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply by ``gamma`` at each milestone (a repeated milestone counts twice)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        lrs = _group_lrs(self)
        hits = self.milestones.get(self.last_epoch, 0)
        if not hits:
            return lrs
        return [lr * self.gamma ** hits for lr in lrs]

    def _closed_form(self):
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base * self.gamma ** passed for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply by ``gamma`` every epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        lrs = _group_lrs(self)
        if self.last_epoch == 0:
            return lrs
        return [lr * self.gamma for lr in lrs]

    def _closed_form(self):
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class ConstantLR(LRScheduler):
    """Scale by ``factor`` until epoch ``total_iters``, then back to the base rate."""

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if not 0 <= factor <= 1.0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        lrs = _group_lrs(self)
        if self.last_epoch == 0:
            return [lr * self.factor for lr in lrs]
        if self.last_epoch == self.total_iters:
            return [lr * (1.0 / self.factor) for lr in lrs]
        return lrs

    def _closed_form(self):
        done = self.last_epoch >= self.total_iters
        return [base * (self.factor + done * (1 - self.factor)) for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale factor moves linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if not 0 < start_factor <= 1.0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 "
                             "and less or equal to 1.")
        if not 0 <= end_factor <= 1.0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        lrs = _group_lrs(self)
        e, s, d = self.last_epoch, self.start_factor, self.end_factor - self.start_factor
        if e == 0:
            return [lr * s for lr in lrs]
        if e > self.total_iters:
            return lrs
        # ratio of factor(e) to factor(e - 1)
        ratio = 1.0 + d / (self.total_iters * s + (e - 1) * d)
        return [lr * ratio for lr in lrs]

    def _closed_form(self):
        d = self.end_factor - self.start_factor
        frac = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (self.start_factor + d * frac) for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """lr = base * (1 - epoch / total_iters) ** power, frozen after total_iters."""

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        lrs = _group_lrs(self)
        e, n = self.last_epoch, self.total_iters
        if e == 0 or e > n:
            return lrs
        ratio = ((1.0 - e / n) / (1.0 - (e - 1) / n)) ** self.power
        return [lr * ratio for lr in lrs]

    def _closed_form(self):
        frac = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (1.0 - frac) ** self.power for base in self.base_lrs]


# ---------------------------------------------------------------- cosine
class CosineAnnealingLR(LRScheduler):
    """Cosine curve from the base rate down to ``eta_min`` over ``T_max`` epochs
    (and back up, periodically), applied incrementally so it composes with
    other schedulers."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        lrs = _group_lrs(self)
        e, T, lo = self.last_epoch, self.T_max, self.eta_min
        if e == 0:
            return lrs
        if self._step_count == 1 and e > 0:  # resumed mid-schedule: jump there directly
            return [lo + (base - lo) * (1 + math.cos(e * math.pi / T)) / 2
                    for base in self.base_lrs]
        if (e - 1 - T) % (2 * T) == 0:  # leaving the bottom of a cycle
            return [lr + (base - lo) * (1 - math.cos(math.pi / T)) / 2
                    for lr, base in zip(lrs, self.base_lrs)]
        shrink = (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T))
        return [shrink * (lr - lo) + lo for lr in lrs]

    def _closed_form(self):
        c = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base - self.eta_min) * c for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing restarted every ``T_i`` epochs, ``T_i`` growing by ``T_mult``."""

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        if not isinstance(T_0, int) or T_0 < 1:
            raise ValueError(f"T_0 must be a positive int, got {T_0!r}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"T_mult must be an int >= 1, got {T_mult!r}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        c = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * c for base in self.base_lrs]

    def step(self, epoch=None):
        """Fractional epochs are allowed (e.g. ``epoch + batch / n_batches``)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"epoch must be >= 0, got {epoch}")
            T0, m = self.T_0, self.T_mult
            if epoch < T0:
                self.T_i, self.T_cur = T0, epoch
            elif m == 1:
                self.T_cur = epoch % T0
            else:
                # restarts completed: T0 * (m**n - 1) / (m - 1) <= epoch
                n = int(math.log(epoch / T0 * (m - 1) + 1, m))
                self.T_cur = epoch - T0 * (m ** n - 1) / (m - 1)
                self.T_i = T0 * m ** n
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            lrs = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        self._apply(lrs)


# ---------------------------------------------------------------- cyclic
def _anneal_cos(start, end, pct):
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _anneal_linear(start, end, pct):
    return (end - start) * pct + start


def _momentum_setup(sched, optimizer, base_momentum, max_momentum, reset):
    """Common to CyclicLR/OneCycleLR: validate the optimizer has a momentum
    (or Adam's beta1), record per-group bounds, optionally start at max."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` "
                         "option enabled")
    sched.use_beta1 = "betas" in optimizer.defaults
    lows = _per_group("base_momentum", optimizer, base_momentum)
    highs = _per_group("max_momentum", optimizer, max_momentum)
    if reset:
        for hi, lo, group in zip(highs, lows, optimizer.param_groups):
            _set_momentum(group, hi, sched.use_beta1)
            group["max_momentum"] = hi
            group["base_momentum"] = lo
    return lows, highs


class CyclicLR(LRScheduler):
    """Rate (and inversely momentum) cycles between two bounds, with an
    amplitude scaling policy (triangular, triangular2, exp_range or custom)."""

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        _check_optimizer(optimizer)
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"unknown mode {mode!r} (and no scale_fn given)")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._pick_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = _momentum_setup(
                self, optimizer, base_momentum, max_momentum, last_epoch == -1)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _pick_scale_fn(self):
        if self._scale_fn_custom is not None:
            self._scale_fn_ref = self._scale_fn_custom
            return
        if self.mode == "triangular":
            self._scale_fn_ref, self.scale_mode = (lambda x: 1.0), "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref, self.scale_mode = (lambda x: 1 / (2.0 ** (x - 1))), "cycle"
        else:
            g = self.gamma
            self._scale_fn_ref, self.scale_mode = (lambda x: g ** x), "iterations"

    def scale_fn(self, x):
        return self._scale_fn_ref(x)

    def get_lr(self):
        self._warn_if_outside_step()
        t = self.last_epoch / self.total_size
        cycle = math.floor(1 + t)
        x = 1.0 + t - cycle  # position within the cycle, in [0, 1)
        if x <= self.step_ratio:
            rise = x / self.step_ratio
        else:
            rise = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [lo + (hi - lo) * rise * scale for lo, hi in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, lo, hi in zip(self.optimizer.param_groups, self.base_momentums,
                                     self.max_momentums):
                _set_momentum(group, hi - (hi - lo) * rise * scale, self.use_beta1)
        return lrs

    _unsaved = ("optimizer", "_scale_fn_ref")

    def state_dict(self):
        state = super().state_dict()
        fn = self._scale_fn_custom
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = dict(fn.__dict__)
        else:
            state["_scale_fn_custom"] = None
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        custom = state.pop("_scale_fn_custom", None)
        self.__dict__.update(state)
        if custom is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(custom)
        self._pick_scale_fn()


class OneCycleLR(LRScheduler):
    """The 1cycle policy: warm up from ``max_lr / div_factor`` to ``max_lr``,
    then anneal to ``initial_lr / final_div_factor`` (optionally via a third
    phase), with momentum moving the opposite way."""

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        _check_optimizer(optimizer)
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps < 1:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if epochs <= 0 or not isinstance(epochs, int):
                raise ValueError(f"epochs must be a positive int, got {epochs!r}")
            if steps_per_epoch <= 0 or not isinstance(steps_per_epoch, int):
                raise ValueError("Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        if not 0 <= pct_start <= 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")

        # phase boundaries (the step at which each phase ends) and which
        # per-group keys its rate/momentum move between
        warm_end = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        if three_phase:
            plan = [(warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                     "base_momentum", "max_momentum"),
                    (last, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            plan = [(warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    (last, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        keys = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")
        self._schedule_phases = [dict(zip(keys, p)) for p in plan]
        self._anneal_func_type = anneal_strategy

        peaks = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for peak, group in zip(peaks, optimizer.param_groups):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _momentum_setup(self, optimizer, base_momentum, max_momentum, last_epoch == -1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(f"Tried to step {t} times. The specified number of total steps "
                             f"is {self.total_steps}")
        anneal = _anneal_cos if self._anneal_func_type == "cos" else _anneal_linear
        # locate the phase containing step t (the last phase absorbs overshoot)
        begin = 0
        for i, phase in enumerate(self._schedule_phases):
            if t <= phase["end_step"] or i == len(self._schedule_phases) - 1:
                pct = (t - begin) / (phase["end_step"] - begin)
                break
            begin = phase["end_step"]
        lrs = []
        for group in self.optimizer.param_groups:
            lrs.append(anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
            if self.cycle_momentum:
                m = anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                _set_momentum(group, m, self.use_beta1)
        return lrs


# ---------------------------------------------------------------- composites
class SequentialLR(LRScheduler):
    """Hand control from one scheduler to the next at each milestone."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        _check_optimizer(optimizer)
        if len(schedulers) < 1:
            raise ValueError("SequentialLR expects at least one scheduler")
        for i, s in enumerate(schedulers):
            if not hasattr(s, "optimizer"):
                raise TypeError(f"SequentialLR: schedulers[{i}] has no `optimizer`")
            if isinstance(s, ReduceLROnPlateau):
                raise ValueError("SequentialLR does not support ReduceLROnPlateau "
                                 f"(schedulers[{i}])")
            if s.optimizer is not optimizer:
                raise ValueError(f"SequentialLR: schedulers[{i}] uses a different optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("SequentialLR expects len(milestones) == len(schedulers) - 1, "
                             f"got {len(milestones)} milestones and {len(schedulers)} "
                             "schedulers")
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # every child already stepped once at construction: undo that, then
        # redo only the first child's initial step
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for s in self._schedulers:
            s.last_epoch -= 1
        self._schedulers[0]._initial_step()
        self._last_lr = self._schedulers[0].get_last_lr()

    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        current = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            current.step(0)  # a fresh start for the incoming scheduler
        else:
            current.step()
        self._last_lr = current.get_last_lr()

    def state_dict(self):
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        children = state.pop("_schedulers")
        self.__dict__.update(state)
        for s, sd in zip(self._schedulers, children):
            s.load_state_dict(sd)


class ChainedScheduler(LRScheduler):
    """Step several schedulers of one optimizer together, so their
    (chainable) updates compose."""

    def __init__(self, schedulers, optimizer=None):
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler expects at least one scheduler")
        optimizer = optimizer or schedulers[0].optimizer
        for i, s in enumerate(schedulers):
            if s.optimizer is not optimizer:
                raise ValueError(f"ChainedScheduler: schedulers[{i}] uses a different "
                                 "optimizer")
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = _group_lrs(self)

    def step(self):
        for s in self._schedulers:
            s.step()
        self._last_lr = _group_lrs(self)

    state_dict = SequentialLR.state_dict
    load_state_dict = SequentialLR.load_state_dict


# ---------------------------------------------------------------- plateau
class ReduceLROnPlateau(LRScheduler):
    """Multiply the rate by ``factor`` once a metric has not improved for
    ``patience`` epochs, then wait ``cooldown`` epochs before counting again."""

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        if factor >= 1.0:
            raise ValueError(f"factor must be below 1.0, got {factor}")
        _check_optimizer(optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.optimizer = optimizer
        self.factor = factor
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got "
                                 f"{len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _group_lrs(self)
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self._reset()

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def is_better(self, a, best):
        t = self.threshold
        if self.mode == "min":
            return a < (best * (1.0 - t) if self.threshold_mode == "rel" else best - t)
        return a > (best * (t + 1.0) if self.threshold_mode == "rel" else best + t)

    def step(self, metrics, epoch=None):
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(_EXPLICIT_EPOCH_MSG, UserWarning)
        self.last_epoch = epoch
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _group_lrs(self)

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(self.min_lrs) != len(groups):
            if self.default_min_lr is None:
                raise RuntimeError("The number of param groups changed and no default "
                                   "min_lr was given")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, floor in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, floor)
            if old - new > self.eps:
                group["lr"] = new
