# Shared by .dev/run and .dev/test: idempotent installers for everything Pifa needs on a
# Debian or Ubuntu machine. Each step checks first and installs only what is missing.

PIFA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TAURI_DRIVER_VERSION=2.1.0

# Packages to build and run the app: the WebKitGTK webview and CJK fonts so Chinese renders.
BUILD_PACKAGES=(build-essential pkg-config curl ca-certificates libwebkit2gtk-4.1-dev fonts-noto-cjk)
# Packages the tests add: a virtual display, the WebDriver for WebKitGTK, a D-Bus session with a
# Secret Service (gnome-keyring), and Python's venv for the E2E client.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring python3 python3-venv)
# Team mode's tests run against a real PostgreSQL: a throwaway cluster of the distribution's own
# server (.dev/with-postgres), never a system service.
TEST_PACKAGES+=(postgresql openssl)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "Pifa's scripts install system packages with apt-get (Debian/Ubuntu). Install these by hand: ${missing[*]}" >&2
    return 1
  fi
  step "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_rust() {
  [ -f "$HOME/.cargo/env" ] && source "$HOME/.cargo/env"
  if ! command -v cargo >/dev/null; then
    step "installing the Rust toolchain (rustup)"
    if apt-cache show rustup >/dev/null 2>&1; then
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rustup
      rustup default stable
    else
      curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
      source "$HOME/.cargo/env"
    fi
  fi
  if command -v rustup >/dev/null; then
    for component in rustfmt clippy; do
      rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
    done
  fi
}

ensure_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 18 ]; then
    step "installing Node.js and npm"
    ensure_apt_packages nodejs npm
  fi
}

ensure_npm_packages() {
  ensure_node
  # npm ci only when the lock file changed since the last install.
  if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    step "installing the UI's npm packages"
    (cd ui && npm ci --no-audit --no-fund)
  fi
}

ensure_tauri_driver() {
  if ! cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
    step "installing tauri-driver $TAURI_DRIVER_VERSION"
    cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION"
  fi
}

E2E_VENV="$PIFA_ROOT/target/e2e-venv"

ensure_e2e_venv() {
  local stamp="$E2E_VENV/.requirements"
  if ! cmp -s tests/e2e/requirements.txt "$stamp" 2>/dev/null; then
    step "installing the E2E client (selenium, pytest) into target/e2e-venv"
    rm -rf "$E2E_VENV"
    python3 -m venv "$E2E_VENV"
    "$E2E_VENV/bin/pip" install -q --disable-pip-version-check -r tests/e2e/requirements.txt
    cp tests/e2e/requirements.txt "$stamp"
  fi
}

build_ui() {
  step "building the UI (ui/dist is embedded into the app)"
  npm --prefix ui run build --silent
}
