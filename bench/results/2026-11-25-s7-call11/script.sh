AB_SHAPES=3,4,5,6,8,10 bash bench/run_ab_fla_device.sh   # .carry/ref = f7796be, .carry/cand = 654acb5
