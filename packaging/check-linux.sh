#!/usr/bin/env bash
# Build the .deb, install it with apt (so its Depends resolve) and start the installed program
# with a bare environment twice: offscreen on this machine, and on a real X server (Xvfb) inside
# a minimal Debian root that holds nothing but what the package depends on. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

packaging/build-linux.sh
deb=$(ls -t dist/taskboard_*.deb | head -n 1)
apt-get install -y -qq "./$deb" >/dev/null
out=$(mktemp -d)
env -i PATH=/usr/bin:/bin taskboard --demo --screenshot "$out/offscreen.png"
python3 packaging/check_screenshot.py "$out/offscreen.png"
echo "installed package: offscreen window drawn"

# The bare root: debootstrap's minimal base, then only the package and its Depends.
root=build/bare-root
rm -rf "$root"
. /etc/os-release
debootstrap --variant=minbase "$VERSION_CODENAME" "$root" >/dev/null
cp /etc/apt/sources.list "$root/etc/apt/" 2>/dev/null || true
[ -d /etc/apt/sources.list.d ] && cp -r /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/"
mount --bind /proc "$root/proc"
mount --bind /dev "$root/dev"
trap 'umount "$root/proc" "$root/dev" 2>/dev/null || true' EXIT
cp "$deb" "$root/tmp/taskboard.deb"
chroot "$root" apt-get update -qq
chroot "$root" apt-get install -y -qq /tmp/taskboard.deb >/dev/null

# Every library the window needs must resolve before anything else is installed.
# LD_LIBRARY_PATH as the bundle's launcher sets it, so the libraries it carries count.
missing=$(chroot "$root" sh -c 'export LD_LIBRARY_PATH=/opt/taskboard/_internal
  cd /opt/taskboard/_internal/PySide6/Qt &&
  for f in lib/*.so* plugins/platforms/libqxcb.so plugins/platforms/libqoffscreen.so \
           plugins/xcbglintegrations/*.so plugins/imageformats/*.so plugins/iconengines/*.so; do
    ldd "$f" | sed -n "s|^\s*\(\S*\) => not found|\1 (needed by $f)|p"
  done' | grep -v -e WaylandClient -e libQt6WlShell || true)  # Wayland: not used
if [ -n "$missing" ]; then
  echo "libraries missing from Depends:"; echo "$missing"; exit 1
fi

chroot "$root" apt-get install -y -qq --no-install-recommends xvfb xauth >/dev/null
chroot "$root" xvfb-run -a -s "-screen 0 1600x1000x24" sh -c \
  'env -i PATH=/usr/bin:/bin DISPLAY="$DISPLAY" XAUTHORITY="$XAUTHORITY" QT_QPA_PLATFORM=xcb \
     QT_DEBUG_PLUGINS="${QT_DEBUG_PLUGINS:-0}" taskboard --demo --screenshot /tmp/xcb.png'
python3 packaging/check_screenshot.py "$root/tmp/xcb.png"
echo "bare Debian root: window drawn on X (xcb) with only the package's Depends"
