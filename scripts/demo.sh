#!/usr/bin/env bash
# Runs Relay Exporter against the simulator: no accounts, no keys. Ctrl-C stops both.
#   LISTEN_ADDRESS         where the exporter serves its status page and metrics (default :9477)
#   SIMULATOR_ADMIN_PORT   the simulator's admin API, to inject faults (default 18100; see src/Simulator/README.md)
#   SIMULATOR_BASE_PORT    the first simulated target's port; the six targets take consecutive ports (default 18101)
set -euo pipefail
cd "$(dirname "$0")/.."

listen=${LISTEN_ADDRESS:-:9477}
admin_port=${SIMULATOR_ADMIN_PORT:-18100}
base_port=${SIMULATOR_BASE_PORT:-18101}

echo "Building the exporter and the simulator (a first build takes several minutes)…"
# Minimal verbosity: a line per project as it is restored and built, and any warning or error.
dotnet build Exporter.sln -c Release -nologo -v minimal -clp:NoSummary
bin=$(pwd)

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

ready=$(mktemp)
"$bin/src/Simulator/bin/Release/net10.0/relay-simulator" --admin-port "$admin_port" --base-port "$base_port" >"$ready" &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^simulator ready' "$ready" && break; sleep 0.1; done
grep '^simulator ready' "$ready" || { echo "the simulator did not start"; cat "$ready"; exit 1; }

# examples/simulator.yml names the default ports; each target's base_url is overridden with the one the simulator took.
overrides=()
index=0
for name in $(grep -E '^  - name: ' examples/simulator.yml | awk '{print $3}'); do
  url=$(grep -o "\"$name\":\"[^\"]*\"" "$ready" | head -1 | cut -d'"' -f4)
  test -n "$url" || { echo "the simulator has no target $name"; exit 1; }
  overrides+=("RELAY_EXPORTER__targets__${index}__base_url=$url")
  index=$((index + 1))
done

env "${overrides[@]}" SIMULATOR_API_KEY=demo-key "$bin/src/Exporter/bin/Release/net10.0/relay-exporter" \
  --config.file examples/simulator.yml --web.listen-address "$listen" &
pids+=($!)

# The address to open: ":9477" and "0.0.0.0:9477" listen on every interface, localhost among them.
host=${listen%:*}
port=${listen##*:}
case "$host" in "" | "0.0.0.0" | "[::]") host=localhost ;; esac
url="http://$host:$port"
echo "Relay Exporter: status page $url/  metrics $url/metrics  simulator admin http://127.0.0.1:$admin_port/_sim/targets  (Ctrl-C to stop)"
wait -n "${pids[@]}"
