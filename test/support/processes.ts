// Whether a process the test started is still running (signal 0 checks without signalling).
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
