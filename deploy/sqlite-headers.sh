#!/bin/sh
# Prints the folder of Node headers to compile better-sqlite3 against for the `node` on the PATH,
# fetching them from the npm registry into <folder> when they must be other than that Node's own;
# prints nothing when its own are right. Use: dir=$(sh deploy/sqlite-headers.sh <folder>), then
# npm_config_nodedir="$dir" for `npm ci` (.ci/node24, deploy/Dockerfile, docs/operations.md).
#
# Why: from Node 24.19 the headers' node::ObjectWrap, which better-sqlite3 12's databases and
# statements derive from, adds an environment clean-up hook in its constructor and removes it in
# its destructor, and removing one aborts the process ("Assertion failed: (env) != nullptr") when
# the garbage collector frees a statement while no JavaScript runs (nodejs/node#65446, open; every
# 24.x from 24.19 to 24.22 at least). Built against 24.18.1's headers (the same ABI, 137), the
# addon registers no hook and runs on every Node 24. better-sqlite3 13 no longer uses ObjectWrap
# but needs Node 22.14 or later: once Node 20 is no longer supported, move to it and drop this.
set -eu
folder="${1:?usage: sh deploy/sqlite-headers.sh <folder to keep the headers in>}"
safe=24.18.1
needed=$(node -p "const [major, minor] = process.versions.node.split('.').map(Number); major === 24 && minor >= 19 ? 'yes' : ''")
[ -n "$needed" ] || exit 0
# the registry's per-platform Node package carries the headers in include/node (only those are kept)
package=$(node -p "(process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node') + '-' + process.platform + '-' + process.arch")
target="$folder/node-headers-$safe"
if [ ! -f "$target/include/node/node_version.h" ]; then
  mkdir -p "$folder"
  tarball=$(cd "$folder" && npm pack --silent "$package@$safe")
  mkdir -p "$target"
  tar -xzf "$folder/$tarball" -C "$target" --strip-components=1 package/include
  rm -f "$folder/$tarball"
fi
echo "$target"
