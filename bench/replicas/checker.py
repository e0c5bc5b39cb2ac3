#!/usr/bin/env python3
"""checker.py: a client of bench/replicas.sh that notes, for every request,
when it began and ended (wall clock), its status and the generation of the
index that answered (X-Eaf-Generation), so that the bench can tell whether
any request that began after the last replica's swap was answered by an old
snapshot.

    checker.py URL OUT STOPFILE [CLIENTS]

CLIENTS threads (default 2), each with a keep-alive connection, ask
URL's /api/search in turn until STOPFILE exists; OUT gets one line per
request: START END STATUS GENERATION (a failed request: STATUS is the
error's name, GENERATION -).
"""
import http.client
import os
import sys
import threading
import time
import urllib.parse

WORDS = ["harbour", "rice", "election", "festival", "bridge", "energy"]


def client(url, stopfile, k, out, lock):
    u = urllib.parse.urlsplit(url)
    conn = None
    i = k
    lines = []
    while not os.path.exists(stopfile):
        i += 1
        t0 = time.time()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            conn.request("GET", "/api/search?q=%s&n=5" % WORDS[i % len(WORDS)])
            r = conn.getresponse()
            r.read()
            status, gen = str(r.status), r.getheader("X-Eaf-Generation") or "-"
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            status, gen = type(e).__name__, "-"
            conn = None
        lines.append("%.6f %.6f %s %s\n" % (t0, time.time(), status, gen))
        if len(lines) >= 200:
            with lock:
                out.writelines(lines)
                out.flush()
            lines = []
    with lock:
        out.writelines(lines)


def main():
    url, outpath, stopfile = sys.argv[1:4]
    clients = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    lock = threading.Lock()
    with open(outpath, "w") as out:
        ts = [threading.Thread(target=client, args=(url, stopfile, k, out, lock))
              for k in range(clients)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()


if __name__ == "__main__":
    main()
