# run(command="ALL=1 bash bench/run_fla_study_device.sh", carry=[".carry/ref", ".whl", ".fla-cache"], kind="nvidia-h100-x1"); the script as of 62725f6
