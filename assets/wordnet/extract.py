#!/usr/bin/env python3
"""Extract briefbot's table of related words from WordNet 3.0.

Reads the WordNet database files (Debian's `wordnet-base`, in
/usr/share/wordnet) and writes one line per word:

    word<TAB>alt kind conf<TAB>alt kind conf ...

Lines starting with "=" map an irregular inflection to its base form from
WordNet's exception lists ("=said<TAB>say"), so the engine looks up "say"
for "said" rather than the rare adjective "said".

Lines starting with "~" list an irregular verb and its forms from WordNet's
verb exception list ("~take<TAB>taken<TAB>took"), so a question in one
tense finds a passage in another.

kind: d derivation (invade/invasion), p pertainym or demonym (French/France),
c capital and its country (Paris/France), n another name of the same named
thing (France/French Republic), s synonym (same synset or a similar-to
adjective), b broader (direct hypernym of the word's dominant sense).
conf (1..99): how likely, in percent, the word is meant in the sense that
links it to `alt`, from WordNet's sense-tagged counts (cntlist) with a prior
by sense rank, so a rare sense cannot bring in its synonyms.

Only words that occur in WordNet's sense-tagged corpora (common words) and
names of countries and capitals are kept, at most MAX_ALTS alternatives per
word, best first.

Usage: extract.py [WORDNET_DIR] > related.txt (regenerate.sh runs it)
"""

import collections
import math
import os
import re
import sys

WORDNET = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"
POS = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
SS_TYPE = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}
MAX_ALTS = 12
MIN_CONF = 0.12
# A hypernym this close to the root says nothing ("entity", "act", "change").
MIN_BROADER_DEPTH = 5
# Which relation wins when two link the same words, and ties broken by conf.
KIND_ORDER = "npcdsb"


def lemma_text(raw):
    """WordNet lemma to plain lowercase words: 'pull_out' -> 'pull out'."""
    word = raw.split("(")[0]  # adjective markers: 'galore(ip)'
    return word.replace("_", " ").lower()


class Synset:
    __slots__ = ("pos", "words", "ptrs", "gloss", "acronym")

    def __init__(self, pos, words, ptrs, gloss, acronym):
        self.pos = pos
        self.words = words
        self.ptrs = ptrs
        self.gloss = gloss
        # One of its names is an acronym as WordNet writes it ("NATO", "CIA").
        self.acronym = acronym


# How many glosses use each word, a measure of how common an untagged word is.
GLOSS_WORDS = collections.Counter()
MIN_GLOSS_USES = 3
# Lemmas as WordNet writes them: only capitalised ("Tokyo") or not.
CAPITALISED, LOWERCASE = set(), set()


def read_data():
    synsets = {}
    for pos, name in POS.items():
        with open(os.path.join(WORDNET, "data." + name), encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                body, _, gloss = line.partition("|")
                t = body.split()
                offset, ss_type = t[0], t[2]
                n_words = int(t[3], 16)
                raw = [t[4 + 2 * i] for i in range(n_words)]
                words = [lemma_text(w) for w in raw]
                for w, text in zip(raw, words):
                    (CAPITALISED if w[:1].isupper() else LOWERCASE).add(text)
                i = 4 + 2 * n_words
                n_ptrs = int(t[i])
                ptrs = []
                for k in range(n_ptrs):
                    sym, target, tpos, st = t[i + 1 + 4 * k : i + 5 + 4 * k]
                    tpos = "a" if tpos == "s" else tpos
                    ptrs.append((sym, (tpos, target), int(st[:2], 16), int(st[2:], 16)))
                GLOSS_WORDS.update(set(re.findall(r"[a-z]+", gloss.lower())))
                acronym = any(re.fullmatch(r"[A-Z]{2,6}", w) for w in raw)
                synsets[(pos, offset)] = Synset(ss_type, words, ptrs, gloss.strip(), acronym)
    return synsets


def read_index():
    """(lemma, pos) -> synset keys in WordNet's sense order (most frequent first)."""
    senses = {}
    for pos, name in POS.items():
        with open(os.path.join(WORDNET, "index." + name), encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                t = line.split()
                n_synsets = int(t[2])
                n_ptrs = int(t[3])
                offsets = t[6 + n_ptrs : 6 + n_ptrs + n_synsets]
                senses[(lemma_text(t[0]), pos)] = [(pos, o) for o in offsets]
    return senses


def read_counts():
    """(lemma, pos, sense number) -> times tagged in WordNet's corpora."""
    counts = collections.Counter()
    with open(os.path.join(WORDNET, "cntlist.rev"), encoding="latin-1") as f:
        for line in f:
            key, number, count = line.split()
            lemma, _, rest = key.partition("%")
            pos = SS_TYPE[rest[0]]
            counts[(lemma_text(lemma), pos, int(number))] += int(count)
    return counts


def sense_shares(senses, counts):
    """(lemma, synset) -> share of the lemma's uses in that synset, over all
    its parts of speech: tagged counts plus a small prior by sense rank."""
    by_lemma = collections.defaultdict(list)
    for (lemma, pos), keys in senses.items():
        for rank, key in enumerate(keys, 1):
            by_lemma[lemma].append((key, counts[(lemma, pos, rank)] + 0.5 / rank))
    shares, tagged = {}, set()
    for lemma, items in by_lemma.items():
        total = sum(w for _, w in items)
        for key, w in items:
            shares[(lemma, key)] = shares.get((lemma, key), 0) + w / total
    for (lemma, _, _), c in counts.items():
        if c > 0:
            tagged.add(lemma)
    return shares, tagged


def depths(synsets):
    """Shortest hypernym path to a root, per synset (roots are 0)."""
    memo = {}

    def depth(key, seen=()):
        if key in memo:
            return memo[key]
        ups = [t for sym, t, _, _ in synsets[key].ptrs if sym in ("@", "@i") and t not in seen]
        d = 0 if not ups else 1 + min(depth(u, seen + (key,)) for u in ups)
        memo[key] = d
        return d

    sys.setrecursionlimit(10000)
    return {k: depth(k) for k in synsets}


def read_exceptions(names=("noun", "verb", "adj")):
    """Irregular inflection -> base forms ('said' -> ['say']), from the
    exception lists of `names` (noun.exc, verb.exc, adj.exc)."""
    bases = collections.defaultdict(list)
    for name in names:
        with open(os.path.join(WORDNET, name + ".exc"), encoding="latin-1") as f:
            for line in f:
                form, *base = (lemma_text(w) for w in line.split())
                for b in base:
                    if b != form and b not in bases[form]:
                        bases[form].append(b)
    return bases


def main():
    synsets = read_data()
    senses = read_index()
    shares, tagged = sense_shares(senses, read_counts())
    depth = depths(synsets)

    def share(lemma, key):
        return shares.get((lemma, key), 0.0)

    # Names: countries (instances of a country or nation), national capitals
    # with the country they are part of, and organisations known by an
    # acronym ("NATO" / "North Atlantic Treaty Organization").
    def instance_of(key, lemma):
        return any(
            sym == "@i" and lemma in synsets[t].words for sym, t, _, _ in synsets[key].ptrs
        )

    def is_country(key):
        for sym, t, _, _ in synsets[key].ptrs:
            if sym == "@i" and any(
                w.endswith("country") or w.endswith("nation") or w == "state"
                for w in synsets[t].words
            ):
                return True
        return False

    names = set()
    links = collections.defaultdict(dict)  # word -> alt -> (kind, conf)

    def link(a, b, kind, conf):
        if a == b or conf < MIN_CONF:
            return
        old = links[a].get(b)
        new = (kind, min(conf, 0.99))
        if old is None or (KIND_ORDER.index(kind), -conf) < (KIND_ORDER.index(old[0]), -old[1]):
            links[a][b] = new

    for key, s in synsets.items():
        country = is_country(key)
        capital = instance_of(key, "national capital")
        if country or capital or s.acronym:
            names.update(s.words)
            # Other names of the same place: "France" / "French Republic".
            for a in s.words:
                for b in s.words:
                    link(a, b, "n", 0.95)
        if capital:
            for sym, t, _, _ in s.ptrs:
                if sym == "#p" and is_country(t):
                    names.update(synsets[t].words)
                    for a in s.words:
                        for b in synsets[t].words:
                            link(a, b, "c", 0.9)
                            link(b, a, "c", 0.9)

    for key, s in synsets.items():
        for i, a in enumerate(s.words, 1):
            sa = share(a, key)
            # Synonyms: both words must be used in this sense often enough.
            for b in s.words:
                if b != a:
                    link(a, b, "s", math.sqrt(sa * share(b, key)))
            for sym, target, src, dst in s.ptrs:
                t = synsets[target]
                if src not in (0, i):
                    continue
                alts = t.words if dst == 0 else [t.words[dst - 1]]
                if sym == "+":
                    for b in alts:
                        link(a, b, "d", max(sa, 0.3) * max(share(b, target), 0.3))
                elif sym == "\\" and s.pos in "as":
                    # Pertainym: "French" pertains to "France"; both directions.
                    for b in alts:
                        conf = max(sa, 0.3)
                        link(a, b, "p", conf)
                        link(b, a, "p", conf)
                elif sym == "&":
                    for b in alts:
                        link(a, b, "s", 0.8 * math.sqrt(sa * share(b, target)))
                elif sym == "@" and src == 0 and depth[target] >= MIN_BROADER_DEPTH:
                    for b in alts:
                        link(a, b, "b", sa * share(b, target))

    # Proper names other than places are left out: they are not vocabulary.
    proper_lower = CAPITALISED - LOWERCASE

    def keep(word):
        if word in tagged or word in names:
            return True
        # An untagged word is kept when WordNet's own definitions and
        # examples use it: "compulsory" is never tagged, yet common, while
        # "lovesome" appears in no gloss.
        return GLOSS_WORDS[word] >= MIN_GLOSS_USES and word not in proper_lower

    out = sys.stdout
    out.write(
        "# Related words extracted from WordNet 3.0 by assets/wordnet/extract.py; see README.md.\n"
        "# WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.\n"
        "# word<TAB>alt kind conf...; kinds: n name, p pertainym, c capital, d derivation,\n"
        "# s synonym, b broader; conf in percent.\n"
        "# =form<TAB>base: an irregular inflection; ~verb<TAB>form...: an irregular verb.\n"
    )
    for form, bases in sorted(read_exceptions().items()):
        bases = [b for b in bases if b in links and keep(b)]
        if bases:
            out.write("=" + form + "\t" + "\t".join(bases) + "\n")
    # Irregular verbs with their forms ("~take<TAB>taken<TAB>took"), so a
    # question in one tense finds a passage in another: the stemmer leaves
    # "slept" and "sleep" apart. Single words only: questions are looked up
    # word by word.
    verbs = collections.defaultdict(list)
    for form, bases in sorted(read_exceptions(("verb",)).items()):
        for b in bases:
            if " " not in form + b and keep(b):
                verbs[b].append(form)
    for base, forms in sorted(verbs.items()):
        out.write("~" + base + "\t" + "\t".join(forms) + "\n")
    for word in sorted(links):
        if not keep(word):
            continue
        alts = [(b, k, c) for b, (k, c) in links[word].items() if keep(b)]
        alts.sort(key=lambda x: (-x[2], KIND_ORDER.index(x[1]), x[0]))
        alts = alts[:MAX_ALTS]
        if alts:
            fields = ["%s %s %d" % (b, k, max(1, round(100 * c))) for b, k, c in alts]
            out.write(word + "\t" + "\t".join(fields) + "\n")


if __name__ == "__main__":
    main()
