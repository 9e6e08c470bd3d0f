AB_SHAPES=0,1,2,7,9,3,6 bash bench/run_ab_fla_device.sh   # ref = 502b521, cand = 9679643
