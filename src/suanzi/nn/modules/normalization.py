"""Normalization layers: BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, LayerNorm,
GroupNorm, RMSNorm, LocalResponseNorm (torch's names, parameters, buffers,
state_dict keys and reprs), and SwitchNorm1d/2d/3d (Luo et al., arXiv
1806.10779; not in torch: follows the authors' reference implementation)."""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _check_device
from ...autograd.grad_mode import no_grad
from ...ops import normalization as F
from ..parameter import Parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d", "LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm",
           "SwitchNorm1d", "SwitchNorm2d", "SwitchNorm3d"]

_make = Tensor._make


def _dt(dtype):
    return (D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()).np


def _filled(shape, value, dtype):
    return np.full(shape, value, dtype=_dt(dtype))


# ------------------------------------------------------------------ _NormBase
def _register_affine(module, shape, affine, bias, dtype):
    """``weight`` (ones) and ``bias`` (zeros) of ``shape``, or None entries,
    registered in torch's order (so state_dict keys match)."""
    module.register_parameter(
        "weight", Parameter(_make(_filled(shape, 1.0, dtype))) if affine else None)
    module.register_parameter(
        "bias", Parameter(_make(_filled(shape, 0.0, dtype))) if affine and bias else None)


def _reset_affine(module):
    if module.weight is not None:
        from .. import init

        init.ones_(module.weight)
        if module.bias is not None:
            init.zeros_(module.bias)


class _NormBase(Module):
    """Common base of the batch and instance norms (torch's layout)."""

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        _check_device(device)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _register_affine(self, num_features, affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", _make(_filled(num_features, 0.0, dtype)))
            self.register_buffer("running_var", _make(_filled(num_features, 1.0, dtype)))
            self.register_buffer("num_batches_tracked", _make(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        version = _version_of(state_dict, prefix, local_metadata)
        if (version is None or version < 2) and self.track_running_stats:
            # checkpoints from before num_batches_tracked existed load with it at 0
            key = prefix + "num_batches_tracked"
            if key not in state_dict:
                state_dict = _with_key(state_dict, key, self.num_batches_tracked
                                       if self.num_batches_tracked is not None
                                       else _make(np.array(0, dtype=np.int64)))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)


def _version_of(state_dict, prefix, local_metadata):
    version = (local_metadata or {}).get("version", None)
    if version is None:
        meta = getattr(state_dict, "_metadata", None)
        if meta is not None:
            version = meta.get(prefix[:-1], {}).get("version", None)
    return version


def _with_key(state_dict, key, value):
    """A shallow copy of ``state_dict`` with ``key`` added (the caller's dict
    is left as it is)."""
    from collections import OrderedDict

    d = OrderedDict(state_dict)
    meta = getattr(state_dict, "_metadata", None)
    if meta is not None:
        d._metadata = meta
    d[key] = value
    return d


# ------------------------------------------------------------------ BatchNorm
class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        eaf = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                eaf = 1.0 / float(self.num_batches_tracked.item())
            else:
                eaf = self.momentum
        bn_training = True if self.training else (
            self.running_mean is None and self.running_var is None)
        use_buffers = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if use_buffers else None,
                            self.running_var if use_buffers else None, self.weight, self.bias,
                            bn_training, eaf, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization over a 2-D (N, C) or 3-D (N, C, L) input."""

    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalization over a 4-D (N, C, H, W) input."""

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch normalization over a 5-D (N, C, D, H, W) input."""

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


# --------------------------------------------------------------- InstanceNorm
class _InstanceNorm(_NormBase):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _get_no_batch_dim(self):
        raise NotImplementedError

    def _handle_no_batch_input(self, input):
        return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)

    def _apply_instance_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        version = _version_of(state_dict, prefix, local_metadata)
        if version is None and not self.track_running_stats:
            keys = [prefix + n for n in ("running_mean", "running_var")
                    if prefix + n in state_dict]
            if keys:
                klass = type(self).__name__
                error_msgs.append(
                    "Unexpected running stats buffer(s) {names} for {klass} with "
                    "track_running_stats=False. If state_dict is a checkpoint saved before "
                    "0.4.0, this may be expected because {klass} does not track running stats "
                    "by default since 0.4.0. Please remove these keys from state_dict. If the "
                    "running stats are actually needed, instead set track_running_stats=True in "
                    "{klass} to enable them. See the documentation of {klass} for details."
                    .format(names=" and ".join(f'"{k}"' for k in keys), klass=klass))
                from collections import OrderedDict

                state_dict = OrderedDict((k, v) for k, v in state_dict.items() if k not in keys)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._get_no_batch_dim()
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={feature_dim} to match num_features"
                    f" ({self.num_features}), but got: {input.size(feature_dim)}.")
            warnings.warn(
                f"input's size at dim={feature_dim} does not match num_features. You can "
                "silence this warning by not passing in num_features, which is not used "
                "because affine=False", stacklevel=2)
        if input.dim() == self._get_no_batch_dim():
            return self._handle_no_batch_input(input)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization over (N, C, L) or unbatched (C, L)."""

    def _get_no_batch_dim(self):
        return 2

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization over (N, C, H, W) or unbatched (C, H, W)."""

    def _get_no_batch_dim(self):
        return 3

    def _check_input_dim(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"expected 3D or 4D input (got {input.dim()}D input)")


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization over (N, C, D, H, W) or unbatched (C, D, H, W)."""

    def _get_no_batch_dim(self):
        return 4

    def _check_input_dim(self, input):
        if input.dim() not in (4, 5):
            raise ValueError(f"expected 4D or 5D input (got {input.dim()}D input)")


# ------------------------------------------------------------------ LayerNorm
def _as_shape(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    return tuple(normalized_shape)


class LayerNorm(Module):
    """Normalization over the trailing ``normalized_shape`` dims, with an
    element-wise affine transform."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        _check_device(device)
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _register_affine(self, self.normalized_shape, elementwise_affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


# ------------------------------------------------------------------ GroupNorm
class GroupNorm(Module):
    """Normalization over groups of channels; per-channel affine."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None,
                 *, bias=True):
        super().__init__()
        _check_device(device)
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _register_affine(self, num_channels, affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


# -------------------------------------------------------------------- RMSNorm
class RMSNorm(Module):
    """Root-mean-square normalization over the trailing dims (no bias)."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        _check_device(device)
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(_make(_filled(self.normalized_shape, 1.0, dtype)))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            from .. import init

            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


# ---------------------------------------------------------- LocalResponseNorm
class LocalResponseNorm(Module):
    """Normalization over a window of neighbouring channels."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


# ----------------------------------------------------------------- SwitchNorm
def _softmax3(w):
    e = (w - w.max().detach()).exp()
    return e / e.sum()


class _SwitchNorm(Module):
    """Switchable Normalization (Luo et al., arXiv 1806.10779), as the
    authors' reference ``devkit/ops/switchable_norm.py``: learned softmax
    weights mix the instance, layer and batch means and variances.

    **Momentum convention**: ``running = momentum·running + (1−momentum)·batch``
    (0.9 keeps 90 % of the old value), the *opposite* of BatchNorm's
    ``momentum=0.1``. With ``using_moving_average=False`` the buffers sum the
    batch statistics instead (``running_mean += μ``, ``running_var += μ² + σ²``);
    call :meth:`finalize_batch_average` with the number of batches summed to
    turn them into the paper's "batch average" statistics. Eval mode uses the
    buffers as they are. ``var_correction`` (keyword-only): 1 (the reference's
    unbiased variances, default) or 0 (the paper's biased ones).
    """

    _stat_dims = None  # overridden

    def _init(self, num_features, eps, momentum, using_moving_average, using_bn, last_gamma,
              var_correction, pshape, bshape, nweights, device, dtype):
        _check_device(device)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.using_moving_average = using_moving_average
        self.using_bn = using_bn
        self.last_gamma = last_gamma
        self.var_correction = var_correction
        self.weight = Parameter(_make(_filled(pshape, 1.0, dtype)))
        self.bias = Parameter(_make(_filled(pshape, 0.0, dtype)))
        self.mean_weight = Parameter(_make(_filled(nweights, 1.0, dtype)))
        self.var_weight = Parameter(_make(_filled(nweights, 1.0, dtype)))
        if using_bn:
            self.register_buffer("running_mean", _make(_filled(bshape, 0.0, dtype)))
            self.register_buffer("running_var", _make(_filled(bshape, 0.0, dtype)))
        self.reset_parameters()

    def reset_parameters(self):
        with no_grad():
            if self.using_bn:
                self.running_mean.zero_()
                self.running_var.zero_()
            self.weight.fill_(0 if self.last_gamma else 1)
            self.bias.zero_()

    def _update_running(self, mean_bn, var_bn):
        with no_grad():
            m_b, v_b = mean_bn.detach(), var_bn.detach()
            if self.using_moving_average:
                self.running_mean.mul_(self.momentum)
                self.running_mean.add_((1 - self.momentum) * m_b)
                self.running_var.mul_(self.momentum)
                self.running_var.add_((1 - self.momentum) * v_b)
            else:
                self.running_mean.add_(m_b)
                self.running_var.add_(m_b ** 2 + v_b)

    def finalize_batch_average(self, num_batches):
        """Turn the sums accumulated over ``num_batches`` training batches
        (``using_moving_average=False``) into averages: mean = S1/K,
        var = S2/K − mean²."""
        if not self.using_bn:
            raise RuntimeError(f"{type(self).__name__}: using_bn=False keeps no statistics")
        if num_batches <= 0:
            raise ValueError(f"num_batches must be positive, got {num_batches}")
        with no_grad():
            self.running_mean.div_(num_batches)
            self.running_var.div_(num_batches)
            self.running_var.sub_(self.running_mean ** 2)
        return self

    def extra_repr(self):
        s = (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
             f"using_moving_average={self.using_moving_average}")
        if self._has_bn_flag:
            s += f", using_bn={self.using_bn}, last_gamma={self.last_gamma}"
        if self.var_correction != 1:
            s += f", var_correction={self.var_correction}"
        return s


class SwitchNorm1d(_SwitchNorm):
    """Switchable Normalization of an (N, C) input: mixes layer and batch
    statistics (weights of size 2, buffers of shape (1, C))."""

    _has_bn_flag = False

    def __init__(self, num_features, eps=1e-5, momentum=0.997, using_moving_average=True, *,
                 var_correction=1, device=None, dtype=None):
        super().__init__()
        self._init(num_features, eps, momentum, using_moving_average, True, False,
                   var_correction, (1, num_features), (1, num_features), 2, device, dtype)

    def forward(self, x):
        if x.dim() != 2:
            raise ValueError(f"expected 2D input (got {x.dim()}D input)")
        corr = self.var_correction
        mean_ln = x.mean(1, keepdim=True)
        var_ln = x.var(1, keepdim=True, correction=corr)
        if self.training:
            mean_bn = x.mean(0, keepdim=True)
            var_bn = x.var(0, keepdim=True, correction=corr)
            self._update_running(mean_bn, var_bn)
        else:
            mean_bn, var_bn = self.running_mean, self.running_var
        mw, vw = _softmax3(self.mean_weight), _softmax3(self.var_weight)
        mean = mw[0] * mean_ln + mw[1] * mean_bn
        var = vw[0] * var_ln + vw[1] * var_bn
        x = (x - mean) / (var + self.eps).sqrt()
        return x * self.weight + self.bias


class _SwitchNormNd(_SwitchNorm):
    _has_bn_flag = True
    _ndim = 4

    def __init__(self, num_features, eps=1e-5, momentum=0.9, using_moving_average=True,
                 using_bn=True, last_gamma=False, *, var_correction=1, device=None, dtype=None):
        super().__init__()
        pshape = (1, num_features) + (1,) * (self._ndim - 2)
        self._init(num_features, eps, momentum, using_moving_average, using_bn, last_gamma,
                   var_correction, pshape, (1, num_features, 1), 3 if using_bn else 2, device,
                   dtype)

    def forward(self, x):
        if x.dim() != self._ndim:
            raise ValueError(f"expected {self._ndim}D input (got {x.dim()}D input)")
        shape = tuple(x.shape)
        N, C = shape[0], shape[1]
        x = x.reshape(N, C, -1)
        mean_in = x.mean(-1, keepdim=True)
        var_in = x.var(-1, keepdim=True, correction=self.var_correction)
        mean_ln = mean_in.mean(1, keepdim=True)
        temp = var_in + mean_in ** 2
        var_ln = temp.mean(1, keepdim=True) - mean_ln ** 2
        mw, vw = _softmax3(self.mean_weight), _softmax3(self.var_weight)
        if self.using_bn:
            if self.training:
                mean_bn = mean_in.mean(0, keepdim=True)
                var_bn = temp.mean(0, keepdim=True) - mean_bn ** 2
                self._update_running(mean_bn, var_bn)
            else:
                mean_bn, var_bn = self.running_mean, self.running_var
            mean = mw[0] * mean_in + mw[1] * mean_ln + mw[2] * mean_bn
            var = vw[0] * var_in + vw[1] * var_ln + vw[2] * var_bn
        else:
            mean = mw[0] * mean_in + mw[1] * mean_ln
            var = vw[0] * var_in + vw[1] * var_ln
        x = (x - mean) / (var + self.eps).sqrt()
        x = x.reshape(shape)
        return x * self.weight + self.bias


class SwitchNorm2d(_SwitchNormNd):
    """Switchable Normalization of an (N, C, H, W) input (momentum 0.9 keeps
    the old running value: the opposite of BatchNorm2d's convention)."""

    _ndim = 4


class SwitchNorm3d(_SwitchNormNd):
    """Switchable Normalization of an (N, C, D, H, W) input."""

    _ndim = 5

    def __init__(self, num_features, eps=1e-5, momentum=0.997, using_moving_average=True,
                 using_bn=True, last_gamma=False, *, var_correction=1, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, using_moving_average, using_bn,
                         last_gamma, var_correction=var_correction, device=device, dtype=dtype)
