#!/usr/bin/env python3
"""gen.py: a made-up archive of articles for bench/replicas.sh, as JSON Lines.

    gen.py N [FIRST] [SEED] > articles.jsonl

Articles FIRST to FIRST+N-1 (keys rep/NUMBER).  Three tenths of the words
are drawn from a built-in list of English words, the rest from a long tail
of made-up ones (syllables put together), each part with Zipf-like
weights, so that the queries of bench/replicas/load.lua (English words)
match from a few hundred to most of the articles; nothing is read from
../shared.  Deterministic for a seed (the vocabulary is the same for
every seed).
"""
import json
import random
import sys

WORDS = """harbour grain tariff rice port quay barge tide crane ship cargo
customs market price export import treaty minister council budget river
bridge railway station tunnel school clinic hospital doctor nurse teacher
farmer harvest drought flood storm coast island village city province
election vote party leader speech court judge law police border army navy
energy oil gas coal solar wind power grid water dam canal road bridge
trade bank loan debt interest inflation wage worker union strike factory
steel copper gold silver timber fishing fleet whale forest mountain valley
festival music theatre museum library archive newspaper radio television
bridge ferry airport flight pilot tourism hotel season winter summer spring
autumn north south east west central rural urban coastal inland northern
report survey census study plan reform project agreement dispute summit
""".split()

TOPICS = ["Economy", "Trade", "Energy", "Health", "Politics", "Transport"]
COUNTRIES = ["Japan", "China", "France", "Kenya", "Peru", "Norway", "India"]


def main():
    n = int(sys.argv[1])
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    vocab = random.Random(0)
    syll = ["ka", "lo", "mi", "ra", "te", "su", "no", "vi", "da", "pe", "zo", "ha",
            "ni", "gu", "be", "xo", "ri", "ta", "mo", "el"]
    tail = sorted(set("".join(vocab.choice(syll) for _ in range(vocab.randint(2, 4)))
                      for _ in range(4000)))
    vocab.shuffle(tail)
    head = [1.0 / (i + 1) for i in range(len(WORDS))]
    vocab.shuffle(head)
    hsum = sum(head)
    tw = [1.0 / (i + 1) for i in range(len(tail))]
    tsum = sum(tw)
    words = WORDS + tail
    weights = [0.3 * w / hsum for w in head] + [0.7 * w / tsum for w in tw]
    out = sys.stdout
    for k in range(first, first + n):
        title = " ".join(rng.choices(words, weights, k=rng.randint(3, 7))).capitalize()
        paras = []
        for _ in range(rng.randint(2, 6)):
            para = rng.choices(words, weights, k=rng.randint(30, 120))
            paras.append(" ".join(para).capitalize() + ".")
        art = {
            "id": "rep/%d" % k,
            "url": "https://example.org/rep/%d" % k,
            "title": title,
            "date": "20%02d-%02d-%02d" % (rng.randint(5, 26), rng.randint(1, 12),
                                          rng.randint(1, 28)),
            "authors": [{"name": "Writer %d" % rng.randint(1, 200)}],
            "topics": [rng.choice(TOPICS)],
            "countries": [rng.choice(COUNTRIES)],
            "summary": paras[0][:160],
            "body": "\n\n".join(paras),
        }
        out.write(json.dumps(art) + "\n")


if __name__ == "__main__":
    main()
