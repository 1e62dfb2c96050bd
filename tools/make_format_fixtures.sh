#!/usr/bin/env bash
# Writes the XLIFF test inputs of tests/fixtures/formats with the real tools that produce
# such files, so that passeur's XLIFF reader is tested on files it did not write:
#
# - translate-toolkit.xlf: Translate Toolkit's po2xliff (PyPI translate-toolkit) from a
#   French PO catalogue (translated, fuzzy and untranslated messages);
# - xliff-js-1.2.xlf and xliff-js-2.0.xlf: the `xliff` npm package (used by i18next/locize
#   and Angular tooling) from the same units, with inline elements of every kind it writes
#   (<g>/<pc>, <x/>/<ph/>, <bx/>/<ex/> and <sc/>/<ec/>, <ph>, <bpt>/<ept>).
#
# The outputs are committed; CI and the tests do not need these tools.
# Usage: tools/make_format_fixtures.sh   (needs python3 with venv, node and npm)
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/formats
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet translate-toolkit
cat > "$work/fr.po" <<'PO'
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: en\n"

#: article.html:3
msgid "L'OTAN renforce sa présence dans la région indo-pacifique."
msgstr ""

#: article.html:5
msgid "Le ministre a parlé hier soir. Il a annoncé une réforme importante."
msgstr ""

#: article.html:7
msgid "Déjà traduit."
msgstr "Already translated."

#: article.html:9
#, fuzzy
msgid "Une traduction à revoir."
msgstr "A translation to check."
PO
"$work/venv/bin/po2xliff" --progress=none "$work/fr.po" "$out/translate-toolkit.xlf"
# po2xliff labels every source en-US (gettext has no source language); these msgids are
# French, so the label says so, as a project exporting French PO files sets it.
sed -i 's/source-language="en-US"/source-language="fr"/' "$out/translate-toolkit.xlf"

(cd "$work" && npm install --silent --no-audit --no-fund xliff@6 >/dev/null)
cat > "$work/make.cjs" <<'JS'
const fs = require('fs');
const { js2xliff, jsToXliff12, makeInlineElement, ElementTypes } = require('xliff');
const out = process.argv[2];
const span = (attrs, contents) => makeInlineElement(ElementTypes.GenericSpan, attrs, contents);
const job = {
  sourceLanguage: 'fr',
  targetLanguage: 'en',
  resources: {
    article: {
      title: { source: ["L'OTAN et la région ", span({ id: '1' }, 'indo-pacifique'), '.'] },
      lead: {
        source: [
          'Selon ', span({ id: '2' }, ["l'", span({ id: '3' }, 'OTAN')]), ', tout va bien.',
          makeInlineElement(ElementTypes.Standalone, { id: '4' }),
          ' Le ministre a parlé hier.',
        ],
      },
      markers: {
        source: [
          'Un ', makeInlineElement(ElementTypes.GenericSpanStart, { id: '5' }), 'début',
          makeInlineElement(ElementTypes.GenericSpanEnd, { id: '6', startRef: '5' }), ' et une fin.',
        ],
      },
      native: {
        source: [
          'Cliquez ', makeInlineElement(ElementTypes.Span, { id: '7' }, '<b>'), 'ici',
          makeInlineElement(ElementTypes.Span, { id: '8' }, '</b>'), ' pour continuer.',
        ],
      },
      done: { source: 'Déjà traduit.', target: 'Already translated.' },
    },
  },
};
(async () => {
  fs.writeFileSync(`${out}/xliff-js-2.0.xlf`, await js2xliff(job) + '\n');
  fs.writeFileSync(`${out}/xliff-js-1.2.xlf`, await jsToXliff12(job) + '\n');
})();
JS
(cd "$work" && node make.cjs "$OLDPWD/$out")
echo "wrote $out/translate-toolkit.xlf, $out/xliff-js-1.2.xlf, $out/xliff-js-2.0.xlf"
