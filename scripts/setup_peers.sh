#!/usr/bin/env bash
# Installs the benchmark's peers (bench/peers.py) into .peers/, a venv that
# npm run bench uses when present: PyTorch 2.13 (cpu), JAX, TensorFlow 2.21,
# and scipy for the fixture generator (scripts/make_fixtures.py). Not needed by
# npm test. --retries 0 makes an unreachable index fail fast.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .peers
.peers/bin/pip install --retries 0 --disable-pip-version-check \
  'torch==2.13.0+cpu' jax jaxlib 'tensorflow-cpu==2.21.0' numpy scipy
.peers/bin/python -c 'import torch, jax, tensorflow; print("peers:", torch.__version__, jax.__version__, tensorflow.__version__)'
