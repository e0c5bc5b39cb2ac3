#!/usr/bin/python3
"""http_test.py: eafserve's HTTP tests, TAP output (run by tests/serve/http.sh).

Starts eafserve on an ephemeral loopback port on indexes built here with
eafindex from tests/serve/*.jsonl, and checks every route, the statuses and
error objects, the caching and compression headers, the security headers,
the signals (SIGHUP reopens, SIGTERM drains), an index written while it
serves, and hostile requests.  /api/search must print what
`eafquery --format json` prints, byte for byte.

Usage: http_test.py BUILDDIR SRCDIR TMPDIR [WRAPPER...]
(WRAPPER: a tool to run the main server under, such as valgrind)
"""
import gzip
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

BUILD, SRC, TMP = sys.argv[1:4]
WRAPPER = sys.argv[4:]
EAFSERVE = os.path.join(BUILD, "tools", "eafserve")
EAFINDEX = os.path.join(BUILD, "tools", "eafindex")
EAFQUERY = os.path.join(BUILD, "tools", "eafquery")
EAFRELATED = os.path.join(BUILD, "tools", "eafrelated")
FIXTURES = os.path.join(SRC, "tests", "serve")
SLOW = 20 if WRAPPER else 1   # timeouts grow under valgrind

CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' http: https:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

n_tests = 0
n_failed = 0


def ok(cond, name, detail=None):
    global n_tests, n_failed
    n_tests += 1
    if cond:
        print("ok %d - %s" % (n_tests, name))
    else:
        n_failed += 1
        print("not ok %d - %s" % (n_tests, name))
        if detail is not None:
            for line in str(detail).splitlines()[:15]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


def is_(got, want, name):
    return ok(got == want, name, "got:      %r\nexpected: %r" % (got, want))


def run(*args, **kw):
    return subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def index(db, *files):
    r = run(EAFINDEX, "-q", "-d", db, *files)
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode(errors="replace"))
        raise SystemExit("eafindex failed")


class Server:
    def __init__(self, db, *opts, wrapper=()):
        self.dir = os.path.join(TMP, "srv%d" % random.randrange(1 << 30))
        os.mkdir(self.dir)
        self.portfile = os.path.join(self.dir, "port")
        self.log = os.path.join(self.dir, "access.log")
        self.errfile = open(os.path.join(self.dir, "stderr"), "w+")
        cmd = list(wrapper) + [EAFSERVE, "-d", db, "--listen", "127.0.0.1:0",
                               "--port-file", self.portfile, "--access-log", self.log,
                               "--threads", "3"] + list(opts)
        self.p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.errfile)
        deadline = time.time() + 10 * SLOW
        while not os.path.exists(self.portfile):
            if self.p.poll() is not None or time.time() > deadline:
                raise SystemExit("eafserve did not start: " + self.stderr())
            time.sleep(0.02)
        self.port = int(open(self.portfile).read())

    def stderr(self):
        self.errfile.flush()
        self.errfile.seek(0)
        return self.errfile.read()

    def req(self, path, method="GET", headers=None, body=None, timeout=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout or 30 * SLOW)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def get_json(self, path, **kw):
        st, h, body = self.req(path, **kw)
        try:
            return st, h, json.loads(body)
        except ValueError:
            return st, h, None

    def raw(self, data, timeout=None):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout or 10 * SLOW)
        s.sendall(data)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
        return out

    def signal(self, sig):
        self.p.send_signal(sig)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=30 * SLOW)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return -9


def q(s):
    return urllib.parse.quote(s, safe="")


def eafquery_json(db, *args):
    return run(EAFQUERY, "-d", db, "--format", "json", *args).stdout


def snapshot(src, dest):
    r = run(EAFINDEX, "-d", src, "--snapshot", dest)
    m = re.search(rb"(\d+) articles, (\d+) bytes, generation (\d+)", r.stdout)
    if r.returncode != 0 or not m:
        raise SystemExit("eafindex --snapshot failed: %r %r" % (r.stdout, r.stderr))
    return int(m.group(1)), int(m.group(3))


def search_clients(v, n, seen, stop):
    """n threads asking server v for a search in a loop until stop is set,
    each answer noted in seen as (thread, status or error, generation)."""
    def client(k):
        c = None
        while not stop.is_set():
            try:
                if c is None:
                    c = http.client.HTTPConnection("127.0.0.1", v.port, timeout=30 * SLOW)
                c.request("GET", "/api/search?q=rice&n=3")
                r = c.getresponse()
                r.read()
                seen.append((k, r.status, r.getheader("X-Eaf-Generation")))
            except (OSError, http.client.HTTPException) as e:
                seen.append((k, repr(e), None))
                c = None
        if c:
            c.close()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    return threads


def wait_replaced(v, count):
    """Waits (a few seconds at most) until server v has said count times
    that its index was replaced."""
    deadline = time.time() + 5 * SLOW
    while time.time() < deadline and v.stderr().count("was replaced") < count:
        time.sleep(0.05)


def snapshots():
    """eafserve on a snapshot (eafindex --snapshot); new snapshots renamed
    over it while clients keep asking: every request answered, each with
    the generation that answered it (X-Eaf-Generation), the new one served
    within a few seconds without SIGHUP and never the old one again; a
    file that is no index at the path: /healthz 503 (a balancer takes the
    replica out), and 200 again with a good one."""
    master = os.path.join(TMP, "master.db")
    index(master, os.path.join(FIXTURES, "articles.jsonl"))
    rep = os.path.join(TMP, "replica.db")
    n1, g1 = snapshot(master, rep)
    v = Server(rep)
    st, h, js = v.get_json("/api/stats")
    ok(st == 200 and js["generation"] == g1 and h.get("x-eaf-generation") == str(g1),
       "a snapshot served: its generation in /api/stats and X-Eaf-Generation", (h, js))
    st, h, body = v.req("/healthz")
    ok(st == 200 and h.get("x-eaf-generation") == str(g1), "/healthz: 200 and the generation",
       h)
    is_(v.req("/api/search?q=rice")[1].get("x-eaf-generation"), str(g1),
        "/api/search says which generation answered")
    is_(v.req("/static/style.css")[1].get("x-eaf-generation"), None,
        "an answer not from the index has none")

    seen = []      # (thread, status or error, generation)
    stop = threading.Event()
    threads = search_clients(v, 3, seen, stop)
    time.sleep(0.2 * SLOW)
    extra = os.path.join(TMP, "snap-extra.jsonl")
    with open(extra, "w") as f:
        f.write(json.dumps({"id": "serve/snap", "title": "Pepper of Kerala",
                            "date": "2023-02-02", "body": "Keralapepper on the quay."}) + "\n")
    index(master, extra)
    n2, g2 = snapshot(master, rep + ".new")
    os.replace(rep + ".new", rep)
    wait_replaced(v, 1)
    mark = len(seen)
    time.sleep(0.3 * SLOW)
    # the second: eafindex --snapshot over the served file itself
    with open(extra, "a") as f:
        f.write(json.dumps({"id": "serve/snap2", "title": "Saffron of Kashmir",
                            "date": "2023-02-03", "body": "Saffron on the quay."}) + "\n")
    index(master, extra)
    n3, g3 = snapshot(master, rep)
    wait_replaced(v, 2)
    mark3 = len(seen)
    time.sleep(0.3 * SLOW)
    stop.set()
    for t in threads:
        t.join()
    bad = [x for x in seen if x[1] != 200]
    ok(len(seen) > 20 and not bad, "%d requests while two snapshots were renamed in: all 200"
       % len(seen), bad[:5])
    ok(n2 == n1 + 1 and n3 == n1 + 2 and g1 < g2 < g3, "three snapshots, three generations",
       (n1, n2, n3, g1, g2, g3))
    ok(v.stderr().count("was replaced") == 2, "the server saw each new file by itself",
       v.stderr()[-400:])
    def after(lo, hi):
        # each client's answers from lo to hi, but its first: a request in
        # flight when the change was seen finishes on the old file
        out = []
        for k in range(len(threads)):
            out += [x[2] for x in seen[lo:hi] if x[0] == k][1:]
        return out
    gens = after(mark, mark3)
    ok(gens and str(g1) not in gens,
       "after the first was seen, no request began on the old file", set(gens))
    gens = after(mark3, len(seen))
    ok(gens and set(gens) == {str(g3)},
       "after the second, only the newest generation answers", set(gens))
    back = []
    for k in range(len(threads)):
        g = [int(x[2]) for x in seen if x[0] == k and x[2]]
        back += [(a, b) for a, b in zip(g, g[1:]) if b < a]
    ok(not back, "no client saw a generation go back", back[:3])
    st, h, js = v.get_json("/api/search?q=saffron")
    ok(st == 200 and js["total"] == 1, "the new article is found, with no SIGHUP", js)
    ok(not os.path.exists(rep + "-wal") and not os.path.exists(rep + "-shm"),
       "no log beside the served snapshot")

    # a file that is no index at the path: the replica is unhealthy
    with open(rep + ".bad", "wb") as f:
        f.write(b"not an index" * 100)
    os.replace(rep + ".bad", rep)
    deadline = time.time() + 5 * SLOW
    codes = set()
    while time.time() < deadline:
        if v.stderr().count("was replaced") >= 3:
            codes = set(v.req("/healthz")[0] for _ in range(9))
            break
        time.sleep(0.05)
    is_(codes, {503}, "/healthz: 503 on every worker when the index cannot be opened")
    snapshot(master, rep)
    wait_replaced(v, 4)
    codes = set(v.req("/healthz")[0] for _ in range(9))
    is_(codes, {200}, "and 200 again with a good snapshot")
    is_(v.stop(), 0, "exit 0")


def set_snapshots():
    """eafserve on the snapshot of a shard set (a folder); a new snapshot
    written over it (exchanged whole) while clients keep asking: every
    request answered, the new set served within a few seconds without
    SIGHUP, and never the old one again."""
    master = os.path.join(TMP, "master-set")
    r = run(EAFINDEX, "-q", "--shards", "2", "-d", master, os.path.join(FIXTURES, "articles.jsonl"))
    if r.returncode != 0:
        raise SystemExit("eafindex --shards failed: %r" % r.stderr)
    rep = os.path.join(TMP, "replica-set")
    n1, g1 = snapshot(master, rep)
    ok(os.path.isdir(rep) and os.path.exists(os.path.join(rep, "eafshards")),
       "the snapshot of a set is a folder with its manifest", os.listdir(TMP))
    v = Server(rep)
    st, h, js = v.get_json("/api/stats")
    ok(st == 200 and js["generation"] == g1 and js.get("articles", n1) == n1,
       "the set's snapshot served, with its generation", js)
    # its related posts: the lists eafindex stored in the set, read as stored
    st, h, js = v.get_json("/api/related/" + q("serve/rice-tariffs"))
    want = json.loads(run(EAFRELATED, "-d", master, "--format", "json",
                          "serve/rice-tariffs").stdout or "{}").get("related", [])
    ok(st == 200 and js.get("stored") is True and want and
       [x["key"] for x in js.get("related", [])] == [x["key"] for x in want],
       "the set's related posts served, stored, the master set's lists", (st, js, want))
    seen = []
    stop = threading.Event()
    threads = search_clients(v, 3, seen, stop)
    time.sleep(0.2 * SLOW)
    extra = os.path.join(TMP, "set-extra.jsonl")
    with open(extra, "w") as f:
        f.write(json.dumps({"id": "serve/set-snap", "title": "Cardamom of Idukki",
                            "date": "2023-02-04", "body": "Cardamom on the quay."}) + "\n")
    index(master, extra)
    n2, g2 = snapshot(master, rep)
    wait_replaced(v, 1)
    mark = len(seen)
    time.sleep(0.3 * SLOW)
    stop.set()
    for t in threads:
        t.join()
    bad = [x for x in seen if x[1] != 200]
    ok(len(seen) > 10 and not bad, "%d requests while a set's snapshot was exchanged: all 200"
       % len(seen), bad[:5])
    ok(n2 == n1 + 1 and g2 > g1, "the second snapshot holds the new article", (n1, n2, g1, g2))
    gens = []
    for k in range(len(threads)):
        gens += [x[2] for x in seen[mark:] if x[0] == k][1:]
    ok(gens and set(gens) == {str(g2)}, "after it was seen, only the new set answers", set(gens))
    st, h, js = v.get_json("/api/search?q=cardamom")
    ok(st == 200 and js["total"] == 1, "the new article is found, with no SIGHUP", js)
    ok(not [n for n in os.listdir(TMP) if n.startswith("replica-set.")],
       "nothing left beside the set's snapshot", os.listdir(TMP))
    is_(v.stop(), 0, "exit 0")


def main():
    db = os.path.join(TMP, "t.db")
    index(db, os.path.join(FIXTURES, "articles.jsonl"), os.path.join(FIXTURES, "hostile.jsonl"))

    # a bigger index, for the time limit and the drain: made-up words
    rnd = random.Random(7)
    syll = ["ka", "to", "ri", "mu", "sen", "dai", "lo", "pe", "zan", "qui", "vor", "el"]
    vocab = sorted({"".join(rnd.choice(syll) for _ in range(rnd.randint(2, 4)))
                    for _ in range(5000)})
    big_src = os.path.join(TMP, "big.jsonl")
    with open(big_src, "w") as f:
        for i in range(3000):
            words = [rnd.choice(vocab) for _ in range(120)]
            f.write(json.dumps({"id": "big/%d" % i, "title": " ".join(words[:6]),
                                "date": "20%02d-01-01" % (i % 20), "authors": ["A%d" % (i % 40)],
                                "topics": ["T%d" % (i % 30)], "body": " ".join(words)}) + "\n")
    big = os.path.join(TMP, "big.db")
    index(big, big_src)
    heavy = "/api/search?q=" + q("ka* OR to* OR ri* OR mu* OR sen* OR dai*") + \
        "&rank_all=1&facets=1&n=100"

    # ---- the command line -----------------------------------------------------
    r = run(EAFSERVE, "--help")
    ok(r.returncode == 0 and b"--listen" in r.stdout and b"--time-limit" in r.stdout,
       "--help lists the options")
    r = run(EAFSERVE, "--version")
    ok(r.returncode == 0 and b"eafserve" in r.stdout, "--version")
    is_(run(EAFSERVE, "--bogus").returncode, 2, "an unknown option: exit 2")
    is_(run(EAFSERVE, "-d", db, "--listen", "nowhere").returncode, 2, "a bad --listen: exit 2")
    is_(run(EAFSERVE, "-d", db, "--threads", "0").returncode, 2, "--threads 0: exit 2")
    r = run(EAFSERVE, "-d", os.path.join(TMP, "missing.db"), "--listen", "127.0.0.1:0")
    ok(r.returncode == 1 and b"missing.db" in r.stderr, "a missing index: exit 1, named",
       r.stderr)

    s = Server(db, "--time-limit", "60000" if WRAPPER else "5000", wrapper=WRAPPER)
    ok(re.search(r"listening on http://127\.0\.0\.1:%d/" % s.port, s.stderr()) is not None,
       "says where it listens", s.stderr())

    # ---- /healthz, /api/stats, /api/openapi.json ---------------------------------
    st, h, body = s.req("/healthz")
    ok(st == 200 and body == b"ok\n", "/healthz: 200 ok")
    st, h, js = s.get_json("/api/stats")
    ok(st == 200 and js and js["articles"] == 11 and js["language"] == "english" and
       isinstance(js["generation"], int) and "uptime_seconds" in js and js["requests"] >= 1,
       "/api/stats: articles, generation, language, uptime, requests", js)
    gen0 = js["generation"] if js else None
    st, h, js = s.get_json("/api/openapi.json")
    ok(st == 200 and js and js["openapi"].startswith("3.") and
       all(p in js["paths"] for p in ["/api/search", "/api/related/{key}", "/api/article/{key}",
                                     "/api/suggest", "/api/stats", "/healthz"]),
       "/api/openapi.json: OpenAPI 3 naming every route")

    # ---- /api/search is eafquery --format json -------------------------------------
    cases = [
        ("q=rice", ["rice"]),
        ("q=rice+japan", ["rice japan"]),
        ("q=rice&n=3&offset=2&sort=newest", ["-n", "3", "--offset", "2", "--sort", "newest",
                                            "rice"]),
        ("q=rice&facets=1", ["--facets", "rice"]),
        ("q=rice&fields=rank,key,tags,summary,countries", ["--fields",
                                                          "rank,key,tags,summary,countries",
                                                          "rice"]),
        ("q=rice&html=1", ["--html", "rice"]),
        ("q=ryce", ["ryce"]),
        ("q=rice+steel+monsoon+ports", ["rice steel monsoon ports"]),
        ("q=rice+steel+monsoon+ports&all_words=1", ["--all-words", "rice steel monsoon ports"]),
        ("q=&topic=Trade&author=Lim+Wei", ["--topic", "Trade", "--author", "Lim Wei"]),
        ("q=rice&after=2018&before=2019-06", ["--after", "2018", "--before", "2019-06", "rice"]),
        ("q=rice&n=0", ["-n", "0", "rice"]),
        ("q=rice&k1=1.2&b=0.5&proximity=0&weights=1,1,1,1,1,1,1,1",
         ["--k1", "1.2", "--b", "0.5", "--proximity", "0", "--weights", "1,1,1,1,1,1,1,1",
          "rice"]),
        ("q=rice&feedback=1&no_fallback=1&no_aliases=1",
         ["--feedback", "--no-fallback", "--no-aliases", "rice"]),
        ("q=rice+steel+monsoon+ports&feedback=0", ["--no-feedback", "rice steel monsoon ports"]),
    ]
    for qs, args in cases:
        st, h, body = s.req("/api/search?" + qs)
        want = eafquery_json(db, *args)
        ok(st == 200 and body == want and len(want) > 50,
           "/api/search?%s is eafquery --format json %s, byte for byte" % (qs, " ".join(args)),
           "status %d\n%s" % (st, body[:300].decode(errors="replace")))
    st, h, js = s.get_json("/api/search?q=rice&explain=1")
    ok(st == 200 and isinstance(js.get("explain"), str) and js["explain"],
       "explain=1 adds the explanation")

    # ---- errors --------------------------------------------------------------------
    def error(path, status, name, offset=None):
        st, h, js = s.get_json(path)
        e = js.get("error", {}) if isinstance(js, dict) else {}
        good = (st == status and e.get("status") == status and isinstance(e.get("message"), str)
                and h.get("content-type") == "application/json; charset=utf-8")
        if offset is not None:
            good = good and e.get("offset") == offset
        else:
            good = good and "offset" not in e
        return ok(good, name, "status %d: %r" % (st, js))

    error("/api/search?q=" + q('"rice') + "&strict=1", 400,
          "strict syntax error: 400 with the offset", 0)
    error("/api/search?q=" + q("rice AND") + "&strict=1", 400,
          "strict syntax error: its offset (5)", 5)
    error("/api/search", 400, "no query: 400")
    error("/api/search?q=rice&n=101", 400, "n over the limit: 400")
    error("/api/search?q=rice&n=99999999999999999999", 400, "a huge n: 400")
    error("/api/search?q=rice&n=-1", 400, "a negative n: 400")
    error("/api/search?q=rice&offset=10001", 400, "offset over the limit: 400")
    error("/api/search?q=rice&sort=sideways", 400, "an unknown sort: 400")
    error("/api/search?q=rice&after=yesterday", 400, "an invalid date: 400")
    error("/api/search?q=rice&fields=key,nope", 400, "an unknown field: 400")
    error("/api/search?q=rice&strict=maybe", 400, "a flag neither 0 nor 1: 400")
    error("/api/search?q=" + "a" * 1025, 413, "a query over 1024 bytes: 413")
    error("/api/search?q=rice" + "&author=x" * 17, 413, "17 values of a filter: 413")
    error("/api/search?q=rice" + "&x=1" * 70, 413, "too many parameters: 413")
    error("/api/search?q=ri%00ce", 400, "a NUL byte in the query: 400")
    error("/api/related/nope", 404, "related: an unknown key: 404")
    error("/api/article/nope", 404, "article: an unknown key: 404")
    error("/api/nope", 404, "an unknown API route: 404 in JSON")
    error("/api/suggest?q=ri&n=0", 400, "suggest: n out of range: 400")
    st, h, js = s.get_json("/api/search?q=rice", method="POST")
    ok(st == 405 and h.get("allow") == "GET, HEAD" and js["error"]["status"] == 405,
       "POST: 405 with Allow, in JSON", (st, h))
    st, h, body = s.req("/", method="DELETE")
    ok(st == 405 and h.get("allow") == "GET, HEAD" and
       h.get("content-type", "").startswith("text/html"), "DELETE /: 405 page")
    st, h, js = s.get_json("/api/search?q=rice", headers={"Content-Length": "5"}, body=b"hello")
    is_(st, 413, "a GET with a body: 413")
    st, h, js = s.get_json("/api/search?q=" + "a" * 9000)
    ok(st == 414 and js and js["error"]["status"] == 414, "a URL over 8192 bytes: 414")
    resp = s.raw(b"GET /api/search?q=" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    ok(re.match(rb"HTTP/1\.1 (414|431|400)", resp) is not None, "a 100 KB request line: refused",
       resp[:100])

    # ---- keep-alive: GET and HEAD answered on one connection, one after another ----------
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30 * SLOW)
    socks, statuses, closes = [], [], []
    for path, method in (("/api/search?q=rice", "GET"), ("/?q=rice", "GET"),
                         ("/static/style.css", "HEAD"), ("/nope", "GET"),
                         ("/api/stats", "GET")):
        c.request(method, path)
        r = c.getresponse()
        r.read()
        socks.append(c.sock)
        statuses.append(r.status)
        closes.append((r.getheader("Connection") or "").lower())
    c.close()
    ok(statuses == [200, 200, 200, 404, 200] and "close" not in closes and
       socks[0] is not None and all(x is socks[0] for x in socks),
       "keep-alive: five requests (GET, HEAD, a 404) on one connection", (statuses, closes))
    # a request with a body is refused on its connection, which then closes
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30 * SLOW)
    c.request("GET", "/api/search?q=rice", body=b"hello", headers={"Content-Length": "5"})
    r = c.getresponse()
    r.read()
    ok(r.status == 413 and (r.getheader("Connection") or "").lower() == "close",
       "a GET with a body: 413, and that connection closed")
    c.close()

    # ---- the other routes --------------------------------------------------------------
    key = "serve/rice-tariffs"
    st, h, js = s.get_json("/api/related/" + q(key))
    ok(st == 200 and js["key"] == key and js["title"] == "Rice tariffs between Japan and China"
       and isinstance(js["related"], list) and len(js["related"]) > 0 and
       all("key" in x and "score" in x and "why" not in x for x in js["related"]),
       "/api/related/KEY: the list", js)
    st, h, js = s.get_json("/api/related/" + q(key) + "?explain=1&n=2")
    ok(st == 200 and len(js["related"]) <= 2 and
       all(isinstance(x.get("why"), str) and "shared" in x for x in js["related"]),
       "/api/related/KEY?explain=1: why and shared")
    st, h, js = s.get_json("/api/article/" + q(key))
    ok(st == 200 and js["key"] == key and js["authors"][0] ==
       {"name": "Aiko Tanaka", "affiliation": "Kobe Trade Institute"} and
       js["countries"] == ["Japan", "China"] and js["topics"] == ["Trade"] and
       js["tags"] == ["agriculture"] and js["date"] == "2018-05-16" and "Niigata" in js["body"],
       "/api/article/KEY: all the metadata", js)
    odd = "hostile/key with spaces/and%25percent?and#hash"
    st, h, js = s.get_json("/api/article/" + q(odd))
    ok(st == 200 and js and js["key"] == odd, "a key with spaces, %, ? and #, percent-encoded")
    st, h, js = s.get_json("/api/article/" + q("javascript:alert(7)"))
    ok(st == 200 and js and js["url"] == "javascript:alert(7)", "a key that is a javascript: url")
    st, h, js = s.get_json("/api/suggest?q=ri&n=5")
    ok(st == 200 and js["query"] == "ri" and 0 < len(js["suggestions"]) <= 5 and
       js["suggestions"][0] == {"text": "rice", "kind": "words", "count": 7, "key": None} and
       all(x["kind"] in ("words", "title") for x in js["suggestions"]) and
       any(x["kind"] == "title" and x["key"] for x in js["suggestions"]),
       "/api/suggest: words and titles", js)
    st, h, js = s.get_json("/api/suggest")
    ok(st == 200 and js == {"query": "", "suggestions": []}, "/api/suggest with nothing typed")

    # ---- the pages (whatever their content): statuses and types -------------------------
    for path, status in [("/", 200), ("/?q=rice", 200), ("/?q=rice&facets=1&sort=newest", 200),
                         ("/article/" + q(key), 200), ("/article/nope", 404),
                         ("/embed/related/" + q(key), 200), ("/opensearch.xml", 200),
                         ("/static/style.css", 200), ("/static/complete.js", 200),
                         ("/nope", 404), ("/static/nope.css", 404), ("/?n=1000", 400)]:
        st, h, body = s.req(path)
        ctype = h.get("content-type", "")
        ok(st == status and "charset=utf-8" in ctype, "%s: %d, %s" % (path, status, ctype),
           (st, ctype))
    st, h, body = s.req("/static/style.css")
    ok(h.get("content-type") == "text/css; charset=utf-8", "the stylesheet is text/css")

    # ---- headers ---------------------------------------------------------------------------
    for path in ["/", "/api/search?q=rice", "/nope", "/api/nope", "/static/style.css"]:
        st, h, body = s.req(path)
        ok(h.get("content-security-policy") == CSP and h.get("x-content-type-options") ==
           "nosniff" and h.get("referrer-policy") == "same-origin" and
           h.get("vary") == "Accept-Encoding", "%s: CSP, nosniff, Referrer-Policy, Vary" % path,
           h)
    st, h, body = s.req("/embed/related/" + q(key))
    ok(h.get("content-security-policy") == CSP.replace("frame-ancestors 'none'",
                                                       "frame-ancestors *"),
       "/embed/: frame-ancestors *", h.get("content-security-policy"))

    # ETag and 304
    st, h, body = s.req("/api/search?q=rice")
    etag = h.get("etag")
    ok(etag and etag.startswith('"') and "last-modified" in h, "ETag and Last-Modified", h)
    st, h2, body2 = s.req("/api/search?q=rice", headers={"If-None-Match": etag})
    ok(st == 304 and body2 == b"" and h2.get("etag") == etag, "If-None-Match: 304, no body")
    st, h2, body2 = s.req("/api/search?q=rice", headers={"If-None-Match": '"x", W/' + etag})
    is_(st, 304, "If-None-Match with a list and W/: 304")
    st, h2, body2 = s.req("/api/search?q=rice", headers={"If-None-Match": '"other"'})
    is_(st, 200, "another ETag: 200")
    st, h2, body2 = s.req("/static/style.css")
    st, h3, body3 = s.req("/static/style.css", headers={"If-None-Match": h2.get("etag", "")})
    is_(st, 304, "a static asset: 304 on its ETag")
    st, h2, body2 = s.req("/api/stats")
    ok("etag" not in h2 and h2.get("cache-control") == "no-store", "/api/stats: not cached")
    st, h2, body2 = s.req("/api/nope")
    ok("etag" not in h2, "errors: no ETag")

    # gzip
    st, hz, bz = s.req("/api/search?q=rice", headers={"Accept-Encoding": "gzip, deflate"})
    ok(hz.get("content-encoding") == "gzip" and gzip.decompress(bz) == body and
       hz.get("etag") != etag, "gzip when accepted: the same bytes, its own ETag")
    st, hz, bz = s.req("/api/search?q=rice", headers={"Accept-Encoding": "gzip;q=0"})
    ok("content-encoding" not in hz and bz == body, "gzip;q=0: not compressed")
    st, hz, bz = s.req("/", headers={"Accept-Encoding": "gzip"})
    ok(hz.get("content-encoding") == "gzip" and b"<" in gzip.decompress(bz), "pages gzipped too")

    # HEAD
    st, hh, bh = s.req("/api/search?q=rice", method="HEAD")
    ok(st == 200 and bh == b"" and hh.get("content-length") == str(len(body)),
       "HEAD: the headers, no body")

    # ---- hostile requests ----------------------------------------------------------------------
    for path in ["/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd",
                 "/../../../../etc/passwd", "/static/..%2f..%2fetc%2fpasswd",
                 "/article/..%2f..%2f..%2fetc%2fpasswd", "//etc/passwd", "/static//etc/passwd"]:
        st, h, body = s.req(path)
        ok(st == 404 and b"root:" not in body, "%s: 404, no file" % path, (st, body[:80]))
    for qs in ["q=%ff%fe%fd", "q=%c3", "q=ri%e2%80%aece", "q=%ed%a0%80", "q=" + q("\u202e" * 50),
               "q=" + q("*" * 200), "q=" + q('"' * 300), "q=" + q("(" * 500),
               "q=" + q("a OR " * 150 + "b"), "q=" + q("NOT -" * 100),
               "q=" + q("title:author:country:" * 20), "q=rice&mark_open=%ff&mark_close=%00",
               "q=rice&offset=10000", "q=rice&n=100", "q=rice&author=%ff"]:
        st, h, js = s.get_json("/api/search?" + qs)
        ok(st in (200, 400) and js is not None, "hostile query %s: %d, JSON" % (qs[:40], st))
    st, h, js = s.get_json("/api/related/%ff%fe")
    ok(st == 404 and js is not None, "related of a key of broken UTF-8: 404 JSON")
    st, h, body = s.req("/article/%00")
    is_(st, 400, "/article/%00: 400")
    st, h, body = s.req("/api/search?q=a%0d%0aX-Injected:%20yes")
    ok("x-injected" not in h, "no header injection through the query")
    resp = s.raw(b"GARBAGE\r\n\r\n")
    ok(resp == b"" or resp.startswith(b"HTTP/1."), "a garbage request line: refused or closed")
    resp = s.raw(b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n")
    ok(resp == b"" or re.match(rb"HTTP/1\.1 4\d\d", resp), "a 70 KB header: refused")
    resp = s.raw(b"GET /healthz HTTP/1.1\r\nHost: \"><script>\r\n\r\n")
    ok(resp.startswith(b"HTTP/1.1 200"), "a hostile Host header")
    for path in ["/?q=" + q("<script>alert(1)</script>"), "/?q=hostile",
                 "/article/" + q("hostile/script-title"), "/embed/related/" + q("serve/rice-tariffs"),
                 "/article/" + q("javascript:alert(7)"), "/opensearch.xml"]:
        st, h, body = s.req(path, headers={"Host": 'x"><script>alert(1)</script>'})
        ok(b"<script>alert" not in body and b'" onmouseover="alert' not in body and
           b'href="javascript:' not in body, "%s: no hostile markup in the page" % path[:50])

    st, h, js = s.get_json("/api/article/" + q("hostile/script-title"))
    ok(st == 200 and js["title"] == "<script>alert('title')</script> Rice hostile" and
       js["authors"][0]["name"] == '" onmouseover="alert(1)',
       "hostile text goes through the JSON API unchanged (as JSON)")
    st, h, js = s.get_json("/api/article/" + q("hostile/rtl-marks"))
    ok(st == 200 and js is not None, "an article with RTL marks, NUL and control characters")

    st, h, body = s.req("/healthz")
    ok(st == 200 and s.p.poll() is None, "still up after the hostile requests")

    # ---- the access log ------------------------------------------------------------------------
    with open(s.log, "rb") as f:
        lines = f.read().splitlines()
    clf = re.compile(rb'^\S+ - - \[\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "[^"]*" \d{3} '
                     rb'(\d+|-) "[^"]*" "[^"]*" \d+$')
    bad = [x for x in lines if not clf.match(x)]
    ok(len(lines) > 100 and not bad, "access log: %d lines, Combined Log Format and a time"
       % len(lines), bad[:3])
    ok(any(b'"GET /healthz HTTP/1.1" 200 3 ' in x for x in lines), "the log has status and size")

    # ---- new articles while serving (eafindex writes meanwhile) ------------------------------------
    extra = os.path.join(TMP, "extra.jsonl")
    with open(extra, "w") as f:
        f.write(json.dumps({"id": "serve/zanzibar", "title": "Cloves of Zanzibar",
                            "date": "2022-01-01", "body": "Zanzibarclove harvest."}) + "\n")
    st, h, js = s.get_json("/api/search?q=zanzibarclove")
    is_(js["total"] if js else None, 0, "a word not indexed yet: 0 hits")
    old_etag = s.req("/api/search?q=rice")[1].get("etag")
    results = []
    stop = threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                results.append(s.req("/api/search?q=rice&facets=1")[0])
            except OSError as e:
                results.append(str(e))
    t = threading.Thread(target=hammer)
    t.start()
    writer = subprocess.Popen([EAFINDEX, "-q", "-d", db, big_src, extra],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    werr = writer.communicate()[1]
    time.sleep(0.2)
    stop.set()
    t.join()
    ok(writer.returncode == 0, "eafindex wrote while the server served", werr)
    ok(len(results) > 3 and all(x == 200 for x in results),
       "every request meanwhile: 200 (%d requests)" % len(results), set(map(str, results)))
    st, h, js = s.get_json("/api/search?q=zanzibarclove")
    ok(st == 200 and js["total"] == 1, "the new article is found without a restart", js)
    st, h, js = s.get_json("/api/stats")
    ok(js["articles"] == 11 + 3001 and js["generation"] != gen0,
       "/api/stats: the new count and generation", js)
    st, h, body = s.req("/api/search?q=rice", headers={"If-None-Match": old_etag})
    ok(st == 200 and h.get("etag") != old_etag, "the old ETag no longer matches")

    # ---- SIGHUP: the index replaced, the access log moved -------------------------------------------
    small = os.path.join(TMP, "small.db")
    index(small, os.path.join(FIXTURES, "articles.jsonl"))
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(small + suffix):
            os.replace(small + suffix, db + suffix)
        elif os.path.exists(db + suffix):
            os.unlink(db + suffix)
    os.replace(s.log, s.log + ".1")
    # (the server would also see the new file by itself within a second:
    # tested below; SIGHUP is at once)
    s.signal(signal.SIGHUP)
    time.sleep(0.5 * SLOW)
    counts = set()
    for _ in range(12):  # every worker
        st, h, js = s.get_json("/api/stats")
        counts.add(js["articles"] if js else None)
    is_(counts, {6}, "after SIGHUP: every worker reads the new file")
    ok(os.path.exists(s.log) and os.path.getsize(s.log) > 0, "after SIGHUP: a new access log")

    # ---- a snapshot renamed into place while requests run: no SIGHUP --------------------------------
    snapshots()
    set_snapshots()

    # ---- SIGTERM drains the requests in flight ------------------------------------------------------
    drained = {}

    def slow():
        try:
            drained["r"] = s.get_json("/api/search?q=" + q("ka* OR to* OR ri*") + "&rank_all=1")
        except OSError as e:
            drained["r"] = (str(e), None, None)
    index(db, big_src)
    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.05 * SLOW)
    rc = s.stop()
    t.join()
    st = drained["r"][0]
    ok(st == 200, "SIGTERM: the request in flight is answered (%s)" % st)
    is_(rc, 0, "SIGTERM: exit 0" + (" (and no memcheck error)" if WRAPPER else ""))
    ok("stopped" in s.stderr(), "it says it stopped", s.stderr()[-300:])
    try:
        socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
        refused = False
    except OSError:
        refused = True
    ok(refused, "after SIGTERM nothing listens")

    # ---- the time limit: 503 ---------------------------------------------------------------------------
    t = Server(big, "--time-limit", "1")
    st, h, js = t.get_json(heavy)
    ok(st == 503 and h.get("retry-after") and js and js["error"]["status"] == 503,
       "over the time limit: 503, Retry-After, JSON", (st, js))
    st, h, body = t.req("/healthz")
    is_(st, 200, "and the next request is served")
    is_(t.stop(), 0, "exit 0")
    t = Server(big, "--time-limit", "0")
    st, h, js = t.get_json(heavy)
    is_(st, 200, "no time limit: the same query answers")
    t.stop()

    # ---- a base path -----------------------------------------------------------------------------------
    small2 = os.path.join(TMP, "small2.db")
    index(small2, os.path.join(FIXTURES, "articles.jsonl"))
    b = Server(small2, "--base-path", "/search/", "--site-name", "Test <Site>")
    ok(b.req("/search/api/stats")[0] == 200 and b.req("/api/stats")[0] == 404 and
       b.req("/search")[0] == 200 and b.req("/search/")[0] == 200 and
       b.req("/searchx/api/stats")[0] == 404, "--base-path: served under it alone")
    st, h, js = b.get_json("/search/api/openapi.json")
    ok(js and js["servers"] == [{"url": "/search"}], "the OpenAPI document names the base path")
    is_(b.stop(), 0, "exit 0")
    return 0


try:
    main()
except SystemExit as e:
    print("not ok %d - %s" % (n_tests + 1, e))
    n_tests += 1
    n_failed += 1
print("1..%d" % n_tests)
sys.exit(1 if n_failed else 0)
