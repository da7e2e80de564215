#!/usr/bin/env bash
# Gradescope image build (runs once, as root): install verify with the course's claim bank and bake
# a warm verdict cache into the image, so grading a submission is look-ups, not training.
#
# The autograder zip holds this file, run_autograder, and the course's copy of the verify repository
# (claims/, src/, pyproject.toml) at its root; Gradescope unpacks it into /autograder/source.
set -euo pipefail

SOURCE="${VERIFY_AUTOGRADER_SOURCE:-/autograder/source}"
VENV="${VERIFY_VENV:-/opt/verify}"

apt-get update -q && apt-get install -y -q python3 python3-venv python3-pip
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
# torch first, pinned, CPU build (as in the README); verdicts are cached per torch version
"$VENV/bin/pip" install -q torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
"$VENV/bin/pip" install -q "$SOURCE[report]"

# The cache key holds the library, the claim, the torch version and the thread count: run the bank
# here with the same install and thread pin that grading will use.  Exit 1 (a claim not as expected)
# still fills the cache; a harness error (3) fails the build, so it is fixed before students submit.
export VERIFY_CACHE_DIR="$SOURCE/.verify-cache" VERIFY_CLAIMS="$SOURCE/claims" VERIFY_THREADS=1
"$VENV/bin/verify" check --quiet || [ $? -eq 1 ]
