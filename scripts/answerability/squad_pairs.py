"""Sentence-level training pairs for the answerability reader, from SQuAD 2.0
JSON files with answer spans (e.g. the train set, CC BY-SA 4.0).

The engine's candidates only give bag labels (is the answer somewhere in the
passage?); with spans each sentence gets its own label, which is what the
reader must learn: the sentence holding the answer states it, the others of
the same paragraph are on the topic without stating it (the same words, the
same subject), and so are the sentences an impossible question was written
against. One JSON object per pair on stdout:
{"doc", "q", "title", "sentence", "y", "w", "kind"}.

  squad_pairs.py train-v2.0.json > pairs.jsonl
"""

import argparse
import json
import random
import re
import sys

SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z0-9\"“'(\[])")
WORD = re.compile(r"[a-z0-9]+")
STOP = set(
    "a an the of in on at to for from by with and or but is are was were be been being what which who whom whose "
    "when where why how did do does done has have had it its this that these those as into than then there their "
    "they he she his her him we you i not no many much long year years".split()
)


def sentences(text):
    """(start, end) of each sentence; close enough to the engine's splitter
    that a label means the same thing."""
    out, at = [], 0
    for m in SPLIT.finditer(text):
        out.append((at, m.start() + len(m.group(0).rstrip())))
        at = m.end()
    out.append((at, len(text)))
    return [(s, e) for s, e in out if text[s:e].strip()]


def words(text):
    return {w for w in WORD.findall(text.lower()) if w not in STOP}


def by_overlap(q, texts):
    """Indices of `texts`, those sharing most of the question's words first:
    the hardest negatives."""
    qw = words(q)
    return sorted(range(len(texts)), key=lambda i: -len(qw & words(texts[i])))


def pairs_of(article, per_question, rng):
    title = article["title"].replace("_", " ")
    doc = article["title"]
    paragraphs = []
    for p in article["paragraphs"]:
        ctx = p["context"]
        paragraphs.append([ctx[s:e] for s, e in sentences(ctx)])
    every = [(pi, s) for pi, sents in enumerate(paragraphs) for s in sents]
    for pi, p in enumerate(article["paragraphs"]):
        ctx = p["context"]
        spans = sentences(ctx)
        texts = paragraphs[pi]
        for qa in p["qas"]:
            q = qa["question"].strip()
            if not q:
                continue
            base = {"doc": doc, "q": q, "title": title}
            if qa.get("is_impossible"):
                # Written against this paragraph to look answerable from it.
                for i in by_overlap(q, texts)[:per_question]:
                    yield dict(base, sentence=texts[i], y=0.0, w=1.5, kind="impossible")
                continue
            answer = qa["answers"][0]
            start, end = answer["answer_start"], answer["answer_start"] + len(answer["text"])
            holding = [i for i, (s, e) in enumerate(spans) if s <= start and end <= e]
            if not holding:
                continue  # the answer straddles two sentences: no clean label
            hit = holding[0]
            yield dict(base, sentence=texts[hit], y=1.0, w=1.0, kind="answer")
            # Same paragraph, answer sentence removed: on topic, not stated.
            rest = [i for i in by_overlap(q, texts) if i != hit and answer["text"] not in texts[i]]
            for i in rest[: per_question - 1]:
                yield dict(base, sentence=texts[i], y=0.0, w=1.0, kind="same-paragraph")
            # The article's nearest sentence elsewhere, as the engine's
            # runner-up passage would be.
            others = [(opi, s) for opi, s in every if opi != pi and answer["text"] not in s]
            if others:
                best = by_overlap(q, [s for _, s in others])[: 3]
                _, s = others[rng.choice(best)]
                yield dict(base, sentence=s, y=0.0, w=0.5, kind="other-paragraph")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("squad", nargs="+", help="SQuAD 2.0 JSON files with answer spans")
    ap.add_argument("--per-question", type=int, default=3, help="sentences read per question")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    n = {}
    for path in args.squad:
        for article in json.load(open(path, encoding="utf-8"))["data"]:
            for pair in pairs_of(article, args.per_question, rng):
                n[pair["kind"]] = n.get(pair["kind"], 0) + 1
                sys.stdout.write(json.dumps(pair, ensure_ascii=False) + "\n")
    print(", ".join(f"{k}: {v}" for k, v in sorted(n.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
