#!/usr/bin/env bash
# Show the kiosk's local touch UI full screen in Chromium kiosk mode (run in the desktop session,
# e.g. from ~/.config/labwc/autostart on Raspberry Pi OS Bookworm, or an XDG autostart entry).
#   deploy/kiosk-browser.sh [URL]     default http://127.0.0.1:8700/
# Waits for the node's UI, disables screen blanking, restarts Chromium if it exits.
set -u
url=${1:-${SMARTSTORE_KIOSK_URL:-http://127.0.0.1:8700/}}
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n "$browser" ]] || { echo "chromium not installed (apt install chromium)" >&2; exit 1; }
profile=${XDG_RUNTIME_DIR:-/tmp}/smartstore-kiosk-profile
xset s off -dpms s noblank 2>/dev/null || true   # X11; on Wayland set idle in the compositor
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$url" && break
  sleep 1
done
while true; do
  rm -rf "$profile/Singleton"* 2>/dev/null
  "$browser" --kiosk --app="$url" --user-data-dir="$profile" \
    --noerrdialogs --disable-infobars --disable-session-crashed-bubble --no-first-run \
    --disable-translate --disable-features=Translate,TouchpadOverscrollHistoryNavigation \
    --overscroll-history-navigation=0 --disable-pinch --check-for-update-interval=31536000 \
    --disable-background-networking --disable-component-update --disable-sync \
    --autoplay-policy=no-user-gesture-required --password-store=basic
  sleep 2
done
