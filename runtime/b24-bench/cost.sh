#!/usr/bin/env bash
# Instructions per call of b24 against raw reqwest + serde_json, and per page decode, as
# callgrind counts them (deterministic on a busy machine). Each workload runs at two sizes;
# the difference divided by the difference in size is the cost of one call, start-up and
# set-up cancelled out. The calls go to a fake portal in another process (its own work is
# not counted), pacing off.
#
#   runtime/b24-bench/cost.sh            # needs valgrind; prints one JSON line per workload
#   B24_COST_N="100 600" runtime/b24-bench/cost.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
read -r small big <<< "${B24_COST_N:-100 600}"
command -v valgrind > /dev/null || { echo "cost.sh: valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
cargo build --release -q -p b24-bench -p b24-testkit
out=$(mktemp -d)
./target/release/b24-testkit --port 0 --bucket off --operating-budget off > "$out/portal.log" 2>&1 &
portal=$!
trap 'kill $portal 2> /dev/null; rm -rf "$out"' EXIT
webhook=
for _ in $(seq 100); do
    webhook=$(grep -oP '(?<=webhook URL: )\S+' "$out/portal.log" 2> /dev/null || true)
    [ -n "$webhook" ] && break
    sleep 0.1
done
[ -n "$webhook" ] || { echo "cost.sh: the fake portal did not start" >&2; cat "$out/portal.log" >&2; exit 1; }

# Instructions of one run of a workload at size $2.
count() {
    valgrind --tool=callgrind --callgrind-out-file="$out/cg.$1.$2" \
        ./target/release/b24-cost --webhook "$webhook" --what "$1" --n "$2" > /dev/null 2> "$out/vg.$1.$2"
    grep -m1 -oP '(?<=Collected : )\d+' "$out/vg.$1.$2"
}

per() {
    local a b
    a=$(count "$1" "$small")
    b=$(count "$1" "$big")
    echo $(( (b - a) / (big - small) ))
}

b24=$(per call-b24)
raw=$(per call-raw)
typed=$(per decode-typed)
value=$(per decode-value)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "{\"workload\":\"call\",\"b24_instructions\":$b24,\"raw_instructions\":$raw,\"ratio\":$(ratio "$b24" "$raw")}"
echo "{\"workload\":\"decode 50-deal page\",\"typed_instructions\":$typed,\"value_instructions\":$value,\"ratio\":$(ratio "$typed" "$value")}"
if [ -n "${B24_COST_KEEP:-}" ]; then
    mkdir -p "$B24_COST_KEEP" && cp "$out"/cg.* "$B24_COST_KEEP"/
    echo "callgrind files in $B24_COST_KEEP (callgrind_annotate them)" >&2
fi
