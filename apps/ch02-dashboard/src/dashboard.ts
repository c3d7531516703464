import type { TsmSnapshot } from '@complaint-ledger/messaging';

export interface Ch02Figure {
  readonly key: string;
  readonly reportingYear: string;
  readonly tenure: TsmSnapshot['tenure'];
  readonly stage1: TsmSnapshot['ch02']['stage1'];
  readonly stage2: TsmSnapshot['ch02']['stage2'];
  readonly asOfPosition: number;
}

/**
 * The live CH02 figures an analytics service keeps from complaints.tsm.v1: the latest snapshot
 * per year and tenure. Delivery is at-least-once, so a snapshot already seen (same event id) is
 * dropped, and one older than what is held for its key (a redelivery after a newer one) is ignored.
 */
export class Ch02Dashboard {
  private readonly seen = new Set<string>();
  private readonly latest = new Map<string, Ch02Figure>();

  /** True when the snapshot changed a figure. */
  apply(snapshot: TsmSnapshot): boolean {
    if (this.seen.has(snapshot.eventId)) return false;
    this.seen.add(snapshot.eventId);
    const held = this.latest.get(snapshot.key);
    if (held && held.asOfPosition > snapshot.asOfPosition) return false;
    this.latest.set(snapshot.key, {
      key: snapshot.key,
      reportingYear: snapshot.reportingYear,
      tenure: snapshot.tenure,
      stage1: snapshot.ch02.stage1,
      stage2: snapshot.ch02.stage2,
      asOfPosition: snapshot.asOfPosition,
    });
    return true;
  }

  figure(key: string): Ch02Figure | undefined {
    return this.latest.get(key);
  }

  /** One line per year and tenure, e.g. `2024/25 ALL  CH02 stage 1: 96.4% (412 of 427) …`. */
  render(): string[] {
    const stage = (label: string, s: Ch02Figure['stage1']) =>
      `${label}: ${s.percent === null ? '—' : `${s.percent}%`} (${s.withinTimescale} of ${s.responded})`;
    return [...this.latest.values()]
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((f) => `${f.reportingYear} ${f.tenure.padEnd(4)} CH02 ${stage('stage 1', f.stage1)}, ${stage('stage 2', f.stage2)}`);
  }
}
