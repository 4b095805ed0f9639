#!/usr/bin/env bash
# Installs the pinned Temporal CLI (dev server + Web UI) into .tools/bin.
# Skipped when TEMPORAL_CLI_PATH names an existing binary or the pinned version is already built.
set -euo pipefail
VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="$ROOT/.tools/bin"
STAMP="$BIN_DIR/.temporal-version"

if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "$TEMPORAL_CLI_PATH" ]; then
  echo "temporal CLI: using TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH"; exit 0
fi
if [ -x "$BIN_DIR/temporal" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; then
  echo "temporal CLI $VERSION already in $BIN_DIR"; exit 0
fi
GO="$(command -v go || true)"
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
if [ -z "$GO" ]; then
  echo "temporal CLI: Go not found. Install Go >= 1.25, or set TEMPORAL_CLI_PATH to a temporal binary." >&2
  exit 1
fi
mkdir -p "$BIN_DIR"
echo "temporal CLI: building $VERSION with $("$GO" version) (first build takes a few minutes)"
GOBIN="$BIN_DIR" GOFLAGS="${GOFLAGS:-} -trimpath" "$GO" install "github.com/temporalio/cli/cmd/temporal@$VERSION"
echo "$VERSION" > "$STAMP"
"$BIN_DIR/temporal" --version
