import { personalDataIn, personalDataInClear } from '../src';

/**
 * Found by a helper reviewing the recogniser over thousands of landlord texts. A false positive refuses a landlord's fact with 422
 * PERSONAL_DATA.IN_CLEAR (the ledger of record cannot record it); a false negative keeps contact
 * details in clear for good and publishes them on Kafka.
 */
describe("a landlord's clear-text facts that are no contact details", () => {
  it.each([
    // PHONE_RUN caps a run at 22 characters: an ISO date range is cut inside its last date, whose cut
    // digits then complete 11 from a "06" (new with the sub-sequence search: every such range is refused)
    'Contractor on site 2024-06-12 - 2024-06-14',
    'Scaffold up 2024-01-08 - 2024-01-19',
    // UK dates and times as written: a day 01-09 and an hour 7-9 add to 11 digits starting 0
    'Survey booked 05.06.2024 9.30',
    'Survey booked 05-06-2024 9.30am',
    'Visit 05 06 2024 123 operatives',
    'Survey booked 0730 1.11.2024',
    'Paid 0.50 12.06.2024',
    'Damp readings 0.12 0.15 0.18 0.2',
    // a 10-digit reference and a count; 11 digits under no UK prefix (04, 06 are not allocated)
    'Works order 0123456789 1',
    'Job 04567891234 raised',
    'Job 06123456789 raised',
    // capitals, as housing systems export, with a floor word the exception does not list
    'FLAT 7, B2 3RD FL',
    'BLOCK C3 1ST LEVEL',
  ])('%s is not refused', (text) => expect(personalDataIn(text)).toBeNull());

  it('refuses no extension whose reason is an ISO date range', () => {
    expect(personalDataInClear('ExtendDeadline', { reason: 'Contractor on site 2024-06-12 - 2024-06-14' })).toBeNull();
  });

  it('still takes UPRNs, Ombudsman, NHS and council-tax references for what they are', () => {
    for (const text of [
      'UPRN 100023336956',
      'Housing Ombudsman case 202412345',
      'NHS 943 476 5919',
      'CT ref 0012345678',
      '£1,250.00',
      '12/06/2024 09:30',
    ])
      expect(personalDataIn(text)).toBeNull();
  });
});

describe('contact details that slip through', () => {
  it.each([
    // after a run of digits longer than the 22-character cap: the cut leaves the number's end to no match
    ['UPRN 100023336956 07700 900123', 'a telephone number'],
    ['2024 06 12 07700 900123', 'a telephone number'],
    // quoted, bracketed, or with the leading apostrophe a spreadsheet keeps a number as text by
    ['"07700 900123"', 'a telephone number'],
    ["'07700900123", 'a telephone number'],
    ['[07700 900123]', 'a telephone number'],
  ])('%s is %s', (text, what) => expect(personalDataIn(text)).toBe(what));
});
