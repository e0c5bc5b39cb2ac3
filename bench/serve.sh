#!/bin/sh
# bench/serve.sh: eafserve under load, with its in-process ceiling and Xapian's
# omega measured in the same run, then a soak with slow clients.
#
#   make bench-serve       (or: EAF_SRCDIR=. EAF_BUILDDIR=. sh bench/serve.sh)
#
# On enwiki_sections (123,057 sections, indexed with eafindex --no-related, as
# the search routes read no related lists), wrk cycles the 1,000 queries of
# title_queries.tsv (bench/serve/cycle.lua, percent-encoded):
#
# 1. eafserve --threads T: /api/search?q=QUERY&n=10 at 1, 4, 16 and 64
#    connections, and the search page /?q=QUERY at 4 and 16: requests/s,
#    p50/p99 (wrk's, over the requests of a run), errors (responses of status
#    400 or more, and socket errors: connect, read, write, timeout), and the
#    server's CPU milliseconds per request (/proc/PID/stat).
# 2. The ceiling: bench/serve/inproc -j, the same requests without HTTP
#    (search, total, suggestion, the hits written by eafquery's JSON printer
#    as eafserve's /api/search does) on T threads with a read handle each, in
#    one process.  The HTTP layer's cost is 1 - (eafserve's best requests/s) /
#    (inproc's queries/s), and, less at the mercy of wrk and of other
#    processes on the same cores, 1 - (inproc's CPU per query) / (eafserve's
#    CPU per request).  inproc without -j (the JSON written directly) shows
#    what the printer costs.
# 3. The peer: ../shared/peers/omega/run (omega CGI under lighttpd, its own wrk
#    script of the same queries) at 4 and 16 connections; our ratio to it.
# 4. Peak memory of eafserve: VmHWM of /proc/PID/status after the load, and
#    after the soak; and, sampled every half second, how much of it is its
#    own (RssAnon) and how much the index's pages that SQLite maps (RssFile:
#    shared with the page cache, up to the index's size).
# 5. The soak: wrk at 256 connections for SOAK seconds (in windows of 10 s)
#    while bench/serve/slowclients.py holds SLOW connections that trickle a
#    header byte every 5 s (slowloris).  The ordinary clients are the 256 wrk
#    connections; their unloaded p99 is that of the same wrk without the slow
#    clients (run with the others, median of the runs).  Passes when every
#    window's p99 is under twice that, with no errors, and eafserve still
#    answers /healthz after.
#
# Every figure is the median of RUNS runs; each run measures ours, omega and
# the ceiling one after the other, and the ratios are taken within a run.
# Needs ../shared (corpora and peers), or is skipped.  Environment:
#   EAF_SHARED          the shared folder (default: $EAF_SRCDIR/../shared)
#   EAF_BENCH_DIR       indexes and logs (default: /tmp/eaf-bench-serve); the
#                       indexes are kept there for the next run
#   EAF_BENCH_RUNS      runs (default 3)
#   EAF_BENCH_SECONDS   seconds of each wrk and inproc measurement (default 15)
#   EAF_BENCH_THREADS   eafserve's --threads and inproc's (default: the cores)
#   EAF_BENCH_CONNS     connections for /api/search (default "1 4 16 64")
#   EAF_BENCH_PAGE_CONNS  connections for the page /?q= (default "4 16")
#   EAF_BENCH_OMEGA     1 (default) to measure omega, 0 not to
#   EAF_BENCH_SOAK      soak seconds (default 60; 0: no soak)
#   EAF_BENCH_SLOW      slow clients during the soak (default 512)
# Output: tables on stdout, and $EAF_BENCH_DIR/serve.json.
set -u
src=${EAF_SRCDIR:-.}
build=${EAF_BUILDDIR:-.}
shared=${EAF_SHARED:-$src/../shared}
work=${EAF_BENCH_DIR:-/tmp/eaf-bench-serve}
runs=${EAF_BENCH_RUNS:-3}
secs=${EAF_BENCH_SECONDS:-15}
threads=${EAF_BENCH_THREADS:-$(nproc 2>/dev/null || echo 2)}
conns=${EAF_BENCH_CONNS:-1 4 16 64}
page_conns=${EAF_BENCH_PAGE_CONNS-4 16}
omega=${EAF_BENCH_OMEGA:-1}
soak=${EAF_BENCH_SOAK:-60}
slow=${EAF_BENCH_SLOW:-512}
eafindex="$build/tools/eafindex"
eafquery="$build/tools/eafquery"
eafserve="$build/tools/eafserve"
inproc="$build/bench/serve/inproc"
lua="$src/bench/serve/cycle.lua"
queries="$shared/corpora/enwiki_sections/title_queries.tsv"
omega_run="$shared/peers/omega/run"

log() { echo "bench-serve: $*" >&2; }

if [ ! -f "$queries" ] || [ ! -x "$omega_run" ]; then
    log "no $shared/corpora/enwiki_sections or $shared/peers/omega: skipped"
    exit 0
fi
for tool in "$eafindex" "$eafquery" "$eafserve" "$inproc"; do
    [ -x "$tool" ] || { log "$tool is not built (make bench-serve builds it)"; exit 1; }
done
for tool in wrk curl python3; do
    command -v $tool >/dev/null 2>&1 || { log "needs $tool (apt-get install $tool)"; exit 1; }
done
mkdir -p "$work"
results="$work/results.tsv"
: > "$results"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    pids=""
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# record SECTION SYSTEM CONNECTIONS KEY=VALUE...: one measurement of one run
record() { s=$1; y=$2; c=$3; shift 3; printf '%s\t%s\t%s\t%s\n' "$s" "$y" "$c" "$*" >> "$results"; }
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_http URL: until it answers (30 s at most)
wait_http() {
    i=0
    while ! curl -s -o /dev/null --max-time 2 "$1"; do
        i=$((i + 1))
        [ "$i" -lt 300 ] || return 1
        sleep 0.1
    done
}
# the process's CPU time so far, in milliseconds (utime + stime)
cpu_ms() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.0f", ($12 + $13) * 1000 / hz }' "/proc/$1/stat"
}
vmhwm_kb() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
wrk_threads() { if [ "$1" -lt 2 ]; then echo 1; else echo 2; fi; }

# --- the indexes (kept in $work between runs) --------------------------------------
db="$work/ours-enwiki.db"
if ! "$eafquery" -d "$db" --count test > /dev/null 2>&1; then
    log "indexing enwiki_sections with eafindex"
    docs="$work/enwiki_sections.jsonl"
    [ -s "$docs" ] || gzip -dc "$shared/corpora/enwiki_sections/docs.jsonl.gz" > "$docs"
    rm -f "$db" "$db-wal" "$db-shm"
    "$eafindex" -q --no-related -d "$db" "$docs" >&2 || { log "eafindex failed"; exit 1; }
fi
export PEERS_BUILD_DIR="$work/peers"
omega_db="$work/omega-enwiki"
if [ "$omega" = 1 ] && [ ! -f "$omega_db/iamglass" ]; then
    log "indexing enwiki_sections with omega's scriptindex (about 5 minutes)"
    rm -rf "$omega_db"
    "$omega_run" index "$omega_db" "$shared/corpora/enwiki_sections/docs.jsonl.gz" \
        > "$work/omega-index.log" 2>&1 || { log "omega index failed: $work/omega-index.log"; exit 1; }
fi

# --- the servers --------------------------------------------------------------------
port=$(free_port)
url="http://127.0.0.1:$port"
"$eafserve" -d "$db" --listen "127.0.0.1:$port" --threads "$threads" \
    > "$work/eafserve.out" 2> "$work/eafserve.err" &
server=$!
pids="$pids $server"
wait_http "$url/healthz" || { log "eafserve did not start:"; cat "$work/eafserve.err" >&2; exit 1; }
# Its memory every half second: VmHWM counts the pages of the index the
# read handles map (SQLite's mmap, shared with the page cache) as well as
# its own (RssAnon); the samples tell them apart.
: > "$work/mem.samples"
(
    while [ -r "/proc/$server/status" ]; do
        sed -n 's/^\(VmRSS\|RssAnon\|RssFile\|RssShmem\):[[:space:]]*\([0-9]*\) kB/\1=\2/p' \
            "/proc/$server/status" | tr '\n' ' ' >> "$work/mem.samples"
        echo >> "$work/mem.samples"
        sleep 0.5
    done
) &
pids="$pids $!"
grep -q "listening on" "$work/eafserve.err" ||
    log "warning: eafserve did not say where it listens"

if [ "$omega" = 1 ]; then
    oport=$(free_port)
    ourl="http://127.0.0.1:$oport"
    "$omega_run" serve "$omega_db" "$oport" > "$work/omega-serve.log" 2>&1 &
    opid=$!
    pids="$pids $opid"
    "$omega_run" wrk-script "$queries" > "$work/omega.lua" || { log "omega wrk-script failed"; exit 1; }
    wait_http "$ourl/omega?DB=db&P=test" || { log "omega did not start:"; cat "$work/omega-serve.log" >&2; exit 1; }
fi

# Every query once, checked: status 200 and the API's JSON with its hits.
log "checking the 1,000 queries once through /api/search"
python3 - "$url" "$queries" > "$work/check.out" <<'PY' || { log "check failed:"; cat "$work/check.out" >&2; exit 1; }
import json, sys, urllib.parse, urllib.request
url, path = sys.argv[1], sys.argv[2]
n = bad = 0
for line in open(path, encoding="utf-8"):
    if "\t" not in line:
        continue
    q = line.rstrip("\n").split("\t")[1]
    n += 1
    try:
        with urllib.request.urlopen(url + "/api/search?q=" + urllib.parse.quote(q, safe="") + "&n=10") as r:
            body = json.load(r)
            if r.status != 200 or not isinstance(body.get("hits"), list) or body.get("query") != q:
                raise ValueError("status %d" % r.status)
    except Exception as e:  # any failure is the server's
        bad += 1
        print("query %r: %s" % (q, e))
print("checked=%d failed=%d" % (n, bad))
sys.exit(1 if bad else 0)
PY
log "$(tail -n 1 "$work/check.out")"

# wrk_run SECTION SYSTEM CONNS SECONDS URL LUA ARGS...: one wrk measurement
wrk_run() {
    sec=$1; sys=$2; c=$3; d=$4; u=$5; script=$6; shift 6
    before=0
    [ "$sys" = ours ] && before=$(cpu_ms "$server")
    /usr/bin/time -f "wrk_cpu_s=%U+%S" -o "$work/wrk.time" \
        wrk -t"$(wrk_threads "$c")" -c"$c" -d"${d}s" --timeout 10s --latency -s "$script" "$u" -- "$@" \
        > "$work/wrk.out" 2>&1
    line=$(sed -n 's/^wrk: //p' "$work/wrk.out")
    if [ "$sys" = omega ]; then
        # omega's own script prints no summary line: read wrk's report
        line=$(awk '
            /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
            /requests in/ { n = $1 } /^Requests\/sec:/ { rps = $2 }
            /Non-2xx/ { bad = $NF }
            /Socket errors:/ { gsub(/,/, ""); se = $4 + $6 + $8 + $10 }
            function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; return v * 1000 }
            END { printf "requests=%d rps=%s p50_ms=%.3f p99_ms=%.3f non2xx=%d socket=%d", n, rps, ms(p50), ms(p99), bad, se }' "$work/wrk.out")
    fi
    [ -n "$line" ] || { log "wrk failed ($sys, $c connections):"; cat "$work/wrk.out" >&2; return 1; }
    extra=""
    if [ "$sys" = ours ]; then
        n=$(echo "$line" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
        extra=$(awk -v a="$before" -v b="$(cpu_ms "$server")" -v n="$n" \
            'BEGIN { if (n > 0) printf "server_cpu_ms_per_request=%.4f", (b - a) / n }')
    fi
    cpu=$(sed -n 's/^wrk_cpu_s=//p' "$work/wrk.time" | awk -F+ '{ print $1 + $2 }')
    record "$sec" "$sys" "$c" "$line $extra wrk_cpu_s=$cpu"
}

# A first pass to fill the page cache, not counted.
log "warming up"
wrk -t2 -c4 -d5s -s "$lua" "$url" -- "/api/search?q=" "$queries" "&n=10" > /dev/null 2>&1
[ "$omega" = 1 ] && wrk -t2 -c4 -d5s -s "$work/omega.lua" "$ourl" -- '/omega?DB=db&P=' > /dev/null 2>&1

r=1
while [ "$r" -le "$runs" ]; do
    for c in $conns; do
        log "run $r of $runs: eafserve /api/search, $c connections"
        wrk_run api ours "$c" "$secs" "$url" "$lua" "/api/search?q=" "$queries" "&n=10" || exit 1
    done
    for c in $page_conns; do
        log "run $r of $runs: eafserve page /?q=, $c connections"
        wrk_run page ours "$c" "$secs" "$url" "$lua" "/?q=" "$queries" || exit 1
    done
    if [ "$omega" = 1 ]; then
        for c in 4 16; do
            log "run $r of $runs: omega, $c connections"
            wrk_run omega omega "$c" "$secs" "$ourl" "$work/omega.lua" '/omega?DB=db&P=' || exit 1
        done
    fi
    log "run $r of $runs: in-process ceiling, $threads threads"
    "$inproc" -j -t "$threads" -s "$secs" "$db" "$queries" > "$work/inproc.out" 2> "$work/inproc.err" ||
        { log "inproc failed:"; cat "$work/inproc.err" >&2; exit 1; }
    record inproc ours "$threads" "$(sed 's/[{}",]//g; s/: /=/g' "$work/inproc.out")"
    "$inproc" -t "$threads" -s "$secs" "$db" "$queries" > "$work/inproc.out" 2> "$work/inproc.err" ||
        { log "inproc failed:"; cat "$work/inproc.err" >&2; exit 1; }
    record inproc-direct ours "$threads" "$(sed 's/[{}",]//g; s/: /=/g' "$work/inproc.out")"
    if [ "$soak" -gt 0 ]; then
        log "run $r of $runs: 256 connections without slow clients (the soak's baseline)"
        wrk_run base ours 256 "$secs" "$url" "$lua" "/api/search?q=" "$queries" "&n=10" || exit 1
    fi
    r=$((r + 1))
done
hwm_load=$(vmhwm_kb "$server")

# --- the soak -----------------------------------------------------------------------
soak_ok=""
if [ "$soak" -gt 0 ]; then
    log "soak: $slow slow clients and 256 connections for $soak s"
    python3 "$src/bench/serve/slowclients.py" 127.0.0.1 "$port" "$slow" "$((soak + 10))" 5 \
        > "$work/slow.out" 2>&1 &
    slowpid=$!
    pids="$pids $slowpid"
    sleep 5
    held=$(ss -tn 2>/dev/null | awk -v p=":$port" '$1 == "ESTAB" && $5 ~ p"$" { n++ } END { print n + 0 }')
    record soak-held slow "$slow" "client_connections_open=$held"
    t=0
    while [ "$t" -lt "$soak" ]; do
        w=10
        [ $((soak - t)) -lt 10 ] && w=$((soak - t))
        wrk_run soak ours 256 "$w" "$url" "$lua" "/api/search?q=" "$queries" "&n=10" || exit 1
        t=$((t + w))
    done
    wait "$slowpid"
    record soak-slow slow "$slow" "$(sed -n 's/^slow: //p' "$work/slow.out")"
    if curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/healthz" | grep -q 200; then
        soak_ok="healthz_after=1"
    else
        soak_ok="healthz_after=0"
    fi
fi
hwm_soak=$(vmhwm_kb "$server")
peaks=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[2] > m[kv[1]]) m[kv[1]] = kv[2] } }
    END { printf "peak_rss_anon_kb=%d peak_rss_file_kb=%d peak_vmrss_kb=%d", m["RssAnon"], m["RssFile"], m["VmRSS"] }' \
    "$work/mem.samples")
record memory ours - "vmhwm_kb_load=$hwm_load vmhwm_kb_soak=$hwm_soak $peaks $soak_ok"
cleanup

# --- the tables ---------------------------------------------------------------------
python3 - "$results" "$work/serve.json" "$threads" <<'PY'
import json, statistics, sys

rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    sec, sysname, conns, kvs = line.rstrip("\n").split("\t")
    d = {}
    for w in kvs.split():
        if "=" in w:
            k, v = w.split("=", 1)
            try:
                d[k] = float(v)
            except ValueError:
                d[k] = v
    rows.append((sec, sysname, conns, d))
threads = sys.argv[3]


def runs(sec, sysname, conns):
    return [d for s, y, c, d in rows if s == sec and y == sysname and c == str(conns)]


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def errors(d):
    return int(d.get("non2xx", 0) + d.get("connect", 0) + d.get("read", 0) + d.get("write", 0)
               + d.get("timeout", 0) + d.get("socket", 0))


def fmt(v, f="%.0f"):
    return "-" if v is None else f % v


out = {"threads": int(threads), "api": {}, "page": {}, "omega": {}}
print("\neafserve --threads %s on enwiki_sections (123,057 sections), wrk cycling the 1,000 "
      "title queries;\nmedians of the runs (requests/s, wrk's p50/p99 in ms, errors summed over "
      "the runs,\nthe server's CPU ms per request, wrk's own CPU seconds)" % threads)
print("\n| route | connections | requests/s | p50 ms | p99 ms | errors | server CPU ms/req | wrk CPU s |")
print("|---|---|---|---|---|---|---|---|")
for sec in ("api", "page"):
    for c in sorted({int(c) for s, y, c, d in rows if s == sec and y == "ours"}):
        rs = runs(sec, "ours", c)
        e = {"rps": med([d["rps"] for d in rs]), "p50_ms": med([d["p50_ms"] for d in rs]),
             "p99_ms": med([d["p99_ms"] for d in rs]), "errors": sum(errors(d) for d in rs),
             "server_cpu_ms_per_request": med([d.get("server_cpu_ms_per_request") for d in rs]),
             "runs": len(rs)}
        out[sec][c] = e
        print("| %s | %d | %s | %s | %s | %d | %s | %s |" % (
            "/api/search" if sec == "api" else "/?q= (page)", c, fmt(e["rps"]),
            fmt(e["p50_ms"], "%.2f"), fmt(e["p99_ms"], "%.2f"), e["errors"],
            fmt(e["server_cpu_ms_per_request"], "%.3f"), fmt(med([d.get("wrk_cpu_s") for d in rs]), "%.1f")))
for c in (4, 16):
    rs = runs("omega", "omega", c)
    if rs:
        e = {"rps": med([d["rps"] for d in rs]), "p50_ms": med([d["p50_ms"] for d in rs]),
             "p99_ms": med([d["p99_ms"] for d in rs]), "errors": sum(errors(d) for d in rs)}
        out["omega"][c] = e
        print("| omega (peer) | %d | %s | %s | %s | %d | - | %s |" % (
            c, fmt(e["rps"]), fmt(e["p50_ms"], "%.2f"), fmt(e["p99_ms"], "%.2f"), e["errors"],
            fmt(med([d.get("wrk_cpu_s") for d in rs]), "%.1f")))

# ratios within each run
ip = runs("inproc", "ours", threads)
nruns = len(ip)
print("\nIn-process ceiling (bench/serve/inproc -j, %s threads): %s queries/s, p50 %s ms, p99 %s ms, "
      "%s CPU ms per query" % (threads, fmt(med([d["qps"] for d in ip])), fmt(med([d["p50_ms"] for d in ip]), "%.2f"),
                              fmt(med([d["p99_ms"] for d in ip]), "%.2f"), fmt(med([d["cpu_ms_per_query"] for d in ip]), "%.3f")))
out["inproc"] = {"qps": med([d["qps"] for d in ip]), "cpu_ms_per_query": med([d["cpu_ms_per_query"] for d in ip])}
ipd = runs("inproc-direct", "ours", threads)
if ipd:
    out["inproc_direct"] = {"qps": med([d["qps"] for d in ipd]),
                            "cpu_ms_per_query": med([d["cpu_ms_per_query"] for d in ipd])}
    print("  (the JSON written directly rather than by eafquery's printer: %s queries/s, %s CPU ms per query)" % (
        fmt(out["inproc_direct"]["qps"]), fmt(out["inproc_direct"]["cpu_ms_per_query"], "%.3f")))


api_conns = sorted(out["api"])
best_rate, best_cpu = [], []
for i in range(nruns):
    rates = [(runs("api", "ours", c)[i]["rps"], c) for c in api_conns if len(runs("api", "ours", c)) > i]
    if rates and ip:
        rate, c = max(rates)
        best_rate.append(1 - rate / ip[i]["qps"])
        cpu = runs("api", "ours", c)[i].get("server_cpu_ms_per_request")
        if cpu:
            best_cpu.append(1 - ip[i]["cpu_ms_per_query"] / cpu)
out["http_cost_rate"] = med(best_rate)
out["http_cost_cpu"] = med(best_cpu)
print("HTTP layer's cost (median of the runs' ratios): %s by rate (best connections against the "
      "ceiling), %s by CPU per request" % (
          fmt(None if out["http_cost_rate"] is None else 100 * out["http_cost_rate"], "%.1f%%"),
          fmt(None if out["http_cost_cpu"] is None else 100 * out["http_cost_cpu"], "%.1f%%")))

for c in (4, 16):
    o, a, p = runs("omega", "omega", c), runs("api", "ours", c), runs("page", "ours", c)
    if o and a and len(o) == len(a):
        rr = med([a[i]["rps"] / o[i]["rps"] for i in range(len(o))])
        pr = med([a[i]["p99_ms"] / o[i]["p99_ms"] for i in range(len(o))])
        out["omega"][c]["api_rps_ratio"] = rr
        out["omega"][c]["api_p99_ratio"] = pr
        line = "Against omega at %d connections: /api/search %.1fx its requests/s, p99 %.2fx its p99" % (c, rr, pr)
        if p and len(p) == len(o):
            prr = med([p[i]["rps"] / o[i]["rps"] for i in range(len(o))])
            ppr = med([p[i]["p99_ms"] / o[i]["p99_ms"] for i in range(len(o))])
            out["omega"][c]["page_rps_ratio"] = prr
            out["omega"][c]["page_p99_ratio"] = ppr
            line += "; the page %.1fx, p99 %.2fx" % (prr, ppr)
        print(line)

mem = [d for s, y, c, d in rows if s == "memory"]
if mem:
    m = mem[-1]
    out["memory"] = m
    print("Peak memory of eafserve (VmHWM): %.1f MB after the load, %.1f MB after the soak;\n"
          "  of it (peaks of the samples) its own memory (RssAnon) %.1f MB, the index's pages it\n"
          "  maps (RssFile) %.1f MB" % (
              m["vmhwm_kb_load"] / 1024, m["vmhwm_kb_soak"] / 1024,
              m.get("peak_rss_anon_kb", 0) / 1024, m.get("peak_rss_file_kb", 0) / 1024))

base = runs("base", "ours", 256)
soak = runs("soak", "ours", 256)
if base and soak:
    b99 = med([d["p99_ms"] for d in base])
    worst = max(d["p99_ms"] for d in soak)
    errs = sum(errors(d) for d in soak)
    held = [d for s, y, c, d in rows if s == "soak-held"]
    slow = [d for s, y, c, d in rows if s == "soak-slow"]
    ok = worst < 2 * b99 and errs == 0 and mem and mem[-1].get("healthz_after") == 1
    out["soak"] = {"baseline_p99_ms": b99, "baseline_rps": med([d["rps"] for d in base]),
                   "window_p99_ms": [d["p99_ms"] for d in soak], "window_rps": [d["rps"] for d in soak],
                   "errors": errs, "slow": slow[-1] if slow else None,
                   "slow_open_after_5s": held[-1].get("client_connections_open") if held else None,
                   "passed": bool(ok)}
    print("\nSoak: 256 connections, alone: %s requests/s, p99 %.1f ms (median of %d runs)" % (
        fmt(out["soak"]["baseline_rps"]), b99, len(base)))
    print("      with the slow clients, windows of 10 s: requests/s %s; p99 ms %s; errors %d" % (
        " ".join(fmt(d["rps"]) for d in soak), " ".join("%.1f" % d["p99_ms"] for d in soak), errs))
    if slow:
        s = slow[-1]
        print("      slow clients: %s open after 5 s; %s opened in all, %s closed by the server, "
              "%s answered (408/400), %s failed to connect" % (
                  held[-1].get("client_connections_open") if held else "?", fmt(s.get("connections")),
                  fmt(s.get("closed_by_server")), fmt(s.get("answered")), fmt(s.get("connect_failed"))))
    print("      worst p99 / unloaded p99 = %.2f (target < 2), healthz after: %s: %s" % (
        worst / b99, "yes" if mem and mem[-1].get("healthz_after") == 1 else "NO",
        "passed" if ok else "FAILED"))
json.dump(out, open(sys.argv[2], "w"), indent=1, default=str)
PY
