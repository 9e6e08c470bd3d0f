# s8 call 7: where the segmented plans spend their time (main 6650af5 kernels): plan_check.py --profile, per-kernel
# device time per call (torch.profiler), for the automatic plan and forced segment lengths on long single sequences.
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/prep/lib/libflashkda.so
P="timeout 100 python3 bench/plan_check.py --profile"
$P --H 2 --T 65536 --knobs auto SEG=293 SEG=512 SEG=1024 SEG=0
$P --H 4 --T 65536 --knobs auto SEG=512 SEG=1024 SEG=0
$P --H 8 --T 65536 --knobs auto SEG=1024
$P --H 16 --T 65536 --knobs auto SEG=2048
$P --H 16 --T 8192 --knobs auto SEG=256 SEG=0
$P --H 8 --T 8192 --knobs auto SEG=256
$P --H 4 --T 8192 --knobs auto SEG=128
$P --H 32 --T 65536 --knobs auto SEG=2048
