#!/usr/bin/env bash
# `npm run test:asan`: builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer (the
# asan preset of CMakePresets.json, into build-asan/) and runs against that build, with the
# sanitizer runtimes preloaded (Node itself is not instrumented):
#   1. the kernel suite and the backend tests (test/backend, with the argument-abuse test),
#      the hostile-size and worker-thread tests (test/reliability), and the file-fuzz tests
#      (test/io/fuzz-*.test.ts, test/data/fuzz-*.test.ts, whichever exist);
#   2. a leak check (scripts/leak-check.js) with LeakSanitizer on.
# Fails when a test fails or any sanitizer report appears in the logs (scripts/sanitizer-report.js).
# Logs go to $TENSORGRAD_SANITIZE_OUT (default .ci/out/sanitize).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${TENSORGRAD_SANITIZE_OUT:-$root/.ci/out/sanitize}
rm -rf "$out" && mkdir -p "$out"

echo "sanitize: building build-asan/tensorgrad.node (cmake --preset asan)"
if ! { nice cmake --preset asan >"$out/configure.log" 2>&1 && nice cmake --build --preset asan >"$out/build.log" 2>&1; }; then
  tail -n 40 "$out/configure.log" "$out/build.log" >&2
  echo "sanitize: the ASan build failed" >&2
  exit 1
fi
npm run build:ts >/dev/null || exit 1  # the workers and the leak check load dist/

addon=$root/build-asan/tensorgrad.node
runtime="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)"
for lib in $runtime; do
  [ -f "$lib" ] || { echo "sanitize: Expected the sanitizer runtime $lib (part of g++) but it is missing" >&2; exit 1; }
done

# Node is not instrumented: its own allocations are not ours to judge (detect_leaks=0 here; the
# leak check below looks at the addon's allocations only). Reports go to files, one per process.
export TENSORGRAD_ADDON=$addon
export LD_PRELOAD="$runtime"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:allocator_may_return_null=1:abort_on_error=0:exitcode=86:log_path=$out/asan:detect_stack_use_after_return=0:allow_user_segv_handler=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$out/ubsan"

# The tests must run on this build, not fall back to another one.
loaded=$(node -e 'const t = require("./dist"); const i = t.nativeInfo(); console.log(i.available ? i.path : "none: " + i.error)' 2>&1)
if [ "$loaded" != "$addon" ]; then
  echo "sanitize: Expected the tests to load $addon but they load $loaded" >&2
  exit 1
fi

shopt -s nullglob
# Not the soak: ASan's quarantine of freed memory is resident by design, so its RSS bound
# means nothing here (the leak check below covers what it would).
tests=(test/backend test/reliability/workers.test.ts test/reliability/hostile-sizes.test.ts
  test/io/fuzz-*.test.ts test/data/fuzz-*.test.ts)
echo "sanitize: vitest on ${tests[*]}"
status=0
npx vitest run "${tests[@]}" --reporter=default --reporter=json --outputFile.json="$out/vitest.json" \
  >"$out/vitest.log" 2>&1 || status=1
tail -n 15 "$out/vitest.log"

echo "sanitize: leak check (LeakSanitizer, scripts/leak-check.js)"
ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=0:log_path=$out/lsan" \
  node scripts/leak-check.js 200 >"$out/leak-check.log" 2>&1 || status=1
cat "$out/leak-check.log"

# The leak check must be able to fail: a deliberately leaking addon, checked the same way,
# must be reported.
leaky=$out/leaky-addon.node
node_include=$(node -p 'require("path").resolve(process.execPath, "..", "..", "include", "node")')
if g++ -shared -fPIC -fsanitize=address -g -I"$node_include" test/reliability/fixtures/leaky-addon.cc -o "$leaky" 2>"$out/leaky-build.log"; then
  ASAN_OPTIONS="detect_leaks=1:exitcode=0:log_path=$out/control" \
    node -e 'const m = { exports: {} }; process.dlopen(m, process.argv[1]); for (let i = 0; i < 10; i++) m.exports.leak();' "$leaky"
  if node scripts/sanitizer-report.js --ours='leaky-addon' "$out"/control.* >/dev/null; then
    echo "sanitize: the leak check missed the leaking control addon: it cannot be trusted" >&2
    status=1
  else
    echo "sanitize: the leaking control addon is reported (the leak check works)"
  fi
else
  cat "$out/leaky-build.log" >&2
  status=1
fi

# Any report fails the run: ASan and UBSan in every log, leaks whose allocation passed through
# the addon's code in the leak check.
node scripts/sanitizer-report.js "$out"/asan.* "$out"/ubsan.* "$out/vitest.log" || status=1
node scripts/sanitizer-report.js --ours='tensorgrad\.node|/native/' "$out"/lsan.* "$out/leak-check.log" || status=1

node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`sanitize: ${r.numPassedTests} tests passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped in ${r.testResults.length} files`);
' "$out/vitest.json" 2>/dev/null || { echo "sanitize: no test results" >&2; status=1; }
[ "$status" = 0 ] && echo "sanitize: clean" || echo "sanitize: FAILED (logs in $out)" >&2
exit "$status"
