// src/namespace/temp-names.ts: a temporary name tells the work of a running process (never touched)
// from the leftover of a dead one (docs/mutation-testing.md, "Fifth run").
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inUse, release, TEMP, tempName } from '../../src/namespace/temp-names.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('temporary names', () => {
  it('are new each time, carry the label and the pid, and are in use until released', () => {
    const a = tempName('css');
    const b = tempName('css');
    expect(a).not.toBe(b);
    expect(a).toMatch(new RegExp(`^${TEMP.replace(/[.]/g, '\\.')}css-${process.pid}-[0-9a-z]{1,8}$`));
    expect(inUse(a)).toBe(true);
    release(a);
    expect(inUse(a)).toBe(false);
    expect(inUse(b)).toBe(true);
    release(b);
  });

  it("are in use while another process that made them runs, and not once it is gone", () => {
    expect(inUse(`${TEMP}css-${process.ppid}-abcd1234`)).toBe(true);
    expect(inUse(`${TEMP}css-${deadPid()}-abcd1234`)).toBe(false);
    // A label with dashes: the pid is the second part from the end.
    expect(inUse(`${TEMP}with-dash-${process.ppid}-abcd1234`)).toBe(true);
  });

  it('are not in use when the pid part is no pid (a name not of ours, or mangled)', () => {
    const kill = vi.spyOn(process, 'kill');
    for (const pid of ['0', 'x', '1.5', '']) expect(inUse(`${TEMP}css-${pid}-abcd1234`), pid).toBe(false);
    // Never asked of the system: kill(0) signals the whole process group.
    expect(kill).not.toHaveBeenCalled();
  });

  it("are in use when the process exists but belongs to another user (EPERM), not when the check fails otherwise", () => {
    vi.spyOn(process, 'kill').mockImplementation(() => {
      throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
    });
    expect(inUse(`${TEMP}css-4242-abcd1234`)).toBe(true);
    vi.spyOn(process, 'kill').mockImplementation(() => {
      throw Object.assign(new Error('ESRCH'), { code: 'ESRCH' });
    });
    expect(inUse(`${TEMP}css-4242-abcd1234`)).toBe(false);
  });
});
