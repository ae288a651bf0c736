#!/usr/bin/env bash
# `npm run notebooks`: sets up Jupyter with the tslab TypeScript kernel for notebooks/, idempotently.
#   1. Jupyter from Debian's packages (apt-get; needs root): jupyter-nbconvert (runs notebooks
#      headlessly), python3-ipykernel, jupyter-client, jupyter-core. Add jupyter-notebook or
#      jupyterlab to open them in a browser.
#   2. The tslab kernel from npm (`npm install -g tslab`), registered with `tslab install`
#      against Debian's python3 (/usr/bin/python3, which has jupyter_client).
#   3. dist/ built (`npm run build`) and notebooks/node_modules/tfe-js linked to this checkout,
#      so `import * as tfe from 'tfe-js'` works in a notebook as in a user's project.
# Then: `jupyter notebook notebooks/`, or headless:
#   jupyter nbconvert --to notebook --execute notebooks/01-getting-started.ipynb --output /tmp/out.ipynb
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
if ! /usr/bin/jupyter nbconvert --version >/dev/null 2>&1 || ! $PY -c 'import ipykernel, jupyter_client' 2>/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    jupyter-nbconvert python3-ipykernel jupyter-client jupyter-core python3-ipython >/dev/null
fi
if ! command -v tslab >/dev/null 2>&1; then
  npm install -g --no-audit --no-fund tslab@1.0.22
fi
if ! /usr/bin/jupyter kernelspec list 2>/dev/null | grep -q '^ *tslab '; then
  tslab install --python=$PY
fi
# `npm install` already built dist/ (prepare); build it when missing.
[ -f dist/index.js ] || npm run build --silent
mkdir -p notebooks/node_modules
ln -sfn ../.. notebooks/node_modules/tfe-js
echo "notebooks ready: jupyter notebook notebooks/   (kernel: TypeScript / tslab)"
