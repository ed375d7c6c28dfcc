#!/bin/sh
# Retrains this folder's reader from the shipped sentence encoder, so the
# bundled weights can be checked and rebuilt rather than taken on trust.
# Needs ../shared/eval (the SQuAD dev sets, CC BY-SA 4.0), python3 with pip
# and about 40 minutes on 2 cores. PyTorch goes into a venv outside the
# repository (VENV, default ../venv-reader; about 2.5 GB from PyPI).
# Also rewrites crates/bert-cpu/tests/fixtures/cross.json, the logits the
# Rust cross-encoder is checked against.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
shared=${SHARED:-../shared/eval}
venv=${VENV:-../venv-reader}
work=${WORK:-$(mktemp -d)}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet 'torch==2.*' 'safetensors>=0.4' 'tokenizers>=0.19' numpy

# What the engine shows the reader, for every question of the dev sets.
cargo run --release --example reader_candidates -- "$shared/squad2-dev" > "$work/squad2.jsonl"
cargo run --release --example reader_candidates -- "$shared/squad-dev" > "$work/squad.jsonl"

all="01-Computational_complexity_theory 02-Huguenot 03-Normans 04-Sky_(United_Kingdom) 05-Southern_California 06-Steam_engine 07-Victoria_(Australia) 08-Warsaw"
# squad-dev's articles that are not in squad2-dev: answerable questions only,
# never trained on, used to set the threshold at 4% of them declined.
calibrate="01-Super_Bowl_50 04-Nikola_Tesla 06-Teacher 07-Martin_Luther"
"$venv/bin/python" - "$work" $calibrate <<'PY'
import json, sys
work, keep = sys.argv[1], set(sys.argv[2:])
with open(f"{work}/calibrate.jsonl", "w") as out:
    for line in open(f"{work}/squad.jsonl"):
        if json.loads(line)["doc"] in keep:
            out.write(line)
PY
# shellcheck disable=SC2086
"$venv/bin/python" scripts/answerability/train.py --threads 2 --seed 1 \
    --epochs 2 --data "$work/squad2.jsonl" "$work/calibrate.jsonl" \
    --train-docs $all --calibrate-docs $calibrate --out models/answerability
"$venv/bin/python" scripts/answerability/fixture.py
echo "reader written to models/answerability; run cargo test -p bert-cpu --test cross"
