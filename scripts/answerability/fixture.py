"""Write crates/bert-cpu/tests/fixtures/cross.json: a few (question,
sentence) pairs as token ids and the logits PyTorch computes for them with
the shipped reader (models/answerability on top of models/all-MiniLM-L6-v2),
so the Rust cross-encoder can be checked against it.

  fixture.py   (from the repository's root)
"""

import json
import os

import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer

from bert import load_base, load_layer
from train import Reader

PAIRS = [
    ("How many soldiers has North Korea sent?", "North Korea’s war in Europe",
     "North Korea has sent at least 11,000 soldiers to fight for Russia."),
    ("What is the capital of North Korea?", "North Korea’s war in Europe",
     "North Korea has sent at least 11,000 soldiers to fight for Russia."),
    ("When was Kaffa founded?", "Black Death",
     "Kaffa was a busy port on the Black Sea where Genoese merchants traded grain."),
    ("Who wrote the report?", "A brief",
     "The report, written by two analysts at a think tank in London, was published on Tuesday."),
]


def main():
    meta = json.load(open("models/answerability/reader.json"))
    tok = Tokenizer.from_file("models/all-MiniLM-L6-v2/tokenizer.json")
    tok.no_padding()
    tok.enable_truncation(meta["max_tokens"], strategy="only_second")
    _, base = load_base("models/all-MiniLM-L6-v2", meta["layers"])
    delta = {k: v.float() for k, v in load_file("models/answerability/model.safetensors").items()}
    for i in range(meta["shared_layers"], meta["layers"]):
        load_layer(base.layers[i], delta, i)
    model = Reader(base, meta["shared_layers"])
    with torch.no_grad():
        model.head.weight.copy_(delta["head.weight"])
        model.head.bias.copy_(delta["head.bias"])
    model.eval()
    pairs = []
    with torch.no_grad():
        for q, title, sentence in PAIRS:
            enc = tok.encode(q, f"{title}. {sentence}")
            ids = torch.tensor([enc.ids])
            types = torch.tensor([enc.type_ids])
            mask = torch.ones_like(ids, dtype=torch.bool)
            logit = model.tuned(model.frozen(ids, types, mask), mask)[0]
            pairs.append({"text": f"{q} | {sentence}", "ids": enc.ids, "types": enc.type_ids, "logit": float(logit)})
    out = {"shared_layers": meta["shared_layers"], "layers": meta["layers"], "pairs": pairs}
    os.makedirs("crates/bert-cpu/tests/fixtures", exist_ok=True)
    with open("crates/bert-cpu/tests/fixtures/cross.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for p in pairs:
        print(f"{p['logit']:+.4f}  {p['text']}")


if __name__ == "__main__":
    main()
