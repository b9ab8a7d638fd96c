"""Classic vision models as a layer list: forward multiply-adds per example, as OpenAI's 2018
appendix counts them (convolutions and dense layers; pooling, ReLU and normalization add none).

A layer list is {"input_shape": [channels, height, width], "layers": [{"kind": "conv" | "pool" |
"dense", ...}]}: conv has out_channels, kernel, stride, padding, groups; pool has kernel, stride,
padding; dense has out_features (a dense layer after a conv flattens its input).
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.transform.compute.conventions import FLOP_PER_MULTIPLY_ADD, TRAINING_PASSES
from flows.transform.compute.shape import ArchitectureError

KINDS = {"conv": ("out_channels", "kernel"), "pool": ("kernel",), "dense": ("out_features",)}
MAX_SIZE = 1_000_000  # no channel count, side or feature count of a real model comes near

# AlexNet as Krizhevsky et al. 2012 (Fig. 2, sec. 3.5) built it on two GPUs: conv2, conv4 and conv5
# see only the half of the previous layer on their own GPU (groups=2); 224x224 input with
# torchvision's padding, so the sides are 55, 27, 13, 6 as in the paper
ALEXNET_LAYERS = {
    "input_shape": [3, 224, 224],
    "layers": [
        {"kind": "conv", "out_channels": 96, "kernel": 11, "stride": 4, "padding": 2},
        {"kind": "pool", "kernel": 3, "stride": 2},
        {"kind": "conv", "out_channels": 256, "kernel": 5, "padding": 2, "groups": 2},
        {"kind": "pool", "kernel": 3, "stride": 2},
        {"kind": "conv", "out_channels": 384, "kernel": 3, "padding": 1},
        {"kind": "conv", "out_channels": 384, "kernel": 3, "padding": 1, "groups": 2},
        {"kind": "conv", "out_channels": 256, "kernel": 3, "padding": 1, "groups": 2},
        {"kind": "pool", "kernel": 3, "stride": 2},
        {"kind": "dense", "out_features": 4096},
        {"kind": "dense", "out_features": 4096},
        {"kind": "dense", "out_features": 1000},
    ],
}


@dataclass(frozen=True)
class LayerCount:
    kind: str
    output_shape: tuple[int, ...]
    multiply_adds: int
    parameters: int


def _size(row: dict, key: str, index: int, default: int | None = None, minimum: int = 1) -> int:
    value = row.get(key, default)
    if value is None:
        raise ArchitectureError(f"layer {index} ({row.get('kind')}): missing key {key!r}")
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_SIZE:
        raise ArchitectureError(f"layer {index} ({row.get('kind')}): {key!r} must be a whole number from "
                                f"{minimum} to {MAX_SIZE:,}, got {value!r}")
    return value


def _side(side: int, kernel: int, stride: int, padding: int, index: int) -> int:
    out = (side + 2 * padding - kernel) // stride + 1
    if out < 1:
        raise ArchitectureError(f"layer {index}: a {kernel}-wide kernel does not fit a side of {side}")
    return out


def _count_layer(row: dict, shape: tuple[int, ...], index: int) -> LayerCount:
    kind = row.get("kind")
    if kind not in KINDS:
        raise ArchitectureError(f"layer {index}: unknown kind {kind!r}; known: {', '.join(KINDS)}")
    if kind == "dense":
        inputs, out = _product(shape), _size(row, "out_features", index)
        return LayerCount(kind, (out,), inputs * out, inputs * out + out)
    if len(shape) != 3:
        raise ArchitectureError(f"layer {index} ({kind}) needs a [channels, height, width] input, got {list(shape)}")
    channels, height, width = shape
    kernel, padding = _size(row, "kernel", index), _size(row, "padding", index, 0, minimum=0)
    if kind == "pool":
        stride = _size(row, "stride", index, kernel)
        return LayerCount(kind, (channels, _side(height, kernel, stride, padding, index),
                                 _side(width, kernel, stride, padding, index)), 0, 0)
    stride, groups = _size(row, "stride", index, 1), _size(row, "groups", index, 1)
    out = _size(row, "out_channels", index)
    if channels % groups or out % groups:
        raise ArchitectureError(f"layer {index}: {channels} in and {out} out channels do not split into {groups} groups")
    sides = (_side(height, kernel, stride, padding, index), _side(width, kernel, stride, padding, index))
    weights = out * (channels // groups) * kernel * kernel
    return LayerCount(kind, (out, *sides), weights * sides[0] * sides[1], weights + out)


def _product(shape: tuple[int, ...]) -> int:
    total = 1
    for n in shape:
        total *= n
    return total


def count_layers(layer_list: dict) -> dict:
    """Per-example forward multiply-adds, FLOP (2 per multiply-add, x3 for training) and parameters."""
    if not isinstance(layer_list, dict) or not isinstance(layer_list.get("layers"), list) or not layer_list["layers"]:
        raise ArchitectureError("a layer list needs a non-empty 'layers' array")
    raw_shape = layer_list.get("input_shape")
    if not isinstance(raw_shape, list) or not raw_shape or len(raw_shape) > 3:
        raise ArchitectureError("a layer list needs 'input_shape' as [channels, height, width] or [features]")
    shape = tuple(_size({"input_shape": n}, "input_shape", 0) for n in raw_shape)
    counts = []
    for index, row in enumerate(layer_list["layers"], start=1):
        if not isinstance(row, dict):
            raise ArchitectureError(f"layer {index}: expected an object, got {row!r}")
        counts.append(_count_layer(row, shape, index))
        shape = counts[-1].output_shape
    multiply_adds = sum(c.multiply_adds for c in counts)
    forward = FLOP_PER_MULTIPLY_ADD * multiply_adds
    params = sum(c.parameters for c in counts)
    return {"kind": "layer-list", "parameter_count": params, "active_parameter_count": params,
            "forward_multiply_adds_per_example": multiply_adds, "forward_flop_per_example": float(forward),
            "training_flop_per_example": float(TRAINING_PASSES * forward), "convention": "openai-2018",
            "convention_detail": "openai-2018: convolution and dense multiply-adds, 2 FLOP each; pooling, "
                                 f"activations and normalization not counted; training = {TRAINING_PASSES} x forward",
            "layers": [{"kind": c.kind, "output_shape": list(c.output_shape), "multiply_adds": c.multiply_adds}
                       for c in counts]}
