#!/bin/sh
# Check that a `tracelab timerlat --html` report renders in headless Chromium: run a short hist
# with noise, write the report, screenshot it, and fail unless the PNG exists and is not tiny.
# Usage: scripts/check-html.sh [OUT_DIR]   (needs `npm run build` and Debian's `chromium`:
#   apt-get install -y chromium). Look at OUT_DIR/timerlat-report.png afterwards.
# TRACELAB_BIN may name another CLI entry (default dist/src/cli/main.js).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${TMPDIR:-/tmp}/tracelab-html-check}
bin=${TRACELAB_BIN:-$here/dist/src/cli/main.js}
mkdir -p "$out"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "check-html: no chromium; apt-get install -y chromium" >&2; exit 1; }
node "$bin" timerlat hist -d 2s --sim-cpus 2 --noise thread:300us/5ms:name=check-noise --noise thread:2500us/40ms:name=long-noise --noise-mask 1 \
  --html "$out/timerlat-report.html" > "$out/timerlat-hist.txt"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1400 \
  --screenshot="$out/timerlat-report.png" "file://$out/timerlat-report.html" > /dev/null 2>&1
size=$(wc -c < "$out/timerlat-report.png")
[ "$size" -gt 20000 ] || { echo "check-html: screenshot is only $size bytes" >&2; exit 1; }
grep -q '<svg ' "$out/timerlat-report.html" || { echo "check-html: no SVG in the report" >&2; exit 1; }
echo "check-html: ok, $out/timerlat-report.png ($size bytes)"
