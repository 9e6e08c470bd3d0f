# s8 call 11: the re-fitted segment model on varlen batches whose lengths the host knows (plan_check --lens), plan lib.
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/plan/lib/libflashkda.so
P="timeout 100 python3 bench/plan_check.py"
$P --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto SEG=130 SEG=96 SEG=64 SEG=0 2>&1 | grep -v -i warn | tail -8
$P --H 4 --lens 1300,547,2048,963,271,3063 --knobs auto SEG=64 SEG=0 2>&1 | grep -v -i warn | tail -5
$P --H 32 --lens 1300,547,2048,963,271,3063 --knobs auto SEG=0 2>&1 | grep -v -i warn | tail -4
