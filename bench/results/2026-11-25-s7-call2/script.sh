# run(command="ALL=1 bash bench/run_fla_study_device.sh", carry=[".carry/ref", ".whl", ".fla-cache"]); the script as of 62725f6 (ran on an H200)
