#!/bin/sh
# Runs one of the service's built entry points (dist/apps/...) with its memory settings, for
# npm start, start:worker, projections:rebuild, the Docker image and the benchmarks alike.
# - The heap is bounded (LEDGER_HEAP_MB, default 256): the service's working set is bounded by
#   design, but without a bound V8 sizes the heap for the machine and lets garbage pile up far
#   beyond the live set before collecting it.
# - Within that bound V8 grows the heap to 1.2x what survived the last full collection
#   (--heap-growing-percent=20). It was 2.25x (125), when V8's own smaller growth doubled the
#   commands' p99 with frequent full collections; measured again once the read-model check left
#   the request thread (docs/performance.md, "Memory"), 20 kept the commands' p99 and, with the
#   semi-spaces below, took issue 35's 10,000-complaint run's peak RSS from 327 to 265 MB.
# - The young generation is bounded too (--max-semi-space-size=4, each of its semi-spaces in MB):
#   Node 20's V8 stops at 16 by itself, Node 24's grows to 64 MB semi-spaces (heap limit 448 MB
#   instead of 304 MB with the default old space). A V8 flag holds for every thread of the
#   process, overriding a worker's own young-generation bound: at 8 the writer, projections and
#   query threads each kept 16 MB of young generation, at 4 they keep 8.
# - glibc's malloc keeps up to 8 arenas per core for a process's threads, each holding freed
#   memory; two are plenty for the request thread, the writer and projections threads and libuv's
#   pool. A value set by the caller is kept.
heap_mb="${LEDGER_HEAP_MB:-256}"
case "$heap_mb" in
  '' | *[!0-9]*) echo "LEDGER_HEAP_MB must be a whole number of megabytes (e.g. 256), not '$heap_mb'" >&2; exit 1 ;;
esac
if [ "$heap_mb" -lt 64 ]; then
  echo "LEDGER_HEAP_MB must be at least 64 (MB), not $heap_mb" >&2
  exit 1
fi
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node --max-old-space-size="$heap_mb" --max-semi-space-size=4 --heap-growing-percent=20 -r tsconfig-paths/register "$@"
