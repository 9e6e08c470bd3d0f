# s8 call 5: A/B of prep (6650af5), lb1 (6650af5 + chain __launch_bounds__(2 VS, 1)), cand (lb1 + e^G_C as one float4 a
# key step), three rounds; then plan_check with forced segment lengths around the automatic plan on four shapes.
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in prep lb1 cand prep lb1 cand prep lb1 cand; do echo "== $L"; FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 100 python3 bench/prefill_bench.py --only 0,3,4,5,6,8,10 --no-fla --variants auto:4 | grep "^H=" | cut -c1-60; done
export FLASHKDA_LIBRARY=$PWD/.carry/cand/lib/libflashkda.so
timeout 60 python3 bench/plan_check.py --H 16 --T 8192 --knobs auto SEG=256 SEG=128 2>&1 | grep "ms"
timeout 60 python3 bench/plan_check.py --H 8 --T 8192 --knobs auto SEG=256 SEG=128 SEG=64 2>&1 | grep "ms"
timeout 60 python3 bench/plan_check.py --H 4 --T 8192 --knobs auto SEG=128 SEG=86 SEG=64 2>&1 | grep "ms"
timeout 90 python3 bench/plan_check.py --H 2 --T 65536 --knobs auto SEG=512 SEG=293 SEG=241 2>&1 | grep "ms"
timeout 90 python3 bench/plan_check.py --H 16 --T 20000 --knobs auto SEG=625 SEG=313 2>&1 | grep "ms"
