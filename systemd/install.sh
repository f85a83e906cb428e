#!/bin/sh
# Installs the validator as a systemd service (docs/systemd.md): the compiled code with its production
# node_modules in /opt/qom-validator, the service user, /etc/validator and /var/lib/validator, the unit
# and the udev rules; then reloads systemd and udev and enables the unit. Run it again at any time: it
# replaces the code and the unit, and keeps the config, the state and udev rules a technician filled in.
#
#   sudo systemd/install.sh                   build from this checkout and install
#   sudo systemd/install.sh --dist DIR        install an existing build (DIR holds src/, device/, sync/)
#   systemd/install.sh --dest-root DIR        a dry install into DIR: files only, no user, no systemctl
#       [--node PATH]                         the Node to check the native modules with (default
#                                             /usr/bin/node, else the one on PATH); a real install
#                                             always checks with /usr/bin/node, which the unit runs
#
# It runs from a checkout whose node_modules is installed (npm ci) for this machine's Node.
set -eu

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

CHECKOUT=$(cd "$(dirname "$0")/.." && pwd)
DEST_ROOT=/
DIST=
NODE_GIVEN=
while [ $# -gt 0 ]; do
  case "$1" in
    --dest-root) DEST_ROOT=${2:?--dest-root needs a directory}; shift 2 ;;
    --dist) DIST=${2:?--dist needs a directory}; shift 2 ;;
    --node) NODE_GIVEN=${2:?--node needs a path}; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "install.sh: unknown argument $1" >&2; usage 2 >&2 ;;
  esac
done

LIVE=no
[ "$DEST_ROOT" = / ] && LIVE=yes
DEST_ROOT=${DEST_ROOT%/}
APP=$DEST_ROOT/opt/qom-validator
USER_NAME=validator
NODE=/usr/bin/node
if [ "$LIVE" = no ]; then
  if [ -n "$NODE_GIVEN" ]; then NODE=$NODE_GIVEN
  elif [ ! -x "$NODE" ]; then NODE=$(command -v node)
  fi
fi

say() { echo "install.sh: $*"; }
fail() { echo "install.sh: $*" >&2; exit 1; }

[ "$LIVE" = yes ] && [ -n "$NODE_GIVEN" ] && { echo "install.sh: --node is for a dry install (--dest-root); the unit runs /usr/bin/node" >&2; exit 2; }
if [ "$LIVE" = yes ] && [ "$(id -u)" -ne 0 ]; then
  fail "run it as root (sudo $0), or try it with --dest-root DIR"
fi
[ -d "$CHECKOUT/node_modules" ] || fail "no node_modules in $CHECKOUT: run npm ci there first"
# The unit runs /usr/bin/node: it must be there, and new enough.
if [ "$LIVE" = yes ]; then
  [ -x "$NODE" ] || fail "$NODE is missing: install Node.js 20.19 or later there (the unit runs $NODE)"
  "$NODE" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
    fail "$NODE is $("$NODE" --version); the validator needs 20.19 or later"
fi

# 1. The code, staged beside the install and swapped in whole.
STAGE=$APP.new
rm -rf "$STAGE"
mkdir -p "$STAGE"
if [ -n "$DIST" ]; then
  [ -f "$DIST/src/cli/main.js" ] || fail "$DIST is not a build: no src/cli/main.js in it (npm run build makes dist/)"
  say "taking the build in $DIST"
  cp -R "$DIST" "$STAGE/dist"
else
  say "building (npm run build, into the install)"
  (cd "$CHECKOUT" && node scripts/build.mjs --outdir "$STAGE/dist") ||
    fail "the build failed (see above)"
fi
mkdir -p "$STAGE/bin" "$STAGE/docs" "$STAGE/systemd"
cp "$CHECKOUT/bin/validator.js" "$STAGE/bin/"
cp "$CHECKOUT/package.json" "$CHECKOUT/package-lock.json" "$STAGE/"
# The sample fare bundle, for `validator run --simulate` on the bus.
cp -R "$CHECKOUT/fares" "$STAGE/fares"
cp "$CHECKOUT/docs/systemd.md" "$STAGE/docs/"
cp "$CHECKOUT/systemd/validator.service" "$CHECKOUT/systemd/99-qom-validator.rules" "$STAGE/systemd/"
# Production node_modules: the checkout's, built for this Node, less the development packages.
cp -R "$CHECKOUT/node_modules" "$STAGE/node_modules"
rm -f "$STAGE/node_modules/.qom-setup-stamp"
(cd "$STAGE" && npm prune --omit=dev --no-audit --no-fund --loglevel=error) || fail "npm prune failed (see above)"
# bin/validator.js runs src/ through tsx when there is one: there must be none.
[ ! -e "$STAGE/src" ] || fail "$STAGE/src exists; the service must run the build"
# The native modules were built for the checkout's Node: each must load with the one the unit runs, in the
# staged tree, or the service would fail at its first start. On failure the working install stays.
if ! "$NODE" "$CHECKOUT/scripts/native-modules.mjs" "$STAGE"; then
  rm -rf "$STAGE"
  fail "native modules do not load with $NODE ($("$NODE" --version)), see above: the install in $APP is unchanged. Run npm ci (or npm rebuild) in $CHECKOUT with that Node first, then install again"
fi
rm -rf "$APP.old"
[ -d "$APP" ] && mv "$APP" "$APP.old"
mv "$STAGE" "$APP"
say "code in $APP"

# 2. The service account: a system user with no login, no home of its own, in no other group.
if [ "$LIVE" = yes ]; then
  getent group "$USER_NAME" >/dev/null || groupadd --system "$USER_NAME"
  getent passwd "$USER_NAME" >/dev/null ||
    useradd --system --gid "$USER_NAME" --home-dir /var/lib/validator --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
fi

# 3. Config (root:validator 0750; provisioning writes config.json root:validator 0640) and state
# (validator 0700). Both are kept as they are when they exist, contents included.
mkdir -p "$DEST_ROOT/etc/validator" "$DEST_ROOT/var/lib/validator"
chmod 0750 "$DEST_ROOT/etc/validator"
chmod 0700 "$DEST_ROOT/var/lib/validator"
if [ "$LIVE" = yes ]; then
  chown root:"$USER_NAME" /etc/validator
  chown "$USER_NAME":"$USER_NAME" /var/lib/validator
fi

# 4. The unit, and the udev rules unless a technician has filled them in: then the shipped ones go
# beside them as .rules.new (which udev does not read), to compare. Filled in means changed from the
# rules the previous install shipped (its copy in $APP.old/systemd/), so an untouched copy of an older
# version's rules is upgraded; with no previous copy (an install from before it kept one), changed from
# the rules shipped now.
mkdir -p "$DEST_ROOT/etc/systemd/system" "$DEST_ROOT/etc/udev/rules.d"
cp "$CHECKOUT/systemd/validator.service" "$DEST_ROOT/etc/systemd/system/validator.service"
chmod 0644 "$DEST_ROOT/etc/systemd/system/validator.service"
RULES=$DEST_ROOT/etc/udev/rules.d/99-qom-validator.rules
SHIPPED_BEFORE=$APP.old/systemd/99-qom-validator.rules
[ -f "$SHIPPED_BEFORE" ] || SHIPPED_BEFORE=$CHECKOUT/systemd/99-qom-validator.rules
if [ -f "$RULES" ] && ! cmp -s "$SHIPPED_BEFORE" "$RULES" && ! cmp -s "$CHECKOUT/systemd/99-qom-validator.rules" "$RULES"; then
  cp "$CHECKOUT/systemd/99-qom-validator.rules" "$RULES.new"
  say "kept $RULES (edited here); the shipped rules are in $RULES.new"
else
  cp "$CHECKOUT/systemd/99-qom-validator.rules" "$RULES"
  chmod 0644 "$RULES"
  rm -f "$RULES.new"
fi
rm -rf "$APP.old"
say "unit in $DEST_ROOT/etc/systemd/system/validator.service, udev rules in $RULES"

# 5. systemd and udev take them.
if [ "$LIVE" = no ]; then
  say "dry install into $DEST_ROOT: no user, no systemctl, no udevadm"
  exit 0
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable validator.service
  # A running daemon would go on with the old code's modules loaded beside the new files: restart it on the
  # new code and unit. Not running (a first install): left stopped until provisioned.
  systemctl try-restart validator.service
else
  say "systemd is not running here: enable the unit with systemctl enable validator.service once it is"
fi
if command -v udevadm >/dev/null && [ -S /run/udev/control ]; then
  udevadm control --reload
  # The default action, "change", applies the rules' SYMLINK+= and GROUP=; "add" would replay plugging in
  # every USB device (a modem's mode switch among them).
  udevadm trigger --subsystem-match=tty --subsystem-match=usb
else
  say "udevd is not running here: the device names appear once it is (or after a replug)"
fi
say "installed. Next: fill in the udev rules' serial numbers (docs/systemd.md), provision the config, then systemctl start validator"
