#!/bin/sh
# bench/quality.sh: ranking quality against the peers (being written).
echo "bench/quality.sh: not written yet" >&2
exit 1
