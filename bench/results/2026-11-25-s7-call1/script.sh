# run(command="bash bench/run_fla_study_device.sh", carry=[".carry/ref", ".whl", ".fla-cache"]); the script as of 5ee4dc7 (git show 5ee4dc7:bench/run_fla_study_device.sh)
