import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Prometheus metrics for /metrics: what the write path did with each command and how long it took, plus the process defaults. */
export class CommandMetrics {
  readonly registry = new Registry();
  private readonly commands = new Counter({
    name: 'ledger_commands_total',
    help: 'Commands handled, by command type and outcome (recorded, nothing to record, replayed, refused)',
    labelNames: ['command', 'outcome'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'ledger_command_duration_seconds',
    help: 'Time from receiving a command to its durable append',
    labelNames: ['command'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  start(command: string): (outcome: 'recorded' | 'nothing' | 'replayed' | 'refused') => void {
    const end = this.latency.startTimer({ command });
    return (outcome) => {
      end();
      this.commands.inc({ command, outcome });
    };
  }
}
