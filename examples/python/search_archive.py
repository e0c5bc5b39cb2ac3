#!/usr/bin/env python3
"""search_archive.py: index an archive of articles and search it, from Python.

    python3 search_archive.py INDEX.db FOLDER-OR-FILE... -- QUERY

Indexes the files and folders given (as eafindex does: a second run reads
only what changed), prints the tally, then the best hits of the query with
their authors, date and snippet, the facets of the countries, and for the
best hit the articles related to it.  Ctrl-C while indexing stops cleanly:
what was committed stays in the index.
"""
import sys

import eafsearch


def main(argv):
    if "--" not in argv or argv.index("--") < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    split = argv.index("--")
    db, paths, query = argv[0], argv[1:split], " ".join(argv[split + 1:])

    with eafsearch.Index(db, "c", lock=True) as index:
        def progress(done, total, tally):
            print("\r%d/%d files, %d added" % (done, total, tally.added), end="",
                  file=sys.stderr, flush=True)
        try:
            tally = index.add_paths(paths, progress=progress if sys.stderr.isatty() else None)
        except KeyboardInterrupt as stop:
            print("\ninterrupted: %d articles added are kept" % stop.tally.added,
                  file=sys.stderr)
            return 130
        if sys.stderr.isatty():
            print("\r\033[K", end="", file=sys.stderr)
        print("%d added, %d updated, %d unchanged, %d removed, %d skipped, %d failed"
              % tally[:6])
        for message in tally.errors:
            print("  " + message)

        results = index.search(query, limit=5, facets=3)
        if results.suggestion:
            print("Did you mean: %s" % results.suggestion)
        print("%d articles match %r%s" % (results.total, query,
              " (no article has all the words)" if results.fallback else ""))
        for hit in results:
            authors = "; ".join(name + (" (%s)" % aff if aff else "")
                                for name, aff in hit.authors)
            print("\n%s  %s\n  %s\n  %s" % (hit.date or "undated", hit.title, authors,
                                           hit.snippet))
        if results.facets and results.facets["country"]:
            print("\ncountries: " + ", ".join("%s %d" % vc
                                             for vc in results.facets["country"]))
        if len(results):
            print("\nrelated to %r:" % results[0].title)
            for rel in index.related(results[0].key, n=3, explain=True):
                print("  %.3f  %s\n         %s" % (rel.score, rel.title, rel.explanation))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
