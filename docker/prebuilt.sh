#!/usr/bin/env bash
# Gathers what the images need from a Maven build (`mvn package` of the repository) into one folder:
#   OUT/cli/            bin/densenet's class path (docker/assemble-cli.sh), for the cli image
#   OUT/flink-lib/      DJL, JNA, the MXNet natives: Flink's lib/
#   OUT/densenet-job.jar  the job jar: Flink's usrlib/
# docker/Dockerfile's build stage runs it after its own Maven build; on a host that has built the project,
# `docker/prebuilt.sh` fills job/target/docker and `DENSENET_BUILD=prebuilt` makes the images from it without
# building anything again (the compose test and CI do this).
# Usage: prebuilt.sh [REPO_ROOT [OUT]]   (defaults: this repository, REPO_ROOT/job/target/docker)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="${1:-$(cd "$here/.." && pwd)}"
out="${2:-$root/job/target/docker}"
target="$root/job/target"
shopt -s nullglob
job_jars=("$target"/densenet-job-*-flink.jar)
shopt -u nullglob
((${#job_jars[@]} == 1)) || { echo "prebuilt: expected one job jar $target/densenet-job-*-flink.jar (mvn package)" >&2; exit 1; }
[[ -d "$target/flink-lib" ]] || { echo "prebuilt: $target/flink-lib missing (mvn package)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/flink-lib"
assemble="$here/assemble-cli.sh"
[[ -x "$assemble" ]] || assemble="$(command -v assemble-cli.sh)"
"$assemble" "$root" "$out/cli" /opt/densenet/cli
cp -r "$target/flink-lib/." "$out/flink-lib/"
cp "${job_jars[0]}" "$out/densenet-job.jar"
echo "prebuilt: images' jars in $out" >&2
