#!/usr/bin/env bash
# Build the one-folder bundle with PyInstaller and wrap it as dist/taskboard_<version>_<arch>.deb:
# the bundle under /opt/taskboard, /usr/bin/taskboard, a Chinese .desktop entry and the icons.
# No Python is needed on the target; Depends lists the system libraries Qt's xcb platform uses.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

python=${PYTHON:-python3}
version=$("$python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
arch=$(dpkg --print-architecture)
work="$top/build/packaging"
venv="$work/venv"

# A clean, non-editable install: what the bundle holds is what pip would install.
rm -rf "$work/bundle" "$work/pyinstaller" "$work/root"
mkdir -p "$work" dist
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade --force-reinstall --no-deps .
"$venv/bin/pip" install -q . "psycopg[binary]>=3.1" "pyinstaller>=6.10"
# Run from the work folder: from the source tree, `import taskboard` would find the checkout
# (where resources/ sits beside the package) instead of the installed package.
(cd "$work" && "$venv/bin/python" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$work/bundle" --workpath "$work/pyinstaller" "$top/packaging/taskboard.spec")

root="$work/root"
install -d "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/doc/taskboard"
cp -a "$work/bundle/taskboard" "$root/opt/taskboard"
cat > "$root/usr/bin/taskboard" <<'SH'
#!/bin/sh
# Qt wants a UTF-8 locale; a session started without one (cron, env -i) gets C.UTF-8.
[ -n "${LC_ALL:-}${LC_CTYPE:-}${LANG:-}" ] || export LANG=C.UTF-8
exec /opt/taskboard/taskboard "$@"
SH
chmod 0755 "$root/usr/bin/taskboard"
install -m 0644 packaging/taskboard.desktop "$root/usr/share/applications/taskboard.desktop"
install -m 0644 resources/icons/taskboard.svg "$root/usr/share/icons/hicolor/scalable/apps/taskboard.svg"
for png in resources/icons/taskboard-*.png; do
  size=$(basename "$png" .png); size=${size#taskboard-}
  install -D -m 0644 "$png" "$root/usr/share/icons/hicolor/${size}x${size}/apps/taskboard.png"
done
install -m 0644 README.md "$root/usr/share/doc/taskboard/README.md"

depends=$(grep -v '^\s*#' packaging/deb-depends.txt | xargs | sed 's/ /, /g')
installed_kb=$(du -sk "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" \
    -e "s/@SIZE@/$installed_kb/" packaging/control.in > "$root/DEBIAN/control"

out="dist/taskboard_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$out.part" >/dev/null
mv "$out.part" "$out"  # a half-written package never carries the final name
echo "$out ($(du -h "$out" | cut -f1); bundle $(du -sh "$root/opt/taskboard" | cut -f1))"
