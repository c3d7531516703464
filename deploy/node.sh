#!/bin/sh
# Runs one of the service's built entry points (dist/apps/...) with its memory settings, for
# npm start, start:worker, projections:rebuild, the Docker image and the benchmarks alike.
# - The heap is bounded (LEDGER_HEAP_MB, default 256): the service's working set is bounded by
#   design and its live heap is ~50 MB, but without a bound V8 sizes the heap for the machine and
#   lets garbage pile up to 300+ MB before collecting it.
# - Within that bound V8 may grow the heap to 4x what survived the last full collection
#   (--heap-growing-percent=300). With an explicit bound below 1-2 GB, V8 otherwise grows it by
#   only ~1.4x and runs a full collection about every second at half load, which doubled the
#   commands' p99 in the benchmark (README "Performance").
exec node --max-old-space-size="${LEDGER_HEAP_MB:-256}" --heap-growing-percent=300 -r tsconfig-paths/register "$@"
