// `node --import bench/cpu-at-exit.mjs …`: prints the process's CPU time (user + system, ms) as the last line on
// stderr when it exits. CPU time, unlike wall time, barely moves with the load of a shared machine.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\ncpu_ms=${((user + system) / 1000).toFixed(1)}\n`);
});
