# run(command="bash bench/run_seg_sweep_device.sh", carry=[".carry/ref"]); the script as of 83bb34b
