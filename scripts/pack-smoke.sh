#!/usr/bin/env bash
# `npm run pack:smoke`: the package as users get it. Builds the prebuild (npm run prebuilds), packs
# the tarball, installs it into an empty project with no compiler on PATH (a bin directory
# holding only node and npm), and there requires and imports tensorgrad, checks that it runs on
# the prebuilt native addon (not the reference fallback) and trains a few steps. Dependencies
# come from npm's cache when they are there (--prefer-offline). Prints "pack-smoke: ok" or fails.
# PACK_SMOKE_SKIP_BUILD=1 reuses build/Release/tensorgrad.node instead of rebuilding.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/tensorgrad-pack-smoke.XXXXXX")
# The prebuild made for the tarball is removed again unless one was there before (a developer's
# later rebuild should not compete with it; `npm run prebuilds` is the way to keep one).
prebuilt=prebuilds/$(node -p 'process.platform + "-" + process.arch')
keep_prebuild=0
[ -e "$prebuilt" ] && keep_prebuild=1
cleanup() {
  rm -rf "$work"
  [ "$keep_prebuild" = 1 ] || rm -rf "$root/$prebuilt"
  rmdir "$root/prebuilds" 2>/dev/null || true
}
trap cleanup EXIT

if [ "${PACK_SMOKE_SKIP_BUILD:-}" = 1 ]; then
  npm run build:ts >/dev/null
  node scripts/prebuild.js --from build/Release/tensorgrad.node
else
  npm run prebuilds
fi
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "pack-smoke: packed $tarball ($(du -h "$work/$tarball" | cut -f1))"
tar -tzf "$work/$tarball" > "$work/contents.txt"
grep -qx 'package/prebuilds/linux-x64/tensorgrad.node' "$work/contents.txt" \
  || { echo "pack-smoke: the tarball lacks prebuilds/linux-x64/tensorgrad.node" >&2; exit 1; }

# A PATH with node, npm and sh (npm runs install scripts with sh) only: no g++, gcc, cc, c++,
# make, python.
bin=$work/bin
mkdir -p "$bin"
ln -s "$(command -v sh)" "$bin/sh"
ln -s "$(command -v node)" "$bin/node"
ln -s "$(readlink -f "$(command -v npm)")" "$bin/npm"
ln -s "$(readlink -f "$(command -v npx)")" "$bin/npx"
for tool in g++ gcc cc c++ make clang; do
  if PATH=$bin command -v "$tool" >/dev/null 2>&1; then echo "pack-smoke: $tool is still on PATH" >&2; exit 1; fi
done

app=$work/app
mkdir -p "$app"
cd "$app"
echo '{ "name": "pack-smoke-app", "version": "1.0.0", "private": true }' > package.json
# npm_config_* of an enclosing `npm run` would point the install at this repository: drop them.
env -i HOME="$HOME" PATH="$bin" TMPDIR="${TMPDIR:-/tmp}" npm_config_cache="$(npm config get cache)" \
  npm install --prefer-offline --no-audit --no-fund --foreground-scripts --loglevel=error "$work/$tarball" > "$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; echo "pack-smoke: npm install failed without a compiler" >&2; exit 1; }
cat "$work/install.log"
[ -d node_modules/tensorgrad/build ] && { echo "pack-smoke: the install built the addon instead of using the prebuild" >&2; exit 1; }

cat > smoke.cjs <<'JS'
const tg = require('tensorgrad');
const info = tg.nativeInfo();
if (!info.available || info.source !== 'prebuild') throw new Error(`expected the prebuilt addon, got ${JSON.stringify(info)}`);
if (tg.getBackend().name !== 'native') throw new Error(`expected the native backend, got ${tg.getBackend().name}`);
tg.manualSeed(0);
const x = tg.randn([64, 8]);
const labels = Int32Array.from({ length: 64 }, (_, i) => (x.data[i * 8] > 0 ? 1 : 0));
const model = new tg.nn.Sequential(new tg.nn.Linear(8, 16), new tg.nn.ReLU(), new tg.nn.Linear(16, 2));
const opt = new tg.optim.Adam(model.parameters(), { lr: 0.05 });
const losses = [];
for (let step = 0; step < 30; step++) {
  opt.zeroGrad();
  const loss = tg.nn.functional.crossEntropy(model.call(x), labels);
  loss.backward();
  opt.step();
  losses.push(loss.item());
}
if (!(losses[29] < losses[0] / 2)) throw new Error(`the loss did not fall: ${losses[0]} -> ${losses[29]}`);
console.log(`require: ${info.source} ${info.path.replace(process.cwd() + '/', '')} (${info.simd}); loss ${losses[0].toFixed(3)} -> ${losses[29].toFixed(3)} in 30 steps`);
JS
cat > smoke.mjs <<'JS'
import { nativeInfo, getBackend, zeros } from 'tensorgrad';
const info = nativeInfo();
if (info.source !== 'prebuild' || getBackend().name !== 'native') throw new Error(`import: expected the prebuilt native addon, got ${JSON.stringify(info)}`);
if (zeros([2, 3]).data.length !== 6) throw new Error('import: zeros([2, 3]) is wrong');
console.log(`import: ${info.source}, backend ${getBackend().name}`);
JS
env -i HOME="$HOME" PATH="$bin" node --no-warnings=ExperimentalWarning smoke.cjs
env -i HOME="$HOME" PATH="$bin" node smoke.mjs
# The command, as a project that depends on tensorgrad runs it: npx finds the installed bin.
env -i HOME="$HOME" PATH="$bin" npm_config_cache="$(npm config get cache)" \
  npx --no-install tensorgrad train --epochs 1 --out "$app/run" > "$work/npx.log" 2>&1 \
  || { cat "$work/npx.log" >&2; echo "pack-smoke: npx tensorgrad train failed in a dependent project" >&2; exit 1; }
grep -q 'Finished epoch 1 / 1' "$work/npx.log" || { cat "$work/npx.log" >&2; echo "pack-smoke: npx tensorgrad train did not train" >&2; exit 1; }
echo "npx: $(grep -i 'test accuracy' "$work/npx.log" | head -1)"
# Without a prebuild for this machine and without a compiler, the install still succeeds (one
# warning), and the library runs on the reference backend with one warning saying what was tried.
mkdir -p "$work/bare" && tar -xzf "$work/$tarball" -C "$work/bare"
rm -rf "$work/bare/package/prebuilds"
tar -czf "$work/bare.tgz" -C "$work/bare" package
app2=$work/app2
mkdir -p "$app2" && cd "$app2"
echo '{ "name": "pack-smoke-bare", "version": "1.0.0", "private": true }' > package.json
env -i HOME="$HOME" PATH="$bin" TMPDIR="${TMPDIR:-/tmp}" npm_config_cache="$(npm config get cache)" \
  npm install --prefer-offline --no-audit --no-fund --foreground-scripts --loglevel=error "$work/bare.tgz" > "$work/install2.log" 2>&1 \
  || { cat "$work/install2.log" >&2; echo "pack-smoke: without a prebuild and a compiler, npm install failed" >&2; exit 1; }
grep -q 'tensorgrad: no native addon' "$work/install2.log" \
  || { cat "$work/install2.log" >&2; echo "pack-smoke: the install did not warn that no addon is available" >&2; exit 1; }
env -i HOME="$HOME" PATH="$bin" node -e '
  const tg = require("tensorgrad");
  const warnings = [];
  process.on("warning", (w) => warnings.push(w));
  const name = tg.getBackend().name;
  tg.getBackend();
  setImmediate(() => {
    const ours = warnings.filter((w) => w.code === "TENSORGRAD_NATIVE_UNAVAILABLE");
    if (name !== "reference" || ours.length !== 1) throw new Error(`expected the reference backend and one warning, got ${name} and ${ours.length}`);
    if (!/prebuild: no prebuild for linux-x64/.test(ours[0].message) || !/local build: .*no such file/.test(ours[0].message)) {
      throw new Error(`the warning does not say what was tried: ${ours[0].message}`);
    }
    const x = tg.tensor([[1, 2], [3, 4]]);
    if (tg.matmul(x, x).data.join() !== "7,10,15,22") throw new Error("the reference backend computed wrongly");
    console.log("fallback: reference backend, one warning: " + ours[0].message.slice(0, 160) + "...");
  });
' 2>/dev/null
echo "pack-smoke: ok"
