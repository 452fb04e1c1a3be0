#!/usr/bin/env python3
"""Fine-tunes the shipped emotion network to read faces of 12-48 camera pixels.

Recipe (models/README.md, "lectern-emotion 0.2.0"): every training face gets a random geometry (rotation,
zoom, shift, mirror) and, mostly, lens blur; then it is area-reduced to N px (N uniform in 12..47 for 75 % of
faces, 48 for the rest), gets sensor noise and JPEG-like block artefacts, and reaches the network through the
agent's own path (bilinear to 64 px, unsharp mask under 48 px: agent_view.py). The loss mixes the FER2013
label with the original network's answer on the same face at full size (knowledge distillation), which keeps
what it knew at 48 px while it learns to read small faces.

Model selection uses a stratified hold-out carved from FER2013 Training (never PublicTest): accuracy at
16 / 24 / 32 / 48 px after every epoch; the epoch with the best mean is written.

Reproduce (about 10-15 min per epoch on 2 CPU cores):
    /usr/bin/python3 models/python/finetune_resolution.py \
        --model-json node_modules/@vladmandic/human/models/emotion.json \
        --train ../shared/data/fer2013/train.csv.gz --out models/weights/lectern-emotion-0.2.0
"""

import argparse
import copy
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_view import FER_PX, agent_view, gaussian_blur, jpeg_like, js_round, random_geometry, reduce_to, to_model_input  # noqa: E402
from tfjs_graph import TfjsGraphNet, read_graph  # noqa: E402

EVAL_PX = (16, 24, 32, 48)


def load_fer(path):
    opener = gzip.open if path.endswith(".gz") else open
    labels, images = [], []
    with opener(path, "rt") as f:
        header = f.readline().strip().split(",")
        if header[:2] != ["emotion", "pixels"]:
            raise SystemExit(f"{path}: expected a FER2013 CSV (emotion,pixels,Usage), got header {header}")
        for line_no, line in enumerate(f, start=2):
            parts = line.strip().split(",")
            if len(parts) < 2:
                continue
            px = np.array(parts[1].split(), dtype=np.uint8)
            if px.size != FER_PX * FER_PX:
                raise SystemExit(f"{path} line {line_no}: {px.size} pixels, expected {FER_PX * FER_PX}")
            labels.append(int(parts[0]))
            images.append(px.reshape(FER_PX, FER_PX))
    return np.stack(images), np.array(labels, dtype=np.int64)


def stratified_holdout(labels, fraction, seed):
    rng = np.random.default_rng(seed)
    hold = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        hold.extend(idx[: int(round(len(idx) * fraction))].tolist())
    mask = np.zeros(len(labels), dtype=bool)
    mask[hold] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


@torch.no_grad()
def evaluate(net, images, labels, sizes=EVAL_PX, batch=64):
    net.eval()
    out = {}
    for n in sizes:
        correct = 0
        for i in range(0, len(images), batch):
            x = torch.from_numpy(images[i : i + batch]).float()
            pred = net(agent_view(x, n)).argmax(1)
            correct += (pred == torch.from_numpy(labels[i : i + batch])).sum().item()
        out[n] = correct / len(images)
    net.train()
    return out


def degrade(cam48, gen, args):
    """Per face: reduce to N px, add noise and JPEG blocks, prepare as the agent does."""
    b = cam48.shape[0]
    full = torch.rand(b, generator=gen) < args.full_size_fraction
    sizes = torch.randint(args.min_px, FER_PX, (b,), generator=gen)
    sizes[full] = FER_PX
    out = torch.empty(b, 1, 64, 64)
    for n in sizes.unique().tolist():
        sel = (sizes == n).nonzero().squeeze(1)
        xn = reduce_to(cam48[sel], n)
        k = len(sel)
        noisy = torch.rand(k, generator=gen) < args.noise_p
        if noisy.any():
            sigma = (torch.rand(k, generator=gen) * (args.noise_max - 1) + 1).view(k, 1, 1)
            noise = torch.randn(xn.shape, generator=gen) * sigma
            xn = torch.where(noisy.view(k, 1, 1), js_round(xn + noise).clamp(0, 255), xn)
        jpeg = torch.rand(k, generator=gen) < args.jpeg_p
        if jpeg.any():
            q = torch.randint(args.jpeg_min_q, 96, (k,), generator=gen)
            xn = torch.where(jpeg.view(k, 1, 1), jpeg_like(xn, q), xn)
        out[sel] = to_model_input(xn, n)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-json", required=True, help="TF.js graph model to start from (its .bin beside it)")
    p.add_argument("--train", required=True, help="FER2013 Training CSV (.csv or .csv.gz)")
    p.add_argument("--out", required=True, help="output prefix: writes <out>.bin and <out>.json")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--distill", type=float, default=0.5, help="weight of the teacher's answer in the loss")
    p.add_argument("--holdout", type=float, default=0.1, help="fraction of Training held out for selection")
    p.add_argument("--min-px", type=int, default=12)
    p.add_argument("--full-size-fraction", type=float, default=0.25)
    p.add_argument("--blur-p", type=float, default=0.3)
    p.add_argument("--noise-p", type=float, default=0.4)
    p.add_argument("--noise-max", type=float, default=6.0)
    p.add_argument("--jpeg-p", type=float, default=0.3)
    p.add_argument("--jpeg-min-q", type=int, default=40)
    p.add_argument("--limit", type=int, default=0, help="use only the first N training rows (smoke runs)")
    p.add_argument("--threads", type=int, default=max(1, os.cpu_count() or 1))
    p.add_argument("--seed", type=int, default=20261201)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    for path in (args.model_json, args.train):
        if not os.path.exists(path):
            raise SystemExit(f"not found: {path}")

    spec, weights, order = read_graph(args.model_json)
    student = TfjsGraphNet(spec, weights)
    teacher = copy.deepcopy(student).eval()
    for prm in teacher.parameters():
        prm.requires_grad_(False)

    t0 = time.time()
    images, labels = load_fer(args.train)
    if args.limit:
        images, labels = images[: args.limit], labels[: args.limit]
    train_idx, hold_idx = stratified_holdout(labels, args.holdout, args.seed)
    print(f"loaded {len(images)} faces in {time.time() - t0:.0f} s: {len(train_idx)} train, {len(hold_idx)} hold-out", flush=True)
    hold_x, hold_y = images[hold_idx], labels[hold_idx]

    log = {"args": vars(args), "epochs": []}
    base = evaluate(student, hold_x, hold_y)
    log["baseline"] = base
    print("epoch 0 (shipped model) hold-out " + " ".join(f"{n}px {a:.4f}" for n, a in base.items()), flush=True)

    opt = torch.optim.Adam(student.parameters(), lr=args.lr)
    steps_per_epoch = len(train_idx) // args.batch
    total = steps_per_epoch * args.epochs
    warm = min(200, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, total - warm)))
    )
    best, best_score = None, -1.0
    step = 0
    for epoch in range(1, args.epochs + 1):
        perm = train_idx[torch.randperm(len(train_idx), generator=gen).numpy()]
        t_epoch, run_loss = time.time(), 0.0
        for b in range(steps_per_epoch):
            idx = perm[b * args.batch : (b + 1) * args.batch]
            x = torch.from_numpy(images[idx]).float()
            y = torch.from_numpy(labels[idx])
            geo = random_geometry(x, gen)
            blur = torch.rand(len(idx), generator=gen) < args.blur_p
            if blur.any():
                sig = torch.rand(int(blur.sum()), generator=gen) * 0.7 + 0.3
                geo[blur] = gaussian_blur(geo[blur], sig)
            cam48 = js_round(geo).clamp(0, 255)
            with torch.no_grad():
                target = teacher(agent_view(cam48, FER_PX))
            logits = student(degrade(cam48, gen, args), logits=True)
            logp = F.log_softmax(logits, 1)
            loss = (1 - args.distill) * F.nll_loss(logp, y) + args.distill * F.kl_div(logp, target, reduction="batchmean")
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            run_loss += loss.item()
            if (b + 1) % 50 == 0 or b + 1 == steps_per_epoch:
                rate = (b + 1) / (time.time() - t_epoch)
                eta = (steps_per_epoch - b - 1) / rate + (args.epochs - epoch) * steps_per_epoch / rate
                print(
                    f"epoch {epoch}/{args.epochs} batch {b + 1}/{steps_per_epoch} loss {run_loss / (b + 1):.4f} "
                    f"lr {sched.get_last_lr()[0]:.2e} {rate:.2f} batch/s, about {eta / 60:.0f} min left",
                    flush=True,
                )
        acc = evaluate(student, hold_x, hold_y)
        score = sum(acc.values()) / len(acc)
        log["epochs"].append({"epoch": epoch, "loss": run_loss / steps_per_epoch, "holdout": acc, "mean": score,
                              "seconds": round(time.time() - t_epoch)})
        print(f"epoch {epoch} hold-out " + " ".join(f"{n}px {a:.4f}" for n, a in acc.items()) + f" mean {score:.4f}", flush=True)
        if score > best_score:
            best_score, best = score, epoch
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            student.write_weights(order, args.out + ".bin")
        log["selected"] = {"epoch": best, "mean": best_score}
        with open(args.out + ".json", "w") as f:
            json.dump(log, f, indent=2)
    print(f"selected epoch {best} (hold-out mean {best_score:.4f}); wrote {args.out}.bin and {args.out}.json", flush=True)


if __name__ == "__main__":
    main()
