#!/usr/bin/env bash
# Builds the Pulumi engine binaries (CLI, language host, providers) from the Go modules pinned in
# engine/<name>/go.mod + go.sum into ~/.cache/stream5-engine/<hash>/bin, skipping any binary that
# is already there, and prints that bin dir on stdout (progress goes to stderr).
#   PATH="$(tools/engine.sh):$PATH" pulumi version
# <hash> covers every engine/*/go.mod, go.sum and *.go file (plus build_format below), so a pin
# change builds into a fresh dir. Env: STREAM5_ENGINE_CACHE (default ~/.cache/stream5-engine),
# GO (default: go on PATH, else /usr/local/go/bin/go), ENGINE_ONLY="pulumi kubernetes" to limit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
engine="$root/engine"
cache="${STREAM5_ENGINE_CACHE:-$HOME/.cache/stream5-engine}"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
log() { printf 'engine.sh: %s\n' "$*" >&2; }

# component dir | main package | binary name | -X flag target=@module giving the version (optional) | staging (optional)
# Staging "embed": the main package go:embeds files that its repo generates and the module zip lacks
# (schema-embed.json); the package is copied beside engine/<dir>/go.mod+go.sum into the cache, its
# generate.go is run there with VERSION set, and the copy is built instead.
components=(
  "pulumi|github.com/pulumi/pulumi/pkg/v3/cmd/pulumi|pulumi|github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=@github.com/pulumi/pulumi/pkg/v3"
  # Fallback: the proxy refuses the sdk/nodejs/cmd/pulumi-language-nodejs/v3 module; see engine/language-nodejs/go.mod.
  "language-nodejs|github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs|pulumi-language-nodejs|github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=@github.com/pulumi/pulumi/sdk/v3"
  "kubernetes|github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes|pulumi-resource-kubernetes|github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=@github.com/pulumi/pulumi-kubernetes/provider/v4|embed"
  # The next three have no engine/<dir>/go.mod: the proxy refuses their modules (engine/README.md).
  "grafana|github.com/pulumiverse/pulumi-grafana/provider/cmd/pulumi-resource-grafana|pulumi-resource-grafana|github.com/pulumiverse/pulumi-grafana/provider/pkg/version.Version=@github.com/pulumiverse/pulumi-grafana/provider"
  "terraform-provider|github.com/pulumi/pulumi-terraform-provider|pulumi-resource-terraform-provider|"
  "launchdarkly|github.com/launchdarkly/terraform-provider-launchdarkly|terraform-provider-launchdarkly|"
)

# Bump when the build flags or the components table change, so old binaries are not reused.
build_format=1
hash="$(cd "$engine" && { echo "format $build_format"; find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-16)"
bin="$cache/$hash/bin"
mkdir -p "$bin"

# Builds $pkg of engine/$dir into $bin/$name.tmp (uses the loop's variables).
build_one() {
  local builddir="$engine/$dir" target="$pkg" src
  if [[ "$staging" == embed ]]; then
    builddir="$cache/$hash/stage/$dir" target=.
    rm -rf "$builddir" && mkdir -p "$builddir" || return
    cp "$engine/$dir/go.mod" "$engine/$dir/go.sum" "$builddir/" || return
    src="$(cd "$engine/$dir" && "$GO" list -e -mod=readonly -f '{{.Dir}}' "$pkg")" || return
    cp "$src"/*.go "$src"/*.json "$builddir/" && chmod -R u+w "$builddir" || return
    (cd "$builddir" && VERSION="$ver" nice -n 19 "$GO" run -mod=readonly generate.go >&2 && rm generate.go) || return
  fi
  (cd "$builddir" && nice -n 19 "$GO" build -mod=readonly -trimpath -ldflags "$ldflags" -o "$bin/$name.tmp" "$target" >&2)
}

failed=() unavailable=()
for entry in "${components[@]}"; do
  IFS='|' read -r dir pkg name xflag staging <<<"$entry"
  if [[ -n "${ENGINE_ONLY:-}" && " $ENGINE_ONLY " != *" $dir "* ]]; then continue; fi
  if [[ -x "$bin/$name" ]]; then log "$name: cached"; continue; fi
  if [[ ! -f "$engine/$dir/go.mod" ]]; then log "$name: no engine/$dir/go.mod (module not served by the Go proxy), skipped"; unavailable+=("$name"); continue; fi
  ldflags="-s -w" ver=""
  if [[ -n "$xflag" ]]; then
    mod="${xflag#*=@}"
    ver="$(cd "$engine/$dir" && "$GO" list -m -f '{{.Version}}' "$mod")"
    ldflags+=" -X ${xflag%%=@*}=${ver}"
  fi
  log "$name: building $pkg${ver:+ $ver} (engine/$dir)"
  start=$SECONDS
  # nice: leave the second core to whatever else runs (tests); -trimpath keeps builds reproducible.
  if build_one; then
    mv "$bin/$name.tmp" "$bin/$name"
    rm -rf "$cache/$hash/stage/$dir"
    log "$name: built in $((SECONDS - start))s"
  else
    rm -f "$bin/$name.tmp"
    log "$name: BUILD FAILED after $((SECONDS - start))s"
    failed+=("$name")
  fi
done

if ((${#unavailable[@]})); then log "unavailable (not built): ${unavailable[*]}"; fi
echo "$bin"
if ((${#failed[@]})); then log "build failed: ${failed[*]}"; exit 1; fi
