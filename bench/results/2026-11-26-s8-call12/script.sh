# s8 call 12 (closing): main at 6bb09ac (.carry/final) against 6650af5 (.carry/prep): plan checks of the re-fitted
# segment model on host-known varlen and long shapes, then bench/run_ab_fla_device.sh (suite, memcheck, racecheck,
# A/B on the v2 shapes, the FLA 0.6.0 table with eager and CUDA-graph FLA times).
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
P="timeout 100 python3 bench/plan_check.py"
( export FLASHKDA_LIBRARY=$PWD/.carry/final/lib/libflashkda.so
  $P --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto SEG=0 2>&1 | grep " ms"
  $P --H 4 --lens 1300,547,2048,963,271,3063 --knobs auto SEG=0 2>&1 | grep " ms"
  $P --H 2 --T 65536 --knobs auto 2>&1 | grep " ms"
  $P --H 8 --T 20000 --knobs auto SEG=0 2>&1 | grep " ms" )
REF=prep CAND=final AB_SHAPES=3,4,5,6,8,10 AB_TIMEOUT=100 bash bench/run_ab_fla_device.sh
