#!/usr/bin/env python3
"""Weight-space interpolation between the shipped and a fine-tuned emotion network (WiSE-FT, Wortsman et
al. 2022): w = (1 - alpha) * shipped + alpha * fine-tuned, which often keeps what the original knew while
keeping most of what fine-tuning added. Scores each alpha on the training hold-out (never PublicTest) at
16 / 24 / 32 / 48 px and writes the weights of the alpha with the best mean (or the one given).

    /usr/bin/python3 models/python/interpolate_weights.py \
        --model-json node_modules/@vladmandic/human/models/emotion.json \
        --tuned models/weights/lectern-emotion-0.2.0.bin --train ../shared/data/fer2013/train.csv.gz \
        --alphas 0.5,0.7,0.85,1 --out /tmp/wise
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from finetune_resolution import evaluate, load_fer, stratified_holdout  # noqa: E402
from tfjs_graph import TfjsGraphNet, read_graph  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-json", required=True)
    p.add_argument("--tuned", required=True, help="fine-tuned weights (.bin in the graph's layout)")
    p.add_argument("--train", required=True, help="FER2013 Training CSV: the hold-out is carved as in training")
    p.add_argument("--holdout", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=20261201)
    p.add_argument("--alphas", default="0.5,0.7,0.85,1")
    p.add_argument("--out", required=True, help="output prefix: <out>.bin and <out>.json")
    p.add_argument("--threads", type=int, default=max(1, os.cpu_count() or 1))
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    spec, shipped, order = read_graph(args.model_json)
    raw = open(args.tuned, "rb").read()
    tuned, offset = {}, 0
    for w in order:
        count = int(np.prod(w["shape"])) if w["shape"] else 1
        dtype = np.float32 if w["dtype"] == "float32" else np.int32
        tuned[w["name"]] = np.frombuffer(raw, dtype=dtype, count=count, offset=offset).reshape(w["shape"])
        offset += count * 4
    if offset != len(raw):
        raise SystemExit(f"{args.tuned}: {len(raw)} bytes, the graph describes {offset}")

    images, labels = load_fer(args.train)
    _, hold = stratified_holdout(labels, args.holdout, args.seed)
    results, best = [], None
    for alpha in (float(a) for a in args.alphas.split(",")):
        mixed = {
            k: ((1 - alpha) * v + alpha * tuned[k]).astype(np.float32) if v.dtype == np.float32 else v
            for k, v in shipped.items()
        }
        net = TfjsGraphNet(spec, mixed)
        acc = evaluate(net, images[hold], labels[hold])
        mean = sum(acc.values()) / len(acc)
        results.append({"alpha": alpha, "holdout": acc, "mean": mean})
        print(f"alpha {alpha:.2f} hold-out " + " ".join(f"{n}px {a:.4f}" for n, a in acc.items()) + f" mean {mean:.4f}", flush=True)
        if best is None or mean > best[0]:
            best = (mean, alpha, net)
    _, alpha, net = best
    net.write_weights(order, args.out + ".bin")
    with open(args.out + ".json", "w") as f:
        json.dump({"tuned": os.path.basename(args.tuned), "results": results, "selected": alpha}, f, indent=2)
    print(f"selected alpha {alpha}; wrote {args.out}.bin", flush=True)


if __name__ == "__main__":
    main()
