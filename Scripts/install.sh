#!/bin/sh
# Installs infinity under PREFIX: the executable in PREFIX/bin, and the country database it ships
# (DB-IP IP to Country Lite, CC BY 4.0) with its license in PREFIX/share/infinity, where the
# installed executable looks for it.
#   Scripts/install.sh PREFIX [BINARY]      (make install runs it with .build/release/infinity)
set -eu
prefix="${1:?usage: Scripts/install.sh PREFIX [BINARY]}"
root="$(cd "$(dirname "$0")/.." && pwd)"
binary="${2:-$root/.build/release/infinity}"
if [ ! -x "$binary" ]; then
  echo "$binary is not built yet: run 'make release' first (as yourself, not root), then install" >&2
  exit 1
fi
geoip="$root/Sources/infinity/Resources/GeoIP"
install -d "$prefix/bin" "$prefix/share/infinity"
install -m 0755 "$binary" "$prefix/bin/infinity"
install -m 0644 "$geoip/dbip-country-lite.mmdb" "$geoip/LICENSE-DBIP.txt" "$prefix/share/infinity/"
echo "Installed $prefix/bin/infinity and $prefix/share/infinity/dbip-country-lite.mmdb (IP geolocation by DB-IP, CC BY 4.0)."
