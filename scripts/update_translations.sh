#!/usr/bin/env bash
# Re-extract UI strings, merge them into the catalogs and compile them.
# Run after changing any user-visible string; commit the .pot, .po and .mo files.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output \
  --project facilitator -o facilitator/translations/messages.pot . >/dev/null
for lang in fi sv; do
  if [ -f "facilitator/translations/$lang/LC_MESSAGES/messages.po" ]; then
    pybabel update --no-fuzzy-matching -i facilitator/translations/messages.pot \
      -d facilitator/translations -l "$lang"
  else
    pybabel init -i facilitator/translations/messages.pot -d facilitator/translations -l "$lang"
  fi
done
pybabel compile -d facilitator/translations
