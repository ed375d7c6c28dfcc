"""Score held-out predictions written by train.py --predictions, as the
engine would use them: the top passage is declined when the engine's own
confidence is under its threshold (0.27) or the reader's probability is
under the reader's threshold.

  score.py PREDICTIONS.jsonl... [--threshold T ...] [--k K] [--docs DOC ...]

--docs keeps the named documents only: the held-out squad2-dev articles,
without squad-dev's copies of them (predicted too when they are named as
held-out documents, since they are the same articles).
"""

import argparse
import json

ENGINE_THRESHOLD = 0.27


def figures(rows, t):
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    declined = lambda r: r["confidence"] < ENGINE_THRESHOLD or r["p"] < t
    p1 = sum(r["right"] and not declined(r) for r in ans) / len(ans)
    fd = sum(declined(r) for r in ans) / len(ans)
    ud = sum(declined(r) for r in una) / len(una)
    return p1, fd, ud


def auc(rows):
    pos = [r["p"] for r in rows if r["answerable"] and r["right"]]
    neg = [r["p"] for r in rows if not r["answerable"]]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("predictions", nargs="+")
    ap.add_argument("--threshold", type=float, nargs="*", default=[])
    ap.add_argument("--k", type=int, default=2)
    ap.add_argument("--docs", nargs="*", default=[])
    args = ap.parse_args()
    rows = [json.loads(l) for p in args.predictions for l in open(p)]
    rows = [r for r in rows if r["k"] == args.k and (not args.docs or r["doc"] in args.docs)]
    print(f"{len(rows)} questions, k={args.k}, AUC (right answerable vs unanswerable) {auc(rows):.3f}")
    base = figures(rows, 0.0)
    print(f"engine alone: P@1 {base[0]:.3f}, false declines {base[1]:.1%}, unanswerable declined {base[2]:.1%}")
    for t in args.threshold:
        p1, fd, ud = figures(rows, t)
        print(f"t={t:.3f}: P@1 {p1:.3f}, false declines {fd:.1%}, unanswerable declined {ud:.1%}")
    # The trade along the curve, for the note.
    for target in (0.03, 0.05, 0.10, 0.20):
        ps = sorted(r["p"] for r in rows if r["answerable"])
        t = ps[int(target * len(ps))]
        p1, fd, ud = figures(rows, t)
        print(f"at {target:.0%} false declines (t={t:.3f}): P@1 {p1:.3f}, unanswerable declined {ud:.1%}")


if __name__ == "__main__":
    main()
