#!/usr/bin/env bash
# Installs the real Temporal server for `npm run stack` and `npm run chaos` into .tools/:
#   .tools/server-bin/server     Temporal server (the version the CLI v1.5.1 embeds)
#   .tools/sql-bin/sql           its SQL schema tool (temporal-sql-tool)
#   .tools/ui-bin/server         the Web UI server (its binary is also named `server`)
#   .tools/temporal-schema/      the PostgreSQL schemas the schema tool applies
# Idempotent: a binary whose stamp matches its pinned version is not rebuilt. The server takes
# about 5 minutes of CPU to build the first time; the schema tool and the UI under a minute.
set -euo pipefail
SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.29.1}"
UI_VERSION="${TEMPORAL_UI_VERSION:-v2.42.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"

GO="$(command -v go || true)"
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go

# build <dir> <binary> <version> <package@version>
build() {
  local dir="$TOOLS/$1" binary="$2" version="$3" package="$4"
  local stamp="$dir/.version"
  if [ -x "$dir/$binary" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    echo "$package already in $dir"; return 0
  fi
  if [ -z "$GO" ]; then
    echo "Go not found: install Go >= 1.25 to build $package" >&2; exit 1
  fi
  mkdir -p "$dir"
  echo "building $package with $("$GO" version)"
  local started=$SECONDS
  GOBIN="$dir" GOFLAGS="${GOFLAGS:-} -trimpath" "$GO" install "$package"
  echo "$version" > "$stamp"
  echo "built $dir/$binary in $((SECONDS - started)) s"
}

build sql-bin sql "$SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@$SERVER_VERSION"
build server-bin server "$SERVER_VERSION" "go.temporal.io/server/cmd/server@$SERVER_VERSION"
build ui-bin server "$UI_VERSION" "github.com/temporalio/ui-server/v2/cmd/server@$UI_VERSION"

# the schemas ship inside the server's Go module; copied so the stack needs no Go at run time
SCHEMA="$TOOLS/temporal-schema"
if [ "$(cat "$SCHEMA/.version" 2>/dev/null)" != "$SERVER_VERSION" ]; then
  MODULE="$("$GO" env GOMODCACHE)/go.temporal.io/server@$SERVER_VERSION"
  rm -rf "$SCHEMA"; mkdir -p "$SCHEMA"
  cp -r "$MODULE/schema/postgresql" "$SCHEMA/"
  chmod -R u+w "$SCHEMA"
  echo "$SERVER_VERSION" > "$SCHEMA/.version"
fi
echo "Temporal server $SERVER_VERSION and UI $UI_VERSION ready in $TOOLS"
