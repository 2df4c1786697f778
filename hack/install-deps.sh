#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, when missing:
#   protoc (etcd-client compiles etcd's protobufs at build time), and with --test also etcd.
set -euo pipefail
missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
if [ "${1:-}" = "--test" ]; then
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v etcdctl >/dev/null || missing+=(etcd-client)
  command -v python3 >/dev/null || missing+=(python3)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
