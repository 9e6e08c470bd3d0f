source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
export PYTHONPATH=/tmp/site:$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/final/lib/libflashkda.so FLA_FLASH_KDA=0
timeout 120 python3 bench/results/2026-11-26-s8-call13/host_time.py
timeout 200 python3 bench/results/2026-11-26-s8-call13/host_time.py fla
