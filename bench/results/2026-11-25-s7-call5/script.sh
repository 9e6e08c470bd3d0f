# run(command="bash bench/run_ab_fla_device.sh", carry=[".carry/ref", ".carry/cand", ".whl", ".fla-cache"]); the script as of b9e82c4; cand = b9e82c4, ref = 5cd00f5
