import { checkLandlordTimescales, CODE_2020, CODE_2022, CODE_2024, codeInForceOn, withLandlordTimescales } from '../src';

describe('which Code applies (decision 0003)', () => {
  it.each([
    ['2021-06-01', '2020'],
    ['2022-03-31', '2020'],
    ['2022-04-01', '2022'],
    ['2024-03-31', '2022'],
    ['2024-04-01', '2024'],
    ['2026-11-23', '2024'],
  ])('a clock starting on %s runs under the %s Code', (date, version) => {
    expect(codeInForceOn(date).version).toBe(version);
  });

  it('sets the timescales and provisions of each version', () => {
    expect(CODE_2024.stage1.acknowledgement).toEqual({ workingDays: 5, from: 'receipt', provision: '6.2' });
    expect(CODE_2024.stage1.response).toEqual({ workingDays: 10, from: 'acknowledgement', provision: '6.3' });
    expect(CODE_2024.stage1.extension).toEqual({ maxWorkingDays: 10, provision: '6.4', ombudsmanDetailsProvision: '6.5' });
    expect(CODE_2024.stage2.acknowledgement).toEqual({ workingDays: 5, from: 'escalationRequest', provision: '6.11' });
    expect(CODE_2024.stage2.response).toEqual({ workingDays: 20, from: 'acknowledgement', provision: '6.14' });
    expect(CODE_2024.stage2.extension).toEqual({ maxWorkingDays: 20, provision: '6.15', ombudsmanDetailsProvision: '6.16' });
    expect(CODE_2024.independentStage2Provision).toBe('6.13');
    // Before 2024: no stage 2 acknowledgement timescale (decision 0004), a 10-day stage 2 extension, stage 2 from the request.
    for (const earlier of [CODE_2020, CODE_2022]) {
      expect(earlier.stage2.acknowledgement).toBeNull();
      expect(earlier.stage2.response.from).toBe('escalationRequest');
      expect(earlier.stage2.extension.maxWorkingDays).toBe(10);
    }
    expect(CODE_2020.stage1.response.from).toBe('receipt');
    expect(CODE_2022.stage1.response.from).toBe('acknowledgement');
  });
});

describe("a landlord's own timescales (decision 0009)", () => {
  it('accepts shorter timescales and applies them', () => {
    expect(checkLandlordTimescales({ stage1ResponseDays: 8, stage2ResponseDays: 15 })).toEqual([]);
    const policy = withLandlordTimescales(CODE_2024, { stage1ResponseDays: 8, stage2ExtensionDays: 10 });
    expect(policy.stage1.response.workingDays).toBe(8);
    expect(policy.stage2.extension.maxWorkingDays).toBe(10);
    expect(policy.stage1.response.provision).toBe('6.3');
  });

  it('refuses longer timescales with a message naming the setting and the limit', () => {
    expect(checkLandlordTimescales({ stage1ResponseDays: 12, stage2AcknowledgementDays: 0 })).toEqual([
      { setting: 'stage1ResponseDays', message: expect.stringContaining('longer than the Code allows (10 working days)') },
      { setting: 'stage2AcknowledgementDays', message: expect.stringContaining('whole number of working days ≥ 1') },
    ]);
  });

  it('never lengthens an older Code: a 15-day stage 2 extension stays 10 under 2022', () => {
    expect(withLandlordTimescales(CODE_2022, { stage2ExtensionDays: 15 }).stage2.extension.maxWorkingDays).toBe(10);
  });
});
