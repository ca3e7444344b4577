// Child process of `tracelab ipc bench`'s signal path (child_process.fork): answer every SIGUSR2 from
// the parent with a SIGUSR2 back. SIGUSR1 is Node's debugger signal, so it is left alone. Exits when
// the parent disconnects (or after 60 s at most).
process.on('SIGUSR2', () => {
  process.kill(process.ppid, 'SIGUSR2');
});
const guard = setTimeout(() => process.exit(0), 60_000);
process.on('disconnect', () => {
  clearTimeout(guard);
  process.exit(0);
});
process.send?.('ready');
