import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * Where a load test's CPU went, from Linux's /proc: the server's process (all its threads), this
 * process (the load generator: autocannon runs in it) and the machine as a whole. It shows whether
 * a server is bound by its own thread with cores to spare, and the most it could serve if all of
 * the machine's cores were its: the ceiling a target for this machine has to sit under.
 */
export interface CpuBudget {
  /** CPU the server used per request, all threads, µs. */
  serverUsPerRequest: number;
  /** CPU the load generator used per request, µs. */
  loadUsPerRequest: number;
  /** Share of the machine's CPU time idle over the run, %. */
  machineIdlePct: number;
  /** Requests/s if server and load generator used all of every core at this CPU per request. */
  allCoresCeiling: number;
}

interface Reading {
  serverTicks: number;
  load: NodeJS.CpuUsage;
  machine: { idle: number; total: number };
}

/** Clock ticks per second in /proc (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** Starts measuring; the returned function ends it, given how many requests were completed in between. */
export function measureCpu(serverPid: number): (requests: number) => CpuBudget {
  const before = read(serverPid);
  return (requests) => {
    const after = read(serverPid);
    const serverUs = ((after.serverTicks - before.serverTicks) * 1e6) / TICKS_PER_SECOND;
    const load = process.cpuUsage(before.load);
    const loadUs = load.user + load.system;
    const serverUsPerRequest = serverUs / requests;
    const loadUsPerRequest = loadUs / requests;
    return {
      serverUsPerRequest: Math.round(serverUsPerRequest),
      loadUsPerRequest: Math.round(loadUsPerRequest),
      machineIdlePct: Math.round((100 * (after.machine.idle - before.machine.idle)) / (after.machine.total - before.machine.total)),
      allCoresCeiling: Math.round((cpus().length * 1e6) / (serverUsPerRequest + loadUsPerRequest)),
    };
  };
}

/** User and system clock ticks from a /proc `stat` file (a process's or one thread's). */
function ticksIn(statPath: string): number {
  // the command name (field 2) may hold spaces, so count fields after its closing parenthesis
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
}

/** CPU ms of each of this process's threads so far, by thread id (Linux), or null elsewhere. */
export function threadCpuMs(): Map<number, number> | null {
  if (!existsSync('/proc/self/task')) return null;
  const byThread = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      byThread.set(Number(tid), (ticksIn(`/proc/self/task/${tid}/stat`) * 1000) / TICKS_PER_SECOND);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return byThread;
}

/**
 * Where a phase's CPU went between two `threadCpuMs` readings: the process's main thread, its
 * busiest other thread, and every other thread together (V8's garbage-collection helpers, libuv's
 * pool, the other worker threads), in ms.
 */
export function threadSplit(before: Map<number, number>, after: Map<number, number>): { main: number; busiestOther: number; rest: number } {
  const spent = [...after].map(([tid, ms]) => [tid, ms - (before.get(tid) ?? 0)] as const);
  const main = spent.find(([tid]) => tid === process.pid)?.[1] ?? 0;
  const others = spent
    .filter(([tid]) => tid !== process.pid)
    .map(([, ms]) => ms)
    .sort((a, b) => b - a);
  const busiestOther = others[0] ?? 0;
  return { main, busiestOther, rest: others.slice(1).reduce((sum, ms) => sum + ms, 0) };
}

function read(serverPid: number): Reading {
  const serverTicks = ticksIn(`/proc/${serverPid}/stat`);
  // /proc/stat's first line: cpu user nice system idle iowait irq softirq steal ...
  const machine = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = machine[3]! + machine[4]!;
  return { serverTicks, load: process.cpuUsage(), machine: { idle, total: machine.reduce((sum, ticks) => sum + ticks, 0) } };
}
