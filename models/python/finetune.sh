#!/usr/bin/env bash
# One-command reproduction of the shipped fine-tuned weights (models/README.md, "lectern-emotion 0.2.0").
# Needs PyTorch and NumPy (Debian: apt-get install python3-torch python3-numpy) and ../shared/data/fer2013.
set -euo pipefail
cd "$(dirname "$0")/.."
py=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import torch, numpy' 2>/dev/null; then py="$candidate"; break; fi
done
if [ -z "$py" ]; then
  echo "no python3 with PyTorch found: install it (Debian: apt-get install python3-torch python3-numpy)" >&2
  exit 1
fi
# The workspace install hoists @vladmandic/human (a dependency of @lectern/models) to the root node_modules.
model_json="../node_modules/@vladmandic/human/models/emotion.json"
[ -f "$model_json" ] || { echo "$model_json not found: run npm ci at the repository root first" >&2; exit 1; }
exec "$py" python/finetune_resolution.py --model-json "$model_json" \
  --train "${LECTERN_SHARED_DIR:-../../shared}/data/fer2013/train.csv.gz" \
  --out "${OUT:-weights/lectern-emotion-0.2.0}" "$@"
