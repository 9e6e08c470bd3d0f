#!/usr/bin/env bash
# Session 18 call 1: (a) the Python GPU suite's fla-core 0.5.2 part alone on HEAD (3b8ac50; not verified at HEAD in
# session 17); (b) the anchors' method repeated: H = 16 varlen 6 (shape 6) eager, ours against FLA 0.6.0, three
# separate processes with --host-cu and two without (the anchors passed no host lengths), to see how FLA's host-bound
# eager time spreads and where the eager bar stands.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
fla_autotune_restore
fla_install 0.6.0 /tmp/site
LIB=$PWD/.carry/h/lib/libflashkda.so
for i in 1 2 3; do
  for hc in --host-cu ""; do
    [ "$i" = 3 ] && [ -z "$hc" ] && continue
    tag=r$i${hc:+-hostcu}
    FLASHKDA_LIBRARY=$LIB PYTHONUNBUFFERED=1 FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python \
      timeout 120 python3 bench/prefill_bench.py --variants auto:1 --only 5,6,7 $hc --err-only 99 \
      --json $OUT/$tag.json > $OUT/$tag.log 2>&1
    echo "== $tag rc=$?"; grep -E "^\| *16 " $OUT/$tag.log
  done
done
(build_backend_ready && timeout 300 python3 -m pip install --no-build-isolation --no-deps . > "$OUT/pip.log" 2>&1); echo "pip rc=$?"
fla_install 0.5.2 /tmp/fla0.5.2
mkdir -p /tmp/t052 && cp tests/gpu/test_python_gpu.py /tmp/t052/ && cd /tmp/t052 && PYTHONPATH=/tmp/fla0.5.2 \
  timeout 300 python3 -m pytest -q -s -rs -p no:cacheprovider -k "dispatch or verifier or layer" test_python_gpu.py \
  > "$OUT/pytest-fla0.5.2.log" 2>&1; echo "fla-core 0.5.2 suite rc=$?"; tail -3 "$OUT/pytest-fla0.5.2.log"
