#!/usr/bin/env bash
# Runs the federation API server locally on the embedded store in ./karmada-data (or $KARMADA_DATA_DIR),
# generating TLS material and an admin kubeconfig on first start. Extra arguments go to
# karmada-apiserver (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
hack/install-deps.sh
exec cargo run --quiet --bin karmada-apiserver -- "$@"
