#!/usr/bin/env bash
# Build stage helper (docker/Dockerfile): gathers what `bin/densenet` runs from, the job jar and every jar of
# job/target/densenet.classpath and densenet-provided.classpath (written by `mvn package`), into OUT/lib, and
# writes OUT/densenet.classpath pointing at them under PREFIX (where OUT is copied in the image).
# Usage: assemble-cli.sh REPO_ROOT OUT PREFIX
set -euo pipefail
root="$1" out="$2" prefix="$3"
target="$root/job/target"
mkdir -p "$out/lib"
entries=()
shopt -s nullglob
job_jars=("$target"/densenet-job-*.jar)
shopt -u nullglob
for jar in "${job_jars[@]}"; do
  # The cluster job jar and the test jar (the module publishes one) are not bin/densenet's.
  [[ "$jar" == *-flink.jar || "$jar" == *-tests.jar ]] && continue
  cp "$jar" "$out/lib/densenet-job.jar"
  entries+=("$prefix/lib/densenet-job.jar")
done
((${#entries[@]} == 1)) || { echo "assemble-cli: expected one job jar in $target" >&2; exit 1; }
for file in "$target/densenet.classpath" "$target/densenet-provided.classpath"; do
  IFS=: read -r -a jars < "$file" || true  # no trailing newline: read returns 1
  for jar in "${jars[@]}"; do
    [[ -n "$jar" ]] || continue
    # group-artifact-version.jar: unique even where two artifacts share a name.
    rel="${jar#*/repository/}"
    name="$(dirname "$(dirname "$(dirname "$rel")")" | tr / .)-$(basename "$jar")"
    [[ -f "$out/lib/$name" ]] || cp "$jar" "$out/lib/$name"
    entries+=("$prefix/lib/$name")
  done
done
(IFS=:; printf '%s\n' "${entries[*]}") > "$out/densenet.classpath"
echo "assemble-cli: ${#entries[@]} class path entries in $out" >&2
