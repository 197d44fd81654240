#!/usr/bin/env bash
# Runs the popular clients against a running gateway, as docs/clients.md describes them: Codex CLI, Claude Code,
# the Vercel AI SDK and the OpenAI Agents SDK. Needs Node 20+ and npm (the npm registry); installs the pinned
# versions of package.json into a scratch directory (never into the repository).
#
#   LJQ_API_KEY=lgw-… bench/clients/run.sh                  # all four, gateway at http://127.0.0.1:8080/v1
#   LJQ_BASE_URL=http://127.0.0.1:18080/v1 LJQ_API_KEY=… bench/clients/run.sh codex claude
#
# Each client answers, streams and runs one tool; the exit code is the number of clients that failed.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${LJQ_API_KEY:?set LJQ_API_KEY to a platform key (ljq demo prints one)}"
export LJQ_BASE_URL="${LJQ_BASE_URL:-http://127.0.0.1:8080/v1}"
ROOT="${LJQ_BASE_URL%/v1}"
WORK="${LJQ_CLIENTS_DIR:-${TMPDIR:-/tmp}/ljq-clients}"
mkdir -p "$WORK"
cp "$HERE/package.json" "$HERE/aisdk.mjs" "$HERE/agents.mjs" "$WORK/"
if [ ! -d "$WORK/node_modules/@openai/codex" ] || [ "$HERE/package.json" -nt "$WORK/node_modules" ]; then
  echo "installing clients into $WORK ..." >&2
  (cd "$WORK" && npm install --no-audit --no-fund --loglevel=error) || exit 100
fi
BIN="$WORK/node_modules/.bin"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/ljq-clients-run.XXXXXX")"
failed=0

step() { # name, command...: runs it, prints its last lines, counts a failure
  local name="$1"; shift
  echo "== $name"
  if "$@" > "$SCRATCH/out" 2>&1; then tail -n 30 "$SCRATCH/out" | cut -c1-200; else
    tail -n 20 "$SCRATCH/out"; echo "!! $name failed"; return 1; fi
}

codex() {
  local home="$SCRATCH/codex-home" dir="$SCRATCH/codex-work" ok=0
  mkdir -p "$home" "$dir"
  cat > "$home/config.toml" <<EOF
model = "${CODEX_MODEL:-gpt-4o-mini}"
model_provider = "ljq"
check_for_update_on_startup = false

[model_providers.ljq]
name = "Lijiaoqiao"
base_url = "$LJQ_BASE_URL"
env_key = "LJQ_API_KEY"
wire_api = "responses"

[analytics]
enabled = false

[feedback]
enabled = false

[features]
plugins = false
EOF
  export CODEX_HOME="$home"
  step "codex: answer" "$BIN/codex" exec --skip-git-repo-check -C "$dir" "Say hello in one sentence." || ok=1
  step "codex: tool" "$BIN/codex" exec --skip-git-repo-check -C "$dir" -s workspace-write \
    "Use your shell tool to run \`echo hello from codex > hello.txt\`" || ok=1
  if [ "$(cat "$dir/hello.txt" 2>/dev/null)" != "hello from codex" ]; then echo "!! codex: the command did not run"; ok=1; fi
  unset CODEX_HOME
  return $ok
}

claude() {
  local dir="$SCRATCH/claude-work" ok=0
  mkdir -p "$dir"
  (
    cd "$dir" || exit 1
    export HOME="$SCRATCH/claude-home" ANTHROPIC_BASE_URL="$ROOT" ANTHROPIC_AUTH_TOKEN="$LJQ_API_KEY" \
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 DISABLE_AUTOUPDATER=1
    step "claude: answer" "$BIN/claude" -p "Say hello in one sentence." || ok=1
    step "claude: stream-json" "$BIN/claude" -p "Say hello in one sentence." --output-format stream-json --verbose || ok=1
    grep -q '"subtype":"success"' "$SCRATCH/out" || { echo "!! claude: no success result"; ok=1; }
    step "claude: tool" "$BIN/claude" -p "Use the Bash tool to run \`echo hello from claude > hello.txt\`" \
      --allowedTools Bash || ok=1
    [ "$(cat hello.txt 2>/dev/null)" = "hello from claude" ] || { echo "!! claude: the command did not run"; ok=1; }
    exit $ok
  )
}

aisdk() { step "vercel ai sdk" node "$WORK/aisdk.mjs"; }
agents() { step "openai agents sdk" node "$WORK/agents.mjs"; }

for c in "${@:-codex claude aisdk agents}"; do
  for one in $c; do
    case "$one" in
      codex|claude|aisdk|agents) "$one" || failed=$((failed + 1)) ;;
      *) echo "unknown client '$one' (codex, claude, aisdk, agents)" >&2; exit 100 ;;
    esac
  done
done
rm -rf "$SCRATCH"
echo "clients failed: $failed"
exit "$failed"
