NO_FLA=1 AB_SHAPES=3,4,5,6,8,10 bash bench/run_ab_fla_device.sh; SHAPE=6 LIB=.carry/cand/lib bash bench/profile_chain_device.sh   # ref = 654acb5, cand = 502b521
