#!/usr/bin/env bash
# Starts a throwaway single-node etcd on 127.0.0.1 with free ports and a temporary data directory
# (on tmpfs when there is one). Prints `ETCD_DIR=... ETCD_PID=... ETCD_ENDPOINT=...` for eval.
# Stop it with: kill "$ETCD_PID"; wait "$ETCD_PID" || true; rm -rf "$ETCD_DIR"
set -euo pipefail
base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
free_ports() {
  python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])'
}
for attempt in 1 2 3 4 5; do
  dir=$(mktemp -d "$base/karmada-ci-etcd.XXXXXX")
  read -r client peer < <(free_ports)
  etcd --name ci --data-dir "$dir/data" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "ci=http://127.0.0.1:$peer" --initial-cluster-state new \
    --logger zap --log-level warn >"$dir/etcd.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    if ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$client" --dial-timeout 200ms endpoint health >/dev/null 2>&1; then
      echo "ETCD_DIR=$dir ETCD_PID=$pid ETCD_ENDPOINT=127.0.0.1:$client"
      exit 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "etcd did not start (attempt $attempt):" >&2
  tail -5 "$dir/etcd.log" >&2 || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
done
exit 1
