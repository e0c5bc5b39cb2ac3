#!/bin/sh
# run-fuzzers.sh SECONDS [NAME...]: runs each libFuzzer target (all of
# them when no NAME is given) for SECONDS, one after the other and in one
# process each (the machine is shared), starting from its corpus in
# tests/fuzz/corpus/NAME.  Then the inputs found are minimised into that
# corpus (libFuzzer's -merge), named by their hash; the seeds we wrote keep
# their names.  A crash stops the run with the crasher in _fuzz/NAME/ (add
# it to the corpus once fixed, as crash-NAME).  Prints, per target, the
# executions, the corpus size and the crashes.  Needs a build configured
# with --enable-fuzzers (make fuzzers).
set -u
seconds=${1:-600}
shift
src=${EAF_TEST_SRCDIR:-.}
build=${EAF_TEST_BUILDDIR:-.}
names=${*:-"query tokenize page jsonl html markdown wxr archive"}
status=0
for name in $names; do
    fuzzer="$build/tests/fuzz/${name}_fuzzer"
    corpus="$src/tests/fuzz/corpus/$name"
    work="$build/_fuzz/$name"
    rm -rf "$work"
    mkdir -p "$work/new" "$work/min" "$corpus"
    case $name in
    archive) max_len=16384 ;;
    query) max_len=4096 ;;
    *) max_len=8192 ;;
    esac
    "$fuzzer" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/" \
        "$work/new" "$corpus" > "$work/log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
    crashes=$(ls "$work" | grep -c '^\(crash\|leak\|timeout\|oom\)-')
    if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        echo "$name: FAILED (exit $rc, $crashes crashers in $work); see $work/log"
        status=1
        continue
    fi
    "$fuzzer" -merge=1 -max_len="$max_len" "$work/min" "$corpus" "$work/new" \
        > "$work/merge.log" 2>&1 || { echo "$name: merge failed"; status=1; continue; }
    # keep our seeds and crashers by name; the rest is what the merge kept
    for f in "$corpus"/*; do
        case $(basename "$f") in seed-*|crash-*) ;; *) rm -f "$f" ;; esac
    done
    for f in "$work/min"/*; do
        [ -f "$f" ] || continue
        dup=0
        for s in "$corpus"/seed-* "$corpus"/crash-*; do
            [ -f "$s" ] && cmp -s "$f" "$s" && { dup=1; break; }
        done
        [ "$dup" -eq 1 ] || cp "$f" "$corpus/found-$(basename "$f" | cut -c1-16)"
    done
    echo "$name: $runs executions in ${seconds}s, 0 crashes, corpus $(ls "$corpus" | wc -l) files"
done
exit $status
