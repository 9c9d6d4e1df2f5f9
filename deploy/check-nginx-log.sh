#!/usr/bin/env bash
# Checks deploy/nginx.conf with a local nginx (Debian: apt-get install nginx) in front of a running Parley: the
# configuration is valid (nginx -t), a socket opened through it with ?access_token=SECRET and a GET with
# ?access_token=SECRET&ticket=SECRET both reach Parley, and the access log holds no trace of the secret.
#
#   PARLEY_UPSTREAM=127.0.0.1:8080 deploy/check-nginx-log.sh
#
# The compose file's upstreams (push-1, push-2), port and log paths are replaced by PARLEY_UPSTREAM, NGINX_PORT
# (default 18088) and a temporary directory; everything else is the file as shipped. Leaves nothing running.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
upstream="${PARLEY_UPSTREAM:-127.0.0.1:8080}"
port="${NGINX_PORT:-18088}"
work="$(mktemp -d)"
nginx_pid=""
cleanup() {
    if [[ -n "$nginx_pid" ]]; then kill "$nginx_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

sed -e "s#server push-1:8080 #server $upstream #; /server push-2:8080 /d" \
    -e "s#listen 80;#listen 127.0.0.1:$port;#" \
    -e "s#/var/log/nginx/#$work/#g" \
    -e "s#^events {}#pid $work/nginx.pid;\nevents {}#" \
    -e "s#^http {#http {\n    client_body_temp_path $work/body; proxy_temp_path $work/proxy;\n    fastcgi_temp_path $work/fastcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;#" \
    "$here/nginx.conf" > "$work/nginx.conf"

nginx -t -q -p "$work" -c "$work/nginx.conf" -e "$work/startup-error.log"
echo "nginx -t: the configuration is valid" >&2
nginx -p "$work" -c "$work/nginx.conf" -e "$work/startup-error.log" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 1 20); do curl -fs "http://127.0.0.1:$port/nginx-health" > /dev/null 2>&1 && break; sleep 0.5; done

secret="s3cr3t-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# a WebSocket handshake with the token in the query: Parley refuses the made-up token (401) after nginx logged it
ws=$(curl -s -o /dev/null -w '%{http_code}' -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
    -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
    "http://127.0.0.1:$port/ws?resume=true&access_token=$secret")
api=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/conversations?access_token=$secret&ticket=$secret")
plain=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/docs?x=1")
sleep 0.5
echo "answers through nginx: /ws $ws, /api/conversations $api, /api/docs $plain" >&2
echo "access log:" >&2
sed 's/^/  /' "$work/access.log" >&2
if grep -q "$secret" "$work"/*.log; then
    echo "FAIL: the secret is in a log" >&2
    exit 1
fi
grep -q '"GET /api/docs?x=1 ' "$work/access.log" || { echo "FAIL: other queries should still be logged" >&2; exit 1; }
echo "OK: no log holds the secret; other query strings are still logged" >&2
