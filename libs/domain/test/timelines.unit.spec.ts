import { londonDateOf } from '../src';
import { received } from './support/builders';
import { given, RULES } from './support/decider-spec';
import { timelines, type Expected } from './support/timelines';

describe('worked timelines', () => {
  it('has at least 25 of them', () => expect(Object.keys(timelines).length).toBeGreaterThanOrEqual(25));

  it.each(Object.entries(timelines))('%s', (_name, timeline) => {
    const assessment = given(...timeline.events).assessedAt(timeline.asOf, timeline.rules ?? RULES);
    const actual = assessment.deadlines.map((d): Expected => {
      const withVersion = timeline.deadlines.some((e) => e.length === 5 && e[0] === d.kind);
      const due = d.dueAt && londonDateOf(d.dueAt);
      return withVersion ? [d.kind, due, d.status, d.workingDaysLate, d.codeVersion] : [d.kind, due, d.status, d.workingDaysLate];
    });
    expect(actual).toEqual(timeline.deadlines);
    if (timeline.findings) expect(assessment.findings.map((f) => `${f.provision} ${f.rule}`)).toEqual(timeline.findings);
    if (timeline.status) expect(assessment.status).toBe(timeline.status);
  });
});

describe('CH02 evidence on each deadline (decisions 0005, 0007)', () => {
  it('a response inside a good-reason extension beyond the limit is met, but outside the Code timescale', () => {
    const { deadlines } = given(...timelines['15 extension beyond the limit with a good reason']!.events).assessedAt('2024-10-10T12:00');
    const response = deadlines.find((d) => d.kind === 'stage1Response')!;
    expect(response.status).toBe('met');
    expect(londonDateOf(response.codeTimescaleDueAt!)).toBe('2024-10-01');
    expect(response.withinCodeTimescale).toBe(false);
  });

  it('a response inside a valid extension is within the Code timescale', () => {
    const { deadlines } = given(...timelines['13 extension within the limit']!.events).assessedAt('2024-10-10T12:00');
    expect(deadlines.find((d) => d.kind === 'stage1Response')!.withinCodeTimescale).toBe(true);
  });

  it('deadlines end at 23:59:59.999 London time and carry their provision', () => {
    const { deadlines } = given(...timelines['01 2024 Code, on time, Early May bank holiday']!.events).assessedAt('2024-06-01T12:00');
    expect(deadlines.map((d) => [d.dueAt, d.provision])).toEqual([
      ['2024-05-09T22:59:59.999Z', '6.2'],
      ['2024-05-20T22:59:59.999Z', '6.3'],
    ]);
  });

  it('a deadline is pending until midnight of its day, and breached a moment after', () => {
    const events = [received('2024-05-01T10:00')];
    expect(given(...events).assessedAt('2024-05-09T23:59:59.999+01:00').deadlines[0]!.status).toBe('pending');
    expect(given(...events).assessedAt('2024-05-10T00:00:00+01:00').deadlines[0]!.status).toBe('breached');
  });

  it('facts dated after asOf are not yet known', () => {
    const { deadlines, findings } = given(...timelines['07 Christmas and New Year 2024']!.events).assessedAt('2025-01-02T12:00');
    expect(deadlines.map((d) => d.status)).toEqual(['pending', 'pending']);
    expect(findings).toEqual([]);
  });
});
