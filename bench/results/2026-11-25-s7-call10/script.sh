SHAPE=6 LIB=.carry/cand/lib bash bench/profile_chain_device.sh
