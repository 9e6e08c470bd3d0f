AB_SHAPES=4,6 bash bench/run_ab_fla_device.sh   # ref = 654acb5, cand = 502b521
