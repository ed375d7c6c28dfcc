#!/bin/sh
# Retrains this folder's reader from the shipped sentence encoder, so the
# bundled weights can be checked and rebuilt rather than taken on trust.
# Needs ../shared/eval (the SQuAD dev sets, CC BY-SA 4.0), a SQuAD 2.0 JSON
# file with answer spans (SQUAD_TRAIN; see README.md for the one used),
# python3 with pip and about an hour on 2 cores. PyTorch goes into a venv
# outside the repository (VENV, default ../venv-reader; about 2.5 GB from
# PyPI). Also rewrites crates/bert-cpu/tests/fixtures/cross.json, the
# logits the Rust cross-encoder is checked against.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
shared=${SHARED:-../shared/eval}
venv=${VENV:-../venv-reader}
work=${WORK:-$(mktemp -d)}
squad_train=${SQUAD_TRAIN:?set SQUAD_TRAIN to a SQuAD 2.0 JSON file with answer spans (README.md)}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet 'torch==2.*' 'safetensors>=0.4' 'tokenizers>=0.19' numpy

# What the engine shows the reader, for every question of the dev sets.
cargo run --release --example reader_candidates -- "$shared/squad2-dev" > "$work/squad2.jsonl"
cargo run --release --example reader_candidates -- "$shared/squad-dev" > "$work/squad.jsonl"
# Sentence-level pairs from the answer spans.
"$venv/bin/python" scripts/answerability/squad_pairs.py "$squad_train" > "$work/pairs.jsonl"

# squad2-dev's articles, and squad-dev's copies of them (the same articles:
# their answerable questions are more positives).
all="01-Computational_complexity_theory 02-Huguenot 03-Normans 04-Sky_(United_Kingdom) 05-Southern_California 06-Steam_engine 07-Victoria_(Australia) 08-Warsaw"
all="$all 05-Computational_complexity_theory 11-Huguenot 09-Sky_(United_Kingdom) 08-Southern_California 12-Steam_engine 10-Victoria_(Australia) 02-Warsaw"
# squad-dev's articles that are not in squad2-dev: answerable questions only,
# never trained on, used to set the threshold.
calibrate="01-Super_Bowl_50 04-Nikola_Tesla 06-Teacher 07-Martin_Luther"
# shellcheck disable=SC2086
"$venv/bin/python" scripts/answerability/train.py --threads 2 --seed 1 --epochs 2 \
    --layers 4 --frozen 2 --sentences 2 --max-tokens 64 \
    --data "$work/squad2.jsonl" "$work/squad.jsonl" --pairs "$work/pairs.jsonl" \
    --train-docs $all --calibrate-docs $calibrate --false-declines "${FALSE_DECLINES:-0.04}" \
    --out models/answerability
"$venv/bin/python" scripts/answerability/fixture.py
echo "reader written to models/answerability; run cargo test -p bert-cpu --test cross"
