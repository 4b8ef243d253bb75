#!/usr/bin/env bash
# Runs the benchmark matrix of docs/benchmarks.md, one run after another (never two at once: they
# would share the 2 cores), and prints each command with the summary line it printed. Full results
# (result.json, result.md, latency.svg) go under the results folder.
# Usage: bench/matrix.sh [results-dir] [group...]   groups: ceiling start-burst relay churn flood memory big-data airdrop
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, database test) and Redis on 127.0.0.1:6379.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
results=${1:-results/matrix-$(date -u +%Y%m%d-%H%M)}
shift || true
groups=${*:-ceiling start-burst relay churn flood memory big-data airdrop}
shared=(--database postgresql://postgres@127.0.0.1:5432/test --redis redis://127.0.0.1:6379)

run() {
  echo "\$ bin/telescale bench $*"
  "$root/bin/telescale" bench "$@" --results "$results" 2>/dev/null \
    | grep -E '^(ceiling|start-burst|relay|flood|search-churn|big-data|memory|airdrop-start|airdrop-mix)[ :]' || echo "(no summary line: the run failed)"
}

for group in $groups; do
  case $group in
    ceiling)
      for ingress in webhook polling; do
        run ceiling --bot raw --ingress "$ingress" --rate 3000 --duration 10
        run ceiling --ingress "$ingress" --duration 10
      done
      run ceiling --ingress webhook --duration 10 "${shared[@]}"
      run ceiling --ingress polling --duration 10 "${shared[@]}" ;;
    start-burst)
      run start-burst --ingress webhook
      run start-burst --ingress polling
      run start-burst --ingress webhook "${shared[@]}"
      run start-burst --ingress polling "${shared[@]}" ;;
    relay)
      for rate in 100 200 300 400 1000; do
        run relay --pairs 50 --rate "$rate" --duration 20
      done
      run relay --pairs 50 --rate 1000 --duration 20 --ingress polling
      run relay --pairs 50 --rate 1000 --duration 20 "${shared[@]}"
      run relay --pairs 50 --rate 200 --duration 20 "${shared[@]}"
      run relay --pairs 50 --rate 200 --duration 20 --ingress polling "${shared[@]}" ;;
    churn)
      run search-churn
      run search-churn "${shared[@]}"
      run search-churn --users 1000 --rate 200 --duration 20
      run search-churn --users 1000 --rate 200 --duration 20 "${shared[@]}"
      run search-churn --ingress polling
      run search-churn --ingress polling "${shared[@]}" ;;
    flood)
      run flood
      run flood "${shared[@]}"
      run flood --ingress polling
      run flood --ingress polling "${shared[@]}" ;;
    memory)
      run memory
      run memory "${shared[@]}"
      run memory --ingress polling
      run memory --ingress polling "${shared[@]}" ;;
    big-data)
      run big-data
      run big-data --users 200
      run big-data --ingress polling
      run big-data "${shared[@]}"
      run big-data --ingress polling "${shared[@]}" ;;
    airdrop)
      run airdrop-start
      run airdrop-start "${shared[@]}"
      run airdrop-mix --users 1000000 --duration 60s --compare --bot-process separate
      run airdrop-mix --users 1000000 --duration 60s --compare --bot-process separate "${shared[@]}" ;;
    *) echo "matrix.sh: unknown group $group" >&2; exit 2 ;;
  esac
done
