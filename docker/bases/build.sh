#!/usr/bin/env bash
# Local stand-ins for the base images the project's Dockerfiles and compose file use, for machines that reach no
# container registry. For each TAG (default: all four below) it does, in order:
#   1. nothing, when the engine has the image already (a real one, or a stand-in built earlier);
#   2. `docker pull TAG`, when a registry answers: the real image always wins;
#   3. else builds a stand-in under the SAME tag from Debian 12 packages and Maven Central jars.
#
#   docker/bases/build.sh [TAG...]     TAG: flink:2.2-java17 apache/kafka:4.2.0 prom/prometheus:v3.5.0
#                                           maven:3-eclipse-temurin-17
#
# A stand-in offers exactly what this project's docker/Dockerfile and docker/docker-compose.yml use of the real
# image (see each docker/bases/*/Dockerfile), and says so in its org.opencontainers.image.description label.
# The stand-ins start from a minimal Debian 12 made here with debootstrap and `docker import`
# (densenet-standin/debian:bookworm); packages come from the host's Debian mirror (`docker build --network host`),
# jars from Maven Central through the host's Maven (and its local repository, so CI downloads them once).
# Remove the stand-ins with: docker rmi TAG... densenet-standin/debian:bookworm
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
docker="$("$here/../engine.sh" client)"
[[ -n "$docker" ]] || { echo "bases: no docker client" >&2; exit 1; }
export DOCKER_BUILDKIT=1
debian_tag=densenet-standin/debian:bookworm
work="${DENSENET_BASES_WORK:-${TMPDIR:-/tmp}/densenet-bases}"

say() { echo "bases: $*" >&2; }

has_image() { "$docker" image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror this machine's apt uses (deb822 .sources or a one-line sources.list).
debian_mirror() {
  local uri
  uri="$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*debian\)[[:space:]]*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | head -n 1)"
  [[ -n "$uri" ]] || uri="$(sed -n 's/^deb[[:space:]]\+\(http[^[:space:]]*\)[[:space:]]\+bookworm[[:space:]].*/\1/p' \
    /etc/apt/sources.list 2>/dev/null | head -n 1)"
  echo "${uri:-http://deb.debian.org/debian}"
}

build_debian() {
  has_image "$debian_tag" && return 0
  if ! command -v debootstrap >/dev/null; then
    [[ "$(id -u)" == 0 ]] || { say "debootstrap missing (apt-get install debootstrap)"; return 1; }
    say "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  local mirror rootfs
  mirror="$(debian_mirror)"
  rootfs="$work/debian-rootfs"
  rm -rf "$rootfs"
  mkdir -p "$work"
  say "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; return 1; }
  # The same suites as the host: the release, its updates and security fixes.
  local security="${mirror%/debian}/debian-security"
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
    "$mirror" "$mirror" "$security" > "$rootfs/etc/apt/sources.list"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "$docker" import \
    -c 'CMD ["bash"]' \
    -c 'ENV LANG=C.UTF-8' \
    -c "LABEL org.opencontainers.image.description=\"Minimal Debian 12 (debootstrap minbase) for densenet-flink's local stand-in base images\"" \
    - "$debian_tag" >/dev/null
  rm -rf "$rootfs"
  say "built $debian_tag"
}

# Jars from Maven Central through the host's Maven, into DEST (the stand-in's build context): POM lists them.
maven_jars() {
  local pom="$1" dest="$2"
  command -v mvn >/dev/null || { say "mvn missing: the Flink and Kafka stand-ins take their jars from Maven Central"; return 1; }
  rm -rf "$dest"
  mvn -B -q -f "$pom" dependency:copy-dependencies -DoutputDirectory="$dest" -DincludeScope=runtime \
    -Dmdep.prependGroupId=false > "$work/maven.log" 2>&1 || { tail -n 30 "$work/maven.log" >&2; return 1; }
}

# Builds the stand-in in docker/bases/NAME under TAG; the context is a copy, with jars added where needed.
build_standin() {
  local name="$1" tag="$2" context="$work/$1"
  build_debian
  rm -rf "$context"
  mkdir -p "$work"
  cp -r "$here/$name" "$context"
  case "$name" in
    flink)
      maven_jars "$here/flink/lib.pom.xml" "$context/jars/lib"
      maven_jars "$here/flink/prometheus.pom.xml" "$context/jars/metrics-prometheus"
      ;;
    kafka)
      maven_jars "$here/kafka/libs.pom.xml" "$context/jars/libs"
      ;;
  esac
  say "building stand-in $tag (docker/bases/$name)"
  "$docker" build --network host --build-arg STANDIN_BASE="$debian_tag" -t "$tag" "$context" \
    > "$work/$name.build.log" 2>&1 || { tail -n 40 "$work/$name.build.log" >&2; return 1; }
  rm -rf "$context"
  say "built stand-in $tag"
}

ensure() {
  local tag="$1" name
  case "$tag" in
    flink:2.2-java17) name=flink ;;
    apache/kafka:4.2.0) name=kafka ;;
    prom/prometheus:v3.5.0) name=prometheus ;;
    maven:3-eclipse-temurin-17) name=maven ;;
    *) say "no stand-in for $tag"; return 1 ;;
  esac
  if has_image "$tag"; then
    say "$tag: present"
  elif timeout 300 "$docker" pull -q "$tag" >/dev/null 2>&1; then
    say "$tag: pulled"
  else
    build_standin "$name" "$tag"
  fi
}

tags=("$@")
((${#tags[@]})) || tags=(flink:2.2-java17 apache/kafka:4.2.0 prom/prometheus:v3.5.0 maven:3-eclipse-temurin-17)
for tag in "${tags[@]}"; do
  ensure "$tag"
done
