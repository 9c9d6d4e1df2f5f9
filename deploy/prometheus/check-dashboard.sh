#!/usr/bin/env bash
# Runs every query of the Grafana dashboard (deploy/grafana/dashboards/parley.json) against a real, temporary
# Prometheus that scrapes one running Parley, after an optional small scenario, and prints a Markdown table:
# panel | query | what Prometheus answered. Exits 1 when a query returns no series at all (a wrong metric name; a rate
# over a counter that did not move still returns a series, with 0), or groups "by" a label its series lack.
#
#   PARLEY_URL=http://127.0.0.1:8080 PARLEY_METRICS=127.0.0.1:9091 deploy/prometheus/check-dashboard.sh
#
# PARLEY_METRICS   host:port serving /actuator/prometheus without a token (management.server.port on a push node or
#                  standalone, parley.operations.management-port on the other services); default 127.0.0.1:9091
# PARLEY_TOKEN     a bearer token of an ADMIN instead, when scraping the main port (optional)
# PARLEY_URL       the main port: when set, Scenario.java (two users, 20 socket messages, one over HTTP) runs first
# PROMETHEUS       the prometheus binary (default: prometheus on PATH; Debian: apt-get install prometheus)
# PROM_PORT        where the temporary Prometheus listens (default 19090, on 127.0.0.1)
# Needs curl, python3 and java (for the scenario). Leaves nothing running; its data goes to a temporary directory.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dashboard="${DASHBOARD:-$here/../grafana/dashboards/parley.json}"
metrics="${PARLEY_METRICS:-127.0.0.1:9091}"
prom_port="${PROM_PORT:-19090}"
prometheus="${PROMETHEUS:-prometheus}"
work="$(mktemp -d)"
prom_pid=""
cleanup() {
    if [[ -n "$prom_pid" ]]; then kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

{
    echo "global: { scrape_interval: 2s, evaluation_interval: 2s }"
    echo "scrape_configs:"
    echo "  - job_name: parley"
    echo "    metrics_path: /actuator/prometheus"
    if [[ -n "${PARLEY_TOKEN:-}" ]]; then
        echo "    authorization: { type: Bearer, credentials: \"$PARLEY_TOKEN\" }"
    fi
    echo "    static_configs:"
    echo "      - targets: [\"$metrics\"]"
    echo "        labels: { service: parley }"
} > "$work/prometheus.yml"

"$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$prom_port" > "$work/prometheus.log" 2>&1 &
prom_pid=$!
api="http://127.0.0.1:$prom_port"
for _ in $(seq 1 60); do curl -fs "$api/-/ready" > /dev/null 2>&1 && break; sleep 1; done
curl -fs "$api/-/ready" > /dev/null || { cat "$work/prometheus.log"; echo "Prometheus did not start" >&2; exit 2; }

# the target answers before the scenario, so the rates below see counters before and after it
for _ in $(seq 1 30); do
    curl -fs "$api/api/v1/query" --data-urlencode 'query=up{job="parley"} == 1' | grep -q '"value"' && break
    sleep 1
done
curl -fs "$api/api/v1/query" --data-urlencode 'query=up{job="parley"} == 1' | grep -q '"value"' \
    || { echo "Prometheus cannot scrape $metrics: $(curl -fs "$api/api/v1/targets")" >&2; exit 2; }
sleep 5

scenario_pid=""
if [[ -n "${PARLEY_URL:-}" ]]; then
    # sockets stay open while the queries run, so the socket and user gauges show them
    java "$here/Scenario.java" "$PARLEY_URL" "${SCENARIO_MESSAGES:-20}" 30 > "$work/scenario.log" 2>&1 &
    scenario_pid=$!
    until grep -q '^scenario:' "$work/scenario.log"; do
        kill -0 "$scenario_pid" 2>/dev/null || { cat "$work/scenario.log" >&2; exit 2; }
        sleep 1
    done
    cat "$work/scenario.log" >&2
fi
sleep 6   # three more scrapes: every rate[1m] has samples from before and after

(python3 - "$dashboard" "$api" <<'PY'
import json, re, sys, urllib.parse, urllib.request
dashboard, api = sys.argv[1], sys.argv[2]
panels = json.load(open(dashboard))["panels"]
empty = 0
print("| panel | query | answer |")
print("| --- | --- | --- |")
for panel in panels:
    for target in panel.get("targets", []):
        expr = target["expr"]
        url = api + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        answer = json.load(urllib.request.urlopen(url))
        series = answer["data"]["result"] if answer["status"] == "success" else []
        # a "by (label)" that no series carries collapses every series into one: as wrong as a wrong name
        grouped = [l.strip() for m in re.findall(r"by \(([^)]*)\)", expr) for l in m.split(",")]
        missing = [l for l in grouped if l and l not in ("le", "instance")
                   and series and not all(l in s["metric"] for s in series)]
        if missing:
            empty += 1
            series = []
            answer["status"], answer["error"] = "label", "no series has the label " + ", ".join(missing)
        if not series:
            empty += 1 if not missing else 0
            seen = "**no series**" if answer["status"] == "success" else "error: " + answer.get("error", "")
        else:
            def show(s):
                labels = {k: v for k, v in s["metric"].items()
                          if k not in ("__name__", "job", "instance", "application", "service")}
                value = float(s["value"][1])
                text = ("%.4g" % value) if value == value else "NaN"
                return (",".join("%s=%s" % kv for kv in sorted(labels.items())) + " " + text).strip()
            shown = [show(s) for s in series[:4]]
            seen = "; ".join(shown) + (" (+%d more)" % (len(series) - 4) if len(series) > 4 else "")
        print("| %s | `%s` | %s |" % (panel["title"], expr.replace("|", "\\|"), seen))
sys.exit(1 if empty else 0)
PY
) && status=0 || status=$?
if [[ -n "$scenario_pid" ]]; then wait "$scenario_pid" || status=1; fi
exit "$status"
