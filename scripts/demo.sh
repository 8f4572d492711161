#!/usr/bin/env bash
# Runs Relay Exporter against the simulator: no accounts, no keys. Ctrl-C stops both.
#   metrics:          http://localhost:9477/metrics
#   simulator admin:  http://localhost:18100/_sim/targets  (inject faults: see src/Simulator/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build Exporter.sln -c Release -nologo -clp:ErrorsOnly
bin=$(pwd)

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

ready=$(mktemp)
"$bin/src/Simulator/bin/Release/net10.0/relay-simulator" --admin-port 18100 --base-port 18101 >"$ready" &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^simulator ready' "$ready" && break; sleep 0.1; done
grep '^simulator ready' "$ready" || { echo "the simulator did not start"; cat "$ready"; exit 1; }

SIMULATOR_API_KEY=demo-key "$bin/src/Exporter/bin/Release/net10.0/relay-exporter" \
  --config.file examples/simulator.yml --web.listen-address "${LISTEN_ADDRESS:-:9477}" &
pids+=($!)
echo "Relay Exporter: status page http://localhost:9477/  metrics http://localhost:9477/metrics  (Ctrl-C to stop)"
wait -n "${pids[@]}"
