#!/usr/bin/env bash
# Dependency audit (pip-audit on the project venv). Fatal for known vulnerabilities; when the
# advisory service cannot be reached (offline CI runners, a mirror without PyPI's JSON API)
# it says plainly how many packages went unchecked instead of "No known vulnerabilities".
# Accepted findings live in scripts/audit-ignores.txt: "ID  # reason, review date".
set -uo pipefail
cd "$(dirname "$0")/.."
ignores=()
while read -r id _; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  ignores+=(--ignore-vuln "$id")
done < scripts/audit-ignores.txt
out=$(.venv/bin/pip-audit --progress-spinner off --skip-editable "${ignores[@]}" 2>&1)
rc=$?
total=$(.venv/bin/python -m pip list --format=freeze --exclude-editable 2>/dev/null | grep -c .)
skipped=$(grep -c "could not be audited" <<<"$out")
if grep -qE "^Found [0-9]+ known vulnerabilit" <<<"$out"; then
  grep -v "could not be audited" <<<"$out"
  echo "pip-audit: vulnerabilities found; fix, or add an id with a reason to scripts/audit-ignores.txt" >&2
  exit 1
fi
if [[ $skipped -gt 0 ]]; then
  checked=$((total > skipped ? total - skipped : 0))
  echo "pip-audit: INCOMPLETE: checked $checked of $total packages; $skipped could not be looked up" \
       "(no access to PyPI's advisory API). No vulnerability result for those." >&2
  exit 0
fi
if [[ $rc -eq 0 ]] && grep -q "No known vulnerabilities found" <<<"$out"; then
  echo "pip-audit: checked all $total packages: no known vulnerabilities"
  exit 0
fi
if grep -qiE "connection|timed out|max retries|name resolution|temporary failure|network is unreachable|HTTPError|SSLError|ProxyError" <<<"$out"; then
  echo "pip-audit: INCOMPLETE: the vulnerability service could not be reached; nothing was checked" >&2
  exit 0
fi
echo "$out"
echo "pip-audit: the audit failed; see above" >&2
exit 1
