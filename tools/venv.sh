# Sourced by the tools: make sure the project's virtualenv exists and holds
# exactly what requirements.txt and test-requirements.txt ask for, within
# tools/constraints.txt. Re-installs only when one of those files changed.
# Two checkouts set up at once take Debian's packages in turn (flock), and
# apt waits for a dpkg lock someone else holds instead of failing.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VMOTIOND_VENV:-$TOP/.venv}
PYTHON=${PYTHON:-python3}
_apt="DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
_want=$(cat "$TOP/requirements.txt" "$TOP/test-requirements.txt" \
        "$TOP/tools/constraints.txt" "$TOP/setup.cfg" | sha1sum | cut -c1-40)
if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating the virtualenv $VENV ..."
    "$PYTHON" -m venv "$VENV"
fi
if [ "$(cat "$VENV/.vmotiond-installed" 2>/dev/null)" != "$_want" ]; then
    # mysqlclient (tested beside PyMySQL) builds against MariaDB's C client.
    if ! pkg-config --exists mariadb 2>/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "Installing libmariadb-dev and pkg-config (Debian) ..."
            { flock /tmp/vmotiond-apt.lock sh -c "$_apt update -qq &&
                $_apt install -y -qq libmariadb-dev pkg-config"; } \
                >/dev/null || { echo "error: apt-get install failed" >&2
                                exit 1; }
        else
            echo "error: mysqlclient needs MariaDB's C client headers:" \
                 "install libmariadb-dev and pkg-config" >&2
            exit 1
        fi
    fi
    echo "Installing vmotiond and its dependencies into $VENV ..."
    # pip warns about each local index folder that lacks a package.
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        -c "$TOP/tools/constraints.txt" \
        -r "$TOP/requirements.txt" -r "$TOP/test-requirements.txt" \
        -e "$TOP" 2>&1 | grep -v "is ignored: it is neither a file"
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "error: pip install failed" >&2
                                      exit 1; }
    echo "$_want" > "$VENV/.vmotiond-installed"
fi
# The browser tests (tests/browser) drive Debian's headless Chromium
# through chromedriver; a CJK font draws the Chinese pages.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
        || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing chromium, chromium-driver and a CJK font (Debian) ..."
        { flock /tmp/vmotiond-apt.lock sh -c "$_apt update -qq &&
            $_apt install -y -qq chromium chromium-driver fonts-wqy-zenhei"; } >/dev/null || {
            echo "error: apt-get install chromium chromium-driver" \
                 "fonts-wqy-zenhei failed" >&2
            exit 1; }
    else
        echo "warning: the browser tests need chromium, chromium-driver and" \
             "a CJK font (fonts-wqy-zenhei); they fail without them" >&2
    fi
fi
export PATH="$VENV/bin:$PATH"
unset _want _apt
