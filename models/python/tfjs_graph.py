"""The shipped emotion network (a TF.js graph model) as a trainable PyTorch module, and back.

The TF.js graph has batch norm folded into the convolutions, so the module is exactly the graph the
agent runs: fused conv (+bias, +relu), depthwise conv, max pool, add, relu, global mean, softmax. Every
float32 Const feeding a convolution becomes an nn.Parameter; `write_weights` stores them back in the
graph's own weight layout and order, so the TypeScript converter (`lectern-models build`) turns the
fine-tuned weights into ONNX exactly as it converts the original ones.
"""

import base64
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def _attr_str(node, key):
    s = node.get("attr", {}).get(key, {}).get("s")
    return base64.b64decode(s).decode() if s else ""


def _attr_ints(node, key):
    return [int(v) for v in node.get("attr", {}).get(key, {}).get("list", {}).get("i", [])]


def _attr_strs(node, key):
    return [base64.b64decode(v).decode() for v in node.get("attr", {}).get(key, {}).get("list", {}).get("s", [])]


def _tensor(name):
    return name.split(":")[0]


def _same_pads(size, k, s):
    """TensorFlow SAME padding: (before, after), the odd pixel after."""
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def read_graph(model_json):
    with open(model_json) as f:
        spec = json.load(f)
    base = os.path.dirname(model_json)
    raw = b"".join(open(os.path.join(base, p), "rb").read() for g in spec["weightsManifest"] for p in g["paths"])
    weights, order, offset = {}, [], 0
    for w in (w for g in spec["weightsManifest"] for w in g["weights"]):
        if w["dtype"] not in ("float32", "int32") or "quantization" in w:
            raise ValueError(f"{model_json}: weight {w['name']} has unsupported dtype {w['dtype']}")
        count = int(np.prod(w["shape"])) if w["shape"] else 1
        dtype = np.float32 if w["dtype"] == "float32" else np.int32
        arr = np.frombuffer(raw, dtype=dtype, count=count, offset=offset).reshape(w["shape"]).copy()
        offset += count * 4
        weights[w["name"]] = arr
        order.append(w)
    if offset != len(raw):
        raise ValueError(f"{model_json}: {len(raw) - offset} bytes of weight data are not described")
    return spec, weights, order


class TfjsGraphNet(nn.Module):
    """Executes the graph in NCHW; weights stay in TF layout (HWIO, HWCM) so they write back unchanged."""

    def __init__(self, spec, weights):
        super().__init__()
        self.nodes = spec["modelTopology"]["node"]
        self.params = nn.ParameterDict()
        self.consts = {}
        self.key = {}
        for name, arr in weights.items():
            if arr.dtype == np.float32 and arr.ndim in (1, 4):
                key = f"w{len(self.key)}"
                self.key[name] = key
                self.params[key] = nn.Parameter(torch.from_numpy(arr.copy()))
            else:
                self.consts[name] = arr

    def weight(self, name):
        return self.params[self.key[name]]

    def forward(self, x, logits=False):
        """x: [B,1,64,64] in the model's input range; returns probabilities (or logits before softmax)."""
        values, alias = {}, {}

        def get(n):
            n = _tensor(n)
            while n in alias:
                n = alias[n]
            return values[n]

        for node in self.nodes:
            op, name = node["op"], node["name"]
            ins = [i for i in node.get("input", []) if not i.startswith("^")]
            if op == "Const":
                continue
            if op == "Placeholder":
                values[name] = x
            elif op == "Identity":
                alias[name] = _tensor(ins[0])
            elif op in ("_FusedConv2D", "Conv2D", "DepthwiseConv2dNative", "_FusedDepthwiseConv2dNative"):
                inp = get(ins[0])
                w = self.weight(_tensor(ins[1]))
                kh, kw, ci, co = w.shape
                s = _attr_ints(node, "strides")[1:3]
                depthwise = "Depthwise" in op
                kernel = w.permute(2, 3, 0, 1).reshape(ci * co, 1, kh, kw) if depthwise else w.permute(3, 2, 0, 1)
                if _attr_str(node, "padding") == "SAME":
                    t, b = _same_pads(inp.shape[2], kh, s[0])
                    l, r = _same_pads(inp.shape[3], kw, s[1])
                    inp = F.pad(inp, (l, r, t, b))
                fused = _attr_strs(node, "fused_ops") if op.startswith("_Fused") else []
                bias = self.weight(_tensor(ins[2])) if "BiasAdd" in fused else None
                y = F.conv2d(inp, kernel, bias, stride=tuple(s), groups=ci if depthwise else 1)
                values[name] = F.relu(y) if "Relu" in fused else y
            elif op == "MaxPool":
                inp = get(ins[0])
                k = _attr_ints(node, "ksize")[1:3]
                s = _attr_ints(node, "strides")[1:3]
                if _attr_str(node, "padding") == "SAME":
                    t, b = _same_pads(inp.shape[2], k[0], s[0])
                    l, r = _same_pads(inp.shape[3], k[1], s[1])
                    inp = F.pad(inp, (l, r, t, b), value=float("-inf"))
                values[name] = F.max_pool2d(inp, tuple(k), tuple(s))
            elif op in ("Add", "AddV2"):
                values[name] = get(ins[0]) + get(ins[1])
            elif op == "Relu":
                values[name] = F.relu(get(ins[0]))
            elif op == "Mean":
                values[name] = get(ins[0]).mean(dim=(2, 3))
            elif op == "Softmax":
                z = get(ins[0])
                values[name] = z if logits else F.softmax(z, dim=1)
            else:
                raise ValueError(f"{name}: unsupported TF op {op}")
            last = name
        return get(last)

    def write_weights(self, order, path):
        """Writes every weight in the manifest's order and dtype: a drop-in replacement for the .bin."""
        with open(path, "wb") as f:
            for w in order:
                name = w["name"]
                if name in self.key:
                    arr = self.weight(name).detach().cpu().numpy().astype(np.float32)
                else:
                    arr = self.consts[name]
                if list(arr.shape) != list(w["shape"]):
                    raise ValueError(f"{name}: shape {arr.shape} does not match the manifest {w['shape']}")
                f.write(np.ascontiguousarray(arr).tobytes())
