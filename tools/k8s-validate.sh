#!/usr/bin/env bash
# Validates the Kubernetes example (examples/kubernetes/*.yaml) against the Kubernetes
# schema with kubernetes-validate (PyPI), strictly (unknown fields rejected), and checks
# that the validator does reject a broken copy, so that a pass means something.
# Prints "N passed, M failed". .ci/run runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${PASSEUR_TOOLS_VENV:-$HOME/.cache/passeur-tools-venv}"
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==1.37.0"
fi
passed=0
failed=0
for manifest in examples/kubernetes/*.yaml; do
    if "$venv/bin/kubernetes-validate" --strict --quiet "$manifest"; then
        passed=$((passed + 1))
    else
        echo "invalid: $manifest"
        failed=$((failed + 1))
    fi
done
broken=$(mktemp --suffix=.yaml)
sed 's/completionMode: Indexed/completionMode: Indexed\n  completionIndex: 3/' \
    examples/kubernetes/translate-job.yaml > "$broken"
if "$venv/bin/kubernetes-validate" --strict --quiet "$broken" >/dev/null 2>&1; then
    echo "the validator accepted a manifest with an unknown field"
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi
rm -f "$broken"
echo "kubernetes-validate: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
