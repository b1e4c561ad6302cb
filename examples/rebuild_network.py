#!/usr/bin/env python3
"""Rebuild the random networks a finite-width deepntk run exported (montecarlo.export) and
recompute their empirical kernels in NumPy, from the parameters alone.

usage: rebuild_network.py RESULT.h5 [--depth L] [--network S]

For every exported network s at every recorded depth L (or the ones chosen), it rebuilds the
network from /networks/<L>/<s> (docs/output-format.md, "Exported networks"), evaluates it on
the result's /data/x_train, forms the Jacobian of the output with respect to every parameter by
an explicit backward pass, and prints its NTK J J^T and feature kernel (the heads' columns of J
only). When every network of the Monte-Carlo mean was exported (montecarlo.export lists all
montecarlo.samples networks), it also prints the largest difference between the mean of the
rebuilt kernels and the stored mean /kernels/<kind>/<L>/train, relative to its largest entry.

Needs numpy and h5py. The functions are the documentation of the layout: `load_network`,
`jacobians` (the forward and backward pass) and `empirical_kernels` are all there is to it.
"""
import argparse
import math
import sys

import numpy as np


def load_network(f, depth, network):
    """The group /networks/<depth>/<network> as a dict: its attributes, the layers' raw weights
    (fan_out, fan_in) and biases (None without), and the heads {layer: (weights, bias)}."""
    g = f[f"networks/{depth}/{network}"]
    net = {key: (value.decode() if isinstance(value, bytes) else value) for key, value in g.attrs.items()}
    layers = sorted((int(name.split("_")[1]), name) for name in g if name.startswith("layer_"))
    net["layers"] = [(g[name]["weights"][()], g[name]["biases"][()] if "biases" in g[name] else None)
                     for _, name in layers]
    net["head_params"] = {int(j): (h["weights"][()], h["bias"][0] if "bias" in h else 0.0)
                          for j, h in g["heads"].items()}
    return net


def activation(name, h, scale):
    """scale * phi(h) and scale * phi'(h)."""
    if name == "relu":
        return scale * np.maximum(h, 0.0), scale * (h > 0.0)
    if name == "erf":
        erf = np.vectorize(math.erf)  # the C library's erf, as deepntk's
        return scale * erf(h), scale * 2.0 / np.sqrt(np.pi) * np.exp(-h * h)
    raise ValueError(f"unknown activation {name}")


def jacobians(net, x):
    """(J, J_heads): the gradient of the output F(x_p) with respect to every parameter, one row
    per point, as the network's parameterization defines the parameters; J_heads holds the
    columns of the read-out heads' raw parameters only (the feature kernel, whose expectation is
    the NNGP, differentiates the raw draws in both parameterizations).

    NTK parameterization: the parameters are the stored standard normal draws W, b, v, c and
      mlp, shortcut   a_0 = sqrt(sw2/d) x, h_{l+1} = W_l a_l + sqrt(sb2) b_l,
                      a_l = sqrt(sw2/m) phi(h_l), F = C sum_j (v_j . a_j + sqrt(sb2) c_j)
      resnet          s_0 = W_0 a_0 + sqrt(sb2) b_0,
                      s_l = s_{l-1} + alpha (W_l sqrt(sw2/m) phi(s_{l-1}) + sqrt(sb2) b_l),
                      F = v . (sqrt(sw2/m) s_L) + sqrt(sb2) c
    with C the attribute head_coefficient (1 but for shortcut). Standard parameterization: the
    same function, differentiated with respect to W' = sqrt(sw2/fan_in) W, b' = sqrt(sb2) b
    (heads: v' = sqrt(sw2/m) v, c' = sqrt(sb2) c), i.e. each gradient divided by that factor."""
    sw2, sb2, m = float(net["sw2"]), float(net["sb2"]), int(net["width"])
    d = x.shape[1]
    act, arch = net["activation"], net["architecture"]
    standard = net["parameterization"] == "standard"
    unit, bias_scale = np.sqrt(sw2 / m), np.sqrt(sb2)

    def rescale(gradient, factor):
        """A gradient with respect to a raw draw, as the parameterization's parameter wants it."""
        return gradient / factor if standard else gradient

    layers, heads = net["layers"], net["head_params"]
    C, alpha = float(net["head_coefficient"]), float(net["alpha"])
    a0 = np.sqrt(sw2 / d) * x                          # (n, d)
    blocks, head_blocks, feature_blocks = [], [], []    # Jacobian columns, any order

    def weight_columns(delta, inputs, fan_in, branch=1.0):
        """dF/dW (per point, flattened) and dF/db for a layer h = branch (W inputs + sqrt(sb2) b)."""
        g = branch * np.einsum("pi,pj->pij", delta, inputs).reshape(len(x), -1)
        blocks.append(rescale(g, np.sqrt(sw2 / fan_in)))
        if sb2 > 0:
            blocks.append(rescale(branch * bias_scale * delta, bias_scale))

    def head_columns(features, coefficient, feature_factor):
        """dF/dv and dF/dc of a head F += coefficient (v . features + sqrt(sb2) c): rescaled for
        the NTK, raw for the feature kernel (the same in both parameterizations)."""
        raw = [coefficient * features]
        if sb2 > 0:
            raw.append(coefficient * bias_scale * np.ones((len(x), 1)))
        feature_blocks.extend(raw)
        head_blocks.append(rescale(raw[0], feature_factor))
        if sb2 > 0:
            head_blocks.append(rescale(raw[1], bias_scale))

    if arch == "resnet":
        W0, b0 = layers[0]
        s = [a0 @ W0.T + (bias_scale * b0 if b0 is not None else 0.0)]
        for W, b in layers[1:]:
            u, _ = activation(act, s[-1], unit)
            s.append(s[-1] + alpha * (u @ W.T + (bias_scale * b if b is not None else 0.0)))
        (v, c), = heads.values()
        head_columns(unit * s[-1], 1.0, unit)
        delta = np.tile(unit * v, (len(x), 1))          # dF/ds_L
        for l in range(len(layers) - 1, 0, -1):
            u, slope = activation(act, s[l - 1], unit)
            weight_columns(delta, u, m, alpha)
            delta = delta + alpha * (delta @ layers[l][0]) * slope
        weight_columns(delta, a0, d)
    else:
        h, a = [], [a0]                                  # h_1..h_T, a_0..a_T
        for W, b in layers:
            h.append(a[-1] @ W.T + (bias_scale * b if b is not None else 0.0))
            a.append(activation(act, h[-1], unit)[0])
        delta = np.zeros((len(x), m))                    # dF/dh_{j+1}, zero above the top layer
        for j in range(len(layers), 0, -1):
            through = delta @ layers[j][0] if j < len(layers) else np.zeros((len(x), m))
            if j in heads:
                head_columns(a[j], C, unit)
                through = through + C * heads[j][0]
            delta = through * activation(act, h[j - 1], unit)[1]
            weight_columns(delta, a[j - 1], layers[j - 1][0].shape[1])
    return np.hstack(blocks + head_blocks), np.hstack(feature_blocks)


def empirical_kernels(net, x):
    """{"ntk": J J^T, "nngp": J_heads J_heads^T}: the network's NTK and feature kernel on x."""
    J, J_heads = jacobians(net, x)
    return {"ntk": J @ J.T, "nngp": J_heads @ J_heads.T}


def relative_difference(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result")
    parser.add_argument("--depth", type=int, help="one recorded depth (default: all)")
    parser.add_argument("--network", type=int, help="one exported network (default: all)")
    args = parser.parse_args()
    import h5py
    with h5py.File(args.result, "r") as f:
        if "networks" not in f:
            print(f"rebuild_network.py: {args.result} holds no exported networks (set montecarlo.export)",
                  file=sys.stderr)
            return 1
        x = f["data/x_train"][()]
        for depth in sorted(int(L) for L in f["networks"]):
            if args.depth is not None and depth != args.depth:
                continue
            exported = sorted(int(s) for s in f[f"networks/{depth}"])
            rebuilt = {s: empirical_kernels(load_network(f, depth, s), x) for s in exported
                       if args.network is None or s == args.network}
            for s, k in rebuilt.items():
                print(f"depth {depth} network {s}: ntk[0, 0] = {k['ntk'][0, 0]:.17g}, "
                      f"nngp[0, 0] = {k['nngp'][0, 0]:.17g}")
            group = f[f"kernels/{'ntk' if 'ntk' in f['kernels'] else 'nngp'}/{depth}"]
            if len(rebuilt) != group.attrs["samples"]:
                continue  # the stored mean has networks that were not exported
            for kind in f["kernels"]:
                stored = f[f"kernels/{kind}/{depth}"]
                if "train" not in stored:
                    continue
                mean = np.mean([k[kind] for k in rebuilt.values()], axis=0)
                truth = stored["train"][()] * np.exp(stored.attrs["log_scale"])
                print(f"depth {depth} {kind}: mean of the {len(rebuilt)} rebuilt networks vs stored: "
                      f"max relative difference {relative_difference(mean, truth):.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
