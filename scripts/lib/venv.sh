# Shared by scripts/run and scripts/test: make sure .venv exists and holds this checkout.
# Reinstalls only when pyproject.toml changed since the last install (a stamp records it).

ensure_venv() {
    local python="${PYTHON:-python3}"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "scripts: Python >= 3.11 is required (tried '$python'; set PYTHON to another)" >&2
        return 2
    fi
    if [ ! -x .venv/bin/python ]; then
        echo "scripts: creating .venv" >&2
        "$python" -m venv .venv
    fi
    local stamp=.venv/.topicsflow-installed
    local want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "scripts: installing TopicsFlow and its dependencies into .venv" >&2
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
        echo "$want" > "$stamp"
    fi
}
