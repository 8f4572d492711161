#!/usr/bin/env bash
# Runs every test of Relay Exporter: unit, integration (real Prometheus, promtool, OTLP receiver, kubectl kustomize), simulator and
# SDK-compatibility tests. Installs what the tests need first: Debian packages when missing, npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v prometheus >/dev/null || packages+=(prometheus)
command -v promtool >/dev/null || packages+=(prometheus)
command -v prometheus-alertmanager >/dev/null || packages+=(prometheus-alertmanager)
command -v amtool >/dev/null || packages+=(prometheus-alertmanager)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
command -v chromium >/dev/null || packages+=(chromium)
command -v kubectl >/dev/null || packages+=(kubectl)
if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing missing Debian packages: ${packages[*]}"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
fi

dotnet build Exporter.sln -c Release -nologo -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Exporter.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, summed over the test assemblies.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
