# run(command="bash bench/profile_chain_device.sh; OUT=$OUT/fused SHAPE=7 KREGEX=kda_fused_kernel bash bench/profile_chain_device.sh", carry=[".carry/ref"]); the script as of ef6a6d7; ref = f7796be
