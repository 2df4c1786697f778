#!/usr/bin/env bash
# Runs a whole federation locally with `karmadactl local-up`: the federation API server on the
# embedded store in ./karmada-data (or $KARMADA_DATA_DIR), the controller-manager and three
# simulated member clusters, all in one process. Ctrl-C stops it; running it again resumes.
# Extra arguments go to `karmadactl local-up` (see --help), e.g. --members 5 or --etcd-servers.
set -euo pipefail
cd "$(dirname "$0")/.."
hack/install-deps.sh
exec cargo run --quiet --bin karmadactl -- local-up --data-dir "${KARMADA_DATA_DIR:-karmada-data}" "$@"
