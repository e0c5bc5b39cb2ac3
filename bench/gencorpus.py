#!/usr/bin/env python3
"""gencorpus.py: a synthetic archive of N articles for the scale benchmark.

    gencorpus.py ENWIKI_DOCS.jsonl[.gz] N [SEED] > corpus.jsonl
    gencorpus.py --queries CORPUS.jsonl N [SEED] > queries.tsv

Words are drawn from the vocabulary of a sample of real text (the first
20,000 enwiki sections), each with its frequency there, so the corpus has
the long-tailed word distribution of real prose; body lengths follow a
log-normal distribution fitted to the same sample.  Titles draw from the
words of real titles, authors from a pool of 20,000 generated names with
Zipf-like popularity (some write often, most rarely), topics and
countries from fixed lists, also Zipf-like, and dates from 2000 to 2026,
more of them recent.  The output is deterministic for a seed.

With --queries, writes N queries of two or three consecutive words of
random titles of a generated corpus, as QID<TAB>QUERY<TAB>KEY lines.
"""
import gzip
import json
import math
import random
import re
import sys

SAMPLE_DOCS = 20000
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|[0-9]+")

TOPICS = ["Economy", "Trade", "Security", "Diplomacy", "Energy", "Climate",
          "Health", "Education", "Technology", "Finance", "Agriculture",
          "Migration", "Elections", "Law", "Defence", "Infrastructure",
          "Labour", "Tourism", "Maritime", "Human rights", "Media",
          "Development", "Water", "Urbanisation", "Demography", "Religion",
          "Culture", "Sport", "Science", "Governance"]
COUNTRIES = ["China", "Japan", "Korea", "India", "Indonesia", "Australia",
             "United States", "Vietnam", "Thailand", "Philippines", "Malaysia",
             "Singapore", "Myanmar", "Cambodia", "Laos", "Taiwan", "Mongolia",
             "Pakistan", "Bangladesh", "Sri Lanka", "Nepal", "New Zealand",
             "Papua New Guinea", "Fiji", "Russia", "European Union", "Brunei",
             "Timor-Leste", "Bhutan", "Maldives"]
SYLLABLES = ["ka", "ren", "mi", "to", "sa", "li", "an", "jo", "mar", "ti",
             "ne", "ho", "ra", "vin", "chi", "el", "do", "su", "ya", "ber",
             "go", "na", "pe", "lu", "zhu", "ki", "wa", "son", "de", "fa"]


def open_text(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def zipf_weights(n, s=1.0):
    return [1.0 / (i + 1) ** s for i in range(n)]


def cumulative(weights):
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def learn(path):
    words, titles, lengths = {}, {}, []
    with open_text(path) as f:
        for i, line in enumerate(f):
            if i >= SAMPLE_DOCS:
                break
            doc = json.loads(line)
            body = WORD.findall(doc.get("body") or "")
            if body:
                lengths.append(len(body))
            for w in body:
                words[w] = words.get(w, 0) + 1
            for w in WORD.findall(doc.get("title") or ""):
                titles[w] = titles.get(w, 0) + 1
    logs = [math.log(n) for n in lengths]
    mu = sum(logs) / len(logs)
    sigma = math.sqrt(sum((x - mu) ** 2 for x in logs) / len(logs))
    return words, titles, mu, sigma


def names(rng, n):
    out, seen = [], set()
    while len(out) < n:
        first = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        name = first.capitalize() + " " + last.capitalize()
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def generate(path, n, seed):
    rng = random.Random(seed)
    words, titles, mu, sigma = learn(path)
    vocab = sorted(words, key=lambda w: (-words[w], w))
    vocab_cum = cumulative([words[w] for w in vocab])
    tvocab = sorted(titles, key=lambda w: (-titles[w], w))
    tvocab_cum = cumulative([titles[w] for w in tvocab])
    authors = names(rng, 20000)
    author_cum = cumulative(zipf_weights(len(authors), 0.8))
    inst = ["University of " + c for c in COUNTRIES] + \
           [c + " Institute of International Affairs" for c in COUNTRIES]
    topic_cum = cumulative(zipf_weights(len(TOPICS)))
    country_cum = cumulative(zipf_weights(len(COUNTRIES)))
    out = sys.stdout
    for i in range(n):
        length = max(20, min(5000, int(rng.lognormvariate(mu, sigma))))
        body_words = rng.choices(vocab, cum_weights=vocab_cum, k=length)
        paras, start = [], 0
        while start < length:
            step = rng.randint(40, 120)
            paras.append(" ".join(body_words[start:start + step]) + ".")
            start += step
        title = " ".join(rng.choices(tvocab, cum_weights=tvocab_cum,
                                     k=rng.randint(2, 8)))
        who = rng.choices(range(len(authors)), cum_weights=author_cum,
                          k=rng.choice((1, 1, 1, 2, 2, 3)))
        # skewed towards recent years: the square root of a uniform draw
        day = int(math.sqrt(rng.random()) * 9830)
        year, rest = 2000 + day // 365, day % 365
        date = "%04d-%02d-%02d" % (min(year, 2026), rest // 31 % 12 + 1, rest % 28 + 1)
        doc = {
            "id": "gen/%07d" % i,
            "title": title,
            "date": date,
            "authors": [{"name": authors[a], "affiliation": inst[a % len(inst)]}
                        for a in dict.fromkeys(who)],
            "topics": sorted(set(rng.choices(TOPICS, cum_weights=topic_cum,
                                             k=rng.randint(1, 3)))),
            "countries": sorted(set(rng.choices(COUNTRIES, cum_weights=country_cum,
                                                k=rng.randint(1, 3)))),
            "body": "\n\n".join(paras),
        }
        out.write(json.dumps(doc, ensure_ascii=False))
        out.write("\n")


def queries(path, n, seed):
    rng = random.Random(seed)
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            docs.append((doc["id"], doc["title"].split()))
    for q in range(n):
        key, title = rng.choice(docs)
        k = min(len(title), rng.choice((2, 3)))
        start = rng.randint(0, len(title) - k)
        sys.stdout.write("q%d\t%s\t%s\n" % (q + 1, " ".join(title[start:start + k]), key))


def main(argv):
    if len(argv) >= 4 and argv[1] == "--queries":
        queries(argv[2], int(argv[3]), int(argv[4]) if len(argv) > 4 else 1)
    elif len(argv) >= 3:
        generate(argv[1], int(argv[2]), int(argv[3]) if len(argv) > 3 else 1)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
