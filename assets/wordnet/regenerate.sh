#!/usr/bin/env bash
# Regenerate related.txt from WordNet 3.0 as Debian packages it.
# Needs root (or the package already installed) and python3.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f /usr/share/wordnet/data.noun ]; then
    apt-get update -qq
    apt-get install -y -qq wordnet-base
fi
python3 extract.py /usr/share/wordnet > related.txt
echo "wrote $(wc -l < related.txt) lines, $(du -h related.txt | cut -f1), to $(pwd)/related.txt"
