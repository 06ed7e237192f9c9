#!/usr/bin/env bash
# `make demo`: the local broker, the three topics, one worker with the shipped model, and example
# articles flowing through it. Prints the enriched records as they arrive, the dead letters, and the
# metrics address, then leaves the worker running in the foreground until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
DATA=${NEWSFEED_DEMO_DATA:-../shared/data}
HTTP=${NEWSFEED_HTTP_ADDRESS:-127.0.0.1:9464}
mkdir -p var

echo "== starting the local Kafka broker (first run fetches the jars from Maven Central)"
bash deploy/local-kafka/kafka.sh start
"$BIN/newsfeed" topics create --log-level WARNING >/dev/null

echo "== starting a worker with the shipped model; its JSON logs go to var/worker.log"
started_at=$(date -u +%Y-%m-%dT%H:%M:%S)
"$BIN/newsfeed" worker --http-address "$HTTP" 2>var/worker.log &
worker=$!
trap 'kill -TERM $worker 2>/dev/null || true; wait $worker 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
"$BIN/python" - "$HTTP" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 90
while True:
    try:
        urllib.request.urlopen(f"http://{sys.argv[1]}/readyz", timeout=2)
        break
    except Exception:
        if time.monotonic() > deadline:
            sys.exit("the worker did not become ready in 90 s: see var/worker.log")
        time.sleep(0.5)
PY

echo "== producing the example articles (examples/articles.jsonl, 3 of them malformed on purpose)"
"$BIN/newsfeed" produce --topic articles.raw examples/articles.jsonl --log-level WARNING
if [ -d "$DATA" ]; then
    echo "== producing 20 real articles read from $DATA"
    "$BIN/python" deploy/local/real_articles.py "$DATA" 20 >var/real-articles.jsonl
    "$BIN/newsfeed" produce --topic articles.raw var/real-articles.jsonl --log-level WARNING
fi

echo "== enriched records from this run (topic: articles.enriched)"
"$BIN/newsfeed" consume --topic articles.enriched --idle-timeout 10 --log-level WARNING \
    | "$BIN/python" deploy/local/show_records.py "$started_at"
echo "== dead letters from this run (topic: articles.raw.dlq)"
"$BIN/newsfeed" consume --topic articles.raw.dlq --envelope --idle-timeout 3 --log-level WARNING \
    | "$BIN/python" deploy/local/show_records.py "$started_at" --dead-letters

echo
echo "metrics:  http://$HTTP/metrics   (also /livez, /readyz)"
echo "the worker keeps running; produce more with:  $BIN/newsfeed produce --topic articles.raw FILE.jsonl"
echo "Ctrl-C stops the worker; 'make broker-stop' stops the broker"
wait $worker
