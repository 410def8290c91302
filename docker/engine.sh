#!/usr/bin/env bash
# The Docker engine the compose stack and its test need, owned by the project (CI and developers' machines).
#
#   docker/engine.sh start    install docker.io and docker-compose when missing (Debian, as root), start dockerd
#                             when no engine answers, wait until `docker info` succeeds; prints the docker
#                             client to use (Debian's own, with BuildKit built in)
#   docker/engine.sh stop     stop the dockerd that `start` started (by its pid file), and nothing else
#   docker/engine.sh client   print the docker client to use
#   docker/engine.sh status   exit 0 when an engine answers `docker info`, 1 otherwise
#
# Files: $DENSENET_DOCKER_STATE (default /var/run/densenet-docker) holds dockerd.pid and dockerd.log.
# Why Debian's client: a newer `docker` earlier on PATH (28.x) needs the buildx plugin for BuildKit, which Debian
# 12 does not package; docker.io's client (20.10) has BuildKit built in, and docker-compose v1 shells out to
# the first `docker` on PATH, so callers put this client's folder first.
# dockerd runs with --iptables=false --ip6tables=false: these machines have no iptables NAT; user-defined
# bridge networks with service-name DNS and `-p 127.0.0.1:PORT:PORT` publishing still work, and containers
# reach nothing outside (builds that fetch packages use `--network host`).
set -euo pipefail

state="${DENSENET_DOCKER_STATE:-/var/run/densenet-docker}"
pidfile="$state/dockerd.pid"
log="$state/dockerd.log"

say() { echo "engine: $*" >&2; }

client() {
  # docker.io's client lives in /usr/bin; prefer it over any other docker on PATH.
  if [[ -x /usr/bin/docker ]] && dpkg -S /usr/bin/docker 2>/dev/null | grep -q '^docker.io:'; then
    echo /usr/bin/docker
  else
    command -v docker || true
  fi
}

answers() {
  local docker
  docker="$(client)"
  [[ -n "$docker" ]] && timeout 20 "$docker" info --format '{{.ServerVersion}}' >/dev/null 2>&1
}

install_packages() {
  local need=()
  dpkg -s docker.io >/dev/null 2>&1 || need+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
  ((${#need[@]} == 0)) && return 0
  if [[ "$(id -u)" != 0 ]]; then
    say "missing ${need[*]} and not root: install them (apt-get install ${need[*]})"
    return 1
  fi
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

start() {
  install_packages
  if answers; then
    say "an engine already answers ($(client) info)"
    client
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    say "no engine answers and only root can start dockerd here"
    return 1
  fi
  mkdir -p "$state"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "dockerd $(cat "$pidfile") is starting already"
  else
    say "starting dockerd (log: $log)"
    # setsid + nohup: the daemon must outlive the shell that started it.
    setsid nohup dockerd --iptables=false --ip6tables=false --pidfile "$state/dockerd.own.pid" \
      >"$log" 2>&1 < /dev/null &
    echo $! > "$pidfile"
  fi
  local deadline=$((SECONDS + 90))
  until answers; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      say "dockerd exited; last lines of $log:"
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    if ((SECONDS > deadline)); then
      say "dockerd did not answer within 90 s; last lines of $log:"
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    sleep 1
  done
  say "dockerd $(cat "$pidfile") answers"
  client
}

stop() {
  if [[ ! -f "$pidfile" ]]; then
    say "no dockerd started by this script ($pidfile absent)"
    return 0
  fi
  local pid
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping dockerd $pid"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "dockerd $pid still running after 60 s: SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  client) client ;;
  status) answers ;;
  *) echo "usage: $0 start|stop|client|status" >&2; exit 2 ;;
esac
