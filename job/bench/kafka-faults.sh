#!/usr/bin/env bash
# Kafka faults and load, the long versions (issue 23); CI runs the same tests shortened (BrokerOutageTest 15 s,
# OverloadTest 45 s) and leaves the soak out. Each case is a test of integration-tests/ run with its long setting:
#   - outage:   BrokerOutageTest with the broker SIGKILLed and started again after OUTAGE_SECONDS (default 90);
#   - overload: OverloadTest, input at 3x what the slot classifies for OVERLOAD_SECONDS (default 300), aligned
#               checkpoints every 2 s: checkpoint durations, RSS, heap after GC, lag every 5 s;
#   - soak:     SoakTest (tag soak), 70% of what the slot classifies for SOAK_MINUTES (default 30), a sample a minute.
# The figures are the lines the tests print ([broker-outage], [overload], [soak]); this script prints them after the
# CPU. Run it on a quiet machine (nothing else building, testing or benchmarking): the soak alone takes half an hour.
# Usage: job/bench/kafka-faults.sh [outage] [overload] [soak]    (default: all three, in that order)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(outage overload soak)
log=$(mktemp -d)/kafka-faults.log
echo "kafka-faults: building (tests skipped) ..." >&2
mvn -B -q -o install -DskipTests >/dev/null 2>&1 || mvn -B -q install -DskipTests >/dev/null
lscpu | grep -E '^Model name|^CPU\(s\)' | tee "$log"
echo "flags: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_int8|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')" | tee -a "$log"
for c in "${cases[@]}"; do
  case "$c" in
    outage) test=BrokerOutageTest; props=(-Ddensenet.outage.seconds="${OUTAGE_SECONDS:-90}") ;;
    overload) test=OverloadTest; props=(-Ddensenet.overload.seconds="${OVERLOAD_SECONDS:-300}") ;;
    soak) test=SoakTest; props=(-Ddensenet.soak.minutes="${SOAK_MINUTES:-30}" -Ddensenet.excludedGroups=none) ;;
    *) echo "kafka-faults: unknown case '$c' (outage, overload, soak)" >&2; exit 2 ;;
  esac
  echo "kafka-faults: $c ($test ${props[*]}) ..." >&2
  status=passed
  mvn -B -o -pl integration-tests test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false "${props[@]}" \
      >"$log.$c" 2>&1 || status=FAILED
  grep -E '^\[(broker-outage|overload|soak)\]' "$log.$c" | tee -a "$log" || true
  echo "$c: $status (full output: $log.$c)" | tee -a "$log"
done
echo "kafka-faults: summary in $log" >&2
