// Preloaded (`node --require`) into the demo agent that `npm start` spawns. The agent runs in its own process
// group so Ctrl-C reaches only the parent, which then stops it in order; but a parent killed with -9 cannot
// do that, and Node has no PR_SET_PDEATHSIG. So the child watches for being re-parented and shuts itself
// down the same way SIGTERM would (the agent stops its ffmpeg), with a hard kill of its group as a backstop.
const parentPid = Number(process.env.LECTERN_PARENT_PID);

if (Number.isInteger(parentPid) && parentPid > 1) {
  const watch = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => {
      try {
        process.kill(-process.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 5_000).unref();
  }, 500);
  // Never the reason the agent stays alive after it stopped.
  watch.unref();
}

// A module, not a script: its names stay out of the global scope.
export {};
