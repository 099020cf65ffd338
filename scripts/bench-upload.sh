#!/usr/bin/env bash
# Upload benchmark: tenovos-upload against curl, both sending the same parts
# at the same concurrency to the same local sandbox, then the uploader alone
# on a larger file to show that its memory does not grow with file size.
#
# Usage: scripts/bench-upload.sh [--size-mib N] [--large-mib N] [--runs N] [--parallel N]
#   --size-mib   size of the throughput file in MiB (default 1024)
#   --large-mib  size of the memory-only file in MiB (default 5120; 0 skips it)
#   --runs       throughput runs of each client; the median is printed (default 3)
#   --parallel   parts in flight for both clients (default 4)
# Needs a build in $TENOVOS_BUILD_DIR (default ./build) and curl. Peak RSS
# is sampled every 50 ms over the measured process tree, shell helpers
# excluded (see measure()).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${TENOVOS_BUILD_DIR:-$root/build}
size_mib=1024
large_mib=5120
runs=3
parallel=4
while [[ $# -gt 0 ]]; do
    case "$1" in
        --size-mib) size_mib=$2; shift 2 ;;
        --large-mib) large_mib=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --parallel) parallel=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "bench-upload: unknown option $1; see --help" >&2; exit 2 ;;
    esac
done

sandbox_bin="$build_dir/tests/sandbox/tenovos-sandbox"
upload_bin="$build_dir/src/cli/tenovos-upload"
for binary in "$sandbox_bin" "$upload_bin"; do
    if [[ ! -x "$binary" ]]; then
        echo "bench-upload: $binary is missing; build first with scripts/test.sh or cmake --build $build_dir" >&2
        exit 1
    fi
done
command -v curl >/dev/null || { echo "bench-upload: curl is missing; install it with apt-get install curl" >&2; exit 1; }
py=/usr/bin/python3

part_size=104857600
api_key=sandbox-demo-key
username=demo@example.com
password=demo-password

work=$(mktemp -d "${TMPDIR:-/tmp}/tenovos-bench.XXXXXX")
sandbox_pid=""
cleanup() {
    if [[ -n "$sandbox_pid" ]]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Starts a fresh sandbox with its own storage and sets $base_url.
start_sandbox() {
    if [[ -n "$sandbox_pid" ]]; then kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true; fi
    rm -rf "$work/store"; mkdir -p "$work/store"
    : > "$work/sandbox.out"
    "$sandbox_bin" --port 0 --data-dir "$work/store" --part-size "$part_size" \
        >"$work/sandbox.out" 2>"$work/sandbox.log" &
    sandbox_pid=$!
    base_url=""
    for _ in $(seq 1 200); do
        base_url=$(head -n 1 "$work/sandbox.out" || true)
        [[ -n "$base_url" ]] && break
        kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
        sleep 0.05
    done
    [[ -n "$base_url" ]] || { echo "bench-upload: the sandbox printed no base URL" >&2; exit 1; }
}

# Runs a command and samples, every 50 ms, the summed RSS of the
# tenovos-upload and curl processes below it; sets $elapsed (seconds) and
# $peak_kib. Shell, xargs and awk helpers are left out of the sum.
measure() {
    local start end pid rss
    start=$(date +%s.%N)
    "$@" &
    pid=$!
    peak_kib=0
    while kill -0 "$pid" 2>/dev/null; do
        rss=$(ps -e -o pid=,ppid=,rss=,comm= | awk -v root="$pid" '
            { parent[$1] = $2; rss[$1] = $3; name[$1] = $4 }
            END {
                for (p in parent) {
                    if (name[p] != "tenovos-upload" && name[p] != "curl") continue
                    for (q = p; q != "" && q != 1; q = parent[q])
                        if (q == root) { sum += rss[p]; break }
                }
                print sum + 0
            }')
        (( rss > peak_kib )) && peak_kib=$rss
        sleep 0.05
    done
    wait "$pid"
    end=$(date +%s.%N)
    elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
}

# One upload of $1 with tenovos-upload; fails unless the file ends done.
run_uploader() {
    local file=$1
    TENOVOS_PASSWORD=$password "$upload_bin" --api-url "$base_url" --api-key "$api_key" \
        --username "$username" --security-template "$security_template" \
        --metadata-template "$metadata_template" --meta "Title=Benchmark" --meta "Region=EMEA" \
        --parallel "$parallel" --part-size "$part_size" --json --quiet "$file" >"$work/upload.json"
    grep -q '"status":"done"' "$work/upload.json" || { cat "$work/upload.json" >&2; return 1; }
}

# The same parts sent by curl: sign in, create the asset, PUT the pre-split
# parts with $parallel curl processes at a time, then complete.
run_curl() {
    local token_json create_json
    token_json=$(curl -sf -X POST "$base_url/auth/token" -H "X-API-Key: $api_key" \
        -H 'Content-Type: application/json' \
        -d "{\"username\":\"$username\",\"password\":\"$password\"}")
    read -r authorization access_token < <(printf '%s' "$token_json" | $py -c \
        'import json,sys; s=json.load(sys.stdin)["session"]; print(s["authorization"], s["accessToken"])')
    create_json=$(curl -sf -X POST "$base_url/assets/asset" -H "X-API-Key: $api_key" \
        -H "Authorization: $authorization" -H "AccessToken: $access_token" \
        -H 'Content-Type: application/json' \
        -d "{\"filename\":\"curl.bin\",\"filesize\":$size_bytes,\"metadataTemplateId\":\"$metadata_template\",\"securityTemplateIds\":[\"$security_template\"],\"metadata\":$metadata_json}")
    printf '%s' "$create_json" | $py -c '
import json, sys
d = json.load(sys.stdin)["data"]
for u in d["urls"]:
    print(u["partNumber"], u["url"])
' >"$work/urls.txt"
    rm -f "$work/etags.txt"
    # Each line: partNumber url. -T streams the file; "Expect:" is cleared so
    # curl does not wait for 100 Continue, as the uploader does not either.
    xargs -P "$parallel" -L 1 bash -c '
        part=$(printf "%05d" $(( $0 - 1 )))
        etag=$(curl -sf --globoff -H "Expect:" -T "'"$work"'/parts/p$part" -D - -o /dev/null "$1" \
            | tr -d "\r" | awk -F": " "tolower(\$1)==\"etag\" { print \$2 }")
        echo "$0 $etag" >>"'"$work"'/etags.txt"
    ' <"$work/urls.txt"
    local object_id file_id upload_id parts_json
    read -r object_id file_id upload_id < <(printf '%s' "$create_json" | $py -c \
        'import json,sys; d=json.load(sys.stdin)["data"]; print(d["objectId"], d["fileId"], d["uploadId"])')
    parts_json=$(sort -n "$work/etags.txt" | $py -c '
import json, sys
print(json.dumps([{"partNumber": int(n), "etag": e} for n, e in (l.split(" ", 1) for l in sys.stdin.read().splitlines())]))')
    curl -sf -X POST "$base_url/asset/complete" -H "X-API-Key: $api_key" \
        -H "Authorization: $authorization" -H "AccessToken: $access_token" \
        -H 'Content-Type: application/json' \
        -d "{\"fileId\":\"$file_id\",\"filename\":\"curl.bin\",\"filesize\":$size_bytes,\"uploadId\":\"$upload_id\",\"action\":\"complete\",\"parts\":$parts_json}" >/dev/null
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# The sandbox's demo templates: "Marketing – Internal" and "Marketing Asset",
# whose required attributes are Title (text) and Region (vocabulary).
security_template=969b726b-b60f-4996-af26-36c90b3af636
metadata_template=14b9034b-068f-47a4-bfbf-6d994dcd574f
metadata_json='[{"metadataDefinitionId":"ecab53e7-9621-4b7f-8700-e484e96bfb3d","metadataDefinitionValue":"Benchmark"},{"metadataDefinitionId":"7452a4cd-3566-413c-8950-47b42b4d355f","metadataDefinitionValue":{"valueId":"4eb680f3-0a68-4337-adfd-ae163403a9b9"}}]'

size_bytes=$(( size_mib * 1048576 ))
echo "bench-upload: writing $size_mib MiB of random bytes"
head -c "$size_bytes" /dev/urandom >"$work/source.bin"
mkdir -p "$work/parts"
split -b "$part_size" -d -a 5 "$work/source.bin" "$work/parts/p"

client_times=(); curl_times=(); client_rss=(); curl_rss=()
for run in $(seq 1 "$runs"); do
    start_sandbox
    measure run_uploader "$work/source.bin"
    client_times+=("$elapsed"); client_rss+=("$peak_kib")
    start_sandbox
    measure run_curl
    curl_times+=("$elapsed"); curl_rss+=("$peak_kib")
    echo "bench-upload: run $run: tenovos-upload ${client_times[-1]} s, curl ${curl_times[-1]} s"
done

client_s=$(printf '%s\n' "${client_times[@]}" | median)
curl_s=$(printf '%s\n' "${curl_times[@]}" | median)
client_peak=$(printf '%s\n' "${client_rss[@]}" | sort -n | tail -n 1)
curl_peak=$(printf '%s\n' "${curl_rss[@]}" | sort -n | tail -n 1)
awk -v mib="$size_mib" -v c="$client_s" -v k="$curl_s" -v cr="$client_peak" -v kr="$curl_peak" -v p="$parallel" 'BEGIN {
    printf "file: %d MiB, %d parts in flight, median of the runs\n", mib, p
    printf "tenovos-upload: %.2f s, %.1f MiB/s, peak RSS %.1f MB\n", c, mib / c, cr * 1024 / 1e6
    printf "curl:           %.2f s, %.1f MiB/s, peak RSS %.1f MB (all curl processes together)\n", k, mib / k, kr * 1024 / 1e6
    printf "throughput ratio (tenovos-upload / curl): %.2f\n", k / c
}'
rm -rf "$work/parts" "$work/source.bin"

if (( large_mib > 0 )); then
    size_bytes=$(( large_mib * 1048576 ))
    echo "bench-upload: writing $large_mib MiB of random bytes"
    head -c "$size_bytes" /dev/urandom >"$work/large.bin"
    start_sandbox
    measure run_uploader "$work/large.bin"
    awk -v mib="$large_mib" -v c="$elapsed" -v cr="$peak_kib" 'BEGIN {
        printf "large file: %d MiB, tenovos-upload %.2f s, peak RSS %.1f MB\n", mib, c, cr * 1024 / 1e6
    }'
fi
