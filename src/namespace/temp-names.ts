// Temporary names in the namespace folder. Everything is made under one and renamed into place, so
// a reader sees nothing or the whole. A name carries the pid of the process that made it, so that a
// leftover of a killed process is told from work in progress (which is never touched).
import { errno } from '../shared/errors.js';

/** The prefix of every temporary name: `.nsb-tmp-<label>-<pid>-<random>`. */
export const TEMP = '.nsb-tmp-';

// The temporary names this process is using right now: calls running at once in one process
// (next.config evaluated twice in parallel) must not clean up each other's work.
const inFlight = new Set<string>();

/** A new temporary name, in use until `release()`. */
export function tempName(label: string): string {
  // Unique with the pid; the random part tells apart names of a pid that the system reused.
  const name = `${TEMP}${label}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  inFlight.add(name);
  return name;
}

export function release(name: string): void {
  inFlight.delete(name);
}

/** Whether a process (this one included) is still working on the temporary `name`. */
export function inUse(name: string): boolean {
  const parts = name.split('-'); // .nsb-tmp-<label>-<pid>-<random>
  const pid = Number(parts[parts.length - 2]);
  return pid === process.pid ? inFlight.has(name) : isAlive(pid);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errno(error) === 'EPERM';
  }
}
