#!/usr/bin/env python3
"""Checks related-article lists for self hits and for articles with the same text.

usage: related_check.py RELATED DOCS.jsonl[.gz] [--n 10] [--body-field body]

RELATED  lines "docid<TAB>rel1 rel2 ..." (best first, space separated)
DOCS     the corpus: one JSON object per line with "id" and a body field

Prints one line of counts over all the lists (their first N entries):

  lists          lists checked (sources found in DOCS)
  self           entries equal to their source
  repeats        entries that repeat an earlier entry of their list
  same_body      entries whose body is byte-identical to the source's
  same_body_pairs  lists holding two entries with byte-identical bodies
  same_text      entries whose text is the source's once case, punctuation and
                 white space are ignored (the same article, reformatted)
  same_text_pairs  lists holding two such entries
  near_source    entries whose body shares at least 90% of its word 5-grams with
                 the source's (Jaccard; near duplicates: an edited copy)
  near_pairs     lists holding two such entries
  twins          sources that have a byte-identical twin in DOCS (the cases the
                 first checks are about)

Every count but lists and twins must be 0 for a ranker that never lists an article
itself or twice, and never two articles with the same text.
"""
import argparse
import gzip
import json
import re
import sys
from collections import Counter

WORD = re.compile(r"\w+", re.UNICODE)


def open_text(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def normal(text):
    return " ".join(WORD.findall(text.lower()))


def shingles(text, k=5):
    w = WORD.findall(text.lower())
    if len(w) < k:
        return {tuple(w)} if w else set()
    return {tuple(w[i:i + k]) for i in range(len(w) - k + 1)}


def jaccard(a, b):
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("related")
    ap.add_argument("docs")
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--body-field", default="body")
    a = ap.parse_args(argv)

    lists = []
    needed = set()
    with open(a.related, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            src, _, rest = line.partition("\t")
            rel = rest.split()[:a.n]
            lists.append((src, rel))
            needed.add(src)
            needed.update(rel)

    body = {}
    counts = Counter()
    with open_text(a.docs) as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            b = d.get(a.body_field) or ""
            counts[b] += 1
            did = str(d["id"])
            if did in needed:
                body[did] = b

    norm = {}
    shing = {}

    def nrm(d):
        if d not in norm:
            norm[d] = normal(body.get(d, ""))
        return norm[d]

    def sh(d):
        if d not in shing:
            shing[d] = shingles(body.get(d, ""))
        return shing[d]

    c = Counter()
    for src, rel in lists:
        if src not in body:
            continue
        c["lists"] += 1
        sb = body[src]
        if sb and counts[sb] > 1:
            c["twins"] += 1
        seen = set()
        for r in rel:
            if r == src:
                c["self"] += 1
            if r in seen:
                c["repeats"] += 1
            seen.add(r)
        others = [r for r in dict.fromkeys(rel) if r != src and r in body]
        for r in others:
            if sb and body[r] == sb:
                c["same_body"] += 1
            if nrm(src) and nrm(r) == nrm(src):
                c["same_text"] += 1
            if jaccard(sh(src), sh(r)) >= 0.9:
                c["near_source"] += 1
        bodies = [body[r] for r in others if body[r]]
        if len(set(bodies)) != len(bodies):
            c["same_body_pairs"] += 1
        texts = [nrm(r) for r in others if nrm(r)]
        if len(set(texts)) != len(texts):
            c["same_text_pairs"] += 1
        near = False
        for i in range(len(others)):
            for j in range(i + 1, len(others)):
                if jaccard(sh(others[i]), sh(others[j])) >= 0.9:
                    near = True
        c["near_pairs"] += near
    keys = ["lists", "self", "repeats", "same_body", "same_body_pairs", "same_text",
            "same_text_pairs", "near_source", "near_pairs", "twins"]
    print(" ".join("%s=%d" % (k, c[k]) for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
