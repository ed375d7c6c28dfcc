"""Train the answerability reader: does this sentence of the engine's best
passage state what the question asks?

Input: JSONL from `cargo run --release --example reader_candidates -- DIR`
(what the engine shows the reader at question time). A question's bag is the
top passage's first --sentences candidate sentences (the key sentence, then the
others by cosine to the question); the bag is positive when the question is
answerable and the passage is the answering one, negative otherwise
(unanswerable questions are the hard negatives; the runner-up passage is one
more negative). The bag's logit is its best sentence's, so the model also
learns which sentence states the answer, without sentence labels.

With --pairs, sentence-level pairs from squad_pairs.py (SQuAD 2.0 answer
spans) join them as bags of one sentence: they say which sentence states
the answer, which the bags can only hint at.

The model is the shipped all-MiniLM-L6-v2 cut to --layers layers: the first
--frozen stay the shipped ones (and are not shipped again), the rest and a
linear head are trained and shipped as a small f16 delta.

Usage (see models/answerability/README.md):
  train.py --data squad2.jsonl squad.jsonl --train-docs ... --out DIR
"""

import argparse
import json
import os
import random
import time

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer
from torch import nn

from bert import layer_tensors, load_base

LAYERS = 4
FROZEN = 2
SENTENCES = 2
MAX_TOKENS = 64


def candidate_sentences(cand, k):
    """The key sentence first, then the others by cosine to the question;
    Rust's reader (answer/reader.rs) orders them the same way."""
    sents = cand["sentences"]
    if not sents:
        return []
    key = min(cand["key"], len(sents) - 1)
    cos = cand.get("dense_sentences") or [0.0] * len(sents)
    rest = sorted((i for i in range(len(sents)) if i != key), key=lambda i: -cos[i] if i < len(cos) else 0.0)
    return [(i, sents[i]) for i in [key] + rest][:k]


def bags(rows, k, with_runner_up=False):
    out = []
    for r in rows:
        cands = r["cands"]
        if not cands:
            continue
        top = cands[0]
        label = 1.0 if (r["answerable"] and top["label"]) else 0.0
        out.append({"q": r["q"], "title": top["title"], "sents": candidate_sentences(top, k), "y": label, "w": 1.0, "row": r})
        if with_runner_up and len(cands) > 1 and not cands[1]["label"]:
            c = cands[1]
            out.append({"q": r["q"], "title": c["title"], "sents": candidate_sentences(c, k), "y": 0.0, "w": 0.5, "row": None})
    return [b for b in out if b["sents"]]


def pair_bags(rows):
    """Sentence-level pairs (squad_pairs.py) as bags of one sentence."""
    return [{"q": r["q"], "title": r["title"], "sents": [(0, r["sentence"])], "y": r["y"], "w": r["w"], "row": None}
            for r in rows]


class Reader(nn.Module):
    def __init__(self, base, frozen):
        super().__init__()
        self.base = base
        self.frozen_layers = frozen
        h = base.words.weight.shape[1]
        self.head = nn.Linear(2 * h, 1)

    def frozen(self, ids, types, mask):
        x = self.base.embed(ids, types)
        for layer in self.base.layers[: self.frozen_layers]:
            x = layer(x, mask)
        return x

    def tuned(self, x, mask):
        for layer in self.base.layers[self.frozen_layers :]:
            x = layer(x, mask)
        m = mask.float()[:, :, None]
        mean = (x * m).sum(1) / m.sum(1)
        return self.head(torch.cat([x[:, 0], mean], -1))[:, 0]


def encode(tok, q, title, sentence):
    enc = tok.encode(q, f"{title}. {sentence}")
    return enc.ids, enc.type_ids


def pad(seqs):
    n = max(len(s[0]) for s in seqs)
    ids = torch.zeros(len(seqs), n, dtype=torch.long)
    types = torch.zeros(len(seqs), n, dtype=torch.long)
    mask = torch.zeros(len(seqs), n, dtype=torch.bool)
    for i, (a, t) in enumerate(seqs):
        ids[i, : len(a)] = torch.tensor(a)
        types[i, : len(t)] = torch.tensor(t)
        mask[i, : len(a)] = True
    return ids, types, mask


def cache_frozen(model, tok, bag_list):
    """Each sequence's hidden state after the frozen layers (computed once:
    they never change)."""
    seqs = []
    for b in bag_list:
        b["seq"] = []
        for _, s in b["sents"]:
            b["seq"].append(len(seqs))
            seqs.append(encode(tok, b["q"], b["title"], s))
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i][0]))
    states = [None] * len(seqs)
    with torch.no_grad():
        for at in range(0, len(order), 64):
            idx = order[at : at + 64]
            ids, types, mask = pad([seqs[i] for i in idx])
            x = model.frozen(ids, types, mask)
            for j, i in enumerate(idx):
                states[i] = x[j, : len(seqs[i][0])].clone()
    return states


def bag_logits(model, states, batch):
    flat = [i for b in batch for i in b["seq"]]
    n = max(states[i].shape[0] for i in flat)
    h = states[flat[0]].shape[1]
    x = torch.zeros(len(flat), n, h)
    mask = torch.zeros(len(flat), n, dtype=torch.bool)
    for j, i in enumerate(flat):
        x[j, : states[i].shape[0]] = states[i]
        mask[j, : states[i].shape[0]] = True
    logits = model.tuned(x, mask)
    out, at = [], 0
    for b in batch:
        k = len(b["seq"])
        out.append(logits[at : at + k])
        at += k
    return out


def train(model, states, bag_list, epochs, seed, args_lr):
    random.seed(seed)
    torch.manual_seed(seed)
    params = [
        {"params": [p for l in model.base.layers[model.frozen_layers :] for p in l.parameters()], "lr": args_lr[0]},
        {"params": model.head.parameters(), "lr": args_lr[1]},
    ]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    steps = epochs * ((len(bag_list) + 15) // 16)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1 - s / steps))
    t0 = time.time()
    for epoch in range(epochs):
        random.shuffle(bag_list)
        total = 0.0
        for at in range(0, len(bag_list), 16):
            batch = bag_list[at : at + 16]
            logits = torch.stack([l.max() for l in bag_logits(model, states, batch)])
            y = torch.tensor([b["y"] for b in batch])
            w = torch.tensor([b["w"] for b in batch])
            loss = (nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="none") * w).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(batch)
            if (at // 16) % 100 == 0:
                print(f"  bag {at}/{len(bag_list)}: loss {loss.item():.3f} ({time.time() - t0:.0f} s)", flush=True)
        print(f"epoch {epoch + 1}: loss {total / len(bag_list):.4f}", flush=True)


def predict(model, states, bag_list, k):
    """Per bag: probability (its best of the first k sentences) and that sentence's index."""
    out = []
    with torch.no_grad():
        for at in range(0, len(bag_list), 32):
            batch = bag_list[at : at + 32]
            for b, l in zip(batch, bag_logits(model, states, batch)):
                l = l[:k]
                j = int(l.argmax())
                out.append((float(torch.sigmoid(l[j])), b["sents"][j][0]))
    return out


def save_reader(model, out_dir, threshold, args, extra=None):
    os.makedirs(out_dir, exist_ok=True)
    tensors = {}
    for i in range(args.frozen, args.layers):
        tensors.update(layer_tensors(model.base.layers[i], i))
    tensors["head.weight"] = model.head.weight.detach().clone()
    tensors["head.bias"] = model.head.bias.detach().clone()
    save_file({k: v.half().contiguous() for k, v in tensors.items()}, os.path.join(out_dir, "model.safetensors"))
    meta = {
        "layers": args.layers,
        "shared_layers": args.frozen,
        "sentences": args.sentences,
        "max_tokens": args.max_tokens,
        "threshold": threshold,
    }
    meta.update(extra or {})
    with open(os.path.join(out_dir, "reader.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


def round_to_f16(model):
    """What Rust will compute with: the shipped weights are f16."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default="models/all-MiniLM-L6-v2")
    ap.add_argument("--data", nargs="+", required=True, help="reader_candidates dumps (bag labels)")
    ap.add_argument("--pairs", nargs="*", default=[], help="squad_pairs.py output (sentence labels)")
    ap.add_argument("--train-docs", nargs="+", required=True, help="documents (folder names) to train on")
    ap.add_argument("--eval-docs", nargs="*", default=[], help="held-out documents to predict")
    ap.add_argument("--calibrate-docs", nargs="*", default=[], help="answerable-only documents for the threshold")
    ap.add_argument("--false-declines", type=float, default=0.04)
    ap.add_argument("--layers", type=int, default=LAYERS, help="layers of the encoder the pair runs through")
    ap.add_argument("--frozen", type=int, default=FROZEN, help="of those, the encoder's own (not trained)")
    ap.add_argument("--sentences", type=int, default=SENTENCES, help="sentences of a passage read")
    ap.add_argument("--max-tokens", type=int, default=MAX_TOKENS)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-4, help="learning rate of the tuned layers")
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--limit", type=int, default=0, help="train on this many bags only (timing runs)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", required=True)
    ap.add_argument("--predictions", help="write held-out predictions (JSONL) here")
    args = ap.parse_args()

    rows = [json.loads(l) for path in args.data for l in open(path)]
    tok = Tokenizer.from_file(os.path.join(args.model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(args.max_tokens, strategy="only_second")
    torch.set_num_threads(args.threads)
    _, base = load_base(args.model_dir, args.layers)
    for p in base.parameters():
        p.requires_grad_(False)
    for layer in base.layers[args.frozen :]:
        for p in layer.parameters():
            p.requires_grad_(True)
    model = Reader(base, args.frozen)

    k = args.sentences
    pick = lambda docs: [r for r in rows if r["doc"] in set(docs)]
    train_bags = bags(pick(args.train_docs), k) + pair_bags(
        [json.loads(l) for path in args.pairs for l in open(path, encoding="utf-8")]
    )
    if args.limit:
        random.Random(args.seed).shuffle(train_bags)
        train_bags = train_bags[: args.limit]
    print(f"{len(train_bags)} training bags ({sum(b['y'] for b in train_bags):.0f} positive)", flush=True)
    print("caching the frozen layers", flush=True)
    train(model, cache_frozen(model, tok, train_bags), train_bags, args.epochs, args.seed, (args.lr, args.head_lr))
    round_to_f16(model)
    model.eval()

    threshold = 0.5
    if args.calibrate_docs:
        cal = bags(pick(args.calibrate_docs), k)
        probs = sorted(p for p, _ in predict(model, cache_frozen(model, tok, cal), cal, k))
        threshold = probs[int(args.false_declines * len(probs))]
        print(f"threshold {threshold:.4f}: declines {args.false_declines:.0%} of {len(probs)} calibration questions")
        for share in (0.01, 0.02, 0.03, 0.05, 0.07, 0.10):
            print(f"  declining {share:.0%} of them: threshold {probs[int(share * len(probs))]:.4f}")
    save_reader(model, args.out, threshold, args, {"trained_on": sorted(args.train_docs)})

    if args.eval_docs and args.predictions:
        held = bags(pick(args.eval_docs), k)
        states = cache_frozen(model, tok, held)
        with open(args.predictions, "w") as f:
            for j in range(1, k + 1):
                for b, (p, s) in zip(held, predict(model, states, held, j)):
                    r = b["row"]
                    top = r["cands"][0]
                    f.write(json.dumps({"k": j, "doc": r["doc"], "q": r["q"], "answerable": r["answerable"],
                                        "right": bool(top["label"]), "confidence": top["confidence"],
                                        "answer_type": top["answer_type"], "p": p, "sentence": s,
                                        "key": top["key"]}) + "\n")


if __name__ == "__main__":
    main()
