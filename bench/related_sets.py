#!/usr/bin/env python3
"""Makes the short-text variants of the tagged corpora for bench/related.sh.

usage: related_sets.py SHARED OUTDIR

SHARED is the shared folder (its corpora/ are read, never changed); OUTDIR
gets, for each variant, NAME.jsonl (what every system indexes: the title and
the cut body, no tags, so that no system sees the labels as words) and
NAME.eval.jsonl (the same with the original tags, what the lists are scored
by).  The variants, short texts like newswire stories:

  bbc_para     each BBC story cut to its first paragraph (its lead sentence)
  bbc_60w      each BBC story cut to its first 60 words
  18f_summary  each 18F post cut to its summary (the post's excerpt)

Nothing is written when the files are newer than their corpus.  The texts
stay under OUTDIR (a scratch folder): they are never part of the project.
"""
import json
import os
import sys


def first_paragraph(body):
    for para in body.split("\n\n"):
        if para.strip():
            return para.strip()
    return ""


def first_words(body, n):
    return " ".join(body.split()[:n])


VARIANTS = {
    "bbc_para": ("bbc", lambda d: first_paragraph(d.get("body") or "")),
    "bbc_60w": ("bbc", lambda d: first_words(d.get("body") or "", 60)),
    "18f_summary": ("18f_blog", lambda d: (d.get("excerpt") or "").strip()),
}


def make(shared, out, name):
    corpus, cut = VARIANTS[name]
    src = os.path.join(shared, "corpora", corpus, "docs.jsonl")
    dst = os.path.join(out, name + ".jsonl")
    ev = os.path.join(out, name + ".eval.jsonl")
    if (os.path.exists(dst) and os.path.exists(ev)
            and os.path.getmtime(dst) >= os.path.getmtime(src)):
        return
    with open(src, encoding="utf-8") as f, \
            open(dst + ".tmp", "w", encoding="utf-8") as d, \
            open(ev + ".tmp", "w", encoding="utf-8") as e:
        for line in f:
            doc = json.loads(line)
            short = {"id": doc["id"], "title": doc.get("title") or "", "date": doc.get("date"),
                     "authors": [], "tags": [], "body": cut(doc)}
            d.write(json.dumps(short, ensure_ascii=False) + "\n")
            short["tags"] = doc.get("tags") or []
            e.write(json.dumps(short, ensure_ascii=False) + "\n")
    os.replace(dst + ".tmp", dst)
    os.replace(ev + ".tmp", ev)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    os.makedirs(sys.argv[2], exist_ok=True)
    for name in VARIANTS:
        make(sys.argv[1], sys.argv[2], name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
