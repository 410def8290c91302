#!/usr/bin/env bash
# bin/densenet inside the densenet-flink-cli image (docker/Dockerfile, target "cli"): the same command line,
# run from the class path the build stage assembled (no Maven, no build at start).
set -euo pipefail
home="${DENSENET_HOME:-/opt/densenet}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
exec java ${DENSENET_JAVA_OPTS:-} -Dai.djl.offline=true -Doffline=true \
  -cp "$(cat "$home/cli/densenet.classpath")" io.densenetflink.job.cli.DenseNetCli "$@"
