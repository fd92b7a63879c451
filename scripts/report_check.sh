#!/usr/bin/env bash
# Opens a searchrec report.html in headless Chromium: fails on console errors,
# on any request that is not file:// or data:, and on missing or zero-sized
# charts; writes a full-page screenshot.
#
#   scripts/report_check.sh REPORT.html [SCREENSHOT.png] [--split PX]
#
# The DevTools-protocol work is in report_check.py (standard library only).
# The browser: $CHROMIUM, else chromium / chromium-browser / google-chrome on PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$#" -lt 1 ]; then
  echo "usage: $0 REPORT.html [SCREENSHOT.png] [--split PX]" >&2
  exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "report_check: python3 is needed to drive Chromium" >&2
  exit 2
fi
browser_args=()
if [ -n "${CHROMIUM:-}" ]; then
  browser_args=(--browser "$CHROMIUM")
fi
exec python3 "$here/report_check.py" "${browser_args[@]}" "$@"
