#!/usr/bin/env bash
# The production path end to end, with real processes (docs/production.md):
#   ceremony (two contributions and a beacon) -> keys -> prove -> verify -> publish to `zksolvency serve`
#   -> the public page at / -> a trader's record, margin kit and margin proof through the API alone.
# Usage: tests/production_path.sh [WORKDIR]   (run from anywhere after `bash .ci/setup`)
# PTAU=FILE: the phase-1 file (default: the repository's UNSAFE test-only powers of tau).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
Z="$ROOT/.venv/bin/zksolvency"
PY="$ROOT/.venv/bin/python"
WORK="${1:-$(mktemp -d)}"
PTAU="$(realpath "${PTAU:-$ROOT/tests/data/UNSAFE_test_only_16.ptau}")"
mkdir -p "$WORK"
cd "$WORK"  # every path below is relative: the commands must resolve them against this folder
step() { printf '\n== [%ss] %s\n' "$SECONDS" "$*"; }

step "ceremony for the ci profile: start, two contributions, beacon, keys (finish verifies the transcript)"
"$Z" ceremony start ceremony --ptau "$PTAU" --profile ci
"$Z" ceremony contribute ceremony --name alice
"$Z" ceremony contribute ceremony --name bob --entropy "bob's dice rolls"
BEACON=0x5c7a1e0f5c7a1e0f5c7a1e0f5c7a1e0f5c7a1e0f5c7a1e0f5c7a1e0f5c7a1e0f  # a block hash, as usually written
"$Z" ceremony finish ceremony --beacon "$BEACON" --keys keys

step "a sample venue, proved with the ceremony keys"
"$Z" sample snapshot --accounts 10 --seed 7 --profile ci --epoch-id 4711
"$Z" prove snapshot --keys keys --ceremony ceremony --out epoch --secret venue.secret --new-secret --workers 2

step "the epoch's audit, reserves proven: custody wallets on a local anvil node sign and hold the amounts"
# A venue's custody keys sign `zksolvency reserves message` and the auditor names its own nodes; here a
# local node and anvil's well-known development wallets (no secret at all) stand in for both, funded
# with the declared amounts.
"$PY" - "$Z" <<'PY'
import json, subprocess, sys
from pathlib import Path
from zksolvency.contracts.demo_reserves import local_custody
from zksolvency.verifier.formats import PUBLIC_EPOCH, epoch_from_json
from zksolvency.verifier.reserves import PUBLIC_RESERVES
epoch = epoch_from_json(json.loads((Path("epoch") / PUBLIC_EPOCH).read_text()))
with local_custody(epoch, Path("epoch") / PUBLIC_RESERVES, "production path venue") as rpc:
    subprocess.run([sys.argv[1], "verify", "epoch", "--ceremony", "ceremony", "--rpc", rpc], check=True)
PY

step "publish to a running zksolvency serve"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
export ZKSOLVENCY_VENUE_TOKEN="production-path-venue-token-$RANDOM$RANDOM"
"$Z" serve --port "$PORT" --data-dir data --ceremony ceremony >serve.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT
"$PY" - "$URL" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 60
while True:
    try:
        urllib.request.urlopen(sys.argv[1] + "/v1/health", timeout=2)
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the API did not start: see serve.log")
        time.sleep(0.2)
PY
"$Z" publish epoch --url "$URL"

step "a trader with only the API: their record, the epoch, the margin kit, a margin proof"
"$Z" split-records epoch --out handout
ACCOUNT="$(ls handout | grep '\.token$' | head -1)"
"$PY" - "$URL" "handout/$ACCOUNT" <<'PY'
import sys, urllib.request
url, token = sys.argv[1], open(sys.argv[2]).read().strip()
def get(path, name, auth=False):
    headers = {"Authorization": f"Bearer {token}"} if auth else {}
    with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers), timeout=60) as r:
        open(name, "wb").write(r.read())
get("/v1/epochs/4711/record", "my-record.json", auth=True)
get("/v1/epochs/4711/document", "epoch-4711.json")
get("/v1/epochs/4711/margin-kit", "margin-kit.zip")
PY
# The trader's own holder secret (the sample wrote each trader's, UNSAFE, beside the snapshot): it never
# goes to the venue or the API; the margin proof is made on the trader's machine.
SECRET_FILE="snapshot/traders/${ACCOUNT%%-*}.secret"  # ACCOUNT is ACCOUNT_ID-SUBACCOUNT.token
"$Z" holder-key show "$SECRET_FILE"
"$Z" verify-account my-record.json --epoch epoch-4711.json --ceremony ceremony --secret "$SECRET_FILE"
"$Z" prove-account my-record.json --epoch epoch-4711.json --kit margin-kit.zip --ceremony ceremony \
    --threshold 0 --recipient 0x00000000000000000000000000000000000000aa --chain-id 1 \
    --gate 0x00000000000000000000000000000000000000bb --secret "$SECRET_FILE" --out margin-proof.json
"$Z" verify-account my-record.json --epoch epoch-4711.json --ceremony ceremony --margin-proof margin-proof.json \
    --secret "$SECRET_FILE"

step "the public page lists the epoch"
"$PY" - "$URL" <<'PY'
import sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1] + "/", timeout=30) as page:
        body, kind = page.read().decode(), page.headers.get("content-type", "")
except urllib.error.HTTPError as exc:
    sys.exit(f"/: {exc.code}, expected 200 and the public page")
if not kind.startswith("text/html"):
    sys.exit(f"/: {kind!r}, expected text/html")
if "4711" not in body:
    sys.exit("/: epoch 4711 is not listed")
print(f"/: 200 {kind}, epoch 4711 listed")
PY

step "production path: every step passed"
