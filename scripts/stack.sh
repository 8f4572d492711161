#!/usr/bin/env bash
# Runs the observability stack of docker-compose.observability.yml natively, without Docker: the simulator,
# the exporter, Prometheus (with alerting-rules/) and Alertmanager, from the same config files. Only what
# differs from the containers is rewritten, into generated copies in the state directory: service addresses
# and ports, the rule directory, and (on request) intervals and the webhook receiver. Grafana is not run.
#
#   scripts/stack.sh run   [options]   start everything, print where it listens, stop it all on exit (Ctrl-C)
#   scripts/stack.sh start [options]   start everything in the background and return
#   scripts/stack.sh stop  [--dir DIR] stop what `start` started in DIR, by the process ids it recorded
#
# Options (ports: 0 = pick a free one; defaults are the compose ports):
#   --dir DIR                  state: generated configs, data, logs, pids (default $TMPDIR/relay-exporter-stack)
#   --exporter-port N          9477        --prometheus-port N     9090
#   --alertmanager-port N      9093        --simulator-admin-port N 18100
#   --simulator-base-port N    18101 (targets use consecutive ports; 0 = each a free port)
#   --scrape-interval D        Prometheus scrape and rule evaluation interval (default: as in the config, 15s)
#   --webhook-url URL          send Alertmanager's notifications here instead of http://alert-receiver.example:8080
#                              (the receiver's path, /page or /ticket, is kept)
#   --group-wait D, --group-interval D, --repeat-interval D   override the Alertmanager route's timings
#   --exporter-bin PATH, --simulator-bin PATH   binaries to run (default: the Release build, built when missing)
#
# When everything is ready it prints one line:  stack ready {"exporter":"http://127.0.0.1:9477",...}
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

command=${1:-}
[ $# -gt 0 ] && shift
dir="${TMPDIR:-/tmp}/relay-exporter-stack"
exporter_port=9477 prometheus_port=9090 alertmanager_port=9093 sim_admin_port=18100 sim_base_port=18101
scrape_interval="" webhook_url="" group_wait="" group_interval="" repeat_interval=""
exporter_bin="$root/src/Exporter/bin/Release/net10.0/relay-exporter"
simulator_bin="$root/src/Simulator/bin/Release/net10.0/relay-simulator"

die() { echo "stack.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "$1 needs a value"
  case "$1" in
    --dir) dir=$2 ;;
    --exporter-port) exporter_port=$2 ;;
    --prometheus-port) prometheus_port=$2 ;;
    --alertmanager-port) alertmanager_port=$2 ;;
    --simulator-admin-port) sim_admin_port=$2 ;;
    --simulator-base-port) sim_base_port=$2 ;;
    --scrape-interval) scrape_interval=$2 ;;
    --webhook-url) webhook_url=$2 ;;
    --group-wait) group_wait=$2 ;;
    --group-interval) group_interval=$2 ;;
    --repeat-interval) repeat_interval=$2 ;;
    --exporter-bin) exporter_bin=$2 ;;
    --simulator-bin) simulator_bin=$2 ;;
    *) die "unknown option '$1' (see the header of $0)" ;;
  esac
  shift 2
done

pids_file() { echo "$dir/pids"; }

# Stops exactly the processes this script recorded, checking each pid still runs the program it started.
stop_stack() {
  local file name pid program
  file=$(pids_file)
  [ -f "$file" ] || return 0
  while read -r name pid program; do
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$program"; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done <"$file"
  for _ in $(seq 1 100); do
    local alive=0
    while read -r name pid program; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done <"$file"
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  while read -r name pid program; do
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$program"; then
      echo "stack.sh: $name ($pid) did not stop on SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done <"$file"
  rm -f "$file"
}

if [ "$command" = stop ]; then
  stop_stack
  exit 0
fi
[ "$command" = start ] || [ "$command" = run ] || die "usage: $0 run|start|stop [options] (see the header of $0)"

# A free port below the kernel's ephemeral range: a port the kernel picked (bind to 0) could be handed to an outgoing
# connection — the exporter's probes open many — before the server that was meant to get it binds it.
free_port() {
  local low port
  read -r low _ < /proc/sys/net/ipv4/ip_local_port_range
  [ "$low" -gt 11024 ] || low=65536 # no room below the ephemeral range: take any unused port
  while :; do
    port=$((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000)))
    port_is_free "$port" && { echo "$port"; return; }
  done
}

port_is_free() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
  else
    ! ss -Htln "sport = :$1" | grep -q .
  fi
}
[ "$exporter_port" = 0 ] && exporter_port=$(free_port)
[ "$prometheus_port" = 0 ] && prometheus_port=$(free_port)
[ "$alertmanager_port" = 0 ] && alertmanager_port=$(free_port)

for tool in prometheus promtool prometheus-alertmanager amtool curl; do
  command -v "$tool" >/dev/null || die "'$tool' is missing (Debian: apt-get install prometheus prometheus-alertmanager curl)"
done
if [ ! -x "$exporter_bin" ] || [ ! -x "$simulator_bin" ]; then
  echo "stack.sh: building the exporter and the simulator (Release)" >&2
  dotnet build "$root/Exporter.sln" -c Release -nologo -clp:ErrorsOnly >&2
fi

mkdir -p "$dir"
[ -s "$(pids_file)" ] && die "$dir already has a running stack ($(pids_file)); run: $0 stop --dir $dir"
: >"$(pids_file)"

# Until the stack is ready (and, for run, until the script ends) anything that fails stops what was started.
trap 'stop_stack' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Starts a program in the background, its output in DIR/NAME.log, and records its pid.
launch() {
  local name=$1; shift
  "$@" >"$dir/$name.log" 2>&1 &
  last_pid=$!
  echo "$name $last_pid $(basename "$1")" >>"$(pids_file)"
}

wait_until() { # what, deadline in seconds, command... (gives up at once if the last launched process exits)
  local what=$1 deadline=$2; shift 2
  local end=$((SECONDS + deadline))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$last_pid" 2>/dev/null; then
      echo "stack.sh: $what exited before it was ready; its log:" >&2
      tail -n 40 "$dir/$what.log" >&2 || true
      exit 1
    fi
    if [ $SECONDS -ge $end ]; then
      echo "stack.sh: $what did not become ready within ${deadline}s; its log:" >&2
      tail -n 40 "$dir/$what.log" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}

# 1. The simulator; its ready line says where each target listens.
launch simulator "$simulator_bin" --admin-port "$sim_admin_port" --base-port "$sim_base_port"
wait_until simulator 60 grep -q '^simulator ready' "$dir/simulator.log"
ready_line=$(grep -m1 '^simulator ready' "$dir/simulator.log")
url_of() { echo "$ready_line" | grep -o "\"$1\":\"http://[^\"]*\"" | head -n1 | cut -d'"' -f4; }
sim_admin=$(url_of admin)

# 2. The exporter, with the compose configuration pointed at the simulator's actual ports.
sim_targets=(relay-a relay-b openai anthropic gemini deepseek) # the simulator's targets, ports 18101.. in compose
exporter_config="$dir/relay-exporter.yml"
cp "$root/deploy/exporter/relay-exporter.yml" "$exporter_config"
for i in "${!sim_targets[@]}"; do
  url=$(url_of "${sim_targets[$i]}")
  [ -n "$url" ] || die "the simulator did not report target ${sim_targets[$i]}: $ready_line"
  sed -i "s#http://simulator:$((18101 + i))\([^0-9]\|\$\)#$url\1#g" "$exporter_config"
done
SIMULATOR_API_KEY=demo-key launch exporter "$exporter_bin" --config.file "$exporter_config" \
  --web.listen-address "127.0.0.1:$exporter_port"
wait_until exporter 60 curl -fsS "http://127.0.0.1:$exporter_port/-/ready"

# 3. Alertmanager, with the compose configuration (webhook and timings overridden when asked).
am_config="$dir/alertmanager.yml"
cp "$root/deploy/alertmanager/alertmanager.yml" "$am_config"
[ -n "$webhook_url" ] && sed -i "s#http://alert-receiver\.example:8080#${webhook_url%/}#g" "$am_config"
[ -n "$group_wait" ] && sed -i "s#^  group_wait:.*#  group_wait: $group_wait#" "$am_config"
[ -n "$group_interval" ] && sed -i "s#^  group_interval:.*#  group_interval: $group_interval#" "$am_config"
[ -n "$repeat_interval" ] && sed -i "s#^  repeat_interval:.*#  repeat_interval: $repeat_interval#" "$am_config"
amtool check-config "$am_config" >"$dir/amtool.log" 2>&1 || { cat "$dir/amtool.log" >&2; die "generated $am_config is invalid"; }
launch alertmanager prometheus-alertmanager --config.file="$am_config" --storage.path="$dir/alertmanager-data" \
  --web.listen-address="127.0.0.1:$alertmanager_port" --cluster.listen-address= --log.level=info
wait_until alertmanager 60 curl -fsS "http://127.0.0.1:$alertmanager_port/-/ready"

# 4. Prometheus, with the compose configuration: local addresses, the repository's rule files.
prom_config="$dir/prometheus.yml"
sed -e "s#exporter:9477#127.0.0.1:$exporter_port#g" \
    -e "s#alertmanager:9093#127.0.0.1:$alertmanager_port#g" \
    -e "s#localhost:9090#127.0.0.1:$prometheus_port#g" \
    -e "s#/etc/prometheus/rules/#$root/alerting-rules/#g" \
    "$root/deploy/prometheus/prometheus.yml" >"$prom_config"
if [ -n "$scrape_interval" ]; then
  sed -i -e "s#^  scrape_interval:.*#  scrape_interval: $scrape_interval#" \
         -e "s#^  evaluation_interval:.*#  evaluation_interval: $scrape_interval#" "$prom_config"
fi
promtool check config "$prom_config" >"$dir/promtool.log" 2>&1 || { cat "$dir/promtool.log" >&2; die "generated $prom_config is invalid"; }
launch prometheus prometheus --config.file="$prom_config" --storage.tsdb.path="$dir/prometheus-data" \
  --web.listen-address="127.0.0.1:$prometheus_port" --log.level=info
wait_until prometheus 60 curl -fsS "http://127.0.0.1:$prometheus_port/-/ready"

echo "stack ready {\"exporter\":\"http://127.0.0.1:$exporter_port\",\"prometheus\":\"http://127.0.0.1:$prometheus_port\",\"alertmanager\":\"http://127.0.0.1:$alertmanager_port\",\"simulator_admin\":\"$sim_admin\",\"dir\":\"$dir\"}"

if [ "$command" = start ]; then
  trap - EXIT TERM INT # leave it running; `stop` ends it
  exit 0
fi

if [ "$command" = run ]; then
  echo "stack.sh: running; Ctrl-C stops everything (logs in $dir)" >&2
  # Any component exiting ends the run (and the EXIT trap stops the rest).
  set +e
  wait -n
  echo "stack.sh: a component exited; stopping the stack" >&2
  exit 1
fi
