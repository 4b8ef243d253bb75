#!/usr/bin/env bash
# Measures how many sendMessage calls per second the emulator serves with flood limits off.
# Usage: bench/emulator/throughput.sh [seconds] [connections] [chats]
# Needs wrk (apt-get install wrk). Starts its own emulator on port 18090 and stops it after.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
connections=${2:-64}
chat_count=${3:-100}
port=18090
token="123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
command -v wrk >/dev/null || { echo "throughput.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }

bin/telescale emulator --port "$port" --no-flood-limits >/tmp/telescale-emulator-bench.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/bot$token/getMe" >/dev/null 2>&1 && break
  sleep 0.5
done
chats=""
for i in $(seq 1 "$chat_count"); do
  id=$(curl -sf -X POST "http://127.0.0.1:$port/sim/users" -d "{\"first_name\":\"User $i\"}" | sed 's/[^0-9]//g')
  curl -sf -X POST "http://127.0.0.1:$port/sim/users/$id/start" -d '{"bot":123456}' >/dev/null
  chats="$chats $id"
done
# Warm-up (JIT), then the measured run.
CHATS="$chats" TOKEN="$token" wrk -t2 -c"$connections" -d5s -s bench/emulator/sendmessage.lua "http://127.0.0.1:$port" >/dev/null
. bin/jdk.sh; telescale_select_jdk
echo "$(date -u +%F) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), ${seconds}s, $connections connections, $chat_count chats"
CHATS="$chats" TOKEN="$token" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/emulator/sendmessage.lua "http://127.0.0.1:$port"
echo "calls by status:"
curl -s "http://127.0.0.1:$port/sim/stats" | tr -d '\n' | grep -o '"sendmessage":{[^}]*}'
echo
